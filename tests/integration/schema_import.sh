#!/bin/sh
# schema_import.sh TENANTC SCHEMAS_UPSTREAM - `tenantc schema import` on the
# upstream CRDs must reproduce ../shared/schemas-upstream/crd-json byte for
# byte (the same conversion rules, canonical JSON), a second import must
# change nothing, a file that is not a CRD must be refused with exit 2, and
# objects must validate against the imported folder.
up=${2:?usage: schema_import.sh TENANTC SCHEMAS_UPSTREAM}
TENANTC=${1:?usage: schema_import.sh TENANTC SCHEMAS_UPSTREAM}
SRC=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$(dirname "$0")/lib.sh"
[ -d "$up/crds" ] || { echo "SKIP: $up not found"; exit 77; }
tenantc=$TENANTC tmp=$T

run "$tenantc" schema import --out "$tmp/s" "$up"/crds/*.yaml "$up"/crds/*.yml
expect "import succeeds" 'expect_stdout "^imported 13 schemas into"'
same=1
for f in $(cd "$up/crd-json" && find . -name '*.json' | sort); do
	cmp -s "$tmp/s/crd-json/$f" "$up/crd-json/$f" || { echo "     differs: $f"; same=0; }
done
expect "import reproduces crd-json byte for byte" '[ "$same" = 1 ]'
cp -r "$tmp/s" "$tmp/s1"
run "$tenantc" schema import --out "$tmp/s" "$up"/crds/*.yaml "$up"/crds/*.yml
expect "a second import changes nothing" 'diff -r "$tmp/s" "$tmp/s1"'

printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n' >"$tmp/cm.yaml"
run "$tenantc" schema import --out "$tmp/s" "$tmp/cm.yaml"
expect "a file without CRDs is refused with exit 2" 'expect_status 2'
expect "the refusal names the document" 'expect_stderr "cm.yaml:1:1: error: not a CustomResourceDefinition"'

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
  sourceRef: {kind: GitRepository, name: flux-system}
  decryption: {provider: sops}
EOY
run "$tenantc" validate --strict --schema-location "$tmp/s" "$tmp/obj.yaml"
expect "objects validate against the imported folder" 'expect_status 0'
finish
