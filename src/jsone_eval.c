/*
 * jsone_eval.c - evaluation of JSON-e expressions, and the value helpers
 * the operators and built-ins share (truthiness, equality, number and JSON
 * text, errors and limits).
 *
 * The evaluator is a switch on the node kind over a read-only syntax tree.
 * It allocates results in the render's arena and never modifies a value it
 * did not just build, so context values and template literals are shared
 * freely. Every node evaluated costs one step; bulk work (copying, joining)
 * costs a step per element, so the step limit bounds the CPU time of any
 * template, and tc_jsone_step also checks the arena growth against the
 * output limit. Errors are raised where they happen, in the reference's
 * words, and end the render: JSON-e has no way to catch one.
 */
#include "jsone_eval.h"

#include "json_emit.h"
#include "jsone_builtins.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const errkind_names[] = {
	[TC_JE_TEMPLATE] = "TemplateError",
	[TC_JE_INTERPRETER] = "InterpreterError",
	[TC_JE_BUILTIN] = "BuiltinError",
	[TC_JE_SYNTAX] = "SyntaxError",
};

static bool is_location_ident(const char *k, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)k[i];
		bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
		if (!alpha && !(i > 0 && c >= '0' && c <= '9'))
			return false;
	}
	return true;
}

int tc_jsone_raise(tc_jsone_state *st, tc_jsone_errkind kind, const char *fmt, ...)
{
	tc_buf b;
	tc_buf_init(&b, (size_t)1 << 20);
	tc_buf_adds(&b, errkind_names[kind]);
	if (st->nsegs) {
		tc_buf_adds(&b, " at template");
		for (size_t i = 0; i < st->nsegs; i++) {
			const tc_jsone_seg *s = &st->segs[i];
			if (!s->key) {
				tc_buf_addf(&b, "[%zu]", s->index);
			} else if (is_location_ident(s->key, s->klen)) {
				tc_buf_addc(&b, '.');
				tc_buf_add(&b, s->key, s->klen);
			} else {
				tc_buf_addc(&b, '[');
				tc_json_string(&b, s->key, s->klen);
				tc_buf_addc(&b, ']');
			}
		}
	}
	tc_buf_adds(&b, ": ");
	va_list ap;
	va_start(ap, fmt);
	char small[512];
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	if (n >= 0 && (size_t)n < sizeof small) {
		tc_buf_add(&b, small, (size_t)n);
	} else if (n > 0) {
		char *big = tc_xmalloc((size_t)n + 1);
		vsnprintf(big, (size_t)n + 1, fmt, ap2);
		tc_buf_add(&b, big, (size_t)n);
		free(big);
	}
	va_end(ap2);
	va_end(ap);
	tc_error(st->d, st->epos, NULL, "%s", tc_buf_str(&b));
	tc_buf_release(&b);
	return -1;
}

int tc_jsone_check_size(tc_jsone_state *st, size_t n)
{
	size_t used = st->a->used - st->used0;
	if (n > st->max_output || used > st->max_output - n)
		return tc_jsone_raise(st, TC_JE_TEMPLATE, "output exceeds the limit of %zu bytes",
		                      st->max_output);
	return 0;
}

int tc_jsone_step(tc_jsone_state *st, uint64_t n)
{
	st->steps += n;
	if (st->steps > st->max_steps || st->steps < n)
		return tc_jsone_raise(st, TC_JE_TEMPLATE,
		                      "evaluation exceeds the limit of %" PRIu64 " steps",
		                      st->max_steps);
	if (st->a->used - st->used0 > st->max_output)
		return tc_jsone_check_size(st, 0);
	return 0;
}

/* --- numbers ----------------------------------------------------------- */

bool tc_jsone_integral(double x)
{
	return isfinite(x) && floor(x) == x;
}

int tc_jsone_number(tc_value **out, tc_jsone_state *st, double x, bool ints, bool taint)
{
	if (!isfinite(x))
		return tc_jsone_raise(st, TC_JE_INTERPRETER, "result is not a finite number (%s)",
		                      isnan(x) ? "NaN"
		                      : x > 0  ? "Infinity"
		                               : "-Infinity");
	if (ints && floor(x) == x && fabs(x) <= 9007199254740992.0)
		*out = tc_value_int(st->a, (int64_t)x, st->epos);
	else
		*out = tc_value_float(st->a, x, st->epos);
	tc_jsone_taint(*out, taint);
	return 0;
}

/* The shortest digits (at most 17, no trailing zeros) that read back as x > 0,
 * into digits and *k; returns n such that x = 0.digits * 10^n. */
static long shortest_digits(double x, char *digits, size_t *k)
{
	char buf[48];
	for (int p = 1; p <= 17; p++) {
		snprintf(buf, sizeof buf, "%.*e", p - 1, x);
		if (strtod(buf, NULL) == x)
			break;
	}
	size_t nd = 0;
	const char *s = buf;
	for (; *s && *s != 'e'; s++)
		if (*s >= '0' && *s <= '9')
			digits[nd++] = *s;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	*k = nd;
	long e = *s == 'e' ? strtol(s + 1, NULL, 10) : 0;
	return e + 1;
}

