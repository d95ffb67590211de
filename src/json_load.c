/*
 * json_load.c - a recursive-descent JSON reader that builds tc_value with
 * the position of every node and key.
 *
 * cJSON is not used here, although STYLE names it as the JSON edge: cJSON
 * records no positions, so it could only serve as a second, redundant
 * parse, and it turns every number into a double (STYLE 11.4). Our own
 * parser is about as small as the glue cJSON would need, keeps ints and
 * floats apart, reports duplicate keys and lone surrogates, and has a depth
 * limit that bounds its C stack.
 *
 * The whole input is checked for UTF-8 first, so strings need no further
 * checks. Positions are computed by a cursor that only moves forward over
 * the input (line, column in characters), which keeps the cost linear even
 * for a 16 MiB single-line file. The first error stops the load.
 */
#include "json_load.h"

#include "ascii.h"
#include "fsutil.h"
#include "scalar.h"
#include "utf8.h"
#include "yaml_load.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Nesting limit: as for YAML; it also bounds the recursion below. */
#define JSON_MAX_DEPTH 256

typedef struct jparser {
	tc_arena *a;
	tc_diags *d;
	const char *file;
	const char *s;
	size_t n, i;
	/* position cursor: (off) is at (line, col) */
	size_t off, base; /* base: where the text starts (after a BOM) */
	uint32_t line, col;
	tc_buf tmp; /* unescaped string bytes */
} jparser;

static tc_pos posat(jparser *P, size_t at)
{
	if (at < P->off) { /* only on error paths: start over */
		P->off = P->base;
		P->line = P->col = 1;
	}
	while (P->off < at) {
		unsigned char c = (unsigned char)P->s[P->off++];
		if (c == '\n')
			P->line++, P->col = 1;
		else if ((c & 0xC0) != 0x80)
			P->col++;
	}
	return (tc_pos){P->file, P->line, P->col};
}

static int fail(jparser *P, size_t at, const char *what)
{
	tc_pos pos = posat(P, at);
	if (at >= P->n)
		return tc_error(P->d, pos, NULL, "%s, found the end of the input", what);
	unsigned char c = (unsigned char)P->s[at];
	if (c >= 0x20 && c < 0x7F)
		return tc_error(P->d, pos, NULL, "%s, found '%c'", what, c);
	return tc_error(P->d, pos, NULL, "%s, found byte 0x%02x", what, c);
}

static void ws(jparser *P)
{
	while (P->i < P->n) {
		char c = P->s[P->i];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		P->i++;
	}
}

static int value(jparser *P, size_t depth, tc_value **out);

static int hex4(jparser *P, size_t at, uint32_t *out)
{
	uint32_t v = 0;
	for (size_t k = 0; k < 4; k++) {
		if (at + k >= P->n)
			return fail(P, at + k, "expected 4 hex digits after '\\u'");
		int d = tc_ascii_hex_value(P->s[at + k]);
		if (d < 0)
			return fail(P, at + k, "expected 4 hex digits after '\\u'");
		v = v * 16 + (uint32_t)d;
	}
	*out = v;
	return 0;
}

/* \uXXXX at P->i (after the "\u"), a surrogate pair joined; esc is where the
 * escape began, for messages */
static int unicode_escape(jparser *P, size_t esc)
{
	uint32_t cp = 0, lo = 0;
	if (hex4(P, P->i, &cp) < 0)
		return -1;
	P->i += 4;
	if (cp >= 0xDC00 && cp <= 0xDFFF)
		return fail(P, esc, "lone low surrogate escape");
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		if (P->i + 1 >= P->n || P->s[P->i] != '\\' || P->s[P->i + 1] != 'u')
			return fail(P, esc, "high surrogate escape without a low one");
		if (hex4(P, P->i + 2, &lo) < 0)
			return -1;
		if (lo < 0xDC00 || lo > 0xDFFF)
			return fail(P, esc, "high surrogate escape without a low one");
		P->i += 6;
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
	}
	tc_utf8_put(&P->tmp, cp);
	return 0;
}

/* escape ::= '"' | '\' | '/' | 'b' | 'f' | 'n' | 'r' | 't' | 'u' hex hex hex hex
 * at P->i (the backslash), into P->tmp */
static int escape(jparser *P, size_t open)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	size_t esc = P->i;
	if (P->i + 1 >= P->n)
		return tc_error(P->d, posat(P, open), NULL, "unterminated string");
	char e = P->s[P->i + 1];
	P->i += 2;
	if (e == 'u')
		return unicode_escape(P, esc);
	const char *k = e ? strchr(from, e) : NULL;
	if (!k)
		return fail(P, esc, "invalid escape in string");
	tc_buf_addc(&P->tmp, to[k - from]);
	return 0;
}

/* string ::= '"' ( char | '\' escape )* '"'
 * Leaves the bytes in P->tmp. */
