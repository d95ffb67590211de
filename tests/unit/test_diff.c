/*
 * test_diff.c - unit tests for diff.c and diff_print.c.
 *
 * Objects are written as YAML and loaded with yaml_load.c, so each case
 * reads like the manifests it is about.
 */
#include "diff.h"

#include "diff_print.h"
#include "yaml_load.h"

#include "tc_test.h"

#include <stdlib.h>

typedef struct side {
	tc_diff_input in[16];
	size_t n;
} side;

static tc_arena A;

static tc_value *yaml(const char *text)
{
	tc_diags d;
	tc_diags_init(&d);
	tc_value *v = NULL;
	if (tc_yaml_load(&v, &A, &d, "test.yaml", text, strlen(text), NULL) < 0) {
		tc_diags_print(&d, stderr);
		v = NULL;
	}
	tc_diags_release(&d);
	return v;
}

static void add(side *s, const char *env, const char *text)
{
	s->in[s->n].env = env;
	s->in[s->n].obj = yaml(text);
	s->n++;
}

static int compute(tc_diff *df, const side *b, const side *h)
{
	tc_diags d;
	tc_diags_init(&d);
	int r = tc_diff_compute(df, &d, b->in, b->n, h->in, h->n);
	if (d.len)
		tc_diags_print(&d, stderr);
	tc_diags_release(&d);
	return r;
}

static char *print(const tc_diff *df, tc_diff_format fmt, bool color)
{
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	tc_diff_print_opts o = {fmt, color, "main", "HEAD", 0, 0};
	tc_diff_print(&b, df, &o);
	return tc_buf_detach(&b, NULL);
}

static const tc_diff_field *field(const tc_diff_entry *e, const char *path)
{
	for (size_t i = 0; i < e->nfields; i++)
		if (strcmp(e->fields[i].path, path) == 0)
			return &e->fields[i];
	return NULL;
}

#define NS(name) "apiVersion: v1\nkind: Namespace\nmetadata: {name: " name "}\n"

static const char *deploy_v1 = "apiVersion: apps/v1\nkind: Deployment\n"
			       "metadata: {name: api, namespace: acme-prod}\n"
			       "spec:\n  replicas: 2\n  template:\n    spec:\n"
			       "      containers:\n      - {name: api, image: 'api:1.0'}\n";
static const char *deploy_v2 = "apiVersion: apps/v1\nkind: Deployment\n"
			       "metadata: {name: api, namespace: acme-prod, labels: {tier: be}}\n"
			       "spec:\n  replicas: 3\n  template:\n    spec:\n"
			       "      containers:\n      - {name: api, image: 'api:1.1'}\n";

TEST(identical_sets_give_an_empty_diff)
{
	side b = {0}, h = {0};
	add(&b, "prod", NS("acme-prod"));
	add(&b, "prod", deploy_v1);
	add(&h, "prod", deploy_v1);
	add(&h, "prod", NS("acme-prod"));
	tc_diff df;
	CHECK(compute(&df, &b, &h) == 0);
	CHECK(tc_diff_empty(&df));
	CHECK(df.unchanged == 2 && df.nenvs == 1 && df.envs[0].unchanged == 2);
	char *t = print(&df, TC_DIFF_FORMAT_TEXT, false);
	CHECK_STR(t, "tenantc diff main..HEAD: no changes (2 unchanged)\n\n"
	             "prod: no changes (2 unchanged)\n");
	free(t);
	tc_diff_release(&df);
}

TEST(objects_are_sorted_by_env_group_kind_namespace_and_name)
{
	side b = {0}, h = {0};
	add(&b, "test", NS("gone"));
	add(&b, "prod", NS("zeta"));
	add(&h, "test", NS("b"));
	add(&h, "prod", deploy_v1);
	add(&h, "prod", NS("alpha"));
	add(&h, "prod", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: b}\n");
	add(&h, "prod", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: a}\n");
	tc_diff df;
	CHECK(compute(&df, &b, &h) == 0);
	CHECK(df.len == 7);
	const char *want[][4] = {
		{"prod", "", "ConfigMap", "a"},        {"prod", "", "ConfigMap", "b"},
		{"prod", "", "Namespace", "alpha"},    {"prod", "", "Namespace", "zeta"},
		{"prod", "apps", "Deployment", "api"}, {"test", "", "Namespace", "b"},
		{"test", "", "Namespace", "gone"},
	};
	for (size_t i = 0; i < 7; i++) {
		const tc_diff_entry *e = &df.entries[i];
		CHECK_STR(e->env, want[i][0]);
		CHECK_STR(e->group, want[i][1]);
		CHECK_STR(e->kind, want[i][2]);
		CHECK_STR(strcmp(e->kind, "ConfigMap") == 0 ? e->ns : e->name, want[i][3]);
	}
	CHECK(df.entries[3].op == TC_DIFF_REMOVED && df.entries[6].op == TC_DIFF_REMOVED);
	CHECK(df.entries[0].op == TC_DIFF_ADDED);
	CHECK(df.added == 5 && df.removed == 2 && df.changed == 0);
	CHECK(df.nenvs == 2 && df.envs[0].added == 4 && df.envs[1].removed == 1);
	tc_diff_release(&df);
}

