/*
 * test_schema.c - the schema compiler and validator: messages, positions,
 * paths, references, the Kubernetes extensions, ECMA-262 patterns, URI
 * resolution and formats. The JSON Schema Test Suite covers keyword
 * semantics (tests/conformance/jsonschema_suite.c); these cases cover what
 * the suite cannot see.
 */
#include "json_load.h"
#include "schema.h"
#include "schema_check.h"
#include "schema_format.h"
#include "schema_regex.h"
#include "schema_uri.h"
#include "tc_test.h"

#include <pthread.h>
#include <stdlib.h>

static tc_arena A;

static tc_value *J(const char *file, const char *text)
{
	tc_diags d;
	tc_diags_init(&d);
	tc_value *v = NULL;
	if (tc_json_load(&v, &A, &d, file, text, strlen(text)) < 0) {
		tc_diags_print(&d, stderr);
		v = NULL;
	}
	tc_diags_release(&d);
	return v;
}

static tc_schema *S(const char *text)
{
	tc_diags d;
	tc_diags_init(&d);
	tc_schema *s = NULL;
	tc_value *v = J("schema.json", text);
	if (v && tc_schema_compile(&s, NULL, v, NULL, &d) < 0)
		tc_diags_print(&d, stderr);
	tc_diags_release(&d);
	return s;
}

/* check text against schema; the first diagnostic formatted as
 * "line:col path: message" into out, and the number of errors */
static size_t run(tc_schema *s, const char *text, char *out, size_t outlen)
{
	tc_diags d;
	tc_diags_init(&d);
	tc_value *v = J("doc.json", text);
	out[0] = 0;
	if (!v)
		return 1000;
	tc_schema_check(s, v, &d, NULL, TC_DIAG_FINDING);
	tc_diags_sort(&d);
	if (d.len)
		snprintf(out, outlen, "%u:%u %s: %s", (unsigned)d.items[0].line,
		         (unsigned)d.items[0].col, d.items[0].path ? d.items[0].path : "-",
		         d.items[0].msg);
	size_t n = d.nerrors;
	tc_diags_release(&d);
	return n;
}

static const char *tenant_schema =
	"{\"type\": \"object\", \"additionalProperties\": false,\n"
	" \"required\": [\"name\"],\n"
	" \"properties\": {\"name\": {\"type\": \"string\", \"pattern\": \"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$\"},\n"
	"   \"environments\": {\"type\": \"array\", \"items\": {\"type\": \"string\"}},\n"
	"   \"displayName\": {\"type\": \"string\"},\n"
	"   \"realm\": {\"type\": \"object\", \"additionalProperties\": false, \"properties\": {\n"
	"      \"clients\": {\"type\": \"array\", \"items\": {\"type\": \"object\",\n"
	"         \"properties\": {\"type\": {\"enum\": [\"confidential\", \"public\"]}}}}}},\n"
	"   \"values\": {}}}";

TEST(schema_check_reports_an_unknown_key_at_the_key_with_a_hint)
{
	tc_schema *s = S(tenant_schema);
	CHECK(s);
	char msg[512];
	CHECK(run(s, "{\"name\": \"acme\",\n  \"enviroments\": []}", msg, sizeof msg) == 1);
	CHECK_STR(msg,
	          "2:3 .enviroments: unknown key 'enviroments' (did you mean 'environments'?)");
	tc_schema_free(s);
}

TEST(schema_check_gives_no_hint_for_a_key_far_from_every_property)
{
	tc_schema *s = S(tenant_schema);
	char msg[512];
	CHECK(run(s, "{\"name\": \"acme\", \"zzz\": 1}", msg, sizeof msg) == 1);
	CHECK_STR(msg, "1:18 .zzz: unknown key 'zzz'");
	tc_schema_free(s);
}

TEST(schema_check_reports_a_missing_key_at_the_object)
{
	tc_schema *s = S(tenant_schema);
	char msg[512];
	CHECK(run(s, "\n  {\"displayName\": \"x\"}", msg, sizeof msg) == 1);
	CHECK_STR(msg, "2:3 -: missing required key 'name'");
	tc_schema_free(s);
}

