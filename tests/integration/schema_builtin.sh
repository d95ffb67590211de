#!/bin/sh
# schema_builtin.sh - Kubernetes' own kinds are validated out of the box: a
# copy of the example in a temporary folder (no ../shared beside it, no
# --schema-location, no schemas/ with Kubernetes schemas) still refuses an
# unknown field and a value of the wrong type in a Deployment, in render
# (at the template line), check and validate, against the built-in schemas
# of tenantc.yaml's kubernetesVersion (docs/validation.md, "Built-in
# schemas"; the schemas are the API server's OpenAPI v3 documents made
# strict as kubeconform's -strict sets).
. "$(dirname "$0")/lib.sh"

R="$T/repo"
copy_example "$R"
# the realms' confidential clients need their Secrets, decrypted by the
# example's administrator key
SOPS_AGE_KEY_FILE="$SRC/keys/admin.agekey"
export SOPS_AGE_KEY_FILE
[ ! -e "$T/shared" ] && [ ! -e "$R/../shared" ] && ok "no ../shared beside the copy" ||
	bad "../shared is beside the copy"

# a valid Deployment renders
cat >"$R/templates/tenant/deployment.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${tenant.name}-${env.name}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: registry.example.com/web:1.0
          resources: {limits: {cpu: 500m, memory: 128Mi}}
          securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
EOF
run "$TENANTC" render --repo "$R"
expect "a valid Deployment renders with the built-in schemas" \
	'expect_status 0 && [ -f "$R/rendered/prod/tenants/acme/deployment-web.yaml" ]'
cp "$R/rendered/prod/tenants/acme/deployment-web.yaml" "$T/web.yaml"

# an unknown field and a wrong type: render names the template lines
sed -i 's/^  replicas: 2$/  replicas: "two"/; s/^          image: \(.*\)$/          image: \1\n          imagePullPolcy: Always/' \
	"$R/templates/tenant/deployment.yaml"
run "$TENANTC" render --repo "$R"
expect "render refuses a wrong type at the template line" \
	'expect_status 1 && expect_stderr "^templates/tenant/deployment.yaml:7:13: error: expected integer or null, got string \(at .spec.replicas\)"'
expect "render refuses an unknown field at the template line, with a did-you-mean" \
	'expect_stderr "^templates/tenant/deployment.yaml:15:11: error: unknown key '"'"'imagePullPolcy'"'"' \(did you mean '"'"'imagePullPolicy'"'"'\?\) \(at .spec.template.spec.containers\[0\].imagePullPolcy\)"'
run "$TENANTC" check --repo "$R" --worktree --no-verify
expect "check refuses them too" \
	'expect_status 1 && expect_stderr "^templates/tenant/deployment.yaml:7:13: error: expected integer or null, got string \(at .spec.replicas\)"'

# validate on rendered files, outside any repository
sed 's/^  replicas: 2$/  replicas: two/; s/^      - image: \(.*\)$/      - image: \1\n        bogus: 1/' "$T/web.yaml" >"$T/bad.yaml"
mkdir -p "$T/elsewhere"
run sh -c 'cd "$1" && "$2" validate "$3"' sh "$T/elsewhere" "$TENANTC" "$T/bad.yaml"
expect "validate refuses a wrong type in a Deployment without a schema location" \
	'expect_status 1 && expect_stderr_line "bad.yaml:[0-9]*:[0-9]*: error: .spec.replicas: expected integer or null, got string"'
expect "validate refuses an unknown field in a Deployment without a schema location" \
	'expect_stderr "error: .spec.template.spec.containers\[0\].bogus: unknown key '"'"'bogus'"'"'"'
run sh -c 'cd "$1" && "$2" validate "$3"' sh "$T/elsewhere" "$TENANTC" "$T/web.yaml"
expect "validate accepts the valid Deployment" 'expect_status 0'

# the version: another one is a different schema, an unknown one an error
printf 'apiVersion: networking.k8s.io/v1\nkind: ServiceCIDR\nmetadata: {name: extra}\nspec: {cidrs: [10.96.0.0/16]}\n' >"$T/cidr.yaml"
run "$TENANTC" validate --repo "$T/elsewhere" --kubernetes-version 1.34 "$T/cidr.yaml"
expect "ServiceCIDR networking.k8s.io/v1 is served by Kubernetes 1.34" 'expect_status 0'
run "$TENANTC" validate --repo "$T/elsewhere" --kubernetes-version 1.30 "$T/cidr.yaml"
expect "but not by 1.30, which names the version it serves" \
	'expect_status 1 && expect_stderr_line "cidr.yaml:1:13: error: .apiVersion: ServiceCIDR '"'"'networking.k8s.io/v1'"'"' cannot be applied: Kubernetes 1.30 does not serve ServiceCIDR in version v1; served: networking.k8s.io/v1alpha1$"'
cp "$SRC/templates/tenant/namespace.yaml" "$R/templates/tenant/namespace.yaml"
rm -f "$R/templates/tenant/deployment.yaml"
printf 'kubernetesVersion: "1.29"\n' >>"$R/tenantc.yaml"
line=$(grep -n '^kubernetesVersion' "$R/tenantc.yaml" | cut -d: -f1)
run "$TENANTC" render --repo "$R"
expect "a kubernetesVersion without built-in schemas is an error at the setting" \
	'expect_status 2 && expect_stderr_line "^tenantc.yaml:$line:20: error: Kubernetes version '"'"'1.29'"'"' is not one tenantc has schemas for: supported are 1.30, 1.31, 1.32, 1.33, 1.34"'
sed -i 's/^kubernetesVersion: "1.29"$/kubernetesVersion: "1.30"/' "$R/tenantc.yaml"
run "$TENANTC" render --repo "$R"
expect "kubernetesVersion 1.30 renders the example" 'expect_status 0'
finish