TEST(an_api_version_bump_is_a_field_change_not_a_new_object)
{
	side b = {0}, h = {0};
	add(&b, "prod",
	    "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\n"
	    "metadata: {name: api, namespace: n}\n");
	add(&h, "prod",
	    "apiVersion: policy/v1\nkind: PodDisruptionBudget\n"
	    "metadata: {name: api, namespace: n}\n");
	tc_diff df;
	CHECK(compute(&df, &b, &h) == 0);
	CHECK(df.len == 1 && df.entries[0].op == TC_DIFF_CHANGED);
	CHECK_STR(df.entries[0].group, "policy");
	CHECK_STR(df.entries[0].api_version, "policy/v1");
	CHECK(df.entries[0].nfields == 1);
	CHECK_STR(df.entries[0].fields[0].path, ".apiVersion");
	tc_diff_release(&df);
}

TEST(field_changes_are_reported_as_jq_paths_with_old_and_new_values)
{
	side b = {0}, h = {0};
	add(&b, "prod", deploy_v1);
	add(&h, "prod", deploy_v2);
	add(&b, "prod",
	    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ca, namespace: n}\n"
	    "data: {ca.crt: one, old: x}\n");
	add(&h, "prod",
	    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ca, namespace: n}\n"
	    "data: {ca.crt: two}\n");
	tc_diff df;
	CHECK(compute(&df, &b, &h) == 0);
	CHECK(df.len == 2 && df.changed == 2);
	const tc_diff_entry *cm = &df.entries[0], *dep = &df.entries[1];
	CHECK_STR(cm->kind, "ConfigMap");
	CHECK(!cm->secret);
	const tc_diff_field *f = field(cm, ".data[\"ca.crt\"]");
	CHECK(f && f->op == TC_DIFF_CHANGED);
	CHECK(tc_value_streq(f->old_val, "one") && tc_value_streq(f->new_val, "two"));
	f = field(cm, ".data.old");
	CHECK(f && f->op == TC_DIFF_REMOVED && tc_value_streq(f->old_val, "x") && !f->new_val);
	CHECK(dep->nfields == 3);
	CHECK_STR(dep->fields[0].path, ".metadata.labels");
	CHECK(dep->fields[0].op == TC_DIFF_ADDED && dep->fields[0].new_val->kind == TC_OBJECT);
	CHECK_STR(dep->fields[1].path, ".spec.replicas");
	CHECK(dep->fields[1].old_val->u.i == 2 && dep->fields[1].new_val->u.i == 3);
	CHECK_STR(dep->fields[2].path, ".spec.template.spec.containers[0].image");
	tc_diff_release(&df);
}

