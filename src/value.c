/*
 * value.c - builders, lookup and comparison for tc_value.
 *
 * Objects are sorted once when built (a stable merge sort so that, without
 * duplicate detection, the later of two equal keys wins) and looked up by
 * binary search afterwards.
 */
#include "value.h"

#include "sort.h"

#include <stdlib.h>
#include <string.h>

const char *tc_kind_name(tc_kind k)
{
	static const char *const names[] = {"null",   "boolean", "integer", "number",
	                                    "string", "array",   "object"};
	return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

static tc_value *newval(tc_arena *a, tc_kind k, tc_pos pos)
{
	tc_value *v = tc_arena_alloc(a, sizeof *v);
	memset(v, 0, sizeof *v);
	v->kind = k;
	v->pos = pos;
	return v;
}

tc_value *tc_value_null(tc_arena *a, tc_pos pos)
{
	return newval(a, TC_NULL, pos);
}

tc_value *tc_value_bool(tc_arena *a, bool b, tc_pos pos)
{
	tc_value *v = newval(a, TC_BOOL, pos);
	v->u.b = b;
	return v;
}

tc_value *tc_value_int(tc_arena *a, int64_t i, tc_pos pos)
{
	tc_value *v = newval(a, TC_INT, pos);
	v->u.i = i;
	return v;
}

tc_value *tc_value_float(tc_arena *a, double f, tc_pos pos)
{
	tc_value *v = newval(a, TC_FLOAT, pos);
	v->u.f = f;
	return v;
}

tc_value *tc_value_str(tc_arena *a, const char *s, size_t n, tc_pos pos)
{
	return tc_value_str_ref(a, tc_arena_memdup0(a, s, n), n, pos);
}

tc_value *tc_value_strz(tc_arena *a, const char *s, tc_pos pos)
{
	return tc_value_str(a, s, strlen(s), pos);
}

tc_value *tc_value_str_ref(tc_arena *a, const char *s, size_t n, tc_pos pos)
{
	tc_value *v = newval(a, TC_STR, pos);
	v->u.str.ptr = s;
	v->u.str.len = n;
	return v;
}

tc_value *tc_value_array(tc_arena *a, tc_value *const *items, size_t n, tc_pos pos)
{
	tc_value *v = newval(a, TC_ARRAY, pos);
	v->u.arr.len = n;
	v->u.arr.items = tc_arena_alloc(a, n * sizeof(tc_value *));
	if (n)
		memcpy(v->u.arr.items, items, n * sizeof(tc_value *));
	return v;
}

int tc_bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	size_t n = an < bn ? an : bn;
	int c = n ? memcmp(a, b, n) : 0;
	if (c)
		return c;
	return an < bn ? -1 : an > bn;
}

typedef struct {
	tc_member m;
	size_t idx;
} keyed;