TEST(schema_check_reports_nested_paths_and_enum_values)
{
	tc_schema *s = S(tenant_schema);
	char msg[512];
	CHECK(run(s, "{\"name\": \"acme\", \"realm\": {\"clients\": [{}, {\"type\": \"secret\"}]}}",
	          msg, sizeof msg) == 1);
	CHECK_STR(msg,
	          "1:53 .realm.clients[1].type: 'secret' is not one of 'confidential', 'public'");
	tc_schema_free(s);
}

TEST(schema_check_reports_every_violation_not_just_the_first)
{
	tc_schema *s = S(tenant_schema);
	char msg[512];
	CHECK(run(s, "{\"name\": \"Acme\", \"environments\": [1, \"x\", true], \"x\": 1}", msg,
	          sizeof msg) == 4);
	CHECK_STR(msg,
	          "1:10 .name: 'Acme' does not match pattern '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'");
	tc_schema_free(s);
}

TEST(schema_check_accepts_anything_under_a_free_form_key)
{
	tc_schema *s = S(tenant_schema);
	char msg[512];
	CHECK(run(s, "{\"name\": \"acme\", \"values\": {\"a\": [1, {\"b\": null}]}}", msg,
	          sizeof msg) == 0);
	tc_schema_free(s);
}

TEST(schema_check_explains_a_failed_int_or_string_by_type)
{
	tc_schema *s = S("{\"properties\": {\"port\": {\"oneOf\": [{\"type\": \"string\"}, "
	                 "{\"type\": \"integer\"}]}}}");
	char msg[512];
	CHECK(run(s, "{\"port\": true}", msg, sizeof msg) == 1);
	CHECK_STR(msg, "1:10 .port: expected integer or string, got boolean");
	tc_schema_free(s);
}

TEST(schema_check_explains_the_one_alternative_of_the_right_type)
{
	tc_schema *s = S("{\"anyOf\": [{\"type\": \"string\", \"pattern\": \"^[0-9]+m$\"}, "
	                 "{\"type\": \"number\"}]}");
	char msg[512];
	CHECK(run(s, "\"1 core\"", msg, sizeof msg) == 1);
	CHECK_STR(msg, "1:1 -: '1 core' does not match pattern '^[0-9]+m$'");
	CHECK(run(s, "\"500m\"", msg, sizeof msg) == 0);
	CHECK(run(s, "1", msg, sizeof msg) == 0);
	tc_schema_free(s);
}

TEST(schema_check_redacts_secret_values_in_messages)
{
	tc_schema *s = S("{\"type\": \"string\", \"maxLength\": 2}");
	tc_value *v = tc_value_strz(&A, "hunter2", (tc_pos){"x.yaml", 1, 1});
	v->flags |= TC_VAL_SECRET;
	tc_diags d;
	tc_diags_init(&d);
	CHECK(tc_schema_check(s, v, &d, NULL, TC_DIAG_FINDING) < 0);
	CHECK(d.len == 1);
	CHECK_STR(d.items[0].msg, "<redacted> is longer than 2 characters");
	tc_diags_release(&d);
	tc_schema_free(s);
}

TEST(schema_check_uses_the_diagnostic_class_it_is_given)
{
	tc_schema *s = S("{\"type\": \"string\"}");
	tc_value *v = J("x.json", "1");
	tc_diags d;
	tc_diags_init(&d);
	tc_schema_check(s, v, &d, NULL, TC_DIAG_INPUT);
	CHECK(tc_diags_exit_code(&d) == 2);
	tc_diags_release(&d);
	tc_diags_init(&d);
	tc_schema_check(s, v, &d, NULL, TC_DIAG_FINDING);
	CHECK(tc_diags_exit_code(&d) == 1);
	tc_diags_release(&d);
	tc_schema_free(s);
}

