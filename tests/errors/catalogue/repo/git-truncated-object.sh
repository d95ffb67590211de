# expect: templates/tenant/config.yaml:1:1: error: cannot read 'templates/tenant/config.yaml' from revision 'HEAD': damaged loose object: the zlib stream ends early
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
gitinit && blob=$(git rev-parse HEAD:templates/tenant/config.yaml) && f=.git/objects/$(echo "$blob" | cut -c1-2)/$(echo "$blob" | cut -c3-) && chmod u+w "$f" && head -c 12 "$f" >"$f.x" && mv "$f.x" "$f"
tc render --rev HEAD
