/*
 * roundtrip.c - emit a corpus of tricky scalars with tc_yaml_emit and read
 * it back, here with tc_yaml_load and (via pyyaml_check.py) with PyYAML.
 *
 *   roundtrip            check emit -> tc_yaml_load, print "roundtrip: N/M passed"
 *   roundtrip DIR        also write DIR/doc.yaml (the emitted stream) and
 *                        DIR/expect.json (the values, typed, for PyYAML)
 *
 * The stream holds one document with every corpus string as a value and as
 * a key, the numbers, and then every scalar as a document of its own (top
 * level scalars take other paths in the emitter). Comparison is strict:
 * kinds must match, floats bit for bit (NaN with NaN).
 */
#include "json_emit.h"
#include "yaml_emit.h"
#include "yaml_load.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S(lit) {lit, sizeof(lit) - 1}

static const struct {
	const char *s;
	size_t n;
} strings[] = {
	S("yes"), S("no"), S("on"), S("off"), S("y"), S("n"), S("Y"), S("N"), S("~"), S("null"),
	S("Null"), S("NULL"), S("True"), S("FALSE"), S("0755"), S("0o17"), S("0x1F"), S("0b101"),
	S("1_000"), S("1:20"), S("1:20.5"), S("1e3"), S("1e+3"), S(".5"), S("+.5"), S("0."),
	S("+1"), S("-0"), S("+0"), S("-1"), S("1.0"), S("1.0e+21"), S("-0.0"), S(".inf"),
	S("-.inf"), S(".NaN"), S("NaN"), S("Infinity"), S("1.2.3"), S("12e"), S("0o"),
	S("2001-12-14"), S("2001-12-14t21:59:43.10-05:00"), S("2001-12-14 21:59:43.10 -5"),
	S("12:30"), S("  lead"), S("trail "), S("a: b"), S("a #b"), S("a#b"), S("#x"), S("- x"),
	S("-x"), S("-"), S("?"), S("? x"), S(":"), S(": x"), S("x:"), S("x: "), S("a:b"), S("["),
	S("]"), S("{"), S("}"), S("[a, b]"), S("{a: b}"), S(",x"), S("*a"), S("&a"), S("!t"),
	S("!!str"), S("|"), S(">"), S("%"), S("%YAML 1.2"), S("@"), S("`"), S("'"), S("\""),
	S("it's"), S("say \"hi\""), S("\\"), S("a\\nb"), S("<<"), S("="), S("---"), S("..."),
	S("--- x"), S("a\nb\n"), S("a\nb\n\n"), S("a\nb\n\n\n"), S("a\nb"), S(" lead\nline\n"),
	S("\n\n lead\n"), S("a\n b\n"), S("a\n\tb\n"), S("\tfirst\nsecond\n"), S("\n"), S("\n\nx"), S("  \n"),
	S("line \nnext\n"), S("a\r\nb"), S("a\rb"), S("\ttab"), S("x\ty"), S("tab\t"),
	S("\xc3\xa9 \xc3\xbc \xe2\x9c\x93 \xf0\x9f\x98\x80"), S("\xe2\x80\x8b"),
	S("\xef\xbf\xbd"), S("\x01\x02\x1b"), S("\x7f"), S("\xc2\x85"), S("\xc2\xa0"),
	S("\xe2\x80\xa8"), S("\xe2\x80\xa9"), S("\xef\xbb\xbf" "bom"), S("nul\0byte"), S(""),
	S("plain text"), S("apps/v1"), S("nginx:1.25"), S("100m"), S("512Mi"),
	S("http://example.com/a?b=c#frag"), S("CamelCase"), S("_1"), S("0.1.2-alpha"),
};

static const double floats[] = {
	0.1, 1e21, 1e-7, 3.0, -0.0, 0.0, 1.5, 1e300, 5e-324, 1e15, 1e16, 123456.789,
	0.30000000000000004, 9007199254740992.0, 1.7976931348623157e308, -2.5e-10,
};

static const int64_t ints[] = {
	0, 1, -1, 42, 9007199254740993, -9007199254740993, INT64_MIN, INT64_MAX, 493, 755,
};

