# expect: files/ci.txt:3:1: error: 'files/ci.txt' holds an age identity: keys belong in SOPS-encrypted Secrets (tenants/<tenant>/secrets/), never in files/
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
mkdir -p files && printf '# created: 2026-01-01\n# public key: age1x\nAGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ\n' >files/ci.txt
tc render
