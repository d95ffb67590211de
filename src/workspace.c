/*
 * workspace.c - opening what a render reads: source, repository, keys,
 * rendering identity, output schemas (see workspace.h).
 *
 * render, check and diff each wrote this prologue by hand; here it is one
 * function with one order, and one release that is safe at every step.
 */
#include "workspace.h"

#include "arena.h"
#include "buf.h"
#include "schema_set.h"
#include "sops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static char *join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = tc_xmalloc(n);
	snprintf(p, n, "%s/%s", a, b);
	return p;
}

/* Schema folders being gathered: the list to open and the paths made for
 * it, which the list borrows. */
typedef struct locations {
	tc_strlist list;
	char **owned;
	size_t nowned, cap;
} locations;

static void add_owned(locations *l, char *path)
{
	TC_GROW(l->owned, l->cap, l->nowned + 1);
	l->owned[l->nowned++] = path;
	tc_strlist_push(&l->list, path);
}

/* tenantc.yaml's schemaLocation: one folder or a list, relative ones
 * below the repository. Returns how many entries it has. */
static size_t settings_locations(locations *l, const char *repo_dir, const tc_value *sl)
{
	const tc_value *one[1] = {sl};
	const tc_value *const *items = one;
	size_t n = sl ? 1 : 0;
	if (sl && sl->kind == TC_ARRAY) {
		items = (const tc_value *const *)sl->u.arr.items;
		n = sl->u.arr.len;
	}
	for (size_t i = 0; i < n; i++) {
		const char *path = items[i]->kind == TC_STR ? items[i]->u.str.ptr : NULL;
		if (path)
			add_owned(l, path[0] == '/' ? tc_xstrdup(path) : join(repo_dir, path));
	}
	return n;
}

/* The repository's schemas/ when it holds kubeconform's layout. */
static void default_location(locations *l, const char *repo_dir)
{
	char *dflt = join(repo_dir, "schemas");
	char *k = join(dflt, "kubernetes"), *c = join(dflt, "crd-json");
	if (is_dir(k) || is_dir(c))
		add_owned(l, dflt);
	else
		free(dflt);
	free(k);
	free(c);
}

/* What makes a folder a tenantc repository: at least one of these at its
 * root (tenantc.yaml is optional, and a new repository may have only
 * environments/ so far). */
static const char *const repo_signs[] = {"tenantc.yaml", "environments", "tenants"};

static bool has_sign(const char *dir)
{
	for (size_t i = 0; i < sizeof repo_signs / sizeof repo_signs[0]; i++) {
		char *p = join(dir, repo_signs[i]);
		struct stat st;
		bool found = lstat(p, &st) == 0;
		free(p);
		if (found)
			return true;
	}
	return false;
}

/* The nearest folder above dir that is a repository (malloc'd), or NULL:
 * a command run in a subfolder (templates/, tenants/acme/) names it. */
static char *enclosing_repo(const char *dir)
{
	char *p = realpath(dir, NULL);
	while (p && strcmp(p, "/") != 0) {
		char *slash = strrchr(p, '/');
		if (slash == p)
			slash[1] = 0;
		else
			*slash = 0;
		if (has_sign(p))
			return p;
	}
	free(p);
	return NULL;
}

/* Refuse a source without tenantc.yaml, environments/ and tenants/: a
 * render there would write an empty tree (and the next render of the real
 * repository would take the empty output folder for a tenant). Looks in
 * what the source reads (the folder, the index or the revision). */
static int check_is_repo(const tc_workspace *w, tc_diags *d)
{
	tc_entry *e = NULL;
	size_t n = 0;
	if (tc_source_list(w->src, d, "", &e, &n))
		return -1;
	bool found = false;
	for (size_t i = 0; i < n && !found; i++)
		for (size_t k = 0; k < sizeof repo_signs / sizeof repo_signs[0]; k++)
			found = found || strcmp(e[i].name, repo_signs[k]) == 0;
	tc_entries_free(e, n);
	if (found)
		return 0;
	char *real = realpath(w->repo_dir, NULL);
	char *above = enclosing_repo(w->repo_dir);
	const char *kind = tc_source_kind_name(w->src);
	tc_error(d, TC_NOPOS, NULL,
	         "'%s'%s%s%s is not a tenantc repository: its %s has no tenantc.yaml, "
	         "environments/ or tenants/; %s%s%s",
	         w->repo_dir, real && strcmp(real, w->repo_dir) ? " (" : "",
	         real && strcmp(real, w->repo_dir) ? real : "",
	         real && strcmp(real, w->repo_dir) ? ")" : "",
	         strcmp(kind, "directory") == 0 ? "folder" : kind,
	         above ? "it lies inside the repository '"
	               : "give --repo DIR, or create one with "
	                 "'tenantc init DIR'",
	         above ? above : "",
	         above ? "': give --repo with that folder or run tenantc there" : "");
	free(above);
	free(real);
	return -1;
}

