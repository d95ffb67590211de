#!/bin/sh
# ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding
# (admissionregistration.k8s.io/v1, evaluated as the API server's
# pkg/admission/plugin/policy/validating does on CREATE) in render and
# check: from policies/ and from the rendered tree, matched by resourceRules,
# excludeResourceRules, namespaceSelector (the labels the render gives
# namespaces), objectSelector and matchConditions, with variables, params
# through paramRef, validationActions and failurePolicy.
. "$(dirname "$0")/lib.sh"

copy_example "$T/r"
cp -R "$SRC/policies" "$T/r/"
run "$TENANTC" render --repo "$T/r"
expect "the example renders with its policy" 'expect_status 0'
before=$(tree_sum "$T/r/rendered")

deployment() { # file namespace-expression limits
	cat >"$1" <<EOS
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: $2
  labels: {app: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          resources: {limits: $3}
EOS
}
deployment "$T/r/templates/tenant/web.yaml" '${tenant.name}-${env.name}' '{cpu: 500m}'
run "$TENANTC" render --repo "$T/r"
expect "the example policy refuses a tenant Deployment without a memory limit, at its template line" \
	'expect_status 1 && expect_tree_sum "$T/r/rendered" "$before" &&
	expect_stderr_first "templates/tenant/web.yaml:1:1: error: ValidatingAdmissionPolicy '"'"'tenant-resource-limits'"'"' with binding '"'"'tenant-resource-limits'"'"' denied request: container web of Deployment web sets no cpu and memory limits"'
git_commit_all "$T/r"
run "$TENANTC" check --repo "$T/r" --worktree --no-verify
expect "check refuses it too" 'expect_status 1 &&
	grep -q "^templates/tenant/web.yaml:1:1: error: ValidatingAdmissionPolicy .tenant-resource-limits. with binding .tenant-resource-limits. denied request: " "$T/stderr"'
deployment "$T/r/templates/tenant/web.yaml" '${tenant.name}-${env.name}' '{cpu: 500m, memory: 256Mi}'
run "$TENANTC" render --repo "$T/r" --out "$T/o1"
expect "a Deployment with both limits passes" 'expect_status 0'
rm -f "$T/r/templates/tenant/web.yaml"
# not a tenant namespace: the namespaceSelector does not match
cat >"$T/r/templates/platform/ns.yaml" <<'EOS'
apiVersion: v1
kind: Namespace
metadata:
  name: tools-${env.name}
EOS
deployment "$T/r/templates/platform/web.yaml" 'tools-${env.name}' '{cpu: 500m}'
run "$TENANTC" render --repo "$T/r" --out "$T/o2"
expect "namespaceSelector: a namespace without the tenant label is not matched" 'expect_status 0'

# Warn and Audit: a warning, the render goes on
sed -i 's/validationActions: \[Deny\]/validationActions: [Warn, Audit]/' "$T/r/policies/tenant-resource-limits.yaml"
cat >"$T/r/policies/platform.yaml" <<'EOS'
apiVersion: v1
kind: Namespace
metadata: {name: unused}
EOS
sed -i 's/tools-\${env.name}/${env.name}-tools/' "$T/r/templates/platform/web.yaml"
cat >"$T/r/templates/platform/ns.yaml" <<'EOS'
apiVersion: v1
kind: Namespace
metadata:
  name: ${env.name}-tools
  labels: {tenantc.io/tenant: platform}
EOS
run "$TENANTC" render --repo "$T/r" --out "$T/o3"
expect "validationActions Warn: a warning at the template line, exit 0" 'expect_status 0 &&
	grep -q "^templates/platform/web.yaml:1:1: warning: Validation failed for ValidatingAdmissionPolicy .tenant-resource-limits. with binding .tenant-resource-limits.: container web of Deployment web sets no cpu and memory limits$" "$T/stderr"'
rm -f "$T/r/templates/platform/ns.yaml" "$T/r/templates/platform/web.yaml" "$T/r/policies/platform.yaml"
cp "$SRC/policies/tenant-resource-limits.yaml" "$T/r/policies/"

# a policy the render makes itself (a cluster template), with params from a
# rendered ConfigMap, matchConditions, excludeResourceRules and objectSelector
cat >"$T/r/templates/cluster/cm-policy.yaml" <<'EOS'
- apiVersion: admissionregistration.k8s.io/v1
  kind: ValidatingAdmissionPolicy
  metadata: {name: configmap-size}
  spec:
    paramKind: {apiVersion: v1, kind: ConfigMap}
    matchConstraints:
      resourceRules:
        - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}
      excludeResourceRules:
        - {apiGroups: [""], apiVersions: [v1], operations: ["*"], resources: [configmaps], resourceNames: [policy-limits]}
      objectSelector:
        matchExpressions: [{key: size-checked, operator: NotIn, values: ["no"]}]
    matchConditions:
      - {name: has-data, expression: "has(object.data)"}
    variables:
      - {name: keys, expression: "object.data.size()"}
    validations:
      - expression: "variables.keys <= int(params.data.maxKeys)"
        messageExpression: "'ConfigMap ' + object.metadata.name + ' has ' + string(variables.keys) + ' keys, more than ' + params.data.maxKeys"
