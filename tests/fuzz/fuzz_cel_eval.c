/*
 * fuzz_cel_eval.c - the CEL evaluator and its library on arbitrary
 * expressions.
 *
 * The input is the expression; one that parses is evaluated against a
 * fixed context holding every kind of value (self, a nested object with
 * lists, strings, numbers, bytes, a duration and a timestamp) under a
 * small cost budget (20,000 units, so hostile expressions end fast),
 * twice: both results must be the same (the evaluator has no hidden
 * state), the spent cost may pass the budget only by what the last step
 * charged (the budget stops it), and the result must print as JSON that
 * loads back, in both the plain and the typed form. Any other outcome
 * abort()s. Built with -DTC_LIBFUZZER as a libFuzzer target, otherwise
 * linked with replay.c into a driver over tests/fuzz/corpus/cel_eval/.
 */
#include "cel_eval.h"
#include "json_load.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BUDGET 20000u

static const char fixed_context[] =
	"{\"self\": {\"spec\": {\"replicas\": 3, \"name\": \"web-1\", \"ratio\": 0.5,"
	" \"paused\": false, \"labels\": {\"app\": \"web\", \"tier\": \"front\"},"
	" \"ports\": [80, 443], \"containers\": [{\"name\": \"a\", \"image\": \"x:1\"},"
	" {\"name\": \"b\", \"limits\": {\"cpu\": \"500m\"}}]}, \"status\": null},"
	" \"n\": 7, \"s\": \"h\\u00e9llo w\\u00f6rld\", \"l\": [1, \"two\", [3], {\"k\": 4}],"
	" \"u\": {\"uint64Value\": \"18446744073709551615\"}, \"b\": {\"bytesValue\": \"/wBh\"},"
	" \"d\": {\"objectValue\": {\"@type\": \"type.googleapis.com/google.protobuf.Duration\","
	" \"value\": \"90.5s\"}},"
	" \"t\": {\"objectValue\": {\"@type\": \"type.googleapis.com/google.protobuf.Timestamp\","
	" \"value\": \"2009-02-13T23:31:30Z\"}}}";

static char *print(const tc_cel_val *v, bool typed)
{
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	tc_cel_to_json(&b, v, typed);
	size_t n;
	return tc_buf_detach(&b, &n);
}

static void loads(tc_arena *a, const char *json)
{
	tc_diags d;
	tc_diags_init(&d);
	tc_value *v;
	if (tc_json_load(&v, a, &d, "result.json", json, strlen(json)) != 0) {
		fprintf(stderr, "fuzz_cel_eval: the result is not JSON: %s\n", json);
		abort();
	}
	tc_diags_release(&d);
}

static void run(tc_arena *a, const tc_cel_env *env, const tc_cel_expr *e, char **plain,
                char **typed, int *rc)
{
	tc_cel_val *v = NULL;
	uint64_t cost = 0;
	*rc = tc_cel_eval(&v, a, env, e, &cost);
	if (!v || (*rc == 0 && cost > BUDGET) || (*rc != 0 && v->kind != TC_CEL_ERROR)) {
		fprintf(stderr, "fuzz_cel_eval: rc %d cost %llu\n", *rc, (unsigned long long)cost);
		abort();
	}
	/* one step charges at most a traversal of the largest value, well under this */
	if (cost > (uint64_t)BUDGET + (TC_CEL_MAX_SIZE / 16) + 16) {
		fprintf(stderr, "fuzz_cel_eval: cost %llu ran past the budget\n",
		        (unsigned long long)cost);
		abort();
	}
	*plain = print(v, false);
	*typed = print(v, true);
	if (v->kind != TC_CEL_ERROR) {
		loads(a, *plain);
		loads(a, *typed);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_diags d;
	tc_diags_init(&d);
	tc_value *doc = NULL;
	if (tc_json_load(&doc, &a, &d, "context.json", fixed_context, sizeof fixed_context - 1))
		abort();
	size_t nvars = doc->u.obj.len;
	tc_cel_var *vars = tc_arena_alloc(&a, nvars * sizeof *vars);
	for (size_t i = 0; i < nvars; i++) {
		const tc_member *m = &doc->u.obj.members[i];
		const char *why = NULL;
		vars[i].name = m->key;
		vars[i].val = m->val->kind == TC_OBJECT && m->val->u.obj.len == 1 &&
		                              strstr(m->val->u.obj.members[0].key, "Value")
		                      ? tc_cel_from_typed(&a, m->val, &why)
		                      : tc_cel_from_value(&a, m->val);
		if (!vars[i].val)
			abort();
	}
	tc_cel_vars_sort(vars, nvars);
	tc_cel_expr *e = NULL;
	if (tc_cel_parse(&e, &a, &d, "<expr>", (const char *)data, size) == 0) {
		tc_cel_env env;
		tc_cel_env_init(&env, vars, nvars);
		env.cost_limit = BUDGET;
		char *p1, *t1, *p2, *t2;
		int rc1, rc2;
		run(&a, &env, e, &p1, &t1, &rc1);
		run(&a, &env, e, &p2, &t2, &rc2);
		if (rc1 != rc2 || strcmp(p1, p2) != 0 || strcmp(t1, t2) != 0) {
			fprintf(stderr, "fuzz_cel_eval: two evaluations differ: %s / %s\n", p1, p2);
			abort();
		}
		free(p1);
		free(t1);
		free(p2);
		free(t2);
	}
	tc_diags_release(&d);
	tc_arena_release(&a);
	return 0;
}
