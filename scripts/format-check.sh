#!/bin/sh
# scripts/format-check.sh - fail when a C file differs from what clang-format makes of it.
#
#   sh scripts/format-check.sh        list the files that differ, exit 1 if any
#   sh scripts/format-check.sh --fix  rewrite them in place
#
# The rules are in .clang-format. Releases of clang-format format some constructs
# differently, so the check is defined against clang-format 14 (Debian 12's): it looks for
# clang-format-14, then clang-format (or $CLANG_FORMAT), and skips (exit 77, as meson
# counts a skip) when that is missing or another major version. Run by `meson test format`
# (suite 'style'); scripts/dev.sh installs clang-format.
set -u
cd "$(dirname "$0")/.."

# files the check leaves alone (patterns); none today
EXCLUDED=""

cf=${CLANG_FORMAT:-}
if [ -z "$cf" ]; then
	for c in clang-format-14 clang-format; do
		if command -v "$c" >/dev/null 2>&1; then
			cf=$c
			break
		fi
	done
fi
if [ -z "$cf" ] || ! command -v "$cf" >/dev/null 2>&1; then
	echo "SKIP: clang-format is not installed (sh scripts/dev.sh build installs it)"
	exit 77
fi
version=$("$cf" --version | sed -n 's/.*clang-format version \([0-9]*\)\..*/\1/p')
if [ "$version" != 14 ]; then
	echo "SKIP: $cf is version ${version:-unknown}; the check is defined against clang-format 14"
	exit 77
fi

files=""
for f in src/*.c src/*.h tests/unit/*.c tests/fuzz/*.c tools/*.c; do
	skip=false
	set -f
	for pat in $EXCLUDED; do
		case $f in
		$pat) skip=true ;;
		esac
	done
	set +f
	$skip || files="$files $f"
done

if [ "${1:-}" = --fix ]; then
	# twice: a string literal split in the first pass can move a line once more
	"$cf" -i $files && "$cf" -i $files
	exit
fi

out=$("$cf" --dry-run --Werror $files 2>&1)
rc=$?
if [ "$rc" -eq 0 ]; then
	echo "format: $(echo $files | wc -w) files match .clang-format"
	exit 0
fi
differ=$(echo "$out" | sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: error: code should be clang-formatted.*/\1/p' | sort -u)
if [ -z "$differ" ]; then
	# clang-format failed for another reason (a bad .clang-format, an unreadable file)
	echo "$out" >&2
	exit 1
fi
echo "format: these files differ from .clang-format (sh scripts/format-check.sh --fix):"
echo "$differ" | sed 's/^/  /'
exit 1
