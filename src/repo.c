/*
 * repo.c - load tenantc.yaml, environments/, templates/ and the tenant list;
 * load single tenants on demand.
 *
 * Everything shared lives in r->arena and is read-only once tc_repo_load
 * has returned. Names are checked here: an environment file's stem and a
 * tenant's folder must be DNS-1123 labels and equal the document's `name`.
 * Listings come sorted from the source, so no order here depends on the
 * file system.
 */
#include "repo.h"

#include "apps_check.h"
#include "fsutil.h"
#include "json_load.h"
#include "jsone.h"
#include "k8s.h"
#include "outdir.h"
#include "schema.h"
#include "schema_check.h"
#include "realm_check.h"
#include "realm_groups.h"
#include "tenant_view.h"
#include "timefmt.h"
#include "yaml_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A tenant name becomes part of namespace and realm names ("<tenant>-<env>"),
 * which must stay DNS labels of at most 63 characters. */
#define TENANT_NAME_MAX 40
#define DNS_LABEL_MAX 63
/* Bytes of one files/ folder (a tenant's or the repository's): large data
 * belongs in a volume. */
#define TENANT_FILES_MAX ((size_t)8 * 1024 * 1024)

void tc_format_time(char out[32], int64_t secs)
{
	/* no gmtime, so no TZ */
	int64_t days = secs / 86400, rem = secs % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	int64_t y, mm, dd;
	tc_time_civil_from_days(days, &y, &mm, &dd);
	if (y < 0 || y > 9999) /* outside ISO-8601's four-digit years */
		y = y < 0 ? 0 : 9999;
	snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d.000Z", (int)y, (int)mm, (int)dd,
	         (int)(rem / 3600), (int)(rem % 3600 / 60), (int)(rem % 60));
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && memcmp(s + n - m, suf, m) == 0;
}

static bool is_doc_name(const char *s)
{
	return has_suffix(s, ".yaml") || has_suffix(s, ".yml") || has_suffix(s, ".json");
}

static char *stem(tc_arena *a, const char *name)
{
	const char *dot = strrchr(name, '.');
	return tc_arena_memdup0(a, name, dot ? (size_t)(dot - name) : strlen(name));
}

/* Read and parse one document; 1 when the file does not exist. */
static int load_doc(tc_value **out, tc_source *src, tc_arena *a, tc_diags *d, const char *path)
{
	char *data;
	size_t len;
	int r = tc_source_read(src, d, path, &data, &len);
	if (r)
		return r;
	r = tc_doc_load(out, a, d, path, data, len);
	free(data);
	return r;
}

static int check_name(tc_diags *d, const tc_value *doc, const char *path, const char *want,
                      const char *what, size_t max)
{
	const tc_value *name = tc_value_getz(doc, "name");
	tc_path at = TC_PATH_KEY(NULL, "name", 4);
	if (!tc_k8s_is_dns_label(want, strlen(want)) || strlen(want) > max)
		return tc_error(d, (tc_pos){path, 1, 1}, NULL,
		                "%s name '%s' is not a DNS-1123 label of at most %zu characters",
		                what, want, max);
	if (!name)
		return tc_error(d, doc->pos, NULL, "missing required key 'name'");
	if (name->kind != TC_STR)
		return tc_error(d, name->pos, &at, "'name' must be a string, not %s",
		                tc_kind_name(name->kind));
	if (!tc_value_streq(name, want))
		return tc_error(d, name->pos, &at, "name '%.*s' does not match the %s '%s'",
		                (int)name->u.str.len, name->u.str.ptr,
		                strcmp(what, "tenant") == 0 ? "folder name" : "file name", want);
	return 0;
}

/* References between the repository's schemas ("common.json#/$defs/x")
 * resolve inside schemas/ of the same source, so a revision's schemas
 * never read the work tree. */
#define SCHEMA_BASE "tenantc:///schemas/"

static int schema_loader(void *ctx, tc_arena *a, tc_diags *d, const char *uri, tc_value **out)
{
	tc_repo *r = ctx;
	size_t bl = strlen(SCHEMA_BASE);
	if (strncmp(uri, SCHEMA_BASE, bl) != 0)
		return 1;
	char *path = tc_arena_printf(a, "schemas/%s", uri + bl);
	if (!tc_source_path_ok(path))
		return 1;
	int rc = load_doc(out, r->src, a, d, path);
	return rc;
}

static int load_schema(tc_repo *r, tc_diags *d, const char *file, struct tc_schema **out)
{
	*out = NULL;
	tc_value *doc;
	char *path = tc_arena_printf(&r->arena, "schemas/%s", file);
	int rc = load_doc(&doc, r->src, &r->arena, d, path);
	if (rc)
		return rc < 0 ? -1 : 0;
	if (!r->schema_store) {
		r->schema_store = tc_schema_store_new();
		tc_schema_store_set_loader(r->schema_store, schema_loader, r);
	}
	tc_schema_opts so = {TC_DRAFT_2020, false,
	                     tc_arena_printf(&r->arena, SCHEMA_BASE "%s", file)};
	tc_schema_store_add(r->schema_store, so.base_uri, doc);
	return tc_schema_compile(out, r->schema_store, doc, &so, d);
}

static int check_input(const struct tc_schema *s, const tc_value *doc, tc_diags *d)
{
	if (!s)
		return 0;
	return tc_schema_check(s, doc, d, NULL, TC_DIAG_INPUT);
}

