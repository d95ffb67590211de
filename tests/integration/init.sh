#!/bin/sh
# tenantc init DIR: a new repository that renders at once, holding exactly
# the templates and schemas of the source tree tenantc was built from;
# existing files are never overwritten and bad options change nothing.
. "$(dirname "$0")/lib.sh"

# expect_fail NAME ERE ARGS...: init exits 2, its first stderr line matching ERE
expect_fail() {
	name=$1 want=$2
	shift 2
	run "$TENANTC" init "$@"
	expect "$name" 'expect_status 2 && expect_stderr_line "$want"'
}

# a fresh repository renders, and its output passes the upstream schemas
if "$TENANTC" init "$T/new" >"$T/out" 2>"$T/err"; then
	ok "init creates a repository: $(head -n 1 "$T/out")"
else
	bad "init failed: $(cat "$T/err")"
fi
same=0 differ=0
for f in $(cd "$SRC" && find templates schemas files -type f ! -name '.*' ! -name '*~' | LC_ALL=C sort); do
	if cmp -s "$SRC/$f" "$T/new/$f"; then same=$((same + 1)); else differ=$((differ + 1)); echo "  differs or missing: $f"; fi
done
[ "$differ" -eq 0 ] && [ "$same" -gt 0 ] && ok "the $same templates and schemas equal the source tree's" ||
	bad "$differ templates or schemas differ from the source tree"
for f in tenantc.yaml environments/prod.yaml tenants/example/tenant.yaml; do
	[ -f "$T/new/$f" ] && ok "init wrote $f" || bad "init did not write $f"
done
# the Kubernetes version: the newest built-in schemas, explained with the
# CRD import beside it
if grep -qx 'kubernetesVersion: "1.34"' "$T/new/tenantc.yaml" &&
	grep -q '^#   1.30, 1.31, 1.32, 1.33, 1.34$' "$T/new/tenantc.yaml" &&
	grep -q '^#   tenantc schema import <crds>.yaml' "$T/new/tenantc.yaml"; then
	ok "init sets kubernetesVersion 1.34 and says how to import CRDs"
else
	bad "tenantc.yaml of a new repository: $(grep -n -i kubernetes "$T/new/tenantc.yaml")"
fi
if "$TENANTC" render --repo "$T/new" >"$T/out" 2>"$T/err"; then
	ok "the new repository renders: $(cat "$T/out")"
else
	bad "rendering the new repository failed: $(head -n 3 "$T/err")"
fi
for f in prod/tenants/example/namespace-example-prod.yaml \
	prod/gitops/example/kustomization-example-prod.yaml \
	prod/cluster/clusterpolicy-tenantc-prod-require-signed-images.yaml; do
	[ -f "$T/new/rendered/$f" ] && ok "rendered $f" || bad "missing rendered/$f"
done
UPSTREAM="${SHARED:-$SRC/../shared}/schemas-upstream"
if [ -d "$UPSTREAM" ]; then
	JOBS=$(job_schemas "$UPSTREAM" "$T/job-schemas")
	if "$TENANTC" validate --schema-location "$UPSTREAM" --schema-location "$JOBS" --strict "$T/new/rendered" >"$T/out" 2>&1; then
		ok "the new repository's output passes ../shared/schemas-upstream"
	else
		bad "the new repository's output is invalid: $(head -n 3 "$T/out")"
	fi
else
	echo "SKIP: ../shared/schemas-upstream not found (output validation of the new repository)"
fi

# a new repository passes the isolation verifier of check (docs/verify.md)
# with both GitOps tools: its templates confine the tenant, and with Flux its
# tenantc.yaml accepts the one finding the templates make on purpose
for g in flux argocd; do
	"$TENANTC" init "$T/verify-$g" --gitops "$g" --repo-url https://git.example.org/p.git >/dev/null 2>&1 &&
		"$TENANTC" render --repo "$T/verify-$g" >/dev/null 2>&1 && git_commit_all "$T/verify-$g"
	run "$TENANTC" check --repo "$T/verify-$g"
	expect "a new $g repository passes check, the verifier included" 'expect_status 0 && expect_stderr_empty'
done

# another environment, tenant and GitOps tool
"$TENANTC" init "$T/argo" --env dev --tenant shop --gitops argocd --domain dev.shop.example.org \
	--repo-url https://git.example.org/platform.git >/dev/null 2>"$T/err" || bad "init --gitops argocd failed: $(cat "$T/err")"
