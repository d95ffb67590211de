# expect: environments/dev.yaml:1:1: error: cannot read 'environments/dev.yaml' from revision 'HEAD': object not found - cannot read header for (19e96e31795c129ad9b6b3e7925142897e301965)
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
gitinit && blob=$(git rev-parse HEAD:environments/dev.yaml) && rm -f .git/objects/$(echo "$blob" | cut -c1-2)/$(echo "$blob" | cut -c3-)
tc render --rev HEAD
