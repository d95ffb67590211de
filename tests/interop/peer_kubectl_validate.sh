#!/bin/sh
# tests/interop/peer_kubectl_validate.sh - print the path of kubectl-validate
# at $KUBECTL_VALIDATE_VERSION (built with `go install`), or SKIP (77).
. "$(dirname "$0")/peer_cache.sh"
build() { go_install "$KUBECTL_VALIDATE_MODULE@$KUBECTL_VALIDATE_VERSION" "$1"; }
peer_build kubectl-validate "$KUBECTL_VALIDATE_VERSION" build
echo "$PEER_ROOT/kubectl-validate-$KUBECTL_VALIDATE_VERSION/bin/kubectl-validate"
