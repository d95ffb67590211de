/*
 * test_repo.c - unit tests for repo.c: loading a repository through the
 * directory source.
 *
 *   test_repo SRCROOT
 *
 * Each case writes a small repository into its own folder under one
 * temporary directory and loads it as `tenantc render` does (a plain
 * directory, no git: GIT_CEILING_DIRECTORIES keeps an enclosing work tree
 * out). SRCROOT is the project, whose example and schemas/ the cases on
 * schema-checked inputs copy. Diagnostics are compared as printed, in
 * `file:line:col: error: message` form.
 */
#include "repo.h"

#include "buf.h"
#include "tenant_view.h"

#include "tc_test.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmproot[PATH_MAX];
static const char *srcroot;

/* ---- helpers ---- */

/* a new, empty folder `name` under the temporary directory, in out */
static int newdir(char out[PATH_MAX], const char *name)
{
	tc_test_path(out, PATH_MAX, "%s/%s", tmproot, name);
	return tc_test_sh("rm -rf '%s' && mkdir -p '%s'", out, out);
}

/* the example repository's inputs in folder `name` */
static int example(char out[PATH_MAX], const char *name)
{
	if (newdir(out, name))
		return -1;
	return tc_test_sh(
		"cd '%s' && cp -R tenantc.yaml environments tenants templates schemas files '%s/'",
		srcroot, out);
}

/* environments prod and test, no schemas: the smallest repository */
static int minimal(char out[PATH_MAX], const char *name)
{
	if (newdir(out, name))
		return -1;
	return tc_test_put(out, "environments/prod.yaml", "name: prod\n") ||
	       tc_test_put(out, "environments/test.yaml", "name: test\n");
}

typedef struct loaded {
	tc_source *src;
	tc_repo repo;
	bool loaded;
	tc_diags d;
	int rc;
} loaded;

static void load_some(loaded *l, const char *root, const char *const *only, size_t nonly)
{
	memset(l, 0, sizeof *l);
	tc_diags_init(&l->d);
	l->rc = tc_source_open(&l->src, &l->d, root, TC_SOURCE_WORKTREE, NULL);
	if (l->rc == 0) {
		l->rc = tc_repo_load_some(&l->repo, l->src, NULL, only, nonly, &l->d);
		l->loaded = true;
	}
}

static void load(loaded *l, const char *root)
{
	load_some(l, root, NULL, 0);
}

static void unload(loaded *l)
{
	if (l->loaded)
		tc_repo_release(&l->repo);
	tc_source_free(l->src);
	tc_diags_release(&l->d);
}

/* Is `want` one of the diagnostics, as printed? Prints them all if not. */
static bool has(tc_diags *d, const char *want)
{
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	bool found = false;
	for (size_t i = 0; i < d->len && !found; i++) {
		tc_buf_reset(&b);
		tc_diag_format(&b, &d->items[i]);
		found = strcmp(tc_buf_str(&b), want) == 0;
	}
	if (!found) {
		fprintf(stderr, "no diagnostic '%s' among %zu:\n", want, d->len);
		for (size_t i = 0; i < d->len; i++) {
			tc_buf_reset(&b);
			tc_diag_format(&b, &d->items[i]);
			fprintf(stderr, "  %s\n", tc_buf_str(&b));
		}
	}
	tc_buf_release(&b);
	return found;
}

static const char *str(const tc_value *obj, const char *key)
{
	const tc_value *v = obj ? tc_value_getz(obj, key) : NULL;
	return v && v->kind == TC_STR ? v->u.str.ptr : NULL;
}

/* ---- tenantc.yaml ---- */

