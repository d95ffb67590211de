/*
 * cache.c - keys from git object ids, entries as files (see cache.h).
 *
 * Entry format (binary-safe, version in the first line):
 *   "tenantc-cache 1\n"
 *   "objects N rendered R files F idents I\n"
 *   F times: "<pathlen> <datalen> <manifest>\n" <path> <data> "\n"
 *   I times: "<len>\n" <ident> "\n"
 */
#include "cache.h"

#include "arena.h"
#include "buf.h"
#include "fsutil.h"
#include "schema_bundle.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "tenantc-cache 1\n"
/* An entry is one tenant's files; far beyond any real tenant. */
#define ENTRY_MAX ((size_t)256 * 1024 * 1024)

struct tc_cache {
	char *base;               /* the cache folder */
	char *dir;                /* .../objects */
	unsigned char global[32]; /* hash of everything tenants share */
	char *check_time;         /* opts.check_time (malloc'd) or NULL */
};

static void hash_str(crypto_hash_sha256_state *h, const char *s)
{
	crypto_hash_sha256_update(h, (const unsigned char *)s, strlen(s) + 1);
}

/* Hash the listing of dir: names, types and object ids; folders without
 * an id (the index) are followed. false when an id is missing. */
static bool hash_dir(crypto_hash_sha256_state *h, tc_source *src, const char *dir)
{
	tc_diags d;
	tc_diags_init(&d);
	tc_entry *e;
	size_t n;
	bool ok = tc_source_list(src, &d, dir, &e, &n) == 0;
	tc_diags_release(&d);
	if (!ok)
		return false;
	hash_str(h, dir);
	for (size_t i = 0; i < n && ok; i++) {
		char type = e[i].type == TC_ENTRY_DIR    ? 'd'
		            : e[i].type == TC_ENTRY_FILE ? 'f'
		                                         : 'o';
		crypto_hash_sha256_update(h, (const unsigned char *)&type, 1);
		hash_str(h, e[i].name);
		if (e[i].id[0]) {
			hash_str(h, e[i].id);
		} else if (e[i].type == TC_ENTRY_DIR) {
			size_t m = strlen(dir) + strlen(e[i].name) + 2;
			char *sub = tc_xmalloc(m);
			snprintf(sub, m, "%s%s%s", dir, dir[0] ? "/" : "", e[i].name);
			ok = hash_dir(h, src, sub);
			free(sub);
		} else {
			ok = false;
		}
	}
	tc_entries_free(e, n);
	return ok;
}

static int mkdirs(const char *path)
{
	char *p = tc_xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0755) != 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	int rc = mkdir(p, 0755) != 0 && errno != EEXIST ? -1 : 0;
	free(p);
	return rc;
}

/* The options as text, in a fixed order: one line each. */
static void options_text(tc_buf *b, const tc_cache_opts *o)
{
	tc_buf_addf(b, "now=%s\nstrict=%d\nseed=%s\ntrust=%s\n", o->now ? o->now : "-", o->strict,
	            o->seed ? o->seed : "-", o->trust ? o->trust : "-");
	for (size_t i = 0; o->envs && i < o->envs->len; i++)
		tc_buf_addf(b, "env=%s\n", o->envs->items[i]);
	for (size_t i = 0; o->schemas && i < o->schemas->len; i++)
		tc_buf_addf(b, "schemas=%s\n", o->schemas->items[i]);
}

/* The cache folder (malloc'd): TENANTC_CACHE_DIR, else GITDIR/tenantc/cache;
 * NULL when there is none. */
static char *cache_base(tc_source *src)
{
	const char *env = getenv("TENANTC_CACHE_DIR");
	if (env && env[0])
		return tc_xstrdup(env);
	const char *g = tc_source_gitdir(src);
	if (!g)
		return NULL;
	size_t n = strlen(g) + 32;
	char *base = tc_xmalloc(n);
	snprintf(base, n, "%s%stenantc/cache", g, g[strlen(g) - 1] == '/' ? "" : "/");
	return base;
}

/* tenantc.yaml's object id from the root listing into h; false when it
 * has none or the root cannot be listed. */
static bool hash_root_file(crypto_hash_sha256_state *h, tc_source *src)
{
	tc_diags dd;
	tc_diags_init(&dd);
	tc_entry *e;
	size_t n;
	bool listed = tc_source_list(src, &dd, "", &e, &n) == 0, ok = listed;
	tc_diags_release(&dd);
	if (!listed)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(e[i].name, "tenantc.yaml") == 0) {
			if (!e[i].id[0])
				ok = false;
			hash_str(h, e[i].id);
		}
	tc_entries_free(e, n);
	return ok;
}

int tc_cache_open(tc_cache **out, tc_source *src, const tc_cache_opts *o, tc_diags *d)
{
	(void)d;
	*out = NULL;
	const char *off = getenv("TENANTC_CACHE");
	if ((off && strcmp(off, "off") == 0) || !tc_source_is_git_snapshot(src))
		return 0;
	char *base = cache_base(src);
	if (!base)
		return 0;
	crypto_hash_sha256_state h;
	crypto_hash_sha256_init(&h);
	hash_str(&h, "tenantc " TC_VERSION);
	/* the built-in schemas that judged the output */
	size_t blen;
	const char *bundle = tc_schema_bundle_bytes(&blen);
	crypto_hash_sha256_update(&h, (const unsigned char *)bundle, blen);
	tc_buf opts;
	tc_buf_init(&opts, TC_BUF_UNLIMITED);
	options_text(&opts, o);
	hash_str(&h, tc_buf_str(&opts));
	tc_buf_release(&opts);
	bool ok = hash_dir(&h, src, "environments") && hash_dir(&h, src, "templates") &&
	          hash_dir(&h, src, "schemas") && hash_dir(&h, src, "files") &&
	          hash_dir(&h, src, "policies") && hash_root_file(&h, src);
	if (!ok) {
		free(base);
		return 0;
	}
	tc_cache *c = tc_xcalloc(1, sizeof *c);
	crypto_hash_sha256_final(&h, c->global);
	size_t n = strlen(base) + 16;
	c->dir = tc_xmalloc(n);
	snprintf(c->dir, n, "%s/objects", base);
	c->base = base;
	c->check_time = o->check_time ? tc_xstrdup(o->check_time) : NULL;
	if (mkdirs(c->dir) != 0) { /* a read-only place: no cache, not an error */
		tc_cache_free(c);
		return 0;
	}
	*out = c;
	return 0;
}

void tc_cache_free(tc_cache *c)
{
	if (!c)
		return;
	free(c->dir);
	free(c->base);
	free(c->check_time);
	free(c);
}

/* True when a file below dir is a detached signature (*.p7s), whose check
 * depends on the check time; false too when dir cannot be listed. */
