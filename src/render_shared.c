/*
 * render_shared.c - objects several tenants make alike. The duplicate
 * check's second run takes the SHA-256 of each object's YAML: an identity
 * that several tenants make byte for byte alike (no Secret) is shared, not
 * a duplicate (tc_k8s_dupes_share). Its tenant jobs and the environment's
 * cluster job then run a third time, writing again what they wrote, the
 * tenants' folders without the shared objects and <env>/cluster/ with each
 * of them once, annotated tenantc.io/shared with the tenants in byte order
 * (docs/output-tree.md). The third run checks and observes nothing: the
 * first did.
 */
#include "render_impl.h"

#include "yaml_emit.h"
#include "yaml_load.h"

#include <sodium.h>

#define SHARED_ANNOTATION "tenantc.io/shared"

typedef struct share_ctx {
	pool *p;
	size_t env;
} share_ctx;

static void add_shared(void *ctx, const char *group, const char *kind, const char *ns,
                       const char *name, const char *const *tenants, size_t n)
{
	share_ctx *c = ctx;
	pool *p = c->p;
	TC_GROW(p->shared, p->capshared, p->nshared + 1);
	shared_obj *o = &p->shared[p->nshared++];
	*o = (shared_obj){.env = c->env,
	                  .group = tc_xstrdup(group),
	                  .kind = tc_xstrdup(kind),
	                  .ns = tc_xstrdup(ns),
	                  .name = tc_xstrdup(name),
	                  .ntenants = n};
	o->tenants = tc_xmalloc(n * sizeof *o->tenants);
	for (size_t i = 0; i < n; i++)
		o->tenants[i] = tc_xstrdup(tenants[i]);
}

static bool tenant_of(const shared_obj *o, const char *tenant)
{
	for (size_t i = 0; tenant && i < o->ntenants; i++)
		if (strcmp(o->tenants[i], tenant) == 0)
			return true;
	return false;
}

/* The shared object of env that obj is (by identity), or NULL. */
static shared_obj *shared_of(pool *p, size_t env, const tc_value *obj)
{
	const char *api = str_at(obj, "apiVersion"), *kind = str_at(obj, "kind");
	const char *name = str_at(obj, "metadata.name"), *ns = str_at(obj, "metadata.namespace");
	if (!api || !kind || !name)
		return NULL;
	const char *g, *v;
	size_t gl, vl;
	tc_k8s_split_api_version(api, strlen(api), &g, &gl, &v, &vl);
	for (size_t i = 0; i < p->nshared; i++) {
		shared_obj *o = &p->shared[i];
		if (o->env == env && strlen(o->group) == gl && strncmp(o->group, g, gl) == 0 &&
		    strcmp(o->kind, kind) == 0 && strcmp(o->ns, ns ? ns : "") == 0 &&
		    strcmp(o->name, name) == 0)
			return o;
	}
	return NULL;
}

/* obj with metadata.annotations[tenantc.io/shared] = the tenants. */
static tc_value *annotated(tc_arena *a, const tc_value *obj, const shared_obj *o)
{
	tc_buf list;
	tc_buf_init(&list, TC_BUF_UNLIMITED);
	for (size_t i = 0; i < o->ntenants; i++)
		tc_buf_addf(&list, "%s%s", i ? "," : "", o->tenants[i]);
	const tc_value *md = tc_value_getz(obj, "metadata");
	const tc_value *an = tc_value_getz(md, "annotations");
	tc_pos pos = md ? md->pos : obj->pos;
	tc_objb ab, mb, ob;
	tc_objb_init(&ab);
	for (size_t i = 0; an && an->kind == TC_OBJECT && i < an->u.obj.len; i++)
		tc_objb_add(&ab, an->u.obj.members[i].key, an->u.obj.members[i].klen,
		            an->u.obj.members[i].kpos, an->u.obj.members[i].val);
	tc_objb_addz(&ab, SHARED_ANNOTATION, tc_value_strz(a, tc_buf_str(&list), pos));
	tc_objb_init(&mb);
	for (size_t i = 0; md && md->kind == TC_OBJECT && i < md->u.obj.len; i++)
		tc_objb_add(&mb, md->u.obj.members[i].key, md->u.obj.members[i].klen,
		            md->u.obj.members[i].kpos, md->u.obj.members[i].val);
	tc_objb_addz(&mb, "annotations", tc_objb_finish(&ab, a, pos, NULL));
	tc_objb_init(&ob);
	for (size_t i = 0; i < obj->u.obj.len; i++)
		tc_objb_add(&ob, obj->u.obj.members[i].key, obj->u.obj.members[i].klen,
		            obj->u.obj.members[i].kpos, obj->u.obj.members[i].val);
	tc_objb_addz(&ob, "metadata", tc_objb_finish(&mb, a, pos, NULL));
	tc_value *r = tc_objb_finish(&ob, a, obj->pos, NULL);
	tc_buf_release(&list);
	return r;
}

