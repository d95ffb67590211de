#!/bin/sh
# run.sh [N...] - time tenantc against kustomize and jsonnet on the same
# workload, in one run on this machine, and write bench/RESULTS.md.
#
#   N...          tenant counts (default: 100 1000 10000); two environments each
#   TENANTC=PATH  the binary to time (default: build it in BUILD)
#   BUILD=DIR     meson build directory (default: build-bench, the project's
#                 default buildtype)
#   LIMIT=S       seconds one peer run may take (default 600); a run predicted
#                 to take longer is skipped and the report says so
#   REPEAT=K      rounds of the tenantc and floor measurements, median
#                 (default 3; at N >= 10,000 REPEAT_BIG, default 1, as each
#                 round writes three trees of 160,000 files)
#   CHECK_MAX=N   compare the objects of all tools up to this N (default 1000)
#   PROFILE_N=N   profile tenantc on this N (default 1000; 0: no profile)
#   WORK=DIR      scratch folder (default: a new one under $TMPDIR or /tmp)
#   KEEP=1        keep the scratch folder
#   OUT=FILE      the report (default: bench/RESULTS.md)
#   MEMLIMIT=KIB  address-space limit for the jsonnet runs (default: three
#                 quarters of the memory), so that a jsonnet that outgrows the
#                 machine fails by itself instead of waking the OOM killer
#   NICE=K        run everything at this niceness (e.g. -10 on a machine that
#                 other work shares; the report says which was used)
#
# Per N it generates the workload (gen.py), then measures wall time (median
# of REPEAT interleaved rounds for tenantc and the floor, one run for the
# peers) and peak RSS
# (GNU time "Maximum resident set size") of:
#   tc_tree    tenantc render --out DIR (default --jobs: every core)
#   tc_jobs1   the same with --jobs 1
#   tc_stdout  tenantc render --stdout (to a file)
#   floor_cp   cp -r of tenantc's tree: creating the files alone
#   kz_root    kubectl kustomize over one root listing every overlay
#   kz_each    one kubectl kustomize per overlay, as many at a time as cores
#   jn_tree    jsonnet -m DIR (one file per object)
#   jn_stream  jsonnet -y (one YAML stream)
#   *_one      one tenant in one environment (the ArgoCD plugin case),
#              hyperfine median of 20 runs
# and checks with compare.py that all of them produced the same objects.
#
# Every timed run starts after a sync, so that no run pays for writing
# back the files of the one before (or of the generated workload).
#
# Nothing is deleted while measuring: on ext4 without a journal, creating
# files soon after many were deleted is several times slower (the inode
# allocator skips inodes freed in the last minutes), which would make each
# run depend on the one before. Every timed run writes into a fresh folder
# (an earlier output is renamed aside), and the scratch folder, which may
# hold a few million files at N=10,000, is removed at the end.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
[ $# -gt 0 ] || set -- 100 1000 10000
ns=$*
limit=${LIMIT:-600}
repeat=${REPEAT:-3}
repeat_big=${REPEAT_BIG:-1}
check_max=${CHECK_MAX:-1000}
profile_n=${PROFILE_N:-1000}
out_md=${OUT:-$root/bench/RESULTS.md}
py=/usr/bin/python3
ncores=$(nproc)
memlimit=${MEMLIMIT:-$(awk '/MemTotal/ { printf "%d", $2 * 3 / 4 }' /proc/meminfo)}
if [ -n "${NICE:-}" ]; then
	renice -n "$NICE" -p $$ >/dev/null
fi

for tool in kubectl jsonnet hyperfine; do
	command -v $tool >/dev/null || {
		echo "run.sh: $tool is missing (apt-get install ${tool})" >&2
		exit 2
	}
done
[ -x /usr/bin/time ] || { echo "run.sh: GNU time is missing (apt-get install time)" >&2; exit 2; }
$py -c 'import yaml' 2>/dev/null || { echo "run.sh: python3-yaml is missing" >&2; exit 2; }

if [ -z "${TENANTC:-}" ]; then
	build=${BUILD:-$root/build-bench}
	[ -f "$build/build.ninja" ] || meson setup "$build" "$root" >/dev/null
	ninja -C "$build" src/tenantc >/dev/null || ninja -C "$build" src/tenantc
	TENANTC=$build/src/tenantc
fi
tc=$(cd "$(dirname "$TENANTC")" && pwd)/$(basename "$TENANTC")

work=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/tenantc-scale.XXXXXX")}
mkdir -p "$work"
work=$(cd "$work" && pwd)
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
results=$work/results.tsv
load0=$(cut -d' ' -f1-3 /proc/loadavg)
: > "$results"
echo "run.sh: scratch folder $work" >&2

# record N KEY WALL RSS_KIB CPU STATUS NOTE
record() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$results"
	printf '  %-10s %8ss %8s KiB  %s %s\n' "$2" "$3" "$4" "$6" "$7" >&2
}

