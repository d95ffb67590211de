/*
 * scalar.c - the rules for scalars shared by the YAML and JSON readers and
 * writers: what a plain YAML scalar means (YAML 1.2 core schema), whether a
 * string is well-formed UTF-8, how a double is written, and when a string
 * must be quoted so that every YAML reader sees a string.
 *
 * Nothing here allocates or keeps state. Number conversion uses strtod and
 * snprintf, which follow LC_NUMERIC only after setlocale; tenantc never calls
 * setlocale, so both always use '.' whatever the environment says.
 *
 * The resolver is strict (YAML 1.2 core); the quoting test is generous: it
 * quotes everything that YAML 1.1 (PyYAML, Go yaml.v2) or 1.2 (libyaml,
 * Go yaml.v3) might read as a non-string, and a few harmless extras (any
 * digit-led string made only of number-ish characters).
 */
#include "scalar.h"
#include "utf8.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool isdig(char c)
{
	return c >= '0' && c <= '9';
}

static bool ishex(char c)
{
	return isdig(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool eq(const char *s, size_t n, const char *lit)
{
	/* the first byte rules out almost every word without a strlen */
	if (n == 0 || s[0] != lit[0])
		return n == 0 && lit[0] == 0;
	size_t m = strlen(lit);
	return n == m && memcmp(s, lit, n) == 0;
}

static bool oneof(const char *s, size_t n, const char *const *list)
{
	for (; *list; list++)
		if (eq(s, n, *list))
			return true;
	return false;
}

int tc_scalar_parse_null(const char *s, size_t n)
{
	static const char *const words[] = {"~", "null", "Null", "NULL", NULL};
	return n == 0 || oneof(s, n, words) ? 0 : -1;
}

int tc_scalar_parse_bool(bool *out, const char *s, size_t n)
{
	static const char *const t[] = {"true", "True", "TRUE", NULL};
	static const char *const f[] = {"false", "False", "FALSE", NULL};
	if (oneof(s, n, t))
		*out = true;
	else if (oneof(s, n, f))
		*out = false;
	else
		return -1;
	return 0;
}

/* Kinds of integer text, told apart before the value is computed. */
enum intform { NOT_INT, INT_DEC, INT_OCT, INT_HEX };

/* int ::= [-+]? ( "0" | [1-9][0-9]* ) | "0o" [0-7]+ | "0x" [0-9a-fA-F]+ */
static enum intform intform(const char *s, size_t n)
{
	if (n > 2 && s[0] == '0' && s[1] == 'o') {
		for (size_t i = 2; i < n; i++)
			if (s[i] < '0' || s[i] > '7')
				return NOT_INT;
		return INT_OCT;
	}
	if (n > 2 && s[0] == '0' && s[1] == 'x') {
		for (size_t i = 2; i < n; i++)
			if (!ishex(s[i]))
				return NOT_INT;
		return INT_HEX;
	}
	size_t i = (n && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
	if (i == n)
		return NOT_INT;
	if (s[i] == '0' && n - i > 1)
		return NOT_INT; /* "0755": see tc_scalar_resolve */
	for (; i < n; i++)
		if (!isdig(s[i]))
			return NOT_INT;
	return INT_DEC;
}

/* Accumulate digits of base `base` into a magnitude; -1 past `limit`. */
static int accumulate(uint64_t *out, const char *s, size_t n, unsigned base, uint64_t limit)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		unsigned d = isdig(c)                 ? (unsigned)(c - '0')
		             : (c >= 'a' && c <= 'f') ? (unsigned)(c - 'a' + 10)
		                                      : (unsigned)(c - 'A' + 10);
		if (v > (limit - d) / base)
			return -1;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

static int intvalue(int64_t *out, const char *s, size_t n, enum intform form)
{
	uint64_t mag;
	switch (form) {
	case INT_OCT:
		if (accumulate(&mag, s + 2, n - 2, 8, INT64_MAX) < 0)
			return -1;
		*out = (int64_t)mag;
		return 0;
	case INT_HEX:
		if (accumulate(&mag, s + 2, n - 2, 16, INT64_MAX) < 0)
			return -1;
		*out = (int64_t)mag;
		return 0;
	case INT_DEC: {
		bool neg = s[0] == '-';
		size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
		uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
		if (accumulate(&mag, s + i, n - i, 10, limit) < 0)
			return -1;
		*out = neg ? (mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag)
		           : (int64_t)mag;
		return 0;
	}
	default:
		return -1;
	}
}

int tc_scalar_parse_int(int64_t *out, const char *s, size_t n)
{
	enum intform f = intform(s, n);
	return f == NOT_INT ? -1 : intvalue(out, s, n, f);
}

/* float ::= [-+]? ( "." [0-9]+ | [0-9]+ ( "." [0-9]* )? ) ( [eE] [-+]? [0-9]+ )? */
static bool isfloat(const char *s, size_t n)
{
	size_t i = 0;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	size_t digits = 0;
	while (i < n && isdig(s[i]))
		i++, digits++;
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && isdig(s[i]))
			i++, digits++;
	}
	if (digits == 0)
		return false;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		size_t e = 0;
		while (i < n && isdig(s[i]))
			i++, e++;
		if (e == 0)
			return false;
	}
	return i == n;
}

