#!/bin/sh
# tests/interop/peer_actionlint.sh - print the path of actionlint at
# $ACTIONLINT_VERSION (built with `go install`), or SKIP (77).
. "$(dirname "$0")/peer_cache.sh"
build() { go_install "$ACTIONLINT_MODULE/cmd/actionlint@$ACTIONLINT_VERSION" "$1"; }
peer_build actionlint "$ACTIONLINT_VERSION" build
echo "$PEER_ROOT/actionlint-$ACTIONLINT_VERSION/bin/actionlint"
