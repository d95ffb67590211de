/*
 * test_yaml_emit.c - unit tests for yaml_emit.c: layout, key order,
 * quoting styles, block literals, numbers, and reading the output back.
 */
#include "yaml_emit.h"

#include "yaml_load.h"

#include <math.h>
#include <stdlib.h>

#include "tc_test.h"

/* Load YAML text, emit it, and return the output (malloc'd). */
static char *reemit(const char *in)
{
	tc_arena a;
	tc_diags d;
	tc_arena_init(&a);
	tc_diags_init(&d);
	tc_value *v;
	char *res = NULL;
	if (tc_yaml_load(&v, &a, &d, "t.yaml", in, strlen(in), NULL) == 0) {
		tc_buf out;
		tc_buf_init(&out, TC_BUF_UNLIMITED);
		tc_yaml_emit(&out, v);
		res = tc_buf_detach(&out, NULL);
	} else {
		tc_diags_print(&d, stderr);
	}
	tc_diags_release(&d);
	tc_arena_release(&a);
	return res;
}

static char *emit(const tc_value *v)
{
	tc_buf out;
	tc_buf_init(&out, TC_BUF_UNLIMITED);
	tc_yaml_emit(&out, v);
	return tc_buf_detach(&out, NULL);
}

#define CHECK_EMIT(in, want)                                                                       \
	do {                                                                                       \
		char *got_ = reemit(in);                                                           \
		int same_ = got_ && strcmp(got_, want) == 0;                                       \
		if (!same_)                                                                        \
			fprintf(stderr, "emitted:\n%s", got_ ? got_ : "(load failed)\n");          \
		free(got_);                                                                        \
		CHECK(same_);                                                                      \
	} while (0)

TEST(yaml_emit_puts_apiversion_kind_metadata_first)
{
	CHECK_EMIT("zz: 1\nmetadata: {name: a}\nBig: 2\nkind: K\napiVersion: v1\nspec: {}\n",
	           "apiVersion: v1\nkind: K\nmetadata:\n  name: a\nBig: 2\nspec: {}\nzz: 1\n");
	/* the rule applies in every mapping, not only at the top */
	CHECK_EMIT("a: {metadata: 1, b: 2, kind: 3}\n", "a:\n  kind: 3\n  metadata: 1\n  b: 2\n");
}

TEST(yaml_emit_writes_kubectl_style_sequences)
{
	CHECK_EMIT("a: [x, [p, q], {k: v, l: [1]}, {}, []]\n",
	           "a:\n- x\n- - p\n  - q\n- k: v\n  l:\n  - 1\n- {}\n- []\n");
	CHECK_EMIT("[]", "[]\n");
	CHECK_EMIT("{}", "{}\n");
	CHECK_EMIT("[[[]]]", "- - []\n");
}

TEST(yaml_emit_quotes_only_what_needs_quotes)
{
	CHECK_EMIT("a: \"yes\"\nb: '0755'\nc: plain text\nd: \"it's: x\"\ne: \"\"\nf: '1e3'\n",
	           "a: 'yes'\nb: '0755'\nc: plain text\nd: 'it''s: x'\ne: ''\nf: '1e3'\n");
	CHECK_EMIT("\"on\": 1\n\"a b\": 2\n\"x: y\": 3\n", "a b: 2\n'on': 1\n'x: y': 3\n");
}

TEST(yaml_emit_escapes_tabs_and_control_characters)
{
	CHECK_EMIT("a: \"x\\ty\"\nb: \"\\x01\\x7f\\u2028\\0\"\nc: \"\\\\ \\\"\"\n",
	           "a: \"x\\ty\"\nb: \"\\x01\\x7f\\u2028\\0\"\nc: \\ \"\n");
}

TEST(yaml_emit_writes_multi_line_strings_as_block_literals)
{
	CHECK_EMIT("a: \"x\\ny\\n\"\n", "a: |\n  x\n  y\n");
	CHECK_EMIT("a: \"x\\ny\"\n", "a: |-\n  x\n  y\n");
	CHECK_EMIT("a: \"x\\n\\n\"\n", "a: |+\n  x\n\n");
	CHECK_EMIT("a: \" x\\ny\\n\"\n", "a: |2\n   x\n  y\n");
	CHECK_EMIT("a: \"\\n\\n x\\n\"\n", "a: |2\n\n\n   x\n");
	CHECK_EMIT("- \"x\\ny\\n\"\n", "- |\n  x\n  y\n");
	/* libyaml rejects a tab while detecting the indentation */
	CHECK_EMIT("a: \"\\tx\\ny\\n\"\n", "a: |2\n  \tx\n  y\n");
	CHECK_EMIT("- k: \"x\\n\\ty\\n\"\n", "- k: |\n    x\n    \ty\n");
	/* trailing spaces, CR or only line breaks: double quotes */
	CHECK_EMIT("a: \"x \\ny\\n\"\n", "a: \"x \\ny\\n\"\n");
	CHECK_EMIT("a: \"x\\r\\ny\"\n", "a: \"x\\r\\ny\"\n");
	CHECK_EMIT("a: \"\\n\\n\"\n", "a: \"\\n\\n\"\n");
}

