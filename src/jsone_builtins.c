/*
 * jsone_builtins.c - the built-in function table, the rendering helpers and
 * fromNow's time arithmetic.
 *
 * Each built-in checks its own arguments and reports a bad call as
 * "BuiltinError: invalid arguments to builtin: NAME" (with ": expected at
 * least N arguments" where the reference says so). Arity is exact: the
 * reference crashes on extra arguments; we report them. Results carry the
 * position of the calling expression, and strings built from a secret
 * argument are secret too.
 *
 * Time: offsets are parsed by hand (units in the order y mo w d h m s, each
 * at most once, case-insensitive) and converted with fixed unit sizes
 * (year = 365 days, month = 30 days), as the language defines. Instants are
 * milliseconds since the epoch; calendar conversion uses the proleptic
 * Gregorian days-from-civil arithmetic, never the C library's time zone
 * functions, so nothing depends on TZ or the clock.
 */
#include "jsone_builtins.h"

#include "base64.h"
#include "json_emit.h"
#include "json_load.h"
#include "merge.h"
#include "scalar.h"
#include "timefmt.h"
#include "yaml_emit.h"
#include "yaml_load.h"

#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bad_args(tc_jsone_state *st, const char *name)
{
	return tc_jsone_raise(st, TC_JE_BUILTIN, "invalid arguments to builtin: %s", name);
}

static int too_few(tc_jsone_state *st, const char *name, int n)
{
	return tc_jsone_raise(st, TC_JE_BUILTIN,
	                      "invalid arguments to builtin: %s: expected at least %d arguments",
	                      name, n);
}

static bool is_type(const tc_value *v, tc_kind k)
{
	return !tc_jsone_is_fn(v) && v->kind == k;
}

static bool is_num(const tc_value *v)
{
	return !tc_jsone_is_fn(v) && tc_value_is_number(v);
}

static bool any_secret(const tc_jsone_state *st, tc_value *const *args, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (tc_jsone_tainted(st, args[i]))
			return true;
	return false;
}

/* --- math ---------------------------------------------------------------- */

static int minmax(tc_value **out, tc_jsone_state *st, tc_value *const *args, size_t n,
                  const char *name, bool max)
{
	if (n < 1)
		return too_few(st, name, 1);
	bool ints = true;
	for (size_t i = 0; i < n; i++) {
		if (!is_num(args[i]))
			return bad_args(st, name);
		ints = ints && args[i]->kind == TC_INT;
	}
	size_t best = 0;
	for (size_t i = 1; i < n; i++) {
		double x = tc_value_num(args[i]), b = tc_value_num(args[best]);
		if (max ? x > b : x < b)
			best = i;
	}
	*out = args[best];
	(void)ints;
	return 0;
}

static int bi_min(tc_value **out, tc_jsone_state *st, const tc_jsone_scope *sc,
                  tc_value *const *args, size_t n)
{
	(void)sc;
	return minmax(out, st, args, n, "min", false);
}

static int bi_max(tc_value **out, tc_jsone_state *st, const tc_jsone_scope *sc,
                  tc_value *const *args, size_t n)
{
	(void)sc;
	return minmax(out, st, args, n, "max", true);
}

static int math1(tc_value **out, tc_jsone_state *st, tc_value *const *args, size_t n,
                 const char *name, double (*f)(double), bool integral)
{
	if (n != 1 || !is_num(args[0]))
		return bad_args(st, name);
	double r = f(tc_value_num(args[0]));
	if (r == 0)
		r = 0; /* -0 prints as 0 anyway; keep the value clean */
	return tc_jsone_number(out, st, r, integral || args[0]->kind == TC_INT,
	                       tc_jsone_secret(args[0]));
}

static int bi_sqrt(tc_value **out, tc_jsone_state *st, const tc_jsone_scope *sc,
                   tc_value *const *args, size_t n)
{
	(void)sc;
	return math1(out, st, args, n, "sqrt", sqrt, false);
}

static int bi_ceil(tc_value **out, tc_jsone_state *st, const tc_jsone_scope *sc,
                   tc_value *const *args, size_t n)
{
	(void)sc;
	return math1(out, st, args, n, "ceil", ceil, true);
}

