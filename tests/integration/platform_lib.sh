# tests/integration/platform_lib.sh - helpers of the platform_*.sh tests
# (sourced after lib.sh).

# add_realm_secrets REPO: the Secrets the example's realms take their client
# secrets from (tenants/<t>/secrets/realm-clients.yaml of acme and globex),
# encrypted with the example's public test keys, with values of the tests'
# own (they contain "plain-7f3a", so a test can look for them in clear); a
# render of REPO needs SOPS_AGE_KEY_FILE="$SRC/keys/admin.agekey", which
# lib.sh exports.
add_realm_secrets() {
	for t in acme globex; do
		mkdir -p "$1/tenants/$t/secrets"
		{
			printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: realm-clients\ntype: Opaque\nstringData:\n'
			printf '  api-service: %s-api-service-plain-7f3a\n' "$t"
			if [ "$t" = globex ]; then printf '  producer: %s-producer-plain-7f3a\n' "$t"; fi
		} >"$T/plain.yaml"
		"$TENANTC" secret encrypt --repo "$1" -o "$1/tenants/$t/secrets/realm-clients.yaml" "$T/plain.yaml"
	done
	rm -f "$T/plain.yaml"
}
