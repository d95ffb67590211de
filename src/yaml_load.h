/*
 * yaml_load.h - YAML text to tc_value, with positions and limits.
 *
 * Scalars resolve by the YAML 1.2 core schema (yes/no/on/0755 stay strings).
 * Duplicate keys, invalid UTF-8, documents deeper than the depth limit,
 * files larger than the size limit and alias expansion past the budget are
 * errors of the form file:line:col (1-based). Every value is allocated in
 * the arena; `file` must outlive the values (it is stored in their pos).
 */
#ifndef TC_YAML_LOAD_H
#define TC_YAML_LOAD_H

#include <stddef.h>

#include "arena.h"
#include "diag.h"
#include "value.h"

typedef struct tc_yaml_limits {
	size_t max_bytes; /* input size */
	size_t max_depth; /* nesting of collections */
	size_t max_nodes; /* nodes produced, aliases expanded: the billion-laughs budget */
} tc_yaml_limits;

/* 16 MiB, depth 256, 1,000,000 nodes */
extern const tc_yaml_limits tc_yaml_default_limits;

/* Load exactly one document (an empty file gives null; more than one
 * document is an error). limits may be NULL for the defaults. */
int tc_yaml_load(tc_value **out, tc_arena *a, tc_diags *d, const char *file, const char *data,
                 size_t len, const tc_yaml_limits *limits) __attribute__((warn_unused_result));

/* Load every document of a stream into an array value (empty documents
 * are skipped). */
int tc_yaml_load_stream(tc_value **out, tc_arena *a, tc_diags *d, const char *file,
                        const char *data, size_t len, const tc_yaml_limits *limits)
	__attribute__((warn_unused_result));

#endif