static int bi_floor(tc_value **out, tc_jsone_state *st, const tc_jsone_scope *sc,
                    tc_value *const *args, size_t n)
{
	(void)sc;
	return math1(out, st, args, n, "floor", floor, true);
}

static int bi_abs(tc_value **out, tc_jsone_state *st, const tc_jsone_scope *sc,
                  tc_value *const *args, size_t n)
{
	(void)sc;
	return math1(out, st, args, n, "abs", fabs, false);
}

static int bi_range(tc_value **out, tc_jsone_state *st, const tc_jsone_scope *sc,
                    tc_value *const *args, size_t n)
{
	(void)sc;
	if (n < 2)
		return too_few(st, "range", 2);
	if (n > 3)
		return bad_args(st, "range");
	for (size_t i = 0; i < n; i++)
		if (!is_num(args[i]) || !tc_jsone_integral(tc_value_num(args[i])))
			return bad_args(st, "range");
	double start = tc_value_num(args[0]), stop = tc_value_num(args[1]);
	double step = n == 3 ? tc_value_num(args[2]) : 1;
	if (step == 0)
		return bad_args(st, "range");
	double len = ceil((stop - start) / step);
	if (!(len > 0))
		len = 0;
	/* refuse before allocating: every element costs a step and memory */
	if (len > (double)(st->max_steps - st->steps))
		return tc_jsone_step(st, st->max_steps); /* reports the step limit */
	size_t cnt = (size_t)len;
	if (tc_jsone_check_size(st, cnt * (sizeof(tc_value *) + sizeof(tc_value))) ||
	    tc_jsone_step(st, cnt))
		return -1;
	bool taint = any_secret(st, args, n);
	tc_value **items = tc_arena_alloc(st->a, cnt * sizeof *items);
	for (size_t i = 0; i < cnt; i++) {
		double x = start + (double)i * step;
		if (tc_jsone_number(&items[i], st, x, true, taint))
			return -1;
	}
	tc_value *v = tc_value_array(st->a, NULL, 0, st->epos);
	v->u.arr.items = items;
	v->u.arr.len = cnt;
	*out = v;
	return 0;
}

/* --- strings ------------------------------------------------------------- */

static int one_string(tc_jsone_state *st, tc_value *const *args, size_t n, const char *name)
{
	if (n != 1 || !is_type(args[0], TC_STR))
		return bad_args(st, name);
	return 0;
}

static int str_value(tc_value **out, tc_jsone_state *st, const char *p, size_t len, bool taint)
{
	if (tc_jsone_check_size(st, len))
		return -1;
	*out = tc_jsone_taint(tc_value_str(st->a, p, len, st->epos), taint);
	return 0;
}

static int change_case(tc_value **out, tc_jsone_state *st, tc_value *const *args, size_t n,
                       const char *name, bool upper)
{
	if (one_string(st, args, n, name))
		return -1;
	const tc_value *s = args[0];
	if (tc_jsone_check_size(st, s->u.str.len) || tc_jsone_step(st, s->u.str.len / 64))
		return -1;
	char *p = tc_arena_memdup0(st->a, s->u.str.ptr, s->u.str.len);
	for (size_t i = 0; i < s->u.str.len; i++) {
		char c = p[i];
		if (upper && c >= 'a' && c <= 'z')
			p[i] = (char)(c - 'a' + 'A');
		else if (!upper && c >= 'A' && c <= 'Z')
			p[i] = (char)(c - 'A' + 'a');
	}
	*out = tc_jsone_taint(tc_value_str_ref(st->a, p, s->u.str.len, st->epos),
	                      tc_jsone_secret(s));
	return 0;
}

static int bi_lowercase(tc_value **out, tc_jsone_state *st, const tc_jsone_scope *sc,
                        tc_value *const *args, size_t n)
{
	(void)sc;
	return change_case(out, st, args, n, "lowercase", false);
}

static int bi_uppercase(tc_value **out, tc_jsone_state *st, const tc_jsone_scope *sc,
                        tc_value *const *args, size_t n)
{
	(void)sc;
	return change_case(out, st, args, n, "uppercase", true);
}

