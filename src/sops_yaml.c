/*
 * sops_yaml.c - ordered YAML trees with yaml.v3 typing, for SOPS files.
 *
 * yaml_load.c is the boundary to libyaml for tc_value; this file is the
 * second, narrower one, because SOPS needs what tc_value deliberately
 * drops: the order of mapping entries (the MAC is over values in file
 * order) and the types of Go's yaml.v3 rather than YAML 1.2 core (the MAC
 * of a clear `0755` is "493"). It reads events with the same discipline as
 * yaml_load.c (event API, our own depth and node limits, marks made 1-based
 * here) and writes trees in the layout sops uses.
 *
 * Typing follows yaml.v3's resolve(): a plain scalar is looked up in a
 * small table (true, ~, .inf, ...), and otherwise, by its first character,
 * tried as a timestamp, an int64 (Go ParseInt with base prefixes and
 * legacy octal, underscores removed), a uint64 (which sops cannot handle:
 * an error here), a YAML-style float, or left a string. Quoted and block
 * scalars are strings; the core tags force a type.
 *
 * Writing chooses, for every scalar, a form yaml.v3 reads back as the same
 * type and value: strings are plain only when they match
 * [A-Za-z_/][A-Za-z0-9_./-]* and are not y/n/yes/no/on/off/true/false/null
 * in any case (or are ENC[...] values); everything else is double quoted,
 * or a literal block where asked for and possible. Floats always show a
 * '.' so they cannot read back as ints. Nothing is folded.
 */
#include "sops_yaml.h"

#include "utf8.h"
#include "value.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define TAG_PREFIX "tag:yaml.org,2002:"

/* ---- nodes --------------------------------------------------------------------------------- */

tc_snode *tc_snode_new(tc_arena *a, tc_snode_kind kind, tc_pos pos)
{
	tc_snode *n = tc_arena_calloc(a, sizeof *n);
	n->kind = kind;
	n->pos = pos;
	n->text = "";
	return n;
}

tc_snode *tc_snode_str(tc_arena *a, const char *s, size_t len, tc_pos pos)
{
	tc_snode *n = tc_snode_new(a, TC_SN_SCALAR, pos);
	n->text = s;
	n->len = len;
	n->type = TC_ST_STR;
	return n;
}

tc_sentry *tc_snode_get(const tc_snode *map, const char *key)
{
	if (!map || map->kind != TC_SN_MAP)
		return NULL;
	size_t kn = strlen(key);
	for (size_t i = 0; i < map->n; i++)
		if (map->entries[i].klen == kn && memcmp(map->entries[i].key, key, kn) == 0)
			return &map->entries[i];
	return NULL;
}

/* ---- Go number parsing (strconv) ----------------------------------------------------------- */

static int digitval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

/* base 0: the base that 0b, 0o, 0x or a leading 0 (octal) give, the prefix skipped */
static int go_base(const char **s, size_t *n)
{
	if ((*s)[0] != '0')
		return 10;
	char c = *n >= 3 ? (char)((*s)[1] | 0x20) : 0;
	if (c == 'b' || c == 'o' || c == 'x') {
		*s += 2;
		*n -= 2;
		return c == 'b' ? 2 : c == 'o' ? 8 : 16;
	}
	(*s)++;
	(*n)--;
	return 8;
}

/* strconv.ParseUint(s, base, 64); base 0 reads 0b/0o/0x prefixes and a
 * leading 0 as octal. */
static bool go_parse_uint(uint64_t *out, const char *s, size_t n, int base)
{
	if (n == 0)
		return false;
	if (base == 0)
		base = go_base(&s, &n);
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		int d = digitval(s[i]);
		if (d >= base)
			return false;
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return false;
		v = v * (uint64_t)base + (uint64_t)d;
	}
	*out = v;
	return true;
}

/* strconv.ParseInt(s, base, 64) */
static bool go_parse_int(int64_t *out, const char *s, size_t n, int base)
{
	bool neg = false;
	if (n && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		s++;
		n--;
	}
	uint64_t u;
	if (!go_parse_uint(&u, s, n, base))
		return false;
	if (!neg && u > (uint64_t)INT64_MAX)
		return false;
	if (neg && u > (uint64_t)INT64_MAX + 1)
		return false;
	*out = neg ? (int64_t)(0 - u) : (int64_t)u;
	return true;
}

/* the end of the digits of s from i; *count of them */
static size_t digits_end(const char *s, size_t n, size_t i, size_t *count)
{
	size_t k = i;
	while (k < n && s[k] >= '0' && s[k] <= '9')
		k++;
	*count = k - i;
	return k;
}

/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool yaml_style_float(const char *s, size_t n)
{
	size_t i = 0, d;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	if (i < n && s[i] == '.') {
		i = digits_end(s, n, i + 1, &d);
		if (!d)
			return false;
	} else {
		i = digits_end(s, n, i, &d);
		if (!d)
			return false;
		if (i < n && s[i] == '.')
			i = digits_end(s, n, i + 1, &d);
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		i = digits_end(s, n, i, &d);
		if (!d)
			return false;
	}
	return i == n;
}

