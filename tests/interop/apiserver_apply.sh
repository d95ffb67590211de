#!/bin/sh
# tests/interop/apiserver_apply.sh - every object the example renders is
# accepted by a real kube-apiserver (issue 13, item 3).
#
# Starts etcd and kube-apiserver 1.34 built from their Go modules (see
# kube_env.sh and the peer_*.sh scripts) on loopback, installs the upstream
# CRDs of ../shared/schemas-upstream/crds, renders the example into a temporary
# copy and applies each environment as a GitOps controller with SOPS
# decryption would: `tenantc render --stdout --decrypt --env E` piped through
# `kubectl apply --server-side --dry-run=server --validate=strict`, the
# environment's Namespaces first (judged with a dry run, then created so the
# namespaced objects can be admitted), then every other object. The
# decrypted stream lives only in memory-backed storage (/dev/shm) with mode
# 0700 and is removed on exit.
#
# With an argument, the repository in that folder (one of examples/) is
# judged instead of the bundled example.
PEERS=${TENANTC_PEER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tenantc-peers}
export TENANTC_PEER_CACHE="$PEERS"
SHARED=${SHARED:-${SRC:-.}/../shared}
if [ ! -d "$SHARED/schemas-upstream/crds" ]; then
	echo "SKIP: kube-apiserver: ../shared/schemas-upstream/crds not found"
	exit 77
fi
. "$SRC/tests/integration/lib.sh"
. "$SRC/tests/interop/kube_env.sh"
PLAIN=""
trap 'kube_stop; [ -z "$PLAIN" ] || rm -rf "$PLAIN"; rm -rf "$T"' EXIT
trap 'exit 130' INT TERM HUP

KUBE_CRDS="$SHARED/schemas-upstream/crds"
kube_start "$T/kube"
kube_versions
echo "server ready after ${KUBE_READY_SECONDS}s, $KUBE_CRD_COUNT CRDs established"
ok "etcd and kube-apiserver started on loopback, CRDs of $KUBE_CRDS installed"

