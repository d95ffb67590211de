# expect: tenants:1:1: error: cannot read 'tenants' from revision 'HEAD': damaged loose object: invalid block type
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
gitinit && tree=$(git rev-parse HEAD:tenants) && f=.git/objects/$(echo "$tree" | cut -c1-2)/$(echo "$tree" | cut -c3-) && chmod u+w "$f" && printf "x\234garbage" >"$f"
tc render --rev HEAD
