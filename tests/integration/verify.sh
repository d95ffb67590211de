#!/bin/sh
# The isolation verifier in tenantc check (docs/verify.md): the example
# passes it (no finding, its one exception used), and for each invariant a violation
# planted in a copy of the example, reported at the planted template with
# its field path and exit 1; exceptions, --no-verify, --explain and
# --format json; the verifier in render.
. "$(dirname "$0")/lib.sh"

# summary: "FILE RULE KIND ENV/NS/NAME PATH" for each finding of stderr
summary() {
	sed -nE 's/^([^:]+):[0-9]+:[0-9]+: error: ((network|rbac|gitops|admission|realm|secrets)\.[a-z-]+): ([A-Za-z]+) ([^ ]+) .*\(at ([^)]*)\)$/\1 \2 \4 \5 \6/p' \
		"$T/stderr" | LC_ALL=C sort
}

# the example's tenantc.yaml without its verify section (the exception
# for the Flux applier's Secrets)
example_settings() {
	sed '/^# The isolation verifier of .tenantc check./,$d' "$SRC/tenantc.yaml"
}

# a checked copy of the example, rendered and committed, plus $2 as a
# template file templates/tenant/planted.yaml (when given)
fresh() {
	R="$T/$1"
	copy_example "$R"
	[ -z "${2:-}" ] || printf '%s\n' "$2" >"$R/templates/tenant/planted.yaml"
	# render verifies too: planted violations are rendered without it, for check to judge
	"$TENANTC" render --no-verify --repo "$R" >/dev/null 2>"$T/render.err" || { bad "$1: render: $(cat "$T/render.err")"; return 1; }
	git_commit_all "$R"
}

# The example passes: its templates confine every tenant (no finding), and
# the one exception of its tenantc.yaml is used.
fresh example || finish
run env -C "$R" "$TENANTC" check
expect "the example: no finding, exit 0" 'expect_status 0 && expect_stderr_empty'
grep -q "^tenantc check: 'rendered' (index) is up to date" "$T/stdout" &&
	ok "drift is reported apart: the tree is up to date" || bad "stdout: $(cat "$T/stdout")"
if grep -q 'enabled: *false' "$R/tenantc.yaml"; then bad "the example turns the verifier off"; else ok "the example keeps the verifier on"; fi

run env -C "$R" "$TENANTC" check --no-verify
expect "--no-verify leaves the verifier out for one run" 'expect_status 0 && expect_stderr_empty'

run env -C "$R" "$TENANTC" check --explain
expect "--explain prints the allowed flows, rights and exceptions" 'expect_status 0 &&
	expect_stdout "^allowed flows \([0-9]+\)$" &&
	expect_stdout "^acme-prod +egress +app.kubernetes.io/name=api-service -> 10.10.0.0/24 +TCP/5432 +allow-api-egress$" &&
	expect_stdout "^acme-prod +egress +all pods -> k8s-app=kube-dns \(kube-system\) +UDP/53,TCP/53 +allow-dns$" &&
	expect_stdout "^acme-prod +ingress +all pods \(ingress-nginx\) -> app.kubernetes.io/name=frontend +TCP/8080 +allow-ingress-to-frontend$" &&
	expect_stdout "^rights \([0-9]+\)$" &&
	expect_stdout "^acme-prod +ServiceAccount:acme-prod:realm-clients-reader +read +acme-prod +Role/realm-clients-reader$" &&
	expect_stdout "^rbac.secrets +\* +gitops-applier +used +Flux applies"'

run env -C "$R" "$TENANTC" check --format json
expect "--format json gives findings, flows and rights to tools" 'expect_status 0 &&
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"findings\"] == []; assert d[\"flows\"] and d[\"rights\"] and d[\"exceptions\"]" "$T/stdout"'

run env -C "$R" "$TENANTC" check --format yaml
expect "--format takes text or json" 'expect_status 2 && expect_stderr_first "--format: error: '"'"'yaml'"'"' is not text or json"'

