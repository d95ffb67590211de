#!/bin/sh
# Determinism: the same input gives byte-identical trees whether it is read
# from the work tree, the index or a revision, whatever the order files were
# created in, the time zone, the locale and the number of threads.
. "$(dirname "$0")/lib.sh"

copy_example "$T/a"
git_commit_all "$T/a"
"$TENANTC" render --repo "$T/a" --out "$T/out-worktree" >/dev/null
"$TENANTC" render --repo "$T/a" --rev HEAD --out "$T/out-rev" >/dev/null
"$TENANTC" render --repo "$T/a" --index --out "$T/out-index" >/dev/null
"$TENANTC" render --repo "$T/a" --out "$T/out-again" >/dev/null
"$TENANTC" render --repo "$T/a" --jobs 1 --out "$T/out-j1" >/dev/null
"$TENANTC" render --repo "$T/a" --jobs 8 --out "$T/out-j8" >/dev/null
TZ=Pacific/Kiritimati LC_ALL=de_DE.UTF-8 LANG=de_DE.UTF-8 \
	"$TENANTC" render --repo "$T/a" --out "$T/out-tz" >/dev/null

# the same content, files created in reverse order, committed at the same time
mkdir -p "$T/b"
(cd "$T/a" && find . -path ./.git -prune -o -type f -print | LC_ALL=C sort -r) | while read -r f; do
	mkdir -p "$T/b/$(dirname "$f")"
	cp "$T/a/$f" "$T/b/$f"
done
git_commit_all "$T/b"
"$TENANTC" render --repo "$T/b" --out "$T/out-reversed" >/dev/null

ref=$(tree_sum "$T/out-worktree")
[ -n "$(ls "$T/out-worktree")" ] && ok "render produced a tree" || bad "render produced nothing"
for v in rev index again j1 j8 tz reversed; do
	if [ "$(tree_sum "$T/out-$v")" = "$ref" ] && diff -r "$T/out-worktree" "$T/out-$v" >/dev/null; then
		ok "tree from '$v' is byte-identical"
	else
		bad "tree from '$v' differs"
		diff -r "$T/out-worktree" "$T/out-$v" | head -20
	fi
done

# stdout: the same stream twice, and equal to the tree's manifests
"$TENANTC" render --repo "$T/a" --stdout >"$T/s1"
"$TENANTC" render --repo "$T/a" --stdout --jobs 1 >"$T/s2"
cmp -s "$T/s1" "$T/s2" && ok "stdout stream is stable" || bad "stdout stream differs"
finish
