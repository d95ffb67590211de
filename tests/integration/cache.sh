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
finish
