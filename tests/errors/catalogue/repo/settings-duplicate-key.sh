# expect: tenantc.yaml:2:1: error: duplicate key 'output' (first at line 1)
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
printf "output: rendered\noutput: deploy\n" >tenantc.yaml
tc render
