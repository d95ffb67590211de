# expect: tenants/u:1:1: error: unexpected 'tenants/u': tenants/ holds one folder per tenant
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
mkdir -p "$T/other" && cp tenants/t/tenant.yaml "$T/other/" && sed -i s/t/u/ "$T/other/tenant.yaml" && ln -s "$T/other" tenants/u
tc render
