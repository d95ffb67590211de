#!/bin/sh
# One input set whatever the source (issue 21, item 11): a work-tree
# render once read a .DS_Store into a ConfigMap, and git-ignored files and
# submodule folders too, which --index and --rev never see. The three
# sources must render byte-identical trees, skip dot files and ignored
# files alike, and refuse a submodule folder with the same message.
. "$(dirname "$0")/lib.sh"
unset SOPS_AGE_KEY_FILE
export TENANTC_CACHE=off

R="$T/r"
mkdir -p "$R/environments" "$R/tenants/acme/files" "$R/templates/tenant"
# a fixture about sources, not isolation (no NetworkPolicy): no verifier
printf 'output: rendered\nverify: {enabled: false}\n' >"$R/tenantc.yaml"
cat >"$R/environments/prod.yaml" <<'E'
name: prod
domain: prod.example.com
gitops: flux
imagePolicy: production
E
printf 'name: acme\ndisplayName: ACME\n' >"$R/tenants/acme/tenant.yaml"
printf 'listen 80;\n' >"$R/tenants/acme/files/app.conf"
# every file of files/ becomes a key of one ConfigMap
cat >"$R/templates/tenant/objects.yaml" <<'E'
- apiVersion: v1
  kind: Namespace
  metadata:
    name: ${tenant.name}-${env.name}
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: files
    namespace: ${tenant.name}-${env.name}
  data:
    $merge:
      $map: {$eval: files}
      each(f): {"${f}": {$eval: file(f)}}
E
printf 'local.conf\n' >"$R/.gitignore"
git_commit_all "$R"
# then, in the work tree only: what a Mac, an editor and a developer leave
printf 'Bud1 junk\n' >"$R/tenants/acme/files/.DS_Store"
printf 'x: 1\n' >"$R/templates/.hidden"
printf 'x: 1\n' >"$R/templates/tenant/.objects.yaml.swp"
printf 'password=local-only-7731\n' >"$R/tenants/acme/files/local.conf"

for k in worktree index rev; do
	case $k in
	worktree) set -- ;;
	index) set -- --index ;;
	rev) set -- --rev HEAD ;;
	esac
	run "$TENANTC" render --repo "$R" --out "$T/$k" "$@"
	expect "$k render succeeds" 'expect_status 0'
done
a=$(tree_sum "$T/worktree") b=$(tree_sum "$T/index") c=$(tree_sum "$T/rev")
[ "$a" = "$b" ] && [ "$b" = "$c" ] && ok "work tree, index and revision render byte-identical trees" ||
	bad "the trees differ: $(diff -r "$T/worktree" "$T/rev" | head -n 5)"
if grep -rq -e 'DS_Store' -e 'Bud1' -e 'local-only' -e 'local.conf' "$T/worktree" "$T/index" "$T/rev"; then
	bad "a dot file or an ignored file reached the output"
else
	ok "no dot file and no ignored file reached the output"
fi
grep -q 'app.conf' "$T/worktree/prod/tenants/acme/configmap-files.yaml" &&
	ok "the tracked file is read" || bad "app.conf missing from the ConfigMap"

# a plain directory (no git anywhere) reads everything but dot files
mkdir "$T/plain"
(cd "$R" && tar cf - --exclude=.git .) | (cd "$T/plain" && tar xf -)
"$TENANTC" render --repo "$T/plain" --out "$T/plainout" >"$T/plain.log" 2>&1 || bad "plain render: $(cat "$T/plain.log")"
f="$T/plainout/prod/tenants/acme/configmap-files.yaml"
if grep -q 'local.conf' "$f" && ! grep -q 'DS_Store' "$f"; then
	ok "a plain directory reads .gitignore'd names but no dot file"
else
	bad "plain directory: $(cat "$f")"
fi

# a submodule folder: refused by all three with the same message, exit 2
mkdir "$T/sub"
(cd "$T/sub" && git init -q -b main . && printf 'a\n' >a.conf && git add -A && git commit -q -m sub)
(cd "$R" && git -c protocol.file.allow=always submodule add -q "$T/sub" tenants/acme/files/vendor &&
	git commit -q -m vendor)
want="tenants/acme/files/vendor:1:1: error: 'tenants/acme/files/vendor' is a submodule; tenantc does not read submodules"
check_refused() { # label repo args...: render exits 2 with $want, writes nothing
	label=$1 repo=$2
	shift 2
	run "$TENANTC" render --repo "$repo" --out "$T/refused" "$@"
	expect "$label: the submodule folder is refused (exit 2)" \
		'expect_status 2 && expect_stderr_first "$want" && expect_file_absent "$T/refused"'
}
check_refused "work tree" "$R"
check_refused "index" "$R" --index
check_refused "revision" "$R" --rev HEAD
# a clone without its submodules has an empty folder where the gitlink is
git clone -q "$R" "$T/clone"
check_refused "work tree of a clone without submodules" "$T/clone"
# a nested clone that git does not know (a folder holding .git)
rm -rf "$T/plain/tenants/acme/files/vendor"
git clone -q "$T/sub" "$T/plain/tenants/acme/files/vendor"
check_refused "plain directory with a nested clone" "$T/plain"
finish