static int bi_str(tc_value **out, tc_jsone_state *st, const tc_jsone_scope *sc,
                  tc_value *const *args, size_t n)
{
	(void)sc;
	if (n != 1 || tc_jsone_is_fn(args[0]) || args[0]->kind == TC_ARRAY ||
	    args[0]->kind == TC_OBJECT)
		return bad_args(st, "str");
	if (args[0]->kind == TC_STR) {
		*out = args[0];
		return 0;
	}
	tc_buf b;
	tc_buf_init(&b, 64);
	if (args[0]->kind == TC_NULL)
		tc_buf_adds(&b, "null");
	else
		tc_jsone_text(&b, args[0]);
	return tc_jsone_buf_value(out, st, &b, tc_jsone_secret(args[0]));
}

static size_t skip_digits(const char *s, size_t len, size_t i, size_t *digits)
{
	while (i < len && s[i] >= '0' && s[i] <= '9') {
		i++;
		(*digits)++;
	}
	return i;
}

/* an optional sign, digits with an optional fraction, an optional exponent:
 * the whole of s, or false; *frac when it has a fraction or an exponent */
static bool number_syntax(const char *s, size_t len, bool *frac)
{
	size_t i = 0, digits = 0;
	*frac = false;
	if (i < len && (s[i] == '-' || s[i] == '+'))
		i++;
	i = skip_digits(s, len, i, &digits);
	if (i < len && s[i] == '.') {
		*frac = true;
		i = skip_digits(s, len, i + 1, &digits);
	}
	if (digits && i < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t e = i + 1, ed = 0;
		*frac = true;
		if (e < len && (s[e] == '-' || s[e] == '+'))
			e++;
		e = skip_digits(s, len, e, &ed);
		if (ed)
			i = e;
	}
	return digits && i == len;
}

/* number(s): optional whitespace, an optional sign, digits with an optional
 * fraction, an optional exponent, optional whitespace. */
static int bi_number(tc_value **out, tc_jsone_state *st, const tc_jsone_scope *sc,
                     tc_value *const *args, size_t n)
{
	(void)sc;
	if (one_string(st, args, n, "number"))
		return -1;
	const char *s = args[0]->u.str.ptr;
	size_t len = args[0]->u.str.len, w;
	while (len && (w = tc_jsone_space_len(s, len)) > 0) {
		s += w;
		len -= w;
	}
	while (len && (w = tc_jsone_space_len_back(s, len)) > 0)
		len -= w;
	bool frac;
	if (!number_syntax(s, len, &frac) || len > 1000)
		return bad_args(st, "number");
	char small[1024];
	memcpy(small, s, len);
	small[len] = 0;
	double d = strtod(small, NULL);
	return tc_jsone_number(out, st, d, !frac, tc_jsone_secret(args[0]));
}

static int bi_len(tc_value **out, tc_jsone_state *st, const tc_jsone_scope *sc,
                  tc_value *const *args, size_t n)
{
	(void)sc;
	if (n != 1 || !(is_type(args[0], TC_STR) || is_type(args[0], TC_ARRAY)))
		return bad_args(st, "len");
	size_t len = args[0]->kind == TC_STR
	                     ? tc_jsone_utf8_len(args[0]->u.str.ptr, args[0]->u.str.len)
	                     : args[0]->u.arr.len;
	*out = tc_jsone_taint(tc_value_int(st->a, (int64_t)len, st->epos),
	                      tc_jsone_secret(args[0]));
	return 0;
}

static int strip(tc_value **out, tc_jsone_state *st, tc_value *const *args, size_t n,
                 const char *name, bool left, bool right)
{
	if (one_string(st, args, n, name))
		return -1;
	const char *s = args[0]->u.str.ptr;
	size_t len = args[0]->u.str.len, w;
	while (left && len && (w = tc_jsone_space_len(s, len)) > 0) {
		s += w;
		len -= w;
	}
	while (right && len && (w = tc_jsone_space_len_back(s, len)) > 0)
		len -= w;
	return str_value(out, st, s, len, tc_jsone_secret(args[0]));
}

