/*
 * render_cache.c - a tenant job and the cache: its files from a cache
 * entry, or left as they are in the tree being updated (the state), and a
 * fresh render stored for next time (see cache.h).
 */
#include "render_impl.h"

#include "yaml_load.h"

#include <string.h>

/* The observer (the verifier) sees every object of a render, those of the
 * tenants it keeps too: their files are parsed back, positions in the
 * rendered file (path under the output folder), since no template ran for
 * them. Secrets are left out, as for rendered objects; a file that does not
 * parse is skipped (it came from an earlier render of the same inputs). */
static void observe_file(work *w, const tc_tenant *t, const char *path, const char *data,
                         size_t len)
{
	const tc_render_opts *o = w->p->opts;
	const tc_repo *r = w->p->repo;
	const char *slash = strchr(path, '/');
	const char *base = strrchr(path, '/');
	if (!slash || !data || strcmp(base + 1, "kustomization.yaml") == 0)
		return;
	const tc_env *env = NULL;
	for (size_t i = 0; i < r->nenvs; i++)
		if (strlen(r->envs[i].name) == (size_t)(slash - path) &&
		    memcmp(r->envs[i].name, path, (size_t)(slash - path)) == 0)
			env = &r->envs[i];
	if (!env)
		return;
	tc_arena a;
	tc_arena_init(&a);
	tc_diags d;
	tc_diags_init(&d);
	const char *file = o->prev_root ? tc_path_join_arena(&a, o->prev_root, path) : path;
	tc_value *docs = NULL;
	if (tc_yaml_load_stream(&docs, &a, &d, file, data, len, NULL) == 0 && docs &&
	    docs->kind == TC_ARRAY)
		for (size_t i = 0; i < docs->u.arr.len; i++) {
			const tc_value *obj = docs->u.arr.items[i];
			const char *kind = str_at(obj, "kind");
			if (obj->kind == TC_OBJECT && kind && strcmp(kind, "Secret") != 0)
				o->observe(o->observe_ctx, env, t, obj);
		}
	tc_diags_release(&d);
	tc_arena_release(&a);
}

/* A kept tenant as the observer needs it: its tenant.yaml (the verifier
 * reads its declared egress), then each of its files. */
static bool observe_tenant(work *w, tc_tenant *t)
{
	job *j = w->j;
	tc_diags d;
	tc_diags_init(&d);
	int rc = tc_repo_load_tenant(w->p->repo, j->tenant, w->a, &d, t);
	tc_diags_release(&d);
	return rc == 0;
}

/* A cache hit: the tenant's files as they were rendered. */
bool tc_render_from_cache(work *w, const char *key)
{
	const tc_render_opts *o = w->p->opts;
	job *j = w->j;
	tc_cache_entry e;
	if (tc_cache_get(o->cache, key, &e) != 0)
		return false;
	tc_tenant t;
	bool observe = o->observe && observe_tenant(w, &t);
	for (size_t i = 0; i < e.files.len; i++) {
		tc_outfile *f = &e.files.items[i];
		if (observe && f->manifest)
			observe_file(w, &t, f->path, f->data, f->len);
		tc_render_store(o, j, f->path, f->data, f->len, f->manifest);
		f->path = NULL;
		f->data = NULL;
	}
	for (size_t i = 0; i < e.nidents; i++) {
		tc_render_add_cached_ident(w, e.idents[i]);
		tc_render_refs_add_ident(w, e.idents[i]);
	}
	j->k->idents = e.idents; /* kept for the tree state */
	j->k->nidents = j->k->capidents = e.nidents;
	e.idents = NULL;
	e.nidents = 0;
	j->nobjects = e.nobjects;
	j->rendered_tenant = e.rendered;
	j->from_cache = true;
	tc_cache_entry_release(&e);
	return true;
}

/* The tenant is unchanged in the tree being updated: nothing to write and
 * nothing to copy; its record stays in the state (kept). */
bool tc_render_from_state(work *w, const char *key)
{
	const tc_render_opts *o = w->p->opts;
	job *j = w->j;
	tc_state_tenant *t = tc_tree_state_lookup(state_of(o), j->tenant, key);
	if (!t)
		return false;
	/* with the state's index of identity hashes, only the shards the
	 * render's objects fall into are compared (tc_render_ids_from_state),
	 * and the references still open look theirs up (tc_render_refs_report) */
	if (!w->p->state_ids)
		for (size_t i = 0; i < t->nidents; i++) {
			tc_render_add_cached_ident(w, t->idents[i]);
			tc_render_refs_add_ident(w, t->idents[i]);
		}
	tc_tenant tv;
	if (o->observe && o->prev_root && observe_tenant(w, &tv))
		for (size_t i = 0; i < t->npaths; i++) {
			char *full = tc_path_join(o->prev_root, t->paths[i]);
			char *data = NULL;
			size_t len = 0;
			tc_file_err fe;
			if (tc_file_read(&data, &len, full, (size_t)64 << 20, 0, &fe) == 0)
				observe_file(w, &tv, t->paths[i], data, len);
			free(data);
			free(full);
		}
	j->k->kept = t; /* tc_tree_state_lookup kept it */
	j->nobjects = t->nobjects;
	j->rendered_tenant = t->rendered;
	j->untouched = true;
	return true;
}

