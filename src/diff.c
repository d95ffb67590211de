/*
 * diff.c - object and field deltas between two sets of rendered objects.
 *
 * Both sides are turned into arrays of identities (env, group, kind,
 * namespace, name), sorted by bytes and merged: one pass, O(n log n), no
 * hash table whose order could leak into the result. A pair present on
 * both sides is walked field by field: objects key by key (members are
 * already sorted by key bytes), arrays through a longest common
 * subsequence so that an insertion is one change, scalars by kind and
 * value (1 and 1.0 render differently, so they differ here too).
 *
 * Secrets never reach a field entry: when a value lies under .data or
 * .stringData of a core Secret, is flagged TC_VAL_SECRET or holds SOPS or
 * age ciphertext, the entry gets the path and a flag and no value. Inside
 * such a region an added or removed mapping is listed key by key, so that
 * a reviewer still sees which keys came or went.
 *
 * Ownership: every string and array of the result lives in tc_diff.arena;
 * field values point into the caller's input trees (which must outlive the
 * diff).
 */
#include "diff.h"

#include "arena.h"
#include "buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct bytes {
	const char *p;
	size_t n;
} bytes;

typedef struct item {
	bytes env, group, kind, ns, name, api;
	const tc_value *obj;
} item;

/* ---- LCS ---- */

/* The middle parts of an LCS: old[pre..pre+a) and new[pre..pre+b). */
typedef struct lcs_mid {
	size_t pre, a, b;
	bool (*eq)(const void *ctx, size_t i, size_t j);
	const void *ctx;
} lcs_mid;

/* L[i][j]: LCS length of old[pre+i..pre+a) and new[pre+j..pre+b) */
static uint32_t *lcs_table(const lcs_mid *q)
{
	size_t w = q->b + 1;
	uint32_t *L = tc_xcalloc((q->a + 1) * w, sizeof *L);
	for (size_t i = q->a; i-- > 0;)
		for (size_t j = q->b; j-- > 0;) {
			uint32_t down = L[(i + 1) * w + j], right = L[i * w + j + 1];
			L[i * w + j] = q->eq(q->ctx, q->pre + i, q->pre + j)
			                       ? L[(i + 1) * w + j + 1] + 1
			                       : (down >= right ? down : right);
		}
	return L;
}

static size_t put_inserts(char *out, size_t k, size_t ins)
{
	for (size_t t = 0; t < ins; t++)
		out[k++] = '+';
	return k;
}

/* The edit script of the middle parts into out from k, removals first in
 * each run ('+'s are held back until the next '='); returns the new k. */
static size_t lcs_script(char *out, size_t k, const lcs_mid *q)
{
	uint32_t *L = lcs_table(q);
	size_t w = q->b + 1, a = q->a, b = q->b;
	size_t i = 0, j = 0, ins = 0;
	while (i < a || j < b) {
		if (i < a && j < b && q->eq(q->ctx, q->pre + i, q->pre + j)) {
			k = put_inserts(out, k, ins);
			ins = 0;
			out[k++] = '=';
			i++;
			j++;
		} else if (j == b || (i < a && L[(i + 1) * w + j] >= L[i * w + j + 1])) {
			out[k++] = '-';
			i++;
		} else {
			ins++;
			j++;
		}
	}
	free(L);
	return put_inserts(out, k, ins);
}

long tc_diff_lcs(char **ops, size_t n, size_t m, bool (*eq)(const void *ctx, size_t i, size_t j),
                 const void *ctx)
{
	*ops = NULL;
	size_t pre = 0;
	while (pre < n && pre < m && eq(ctx, pre, pre))
		pre++;
	size_t suf = 0;
	while (suf < n - pre && suf < m - pre && eq(ctx, n - 1 - suf, m - 1 - suf))
		suf++;
	lcs_mid q = {pre, n - pre - suf, m - pre - suf, eq, ctx}; /* the middle parts */
	if (q.a && q.b && (q.a + 1) > TC_DIFF_LCS_MAX_CELLS / (q.b + 1))
		return -1;
	char *out = tc_xmalloc(n + m + 1);
	size_t k = 0;
	for (size_t i = 0; i < pre; i++)
		out[k++] = '=';
	if (q.a && q.b) {
		k = lcs_script(out, k, &q);
	} else {
		for (size_t i = 0; i < q.a; i++)
			out[k++] = '-';
		k = put_inserts(out, k, q.b);
	}
	for (size_t i = 0; i < suf; i++)
		out[k++] = '=';
	out[k] = 0;
	*ops = out;
	return (long)k;
}

