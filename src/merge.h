/*
 * merge.h - the one merge rule of layered settings.
 *
 * A tenant's per-environment section over its defaults, and the example
 * templates' defaults under the environment's and the tenant's values
 * (the mergeValues template helper), are merged by the same rule:
 *
 *   - two objects merge key by key, each key merged again by this rule;
 *   - anything else (a list, a string, a number, a boolean, null) in the
 *     upper layer replaces what is below it, whole.
 *
 * So a list in a default can be replaced, never extended by accident, and
 * a list in an upper layer is exactly the list that is used.
 */
#ifndef TC_MERGE_H
#define TC_MERGE_H

#include <stddef.h>

#include "arena.h"
#include "value.h"

/* over merged over base by the rule above. The result is built in a and
 * shares every subtree it did not have to change with its inputs, which
 * must live as long as it. A merged object takes over's position (the
 * upper layer's section, so a later error points into it) and the secret
 * flag of either side; a replacing value is over itself. Recursion goes
 * only as deep as both inputs are objects, so it is bounded by the depth
 * limits of the loaders and of JSON-e. *steps (may be NULL) grows by the
 * number of members visited, for JSON-e's budget. */
tc_value *tc_merge(tc_arena *a, const tc_value *base, const tc_value *over, size_t *steps);

#endif