void tc_render_to_cache(work *w, const char *key)
{
	job *j = w->j;
	tc_cache_entry e;
	tc_cache_entry_init(&e);
	e.files = j->files; /* borrowed */
	e.idents = j->k->idents;
	e.nidents = j->k->nidents;
	e.nobjects = j->nobjects;
	e.rendered = j->rendered_tenant;
	tc_cache_put(w->p->opts->cache, key, &e);
}

/* The folders of a tenant's paths (those of one folder come together) as
 * chunks of j. */
static void chunks_of(job *j, char *const *paths, size_t n, size_t stride)
{
	for (size_t i = 0; i < n;) {
		const char *p = *(char *const *)((const char *)paths + i * stride);
		const char *slash = strrchr(p, '/');
		size_t dl = slash ? (size_t)(slash - p) : 0, k = i + 1;
		while (k < n) {
			const char *q = *(char *const *)((const char *)paths + k * stride);
			if (!(strlen(q) > dl && strncmp(q, p, dl) == 0 && q[dl] == '/' &&
			      !strchr(q + dl + 1, '/')))
				break;
			k++;
		}
		if (dl)
			tc_render_add_chunk(j, p, dl, k - i, 0, 0);
		i = k;
	}
}

/* A fresh keyed tenant's record for the new tree state: in the records
 * spool, else in memory (kj->ref.text). */
static void make_record(work *w)
{
	const tc_render_opts *o = w->p->opts;
	job *j = w->j;
	keyed *kj = j->k;
	char **paths = tc_xmalloc((j->files.len + 1) * sizeof *paths);
	for (size_t f = 0; f < j->files.len; f++)
		paths[f] = j->files.items[f].path;
	tc_state_tenant rec = {.name = (char *)j->tenant,
	                       .nobjects = j->nobjects,
	                       .rendered = j->rendered_tenant,
	                       .paths = paths,
	                       .npaths = j->files.len,
	                       .idents = kj->idents,
	                       .nidents = kj->nidents};
	memcpy(rec.key, kj->key, sizeof rec.key);
	memcpy(rec.memo, kj->memo, sizeof rec.memo);
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	if (!tc_state_record(&b, &rec)) {
		kj->bad = true;
	} else {
		tc_diags quiet;
		tc_diags_init(&quiet);
		unsigned long long off = 0;
		kj->ref = (tc_state_ref){.name = j->tenant, .len = b.len};
		if (records_of(o) && tc_spool_put(records_of(o), b.ptr, b.len, &off, &quiet) == 0) {
			kj->ref.off = off;
		} else {
			size_t len;
			kj->ref.text = tc_buf_detach(&b, &len);
		}
		tc_diags_release(&quiet);
		kj->has_ref = true;
	}
	tc_buf_release(&b);
	free(paths);
}

void tc_render_finish_keyed(work *w)
{
	const tc_render_opts *o = w->p->opts;
	job *j = w->j;
	keyed *kj = j->k;
	if (!kj || tc_diags_has_errors(&j->diags))
		return;
	if (kj->kept) {
		/* its files stay; the bucket it lives in goes when the job is done */
		const tc_state_tenant *t = kj->kept;
		kj->ref = (tc_state_ref){.name = j->tenant,
		                         .kept = true,
		                         .bucket = t->bucket,
		                         .off = t->off,
		                         .len = t->len};
		kj->has_ref = true;
		chunks_of(j, t->paths, t->npaths, sizeof *t->paths);
		kj->kept = NULL;
		return;
	}
	for (size_t f = 0; f < j->files.len; f++)
		j->files.items[f].keyed = true;
	if (saves_state(o))
		make_record(w);
	/* the identities are in the record and the cache entry now */
	for (size_t i = 0; i < kj->nidents; i++)
		free(kj->idents[i]);
	free(kj->idents);
	kj->idents = NULL;
	kj->nidents = kj->capidents = 0;
	if (tree_of(o)) {
		/* written into the new tree: only its folders are needed */
		chunks_of(j, (char *const *)&j->files.items[0].path, j->files.len,
		          sizeof j->files.items[0]);
		tc_outlist_release(&j->files);
		tc_outlist_init(&j->files);
	}
}