/* tenantc.yaml over the defaults: output, repoURL, branch, sops.age */
static int load_settings(tc_repo *r, tc_diags *d)
{
	tc_value *doc = NULL;
	int rc = load_doc(&doc, r->src, &r->arena, d, "tenantc.yaml");
	if (rc < 0)
		return -1;
	tc_pos p = {"tenantc.yaml", 0, 0};
	if (rc == 1 || doc->kind == TC_NULL) {
		tc_objb b;
		tc_objb_init(&b);
		doc = tc_objb_finish(&b, &r->arena, p, NULL);
	}
	if (doc->kind != TC_OBJECT)
		return tc_error(d, doc->pos, NULL, "tenantc.yaml must be a mapping, not %s",
		                tc_kind_name(doc->kind));
	if (check_input(r->schema_settings, doc, d))
		return -1;
	tc_objb b;
	tc_objb_init(&b);
	tc_objb_addz(&b, "output", tc_value_strz(&r->arena, "rendered", p));
	tc_objb_addz(&b, "repoURL", tc_value_strz(&r->arena, "", p));
	tc_objb_addz(&b, "branch", tc_value_strz(&r->arena, "main", p));
	tc_objb sb;
	tc_objb_init(&sb);
	tc_objb_addz(&sb, "age", tc_value_array(&r->arena, NULL, 0, p));
	tc_objb_addz(&b, "sops", tc_objb_finish(&sb, &r->arena, p, NULL));
	for (size_t i = 0; i < doc->u.obj.len; i++) {
		const tc_member *m = &doc->u.obj.members[i];
		tc_objb_add(&b, m->key, m->klen, m->kpos, m->val);
	}
	r->settings = tc_objb_finish(&b, &r->arena, doc->pos, NULL); /* later wins */
	const tc_value *out = tc_value_getz(r->settings, "output");
	tc_path at = TC_PATH_KEY(NULL, "output", 6);
	if (out->kind != TC_STR || out->u.str.len == 0)
		return tc_error(d, out->pos, &at, "'output' must be a non-empty folder name");
	if (!tc_source_path_ok(out->u.str.ptr))
		return tc_error(d, out->pos, &at,
		                "output folder '%s' must be a relative path inside the repository",
		                out->u.str.ptr);
	r->output = out->u.str.ptr;
	return 0;
}

/* doc with `values: {}` when it has none, so that templates can merge
 * their defaults under env.values without testing for it first */
static tc_value *with_values(tc_arena *a, tc_value *doc)
{
	if (tc_value_getz(doc, "values"))
		return doc;
	tc_objb b;
	tc_objb_init(&b);
	for (size_t i = 0; i < doc->u.obj.len; i++) {
		const tc_member *m = &doc->u.obj.members[i];
		tc_objb_add(&b, m->key, m->klen, m->kpos, m->val);
	}
	tc_objb_addz(&b, "values", tc_value_object(a, NULL, 0, doc->pos, NULL));
	return tc_objb_finish(&b, a, doc->pos, NULL);
}

/* An environment's `clusters`: a list of mappings, each with a string
 * `name` that no other has, and not beside `cluster` (which names the one
 * cluster of an environment that has one). The schema, when the repository
 * has one, has said the rest. */
static int check_clusters(tc_diags *d, const tc_value *doc)
{
	const tc_value *cl = tc_value_getz(doc, "clusters");
	if (!cl)
		return 0;
	tc_path at = TC_PATH_KEY(NULL, "clusters", 8);
	if (tc_value_getz(doc, "cluster"))
		return tc_error(
			d, cl->pos, &at,
			"'clusters' and 'cluster' exclude each other: list the "
			"environment's one cluster under 'clusters' or name it in 'cluster'");
	if (cl->kind != TC_ARRAY || cl->u.arr.len == 0)
		return tc_error(d, cl->pos, &at,
		                "'clusters' must be a list of at least one cluster");
	int rc = 0;
	for (size_t i = 0; i < cl->u.arr.len; i++) {
		const tc_value *c = cl->u.arr.items[i];
		tc_path ai = TC_PATH_INDEX(&at, i);
		tc_path an = TC_PATH_KEY(&ai, "name", 4);
		const tc_value *n = c->kind == TC_OBJECT ? tc_value_getz(c, "name") : NULL;
		if (!n || n->kind != TC_STR) {
			rc = tc_error(d, n ? n->pos : c->pos, n ? &an : &ai,
			              "a cluster must be a mapping with a string 'name'");
			continue;
		}
		for (size_t j = 0; j < i; j++) {
			const tc_value *o = cl->u.arr.items[j];
			const tc_value *on = o->kind == TC_OBJECT ? tc_value_getz(o, "name") : NULL;
			if (on && on->kind == TC_STR && on->u.str.len == n->u.str.len &&
			    memcmp(on->u.str.ptr, n->u.str.ptr, n->u.str.len) == 0) {
				rc = tc_error(d, n->pos, &an, "cluster '%.*s' is listed twice",
				              (int)n->u.str.len, n->u.str.ptr);
				break;
			}
		}
	}
	return rc;
}

static int load_envs(tc_repo *r, tc_diags *d)
{
	tc_entry *e;
	size_t n;
	if (tc_source_list(r->src, d, "environments", &e, &n))
		return -1;
	int rc = 0;
	r->envs = tc_arena_calloc(&r->arena, n * sizeof *r->envs);
	for (size_t i = 0; i < n; i++) {
		char *path = tc_arena_printf(&r->arena, "environments/%s", e[i].name);
		if (e[i].type != TC_ENTRY_FILE || !is_doc_name(e[i].name)) {
			rc = tc_error(
				d, (tc_pos){path, 1, 1}, NULL,
				"unexpected '%s': environments/ holds one <env>.yaml per environment",
				path);
			continue;
		}
		tc_value *doc;
		int lr = load_doc(&doc, r->src, &r->arena, d, path);
		if (lr) {
			rc = -1;
			continue;
		}
		if (doc->kind != TC_OBJECT) {
			rc = tc_error(d, doc->pos, NULL, "an environment must be a mapping, not %s",
			              tc_kind_name(doc->kind));
			continue;
		}
		char *name = stem(&r->arena, e[i].name);
		if (check_input(r->schema_env, doc, d)) {
			rc = -1;
			continue;
		}
		if (check_name(d, doc, path, name, "environment", DNS_LABEL_MAX) ||
		    check_clusters(d, doc)) {
			rc = -1;
			continue;
		}
		for (size_t j = 0; j < r->nenvs; j++)
			if (strcmp(r->envs[j].name, name) == 0)
				rc = tc_error(d, (tc_pos){path, 1, 1}, NULL,
				              "environment '%s' is defined twice (also in %s)",
				              name, r->envs[j].path);
		r->envs[r->nenvs++] = (tc_env){name, path, with_values(&r->arena, doc)};
	}
	tc_entries_free(e, n);
	return rc;
}

