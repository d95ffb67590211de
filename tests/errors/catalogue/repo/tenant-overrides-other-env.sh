# expect: tenants/t/tenant.yaml:4:3: error: overrides for environment 'prod', which tenant 't' is not rendered into (see 'environments') (at .overrides.prod)
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
printf 'name: prod\n' >environments/prod.yaml
printf 'name: t\nenvironments: [dev]\noverrides:\n  prod: {}\n' >tenants/t/tenant.yaml
tc render
