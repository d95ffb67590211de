/*
 * render_impl.h - what the files of the render group share: the job, the
 * pool and the per-job work, and the steps each file provides. Not a
 * public header: only src/render*.c include it.
 *
 *   render.c          tc_render: plan, run the pool, merge, index files
 *   render_pool.c     worker threads and one job's lifetime
 *   render_job.c      templates -> objects -> checks, per job
 *   render_write.c    one output folder into the sink or the job
 *   render_secrets.c  input Secrets: decrypt, place, encrypt or carry over
 *   render_dupes.c    duplicate objects by identity hashes
 *   render_cache.c    cache hits, kept tenants, cache stores
 *   render_refs.c     references that resolve to no object, per environment
 */
#ifndef TC_RENDER_IMPL_H
#define TC_RENDER_IMPL_H

#include "render.h"

#include "arena.h"
#include "cache.h"
#include "fsutil.h"
#include "k8s.h"
#include "secmem.h"
#include "sink.h"
#include "sops.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The most objects one template may produce for one tenant: a list beyond
 * this is almost certainly a runaway $map. */
#define OBJECTS_PER_TEMPLATE_MAX 10000

/* What a tenant job with a cache key keeps besides. */
typedef struct keyed {
	char key[65];
	char memo[65];         /* tc_cache_tenant_memo from its tree id, "" when none */
	tc_state_tenant *kept; /* untouched: its record in the state (until the job ends) */
	char **idents;         /* object identities, collected for the cache */
	size_t nidents, capidents;
	tc_state_ref ref; /* at the job's end: its record for the new state */
	bool has_ref;     /* ref is set */
	bool bad;         /* its record cannot be saved */
} keyed;

typedef struct job {
	const tc_env *env;  /* cluster job: the environment */
	const char *tenant; /* tenant job: the tenant's folder name */
	tc_diags diags;
	tc_outlist files;
	size_t nobjects;
	bool rendered_tenant; /* the tenant produced output in some environment */
	bool keep_bytes;      /* keep file bytes after writing them (for the cache) */
	bool from_cache;
	bool untouched;  /* unchanged in the tree being updated (opts.state) */
	bool identify;   /* re-run to name duplicates: check, write nothing */
	bool rewrite;    /* re-run to write without the shared objects (render_dupes.c) */
	bool peer;       /* a tenant not selected (--tenant), rendered only to find
	                  * what it shares with the selected ones: no Secrets, no
	                  * checks, no output, no diagnostics */
	struct keyed *k; /* with a cache key only (a job lives until the merge) */
	/* streaming (see pool.stream): the output folders this job made */
	tc_render_chunk *chunks;
	size_t nchunks, capchunks;
} job;

/* An object's place in the duplicate check: a 96-bit hash of its
 * environment, group, kind, namespace and name, and the job that made it.
 * Only when two hashes meet are the jobs involved rendered again to name
 * the objects (identify_dupes), so a render keeps 16 bytes an object. */
typedef tc_state_id idhash;

/* An object that several tenants of an environment render byte for byte
 * alike: written once, into <env>/cluster/, annotated with the tenants. */
typedef struct shared_obj {
	size_t env;                     /* index of repo->envs */
	char *group, *kind, *ns, *name; /* its identity (ns "" when none) */
	char **tenants;                 /* in byte order */
	size_t ntenants, captenants;
	char *yaml; /* the annotated object, from the first tenant rewritten */
	size_t len;
	bool from_tree; /* yaml is the rendered tree's (repo->tree_shared) */
} shared_obj;

