#!/bin/sh
# make-trust-anchors.sh - writes files/linkerd/<env>-trust-anchor.crt, a new
# Linkerd trust anchor (ECDSA P-256 root, CA:TRUE pathlen:1) per
# environment, valid from 2025-01-01 for ten years. The private keys are
# made in a temporary folder and deleted: in a real platform they live in
# the environment's offline CA (or cert-manager's issuer), never here.
set -eu
cd "$(dirname "$0")"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
umask 077
cat >"$W/ca.cnf" <<'CNF'
[ca]
default_ca = anchor
[anchor]
database = $ENV::W/index.txt
new_certs_dir = $ENV::W
serial = $ENV::W/serial
default_md = sha256
policy = any
x509_extensions = root
copy_extensions = none
[any]
commonName = supplied
[root]
basicConstraints = critical, CA:TRUE, pathlen:1
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
CNF
for env in staging prod; do
	: >"$W/index.txt"
	openssl rand -hex 16 >"$W/serial"
	openssl ecparam -name prime256v1 -genkey -noout -out "$W/$env.key"
	openssl req -new -key "$W/$env.key" -subj /CN=root.linkerd.cluster.local -out "$W/$env.csr"
	W="$W" openssl ca -batch -notext -selfsign -config "$W/ca.cnf" -keyfile "$W/$env.key" \
		-startdate 20250101000000Z -enddate 20350101000000Z \
		-in "$W/$env.csr" -out "files/linkerd/$env-trust-anchor.crt" 2>/dev/null
done
