/*
 * test_jsone.c - unit tests for the JSON-e lexer, parser, evaluator,
 * operators and built-ins. The specification suite (jsone_spec) covers the
 * language itself; these cases cover what it does not: tenantc's
 * decisions, limits, taint, positions, host functions, the compiled form
 * and threads.
 */
#include "json_emit.h"
#include "json_load.h"
#include "jsone.h"
#include "jsone_builtins.h"
#include "jsone_lex.h"
#include "jsone_parse.h"

#include "tc_test.h"

#include <pthread.h>
#include <stdlib.h>

static const char *fmt(double x)
{
	static char out[64];
	tc_buf b;
	tc_buf_init(&b, 64);
	tc_jsone_format_number(&b, x);
	snprintf(out, sizeof out, "%s", tc_buf_str(&b));
	tc_buf_release(&b);
	return out;
}

/* A render of JSON text; returns the compact JSON result, or the first
 * diagnostic as "E file:line:col msg". The strings live until the next
 * call. */
typedef struct fixture {
	tc_arena a;
	tc_diags d;
	char *text;
} fixture;

static tc_value *json(fixture *f, const char *name, const char *s)
{
	tc_value *v = NULL;
	if (tc_json_load(&v, &f->a, &f->d, name, s, strlen(s)) != 0)
		return NULL;
	return v;
}

static const char *run_opts(fixture *f, const char *tmpl, const char *ctx,
                            const tc_jsone_opts *opts)
{
	free(f->text);
	f->text = NULL;
	tc_arena_release(&f->a);
	tc_arena_init(&f->a);
	tc_diags_release(&f->d);
	tc_diags_init(&f->d);
	tc_value *t = json(f, "t.json", tmpl);
	tc_value *c = ctx ? json(f, "c.json", ctx) : NULL;
	if (!t || (ctx && !c))
		return "bad test input";
	tc_value *out;
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	if (tc_jsone_render(&out, &f->a, &f->d, t, c, opts) == 0) {
		tc_json_emit(&b, out, false);
	} else {
		const tc_diag *g = &f->d.items[0];
		tc_buf_addf(&b, "E %s:%u:%u %s", g->file ? g->file : "-", g->line, g->col, g->msg);
	}
	f->text = tc_buf_detach(&b, NULL);
	return f->text;
}

static const char *run(fixture *f, const char *tmpl, const char *ctx)
{
	return run_opts(f, tmpl, ctx, NULL);
}

static void fixture_init(fixture *f)
{
	tc_arena_init(&f->a);
	tc_diags_init(&f->d);
	f->text = NULL;
}

static void fixture_release(fixture *f)
{
	free(f->text);
	tc_arena_release(&f->a);
	tc_diags_release(&f->d);
}

TEST(jsone_format_number_matches_javascript)
{
	CHECK_STR(fmt(1), "1");
	CHECK_STR(fmt(-1.5), "-1.5");
	CHECK_STR(fmt(0.1), "0.1");
	CHECK_STR(fmt(0.1 + 0.2), "0.30000000000000004");
	CHECK_STR(fmt(1.0 / 3), "0.3333333333333333");
	CHECK_STR(fmt(2.0 / 3), "0.6666666666666666");
	CHECK_STR(fmt(1e21), "1e+21");
	CHECK_STR(fmt(1e20), "100000000000000000000");
	CHECK_STR(fmt(1e-6), "0.000001");
	CHECK_STR(fmt(1e-7), "1e-7");
	CHECK_STR(fmt(9007199254740993.0), "9007199254740992");
	CHECK_STR(fmt(-0.0), "0");
	CHECK_STR(fmt(5e-324), "5e-324");
	CHECK_STR(fmt(1.7976931348623157e308), "1.7976931348623157e+308");
	CHECK_STR(fmt(123456789012345678901.0), "123456789012345680000");
	CHECK_STR(fmt(12345678.9), "12345678.9");
	CHECK_STR(fmt(0.0000025), "0.0000025");
	CHECK_STR(fmt(1.5e300), "1.5e+300");
}

