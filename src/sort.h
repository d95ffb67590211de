/*
 * sort.h - the one stable sort. qsort is not stable, and where equal
 * elements must keep their order (object members by key, diagnostics,
 * JSON-e $sort) a merge sort is the simplest thing that is.
 *
 * Plain qsort stays right where no two elements compare equal (byte-sorted
 * names, unique keys); tc_cmp_str is its comparator for arrays of C
 * strings.
 */
#ifndef TC_SORT_H
#define TC_SORT_H

#include <stddef.h>

/* <0, 0, >0 as a sorts before, with or after b; ctx is passed through. */
typedef int (*tc_cmp_fn)(const void *a, const void *b, void *ctx);

/* Sort n elements of size bytes at base, stably: equal elements keep their
 * order. Allocates scratch memory for n elements when n is large (out of
 * memory ends the process, as tc_xmalloc does). */
void tc_sort_stable(void *base, size_t n, size_t size, tc_cmp_fn cmp, void *ctx);

/* qsort comparator for an array of const char * in byte order. */
int tc_cmp_str(const void *a, const void *b);

#endif
