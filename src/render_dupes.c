/*
 * render_dupes.c - duplicate objects per environment. Every object leaves
 * a 96-bit hash of its identity (16 bytes with its job); only when two
 * hashes meet are the jobs involved rendered again, writing nothing, to
 * name both objects at their template lines and, when two tenants made
 * them, both tenants.
 */
#include "render_impl.h"

#include <sodium.h>

/* One object of an environment met while identifying: one allocation
 * holding "group NUL kind NUL namespace NUL name NUL" (the sort key, klen
 * bytes) and then the name of its file, which must outlive the job that
 * made the object (a Secret's position lies in the job's arena). */
typedef struct dupe {
	char *key;
	uint32_t klen, line, col;
	uint32_t seq;       /* order of adding, the last tie-break */
	const char *tenant; /* the job's tenant (the repository's list), NULL: cluster job */
	bool secret;        /* the identity holds a decrypted value: never print it */
} dupe;

struct tc_render_dupes {
	dupe *items;
	size_t len, cap;
};

void tc_render_dupes_init(pool *p)
{
	p->dupes = tc_xcalloc(p->repo->nenvs + 1, sizeof *p->dupes);
}

static char *put(char *p, const char *s, size_t n)
{
	if (n)
		memcpy(p, s, n);
	p[n] = 0;
	return p + n + 1;
}

static void dupes_add(struct tc_render_dupes *s, const tc_value *obj, const char *tenant,
                      bool secret)
{
	const tc_value *api = tc_value_dig(obj, "apiVersion"), *kind = tc_value_dig(obj, "kind");
	const tc_value *name = tc_value_dig(obj, "metadata.name");
	const tc_value *ns = tc_value_dig(obj, "metadata.namespace");
	if (!api || api->kind != TC_STR || !kind || kind->kind != TC_STR || !name ||
	    name->kind != TC_STR)
		return;
	if (ns && ns->kind != TC_STR)
		ns = NULL;
	const char *group, *version;
	size_t glen, vlen;
	tc_k8s_split_api_version(api->u.str.ptr, api->u.str.len, &group, &glen, &version, &vlen);
	size_t nslen = ns ? ns->u.str.len : 0;
	size_t total = glen + kind->u.str.len + nslen + name->u.str.len + 4;
	const char *file = obj->pos.file ? obj->pos.file : "";
	size_t flen = strlen(file);
	char *key = tc_xmalloc(total + flen + 1);
	char *p = put(key, group, glen);
	p = put(p, kind->u.str.ptr, kind->u.str.len);
	p = put(p, ns ? ns->u.str.ptr : "", nslen);
	p = put(p, name->u.str.ptr, name->u.str.len);
	put(p, file, flen);
	secret = secret || tc_value_tainted(api) || tc_value_tainted(kind) ||
	         (ns && tc_value_tainted(ns)) || tc_value_tainted(name);
	TC_GROW(s->items, s->cap, s->len + 1);
	s->items[s->len] =
		(dupe){key,    (uint32_t)total, obj->pos.line, obj->pos.col, (uint32_t)s->len,
	               tenant, secret};
	s->len++;
}

static const char *dupe_file(const dupe *e)
{
	return e->key + e->klen;
}