TEST(a_repository_without_tenantc_yaml_gets_the_documented_defaults)
{
	char root[PATH_MAX];
	CHECK(minimal(root, "defaults") == 0);
	loaded l;
	load(&l, root);
	bool ok = l.rc == 0 && l.d.len == 0;
	const tc_value *s = l.repo.settings;
	const tc_value *sops = s ? tc_value_getz(s, "sops") : NULL;
	const tc_value *age = sops ? tc_value_getz(sops, "age") : NULL;
	bool defaults = s && str(s, "output") && strcmp(str(s, "output"), "rendered") == 0 &&
	                str(s, "repoURL") && strcmp(str(s, "repoURL"), "") == 0 &&
	                str(s, "branch") && strcmp(str(s, "branch"), "main") == 0 && age &&
	                age->kind == TC_ARRAY && age->u.arr.len == 0 && s->u.obj.len == 4;
	bool output = l.repo.output && strcmp(l.repo.output, "rendered") == 0;
	/* a plain folder has no commit: commit is null, now is the epoch */
	bool commit = l.repo.commit && l.repo.commit->kind == TC_NULL && l.repo.now &&
	              strcmp(l.repo.now, "1970-01-01T00:00:00.000Z") == 0;
	unload(&l);
	CHECK(ok);
	CHECK(defaults);
	CHECK(output);
	CHECK(commit);
}

TEST(tenantc_yaml_overrides_a_default_and_keeps_the_others_and_its_own_keys)
{
	char root[PATH_MAX];
	CHECK(minimal(root, "settings") == 0);
	CHECK(tc_test_put(root, "tenantc.yaml", "output: deploy\nteam: platform\n") == 0);
	loaded l;
	load(&l, root);
	bool ok = l.rc == 0 && l.d.len == 0;
	const tc_value *s = l.repo.settings;
	bool merged = s && str(s, "output") && strcmp(str(s, "output"), "deploy") == 0 &&
	              str(s, "branch") && strcmp(str(s, "branch"), "main") == 0 && str(s, "team") &&
	              strcmp(str(s, "team"), "platform") == 0;
	bool output = l.repo.output && strcmp(l.repo.output, "deploy") == 0;
	unload(&l);
	CHECK(ok);
	CHECK(merged);
	CHECK(output);
}

TEST(an_output_folder_outside_the_repository_is_an_error_at_its_value)
{
	char root[PATH_MAX];
	CHECK(minimal(root, "outside") == 0);
	CHECK(tc_test_put(root, "tenantc.yaml", "branch: main\noutput: ../elsewhere\n") == 0);
	loaded l;
	load(&l, root);
	bool failed = l.rc != 0;
	bool named = has(&l.d, "tenantc.yaml:2:9: error: output folder '../elsewhere' must be a "
	                       "relative path inside the repository (at .output)");
	unload(&l);
	CHECK(failed);
	CHECK(named);
}

/* ---- environments/ ---- */

TEST(environment_files_are_dns_labels_equal_to_their_name_and_each_is_reported)
{
	char root[PATH_MAX];
	CHECK(newdir(root, "envnames") == 0);
	CHECK(tc_test_put(root, "environments/Prod.yaml", "name: Prod\n") == 0);
	CHECK(tc_test_put(root, "environments/stage.yaml", "domain: x\nname: test\n") == 0);
	CHECK(tc_test_put(root, "environments/notes.txt", "not an environment\n") == 0);
	CHECK(tc_test_put(root, "environments/test.yaml", "name: test\n") == 0);
	loaded l;
	load(&l, root);
	bool failed = l.rc != 0;
	bool label = has(&l.d, "environments/Prod.yaml:1:1: error: environment name 'Prod' is not "
	                       "a DNS-1123 label of at most 63 characters");
	bool mismatch = has(&l.d, "environments/stage.yaml:2:7: error: name 'test' does not match "
	                          "the file name 'stage' (at .name)");
	bool stray = has(&l.d, "environments/notes.txt:1:1: error: unexpected "
	                       "'environments/notes.txt': environments/ holds one <env>.yaml per "
	                       "environment");
	/* the good one is loaded all the same */
	bool kept = l.repo.nenvs == 1 && strcmp(l.repo.envs[0].name, "test") == 0 &&
	            tc_repo_env(&l.repo, "test") == &l.repo.envs[0] &&
	            !tc_repo_env(&l.repo, "Prod");
	size_t n = l.d.len;
	unload(&l);
	CHECK(failed);
	CHECK(label);
	CHECK(mismatch);
	CHECK(stray);
	CHECK(n == 3);
	CHECK(kept);
}

