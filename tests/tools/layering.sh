#!/bin/sh
# layering.sh BUILD_SRC - the libraries never depend on the executable, and
# each library group only on the groups below it (issue 12, item 4).
#
# A symbol that a library (build/src/libtc_<group>.a) leaves undefined must
# not be defined only by the executable's own objects (main.c, opt.c,
# cmd_*.c): such a library could not be linked into anything else, the unit
# tests included. And a group may use only the groups listed below for it,
# the order of src/meson.build.
set -eu
B=${1:?usage: layering.sh BUILD_SRC}
command -v nm >/dev/null 2>&1 || { echo "SKIP: nm (binutils) is not installed"; exit 77; }
defined() { nm --defined-only -g "$@" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u; }
undefined() { nm -u "$1" 2>/dev/null | awk '{ print $NF }' | sort -u; }
. "$SRC/tests/integration/lib.sh"

# what the executable defines beyond the libraries
ls "$B"/tenantc.p/*.o >/dev/null
defined "$B"/tenantc.p/*.o >"$T/exe"
# group: the groups it may use (besides itself)
allowed() {
	case $1 in
	core) echo "" ;;
	io) echo "core" ;;
	jsone) echo "core io" ;;
	cel) echo "core io" ;;
	schema) echo "core io cel" ;;
	secret) echo "core io" ;;
	source) echo "core" ;;
	diff) echo "core io" ;;
	files) echo "core" ;;
	render) echo "core io jsone cel schema secret source files" ;;
	review) echo "core io source diff render jsone cel schema secret files" ;;
	*) echo "?" ;;
	esac
}
for lib in "$B"/libtc_*.a; do
	g=$(basename "$lib" .a)
	g=${g#libtc_}
	defined "$lib" >"$T/def-$g"
done
n=0
for lib in "$B"/libtc_*.a; do
	g=$(basename "$lib" .a)
	g=${g#libtc_}
	n=$((n + 1))
	undefined "$lib" | comm -23 - "$T/def-$g" >"$T/need-$g"
	comm -12 "$T/need-$g" "$T/exe" | tr '\n' ' ' >"$T/bad-exe"
	run cat "$T/bad-exe"
	expect "tc_$g uses no symbol that only the executable defines" 'expect_stdout_empty || { why="it uses: $(cat "$T/stdout")"; false; }'

	ok_groups=$(allowed "$g")
	if [ "$ok_groups" = "?" ]; then
		bad "tc_$g is not in this script's list of groups: add it with its allowed groups"
		continue
	fi
	for other in "$B"/libtc_*.a; do
		h=$(basename "$other" .a)
		h=${h#libtc_}
		[ "$h" = "$g" ] && continue
		case " $ok_groups " in *" $h "*) continue ;; esac
		comm -12 "$T/need-$g" "$T/def-$h" | tr '\n' ' ' >"$T/used"
		run cat "$T/used"
		expect "tc_$g does not use tc_$h, which is above or beside it" 'expect_stdout_empty || { why="it uses: $(cat "$T/stdout")"; false; }'

	done
done
run test "$n" -gt 0
expect "$n library groups were read" 'expect_status 0'
finish