/* strconv.ParseFloat for decimal text: an overflow is an error, as in Go. */
static bool go_parse_float(double *out, const char *s, size_t n)
{
	char buf[128];
	if (n == 0 || n >= sizeof buf)
		return false;
	memcpy(buf, s, n);
	buf[n] = 0;
	for (size_t i = 0; i < n; i++) /* decimal only: no hex floats, inf or nan words */
		if (!strchr("0123456789+-.eE", buf[i]))
			return false;
	char *end;
	errno = 0;
	double f = strtod(buf, &end);
	if (end != buf + n || isinf(f))
		return false;
	*out = f;
	return true;
}

/* ---- timestamps ---------------------------------------------------------------------------- */

/* Go's getnum: one digit, or two when the second is a digit (fixed: exactly two). */
static bool getnum(int *out, const char *s, size_t n, size_t *i, bool fixed)
{
	if (*i >= n || s[*i] < '0' || s[*i] > '9')
		return false;
	if (*i + 1 >= n || s[*i + 1] < '0' || s[*i + 1] > '9') {
		if (fixed)
			return false;
		*out = s[*i] - '0';
		*i += 1;
		return true;
	}
	*out = (s[*i] - '0') * 10 + (s[*i + 1] - '0');
	*i += 2;
	return true;
}

static bool lit(const char *s, size_t n, size_t *i, char c)
{
	if (*i < n && s[*i] == c) {
		(*i)++;
		return true;
	}
	return false;
}

/* ".123" or ",123" after the seconds; nanoseconds, digits past nine cut. */
static void fraction(int32_t *nsec, const char *s, size_t n, size_t *i)
{
	if (*i + 1 >= n || (s[*i] != '.' && s[*i] != ',') || s[*i + 1] < '0' || s[*i + 1] > '9')
		return;
	(*i)++;
	int32_t v = 0;
	int k = 0;
	while (*i < n && s[*i] >= '0' && s[*i] <= '9') {
		if (k < 9) {
			v = v * 10 + (s[*i] - '0');
			k++;
		}
		(*i)++;
	}
	while (k++ < 9)
		v *= 10;
	*nsec = v;
}

/* "Z" or "+hh:mm" / "-hh:mm" */
static bool zone(int32_t *off, const char *s, size_t n, size_t *i)
{
	if (lit(s, n, i, 'Z')) {
		*off = 0;
		return true;
	}
	if (*i >= n || (s[*i] != '+' && s[*i] != '-'))
		return false;
	int sign = s[*i] == '-' ? -1 : 1;
	(*i)++;
	int hh, mm;
	if (!getnum(&hh, s, n, i, true) || !lit(s, n, i, ':') || !getnum(&mm, s, n, i, true) ||
	    hh > 24 || mm > 60)
		return false;
	*off = sign * (hh * 3600 + mm * 60);
	return true;
}

static bool valid_date(const tc_stime *t)
{
	return t->month >= 1 && t->month <= 12 && t->day >= 1 &&
	       t->day <= tc_time_days_in_month(t->year, t->month) && t->hour < 24 && t->min < 60 &&
	       t->sec < 60;
}

static bool year4(int *out, const char *s, size_t n, size_t *i)
{
	if (*i + 4 > n)
		return false;
	int y = 0;
	for (int k = 0; k < 4; k++) {
		char c = s[*i + (size_t)k];
		if (c < '0' || c > '9')
			return false;
		y = y * 10 + (c - '0');
	}
	*i += 4;
	*out = y;
	return true;
}

/* yaml.v3's parseTimestamp: "2006-1-2T15:4:5.999999999Z07:00" (T or t),
 * "2006-1-2 15:4:5.999999999" (UTC) or "2006-1-2" (UTC midnight). */
static bool parse_timestamp(tc_stime *t, const char *s, size_t n)
{
	size_t i = 0;
	memset(t, 0, sizeof *t);
	if (!year4(&t->year, s, n, &i) || !lit(s, n, &i, '-') ||
	    !getnum(&t->month, s, n, &i, false) || !lit(s, n, &i, '-') ||
	    !getnum(&t->day, s, n, &i, false))
		return false;
	if (i == n)
		return valid_date(t);
	bool tee = s[i] == 'T' || s[i] == 't';
	if (!tee && s[i] != ' ')
		return false;
	i++;
	if (!getnum(&t->hour, s, n, &i, false) || !lit(s, n, &i, ':') ||
	    !getnum(&t->min, s, n, &i, false) || !lit(s, n, &i, ':') ||
	    !getnum(&t->sec, s, n, &i, false))
		return false;
	fraction(&t->nsec, s, n, &i);
	if (tee && !zone(&t->offset, s, n, &i))
		return false;
	return i == n && valid_date(t);
}

int tc_sops_parse_rfc3339(tc_stime *t, const char *s, size_t n)
{
	return tc_time_parse_rfc3339(t, s, n, TC_RFC3339_GO) ? 0 : -1;
}

static size_t put_zone(char *buf, size_t cap, size_t o, int32_t off)
{
	if (off == 0)
		return o + (size_t)snprintf(buf + o, cap - o, "Z");
	char sign = off < 0 ? '-' : '+';
	int32_t a = off < 0 ? -off : off;
	return o + (size_t)snprintf(buf + o, cap - o, "%c%02d:%02d", sign, (int)(a / 3600),
	                            (int)(a / 60 % 60));
}

size_t tc_sops_rfc3339(char *buf, size_t cap, const tc_stime *t)
{
	size_t o = (size_t)snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d", t->year, t->month,
	                            t->day, t->hour, t->min, t->sec);
	return o < cap ? put_zone(buf, cap, o, t->offset) : o;
}

