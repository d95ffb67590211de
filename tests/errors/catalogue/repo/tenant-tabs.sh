# expect: tenants/t/tenant.yaml:3:1: error: found character that cannot start any token while scanning for the next token (tabs are not allowed in indentation; use spaces)
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
printf "name: t\nvalues:\n\ta: 1\n" >tenants/t/tenant.yaml
tc render
