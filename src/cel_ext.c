/*
 * cel_ext.c - the CEL extension libraries of cel-go's ext package that the
 * Kubernetes API server's CEL environment includes: strings (charAt,
 * indexOf, lastIndexOf, lowerAscii, upperAscii, replace, split, substring,
 * trim, join, reverse, strings.quote, format), math (math.greatest,
 * math.least, math.ceil, math.floor, math.round, math.trunc, math.abs,
 * math.sign, math.isInf, math.isNaN, math.isFinite and the bitwise
 * math.bit* functions) and encoders (base64.encode, base64.decode). The
 * bindings and block macros (cel.bind, cel.block) are syntax: cel_parse.c
 * and cel_eval.c.
 *
 * String positions count code points, as cel-go's do (its strings are
 * sequences of runes), and every function charges the cost budget for the
 * bytes it walks, one unit per 16.
 */
#include "cel_ext.h"

#include "base64.h"
#include "cel_lib.h"
#include "utf8.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static tc_cel_val *budget(tc_cel_ctx *c, size_t n)
{
	return tc_cel_charge(c, 1 + n / 16) ? NULL : tc_cel_error(c->a, "cost budget exceeded");
}

static bool is(const tc_cel_val *v, tc_cel_kind k)
{
	return v->kind == k;
}

/* r (an empty string or bytes value) now holds the n bytes at p, which
 * the caller built in the context's arena (no second copy) */
static tc_cel_val *adopt(tc_cel_val *r, const char *p, size_t n)
{
	r->u.s.ptr = p;
	r->u.s.len = n;
	return r;
}

/* the length of the code point at s (the strings are valid UTF-8) */
static size_t cp_len(const char *s, size_t n)
{
	uint32_t cp;
	size_t l = tc_utf8_decode((const unsigned char *)s, n, &cp);
	return l ? l : 1;
}

static size_t cp_count(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; k++)
		i += cp_len(s + i, n - i);
	return k;
}

/* The byte offset of code point k of s (n when k is the count). */
static size_t cp_offset(const char *s, size_t n, size_t k)
{
	size_t i = 0;
	while (k-- && i < n)
		i += cp_len(s + i, n - i);
	return i;
}

static tc_cel_val *str_from_buf(tc_cel_ctx *c, tc_buf *b)
{
	if (tc_buf_failed(b)) {
		tc_buf_release(b);
		return tc_cel_error(c->a, "string larger than the limit");
	}
	tc_cel_val *r = tc_cel_string(c->a, tc_buf_str(b), b->len);
	tc_buf_release(b);
	return r;
}

static tc_cel_val *out_of_range(tc_cel_ctx *c, int64_t i)
{
	return tc_cel_error(c->a, "index out of range: %lld", (long long)i);
}

/* ---- strings ---- */

static tc_cel_val *fn_char_at(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	if (n != 2 || !is(v[0], TC_CEL_STRING) || !is(v[1], TC_CEL_INT))
		return NULL;
	const char *s = v[0]->u.s.ptr;
	size_t sn = v[0]->u.s.len;
	tc_cel_val *b = budget(c, sn);
	if (b)
		return b;
	int64_t k = v[1]->u.i;
	if (k < 0 || (uint64_t)k > cp_count(s, sn))
		return out_of_range(c, k);
	size_t off = cp_offset(s, sn, (size_t)k);
	return tc_cel_string(c->a, s + off, off < sn ? cp_len(s + off, sn - off) : 0);
}

/* indexOf and lastIndexOf: the code point index of t in s, searching from
 * code point `from` forward, or backward from `from` (the start of the
 * match at most `from`); -1 when absent. */
static tc_cel_val *index_of(tc_cel_ctx *c, tc_cel_val **v, size_t n, bool last)
{
	if (n < 2 || n > 3 || !is(v[0], TC_CEL_STRING) || !is(v[1], TC_CEL_STRING) ||
	    (n == 3 && !is(v[2], TC_CEL_INT)))
		return NULL;
	const char *s = v[0]->u.s.ptr, *t = v[1]->u.s.ptr;
	size_t sn = v[0]->u.s.len, tn = v[1]->u.s.len;
	tc_cel_val *b = budget(c, sn * (tn / 16 + 1));
	if (b)
		return b;
	size_t count = cp_count(s, sn);
	int64_t from = last ? (int64_t)count : 0;
	if (n == 3) {
		from = v[2]->u.i;
		if (from < 0 || (uint64_t)from > count)
			return out_of_range(c, from);
	}
	int64_t found = -1;
	size_t i = 0;
	for (int64_t k = 0; k <= (int64_t)count; k++) {
		if (last ? k > from : false)
			break;
		if ((last || k >= from) && i + tn <= sn && memcmp(s + i, t, tn) == 0) {
			found = k;
			if (!last)
				break;
		}
		if (i >= sn)
			break;
		i += cp_len(s + i, sn - i);
	}
	return tc_cel_int(c->a, found);
}

