/*
 * fuzz_json.c - the JSON loader and the canonical JSON emitter on
 * arbitrary bytes.
 *
 * Each input is loaded with tc_json_load (and, as a file named *.json,
 * through tc_doc_load, which must agree). Whatever loads is emitted in the
 * compact and the pretty form, and each text is loaded again: it must load,
 * give the same value (kinds kept apart, a float's sign kept) and emit to
 * the same text again (the canonical form is a fixed point). A broken
 * promise abort()s with the text on stderr for the fuzzer to report.
 * Built with -DTC_LIBFUZZER as a libFuzzer target, otherwise linked with
 * replay.c into a driver over tests/fuzz/corpus/json/.
 */
#include "json_emit.h"
#include "json_load.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* stricter than tc_value_equal: 1 and 1.0 differ, so do 0.0 and -0.0 */
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
	fprintf(stderr, "fuzz_json: %s\n--- emitted ---\n%s\n--- end ---\n", what,
	        tc_buf_str(text));
	tc_diags_print(d, stderr);
	abort();
}

static void round_trip(const tc_value *v, bool pretty)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_diags d;
	tc_diags_init(&d);
	tc_buf text, again;
	tc_buf_init(&text, TC_BUF_UNLIMITED);
	tc_buf_init(&again, TC_BUF_UNLIMITED);
	tc_json_emit(&text, v, pretty);
	tc_value *back = NULL;
	if (tc_json_load(&back, &a, &d, "emitted.json", tc_buf_str(&text), text.len) != 0)
		fail("the emitted text does not load", &text, &d);
	if (!same(v, back))
		fail("the emitted text loads as another value", &text, &d);
	tc_json_emit(&again, back, pretty);
	if (again.len != text.len || memcmp(tc_buf_str(&again), tc_buf_str(&text), text.len) != 0)
		fail("emitting the reloaded value gives other text", &again, &d);
	tc_buf_release(&again);
	tc_buf_release(&text);
	tc_diags_release(&d);
	tc_arena_release(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_diags d;
	tc_diags_init(&d);
	tc_value *v = NULL, *w = NULL;
	int rc = tc_json_load(&v, &a, &d, "fuzz.json", (const char *)data, size);
	int rc2 = tc_doc_load(&w, &a, &d, "fuzz.json", (const char *)data, size);
	if (rc != rc2 || (rc == 0 && !same(v, w))) {
		fprintf(stderr, "fuzz_json: tc_json_load and tc_doc_load disagree (%d, %d)\n", rc,
		        rc2);
		abort();
	}
	if (rc == 0) {
		round_trip(v, false);
		round_trip(v, true);
	}
	tc_diags_release(&d);
	tc_arena_release(&a);
	return 0;
}
