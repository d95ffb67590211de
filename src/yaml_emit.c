/*
 * yaml_emit.c - the canonical YAML writer (see yaml_emit.h for the form).
 *
 * The writer walks the value once and appends to a tc_buf; it owns nothing
 * and keeps no state beyond the current indentation. Whether a string may
 * be plain is decided in scalar.c; this file picks the style otherwise and
 * lays out collections. The output key order (apiVersion, kind, metadata
 * first) is applied here and nowhere else: objects stay sorted by bytes.
 *
 * Layout invariant: every emit_* function is called with the cursor either
 * at the start of a line (inl == false: it writes the indentation itself)
 * or just after "- " on a line whose indentation is already ind (inl ==
 * true), and it leaves the cursor at the start of a new line.
 */
#include "yaml_emit.h"

#include "scalar.h"
#include "utf8.h"

#include <inttypes.h>
#include <string.h>

/* Implicit keys may be at most 1024 characters (YAML 1.2, 7.4.2); longer
 * ones are written in the explicit "? key" form. */
#define MAX_IMPLICIT_KEY 1000

static void indent(tc_buf *out, size_t n)
{
	static const char spaces[] = "                                ";
	while (n > 0) {
		size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
		tc_buf_add(out, spaces, k);
		n -= k;
	}
}

/* Characters a quoted-but-unescaped (single-quoted or literal) scalar may
 * hold: YAML's printable set minus the characters some reader treats as a
 * line break or strips (NEL, LS, PS, BOM). Tabs are decided by the caller. */
static bool printable(uint32_t cp)
{
	if (cp < 0x20)
		return false;
	if (cp >= 0x7F && cp <= 0x9F)
		return false;
	return !(cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF || cp == 0xFFFE || cp == 0xFFFF);
}

static bool single_quotable(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = tc_utf8_decode(u + i, n - i, &cp);
		if (!k || !printable(cp))
			return false;
		i += k;
	}
	return true;
}

static void single_quoted(tc_buf *out, const char *s, size_t n)
{
	tc_buf_addc(out, '\'');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\'')
			tc_buf_addc(out, '\'');
		tc_buf_addc(out, s[i]);
	}
	tc_buf_addc(out, '\'');
}

static void double_quoted(tc_buf *out, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	tc_buf_addc(out, '"');
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = tc_utf8_decode(u + i, n - i, &cp);
		if (!k) {
			tc_buf_addf(out, "\\x%02x", u[i]);
			i++;
			continue;
		}
		switch (cp) {
		case '"':
			tc_buf_adds(out, "\\\"");
			break;
		case '\\':
			tc_buf_adds(out, "\\\\");
			break;
		case '\0':
			tc_buf_adds(out, "\\0");
			break;
		case '\t':
			tc_buf_adds(out, "\\t");
			break;
		case '\n':
			tc_buf_adds(out, "\\n");
			break;
		case '\r':
			tc_buf_adds(out, "\\r");
			break;
		default:
			if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
				tc_buf_addf(out, "\\x%02x", (unsigned)cp);
			else if (!printable(cp))
				tc_buf_addf(out, "\\u%04x", (unsigned)cp);
			else
				tc_buf_add(out, s + i, k);
		}
		i += k;
	}
	tc_buf_addc(out, '"');
}

/* A one-line rendering of a string: plain, single or double quoted. */
static void flow_string(tc_buf *out, const char *s, size_t n)
{
	if (!tc_scalar_needs_quotes(s, n))
		tc_buf_add(out, s, n);
	else if (memchr(s, '\t', n) == NULL && memchr(s, '\n', n) == NULL && single_quotable(s, n))
		single_quoted(out, s, n);
	else
		double_quoted(out, s, n);
}

/* A multi-line string can be a block literal when it has a non-empty line,
 * every character is printable (tabs allowed), no '\r', and no line ends
 * in a space or tab (editors strip those, and readers would keep them). */
