/*
 * fsutil.h - the file-system helpers every module shares: reading a whole
 * file or descriptor, writing one, writing a file aside and renaming it
 * into place, and joining path names.
 *
 * None of them prints or exits (except out of memory, through tc_xmalloc):
 * each returns 0, or -1 with errno (or a tc_file_err) saying why, so that
 * every caller keeps its own message. tc_file_read_report is the one
 * exception: it words the message the commands print for a file named on
 * the command line.
 *
 * Memory: what these return is malloc'd and owned by the caller, with a NUL
 * after the last byte (so text can be used as a C string).
 */
#ifndef TC_FSUTIL_H
#define TC_FSUTIL_H

#include "arena.h"
#include "diag.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* ---- descriptors --------------------------------------------------------------------------- */

/* Read from fd until the end of the file or until cap bytes are in buf,
 * retrying on EINTR. 0 with *got set (*got == cap: there may be more), or
 * -1 with errno set (*got holds what was read before the error). */
int tc_fd_read(int fd, void *buf, size_t cap, size_t *got) __attribute__((warn_unused_result));

/* Read fd to the end into a malloc'd buffer (NUL after the end). hint is
 * the expected size (st_size, or 0). More than max bytes: -1 with errno
 * EFBIG and *len = the bytes read (max + 1); a read error: -1 with errno.
 * Nothing is allocated on failure. */
int tc_fd_read_all(char **out, size_t *len, int fd, size_t hint, size_t max)
	__attribute__((warn_unused_result));

/* Write all n bytes to fd, retrying on EINTR and short writes. 0, or -1
 * with errno set. */
int tc_fd_write(int fd, const void *p, size_t n) __attribute__((warn_unused_result));

/* ---- whole files --------------------------------------------------------------------------- */

enum {
	TC_FILE_NOFOLLOW = 1, /* a symbolic link in the last component fails to open */
	TC_FILE_REGULAR = 2,  /* anything but a regular file fails (TC_FILE_SPECIAL),
	                       * and a FIFO cannot block the open */
};

/* Why tc_file_read failed. */
typedef enum {
	TC_FILE_OPEN = 1, /* open or fstat failed: err */
	TC_FILE_SPECIAL,  /* not a regular file (with TC_FILE_REGULAR) */
	TC_FILE_TOOBIG,   /* more than max bytes */
	TC_FILE_READ,     /* read failed: err */
} tc_file_why;

typedef struct tc_file_err {
	tc_file_why why;
	int err; /* errno for TC_FILE_OPEN and TC_FILE_READ, else 0 */
} tc_file_err;

/* Read the whole file at path, at most max bytes, into *out (malloc'd, NUL
 * after the end) and *len. 0, or -1 with *e saying why (nothing allocated).
 * A file that grows while it is read is read to its end (up to max). */
int tc_file_read(char **out, size_t *len, const char *path, size_t max, unsigned flags,
                 tc_file_err *e) __attribute__((warn_unused_result));

/* tc_file_read of a file named by the user, following links, with the
 * errors the commands print at (path, 0, 0): "cannot read 'P': <errno>",
 * "cannot read 'P'" and "'P' is larger than <max in MiB> MiB". */
int tc_file_read_report(char **out, size_t *len, tc_diags *d, const char *path, size_t max)
	__attribute__((warn_unused_result));

enum {
	TC_FILE_SYNC = 1, /* fsync the new file before the rename */
};

/* Replace path with data atomically: write a new file beside it
 * ("<path>.tenantc-XXXXXX", with mode), then rename it over path. 0, or -1
 * with errno set; on failure the temporary file is removed and path is
 * unchanged. */
int tc_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
                         unsigned flags) __attribute__((warn_unused_result));

/* The folder rel (its first len bytes: "a/b/c") below the folder rootfd,
 * opened as an O_PATH descriptor without following a symbolic link at any
 * level and without leaving rootfd; len 0 opens rootfd itself again. -1
 * with errno (ELOOP, ENOTDIR, ENOENT, EXDEV ...) when that is impossible. */
int tc_dir_open_beneath(int rootfd, const char *rel, size_t len);

/* ---- path names ---------------------------------------------------------------------------- */

/* dir "/" name (malloc'd); when either is "", the other alone (a root and
 * a path below it that may be the root itself). */
char *tc_path_join(const char *dir, const char *name) __attribute__((malloc, returns_nonnull));
/* The same, in a (for paths that live as long as the arena). */
char *tc_path_join_arena(tc_arena *a, const char *dir, const char *name)
	__attribute__((returns_nonnull));

#endif
