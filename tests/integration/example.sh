#!/bin/sh
# tests/integration/example.sh NAME - one of the example platforms under
# examples/NAME/ is a working tenantc repository: committed to git, it
# renders from the revision and from the folder to the same bytes, `check`
# accepts it (schemas, API-server rules, references, CEL, the isolation
# verifier) with the rendered tree committed, and a second render changes
# nothing. The example's own cases
# (what the source platform got wrong must not come back, its refusals) are
# in tests/examples/NAME.sh, sourced here with $R the committed copy and
# $T/out its render.
NAME=${1:?usage: example.sh NAME}
. "$SRC/tests/integration/lib.sh"
EX="$SRC/examples/$NAME"
[ -f "$EX/tenantc.yaml" ] || { echo "FAIL: $EX/tenantc.yaml not found"; exit 1; }

R="$T/repo"
mkdir -p "$R"
cp -R "$EX/." "$R/"
rm -rf "$R/rendered"
git_commit_all "$R"

run "$TENANTC" render -C "$R" --rev HEAD --out "$T/out"
expect "$NAME renders from its git revision" 'expect_status 0 && expect_stdout "^rendered [0-9]+ environments?, "'
echo "  $(head -n 1 "$T/stdout")"

run "$TENANTC" render -C "$R" --out "$T/out2"
expect "$NAME renders from its folder" 'expect_status 0'
expect "the folder and the revision give the same tree" '[ "$(tree_sum "$T/out")" = "$(tree_sum "$T/out2")" ]'
rm -rf "$T/out2"

sum=$(tree_sum "$T/out")
run "$TENANTC" render -C "$R" --rev HEAD --out "$T/out"
expect "a second render changes nothing" 'expect_status 0 && expect_tree_sum "$T/out" "$sum"'

# as a platform team keeps it: the rendered tree committed beside its inputs
run "$TENANTC" render -C "$R" --rev HEAD
expect "$NAME renders into its own output folder" 'expect_status 0'
(cd "$R" && git add -A && git commit -q -m rendered)
run "$TENANTC" check -C "$R" --rev HEAD
expect "check accepts $NAME with its rendered tree" 'expect_status 0'
[ "$status" -eq 0 ] || sed 's/^/  /' "$T/stderr" | head -n 40

if [ -f "$SRC/tests/examples/$NAME.sh" ]; then
	. "$SRC/tests/examples/$NAME.sh"
fi
finish
