/*
 * cel_bench.c - time tenantc's CEL evaluator on bench/cel/workload.json.
 *
 *   cel_bench WORKLOAD [ITERATIONS]
 *
 * Every expression is parsed once; the variables are turned into CEL
 * values once; then each expression is evaluated ITERATIONS times (default
 * 20000) with the arena reset in between, as a render evaluates one rule
 * per object. Prints one line per expression,
 *   NAME<TAB>NANOSECONDS PER EVALUATION<TAB>RESULT AS JSON
 * timed in CPU time of the process (the work done, which other load on the
 * machine disturbs less than wall-clock time); the best of three runs of
 * the loop counts.
 */
#include "cel_k8s.h"
#include "fsutil.h"
#include "json_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double cpu_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: cel_bench WORKLOAD [ITERATIONS]\n");
		return 2;
	}
	long iters = argc > 2 ? strtol(argv[2], NULL, 10) : 20000;
	tc_arena a, scratch;
	tc_arena_init(&a);
	tc_arena_init(&scratch);
	tc_diags d;
	tc_diags_init(&d);
	char *data;
	size_t len;
	tc_value *w;
	if (tc_file_read_report(&data, &len, &d, argv[1], (size_t)64 << 20) ||
	    tc_json_load(&w, &a, &d, argv[1], data, len)) {
		tc_diags_print(&d, stderr);
		return 2;
	}
	free(data);
	const tc_value *vars = tc_value_getz(w, "variables");
	const tc_value *exprs = tc_value_getz(w, "expressions");
	size_t nv = vars->u.obj.len;
	tc_cel_var *cv = tc_arena_alloc(&a, nv * sizeof *cv);
	for (size_t i = 0; i < nv; i++) {
		cv[i].name = vars->u.obj.members[i].key;
		cv[i].val = tc_cel_from_value(&a, vars->u.obj.members[i].val);
	}
	tc_cel_vars_sort(cv, nv);
	tc_cel_env env;
	tc_cel_k8s_env_init(&env, cv, nv);
	for (size_t k = 0; k < exprs->u.arr.len; k++) {
		const tc_value *x = exprs->u.arr.items[k];
		const tc_value *name = tc_value_getz(x, "name"), *src = tc_value_getz(x, "expr");
		tc_cel_expr *e;
		if (tc_cel_parse(&e, &a, &d, "<expr>", src->u.str.ptr, src->u.str.len)) {
			tc_diags_print(&d, stderr);
			return 2;
		}
		tc_cel_val *v = NULL;
		double best = 0;
		for (int run = 0; run < 3; run++) {
			double t0 = cpu_seconds();
			for (long i = 0; i < iters; i++) {
				tc_arena_reset(&scratch);
				(void)tc_cel_eval(&v, &scratch, &env, e, NULL);
			}
			double t = cpu_seconds() - t0;
			if (run == 0 || t < best)
				best = t;
		}
		tc_buf out;
		tc_buf_init(&out, TC_BUF_UNLIMITED);
		tc_cel_to_json(&out, v, false);
		printf("%s\t%.0f\t%s\n", name->u.str.ptr, best * 1e9 / (double)iters, tc_buf_str(&out));
		tc_buf_release(&out);
	}
	tc_diags_release(&d);
	tc_arena_release(&scratch);
	tc_arena_release(&a);
	return 0;
}
