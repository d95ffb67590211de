# expect: tenantc.yaml:3:13: error: the CA bundle 'trust/ca.pem' does not exist (at .files.caBundle)
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
printf 'files:\n  caBundle: trust/ca.pem\n' >>tenantc.yaml
tc render
