#!/bin/sh
# Every object the example renders passes the upstream Kubernetes and CRD
# schemas in ../shared/schemas-upstream: with `tenantc validate`, and with
# python3-jsonschema as an independent second opinion (when installed;
# it checks a SOPS-encrypted Secret without its sops metadata).
# SKIP (77) when ../shared is absent.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/platform_lib.sh"
UPSTREAM="${SHARED:-$SRC/../shared}/schemas-upstream"
if [ ! -d "$UPSTREAM" ]; then
	echo "SKIP: ../shared/schemas-upstream not found"
	exit 77
fi
JOBS=$(job_schemas "$UPSTREAM" "$T/job-schemas")
CHECK="$(dirname "$0")/platform_check.py"

# the example, plus the Secrets of its realms (SOPS-encrypted in the output)
copy_example "$T/repo"
add_realm_secrets "$T/repo"
SOPS_AGE_KEY_FILE="$SRC/keys/admin.agekey" "$TENANTC" render --repo "$T/repo" --out "$T/out" >/dev/null
n=$(find "$T/out" -name '*.yaml' ! -name kustomization.yaml | wc -l)
if "$TENANTC" validate --repo "$T/repo" --schema-location "$UPSTREAM" --schema-location "$JOBS" --strict "$T/out" >"$T/log" 2>&1; then
	ok "tenantc validate --strict: all $n objects are valid"
else
	bad "tenantc validate: $(head -n 5 "$T/log")"
fi
for env in $(cd "$T/out" && ls -d */ | tr -d /); do
	"$TENANTC" validate --repo "$T/repo" --schema-location "$UPSTREAM" --schema-location "$JOBS" --strict "$T/out/$env" >"$T/log" 2>&1 &&
		ok "$env: valid on its own" || bad "$env: $(head -n 3 "$T/log")"
done
if /usr/bin/python3 -c 'import jsonschema, yaml' 2>/dev/null; then
	if /usr/bin/python3 "$CHECK" schemas "$T/out" "$UPSTREAM" "$JOBS" >"$T/log" 2>&1; then
		ok "python3-jsonschema: $(tail -n 1 "$T/log")"
	else
		bad "python3-jsonschema: $(head -n 5 "$T/log")"
	fi
else
	echo "SKIP: /usr/bin/python3 without jsonschema and yaml (apt-get install python3-jsonschema)"
fi

# the test can fail: a template that makes an invalid object
copy_example "$T/bad"
cat >"$T/bad/templates/tenant/broken.yaml" <<'YAML'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: broken, namespace: '${tenant.name}-${env.name}'}
spec:
  podSelector: {}
  policyType: [Ingress]
YAML
run "$TENANTC" render --repo "$T/bad" --out "$T/bad-out"
expect "render refuses it against the built-in schemas" \
	'expect_status 1 && grep -q "$1" "$T/stderr"' "unknown key 'policyType'"
mkdir -p "$T/bad-tree"
sed 's/${tenant.name}-${env.name}/acme-prod/' "$T/bad/templates/tenant/broken.yaml" >"$T/bad-tree/broken.yaml"
run "$TENANTC" validate --schema-location "$UPSTREAM" --schema-location "$JOBS" --strict "$T/bad-tree"
expect "an invalid object is reported" \
	'expect_status 1 && grep -q "$1" "$T/stdout" "$T/stderr"' "unknown key 'policyType'"
finish
