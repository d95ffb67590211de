/*
 * cel_k8s_quantity.c - kubernetes.Quantity (k8s.io/apiserver/pkg/cel/library
 * quantity.go) over resource.ParseQuantity's rules
 * (k8s.io/apimachinery/pkg/api/resource): a signed decimal number with a
 * binary (Ki..Ei), decimal (n, u, m, k, M, G, T, P, E) or exponent (e3,
 * E-2) suffix; the value is exact, rounded up in magnitude to 1e-9, and a
 * binary-suffixed one is capped at 2^63-1 as ParseQuantity does.
 *
 * A quantity is sign * digits * 10^exp with digits free of leading and
 * trailing zeros (zero: no digits), so that equal values have equal
 * canonical text ("-15e2") and Quantity.Equal is text equality.
 */
#include "cel_k8s_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QTYPE "kubernetes.Quantity"
/* digits a quantity may carry: far beyond any resource amount, and it
 * bounds the work of each operation */
#define MAX_DIGITS 512
/* exponents: inf.Dec's scale is an int32 */
#define MAX_EXP 100000

typedef struct qty {
	int sign;   /* -1, 0, 1 */
	char *d;    /* ASCII digits, most significant first; no leading or trailing '0' */
	size_t n;   /* number of digits (0 for zero) */
	int64_t ex; /* value = sign * d * 10^ex */
} qty;

static void normalize(qty *q)
{
	size_t lead = 0;
	while (lead < q->n && q->d[lead] == '0')
		lead++;
	q->d += lead;
	q->n -= lead;
	while (q->n && q->d[q->n - 1] == '0') {
		q->n--;
		q->ex++;
	}
	if (!q->n) {
		q->sign = 0;
		q->ex = 0;
	}
}

static tc_cel_val *qval(tc_arena *a, qty q)
{
	normalize(&q);
	qty *p = tc_arena_alloc(a, sizeof *p);
	*p = q;
	p->d = tc_arena_memdup0(a, q.d, q.n);
	char *text = tc_arena_printf(a, "%s%.*se%lld", q.sign < 0 ? "-" : "", (int)q.n,
	                             q.n ? q.d : "0", (long long)q.ex);
	return tc_cel_opaque(a, QTYPE, text, strlen(text), p);
}

/* d (n digits, in a buffer of room cap) times m: the new length, or 0 when
 * it would not fit */
static size_t mul_small(char *d, size_t n, size_t cap, unsigned m)
{
	unsigned carry = 0;
	for (size_t i = n; i-- > 0;) {
		unsigned x = (unsigned)(d[i] - '0') * m + carry;
		d[i] = (char)('0' + x % 10);
		carry = x / 10;
	}
	while (carry) {
		if (n + 1 > cap)
			return 0;
		memmove(d + 1, d, n);
		d[0] = (char)('0' + carry % 10);
		carry /= 10;
		n++;
	}
	return n;
}

/* 2^63 - 1, the largest binary-suffixed quantity */
static const char max_allowed[] = "9223372036854775807";

static int cmp_mag(const qty *a, const qty *b);

/* where the parts of a quantity's text lie: s[num0, num1) the integer
 * digits, s[den0, den1) the fraction digits, s[suf, n) the suffix */
typedef struct qtext {
	bool neg;
	size_t num0, num1, den0, den1, suf;
} qtext;

static size_t skip_digits(const char *s, size_t i, size_t n)
{
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	return i;
}

/* a sign, digits, an optional fraction, then the suffix: letters of
 * "eEinumkKMGTP", a sign, digits; false when anything else follows */
static bool scan(const char *s, size_t n, qtext *t)
{
	size_t i = 0;
	t->neg = false;
	if (s[0] == '-' || s[0] == '+') {
		t->neg = s[0] == '-';
		i++;
	}
	t->num0 = i;
	i = skip_digits(s, i, n);
	t->num1 = t->den0 = t->den1 = i;
	if (i < n && s[i] == '.') {
		t->den0 = ++i;
		i = skip_digits(s, i, n);
		t->den1 = i;
	}
	t->suf = i;
	while (i < n && strchr("eEinumkKMGTP", s[i]) && s[i])
		i++;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	return skip_digits(s, i, n) == n;
}

