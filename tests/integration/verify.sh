#!/bin/sh
# The isolation verifier in tenantc check (docs/verify.md): exactly which
# findings today's example produces, and for each invariant a violation
# planted in a copy of the example, reported at the planted template with
# its field path and exit 1; exceptions, --no-verify, --explain and
# --format json.
. "$(dirname "$0")/lib.sh"

# summary: "FILE RULE KIND ENV/NS/NAME PATH" for each finding of stderr
summary() {
	sed -nE 's/^([^:]+):[0-9]+:[0-9]+: error: ((network|rbac|gitops|admission)\.[a-z-]+): ([A-Za-z]+) ([^ ]+) .*\(at ([^)]*)\)$/\1 \2 \4 \5 \6/p' \
		"$T/stderr" | LC_ALL=C sort
}

# the example's tenantc.yaml without the lines that turn the verifier off
example_settings() {
	sed '/^# The example.s templates still have the isolation defects/,$d' "$SRC/tenantc.yaml"
}

# a checked copy of the example, rendered and committed, plus $2 as a
# template file templates/tenant/planted.yaml (when given)
fresh() {
	R="$T/$1"
	copy_example "$R"
	# the example opts out until its templates are fixed (the last lines
	# of its tenantc.yaml): judge it here
	example_settings >"$R/tenantc.yaml"
	! grep -q '^verify:' "$R/tenantc.yaml" || { bad "$1: the example's opt-out was not removed"; return 1; }
	[ -z "${2:-}" ] || printf '%s\n' "$2" >"$R/templates/tenant/planted.yaml"
	"$TENANTC" render --repo "$R" >/dev/null 2>"$T/render.err" || { bad "$1: render: $(cat "$T/render.err")"; return 1; }
	git_commit_all "$R"
}

# The known defects of today's templates (the verifier's first proof);
# when the templates are fixed this list shrinks:
#  - the tenant AppProjects let Applications deploy into keycloak;
#  - tenant Flux Kustomizations have no serviceAccountName and no
#    targetNamespace;
#  - Kyverno verifies only registry.example.com/** images, the sigstore
#    policy the same, and no test namespace has its include label (every
#    tenant namespace, both engines);
#  - the tenant-operator Role grants patch on Deployments, which reads
#    every Secret of the namespace.
cat >"$T/known" <<'EOF'
templates/gitops/argocd-application.yaml gitops.destination AppProject test/argocd/acme-test .spec.destinations[1].namespace
templates/gitops/argocd-application.yaml gitops.destination AppProject test/argocd/globex-test .spec.destinations[1].namespace
templates/gitops/argocd-application.yaml gitops.destination AppProject test/argocd/initech-test .spec.destinations[1].namespace
templates/gitops/flux-kustomization.yaml gitops.flux-identity Kustomization prod/flux-system/acme-prod .spec
templates/gitops/flux-kustomization.yaml gitops.flux-identity Kustomization prod/flux-system/globex-prod .spec
templates/gitops/flux-kustomization.yaml gitops.flux-namespace Kustomization prod/flux-system/acme-prod .spec
templates/gitops/flux-kustomization.yaml gitops.flux-namespace Kustomization prod/flux-system/globex-prod .spec
templates/tenant/namespace.yaml admission.kyverno Namespace prod/acme-prod .metadata.labels
templates/tenant/namespace.yaml admission.kyverno Namespace prod/globex-prod .metadata.labels
templates/tenant/namespace.yaml admission.kyverno Namespace test/acme-test .metadata.labels
templates/tenant/namespace.yaml admission.kyverno Namespace test/globex-test .metadata.labels
templates/tenant/namespace.yaml admission.kyverno Namespace test/initech-test .metadata.labels
templates/tenant/namespace.yaml admission.sigstore Namespace prod/acme-prod .metadata.labels
templates/tenant/namespace.yaml admission.sigstore Namespace prod/globex-prod .metadata.labels
templates/tenant/namespace.yaml admission.sigstore Namespace test/acme-test .metadata.labels
templates/tenant/namespace.yaml admission.sigstore Namespace test/globex-test .metadata.labels
templates/tenant/namespace.yaml admission.sigstore Namespace test/initech-test .metadata.labels
templates/tenant/rbac.yaml rbac.secrets RoleBinding prod/acme-prod/tenant-operators .roleRef
templates/tenant/rbac.yaml rbac.secrets RoleBinding prod/globex-prod/tenant-operators .roleRef
templates/tenant/rbac.yaml rbac.secrets RoleBinding test/acme-test/tenant-operators .roleRef
templates/tenant/rbac.yaml rbac.secrets RoleBinding test/globex-test/tenant-operators .roleRef
templates/tenant/rbac.yaml rbac.secrets RoleBinding test/initech-test/tenant-operators .roleRef
EOF