/* ---- values ---- */

bool tc_diff_is_ciphertext(const char *s, size_t n)
{
	static const char sops[] = "ENC[AES256_GCM,";
	static const char age[] = "-----BEGIN AGE ENCRYPTED FILE-----";
	return (n >= sizeof sops - 1 && memcmp(s, sops, sizeof sops - 1) == 0) ||
	       (n >= sizeof age - 1 && memcmp(s, age, sizeof age - 1) == 0);
}

static bool has_ciphertext(const tc_value *v)
{
	if (!v)
		return false;
	switch (v->kind) {
	case TC_STR:
		return tc_diff_is_ciphertext(v->u.str.ptr, v->u.str.len);
	case TC_ARRAY:
		for (size_t i = 0; i < v->u.arr.len; i++)
			if (has_ciphertext(v->u.arr.items[i]))
				return true;
		return false;
	case TC_OBJECT:
		for (size_t i = 0; i < v->u.obj.len; i++)
			if (has_ciphertext(v->u.obj.members[i].val))
				return true;
		return false;
	default:
		return false;
	}
}

/* ---- field walk ---- */

typedef struct walker {
	tc_arena *a;
	bool secret_kind; /* a core Secret: .data and .stringData are redacted */
	tc_diff_field *f;
	size_t len, cap;
	bool any_redacted;
	tc_buf path;
} walker;

static void emit(walker *w, const tc_path *at, tc_diff_op op, const tc_value *o, const tc_value *n,
                 bool redact);

/* inside a hidden region an added or removed mapping is listed key by key:
 * which keys came or went is not secret, their values are */
static void emit_keys(walker *w, const tc_path *at, tc_diff_op op, const tc_value *whole, bool red)
{
	for (size_t i = 0; i < whole->u.obj.len; i++) {
		const tc_member *m = &whole->u.obj.members[i];
		tc_path sub = TC_PATH_KEY(at, m->key, m->klen);
		emit(w, &sub, op, op == TC_DIFF_REMOVED ? m->val : NULL,
		     op == TC_DIFF_ADDED ? m->val : NULL, red);
	}
}

static void emit(walker *w, const tc_path *at, tc_diff_op op, const tc_value *o, const tc_value *n,
                 bool redact)
{
	bool red = redact || (o && tc_value_tainted(o)) || (n && tc_value_tainted(n));
	bool enc = !red && (has_ciphertext(o) || has_ciphertext(n));
	const tc_value *whole = op == TC_DIFF_ADDED ? n : op == TC_DIFF_REMOVED ? o : NULL;
	if ((red || enc) && whole && whole->kind == TC_OBJECT && whole->u.obj.len > 0) {
		emit_keys(w, at, op, whole, red);
		return;
	}
	TC_GROW(w->f, w->cap, w->len + 1);
	tc_diff_field *f = &w->f[w->len++];
	tc_buf_reset(&w->path);
	tc_path_format(&w->path, at);
	f->path = tc_arena_memdup0(w->a, tc_buf_str(&w->path), w->path.len);
	f->op = op;
	f->redacted = red;
	f->encrypted = enc;
	f->old_val = red || enc ? NULL : o;
	f->new_val = red || enc ? NULL : n;
	if (red)
		w->any_redacted = true;
}

static void walk(walker *w, const tc_path *at, int depth, const tc_value *o, const tc_value *n,
                 bool redact);

typedef struct arrpair {
	const tc_value *o, *n;
} arrpair;

