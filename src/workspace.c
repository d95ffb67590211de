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

/* The schema folders for output validation: --schema-location, else
 * tenantc.yaml's schemaLocation (relative to the repository), else the
 * repository's schemas/ when it holds kubeconform's layout. */
static int open_schemas(tc_schema_set **out, const tc_strlist *flags, const char *repo_dir,
                        const tc_value *settings, tc_diags *d)
{
	*out = NULL;
	tc_strlist locs = {0};
	char **owned = NULL;
	size_t nowned = 0, cap = 0;
	if (flags && flags->len) {
		for (size_t i = 0; i < flags->len; i++)
			tc_strlist_push(&locs, flags->items[i]);
	} else {
		const tc_value *sl = tc_value_getz(settings, "schemaLocation");
		const tc_value *one[1] = {sl};
		const tc_value *const *items = one;
		size_t n = sl ? 1 : 0;
		if (sl && sl->kind == TC_ARRAY) {
			items = (const tc_value *const *)sl->u.arr.items;
			n = sl->u.arr.len;
		}
		for (size_t i = 0; i < n; i++) {
			if (items[i]->kind != TC_STR)
				continue;
			TC_GROW(owned, cap, nowned + 1);
			owned[nowned] = items[i]->u.str.ptr[0] == '/'
			                        ? tc_xstrdup(items[i]->u.str.ptr)
			                        : join(repo_dir, items[i]->u.str.ptr);
			tc_strlist_push(&locs, owned[nowned++]);
		}
		if (n == 0) {
			char *dflt = join(repo_dir, "schemas");
			char *k = join(dflt, "kubernetes"), *c = join(dflt, "crd-json");
			if (is_dir(k) || is_dir(c)) {
				TC_GROW(owned, cap, nowned + 1);
				owned[nowned++] = dflt;
				tc_strlist_push(&locs, dflt);
			} else {
				free(dflt);
			}
			free(k);
			free(c);
		}
	}
	int rc = 0;
	if (locs.len) {
		const tc_value *kv = tc_value_getz(settings, "kubernetesVersion");
		tc_schema_set_opts so = {locs.items, locs.len,
		                         kv && kv->kind == TC_STR ? kv->u.str.ptr : NULL};
		rc = tc_schema_set_open(out, &so, d);
	}
	for (size_t i = 0; i < nowned; i++)
		free(owned[i]);
	free(owned);
	tc_strlist_release(&locs);
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