TEST(jsone_lex_takes_keywords_only_as_whole_words)
{
	const char *s = "input in true_x null";
	tc_jsone_token t;
	CHECK(tc_jsone_lex(&t, s, strlen(s), 0) && t.kind == TC_TK_IDENT && t.end == 5);
	CHECK(tc_jsone_lex(&t, s, strlen(s), t.end) && t.kind == TC_TK_IN);
	CHECK(tc_jsone_lex(&t, s, strlen(s), t.end) && t.kind == TC_TK_IDENT);
	CHECK(tc_jsone_lex(&t, s, strlen(s), t.end) && t.kind == TC_TK_NULL);
	CHECK(tc_jsone_lex(&t, s, strlen(s), t.end) && t.kind == TC_TK_EOF);
	const char *u = "1e3 \xc2\xa0 ** =";
	CHECK(tc_jsone_lex(&t, u, strlen(u), 0) && t.kind == TC_TK_NUMBER && t.end == 1);
	CHECK(tc_jsone_lex(&t, u, strlen(u), t.end) && t.kind == TC_TK_IDENT);
	CHECK(tc_jsone_lex(&t, u, strlen(u), t.end) && t.kind == TC_TK_POW); /* NBSP skipped */
	CHECK(!tc_jsone_lex(&t, u, strlen(u), t.end) && u[t.start] == '=');
}

TEST(jsone_parse_reports_end_of_input_and_unit_errors)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_buf err;
	tc_buf_init(&err, 4096);
	tc_jsone_node *n;
	CHECK(tc_jsone_parse(&n, NULL, &a, "1 +", 3, false, TC_NOPOS, 100, &err) == -1);
	CHECK_STR(tc_buf_str(&err), "Unexpected end of input");
	tc_buf_reset(&err);
	CHECK(tc_jsone_parse(&n, NULL, &a, "[1,2,]", 6, false, TC_NOPOS, 100, &err) == -1);
	CHECK(strncmp(tc_buf_str(&err), "Found: ] token, expected one of: !, (,", 38) == 0);
	tc_buf_reset(&err);
	CHECK(tc_jsone_parse(&n, NULL, &a, "", 0, false, TC_NOPOS, 100, &err) == -1);
	CHECK_STR(tc_buf_str(&err), "Unexpected end of input");
	tc_buf_reset(&err);
	size_t end = 0;
	CHECK(tc_jsone_parse(&n, &end, &a, "a }rest", 7, true, TC_NOPOS, 100, &err) == 0);
	CHECK(end == 3);
	CHECK(tc_jsone_parse(&n, &end, &a, "a +", 3, true, TC_NOPOS, 100, &err) == -1);
	CHECK_STR(tc_buf_str(&err), "unterminated ${..} expression");
	tc_buf_release(&err);
	tc_arena_release(&a);
}

TEST(jsone_precedence_binds_unary_tighter_than_postfix_and_in_looser_than_eq)
{
	fixture f;
	fixture_init(&f);
	CHECK_STR(run(&f, "{\"$eval\": \"-2 ** 2\"}", NULL), "4");
	CHECK_STR(run(&f, "{\"$eval\": \"2 ** 2 ** 3\"}", NULL), "256");
	CHECK_STR(run(&f, "{\"$eval\": \"1 == 1 in [true]\"}", NULL), "true");
	CHECK_STR(run(&f, "{\"$eval\": \"!defined('x')\"}", NULL),
	          "E t.json:1:11 InterpreterError: false is not callable");
	fixture_release(&f);
}

