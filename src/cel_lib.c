/*
 * cel_lib.c - the CEL standard library (cel-spec doc/langdef.md
 * "Standard definitions"): size, contains, startsWith, endsWith, matches,
 * the conversions int, uint, double, string, bytes, bool, timestamp,
 * duration, dyn and type, the timestamp and duration accessors, and the
 * optional values of cel-go's optional library (optional.of, optional.none,
 * optional.ofNonZeroValue, hasValue, value, or, orValue).
 *
 * Every function checks its own overloads and returns NULL when none
 * matches (the evaluator says "no such overload"), or an error value.
 * Regular expressions are RE2 syntax as far as PCRE2 shares it: PCRE2's
 * constructs that RE2 refuses (backreferences, lookaround, possessive and
 * atomic groups, recursion) are refused here too, and every match runs
 * under a match limit so that no pattern takes unbounded time. Compiled
 * patterns are cached for one evaluation in ctx->regex_cache.
 *
 * Time zones are "UTC", "Z" and fixed offsets "+hh:mm"/"-hh:mm"; IANA zone
 * names are refused with an error (no time zone database is read, so
 * nothing depends on the machine's).
 */
#include "cel_lib.h"

#include "cel_ext.h"

#include "timefmt.h"
#include "utf8.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <math.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_S INT64_C(1000000000)

static tc_cel_val *budget(tc_cel_ctx *c, size_t n)
{
	return tc_cel_charge(c, 1 + n / 16) ? NULL : tc_cel_error(c->a, "cost budget exceeded");
}

static bool is(const tc_cel_val *v, tc_cel_kind k)
{
	return v->kind == k;
}

static size_t code_points(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; k++) {
		uint32_t cp;
		size_t l = tc_utf8_decode((const unsigned char *)s + i, n - i, &cp);
		i += l ? l : 1;
	}
	return k;
}

static tc_cel_val *fn_size(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	if (n != 1)
		return NULL;
	switch (v[0]->kind) {
	case TC_CEL_STRING: {
		tc_cel_val *b = budget(c, v[0]->u.s.len);
		return b ? b : tc_cel_int(c->a, (int64_t)code_points(v[0]->u.s.ptr, v[0]->u.s.len));
	}
	case TC_CEL_BYTES:
		return tc_cel_int(c->a, (int64_t)v[0]->u.s.len);
	case TC_CEL_LIST:
		return tc_cel_int(c->a, (int64_t)v[0]->u.list.len);
	case TC_CEL_MAP:
		return tc_cel_int(c->a, (int64_t)v[0]->u.map.len);
	default:
		return NULL;
	}
}

static tc_cel_val *strfn(tc_cel_ctx *c, tc_cel_val **v, size_t n, int which)
{
	if (n != 2 || !is(v[0], TC_CEL_STRING) || !is(v[1], TC_CEL_STRING))
		return NULL;
	tc_cel_val *b = budget(c, v[0]->u.s.len);
	if (b)
		return b;
	const char *s = v[0]->u.s.ptr, *t = v[1]->u.s.ptr;
	size_t sn = v[0]->u.s.len, tn = v[1]->u.s.len;
	bool r = false;
	if (tn <= sn) {
		if (which == 0)
			r = memcmp(s, t, tn) == 0;
		else if (which == 1)
			r = memcmp(s + sn - tn, t, tn) == 0;
		else
			for (size_t i = 0; i + tn <= sn && !r; i++)
				r = memcmp(s + i, t, tn) == 0;
	}
	return tc_cel_bool(c->a, r);
}

static tc_cel_val *fn_starts(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	return strfn(c, v, n, 0);
}

static tc_cel_val *fn_ends(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	return strfn(c, v, n, 1);
}

static tc_cel_val *fn_contains(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	return strfn(c, v, n, 2);
}

/* ---- regular expressions ---- */

typedef struct rx {
	struct rx *next;
	char *src;
	size_t len;
	pcre2_code *code;
} rx;

/* RE2 match steps are linear; PCRE2 backtracks, so each match is capped
 * (the budget of a very large but legitimate match). */