TEST(schema_kubernetes_extensions_are_understood)
{
	tc_schema *s = S("{\"type\": \"object\", \"properties\": {"
	                 "\"a\": {\"type\": \"string\", \"nullable\": true},"
	                 "\"b\": {\"x-kubernetes-int-or-string\": true},"
	                 "\"c\": {\"type\": \"object\", \"additionalProperties\": false,"
	                 "        \"x-kubernetes-preserve-unknown-fields\": true}}}");
	char msg[512];
	CHECK(run(s, "{\"a\": null, \"b\": 1, \"c\": {\"any\": 1}}", msg, sizeof msg) == 0);
	CHECK(run(s, "{\"b\": \"50%\"}", msg, sizeof msg) == 0);
	CHECK(run(s, "{\"b\": 1.5}", msg, sizeof msg) == 1);
	CHECK_STR(msg, "1:7 .b: expected integer or string, got number");
	tc_schema_free(s);
}

TEST(schema_compile_reports_a_bad_pattern_at_its_position)
{
	tc_diags d;
	tc_diags_init(&d);
	tc_schema *s = NULL;
	tc_value *v = J("bad.json", "{\n  \"pattern\": \"a(\"}");
	CHECK(tc_schema_compile(&s, NULL, v, NULL, &d) < 0);
	CHECK(!s && d.len == 1);
	CHECK(d.items[0].line == 2 && d.items[0].col == 14);
	CHECK(strstr(d.items[0].msg, "invalid pattern 'a('") != NULL);
	tc_diags_release(&d);
}

TEST(schema_compile_reports_an_unresolvable_reference)
{
	tc_diags d;
	tc_diags_init(&d);
	tc_schema *s = NULL;
	tc_value *v = J("bad.json", "{\"$ref\": \"#/$defs/missing\"}");
	CHECK(tc_schema_compile(&s, NULL, v, NULL, &d) < 0);
	CHECK(d.len == 1);
	CHECK(strstr(d.items[0].msg, "no value at pointer '/$defs/missing'") != NULL);
	tc_diags_release(&d);
	tc_diags_init(&d);
	v = J("bad.json", "{\"$ref\": \"other.json\"}");
	CHECK(tc_schema_compile(&s, NULL, v, NULL, &d) < 0);
	CHECK(strstr(d.items[0].msg, "cannot resolve reference 'other.json'") != NULL);
	tc_diags_release(&d);
}

TEST(schema_compile_rejects_keywords_of_the_wrong_type)
{
	tc_diags d;
	tc_diags_init(&d);
	tc_schema *s = NULL;
	tc_value *v = J("bad.json", "{\"minLength\": \"3\", \"type\": \"strin\", \"required\": 1}");
	CHECK(tc_schema_compile(&s, NULL, v, NULL, &d) < 0);
	CHECK(d.nerrors == 3);
	tc_diags_release(&d);
}

TEST(schema_references_reach_registered_documents_relative_to_the_base)
{
	tc_schema_store *st = tc_schema_store_new();
	tc_diags d;
	tc_diags_init(&d);
	tc_value *common = J("common.json", "{\"$defs\": {\"name\": {\"type\": \"string\", "
	                                    "\"maxLength\": 3}}}");
	tc_schema_store_add(st, "file:///repo/schemas/common.json", common);
	tc_value *v = J("tenant.json", "{\"properties\": {\"n\": "
	                               "{\"$ref\": \"common.json#/$defs/name\"}}}");
	tc_schema_opts o = {.base_uri = "file:///repo/schemas/tenant.json"};
	tc_schema *s = NULL;
	CHECK(tc_schema_compile(&s, st, v, &o, &d) == 0);
	char msg[512];
	CHECK(run(s, "{\"n\": \"abcd\"}", msg, sizeof msg) == 1);
	CHECK_STR(msg, "1:7 .n: 'abcd' is longer than 3 characters");
	tc_schema_free(s);
	tc_schema_store_free(st);
	tc_diags_release(&d);
}

/* issue 21: a cycle is the schema's fault, reported at the '$ref' that
 * closes it when the schema is compiled, not at the first instance */