/* e<int> / E<int>: a decimal exponent of at most MAX_EXP in magnitude */
static bool decimal_exponent(const char *sx, size_t sn, int64_t *exp)
{
	if (sn < 2 || (sx[0] != 'e' && sx[0] != 'E'))
		return false;
	size_t j = 1;
	bool eneg = false;
	if (sx[j] == '-' || sx[j] == '+') {
		eneg = sx[j] == '-';
		j++;
	}
	if (j == sn)
		return false;
	int64_t e = 0;
	for (; j < sn; j++) {
		if (sx[j] < '0' || sx[j] > '9')
			return false;
		e = e * 10 + (sx[j] - '0');
		if (e > MAX_EXP)
			return false;
	}
	*exp = eneg ? -e : e;
	return true;
}

/* the suffix as a scale: value times base^exp */
static bool suffix_scale(const char *sx, size_t sn, int *base, int64_t *exp)
{
	static const struct {
		const char *s;
		int base, exp;
	} sfx[] = {{"", 10, 0},   {"n", 10, -9}, {"u", 10, -6}, {"m", 10, -3},
	           {"k", 10, 3},  {"M", 10, 6},  {"G", 10, 9},  {"T", 10, 12},
	           {"P", 10, 15}, {"E", 10, 18}, {"Ki", 2, 10}, {"Mi", 2, 20},
	           {"Gi", 2, 30}, {"Ti", 2, 40}, {"Pi", 2, 50}, {"Ei", 2, 60}};
	for (size_t k = 0; k < sizeof sfx / sizeof sfx[0]; k++)
		if (strlen(sfx[k].s) == sn && memcmp(sfx[k].s, sx, sn) == 0) {
			*base = sfx[k].base;
			*exp = sfx[k].exp;
			return true;
		}
	*base = 10;
	return decimal_exponent(sx, sn, exp);
}

/* q times 2^exp, at most 2^20 at a time (9 * 2^20 plus a carry stays well
 * within unsigned); false when the digits would not fit in cap */
static bool mul_pow2(qty *q, size_t cap, int64_t exp)
{
	for (int64_t k = 0; k < exp && q->n;) {
		int64_t step = exp - k < 20 ? exp - k : 20;
		size_t m = mul_small(q->d, q->n, cap, 1u << step);
		if (!m)
			return false;
		q->n = m;
		k += step;
	}
	return true;
}

/* the first keep digits of d plus one, in new memory: the new length */
static size_t add_one(tc_arena *a, const char *d, size_t keep, char **out)
{
	char *r = tc_arena_alloc(a, keep + 2);
	memcpy(r, d, keep);
	size_t k = keep;
	while (k > 0 && r[k - 1] == '9')
		r[--k] = '0';
	if (k == 0) {
		memmove(r + 1, r, keep);
		r[0] = '1';
		keep++;
	} else {
		r[k - 1]++;
	}
	*out = r;
	return keep;
}

/* a normalized q rounded up in magnitude to nano precision */
static void round_to_nano(tc_arena *a, qty *q)
{
	if (!q->n || q->ex >= -9)
		return;
	int64_t drop = -9 - q->ex;
	if ((uint64_t)drop >= q->n) {
		q->d = tc_arena_memdup0(a, "1", 1);
		q->n = 1;
	} else {
		/* the dropped digits are not all zero (normalized): add one */
		q->n = add_one(a, q->d, q->n - (size_t)drop, &q->d);
	}
	q->ex = -9;
	normalize(q);
}

/* a binary-suffixed quantity is capped at 2^63-1 in magnitude */
static void cap_binary(qty *q)
{
	if (!q->sign)
		return;
	qty m = {1, (char *)max_allowed, sizeof max_allowed - 1, 0};
	if (cmp_mag(q, &m) > 0) {
		q->d = (char *)max_allowed;
		q->n = m.n;
		q->ex = 0;
	}
}

