#!/bin/sh
# Validation inside render: a typo in a tenant file is an input error with
# a hint (exit 2); an invalid output object is a finding at the template
# line that made it (exit 1); either way rendered/ is left untouched.
. "$(dirname "$0")/lib.sh"
SCHEMAS="$SRC/../shared/schemas-upstream"

copy_example "$T/r"
"$TENANTC" render --repo "$T/r" >/dev/null
before=$(tree_sum "$T/r/rendered")

cp "$T/r/tenants/acme/tenant.yaml" "$T/keep"
sed -i 's/^environments:/enviroments:/' "$T/r/tenants/acme/tenant.yaml"
run "$TENANTC" render --repo "$T/r"
expect "a typo in tenant.yaml" \
	'expect_status 2 && grep -q "$1" "$T/stderr" && expect_tree_sum "$T/r/rendered" "$before"' \
	"^tenants/acme/tenant.yaml:[0-9]*:1: error: unknown key 'enviroments' (did you mean 'environments'?)"
cp "$T/keep" "$T/r/tenants/acme/tenant.yaml"

# an object Kubernetes would refuse: a label value with a space
cat >"$T/r/templates/tenant/bad-label.yaml" <<'EOS'
apiVersion: v1
kind: ConfigMap
metadata:
  name: bad
  namespace: ${tenant.name}-${env.name}
  labels:
    team: not a label
data: {}
EOS
run "$TENANTC" render --repo "$T/r"
expect "an invalid label is a finding at the template line" 'expect_status 1 &&
	expect_stderr "^templates/tenant/bad-label.yaml:7:11: error: " && expect_tree_sum "$T/r/rendered" "$before"'
rm -f "$T/r/templates/tenant/bad-label.yaml"

# two templates making the same object
cat >"$T/r/templates/tenant/dup.yaml" <<'EOS'
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: twice, namespace: "${tenant.name}-${env.name}"}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: twice, namespace: "${tenant.name}-${env.name}"}
EOS
run "$TENANTC" render --repo "$T/r"
expect "a duplicate object fails" \
	'expect_failure && grep -qi duplicate "$T/stderr" && expect_tree_sum "$T/r/rendered" "$before"'
rm -f "$T/r/templates/tenant/dup.yaml"

# the same object from a cluster template and from one tenant: found across
# jobs, named at both template lines, whether the render writes a tree, prints
# a stream, or takes the tenant from the cache (a git revision, rendered twice)
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: clash\n  namespace: acme-${env.name}\n' \
	>"$T/r/templates/cluster/clash.yaml"
cat >"$T/r/templates/tenant/clash.yaml" <<'EOS'
$if: tenant.name == 'acme'
then:
  apiVersion: v1
  kind: ConfigMap
  metadata:
    name: clash
    namespace: ${tenant.name}-${env.name}
EOS
want="templates/tenant/clash.yaml:3:3: error: duplicate object: ConfigMap 'acme-prod/clash' (core) is also defined at templates/cluster/clash.yaml:1:1"
rm -rf "$T/cl" && cp -R "$T/r" "$T/cl" && rm -rf "$T/cl/rendered"
(cd "$T/cl" && git init -q -b main . && git add -A && git commit -q -m clash)
export TENANTC_CACHE_DIR="$T/clash-cache"
for how in "--out $T/clash-out" "--stdout" "--rev HEAD --out $T/clash-rev" "--rev HEAD --out $T/clash-rev"; do
	# shellcheck disable=SC2086
	run "$TENANTC" render --repo "$T/cl" $how
	expect "a duplicate across jobs ($how)" 'expect_status 1 && grep -qxF "$want" "$T/stderr" &&
		[ "$(grep -c "duplicate object" "$T/stderr")" = 2 ] && expect_stdout_empty &&
		expect_file_absent "$T/clash-out" && expect_file_absent "$T/clash-rev"'
done
unset TENANTC_CACHE_DIR
rm -f "$T/r/templates/cluster/clash.yaml" "$T/r/templates/tenant/clash.yaml"

if [ ! -d "$SCHEMAS" ]; then
	echo "SKIP: ../shared/schemas-upstream not found; schema checks of render not run"
	finish
	exit $?
fi
JOBS=$(job_schemas "$SCHEMAS" "$T/job-schemas")
# a field of the wrong type, caught by the upstream schema
cat >"$T/r/templates/tenant/bad-type.yaml" <<'EOS'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: wrong
  namespace: ${tenant.name}-${env.name}
spec:
  podSelector: {}
  policyTypes: Ingress
EOS
run "$TENANTC" render --repo "$T/r" --schema-location "$SCHEMAS" --schema-location "$JOBS"
expect "a wrong type is caught by the upstream schema" 'expect_status 1 &&
	expect_stderr "^templates/tenant/bad-type.yaml:8:16: error: " && expect_tree_sum "$T/r/rendered" "$before"'
rm -f "$T/r/templates/tenant/bad-type.yaml"
"$TENANTC" render --repo "$T/r" --schema-location "$SCHEMAS" --schema-location "$JOBS" --strict >/dev/null 2>"$T/err" &&
	ok "the example passes strict validation against the upstream schemas" ||
	bad "example fails strict validation: $(head -n 3 "$T/err")"
finish