static bool strict_equal(const tc_value *a, const tc_value *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case TC_NULL:
		return true;
	case TC_BOOL:
		return a->u.b == b->u.b;
	case TC_INT:
		return a->u.i == b->u.i;
	case TC_FLOAT:
		return (isnan(a->u.f) && isnan(b->u.f)) || memcmp(&a->u.f, &b->u.f, sizeof(double)) == 0;
	case TC_STR:
		return a->u.str.len == b->u.str.len &&
		       memcmp(a->u.str.ptr, b->u.str.ptr, a->u.str.len) == 0;
	case TC_ARRAY:
		if (a->u.arr.len != b->u.arr.len)
			return false;
		for (size_t i = 0; i < a->u.arr.len; i++)
			if (!strict_equal(a->u.arr.items[i], b->u.arr.items[i]))
				return false;
		return true;
	case TC_OBJECT:
		if (a->u.obj.len != b->u.obj.len)
			return false;
		for (size_t i = 0; i < a->u.obj.len; i++) {
			const tc_member *x = &a->u.obj.members[i], *y = &b->u.obj.members[i];
			if (tc_bytes_cmp(x->key, x->klen, y->key, y->klen) != 0 ||
			    !strict_equal(x->val, y->val))
				return false;
		}
		return true;
	}
	return false;
}

/* The value as typed JSON for pyyaml_check.py: null, true, false,
 * {"int": "12"}, {"float": "0x1.8p+0" | "nan" | "inf" | "-inf"},
 * {"str": "..."}, [...], {"map": {...}}. */
static tc_value *typed(tc_arena *a, const tc_value *v)
{
	tc_objb b;
	char buf[64];
	switch (v->kind) {
	case TC_NULL:
	case TC_BOOL:
		return (tc_value *)v;
	case TC_INT:
		snprintf(buf, sizeof buf, "%" PRId64, v->u.i);
		tc_objb_init(&b);
		tc_objb_addz(&b, "int", tc_value_strz(a, buf, TC_NOPOS));
		return tc_objb_finish(&b, a, TC_NOPOS, NULL);
	case TC_FLOAT:
		if (isnan(v->u.f))
			snprintf(buf, sizeof buf, "nan");
		else if (isinf(v->u.f))
			snprintf(buf, sizeof buf, v->u.f < 0 ? "-inf" : "inf");
		else
			snprintf(buf, sizeof buf, "%a", v->u.f);
		tc_objb_init(&b);
		tc_objb_addz(&b, "float", tc_value_strz(a, buf, TC_NOPOS));
		return tc_objb_finish(&b, a, TC_NOPOS, NULL);
	case TC_STR:
		tc_objb_init(&b);
		tc_objb_addz(&b, "str", (tc_value *)v);
		return tc_objb_finish(&b, a, TC_NOPOS, NULL);
	case TC_ARRAY: {
		tc_arrb ab;
		tc_arrb_init(&ab);
		for (size_t i = 0; i < v->u.arr.len; i++)
			tc_arrb_push(&ab, typed(a, v->u.arr.items[i]));
		return tc_arrb_finish(&ab, a, TC_NOPOS);
	}
	case TC_OBJECT: {
		tc_objb m;
		tc_objb_init(&m);
		for (size_t i = 0; i < v->u.obj.len; i++)
			tc_objb_add(&m, v->u.obj.members[i].key, v->u.obj.members[i].klen, TC_NOPOS,
			            typed(a, v->u.obj.members[i].val));
		tc_objb_init(&b);
		tc_objb_addz(&b, "map", tc_objb_finish(&m, a, TC_NOPOS, NULL));
		return tc_objb_finish(&b, a, TC_NOPOS, NULL);
	}
	}
	return NULL;
}

