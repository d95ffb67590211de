#!/bin/sh
# Secrets in a render: encrypted to the environment and the repository,
# readable with the environment's key and not another's, byte-identical on
# re-render (also into an empty folder and without an identity), a changed
# Secret without an identity is an error that leaves the tree alone, leaks
# and plaintext Secrets fail the render, and no plaintext reaches a file.
. "$(dirname "$0")/lib.sh"
KEYS="$SRC/keys"
PLAIN='s3cr3t-Hunter2-value'

copy_example "$T/r"
mkdir -p "$T/r/tenants/acme/secrets" "$T/in"
cat >"$T/in/db.yaml" <<EOS
apiVersion: v1
kind: Secret
metadata:
  name: db
type: Opaque
stringData:
  password: $PLAIN
  user: dbuser-7731
EOS
"$TENANTC" secret encrypt --repo "$T/r" -o "$T/r/tenants/acme/secrets/db.yaml" "$T/in/db.yaml"
rm -f "$T/in/db.yaml"
grep -q "$PLAIN" "$T/r/tenants/acme/secrets/db.yaml" && bad "input is encrypted" || ok "input is encrypted"

export SOPS_AGE_KEY_FILE="$KEYS/admin.agekey"
"$TENANTC" render --repo "$T/r" >/dev/null 2>"$T/err" && ok "render with the repository identity" ||
	bad "render failed: $(cat "$T/err")"
out="$T/r/rendered/prod/tenants/acme/secret-db.yaml"
[ -f "$out" ] && grep -q 'ENC\[AES256_GCM' "$out" && grep -q 'namespace: acme-prod' "$out" &&
	ok "the Secret is rendered encrypted into its tenant namespace" || bad "rendered Secret missing or clear"
if grep -rq "$PLAIN" "$T/r/rendered"; then bad "plaintext in rendered/"; else ok "no plaintext in rendered/"; fi

SOPS_AGE_KEY_FILE="$KEYS/prod.agekey" "$TENANTC" secret decrypt "$out" >"$T/dec" 2>/dev/null &&
	grep -q "$PLAIN" "$T/dec" && ok "prod's key decrypts prod's Secret" || bad "prod's key cannot decrypt"
rm -f "$T/dec"
rc=0
SOPS_AGE_KEY_FILE="$KEYS/test.agekey" "$TENANTC" secret decrypt "$out" >/dev/null 2>&1 || rc=$?
[ "$rc" -ne 0 ] && ok "test's key is refused for prod's Secret" || bad "test's key decrypts prod's Secret"

before=$(tree_sum "$T/r/rendered")
"$TENANTC" render --repo "$T/r" >/dev/null
[ "$(tree_sum "$T/r/rendered")" = "$before" ] && ok "re-render is byte-identical" || bad "re-render changed bytes"
"$TENANTC" render --repo "$T/r" --out "$T/empty" >/dev/null
[ "$(tree_sum "$T/empty")" = "$before" ] && ok "render into an empty folder is byte-identical" ||
	bad "render into an empty folder differs"
(unset SOPS_AGE_KEY_FILE; "$TENANTC" render --repo "$T/r" >/dev/null 2>"$T/err") &&
	[ "$(tree_sum "$T/r/rendered")" = "$before" ] && ok "without an identity the Secret is carried over" ||
	bad "carry-over failed: $(cat "$T/err")"

# --stdout without --decrypt: encrypted; with --decrypt: plaintext, to stdout only
"$TENANTC" render --repo "$T/r" --stdout --env prod --tenant acme >"$T/stream"
grep -q "$PLAIN" "$T/stream" && bad "--stdout printed plaintext" || ok "--stdout keeps Secrets encrypted"
"$TENANTC" render --repo "$T/r" --stdout --decrypt --env prod --tenant acme | grep -c "$PLAIN" >"$T/count"
[ "$(cat "$T/count")" = 1 ] && ok "--stdout --decrypt prints the Secret decrypted" || bad "--decrypt did not print it"
# --stdout keeps its bytes in a temporary file until the render succeeded;
# --decrypt never does (plaintext stays in memory): with no usable TMPDIR it
# still works, and so does a plain --stdout (in memory, the same bytes)
TMPDIR="$T/no-such-dir" "$TENANTC" render --repo "$T/r" --stdout --decrypt --env prod --tenant acme |
	grep -c "$PLAIN" >"$T/count"
[ "$(cat "$T/count")" = 1 ] && ok "--stdout --decrypt needs no temporary file" ||
	bad "--stdout --decrypt used a temporary file"