size_t tc_sops_go_time(char *buf, size_t cap, const tc_stime *t)
{
	size_t o = (size_t)snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d", t->year, t->month,
	                            t->day, t->hour, t->min, t->sec);
	if (t->nsec && o < cap) {
		char frac[16];
		snprintf(frac, sizeof frac, "%09" PRId32, t->nsec);
		size_t k = 9;
		while (k > 0 && frac[k - 1] == '0')
			k--;
		frac[k] = 0;
		o += (size_t)snprintf(buf + o, cap - o, ".%s", frac);
	}
	return o < cap ? put_zone(buf, cap, o, t->offset) : o;
}

/* ---- Go number formatting ------------------------------------------------------------------ */

/* the shortest %e digits of |f| that read back as f (no trailing zeros) and
 * the decimal exponent of the first */
static size_t go_digits(char *digits, int *exp, double f)
{
	char e[40];
	for (int p = 0; p < 17; p++) {
		snprintf(e, sizeof e, "%.*e", p, f);
		if (strtod(e, NULL) == f)
			break;
	}
	const char *s = e + (e[0] == '-');
	size_t nd = 0;
	for (; *s && *s != 'e'; s++)
		if (*s >= '0' && *s <= '9')
			digits[nd++] = *s;
	*exp = *s == 'e' ? (int)strtol(s + 1, NULL, 10) : 0;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	if (nd == 1 && digits[0] == '0')
		*exp = 0;
	return nd;
}

/* d.ddd * 10^exp without an exponent, as strconv.FormatFloat(f, 'f', -1, 64) */
static void go_place(tc_buf *b, const char *digits, size_t nd, int exp)
{
	if (exp < 0) {
		tc_buf_adds(b, "0.");
		for (int i = 0; i < -exp - 1; i++)
			tc_buf_addc(b, '0');
		tc_buf_add(b, digits, nd);
		return;
	}
	for (int i = 0; i <= exp; i++)
		tc_buf_addc(b, (size_t)i < nd ? digits[i] : '0');
	if ((size_t)exp + 1 < nd) {
		tc_buf_addc(b, '.');
		tc_buf_add(b, digits + exp + 1, nd - (size_t)exp - 1);
	}
}

size_t tc_sops_go_float(char *buf, size_t cap, double f)
{
	if (isnan(f))
		return (size_t)snprintf(buf, cap, "NaN");
	if (isinf(f))
		return (size_t)snprintf(buf, cap, f > 0 ? "+Inf" : "-Inf");
	/* the shortest %e form that reads back as f, then moved into place */
	char digits[24];
	int exp;
	size_t nd = go_digits(digits, &exp, f);
	tc_buf b;
	tc_buf_init(&b, 512);
	if (signbit(f))
		tc_buf_addc(&b, '-');
	go_place(&b, digits, nd, exp);
	size_t n = (size_t)snprintf(buf, cap, "%s", tc_buf_str(&b));
	tc_buf_release(&b);
	return n;
}

size_t tc_sops_yaml_macbytes(const char **out, char *buf, const tc_snode *sc)
{
	*out = buf;
	switch (sc->type) {
	case TC_ST_NULL:
		*out = NULL;
		return 0;
	case TC_ST_STR:
		*out = sc->text;
		return sc->len;
	case TC_ST_BOOL:
		return (size_t)snprintf(buf, TC_SOPS_FMT_BUF, "%s", sc->v.b ? "True" : "False");
	case TC_ST_INT:
		return (size_t)snprintf(buf, TC_SOPS_FMT_BUF, "%" PRId64, sc->v.i);
	case TC_ST_FLOAT:
		return tc_sops_go_float(buf, TC_SOPS_FMT_BUF, sc->v.f);
	case TC_ST_TIME:
		return tc_sops_go_time(buf, TC_SOPS_FMT_BUF, &sc->v.t);
	}
	return 0;
}

/* ---- yaml.v3 resolve ----------------------------------------------------------------------- */

static bool eq(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && memcmp(s, w, n) == 0;
}

static bool any_of(const char *s, size_t n, const char *const *words)
{
	for (; *words; words++)
		if (eq(s, n, *words))
			return true;
	return false;
}

