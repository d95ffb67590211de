/*
 * cel_k8s_crd.h - the x-kubernetes-validations rules of a CRD schema
 * (apiextensions.k8s.io/v1 ValidationRule): compiled once with the schema,
 * evaluated on every instance at the schema node they belong to.
 *
 * A rule sees the value at its node as `self`, typed by the schema the way
 * the API server types it (k8s.io/apiserver/pkg/cel/common): numbers are
 * doubles, strings of format byte, duration, date and date-time are bytes,
 * durations and timestamps. A rule that refers to `oldSelf` is a
 * transition rule: a render has no previous object, so it is not
 * evaluated, and a note at the rule says so (once, however many objects
 * meet it: equal notes print once).
 */
#ifndef TC_CEL_K8S_CRD_H
#define TC_CEL_K8S_CRD_H

#include "arena.h"
#include "diag.h"
#include "value.h"

typedef struct tc_cel_rules tc_cel_rules;
struct sc_node;

/* Compile the rules of one x-kubernetes-validations list into *out (in
 * arena a, which must outlive them); errors (a rule that does not parse,
 * a reason or fieldPath the API server refuses) go to d at the rule's
 * position in the schema file. Returns the number of errors. */
int tc_cel_rules_compile(const tc_cel_rules **out, tc_arena *a, const tc_value *list, tc_diags *d);

/* Evaluate the rules on inst, the value at node n. Each failing rule is
 * one error at inst's position (the template line that made the value),
 * or at the value fieldPath names, with class cls; d NULL: quiet.
 * Returns false when a rule failed. Thread-safe: the rules are only read. */
bool tc_cel_rules_check(const tc_cel_rules *r, const struct sc_node *n, const tc_value *inst,
                        tc_diags *d, const tc_path *at, tc_diag_class cls);

/* Refuse the rules below schema (a CRD version's openAPIV3Schema, at
 * path at) that the API server refuses for their estimated cost: a rule
 * whose cost times the times it can run is above TC_CEL_STATIC_COST_LIMIT,
 * a messageExpression above it, all of them together above
 * TC_CEL_STATIC_CRD_COST_LIMIT; errors at the rule in the CRD file.
 * Returns the number of errors. */
int tc_cel_crd_costs(tc_arena *a, const tc_value *schema, const tc_path *at, tc_diags *d);

/* A property name as CEL rules spell it (k8s.io/apiserver/pkg/cel
 * Escape): reserved words as __word__, "__" as __underscores__, '.' '-'
 * '/' as __dot__ __dash__ __slash__; NULL for a name that cannot be
 * escaped (a leading digit, other characters), which rules cannot see.
 * The result is from a. */
const char *tc_cel_k8s_escape(tc_arena *a, const char *s, size_t n);

/* The CEL value of a document value typed by schema node n (NULL: untyped). */
struct tc_cel_val *tc_cel_k8s_typed(tc_arena *a, const struct sc_node *n, const tc_value *v);

#endif
