# expect: tenantc: error: cannot read the tree of revision 'HEAD': damaged loose object: the zlib stream ends early
# cmd: sh {file} {tenantc}
# the root tree's loose file cut in the middle of its zlib stream (libgit2
# 1.5's own reader loops forever on it)
. "$(dirname "$0")/../lib/repo.sh"
gitinit && tree=$(git rev-parse HEAD^{tree}) && f=.git/objects/$(echo "$tree" | cut -c1-2)/$(echo "$tree" | cut -c3-) && chmod u+w "$f" && head -c 40 "$f" >"$f.x" && mv "$f.x" "$f"
tc render --rev HEAD
