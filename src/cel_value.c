/*
 * cel_value.c - CEL values: builders, equality and ordering, map lookup,
 * conversion from document values and from the typed JSON form of
 * cel.expr.Value, JSON output, and the text forms of durations and
 * timestamps.
 *
 * Values are immutable and arena-allocated. Equality follows the CEL
 * language definition ("Equality"): numbers compare by value across int,
 * uint and double, lists and maps element-wise, values of different types
 * are unequal. Map keys are kept in insertion order and are unique; lookup
 * is a linear scan under the same numeric equality (1 finds 1u and 1.0).
 */
#include "cel_value.h"

#include "base64.h"
#include "json_emit.h"
#include "scalar.h"
#include "timefmt.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static tc_cel_val *mk(tc_arena *a, tc_cel_kind k)
{
	tc_cel_val *v = tc_arena_alloc(a, sizeof *v);
	*v = (tc_cel_val){.kind = k}; /* zeroed inline: no memset call per value */
	return v;
}

tc_cel_val *tc_cel_null(tc_arena *a)
{
	return mk(a, TC_CEL_NULL);
}

tc_cel_val *tc_cel_bool(tc_arena *a, bool b)
{
	tc_cel_val *v = mk(a, TC_CEL_BOOL);
	v->u.b = b;
	return v;
}

tc_cel_val *tc_cel_int(tc_arena *a, int64_t i)
{
	tc_cel_val *v = mk(a, TC_CEL_INT);
	v->u.i = i;
	return v;
}

tc_cel_val *tc_cel_uint(tc_arena *a, uint64_t u)
{
	tc_cel_val *v = mk(a, TC_CEL_UINT);
	v->u.u = u;
	return v;
}

tc_cel_val *tc_cel_double(tc_arena *a, double d)
{
	tc_cel_val *v = mk(a, TC_CEL_DOUBLE);
	v->u.d = d;
	return v;
}

static tc_cel_val *text(tc_arena *a, tc_cel_kind k, const char *s, size_t n)
{
	tc_cel_val *v = mk(a, k);
	v->u.s.ptr = tc_arena_memdup0(a, s, n);
	v->u.s.len = n;
	return v;
}

tc_cel_val *tc_cel_string(tc_arena *a, const char *s, size_t n)
{
	return text(a, TC_CEL_STRING, s, n);
}

tc_cel_val *tc_cel_bytes(tc_arena *a, const char *s, size_t n)
{
	return text(a, TC_CEL_BYTES, s, n);
}

tc_cel_val *tc_cel_opaque(tc_arena *a, const char *type, const char *text, size_t n,
                          const void *data)
{
	tc_cel_val *v = mk(a, TC_CEL_OPAQUE);
	v->u.o.type = type;
	v->u.o.ptr = tc_arena_memdup0(a, text, n);
	v->u.o.len = n;
	v->u.o.data = data;
	return v;
}

tc_cel_val *tc_cel_type(tc_arena *a, const char *name)
{
	tc_cel_val *v = mk(a, TC_CEL_TYPE);
	v->u.s.ptr = name;
	v->u.s.len = strlen(name);
	return v;
}

const char *tc_cel_builtin_type(const char *name)
{
	static const char *const names[] = {
		"bool",
		"bytes",
		"double",
		"google.protobuf.Duration",
		"google.protobuf.Timestamp",
		"int",
		"list",
		"map",
		"null_type",
		"optional_type",
		"string",
		"type",
		"uint",
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(names[i], name) == 0)
			return names[i];
	return NULL;
}

tc_cel_val *tc_cel_list(tc_arena *a, tc_cel_val *const *items, size_t n)
{
	tc_cel_val *v = mk(a, TC_CEL_LIST);
	v->u.list.items = tc_arena_alloc(a, n * sizeof *items);
	if (n)
		memcpy(v->u.list.items, items, n * sizeof *items);
	v->u.list.len = n;
	return v;
}

tc_cel_val *tc_cel_duration(tc_arena *a, int64_t ns)
{
	tc_cel_val *v = mk(a, TC_CEL_DURATION);
	v->u.ns = ns;
	return v;
}

tc_cel_val *tc_cel_timestamp(tc_arena *a, int64_t sec, int32_t nsec)
{
	tc_cel_val *v = mk(a, TC_CEL_TIMESTAMP);
	v->u.t.sec = sec;
	v->u.t.nsec = nsec;
	return v;
}

tc_cel_val *tc_cel_optional(tc_arena *a, tc_cel_val *inner)
{
	tc_cel_val *v = mk(a, TC_CEL_OPTIONAL);
	v->u.opt = inner;
	return v;
}

