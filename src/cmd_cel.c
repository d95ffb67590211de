/*
 * cmd_cel.c - `tenantc cel`: evaluate one CEL expression and print it.
 *
 *   tenantc cel EXPR [--context FILE] [--typed] [--max-cost N] [--check]
 *
 * EXPR "-" reads the expression from standard input (an expression may
 * hold bytes that no argument can, a NUL in b'\000' written raw).
 * The context is a YAML or JSON object (by file name) whose top-level keys
 * are the variables; with --typed each value is the JSON form of
 * cel.expr.Value ({"int64Value": "1"}), which can say uint, bytes,
 * durations and timestamps that YAML cannot. The result goes to stdout as
 * one line of JSON (docs/cel.md gives the form of each type; --typed
 * prints the cel.expr.Value form instead). A syntax error or an
 * evaluation error goes to stderr as "<expr>:LINE:COL: error: message"
 * and the exit status is 2. --check does not evaluate: it runs the static
 * checker (the context's variables declared with the kinds and sizes of
 * their values) and prints the result type and the estimated cost, or the
 * static errors; an estimate above the API server's limit for one CRD rule
 * is one of them.
 */
#include "cmd.h"

#include "cel_check.h"
#include "cel_eval.h"
#include "cel_k8s.h"
#include "fsutil.h"
#include "json_load.h"
#include "opt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] = "EXPR [--context FILE] [--typed] [--max-cost N] [--check]";

static int load_context(tc_cel_var **vars, size_t *nvars, tc_arena *a, tc_diags *d,
                        const char *path, bool typed)
{
	tc_value *doc = NULL;
	if (tc_doc_load_file(&doc, a, d, path))
		return -1;
	if (doc->kind == TC_NULL)
		return 0;
	if (doc->kind != TC_OBJECT)
		return tc_error(d, doc->pos, NULL, "the context must be an object of variables");
	*vars = tc_arena_alloc(a, doc->u.obj.len * sizeof **vars);
	for (size_t i = 0; i < doc->u.obj.len; i++) {
		const tc_member *m = &doc->u.obj.members[i];
		tc_cel_val *v;
		if (typed) {
			const char *why = NULL;
			v = tc_cel_from_typed(a, m->val, &why);
			if (!v) {
				tc_path at = TC_PATH_KEY(NULL, m->key, m->klen);
				return tc_error(d, m->val->pos, &at, "%s", why);
			}
		} else {
			v = tc_cel_from_value(a, m->val);
		}
		(*vars)[i].name = m->key;
		(*vars)[i].val = v;
	}
	*nvars = doc->u.obj.len;
	tc_cel_vars_sort(*vars, *nvars);
	return 0;
}

static void add_cost(tc_buf *b, uint64_t c)
{
	if (c == TC_CEL_UNBOUNDED)
		tc_buf_adds(b, "\"unbounded\"");
	else
		tc_buf_addf(b, "%llu", (unsigned long long)c);
}

/* --check: the static errors, or {"type": ..., "estimatedCost": {"min":
 * ..., "max": ...}} */
static int check_expr(tc_arena *a, tc_diags *d, const tc_cel_expr *e, const tc_cel_var *vars,
                      size_t nvars)
{
	tc_cel_check_var *cv = tc_arena_alloc(a, (nvars + 1) * sizeof *cv);
	for (size_t i = 0; i < nvars; i++) {
		cv[i].name = vars[i].name;
		cv[i].decl = tc_cel_decl_of(a, vars[i].val);
	}
	tc_cel_env k8s;
	tc_cel_k8s_env_init(&k8s, vars, nvars);
	tc_cel_check_env env = {.vars = cv, .nvars = nvars, .runtime = &k8s};
	tc_cel_check_result r;
	tc_cel_check(&r, a, e, &env);
	for (size_t i = 0; i < r.nerrors; i++) {
		tc_pos p = {"<expr>", r.errors[i].line, r.errors[i].col};
		tc_error(d, p, NULL, "%s", r.errors[i].msg);
	}
	if (!r.nerrors && r.cost_max > TC_CEL_STATIC_COST_LIMIT) {
		tc_pos p = {"<expr>", e->line, e->col};
		if (r.cost_max == TC_CEL_UNBOUNDED)
			tc_error(d, p, NULL,
			         "the estimated cost is unbounded, above the API server's limit of "
			         "%llu for one expression (bound the sizes it ranges over)",
			         (unsigned long long)TC_CEL_STATIC_COST_LIMIT);
		else
			tc_error(d, p, NULL,
			         "the estimated cost %llu is above the API server's limit of %llu "
			         "for one expression",
			         (unsigned long long)r.cost_max,
			         (unsigned long long)TC_CEL_STATIC_COST_LIMIT);
	}
	if (tc_diags_has_errors(d))
		return 2;
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	tc_buf_addf(&b, "{\"type\":\"%s\",\"estimatedCost\":{\"min\":", tc_cel_tkind_name(r.type));
	add_cost(&b, r.cost_min);
	tc_buf_adds(&b, ",\"max\":");
	add_cost(&b, r.cost_max);
	tc_buf_adds(&b, "}}\n");
	fwrite(tc_buf_str(&b), 1, b.len, stdout);
	tc_buf_release(&b);
	return 0;
}

