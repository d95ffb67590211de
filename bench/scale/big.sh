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
#   incr    the workload in git with its rendered tree committed: one
#           tenant's displayName changed and committed, then the cached
#           render of that revision into the same tree (files touched),
#           then another tenant's change rendered with --no-verify
#   check   after incr (which it needs, in the same run): the change's
#           tree committed, then `check --rev HEAD` with the same cache,
#           with the verifier and with --no-verify
#   plugin  one tenant-environment with --stdout (the ArgoCD plugin case)
#           from a copy of the repository that holds its rendered tree,
#           PLUGIN_RUNS runs (median)
#   checks  render --no-verify against render with the isolation verifier
#           (the default), each into a fresh tree, REPEAT interleaved rounds
#   massif  valgrind's massif on render --out --jobs 1 --no-verify: the
#           peak heap and the allocation sites at the peak, into $MASSIF
# Each run is timed under GNU time (wall, user + system, peak RSS). With
# CALLGRIND=1 the incr, check, plugin and checks steps also count the
# instructions of one run each under valgrind's callgrind (--jobs 1), a
# figure that does not depend on the machine's load.
#
#   TENANTC=PATH  the binary (default: build it in build-bench)
#   COMMIT=ID     the commit TENANTC was built from, for the report
#                 (default: the checkout's HEAD)
#   TMPFS=DIR     a folder on tmpfs (default /dev/shm/tenantc-big)
#   DISK=DIR      a folder on the disk (default /var/tmp/tenantc-big)
#   GEN=DIR       where the workloads are generated once and kept
#                 (default $DISK/gen): at 100,000 tenants gen.py takes a
#                 while and git's commit of it longer
#   DATA=FILE     the figures (default bench/scale/big.tsv)
#   REPEAT=K      rounds of the tree and checks steps (default 3; 1 at
#                 N >= 100,000)
#   PLUGIN_RUNS=K runs of the plugin step (default 21)
#   MASSIF=FILE   the massif summaries (default bench/scale/big-massif.tsv)
#   CALLGRIND=1   instruction counts too (see above)
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
	"$py" "$here/big_report.py" "$data" "${MASSIF:-$here/big-massif.tsv}" >"$data.section"
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
	echo "usage: big.sh run N tmpfs|disk [tree|stdout|cache|merge|incr|check|plugin|checks|massif]... | big.sh report" >&2
	exit 2
}
n=$2 fs=$3
shift 3
steps=${*:-tree stdout cache merge incr check plugin checks massif}
case $fs in
tmpfs) base=$tmpfs ;;
disk) base=$disk ;;
*) echo "big.sh: FS is tmpfs or disk" >&2; exit 2 ;;
esac
repeat=${REPEAT:-3}
[ "$n" -lt 100000 ] || repeat=${REPEAT:-1}
[ -x /usr/bin/time ] || { echo "big.sh: GNU time is missing (apt-get install time)" >&2; exit 2; }
plugin_runs=${PLUGIN_RUNS:-21}
massif=${MASSIF:-$here/big-massif.tsv}
callgrind=${CALLGRIND:-0}
case " $steps " in
*" massif "*) need_valgrind=1 ;;
*) need_valgrind=$callgrind ;;
esac
[ "$need_valgrind" = 0 ] || command -v valgrind >/dev/null || {
	echo "big.sh: valgrind is missing (apt-get install valgrind)" >&2
	exit 2
}

if [ -z "${TENANTC:-}" ]; then
	build=$root/build-bench
	[ -f "$build/build.ninja" ] || meson setup "$build" "$root" >/dev/null
	ninja -C "$build" src/tenantc >/dev/null
	TENANTC=$build/src/tenantc
