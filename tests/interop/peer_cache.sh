# tests/interop/peer_cache.sh - shared by the peer_*.sh scripts (sourced).
#
# A peer is built or fetched once into its own folder of the peer cache,
#   ${TENANTC_PEER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tenantc-peers}/<name>-<version>/
# which holds a stamp `.ok` when complete. A build writes into
# <name>-<version>.tmp-<pid>, under a lock (two tests may ask at once), and
# renames it into place at the end; a folder without `.ok` is rebuilt, and a
# changed pin names a new folder. A peer that cannot be had prints one line
#   SKIP: <name> <version>: <reason>
# and exits 77. Builds run under `nice -n 10`; Go builds keep GOPATH, GOCACHE
# and GOMODCACHE in <cache>/go, outside the work tree.
set -eu
INTEROP_DIR=$(cd "$(dirname "$0")" && pwd)
. "$INTEROP_DIR/pins.sh"
PEER_ROOT=${TENANTC_PEER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tenantc-peers}

peer_skip() { # name version reason
	echo "SKIP: $1 $2: $3"
	exit 77
}

# peer_build NAME VERSION FUNCTION: unless <cache>/NAME-VERSION/.ok exists,
# run FUNCTION TMPDIR (its output goes to <cache>/NAME-VERSION.log) and move
# TMPDIR into place. On failure, SKIP with the log's last line.
peer_build() {
	pb_dir=$PEER_ROOT/$1-$2
	[ -f "$pb_dir/.ok" ] && return 0
	mkdir -p "$PEER_ROOT" 2>/dev/null || peer_skip "$1" "$2" "cannot create the peer cache $PEER_ROOT"
	command -v flock >/dev/null 2>&1 || peer_skip "$1" "$2" "flock (util-linux) is not installed"
	exec 9>"$PEER_ROOT/$1-$2.lock"
	flock 9
	if [ -f "$pb_dir/.ok" ]; then
		exec 9>&-
		return 0
	fi
	# under the lock no other build of this peer runs: what is there is stale
	rm -rf "$pb_dir" "$pb_dir".tmp-*
	pb_tmp=$pb_dir.tmp-$$
	pb_log=$PEER_ROOT/$1-$2.log
	mkdir -p "$pb_tmp"
	pb_start=$(date +%s)
	if ! ("$3" "$pb_tmp") >"$pb_log" 2>&1; then
		# Maven's first [ERROR] line says what failed, Go's last line
		pb_reason=$(grep -m 1 '^\[ERROR\]' "$pb_log" || grep -v '^[[:space:]]*$' "$pb_log" | tail -n 1)
		pb_reason=$(printf '%s' "$pb_reason" | cut -c1-300)
		rm -rf "$pb_tmp"
		exec 9>&-
		peer_skip "$1" "$2" "build failed: ${pb_reason:-no output} (log: $pb_log)"
	fi
	echo "built in $(($(date +%s) - pb_start)) s" >>"$pb_log"
	mv "$pb_tmp" "$pb_dir"
	: >"$pb_dir/.ok"
	exec 9>&-
	echo "interop: built $1 $2 in $(($(date +%s) - pb_start)) s into $pb_dir" >&2
}

# go_install MODULE@VERSION DIR: build a Go command into DIR/bin
go_install() {
	command -v go >/dev/null 2>&1 || { echo "go is not installed"; return 1; }
	env GOPATH="$PEER_ROOT/go" GOMODCACHE="$PEER_ROOT/go/mod" GOCACHE="$PEER_ROOT/go/cache" \
		GOFLAGS="-trimpath -modcacherw" GOBIN="$2/bin" GO111MODULE=on GOTOOLCHAIN=local \
		CGO_ENABLED=0 nice -n 10 go install "$1"
}

# keycloak_java_home: print the first folder of $KEYCLOAK_JAVA_HOMES that
# holds bin/java
keycloak_java_home() {
	for kj in $KEYCLOAK_JAVA_HOMES; do
		[ -x "$kj/bin/java" ] && { echo "$kj"; return 0; }
	done
	return 1
}