static tc_cel_val *fn_index_of(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	return index_of(c, v, n, false);
}

static tc_cel_val *fn_last_index_of(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	return index_of(c, v, n, true);
}

static tc_cel_val *ascii_case(tc_cel_ctx *c, tc_cel_val **v, size_t n, bool upper)
{
	if (n != 1 || !is(v[0], TC_CEL_STRING))
		return NULL;
	tc_cel_val *b = budget(c, v[0]->u.s.len);
	if (b)
		return b;
	tc_cel_val *r = tc_cel_string(c->a, v[0]->u.s.ptr, v[0]->u.s.len);
	char *p = (char *)r->u.s.ptr;
	for (size_t i = 0; i < r->u.s.len; i++) {
		if (upper && p[i] >= 'a' && p[i] <= 'z')
			p[i] = (char)(p[i] - 'a' + 'A');
		else if (!upper && p[i] >= 'A' && p[i] <= 'Z')
			p[i] = (char)(p[i] - 'A' + 'a');
	}
	return r;
}

static tc_cel_val *fn_lower_ascii(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	return ascii_case(c, v, n, false);
}

static tc_cel_val *fn_upper_ascii(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	return ascii_case(c, v, n, true);
}

/* s.replace(old, new[, limit]): Go's strings.Replace (a negative limit
 * replaces every occurrence; an empty old matches before each code point
 * and at the end). */
static tc_cel_val *fn_replace(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	if (n < 3 || n > 4 || !is(v[0], TC_CEL_STRING) || !is(v[1], TC_CEL_STRING) ||
	    !is(v[2], TC_CEL_STRING) || (n == 4 && !is(v[3], TC_CEL_INT)))
		return NULL;
	const char *s = v[0]->u.s.ptr, *o = v[1]->u.s.ptr, *w = v[2]->u.s.ptr;
	size_t sn = v[0]->u.s.len, on = v[1]->u.s.len, wn = v[2]->u.s.len;
	int64_t limit = n == 4 ? v[3]->u.i : -1;
	tc_cel_val *b = budget(c, sn * (on / 16 + 1));
	if (b)
		return b;
	tc_buf out;
	tc_buf_init(&out, TC_CEL_MAX_SIZE);
	size_t i = 0;
	int64_t done = 0;
	while (i <= sn && (limit < 0 || done < limit)) {
		if (on == 0) {
			tc_buf_add(&out, w, wn);
			done++;
			if (i == sn) {
				i = sn + 1;
				break;
			}
			size_t l = cp_len(s + i, sn - i);
			tc_buf_add(&out, s + i, l);
			i += l;
			continue;
		}
		const char *m = NULL;
		for (size_t k = i; k + on <= sn; k++)
			if (memcmp(s + k, o, on) == 0) {
				m = s + k;
				break;
			}
		if (!m)
			break;
		tc_buf_add(&out, s + i, (size_t)(m - s) - i);
		tc_buf_add(&out, w, wn);
		i = (size_t)(m - s) + on;
		done++;
		if (!tc_cel_charge(c, 1 + wn / 16)) {
			tc_buf_release(&out);
			return tc_cel_error(c->a, "cost budget exceeded");
		}
	}
	if (i < sn)
		tc_buf_add(&out, s + i, sn - i);
	return str_from_buf(c, &out);
}

/* The piece of s that starts at i and ends before the next sep (an empty
 * sep: one code point), its length and where the next one starts; false
 * when the rest of s is the last piece. */
static bool split_piece(const char *s, size_t sn, size_t i, const char *sep, size_t pn, size_t *len,
                        size_t *next)
{
	if (pn == 0) {
		if (i >= sn)
			return false;
		size_t l = cp_len(s + i, sn - i);
		if (i + l >= sn)
			return false;
		*len = l;
		*next = i + l;
		return true;
	}
	for (size_t j = i; j + pn <= sn; j++)
		if (memcmp(s + j, sep, pn) == 0) {
			*len = j - i;
			*next = j + pn;
			return true;
		}
	return false;
}

/* s.split(sep[, limit]): Go's strings.SplitN (limit 0: no pieces, a
 * negative limit: all of them; an empty sep splits into code points). */
static tc_cel_val *fn_split(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	if (n < 2 || n > 3 || !is(v[0], TC_CEL_STRING) || !is(v[1], TC_CEL_STRING) ||
	    (n == 3 && !is(v[2], TC_CEL_INT)))
		return NULL;
	const char *s = v[0]->u.s.ptr, *sep = v[1]->u.s.ptr;
	size_t sn = v[0]->u.s.len, pn = v[1]->u.s.len;
	int64_t limit = n == 3 ? v[2]->u.i : -1;
	tc_cel_val *b = budget(c, sn * (pn / 16 + 1));
	if (b)
		return b;
	if (limit == 0)
		return tc_cel_list(c->a, NULL, 0);
	size_t cap = sn + 1;
	tc_cel_val **items = tc_arena_alloc(c->a, cap * sizeof *items);
	size_t k = 0, i = 0, len, next;
	while ((limit < 0 || (int64_t)k < limit - 1) &&
	       split_piece(s, sn, i, sep, pn, &len, &next)) {
		items[k++] = tc_cel_string(c->a, s + i, len);
		i = next;
	}
	if (!(pn == 0 && sn == 0))
		items[k++] = tc_cel_string(c->a, s + i, sn - i);
	if (!tc_cel_charge(c, k))
		return tc_cel_error(c->a, "cost budget exceeded");
	tc_cel_val *l = tc_cel_list(c->a, NULL, 0);
	l->u.list.items = items;
	l->u.list.len = k;
	return l;
}

