/*
 * cel_lib.h - the CEL standard library: one function table, sorted by name.
 */
#ifndef TC_CEL_LIB_H
#define TC_CEL_LIB_H

#include "cel_eval.h"

/* The standard library (cel_lib.c): one table, sorted by name. */
extern const tc_cel_func tc_cel_stdlib[];
extern const size_t tc_cel_nstdlib;

/* The compiled form (a pcre2_code) of a RE2 pattern string, cached for
 * the evaluation; NULL with the error value in *err when it does not
 * compile or uses what RE2 does not have. */
void *tc_cel_regex_get(tc_cel_ctx *c, const tc_cel_val *pattern, tc_cel_val **err);
/* One match of code in s[0..n) from byte start under the match limit:
 * 1 with the match in [*mstart, *mend), 0 for none, -1 when the limit ran
 * out. */
int tc_cel_regex_match(void *code, const char *s, size_t n, size_t start, size_t *mstart,
                       size_t *mend);

#endif