static bool has_signature(tc_source *src, const char *dir)
{
	tc_diags d;
	tc_diags_init(&d);
	tc_entry *e;
	size_t n;
	bool found = false;
	if (tc_source_list(src, &d, dir, &e, &n) == 0) {
		for (size_t i = 0; i < n && !found; i++) {
			size_t l = strlen(e[i].name);
			if (e[i].type == TC_ENTRY_DIR) {
				char *sub = tc_path_join(dir, e[i].name);
				found = has_signature(src, sub);
				free(sub);
			} else {
				found = l > 4 && strcmp(e[i].name + l - 4, ".p7s") == 0;
			}
		}
		tc_entries_free(e, n);
	}
	tc_diags_release(&d);
	return found;
}

bool tc_cache_tenant_key(const tc_cache *c, tc_source *src, const char *name, char out[65])
{
	crypto_hash_sha256_state h;
	crypto_hash_sha256_init(&h);
	crypto_hash_sha256_update(&h, c->global, sizeof c->global);
	size_t n = strlen(name) + 16;
	char *dir = tc_xmalloc(n);
	snprintf(dir, n, "tenants/%s", name);
	bool ok = hash_dir(&h, src, dir);
	if (ok && c->check_time) {
		/* a signer may expire between two commits of the same tenant */
		char *files = tc_path_join(dir, "files");
		if (has_signature(src, files))
			hash_str(&h, c->check_time);
		free(files);
	}
	free(dir);
	if (!ok)
		return false;
	unsigned char k[32];
	crypto_hash_sha256_final(&h, k);
	sodium_bin2hex(out, 65, k, sizeof k);
	return true;
}

void tc_cache_tenant_memo(const tc_cache *c, const char *tree_id, char out[65])
{
	/* BLAKE2b keyed with what all keys share: one block for the rest */
	crypto_generichash_state h;
	unsigned char k[32];
	crypto_generichash_init(&h, c->global, sizeof c->global, sizeof k);
	const char *t = c->check_time ? c->check_time : "-"; /* in some keys */
	crypto_generichash_update(&h, (const unsigned char *)tree_id, strlen(tree_id) + 1);
	crypto_generichash_update(&h, (const unsigned char *)t, strlen(t) + 1);
	crypto_generichash_final(&h, k, sizeof k);
	sodium_bin2hex(out, 65, k, sizeof k);
}

void tc_cache_entry_init(tc_cache_entry *e)
{
	memset(e, 0, sizeof *e);
	tc_outlist_init(&e->files);
}

void tc_cache_entry_release(tc_cache_entry *e)
{
	tc_outlist_release(&e->files);
	for (size_t i = 0; i < e->nidents; i++)
		free(e->idents[i]);
	free(e->idents);
	tc_cache_entry_init(e);
}

static char *entry_path(const tc_cache *c, const char *key)
{
	size_t n = strlen(c->dir) + 80;
	char *p = tc_xmalloc(n);
	snprintf(p, n, "%s/%.2s/%s", c->dir, key, key + 2);
	return p;
}

/* A cache file's bytes (malloc'd), NULL when it is missing, not a
 * regular file or bigger than an entry may be. */
static char *slurp(const char *path, size_t *len)
{
	char *buf;
	tc_file_err e;
	return tc_file_read(&buf, len, path, ENTRY_MAX, TC_FILE_REGULAR, &e) == 0 ? buf : NULL;
}

/* Parse "<number>" followed by one of the characters in `end`. */
static bool num(const char **p, const char *lim, size_t *out, char end)
{
	size_t v = 0;
	const char *s = *p;
	if (s >= lim || *s < '0' || *s > '9')
		return false;
	while (s < lim && *s >= '0' && *s <= '9') {
		if (v > ENTRY_MAX)
			return false;
		v = v * 10 + (size_t)(*s++ - '0');
	}
	if (s >= lim || *s != end)
		return false;
	*p = s + 1;
	*out = v;
	return true;
}

static bool word(const char **p, const char *lim, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(lim - *p) < n || memcmp(*p, w, n) != 0)
		return false;
	*p += n;
	return true;
}

int tc_cache_get(const tc_cache *c, const char *key, tc_cache_entry *e)
{
	char *path = entry_path(c, key);
	size_t len;
	char *buf = slurp(path, &len);
	free(path);
	if (!buf)
		return 1;
	const char *p = buf, *lim = buf + len;
	size_t nobj, rendered, nfiles, nid;
	bool ok = word(&p, lim, MAGIC) && word(&p, lim, "objects ") && num(&p, lim, &nobj, ' ') &&
	          word(&p, lim, "rendered ") && num(&p, lim, &rendered, ' ') &&
	          word(&p, lim, "files ") && num(&p, lim, &nfiles, ' ') &&
	          word(&p, lim, "idents ") && num(&p, lim, &nid, '\n');
	tc_cache_entry_init(e);
	for (size_t i = 0; ok && i < nfiles; i++) {
		size_t pl, dl, man;
		ok = num(&p, lim, &pl, ' ') && num(&p, lim, &dl, ' ') && num(&p, lim, &man, '\n') &&
		     (size_t)(lim - p) >= pl + dl + 1 && p[pl + dl] == '\n';
		if (!ok)
			break;
		tc_outlist_add(&e->files, tc_xmemdup0(p, pl), tc_xmemdup0(p + pl, dl), dl,
		               man != 0);
		p += pl + dl + 1;
	}
	if (ok && nid) {
		e->idents = tc_xcalloc(nid, sizeof *e->idents);
		for (size_t i = 0; ok && i < nid; i++) {
			size_t il;
			ok = num(&p, lim, &il, '\n') && (size_t)(lim - p) >= il + 1 &&
			     p[il] == '\n';
			if (!ok)
				break;
			e->idents[e->nidents++] = tc_xmemdup0(p, il);
			p += il + 1;
		}
	}
	ok = ok && p == lim;
	free(buf);
	if (!ok) {
		tc_cache_entry_release(e);
		return 1;
	}
	e->nobjects = nobj;
	e->rendered = rendered != 0;
	return 0;
}

/* Write data to path through a temporary name in the same folder; a
 * failure only loses the entry. */
static void write_atomic(const char *path, const char *data, size_t len)
{
	if (tc_file_write_atomic(path, data, len, 0644, 0) != 0)
		return;
}

