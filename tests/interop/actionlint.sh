#!/bin/sh
# tests/interop/actionlint.sh - rhysd/actionlint (pinned in pins.sh, built
# into the peer cache) checks every workflow under .github/workflows/: the
# syntax, the expressions and their contexts, the matrix, `needs`, the
# inputs of the actions used; with shellcheck installed, the scripts too.
# A planted mistake must be reported, so the linter is known to run.
set -eu
bin=$(sh "$(dirname "$0")/peer_actionlint.sh") || { echo "$bin"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/tenantc-actionlint.XXXXXX")
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
for wf in "$SRC"/.github/workflows/*.yml; do
	if "$bin" -no-color "$wf" >"$T/out" 2>&1; then
		pass=$((pass + 1)); echo "ok   actionlint ${wf#"$SRC"/}"
	else
		fail=$((fail + 1)); echo "FAIL actionlint ${wf#"$SRC"/}"; head -n 30 "$T/out"
	fi
done
# the same workflow with a job that needs one that does not exist
sed 's/^    needs: shard$/    needs: shards/' "$SRC/.github/workflows/scale.yml" >"$T/bad.yml"
if ! "$bin" -no-color "$T/bad.yml" >"$T/out" 2>&1 && grep -q 'needs' "$T/out"; then
	pass=$((pass + 1)); echo "ok   actionlint reports a planted unknown 'needs'"
else
	fail=$((fail + 1)); echo "FAIL actionlint did not report a planted unknown 'needs'"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
