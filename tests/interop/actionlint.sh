#!/bin/sh
# tests/interop/actionlint.sh - rhysd/actionlint (pinned in pins.sh, built
# into the peer cache) checks every workflow under .github/workflows/: the
# syntax, the expressions and their contexts, the matrix, `needs`, the
# inputs of the actions used; with shellcheck installed, the scripts too.
# A planted mistake must be reported, so the linter is known to run.
set -eu
# the peer is found before lib.sh gives the test a private HOME
bin=$(sh "$(dirname "$0")/peer_actionlint.sh") || { echo "$bin"; exit 77; }
. "$SRC/tests/integration/lib.sh"
for wf in "$SRC"/.github/workflows/*.yml; do
	run "$bin" -no-color "$wf"
	expect "actionlint ${wf#"$SRC"/}" 'expect_status 0 || { why="$(head -n 30 "$T/stdout")"; false; }'
done
# the same workflow with a job that needs one that does not exist
sed 's/^    needs: shard$/    needs: shards/' "$SRC/.github/workflows/scale.yml" >"$T/bad.yml"
run "$bin" -no-color "$T/bad.yml"
expect "actionlint reports a planted unknown 'needs'" 'expect_failure && expect_stdout needs'
finish