- apiVersion: admissionregistration.k8s.io/v1
  kind: ValidatingAdmissionPolicyBinding
  metadata:
    name: configmap-size-${env.name}
  spec:
    policyName: configmap-size
    validationActions: [Deny]
    paramRef: {name: policy-limits, namespace: default, parameterNotFoundAction: Deny}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: policy-limits, namespace: default}
  data: {maxKeys: "1"}
EOS
cat >"$T/r/templates/tenant/cms.yaml" <<'EOS'
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: two, namespace: "${tenant.name}-${env.name}"}
  data: {a: "1", b: "2"}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: unchecked, namespace: "${tenant.name}-${env.name}", labels: {size-checked: "no"}}
  data: {a: "1", b: "2"}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: empty, namespace: "${tenant.name}-${env.name}"}
EOS
run "$TENANTC" render --repo "$T/r" --out "$T/o4"
expect "a rendered policy with params, matchConditions, excludeResourceRules and objectSelector" 'expect_status 1 &&
	grep -q "^templates/tenant/cms.yaml:1:3: error: ValidatingAdmissionPolicy .configmap-size. with binding .configmap-size-[a-z]*. denied request: ConfigMap two has 2 keys, more than 1$" "$T/stderr" &&
	! grep -q "unchecked\|empty\|policy-limits" "$T/stderr" && ! grep -q "cms.yaml:[0-9]*:[0-9]*: error: .*ConfigMap [^t]" "$T/stderr"'
# the params object is missing: parameterNotFoundAction Deny refuses
sed -i 's/name: policy-limits, namespace: default, parameterNotFoundAction/name: nowhere, namespace: default, parameterNotFoundAction/' "$T/r/templates/cluster/cm-policy.yaml"
run "$TENANTC" render --repo "$T/r" --out "$T/o5"
expect "paramRef to no object with parameterNotFoundAction Deny" 'expect_status 1 &&
	grep -q "denied request: failed to configure binding: no params found for policy binding with .Deny. parameterNotFoundAction$" "$T/stderr"'
sed -i 's/parameterNotFoundAction: Deny/parameterNotFoundAction: Allow/' "$T/r/templates/cluster/cm-policy.yaml"
run "$TENANTC" render --repo "$T/r" --out "$T/o6"
expect "paramRef to no object with parameterNotFoundAction Allow" 'expect_status 0'
rm -f "$T/r/templates/cluster/cm-policy.yaml" "$T/r/templates/tenant/cms.yaml"

# failurePolicy: an expression that errors refuses under Fail, not under Ignore
cat >"$T/r/policies/labels.yaml" <<'EOS'
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: team-label}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
      - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [serviceaccounts]}
  validations:
    - expression: "object.metadata.labels.team != ''"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: team-label}
spec: {policyName: team-label, validationActions: [Deny]}
EOS
run "$TENANTC" render --repo "$T/r" --out "$T/o7"
expect "failurePolicy Fail: an expression error refuses the object" 'expect_status 1 &&
	grep -q "denied request: expression .object.metadata.labels.team != ... resulted in error: no such key: team$" "$T/stderr"'
sed -i 's/failurePolicy: Fail/failurePolicy: Ignore/' "$T/r/policies/labels.yaml"
run "$TENANTC" render --repo "$T/r" --out "$T/o8"
expect "failurePolicy Ignore: an expression error lets it pass" 'expect_status 0'
rm -f "$T/r/policies/labels.yaml"

# bad input in policies/
echo 'just: a mapping' >"$T/r/policies/bad.yaml"
run "$TENANTC" render --repo "$T/r" --out "$T/o9"
expect "a document of policies/ that is not an object" 'expect_status 2 &&
	expect_stderr_first "policies/bad.yaml:1:1: error: a document of policies/ must be a Kubernetes object with apiVersion and kind"'
rm -f "$T/r/policies/bad.yaml"
mkdir "$T/r/policies/sub"
run "$TENANTC" render --repo "$T/r" --out "$T/o10"
expect "a folder in policies/" 'expect_status 2 &&
	grep -q "^policies/sub:1:1: error: unexpected .policies/sub.: policies/ holds .yaml, .yml or .json files" "$T/stderr"'
finish
