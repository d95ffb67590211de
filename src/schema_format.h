/*
 * schema_format.h - the JSON Schema 'format' values tenantc can assert.
 *
 * Each checker takes a string (bytes, not NUL-terminated) and answers
 * whether it is valid for the format. Formats not listed here are
 * annotations only, as the specification allows. The checkers are pure
 * functions of their input, so they need no state and are thread-safe.
 */
#ifndef TC_SCHEMA_FORMAT_H
#define TC_SCHEMA_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

typedef enum tc_schema_format {
	TC_FMT_NONE = 0,
	TC_FMT_DATE_TIME,
	TC_FMT_DATE,
	TC_FMT_TIME,
	TC_FMT_DURATION,
	TC_FMT_EMAIL,
	TC_FMT_HOSTNAME,
	TC_FMT_IPV4,
	TC_FMT_IPV6,
	TC_FMT_URI,
	TC_FMT_URI_REFERENCE,
	TC_FMT_UUID,
	TC_FMT_JSON_POINTER,
	TC_FMT_RELATIVE_JSON_POINTER,
	TC_FMT_REGEX,
} tc_schema_format;

/* The format named name[0..n), or TC_FMT_NONE when tenantc does not assert it. */
tc_schema_format tc_schema_format_lookup(const char *name, size_t n);

/* True when s[0..n) is valid for f (always true for TC_FMT_NONE). */
bool tc_schema_format_check(tc_schema_format f, const char *s, size_t n);

/* Date and time helpers shared with the format checkers: RFC 3339
 * full-date "YYYY-MM-DD" and partial-time plus offset. */
bool tc_format_is_date(const char *s, size_t n);
bool tc_format_is_time(const char *s, size_t n);

#endif
