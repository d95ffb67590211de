/*
 * output.h - the rendered tree: file names, kustomization.yaml files and
 * the atomic replacement of the output folder.
 *
 * A render writes into a fresh temporary folder beside the output folder
 * (".<name>.tmp-XXXXXX") and, only when everything succeeded, swaps it in
 * with one rename (renameat2 RENAME_EXCHANGE when the old tree exists), then
 * removes the old tree. On any error the temporary folder is removed and
 * the old tree is untouched.
 */
#ifndef TC_OUTPUT_H
#define TC_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "buf.h"
#include "diag.h"
#include "value.h"

typedef struct tc_outfile {
	char *path; /* relative to the output root, e.g.
	               "prod/tenants/acme/namespace-acme-prod.yaml" */
	char *data; /* malloc'd bytes, NULL once written to disk */
	size_t len;
	bool manifest; /* false for kustomization.yaml */
	bool secret;   /* plaintext (render --stdout --decrypt): wiped before it is freed */
	bool spooled;  /* the bytes are in the render's spool at offset off */
	bool keyed;    /* made by a tenant with a cache key (its record lists it) */
	unsigned long long off;
	char *id; /* a tree read back from git: the blob id in hex (malloc'd), else NULL */
} tc_outfile;

typedef struct tc_outlist {
	tc_outfile *items;
	size_t len, cap;
} tc_outlist;

void tc_outlist_init(tc_outlist *l);
void tc_outlist_release(tc_outlist *l);
/* Takes ownership of path and data (malloc'd). */
void tc_outlist_add(tc_outlist *l, char *path, char *data, size_t len, bool manifest);
/* The same for plaintext secret data, which is wiped when released. */
void tc_outlist_add_secret(tc_outlist *l, char *path, char *data, size_t len);
/* Sort by path bytes. */
void tc_outlist_sort(tc_outlist *l);

/* The file name for an object in a folder: "<kind>-<name>.yaml" with the
 * kind in lower case. objs are the objects of one folder, in a fixed order;
 * names[i] receives a malloc'd file name. Objects whose short names would
 * collide get "<kind>-<namespace>-<name>.yaml", and then the API group is
 * added. Returns -1 (with a diagnostic) when two objects are the same
 * object (same group, kind, namespace and name). */
int tc_output_names(char **names, const tc_value *const *objs, size_t n, tc_diags *d);

/* Canonical YAML bytes of a kustomization.yaml listing resources. */
void tc_output_kustomization(tc_buf *out, const char *const *resources, size_t n);

/* The index kustomization of environment `env`, made from the paths in
 * `files` (only those below "<env>/" count): "<env>/gitops/kustomization.yaml"
 * listing the tenant folders of gitops/, when it has any. An index joins
 * objects bound for one cluster only, so there is none at "<env>/" nor at
 * "<env>/tenants/" (tenants may be placed on different clusters). Appended
 * to out with its bytes. Existing index files in `files` are ignored, so
 * shard trees can be merged. */
void tc_output_env_index(tc_outlist *out, const char *env, const tc_outlist *files);
/* True for the paths tc_output_env_index makes, and for "<env>/kustomization.yaml"
 * and "<env>/tenants/kustomization.yaml", which trees of tenantc 0.1 hold, so
 * that merging such shards drops them. */
bool tc_output_is_index(const char *path);

typedef struct tc_tree {
	char *final; /* the output folder */
	char *tmp;   /* the temporary folder being filled */
} tc_tree;

/* Create the temporary folder next to `final`. */
int tc_tree_begin(tc_tree *t, const char *final, tc_diags *d) __attribute__((warn_unused_result));
/* Write one file below the temporary folder, creating folders as needed.
 * Safe to call from several threads for different paths. */
int tc_tree_write(tc_tree *t, const char *relpath, const void *data, size_t len, tc_diags *d)
	__attribute__((warn_unused_result));
/* Swap the temporary folder in; the old tree is removed. */
int tc_tree_commit(tc_tree *t, tc_diags *d) __attribute__((warn_unused_result));
/* Remove the temporary folder (after an error, or after commit: no-op). */
void tc_tree_abort(tc_tree *t);

/* Update the tree at final in place: write each file of `files` that has
 * data and differs from what is on disk, leave files without data and
 * equal files untouched, and remove the paths in `remove` that `files`
 * (sorted) does not hold, with folders left empty. Returns the number of
 * files written in *written.
 *
 * The update goes through a journal: the new files are staged in a
 * temporary folder beside final (as tc_tree_begin makes) with a list of
 * what to move and remove; renaming that list into place commits the
 * update, and only then is the tree changed. A render that dies before the
 * commit leaves the old tree; one that dies after it leaves a journal that
 * tc_tree_recover carries out. A symbolic link met inside the tree where a
 * folder belongs is replaced by a folder, never followed. */
int tc_tree_update(const char *final, const tc_outlist *files, char *const *remove, size_t nremove,
                   size_t *written, tc_diags *d) __attribute__((warn_unused_result));

/* A temporary folder `stage` beside final, left by a render that died:
 * carry out its journal when it has a committed one (*completed = true),
 * else remove it. */
int tc_tree_recover(const char *final, const char *stage, bool *completed, tc_diags *d)
	__attribute__((warn_unused_result));

/* A spool: an anonymous temporary file (O_TMPFILE, else created and
 * unlinked at once) in $TMPDIR or /tmp that holds the bytes of a render
 * to standard output until all of it has succeeded, so that memory does
 * not grow with the size of the output. Never used for plaintext Secrets
 * (render --stdout --decrypt keeps them in locked memory). Puts may come
 * from several threads: each reserves its own range of the file. */
typedef struct tc_spool {
	int fd;
	_Atomic unsigned long long end;
} tc_spool;

int tc_spool_open(tc_spool *s, tc_diags *d) __attribute__((warn_unused_result));
/* Append len bytes; *off receives where they start. */
int tc_spool_put(tc_spool *s, const void *data, size_t len, unsigned long long *off, tc_diags *d)
	__attribute__((warn_unused_result));
/* The len bytes at off, malloc'd and NUL-terminated; NULL (errno set) on a
 * read error. */
char *tc_spool_read(tc_spool *s, unsigned long long off, size_t len);
/* The len bytes at off into buf; -1 (errno set) on a read error. */
int tc_spool_read_into(tc_spool *s, char *buf, unsigned long long off, size_t len);
/* Copy len bytes at off to out; -1 (errno set) on a read error. */
int tc_spool_copy(tc_spool *s, unsigned long long off, size_t len, FILE *out);
void tc_spool_close(tc_spool *s);

/* Remove a folder recursively (no symlink is followed). */
int tc_remove_tree(const char *path);

#endif
