/*
 * render_dupes.c - duplicate objects per environment. Every object leaves
 * a 96-bit hash of its identity (16 bytes with its job); only when two
 * hashes meet are the jobs involved rendered again, writing nothing, to
 * name both objects at their template lines and, when two tenants made
 * them, both tenants.
 *
 * That second run also takes the SHA-256 of each object's YAML: an
 * identity that several tenants make byte for byte alike (no Secret) is
 * shared, not a duplicate (tc_k8s_dupes_share). Its tenant jobs and the
 * environment's cluster job then run a third time, writing again what
 * they wrote, the tenants' folders without the shared objects and
 * <env>/cluster/ with each of them once, annotated tenantc.io/shared with
 * the tenants in byte order (docs/output-tree.md). The third run checks
 * and observes nothing: the first did.
 */
#include "render_impl.h"

#include "yaml_emit.h"
#include "yaml_load.h"

#include <sodium.h>

#define SHARED_ANNOTATION "tenantc.io/shared"

void tc_render_dupes_init(pool *p)
{
	p->dupes = tc_xcalloc(p->repo->nenvs + 1, sizeof *p->dupes);
	for (size_t i = 0; i <= p->repo->nenvs; i++)
		tc_k8s_dupes_init(&p->dupes[i]);
}

/* Every object that repeats an earlier one ("earlier" by file, line,
 * column, then the order of the jobs, so threads cannot change it), at its
 * position, naming the first of its run and, when two tenants made them,
 * both tenants (k8s_dupes.c). */
void tc_render_dupes_report(pool *p, tc_diags *d)
{
	for (size_t i = 0; i <= p->repo->nenvs; i++) {
		if (i < p->repo->nenvs)
			tc_k8s_dupes_report(&p->dupes[i], d, TC_DIAG_FINDING);
		tc_k8s_dupes_release(&p->dupes[i]);
	}
	free(p->dupes);
	p->dupes = NULL;
}

/* The identity hash of an object of environment env from its apiVersion,
 * kind, namespace ("" when none) and name: SipHash-2-4 with a 128-bit
 * result of the environment's index, group, kind, namespace and name (the
 * version does not make another object), 96 bits of it into e. The key is
 * fixed: hashes only decide which jobs render again to compare the
 * identities themselves, so a collision costs time, never a wrong report,
 * and nothing of them reaches output. */
static void hash_fields(uint32_t env, const char *api, size_t al, const char *kind, size_t kl,
                        const char *ns, size_t nl, const char *name, size_t namel, idhash *e)
{
	static const unsigned char key[crypto_shorthash_siphashx24_KEYBYTES];
	const char *g, *v;
	size_t gl, vl;
	tc_k8s_split_api_version(api, al, &g, &gl, &v, &vl);
	const char *parts[4] = {g, kind, ns, name};
	size_t lens[4] = {gl, kl, nl, namel};
	size_t total = sizeof env + gl + kl + nl + namel + 4;
	unsigned char small[512];
	unsigned char *m = total <= sizeof small ? small : tc_xmalloc(total);
	memcpy(m, &env, sizeof env);
	size_t at = sizeof env;
	for (int i = 0; i < 4; i++) {
		if (lens[i])
			memcpy(m + at, parts[i], lens[i]);
		at += lens[i];
		m[at++] = 0;
	}
	unsigned char out[crypto_shorthash_siphashx24_BYTES];
	crypto_shorthash_siphashx24(out, m, total, key);
	if (m != small)
		free(m);
	memcpy(&e->h, out, sizeof e->h);
	memcpy(&e->h2, out + sizeof e->h, sizeof e->h2);
}

/* The identity hash of obj, false when it has no kind or name (the object
 * checks report those). */
static bool identity_hash(const tc_value *obj, uint32_t env, idhash *e)
{
	const char *api = str_at(obj, "apiVersion"), *kind = str_at(obj, "kind");
	const char *name = str_at(obj, "metadata.name"), *ns = str_at(obj, "metadata.namespace");
	if (!api || !kind || !name)
		return false;
	if (!ns)
		ns = "";
	hash_fields(env, api, strlen(api), kind, strlen(kind), ns, strlen(ns), name, strlen(name),
	            e);
	return true;
}

