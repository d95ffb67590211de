# expect: tenants/t/secrets/prod/db.yaml:1:1: error: tenant 't' is not rendered in environment 'prod', so this Secret would never be used (add 'prod' to its environments or remove the file)
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
printf "name: prod\n" >environments/prod.yaml
printf "name: t\nenvironments: [dev]\n" >tenants/t/tenant.yaml
mkdir -p tenants/t/secrets/prod
printf "x\n" >tenants/t/secrets/prod/db.yaml
tc render