static int bi_strip(tc_value **out, tc_jsone_state *st, const tc_jsone_scope *sc,
                    tc_value *const *args, size_t n)
{
	(void)sc;
	return strip(out, st, args, n, "strip", true, true);
}

static int bi_lstrip(tc_value **out, tc_jsone_state *st, const tc_jsone_scope *sc,
                     tc_value *const *args, size_t n)
{
	(void)sc;
	return strip(out, st, args, n, "lstrip", true, false);
}

static int bi_rstrip(tc_value **out, tc_jsone_state *st, const tc_jsone_scope *sc,
                     tc_value *const *args, size_t n)
{
	(void)sc;
	return strip(out, st, args, n, "rstrip", false, true);
}

/* split(s, ""): one string per code point */
static int split_chars(tc_arrb *parts, tc_jsone_state *st, const char *s, size_t len, bool taint)
{
	for (size_t i = 0; i < len;) {
		size_t e = i + 1;
		while (e < len && ((unsigned char)s[e] & 0xC0) == 0x80)
			e++;
		tc_value *v = NULL;
		if (tc_jsone_step(st, 1) || str_value(&v, st, s + i, e - i, taint))
			return -1;
		tc_arrb_push(parts, v);
		i = e;
	}
	return 0;
}

/* split(s, d): the text around each d */
static int split_delim(tc_arrb *parts, tc_jsone_state *st, const char *s, size_t len, const char *d,
                       size_t dl, bool taint)
{
	for (size_t start = 0;;) {
		const char *hit = memmem(s + start, len - start, d, dl);
		size_t end = hit ? (size_t)(hit - s) : len;
		tc_value *v = NULL;
		if (tc_jsone_step(st, 1) || str_value(&v, st, s + start, end - start, taint))
			return -1;
		tc_arrb_push(parts, v);
		if (!hit)
			return 0;
		start = end + dl;
	}
}

static int bi_split(tc_value **out, tc_jsone_state *st, const tc_jsone_scope *sc,
                    tc_value *const *args, size_t n)
{
	(void)sc;
	if (n != 2 || !is_type(args[0], TC_STR) || !(is_type(args[1], TC_STR) || is_num(args[1])))
		return bad_args(st, "split");
	bool taint = any_secret(st, args, n);
	tc_buf delim;
	tc_buf_init(&delim, TC_BUF_UNLIMITED);
	tc_jsone_text(&delim, args[1]);
	const char *s = args[0]->u.str.ptr;
	size_t len = args[0]->u.str.len;
	tc_arrb parts;
	tc_arrb_init(&parts);
	int rc = delim.len == 0
	                 ? split_chars(&parts, st, s, len, taint)
	                 : split_delim(&parts, st, s, len, tc_buf_str(&delim), delim.len, taint);
	tc_buf_release(&delim);
	if (rc) {
		tc_arrb_release(&parts);
		return -1;
	}
	*out = tc_jsone_taint(tc_arrb_finish(&parts, st->a, st->epos), taint);
	return 0;
}

static int bi_join(tc_value **out, tc_jsone_state *st, const tc_jsone_scope *sc,
                   tc_value *const *args, size_t n)
{
	(void)sc;
	if (n != 2 || !is_type(args[0], TC_ARRAY) || !(is_type(args[1], TC_STR) || is_num(args[1])))
		return bad_args(st, "join");
	const tc_value *a = args[0];
	for (size_t i = 0; i < a->u.arr.len; i++) {
		const tc_value *e = a->u.arr.items[i];
		if (tc_jsone_is_fn(e) || e->kind == TC_NULL || e->kind == TC_ARRAY ||
		    e->kind == TC_OBJECT)
			return bad_args(st, "join");
	}
	if (tc_jsone_step(st, a->u.arr.len))
		return -1;
	tc_buf sep, b;
	tc_buf_init(&sep, TC_BUF_UNLIMITED);
	tc_jsone_text(&sep, args[1]);
	tc_buf_init(&b, st->max_output);
	for (size_t i = 0; i < a->u.arr.len && !tc_buf_failed(&b); i++) {
		if (i)
			tc_buf_add(&b, sep.ptr, sep.len);
		tc_jsone_text(&b, a->u.arr.items[i]);
	}
	tc_buf_release(&sep);
	return tc_jsone_buf_value(out, st, &b, any_secret(st, args, n));
}