/* inf ::= [-+]? ".inf" | ".Inf" | ".INF";  nan ::= ".nan" | ".NaN" | ".NAN" */
static int special_float(double *out, const char *s, size_t n)
{
	static const char *const infs[] = {".inf", ".Inf", ".INF", NULL};
	static const char *const nans[] = {".nan", ".NaN", ".NAN", NULL};
	if (oneof(s, n, nans)) {
		*out = NAN;
		return 0;
	}
	size_t i = (n && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
	if (oneof(s + i, n - i, infs)) {
		*out = s[0] == '-' ? -INFINITY : INFINITY;
		return 0;
	}
	return -1;
}

/* strtod on validated text; -1 when the magnitude overflows. */
static int floatvalue(double *out, const char *s, size_t n)
{
	char small[64];
	char *tmp = n < sizeof small ? small : malloc(n + 1);
	if (!tmp)
		tc_oom();
	memcpy(tmp, s, n);
	tmp[n] = 0;
	errno = 0;
	double f = strtod(tmp, NULL);
	if (tmp != small)
		free(tmp);
	*out = f;
	return isinf(f) ? -1 : 0;
}

int tc_scalar_parse_float(double *out, const char *s, size_t n)
{
	if (special_float(out, s, n) == 0)
		return 0;
	if (isfloat(s, n))
		return floatvalue(out, s, n);
	int64_t i;
	enum intform f = intform(s, n);
	if (f == INT_OCT || f == INT_HEX) {
		if (intvalue(&i, s, n, f) < 0)
			return -1;
		*out = (double)i;
		return 0;
	}
	return -1;
}

int tc_scalar_resolve(tc_scalar *out, const char *s, size_t n)
{
	memset(out, 0, sizeof *out);
	out->kind = TC_STR;
	if (n == 0 || tc_scalar_parse_null(s, n) == 0) {
		out->kind = TC_NULL;
		return 0;
	}
	/* Only these first characters can start a non-string: skip the rest fast. */
	char c = s[0];
	if (!(isdig(c) || c == '-' || c == '+' || c == '.' || c == 'n' || c == 'N' || c == 't' ||
	      c == 'T' || c == 'f' || c == 'F'))
		return 0;
	if (tc_scalar_parse_bool(&out->b, s, n) == 0) {
		out->kind = TC_BOOL;
		return 0;
	}
	enum intform f = intform(s, n);
	if (f != NOT_INT) {
		out->kind = TC_INT;
		return intvalue(&out->i, s, n, f);
	}
	if (special_float(&out->f, s, n) == 0) {
		out->kind = TC_FLOAT;
		return 0;
	}
	if (isfloat(s, n)) {
		/* "0755" and "-01" fail intform but match the float grammar: they
		 * stay strings (YAML 1.1 reads them as octal). */
		size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
		bool lead0 = n - i > 1 && s[i] == '0' && isdig(s[i + 1]);
		bool intlike = true;
		for (size_t k = i; k < n; k++)
			if (!isdig(s[k]))
				intlike = false;
		if (lead0 && intlike)
			return 0;
		out->kind = TC_FLOAT;
		return floatvalue(&out->f, s, n);
	}
	return 0;
}

size_t tc_scalar_utf8_check(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		uint32_t cp;
		size_t k = tc_utf8_decode(u + i, n - i, &cp);
		if (!k)
			return i;
		i += k;
	}
	return n;
}

