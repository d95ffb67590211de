# expect: templates:1:1: error: 'templates' is a symbolic link; tenantc does not follow links
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
mv templates "$T/templates" && ln -s "$T/templates" templates
tc render