static bool literal_ok(const char *s, size_t n)
{
	if (!memchr(s, '\n', n))
		return false;
	bool content = false;
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = tc_utf8_decode(u + i, n - i, &cp);
		if (!k)
			return false;
		if (cp == '\n') {
			if (i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t'))
				return false;
		} else if (cp != '\t' && !printable(cp)) {
			return false;
		} else {
			content = true;
		}
		i += k;
	}
	if (s[n - 1] == ' ' || s[n - 1] == '\t')
		return false;
	return content;
}

/* literal ::= '|' indicator? chomp '\n' ( line '\n' )*
 * The content is indented by ind + 2. */
static void literal(tc_buf *out, const char *s, size_t n, size_t ind)
{
	size_t trailing = 0;
	while (trailing < n && s[n - 1 - trailing] == '\n')
		trailing++;
	/* The first non-empty line decides the detected indentation: give it
	 * explicitly when that line starts with a space, or with a tab (which
	 * libyaml rejects while it is still detecting the indentation). */
	size_t first = 0;
	while (first < n && s[first] == '\n')
		first++;
	tc_buf_addc(out, '|');
	if (s[first] == ' ' || s[first] == '\t')
		tc_buf_addc(out, '2');
	if (trailing == 0)
		tc_buf_addc(out, '-');
	else if (trailing > 1)
		tc_buf_addc(out, '+');
	tc_buf_addc(out, '\n');
	size_t body = trailing ? n - trailing + 1 : n; /* keep one '\n' for the last line */
	size_t i = 0;
	while (i < body) {
		const char *nl = memchr(s + i, '\n', body - i);
		size_t end = nl ? (size_t)(nl - s) : body;
		if (end > i) {
			indent(out, ind + 2);
			tc_buf_add(out, s + i, end - i);
		}
		tc_buf_addc(out, '\n');
		i = end + 1;
	}
	for (size_t k = 1; k < trailing; k++)
		tc_buf_addc(out, '\n');
}

/* An integer in decimal, as "%" PRId64 writes it. */
static void integer(tc_buf *out, int64_t i)
{
	char digits[24];
	size_t k = sizeof digits;
	uint64_t m = i < 0 ? 0 - (uint64_t)i : (uint64_t)i;
	do {
		digits[--k] = (char)('0' + m % 10);
		m /= 10;
	} while (m);
	if (i < 0)
		digits[--k] = '-';
	tc_buf_add(out, digits + k, sizeof digits - k);
}

/* Write a scalar or empty collection after "key: ", "- " or at the top,
 * then end the line. ind is the indentation of the key or the dash. */
static void scalar(tc_buf *out, const tc_value *v, size_t ind)
{
	char num[32];
	switch (v->kind) {
	case TC_NULL:
		tc_buf_adds(out, "null");
		break;
	case TC_BOOL:
		tc_buf_adds(out, v->u.b ? "true" : "false");
		break;
	case TC_INT:
		integer(out, v->u.i);
		break;
	case TC_FLOAT:
		tc_buf_add(out, num, tc_scalar_format_double(num, v->u.f));
		break;
	case TC_STR:
		if (literal_ok(v->u.str.ptr, v->u.str.len)) {
			literal(out, v->u.str.ptr, v->u.str.len, ind);
			return; /* ends its own lines */
		}
		flow_string(out, v->u.str.ptr, v->u.str.len);
		break;
	case TC_ARRAY:
		tc_buf_adds(out, "[]");
		break;
	case TC_OBJECT:
		tc_buf_adds(out, "{}");
		break;
	}
	tc_buf_addc(out, '\n');
}

static bool is_block(const tc_value *v)
{
	return (v->kind == TC_ARRAY && v->u.arr.len > 0) ||
	       (v->kind == TC_OBJECT && v->u.obj.len > 0);
}

static void node(tc_buf *out, const tc_value *v, size_t ind, bool inl);

/* sequence ::= ( indent '-' ' ' node )+ */
static void sequence(tc_buf *out, const tc_value *v, size_t ind, bool inl)
{
	for (size_t i = 0; i < v->u.arr.len; i++) {
		if (i > 0 || !inl)
			indent(out, ind);
		tc_buf_adds(out, "- ");
		node(out, v->u.arr.items[i], ind + 2, true);
	}
}