TEST(jsone_arithmetic_keeps_integers_and_rejects_non_finite_results)
{
	fixture f;
	fixture_init(&f);
	CHECK_STR(run(&f, "{\"$eval\": \"6 / 3 + 1\"}", NULL), "3");
	CHECK_STR(run(&f, "{\"$eval\": \"1 / 4\"}", NULL), "0.25");
	CHECK_STR(run(&f, "{\"$eval\": \"1.5 * 2\"}", NULL), "3.0");
	CHECK(strstr(run(&f, "{\"$eval\": \"10 ** 400\"}", NULL),
	             "InterpreterError: result is not a finite number (Infinity)") != NULL);
	CHECK(strstr(run(&f, "{\"$eval\": \"sqrt(0 - 1)\"}", NULL), "not a finite number") != NULL);
	fixture_release(&f);
}

TEST(jsone_strings_index_and_slice_by_code_point)
{
	fixture f;
	fixture_init(&f);
	CHECK_STR(run(&f, "{\"$eval\": \"s[1] + s[-1] + s[1:3]\"}", "{\"s\": \"h\\u00e9llo\"}"),
	          "\"\xc3\xa9o\xc3\xa9l\"");
	CHECK_STR(run(&f, "{\"$eval\": \"len(s)\"}", "{\"s\": \"\\ud83d\\ude00x\"}"), "2");
	CHECK(strstr(run(&f, "{\"$eval\": \"[1,2][-3]\"}", NULL), "index out of bounds") != NULL);
	CHECK_STR(run(&f, "{\"$eval\": \"split('a\\u00e9b', '')\"}", NULL),
	          "[\"a\",\"\xc3\xa9\",\"b\"]");
	fixture_release(&f);
}

TEST(jsone_errors_point_at_the_failing_template_node)
{
	fixture f;
	fixture_init(&f);
	const char *t = "{\"metadata\": {\n  \"name\": \"${tenantt.name}\"}}";
	CHECK_STR(run(&f, t, "{\"tenant\": {\"name\": \"a\"}}"),
	          "E t.json:2:11 InterpreterError at template.metadata.name: unknown context value "
	          "tenantt");
	CHECK_STR(run(&f, "{\"my_key\": [0, {\"$eval\": 1}]}", NULL),
	          "E t.json:1:16 TemplateError at template[\"my_key\"][1]: $eval must be given a "
	          "string expression");
	fixture_release(&f);
}

TEST(jsone_results_carry_the_position_of_the_template_node)
{
	fixture f;
	fixture_init(&f);
	tc_value *t = json(&f, "t.json", "{\"a\": \"x${v}\",\n \"b\": {\"$eval\": \"v\"}}");
	tc_value *c = json(&f, "c.json", "{\"v\": \"y\"}");
	tc_value *out;
	CHECK(tc_jsone_render(&out, &f.a, &f.d, t, c, NULL) == 0);
	tc_value *a = tc_value_getz(out, "a"), *b = tc_value_getz(out, "b");
	CHECK(a && a->pos.line == 1 && a->pos.col == 7 && strcmp(a->pos.file, "t.json") == 0);
	CHECK(b && b->pos.line == 2 && strcmp(b->pos.file, "t.json") == 0);
	fixture_release(&f);
}

TEST(jsone_step_limit_stops_a_huge_range_before_allocating)
{
	fixture f;
	fixture_init(&f);
	CHECK_STR(run(&f, "{\"$eval\": \"range(0, 1000000000)\"}", NULL),
	          "E t.json:1:11 TemplateError: evaluation exceeds the limit of 10000000 steps");
	tc_jsone_opts o = {.max_steps = 50};
	CHECK(strstr(run_opts(&f,
	                      "{\"$map\": {\"$eval\": \"range(0, 40)\"}, \"each(x)\": \"${x}\"}",
	                      NULL, &o),
	             "limit of 50 steps") != NULL);
	fixture_release(&f);
}

TEST(jsone_output_limit_stops_doubling_strings)
{
	fixture f;
	fixture_init(&f);
	tc_jsone_opts o = {.max_output = 1 << 20};
	const char *t = "{\"$reduce\": {\"$eval\": \"range(0, 40)\"}, \"initial\": \"xy\", "
			"\"each(acc, x)\": {\"$eval\": \"acc + acc\"}}";
	CHECK(strstr(run_opts(&f, t, NULL, &o), "output exceeds the limit of 1048576 bytes") !=
	      NULL);
	fixture_release(&f);
}

