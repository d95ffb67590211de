#!/bin/sh
# tests/interop/apiserver_clusters.sh - the example with several target
# clusters per environment (tests/integration/multi_cluster.sh: prod on
# worker01 and worker02 with Flux, test on blue and green with ArgoCD) is
# accepted by a real kube-apiserver, as apiserver_apply.sh judges the
# example: every environment rendered with its Secrets decrypted and
# applied with server-side dry run and strict validation against the
# upstream CRDs. SKIP (77) as apiserver_apply.sh does.
PEERS=${TENANTC_PEER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tenantc-peers}
export TENANTC_PEER_CACHE="$PEERS"
. "$SRC/tests/integration/lib.sh"
. "$SRC/tests/integration/multi_cluster.sh"
copy_example "$T/repo"
make_multi_cluster "$T/repo" "$T/multi"
grep -q '^  - name: worker02$' "$T/multi/environments/prod.yaml" || bad "prod has no second cluster"
grep -q '^  - {name: green}$' "$T/multi/environments/test.yaml" || bad "test has no second cluster"
[ "$FAIL" -eq 0 ] || { finish; exit 1; }
sh "$SRC/tests/interop/apiserver_apply.sh" "$T/multi"
