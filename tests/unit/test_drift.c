/*
 * test_drift.c - tree_read.c and drift.c against a folder on disk: the
 * listing order, each kind of difference and its message, positions,
 * redaction, the inspect hook and parsing trees into diff inputs.
 */
#include "drift.h"
#include "tree_read.h"

#include "tc_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[64];

static void put(const char *rel, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			mkdir(path, 0755);
			*p = '/';
		}
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void fresh(void)
{
	if (*root) {
		char cmd[128];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", root);
	}
	snprintf(root, sizeof root, "/tmp/tc-drift-XXXXXX");
	if (!mkdtemp(root))
		root[0] = 0;
}

static void add(tc_outlist *l, const char *path, const char *text)
{
	tc_outlist_add(l, tc_xstrdup(path), tc_xstrdup(text), strlen(text),
	               strstr(path, "kustomization.yaml") == NULL);
}

static const char ns_a[] = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n";
static const char cm[] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: a\n"
			 "data:\n  k: v\n";

/* one finding's text, "file:line:col: error: msg" */
static const char *diag(const tc_diags *d, size_t i, char *buf, size_t n)
{
	const tc_diag *g = &d->items[i];
	snprintf(buf, n, "%s:%u:%u: %s", g->file ? g->file : "", g->line, g->col, g->msg);
	return buf;
}

typedef struct seen {
	int calls;
	char last[128];
} seen;

static void inspect(void *ctx, const char *path, const char *data, size_t len, tc_diags *d)
{
	seen *s = ctx;
	(void)data;
	(void)len;
	(void)d;
	if (!s)
		return;
	s->calls++;
	snprintf(s->last, sizeof s->last, "%s", path);
}

/* compare root's "out" folder with l */
static int compare(tc_drift *x, tc_outlist *l, tc_diags *d, seen *s)
{
	tc_source *src;
	if (tc_source_open(&src, d, root, TC_SOURCE_WORKTREE, NULL))
		return -2;
	tc_outlist_sort(l);
	int rc = tc_drift_compare(x, src, "out", l, NULL, inspect, s, d);
	tc_source_free(src);
	tc_diags_sort(d);
	return rc;
}

TEST(tree_read_lists_files_in_the_byte_order_render_sorts_in)
{
	fresh();
	put("out/a/b.yaml", ns_a);
	put("out/a-c.yaml", ns_a);
	put("out/a/kustomization.yaml", "resources: []\n");
	tc_diags d;
	tc_diags_init(&d);
	tc_source *src;
	CHECK(tc_source_open(&src, &d, root, TC_SOURCE_WORKTREE, NULL) == 0);
	tc_outlist l;
	CHECK(tc_tree_read_list(&l, src, "out", &d) == 0);
	CHECK(l.len == 3);
	CHECK_STR(l.items[0].path, "a-c.yaml"); /* '-' < '/' */
	CHECK_STR(l.items[1].path, "a/b.yaml");
	CHECK_STR(l.items[2].path, "a/kustomization.yaml");
	CHECK(l.items[0].manifest && !l.items[2].manifest && l.items[0].data == NULL);
	tc_outlist_release(&l);
	CHECK(tc_tree_read_list(&l, src, "missing", &d) == 0 && l.len == 0);
	tc_outlist_release(&l);
	tc_source_free(src);
	CHECK(d.len == 0);
	tc_diags_release(&d);
}

typedef struct visits {
	int n;
	char paths[8][64];
} visits;

static int visit(void *ctx, const char *path, const char *id, bool manifest)
{
	visits *v = ctx;
	(void)id;
	(void)manifest;
	if (v->n < 8)
		snprintf(v->paths[v->n++], sizeof v->paths[0], "%s", path);
	return 0;
}

/* check merges the committed files with the render's list as the walk
 * yields them, so the walk itself must visit paths in byte order: a
 * folder's name sorts as if followed by '/', git's tree order
 * (Documentation/gitformat-index.txt: entries sorted by name, a tree as
 * "name/") */