TEST(jsone_depth_limit_stops_deep_results_and_expressions)
{
	fixture f;
	fixture_init(&f);
	const char *t = "{\"$reduce\": {\"$eval\": \"range(0, 1000)\"}, \"initial\": [], "
			"\"each(acc, x)\": {\"$eval\": \"[acc]\"}}";
	CHECK(strstr(run(&f, t, NULL), "result nested deeper than 500 levels") != NULL);
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	tc_buf_adds(&b, "{\"$eval\": \"");
	for (int i = 0; i < 2000; i++)
		tc_buf_addc(&b, '(');
	tc_buf_addc(&b, '1');
	for (int i = 0; i < 2000; i++)
		tc_buf_addc(&b, ')');
	tc_buf_adds(&b, "\"}");
	CHECK(strstr(run(&f, tc_buf_str(&b), NULL), "expression nested deeper than") != NULL);
	tc_buf_release(&b);
	fixture_release(&f);
}

TEST(jsone_secret_taint_survives_interpolation_and_helpers_and_is_never_printed)
{
	fixture f;
	fixture_init(&f);
	tc_value *t =
		json(&f, "t.json",
	             "{\"a\": \"pw=${s}\", \"b\": {\"$eval\": \"b64encode(s)\"}, "
	             "\"c\": {\"$eval\": \"s + '!'\"}, \"d\": {\"$eval\": \"split(s, 'e')\"}, "
	             "\"e\": \"plain\", \"f\": {\"$eval\": \"o.k\"}}");
	tc_value *c = json(&f, "c.json", "{\"s\": \"hunter2secret\", \"o\": {\"k\": \"v\"}}");
	tc_value *s = tc_value_getz(c, "s");
	s->flags |= TC_VAL_SECRET;
	tc_value_getz(c, "o")->flags |= TC_VAL_SECRET;
	tc_jsone_opts o = {.extras = true};
	tc_value *out;
	CHECK(tc_jsone_render(&out, &f.a, &f.d, t, c, &o) == 0);
	CHECK(tc_value_getz(out, "a")->flags & TC_VAL_SECRET);
	CHECK(tc_value_getz(out, "b")->flags & TC_VAL_SECRET);
	CHECK(tc_value_getz(out, "c")->flags & TC_VAL_SECRET);
	CHECK(tc_value_getz(out, "d")->u.arr.items[0]->flags & TC_VAL_SECRET);
	CHECK(!(tc_value_getz(out, "e")->flags & TC_VAL_SECRET));
	CHECK(tc_value_getz(out, "f")->flags & TC_VAL_SECRET);
	tc_value *t2 = json(&f, "t.json", "{\"$eval\": \"s(1)\"}");
	CHECK(tc_jsone_render(&out, &f.a, &f.d, t2, c, &o) == -1);
	CHECK_STR(f.d.items[f.d.len - 1].msg, "InterpreterError: <redacted> is not callable");
	fixture_release(&f);
}

TEST(jsone_extras_exist_only_when_asked_for)
{
	fixture f;
	fixture_init(&f);
	CHECK_STR(run(&f, "{\"$eval\": \"b64encode('a')\"}", NULL),
	          "E t.json:1:11 InterpreterError: unknown context value b64encode");
	tc_jsone_opts o = {.extras = true};
	CHECK_STR(
		run_opts(&f,
	                 "[{\"$eval\": \"b64encode('ab')\"}, {\"$eval\": \"b64decode('YWI=')\"}, "
	                 "{\"$eval\": \"sha256('')\"}, {\"$eval\": \"toJson({b: 1, a: [true]})\"}]",
	                 NULL, &o),
		"[\"YWI=\",\"ab\",\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\","
		"\"{\\\"a\\\":[true],\\\"b\\\":1}\"]");
	CHECK(strstr(run_opts(&f, "{\"$eval\": \"b64decode('!!')\"}", NULL, &o), "not base64") !=
	      NULL);
	fixture_release(&f);
}

