# expect: tenants/t/tenant.yaml:3:9: error: alias '*v' refers to a node that contains it
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
printf "name: t\nvalues: &v\n  self: *v\n" >tenants/t/tenant.yaml
tc render
