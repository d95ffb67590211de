#!/bin/sh
# The example templates in repositories other than the example: PRODUCT.md's
# own sample input (Flux to a remote cluster, with the realm's client
# secrets), an ArgoCD environment on a remote cluster with a nested output
# folder, a git@ URL and a tenant with nothing but its name, and a
# repository without repoURL. Each renders, passes the upstream schemas and
# kubectl kustomize, and the platform checks (isolation, realms, references,
# hashes), and each kustomization's objects go to one cluster. SKIP (77)
# without ../shared or PyYAML; kubectl is optional.
. "$(dirname "$0")/lib.sh"
UPSTREAM="${SHARED:-$SRC/../shared}/schemas-upstream"
if [ ! -d "$UPSTREAM" ]; then
	echo "SKIP: ../shared/schemas-upstream not found"
	exit 77
fi
JOBS=$(job_schemas "$UPSTREAM" "$T/job-schemas")
if ! /usr/bin/python3 -c 'import yaml' 2>/dev/null; then
	echo "SKIP: /usr/bin/python3 without PyYAML"
	exit 77
fi
CHECK="$(dirname "$0")/platform_check.py"
PROD_KEY=age1jngx62e79du6s5gpx7pfsdvf879ue2s0x9at3uhmumymtzyuxsqqktkk49
ADMIN_KEY=age1qc7c2duyzxptrjv8new2hvfj7cxzpvv4zj4vrffyezx0pwmu7pnqdp8r9s
export SOPS_AGE_KEY_FILE="$SRC/keys/admin.agekey"

# base REPO: the example's templates, schemas and the files they read
# (files/keycloak/reconcile.sh), nothing else
base() {
	mkdir -p "$1/environments" "$1/tenants"
	cp -R "$SRC/templates" "$SRC/schemas" "$SRC/files" "$1/"
}

