/*
 * test_render.c - unit tests for the render pipeline (render*.c, sink.c,
 * workspace.c) on a small repository written into a temporary folder:
 * two environments, three tenants, a cluster and a tenant template.
 */
#include "render.h"

#include "sink.h"
#include "workspace.h"

#include "tc_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[64];

static void put(const char *rel, const char *text)
{
	if (tc_test_put(root, rel, text) != 0)
		abort();
}

static void make_repo(void)
{
	snprintf(root, sizeof root, "%s", "/tmp/tenantc-render-XXXXXX");
	if (!mkdtemp(root))
		abort();
	put("environments/prod.yaml",
	    "name: prod\ndomain: prod.example.com\ngitops: flux\nimagePolicy: production\n");
	put("environments/test.yaml",
	    "name: test\ndomain: test.example.com\ngitops: flux\nimagePolicy: developer\n");
	put("tenants/acme/tenant.yaml", "name: acme\ndisplayName: ACME\n");
	put("tenants/globex/tenant.yaml",
	    "name: globex\ndisplayName: Globex\nenvironments: [prod]\n");
	put("tenants/initech/tenant.yaml", "name: initech\ndisplayName: Initech\n");
	put("templates/tenant/namespace.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n"
	                                       "  name: {$eval: 'tenant.name + \"-\" + env.name'}\n"
	                                       "  labels: {tenant: {$eval: tenant.name}}\n");
	put("templates/cluster/config.yaml",
	    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: platform, namespace: kube-public}\n"
	    "data: {env: {$eval: env.name}}\n");
}

static void remove_repo(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	if (system(cmd) != 0)
		abort();
}

typedef struct run {
	tc_workspace ws;
	tc_render_result res;
	tc_diags d;
	int rc;
} run;

/* Render the repository into sink with the given options. */
static void render(run *r, tc_sink *sink, long jobs, const tc_strlist *envs, long shard_i,
                   long shard_n)
{
	static const tc_strlist none = {0};
	tc_diags_init(&r->d);
	tc_workspace_opts wo = {.repo_dir = root,
	                        .kind = TC_SOURCE_WORKTREE,
	                        .now = "2026-01-02T03:04:05Z"};
	r->rc = tc_workspace_open(&r->ws, &wo, &r->d);
	if (r->rc)
		return;
	tc_render_opts ro = {
		.envs = envs ? envs : &none,
		.tenants = &none,
		.jobs = jobs,
		.sink = sink,
		.shard_index = shard_i,
		.shard_count = shard_n,
		.keys = r->ws.keys,
		.seed = r->ws.seed,
	};
	r->rc = tc_render(&r->ws.repo, &ro, &r->res, &r->d);
}

static void done(run *r)
{
	tc_render_result_release(&r->res);
	tc_workspace_release(&r->ws);
	tc_diags_release(&r->d);
}

static const tc_outfile *file(const tc_render_result *res, const char *path)
{
	for (size_t i = 0; i < res->files.len; i++)
		if (strcmp(res->files.items[i].path, path) == 0)
			return &res->files.items[i];
	return NULL;
}

TEST(render_in_memory_makes_every_object_and_index_file)
{
	make_repo();
	tc_sink sink;
	tc_sink_open_memory(&sink);
	sink.index_files = true;
	run r;
	render(&r, &sink, 1, NULL, 0, 1);
	int rc = r.rc;
	size_t nobjects = r.res.nobjects, ntenants = r.res.ntenants, nenvs = r.res.nenvs;
	const tc_outfile *ns = file(&r.res, "prod/tenants/globex/namespace-globex-prod.yaml");
	const tc_outfile *none = file(&r.res, "test/tenants/globex/namespace-globex-test.yaml");
	bool cluster = file(&r.res, "test/cluster/configmap-platform.yaml") != NULL;
	bool index = file(&r.res, "prod/tenants/globex/kustomization.yaml") != NULL;
	/* none at the environment nor at tenants/: each would join clusters */
	bool joined = file(&r.res, "prod/kustomization.yaml") != NULL ||
	              file(&r.res, "prod/tenants/kustomization.yaml") != NULL;
	bool marker = file(&r.res, "tenantc-output.txt") != NULL;
	bool label = ns && ns->data && strstr(ns->data, "tenant: globex") != NULL;
	done(&r);
	tc_sink_release(&sink);
	remove_repo();
	CHECK(rc == 0);
	/* 2 cluster objects, acme and initech in 2 environments, globex in 1 */
	CHECK(nobjects == 7);
	CHECK(ntenants == 3);
	CHECK(nenvs == 2);
	CHECK(label);
	CHECK(none == NULL); /* globex lists only prod */
	CHECK(cluster && index && marker);
	CHECK(!joined);
}

TEST(render_gives_the_same_bytes_for_one_and_four_threads)
{
	make_repo();
	tc_sink s1, s4;
	tc_sink_open_memory(&s1);
	tc_sink_open_memory(&s4);
	s1.index_files = s4.index_files = true;
	run a, b;
	render(&a, &s1, 1, NULL, 0, 1);
	render(&b, &s4, 4, NULL, 0, 1);
	bool same = a.rc == 0 && b.rc == 0 && a.res.files.len == b.res.files.len;
	for (size_t i = 0; same && i < a.res.files.len; i++) {
		const tc_outfile *x = &a.res.files.items[i], *y = &b.res.files.items[i];
		same = strcmp(x->path, y->path) == 0 && x->len == y->len &&
		       memcmp(x->data, y->data, x->len) == 0;
	}
	done(&a);
	done(&b);
	tc_sink_release(&s1);
	tc_sink_release(&s4);
	remove_repo();
	CHECK(same);
}

