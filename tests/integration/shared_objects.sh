#!/bin/sh
# Objects that several tenants render byte for byte alike are written once
# (docs/output-tree.md, "Shared objects"): into <env>/cluster/, annotated
# tenantc.io/shared with the tenants in byte order, and left out of the
# tenants' folders; the same identity with other content, or made twice by
# one tenant or by a cluster template and a tenant, stays a duplicate that
# names both template lines (and both tenants).
. "$(dirname "$0")/lib.sh"

R="$T/repo"
copy_example "$R"
# role TENANTS-EXPR VERBS-EXPR: the tenants in TENANTS-EXPR make one ClusterRole
role() {
	cat >"$R/templates/tenant/crd-reader.yaml" <<EOF
\$if: $1
then:
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: tenantc-crd-reader
      labels: {app.kubernetes.io/managed-by: tenantc}
    rules:
      - apiGroups: [apiextensions.k8s.io]
        resources: [customresourcedefinitions]
        verbs: $2
else: []
EOF
}
role "tenant.name == 'acme' || tenant.name == 'globex'" "[get, list]"

run "$TENANTC" render --repo "$R" --out "$T/out"
expect "two tenants with the same ClusterRole: rendered, exit 0" 'expect_status 0'
f="$T/out/prod/cluster/clusterrole-tenantc-crd-reader.yaml"
expect "the ClusterRole is written once, into cluster/, with the tenants that share it" \
	'[ -f "$f" ] && grep -qx "    tenantc.io/shared: acme,globex" "$f" &&
	[ -f "$T/out/test/cluster/clusterrole-tenantc-crd-reader.yaml" ] &&
	[ -z "$(find "$T/out" -path "*/tenants/*" -name "*crd-reader*")" ]'
expect "cluster/kustomization.yaml lists it, the tenants' do not" \
	'grep -qx -- "- clusterrole-tenantc-crd-reader.yaml" "$T/out/prod/cluster/kustomization.yaml" &&
	! grep -q crd-reader "$T/out/prod/tenants/acme/kustomization.yaml" "$T/out/prod/tenants/globex/kustomization.yaml"'
run "$TENANTC" render --repo "$R" --stdout --env prod
expect "the stream of the environment holds it once" \
	'expect_status 0 && [ "$(grep -c "^  name: tenantc-crd-reader$" "$T/stdout")" = 1 ]'

# deterministic: any number of workers, from the cache, updated in place
sum=$(tree_sum "$T/out")
run "$TENANTC" render --repo "$R" --out "$T/out1" --jobs 1
expect "one worker makes the same tree" 'expect_status 0 && expect_tree_sum "$T/out1" "$sum"'
git_commit_all "$R"
export TENANTC_CACHE_DIR="$T/cache"
for i in 1 2 3; do
	run "$TENANTC" render --repo "$R" --rev HEAD
	expect "render $i with the cache, the tree updated in place: the same tree" \
		'expect_status 0 && expect_tree_sum "$R/rendered" "$sum"'
done
rm -rf "$T/out2"
run "$TENANTC" render --repo "$R" --rev HEAD --out "$T/out2"
expect "the tenants taken from the cache into another folder: the same tree" \
	'expect_status 0 && expect_tree_sum "$T/out2" "$sum"'
unset TENANTC_CACHE_DIR
(cd "$R" && git add -A && git commit -q -m rendered)
run env -C "$R" "$TENANTC" check
expect "check: the committed tree is what render makes, no finding" 'expect_status 0 && expect_stderr_empty'

# a render of one tenant (the ArgoCD plugin's) compares with the others:
# what it shares is the cluster folder's, not in its stream
run "$TENANTC" render --repo "$R" --stdout --env test --tenant globex --folder tenants
expect "one tenant's stream leaves out what it shares with the others" \
	'expect_status 0 && expect_stdout_has "name: globex-test" && ! expect_stdout_has "tenantc-crd-reader"'
run "$TENANTC" render --repo "$R" --stdout --env test --tenant initech --folder tenants
expect "a tenant that shares nothing is as before" 'expect_status 0 && expect_stdout_has "name: initech-test"'
mkdir -p "$R/tenants/broken" && printf 'name: broken\nrealm: [x\n' >"$R/tenants/broken/tenant.yaml"
run "$TENANTC" render --repo "$R" --stdout --env test --tenant globex --folder tenants
expect "another tenant's broken tenant.yaml does not stop it" \
	'expect_status 0 && expect_stderr_empty && ! expect_stdout_has "tenantc-crd-reader"'
rm -r "$R/tenants/broken"
# the rendered tree says what is shared; its copy stands for the tenant's
# object only while it is what the tenant makes
role "tenant.name == 'acme' || tenant.name == 'globex'" "[get]"
run "$TENANTC" render --repo "$R" --stdout --env test --tenant globex --folder tenants
expect "the tree's shared copy is not what the tenant makes now: the tenant's stream keeps it" \
	'expect_status 0 && expect_stdout_has "name: tenantc-crd-reader"'
mv "$R/rendered" "$T/rendered.aside"
run "$TENANTC" render --repo "$R" --stdout --env test --tenant globex --folder tenants
expect "without a rendered tree the other tenants are compared: shared, left out" \
	'expect_status 0 && ! expect_stdout_has "tenantc-crd-reader"'
mv "$T/rendered.aside" "$R/rendered"
role "tenant.name == 'acme' || tenant.name == 'globex'" "[get, list]"

# three tenants, one of them only in test: each environment lists its own
role "len(tenant.name) > 0" "[get, list]"
run "$TENANTC" render --repo "$R" --out "$T/out3"
expect "every tenant of an environment sharing it is named" 'expect_status 0 &&
	grep -qx "    tenantc.io/shared: acme,globex" "$T/out3/prod/cluster/clusterrole-tenantc-crd-reader.yaml" &&
	grep -qx "    tenantc.io/shared: acme,globex,initech" "$T/out3/test/cluster/clusterrole-tenantc-crd-reader.yaml"'

# different content, one identity: the duplicate error names both tenants
# and both template lines; nothing is written
role "tenant.name == 'acme' || tenant.name == 'globex'" "{\$if: \"tenant.name == 'acme'\", then: [get, list], else: [get]}"
run "$TENANTC" render --repo "$R" --out "$T/out4"
expect "two tenants, one identity, other content: an error naming both" 'expect_status 1 &&
	expect_stderr_first "templates/tenant/crd-reader.yaml:3:5: error: duplicate object: ClusterRole '"'"'tenantc-crd-reader'"'"' (rbac.authorization.k8s.io) of tenant '"'"'globex'"'"' is also defined for tenant '"'"'acme'"'"' at templates/tenant/crd-reader.yaml:3:5" &&
	expect_file_absent "$T/out4"'

# one tenant making the same object twice is no sharing
role "tenant.name == 'acme'" "[get, list]"
cp "$R/templates/tenant/crd-reader.yaml" "$R/templates/tenant/crd-reader-again.yaml"
run "$TENANTC" render --repo "$R" --out "$T/out5"
expect "one tenant, the same object twice: a duplicate" 'expect_status 2 &&
	expect_stderr_first "templates/tenant/crd-reader.yaml:3:5: error: duplicate object ClusterRole '"'"'tenantc-crd-reader'"'"' (also made at templates/tenant/crd-reader-again.yaml:3:5)" &&
	expect_file_absent "$T/out5"'
rm "$R/templates/tenant/crd-reader-again.yaml"

# a cluster template and tenants making it alike: the cluster's object is
# no tenant's to share
role "tenant.name == 'acme' || tenant.name == 'globex'" "[get, list]"
cat >"$R/templates/cluster/crd-reader.yaml" <<'EOF'
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: tenantc-crd-reader
  labels: {app.kubernetes.io/managed-by: tenantc}
rules:
  - apiGroups: [apiextensions.k8s.io]
    resources: [customresourcedefinitions]
    verbs: [get, list]
EOF
run "$TENANTC" render --repo "$R" --out "$T/out6"
expect "a cluster template's object and the tenants': a duplicate" 'expect_status 1 &&
	expect_stderr "error: duplicate object: ClusterRole .tenantc-crd-reader." && expect_file_absent "$T/out6"'

# updated in place with the cache: a tenant kept as it is has no copy of
# what it shared, so when the other one stops sharing (its tenant.yaml
# changes, nothing else) the object goes back into its folder
R="$T/inplace"
copy_example "$R"
rm -f "$R/templates/cluster/crd-reader.yaml"
role "tenant.name == 'acme' || (tenant.name == 'globex' && tenant.displayName == 'Shared')" "[get, list]"
sed -i 's/^displayName: .*/displayName: Shared/' "$R/tenants/globex/tenant.yaml"
git_commit_all "$R"
export TENANTC_CACHE_DIR="$T/cache-inplace"
run "$TENANTC" render --repo "$R" --rev HEAD
run "$TENANTC" render --repo "$R" --rev HEAD
expect "in place: shared, one tenant kept" 'expect_status 0 &&
	[ -f "$R/rendered/prod/cluster/clusterrole-tenantc-crd-reader.yaml" ]'
sed -i 's/^displayName: .*/displayName: Globex Corporation/' "$R/tenants/globex/tenant.yaml"
(cd "$R" && git commit -q -am "globex stops sharing")
run "$TENANTC" render --repo "$R" --rev HEAD
expect "in place: the tenant that still makes it has it in its folder again" 'expect_status 0 &&
	[ -f "$R/rendered/prod/tenants/acme/clusterrole-tenantc-crd-reader.yaml" ] &&
	expect_file_absent "$R/rendered/prod/cluster/clusterrole-tenantc-crd-reader.yaml"'
unset TENANTC_CACHE_DIR
run "$TENANTC" render --repo "$R" --rev HEAD --out "$T/inplace-full"
expect "in place: the same tree as a render from scratch" \
	'expect_status 0 && expect_tree_sum "$R/rendered" "$(tree_sum "$T/inplace-full")"'
finish