if "$TENANTC" render --repo "$T/argo" >/dev/null 2>"$T/err" &&
	[ -f "$T/argo/rendered/dev/gitops/shop/application-shop-dev.yaml" ] &&
	grep -q 'https://shop.dev.shop.example.org/' "$T/argo/rendered/dev/tenants/shop/"configmap-shop-dev-realm-*.yaml &&
	grep -q 'repoURL: https://git.example.org/platform.git' "$T/argo/rendered/dev/gitops/shop/application-shop-dev.yaml"; then
	ok "init --env dev --tenant shop --gitops argocd renders an ArgoCD Application"
else
	bad "the ArgoCD repository did not render as expected: $(head -n 3 "$T/err")"
fi

# a folder with other content (a git clone) is fine
mkdir -p "$T/clone"
(cd "$T/clone" && git init -q . && echo "# platform" >README.md)
"$TENANTC" init "$T/clone" >/dev/null 2>"$T/err" && [ "$(cat "$T/clone/README.md")" = "# platform" ] &&
	ok "init into a git clone keeps its files" || bad "init into a git clone: $(cat "$T/err")"

# nothing is overwritten, and a refused init writes nothing
before=$(tree_sum "$T/new")
expect_fail "init over a repository" ':1:1: error: file exists: init creates a new repository and overwrites nothing$' "$T/new"
[ "$(tree_sum "$T/new")" = "$before" ] && ok "the existing repository is unchanged" || bad "init changed an existing repository"
mkdir -p "$T/partial/environments"
echo "name: prod" >"$T/partial/environments/prod.yaml"
expect_fail "init over one existing file" "partial/environments/prod\.yaml:1:1: error: file exists" "$T/partial"
[ "$(find "$T/partial" -type f | wc -l)" -eq 1 ] && ok "a refused init writes no file" || bad "a refused init wrote files"

# bad options
expect_fail "no folder" "^tenantc: error: missing the folder to create$"
expect_fail "two folders" "^tenantc: error: give exactly one folder$" "$T/a" "$T/b"
expect_fail "bad environment name" "^--env: error: 'Prod' is not a DNS-1123 label" "$T/x" --env Prod
expect_fail "long environment name" "^--env: error: environment name 'a{21}' is not a DNS-1123 label of at most 20" "$T/x" --env aaaaaaaaaaaaaaaaaaaaa
expect_fail "bad tenant name" "^--tenant: error: 'my_shop' is not a DNS-1123 label" "$T/x" --tenant my_shop
expect_fail "bad gitops" "^--gitops: error: 'jenkins' is not flux or argocd$" "$T/x" --gitops jenkins
expect_fail "bad domain" "^--domain: error: 'Example..com' is not a domain name" "$T/x" --domain Example..com
expect_fail "bad url" "^--repo-url: error: 'ftp://x' is not a git URL" "$T/x" --repo-url ftp://x
expect_fail "url with a quote" "is not a git URL" "$T/x" --repo-url 'https://x/"y'
expect_fail "unknown option" "^tenantc: error: unknown option '--bogus'$" "$T/x" --bogus
[ ! -e "$T/x" ] && ok "failed option checks create nothing" || bad "a failed init created $T/x"
echo "a file" >"$T/file"
expect_fail "folder is a file" "file:1:1: error: '.*/file' is not a folder$" "$T/file"
expect_fail "parent is a file" "error: cannot create folder '.*file/sub': Not a directory" "$T/file/sub"
# every file or folder that what init writes names is in the new repository
# (or in rendered/, which its first render writes): plain, --with-ci, argocd
REFS="$SRC/tests/tools/refs.py"
written() { # dir: the files init wrote (not rendered/)
	(cd "$1" && find . -type f ! -path './rendered/*' ! -path './.git/*' | LC_ALL=C sort)
}
"$TENANTC" init "$T/ci" --with-ci --env stage --tenant shop >"$T/out" 2>"$T/err" ||
	bad "init --with-ci failed: $(cat "$T/err")"