static int keycmp(const void *xp, const void *yp, void *ctx)
{
	(void)ctx;
	const keyed *x = xp, *y = yp;
	int c = tc_bytes_cmp(x->m.key, x->m.klen, y->m.key, y->m.klen);
	if (c)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

tc_value *tc_value_object(tc_arena *a, const tc_member *m, size_t n, tc_pos pos, size_t *dup)
{
	keyed small[16];
	keyed *k = n <= 16 ? small : tc_xmalloc(n * sizeof *k);
	bool sorted = true;
	for (size_t i = 0; i < n; i++) {
		k[i].m = m[i];
		k[i].idx = i;
		if (i && sorted &&
		    tc_bytes_cmp(m[i - 1].key, m[i - 1].klen, m[i].key, m[i].klen) >= 0)
			sorted = false;
	}
	if (!sorted)
		tc_sort_stable(k, n, sizeof *k, keycmp, NULL);
	tc_value *v = NULL;
	/* collapse duplicates */
	size_t out = 0;
	for (size_t i = 0; i < n; i++) {
		if (out && k[out - 1].m.klen == k[i].m.klen &&
		    tc_bytes_cmp(k[out - 1].m.key, k[out - 1].m.klen, k[i].m.key, k[i].m.klen) ==
		            0) {
			if (dup) {
				*dup = k[i].idx;
				goto done;
			}
			k[out - 1] = k[i]; /* later wins */
			continue;
		}
		k[out++] = k[i];
	}
	v = newval(a, TC_OBJECT, pos);
	v->u.obj.len = out;
	v->u.obj.members = tc_arena_alloc(a, out * sizeof(tc_member));
	for (size_t i = 0; i < out; i++) {
		tc_member *d = &v->u.obj.members[i];
		*d = k[i].m;
		d->key = tc_arena_memdup0(a, k[i].m.key, k[i].m.klen);
	}
done:
	if (k != small)
		free(k);
	return v;
}

tc_value *tc_value_copy(tc_arena *a, const tc_value *v)
{
	tc_value *c = tc_arena_alloc(a, sizeof *c);
	*c = *v;
	return c;
}

const tc_member *tc_value_member(const tc_value *obj, const char *key, size_t klen)
{
	if (!obj || obj->kind != TC_OBJECT)
		return NULL;
	size_t lo = 0, hi = obj->u.obj.len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const tc_member *m = &obj->u.obj.members[mid];
		/* the first bytes decide most steps of the search without memcmp */
		int c = m->klen && klen && m->key[0] != key[0]
		                ? ((unsigned char)m->key[0] < (unsigned char)key[0] ? -1 : 1)
		                : tc_bytes_cmp(m->key, m->klen, key, klen);
		if (c == 0)
			return m;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

tc_value *tc_value_get(const tc_value *obj, const char *key, size_t klen)
{
	const tc_member *m = tc_value_member(obj, key, klen);
	return m ? m->val : NULL;
}

tc_value *tc_value_getz(const tc_value *obj, const char *key)
{
	return tc_value_get(obj, key, strlen(key));
}

tc_value *tc_value_dig(const tc_value *v, const char *dotted)
{
	const char *p = dotted;
	tc_value *cur = (tc_value *)v;
	while (cur && *p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		cur = tc_value_get(cur, p, n);
		p += n;
		if (*p == '.')
			p++;
	}
	return cur;
}

static bool equal(const tc_value *a, const tc_value *b, bool strict);

static bool equal_items(const tc_value *a, const tc_value *b, bool strict)
{
	if (a->u.arr.len != b->u.arr.len)
		return false;
	for (size_t i = 0; i < a->u.arr.len; i++)
		if (!equal(a->u.arr.items[i], b->u.arr.items[i], strict))
			return false;
	return true;
}

static bool equal_members(const tc_value *a, const tc_value *b, bool strict)
{
	if (a->u.obj.len != b->u.obj.len)
		return false;
	for (size_t i = 0; i < a->u.obj.len; i++) {
		const tc_member *x = &a->u.obj.members[i], *y = &b->u.obj.members[i];
		if (x->klen != y->klen || tc_bytes_cmp(x->key, x->klen, y->key, y->klen) != 0 ||
		    !equal(x->val, y->val, strict))
			return false;
	}
	return true;
}

/* Deep equality; strict: numbers by kind and bits (as written), else by
 * value (JSON). Keys compare by bytes either way. */
static bool equal(const tc_value *a, const tc_value *b, bool strict)
{
	if (a == b)
		return true;
	if (!a || !b)
		return false;
	if (!strict && tc_value_is_number(a) && tc_value_is_number(b)) {
		if (a->kind == TC_INT && b->kind == TC_INT)
			return a->u.i == b->u.i;
		return tc_value_num(a) == tc_value_num(b);
	}
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case TC_NULL:
		return true;
	case TC_BOOL:
		return a->u.b == b->u.b;
	case TC_INT:
		return a->u.i == b->u.i;
	case TC_FLOAT:
		return memcmp(&a->u.f, &b->u.f, sizeof a->u.f) == 0;
	case TC_STR:
		return a->u.str.len == b->u.str.len &&
		       (a->u.str.len == 0 || memcmp(a->u.str.ptr, b->u.str.ptr, a->u.str.len) == 0);
	case TC_ARRAY:
		return equal_items(a, b, strict);
	case TC_OBJECT:
		return equal_members(a, b, strict);
	}
	return false;
}

bool tc_value_equal(const tc_value *a, const tc_value *b)
{
	return equal(a, b, false);
}

bool tc_value_same(const tc_value *a, const tc_value *b)
{
	return equal(a, b, true);
}

bool tc_value_tainted(const tc_value *v)
{
	if (!v)
		return false;
	if (v->flags & TC_VAL_SECRET)
		return true;
	if (v->kind == TC_ARRAY) {
		for (size_t i = 0; i < v->u.arr.len; i++)
			if (tc_value_tainted(v->u.arr.items[i]))
				return true;
	} else if (v->kind == TC_OBJECT) {
		for (size_t i = 0; i < v->u.obj.len; i++)
			if (tc_value_tainted(v->u.obj.members[i].val))
				return true;
	}
	return false;
}

const char *tc_value_shown(const tc_value *v)
{
	if (tc_value_tainted(v))
		return "<redacted>";
	return v && v->kind == TC_STR ? v->u.str.ptr : "";
}

void tc_arrb_init(tc_arrb *b)
{
	b->items = NULL;
	b->len = b->cap = 0;
}

void tc_arrb_push(tc_arrb *b, tc_value *v)
{
	TC_GROW(b->items, b->cap, b->len + 1);
	b->items[b->len++] = v;
}

tc_value *tc_arrb_finish(tc_arrb *b, tc_arena *a, tc_pos pos)
{
	tc_value *v = tc_value_array(a, b->items, b->len, pos);
	tc_arrb_release(b);
	return v;
}

void tc_arrb_release(tc_arrb *b)
{
	free(b->items);
	tc_arrb_init(b);
}

void tc_objb_init(tc_objb *b)
{
	b->members = NULL;
	b->len = b->cap = 0;
}

void tc_objb_add(tc_objb *b, const char *key, size_t klen, tc_pos kpos, tc_value *v)
{
	TC_GROW(b->members, b->cap, b->len + 1);
	b->members[b->len++] = (tc_member){key, klen, kpos, v};
}

void tc_objb_addz(tc_objb *b, const char *key, tc_value *v)
{
	tc_objb_add(b, key, strlen(key), v ? v->pos : TC_NOPOS, v);
}

tc_value *tc_objb_finish(tc_objb *b, tc_arena *a, tc_pos pos, size_t *dup)
{
	tc_value *v = tc_value_object(a, b->members, b->len, pos, dup);
	if (v)
		tc_objb_release(b);
	return v;
}

void tc_objb_release(tc_objb *b)
{
	free(b->members);
	tc_objb_init(b);
}
