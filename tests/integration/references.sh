#!/bin/sh
# Reference integrity in render, check and validate: dangling references
# planted into a copy of the example are findings (exit 1) at the template
# line that made the referring value, naming both ends; references that are
# optional or point into objects that tenantc.yaml declares as provided
# are not.
. "$(dirname "$0")/lib.sh"

copy_example "$T/r"
run "$TENANTC" render --repo "$T/r"
expect "the example's references resolve" 'expect_status 0'
git_commit_all "$T/r"
before=$(tree_sum "$T/r/rendered")

# the four plants, one template each (line and column of the referring value
# are what the errors must point at)
cat >"$T/r/templates/tenant/zz-deploy.yaml" <<'EOS'
$if: tenant.name == 'acme' && env.name == 'prod'
then:
  apiVersion: apps/v1
  kind: Deployment
  metadata: {name: api, namespace: '${tenant.name}-${env.name}'}
  spec:
    selector: {matchLabels: {app: api}}
    template:
      metadata: {labels: {app: api}}
      spec:
        serviceAccountName: api-service
        securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
        containers:
          - name: api
            image: registry.example.com/api:1
            securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
            env:
              - name: CLIENT_SECRET
                valueFrom:
                  secretKeyRef: {name: realm-clients, key: no-such-key}
EOS
cat >"$T/r/templates/tenant/zz-binding.yaml" <<'EOS'
$if: tenant.name == 'acme' && env.name == 'prod'
then:
  apiVersion: rbac.authorization.k8s.io/v1
  kind: RoleBinding
  metadata: {name: ghost-readers, namespace: '${tenant.name}-${env.name}'}
  roleRef:
    apiGroup: rbac.authorization.k8s.io
    kind: Role
    name: ghost-reader
  subjects: [{kind: Group, apiGroup: rbac.authorization.k8s.io, name: readers}]
EOS
cat >"$T/r/templates/gitops/zz-gitops.yaml" <<'EOS'
$if: tenant.name == 'acme'
then:
  $if: env.name == 'test'
  then:
    apiVersion: argoproj.io/v1alpha1
    kind: Application
    metadata: {name: acme-escape, namespace: argocd}
    spec:
      project: acme-test
      destination: {server: 'https://kubernetes.default.svc', namespace: kube-system}
      source: {repoURL: 'https://github.com/example/platform.git', path: x}
  else:
    apiVersion: kustomize.toolkit.fluxcd.io/v1
    kind: Kustomization
    metadata: {name: acme-extra, namespace: flux-system}
    spec:
      interval: 10m
      path: ./x
      prune: true
      sourceRef: {kind: GitRepository, name: no-such-repo}
EOS
run "$TENANTC" render --repo "$T/r"
expect "dangling references fail the render, which writes nothing" \
	'expect_status 1 && expect_tree_sum "$T/r/rendered" "$before"'
expect "a secretKeyRef to a missing key" 'expect_stderr "^$1\$"' \
	"templates/tenant/zz-deploy.yaml:20:60: error: Deployment 'acme-prod/api' refers to key 'no-such-key' of Secret 'acme-prod/realm-clients', which has no such key \\(its keys: api-service\\) \\(at .spec.template.spec.containers\\[0\\].env\\[0\\].valueFrom.secretKeyRef.key\\)"
expect "a roleRef to a missing Role" 'expect_stderr "^$1\$"' \
	"templates/tenant/zz-binding.yaml:9:11: error: RoleBinding 'acme-prod/ghost-readers' refers to Role 'acme-prod/ghost-reader', which is neither rendered nor declared in 'provided' of tenantc.yaml \\(at .roleRef.name\\)"
expect "an Application destination its AppProject does not allow" 'expect_stderr "^$1\$"' \
	"templates/gitops/zz-gitops.yaml:10:20: error: Application 'argocd/acme-escape' has the destination server 'https://kubernetes.default.svc' namespace 'kube-system', which AppProject 'argocd/acme-test' does not allow \\(see its spec.destinations\\) \\(at .spec.destination\\)"
expect "a Kustomization sourceRef to a missing GitRepository" 'expect_stderr "^$1\$"' \
	"templates/gitops/zz-gitops.yaml:20:46: error: Kustomization 'flux-system/acme-extra' refers to GitRepository 'flux-system/no-such-repo', which is neither rendered nor declared in 'provided' of tenantc.yaml \\(at .spec.sourceRef.name\\)"
expect "one line for each, nothing else" '[ "$(wc -l <"$T/stderr")" -eq 4 ]'

# check reports the same findings
(cd "$T/r" && git add -A && git commit -q -m plants)
run "$TENANTC" check --repo "$T/r"
expect "check reports them" 'expect_status 1 &&
	expect_stderr "^templates/tenant/zz-binding.yaml:9:11: error: RoleBinding .acme-prod/ghost-readers. refers to Role"'

# no false positives: an optional reference, and references into objects
# tenantc.yaml declares as provided (a wildcard by namespace)
sed -i 's/secretKeyRef: {name: realm-clients, key: no-such-key}/secretKeyRef: {name: realm-clients, key: no-such-key, optional: true}/' \
	"$T/r/templates/tenant/zz-deploy.yaml"
rm "$T/r/templates/tenant/zz-binding.yaml" "$T/r/templates/gitops/zz-gitops.yaml"
cat >>"$T/r/templates/tenant/zz-deploy.yaml" <<'EOS'
              - name: OPERATOR_TOKEN
                valueFrom:
                  secretKeyRef: {name: operator-token, key: token}
EOS
cat >>"$T/r/tenantc.yaml" <<'EOS'
  - apiVersion: v1
    kind: Secret
    namespace: acme-prod
    name: '*'          # what the tenant's operator makes
EOS
run "$TENANTC" render --repo "$T/r"
expect "optional references and provided objects are not errors" 'expect_status 0'

# the entry's environments and keys restrict it
cat >>"$T/r/tenantc.yaml" <<'EOS'
    environments: [test]
EOS
run "$TENANTC" render --repo "$T/r"
expect "a provided entry of another environment does not count" 'expect_status 1 &&
	expect_stderr_line "^templates/tenant/zz-deploy.yaml:23:40: error: Deployment .acme-prod/api. refers to Secret .acme-prod/operator-token."'

# validate: within the files given
run "$TENANTC" validate --repo "$T/r" "$T/r/rendered/prod/gitops"
expect "validate of part of a tree reports what it does not hold" 'expect_status 1 &&
	expect_stderr "kustomization-acme-prod.yaml:[0-9]+:[0-9]+: error: .spec.sourceRef.name: Kustomization .flux-system/acme-prod. refers to GitRepository .flux-system/platform.prod."'
# files given on the command line are of no known environment: every
# provided entry counts; the repository's tree is checked per environment
# (the tree holds the Deployment of the render that passed above)
run "$TENANTC" validate --repo "$T/r" "$T/r/rendered/prod"
expect "validate of an environment's tree" 'expect_status 0'
run "$TENANTC" validate --repo "$T/r"
expect "validate of the repository's tree, per environment" 'expect_status 1 &&
	expect_stderr "/rendered/prod/tenants/acme/deployment-api.yaml:[0-9]+:[0-9]+: error: .spec.template.spec.containers\[0\].env\[1\].valueFrom.secretKeyRef.name: Deployment .acme-prod/api. refers to Secret .acme-prod/operator-token."'
finish
