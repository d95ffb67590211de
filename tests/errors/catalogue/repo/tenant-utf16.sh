# expect: tenants/t/tenant.yaml:1:1: error: invalid UTF-8 (byte 0xff)
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
printf "\377\376n\000a\000m\000e\000:\000 \000t\000\n\000" >tenants/t/tenant.yaml
tc render