TEST(jsone_merge_values_replaces_lists_where_merge_deep_concatenates_them)
{
	/* the example's defaults were merged with $mergeDeep, so a default
	 * port could never be removed: [8443] + [8443] allowed 8443 twice */
	fixture f;
	fixture_init(&f);
	tc_jsone_opts o = {.extras = true};
	const char *ctx = "{\"d\": {\"kc\": {\"ns\": \"keycloak\", \"ports\": [8443]}, \"q\": 1}, "
			  "\"env\": {\"kc\": {\"ports\": [8443]}, \"q\": [2]}}";
	CHECK_STR(run_opts(&f, "{\"$mergeDeep\": [{\"$eval\": \"d\"}, {\"$eval\": \"env\"}]}", ctx,
	                   &o),
	          "{\"kc\":{\"ns\":\"keycloak\",\"ports\":[8443,8443]},\"q\":[2]}");
	CHECK_STR(run_opts(&f, "{\"$eval\": \"mergeValues(d, env)\"}", ctx, &o),
	          "{\"kc\":{\"ns\":\"keycloak\",\"ports\":[8443]},\"q\":[2]}");
	CHECK_STR(run_opts(&f, "{\"$eval\": \"mergeValues(d, env, {kc: {ports: []}}).kc\"}", ctx,
	                   &o),
	          "{\"ns\":\"keycloak\",\"ports\":[]}");
	CHECK_STR(run_opts(&f, "{\"$eval\": \"mergeValues(d)\"}", ctx, &o),
	          "{\"kc\":{\"ns\":\"keycloak\",\"ports\":[8443]},\"q\":1}");
	CHECK_STR(run_opts(&f, "{\"$eval\": \"mergeValues()\"}", ctx, &o),
	          "E t.json:1:11 BuiltinError: invalid arguments to builtin: mergeValues");
	CHECK_STR(run(&f, "{\"$eval\": \"mergeValues(d)\"}", ctx),
	          "E t.json:1:11 InterpreterError: unknown context value mergeValues");
	fixture_release(&f);
}

static int host_twice(tc_value **out, void *ud, tc_arena *a, tc_diags *d, tc_pos pos,
                      tc_value *const *args, size_t nargs)
{
	(void)ud;
	if (nargs != 1 || args[0]->kind != TC_STR)
		return tc_error(d, pos, NULL, "BuiltinError: invalid arguments to builtin: twice");
	char *s = tc_arena_printf(a, "%s%s", args[0]->u.str.ptr, args[0]->u.str.ptr);
	*out = tc_value_strz(a, s, pos);
	return 0;
}

TEST(jsone_host_functions_are_called_and_their_errors_end_the_render)
{
	fixture f;
	fixture_init(&f);
	tc_jsone_host h = {"twice", host_twice, NULL};
	tc_jsone_opts o = {.hostfns = &h, .nhostfns = 1};
	CHECK_STR(run_opts(&f, "{\"$eval\": \"twice('ab')\"}", NULL, &o), "\"abab\"");
	CHECK_STR(run_opts(&f, "{\"$eval\": \"twice(1)\"}", NULL, &o),
	          "E t.json:1:11 BuiltinError: invalid arguments to builtin: twice");
	CHECK_STR(run_opts(&f, "{\"$eval\": \"twice\"}", NULL, &o),
	          "E t.json:1:1 TemplateError: evaluated template contained uncalled functions");
	fixture_release(&f);
}

