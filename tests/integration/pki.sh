# tests/integration/pki.sh - a throwaway PKI made with the openssl command
# line at test time (sourced): a CA, signers and their detached CMS
# signatures, with validity periods fixed by date (openssl ca -startdate
# -enddate), so that no test depends on the clock. Nothing it makes is
# committed; every key lives in the test's temporary folder.
#
#	pki_init DIR
#	pki_ca DIR NAME START END              DIR/NAME.key, DIR/NAME.pem (a root CA)
#	pki_cert DIR CA NAME START END EXT     a certificate issued by CA; EXT is
#	                                       sign (digitalSignature, codeSigning),
#	                                       email (emailProtection only) or
#	                                       encipher (keyEncipherment only)
#	pki_sign DIR SIGNER FILE [SIG]         SIG (default FILE.p7s): a detached DER signature
# Dates are openssl's YYYYMMDDHHMMSSZ.

pki_init() {
	mkdir -p "$1/db"
	: >"$1/db/index.txt"
	echo 1000 >"$1/db/serial"
	cat >"$1/openssl.cnf" <<CNF
[ca]
default_ca = test_ca
[test_ca]
dir = $1/db
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
[anything]
commonName = supplied
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
[email_ext]
basicConstraints = CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = emailProtection
[encipher_ext]
basicConstraints = CA:false
keyUsage = critical, keyEncipherment
CNF
}

_pki_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

pki_ca() { # dir name start end
	_pki_key "$1/$2.key"
	openssl req -new -config "$1/openssl.cnf" -key "$1/$2.key" -subj "/CN=$2" -out "$1/$2.csr"
	openssl ca -batch -notext -config "$1/openssl.cnf" -selfsign -keyfile "$1/$2.key" \
		-in "$1/$2.csr" -startdate "$3" -enddate "$4" -extensions ca_ext \
		-out "$1/$2.pem" 2>/dev/null
}

pki_cert() { # dir ca name start end ext
	_pki_key "$1/$3.key"
	openssl req -new -config "$1/openssl.cnf" -key "$1/$3.key" -subj "/CN=$3" -out "$1/$3.csr"
	openssl ca -batch -notext -config "$1/openssl.cnf" -cert "$1/$2.pem" -keyfile "$1/$2.key" \
		-in "$1/$3.csr" -startdate "$4" -enddate "$5" -extensions "$6_ext" \
		-out "$1/$3.pem" 2>/dev/null
}

pki_sign() { # dir signer file [sig]
	openssl cms -sign -binary -outform DER -md sha256 -signer "$1/$2.pem" -inkey "$1/$2.key" \
		-in "$3" -out "${4:-$3.p7s}"
}