/* policies/: YAML streams (or JSON documents) of ValidatingAdmissionPolicy
 * and ValidatingAdmissionPolicyBinding objects and the objects their
 * paramRefs name; a list is its items */
/* Add obj to the repository's policies, growing the list by doubling. */
static void add_policy(tc_repo *r, size_t *cap, const tc_value *obj)
{
	if (r->npolicies == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		const tc_value **p = tc_arena_alloc(&r->arena, ncap * sizeof *p);
		if (r->npolicies)
			memcpy(p, r->policies, r->npolicies * sizeof *p);
		r->policies = p;
		*cap = ncap;
	}
	r->policies[r->npolicies++] = obj;
}

/* The objects of one document of policies/: the document, or the items of
 * a List. */
static int add_policy_doc(tc_repo *r, size_t *cap, const tc_value *doc, tc_diags *d)
{
	const tc_value *items = tc_value_getz(doc, "items");
	bool list = tc_value_streq(tc_value_getz(doc, "kind"), "List") && items &&
	            items->kind == TC_ARRAY;
	size_t ni = list ? items->u.arr.len : 1;
	int rc = 0;
	for (size_t j = 0; j < ni; j++) {
		const tc_value *obj = list ? items->u.arr.items[j] : doc;
		if (obj->kind != TC_OBJECT || !tc_value_getz(obj, "apiVersion") ||
		    !tc_value_getz(obj, "kind")) {
			rc = tc_error(d, obj->pos, NULL,
			              "a document of policies/ must be a Kubernetes "
			              "object with apiVersion and kind");
			continue;
		}
		add_policy(r, cap, obj);
	}
	return rc;
}

/* The documents of one file of policies/: one for JSON, a stream for YAML. */
static int load_policy_file(tc_value **docs, tc_repo *r, const char *path, tc_diags *d)
{
	char *data;
	size_t len;
	if (tc_source_read(r->src, d, path, &data, &len))
		return -1;
	int lr = has_suffix(path, ".json")
	                 ? tc_doc_load(docs, &r->arena, d, path, data, len)
	                 : tc_yaml_load_stream(docs, &r->arena, d, path, data, len, NULL);
	free(data);
	return lr ? -1 : 0;
}

static int load_policies(tc_repo *r, tc_diags *d)
{
	tc_entry *e;
	size_t n;
	if (tc_source_list(r->src, d, "policies", &e, &n))
		return -1;
	int rc = 0;
	size_t cap = 0;
	for (size_t i = 0; i < n; i++) {
		char *path = tc_arena_printf(&r->arena, "policies/%s", e[i].name);
		if (e[i].type != TC_ENTRY_FILE || !is_doc_name(e[i].name)) {
			rc = tc_error(d, (tc_pos){path, 1, 1}, NULL,
			              "unexpected '%s': policies/ holds .yaml, .yml or .json files "
			              "of admission policies, their bindings and parameters",
			              path);
			continue;
		}
		tc_value *docs;
		if (load_policy_file(&docs, r, path, d)) {
			rc = -1;
			continue;
		}
		size_t nd = docs->kind == TC_ARRAY ? docs->u.arr.len : 1;
		for (size_t k = 0; k < nd; k++)
			if (add_policy_doc(r, &cap,
			                   docs->kind == TC_ARRAY ? docs->u.arr.items[k] : docs, d))
				rc = -1;
	}
	tc_entries_free(e, n);
	return rc;
}

static int load_templates(tc_repo *r, tc_diags *d)
{
	static const struct {
		const char *dir;
		tc_scope scope;
	} dirs[] = {
		{"templates/cluster", TC_SCOPE_CLUSTER},
		{"templates/tenant", TC_SCOPE_TENANT},
		{"templates/gitops", TC_SCOPE_GITOPS},
		{"templates/platform", TC_SCOPE_PLATFORM},
	};
	int rc = 0;
	size_t cap = 0;
	for (size_t k = 0; k < sizeof dirs / sizeof dirs[0]; k++) {
		tc_entry *e;
		size_t n;
		if (tc_source_list(r->src, d, dirs[k].dir, &e, &n))
			return -1;
		for (size_t i = 0; i < n; i++) {
			char *path = tc_arena_printf(&r->arena, "%s/%s", dirs[k].dir, e[i].name);
			if (e[i].type != TC_ENTRY_FILE || !is_doc_name(e[i].name)) {
				rc = tc_error(
					d, (tc_pos){path, 1, 1}, NULL,
					"unexpected '%s': templates are .yaml, .yml or .json files",
					path);
				continue;
			}
			tc_value *body;
			if (load_doc(&body, r->src, &r->arena, d, path)) {
				rc = -1;
				continue;
			}
			if (r->ntemplates == cap) {
				size_t ncap = cap ? cap * 2 : 16;
				tc_template *t = tc_arena_alloc(&r->arena, ncap * sizeof *t);
				if (r->ntemplates)
					memcpy(t, r->templates, r->ntemplates * sizeof *t);
				r->templates = t;
				cap = ncap;
			}
			r->templates[r->ntemplates++] =
				(tc_template){path, stem(&r->arena, e[i].name), dirs[k].scope, body,
			                      tc_jsone_compile(body, 0)};
		}
		tc_entries_free(e, n);
	}
	return rc;
}

