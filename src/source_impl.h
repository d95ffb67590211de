/*
 * source_impl.h - private contract between source.c and its two backends,
 * source_dir.c (a directory through openat) and source_git.c (libgit2).
 *
 * source.c checks every path with tc_source_path_ok before a backend sees
 * it, so backends may assume clean relative paths ("" is the root for
 * listings). Backends return what the public functions return (0, 1 for a
 * missing file, -1 after reporting) and use the message helpers below so
 * that every kind words its errors the same way.
 */
#ifndef TC_SOURCE_IMPL_H
#define TC_SOURCE_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "diag.h"
#include "source.h"

/* source_dir.c: the files under a directory */
typedef struct tc_source_dir tc_source_dir;
int tc_source_dir_open(tc_source_dir **out, tc_diags *d, const char *root)
	__attribute__((warn_unused_result));
void tc_source_dir_free(tc_source_dir *x);
int tc_source_dir_list(tc_source_dir *x, tc_diags *d, const char *dir, tc_entry **out, size_t *n)
	__attribute__((warn_unused_result));
int tc_source_dir_read(tc_source_dir *x, tc_diags *d, const char *path, char **data, size_t *len)
	__attribute__((warn_unused_result));

/* source_git.c: the repository containing a directory */
typedef struct tc_source_git tc_source_git;
/* Open the repository that holds root. For AUTO and WORKTREE outside git,
 * *out is NULL and 0 is returned. *kind becomes the kind actually read
 * (AUTO turns into WORKTREE, or REV for a bare repository). */
int tc_source_git_open(tc_source_git **out, tc_diags *d, const char *root, tc_source_kind *kind,
                       const char *rev) __attribute__((warn_unused_result));
void tc_source_git_free(tc_source_git *g);
/* REV: read revision rev of the same repository instead (tc_source_reopen). */
int tc_source_git_set_rev(tc_source_git *g, tc_diags *d, const char *rev)
	__attribute__((warn_unused_result));
/* The commit read (REV) or HEAD (other kinds); NULL / 0 when none. */
const char *tc_source_git_commit_id(const tc_source_git *g);
int64_t tc_source_git_commit_time(const tc_source_git *g);
int tc_source_git_list(tc_source_git *g, tc_diags *d, const char *dir, tc_entry **out, size_t *n)
	__attribute__((warn_unused_result));
int tc_source_git_read(tc_source_git *g, tc_diags *d, const char *path, char **data, size_t *len)
	__attribute__((warn_unused_result));
void tc_source_git_tree_id(tc_source_git *g, const char *dir, char out[41]);
/* WORKTREE inside git: what git sees of the work tree is what tenantc
 * reads, so that a work tree, the index and a revision of the same content
 * read the same files. tc_source_git_worktree_path checks a path before it
 * is listed or read: -1 reported when it is, or lies below, a submodule
 * of the index; 0 when it is untracked and ignored by git (it then reads
 * as missing); 1 otherwise. tc_source_git_worktree_filter drops the
 * untracked and ignored entries of a listing of dir (freeing their names)
 * and lists submodules of the index as TC_ENTRY_OTHER; -1 reported. */
int tc_source_git_worktree_path(tc_source_git *g, tc_diags *d, const char *path, bool dir)
	__attribute__((warn_unused_result));
int tc_source_git_worktree_filter(tc_source_git *g, tc_diags *d, const char *dir, tc_entry *e,
                                  size_t *n) __attribute__((warn_unused_result));
/* The repository's git directory (".git/"), owned by the source. */
const char *tc_source_git_gitdir(const tc_source_git *g);

/* Shared by the backends (source.c). */

/* A growable listing; tc_source_entries_finish sorts it by name bytes and
 * rejects duplicate names. */
typedef struct tc_entries {
	tc_entry *items;
	size_t len, cap;
} tc_entries;
void tc_source_entries_push(tc_entries *es, const char *name, size_t nlen, tc_entry_type type,
                            const char *id);
int tc_source_entries_finish(tc_entries *es, tc_diags *d, const char *dir, const char *what,
                             tc_entry **out, size_t *n) __attribute__((warn_unused_result));
void tc_source_entries_release(tc_entries *es);
/* "dir/name" (or "name" when dir is "") into b, reset first. */
const char *tc_source_join(tc_buf *b, const char *dir, const char *name, size_t nlen);

/* Messages, each naming `path` as the diagnostic's file; all return -1. */
int tc_source_err_link(tc_diags *d, const char *path);
int tc_source_err_submodule(tc_diags *d, const char *path);
int tc_source_err_notdir(tc_diags *d, const char *path);
int tc_source_err_isdir(tc_diags *d, const char *path);
int tc_source_err_special(tc_diags *d, const char *path);
int tc_source_err_toobig(tc_diags *d, const char *path, uint64_t size);
int tc_source_err_badname(tc_diags *d, const char *dir, const char *name, size_t nlen,
                          const char *what);
/* An operating-system error: permission problems are input errors (the
 * user can fix them), anything else a failure of the environment. */
int tc_source_err_os(tc_diags *d, const char *path, const char *doing, int err);

#endif
