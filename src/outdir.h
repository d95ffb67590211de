/*
 * outdir.h - the output folder guard: a render replaces only a folder
 * that is tenantc's.
 *
 * Every tree a render makes holds a marker file, TC_OUTDIR_MARKER, at its
 * root. Before anything is written, tc_outdir_claim decides whether the
 * folder may be replaced: it may when it does not exist, is empty, or
 * holds the marker. It is refused (exit 2, nothing touched) when it is the
 * repository root or contains it, is or lies inside an input folder or the
 * git folder, is a symbolic link, holds `.git`, or holds anything else
 * without the marker. Paths are compared after resolving symbolic links
 * and `..`, so every spelling of one folder gets the same answer.
 *
 * The claim also takes the output's lock (flock on the parent folder, so
 * no file is added beside the output, and the kernel drops it when the
 * process dies) and then clears the temporary folders of earlier renders
 * of the same folder that died: a tree that was not swapped in yet is
 * removed, an in-place update that had committed its journal is carried
 * out (output.h). While the lock is held, no living render owns one.
 */
#ifndef TC_OUTDIR_H
#define TC_OUTDIR_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

/* The marker's name and bytes (part of every rendered tree, so `check`
 * and `diff` see it like any other file). */
#define TC_OUTDIR_MARKER "tenantc-output.txt"
extern const char tc_outdir_marker_text[];

typedef struct tc_outdir {
	int lockfd;       /* the parent folder, flock'ed; -1 when not held */
	size_t stale;     /* temporary folders of dead renders cleared by the claim */
	size_t recovered; /* of those, in-place updates carried out from their journal */
	char *made;       /* the output's parent when the claim created it, malloc'd, else NULL */
	size_t nmade;     /* how many folders up to and including `made` the claim created */
} tc_outdir;

/* Check that `dir` may be replaced by a render of the repository at
 * `repo_dir` (NULL, as for `merge`: the nearest folder above `dir` that
 * holds '.git' or 'tenantc.yaml', if any), wait for the lock of
 * `dir` and remove stale temporary trees beside it. -1 with a diagnostic
 * when the folder is refused or cannot be locked. */
int tc_outdir_claim(tc_outdir *o, const char *dir, const char *repo_dir, tc_diags *d)
	__attribute__((warn_unused_result));
/* Drop the lock (safe on a zeroed or failed claim). Folders the claim
 * created for the output's parent are removed again when they are still
 * empty, so a render that failed leaves no folder behind. */
void tc_outdir_release(tc_outdir *o);

/* The names of temporary trees that renders of `dir` left beside it
 * (".<name>.tmp-XXXXXX"), sorted; *out is malloc'd, each name too. */
void tc_outdir_leftovers(const char *dir, char ***out, size_t *n);

/* True when a folder entry name is one of those temporary trees of an
 * output folder named `base`. */
bool tc_outdir_is_temp(const char *base, const char *name);

#endif
