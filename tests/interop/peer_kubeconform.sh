#!/bin/sh
# tests/interop/peer_kubeconform.sh - print the path of kubeconform at
# $KUBECONFORM_VERSION (built with `go install`), or SKIP (77).
. "$(dirname "$0")/peer_cache.sh"
build() { go_install "$KUBECONFORM_MODULE/cmd/kubeconform@$KUBECONFORM_VERSION" "$1"; }
peer_build kubeconform "$KUBECONFORM_VERSION" build
echo "$PEER_ROOT/kubeconform-$KUBECONFORM_VERSION/bin/kubeconform"