"$TENANTC" render --repo "$T/ci" >/dev/null 2>"$T/err" || bad "the --with-ci repository does not render: $(head -n 2 "$T/err")"
grep -q '^## Validation$' "$T/ci/README.md" && grep -q '^tenantc schema import ' "$T/ci/README.md" &&
	ok "the README of --with-ci explains kubernetesVersion and the CRD import" ||
	bad "the README of --with-ci does not explain validation"
for d in new argo ci; do
	run sh -c 'cd "$1" && python3 "$2" --allow "$3" . $(cd "$1" && find . -type f ! -path "./rendered/*" | LC_ALL=C sort)' sh "$T/$d" "$REFS" "$SRC/tests/integration/init-quoted.txt"
	expect "every name in what init wrote resolves in the new repository ($d)" \
		'expect_status 0 || { why="$(head -n 5 "$T/stdout")"; false; }'
done
for f in .pre-commit-config.yaml .github/workflows/tenantc.yml README.md; do
	expect "init --with-ci writes $f" '[ -s "$T/ci/$f" ]'
	expect "init without --with-ci writes no $f" 'expect_file_absent "$T/new/$f"'
done
version=$("$TENANTC" version | sed -n 's/^tenantc //p')
expect "the hook names tenantc's release tag v$version" \
	'grep -qx "    rev: v$version" "$T/ci/.pre-commit-config.yaml" &&
	 grep -qx "      - id: tenantc-check" "$T/ci/.pre-commit-config.yaml"'
expect "the hook id is one .pre-commit-hooks.yaml offers" \
	'grep -qx -- "- id: tenantc-check" "$SRC/.pre-commit-hooks.yaml"'
expect "the workflow runs the Action at the same tag" \
	'grep -qx "      - uses: example/tenantc@v$version" "$T/ci/.github/workflows/tenantc.yml" &&
	 grep -qx "      - uses: actions/checkout@v4" "$T/ci/.github/workflows/tenantc.yml"'
expect "the workflow and the hook configuration are YAML" \
	'/usr/bin/python3 -c "import sys, yaml; [yaml.safe_load(open(f)) for f in sys.argv[1:]]" \
		"$T/ci/.github/workflows/tenantc.yml" "$T/ci/.pre-commit-config.yaml" 2>"$T/err" ||
	 { why="$(cat "$T/err")"; false; }'
if command -v pre-commit >/dev/null 2>&1; then
	run sh -c 'cd "$1" && pre-commit validate-config .pre-commit-config.yaml' sh "$T/ci"
	expect "pre-commit accepts the configuration" 'expect_status 0'
else
	echo "SKIP: pre-commit is not installed (its check of .pre-commit-config.yaml)"
fi
expect "the README names the environment, the tenant and the files" \
	'grep -qF "environments/stage.yaml" "$T/ci/README.md" &&
	 grep -qF "tenants/shop/tenant.yaml" "$T/ci/README.md" &&
	 grep -qF ".github/workflows/tenantc.yml" "$T/ci/README.md"'
mkdir -p "$T/ciclone"
(cd "$T/ciclone" && git init -q . && echo "# platform" >README.md)
run "$TENANTC" init "$T/ciclone" --with-ci
expect "init --with-ci into a clone with a README keeps it and writes the rest" \
	'expect_status 0 && [ "$(cat "$T/ciclone/README.md")" = "# platform" ] &&
	 [ -s "$T/ciclone/.pre-commit-config.yaml" ] && expect_stdout "README.md was there and is kept"'
# the commented apps example of tenant.yaml and its verifier exception,
# uncommented, render as they are (render verifies: no finding)
"$TENANTC" init "$T/apps" >/dev/null 2>&1 || bad "init of the apps repository failed"
sed -i 's/^    # \(apps:\)$/    \1/; s/^    #   /      /' "$T/apps/tenants/example/tenant.yaml"
sed -i 's/^    # \(- rule: rbac.secrets\)$/    \1/; s/^    #   \(kind\|reason\)/      \1/' "$T/apps/tenantc.yaml"
run "$TENANTC" render --repo "$T/apps"
expect "the commented apps example, uncommented, renders and passes the verifier" \
	'expect_status 0 && expect_stderr_empty &&
	 grep -qx "  name: web" "$T/apps/rendered/prod/tenants/example/kustomization-web.yaml" &&
	 grep -qx "    tag: v1.0.0" "$T/apps/rendered/prod/tenants/example/gitrepository-web.yaml"'
finish
