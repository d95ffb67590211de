# expect: templates/tenant/bad.yaml:3:1: error: did not find expected node content while parsing a flow node
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
printf "apiVersion: v1\nkind: [\n" >templates/tenant/bad.yaml
tc render
