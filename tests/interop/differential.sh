#!/bin/sh
# tests/interop/differential.sh - the real API server's verdict next to
# `tenantc validate`'s, object by object.
#
# usage: differential.sh [--record FILE] [--no-strict] DIR_OR_FILE...
#
# Every YAML/JSON document in the *.yaml, *.yml and *.json files under the
# arguments is one object (kustomize's own kustomization files are skipped:
# they are not API objects). For each object it prints the verdict of a real
# kube-apiserver 1.34 (`kubectl apply --server-side --dry-run=server
# --validate=strict`: accepted, or rejected with the server's message) and
# the verdict of `tenantc validate --strict` against the Kubernetes and CRD
# schemas of ../shared/schemas-upstream, then `N agree, M disagree`.
# --record FILE writes one line per disagreement (`ID<TAB>server=V<TAB>
# tenantc=V`, ID being path#document) for comparison with an expected list.
# --no-strict runs `tenantc validate` without --strict, for kinds that the
# schema folder has no schema for (ReplicaSet, Job, ...): it still judges
# them by Kubernetes' own rules, where --strict would refuse them unseen.
#
# So that a verdict is about the object itself, the namespaces that objects
# name are created for real first (Namespace objects of the folder are judged
# first, with a dry run, then created). A SOPS-encrypted file is decrypted for
# the server (as a GitOps controller does) with `tenantc secret decrypt`, in
# a pipe; tenantc validates the encrypted file as it stands in a repository.
#
# The server is started for this run (see kube_env.sh) unless
# TENANTC_INTEROP_KUBECONFIG and KUBECTL name a running one. Exit status: 0
# when every object has both verdicts, agreeing or not; 1 when the server
# cannot be reached or a verdict is missing; 77 when a peer cannot be had.
#
# Environment: TENANTC (default: build/src/tenantc of this work tree),
# SCHEMAS (default: ../shared/schemas-upstream beside the work tree),
# TENANTC_PEER_CACHE (see the interop convention).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TENANTC=${TENANTC:-$ROOT/build/src/tenantc}
SCHEMAS=${SCHEMAS:-$ROOT/../shared/schemas-upstream}
RECORD=""
STRICT=--strict
while [ $# -gt 0 ]; do
	case $1 in
	--record) RECORD=$2; shift 2 ;;
	--no-strict) STRICT=""; shift ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || { echo "usage: differential.sh [--record FILE] [--no-strict] DIR_OR_FILE..." >&2; exit 2; }
[ -x "$TENANTC" ] || { echo "differential.sh: error: no tenantc at $TENANTC (set TENANTC)" >&2; exit 2; }
[ -d "$SCHEMAS/kubernetes" ] || { echo "SKIP: differential: no schemas at $SCHEMAS (set SCHEMAS)"; exit 77; }

. "$HERE/kube_env.sh"
W=$(mktemp -d "${TMPDIR:-/tmp}/tenantc-differential.XXXXXX")
trap 'kube_stop; rm -rf "$W"' EXIT
trap 'exit 130' INT TERM HUP

# --- split every document into its own file: $W/obj/NNNN.yaml, with
# $W/index lines "NNNN<TAB>path#doc"
mkdir -p "$W/obj"
: >"$W/files"
for a in "$@"; do
	if [ -d "$a" ]; then
		find "$a" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) | LC_ALL=C sort >>"$W/files"
	elif [ -f "$a" ]; then
		echo "$a" >>"$W/files"
	else
		echo "differential.sh: error: $a: no such file or folder" >&2
		exit 2
	fi