TEST(environments_are_sorted_by_name_bytes_not_by_listing_or_creation_order)
{
	char root[PATH_MAX];
	CHECK(newdir(root, "envorder") == 0);
	CHECK(tc_test_put(root, "environments/test.yaml", "name: test\n") == 0);
	CHECK(tc_test_put(root, "environments/prod.yml", "name: prod\n") == 0);
	CHECK(tc_test_put(root, "environments/dev.json", "{\"name\": \"dev\"}\n") == 0);
	loaded l;
	load(&l, root);
	bool ok = l.rc == 0 && l.repo.nenvs == 3 && strcmp(l.repo.envs[0].name, "dev") == 0 &&
	          strcmp(l.repo.envs[1].name, "prod") == 0 &&
	          strcmp(l.repo.envs[2].name, "test") == 0 &&
	          strcmp(l.repo.envs[1].path, "environments/prod.yml") == 0;
	unload(&l);
	CHECK(ok);
}

/* ---- tenants/ ---- */

TEST(tenant_folders_are_dns_labels_of_at_most_40_characters)
{
	char root[PATH_MAX];
	CHECK(minimal(root, "tenantnames") == 0);
	const char *forty = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	char rel[128];
	tc_test_path(rel, sizeof rel, "tenants/%s/tenant.yaml", forty);
	CHECK(tc_test_put(root, rel, "name: x\n") == 0);
	tc_test_path(rel, sizeof rel, "tenants/%sa/tenant.yaml", forty);
	CHECK(tc_test_put(root, rel, "name: x\n") == 0);
	CHECK(tc_test_put(root, "tenants/Bad_Name/tenant.yaml", "name: Bad_Name\n") == 0);
	CHECK(tc_test_put(root, "tenants/-lead/tenant.yaml", "name: x\n") == 0);
	CHECK(tc_test_put(root, "tenants/acme.yaml", "name: acme\n") == 0);
	CHECK(tc_test_put(root, "tenants/acme/tenant.yaml", "name: acme\n") == 0);
	loaded l;
	load(&l, root);
	bool failed = l.rc != 0;
	char want[256];
	tc_test_path(
		want, sizeof want,
		"tenants/%sa:1:1: error: tenant folder '%sa' is not a DNS-1123 label of at most "
		"40 characters",
		forty, forty);
	bool longer = has(&l.d, want);
	bool upper = has(&l.d, "tenants/Bad_Name:1:1: error: tenant folder 'Bad_Name' is not a "
	                       "DNS-1123 label of at most 40 characters");
	bool dash = has(&l.d, "tenants/-lead:1:1: error: tenant folder '-lead' is not a DNS-1123 "
	                      "label of at most 40 characters");
	bool file = has(&l.d, "tenants/acme.yaml:1:1: error: unexpected 'tenants/acme.yaml': "
	                      "tenants/ holds one folder per tenant");
	bool kept = l.repo.ntenants == 2 && strcmp(l.repo.tenants[0], forty) == 0 &&
	            strcmp(l.repo.tenants[1], "acme") == 0;
	size_t n = l.d.len;
	unload(&l);
	CHECK(failed);
	CHECK(longer);
	CHECK(upper);
	CHECK(dash);
	CHECK(file);
	CHECK(n == 4);
	CHECK(kept);
}

TEST(loading_some_tenants_checks_their_names_without_listing_tenants)
{
	char root[PATH_MAX];
	CHECK(minimal(root, "some") == 0);
	CHECK(tc_test_put(root, "tenants/Stray_Folder/tenant.yaml", "name: x\n") == 0);
	loaded l;
	const char *only[] = {"acme", "Bad"};
	load_some(&l, root, only, 2);
	bool failed = l.rc != 0;
	bool named = has(&l.d, "tenantc: error: tenant 'Bad' is not a DNS-1123 label of at most "
	                       "40 characters");
	bool one = l.repo.ntenants == 1 && strcmp(l.repo.tenants[0], "acme") == 0 && l.d.len == 1;
	unload(&l);
	CHECK(failed);
	CHECK(named);
	CHECK(one);
}