# once OUTFILE CMD... : one run under GNU time and timeout; sets wall (s),
# rss (KiB), cpu (user+sys s) and rc
once() {
	o=$1
	shift
	t0=$(date +%s%N)
	set +e
	/usr/bin/time -f '%M %U %S' -o "$work/time.txt" timeout "$limit" "$@" > "$o" 2> "$work/stderr.txt"
	rc=$?
	set -e
	t1=$(date +%s%N)
	wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')
	set -- $(tail -n 1 "$work/time.txt")
	rss=$1
	cpu=$(awk -v u="$2" -v s="$3" 'BEGIN { printf "%.2f", u + s }')
}

# aside PATH: rename PATH (if it exists) into the scratch folder's trash
aside() {
	mkdir -p "$work/trash"
	[ ! -e "$1" ] || mv "$1" "$(mktemp -d "$work/trash/XXXXXX")/"
}

# sample KEY ASIDE OUTFILE CMD... : one run of a repeated measurement, the
# output folder ASIDE (may be "") set aside first; appends "wall cpu rss" to
# the samples of KEY, or marks KEY failed
sample() {
	key=$1 prep=$2 o=$3
	shift 3
	[ ! -e "$work/failed.$key" ] || return 0
	[ -z "$prep" ] || aside "$prep"
	sync
	once "$o" "$@"
	if [ $rc -ne 0 ]; then
		echo "$wall	$rss	$cpu	exit $rc: $(head -c 300 "$work/stderr.txt" | tr '\t\n' '  ')" > "$work/failed.$key"
		return 0
	fi
	echo "$wall $cpu $rss" >> "$work/samples.$key"
}

# summarize N KEY : record the median wall time (and its CPU time) and the
# largest RSS of KEY's samples, then forget them
summarize() {
	if [ -e "$work/failed.$2" ]; then
		IFS='	' read -r fw fr fc fnote < "$work/failed.$2"
		record "$1" "$2" "$fw" "$fr" "$fc" failed "$fnote"
	else
		k=$(wc -l < "$work/samples.$2")
		maxrss=$(awk '$3 > m { m = $3 } END { print m }' "$work/samples.$2")
		set -- "$1" "$2" $(sort -n "$work/samples.$2" | sed -n "$(((k + 1) / 2))p")
		record "$1" "$2" "$3" "$maxrss" "$4" ok "median of $k"
	fi
	rm -f "$work/samples.$2" "$work/failed.$2"
}

# predicted KEY N : a linear extrapolation of KEY from the largest smaller N
# measured, or nothing
predicted() {
	awk -F '\t' -v k="$1" -v n="$2" '
		$2 == k && $6 == "ok" && $1 < n && $1 > best { best = $1; t = $3 }
		END { if (best) printf "%.0f %d", t * n / best, best }' "$results"
}

# stopped KEY N : the largest smaller N at which KEY ran past LIMIT, or nothing
stopped() {
	awk -F '\t' -v k="$1" -v n="$2" '
		$2 == k && $6 == "skipped" && $1 < n && $1 > best { best = $1 }
		END { if (best) print best }' "$results"
}

# peer N KEY OUTFILE CMD... : one run, skipped when predicted past LIMIT
peer() {
	n=$1 key=$2 o=$3
	shift 3
	s=$(stopped "$key" "$n")
	if [ -n "$s" ]; then
		record "$n" "$key" "" "" "" skipped "not run: already past the ${limit} s limit at N=$s"
		return 0
	fi
	p=$(predicted "$key" "$n")
	if [ -n "$p" ] && [ "${p% *}" -gt "$limit" ]; then
		record "$n" "$key" "" "" "" skipped "predicted ${p% *} s (linear from N=${p#* }), past the ${limit} s limit"
		return 0
	fi
	sync
	once "$o" "$@"
	if [ $rc -eq 124 ]; then
		record "$n" "$key" "" "" "" skipped "stopped after ${limit} s"
	elif [ $rc -ne 0 ]; then
		record "$n" "$key" "$wall" "$rss" "$cpu" failed "exit $rc: $(head -c 300 "$work/stderr.txt" | tr '\t\n' '  ')"
	else
		record "$n" "$key" "$wall" "$rss" "$cpu" ok "one run"
	fi
}

