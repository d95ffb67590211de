#!/bin/sh
# cache_safety.sh - a cached render (--rev/--index with the cache) is as safe
# as a plain one (issue 21, items 8 and 9):
#  - an in-place update is atomic: `kill -9` at any moment leaves the old
#    tree, the new tree, or a committed journal that the next render
#    carries out; no leftovers after the next render;
#  - files deleted or edited by hand, and folders replaced by symbolic
#    links, are restored, and nothing is written or removed through a link;
#  - two cached renders of one folder at once both succeed (the lock).
. "$(dirname "$0")/lib.sh"

R="$T/repo"
copy_example "$R"
rm -rf "$R/tenants/acme/secrets" "$R/tenants/globex/secrets"
i=0
while [ $i -lt 100 ]; do
	mkdir -p "$R/tenants/t$i"
	sed "s/^name: acme/name: t$i/" "$SRC/tenants/acme/tenant.yaml" >"$R/tenants/t$i/tenant.yaml"
	i=$((i + 1))
done
rm -rf "$R/tenants/acme/secrets"
# without secrets, no client may need one (render checks it): public clients only
sed -i 's/^\( *type: \)\(confidential\|service-account\)$/\1public/' "$R"/tenants/*/tenant.yaml
git_commit_all "$R"
cd "$R"
A=$(git rev-parse HEAD)
for f in tenants/*/tenant.yaml; do
	sed -i 's/^displayName: .*/displayName: "Changed Ltd"/' "$f"
done
git commit -q -am "every tenant changes"
B=$(git rev-parse HEAD)

# the expected trees, rendered without a cache into fresh folders
TENANTC_CACHE=off "$TENANTC" render --rev "$A" --out "$T/fresh-a" >/dev/null
TENANTC_CACHE=off "$TENANTC" render --rev "$B" --out "$T/fresh-b" >/dev/null
sa=$(tree_sum "$T/fresh-a")
sb=$(tree_sum "$T/fresh-b")
[ "$sa" != "$sb" ] || bad "revisions A and B render the same tree"

export TENANTC_CACHE_DIR="$T/cache"
"$TENANTC" render --rev "$A" >/dev/null
[ "$(tree_sum rendered)" = "$sa" ] && ok "cached render of A" || bad "cached render of A differs"
"$TENANTC" render --rev "$B" >"$T/out"
grep -q "files written" "$T/out" && ok "B updates the tree in place: $(cat "$T/out")" ||
	bad "B did not update in place: $(cat "$T/out")"
[ "$(tree_sum rendered)" = "$sb" ] && ok "in-place update gives B's tree" ||
	bad "in-place update differs from B's tree"

# hand edits and deletions are restored
rm rendered/prod/tenants/t7/namespace-t7-prod.yaml
echo "# edited" >>rendered/test/tenants/t8/namespace-t8-test.yaml
rm -r rendered/prod/tenants/t9
"$TENANTC" render --rev "$B" >"$T/out" 2>"$T/err" || bad "render after edits: $(cat "$T/err")"
[ "$(tree_sum rendered)" = "$sb" ] && ok "deleted and edited files are restored ($(cat "$T/out"))" ||
	bad "deleted or edited files were not restored: $(cat "$T/out")"

# a folder of an unchanged tenant replaced by a link out of the tree
mkdir -p "$T/outside"
cp -R rendered/prod/tenants/t10/. "$T/outside/"
echo "not tenantc's" >"$T/outside/keep.txt"
os=$(tree_sum "$T/outside")
rm -r rendered/prod/tenants/t10
ln -s "$T/outside" rendered/prod/tenants/t10
"$TENANTC" render --rev "$B" >/dev/null 2>"$T/err" || bad "render with a link: $(cat "$T/err")"
if [ -d rendered/prod/tenants/t10 ] && [ ! -L rendered/prod/tenants/t10 ] &&
	[ "$(tree_sum rendered)" = "$sb" ]; then
	ok "a linked folder of an unchanged tenant is replaced by a real one"
else
	bad "the linked folder stayed or the tree differs"
fi
[ "$(tree_sum "$T/outside")" = "$os" ] && ok "nothing changed behind the link" ||
	bad "the render wrote or removed through the link"

# a linked folder of a tenant that changes: written and removed in place
# used to go through the link
mkdir -p "$T/outside2"
cp -R rendered/test/tenants/t11/. "$T/outside2/"
os2=$(tree_sum "$T/outside2")
rm -r rendered/test/tenants/t11
ln -s "$T/outside2" rendered/test/tenants/t11
"$TENANTC" render --rev "$A" >/dev/null 2>"$T/err" || bad "render A with a link: $(cat "$T/err")"
[ "$(tree_sum "$T/outside2")" = "$os2" ] && ok "an update never writes through a link" ||
	bad "an update wrote through a link"
