# expect: tenants/t/tenant.yaml:1:1: error: cannot read 'tenants/t/tenant.yaml' from revision 'HEAD': damaged loose object: the zlib stream ends early
# cmd: sh {file} {tenantc}
# git-truncated-stream.sh's damaged loose file, in the object folder that a
# `git clone --shared` borrows its objects from (objects/info/alternates):
# libgit2 1.5 reads alternates' loose objects with the reader that loops
# forever on it (run under `timeout 5`)
. "$(dirname "$0")/../lib/repo.sh"
gitinit && git clone -q --shared . "$T/clone" && blob=$(git rev-parse HEAD:tenants/t/tenant.yaml) && f=.git/objects/$(echo "$blob" | cut -c1-2)/$(echo "$blob" | cut -c3-) && chmod u+w "$f" && printf '\170\234\113\312\311\117\122\060\063\140\310\110\315\311\311\347\141\056\377\073\004\104' >"$f" && cd "$T/clone" && test ! -e ".git/objects/$(echo "$blob" | cut -c1-2)" && test -s .git/objects/info/alternates
tc render --rev HEAD