/* 0.digits * 10^n as JavaScript's Number.prototype.toString writes it */
static void place_digits(tc_buf *out, const char *digits, size_t k, long n)
{
	long kk = (long)k;
	if (kk <= n && n <= 21) {
		tc_buf_add(out, digits, k);
		for (long i = 0; i < n - kk; i++)
			tc_buf_addc(out, '0');
	} else if (0 < n && n <= 21) {
		tc_buf_add(out, digits, (size_t)n);
		tc_buf_addc(out, '.');
		tc_buf_add(out, digits + n, k - (size_t)n);
	} else if (-6 < n && n <= 0) {
		tc_buf_adds(out, "0.");
		for (long i = 0; i < -n; i++)
			tc_buf_addc(out, '0');
		tc_buf_add(out, digits, k);
	} else {
		tc_buf_addc(out, digits[0]);
		if (k > 1) {
			tc_buf_addc(out, '.');
			tc_buf_add(out, digits + 1, k - 1);
		}
		tc_buf_addf(out, "e%c%ld", n - 1 >= 0 ? '+' : '-', labs(n - 1));
	}
}

void tc_jsone_format_number(tc_buf *out, double x)
{
	if (isnan(x)) {
		tc_buf_adds(out, "NaN");
		return;
	}
	if (isinf(x)) {
		tc_buf_adds(out, x > 0 ? "Infinity" : "-Infinity");
		return;
	}
	if (x == 0) {
		tc_buf_addc(out, '0');
		return;
	}
	if (x < 0) {
		tc_buf_addc(out, '-');
		x = -x;
	}
	if (x < 9007199254740992.0 && floor(x) == x) {
		tc_buf_addf(out, "%" PRId64, (int64_t)x);
		return;
	}
	/* the shortest digit string that reads back as x */
	char digits[24];
	size_t k;
	long n = shortest_digits(x, digits, &k); /* x = 0.digits * 10^n */
	place_digits(out, digits, k, n);
}

static void format_value_number(tc_buf *out, const tc_value *v)
{
	if (v->kind == TC_INT && v->u.i > -9007199254740992 && v->u.i < 9007199254740992)
		tc_buf_addf(out, "%" PRId64, v->u.i);
	else
		tc_jsone_format_number(out, tc_value_num(v));
}

/* --- strings ----------------------------------------------------------- */

size_t tc_jsone_utf8_len(const char *s, size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		count += ((unsigned char)s[i] & 0xC0) != 0x80;
	return count;
}

size_t tc_jsone_utf8_offset(const char *s, size_t n, size_t i)
{
	size_t off = 0, cp = 0;
	while (off < n) {
		if (((unsigned char)s[off] & 0xC0) != 0x80) {
			if (cp == i)
				return off;
			cp++;
		}
		off++;
	}
	return n;
}

int tc_jsone_buf_value(tc_value **out, tc_jsone_state *st, tc_buf *b, bool taint)
{
	if (tc_buf_failed(b)) {
		tc_buf_release(b);
		return tc_jsone_raise(st, TC_JE_TEMPLATE, "output exceeds the limit of %zu bytes",
		                      st->max_output);
	}
	if (tc_jsone_check_size(st, b->len)) {
		tc_buf_release(b);
		return -1;
	}
	*out = tc_value_str(st->a, tc_buf_str(b), b->len, st->epos);
	tc_buf_release(b);
	tc_jsone_taint(*out, taint);
	return 0;
}

/* A member or element of a secret container is secret too. */
static tc_value *inherit(tc_jsone_state *st, const tc_value *container, tc_value *v)
{
	if (!tc_jsone_secret(container) || tc_jsone_secret(v))
		return v;
	v = tc_value_copy(st->a, v);
	v->flags |= TC_VAL_SECRET;
	return v;
}

bool tc_jsone_text(tc_buf *out, const tc_value *v)
{
	if (tc_jsone_is_fn(v))
		return false;
	switch (v->kind) {
	case TC_STR:
		tc_buf_add(out, v->u.str.ptr, v->u.str.len);
		return true;
	case TC_INT:
	case TC_FLOAT:
		format_value_number(out, v);
		return true;
	case TC_BOOL:
		tc_buf_adds(out, v->u.b ? "true" : "false");
		return true;
	case TC_NULL:
		return true;
	default:
		return false;
	}
}

