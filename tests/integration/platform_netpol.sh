#!/bin/sh
# Properties of the example's tree that schemas cannot express, checked by
# platform_check.py (PyYAML, nothing of tenantc):
#  - no NetworkPolicy admits traffic from or to another tenant's namespace,
#    and every tenant namespace denies ingress and egress by default;
#  - no realm reconcile input holds a client secret: the Job mounts them
#    from a Secret;
#  - every Flux sourceRef, dependsOn and path, and every ArgoCD project,
#    path and destination, names an object or folder of the same tree, and
#    the Secret a realm's reconcile Job mounts is made from one that exists;
#  - every ConfigMap's content-hash annotation is the hash of its data;
#  - every workload holding a client secret (a confidential or
#    service-account client: globex's producer, the API) reaches Keycloak in
#    the cluster and at the issuer URL of its environment, and no other
#    workload, nor another port, is opened.
# Each check is also run on a broken copy, to show it can fail.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/platform_lib.sh"
PY=/usr/bin/python3
if ! "$PY" -c 'import yaml' 2>/dev/null; then
	echo "SKIP: /usr/bin/python3 without PyYAML (apt-get install python3-yaml)"
	exit 77
fi
CHECK="$(dirname "$0")/platform_check.py"

# the example plus the Secrets its realms' client secrets come from
copy_example "$T/repo"
add_realm_secrets "$T/repo"
SOPS_AGE_KEY_FILE="$SRC/keys/admin.agekey" "$TENANTC" render --repo "$T/repo" --out "$T/out" >/dev/null
if grep -rq 'plain-7f3a' "$T/out"; then bad "a client secret reached the tree in clear"; else ok "no client secret in clear anywhere in the tree"; fi
for c in netpol realm refs hashes keycloak; do
	if "$PY" "$CHECK" "$c" "$T/out" "$T/repo" >"$T/log" 2>&1; then
		ok "$(tail -n 1 "$T/log")"
	else
		bad "$c: $(head -n 5 "$T/log")"
	fi
done

# expect_found CHECK PATTERN: the check fails on $T/broken, naming PATTERN
expect_found() {
	run "$PY" "$CHECK" "$1" "$T/broken" "$T/repo"
	expect "$1 finds '$2'" 'expect_status 1 && grep -q -- "$1" "$T/stdout" "$T/stderr"' "$2"
}
fresh() { rm -rf "$T/broken"; cp -R "$T/out" "$T/broken"; }

fresh
cat >"$T/broken/prod/tenants/acme/networkpolicy-open.yaml" <<'YAML'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: open, namespace: acme-prod}
spec:
  podSelector: {}
  ingress:
    - from:
        - namespaceSelector:
            matchLabels: {tenantc.io/environment: prod}
YAML
expect_found netpol "selects the namespace 'globex-prod' of another tenant"
fresh
rm "$T/broken/test/tenants/initech/networkpolicy-default-deny.yaml"
expect_found netpol "namespace 'initech-test' has no default deny of Ingress"
fresh
sed -i 's/"clientId":"api-service"/"clientId":"api-service","secret":"s3cr3t"/g' "$T/broken"/prod/tenants/acme/configmap-acme-prod-realm-*.yaml
expect_found realm "client 'api-service' has an inline secret"
fresh
sed -i 's/name: platform\.prod$/name: platform-prod/' "$T/broken/prod/gitops/acme/kustomization-acme-prod.yaml"
expect_found refs "sourceRef GitRepository 'platform-prod' is not in prod/"
fresh
sed -i 's/^  project: acme-test$/  project: globex-test/' "$T/broken/test/gitops/acme/application-acme-test.yaml"
expect_found refs "is not allowed by project 'globex-test'"
fresh
rm "$T/broken/prod/tenants/globex/secret-realm-clients.yaml"
expect_found refs "reads Secret 'globex-prod/realm-clients', which is not in prod/"
fresh
sed -i 's/secretName: acme-test-realm-clients-.*$/secretName: acme-test-other/' "$T/broken"/test/tenants/acme/job-acme-test-realm-*.yaml
expect_found refs "mounts Secret 'acme-test-other', which nothing in test/ makes"
fresh
sed -i '/^      - producer$/d' "$T/broken/prod/tenants/globex/networkpolicy-allow-clients-to-keycloak.yaml"
expect_found keycloak "pods 'producer' cannot reach Keycloak's namespace 'keycloak' on port 8443"
fresh
sed -i 's/^      - producer$/      - producer\n      - frontend/' "$T/broken/test/tenants/globex/networkpolicy-allow-clients-to-keycloak.yaml"
expect_found keycloak "pods 'frontend' can reach Keycloak's namespace"
fresh
sed -i 's|cidr: 203.0.113.20/32|cidr: 203.0.113.21/32|' "$T/broken/test/tenants/acme/networkpolicy-allow-clients-to-keycloak.yaml"
expect_found keycloak "pods 'api-service' cannot reach the issuer https://sso.test.example.com at 203.0.113.20 on port 443"
fresh
sed -i 's/^    format: json$/    format: text/' "$T/broken/prod/tenants/acme/configmap-api-service.yaml"
expect_found hashes "is not the data's"
finish