# verify NAME REPO TREE: render, then every check on TREE
verify() {
	name=$1 repo=$2 tree=$3
	# the wiring of these repositories is judged here; isolation in
	# verify.sh (a Flux one would need the example's exception for its
	# gitops-applier)
	run "$TENANTC" render --repo "$repo" --no-verify
	expect_status 0 || { bad "$name: render failed: $why"; return; }
	ok "$name: $(cat "$T/stdout")"
	run "$TENANTC" validate --repo "$repo" --schema-location "$UPSTREAM" --schema-location "$JOBS" --strict "$tree"
	expect "$name: every object passes the upstream schemas" 'expect_status 0'
	for c in netpol realm refs hashes; do
		run /usr/bin/python3 "$CHECK" "$c" "$tree"
		expect "$name: $(tail -n 1 "$T/stdout")" 'expect_status 0'
	done
	if command -v kubectl >/dev/null 2>&1; then
		for env in $(cd "$tree" && ls -d */ | tr -d /); do
			for top in cluster gitops platform $(cd "$tree/$env" && echo tenants/*); do
				[ -f "$tree/$env/$top/kustomization.yaml" ] || continue
				run kubectl kustomize "$tree/$env/$top"
				expect "$name: kubectl kustomize $env/$top" 'expect_status 0'
			done
		done
		# each kustomization's objects go to one cluster (when GitOps
		# objects say where: not without repoURL)
		if grep -q '^repoURL:' "$repo/tenantc.yaml"; then
			run /usr/bin/python3 "$(dirname "$0")/platform_targets.py" "$tree" "${tree#"$repo"/}"
			expect "$name: $(tail -n 1 "$T/stdout"), each for one cluster" 'expect_status 0'
		fi
	fi
}

# 1. PRODUCT.md's sample, verbatim but for the keys
R="$T/product"
base "$R"
cat >"$R/tenantc.yaml" <<YAML
output: rendered
repoURL: https://github.com/example/platform.git
branch: main
sops:
  age: [$ADMIN_KEY]
YAML
cat >"$R/environments/prod.yaml" <<YAML
name: prod
domain: prod.example.com
gitops: flux
imagePolicy: production
cluster:
  name: worker01
  kubeConfigSecret: kubeconfig
sops:
  age: [$PROD_KEY]
values: {}
YAML
mkdir -p "$R/tenants/acme/secrets"
cat >"$R/tenants/acme/tenant.yaml" <<'YAML'
name: acme
displayName: ACME GmbH
environments: [prod]
realm:
  roles: [reader, writer]
  clients:
    - clientId: api-service
      type: confidential
    - clientId: frontend
      type: public
      redirectUris: ["https://acme.prod.example.com/*"]
network:
  egress:
    - cidr: 10.10.0.0/24
      ports: [5432]
values: {}
YAML
printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: realm-clients\nstringData:\n  api-service: product-plain-7f3a\n' >"$T/plain.yaml"
"$TENANTC" secret encrypt --repo "$R" -o "$R/tenants/acme/secrets/realm-clients.yaml" "$T/plain.yaml"
rm -f "$T/plain.yaml"
verify "PRODUCT.md sample" "$R" "$R/rendered"
if grep -rq 'product-plain-7f3a' "$R/rendered"; then
	bad "PRODUCT.md sample: a client secret in clear"
else
	ok "PRODUCT.md sample: no client secret in clear"
fi
grep -q 'name: kubeconfig' "$R/rendered/prod/gitops/acme/kustomization-acme-prod.yaml" &&
	ok "PRODUCT.md sample: the tenant's Kustomization applies to worker01 by kubeConfig" ||
	bad "PRODUCT.md sample: no kubeConfig in the tenant's Kustomization"

# 2. ArgoCD on a remote cluster, nested output, git@ URL, a bare tenant
R="$T/argo"
base "$R"
cat >"$R/tenantc.yaml" <<'YAML'
output: out/tree
repoURL: git@github.com:example/platform.git
branch: release
YAML
cat >"$R/environments/stage.yaml" <<'YAML'
name: stage
domain: stage.example.org
gitops: argocd
imagePolicy: developer
cluster: {name: far-away, kubeConfigSecret: unused}
YAML
mkdir -p "$R/tenants/bare" "$R/tenants/web/files/site/conf.d" "$R/out"
echo "name: bare" >"$R/tenants/bare/tenant.yaml"
printf 'name: web\nrealm:\n  roles: [user]\n  clients: [{clientId: ui, type: public}]\nnetwork:\n  egress: [{cidr: "2001:db8::/64", ports: [443]}]\n' >"$R/tenants/web/tenant.yaml"
echo 'server {}' >"$R/tenants/web/files/site/conf.d/default.conf"
verify "ArgoCD remote" "$R" "$R/out/tree"
app="$R/out/tree/stage/gitops/web/application-web-stage.yaml"
grep -q 'name: far-away' "$app" && grep -q 'path: out/tree/stage/tenants/web' "$app" &&
	ok "ArgoCD remote: the Application targets far-away at the nested path" ||
	bad "ArgoCD remote: wrong destination or path"
grep -q 'conf.d_default.conf:' "$R/out/tree/stage/tenants/web/configmap-site.yaml" &&
	ok "ArgoCD remote: a nested file becomes key conf.d_default.conf" || bad "ArgoCD remote: nested file key"
[ "$(ls "$R/out/tree/stage/tenants/bare" | grep -c networkpolicy)" -eq 6 ] &&
	[ ! -e "$R/out/tree/stage/tenants/bare/keycloakrealmimport-bare-stage.yaml" ] &&
	ok "ArgoCD remote: a tenant with only a name gets six policies and no realm" ||
	bad "ArgoCD remote: the bare tenant's objects"

# 3. no repoURL: no GitOps objects, nothing dangling
R="$T/plain"
base "$R"
printf 'name: dev\ndomain: dev.example.com\ngitops: flux\nimagePolicy: developer\n' >"$R/environments/dev.yaml"
mkdir -p "$R/tenants/solo"
echo "name: solo" >"$R/tenants/solo/tenant.yaml"
verify "no repoURL" "$R" "$R/rendered"
[ ! -e "$R/rendered/dev/gitops" ] && [ ! -e "$R/rendered/dev/platform" ] &&
	ok "no repoURL: no GitOps objects" || bad "no repoURL: GitOps objects without a source"
finish
