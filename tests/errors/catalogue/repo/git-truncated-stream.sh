# expect: tenants/t/tenant.yaml:1:1: error: cannot read 'tenants/t/tenant.yaml' from revision 'HEAD': damaged loose object: the zlib stream ends early
# cmd: sh {file} {tenantc}
# the loose file of tests/fuzz/corpus/gittree/loose-inflate-loop.bin: a
# zlib stream of "blob 60\0hello..." that stops after 10 bytes of content,
# on which libgit2 1.5's own reader loops forever (run under `timeout 5`)
. "$(dirname "$0")/../lib/repo.sh"
gitinit && blob=$(git rev-parse HEAD:tenants/t/tenant.yaml) && f=.git/objects/$(echo "$blob" | cut -c1-2)/$(echo "$blob" | cut -c3-) && chmod u+w "$f" && printf '\170\234\113\312\311\117\122\060\063\140\310\110\315\311\311\347\141\056\377\073\004\104' >"$f"
tc render --rev HEAD
