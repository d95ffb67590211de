# expect: tenants/t/tenant.yaml:1:1: error: unknown tenant 't': there is no tenants/t/tenant.yaml
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
rm tenants/t/tenant.yaml
tc render