static tc_cel_val *fn_substring(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	if (n < 2 || n > 3 || !is(v[0], TC_CEL_STRING) || !is(v[1], TC_CEL_INT) ||
	    (n == 3 && !is(v[2], TC_CEL_INT)))
		return NULL;
	const char *s = v[0]->u.s.ptr;
	size_t sn = v[0]->u.s.len;
	tc_cel_val *b = budget(c, sn);
	if (b)
		return b;
	int64_t count = (int64_t)cp_count(s, sn);
	int64_t from = v[1]->u.i, to = n == 3 ? v[2]->u.i : count;
	if (from < 0 || from > count)
		return out_of_range(c, from);
	if (to < 0 || to > count)
		return out_of_range(c, to);
	if (from > to)
		return tc_cel_error(c->a, "invalid substring range. start: %lld, end: %lld",
		                    (long long)from, (long long)to);
	size_t p = cp_offset(s, sn, (size_t)from), q = cp_offset(s, sn, (size_t)to);
	return tc_cel_string(c->a, s + p, q - p);
}

/* Go's unicode.IsSpace: what strings.TrimSpace removes. */
static bool is_space(uint32_t cp)
{
	switch (cp) {
	case '\t':
	case '\n':
	case '\v':
	case '\f':
	case '\r':
	case ' ':
	case 0x85:
	case 0xa0:
	case 0x1680:
	case 0x2028:
	case 0x2029:
	case 0x202f:
	case 0x205f:
	case 0x3000:
		return true;
	default:
		return cp >= 0x2000 && cp <= 0x200a;
	}
}

static tc_cel_val *fn_trim(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	if (n != 1 || !is(v[0], TC_CEL_STRING))
		return NULL;
	const unsigned char *s = (const unsigned char *)v[0]->u.s.ptr;
	size_t sn = v[0]->u.s.len;
	tc_cel_val *b = budget(c, sn);
	if (b)
		return b;
	size_t i = 0, end = 0, j = 0;
	bool seen = false;
	while (j < sn) {
		uint32_t cp = 0;
		size_t l = tc_utf8_decode(s + j, sn - j, &cp);
		if (!l)
			l = 1;
		if (!is_space(cp)) {
			if (!seen)
				i = j;
			seen = true;
			end = j + l;
		}
		j += l;
	}
	return seen ? tc_cel_string(c->a, (const char *)s + i, end - i)
	            : tc_cel_string(c->a, "", 0);
}

static tc_cel_val *fn_join(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	if (n < 1 || n > 2 || !is(v[0], TC_CEL_LIST) || (n == 2 && !is(v[1], TC_CEL_STRING)))
		return NULL;
	const tc_cel_val *l = v[0];
	tc_buf out;
	tc_buf_init(&out, TC_CEL_MAX_SIZE);
	for (size_t i = 0; i < l->u.list.len; i++) {
		const tc_cel_val *x = l->u.list.items[i];
		if (!is(x, TC_CEL_STRING)) {
			tc_buf_release(&out);
			return tc_cel_error(c->a, "join: list element %zu is a %s, not a string", i,
			                    tc_cel_type_name(x));
		}
		if (i && n == 2)
			tc_buf_add(&out, v[1]->u.s.ptr, v[1]->u.s.len);
		tc_buf_add(&out, x->u.s.ptr, x->u.s.len);
		if (!tc_cel_charge(c, 1 + x->u.s.len / 16)) {
			tc_buf_release(&out);
			return tc_cel_error(c->a, "cost budget exceeded");
		}
	}
	return str_from_buf(c, &out);
}

static tc_cel_val *fn_reverse(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	if (n != 1 || !is(v[0], TC_CEL_STRING))
		return NULL;
	const char *s = v[0]->u.s.ptr;
	size_t sn = v[0]->u.s.len;
	tc_cel_val *b = budget(c, sn);
	if (b)
		return b;
	char *p = tc_arena_alloc(c->a, sn + 1);
	for (size_t i = 0; i < sn;) {
		size_t l = cp_len(s + i, sn - i);
		memcpy(p + sn - i - l, s + i, l);
		i += l;
	}
	p[sn] = 0;
	return adopt(tc_cel_string(c->a, "", 0), p, sn);
}