TEST(tree_read_walks_paths_in_byte_order_without_sorting_them_after)
{
	fresh();
	put("out/a/b.yaml", ns_a);
	put("out/a-c.yaml", ns_a);
	put("out/a.yaml", ns_a);
	put("out/a0/x.yaml", ns_a);
	put("out/a/a/z.yaml", ns_a);
	tc_diags d;
	tc_diags_init(&d);
	tc_source *src;
	CHECK(tc_source_open(&src, &d, root, TC_SOURCE_WORKTREE, NULL) == 0);
	visits v = {0};
	CHECK(tc_tree_read_each(src, "out", visit, &v, &d) == 0);
	CHECK(v.n == 5);
	CHECK_STR(v.paths[0], "a-c.yaml");
	CHECK_STR(v.paths[1], "a.yaml");
	CHECK_STR(v.paths[2], "a/a/z.yaml");
	CHECK_STR(v.paths[3], "a/b.yaml");
	CHECK_STR(v.paths[4], "a0/x.yaml");
	tc_source_free(src);
	/* and drift pairs each with its rendered file across those folders */
	tc_outlist l;
	tc_outlist_init(&l);
	add(&l, "a/b.yaml", ns_a);
	add(&l, "a-c.yaml", ns_a);
	add(&l, "a.yaml", ns_a);
	add(&l, "a0/x.yaml", ns_a);
	add(&l, "a/a/z.yaml", ns_a);
	tc_drift x;
	CHECK(compare(&x, &l, &d, NULL) == 0);
	CHECK(!tc_drift_any(&x) && x.same == 5);
	CHECK(d.len == 0);
	tc_outlist_release(&l);
	tc_diags_release(&d);
}

TEST(drift_finds_nothing_when_the_bytes_are_the_same)
{
	fresh();
	put("out/p/ns.yaml", ns_a);
	put("out/p/kustomization.yaml", "resources:\n- ns.yaml\n");
	tc_outlist l;
	tc_outlist_init(&l);
	add(&l, "p/ns.yaml", ns_a);
	add(&l, "p/kustomization.yaml", "resources:\n- ns.yaml\n");
	tc_diags d;
	tc_diags_init(&d);
	tc_drift x;
	seen s = {0};
	CHECK(compare(&x, &l, &d, &s) == 0);
	CHECK(!tc_drift_any(&x) && x.same == 2);
	CHECK(d.len == 0 && s.calls == 0);
	tc_outlist_release(&l);
	tc_diags_release(&d);
}

TEST(drift_names_missing_stale_and_changed_files_and_their_objects)
{
	fresh();
	put("out/p/cm.yaml",
	    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: a\n"
	    "data:\n  k: old\n");
	put("out/p/old.yaml", cm);
	put("out/p/kustomization.yaml", "resources: []\n");
	tc_outlist l;
	tc_outlist_init(&l);
	add(&l, "p/cm.yaml", cm);
	add(&l, "p/ns.yaml", ns_a);
	add(&l, "p/kustomization.yaml", "resources:\n- cm.yaml\n");
	tc_diags d;
	tc_diags_init(&d);
	tc_drift x;
	seen s = {0};
	char b[512];
	CHECK(compare(&x, &l, &d, &s) == 0);
	CHECK(x.missing == 1 && x.stale == 1 && x.changed == 2 && x.same == 0);
	CHECK(d.len == 4 && tc_diags_exit_code(&d) == 1);
	CHECK_STR(diag(&d, 0, b, sizeof b),
	          "out/p/cm.yaml:7:6: ConfigMap a/c is out of date: '.data.k' changed");
	CHECK_STR(diag(&d, 1, b, sizeof b),
	          "out/p/kustomization.yaml:1:1: out of date: this is not the file render writes");
	CHECK_STR(diag(&d, 2, b, sizeof b),
	          "out/p/ns.yaml:1:1: missing: render makes Namespace a here");
	CHECK_STR(diag(&d, 3, b, sizeof b),
	          "out/p/old.yaml:1:1: stale: render no longer makes ConfigMap a/c");
	/* the hook sees the committed bytes of what differs, never a missing file */
	CHECK(s.calls == 3);
	CHECK_STR(s.last, "out/p/old.yaml");
	tc_outlist_release(&l);
	tc_diags_release(&d);
}

