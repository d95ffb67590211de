#!/bin/sh
# A real Keycloak (org.keycloak:keycloak-quarkus-dist, tests/interop/pins.sh)
# gets every realm the example renders from the realm's own reconcile Job:
# the Job's script and input from its rendered ConfigMap, its client
# secrets from the rendered Secret (`tenantc render --stdout --decrypt`,
# keys/admin.agekey), the distribution's kcadm.sh; then the Admin REST API
# must show the clients, roles, redirect URIs and secrets tenant.yaml asks
# for (tests/interop/keycloak_realm.py example). The server: see
# keycloak_lib.sh.
. "$(dirname "$0")/check_lib.sh"
. "$INTEROP/keycloak_lib.sh"
keycloak_start

mkdir -p "$T/work"
if /usr/bin/python3 "$INTEROP/keycloak_realm.py" example "$TENANTC" "$SRC" "$KC_BASE" \
	"$ADMIN_PASSWORD" "$KC/bin/kcadm.sh" "$T/work" >"$T/check" 2>&1; then
	sed '$d' "$T/check"
	ok "keycloak_realm.py example: $(tail -n 1 "$T/check")"
else
	sed '$d' "$T/check"
	bad "keycloak_realm.py example: $(tail -n 1 "$T/check")"
fi
finish
