/*
 * test_value.c - unit tests for value.c, arena.c, buf.c and diag.c.
 */
#include "value.h"

#include "tc_test.h"

TEST(value_object_sorts_members_by_key_bytes)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_objb b;
	tc_objb_init(&b);
	tc_objb_addz(&b, "kind", tc_value_strz(&a, "Namespace", TC_NOPOS));
	tc_objb_addz(&b, "apiVersion", tc_value_strz(&a, "v1", TC_NOPOS));
	tc_objb_addz(&b, "Z", tc_value_int(&a, 1, TC_NOPOS));
	size_t dup = 99;
	tc_value *o = tc_objb_finish(&b, &a, TC_NOPOS, &dup);
	CHECK(o && o->u.obj.len == 3);
	CHECK_STR(o->u.obj.members[0].key, "Z");
	CHECK_STR(o->u.obj.members[1].key, "apiVersion");
	CHECK(tc_value_streq(tc_value_getz(o, "kind"), "Namespace"));
	CHECK(tc_value_getz(o, "missing") == NULL);
	tc_arena_release(&a);
}

TEST(value_object_reports_duplicate_keys)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_member m[3] = {
		{"a", 1, TC_NOPOS, tc_value_int(&a, 1, TC_NOPOS)},
		{"b", 1, TC_NOPOS, tc_value_int(&a, 2, TC_NOPOS)},
		{"a", 1, TC_NOPOS, tc_value_int(&a, 3, TC_NOPOS)},
	};
	size_t dup = 99;
	CHECK(tc_value_object(&a, m, 3, TC_NOPOS, &dup) == NULL);
	CHECK(dup == 2);
	tc_value *o = tc_value_object(&a, m, 3, TC_NOPOS, NULL);
	CHECK(o && o->u.obj.len == 2 && tc_value_getz(o, "a")->u.i == 3);
	tc_arena_release(&a);
}

TEST(value_equal_treats_int_and_float_as_numbers)
{
	tc_arena a;
	tc_arena_init(&a);
	CHECK(tc_value_equal(tc_value_int(&a, 1, TC_NOPOS), tc_value_float(&a, 1.0, TC_NOPOS)));
	CHECK(!tc_value_equal(tc_value_int(&a, 1, TC_NOPOS), tc_value_strz(&a, "1", TC_NOPOS)));
	tc_arena_release(&a);
}

TEST(value_same_compares_kinds_and_bytes_as_written)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_pos p1 = {"a.yaml", 1, 1}, p2 = {"b.yaml", 9, 9};
	/* 1 and 1.0 are written differently, so are 0.0 and -0.0 */
	CHECK(!tc_value_same(tc_value_int(&a, 1, TC_NOPOS), tc_value_float(&a, 1.0, TC_NOPOS)));
	CHECK(!tc_value_same(tc_value_float(&a, 0.0, TC_NOPOS),
	                     tc_value_float(&a, -0.0, TC_NOPOS)));
	CHECK(tc_value_same(tc_value_float(&a, 2.5, p1), tc_value_float(&a, 2.5, p2)));
	tc_value *s1 = tc_value_strz(&a, "x", p1), *s2 = tc_value_strz(&a, "x", p2);
	s2->flags |= TC_VAL_SECRET;
	CHECK(tc_value_same(s1, s2)); /* positions and flags do not count */
	CHECK(tc_value_same(tc_value_strz(&a, "", p1), tc_value_strz(&a, "", p2)));
	tc_objb b;
	tc_objb_init(&b);
	tc_objb_addz(&b, "k", tc_value_array(&a, (tc_value *[]){s1}, 1, p1));
	tc_value *o1 = tc_objb_finish(&b, &a, p1, NULL);
	tc_objb_init(&b);
	tc_objb_addz(&b, "k", tc_value_array(&a, (tc_value *[]){s2}, 1, p2));
	tc_value *o2 = tc_objb_finish(&b, &a, p2, NULL);
	CHECK(tc_value_same(o1, o2));
	tc_objb_init(&b);
	tc_objb_addz(&b, "k", tc_value_array(&a, (tc_value *[]){tc_value_int(&a, 1, p2)}, 1, p2));
	CHECK(!tc_value_same(o1, tc_objb_finish(&b, &a, p2, NULL)));
	CHECK(!tc_value_same(o1, NULL));
	tc_arena_release(&a);
}

TEST(arena_gives_aligned_memory_across_blocks)
{
	tc_arena a;
	tc_arena_init(&a);
	for (int i = 0; i < 10000; i++) {
		char *p = tc_arena_alloc(&a, (size_t)(i % 97) + 1);
		CHECK(((uintptr_t)p & 15) == 0);
		memset(p, 1, (size_t)(i % 97) + 1);
	}
	void *big = tc_arena_alloc(&a, 1 << 20);
	memset(big, 0, 1 << 20);
	tc_arena_reset(&a);
	CHECK(a.used == 0);
	tc_arena_release(&a);
}

TEST(buf_sets_sticky_error_past_its_cap)
{
	tc_buf b;
	tc_buf_init(&b, 8);
	tc_buf_adds(&b, "12345");
	CHECK(!tc_buf_failed(&b));
	tc_buf_adds(&b, "6789");
	CHECK(tc_buf_failed(&b));
	tc_buf_adds(&b, "x");
	CHECK(b.len == 5);
	CHECK_STR(tc_buf_str(&b), "12345");
	tc_buf_release(&b);
}

TEST(diag_prints_sorted_with_path)
{
	tc_diags d;
	tc_diags_init(&d);
	tc_path root = TC_PATH_KEY(NULL, "realm", 5);
	tc_path cl = TC_PATH_KEY(&root, "clients", 7);
	tc_path one = TC_PATH_INDEX(&cl, 1);
	tc_path ty = TC_PATH_KEY(&one, "a/b", 3);
	tc_error(&d, (tc_pos){"b.yaml", 2, 1}, NULL, "second");
	tc_error(&d, (tc_pos){"a.yaml", 9, 3}, &ty, "first");
	tc_diags_sort(&d);
	tc_buf out;
	tc_buf_init(&out, 4096);
	tc_diag_format(&out, &d.items[0]);
	CHECK_STR(tc_buf_str(&out), "a.yaml:9:3: error: first (at .realm.clients[1][\"a/b\"])");
	CHECK(tc_diags_exit_code(&d) == 2);
	tc_buf_release(&out);
	tc_diags_release(&d);
}

int main(void)
{
	return RUN(value_object_sorts_members_by_key_bytes, value_object_reports_duplicate_keys,
	           value_equal_treats_int_and_float_as_numbers,
	           value_same_compares_kinds_and_bytes_as_written,
	           arena_gives_aligned_memory_across_blocks, buf_sets_sticky_error_past_its_cap,
	           diag_prints_sorted_with_path);
}