static int list_tenants(tc_repo *r, tc_diags *d)
{
	tc_entry *e;
	size_t n;
	if (tc_source_list(r->src, d, "tenants", &e, &n))
		return -1;
	int rc = 0;
	r->tenants = tc_arena_alloc(&r->arena, n * sizeof(char *));
	r->tenant_ids = tc_arena_alloc(&r->arena, n * sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		char *dir = tc_arena_printf(&r->arena, "tenants/%s", e[i].name);
		if (e[i].type != TC_ENTRY_DIR) {
			rc = tc_error(d, (tc_pos){dir, 1, 1}, NULL,
			              "unexpected '%s': tenants/ holds one folder per tenant", dir);
			continue;
		}
		size_t len = strlen(e[i].name);
		if (!tc_k8s_is_dns_label(e[i].name, len) || len > TENANT_NAME_MAX) {
			rc = tc_error(
				d, (tc_pos){dir, 1, 1}, NULL,
				"tenant folder '%s' is not a DNS-1123 label of at most %d characters",
				e[i].name, TENANT_NAME_MAX);
			continue;
		}
		r->tenant_ids[r->ntenants] = tc_arena_strdup(&r->arena, e[i].id);
		r->tenants[r->ntenants++] = tc_arena_strdup(&r->arena, e[i].name);
	}
	tc_entries_free(e, n);
	return rc;
}

static int some_tenants(tc_repo *r, const char *const *only, size_t n, tc_diags *d)
{
	int rc = 0;
	r->tenants = tc_arena_alloc(&r->arena, n * sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(only[i]);
		if (!tc_k8s_is_dns_label(only[i], len) || len > TENANT_NAME_MAX) {
			rc = tc_error(
				d, TC_NOPOS, NULL,
				"tenant '%s' is not a DNS-1123 label of at most %d characters",
				only[i], TENANT_NAME_MAX);
			continue;
		}
		r->tenants[r->ntenants++] = tc_arena_strdup(&r->arena, only[i]);
	}
	return rc;
}

/* The tenant folders besides only[0..n) (sorted), quietly: a folder that
 * is no tenant's is the render of all tenants' to report. */
static void list_peers(tc_repo *r, const char *const *only, size_t n)
{
	tc_entry *e;
	size_t ne;
	tc_diags quiet;
	tc_diags_init(&quiet);
	if (tc_source_list(r->src, &quiet, "tenants", &e, &ne) == 0) {
		r->peers = tc_arena_alloc(&r->arena, (ne + 1) * sizeof(char *));
		for (size_t i = 0; i < ne; i++) {
			size_t len = strlen(e[i].name);
			bool selected = false;
			for (size_t k = 0; k < n && !selected; k++)
				selected = strcmp(only[k], e[i].name) == 0;
			if (!selected && e[i].type == TC_ENTRY_DIR &&
			    tc_k8s_is_dns_label(e[i].name, len) && len <= TENANT_NAME_MAX)
				r->peers[r->npeers++] = tc_arena_strdup(&r->arena, e[i].name);
		}
		tc_entries_free(e, ne);
	}
	tc_diags_release(&quiet);
}

/* The objects of ENV/cluster/ of the rendered tree that tenants share:
 * each file holds one object, and only those annotated tenantc.io/shared
 * are kept. Quietly: a file that does not read or parse is left out. */
static void tree_shared_of(tc_repo *r, size_t env, const char *dir)
{
	tc_entry *e;
	size_t ne;
	tc_diags quiet;
	tc_diags_init(&quiet);
	if (tc_source_list(r->src, &quiet, dir, &e, &ne) != 0) {
		tc_diags_release(&quiet);
		return;
	}
	static const char mark[] = "tenantc.io/shared: ";
	for (size_t i = 0; i < ne; i++) {
		size_t nl = strlen(e[i].name);
		if (e[i].type != TC_ENTRY_FILE || nl < 5 ||
		    strcmp(e[i].name + nl - 5, ".yaml") != 0)
			continue;
		char *path = tc_path_join(dir, e[i].name), *data;
		size_t len;
		tc_value *v = NULL;
		if (tc_source_read(r->src, &quiet, path, &data, &len) == 0 &&
		    memmem(data, len, mark, sizeof mark - 1) &&
		    tc_yaml_load(&v, &r->arena, &quiet, path, data, len, NULL) == 0 && v &&
		    v->kind == TC_OBJECT) {
			const tc_value *an =
				tc_value_getz(tc_value_getz(v, "metadata"), "annotations");
			const tc_value *who = tc_value_getz(an, "tenantc.io/shared");
			if (who && who->kind == TC_STR) {
				TC_GROW(r->tree_shared, r->captree_shared, r->ntree_shared + 1);
				r->tree_shared[r->ntree_shared++] = (tc_tree_shared){
					.env = env,
					.obj = v,
					.yaml = tc_arena_memdup0(&r->arena, data, len),
					.len = len,
					.tenants = who->u.str.ptr,
				};
			}
		}
		free(data);
		free(path);
	}
	tc_entries_free(e, ne);
	tc_diags_release(&quiet);
}

/* A render of some tenants compares them with the others to find what
 * they share. When the repository holds its rendered tree, the tree's
 * cluster folders say that (what a whole render shared, and with whom);
 * otherwise the other tenants are rendered as peers. */
static void shared_or_peers(tc_repo *r, const char *const *only, size_t n)
{
	char *marker = tc_path_join(r->output, TC_OUTDIR_MARKER), *data;
	size_t len;
	tc_diags quiet;
	tc_diags_init(&quiet);
	bool tree = tc_source_path_ok(marker) &&
	            tc_source_read(r->src, &quiet, marker, &data, &len) == 0;
	tc_diags_release(&quiet);
	free(marker);
	if (!tree) {
		list_peers(r, only, n);
		return;
	}
	free(data);
	r->shared_from_tree = true;
	for (size_t i = 0; i < r->nenvs; i++) {
		char *env = tc_path_join(r->output, r->envs[i].name);
		char *dir = tc_path_join(env, "cluster");
		tree_shared_of(r, i, dir);
		free(dir);
		free(env);
	}
}

static int load_files(tc_repo *r, const char *now_override, tc_diags *d);

