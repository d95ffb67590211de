#!/bin/sh
# big.sh - tenantc against its floors at 1,000 to 100,000 tenants, on
# tmpfs and on the disk, and its section of bench/RESULTS.md.
#
#   big.sh run N FS [STEP...]  measure N tenants (gen.py's workload, two
#                              environments) on file system FS (tmpfs or
#                              disk); the figures are added to $DATA
#   big.sh report              write the figures in $DATA into the section
#                              "Beyond 10,000 tenants" of bench/RESULTS.md
#
# STEPs (default: all of them):
#   tree    render --out (fresh folder) against `tar -x` of the same tree
#           from one tar file in the page cache (the floor), REPEAT
#           interleaved rounds (median)
#   stdout  render --stdout to a file
#   cache   render from a git revision with a cache: the first run (empty
#           cache) and a second of the same revision
#   merge   8 shards (render --shard I/8), then `cp -r` of the shard trees
#           (the floor) against `tenantc merge`, and `merge --move` of that
#           copy; both merged trees compared with the tree render (diff -r)
# Each run is timed under GNU time (wall, user + system, peak RSS).
#
#   TENANTC=PATH  the binary (default: build it in build-bench)
#   TMPFS=DIR     a folder on tmpfs (default /dev/shm/tenantc-big)
#   DISK=DIR      a folder on the disk (default /var/tmp/tenantc-big)
#   GEN=DIR       where the workloads are generated once and kept
#                 (default $DISK/gen): at 100,000 tenants gen.py takes a
#                 while and git's commit of it longer
#   DATA=FILE     the figures (default bench/scale/big.tsv)
#   REPEAT=K      rounds of the tree step (default 3; 1 at N >= 100,000)
#
# At N = 100,000 one tree is 1.6 million files (about 6.5 GB on tmpfs,
# where every file takes a page), so each tree is removed after it is
# measured and the tar file lives on the disk; removals happen between
# measurements, never during one.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
py=/usr/bin/python3
data=${DATA:-$here/big.tsv}
tmpfs=${TMPFS:-/dev/shm/tenantc-big}
disk=${DISK:-/var/tmp/tenantc-big}
gen=${GEN:-$disk/gen}

if [ "${1:-}" = report ]; then
	out=$root/bench/RESULTS.md
	"$py" "$here/big_report.py" "$data" >"$data.section"
	if [ -f "$out" ]; then
		awk '/^<!-- bench\/scale\/big.sh begin -->$/ { skip = 1 } !skip { print } /^<!-- bench\/scale\/big.sh end -->$/ { skip = 0 }' \
			"$out" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >"$data.top"
		{ cat "$data.top"; echo; cat "$data.section"; } >"$out"
	else
		cp "$data.section" "$out"
	fi
	rm -f "$data.top" "$data.section"
	echo "big.sh: updated $out" >&2
	exit 0
fi
[ "${1:-}" = run ] && [ $# -ge 3 ] || {
	echo "usage: big.sh run N tmpfs|disk [tree|stdout|cache|merge]... | big.sh report" >&2
	exit 2
}
n=$2 fs=$3
shift 3
steps=${*:-tree stdout cache merge}
case $fs in
tmpfs) base=$tmpfs ;;
disk) base=$disk ;;
*) echo "big.sh: FS is tmpfs or disk" >&2; exit 2 ;;
esac
repeat=${REPEAT:-3}
[ "$n" -lt 100000 ] || repeat=${REPEAT:-1}
[ -x /usr/bin/time ] || { echo "big.sh: GNU time is missing (apt-get install time)" >&2; exit 2; }

if [ -z "${TENANTC:-}" ]; then
	build=$root/build-bench
	[ -f "$build/build.ninja" ] || meson setup "$build" "$root" >/dev/null
	ninja -C "$build" src/tenantc >/dev/null
	TENANTC=$build/src/tenantc
fi
tc=$TENANTC
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
load() { cut -d' ' -f1 /proc/loadavg; }

# the workload, once (and a git repository of it for the cache step),
# each made aside and renamed into place when complete
g=$gen/n$n
if [ ! -d "$g/tenantc" ]; then
	rm -rf "$g.tmp"
	"$py" "$here/gen.py" "$g.tmp" "$n" tenantc
	mkdir -p "$g"
	mv "$g.tmp/tenantc" "$g/tenantc"
	rm -rf "$g.tmp"