/* The schemas for output validation: --schema-location, else
 * tenantc.yaml's schemaLocation (relative to the repository), else the
 * repository's schemas/ when it holds kubeconform's layout; and the
 * built-in schemas of tenantc.yaml's kubernetesVersion for the rest. */
static int open_schemas(tc_schema_set **out, const tc_strlist *flags, const char *repo_dir,
                        const tc_value *settings, tc_diags *d)
{
	*out = NULL;
	locations l = {0};
	for (size_t i = 0; flags && i < flags->len; i++)
		tc_strlist_push(&l.list, flags->items[i]);
	if (!(flags && flags->len) &&
	    settings_locations(&l, repo_dir, tc_value_getz(settings, "schemaLocation")) == 0)
		default_location(&l, repo_dir);
	const tc_value *kv = tc_value_getz(settings, "kubernetesVersion");
	bool kset = kv && kv->kind == TC_STR;
	tc_schema_set_opts so = {l.list.items, l.list.len, kset ? kv->u.str.ptr : NULL,
	                         kset ? kv->pos : TC_NOPOS, false};
	int rc = tc_schema_set_open(out, &so, d);
	for (size_t i = 0; i < l.nowned; i++)
		free(l.owned[i]);
	free(l.owned);
	tc_strlist_release(&l.list);
	return rc;
}

tc_sops_seed *tc_workspace_seed(const tc_sops_keys *keys, const tc_repo *r)
{
	const tc_value *rcp = tc_value_dig(r->settings, "sops.age");
	const char *list[64]; /* recipients of a repository: a handful */
	size_t n = 0;
	for (size_t i = 0; rcp && rcp->kind == TC_ARRAY && i < rcp->u.arr.len && n < 64; i++)
		if (rcp->u.arr.items[i]->kind == TC_STR)
			list[n++] = rcp->u.arr.items[i]->u.str.ptr;
	return tc_sops_seed_new(keys, list, n);
}

int tc_workspace_open(tc_workspace *w, const tc_workspace_opts *o, tc_diags *d)
{
	memset(w, 0, sizeof *w);
	w->repo_dir = o->repo_dir ? o->repo_dir : ".";
	w->failed = TC_WS_SOURCE;
	if (tc_source_open(&w->src, d, w->repo_dir, o->kind, o->rev))
		return -1;
	w->failed = TC_WS_NOREPO;
	if (check_is_repo(w, d))
		return -1;
	w->loaded = true;
	w->failed = TC_WS_REPO;
	int rc = o->tenants && o->tenants->len
	                 ? tc_repo_load_some(&w->repo, w->src, o->now, o->tenants->items,
	                                     o->tenants->len, d)
	                 : tc_repo_load(&w->repo, w->src, o->now, d);
	if (rc)
		return -1;
	if (strcmp(w->repo_dir, ".") == 0) {
		w->output = tc_xstrdup(w->repo.output);
	} else {
		size_t n = strlen(w->repo_dir) + strlen(w->repo.output) + 2;
		w->output = tc_xmalloc(n);
		snprintf(w->output, n, "%s/%s", w->repo_dir, w->repo.output);
	}
	w->failed = TC_WS_KEYS;
	w->keys = o->keys;
	if (!w->keys) {
		if (tc_sops_keys_from_env(&w->own_keys, d))
			return -1;
		w->keys = w->own_keys;
	}
	w->seed = tc_workspace_seed(w->keys, &w->repo);
	w->failed = TC_WS_SCHEMAS;
	if (o->schemas &&
	    open_schemas(&w->schemas, o->schema_locs, w->repo_dir, w->repo.settings, d))
		return -1;
	w->failed = TC_WS_OK;
	return 0;
}

void tc_workspace_release(tc_workspace *w)
{
	tc_schema_set_free(w->schemas);
	tc_sops_seed_free(w->seed);
	tc_sops_keys_free(w->own_keys);
	if (w->loaded)
		tc_repo_release(&w->repo);
	tc_source_free(w->src);
	free(w->output);
	memset(w, 0, sizeof *w);
}

/* At most this many names in a message that lists what exists: a
 * repository may hold thousands of tenants. */
#define NAMES_SHOWN 10