tc_cel_val *tc_cel_error(tc_arena *a, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof buf)
		n = sizeof buf - 1;
	tc_cel_val *v = mk(a, TC_CEL_ERROR);
	v->u.err.ptr = tc_arena_memdup0(a, buf, (size_t)n);
	v->u.err.len = (size_t)n;
	return v;
}

const char *tc_cel_type_name(const tc_cel_val *v)
{
	switch (v->kind) {
	case TC_CEL_NULL:
		return "null_type";
	case TC_CEL_BOOL:
		return "bool";
	case TC_CEL_INT:
		return "int";
	case TC_CEL_UINT:
		return "uint";
	case TC_CEL_DOUBLE:
		return "double";
	case TC_CEL_STRING:
		return "string";
	case TC_CEL_BYTES:
		return "bytes";
	case TC_CEL_LIST:
		return "list";
	case TC_CEL_MAP:
		return "map";
	case TC_CEL_TYPE:
		return "type";
	case TC_CEL_DURATION:
		return "google.protobuf.Duration";
	case TC_CEL_TIMESTAMP:
		return "google.protobuf.Timestamp";
	case TC_CEL_OPTIONAL:
		return "optional_type";
	case TC_CEL_ERROR:
		return "error";
	case TC_CEL_OPAQUE:
		return v->u.o.type;
	}
	return "error";
}

static bool is_num(const tc_cel_val *v)
{
	return v->kind == TC_CEL_INT || v->kind == TC_CEL_UINT || v->kind == TC_CEL_DOUBLE;
}

/* Numbers of which at least one is a double: -1, 0, 1, or 2 when a NaN is
 * involved. */
static int numcmp_double(const tc_cel_val *a, const tc_cel_val *b)
{
	if (a->kind == TC_CEL_DOUBLE && b->kind == TC_CEL_DOUBLE)
		return isnan(a->u.d) || isnan(b->u.d) ? 2 : (a->u.d > b->u.d) - (a->u.d < b->u.d);
	const tc_cel_val *d = a->kind == TC_CEL_DOUBLE ? a : b;
	const tc_cel_val *o = d == a ? b : a;
	int sign = d == a ? 1 : -1;
	double x = d->u.d;
	if (isnan(x))
		return 2;
	/* the integer goes to double, losing what a double cannot hold,
	 * as cel-go compares (cel-spec comparisons "lossy" cases) */
	double y = o->kind == TC_CEL_INT ? (double)o->u.i : (double)o->u.u;
	int r = (x > y) - (x < y);
	return r * sign;
}

/* Numbers of any kind: -1, 0, 1, or 2 when a NaN is involved. */
static int numcmp(const tc_cel_val *a, const tc_cel_val *b)
{
	if (a->kind == TC_CEL_DOUBLE || b->kind == TC_CEL_DOUBLE)
		return numcmp_double(a, b);
	if (a->kind == b->kind) {
		if (a->kind == TC_CEL_INT)
			return (a->u.i > b->u.i) - (a->u.i < b->u.i);
		return (a->u.u > b->u.u) - (a->u.u < b->u.u);
	}
	const tc_cel_val *i = a->kind == TC_CEL_INT ? a : b, *u = i == a ? b : a;
	int r = i->u.i < 0 ? -1 : ((uint64_t)i->u.i > u->u.u) - ((uint64_t)i->u.i < u->u.u);
	return i == a ? r : -r;
}

int tc_cel_compare(const tc_cel_val *a, const tc_cel_val *b)
{
	if (is_num(a) && is_num(b))
		return numcmp(a, b);
	if (a->kind != b->kind)
		return 2;
	switch (a->kind) {
	case TC_CEL_BOOL:
		return (a->u.b > b->u.b) - (a->u.b < b->u.b);
	case TC_CEL_STRING:
	case TC_CEL_BYTES: {
		int c = tc_bytes_cmp(a->u.s.ptr, a->u.s.len, b->u.s.ptr, b->u.s.len);
		return (c > 0) - (c < 0);
	}
	case TC_CEL_DURATION:
		return (a->u.ns > b->u.ns) - (a->u.ns < b->u.ns);
	case TC_CEL_TIMESTAMP:
		if (a->u.t.sec != b->u.t.sec)
			return a->u.t.sec > b->u.t.sec ? 1 : -1;
		return (a->u.t.nsec > b->u.t.nsec) - (a->u.t.nsec < b->u.t.nsec);
	default:
		return 2;
	}
}