# one N KEY CMD... : the ArgoCD case, hyperfine median of 20 runs plus one
# run under GNU time for the RSS
one() {
	n=$1 key=$2
	shift 2
	once "$work/$key.yaml" "$@"
	if [ $rc -ne 0 ]; then
		record "$n" "$key" "$wall" "$rss" "$cpu" failed "exit $rc: $(head -c 300 "$work/stderr.txt" | tr '\t\n' '  ')"
		return 0
	fi
	r1=$rss
	cmd=""
	for a in "$@"; do cmd="$cmd '$a'"; done
	hyperfine -N --warmup 3 --runs 20 --export-json "$work/hf.json" -- "$cmd" >/dev/null 2>&1 ||
		hyperfine --warmup 3 --runs 20 --export-json "$work/hf.json" -- "$cmd" >/dev/null
	med=$($py -c 'import json,sys; print("%.4f" % json.load(open(sys.argv[1]))["results"][0]["median"])' "$work/hf.json")
	record "$n" "$key" "$med" "$r1" "" ok "hyperfine median of 20"
}

# ok N KEY: did KEY run to the end at N
ok() {
	awk -F '\t' -v n="$1" -v k="$2" '$1 == n && $2 == k && $6 == "ok" { f = 1 } END { exit !f }' "$results"
}

