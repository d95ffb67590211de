/*
 * fuzz_cel_parse.c - the CEL lexer and parser on arbitrary text.
 *
 * The input is the expression. A parse either succeeds with a syntax tree
 * no taller than the depth limit, or fails with exactly one diagnostic
 * that has a position inside the text (line and column from 1); anything
 * else abort()s. A tree that parses also goes through the static checker
 * (tc_cel_check), which must give a cost estimate whose minimum is not
 * above its maximum, and every error it reports must carry a position.
 * Built with -DTC_LIBFUZZER as a libFuzzer target, otherwise linked with
 * replay.c into a driver over tests/fuzz/corpus/cel_parse/.
 */
#include "cel_check.h"
#include "cel_parse.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t max_height(const tc_cel_expr *e)
{
	if (!e)
		return 0;
	uint32_t h = max_height(e->recv);
	for (size_t i = 0; i < e->nargs; i++) {
		uint32_t k = max_height(e->args[i]);
		if (k > h)
			h = k;
	}
	return h + 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_diags d;
	tc_diags_init(&d);
	tc_cel_expr *e = NULL;
	int rc = tc_cel_parse(&e, &a, &d, "<expr>", (const char *)data, size);
	if (rc == 0) {
		if (!e || d.len != 0) {
			fprintf(stderr, "fuzz_cel_parse: a parse succeeded with %zu diagnostics\n",
			        d.len);
			abort();
		}
		/* the receiver adds a level the parser's own count includes */
		if (max_height(e) > TC_CEL_MAX_DEPTH + 1) {
			fprintf(stderr, "fuzz_cel_parse: a tree of height %u\n", max_height(e));
			abort();
		}
		tc_cel_check_result r;
		tc_cel_check(&r, &a, e, NULL);
		if (r.cost_min > r.cost_max) {
			fprintf(stderr, "fuzz_cel_parse: estimate %llu..%llu\n",
			        (unsigned long long)r.cost_min, (unsigned long long)r.cost_max);
			abort();
		}
		for (size_t i = 0; i < r.nerrors; i++)
			if (!r.errors[i].line || !r.errors[i].col || !r.errors[i].msg)
				abort();
	} else {
		if (rc != -1 || d.len != 1 || d.items[0].line == 0 || d.items[0].col == 0) {
			fprintf(stderr, "fuzz_cel_parse: a failed parse with %zu diagnostics\n",
			        d.len);
			abort();
		}
	}
	tc_diags_release(&d);
	tc_arena_release(&a);
	return 0;
}
