/*
 * init_data.h - the files `tenantc init` copies into a new repository: the
 * project's templates/ and schemas/ as they were when tenantc was built.
 *
 * The table is generated at build time by tools/embed.c (src/meson.build
 * runs it over the source tree), so the binary carries its own example
 * and needs no data folder at run time: an installed, a copied and a
 * build-tree tenantc all create the same repository.
 */
#ifndef TC_INIT_DATA_H
#define TC_INIT_DATA_H

#include <stddef.h>

typedef struct tc_init_file {
	const char
		*path; /* relative to the new repository, e.g. "templates/tenant/namespace.yaml" */
	const char *data; /* the bytes; may hold any byte, including NUL */
	size_t len;
} tc_init_file;

/* Sorted by path bytes; tc_init_files[tc_init_nfiles] is {NULL, NULL, 0}. */
extern const tc_init_file tc_init_files[];
extern const size_t tc_init_nfiles;

#endif