fi
tc=$TENANTC
commit=${COMMIT:-$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)}
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
*" cache "* | *" incr "* | *" check "*)
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
# N FS KEY WALL CPU RSS_KIB LOAD COMMIT NOTE INSTRUCTIONS (NOTE: $note,
# then emptied; no instruction count here)
note=""
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
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n' "$n" "$fs" "$key" "$wall" "$cpu" "$3" "$l" \
		"$commit" "$note" >>"$data"
	printf 'N=%s %-6s %-12s %8ss %7ss cpu %8s KiB  load %s %s\n' "$n" "$fs" "$key" "$wall" "$cpu" \
		"$3" "$l" "$note" >&2
	note=""
}

# counted KEY CMD...: with CALLGRIND=1, the instructions of one run of CMD
# under callgrind, appended to $data as a row of KEY with no times
counted() {
	[ "$callgrind" = 1 ] || return 0
	key=$1
	shift
	l=$(load)
	rm -f "$w/callgrind.out"
	valgrind --tool=callgrind --callgrind-out-file="$w/callgrind.out" "$@" \
		>"$w/cg.log" 2>"$w/cg.err" || {
		echo "big.sh: $key under callgrind failed: $(tail -c 300 "$w/cg.err")" >&2
		exit 1
	}
	count=$(sed -n 's/^summary: *//p; s/^totals: *//p' "$w/callgrind.out" | head -n 1 | cut -d' ' -f1)
	printf '%s\t%s\t%s\t\t\t\t%s\t%s\t\t%s\n' "$n" "$fs" "$key" "$l" "$commit" "$count" >>"$data"
	printf 'N=%s %-6s %-12s %s instructions  load %s\n' "$n" "$fs" "$key" "$count" "$l" >&2
}