static bool item_eq(const void *ctx, size_t i, size_t j)
{
	const arrpair *p = ctx;
	return tc_value_same(p->o->u.arr.items[i], p->n->u.arr.items[j]);
}

/* old items [d0, d0+dn) became new items [i0, i0+in): the first of each
 * paired as changes, the rest removed or added */
static void walk_run(walker *w, const tc_path *at, int depth, const arrpair *p, size_t d0,
                     size_t dn, size_t i0, size_t in, bool redact)
{
	size_t pairs = dn < in ? dn : in;
	for (size_t t = 0; t < pairs; t++) {
		tc_path sub = TC_PATH_INDEX(at, i0 + t);
		walk(w, &sub, depth + 1, p->o->u.arr.items[d0 + t], p->n->u.arr.items[i0 + t],
		     redact);
	}
	for (size_t t = pairs; t < dn; t++) {
		tc_path sub = TC_PATH_INDEX(at, d0 + t);
		emit(w, &sub, TC_DIFF_REMOVED, p->o->u.arr.items[d0 + t], NULL, redact);
	}
	for (size_t t = pairs; t < in; t++) {
		tc_path sub = TC_PATH_INDEX(at, i0 + t);
		emit(w, &sub, TC_DIFF_ADDED, NULL, p->n->u.arr.items[i0 + t], redact);
	}
}

static void walk_array(walker *w, const tc_path *at, int depth, const tc_value *o,
                       const tc_value *n, bool redact)
{
	size_t on = o->u.arr.len, nn = n->u.arr.len;
	arrpair ctx = {o, n};
	char *ops;
	long k = tc_diff_lcs(&ops, on, nn, item_eq, &ctx);
	if (k < 0) {
		/* too large to align: compare position by position */
		walk_run(w, at, depth, &ctx, 0, on, 0, nn, redact);
		return;
	}
	size_t i = 0, j = 0;
	for (long p = 0; p < k;) {
		if (ops[p] == '=') {
			i++, j++, p++;
			continue;
		}
		/* one run of edits: '-'s then '+'s; pair them up as changes */
		size_t dn = 0, in = 0;
		while (p < k && ops[p] == '-')
			dn++, p++;
		while (p < k && ops[p] == '+')
			in++, p++;
		walk_run(w, at, depth, &ctx, i, dn, j, in, redact);
		i += dn;
		j += in;
	}
	free(ops);
}

static bool key_is(const tc_member *m, const char *k)
{
	size_t n = strlen(k);
	return m->klen == n && memcmp(m->key, k, n) == 0;
}

/* two mappings, key by key in byte order; a core Secret's data and
 * stringData are redacted at the top */
static void walk_object(walker *w, const tc_path *at, int depth, const tc_value *o,
                        const tc_value *n, bool redact)
{
	size_t i = 0, j = 0;
	while (i < o->u.obj.len || j < n->u.obj.len) {
		const tc_member *x = i < o->u.obj.len ? &o->u.obj.members[i] : NULL;
		const tc_member *y = j < n->u.obj.len ? &n->u.obj.members[j] : NULL;
		int c = !x ? 1 : !y ? -1 : tc_bytes_cmp(x->key, x->klen, y->key, y->klen);
		const tc_member *m = c <= 0 ? x : y;
		bool red = redact || (depth == 0 && w->secret_kind &&
		                      (key_is(m, "data") || key_is(m, "stringData")));
		tc_path sub = TC_PATH_KEY(at, m->key, m->klen);
		if (c < 0)
			emit(w, &sub, TC_DIFF_REMOVED, x->val, NULL, red);
		else if (c > 0)
			emit(w, &sub, TC_DIFF_ADDED, NULL, y->val, red);
		else
			walk(w, &sub, depth + 1, x->val, y->val, red);
		i += c <= 0;
		j += c >= 0;
	}
}