TEST(drift_counts_fields_past_the_limit_and_never_prints_a_secret_value)
{
	fresh();
	put("out/s.yaml",
	    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: a\n"
	    "data:\n  a: b2xk\n  b: b2xk\n  c: b2xk\n  d: b2xk\n  e: b2xk\n  f: b2xk\n"
	    "stringData:\n  pw: hunter2\n");
	tc_outlist l;
	tc_outlist_init(&l);
	add(&l, "s.yaml",
	    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: a\n"
	    "data:\n  a: bmV3\n  b: bmV3\n  c: bmV3\n  d: bmV3\n  e: bmV3\n  f: bmV3\n"
	    "stringData:\n  pw: s3cret-new\n");
	tc_diags d;
	tc_diags_init(&d);
	tc_drift x;
	char b[512];
	CHECK(compare(&x, &l, &d, NULL) == 0);
	CHECK(x.changed == 1 && d.len == 1);
	CHECK_STR(
		diag(&d, 0, b, sizeof b),
		"out/s.yaml:1:1: Secret a/s is out of date: '.data.a' changed, '.data.b' changed, "
		"'.data.c' changed, '.data.d' changed, '.data.e' changed and 2 more fields");
	CHECK(!strstr(b, "hunter2") && !strstr(b, "s3cret") && !strstr(b, "bmV3"));
	tc_outlist_release(&l);
	tc_diags_release(&d);
}

TEST(drift_reports_other_objects_broken_files_and_reformatting)
{
	fresh();
	put("out/other.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: b\n");
	put("out/broken.yaml", "a: [\n");
	put("out/styled.yaml", "# by hand\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n");
	tc_outlist l;
	tc_outlist_init(&l);
	add(&l, "other.yaml", ns_a);
	add(&l, "broken.yaml", ns_a);
	add(&l, "styled.yaml", ns_a);
	tc_diags d;
	tc_diags_init(&d);
	tc_drift x;
	char b[512];
	CHECK(compare(&x, &l, &d, NULL) == 0);
	CHECK(x.changed == 3 && d.len == 3);
	CHECK_STR(diag(&d, 0, b, sizeof b),
	          "out/broken.yaml:1:1: out of date: this is not the file render writes");
	CHECK_STR(diag(&d, 1, b, sizeof b),
	          "out/other.yaml:1:1: out of date: the file holds Namespace b where render makes "
	          "Namespace a");
	CHECK_STR(diag(&d, 2, b, sizeof b),
	          "out/styled.yaml:1:1: Namespace a is out of date: the same object, but not the "
	          "bytes render writes");
	tc_outlist_release(&l);
	tc_diags_release(&d);
}

TEST(drift_reports_a_symbolic_link_in_the_tree)
{
	fresh();
	put("out/p/ns.yaml", ns_a);
	char link[128];
	snprintf(link, sizeof link, "%s/out/p/link.yaml", root);
	CHECK(symlink("ns.yaml", link) == 0);
	tc_outlist l;
	tc_outlist_init(&l);
	add(&l, "p/ns.yaml", ns_a);
	tc_diags d;
	tc_diags_init(&d);
	tc_drift x;
	char b[512];
	CHECK(compare(&x, &l, &d, NULL) == -1);
	CHECK(d.len == 1 && x.same == 1);
	CHECK(strstr(diag(&d, 0, b, sizeof b), "out/p/link.yaml:1:1: 'out/p/link.yaml' is not a "
	                                       "regular file") == b);
	tc_outlist_release(&l);
	tc_diags_release(&d);
}