void tc_jsone_callee_text(tc_buf *out, const tc_value *v, size_t depth)
{
	if (tc_jsone_secret(v)) {
		tc_buf_adds(out, "<redacted>");
		return;
	}
	if (tc_jsone_is_fn(v)) {
		tc_buf_adds(out, tc_jsone_fn_of(v)->name);
		return;
	}
	switch (v->kind) {
	case TC_NULL:
		/* JavaScript's String(null); inside an array it is "" */
		if (depth == 0)
			tc_buf_adds(out, "null");
		return;
	case TC_ARRAY:
		if (depth > 8) {
			tc_buf_adds(out, "...");
			return;
		}
		for (size_t i = 0; i < v->u.arr.len; i++) {
			if (i)
				tc_buf_addc(out, ',');
			tc_jsone_callee_text(out, v->u.arr.items[i], depth + 1);
		}
		return;
	case TC_OBJECT:
		tc_buf_adds(out, "[object Object]");
		return;
	default:
		tc_jsone_text(out, v);
	}
}

static int json_array(tc_jsone_state *st, tc_buf *out, const tc_value *v, size_t depth)
{
	if (tc_jsone_step(st, v->u.arr.len))
		return -1;
	tc_buf_addc(out, '[');
	for (size_t i = 0; i < v->u.arr.len; i++) {
		if (i)
			tc_buf_addc(out, ',');
		if (tc_jsone_json(st, out, v->u.arr.items[i], depth + 1))
			return -1;
	}
	tc_buf_addc(out, ']');
	return 0;
}

static int json_object(tc_jsone_state *st, tc_buf *out, const tc_value *v, size_t depth)
{
	if (tc_jsone_step(st, v->u.obj.len))
		return -1;
	tc_buf_addc(out, '{');
	for (size_t i = 0; i < v->u.obj.len; i++) {
		const tc_member *m = &v->u.obj.members[i];
		if (i)
			tc_buf_addc(out, ',');
		tc_json_string(out, m->key, m->klen);
		tc_buf_addc(out, ':');
		if (tc_jsone_json(st, out, m->val, depth + 1))
			return -1;
	}
	tc_buf_addc(out, '}');
	return 0;
}

int tc_jsone_json(tc_jsone_state *st, tc_buf *out, const tc_value *v, size_t depth)
{
	if (depth > st->max_depth)
		return tc_jsone_raise(st, TC_JE_TEMPLATE, "value nested deeper than %zu levels",
		                      st->max_depth);
	if (tc_jsone_is_fn(v))
		return tc_jsone_raise(st, TC_JE_TEMPLATE,
		                      "evaluated template contained uncalled functions");
	switch (v->kind) {
	case TC_NULL:
		tc_buf_adds(out, "null");
		break;
	case TC_BOOL:
		tc_buf_adds(out, v->u.b ? "true" : "false");
		break;
	case TC_INT:
	case TC_FLOAT:
		format_value_number(out, v);
		break;
	case TC_STR:
		tc_json_string(out, v->u.str.ptr, v->u.str.len);
		break;
	case TC_ARRAY:
		if (json_array(st, out, v, depth))
			return -1;
		break;
	case TC_OBJECT:
		if (json_object(st, out, v, depth))
			return -1;
		break;
	}
	if (tc_buf_failed(out))
		return tc_jsone_raise(st, TC_JE_TEMPLATE, "output exceeds the limit of %zu bytes",
		                      st->max_output);
	return 0;
}

int tc_jsone_check_output(tc_jsone_state *st, const tc_value *v, size_t depth)
{
	if (tc_jsone_is_fn(v))
		return tc_jsone_raise(st, TC_JE_TEMPLATE,
		                      "evaluated template contained uncalled functions");
	if (depth > st->max_depth)
		return tc_jsone_raise(st, TC_JE_TEMPLATE, "result nested deeper than %zu levels",
		                      st->max_depth);
	if (v->kind == TC_ARRAY) {
		for (size_t i = 0; i < v->u.arr.len; i++)
			if (tc_jsone_check_output(st, v->u.arr.items[i], depth + 1))
				return -1;
	} else if (v->kind == TC_OBJECT) {
		for (size_t i = 0; i < v->u.obj.len; i++)
			if (tc_jsone_check_output(st, v->u.obj.members[i].val, depth + 1))
				return -1;
	}
	return 0;
}

/* --- truth, equality, taint -------------------------------------------- */

bool tc_jsone_truthy(const tc_value *v)
{
	if (tc_jsone_is_fn(v))
		return true;
	switch (v->kind) {
	case TC_NULL:
		return false;
	case TC_BOOL:
		return v->u.b;
	case TC_INT:
		return v->u.i != 0;
	case TC_FLOAT:
		return v->u.f != 0 && !isnan(v->u.f);
	case TC_STR:
		return v->u.str.len > 0;
	case TC_ARRAY:
		return v->u.arr.len > 0;
	case TC_OBJECT:
		return v->u.obj.len > 0;
	}
	return false;
}

