# expect: files/payload.bin.p7s:1:1: error: 'files/payload.bin.p7s' is not a CMS/PKCS#7 signature (SignedData, DER or PEM)
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
mkdir -p files trust && printf 'payload' >files/payload.bin && printf 'not a signature' >files/payload.bin.p7s
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
	-subj /CN=ca -days 1 -out trust/ca.pem 2>/dev/null
printf 'files:\n  caBundle: trust/ca.pem\n' >>tenantc.yaml
tc render