void tc_cache_put(const tc_cache *c, const char *key, const tc_cache_entry *e)
{
	tc_buf b;
	tc_buf_init(&b, ENTRY_MAX);
	tc_buf_adds(&b, MAGIC);
	tc_buf_addf(&b, "objects %zu rendered %d files %zu idents %zu\n", e->nobjects,
	            e->rendered ? 1 : 0, e->files.len, e->nidents);
	for (size_t i = 0; i < e->files.len; i++) {
		const tc_outfile *f = &e->files.items[i];
		if (f->secret || !f->data)
			goto out; /* never plaintext, never half an entry */
		tc_buf_addf(&b, "%zu %zu %d\n", strlen(f->path), f->len, f->manifest ? 1 : 0);
		tc_buf_adds(&b, f->path);
		tc_buf_add(&b, f->data, f->len);
		tc_buf_addc(&b, '\n');
	}
	for (size_t i = 0; i < e->nidents; i++) {
		tc_buf_addf(&b, "%zu\n", strlen(e->idents[i]));
		tc_buf_adds(&b, e->idents[i]);
		tc_buf_addc(&b, '\n');
	}
	if (tc_buf_failed(&b))
		goto out;
	char *path = entry_path(c, key);
	char *slash = strrchr(path, '/');
	*slash = 0;
	mkdir(path, 0755);
	*slash = '/';
	write_atomic(path, b.ptr, b.len);
	free(path);
out:
	tc_buf_release(&b);
}

/* ---- tree state ---------------------------------------------------------------------------- */

/* The state of a tree is a folder, state/<SHA-256 of the tree's real path>/:
 *
 *   manifest  "tenantc-state 2\n" "dir DEV INO\n" "buckets B others O\n",
 *             B lines "<file> <tenants> <bytes> <first tenant>\n" in tenant
 *             order, then O lines of the other paths (cluster and index files)
 *   b-<hex>   a bucket: "tenantc-state-bucket 2\n" and the records of its
 *             tenants, each: name, key, "objects rendered paths idents",
 *             the paths and the identities, one line each
 *
 * The tenants, sorted by name, are cut into buckets after every tenant whose
 * name hashes to 0 modulo BUCKET_SPREAD, so a bucket holds about that many
 * tenants and a tenant added or removed moves no other cut. A render writes
 * only the buckets whose tenants changed (a bucket is named by a hash of its
 * bytes), then the manifest through a temporary name; that rename is the
 * commit point, and the buckets the new manifest does not name are removed
 * after it. A render loads a bucket when the first of its tenants' jobs looks
 * it up and frees it when the last is done, so memory follows the tenants in
 * flight, not all of them. The state of version 1 (one file in the folder's
 * place) is removed when found: that tree is rendered whole once more. */

#define STATE_MAGIC "tenantc-state 2\n"
#define BUCKET_MAGIC "tenantc-state-bucket 2\n"
#define MANIFEST "manifest"
#define BUCKET_SPREAD 64

typedef struct bucket {
	char *file;          /* "b-<hex>" */
	char *first;         /* its first tenant's name */
	size_t count, bytes; /* tenants, file size */
	unsigned char *kept; /* a bit per tenant: the render kept its record */
	size_t nkept;
	size_t pending; /* jobs still to look up here (tc_tree_state_expect) */
	/* loaded */
	char *buf;
	tc_state_tenant *recs;
	bool loaded, bad;
} bucket;

struct tc_tree_state {
	bucket *b;
	size_t nb;
	char **others;
	size_t nothers;
	char *folder;          /* the state folder */
	char *dir;             /* the tree it describes */
	int dirfd;             /* dir, opened (O_PATH); -1: it could not be */
	struct timespec saved; /* the manifest's mtime: no file of the tree is newer */
	pthread_mutex_t lock;
	bool damaged; /* a bucket could not be read: its tenants' paths are unknown */
	/* the index of identity hashes (see "ids" below): its file and each
	 * shard's file ("" when empty), bytes and whether a hash repeats there */
	char *ids_file;
	size_t ids_bytes;
	char **shard_file;
	size_t *shard_bytes;
	unsigned char *shard_repeats;
};

/* The state folder of dir (malloc'd) and dir's identity; NULL when dir is
 * not a folder. */
static char *state_path(const tc_cache *c, const char *dir, char id[64])
{
	char *real = realpath(dir, NULL);
	if (!real)
		return NULL;
	struct stat st;
	if (stat(real, &st) != 0 || !S_ISDIR(st.st_mode)) {
		free(real);
		return NULL;
	}
	unsigned char h[32];
	crypto_hash_sha256(h, (const unsigned char *)real, strlen(real));
	char hex[65];
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	snprintf(id, 64, "%ju %ju", (uintmax_t)st.st_dev, (uintmax_t)st.st_ino);
	free(real);
	size_t n = strlen(c->base) + 80;
	char *p = tc_xmalloc(n);
	snprintf(p, n, "%s/state/%s", c->base, hex);
	return p;
}

