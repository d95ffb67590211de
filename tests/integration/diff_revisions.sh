#!/bin/sh
# tenantc diff BASE [HEAD] on two revisions of a repository: objects added,
# removed and changed with their fields, as text (colours only on a
# terminal without NO_COLOR, or when asked), markdown that GitHub's own
# renderer turns into tables, and JSON; --exit-code; filters; bad input
# exits 2.
. "$(dirname "$0")/lib.sh"

R="$T/repo"
copy_example "$R"
# a template of our own, so that the fields changed below do not depend on
# the example
cat >"$R/templates/tenant/zz-difftest.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: difftest
  namespace: ${tenant.name}-${env.name}
data:
  color: red
  config: |
    line one
    line two
    line three
EOF
git_commit_all "$R"
(cd "$R" && git tag v1)
# v2: a changed and an added field, an added and a removed tenant
sed -i -e 's/^  color: red$/  color: blue/' -e 's/^    line two$/    line 2/' \
	-e 's/^  name: difftest$/  name: difftest\n  labels:\n    tier: gold/' \
	"$R/templates/tenant/zz-difftest.yaml"
mkdir -p "$R/tenants/newco"
sed 's/^name: acme$/name: newco/' "$R/tenants/acme/tenant.yaml" >"$R/tenants/newco/tenant.yaml"
# its realm has a confidential client: it needs acme's client secrets too
mkdir -p "$R/tenants/newco/secrets" && cp "$R/tenants/acme/secrets/realm-clients.yaml" "$R/tenants/newco/secrets/"
(cd "$R" && git rm -q -r tenants/initech && git add -A && git commit -q -m v2 && git tag v2)

# diff_in ARGS...: run tenantc diff in $R
diff_in() { run env -C "$R" "$TENANTC" diff "$@"; }

# text
diff_in v1 v2
expect "text names each object and field" 'expect_status 0 && expect_stdout_has "$@"' \
	"tenantc diff v1..v2: " \
	"prod: " \
	"  ~ ConfigMap acme-prod/difftest" \
	'      .data.color: "red" -> "blue"' \
	'      .metadata.labels: added {"tier":"gold"}' \
	"  + ConfigMap newco-prod/difftest" \
	"  + Namespace newco-prod" \
	"  - ConfigMap initech-test/difftest" \
	"  - Namespace initech-test"
grep -q '^      .data.config: changed$' "$T/stdout" && grep -q '^        -line two$' "$T/stdout" &&
	grep -q '^        +line 2$' "$T/stdout" && ok "a multi-line string shows as a line diff" ||
	bad "line diff: $(grep -A4 'data.config' "$T/stdout")"
printf '\033' >"$T/esc"
grep -qF "$(cat "$T/esc")" "$T/stdout" && bad "colours in a pipe" || ok "no colours in a pipe"
diff_in v1 v2 --color always
expect "--color always colours" 'expect_status 0 && grep -qF "$(cat "$T/esc")[" "$T/stdout"'
diff_in v1 v2 --color=never
expect "--color=never does not" 'expect_status 0 && ! grep -qF "$(cat "$T/esc")" "$T/stdout"'
# a terminal: colours unless NO_COLOR is set (script gives the command a pty)
if script -qec "true" /dev/null >/dev/null 2>&1; then
	(cd "$R" && script -qec "'$TENANTC' diff v1 v2" /dev/null) >"$T/tty" 2>&1 || true
	grep -qF "$(cat "$T/esc")[" "$T/tty" && ok "colours on a terminal" || bad "no colours on a terminal"
	(cd "$R" && NO_COLOR=1 script -qec "'$TENANTC' diff v1 v2" /dev/null) >"$T/tty" 2>&1 || true
	grep -qF "$(cat "$T/esc")[" "$T/tty" && bad "colours with NO_COLOR" || ok "NO_COLOR turns colours off"
	grep -qF "ConfigMap acme-prod/difftest" "$T/tty" || bad "the terminal run printed no diff"
else
	echo "skip: no script(1) to give diff a terminal"
fi

# JSON, read by a JSON parser
diff_in v1 v2 --format json
expect "json has the summary, the objects and their fields" \
	'expect_status 0 && /usr/bin/python3 - "$T/stdout"' <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["base"] == "v1" and d["head"] == "v2", d