for n in $ns; do
	echo "run.sh: N=$n" >&2
	d=$work/n$n
	aside "$d"
	$py "$here/gen.py" "$d" "$n"
	# the workload's files are written back before anything is timed: the
	# write-back of thousands of new files otherwise lands on the first runs
	sync
	repo=$d/tenantc
	# tenantc: the tree (fresh each time), --jobs 1, the stream
	# tenantc and the floor (cp -r of tenantc's tree) in interleaved rounds,
	# so that both see the same state of the machine and its file system
	rounds=$repeat
	[ "$n" -lt 10000 ] || rounds=$repeat_big
	i=0
	while [ $i -lt "$rounds" ]; do
		sample tc_jobs1 "$d/out" "$d/tc_jobs1.log" "$tc" render --no-verify --repo "$repo" --out "$d/out" --jobs 1
		sample tc_tree "$d/out" "$d/tc_tree.log" "$tc" render --no-verify --repo "$repo" --out "$d/out"
		[ ! -d "$d/out" ] || sample floor_cp "$d/floor" "$d/floor.log" cp -r "$d/out" "$d/floor"
		sample tc_stdout "" "$d/tc_stdout.yaml" "$tc" render --repo "$repo" --stdout
		i=$((i + 1))
	done
	for k in tc_tree tc_jobs1 tc_stdout floor_cp; do
		summarize "$n" $k
	done
	# incremental: the repository in git with a cache; render once (cold),
	# change one tenant, commit and render again into the same tree
	ir=$d/increpo
	cp -r "$repo" "$ir"
	(cd "$ir" && git init -q -b main . && git add -A &&
		git -c user.name=bench -c user.email=bench@example.invalid commit -q -m base)
	export TENANTC_CACHE_DIR="$d/inccache"
	once "$d/inc_cold.log" "$tc" render --no-verify --repo "$ir" --rev HEAD --out "$d/inc"
	record "$n" tc_inc_cold "$wall" "$rss" "$cpu" ok "first render of a git revision, empty cache"
	t=$(printf 't%05d' $((n / 2)))
	sed -i 's/"displayName": "Tenant \([0-9]*\) GmbH"/"displayName": "Tenant \1 AG"/' "$ir/tenants/$t/tenant.yaml"
	(cd "$ir" && git -c user.name=bench -c user.email=bench@example.invalid commit -q -am "one tenant")
	touch "$d/inc.marker"
	once "$d/inc_one.log" "$tc" render --no-verify --repo "$ir" --rev HEAD --out "$d/inc"
	changed=$(find "$d/inc" -type f -newer "$d/inc.marker" | wc -l)
	record "$n" tc_inc_one "$wall" "$rss" "$cpu" ok "$t changed: $(sed 's/.*(//; s/)//' "$d/inc_one.log"); $changed files in the tree modified"
	unset TENANTC_CACHE_DIR
	# kustomize: one root over all overlays, then one run per overlay
	peer "$n" kz_root "$d/kz_root.yaml" kubectl kustomize "$d/kustomize"
	mkdir -p "$d/kz_each"
	total=$((2 * n))
	sample=200
	if [ $total -gt $sample ]; then
		head -n $sample "$d/kustomize/overlays.txt" > "$d/kustomize/sample.txt"
		once "$d/kz_sample.log" sh "$here/kz_each.sh" "$d/kustomize" sample.txt "$d/kz_each" "$ncores"
		est=$(awk -v w="$wall" -v t=$total -v s=$sample 'BEGIN { printf "%.0f", w * t / s }')
		if [ "$est" -gt "$limit" ]; then
			record "$n" kz_each "$est" "$rss" "" extrapolated "NOT MEASURED: ${wall} s for $sample of $total overlays, times $total/$sample; past the ${limit} s limit"
			aside "$d/kz_each"
		fi
	fi
	if [ -d "$d/kz_each" ]; then
		aside "$d/kz_each" && mkdir -p "$d/kz_each"
		peer "$n" kz_each "$d/kz_each.log" sh "$here/kz_each.sh" "$d/kustomize" overlays.txt "$d/kz_each" "$ncores"
	fi
	# jsonnet: one file per object, then one stream
	mkdir -p "$d/jn_tree"
	peer "$n" jn_tree "$d/jn_tree.log" sh -c 'ulimit -v "$1" && shift && exec "$@"' sh "$memlimit" \
		jsonnet -J "$d/jsonnet" -m "$d/jn_tree" "$d/jsonnet/tree.jsonnet"
	peer "$n" jn_stream "$d/jn_stream.yaml" sh -c 'ulimit -v "$1" && shift && exec "$@"' sh "$memlimit" \
		jsonnet -J "$d/jsonnet" -y "$d/jsonnet/stream.jsonnet"
	# one tenant in one environment
	t=$(printf 't%05d' $((n > 42 ? 42 : n - 1)))
	one "$n" tc_one "$tc" render --repo "$repo" --stdout --env prod --tenant "$t"
	cp "$work/tc_one.yaml" "$d/tc_one.yaml"
	one "$n" kz_one kubectl kustomize "$d/kustomize/overlays/prod/$t"
	cp "$work/kz_one.yaml" "$d/kz_one.yaml"
	one "$n" jn_one jsonnet -J "$d/jsonnet" -y --tla-code-file "tenant=$d/jsonnet/tenants/$t.json" --tla-str env=prod "$d/jsonnet/one.jsonnet"
	cp "$work/jn_one.yaml" "$d/jn_one.yaml"

	# the same objects from every tool that ran
	if [ "$n" -le "$check_max" ]; then
		set -- tenantc-tree=tree:"$d/out" tenantc-stdout=stream:"$d/tc_stdout.yaml"
		! ok "$n" kz_root || set -- "$@" kustomize-root=stream:"$d/kz_root.yaml"
		! ok "$n" kz_each || set -- "$@" kustomize-each=tree:"$d/kz_each"
		! ok "$n" jn_tree || set -- "$@" jsonnet-m=tree:"$d/jn_tree"
		! ok "$n" jn_stream || set -- "$@" jsonnet-y=stream:"$d/jn_stream.yaml"
		if $py "$here/compare.py" "$@" > "$d/check.txt" 2>&1; then s=same; else s=DIFFERENT; fi
		record "$n" check "" "" "" "$s" "$(grep -v '^  ' "$d/check.txt" | tr '\n' ';')"
		if $py "$here/compare.py" tenantc=stream:"$d/tc_one.yaml" kustomize=stream:"$d/kz_one.yaml" \
			jsonnet=stream:"$d/jn_one.yaml" > "$d/check_one.txt" 2>&1; then s=same; else s=DIFFERENT; fi
		record "$n" check_one "" "" "" "$s" "$(grep -v '^  ' "$d/check_one.txt" | tr '\n' ';')"
		cat "$d/check.txt" "$d/check_one.txt" >&2
	fi
done

