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
          securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
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

# auditAnnotations (validator.go, dispatcher.go): a string value is the
# audit annotation POLICY/KEY, said as a note; an error denies the request
# under failurePolicy Fail whatever validationActions says (here Audit),
# nothing under Ignore; a value that is neither string nor null denies it
cat >"$T/r/policies/audit.yaml" <<'EOS'
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: cm-audit}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
      - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}
    objectSelector: {matchLabels: {tenantc.io/test: audit}}
  auditAnnotations:
    - {key: color, valueExpression: "object.data.color"}
    - {key: empty, valueExpression: "has(object.data.none) ? 'x' : null"}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: cm-audit}
spec: {policyName: cm-audit, validationActions: [Audit]}
EOS
cat >"$T/r/templates/tenant/audit.yaml" <<'EOS'
apiVersion: v1
kind: ConfigMap
metadata:
  name: painted
  namespace: ${tenant.name}-${env.name}
  labels: {tenantc.io/test: audit}
data: {color: '  blue  '}
EOS
run "$TENANTC" render --repo "$T/r" --out "$T/o11"
expect "auditAnnotations: the value is reported as a note, trimmed; null sets none" 'expect_status 0 &&
	grep -q "^templates/tenant/audit.yaml:1:1: note: ValidatingAdmissionPolicy .cm-audit. with binding .cm-audit. sets the audit annotation .cm-audit/color.: blue$" "$T/stderr" &&
	! grep -q "cm-audit/empty" "$T/stderr"'
sed -i 's/^data: .*/data: {shade: dark}/' "$T/r/templates/tenant/audit.yaml"
run "$TENANTC" render --repo "$T/r" --out "$T/o12"
expect "auditAnnotations: an error under failurePolicy Fail denies the request, even with Audit" 'expect_status 1 &&
	grep -q "^templates/tenant/audit.yaml:1:1: error: ValidatingAdmissionPolicy .cm-audit. with binding .cm-audit. denied request: expression .object.data.color. resulted in error: no such key: color$" "$T/stderr"'
sed -i 's/failurePolicy: Fail/failurePolicy: Ignore/' "$T/r/policies/audit.yaml"
run "$TENANTC" render --repo "$T/r" --out "$T/o13"
expect "auditAnnotations: an error under failurePolicy Ignore sets nothing" 'expect_status 0 &&
	! grep -q "cm-audit" "$T/stderr"'
sed -i 's/valueExpression: "object.data.color"/valueExpression: "size(object.data)"/' "$T/r/policies/audit.yaml"
run "$TENANTC" render --repo "$T/r" --out "$T/o14"
expect "auditAnnotations: a value of type int denies the request whatever the failurePolicy" 'expect_status 1 &&
	grep -q "denied request: valueExpression .size(object.data). resulted in unsupported return type: int. Return type must be either string or null.$" "$T/stderr"'
rm -f "$T/r/policies/audit.yaml"

# authorizer needs the cluster's authorization: said once, and assumed to
# pass (a validation) or to hold (a matchCondition)
cat >"$T/r/policies/authz.yaml" <<'EOS'
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: cm-authz}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
      - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}
    objectSelector: {matchLabels: {tenantc.io/test: audit}}
  matchConditions:
    - {name: not-admin, expression: "!authorizer.group('').resource('nodes').check('delete').allowed()"}
  variables:
    - {name: may, expression: "authorizer.group('').resource('secrets').namespace(object.metadata.namespace).check('get').allowed()"}
  validations:
    - expression: variables.may
      message: the creator must be able to read the namespace's Secrets
    - expression: "'color' in object.data"
      message: a painted ConfigMap needs a color
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: cm-authz}
spec: {policyName: cm-authz, validationActions: [Deny]}
EOS
run "$TENANTC" render --repo "$T/r" --out "$T/o15"
expect "authorizer: a warning at the policy says what is assumed; the other validations run" 'expect_status 1 &&
	[ "$(grep -c "uses authorizer, which needs the cluster.s authorization and cannot be evaluated offline: assumed" "$T/stderr")" = 2 ] &&
	grep -q "^policies/authz.yaml:1:1: warning: ValidatingAdmissionPolicy .cm-authz.: expression .variables.may. uses authorizer, which needs the cluster.s authorization and cannot be evaluated offline: assumed to pass (the validation is not evaluated)$" "$T/stderr" &&
	grep -q "matchConditions\|assumed true (the object is checked)$" "$T/stderr" &&
	grep -q "^templates/tenant/audit.yaml:1:1: error: ValidatingAdmissionPolicy .cm-authz. with binding .cm-authz. denied request: a painted ConfigMap needs a color$" "$T/stderr" &&
	! grep -q "read the namespace" "$T/stderr"'
rm -f "$T/r/policies/authz.yaml"

