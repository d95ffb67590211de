#!/bin/sh
# tests/interop/peer_etcd.sh - print the path of etcd built from
# go.etcd.io/etcd/server/v3 at ETCD_VERSION (see pins.sh), building it into
# the peer cache first if needed; or a SKIP line and exit 77. The server
# module's own go.mod replaces its siblings with relative folders, so it is
# built from a throwaway main module that requires it.
set -eu
. "$(cd "$(dirname "$0")" && pwd)/apiserver_lib.sh"
build() {
	peer_goenv
	mod="$PEER_ROOT/go/src/etcd-$ETCD_VERSION"
	mkdir -p "$mod"
	printf 'module tenantc.invalid/peer-etcd\n\ngo 1.24.0\n\nrequire go.etcd.io/etcd/server/v3 %s\n' \
		"$ETCD_VERSION" >"$mod/go.mod"
	peer_go_build etcd "$ETCD_VERSION" "$mod" go.etcd.io/etcd/server/v3 "-s -w"
}
peer_locked etcd "$ETCD_VERSION" build
