#!/bin/sh
# tests/interop/cel_differential.sh - CRD validation rules and an admission
# policy judged by a real kube-apiserver 1.34 and by tenantc, object by
# object, on the corpus of tests/interop/cel/corpus (written by
# tests/interop/cel/gen_corpus.py).
#
# The server gets the CRDs with x-kubernetes-validations rules
# (tests/integration/cel/widgets.example.com.yaml, Flux's Kustomization,
# External Secrets' ClusterSecretStore from ../shared/schemas-upstream/crds),
# the example's admission policy and binding (policies/), the policies of
# tests/interop/cel/policies.yaml (auditAnnotations, matchPolicy, a
# messageExpression over budget), and the namespaces
# of tests/interop/cel/namespaces.yaml. An admission policy is enforced only
# once the server has type-checked it, so the test waits until a Deployment
# the policy must refuse is refused. Then each object is judged with a
# server-side dry run (`kubectl apply --server-side --dry-run=server`) and by
# `tenantc render` of a repository whose cluster templates are the corpus
# objects (one file each), with the same CRDs imported into its schemas/ and
# the same policy in its policies/: an object is rejected when the render
# reports an error at its file. Every object must get the same verdict from
# both; the test fails otherwise, or when the server cannot be reached.
PEERS=${TENANTC_PEER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tenantc-peers}
export TENANTC_PEER_CACHE="$PEERS"
SHARED=${SHARED:-${SRC:-.}/../shared}
CRDS="$SHARED/schemas-upstream/crds"
if [ ! -d "$CRDS" ]; then
	echo "SKIP: cel differential: ../shared/schemas-upstream/crds not found"
	exit 77
fi
. "$SRC/tests/integration/lib.sh"
. "$SRC/tests/interop/kube_env.sh"
trap 'kube_stop; rm -rf "$T"' EXIT
trap 'exit 130' INT TERM HUP
DATA="$SRC/tests/interop/cel"
WIDGETS="$SRC/tests/integration/cel/widgets.example.com.yaml"
GIZMOS="$SRC/tests/integration/cel/gizmos.example.com.yaml"
POLICY="$SRC/policies/tenant-resource-limits.yaml"

mkdir -p "$T/crds"
cp "$WIDGETS" "$GIZMOS" "$CRDS/kustomize.toolkit.fluxcd.io_kustomizations.yaml" \
	"$CRDS/external-secrets.io_clustersecretstores.yaml" "$T/crds/"
KUBE_CRDS="$T/crds"
kube_start "$T/kube"
kube_versions

kc apply --server-side --field-manager tenantc-interop -f "$DATA/namespaces.yaml" >/dev/null ||
	kube_fail "creating the namespaces"
kc apply --server-side --field-manager tenantc-interop -f "$POLICY" >/dev/null ||
	kube_fail "installing the admission policy"
kc apply --server-side --field-manager tenantc-interop -f "$DATA/policies.yaml" >"$T/policies.log" 2>&1 || { cat "$T/policies.log"; false; } ||
	kube_fail "installing the admission policies of $DATA/policies.yaml"
# wait until the policy is enforced: a Deployment it refuses is refused
cat >"$T/probe.yaml" <<'EOS'
apiVersion: apps/v1
kind: Deployment
metadata: {name: probe, namespace: acme-prod}
spec:
  selector: {matchLabels: {app: probe}}
  template:
    metadata: {labels: {app: probe}}
    spec:
      containers: [{name: probe, image: registry.example.com/probe:1.0}]