static int cmp_pos(const dupe *a, const dupe *b)
{
	int c = strcmp(dupe_file(a), dupe_file(b));
	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int cmp_dupe(const void *x, const void *y)
{
	const dupe *a = x, *b = y;
	int c = tc_bytes_cmp(a->key, a->klen, b->key, b->klen);
	return c ? c : cmp_pos(a, b);
}

static bool same_key(const dupe *a, const dupe *b)
{
	return tc_bytes_cmp(a->key, a->klen, b->key, b->klen) == 0;
}

/* Every object that repeats an earlier one ("earlier" by file, line,
 * column, then the order of the jobs, so threads cannot change it), at its
 * position, naming the first of its run. */
static void report_env(struct tc_render_dupes *s, tc_diags *d)
{
	if (s->len > 1)
		qsort(s->items, s->len, sizeof *s->items, cmp_dupe);
	for (size_t i = 1; i < s->len; i++) {
		const dupe *e = &s->items[i];
		if (!same_key(&s->items[i - 1], e))
			continue;
		size_t k = i - 1;
		while (k > 0 && same_key(&s->items[k - 1], e))
			k--;
		const dupe *first = &s->items[k];
		/* one member of the run holding a decrypted value names them all */
		bool secret = false;
		for (size_t q = k; q < s->len && same_key(&s->items[q], e) && !secret; q++)
			secret = s->items[q].secret;
		const char *group = e->key;
		const char *kind = group + strlen(group) + 1;
		const char *ns = kind + strlen(kind) + 1;
		const char *name = ns + strlen(ns) + 1;
		tc_pos pos = {dupe_file(e)[0] ? dupe_file(e) : NULL, e->line, e->col};
		char where[64];
		snprintf(where, sizeof where, "%u:%u", (unsigned)first->line, (unsigned)first->col);
		const char *ffile = dupe_file(first)[0] ? dupe_file(first) : "-";
		char what[512];
		if (secret)
			snprintf(
				what, sizeof what,
				"<redacted> (its kind, namespace or name holds a decrypted value)");
		else if (ns[0])
			snprintf(what, sizeof what, "%s '%s/%s' (%s)", kind, ns, name,
			         group[0] ? group : "core");
		else
			snprintf(what, sizeof what, "%s '%s' (%s)", kind, name,
			         group[0] ? group : "core");
		if (e->tenant && first->tenant && strcmp(e->tenant, first->tenant) != 0)
			tc_finding(d, pos, NULL,
			           "duplicate object: %s of tenant '%s' is also defined for tenant "
			           "'%s' at %s:%s",
			           what, e->tenant, first->tenant, ffile, where);
		else
			tc_finding(d, pos, NULL, "duplicate object: %s is also defined at %s:%s",
			           what, ffile, where);
	}
}

void tc_render_dupes_report(pool *p, tc_diags *d)
{
	for (size_t i = 0; i < p->repo->nenvs; i++) {
		struct tc_render_dupes *s = &p->dupes[i];
		report_env(s, d);
		for (size_t k = 0; k < s->len; k++)
			free(s->items[k].key);
		free(s->items);
	}
	free(p->dupes);
	p->dupes = NULL;
}

/* The identity hash of an object of environment env from its apiVersion,
 * kind, namespace ("" when none) and name: BLAKE2b of the environment's
 * index, group, kind, namespace and name (the version does not make another
 * object), 96 bits of it into e. */
static void hash_fields(uint32_t env, const char *api, size_t al, const char *kind, size_t kl,
                        const char *ns, size_t nl, const char *name, size_t namel, idhash *e)
{
	const char *g, *v;
	size_t gl, vl;
	tc_k8s_split_api_version(api, al, &g, &gl, &v, &vl);
	crypto_generichash_state st;
	unsigned char out[16];
	crypto_generichash_init(&st, NULL, 0, sizeof out);
	crypto_generichash_update(&st, (const unsigned char *)&env, sizeof env);
	const char *parts[4] = {g, kind, ns, name};
	size_t lens[4] = {gl, kl, nl, namel};
	for (int i = 0; i < 4; i++) {
		crypto_generichash_update(&st, (const unsigned char *)parts[i], lens[i]);
		crypto_generichash_update(&st, (const unsigned char *)"", 1);
	}
	crypto_generichash_final(&st, out, sizeof out);
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

static void push_identity(pool *p, const idhash *e)
{
	pthread_mutex_lock(&p->dupes_lock);
	if (p->nids == p->capids) {
		/* by a quarter: at 10,000 tenants doubling would leave megabytes
		 * unused, and realloc of a block this large remaps, not copies */
		p->capids = p->capids < 1024 ? 1024 : p->capids + p->capids / 4;
		p->ids = tc_xrealloc(p->ids, p->capids * sizeof *p->ids);
	}
	p->ids[p->nids++] = *e;
	pthread_mutex_unlock(&p->dupes_lock);
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
		dupes_add(&p->dupes[env_index], obj, w->j->tenant, secret);
		return;
	}
	idhash e = {0, 0, (uint32_t)(w->j - p->jobs)};
	if (identity_hash(obj, (uint32_t)env_index, &e))
		push_identity(p, &e);
}

/* A cached object identity ("env TAB apiVersion TAB kind TAB namespace TAB
 * name") back into the duplicate check. Should it meet another, the job is
 * rendered again (identify_dupes) to give the objects their positions. */
void tc_render_add_cached_ident(work *w, const char *ident)
{
	const tc_repo *r = w->p->repo;
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
		return;
	idhash e = {0, 0, (uint32_t)(w->j - w->p->jobs)};
	hash_fields((uint32_t)ei, f[1], fl[1], f[2], fl[2], f[3], fl[3], f[4], fl[4], &e);
	push_identity(w->p, &e);
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
 * tc_k8s_dupes_report then names. Runs after the pool, on one thread. */
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
		job tmp = {.env = p->jobs[k].env, .tenant = p->jobs[k].tenant, .identify = true};
		tc_diags_init(&tmp.diags); /* what the first run reported already */
		tc_outlist_init(&tmp.files);
		tc_render_run_job(p, &tmp, &a);
		tc_diags_release(&tmp.diags);
		tc_outlist_release(&tmp.files);
	}
	tc_arena_release(&a);
	free(again);
}