static bool parse(tc_arena *a, const char *s, size_t n, qty *out)
{
	memset(out, 0, sizeof *out);
	if (n == 0 || n > 4 * MAX_DIGITS)
		return false;
	if (n == 1 && s[0] == '0')
		return true;
	qtext t;
	int base;
	int64_t exp = 0;
	if (!scan(s, n, &t) || !suffix_scale(s + t.suf, n - t.suf, &base, &exp))
		return false;
	size_t ni = t.num1 - t.num0, nf = t.den1 - t.den0;
	if (ni + nf > MAX_DIGITS)
		return false;
	size_t cap = ni + nf + 32;
	char *d = tc_arena_alloc(a, cap + 1);
	memcpy(d, s + t.num0, ni);
	memcpy(d + ni, s + t.den0, nf);
	out->d = d;
	out->n = ni + nf;
	out->sign = t.neg ? -1 : 1;
	out->ex = -(int64_t)nf;
	if (base == 10)
		out->ex += exp;
	else if (!mul_pow2(out, cap, exp))
		return false;
	normalize(out);
	round_to_nano(a, out);
	if (base == 2)
		cap_binary(out);
	return true;
}

tc_cel_val *tc_cel_quantity_parse(tc_arena *a, const char *s, size_t n)
{
	qty q;
	return parse(a, s, n, &q) ? qval(a, q) : NULL;
}

/* the digit of weight 10^k of q */
static int digit_at(const qty *q, int64_t k)
{
	int64_t i = (int64_t)q->n - 1 - (k - q->ex);
	return i >= 0 && i < (int64_t)q->n ? q->d[i] - '0' : 0;
}

static int cmp_mag(const qty *a, const qty *b)
{
	if (!a->n || !b->n)
		return (a->n > 0) - (b->n > 0);
	int64_t ta = a->ex + (int64_t)a->n, tb = b->ex + (int64_t)b->n;
	if (ta != tb)
		return ta > tb ? 1 : -1;
	int64_t lo = a->ex < b->ex ? a->ex : b->ex;
	for (int64_t k = ta - 1; k >= lo; k--) {
		int x = digit_at(a, k), y = digit_at(b, k);
		if (x != y)
			return x > y ? 1 : -1;
	}
	return 0;
}

static int qcmp(const qty *a, const qty *b)
{
	if (a->sign != b->sign)
		return a->sign > b->sign ? 1 : -1;
	return a->sign * cmp_mag(a, b);
}

/* a + sign*b, exact; false when the result would need too many digits */
static bool qadd(tc_arena *ar, const qty *a, const qty *b, int bsign, qty *out)
{
	int sb = b->sign * bsign;
	if (!b->n) {
		*out = *a;
		return true;
	}
	if (!a->n) {
		*out = *b;
		out->sign = sb;
		return true;
	}
	int64_t lo = a->ex < b->ex ? a->ex : b->ex;
	int64_t ta = a->ex + (int64_t)a->n, tb = b->ex + (int64_t)b->n;
	int64_t hi = (ta > tb ? ta : tb) + 1;
	if (hi - lo > MAX_DIGITS * 2)
		return false;
	size_t w = (size_t)(hi - lo);
	char *r = tc_arena_alloc(ar, w + 1);
	memset(out, 0, sizeof *out);
	if (a->sign == sb) {
		int carry = 0;
		for (int64_t k = lo; k < hi; k++) {
			int x = digit_at(a, k) + digit_at(b, k) + carry;
			r[w - 1 - (size_t)(k - lo)] = (char)('0' + x % 10);
			carry = x / 10;
		}
		out->sign = a->sign;
	} else {
		qty bb = *b;
		bb.sign = sb;
		int c = cmp_mag(a, &bb);
		const qty *big = c >= 0 ? a : &bb, *small = c >= 0 ? &bb : a;
		int borrow = 0;
		for (int64_t k = lo; k < hi; k++) {
			int x = digit_at(big, k) - digit_at(small, k) - borrow;
			borrow = x < 0;
			if (x < 0)
				x += 10;
			r[w - 1 - (size_t)(k - lo)] = (char)('0' + x);
		}
		out->sign = c == 0 ? 0 : big->sign;
	}
	out->d = r;
	out->n = w;
	out->ex = lo;
	normalize(out);
	return true;
}

static const qty *as_q(const tc_cel_val *v)
{
	return v->kind == TC_CEL_OPAQUE && strcmp(v->u.o.type, QTYPE) == 0 ? v->u.o.data : NULL;
}

/* the int64 value of an integral q, false when q is not integral or does
 * not fit (Quantity.AsInt64) */
