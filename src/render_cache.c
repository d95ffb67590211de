/*
 * render_cache.c - a tenant job and the cache: its files from a cache
 * entry, or left as they are in the tree being updated (the state), and a
 * fresh render stored for next time (see cache.h).
 */
#include "render_impl.h"

/* A cache hit: the tenant's files as they were rendered. */
bool tc_render_from_cache(work *w, const char *key)
{
	const tc_render_opts *o = w->p->opts;
	job *j = w->j;
	tc_cache_entry e;
	if (tc_cache_get(o->cache, key, &e) != 0)
		return false;
	for (size_t i = 0; i < e.files.len; i++) {
		tc_outfile *f = &e.files.items[i];
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
	for (size_t i = 0; i < t->nidents; i++) {
		tc_render_add_cached_ident(w, t->idents[i]);
		tc_render_refs_add_ident(w, t->idents[i]);
	}
	t->kept = true;
	j->k->kept = t;
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