# without its exceptions the example has exactly the findings it accepts:
# the Flux applier of each prod tenant writes (so reads) its Secrets, and
# the applier of globex's apps creates Deployments (which can mount them)
cat >"$T/known" <<'EOF'
templates/tenant/apps-flux.yaml rbac.secrets RoleBinding prod/globex-prod/apps-applier .roleRef
templates/tenant/gitops-applier.yaml rbac.secrets RoleBinding prod/acme-prod/gitops-applier .roleRef
templates/tenant/gitops-applier.yaml rbac.secrets RoleBinding prod/globex-prod/gitops-applier .roleRef
EOF
example_settings >"$R/tenantc.yaml"
run env -C "$R" "$TENANTC" check --worktree
summary >"$T/got"
expect "the example's exceptions cover exactly the Flux appliers" 'expect_status 1 &&
	{ cmp -s "$T/known" "$T/got" || { why="findings differ: $(diff "$T/known" "$T/got" | head -n 8 | tr "\n" " ")"; false; }; }'
grep -q "^tenantc check: the verifier found 3 violations of tenant isolation" "$T/stderr" &&
	ok "the summary counts them" || bad "summary line: $(tail -n 1 "$T/stderr")"

sed '/^  exceptions:$/a\
    - {rule: gitops.flux-identity, reason: nothing to cover}' "$SRC/tenantc.yaml" >"$R/tenantc.yaml"
run env -C "$R" "$TENANTC" check --worktree
expect "an exception that covers nothing is a warning" 'expect_status 0 &&
	expect_stderr "^tenantc.yaml:[0-9]+:[0-9]+: warning: the exception for .gitops.flux-identity. covers no finding"'

example_settings >"$R/tenantc.yaml"
printf 'verify:\n  exceptions:\n    - {rule: network.egress, cidr: 10.0.0.0/8}\n' >>"$R/tenantc.yaml"
run env -C "$R" "$TENANTC" check --worktree
expect "an exception without a reason is refused by the schema" 'expect_status 1 &&
	expect_stderr "^tenantc.yaml:[0-9]+:[0-9]+: error: .*reason"'

example_settings >"$R/tenantc.yaml"
printf 'verify: {enabled: false}\n' >>"$R/tenantc.yaml"
run env -C "$R" "$TENANTC" check --worktree
expect "verify.enabled: false turns it off for the repository" 'expect_status 0 && expect_stderr_empty'

# render runs the verifier too (docs/verify.md, "In render"): a finding is
# an error, exit 1, and the output folder is left as it was
fresh render-verify || finish
sum_tree() { (cd "$R/rendered" && find . -type f | LC_ALL=C sort | xargs sha256sum) | sha256sum; }
export TENANTC_CACHE_DIR="$T/render-cache"
run "$TENANTC" render --repo "$R" --rev HEAD
expect "render of the example verifies and passes" 'expect_status 0 && expect_stderr_empty &&
	expect_stdout "^rendered 2 environments"'
printf '%s\n' '$if: tenant.name == '"'globex'"'
then:
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata: {name: devs-edit, namespace: '"'"'${tenant.name}-${env.name}'"'"'}
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
    subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: globex-devs}]
else: []' >"$R/templates/tenant/planted.yaml"
(cd "$R" && git add -A && git commit -q -m planted)
before=$(sum_tree)
run "$TENANTC" render --repo "$R" --rev HEAD
expect "a render with a finding exits 1 and writes nothing" 'expect_status 1 &&
	expect_stderr "^templates/tenant/planted.yaml:[0-9]+:[0-9]+: error: rbac.secrets: RoleBinding prod/globex-prod/devs-edit" &&
	expect_stderr "^tenantc render: the verifier found 4 violations of tenant isolation \(docs/verify.md\); nothing was written$" &&
	expect_stdout_empty'
