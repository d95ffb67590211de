# tests/interop/kube_env.sh - start a real etcd and kube-apiserver on
# loopback for one test (sourced).
#
# kube_start DIR: builds or finds the peers (peer_etcd.sh,
# peer_kube-apiserver.sh, peer_kubectl.sh), then in DIR (a private temporary
# folder) makes a self-signed serving certificate, a service-account signing
# key and a static token, starts etcd and kube-apiserver on free loopback
# ports, waits for /readyz and installs the CustomResourceDefinitions of
# KUBE_CRDS (a folder; optional). Afterwards KUBECTL names the pinned kubectl
# and `kc ARGS...` runs it against the server. kube_stop stops both servers;
# callers put it in their EXIT trap.
#
# On a peer that cannot be had, kube_start prints the peer's SKIP line and
# exits 77. A server that does not come up is an error (exit 1), not a SKIP.

KUBE_HERE=$(cd "$(dirname "$0")" && pwd)
KUBE_ETCD_PID=""
KUBE_APISERVER_PID=""

kube_peer() { # script -> sets KUBE_PEER, or prints the SKIP line and exits 77
	rc=0
	KUBE_PEER=$(sh "$KUBE_HERE/$1") || rc=$?
	[ "$rc" -ne 0 ] || return 0
	if [ "$rc" -eq 77 ]; then
		echo "$KUBE_PEER" | tail -n 1
		exit 77
	fi
	echo "FAIL $1 exited $rc: $KUBE_PEER"
	exit 1
}

kube_free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

kube_stop() {
	for p in $KUBE_APISERVER_PID $KUBE_ETCD_PID; do
		kill "$p" 2>/dev/null || true
	done
	for p in $KUBE_APISERVER_PID $KUBE_ETCD_PID; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.2
			i=$((i + 1))
		done
		kill -9 "$p" 2>/dev/null || true
	done
	KUBE_APISERVER_PID=""
	KUBE_ETCD_PID=""
}

kc() {
	"$KUBECTL" --kubeconfig "$KUBE_DIR/kubeconfig" --cache-dir "$KUBE_DIR/kcache" "$@"
}

kube_fail() { # message: print the servers' last log lines, stop, exit 1
	echo "FAIL $*"
	for l in etcd kube-apiserver; do
		[ -f "$KUBE_DIR/$l.log" ] || continue
		echo "--- last lines of $l.log"
		tail -n 15 "$KUBE_DIR/$l.log"
	done
	kube_stop
	exit 1
}

