/*
 * diag.h - positions, document paths and collected diagnostics.
 *
 * A diagnostic is never printed from deep code: it is appended to a tc_diags
 * (one per job, merged at the end), sorted by file, line, column and message
 * and printed by the command. Every diagnostic owns copies of its strings
 * (malloc'd), so it outlives the arenas of the job that produced it.
 *
 * Messages follow one style: lower case, no full stop, the subject in
 * '...'. They never contain secret values: callers print "<redacted>" for a
 * value flagged TC_VAL_SECRET.
 */
#ifndef TC_DIAG_H
#define TC_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"

/* A source position. file is a path relative to the repository (or as given
 * on the command line); NULL when there is no file. line and col are
 * 1-based; 0 means unknown. The string must outlive every value carrying
 * the position (it lives in the repository or job arena). */
typedef struct tc_pos {
	const char *file;
	uint32_t line, col;
} tc_pos;

#define TC_NOPOS ((tc_pos){NULL, 0, 0})

/* A path inside a document, built on the stack while walking it:
 *   tc_path p = TC_PATH_KEY(parent, "clients", 7);
 * key != NULL: a member key; key == NULL: an array index. */
typedef struct tc_path {
	const struct tc_path *up;
	const char *key;
	size_t klen;
	size_t index;
} tc_path;

#define TC_PATH_KEY(parent, k, n) ((tc_path){(parent), (k), (n), 0})
#define TC_PATH_INDEX(parent, i) ((tc_path){(parent), NULL, 0, (i)})

/* Append the jq-style form of p (".realm.clients[1].type", "." for the
 * root, ["a/b"] for keys that are not identifiers) to out. */
void tc_path_format(tc_buf *out, const tc_path *p);

typedef enum tc_severity { TC_SEV_ERROR, TC_SEV_WARNING, TC_SEV_NOTE } tc_severity;

/* What an error means for the exit status. */
typedef enum tc_diag_class {
	TC_DIAG_INPUT = 2,    /* bad input or usage: exit 2 */
	TC_DIAG_FINDING = 1,  /* drift, invalid objects: exit 1 */
	TC_DIAG_INTERNAL = 3, /* a bug or an environment failure: exit 3 */
} tc_diag_class;

typedef struct tc_diag {
	tc_severity sev;
	tc_diag_class cls;
	char *file; /* NULL when none */
	uint32_t line, col;
	char *path; /* NULL or the jq-style path */
	char *msg;
} tc_diag;

typedef struct tc_diags {
	tc_diag *items;
	size_t len, cap;
	size_t nerrors;
} tc_diags;

void tc_diags_init(tc_diags *d);
void tc_diags_release(tc_diags *d);

/* Record an error of class TC_DIAG_INPUT; returns -1 so call sites can
 * `return tc_error(...)`. at may be NULL. */
int tc_error(tc_diags *d, tc_pos pos, const tc_path *at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The same, for an invalid output object, drift or another finding. */
int tc_finding(tc_diags *d, tc_pos pos, const tc_path *at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The same, for failures of the environment (I/O, libgit2 internals). */
int tc_fail(tc_diags *d, tc_pos pos, const tc_path *at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void tc_warning(tc_diags *d, tc_pos pos, const tc_path *at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void tc_note(tc_diags *d, tc_pos pos, const tc_path *at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* General form; returns -1 for errors, 0 otherwise. */
int tc_diag_add(tc_diags *d, tc_severity sev, tc_diag_class cls, tc_pos pos, const tc_path *at,
                const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));

/* Move every diagnostic of src to the end of dst; src is left empty. */
void tc_diags_merge(tc_diags *dst, tc_diags *src);
static inline bool tc_diags_has_errors(const tc_diags *d)
{
	return d->nerrors > 0;
}
/* Sort by file, line, column, message (stable, so equal ones keep order). */
void tc_diags_sort(tc_diags *d);
/* Sort, then print as "file:line:col: error: message (at .path)", or
 * "tenantc: error: message" without a file, at most 100 lines, and a line
 * saying how many were left out. Identical diagnostics are one line. I/O
 * errors (class TC_DIAG_INTERNAL, or a message opening "cannot read",
 * "cannot write", "cannot open", "cannot create", "cannot remove",
 * "cannot rename", "cannot replace") that differ only in the files they
 * name (the file, and the '...' in the message) are one line too, the
 * first, ending in " (and N more like this)". */
void tc_diags_print(tc_diags *d, FILE *f);
/* Format one diagnostic, without a newline. */
void tc_diag_format(tc_buf *out, const tc_diag *g);
/* 0 when there are no errors, else the highest-priority class:
 * 3 internal over 2 input over 1 finding. */
int tc_diags_exit_code(const tc_diags *d);
/* At the end of a command: print d to f, release it, and return the exit
 * status its worst diagnostic asks for, else status. */
int tc_diags_finish(tc_diags *d, FILE *f, int status);

/* Programmer errors: print "tenantc: internal error: ..." and exit 3. */
_Noreturn void tc_bug(const char *file, int line, const char *msg);
#define TC_BUG(msg) tc_bug(__FILE__, __LINE__, (msg))

#endif
