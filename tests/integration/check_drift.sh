#!/bin/sh
# tenantc check: in sync from the index, the work tree and a revision; each
# kind of drift named per file and object; invalid inputs and plaintext
# Secrets exit 1; a check that cannot run exits 2.
. "$(dirname "$0")/lib.sh"

R="$T/repo"
copy_example "$R"
"$TENANTC" render --repo "$R" >/dev/null
git_commit_all "$R"
NS=prod/tenants/acme/namespace-acme-prod.yaml
[ -f "$R/rendered/$NS" ] || { bad "the example has no $NS"; finish; }

# drift NAME STATUS STDERR-ERE [check args...]: check in $R exits STATUS,
# a line of stderr matching STDERR-ERE (when not empty)
drift() {
	name=$1 want=$2 re=$3
	shift 3
	run env -C "$R" "$TENANTC" check "$@"
	expect "$name" 'expect_status "$want" && { [ -z "$re" ] || expect_stderr "$re"; }'
}
reset_repo() { (cd "$R" && git checkout -q -f HEAD && git clean -q -fdx); }

drift "a fresh render is in sync (index)" 0 ''
grep -q "^tenantc check: 'rendered' (index) is up to date: [0-9]* files" "$T/stdout" &&
	ok "success says what was checked" || bad "success line: $(cat "$T/stdout")"
[ ! -s "$T/stderr" ] && ok "nothing on stderr when in sync" || bad "stderr: $(head -n 3 "$T/stderr")"
drift "a fresh render is in sync (work tree)" 0 '' --worktree
drift "a fresh render is in sync (revision)" 0 '' --rev HEAD
drift "--repo reaches the repository from elsewhere" 0 '' --repo "$R" --rev main

# a field added by hand to a rendered file, staged
lines=$(wc -l <"$R/rendered/$NS")
echo "extra: by-hand" >>"$R/rendered/$NS"
drift "an unstaged edit does not count for the index" 0 ''
drift "the same edit counts for the work tree" 1 \
	"^rendered/$NS:$((lines + 1)):8: error: Namespace acme-prod is out of date: '\.extra' removed$" --worktree
(cd "$R" && git add rendered)
drift "a staged edit of a rendered file is drift" 1 \
	"^rendered/$NS:$((lines + 1)):8: error: Namespace acme-prod is out of date: '\.extra' removed$"
grep -q "^tenantc check: 'rendered' (index) is out of date: 0 missing, 0 stale, 1 changed of [0-9]* files; run 'tenantc render'" "$T/stderr" &&
	ok "drift ends with a summary and the fix" || bad "summary: $(tail -n 1 "$T/stderr")"
# the rendered bytes wait in a temporary file; without a usable TMPDIR in
# memory, with the same findings
cp "$T/stderr" "$T/err.spool"
run env -C "$R" TMPDIR="$T/no-such-dir" "$TENANTC" check
expect "without a usable TMPDIR check reports the same drift" \
	'expect_status 1 && cmp -s "$T/stderr" "$T/err.spool"'
drift "the committed revision is still in sync" 0 '' --rev HEAD
reset_repo

# the same values written differently
{ echo "# edited"; cat "$R/rendered/$NS"; } >"$T/ns" && mv "$T/ns" "$R/rendered/$NS"
(cd "$R" && git add rendered)
drift "a reformatted file is drift" 1 \
	"^rendered/$NS:1:1: error: Namespace acme-prod is out of date: the same object, but not the bytes render writes$"
reset_repo

# another object in the file
sed -i 's/^  name: acme-prod$/  name: acme-other/' "$R/rendered/$NS"
(cd "$R" && git add rendered)
drift "a file holding another object is drift" 1 \
	"^rendered/$NS:1:1: error: out of date: the file holds Namespace acme-other where render makes Namespace acme-prod$"
reset_repo

# not YAML at all
printf 'a: [\n' >"$R/rendered/$NS"
(cd "$R" && git add rendered)
drift "a broken file is drift" 1 "^rendered/$NS:1:1: error: out of date: this is not the file render writes$"
reset_repo

# missing, stale and kustomization files
(cd "$R" && git rm -q "rendered/$NS")
drift "a missing file names the object render makes" 1 \
	"^rendered/$NS:1:1: error: missing: render makes Namespace acme-prod here$"
reset_repo
cat >"$R/rendered/prod/tenants/acme/configmap-old.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: old
  namespace: acme-prod
data:
  a: b
EOF
(cd "$R" && git add rendered)
drift "a stale file names the object" 1 \
	"^rendered/prod/tenants/acme/configmap-old\.yaml:1:1: error: stale: render no longer makes ConfigMap acme-prod/old$"
reset_repo
echo "# by hand" >>"$R/rendered/prod/gitops/kustomization.yaml"
(cd "$R" && git add rendered)
drift "a changed kustomization.yaml is drift" 1 \
	"^rendered/prod/gitops/kustomization\.yaml:1:1: error: out of date: this is not the file render writes$"
