# expect: tenants/t/tenant.yaml:1:7: error: name '../t' does not match the folder name 't' (at .name)
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
printf "name: ../t\n" >tenants/t/tenant.yaml
tc render