TEST(yaml_emit_writes_canonical_numbers)
{
	CHECK_EMIT("[1.0, 1e21, 1e-7, 0.1, -0.0, .inf, -.inf, .nan, 9223372036854775807, "
	           "-9223372036854775808, 0x10, 0o17, true, null, ~]",
	           "- 1.0\n- 1.0e+21\n- 1.0e-07\n- 0.1\n- -0.0\n- .inf\n- -.inf\n- .nan\n"
	           "- 9223372036854775807\n- -9223372036854775808\n- 16\n- 15\n- true\n- null\n"
	           "- null\n");
}

TEST(yaml_emit_writes_top_level_scalars)
{
	CHECK_EMIT("hello", "hello\n");
	CHECK_EMIT("'yes'", "'yes'\n");
	CHECK_EMIT("\"a\\nb\\n\"", "|\n  a\n  b\n");
	CHECK_EMIT("'---'", "'---'\n");
}

/* {key: 1} with a key of n bytes */
static tc_value *one_key(tc_arena *a, const char *k, size_t n)
{
	tc_objb b;
	tc_objb_init(&b);
	tc_objb_add(&b, k, n, TC_NOPOS, tc_value_int(a, 1, TC_NOPOS));
	return tc_objb_finish(&b, a, TC_NOPOS, NULL);
}

/* Does out load back as o? */
static bool reads_back(tc_arena *a, const tc_value *o, const char *out)
{
	tc_diags d;
	tc_diags_init(&d);
	tc_value *back;
	bool ok = tc_yaml_load(&back, a, &d, "t", out, strlen(out), NULL) == 0 &&
	          tc_value_equal(o, back);
	tc_diags_release(&d);
	return ok;
}

/* A key measured by what it becomes, not its own length: 249 control
 * bytes are 996 bytes escaped plus the quotes (implicit), 250 are 1002
 * (explicit), YAML 1.2 7.4.2 (1024 characters at most). */
TEST(yaml_emit_measures_escaped_keys_for_the_implicit_limit)
{
	tc_arena a;
	tc_arena_init(&a);
	char k[250];
	memset(k, 1, sizeof k);
	for (size_t n = 249; n <= 250; n++) {
		tc_value *o = one_key(&a, k, n);
		char *out = emit(o);
		CHECK(strncmp(out, n == 249 ? "\"\\x01" : "? \"\\x01", n == 249 ? 5 : 7) == 0);
		CHECK(strstr(out, n == 249 ? "\": 1\n" : "\"\n: 1\n") != NULL);
		CHECK(reads_back(&a, o, out));
		free(out);
	}
	tc_arena_release(&a);
}

TEST(yaml_emit_uses_explicit_keys_past_1000_bytes)
{
	tc_arena a;
	tc_arena_init(&a);
	char *k = malloc(1500);
	memset(k, 'k', 1500);
	tc_value *o = one_key(&a, k, 1500);
	char *out = emit(o);
	CHECK(strncmp(out, "? kkk", 5) == 0);
	CHECK(strcmp(out + 2 + 1500, "\n: 1\n") == 0);
	CHECK(reads_back(&a, o, out));
	free(out);
	free(k);
	tc_arena_release(&a);
}

TEST(yaml_emit_stream_separates_documents)
{
	tc_arena a;
	tc_arena_init(&a);
	const tc_value *docs[3] = {tc_value_int(&a, 1, TC_NOPOS),
	                           tc_value_strz(&a, "x\n", TC_NOPOS), tc_value_null(&a, TC_NOPOS)};
	tc_buf out;
	tc_buf_init(&out, TC_BUF_UNLIMITED);
	tc_yaml_emit_stream(&out, docs, 3);
	CHECK_STR(tc_buf_str(&out), "1\n---\n|\n  x\n---\nnull\n");
	tc_buf_reset(&out);
	tc_yaml_emit_stream(&out, docs, 0);
	CHECK(out.len == 0);
	tc_buf_release(&out);
	tc_arena_release(&a);
}

TEST(yaml_emit_escapes_invalid_utf8_bytes)
{
	tc_arena a;
	tc_arena_init(&a);
	char *out = emit(tc_value_str(&a, "a\xff", 2, TC_NOPOS));
	CHECK_STR(out, "\"a\\xff\"\n");
	free(out);
	tc_arena_release(&a);
}

TEST(yaml_emit_output_is_a_fixed_point)
{
	const char *in = "kind: K\nlist: [a, 'b c', {x: \"1\", y: [1.5, \"\\ttab\"]}]\n"
			 "text: \"line 1\\n  line 2\\n\"\nempty: {}\n";
	char *once = reemit(in);
	CHECK(once != NULL);
	char *twice = reemit(once);
	int same = twice && strcmp(once, twice) == 0;
	free(once);
	free(twice);
	CHECK(same);
}

int main(void)
{
	return RUN(yaml_emit_puts_apiversion_kind_metadata_first,
	           yaml_emit_writes_kubectl_style_sequences,
	           yaml_emit_quotes_only_what_needs_quotes,
	           yaml_emit_escapes_tabs_and_control_characters,
	           yaml_emit_writes_multi_line_strings_as_block_literals,
	           yaml_emit_writes_canonical_numbers, yaml_emit_writes_top_level_scalars,
	           yaml_emit_uses_explicit_keys_past_1000_bytes,
	           yaml_emit_measures_escaped_keys_for_the_implicit_limit,
	           yaml_emit_stream_separates_documents, yaml_emit_escapes_invalid_utf8_bytes,
	           yaml_emit_output_is_a_fixed_point);
}
