#!/bin/sh
# schema_import.sh TENANTC SCHEMAS_UPSTREAM - `tenantc schema import` on the
# upstream CRDs must reproduce ../shared/schemas-upstream/crd-json byte for
# byte (the same conversion rules, canonical JSON), a second import must
# change nothing, a file that is not a CRD must be refused with exit 2, and
# objects must validate against the imported folder.
set -u
tenantc=${1:?usage: schema_import.sh TENANTC SCHEMAS_UPSTREAM}
up=${2:?usage: schema_import.sh TENANTC SCHEMAS_UPSTREAM}
[ -d "$up/crds" ] || { echo "SKIP: $up not found"; exit 77; }
tmp=$(mktemp -d) || exit 3
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0 passed=0

check() { # name, then a command that must succeed
	name=$1; shift
	if "$@"; then passed=$((passed + 1)); echo "ok   $name"; else fail=$((fail + 1)); echo "FAIL $name"; fi
}

"$tenantc" schema import --out "$tmp/s" "$up"/crds/*.yaml "$up"/crds/*.yml >"$tmp/out" 2>&1
check "import succeeds" grep -q '^imported 13 schemas into' "$tmp/out"
same=1
for f in $(cd "$up/crd-json" && find . -name '*.json' | sort); do
	cmp -s "$tmp/s/crd-json/$f" "$up/crd-json/$f" || { echo "     differs: $f"; same=0; }
done
check "import reproduces crd-json byte for byte" [ "$same" = 1 ]
cp -r "$tmp/s" "$tmp/s1"
"$tenantc" schema import --out "$tmp/s" "$up"/crds/*.yaml "$up"/crds/*.yml >/dev/null 2>&1
check "a second import changes nothing" diff -r "$tmp/s" "$tmp/s1"

printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n' >"$tmp/cm.yaml"
rc=0
"$tenantc" schema import --out "$tmp/s" "$tmp/cm.yaml" 2>"$tmp/err" || rc=$?
check "a file without CRDs is refused with exit 2" [ "$rc" = 2 ]
check "the refusal names the document" grep -q "cm.yaml:1:1: error: not a CustomResourceDefinition" "$tmp/err"

cat >"$tmp/obj.yaml" <<'EOY'
apiVersion: k8s.keycloak.org/v2alpha1
kind: KeycloakRealmImport
metadata: {name: acme-prod, namespace: keycloak}
spec:
  keycloakCRName: keycloak
  realm: {realm: acme-prod, enabled: true}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: acme, namespace: flux-system}
spec:
  interval: 10m
  prune: true
  sourceRef: {kind: GitRepository, name: platform}
  decryption: {provider: sops}
EOY
rc=0
"$tenantc" validate --strict --schema-location "$tmp/s" "$tmp/obj.yaml" 2>"$tmp/err" || rc=$?
check "objects validate against the imported folder" [ "$rc" = 0 ]
[ "$rc" = 0 ] || cat "$tmp/err"
echo "$passed passed, $fail failed"
[ "$fail" = 0 ]