TEST(a_tenant_named_unlike_its_folder_or_missing_is_an_error_naming_the_file)
{
	char root[PATH_MAX];
	CHECK(minimal(root, "tenantdoc") == 0);
	CHECK(tc_test_put(root, "tenants/acme/tenant.yaml", "displayName: ACME\nname: acme2\n") ==
	      0);
	CHECK(tc_test_put(root, "tenants/list/tenant.yaml", "- name: list\n") == 0);
	loaded l;
	load(&l, root);
	bool ok = l.rc == 0;
	tc_arena a;
	tc_arena_init(&a);
	tc_tenant t;
	tc_diags d;
	tc_diags_init(&d);
	bool acme = tc_repo_load_tenant(&l.repo, "acme", &a, &d, &t) != 0 &&
	            has(&d, "tenants/acme/tenant.yaml:2:7: error: name 'acme2' does not match the "
	                    "folder name 'acme' (at .name)");
	bool list = tc_repo_load_tenant(&l.repo, "list", &a, &d, &t) != 0 &&
	            has(&d, "tenants/list/tenant.yaml:1:1: error: a tenant must be a mapping, not "
	                    "array");
	bool nobody = tc_repo_load_tenant(&l.repo, "nobody", &a, &d, &t) != 0 &&
	              has(&d, "tenants/nobody/tenant.yaml:1:1: error: unknown tenant 'nobody': "
	                      "there is no tenants/nobody/tenant.yaml");
	tc_diags_release(&d);
	tc_arena_release(&a);
	unload(&l);
	CHECK(ok);
	CHECK(acme);
	CHECK(list);
	CHECK(nobody);
}

/* the names of t's environments, joined by ',' */
static const char *env_names(const tc_tenant *t, char *buf, size_t n)
{
	buf[0] = 0;
	for (size_t i = 0; i < t->nenvs; i++)
		snprintf(buf + strlen(buf), n - strlen(buf), "%s%s", i ? "," : "",
		         t->envs[i]->name);
	return buf;
}

TEST(environments_key_filters_a_tenant_to_the_environments_it_lists_in_name_order)
{
	char root[PATH_MAX];
	CHECK(minimal(root, "envfilter") == 0);
	CHECK(tc_test_put(root, "environments/dev.yaml", "name: dev\n") == 0);
	CHECK(tc_test_put(root, "tenants/all/tenant.yaml", "name: all\n") == 0);
	CHECK(tc_test_put(root, "tenants/nulled/tenant.yaml",
	                  "name: nulled\nenvironments: null\n") == 0);
	CHECK(tc_test_put(root, "tenants/two/tenant.yaml",
	                  "name: two\nenvironments: [test, dev]\n") == 0);
	CHECK(tc_test_put(root, "tenants/none/tenant.yaml", "name: none\nenvironments: []\n") == 0);
	CHECK(tc_test_put(root, "tenants/typo/tenant.yaml",
	                  "name: typo\nenvironments: [prod, staging]\n") == 0);
	CHECK(tc_test_put(root, "tenants/twice/tenant.yaml",
	                  "name: twice\nenvironments: [prod, prod]\n") == 0);
	CHECK(tc_test_put(root, "tenants/scalar/tenant.yaml",
	                  "name: scalar\nenvironments: prod\n") == 0);
	CHECK(tc_test_put(root, "tenants/number/tenant.yaml",
	                  "name: number\nenvironments: [prod, 7]\n") == 0);
	loaded l;
	load(&l, root);
	CHECK(l.rc == 0);
	tc_arena a;
	tc_arena_init(&a);
	tc_tenant t;
	tc_diags d;
	tc_diags_init(&d);
	char buf[128];
	bool all = tc_repo_load_tenant(&l.repo, "all", &a, &d, &t) == 0 &&
	           strcmp(env_names(&t, buf, sizeof buf), "dev,prod,test") == 0;
	bool nulled = tc_repo_load_tenant(&l.repo, "nulled", &a, &d, &t) == 0 &&
	              strcmp(env_names(&t, buf, sizeof buf), "dev,prod,test") == 0;
	bool two = tc_repo_load_tenant(&l.repo, "two", &a, &d, &t) == 0 &&
	           strcmp(env_names(&t, buf, sizeof buf), "dev,test") == 0;
	bool none = tc_repo_load_tenant(&l.repo, "none", &a, &d, &t) == 0 && t.nenvs == 0;
	bool clean = d.len == 0;
	bool typo = tc_repo_load_tenant(&l.repo, "typo", &a, &d, &t) != 0 &&
	            has(&d, "tenants/typo/tenant.yaml:2:22: error: unknown environment 'staging' "
	                    "(at .environments[1])");
	bool twice = tc_repo_load_tenant(&l.repo, "twice", &a, &d, &t) != 0 &&
	             has(&d, "tenants/twice/tenant.yaml:2:22: error: environment 'prod' is listed "
	                     "twice (at .environments[1])");
	bool scalar = tc_repo_load_tenant(&l.repo, "scalar", &a, &d, &t) != 0 &&
	              has(&d, "tenants/scalar/tenant.yaml:2:15: error: 'environments' must be a "
	                      "list of names, not string (at .environments)");
	bool number = tc_repo_load_tenant(&l.repo, "number", &a, &d, &t) != 0 &&
	              has(&d, "tenants/number/tenant.yaml:2:22: error: an environment name must be "
	                      "a string, not integer (at .environments[1])");
	tc_diags_release(&d);
	tc_arena_release(&a);
	unload(&l);
	CHECK(all);
	CHECK(nulled);
	CHECK(two);
	CHECK(none);
	CHECK(clean);
	CHECK(typo);
	CHECK(twice);
	CHECK(scalar);
	CHECK(number);
}

