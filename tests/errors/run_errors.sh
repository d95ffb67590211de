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
#   # expect: <the exact first stderr line>
#   # cmd: <optional command line; {file} is the case, {dir} its folder>
#
# Each case must exit with status 2 and print exactly that first line.
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

tmp=$(mktemp -d) || exit 3
trap 'rm -rf "$tmp"' EXIT INT TERM
passed=0 total=0
for d in "$@"; do
	for f in "$d"/*; do
		[ -f "$f" ] || continue
		total=$((total + 1))
		first=$(sed -n '1p' "$f")
		second=$(sed -n '2p' "$f")
		case $first in
		'# expect: '*) want=${first#'# expect: '} ;;
		*) echo "FAIL $f: first line is not '# expect: ...'"; continue ;;
		esac
		case $second in
		'# cmd: '*) cmd=${second#'# cmd: '} ;;
		*) cmd='{yamlcheck} {file}' ;;
		esac
		cmd=$(expand "$cmd" "$f")
		case $cmd in
		*'{'*'}'*) echo "FAIL $f: unknown placeholder in '$cmd'"; continue ;;
		esac
		rc=0
		# word splitting of $cmd is intended: a command line with arguments
		# shellcheck disable=SC2086
		$cmd >"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?
		got=$(sed -n '1p' "$tmp/err")
		if [ "$rc" -ne 2 ]; then
			echo "FAIL $f: exit status $rc, want 2"
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