reset_repo
# a tree of tenantc 0.1, whose index at the environment joined two clusters
printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- cluster\n' \
	>"$R/rendered/prod/kustomization.yaml"
(cd "$R" && git add rendered)
drift "an index at the environment (tenantc 0.1) is drift" 1 \
	"^rendered/prod/kustomization\.yaml:1:1: error: stale: "
(cd "$R" && "$TENANTC" render >/dev/null)
expect "render removes the index at the environment" 'expect_file_absent "$R/rendered/prod/kustomization.yaml"'
reset_repo

# inputs changed without a new render: a new tenant
mkdir -p "$R/tenants/newco"
sed 's/^name: acme$/name: newco/' "$R/tenants/acme/tenant.yaml" >"$R/tenants/newco/tenant.yaml"
# its realm has a confidential client: it needs acme's client secrets too
mkdir -p "$R/tenants/newco/secrets" && cp "$R/tenants/acme/secrets/realm-clients.yaml" "$R/tenants/newco/secrets/"
(cd "$R" && git add tenants)
drift "a tenant added without a render is drift" 1 \
	"^rendered/prod/tenants/newco/namespace-newco-prod\.yaml:1:1: error: missing: render makes Namespace newco-prod here$"
"$TENANTC" render --repo "$R" >/dev/null
drift "rendered but not staged: the index is still stale" 1 "missing: render makes Namespace newco-prod here"
(cd "$R" && git add rendered)
drift "rendered and staged: in sync" 0 ''
reset_repo

# a tenant removed without a render: its files are stale
(cd "$R" && git rm -q -r tenants/globex)
drift "a tenant removed without a render is drift" 1 \
	"^rendered/prod/tenants/globex/namespace-globex-prod\.yaml:1:1: error: stale: render no longer makes Namespace globex-prod$"
reset_repo

# invalid inputs exit 1, and nothing is compared
printf 'name: acme\nrealm: [unclosed\n' >"$R/tenants/acme/tenant.yaml"
(cd "$R" && git add tenants)
drift "a malformed tenant is a finding" 1 "^tenants/acme/tenant\.yaml:[0-9]+:[0-9]+: error: "
grep -q "^tenantc check: the inputs (index) have errors; nothing was compared$" "$T/stderr" &&
	ok "invalid inputs say nothing was compared" || bad "no 'nothing was compared': $(tail -n 1 "$T/stderr")"
reset_repo
sed -i 's/^name: acme$/name: acme2/' "$R/tenants/acme/tenant.yaml"
(cd "$R" && git add tenants)
drift "a tenant whose name does not match its folder is a finding" 1 \
	"^tenants/acme/tenant\.yaml:1:7: error: name 'acme2' does not match"
reset_repo

# an invalid output object is a finding too, at the template line
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n  namespace: ${tenant.name}-${env.name}\ndata: {a: b}\n' \
	>"$R/templates/tenant/zz-bad.yaml"
(cd "$R" && git add templates)
drift "an invalid output object is a finding" 1 "^templates/tenant/zz-bad\.yaml:4:9: error: .*Bad_Name"
reset_repo

# plaintext Secrets: among the inputs, in the rendered tree
mkdir -p "$R/tenants/acme/secrets"
cat >"$R/tenants/acme/secrets/db.yaml" <<'EOF'
apiVersion: v1
kind: Secret
metadata:
  name: db
stringData:
  password: hunter2-plaintext
EOF
(cd "$R" && git add tenants)
drift "a plaintext Secret among the inputs is a finding" 1 \
	"^tenants/acme/secrets/db\.yaml:2:1: error: plaintext Secret"
grep -q hunter2 "$T/stderr" "$T/stdout" && bad "the secret value was printed" || ok "the secret value is not printed"
reset_repo
cat >"$R/rendered/prod/tenants/acme/secret-db.yaml" <<'EOF'
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: acme-prod
stringData:
  password: hunter2-plaintext
EOF
(cd "$R" && git add rendered)
drift "a plaintext Secret in the rendered tree is a finding" 1 \
	"^rendered/prod/tenants/acme/secret-db\.yaml:2:1: error: plaintext Secret"
grep -q "secret-db.yaml:1:1: error: stale: " "$T/stderr" && ok "... and drift" || bad "the plaintext Secret is not reported as stale"
grep -q hunter2 "$T/stderr" "$T/stdout" && bad "the secret value was printed" || ok "the secret value is not printed"
reset_repo

