/*
 * strlist.h - a growable list of borrowed C strings.
 *
 * Invariant: items[0..len) point at strings the caller keeps alive; the
 * array itself is malloc'd and freed by tc_strlist_release.
 */
#ifndef TC_STRLIST_H
#define TC_STRLIST_H

#include <stdbool.h>
#include <stddef.h>

typedef struct tc_strlist {
	const char **items; /* borrowed; the array is malloc'd */
	size_t len, cap;
} tc_strlist;

void tc_strlist_push(tc_strlist *l, const char *s);
void tc_strlist_release(tc_strlist *l);
/* Sort by bytes and drop repeats, so argument order never reaches output. */
void tc_strlist_sort_unique(tc_strlist *l);
bool tc_strlist_has(const tc_strlist *l, const char *s);

#endif
