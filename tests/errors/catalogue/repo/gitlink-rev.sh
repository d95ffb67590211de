# expect: tenants/mod:1:1: error: unexpected 'tenants/mod': tenants/ holds one folder per tenant
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
gitinit && sub=$(git rev-parse HEAD) && git update-index --add --cacheinfo 160000,"$sub",tenants/mod && git -c user.name=t -c user.email=t@example.com commit -q -m sub
tc render --rev HEAD