#define MATCH_LIMIT 1000000u
/* patterns kept per evaluation */
#define MAX_CACHED 32

void tc_cel_regex_release(void *cache)
{
	for (rx *r = cache; r;) {
		rx *next = r->next;
		pcre2_code_free(r->code);
		free(r->src);
		free(r);
		r = next;
	}
}

/* Constructs RE2 does not have; NULL when the pattern has none. */
static const char *not_re2(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			char d = s[i + 1];
			if ((d >= '1' && d <= '9') || d == 'g' || d == 'k')
				return "backreferences are not supported";
			i++;
		} else if (s[i] == '(' && i + 2 < n && s[i + 1] == '?') {
			char d = s[i + 2];
			if (d == '=' || d == '!' ||
			    (d == '<' && i + 3 < n && (s[i + 3] == '=' || s[i + 3] == '!')))
				return "lookaround is not supported";
			if (d == '>' || d == 'R' || (d >= '0' && d <= '9') || d == '&' || d == '|')
				return "this group construct is not supported";
		} else if ((s[i] == '+' || s[i] == '*' || s[i] == '?' || s[i] == '}') &&
		           i + 1 < n && s[i + 1] == '+') {
			return "possessive quantifiers are not supported";
		}
	}
	return NULL;
}

void *tc_cel_regex_get(tc_cel_ctx *c, const tc_cel_val *pattern, tc_cel_val **err)
{
	const char *p = pattern->u.s.ptr;
	size_t pn = pattern->u.s.len;
	size_t cached = 0;
	for (rx *x = c->regex_cache; x; x = x->next, cached++)
		if (x->len == pn && memcmp(x->src, p, pn) == 0)
			return x->code;
	const char *why = not_re2(p, pn);
	if (why) {
		*err = tc_cel_error(c->a, "invalid regular expression: %s", why);
		return NULL;
	}
	int ec;
	PCRE2_SIZE off;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)p, pn, PCRE2_UTF | PCRE2_NEVER_BACKSLASH_C,
	                                 &ec, &off, NULL);
	if (!code) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(ec, msg, sizeof msg);
		*err = tc_cel_error(c->a, "invalid regular expression: %s", (const char *)msg);
		return NULL;
	}
	if (cached >= MAX_CACHED) {
		tc_cel_regex_release(c->regex_cache);
		c->regex_cache = NULL;
	}
	rx *r = tc_xcalloc(1, sizeof *r);
	r->src = tc_xmemdup0(p, pn);
	r->len = pn;
	r->code = code;
	r->next = c->regex_cache;
	c->regex_cache = r;
	return code;
}

int tc_cel_regex_match(void *code, const char *s, size_t n, size_t start, size_t *mstart,
                       size_t *mend)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
	pcre2_match_context *mc = pcre2_match_context_create(NULL);
	if (!md || !mc)
		tc_oom();
	pcre2_set_match_limit(mc, MATCH_LIMIT);
	int m = pcre2_match(code, (PCRE2_SPTR)s, n, start, 0, md, mc);
	int r = m == PCRE2_ERROR_NOMATCH ? 0 : m < 0 ? -1 : 1;
	if (r == 1) {
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
		*mstart = ov[0];
		*mend = ov[1];
	}
	pcre2_match_data_free(md);
	pcre2_match_context_free(mc);
	return r;
}

static tc_cel_val *fn_matches(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	if (n != 2 || !is(v[0], TC_CEL_STRING) || !is(v[1], TC_CEL_STRING))
		return NULL;
	tc_cel_val *b = budget(c, v[0]->u.s.len + v[1]->u.s.len);
	if (b)
		return b;
	tc_cel_val *err = NULL;
	void *code = tc_cel_regex_get(c, v[1], &err);
	if (!code)
		return err;
	size_t ms, me;
	int m = tc_cel_regex_match(code, v[0]->u.s.ptr, v[0]->u.s.len, 0, &ms, &me);
	if (m < 0)
		return tc_cel_error(c->a, "regular expression match exceeded its limit");
	return tc_cel_bool(c->a, m == 1);
}