void tc_render_drop_shared(work *w, size_t env_index, tc_value **objs, const secret_out **secrets,
                           size_t *n)
{
	pool *p = w->p;
	size_t k = 0;
	for (size_t i = 0; i < *n; i++) {
		shared_obj *o = secrets && secrets[i] ? NULL : shared_of(p, env_index, objs[i]);
		if (o && tenant_of(o, w->j->tenant) && o->from_tree) {
			/* the tree's copy stands for this one only when it is what
			 * a whole render would write for it now */
			tc_buf b;
			tc_buf_init(&b, TC_BUF_UNLIMITED);
			tc_yaml_emit(&b, annotated(w->a, objs[i], o));
			bool same = b.len == o->len &&
			            (b.len == 0 || memcmp(b.ptr, o->yaml, b.len) == 0);
			tc_buf_release(&b);
			if (same)
				continue;
		} else if (o && tenant_of(o, w->j->tenant)) {
			if (!o->yaml) {
				tc_buf b;
				tc_buf_init(&b, TC_BUF_UNLIMITED);
				tc_yaml_emit(&b, annotated(w->a, objs[i], o));
				o->yaml = tc_buf_detach(&b, &o->len);
				tc_buf_release(&b);
			}
			continue;
		}
		objs[k] = objs[i];
		if (secrets)
			secrets[k] = secrets[i];
		k++;
	}
	*n = k;
}

void tc_render_add_shared(work *w, size_t env_index, tc_arrb *objs)
{
	pool *p = w->p;
	for (size_t i = 0; i < p->nshared; i++) {
		const shared_obj *o = &p->shared[i];
		tc_value *v = NULL;
		if (o->env != env_index || !o->yaml)
			continue;
		tc_diags d;
		tc_diags_init(&d);
		if (tc_yaml_load(&v, w->a, &d, "", o->yaml, o->len, NULL) == 0 && v)
			tc_arrb_push(objs, v);
		tc_diags_release(&d);
	}
}

/* What a job wrote, taken back before it writes again: its files (and
 * from the tree being made, their copies) and its streamed folders. */
static void drop_outputs(pool *p, job *j)
{
	tc_tree *t = tree_of(p->opts);
	for (size_t i = 0; i < j->files.len; i++)
		if (t) {
			char *full = tc_path_join(t->tmp, j->files.items[i].path);
			(void)tc_remove_tree(full);
			free(full);
		}
	tc_outlist_release(&j->files);
	for (size_t c = 0; c < j->nchunks; c++) {
		if (t) {
			char *full = tc_path_join(t->tmp, j->chunks[c].dir);
			(void)tc_remove_tree(full);
			free(full);
		}
		free(j->chunks[c].dir);
	}
	free(j->chunks);
	j->chunks = NULL;
	j->nchunks = j->capchunks = 0;
}

/* A job run again to write: a fresh record for the tree state (it no
 * longer is as it was), with the identities of the first run, which still
 * name the shared objects so that the next render finds them again. Its
 * key in the state matches no tenant's: its folder in the tree lacks what
 * it shares, so the next render must not keep that folder as it is
 * (should the other tenants stop sharing, the object would be nowhere)
 * but take the tenant from the cache, which holds what it renders. */
