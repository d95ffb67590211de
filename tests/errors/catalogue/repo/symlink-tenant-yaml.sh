# expect: tenants/t/tenant.yaml:1:1: error: 'tenants/t/tenant.yaml' is a symbolic link; tenantc does not follow links
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
mv tenants/t/tenant.yaml "$T/t.yaml" && ln -s "$T/t.yaml" tenants/t/tenant.yaml
tc render
