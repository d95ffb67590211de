/*
 * render.h - expand the templates for every selected environment and tenant.
 *
 * The work is cut into jobs: one per environment for templates/cluster, one
 * per tenant for templates/tenant and templates/gitops in each of the
 * tenant's environments. Jobs run on a pool of threads; each has its own
 * arena and diagnostics, and its results are stored at its index, so the
 * outcome never depends on which thread finished first. In tree mode a job
 * writes its files into the temporary tree itself (writing is part of the
 * parallel work) and keeps only the paths; in memory mode it keeps the
 * bytes.
 */
#ifndef TC_RENDER_H
#define TC_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "opt.h"
#include "output.h"
#include "repo.h"

typedef struct tc_render_opts {
	const tc_strlist *envs;    /* only these environments (empty: all) */
	const tc_strlist *tenants; /* only these tenants (empty: all) */
	long jobs;                 /* worker threads; <= 0: the number of cores */
	tc_tree *tree;             /* write here; NULL: keep the bytes in memory */
	bool kustomizations;       /* also produce kustomization.yaml files */
	long shard_index, shard_count; /* render tenants i (mod n) == shard_index only */
} tc_render_opts;

typedef struct tc_render_result {
	tc_outlist files; /* sorted by path; data NULL in tree mode */
	size_t nenvs, ntenants, nobjects;
} tc_render_result;

/* Render. Diagnostics of all jobs are merged into d in job order. Returns
 * 0, or -1 when any job reported an error (nothing was committed). */
int tc_render(const tc_repo *r, const tc_render_opts *o, tc_render_result *res, tc_diags *d)
	__attribute__((warn_unused_result));
void tc_render_result_release(tc_render_result *res);

#endif
