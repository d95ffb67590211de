/*
 * jsone_ops.h - the template walk and the $-operators.
 *
 * jsone_ops.c implements the public interface of jsone.h (compile, render)
 * on top of the evaluator; this header only adds what the tests need to see
 * of the compiled form.
 */
#ifndef TC_JSONE_OPS_H
#define TC_JSONE_OPS_H

#include "jsone.h"

/* Number of parsed strings (expressions and interpolations) held by a
 * compiled template. */
size_t tc_jsone_compiled_size(const tc_jsone_compiled *c);

#endif
