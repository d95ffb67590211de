#!/bin/sh
# Per-environment tenant settings: tenant.yaml's `overrides` section, merged
# over the rest of the file for one environment by the one rule of
# docs/templates.md (maps merge key by key, lists and scalars replace),
# checked by schemas/tenant.json with the line and column inside the
# section, and only for environments the tenant is rendered into.
. "$(dirname "$0")/lib.sh"

R="$T/repo"
copy_example "$R"

# render ENV TENANT: one tenant's manifests of one environment on stdout
render() { run "$TENANTC" render --repo "$R" --stdout --env "$1" --tenant "$2"; }

# the example: acme's realm trusts only its own environment's hosts
render prod acme
expect "the prod realm lists the prod hosts of the prod section" \
	'expect_stdout_has "https://acme.prod.example.com/*" "https://shop.acme.example/*"'
expect "the prod realm trusts no test host" '! expect_stdout_has "acme.test.example.com"'
expect "prod keeps the egress of the defaults" 'expect_stdout_has "cidr: 10.10.0.0/24"'
render test acme
expect "the test realm lists only the test host" \
	'expect_stdout_has "https://acme.test.example.com/*" &&
	! expect_stdout_has "acme.prod.example.com" && ! expect_stdout_has "shop.acme.example"'
expect "a list in a section replaces the default list (network.egress)" \
	'expect_stdout_has "cidr: 10.11.0.0/24" && ! expect_stdout_has "cidr: 10.10.0.0/24"'
expect "maps merge key by key (values.quota: limits.cpu from test, requests.cpu from the defaults)" \
	'expect_stdout_has "limits.cpu: '"'8'"'" "requests.cpu: '"'8'"'"'

# templates see the merged view only, and `values` always
mkdir -p "$R/templates/tenant"
cat >"$R/templates/tenant/view.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: view
  namespace: ${tenant.name}-${env.name}
data:
  overrides: ${'overrides' in tenant}
  values: ${tenant.values == {}}
  clients: ${str(len(tenant.realm.clients))}
YAML
render test acme
expect "the template sees no 'overrides' key" 'expect_stdout_has "overrides: '"'false'"'"'
cp "$SRC/tenants/initech/tenant.yaml" "$T/initech.keep"
sed -i '/^values:/,$d' "$R/tenants/initech/tenant.yaml"
render test initech
expect "a tenant without values gets values: {}" 'expect_status 0 && expect_stdout_has "values: '"'true'"'"'
cp "$T/initech.keep" "$R/tenants/initech/tenant.yaml"
rm "$R/templates/tenant/view.yaml"

# the example templates merge their defaults by the same rule: a list in the
# environment's values replaces the default list (with $mergeDeep the
# default Keycloak port 8443 stayed, and the example listed it twice)
render prod acme
n=$(grep -c 'port: 8443' "$T/stdout" || true)
expect "the example allows the Keycloak port once" '[ "$n" = 1 ] || { why="port: 8443 $n times"; false; }'
sed -i 's/^    ports: \[8443\]$/    ports: [9000]/' "$R/environments/prod.yaml"
render prod acme
expect "values.keycloak.ports replaces the default port" \
	'expect_stdout_has "port: 9000" && ! expect_stdout_has "port: 8443"'
sed -i 's/^    ports: \[9000\]$/    ports: [8443]/' "$R/environments/prod.yaml"

# cluster and platform templates see the environment's tenants, merged
mkdir -p "$R/templates/cluster"
cat >"$R/templates/cluster/tenant-index.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: tenant-index
  namespace: platform-system
data:
  $merge:
    $map: {$eval: tenants}
    each(t):
      ${t.name}: "${t.name}-${env.name} ${t.network.egress[0].cidr} ${'overrides' in t}"
YAML
sed -i 's/^  egress: \[\]$/  egress: [{cidr: 10.30.0.0\/24, ports: [5432]}]/' "$R/tenants/initech/tenant.yaml"
rm -rf "$T/out"
run "$TENANTC" render --repo "$R" --out "$T/out"
expect "a cluster template lists the tenants of each environment" \
	'expect_status 0 && [ -f "$T/out/test/cluster/configmap-tenant-index.yaml" ]'
run cat "$T/out/prod/cluster/configmap-tenant-index.yaml"
expect "prod: its tenants only, each with its prod settings" \
	'expect_stdout_has "acme: acme-prod 10.10.0.0/24 false" "globex: globex-prod 10.20.0.0/24 false" &&
	! expect_stdout_has "initech"'
run cat "$T/out/test/cluster/configmap-tenant-index.yaml"
expect "test: all three, acme with its test section merged" \
	'expect_stdout_has "acme: acme-test 10.11.0.0/24 false" "globex: globex-test 10.20.0.0/24 false"'
