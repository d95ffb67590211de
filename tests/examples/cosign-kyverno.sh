# tests/examples/cosign-kyverno.sh - cases of examples/cosign-kyverno
# (sourced by tests/integration/example.sh: $R the repository, $T/out its
# render). Kyverno's verifyImages (kyverno.io/v1 ClusterPolicy: every
# attestor of the list is required, failureAction per rule) and the
# sigstore policy-controller (every matching ClusterImagePolicy must pass,
# docs.sigstore.dev/policy-controller/overview) decide what the fields mean.
KP="$T/out/prod/cluster/clusterpolicy-zeta-prod-signed-images.yaml"
KD="$T/out/dev/cluster/clusterpolicy-zeta-dev-signed-images.yaml"

expect "prod's Kyverno policy enforces, pins digests, two attestors per tenant" \
	'[ "$(grep -c "failureAction: Enforce" "$KP")" -eq 2 ] && ! grep -q "failureAction: Audit" "$KP" &&
	 [ "$(grep -c "mutateDigest: true" "$KP")" -eq 2 ] &&
	 [ "$(grep -c -- "- count: 1" "$KP")" -eq 4 ] &&
	 grep -q "developer-ci.yml@refs/heads/develop" "$KP" &&
	 grep -qF "subjectRegExp: ^https://github[.]com/zeta-corp/zeta-guard/[.]github/workflows/maintainer-ci.yml@refs/tags/v[0-9]+[.][0-9]+[.][0-9]+\$" "$KP"'
expect "dev's Kyverno policy only audits and asks for the developer signature alone" \
	'[ "$(grep -c "failureAction: Audit" "$KD")" -eq 2 ] && ! grep -q "Enforce" "$KD" &&
	 [ "$(grep -c -- "- count: 1" "$KD")" -eq 2 ] && ! grep -q maintainer "$KD"'
expect "policy-controller: two enforcing policies per tenant in prod, one warning in dev" \
	'[ "$(grep -l "mode: enforce" "$T"/out/prod/cluster/clusterimagepolicy-*.yaml | wc -l)" -eq 4 ] &&
	 [ "$(grep -l "mode: warn" "$T"/out/dev/cluster/clusterimagepolicy-*.yaml | wc -l)" -eq 2 ] &&
	 ! grep -q "mode: warn" "$T"/out/prod/cluster/*.yaml &&
	 [ -f "$T/out/prod/cluster/clusterimagepolicy-zeta-prod-billing-maintainer.yaml" ] &&
	 [ ! -e "$T/out/dev/cluster/clusterimagepolicy-zeta-dev-billing-maintainer.yaml" ]'
expect "no selector holds a wildcard, no namespace is chosen by In over patterns" \
	'! grep -rn -A8 "namespaceSelector" "$T/out" | grep -q "[*]" &&
	 ! grep -rq "operator: In" "$T/out"/*/cluster &&
	 [ "$(grep -c "tenantc.io/tenant:" "$KP")" -eq 2 ]'
expect "no subject pattern is unanchored or open to any workflow" \
	'! grep -rqE "subjectRegExp: [^^]|subjectRegExp: .*[.][*]|subjectRegexp|issuerRegExp" "$T/out"'
expect "admission does not trust labelled objects counted by an apiCall" \
	'! grep -rqE "apiCall|verification-level" "$T/out"'
expect "each environment trusts only its own keys of the tenant" \
	'dev_key=$(sed -n "/overrides:/,/prod:/p" "$R/tenants/billing/tenant.yaml" | grep -A1 BEGIN | tail -n 1 | tr -d " ") &&
	 prod_key=$(sed -n "/prod:/,\$p" "$R/tenants/billing/tenant.yaml" | grep -A1 BEGIN | head -n 2 | tail -n 1 | tr -d " ") &&
	 grep -qF "$dev_key" "$KD" && ! grep -qF "$dev_key" "$KP" &&
	 grep -qF "$prod_key" "$KP" && ! grep -qF "$prod_key" "$KD"'

# a tenant without a maintainer key cannot be rendered into prod: the
# missing attestor is an error, not a policy with one signature
B="$T/nokey"
cp -R "$R" "$B"
sed -i '/maintainer: |/,$d' "$B/tenants/billing/tenant.yaml"
run "$TENANTC" render -C "$B" --out "$T/nokey-out"
expect "prod without the maintainer key stops the render" 'expect_status 2 && expect_stderr_line "^templates/cluster/(kyverno|sigstore)-signed-images.yaml:[0-9]+:[0-9]+: error: .*no property \"maintainer\""'
expect "... leaving no output" 'expect_file_absent "$T/nokey-out"'

# an image by tag only (not pinned to a digest) is refused by the schema
sed "s|@sha256:[0-9a-f]*|:latest|" "$R/tenants/zeta-guard/tenant.yaml" >"$B/tenants/zeta-guard/tenant.yaml"
cp "$R/tenants/billing/tenant.yaml" "$B/tenants/billing/tenant.yaml"
run "$TENANTC" render -C "$B" --out "$T/tag-out"
expect "an image without a digest is an error at its line" 'expect_status 2 && expect_stderr_line "^tenants/zeta-guard/tenant.yaml:[0-9]+:[0-9]+: error: .*pinned by digest"'