static int equal_arrays(tc_jsone_state *st, const tc_value *a, const tc_value *b, size_t depth)
{
	if (a->u.arr.len != b->u.arr.len)
		return 0;
	if (tc_jsone_step(st, a->u.arr.len))
		return -1;
	for (size_t i = 0; i < a->u.arr.len; i++) {
		int r = tc_jsone_equal(st, a->u.arr.items[i], b->u.arr.items[i], depth + 1);
		if (r != 1)
			return r;
	}
	return 1;
}

/* members are sorted by key, so equal objects have equal keys at each index */
static int equal_objects(tc_jsone_state *st, const tc_value *a, const tc_value *b, size_t depth)
{
	if (a->u.obj.len != b->u.obj.len)
		return 0;
	if (tc_jsone_step(st, a->u.obj.len))
		return -1;
	for (size_t i = 0; i < a->u.obj.len; i++) {
		const tc_member *x = &a->u.obj.members[i], *y = &b->u.obj.members[i];
		if (tc_bytes_cmp(x->key, x->klen, y->key, y->klen) != 0)
			return 0;
		int r = tc_jsone_equal(st, x->val, y->val, depth + 1);
		if (r != 1)
			return r;
	}
	return 1;
}

int tc_jsone_equal(tc_jsone_state *st, const tc_value *a, const tc_value *b, size_t depth)
{
	if (depth > st->max_depth)
		return tc_jsone_raise(st, TC_JE_INTERPRETER, "value nested deeper than %zu levels",
		                      st->max_depth);
	if (tc_jsone_is_fn(a) || tc_jsone_is_fn(b))
		return tc_jsone_is_fn(a) && tc_jsone_is_fn(b) &&
		       tc_jsone_fn_of(a) == tc_jsone_fn_of(b);
	if (tc_value_is_number(a) && tc_value_is_number(b)) {
		if (a->kind == TC_INT && b->kind == TC_INT)
			return a->u.i == b->u.i;
		return tc_value_num(a) == tc_value_num(b);
	}
	if (a->kind != b->kind)
		return 0;
	switch (a->kind) {
	case TC_NULL:
		return 1;
	case TC_BOOL:
		return a->u.b == b->u.b;
	case TC_STR:
		return a->u.str.len == b->u.str.len &&
		       tc_bytes_cmp(a->u.str.ptr, a->u.str.len, b->u.str.ptr, b->u.str.len) == 0;
	case TC_ARRAY:
		return equal_arrays(st, a, b, depth);
	case TC_OBJECT:
		return equal_objects(st, a, b, depth);
	default:
		return 0;
	}
}

static bool tainted_rec(const tc_value *v, size_t depth, size_t max)
{
	if (v->flags & TC_VAL_SECRET)
		return true;
	if (depth > max)
		return v->kind == TC_ARRAY || v->kind == TC_OBJECT;
	if (v->kind == TC_ARRAY) {
		for (size_t i = 0; i < v->u.arr.len; i++)
			if (tainted_rec(v->u.arr.items[i], depth + 1, max))
				return true;
	} else if (v->kind == TC_OBJECT) {
		for (size_t i = 0; i < v->u.obj.len; i++)
			if (tainted_rec(v->u.obj.members[i].val, depth + 1, max))
				return true;
	}
	return false;
}

bool tc_jsone_tainted(const tc_jsone_state *st, const tc_value *v)
{
	return tainted_rec(v, 0, st->max_depth);
}

/* --- variables ----------------------------------------------------------- */

static tc_value *fn_value(tc_jsone_state *st, const tc_jsone_fn *f)
{
	tc_value *v = tc_value_null(st->a, st->epos);
	st->risky = true;
	v->flags = TC_JSONE_FN;
	v->u.str.ptr = (const char *)(const void *)f;
	return v;
}

/* Find a variable: *v for a value bound in a scope or "now", *fn for a
 * built-in or host function (no value made). False when unbound. */
static bool resolve(tc_jsone_state *st, const tc_jsone_scope *sc, const char *name, size_t len,
                    tc_value **v, const tc_jsone_fn **fn)
{
	*v = NULL;
	*fn = NULL;
	for (const tc_jsone_scope *s = sc; s; s = s->up) {
		if (s->obj && (*v = tc_value_get(s->obj, name, len)) != NULL)
			return true;
		for (size_t i = 0; i < s->n; i++)
			if (s->nlens[i] == len && memcmp(s->names[i], name, len) == 0) {
				*v = s->vals[i];
				return true;
			}
	}
	if (len == 3 && memcmp(name, "now", 3) == 0) {
		*v = st->now;
		return true;
	}
	for (size_t i = 0; i < st->nhosts; i++)
		if (strlen(st->hosts[i].name) == len && memcmp(st->hosts[i].name, name, len) == 0) {
			*fn = &st->hosts[i];
			return true;
		}
	*fn = tc_jsone_builtin_find(name, len, st->extras);
	return *fn != NULL;
}

