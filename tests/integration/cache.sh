#!/bin/sh
# The render cache: cold and warm renders are byte-identical; only tenants
# whose inputs changed are rendered again; a template change invalidates
# every tenant; a damaged entry is a miss; the work tree is never cached.
. "$(dirname "$0")/lib.sh"
export TENANTC_CACHE_DIR="$T/cache"

copy_example "$T/r"
git_commit_all "$T/r"
cd "$T/r"
"$TENANTC" render --rev HEAD --out "$T/cold" >"$T/log1"
"$TENANTC" render --rev HEAD --out "$T/warm" >"$T/log2"
diff -r "$T/cold" "$T/warm" >/dev/null && ok "cold and warm renders are byte-identical" || bad "warm differs"
grep -q "3 tenants unchanged" "$T/log2" && ok "the warm render takes every tenant from the cache" ||
	bad "warm render: $(cat "$T/log2")"
TENANTC_CACHE=off "$TENANTC" render --rev HEAD --out "$T/nocache" >/dev/null
diff -r "$T/cold" "$T/nocache" >/dev/null && ok "uncached render is byte-identical" || bad "uncached differs"

# change one tenant: only it is rendered again
sed -i 's/^displayName: .*/displayName: ACME AG/' tenants/acme/tenant.yaml
git commit -qam "acme renamed"
"$TENANTC" render --rev HEAD --out "$T/one" >"$T/log3"
grep -q "2 tenants unchanged" "$T/log3" && ok "only the changed tenant is rendered again" ||
	bad "after one change: $(cat "$T/log3")"
TENANTC_CACHE=off "$TENANTC" render --rev HEAD --out "$T/one-ref" >/dev/null
diff -r "$T/one" "$T/one-ref" >/dev/null && ok "and the result equals an uncached render" || bad "partial cache differs"

# the index is keyed too
sed -i 's/^displayName: .*/displayName: ACME SE/' tenants/acme/tenant.yaml
git add tenants/acme/tenant.yaml
"$TENANTC" render --index --out "$T/idx0" >/dev/null
sed -i 's/^displayName: .*/displayName: ACME KG/' tenants/acme/tenant.yaml
git add tenants/acme/tenant.yaml
"$TENANTC" render --index --out "$T/idx" >"$T/log4"
TENANTC_CACHE=off "$TENANTC" render --index --out "$T/idx-ref" >/dev/null
grep -q "2 tenants unchanged" "$T/log4" && diff -r "$T/idx" "$T/idx-ref" >/dev/null &&
	ok "the index uses the cache and stays byte-identical" || bad "index: $(cat "$T/log4")"
git commit -qm staged

# a template change invalidates everything
printf '\n# a comment\n' >>templates/tenant/namespace.yaml
git commit -qam "template touched"
"$TENANTC" render --rev HEAD --out "$T/tpl" >"$T/log5"
grep -q "unchanged" "$T/log5" && bad "a template change kept cache hits: $(cat "$T/log5")" ||
	ok "a template change renders every tenant again"

# damaged entries are misses
find "$T/cache" -type f | while read -r f; do printf 'garbage' >"$f"; done
"$TENANTC" render --rev HEAD --out "$T/damaged" >"$T/log6"
diff -r "$T/tpl" "$T/damaged" >/dev/null && ! grep -q unchanged "$T/log6" &&
	ok "damaged entries are ignored" || bad "damaged cache: $(cat "$T/log6")"

# the work tree is not cached
"$TENANTC" render --out "$T/wt" >"$T/log7"
"$TENANTC" render --out "$T/wt2" >"$T/log8"
! grep -q unchanged "$T/log8" && ok "the work tree is never served from the cache" || bad "work tree cached"

# in place: the repository's own rendered/ is updated, unchanged files untouched
"$TENANTC" render --rev HEAD >/dev/null
"$TENANTC" render --rev HEAD >"$T/log9"
grep -q "3 tenants unchanged, 0 files written" "$T/log9" && ok "an unchanged repository writes nothing" ||
	bad "second in-place render: $(cat "$T/log9")"
g=rendered/prod/tenants/globex/kustomization.yaml
before=$(stat -c '%i %Y' "$g")
sleep 1
sed -i 's/^displayName: .*/displayName: ACME GmbH und Co/' tenants/acme/tenant.yaml
git commit -qam "acme again"
"$TENANTC" render --rev HEAD >"$T/log10"
grep -q "2 tenants unchanged" "$T/log10" && [ "$(stat -c '%i %Y' "$g")" = "$before" ] &&
	ok "one changed tenant rewrites only its files: $(cat "$T/log10")" || bad "in place: $(cat "$T/log10")"
