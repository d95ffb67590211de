/*
 * schema_check.h - validate an instance against a compiled schema.
 *
 * The schema is only read, so any number of threads may check against the
 * same tc_schema at once; each call brings its own scratch (PCRE2 match
 * data, the dynamic scope), allocated and freed inside the call.
 *
 * Every violation becomes one diagnostic at the instance node's position
 * (value->pos: the YAML/JSON source node, or the template node that
 * computed a rendered value), with the jq-style path of that node
 * (tc_path) and a message such as
 *     expected string, got integer
 *     missing required key 'name'
 *     unknown key 'enviroments' (did you mean 'environments'?)
 * An unknown key is reported at the key itself (tc_member.kpos). Values
 * flagged TC_VAL_SECRET are printed as <redacted>. At most 200
 * diagnostics are produced per call.
 */
#ifndef TC_SCHEMA_CHECK_H
#define TC_SCHEMA_CHECK_H

#include <stdbool.h>

#include "diag.h"
#include "schema.h"
#include "value.h"

/* Check inst against s. Violations are added to d with class cls
 * (TC_DIAG_INPUT for repository inputs, TC_DIAG_FINDING for rendered
 * objects and `tenantc validate`); at is the path of inst inside its
 * document (NULL for the root). Returns 0 when valid, -1 when not. */
int tc_schema_check(const tc_schema *s, const tc_value *inst, tc_diags *d, const tc_path *at,
                    tc_diag_class cls);

/* The same without diagnostics: stops at the first violation. */
bool tc_schema_valid(const tc_schema *s, const tc_value *inst);

/* Edit distance (optimal string alignment: insertions, deletions,
 * substitutions and swaps of neighbours cost 1), used for did-you-mean
 * hints. Returns max + 1 as soon as the distance exceeds max. */
size_t tc_edit_distance(const char *a, size_t an, const char *b, size_t bn, size_t max);

#endif