static void walk(walker *w, const tc_path *at, int depth, const tc_value *o, const tc_value *n,
                 bool redact)
{
	if (tc_value_same(o, n))
		return;
	if (o->kind == TC_OBJECT && n->kind == TC_OBJECT)
		walk_object(w, at, depth, o, n, redact);
	else if (o->kind == TC_ARRAY && n->kind == TC_ARRAY)
		walk_array(w, at, depth, o, n, redact);
	else
		emit(w, at, TC_DIFF_CHANGED, o, n, redact);
}

/* ---- identities ---- */

static bytes str_of(const tc_value *v)
{
	if (!v || v->kind != TC_STR)
		return (bytes){NULL, 0};
	return (bytes){v->u.str.ptr, v->u.str.len};
}

static int bcmp_(bytes a, bytes b)
{
	return tc_bytes_cmp(a.p ? a.p : "", a.n, b.p ? b.p : "", b.n);
}

static int cmpitem(const void *pa, const void *pb)
{
	const item *a = pa, *b = pb;
	int c;
	if ((c = bcmp_(a->env, b->env)) || (c = bcmp_(a->group, b->group)) ||
	    (c = bcmp_(a->kind, b->kind)) || (c = bcmp_(a->ns, b->ns)))
		return c;
	return bcmp_(a->name, b->name);
}

static bool same_id(const item *a, const item *b)
{
	return cmpitem(a, b) == 0;
}

static int collect(item **out, tc_diags *d, const tc_diff_input *in, size_t n, const char *side)
{
	item *it = tc_xcalloc(n ? n : 1, sizeof *it);
	*out = it;
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		const tc_value *o = in[i].obj;
		item *x = &it[i];
		x->obj = o;
		x->env = (bytes){in[i].env ? in[i].env : "", in[i].env ? strlen(in[i].env) : 0};
		if (!o || o->kind != TC_OBJECT) {
			rc = tc_error(d, o ? o->pos : TC_NOPOS, NULL,
			              "%s object %zu is not a mapping", side, i + 1);
			continue;
		}
		x->api = str_of(tc_value_getz(o, "apiVersion"));
		x->kind = str_of(tc_value_getz(o, "kind"));
		const tc_value *meta = tc_value_getz(o, "metadata");
		x->name = str_of(tc_value_getz(meta, "name"));
		x->ns = str_of(tc_value_getz(meta, "namespace"));
		if (!x->api.p || !x->kind.p || !x->name.p) {
			rc = tc_error(
				d, o->pos, NULL,
				"%s object %zu lacks a string apiVersion, kind or metadata.name",
				side, i + 1);
			continue;
		}
		const char *slash = memchr(x->api.p, '/', x->api.n);
		x->group = (bytes){x->api.p, slash ? (size_t)(slash - x->api.p) : 0};
	}
	if (rc)
		return -1;
	if (n > 1)
		qsort(it, n, sizeof *it, cmpitem);
	for (size_t i = 1; i < n; i++) {
		if (same_id(&it[i - 1], &it[i])) {
			const item *x = &it[i];
			rc = tc_error(d, x->obj->pos, NULL,
			              "%.*s '%.*s%s%.*s' appears twice in %s (environment '%.*s')",
			              (int)x->kind.n, x->kind.p, (int)x->ns.n, x->ns.p,
			              x->ns.n ? "/" : "", (int)x->name.n, x->name.p, side,
			              (int)x->env.n, x->env.p);
		}
	}
	return rc;
}

static const char *adup(tc_arena *a, bytes b)
{
	return tc_arena_memdup0(a, b.p ? b.p : "", b.n);
}

static bool is_core_secret(const item *x)
{
	return x->group.n == 0 && x->kind.n == 6 && memcmp(x->kind.p, "Secret", 6) == 0;
}

typedef struct acc {
	tc_diff_entry *e;
	size_t len, cap;
	tc_diff_env *envs;
	size_t nenvs, ecap;
} acc;

static tc_diff_env *env_of(acc *ac, tc_diff *df, bytes env)
{
	if (ac->nenvs) {
		tc_diff_env *last = &ac->envs[ac->nenvs - 1];
		if (strlen(last->env) == env.n && memcmp(last->env, env.p, env.n) == 0)
			return last;
	}
	TC_GROW(ac->envs, ac->ecap, ac->nenvs + 1);
	tc_diff_env *e = &ac->envs[ac->nenvs++];
	memset(e, 0, sizeof *e);
	e->env = adup(&df->arena, env);
	return e;
}