# git_commit DIR MESSAGE: commit everything in DIR's work tree
git_commit() {
	(cd "$1" && git add -A && git -c user.name=bench -c user.email=bench@example.invalid \
		commit -q -m "$2")
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
	incr)
		# the repository with its tree committed, as check needs it
		ir=$w/incr
		cp -r "$g/git" "$ir"
		export TENANTC_CACHE_DIR="$w/icache"
		"$tc" render --repo "$ir" --rev HEAD >"$w/i0.log" 2>&1 || {
			echo "big.sh: incr: the first render failed: $(head -c 300 "$w/i0.log")" >&2
			exit 1
		}
		git_commit "$ir" rendered
		# packed, as a clone is (and a tenth of the room of loose objects)
		git -C "$ir" repack -adq && git -C "$ir" prune-packed
		t=$(printf 't%05d' $((n / 2)))
		sed -i 's/"displayName": "Tenant \([0-9]*\) GmbH"/"displayName": "Tenant \1 AG"/' \
			"$ir/tenants/$t/tenant.yaml"
		git_commit "$ir" "one tenant"
		touch "$w/incr.marker"
		sleep 1
		timed incr "$w/incr.log" "$tc" render --repo "$ir" --rev HEAD
		touched=$(find "$ir/rendered" -newer "$w/incr.marker" -type f | wc -l)
		mine=$(find "$ir/rendered" -newer "$w/incr.marker" -type f -path "*/tenants/$t/*" | wc -l)
		note="$t changed: $touched files written, $mine of them in its own folders"
		printf '%s\t%s\tincr_files\t\t\t\t%s\t%s\t%s\t\n' "$n" "$fs" "$(load)" "$commit" "$note" >>"$data"
		echo "big.sh: $note" >&2
		note=""
		git_commit "$ir" "rendered again"
		# another tenant changed, rendered without the verifier
		t2=$(printf 't%05d' $((n / 2 + 1)))
		sed -i 's/"displayName": "Tenant \([0-9]*\) GmbH"/"displayName": "Tenant \1 AG"/' \
			"$ir/tenants/$t2/tenant.yaml"
		git_commit "$ir" "another tenant"
		timed incr_noverify "$w/incrnv.log" "$tc" render --repo "$ir" --rev HEAD --no-verify
		git_commit "$ir" "rendered again"
		if [ "$callgrind" = 1 ]; then
			# the same kind of change once more, counted
			sed -i 's/"displayName": "Tenant \([0-9]*\) AG"/"displayName": "Tenant \1 SE"/' \
				"$ir/tenants/$t/tenant.yaml"
			git_commit "$ir" "the tenant again"
			counted incr "$tc" render --repo "$ir" --rev HEAD --jobs 1
			git_commit "$ir" "rendered again"
			sed -i 's/"displayName": "Tenant \([0-9]*\) AG"/"displayName": "Tenant \1 SE"/' \
				"$ir/tenants/$t2/tenant.yaml"
			git_commit "$ir" "the other tenant again"
			counted incr_noverify "$tc" render --repo "$ir" --rev HEAD --jobs 1 --no-verify
			git_commit "$ir" "rendered again"
		fi
		incr_done=1
		unset TENANTC_CACHE_DIR
		;;
	check)
		[ "${incr_done:-}" = 1 ] || { echo "big.sh: the check step needs the incr step before it" >&2; exit 2; }
		export TENANTC_CACHE_DIR="$w/icache"
		timed check "$w/check.log" "$tc" check --repo "$ir" --rev HEAD
		timed check_noverify "$w/checknv.log" "$tc" check --repo "$ir" --rev HEAD --no-verify
		counted check "$tc" check --repo "$ir" --rev HEAD --jobs 1
		unset TENANTC_CACHE_DIR
		rm -rf "$ir" "$w/icache"
		;;
	plugin)
		pr=$w/plugin
		cp -r "$repo" "$pr"
		"$tc" render --repo "$pr" --no-verify >"$w/p0.log" 2>&1 || {
			echo "big.sh: plugin: the render of the tree failed: $(head -c 300 "$w/p0.log")" >&2
			exit 1
		}
		t=$(printf 't%05d' $((n > 42 ? 42 : n - 1)))
		i=1
		while [ "$i" -le "$plugin_runs" ]; do
			timed plugin "$w/plugin.yaml" "$tc" render --repo "$pr" --stdout --env prod --tenant "$t"
			i=$((i + 1))
		done
		counted plugin "$tc" render --repo "$pr" --stdout --env prod --tenant "$t"
		rm -rf "$pr" "$w/plugin.yaml"
		;;
	checks)
		i=1
		while [ "$i" -le "$repeat" ]; do
			timed checks_off "$w/off.log" "$tc" render --no-verify --repo "$repo" --out "$w/off"
			timed checks_on "$w/on.log" "$tc" render --repo "$repo" --out "$w/on"
			rm -rf "$w/off" "$w/on"
			i=$((i + 1))
		done
		counted checks_off "$tc" render --no-verify --repo "$repo" --out "$w/off" --jobs 1
		counted checks_on "$tc" render --repo "$repo" --out "$w/on" --jobs 1
		rm -rf "$w/off" "$w/on"
		;;
	massif)
		l=$(load)
		valgrind --tool=massif --massif-out-file="$w/massif.out" \
			--alloc-fn=tc_xmalloc --alloc-fn=tc_xcalloc --alloc-fn=tc_xrealloc \
			--alloc-fn=tc_xstrdup --alloc-fn=tc_xmemdup0 --alloc-fn=tc_grow_to \
			--alloc-fn=tc_grow --alloc-fn=newblock --alloc-fn=tc_arena_alloc \
			--alloc-fn=tc_arena_calloc --alloc-fn=tc_arena_memdup0 \
			--alloc-fn=tc_arena_strdup --alloc-fn=tc_arena_printf \
			"$tc" render --no-verify --repo "$repo" --out "$w/mtree" --jobs 1 \
			>"$w/massif.log" 2>&1 || {
			echo "big.sh: massif failed: $(tail -c 300 "$w/massif.log")" >&2
			exit 1
		}
		"$py" "$here/massif_sites.py" "$w/massif.out" "$n" "$fs" "$commit" "$l" >>"$massif"
		rm -rf "$w/mtree" "$w/massif.out"
		echo "big.sh: massif summary of N=$n added to $massif" >&2
		;;
	*) echo "big.sh: unknown step $step" >&2; exit 2 ;;
	esac
done