TEST(render_rejects_an_unknown_environment_filter)
{
	make_repo();
	tc_strlist envs = {0};
	tc_strlist_push(&envs, "staging");
	run r;
	render(&r, NULL, 1, &envs, 0, 1);
	bool named = r.d.len == 1 && strstr(r.d.items[0].msg, "unknown environment 'staging'");
	int rc = r.rc, code = tc_diags_exit_code(&r.d);
	done(&r);
	tc_strlist_release(&envs);
	remove_repo();
	CHECK(rc == -1);
	CHECK(named);
	CHECK(code == 2);
}

TEST(render_names_both_templates_of_a_duplicate_object)
{
	make_repo();
	/* every tenant makes a ConfigMap of one identity in one namespace,
	 * each with its own content */
	put("templates/tenant/shared.yaml",
	    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: shared, namespace: common}\n"
	    "data: {from: {$eval: tenant.name}}\n");
	run r;
	render(&r, NULL, 2, NULL, 0, 1);
	bool dup = false, tenants = false;
	for (size_t i = 0; i < r.d.len; i++) {
		dup = dup || (strstr(r.d.items[i].msg, "duplicate object") &&
		              strstr(r.d.items[i].msg, "templates/tenant/shared.yaml:"));
		/* the later tenant at its line, the first one by name */
		tenants =
			tenants || strstr(r.d.items[i].msg,
		                          "ConfigMap 'common/shared' (core) of tenant 'globex' is "
		                          "also defined for tenant 'acme' at "
		                          "templates/tenant/shared.yaml:1:1") != NULL;
	}
	int rc = r.rc, code = tc_diags_exit_code(&r.d);
	done(&r);
	remove_repo();
	CHECK(rc == -1);
	CHECK(dup);
	CHECK(tenants);
	CHECK(code == 1);
}

TEST(render_writes_an_object_tenants_make_alike_once_into_cluster)
{
	make_repo();
	/* every tenant makes the same ConfigMap: in prod acme, globex and
	 * initech, in test acme and initech (globex is in prod only) */
	put("templates/tenant/shared.yaml",
	    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: shared, namespace: common}\n"
	    "data: {same: 'yes'}\n");
	tc_sink sink;
	tc_sink_open_memory(&sink);
	run r;
	render(&r, &sink, 2, NULL, 0, 1);
	const tc_outfile *prod = file(&r.res, "prod/cluster/configmap-shared.yaml");
	const tc_outfile *test = file(&r.res, "test/cluster/configmap-shared.yaml");
	bool annotated = prod && prod->data &&
	                 strstr(prod->data, "tenantc.io/shared: acme,globex,initech\n") != NULL &&
	                 test && test->data &&
	                 strstr(test->data, "tenantc.io/shared: acme,initech\n") != NULL;
	bool left_out = !file(&r.res, "prod/tenants/acme/configmap-shared.yaml") &&
	                !file(&r.res, "prod/tenants/globex/configmap-shared.yaml") &&
	                !file(&r.res, "test/tenants/initech/configmap-shared.yaml");
	int rc = r.rc;
	size_t nd = r.d.len;
	done(&r);
	tc_sink_release(&sink);
	remove_repo();
	CHECK(rc == 0 && nd == 0);
	CHECK(annotated);
	CHECK(left_out); /* the folders' kustomization.yaml: tests/integration/shared_objects.sh */
}

TEST(render_shard_takes_every_other_tenant)
{
	make_repo();
	run r;
	render(&r, NULL, 1, NULL, 1, 2); /* tenants sorted: acme, globex, initech */
	bool globex = file(&r.res, "prod/tenants/globex/namespace-globex-prod.yaml") != NULL;
	bool acme = file(&r.res, "prod/tenants/acme/namespace-acme-prod.yaml") != NULL;
	size_t ntenants = r.res.ntenants;
	int rc = r.rc;
	done(&r);
	remove_repo();
	CHECK(rc == 0);
	CHECK(globex && !acme);
	CHECK(ntenants == 1);
}

TEST(render_tree_sink_swaps_in_a_marked_tree_and_refuses_a_foreign_folder)
{
	make_repo();
	char out[128], foreign[128];
	snprintf(out, sizeof out, "%s/rendered", root);
	snprintf(foreign, sizeof foreign, "%s/notes", root);
	put("notes/keep.txt", "mine\n");
	tc_diags d;
	tc_diags_init(&d);
	tc_sink sink;
	int orc = tc_sink_open_folder(&sink, out, root, NULL, true, &d);
	run r;
	render(&r, &sink, 2, NULL, 0, 1);
	int crc = r.rc == 0 ? tc_sink_commit(&sink, &r.res, &d) : -1;
	done(&r);
	tc_sink_release(&sink);
	char marker[160];
	snprintf(marker, sizeof marker, "%s/tenantc-output.txt", out);
	bool marked = access(marker, F_OK) == 0;
	tc_sink other;
	int frc = tc_sink_open_folder(&other, foreign, root, NULL, true, &d);
	tc_sink_release(&other);
	bool refused = d.len == 1 && strstr(d.items[0].msg, "it holds 'keep.txt'");
	tc_diags_release(&d);
	remove_repo();
	CHECK(orc == 0 && crc == 0);
	CHECK(marked);
	CHECK(frc == -1);
	CHECK(refused);
}

int main(void)
{
	return RUN(render_in_memory_makes_every_object_and_index_file,
	           render_gives_the_same_bytes_for_one_and_four_threads,
	           render_rejects_an_unknown_environment_filter,
	           render_names_both_templates_of_a_duplicate_object,
	           render_writes_an_object_tenants_make_alike_once_into_cluster,
	           render_shard_takes_every_other_tenant,
	           render_tree_sink_swaps_in_a_marked_tree_and_refuses_a_foreign_folder);
}