[ "$(sum_tree)" = "$before" ] && ok "the output folder is byte for byte as it was" || bad "the render changed the output folder"
run "$TENANTC" render --repo "$R" --rev HEAD --no-verify
expect "render --no-verify writes the tree" 'expect_status 0 && expect_stderr_empty'
run "$TENANTC" render --repo "$R" --rev HEAD --no-verify
expect "a second render keeps every tenant" 'expect_status 0 && expect_stdout "3 tenants unchanged"'
run "$TENANTC" render --repo "$R" --rev HEAD
expect "a violation in a kept tenant is found from its rendered file" 'expect_status 1 &&
	expect_stderr "/rendered/prod/tenants/globex/rolebinding-devs-edit.yaml:[0-9]+:[0-9]+: error: rbac.secrets: RoleBinding prod/globex-prod/devs-edit" &&
	expect_stderr "found 4 violations"'
rm -rf "$T/o-cache"
run "$TENANTC" render --repo "$R" --rev HEAD --out "$T/o-cache"
expect "and in a tenant taken from the cache into another folder, which is not created" 'expect_status 1 &&
	expect_stderr "o-cache/test/tenants/globex/rolebinding-devs-edit.yaml:[0-9]+:[0-9]+: error: rbac.secrets" &&
	[ ! -e "$T/o-cache/test" ]'
run "$TENANTC" render --repo "$R" --rev HEAD --tenant globex --out "$T/o-part"
expect "a partial render (--tenant) does not verify" 'expect_status 0 && expect_stderr_empty'
run "$TENANTC" render --repo "$R" --rev HEAD --stdout --env test --tenant globex --folder tenants
expect "nor does a stream (the ArgoCD plugin's)" 'expect_status 0 && expect_stderr_empty'
unset TENANTC_CACHE_DIR

# planted violations, one per invariant: each at the planted template
plant() { # NAME TEMPLATE RULE SUMMARY-LINE
	fresh "$1" "$2" || return 0
	run env -C "$R" "$TENANTC" check
	summary >"$T/got"
	expect "$1: reported as $3 at the planted template, exit 1" 'expect_status 1 &&
		{ grep -qxF "$4" "$T/got" || { why="no \"$4\" in: $(grep planted "$T/got" | tr "\n" " ")"; false; }; }' "$@"
}

plant cross-tenant-netpol "$(cat <<'EOF'
$if: tenant.name == 'acme'
then:
  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: from-globex, namespace: '${tenant.name}-${env.name}'}
    spec:
      podSelector: {}
      policyTypes: [Ingress]
      ingress:
        - from:
            - namespaceSelector:
                matchLabels: {tenantc.io/tenant: globex}
else: []
EOF
)" network.cross-tenant \
	"templates/tenant/planted.yaml network.cross-tenant NetworkPolicy prod/acme-prod/from-globex .spec.ingress[0].from[0].namespaceSelector"

plant open-egress "$(cat <<'EOF'
$if: tenant.name == 'acme'
then:
  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: to-world, namespace: '${tenant.name}-${env.name}'}
    spec:
      podSelector: {}
      policyTypes: [Egress]
      egress:
        - to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}]
else: []
EOF
)" network.egress \
	"templates/tenant/planted.yaml network.egress NetworkPolicy prod/acme-prod/to-world .spec.egress[0].to[0].ipBlock.cidr"

# the environment's Keycloak issuer (values.keycloak.issuerCidrs) is the
# platform's on the port of values.keycloak.url only: the example's
# allow-clients-to-keycloak is no finding, the issuer on another port is
plant issuer-other-port "$(cat <<'EOF'
$if: tenant.name == 'acme'
then:
  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: to-issuer-ssh, namespace: '${tenant.name}-${env.name}'}
    spec:
      podSelector: {}
      policyTypes: [Egress]
      egress:
        - to: [{ipBlock: {cidr: 203.0.113.10/32}}]
          ports: [{protocol: TCP, port: 22}]
else: []
EOF
)" network.egress \
	"templates/tenant/planted.yaml network.egress NetworkPolicy prod/acme-prod/to-issuer-ssh .spec.egress[0].to[0].ipBlock.cidr"

