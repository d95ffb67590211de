/*
 * render_ids.c - the identity hashes of every tenant's objects, kept in the
 * tree state (docs/architecture.md): collected after a render, read back
 * for the kept tenants of an incremental render so that only the shards the
 * rendered tenants' hashes fall into enter the duplicate check.
 */
#include "render_impl.h"

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
	if (tc_render_ident_hash(c->r, ident, &e))
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

/* A shard of the state's index as far as kept tenants made it, read on
 * the first look-up that falls into it. */
typedef struct kept_shard {
	bool read, failed;
	idhash *v;
	size_t n, cap;
} kept_shard;

typedef struct shard_ctx {
	pool *p;
	size_t first, count;
	kept_shard *ks;
} shard_ctx;

static void add_kept(void *ud, uint64_t h, uint32_t h2, const char *tenant)
{
	shard_ctx *c = ud;
	size_t lo = c->first, hi = c->first + c->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(c->p->jobs[mid].tenant, tenant);
		if (cmp == 0) {
			if (c->p->jobs[mid].untouched) {
				TC_GROW(c->ks->v, c->ks->cap, c->ks->n + 1);
				c->ks->v[c->ks->n++] = (idhash){h, h2, (uint32_t)mid};
			}
			return;
		}
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
}

bool tc_render_ids_kept(pool *p, uint32_t env, const char *g, size_t gl, const char *kind,
                        size_t kl, const char *ns, size_t nl, const char *name, size_t namel)
{
	shard_ctx c = {p, 0, 0, NULL};
	if (!p->state_ids || !tenant_jobs(p, &c.first, &c.count))
		return false;
	idhash e = {0, 0, 0};
	tc_render_group_hash(env, g, gl, kind, kl, ns, nl, name, namel, &e);
	size_t k = shard_of(e.h);
	if (!p->kept_shards)
		p->kept_shards = tc_xcalloc(TC_STATE_SHARDS, sizeof *p->kept_shards);
	c.ks = &p->kept_shards[k];
	if (!c.ks->read) {
		c.ks->read = true;
		c.ks->failed = !tc_tree_state_shard(state_of(p->opts), k, add_kept, &c);
	}
	if (c.ks->failed)
		return true;
	for (size_t i = 0; i < c.ks->n; i++)
		if (c.ks->v[i].h == e.h && c.ks->v[i].h2 == e.h2)
			return true;
	return false;
}

void tc_render_ids_release(pool *p)
{
	if (!p->kept_shards)
		return;
	for (size_t k = 0; k < TC_STATE_SHARDS; k++)
		free(p->kept_shards[k].v);
	free(p->kept_shards);
	p->kept_shards = NULL;
}
