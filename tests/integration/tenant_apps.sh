#!/bin/sh
# A tenant's own applications (tenant.yaml `apps`, docs/templates.md "Tenant
# applications"): what the example renders for them with Flux and ArgoCD,
# the per-environment rule (lists replace), and every bad source refused
# at its line and column of tenant.yaml (src/apps_check.c, after Flux's
# GitRepository and Kustomization specs, ArgoCD's repository and
# targetRevision forms, git-clone's URLs and git-check-ref-format), exit
# 2, nothing on standard output.
. "$(dirname "$0")/lib.sh"

R="$T/repo"
copy_example "$R"

# render ENV TENANT: one tenant's manifests of one environment on stdout
render() { run "$TENANTC" render --repo "$R" --stdout --env "$1" --tenant "$2"; }

# the example: globex's shop, a release tag in prod, main in test
render prod globex
expect "Flux: a GitRepository per app at the prod section's tag" \
	'expect_status 0 && expect_stdout_has "kind: GitRepository" "tag: v1.4.2" "url: https://github.com/globex/shop.git"'
expect "Flux: a Kustomization per app as apps-applier, into globex-prod only" \
	'expect_stdout_has "serviceAccountName: apps-applier" "targetNamespace: globex-prod" "path: deploy/storefront" "path: deploy/backend"'
awk -v RS='---' '/\nkind: Role\n/ && /name: apps-applier/' "$T/stdout" >"$T/role"
expect "Flux: apps-applier's Role writes workloads, no Secret and no RBAC" \
	'grep -q deployments "$T/role" && ! grep -q "secrets\|roles\|networkpolicies\|serviceaccounts" "$T/role"'
render test globex
expect "ArgoCD: an Application per app at main in the project globex-test.apps" \
	'expect_status 0 && expect_stdout_has "name: globex-test.storefront" "project: globex-test.apps" "targetRevision: main"'
expect "ArgoCD: the apps project's one destination is globex-test, no cluster kind" \
	'expect_stdout_has "name: globex-test.apps" "clusterResourceWhitelist: []" &&
	[ "$(grep -c "namespace: globex-test\$" "$T/stdout")" -ge 1 ]'
render test acme
expect "a tenant without apps gets none of it" \
	'expect_status 0 && ! expect_stdout_has "apps-applier" ".apps" "kind: GitRepository"'

# a list in the file is every environment's; a section's replaces it
mkdir -p "$R/tenants/zeta"
zeta() { cat >"$R/tenants/zeta/tenant.yaml"; }
zeta <<'Y'
name: zeta
apps:
  - name: web
    repoURL: git@git.example.com:zeta/web.git
    path: .
    revision: 0123456789abcdef0123456789abcdef01234567
overrides:
  test:
    apps:
      - name: api
        repoURL: ssh://git@git.example.com/zeta/api.git
        path: deploy
        revision: refs/heads/release/2
Y
render prod zeta
expect "the file's list in prod: a commit, and the scp URL as ssh:// for Flux" \
	'expect_status 0 && expect_stdout_has "commit: '"'0123456789abcdef0123456789abcdef01234567'"'" "url: ssh://git@git.example.com/zeta/web.git" && ! grep -qx "  name: api" "$T/stdout"'
render test zeta
expect "the section's list in test replaces it (ArgoCD: the revision as written)" \
	'expect_status 0 && expect_stdout_has "name: zeta-test.api" "targetRevision: refs/heads/release/2" "repoURL: ssh://git@git.example.com/zeta/api.git" && ! expect_stdout_has "zeta-test.web"'

# refused WHAT LINE:COL TEXT YAML-on-stdin: zeta does not render
refused() {
	zeta
	run "$TENANTC" render --repo "$R" --stdout --tenant zeta
	expect "$1" 'expect_status 2 && expect_stdout_empty &&
		expect_stderr_line "^tenants/zeta/tenant.yaml:$2: error: .*$3"' "$@"
}
# app FIELD VALUE: a one-app tenant.yaml with FIELD set to VALUE (line 5..7)
app() {
	url=https://github.com/zeta/web.git path=deploy rev=main
	case $1 in url) url=$2 ;; path) path=$2 ;; rev) rev=$2 ;; esac
	printf 'name: zeta\napps:\n  - name: web\n    repoURL: "%s"\n    path: "%s"\n    revision: "%s"\n' \
		"$url" "$path" "$rev"
}
app url http://github.com/zeta/web.git | refused "plain http is refused" 4:14 "repoURL 'http://github.com/zeta/web.git' uses plain http"
app url https://x:token@github.com/zeta/web.git | refused "a token in the URL is refused (credentials go in a Secret)" 4:14 "holds credentials"
app url file:///srv/web.git | refused "another scheme is refused" 4:14 "has a scheme tenantc does not apply from"
app url ./web | refused "a local path is no Git URL" 4:14 "is not a Git URL"
app url https://github.com | refused "a URL without a repository path is refused" 4:14 "names no repository"
app path ../platform | refused "a path with '..' is refused" 5:11 "path '../platform' has a '..' segment"
app path /deploy | refused "an absolute path is refused" 5:11 "is absolute"
app rev "" | refused "an empty revision is refused by the schema" 6:15 "revision"
app rev "main..x" | refused "a revision Git refuses as a ref name is refused" 6:15 "revision 'main..x' holds '..'"
app rev refs/pull/1/head | refused "a ref other than heads or tags is refused" 6:15 "is a ref other than"
app rev "-main" | refused "a revision beginning with '-' is refused" 6:15 "begins with '-'"
refused "a missing revision is refused by the schema" 3:5 "revision" <<'Y'
name: zeta
apps:
  - name: web
    repoURL: https://github.com/zeta/web.git
    path: deploy
Y
refused "an app name that is no DNS label is refused by the schema" 3:11 "is not a DNS-1123 label" <<'Y'
name: zeta
apps:
  - name: Web
    repoURL: https://github.com/zeta/web.git
    path: deploy
    revision: main
Y
refused "an app declared twice in a section is refused at the second" 10:15 "app 'web' is declared twice [(]first at line 6[)]" <<'Y'
name: zeta
environments: [test]
overrides:
  test:
    apps:
      - name: web
        repoURL: https://github.com/zeta/web.git
        path: deploy
        revision: main
      - name: web
        repoURL: https://github.com/zeta/web.git
        path: other
        revision: main
Y
finish
