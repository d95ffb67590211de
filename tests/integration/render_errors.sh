#!/bin/sh
# Bad repositories: each gives one clear "file:line:col: error:" message,
# exit status 2, and leaves an existing rendered/ tree untouched.
. "$(dirname "$0")/lib.sh"

copy_example "$T/base"
"$TENANTC" render --repo "$T/base" >/dev/null

# check NAME ERE [render args...]: render $T/NAME (prepared by the caller
# from a copy of base): exit 2, the first stderr line matching ERE, and
# rendered/ untouched with no temporary folder left behind
check() {
	name=$1 want=$2
	shift 2
	before=$(tree_sum "$T/$name/rendered")
	run "$TENANTC" render --repo "$T/$name" "$@"
	expect "$name" 'expect_status 2 && expect_stderr_line "$want" &&
		expect_tree_sum "$T/$name/rendered" "$before" && expect_no_leftover "$T/$name"'
}

prepare() { rm -rf "$T/$1"; cp -R "$T/base" "$T/$1"; }

prepare malformed
printf 'name: acme\nrealm: [unclosed\n' >"$T/malformed/tenants/acme/tenant.yaml"
check malformed '^tenants/acme/tenant\.yaml:[0-9]+:[0-9]+: error: '

prepare duplicate
printf 'name: prod\ndomain: a\nname: prod\n' >"$T/duplicate/environments/prod.yaml"
check duplicate "^environments/prod\.yaml:3:1: error: duplicate key 'name'"

prepare laughs
{
	echo 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'
	prev=a
	for n in b c d e f g h i j k l m; do
		echo "$n: &$n [*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev]"
		prev=$n
	done
	echo "name: globex"
} >"$T/laughs/tenants/globex/tenant.yaml"
check laughs '^tenants/globex/tenant\.yaml:[0-9]+:[0-9]+: error: .*alias'

prepare mismatch
sed -i 's/^name: acme/name: acme2/' "$T/mismatch/tenants/acme/tenant.yaml"
check mismatch "^tenants/acme/tenant\.yaml:1:7: error: name 'acme2' does not match"

prepare unknownenv
sed -i 's/^environments: \[prod, test\]/environments: [prod, staging]/' "$T/unknownenv/tenants/acme/tenant.yaml"
check unknownenv "^tenants/acme/tenant\.yaml:3:22: error: unknown environment 'staging'"

prepare badfolder
mkdir -p "$T/badfolder/tenants/Bad_Name" && cp "$T/base/tenants/acme/tenant.yaml" "$T/badfolder/tenants/Bad_Name/"
check badfolder "^tenants/Bad_Name:1:1: error: tenant folder 'Bad_Name' is not a DNS-1123 label"

prepare symlink
mkdir -p "$T/symlink/tenants/acme/files" && ln -s /etc/passwd "$T/symlink/tenants/acme/files/passwd"
check symlink "^tenants/acme/files/passwd:1:1: error: .*symbolic link"

# a revision whose tree holds a tenant folder named '..' (git mktree accepts
# it; a checkout would not)
prepare dotdot
(
	cd "$T/dotdot"
	git init -q -b main .
	git add -A
	git commit -q -m base
	blob=$(printf 'name: x\n' | git hash-object -w --stdin)
	inner=$(printf '100644 blob %s\ttenant.yaml\n' "$blob" | git mktree)
	tenants=$( (git ls-tree HEAD:tenants; printf '040000 tree %s\t..\n' "$inner") | git mktree)
	root=$(git ls-tree HEAD | grep -v '	tenants$' | { cat; printf '040000 tree %s\ttenants\n' "$tenants"; } | git mktree)
	commit=$(git commit-tree -p HEAD -m evil "$root")
	git update-ref refs/heads/evil "$commit"
)
check dotdot "^tenants(/\.\.)?:1:1: error: .*'\.\.'" --rev evil

# a missing revision
prepare norev
(cd "$T/norev" && git init -q -b main . && git add -A && git commit -q -m base)
check norev "error: .*unknown revision 'nope'" --rev nope

# a tenant whose namespace Kubernetes reserves: tenant kube in environment system
prepare reserved
sed 's/^name: test$/name: system/' "$T/reserved/environments/test.yaml" >"$T/reserved/environments/system.yaml"
mkdir -p "$T/reserved/tenants/kube"
sed 's/^name: initech$/name: kube/; s/^environments: \[test\]$/environments: [system]/' \
	"$T/reserved/tenants/initech/tenant.yaml" >"$T/reserved/tenants/kube/tenant.yaml"
cp -R "$T/reserved/tenants/initech/files" "$T/reserved/tenants/kube/files"
check reserved "^templates/tenant/[a-z-]+\.yaml:[0-9]+:[0-9]+: error: namespace 'kube-system' is reserved for Kubernetes: tenant 'kube' cannot own it in environment 'system'"

# --stdout prints nothing at all when one tenant fails, even when the
# tenants before it in the output rendered fine
prepare stdoutfail
printf 'name: globex\nrealm: [unclosed\n' >"$T/stdoutfail/tenants/globex/tenant.yaml"
run "$TENANTC" render --repo "$T/stdoutfail" --stdout
expect "stdoutfail: exit 2, nothing on standard output" \
	'expect_status 2 && expect_stdout_empty && expect_stderr "^tenants/globex/tenant\.yaml:[0-9]*:[0-9]*: error: "'

# a repository folder that does not exist is a usage error
run "$TENANTC" render --repo "$T/does-not-exist"
expect "a missing --repo folder exits 2" 'expect_status 2 && expect_stderr "cannot open repository"'

# a nested output folder whose parents do not exist yet is created
rm -rf "$T/nested"
"$TENANTC" render --repo "$T/base" --out "$T/nested/a/b" >/dev/null 2>"$T/err" &&
	[ -d "$T/nested/a/b/prod/tenants" ] && ok "a nested output folder is created" ||
	bad "nested output: $(cat "$T/err")"
finish
