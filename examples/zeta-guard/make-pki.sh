#!/bin/sh
# examples/zeta-guard/make-pki.sh - make the signed material of this example
# again: a throwaway TPM CA (trust/tpm-ca.pem), a code-signing certificate
# it issues, a stand-in for TrustedTPM.cab (the real one is Microsoft's
# cabinet of TPM vendor roots) and its detached CMS signature
# files/zeta/TrustedTPM.cab.p7s, as the ZETA Guard provisioning expects it.
#
#	sh examples/zeta-guard/make-pki.sh [WORKDIR]
#
# Run it from anywhere; it writes only trust/tpm-ca.pem and files/zeta/
# TrustedTPM.cab{,.p7s} of this example. The keys are made in WORKDIR (a
# temporary folder unless given) and removed with it: no key is ever
# committed (render refuses a private key under files/), the signer's
# certificate travels inside the .p7s. Validity is fixed by date, not by
# the clock: the CA from 2025-01-01 to 2045-01-01, the signer from
# 2025-06-01 to 2035-06-01, so a render at any commit in between passes.
set -eu
EX=$(cd "$(dirname "$0")" && pwd)
W=${1:-}
if [ -z "$W" ]; then
	W=$(mktemp -d "${TMPDIR:-/tmp}/zeta-pki.XXXXXX")
	trap 'rm -rf "$W"' EXIT
fi
umask 077
mkdir -p "$W/db"
: >"$W/db/index.txt"
echo 1000 >"$W/db/serial"
cat >"$W/openssl.cnf" <<CNF
[ca]
default_ca = zeta_ca
[zeta_ca]
dir = $W/db
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
[anything]
commonName = supplied
organizationName = optional
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca_ext]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[sign_ext]
basicConstraints = CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning
authorityKeyIdentifier = keyid
CNF
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

key "$W/ca.key"
openssl req -new -config "$W/openssl.cnf" -key "$W/ca.key" \
	-subj "/O=Example Platform/CN=ZETA Guard TPM Example CA" -out "$W/ca.csr"
openssl ca -batch -notext -config "$W/openssl.cnf" -selfsign -keyfile "$W/ca.key" \
	-in "$W/ca.csr" -startdate 20250101000000Z -enddate 20450101000000Z -extensions ca_ext \
	-out "$W/ca.pem" 2>/dev/null
key "$W/signer.key"
openssl req -new -config "$W/openssl.cnf" -key "$W/signer.key" \
	-subj "/O=Example Platform/CN=ZETA Guard Provisioning Signer" -out "$W/signer.csr"
openssl ca -batch -notext -config "$W/openssl.cnf" -cert "$W/ca.pem" -keyfile "$W/ca.key" \
	-in "$W/signer.csr" -startdate 20250601000000Z -enddate 20350601000000Z -extensions sign_ext \
	-out "$W/signer.pem" 2>/dev/null

# the stand-in cabinet: a cabinet's magic, then bytes that are not UTF-8
printf 'MSCF\000\000\000\000\377\376TrustedTPM example stand-in\n' >"$EX/files/zeta/TrustedTPM.cab"
openssl cms -sign -binary -outform DER -md sha256 -signer "$W/signer.pem" -inkey "$W/signer.key" \
	-in "$EX/files/zeta/TrustedTPM.cab" -out "$EX/files/zeta/TrustedTPM.cab.p7s"
cp "$W/ca.pem" "$EX/trust/tpm-ca.pem"
chmod 644 "$EX/trust/tpm-ca.pem" "$EX/files/zeta/TrustedTPM.cab" "$EX/files/zeta/TrustedTPM.cab.p7s"
# the same check render makes, by the command line: full chain, no -noverify
openssl cms -verify -binary -inform DER -in "$EX/files/zeta/TrustedTPM.cab.p7s" \
	-content "$EX/files/zeta/TrustedTPM.cab" -CAfile "$EX/trust/tpm-ca.pem" \
	-purpose any -attime 1767323045 -out /dev/null
