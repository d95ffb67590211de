#!/bin/sh
# campaign.sh - run fuzz targets for a while, grow their corpora, minimise
# them back into tests/fuzz/corpus/, and report what was done.
#
#   tests/fuzz/campaign.sh [--time SECONDS | --runs N] [--build DIR] [--work DIR] TARGET...
#
# TARGET is a name of tests/fuzz/fuzz_<name>.c (yaml json jsone schema sops
# age gittree e2e cel_parse cel_eval) or "all". The build is a libFuzzer build (default
# build-fuzz, made with
#   CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined
# and `ninja -C build-fuzz`). Targets run one after the other, each as one
# process (the machine is shared): SECONDS each (default 60), or until N
# executions (--runs: a count that does not depend on the machine's load), starting
# from the checked-in corpus and growing a work corpus in WORK/<target>
# (default ${TMPDIR:-/tmp}/tenantc-fuzz, outside the tree). Afterwards the
# inputs of the work corpus that add coverage are merged into the
# checked-in corpus (-merge=1, so it only grows by what is new), and crash
# inputs are kept in WORK/<target>/crashes/. One line per target:
#   target execs exec/s cov ft corpus(before->after) crashes
# from libFuzzer's final statistics. Exits 1 when a target crashed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
time=60
runs=
build=$root/build-fuzz
work=${TMPDIR:-/tmp}/tenantc-fuzz
targets=
while [ $# -gt 0 ]; do
	case $1 in
	--time) time=${2:?--time wants SECONDS}; shift 2 ;;
	--runs) runs=${2:?--runs wants N}; shift 2 ;;
	--build) build=${2:?--build wants DIR}; shift 2 ;;
	--work) work=${2:?--work wants DIR}; shift 2 ;;
	all) targets="$targets yaml json jsone schema sops age gittree e2e cel_parse cel_eval"; shift ;;
	-*) echo "campaign.sh: unknown option '$1'" >&2; exit 2 ;;
	*) targets="$targets $1"; shift ;;
	esac
done
case $time in
'' | *[!0-9]*) echo "campaign.sh: --time wants a number of seconds, not '$time'" >&2; exit 2 ;;
esac
case $runs in
'') limit="-max_total_time=$time" ;;
*[!0-9]*) echo "campaign.sh: --runs wants a number of executions, not '$runs'" >&2; exit 2 ;;
*) limit="-runs=$runs" ;;
esac
[ -n "$targets" ] || { echo "usage: campaign.sh [--time SECONDS | --runs N] [--build DIR] [--work DIR] TARGET..." >&2; exit 2; }

# the sanitizers stop at the first report, with a stack
ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export ASAN_OPTIONS UBSAN_OPTIONS

status=0
printf '%-8s %10s %8s %6s %7s %14s %7s\n' target execs exec/s cov ft corpus crashes
for t in $targets; do
	exe=$build/tests/fuzz_$t
	corpus=$here/corpus/$t
	if [ ! -x "$exe" ]; then
		echo "campaign.sh: no $exe (build with -Dfuzz=true first)" >&2
		status=2
		continue
	fi
	w=$work/$t
	mkdir -p "$w/corpus" "$w/crashes" || exit 2
	before=$(ls "$corpus" | wc -l)
	log=$w/fuzz.log
	"$exe" "$w/corpus" "$corpus" "$limit" -print_final_stats=1 \
		-timeout=10 -rss_limit_mb=2048 -max_len=8192 -artifact_prefix="$w/crashes/" \
		>"$log" 2>&1
	rc=$?
	# the last "#N ... cov: C ft: F" status line, and the final statistics
	last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
	cov=$(printf '%s\n' "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(printf '%s\n' "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	crashes=$(ls "$w/crashes" | wc -l)
	# minimise: only inputs that add features join the checked-in corpus
	"$exe" -merge=1 -max_len=8192 "$corpus" "$w/corpus" >"$w/merge.log" 2>&1 ||
		echo "campaign.sh: merge failed for $t (see $w/merge.log)" >&2
	after=$(ls "$corpus" | wc -l)
	printf '%-8s %10s %8s %6s %7s %14s %7s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" \
		"${ft:-?}" "$before->$after" "$crashes"
	if [ "$rc" -ne 0 ] || [ "$crashes" -gt 0 ]; then
		echo "campaign.sh: $t stopped with status $rc; inputs in $w/crashes, log $log" >&2
		status=1
	fi
done
exit $status
