/*
 * json_emit.c - the canonical JSON writer (see json_emit.h for the form).
 *
 * A single recursive walk appending to a tc_buf; it owns nothing. Numbers
 * are formatted by scalar.c so YAML and JSON output agree digit for digit.
 */
#include "json_emit.h"

#include "scalar.h"
#include "utf8.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

static void newline(tc_buf *out, size_t depth)
{
	tc_buf_addc(out, '\n');
	for (size_t i = 0; i < depth; i++)
		tc_buf_add(out, "  ", 2);
}

void tc_json_string(tc_buf *out, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	tc_buf_addc(out, '"');
	size_t i = 0;
	while (i < n) {
		/* copy runs of plain ASCII at once */
		size_t run = i;
		while (run < n && u[run] >= 0x20 && u[run] < 0x80 && u[run] != '"' &&
		       u[run] != '\\')
			run++;
		tc_buf_add(out, s + i, run - i);
		i = run;
		if (i >= n)
			break;
		unsigned char c = u[i];
		if (c >= 0x80) {
			uint32_t cp;
			size_t k = tc_utf8_decode(u + i, n - i, &cp);
			if (k) {
				tc_buf_add(out, s + i, k);
				i += k;
			} else {
				tc_buf_addf(out, "\\u%04x", c);
				i++;
			}
			continue;
		}
		switch (c) {
		case '"':
			tc_buf_adds(out, "\\\"");
			break;
		case '\\':
			tc_buf_adds(out, "\\\\");
			break;
		case '\b':
			tc_buf_adds(out, "\\b");
			break;
		case '\f':
			tc_buf_adds(out, "\\f");
			break;
		case '\n':
			tc_buf_adds(out, "\\n");
			break;
		case '\r':
			tc_buf_adds(out, "\\r");
			break;
		case '\t':
			tc_buf_adds(out, "\\t");
			break;
		default:
			tc_buf_addf(out, "\\u%04x", c);
		}
		i++;
	}
	tc_buf_addc(out, '"');
}

static void value(tc_buf *out, const tc_value *v, bool pretty, size_t depth);

static void array(tc_buf *out, const tc_value *v, bool pretty, size_t depth)
{
	tc_buf_addc(out, '[');
	for (size_t i = 0; i < v->u.arr.len; i++) {
		if (i)
			tc_buf_addc(out, ',');
		if (pretty)
			newline(out, depth + 1);
		value(out, v->u.arr.items[i], pretty, depth + 1);
	}
	if (pretty && v->u.arr.len)
		newline(out, depth);
	tc_buf_addc(out, ']');
}

static void object(tc_buf *out, const tc_value *v, bool pretty, size_t depth)
{
	tc_buf_addc(out, '{');
	for (size_t i = 0; i < v->u.obj.len; i++) {
		const tc_member *m = &v->u.obj.members[i];
		if (i)
			tc_buf_addc(out, ',');
		if (pretty)
			newline(out, depth + 1);
		tc_json_string(out, m->key, m->klen);
		tc_buf_adds(out, pretty ? ": " : ":");
		value(out, m->val, pretty, depth + 1);
	}
	if (pretty && v->u.obj.len)
		newline(out, depth);
	tc_buf_addc(out, '}');
}

static void value(tc_buf *out, const tc_value *v, bool pretty, size_t depth)
{
	char num[32];
	switch (v->kind) {
	case TC_NULL:
		tc_buf_adds(out, "null");
		return;
	case TC_BOOL:
		tc_buf_adds(out, v->u.b ? "true" : "false");
		return;
	case TC_INT:
		tc_buf_addf(out, "%" PRId64, v->u.i);
		return;
	case TC_FLOAT:
		if (isnan(v->u.f) || isinf(v->u.f))
			tc_buf_adds(out, "null");
		else
			tc_buf_add(out, num, tc_scalar_format_double(num, v->u.f));
		return;
	case TC_STR:
		tc_json_string(out, v->u.str.ptr, v->u.str.len);
		return;
	case TC_ARRAY:
		array(out, v, pretty, depth);
		return;
	case TC_OBJECT:
		object(out, v, pretty, depth);
		return;
	}
}

void tc_json_emit(tc_buf *out, const tc_value *v, bool pretty)
{
	value(out, v, pretty, 0);
	if (pretty)
		tc_buf_addc(out, '\n');
}