/* The table lookup of resolve(): 1 when found. */
static int table(tc_stype *type, tc_snode *o, const char *s, size_t n)
{
	static const char *const t[] = {"true", "True", "TRUE", NULL};
	static const char *const f[] = {"false", "False", "FALSE", NULL};
	static const char *const nul[] = {"", "~", "null", "Null", "NULL", NULL};
	static const char *const nan[] = {".nan", ".NaN", ".NAN", NULL};
	static const char *const inf[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", NULL};
	static const char *const ninf[] = {"-.inf", "-.Inf", "-.INF", NULL};
	if (any_of(s, n, t) || any_of(s, n, f)) {
		*type = TC_ST_BOOL;
		o->v.b = any_of(s, n, t);
	} else if (any_of(s, n, nul)) {
		*type = TC_ST_NULL;
	} else if (any_of(s, n, nan)) {
		*type = TC_ST_FLOAT;
		o->v.f = NAN;
	} else if (any_of(s, n, inf) || any_of(s, n, ninf)) {
		*type = TC_ST_FLOAT;
		o->v.f = any_of(s, n, inf) ? INFINITY : -INFINITY;
	} else {
		return 0;
	}
	return 1;
}

/* Resolve the text as a number or timestamp (first character a digit or
 * a sign). 1 when it is one, 0 when it stays a string, -1 for a uint64. */
static int number(tc_stype *type, tc_snode *o, const char *s, size_t n, bool try_time)
{
	if (try_time && parse_timestamp(&o->v.t, s, n)) {
		*type = TC_ST_TIME;
		return 1;
	}
	char plain[128];
	size_t pn = 0;
	if (n >= sizeof plain)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] != '_')
			plain[pn++] = s[i];
	plain[pn] = 0;
	uint64_t u;
	if (go_parse_int(&o->v.i, plain, pn, 0)) {
		*type = TC_ST_INT;
		return 1;
	}
	if (go_parse_uint(&u, plain, pn, 0))
		return -1;
	if (yaml_style_float(plain, pn) && go_parse_float(&o->v.f, plain, pn)) {
		*type = TC_ST_FLOAT;
		return 1;
	}
	bool neg = pn > 0 && plain[0] == '-';
	const char *p = plain + (neg ? 1 : 0);
	size_t k = pn - (neg ? 1 : 0);
	if (k >= 2 && p[0] == '0' && (p[1] == 'b' || p[1] == 'o')) {
		int base = p[1] == 'b' ? 2 : 8;
		char tmp[130];
		snprintf(tmp, sizeof tmp, "%s%.*s", neg ? "-" : "", (int)(k - 2), p + 2);
		if (go_parse_int(&o->v.i, tmp, strlen(tmp), base)) {
			*type = TC_ST_INT;
			return 1;
		}
		if (!neg && go_parse_uint(&u, p + 2, k - 2, base))
			return -1;
	}
	return 0;
}

/* the type of a plain (or non-string tagged) scalar by yaml.v3's rules */
static int resolve_untagged(tc_stype *type, tc_snode *o, const char *s, size_t n, const char *tag)
{
	unsigned char c = n ? (unsigned char)s[0] : 'N';
	bool hint = n == 0 || strchr("+-0123456789yYnNtTfFoO~.", c) != NULL;
	if (!hint || !c || table(type, o, s, n))
		return 0;
	if (c == '.') {
		if (yaml_style_float(s, n) && go_parse_float(&o->v.f, s, n))
			*type = TC_ST_FLOAT;
	} else if (c == '+' || c == '-' || (c >= '0' && c <= '9')) {
		if (number(type, o, s, n, !tag || strcmp(tag, "!!timestamp") == 0) < 0)
			return -1;
	}
	return 0;
}

/* a tag accepts the resolved type; an int is a float when !!float asks */
static int check_tag(tc_stype *type, tc_snode *o, const char *tag)
{
	static const struct {
		const char *tag;
		tc_stype type;
	} want[] = {{"!!bool", TC_ST_BOOL},
	            {"!!int", TC_ST_INT},
	            {"!!float", TC_ST_FLOAT},
	            {"!!null", TC_ST_NULL},
	            {"!!timestamp", TC_ST_TIME}};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		if (strcmp(tag, want[i].tag) != 0)
			continue;
		if (*type == want[i].type)
			return 0;
		if (want[i].type == TC_ST_FLOAT && *type == TC_ST_INT) {
			o->v.f = (double)o->v.i;
			*type = TC_ST_FLOAT;
			return 0;
		}
		return -1;
	}
	return -1; /* a tag we do not know */
}

int tc_sops_yaml_resolve(tc_stype *type, tc_snode *o, const char *s, size_t n, const char *tag)
{
	*type = TC_ST_STR;
	if (tag && strcmp(tag, "!!str") == 0)
		return 0;
	if (resolve_untagged(type, o, s, n, tag) != 0)
		return -1;
	return tag ? check_tag(type, o, tag) : 0;
}

/* ---- reader -------------------------------------------------------------------------------- */

typedef struct reader {
	yaml_parser_t parser;
	yaml_event_t ev;
	bool have_ev;
	tc_arena *a;
	tc_secmem *sm;
	tc_diags *d;
	const char *file;
	unsigned flags;
	size_t nodes;
} reader;

static tc_pos mark(const reader *R, yaml_mark_t m)
{
	return (tc_pos){R->file, (uint32_t)m.line + 1, (uint32_t)m.column + 1};
}

static void drop_event(reader *R)
{
	if (!R->have_ev)
		return;
	if (R->sm && R->ev.type == YAML_SCALAR_EVENT && R->ev.data.scalar.value)
		sodium_memzero(R->ev.data.scalar.value, R->ev.data.scalar.length);
	yaml_event_delete(&R->ev);
	R->have_ev = false;
}

static int next(reader *R)
{
	drop_event(R);
	if (!yaml_parser_parse(&R->parser, &R->ev)) {
		const char *ctx = R->parser.context;
		if (ctx)
			return tc_error(R->d, mark(R, R->parser.problem_mark), NULL,
			                "invalid YAML: %s %s",
			                R->parser.problem ? R->parser.problem : "", ctx);
		return tc_error(R->d, mark(R, R->parser.problem_mark), NULL, "invalid YAML: %s",
		                R->parser.problem ? R->parser.problem : "syntax error");
	}
	R->have_ev = true;
	return 0;
}