/* the `cluster` of tenant `name`'s view in environment `env` ("" without one) */
static const char *placed_on(const loaded *l, tc_arena *a, tc_diags *d, const char *name,
                             const char *env)
{
	tc_tenant *t = tc_arena_calloc(a, sizeof *t);
	if (tc_repo_load_tenant(&l->repo, name, a, d, t) != 0)
		return NULL;
	const char *c = str(tc_tenant_view(a, t, tc_repo_env(&l->repo, env)), "cluster");
	return c ? c : "";
}

/* Placement on one of an environment's clusters (docs/output-tree.md,
 * "Several clusters"): the view says where the tenant runs, the section's
 * cluster over the file's, the first by default, none without clusters. */
TEST(a_tenant_is_placed_on_its_cluster_or_the_first_of_its_environment)
{
	char root[PATH_MAX];
	CHECK(minimal(root, "placement") == 0);
	CHECK(tc_test_put(root, "environments/prod.yaml",
	                  "name: prod\nclusters:\n  - {name: blue}\n  - {name: green}\n") == 0);
	CHECK(tc_test_put(root, "tenants/plain/tenant.yaml", "name: plain\n") == 0);
	CHECK(tc_test_put(root, "tenants/file/tenant.yaml",
	                  "name: file\nenvironments: [prod]\ncluster: green\n") == 0);
	CHECK(tc_test_put(root, "tenants/section/tenant.yaml",
	                  "name: section\ncluster: green\nenvironments: [prod]\n"
	                  "overrides:\n  prod: {cluster: blue}\n") == 0);
	CHECK(tc_test_put(root, "tenants/lost/tenant.yaml", "name: lost\ncluster: green\n") == 0);
	loaded l;
	load(&l, root);
	CHECK(l.rc == 0);
	tc_arena a;
	tc_arena_init(&a);
	tc_diags d;
	tc_diags_init(&d);
	const char *plain_prod = placed_on(&l, &a, &d, "plain", "prod");
	const char *plain_test = placed_on(&l, &a, &d, "plain", "test");
	const char *file = placed_on(&l, &a, &d, "file", "prod");
	const char *section = placed_on(&l, &a, &d, "section", "prod");
	bool clean = d.len == 0;
	/* rendered into test too, which lists no clusters: once, at the value */
	bool lost = placed_on(&l, &a, &d, "lost", "prod") == NULL && d.len == 1 &&
	            has(&d, "tenants/lost/tenant.yaml:2:10: error: tenant 'lost' is placed on "
	                    "cluster 'green', but environment 'test' lists no 'clusters' "
	                    "(environments/test.yaml) (at .cluster)");
	tc_diags_release(&d);
	CHECK_STR(plain_prod ? plain_prod : "(error)", "blue");
	CHECK_STR(plain_test ? plain_test : "(error)", "");
	CHECK_STR(file ? file : "(error)", "green");
	CHECK_STR(section ? section : "(error)", "blue");
	tc_arena_release(&a);
	unload(&l);
	CHECK(clean);
	CHECK(lost);
}

