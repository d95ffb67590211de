/*
 * strlist.c - a list of borrowed strings (command-line names, paths).
 *
 * The list owns only its array: the strings belong to whoever pushed them
 * (argv, an arena). It lives in core so that every library can take one
 * (render's --env and --tenant filters) without reaching into the
 * executable's option parser.
 */
#include "strlist.h"

#include "arena.h"
#include "sort.h"

#include <stdlib.h>
#include <string.h>

void tc_strlist_push(tc_strlist *l, const char *s)
{
	TC_GROW(l->items, l->cap, l->len + 1);
	l->items[l->len++] = s;
}

void tc_strlist_release(tc_strlist *l)
{
	free(l->items);
	l->items = NULL;
	l->len = l->cap = 0;
}

void tc_strlist_sort_unique(tc_strlist *l)
{
	if (l->len < 2)
		return;
	qsort(l->items, l->len, sizeof *l->items, tc_cmp_str);
	size_t out = 1;
	for (size_t i = 1; i < l->len; i++)
		if (strcmp(l->items[i], l->items[out - 1]) != 0)
			l->items[out++] = l->items[i];
	l->len = out;
}

bool tc_strlist_has(const tc_strlist *l, const char *s)
{
	for (size_t i = 0; i < l->len; i++)
		if (strcmp(l->items[i], s) == 0)
			return true;
	return false;
}
