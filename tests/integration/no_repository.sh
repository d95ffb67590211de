#!/bin/sh
# no_repository.sh - render, check and diff run only in a tenantc
# repository: a folder, index or revision with tenantc.yaml, environments/
# or tenants/ at its root. Anywhere else (an empty folder, a subfolder of a
# repository, `--repo tenants/`) they exit 2 with one line that says what
# was looked for and where, and create nothing: an empty rendered/ made
# there used to break the next real render ("unknown tenant 'rendered'").
# A render that fails later creates no folder either, not even the
# parents of a new --out folder.
. "$(dirname "$0")/lib.sh"

R="$T/repo"
copy_example "$R"
git_commit_all "$R"
mkdir "$T/empty"
(cd "$T/empty" && git init -q -b main . && git commit -q --allow-empty -m empty)
mkdir "$T/plain"
sum_repo=$(tree_sum "$R")
sum_empty=$(tree_sum "$T/empty")
LOOKED="is not a tenantc repository: its %s has no tenantc.yaml, environments/ or tenants/"

# refused WHAT DIR SUM WHERE HINT CMD...: CMD run in DIR exits 2, its first
# stderr line names the folder, what was looked for and where, DIR's tree
# is as it was, and nothing went to stdout
refused() {
	what=$1 dir=$2 sum=$3 where=$4 hint=$5
	shift 5
	look=$(printf "$LOOKED" "$where")
	run sh -c 'cd "$1" && shift && exec "$@"' sh "$dir" "$@"
	expect "$what" 'expect_status 2 && expect_stdout_empty &&
		expect_stderr_line "^tenantc: error: .* $look; $hint" &&
		expect_tree_sum "$dir" "$sum" && expect_file_absent "$dir/rendered"'
}

inside="it lies inside the repository '$(cd "$R" && pwd -P)'"
init="give --repo DIR, or create one with 'tenantc init DIR'"
refused "render in an empty folder" "$T/plain" "$(tree_sum "$T/plain")" folder "$init" \
	"$TENANTC" render
refused "render --stdout in an empty folder" "$T/plain" "$(tree_sum "$T/plain")" folder "$init" \
	"$TENANTC" render --stdout
refused "check --worktree in an empty folder" "$T/plain" "$(tree_sum "$T/plain")" folder \
	"$init" "$TENANTC" check --worktree
refused "check in an empty git repository" "$T/empty" "$sum_empty" index "$init" \
	"$TENANTC" check
refused "check --rev HEAD in an empty git repository" "$T/empty" "$sum_empty" \
	"revision HEAD" "$init" "$TENANTC" check --rev HEAD
refused "diff HEAD in an empty git repository" "$T/empty" "$sum_empty" "revision HEAD" \
	"$init" "$TENANTC" diff HEAD
refused "render --repo tenants/" "$R" "$sum_repo" folder "$inside" \
	"$TENANTC" render --repo tenants/
refused "render --repo tenants/ --out NEW" "$R" "$sum_repo" folder "$inside" \
	"$TENANTC" render --repo tenants/ --out "$T/new/deep/out"
expect "render --repo tenants/ --out NEW creates no folder" 'expect_file_absent "$T/new"'
refused "render in a subfolder (templates/)" "$R/templates" "$(tree_sum "$R/templates")" \
	folder "$inside" "$TENANTC" render
refused "render in tenants/acme" "$R/tenants/acme" "$(tree_sum "$R/tenants/acme")" \
	folder "$inside" "$TENANTC" render
refused "check in a subfolder (templates/)" "$R/templates" "$(tree_sum "$R/templates")" \
	index "$inside" "$TENANTC" check
refused "diff HEAD in a subfolder (templates/)" "$R/templates" "$(tree_sum "$R/templates")" \
	"revision HEAD" "$inside" "$TENANTC" diff HEAD
run "$TENANTC" check --repo "$T/empty"
expect "check names no --worktree note for a repository that is not one" \
	'expect_status 2 && ! expect_stderr "give --worktree"'

# each of the three is enough: a repository may start with any of them
for sign in tenantc.yaml environments tenants; do
	mkdir "$T/only-$sign"
	case $sign in
	tenantc.yaml) echo "output: rendered" >"$T/only-$sign/$sign" ;;
	*) mkdir "$T/only-$sign/$sign" ;;
	esac
	run "$TENANTC" render --repo "$T/only-$sign" --stdout
	expect "a folder with only $sign is a repository" \
		'! expect_stderr "is not a tenantc repository"'
done

# the real repository renders, and a failed render leaves no folder behind
run "$TENANTC" render --repo "$R" --out "$T/out1/deep/rendered"
expect "render of the repository itself still works" \
	'expect_status 0 && [ -f "$T/out1/deep/rendered/tenantc-output.txt" ]'
sed -i 's/^name: acme$/name: Acme/' "$R/tenants/acme/tenant.yaml"
run "$TENANTC" render --repo "$R" --out "$T/out2/deep/rendered"
expect "a render that fails leaves no new folder for --out" \
	'expect_status 2 && expect_file_absent "$T/out2"'
mkdir "$T/out3"
run "$TENANTC" render --repo "$R" --out "$T/out3/a/b"
expect "... nor below an existing one" \
	'expect_status 2 && [ -z "$(ls -A "$T/out3")" ] || { why="${why:-$(ls -A "$T/out3")}"; false; }'
run "$TENANTC" render --repo "$R"
expect "... nor rendered/ in the repository" 'expect_status 2 && expect_file_absent "$R/rendered"'
finish