TEST(jsone_now_comes_from_the_options_and_the_context_overrides_it)
{
	fixture f;
	fixture_init(&f);
	CHECK_STR(run(&f, "{\"$fromNow\": \"1 day\"}", NULL), "\"1970-01-02T00:00:00.000Z\"");
	tc_jsone_opts o = {.now = "2026-01-02T03:04:05.678Z"};
	CHECK_STR(run_opts(&f, "{\"$fromNow\": \"-1 hour\"}", NULL, &o),
	          "\"2026-01-02T02:04:05.678Z\"");
	CHECK_STR(run_opts(&f, "{\"$eval\": \"fromNow('1 y', '2020-02-29T00:00:00+01:00')\"}", NULL,
	                   &o),
	          "\"2021-02-27T23:00:00.000Z\"");
	CHECK_STR(run_opts(&f, "{\"$fromNow\": \"\"}", "{\"now\": \"2000-01-01T00:00:00.9999Z\"}",
	                   &o),
	          "\"2000-01-01T00:00:00.999Z\"");
	CHECK(strstr(run(&f, "{\"$fromNow\": \"1s 1y\"}", NULL), "isn't a time expression") !=
	      NULL);
	CHECK(strstr(run(&f, "{\"$fromNow\": \"1 day\"}", "{\"now\": 5}"), "RFC 3339") != NULL);
	fixture_release(&f);
}

TEST(jsone_time_parses_and_formats_rfc3339)
{
	int64_t ms;
	char buf[32];
	CHECK(tc_jsone_parse_time(&ms, "2017-01-19T16:27:20.974Z", 24));
	CHECK(ms == 1484843240974);
	CHECK(tc_jsone_format_time(buf, ms) && strcmp(buf, "2017-01-19T16:27:20.974Z") == 0);
	CHECK(tc_jsone_format_time(buf, -1) && strcmp(buf, "1969-12-31T23:59:59.999Z") == 0);
	CHECK(!tc_jsone_parse_time(&ms, "2017-02-29T00:00:00Z", 20));
	CHECK(!tc_jsone_parse_time(&ms, "2017-01-19", 10));
	CHECK(!tc_jsone_format_time(buf, 253402300800000)); /* year 10000 */
}

TEST(jsone_json_and_join_follow_tenantc_decisions)
{
	fixture f;
	fixture_init(&f);
	CHECK_STR(run(&f, "{\"$json\": {\"$if\": \"false\"}}", NULL), "\"null\"");
	CHECK_STR(run(&f, "{\"$json\": {\"b\": \"\\u0010\", \"a\": 1.5}}", NULL),
	          "\"{\\\"a\\\":1.5,\\\"b\\\":\\\"\\\\u0010\\\"}\"");
	CHECK(strstr(run(&f, "{\"$eval\": \"join([1, null], ',')\"}", NULL),
	             "BuiltinError: invalid arguments to builtin: join") != NULL);
	CHECK_STR(run(&f, "{\"$eval\": \"join([1, true, 'x'], 2)\"}", NULL), "\"12true2x\"");
	CHECK(strstr(run(&f, "{\"$eval\": \"range(1, 5, 0)\"}", NULL), "builtin: range") != NULL);
	CHECK(strstr(run(&f, "{\"$eval\": \"min(1, 2, 3, 4, 5, 6)\"}", NULL), "1") != NULL);
	CHECK(strstr(run(&f, "{\"$eval\": \"number('')\"}", NULL), "builtin: number") != NULL);
	CHECK_STR(run(&f, "{\"$eval\": \"number(' -1.5e1 ')\"}", NULL), "-15.0");
	fixture_release(&f);
}

TEST(jsone_unchanged_template_parts_are_shared_not_copied)
{
	fixture f;
	fixture_init(&f);
	tc_value *t = json(&f, "t.json", "{\"a\": [1, {\"b\": \"c\"}], \"d\": \"${x}\"}");
	tc_value *c = json(&f, "c.json", "{\"x\": 1}");
	tc_value *out;
	CHECK(tc_jsone_render(&out, &f.a, &f.d, t, c, NULL) == 0);
	CHECK(tc_value_getz(out, "a") == tc_value_getz(t, "a"));
	CHECK(tc_value_streq(tc_value_getz(out, "d"), "1"));
	fixture_release(&f);
}

typedef struct job {
	const tc_jsone_compiled *c;
	int id;
	int ok;
} job;