static int string(jparser *P)
{
	size_t open = P->i;
	P->i++; /* the opening quote */
	tc_buf_reset(&P->tmp);
	for (;;) {
		if (P->i >= P->n)
			return tc_error(P->d, posat(P, open), NULL, "unterminated string");
		unsigned char c = (unsigned char)P->s[P->i];
		if (c == '"') {
			P->i++;
			return 0;
		}
		if (c < 0x20)
			return fail(P, P->i, "control character in string (escape it)");
		if (c == '\\') {
			if (escape(P, open) < 0)
				return -1;
			continue;
		}
		size_t run = P->i;
		while (run < P->n && P->s[run] != '"' && P->s[run] != '\\' &&
		       (unsigned char)P->s[run] >= 0x20)
			run++;
		tc_buf_add(&P->tmp, P->s + P->i, run - P->i);
		P->i = run;
	}
}

static size_t digits(const char *s, size_t n, size_t i)
{
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	return i;
}

/* a diagnostic at i; 0, the end number_end gives for a failure */
static size_t number_error(jparser *P, size_t i, const char *what)
{
	fail(P, i, what);
	return 0;
}

/* the end of the number's text from P->i, or 0 after a diagnostic; *isint
 * when it has neither a fraction nor an exponent */
static size_t number_end(jparser *P, bool *isint)
{
	size_t i = P->i, n = P->n;
	const char *s = P->s;
	*isint = true;
	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (i < n && s[i] >= '1' && s[i] <= '9')
		i = digits(s, n, i);
	else
		return number_error(P, i, "expected a digit");
	if (i < n && s[i] == '.') {
		*isint = false;
		i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return number_error(P, i, "expected a digit after '.'");
		i = digits(s, n, i);
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		*isint = false;
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return number_error(P, i, "expected a digit in the exponent");
		i = digits(s, n, i);
	}
	return i;
}

/* number ::= '-'? ( '0' | [1-9][0-9]* ) ( '.' [0-9]+ )? ( [eE] [-+]? [0-9]+ )? */
static int number(jparser *P, tc_value **out)
{
	size_t start = P->i;
	const char *s = P->s;
	bool isint;
	size_t i = number_end(P, &isint);
	if (!i)
		return -1;
	P->i = i;
	tc_pos pos = posat(P, start);
	int64_t iv;
	if (isint && tc_scalar_parse_int(&iv, s + start, i - start) == 0) {
		*out = tc_value_int(P->a, iv, pos);
		return 0;
	}
	/* the JSON grammar is a subset of the YAML core float grammar */
	double f;
	if (tc_scalar_parse_float(&f, s + start, i - start) < 0)
		return tc_error(P->d, pos, NULL, "number '%.*s' is out of range",
		                (int)(i - start > 60 ? 60 : i - start), s + start);
	*out = tc_value_float(P->a, f, pos);
	return 0;
}

static bool word(jparser *P, const char *w)
{
	size_t n = strlen(w);
	if (P->n - P->i < n || memcmp(P->s + P->i, w, n) != 0)
		return false;
	P->i += n;
	return true;
}

/* array ::= '[' ( value ( ',' value )* )? ']' */
static int array(jparser *P, size_t depth, tc_value **out)
{
	size_t open = P->i;
	tc_pos pos = posat(P, open);
	tc_arrb b;
	tc_arrb_init(&b);
	P->i++;
	ws(P);
	if (P->i < P->n && P->s[P->i] == ']') {
		P->i++;
		*out = tc_arrb_finish(&b, P->a, pos);
		return 0;
	}
	for (;;) {
		tc_value *v;
		if (value(P, depth + 1, &v) < 0)
			goto fail;
		tc_arrb_push(&b, v);
		ws(P);
		if (P->i < P->n && P->s[P->i] == ',') {
			P->i++;
			continue;
		}
		if (P->i < P->n && P->s[P->i] == ']') {
			P->i++;
			break;
		}
		char what[80];
		snprintf(what, sizeof what, "expected ',' or ']' to close '[' at line %u",
		         (unsigned)pos.line);
		fail(P, P->i, what);
		goto fail;
	}
	*out = tc_arrb_finish(&b, P->a, pos);
	return 0;
fail:
	tc_arrb_release(&b);
	return -1;
}

/* member ::= string ':' value, into b */
static int member(jparser *P, size_t depth, tc_objb *b)
{
	ws(P);
	if (P->i >= P->n || P->s[P->i] != '"')
		return fail(P, P->i, "expected a string key");
	tc_pos kpos = posat(P, P->i);
	if (string(P) < 0)
		return -1;
	char *key = tc_arena_memdup0(P->a, P->tmp.ptr ? P->tmp.ptr : "", P->tmp.len);
	size_t klen = P->tmp.len;
	ws(P);
	if (P->i >= P->n || P->s[P->i] != ':')
		return fail(P, P->i, "expected ':' after the key");
	P->i++;
	tc_value *v;
	if (value(P, depth + 1, &v) < 0)
		return -1;
	tc_objb_add(b, key, klen, kpos, v);
	return 0;
}

