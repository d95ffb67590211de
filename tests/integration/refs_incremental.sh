#!/bin/sh
# Reference integrity in an incremental render (render_refs.c): the tenants
# left as they are in the tree add nothing to the reference sets; the
# references still open after the rendered tenants are looked up in the
# tree state's index of identity hashes. Findings are the ones a whole
# render of the same revision reports. The reference followed is a
# ClusterRoleBinding's roleRef to a ClusterRole (Kubernetes API reference,
# RBAC ClusterRoleBinding v1: roleRef "can only reference a ClusterRole in
# the global namespace").
. "$(dirname "$0")/lib.sh"
export TENANTC_CACHE_DIR="$T/cache"
R="$T/r"
copy_example "$R"
# acme makes the ClusterRole tenantc-xref unless its displayName is Quiet;
# globex binds it when its displayName is Ref, Ref2 or Ref3 (each new to
# the cache, where a tenant taken from it is not checked again), and a ClusterRole nobody
# makes when it is Ghost
cat >"$R/templates/tenant/zz-xref.yaml" <<'EOF'
$if: "tenant.name == 'acme' && tenant.displayName != 'Quiet' && env.name == 'prod'"
then:
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: tenantc-xref
      labels: {app.kubernetes.io/managed-by: tenantc}
    rules:
      - apiGroups: [""]
        resources: [configmaps]
        resourceNames: [xref]
        verbs: [get]
else: []
EOF
cat >"$R/templates/tenant/zz-xbind.yaml" <<'EOF'
$if: "tenant.name == 'globex' && (tenant.displayName == 'Ref' || tenant.displayName == 'Ref2' || tenant.displayName == 'Ref3' || tenant.displayName == 'Ghost') && env.name == 'prod'"
then:
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata:
      name: tenantc-xbind
      labels: {app.kubernetes.io/managed-by: tenantc}
    roleRef:
      apiGroup: rbac.authorization.k8s.io
      kind: ClusterRole
      name: {$if: "tenant.displayName == 'Ghost'", then: tenantc-ghost, else: tenantc-xref}
    subjects: [{kind: Group, apiGroup: rbac.authorization.k8s.io, name: readers}]
else: []
EOF
git_commit_all "$R"
cd "$R"
# display TENANT NAME: the tenant's displayName, committed
display() {
	sed -i "s/^displayName: .*/displayName: $2/" "tenants/$1/tenant.yaml"
	git commit -qam "$1 is $2"
}

run "$TENANTC" render --rev HEAD
run "$TENANTC" render --rev HEAD
expect "the tree and its state, with the index of identity hashes" \
	'expect_status 0 && expect_stdout "3 tenants unchanged, 0 files written"'

display globex Ref
run "$TENANTC" render --rev HEAD
expect "a rendered tenant's reference to a kept tenant's object resolves through the index" \
	'expect_status 0 && expect_stdout "2 tenants unchanged" && same_as_uncached &&
	diff -r rendered "$T/ref" >/dev/null'

display globex Ghost
run "$TENANTC" render --rev HEAD
expect "a reference to an object no tenant makes is the finding a whole render reports" \
	'expect_status 1 && expect_stderr "tenantc-ghost" && same_as_uncached'

display globex Ref
run "$TENANTC" render --rev HEAD
expect "back to the reference that resolves" 'expect_status 0 && same_as_uncached'

# the target's tenant changes with it: rendered, it no longer makes it
display acme Quiet
display globex Ref2
run "$TENANTC" render --rev HEAD
expect "an object its rendered tenant no longer makes does not settle the reference" \
	'expect_status 1 && expect_stderr "tenantc-xref" && same_as_uncached'

# a removed tenant's hashes stay in the old index: not a kept tenant's
display acme "ACME GmbH"
display globex Ref
run "$TENANTC" render --rev HEAD
expect "the failed render left the state: both tenants kept" \
	'expect_status 0 && expect_stdout "3 tenants unchanged"'
git rm -rq tenants/acme
display globex Ref3
run "$TENANTC" render --rev HEAD
expect "an object of a removed tenant does not settle the reference" \
	'expect_status 1 && expect_stderr "tenantc-xref" && same_as_uncached'
finish
