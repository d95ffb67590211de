/*
 * sink.h - where a render's bytes go, chosen once per command.
 *
 *   TC_SINK_TREE    a new tree written beside the output folder and swapped
 *                   in at the end (output.h tc_tree)
 *   TC_SINK_UPDATE  the output folder updated in place through a journal:
 *                   a cached render of a folder whose state is known
 *   TC_SINK_SPOOL   bytes in an unlinked temporary file until everything
 *                   succeeded (render --stdout, check)
 *   TC_SINK_MEMORY  bytes in memory (--decrypt, diff, no usable TMPDIR)
 *
 * A command opens one sink, hands it to tc_render in the render options,
 * and finishes it: tc_sink_commit puts a tree in place (and records the
 * tree state for the next cached render), tc_sink_print copies a stream to
 * standard output. tc_sink_release undoes whatever was not committed and
 * is safe at every step, after a failed open included.
 */
#ifndef TC_SINK_H
#define TC_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "diag.h"
#include "outdir.h"
#include "output.h"

struct tc_cache;
struct tc_tree_state;
struct tc_render_result;

typedef enum tc_sink_kind {
	TC_SINK_TREE,
	TC_SINK_UPDATE,
	TC_SINK_SPOOL,
	TC_SINK_MEMORY
} tc_sink_kind;

typedef struct tc_sink {
	tc_sink_kind kind;
	bool index_files;             /* also make kustomization.yaml files and the tree's marker */
	bool per_file;                /* list every file with its bytes' place, not a chunk per
	                               * folder (check compares file by file) */
	char *dir;                    /* TREE and UPDATE: the output folder (malloc'd) */
	tc_outdir claim;              /* TREE and UPDATE: the folder's lock */
	tc_tree tree;                 /* TREE */
	struct tc_tree_state *state;  /* UPDATE: what the folder holds */
	const struct tc_cache *cache; /* TREE and UPDATE of the whole tree: record its state */
	tc_spool spool;               /* SPOOL */
	tc_spool records;             /* with cache: the fresh tree-state records (fd -1: none) */
	size_t written;               /* UPDATE: files written by the commit */
} tc_sink;

/* An output folder: claim it (outdir.h), then update it in place when a
 * cache knows its state and the whole tree is rendered, else start a new
 * tree beside it. cache may be NULL. */
int tc_sink_open_folder(tc_sink *s, const char *dir, const char *repo_dir,
                        const struct tc_cache *cache, bool whole, tc_diags *d)
	__attribute__((warn_unused_result));
/* A stream for standard output: a spool, or memory when decrypting (no
 * plaintext ever reaches a file) or when no temporary file can be made. */
void tc_sink_open_stream(tc_sink *s, bool decrypt);
/* check: every file with its bytes, index files included, spooled when a
 * temporary file can be made. */
void tc_sink_open_check(tc_sink *s);
/* Bytes in memory, no index files (diff). */
void tc_sink_open_memory(tc_sink *s);

/* What tc_render writes through (NULL where the sink has none). */
tc_tree *tc_sink_tree(tc_sink *s);
tc_spool *tc_sink_spool(tc_sink *s);
struct tc_tree_state *tc_sink_state(const tc_sink *s);

/* TREE: swap the new tree in; UPDATE: carry out the update. Then, with a
 * cache, record the state of the whole tree. 1 (nothing changed, the state
 * dropped) when the tree state of an UPDATE turned out damaged: open the
 * folder again (a new tree) and render once more. */
int tc_sink_commit(tc_sink *s, const struct tc_render_result *res, tc_diags *d)
	__attribute__((warn_unused_result));
/* Print a stream's manifests, "---" separated, in the render's order; only
 * those of one folder of each environment when folder is not NULL. */
int tc_sink_print(tc_sink *s, const struct tc_render_result *res, const char *folder, FILE *out,
                  tc_diags *d) __attribute__((warn_unused_result));
void tc_sink_release(tc_sink *s);

#endif