/* A key of at most this many bytes is an implicit key whatever its style:
 * double quoting writes at most four bytes for one ("\\x01"), plus the
 * quotes. Longer keys are measured first. */
#define SHORT_KEY ((MAX_IMPLICIT_KEY - 2) / 4)

static void key(tc_buf *out, const tc_member *m, size_t ind)
{
	if (m->klen <= SHORT_KEY) {
		flow_string(out, m->key, m->klen);
		tc_buf_addc(out, ':');
		return;
	}
	tc_buf k;
	tc_buf_init(&k, TC_BUF_UNLIMITED);
	flow_string(&k, m->key, m->klen);
	if (k.len > MAX_IMPLICIT_KEY) {
		tc_buf_adds(out, "? ");
		tc_buf_add(out, k.ptr, k.len);
		tc_buf_addc(out, '\n');
		indent(out, ind);
	} else {
		tc_buf_add(out, k.ptr, k.len);
	}
	tc_buf_release(&k);
	tc_buf_addc(out, ':');
}

static void member(tc_buf *out, const tc_member *m, size_t ind, bool inl)
{
	if (!inl)
		indent(out, ind);
	key(out, m, ind);
	const tc_value *v = m->val;
	if (v->kind == TC_ARRAY && v->u.arr.len > 0) {
		tc_buf_addc(out, '\n');
		sequence(out, v, ind, false); /* kubectl style: not indented */
	} else if (v->kind == TC_OBJECT && v->u.obj.len > 0) {
		tc_buf_addc(out, '\n');
		node(out, v, ind + 2, false);
	} else {
		tc_buf_addc(out, ' ');
		scalar(out, v, ind);
	}
}

/* The place of m's key in the output order: 0, 1, 2 for apiVersion, kind
 * and metadata, -1 for the others (which keep their byte order). */
static int front_rank(const tc_member *m)
{
	switch (m->klen) {
	case 10:
		return memcmp(m->key, "apiVersion", 10) == 0 ? 0 : -1;
	case 4:
		return memcmp(m->key, "kind", 4) == 0 ? 1 : -1;
	case 8:
		return memcmp(m->key, "metadata", 8) == 0 ? 2 : -1;
	default:
		return -1;
	}
}

/* mapping ::= ( indent key ':' value )+ in output key order */
static void mapping(tc_buf *out, const tc_value *v, size_t ind, bool inl)
{
	const tc_member *front[3] = {NULL, NULL, NULL};
	size_t nfront = 0;
	for (size_t i = 0; i < v->u.obj.len; i++) {
		int rank = front_rank(&v->u.obj.members[i]);
		if (rank >= 0) {
			front[rank] = &v->u.obj.members[i];
			nfront++;
		}
	}
	bool first = true;
	for (size_t f = 0; f < 3; f++) {
		if (front[f]) {
			member(out, front[f], ind, inl && first);
			first = false;
		}
	}
	for (size_t i = 0; i < v->u.obj.len; i++) {
		const tc_member *m = &v->u.obj.members[i];
		if (nfront && front_rank(m) >= 0)
			continue;
		member(out, m, ind, inl && first);
		first = false;
	}
}

static void node(tc_buf *out, const tc_value *v, size_t ind, bool inl)
{
	if (!is_block(v)) {
		if (!inl)
			indent(out, ind);
		/* after "- " the dash is the parent: literal content at ind */
		scalar(out, v, inl ? ind - 2 : ind);
	} else if (v->kind == TC_ARRAY) {
		sequence(out, v, ind, inl);
	} else {
		mapping(out, v, ind, inl);
	}
}

void tc_yaml_emit(tc_buf *out, const tc_value *v)
{
	node(out, v, 0, false);
}

void tc_yaml_emit_stream(tc_buf *out, const tc_value *const *docs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			tc_buf_adds(out, "---\n");
		tc_yaml_emit(out, docs[i]);
	}
}
