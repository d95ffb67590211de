/*
 * test_apps_check.c - the rules of apps_check.c for a tenant's application
 * sources.
 *
 * Upstream sources: Flux source-controller's GitRepository spec (.spec.url
 * is an http, https or ssh URL; credentials come from .spec.secretRef;
 * .spec.ref is a branch, tag or commit), Flux kustomize-controller's
 * Kustomization spec (.spec.path relative to the artifact's root), ArgoCD's
 * "Private Repositories" (https URLs, ssh:// and the scp form
 * git@host:path) and "Tracking and Deployment Strategies" (targetRevision:
 * a branch, tag or commit SHA), git-clone's "GIT URLS" (the scp-like form
 * only without '/' before the first ':') and git-check-ref-format (the
 * rules of a ref name, --branch refusing a leading '-').
 */
#include "apps_check.h"

#include "tc_test.h"

#include "arena.h"
#include "yaml_load.h"

#define URL(s) tc_apps_url_problem((s), strlen(s))
#define PATH(s) tc_apps_path_problem((s), strlen(s))
#define REV(s) tc_apps_revision_problem((s), strlen(s))

TEST(apps_urls_follow_flux_gitrepository_and_argocd_repository_forms)
{
	CHECK(URL("https://github.com/globex/shop.git") == NULL);
	CHECK(URL("https://git.example.com:8443/globex/shop") == NULL);
	CHECK(URL("ssh://git@github.com/globex/shop.git") == NULL);
	CHECK(URL("ssh://git@git.example.com:2222/globex/shop.git") == NULL);
	CHECK(URL("git@github.com:globex/shop.git") == NULL); /* ArgoCD's scp form */
	CHECK(URL("github.com:globex/shop.git") == NULL);     /* git-clone's scp-like form */
	CHECK(URL("https://[2001:db8::1]/shop.git") == NULL);
}

TEST(apps_urls_refuse_plain_http_other_schemes_and_credentials)
{
	CHECK(strstr(URL("http://github.com/globex/shop.git"), "plain http"));
	CHECK(strstr(URL("file:///srv/git/shop.git"), "scheme"));
	CHECK(strstr(URL("git://github.com/globex/shop.git"), "scheme"));
	/* GitRepository takes credentials from .spec.secretRef, never the URL */
	CHECK(strstr(URL("https://token@github.com/globex/shop.git"), "credentials"));
	CHECK(strstr(URL("https://user:pw@github.com/globex/shop.git"), "credentials"));
	CHECK(strstr(URL("ssh://git:pw@github.com/globex/shop.git"), "password"));
	CHECK(strstr(URL("https://github.com"), "no repository"));
	CHECK(strstr(URL("https://github.com/"), "no repository"));
	CHECK(strstr(URL("https:///shop.git"), "no host"));
	CHECK(strstr(URL("https://git.example.com:x/shop"), "port"));
	CHECK(strstr(URL("https://github.com/globex/my shop"), "space"));
	/* git-clone: a '/' before the first ':' is a local path, not scp */
	CHECK(strstr(URL("./shop:main"), "not a Git URL"));
	CHECK(strstr(URL("shop"), "not a Git URL"));
	CHECK(strstr(URL("git@github.com:"), "no repository"));
	CHECK(strstr(URL("@github.com:globex/shop"), "user"));
}

TEST(apps_paths_stay_inside_the_repository_as_flux_and_argocd_require)
{
	CHECK(PATH(".") == NULL);
	CHECK(PATH("deploy/prod") == NULL);
	CHECK(PATH("./deploy/prod/") == NULL);
	CHECK(PATH("deploy/..prod") == NULL); /* a name, not a segment */
	CHECK(strstr(PATH("../other"), "'..'"));
	CHECK(strstr(PATH("deploy/../../etc"), "'..'"));
	CHECK(strstr(PATH("deploy/.."), "'..'"));
	CHECK(strstr(PATH("/deploy"), "absolute"));
	CHECK(strstr(PATH("deploy\\prod"), "'\\'"));
	CHECK(strstr(PATH(""), "empty"));
}

