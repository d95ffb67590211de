# expect: templates/tenant/link.yaml:1:1: error: unexpected 'templates/tenant/link.yaml': templates are .yaml, .yml or .json files
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
ln -s ../../etc/passwd templates/tenant/link.yaml && gitinit
tc render --rev HEAD