# SOPS Secrets: carried over from the checked source without an identity,
# rendered again with one; a changed input Secret is drift
S="$T/secrets"
copy_example "$S"
mkdir -p "$S/tenants/acme/secrets"
printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: pw-one-5150\n' >"$T/db.yaml"
"$TENANTC" secret encrypt --repo "$S" -o "$S/tenants/acme/secrets/db.yaml" "$T/db.yaml"
SOPS_AGE_KEY_FILE="$SRC/keys/admin.agekey" "$TENANTC" render --repo "$S" >/dev/null
git_commit_all "$S"
[ -f "$S/rendered/prod/tenants/acme/secret-db.yaml" ] || bad "no rendered Secret in the fixture"
scheck() { # NAME STATUS STDERR-ERE with|without [check args...]: check in $S, with the identity or without
	name=$1 want=$2 re=$3 key=$4
	shift 4
	if [ "$key" = with ]; then
		run env -C "$S" SOPS_AGE_KEY_FILE="$SRC/keys/admin.agekey" "$TENANTC" check "$@"
	else
		run env -C "$S" -u SOPS_AGE_KEY_FILE "$TENANTC" check "$@"
	fi
	expect "$name" 'expect_status "$want" && { [ -z "$re" ] || expect_stderr "$re"; } &&
		expect_not_printed "pw-one-5150\|pw-two-8086"'
}
scheck "Secrets in sync, with the identity" 0 '' with
scheck "Secrets in sync, without it (carried over)" 0 '' without
rm -rf "$S/rendered"
scheck "without an identity, Secrets come from the index's tree, not the work tree's" 0 '' without
scheck "... while the work tree, without rendered/, cannot carry them over" 1 \
	"cannot be rendered without an age identity: there is no earlier output" without --worktree
scheck "... and with the identity it is drift" 1 "missing: render makes Secret acme-prod/db here" with --worktree
(cd "$S" && git checkout -q -- rendered)
# carry-over tells a changed input by its lastmodified, which counts seconds
sleep 1
printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: pw-two-8086\n' >"$T/db.yaml"
"$TENANTC" secret encrypt --repo "$S" -o "$S/tenants/acme/secrets/db.yaml" "$T/db.yaml"
rm -f "$T/db.yaml"
(cd "$S" && git add tenants)
scheck "a changed input Secret without a render is drift (with the identity)" 1 \
	"^rendered/prod/tenants/acme/secret-db\.yaml:[0-9]+:[0-9]+: error: Secret acme-prod/db is out of date: .*'\.stringData\.password' changed" with
scheck "... and an error without the identity" 1 "cannot be rendered without an age identity" without

# a symbolic link in the rendered tree (work tree)
ln -s gitops/kustomization.yaml "$R/rendered/prod/link.yaml"
drift "a symbolic link in the rendered tree is a finding" 1 \
	"^rendered/prod/link\.yaml:1:1: error: 'rendered/prod/link\.yaml' is not a regular file" --worktree
reset_repo

# another output folder, from tenantc.yaml
sed -i 's/^output: rendered$/output: deploy/' "$R/tenantc.yaml"
grep -q '^output: deploy$' "$R/tenantc.yaml" || echo "output: deploy" >>"$R/tenantc.yaml"
(cd "$R" && git rm -q -r rendered && "$TENANTC" render >/dev/null && git add -A)
drift "the output folder of tenantc.yaml is the one checked" 0 ''
grep -q "'deploy' (index) is up to date" "$T/stdout" && ok "... and named" || bad "output folder: $(cat "$T/stdout")"
reset_repo

# a repository in a subfolder of a git work tree
mkdir -p "$T/mono"
cp -R "$R" "$T/mono/platform" && rm -rf "$T/mono/platform/.git"
(cd "$T/mono" && git init -q -b main . && git add -A && git commit -q -m mono)
run "$TENANTC" check --repo "$T/mono/platform"
expect "a repository in a subfolder of git checks from the index" 'expect_status 0'

# checks that cannot run: exit 2
mkdir -p "$T/plain"
copy_example "$T/plain"
"$TENANTC" render --repo "$T/plain" >/dev/null
run "$TENANTC" check --repo "$T/plain"
expect "the default (index) outside git exits 2 with a hint" 'expect_status 2 && expect_stderr "--worktree"'
run "$TENANTC" check --repo "$T/plain" --worktree
expect "--worktree checks a folder outside git" 'expect_status 0'
drift "an unknown revision exits 2" 2 "unknown revision 'nope'" --rev nope
drift "two sources exit 2" 2 "choose one of --rev, --index and --worktree" --rev HEAD --index
drift "an argument exits 2" 2 "unexpected argument 'extra'" extra
drift "an unknown option exits 2" 2 "" --bogus
run env -C "$R" SOPS_AGE_KEY_FILE="$T/no-such.agekey" "$TENANTC" check
expect "an identity file that cannot be read exits 2" 'expect_status 2 && expect_stderr "cannot read age identities"'
drift "a schema location that is not a folder exits 2" 2 "schema location '.*nowhere' is not a folder" \
	--schema-location "$T/nowhere"
run "$TENANTC" check --repo "$T/does-not-exist" --worktree
expect "a missing repository folder exits 2" 'expect_status 2 && expect_stderr "no repository folder"'
finish