int tc_repo_load(tc_repo *r, tc_source *src, const char *now_override, tc_diags *d)
{
	return tc_repo_load_some(r, src, now_override, NULL, 0, d);
}

int tc_repo_load_some(tc_repo *r, tc_source *src, const char *now_override, const char *const *only,
                      size_t nonly, tc_diags *d)
{
	memset(r, 0, sizeof *r);
	tc_arena_init(&r->arena);
	pthread_mutex_init(&r->src_lock, NULL);
	r->src = src;
	int rc = 0;
	if (load_schema(r, d, "tenantc.json", &r->schema_settings) ||
	    load_schema(r, d, "environment.json", &r->schema_env) ||
	    load_schema(r, d, "tenant.json", &r->schema_tenant))
		return -1;
	if (load_settings(r, d))
		rc = -1;
	if (load_envs(r, d))
		rc = -1;
	if (load_templates(r, d))
		rc = -1;
	if (load_policies(r, d))
		rc = -1;
	if (nonly ? some_tenants(r, only, nonly, d) : list_tenants(r, d))
		rc = -1;
	if (nonly && rc == 0)
		shared_or_peers(r, only, nonly);
	const char *id = tc_source_commit_id(src);
	tc_pos p = TC_NOPOS;
	char tbuf[32];
	tc_format_time(tbuf, id ? tc_source_commit_time(src) : 0);
	r->now = tc_arena_strdup(&r->arena, now_override ? now_override : tbuf);
	if (rc == 0 && load_files(r, now_override, d))
		rc = -1;
	if (id) {
		tc_objb b;
		tc_objb_init(&b);
		tc_objb_addz(&b, "id", tc_value_strz(&r->arena, id, p));
		tc_objb_addz(&b, "time", tc_value_strz(&r->arena, tbuf, p));
		r->commit = tc_objb_finish(&b, &r->arena, p, NULL);
	} else {
		r->commit = tc_value_null(&r->arena, p);
	}
	return rc;
}

void tc_repo_release(tc_repo *r)
{
	tc_filecheck_release(&r->filecheck);
	for (size_t i = 0; i < r->ntemplates; i++)
		tc_jsone_compiled_free(r->templates[i].compiled);
	tc_schema_free(r->schema_settings);
	tc_schema_free(r->schema_env);
	tc_schema_free(r->schema_tenant);
	tc_schema_store_free(r->schema_store);
	free(r->tree_shared);
	pthread_mutex_destroy(&r->src_lock);
	tc_arena_release(&r->arena);
}

static bool mentions(const tc_value *v, const char *w)
{
	size_t n = strlen(w);
	switch (v->kind) {
	case TC_STR:
		return memmem(v->u.str.ptr, v->u.str.len, w, n) != NULL;
	case TC_ARRAY:
		for (size_t i = 0; i < v->u.arr.len; i++)
			if (mentions(v->u.arr.items[i], w))
				return true;
		return false;
	case TC_OBJECT:
		for (size_t i = 0; i < v->u.obj.len; i++) {
			const tc_member *m = &v->u.obj.members[i];
			if (memmem(m->key, m->klen, w, n) || mentions(m->val, w))
				return true;
		}
		return false;
	default:
		return false;
	}
}

bool tc_repo_template_mentions(const tc_template *t, const char *word)
{
	return mentions(t->body, word);
}

bool tc_repo_uses_now(const tc_repo *r)
{
	for (size_t i = 0; i < r->ntemplates; i++)
		if (mentions(r->templates[i].body, "now") || mentions(r->templates[i].body, "Now"))
			return true;
	return false;
}

const tc_env *tc_repo_env(const tc_repo *r, const char *name)
{
	for (size_t i = 0; i < r->nenvs; i++)
		if (strcmp(r->envs[i].name, name) == 0)
			return &r->envs[i];
	return NULL;
}

/* Recursively read dir (relative to the tenant folder) into a list. */
static int read_tree(tc_source *src, tc_arena *a, tc_diags *d, const char *base, const char *rel,
                     tc_file **files, size_t *n, size_t *cap, size_t *total)
{
	char *dir = tc_path_join_arena(a, base, rel);
	tc_entry *e;
	size_t ne;
	if (tc_source_list(src, d, dir, &e, &ne))
		return -1;
	int rc = 0;
	for (size_t i = 0; i < ne && rc == 0; i++) {
		char *sub = tc_path_join_arena(a, rel, e[i].name);
		char *full = tc_path_join_arena(a, base, sub);
		if (e[i].type == TC_ENTRY_DIR) {
			rc = read_tree(src, a, d, base, sub, files, n, cap, total);
			continue;
		}
		if (e[i].type != TC_ENTRY_FILE) {
			/* the source names the reason (a symbolic link, a submodule) */
			char *junk;
			size_t jl;
			int r = tc_source_read(src, d, full, &junk, &jl);
			if (r == 0) {
				free(junk);
				tc_error(d, (tc_pos){full, 1, 1}, NULL,
				         "'%s' is not a regular file", full);
			}
			rc = -1;
			continue;
		}
		char *data;
		size_t len;
		int r = tc_source_read(src, d, full, &data, &len);
		if (r) {
			rc = -1;
			continue;
		}
		*total += len;
		if (*total > TENANT_FILES_MAX) {
			free(data);
			rc = tc_error(
				d, (tc_pos){full, 1, 1}, NULL,
				"the files of '%s' exceed %zu MiB; mount large data as a volume",
				base, TENANT_FILES_MAX >> 20);
			continue;
		}
		if (*n == *cap) {
			size_t ncap = *cap ? *cap * 2 : 8;
			tc_file *f = tc_arena_alloc(a, ncap * sizeof *f);
			if (*n)
				memcpy(f, *files, *n * sizeof *f);
			*files = f;
			*cap = ncap;
		}
		(*files)[(*n)++] = (tc_file){sub, tc_arena_memdup0(a, data, len), len};
		free(data);
	}
	tc_entries_free(e, ne);
	return rc;
}