plant appproject-keycloak "$(cat <<'EOF'
$if: tenant.name == 'acme' && env.name == 'test'
then:
  - apiVersion: argoproj.io/v1alpha1
    kind: AppProject
    metadata: {name: acme-extra, namespace: argocd}
    spec:
      destinations: [{namespace: keycloak, server: 'https://kubernetes.default.svc'}]
      namespaceResourceWhitelist: [{group: '', kind: ConfigMap}]
  - apiVersion: argoproj.io/v1alpha1
    kind: Application
    metadata: {name: acme-extra, namespace: argocd}
    spec:
      project: acme-extra
      destination: {namespace: keycloak, server: 'https://kubernetes.default.svc'}
      source: {repoURL: 'https://github.com/example/platform.git', path: x}
else: []
EOF
)" gitops.destination \
	"templates/tenant/planted.yaml gitops.destination AppProject test/argocd/acme-extra .spec.destinations[0].namespace"

plant rolebinding-edit "$(cat <<'EOF'
$if: tenant.name == 'globex'
then:
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata: {name: devs-edit, namespace: '${tenant.name}-${env.name}'}
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
    subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: globex-devs}]
else: []
EOF
)" rbac.secrets \
	"templates/tenant/planted.yaml rbac.secrets RoleBinding prod/globex-prod/devs-edit .roleRef"

# a tenant's own application that escapes its namespace (the example's
# templates/tenant/apps-flux.yaml and templates/gitops/argocd-apps.yaml
# confine globex's apps): a Flux app Kustomization of globex whose
# targetNamespace is acme's (Flux: targetNamespace places every object), one
# that borrows the platform's GitRepository from flux-system (a cross-namespace
# sourceRef, which --no-cross-namespace-refs refuses), and an apps AppProject whose destinations add acme's namespace (ArgoCD
# "Projects": an Application deploys wherever its project's destinations allow)
plant app-target-namespace "$(cat <<'EOF'
$if: tenant.name == 'globex' && env.gitops == 'flux'
then:
  - apiVersion: kustomize.toolkit.fluxcd.io/v1
    kind: Kustomization
    metadata: {name: escape, namespace: '${tenant.name}-${env.name}'}
    spec:
      interval: 10m
      path: deploy
      prune: true
      sourceRef: {kind: GitRepository, name: storefront}
      serviceAccountName: apps-applier
      targetNamespace: acme-${env.name}
else: []
EOF
)" gitops.flux-namespace \
	"templates/tenant/planted.yaml gitops.flux-namespace Kustomization prod/globex-prod/escape .spec.targetNamespace"

plant app-cross-source "$(cat <<'EOF'
$if: tenant.name == 'globex' && env.gitops == 'flux'
then:
  - apiVersion: kustomize.toolkit.fluxcd.io/v1
    kind: Kustomization
    metadata: {name: borrowed, namespace: '${tenant.name}-${env.name}'}
    spec:
      interval: 10m
      path: deploy
      prune: true
      sourceRef:
        kind: GitRepository
        name: platform.${env.name}
        namespace: flux-system
      serviceAccountName: apps-applier
      targetNamespace: ${tenant.name}-${env.name}
else: []
EOF
)" gitops.flux-source \
	"templates/tenant/planted.yaml gitops.flux-source Kustomization prod/globex-prod/borrowed .spec.sourceRef.namespace"

# Flux's Kustomization reference ("Role-based access control"): the
# ServiceAccount is impersonated in the Kustomization's own namespace, so a
# Kustomization of flux-system naming the tenant namespace's applier runs as
# nobody the render made
plant flux-account-elsewhere "$(cat <<'EOF'
$if: tenant.name == 'globex' && env.gitops == 'flux'
then:
  - apiVersion: kustomize.toolkit.fluxcd.io/v1
    kind: Kustomization
    metadata: {name: 'globex-${env.name}.elsewhere', namespace: flux-system}
    spec:
      interval: 10m
      path: ./rendered/${env.name}/tenants/globex
      prune: true
      sourceRef: {kind: GitRepository, name: 'platform.${env.name}'}
      serviceAccountName: gitops-applier
      targetNamespace: ${tenant.name}-${env.name}
else: []
EOF
)" gitops.flux-account \
	"templates/tenant/planted.yaml gitops.flux-account Kustomization prod/flux-system/globex-prod.elsewhere .spec.serviceAccountName"

