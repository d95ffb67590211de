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
T=$(mktemp -d "${TMPDIR:-/tmp}/tenantc-layering.XXXXXX")
trap 'rm -rf "$T"' EXIT

# what the executable defines beyond the libraries
ls "$B"/tenantc.p/*.o >/dev/null
defined "$B"/tenantc.p/*.o >"$T/exe"
fail=0
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
	bad_exe=$(comm -12 "$T/need-$g" "$T/exe" | tr '\n' ' ')
	if [ -n "$bad_exe" ]; then
		echo "FAIL tc_$g uses symbols that only the executable defines: $bad_exe"
		fail=$((fail + 1))
	fi
	ok_groups=$(allowed "$g")
	if [ "$ok_groups" = "?" ]; then
		echo "FAIL tc_$g is not in this script's list of groups: add it with its allowed groups"
		fail=$((fail + 1))
		continue
	fi
	for other in "$B"/libtc_*.a; do
		h=$(basename "$other" .a)
		h=${h#libtc_}
		[ "$h" = "$g" ] && continue
		case " $ok_groups " in *" $h "*) continue ;; esac
		used=$(comm -12 "$T/need-$g" "$T/def-$h" | tr '\n' ' ')
		if [ -n "$used" ]; then
			echo "FAIL tc_$g uses tc_$h, which is above or beside it: $used"
			fail=$((fail + 1))
		fi
	done
done
if [ "$fail" -eq 0 ]; then
	echo "ok   $n library groups: none uses the executable or a group above it"
	echo "1 passed, 0 failed"
else
	echo "0 passed, $fail failed"
	exit 1
fi