/* member dup of b repeats an earlier key: reported with the line of the first */
static int duplicate_key(jparser *P, const tc_objb *b, size_t dup)
{
	const tc_member *m = &b->members[dup];
	uint32_t first = 0;
	for (size_t k = 0; k < dup; k++)
		if (b->members[k].klen == m->klen &&
		    memcmp(b->members[k].key, m->key, m->klen) == 0) {
			first = b->members[k].kpos.line;
			break;
		}
	return tc_error(P->d, m->kpos, NULL, "duplicate key '%.*s' (first at line %u)",
	                (int)(m->klen > 80 ? 80 : m->klen), m->key, (unsigned)first);
}

/* after a member: ',' (1, another follows), '}' (0, the end), or an error (-1) */
static int after_member(jparser *P, tc_pos pos)
{
	ws(P);
	if (P->i < P->n && (P->s[P->i] == ',' || P->s[P->i] == '}'))
		return P->s[P->i++] == ',';
	char what[80];
	snprintf(what, sizeof what, "expected ',' or '}' to close '{' at line %u",
	         (unsigned)pos.line);
	return fail(P, P->i, what);
}

/* object ::= '{' ( member ( ',' member )* )? '}';  member ::= string ':' value */
static int object(jparser *P, size_t depth, tc_value **out)
{
	size_t open = P->i;
	tc_pos pos = posat(P, open);
	tc_objb b;
	tc_objb_init(&b);
	P->i++;
	ws(P);
	int more = 1;
	if (P->i < P->n && P->s[P->i] == '}') {
		P->i++;
		more = 0;
	}
	while (more > 0)
		more = member(P, depth, &b) < 0 ? -1 : after_member(P, pos);
	size_t dup;
	tc_value *o = more < 0 ? NULL : tc_objb_finish(&b, P->a, pos, &dup);
	if (o) {
		*out = o;
		return 0;
	}
	if (more == 0)
		duplicate_key(P, &b, dup);
	tc_objb_release(&b);
	return -1;
}

/* value ::= object | array | string | number | 'true' | 'false' | 'null' */
static int value(jparser *P, size_t depth, tc_value **out)
{
	ws(P);
	if (P->i >= P->n)
		return fail(P, P->i, "expected a value");
	size_t at = P->i;
	char c = P->s[at];
	if (c == '{' || c == '[') {
		if (depth >= JSON_MAX_DEPTH)
			return tc_error(P->d, posat(P, at), NULL, "nesting deeper than %d levels",
			                JSON_MAX_DEPTH);
		return c == '{' ? object(P, depth, out) : array(P, depth, out);
	}
	if (c == '"') {
		if (string(P) < 0)
			return -1;
		*out = tc_value_str(P->a, P->tmp.ptr ? P->tmp.ptr : "", P->tmp.len, posat(P, at));
		return 0;
	}
	if (c == '-' || (c >= '0' && c <= '9'))
		return number(P, out);
	if (word(P, "true")) {
		*out = tc_value_bool(P->a, true, posat(P, at));
		return 0;
	}
	if (word(P, "false")) {
		*out = tc_value_bool(P->a, false, posat(P, at));
		return 0;
	}
	if (word(P, "null")) {
		*out = tc_value_null(P->a, posat(P, at));
		return 0;
	}
	return fail(P, at, "expected a value");
}

int tc_json_load(tc_value **out, tc_arena *a, tc_diags *d, const char *file, const char *data,
                 size_t len)
{
	*out = NULL;
	size_t max = tc_yaml_default_limits.max_bytes;
	if (len > max)
		return tc_error(d, (tc_pos){file, 0, 0}, NULL,
		                "file is %zu bytes, more than the limit of %zu", len, max);
	jparser P = {.a = a, .d = d, .file = file, .s = data ? data : "", .n = data ? len : 0};
	P.line = P.col = 1;
	size_t bad = tc_scalar_utf8_check(P.s, P.n);
	if (bad < P.n)
		return tc_error(d, posat(&P, bad), NULL, "invalid UTF-8 (byte 0x%02x)",
		                (unsigned char)P.s[bad]);
	if (P.n >= 3 && memcmp(P.s, "\xEF\xBB\xBF", 3) == 0)
		P.i = P.off = P.base = 3;
	tc_buf_init(&P.tmp, max);
	tc_value *v;
	int rc = value(&P, 0, &v);
	if (rc == 0) {
		ws(&P);
		if (P.i < P.n)
			rc = fail(&P, P.i, "expected the end of the input after the value");
	}
	tc_buf_release(&P.tmp);
	if (rc == 0)
		*out = v;
	return rc;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

int tc_doc_load(tc_value **out, tc_arena *a, tc_diags *d, const char *file, const char *data,
                size_t len)
{
	if (file && ends_with(file, ".json"))
		return tc_json_load(out, a, d, file, data, len);
	return tc_yaml_load(out, a, d, file, data, len, NULL);
}

int tc_doc_load_file(tc_value **out, tc_arena *a, tc_diags *d, const char *path)
{
	char *data;
	size_t len;
	if (tc_file_read_report(&data, &len, d, path, tc_yaml_default_limits.max_bytes + 1))
		return -1;
	int rc = tc_doc_load(out, a, d, path, data, len);
	free(data);
	return rc;
}