static void rewrite(pool *p, job *j, tc_arena *a)
{
	drop_outputs(p, j);
	if (j->k) {
		memset(j->k->key, 'x', sizeof j->k->key - 1);
		j->k->key[sizeof j->k->key - 1] = 0;
	}
	if (j->k && j->k->kept) {
		tc_state_tenant *kept = j->k->kept;
		kept->kept = false;
		j->k->kept = NULL;
		for (size_t i = 0; i < kept->nidents; i++) {
			TC_GROW(j->k->idents, j->k->capidents, j->k->nidents + 1);
			j->k->idents[j->k->nidents++] = tc_xstrdup(kept->idents[i]);
		}
	}
	tc_diags first = j->diags;
	tc_diags_init(&j->diags);
	j->rewrite = true;
	j->keep_bytes = false;
	j->from_cache = j->untouched = false;
	j->nobjects = 0;
	tc_render_run_job(p, j, a);
	j->rewrite = false;
	/* what it reported the first run reported; only a failure to write is new */
	if (tc_diags_has_errors(&j->diags))
		tc_diags_merge(&first, &j->diags);
	tc_diags_release(&j->diags);
	j->diags = first;
}

void tc_render_share_rewrite(pool *p)
{
	for (size_t i = 0; i < p->repo->nenvs; i++) {
		share_ctx c = {p, i};
		tc_k8s_dupes_share(&p->dupes[i], add_shared, &c);
	}
	if (!p->nshared)
		return;
	tc_arena a;
	tc_arena_init(&a);
	/* the tenants first: the first of them keeps each shared object */
	for (size_t k = 0; k < p->njobs; k++) {
		job *j = &p->jobs[k];
		bool in = false;
		for (size_t i = 0; j->tenant && !j->peer && i < p->nshared && !in; i++)
			in = tenant_of(&p->shared[i], j->tenant);
		if (in)
			rewrite(p, j, &a);
	}
	for (size_t k = 0; k < p->njobs; k++) {
		job *j = &p->jobs[k];
		bool in = false;
		for (size_t i = 0; j->env && i < p->nshared && !in; i++)
			in = p->shared[i].env == env_index_of(p->repo, j->env);
		if (in)
			rewrite(p, j, &a);
	}
	tc_arena_release(&a);
}

void tc_render_shared_from_tree(pool *p)
{
	const tc_repo *r = p->repo;
	p->shared_tree = true;
	for (size_t i = 0; i < r->ntree_shared; i++) {
		const tc_tree_shared *t = &r->tree_shared[i];
		const char *api = str_at(t->obj, "apiVersion"), *kind = str_at(t->obj, "kind");
		const char *name = str_at(t->obj, "metadata.name");
		const char *ns = str_at(t->obj, "metadata.namespace");
		if (!api || !kind || !name)
			continue;
		const char *g, *v;
		size_t gl, vl;
		tc_k8s_split_api_version(api, strlen(api), &g, &gl, &v, &vl);
		TC_GROW(p->shared, p->capshared, p->nshared + 1);
		shared_obj *o = &p->shared[p->nshared++];
		*o = (shared_obj){.env = t->env,
		                  .group = tc_xmemdup0(g, gl),
		                  .kind = tc_xstrdup(kind),
		                  .ns = tc_xstrdup(ns ? ns : ""),
		                  .name = tc_xstrdup(name),
		                  .yaml = tc_xmemdup0(t->yaml, t->len),
		                  .len = t->len,
		                  .from_tree = true};
		for (const char *s = t->tenants; *s;) {
			const char *comma = strchr(s, ',');
			size_t n = comma ? (size_t)(comma - s) : strlen(s);
			TC_GROW(o->tenants, o->captenants, o->ntenants + 1);
			o->tenants[o->ntenants++] = tc_xmemdup0(s, n);
			s += n + (comma != NULL);
		}
	}
}

void tc_render_shared_release(pool *p)
{
	for (size_t i = 0; i < p->nshared; i++) {
		shared_obj *o = &p->shared[i];
		free(o->group);
		free(o->kind);
		free(o->ns);
		free(o->name);
		for (size_t k = 0; k < o->ntenants; k++)
			free(o->tenants[k]);
		free(o->tenants);
		free(o->yaml);
	}
	free(p->shared);
	p->shared = NULL;
	p->nshared = p->capshared = 0;
}
