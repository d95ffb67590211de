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

#include <errno.h>
#include <fcntl.h>
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

/* Create a new file beside path under a unique temporary name (never
 * output); *fd is -1 when it could not be made. Returns the name. */
static char *open_temp(const char *path, int *fd)
{
	size_t tn = strlen(path) + 32;
	char *tmp = tc_xmalloc(tn);
	unsigned char rnd[8];
	randombytes_buf(rnd, sizeof rnd);
	snprintf(tmp, tn, "%s.tmp-%02x%02x%02x%02x%02x%02x%02x%02x", path, rnd[0], rnd[1], rnd[2],
	         rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	*fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	return tmp;
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

#define STATE_MAGIC "tenantc-state 1\n"
/* The state file is written through a buffer of this size. */
#define STATE_BUF ((size_t)1 << 20)

struct tc_tree_state {
	tc_state_tenant *tenants; /* sorted by name */
	size_t n;
	char **others;
	size_t nothers;
	char *dir;             /* the tree it describes */
	int dirfd;             /* dir, opened (O_PATH); -1: it could not be */
	struct timespec saved; /* the state file's mtime: no file of the tree is newer */
};

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

void tc_tree_state_free(tc_tree_state *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->tenants[i].name);
		free_strs(s->tenants[i].paths, s->tenants[i].npaths);
		free_strs(s->tenants[i].idents, s->tenants[i].nidents);
	}
	free(s->tenants);
	free_strs(s->others, s->nothers);
	free(s->dir);
	if (s->dirfd >= 0)
		close(s->dirfd);
	free(s);
}

/* One line: the text up to '\n' (which must be there). */
static char *line(const char **p, const char *lim)
{
	const char *nl = memchr(*p, '\n', (size_t)(lim - *p));
	if (!nl)
		return NULL;
	char *s = tc_xmemdup0(*p, (size_t)(nl - *p));
	*p = nl + 1;
	return s;
}

static bool strs(const char **p, const char *lim, size_t n, char ***out)
{
	*out = n ? tc_xcalloc(n, sizeof **out) : NULL;
	for (size_t i = 0; i < n; i++)
		if (!((*out)[i] = line(p, lim)))
			return false;
	return true;
}

/* One tenant's record: name, key, counts, paths and identities. */
static bool load_tenant(const char **p, const char *lim, tc_state_tenant *t)
{
	size_t np, ni, nobj, rend;
	char *name = line(p, lim);
	char *key = line(p, lim);
	bool ok = name && key && strlen(key) == 64 && num(p, lim, &nobj, ' ') &&
	          num(p, lim, &rend, ' ') && num(p, lim, &np, ' ') && num(p, lim, &ni, '\n');
	t->name = name;
	if (key)
		memcpy(t->key, key, strlen(key) == 64 ? 65 : 1);
	free(key);
	if (!ok)
		return false;
	t->nobjects = nobj;
	t->rendered = rend != 0;
	ok = strs(p, lim, np, &t->paths);
	t->npaths = np;
	ok = ok && strs(p, lim, ni, &t->idents);
	t->nidents = ni;
	return ok;
}