void tc_render_flush_identities(work *w)
{
	pool *p = w->p;
	if (w->nids == 0)
		return;
	pthread_mutex_lock(&p->dupes_lock);
	if (p->nids + w->nids > p->capids) {
		/* by a quarter: at 10,000 tenants doubling would leave megabytes
		 * unused, and realloc of a block this large remaps, not copies */
		size_t cap = p->capids < 1024 ? 1024 : p->capids + p->capids / 4;
		p->capids = cap < p->nids + w->nids ? p->nids + w->nids : cap;
		p->ids = tc_xrealloc(p->ids, p->capids * sizeof *p->ids);
	}
	memcpy(p->ids + p->nids, w->ids, w->nids * sizeof *w->ids);
	p->nids += w->nids;
	pthread_mutex_unlock(&p->dupes_lock);
	w->nids = 0;
}

/* A hash into the job's batch, which goes to the pool's array when full
 * and when the job ends: one lock a batch, not one an object. */
static void push_identity(work *w, const idhash *e)
{
	if (w->nids == TC_RENDER_ID_BATCH)
		tc_render_flush_identities(w);
	w->ids[w->nids++] = *e;
}

/* An object into the duplicate check of its environment. */
void tc_render_add_identity(work *w, size_t env_index, const tc_value *obj)
{
	pool *p = w->p;
	if (w->j->identify) {
		/* reported after the job, when its decrypted values are gone */
		const char *const at[] = {"kind", "metadata.namespace", "metadata.name"};
		bool secret = false;
		for (size_t i = 0; i < 3; i++) {
			const tc_value *v = tc_value_dig(obj, at[i]);
			secret =
				secret || (v && v->kind == TC_STR &&
			                   tc_sops_leaks_hit(w->leaks, v->u.str.ptr, v->u.str.len));
		}
		/* the content of what a tenant makes, to find what tenants share;
		 * never of a Secret, whose values stay out of every buffer */
		const char *kind = str_at(obj, "kind");
		unsigned char sum[crypto_hash_sha256_BYTES];
		bool summed = false;
		if (w->j->tenant && !secret && kind && strcmp(kind, "Secret") != 0) {
			tc_buf b;
			tc_buf_init(&b, TC_BUF_UNLIMITED);
			tc_yaml_emit(&b, obj);
			crypto_hash_sha256(sum, (const unsigned char *)(b.ptr ? b.ptr : ""), b.len);
			tc_buf_release(&b);
			summed = true;
		}
		tc_k8s_dupes_add_sum(&p->dupes[env_index], obj, w->j->tenant, secret,
		                     summed ? sum : NULL, w->j->peer);
		return;
	}
	idhash e = {0, 0, (uint32_t)(w->j - p->jobs)};
	if (identity_hash(obj, (uint32_t)env_index, &e))
		push_identity(w, &e);
}

/* The hash of a cached object identity ("env TAB apiVersion TAB kind TAB
 * namespace TAB name"); false when its environment is not the repository's. */
static bool ident_hash(const tc_repo *r, const char *ident, idhash *e)
{
	const char *f[5];
	size_t fl[5];
	const char *p = ident;
	for (int i = 0; i < 5; i++) {
		const char *tab = strchr(p, '\t');
		f[i] = p;
		fl[i] = tab ? (size_t)(tab - p) : strlen(p);
		p = tab ? tab + 1 : p + fl[i];
	}
	size_t ei;
	for (ei = 0; ei < r->nenvs; ei++)
		if (strlen(r->envs[ei].name) == fl[0] &&
		    strncmp(r->envs[ei].name, f[0], fl[0]) == 0)
			break;
	if (ei == r->nenvs)
		return false;
	hash_fields((uint32_t)ei, f[1], fl[1], f[2], fl[2], f[3], fl[3], f[4], fl[4], e);
	return true;
}

/* A cached object identity back into the duplicate check. Should it meet
 * another, the job is rendered again (identify_dupes) to give the objects
 * their positions. */
