#!/bin/sh
# scripts/complexity.sh - list the functions whose cognitive complexity is over a threshold.
#
#   sh scripts/complexity.sh                  every src/*.c, threshold 25
#   sh scripts/complexity.sh 40               every src/*.c, threshold 40
#   sh scripts/complexity.sh 25 src/age.c ... the files named
#
# Runs clang-tidy's readability-function-cognitive-complexity (the measure of how hard a
# function is to follow: nesting, breaks in linear flow, boolean chains) over each file with
# the flags meson wrote to build/compile_commands.json ($BUILD overrides the folder). Prints
# one line per function over the threshold, `file:line: function complexity N`, worst first,
# then the count. Exits 0 whatever it finds: it measures, it does not judge. Looks for
# clang-tidy-14, then clang-tidy (or $CLANG_TIDY); exits 77 when none is installed.
set -u
cd "$(dirname "$0")/.."

threshold=25
case "${1:-}" in
'' | *[!0-9]*) ;;
*)
	threshold=$1
	shift
	;;
esac
[ $# -gt 0 ] || set -- src/*.c

build=${BUILD:-build}
if [ ! -f "$build/compile_commands.json" ]; then
	echo "complexity.sh: no $build/compile_commands.json (run: meson setup $build)" >&2
	exit 2
fi
ct=${CLANG_TIDY:-}
if [ -z "$ct" ]; then
	for c in clang-tidy-14 clang-tidy; do
		if command -v "$c" >/dev/null 2>&1; then
			ct=$c
			break
		fi
	done
fi
if [ -z "$ct" ] || ! command -v "$ct" >/dev/null 2>&1; then
	echo "SKIP: clang-tidy is not installed (apt-get install clang-tidy)"
	exit 77
fi

config="{CheckOptions: [
 {key: readability-function-cognitive-complexity.Threshold, value: $threshold},
 {key: readability-function-cognitive-complexity.DescribeBasicIncrements, value: false}]}"

# clang-tidy names a file as the compile command does (../src/x.c from build/): strip the
# leading ../ so every line reads from the top of the tree
found=$(for f in "$@"; do
	"$ct" -p "$build" --quiet --checks='-*,readability-function-cognitive-complexity' \
		--config="$config" --extra-arg=-Wno-unknown-warning-option "$f" 2>/dev/null
done | sed -n "s|^\(\.\./\)*\([^:]*\):\([0-9]*\):[0-9]*: warning: function '\([^']*\)' has cognitive complexity of \([0-9]*\) .*|\5 \2:\3: \4|p" |
	sort -k1,1nr -k2,2 | awk '{ print $2 " " $3 " complexity " $1 }')

[ -n "$found" ] && printf '%s\n' "$found"
n=$(printf '%s' "$found" | grep -c . || true)
echo "$n functions over $threshold in $# files"
