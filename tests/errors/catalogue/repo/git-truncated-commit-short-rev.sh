# expect: tenantc: error: cannot resolve revision '9957528': damaged loose object: the zlib stream ends early
# cmd: sh {file} {tenantc}
# the commit's loose file cut in the middle of its zlib stream, named by an
# abbreviated id (libgit2 1.5 looks that up by prefix and loops forever)
. "$(dirname "$0")/../lib/repo.sh"
GIT_AUTHOR_DATE="@1700000000 +0000" GIT_COMMITTER_DATE="@1700000000 +0000" gitinit && c=$(git rev-parse HEAD) && f=.git/objects/$(echo "$c" | cut -c1-2)/$(echo "$c" | cut -c3-) && chmod u+w "$f" && head -c 60 "$f" >"$f.x" && mv "$f.x" "$f"
tc render --rev "$(echo "$c" | cut -c1-7)"
