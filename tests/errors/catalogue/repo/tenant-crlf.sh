# expect: tenants/t/tenant.yaml:4:3: error: duplicate key 'a' (first at line 3)
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
printf "name: t\r\nvalues:\r\n  a: 1\r\n  a: 2\r\n" >tenants/t/tenant.yaml
tc render