static int write_file(const char *dir, const char *name, const tc_buf *b)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(b->ptr ? b->ptr : "", 1, b->len, f) != b->len || fclose(f) != 0) {
		fprintf(stderr, "roundtrip: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	tc_arena a;
	tc_arena_init(&a);
	size_t ns = sizeof strings / sizeof strings[0];

	/* the corpus: scalars, then the big document */
	tc_arrb scalars;
	tc_arrb_init(&scalars);
	for (size_t i = 0; i < ns; i++)
		tc_arrb_push(&scalars, tc_value_str(&a, strings[i].s, strings[i].n, TC_NOPOS));
	char *lng = tc_arena_alloc(&a, 6000);
	for (size_t i = 0; i < 6000; i++)
		lng[i] = (i % 7 == 6) ? ' ' : (char)('a' + i % 26);
	tc_arrb_push(&scalars, tc_value_str(&a, lng, 6000, TC_NOPOS));
	char *lines = tc_arena_alloc(&a, 6000);
	for (size_t i = 0; i < 6000; i++)
		lines[i] = (i % 61 == 60) ? '\n' : (char)('A' + i % 26);
	tc_arrb_push(&scalars, tc_value_str(&a, lines, 6000, TC_NOPOS));
	for (size_t i = 0; i < sizeof floats / sizeof floats[0]; i++)
		tc_arrb_push(&scalars, tc_value_float(&a, floats[i], TC_NOPOS));
	tc_arrb_push(&scalars, tc_value_float(&a, INFINITY, TC_NOPOS));
	tc_arrb_push(&scalars, tc_value_float(&a, -INFINITY, TC_NOPOS));
	tc_arrb_push(&scalars, tc_value_float(&a, NAN, TC_NOPOS));
	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
		tc_arrb_push(&scalars, tc_value_int(&a, ints[i], TC_NOPOS));
	tc_arrb_push(&scalars, tc_value_bool(&a, true, TC_NOPOS));
	tc_arrb_push(&scalars, tc_value_bool(&a, false, TC_NOPOS));
	tc_arrb_push(&scalars, tc_value_null(&a, TC_NOPOS));
	size_t nscalars = scalars.len;
	tc_value **sc = tc_arena_alloc(&a, nscalars * sizeof *sc);
	memcpy(sc, scalars.items, nscalars * sizeof *sc);

	tc_objb keys;
	tc_objb_init(&keys);
	for (size_t i = 0; i < nscalars; i++)
		if (sc[i]->kind == TC_STR)
			tc_objb_add(&keys, sc[i]->u.str.ptr, sc[i]->u.str.len, TC_NOPOS,
			            tc_value_int(&a, (int64_t)i, TC_NOPOS));
	tc_objb top;
	tc_objb_init(&top);
	tc_objb_addz(&top, "values", tc_arrb_finish(&scalars, &a, TC_NOPOS));
	tc_objb_addz(&top, "keys", tc_objb_finish(&keys, &a, TC_NOPOS, NULL));
	tc_value *nest[2] = {tc_value_copy(&a, sc[0]), tc_value_str(&a, "x\n y\n", 5, TC_NOPOS)};
	tc_value *inner = tc_value_array(&a, nest, 2, TC_NOPOS);
	tc_value *deep = tc_value_array(&a, &inner, 1, TC_NOPOS);
	tc_objb_addz(&top, "nested", tc_value_array(&a, &deep, 1, TC_NOPOS));

	tc_arrb docs;
	tc_arrb_init(&docs);
	tc_arrb_push(&docs, tc_objb_finish(&top, &a, TC_NOPOS, NULL));
	for (size_t i = 0; i < nscalars; i++)
		tc_arrb_push(&docs, sc[i]);
	tc_value *expect = tc_arrb_finish(&docs, &a, TC_NOPOS);

	/* emit and read back: the whole stream, then every document alone */
	size_t passed = 0, total = 0;
	tc_buf yaml;
	tc_buf_init(&yaml, TC_BUF_UNLIMITED);
	tc_yaml_emit_stream(&yaml, (const tc_value *const *)expect->u.arr.items, expect->u.arr.len);
	tc_diags d;
	tc_diags_init(&d);
	tc_value *back;
	total++;
	if (tc_yaml_load_stream(&back, &a, &d, "doc.yaml", yaml.ptr, yaml.len, NULL) == 0 &&
	    strict_equal(back, expect))
		passed++;
	else
		fprintf(stderr, "FAIL the whole stream does not read back\n");
	for (size_t i = 0; i < expect->u.arr.len; i++) {
		const tc_value *v = expect->u.arr.items[i];
		tc_buf one;
		tc_buf_init(&one, TC_BUF_UNLIMITED);
		tc_yaml_emit(&one, v);
		total++;
		if (tc_yaml_load(&back, &a, &d, "one.yaml", one.ptr, one.len, NULL) == 0 &&
		    strict_equal(back, v)) {
			passed++;
		} else {
			fprintf(stderr, "FAIL document %zu does not read back; emitted:\n%s", i,
			        tc_buf_str(&one));
		}
		tc_buf_release(&one);
	}
	tc_diags_print(&d, stderr);
	tc_diags_release(&d);
	printf("roundtrip: %zu/%zu passed\n", passed, total);

	int rc = passed == total ? 0 : 1;
	if (argc > 1) {
		tc_buf json;
		tc_buf_init(&json, TC_BUF_UNLIMITED);
		tc_json_emit(&json, typed(&a, expect), true);
		if (write_file(argv[1], "doc.yaml", &yaml) < 0 ||
		    write_file(argv[1], "expect.json", &json) < 0)
			rc = 3;
		tc_buf_release(&json);
	}
	tc_buf_release(&yaml);
	tc_arena_release(&a);
	return rc;
}