plant app-project-destination "$(cat <<'EOF'
$if: tenant.name == 'globex' && env.gitops == 'argocd'
then:
  - apiVersion: argoproj.io/v1alpha1
    kind: AppProject
    metadata: {name: globex-test.escape, namespace: argocd}
    spec:
      sourceRepos: ['https://github.com/globex/shop.git']
      destinations:
        - {namespace: globex-test, server: 'https://kubernetes.default.svc'}
        - {namespace: acme-test, server: 'https://kubernetes.default.svc'}
      clusterResourceWhitelist: []
      namespaceResourceWhitelist: [{group: apps, kind: Deployment}]
  - apiVersion: argoproj.io/v1alpha1
    kind: Application
    metadata: {name: globex-test.escape, namespace: argocd}
    spec:
      project: globex-test.escape
      destination: {namespace: globex-test, server: 'https://kubernetes.default.svc'}
      source: {repoURL: 'https://github.com/globex/shop.git', path: deploy, targetRevision: main}
else: []
EOF
)" gitops.destination \
	"templates/tenant/planted.yaml gitops.destination AppProject test/argocd/globex-test.escape .spec.destinations[1].namespace"

plant namespace-unsigned "$(cat <<'EOF'
$if: tenant.name == 'initech'
then:
  - apiVersion: v1
    kind: Namespace
    metadata:
      name: '${tenant.name}-${env.name}-batch'
      labels: {tenantc.io/tenant: '${tenant.name}', tenantc.io/environment: '${env.name}'}
else: []
EOF
)" admission.kyverno \
	"templates/tenant/planted.yaml admission.kyverno Namespace test/initech-test-batch .metadata.labels"
grep -qxF "templates/tenant/planted.yaml network.default-deny Namespace test/initech-test-batch .metadata.name" "$T/got" &&
	ok "namespace-unsigned: the new namespace has no default deny either" || bad "default deny: $(grep planted "$T/got")"

# the realm invariant (docs/verify.md, "Realms"): a prod realm trusts only
# prod hosts. A test host among the prod redirect URIs of tenant.yaml is no
# input error (render --stdout makes it) but a finding of check, at the
# template that wrote the realm's JSON, naming the line of tenant.yaml
R="$T/realm-tenant"
copy_example "$R"
sed -i 's|redirectUris: \["https://acme.prod.example.com/\*", "https://shop.acme.example/\*"\]|redirectUris: ["https://acme.prod.example.com/*", "https://shop.acme.example/*", "https://acme.test.example.com/*"]|' \
	"$R/tenants/acme/tenant.yaml"
grep -q '"https://acme.test.example.com/\*"\]$' "$R/tenants/acme/tenant.yaml" || bad "could not plant the test host into acme's prod redirect URIs"
planted=$(grep -n '"https://acme.test.example.com/\*"\]$' "$R/tenants/acme/tenant.yaml" | head -n 1 | cut -d: -f1)
run "$TENANTC" render --repo "$R" --stdout --tenant acme --env prod
expect "realm-tenant-yaml: a foreign host is not an input error of the partial render" 'expect_status 0 &&
	expect_stdout_has "https://acme.test.example.com/*"'
"$TENANTC" render --no-verify --repo "$R" >/dev/null 2>"$T/render.err" || bad "realm-tenant-yaml: render: $(cat "$T/render.err")"
git_commit_all "$R"
run env -C "$R" "$TENANTC" check
summary >"$T/got"
expect "realm-tenant-yaml: reported as realm.cross-environment, exit 1" 'expect_status 1 &&
	grep -Eqx "templates/tenant/keycloak-realm.yaml realm.cross-environment ConfigMap prod/keycloak/acme-prod-realm-[0-9a-f]{10} .data.client-frontend.redirectUris\[2\]" "$T/got" &&
	expect_stderr "trusts host .acme.test.example.com. \(redirect URI .https://acme.test.example.com/\*.\) of environment .test. \(domain .test.example.com.\).*it is written at tenants/acme/tenant.yaml:$planted:[0-9]+ " &&
	[ "$(wc -l <"$T/got")" -eq 1 ]'
