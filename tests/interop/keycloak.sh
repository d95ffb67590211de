#!/bin/sh
# A real Keycloak (org.keycloak:keycloak-quarkus-dist, tests/interop/pins.sh)
# imports every realm the example renders, and its Admin REST API shows the
# clients, roles and redirect URIs tenant.yaml asked for
# (tests/interop/keycloak_check.py). One server for all realms: dev mode
# (`kc.sh start-dev`, in-memory database) on loopback ports chosen free,
# stopped when the test ends, also on failure or a signal. The realms'
# placeholders come from the rendered Secrets, decrypted in memory by
# `tenantc render --stdout --decrypt` with keys/admin.agekey.
. "$(dirname "$0")/check_lib.sh"
need_peer keycloak KC
if ! /usr/bin/python3 -c 'import yaml' 2>/dev/null; then
	echo "SKIP: keycloak: /usr/bin/python3 without yaml (apt-get install python3-yaml)"
	exit 77
fi
. "$INTEROP/peer_cache.sh"
JAVA_HOME=$(keycloak_java_home)
export JAVA_HOME
echo "peer: $(cat "$KC/version.txt") on $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1)"

free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
HTTP_PORT=$(free_port)
MGMT_PORT=$(free_port)
KC_PID=""
stop_keycloak() {
	if [ -n "$KC_PID" ]; then
		kill -TERM "-$KC_PID" 2>/dev/null || true
		i=0
		while kill -0 "-$KC_PID" 2>/dev/null && [ "$i" -lt 30 ]; do
			sleep 1
			i=$((i + 1))
		done
		kill -KILL "-$KC_PID" 2>/dev/null || true
		KC_PID=""
	fi
}
trap 'stop_keycloak; rm -rf "$T"' EXIT
trap 'exit 143' INT TERM HUP

# one server at a time per distribution: it writes its prepared build and its
# data/ folder there
exec 8>"$TENANTC_PEER_CACHE/keycloak-$KEYCLOAK_VERSION.run.lock"
flock 8
# the admin account exists only in this server's in-memory database
ADMIN_PASSWORD=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
start=$(date +%s)
# the same options as every run (a changed build option re-augments Quarkus,
# a minute or more); in a process group of its own (kc.sh runs java as its child), stopped as one
# (dash's kill takes "-PGID", not "-- -PGID")
KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD=$ADMIN_PASSWORD \
	setsid nice -n 10 "$KC/bin/kc.sh" start-dev --db=dev-mem --http-host=127.0.0.1 \
	--http-port="$HTTP_PORT" --http-management-port="$MGMT_PORT" >"$T/keycloak.log" 2>&1 &
KC_PID=$!
up=""
while [ $(($(date +%s) - start)) -lt "${KEYCLOAK_START_TIMEOUT:-900}" ]; do
	if ! kill -0 "$KC_PID" 2>/dev/null; then
		break
	fi
	if curl -sf -o /dev/null "http://127.0.0.1:$HTTP_PORT/realms/master"; then
		up=1
		break
	fi
	sleep 2
done
if [ -z "$up" ]; then
	bad "Keycloak did not start in $(($(date +%s) - start)) s: $(grep -v '^WARNING' "$T/keycloak.log" | tail -n 5)"
	finish
fi
ok "Keycloak answers on 127.0.0.1:$HTTP_PORT after $(($(date +%s) - start)) s"

if /usr/bin/python3 "$INTEROP/keycloak_check.py" "$TENANTC" "$SRC" \
	"http://127.0.0.1:$HTTP_PORT" admin "$ADMIN_PASSWORD" >"$T/check" 2>&1; then
	sed '$d' "$T/check"
	ok "keycloak_check.py: $(tail -n 1 "$T/check")"
else
	sed '$d' "$T/check"
	bad "keycloak_check.py: $(tail -n 1 "$T/check")"
fi
finish