TEST(tree_read_objects_takes_the_environment_from_the_path)
{
	tc_outlist l;
	tc_outlist_init(&l);
	add(&l, "prod/tenants/a/ns.yaml", ns_a);
	add(&l, "prod/kustomization.yaml", "resources: []\n");
	add(&l, "test/cm.yaml", cm);
	tc_arena a;
	tc_arena_init(&a);
	tc_diags d;
	tc_diags_init(&d);
	tc_diff_input *in;
	size_t n;
	CHECK(tc_tree_read_objects(&in, &n, &a, &l, &d) == 0);
	CHECK(n == 2 && d.len == 0);
	CHECK_STR(in[0].env, "prod");
	CHECK_STR(in[1].env, "test");
	CHECK(tc_value_streq(tc_value_getz(in[1].obj, "kind"), "ConfigMap"));
	free(in);
	tc_outlist_release(&l);
	tc_outlist_init(&l);
	add(&l, "prod/list.yaml", "- 1\n");
	add(&l, "prod/bad.yaml", "a: [\n");
	CHECK(tc_tree_read_objects(&in, &n, &a, &l, &d) == -1);
	CHECK(n == 0 && d.len == 2);
	free(in);
	tc_outlist_release(&l);
	tc_diags_release(&d);
	tc_arena_release(&a);
}

TEST(tree_diff_counts_identical_files_without_parsing_them)
{
	tc_outlist b, h;
	tc_outlist_init(&b);
	tc_outlist_init(&h);
	add(&b, "dev/ns.yaml", ns_a); /* only unchanged objects in dev */
	add(&b, "prod/a.yaml", cm);
	add(&b, "prod/kustomization.yaml", "resources: []\n");
	add(&b, "prod/ns.yaml", ns_a);
	add(&b, "prod/z.yaml", "not: [yaml\n"); /* identical bytes are never parsed */
	add(&h, "dev/ns.yaml", ns_a);
	add(&h, "prod/a.yaml",
	    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"
	    "  namespace: a\ndata:\n  k: w\n");
	add(&h, "prod/kustomization.yaml", "resources: [a.yaml]\n");
	add(&h, "prod/moved.yaml", ns_a); /* the same object under another name */
	add(&h, "prod/z.yaml", "not: [yaml\n");
	add(&h, "test/ns.yaml", ns_a);
	tc_arena a;
	tc_arena_init(&a);
	tc_diags d;
	tc_diags_init(&d);
	tc_diff df;
	CHECK(tc_tree_diff(&df, &a, &b, &h, &d) == 0);
	CHECK(d.len == 0);
	CHECK(df.len == 2 && df.changed == 1 && df.added == 1 && df.removed == 0);
	CHECK(df.unchanged == 3); /* dev/ns, prod/z, and ns moved within prod */
	CHECK(df.nenvs == 3);
	CHECK_STR(df.envs[0].env, "dev");
	CHECK(df.envs[0].unchanged == 1 && df.envs[0].changed == 0);
	CHECK_STR(df.envs[1].env, "prod");
	CHECK(df.envs[1].unchanged == 2 && df.envs[1].changed == 1);
	CHECK_STR(df.envs[2].env, "test");
	CHECK(df.envs[2].added == 1);
	CHECK_STR(df.entries[0].fields[0].path, ".data.k");
	tc_diff_release(&df);
	tc_outlist_release(&h);
	tc_outlist_init(&h);
	add(&h, "prod/a.yaml", "a: [\n");
	CHECK(tc_tree_diff(&df, &a, &b, &h, &d) == -1 && d.len == 2); /* a.yaml, z.yaml */
	tc_diff_release(&df);
	tc_outlist_release(&b);
	tc_outlist_release(&h);
	tc_diags_release(&d);
	tc_arena_release(&a);
}

int main(void)
{
	int rc = RUN(tree_read_lists_files_in_the_byte_order_render_sorts_in,
	             tree_read_walks_paths_in_byte_order_without_sorting_them_after,
	             drift_finds_nothing_when_the_bytes_are_the_same,
	             drift_names_missing_stale_and_changed_files_and_their_objects,
	             drift_counts_fields_past_the_limit_and_never_prints_a_secret_value,
	             drift_reports_other_objects_broken_files_and_reformatting,
	             drift_reports_a_symbolic_link_in_the_tree,
	             tree_read_objects_takes_the_environment_from_the_path,
	             tree_diff_counts_identical_files_without_parsing_them);
	fresh(); /* removes the last folder */
	if (*root)
		rmdir(root);
	return rc;
}
