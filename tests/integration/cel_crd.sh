#!/bin/sh
# CRD validation rules (x-kubernetes-validations, apiextensions.k8s.io/v1
# ValidationRule) in render, check and validate: each rule is compiled once
# with its schema, evaluated at its schema node on every rendered object,
# and a failure is an error at the template line that made the value, with
# the rule's message, messageExpression, reason and fieldPath. Cases: the
# rules of tests/integration/cel/widgets.example.com.yaml, Flux's
# Kustomization ("exactly one of spec.kubeConfig.configMapRef or
# spec.kubeConfig.secretRef") and External Secrets' ClusterSecretStore
# ("at most one of the fields in [caBundle caProvider]") from
# ../shared/schemas-upstream/crds.
. "$(dirname "$0")/lib.sh"
CRDS="$SRC/../shared/schemas-upstream/crds"
WIDGETS="$SRC/tests/integration/cel/widgets.example.com.yaml"

copy_example "$T/r"
extra=
if [ -d "$CRDS" ]; then
	extra="$CRDS/kustomize.toolkit.fluxcd.io_kustomizations.yaml $CRDS/external-secrets.io_clustersecretstores.yaml"
else
	echo "note: ../shared/schemas-upstream not found; the Flux and External Secrets cases are not run"
fi
# shellcheck disable=SC2086
"$TENANTC" schema import --out "$T/r/schemas" "$WIDGETS" $extra >/dev/null
"$TENANTC" render --repo "$T/r" >/dev/null 2>"$T/err" &&
	ok "the example renders with the CRDs imported" ||
	bad "the example does not render: $(head -n 3 "$T/err")"
before=$(tree_sum "$T/r/rendered")

# a Widget breaking most rules of its CRD, from a tenant template
cat >"$T/r/templates/tenant/widget.yaml" <<'EOS'
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
  namespace: ${tenant.name}-${env.name}
spec:
  minReplicas: 5
  maxReplicas: 3
  ratio: 1.5
  timeout: 2h
  memory: 2Gi
  allowFrom: [10.0.0.0/4]
  endpoint: http://w.example.com
  tags: [Bad]
EOS
run "$TENANTC" render --repo "$T/r"
expect "rules that fail are errors at the template line" 'expect_status 1 &&
	expect_tree_sum "$T/r/rendered" "$before" &&
	grep -q "^templates/tenant/widget.yaml:7:3: error: Invalid value: minReplicas must not exceed maxReplicas (at .spec)$" "$T/stderr"'
expect "messageExpression gives the message" \
	'grep -q "^templates/tenant/widget.yaml:7:3: error: Invalid value: ratio is above 1 (at .spec)$" "$T/stderr"'
expect "reason FieldValueRequired and a fieldPath of an absent field" \
	'grep -q "^templates/tenant/widget.yaml:7:3: error: Required value: an owner is required (at .spec.owner)$" "$T/stderr"'
expect "fieldPath points at the field's own line" \
	'grep -q "^templates/tenant/widget.yaml:10:12: error: Invalid value: timeout must be at most one hour (at .spec.timeout)$" "$T/stderr"'
expect "reason FieldValueForbidden; the quantity, cidr, url and format libraries" \
	'grep -q "Forbidden: memory must be at most 1Gi (at .spec)$" "$T/stderr" &&
	grep -q "allowFrom entries must be CIDRs of at least /8 (at .spec)$" "$T/stderr" &&
	grep -q "endpoint must be an https URL (at .spec)$" "$T/stderr" && grep -q "tags must be DNS labels (at .spec)$" "$T/stderr"'
expect "a transition rule is not evaluated, and said once" \
	'[ "$(grep -c "uses oldSelf (a transition rule): not evaluated" "$T/stderr")" = 1 ] &&
	grep -q "schemas/crd-json/example.com/widget_v1.json:[0-9]*:[0-9]*: note: " "$T/stderr"'

# a valid Widget passes; a rule at a nested node sees its own value
cat >"$T/r/templates/tenant/widget.yaml" <<'EOS'
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
  namespace: ${tenant.name}-${env.name}
spec:
  minReplicas: 1
  maxReplicas: 3
  ratio: 1
  owner: ${tenant.name}@example.com
  timeout: 30m
  memory: 512Mi
  allowFrom: [10.0.0.0/8]
  endpoint: https://w.example.com/api
  tags: [a, b-c]
EOS
run "$TENANTC" render --repo "$T/r" --out "$T/out"
expect "a Widget that keeps every rule renders" 'expect_status 0'
sed -i 's/owner: .*/owner: Nobody/' "$T/r/templates/tenant/widget.yaml"
run "$TENANTC" render --repo "$T/r"
expect "a rule of a property node" 'expect_status 1 &&
	grep -q "^templates/tenant/widget.yaml:10:10: error: Invalid value: owner must be an example.com address (at .spec.owner)$" "$T/stderr"'