TEST(schema_reference_cycles_without_progress_are_schema_errors)
{
	tc_diags d;
	tc_diags_init(&d);
	tc_value *v = J("schema.json", "{\"$defs\": {\"a\": {\"$ref\": \"#/$defs/b\"}, \"b\": "
	                               "{\"$ref\": \"#/$defs/a\"}}, \"$ref\": \"#/$defs/a\"}");
	tc_schema *s = NULL;
	CHECK(tc_schema_compile(&s, NULL, v, NULL, &d) == -1);
	CHECK(s == NULL);
	CHECK(d.nerrors == 1);
	CHECK(tc_diags_exit_code(&d) == 2);
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	tc_diag_format(&b, &d.items[0]);
	CHECK_STR(tc_buf_str(&b),
	          "schema.json:1:54: error: '$ref' '#/$defs/a' closes a reference "
	          "cycle: the schema would apply itself to the same value without end");
	tc_buf_release(&b);
	tc_diags_release(&d);
	/* a cycle through allOf, and one that descends into a property is fine */
	tc_diags_init(&d);
	v = J("s2.json", "{\"allOf\": [{\"$ref\": \"#\"}]}");
	CHECK(tc_schema_compile(&s, NULL, v, NULL, &d) == -1);
	tc_diags_release(&d);
	tc_diags_init(&d);
	v = J("s3.json", "{\"properties\": {\"next\": {\"$ref\": \"#\"}}}");
	CHECK(tc_schema_compile(&s, NULL, v, NULL, &d) == 0);
	tc_schema_free(s);
	tc_diags_release(&d);
}

TEST(schema_draft_is_guessed_from_keywords_without_schema_keyword)
{
	/* draft-04: $ref siblings are ignored, so maximum does not apply */
	tc_schema *s =
		S("{\"definitions\": {\"i\": {\"type\": \"integer\"}}, "
	          "\"properties\": {\"x\": {\"$ref\": \"#/definitions/i\", \"maximum\": 1}}}");
	CHECK(tc_schema_draft_of(s) == TC_DRAFT_4);
	char msg[512];
	CHECK(run(s, "{\"x\": 5}", msg, sizeof msg) == 0);
	tc_schema_free(s);
	s = S("{\"$defs\": {\"i\": {\"type\": \"integer\"}}, "
	      "\"properties\": {\"x\": {\"$ref\": \"#/$defs/i\", \"maximum\": 1}}}");
	CHECK(tc_schema_draft_of(s) == TC_DRAFT_2020);
	CHECK(run(s, "{\"x\": 5}", msg, sizeof msg) == 1);
	tc_schema_free(s);
}

TEST(schema_unevaluated_properties_give_hints_from_subschemas)
{
	tc_schema *s = S("{\"allOf\": [{\"properties\": {\"replicas\": {}}}], "
	                 "\"unevaluatedProperties\": false}");
	char msg[512];
	CHECK(run(s, "{\"replica\": 1}", msg, sizeof msg) == 1);
	CHECK_STR(msg, "1:2 .replica: unknown key 'replica' (did you mean 'replicas'?)");
	tc_schema_free(s);
}

TEST(schema_check_reports_a_deep_failure_once_under_unevaluated_properties)
{
	/* a failing property value must not also make its key "unknown" */
	tc_schema *s = S("{\"$defs\": {\"n\": {\"type\": \"object\", \"properties\": "
	                 "{\"a\": {\"$ref\": \"#/$defs/n\"}}, \"unevaluatedProperties\": false}}, "
	                 "\"$ref\": \"#/$defs/n\"}");
	char msg[512];
	CHECK(run(s, "{\"a\": {\"a\": {\"a\": 1}}}", msg, sizeof msg) == 1);
	CHECK_STR(msg, "1:19 .a.a.a: expected object, got integer");
	CHECK(run(s, "{\"a\": {\"b\": {}}}", msg, sizeof msg) == 1);
	CHECK_STR(msg, "1:8 .a.b: unknown key 'b'");
	tc_schema_free(s);
}