static void *worker(void *p)
{
	job *j = p;
	for (int i = 0; i < 200; i++) {
		tc_arena a;
		tc_arena_init(&a);
		tc_diags d;
		tc_diags_init(&d);
		char ctxs[64];
		snprintf(ctxs, sizeof ctxs, "{\"n\": %d}", j->id * 1000 + i);
		tc_value *c = NULL, *out = NULL;
		if (tc_json_load(&c, &a, &d, "c", ctxs, strlen(ctxs)) == 0 &&
		    tc_jsone_render_compiled(&out, &a, &d, j->c, c, NULL) == 0) {
			char want[64];
			snprintf(want, sizeof want, "n=%d", j->id * 1000 + i + 1);
			tc_value *v = tc_value_getz(out, "v");
			j->ok += v && tc_value_streq(v, want);
		}
		tc_diags_release(&d);
		tc_arena_release(&a);
	}
	return NULL;
}

TEST(jsone_compiled_template_is_shared_by_threads)
{
	fixture f;
	fixture_init(&f);
	tc_value *t = json(&f, "t.json",
	                   "{\"v\": \"n=${n + 1}\", \"w\": {\"$if\": \"n > 5\", "
	                   "\"then\": \"${n}\"}}");
	tc_jsone_compiled *c = tc_jsone_compile(t, 0);
	CHECK(c && tc_jsone_compiled_template(c) == t);
	job jobs[4];
	pthread_t th[4];
	for (int i = 0; i < 4; i++) {
		jobs[i] = (job){c, i, 0};
		pthread_create(&th[i], NULL, worker, &jobs[i]);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	tc_jsone_compiled_free(c);
	for (int i = 0; i < 4; i++)
		CHECK(jobs[i].ok == 200);
	fixture_release(&f);
}

TEST(jsone_syntax_errors_are_raised_only_when_reached)
{
	fixture f;
	fixture_init(&f);
	CHECK_STR(run(&f, "{\"$if\": \"false\", \"then\": {\"$eval\": \"(((\"}, \"else\": 1}",
	              NULL),
	          "1");
	CHECK_STR(
		run(&f, "{\"a\": \"${x} ${y\"}", "{\"x\": []}"),
		"E t.json:1:7 TemplateError at template.a: interpolation of 'x' produced an array "
		"or object");
	CHECK_STR(run(&f, "{\"a\": \"${x} ${y\"}", "{\"x\": 1}"),
	          "E t.json:1:7 SyntaxError at template.a: unterminated ${..} expression");
	fixture_release(&f);
}

int main(void)
{
	return RUN(jsone_format_number_matches_javascript,
	           jsone_merge_values_replaces_lists_where_merge_deep_concatenates_them,
	           jsone_lex_takes_keywords_only_as_whole_words,
	           jsone_parse_reports_end_of_input_and_unit_errors,
	           jsone_precedence_binds_unary_tighter_than_postfix_and_in_looser_than_eq,
	           jsone_arithmetic_keeps_integers_and_rejects_non_finite_results,
	           jsone_strings_index_and_slice_by_code_point,
	           jsone_errors_point_at_the_failing_template_node,
	           jsone_results_carry_the_position_of_the_template_node,
	           jsone_step_limit_stops_a_huge_range_before_allocating,
	           jsone_output_limit_stops_doubling_strings,
	           jsone_depth_limit_stops_deep_results_and_expressions,
	           jsone_secret_taint_survives_interpolation_and_helpers_and_is_never_printed,
	           jsone_extras_exist_only_when_asked_for,
	           jsone_host_functions_are_called_and_their_errors_end_the_render,
	           jsone_now_comes_from_the_options_and_the_context_overrides_it,
	           jsone_time_parses_and_formats_rfc3339,
	           jsone_json_and_join_follow_tenantc_decisions,
	           jsone_unchanged_template_parts_are_shared_not_copied,
	           jsone_compiled_template_is_shared_by_threads,
	           jsone_syntax_errors_are_raised_only_when_reached);
}
