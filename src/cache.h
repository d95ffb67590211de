/*
 * cache.h - the render cache: a tenant whose inputs did not change is not
 * rendered again.
 *
 * A tenant's key is a SHA-256 over the tenantc version, its built-in
 * Kubernetes schemas (schema_bundle.h), everything every
 * tenant shares (tenantc.yaml, environments/, templates/, schemas/ and files/,
 * named by their git object ids, and the render options that change
 * output) and the object ids below tenants/<t>/. Keys exist only when the
 * input comes from git (a revision or the index): a work tree has no object
 * ids, and hashing its files would cost what rendering costs.
 *
 * An entry holds the tenant's rendered files (paths and bytes, never
 * plaintext: --decrypt renders are not cached) and the identities of its
 * objects for duplicate detection. Entries live outside the output, in
 * $TENANTC_CACHE_DIR or <git dir>/tenantc/cache, and are written to a
 * temporary name and renamed, so concurrent renders never read half an
 * entry. A damaged entry is a miss. TENANTC_CACHE=off disables the cache.
 */
#ifndef TC_CACHE_H
#define TC_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "diag.h"
#include "output.h"
#include "source.h"
#include "strlist.h"

typedef struct tc_cache tc_cache;

/* Everything besides the inputs that changes what a tenant renders to;
 * part of every key. */
typedef struct tc_cache_opts {
	const char *now;           /* `now` when templates use it, else NULL */
	const char *trust;         /* the CA bundle's digest (files.caBundle), or NULL */
	const char *check_time;    /* the files' check time: in the keys of tenants
	                            * holding signatures (*.p7s) only; may be NULL */
	bool strict;               /* --strict */
	const char *seed;          /* the rendering identity's recipient, or NULL */
	const tc_strlist *envs;    /* --env filters (may be NULL) */
	const tc_strlist *schemas; /* --schema-location folders (may be NULL) */
} tc_cache_opts;

/* *out = NULL (and 0) when caching does not apply. Reads the source: call
 * before workers start. */
int tc_cache_open(tc_cache **out, tc_source *src, const tc_cache_opts *o, tc_diags *d)
	__attribute__((warn_unused_result));
void tc_cache_free(tc_cache *c);

/* The key of tenant `name` (hex, 64 chars + NUL); false when it cannot be
 * computed. Uses the source: call under the source lock. */
bool tc_cache_tenant_key(const tc_cache *c, tc_source *src, const char *name, char out[65]);
/* The short name of a tenant's key from its folder's git tree id (hex):
 * a BLAKE2b keyed with what every key holds besides the folder, over the
 * tree id (and the check time when there is one).
 * A tree id fixes the folder's whole listing, and so its key; the tree
 * state keeps each tenant's (tc_state_tenant.memo), so an unchanged tenant
 * gets its key back without its folder being read. A short name is never
 * a key: the index has no folder ids, and check's keys must be render's. */
void tc_cache_tenant_memo(const tc_cache *c, const char *tree_id, char out[65]);

typedef struct tc_cache_entry {
	tc_outlist files; /* paths relative to the output root, with bytes */
	char **idents;    /* "apiVersion\tkind\tnamespace\tname" of every object */
	size_t nidents;
	size_t nobjects;
	bool rendered; /* the tenant produced output */
} tc_cache_entry;

void tc_cache_entry_init(tc_cache_entry *e);
void tc_cache_entry_release(tc_cache_entry *e);
/* 0 on a hit (e filled), 1 on a miss. Thread-safe. */
int tc_cache_get(const tc_cache *c, const char *key, tc_cache_entry *e);
/* Store e under key; failures only lose the entry. Thread-safe. */
void tc_cache_put(const tc_cache *c, const char *key, const tc_cache_entry *e);

/* The state of an output tree: which tenant, rendered with which key,
 * made which files. With it a render changes only the files of tenants
 * whose key changed and leaves every other file untouched. It is kept in
 * the cache folder, keyed by the tree's path, and is valid only for the
 * same folder (device and inode): a full render swaps in a new folder and
 * so invalidates it. It is stored in buckets of about 64 tenants and a
 * small manifest (see cache.c), so a render writes only the buckets of
 * the tenants that changed, and a render that updates the tree loads a
 * bucket only while the jobs of its tenants run. */
typedef struct tc_tree_state tc_tree_state;

typedef struct tc_state_tenant {
	char *name;
	char key[65];
	char memo[65]; /* tc_cache_tenant_memo of the key, "" when unknown */
	size_t nobjects;
	bool rendered;
	char **paths; /* its files, relative to the tree */
	size_t npaths;
	char **idents; /* its objects, as in tc_cache_entry */
	size_t nidents;
	bool kept; /* loaded state: the render left this tenant's files as they are */
	/* loaded state: where the record is (its bucket, its place there, and
	 * its bytes in the bucket's file) */
	uint32_t bucket, index;
	size_t off, len;
} tc_state_tenant;

