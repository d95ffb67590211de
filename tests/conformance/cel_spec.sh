#!/bin/sh
# tests/conformance/cel_spec.sh - the cel-spec simple tests through
# `tenantc cel` (cel_spec.js says which cases run and how they are judged),
# and the reference evaluator npm's @bufbuild/cel over the same cases.
# Needs $TENANTC and $SRC; SKIP (77) when node or the package is missing.
set -eu
command -v node >/dev/null 2>&1 || { echo "SKIP: cel-spec: node is not installed"; exit 77; }
pkg=$(sh "$SRC/tests/interop/peer_cel_spec.sh") || {
	rc=$?
	echo "$pkg" # the SKIP line and its reason
	exit $rc
}
# the reference evaluator beside it; when it cannot be had, that half is
# skipped with the reason and tenantc's half still runs
if ref=$(sh "$SRC/tests/interop/peer_cel_js.sh"); then
	CEL_REFERENCE_SKIP=
else
	CEL_REFERENCE_SKIP=$ref
	ref=
fi
export CEL_REFERENCE_SKIP
exec node "$SRC/tests/conformance/cel_spec.js" "$pkg" "$TENANTC" \
	"$SRC/tests/conformance/cel_spec_threshold.txt" $ref
