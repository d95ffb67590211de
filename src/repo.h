/*
 * repo.h - the loaded input repository.
 *
 * tc_repo_load reads what every job shares: tenantc.yaml (with defaults),
 * environments/, templates/ and the sorted list of tenant folders. It does
 * not read the tenants themselves: a job loads its tenant with
 * tc_repo_load_tenant into the job's arena, so memory follows the tenants
 * being rendered, not the size of the repository, and rendering one tenant
 * reads one tenant.
 *
 * After tc_repo_load returns, the repository is read-only and shared by all
 * worker threads. The source is not thread-safe: tc_repo_load_tenant takes
 * the repository's source lock.
 */
#ifndef TC_REPO_H
#define TC_REPO_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"
#include "filecheck.h"
#include "source.h"
#include "value.h"

typedef struct tc_env {
	const char *name;
	const char *path; /* environments/<name>.yaml */
	tc_value *doc;
} tc_env;

/* Where a template's objects go in the output tree of an environment. */
typedef enum tc_scope {
	TC_SCOPE_CLUSTER,  /* templates/cluster: once per environment -> <env>/cluster/ */
	TC_SCOPE_TENANT,   /* templates/tenant: per tenant and env -> <env>/tenants/<t>/ */
	TC_SCOPE_GITOPS,   /* templates/gitops: per tenant and env -> <env>/gitops/<t>/ */
	TC_SCOPE_PLATFORM, /* templates/platform: once per environment -> <env>/platform/ */
} tc_scope;

typedef struct tc_template {
	const char *path; /* templates/tenant/namespace.yaml */
	const char *name; /* namespace */
	tc_scope scope;
	tc_value *body;
	struct tc_jsone_compiled *compiled; /* parsed once, shared by all jobs */
} tc_template;

/* A file of files/ or tenants/<t>/files/: path relative to that folder
 * ("nginx/nginx.conf"), data NUL-terminated. */
typedef tc_filecheck_file tc_file;

typedef struct tc_tenant {
	const char *name;
	const char *path; /* tenants/<name>/tenant.yaml */
	tc_value *doc;
	const tc_env **envs; /* the environments it is rendered in, sorted by name */
	size_t nenvs;
	tc_file *files; /* tenants/<name>/files/..., sorted by path */
	size_t nfiles;
	tc_file *secrets; /* files of tenants/<name>/secrets, still encrypted, sorted */
	size_t nsecrets;
	/* per secrets[i]: the environment of tenants/<name>/secrets/<env>/...,
	 * one of envs; NULL for a file directly in secrets/ (all environments) */
	const tc_env **secret_envs;
} tc_tenant;

/* An object of <output>/<env>/cluster/ annotated tenantc.io/shared, as
 * the tree holds it (tc_repo.tree_shared). */
typedef struct tc_tree_shared {
	size_t env;          /* index of tc_repo.envs */
	const tc_value *obj; /* parsed */
	const char *yaml;    /* the file's bytes */
	size_t len;
	const char *tenants; /* the annotation: tenant names, ',' between */
} tc_tree_shared;

typedef struct tc_repo {
	tc_arena arena;
	tc_source *src; /* not owned */
	pthread_mutex_t src_lock;
	tc_value *settings; /* tenantc.yaml with defaults */
	const char *output; /* settings.output */
	tc_value *commit;   /* {id, time} or null */
	const char *now;    /* ISO-8601 UTC commit time, or the epoch */
	tc_env *envs;       /* sorted by name */
	size_t nenvs;
	tc_template *templates; /* sorted by (scope, path) */
	size_t ntemplates;
	char **tenants; /* folder names under tenants/, sorted by bytes */
	size_t ntenants;
	/* tenants[i]'s git tree id in hex, "" when the source has none (a
	 * work tree, the index); NULL when tenants were named (--tenant) */
	const char **tenant_ids;
	/* loaded for some tenants only: the other tenant folders (sorted),
	 * which a render compares with to find what tenants share */
	char **peers;
	size_t npeers;
	/* loaded for some tenants from a repository that holds its rendered
	 * tree (the output marker): the objects its <env>/cluster/ folders
	 * hold for tenants that share them (tenantc.io/shared), which stand
	 * for the other tenants, so that none of them is rendered (peers is
	 * then empty) */
	bool shared_from_tree;
	struct tc_tree_shared *tree_shared; /* malloc'd, in file order */
	size_t ntree_shared, captree_shared;
	tc_file *files; /* the repository-wide files/, sorted by path bytes */
	size_t nfiles;
	tc_filecheck filecheck; /* signatures, certificates and keys in files */
	/* input schemas from schemas/ (NULL when the file is absent) */
	struct tc_schema_store *schema_store;
	struct tc_schema *schema_settings, *schema_env, *schema_tenant;
	/* the objects of policies/ (admission policies, their bindings and
	 * parameters), in file order and then document order */
	const tc_value **policies;
	size_t npolicies;
} tc_repo;

/* Load everything but the tenants. now_override (may be NULL) replaces the
 * commit time as `now`. Returns 0, or -1 with diagnostics. tc_repo_release
 * must be called either way. */
int tc_repo_load(tc_repo *r, tc_source *src, const char *now_override, tc_diags *d)
	__attribute__((warn_unused_result));
/* The same, but the tenant list is `only` (sorted, non-empty) instead of
 * the listing of tenants/: rendering one tenant of a large repository
 * then costs the same as in a small one. The names are checked as folder
 * names; whether the folder exists shows when the tenant is loaded. */
int tc_repo_load_some(tc_repo *r, tc_source *src, const char *now_override, const char *const *only,
                      size_t nonly, tc_diags *d) __attribute__((warn_unused_result));
void tc_repo_release(tc_repo *r);

const tc_env *tc_repo_env(const tc_repo *r, const char *name);

/* False when no template mentions "now" (the context value, or the
 * fromNow built-in that reads it) in any string or key: then the commit
 * time cannot change what a tenant renders to, and cache keys leave it
 * out. Conservative: any occurrence of the letters counts. */
bool tc_repo_uses_now(const tc_repo *r);

/* True when word occurs in any string or key of the template's body (a
 * conservative test: any occurrence of the letters counts). */
bool tc_repo_template_mentions(const tc_template *t, const char *word);

/* Load one tenant (tenant.yaml, files/, secrets/) into a. Thread-safe.
 * A folder in secrets/ must be named after one of the tenant's
 * environments: its files are that environment's Secrets. */
int tc_repo_load_tenant(const tc_repo *r, const char *name, tc_arena *a, tc_diags *d,
                        tc_tenant *out) __attribute__((warn_unused_result));

/* Only tenants/<name>/tenant.yaml, checked as tc_repo_load_tenant checks
 * it (no files, no secrets): what a cluster template needs to know of
 * every tenant. Thread-safe. */
int tc_repo_load_tenant_settings(const tc_repo *r, const char *name, tc_arena *a, tc_diags *d,
                                 tc_tenant *out) __attribute__((warn_unused_result));

/* Whether t->secrets[i] is one of env's Secrets: a file of secrets/<env>/
 * is, a file directly in secrets/ is unless secrets/<env>/ has a file of
 * the same path (which replaces it there). */
bool tc_tenant_secret_used_in(const tc_tenant *t, size_t i, const tc_env *env);

/* "1970-01-01T00:00:00.000Z" style text for seconds since the epoch. */
void tc_format_time(char out[32], int64_t secs);

#endif
