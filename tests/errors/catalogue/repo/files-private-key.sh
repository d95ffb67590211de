# expect: files/keys/tls.pem:2:1: error: 'files/keys/tls.pem' holds a PEM private key: keys belong in SOPS-encrypted Secrets (tenants/<tenant>/secrets/), never in files/
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
mkdir -p files/keys && printf '# a key\n-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n' >files/keys/tls.pem
tc render
