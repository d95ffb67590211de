#!/bin/sh
# output_guard.sh - a render replaces only a folder that is tenantc's
# (issue 21, item 1: `--out`/`output:` used to delete any folder it named).
#
# Each refused case must exit 2 with one `<folder>:...: error: refusing ...`
# line and leave every file of the repository and the named folder as it
# was. Accepted: a new folder, an empty folder, a folder holding the
# marker. Item 3: a render removes the temporary trees of dead renders,
# and `check` names them. Item 9: concurrent renders of one folder wait
# for each other instead of colliding.
. "$(dirname "$0")/lib.sh"

R="$T/repo"
copy_example "$R"
git_commit_all "$R"
cd "$R"
before=$(tree_sum "$R")

# refused WHAT TEXT ARGS...: tenantc ARGS exits 2, its first stderr line
# holds "error: TEXT", nothing on stdout, the repository as it was
refused() {
	what=$1 expect=$2
	shift 2
	run "$TENANTC" "$@"
	expect "$what" 'expect_status 2 && expect_tree_sum "$R" "$before" &&
		expect_stderr_line "error: $expect" && expect_stdout_empty'
}

refused "--out ." "refusing to render into the repository itself" render --out .
refused "--out absolute repository" "refusing to render into the repository itself" \
	render --out "$R"
refused "--out repository via ..-spelling" "refusing to render into the repository itself" \
	render --out "tenants/../templates/.."
ln -s "$R" "$T/repolink"
refused "--out repository via symlink" "refusing to render into the repository itself" \
	render --out "$T/repolink/."
refused "--out parent of the repository" "refusing to render into a folder that contains" \
	render --out ..
refused "--out /" "refusing to render into the root folder" render --out /
for f in environments tenants templates schemas keys; do
	mkdir -p "$R/keys" 2>/dev/null
	refused "--out $f" "refusing to render into the input folder '$f'" render --out "$f"
	refused "--out $f (absolute)" "refusing to render into the input folder '$f'" \
		render --out "$R/$f"
done
rmdir "$R/keys" 2>/dev/null || true
before=$(tree_sum "$R")
refused "--out inside tenants" "refusing to render into a folder inside 'tenants'" \
	render --out tenants/acme/out
refused "--out inside .git" "refusing to render into a folder inside '.git'" \
	render --out .git/x
refused "--out files (not there yet)" "refusing to render into the input folder 'files'" \
	render --out files
refused "--out policies via ../" "refusing to render into the input folder 'policies'" \
	render --out "../repo/policies"
ln -s "$R/templates" "$T/tlink"
refused "--out symlink to templates" "refusing to render into the input folder 'templates'" \
	render --out "$T/tlink"

# folders outside the repository
mkdir -p "$T/other/sub"
echo "keep me" >"$T/other/notes.txt"
osum=$(tree_sum "$T/other")
refused "--out unrelated folder" "refusing to replace a folder tenantc did not make: it holds 'notes.txt'" \
	render --out "$T/other"
[ "$(tree_sum "$T/other")" = "$osum" ] && ok "unrelated folder untouched" ||
	bad "unrelated folder changed"
mkdir -p "$T/gitrepo" && git -C "$T/gitrepo" init -q
refused "--out another git repository" "refusing to replace a folder that holds '.git'" \
	render --out "$T/gitrepo"
refused "--shard 1/2 --out unrelated folder" "refusing to replace a folder tenantc did not make" \
	render --shard 1/2 --out "$T/other"
refused "--env prod --out templates" "refusing to render into the input folder 'templates'" \
	render --env prod --out templates
refused "--rev HEAD --out tenants" "refusing to render into the input folder 'tenants'" \
	render --rev HEAD --out tenants
mkdir -p "$T/real"
ln -s "$T/real" "$T/outlink"
refused "--out a symbolic link" "the output folder is a symbolic link" render --out "$T/outlink"

# output: in tenantc.yaml, committed so that --rev and --index see it too
for o in tenants templates . .. environments/x; do
	case $o in
	.*) want="'$o' is not a relative folder inside the repository" ;; # the schema's rule
	*) want="refusing to render into" ;;
	esac
	sed "s|^output:.*|output: $o|" "$SRC/tenantc.yaml" >"$R/tenantc.yaml"
	before=$(tree_sum "$R")
	refused "output: $o" "$want" render
	git add tenantc.yaml && git commit -q -m "output $o"
	before=$(tree_sum "$R")
	refused "output: $o (--rev HEAD)" "$want" render --rev HEAD
done
git checkout -q HEAD~5 -- tenantc.yaml && git commit -q -m back
before=$(tree_sum "$R")

# merge --out follows the same rules
"$TENANTC" render --shard 1/2 --out "$T/s1" >/dev/null 2>&1 &&
	"$TENANTC" render --shard 2/2 --out "$T/s2" >/dev/null 2>&1 ||
	bad "shard renders failed"
refused "merge --out templates" "refusing to render into the input folder 'templates'" \
	merge --out templates "$T/s1" "$T/s2"
refused "merge --out the repository" "refusing to replace a folder that holds '.git'" \
	merge --out "$R" "$T/s1" "$T/s2"
refused "merge --out unrelated folder" "refusing to replace a folder tenantc did not make" \
	merge --out "$T/other" "$T/s1" "$T/s2"

