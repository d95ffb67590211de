#!/bin/sh
# run_findings.sh - cases for `tenantc validate`: one input per file, the
# expected stderr lines and exit status in leading comments.
#
#   run_findings.sh ROOT NAME=PATH... [--] SUBDIR...
#
# A case file starts with
#
#   # cmd: <command line; {file} is the case, {NAME} from NAME=PATH>
#   # status: <expected exit status>
#   # expect: <an expected stderr line>
#   # expect: ...
#
# stderr must be exactly the expect lines, in order (validate sorts its
# output, so the order is fixed). Prints one line per case and
# "findings: N/M passed"; exits 1 on any failure.
set -u
LC_ALL=C
export LC_ALL

root=${1:?usage: run_findings.sh ROOT NAME=PATH... [--] SUBDIR...}
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
# a NAME=PATH whose PATH is missing (../shared on a bare checkout) skips
for kv in $vars; do
	case $kv in
	*=/*) [ -e "${kv#*=}" ] || { echo "SKIP: ${kv#*=} not found"; exit 77; } ;;
	esac
done

expand() {
	line=$1 file=$2
	printf '%s\n' "$vars" | {
		while IFS= read -r kv; do
			[ -n "$kv" ] || continue
			name=${kv%%=*} val=${kv#*=}
			line=$(printf '%s\n' "$line" | sed "s|{$name}|$val|g")
		done
		printf '%s\n' "$line" | sed "s|{file}|$file|g"
	}
}

tmp=$(mktemp -d) || exit 3
trap 'rm -rf "$tmp"' EXIT INT TERM
passed=0 total=0
for d in "$@"; do
	for f in "$d"/*; do
		[ -f "$f" ] || continue
		total=$((total + 1))
		cmd=$(sed -n 's/^# cmd: //p' "$f" | head -n 1)
		status=$(sed -n 's/^# status: //p' "$f" | head -n 1)
		sed -n 's/^# expect: //p' "$f" >"$tmp/want"
		if [ -z "$cmd" ] || [ -z "$status" ] || [ ! -s "$tmp/want" ]; then
			echo "FAIL $f: needs '# cmd:', '# status:' and '# expect:' lines"
			continue
		fi
		cmd=$(expand "$cmd" "$f")
		rc=0
		# shellcheck disable=SC2086
		$cmd >"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?
		if [ "$rc" -ne "$status" ]; then
			echo "FAIL $f: exit status $rc, want $status"
			sed 's/^/     /' "$tmp/err"
		elif ! cmp -s "$tmp/err" "$tmp/want"; then
			echo "FAIL $f"
			diff "$tmp/want" "$tmp/err" | sed 's/^/     /'
		else
			echo "ok   $f"
			passed=$((passed + 1))
		fi
	done
done
echo "findings: $passed/$total passed"
[ "$passed" -eq "$total" ] && [ "$total" -gt 0 ]