/* the line of `key:` in root/rel (1-based), 0 when absent */
static unsigned line_of(const char *root, const char *rel, const char *key)
{
	char path[PATH_MAX], text[512];
	tc_test_path(path, sizeof path, "%s/%s", root, rel);
	FILE *f = fopen(path, "r");
	unsigned n = 0, found = 0;
	while (f && !found && fgets(text, sizeof text, f)) {
		n++;
		if (strncmp(text, key, strlen(key)) == 0 && text[strlen(key)] == ':')
			found = n;
	}
	if (f)
		fclose(f);
	return found;
}

TEST(unknown_keys_in_tenant_and_environment_files_are_errors_at_their_line)
{
	char root[PATH_MAX];
	CHECK(example(root, "unknown") == 0);
	CHECK(tc_test_sh(
		      "cd '%s' && sed -i 's/^environments:/enviroments:/' tenants/acme/tenant.yaml && "
		      "printf 'domian: x\\n' >>environments/test.yaml && mkdir tenants/zeta && "
		      "printf 'name: zeta\\n' >tenants/zeta/tenant.yaml",
		      root) == 0);
	unsigned tl = line_of(root, "tenants/acme/tenant.yaml", "enviroments");
	unsigned el = line_of(root, "environments/test.yaml", "domian");
	CHECK(tl > 0 && el > 0);
	loaded l;
	load(&l, root);
	bool failed = l.rc != 0;
	char want[256];
	tc_test_path(want, sizeof want,
	             "environments/test.yaml:%u:1: error: unknown key 'domian' "
	             "(at .domian)",
	             el);
	bool env = has(&l.d, want);
	size_t nenv = l.d.len;
	tc_arena a;
	tc_arena_init(&a);
	tc_tenant t;
	tc_diags d;
	tc_diags_init(&d);
	bool tfail = tc_repo_load_tenant(&l.repo, "acme", &a, &d, &t) != 0;
	tc_test_path(want, sizeof want,
	             "tenants/acme/tenant.yaml:%u:1: error: unknown key "
	             "'enviroments' (did you mean 'environments'?) (at .enviroments)",
	             tl);
	bool tenant = has(&d, want);
	/* another tenant of the same repository is fine (one that names no
	 * environment: the example's globex has a section for test) */
	tc_diags d2;
	tc_diags_init(&d2);
	bool other = tc_repo_load_tenant(&l.repo, "zeta", &a, &d2, &t) == 0 && d2.len == 0;
	tc_diags_release(&d2);
	tc_diags_release(&d);
	tc_arena_release(&a);
	unload(&l);
	CHECK(failed);
	CHECK(env);
	CHECK(nenv == 1);
	CHECK(tfail);
	CHECK(tenant);
	CHECK(other);
}

/* ---- files/ and secrets/ ---- */

