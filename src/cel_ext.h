/*
 * cel_ext.h - the CEL extension libraries (strings, math, encoders): one
 * function table, sorted by name.
 */
#ifndef TC_CEL_EXT_H
#define TC_CEL_EXT_H

#include "cel_eval.h"

extern const tc_cel_func tc_cel_extlib[];
extern const size_t tc_cel_nextlib;
/* its length, for tables built at compile time (cel_lib.c) */
#define TC_CEL_NEXTLIB 32

#endif
