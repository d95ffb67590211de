#!/bin/sh
# workflow.sh - the workflow the README describes, on a copy of the
# example as a GitOps repository of its own: README's walkthrough ("The
# workflow, tried on a copy of the example") is run line by line as
# written, each line's exit status compared with its "# exit N" comment
# (0 without one), and what check and diff print is checked: check passes
# on the committed tree, fails once a tenant changes and names each file
# and field, diff explains the change object by object, render fixes it.
# Then the pre-commit hook: its entry from .pre-commit-hooks.yaml passes,
# and with the pre-commit framework (when installed) a commit of a stale
# tree is blocked and the fixed one goes through.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/bin" "$T/tmp"
ln -s "$TENANTC" "$T/bin/tenantc"
export PATH="$T/bin:$PATH" TMPDIR="$T/tmp"
unset SOPS_AGE_KEY_FILE

# the walkthrough as a script: line N's output in $T/wN.out/.err, its exit
# status in $T/wN.status, the status it should have in $T/wN.want
/usr/bin/python3 - "$SRC/README.md" "$T" >"$T/walk.sh" <<'PY'
import re, shlex, sys
readme, t = sys.argv[1], sys.argv[2]
text = open(readme, encoding="utf-8").read()
m = re.search(r"^### The workflow, tried on a copy of the example\n.*?^```sh\n(.*?)^```", text,
              re.S | re.M)
if not m:
    sys.exit("README has no walkthrough block")
for n, line in enumerate(l for l in m.group(1).splitlines() if l.strip()):
    cmd, _, comment = line.partition("  # ")
    want = re.match(r"exit (\d+)", comment.strip())
    w = f"{t}/w{n}"
    print(f"echo {shlex.quote(line)} >{w}.line; echo {want.group(1) if want else 0} >{w}.want")
    print(f"{{ {cmd.strip()} ; }} >{w}.out 2>{w}.err; echo $? >{w}.status")
PY
expect "README has the walkthrough" '[ -s "$T/walk.sh" ]'
cd "$SRC"
set +e # the walkthrough has lines that fail on purpose
. "$T/walk.sh"
set -e
P=$(pwd)
n=0
while [ -f "$T/w$n.line" ]; do
	line=$(cat "$T/w$n.line") st=$(cat "$T/w$n.status") want=$(cat "$T/w$n.want")
	expect "walkthrough: $line" '[ "$st" = "$want" ] ||
		{ why="exit status $st, want $want: $(head -n 3 "$T/w$n.err" | tr "\n" " ")"; false; }'
	n=$((n + 1))
done
expect "the walkthrough ran in a repository of its own" \
	'[ "$P" != "$SRC" ] && [ -f "$P/rendered/tenantc-output.txt" ] && [ -d "$P/.git" ]'

# what each step printed: wK is the K-th line of the block (from 0)
at() { grep -n -F -x -- "$1" "$T"/w*.line | head -n 1 | sed 's|.*/w\([0-9]*\)\.line:.*|\1|'; }
first=$(at "tenantc check         # exit 0: 'rendered' (index) is up to date: 179 files")
stale=$(at "tenantc check         # exit 1: files out of date, each with the field that changed")
diffl=$(at "tenantc diff HEAD     # acme's Namespace: displayName; its realm's new reconcile Job, per env")
expect "check on the committed tree: up to date, the count README quotes" \
	'[ -n "$first" ] && grep -qF "'"'rendered'"' (index) is up to date: 179 files" "$T/w$first.out"'
expect "check after the change names each file and the field" \
	'[ -n "$stale" ] && [ "$(grep -c ": error: .* is out of date: " "$T/w$stale.err")" = 2 ] &&
	 grep -qF "rendered/prod/tenants/acme/namespace-acme-prod.yaml" "$T/w$stale.err" &&
	 grep -q "Namespace acme-prod is out of date: .*tenantc.io/display-name.* changed" "$T/w$stale.err" &&
	 grep -qF "4 missing, 4 stale, 4 changed of 183 files; run '"'tenantc render'"'" "$T/w$stale.err"'
expect "diff explains the change object by object" \
	'[ -n "$diffl" ] && grep -qF "4 added, 4 removed, 2 changed" "$T/w$diffl.out" &&
	 grep -qF "~ Namespace acme-prod" "$T/w$diffl.out" &&
	 grep -qF "+ Job.batch keycloak/acme-prod-realm-" "$T/w$diffl.out" &&
	 grep -q "tenantc.io/display-name.*ACME GmbH.* -> .*ACME AG" "$T/w$diffl.out"'
run git -C "$P" status --porcelain
expect "everything is committed at the end" 'expect_status 0 && expect_stdout_empty'

# the pre-commit hook's own command, as .pre-commit-hooks.yaml gives it
entry=$(sed -n 's/^  entry: //p' "$SRC/.pre-commit-hooks.yaml")
expect "the hook's entry is tenantc check" '[ "$entry" = "tenantc check" ]'
run sh -c 'cd "$1" && $2' sh "$P" "$entry"
expect "the hook's command passes on the fixed tree" \
	'expect_status 0 && expect_stdout "is up to date"'

# and through the pre-commit framework, from this project's hook file
if command -v pre-commit >/dev/null 2>&1; then
	export PRE_COMMIT_HOME="$T/pre-commit-home"
	H="$T/hooks"
	mkdir -p "$H"
	cp "$SRC/.pre-commit-hooks.yaml" "$H/"
	(cd "$H" && git init -q -b main . && git add -A && git commit -q -m hooks)
	cat >"$P/.pre-commit-config.yaml" <<YAML
repos:
  - repo: $H
    rev: $(git -C "$H" rev-parse HEAD)
    hooks:
      - id: tenantc-check
YAML
	cd "$P"
	git add .pre-commit-config.yaml
	run pre-commit install
	expect "pre-commit install" 'expect_status 0'
	sed -i 's/^displayName: .*/displayName: ACME SE/' tenants/acme/tenant.yaml
	git add tenants
	run git commit -q -m "acme: a stale tree"
	expect "the hook blocks a commit whose rendered tree is stale" \
		'expect_failure && grep -q "is out of date" "$T/stdout" "$T/stderr"'
	tenantc render >/dev/null && git add rendered
	run git commit -q -m "acme: rendered"
	expect "the hook lets the rendered commit through" \
		'expect_status 0 && [ -z "$(git status --porcelain)" ]'
else
	echo "SKIP: pre-commit is not installed (the framework part of the workflow)"
fi
finish
