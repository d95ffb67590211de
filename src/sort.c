/*
 * sort.c - see sort.h.
 *
 * Top-down merge sort into one scratch array, with insertion sort for runs
 * of up to eight elements (most objects have fewer members than that, and
 * value.c sorts every unsorted mapping it builds). Elements are moved with
 * memcpy, so any element type works; the callers' elements are small
 * structs.
 */
#include "sort.h"

#include "arena.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* elements up to this size are moved through a stack buffer */
#define SMALL_ELEM 64

static void insertion(char *v, size_t n, size_t size, tc_cmp_fn cmp, void *ctx, char *t)
{
	for (size_t i = 1; i < n; i++) {
		size_t j = i;
		if (cmp(v + (j - 1) * size, v + i * size, ctx) <= 0)
			continue;
		memcpy(t, v + i * size, size);
		while (j > 0 && cmp(v + (j - 1) * size, t, ctx) > 0)
			j--;
		memmove(v + (j + 1) * size, v + j * size, (i - j) * size);
		memcpy(v + j * size, t, size);
	}
}

static void msort(char *v, char *tmp, size_t n, size_t size, tc_cmp_fn cmp, void *ctx, char *t)
{
	if (n <= 8) {
		insertion(v, n, size, cmp, ctx, t);
		return;
	}
	size_t h = n / 2;
	msort(v, tmp, h, size, cmp, ctx, t);
	msort(v + h * size, tmp, n - h, size, cmp, ctx, t);
	/* already in order: nothing to merge */
	if (cmp(v + (h - 1) * size, v + h * size, ctx) <= 0)
		return;
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n) {
		/* take from the right only when strictly smaller: stable */
		if (cmp(v + j * size, v + i * size, ctx) < 0)
			memcpy(tmp + k++ * size, v + j++ * size, size);
		else
			memcpy(tmp + k++ * size, v + i++ * size, size);
	}
	memcpy(tmp + k * size, v + i * size, (h - i) * size);
	k += h - i;
	/* what is left on the right is already in place */
	memcpy(v, tmp, k * size);
}

void tc_sort_stable(void *base, size_t n, size_t size, tc_cmp_fn cmp, void *ctx)
{
	if (n < 2)
		return;
	char small[SMALL_ELEM];
	char *t = size <= SMALL_ELEM ? small : tc_xmalloc(size);
	/* scratch on the stack for the small arrays most calls sort */
	_Alignas(max_align_t) char stack[1024];
	char *tmp = n <= 8 ? NULL : n * size <= sizeof stack ? stack : tc_xmalloc(n * size);
	msort(base, tmp, n, size, cmp, ctx, t);
	if (tmp != stack)
		free(tmp);
	if (t != small)
		free(t);
}

int tc_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}
