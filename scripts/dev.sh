#!/bin/sh
# scripts/dev.sh - set up a Debian machine, build tenantc, and run it.
#
#   sh scripts/dev.sh render      install what is missing, build, render the example
#   sh scripts/dev.sh test        install what is missing, build, run the whole test suite
#                                 (both put tenantc on PATH when it is not this build)
#   sh scripts/dev.sh test-asan   the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   sh scripts/dev.sh test-clang  build with clang, same warnings (-Werror), run the unit suite
#   sh scripts/dev.sh build       install what is missing and build
#   sh scripts/dev.sh install     install what is missing, build, put tenantc on PATH
#                                 (meson install: /usr/local/bin/tenantc; DESTDIR honoured)
#
# Run as root on Debian 12 (or with sudo available). Packages are only
# installed when missing, so a second run does not touch apt.
set -eu

cd "$(dirname "$0")/.."

PACKAGES="gcc pkg-config meson ninja-build git libyaml-dev libgit2-dev libssl-dev
libcjson-dev libsodium-dev libpcre2-dev zlib1g-dev python3 python3-yaml python3-jsonschema age
nodejs npm pre-commit cmark-gfm clang-format clang"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
# kubectl (with kustomize) is used by the output tests; take it from apt when
# a repository offers it, and skip those tests otherwise.
if ! command -v kubectl >/dev/null 2>&1; then
	missing="$missing kubectl?"
fi
if [ -n "$missing" ]; then
	SUDO=""
	[ "$(id -u)" = 0 ] || SUDO="sudo"
	echo "tenantc: installing:$missing" >&2
	$SUDO apt-get update -qq >&2
	required=""
	for p in $missing; do
		case "$p" in
		*\?) ;;
		nodejs|npm) command -v "$p" >/dev/null 2>&1 || required="$required $p" ;;
		*) required="$required $p" ;;
		esac
	done
	if [ -n "$required" ]; then
		DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $required >&2
	fi
	case "$missing" in
	*kubectl\?*)
		DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq kubectl >&2 ||
			echo "tenantc: kubectl is not available from apt; kustomize tests will be skipped" >&2 ;;
	esac
fi

setup() { # dir [meson options]
	dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" >&2
	fi
	ninja -C "$dir" >&2
}

# Put build/src/tenantc on PATH with meson install (/usr/local/bin/tenantc
# by default; DESTDIR is honoured), as root or through sudo. With "missing",
# only when the tenantc on PATH is not this build's binary.
install_tenantc() { # [missing]
	# where meson installs it: the one file the project installs
	bin=$(meson introspect build --installed |
		python3 -c 'import json, sys; print(*json.load(sys.stdin).values())')
	bindir=$(dirname "$bin")
	if [ "${1:-}" = missing ] && cmp -s build/src/tenantc "${DESTDIR:-}$bin"; then
		return 0
	fi
	SUDO=""
	if [ "$(id -u)" != 0 ] && [ -z "${DESTDIR:-}" ]; then
		if ! command -v sudo >/dev/null 2>&1; then
			echo "tenantc: not root and no sudo: run 'meson install -C build' as root to put tenantc on PATH" >&2
			return 0
		fi
		SUDO="sudo"
	fi
	$SUDO meson install -C build --no-rebuild --quiet >&2
	echo "tenantc: installed ${DESTDIR:-}$bin: $("${DESTDIR:-}$bin" version | head -n 1)" >&2
	case ":$PATH:" in
	*":$bindir:"*) ;;
	*) echo "tenantc: $bindir is not on PATH: add it, or run $bin" >&2 ;;
	esac
}

# the closing line "N passed, M failed, K skipped" and, below it, each
# skipped test with the reason it printed (scripts/test-summary.py)
summarize() { # testlog.json...
	python3 scripts/test-summary.py "$@"
}

cmd=${1:-render}
case "$cmd" in
build)
	setup build
	;;
install)
	setup build
	install_tenantc
	;;
render)
	setup build
	install_tenantc missing
	# the example's Secrets are encrypted to keys/admin.agekey, a test key
	if [ -z "${SOPS_AGE_KEY_FILE:-}${SOPS_AGE_KEY:-}" ] && [ -f keys/admin.agekey ]; then
		export SOPS_AGE_KEY_FILE=keys/admin.agekey
	fi
	./build/src/tenantc render
	;;
test)
	setup build
	install_tenantc missing
	rc=0
	meson test -C build --print-errorlogs --num-processes 2 >&2 || rc=$?
	summarize build/meson-logs/testlog.json
	exit $rc
	;;
test-asan)
	# the interop suite judges tenantc's output with other programs: once, in
	# the plain build, is enough (it would double CI's time on a cold cache)
	setup build-asan -Db_sanitize=address,undefined -Db_lundef=false -Darena_debug=true
	rc=0
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		meson test -C build-asan --print-errorlogs --num-processes 2 --timeout-multiplier 4 \
		--no-suite bench --no-suite interop >&2 || rc=$?
	summarize build-asan/meson-logs/testlog.json
	exit $rc
	;;
test-clang)
	# gcc and clang warn about different things, and both builds must be clean:
	# building is the check; the unit suite then runs on clang's objects
	CC=clang
	export CC
	setup build-clang
	rc=0
	meson test -C build-clang --print-errorlogs --num-processes 2 --suite unit >&2 || rc=$?
	summarize build-clang/meson-logs/testlog.json
	exit $rc
	;;
*)
	echo "usage: sh scripts/dev.sh render|test|test-asan|test-clang|build|install" >&2
	exit 2
	;;
esac