/* ---- conversions ---- */

static char *cstr(tc_cel_ctx *c, const tc_cel_val *v)
{
	return tc_arena_memdup0(c->a, v->u.s.ptr, v->u.s.len);
}

static tc_cel_val *fn_int(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	if (n != 1)
		return NULL;
	tc_cel_val *x = v[0];
	switch (x->kind) {
	case TC_CEL_INT:
		return x;
	case TC_CEL_UINT:
		return x->u.u > INT64_MAX ? tc_cel_error(c->a, "int range error")
		                          : tc_cel_int(c->a, (int64_t)x->u.u);
	case TC_CEL_DOUBLE:
		if (!(x->u.d > -9223372036854775808.0 && x->u.d < 9223372036854775808.0))
			return tc_cel_error(c->a, "int range error");
		return tc_cel_int(c->a, (int64_t)x->u.d);
	case TC_CEL_STRING: {
		char *s = cstr(c, x), *end;
		errno = 0;
		long long r = strtoll(s, &end, 10);
		if (!*s || *end || errno || s[0] == ' ' || (s[0] == '0' && s[1]))
			return tc_cel_error(c->a, "cannot convert string to int");
		return tc_cel_int(c->a, r);
	}
	case TC_CEL_TIMESTAMP:
		return tc_cel_int(c->a, x->u.t.sec);
	case TC_CEL_DURATION:
		return tc_cel_int(c->a, x->u.ns);
	default:
		return NULL;
	}
}

static tc_cel_val *fn_uint(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	if (n != 1)
		return NULL;
	tc_cel_val *x = v[0];
	switch (x->kind) {
	case TC_CEL_UINT:
		return x;
	case TC_CEL_INT:
		return x->u.i < 0 ? tc_cel_error(c->a, "uint range error")
		                  : tc_cel_uint(c->a, (uint64_t)x->u.i);
	case TC_CEL_DOUBLE:
		if (!(x->u.d > -1.0 && x->u.d < 18446744073709551616.0))
			return tc_cel_error(c->a, "uint range error");
		return tc_cel_uint(c->a, (uint64_t)x->u.d);
	case TC_CEL_STRING: {
		char *s = cstr(c, x), *end;
		errno = 0;
		unsigned long long r = strtoull(s, &end, 10);
		if (!*s || *end || errno || s[0] < '0' || s[0] > '9')
			return tc_cel_error(c->a, "cannot convert string to uint");
		return tc_cel_uint(c->a, r);
	}
	default:
		return NULL;
	}
}

static tc_cel_val *fn_double(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	if (n != 1)
		return NULL;
	tc_cel_val *x = v[0];
	switch (x->kind) {
	case TC_CEL_DOUBLE:
		return x;
	case TC_CEL_INT:
		return tc_cel_double(c->a, (double)x->u.i);
	case TC_CEL_UINT:
		return tc_cel_double(c->a, (double)x->u.u);
	case TC_CEL_STRING: {
		char *s = cstr(c, x), *end;
		/* Go's ParseFloat: no hexadecimal floats, no leading space */
		if (!*s || s[0] == ' ' || strchr(s, 'x') || strchr(s, 'X'))
			return tc_cel_error(c->a, "cannot convert string to double");
		errno = 0;
		double d = strtod(s, &end);
		if (*end || (errno == ERANGE && fabs(d) > 1))
			return tc_cel_error(c->a, "cannot convert string to double");
		return tc_cel_double(c->a, d);
	}
	default:
		return NULL;
	}
}

/* The shortest decimal digits of a finite d that read back to it,
 * without trailing zeros (at most 17, in digits[0..*nd)), its sign and
 * its decimal exponent: d = [-]D.DDD * 10^*exp. */