# a messageExpression over its cost budget falls back to message (validator.go)
cat >"$T/r/policies/message.yaml" <<'EOS'
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: cm-message}
spec:
  matchConstraints:
    resourceRules:
      - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}
    objectSelector: {matchLabels: {tenantc.io/test: audit}}
  validations:
    - expression: "'color' in object.data"
      message: a painted ConfigMap needs a color (the message)
      messageExpression: >-
        string(size([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(a, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(b,
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(c, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(d,
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(e, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(f, f))))))))
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: cm-message}
spec: {policyName: cm-message, validationActions: [Deny]}
EOS
run "$TENANTC" render --repo "$T/r" --out "$T/o16"
expect "a messageExpression over budget: the message" 'expect_status 1 &&
	grep -q "^templates/tenant/audit.yaml:1:1: error: ValidatingAdmissionPolicy .cm-message. with binding .cm-message. denied request: a painted ConfigMap needs a color (the message)$" "$T/stderr"'
rm -f "$T/r/policies/message.yaml" "$T/r/templates/tenant/audit.yaml"

# a binding's matchResources without resourceRules narrows by its selectors
# only (matching.go: no resourceRules match every resource)
cat >"$T/r/policies/narrow.yaml" <<'EOS'
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: cm-color}
spec:
  matchConstraints:
    resourceRules:
      - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}
  validations:
    - {expression: "'color' in object.data", message: a painted ConfigMap needs a color}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: cm-color}
spec:
  policyName: cm-color
  validationActions: [Deny]
  matchResources:
    objectSelector: {matchLabels: {tenantc.io/test: audit}}
EOS
cat >"$T/r/templates/tenant/audit.yaml" <<'EOS'
apiVersion: v1
kind: ConfigMap
metadata:
  name: painted
  namespace: ${tenant.name}-${env.name}
  labels: {tenantc.io/test: audit}
data: {shade: dark}
EOS
run "$TENANTC" render --repo "$T/r" --out "$T/o20"
expect "a binding's matchResources without resourceRules matches by its selector" 'expect_status 1 &&
	grep -q "^templates/tenant/audit.yaml:1:1: error: ValidatingAdmissionPolicy .cm-color. with binding .cm-color. denied request: a painted ConfigMap needs a color$" "$T/stderr" &&
	[ "$(grep -c "cm-color. denied" "$T/stderr")" = "$(grep -c "^templates/tenant/audit.yaml:" "$T/stderr")" ]'
rm -f "$T/r/policies/narrow.yaml" "$T/r/templates/tenant/audit.yaml"

# matchPolicy (admissionregistration/v1, default Equivalent): a rule for
# example.com/v1 Gizmos matches one rendered as v1beta1, another version
# of the same resource; with Exact it does not. kube-apiserver 1.34.4
# agrees (tests/interop/cel corpus 048-050)
"$TENANTC" schema import --out "$T/r/schemas" "$SRC/tests/integration/cel/gizmos.example.com.yaml" >/dev/null
cat >"$T/r/policies/zones.yaml" <<'EOS'
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: zones}
spec:
  matchConstraints:
    resourceRules:
      - {apiGroups: [example.com], apiVersions: [v1], operations: [CREATE], resources: [gizmos]}
  validations:
    - {expression: has(object.spec.zones), message: a gizmo needs zones}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: zones}
spec: {policyName: zones, validationActions: [Deny]}
EOS
cat >"$T/r/templates/tenant/gizmo.yaml" <<'EOS'
apiVersion: example.com/v1beta1
kind: Gizmo
metadata:
  name: g
  namespace: ${tenant.name}-${env.name}
spec: {}
EOS
run "$TENANTC" render --repo "$T/r" --out "$T/o17"
expect "matchPolicy left out (Equivalent): another version of the resource matches" 'expect_status 1 &&
	grep -q "^templates/tenant/gizmo.yaml:1:1: error: ValidatingAdmissionPolicy .zones. with binding .zones. denied request: a gizmo needs zones$" "$T/stderr"'
sed -i 's/^  matchConstraints:$/  matchConstraints:\n    matchPolicy: Exact/' "$T/r/policies/zones.yaml"
run "$TENANTC" render --repo "$T/r" --out "$T/o18"
expect "matchPolicy Exact: only the rule's own version" 'expect_status 0'
sed -i 's|^apiVersion: example.com/v1beta1|apiVersion: example.com/v1|' "$T/r/templates/tenant/gizmo.yaml"
run "$TENANTC" render --repo "$T/r" --out "$T/o19"
expect "matchPolicy Exact: the rule's version matches" 'expect_status 1 &&
	grep -q "denied request: a gizmo needs zones$" "$T/stderr"'
rm -f "$T/r/policies/zones.yaml" "$T/r/templates/tenant/gizmo.yaml"

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