/* --- miscellaneous ------------------------------------------------------- */

static int bi_fromnow(tc_value **out, tc_jsone_state *st, const tc_jsone_scope *sc,
                      tc_value *const *args, size_t n)
{
	if (n < 1)
		return too_few(st, "fromNow", 1);
	if (n > 2)
		return bad_args(st, "fromNow");
	for (size_t i = 0; i < n; i++)
		if (!is_type(args[i], TC_STR))
			return bad_args(st, "fromNow");
	/* the reference falls back to now for an empty reference */
	const tc_value *ref = n == 2 && args[1]->u.str.len ? args[1] : NULL;
	return tc_jsone_from_now(out, st, sc, args[0], ref);
}

static int bi_typeof(tc_value **out, tc_jsone_state *st, const tc_jsone_scope *sc,
                     tc_value *const *args, size_t n)
{
	(void)sc;
	if (n != 1)
		return bad_args(st, "typeof");
	static const char *const names[] = {
		[TC_NULL] = "null",     [TC_BOOL] = "boolean", [TC_INT] = "number",
		[TC_FLOAT] = "number",  [TC_STR] = "string",   [TC_ARRAY] = "array",
		[TC_OBJECT] = "object",
	};
	const char *t = tc_jsone_is_fn(args[0]) ? "function" : names[args[0]->kind];
	*out = tc_value_str_ref(st->a, t, strlen(t), st->epos);
	return 0;
}

static int bi_defined(tc_value **out, tc_jsone_state *st, const tc_jsone_scope *sc,
                      tc_value *const *args, size_t n)
{
	if (one_string(st, args, n, "defined"))
		return -1;
	bool found = tc_jsone_lookup(st, sc, args[0]->u.str.ptr, args[0]->u.str.len) != NULL;
	*out = tc_value_bool(st->a, found, st->epos);
	return 0;
}

/* --- rendering helpers (extras) -------------------------------------------- */

static int bi_b64encode(tc_value **out, tc_jsone_state *st, const tc_jsone_scope *sc,
                        tc_value *const *args, size_t n)
{
	(void)sc;
	if (one_string(st, args, n, "b64encode"))
		return -1;
	size_t len = args[0]->u.str.len;
	size_t olen = tc_base64_encoded_len(len, true);
	if (tc_jsone_check_size(st, olen) || tc_jsone_step(st, len / 64))
		return -1;
	char *p = tc_arena_alloc(st->a, olen + 1);
	size_t o = tc_base64_encode(p, args[0]->u.str.ptr, len, true);
	*out = tc_jsone_taint(tc_value_str_ref(st->a, p, o, st->epos), tc_jsone_secret(args[0]));
	return 0;
}

/* b64decode(s): padding optional (at most two '='), and the URL-safe
 * alphabet accepted too */
static int bi_b64decode(tc_value **out, tc_jsone_state *st, const tc_jsone_scope *sc,
                        tc_value *const *args, size_t n)
{
	(void)sc;
	if (one_string(st, args, n, "b64decode"))
		return -1;
	const char *s = args[0]->u.str.ptr;
	size_t len = args[0]->u.str.len;
	while (len && s[len - 1] == '=')
		len--;
	if (len % 4 == 1 || args[0]->u.str.len - len > 2 || tc_jsone_step(st, len / 64))
		return tc_jsone_raise(st, TC_JE_BUILTIN,
		                      "invalid arguments to builtin: b64decode: not base64");
	size_t cap = len / 4 * 3 + 2, o = 0;
	char *p = tc_arena_alloc(st->a, cap + 1);
	if (tc_base64_decode((unsigned char *)p, &o, cap, s, args[0]->u.str.len,
	                     TC_BASE64_PAD_ANY | TC_BASE64_URL) != 0)
		return tc_jsone_raise(st, TC_JE_BUILTIN,
		                      "invalid arguments to builtin: b64decode: not base64");
	p[o] = 0;
	if (tc_scalar_utf8_check(p, o) != o)
		return tc_jsone_raise(
			st, TC_JE_BUILTIN,
			"invalid arguments to builtin: b64decode: the data is not UTF-8 "
			"text");
	*out = tc_jsone_taint(tc_value_str_ref(st->a, p, o, st->epos), tc_jsone_secret(args[0]));
	return 0;
}