static void shortest_digits(char digits[static 24], size_t *nd, bool *neg, int *exp, double d)
{
	char e[40];
	int p = 1;
	for (; p < 17; p++) {
		snprintf(e, sizeof e, "%.*e", p - 1, d);
		if (strtod(e, NULL) == d)
			break;
	}
	snprintf(e, sizeof e, "%.*e", p - 1, d);
	/* e: [-]D[.DDD]e[+-]XX */
	const char *s = e;
	*neg = *s == '-';
	if (*neg)
		s++;
	*nd = 0;
	for (; *s && *s != 'e'; s++)
		if (*s != '.')
			digits[(*nd)++] = *s;
	*exp = (int)strtol(s + 1, NULL, 10);
	while (*nd > 1 && digits[*nd - 1] == '0')
		(*nd)--;
}

/* D[.DDD]e+XX */
static void format_exponent(tc_buf *b, const char *digits, size_t nd, int exp)
{
	tc_buf_addc(b, digits[0]);
	if (nd > 1) {
		tc_buf_addc(b, '.');
		tc_buf_add(b, digits + 1, nd - 1);
	}
	tc_buf_addf(b, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
}

/* 0.000DDD, DDD00, DDD.DDD */
static void format_fixed(tc_buf *b, const char *digits, size_t nd, int exp)
{
	if (exp < 0) {
		tc_buf_adds(b, "0.");
		for (int i = -1; i > exp; i--)
			tc_buf_addc(b, '0');
		tc_buf_add(b, digits, nd);
		return;
	}
	for (int i = 0; i <= exp; i++)
		tc_buf_addc(b, (size_t)i < nd ? digits[i] : '0');
	if (nd > (size_t)exp + 1) {
		tc_buf_addc(b, '.');
		tc_buf_add(b, digits + exp + 1, nd - (size_t)exp - 1);
	}
}

/* Go's strconv.FormatFloat(d, 'g', -1, 64), which cel-go's string(double)
 * uses: the shortest digits, exponent form below 1e-4 and from 1e6 (precision 6 decides, for the
 * shortest form). */
void tc_cel_double_format(tc_buf *b, double d)
{
	if (isnan(d)) {
		tc_buf_adds(b, "NaN");
		return;
	}
	if (isinf(d)) {
		tc_buf_adds(b, d > 0 ? "+Inf" : "-Inf");
		return;
	}
	char digits[24];
	size_t nd;
	bool neg;
	int exp;
	shortest_digits(digits, &nd, &neg, &exp, d);
	if (neg)
		tc_buf_addc(b, '-');
	if (exp < -4 || exp >= 6)
		format_exponent(b, digits, nd, exp);
	else
		format_fixed(b, digits, nd, exp);
}

static tc_cel_val *fn_string(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	if (n != 1)
		return NULL;
	tc_cel_val *x = v[0];
	tc_buf b;
	tc_buf_init(&b, 128);
	switch (x->kind) {
	case TC_CEL_STRING:
		tc_buf_release(&b);
		return x;
	case TC_CEL_INT:
		tc_buf_addf(&b, "%lld", (long long)x->u.i);
		break;
	case TC_CEL_UINT:
		tc_buf_addf(&b, "%llu", (unsigned long long)x->u.u);
		break;
	case TC_CEL_DOUBLE:
		tc_cel_double_format(&b, x->u.d);
		break;
	case TC_CEL_BOOL:
		tc_buf_adds(&b, x->u.b ? "true" : "false");
		break;
	case TC_CEL_DURATION:
		tc_cel_duration_format(&b, x->u.ns);
		break;
	case TC_CEL_TIMESTAMP:
		tc_cel_timestamp_format(&b, x->u.t.sec, x->u.t.nsec);
		break;
	case TC_CEL_BYTES:
		for (size_t i = 0; i < x->u.s.len;) {
			uint32_t cp;
			size_t l = tc_utf8_decode((const unsigned char *)x->u.s.ptr + i,
			                          x->u.s.len - i, &cp);
			if (!l) {
				tc_buf_release(&b);
				return tc_cel_error(c->a,
				                    "invalid UTF-8 in bytes, cannot convert to "
				                    "string");
			}
			i += l;
		}
		tc_buf_release(&b);
		return tc_cel_string(c->a, x->u.s.ptr, x->u.s.len);
	default:
		tc_buf_release(&b);
		return NULL;
	}
	tc_cel_val *r = tc_cel_string(c->a, b.ptr ? b.ptr : "", b.len);
	tc_buf_release(&b);
	return r;
}

static tc_cel_val *fn_bytes(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	if (n != 1)
		return NULL;
	if (is(v[0], TC_CEL_BYTES))
		return v[0];
	if (is(v[0], TC_CEL_STRING))
		return tc_cel_bytes(c->a, v[0]->u.s.ptr, v[0]->u.s.len);
	return NULL;
}

static tc_cel_val *fn_bool(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	if (n != 1)
		return NULL;
	if (is(v[0], TC_CEL_BOOL))
		return v[0];
	if (!is(v[0], TC_CEL_STRING))
		return NULL;
	/* Go's strconv.ParseBool */
	static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
	static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};
	for (size_t i = 0; i < 6; i++) {
		if (strcmp(v[0]->u.s.ptr, yes[i]) == 0)
			return tc_cel_bool(c->a, true);
		if (strcmp(v[0]->u.s.ptr, no[i]) == 0)
			return tc_cel_bool(c->a, false);
	}
	return tc_cel_error(c->a, "cannot convert string to bool");
}