/* strings.quote(s): a double-quoted CEL string literal of s, with the
 * escapes \a \b \f \n \r \t \v \\ \" and \u/\U for other control and
 * format characters; printable characters are kept as they are. */
static tc_cel_val *fn_quote(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	if (n != 1 || !is(v[0], TC_CEL_STRING))
		return NULL;
	const unsigned char *s = (const unsigned char *)v[0]->u.s.ptr;
	size_t sn = v[0]->u.s.len;
	tc_cel_val *b = budget(c, sn);
	if (b)
		return b;
	tc_buf out;
	tc_buf_init(&out, TC_CEL_MAX_SIZE);
	tc_buf_addc(&out, '"');
	for (size_t i = 0; i < sn;) {
		uint32_t cp = 0;
		size_t l = tc_utf8_decode(s + i, sn - i, &cp);
		if (!l) {
			tc_buf_adds(&out, "\\ufffd");
			i++;
			continue;
		}
		static const char esc[] = "a\ab\bf\fn\nr\rt\tv\v\\\\\"\"";
		const char *e = NULL;
		for (size_t k = 0; cp < 0x80 && k < sizeof esc - 1; k += 2)
			if ((uint32_t)(unsigned char)esc[k + 1] == cp)
				e = esc + k;
		if (e) {
			tc_buf_addc(&out, '\\');
			tc_buf_addc(&out, e[0]);
		} else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || cp == 0xfeff ||
		           (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
		           (cp >= 0x2060 && cp <= 0x206f)) {
			tc_buf_addf(&out, "\\u%04x", (unsigned)cp);
		} else {
			tc_buf_add(&out, s + i, l);
		}
		i += l;
	}
	tc_buf_addc(&out, '"');
	return str_from_buf(c, &out);
}

/* ---- format ---- */

static void fmt_double(tc_buf *b, double d)
{
	if (isnan(d))
		tc_buf_adds(b, "NaN");
	else if (isinf(d))
		tc_buf_adds(b, d > 0 ? "Infinity" : "-Infinity");
	else
		tc_cel_double_format(b, d);
}

static int key_cmp(const void *x, const void *y)
{
	const char *const *a = x, *const *b = y;
	return strcmp(a[0], b[0]);
}

static int fmt_string(tc_cel_ctx *c, tc_buf *b, const tc_cel_val *v, int depth);

static int fmt_list(tc_cel_ctx *c, tc_buf *b, const tc_cel_val *v, int depth)
{
	tc_buf_addc(b, '[');
	for (size_t i = 0; i < v->u.list.len; i++) {
		if (i)
			tc_buf_adds(b, ", ");
		if (fmt_string(c, b, v->u.list.items[i], depth + 1))
			return -1;
	}
	tc_buf_addc(b, ']');
	return 0;
}

/* the text of a map entry's key and value, in ent[0] and ent[1] */
static int fmt_entry(tc_cel_ctx *c, const char **ent, const tc_cel_val *k, const tc_cel_val *x,
                     int depth)
{
	tc_buf kb, xb;
	tc_buf_init(&kb, TC_CEL_MAX_SIZE);
	tc_buf_init(&xb, TC_CEL_MAX_SIZE);
	int rc = fmt_string(c, &kb, k, depth) || fmt_string(c, &xb, x, depth) ||
	         tc_buf_failed(&kb) || tc_buf_failed(&xb);
	ent[0] = tc_arena_memdup0(c->a, tc_buf_str(&kb), kb.len);
	ent[1] = tc_arena_memdup0(c->a, tc_buf_str(&xb), xb.len);
	tc_buf_release(&kb);
	tc_buf_release(&xb);
	return rc ? -1 : 0;
}

/* entries sorted by the text of their keys, as cel-go prints them */
static int fmt_map(tc_cel_ctx *c, tc_buf *b, const tc_cel_val *v, int depth)
{
	size_t n = v->u.map.len;
	const char **ent = tc_arena_alloc(c->a, (2 * n + 1) * sizeof *ent);
	for (size_t i = 0; i < n; i++)
		if (fmt_entry(c, ent + 2 * i, v->u.map.keys[i], v->u.map.vals[i], depth + 1))
			return -1;
	if (n)
		qsort(ent, n, 2 * sizeof *ent, key_cmp);
	tc_buf_addc(b, '{');
	for (size_t i = 0; i < n; i++) {
		if (i)
			tc_buf_adds(b, ", ");
		tc_buf_adds(b, ent[2 * i]);
		tc_buf_adds(b, ": ");
		tc_buf_adds(b, ent[2 * i + 1]);
	}
	tc_buf_addc(b, '}');
	return 0;
}