TEST(apps_revisions_are_branches_tags_or_commits_by_git_check_ref_format)
{
	CHECK(REV("main") == NULL);
	CHECK(REV("release/1.4") == NULL);
	CHECK(REV("refs/heads/main") == NULL);
	CHECK(REV("refs/tags/v1.4.2") == NULL);
	CHECK(REV("0123456789abcdef0123456789abcdef01234567") == NULL);
	CHECK(strstr(REV(""), "empty"));
	CHECK(strstr(REV("refs/pull/42/head"), "refs/heads"));
	CHECK(strstr(REV("refs/tags/"), "names no branch or tag"));
	CHECK(strstr(REV("-main"), "'-'"));              /* check-ref-format --branch */
	CHECK(strstr(REV("feature..x"), "'..'"));        /* rule 3 */
	CHECK(strstr(REV("v1.4~1"), "~"));               /* rule 4 */
	CHECK(strstr(REV("main branch"), "space"));      /* rule 4 */
	CHECK(strstr(REV("release/*"), "*"));            /* rule 5 */
	CHECK(strstr(REV("main/"), "'/'"));              /* rule 6 */
	CHECK(strstr(REV("a//b"), "'//'"));              /* rule 6 */
	CHECK(strstr(REV("main."), "'.'"));              /* rule 7 */
	CHECK(strstr(REV("main@{1}"), "'@{'"));          /* rule 8 */
	CHECK(strstr(REV("@"), "'@'"));                  /* rule 9 */
	CHECK(strstr(REV("a\\b"), "\\"));                /* rule 10 */
	CHECK(strstr(REV("x/.hidden"), "beginning"));    /* rule 1 */
	CHECK(strstr(REV("refs/tags/v1.lock"), "lock")); /* rule 1 */
	/* 40 characters without '/' are read as a commit id */
	CHECK(strstr(REV("0123456789ABCDEF0123456789ABCDEF01234567"), "commit id"));
	CHECK(strstr(REV("a-branch-name-that-is-forty-characters-x"), "commit id"));
}

/* The errors point at the line of the value, in the file or in an
 * environment's section. */
TEST(apps_check_reports_each_list_at_its_line)
{
	const char *y = "name: globex\n"
			"apps:\n"
			"  - name: web\n"
			"    repoURL: http://github.com/globex/shop.git\n"
			"    path: deploy\n"
			"    revision: main\n"
			"overrides:\n"
			"  prod:\n"
			"    apps:\n"
			"      - name: web\n"
			"        repoURL: https://github.com/globex/shop.git\n"
			"        path: ../deploy\n"
			"        revision: refs/tags/v1\n"
			"      - name: web\n"
			"        repoURL: https://github.com/globex/shop.git\n"
			"        path: deploy\n"
			"        revision: main\n";
	tc_arena a;
	tc_arena_init(&a);
	tc_diags d;
	tc_diags_init(&d);
	tc_value *doc = NULL;
	CHECK(tc_yaml_load(&doc, &a, &d, "tenant.yaml", y, strlen(y), NULL) == 0);
	CHECK(tc_apps_check(doc, &d) == -1);
	CHECK(d.len == 3);
	tc_diags_sort(&d);
	CHECK(d.items[0].line == 4);
	CHECK(strstr(d.items[0].msg, "plain http"));
	CHECK(d.items[1].line == 12);
	CHECK(strstr(d.items[1].msg, "'..'"));
	CHECK(d.items[2].line == 14);
	CHECK(strstr(d.items[2].msg, "declared twice (first at line 10)"));
	tc_diags_release(&d);
	tc_arena_release(&a);
}

int main(void)
{
	return RUN(apps_urls_follow_flux_gitrepository_and_argocd_repository_forms,
	           apps_urls_refuse_plain_http_other_schemes_and_credentials,
	           apps_paths_stay_inside_the_repository_as_flux_and_argocd_require,
	           apps_revisions_are_branches_tags_or_commits_by_git_check_ref_format,
	           apps_check_reports_each_list_at_its_line);
}