static void add_names(tc_buf *b, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n && i < NAMES_SHOWN; i++)
		tc_buf_addf(b, "%s%s", i ? ", " : "", names[i]);
	if (n > NAMES_SHOWN)
		tc_buf_addf(b, " and %zu more", n - NAMES_SHOWN);
	if (n == 0)
		tc_buf_adds(b, "none");
}

static int unknown_env(const tc_workspace *w, const char *name, tc_diags *d)
{
	const char **names = tc_xcalloc(w->repo.nenvs + 1, sizeof *names);
	for (size_t i = 0; i < w->repo.nenvs; i++)
		names[i] = w->repo.envs[i].name;
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	add_names(&b, names, w->repo.nenvs);
	tc_error(d, TC_NOPOS, NULL, "unknown environment '%s'; the environments: %s", name,
	         tc_buf_str(&b));
	tc_buf_release(&b);
	free(names);
	return -1;
}

static int unknown_tenant(const tc_workspace *w, const char *name, tc_diags *d)
{
	tc_entry *e = NULL;
	size_t n = 0;
	tc_diags scratch;
	tc_diags_init(&scratch);
	if (tc_source_list(w->src, &scratch, "tenants", &e, &n))
		n = 0;
	tc_diags_release(&scratch);
	const char **names = tc_xcalloc(n + 1, sizeof *names);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (e[i].type == TC_ENTRY_DIR)
			names[k++] = e[i].name;
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	add_names(&b, names, k);
	tc_buf path;
	tc_buf_init(&path, TC_BUF_UNLIMITED);
	tc_buf_addf(&path, "tenants/%s/tenant.yaml", name);
	tc_error(d, (tc_pos){tc_buf_str(&path), 1, 1}, NULL,
	         "unknown tenant '%s': there is no %s; the tenants: %s", name, tc_buf_str(&path),
	         tc_buf_str(&b));
	tc_buf_release(&path);
	tc_buf_release(&b);
	free(names);
	tc_entries_free(e, n);
	return -1;
}

/* A tenant asked for that the environments asked for do not have. */
static int tenant_elsewhere(const tc_tenant *t, const tc_strlist *envs, tc_diags *d)
{
	tc_buf want, has;
	tc_buf_init(&want, TC_BUF_UNLIMITED);
	tc_buf_init(&has, TC_BUF_UNLIMITED);
	add_names(&want, envs->items, envs->len);
	for (size_t i = 0; i < t->nenvs; i++)
		tc_buf_addf(&has, "%s%s", i ? ", " : "", t->envs[i]->name);
	if (t->nenvs == 0)
		tc_buf_adds(&has, "none");
	tc_error(d, TC_NOPOS, NULL, "tenant '%s' is not in %s (--env); its environments: %s",
	         t->name, tc_buf_str(&want), tc_buf_str(&has));
	tc_buf_release(&want);
	tc_buf_release(&has);
	return -1;
}

int tc_workspace_check_selection(const tc_workspace *w, const tc_strlist *envs,
                                 const tc_strlist *tenants, tc_diags *d)
{
	int rc = 0;
	for (size_t i = 0; envs && i < envs->len; i++)
		if (!tc_repo_env(&w->repo, envs->items[i]))
			rc = unknown_env(w, envs->items[i], d);
	for (size_t i = 0; rc == 0 && tenants && i < tenants->len; i++) {
		const char *name = tenants->items[i];
		tc_buf path;
		tc_buf_init(&path, TC_BUF_UNLIMITED);
		tc_buf_addf(&path, "tenants/%s/tenant.yaml", name);
		char *data = NULL;
		size_t len = 0;
		tc_diags scratch;
		tc_diags_init(&scratch);
		/* a tenant that does not load is the render's to report, in full */
		int missing = tc_source_read(w->src, &scratch, tc_buf_str(&path), &data, &len);
		free(data);
		tc_buf_release(&path);
		if (missing == 1) {
			rc = unknown_tenant(w, name, d);
		} else if (missing == 0 && envs && envs->len) {
			tc_arena a;
			tc_arena_init(&a);
			tc_tenant t;
			if (tc_repo_load_tenant(&w->repo, name, &a, &scratch, &t) == 0) {
				bool in = false;
				for (size_t k = 0; k < t.nenvs && !in; k++)
					in = tc_strlist_has(envs, t.envs[k]->name);
				if (!in)
					rc = tenant_elsewhere(&t, envs, d);
			}
			tc_arena_release(&a);
		}
		tc_diags_release(&scratch);
	}
	return rc;
}
