/*
 * schema_bundle_data.h - the built-in Kubernetes schemas as bytes: the file
 * data/kubernetes-schemas.json of the source tree (written by
 * scripts/gen-schema-bundle.py), embedded at build time by tools/embed.c
 * (src/meson.build), so that every tenantc binary carries the schemas it
 * was built with and needs no data folder at run time. Read through
 * schema_bundle.h.
 */
#ifndef TC_SCHEMA_BUNDLE_DATA_H
#define TC_SCHEMA_BUNDLE_DATA_H

#include <stddef.h>

typedef struct tc_bundle_file {
	const char *path; /* "data/kubernetes-schemas.json" */
	const char *data;
	size_t len;
} tc_bundle_file;

/* Sorted by path bytes; tc_bundle_files[tc_bundle_nfiles] is {NULL, NULL, 0}. */
extern const tc_bundle_file tc_bundle_files[];
extern const size_t tc_bundle_nfiles;

#endif
