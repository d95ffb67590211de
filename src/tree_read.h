/*
 * tree_read.h - read a rendered tree back: the committed output folder from
 * a source (work tree, index or revision), and the objects of a tree held in
 * memory.
 *
 * check compares a render made in memory with the output folder read from
 * the same source, and diff compares the objects of two renders; both go
 * through here. A rendered tree holds regular files only, named by path
 * relative to the output folder ("prod/tenants/acme/namespace-acme-prod.yaml"),
 * one object per manifest, a kustomization.yaml in every folder.
 */
#ifndef TC_TREE_READ_H
#define TC_TREE_READ_H

#include <pthread.h>
#include <stddef.h>

#include "arena.h"
#include "diag.h"
#include "diff.h"
#include "output.h"
#include "source.h"

/* Folders below the output folder that a listing descends into. A render
 * writes <env>/<scope>/<tenant>/<file>, four levels; the rest is room for
 * hand-made folders, and the limit bounds the recursion. */
#define TC_TREE_READ_MAX_DEPTH 32

/* List every file below `dir` ("rendered") of src into out: paths relative
 * to dir (malloc'd), data NULL, sorted by bytes; manifest is false for
 * kustomization.yaml. A missing folder gives an empty list. A symbolic link
 * or another non-file, and folders nested deeper than the limit, are
 * findings naming the path (a tree render writes cannot hold them). Returns
 * 0, or -1 when something was reported; out is filled as far as possible
 * and released by the caller either way. */
int tc_tree_read_list(tc_outlist *out, tc_source *src, const char *dir, tc_diags *d)
	__attribute__((warn_unused_result));

/* Call fn for every file below `dir` of src, in byte order of its path
 * (relative to dir; fn copies what it keeps), with its git blob id in hex
 * ("" when the source has none) and whether it is a manifest (false for
 * kustomization.yaml). Findings as tc_tree_read_list; a nonzero return of
 * fn makes the result -1 but the walk goes on. */
typedef int tc_tree_read_fn(void *ctx, const char *path, const char *id, bool manifest);
int tc_tree_read_each(tc_source *src, const char *dir, tc_tree_read_fn *fn, void *ctx, tc_diags *d)
	__attribute__((warn_unused_result));

/* Parse the manifests of files (in memory, data set) into diff inputs: one
 * object per file, its environment the first component of the path.
 * Values, paths and environment names live in a; *out is malloc'd (the
 * caller frees it). Returns 0, or -1 when a file is not exactly one YAML
 * mapping (reported at the file). */
int tc_tree_read_objects(tc_diff_input **out, size_t *n, tc_arena *a, const tc_outlist *files,
                         tc_diags *d) __attribute__((warn_unused_result));

/* The diff of two rendered trees held in memory (files with bytes, sorted
 * by path; kustomization.yaml files are ignored). A file with the same path
 * and the same bytes on both sides is one unchanged object, counted for its
 * environment without being parsed, so a diff of a large repository parses
 * only what changed; every other file is parsed and compared by object
 * identity (tc_diff_compute), which also pairs an object that moved to
 * another file. The parsed objects live in a, which must outlive *out
 * (the diff points into them). *out is initialised in every case and
 * released by the caller with tc_diff_release. Returns 0, or -1 with
 * diagnostics. */
int tc_tree_diff(tc_diff *out, tc_arena *a, const tc_outlist *base, const tc_outlist *head,
                 tc_diags *d) __attribute__((warn_unused_result));

/* The previous tree for render's carry-over of unchanged Secrets, read
 * from a source instead of a folder on disk: pass tc_tree_read_prev as
 * tc_render_opts.prev_read and a tc_tree_prev as prev_ctx. Render calls it
 * from its workers, so every read takes lock (the repository's source lock
 * when src is the repository's source). */
typedef struct tc_tree_prev {
	tc_source *src;
	pthread_mutex_t *lock;
	const char *dir; /* the output folder in src */
} tc_tree_prev;

/* The malloc'd bytes of <dir>/<relpath>, or NULL when there are none (no
 * such file, or one that cannot be read: then there is nothing to carry
 * over, and render says so). */
char *tc_tree_read_prev(void *ctx, const char *relpath, size_t *len);

#endif