TENANTC_CACHE=off "$TENANTC" render --rev HEAD --out "$T/full" >/dev/null
diff -r rendered "$T/full" >/dev/null && ok "the updated tree equals a full render" || bad "updated tree differs"
# a removed tenant's files go
git rm -rq tenants/initech
git commit -qm "initech leaves"
"$TENANTC" render --rev HEAD >/dev/null
TENANTC_CACHE=off "$TENANTC" render --rev HEAD --out "$T/full2" >/dev/null
diff -r rendered "$T/full2" >/dev/null && [ ! -e rendered/test/tenants/initech ] &&
	ok "a removed tenant's files and folder are removed" || bad "removed tenant left files"

# the tree state is a folder of buckets and a manifest: a one-tenant change
# writes its bucket and the manifest, nothing else of the state
# (the state of rendered/: named by the SHA-256 of its real path)
st=$T/cache/state/$(printf '%s' "$(realpath rendered)" | sha256sum | cut -d' ' -f1)
touch "$T/state.marker"
sleep 1
sed -i 's/^displayName: .*/displayName: ACME Ltd/' tenants/acme/tenant.yaml
git commit -qam "acme once more"
"$TENANTC" render --rev HEAD >"$T/log11"
# (and of the index of identity hashes, cache_ids.sh, only the shards that
# its objects' identities left or joined: the realm's ConfigMap and Job are named by
# a hash of its content, which holds the display name)
w=$(find "$st" -type f ! -name 'i-*' ! -name 'x-*' -newer "$T/state.marker" | wc -l)
wi=$(find "$st" -type f -name 'i-*' -newer "$T/state.marker" | wc -l)
ni=$(find "$st" -type f -name 'i-*' | wc -l)
grep -q "1 tenant unchanged" "$T/log11" && [ "$w" = 2 ] && [ -f "$st/manifest" ] &&
	[ "$wi" -le 8 ] && [ "$wi" -lt "$ni" ] &&
	ok "one changed tenant rewrites one bucket and the manifest of the state" ||
	bad "state after one change: $w files written ($wi of $ni shards); $(cat "$T/log11")"
# a bucket changed at the same size: the render is still right: it
# makes a new tree instead, then updates it in place again
# (its last newline made an x: a record cut short)
for f in "$st"/b-*; do
	printf x | dd of="$f" bs=1 seek=$(($(stat -c %s "$f") - 1)) conv=notrunc 2>/dev/null
done
sed -i 's/^displayName: .*/displayName: ACME Inc/' tenants/acme/tenant.yaml
git commit -qam "acme renamed again"
"$TENANTC" render --rev HEAD >"$T/log12"
TENANTC_CACHE=off "$TENANTC" render --rev HEAD --out "$T/full3" >/dev/null
diff -r rendered "$T/full3" >/dev/null && ! grep -q "files written" "$T/log12" &&
	ok "a damaged bucket of the state makes a new tree" ||
	bad "damaged bucket: $(cat "$T/log12"); $(diff -r rendered "$T/full3")"
"$TENANTC" render --rev HEAD >"$T/log13"
grep -q "2 tenants unchanged, 0 files written" "$T/log13" &&
	ok "and the next render updates it in place again" || bad "after the drop: $(cat "$T/log13")"
# the state of tenantc 0.1.0, one file in the folder's place: removed, the
# tree rendered whole once, then updated in place
rm -r "$st" && printf 'tenantc-state 1\ndir 1 2\ntenants 0 others 0\n' >"$st"
"$TENANTC" render --rev HEAD >"$T/log15"
"$TENANTC" render --rev HEAD >"$T/log16"
! grep -q "files written" "$T/log15" && [ -d "$st" ] && grep -q "2 tenants unchanged, 0 files written" "$T/log16" &&
	ok "a state of the first format is replaced by a whole render" ||
	bad "first-format state: $(cat "$T/log15" "$T/log16")"

