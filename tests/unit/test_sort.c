/*
 * test_sort.c - the one stable sort: equal elements keep their order at
 * every size (insertion runs, merges, scratch on the stack and on the
 * heap, elements larger than the swap buffer), and the string comparator.
 */
#include "sort.h"
#include "tc_test.h"

#include <stdlib.h>

typedef struct {
	int key;
	int seq;
	char pad[100]; /* larger than sort.c's stack element buffer */
} big;

static int bykey(const void *a, const void *b, void *ctx)
{
	int *calls = ctx;
	if (calls)
		(*calls)++;
	const big *x = a, *y = b;
	return (x->key > y->key) - (x->key < y->key);
}

static int bykey_int(const void *a, const void *b, void *ctx)
{
	(void)ctx;
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static int check_sorted(const big *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (v[i - 1].key > v[i].key ||
		    (v[i - 1].key == v[i].key && v[i - 1].seq > v[i].seq))
			return 0;
	return 1;
}

TEST(sort_stable_keeps_equal_elements_in_order_at_every_size)
{
	static const size_t sizes[] = {0, 1, 2, 7, 8, 9, 16, 17, 100, 1000, 5000};
	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		size_t n = sizes[s];
		big *v = calloc(n ? n : 1, sizeof *v);
		unsigned r = 12345;
		for (size_t i = 0; i < n; i++) {
			r = r * 1103515245 + 12345;
			v[i].key = (int)(r >> 16) % 5; /* many equal keys */
			v[i].seq = (int)i;
		}
		int calls = 0;
		tc_sort_stable(v, n, sizeof *v, bykey, &calls);
		int ok = check_sorted(v, n);
		free(v);
		CHECK(ok);
	}
}

TEST(sort_stable_sorts_small_elements_and_reverse_input)
{
	int v[50];
	for (int i = 0; i < 50; i++)
		v[i] = 50 - i;
	tc_sort_stable(v, 50, sizeof *v, bykey_int, NULL);
	for (int i = 0; i < 50; i++)
		CHECK(v[i] == i + 1);
}

TEST(cmp_str_orders_c_strings_by_bytes)
{
	const char *v[] = {"b", "B", "a", "\xc3\xa9", "ab", ""};
	qsort(v, 6, sizeof *v, tc_cmp_str);
	CHECK_STR(v[0], "");
	CHECK_STR(v[1], "B");
	CHECK_STR(v[2], "a");
	CHECK_STR(v[3], "ab");
	CHECK_STR(v[4], "b");
	CHECK_STR(v[5], "\xc3\xa9");
}

int main(void)
{
	return RUN(sort_stable_keeps_equal_elements_in_order_at_every_size,
	           sort_stable_sorts_small_elements_and_reverse_input,
	           cmp_str_orders_c_strings_by_bytes);
}