TEST(an_integer_and_a_float_differ_as_they_render_differently)
{
	side b = {0}, h = {0};
	add(&b, "p", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nx: 1\ny: 2\nz: null\n");
	add(&h, "p", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nx: 1.0\ny: 2\nz: ~\n");
	tc_diff df;
	CHECK(compute(&df, &b, &h) == 0);
	CHECK(df.len == 1 && df.entries[0].nfields == 1);
	CHECK_STR(df.entries[0].fields[0].path, ".x");
	CHECK(df.entries[0].fields[0].old_val->kind == TC_INT);
	CHECK(df.entries[0].fields[0].new_val->kind == TC_FLOAT);
	tc_diff_release(&df);
}

TEST(an_item_inserted_into_an_array_is_one_addition)
{
	side b = {0}, h = {0};
	add(&b, "p",
	    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
	    "list: [a, b, c, d]\n");
	add(&h, "p",
	    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
	    "list: [a, x, b, d, e]\n");
	tc_diff df;
	CHECK(compute(&df, &b, &h) == 0);
	const tc_diff_entry *e = &df.entries[0];
	CHECK(e->nfields == 3);
	CHECK_STR(e->fields[0].path, ".list[1]");
	CHECK(e->fields[0].op == TC_DIFF_ADDED && tc_value_streq(e->fields[0].new_val, "x"));
	CHECK_STR(e->fields[1].path, ".list[2]"); /* "c", its index in the old list */
	CHECK(e->fields[1].op == TC_DIFF_REMOVED && tc_value_streq(e->fields[1].old_val, "c"));
	CHECK_STR(e->fields[2].path, ".list[4]");
	CHECK(e->fields[2].op == TC_DIFF_ADDED && tc_value_streq(e->fields[2].new_val, "e"));
	tc_diff_release(&df);
}

static bool char_eq(const void *ctx, size_t i, size_t j)
{
	const char *const *p = ctx;
	return p[0][i] == p[1][j];
}

TEST(lcs_gives_a_minimal_script_with_removals_first)
{
	const char *pair[2] = {"abcd", "axbde"};
	char *ops;
	CHECK(tc_diff_lcs(&ops, 4, 5, char_eq, pair) == 6);
	CHECK_STR(ops, "=+=-=+");
	free(ops);
	const char *swap[2] = {"xyz", "abc"};
	CHECK(tc_diff_lcs(&ops, 3, 3, char_eq, swap) == 6);
	CHECK_STR(ops, "---+++");
	free(ops);
	CHECK(tc_diff_lcs(&ops, 0, 0, char_eq, swap) == 0);
	CHECK_STR(ops, "");
	free(ops);
}

static bool never_eq(const void *ctx, size_t i, size_t j)
{
	(void)ctx;
	(void)i;
	(void)j;
	return false;
}

static bool always_eq(const void *ctx, size_t i, size_t j)
{
	(void)ctx;
	(void)i;
	(void)j;
	return true;
}

TEST(lcs_refuses_tables_past_its_limit_but_trims_common_ends_first)
{
	char *ops = (char *)1;
	CHECK(tc_diff_lcs(&ops, 3000, 3000, never_eq, NULL) == -1);
	CHECK(ops == NULL);
	/* equal everywhere: trimmed to nothing, no table at all */
	CHECK(tc_diff_lcs(&ops, 100000, 100000, always_eq, NULL) == 100000);
	free(ops);
}

TEST(a_large_array_falls_back_to_position_by_position)
{
	/* b is a with one item put in front and the last replaced: aligned,
	 * that is 2 fields; 2100 x 2101 pairs are past the table limit, so
	 * every position differs instead */
	enum { N = 2100 };
	static tc_value *a[N], *b[N + 1];
	for (int i = 0; i < N; i++)
		a[i] = tc_value_int(&A, i, TC_NOPOS);
	b[0] = tc_value_int(&A, -1, TC_NOPOS);
	for (int i = 1; i < N; i++)
		b[i] = a[i - 1];
	b[N] = tc_value_int(&A, -2, TC_NOPOS);
	tc_value *o[2];
	for (int k = 0; k < 2; k++) {
		tc_objb ob;
		tc_objb_init(&ob);
		tc_objb_addz(&ob, "apiVersion", tc_value_strz(&A, "v1", TC_NOPOS));
		tc_objb_addz(&ob, "kind", tc_value_strz(&A, "List", TC_NOPOS));
		tc_objb_addz(&ob, "metadata", yaml("name: l"));
		tc_objb_addz(&ob, "items", tc_value_array(&A, k ? b : a, k ? N + 1 : N, TC_NOPOS));
		o[k] = tc_objb_finish(&ob, &A, TC_NOPOS, NULL);
	}
	tc_diff_input bi = {"p", o[0]}, hi = {"p", o[1]};
	tc_diags d;
	tc_diags_init(&d);
	tc_diff df;
	CHECK(tc_diff_compute(&df, &d, &bi, 1, &hi, 1) == 0);
	CHECK(df.len == 1 && df.entries[0].nfields == N + 1);
	CHECK_STR(df.entries[0].fields[0].path, ".items[0]");
	CHECK(df.entries[0].fields[0].op == TC_DIFF_CHANGED);
	CHECK(df.entries[0].fields[N].op == TC_DIFF_ADDED);
	tc_diff_release(&df);
	/* a small list with the same edit is aligned */
	tc_value *sa = yaml("[0, 1, 2, 3]"), *sb = yaml("[-1, 0, 1, 2, -2]");
	tc_value *so[2];
	for (int k = 0; k < 2; k++) {
		tc_objb ob;
		tc_objb_init(&ob);
		tc_objb_addz(&ob, "apiVersion", tc_value_strz(&A, "v1", TC_NOPOS));
		tc_objb_addz(&ob, "kind", tc_value_strz(&A, "List", TC_NOPOS));
		tc_objb_addz(&ob, "metadata", yaml("name: l"));
		tc_objb_addz(&ob, "items", k ? sb : sa);
		so[k] = tc_objb_finish(&ob, &A, TC_NOPOS, NULL);
	}
	bi.obj = so[0];
	hi.obj = so[1];
	CHECK(tc_diff_compute(&df, &d, &bi, 1, &hi, 1) == 0);
	CHECK(df.len == 1 && df.entries[0].nfields == 2);
	CHECK_STR(df.entries[0].fields[0].path, ".items[0]");
	CHECK(df.entries[0].fields[0].op == TC_DIFF_ADDED);
	CHECK_STR(df.entries[0].fields[1].path, ".items[4]");
	CHECK(df.entries[0].fields[1].op == TC_DIFF_CHANGED);
	CHECK(df.entries[0].fields[1].old_val->u.i == 3 &&
	      df.entries[0].fields[1].new_val->u.i == -2);
	tc_diff_release(&df);
	tc_diags_release(&d);
}

static const char *secret_v1 = "apiVersion: v1\nkind: Secret\n"
			       "metadata: {name: db, namespace: acme, labels: {a: '1'}}\n"
			       "data: {password: aHVudGVyMg==, user: YWRtaW4=}\n"
			       "stringData: {token: hunter2-token}\n";
static const char *secret_v2 = "apiVersion: v1\nkind: Secret\n"
			       "metadata: {name: db, namespace: acme, labels: {a: '2'}}\n"
			       "data: {password: c3dvcmRmaXNo, user: YWRtaW4=, "
			       "host: ZGIuZXhhbXBsZQ==}\n";

TEST(secret_data_changes_are_reported_without_values)
{
	side b = {0}, h = {0};
	add(&b, "prod", secret_v1);
	add(&h, "prod", secret_v2);
	tc_diff df;
	CHECK(compute(&df, &b, &h) == 0);
	CHECK(df.len == 1);
	const tc_diff_entry *e = &df.entries[0];
	CHECK(e->secret);
	CHECK(e->nfields == 4);
	const tc_diff_field *f = field(e, ".data.password");
	CHECK(f && f->op == TC_DIFF_CHANGED && f->redacted && !f->old_val && !f->new_val);
	f = field(e, ".data.host");
	CHECK(f && f->op == TC_DIFF_ADDED && f->redacted && !f->new_val);
	/* the whole stringData went away: listed key by key, without values */
	f = field(e, ".stringData.token");
	CHECK(f && f->op == TC_DIFF_REMOVED && f->redacted && !f->old_val);
	CHECK(field(e, ".data.user") == NULL);
	f = field(e, ".metadata.labels.a");
	CHECK(f && !f->redacted && tc_value_streq(f->new_val, "2"));
	const char *secrets[] = {"aHVudGVyMg==", "c3dvcmRmaXNo", "ZGIuZXhhbXBsZQ==", "hunter2"};
	for (int fmt = 0; fmt < 3; fmt++) {
		char *t = print(&df, (tc_diff_format)fmt, fmt == 0);
		for (int k = 0; k < 4; k++)
			CHECK(strstr(t, secrets[k]) == NULL);
		CHECK(strstr(t, "redacted"));
		free(t);
	}
	tc_diff_release(&df);
}

TEST(a_secret_added_or_removed_whole_shows_no_fields)
{
	side b = {0}, h = {0};
	add(&h, "prod", secret_v1);
	tc_diff df;
	CHECK(compute(&df, &b, &h) == 0);
	CHECK(df.len == 1 && df.entries[0].op == TC_DIFF_ADDED && df.entries[0].secret);
	CHECK(df.entries[0].nfields == 0);
	for (int fmt = 0; fmt < 3; fmt++) {
		char *t = print(&df, (tc_diff_format)fmt, false);
		CHECK(strstr(t, "aHVudGVyMg==") == NULL && strstr(t, "hunter2") == NULL);
		free(t);
	}
	tc_diff_release(&df);
}

TEST(values_flagged_secret_are_redacted_in_any_object)
{
	side b = {0}, h = {0};
	add(&b, "p", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: old}\n");
	tc_value *cm = yaml("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
	                    "data: {k: new}\n");
	CHECK(cm);
	/* mark data.k as derived from decrypted data */
	tc_value *data = tc_value_getz(cm, "data");
	tc_value *k = tc_value_getz(data, "k");
	k->flags |= TC_VAL_SECRET;
	h.in[0] = (tc_diff_input){"p", cm};
	h.n = 1;
	tc_diff df;
	CHECK(compute(&df, &b, &h) == 0);
	const tc_diff_field *f = field(&df.entries[0], ".data.k");
	CHECK(f && f->redacted && !f->old_val && !f->new_val);
	CHECK(df.entries[0].secret);
	char *t = print(&df, TC_DIFF_FORMAT_JSON, false);
	CHECK(strstr(t, "\"new\"") == NULL && strstr(t, "\"old\"") == NULL);
	free(t);
	tc_diff_release(&df);
}

#define ENC(x) "'ENC[AES256_GCM,data:" x ",iv:aXY=,tag:dGFn,type:str]'"

TEST(sops_ciphertext_is_compared_by_path_and_reported_as_encrypted)
{
	side b = {0}, h = {0};
	add(&b, "prod",
	    "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: n}\n"
	    "stringData: {a: " ENC("AAAA") ", b: " ENC(
		    "BBBB") "}\n"
	                    "sops:\n  lastmodified: '2024-01-01T00:00:00Z'\n  mac: " ENC(
				    "MAC1") "\n"
	                                    "  age:\n  - {recipient: age1abc, enc: \"-----BEGIN AGE ENCRYPTED FILE-----\\nx\\n\"}\n");
	add(&h, "prod",
	    "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: n}\n"
	    "stringData: {a: " ENC("AAAA") ", b: " ENC(
		    "CCCC") "}\n"
	                    "sops:\n  lastmodified: '2024-02-01T00:00:00Z'\n  mac: " ENC(
				    "MAC2") "\n"
	                                    "  age:\n  - {recipient: age1abc, enc: \"-----BEGIN AGE ENCRYPTED FILE-----\\ny\\n\"}\n");
	tc_diff df;
	CHECK(compute(&df, &b, &h) == 0);
	const tc_diff_entry *e = &df.entries[0];
	CHECK(e->nfields == 4);
	const tc_diff_field *f = field(e, ".sops.mac");
	CHECK(f && f->encrypted && !f->redacted && !f->old_val && !f->new_val);
	f = field(e, ".sops.age[0].enc");
	CHECK(f && f->encrypted);
	f = field(e, ".sops.lastmodified");
	CHECK(f && !f->encrypted && tc_value_streq(f->new_val, "2024-02-01T00:00:00Z"));
	/* under stringData of a Secret: redaction wins, values withheld either way */
	f = field(e, ".stringData.b");
	CHECK(f && f->op == TC_DIFF_CHANGED && !f->old_val && !f->new_val);
	CHECK(field(e, ".stringData.a") == NULL);
	char *t = print(&df, TC_DIFF_FORMAT_TEXT, false);
	CHECK(strstr(t, "      .sops.mac: changed (encrypted)\n"));
	CHECK(strstr(t, "MAC1") == NULL && strstr(t, "CCCC") == NULL);
	free(t);
	tc_diff_release(&df);
	CHECK(tc_diff_is_ciphertext("ENC[AES256_GCM,data:x]", 22));
	CHECK(!tc_diff_is_ciphertext("ENC[AES256", 10));
}

TEST(ciphertext_outside_a_secret_is_reported_as_encrypted)
{
	side b = {0}, h = {0};
	add(&b, "p",
	    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: " ENC("AA") "}\n");
	add(&h, "p",
	    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: " ENC(
		    "BB") ", n: " ENC("CC") "}\n");
	tc_diff df;
	CHECK(compute(&df, &b, &h) == 0);
	char *t = print(&df, TC_DIFF_FORMAT_TEXT, false);
	CHECK_STR(t, "tenantc diff main..HEAD: 0 added, 0 removed, 1 changed, 0 unchanged\n\n"
	             "p: 0 added, 0 removed, 1 changed, 0 unchanged\n"
	             "  ~ ConfigMap a\n"
	             "      .data.k: changed (encrypted)\n"
	             "      .data.n: added (encrypted)\n");
	free(t);
	tc_diff_release(&df);
}

TEST(duplicate_objects_and_objects_without_identity_are_errors)
{
	side b = {0}, h = {0};
	add(&b, "prod", NS("a"));
	add(&b, "prod", NS("a"));
	add(&h, "prod", "apiVersion: v1\nkind: Namespace\nmetadata: {labels: {}}\n");
	tc_diags d;
	tc_diags_init(&d);
	tc_diff df;
	CHECK(tc_diff_compute(&df, &d, b.in, b.n, h.in, h.n) == -1);
	CHECK(df.len == 0);
	CHECK(d.nerrors == 2);
	tc_diags_sort(&d);
	tc_buf m;
	tc_buf_init(&m, TC_BUF_UNLIMITED);
	for (size_t i = 0; i < d.len; i++) {
		tc_diag_format(&m, &d.items[i]);
		tc_buf_addc(&m, '\n');
	}
	CHECK(strstr(m.ptr, "error: Namespace 'a' appears twice in base (environment 'prod')"));
	CHECK(strstr(m.ptr, "error: head object 1 lacks a string apiVersion, kind or "
	                    "metadata.name"));
	tc_buf_release(&m);
	tc_diags_release(&d);
	tc_diff_release(&df);
	/* the same identity in two environments is two objects */
	side b2 = {0}, h2 = {0};
	add(&b2, "prod", NS("a"));
	add(&b2, "test", NS("a"));
	tc_diags_init(&d);
	CHECK(tc_diff_compute(&df, &d, b2.in, b2.n, h2.in, h2.n) == 0 && df.removed == 2);
	tc_diff_release(&df);
	tc_diags_release(&d);
}

static void sample(side *b, side *h)
{
	add(b, "prod", NS("old"));
	add(b, "prod", deploy_v1);
	add(b, "prod",
	    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: nginx, namespace: n}\n"
	    "data:\n  nginx.conf: |\n    server {\n      listen 80;\n      root /a;\n"
	    "      index i;\n      gzip on;\n      x 1;\n    }\n  v: 'a|b'\n");
	add(b, "test", NS("same"));
	add(h, "prod", NS("new"));
	add(h, "prod", deploy_v2);
	add(h, "prod",
	    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: nginx, namespace: n}\n"
	    "data:\n  nginx.conf: |\n    server {\n      listen 8080;\n      root /a;\n"
	    "      index i;\n      gzip on;\n      x 1;\n    }\n  v: '<c|d>'\n");
	add(h, "test", NS("same"));
}

