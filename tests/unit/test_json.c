/*
 * test_json.c - unit tests for json_load.c (and tc_doc_load).
 */
#include "json_load.h"

#include "json_emit.h"
#include <math.h>

#include <stdlib.h>

#include "tc_test.h"

typedef struct fx {
	tc_arena a;
	tc_diags d;
	tc_value *v;
	int rc;
	char msg[512];
} fx;

static void fx_loadn(fx *f, const char *file, const char *text, size_t len)
{
	tc_arena_init(&f->a);
	tc_diags_init(&f->d);
	f->v = NULL;
	f->msg[0] = 0;
	f->rc = tc_doc_load(&f->v, &f->a, &f->d, file, text, len);
	if (f->d.len) {
		tc_buf b;
		tc_buf_init(&b, TC_BUF_UNLIMITED);
		tc_diags_sort(&f->d);
		tc_diag_format(&b, &f->d.items[0]);
		snprintf(f->msg, sizeof f->msg, "%s", tc_buf_str(&b));
		tc_buf_release(&b);
	}
}

static void fx_load(fx *f, const char *text)
{
	fx_loadn(f, "t.json", text, strlen(text));
}

static void fx_done(fx *f)
{
	tc_diags_release(&f->d);
	tc_arena_release(&f->a);
}

TEST(json_load_keeps_ints_and_floats_apart)
{
	fx f;
	fx_load(&f, "{\"i\": 12, \"n\": -9223372036854775808, \"f\": 1.0, \"e\": 1e2,"
	            " \"big\": 9223372036854775808, \"z\": -0}");
	CHECK(f.rc == 0);
	CHECK(tc_value_getz(f.v, "i")->kind == TC_INT && tc_value_getz(f.v, "i")->u.i == 12);
	CHECK(tc_value_getz(f.v, "n")->kind == TC_INT && tc_value_getz(f.v, "n")->u.i == INT64_MIN);
	CHECK(tc_value_getz(f.v, "f")->kind == TC_FLOAT && tc_value_getz(f.v, "f")->u.f == 1.0);
	CHECK(tc_value_getz(f.v, "e")->kind == TC_FLOAT && tc_value_getz(f.v, "e")->u.f == 100.0);
	CHECK(tc_value_getz(f.v, "big")->kind == TC_FLOAT);
	CHECK(tc_value_getz(f.v, "z")->kind == TC_INT);
	fx_done(&f);
}

TEST(json_load_records_positions_of_nodes_and_keys)
{
	fx f;
	fx_load(&f, "{\n  \"a\": [1,\n    \"\xc3\xa9x\", true],\n  \"b\": null\n}\n");
	CHECK(f.rc == 0);
	CHECK(f.v->pos.line == 1 && f.v->pos.col == 1);
	const tc_member *m = tc_value_member(f.v, "a", 1);
	CHECK(m && m->kpos.line == 2 && m->kpos.col == 3);
	CHECK(m->val->pos.line == 2 && m->val->pos.col == 8);
	CHECK(m->val->u.arr.items[1]->pos.line == 3 && m->val->u.arr.items[1]->pos.col == 5);
	/* columns count characters: the é is one */
	CHECK(m->val->u.arr.items[2]->pos.col == 11);
	CHECK(tc_value_getz(f.v, "b")->pos.line == 4);
	fx_done(&f);
}

TEST(json_load_decodes_escapes_and_surrogate_pairs)
{
	fx f;
	fx_load(&f, "[\"a\\n\\t\\\"\\\\\\/\\u00e9\\ud83d\\ude00\\u0000z\"]");
	CHECK(f.rc == 0);
	tc_value *s = f.v->u.arr.items[0];
	CHECK(s->u.str.len == 14);
	CHECK(memcmp(s->u.str.ptr, "a\n\t\"\\/\xc3\xa9\xf0\x9f\x98\x80\0z", 14) == 0);
	fx_done(&f);
}

TEST(json_load_rejects_duplicate_keys)
{
	fx f;
	fx_load(&f, "{\"a\": 1,\n \"b\": 2,\n \"a\": 3}");
	CHECK(f.rc < 0);
	CHECK_STR(f.msg, "t.json:3:2: error: duplicate key 'a' (first at line 1)");
	fx_done(&f);
}

