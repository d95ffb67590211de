#!/bin/sh
# tests/interop/peer_sops.sh - print the path of the real sops binary
# (getsops/sops v3 at $SOPS_VERSION, built with `go install`), or SKIP (77).
. "$(dirname "$0")/peer_cache.sh"
build() { go_install "$SOPS_MODULE/cmd/sops@$SOPS_VERSION" "$1"; }
peer_build sops "$SOPS_VERSION" build
echo "$PEER_ROOT/sops-$SOPS_VERSION/bin/sops"
