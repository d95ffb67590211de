# expect: files/payload.bin.p7s:1:1: error: 'files/payload.bin.p7s' signs 'files/payload.bin', but tenantc.yaml names no files.caBundle to verify it against
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
mkdir -p files && printf 'payload' >files/payload.bin && printf 'not a signature' >files/payload.bin.p7s
tc render
