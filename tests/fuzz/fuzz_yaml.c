/*
 * fuzz_yaml.c - the YAML loader and emitter on arbitrary bytes.
 *
 * Each input is loaded as one document and as a stream. Whatever loads is
 * emitted (tc_yaml_emit, tc_yaml_emit_stream) and the text is loaded
 * again; the emitter promises that it reads back as the same value, so a
 * reload failure or a different value is a bug and the target abort()s
 * (with the emitted text on stderr) for the fuzzer to report. "The same"
 * is stricter here than tc_value_equal: kinds must match (1 stays an
 * integer, 1.0 a float), a float keeps its sign and NaN matches NaN.
 * The first load uses small limits so that alias expansion stays cheap;
 * the reload uses the defaults, since expanded aliases are written out.
 * Built with -DTC_LIBFUZZER as a libFuzzer target, otherwise linked with
 * replay.c into a driver over tests/fuzz/corpus/yaml/.
 */
#include "yaml_emit.h"
#include "yaml_load.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same(const tc_value *a, const tc_value *b)
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
		if (isnan(a->u.f) || isnan(b->u.f))
			return isnan(a->u.f) && isnan(b->u.f);
		return a->u.f == b->u.f && signbit(a->u.f) == signbit(b->u.f);
	case TC_STR:
		return a->u.str.len == b->u.str.len &&
		       memcmp(a->u.str.ptr, b->u.str.ptr, a->u.str.len) == 0;
	case TC_ARRAY:
		if (a->u.arr.len != b->u.arr.len)
			return false;
		for (size_t i = 0; i < a->u.arr.len; i++)
			if (!same(a->u.arr.items[i], b->u.arr.items[i]))
				return false;
		return true;
	case TC_OBJECT:
		if (a->u.obj.len != b->u.obj.len)
			return false;
		for (size_t i = 0; i < a->u.obj.len; i++) {
			const tc_member *x = &a->u.obj.members[i], *y = &b->u.obj.members[i];
			if (tc_bytes_cmp(x->key, x->klen, y->key, y->klen) != 0 ||
			    !same(x->val, y->val))
				return false;
		}
		return true;
	}
	return false;
}

static void fail(const char *what, const tc_buf *text, tc_diags *d)
{
	fprintf(stderr, "fuzz_yaml: %s\n--- emitted ---\n%s--- end ---\n", what, tc_buf_str(text));
	tc_diags_print(d, stderr);
	abort();
}

/* Load the emitted text of v (one document or a stream) and compare. */
static void round_trip(const tc_value *v, bool stream)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_diags d;
	tc_diags_init(&d);
	tc_buf text;
	tc_buf_init(&text, (size_t)256 << 20);
	if (stream)
		tc_yaml_emit_stream(&text, (const tc_value *const *)v->u.arr.items, v->u.arr.len);
	else
		tc_yaml_emit(&text, v);
	if (tc_buf_failed(&text))
		fail("emitted text too large", &text, &d);
	tc_value *back = NULL;
	int rc = stream ? tc_yaml_load_stream(&back, &a, &d, "emitted.yaml", tc_buf_str(&text),
	                                      text.len, NULL)
	                : tc_yaml_load(&back, &a, &d, "emitted.yaml", tc_buf_str(&text), text.len,
	                               NULL);
	if (rc != 0)
		fail("emitted text does not load", &text, &d);
	if (!same(v, back))
		fail("emitted text loads as another value", &text, &d);
	tc_buf_release(&text);
	tc_diags_release(&d);
	tc_arena_release(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const tc_yaml_limits lim = {.max_bytes = 1u << 20, .max_depth = 64, .max_nodes = 20000};
	tc_arena a;
	tc_arena_init(&a);
	tc_diags d;
	tc_diags_init(&d);
	tc_value *v = NULL;
	if (tc_yaml_load(&v, &a, &d, "fuzz.yaml", (const char *)data, size, &lim) == 0)
		round_trip(v, false);
	tc_value *s = NULL;
	if (tc_yaml_load_stream(&s, &a, &d, "fuzz.yaml", (const char *)data, size, &lim) == 0) {
		if (s->kind != TC_ARRAY)
			abort();
		round_trip(s, true);
	}
	tc_diags_release(&d);
	tc_arena_release(&a);
	return 0;
}