fresh example || finish
run env -C "$R" "$TENANTC" check
summary >"$T/got"
expect "the example: exactly the known defects, exit 1" 'expect_status 1 &&
	{ cmp -s "$T/known" "$T/got" || { why="findings differ: $(diff "$T/known" "$T/got" | head -n 8 | tr "\n" " ")"; false; }; }'
grep -q "^tenantc check: the verifier found $(wc -l <"$T/known" | tr -d ' ') violations of tenant isolation" "$T/stderr" &&
	ok "the summary counts them" || bad "summary line: $(tail -n 1 "$T/stderr")"
grep -q "^tenantc check: 'rendered' (index) is up to date" "$T/stdout" &&
	ok "drift is reported apart: the tree is up to date" || bad "stdout: $(cat "$T/stdout")"

run env -C "$R" "$TENANTC" check --no-verify
expect "--no-verify leaves the verifier out for one run" 'expect_status 0 && expect_stderr_empty'

run env -C "$R" "$TENANTC" check --explain
expect "--explain prints the allowed flows and rights" 'expect_status 1 &&
	expect_stdout "^allowed flows \([0-9]+\)$" &&
	expect_stdout "^acme-prod +egress +app.kubernetes.io/name=api-service -> 10.10.0.0/24 +TCP/5432 +allow-api-egress$" &&
	expect_stdout "^acme-prod +egress +all pods -> k8s-app=kube-dns \(kube-system\) +UDP/53,TCP/53 +allow-dns$" &&
	expect_stdout "^acme-prod +ingress +all pods \(ingress-nginx\) -> app.kubernetes.io/name=frontend +TCP/8080 +allow-ingress-to-frontend$" &&
	expect_stdout "^rights \([0-9]+\)$" &&
	expect_stdout "^acme-prod +ServiceAccount:acme-prod:realm-clients-reader +read +acme-prod +Role/realm-clients-reader$"'

run env -C "$R" "$TENANTC" check --format json
expect "--format json gives findings, flows and rights to tools" 'expect_status 1 &&
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert len(d[\"findings\"]) == $(wc -l <"$T/known"); assert d[\"findings\"][0][\"file\"]; assert d[\"flows\"] and d[\"rights\"]" "$T/stdout"'

run env -C "$R" "$TENANTC" check --format yaml
expect "--format takes text or json" 'expect_status 2 && expect_stderr_first "--format: error: '"'"'yaml'"'"' is not text or json"'

# the platform accepts the known defects, each with a reason
cat >>"$R/tenantc.yaml" <<'EOF'
verify:
  exceptions:
    - {rule: gitops.destination, toNamespace: keycloak, reason: realm imports live in keycloak}
    - {rule: gitops.flux-identity, reason: the prod cluster is a single-tenant cluster}
    - {rule: gitops.flux-namespace, reason: the prod cluster is a single-tenant cluster}
    - {rule: admission, kind: '*', reason: images are checked in CI}
    - {rule: rbac.secrets, kind: tenant-operator, reason: operators restart deployments}
EOF
(cd "$R" && git add tenantc.yaml && git commit -q -m exceptions)
run env -C "$R" "$TENANTC" check --explain
expect "exceptions with reasons silence the known findings" 'expect_status 0 && expect_stderr_empty &&
	expect_stdout "^gitops.destination +\* +keycloak +used +realm imports live in keycloak$"'

printf '    - {rule: network.egress, cidr: 192.168.0.0/16, reason: the old office}\n' >>"$R/tenantc.yaml"
run env -C "$R" "$TENANTC" check --worktree
expect "an exception that covers nothing is a warning" 'expect_status 0 &&
	expect_stderr "^tenantc.yaml:[0-9]+:[0-9]+: warning: the exception for .network.egress. covers no finding"'

example_settings >"$R/tenantc.yaml"
printf 'verify:\n  exceptions:\n    - {rule: network.egress, cidr: 10.0.0.0/8}\n' >>"$R/tenantc.yaml"
run env -C "$R" "$TENANTC" check --worktree
expect "an exception without a reason is refused by the schema" 'expect_status 1 &&
	expect_stderr "^tenantc.yaml:[0-9]+:[0-9]+: error: .*reason"'

example_settings >"$R/tenantc.yaml"
printf 'verify: {enabled: false}\n' >>"$R/tenantc.yaml"
run env -C "$R" "$TENANTC" check --worktree
expect "verify.enabled: false turns it off for the repository" 'expect_status 0'

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
      destination: {namespace: acme-test, server: 'https://kubernetes.default.svc'}
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

finish