static void free_strs(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void unload(bucket *b)
{
	for (size_t i = 0; b->recs && i < b->count; i++)
		free(b->recs[i].paths);
	free(b->recs);
	free(b->buf);
	b->recs = NULL;
	b->buf = NULL;
	b->loaded = false;
}

void tc_tree_state_free(tc_tree_state *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nb; i++) {
		unload(&s->b[i]);
		free(s->b[i].file);
		free(s->b[i].first);
		free(s->b[i].kept);
	}
	free(s->b);
	free_strs(s->others, s->nothers);
	free(s->ids_file);
	if (s->shard_file)
		free_strs(s->shard_file, TC_STATE_SHARDS);
	free(s->shard_bytes);
	free(s->shard_repeats);
	free(s->folder);
	free(s->dir);
	if (s->dirfd >= 0)
		close(s->dirfd);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* One line, NUL-terminated in place; NULL when there is no '\n'. */
static char *take_line(char **p, char *lim)
{
	char *nl = memchr(*p, '\n', (size_t)(lim - *p));
	if (!nl)
		return NULL;
	char *s = *p;
	*nl = 0;
	*p = nl + 1;
	return s;
}

/* One record at *p of a bucket's bytes (made strings in place). */
static bool parse_record(char **p, char *lim, tc_state_tenant *t)
{
	char *name = take_line(p, lim), *key = take_line(p, lim);
	size_t nobj, rend, np, ni;
	const char *q = *p;
	/* "KEY" or "KEY MEMO" */
	size_t kl = key ? strlen(key) : 0;
	t->memo[0] = 0;
	if (key && kl == 129 && key[64] == ' ') {
		memcpy(t->memo, key + 65, 65);
		key[64] = 0;
		kl = 64;
	}
	if (!name || !key || kl != 64 || !num(&q, lim, &nobj, ' ') || !num(&q, lim, &rend, ' ') ||
	    !num(&q, lim, &np, ' ') || !num(&q, lim, &ni, '\n') || np + ni > (size_t)(lim - q))
		return false;
	*p = (char *)q;
	t->name = name;
	memcpy(t->key, key, 65);
	t->nobjects = nobj;
	t->rendered = rend != 0;
	t->paths = tc_xmalloc((np + ni + 1) * sizeof *t->paths);
	for (size_t i = 0; i < np + ni; i++)
		if (!(t->paths[i] = take_line(p, lim)))
			return false;
	t->npaths = np;
	t->idents = t->paths + np;
	t->nidents = ni;
	return true;
}

/* Read bucket bi; false (and the bucket marked bad) when it cannot be. */
static bool load_bucket(tc_tree_state *s, size_t bi)
{
	bucket *b = &s->b[bi];
	if (b->loaded)
		return true;
	if (b->bad)
		return false;
	char *path = tc_path_join(s->folder, b->file);
	size_t len = 0;
	char *buf = slurp(path, &len);
	free(path);
	bool ok = buf && len == b->bytes && len >= strlen(BUCKET_MAGIC) &&
	          memcmp(buf, BUCKET_MAGIC, strlen(BUCKET_MAGIC)) == 0;
	b->buf = buf;
	b->recs = tc_xcalloc(b->count + 1, sizeof *b->recs);
	char *p = buf + (ok ? strlen(BUCKET_MAGIC) : 0), *lim = buf + len;
	for (size_t i = 0; ok && i < b->count; i++) {
		tc_state_tenant *t = &b->recs[i];
		size_t at = (size_t)(p - buf);
		ok = parse_record(&p, lim, t) &&
		     (i == 0 ? strcmp(t->name, b->first) == 0
		             : strcmp(b->recs[i - 1].name, t->name) < 0);
		t->bucket = (uint32_t)bi;
		t->index = (uint32_t)i;
		t->off = at;
		t->len = (size_t)(p - buf) - at;
	}
	ok = ok && p == lim;
	b->loaded = true;
	if (!ok) {
		unload(b);
		b->bad = true;
		s->damaged = true;
	}
	return ok;
}

/* The manifest's bucket lines and others into s. */
static bool parse_manifest(tc_tree_state *s, const char *id, char *buf, size_t len)
{
	const char *p = buf, *lim = buf + len;
	size_t nb = 0, no = 0;
	if (!(word(&p, lim, STATE_MAGIC) && word(&p, lim, "dir ") && word(&p, lim, id) &&
	      word(&p, lim, "\nbuckets ") && num(&p, lim, &nb, ' ') && word(&p, lim, "others ") &&
	      num(&p, lim, &no, '\n')) ||
	    nb > len || no > len)
		return false;
	char *q = (char *)p, *end = buf + len;
	s->b = tc_xcalloc(nb + 1, sizeof *s->b);
	for (size_t i = 0; i < nb; i++) {
		char *l = take_line(&q, end);
		char *sp = l ? strchr(l, ' ') : NULL;
		if (!sp)
			return false;
		*sp = 0;
		const char *r = sp + 1, *rl = r + strlen(r);
		bucket *b = &s->b[s->nb++];
		b->file = tc_xstrdup(l);
		if (strncmp(l, "b-", 2) != 0 || strchr(l, '/') || !num(&r, rl, &b->count, ' ') ||
		    !num(&r, rl, &b->bytes, ' ') || b->count == 0)
			return false;
		b->first = tc_xstrdup(r);
		b->kept = tc_xcalloc((b->count + 7) / 8, 1);
		if (i > 0 && strcmp(s->b[i - 1].first, b->first) >= 0)
			return false;
	}
	s->others = no ? tc_xcalloc(no, sizeof *s->others) : NULL;
	for (size_t i = 0; i < no; i++) {
		char *l = take_line(&q, end);
		if (!l)
			return false;
		s->others[s->nothers++] = tc_xstrdup(l);
	}
	/* "ids FILE BYTES": the index of identity hashes, when it was kept */
	const char *r = q;
	size_t ib = 0;
	if (r < end && word(&r, end, "ids ")) {
		const char *sp = memchr(r, ' ', (size_t)(end - r));
		const char *t = sp ? sp + 1 : NULL;
		if (!sp || !num(&t, end, &ib, '\n') || strncmp(r, "x-", 2) != 0 ||
		    memchr(r, '/', (size_t)(sp - r)))
			return false;
		s->ids_file = tc_xmemdup0(r, (size_t)(sp - r));
		s->ids_bytes = ib;
		q = (char *)t;
	}
	return q == end;
}

/* ---- the index of identity hashes ----------------------------------------------------------
 *
 * Beside the buckets, the state keeps the identity hash of every object of
 * its tenants (render_dupes.c), so that a render compares the objects of
 * the tenants it renders with the kept tenants' without hashing those
 * again. The hashes are cut into TC_STATE_SHARDS shards by their top bits:
 *   x-<hex>  "tenantc-state-ids 1\n", then a line a shard: its file ("-"
 *            when it is empty), its size and 1 when a hash occurs more than
 *            once in it (else 0)
 *   i-<hex>  a shard: "<16 hex h><8 hex h2> <tenant>\n" a hash, sorted
 * Files are named by a hash of their bytes, so a shard whose hashes did not
 * change is not written again; the manifest names the x- file ("ids" line).
 * A state without the line (or whose index cannot be read) has no index:
 * the kept tenants' identities are then hashed again, and the index made
 * whole. */

#define IDS_MAGIC "tenantc-state-ids 1\n"

/* Shard i's line "FILE BYTES REPEATS" (NUL-terminated) into s. */
static bool shard_line(tc_tree_state *s, size_t i, char *l)
{
	char *sp = l ? strchr(l, ' ') : NULL;
	if (!sp)
		return false;
	*sp = 0;
	const char *r = sp + 1, *lim = r + strlen(r) + 1;
	size_t rep = 0;
	if (!num(&r, lim, &s->shard_bytes[i], ' ') || !num(&r, lim, &rep, 0) || rep > 1 ||
	    !(strcmp(l, "-") == 0 || (strncmp(l, "i-", 2) == 0 && !strchr(l, '/'))))
		return false;
	s->shard_file[i] = tc_xstrdup(strcmp(l, "-") == 0 ? "" : l);
	s->shard_repeats[i] = (unsigned char)rep;
	return true;
}

/* s->ids_file's shard lines into s; false when it cannot be read. */
static bool load_ids(tc_tree_state *s)
{
	char *path = tc_path_join(s->folder, s->ids_file);
	size_t len = 0;
	char *buf = slurp(path, &len);
	free(path);
	bool ok = buf && len == s->ids_bytes && len >= strlen(IDS_MAGIC) &&
	          memcmp(buf, IDS_MAGIC, strlen(IDS_MAGIC)) == 0;
	s->shard_file = tc_xcalloc(TC_STATE_SHARDS, sizeof *s->shard_file);
	s->shard_bytes = tc_xcalloc(TC_STATE_SHARDS, sizeof *s->shard_bytes);
	s->shard_repeats = tc_xcalloc(TC_STATE_SHARDS, 1);
	char *q = buf + (ok ? strlen(IDS_MAGIC) : 0), *end = buf + len;
	for (size_t i = 0; ok && i < TC_STATE_SHARDS; i++)
		ok = shard_line(s, i, take_line(&q, end));
	ok = ok && q == end;
	free(buf);
	if (!ok) {
		for (size_t i = 0; i < TC_STATE_SHARDS; i++)
			free(s->shard_file[i]);
		free(s->shard_file);
		free(s->shard_bytes);
		free(s->shard_repeats);
		s->shard_file = NULL;
		s->shard_bytes = NULL;
		s->shard_repeats = NULL;
	}
	return ok;
}

tc_tree_state *tc_tree_state_load(const tc_cache *c, const char *dir)
{
	char id[64];
	char *folder = state_path(c, dir, id);
	if (!folder)
		return NULL;
	struct stat st;
	if (lstat(folder, &st) != 0 || !S_ISDIR(st.st_mode)) {
		if (lstat(folder, &st) == 0 && S_ISREG(st.st_mode))
			unlink(folder); /* version 1: rendered whole once, then saved anew */
		free(folder);
		return NULL;
	}
	char *mpath = tc_path_join(folder, MANIFEST);
	size_t len = 0;
	struct stat sst;
	char *buf = stat(mpath, &sst) == 0 ? slurp(mpath, &len) : NULL;
	free(mpath);
	if (!buf) {
		free(folder);
		return NULL;
	}
	tc_tree_state *s = tc_xcalloc(1, sizeof *s);
	pthread_mutex_init(&s->lock, NULL);
	s->folder = folder;
	s->dir = tc_xstrdup(dir);
	s->dirfd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	s->saved = sst.st_mtim;
	bool ok = parse_manifest(s, id, buf, len);
	free(buf);
	/* every bucket there at its size: a state cut short is no state */
	for (size_t i = 0; ok && i < s->nb; i++) {
		char *bp = tc_path_join(folder, s->b[i].file);
		ok = lstat(bp, &st) == 0 && S_ISREG(st.st_mode) &&
		     (size_t)st.st_size == s->b[i].bytes;
		free(bp);
	}
	if (!ok) {
		tc_tree_state_free(s);
		return NULL;
	}
	if (s->ids_file && !load_ids(s)) {
		/* no index: the kept tenants' identities are hashed again */
		free(s->ids_file);
		s->ids_file = NULL;
	}
	return s;
}

static bool not_after(struct timespec t, struct timespec saved)
{
	return t.tv_sec < saved.tv_sec || (t.tv_sec == saved.tv_sec && t.tv_nsec <= saved.tv_nsec);
}

/* Was a file of the tree, st, neither written nor changed since the state?
 * Its modification time can be set back (touch -d, cp -p, rsync -t), its
 * change time cannot: any write, rename or change of its inode sets it. */
static bool not_newer(const tc_tree_state *s, const struct stat *st)
{
	return not_after(st->st_mtim, s->saved) && not_after(st->st_ctim, s->saved);
}

/* Are a kept tenant's files still what the render wrote? Each must be a
 * regular file neither modified nor changed since the state (a file
 * edited, replaced or restored by hand since is newer, even when its
 * modification time was set back), reached through real folders (a
 * folder replaced by a symbolic link would lead out of the tree); one
 * that is missing, newer or linked makes the tenant render again, which
 * restores its files. No file is read: each folder is opened once without
 * following links (tc_dir_open_beneath) and each file is an fstatat of one
 * name in it, which costs the kernel far less than a whole path. A file
 * written in place changes neither its folder nor the folder's listing, so
 * every file is looked at. */
static bool intact(const tc_tree_state *s, const tc_state_tenant *t)
{
	if (s->dirfd < 0)
		return false;
	bool ok = true;
	int dfd = -1;
	const char *lastdir = NULL;
	size_t lastlen = 0;
	for (size_t i = 0; ok && i < t->npaths; i++) {
		const char *p = t->paths[i];
		const char *slash = strrchr(p, '/');
		size_t dl = slash ? (size_t)(slash - p) : 0;
		if (dl && !(lastdir && lastlen == dl && memcmp(lastdir, p, dl) == 0)) {
			if (dfd >= 0)
				close(dfd);
			dfd = tc_dir_open_beneath(s->dirfd, p, dl);
			ok = dfd >= 0;
			lastdir = p;
			lastlen = dl;
		}
		struct stat st;
		ok = ok &&
		     fstatat(dl ? dfd : s->dirfd, dl ? slash + 1 : p, &st, AT_SYMLINK_NOFOLLOW) ==
		             0 &&
		     S_ISREG(st.st_mode) && not_newer(s, &st);
	}
	if (dfd >= 0)
		close(dfd);
	return ok;
}

/* The bucket a tenant's record would be in: the last whose first tenant
 * is not after name; SIZE_MAX when there are none. */
static size_t bucket_of(const tc_tree_state *s, const char *name)
{
	if (s->nb == 0)
		return SIZE_MAX;
	size_t lo = 0, hi = s->nb;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(s->b[mid].first, name) <= 0)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

void tc_tree_state_expect(tc_tree_state *s, const char *name)
{
	size_t bi = bucket_of(s, name);
	if (bi != SIZE_MAX)
		s->b[bi].pending++;
}

void tc_tree_state_done(tc_tree_state *s, const char *name)
{
	size_t bi = bucket_of(s, name);
	if (bi == SIZE_MAX)
		return;
	pthread_mutex_lock(&s->lock);
	bucket *b = &s->b[bi];
	if (b->pending > 0 && --b->pending == 0 && b->loaded)
		unload(b);
	pthread_mutex_unlock(&s->lock);
}

/* The record of tenant `name` (its bucket loaded), or NULL; under s->lock. */
static tc_state_tenant *find_record(tc_tree_state *s, size_t bi, const char *name)
{
	bucket *b = &s->b[bi];
	if (!load_bucket(s, bi))
		return NULL;
	size_t lo = 0, hi = b->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(b->recs[mid].name, name);
		if (c == 0)
			return &b->recs[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool tc_tree_state_key(tc_tree_state *s, const char *name, const char *memo, char key[65])
{
	size_t bi = bucket_of(s, name);
	if (bi == SIZE_MAX || !memo[0])
		return false;
	pthread_mutex_lock(&s->lock);
	const tc_state_tenant *t = find_record(s, bi, name);
	bool ok = t && t->memo[0] && strcmp(t->memo, memo) == 0;
	if (ok)
		memcpy(key, t->key, 65);
	pthread_mutex_unlock(&s->lock);
	return ok;
}

tc_state_tenant *tc_tree_state_lookup(tc_tree_state *s, const char *name, const char *key)
{
	size_t bi = bucket_of(s, name);
	if (bi == SIZE_MAX)
		return NULL;
	pthread_mutex_lock(&s->lock);
	bucket *b = &s->b[bi];
	tc_state_tenant *t = find_record(s, bi, name);
	pthread_mutex_unlock(&s->lock);
	/* the bucket stays loaded while this tenant's job is pending: the
	 * files are looked at without the lock */
	if (!t || strcmp(t->key, key) != 0 || !intact(s, t))
		return NULL;
	pthread_mutex_lock(&s->lock);
	b->kept[t->index / 8] |= (unsigned char)(1u << (t->index % 8));
	b->nkept++;
	t->kept = true;
	pthread_mutex_unlock(&s->lock);
	return t;
}

static bool kept_bit(const bucket *b, size_t i)
{
	return (b->kept[i / 8] >> (i % 8)) & 1;
}

/* calls fn on the paths (or the idents) of every record the render did not
 * keep; a damaged bucket is skipped, the caller drops the state */
static void each_unkept(tc_tree_state *s, bool idents, void (*fn)(void *ud, const char *str),
                        void *ud)
{
	for (size_t i = 0; i < s->nb; i++) {
		bucket *b = &s->b[i];
		if (b->nkept == b->count)
			continue;
		bool was = b->loaded;
		if (!load_bucket(s, i))
			continue;
		for (size_t r = 0; r < b->count; r++) {
			if (kept_bit(b, r))
				continue;
			const tc_state_tenant *t = &b->recs[r];
			char *const *v = idents ? t->idents : t->paths;
			size_t n = idents ? t->nidents : t->npaths;
			for (size_t k = 0; k < n; k++)
				fn(ud, v[k]);
		}
		if (!was)
			unload(b);
	}
}

void tc_tree_state_paths(tc_tree_state *s, void (*fn)(void *ud, const char *path), void *ud)
{
	each_unkept(s, false, fn, ud);
	for (size_t i = 0; i < s->nothers; i++)
		fn(ud, s->others[i]);
}

bool tc_tree_state_damaged(const tc_tree_state *s)
{
	return s->damaged;
}

bool tc_tree_state_has_ids(const tc_tree_state *s)
{
	return s && s->shard_file;
}

bool tc_tree_state_shard_repeats(const tc_tree_state *s, size_t shard)
{
	return tc_tree_state_has_ids(s) && shard < TC_STATE_SHARDS && s->shard_repeats[shard];
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* n hex digits at p into *out; false when one is not a digit. */
static bool hex_num(const char *p, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		int d = hexval(p[i]);
		if (d < 0)
			return false;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return true;
}

/* The shard's bytes (malloc'd, *len), "" for an empty shard; NULL when
 * its file cannot be read whole. */
static char *shard_bytes(const tc_tree_state *s, size_t shard, size_t *len)
{
	*len = 0;
	if (!s->shard_file[shard][0])
		return tc_xstrdup("");
	char *path = tc_path_join(s->folder, s->shard_file[shard]);
	char *buf = slurp(path, len);
	free(path);
	if (buf && *len != s->shard_bytes[shard]) {
		free(buf);
		buf = NULL;
	}
	return buf;
}

/* Each line of a shard's bytes (changed in place) to fn; false when one
 * is not a hash and a tenant. */
static bool shard_each(char *buf, size_t len, tc_state_id_fn fn, void *ud)
{
	char *q = buf, *end = buf + len;
	while (q < end) {
		char *l = take_line(&q, end);
		uint64_t h, h2;
		if (!l || strlen(l) < 26 || l[24] != ' ' || !hex_num(l, 16, &h) ||
		    !hex_num(l + 16, 8, &h2))
			return false;
		fn(ud, h, (uint32_t)h2, l + 25);
	}
	return true;
}

bool tc_tree_state_shard(tc_tree_state *s, size_t shard, tc_state_id_fn fn, void *ud)
{
	if (!tc_tree_state_has_ids(s) || shard >= TC_STATE_SHARDS)
		return false;
	size_t len;
	char *buf = shard_bytes(s, shard, &len);
	bool ok = buf && shard_each(buf, len, fn, ud);
	free(buf);
	if (!ok)
		s->damaged = true;
	return ok;
}

void tc_tree_state_stale_idents(tc_tree_state *s, void (*fn)(void *ud, const char *ident), void *ud)
{
	each_unkept(s, true, fn, ud);
}

static bool one_line(const char *s)
{
	return !strchr(s, '\n');
}

bool tc_state_record(tc_buf *b, const tc_state_tenant *t)
{
	bool ok = one_line(t->name) && t->name[0] && strlen(t->key) == 64 &&
	          (!t->memo[0] ||
	           (strlen(t->memo) == 64 && one_line(t->memo) && !strchr(t->memo, ' ')));
	for (size_t k = 0; k < t->npaths && ok; k++)
		ok = one_line(t->paths[k]);
	for (size_t k = 0; k < t->nidents && ok; k++)
		ok = one_line(t->idents[k]);
	if (!ok)
		return false;
	tc_buf_addf(b, "%s\n%s%s%s\n%zu %d %zu %zu\n", t->name, t->key, t->memo[0] ? " " : "",
	            t->memo, t->nobjects, t->rendered ? 1 : 0, t->npaths, t->nidents);
	for (size_t k = 0; k < t->npaths; k++) {
		tc_buf_adds(b, t->paths[k]);
		tc_buf_addc(b, '\n');
	}
	for (size_t k = 0; k < t->nidents; k++) {
		tc_buf_adds(b, t->idents[k]);
		tc_buf_addc(b, '\n');
	}
	return true;
}

/* Does the bucket end after the tenant name? FNV-1a: fixed, so the cuts
 * depend on the names only. */
static bool cut_after(const char *name)
{
	uint64_t h = 14695981039346656037ull;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	return h % BUCKET_SPREAD == 0;
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The bytes of the raw bucket file bi of old (cached in *raw while the
 * records of one bucket are copied); NULL when it cannot be read. */
static const char *old_bucket(const tc_tree_state *old, uint32_t bi, char **raw, uint32_t *rawbi)
{
	if (*raw && *rawbi == bi)
		return *raw;
	free(*raw);
	*raw = NULL;
	if (!old || bi >= old->nb)
		return NULL;
	char *path = tc_path_join(old->folder, old->b[bi].file);
	size_t len = 0;
	*raw = slurp(path, &len);
	free(path);
	if (*raw && len != old->b[bi].bytes) {
		free(*raw);
		*raw = NULL;
	}
	*rawbi = bi;
	return *raw;
}

/* A new bucket of refs[0..n) into b: false when a record cannot be had. */
static bool bucket_bytes(tc_buf *b, const tc_tree_state *old, const tc_state_ref *refs, size_t n,
                         tc_spool *spool, char **raw, uint32_t *rawbi)
{
	tc_buf_adds(b, BUCKET_MAGIC);
	for (size_t i = 0; i < n; i++) {
		const tc_state_ref *r = &refs[i];
		if (r->kept) {
			const char *bytes = old_bucket(old, r->bucket, raw, rawbi);
			if (!bytes || r->off + r->len > old->b[r->bucket].bytes)
				return false;
			tc_buf_add(b, bytes + r->off, r->len);
		} else if (r->text) {
			tc_buf_add(b, r->text, r->len);
		} else {
			char *t = spool ? tc_spool_read(spool, r->off, r->len) : NULL;
			if (!t)
				return false;
			tc_buf_add(b, t, r->len);
			free(t);
		}
	}
	return !tc_buf_failed(b);
}

/* Remove what the manifest does not name: old buckets, temporary files. */
static void sweep(const char *folder, char **keep, size_t nkeep)
{
	DIR *dir = opendir(folder);
	if (!dir)
		return;
	/* no buckets (a tree without tenants): keep is NULL, which neither
	 * qsort nor bsearch may be given */
	if (nkeep)
		qsort(keep, nkeep, sizeof *keep, cmp_strp);
	struct dirent *e;
	while ((e = readdir(dir)) != NULL) {
		const char *n = e->d_name;
		if (n[0] == '.' || strcmp(n, MANIFEST) == 0)
			continue;
		if (!nkeep || !bsearch(&n, keep, nkeep, sizeof *keep, cmp_strp))
			unlinkat(dirfd(dir), n, 0);
	}
	closedir(dir);
}

/* The state folder made (and its parent), a state of version 1 in its
 * place removed. */
static void make_state_folder(const char *folder)
{
	char *parent = tc_xstrdup(folder);
	*strrchr(parent, '/') = 0;
	mkdir(parent, 0755);
	free(parent);
	struct stat st;
	if (lstat(folder, &st) == 0 && !S_ISDIR(st.st_mode))
		unlink(folder); /* version 1 */
	mkdir(folder, 0755);
}

/* A state being saved: the buckets written so far and their manifest lines. */
typedef struct saving {
	const char *folder;
	const tc_tree_state *old;
	tc_spool *spool;
	tc_buf lines, b;
	char **names;
	size_t nnames, capnames;
	char *raw; /* the old bucket read last (old_bucket) */
	uint32_t rawbi;
	size_t nbuckets;   /* of names, the buckets (the rest: the index's files) */
	char ids_name[40]; /* the index of identity hashes, "" when none */
	size_t ids_bytes;
} saving;

/* Do refs[0..n) hold all of one old bucket's tenants, all kept? */
static bool same_bucket(const tc_tree_state *old, const tc_state_ref *refs, size_t n)
{
	bool same = old && refs[0].kept && refs[0].bucket < old->nb &&
	            old->b[refs[0].bucket].count == n;
	for (size_t k = 1; same && k < n; k++)
		same = refs[k].kept && refs[k].bucket == refs[0].bucket;
	return same;
}

/* The bucket of refs[0..n): the old file again when it is all of one, else
 * a new file named by a hash of its bytes; its manifest line. */
static bool save_bucket(saving *sv, const tc_state_ref *refs, size_t n)
{
	const tc_tree_state *old = sv->old;
	bool ok = true;
	const char *file;
	size_t bytes;
	char hexname[40];
	if (same_bucket(old, refs, n)) {
		file = old->b[refs[0].bucket].file;
		bytes = old->b[refs[0].bucket].bytes;
	} else {
		tc_buf_reset(&sv->b);
		ok = bucket_bytes(&sv->b, old, refs, n, sv->spool, &sv->raw, &sv->rawbi);
		unsigned char h[16];
		crypto_generichash(h, sizeof h, (const unsigned char *)sv->b.ptr, sv->b.len, NULL,
		                   0);
		memcpy(hexname, "b-", 2);
		sodium_bin2hex(hexname + 2, sizeof hexname - 2, h, sizeof h);
		file = hexname;
		bytes = sv->b.len;
		if (ok) {
			char *bp = tc_path_join(sv->folder, file);
			ok = tc_file_write_atomic(bp, sv->b.ptr, sv->b.len, 0644, 0) == 0;
			free(bp);
		}
	}
	TC_GROW(sv->names, sv->capnames, sv->nnames + 1);
	sv->names[sv->nnames++] = tc_xstrdup(file);
	sv->nbuckets++;
	tc_buf_addf(&sv->lines, "%s %zu %zu %s\n", file, n, bytes, refs[0].name);
	return ok && one_line(refs[0].name);
}

/* The manifest naming the buckets and the other paths: the commit point
 * of the new state. */
static bool save_manifest(const saving *sv, const char *id, const char *const *others,
                          size_t nothers)
{
	tc_buf m;
	tc_buf_init(&m, TC_BUF_UNLIMITED);
	tc_buf_adds(&m, STATE_MAGIC);
	tc_buf_addf(&m, "dir %s\nbuckets %zu others %zu\n", id, sv->nbuckets, nothers);
	tc_buf_add(&m, sv->lines.ptr ? sv->lines.ptr : "", sv->lines.len);
	for (size_t i = 0; i < nothers; i++) {
		tc_buf_adds(&m, others[i]);
		tc_buf_addc(&m, '\n');
	}
	if (sv->ids_name[0])
		tc_buf_addf(&m, "ids %s %zu\n", sv->ids_name, sv->ids_bytes);
	char *mp = tc_path_join(sv->folder, MANIFEST);
	bool ok = !tc_buf_failed(&m) && tc_file_write_atomic(mp, m.ptr, m.len, 0644, 0) == 0;
	free(mp);
	tc_buf_release(&m);
	return ok;
}

/* ---- saving the index of identity hashes ---- */

static size_t shard_of(uint64_t h)
{
	return (size_t)(h >> (64 - TC_STATE_SHARD_BITS));
}

/* A hash of a shard being made, with its tenant's name. */
typedef struct named_id {
	uint64_t h;
	uint32_t h2;
	const char *tenant;
} named_id;

static int cmp_id(const void *x, const void *y)
{
	const named_id *a = x, *b = y;
	if (a->h != b->h)
		return a->h < b->h ? -1 : 1;
	if (a->h2 != b->h2)
		return a->h2 < b->h2 ? -1 : 1;
	return strcmp(a->tenant, b->tenant);
}

static int cmp_ref_name(const void *key, const void *elem)
{
	return strcmp(key, ((const tc_state_ref *)elem)->name);
}

/* A shard's hashes as they are gathered (tenant names borrowed). */
typedef struct id_list {
	named_id *v;
	size_t n, cap;
	const tc_state_ref *refs; /* the new state's tenants, in name order */
	size_t nrefs;
} id_list;

/* An old entry stays when its tenant was kept: its objects are the same. */
static void keep_if_kept(void *ud, uint64_t h, uint32_t h2, const char *tenant)
{
	id_list *l = ud;
	const tc_state_ref *r =
		l->nrefs ? bsearch(tenant, l->refs, l->nrefs, sizeof *l->refs, cmp_ref_name) : NULL;
	if (!r || !r->kept)
		return;
	TC_GROW(l->v, l->cap, l->n + 1);
	l->v[l->n++] = (named_id){h, h2, tenant};
}

/* The shard file of l's hashes (sorted here) into the folder, unless a
 * file of those bytes is there: its name ("" when empty) and size, and
 * whether a hash repeats. */
static bool write_shard(const char *folder, id_list *l, char name[40], size_t *bytes, bool *repeats)
{
	*repeats = false;
	*bytes = 0;
	name[0] = 0;
	if (!l->n)
		return true;
	qsort(l->v, l->n, sizeof *l->v, cmp_id);
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	for (size_t i = 0; i < l->n; i++) {
		if (i && l->v[i].h == l->v[i - 1].h && l->v[i].h2 == l->v[i - 1].h2)
			*repeats = true;
		tc_buf_addf(&b, "%016llx%08lx %s\n", (unsigned long long)l->v[i].h,
		            (unsigned long)l->v[i].h2, l->v[i].tenant);
	}
	unsigned char h[16];
	crypto_generichash(h, sizeof h, (const unsigned char *)b.ptr, b.len, NULL, 0);
	memcpy(name, "i-", 2);
	sodium_bin2hex(name + 2, 38, h, sizeof h);
	*bytes = b.len;
	char *path = tc_path_join(folder, name);
	struct stat st;
	bool ok = !tc_buf_failed(&b) &&
	          ((lstat(path, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == b.len) ||
	           tc_file_write_atomic(path, b.ptr, b.len, 0644, 0) == 0);
	free(path);
	tc_buf_release(&b);
	return ok;
}

/* Shard k of the new index: the old one when nothing in it changed, else
 * the kept tenants' old hashes and the new ones; its line into idx. */
static bool save_shard(saving *sv, const tc_state_ids *ids, size_t k, size_t *at,
                       const tc_state_ref *refs, size_t nrefs, tc_buf *idx)
{
	const tc_tree_state *old = sv->old;
	bool incremental = ids->dirty && tc_tree_state_has_ids(old);
	size_t from = *at;
	while (*at < ids->n && shard_of(ids->items[*at].h) == k)
		(*at)++;
	if (incremental && !(ids->dirty[k / 8] >> (k % 8) & 1)) {
		const char *f = old->shard_file[k];
		tc_buf_addf(idx, "%s %zu %d\n", f[0] ? f : "-", old->shard_bytes[k],
		            old->shard_repeats[k]);
		if (f[0]) {
			TC_GROW(sv->names, sv->capnames, sv->nnames + 1);
			sv->names[sv->nnames++] = tc_xstrdup(f);
		}
		return true;
	}
	id_list l = {.refs = refs, .nrefs = nrefs};
	char *buf = NULL;
	size_t len = 0;
	bool ok = true;
	if (incremental) {
		buf = shard_bytes(old, k, &len);
		ok = buf && shard_each(buf, len, keep_if_kept, &l);
	}
	for (size_t i = from; ok && i < *at; i++) {
		const tc_state_id *e = &ids->items[i];
		TC_GROW(l.v, l.cap, l.n + 1);
		l.v[l.n++] = (named_id){e->h, e->h2, ids->names[e->job]};
	}
	char name[40];
	size_t bytes = 0;
	bool repeats = false;
	ok = ok && write_shard(sv->folder, &l, name, &bytes, &repeats);
	free(l.v);
	free(buf);
	tc_buf_addf(idx, "%s %zu %d\n", name[0] ? name : "-", bytes, repeats ? 1 : 0);
	if (name[0]) {
		TC_GROW(sv->names, sv->capnames, sv->nnames + 1);
		sv->names[sv->nnames++] = tc_xstrdup(name);
	}
	return ok;
}

/* The index of identity hashes: its shards, then the x- file naming them
 * (into sv->ids_line for the manifest). */
static bool save_ids(saving *sv, const tc_state_ids *ids, const tc_state_ref *refs, size_t n)
{
	tc_buf idx;
	tc_buf_init(&idx, TC_BUF_UNLIMITED);
	tc_buf_adds(&idx, IDS_MAGIC);
	bool ok = true;
	size_t at = 0;
	for (size_t k = 0; ok && k < TC_STATE_SHARDS; k++)
		ok = save_shard(sv, ids, k, &at, refs, n, &idx);
	ok = ok && at == ids->n && !tc_buf_failed(&idx);
	if (ok) {
		unsigned char h[16];
		crypto_generichash(h, sizeof h, (const unsigned char *)idx.ptr, idx.len, NULL, 0);
		memcpy(sv->ids_name, "x-", 2);
		sodium_bin2hex(sv->ids_name + 2, sizeof sv->ids_name - 2, h, sizeof h);
		sv->ids_bytes = idx.len;
		char *path = tc_path_join(sv->folder, sv->ids_name);
		ok = (sv->old && sv->old->ids_file &&
		      strcmp(sv->old->ids_file, sv->ids_name) == 0) ||
		     tc_file_write_atomic(path, idx.ptr, idx.len, 0644, 0) == 0;
		free(path);
		TC_GROW(sv->names, sv->capnames, sv->nnames + 1);
		sv->names[sv->nnames++] = tc_xstrdup(sv->ids_name);
	}
	tc_buf_release(&idx);
	return ok;
}

void tc_tree_state_save(const tc_cache *c, const char *dir, const tc_tree_state *old,
                        const tc_state_ref *refs, size_t n, tc_spool *spool,
                        const char *const *others, size_t nothers, const tc_state_ids *ids)
{
	char id[64];
	char *folder = state_path(c, dir, id);
	if (!folder)
		return;
	bool ok = true;
	for (size_t i = 0; i < nothers && ok; i++)
		ok = one_line(others[i]);
	if (!ok) {
		free(folder);
		return;
	}
	make_state_folder(folder);
	saving sv = {.folder = folder, .old = old, .spool = spool};
	tc_buf_init(&sv.lines, TC_BUF_UNLIMITED);
	tc_buf_init(&sv.b, TC_BUF_UNLIMITED);
	for (size_t i = 0; i < n && ok;) {
		size_t j = i;
		while (j + 1 < n && !cut_after(refs[j].name))
			j++;
		ok = save_bucket(&sv, refs + i, j - i + 1);
		i = j + 1;
	}
	free(sv.raw);
	tc_buf_release(&sv.b);
	/* without an index (or should it fail) the next render hashes again */
	if (ok && ids && !save_ids(&sv, ids, refs, n))
		sv.ids_name[0] = 0;
	if (ok && save_manifest(&sv, id, others, nothers))
		sweep(folder, sv.names, sv.nnames);
	free_strs(sv.names, sv.nnames);
	tc_buf_release(&sv.lines);
	free(folder);
}

void tc_tree_state_drop(const tc_cache *c, const char *dir)
{
	char id[64];
	char *folder = state_path(c, dir, id);
	if (folder)
		tc_remove_tree(folder);
	free(folder);
}