tc_value *tc_jsone_lookup(tc_jsone_state *st, const tc_jsone_scope *sc, const char *name,
                          size_t len)
{
	tc_value *v;
	const tc_jsone_fn *fn;
	if (!resolve(st, sc, name, len, &v, &fn))
		return NULL;
	return v ? v : fn_value(st, fn);
}

/* --- expressions --------------------------------------------------------- */

static int eval_list(tc_value **out, tc_jsone_state *st, const tc_jsone_node *n,
                     const tc_jsone_scope *sc)
{
	tc_value **items = tc_arena_alloc(st->a, n->n * sizeof *items);
	for (size_t i = 0; i < n->n; i++)
		if (tc_jsone_eval(&items[i], st, n->kids[i], sc))
			return -1;
	tc_value *v = tc_value_array(st->a, NULL, 0, st->epos);
	v->u.arr.items = items;
	v->u.arr.len = n->n;
	*out = v;
	return 0;
}

static int eval_object(tc_value **out, tc_jsone_state *st, const tc_jsone_node *n,
                       const tc_jsone_scope *sc)
{
	tc_member small[8] = {{0}};
	tc_member *m = n->n <= 8 ? small : tc_xmalloc(n->n * sizeof *m);
	for (size_t i = 0; i < n->n; i++) {
		m[i].key = n->keys[i].ptr;
		m[i].klen = n->keys[i].len;
		m[i].kpos = st->epos;
		if (tc_jsone_eval(&m[i].val, st, n->kids[i], sc)) {
			if (m != small)
				free(m);
			return -1;
		}
	}
	*out = tc_value_object(st->a, m, n->n, st->epos, NULL);
	if (m != small)
		free(m);
	return 0;
}

static int eval_unary(tc_value **out, tc_jsone_state *st, const tc_jsone_node *n,
                      const tc_jsone_scope *sc)
{
	tc_value *v;
	if (tc_jsone_eval(&v, st, n->a, sc))
		return -1;
	bool taint = tc_jsone_secret(v);
	if (n->op == TC_TK_NOT) {
		*out = tc_jsone_taint(tc_value_bool(st->a, !tc_jsone_truthy(v), st->epos), taint);
		return 0;
	}
	if (tc_jsone_is_fn(v) || !tc_value_is_number(v))
		return tc_jsone_raise(st, TC_JE_INTERPRETER, "unary %s expects number",
		                      n->op == TC_TK_MINUS ? "-" : "+");
	if (n->op == TC_TK_PLUS) {
		*out = v;
		return 0;
	}
	if (v->kind == TC_INT && v->u.i != INT64_MIN) {
		*out = tc_jsone_taint(tc_value_int(st->a, -v->u.i, st->epos), taint);
		return 0;
	}
	return tc_jsone_number(out, st, -tc_value_num(v), false, taint);
}

static bool is_num(const tc_value *v)
{
	return !tc_jsone_is_fn(v) && tc_value_is_number(v);
}

static bool is_str(const tc_value *v)
{
	return !tc_jsone_is_fn(v) && v->kind == TC_STR;
}

static int eval_in(tc_value **out, tc_jsone_state *st, const tc_value *l, const tc_value *r,
                   bool taint)
{
	bool found = false;
	if (!tc_jsone_is_fn(r) && r->kind == TC_OBJECT) {
		if (!is_str(l))
			return tc_jsone_raise(st, TC_JE_INTERPRETER,
			                      "Infix: in-object expects string on left side");
		found = tc_value_get(r, l->u.str.ptr, l->u.str.len) != NULL;
	} else if (is_str(r)) {
		if (!is_str(l))
			return tc_jsone_raise(st, TC_JE_INTERPRETER,
			                      "Infix: in-string expects string on left side");
		found = l->u.str.len == 0 ||
		        memmem(r->u.str.ptr, r->u.str.len, l->u.str.ptr, l->u.str.len) != NULL;
	} else if (!tc_jsone_is_fn(r) && r->kind == TC_ARRAY) {
		if (tc_jsone_step(st, r->u.arr.len))
			return -1;
		for (size_t i = 0; i < r->u.arr.len && !found; i++) {
			int e = tc_jsone_equal(st, l, r->u.arr.items[i], 0);
			if (e < 0)
				return -1;
			found = e == 1;
		}
	} else {
		return tc_jsone_raise(st, TC_JE_INTERPRETER,
		                      "Infix: in expects Array, string, or object on right side");
	}
	*out = tc_jsone_taint(tc_value_bool(st->a, found, st->epos), taint);
	return 0;
}

/* "||" and "&&": the right side only when it decides */
static int eval_logic(tc_value **out, tc_jsone_state *st, const tc_jsone_node *n,
                      const tc_jsone_scope *sc, const tc_value *l)
{
	tc_value *r;
	bool t = tc_jsone_truthy(l);
	bool taint = tc_jsone_secret(l);
	if (t == (n->op == TC_TK_AND)) {
		if (tc_jsone_eval(&r, st, n->b, sc))
			return -1;
		t = tc_jsone_truthy(r);
		taint = taint || tc_jsone_secret(r);
	}
	*out = tc_jsone_taint(tc_value_bool(st->a, t, st->epos), taint);
	return 0;
}

