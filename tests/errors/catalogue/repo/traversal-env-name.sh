# expect: environments/dev.yaml:1:7: error: name '../dev' does not match the file name 'dev' (at .name)
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
printf "name: ../dev\n" >environments/dev.yaml
tc render
