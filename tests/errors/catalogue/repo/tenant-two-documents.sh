# expect: tenants/t/tenant.yaml:2:1: error: expected one document, found a second one (remove the '---' or split the file)
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
printf "name: t\n---\nname: u\n" >tenants/t/tenant.yaml
tc render