/* "+": strings joined, or numbers added */
static int binary_plus(tc_value **out, tc_jsone_state *st, const tc_value *l, const tc_value *r,
                       bool taint)
{
	if (is_str(l) && is_str(r)) {
		size_t len = l->u.str.len + r->u.str.len;
		if (tc_jsone_check_size(st, len) || tc_jsone_step(st, len / 4096))
			return -1;
		char *p = tc_arena_alloc(st->a, len + 1);
		memcpy(p, l->u.str.ptr, l->u.str.len);
		memcpy(p + l->u.str.len, r->u.str.ptr, r->u.str.len);
		p[len] = 0;
		*out = tc_jsone_taint(tc_value_str_ref(st->a, p, len, st->epos), taint);
		return 0;
	}
	if (!is_num(l) || !is_num(r))
		return tc_jsone_raise(st, TC_JE_INTERPRETER,
		                      "infix: + expects numbers/strings + numbers/strings");
	bool ints = l->kind == TC_INT && r->kind == TC_INT;
	return tc_jsone_number(out, st, tc_value_num(l) + tc_value_num(r), ints, taint);
}

/* "-", "*", "/", "**" on numbers */
static int binary_arith(tc_value **out, tc_jsone_state *st, tc_jsone_tok op, const tc_value *l,
                        const tc_value *r, bool taint)
{
	const char *name = tc_jsone_tok_name(op);
	if (!is_num(l) || !is_num(r))
		return tc_jsone_raise(st, TC_JE_INTERPRETER, "infix: %s expects number %s number",
		                      name, name);
	double x = tc_value_num(l), y = tc_value_num(r), z;
	if (op == TC_TK_MINUS) {
		z = x - y;
	} else if (op == TC_TK_STAR) {
		z = x * y;
	} else if (op == TC_TK_SLASH) {
		if (y == 0)
			return tc_jsone_raise(st, TC_JE_INTERPRETER, "division by zero");
		z = x / y;
	} else {
		z = pow(x, y);
	}
	bool ints = l->kind == TC_INT && r->kind == TC_INT;
	return tc_jsone_number(out, st, z, ints, taint);
}

/* "<", ">", "<=", ">=" on two numbers or two strings */
static int binary_compare(tc_value **out, tc_jsone_state *st, tc_jsone_tok op, const tc_value *l,
                          const tc_value *r, bool taint)
{
	int c;
	if (is_num(l) && is_num(r)) {
		double x = tc_value_num(l), y = tc_value_num(r);
		c = x < y ? -1 : x > y ? 1 : 0;
	} else if (is_str(l) && is_str(r)) {
		c = tc_bytes_cmp(l->u.str.ptr, l->u.str.len, r->u.str.ptr, r->u.str.len);
	} else {
		const char *name = tc_jsone_tok_name(op);
		return tc_jsone_raise(st, TC_JE_INTERPRETER,
		                      "infix: %s expects numbers/strings %s numbers/strings", name,
		                      name);
	}
	bool res = op == TC_TK_LT   ? c < 0
	           : op == TC_TK_GT ? c > 0
	           : op == TC_TK_LE ? c <= 0
	                            : c >= 0;
	*out = tc_jsone_taint(tc_value_bool(st->a, res, st->epos), taint);
	return 0;
}

/* "==", "!=" */
static int binary_equal(tc_value **out, tc_jsone_state *st, tc_jsone_tok op, const tc_value *l,
                        const tc_value *r, bool taint)
{
	int e = tc_jsone_equal(st, l, r, 0);
	if (e < 0)
		return -1;
	*out = tc_jsone_taint(tc_value_bool(st->a, (e == 1) == (op == TC_TK_EQ), st->epos), taint);
	return 0;
}

static int eval_binary(tc_value **out, tc_jsone_state *st, const tc_jsone_node *n,
                       const tc_jsone_scope *sc)
{
	tc_value *l, *r;
	if (tc_jsone_eval(&l, st, n->a, sc))
		return -1;
	if (n->op == TC_TK_OR || n->op == TC_TK_AND)
		return eval_logic(out, st, n, sc, l);
	if (tc_jsone_eval(&r, st, n->b, sc))
		return -1;
	bool taint = tc_jsone_secret(l) || tc_jsone_secret(r);
	switch (n->op) {
	case TC_TK_PLUS:
		return binary_plus(out, st, l, r, taint);
	case TC_TK_MINUS:
	case TC_TK_STAR:
	case TC_TK_SLASH:
	case TC_TK_POW:
		return binary_arith(out, st, n->op, l, r, taint);
	case TC_TK_LT:
	case TC_TK_GT:
	case TC_TK_LE:
	case TC_TK_GE:
		return binary_compare(out, st, n->op, l, r, taint);
	case TC_TK_EQ:
	case TC_TK_NE:
		return binary_equal(out, st, n->op, l, r, taint);
	case TC_TK_IN:
		return eval_in(out, st, l, r, taint);
	default:
		TC_BUG("unknown binary operator");
	}
}