static tc_cel_val *fn_timestamp(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	if (n != 1)
		return NULL;
	tc_cel_val *x = v[0];
	if (is(x, TC_CEL_TIMESTAMP))
		return x;
	if (is(x, TC_CEL_INT)) {
		if (x->u.i < TC_CEL_TS_MIN || x->u.i > TC_CEL_TS_MAX)
			return tc_cel_error(c->a, "timestamp out of range");
		return tc_cel_timestamp(c->a, x->u.i, 0);
	}
	if (!is(x, TC_CEL_STRING))
		return NULL;
	int64_t sec;
	int32_t nsec;
	if (tc_cel_timestamp_parse(&sec, &nsec, x->u.s.ptr, x->u.s.len))
		return tc_cel_error(c->a, "cannot parse timestamp '%s'", x->u.s.ptr);
	return tc_cel_timestamp(c->a, sec, nsec);
}

static tc_cel_val *fn_duration(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	if (n != 1)
		return NULL;
	if (is(v[0], TC_CEL_DURATION))
		return v[0];
	if (is(v[0], TC_CEL_INT))
		return tc_cel_duration(c->a, v[0]->u.i);
	if (!is(v[0], TC_CEL_STRING))
		return NULL;
	int64_t ns;
	if (tc_cel_duration_parse(&ns, v[0]->u.s.ptr, v[0]->u.s.len))
		return tc_cel_error(c->a, "cannot parse duration '%s'", v[0]->u.s.ptr);
	return tc_cel_duration(c->a, ns);
}

static tc_cel_val *fn_type(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	return n == 1 ? tc_cel_type(c->a, tc_cel_type_name(v[0])) : NULL;
}

static tc_cel_val *fn_dyn(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	(void)c;
	return n == 1 ? v[0] : NULL;
}

/* ---- timestamp and duration accessors ---- */

typedef enum part {
	P_YEAR,
	P_MONTH,
	P_DATE,
	P_DOM,
	P_DOW,
	P_DOY,
	P_HOURS,
	P_MINUTES,
	P_SECONDS,
	P_MILLIS,
} part;

/* The offset in seconds east of UTC a zone names; -1 on error (written to
 * *ok = false). */
static bool zone(int32_t *off, const tc_cel_val *z)
{
	const char *s = z->u.s.ptr;
	size_t n = z->u.s.len;
	*off = 0;
	if ((n == 3 && strcmp(s, "UTC") == 0) || (n == 1 && s[0] == 'Z'))
		return true;
	int sign = 1;
	size_t i = 0;
	if (n && (s[0] == '+' || s[0] == '-')) {
		sign = s[0] == '-' ? -1 : 1;
		i = 1;
	}
	int h = 0, m = 0, k = 0;
	while (i < n && s[i] >= '0' && s[i] <= '9' && k < 2)
		h = h * 10 + (s[i++] - '0'), k++;
	if (k == 0 || i >= n || s[i] != ':')
		return false;
	i++;
	k = 0;
	while (i < n && s[i] >= '0' && s[i] <= '9' && k < 2)
		m = m * 10 + (s[i++] - '0'), k++;
	if (k != 2 || i != n || m > 59 || h > 23)
		return false;
	*off = sign * (h * 3600 + m * 60);
	return true;
}

