#!/bin/sh
# tests/interop/peer_kube-apiserver.sh - print the path of kube-apiserver
# built from k8s.io/kubernetes at KUBERNETES_VERSION (see pins.sh), building
# it into the peer cache first if needed; or a SKIP line and exit 77.
set -eu
. "$(cd "$(dirname "$0")" && pwd)/apiserver_lib.sh"
build() {
	k8s_lock
	mod=$(k8s_module kube-apiserver) || { echo "$mod"; exit 77; }
	peer_goenv
	peer_go_build kube-apiserver "$KUBERNETES_VERSION" "$mod" \
		k8s.io/kubernetes/cmd/kube-apiserver "$(k8s_ldflags)"
}
peer_locked kube-apiserver "$KUBERNETES_VERSION" build