TEST(tenant_files_and_secrets_are_listed_by_path_bytes_recursively_without_dot_files)
{
	char root[PATH_MAX];
	CHECK(minimal(root, "files") == 0);
	CHECK(tc_test_put(root, "tenants/acme/tenant.yaml", "name: acme\n") == 0);
	const char *files[] = {"z.conf", "b.conf",     "sub/x.conf", "A.conf",  "sub/deep/k.txt",
	                       "a.conf", "sub/a.conf", ".hidden",    "sub/.swp"};
	char rel[256];
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		tc_test_path(rel, sizeof rel, "tenants/acme/files/%s", files[i]);
		CHECK(tc_test_put(root, rel, files[i]) == 0);
	}
	CHECK(tc_test_put(root, "tenants/acme/secrets/db.yaml", "db") == 0);
	CHECK(tc_test_put(root, "tenants/acme/secrets/api.yaml", "api") == 0);
	CHECK(tc_test_put(root, "tenants/acme/secrets/prod/x.yaml", "x") == 0);
	loaded l;
	load(&l, root);
	CHECK(l.rc == 0);
	tc_arena a;
	tc_arena_init(&a);
	tc_tenant t;
	tc_diags d;
	tc_diags_init(&d);
	bool ok = tc_repo_load_tenant(&l.repo, "acme", &a, &d, &t) == 0;
	const char *want[] = {"A.conf",         "a.conf",     "b.conf", "sub/a.conf",
	                      "sub/deep/k.txt", "sub/x.conf", "z.conf"};
	size_t nwant = sizeof want / sizeof want[0];
	bool order = ok && t.nfiles == nwant;
	for (size_t i = 0; order && i < nwant; i++)
		order = strcmp(t.files[i].path, want[i]) == 0 &&
		        t.files[i].len == strlen(want[i]) &&
		        memcmp(t.files[i].data, want[i], t.files[i].len) == 0 &&
		        t.files[i].data[t.files[i].len] == 0;
	bool secrets = ok && t.nsecrets == 3 && strcmp(t.secrets[0].path, "api.yaml") == 0 &&
	               strcmp(t.secrets[1].path, "db.yaml") == 0 &&
	               strcmp(t.secrets[2].path, "prod/x.yaml") == 0 && t.secrets[1].len == 2 &&
	               !t.secret_envs[0] && !t.secret_envs[1] && t.secret_envs[2] &&
	               strcmp(t.secret_envs[2]->name, "prod") == 0;
	for (size_t i = 0; !order && ok && i < t.nfiles; i++)
		fprintf(stderr, "  files[%zu] = %s\n", i, t.files[i].path);
	tc_diags_release(&d);
	tc_arena_release(&a);
	unload(&l);
	CHECK(ok);
	CHECK(order);
	CHECK(secrets);
}

/* The first error of loading tenant acme after writing file (NULL: none). */
static const char *tenant_error(char *buf, size_t cap, const char *name, const char *tenant_yaml,
                                const char *file)
{
	char root[PATH_MAX];
	if (minimal(root, name) || tc_test_put(root, "tenants/acme/tenant.yaml", tenant_yaml) ||
	    tc_test_put(root, file, "x"))
		return "cannot write the repository";
	loaded l;
	load(&l, root);
	tc_arena a;
	tc_arena_init(&a);
	tc_tenant t;
	tc_diags d;
	tc_diags_init(&d);
	const char *out = NULL;
	if (l.rc != 0)
		out = "cannot load the repository";
	else if (tc_repo_load_tenant(&l.repo, "acme", &a, &d, &t) != 0 && d.len) {
		snprintf(buf, cap, "%s: %s", d.items[0].file, d.items[0].msg);
		out = buf;
	}
	tc_diags_release(&d);
	tc_arena_release(&a);
	unload(&l);
	return out;
}

TEST(a_secrets_folder_must_be_an_environment_of_the_tenant)
{
	char buf[1024];
	const char *e = tenant_error(buf, sizeof buf, "secrets-typo", "name: acme\n",
	                             "tenants/acme/secrets/prdo/db.yaml");
	CHECK_STR(e ? e : "(none)",
	          "tenants/acme/secrets/prdo/db.yaml: 'prdo' is not an environment: a folder in "
	          "tenants/acme/secrets holds the Secrets of the environment it is named after "
	          "(files directly in secrets/ are for all environments)");
	e = tenant_error(buf, sizeof buf, "secrets-other-env", "name: acme\nenvironments: [prod]\n",
	                 "tenants/acme/secrets/test/db.yaml");
	CHECK_STR(e ? e : "(none)",
	          "tenants/acme/secrets/test/db.yaml: tenant 'acme' is not rendered in environment "
	          "'test', so this Secret would never be used (add 'test' to its environments or "
	          "remove the file)");
	e = tenant_error(buf, sizeof buf, "secrets-env", "name: acme\nenvironments: [test]\n",
	                 "tenants/acme/secrets/test/sub/db.yaml");
	CHECK(e == NULL);
}