/* NULL when there is no valid state for dir. A state of the format before
 * buckets is removed: that tree is then rendered whole once. */
tc_tree_state *tc_tree_state_load(const tc_cache *c, const char *dir);
void tc_tree_state_free(tc_tree_state *s);
/* Before the jobs run: a job will look up tenant `name`. Each expected
 * tenant's job calls tc_tree_state_done when it is finished with the
 * record; the last of a bucket frees it. Not thread-safe (plan time). */
void tc_tree_state_expect(tc_tree_state *s, const char *name);
void tc_tree_state_done(tc_tree_state *s, const char *name);
/* The record of tenant `name` when it was rendered with `key` and its
 * files are intact, else NULL. A record returned is kept: the render
 * leaves its files as they are. Valid until the tenant's
 * tc_tree_state_done (or the state's free when nobody expected it).
 * Thread-safe. */
tc_state_tenant *tc_tree_state_lookup(tc_tree_state *s, const char *name, const char *key);
/* The key tenant `name` was rendered with, into key, when its record's
 * memo is memo; false otherwise. Thread-safe. */
bool tc_tree_state_key(tc_tree_state *s, const char *name, const char *memo, char key[65]);
/* Every path the state knows that may have to go: those of the tenants not
 * kept, and the others. Reads the buckets again (after the jobs). */
void tc_tree_state_paths(tc_tree_state *s, void (*fn)(void *ud, const char *path), void *ud);
/* A bucket could not be read: the paths of its tenants are unknown, so the
 * state must not be saved on top of it (tc_tree_state_drop). */
bool tc_tree_state_damaged(const tc_tree_state *s);

/* t's record in the state's format appended to b; false (b unchanged) when
 * a name, path or identity holds a newline or the key is not 64 chars. */
bool tc_state_record(tc_buf *b, const tc_state_tenant *t);

/* A tenant of the new state, in tenant order: the loaded state's record
 * (kept; bucket, off, len as the record says), or a fresh record's bytes
 * (tc_state_record): text when in memory, else len bytes at off of the
 * records spool. */
typedef struct tc_state_ref {
	const char *name;
	bool kept;
	uint32_t bucket;
	size_t len;
	unsigned long long off;
	const char *text;
} tc_state_ref;

/* The identity hashes of the objects of the tree's tenants (the duplicate
 * check's, render_dupes.c), kept in the state in TC_STATE_SHARDS shards by
 * their top bits: a render then compares the objects of the tenants it
 * renders with those of the shards they fall into, not with every kept
 * tenant's. */
#define TC_STATE_SHARD_BITS 10
#define TC_STATE_SHARDS ((size_t)1 << TC_STATE_SHARD_BITS)

/* An object's 96-bit identity hash and the index of what made it (a
 * render's job; names[job] in tc_state_ids is its tenant). */
typedef struct tc_state_id {
	uint64_t h;
	uint32_t h2, job;
} tc_state_id;

typedef void (*tc_state_id_fn)(void *ud, uint64_t h, uint32_t h2, const char *tenant);

/* Does the loaded state hold the index? Without it the kept tenants'
 * identities must be hashed again (and the index is saved whole). */
bool tc_tree_state_has_ids(const tc_tree_state *s);
/* Does a hash occur more than once in the shard? */
bool tc_tree_state_shard_repeats(const tc_tree_state *s, size_t shard);
/* Each hash of the shard with its tenant (valid during the call); false,
 * and the state damaged (tc_tree_state_damaged), when it cannot be read. */
bool tc_tree_state_shard(tc_tree_state *s, size_t shard, tc_state_id_fn fn, void *ud);
/* The identities (tc_cache_entry's form) of the records the render did not
 * keep: tenants rendered again or gone. After the jobs. */
void tc_tree_state_stale_idents(tc_tree_state *s, void (*fn)(void *ud, const char *ident),
                                void *ud);

/* The new index: the hashes of the tenants rendered (not kept), sorted by
 * h, h2, job, with names[job] their tenants in byte order; dirty a bit per
 * shard whose hashes may have changed (those the render's and the stale
 * records' hashes fall into), or NULL: items are every tenant's and each
 * shard is made from them. */
typedef struct tc_state_ids {
	const tc_state_id *items;
	size_t n;
	const char *const *names;
	const unsigned char *dirty;
} tc_state_ids;

/* Write the state of dir: its tenants and the other files (cluster and
 * index files) it holds. old (may be NULL) is the loaded state the kept
 * records come from; buckets whose tenants are all kept are not written
 * again, nor shards of the index whose hashes are the same. ids NULL: no
 * index (the next render hashes every identity). Failures only lose the
 * new state (the old stays). */
void tc_tree_state_save(const tc_cache *c, const char *dir, const tc_tree_state *old,
                        const tc_state_ref *refs, size_t n, tc_spool *spool,
                        const char *const *others, size_t nothers, const tc_state_ids *ids);
/* Remove the state of dir. */
void tc_tree_state_drop(const tc_cache *c, const char *dir);

#endif
