#!/bin/sh
# run_errors.sh - the 'errors' suite: one bad input per file, with its
# expected first line of stderr in a leading comment.
#
#   run_errors.sh ROOT NAME=PATH... [--] [SUBDIR...]
#
# Runs from ROOT (tests/errors), so every file is named by its path
# relative to ROOT, e.g. yaml/duplicate-key.yaml. SUBDIR defaults to every
# directory under ROOT. NAME=PATH defines {NAME} for commands; the
# default command is "{yamlcheck} {file}". A case file starts with
#
#   # expect: <the exact first stderr line; "# expect:" alone: no stderr>
#   # cmd: <optional command line; {file} is the case, {dir} its folder>
#   # status: <optional exit status; 2 (bad input) when absent>
#
# (cmd and status in either order, right after the expect line). Each case
# must exit with that status and print exactly that first line. Each runs
# under `timeout 5` and, unless TC_ERRORS_ASAN is set (AddressSanitizer
# reserves terabytes of address space), `ulimit -v` of 500 MiB; under
# ASan the same memory limit is ASAN_OPTIONS=hard_rss_limit_mb=500.
# Prints one line per case and "errors: N/M passed"; exits 1 on any failure.
set -u
LC_ALL=C
export LC_ALL

root=${1:?usage: run_errors.sh ROOT NAME=PATH... [--] [SUBDIR...]}
shift
vars=
while [ $# -gt 0 ]; do
	case $1 in
	--) shift; break ;;
	*=*) vars="$vars
$1"; shift ;;
	*) break ;;
	esac
done
cd "$root" || exit 3
if [ $# -eq 0 ]; then
	for d in */; do
		[ -d "$d" ] && set -- "$@" "${d%/}"
	done
fi

# expand {NAME} placeholders in $1 with the NAME=PATH pairs, {file}, {dir}
expand() {
	line=$1 file=$2
	printf '%s\n' "$vars" | {
		while IFS= read -r kv; do
			[ -n "$kv" ] || continue
			name=${kv%%=*} val=${kv#*=}
			line=$(printf '%s\n' "$line" | sed "s|{$name}|$val|g")
		done
		dir=$(dirname "$file")
		printf '%s\n' "$line" | sed "s|{file}|$file|g; s|{dir}|$dir|g"
	}
}

# 5 s and 500 MiB per case (see above)
limit_kb=512000
timeout=
command -v timeout >/dev/null 2>&1 && timeout='timeout 5'
if [ -n "${TC_ERRORS_ASAN:-}" ]; then
	ASAN_OPTIONS="hard_rss_limit_mb=500${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
	export ASAN_OPTIONS
fi
tmp=$(mktemp -d) || exit 3
trap 'rm -rf "$tmp"' EXIT INT TERM
passed=0 total=0
for d in "$@"; do
	for f in "$d"/*; do
		[ -f "$f" ] || continue
		total=$((total + 1))
		first=$(sed -n '1p' "$f")
		case $first in
		'# expect: '*) want=${first#'# expect: '} ;;
		'# expect:') want= ;;
		*) echo "FAIL $f: first line is not '# expect: ...'"; continue ;;
		esac
		cmd='{yamlcheck} {file}' status=2
		for n in 2 3; do
			line=$(sed -n "${n}p" "$f")
			case $line in
			'# cmd: '*) cmd=${line#'# cmd: '} ;;
			'# status: '*) status=${line#'# status: '} ;;
			esac
		done
		cmd=$(expand "$cmd" "$f")
		case $cmd in
		*'{'*'}'*) echo "FAIL $f: unknown placeholder in '$cmd'"; continue ;;
		esac
		rc=0
		# word splitting of $cmd is intended: a command line with arguments
		# shellcheck disable=SC2086
		(
			[ -n "${TC_ERRORS_ASAN:-}" ] || ulimit -v "$limit_kb"
			exec $timeout $cmd
		) >"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?
		got=$(sed -n '1p' "$tmp/err")
		if [ "$rc" -eq 124 ] && [ -n "$timeout" ]; then
			echo "FAIL $f: took more than 5 s"
		elif [ "$rc" -ne "$status" ]; then
			echo "FAIL $f: exit status $rc, want $status"
			echo "     stderr: $got"
		elif [ "$got" != "$want" ]; then
			echo "FAIL $f"
			echo "     got:  $got"
			echo "     want: $want"
		else
			echo "ok   $f"
			passed=$((passed + 1))
		fi
	done
done
echo "errors: $passed/$total passed"
[ "$passed" -eq "$total" ] && [ "$total" -gt 0 ]