void tc_render_add_cached_ident(work *w, const char *ident)
{
	idhash e = {0, 0, (uint32_t)(w->j - w->p->jobs)};
	if (ident_hash(w->p->repo, ident, &e))
		push_identity(w, &e);
}

static bool idhash_less(const idhash *a, const idhash *b)
{
	if (a->h != b->h)
		return a->h < b->h;
	if (a->h2 != b->h2)
		return a->h2 < b->h2;
	return a->job < b->job;
}

static void sift_down(idhash *v, size_t root, size_t n)
{
	for (;;) {
		size_t c = 2 * root + 1;
		if (c >= n)
			return;
		if (c + 1 < n && idhash_less(&v[c], &v[c + 1]))
			c++;
		if (!idhash_less(&v[root], &v[c]))
			return;
		idhash t = v[root];
		v[root] = v[c];
		v[c] = t;
		root = c;
	}
}

/* Heapsort: in place, where qsort would allocate a copy of the array. */
static void sort_idhash(idhash *v, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(v, i, n);
	for (size_t end = n; end > 1; end--) {
		idhash t = v[0];
		v[0] = v[end - 1];
		v[end - 1] = t;
		sift_down(v, 0, end - 1);
	}
}

/* Find the hashes that occur more than once in an environment and render
 * the jobs that made them again, without writing anything, collecting the
 * full identities and positions of their objects into p->dupes, which
 * tc_render_dupes_report then names. Runs after the pool, on one thread. */
void tc_render_identify_dupes(pool *p)
{
	sort_idhash(p->ids, p->nids);
	bool *again = NULL;
	for (size_t i = 1; i < p->nids; i++) {
		const idhash *a = &p->ids[i - 1], *b = &p->ids[i];
		if (a->h != b->h || a->h2 != b->h2)
			continue;
		if (!again)
			again = tc_xcalloc(p->njobs, sizeof *again);
		again[a->job] = again[b->job] = true;
	}
	if (!again)
		return;
	tc_arena a;
	tc_arena_init(&a);
	for (size_t k = 0; k < p->njobs; k++) {
		if (!again[k])
			continue;
		job tmp = {.env = p->jobs[k].env,
		           .tenant = p->jobs[k].tenant,
		           .identify = true,
		           .peer = p->jobs[k].peer};
		tc_diags_init(&tmp.diags); /* what the first run reported already */
		tc_outlist_init(&tmp.files);
		tc_render_run_job(p, &tmp, &a);
		tc_diags_release(&tmp.diags);
		tc_outlist_release(&tmp.files);
	}
	tc_arena_release(&a);
	free(again);
}

/* ---- the identity hashes kept in the tree state ---------------------------------------------- */

static size_t shard_of(uint64_t h)
{
	return (size_t)(h >> (64 - TC_STATE_SHARD_BITS));
}

static void set_bit(unsigned char *bits, size_t i)
{
	bits[i / 8] |= (unsigned char)(1u << (i % 8));
}

static bool bit(const unsigned char *bits, size_t i)
{
	return (bits[i / 8] >> (i % 8)) & 1;
}

static bool is_tenant_job(const job *j)
{
	return j->tenant && !j->peer;
}

static int cmp_state_id(const void *x, const void *y)
{
	const tc_state_id *a = x, *b = y;
	if (a->h != b->h)
		return a->h < b->h ? -1 : 1;
	if (a->h2 != b->h2)
		return a->h2 < b->h2 ? -1 : 1;
	return a->job < b->job ? -1 : a->job > b->job;
}

/* The tenant of each job, for the state's index. */
static void id_names(pool *p, tc_render_result *res)
{
	res->id_names = tc_xcalloc(p->njobs + 1, sizeof *res->id_names);
	for (size_t k = 0; k < p->njobs; k++)
		if (is_tenant_job(&p->jobs[k]))
			res->id_names[k] = p->jobs[k].tenant;
	res->has_ids = true;
}

/* Keep the hashes tenant jobs made (the others are the environments'). */
static size_t tenant_ids(const pool *p, tc_state_id *v, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (is_tenant_job(&p->jobs[v[i].job]))
			v[k++] = v[i];
	return k;
}

