/*
 * workspace.c - opening what a render reads: source, repository, keys,
 * rendering identity, output schemas (see workspace.h).
 *
 * render, check and diff each wrote this prologue by hand; here it is one
 * function with one order, and one release that is safe at every step.
 */
#include "workspace.h"

#include "arena.h"
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

/* The schema folders for output validation: --schema-location, else
 * tenantc.yaml's schemaLocation (relative to the repository), else the
 * repository's schemas/ when it holds kubeconform's layout. */
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
	int rc = 0;
	if (l.list.len) {
		const tc_value *kv = tc_value_getz(settings, "kubernetesVersion");
		tc_schema_set_opts so = {l.list.items, l.list.len,
		                         kv && kv->kind == TC_STR ? kv->u.str.ptr : NULL};
		rc = tc_schema_set_open(out, &so, d);
	}
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