/* "tag:yaml.org,2002:int" -> "!!int"; NULL for no tag; "!" is a string. */
static const char *short_tag(const char *tag)
{
	if (!tag)
		return NULL;
	if (strcmp(tag, "!") == 0)
		return "!!str";
	if (strncmp(tag, TAG_PREFIX, strlen(TAG_PREFIX)) == 0) {
		static const char *const known[] = {"!!str",  "!!int",       "!!float", "!!bool",
		                                    "!!null", "!!timestamp", "!!map",   "!!seq"};
		const char *rest = tag + strlen(TAG_PREFIX);
		for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
			if (strcmp(rest, known[i] + 2) == 0)
				return known[i];
	}
	return tag;
}

/* The size bytes of a growing array at p, copied into the reader's arena. */
static void *keep_array(reader *R, const void *p, size_t size)
{
	void *q = tc_arena_alloc(R->a, size);
	if (size)
		memcpy(q, p, size);
	return q;
}

static int node(reader *R, tc_snode **out, size_t depth);

static int scalar(reader *R, tc_snode **out)
{
	yaml_event_t *e = &R->ev;
	tc_pos pos = mark(R, e->start_mark);
	const char *text = (const char *)e->data.scalar.value;
	size_t len = e->data.scalar.length;
	tc_snode *n = tc_snode_new(R->a, TC_SN_SCALAR, pos);
	n->text = R->sm ? tc_secmem_memdup0(R->sm, text, len) : tc_arena_memdup0(R->a, text, len);
	n->len = len;
	n->type = TC_ST_STR;
	const char *tag = short_tag((const char *)e->data.scalar.tag);
	bool plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	if (tag && (strcmp(tag, "!!map") == 0 || strcmp(tag, "!!seq") == 0) &&
	    !(R->flags & TC_SYR_LENIENT))
		return tc_error(R->d, pos, NULL, "tag '%s' does not fit a scalar", tag);
	if (plain || (tag && strcmp(tag, "!!str") != 0)) {
		if (tc_sops_yaml_resolve(&n->type, n, text, len, tag) != 0) {
			n->type = TC_ST_STR;
			if (R->flags & TC_SYR_LENIENT)
				goto done;
			if (tag && tag[0] == '!' && tag[1] != '!')
				return tc_error(R->d, pos, NULL, "unsupported tag '%s'", tag);
			if (tag && strncmp(tag, "!!", 2) != 0)
				return tc_error(R->d, pos, NULL, "unsupported tag '%s'", tag);
			if (tag)
				return tc_error(R->d, pos, NULL, "scalar cannot be decoded as %s",
				                tag);
			return tc_error(R->d, pos, NULL,
			                "integer out of the int64 range (sops cannot process it)");
		}
	}
done:
	*out = n;
	return 0;
}

static int keycmp(const void *x, const void *y)
{
	const tc_sentry *a = *(tc_sentry *const *)x, *b = *(tc_sentry *const *)y;
	int c = tc_bytes_cmp(a->key, a->klen, b->key, b->klen);
	if (c)
		return c;
	return a < b ? -1 : a > b;
}

/* key node: the key must be a string unless lenient */
static int mapping_entry(reader *R, tc_sentry *e, size_t depth)
{
	tc_snode *k = NULL, *v = NULL;
	if (node(R, &k, depth + 1))
		return -1;
	if (!(R->flags & TC_SYR_LENIENT) && (k->kind != TC_SN_SCALAR || k->type != TC_ST_STR))
		return tc_error(R->d, k->pos, NULL,
		                "mapping key is not a string (quote keys that look like numbers, "
		                "booleans, nulls or dates)");
	if (next(R) || node(R, &v, depth + 1))
		return -1;
	*e = (tc_sentry){k->kind == TC_SN_SCALAR ? k->text : "",
	                 k->kind == TC_SN_SCALAR ? k->len : 0, k->pos, v};
	return 0;
}

/* the first key that is there twice, reported at its second place */
static int check_duplicates(reader *R, const tc_snode *m)
{
	size_t n = m->n;
	tc_sentry **idx = tc_xmalloc(n * sizeof *idx);
	for (size_t i = 0; i < n; i++)
		idx[i] = &m->entries[i];
	qsort(idx, n, sizeof *idx, keycmp);
	int rc = 0;
	for (size_t i = 1; i < n && rc == 0; i++)
		if (!tc_bytes_cmp(idx[i - 1]->key, idx[i - 1]->klen, idx[i]->key, idx[i]->klen))
			rc = tc_error(R->d, idx[i]->kpos, NULL,
			              "duplicate key (first at line %" PRIu32 ")",
			              idx[i - 1]->kpos.line);
	free(idx);
	return rc;
}

/* mapping = MAPPING-START (key node)* MAPPING-END */
static int mapping(reader *R, tc_snode **out, size_t depth)
{
	tc_snode *m = tc_snode_new(R->a, TC_SN_MAP, mark(R, R->ev.start_mark));
	tc_sentry *ents = NULL;
	size_t n = 0, cap = 0;
	int rc = -1;
	for (;;) {
		tc_sentry e;
		if (next(R))
			goto out;
		if (R->ev.type == YAML_MAPPING_END_EVENT)
			break;
		if (mapping_entry(R, &e, depth))
			goto out;
		TC_GROW(ents, cap, n + 1);
		ents[n++] = e;
	}
	m->entries = keep_array(R, ents, n * sizeof *ents);
	m->n = n;
	if (!(R->flags & TC_SYR_LENIENT) && n > 1 && check_duplicates(R, m))
		goto out;
	*out = m;
	rc = 0;
out:
	free(ents);
	return rc;
}

