# expect:
# cmd: sh {file} {tenantc}
# status: 0
. "$(dirname "$0")/../lib/repo.sh"
printf "\357\273\277name: t\n" >tenants/t/tenant.yaml
tc render
