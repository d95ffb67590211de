# expect: tenantc.yaml:1:9: error: output folder '/tmp' must be a relative path inside the repository (at .output)
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
printf "output: /tmp\n" >tenantc.yaml
tc render