# check and validate say the same
git_commit_all "$T/r"
run "$TENANTC" check --repo "$T/r" --worktree --no-verify
expect "check reports the rule" 'expect_status 1 &&
	grep -q "^templates/tenant/widget.yaml:10:10: error: Invalid value: owner must be an example.com address (at .spec.owner)$" "$T/stderr"'
run "$TENANTC" validate --schema-location "$T/r/schemas" "$SRC/tests/integration/cel/widgets-bad.yaml"
expect "validate reports the rule at the file's line" 'expect_status 1 &&
	grep -q "widgets-bad.yaml:[0-9]*:[0-9]*: error: .spec: Invalid value: minReplicas must not exceed maxReplicas$" "$T/stderr"'
rm -f "$T/r/templates/tenant/widget.yaml"

if [ -n "$extra" ]; then
	cat >"$T/r/templates/cluster/store.yaml" <<'EOS'
apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata:
  name: bao-${env.name}
spec:
  provider:
    openBao:
      server: https://bao.example.com
      caBundle: aGVsbG8=
      caProvider: {type: Secret, name: ca, key: ca.crt, namespace: vault}
EOS
	run "$TENANTC" render --repo "$T/r"
	expect "External Secrets: at most one of caBundle and caProvider" 'expect_status 1 &&
		grep -q "^templates/cluster/store.yaml:8:7: error: Invalid value: at most one of the fields in \[caBundle caProvider\] may be set (at .spec.provider.openBao)$" "$T/stderr"'
	rm -f "$T/r/templates/cluster/store.yaml"
	cat >"$T/r/templates/cluster/ks.yaml" <<'EOS'
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: remote-${env.name}
  namespace: flux-system
spec:
  interval: 10m
  prune: true
  sourceRef: {kind: GitRepository, name: platform}
  kubeConfig:
    secretRef: {name: kubeconfig}
    configMapRef: {name: kubeconfig}
EOS
	run "$TENANTC" render --repo "$T/r"
	expect "Flux: exactly one of kubeConfig.configMapRef and secretRef" 'expect_status 1 &&
		grep -q "^templates/cluster/ks.yaml:11:5: error: Invalid value: exactly one of spec.kubeConfig.configMapRef or spec.kubeConfig.secretRef must be specified (at .spec.kubeConfig)$" "$T/stderr"'
	rm -f "$T/r/templates/cluster/ks.yaml"
fi

# a rule that does not compile is refused at import, against the CRD file
sed 's/rule: self.minReplicas <= self.maxReplicas/rule: self.minReplicas <= (/' "$WIDGETS" >"$T/bad-crd.yaml"
run "$TENANTC" schema import --out "$T/s2" "$T/bad-crd.yaml"
expect "a rule that does not compile is an error at the CRD file" 'expect_status 2 &&
	expect_stderr_first "$T/bad-crd.yaml:31:25: error: x-kubernetes-validations rule does not compile: column 22: syntax error: unexpected end of expression" &&
	expect_file_absent "$T/s2"'
# rules the API server refuses for their estimated cost, at import
# (apiextensions validation.go: StaticEstimatedCostLimit 10,000,000 per
# expression, StaticEstimatedCRDCostLimit 100,000,000 per schema, sizes
# bounded by maxItems/maxLength or the 3 MiB request limit); the figures
# are the ones kube-apiserver 1.34.4 gives for the same CRDs
COSTLY="$SRC/tests/integration/cel/costly.example.com.yaml"
run "$TENANTC" schema import --out "$T/s4" "$COSTLY"
budget='(try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)'
expect "a rule over the per-expression cost limit is refused at its line" 'expect_status 2 &&
	expect_file_absent "$T/s4" &&
	grep -qF "costly.example.com.yaml:38:29: error: estimated rule cost exceeds budget by factor of 1.200400x $budget (at .spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.bounded.x-kubernetes-validations[0].rule)" "$T/stderr"'
expect "a rule under a list of unbounded size is multiplied by the most items the request allows" \
	'grep -qF "costly.example.com.yaml:53:31: error: estimated rule cost exceeds budget by factor of more than 100x" "$T/stderr"'
expect "a messageExpression over the limit is refused" \
	'grep -qF "costly.example.com.yaml:45:42: error: estimated messageExpression cost exceeds budget by factor of more than 100x" "$T/stderr"'
expect "rules the API server accepts are not refused" \
	'! grep -q "costly.example.com.yaml:\(32\|44\|57\|62\|67\):[0-9]*: error" "$T/stderr"'
expect "the total of a CRD's rules over the per-CRD limit is refused at its schema" \
	'grep -qF "costly.example.com.yaml:84:11: error: x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema exceeds budget by factor of 1.200600x $budget (at .spec.versions[0].schema.openAPIV3Schema)" "$T/stderr" &&
	[ "$(grep -c "costly.example.com.yaml:[0-9]*:29: note: contributed to estimated rule cost total" "$T/stderr")" = 5 ]'

