#!/bin/sh
# tests/interop/differential_test.sh - the differential harness over the
# rendered example, over tests/interop/invalid and over the corpus of
# tests/interop/corpus (issue 13, item 4; issue 14, item 7).
#
# One kube-apiserver serves both runs. The example must agree everywhere
# (both accept every object). On the folder of invalid manifests tenantc is
# known to disagree on the objects listed in
# tests/interop/invalid/expected-disagreements.tsv; a change in either
# direction (a new disagreement, or one that went away) is printed, but does
# not fail the test. The corpus (valid and invalid objects of every kind
# tenantc has rules for, judged without --strict so that kinds without a
# schema in ../shared/schemas-upstream are judged by Kubernetes' rules) must
# agree on at least 98% of its objects, with no object that the API server
# accepts rejected by tenantc; its known disagreements are listed, with their
# reasons, in tests/interop/corpus/expected-disagreements.tsv. The test fails
# when the API server cannot be reached or an object lacks a verdict.
PEERS=${TENANTC_PEER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tenantc-peers}
export TENANTC_PEER_CACHE="$PEERS"
SHARED=${SHARED:-${SRC:-.}/../shared}
if [ ! -d "$SHARED/schemas-upstream/crds" ]; then
	echo "SKIP: differential: ../shared/schemas-upstream not found"
	exit 77
fi
. "$SRC/tests/integration/lib.sh"
. "$SRC/tests/interop/kube_env.sh"
trap 'kube_stop; rm -rf "$T"' EXIT
trap 'exit 130' INT TERM HUP
export SCHEMAS="$SHARED/schemas-upstream"
HARNESS="$SRC/tests/interop/differential.sh"
INVALID="$SRC/tests/interop/invalid"
EXPECTED="$INVALID/expected-disagreements.tsv"
CORPUS="$SRC/tests/interop/corpus"

KUBE_CRDS="$SCHEMAS/crds"
kube_start "$T/kube"
kube_versions
export TENANTC_INTEROP_KUBECONFIG="$KUBE_DIR/kubeconfig" KUBECTL

# objects a harness run judged (verdict lines) and the closing line
judged() { grep -c -e '^agree ' -e '^DISAGREE ' "$1" || true; }
DOCS='FNR == 1 { if (c) n++; c = 0 } /^---([ \t].*)?$/ { if (c) n++; c = 0; next }
	$0 !~ /^[ \t]*(#.*)?$/ { c = 1 } END { if (c) n++; print n + 0 }'
documents() { # DIR -> number of non-empty YAML documents, kustomize's aside
	find "$1" -type f -name '*.yaml' ! -name kustomization.yaml -exec awk "$DOCS" {} +
}

# --- the rendered example
copy_example "$T/repo"
"$TENANTC" render -C "$T/repo" >/dev/null 2>"$T/err" || { cat "$T/err"; bad "the example does not render"; }
if sh "$HARNESS" --record "$T/example.tsv" "$T/repo/rendered" >"$T/example.out" 2>&1; then
	ok "differential.sh gave both verdicts for every object of the rendered example"
else
	bad "differential.sh failed on the rendered example (exit $?)"
fi
sed "s|$T/repo/||g" "$T/example.out"
want=$(documents "$T/repo/rendered")
got=$(judged "$T/example.out")
[ "$got" -eq "$want" ] && ok "example: $got of $want objects judged" ||
	bad "example: $got of $want objects judged"
if [ -s "$T/example.tsv" ]; then
	sed "s|$T/repo/||g" "$T/example.tsv"
	bad "example: the API server and tenantc disagree on $(wc -l <"$T/example.tsv") object(s)"
else
	ok "example: the API server and tenantc agree on every object"
fi

# --- the invalid manifests
if (cd "$INVALID" && sh "$HARNESS" --record "$T/invalid.tsv" .) >"$T/invalid.out" 2>&1; then
	ok "differential.sh gave both verdicts for every object of tests/interop/invalid"
else
	bad "differential.sh failed on tests/interop/invalid (exit $?)"
fi
cat "$T/invalid.out"
want=$(documents "$INVALID")
got=$(judged "$T/invalid.out")
[ "$got" -eq "$want" ] && ok "invalid: $got of $want objects judged" ||
	bad "invalid: $got of $want objects judged"
sed 's|^\./||' "$T/invalid.tsv" | LC_ALL=C sort >"$T/actual"
grep -v '^#' "$EXPECTED" | LC_ALL=C sort >"$T/expected"
echo "disagreements on tests/interop/invalid (expected: $(wc -l <"$T/expected"), found: $(wc -l <"$T/actual")):"
sed 's/^/  /' "$T/actual"
LC_ALL=C comm -13 "$T/expected" "$T/actual" | sed 's/^/  NEW (not in expected-disagreements.tsv): /'
LC_ALL=C comm -23 "$T/expected" "$T/actual" | sed 's/^/  GONE (listed, no longer found): /'
if cmp -s "$T/expected" "$T/actual"; then
	ok "invalid: the disagreements are the $(wc -l <"$T/actual") listed in expected-disagreements.tsv"
else
	echo "NOTE: the disagreements changed; update tests/interop/invalid/expected-disagreements.tsv"
	ok "invalid: disagreements recorded (changed from the list: see NEW/GONE above)"
fi
# --- the corpus
if (cd "$CORPUS" && sh "$HARNESS" --no-strict --record "$T/corpus.tsv" .) >"$T/corpus.out" 2>&1; then
	ok "differential.sh gave both verdicts for every object of tests/interop/corpus"
else
	bad "differential.sh failed on tests/interop/corpus (exit $?)"
fi
grep -e '^DISAGREE' -e '^MISSING' -A2 "$T/corpus.out" || true
grep -e ' agree, ' -e '^agreement: ' "$T/corpus.out"
want=$(documents "$CORPUS")
got=$(judged "$T/corpus.out")
[ "$got" -eq "$want" ] && ok "corpus: $got of $want objects judged" ||
	bad "corpus: $got of $want objects judged"
agreed=$(grep -c '^agree ' "$T/corpus.out" || true)
if [ "$got" -gt 0 ] && [ $((agreed * 100)) -ge $((got * 98)) ]; then
	ok "corpus: tenantc and the API server agree on $agreed of $got objects (at least 98%)"
else
	bad "corpus: tenantc and the API server agree on $agreed of $got objects (below 98%)"
fi
if grep -q 'server=accepted	tenantc=rejected' "$T/corpus.tsv"; then
	grep 'server=accepted	tenantc=rejected' "$T/corpus.tsv"
	bad "corpus: tenantc rejects objects that the API server accepts"
else
	ok "corpus: tenantc rejects no object that the API server accepts"
fi
sed 's|^\./||' "$T/corpus.tsv" | LC_ALL=C sort >"$T/cactual"
grep -v '^#' "$CORPUS/expected-disagreements.tsv" | cut -f 1-3 | LC_ALL=C sort >"$T/cexpected"
LC_ALL=C comm -13 "$T/cexpected" "$T/cactual" | sed 's/^/  NEW (not in expected-disagreements.tsv): /'
LC_ALL=C comm -23 "$T/cexpected" "$T/cactual" | sed 's/^/  GONE (listed, no longer found): /'
finish