sed -i 's/10.30.0.0/10.31.0.0/' "$R/tenants/initech/tenant.yaml"
run "$TENANTC" render --repo "$R" --stdout --env test
expect "the list follows a tenant.yaml" 'expect_stdout_has "initech: initech-test 10.31.0.0/24 false"'
printf 'name: initech\nenvironments: [test]\nrealm: [bad\n' >"$R/tenants/initech/tenant.yaml"
run "$TENANTC" render --repo "$R" --out "$T/out2"
expect "a broken tenant.yaml stops the cluster job too, reported once" \
	'expect_status 2 && [ "$(grep -c "^tenants/initech/tenant.yaml:" "$T/stderr")" = 1 ] &&
	expect_file_absent "$T/out2"'
cp "$T/initech.keep" "$R/tenants/initech/tenant.yaml"
run "$TENANTC" render --repo "$R" --stdout --tenant acme --env prod
expect "--tenant renders no cluster template" \
	'expect_status 0 && ! expect_stdout_has "tenant-index"'
rm -rf "$R/templates/cluster/tenant-index.yaml" "$T/out"

# two tenants making one object identity: a finding that names both
# tenants at both template lines
printf '%s\n' '$if: tenant.name == "acme"' 'then:' '  apiVersion: v1' '  kind: ConfigMap' \
	'  metadata: {name: shared, namespace: common}' '  data: {from: a}' >"$R/templates/tenant/a.yaml"
printf '%s\n' '$if: tenant.name == "globex"' 'then:' '  apiVersion: v1' '  kind: ConfigMap' \
	'  metadata: {name: shared, namespace: common}' '  data: {from: b}' >"$R/templates/tenant/b.yaml"
run "$TENANTC" render --repo "$R" --out "$T/out"
expect "one identity from two tenants names both tenants and both template lines" \
	'expect_status 1 && expect_stderr_first "$1" && expect_file_absent "$T/out"' \
	"templates/tenant/b.yaml:3:3: error: duplicate object: ConfigMap 'common/shared' (core) of tenant 'globex' is also defined for tenant 'acme' at templates/tenant/a.yaml:3:3"
rm "$R/templates/tenant/a.yaml" "$R/templates/tenant/b.yaml"

# bad sections: one error at the line and column inside the section, exit 2
bad_tenant() { # NAME LINE: with the tenant.yaml in $T/bad, render fails with LINE first
	cp "$T/bad" "$R/tenants/initech/tenant.yaml"
	run "$TENANTC" render --repo "$R" --out "$T/out"
	expect "$1" 'expect_status 2 && expect_stderr_first "$1" && expect_file_absent "$T/out"' "$2"
}
head='name: initech
environments: [test]
realm:
  clients:
    - {clientId: frontend, type: public}'
printf '%s\noverrides:\n  test:\n    realm:\n      clients:\n        - clientId: frontend\n          type: bogus\n' "$head" >"$T/bad"
bad_tenant "a schema error inside a section" \
	"tenants/initech/tenant.yaml:11:17: error: 'bogus' is not one of 'confidential', 'public', 'service-account' (at .overrides.test.realm.clients[0].type)"
printf '%s\noverrides:\n  test:\n    displayName: Initech Test\n' "$head" >"$T/bad"
bad_tenant "a key a section may not set" \
	"tenants/initech/tenant.yaml:8:5: error: unknown key 'displayName' (at .overrides.test.displayName)"
printf '%s\noverrides:\n  test:\n    network:\n      egress:\n        - {cidr: 10.0.0.0/33, ports: [5432]}\n' "$head" >"$T/bad"
bad_tenant "a bad CIDR in a section" \
	"tenants/initech/tenant.yaml:10:18: error: '10.0.0.0/33' is not an IPv4 or IPv6 CIDR such as 10.10.0.0/24 or 2001:db8::/64 (at .overrides.test.network.egress[0].cidr)"
printf '%s\noverrides:\n  test: [values]\n' "$head" >"$T/bad"
bad_tenant "a section that is not a mapping" \
	"tenants/initech/tenant.yaml:7:9: error: expected object, got array (at .overrides.test)"
printf '%s\noverrides:\n  Test: {}\n' "$head" >"$T/bad"
bad_tenant "a section whose name is not an environment name" \
	"tenants/initech/tenant.yaml:7:3: error: 'Test' is not a DNS-1123 label: use lower-case letters, digits and '-', starting and ending with a letter or digit (at most 63 characters) (at .overrides.Test)"
printf '%s\noverrides:\n  test: {}\n  prod:\n    values: {}\n' "$head" >"$T/bad"
bad_tenant "a section for an environment the tenant is not in" \
	"tenants/initech/tenant.yaml:8:3: error: overrides for environment 'prod', which tenant 'initech' is not rendered into (see 'environments') (at .overrides.prod)"
printf '%s\noverrides:\n  staging:\n    values: {}\n' "$head" >"$T/bad"
bad_tenant "a section for an environment that does not exist" \
	"tenants/initech/tenant.yaml:7:3: error: overrides for unknown environment 'staging' (see environments/) (at .overrides.staging)"
cp "$T/initech.keep" "$R/tenants/initech/tenant.yaml"

finish
