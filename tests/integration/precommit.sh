#!/bin/sh
# The pre-commit framework (Debian's pre-commit) with this repository's
# .pre-commit-hooks.yaml, in a GitOps repository of its own: commits are
# blocked on drift, on an invalid tenant and on a plaintext Secret, and
# pass when the rendered tree is in sync. The hook runs the tenantc under
# test through PATH, as it runs an installed tenantc.
. "$(dirname "$0")/lib.sh"

if ! command -v pre-commit >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		apt-get install -y -q pre-commit >"$T/apt.log" 2>&1 ||
			{ apt-get update -q >>"$T/apt.log" 2>&1 && apt-get install -y -q pre-commit >>"$T/apt.log" 2>&1; } || true
	fi
	if ! command -v pre-commit >/dev/null 2>&1; then
		echo "SKIP: pre-commit is not installed and cannot be installed here"
		exit 77
	fi
fi
echo "# $(pre-commit --version)"

mkdir -p "$T/bin"
ln -s "$TENANTC" "$T/bin/tenantc"
export PATH="$T/bin:$PATH" PRE_COMMIT_HOME="$T/pre-commit-home"

# the hook repository: this project's .pre-commit-hooks.yaml, as a user's
# `repo:` would find it at a tag
H="$T/hooks"
mkdir -p "$H"
cp "$SRC/.pre-commit-hooks.yaml" "$H/"
(cd "$H" && git init -q -b main . && git add -A && git commit -q -m hooks)
rev=$(cd "$H" && git rev-parse HEAD)

G="$T/gitops"
copy_example "$G"
"$TENANTC" render --repo "$G" >/dev/null
cat >"$G/.pre-commit-config.yaml" <<EOF
repos:
  - repo: $H
    rev: $rev
    hooks:
      - id: tenantc-check
        args: [--no-verify]   # the example's isolation findings: verify.sh
EOF
(cd "$G" && git init -q -b main . && pre-commit install >"$T/install.log" 2>&1) ||
	{ bad "pre-commit install: $(cat "$T/install.log")"; finish; }

# commit NAME WANT(pass|block) REGEX [git commit args]: commit what is staged
commit() {
	name=$1 want=$2 re=$3
	shift 3
	before=$(cd "$G" && git rev-parse -q --verify HEAD || echo none)
	# the hook's output and git's, in order, in $T/stdout
	run sh -c 'cd "$1" && shift && exec git commit "$@" 2>&1' sh "$G" -q -m "$name" "$@"
	after=$(cd "$G" && git rev-parse -q --verify HEAD || echo none)
	expect "$name: $want" '{ went=no; [ "$status" -eq 0 ] && [ "$before" != "$after" ] && went=yes
		case $want+$went in
		pass+no) why="the commit was blocked (exit status $status): $(sed -n 1,15p "$T/stdout")"; false ;;
		block+yes) why="the commit went through: $(sed -n 1,15p "$T/stdout")"; false ;;
		esac; } &&
		expect_stdout "^tenant[c ]* check\.*(Passed|Failed)" &&
		{ [ -z "$re" ] || expect_stdout "$re"; }'
}

(cd "$G" && git add -A)
commit "an initial commit in sync passes" pass "Passed"

# drift: a tenant added without rendering
mkdir -p "$G/tenants/newco"
sed 's/^name: acme$/name: newco/' "$G/tenants/acme/tenant.yaml" >"$G/tenants/newco/tenant.yaml"
# its realm has a confidential client: it needs acme's client secrets too
mkdir -p "$G/tenants/newco/secrets" && cp "$G/tenants/acme/secrets/realm-clients.yaml" "$G/tenants/newco/secrets/"
(cd "$G" && git add tenants)
commit "a tenant added without a render is blocked" block \
	"^rendered/prod/tenants/newco/namespace-newco-prod\.yaml:1:1: error: missing: render makes Namespace newco-prod here"
grep -q "run 'tenantc render' and commit the result" "$T/stdout" && ok "the hook says how to fix it" ||
	bad "no fix in the hook output"
tenantc render --repo "$G" >/dev/null
commit "rendered but the tree not staged: still blocked" block "missing: render makes Namespace newco-prod"
(cd "$G" && git add rendered)
commit "rendered and staged: passes" pass ""

# drift by hand in the rendered tree
echo "extra: by-hand" >>"$G/rendered/prod/tenants/acme/namespace-acme-prod.yaml"
(cd "$G" && git add rendered)
commit "a rendered file edited by hand is blocked" block \
	"^rendered/prod/tenants/acme/namespace-acme-prod\.yaml:[0-9]+:8: error: Namespace acme-prod is out of date: '\.extra' removed"
(cd "$G" && git checkout -q HEAD -- rendered)

# an unstaged change is not what is committed: pre-commit stashes it and
# tenantc check reads the index
echo "extra: by-hand" >>"$G/rendered/prod/tenants/acme/namespace-acme-prod.yaml"
echo "notes" >"$G/NOTES.md"
(cd "$G" && git add NOTES.md)
commit "an unstaged edit does not block a commit of something else" pass ""
grep -q "^extra: by-hand$" "$G/rendered/prod/tenants/acme/namespace-acme-prod.yaml" &&
	ok "the unstaged edit is still there afterwards" || bad "the unstaged edit was lost"
# ... but `git commit -a` takes it in, and is blocked
commit "git commit -a with the edit is blocked" block "Namespace acme-prod is out of date" -a
(cd "$G" && git checkout -q HEAD -- rendered)

# an invalid tenant
cp "$G/tenants/acme/tenant.yaml" "$T/acme.yaml"
printf 'name: acme\nrealm: [unclosed\n' >"$G/tenants/acme/tenant.yaml"
(cd "$G" && git add tenants)
commit "an invalid tenant is blocked" block "^tenants/acme/tenant\.yaml:[0-9]+:[0-9]+: error: "
cp "$T/acme.yaml" "$G/tenants/acme/tenant.yaml"
sed -i 's/^name: acme$/name: Acme/' "$G/tenants/acme/tenant.yaml"
(cd "$G" && git add tenants)
commit "a tenant whose name does not match its folder is blocked" block \
	"^tenants/acme/tenant\.yaml:1:7: error: "
cp "$T/acme.yaml" "$G/tenants/acme/tenant.yaml"
(cd "$G" && git add tenants)

# a plaintext Secret
mkdir -p "$G/tenants/acme/secrets"
cat >"$G/tenants/acme/secrets/db.yaml" <<'EOF'
apiVersion: v1
kind: Secret
metadata:
  name: db
stringData:
  password: plaintext-hunter2
EOF
(cd "$G" && git add tenants)
commit "a plaintext Secret is blocked" block "^tenants/acme/secrets/db\.yaml:2:1: error: plaintext Secret"
grep -q "plaintext-hunter2" "$T/stdout" && bad "the hook printed the secret value" || ok "the secret value is not printed"
(cd "$G" && git rm -q --cached tenants/acme/secrets/db.yaml && rm -f tenants/acme/secrets/db.yaml)

# in sync again: passes, and `pre-commit run --all-files` agrees
commit "back in sync: passes" pass "" --allow-empty
run env -C "$G" pre-commit run --all-files
expect "pre-commit run --all-files passes" 'expect_status 0 || { why=$(head -n 5 "$T/stdout"); false; }'
finish
