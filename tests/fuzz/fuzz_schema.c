/*
 * fuzz_schema.c - the schema compiler and validator on arbitrary input.
 *
 * An input is a JSON array: the schema first, then instances to check
 * against it (loudly, so message formatting runs too). Anything else is
 * simply rejected by the loader.
 * Built with -DTC_LIBFUZZER as a libFuzzer target, otherwise linked with
 * replay.c into a driver over tests/fuzz/corpus/schema/.
 */
#include "json_load.h"
#include "schema.h"
#include "schema_check.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_diags d;
	tc_diags_init(&d);
	tc_value *v = NULL;
	if (tc_json_load(&v, &a, &d, "fuzz.json", (const char *)data, size) == 0 &&
	    v->kind == TC_ARRAY && v->u.arr.len > 0) {
		for (int draft = 0; draft < 2; draft++) {
			tc_schema_opts o = {.draft = draft ? TC_DRAFT_4 : TC_DRAFT_2020,
			                    .format_assert = draft == 0};
			tc_schema *s = NULL;
			if (tc_schema_compile(&s, NULL, v->u.arr.items[0], &o, &d) < 0)
				continue;
			for (size_t i = 1; i < v->u.arr.len; i++) {
				tc_schema_check(s, v->u.arr.items[i], &d, NULL, TC_DIAG_FINDING);
				(void)tc_schema_valid(s, v->u.arr.items[i]);
			}
			tc_schema_free(s);
		}
	}
	tc_diags_release(&d);
	tc_arena_release(&a);
	return 0;
}