void tc_render_ids_collect(pool *p, tc_render_result *res)
{
	if (!p->opts->cache || res->has_ids)
		return;
	/* the check is done with them: sorted by hash and job, which is
	 * tenant order; taken over in place */
	id_names(p, res);
	res->nids = tenant_ids(p, p->ids, p->nids);
	res->ids = p->ids;
	p->ids = NULL;
	p->nids = p->capids = 0;
}

/* The stale records' hashes mark their shards. */
typedef struct stale_ctx {
	const tc_repo *r;
	unsigned char *dirty;
} stale_ctx;

static void mark_stale(void *ud, const char *ident)
{
	stale_ctx *c = ud;
	idhash e;
	if (ident_hash(c->r, ident, &e))
		set_bit(c->dirty, shard_of(e.h));
}

/* The kept tenants' hashes of a shard into the check. */
typedef struct consult_ctx {
	pool *p;
	size_t first, count; /* the tenant jobs, in tenant order */
} consult_ctx;

static void add_if_kept(void *ud, uint64_t h, uint32_t h2, const char *tenant)
{
	consult_ctx *c = ud;
	pool *p = c->p;
	size_t lo = c->first, hi = c->first + c->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(p->jobs[mid].tenant, tenant);
		if (cmp == 0) {
			if (!p->jobs[mid].untouched)
				return; /* rendered: its hashes are in the pool's */
			TC_GROW(p->ids, p->capids, p->nids + 1);
			p->ids[p->nids++] = (idhash){h, h2, (uint32_t)mid};
			return;
		}
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
}

/* The tenant jobs as one run in name order, or false. */
static bool tenant_jobs(const pool *p, size_t *first, size_t *count)
{
	size_t k = 0;
	while (k < p->njobs && !is_tenant_job(&p->jobs[k]))
		k++;
	*first = k;
	for (; k < p->njobs && is_tenant_job(&p->jobs[k]); k++)
		if (k > *first && strcmp(p->jobs[k - 1].tenant, p->jobs[k].tenant) >= 0)
			return false;
	*count = k - *first;
	return k == p->njobs;
}

void tc_render_ids_plan(pool *p)
{
	size_t first, count;
	p->state_ids = p->opts->cache && tc_tree_state_has_ids(state_of(p->opts)) &&
	               tenant_jobs(p, &first, &count);
}

void tc_render_ids_from_state(pool *p, tc_render_result *res)
{
	tc_tree_state *st = state_of(p->opts);
	size_t first, count;
	if (!p->state_ids || !tenant_jobs(p, &first, &count))
		return;
	id_names(p, res);
	res->ids = tc_xmalloc((p->nids + 1) * sizeof *res->ids);
	if (p->nids)
		memcpy(res->ids, p->ids, p->nids * sizeof *res->ids);
	res->nids = tenant_ids(p, res->ids, p->nids);
	qsort(res->ids, res->nids, sizeof *res->ids, cmp_state_id);
	res->ids_dirty = tc_xcalloc(TC_STATE_SHARDS / 8, 1);
	for (size_t i = 0; i < res->nids; i++)
		set_bit(res->ids_dirty, shard_of(res->ids[i].h));
	stale_ctx sc = {p->repo, res->ids_dirty};
	tc_tree_state_stale_idents(st, mark_stale, &sc);
	/* the shards the render's hashes fall into, and those where the kept
	 * tenants' hashes met before */
	unsigned char *want = tc_xcalloc(TC_STATE_SHARDS / 8, 1);
	for (size_t i = 0; i < p->nids; i++)
		set_bit(want, shard_of(p->ids[i].h));
	consult_ctx cc = {p, first, count};
	for (size_t k = 0; k < TC_STATE_SHARDS; k++)
		if (bit(want, k) || tc_tree_state_shard_repeats(st, k))
			/* a shard that cannot be read damages the state: the
			 * render is then made whole (sink.c) */
			(void)tc_tree_state_shard(st, k, add_if_kept, &cc);
	free(want);
}

/* ---- objects tenants share ---------------------------------------------------------------- */

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