/* string key k in a map whose keys are strings in byte order: bisected */
static tc_cel_val *bisect_string(const tc_cel_val *m, const tc_cel_val *k)
{
	size_t n = k->u.s.len, lo = 0, hi = m->u.map.len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const tc_cel_val *x = m->u.map.keys[mid];
		int c = n && x->u.s.len && x->u.s.ptr[0] != k->u.s.ptr[0]
		                ? (unsigned char)x->u.s.ptr[0] - (unsigned char)k->u.s.ptr[0]
		                : tc_bytes_cmp(x->u.s.ptr, x->u.s.len, k->u.s.ptr, n);
		if (c == 0)
			return m->u.map.vals[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* string key k in any map: a string equals only a string of the same bytes */
static tc_cel_val *scan_string(const tc_cel_val *m, const tc_cel_val *k)
{
	size_t n = k->u.s.len;
	for (size_t i = 0; i < m->u.map.len; i++) {
		const tc_cel_val *x = m->u.map.keys[i];
		if (x->kind == TC_CEL_STRING && x->u.s.len == n &&
		    (n == 0 ||
		     (x->u.s.ptr[0] == k->u.s.ptr[0] && memcmp(x->u.s.ptr, k->u.s.ptr, n) == 0)))
			return m->u.map.vals[i];
	}
	return NULL;
}

tc_cel_val *tc_cel_map_get(const tc_cel_val *m, const tc_cel_val *k)
{
	if (k->kind == TC_CEL_STRING) {
		/* the common case, a field name; a small map is scanned faster
		 * than it is bisected */
		if (m->u.map.sorted && m->u.map.len > 8)
			return bisect_string(m, k);
		return scan_string(m, k);
	}
	for (size_t i = 0; i < m->u.map.len; i++)
		if (tc_cel_equal(m->u.map.keys[i], k))
			return m->u.map.vals[i];
	return NULL;
}

/* the value of string key name in map m, or NULL */
static const tc_cel_val *field(const tc_cel_val *m, const char *name)
{
	if (m->kind != TC_CEL_MAP)
		return NULL;
	size_t n = strlen(name);
	for (size_t i = 0; i < m->u.map.len; i++) {
		const tc_cel_val *k = m->u.map.keys[i];
		if (k->kind == TC_CEL_STRING && k->u.s.len == n && memcmp(k->u.s.ptr, name, n) == 0)
			return m->u.map.vals[i];
	}
	return NULL;
}

/* two elements of map list l have the same keys */
static bool same_keys(const tc_cel_val *l, const tc_cel_val *x, const tc_cel_val *y)
{
	for (size_t k = 0; k < l->u.list.nmkeys; k++) {
		const tc_cel_val *p = field(x, l->u.list.mkeys[k]),
				 *q = field(y, l->u.list.mkeys[k]);
		if (!p || !q ? p != q : !tc_cel_equal(p, q))
			return false;
	}
	return true;
}

long tc_cel_list_find(const tc_cel_val *l, const tc_cel_val *x)
{
	for (size_t i = 0; i < l->u.list.len; i++) {
		const tc_cel_val *e = l->u.list.items[i];
		if (l->u.list.ltype == TC_CEL_LIST_MAP ? same_keys(l, e, x) : tc_cel_equal(e, x))
			return (long)i;
	}
	return -1;
}

/* lists of the same length where a has a list type (set or map): the left
 * operand's list type decides, as in the API server (unstructuredSetList,
 * unstructuredMapList Equal) */
static bool typed_list_equal(const tc_cel_val *a, const tc_cel_val *b)
{
	for (size_t i = 0; i < b->u.list.len; i++) {
		long k = tc_cel_list_find(a, b->u.list.items[i]);
		if (k < 0 || (a->u.list.ltype == TC_CEL_LIST_MAP &&
		              !tc_cel_equal(a->u.list.items[k], b->u.list.items[i])))
			return false;
	}
	return true;
}

static bool list_equal(const tc_cel_val *a, const tc_cel_val *b)
{
	if (a->u.list.len != b->u.list.len)
		return false;
	if (a->u.list.ltype)
		return typed_list_equal(a, b);
	for (size_t i = 0; i < a->u.list.len; i++)
		if (!tc_cel_equal(a->u.list.items[i], b->u.list.items[i]))
			return false;
	return true;
}

static bool map_equal(const tc_cel_val *a, const tc_cel_val *b)
{
	if (a->u.map.len != b->u.map.len)
		return false;
	for (size_t i = 0; i < a->u.map.len; i++) {
		tc_cel_val *o = tc_cel_map_get(b, a->u.map.keys[i]);
		if (!o || !tc_cel_equal(a->u.map.vals[i], o))
			return false;
	}
	return true;
}

bool tc_cel_equal(const tc_cel_val *a, const tc_cel_val *b)
{
	if (is_num(a) && is_num(b))
		return numcmp(a, b) == 0;
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case TC_CEL_NULL:
		return true;
	case TC_CEL_ERROR:
		return a->u.err.len == b->u.err.len &&
		       memcmp(a->u.err.ptr, b->u.err.ptr, a->u.err.len) == 0;
	case TC_CEL_TYPE:
		return a->u.s.len == b->u.s.len && memcmp(a->u.s.ptr, b->u.s.ptr, a->u.s.len) == 0;
	case TC_CEL_LIST:
		return list_equal(a, b);
	case TC_CEL_MAP:
		return map_equal(a, b);
	case TC_CEL_OPAQUE:
		return strcmp(a->u.o.type, b->u.o.type) == 0 && a->u.o.len == b->u.o.len &&
		       memcmp(a->u.o.ptr, b->u.o.ptr, a->u.o.len) == 0;
	case TC_CEL_OPTIONAL:
		if (!a->u.opt || !b->u.opt)
			return !a->u.opt && !b->u.opt;
		return tc_cel_equal(a->u.opt, b->u.opt);
	default:
		return tc_cel_compare(a, b) == 0;
	}
}

bool tc_cel_tainted(const tc_cel_val *v)
{
	return v->secret || v->tainted;
}

tc_cel_val *tc_cel_secret(tc_arena *a, tc_cel_val *v)
{
	if (v->secret)
		return v;
	tc_cel_val *c = tc_arena_alloc(a, sizeof *c);
	*c = *v;
	c->secret = c->tainted = true;
	return c;
}

static tc_cel_val *from_value(tc_arena *a, const tc_value *v, bool secret)
{
	tc_cel_val *r;
	secret = secret || (v->flags & TC_VAL_SECRET);
	switch (v->kind) {
	case TC_NULL:
		r = tc_cel_null(a);
		break;
	case TC_BOOL:
		r = tc_cel_bool(a, v->u.b);
		break;
	case TC_INT:
		r = tc_cel_int(a, v->u.i);
		break;
	case TC_FLOAT:
		r = tc_cel_double(a, v->u.f);
		break;
	case TC_STR:
		r = tc_cel_string(a, v->u.str.ptr, v->u.str.len);
		break;
	case TC_ARRAY:
		r = mk(a, TC_CEL_LIST);
		r->u.list.len = v->u.arr.len;
		r->u.list.items = tc_arena_alloc(a, v->u.arr.len * sizeof(tc_cel_val *));
		for (size_t i = 0; i < v->u.arr.len; i++) {
			r->u.list.items[i] = from_value(a, v->u.arr.items[i], secret);
			r->tainted |= tc_cel_tainted(r->u.list.items[i]);
		}
		break;
	case TC_OBJECT: {
		r = mk(a, TC_CEL_MAP);
		size_t n = v->u.obj.len;
		r->u.map.len = n;
		r->u.map.keys = tc_arena_alloc(a, n * sizeof(tc_cel_val *));
		r->u.map.vals = tc_arena_alloc(a, n * sizeof(tc_cel_val *));
		r->u.map.sorted = true; /* an object's members are in byte order */
		for (size_t i = 0; i < n; i++) {
			const tc_member *mb = &v->u.obj.members[i];
			r->u.map.keys[i] = tc_cel_string(a, mb->key, mb->klen);
			r->u.map.keys[i]->secret = r->u.map.keys[i]->tainted = secret;
			r->u.map.vals[i] = from_value(a, mb->val, secret);
			r->tainted |= tc_cel_tainted(r->u.map.vals[i]);
		}
		break;
	}
	default:
		r = tc_cel_null(a);
		break;
	}
	r->secret = secret;
	r->tainted |= secret;
	return r;
}

tc_cel_val *tc_cel_from_value(tc_arena *a, const tc_value *v)
{
	return from_value(a, v, false);
}

/* A JSON number or a decimal string, as the protobuf JSON mapping writes
 * 64-bit integers. */
static int typed_int(const tc_value *v, int64_t *i, uint64_t *u, bool is_unsigned)
{
	if (v->kind == TC_INT) {
		if (is_unsigned && v->u.i < 0)
			return -1;
		*i = v->u.i;
		*u = (uint64_t)v->u.i;
		return 0;
	}
	if (v->kind != TC_STR || v->u.str.len == 0 || v->u.str.len > 24)
		return -1;
	char buf[32];
	memcpy(buf, v->u.str.ptr, v->u.str.len);
	buf[v->u.str.len] = 0;
	if (is_unsigned) {
		unsigned long long x = 0;
		for (size_t k = 0; buf[k]; k++) {
			unsigned dg = (unsigned)(buf[k] - '0');
			if (buf[k] < '0' || buf[k] > '9' || x > UINT64_MAX / 10 ||
			    (x == UINT64_MAX / 10 && dg > UINT64_MAX % 10))
				return -1;
			x = x * 10 + dg;
		}
		*u = x;
		return 0;
	}
	return tc_scalar_parse_int(i, buf, v->u.str.len);
}

/* One member of a typed value (cel.expr.Value in its JSON form) each: the
 * value, or NULL, with *err set when the reason is more than "unknown or
 * malformed". */
typedef tc_cel_val *typed_fn(tc_arena *a, const tc_value *x, const char **err);

static tc_cel_val *typed_null(tc_arena *a, const tc_value *x, const char **err)
{
	(void)x, (void)err;
	return tc_cel_null(a);
}

static tc_cel_val *typed_bool(tc_arena *a, const tc_value *x, const char **err)
{
	(void)err;
	return x->kind == TC_BOOL ? tc_cel_bool(a, x->u.b) : NULL;
}

static tc_cel_val *typed_int64(tc_arena *a, const tc_value *x, const char **err)
{
	int64_t i;
	uint64_t u;
	(void)err;
	return typed_int(x, &i, &u, false) == 0 ? tc_cel_int(a, i) : NULL;
}

static tc_cel_val *typed_uint64(tc_arena *a, const tc_value *x, const char **err)
{
	int64_t i;
	uint64_t u;
	(void)err;
	return typed_int(x, &i, &u, true) == 0 ? tc_cel_uint(a, u) : NULL;
}

static tc_cel_val *typed_double(tc_arena *a, const tc_value *x, const char **err)
{
	(void)err;
	if (tc_value_is_number(x))
		return tc_cel_double(a, tc_value_num(x));
	if (tc_value_streq(x, "NaN"))
		return tc_cel_double(a, NAN);
	if (tc_value_streq(x, "Infinity"))
		return tc_cel_double(a, INFINITY);
	if (tc_value_streq(x, "-Infinity"))
		return tc_cel_double(a, -INFINITY);
	return NULL;
}

static tc_cel_val *typed_string(tc_arena *a, const tc_value *x, const char **err)
{
	(void)err;
	return x->kind == TC_STR ? tc_cel_string(a, x->u.str.ptr, x->u.str.len) : NULL;
}

static tc_cel_val *typed_bytes(tc_arena *a, const tc_value *x, const char **err)
{
	(void)err;
	if (x->kind != TC_STR)
		return NULL;
	unsigned char *out = tc_arena_alloc(a, x->u.str.len + 1);
	size_t n;
	if (tc_base64_decode(out, &n, x->u.str.len + 1, x->u.str.ptr, x->u.str.len,
	                     TC_BASE64_PAD_ANY | TC_BASE64_URL) != 0)
		return NULL;
	return tc_cel_bytes(a, (const char *)out, n);
}

static tc_cel_val *typed_type(tc_arena *a, const tc_value *x, const char **err)
{
	(void)err;
	if (x->kind != TC_STR)
		return NULL;
	return tc_cel_type(a, tc_arena_memdup0(a, x->u.str.ptr, x->u.str.len));
}

static tc_cel_val *typed_list(tc_arena *a, const tc_value *x, const char **err)
{
	if (x->kind != TC_OBJECT)
		return NULL;
	const tc_value *vals = tc_value_getz(x, "values");
	size_t n = vals && vals->kind == TC_ARRAY ? vals->u.arr.len : 0;
	tc_cel_val *l = mk(a, TC_CEL_LIST);
	l->u.list.len = n;
	l->u.list.items = tc_arena_alloc(a, n * sizeof(tc_cel_val *));
	for (size_t j = 0; j < n; j++)
		if (!(l->u.list.items[j] = tc_cel_from_typed(a, vals->u.arr.items[j], err)))
			return NULL;
	return l;
}

static tc_cel_val *typed_map(tc_arena *a, const tc_value *x, const char **err)
{
	if (x->kind != TC_OBJECT)
		return NULL;
	const tc_value *ents = tc_value_getz(x, "entries");
	size_t n = ents && ents->kind == TC_ARRAY ? ents->u.arr.len : 0;
	tc_cel_val *mv = mk(a, TC_CEL_MAP);
	mv->u.map.keys = tc_arena_alloc(a, n * sizeof(tc_cel_val *));
	mv->u.map.vals = tc_arena_alloc(a, n * sizeof(tc_cel_val *));
	for (size_t j = 0; j < n; j++) {
		const tc_value *ek = tc_value_getz(ents->u.arr.items[j], "key");
		const tc_value *ev = tc_value_getz(ents->u.arr.items[j], "value");
		if (!ek || !ev) {
			*err = "a map entry needs a key and a value";
			return NULL;
		}
		tc_cel_val *kv = tc_cel_from_typed(a, ek, err);
		tc_cel_val *vv = kv ? tc_cel_from_typed(a, ev, err) : NULL;
		if (!vv)
			return NULL;
		mv->u.map.keys[mv->u.map.len] = kv;
		mv->u.map.vals[mv->u.map.len++] = vv;
	}
	return mv;
}

/* only the well-known messages google.protobuf.Duration and Timestamp */
static tc_cel_val *typed_object(tc_arena *a, const tc_value *x, const char **err)
{
	if (x->kind != TC_OBJECT)
		return NULL;
	const tc_value *t = tc_value_getz(x, "@type"), *val = tc_value_getz(x, "value");
	bool text = val && val->kind == TC_STR;
	int64_t ns, sec;
	int32_t nsec;
	if (text && tc_value_streq(t, "type.googleapis.com/google.protobuf.Duration") &&
	    tc_cel_duration_parse(&ns, val->u.str.ptr, val->u.str.len) == 0)
		return tc_cel_duration(a, ns);
	if (text && tc_value_streq(t, "type.googleapis.com/google.protobuf.Timestamp") &&
	    tc_cel_timestamp_parse(&sec, &nsec, val->u.str.ptr, val->u.str.len) == 0)
		return tc_cel_timestamp(a, sec, nsec);
	*err = "objectValue of a message type";
	return NULL;
}

static const struct {
	const char *key;
	typed_fn *fn;
} typed_members[] = {
	{"nullValue", typed_null},     {"boolValue", typed_bool},     {"int64Value", typed_int64},
	{"uint64Value", typed_uint64}, {"doubleValue", typed_double}, {"stringValue", typed_string},
	{"bytesValue", typed_bytes},   {"typeValue", typed_type},     {"listValue", typed_list},
	{"mapValue", typed_map},       {"objectValue", typed_object},
};

tc_cel_val *tc_cel_from_typed(tc_arena *a, const tc_value *v, const char **err)
{
	if (v->kind != TC_OBJECT || v->u.obj.len != 1) {
		*err = "a typed value is an object with one member";
		return NULL;
	}
	const tc_member *m = &v->u.obj.members[0];
	for (size_t i = 0; i < sizeof typed_members / sizeof typed_members[0]; i++) {
		if (strcmp(m->key, typed_members[i].key) != 0)
			continue;
		const char *why = NULL;
		tc_cel_val *r = typed_members[i].fn(a, m->val, &why);
		if (!r)
			*err = why ? why : "unknown or malformed typed value";
		return r;
	}
	*err = "unknown or malformed typed value";
	return NULL;
}

static void json_double(tc_buf *out, double d, bool typed)
{
	if (isnan(d) || isinf(d)) {
		tc_buf_adds(out, isnan(d) ? "\"NaN\"" : d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
		(void)typed;
		return;
	}
	char buf[32];
	tc_scalar_format_double(buf, d);
	tc_buf_adds(out, buf);
}

/* a string or a type name; typed, in its cel.expr.Value member */
static void json_text(tc_buf *out, const tc_cel_val *v, bool typed)
{
	if (typed)
		tc_buf_adds(out,
		            v->kind == TC_CEL_STRING ? "{\"stringValue\":" : "{\"typeValue\":");
	tc_json_string(out, v->u.s.ptr, v->u.s.len);
	if (typed)
		tc_buf_addc(out, '}');
}

/* a duration or a timestamp as its text; typed, as a google.protobuf
 * message */
static void json_time(tc_buf *out, const tc_cel_val *v, bool typed)
{
	tc_buf tmp;
	tc_buf_init(&tmp, 64);
	if (v->kind == TC_CEL_DURATION)
		tc_cel_duration_format(&tmp, v->u.ns);
	else
		tc_cel_timestamp_format(&tmp, v->u.t.sec, v->u.t.nsec);
	if (typed)
		tc_buf_addf(out,
		            "{\"objectValue\":{\"@type\":\"type.googleapis.com/%s\",\"value\":",
		            tc_cel_type_name(v));
	tc_json_string(out, tmp.ptr, tmp.len);
	if (typed)
		tc_buf_adds(out, "}}");
	tc_buf_release(&tmp);
}

static void json_list(tc_buf *out, const tc_cel_val *v, bool typed)
{
	tc_buf_adds(out, typed ? "{\"listValue\":{\"values\":[" : "[");
	for (size_t i = 0; i < v->u.list.len; i++) {
		if (i)
			tc_buf_addc(out, ',');
		tc_cel_to_json(out, v->u.list.items[i], typed);
	}
	tc_buf_adds(out, typed ? "]}}" : "]");
}

/* a map key in plain JSON, followed by its ':' */
static void json_key(tc_buf *out, const tc_cel_val *k)
{
	if (k->kind == TC_CEL_STRING) {
		tc_json_string(out, k->u.s.ptr, k->u.s.len);
	} else {
		/* JSON keys are strings: an int, uint or bool key is written as
		 * its JSON text in quotes */
		tc_buf tmp;
		tc_buf_init(&tmp, 64);
		tc_cel_to_json(&tmp, k, false);
		tc_json_string(out, tmp.ptr, tmp.len);
		tc_buf_release(&tmp);
	}
	tc_buf_addc(out, ':');
}

static void json_map(tc_buf *out, const tc_cel_val *v, bool typed)
{
	tc_buf_adds(out, typed ? "{\"mapValue\":{\"entries\":[" : "{");
	for (size_t i = 0; i < v->u.map.len; i++) {
		if (i)
			tc_buf_addc(out, ',');
		if (typed) {
			tc_buf_adds(out, "{\"key\":");
			tc_cel_to_json(out, v->u.map.keys[i], true);
			tc_buf_adds(out, ",\"value\":");
		} else {
			json_key(out, v->u.map.keys[i]);
		}
		tc_cel_to_json(out, v->u.map.vals[i], typed);
		if (typed)
			tc_buf_addc(out, '}');
	}
	tc_buf_adds(out, typed ? "]}}" : "}");
}

static void json_optional(tc_buf *out, const tc_cel_val *v, bool typed)
{
	if (typed)
		tc_buf_adds(out, "{\"optionalValue\":");
	if (v->u.opt)
		tc_cel_to_json(out, v->u.opt, typed);
	else
		tc_buf_adds(out, "null");
	if (typed)
		tc_buf_addc(out, '}');
}

/* null, bool, int, uint, double or bytes */
static void json_scalar(tc_buf *out, const tc_cel_val *v, bool typed)
{
	switch (v->kind) {
	case TC_CEL_NULL:
		tc_buf_adds(out, typed ? "{\"nullValue\":null}" : "null");
		return;
	case TC_CEL_BOOL:
		tc_buf_addf(out, typed ? "{\"boolValue\":%s}" : "%s", v->u.b ? "true" : "false");
		return;
	case TC_CEL_INT:
		tc_buf_addf(out, typed ? "{\"int64Value\":\"%lld\"}" : "%lld", (long long)v->u.i);
		return;
	case TC_CEL_UINT:
		tc_buf_addf(out, typed ? "{\"uint64Value\":\"%llu\"}" : "%llu",
		            (unsigned long long)v->u.u);
		return;
	case TC_CEL_DOUBLE:
		if (typed)
			tc_buf_adds(out, "{\"doubleValue\":");
		json_double(out, v->u.d, typed);
		if (typed)
			tc_buf_addc(out, '}');
		return;
	default: /* TC_CEL_BYTES */
		tc_buf_adds(out, typed ? "{\"bytesValue\":\"" : "\"");
		tc_base64_add(out, v->u.s.ptr, v->u.s.len, true);
		tc_buf_adds(out, typed ? "\"}" : "\"");
		return;
	}
}

void tc_cel_to_json(tc_buf *out, const tc_cel_val *v, bool typed)
{
	if (v->secret && v->kind != TC_CEL_ERROR) {
		tc_buf_adds(out, typed ? "{\"stringValue\":\"<redacted>\"}" : "\"<redacted>\"");
		return;
	}
	switch (v->kind) {
	case TC_CEL_NULL:
	case TC_CEL_BOOL:
	case TC_CEL_INT:
	case TC_CEL_UINT:
	case TC_CEL_DOUBLE:
	case TC_CEL_BYTES:
		json_scalar(out, v, typed);
		return;
	case TC_CEL_STRING:
	case TC_CEL_TYPE:
		json_text(out, v, typed);
		return;
	case TC_CEL_DURATION:
	case TC_CEL_TIMESTAMP:
		json_time(out, v, typed);
		return;
	case TC_CEL_LIST:
		json_list(out, v, typed);
		return;
	case TC_CEL_MAP:
		json_map(out, v, typed);
		return;
	case TC_CEL_OPTIONAL:
		json_optional(out, v, typed);
		return;
	case TC_CEL_ERROR:
		tc_buf_adds(out, "{\"error\":");
		tc_json_string(out, v->u.err.ptr, v->u.err.len);
		tc_buf_addc(out, '}');
		return;
	case TC_CEL_OPAQUE:
		/* no JSON form in cel.expr.Value: its canonical text */
		tc_json_string(out, v->u.o.ptr, v->u.o.len);
		return;
	}
}

/* The number before a duration unit at s[*i]: whole and frac / scale,
 * exact; false when there are no digits or the whole part is far beyond
 * any duration. */
static bool duration_amount(const char *s, size_t n, size_t *i, __int128 *whole, __int128 *frac,
                            __int128 *scale)
{
	bool any = false;
	*whole = *frac = 0;
	*scale = 1;
	for (; *i < n && s[*i] >= '0' && s[*i] <= '9'; any = true) {
		*whole = *whole * 10 + (s[(*i)++] - '0');
		if (*whole > ((__int128)1 << 100))
			return false;
	}
	if (*i == n || s[*i] != '.')
		return any;
	/* past 18 places, digits are read but no longer counted */
	for ((*i)++; *i < n && s[*i] >= '0' && s[*i] <= '9'; (*i)++, any = true)
		if (*scale < (__int128)1000000000000000000LL) {
			*frac = *frac * 10 + (s[*i] - '0');
			*scale *= 10;
		}
	return any;
}

/* The longest unit at s[i, n): its length and its size in nanoseconds, or
 * 0 when there is none ("m" is not a prefix of "ms"). */
static size_t duration_unit(const char *s, size_t n, size_t i, int64_t *ns)
{
	static const struct {
		const char *u;
		int64_t ns;
	} units[] =
		{{"ns", 1},       {"us", 1000},      {"\xc2\xb5s", 1000},  {"\xce\xbcs", 1000},
	         {"ms", 1000000}, {"s", 1000000000}, {"m", 60000000000LL}, {"h", 3600000000000LL}};
	size_t blen = 0;
	for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
		size_t l = strlen(units[u].u);
		if (l <= n - i && memcmp(s + i, units[u].u, l) == 0 && l > blen &&
		    !(l == 1 && units[u].u[0] == 'm' && i + 1 < n && s[i + 1] == 's')) {
			*ns = units[u].ns;
			blen = l;
		}
	}
	return blen;
}

/* Go's time.ParseDuration, within int64 nanoseconds. */
int tc_cel_duration_parse(int64_t *ns, const char *s, size_t n)
{
	size_t i = 0;
	int neg = 0;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	if (i == n)
		return -1;
	if (n - i == 1 && s[i] == '0') {
		*ns = 0;
		return 0;
	}
	/* accumulate in nanoseconds as a sum of exact parts: whole units are
	 * integers, checked against the int64 range */
	__int128 total = 0;
	while (i < n) {
		__int128 whole, frac, scale;
		int64_t unit;
		if (!duration_amount(s, n, &i, &whole, &frac, &scale))
			return -1;
		size_t ulen = duration_unit(s, n, i, &unit);
		if (!ulen)
			return -1;
		i += ulen;
		total += whole * unit + frac * unit / scale;
		if (total > (__int128)INT64_MAX + 1)
			return -1;
	}
	if (!neg && total > INT64_MAX)
		return -1;
	*ns = neg ? (int64_t)-total : (int64_t)total;
	return 0;
}

int tc_cel_timestamp_parse(int64_t *sec, int32_t *nsec, const char *s, size_t n)
{
	tc_civil c;
	if (!tc_time_parse_rfc3339(&c, s, n, TC_RFC3339_LOWER))
		return -1;
	int64_t days = tc_time_days_from_civil(c.year, c.month, c.day);
	int64_t t = days * 86400 + c.hour * 3600 + c.min * 60 + c.sec - c.offset;
	if (t < TC_CEL_TS_MIN || t > TC_CEL_TS_MAX)
		return -1;
	*sec = t;
	*nsec = c.nsec;
	return 0;
}

static void frac(tc_buf *out, uint32_t nsec)
{
	if (!nsec)
		return;
	char d[16];
	snprintf(d, sizeof d, "%09u", nsec);
	size_t l = 9;
	while (d[l - 1] == '0')
		l--;
	tc_buf_addc(out, '.');
	tc_buf_add(out, d, l);
}

void tc_cel_duration_format(tc_buf *out, int64_t ns)
{
	uint64_t m = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	tc_buf_addf(out, "%s%llu", ns < 0 ? "-" : "", (unsigned long long)(m / 1000000000u));
	frac(out, (uint32_t)(m % 1000000000u));
	tc_buf_addc(out, 's');
}

void tc_cel_timestamp_format(tc_buf *out, int64_t sec, int32_t nsec)
{
	int64_t days = sec / 86400, rem = sec % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	int64_t y, mo, d;
	tc_time_civil_from_days(days, &y, &mo, &d);
	tc_buf_addf(out, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld", (long long)y, (long long)mo,
	            (long long)d, (long long)(rem / 3600), (long long)(rem / 60 % 60),
	            (long long)(rem % 60));
	frac(out, (uint32_t)nsec);
	tc_buf_addc(out, 'Z');
}
