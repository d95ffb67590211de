#!/bin/sh
# Secrets through the real commands on a copy of the example repository:
# render encrypts every input Secret per environment, byte-identically on
# re-render, into an empty folder and without a key (carry-over); a changed
# Secret without a key, a plaintext Secret under tenants/ and a decrypted
# value leaking into a ConfigMap fail with clear messages; and after edit,
# render, check and diff no plaintext value is anywhere on disk. The values
# are built from base64 at run time, so no file of the test holds them.
. "$(dirname "$0")/lib.sh"
cd "$T"
mkdir -p tmp
export TMPDIR="$T/tmp"
# `secret edit` puts its plaintext on memory-backed storage: a folder of ours
EDITBASE="$T/tmp"
if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ]; then
	EDITBASE=$(mktemp -d /dev/shm/tenantc-test-base.XXXXXX)
	trap 'rm -rf "$T" "$EDITBASE"' EXIT
fi
export XDG_RUNTIME_DIR="$EDITBASE"
copy_example repo
KEYS="$SRC/keys"
V1=$(printf 'cmVuZGVyLXNlY3JldC1vbmUtNjYx' | base64 -d)
V2=$(printf 'cmVuZGVyLXNlY3JldC10d28tODEy' | base64 -d)
no_plaintext() { ! grep -rqs -e "$V1" -e "$V2" "$T" "$EDITBASE"; }
cat >editor.sh <<'SH'
#!/bin/sh
sed -i "s/^\( *key:\).*/\1 $NEWVAL/" "$1"
SH
chmod +x editor.sh
F=repo/tenants/acme/secrets/db.yaml
mkdir -p repo/tenants/acme/secrets
# (env, not a prefix assignment: sh may keep those after a function call)
unset SOPS_AGE_KEY SOPS_AGE_KEY_FILE
admin() { env SOPS_AGE_KEY_FILE="$KEYS/admin.agekey" "$@"; }

admin NEWVAL="$V1" EDITOR="$T/editor.sh" "$TENANTC" secret edit --repo repo "$F"
(cd repo && git init -q -b main . && git add -A && git commit -q -m base)

admin "$TENANTC" render --repo repo >/dev/null 2>render.err || true
P=repo/rendered/prod/tenants/acme/secret-db.yaml
if [ -f "$P" ] && grep -q 'namespace: acme-prod' "$P" && [ -f repo/rendered/test/tenants/acme/secret-db.yaml ]; then
	ok "render writes the Secret into each environment of the tenant"
else bad "render: $(cat render.err)"; fi
if SOPS_AGE_KEY_FILE="$KEYS/prod.agekey" "$TENANTC" secret decrypt "$P" 2>/dev/null | grep -q "key: $V1" &&
	! SOPS_AGE_KEY_FILE="$KEYS/test.agekey" "$TENANTC" secret decrypt "$P" >/dev/null 2>&1; then
	ok "the prod file opens with prod's key and not with test's"
else bad "prod rendering and keys"; fi
cp -R repo/rendered first
admin "$TENANTC" render --repo repo >/dev/null 2>&1
if diff -r first repo/rendered >/dev/null; then ok "a re-render is byte-identical"
else bad "re-render differs"; fi
admin "$TENANTC" render --repo repo --out "$T/fresh" >/dev/null 2>&1
if diff -r first fresh >/dev/null; then ok "rendering into an empty folder gives the same bytes"
else bad "render into an empty folder differs: $(diff -r first fresh | head -n 5)"; fi
"$TENANTC" render --repo repo >/dev/null 2>carry.err
if diff -r first repo/rendered >/dev/null; then ok "without an identity unchanged Secrets are carried over"
else bad "carry-over: $(cat carry.err)"; fi
rc=0
"$TENANTC" check --repo repo --worktree >check.out 2>&1 || rc=$?
if [ "$rc" -eq 0 ]; then ok "check without an identity finds the tree in sync"
else bad "check: rc $rc $(head -n 3 check.out)"; fi
(cd repo && git add -A && git commit -q -m rendered)

# a changed value: fine with the key, an error naming the Secret without
admin NEWVAL="$V2" EDITOR="$T/editor.sh" "$TENANTC" secret edit --repo repo "$F"
before=$(tree_sum repo/rendered)
rc=0
"$TENANTC" render --repo repo >/dev/null 2>changed.err || rc=$?
if [ "$rc" -eq 2 ] && grep -q "Secret 'acme-prod/db' from 'tenants/acme/secrets/db.yaml' cannot be rendered without an age identity: it changed" changed.err &&
	[ "$(tree_sum repo/rendered)" = "$before" ]; then
	ok "a changed Secret without an identity fails and changes nothing"
else bad "changed Secret without identity: rc $rc $(head -n 2 changed.err)"; fi
admin "$TENANTC" render --repo repo >/dev/null 2>&1
diff "$P" first/prod/tenants/acme/secret-db.yaml | grep '^<' >changed.txt || true
if [ "$(wc -l <changed.txt)" -eq 4 ] && grep -q '^< *key: ENC' changed.txt &&
	grep -q '^< *mac: ENC' changed.txt && grep -q '^< *lastmodified: ' changed.txt &&
	grep -q '^< *tenantc.io/source-digest: "sha256:' changed.txt; then
	ok "a changed value changes its ENC, lastmodified, the source digest and the mac only"
else bad "changed value changed: $(cat changed.txt)"; fi
admin "$TENANTC" diff --repo repo HEAD >diff.out 2>&1 || true
admin "$TENANTC" check --repo repo --worktree >/dev/null 2>&1 || true
if no_plaintext && [ -z "$(find "$T/tmp" "$EDITBASE" -mindepth 1 | head -n 1)" ]; then
	ok "no plaintext value on disk after edit, render, check and diff"
else bad "a plaintext value was found on disk"; fi

# a plaintext Secret anywhere under tenants/ fails render and check
cp -R repo plain
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: b}\n' \
	>plain/tenants/acme/files/stray.yaml
rc=0
admin "$TENANTC" render --repo plain >/dev/null 2>plain.err || rc=$?
if [ "$rc" -ne 0 ] && grep -q '^tenants/acme/files/stray.yaml:6:1: error: plaintext Secret' plain.err; then
	ok "render refuses a plaintext Secret: $(grep plaintext plain.err | head -n 1)"
else bad "plaintext Secret in files/: rc $rc $(head -n 2 plain.err)"; fi
rc=0
"$TENANTC" check --repo plain --worktree >check.err 2>&1 || rc=$?
if [ "$rc" -ne 0 ] && grep -q 'stray.yaml:6:1: error: plaintext Secret' check.err; then
	ok "check refuses it too"
else bad "check with a plaintext Secret: rc $rc $(head -n 2 check.err)"; fi

# a decrypted value in a ConfigMap fails the render, naming object and key
cp -R repo leak
cat >leak/templates/tenant/leak.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: leaky
  namespace: ${tenant.name}-${env.name}
data:
  conf: "password=${tenant.values.pw}"
YAML
printf '  pw: "%s"\n' "$V2" >>leak/tenants/acme/tenant.yaml
rc=0
admin "$TENANTC" render --repo leak >/dev/null 2>leak.err || rc=$?
if [ "$rc" -ne 0 ] && grep -q "ConfigMap 'acme-prod/leaky' contains the decrypted value of key 'stringData.key' of Secret 'acme-prod/db'" leak.err &&
	! grep -q "$V2" leak.err; then
	ok "a leaked value fails the render: $(grep -m1 leaky leak.err)"
else bad "leak: rc $rc $(head -n 3 leak.err)"; fi
rm -rf leak plain
finish