/* The shortest %.*e of f that reads back exactly (1 to 17 significant
 * digits), split into its digits (no trailing zeros) and exponent. */
static size_t shortest_digits(char digits[24], int *exp10, double f)
{
	char e[40];
	for (int prec = 0; prec <= 16; prec++) {
		snprintf(e, sizeof e, "%.*e", prec, f);
		if (strtod(e, NULL) == f)
			break;
	}
	/* e is "-d.ddde+XX" */
	const char *p = e + (e[0] == '-');
	size_t nd = 0;
	for (; *p && *p != 'e'; p++)
		if (isdig(*p))
			digits[nd++] = *p;
	*exp10 = (int)strtol(p + 1, NULL, 10);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	return nd;
}

/* d.ddd * 10^exp10 positionally (1e-4 <= |f| < 1e16), always with a '.' */
static char *positional(char *o, const char *digits, size_t nd, int exp10)
{
	if (exp10 < 0) {
		*o++ = '0';
		*o++ = '.';
		for (int z = -1; z > exp10; z--)
			*o++ = '0';
		memcpy(o, digits, nd);
		return o + nd;
	}
	size_t intd = (size_t)exp10 + 1;
	for (size_t i = 0; i < intd; i++)
		*o++ = i < nd ? digits[i] : '0';
	*o++ = '.';
	if (nd <= intd) {
		*o++ = '0';
		return o;
	}
	memcpy(o, digits + intd, nd - intd);
	return o + nd - intd;
}

/* d.ddde+XX, with at least one digit after the '.' */
static char *scientific(char *o, const char *out, const char *digits, size_t nd, int exp10)
{
	*o++ = digits[0];
	*o++ = '.';
	if (nd > 1) {
		memcpy(o, digits + 1, nd - 1);
		o += nd - 1;
	} else {
		*o++ = '0';
	}
	return o + snprintf(o, 32 - (size_t)(o - out), "e%c%02d", exp10 < 0 ? '-' : '+',
	                    exp10 < 0 ? -exp10 : exp10);
}

size_t tc_scalar_format_double(char out[32], double f)
{
	if (isnan(f))
		return (size_t)snprintf(out, 32, ".nan");
	if (isinf(f))
		return (size_t)snprintf(out, 32, f < 0 ? "-.inf" : ".inf");
	char digits[24];
	int exp10;
	size_t nd = shortest_digits(digits, &exp10, f);
	/* Lay out like Python's repr: positional for 1e-4 <= |f| < 1e16,
	 * otherwise d.ddd e+XX; always with a '.' so YAML 1.1 sees a float. */
	char *o = out;
	if (signbit(f))
		*o++ = '-';
	if (exp10 >= -4 && exp10 < 16) {
		o = positional(o, digits, nd, exp10);
		*o = 0;
	} else {
		o = scientific(o, out, digits, nd, exp10);
	}
	return (size_t)(o - out);
}

/* True for characters that YAML cannot hold unescaped, or that some
 * reader treats as a line break (NEL, LS, PS) or drops (BOM). */
static bool unprintable(uint32_t cp)
{
	if (cp == '\t')
		return true; /* printable in YAML, but PyYAML quotes it: so do we */
	if (cp < 0x20 || cp == 0x7F)
		return true;
	if (cp >= 0x80 && cp <= 0xA0)
		return cp != 0xA0;
	if (cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF || cp == 0xFFFE || cp == 0xFFFF)
		return true;
	return false;
}

/* Digit-led strings made only of these could be an int, float, octal,
 * hex, binary, sexagesimal or timestamp in some YAML reader. */
