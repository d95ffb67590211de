/*
 * scalar.h - canonical scalars: YAML 1.2 core schema resolution, UTF-8
 * checking, shortest round-trip numbers and "does this string need quotes".
 *
 * Everything here is pure: no allocation, no locale (tenantc never calls
 * setlocale, so strtod and snprintf always use the "C" locale's '.').
 */
#ifndef TC_SCALAR_H
#define TC_SCALAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "value.h"

/* The value of a resolved scalar; kind is TC_NULL, TC_BOOL, TC_INT,
 * TC_FLOAT or TC_STR (TC_STR: the text itself is the value). */
typedef struct tc_scalar {
	tc_kind kind;
	bool b;
	int64_t i;
	double f;
} tc_scalar;

/* Resolve the text of a plain (unquoted, untagged) scalar by the YAML 1.2
 * core schema, with one deliberate difference: a decimal integer with a
 * leading zero ("0755", "-01") stays a string, because YAML 1.1 readers
 * take it as octal and 1.2 readers as decimal.
 *   null   ~ null Null NULL and the empty string
 *   bool   true True TRUE false False FALSE
 *   int    [-+]?(0|[1-9][0-9]*)  0o[0-7]+  0x[0-9a-fA-F]+
 *   float  [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
 *          [-+]?(\.inf|\.Inf|\.INF)  \.nan|\.NaN|\.NAN
 * Everything else (yes, on, 1_000, 1:20, 2001-12-14) is a string.
 * Returns -1 when the text is an integer outside int64 or a float whose
 * magnitude overflows a double (out->kind then says which); 0 otherwise. */
int tc_scalar_resolve(tc_scalar *out, const char *s, size_t n);

/* The same rule restricted to one kind, for explicit tags (!!int, ...):
 * returns 0 and sets out when s is a valid literal of that kind. !!float
 * also accepts the integer forms. */
int tc_scalar_parse_null(const char *s, size_t n);
int tc_scalar_parse_bool(bool *out, const char *s, size_t n);
int tc_scalar_parse_int(int64_t *out, const char *s, size_t n);
int tc_scalar_parse_float(double *out, const char *s, size_t n);

/* Offset of the first byte that is not part of well-formed UTF-8 (no
 * overlong forms, no surrogates, nothing above U+10FFFF), or n when all of
 * s[0..n) is valid. */
size_t tc_scalar_utf8_check(const char *s, size_t n);

/* Write the shortest text that reads back (strtod) to exactly f, always
 * recognisable as a float by YAML 1.1 and 1.2 readers and by JSON readers:
 * it holds a '.' ("1.0", "0.1", "1.0e+21", "1.0e-07"). Infinity and NaN
 * become ".inf", "-.inf", ".nan" (not valid JSON: the JSON writer handles
 * them itself). Returns the length; out is NUL-terminated. */
size_t tc_scalar_format_double(char out[32], double f);

/* True when a string must be quoted in block-context YAML output so that
 * YAML 1.1 readers (PyYAML, Go yaml.v2) and YAML 1.2 readers (libyaml via
 * tenantc, Go yaml.v3) all read it back as exactly this string. Also true
 * for anything that cannot be a plain scalar at all (leading or trailing
 * space, ": ", " #", indicators, line breaks, non-printable characters). */
bool tc_scalar_needs_quotes(const char *s, size_t n);

#endif