[ "$(tree_sum rendered)" = "$sa" ] && ok "and the tree is A's" || bad "tree after linked update differs"

# kill -9 during in-place updates A -> B, at twelve points spread over
# the time one update takes here
now_ms() { echo $(($(date +%s%N) / 1000000)); }
"$TENANTC" render --rev "$A" >/dev/null
t0=$(now_ms)
"$TENANTC" render --rev "$B" --jobs 1 >/dev/null
dur=$(($(now_ms) - t0))
old=0 new=0 journal=0 mixed=0 n=1
while [ $n -le 12 ]; do
	"$TENANTC" render --rev "$A" >/dev/null 2>&1
	"$TENANTC" render --rev "$B" --jobs 1 >/dev/null 2>&1 &
	pid=$!
	ms=$((dur * n / 12))
	sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
	kill -9 $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
	s=$(tree_sum rendered)
	if [ "$s" = "$sa" ]; then
		old=$((old + 1))
	elif [ "$s" = "$sb" ]; then
		new=$((new + 1))
	elif ls -d .rendered.tmp-*/journal >/dev/null 2>&1; then
		journal=$((journal + 1))
		"$TENANTC" render --rev "$B" >/dev/null 2>&1
		[ "$(tree_sum rendered)" = "$sb" ] || mixed=$((mixed + 1))
	else
		mixed=$((mixed + 1))
	fi
	n=$((n + 1))
done
[ "$mixed" -eq 0 ] &&
	ok "12 kills over ${dur} ms: $old old trees, $new new trees, $journal committed journals carried out" ||
	bad "12 kills over ${dur} ms: $mixed mixed trees ($old old, $new new, $journal journals)"
"$TENANTC" render --rev "$B" >/dev/null
left=$(ls -d .rendered.tmp-* 2>/dev/null | wc -l)
[ "$left" -eq 0 ] && [ "$(tree_sum rendered)" = "$sb" ] && ok "no leftovers after the next render" ||
	bad "$left leftovers after the next render"

# a journal committed by a render that died while carrying it out: the
# next render finishes it before it looks at the tree (here: moves two
# files of B's into A's tree, removes one file)
"$TENANTC" render --rev "$A" >/dev/null
st="$R/.rendered.tmp-Jrnl01"
mkdir -p "$st"
cp "$T/fresh-b/prod/tenants/t3/namespace-t3-prod.yaml" "$st/0"
cp "$T/fresh-b/prod/tenants/t4/namespace-t4-prod.yaml" "$st/1"
printf 'p 0 prod/tenants/t3/namespace-t3-prod.yaml\np 1 prod/tenants/t4/namespace-t4-prod.yaml\nd prod/tenants/t5/namespace-t5-prod.yaml\n' >"$st/journal"
TENANTC_CACHE=off "$TENANTC" render --rev "$A" --env prod --out "$T/probe" >/dev/null 2>&1 || true
"$TENANTC" render --rev "$B" --stdout --env nosuch >/dev/null 2>&1 || true
# a render of another folder does not touch it; rendering this one does
[ -d "$st" ] && ok "a journal waits for a render of its own folder" || bad "the journal went early"
"$TENANTC" render --rev "$A" >"$T/out" 2>&1
[ ! -e "$st" ] && [ "$(tree_sum rendered)" = "$sa" ] &&
	ok "a committed journal is carried out, then the render runs" ||
	bad "journal recovery: $(cat "$T/out")"

# kill -9 during full (swap) renders of the same repository, cache off
TENANTC_CACHE=off "$TENANTC" render --rev "$A" >/dev/null
bad_full=0 n=0
while [ $n -lt 10 ]; do
	TENANTC_CACHE=off "$TENANTC" render --rev "$B" --jobs 1 >/dev/null 2>&1 &
	pid=$!
	sleep "0.$(((n * 41) % 60 + 1))" 2>/dev/null || sleep 1
	kill -9 $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
	s=$(tree_sum rendered)
	[ "$s" = "$sa" ] || [ "$s" = "$sb" ] || bad_full=$((bad_full + 1))
	TENANTC_CACHE=off "$TENANTC" render --rev "$A" >/dev/null
	n=$((n + 1))
done
[ "$bad_full" -eq 0 ] && ok "10 kills of plain renders: always the old or the new tree" ||
	bad "$bad_full of 10 killed plain renders left another tree"

finish