static int bi_sha256(tc_value **out, tc_jsone_state *st, const tc_jsone_scope *sc,
                     tc_value *const *args, size_t n)
{
	(void)sc;
	if (one_string(st, args, n, "sha256"))
		return -1;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (tc_jsone_step(st, args[0]->u.str.len / 64))
		return -1;
	if (!EVP_Digest(args[0]->u.str.ptr, args[0]->u.str.len, md, &mdlen, EVP_sha256(), NULL))
		return tc_jsone_raise(st, TC_JE_BUILTIN, "sha256: the digest failed");
	char *p = tc_arena_alloc(st->a, 2 * (size_t)mdlen + 1);
	static const char hex[] = "0123456789abcdef";
	for (unsigned int i = 0; i < mdlen; i++) {
		p[2 * i] = hex[md[i] >> 4];
		p[2 * i + 1] = hex[md[i] & 15];
	}
	p[2 * mdlen] = 0;
	*out = tc_jsone_taint(tc_value_str_ref(st->a, p, 2 * (size_t)mdlen, st->epos),
	                      tc_jsone_secret(args[0]));
	return 0;
}

/* mergeValues(a, b, ...): each argument merged over the ones before it by
 * tenantc's one rule for layered settings (merge.h): maps merge key by
 * key, lists and scalars replace. Unlike $mergeDeep it never concatenates
 * lists, so a default list can be replaced by a shorter one. */
static int bi_mergevalues(tc_value **out, tc_jsone_state *st, const tc_jsone_scope *sc,
                          tc_value *const *args, size_t n)
{
	(void)sc;
	if (n == 0)
		return bad_args(st, "mergeValues");
	for (size_t i = 0; i < n; i++)
		if (tc_jsone_is_fn(args[i]))
			return bad_args(st, "mergeValues");
	tc_value *acc = args[0];
	bool taint = tc_jsone_secret(acc);
	for (size_t i = 1; i < n; i++) {
		size_t steps = 0;
		acc = tc_merge(st->a, acc, args[i], &steps);
		if (tc_jsone_step(st, steps))
			return -1;
		taint = taint || tc_jsone_secret(args[i]);
	}
	/* a copy: acc may be an argument, which stays as it is */
	if ((acc->kind == TC_OBJECT && n > 1) || (taint && !tc_jsone_secret(acc))) {
		acc = tc_value_copy(st->a, acc);
		if (acc->kind == TC_OBJECT)
			acc->pos = st->epos;
	}
	*out = tc_jsone_taint(acc, taint);
	return 0;
}

static int emit(tc_value **out, tc_jsone_state *st, tc_value *const *args, size_t n,
                const char *name, bool yaml)
{
	if (n != 1)
		return bad_args(st, name);
	if (tc_jsone_check_output(st, args[0], 0))
		return -1;
	tc_buf b;
	tc_buf_init(&b, st->max_output);
	if (yaml)
		tc_yaml_emit(&b, args[0]);
	else
		tc_json_emit(&b, args[0], false);
	return tc_jsone_buf_value(out, st, &b, tc_jsone_tainted(st, args[0]));
}

static int bi_tojson(tc_value **out, tc_jsone_state *st, const tc_jsone_scope *sc,
                     tc_value *const *args, size_t n)
{
	(void)sc;
	return emit(out, st, args, n, "toJson", false);
}

static int bi_toyaml(tc_value **out, tc_jsone_state *st, const tc_jsone_scope *sc,
                     tc_value *const *args, size_t n)
{
	(void)sc;
	return emit(out, st, args, n, "toYaml", true);
}