TEST(text_output_lists_objects_and_fields)
{
	side b = {0}, h = {0};
	sample(&b, &h);
	tc_diff df;
	CHECK(compute(&df, &b, &h) == 0);
	char *t = print(&df, TC_DIFF_FORMAT_TEXT, false);
	CHECK_STR(t, "tenantc diff main..HEAD: 1 added, 1 removed, 2 changed, 1 unchanged\n"
	             "\n"
	             "prod: 1 added, 1 removed, 2 changed, 0 unchanged\n"
	             "  ~ ConfigMap n/nginx\n"
	             "      .data[\"nginx.conf\"]: changed\n"
	             "        @@ -1,4 +1,4 @@\n"
	             "         server {\n"
	             "        -  listen 80;\n"
	             "        +  listen 8080;\n"
	             "           root /a;\n"
	             "           index i;\n"
	             "      .data.v: \"a|b\" -> \"<c|d>\"\n"
	             "  + Namespace new\n"
	             "  - Namespace old\n"
	             "  ~ Deployment.apps acme-prod/api\n"
	             "      .metadata.labels: added {\"tier\":\"be\"}\n"
	             "      .spec.replicas: 2 -> 3\n"
	             "      .spec.template.spec.containers[0].image: \"api:1.0\" -> \"api:1.1\"\n"
	             "\n"
	             "test: no changes (1 unchanged)\n");
	free(t);
	char *c = print(&df, TC_DIFF_FORMAT_TEXT, true);
	CHECK(strstr(c, "  \033[32m+ Namespace new\033[0m\n"));
	CHECK(strstr(c, "\033[31m-  listen 80;\033[0m"));
	free(c);
	tc_diff_release(&df);
}