static bool numberish(const char *s, size_t n)
{
	size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
	if (i == n)
		return false;
	if (s[i] == '.') {
		static const char *const sp[] = {".inf", ".Inf", ".INF", ".nan",
		                                 ".NaN", ".NAN", NULL};
		if (oneof(s + i, n - i, sp))
			return true;
		if (i + 1 < n && isdig(s[i + 1]))
			i++;
		else
			return false;
	}
	if (!isdig(s[i]))
		return false;
	/* timestamps: YYYY-M... */
	if (n - i >= 6 && isdig(s[i + 1]) && isdig(s[i + 2]) && isdig(s[i + 3]) &&
	    s[i + 4] == '-' && isdig(s[i + 5]))
		return true;
	for (size_t k = i; k < n; k++) {
		char c = s[k];
		if (!(ishex(c) || c == '_' || c == ':' || c == '.' || c == '+' || c == '-' ||
		      c == 'x' || c == 'X' || c == 'o' || c == 'O'))
			return false;
	}
	return true;
}

/* an indicator first, a document marker, or a blank or ':' at either end */
static bool bad_edges(const char *s, size_t n)
{
	char c = s[0];
	if (strchr("[]{},#&*!|>'\"%@`", c))
		return true;
	if ((c == '-' || c == '?' || c == ':') && (n == 1 || s[1] == ' '))
		return true;
	if (n >= 3 && (memcmp(s, "---", 3) == 0 || memcmp(s, "...", 3) == 0))
		return true;
	return s[0] == ' ' || s[n - 1] == ' ' || s[n - 1] == ':';
}

/* an unprintable character, invalid UTF-8, ": " or " #" */
static bool bad_inside(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k;
		if (u[i] >= 0x20 && u[i] < 0x7f) { /* printable ASCII: no decoding */
			cp = u[i];
			k = 1;
		} else {
			k = tc_utf8_decode(u + i, n - i, &cp);
		}
		if (!k || unprintable(cp))
			return true;
		if (cp == ':' && i + 1 < n && s[i + 1] == ' ')
			return true;
		if (cp == '#' && i > 0 && s[i - 1] == ' ')
			return true;
		i += k;
	}
	return false;
}

/* The words some YAML reader takes for a bool, a null or a merge key,
 * by length (the longest is "False"). */
static bool keyword(const char *s, size_t n)
{
	static const char *const words[6][11] = {
		{NULL},
		{"y", "Y", "n", "N", "~", "=", NULL},
		{"no", "No", "NO", "on", "On", "ON", "<<", NULL},
		{"yes", "Yes", "YES", "off", "Off", "OFF", NULL},
		{"true", "True", "TRUE", "null", "Null", "NULL", NULL},
		{"false", "False", "FALSE", NULL},
	};
	if (n == 0 || n > 5)
		return false;
	for (const char *const *w = words[n]; *w; w++)
		if (s[0] == (*w)[0] && memcmp(s, *w, n) == 0)
			return true;
	return false;
}

/* 1 for the bytes a plain scalar may hold whatever their neighbours:
 * printable ASCII but '#' and ':' (which matter next to a blank). */
static const unsigned char plain_byte[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
};

static bool isletter(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The common case in one pass: a string that starts with a letter and
 * holds only printable ASCII but ':' and '#', and does not end in a
 * blank. No reader takes such a string for a number (no digit, sign or
 * '.' first), it has no indicator at either end and nothing inside that
 * depends on a neighbour (": ", " #"), so it needs quotes exactly when it
 * is one of the words. Returns 1 (quote), 0 (plain) or -1 when the string
 * is not of that form and the full test must decide. */
static int letter_led(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	if (!isletter(u[0]) || u[n - 1] == ' ')
		return -1;
	for (size_t i = 1; i < n; i++)
		if (!plain_byte[u[i]])
			return -1;
	return keyword(s, n);
}

bool tc_scalar_needs_quotes(const char *s, size_t n)
{
	if (n == 0)
		return true;
	int fast = letter_led(s, n);
	if (fast >= 0)
		return fast;
	if (keyword(s, n))
		return true;
	tc_scalar r;
	if (tc_scalar_resolve(&r, s, n) < 0 || r.kind != TC_STR)
		return true;
	if (numberish(s, n))
		return true;
	return bad_edges(s, n) || bad_inside(s, n);
}
