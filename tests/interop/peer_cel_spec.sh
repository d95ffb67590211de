#!/bin/sh
# tests/interop/peer_cel_spec.sh - print the folder of the npm package
# @bufbuild/cel-spec at $CEL_SPEC_VERSION (fetched with `npm pack`, which
# checks the registry's integrity hash), or SKIP (77).
. "$(dirname "$0")/peer_cache.sh"
fetch() {
	command -v npm >/dev/null 2>&1 || { echo "npm is not installed"; return 1; }
	(cd "$1" && nice -n 10 npm pack --loglevel=error "$CEL_SPEC_NPM@$CEL_SPEC_VERSION" &&
		tar xzf bufbuild-cel-spec-"$CEL_SPEC_VERSION".tgz &&
		rm bufbuild-cel-spec-"$CEL_SPEC_VERSION".tgz) || return 1
	[ -f "$1/package/dist/cjs/testdata/conformance.js" ] ||
		{ echo "the package has no dist/cjs/testdata/conformance.js"; return 1; }
}
peer_build cel-spec "$CEL_SPEC_VERSION" fetch
echo "$PEER_ROOT/cel-spec-$CEL_SPEC_VERSION/package"