static int eval_dot(tc_value **out, tc_jsone_state *st, const tc_jsone_node *n,
                    const tc_jsone_scope *sc)
{
	tc_value *v;
	if (tc_jsone_eval(&v, st, n->a, sc))
		return -1;
	if (tc_jsone_is_fn(v) || v->kind != TC_OBJECT)
		return tc_jsone_raise(st, TC_JE_INTERPRETER, "infix: . expects objects");
	tc_value *m = tc_value_get(v, n->name, n->nlen);
	if (!m)
		return tc_jsone_raise(st, TC_JE_INTERPRETER, "object has no property \"%.*s\"",
		                      (int)n->nlen, n->name);
	*out = inherit(st, v, m);
	return 0;
}

/* An array or a string being indexed: its length in items or code points. */
typedef struct seq {
	const tc_value *v;
	bool str, ascii; /* a string; of ASCII only, so bytes are code points */
	size_t len;
} seq;

static seq seq_of(const tc_value *v)
{
	seq q = {.v = v, .str = v->kind == TC_STR, .ascii = true};
	if (!q.str) {
		q.len = v->u.arr.len;
		return q;
	}
	for (size_t i = 0; i < v->u.str.len && q.ascii; i++)
		q.ascii = (unsigned char)v->u.str.ptr[i] < 0x80;
	q.len = q.ascii ? v->u.str.len : tc_jsone_utf8_len(v->u.str.ptr, v->u.str.len);
	return q;
}

/* the byte offset of code point k of a string */
static size_t seq_offset(const seq *q, size_t k)
{
	return q->ascii ? k : tc_jsone_utf8_offset(q->v->u.str.ptr, q->v->u.str.len, k);
}

/* v[l]: an item, or a one-code-point string; negative counts from the end */
static int access_index(tc_value **out, tc_jsone_state *st, const seq *q, const tc_value *l)
{
	const tc_value *v = q->v;
	if (!is_num(l) || !tc_jsone_integral(tc_value_num(l)))
		return tc_jsone_raise(st, TC_JE_INTERPRETER,
		                      "should only use integers to access arrays or strings");
	double i = tc_value_num(l);
	if (i < 0)
		i += (double)q->len;
	if (i < 0 || i >= (double)q->len)
		return tc_jsone_raise(st, TC_JE_INTERPRETER, "index out of bounds");
	size_t k = (size_t)i;
	if (!q->str) {
		*out = inherit(st, v, v->u.arr.items[k]);
		return 0;
	}
	size_t b = seq_offset(q, k), e = seq_offset(q, k + 1);
	*out = tc_jsone_taint(tc_value_str(st->a, v->u.str.ptr + b, e - b, st->epos),
	                      tc_jsone_secret(v));
	return 0;
}

/* the bounds of v[l:r], clamped to the sequence, as JavaScript's slice */
static int slice_bounds(tc_jsone_state *st, const seq *q, const tc_value *l, const tc_value *r,
                        size_t *from, size_t *to)
{
	double len = (double)q->len, a = 0, b = len;
	if ((l && !is_num(l)) || (r && !is_num(r)))
		return tc_jsone_raise(st, TC_JE_INTERPRETER,
		                      "cannot perform interval access with non-integers");
	if (l)
		a = tc_value_num(l);
	if (r)
		b = tc_value_num(r);
	if (a < 0)
		a = fmax(0, len + a);
	if (b < 0)
		b = fmax(0, len + b);
	if (a > b)
		a = b;
	if (!tc_jsone_integral(a) || !tc_jsone_integral(b))
		return tc_jsone_raise(st, TC_JE_INTERPRETER,
		                      "cannot perform interval access with non-integers");
	if (b > len)
		b = len;
	if (a > b)
		a = b;
	*from = (size_t)a;
	*to = (size_t)b;
	return 0;
}

/* v[l:r] of an array or a string */
static int access_slice(tc_value **out, tc_jsone_state *st, const seq *q, const tc_value *l,
                        const tc_value *r)
{
	const tc_value *v = q->v;
	size_t from = 0, to = 0;
	if (slice_bounds(st, q, l, r, &from, &to) || tc_jsone_step(st, (to - from) / 16))
		return -1;
	bool taint = tc_jsone_secret(v);
	if (!q->str) {
		*out = tc_jsone_taint(tc_value_array(st->a, v->u.arr.items + from, to - from,
		                                     st->epos),
		                      taint);
		return 0;
	}
	size_t bf = seq_offset(q, from), bt = seq_offset(q, to);
	*out = tc_jsone_taint(tc_value_str(st->a, v->u.str.ptr + bf, bt - bf, st->epos), taint);
	return 0;
}