/* %s of v; -1 for a value %s cannot show */
static int fmt_string(tc_cel_ctx *c, tc_buf *b, const tc_cel_val *v, int depth)
{
	if (depth > TC_CEL_MAX_DEPTH)
		return -1;
	if (!tc_cel_charge(c, 1))
		return -1;
	switch (v->kind) {
	case TC_CEL_NULL:
		tc_buf_adds(b, "null");
		return 0;
	case TC_CEL_BOOL:
		tc_buf_adds(b, v->u.b ? "true" : "false");
		return 0;
	case TC_CEL_INT:
		tc_buf_addf(b, "%lld", (long long)v->u.i);
		return 0;
	case TC_CEL_UINT:
		tc_buf_addf(b, "%llu", (unsigned long long)v->u.u);
		return 0;
	case TC_CEL_DOUBLE:
		fmt_double(b, v->u.d);
		return 0;
	case TC_CEL_STRING:
	case TC_CEL_BYTES:
	case TC_CEL_TYPE:
		tc_buf_add(b, v->u.s.ptr, v->u.s.len);
		return 0;
	case TC_CEL_DURATION:
		tc_cel_duration_format(b, v->u.ns);
		return 0;
	case TC_CEL_TIMESTAMP:
		tc_cel_timestamp_format(b, v->u.t.sec, v->u.t.nsec);
		return 0;
	case TC_CEL_LIST:
		return fmt_list(c, b, v, depth);
	case TC_CEL_MAP:
		return fmt_map(c, b, v, depth);
	default:
		return -1;
	}
}

static void fmt_radix(tc_buf *b, bool neg, uint64_t u, unsigned radix, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[72];
	size_t k = 0;
	do {
		tmp[k++] = digits[u % radix];
		u /= radix;
	} while (u);
	if (neg)
		tc_buf_addc(b, '-');
	while (k)
		tc_buf_addc(b, tmp[--k]);
}

static bool integer(const tc_cel_val *v, bool *neg, uint64_t *u)
{
	if (v->kind == TC_CEL_INT) {
		*neg = v->u.i < 0;
		*u = *neg ? (uint64_t)0 - (uint64_t)v->u.i : (uint64_t)v->u.i;
		return true;
	}
	if (v->kind == TC_CEL_UINT) {
		*neg = false;
		*u = v->u.u;
		return true;
	}
	return false;
}

static tc_cel_val *fmt_error(tc_cel_ctx *c, const char *what, const tc_cel_val *v)
{
	return tc_cel_error(c->a, "error during formatting: %s, was given %s", what,
	                    tc_cel_type_name(v));
}

/* v in radix when it is an int or a uint; false when it is neither */
static bool put_integer(tc_buf *b, const tc_cel_val *v, unsigned radix, bool upper)
{
	bool neg;
	uint64_t u;
	if (!integer(v, &neg, &u))
		return false;
	fmt_radix(b, neg, u, radix, upper);
	return true;
}

/* Each clause (after '%' and the precision) applied to v: NULL when done,
 * else the error. */
static tc_cel_val *clause_string(tc_cel_ctx *c, tc_buf *b, const tc_cel_val *v)
{
	if (!fmt_string(c, b, v, 0))
		return NULL;
	if (c->exhausted)
		return tc_cel_error(c->a, "cost budget exceeded");
	return fmt_error(c,
	                 "string clause can only be used on strings, bools, bytes, ints, "
	                 "doubles, maps, lists, types, durations, and timestamps",
	                 v);
}

static tc_cel_val *clause_decimal(tc_cel_ctx *c, tc_buf *b, const tc_cel_val *v)
{
	if (put_integer(b, v, 10, false))
		return NULL;
	if (v->kind == TC_CEL_DOUBLE && !isfinite(v->u.d)) {
		fmt_double(b, v->u.d);
		return NULL;
	}
	return fmt_error(c, "decimal clause can only be used on integers", v);
}

/* %f and %e: a number of any kind, 6 places unless a precision is given */
static tc_cel_val *clause_float(tc_cel_ctx *c, tc_buf *b, char verb, int prec, const tc_cel_val *v)
{
	double d;
	if (v->kind == TC_CEL_DOUBLE)
		d = v->u.d;
	else if (v->kind == TC_CEL_INT)
		d = (double)v->u.i;
	else if (v->kind == TC_CEL_UINT)
		d = (double)v->u.u;
	else
		return fmt_error(c,
		                 verb == 'f' ? "fixed-point clause can only be used on doubles"
		                             : "scientific clause can only be used on doubles",
		                 v);
	if (!isfinite(d))
		fmt_double(b, d);
	else if (verb == 'f')
		tc_buf_addf(b, "%.*f", prec < 0 ? 6 : prec, d);
	else
		tc_buf_addf(b, "%.*e", prec < 0 ? 6 : prec, d);
	return NULL;
}

static tc_cel_val *clause_binary(tc_cel_ctx *c, tc_buf *b, const tc_cel_val *v)
{
	if (v->kind == TC_CEL_BOOL) {
		tc_buf_addc(b, v->u.b ? '1' : '0');
		return NULL;
	}
	if (put_integer(b, v, 2, false))
		return NULL;
	return fmt_error(c, "only integers and bools can be formatted as binary", v);
}

