/*
 * render_files.h - the file helpers templates call, over the tenant's
 * files/ and the repository's files/, and the lists of their paths in the
 * template context.
 *
 *   tenant's tenants/<t>/files/   repository's files/    gives
 *   file(path)                    repoFile(path)          the content, UTF-8 text or not
 *   fileBase64(path)              repoFileBase64(path)    the content as base64 (binaryData)
 *   fileIsText(path)              repoFileIsText(path)    true when the content is UTF-8
 *   fileSha256(path)              repoFileSha256(path)    SHA-256 of the content, hex
 *
 * The tenant's helpers exist only in tenant and gitops templates; the
 * repository's in every template. file() and fileBase64() refuse a file
 * over Kubernetes' 1 MiB ConfigMap limit, naming it and pointing to a
 * volume; fileSha256() takes any size, so a Job can check a payload that
 * ships in a volume. A file's content is a value, never a template: "${"
 * in it stays as it is.
 */
#ifndef TC_RENDER_FILES_H
#define TC_RENDER_FILES_H

#include "jsone.h"
#include "repo.h"

/* Room for every helper. */
#define TC_FILE_HOSTS_MAX 8

typedef struct tc_file_host {
	const tc_file *files;
	size_t nfiles;
	const char *base; /* "files", "tenants/acme/files" */
	const char *name; /* the helper's name, for messages */
	int mode;
} tc_file_host;

/* Fill host[] (and the ud[] it points into) with the helpers of the
 * repository and, when t is not NULL, of the tenant. Returns the count. */
size_t tc_render_file_hosts(tc_jsone_host host[TC_FILE_HOSTS_MAX],
                            tc_file_host ud[TC_FILE_HOSTS_MAX], const tc_repo *r,
                            const tc_tenant *t, tc_arena *a);

/* The paths of files as a sorted array value (for `files`, `repoFiles`). */
tc_value *tc_render_file_list(tc_arena *a, const tc_file *files, size_t n);

#endif