run env -C "$R" "$TENANTC" check --format json
expect "realm-tenant-yaml: --format json names the rule and the path" 'expect_status 1 &&
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); f=d[\"findings\"]; assert [x[\"rule\"] for x in f] == [\"realm.cross-environment\"], f; assert f[0][\"path\"] == \".data.client-frontend.redirectUris[2]\"; assert any(h[\"host\"] == \"shop.acme.example\" and h[\"trust\"] == \"trustedHosts\" for h in d[\"hosts\"])" "$T/stdout"'
run "$TENANTC" render --repo "$R"
expect "realm-tenant-yaml: a full render verifies and writes nothing" 'expect_status 1 &&
	expect_stderr "error: realm.cross-environment: ConfigMap prod/keycloak/acme-prod-realm-" &&
	expect_stderr "nothing was written$"'
# trustedHosts of the prod section does not make a test host a prod host;
# only the platform's exception, with its reason, does
sed -i 's|trustedHosts: \[shop.acme.example\]|trustedHosts: [shop.acme.example, acme.test.example.com]|' "$R/tenants/acme/tenant.yaml"
run env -C "$R" "$TENANTC" check --worktree
expect "realm-trusted-hosts: trustedHosts does not let a prod realm trust a test host" 'expect_status 1 &&
	expect_stderr "error: realm.cross-environment: .*realm.trustedHosts does not change that"'
sed -i '/^  exceptions:$/a\
    - rule: realm.cross-environment\
      realm: acme-prod\
      host: acme.test.example.com\
      reason: the shop is tested against prod logins before each release' "$R/tenantc.yaml"
run env -C "$R" "$TENANTC" check --worktree --explain
expect "realm-exception: an exception with a reason allows it, and --explain lists the host" '! expect_stderr "error: realm\." &&
	expect_stdout "^acme-prod +frontend +acme.test.example.com +exception +ConfigMap keycloak/acme-prod-realm-" &&
	expect_stdout "^acme-prod +frontend +shop.acme.example +trustedHosts " &&
	expect_stdout "^realm.cross-environment +acme-prod +acme.test.example.com +used +the shop is tested"'

# a template that writes a foreign host into a realm of its own: a web
# origin of no environment in a realm ConfigMap of prod
plant realm-template "$(cat <<'EOF'
$if: tenant.name == 'globex' && env.name == 'prod'
then:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: globex-extra-realm, namespace: keycloak}
    data:
      import:
        $eval: "toJson({clients: [{clientId: 'partner', redirectUris: ['https://globex.prod.example.com/*'], webOrigins: ['https://portal.partner.example']}]})"
else: []
EOF
)" realm.hosts \
	"templates/tenant/planted.yaml realm.hosts ConfigMap prod/keycloak/globex-extra-realm .data.import.clients[0].webOrigins[0]"


# External Secrets Operator stores, after ESO's API reference
# (external-secrets.io, "ClusterSecretStore": referenced by ExternalSecrets
# of all namespaces unless spec.conditions limits it with
# namespaceSelector, namespaces or namespaceRegexes; "Kubernetes" provider:
# the store reads the Secrets of remoteNamespace, 'default' when absent, as
# auth.serviceAccount, a ClusterSecretStore naming its namespace; an
# ExternalSecret's secretStoreRef names a SecretStore of its own namespace
# unless kind is ClusterSecretStore). acme plants stores that escape its
# namespaces, globex reads through one of them.
plant eso-escapes "$(cat <<'EOF'
$if: env.name == 'prod'
then:
  $if: tenant.name == 'acme'
  then:
    - apiVersion: external-secrets.io/v1
      kind: ClusterSecretStore
      metadata: {name: acme-prod-wide}
      spec:
        conditions:
          - namespaces: [acme-prod, globex-prod]
          - namespaceSelector:
              matchLabels: {tenantc.io/tenant: globex}
          - namespaceRegexes: ['^glo']
        provider:
          kubernetes:
            remoteNamespace: globex-prod
            auth:
              serviceAccount: {name: realm-clients-reader, namespace: globex-prod}
    - apiVersion: external-secrets.io/v1
      kind: ClusterSecretStore
      metadata: {name: acme-prod-open}
      spec:
        provider:
          kubernetes:
            remoteNamespace: acme-prod
            auth:
              serviceAccount: {name: realm-clients-reader, namespace: acme-prod}
    - apiVersion: external-secrets.io/v1
      kind: SecretStore
      metadata: {name: default-reader, namespace: acme-prod}
      spec:
        provider:
          kubernetes:
            auth:
              serviceAccount: {name: realm-clients-reader}
  else:
    - apiVersion: external-secrets.io/v1
      kind: ExternalSecret
      metadata: {name: borrowed, namespace: globex-prod}
      spec:
        secretStoreRef: {kind: ClusterSecretStore, name: acme-prod-wide}
        target: {name: borrowed}
        dataFrom:
          - sourceRef:
              storeRef: {kind: ClusterSecretStore, name: acme-prod-open}
