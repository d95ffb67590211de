/*
 * json_emit.h - canonical JSON text from tc_value.
 *
 * Object keys in byte order (the order objects are kept in), strings with
 * the short escapes \" \\ \b \f \n \r \t and \u00XX for the other control
 * characters, everything else raw UTF-8 (bytes that are not valid UTF-8,
 * which only computed strings can hold, become \u00XX). Integers in
 * decimal; floats in the shortest form that reads back to the same double
 * and keeps a '.' or exponent so that they stay floats ("1.0", "1.0e+21");
 * NaN and infinities, which JSON cannot express, become null as in
 * JavaScript's JSON.stringify.
 */
#ifndef TC_JSON_EMIT_H
#define TC_JSON_EMIT_H

#include <stdbool.h>

#include "buf.h"
#include "value.h"

/* Append v to out. Compact form: no white space and no final newline.
 * Pretty form: two-space indentation, "key": value, empty collections as
 * {} and [], and a final newline. */
void tc_json_emit(tc_buf *out, const tc_value *v, bool pretty);
/* Append the n bytes at s as a JSON string: quotes, the escapes JSON
 * requires (\u00XX for other control bytes), UTF-8 as it is, and each byte
 * that is not part of valid UTF-8 as \u00XX, so the text is always JSON. */
void tc_json_string(tc_buf *out, const char *s, size_t n);

#endif