static void add_entry(acc *ac, tc_diff *df, const item *x, tc_diff_op op, walker *w)
{
	TC_GROW(ac->e, ac->cap, ac->len + 1);
	tc_diff_entry *e = &ac->e[ac->len++];
	memset(e, 0, sizeof *e);
	e->env = adup(&df->arena, x->env);
	e->group = adup(&df->arena, x->group);
	e->kind = adup(&df->arena, x->kind);
	e->ns = adup(&df->arena, x->ns);
	e->name = adup(&df->arena, x->name);
	e->api_version = adup(&df->arena, x->api);
	e->op = op;
	e->secret = is_core_secret(x) || tc_value_tainted(x->obj);
	if (w) {
		e->secret = e->secret || w->any_redacted;
		e->nfields = w->len;
		e->fields = tc_arena_alloc(&df->arena, w->len * sizeof *e->fields);
		if (w->len)
			memcpy(e->fields, w->f, w->len * sizeof *e->fields);
	}
}

int tc_diff_compute(tc_diff *out, tc_diags *d, const tc_diff_input *base, size_t nbase,
                    const tc_diff_input *head, size_t nhead)
{
	memset(out, 0, sizeof *out);
	tc_arena_init(&out->arena);
	item *b = NULL, *h = NULL;
	int rb = collect(&b, d, base, nbase, "base");
	int rh = collect(&h, d, head, nhead, "head");
	if (rb || rh) {
		free(b);
		free(h);
		return -1;
	}
	acc ac = {0};
	walker w = {0};
	w.a = &out->arena;
	tc_buf_init(&w.path, TC_BUF_UNLIMITED);
	size_t i = 0, j = 0;
	while (i < nbase || j < nhead) {
		int c = i == nbase ? 1 : j == nhead ? -1 : cmpitem(&b[i], &h[j]);
		const item *x = c <= 0 ? &b[i] : &h[j];
		tc_diff_env *env = env_of(&ac, out, x->env);
		if (c < 0) {
			add_entry(&ac, out, &b[i], TC_DIFF_REMOVED, NULL);
			env->removed++;
			i++;
			continue;
		}
		if (c > 0) {
			add_entry(&ac, out, &h[j], TC_DIFF_ADDED, NULL);
			env->added++;
			j++;
			continue;
		}
		w.len = 0;
		w.any_redacted = false;
		w.secret_kind = is_core_secret(&h[j]);
		walk(&w, NULL, 0, b[i].obj, h[j].obj, false);
		if (w.len) {
			add_entry(&ac, out, &h[j], TC_DIFF_CHANGED, &w);
			env->changed++;
		} else {
			env->unchanged++;
		}
		i++;
		j++;
	}
	free(w.f);
	tc_buf_release(&w.path);
	free(b);
	free(h);
	out->len = ac.len;
	out->entries = tc_arena_alloc(&out->arena, ac.len * sizeof *ac.e);
	if (ac.len)
		memcpy(out->entries, ac.e, ac.len * sizeof *ac.e);
	out->nenvs = ac.nenvs;
	out->envs = tc_arena_alloc(&out->arena, ac.nenvs * sizeof *ac.envs);
	if (ac.nenvs)
		memcpy(out->envs, ac.envs, ac.nenvs * sizeof *ac.envs);
	for (size_t k = 0; k < ac.nenvs; k++) {
		out->added += ac.envs[k].added;
		out->removed += ac.envs[k].removed;
		out->changed += ac.envs[k].changed;
		out->unchanged += ac.envs[k].unchanged;
	}
	free(ac.e);
	free(ac.envs);
	return 0;
}

void tc_diff_release(tc_diff *df)
{
	tc_arena_release(&df->arena);
	memset(df, 0, sizeof *df);
}