static tc_cel_val *clause_octal(tc_cel_ctx *c, tc_buf *b, const tc_cel_val *v)
{
	if (put_integer(b, v, 8, false))
		return NULL;
	return fmt_error(c, "octal clause can only be used on integers", v);
}

/* %x and %X: an integer, or each byte of a string or bytes */
static tc_cel_val *clause_hex(tc_cel_ctx *c, tc_buf *b, bool upper, const tc_cel_val *v)
{
	if (put_integer(b, v, 16, upper))
		return NULL;
	if (v->kind != TC_CEL_STRING && v->kind != TC_CEL_BYTES)
		return fmt_error(c,
		                 "only integers, byte buffers, and strings can be formatted as hex",
		                 v);
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	for (size_t i = 0; i < v->u.s.len; i++) {
		unsigned char ch = (unsigned char)v->u.s.ptr[i];
		tc_buf_addc(b, digits[ch >> 4]);
		tc_buf_addc(b, digits[ch & 15]);
	}
	return NULL;
}

static tc_cel_val *clause(tc_cel_ctx *c, tc_buf *b, char verb, int prec, const tc_cel_val *v)
{
	switch (verb) {
	case 's':
		return clause_string(c, b, v);
	case 'd':
		return clause_decimal(c, b, v);
	case 'f':
	case 'e':
		return clause_float(c, b, verb, prec, v);
	case 'b':
		return clause_binary(c, b, v);
	case 'o':
		return clause_octal(c, b, v);
	default: /* x, X */
		return clause_hex(c, b, verb == 'X', v);
	}
}

/* The clause at s[*i] (just after its '%'): its verb and precision (-1:
 * none), with *i on the verb; NULL, or the error. */
static tc_cel_val *clause_spec(tc_cel_ctx *c, const char *s, size_t sn, size_t *i, char *verb,
                               int *prec)
{
	*prec = -1;
	if (*i < sn && s[*i] == '.') {
		*prec = 0;
		for ((*i)++; *i < sn && s[*i] >= '0' && s[*i] <= '9'; (*i)++)
			if (*prec < 1000)
				*prec = *prec * 10 + (s[*i] - '0');
		if (*prec >= 1000)
			return tc_cel_error(c->a, "could not parse formatting clause: precision "
			                          "too large");
	}
	if (*i >= sn)
		return tc_cel_error(c->a, "could not parse formatting clause: the format "
		                          "string ends inside a clause");
	*verb = s[*i];
	if (!strchr("sdfebxXo", *verb) || (*prec >= 0 && *verb != 'f' && *verb != 'e'))
		return tc_cel_error(c->a,
		                    "could not parse formatting clause: unrecognized "
		                    "formatting clause \"%.*s\"",
		                    (int)cp_len(s + *i, sn - *i), s + *i);
	return NULL;
}

/* s.format(list): %s %d %f %e %b %o %x %X, a precision (%.3f) for %f
 * and %e, and %% for a percent sign. */
static tc_cel_val *fn_format(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	if (n != 2 || !is(v[0], TC_CEL_STRING) || !is(v[1], TC_CEL_LIST))
		return NULL;
	const char *s = v[0]->u.s.ptr;
	size_t sn = v[0]->u.s.len, arg = 0;
	const tc_cel_val *args = v[1];
	tc_cel_val *bad = budget(c, sn);
	if (bad)
		return bad;
	tc_buf out;
	tc_buf_init(&out, TC_CEL_MAX_SIZE);
	for (size_t i = 0; i < sn; i++) {
		if (s[i] != '%') {
			tc_buf_addc(&out, s[i]);
			continue;
		}
		if (++i < sn && s[i] == '%') {
			tc_buf_addc(&out, '%');
			continue;
		}
		char verb = 0;
		int prec;
		tc_cel_val *e = clause_spec(c, s, sn, &i, &verb, &prec);
		if (!e && arg >= args->u.list.len)
			e = tc_cel_error(c->a, "index %zu out of range", arg);
		if (!e)
			e = clause(c, &out, verb, prec, args->u.list.items[arg++]);
		if (e) {
			tc_buf_release(&out);
			return e;
		}
		if (tc_buf_failed(&out))
			break;
	}
	return str_from_buf(c, &out);
}

/* ---- math ---- */

static bool number(const tc_cel_val *v)
{
	return v->kind == TC_CEL_INT || v->kind == TC_CEL_UINT || v->kind == TC_CEL_DOUBLE;
}

/* math.greatest and math.least: over the arguments, or the one list
 * argument; numbers of any of the three kinds, compared by value, the
 * result keeping its own kind. */