# profile tenantc, single-threaded, on PROFILE_N
prof=$work/profile
mkdir -p "$prof"
if [ "$profile_n" != 0 ]; then
	d=$work/n$profile_n
	[ -d "$d/tenantc" ] || $py "$here/gen.py" "$d" "$profile_n"
	echo "run.sh: profiling N=$profile_n" >&2
	if perf record -o "$prof/probe.data" true >/dev/null 2>&1; then
		for mode in jobs1 stdout; do
			aside "$d/out"
			case $mode in
			jobs1) set -- --out "$d/out" --jobs 1 --no-verify ;;
			stdout) set -- --stdout --jobs 1 ;;
			esac
			perf record -F 2999 --call-graph dwarf -o "$prof/$mode.data" "$tc" render --repo "$d/tenantc" "$@" \
				> /dev/null 2> "$prof/$mode.record.log"
			perf report -i "$prof/$mode.data" --stdio --no-children --sort symbol \
				--percent-limit 0.7 -g none 2>/dev/null | grep -v '^#' | grep -v '^$' |
				head -n 40 > "$prof/$mode.symbols.txt"
			perf report -i "$prof/$mode.data" --stdio --no-children --sort dso \
				-g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -n 12 > "$prof/$mode.dso.txt"
			perf report -i "$prof/$mode.data" --stdio --children --sort symbol \
				--percent-limit 5 -g none 2>/dev/null | grep -v '^#' | grep -v '^$' |
				head -n 40 > "$prof/$mode.children.txt"
		done
		aside "$d/out"
		perf stat -e task-clock,context-switches,cpu-migrations,page-faults -o "$prof/stat.txt" \
			"$tc" render --repo "$d/tenantc" --out "$d/out" > /dev/null
		echo perf > "$prof/tool.txt"
	elif command -v valgrind >/dev/null; then
		aside "$d/out"
		valgrind --tool=callgrind --callgrind-out-file="$prof/callgrind.out" \
			"$tc" render --repo "$d/tenantc" --out "$d/out" --jobs 1 > /dev/null 2>&1
		callgrind_annotate "$prof/callgrind.out" 2>/dev/null | head -n 60 > "$prof/jobs1.symbols.txt"
		echo callgrind > "$prof/tool.txt"
	fi
	# user against system time of the default render
	aside "$d/out"
	/usr/bin/time -f '%e %U %S' -o "$prof/times.txt" "$tc" render --repo "$d/tenantc" --out "$d/out" > /dev/null
	aside "$d/out"
	/usr/bin/time -f '%e %U %S' -a -o "$prof/times.txt" "$tc" render --repo "$d/tenantc" --out "$d/out" --jobs 1 > /dev/null
fi

# the machine and the tools
{
	echo "cores=$ncores"
	echo "memory=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "kernel=$(uname -sr)"
	echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
	dev=$(df -P "$work" | awk 'NR == 2 { print $1 }')
	journal=""
	if [ -r "/sys/fs/ext4/${dev##*/}/journal_task" ] &&
		[ "$(cat "/sys/fs/ext4/${dev##*/}/journal_task")" = "<none>" ]; then
		journal=" without a journal"
	fi
	echo "fs=$(df -PT "$work" | awk 'NR == 2 { print $2 }')$journal"
	echo "load=$load0 before, $(cut -d' ' -f1-3 /proc/loadavg) after"
	echo "nice=$(ps -o ni= -p $$ | tr -d ' ')"
	echo "memlimit=$memlimit"
	echo "tenantc=$("$tc" version 2>&1 | head -n 1)"
	# the sources the binary was built from: its meson build's source folder
	bdir=$(dirname "$(dirname "$tc")")
	src=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["directories"]["source"])' \
		"$bdir/meson-info/meson-info.json" 2>/dev/null || echo "$root")
	echo "commit=$(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$src" diff --quiet HEAD -- src 2>/dev/null || echo ' (src/ modified)')"
	echo "buildtype=$(meson introspect --buildoptions "$bdir" 2>/dev/null | $py -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"] == "buildtype"][0])' 2>/dev/null || echo unknown)"
	echo "kubectl=$(kubectl version --client 2>/dev/null | tr '\n' ' ')"
	echo "jsonnet=$(jsonnet --version 2>&1 | head -n 1)"
	echo "hyperfine=$(hyperfine --version)"
	echo "python3-yaml=$($py -c 'import yaml; print(yaml.__version__)')"
	echo "date=$(date -u +%Y-%m-%d)"
	echo "args=$ns"
} > "$work/machine.txt"

$py "$here/report.py" "$results" "$work/machine.txt" "$prof" "$here/profile-notes.md" \
	"$limit" "$repeat" "$repeat_big" > "$work/report.md"
# the sections other benchmarks keep at the end (bench/cel/run.sh: the CEL
# figures; bench/scale/big.sh: 100,000 tenants against the floors) survive
# a new report
if [ -f "$out_md" ]; then
	sed -n -e '/^<!-- bench\/cel\/run.sh begin -->$/,/^<!-- bench\/cel\/run.sh end -->$/p' \
		-e '/^<!-- bench\/scale\/big.sh begin -->$/,/^<!-- bench\/scale\/big.sh end -->$/p' \
		"$out_md" >"$work/kept.md"
	[ ! -s "$work/kept.md" ] || { echo; cat "$work/kept.md"; } >>"$work/report.md"
fi
mv "$work/report.md" "$out_md"
echo "run.sh: wrote $out_md" >&2
