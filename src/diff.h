/*
 * diff.h - object and field deltas between two sets of rendered objects.
 *
 * Deltas are computed here and formatted by diff_print.c (as libgit2 keeps
 * diff generation and diff output apart). An object is identified by its
 * environment, API group (apiVersion without the version: "apps/v1" is
 * "apps", "v1" is ""), kind, namespace and name, so a version bump of an
 * object is a change of its .apiVersion, not a removal and an addition.
 *
 * Field changes are listed as jq-style paths (".spec.replicas",
 * ".data[\"ca.crt\"]", ".spec.containers[0].image") in document order:
 * object keys by bytes, arrays by position. Arrays are matched by longest
 * common subsequence, so inserting one item reports one added item, not
 * a change of every later one; the index of a removed item is its index in
 * the old object, of an added or changed item its index in the new one.
 *
 * Redaction: nothing that could be secret is ever kept for printing.
 *  - values under .data and .stringData of a core Secret, and any value
 *    flagged TC_VAL_SECRET (tc_value_tainted), are reported by path only
 *    (`redacted`), per key: a changed Secret key is "changed" with no values;
 *  - SOPS ciphertext (strings "ENC[AES256_GCM,..." and age armor) is
 *    compared by path and reported as `encrypted` without values.
 * Entries hold no value at all in those cases (old_val and new_val are
 * NULL), so no printer can leak one.
 *
 * Results are deterministic: entries sorted by environment, then group,
 * kind, namespace and name (bytes); fields in document order.
 */
#ifndef TC_DIFF_H
#define TC_DIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "diag.h"
#include "value.h"

/* One rendered object on one side. */
typedef struct tc_diff_input {
	const char *env;     /* environment ("" for none); copied */
	const tc_value *obj; /* the object; borrowed: must outlive the tc_diff */
} tc_diff_input;

typedef enum tc_diff_op {
	TC_DIFF_ADDED,   /* only in head */
	TC_DIFF_REMOVED, /* only in base */
	TC_DIFF_CHANGED, /* in both, different */
} tc_diff_op;

typedef struct tc_diff_field {
	const char *path; /* jq style; "." for the whole object */
	tc_diff_op op;
	const tc_value *old_val; /* NULL when added, redacted or encrypted */
	const tc_value *new_val; /* NULL when removed, redacted or encrypted */
	bool redacted;           /* secret: values withheld */
	bool encrypted;          /* SOPS ciphertext: values withheld */
} tc_diff_field;

typedef struct tc_diff_entry {
	const char *env, *group, *kind, *ns, *name; /* ns "" for cluster-scoped */
	const char *api_version;                    /* head's, or base's for a removed object */
	tc_diff_op op;
	bool secret;           /* a Secret, or an object holding secret values */
	tc_diff_field *fields; /* CHANGED only */
	size_t nfields;
} tc_diff_entry;

/* Totals per environment, sorted by env. */
typedef struct tc_diff_env {
	const char *env;
	size_t added, removed, changed, unchanged;
} tc_diff_env;

typedef struct tc_diff {
	tc_arena arena; /* every string and array below */
	tc_diff_entry *entries;
	size_t len;
	tc_diff_env *envs;
	size_t nenvs;
	size_t added, removed, changed, unchanged;
} tc_diff;

/* Compare base (old) with head (new). Objects without a string apiVersion,
 * kind or metadata.name, and an object that appears twice on one side, are
 * errors (reported to d, -1 returned; *out is then empty but initialised).
 * The caller releases *out with tc_diff_release in both cases. */
int tc_diff_compute(tc_diff *out, tc_diags *d, const tc_diff_input *base, size_t nbase,
                    const tc_diff_input *head, size_t nhead) __attribute__((warn_unused_result));
void tc_diff_release(tc_diff *df);

/* True when there is nothing added, removed or changed. */
static inline bool tc_diff_empty(const tc_diff *df)
{
	return df->len == 0;
}

/* Is s SOPS or age ciphertext? (the prefixes sops and age write) */
bool tc_diff_is_ciphertext(const char *s, size_t n);

/* Longest common subsequence of two sequences of n and m items compared by
 * eq(ctx, i, j), as an edit script in *ops (malloc'd, caller frees):
 * '=' keeps old[i] == new[j], '-' drops old[i], '+' inserts new[j]; within
 * a run of edits every '-' comes before every '+'. The common prefix and
 * suffix are trimmed first; what remains may hold at most
 * TC_DIFF_LCS_MAX_CELLS pairs (the table is 4 bytes a pair): beyond that,
 * -1 is returned and *ops is NULL. Returns the script's length. */
#define TC_DIFF_LCS_MAX_CELLS ((size_t)4 * 1024 * 1024)
long tc_diff_lcs(char **ops, size_t n, size_t m, bool (*eq)(const void *ctx, size_t i, size_t j),
                 const void *ctx) __attribute__((warn_unused_result));

#endif