# check takes unchanged tenants from render's cache, and says the same
git add -A rendered && git commit -qm "rendered"
rm -rf "$T/cache"
"$TENANTC" check --rev HEAD >"$T/log17" 2>&1
n=$(find "$T/cache/objects" -type f | wc -l)
TENANTC_CACHE=off "$TENANTC" check --rev HEAD >"$T/log18" 2>&1
"$TENANTC" check --rev HEAD >"$T/log19" 2>&1
[ "$n" -ge 2 ] && grep -q "is up to date" "$T/log17" && cmp -s "$T/log17" "$T/log18" &&
	cmp -s "$T/log17" "$T/log19" && ok "check fills and uses render's cache, same answer" ||
	bad "check with the cache: $n entries; $(cat "$T/log17" "$T/log18" "$T/log19")"
f=$(ls rendered/prod/tenants/globex/*.yaml | grep -v kustomization | head -1)
printf '# by hand\n' >>"$f"
git commit -qam "a hand edit"
if "$TENANTC" check --rev HEAD >"$T/log20" 2>&1; then
	bad "check with the cache missed a hand edit"
else
	TENANTC_CACHE=off "$TENANTC" check --rev HEAD >"$T/log21" 2>&1 || true
	cmp -s "$T/log20" "$T/log21" && ok "check with the cache finds drift in a cached tenant" ||
		bad "drift with the cache differs: $(diff "$T/log20" "$T/log21")"
fi

# every other drift in a kept tenant's folder or outside the tenant folders is
# found with the cache too, and the answer equals an uncached check (upstream:
# git's tree and blob object ids, git-hash-object(1), name every committed byte)
git revert --no-edit HEAD >/dev/null
"$TENANTC" check --rev HEAD >/dev/null 2>&1 && ok "check passes again once the hand edit is reverted" ||
	bad "after the revert: $(cat "$T/log20")"
check_drift() { # what, path; the work tree already carries the drift
	git add -A rendered && git commit -qm "$1"
	if "$TENANTC" check --rev HEAD >"$T/drift-c" 2>&1; then
		bad "check with the cache missed $1"
	else
		TENANTC_CACHE=off "$TENANTC" check --rev HEAD >"$T/drift-n" 2>&1 || true
		grep -qF "${2#rendered/}" "$T/drift-c" && cmp -s "$T/drift-c" "$T/drift-n" &&
			ok "check with the cache finds $1" ||
			bad "$1 ($2) with the cache: $(cat "$T/drift-c"); uncached: $(cat "$T/drift-n")"
	fi
	git revert --no-edit HEAD >/dev/null
}
printf 'kind: ConfigMap\n' >rendered/prod/tenants/globex/extra.yaml
check_drift "an extra file in a kept tenant's folder" rendered/prod/tenants/globex/extra.yaml
rm "$f"
check_drift "a file deleted from a kept tenant's folder" "$f"
g=$(find rendered -type f ! -path '*/tenants/*' | sort | head -1)
[ -n "$g" ] && printf '# by hand\n' >>"$g"
[ -n "$g" ] && check_drift "a hand edit outside the tenant folders" "$g" || bad "no rendered file outside the tenant folders"
"$TENANTC" check --rev HEAD >/dev/null 2>&1 && ok "the reverted tree checks clean" || bad "the reverts left drift"

# a cache that lies never makes check pass: every entry damaged, then a stale
# state from before the hand edit of globex's file
printf '# by hand\n' >>"$f"
git commit -qam "a hand edit again"
for o in $(find "$T/cache" -type f | sort); do printf 'garbage\n' >"$o"; done
"$TENANTC" check --rev HEAD >"$T/log22" 2>&1 && bad "check passed with a corrupted cache" ||
	{ grep -qF "${f#rendered/}" "$T/log22" && cmp -s "$T/log22" "$T/log21" && ok "a corrupted cache still reports the hand edit" ||
		bad "corrupted cache: $(diff "$T/log22" "$T/log21")"; }
git revert --no-edit HEAD >/dev/null
rm -rf "$T/cache" && "$TENANTC" check --rev HEAD >/dev/null 2>&1
cp -a "$T/cache" "$T/cache-clean"
printf '# by hand\n' >>"$f"
git commit -qam "a hand edit once more"
rm -rf "$T/cache" && cp -a "$T/cache-clean" "$T/cache"
"$TENANTC" check --rev HEAD >"$T/log23" 2>&1 && bad "check passed with the state of a clean tree" ||
	{ grep -qF "${f#rendered/}" "$T/log23" && cmp -s "$T/log23" "$T/log21" && ok "a stale cache from a clean tree still reports the hand edit" ||
		bad "stale cache: $(diff "$T/log23" "$T/log21")"; }
finish
