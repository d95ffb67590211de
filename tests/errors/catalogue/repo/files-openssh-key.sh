# expect: tenants/t/files/deploy_key:1:1: error: 'tenants/t/files/deploy_key' holds a PEM private key: keys belong in SOPS-encrypted Secrets (tenants/<tenant>/secrets/), never in files/
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
mkdir -p tenants/t/files && printf -- '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n' >tenants/t/files/deploy_key
tc render
