#!/bin/sh
# Interoperability with third-party SOPS/age code from npm (sops-age,
# age-encryption, yaml; installed into the test's temporary folder, never
# committed): tenantc's files, input and rendered, decrypt there with the
# right key, are refused with another environment's key, and carry a MAC
# that an independent re-computation accepts; a file written by the
# independent encoder decrypts in tenantc. SKIP (77) without npm.
. "$(dirname "$0")/lib.sh"
SOPS_RENDER=${SOPS_RENDER:?SOPS_RENDER is not set}
CHECK="$SRC/tests/integration/sops_check.mjs"

if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
	echo "SKIP: npm or node is not installed; the sops-age interop test did not run"
	exit 77
fi
if ! timeout 300 npm install --prefix "$T/node" --no-audit --no-fund --loglevel=error \
	sops-age age-encryption >"$T/npm.log" 2>&1; then
	cat "$T/npm.log"
	echo "SKIP: 'npm install sops-age age-encryption' failed (no registry?); interop test did not run"
	exit 77
fi
MODS="$T/node/node_modules"
js() { node "$CHECK" "$MODS" "$@"; }

cd "$T"
for k in admin prod test; do "$TENANTC" secret keygen -o $k.key 2>/dev/null; done
ADMIN=$("$TENANTC" secret keygen -y admin.key)
PROD=$("$TENANTC" secret keygen -y prod.key)
TEST=$("$TENANTC" secret keygen -y test.key)

mkdir -p repo/environments repo/tenants/acme/secrets
printf 'sops:\n  age: [%s]\n' "$ADMIN" >repo/tenantc.yaml
printf 'name: prod\nsops:\n  age: [%s]\n' "$PROD" >repo/environments/prod.yaml
printf 'name: test\nsops:\n  age: [%s]\n' "$TEST" >repo/environments/test.yaml
printf 'name: acme\nenvironments: [prod]\n' >repo/tenants/acme/tenant.yaml
cat >plain.yaml <<'YAML'
apiVersion: v1
kind: Secret
metadata:
  name: db
  labels:
    app: api
type: Opaque
immutable: false
stringData:
  password: "s3cr3t-Pa55: #1"
  unicode: "päss—wörd ✓"
  config.yaml: |
    host: db.acme.svc
    port: 5432
  empty: ""
data:
  ca.crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
YAML
cat >expected.json <<'JSON'
{"stringData": {"password": "s3cr3t-Pa55: #1", "unicode": "päss—wörd ✓",
  "config.yaml": "host: db.acme.svc\nport: 5432\n", "empty": ""},
 "data": {"ca.crt": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg=="}}
JSON

# an input Secret written by `tenantc secret encrypt`
"$TENANTC" secret encrypt --repo repo -o repo/tenants/acme/secrets/db.yaml plain.yaml
if js verify repo/tenants/acme/secrets/db.yaml prod.key expected.json >"$T/v.out" 2>&1; then
	ok "sops-age decrypts tenantc's input file and the MAC verifies"
else bad "input file: $(cat "$T/v.out")"; fi
if js refuse repo/tenants/acme/secrets/db.yaml test.key >"$T/r.out" 2>&1; then
	ok "the test environment's key is refused for a prod-only tenant"
else bad "$(cat "$T/r.out")"; fi

# the rendered form: re-namespaced, deterministic
export SOPS_AGE_KEY_FILE="$T/admin.key"
"$SOPS_RENDER" repo/tenants/acme/secrets/db.yaml tenant-acme --repo "$ADMIN" --env "$PROD" >r1.yaml
"$SOPS_RENDER" repo/tenants/acme/secrets/db.yaml tenant-acme --repo "$ADMIN" --env "$PROD" >r2.yaml
if cmp -s r1.yaml r2.yaml; then ok "rendering twice gives the same bytes"
else bad "rendered Secret differs between runs"; fi
sed 's/"empty": ""}/"empty": ""}, "metadata": {"namespace": "tenant-acme"}/' expected.json >expected-ns.json
if js verify r1.yaml prod.key expected-ns.json >"$T/v.out" 2>&1; then
	ok "sops-age decrypts the rendered Secret with the prod key; MAC verifies"
else bad "rendered: $(cat "$T/v.out")"; fi
if js verify r1.yaml admin.key expected-ns.json >"$T/v.out" 2>&1; then
	ok "the repository recipient decrypts the rendered Secret"
else bad "rendered (admin): $(cat "$T/v.out")"; fi
if js refuse r1.yaml test.key >"$T/r.out" 2>&1; then
	ok "the test environment's key is refused for the prod rendering"
else bad "$(cat "$T/r.out")"; fi

# the real render of the example repository, with its published keys
copy_example ex
mkdir -p ex/tenants/acme/secrets
SOPS_AGE_KEY_FILE="$SRC/keys/admin.agekey" "$TENANTC" secret encrypt --repo ex -o ex/tenants/acme/secrets/db.yaml plain.yaml
SOPS_AGE_KEY_FILE="$SRC/keys/admin.agekey" "$TENANTC" render --repo ex >/dev/null 2>render.err || true
sed 's/"empty": ""}/"empty": ""}, "metadata": {"namespace": "acme-prod"}/' expected.json >expected-prod.json
if js verify ex/rendered/prod/tenants/acme/secret-db.yaml "$SRC/keys/prod.agekey" expected-prod.json >"$T/v.out" 2>&1; then
	ok "sops-age opens tenantc render's prod Secret with the prod key; MAC verifies"
else bad "render, prod: $(cat "$T/v.out") $(head -n 3 render.err)"; fi
if js refuse ex/rendered/prod/tenants/acme/secret-db.yaml "$SRC/keys/test.agekey" >"$T/r.out" 2>&1; then
	ok "and refuses it with the test environment's key"
else bad "$(cat "$T/r.out")"; fi

# the other way round: a file from the independent encoder
cat >js-plain.json <<'JSON'
{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "from-js"},
 "stringData": {"token": "js-made-t0ken", "url": "https://x.example/?a=1&b=2"}}
JSON
js encrypt js-plain.json "$PROD" 2025-06-07T08:09:10Z >js.yaml
if SOPS_AGE_KEY_FILE="$T/prod.key" "$TENANTC" secret decrypt js.yaml >js.out 2>"$T/d.err" &&
	grep -q 'token: js-made-t0ken' js.out && grep -q 'url: "https://x.example/?a=1&b=2"' js.out; then
	ok "tenantc decrypts and verifies a file written by the independent encoder"
else bad "js file: $(cat "$T/d.err")"; fi
# tampering the independent file is detected by tenantc
sed 's/name: "from-js"/name: "from-jz"/' js.yaml >js-tampered.yaml
if SOPS_AGE_KEY_FILE="$T/prod.key" "$TENANTC" secret decrypt js-tampered.yaml >/dev/null 2>"$T/d.err"; then
	bad "a tampered clear value was accepted"
elif grep -q "MAC mismatch in 'js-tampered.yaml'" "$T/d.err"; then
	ok "a changed clear value fails the MAC: $(head -n 1 "$T/d.err")"
else bad "unexpected error: $(cat "$T/d.err")"; fi
finish