typedef struct pool {
	const tc_repo *repo;
	const tc_render_opts *opts;
	job *jobs;
	size_t njobs;
	atomic_size_t next;
	atomic_size_t done;
	/* duplicate detection: hashes of every object (under dupes_lock), and
	 * when identifying, the full set per environment (index of repo->envs) */
	pthread_mutex_t dupes_lock;
	idhash *ids;
	size_t nids, capids;
	/* the kept tenants' hashes are in the tree state's index, not hashed
	 * again (tc_render_ids_plan) */
	bool state_ids;
	struct kept_shard *kept_shards; /* tc_render_ids_kept's, TC_STATE_SHARDS */
	tc_k8s_dupes *dupes;
	/* objects tenants share, in environment and identity order */
	shared_obj *shared;
	size_t nshared, capshared;
	/* a render of some tenants: the shared objects are the rendered
	 * tree's, each left out of a tenant that makes it byte for byte */
	bool shared_tree;
	/* reference integrity: one set per environment (index of repo->envs,
	 * NULL when not checked), shared by the workers under refs_lock */
	pthread_mutex_t refs_lock;
	struct tc_k8s_refs **refs;
	struct tc_k8s_psa **psa; /* the Pod Security Standards, beside refs */
	/* Streaming: files go to the tree or the spool as each output folder
	 * is done, and a job keeps only a chunk per folder, not its files */
	bool stream;
	/* admission policies (cel_k8s_vap.h): every object but Secrets, per
	 * environment, when the repository has policies/ or a template that
	 * may render a policy; NULL otherwise */
	struct tc_vap_set *vap;
	/* a tenant template uses the Secret realm-clients: the tenants'
	 * client secrets are checked (render_job.c); found once per render */
	bool client_secrets;
} pool;

/* Identity hashes a job collects before it adds them to the pool's. */
#define TC_RENDER_ID_BATCH 64

/* What one job needs besides its own fields. */
typedef struct work {
	pool *p;
	job *j;
	tc_arena *a;
	tc_secmem *sm;                  /* decrypted Secret values of this job */
	tc_sops_leaks *leaks;           /* the same values, for the leak scan */
	const tc_tenant *tenant;        /* a tenant job's tenant while it renders, else NULL */
	idhash ids[TC_RENDER_ID_BATCH]; /* the job's identity hashes not yet in the pool's */
	size_t nids;
} work;

/* A Secret to be written into a tenant folder: its bytes are made after
 * the file name is known, because carry-over compares with the file of
 * that name in the previous tree. */
typedef struct secret_out {
	const tc_value *secret; /* plaintext (with a seed) or the clear shape */
	tc_sops_info info;
	const char *input_path;
} secret_out;

/* The sink's parts (sink.h); a render without a sink keeps its bytes in
 * memory. */
static inline tc_tree *tree_of(const tc_render_opts *o)
{
	return tc_sink_tree(o->sink);
}

static inline tc_spool *spool_of(const tc_render_opts *o)
{
	return tc_sink_spool(o->sink);
}

static inline tc_tree_state *state_of(const tc_render_opts *o)
{
	return tc_sink_state(o->sink);
}

static inline tc_spool *records_of(const tc_render_opts *o)
{
	return o->sink && o->sink->records.fd >= 0 ? &o->sink->records : NULL;
}

/* The sink records the tree state (a whole tree with a cache): only then
 * do keyed tenants need their records. */
static inline bool saves_state(const tc_render_opts *o)
{
	return o->sink && o->sink->cache;
}

static inline bool index_files(const tc_render_opts *o)
{
	return o->sink && o->sink->index_files;
}

static inline bool per_file(const tc_render_opts *o)
{
	return o->sink && o->sink->per_file;
}

static inline bool env_selected(const tc_render_opts *o, const char *name)
{
	return !o->envs || o->envs->len == 0 || tc_strlist_has(o->envs, name);
}

static inline const char *str_at(const tc_value *o, const char *path)
{
	const tc_value *v = tc_value_dig(o, path);
	return v && v->kind == TC_STR ? v->u.str.ptr : NULL;
}

static inline size_t env_index_of(const tc_repo *r, const tc_env *env)
{
	return (size_t)(env - r->envs);
}

/* render_pool.c */
void tc_render_run_pool(pool *p);
void tc_render_run_job(pool *p, job *j, tc_arena *a);
/* render_job.c */
void tc_render_run_cluster(work *w);
void tc_render_run_tenant(work *w);
void tc_render_tenant_objects(work *w);
/* Whether tenant jobs check the client secrets of realms (render_job.c). */
bool tc_render_checks_client_secrets(const tc_repo *r);
void tc_render_check_output(work *w, size_t env_index, const tc_value *obj, bool is_secret);
/* render_write.c */
void tc_render_store(const tc_render_opts *o, job *j, char *path, char *data, size_t len,
                     bool manifest);
/* A chunk of dir (its first len bytes, without the slash) into j. */
void tc_render_add_chunk(job *j, const char *dir, size_t len, size_t nfiles, unsigned long long off,
                         size_t bytes);