objs = {(o["environment"], o["group"], o["kind"], o["namespace"], o["name"]): o for o in d["objects"]}
cm = objs[("prod", "", "ConfigMap", "acme-prod", "difftest")]
assert cm["change"] == "changed", cm
f = {x["path"]: x for x in cm["fields"]}
assert f[".data.color"]["old"] == "red" and f[".data.color"]["new"] == "blue", f
assert f[".metadata.labels"]["change"] == "added" and f[".metadata.labels"]["new"] == {"tier": "gold"}, f
assert objs[("prod", "", "Namespace", "", "newco-prod")]["change"] == "added"
assert objs[("test", "", "Namespace", "", "initech-test")]["change"] == "removed"
envs = {e["name"]: e for e in d["environments"]}
assert set(envs) == {"prod", "test"}, envs
for e in envs.values():
    assert e["added"] > 0 and e["changed"] > 0 and e["unchanged"] > 0, e
assert envs["test"]["removed"] > 0, envs
assert d["summary"]["added"] == sum(e["added"] for e in envs.values()), d["summary"]
EOF

# markdown, through GitHub's own renderer (cmark-gfm, Debian package)
if ! command -v cmark-gfm >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	apt-get install -y -q cmark-gfm >/dev/null 2>&1 || true
fi
diff_in v1 v2 --format markdown
expect_status 0 || bad "markdown: $why"
if command -v cmark-gfm >/dev/null 2>&1; then
	# --unsafe keeps the raw HTML (<details>, <code>) that GitHub keeps too
	cmark-gfm --unsafe -e table "$T/stdout" >"$T/html"
	n=$(grep -c '<table>' "$T/html")
	[ "$n" -ge 3 ] && ok "markdown renders as tables ($n)" || bad "markdown renders $n tables"
	grep -q '<td>prod</td>' "$T/html" && grep -q '<td>ConfigMap</td>' "$T/html" &&
		grep -q '<td>acme-prod</td>' "$T/html" && grep -q '<td>difftest</td>' "$T/html" &&
		ok "the object table has environment, kind, namespace and name cells" ||
		bad "object table cells: $(grep -m3 '<td>' "$T/html")"
	grep -q '<details><summary>prod: ConfigMap acme-prod/difftest' "$T/html" &&
		grep -q '<td><code>.data.color</code></td>' "$T/html" &&
		ok "changed objects have a details block with their fields" || bad "no details block"
	grep -q -- '| ---' "$T/html" && bad "a table was not parsed: $(grep -m1 -- '| ---' "$T/html")" ||
		ok "no table is left unparsed"
else
	echo "skip: cmark-gfm is not installed; the markdown was not rendered"
fi

# --exit-code, HEAD defaulting to the work tree, filters
diff_in v1 v2 --exit-code
expect "--exit-code exits 1 on a difference" 'expect_status 1'
diff_in v2 v2 --exit-code
expect "--exit-code exits 0 without one" 'expect_status 0 && expect_stdout_has "no changes"'
diff_in v2
expect "without HEAD the work tree is compared" \
	'expect_status 0 && expect_stdout_has "no changes" "tenantc diff v2..work tree:"'
sed -i 's/^  color: blue$/  color: green/' "$R/templates/tenant/zz-difftest.yaml"
diff_in v2
expect "an uncommitted change shows" 'expect_status 0 && expect_stdout_has "$1"' '.data.color: "blue" -> "green"'
(cd "$R" && git checkout -q -- templates)
diff_in v1 v2 --env test
expect "--env keeps one environment" 'expect_status 0 && ! grep -q "^prod:" "$T/stdout" && expect_stdout_has "test: "'
diff_in v1 v2 --tenant acme --format json
expect "--tenant keeps one tenant" 'expect_status 0 && /usr/bin/python3 -c "$1" "$T/stdout"' \
	'import json,sys; d=json.load(open(sys.argv[1])); assert d["objects"] and all(o["namespace"].startswith("acme-") or o["name"].startswith("acme-") for o in d["objects"]), d["objects"]'
diff_in v1 v2 --tenant initech
expect "a tenant present on one side shows as removed" 'expect_status 0 && expect_stdout_has "  - Namespace initech-test"'