/* Files by path bytes: a listing walk puts "a/b" before "a.txt". */
static int cmp_file(const void *x, const void *y)
{
	return strcmp(((const tc_file *)x)->path, ((const tc_file *)y)->path);
}

/* The instant certificates are checked at (filecheck.h): --now, else the
 * commit's time, else, outside git, the clock. It decides whether a
 * render passes, never what it writes. */
static int64_t check_time(const tc_repo *r, const char *now_override, const char **from)
{
	tc_civil c;
	if (now_override &&
	    tc_time_parse_rfc3339(&c, now_override, strlen(now_override), TC_RFC3339_LOWER)) {
		*from = "--now";
		return tc_time_to_ms(&c) / 1000;
	}
	if (tc_source_commit_id(r->src)) {
		*from = "the commit time";
		return tc_source_commit_time(r->src);
	}
	*from = "the system clock, as a folder outside git has no commit";
	return (int64_t)time(NULL);
}

/* files/ at the root, for every template, and the file checks' setup
 * (the CA bundle that files.caBundle names). */
static int load_files(tc_repo *r, const char *now_override, tc_diags *d)
{
	const tc_value *bp = tc_filecheck_bundle_setting(r->settings);
	char *bundle = NULL;
	size_t blen = 0;
	if (bp) {
		tc_path at = TC_PATH_KEY(NULL, "files", 5);
		tc_path at2 = TC_PATH_KEY(&at, "caBundle", 8);
		if (!tc_source_path_ok(bp->u.str.ptr))
			return tc_error(d, bp->pos, &at2,
			                "'%s' is not a path inside the repository", bp->u.str.ptr);
		int rc = tc_source_read(r->src, d, bp->u.str.ptr, &bundle, &blen);
		if (rc == 1)
			return tc_error(d, bp->pos, &at2, "the CA bundle '%s' does not exist",
			                bp->u.str.ptr);
		if (rc)
			return -1;
	}
	const char *from;
	int64_t when = check_time(r, now_override, &from);
	if (tc_filecheck_init(&r->filecheck, r->settings, bundle, blen, when, from, d))
		return -1;
	size_t cap = 0, total = 0;
	if (read_tree(r->src, &r->arena, d, "files", "", &r->files, &r->nfiles, &cap, &total))
		return -1;
	if (r->nfiles > 1)
		qsort(r->files, r->nfiles, sizeof *r->files, cmp_file);
	return tc_filecheck_folder(&r->filecheck, d, "files", r->files, r->nfiles);
}

static int tenant_envs(const tc_repo *r, tc_arena *a, tc_diags *d, tc_tenant *t)
{
	const tc_value *envs = tc_value_getz(t->doc, "environments");
	t->envs = tc_arena_alloc(a, r->nenvs * sizeof *t->envs);
	t->nenvs = 0;
	if (!envs || envs->kind == TC_NULL) {
		for (size_t i = 0; i < r->nenvs; i++)
			t->envs[t->nenvs++] = &r->envs[i];
		return 0;
	}
	tc_path at = TC_PATH_KEY(NULL, "environments", 12);
	if (envs->kind != TC_ARRAY)
		return tc_error(d, envs->pos, &at, "'environments' must be a list of names, not %s",
		                tc_kind_name(envs->kind));
	int rc = 0;
	bool *seen = tc_arena_calloc(a, r->nenvs + 1);
	for (size_t i = 0; i < envs->u.arr.len; i++) {
		const tc_value *v = envs->u.arr.items[i];
		tc_path ai = TC_PATH_INDEX(&at, i);
		if (v->kind != TC_STR) {
			rc = tc_error(d, v->pos, &ai,
			              "an environment name must be a string, not %s",
			              tc_kind_name(v->kind));
			continue;
		}
		size_t j;
		for (j = 0; j < r->nenvs; j++)
			if (tc_value_streq(v, r->envs[j].name))
				break;
		if (j == r->nenvs) {
			rc = tc_error(d, v->pos, &ai, "unknown environment '%.*s'",
			              (int)v->u.str.len, v->u.str.ptr);
			continue;
		}
		if (seen[j]) {
			rc = tc_error(d, v->pos, &ai, "environment '%s' is listed twice",
			              r->envs[j].name);
			continue;
		}
		seen[j] = true;
	}
	for (size_t j = 0; j < r->nenvs; j++) /* r->envs is sorted, so these are too */
		if (seen[j])
			t->envs[t->nenvs++] = &r->envs[j];
	return rc;
}

/* A parsed tenant.yaml: a mapping valid by the schema, named after its
 * folder, in known environments, with overrides only for those. */
/* ---- the platform's policy for tenant inputs (tenantc.yaml `policy`) ----
 *
 * What a tenant may ask for, checked at the line of tenant.yaml that asks,
 * in the tenant's own settings and in each section of its overrides:
 *
 *   network.egress[].cidr   within a block of policy.egress; without that
 *                           setting any block but a whole address family
 *                           (0.0.0.0/0, ::/0)
 *   network.egress[].ports  present and not empty: a NetworkPolicy egress
 *                           rule without ports matches every port
 *                           (networking.k8s.io/v1 NetworkPolicyEgressRule)
 *   values.podSecurity      a Pod Security Standards level (privileged,
 *                           baseline, restricted) among policy.podSecurity,
 *                           default baseline and restricted: privileged is
 *                           the platform's to grant
 */
static const char *const pss_levels[] = {"privileged", "baseline", "restricted"};

static bool cidr_within(const unsigned char *ip, bool v6, int bits, const char *block)
{
	unsigned char net[16];
	bool bv6;
	int bbits;
	if (!tc_k8s_parse_cidr(block, strlen(block), net, &bv6, &bbits) || bv6 != v6 ||
	    bits < bbits)
		return false;
	for (int i = 0; i < bbits; i++) {
		unsigned char m = (unsigned char)(0x80u >> (i % 8));
		if ((ip[i / 8] & m) != (net[i / 8] & m))
			return false;
	}
	return true;
}