# accepted: new, empty, marked
if "$TENANTC" render >"$T/out" 2>"$T/err" && [ -f rendered/tenantc-output.txt ]; then
	ok "a new output folder gets the marker"
else
	bad "render into a new folder: $(cat "$T/err")"
fi
first=$(tree_sum "$R/rendered")
"$TENANTC" render >/dev/null 2>"$T/err" && [ "$(tree_sum "$R/rendered")" = "$first" ] &&
	ok "a marked folder is replaced, same bytes" || bad "second render: $(cat "$T/err")"
mkdir "$T/empty"
"$TENANTC" render --out "$T/empty" >/dev/null 2>"$T/err" && [ -f "$T/empty/tenantc-output.txt" ] &&
	ok "an empty folder is accepted" || bad "empty folder: $(cat "$T/err")"
"$TENANTC" merge --out "$T/merged" "$T/s1" "$T/s2" >/dev/null 2>"$T/err" &&
	[ -f "$T/merged/tenantc-output.txt" ] && ok "merge writes the marker" ||
	bad "merge: $(cat "$T/err")"
rm rendered/tenantc-output.txt
before=$(tree_sum "$R")
refused "a tree without its marker" "refusing to replace a folder tenantc did not make: it holds 'prod'" \
	render
"$TENANTC" render --out "$T/empty" >/dev/null 2>&1
rm -rf rendered && "$TENANTC" render >/dev/null 2>&1

# leftovers of a render that died (item 3); the .gitignore that init
# writes keeps them out of `git add -A`
"$TENANTC" init "$T/fresh" >/dev/null && cp "$T/fresh/.gitignore" "$R/.gitignore"
mkdir -p "$R/.rendered.tmp-Ab12Cd/prod" && echo x >"$R/.rendered.tmp-Ab12Cd/prod/a.yaml"
git add -A rendered && git commit -q -m rendered
if "$TENANTC" check >"$T/out" 2>"$T/err" && grep -q "'.rendered.tmp-Ab12Cd' beside 'rendered' is the temporary tree of a render" "$T/err"; then
	ok "check names a leftover temporary tree"
else
	bad "check did not name the leftover: $(cat "$T/err")"
fi
git status --porcelain | grep -q tmp- && bad "git status shows the leftover (.gitignore)" ||
	ok "the leftover is ignored by git"
"$TENANTC" render >/dev/null 2>"$T/err" && [ ! -e "$R/.rendered.tmp-Ab12Cd" ] &&
	ok "render removes a leftover temporary tree" || bad "leftover stays: $(cat "$T/err")"
"$TENANTC" check >/dev/null 2>"$T/err" && ! grep -q tmp- "$T/err" &&
	ok "check is quiet after it" || bad "check after cleanup: $(cat "$T/err")"

# a render killed in its write phase leaves a leftover that the next removes
big="$T/big"
copy_example "$big"
i=0
while [ $i -lt 150 ]; do
	mkdir -p "$big/tenants/t$i"
	sed "s/^name: acme/name: t$i/" "$SRC/tenants/acme/tenant.yaml" >"$big/tenants/t$i/tenant.yaml"
	i=$((i + 1))
done
rm -rf "$big/tenants/acme/secrets" "$big/tenants/globex/secrets"
# without secrets, no client may need one (render checks it): public clients only
sed -i 's/^\( *type: \)\(confidential\|service-account\)$/\1public/' "$big"/tenants/*/tenant.yaml
"$TENANTC" render --repo "$big" >/dev/null 2>&1 || true
ref=$(tree_sum "$big/rendered" 2>/dev/null || echo none)
killed=0
n=0
while [ $n -lt 10 ]; do
	"$TENANTC" render --repo "$big" --jobs 1 >/dev/null 2>&1 &
	pid=$!
	sleep "0.0$((n % 9 + 1))"
	kill -9 $pid 2>/dev/null && killed=$((killed + 1))
	wait $pid 2>/dev/null || true
	n=$((n + 1))
done
[ "$(tree_sum "$big/rendered")" = "$ref" ] && ok "after $killed kills the tree is the complete one" ||
	bad "after kills the tree differs"
"$TENANTC" render --repo "$big" >/dev/null 2>&1
left=$(find "$big" -maxdepth 1 -name '.rendered.tmp-*' | wc -l)
[ "$left" -eq 0 ] && ok "no leftover after the next render" || bad "$left leftovers after the next render"

# concurrent renders of one folder, with the cache: they wait for each
# other (item 9: they collided on one temporary file)
export TENANTC_CACHE_DIR="$T/cache"
fails=0
n=0
while [ $n -lt 6 ]; do
	"$TENANTC" render --rev HEAD >/dev/null 2>"$T/c1" &
	p1=$!
	"$TENANTC" render --rev HEAD >/dev/null 2>"$T/c2" &
	p2=$!
	wait $p1 || fails=$((fails + 1))
	wait $p2 || fails=$((fails + 1))
	n=$((n + 1))
done
[ "$fails" -eq 0 ] && ok "12 concurrent cached renders all succeeded" ||
	bad "$fails of 12 concurrent cached renders failed: $(cat "$T/c1" "$T/c2" | head -2)"
"$TENANTC" check --rev HEAD >/dev/null 2>&1 && ok "the tree is consistent after them" ||
	bad "check fails after concurrent renders"

finish