int tc_render_write_folder(work *w, const tc_env *env, const char *dir, tc_value *const *objs,
                           const secret_out *const *secrets, size_t n);
/* render_secrets.c */
int tc_render_secret_bytes(work *w, const tc_env *env, const secret_out *so, const char *relpath,
                           char **data, size_t *len, bool *plain);
int tc_render_load_secrets(work *w, const tc_tenant *t, const tc_env *env, tc_arrb *objs,
                           const secret_out ***secrets_out);
/* render_dupes.c */
void tc_render_add_identity(work *w, size_t env_index, const tc_value *obj);
void tc_render_add_cached_ident(work *w, const char *ident);
/* The hash of a cached identity ("env TAB apiVersion TAB kind TAB namespace
 * TAB name"); false when its environment is not the repository's. */
bool tc_render_ident_hash(const tc_repo *r, const char *ident, idhash *e);
/* The hash of an identity by its group (as the two above make it; job
 * left as it is). */
void tc_render_group_hash(uint32_t env, const char *g, size_t gl, const char *kind, size_t kl,
                          const char *ns, size_t nl, const char *name, size_t namel, idhash *e);
/* The job's identity hashes into the pool's (when it ends). */
void tc_render_flush_identities(work *w);
void tc_render_identify_dupes(pool *p);
/* render_ids.c. With a tree state that holds the index of identity hashes (cache.h):
 * the hashes the render made go to res (and the shards they touch), and
 * the kept tenants' hashes of those shards into the check. After the pool,
 * before tc_render_identify_dupes. */
void tc_render_ids_from_state(pool *p, tc_render_result *res);
/* Plan time: may the render use that index (p->state_ids)? */
void tc_render_ids_plan(pool *p);
/* Without one: every tenant's hashes (sorted by the check) to res. After
 * tc_render_identify_dupes. */
void tc_render_ids_collect(pool *p, tc_render_result *res);
/* With p->state_ids, after the pool: whether a kept tenant made an object
 * of the identity in environment env (its hash in the state's index). The
 * shards read are held until tc_render_ids_release. A shard that cannot be
 * read answers true: no reference is reported on what is not known. */
bool tc_render_ids_kept(pool *p, uint32_t env, const char *g, size_t gl, const char *kind,
                        size_t kl, const char *ns, size_t nl, const char *name, size_t namel);
void tc_render_ids_release(pool *p);
void tc_render_dupes_init(pool *p);
/* render_shared.c. The objects tenants share (after identify_dupes): the tenant jobs that
 * made them and the cluster jobs of their environments are run again,
 * writing what they wrote less the shared objects and, into cluster/,
 * each shared object once. Then, for the jobs that write: */
void tc_render_share_rewrite(pool *p);
/* objs[0..*n) less the objects of env that tenant shares (secrets, when
 * given, filtered alike), the first copy kept for the cluster folder. */
void tc_render_drop_shared(work *w, size_t env_index, tc_value **objs, const secret_out **secrets,
                           size_t *n);
/* The shared objects of env appended to objs (parsed in w's arena). */
void tc_render_add_shared(work *w, size_t env_index, tc_arrb *objs);
void tc_render_shared_release(pool *p);
/* A render of some tenants in a repository that holds its tree: what the
 * tree's cluster folders hold for them into p->shared (repo.h). */
void tc_render_shared_from_tree(pool *p);
/* Report every object that repeats another of its environment, naming
 * both template lines and, when two tenants made them, both tenants;
 * then release what identify_dupes collected. */
void tc_render_dupes_report(pool *p, tc_diags *d);
/* render_refs.c */
void tc_render_refs_init(pool *p);
void tc_render_refs_add(work *w, size_t env_index, const tc_value *obj);
void tc_render_refs_add_ident(work *w, const char *ident);
void tc_render_refs_report(pool *p, tc_diags *d);
/* render_cache.c */
bool tc_render_from_cache(work *w, const char *key);
bool tc_render_from_state(work *w, const char *key);
void tc_render_to_cache(work *w, const char *key);
/* At a keyed tenant job's end: its record for the new tree state, and in
 * a new tree its file list folded into chunks (render.c keeps no path of
 * it). */
void tc_render_finish_keyed(work *w);

#endif