/* sequence = SEQUENCE-START node* SEQUENCE-END */
static int sequence(reader *R, tc_snode **out, size_t depth)
{
	tc_snode *s = tc_snode_new(R->a, TC_SN_SEQ, mark(R, R->ev.start_mark));
	tc_snode **items = NULL;
	size_t n = 0, cap = 0;
	int rc = -1;
	for (;;) {
		if (next(R))
			goto out;
		if (R->ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		tc_snode *v = NULL;
		if (node(R, &v, depth + 1))
			goto out;
		TC_GROW(items, cap, n + 1);
		items[n++] = v;
	}
	s->items = keep_array(R, items, n * sizeof *items);
	s->n = n;
	*out = s;
	rc = 0;
out:
	free(items);
	return rc;
}

/* node = ALIAS | SCALAR | sequence | mapping */
static int node(reader *R, tc_snode **out, size_t depth)
{
	tc_pos pos = mark(R, R->ev.start_mark);
	if (depth > TC_SOPS_YAML_MAX_DEPTH)
		return tc_error(R->d, pos, NULL, "nested deeper than %d levels",
		                TC_SOPS_YAML_MAX_DEPTH);
	if (++R->nodes > TC_SOPS_YAML_MAX_NODES)
		return tc_error(R->d, pos, NULL, "more than %zu nodes", TC_SOPS_YAML_MAX_NODES);
	switch (R->ev.type) {
	case YAML_ALIAS_EVENT:
		if (!(R->flags & TC_SYR_LENIENT))
			return tc_error(R->d, pos, NULL, "aliases are not supported in SOPS files");
		*out = tc_snode_new(R->a, TC_SN_SCALAR, pos);
		(*out)->type = TC_ST_NULL;
		return 0;
	case YAML_SCALAR_EVENT:
		return scalar(R, out);
	case YAML_SEQUENCE_START_EVENT: {
		const char *tag = short_tag((const char *)R->ev.data.sequence_start.tag);
		if (tag && strcmp(tag, "!!seq") != 0 && !(R->flags & TC_SYR_LENIENT))
			return tc_error(R->d, pos, NULL, "unsupported tag '%s'", tag);
		return sequence(R, out, depth);
	}
	case YAML_MAPPING_START_EVENT: {
		const char *tag = short_tag((const char *)R->ev.data.mapping_start.tag);
		if (tag && strcmp(tag, "!!map") != 0 && !(R->flags & TC_SYR_LENIENT))
			return tc_error(R->d, pos, NULL, "unsupported tag '%s'", tag);
		return mapping(R, out, depth);
	}
	default:
		return tc_error(R->d, pos, NULL, "unexpected YAML event");
	}
}

/* the parser's copies of the text, which may be plaintext */
static void wipe_parser(yaml_parser_t *p)
{
	if (p->buffer.start)
		sodium_memzero(p->buffer.start, (size_t)(p->buffer.end - p->buffer.start));
	if (p->raw_buffer.start)
		sodium_memzero(p->raw_buffer.start,
		               (size_t)(p->raw_buffer.end - p->raw_buffer.start));
}

/* document = DOCUMENT-START [ node ] DOCUMENT-END; an empty one is null */
static int document(reader *R, tc_snode **root)
{
	tc_pos dpos = mark(R, R->ev.start_mark);
	if (next(R))
		return -1;
	if (R->ev.type == YAML_DOCUMENT_END_EVENT) {
		*root = tc_snode_new(R->a, TC_SN_SCALAR, dpos);
		(*root)->type = TC_ST_NULL;
		return 0;
	}
	R->nodes = 0;
	return node(R, root, 0) || next(R) ? -1 : 0;
}

/* stream = STREAM-START document* STREAM-END, the documents into the arena */
static int stream(reader *R, tc_snode ***docs, size_t *ndocs)
{
	tc_snode **out = NULL;
	size_t n = 0, cap = 0;
	int rc = -1;
	if (next(R) || R->ev.type != YAML_STREAM_START_EVENT)
		goto out;
	for (;;) {
		if (next(R))
			goto out;
		if (R->ev.type == YAML_STREAM_END_EVENT)
			break;
		tc_snode *root = NULL;
		if (document(R, &root))
			goto out;
		TC_GROW(out, cap, n + 1);
		out[n++] = root;
	}
	*docs = keep_array(R, out, n * sizeof *out);
	*ndocs = n;
	rc = 0;
out:
	free(out);
	return rc;
}

int tc_sops_yaml_read(tc_snode ***docs, size_t *ndocs, tc_arena *a, tc_secmem *text_mem,
                      tc_diags *d, const char *file, const char *data, size_t len, unsigned flags)
{
	if (len > TC_SOPS_YAML_MAX_BYTES)
		return tc_error(d, (tc_pos){file, 1, 1}, NULL, "file is larger than %zu bytes",
		                TC_SOPS_YAML_MAX_BYTES);
	reader R = {.a = a, .sm = text_mem, .d = d, .file = file, .flags = flags};
	if (!yaml_parser_initialize(&R.parser))
		tc_oom();
	yaml_parser_set_input_string(&R.parser, (const unsigned char *)data, len);
	yaml_parser_set_encoding(&R.parser, YAML_UTF8_ENCODING);
	int rc = stream(&R, docs, ndocs);
	drop_event(&R);
	if (text_mem)
		wipe_parser(&R.parser);
	yaml_parser_delete(&R.parser);
	return rc;
}

/* ---- writer -------------------------------------------------------------------------------- */

#define INDENT 4

static bool utf8_ok(const char *s, size_t n)
{
	uint32_t cp;
	for (size_t i = 0; i < n;) {
		size_t k = tc_utf8_decode((const unsigned char *)s + i, n - i, &cp);
		if (!k)
			return false;
		i += k;
	}
	return true;
}

/* Code points that YAML treats as breaks or that libyaml will not read raw. */
static bool needs_escape(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 ||
	       cp == 0x2029 || cp == 0xfeff || cp == 0xfffe || cp == 0xffff;
}

static bool safe_plain(const char *s, size_t n)
{
	static const char *const words[] = {"y",   "n",    "yes",   "no",   "on",
	                                    "off", "true", "false", "null", NULL};
	if (n == 0)
		return false;
	char c = s[0];
	if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '/'))
		return false;
	for (size_t i = 1; i < n; i++) {
		c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '/' || c == '-'))
			return false;
	}
	if (n <= 5) {
		char low[6];
		for (size_t i = 0; i < n; i++)
			low[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
		if (any_of(low, n, words))
			return false;
	}
	return true;
}