int tc_cmd_cel(int argc, char **argv)
{
	const char *ctx_path = NULL;
	bool typed = false, check = false;
	long max_cost = 0;
	tc_strlist pos = {0};
	const tc_option opts[] = {
		{"context", 'c', TC_OPT_STRING, &ctx_path, "FILE",
	         "the variables (a YAML or JSON object)"},
		{"typed", 0, TC_OPT_FLAG, &typed, NULL,
	         "context values and the result in the cel.expr.Value JSON form"},
		{"max-cost", 0, TC_OPT_INT, &max_cost, "N",
	         "the runtime cost budget (default: 1000000, the API server's)"},
		{"check", 0, TC_OPT_FLAG, &check, NULL,
	         "check statically and print the type and the estimated cost instead"},
		{0},
	};
	int r = tc_opt_parse_one("cel", usage, opts, argc, argv, &pos, "EXPR");
	if (r == 0 && max_cost < 0) {
		tc_usage_error("--max-cost", "must not be negative");
		r = 2;
	}
	if (r) {
		tc_strlist_release(&pos);
		return r == 1 ? 0 : r;
	}
	tc_arena a;
	tc_arena_init(&a);
	tc_diags d;
	tc_diags_init(&d);
	tc_cel_var *vars = NULL;
	size_t nvars = 0;
	tc_cel_expr *e = NULL;
	const char *src = pos.items[0];
	size_t srclen = strlen(src);
	char *stdin_src = NULL;
	int rc = 2;
	if (strcmp(src, "-") == 0) {
		if (tc_fd_read_all(&stdin_src, &srclen, 0, 4096, TC_CEL_MAX_SOURCE + 1)) {
			tc_error(&d, TC_NOPOS, NULL,
			         "cannot read the expression from standard input");
			goto done;
		}
		src = stdin_src;
	}
	if ((!ctx_path || load_context(&vars, &nvars, &a, &d, ctx_path, typed) == 0) &&
	    tc_cel_parse(&e, &a, &d, "<expr>", src, srclen) == 0) {
		if (check) {
			rc = check_expr(&a, &d, e, vars, nvars);
			goto done;
		}
		tc_cel_env env;
		tc_cel_k8s_env_init(&env, vars, nvars);
		env.cost_limit = (uint64_t)max_cost;
		tc_cel_val *v = NULL;
		(void)tc_cel_eval(&v, &a, &env, e, NULL);
		if (v->kind == TC_CEL_ERROR) {
			tc_pos p = {"<expr>", v->u.err.line ? v->u.err.line : 1,
			            v->u.err.col ? v->u.err.col : 1};
			tc_error(&d, p, NULL, "%s", v->u.err.ptr);
		} else {
			tc_buf b;
			tc_buf_init(&b, TC_BUF_UNLIMITED);
			tc_cel_to_json(&b, v, typed);
			tc_buf_addc(&b, '\n');
			fwrite(tc_buf_str(&b), 1, b.len, stdout);
			tc_buf_release(&b);
			rc = 0;
		}
	}
done:
	free(stdin_src);
	tc_diags_print(&d, stderr);
	tc_diags_release(&d);
	tc_arena_release(&a);
	tc_strlist_release(&pos);
	return rc;
}