else: []
EOF
)" secrets.store-scope \
	"templates/tenant/planted.yaml secrets.store-scope ClusterSecretStore prod/acme-prod-wide .spec.provider.kubernetes.remoteNamespace"
for line in \
	"templates/tenant/planted.yaml secrets.store-scope ClusterSecretStore prod/acme-prod-wide .spec.provider.kubernetes.auth.serviceAccount.namespace" \
	"templates/tenant/planted.yaml secrets.store-scope SecretStore prod/acme-prod/default-reader .spec.provider.kubernetes.remoteNamespace" \
	"templates/tenant/planted.yaml secrets.store-conditions ClusterSecretStore prod/acme-prod-wide .spec.conditions[0].namespaces[1]" \
	"templates/tenant/planted.yaml secrets.store-conditions ClusterSecretStore prod/acme-prod-wide .spec.conditions[1].namespaceSelector" \
	"templates/tenant/planted.yaml secrets.store-conditions ClusterSecretStore prod/acme-prod-wide .spec.conditions[2].namespaceRegexes[0]" \
	"templates/tenant/planted.yaml secrets.store-conditions ClusterSecretStore prod/acme-prod-open .spec.conditions" \
	"templates/tenant/planted.yaml secrets.cross-tenant-store ExternalSecret prod/globex-prod/borrowed .spec.secretStoreRef.name" \
	"templates/tenant/planted.yaml secrets.cross-tenant-store ExternalSecret prod/globex-prod/borrowed .spec.dataFrom[0].sourceRef.storeRef.name"; do
	if grep -qxF "$line" "$T/got"; then ok "eso-escapes: $line"; else bad "eso-escapes: no \"$line\" in: $(grep planted "$T/got" | tr "\n" " ")"; fi
done
n=$(grep -c ' secrets\.' "$T/got")
[ "$n" = 9 ] && ok "eso-escapes: nine findings, none for the example's own stores" || bad "eso-escapes: $n secrets findings: $(cat "$T/got")"
grep -q "error: secrets.cross-tenant-store: ExternalSecret prod/globex-prod/borrowed (globex): reads through ClusterSecretStore 'acme-prod-wide' of tenant 'acme'" "$T/stderr" &&
	ok "eso-escapes: the message names the store and its tenant" || bad "eso-escapes: $(grep cross-tenant-store "$T/stderr")"
# the exception mechanism: namespace and kind (the store's name)
sed -i 's/^  exceptions:$/  exceptions:\
    - rule: secrets.cross-tenant-store\
      namespace: globex-prod\
      kind: acme-prod-wide\
      reason: globex reads the shared signing key through that store/' "$R/tenantc.yaml"
run env -C "$R" "$TENANTC" check --worktree
summary >"$T/got"
expect "eso-escapes: an exception with a reason covers its finding only" 'expect_status 1 &&
	! grep -q "secrets.cross-tenant-store ExternalSecret prod/globex-prod/borrowed .spec.secretStoreRef.name" "$T/got" &&
	grep -q "secrets.cross-tenant-store ExternalSecret prod/globex-prod/borrowed .spec.dataFrom\[0\]" "$T/got"'

finish