/* The block of an egress rule against policy.egress of tenantc.yaml (a
 * list of allowed blocks), or, without one, not every address. */
static int check_egress_block(const tc_value *allowed, const tc_value *cidr, const tc_path *pc,
                              const unsigned char ip[16], bool v6, int bits, tc_diags *d)
{
	if (allowed && allowed->kind == TC_ARRAY) {
		bool ok = false;
		for (size_t k = 0; k < allowed->u.arr.len; k++) {
			const tc_value *b = allowed->u.arr.items[k];
			if (b->kind == TC_STR && cidr_within(ip, v6, bits, b->u.str.ptr))
				ok = true;
		}
		if (!ok)
			return tc_error(d, cidr->pos, pc,
			                "'%s' is not within the blocks tenantc.yaml lets tenants "
			                "reach (policy.egress)",
			                cidr->u.str.ptr);
	} else if (bits == 0) {
		return tc_error(d, cidr->pos, pc,
		                "'%s' is every %s address: a tenant's egress must name the "
		                "networks it needs (tenantc.yaml policy.egress can allow wider "
		                "blocks)",
		                cidr->u.str.ptr, v6 ? "IPv6" : "IPv4");
	}
	return 0;
}

/* One egress rule {cidr, ports} at pi. */
static int check_egress_rule(const tc_value *allowed, const tc_value *e, const tc_path *pi,
                             tc_diags *d)
{
	const tc_value *cidr = tc_value_getz(e, "cidr"), *ports = tc_value_getz(e, "ports");
	if (e->kind != TC_OBJECT || !cidr || cidr->kind != TC_STR)
		return 0;
	tc_path pc = TC_PATH_KEY(pi, "cidr", 4);
	unsigned char ip[16];
	bool v6;
	int bits;
	if (!tc_k8s_parse_cidr(cidr->u.str.ptr, cidr->u.str.len, ip, &v6, &bits))
		return tc_error(d, cidr->pos, &pc, "'%s' is not an IPv4 or IPv6 CIDR",
		                cidr->u.str.ptr);
	int rc = check_egress_block(allowed, cidr, &pc, ip, v6, bits, d);
	if (!ports || ports->kind != TC_ARRAY || ports->u.arr.len == 0) {
		tc_path pp = TC_PATH_KEY(pi, "ports", 5);
		rc = tc_error(d, ports ? ports->pos : e->pos, ports ? &pp : pi,
		              "egress to '%s' needs its ports: a NetworkPolicy rule without "
		              "ports allows every port",
		              cidr->u.str.ptr);
	}
	return rc;
}

static int check_egress(const tc_repo *r, tc_diags *d, const tc_value *egress, const tc_path *at)
{
	const tc_value *allowed = tc_value_dig(r->settings, "policy.egress");
	int rc = 0;
	for (size_t i = 0; egress && egress->kind == TC_ARRAY && i < egress->u.arr.len; i++) {
		tc_path pi = TC_PATH_INDEX(at, i);
		if (check_egress_rule(allowed, egress->u.arr.items[i], &pi, d))
			rc = -1;
	}
	return rc;
}

static int check_pod_security(const tc_repo *r, tc_diags *d, const tc_value *level,
                              const tc_path *at)
{
	if (!level || level->kind != TC_STR)
		return 0;
	bool known = false;
	for (size_t i = 0; i < sizeof pss_levels / sizeof *pss_levels; i++)
		if (strcmp(level->u.str.ptr, pss_levels[i]) == 0)
			known = true;
	if (!known)
		return tc_error(d, level->pos, at,
		                "'%s' is not a Pod Security Standards level (privileged, baseline, "
		                "restricted)",
		                level->u.str.ptr);
	const tc_value *allowed = tc_value_dig(r->settings, "policy.podSecurity");
	if (allowed && allowed->kind == TC_ARRAY) {
		for (size_t i = 0; i < allowed->u.arr.len; i++)
			if (tc_value_streq(allowed->u.arr.items[i], level->u.str.ptr))
				return 0;
	} else if (strcmp(level->u.str.ptr, "privileged") != 0) {
		return 0;
	}
	return tc_error(d, level->pos, at,
	                "Pod Security level '%s' is not one tenantc.yaml lets tenants choose "
	                "(policy.podSecurity, default baseline and restricted)",
	                level->u.str.ptr);
}

/* One section of tenant.yaml: the file itself, or one of its overrides. */
static int check_policy_section(const tc_repo *r, tc_diags *d, const tc_value *sec,
                                const tc_path *at)
{
	tc_path pn = TC_PATH_KEY(at, "network", 7);
	tc_path pe = TC_PATH_KEY(&pn, "egress", 6);
	tc_path pv = TC_PATH_KEY(at, "values", 6);
	tc_path ps = TC_PATH_KEY(&pv, "podSecurity", 11);
	int rc = check_egress(r, d, tc_value_dig(sec, "network.egress"), &pe);
	if (check_pod_security(r, d, tc_value_dig(sec, "values.podSecurity"), &ps))
		rc = -1;
	return rc;
}

static int check_policy(const tc_repo *r, tc_diags *d, const tc_tenant *t)
{
	int rc = check_policy_section(r, d, t->doc, NULL);
	const tc_value *ov = tc_value_getz(t->doc, "overrides");
	tc_path po = TC_PATH_KEY(NULL, "overrides", 9);
	for (size_t i = 0; ov && ov->kind == TC_OBJECT && i < ov->u.obj.len; i++) {
		const tc_member *m = &ov->u.obj.members[i];
		tc_path pm = TC_PATH_KEY(&po, m->key, m->klen);
		if (check_policy_section(r, d, m->val, &pm))
			rc = -1;
	}
	return rc;
}