"$TENANTC" render --repo "$T/r" --stdout --env prod >"$T/stream1"
run env TMPDIR="$T/no-such-dir" "$TENANTC" render --repo "$T/r" --stdout --env prod
expect "--stdout without a usable TMPDIR prints the same stream" \
	'expect_status 0 && [ -s "$T/stdout" ] && cmp -s "$T/stream1" "$T/stdout" && expect_stderr_empty'

# a changed Secret without an identity: error naming it, tree untouched
cp "$T/r/tenants/acme/secrets/db.yaml" "$T/db.keep"
printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: other-value-42\n' >"$T/in/db2.yaml"
"$TENANTC" secret encrypt --repo "$T/r" -o "$T/r/tenants/acme/secrets/db.yaml" "$T/in/db2.yaml"
rm -f "$T/in/db2.yaml"
run env -u SOPS_AGE_KEY_FILE "$TENANTC" render --repo "$T/r"
expect "a changed Secret without an identity fails and leaves the tree" \
	'expect_status 2 && expect_stderr db && expect_tree_sum "$T/r/rendered" "$before"'
cp "$T/db.keep" "$T/r/tenants/acme/secrets/db.yaml"

# the labels every rendered object carries, given before encryption: a
# clear field like any other, which carry-over compares
for l in 'app.kubernetes.io/managed-by: tenantc' 'tenantc.io/environment: prod' 'tenantc.io/tenant: acme'; do
	grep -qF "        $l" "$out" || { bad "the rendered Secret lacks the label '$l'"; continue; }
	ok "the rendered Secret carries the label '$l'"
done
cp "$out" "$T/labelled.yaml"
# an earlier output with another label value, and one without labels (as an
# earlier tenantc wrote it): neither is carried over without an identity
sed 's/^        tenantc.io\/tenant: acme$/        tenantc.io\/tenant: globex/' "$T/labelled.yaml" >"$out"
changed=$(tree_sum "$T/r/rendered")
run env -u SOPS_AGE_KEY_FILE "$TENANTC" render --repo "$T/r"
expect "an earlier output whose labels differ is not carried over" \
	'expect_status 2 && expect_stderr "$1" && expect_tree_sum "$T/r/rendered" "$changed"' \
	"Secret 'acme-prod/db' from 'tenants/acme/secrets/db.yaml' cannot be rendered without an age identity: it differs from the earlier output at .metadata.labels"
sed '/^    labels:$/,/^        tenantc.io\/tenant: acme$/d' "$T/labelled.yaml" >"$out"
grep -q 'labels:' "$out" && bad "test setup: labels not removed from $out"
run env -u SOPS_AGE_KEY_FILE "$TENANTC" render --repo "$T/r"
expect "an earlier output without the labels is not carried over" \
	'expect_status 2 && expect_stderr "$1"' "it differs from the earlier output at .metadata"
run "$TENANTC" render --repo "$T/r"
expect "with an identity the labelled Secret is written again, byte for byte" \
	'expect_status 0 && expect_tree_sum "$T/r/rendered" "$before"'
rm -f "$T/labelled.yaml"

# a leak: the secret value embedded in a tenant file that a template reads
mkdir -p "$T/r/tenants/acme/files"
printf 'password = %s\n' "$PLAIN" >"$T/r/tenants/acme/files/leak.conf"
cat >"$T/r/templates/tenant/leak-test.yaml" <<'EOS'
$if: tenant.name == "acme"
then:
  apiVersion: v1
  kind: ConfigMap
  metadata:
    name: leaky
    namespace: ${tenant.name}-${env.name}
  data:
    app.conf: {$eval: 'file("leak.conf")'}
EOS
run "$TENANTC" render --repo "$T/r"
expect "a leaked value fails the render, naming the key, not the value" \
	'expect_failure && expect_stderr "$1" && ! grep -q "$PLAIN" "$T/stderr" &&
	expect_tree_sum "$T/r/rendered" "$before"' "decrypted value of key 'stringData.password'"
rm -f "$T/r/tenants/acme/files/leak.conf" "$T/r/templates/tenant/leak-test.yaml"

# a plaintext Secret among the inputs
printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: plain\nstringData:\n  a: b\n' >"$T/r/tenants/acme/secrets/plain.yaml"
run "$TENANTC" render --repo "$T/r"
expect "a plaintext Secret in tenants/ fails" \
	'expect_failure && expect_stderr "^tenants/acme/secrets/plain.yaml:2:1: error: "'
rm -f "$T/r/tenants/acme/secrets/plain.yaml"

# no file anywhere holds the plaintext
if grep -rq "$PLAIN" "$T" 2>/dev/null; then bad "plaintext found on disk"; else ok "no plaintext on disk"; fi
finish
