/*
 * test_yaml_load.c - unit tests for yaml_load.c: core schema resolution,
 * positions, duplicate keys, limits, aliases and error messages.
 */
#include "yaml_load.h"

#include <stdlib.h>

#include "tc_test.h"

/* One fixture per case: an arena, diagnostics and the first message. */
typedef struct fx {
	tc_arena a;
	tc_diags d;
	tc_value *v;
	int rc;
	char msg[512];
} fx;

static void fx_load_lim(fx *f, const char *text, size_t len, const tc_yaml_limits *lim)
{
	tc_arena_init(&f->a);
	tc_diags_init(&f->d);
	f->v = NULL;
	f->msg[0] = 0;
	f->rc = tc_yaml_load(&f->v, &f->a, &f->d, "t.yaml", text, len, lim);
	if (f->d.len) {
		tc_diags_sort(&f->d);
		tc_buf b;
		tc_buf_init(&b, TC_BUF_UNLIMITED);
		tc_diag_format(&b, &f->d.items[0]);
		snprintf(f->msg, sizeof f->msg, "%s", tc_buf_str(&b));
		tc_buf_release(&b);
	}
}

static void fx_load(fx *f, const char *text)
{
	fx_load_lim(f, text, strlen(text), NULL);
}

static void fx_done(fx *f)
{
	tc_diags_release(&f->d);
	tc_arena_release(&f->a);
}

static tc_kind kind_of(const tc_value *o, const char *key)
{
	tc_value *v = tc_value_getz(o, key);
	return v ? v->kind : (tc_kind)-1;
}

