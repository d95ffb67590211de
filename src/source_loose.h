/*
 * source_loose.h - a reader of loose git objects whose inflate cannot spin.
 *
 * libgit2 1.5 inflates a loose object file until it has as many bytes as
 * the file's header promises; when the zlib stream ends early (a truncated
 * or damaged file), zlib reports "no progress possible", libgit2 takes that
 * as "try again" and loops forever. tc_source_loose_add puts a backend in
 * front of libgit2's own in an object database: it reads every loose object
 * file itself, with an inflate that stops at the first step that makes no
 * progress, and reports a damaged file as a GIT_ERROR_ZLIB error (bad input)
 * instead of letting libgit2's reader see it. The same goes for the loose
 * objects of the folders the repository borrows objects from
 * (objects/info/alternates, followed as git and libgit2 follow it; see
 * source_loose.c for what is refused). Objects that are not loose files
 * (packs, the empty tree) are left to libgit2.
 */
#ifndef TC_SOURCE_LOOSE_H
#define TC_SOURCE_LOOSE_H

#include <git2.h>
#include <stddef.h>

/* Add the readers for the loose objects of objects_dir (the repository's
 * "objects" folder) and of its alternates to odb, tried before libgit2's
 * backends. 0, or -1 with a libgit2 error set (GIT_ERROR_ODB for an
 * alternates file that is refused). */
int tc_source_loose_add(git_odb *odb, const char *objects_dir);

/* Inflate the bytes of one loose object file (a zlib stream of
 * "<type> <size>\0<content>"). 0 with *out (malloc'd, NUL after the end),
 * *len and *type; -1 with a GIT_ERROR_ZLIB error naming what is wrong. For
 * the tests and the fuzz target; the backend uses it for every file. */
int tc_source_loose_inflate(void **out, size_t *len, git_object_t *type, const void *file,
                            size_t n);

#endif