static int parse_doc(tc_value **out, tc_jsone_state *st, tc_value *const *args, size_t n,
                     const char *name, bool yaml)
{
	if (one_string(st, args, n, name))
		return -1;
	bool taint = tc_jsone_secret(args[0]);
	tc_diags d;
	tc_diags_init(&d);
	tc_value *v;
	int rc = yaml ? tc_yaml_load(&v, st->a, &d, name, args[0]->u.str.ptr, args[0]->u.str.len,
	                             NULL)
	              : tc_json_load(&v, st->a, &d, name, args[0]->u.str.ptr, args[0]->u.str.len);
	if (rc) {
		const tc_diag *g = d.len ? &d.items[0] : NULL;
		rc = tc_jsone_raise(st, TC_JE_BUILTIN,
		                    "invalid arguments to builtin: %s: %s at %u:%u", name,
		                    taint || !g ? "not a document" : g->msg, g ? g->line : 0,
		                    g ? g->col : 0);
		tc_diags_release(&d);
		return rc;
	}
	tc_diags_release(&d);
	if (tc_jsone_check_size(st, 0))
		return -1;
	if (taint) {
		v = tc_value_copy(st->a, v);
		v->flags |= TC_VAL_SECRET;
	}
	*out = v;
	return 0;
}

static int bi_fromjson(tc_value **out, tc_jsone_state *st, const tc_jsone_scope *sc,
                       tc_value *const *args, size_t n)
{
	(void)sc;
	return parse_doc(out, st, args, n, "fromJson", false);
}

static int bi_fromyaml(tc_value **out, tc_jsone_state *st, const tc_jsone_scope *sc,
                       tc_value *const *args, size_t n)
{
	(void)sc;
	return parse_doc(out, st, args, n, "fromYaml", true);
}

/* --- the table ------------------------------------------------------------- */

/* sorted by name (bytes); extras flagged */
static const struct entry {
	tc_jsone_fn fn;
	bool extra;
} table[] = {
	{{"abs", bi_abs, NULL, NULL}, false},
	{{"b64decode", bi_b64decode, NULL, NULL}, true},
	{{"b64encode", bi_b64encode, NULL, NULL}, true},
	{{"ceil", bi_ceil, NULL, NULL}, false},
	{{"defined", bi_defined, NULL, NULL}, false},
	{{"floor", bi_floor, NULL, NULL}, false},
	{{"fromJson", bi_fromjson, NULL, NULL}, true},
	{{"fromNow", bi_fromnow, NULL, NULL}, false},
	{{"fromYaml", bi_fromyaml, NULL, NULL}, true},
	{{"join", bi_join, NULL, NULL}, false},
	{{"len", bi_len, NULL, NULL}, false},
	{{"lowercase", bi_lowercase, NULL, NULL}, false},
	{{"lstrip", bi_lstrip, NULL, NULL}, false},
	{{"max", bi_max, NULL, NULL}, false},
	{{"mergeValues", bi_mergevalues, NULL, NULL}, true},
	{{"min", bi_min, NULL, NULL}, false},
	{{"number", bi_number, NULL, NULL}, false},
	{{"range", bi_range, NULL, NULL}, false},
	{{"rstrip", bi_rstrip, NULL, NULL}, false},
	{{"sha256", bi_sha256, NULL, NULL}, true},
	{{"split", bi_split, NULL, NULL}, false},
	{{"sqrt", bi_sqrt, NULL, NULL}, false},
	{{"str", bi_str, NULL, NULL}, false},
	{{"strip", bi_strip, NULL, NULL}, false},
	{{"toJson", bi_tojson, NULL, NULL}, true},
	{{"toYaml", bi_toyaml, NULL, NULL}, true},
	{{"typeof", bi_typeof, NULL, NULL}, false},
	{{"uppercase", bi_uppercase, NULL, NULL}, false},
};

