#!/bin/sh
# The life of a realm against a real Keycloak (tests/interop/keycloak_realm.py
# lifecycle): on a copy of the example, the reconcile Jobs tenantc renders
# are run as Flux or ArgoCD would run them (each new Job once, its own
# script from its ConfigMap, the distribution's kcadm.sh) while tenant.yaml
# gains a client, changes redirect URIs, loses a role, rotates a client
# secret and goes away, then everything runs twice more. After each step
# the realm is what the repository says and what was made by hand in
# Keycloak is unchanged. The server: see keycloak_lib.sh.
. "$(dirname "$0")/check_lib.sh"
. "$INTEROP/keycloak_lib.sh"
keycloak_start

mkdir -p "$T/lifecycle"
copy_example "$T/lifecycle/repo"
if /usr/bin/python3 "$INTEROP/keycloak_realm.py" lifecycle "$TENANTC" "$T/lifecycle/repo" \
	"$KC_BASE" "$ADMIN_PASSWORD" "$KC/bin/kcadm.sh" "$T/lifecycle" >"$T/check" 2>&1; then
	sed '$d' "$T/check"
	ok "keycloak_realm.py lifecycle: $(tail -n 1 "$T/check")"
else
	sed '$d' "$T/check"
	bad "keycloak_realm.py lifecycle: $(tail -n 1 "$T/check")"
fi
finish