TEST(json_load_rejects_malformed_input_with_positions)
{
	static const struct {
		const char *in, *msg;
	} cases[] = {
		{"", "t.json:1:1: error: expected a value, found the end of the input"},
		{"[1, 2",
	         "t.json:1:6: error: expected ',' or ']' to close '[' at line 1, found the "
	         "end of the input"},
		{"{\"a\" 1}", "t.json:1:6: error: expected ':' after the key, found '1'"},
		{"[01]",
	         "t.json:1:3: error: expected ',' or ']' to close '[' at line 1, found '1'"},
		{"\"abc", "t.json:1:1: error: unterminated string"},
		{"[\"\\ud800\"]", "t.json:1:3: error: high surrogate escape without a low one, "
	                          "found '\\'"},
		{"[\"a\tb\"]", "t.json:1:4: error: control character in string (escape it), found "
	                       "byte 0x09"},
		{"{} x",
	         "t.json:1:4: error: expected the end of the input after the value, found 'x'"},
		{"[1e999]", "t.json:1:2: error: number '1e999' is out of range"},
		{"[tru]", "t.json:1:2: error: expected a value, found 't'"},
		{"[1.]", "t.json:1:4: error: expected a digit after '.', found ']'"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		fx f;
		fx_load(&f, cases[i].in);
		CHECK(f.rc < 0);
		CHECK_STR(f.msg, cases[i].msg);
		fx_done(&f);
	}
}

TEST(json_load_rejects_invalid_utf8)
{
	fx f;
	fx_load(&f, "{\"a\":\n \"\xc3\x28\"}");
	CHECK(f.rc < 0);
	CHECK_STR(f.msg, "t.json:2:3: error: invalid UTF-8 (byte 0xc3)");
	fx_done(&f);
}

TEST(json_load_enforces_the_depth_limit)
{
	char deep[600];
	memset(deep, '[', 300);
	memset(deep + 300, ']', 300);
	fx f;
	fx_loadn(&f, "t.json", deep, 600);
	CHECK(f.rc < 0);
	CHECK_STR(f.msg, "t.json:1:257: error: nesting deeper than 256 levels");
	fx_done(&f);
	fx_loadn(&f, "t.json", deep + 300 - 256, 512);
	CHECK(f.rc == 0);
	fx_done(&f);
}

TEST(json_load_skips_a_byte_order_mark)
{
	fx f;
	fx_load(&f, "\xEF\xBB\xBF{\"a\": x}");
	CHECK(f.rc < 0);
	CHECK_STR(f.msg, "t.json:1:7: error: expected a value, found 'x'");
	fx_done(&f);
}

TEST(doc_load_picks_the_format_from_the_file_name)
{
	fx f;
	fx_loadn(&f, "x.yaml", "a: yes", 6);
	CHECK(f.rc == 0 && tc_value_streq(tc_value_getz(f.v, "a"), "yes"));
	fx_done(&f);
	fx_loadn(&f, "x.json", "a: yes", 6);
	CHECK(f.rc < 0);
	fx_done(&f);
}

static char *json_of(const char *in, bool pretty)
{
	fx f;
	fx_load(&f, in);
	char *res = NULL;
	if (f.rc == 0) {
		tc_buf out;
		tc_buf_init(&out, TC_BUF_UNLIMITED);
		tc_json_emit(&out, f.v, pretty);
		res = tc_buf_detach(&out, NULL);
	}
	fx_done(&f);
	return res;
}

TEST(json_emit_sorts_keys_and_writes_compact_canonical_text)
{
	char *s = json_of("{\"b\": [1, 2.50, 1E21, -0.0, 1e-7], \"a\": {\"kind\": null, "
	                  "\"apiVersion\": true}, \"\": \"\"}",
	                  false);
	CHECK_STR(s, "{\"\":\"\",\"a\":{\"apiVersion\":true,\"kind\":null},"
	             "\"b\":[1,2.5,1.0e+21,-0.0,1.0e-07]}");
	free(s);
}

TEST(json_emit_pretty_prints_with_two_spaces)
{
	char *s = json_of("{\"a\": [1, {}], \"b\": [], \"c\": {\"d\": \"x\"}}", true);
	CHECK_STR(s, "{\n  \"a\": [\n    1,\n    {}\n  ],\n  \"b\": [],\n  \"c\": {\n"
	             "    \"d\": \"x\"\n  }\n}\n");
	free(s);
}

TEST(json_emit_escapes_control_characters_only)
{
	char *s = json_of("[\"q\\\"b\\\\\\n\\t\\r\\b\\f\\u0001\\u001f\\u007f/\u00e9\\u2028\"]",
	                  false);
	CHECK_STR(s, "[\"q\\\"b\\\\\\n\\t\\r\\b\\f\\u0001\\u001f\x7f/\u00e9\xe2\x80\xa8\"]");
	free(s);
}

TEST(json_emit_round_trips_through_json_load)
{
	const char *in = "{\"a\":[1,-9223372036854775808,0.30000000000000004,\"\\u0000x\"],"
			 "\"b\":{\"c\":false}}";
	char *s = json_of(in, false);
	CHECK_STR(s, in);
	char *p = json_of(s, true);
	char *again = json_of(p, false);
	CHECK_STR(again, in);
	free(s);
	free(p);
	free(again);
}

TEST(json_emit_writes_null_for_nan_and_infinity)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_value *items[3] = {tc_value_float(&a, NAN, TC_NOPOS),
	                      tc_value_float(&a, -INFINITY, TC_NOPOS),
	                      tc_value_str(&a, "\xff", 1, TC_NOPOS)};
	tc_buf out;
	tc_buf_init(&out, TC_BUF_UNLIMITED);
	tc_json_emit(&out, tc_value_array(&a, items, 3, TC_NOPOS), false);
	CHECK_STR(tc_buf_str(&out), "[null,null,\"\\u00ff\"]");
	tc_buf_release(&out);
	tc_arena_release(&a);
}

int main(void)
{
	return RUN(json_load_keeps_ints_and_floats_apart,
	           json_load_records_positions_of_nodes_and_keys,
	           json_load_decodes_escapes_and_surrogate_pairs, json_load_rejects_duplicate_keys,
	           json_load_rejects_malformed_input_with_positions, json_load_rejects_invalid_utf8,
	           json_load_enforces_the_depth_limit, json_load_skips_a_byte_order_mark,
	           doc_load_picks_the_format_from_the_file_name,
	           json_emit_sorts_keys_and_writes_compact_canonical_text,
	           json_emit_pretty_prints_with_two_spaces,
	           json_emit_escapes_control_characters_only,
	           json_emit_round_trips_through_json_load,
	           json_emit_writes_null_for_nan_and_infinity);
}
