#!/bin/sh
# bench/verify-compare/run.sh - the measurements behind docs/verify-comparison.md
#
#   sh bench/verify-compare/run.sh [OUT]
#
# Makes three copies of the example in OUT (default /tmp/verify-compare),
# each with the isolation verifier on (the example's tenantc.yaml turns it
# off): "example" as it is, "half" with planted-ingress.yaml added to
# templates/tenant/ (acme's namespaces admit every pod of globex's), "full"
# with planted-egress.yaml too (globex's pods may send to acme's). Each is
# rendered, then judged by `tenantc check --worktree --explain`, by Cyclonus
# (lint, and query-traffic over every cross-tenant flow of the apps,
# traffic.py) and by np-guard's netpol-analyzer (list, list --exposure and
# diff against the example, over the
# NetworkPolicies and Namespaces plus one Pod per app, pods.py). TENANTC,
# CYCLONUS and NETPOLICY name the programs (default: build/src/tenantc and
# the peer cache ~/.cache/tenantc-peers/bin); a peer that is not there is
# reported and left out. Prints what each reports; the files stay in OUT.
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$SRC/bench/verify-compare
OUT=${1:-/tmp/verify-compare}
BIN=$HOME/.cache/tenantc-peers/bin
TENANTC=${TENANTC:-$SRC/build/src/tenantc}
CYCLONUS=${CYCLONUS:-$BIN/cyclonus}
NETPOLICY=${NETPOLICY:-$BIN/netpolicy-v1.4.4}
export SOPS_AGE_KEY_FILE="$SRC/keys/admin.agekey"
unset SOPS_AGE_KEY
rm -rf "$OUT" && mkdir -p "$OUT" || exit 1

for v in example half full; do
	R=$OUT/$v
	mkdir -p "$R"
	for f in tenantc.yaml environments tenants templates schemas; do
		cp -R "$SRC/$f" "$R/"
	done
	cp "$SRC/tenantc.yaml" "$R/tenantc.yaml"
	case $v in
	half) cp "$HERE/planted-ingress.yaml" "$R/templates/tenant/" ;;
	full) cp "$HERE/planted-ingress.yaml" "$HERE/planted-egress.yaml" "$R/templates/tenant/" ;;
	esac
	# the tree the other tools read: written even where the verifier finds
	# violations (check judges them below)
	(cd "$R" && "$TENANTC" render --no-verify >/dev/null) || { echo "$v: render failed"; exit 1; }
	(cd "$R" && "$TENANTC" check --worktree --explain >"$R/check.out" 2>"$R/check.err")
	echo "== $v: tenantc check exit $?, $(grep -c ': error: network\.' "$R/check.err") network findings, $(grep -c ': error: ' "$R/check.err") in all"
	sed -n 's/^[^ ]*: error: \([a-z]*\.[a-z-]*\): .*/\1/p' "$R/check.err" | sort | uniq -c
	grep '^allowed flows\|^rights' "$R/check.out"

	# Cyclonus reads NetworkPolicies only: every file under --policy-path
	# must be one
	if [ -x "$CYCLONUS" ]; then
		mkdir -p "$R/cyclonus"
		for f in "$R"/rendered/*/tenants/*/networkpolicy-*.yaml; do
			t=${f#"$R/rendered/"}
			cp "$f" "$R/cyclonus/$(echo "$t" | tr / -)"
		done
		python3 "$HERE/traffic.py" "$R/rendered" >"$R/traffic.json"
		"$CYCLONUS" analyze --policy-path "$R/cyclonus" --mode lint >"$R/cyclonus-lint.txt" 2>&1
		echo "-- cyclonus lint (exit $?):"
		grep -o '^| Resolved *| [A-Za-z]*' "$R/cyclonus-lint.txt" | awk '{print $4}' | sort | uniq -c
		"$CYCLONUS" analyze --policy-path "$R/cyclonus" --mode query-traffic \
			--traffic-path "$R/traffic.json" >"$R/cyclonus-traffic.txt" 2>&1
		echo "-- cyclonus query-traffic (exit $?):"
		python3 "$HERE/cycsum.py" "$R/cyclonus-traffic.txt"
	else
		echo "-- cyclonus: not at $CYCLONUS, left out"
	fi

	if [ -x "$NETPOLICY" ]; then
		if [ "$v" = example ]; then
			# the rendered tree as it is: no workloads
			"$NETPOLICY" list --dirpath "$R/rendered/prod" >"$R/netpol-tree.txt" 2>&1
			echo "-- netpol-analyzer list of rendered/prod (exit $?): $(grep -v '^$' "$R/netpol-tree.txt" | head -n 1 | cut -d' ' -f3-)"
		fi
		python3 "$HERE/pods.py" "$R/rendered" "$R/netpol" >/dev/null
		"$NETPOLICY" list --dirpath "$R/netpol" >"$R/netpol-list.txt" 2>"$R/netpol-list.err"
		echo "-- netpol-analyzer list (exit $?): $(grep -c . "$R/netpol-list.txt") connections"
		python3 "$HERE/npasum.py" "$R/netpol-list.txt" "$R/rendered"
		"$NETPOLICY" list --dirpath "$R/netpol" --exposure >"$R/netpol-exposure.txt" 2>&1
		echo "-- netpol-analyzer list --exposure (exit $?)$([ "$v" = example ] || echo ", lines the example's lacks:")"
		[ "$v" = example ] || LC_ALL=C diff "$OUT/example/netpol-exposure.txt" "$R/netpol-exposure.txt" |
			sed -n 's/^> /  /p'
		if [ "$v" != example ]; then
			"$NETPOLICY" diff --dir1 "$OUT/example/netpol" --dir2 "$R/netpol" \
				>"$R/netpol-diff.txt" 2>"$R/netpol-diff.err"
			echo "-- netpol-analyzer diff against the example (exit $?): $(grep -c . "$R/netpol-diff.txt") lines"
		fi
	else
		echo "-- netpol-analyzer: not at $NETPOLICY, left out"
	fi
done
