/*
 * apps_check.h - the checks of a tenant's application sources (tenant.yaml
 * `apps`, in the file and in each overrides section) that the schema
 * cannot make, each an error at the line that breaks it (docs/templates.md,
 * "Tenant applications"):
 *
 *   - repoURL is a Git URL that Flux's GitRepository and ArgoCD both fetch
 *     from: https://host/path, ssh://[user@]host[:port]/path or the scp
 *     form user@host:path; no plain http (the manifests could be changed
 *     on the way), no password or token in the URL (a credential would sit
 *     in the repository and in the rendered tree), no other scheme;
 *   - path is a folder inside the repository: relative, no '..' segment,
 *     no backslash or control character;
 *   - revision is a branch name, refs/heads/<branch>, refs/tags/<tag> or a
 *     40-digit lower-case commit id, each name a valid Git ref name (git
 *     check-ref-format); a 40-character branch name is refused, since the
 *     templates read 40 characters without '/' as a commit id;
 *   - an app's name appears once in each list.
 */
#ifndef TC_APPS_CHECK_H
#define TC_APPS_CHECK_H

#include "diag.h"
#include "value.h"

#include <stddef.h>

/* NULL when s[0..n) is acceptable, else why not: a phrase that follows the
 * quoted value in a message (static storage). */
const char *tc_apps_url_problem(const char *s, size_t n);
const char *tc_apps_path_problem(const char *s, size_t n);
const char *tc_apps_revision_problem(const char *s, size_t n);

/* Every list of apps of doc (a loaded tenant.yaml, checked by its schema):
 * `apps` and each `overrides.<env>.apps`; an error per problem. */
int tc_apps_check(const tc_value *doc, tc_diags *d) __attribute__((warn_unused_result));

#endif