/* Any plain scalar yaml.v3 reads back as this same string. */
static bool plain_ok(const char *s, size_t n)
{
	if (n == 0 || strchr("-?:,[]{}#&*!|>'\"%@` \t", s[0]) || s[n - 1] == ' ' || s[n - 1] == ':')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c >= 0x7f)
			return false;
		if ((c == ':' && i + 1 < n && s[i + 1] == ' ') || (c == '#' && s[i - 1] == ' '))
			return false;
	}
	tc_snode tmp;
	tc_stype t;
	return tc_sops_yaml_resolve(&t, &tmp, s, n, NULL) == 0 && t == TC_ST_STR;
}

/* ENC[AES256_GCM,...] values are written plain, as sops does. */
static bool enc_plain(const char *s, size_t n)
{
	if (n < 16 || memcmp(s, "ENC[AES256_GCM,", 15) != 0 || s[n - 1] != ']')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      strchr("+/=,:_[]", c)))
			return false;
	}
	return true;
}

static void quoted(tc_secbuf *o, const char *s, size_t n)
{
	tc_secbuf_addc(o, '"');
	for (size_t i = 0; i < n;) {
		uint32_t cp = 0;
		size_t k = tc_utf8_decode((const unsigned char *)s + i, n - i, &cp);
		if (!k)
			k = 1; /* callers check UTF-8 first */
		if (cp == '"' || cp == '\\') {
			tc_secbuf_addc(o, '\\');
			tc_secbuf_addc(o, (char)cp);
		} else if (needs_escape(cp)) {
			char e[12];
			switch (cp) {
			case '\n':
				snprintf(e, sizeof e, "\\n");
				break;
			case '\t':
				snprintf(e, sizeof e, "\\t");
				break;
			case '\r':
				snprintf(e, sizeof e, "\\r");
				break;
			case 0:
				snprintf(e, sizeof e, "\\0");
				break;
			case 0x2028:
				snprintf(e, sizeof e, "\\L");
				break;
			case 0x2029:
				snprintf(e, sizeof e, "\\P");
				break;
			default:
				snprintf(e, sizeof e, cp < 0x100 ? "\\x%02X" : "\\u%04X",
				         (unsigned)cp);
			}
			tc_secbuf_adds(o, e);
		} else {
			tc_secbuf_add(o, s + i, k);
		}
		i += k;
	}
	tc_secbuf_addc(o, '"');
}

/* A literal block keeps the text exactly when: it has a break, every line
 * is printable without trailing blanks, the first line does not start with
 * a blank (no indentation indicator needed) and there is some text. */
static bool literal_ok(const char *s, size_t n)
{
	if (!memchr(s, '\n', n) || s[0] == ' ' || s[0] == '\t' || s[0] == '\n')
		return false;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = tc_utf8_decode((const unsigned char *)s + i, n - i, &cp);
		if (!k || (needs_escape(cp) && cp != '\n' && cp != '\t'))
			return false;
		if (cp == '\n' && i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t'))
			return false;
		i += k;
	}
	return s[n - 1] != ' ' && s[n - 1] != '\t';
}

static void spaces(tc_secbuf *o, size_t n)
{
	for (size_t i = 0; i < n; i++)
		tc_secbuf_addc(o, ' ');
}

static void literal(tc_secbuf *o, const char *s, size_t n, size_t col)
{
	size_t trail = 0;
	while (trail < n && s[n - 1 - trail] == '\n')
		trail++;
	tc_secbuf_adds(o, trail == 0 ? "|-" : trail == 1 ? "|" : "|+");
	tc_secbuf_addc(o, '\n');
	size_t i = 0;
	while (i < n) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - s) : n;
		if (e > i)
			spaces(o, col);
		tc_secbuf_add(o, s + i, e - i);
		tc_secbuf_addc(o, '\n');
		i = e + 1;
	}
}

