# expect: tenants/t/tenant.yaml:1:1: error: cannot read 'tenants/t/tenant.yaml' from revision 'HEAD': damaged loose object: incorrect header check
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
gitinit && blob=$(git rev-parse HEAD:tenants/t/tenant.yaml) && f=.git/objects/$(echo "$blob" | cut -c1-2)/$(echo "$blob" | cut -c3-) && chmod u+w "$f" && printf "garbage" >"$f"
tc render --rev HEAD
