#!/bin/sh
# The platform's policy for tenant inputs (docs/validation.md, "The
# platform's policy"): what tenant.yaml asks for is refused at its line,
# exit 2, nothing rendered. Each rule after its upstream source:
#  - egress CIDRs: NetworkPolicy ipBlock.cidr (networking.k8s.io/v1); a /0
#    block is every address, so it is refused unless tenantc.yaml's
#    policy.egress allows it, and with policy.egress every block must lie
#    inside one of its blocks;
#  - egress ports: NetworkPolicyEgressRule.ports, "If this field is empty
#    or missing, this rule matches all ports": ports are required;
#  - values.podSecurity: the Pod Security Standards levels privileged,
#    baseline, restricted (Pod Security Admission's enforce label), among
#    policy.podSecurity (default baseline, restricted);
#  - the keys of values: the example's schemas/tenant.json, with the
#    nearest known key or level for a typo.
. "$(dirname "$0")/lib.sh"

R="$T/repo"
copy_example "$R"
cp "$R/tenants/acme/tenant.yaml" "$T/acme.keep"
cp "$R/tenantc.yaml" "$T/settings.keep"

# refused NAME LINE: render fails with LINE first, exit 2, no tree
refused() {
	rm -rf "$T/out"
	run "$TENANTC" render --repo "$R" --out "$T/out"
	expect "$1" 'expect_status 2 && expect_stderr_first "$2" && expect_file_absent "$T/out"' "$@"
}
# acme's tenant.yaml with its egress list replaced by $1 (YAML flow)
acme_egress() {
	sed "s|^    - cidr: 10.10.0.0/24         # the managed PostgreSQL of prod|    - $1|; /^      ports: \[5432\]\$/d" \
		"$T/acme.keep" >"$R/tenants/acme/tenant.yaml"
}

# the example itself passes
run "$TENANTC" render --repo "$R" --out "$T/out"
expect "the example's tenants keep to the example's policy" 'expect_status 0'

# egress: the whole address space, with and without policy.egress
sed '/^policy:/,/^  podSecurity:/d' "$T/settings.keep" >"$R/tenantc.yaml"
acme_egress "{cidr: 0.0.0.0/0, ports: [443]}"
refused "without policy.egress, 0.0.0.0/0 is refused (every IPv4 address)" \
	"tenants/acme/tenant.yaml:28:14: error: '0.0.0.0/0' is every IPv4 address: a tenant's egress must name the networks it needs (tenantc.yaml policy.egress can allow wider blocks) (at .network.egress[0].cidr)"
acme_egress "{cidr: '::/0', ports: [443]}"
refused "and so is ::/0 (every IPv6 address)" \
	"tenants/acme/tenant.yaml:28:14: error: '::/0' is every IPv6 address: a tenant's egress must name the networks it needs (tenantc.yaml policy.egress can allow wider blocks) (at .network.egress[0].cidr)"
acme_egress "{cidr: 172.16.0.0/12, ports: [443]}"
rm -rf "$T/out"
run "$TENANTC" render --repo "$R" --out "$T/out"
expect "without policy.egress any narrower block is allowed" 'expect_status 0'
cp "$T/settings.keep" "$R/tenantc.yaml"
refused "with policy.egress, a block outside its blocks is refused" \
	"tenants/acme/tenant.yaml:28:14: error: '172.16.0.0/12' is not within the blocks tenantc.yaml lets tenants reach (policy.egress) (at .network.egress[0].cidr)"
acme_egress "{cidr: 10.0.0.0/7, ports: [443]}"
refused "a block wider than the allowed one is refused" \
	"tenants/acme/tenant.yaml:28:14: error: '10.0.0.0/7' is not within the blocks tenantc.yaml lets tenants reach (policy.egress) (at .network.egress[0].cidr)"
acme_egress "{cidr: 10.99.0.0/16, ports: [443]}"
rm -rf "$T/out"
run "$TENANTC" render --repo "$R" --out "$T/out"
expect "a block inside policy.egress is allowed" 'expect_status 0'
printf 'policy:\n  egress: [0.0.0.0/0]\n' >"$R/tenantc.yaml"
sed '/^policy:/,/^  podSecurity:/d' "$T/settings.keep" >>"$R/tenantc.yaml"
acme_egress "{cidr: 0.0.0.0/0, ports: [443]}"
rm -rf "$T/out"
run "$TENANTC" render --repo "$R" --out "$T/out" --no-verify
expect "the platform may allow 0.0.0.0/0 explicitly" 'expect_status 0'
cp "$T/settings.keep" "$R/tenantc.yaml"

