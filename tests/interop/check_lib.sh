# tests/interop/check_lib.sh - sourced by the interop checks before anything.
# The peer cache is taken from the real HOME here, before
# tests/integration/lib.sh gives the test a HOME of its own; then that lib's
# helpers (ok, bad, finish, copy_example, ...) are loaded.
export TENANTC_PEER_CACHE="${TENANTC_PEER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tenantc-peers}"
INTEROP=$(cd "$(dirname "$0")" && pwd)
. "$INTEROP/../integration/lib.sh"

# need_peer NAME VAR: set VAR to what tests/interop/peer_NAME.sh prints (the
# peer's executable or folder); when the peer cannot be had, print its
# `SKIP: ...` line as the test's first line and exit 77.
need_peer() {
	np_rc=0
	np_out=$(sh "$INTEROP/peer_$1.sh") || np_rc=$?
	if [ "$np_rc" -eq 77 ]; then
		printf '%s\n' "$np_out" | head -n 1
		exit 77
	elif [ "$np_rc" -ne 0 ]; then
		echo "FAIL tests/interop/peer_$1.sh exited $np_rc: $np_out"
		exit 1
	fi
	eval "$2=\$np_out"
}

# yaml_digest: read YAML documents on standard input, print one digest of
# their data (key order and layout ignored), so that two decryptions can be
# compared without writing either to disk
yaml_digest() {
	/usr/bin/python3 -c '
import hashlib, json, sys, yaml
docs = list(yaml.safe_load_all(sys.stdin))
print(hashlib.sha256(json.dumps(docs, sort_keys=True, default=str).encode()).hexdigest())'
}