static tc_cel_val *extreme(tc_cel_ctx *c, tc_cel_val **v, size_t n, bool greatest)
{
	const char *name = greatest ? "math.greatest" : "math.least";
	tc_cel_val **items = v;
	if (n == 1 && is(v[0], TC_CEL_LIST)) {
		items = v[0]->u.list.items;
		n = v[0]->u.list.len;
		if (!n)
			return tc_cel_error(c->a, "%s(): list argument must not be empty", name);
	}
	if (!n)
		return NULL;
	tc_cel_val *best = NULL;
	for (size_t i = 0; i < n; i++) {
		if (!number(items[i]))
			return tc_cel_error(c->a, "no such overload: %s(%s)", name,
			                    tc_cel_type_name(items[i]));
		if (!tc_cel_charge(c, 1))
			return tc_cel_error(c->a, "cost budget exceeded");
		if (!best) {
			best = items[i];
			continue;
		}
		int r = tc_cel_compare(items[i], best);
		if (r == 2) { /* a NaN: cel-go's comparisons make it win neither way */
			if (items[i]->kind == TC_CEL_DOUBLE && isnan(items[i]->u.d))
				best = items[i];
			continue;
		}
		if (greatest ? r > 0 : r < 0)
			best = items[i];
	}
	return best;
}

static tc_cel_val *fn_greatest(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	return extreme(c, v, n, true);
}

static tc_cel_val *fn_least(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	return extreme(c, v, n, false);
}

static tc_cel_val *dbl1(tc_cel_ctx *c, tc_cel_val **v, size_t n, double (*f)(double))
{
	if (n != 1 || !is(v[0], TC_CEL_DOUBLE))
		return NULL;
	return tc_cel_double(c->a, f(v[0]->u.d));
}

static tc_cel_val *fn_ceil(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	return dbl1(c, v, n, ceil);
}

static tc_cel_val *fn_floor(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	return dbl1(c, v, n, floor);
}

static tc_cel_val *fn_round(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	return dbl1(c, v, n, round); /* half away from zero, as Go's math.Round */
}

static tc_cel_val *fn_trunc(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	return dbl1(c, v, n, trunc);
}

static tc_cel_val *fn_abs(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	if (n != 1)
		return NULL;
	switch (v[0]->kind) {
	case TC_CEL_INT:
		if (v[0]->u.i == INT64_MIN)
			return tc_cel_error(c->a, "integer overflow");
		return tc_cel_int(c->a, v[0]->u.i < 0 ? -v[0]->u.i : v[0]->u.i);
	case TC_CEL_UINT:
		return v[0];
	case TC_CEL_DOUBLE:
		return tc_cel_double(c->a, fabs(v[0]->u.d));
	default:
		return NULL;
	}
}

static tc_cel_val *fn_sign(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	if (n != 1)
		return NULL;
	switch (v[0]->kind) {
	case TC_CEL_INT:
		return tc_cel_int(c->a, (v[0]->u.i > 0) - (v[0]->u.i < 0));
	case TC_CEL_UINT:
		return tc_cel_uint(c->a, v[0]->u.u > 0);
	case TC_CEL_DOUBLE: {
		double d = v[0]->u.d;
		return tc_cel_double(c->a, isnan(d) ? d : d > 0 ? 1.0 : d < 0 ? -1.0 : 0.0);
	}
	default:
		return NULL;
	}
}

static tc_cel_val *fn_is_nan(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	return n == 1 && is(v[0], TC_CEL_DOUBLE) ? tc_cel_bool(c->a, isnan(v[0]->u.d)) : NULL;
}

static tc_cel_val *fn_is_inf(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	return n == 1 && is(v[0], TC_CEL_DOUBLE) ? tc_cel_bool(c->a, isinf(v[0]->u.d)) : NULL;
}

static tc_cel_val *fn_is_finite(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	return n == 1 && is(v[0], TC_CEL_DOUBLE) ? tc_cel_bool(c->a, isfinite(v[0]->u.d)) : NULL;
}

typedef enum bitop { B_AND, B_OR, B_XOR } bitop;

static tc_cel_val *bits(tc_cel_ctx *c, tc_cel_val **v, size_t n, bitop op)
{
	if (n != 2 || v[0]->kind != v[1]->kind ||
	    (v[0]->kind != TC_CEL_INT && v[0]->kind != TC_CEL_UINT))
		return NULL;
	uint64_t x = v[0]->kind == TC_CEL_INT ? (uint64_t)v[0]->u.i : v[0]->u.u;
	uint64_t y = v[1]->kind == TC_CEL_INT ? (uint64_t)v[1]->u.i : v[1]->u.u;
	uint64_t r = op == B_AND ? x & y : op == B_OR ? x | y : x ^ y;
	return v[0]->kind == TC_CEL_INT ? tc_cel_int(c->a, (int64_t)r) : tc_cel_uint(c->a, r);
}

static tc_cel_val *fn_bit_and(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	return bits(c, v, n, B_AND);
}

static tc_cel_val *fn_bit_or(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	return bits(c, v, n, B_OR);
}

static tc_cel_val *fn_bit_xor(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	return bits(c, v, n, B_XOR);
}

static tc_cel_val *fn_bit_not(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	if (n != 1)
		return NULL;
	if (is(v[0], TC_CEL_INT))
		return tc_cel_int(c->a, ~v[0]->u.i);
	if (is(v[0], TC_CEL_UINT))
		return tc_cel_uint(c->a, ~v[0]->u.u);
	return NULL;
}