# egress in an environment's section of overrides is judged the same way
cp "$T/acme.keep" "$R/tenants/acme/tenant.yaml"
sed -i 's|^        - cidr: 10.11.0.0/24     # test has a database of its own|        - cidr: 172.16.0.0/24|' "$R/tenants/acme/tenant.yaml"
refused "an override's egress is checked at its line" \
	"tenants/acme/tenant.yaml:54:17: error: '172.16.0.0/24' is not within the blocks tenantc.yaml lets tenants reach (policy.egress) (at .overrides.test.network.egress[0].cidr)"

# ports are required: by the schema, and by the policy without one
acme_egress "{cidr: 10.10.0.0/24}"
refused "an egress rule without ports is refused by the schema" \
	"tenants/acme/tenant.yaml:28:7: error: missing required key 'ports' (at .network.egress[0])"
acme_egress "{cidr: 10.10.0.0/24, ports: []}"
refused "and so is an empty list of ports" \
	"tenants/acme/tenant.yaml:28:35: error: array has 0 items, at least 1 required (at .network.egress[0].ports)"
mv "$R/schemas" "$T/schemas.keep"
acme_egress "{cidr: 10.10.0.0/24}"
refused "without schemas the policy still requires ports" \
	"tenants/acme/tenant.yaml:28:7: error: egress to '10.10.0.0/24' needs its ports: a NetworkPolicy rule without ports allows every port (at .network.egress[0])"
mv "$T/schemas.keep" "$R/schemas"

# values: the documented keys, the Pod Security levels, the platform's set
cp "$T/acme.keep" "$R/tenants/acme/tenant.yaml"
printf '  podSecurity: restricetd\n' >>"$R/tenants/acme/tenant.yaml"
refused "a misspelt Pod Security level names the level meant" \
	"tenants/acme/tenant.yaml:64:16: error: 'restricetd' is not one of 'privileged', 'baseline', 'restricted' (did you mean 'restricted'?) (at .values.podSecurity)"
cp "$T/acme.keep" "$R/tenants/acme/tenant.yaml"
printf '  podSecuirty: baseline\n' >>"$R/tenants/acme/tenant.yaml"
refused "a misspelt key of values names the key meant" \
	"tenants/acme/tenant.yaml:64:3: error: unknown key 'podSecuirty' (did you mean 'podSecurity'?) (at .values.podSecuirty)"
cp "$T/acme.keep" "$R/tenants/acme/tenant.yaml"
printf '  imagePolicy: none\n' >>"$R/tenants/acme/tenant.yaml"
refused "a key the templates do not read from a tenant is refused" \
	"tenants/acme/tenant.yaml:64:3: error: unknown key 'imagePolicy' (at .values.imagePolicy)"
cp "$T/acme.keep" "$R/tenants/acme/tenant.yaml"
printf '  podSecurity: privileged\n' >>"$R/tenants/acme/tenant.yaml"
refused "privileged is the platform's to grant" \
	"tenants/acme/tenant.yaml:64:16: error: Pod Security level 'privileged' is not one tenantc.yaml lets tenants choose (policy.podSecurity, default baseline and restricted) (at .values.podSecurity)"
sed -i 's/^  podSecurity: \[baseline, restricted\]$/  podSecurity: [restricted]/' "$R/tenantc.yaml"
cp "$T/acme.keep" "$R/tenants/acme/tenant.yaml"
printf '  podSecurity: baseline\n' >>"$R/tenants/acme/tenant.yaml"
refused "the platform may restrict the levels further" \
	"tenants/acme/tenant.yaml:64:16: error: Pod Security level 'baseline' is not one tenantc.yaml lets tenants choose (policy.podSecurity, default baseline and restricted) (at .values.podSecurity)"
cp "$T/settings.keep" "$R/tenantc.yaml"
rm -rf "$T/out"
run "$TENANTC" render --repo "$R" --out "$T/out"
expect "an allowed level reaches the tenant's Namespace" 'expect_status 0 &&
	grep -qx "    pod-security.kubernetes.io/enforce: baseline" "$T/out/prod/tenants/acme/namespace-acme-prod.yaml" &&
	grep -qx "    pod-security.kubernetes.io/enforce: restricted" "$T/out/prod/tenants/globex/namespace-globex-prod.yaml"'

# an environment's level is typed too (no tenant may widen it)
cp "$T/acme.keep" "$R/tenants/acme/tenant.yaml"
printf '  podSecurity: basline\n' >>"$R/environments/test.yaml"
refused "a misspelt level in an environment names the level meant" \
	"environments/test.yaml:26:16: error: 'basline' is not one of 'privileged', 'baseline', 'restricted' (did you mean 'baseline'?) (at .values.podSecurity)"
finish