TEST(regex_follows_ecma_262_for_classes_and_anchors)
{
	char err[256];
	size_t off;
	tc_regex_scratch sc = TC_REGEX_SCRATCH_INIT;
	pcre2_code *re = tc_regex_compile("^\\d$", 4, err, sizeof err, &off);
	CHECK(re);
	CHECK(tc_regex_match(re, "7", 1, &sc) == 1);
	CHECK(tc_regex_match(re, "\xd9\xa3", 2, &sc) == 0); /* ARABIC-INDIC DIGIT THREE */
	CHECK(tc_regex_match(re, "7\n", 2, &sc) == 0);      /* '$' is the very end */
	pcre2_code_free(re);
	re = tc_regex_compile("^\\s$", 4, err, sizeof err, &off);
	CHECK(re);
	CHECK(tc_regex_match(re, "\xc2\xa0", 2, &sc) == 1); /* NO-BREAK SPACE */
	pcre2_code_free(re);
	re = tc_regex_compile("^\\p{Letter}[^]$", 15, err, sizeof err, &off);
	CHECK(re);
	CHECK(tc_regex_match(re, "\xc3\xa9x", 3, &sc) == 1);
	pcre2_code_free(re);
	re = tc_regex_compile("^[[a]$", 6, err, sizeof err, &off);
	CHECK(re);
	CHECK(tc_regex_match(re, "[", 1, &sc) == 1);
	pcre2_code_free(re);
	CHECK(!tc_regex_valid("(", 1));
	tc_regex_scratch_release(&sc);
}

TEST(regex_catastrophic_backtracking_fails_instead_of_hanging)
{
	char err[256];
	size_t off;
	tc_regex_scratch sc = TC_REGEX_SCRATCH_INIT;
	pcre2_code *re = tc_regex_compile("^(a|a?)+$", 9, err, sizeof err, &off);
	CHECK(re);
	char s[64];
	memset(s, 'a', 40);
	s[40] = 'b';
	CHECK(tc_regex_match(re, s, 41, &sc) != 1);
	pcre2_code_free(re);
	tc_regex_scratch_release(&sc);
}

TEST(regex_long_values_match_past_the_jit_stack)
{
	char err[256];
	size_t off;
	tc_regex_scratch sc = TC_REGEX_SCRATCH_INIT;
	pcre2_code *re = tc_regex_compile("^(a|b)*c$", 9, err, sizeof err, &off);
	CHECK(re);
	size_t n = 200000;
	char *s = malloc(n);
	for (size_t i = 0; i < n; i++)
		s[i] = i % 2 ? 'a' : 'b';
	s[n - 1] = 'c';
	CHECK(tc_regex_match(re, s, n, &sc) == 1);
	free(s);
	pcre2_code_free(re);
	tc_regex_scratch_release(&sc);
}