# Secrets: a changed and an added key show by path, never by value, with
# the rendering identity and without it (each side then carries its
# Secrets over from its own committed tree)
S="$T/secrets"
copy_example "$S"
mkdir -p "$S/tenants/acme/secrets"
printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: old-pw-31337\n' >"$T/db.yaml"
SOPS_AGE_KEY_FILE="$SRC/keys/admin.agekey" "$TENANTC" secret encrypt --repo "$S" -o "$S/tenants/acme/secrets/db.yaml" "$T/db.yaml"
SOPS_AGE_KEY_FILE="$SRC/keys/admin.agekey" "$TENANTC" render --repo "$S" >/dev/null
git_commit_all "$S"
printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: new-pw-42424\n  user: new-user-777\n' >"$T/db.yaml"
SOPS_AGE_KEY_FILE="$SRC/keys/admin.agekey" "$TENANTC" secret encrypt --repo "$S" -o "$S/tenants/acme/secrets/db.yaml" "$T/db.yaml"
rm -f "$T/db.yaml"
SOPS_AGE_KEY_FILE="$SRC/keys/admin.agekey" "$TENANTC" render --repo "$S" >/dev/null
(cd "$S" && git add -A && git commit -q -m rotate)
for key in with without; do
	for fmt in text markdown json; do
		if [ "$key" = with ]; then
			run env -C "$S" SOPS_AGE_KEY_FILE="$SRC/keys/admin.agekey" "$TENANTC" diff HEAD~1 HEAD --format $fmt
		else
			run env -C "$S" "$TENANTC" diff HEAD~1 HEAD --format $fmt
		fi
		expect "a changed Secret shows its keys and no value ($fmt, $key the identity)" \
			'expect_status 0 && expect_not_printed "old-pw-31337\|new-pw-42424\|new-user-777" &&
			expect_stdout stringData.password && expect_stdout stringData.user'
	done
done
(cd "$S" && "$TENANTC" diff HEAD~1 HEAD) >"$T/stdout"
grep -q '^      .stringData.password: changed (redacted)$' "$T/stdout" &&
	grep -q '^      .stringData.user: added (redacted)$' "$T/stdout" &&
	ok "text: 'changed (redacted)' and 'added (redacted)'" || bad "redaction text: $(grep stringData "$T/stdout")"

# bad input
bad_input() { # NAME ERE ARGS...: diff in $R exits 2, a line of stderr matching ERE
	name=$1 re=$2
	shift 2
	diff_in "$@"
	expect "$name exits 2" 'expect_status 2 && expect_stderr "$re"'
}
bad_input "no revision" "give the revision to compare with"
bad_input "three revisions" "too many arguments" v1 v2 v1
bad_input "an unknown revision" "unknown revision 'nope'" nope v2
bad_input "an unknown format" "^--format: error: 'yaml' is not text, markdown or json$" v1 v2 --format yaml
bad_input "an unknown colour mode" "^--color: error: 'sometimes' is not auto, always or never$" v1 v2 --color sometimes
bad_input "an environment no side has" "no side has the environment asked for" v1 v2 --env staging
bad_input "a tenant no side has" "no side has the tenant asked for" v1 v2 --tenant nobody
printf 'name: acme\nrealm: [unclosed\n' >"$R/tenants/acme/tenant.yaml"
(cd "$R" && git commit -q -a -m broken && git tag v3)
bad_input "a revision that does not render" "^tenantc diff: head 'v3' does not render:$" v1 v3
expect "... with the error that stops it" 'expect_stderr "^tenants/acme/tenant.yaml:[0-9]*:[0-9]*: error: "'
run env -C "$R" SOPS_AGE_KEY_FILE="$T/no-such.agekey" "$TENANTC" diff v1 v2
expect "an identity file that cannot be read exits 2" \
	'expect_status 2 && expect_stderr "cannot read age identities" && expect_stdout_empty'
run "$TENANTC" diff --repo "$T/nowhere" v1
expect "a missing repository folder exits 2" 'expect_status 2'
mkdir -p "$T/plain"
copy_example "$T/plain"
run "$TENANTC" diff --repo "$T/plain" HEAD
expect "a revision outside git exits 2" 'expect_status 2'
finish