typedef struct writer {
	tc_secbuf *o;
	bool literal;
	bool bad;
	tc_pos badpos;
} writer;

static void key(writer *W, const tc_sentry *e)
{
	if (!utf8_ok(e->key, e->klen)) {
		W->bad = true;
		W->badpos = e->kpos;
	}
	if (safe_plain(e->key, e->klen))
		tc_secbuf_add(W->o, e->key, e->klen);
	else
		quoted(W->o, e->key, e->klen);
}

/* A scalar after "key: " or "- "; `col` is where a literal block's lines go. */
static void scalar_out(writer *W, const tc_snode *s, size_t col)
{
	char buf[TC_SOPS_FMT_BUF];
	switch (s->type) {
	case TC_ST_NULL:
		tc_secbuf_adds(W->o, "null");
		break;
	case TC_ST_BOOL:
		tc_secbuf_adds(W->o, s->v.b ? "true" : "false");
		break;
	case TC_ST_INT:
		snprintf(buf, sizeof buf, "%" PRId64, s->v.i);
		tc_secbuf_adds(W->o, buf);
		break;
	case TC_ST_FLOAT:
		if (isnan(s->v.f)) {
			tc_secbuf_adds(W->o, ".nan");
		} else if (isinf(s->v.f)) {
			tc_secbuf_adds(W->o, s->v.f > 0 ? ".inf" : "-.inf");
		} else {
			size_t k = tc_sops_go_float(buf, sizeof buf, s->v.f);
			tc_secbuf_add(W->o, buf, k);
			if (!memchr(buf, '.', k))
				tc_secbuf_adds(W->o, ".0");
		}
		break;
	case TC_ST_TIME:
		tc_secbuf_add(W->o, buf, tc_sops_go_time(buf, sizeof buf, &s->v.t));
		break;
	case TC_ST_STR:
		if (!utf8_ok(s->text, s->len)) {
			W->bad = true;
			W->badpos = s->pos;
		} else if (safe_plain(s->text, s->len) || enc_plain(s->text, s->len) ||
		           (s->loose && plain_ok(s->text, s->len))) {
			tc_secbuf_add(W->o, s->text, s->len);
		} else if (W->literal && literal_ok(s->text, s->len)) {
			literal(W->o, s->text, s->len, col);
			return;
		} else {
			quoted(W->o, s->text, s->len);
		}
		break;
	}
	tc_secbuf_addc(W->o, '\n');
}

static void map_out(writer *W, const tc_snode *m, size_t col, bool inline_first);
static void seq_out(writer *W, const tc_snode *s, size_t col, bool inline_first);

/* The value after "key:"; `col` is the key's column, `in_item` whether the
 * mapping is the content of a sequence item. */
static void value_out(writer *W, const tc_snode *v, size_t col, bool in_item)
{
	if (v->kind == TC_SN_SCALAR) {
		tc_secbuf_addc(W->o, ' ');
		scalar_out(W, v, in_item ? col + 2 : col + INDENT);
	} else if (v->n == 0) {
		tc_secbuf_adds(W->o, v->kind == TC_SN_MAP ? " {}\n" : " []\n");
	} else {
		tc_secbuf_addc(W->o, '\n');
		if (v->kind == TC_SN_MAP)
			map_out(W, v, col + INDENT, false);
		else
			seq_out(W, v, col + INDENT, false);
	}
}

static void map_out(writer *W, const tc_snode *m, size_t col, bool inline_first)
{
	for (size_t i = 0; i < m->n; i++) {
		if (i > 0 || !inline_first)
			spaces(W->o, col);
		key(W, &m->entries[i]);
		tc_secbuf_addc(W->o, ':');
		value_out(W, m->entries[i].val, col, inline_first);
	}
}

static void seq_out(writer *W, const tc_snode *s, size_t col, bool inline_first)
{
	for (size_t i = 0; i < s->n; i++) {
		if (i > 0 || !inline_first)
			spaces(W->o, col);
		tc_secbuf_adds(W->o, "- ");
		const tc_snode *v = s->items[i];
		if (v->kind == TC_SN_SCALAR)
			scalar_out(W, v, col + 2);
		else if (v->n == 0)
			tc_secbuf_adds(W->o, v->kind == TC_SN_MAP ? "{}\n" : "[]\n");
		else if (v->kind == TC_SN_MAP)
			map_out(W, v, col + 2, true);
		else
			seq_out(W, v, col + 2, true);
	}
}

int tc_sops_yaml_write(tc_secbuf *out, const tc_snode *doc, bool literal_blocks, tc_pos *bad)
{
	writer W = {.o = out, .literal = literal_blocks};
	if (doc->kind == TC_SN_MAP && doc->n)
		map_out(&W, doc, 0, false);
	else if (doc->kind == TC_SN_SEQ && doc->n)
		seq_out(&W, doc, 0, false);
	else if (doc->kind == TC_SN_SCALAR)
		scalar_out(&W, doc, INDENT);
	else
		tc_secbuf_adds(out, doc->kind == TC_SN_MAP ? "{}\n" : "[]\n");
	if (W.bad) {
		if (bad)
			*bad = W.badpos;
		return -1;
	}
	return 0;
}