TEST(uri_resolution_follows_rfc_3986_examples)
{
	const char *base = "http://a/b/c/d;p?q";
	static const char *const cases[][2] = {
		{"g", "http://a/b/c/g"},
		{"./g", "http://a/b/c/g"},
		{"g/", "http://a/b/c/g/"},
		{"/g", "http://a/g"},
		{"//g", "http://g"},
		{"?y", "http://a/b/c/d;p?y"},
		{"#s", "http://a/b/c/d;p?q#s"},
		{"", "http://a/b/c/d;p?q"},
		{"..", "http://a/b/"},
		{"../g", "http://a/b/g"},
		{"../../g", "http://a/g"},
		{"../../../g", "http://a/g"},
		{"/./g", "http://a/g"},
		{"g/../h", "http://a/b/c/h"},
		{"urn:x:y", "urn:x:y"},
		{".", "http://a/b/c/"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		CHECK_STR(tc_uri_resolve(&A, base, cases[i][0]), cases[i][1]);
	CHECK_STR(tc_uri_resolve(&A, "urn:uuid:1234", "#/a"), "urn:uuid:1234#/a");
	CHECK_STR(tc_uri_to_path(&A, "file:///x/a%20b.json#frag"), "/x/a b.json");
	CHECK_STR(tc_uri_from_path(&A, "/x/./y/../a b.json"), "file:///x/a%20b.json");
}

TEST(formats_check_the_common_grammars)
{
	static const struct {
		const char *fmt, *s;
		bool ok;
	} cases[] = {
		{"date-time", "2026-02-29T10:00:00Z", false},
		{"date-time", "2024-02-29T10:00:00+01:00", true},
		{"date", "2024-13-01", false},
		{"email", "a.b@example.com", true},
		{"email", "a..b@example.com", false},
		{"hostname", "-a.example", false},
		{"hostname", "sso.prod.example.com", true},
		{"ipv4", "10.0.0.01", false},
		{"ipv4", "192.168.0.1", true},
		{"ipv6", "::ffff:10.0.0.1", true},
		{"ipv6", "1::2::3", false},
		{"uri", "https://example.com/x?y#z", true},
		{"uri", "example.com", false},
		{"uuid", "2eb8aa08-aa98-11ea-b4aa-73b441d16380", true},
		{"uuid", "2eb8aa08-aa98-11ea-b4aa-73b441d1638", false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		tc_schema_format f = tc_schema_format_lookup(cases[i].fmt, strlen(cases[i].fmt));
		CHECK(f != TC_FMT_NONE);
		if (tc_schema_format_check(f, cases[i].s, strlen(cases[i].s)) != cases[i].ok) {
			fprintf(stderr, "format %s '%s'\n", cases[i].fmt, cases[i].s);
			CHECK(0);
		}
	}
}

TEST(edit_distance_counts_swaps_as_one_edit)
{
	CHECK(tc_edit_distance("enviroments", 11, "environments", 12, 3) == 1);
	CHECK(tc_edit_distance("nmae", 4, "name", 4, 3) == 1);
	CHECK(tc_edit_distance("abc", 3, "xyz", 3, 1) == 2);
	CHECK(tc_edit_distance("", 0, "abc", 3, 5) == 3);
}

typedef struct worker {
	const tc_schema *s;
	const tc_value *good, *bad;
	int failures;
} worker;

static void *work(void *p)
{
	worker *w = p;
	for (int i = 0; i < 200; i++) {
		tc_diags d;
		tc_diags_init(&d);
		if (tc_schema_check(w->s, w->good, &d, NULL, TC_DIAG_FINDING) != 0)
			w->failures++;
		if (tc_schema_check(w->s, w->bad, &d, NULL, TC_DIAG_FINDING) == 0 || d.nerrors != 1)
			w->failures++;
		tc_diags_release(&d);
	}
	return NULL;
}

TEST(schema_is_shared_read_only_by_threads)
{
	tc_schema *s = S("{\"patternProperties\": {\"^x-\": {\"type\": \"string\", "
	                 "\"pattern\": \"^[a-z]+$\"}}}");
	worker w[4];
	pthread_t t[4];
	for (int i = 0; i < 4; i++) {
		w[i] = (worker){s, J("g.json", "{\"x-a\": \"abc\"}"),
		                J("b.json", "{\"x-a\": \"A\"}"), 0};
		CHECK(pthread_create(&t[i], NULL, work, &w[i]) == 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		CHECK(w[i].failures == 0);
	}
	tc_schema_free(s);
}

int main(void)
{
	tc_arena_init(&A);
	int r = RUN(schema_check_reports_an_unknown_key_at_the_key_with_a_hint,
	            schema_check_gives_no_hint_for_a_key_far_from_every_property,
	            schema_check_reports_a_missing_key_at_the_object,
	            schema_check_reports_nested_paths_and_enum_values,
	            schema_check_reports_every_violation_not_just_the_first,
	            schema_check_accepts_anything_under_a_free_form_key,
	            schema_check_explains_a_failed_int_or_string_by_type,
	            schema_check_explains_the_one_alternative_of_the_right_type,
	            schema_check_redacts_secret_values_in_messages,
	            schema_check_uses_the_diagnostic_class_it_is_given,
	            schema_kubernetes_extensions_are_understood,
	            schema_compile_reports_a_bad_pattern_at_its_position,
	            schema_compile_reports_an_unresolvable_reference,
	            schema_compile_rejects_keywords_of_the_wrong_type,
	            schema_references_reach_registered_documents_relative_to_the_base,
	            schema_reference_cycles_without_progress_are_schema_errors,
	            schema_draft_is_guessed_from_keywords_without_schema_keyword,
	            schema_unevaluated_properties_give_hints_from_subschemas,
	            schema_check_reports_a_deep_failure_once_under_unevaluated_properties,
	            regex_follows_ecma_262_for_classes_and_anchors,
	            regex_catastrophic_backtracking_fails_instead_of_hanging,
	            regex_long_values_match_past_the_jit_stack,
	            uri_resolution_follows_rfc_3986_examples, formats_check_the_common_grammars,
	            edit_distance_counts_swaps_as_one_edit, schema_is_shared_read_only_by_threads);
	tc_arena_release(&A);
	return r;
}