EOS
# wait_refused FILE POLICY WHAT: until POLICY refuses the object of FILE
wait_refused() {
	start=$(date +%s)
	until ! kc apply --server-side --dry-run=server --field-manager tenantc-interop \
		-f "$1" >/dev/null 2>"$T/probe.err" && grep -q "$2" "$T/probe.err"; do
		[ $(($(date +%s) - start)) -lt 180 ] ||
			kube_fail "$3 not enforced after 180 s: $(cat "$T/probe.err")"
		sleep 1
	done
	ok "$3 enforced after $(($(date +%s) - start)) s"
}
wait_refused "$T/probe.yaml" tenant-resource-limits "the admission policy is"
# and the corpus's own policies: the last of them refuses a Gizmo
cat >"$T/probe-gizmo.yaml" <<'EOS'
apiVersion: example.com/v1
kind: Gizmo
metadata: {name: probe, namespace: acme-prod, labels: {tenantc.io/test: message}}
spec: {}
EOS
wait_refused "$T/probe-gizmo.yaml" gizmo-message "the corpus's admission policies are"

# tenantc's side: a repository whose cluster templates are the corpus
mkdir -p "$T/repo/environments" "$T/repo/templates/cluster" "$T/repo/policies"
# the corpus's objects name a GitRepository, Secrets and ConfigMaps that
# the render does not make (the dry run does not resolve references either)
cat >"$T/repo/tenantc.yaml" <<'EOF'
output: rendered
provided:
  - {apiVersion: source.toolkit.fluxcd.io/v1, kind: GitRepository, namespace: flux-system, name: platform}
  - {apiVersion: v1, kind: Secret, namespace: '*', name: '*'}
  - {apiVersion: v1, kind: ConfigMap, namespace: '*', name: '*'}
EOF
cp -R "$SRC/schemas" "$T/repo/"
cp "$SRC/environments/test.yaml" "$T/repo/environments/"
cp "$POLICY" "$DATA/policies.yaml" "$T/repo/policies/"
# a template is one document: a file per namespace
awk -v dir="$T/repo/templates/cluster" 'BEGIN { n = 0; f = sprintf("%s/000-namespace-%d.yaml", dir, n) }
	/^---/ { n++; f = sprintf("%s/000-namespace-%d.yaml", dir, n); next } { print > f }' "$DATA/namespaces.yaml"
"$TENANTC" schema import --out "$T/repo/schemas" "$T/crds"/*.yaml >/dev/null
for f in "$DATA"/corpus/*.yaml; do
	cp "$f" "$T/repo/templates/cluster/"
done
run "$TENANTC" render --repo "$T/repo" --out "$T/out"
[ "$status" -le 1 ] && ok "tenantc rendered the corpus (exit $status)" ||
	bad "tenantc render failed on the corpus (exit $status): $(head -n 3 "$T/stderr")"
cp "$T/stderr" "$T/render.err"

agree=0
disagree=0
for f in "$DATA"/corpus/*.yaml; do
	b=$(basename "$f")
	set +e
	kc apply --server-side --dry-run=server --field-manager tenantc-interop -f "$f" \
		>"$T/out.txt" 2>"$T/err.txt"
	rc=$?
	set -e
	if grep -q -e 'Unable to connect to the server' -e 'dial tcp' "$T/err.txt"; then
		kube_fail "the API server stopped answering at $b"
	fi
	if [ "$rc" -eq 0 ]; then
		sv=accepted
	else
		sv=rejected
	fi
	if grep -q "^templates/cluster/$b:[0-9]*:[0-9]*: error: " "$T/render.err"; then
		tv=rejected
	else
		tv=accepted
	fi
	if [ "$sv" = "$tv" ]; then
		agree=$((agree + 1))
		echo "agree    $b: $sv"
	else
		disagree=$((disagree + 1))
		echo "DISAGREE $b: server $sv, tenantc $tv"
	fi
	[ "$sv" = accepted ] || echo "         server:  $(grep -v '^Warning' "$T/err.txt" | tr '\n' ' ' | sed 's/.*for: "[^"]*": //' | cut -c1-300)"
	[ "$tv" = accepted ] || echo "         tenantc: $(grep -m 1 "^templates/cluster/$b:" "$T/render.err" | cut -c1-300)"
done
echo "$agree agree, $disagree disagree"
[ "$disagree" -eq 0 ] && ok "tenantc and the API server agree on all $agree objects" ||
	bad "tenantc and the API server disagree on $disagree of $((agree + disagree)) objects"
finish
