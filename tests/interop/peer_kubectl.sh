#!/bin/sh
# tests/interop/peer_kubectl.sh - print the path of kubectl built from
# k8s.io/kubernetes at KUBERNETES_VERSION (the same module as kube-apiserver,
# so the two match), building it into the peer cache first if needed; or a
# SKIP line and exit 77.
set -eu
. "$(cd "$(dirname "$0")" && pwd)/apiserver_lib.sh"
build() {
	k8s_lock
	mod=$(k8s_module kubectl) || { echo "$mod"; exit 77; }
	peer_goenv
	peer_go_build kubectl "$KUBERNETES_VERSION" "$mod" \
		k8s.io/kubernetes/cmd/kubectl "$(k8s_ldflags)"
}
peer_locked kubectl "$KUBERNETES_VERSION" build