TEST(yaml_load_keeps_yes_and_0755_as_strings)
{
	fx f;
	fx_load(&f, "a: yes\nb: no\nc: on\nd: off\ne: 0755\nf: 1_000\ng: 1:20\nh: y\n"
	            "i: 2001-12-14\nj: 0x1G\n");
	CHECK(f.rc == 0);
	const char *keys[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		CHECK(kind_of(f.v, keys[i]) == TC_STR);
	CHECK(tc_value_streq(tc_value_getz(f.v, "e"), "0755"));
	fx_done(&f);
}

TEST(yaml_load_resolves_the_core_schema)
{
	fx f;
	fx_load(&f, "n1: ~\nn2: null\nn3: NULL\nn4:\nb1: true\nb2: False\ni1: 42\ni2: -0\n"
	            "i3: 0o17\ni4: 0x1F\ni5: +7\nf1: 1.5\nf2: .5\nf3: 1e3\nf4: -.inf\nf5: .NaN\n"
	            "f6: 1.\nmax: 9223372036854775807\nmin: -9223372036854775808\n");
	CHECK(f.rc == 0);
	CHECK(kind_of(f.v, "n1") == TC_NULL && kind_of(f.v, "n2") == TC_NULL);
	CHECK(kind_of(f.v, "n3") == TC_NULL && kind_of(f.v, "n4") == TC_NULL);
	CHECK(tc_value_getz(f.v, "b1")->u.b == true && tc_value_getz(f.v, "b2")->u.b == false);
	CHECK(tc_value_getz(f.v, "i1")->u.i == 42 && tc_value_getz(f.v, "i2")->u.i == 0);
	CHECK(tc_value_getz(f.v, "i3")->u.i == 15 && tc_value_getz(f.v, "i4")->u.i == 31);
	CHECK(tc_value_getz(f.v, "i5")->u.i == 7);
	CHECK(kind_of(f.v, "f1") == TC_FLOAT && tc_value_getz(f.v, "f1")->u.f == 1.5);
	CHECK(tc_value_getz(f.v, "f2")->u.f == 0.5 && tc_value_getz(f.v, "f3")->u.f == 1000.0);
	CHECK(tc_value_getz(f.v, "f4")->u.f < -1e308);
	CHECK(tc_value_getz(f.v, "f5")->u.f != tc_value_getz(f.v, "f5")->u.f);
	CHECK(kind_of(f.v, "f6") == TC_FLOAT);
	CHECK(tc_value_getz(f.v, "max")->u.i == INT64_MAX);
	CHECK(tc_value_getz(f.v, "min")->u.i == INT64_MIN);
	fx_done(&f);
}

TEST(yaml_load_makes_quoted_scalars_strings)
{
	fx f;
	fx_load(&f, "a: 'true'\nb: \"12\"\nc: |\n  x\nd: plain\n");
	CHECK(f.rc == 0);
	CHECK(kind_of(f.v, "a") == TC_STR && kind_of(f.v, "b") == TC_STR);
	CHECK(tc_value_getz(f.v, "a")->flags & TC_VAL_QUOTED);
	CHECK(tc_value_streq(tc_value_getz(f.v, "c"), "x\n"));
	CHECK(!(tc_value_getz(f.v, "d")->flags & TC_VAL_QUOTED));
	fx_done(&f);
}

TEST(yaml_load_records_positions_of_nodes_and_keys)
{
	fx f;
	fx_load(&f, "# comment\nname: acme\nrealm:\n  roles: [a, b]\n");
	CHECK(f.rc == 0);
	const tc_member *m = tc_value_member(f.v, "realm", 5);
	CHECK(m && m->kpos.line == 3 && m->kpos.col == 1);
	CHECK(m->val->pos.line == 4 && m->val->pos.col == 3);
	tc_value *roles = tc_value_dig(f.v, "realm.roles");
	CHECK(roles && roles->kind == TC_ARRAY && roles->pos.line == 4 && roles->pos.col == 10);
	CHECK(roles->u.arr.items[1]->pos.col == 14);
	CHECK_STR(roles->pos.file, "t.yaml");
	tc_value *name = tc_value_getz(f.v, "name");
	CHECK(name->pos.line == 2 && name->pos.col == 7);
	fx_done(&f);
}

TEST(yaml_load_rejects_duplicate_keys)
{
	fx f;
	fx_load(&f, "kind: a\nname: x\nother: 1\nname: y\n");
	CHECK(f.rc < 0);
	CHECK_STR(f.msg, "t.yaml:4:1: error: duplicate key 'name' (first at line 2)");
	fx_done(&f);
}

TEST(yaml_load_reports_every_duplicate_key)
{
	fx f;
	fx_load(&f, "a: 1\na: 2\nb: 1\nb: 2\n");
	CHECK(f.rc < 0);
	CHECK(f.d.len == 2);
	fx_done(&f);
}

TEST(yaml_load_rejects_billion_laughs)
{
	fx f;
	fx_load(&f, "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	            "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
	            "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
	            "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
	            "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
	            "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
	            "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
	            "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
	            "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n");
	CHECK(f.rc < 0);
	CHECK(strstr(f.msg, "error: alias expansion exceeds 1000000 nodes") != NULL);
	fx_done(&f);
}

TEST(yaml_load_shares_aliased_subtrees)
{
	fx f;
	fx_load(&f, "base: &b {x: 1}\ncopy: *b\n");
	CHECK(f.rc == 0);
	tc_value *b = tc_value_getz(f.v, "base"), *c = tc_value_getz(f.v, "copy");
	CHECK(tc_value_equal(b, c));
	CHECK(b->u.obj.members == c->u.obj.members);
	CHECK(c->pos.line == 2 && c->pos.col == 7);
	fx_done(&f);
}

TEST(yaml_load_rejects_unknown_and_recursive_aliases)
{
	fx f;
	fx_load(&f, "a: *nope\n");
	CHECK(f.rc < 0);
	CHECK_STR(f.msg, "t.yaml:1:4: error: unknown alias '*nope'");
	fx_done(&f);
	fx_load(&f, "a: &x [1, *x]\n");
	CHECK(f.rc < 0);
	CHECK(strstr(f.msg, "refers to a node that contains it") != NULL);
	fx_done(&f);
}

TEST(yaml_load_enforces_the_depth_limit)
{
	tc_yaml_limits lim = tc_yaml_default_limits;
	lim.max_depth = 3;
	fx f;
	fx_load_lim(&f, "[[[1]]]", 7, &lim);
	CHECK(f.rc == 0);
	fx_done(&f);
	fx_load_lim(&f, "[[[[1]]]]", 9, &lim);
	CHECK(f.rc < 0);
	CHECK_STR(f.msg, "t.yaml:1:4: error: nesting deeper than 3 levels");
	fx_done(&f);
}

TEST(yaml_load_checks_the_size_before_parsing)
{
	tc_yaml_limits lim = tc_yaml_default_limits;
	lim.max_bytes = 4;
	fx f;
	fx_load_lim(&f, "a: [", 4, &lim);
	CHECK(f.rc < 0 && strstr(f.msg, "did not find expected node content") != NULL);
	fx_done(&f);
	fx_load_lim(&f, "a: 12", 5, &lim);
	CHECK(f.rc < 0);
	CHECK_STR(f.msg, "t.yaml:1:1: error: file is 5 bytes, more than the limit of 4");
	fx_done(&f);
}

TEST(yaml_load_rejects_invalid_utf8_at_the_bad_byte)
{
	fx f;
	fx_load(&f, "a: ok\nb: x\xc3\xa9y\xff\n");
	CHECK(f.rc < 0);
	CHECK_STR(f.msg, "t.yaml:2:7: error: invalid UTF-8 (byte 0xff)");
	fx_done(&f);
}

TEST(yaml_load_rejects_non_scalar_keys)
{
	fx f;
	fx_load(&f, "? [a]\n: 1\n");
	CHECK(f.rc < 0);
	CHECK_STR(f.msg, "t.yaml:1:3: error: mapping key must be a scalar, not a sequence");
	fx_done(&f);
}

TEST(yaml_load_honours_core_tags_and_rejects_unknown_ones)
{
	fx f;
	fx_load(&f, "a: !!str 12\nb: !!int \"7\"\nc: !!float 1\nd: ! true\ne: !!bool false\n");
	CHECK(f.rc == 0);
	CHECK(tc_value_streq(tc_value_getz(f.v, "a"), "12"));
	CHECK(tc_value_getz(f.v, "b")->kind == TC_INT && tc_value_getz(f.v, "b")->u.i == 7);
	CHECK(tc_value_getz(f.v, "c")->kind == TC_FLOAT);
	CHECK(tc_value_streq(tc_value_getz(f.v, "d"), "true"));
	CHECK(tc_value_getz(f.v, "e")->kind == TC_BOOL);
	fx_done(&f);
	fx_load(&f, "a: !secret x\n");
	CHECK(f.rc < 0);
	CHECK_STR(f.msg, "t.yaml:1:4: error: unknown tag '!secret'");
	fx_done(&f);
	fx_load(&f, "a: !!int x\n");
	CHECK(f.rc < 0);
	CHECK_STR(f.msg, "t.yaml:1:4: error: 'x' is not a valid '!!int'");
	fx_done(&f);
}

TEST(yaml_load_reads_decimal_integers_outside_int64_as_numbers)
{
	/* like json_load.c and JSON-e (spec case #314) */
	fx f;
	fx_load(&f, "a: 9223372036854775808\n");
	CHECK(f.rc == 0);
	const tc_value *a = tc_value_getz(f.v, "a");
	CHECK(a && a->kind == TC_FLOAT && a->u.f == 9223372036854775808.0);
	fx_done(&f);
}

TEST(yaml_load_rejects_merge_keys_with_a_hint)
{
	fx f;
	fx_load(&f, "a: &a {x: 1}\nb:\n  <<: *a\n");
	CHECK(f.rc < 0);
	CHECK(strstr(f.msg, "t.yaml:3:3: error: merge keys '<<' are not supported") == f.msg);
	fx_done(&f);
}

TEST(yaml_load_rejects_a_second_document)
{
	fx f;
	fx_load(&f, "a: 1\n---\nb: 2\n");
	CHECK(f.rc < 0);
	CHECK(strstr(f.msg, "t.yaml:2:1: error: expected one document") == f.msg);
	fx_done(&f);
}

TEST(yaml_load_gives_null_for_an_empty_file)
{
	fx f;
	fx_load(&f, "# only a comment\n");
	CHECK(f.rc == 0 && f.v && f.v->kind == TC_NULL);
	fx_done(&f);
}

TEST(yaml_load_reports_syntax_errors_with_one_based_positions)
{
	fx f;
	fx_load(&f, "a: 1\nb: 'open\n");
	CHECK(f.rc < 0);
	CHECK(strstr(f.msg, "t.yaml:3:1: error: found unexpected end of stream while scanning a "
	                    "quoted scalar at line 2") == f.msg);
	fx_done(&f);
	fx_load(&f, "a:\n\tb: 1\n");
	CHECK(f.rc < 0);
	CHECK(strstr(f.msg, "tabs are not allowed") != NULL);
	fx_done(&f);
}

TEST(yaml_load_reports_disallowed_characters_at_their_position)
{
	fx f;
	fx_load(&f, "a: 1\nb: x\xc3\xa9\x01\n");
	CHECK(f.rc < 0);
	CHECK_STR(f.msg, "t.yaml:2:6: error: character U+0001 is not allowed in YAML (write it as "
	                 "an escape in a double-quoted string)");
	fx_done(&f);
	fx_load(&f, "a: \"\\x01\"\n");
	CHECK(f.rc == 0 && tc_value_getz(f.v, "a")->u.str.ptr[0] == 1);
	fx_done(&f);
}

TEST(yaml_load_adds_hints_to_common_syntax_errors)
{
	fx f;
	fx_load(&f, "a:\n  b: 1\n c: 2\n");
	CHECK(f.rc < 0);
	CHECK(strstr(f.msg, "(check the indentation)") != NULL);
	fx_done(&f);
	fx_load(&f, "a: @x\n");
	CHECK(f.rc < 0);
	CHECK(strstr(f.msg, "t.yaml:1:4: error: found character that cannot start any token") ==
	      f.msg);
	fx_done(&f);
}

/* Both were quadratic once: 200,000 anchors took minutes to resolve and
 * 50,000 repeated keys re-sorted the mapping once per duplicate. Under
 * meson's timeout this test fails with the old code. */
TEST(yaml_load_skips_a_byte_order_mark)
{
	fx f;
	fx_load(&f, "\xef\xbb\xbf"
	            "a: 1\n");
	CHECK(f.rc == 0 && tc_value_getz(f.v, "a") && tc_value_getz(f.v, "a")->pos.col == 4);
	fx_done(&f);
	fx_load(&f, "\xef\xbb\xbf"
	            "a: \x01\n");
	CHECK(f.rc < 0);
	CHECK(strstr(f.msg, "t.yaml:1:4: error: character U+0001") == f.msg);
	fx_done(&f);
	fx_load(&f, "\xff\xfe"
	            "a\0:\0");
	CHECK(f.rc < 0);
	CHECK_STR(f.msg, "t.yaml:1:1: error: invalid UTF-8 (byte 0xff)");
	fx_done(&f);
}

TEST(yaml_load_stays_linear_with_many_anchors_and_duplicates)
{
	tc_buf in;
	tc_buf_init(&in, TC_BUF_UNLIMITED);
	for (int i = 0; i < 200000; i++)
		tc_buf_addf(&in, "a%d: &x%d v\n", i, i);
	for (int i = 0; i < 200000; i++)
		tc_buf_addf(&in, "b%d: *x%d\n", i, 199999 - i);
	fx f;
	fx_load_lim(&f, in.ptr, in.len, NULL);
	CHECK(f.rc == 0 && f.v->u.obj.len == 400000);
	CHECK(tc_value_streq(tc_value_getz(f.v, "b0"), "v"));
	fx_done(&f);
	tc_buf_reset(&in);
	for (int i = 0; i < 50000; i++)
		tc_buf_addf(&in, "k: %d\n", i);
	fx_load_lim(&f, in.ptr, in.len, NULL);
	CHECK(f.rc < 0 && f.d.len == 100);
	CHECK_STR(f.msg, "t.yaml:2:1: error: duplicate key 'k' (first at line 1)");
	fx_done(&f);
	tc_buf_release(&in);
}

TEST(yaml_load_stream_collects_documents_and_skips_empty_ones)
{
	tc_arena a;
	tc_diags d;
	tc_arena_init(&a);
	tc_diags_init(&d);
	tc_value *v;
	const char *text = "---\na: 1\n---\n---\n- x\n...\n";
	CHECK(tc_yaml_load_stream(&v, &a, &d, "s.yaml", text, strlen(text), NULL) == 0);
	CHECK(v->kind == TC_ARRAY && v->u.arr.len == 2);
	CHECK(v->u.arr.items[0]->kind == TC_OBJECT && v->u.arr.items[1]->kind == TC_ARRAY);
	CHECK(v->u.arr.items[1]->pos.line == 5);
	tc_diags_release(&d);
	tc_arena_release(&a);
}

int main(void)
{
	return RUN(yaml_load_keeps_yes_and_0755_as_strings, yaml_load_resolves_the_core_schema,
	           yaml_load_makes_quoted_scalars_strings,
	           yaml_load_records_positions_of_nodes_and_keys, yaml_load_rejects_duplicate_keys,
	           yaml_load_reports_every_duplicate_key, yaml_load_rejects_billion_laughs,
	           yaml_load_shares_aliased_subtrees,
	           yaml_load_rejects_unknown_and_recursive_aliases,
	           yaml_load_enforces_the_depth_limit, yaml_load_checks_the_size_before_parsing,
	           yaml_load_rejects_invalid_utf8_at_the_bad_byte,
	           yaml_load_rejects_non_scalar_keys,
	           yaml_load_honours_core_tags_and_rejects_unknown_ones,
	           yaml_load_reads_decimal_integers_outside_int64_as_numbers,
	           yaml_load_rejects_merge_keys_with_a_hint, yaml_load_rejects_a_second_document,
	           yaml_load_gives_null_for_an_empty_file,
	           yaml_load_reports_syntax_errors_with_one_based_positions,
	           yaml_load_reports_disallowed_characters_at_their_position,
	           yaml_load_adds_hints_to_common_syntax_errors, yaml_load_skips_a_byte_order_mark,
	           yaml_load_stays_linear_with_many_anchors_and_duplicates,
	           yaml_load_stream_collects_documents_and_skips_empty_ones);
}