fi
case " $steps " in
*" cache "*)
	if [ ! -d "$g/git" ]; then
		rm -rf "$g/git.tmp"
		cp -r "$g/tenantc" "$g/git.tmp"
		(cd "$g/git.tmp" && git init -q -b main . && git add -A &&
			git -c user.name=bench -c user.email=bench@example.invalid commit -q -m base)
		mv "$g/git.tmp" "$g/git"
	fi
	;;
esac
repo=$g/tenantc
w=$base/n$n
rm -rf "$w"
mkdir -p "$w"
trap 'rm -rf "$w" "$disk/n$n.tar"' EXIT

# timed KEY OUT CMD...: one run, its figures appended to $data as
# N FS KEY WALL CPU RSS_KIB LOAD COMMIT
timed() {
	key=$1 o=$2
	shift 2
	sync
	l=$(load)
	t0=$(date +%s%N)
	/usr/bin/time -f '%U %S %M' -o "$w/time.txt" "$@" >"$o" 2>"$w/err.txt" || {
		echo "big.sh: $key failed: $(head -c 300 "$w/err.txt")" >&2
		exit 1
	}
	t1=$(date +%s%N)
	set -- $(tail -n 1 "$w/time.txt")
	wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
	cpu=$(awk -v u="$1" -v s="$2" 'BEGIN { printf "%.2f", u + s }')
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$fs" "$key" "$wall" "$cpu" "$3" "$l" "$commit" >>"$data"
	printf 'N=%s %-6s %-12s %8ss %7ss cpu %8s KiB  load %s\n' "$n" "$fs" "$key" "$wall" "$cpu" "$3" "$l" >&2
}

for step in $steps; do
	case $step in
	tree)
		tar=$w/tree.tar
		[ "$n" -lt 100000 ] || tar=$disk/n$n.tar
		i=1
		while [ "$i" -le "$repeat" ]; do
			timed tree "$w/render.log" "$tc" render --no-verify --repo "$repo" --out "$w/tree"
			if [ "$i" = 1 ]; then
				tar -cf "$tar" -C "$w/tree" .
				cat "$tar" >/dev/null # in the page cache, as the floor says
			fi
			rm -rf "$w/tree"
			mkdir "$w/x"
			timed tar_x "$w/tar.log" tar -xf "$tar" -C "$w/x"
			rm -rf "$w/x"
			i=$((i + 1))
		done
		rm -f "$tar"
		;;
	stdout)
		timed stdout "$w/stdout.yaml" "$tc" render --repo "$repo" --stdout
		rm -f "$w/stdout.yaml"
		;;
	cache)
		export TENANTC_CACHE_DIR="$w/cache"
		timed cache_cold "$w/c1.log" "$tc" render --no-verify --repo "$g/git" --rev HEAD --out "$w/ctree"
		timed cache_warm "$w/c2.log" "$tc" render --no-verify --repo "$g/git" --rev HEAD --out "$w/ctree"
		unset TENANTC_CACHE_DIR
		rm -rf "$w/ctree" "$w/cache"
		;;
	merge)
		i=1
		while [ "$i" -le 8 ]; do
			"$tc" render --no-verify --repo "$repo" --shard "$i/8" --out "$w/shards/$i" >/dev/null
			i=$((i + 1))
		done
		timed merge_cp "$w/cp.log" cp -r "$w/shards" "$w/copy"
		timed merge "$w/merge.log" "$tc" merge --out "$w/merged" "$w"/shards/1 "$w"/shards/2 \
			"$w"/shards/3 "$w"/shards/4 "$w"/shards/5 "$w"/shards/6 "$w"/shards/7 "$w"/shards/8
		rm -rf "$w/shards"
		timed merge_move "$w/move.log" "$tc" merge --move --out "$w/moved" "$w"/copy/1 "$w"/copy/2 \
			"$w"/copy/3 "$w"/copy/4 "$w"/copy/5 "$w"/copy/6 "$w"/copy/7 "$w"/copy/8
		rm -rf "$w/copy"
		"$tc" render --no-verify --repo "$repo" --out "$w/tree" >/dev/null
		if diff -r "$w/tree" "$w/merged" >/dev/null && diff -r "$w/tree" "$w/moved" >/dev/null; then
			printf '%s\t%s\tmerge_same\t\t\t\t\t%s\n' "$n" "$fs" "$commit" >>"$data"
		else
			printf '%s\t%s\tmerge_DIFFERENT\t\t\t\t\t%s\n' "$n" "$fs" "$commit" >>"$data"
			echo "big.sh: the merged trees differ from the render" >&2
		fi
		rm -rf "$w/tree" "$w/merged" "$w/moved"
		;;
	*) echo "big.sh: unknown step $step" >&2; exit 2 ;;
	esac
done
