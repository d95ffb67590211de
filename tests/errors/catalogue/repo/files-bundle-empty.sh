# expect: trust/ca.pem:1:1: error: the CA bundle 'trust/ca.pem' (files.caBundle) holds no PEM certificate
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
mkdir trust && printf 'no certificates here\n' >trust/ca.pem
printf 'files:\n  caBundle: trust/ca.pem\n' >>tenantc.yaml
tc render
