/*
 * workspace.h - what render, check and diff open before they render: the
 * source, the repository, the age identities, the rendering identity and
 * the output schemas, opened in that order by one function.
 *
 *   tc_workspace ws;
 *   if (tc_workspace_open(&ws, &(tc_workspace_opts){.repo_dir = dir, ...}, d))
 *           ... ws.failed says which step failed ...
 *   tc_render(&ws.repo, ...);
 *   tc_workspace_release(&ws);
 *
 * Ownership: the workspace owns everything it opened (the keys only when it
 * read them itself) and releases it in tc_workspace_release, which is safe
 * after a failed open. After the open, everything but the source is
 * read-only and shared by the render's workers.
 */
#ifndef TC_WORKSPACE_H
#define TC_WORKSPACE_H

#include <stdbool.h>

#include "diag.h"
#include "repo.h"
#include "source.h"
#include "strlist.h"

struct tc_sops_keys;
struct tc_sops_seed;
struct tc_schema_set;

typedef struct tc_workspace_opts {
	const char *repo_dir;      /* the repository folder ("." when NULL) */
	tc_source_kind kind;       /* work tree, index or revision */
	const char *rev;           /* with TC_SOURCE_REV */
	const char *now;           /* --now, or NULL: the commit time */
	const tc_strlist *tenants; /* load only these tenants (sorted; NULL or empty: all) */
	/* the identities to use (borrowed); NULL: read them from
	 * SOPS_AGE_KEY_FILE / SOPS_AGE_KEY as sops does */
	const struct tc_sops_keys *keys;
	bool schemas;                  /* open the output schemas */
	const tc_strlist *schema_locs; /* --schema-location; else tenantc.yaml's, else schemas/ */
} tc_workspace_opts;

/* The steps of an open, in order; `failed` names the one that failed. */
typedef enum tc_workspace_step {
	TC_WS_OK,
	TC_WS_SOURCE,  /* the repository cannot be read (usage, git) */
	TC_WS_NOREPO,  /* what it reads has none of tenantc.yaml, environments/, tenants/ */
	TC_WS_REPO,    /* the inputs do not load */
	TC_WS_KEYS,    /* the identities in the environment are bad */
	TC_WS_SCHEMAS, /* the output schema folders do not open */
} tc_workspace_step;

typedef struct tc_workspace {
	const char *repo_dir;
	tc_source *src;
	tc_repo repo;
	bool loaded; /* repo must be released */
	tc_workspace_step failed;
	const struct tc_sops_keys *keys; /* the identities in use (may hold none) */
	struct tc_sops_keys *own_keys;   /* keys when the workspace read them */
	struct tc_sops_seed *seed;       /* the rendering identity; NULL without one */
	struct tc_schema_set *schemas;   /* NULL: Kubernetes' rules only */
	char *output; /* the repository's output folder as a path from here (malloc'd) */
} tc_workspace;

/* Open every part in order, stopping at the first that fails (-1, with
 * diagnostics and w->failed set). */
int tc_workspace_open(tc_workspace *w, const tc_workspace_opts *o, tc_diags *d)
	__attribute__((warn_unused_result));
void tc_workspace_release(tc_workspace *w);

/* The --env and --tenant filters of a render: every environment and
 * tenant named must exist, and with both, every tenant must be in one of
 * the environments, else the render would print nothing. -1 with an
 * error naming what exists ("initech is not in prod (--env); its
 * environments: test"). A tenant that does not load is left to the
 * render, which reports it in full. */
int tc_workspace_check_selection(const tc_workspace *w, const tc_strlist *envs,
                                 const tc_strlist *tenants, tc_diags *d)
	__attribute__((warn_unused_result));

/* The rendering identity for a repository: the identity in keys that
 * tenantc.yaml's sops.age lists; NULL without one. */
struct tc_sops_seed *tc_workspace_seed(const struct tc_sops_keys *keys, const tc_repo *r);

#endif
