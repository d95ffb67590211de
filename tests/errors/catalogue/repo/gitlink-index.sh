# expect: templates/tenant/mod:1:1: error: unexpected 'templates/tenant/mod': templates are .yaml, .yml or .json files
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
gitinit && sub=$(git rev-parse HEAD) && git update-index --add --cacheinfo 160000,"$sub",templates/tenant/mod
tc render --index