kube_start() {
	KUBE_DIR=$1
	mkdir -p "$KUBE_DIR"
	command -v openssl >/dev/null 2>&1 || { echo "SKIP: kube-apiserver: openssl is not installed"; exit 77; }
	command -v python3 >/dev/null 2>&1 || { echo "SKIP: kube-apiserver: python3 is not installed (free ports)"; exit 77; }
	command -v curl >/dev/null 2>&1 || { echo "SKIP: kube-apiserver: curl is not installed"; exit 77; }
	kube_peer peer_etcd.sh
	KUBE_ETCD=$KUBE_PEER
	kube_peer peer_kube-apiserver.sh
	KUBE_APISERVER=$KUBE_PEER
	kube_peer peer_kubectl.sh
	KUBECTL=$KUBE_PEER

	d=$KUBE_DIR
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$d/serving.key" -out "$d/serving.crt" -days 2 \
		-subj /CN=kube-apiserver \
		-addext subjectAltName=IP:127.0.0.1,DNS:localhost >/dev/null 2>&1 ||
		kube_fail "openssl could not make the serving certificate"
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
		-out "$d/sa.key" >/dev/null 2>&1 || kube_fail "openssl could not make the signing key"
	openssl pkey -in "$d/sa.key" -pubout -out "$d/sa.pub" || kube_fail "openssl pkey"
	token=$(openssl rand -hex 24)
	printf '%s,interop-admin,interop-admin,"system:masters"\n' "$token" >"$d/tokens.csv"
	chmod 600 "$d/tokens.csv" "$d/serving.key" "$d/sa.key"

	etcd_port=$(kube_free_port)
	peer_port=$(kube_free_port)
	api_port=$(kube_free_port)
	"$KUBE_ETCD" --name interop --data-dir "$d/etcd" \
		--listen-client-urls "http://127.0.0.1:$etcd_port" \
		--advertise-client-urls "http://127.0.0.1:$etcd_port" \
		--listen-peer-urls "http://127.0.0.1:$peer_port" \
		--initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
		--initial-cluster "interop=http://127.0.0.1:$peer_port" \
		--listen-metrics-urls "" --unsafe-no-fsync --log-level warn \
		>"$d/etcd.log" 2>&1 &
	KUBE_ETCD_PID=$!
	i=0
	until curl -fsS "http://127.0.0.1:$etcd_port/health" >/dev/null 2>&1; do
		kill -0 "$KUBE_ETCD_PID" 2>/dev/null || kube_fail "etcd exited"
		i=$((i + 1))
		[ $i -lt 300 ] || kube_fail "etcd not healthy after 60 s"
		sleep 0.2
	done

	# RBAC as in a real cluster; the token's user is in system:masters.
	# The service-cluster IP range is allocation configuration only: no
	# traffic goes there (there are no nodes, no kubelet, no proxy).
	"$KUBE_APISERVER" --etcd-servers "http://127.0.0.1:$etcd_port" \
		--bind-address 127.0.0.1 --advertise-address 127.0.0.1 \
		--secure-port "$api_port" \
		--tls-cert-file "$d/serving.crt" --tls-private-key-file "$d/serving.key" \
		--cert-dir "$d/certs" \
		--token-auth-file "$d/tokens.csv" --anonymous-auth=false \
		--authorization-mode RBAC \
		--service-account-issuer https://kubernetes.default.svc.cluster.local \
		--service-account-key-file "$d/sa.pub" \
		--service-account-signing-key-file "$d/sa.key" \
		--service-cluster-ip-range 10.96.0.0/24 \
		--profiling=false --enable-priority-and-fairness=false \
		--endpoint-reconciler-type none \
		>"$d/kube-apiserver.log" 2>&1 &
	KUBE_APISERVER_PID=$!

	cat >"$d/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: interop
  cluster:
    server: https://127.0.0.1:$api_port
    certificate-authority: $d/serving.crt
users:
- name: interop-admin
  user:
    token: $token
contexts:
- name: interop
  context: {cluster: interop, user: interop-admin, namespace: default}
current-context: interop
EOF
	chmod 600 "$d/kubeconfig"
	start=$(date +%s)
	until curl -fsS --cacert "$d/serving.crt" -H "Authorization: Bearer $token" \
		"https://127.0.0.1:$api_port/readyz" >/dev/null 2>&1; do
		kill -0 "$KUBE_APISERVER_PID" 2>/dev/null || kube_fail "kube-apiserver exited"
		[ $(($(date +%s) - start)) -lt 240 ] || kube_fail "kube-apiserver not ready after 240 s"
		sleep 0.5
	done
	KUBE_READY_SECONDS=$(($(date +%s) - start))
	KUBE_URL="https://127.0.0.1:$api_port"

	if [ -n "${KUBE_CRDS:-}" ]; then
		kc apply --server-side --field-manager tenantc-interop -f "$KUBE_CRDS" \
			>"$d/crds.log" 2>&1 || { cat "$d/crds.log"; kube_fail "installing the CRDs of $KUBE_CRDS"; }
		# a CRD just created may have no status yet, which kubectl wait
		# reports as an error: try again until all are established
		start=$(date +%s)
		until kc wait --for condition=Established --timeout 60s crd --all >>"$d/crds.log" 2>&1; do
			[ $(($(date +%s) - start)) -lt 180 ] ||
				{ cat "$d/crds.log"; kube_fail "the CRDs were not established after 180 s"; }
			sleep 1
		done
		# a conversion webhook needs its project's controller, which does
		# not run here: such a CRD converts with strategy None instead (the
		# object is still validated against the schema of its own version)
		KUBE_CRD_NOTES=""
		for c in $(kc get crd -o jsonpath='{range .items[?(@.spec.conversion.strategy=="Webhook")]}{.metadata.name}{" "}{end}'); do
			kc patch crd "$c" --type json \
				-p '[{"op":"replace","path":"/spec/conversion","value":{"strategy":"None"}}]' \
				>>"$d/crds.log" 2>&1 || { cat "$d/crds.log"; kube_fail "patching the conversion of $c"; }
			KUBE_CRD_NOTES="$KUBE_CRD_NOTES $c"
		done
		KUBE_CRD_COUNT=$(kc get crd -o name | wc -l)
	fi
}

# kube_versions: the peers' own version lines
kube_versions() {
	"$KUBE_APISERVER" --version
	"$KUBE_ETCD" --version | head -n 1
	"$KUBECTL" version --client | head -n 1
	echo "server /version: $(kc get --raw /version | tr -d '\n ' )"
	[ -z "${KUBE_CRD_NOTES:-}" ] ||
		echo "CRDs whose conversion webhook was replaced by strategy None (no webhook runs here):$KUBE_CRD_NOTES"
}
