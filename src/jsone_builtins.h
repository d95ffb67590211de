/*
 * jsone_builtins.h - JSON-e's built-in functions, the rendering helpers and
 * time arithmetic (fromNow / $fromNow).
 *
 * The built-ins are a const table sorted by name. The language's own
 * (min, max, sqrt, ceil, floor, abs, range, lowercase, uppercase, str,
 * number, len, strip, lstrip, rstrip, split, join, fromNow, typeof,
 * defined) are always there; the rendering helpers (b64encode, b64decode,
 * sha256, toJson, toYaml, fromJson, fromYaml, mergeValues) only when the render asks for extras,
 * so that the conformance run sees the pure language.
 */
#ifndef TC_JSONE_BUILTINS_H
#define TC_JSONE_BUILTINS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jsone_eval.h"

/* The built-in named name[0..len), or NULL. */
const tc_jsone_fn *tc_jsone_builtin_find(const char *name, size_t len, bool extras);

/* fromNow(offset, reference): the reference instant plus the offset, as
 * "YYYY-MM-DDTHH:MM:SS.mmmZ". reference NULL means the scope's "now".
 * Errors are TemplateErrors raised in st. */
int tc_jsone_from_now(tc_value **out, tc_jsone_state *st, const tc_jsone_scope *sc,
                      const tc_value *offset, const tc_value *reference)
	__attribute__((warn_unused_result));

/* Parse an RFC 3339 timestamp ("2017-01-19T16:27:20.974Z", a fraction and
 * a numeric offset allowed) into milliseconds since the epoch; extra
 * fraction digits are truncated. Returns false when s is not one. */
bool tc_jsone_parse_time(int64_t *ms, const char *s, size_t n);
/* Format ms as "YYYY-MM-DDTHH:MM:SS.mmmZ"; false outside years 1..9999. */
bool tc_jsone_format_time(char out[32], int64_t ms);

#endif
