/*
 * cel_lib.h - the CEL standard library: one function table, sorted by name.
 */
#ifndef TC_CEL_LIB_H
#define TC_CEL_LIB_H

#include "cel_eval.h"

/* The standard library (cel_lib.c): one table, sorted by name. */
extern const tc_cel_func tc_cel_stdlib[];
extern const size_t tc_cel_nstdlib;

#endif