const tc_jsone_fn *tc_jsone_builtin_find(const char *name, size_t len, bool extras)
{
	size_t lo = 0, hi = sizeof table / sizeof table[0];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *k = table[mid].fn.name;
		int c = tc_bytes_cmp(k, strlen(k), name, len);
		if (c == 0)
			return table[mid].extra && !extras ? NULL : &table[mid].fn;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* --- time ------------------------------------------------------------------ */

/* JSON-e's RFC 3339: 't' and 'z' accepted, as JavaScript's Date does */
bool tc_jsone_parse_time(int64_t *ms, const char *s, size_t n)
{
	tc_civil t;
	if (!tc_time_parse_rfc3339(&t, s, n, TC_RFC3339_LOWER))
		return false;
	*ms = tc_time_to_ms(&t);
	return true;
}

bool tc_jsone_format_time(char out[32], int64_t ms)
{
	return tc_time_format_ms(out, ms);
}

/* the units of a time offset, largest first, with their names */
static const struct {
	const char *names[4];
	double ms;
} offset_units[] = {
	{{"y", "yr", "year", "years"}, 365.0 * 86400000},
	{{"mo", "month", "months", NULL}, 30.0 * 86400000},
	{{"w", "wk", "week", "weeks"}, 7.0 * 86400000},
	{{"d", "day", "days", NULL}, 86400000.0},
	{{"h", "hr", "hour", "hours"}, 3600000.0},
	{{"m", "min", "minute", "minutes"}, 60000.0},
	{{"s", "sec", "second", "seconds"}, 1000.0},
};

/* the index in offset_units of the unit named s (any case), or -1 */
static int offset_unit(const char *s, size_t n)
{
	for (int k = 0; k < 7; k++)
		for (int j = 0; j < 4 && offset_units[k].names[j]; j++)
			if (strlen(offset_units[k].names[j]) == n &&
			    strncasecmp(offset_units[k].names[j], s, n) == 0)
				return k;
	return -1;
}

static size_t skip_space(const char *s, size_t n, size_t i)
{
	size_t w;
	while (i < n && (w = tc_jsone_space_len(s + i, n - i)) > 0)
		i += w;
	return i;
}

static bool is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* offset = ws [ sign ws ] { ws digits ws unit } ws, units in this order */
static bool parse_offset(double *ms, const char *s, size_t n)
{
	size_t i = skip_space(s, n, 0);
	double sign = 1, total = 0;
	int last = -1;
	if (i < n && (s[i] == '-' || s[i] == '+')) {
		sign = s[i] == '-' ? -1 : 1;
		i++;
	}
	while ((i = skip_space(s, n, i)) < n) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		double v = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			v = v * 10 + (s[i++] - '0');
		size_t ws = i = skip_space(s, n, i);
		while (i < n && is_letter(s[i]))
			i++;
		int u = offset_unit(s + ws, i - ws);
		if (u <= last)
			return false;
		last = u;
		total += v * offset_units[u].ms;
	}
	*ms = sign * total;
	return true;
}

int tc_jsone_from_now(tc_value **out, tc_jsone_state *st, const tc_jsone_scope *sc,
                      const tc_value *offset, const tc_value *reference)
{
	double delta;
	bool taint = tc_jsone_secret(offset);
	if (!parse_offset(&delta, offset->u.str.ptr, offset->u.str.len))
		return tc_jsone_raise(st, TC_JE_TEMPLATE, "'%.*s' isn't a time expression",
		                      taint ? 10 : (int)offset->u.str.len,
		                      taint ? "<redacted>" : offset->u.str.ptr);
	if (!reference)
		reference = tc_jsone_lookup(st, sc, "now", 3);
	int64_t ref;
	if (!reference || !is_type(reference, TC_STR) ||
	    !tc_jsone_parse_time(&ref, reference->u.str.ptr, reference->u.str.len))
		return tc_jsone_raise(st, TC_JE_TEMPLATE,
		                      "the reference time is not an RFC 3339 timestamp such as "
		                      "2017-01-19T16:27:20.974Z");
	taint = taint || tc_jsone_secret(reference);
	char buf[32];
	double t = (double)ref + delta;
	if (!(fabs(t) < 9e15) || !tc_jsone_format_time(buf, (int64_t)t))
		return tc_jsone_raise(st, TC_JE_TEMPLATE,
		                      "fromNow gives a time outside years 1 to 9999");
	*out = tc_jsone_taint(tc_value_strz(st->a, buf, st->epos), taint);
	return 0;
}
