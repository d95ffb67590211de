#!/bin/sh
# tests/interop/kustomize_binary.sh - kubectl's kustomize reads a ConfigMap
# that tenantc rendered from a binary file: the example repository with a
# file that is not UTF-8 (an icon with NUL and 0xFF bytes) renders it into
# binaryData, `kubectl kustomize` builds the tenant's folder, and the bytes
# decoded from its output are the file's bytes.
#
# kubectl: the one on PATH, else the pinned peer (peer_kubectl.sh, built
# into the peer cache); without either the test prints SKIP and exits 77.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
# the peer is found before lib.sh gives the test a private HOME
if command -v kubectl >/dev/null 2>&1; then
	KUBECTL=$(command -v kubectl)
else
	KUBECTL=$(sh "$HERE/peer_kubectl.sh") || { echo "$KUBECTL"; exit 77; }
fi
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 is needed to read kubectl's output"; exit 77; }
. "$SRC/tests/integration/lib.sh"
copy_example "$T/repo"
printf '\000\001\002\377\376icon\r\n\032' >"$T/repo/tenants/acme/files/frontend/favicon.ico"
run "$TENANTC" render --repo "$T/repo" --out "$T/out"
expect "the repository with a binary file renders" 'expect_status 0'
run "$KUBECTL" kustomize "$T/out/prod/tenants/acme"
expect "kubectl kustomize builds the tenant's folder" 'expect_status 0'
cp "$T/stdout" "$T/built.yaml"
run python3 - "$T/built.yaml" "$T/repo/tenants/acme/files/frontend/favicon.ico" <<'PY'
import base64, sys
import yaml
want = open(sys.argv[2], "rb").read()
for doc in yaml.safe_load_all(open(sys.argv[1])):
    if doc and doc.get("kind") == "ConfigMap" and doc["metadata"]["name"] == "frontend":
        got = base64.b64decode(doc["binaryData"]["favicon.ico"])
        assert got == want, "binaryData does not hold the file's bytes"
        assert "nginx.conf" in doc["data"], "the text file left data"
        sys.exit(0)
sys.exit("no ConfigMap frontend in kubectl kustomize's output")
PY
expect "kubectl kustomize reads the binary file back byte for byte" 'expect_status 0 || { why=$(cat "$T/stderr"); false; }'
finish
