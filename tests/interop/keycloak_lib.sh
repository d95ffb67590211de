# tests/interop/keycloak_lib.sh - sourced by the Keycloak interop tests
# after check_lib.sh: a real Keycloak (org.keycloak:keycloak-quarkus-dist,
# tests/interop/pins.sh) for the test, in dev mode (`kc.sh start-dev`,
# in-memory database) on loopback ports chosen free, stopped when the test
# ends, also on failure or a signal.
#
#   keycloak_start    skip (77) without the peer or python3-yaml; then
#                     start the server and wait for it. Sets KC (the
#                     distribution), JAVA_HOME, KC_BASE (http://127.0.0.1:PORT)
#                     and ADMIN_PASSWORD (user admin, this server only);
#                     fails the test when it does not come up.
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

keycloak_start() {
	HTTP_PORT=$(free_port)
	MGMT_PORT=$(free_port)
	# one server at a time per distribution: it writes its prepared build and
	# its data/ folder there
	exec 8>"$TENANTC_PEER_CACHE/keycloak-$KEYCLOAK_VERSION.run.lock"
	flock 8
	# the admin account exists only in this server's in-memory database
	ADMIN_PASSWORD=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
	start=$(date +%s)
	# the same options as every run (a changed build option re-augments
	# Quarkus, a minute or more); in a process group of its own (kc.sh runs
	# java as its child), stopped as one (dash's kill takes "-PGID", not
	# "-- -PGID")
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
	KC_BASE="http://127.0.0.1:$HTTP_PORT"
	ok "Keycloak answers on 127.0.0.1:$HTTP_PORT after $(($(date +%s) - start)) s"
}