tc_tree_state *tc_tree_state_load(const tc_cache *c, const char *dir)
{
	char id[64];
	char *path = state_path(c, dir, id);
	if (!path)
		return NULL;
	size_t len;
	struct stat sst;
	char *buf = stat(path, &sst) == 0 ? slurp(path, &len) : NULL;
	free(path);
	if (!buf)
		return NULL;
	tc_tree_state *s = tc_xcalloc(1, sizeof *s);
	s->dir = tc_xstrdup(dir);
	s->dirfd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	s->saved = sst.st_mtim;
	const char *p = buf, *lim = buf + len;
	size_t nt = 0, no = 0;
	bool ok = word(&p, lim, STATE_MAGIC) && word(&p, lim, "dir ") && word(&p, lim, id) &&
	          word(&p, lim, "\ntenants ") && num(&p, lim, &nt, ' ') &&
	          word(&p, lim, "others ") && num(&p, lim, &no, '\n');
	if (ok) {
		s->tenants = tc_xcalloc(nt ? nt : 1, sizeof *s->tenants);
		for (size_t i = 0; ok && i < nt; i++) {
			tc_state_tenant *t = &s->tenants[s->n++];
			ok = load_tenant(&p, lim, t) &&
			     /* sorted, for the lookup */
			     (i == 0 || strcmp(s->tenants[i - 1].name, t->name) < 0);
		}
		ok = ok && strs(&p, lim, no, &s->others);
		s->nothers = no;
		ok = ok && p == lim;
	}
	free(buf);
	if (!ok) {
		tc_tree_state_free(s);
		return NULL;
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

tc_state_tenant *tc_tree_state_lookup(tc_tree_state *s, const char *name, const char *key)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->tenants[mid].name, name);
		if (c == 0)
			return strcmp(s->tenants[mid].key, key) == 0 && intact(s, &s->tenants[mid])
			               ? &s->tenants[mid]
			               : NULL;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void tc_tree_state_paths(const tc_tree_state *s, void (*fn)(void *ud, const char *path), void *ud)
{
	for (size_t i = 0; i < s->n; i++)
		for (size_t k = 0; !s->tenants[i].kept && k < s->tenants[i].npaths; k++)
			fn(ud, s->tenants[i].paths[k]);
	for (size_t i = 0; i < s->nothers; i++)
		fn(ud, s->others[i]);
}

static bool one_line(const char *s)
{
	return !strchr(s, '\n');
}

/* A record the state file can hold: one line per string. */
static bool savable(const tc_state_tenant *t)
{
	bool ok = one_line(t->name) && strlen(t->key) == 64;
	for (size_t k = 0; k < t->npaths && ok; k++)
		ok = one_line(t->paths[k]);
	for (size_t k = 0; k < t->nidents && ok; k++)
		ok = one_line(t->idents[k]);
	return ok;
}

static void put_lines(FILE *f, const char *const *v, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		fputs(v[k], f);
		putc('\n', f);
	}
}

void tc_tree_state_save(const tc_cache *c, const char *dir, const tc_state_tenant *const *tenants,
                        size_t ntenants, const char *const *others, size_t nothers)
{
	char id[64];
	char *path = state_path(c, dir, id);
	if (!path)
		return;
	/* a state of 10,000 tenants is tens of megabytes: checked first, then
	 * written through stdio into a temporary file that replaces the old */
	bool ok = true;
	for (size_t i = 0; i < ntenants && ok; i++)
		ok = savable(tenants[i]);
	for (size_t i = 0; i < nothers && ok; i++)
		ok = one_line(others[i]);
	if (!ok) {
		free(path);
		return;
	}
	char *slash = strrchr(path, '/');
	*slash = 0;
	mkdir(path, 0755);
	*slash = '/';
	int fd;
	char *tmp = open_temp(path, &fd);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		free(tmp);
		free(path);
		return;
	}
	/* stdio's own buffer would make one write of every 4 KiB */
	char *obuf = tc_xmalloc(STATE_BUF);
	setvbuf(f, obuf, _IOFBF, STATE_BUF);
	fputs(STATE_MAGIC, f);
	fprintf(f, "dir %s\ntenants %zu others %zu\n", id, ntenants, nothers);
	for (size_t i = 0; i < ntenants; i++) {
		const tc_state_tenant *t = tenants[i];
		fprintf(f, "%s\n%s\n%zu %d %zu %zu\n", t->name, t->key, t->nobjects,
		        t->rendered ? 1 : 0, t->npaths, t->nidents);
		put_lines(f, (const char *const *)t->paths, t->npaths);
		put_lines(f, (const char *const *)t->idents, t->nidents);
	}
	put_lines(f, others, nothers);
	bool failed = ferror(f) != 0;
	if (fclose(f) != 0 || failed || rename(tmp, path) != 0)
		unlink(tmp);
	free(obuf);
	free(tmp);
	free(path);
}