TEST(templates_are_sorted_by_scope_then_path_and_a_stray_file_is_an_error)
{
	char root[PATH_MAX];
	CHECK(minimal(root, "templates") == 0);
	CHECK(tc_test_put(root, "templates/tenant/b.yaml", "kind: B\n") == 0);
	CHECK(tc_test_put(root, "templates/tenant/a.json", "{\"kind\": \"A\"}\n") == 0);
	CHECK(tc_test_put(root, "templates/platform/p.yaml", "kind: P\n") == 0);
	CHECK(tc_test_put(root, "templates/cluster/z.yml", "kind: Z\n") == 0);
	CHECK(tc_test_put(root, "templates/gitops/README.md", "# notes\n") == 0);
	loaded l;
	load(&l, root);
	bool failed = l.rc != 0;
	bool stray = has(&l.d, "templates/gitops/README.md:1:1: error: unexpected "
	                       "'templates/gitops/README.md': templates are .yaml, .yml or .json "
	                       "files");
	const tc_template *t = l.repo.templates;
	bool order = l.repo.ntemplates == 4 && strcmp(t[0].path, "templates/cluster/z.yml") == 0 &&
	             t[0].scope == TC_SCOPE_CLUSTER && strcmp(t[0].name, "z") == 0 &&
	             strcmp(t[1].path, "templates/tenant/a.json") == 0 &&
	             t[1].scope == TC_SCOPE_TENANT && strcmp(t[1].name, "a") == 0 &&
	             strcmp(t[2].path, "templates/tenant/b.yaml") == 0 &&
	             strcmp(t[3].path, "templates/platform/p.yaml") == 0 &&
	             t[3].scope == TC_SCOPE_PLATFORM;
	bool now = !tc_repo_uses_now(&l.repo);
	unload(&l);
	CHECK(failed);
	CHECK(stray);
	CHECK(order);
	CHECK(now);
}

TEST(a_template_that_mentions_now_makes_the_repository_use_the_commit_time)
{
	char root[PATH_MAX];
	CHECK(minimal(root, "now") == 0);
	CHECK(tc_test_put(root, "templates/tenant/a.yaml", "kind: A\nwhen: {$eval: now}\n") == 0);
	loaded l;
	load(&l, root);
	bool uses = l.rc == 0 && tc_repo_uses_now(&l.repo);
	unload(&l);
	CHECK(uses);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: test_repo SRCROOT\n");
		return 2;
	}
	srcroot = argv[1];
	const char *tmp = getenv("TMPDIR");
	tc_test_path(tmproot, sizeof tmproot, "%s/tc-repo-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(tmproot)) {
		perror("mkdtemp");
		return 3;
	}
	setenv("GIT_CEILING_DIRECTORIES", tmproot, 1);
	int rc =
		RUN(a_repository_without_tenantc_yaml_gets_the_documented_defaults,
	            tenantc_yaml_overrides_a_default_and_keeps_the_others_and_its_own_keys,
	            an_output_folder_outside_the_repository_is_an_error_at_its_value,
	            environment_files_are_dns_labels_equal_to_their_name_and_each_is_reported,
	            environments_are_sorted_by_name_bytes_not_by_listing_or_creation_order,
	            tenant_folders_are_dns_labels_of_at_most_40_characters,
	            loading_some_tenants_checks_their_names_without_listing_tenants,
	            a_tenant_named_unlike_its_folder_or_missing_is_an_error_naming_the_file,
	            environments_key_filters_a_tenant_to_the_environments_it_lists_in_name_order,
	            a_tenant_is_placed_on_its_cluster_or_the_first_of_its_environment,
	            unknown_keys_in_tenant_and_environment_files_are_errors_at_their_line,
	            tenant_files_and_secrets_are_listed_by_path_bytes_recursively_without_dot_files,
	            a_secrets_folder_must_be_an_environment_of_the_tenant,
	            templates_are_sorted_by_scope_then_path_and_a_stray_file_is_an_error,
	            a_template_that_mentions_now_makes_the_repository_use_the_commit_time);
	tc_test_sh("rm -rf '%s'", tmproot);
	return rc;
}