static tc_cel_val *accessor(tc_cel_ctx *c, tc_cel_val **v, size_t n, part p)
{
	if (n == 1 && is(v[0], TC_CEL_DURATION)) {
		int64_t ns = v[0]->u.ns;
		switch (p) {
		case P_HOURS:
			return tc_cel_int(c->a, ns / (3600 * NS_PER_S));
		case P_MINUTES:
			return tc_cel_int(c->a, ns / (60 * NS_PER_S));
		case P_SECONDS:
			return tc_cel_int(c->a, ns / NS_PER_S);
		case P_MILLIS:
			return tc_cel_int(c->a, ns / 1000000);
		default:
			return NULL;
		}
	}
	if (n < 1 || n > 2 || !is(v[0], TC_CEL_TIMESTAMP) || (n == 2 && !is(v[1], TC_CEL_STRING)))
		return NULL;
	int32_t off = 0;
	if (n == 2 && !zone(&off, v[1]))
		return tc_cel_error(c->a, "unknown time zone '%s'", v[1]->u.s.ptr);
	int64_t t = v[0]->u.t.sec + off;
	int64_t days = t / 86400, rem = t % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	int64_t y, mo, d;
	tc_time_civil_from_days(days, &y, &mo, &d);
	switch (p) {
	case P_YEAR:
		return tc_cel_int(c->a, y);
	case P_MONTH:
		return tc_cel_int(c->a, mo - 1);
	case P_DATE:
		return tc_cel_int(c->a, d);
	case P_DOM:
		return tc_cel_int(c->a, d - 1);
	case P_DOW:
		return tc_cel_int(c->a, ((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
	case P_DOY:
		return tc_cel_int(c->a, days - tc_time_days_from_civil(y, 1, 1));
	case P_HOURS:
		return tc_cel_int(c->a, rem / 3600);
	case P_MINUTES:
		return tc_cel_int(c->a, rem / 60 % 60);
	case P_SECONDS:
		return tc_cel_int(c->a, rem % 60);
	case P_MILLIS:
		return tc_cel_int(c->a, v[0]->u.t.nsec / 1000000);
	}
	return NULL;
}

#define ACCESSOR(fname, p)                                                                         \
	static tc_cel_val *fname(tc_cel_ctx *c, tc_cel_val **v, size_t n)                          \
	{                                                                                          \
		return accessor(c, v, n, p);                                                       \
	}
ACCESSOR(fn_year, P_YEAR)
ACCESSOR(fn_month, P_MONTH)
ACCESSOR(fn_date, P_DATE)
ACCESSOR(fn_dom, P_DOM)
ACCESSOR(fn_dow, P_DOW)
ACCESSOR(fn_doy, P_DOY)
ACCESSOR(fn_hours, P_HOURS)
ACCESSOR(fn_minutes, P_MINUTES)
ACCESSOR(fn_seconds, P_SECONDS)
ACCESSOR(fn_millis, P_MILLIS)

/* ---- optional values ---- */

static tc_cel_val *fn_opt_of(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	return n == 1 ? tc_cel_optional(c->a, v[0]) : NULL;
}

static tc_cel_val *fn_opt_none(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	(void)v;
	return n == 0 ? tc_cel_optional(c->a, NULL) : NULL;
}

/* The zero value of v's type (false, 0, "", [], {}, null). */
static bool is_zero(const tc_cel_val *v)
{
	switch (v->kind) {
	case TC_CEL_NULL:
		return true;
	case TC_CEL_BOOL:
		return !v->u.b;
	case TC_CEL_INT:
		return v->u.i == 0;
	case TC_CEL_UINT:
		return v->u.u == 0;
	case TC_CEL_DOUBLE:
		return v->u.d == 0;
	case TC_CEL_STRING:
	case TC_CEL_BYTES:
		return v->u.s.len == 0;
	case TC_CEL_LIST:
		return v->u.list.len == 0;
	case TC_CEL_MAP:
		return v->u.map.len == 0;
	case TC_CEL_DURATION:
		return v->u.ns == 0;
	case TC_CEL_TIMESTAMP:
		return v->u.t.sec == 0 && v->u.t.nsec == 0;
	default:
		return false;
	}
}

static tc_cel_val *fn_opt_nonzero(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	return n == 1 ? tc_cel_optional(c->a, is_zero(v[0]) ? NULL : v[0]) : NULL;
}

static tc_cel_val *fn_has_value(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	return n == 1 && is(v[0], TC_CEL_OPTIONAL) ? tc_cel_bool(c->a, v[0]->u.opt != NULL) : NULL;
}

static tc_cel_val *fn_value(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	if (n != 1 || !is(v[0], TC_CEL_OPTIONAL))
		return NULL;
	return v[0]->u.opt ? v[0]->u.opt : tc_cel_error(c->a, "optional.none() dereference");
}

static tc_cel_val *fn_or(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	(void)c;
	if (n != 2 || !is(v[0], TC_CEL_OPTIONAL) || !is(v[1], TC_CEL_OPTIONAL))
		return NULL;
	return v[0]->u.opt ? v[0] : v[1];
}

static tc_cel_val *fn_or_value(tc_cel_ctx *c, tc_cel_val **v, size_t n)
{
	(void)c;
	if (n != 2 || !is(v[0], TC_CEL_OPTIONAL))
		return NULL;
	return v[0]->u.opt ? v[0]->u.opt : v[1];
}

/* sorted by name (strcmp): the evaluator bisects */
const tc_cel_func tc_cel_stdlib[] = {
	{"bool", fn_bool, false, true},
	{"bytes", fn_bytes, false, true},
	{"contains", fn_contains, true, false},
	{"double", fn_double, false, true},
	{"duration", fn_duration, false, true},
	{"dyn", fn_dyn, false, true},
	{"endsWith", fn_ends, true, false},
	{"getDate", fn_date, true, false},
	{"getDayOfMonth", fn_dom, true, false},
	{"getDayOfWeek", fn_dow, true, false},
	{"getDayOfYear", fn_doy, true, false},
	{"getFullYear", fn_year, true, false},
	{"getHours", fn_hours, true, false},
	{"getMilliseconds", fn_millis, true, false},
	{"getMinutes", fn_minutes, true, false},
	{"getMonth", fn_month, true, false},
	{"getSeconds", fn_seconds, true, false},
	{"hasValue", fn_has_value, true, false},
	{"int", fn_int, false, true},
	{"matches", fn_matches, true, true},
	{"optional.none", fn_opt_none, false, true},
	{"optional.of", fn_opt_of, false, true},
	{"optional.ofNonZeroValue", fn_opt_nonzero, false, true},
	{"or", fn_or, true, false},
	{"orValue", fn_or_value, true, false},
	{"size", fn_size, true, true},
	{"startsWith", fn_starts, true, false},
	{"string", fn_string, false, true},
	{"timestamp", fn_timestamp, false, true},
	{"type", fn_type, false, true},
	{"uint", fn_uint, false, true},
	{"value", fn_value, true, false},
};
const size_t tc_cel_nstdlib = sizeof tc_cel_stdlib / sizeof tc_cel_stdlib[0];

/* The standard environment's tables: one line per library. */
const tc_cel_func *const tc_cel_std_tables[TC_CEL_NSTD_TABLES] = {
	tc_cel_stdlib, tc_cel_extlib, /* strings, math, encoders (cel_ext.c) */
};
const size_t tc_cel_std_ntables[TC_CEL_NSTD_TABLES] = {
	sizeof tc_cel_stdlib / sizeof tc_cel_stdlib[0],
	TC_CEL_NEXTLIB,
};