# list types and property names (tests/integration/cel/gizmos.example.com.yaml;
# kube-apiserver 1.34.4 gives the same verdicts, tests/interop/cel corpus
# 037-045): a set and a map list compare without regard to order, + of a
# set is a union, and properties are spelled __dash__, __dot__,
# __slash__, __namespace__
GIZMOS="$SRC/tests/integration/cel/gizmos.example.com.yaml"
"$TENANTC" schema import --out "$T/s5" "$GIZMOS" >/dev/null
cat >"$T/gizmo-good.yaml" <<'EOS'
apiVersion: example.com/v1
kind: Gizmo
metadata: {name: g, namespace: default}
spec:
  zones: [b, a]
  ports: [{name: https, port: 443}, {name: http, port: 80}]
  defaultPorts: [{name: http, port: 80}, {name: https, port: 443}]
  foo-bar: 1
  namespace: ns-a
  x.y: z
  a/b: c
EOS
run "$TENANTC" validate --schema-location "$T/s5" "$T/gizmo-good.yaml"
expect "x-kubernetes-list-type set and map compare as sets and by keys; escaped names resolve" \
	'expect_status 0'
cat >"$T/gizmo-bad.yaml" <<'EOS'
apiVersion: example.com/v1
kind: Gizmo
metadata: {name: g, namespace: default}
spec:
  zones: [a, c, d]
  ports: [{name: https, port: 8443}, {name: http, port: 80}]
  defaultPorts: [{name: http, port: 80}, {name: https, port: 443}]
  foo-bar: 0
  namespace: a
  x.y: q
  a/b: d
EOS
run "$TENANTC" validate --schema-location "$T/s5" "$T/gizmo-bad.yaml"
expect "another set and another value under the same map keys are not equal" 'expect_status 1 &&
	grep -q "gizmo-bad.yaml:5:3: error: .spec: Invalid value: zones must be the set a, b or the set c$" "$T/stderr" &&
	grep -q "gizmo-bad.yaml:5:3: error: .spec: Invalid value: zones and a make at most two zones$" "$T/stderr" &&
	grep -q "gizmo-bad.yaml:5:3: error: .spec: Invalid value: ports must be the default ports$" "$T/stderr"'
expect "__dash__, __namespace__, __dot__ and __slash__ name the properties" \
	'grep -q "error: .spec: Invalid value: foo-bar must be positive$" "$T/stderr" &&
	grep -q "error: .spec: Invalid value: namespace must start with ns-$" "$T/stderr" &&
	grep -q "error: .spec: Invalid value: x.y must be z$" "$T/stderr" &&
	grep -q "error: .spec: Invalid value: a/b must be c$" "$T/stderr"'

# rules inside allOf, anyOf, oneOf and not: the API server's structural
# schema check refuses them (apiextensions-apiserver
# pkg/apiserver/schema/validation.go: "must be empty to be structural")
cat >"$T/nested.yaml" <<'EOS'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: nesteds.example.com}
spec:
  group: example.com
  names: {kind: Nested, plural: nesteds}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                a: {type: integer}
              oneOf:
                - x-kubernetes-validations: [{rule: self.a > 0}]
              not:
                properties:
                  a:
                    x-kubernetes-validations: [{rule: self > 1}]
EOS
run "$TENANTC" schema import --out "$T/s6" "$T/nested.yaml"
expect "a rule inside oneOf or not is refused at the CRD file, naming its path" 'expect_status 2 &&
	expect_file_absent "$T/s6" &&
	grep -qF "nested.yaml:21:45: error: x-kubernetes-validations must be empty to be structural: the API server refuses rules inside allOf, anyOf, oneOf and not (at .spec.versions[0].schema.openAPIV3Schema.properties.spec.oneOf[0].x-kubernetes-validations)" "$T/stderr" &&
	grep -qF "(at .spec.versions[0].schema.openAPIV3Schema.properties.spec.not.properties.a.x-kubernetes-validations)" "$T/stderr"'

# and a schema edited by hand after import is unusable, said at the object
"$TENANTC" schema import --out "$T/s3" "$WIDGETS" >/dev/null
sed -i 's/self.minReplicas <= self.maxReplicas/self.minReplicas <= (/' "$T/s3/crd-json/example.com/widget_v1.json"
run "$TENANTC" validate --schema-location "$T/s3" "$SRC/tests/integration/cel/widgets-bad.yaml"
expect "a broken rule in a schema folder makes its schema unusable" 'expect_status 1 &&
	grep -q "is unusable: .*widget_v1.json:[0-9]*:[0-9]*: error: x-kubernetes-validations rule does not compile" "$T/stderr"'
finish
