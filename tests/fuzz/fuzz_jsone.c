/*
 * fuzz_jsone.c - the JSON-e lexer, parser and evaluator on arbitrary input.
 *
 * An input that loads (as JSON, else as YAML) to an array [template,
 * context] is rendered against that context (an empty object when it is
 * not an object) twice: with tc_jsone_render, and with a compiled template
 * through tc_jsone_render_compiled. Both must agree on success and on the
 * result, or the target abort()s. Independently, the raw bytes become the
 * expression of {"$eval": ...} against a small fixed context, so the
 * lexer and parser see arbitrary text too. Limits are small (100,000
 * steps, depth 100, 1 MiB of output) so that hostile templates end fast;
 * the extra functions (toYaml, fromJson, sha256, ...) are on.
 * Built with -DTC_LIBFUZZER as a libFuzzer target, otherwise linked with
 * replay.c into a driver over tests/fuzz/corpus/jsone/.
 */
#include "jsone.h"
#include "json_load.h"
#include "yaml_load.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const tc_jsone_opts fuzz_opts = {
	.now = "2026-01-02T03:04:05.000Z",
	.max_steps = 100000,
	.max_depth = 100,
	.max_output = (size_t)1 << 20,
	.extras = true,
};

static const char fixed_context[] =
	"{\"a\": 1, \"f\": 2.5, \"s\": \"str\", \"t\": true, \"n\": null,"
	" \"l\": [1, \"two\", [3], {\"k\": 4}], \"o\": {\"k\": \"v\", \"x\": [0]}}";

static void render_pair(const tc_value *tmpl, const tc_value *ctx)
{
	tc_arena a1, a2;
	tc_arena_init(&a1);
	tc_arena_init(&a2);
	tc_diags d1, d2;
	tc_diags_init(&d1);
	tc_diags_init(&d2);
	tc_value *r1 = NULL, *r2 = NULL;
	int rc1 = tc_jsone_render(&r1, &a1, &d1, tmpl, ctx, &fuzz_opts);
	tc_jsone_compiled *c = tc_jsone_compile(tmpl, fuzz_opts.max_depth);
	int rc2 = tc_jsone_render_compiled(&r2, &a2, &d2, c, ctx, &fuzz_opts);
	if (rc1 != rc2 || (rc1 == 0 && (!r1 != !r2 || (r1 && !tc_value_equal(r1, r2))))) {
		fprintf(stderr, "fuzz_jsone: render and render_compiled disagree (%d, %d)\n", rc1,
		        rc2);
		tc_diags_print(&d1, stderr);
		tc_diags_print(&d2, stderr);
		abort();
	}
	tc_jsone_compiled_free(c);
	tc_diags_release(&d1);
	tc_diags_release(&d2);
	tc_arena_release(&a1);
	tc_arena_release(&a2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const tc_yaml_limits lim = {.max_bytes = 1u << 20, .max_depth = 64, .max_nodes = 20000};
	tc_arena a;
	tc_arena_init(&a);
	tc_diags d;
	tc_diags_init(&d);
	tc_pos pos = {.file = "fuzz", .line = 1, .col = 1};

	tc_value *v = NULL;
	if (tc_json_load(&v, &a, &d, "fuzz.json", (const char *)data, size) != 0 &&
	    tc_yaml_load(&v, &a, &d, "fuzz.yaml", (const char *)data, size, &lim) != 0)
		v = NULL;
	if (v && v->kind == TC_ARRAY && v->u.arr.len >= 1) {
		tc_value *ctx = v->u.arr.len >= 2 ? v->u.arr.items[1] : NULL;
		if (!ctx || ctx->kind != TC_OBJECT)
			ctx = tc_value_object(&a, NULL, 0, pos, NULL);
		render_pair(v->u.arr.items[0], ctx);
	}

	tc_value *fixed = NULL;
	if (tc_json_load(&fixed, &a, &d, "context.json", fixed_context, sizeof fixed_context - 1))
		abort();
	tc_member m = {.key = "$eval",
	               .klen = 5,
	               .kpos = pos,
	               .val = tc_value_str(&a, (const char *)data, size, pos)};
	render_pair(tc_value_object(&a, &m, 1, pos, NULL), fixed);

	tc_diags_release(&d);
	tc_arena_release(&a);
	return 0;
}