TEST(markdown_output_is_a_table_with_details_and_escaped_cells)
{
	side b = {0}, h = {0};
	sample(&b, &h);
	tc_diff df;
	CHECK(compute(&df, &b, &h) == 0);
	char *t = print(&df, TC_DIFF_FORMAT_MARKDOWN, false);
	CHECK_STR(t,
	          "## tenantc diff <code>main</code>..<code>HEAD</code>\n\n"
	          "**1 added, 1 removed, 2 changed**, 1 unchanged\n\n"
	          "| environment | added | removed | changed | unchanged |\n"
	          "| --- | ---: | ---: | ---: | ---: |\n"
	          "| prod | 1 | 1 | 2 | 0 |\n"
	          "| test | 0 | 0 | 0 | 1 |\n\n"
	          "| change | environment | kind | namespace | name | fields |\n"
	          "| --- | --- | --- | --- | --- | ---: |\n"
	          "| changed | prod | ConfigMap | n | nginx | 2 |\n"
	          "| added | prod | Namespace |  | new |  |\n"
	          "| removed | prod | Namespace |  | old |  |\n"
	          "| changed | prod | Deployment.apps | acme-prod | api | 3 |\n\n"
	          "<details><summary>prod: ConfigMap n/nginx (2 fields)</summary>\n\n"
	          "| field | change | old | new |\n| --- | --- | --- | --- |\n"
	          "| <code>.data[\"nginx.conf\"]</code> | changed (lines, below) |  |  |\n"
	          "| <code>.data.v</code> | changed | <code>\"a&#124;b\"</code> | "
	          "<code>\"&lt;c&#124;d&gt;\"</code> |\n"
	          "\n<code>.data[\"nginx.conf\"]</code>:\n\n"
	          "```diff\n@@ -1,4 +1,4 @@\n server {\n-  listen 80;\n+  listen 8080;\n"
	          "   root /a;\n   index i;\n```\n"
	          "\n</details>\n\n"
	          "<details><summary>prod: Deployment.apps acme-prod/api (3 fields)</summary>\n\n"
	          "| field | change | old | new |\n| --- | --- | --- | --- |\n"
	          "| <code>.metadata.labels</code> | added |  | <code>{\"tier\":\"be\"}</code> |\n"
	          "| <code>.spec.replicas</code> | changed | <code>2</code> | <code>3</code> |\n"
	          "| <code>.spec.template.spec.containers[0].image</code> | changed | "
	          "<code>\"api:1.0\"</code> | <code>\"api:1.1\"</code> |\n"
	          "\n</details>\n\n");
	free(t);
	tc_buf out;
	tc_buf_init(&out, TC_BUF_UNLIMITED);
	tc_diff_print_opts o = {TC_DIFF_FORMAT_MARKDOWN, false, NULL, NULL, 0, 1};
	tc_diff_print(&out, &df, &o);
	CHECK(strstr(out.ptr, "<code>base</code>..<code>head</code>"));
	CHECK(strstr(out.ptr, "\n3 more objects are not listed.\n"));
	CHECK(strstr(out.ptr, "1 more changed objects are not shown in detail.\n"));
	tc_buf_release(&out);
	tc_diff_release(&df);
}