/* math.bitShiftLeft/Right(int|uint, int): a shift of 64 or more gives 0;
 * the right shift of an int is logical (its sign bit moves), as cel-go's */
static tc_cel_val *shift(tc_cel_ctx *c, tc_cel_val **v, size_t n, bool left)
{
	if (n != 2 || !is(v[1], TC_CEL_INT) || (!is(v[0], TC_CEL_INT) && !is(v[0], TC_CEL_UINT)))
		return NULL;
	int64_t k = v[1]->u.i;
	if (k < 0)
		return tc_cel_error(c->a, "math.%s() negative offset: %lld",
		                    left ? "bitShiftLeft" : "bitShiftRight", (long long)k);
	uint64_t x = is(v[0], TC_CEL_INT) ? (uint64_t)v[0]->u.i : v[0]->u.u;
	uint64_t r = k >= 64 ? 0 : left ? x << k : x >> k;
	return is(v[0], TC_CEL_INT) ? tc_cel_int(c->a, (int64_t)r) : tc_cel_uint(c->a, r);
}

static tc_cel_val *fn_shl(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	return shift(c, v, n, true);
}

static tc_cel_val *fn_shr(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	return shift(c, v, n, false);
}

/* ---- encoders ---- */

static tc_cel_val *fn_b64_encode(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	if (n != 1 || !is(v[0], TC_CEL_BYTES))
		return NULL;
	size_t len = v[0]->u.s.len;
	tc_cel_val *b = budget(c, len);
	if (b)
		return b;
	if (len > TC_CEL_MAX_SIZE / 4 * 3)
		return tc_cel_error(c->a, "string larger than the limit");
	size_t cap = tc_base64_encoded_len(len, true);
	char *p = tc_arena_alloc(c->a, cap + 1);
	size_t k = tc_base64_encode(p, v[0]->u.s.ptr, len, true);
	return adopt(tc_cel_string(c->a, "", 0), p, k);
}

/* base64.decode(string): standard alphabet, with or without its padding
 * (cel-go tries both). */
static tc_cel_val *fn_b64_decode(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	if (n != 1 || !is(v[0], TC_CEL_STRING))
		return NULL;
	size_t len = v[0]->u.s.len;
	tc_cel_val *b = budget(c, len);
	if (b)
		return b;
	unsigned char *p = tc_arena_alloc(c->a, len / 4 * 3 + 4);
	size_t k;
	if (tc_base64_decode(p, &k, len / 4 * 3 + 3, v[0]->u.s.ptr, len, TC_BASE64_PAD_ANY))
		return tc_cel_error(c->a, "base64.decode(): illegal base64 data");
	p[k] = 0;
	return adopt(tc_cel_bytes(c->a, "", 0), (const char *)p, k);
}

/* sorted by name (strcmp): the evaluator bisects */
const tc_cel_func tc_cel_extlib[] = {
	{"base64.decode", fn_b64_decode, false, true},
	{"base64.encode", fn_b64_encode, false, true},
	{"charAt", fn_char_at, true, false},
	{"format", fn_format, true, false},
	{"indexOf", fn_index_of, true, false},
	{"join", fn_join, true, false},
	{"lastIndexOf", fn_last_index_of, true, false},
	{"lowerAscii", fn_lower_ascii, true, false},
	{"math.abs", fn_abs, false, true},
	{"math.bitAnd", fn_bit_and, false, true},
	{"math.bitNot", fn_bit_not, false, true},
	{"math.bitOr", fn_bit_or, false, true},
	{"math.bitShiftLeft", fn_shl, false, true},
	{"math.bitShiftRight", fn_shr, false, true},
	{"math.bitXor", fn_bit_xor, false, true},
	{"math.ceil", fn_ceil, false, true},
	{"math.floor", fn_floor, false, true},
	{"math.greatest", fn_greatest, false, true},
	{"math.isFinite", fn_is_finite, false, true},
	{"math.isInf", fn_is_inf, false, true},
	{"math.isNaN", fn_is_nan, false, true},
	{"math.least", fn_least, false, true},
	{"math.round", fn_round, false, true},
	{"math.sign", fn_sign, false, true},
	{"math.trunc", fn_trunc, false, true},
	{"replace", fn_replace, true, false},
	{"reverse", fn_reverse, true, false},
	{"split", fn_split, true, false},
	{"strings.quote", fn_quote, false, true},
	{"substring", fn_substring, true, false},
	{"trim", fn_trim, true, false},
	{"upperAscii", fn_upper_ascii, true, false},
};
const size_t tc_cel_nextlib = sizeof tc_cel_extlib / sizeof tc_cel_extlib[0];
_Static_assert(sizeof tc_cel_extlib / sizeof tc_cel_extlib[0] == TC_CEL_NEXTLIB,
               "TC_CEL_NEXTLIB is the length of tc_cel_extlib");
