# expect: tenants/t/secrets/prdo/db.yaml:1:1: error: 'prdo' is not an environment: a folder in tenants/t/secrets holds the Secrets of the environment it is named after (files directly in secrets/ are for all environments)
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
mkdir -p tenants/t/secrets/prdo
printf "x\n" >tenants/t/secrets/prdo/db.yaml
tc render
