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
#include "strlist.h"
#include "output.h"
#include "repo.h"

typedef struct tc_render_opts {
	const tc_strlist *envs;    /* only these environments (empty: all) */
	const tc_strlist *tenants; /* only these tenants (empty: all) */
	long jobs;                 /* worker threads; <= 0: the number of cores */
	/* where the bytes go (sink.h): a new tree, the tree updated in place
	 * (tenants whose key its state records are not rendered, and the
	 * result's record of such a tenant borrows the state's), a spool or
	 * memory; NULL: memory */
	struct tc_sink *sink;
	long shard_index, shard_count; /* render tenants i (mod n) == shard_index only */
	/* Secrets: identities (may be empty) and the rendering identity's seed
	 * (NULL without one: unchanged Secrets are carried over from prev_root) */
	const struct tc_sops_keys *keys;
	const struct tc_sops_seed *seed;
	bool decrypt;          /* print Secrets decrypted (memory mode only) */
	const char *prev_root; /* the existing output tree, for carry-over; may be NULL */
	/* where carry-over looks next when prev_root lacks the file: the
	 * repository's own output folder when rendering elsewhere (--out DIR,
	 * a shard); may be NULL */
	const char *prev_fallback;
	/* The previous tree when it is not a folder on disk (check and diff read
	 * it from the index or a revision): the malloc'd bytes of relpath, or
	 * NULL when there is none. Called from worker threads, so it locks what
	 * it shares. When set, prev_root is not used. */
	char *(*prev_read)(void *ctx, const char *relpath, size_t *len);
	void *prev_ctx;
	/* output validation: a schema folder set (NULL: Kubernetes rules only) */
	struct tc_schema_set *schemas;
	bool strict; /* an object without a schema is a finding */
	/* unchanged tenants come from here (NULL: no cache; see cache.h) */
	const struct tc_cache *cache;
	bool progress; /* show "[k/n]" on standard error (a terminal only) */
	/* Every object made from the templates (Secrets excepted), after its
	 * checks, with its environment and the tenant whose job made it (NULL
	 * for the environment's own templates): what the verifier (verify.h)
	 * collects. Called from worker threads in any order; obj lives only
	 * for the call (the job's arena). Tenants taken from the cache or left
	 * untouched are not rendered and not seen. NULL: nobody listens. */
	void (*observe)(void *ctx, const struct tc_env *env, const struct tc_tenant *tenant,
	                const struct tc_value *obj);
	void *observe_ctx;
} tc_render_opts;

/* One output folder of a streamed render (see tc_render_result). */
typedef struct tc_render_chunk {
	char *dir;              /* "<env>/<folder>/", with the slash */
	size_t nfiles;          /* files written into it */
	unsigned long long off; /* with a spool: its manifests, each after "---\n", */
	size_t len;             /* in file-name order */
} tc_render_chunk;

typedef struct tc_render_result {
	/* Sorted by path; data NULL in tree mode. A render that streams (into a
	 * tree or a spool, without a cache, not decrypting) keeps no files here
	 * but one chunk per output folder, sorted by dir, in chunks. */
	tc_outlist files;
	tc_render_chunk *chunks;
	size_t nchunks;
	size_t nfiles; /* files made, in either case */
	size_t nenvs, ntenants, nobjects;
	size_t cached;    /* tenants taken from the cache */
	size_t untouched; /* tenants left as they are in the tree (opts.state) */
	/* with a cache: what each keyed tenant made, for tc_tree_state_save,
	 * in job order: a record the loaded state kept, or a fresh record's
	 * bytes in the sink's records spool (or in memory, owned by the
	 * result, when there is no spool). records_bad: some record cannot be
	 * saved, so no state is. */
	struct tc_state_ref *records;
	size_t nrecords;
	bool records_bad;
	/* with a cache: the identity hashes of the tenants rendered (not kept)
	 * for the state's index (tc_state_ids), sorted; ids_dirty the shards
	 * they and the records not kept fall into, NULL when ids holds every
	 * tenant's; has_ids false when there is no index to save */
	struct tc_state_id *ids;
	size_t nids;
	const char **id_names; /* the tenant of each job (NULL for others) */
	unsigned char *ids_dirty;
	bool has_ids;
} tc_render_result;

/* Render. Diagnostics of all jobs are merged into d in job order. Returns
 * 0, or -1 when any job reported an error (nothing was committed). */
int tc_render(const tc_repo *r, const tc_render_opts *o, tc_render_result *res, tc_diags *d)
	__attribute__((warn_unused_result));
void tc_render_result_release(tc_render_result *res);

#endif