done
: >"$W/index"
n=0
while IFS= read -r f; do
	n=$(awk -v out="$W/obj" -v path="${f#./}" -v n="$n" -v idx="$W/index" '
		function flush() {
			if (body != "") {
				n++; doc++
				name = sprintf("%s/%04d.yaml", out, n)
				printf "%s", body > name
				close(name)
				printf "%04d\t%s#%d\n", n, path, doc >> idx
			}
			body = ""; content = 0
		}
		/^---([ \t].*)?$/ { if (content) flush(); else body = ""; next }
		/^\.\.\.[ \t]*$/ { if (content) flush(); next }
		{
			body = body $0 "\n"
			if ($0 !~ /^[ \t]*(#.*)?$/) content = 1
		}
		END { if (content) flush(); print n }' "$f")
done <"$W/files"
[ "$n" -gt 0 ] || { echo "differential.sh: error: no objects in $*" >&2; exit 2; }

# top-level field of an object file (rough, for display and routing only)
top() { sed -n "s/^$2:[[:space:]]*\"\{0,1\}\([^\"#]*\)\"\{0,1\}[[:space:]]*\(#.*\)\{0,1\}\$/\1/p" "$1" | head -n 1 | sed 's/[[:space:]]*$//'; }
meta() { # file field: metadata.<field> (block style, or one-line flow style)
	awk -v k="$2" '
		/^metadata:[ \t]*\{/ {
			if (match($0, "[{ ,]" k ":[ \t]*[^,}]+")) {
				v = substr($0, RSTART + 1, RLENGTH - 1)
				sub("^" k ":[ \t]*", "", v); gsub(/"|\047|[ \t]+$/, "", v); print v
			}
			exit
		}
		/^metadata:/ { m = 1; next } /^[^ \t#]/ { m = 0 }
		m && $0 ~ "^[ \t]+" k ":" { sub("^[ \t]+" k ":[ \t]*", ""); gsub(/"|\047|[ \t]+$/, ""); print; exit }' "$1"
}

# --- the server
if [ -n "${TENANTC_INTEROP_KUBECONFIG:-}" ]; then
	: "${KUBECTL:?KUBECTL must name kubectl with TENANTC_INTEROP_KUBECONFIG}"
	KUBE_DIR=$W/kube
	mkdir -p "$KUBE_DIR"
	cp "$TENANTC_INTEROP_KUBECONFIG" "$KUBE_DIR/kubeconfig"
else
	KUBE_CRDS=$SCHEMAS/crds
	kube_start "$W/kube"
	"$KUBE_APISERVER" --version
fi
kc get --raw /readyz >/dev/null 2>&1 || { echo "FAIL the API server cannot be reached"; exit 1; }

# server_verdict FILE -> prints "accepted[ (warning: ...)]" or
# "rejected: MESSAGE"; returns 1 when there is no verdict (no server)
server_verdict() {
	if grep -q '^sops:' "$1"; then
		if ! "$TENANTC" secret decrypt "$1" >/dev/null 2>"$W/dec.err"; then
			echo "rejected: (not decrypted: $(head -n 1 "$W/dec.err"))"
			return 0
		fi
		set +e
		"$TENANTC" secret decrypt "$1" 2>/dev/null | kc apply --server-side --dry-run=server \
			--validate=strict --force-conflicts --field-manager tenantc-interop -f - \
			>"$W/out" 2>"$W/err"
		rc=$?
		set -e
	elif [ -z "$(meta "$1" name)" ] && [ "$(top "$1" kind)" != List ]; then
		# server-side apply addresses an object by its name (kubectl
		# refuses one without, or with only generateName, before
		# sending); a create (POST) lets the server judge
		set +e
		kc create --dry-run=server --validate=strict -f "$1" >"$W/out" 2>"$W/err"
		rc=$?
		set -e
	else
		set +e
		kc apply --server-side --dry-run=server --validate=strict --force-conflicts \
			--field-manager tenantc-interop -f "$1" >"$W/out" 2>"$W/err"
		rc=$?
		set -e
	fi
	if grep -q -e 'Unable to connect to the server' -e 'connection to the server .* was refused' \
		-e 'dial tcp' "$W/err"; then
		return 1
	fi
	warn=$(sed -n 's/^Warning: //p' "$W/err" | tr '\n' ' ' | sed 's/ $//')
	if [ "$rc" -eq 0 ]; then
		if [ -n "$warn" ]; then
			echo "accepted (warning: $warn)"
		else
			echo "accepted"
		fi
		return 0
	fi
	# kubectl prefixes the server's message with the request; keep the
	# message (after the last 'for: "FILE": ' when there is one), one line
	msg=$(grep -v '^Warning: ' "$W/err" | tr '\n' ' ' |
		sed -e 's/.*for: "[^"]*": //' -e 's/[[:space:]]*$//')
	[ -n "$msg" ] || return 1
	echo "rejected: $msg"
}

# tenant_verdict FILE ID -> "accepted" or "rejected: FIRST ERROR"; returns 1
# when tenantc gave no verdict (a crash or an internal error)
tenantc_verdict() {
	set +e
	"$TENANTC" validate --schema-location "$SCHEMAS" --kubernetes-version 1.34.0 $STRICT --no-references \
		"$1" >"$W/tout" 2>&1
	rc=$?
	set -e
	case $rc in
	0) echo "accepted" ;;
	1 | 2)
		msg=$(grep -m 1 ': error: ' "$W/tout" || head -n 1 "$W/tout")
		echo "rejected: $(printf '%s' "$msg" | sed "s|^$1|$2|")"
		;;
	*) return 1 ;;
	esac
}

# --- namespaces first: Namespace objects judged, then created; then every
# namespace an object names
ns_objects=""
others=""
while IFS='	' read -r id src; do
	f="$W/obj/$id.yaml"
	case "$(top "$f" apiVersion)" in
	kustomize.config.k8s.io/*) echo "skip     $src: kustomize configuration, not an API object"; continue ;;
	esac
	if [ "$(top "$f" kind)" = Namespace ]; then
		ns_objects="$ns_objects $id"
	else
		others="$others $id"
	fi
done <"$W/index"

AGREE=0
DISAGREE=0
MISSING=0
[ -z "$RECORD" ] || : >"$RECORD"
judge() { # id
	f="$W/obj/$1.yaml"
	src=$(sed -n "s/^$1	//p" "$W/index")
	what="$(top "$f" kind)/$(meta "$f" name)"
	if ! sv=$(server_verdict "$f"); then
		echo "MISSING  $src $what: no verdict from the API server: $(head -n 3 "$W/err" | tr '\n' ' ')"
		MISSING=$((MISSING + 1))
		return 0
	fi
	if ! tv=$(tenantc_verdict "$f" "$src"); then
		echo "MISSING  $src $what: no verdict from tenantc: $(head -n 3 "$W/tout" | tr '\n' ' ')"
		MISSING=$((MISSING + 1))
		return 0
	fi
	if [ "${sv%%[ :]*}" = "${tv%%[ :]*}" ]; then
		AGREE=$((AGREE + 1))
		tag="agree   "
	else
		DISAGREE=$((DISAGREE + 1))
		tag="DISAGREE"
		[ -z "$RECORD" ] || printf '%s\tserver=%s\ttenantc=%s\n' "$src" "${sv%%[ :]*}" "${tv%%[ :]*}" >>"$RECORD"
	fi
	echo "$tag $src $what"
	echo "         server:  $sv"
	echo "         tenantc: $tv"
}

for id in $ns_objects; do
	judge "$id"
	f="$W/obj/$id.yaml"
	kc apply --server-side --force-conflicts --field-manager tenantc-interop -f "$f" >/dev/null 2>&1 || true
done
for id in $others; do
	meta "$W/obj/$id.yaml" namespace
done | LC_ALL=C sort -u >"$W/namespaces"
while IFS= read -r ns; do
	[ -n "$ns" ] || continue
	kc get namespace "$ns" >/dev/null 2>&1 || kc create namespace "$ns" >/dev/null 2>&1 || true
done <"$W/namespaces"
for id in $others; do
	judge "$id"
done

kc get --raw /readyz >/dev/null 2>&1 || { echo "FAIL the API server stopped answering"; MISSING=$((MISSING + 1)); }
echo "$AGREE agree, $DISAGREE disagree"
TOTAL=$((AGREE + DISAGREE))
[ "$TOTAL" -eq 0 ] || echo "agreement: $((AGREE * 1000 / TOTAL / 10)).$((AGREE * 1000 / TOTAL % 10))% of $TOTAL objects"
if [ "$MISSING" -gt 0 ]; then
	echo "FAIL $MISSING object(s) without both verdicts"
	exit 1
fi
exit 0