if [ $# -gt 0 ]; then
	mkdir -p "$T/repo"
	cp -R "$1/." "$T/repo/"
	rm -rf "$T/repo/rendered"
else
	copy_example "$T/repo"
fi
if "$TENANTC" render -C "$T/repo" >"$T/render.log" 2>&1; then
	ok "the example renders ($(cat "$T/render.log"))"
else
	cat "$T/render.log"
	bad "the example does not render"
	finish
	exit 1
fi

if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	PLAIN=$(mktemp -d /dev/shm/tenantc-interop.XXXXXX)
else
	PLAIN=$(mktemp -d "$T/plain.XXXXXX")
fi
chmod 700 "$PLAIN"
umask 077

# split STREAM into $2 (the Namespaces) and $3 (everything else); prints
# the number of objects
split_stream() {
	awk -v ns="$2" -v rest="$3" '
		function flush() {
			if (content) {
				n++
				if (body ~ /(^|\n)kind:[ \t]*Namespace[ \t]*\n/) printf "---\n%s", body > ns
				else printf "---\n%s", body > rest
			}
			body = ""; content = 0
		}
		/^---([ \t].*)?$/ { flush(); next }
		{ body = body $0 "\n"; if ($0 !~ /^[ \t]*(#.*)?$/) content = 1 }
		END { flush(); print n + 0 }' "$1"
}

# the objects of an environment's tree on disk (kustomize's files aside)
tree_objects() {
	find "$1" -type f -name '*.yaml' ! -name kustomization.yaml -exec awk '
		FNR == 1 { if (c) n++; c = 0 } /^---([ \t].*)?$/ { if (c) n++; c = 0; next }
		$0 !~ /^[ \t]*(#.*)?$/ { c = 1 } END { if (c) n++; print n + 0 }' {} +
}

# the message of a failed kubectl, one line, without the request it echoes
kmsg() {
	grep -v '^Warning: ' "$1" | tr '\n' ' ' | sed -e 's/.*for: "[^"]*": //' -e 's/[[:space:]]*$//'
}

# apply FILE ENV WHAT: dry-run apply, print the per-object verdicts, check
# that every object was accepted
apply_dry() {
	: >"$T/out"
	if kc apply --server-side --dry-run=server --validate=strict --force-conflicts \
		--field-manager tenantc-interop -f "$1" >"$T/out" 2>"$T/err"; then
		rc=0
	else
		rc=$?
	fi
	sed "s|^|  $2: |" "$T/out"
	sed -n "s|^Warning: |  $2: warning: |p" "$T/err"
	got=$(grep -c '(server dry run)' "$T/out" || true)
	if [ "$rc" -eq 0 ] && [ "$got" -eq "$4" ]; then
		ok "$2: all $4 $3 accepted by kube-apiserver (server-side apply, server dry run)"
	else
		grep -v '^Warning: ' "$T/err" | sed "s|^|  $2: rejected: |"
		bad "$2: $got of $4 $3 accepted by kube-apiserver (kubectl exit $rc)"
	fi
}

envs=$(cd "$T/repo/rendered" && for d in */; do echo "${d%/}"; done)
[ -n "$envs" ] || bad "no environment in the rendered tree"
total=0
for e in $envs; do
	if ! "$TENANTC" render -C "$T/repo" --stdout --decrypt --env "$e" >"$PLAIN/$e.yaml" 2>"$T/err"; then
		cat "$T/err"
		bad "$e: render --stdout --decrypt failed"
		continue
	fi
	: >"$PLAIN/$e.ns.yaml"
	: >"$PLAIN/$e.rest.yaml"
	n=$(split_stream "$PLAIN/$e.yaml" "$PLAIN/$e.ns.yaml" "$PLAIN/$e.rest.yaml")
	rm -f "$PLAIN/$e.yaml"
	on_disk=$(tree_objects "$T/repo/rendered/$e")
	if [ "$n" -eq "$on_disk" ]; then
		ok "$e: the stream has the $n objects of rendered/$e"
	else
		bad "$e: the stream has $n objects, rendered/$e has $on_disk"
	fi
	nns=$(grep -c '^---$' "$PLAIN/$e.ns.yaml" || true)
	nrest=$(grep -c '^---$' "$PLAIN/$e.rest.yaml" || true)
	if [ "$nns" -gt 0 ]; then
		apply_dry "$PLAIN/$e.ns.yaml" "$e" Namespaces "$nns"
		kc apply --server-side --force-conflicts --field-manager tenantc-interop \
			-f "$PLAIN/$e.ns.yaml" >/dev/null 2>"$T/err" ||
			bad "$e: creating the Namespaces: $(kmsg "$T/err")"
	fi
	# namespaces the environment's objects use but does not create itself
	# (e.g. argocd) are the cluster's own: create them as an install would
	for ns in $(sed -n 's/^[[:space:]][[:space:]]*namespace:[[:space:]]*\([a-z0-9.-]*\)[[:space:]]*$/\1/p' \
		"$PLAIN/$e.rest.yaml" | sort -u); do
		if ! kc get namespace "$ns" >/dev/null 2>&1; then
			kc create namespace "$ns" >/dev/null 2>&1 &&
				echo "  $e: namespace $ns is not rendered; created as the cluster's own"
		fi
	done
	apply_dry "$PLAIN/$e.rest.yaml" "$e" objects "$nrest"
	rm -f "$PLAIN/$e.ns.yaml" "$PLAIN/$e.rest.yaml"
	total=$((total + n))
done
echo "$total objects in $(echo "$envs" | wc -w) environments sent to kube-apiserver"
kc get --raw /readyz >/dev/null 2>&1 && ok "kube-apiserver still ready" || bad "kube-apiserver stopped answering"
finish
