/*
 * source.h - one reading interface over a directory, the git index or a
 * git revision.
 *
 * Paths are relative to the repository root, '/'-separated, and checked:
 * no empty component, no '.' or '..', no leading '/', no NUL. Listings are
 * sorted by name bytes. A symlink anywhere on a read path is an error.
 * A source is used by one thread at a time (libgit2 objects are not
 * thread-safe); the loader reads everything it needs before the workers
 * start. Several sources may be open at once, each on its own thread.
 *
 * The same content gives the same bytes and the same listing from every
 * kind: blobs are read raw (no filters, no checkout), a directory listing
 * leaves out '.git' (git never stores it), and names are sorted by bytes,
 * never in readdir or git tree order.
 *
 * One input set from every kind (docs/architecture.md, "Sources"): names
 * starting with '.' are never listed; a work tree inside git leaves out
 * untracked files that git ignores (they read as missing); a folder
 * holding '.git' and a submodule of the index are submodules, as gitlinks
 * are in the index and revisions.
 *
 * Entries of type TC_ENTRY_OTHER (symbolic links, submodules, devices,
 * fifos) are listed so that a caller can name them; reading or listing
 * through one is an error naming its path, e.g.
 *   tenants/acme/files/x: error: 'tenants/acme/files/x' is a symbolic
 *   link; tenantc does not follow links
 *
 * When `root` is a subfolder of a git work tree, every path stays relative
 * to `root`: the index and revision readers add the prefix themselves.
 * With TC_SOURCE_INDEX, GIT_INDEX_FILE is honoured when it names an index
 * inside the repository's git directory (git sets it for pre-commit hooks
 * of `git commit -a` and `git commit PATH`).
 */
#ifndef TC_SOURCE_H
#define TC_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

typedef enum tc_source_kind {
	TC_SOURCE_AUTO,     /* the work tree (directory) if present, commit info from git if any */
	TC_SOURCE_WORKTREE, /* the directory; commit id/time from HEAD when inside git */
	TC_SOURCE_INDEX,    /* the git index (staged content) */
	TC_SOURCE_REV,      /* a git revision: "HEAD", "main~2", a commit id */
} tc_source_kind;

typedef enum tc_entry_type { TC_ENTRY_FILE, TC_ENTRY_DIR, TC_ENTRY_OTHER } tc_entry_type;

typedef struct tc_entry {
	char *name;         /* one component, malloc'd */
	tc_entry_type type; /* symlinks and others are TC_ENTRY_OTHER */
	char id[41];        /* git object id in hex, "" from a plain directory */
} tc_entry;

typedef struct tc_source tc_source;

/* Largest file a source reads: 16 MiB, the YAML loader's input limit, so a
 * stray binary cannot make every worker hold it. Checked before reading. */
#define TC_SOURCE_MAX_FILE ((size_t)16 * 1024 * 1024)
/* Longest path accepted: PATH_MAX on Linux, the most a directory source
 * could open anyway. */
#define TC_SOURCE_MAX_PATH 4096

/* Open `root` (a directory, or the work tree of a git repository). rev is
 * used by TC_SOURCE_REV only (NULL means "HEAD"); any revspec that
 * git_revparse_single accepts and that peels to a commit. Errors are
 * reported to d: an unknown revision and --index outside git are input
 * errors (exit 2). TC_SOURCE_AUTO reads the work tree, or HEAD of a bare
 * repository. The caller owns *out and frees it with tc_source_free. */
int tc_source_open(tc_source **out, tc_diags *d, const char *root, tc_source_kind kind,
                   const char *rev) __attribute__((warn_unused_result));
void tc_source_free(tc_source *s);

/* Make a TC_SOURCE_REV source read revision rev of its repository, as a new
 * tc_source_open of the same folder would, without opening the repository
 * again (the fuzz target reads thousands of revisions a second this way).
 * 0, or -1 reported; the source then reads as empty until the next
 * successful call. */
int tc_source_reopen(tc_source *s, tc_diags *d, const char *rev)
	__attribute__((warn_unused_result));

/* List directory `dir` ("" for the root). A missing directory gives zero
 * entries and returns 0. Entries are sorted by name bytes. */
int tc_source_list(tc_source *s, tc_diags *d, const char *dir, tc_entry **out, size_t *n)
	__attribute__((warn_unused_result));
void tc_entries_free(tc_entry *e, size_t n);

/* Read a file into malloc'd memory (NUL-terminated; *len excludes it).
 * Returns 1 when the file does not exist (nothing reported), 0 on success,
 * -1 on error (reported). */
int tc_source_read(tc_source *s, tc_diags *d, const char *path, char **data, size_t *len)
	__attribute__((warn_unused_result));

/* Identity of the revision: the commit id (hex) and its committer time in
 * seconds since the epoch, or NULL / 0 when the source has no commit.
 * A work tree and the index report HEAD (so a clean work tree renders like
 * --rev HEAD); a plain directory or a repository without commits has no
 * commit. The string lives as long as the source. */
const char *tc_source_commit_id(const tc_source *s);
int64_t tc_source_commit_time(const tc_source *s);
/* The git tree id of directory `dir` at the revision ("" for the root) into
 * out; out[0] == 0 when unknown (plain directory, work tree, index).
 * Used as a cache key. */
void tc_source_tree_id(tc_source *s, const char *dir, char out[41]);
/* True when data is the content of the git blob with hex id `id` (a
 * tc_entry id from a git source), so that a file known by its id need not
 * be read to be compared. False for an empty id. */
bool tc_source_blob_is(const char *id, const void *data, size_t len);
/* What is being read, for messages: "directory", "index", "revision HEAD" */
const char *tc_source_kind_name(const tc_source *s); /* "directory", "index", "revision ..." */

/* The git directory of the repository ("/path/.git/"), NULL outside git. */
const char *tc_source_gitdir(const tc_source *s);
/* True when the source reads git objects (a revision or the index), whose
 * listings carry object ids. */
bool tc_source_is_git_snapshot(const tc_source *s);

/* Check a relative path by the rules above (also: at most
 * TC_SOURCE_MAX_PATH bytes, no '.git' component, no control characters,
 * so that a message naming the path stays on one line). "" is not a
 * path. */
bool tc_source_path_ok(const char *path);
/* Check one name of a listing: tc_source_path_ok and no '/'. */
bool tc_source_name_ok(const char *name);

#endif
