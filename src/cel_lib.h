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

/* The function tables of the standard environment (tc_cel_env_init), in
 * the order they are searched: the standard library, the extensions. */
#define TC_CEL_NSTD_TABLES 2
extern const tc_cel_func *const tc_cel_std_tables[TC_CEL_NSTD_TABLES];
extern const size_t tc_cel_std_ntables[TC_CEL_NSTD_TABLES];

/* Go's strconv.FormatFloat(d, 'g', -1, 64), which string(double) follows
 * ("1e+06", "0.0001", "+Inf", "NaN"). */
void tc_cel_double_format(tc_buf *b, double d);

#endif
