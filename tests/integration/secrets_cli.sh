#!/bin/sh
# `tenantc secret` end to end: edit (new and existing files, unchanged,
# failing editor), updatekeys, decrypt errors, and that no plaintext value
# is left anywhere on disk. The secret values are built at run time from
# base64 so that not even this script's files contain them.
. "$(dirname "$0")/lib.sh"
cd "$T"
mkdir -p tmp repo/environments repo/tenants/acme/secrets
export TMPDIR="$T/tmp"
# `secret edit` puts its plaintext on memory-backed storage: a folder of ours
EDITBASE="$T/tmp"
if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ]; then
	EDITBASE=$(mktemp -d /dev/shm/tenantc-test-base.XXXXXX)
	trap 'rm -rf "$T" "$EDITBASE"' EXIT
fi
export XDG_RUNTIME_DIR="$EDITBASE"
for k in admin prod test; do "$TENANTC" secret keygen -o $k.key 2>/dev/null; done
ADMIN=$("$TENANTC" secret keygen -y admin.key)
printf 'sops:\n  age: [%s]\n' "$ADMIN" >repo/tenantc.yaml
printf 'name: prod\nsops:\n  age: [%s]\n' "$("$TENANTC" secret keygen -y prod.key)" >repo/environments/prod.yaml
printf 'name: test\nsops:\n  age: [%s]\n' "$("$TENANTC" secret keygen -y test.key)" >repo/environments/test.yaml
printf 'name: acme\nenvironments: [prod]\n' >repo/tenants/acme/tenant.yaml
F=repo/tenants/acme/secrets/db.yaml
V1=$(printf 'ZWRpdC12YWx1ZS1vbmUtOTE3Mw==' | base64 -d)    # the first value
V2=$(printf 'ZWRpdC12YWx1ZS10d28tNDQyOA==' | base64 -d)    # the second value
export SOPS_AGE_KEY_FILE="$T/admin.key"

# an editor that sets stringData.key to the value in $NEWVAL (from the environment)
cat >editor.sh <<'SH'
#!/bin/sh
sed -i "s/^\( *key:\).*/\1 $NEWVAL/" "$1"
SH
chmod +x editor.sh

leftovers() { find "$T/tmp" "$EDITBASE" -mindepth 1 | head -n 1; }
no_plaintext() { ! grep -rqs -e "$V1" -e "$V2" "$T" "$EDITBASE"; }

# a new file
if NEWVAL=$V1 EDITOR="$T/editor.sh" "$TENANTC" secret edit --repo repo "$F" 2>"$T/err" &&
	"$TENANTC" secret decrypt "$F" | grep -q "key: $V1"; then
	ok "edit creates an encrypted Secret from the editor's text"
else bad "edit (new): $(cat "$T/err")"; fi
if grep -q 'recipient: age1' "$F" && [ "$(grep -c 'recipient: age1' "$F")" -eq 2 ]; then
	ok "the new file is encrypted to tenantc.yaml's and prod's recipients"
else bad "wrong recipients in the new file"; fi
if [ -z "$(leftovers)" ] && no_plaintext; then ok "no plaintext left on disk after edit"
else bad "plaintext or temporary files left: $(leftovers)"; fi

# an unchanged edit changes nothing
cp "$F" before.yaml
EDITOR=true "$TENANTC" secret edit --repo repo "$F" 2>"$T/err"
if cmp -s "$F" before.yaml && grep -q unchanged "$T/err"; then ok "an unchanged edit leaves the file byte-identical"
else bad "unchanged edit rewrote the file"; fi

# changing one value: its ENC, the MAC and lastmodified change, nothing else
# (lastmodified moves even when the edits fall into the same second)
NEWVAL=$V2 EDITOR="$T/editor.sh" "$TENANTC" secret edit --repo repo "$F" 2>"$T/err"
diff before.yaml "$F" | grep '^>' >changed.txt || true
others=$(grep -Evc '^> +(key|lastmodified|mac): ' changed.txt || true)
if grep -q '^> *key: ENC' changed.txt && grep -q '^> *mac: ENC' changed.txt && [ "$others" -eq 0 ] &&
	grep -q '^> *lastmodified: ' changed.txt &&
	"$TENANTC" secret decrypt "$F" | grep -q "key: $V2"; then
	ok "editing one value re-encrypts only it (changed: the value, the mac, lastmodified)"
else bad "edit changed: $(cat changed.txt)"; fi
if [ -z "$(leftovers)" ] && no_plaintext; then ok "no plaintext left on disk after the second edit"
else bad "plaintext left after the second edit"; fi

# a failing editor changes nothing and cleans up
cp "$F" before.yaml
run env EDITOR=false "$TENANTC" secret edit --repo repo "$F"
expect "a failing editor leaves the file alone" \
	'expect_status 2 && cmp -s "$F" before.yaml && [ -z "$(leftovers)" ]'

# wrong key: the error names the file
rc=0
SOPS_AGE_KEY_FILE="$T/test.key" "$TENANTC" secret decrypt "$F" >/dev/null 2>"$T/err" || rc=$?
if [ "$rc" -eq 2 ] && grep -q "no identity can decrypt '$F'" "$T/err"; then
	ok "a key of another environment: $(head -n 1 "$T/err")"
else bad "wrong key: rc $rc $(cat "$T/err")"; fi

# updatekeys: the tenant moves into test as well
printf 'name: acme\nenvironments: [prod, test]\n' >repo/tenants/acme/tenant.yaml
cp "$F" before.yaml
"$TENANTC" secret updatekeys --repo repo "$F" 2>"$T/err"
if [ "$(grep -c 'recipient: age1' "$F")" -eq 3 ] &&
	SOPS_AGE_KEY_FILE="$T/test.key" "$TENANTC" secret decrypt "$F" | grep -q "key: $V2"; then
	ok "updatekeys adds the test environment's recipient"
else bad "updatekeys: $(cat "$T/err")"; fi
if [ "$(grep 'ENC\[' before.yaml | grep -v '^ *mac:' | sort)" = "$(grep 'ENC\[' "$F" | grep -v '^ *mac:' | sort)" ] &&
	[ "$(grep -E '^ *(mac|lastmodified):' before.yaml)" = "$(grep -E '^ *(mac|lastmodified):' "$F")" ]; then
	ok "updatekeys touches no value, the MAC or lastmodified"
else bad "updatekeys changed values"; fi
"$TENANTC" secret updatekeys --repo repo "$F" 2>"$T/err"
if grep -q 'up to date' "$T/err"; then ok "a second updatekeys has nothing to do"
else bad "second updatekeys: $(cat "$T/err")"; fi

# encrypt refuses an encrypted file; decrypt refuses a plaintext one
run "$TENANTC" secret encrypt --repo repo "$F"
expect "encrypt refuses an encrypted file" 'expect_status 2 && expect_stderr "already encrypted"'
printf 'kind: Secret\nstringData: {a: b}\n' >plain.yaml
rc=0
"$TENANTC" secret decrypt plain.yaml >/dev/null 2>"$T/err" || rc=$?
if [ "$rc" -eq 2 ] && grep -q 'plain.yaml:.*sops metadata not found' "$T/err"; then
	ok "decrypt of a plaintext file: $(head -n 1 "$T/err")"
else bad "decrypt plaintext: rc $rc $(cat "$T/err")"; fi
if no_plaintext; then ok "no plaintext value anywhere under the test folder at the end"
else bad "a plaintext value was found on disk"; fi
finish
