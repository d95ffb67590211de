# expect: tenants/t/tenant.yaml:1:1: error: 'tenants/t/tenant.yaml' is too large (17000024 bytes; the limit is 16 MiB)
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
{ printf "name: t\nvalues:\n  big: "; head -c 17000000 /dev/zero | tr "\0" a; echo; } >tenants/t/tenant.yaml
tc render
