#!/bin/sh
# schema_bundle_repro.sh - scripts/gen-schema-bundle.py is reproducible: run
# twice from its module cache (offline), it writes the same bytes both
# times, and they are data/kubernetes-schemas.json as committed. Skips
# (77) when go or the cached releases are missing: the script downloads them
# only when run by hand (see its header).
#
#   schema_bundle_repro.sh SRC
set -u
SRC=${1:?usage: schema_bundle_repro.sh SRC}
CACHE=${TENANTC_SCHEMA_CACHE:-$HOME/.cache/tenantc-schema-bundle}
command -v go >/dev/null 2>&1 || { echo "SKIP: go is not installed (the bundle's module downloads)"; exit 77; }
for r in $(sed -n 's/^    ("1\.[0-9]*", "\(v[0-9.]*\)"),$/\1/p' "$SRC/scripts/gen-schema-bundle.py"); do
	z="$CACHE/go/cache/download/k8s.io/kubernetes/@v/$r.zip"
	[ -f "$z" ] || { echo "SKIP: k8s.io/kubernetes@$r is not in the cache $CACHE (run scripts/gen-schema-bundle.py once)"; exit 77; }
	n=$((${n:-0} + 1))
done
[ "${n:-0}" -ge 5 ] || { echo "FAIL: the releases of scripts/gen-schema-bundle.py were not found"; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/tenantc-bundle-repro.XXXXXX")
trap 'rm -rf "$T"' EXIT
for i in 1 2; do
	python3 "$SRC/scripts/gen-schema-bundle.py" --offline --cache "$CACHE" --out "$T/b$i.json" 2>"$T/err$i" ||
		{ echo "FAIL: run $i: $(cat "$T/err$i")"; exit 1; }
done
fail=0
if cmp -s "$T/b1.json" "$T/b2.json"; then echo "ok   two runs write the same bytes ($(wc -c <"$T/b1.json") bytes)"; else echo "FAIL two runs differ"; fail=1; fi
if cmp -s "$T/b1.json" "$SRC/data/kubernetes-schemas.json"; then
	echo "ok   they are data/kubernetes-schemas.json"
else
	echo "FAIL data/kubernetes-schemas.json is not what the script writes"; fail=1
fi
exit $fail
