/*
 * json_load.h - JSON text to tc_value, with positions and limits.
 *
 * Every node and every object key gets its 1-based line and column (columns
 * count characters, as in YAML). Integers without fraction or exponent that
 * fit int64 are TC_INT, every other number TC_FLOAT; a number too large for
 * a double, a duplicate key, invalid UTF-8, a lone surrogate escape and
 * nesting deeper than 256 levels are errors. Values live in the arena;
 * `file` must outlive them (it is stored in their positions).
 */
#ifndef TC_JSON_LOAD_H
#define TC_JSON_LOAD_H

#include <stddef.h>

#include "arena.h"
#include "diag.h"
#include "value.h"

/* Load one JSON value (RFC 8259; a leading UTF-8 byte order mark is
 * skipped). Input larger than tc_yaml_default_limits.max_bytes is refused. */
int tc_json_load(tc_value **out, tc_arena *a, tc_diags *d, const char *file, const char *data,
                 size_t len) __attribute__((warn_unused_result));

/* Load one document: JSON when `file` ends in ".json", YAML otherwise
 * (with the default limits). */
int tc_doc_load(tc_value **out, tc_arena *a, tc_diags *d, const char *file, const char *data,
                size_t len) __attribute__((warn_unused_result));

/* tc_doc_load of the file at path, read with the loaders' size limit (a
 * file that cannot be read, or is larger, is one diagnostic). */
int tc_doc_load_file(tc_value **out, tc_arena *a, tc_diags *d, const char *path)
	__attribute__((warn_unused_result));

#endif
