/*
 * test_merge.c - unit tests for merge.c, the one rule of layered settings
 * (a tenant's per-environment section over its defaults, and the
 * mergeValues template helper): maps merge key by key, lists and scalars
 * replace. JSON-e's own $mergeDeep concatenates lists instead; the cases
 * on lists are the difference.
 */
#include "merge.h"

#include "buf.h"
#include "json_emit.h"
#include "yaml_load.h"

#include "tc_test.h"

/* YAML text to a value in a (no positions file name needed) */
static tc_value *yaml(tc_arena *a, const char *text)
{
	tc_diags d;
	tc_diags_init(&d);
	tc_value *v = NULL;
	if (tc_yaml_load(&v, a, &d, "t.yaml", text, strlen(text), NULL))
		v = NULL;
	tc_diags_release(&d);
	return v;
}

/* merge over on base and print the result as compact JSON into out */
static const char *merged(char out[512], const char *base, const char *over)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_value *b = yaml(&a, base), *o = yaml(&a, over);
	if (!b || !o) {
		tc_arena_release(&a);
		return NULL;
	}
	tc_buf buf;
	tc_buf_init(&buf, 4096);
	tc_json_emit(&buf, tc_merge(&a, b, o, NULL), false);
	tc_test_path(out, 512, "%.*s", (int)buf.len, buf.ptr);
	tc_buf_release(&buf);
	tc_arena_release(&a);
	return out;
}

TEST(merge_merges_maps_key_by_key)
{
	char out[512];
	CHECK_STR(merged(out, "{a: 1, b: {x: 1, y: 2}}", "{b: {y: 3, z: 4}, c: 5}"),
	          "{\"a\":1,\"b\":{\"x\":1,\"y\":3,\"z\":4},\"c\":5}");
}

TEST(merge_replaces_lists_instead_of_concatenating_them)
{
	/* the example's default Keycloak port could never be removed when
	 * $mergeDeep joined [8443] and [8443, 9000] into [8443, 8443, 9000] */
	char out[512];
	CHECK_STR(merged(out, "{keycloak: {namespace: kc, ports: [8443]}}",
	                 "{keycloak: {ports: [8443, 9000]}}"),
	          "{\"keycloak\":{\"namespace\":\"kc\",\"ports\":[8443,9000]}}");
	CHECK_STR(merged(out, "{ports: [8443]}", "{ports: []}"), "{\"ports\":[]}");
}

TEST(merge_replaces_scalars_and_null_replaces_too)
{
	char out[512];
	CHECK_STR(merged(out, "{a: 1, b: x}", "{a: two, b: null}"), "{\"a\":\"two\",\"b\":null}");
}

TEST(merge_replaces_a_map_by_a_non_map_and_the_other_way)
{
	char out[512];
	CHECK_STR(merged(out, "{a: {x: 1}}", "{a: [1]}"), "{\"a\":[1]}");
	CHECK_STR(merged(out, "{a: [1]}", "{a: {x: 1}}"), "{\"a\":{\"x\":1}}");
	CHECK_STR(merged(out, "[1, 2]", "{x: 1}"), "{\"x\":1}");
	CHECK_STR(merged(out, "{x: 1}", "[1, 2]"), "[1,2]");
}

TEST(merge_keeps_members_sorted_and_lookups_work)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_value *b = yaml(&a, "{m: 1, a: 1, z: {q: 1}}"), *o = yaml(&a, "{b: 2, y: 2, z: {p: 2}}");
	CHECK(b && o);
	size_t steps = 0;
	tc_value *v = tc_merge(&a, b, o, &steps);
	CHECK(v->kind == TC_OBJECT && v->u.obj.len == 5);
	for (size_t i = 1; i < v->u.obj.len; i++)
		CHECK(tc_bytes_cmp(v->u.obj.members[i - 1].key, v->u.obj.members[i - 1].klen,
		                   v->u.obj.members[i].key, v->u.obj.members[i].klen) < 0);
	CHECK(tc_value_dig(v, "z.p")->u.i == 2 && tc_value_dig(v, "z.q")->u.i == 1);
	CHECK(steps == 8); /* 3 + 3 at the top, 1 + 1 in z */
	tc_arena_release(&a);
}

TEST(merge_gives_a_merged_map_the_upper_layers_position_and_keeps_the_rest)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_value *b = yaml(&a, "realm:\n  roles: [r]\n"), *o = yaml(&a, "\n\nrealm:\n  x: 1\n");
	CHECK(b && o);
	tc_value *v = tc_merge(&a, b, o, NULL);
	CHECK(tc_value_getz(v, "realm")->pos.line == 4); /* the section over it */
	CHECK(tc_value_dig(v, "realm.roles")->pos.line == 2);
	CHECK(tc_value_dig(v, "realm.x")->pos.line == 4);
	/* the inputs are unchanged */
	CHECK(tc_value_getz(tc_value_getz(b, "realm"), "x") == NULL);
	tc_arena_release(&a);
}

TEST(merge_carries_the_secret_flag_of_either_side)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_value *b = yaml(&a, "{a: {x: 1}}"), *o = yaml(&a, "{a: {y: 2}}");
	CHECK(b && o);
	tc_value_getz(b, "a")->flags |= TC_VAL_SECRET;
	tc_value *v = tc_merge(&a, b, o, NULL);
	CHECK(tc_value_getz(v, "a")->flags & TC_VAL_SECRET);
	CHECK(!(tc_value_getz(o, "a")->flags & TC_VAL_SECRET));
	tc_arena_release(&a);
}

int main(void)
{
	return RUN(merge_merges_maps_key_by_key, merge_replaces_lists_instead_of_concatenating_them,
	           merge_replaces_scalars_and_null_replaces_too,
	           merge_replaces_a_map_by_a_non_map_and_the_other_way,
	           merge_keeps_members_sorted_and_lookups_work,
	           merge_gives_a_merged_map_the_upper_layers_position_and_keeps_the_rest,
	           merge_carries_the_secret_flag_of_either_side);
}