static int check_tenant(const tc_repo *r, tc_arena *a, tc_diags *d, tc_tenant *t)
{
	if (t->doc->kind != TC_OBJECT)
		return tc_error(d, t->doc->pos, NULL, "a tenant must be a mapping, not %s",
		                tc_kind_name(t->doc->kind));
	if (check_input(r->schema_tenant, t->doc, d))
		return -1;
	if (check_name(d, t->doc, t->path, t->name, "tenant", TENANT_NAME_MAX))
		return -1;
	if (tenant_envs(r, a, d, t))
		return -1;
	if (check_policy(r, d, t))
		return -1;
	if (tc_tenant_view_check(r, t, d))
		return -1;
	if (tc_apps_check(t->doc, d))
		return -1;
	if (tc_realm_check(a, t, d))
		return -1;
	return tc_realm_check_groups(a, t, d);
}

/* Which environment each input Secret is for: a file directly in secrets/
 * is for all of the tenant's environments, a file in secrets/<env>/ for
 * that one only. Any other folder is an error rather than a Secret for
 * all environments: a misspelt environment must not widen who reads it. */
static int secret_envs(const tc_repo *r, tc_arena *a, tc_diags *d, tc_tenant *t)
{
	int rc = 0;
	t->secret_envs = tc_arena_calloc(a, (t->nsecrets + 1) * sizeof *t->secret_envs);
	for (size_t i = 0; i < t->nsecrets; i++) {
		const char *p = t->secrets[i].path, *slash = strchr(p, '/');
		if (!slash)
			continue;
		size_t n = (size_t)(slash - p);
		tc_pos pos = {tc_arena_printf(a, "tenants/%s/secrets/%s", t->name, p), 1, 1};
		const tc_env *env = NULL;
		for (size_t k = 0; k < r->nenvs && !env; k++)
			if (strlen(r->envs[k].name) == n && memcmp(r->envs[k].name, p, n) == 0)
				env = &r->envs[k];
		if (!env) {
			rc = tc_error(
				d, pos, NULL,
				"'%.*s' is not an environment: a folder in tenants/%s/secrets "
				"holds the Secrets of the environment it is named after (files "
				"directly in secrets/ are for all environments)",
				(int)n, p, t->name);
			continue;
		}
		size_t k;
		for (k = 0; k < t->nenvs; k++)
			if (t->envs[k] == env)
				break;
		if (k == t->nenvs) {
			rc = tc_error(d, pos, NULL,
			              "tenant '%s' is not rendered in environment '%s', so this "
			              "Secret would never be used (add '%s' to its environments or "
			              "remove the file)",
			              t->name, env->name, env->name);
			continue;
		}
		t->secret_envs[i] = env;
	}
	return rc;
}

bool tc_tenant_secret_used_in(const tc_tenant *t, size_t i, const tc_env *env)
{
	if (t->secret_envs[i])
		return t->secret_envs[i] == env;
	size_t n = strlen(env->name);
	const char *p = t->secrets[i].path;
	for (size_t k = 0; k < t->nsecrets; k++) {
		const char *q = t->secrets[k].path;
		if (t->secret_envs[k] == env && strncmp(q, env->name, n) == 0 && q[n] == '/' &&
		    strcmp(q + n + 1, p) == 0)
			return false;
	}
	return true;
}

int tc_repo_load_tenant(const tc_repo *r, const char *name, tc_arena *a, tc_diags *d, tc_tenant *t)
{
	memset(t, 0, sizeof *t);
	t->name = tc_arena_strdup(a, name);
	t->path = tc_arena_printf(a, "tenants/%s/tenant.yaml", name);
	/* the source (libgit2) is used under the lock; parsing is not */
	pthread_mutex_t *lock = (pthread_mutex_t *)&r->src_lock;
	pthread_mutex_lock(lock);
	char *data = NULL;
	size_t len = 0;
	int rc = tc_source_read(r->src, d, t->path, &data, &len);
	if (rc == 1)
		rc = tc_error(d, (tc_pos){t->path, 1, 1}, NULL,
		              "unknown tenant '%s': there is no tenants/%s/tenant.yaml", name,
		              name);
	size_t cap = 0, total = 0;
	if (rc == 0) {
		char *base = tc_arena_printf(a, "tenants/%s/files", name);
		rc = read_tree(r->src, a, d, base, "", &t->files, &t->nfiles, &cap, &total);
	}
	if (rc == 0) {
		char *base = tc_arena_printf(a, "tenants/%s/secrets", name);
		cap = total = 0;
		rc = read_tree(r->src, a, d, base, "", &t->secrets, &t->nsecrets, &cap, &total);
	}
	pthread_mutex_unlock(lock);
	if (rc == 0) {
		if (t->nfiles > 1)
			qsort(t->files, t->nfiles, sizeof *t->files, cmp_file);
		rc = tc_filecheck_folder(&r->filecheck, d,
		                         tc_arena_printf(a, "tenants/%s/files", name), t->files,
		                         t->nfiles);
	}
	if (rc == 0)
		rc = tc_doc_load(&t->doc, a, d, t->path, data, len);
	free(data);
	if (rc)
		return -1;
	if (check_tenant(r, a, d, t))
		return -1;
	return secret_envs(r, a, d, t);
}

int tc_repo_load_tenant_settings(const tc_repo *r, const char *name, tc_arena *a, tc_diags *d,
                                 tc_tenant *t)
{
	memset(t, 0, sizeof *t);
	t->name = tc_arena_strdup(a, name);
	t->path = tc_arena_printf(a, "tenants/%s/tenant.yaml", name);
	pthread_mutex_t *lock = (pthread_mutex_t *)&r->src_lock;
	pthread_mutex_lock(lock);
	char *data = NULL;
	size_t len = 0;
	int rc = tc_source_read(r->src, d, t->path, &data, &len);
	pthread_mutex_unlock(lock);
	if (rc == 1)
		rc = tc_error(d, (tc_pos){t->path, 1, 1}, NULL,
		              "unknown tenant '%s': there is no tenants/%s/tenant.yaml", name,
		              name);
	if (rc == 0)
		rc = tc_doc_load(&t->doc, a, d, t->path, data, len);
	free(data);
	if (rc)
		return -1;
	return check_tenant(r, a, d, t);
}