TEST(markdown_fences_outgrow_backticks_in_the_content)
{
	side b = {0}, h = {0};
	add(&b, "p",
	    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
	    "data: {readme: \"```\\none\\n\"}\n");
	add(&h, "p",
	    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
	    "data: {readme: \"```\\ntwo\\n\"}\n");
	tc_diff df;
	CHECK(compute(&df, &b, &h) == 0);
	char *t = print(&df, TC_DIFF_FORMAT_MARKDOWN, false);
	CHECK(strstr(t, "\n````diff\n@@ -1,2 +1,2 @@\n ```\n-one\n+two\n````\n"));
	free(t);
	tc_diff_release(&df);
}

TEST(json_output_holds_values_and_flags_in_byte_order)
{
	side b = {0}, h = {0};
	add(&b, "prod", deploy_v1);
	add(&h, "prod", deploy_v2);
	add(&b, "prod", secret_v1);
	add(&h, "prod", secret_v2);
	tc_diff df;
	CHECK(compute(&df, &b, &h) == 0);
	char *t = print(&df, TC_DIFF_FORMAT_JSON, false);
	CHECK(strncmp(t,
	              "{\n  \"base\": \"main\",\n  \"environments\": [\n    {\n"
	              "      \"added\": 0,\n      \"changed\": 2,\n      \"name\": \"prod\",",
	              95) == 0);
	CHECK(strstr(t,
	             "\"change\": \"changed\",\n          \"encrypted\": false,\n"
	             "          \"new\": 3,\n          \"old\": 2,\n"
	             "          \"path\": \".spec.replicas\",\n          \"redacted\": false\n"));
	CHECK(strstr(t, "\"change\": \"changed\",\n          \"encrypted\": false,\n"
	                "          \"path\": \".data.password\",\n          \"redacted\": true\n"));
	CHECK(strstr(t, "\"secret\": true"));
	CHECK(strstr(t, "\"summary\": {\n    \"added\": 0,\n    \"changed\": 2,"));
	CHECK(t[strlen(t) - 1] == '\n');
	free(t);
	tc_diff_release(&df);
}

