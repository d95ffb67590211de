#!/bin/sh
# check.sh [N] - the scale benchmark's peers make the same objects as tenantc.
#
# Generates the workload for N tenants (default 20) and checks that
# `tenantc render` (tree and --stdout), `kubectl kustomize` (one root over
# all overlays, and one overlay alone) and `jsonnet` (-y and -m) produce the
# same set of objects, so the timings of run.sh compare equal work, and that
# the render passes the isolation verifier with no finding. Also
# checks that compare.py notices a changed object, so the check can fail.
#
#   TENANTC=PATH  the binary (required)
#
# Exit 0 when all agree, 1 when they differ, 77 (skip) when kubectl, jsonnet
# or Debian's python3-yaml is missing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
n=${1:-20}
py=/usr/bin/python3
: "${TENANTC:?set TENANTC to the tenantc binary}"

for tool in kubectl jsonnet; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "SKIP: $tool is not installed"
		exit 77
	fi
done
if ! [ -x $py ] || ! $py -c 'import yaml' 2>/dev/null; then
	echo "SKIP: $py with PyYAML (python3-yaml) is not installed"
	exit 77
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
$py "$here/gen.py" "$work" "$n"
t=t00001

# with the isolation verifier: the workload passes it with no finding
if ! "$TENANTC" render --repo "$work/tenantc" --out "$work/out" > "$work/render.txt" 2>&1; then
	echo "FAIL: the workload does not pass tenantc render (and its verifier):"
	head -n 5 "$work/render.txt"
	exit 1
fi
"$TENANTC" render --repo "$work/tenantc" --stdout > "$work/tc.yaml"
"$TENANTC" render --repo "$work/tenantc" --stdout --env prod --tenant $t > "$work/tc_one.yaml"
kubectl kustomize "$work/kustomize" > "$work/kz.yaml"
kubectl kustomize "$work/kustomize/overlays/prod/$t" > "$work/kz_one.yaml"
jsonnet -J "$work/jsonnet" -y "$work/jsonnet/stream.jsonnet" > "$work/jn.yaml"
mkdir "$work/jn_tree"
jsonnet -J "$work/jsonnet" -m "$work/jn_tree" "$work/jsonnet/tree.jsonnet" > /dev/null
jsonnet -J "$work/jsonnet" -y --tla-code-file "tenant=$work/jsonnet/tenants/$t.json" \
	--tla-str env=prod "$work/jsonnet/one.jsonnet" > "$work/jn_one.yaml"

status=0
$py "$here/compare.py" tenantc-tree=tree:"$work/out" tenantc-stdout=stream:"$work/tc.yaml" \
	kustomize=stream:"$work/kz.yaml" jsonnet-y=stream:"$work/jn.yaml" \
	jsonnet-m=tree:"$work/jn_tree" || status=1
$py "$here/compare.py" tenantc=stream:"$work/tc_one.yaml" kustomize=stream:"$work/kz_one.yaml" \
	jsonnet=stream:"$work/jn_one.yaml" || status=1
want=$((22 * n))
got=$(find "$work/out" -name '*.yaml' ! -name kustomization.yaml | wc -l)
if [ "$got" -ne "$want" ]; then
	echo "FAIL: tenantc wrote $got object files, want $want"
	status=1
fi

# the comparison must notice one changed port
f=$work/out/prod/tenants/$t/networkpolicy-api-egress.yaml
sed 's/port: 5432/port: 5433/' "$f" > "$f.new" && mv "$f.new" "$f"
if $py "$here/compare.py" tenantc-tree=tree:"$work/out" kustomize=stream:"$work/kz.yaml" \
	> "$work/neg.txt"; then
	echo "FAIL: compare.py did not notice a changed object"
	status=1
elif ! grep -q "changed networking.k8s.io/v1/NetworkPolicy/$t-prod/api-egress" "$work/neg.txt"; then
	echo "FAIL: compare.py did not name the changed object"
	cat "$work/neg.txt"
	status=1
fi
[ $status -eq 0 ] && echo "ok: tenantc, kustomize and jsonnet make the same $want objects for N=$n"
exit $status
