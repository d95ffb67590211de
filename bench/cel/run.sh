#!/bin/sh
# run.sh [ITERATIONS] - benchmark tenantc's CEL evaluator against cel-go on
# the same expressions and objects (workload.json), and write RESULTS.md
# beside this script.
#
#   ITERATIONS   evaluations per expression and timed run (default 20000)
#   BUILD=DIR    a meson build directory to use (default: build-bench)
#
# cel-go is built from the Go module proxy at the version kube-apiserver
# 1.34 uses (v0.26.0, with k8s.io/apiserver v0.34.4 for the Kubernetes
# libraries; celgo/go.mod and go.sum pin them) into the peer cache
# (TENANTC_PEER_CACHE, default ~/.cache/tenantc-peers), as the interop
# suite builds its peers. Both sides parse once and then time the
# evaluations in CPU time, best of three runs; tenantc runs before and
# after cel-go and its faster run counts. Every result must be the same on
# both sides.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
iters=${1:-20000}
build=${BUILD:-$root/build-bench}
peers=${TENANTC_PEER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tenantc-peers}
command -v go >/dev/null || { echo "run.sh: go is required" >&2; exit 2; }

if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$root" >/dev/null
fi
ninja -C "$build" tests/cel_bench >/dev/null || ninja -C "$build" tests/cel_bench

export GOPATH="$peers/go" GOCACHE="$peers/go/cache" GOMODCACHE="$peers/go/mod" \
	GOFLAGS=-trimpath GOTOOLCHAIN=local CGO_ENABLED=0
mod="$peers/go/src/celbench-v0.26.0"
mkdir -p "$mod"
cp "$here"/celgo/*.go "$here/celgo/go.mod" "$here/celgo/go.sum" "$mod/"
(cd "$mod" && nice -n 10 go build -o celbench .) ||
	{ echo "run.sh: building the cel-go driver failed" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$build/tests/cel_bench" "$here/workload.json" "$iters" >"$work/c1"
"$mod/celbench" "$here/workload.json" "$iters" apiserver >"$work/go"
"$mod/celbench" "$here/workload.json" "$iters" optimize >"$work/goopt"
"$build/tests/cel_bench" "$here/workload.json" "$iters" >"$work/c2"

# the faster of tenantc's two runs, per expression; results must agree
paste "$work/c1" "$work/c2" "$work/go" "$work/goopt" | awk -F'\t' -v out="$work/table" '
	{
		c = ($2 < $5) ? $2 : $5
		if ($3 != $9 || $3 != $12) { printf "results differ for %s: tenantc %s, cel-go %s / %s\n", $1, $3, $9, $12; bad = 1 }
		printf "| %s | %d | %d | %.1f | %d | %.1f | `%s` |\n", $1, c, $8, $8 / c, $11, $11 / c, $3 >> out
		n++; sc += log($8 / c); so += log($11 / c)
		if ($8 >= c) faster++
		if ($11 >= c) fasteropt++
	}
	END {
		printf "%d\t%.2f\t%.2f\t%d\t%d\n", n, exp(sc / n), exp(so / n), faster, fasteropt > (out ".sum")
		exit bad
	}'
read -r n gm gmopt faster fasteropt <"$work/table.sum"
cat "$work/table"
echo "geometric mean: cel-go (as the API server runs it) / tenantc = $gm; cel-go optimized / tenantc = $gmopt"

{
	cat <<EOT
# CEL benchmark: tenantc beside cel-go

Written by \`bench/cel/run.sh $iters\`; do not edit by hand. The expressions and objects are
bench/cel/workload.json: expressions of the kinds CRD rules and admission policies use, over a
Deployment with 20 containers and a Widget of tests/integration/cel/widgets.example.com.yaml.
Each side parses every expression once and then evaluates it $iters times; the time is CPU time
per evaluation in nanoseconds, the best of three runs (tenantc: the better of a run before and
one after cel-go). Both sides gave the same result for every expression (last column).

cel-go is v0.26.0 with the Kubernetes libraries of k8s.io/apiserver v0.34.4, the versions
kube-apiserver 1.34 is built with, and runs each program twice: as the API server makes a CRD
rule's program (the per-call cost limit with cost tracking and interrupt checks every 100 steps),
and with \`cel.OptOptimize\` (constant folding, regular expressions compiled once), its fastest
form, which the API server does not use. The ratio columns are cel-go's time over tenantc's:
above 1, tenantc is faster.

## Machine

- CPU: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
- cores: $(nproc)
- load average (1, 5, 15 min): $(cut -d' ' -f1-3 /proc/loadavg)
- tenantc: $("$build/src/tenantc" version 2>/dev/null | head -n 1), commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
- Go: $(go version | cut -d' ' -f3)

## Results

| expression | tenantc ns | cel-go ns (API server) | ratio | cel-go ns (optimized) | ratio | result |
|---|---:|---:|---:|---:|---:|---|
EOT
	cat "$work/table"
	cat <<EOT

Geometric mean of the ratios over the $n expressions: **$gm** against cel-go as the API server
runs it (tenantc at least as fast on $faster of $n), **$gmopt** against optimized cel-go
(tenantc at least as fast on $fasteropt of $n).
EOT
} >"$here/RESULTS.md"
echo "wrote $here/RESULTS.md"

# the same figures at the end of bench/RESULTS.md, between markers that
# bench/scale/run.sh keeps when it rewrites that file
top="$root/bench/RESULTS.md"
{
	echo "<!-- bench/cel/run.sh begin -->"
	echo "## CEL: tenantc beside cel-go"
	echo
	echo "Written by \`bench/cel/run.sh $iters\` (the method and the machine: bench/cel/RESULTS.md)."
	echo "Nanoseconds of CPU time per evaluation; ratio = cel-go / tenantc."
	echo
	echo "| expression | tenantc ns | cel-go ns (API server) | ratio | cel-go ns (optimized) | ratio | result |"
	echo "|---|---:|---:|---:|---:|---:|---|"
	cat "$work/table"
	echo
	echo "Geometric mean: **$gm** against cel-go as the API server runs it (tenantc at least as fast"
	echo "on $faster of $n), **$gmopt** against optimized cel-go ($fasteropt of $n)."
	echo "<!-- bench/cel/run.sh end -->"
} >"$work/section"
if [ -f "$top" ]; then
	awk '/^<!-- bench\/cel\/run.sh begin -->$/ { skip = 1 } !skip { print } /^<!-- bench\/cel\/run.sh end -->$/ { skip = 0 }' \
		"$top" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >"$work/top"
	{ cat "$work/top"; echo; cat "$work/section"; } >"$top"
else
	cp "$work/section" "$top"
fi
echo "updated $top"