static bool as_int(const qty *q, int64_t *out)
{
	if (q->ex < 0)
		return false;
	if (q->n + (size_t)q->ex > 19)
		return false;
	__int128 x = 0;
	for (size_t i = 0; i < q->n; i++)
		x = x * 10 + (q->d[i] - '0');
	for (int64_t k = 0; k < q->ex; k++)
		x *= 10;
	x *= q->sign;
	if (x > INT64_MAX || x < INT64_MIN)
		return false;
	*out = (int64_t)x;
	return true;
}

TC_CEL_K8S_FN(tc_cel_k8s_quantity)
{
	if (n != 1 || v[0]->kind != TC_CEL_STRING)
		return NULL;
	tc_cel_val *q = tc_cel_quantity_parse(c->a, v[0]->u.s.ptr, v[0]->u.s.len);
	return q ? q
	         : tc_cel_error(c->a, "quantities must match the regular expression "
	                              "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
}

TC_CEL_K8S_FN(tc_cel_k8s_is_quantity)
{
	if (n != 1 || v[0]->kind != TC_CEL_STRING)
		return NULL;
	qty q;
	return tc_cel_bool(c->a, parse(c->a, v[0]->u.s.ptr, v[0]->u.s.len, &q));
}

TC_CEL_K8S_FN(tc_cel_k8s_q_sign)
{
	const qty *q = n == 1 ? as_q(v[0]) : NULL;
	return q ? tc_cel_int(c->a, q->sign) : NULL;
}

static tc_cel_val *rel(tc_cel_ctx *c, tc_cel_val **v, size_t n, int which)
{
	const qty *a = n == 2 ? as_q(v[0]) : NULL, *b = n == 2 ? as_q(v[1]) : NULL;
	if (!a || !b)
		return NULL;
	int r = qcmp(a, b);
	if (which == 0)
		return tc_cel_int(c->a, r);
	return tc_cel_bool(c->a, r == which);
}

TC_CEL_K8S_FN(tc_cel_k8s_q_is_greater)
{
	return rel(c, v, n, 1);
}

TC_CEL_K8S_FN(tc_cel_k8s_q_is_less)
{
	return rel(c, v, n, -1);
}

TC_CEL_K8S_FN(tc_cel_k8s_q_compare)
{
	return rel(c, v, n, 0);
}

TC_CEL_K8S_FN(tc_cel_k8s_q_float)
{
	const qty *q = n == 1 ? as_q(v[0]) : NULL;
	if (!q)
		return NULL;
	char *text = tc_arena_printf(c->a, "%s%.*se%lld", q->sign < 0 ? "-" : "", (int)q->n,
	                             q->n ? q->d : "0", (long long)q->ex);
	return tc_cel_double(c->a, strtod(text, NULL));
}

TC_CEL_K8S_FN(tc_cel_k8s_q_as_int)
{
	const qty *q = n == 1 ? as_q(v[0]) : NULL;
	if (!q)
		return NULL;
	int64_t x;
	if (!as_int(q, &x))
		return tc_cel_error(c->a, "cannot convert value to integer");
	return tc_cel_int(c->a, x);
}

TC_CEL_K8S_FN(tc_cel_k8s_q_is_int)
{
	const qty *q = n == 1 ? as_q(v[0]) : NULL;
	int64_t x;
	return q ? tc_cel_bool(c->a, as_int(q, &x)) : NULL;
}

/* q.add(q2), q.add(int), q.sub(...) */
static tc_cel_val *addsub(tc_cel_ctx *c, tc_cel_val **v, size_t n, int sign)
{
	const qty *a = n == 2 ? as_q(v[0]) : NULL;
	if (!a)
		return NULL;
	qty tmp;
	const qty *b = as_q(v[1]);
	if (!b && v[1]->kind == TC_CEL_INT) {
		char *digits = tc_arena_printf(c->a, "%lld", (long long)v[1]->u.i);
		if (!parse(c->a, digits, strlen(digits), &tmp))
			return NULL;
		b = &tmp;
	}
	if (!b)
		return NULL;
	qty r;
	if (!qadd(c->a, a, b, sign, &r))
		return tc_cel_error(c->a, "quantity out of range");
	return qval(c->a, r);
}

TC_CEL_K8S_FN(tc_cel_k8s_q_add)
{
	return addsub(c, v, n, 1);
}

TC_CEL_K8S_FN(tc_cel_k8s_q_sub)
{
	return addsub(c, v, n, -1);
}