TEST(the_result_does_not_depend_on_input_order)
{
	side b1 = {0}, h1 = {0}, b2 = {0}, h2 = {0};
	sample(&b1, &h1);
	sample(&b2, &h2);
	/* reverse the second pair */
	for (size_t i = 0; i < b2.n / 2; i++) {
		tc_diff_input t = b2.in[i];
		b2.in[i] = b2.in[b2.n - 1 - i];
		b2.in[b2.n - 1 - i] = t;
	}
	for (size_t i = 0; i < h2.n / 2; i++) {
		tc_diff_input t = h2.in[i];
		h2.in[i] = h2.in[h2.n - 1 - i];
		h2.in[h2.n - 1 - i] = t;
	}
	tc_diff d1, d2;
	CHECK(compute(&d1, &b1, &h1) == 0 && compute(&d2, &b2, &h2) == 0);
	for (int fmt = 0; fmt < 3; fmt++) {
		char *x = print(&d1, (tc_diff_format)fmt, false);
		char *y = print(&d2, (tc_diff_format)fmt, false);
		CHECK_STR(x, y);
		free(x);
		free(y);
	}
	tc_diff_release(&d1);
	tc_diff_release(&d2);
}

TEST(long_values_are_cut_on_a_utf8_boundary)
{
	side b = {0}, h = {0};
	add(&b, "p", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nv: x\n");
	add(&h, "p",
	    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
	    "v: \"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"\n");
	tc_diff df;
	CHECK(compute(&df, &b, &h) == 0);
	tc_buf out;
	tc_buf_init(&out, TC_BUF_UNLIMITED);
	tc_diff_print_opts o = {TC_DIFF_FORMAT_TEXT, false, "a", "b", 4, 0};
	tc_diff_print(&out, &df, &o);
	/* "\"é" is 3 bytes; the 4th byte would split the second é */
	CHECK(strstr(out.ptr, ".v: \"x\" -> \"\xc3\xa9... (10 bytes)\n"));
	tc_buf_release(&out);
	tc_diff_release(&df);
}

TEST(format_names_parse)
{
	tc_diff_format f;
	CHECK(tc_diff_format_parse(&f, "text") == 0 && f == TC_DIFF_FORMAT_TEXT);
	CHECK(tc_diff_format_parse(&f, "markdown") == 0 && f == TC_DIFF_FORMAT_MARKDOWN);
	CHECK(tc_diff_format_parse(&f, "md") == 0 && f == TC_DIFF_FORMAT_MARKDOWN);
	CHECK(tc_diff_format_parse(&f, "json") == 0 && f == TC_DIFF_FORMAT_JSON);
	CHECK(tc_diff_format_parse(&f, "JSON") == -1);
	CHECK(tc_diff_format_parse(&f, "") == -1);
}

int main(void)
{
	tc_arena_init(&A);
	int rc = RUN(identical_sets_give_an_empty_diff,
	             objects_are_sorted_by_env_group_kind_namespace_and_name,
	             an_api_version_bump_is_a_field_change_not_a_new_object,
	             field_changes_are_reported_as_jq_paths_with_old_and_new_values,
	             an_integer_and_a_float_differ_as_they_render_differently,
	             an_item_inserted_into_an_array_is_one_addition,
	             lcs_gives_a_minimal_script_with_removals_first,
	             lcs_refuses_tables_past_its_limit_but_trims_common_ends_first,
	             a_large_array_falls_back_to_position_by_position,
	             secret_data_changes_are_reported_without_values,
	             a_secret_added_or_removed_whole_shows_no_fields,
	             values_flagged_secret_are_redacted_in_any_object,
	             sops_ciphertext_is_compared_by_path_and_reported_as_encrypted,
	             ciphertext_outside_a_secret_is_reported_as_encrypted,
	             duplicate_objects_and_objects_without_identity_are_errors,
	             text_output_lists_objects_and_fields,
	             markdown_output_is_a_table_with_details_and_escaped_cells,
	             markdown_fences_outgrow_backticks_in_the_content,
	             json_output_holds_values_and_flags_in_byte_order,
	             the_result_does_not_depend_on_input_order,
	             long_values_are_cut_on_a_utf8_boundary, format_names_parse);
	tc_arena_release(&A);
	return rc;
}
