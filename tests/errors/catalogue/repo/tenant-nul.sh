# expect: tenants/t/tenant.yaml:1:8: error: character U+0000 is not allowed in YAML (write it as an escape in a double-quoted string)
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
printf "name: t\000x\n" >tenants/t/tenant.yaml
tc render
