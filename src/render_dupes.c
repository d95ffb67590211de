/*
 * render_dupes.c - duplicate objects per environment. Every object leaves
 * a 96-bit hash of its identity (16 bytes with its job); only when two
 * hashes meet are the jobs involved rendered again, writing nothing, to
 * name both objects at their template lines and, when two tenants made
 * them, both tenants. That second run also finds the objects tenants make
 * alike (render_shared.c); the hashes kept in the tree state are
 * render_ids.c's.
 */
#include "render_impl.h"

#include "yaml_emit.h"

#include <sodium.h>

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
void tc_render_group_hash(uint32_t env, const char *g, size_t gl, const char *kind, size_t kl,
                          const char *ns, size_t nl, const char *name, size_t namel, idhash *e)
{
	static const unsigned char key[crypto_shorthash_siphashx24_KEYBYTES];
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

static void hash_fields(uint32_t env, const char *api, size_t al, const char *kind, size_t kl,
                        const char *ns, size_t nl, const char *name, size_t namel, idhash *e)
{
	const char *g, *v;
	size_t gl, vl;
	tc_k8s_split_api_version(api, al, &g, &gl, &v, &vl);
	tc_render_group_hash(env, g, gl, kind, kl, ns, nl, name, namel, e);
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
bool tc_render_ident_hash(const tc_repo *r, const char *ident, idhash *e)
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
	if (tc_render_ident_hash(w->p->repo, ident, &e))
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