/* Index an object by key, or index or slice an array or a string (by code point). */
static int eval_access(tc_value **out, tc_jsone_state *st, const tc_jsone_node *n,
                       const tc_jsone_scope *sc)
{
	tc_value *v, *l = NULL, *r = NULL;
	if (tc_jsone_eval(&v, st, n->a, sc))
		return -1;
	if (n->b && tc_jsone_eval(&l, st, n->b, sc))
		return -1;
	if (n->c && tc_jsone_eval(&r, st, n->c, sc))
		return -1;
	bool slice = n->kind == TC_JN_SLICE;
	if (tc_jsone_is_fn(v) || (v->kind != TC_ARRAY && v->kind != TC_STR && v->kind != TC_OBJECT))
		return tc_jsone_raise(st, TC_JE_INTERPRETER,
		                      "infix: \"[..]\" expects object, array, or string");
	if (v->kind == TC_OBJECT) {
		if (slice || !is_str(l))
			return tc_jsone_raise(st, TC_JE_INTERPRETER, "object keys must be strings");
		tc_value *m = tc_value_get(v, l->u.str.ptr, l->u.str.len);
		*out = inherit(st, v, m ? m : tc_value_null(st->a, st->epos));
		return 0;
	}
	seq q = seq_of(v);
	return slice ? access_slice(out, st, &q, l, r) : access_index(out, st, &q, l);
}

static int eval_call(tc_value **out, tc_jsone_state *st, const tc_jsone_node *n,
                     const tc_jsone_scope *sc)
{
	tc_value *f = NULL;
	const tc_jsone_fn *fn = NULL;
	if (n->a->kind == TC_JN_IDENT) {
		/* a call by name: no function value needed */
		if (tc_jsone_step(st, 1))
			return -1;
		if (!resolve(st, sc, n->a->name, n->a->nlen, &f, &fn))
			return tc_jsone_raise(st, TC_JE_INTERPRETER, "unknown context value %.*s",
			                      (int)n->a->nlen, n->a->name);
	} else if (tc_jsone_eval(&f, st, n->a, sc)) {
		return -1;
	}
	if (f && tc_jsone_is_fn(f))
		fn = tc_jsone_fn_of(f);
	if (!fn) {
		tc_buf b;
		tc_buf_init(&b, 4096);
		tc_jsone_callee_text(&b, f, 0);
		int r = tc_jsone_raise(st, TC_JE_INTERPRETER, "%s is not callable", tc_buf_str(&b));
		tc_buf_release(&b);
		return r;
	}
	tc_value *small[4];
	tc_value **args = n->n <= 4 ? small : tc_arena_alloc(st->a, n->n * sizeof *args);
	bool taint = false;
	for (size_t i = 0; i < n->n; i++) {
		if (tc_jsone_eval(&args[i], st, n->kids[i], sc))
			return -1;
		taint = taint || tc_jsone_tainted(st, args[i]);
	}
	tc_value *res;
	if (fn->builtin) {
		if (fn->builtin(&res, st, sc, args, n->n))
			return -1;
	} else {
		if (fn->host(&res, fn->ud, st->a, st->d, st->epos, args, n->n))
			return -1;
		if (tc_jsone_check_size(st, 0))
			return -1;
	}
	if (taint && !tc_jsone_secret(res)) {
		res = tc_value_copy(st->a, res);
		res->flags |= TC_VAL_SECRET;
	}
	*out = res;
	return 0;
}

int tc_jsone_eval(tc_value **out, tc_jsone_state *st, const tc_jsone_node *n,
                  const tc_jsone_scope *sc)
{
	if (tc_jsone_step(st, 1))
		return -1;
	switch (n->kind) {
	case TC_JN_LIT:
		*out = n->lit;
		return 0;
	case TC_JN_IDENT:
		*out = tc_jsone_lookup(st, sc, n->name, n->nlen);
		if (!*out)
			return tc_jsone_raise(st, TC_JE_INTERPRETER, "unknown context value %.*s",
			                      (int)n->nlen, n->name);
		return 0;
	case TC_JN_LIST:
		return eval_list(out, st, n, sc);
	case TC_JN_OBJECT:
		return eval_object(out, st, n, sc);
	case TC_JN_UNARY:
		return eval_unary(out, st, n, sc);
	case TC_JN_BINARY:
		return eval_binary(out, st, n, sc);
	case TC_JN_DOT:
		return eval_dot(out, st, n, sc);
	case TC_JN_INDEX:
	case TC_JN_SLICE:
		return eval_access(out, st, n, sc);
	case TC_JN_CALL:
		return eval_call(out, st, n, sc);
	}
	TC_BUG("unknown expression node");
}
