#!/bin/sh
# The tree state's index of identity hashes (cache.h, cache.c "ids"): a
# render that keeps tenants as they are in the tree compares the objects of
# the tenants it renders with the kept tenants' through the index, without
# hashing those again, and finds the duplicates a whole render finds. A
# damaged index makes a new tree; a state without one hashes every tenant.
. "$(dirname "$0")/lib.sh"
export TENANTC_CACHE_DIR="$T/cache"
R="$T/r"
copy_example "$R"
# ClusterRole tenantc-clash: acme makes it, and every tenant named "Clash",
# each with rules of its own (one identity, other content: a duplicate)
cat >"$R/templates/tenant/clash.yaml" <<'EOF'
$if: "tenant.name == 'acme' || tenant.displayName == 'Clash'"
then:
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: tenantc-clash
      labels: {app.kubernetes.io/managed-by: tenantc}
    rules:
      - apiGroups: [""]
        resources: [configmaps]
        resourceNames: ["${tenant.name}"]
        verbs: [get]
else: []
EOF
git_commit_all "$R"
cd "$R"
st=$T/cache/state/$(printf '%s' "$(realpath -m rendered)" | sha256sum | cut -d' ' -f1)
# display NAME: globex's displayName, committed
display() {
	sed -i "s/^displayName: .*/displayName: $1/" tenants/globex/tenant.yaml
	git commit -qam "globex is $1"
}

run "$TENANTC" render --rev HEAD
run "$TENANTC" render --rev HEAD
expect "the state of the tree keeps the index of identity hashes" \
	'expect_status 0 && expect_stdout "3 tenants unchanged, 0 files written" &&
	grep -q "^ids x-" "$st/manifest" && [ -n "$(find "$st" -name "i-*")" ]'

# a rendered tenant's object against a kept tenant's: found through the index
display Clash
run "$TENANTC" render --rev HEAD
expect "a changed tenant making a kept tenant's object: the duplicate a whole render reports" \
	'expect_status 1 && expect_stderr "error: duplicate object: ClusterRole .tenantc-clash." &&
	same_as_uncached'
display "Globex Corporation"
run "$TENANTC" render --rev HEAD
expect "the failed render left the tree and its state as they were" \
	'expect_status 0 && expect_stdout "3 tenants unchanged, 0 files written"'

# a damaged shard of the index (same size): a new tree, then in place again
for f in "$st"/i-*; do
	printf x | dd of="$f" bs=1 seek=0 conv=notrunc 2>/dev/null
done
display "Globex Two"
run "$TENANTC" render --rev HEAD
expect "a damaged shard of the index makes a new tree, equal to a whole render" \
	'expect_status 0 && ! expect_stdout "files written" && same_as_uncached &&
	diff -r rendered "$T/ref" >/dev/null'
display "Globex Three"
run "$TENANTC" render --rev HEAD
expect "and the next render updates it in place again" \
	'expect_status 0 && expect_stdout "2 tenants unchanged"'

# a state without the index (written before it): every kept tenant is
# hashed, duplicates are still found, and the index is made again
sed -i '/^ids /d' "$st/manifest"
display Clash
run "$TENANTC" render --rev HEAD
expect "without the index a changed tenant's duplicate is still found" \
	'expect_status 1 && expect_stderr "error: duplicate object: ClusterRole .tenantc-clash." &&
	same_as_uncached'
display "Globex Four"
run "$TENANTC" render --rev HEAD
expect "a state without the index is updated in place and gets the index back" \
	'expect_status 0 && expect_stdout "2 tenants unchanged" && grep -q "^ids x-" "$st/manifest"'
rm -rf "$T/ref"
run env TENANTC_CACHE=off "$TENANTC" render --rev HEAD --out "$T/ref"
expect "the tree updated through the index equals a whole render" \
	'expect_status 0 && diff -r rendered "$T/ref" >/dev/null'
finish
