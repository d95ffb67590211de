#!/bin/sh
# schema_bundle_repro.sh - scripts/gen-schema-bundle.py is reproducible: run
# twice from its module cache (offline), it writes the same bytes both
# times, and they are data/kubernetes-schemas.json as committed. Skips
# (77) when go or the cached releases are missing: the script downloads them
# only when run by hand (see its header).
set -u
# the user's module cache, named before lib.sh gives the test a private HOME
CACHE=${TENANTC_SCHEMA_CACHE:-$HOME/.cache/tenantc-schema-bundle}
. "$SRC/tests/integration/lib.sh"
command -v go >/dev/null 2>&1 || { echo "SKIP: go is not installed (the bundle's module downloads)"; exit 77; }
n=0
for r in $(sed -n 's/^    ("1\.[0-9]*", "\(v[0-9.]*\)"),$/\1/p' "$SRC/scripts/gen-schema-bundle.py"); do
	z="$CACHE/go/cache/download/k8s.io/kubernetes/@v/$r.zip"
	[ -f "$z" ] || { echo "SKIP: k8s.io/kubernetes@$r is not in the cache $CACHE (run scripts/gen-schema-bundle.py once)"; exit 77; }
	n=$((n + 1))
done
run test "$n" -ge 5
expect "the releases of scripts/gen-schema-bundle.py are found ($n)" 'expect_status 0'
for i in 1 2; do
	run python3 "$SRC/scripts/gen-schema-bundle.py" --offline --cache "$CACHE" --out "$T/b$i.json"
	expect "run $i of the bundle script" 'expect_status 0'
done
run cmp "$T/b1.json" "$T/b2.json"
expect "two runs write the same bytes ($(wc -c <"$T/b1.json" 2>/dev/null || echo 0) bytes)" 'expect_status 0'
run cmp "$T/b1.json" "$SRC/data/kubernetes-schemas.json"
expect "they are data/kubernetes-schemas.json as committed" 'expect_status 0'
finish
