#!/bin/sh
# tests/interop/peer_cel_js.sh - print the node_modules folder holding npm's
# @bufbuild/cel at $CEL_JS_VERSION and @bufbuild/protobuf at
# $PROTOBUF_ES_VERSION (installed with `npm install`, which checks the
# registry's integrity hashes), or SKIP (77).
. "$(dirname "$0")/peer_cache.sh"
fetch() {
	command -v npm >/dev/null 2>&1 || { echo "npm is not installed"; return 1; }
	(cd "$1" && echo '{"private": true}' >package.json &&
		nice -n 10 npm install --loglevel=error --no-audit --no-fund --ignore-scripts \
			"$CEL_JS_NPM@$CEL_JS_VERSION" "$PROTOBUF_ES_NPM@$PROTOBUF_ES_VERSION") || return 1
	[ -f "$1/node_modules/@bufbuild/cel/package.json" ] ||
		{ echo "the install has no node_modules/@bufbuild/cel"; return 1; }
}
peer_build cel-js "$CEL_JS_VERSION" fetch
echo "$PEER_ROOT/cel-js-$CEL_JS_VERSION/node_modules"
