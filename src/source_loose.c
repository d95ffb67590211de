/*
 * source_loose.c - a reader of loose git objects whose inflate cannot spin
 * (see source_loose.h); the one place tenantc calls zlib.
 */
#include "source_loose.h"

#include "arena.h"
#include "fsutil.h"
#include "source.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <git2/sys/odb_backend.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* the longest "<type> <size>\0" header read (git allows 32 bytes) */
#define HEADER_MAX 64
/* deflate's best ratio is about 1032:1: a file of n bytes cannot hold more
 * than this many; a header that says more is damaged, not a reason to
 * allocate what it says */
#define INFLATED_MAX(n) ((n) > (SIZE_MAX - HEADER_MAX) / 1032 ? SIZE_MAX : (n)*1032 + HEADER_MAX)
/* loose files larger than this are not read (tenantc reads no object
 * near this size: files are at most TC_SOURCE_MAX_FILE) */
#define FILE_MAX (4 * TC_SOURCE_MAX_FILE)

typedef struct loose {
	git_odb_backend parent; /* first: libgit2 passes &parent */
	char *dir;              /* the objects folder */
} loose;

static int damaged(const char *fmt, const char *detail)
{
	char msg[256];
	snprintf(msg, sizeof msg, fmt, detail);
	git_error_set_str(GIT_ERROR_ZLIB, msg);
	return -1;
}

/* Inflate from z into out[0..want) until that is full or the stream ends
 * (*end). zlib answers Z_BUF_ERROR when it can make no progress: with all
 * of the file given as input and room left for output, that means the
 * stream stops before its end, and is an error here, never a retry. */
static int pump(z_stream *z, unsigned char *out, size_t want, size_t *got, bool *end)
{
	z->next_out = out;
	z->avail_out = (uInt)want;
	*end = false;
	while (z->avail_out > 0) {
		uInt in = z->avail_in, room = z->avail_out;
		int r = inflate(z, Z_NO_FLUSH);
		if (r == Z_STREAM_END) {
			*end = true;
			break;
		}
		if (r == Z_MEM_ERROR) {
			git_error_set_oom();
			return -1;
		}
		if (r != Z_OK && r != Z_BUF_ERROR) {
			*got = want - z->avail_out;
			return damaged("damaged loose object: %s",
			               z->msg ? z->msg : "bad zlib data");
		}
		if (z->avail_in == in && z->avail_out == room) {
			*got = want - z->avail_out;
			return damaged("damaged loose object: %s", "the zlib stream ends early");
		}
	}
	*got = want - z->avail_out;
	return 0;
}

/* "<type> <size>\0" at the start of h[0..n): 0 with *type, *size, *used */
static int header(const unsigned char *h, size_t n, git_object_t *type, size_t *size, size_t *used)
{
	const unsigned char *sp = memchr(h, ' ', n);
	const unsigned char *nul = sp ? memchr(sp, 0, n - (size_t)(sp - h)) : NULL;
	if (!nul || sp == h || nul == sp + 1)
		return damaged("damaged loose object: %s", "no object header");
	char name[16];
	size_t k = (size_t)(sp - h);
	if (k >= sizeof name)
		return damaged("damaged loose object: %s", "unknown object type");
	memcpy(name, h, k);
	name[k] = 0;
	*type = git_object_string2type(name);
	if (!git_object_typeisloose(*type)) {
		/* named only when it is a word: the bytes are the file's */
		bool word = true;
		for (size_t i = 0; i < k; i++)
			word = word && name[i] >= 'a' && name[i] <= 'z';
		return damaged(word ? "damaged loose object: unknown object type '%s'"
		                    : "damaged loose object: unknown object type%s",
		               word ? name : "");
	}
	size_t v = 0;
	for (const unsigned char *p = sp + 1; p < nul; p++) {
		if (*p < '0' || *p > '9' || v > (SIZE_MAX - 9) / 10)
			return damaged("damaged loose object: %s", "bad object size");
		v = v * 10 + (size_t)(*p - '0');
	}
	*size = v;
	*used = (size_t)(nul - h) + 1;
	return 0;
}

/* An inflate of the n bytes at file (at most UINT_MAX); -1 with an error
 * set when zlib has no memory for it. */
static int start(z_stream *z, const void *file, size_t n)
{
	memset(z, 0, sizeof *z);
	z->next_in = (Bytef *)file;
	z->avail_in = (uInt)n;
	if (inflateInit(z) != Z_OK) {
		git_error_set_oom();
		return -1;
	}
	return 0;
}

/* The rest of a body of size bytes, of which have are in body already
 * (end: the stream ended with them); then nothing may follow. */
static int inflate_rest(z_stream *z, unsigned char *body, size_t have, size_t size, bool end)
{
	size_t got = 0;
	if (!end && have < size) {
		if (pump(z, body + have, size - have, &got, &end) < 0)
			return -1;
		have += got;
	}
	if (!end) { /* the body is full: only the stream's end may follow */
		unsigned char one;
		if (pump(z, &one, 1, &got, &end) < 0)
			return -1;
		if (got > 0)
			return damaged("damaged loose object: %s",
			               "more bytes than its header says");
	}
	if (have != size)
		return damaged("damaged loose object: %s", "fewer bytes than its header says");
	if (z->avail_in > 0)
		return damaged("damaged loose object: %s",
		               "bytes after the end of its zlib stream");
	return 0;
}

static int inflate_file(void **out, size_t *len, git_object_t *type, const void *file, size_t n,
                        git_odb_backend *be)
{
	*out = NULL;
	z_stream z;
	if (n > UINT_MAX)
		return damaged("damaged loose object: %s", "file too large");
	if (start(&z, file, n) < 0)
		return -1;
	unsigned char head[HEADER_MAX];
	unsigned char *body = NULL;
	size_t got = 0, size = 0, used = 0;
	bool end = false;
	int r = -1;
	if (pump(&z, head, sizeof head, &got, &end) < 0 ||
	    header(head, got, type, &size, &used) < 0)
		goto done;
	if (size > INFLATED_MAX(n) || size > UINT_MAX) {
		damaged("damaged loose object: %s", "its header says more bytes than it holds");
		goto done;
	}
	body = be ? git_odb_backend_data_alloc(be, size + 1) : malloc(size + 1);
	if (!body) {
		git_error_set_oom();
		goto done;
	}
	size_t have = got - used;
	if (have > size) {
		damaged("damaged loose object: %s", "more bytes than its header says");
		goto done;
	}
	memcpy(body, head + used, have);
	if (inflate_rest(&z, body, have, size, end) < 0)
		goto done;
	body[size] = 0;
	*out = body;
	*len = size;
	body = NULL;
	r = 0;
done:
	inflateEnd(&z);
	if (body && !be)
		free(body);
	else if (body)
		git_odb_backend_data_free(be, body);
	return r;
}

/* The type and size of a loose object from the first n bytes of its file
 * of total bytes (libgit2 reads headers from the first 1024 bytes too). */
static int inflate_header(git_object_t *type, size_t *size, const void *file, size_t n,
                          size_t total)
{
	z_stream z;
	if (start(&z, file, n) < 0)
		return -1;
	unsigned char head[HEADER_MAX];
	size_t got = 0, used = 0;
	bool end = false;
	int r = pump(&z, head, sizeof head, &got, &end);
	inflateEnd(&z);
	/* a stream cut short here may just be the part not read */
	if (r < 0 && (n == total || !memchr(head, 0, got)))
		return -1;
	git_error_clear();
	if (header(head, got, type, size, &used) < 0)
		return -1;
	if (*size > INFLATED_MAX(total) || *size > UINT_MAX)
		return damaged("damaged loose object: %s",
		               "its header says more bytes than it holds");
	return 0;
}

int tc_source_loose_inflate(void **out, size_t *len, git_object_t *type, const void *file, size_t n)
{
	git_error_clear();
	return inflate_file(out, len, type, file, n, NULL);
}

static char *file_of(loose *l, const git_oid *id, char hex[GIT_OID_HEXSZ + 1])
{
	char name[3 + GIT_OID_HEXSZ];
	git_oid_tostr(hex, GIT_OID_HEXSZ + 1, id);
	snprintf(name, sizeof name, "%.2s/%s", hex, hex + 2);
	return tc_path_join(l->dir, name);
}

/* the loose file of id: 0 with its bytes, 1 when there is none */
static int load(loose *l, const git_oid *id, char **data, size_t *n)
{
	char hex[GIT_OID_HEXSZ + 1];
	char *path = file_of(l, id, hex);
	tc_file_err e;
	int r = tc_file_read(data, n, path, FILE_MAX, TC_FILE_REGULAR, &e);
	free(path);
	if (r == 0)
		return 0;
	if (e.why == TC_FILE_OPEN && (e.err == ENOENT || e.err == ENOTDIR))
		return 1;
	if (e.why == TC_FILE_TOOBIG)
		return damaged("loose object %s is too large to read", hex);
	if (e.why == TC_FILE_SPECIAL)
		return damaged("loose object %s is not a regular file", hex);
	git_error_set_str(GIT_ERROR_OS, strerror(e.err));
	return -1;
}

static int read_loose(void **out, size_t *len, git_object_t *type, git_odb_backend *be,
                      const git_oid *id)
{
	loose *l = (loose *)be;
	char *file = NULL;
	size_t n = 0;
	int r = load(l, id, &file, &n);
	if (r != 0)
		return r > 0 ? GIT_PASSTHROUGH : -1;
	r = inflate_file(out, len, type, file, n, be);
	free(file);
	return r;
}

/* Without this, libgit2 would read a whole object where it wants a header
 * whenever no loose file exists (a packed or a missing object). */
static int read_loose_header(size_t *len, git_object_t *type, git_odb_backend *be,
                             const git_oid *id)
{
	char hex[GIT_OID_HEXSZ + 1];
	char *path = file_of((loose *)be, id, hex);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	free(path);
	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
		return GIT_ENOTFOUND;
	struct stat st;
	unsigned char buf[1024];
	size_t n = 0;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    tc_fd_read(fd, buf, sizeof buf, &n) < 0) {
		int err = errno;
		if (fd >= 0)
			close(fd);
		if (fd >= 0 && !S_ISREG(st.st_mode))
			return damaged("loose object %s is not a regular file", hex);
		git_error_set_str(GIT_ERROR_OS, strerror(err));
		return -1;
	}
	close(fd);
	size_t total = (size_t)st.st_size > n ? (size_t)st.st_size : n;
	return inflate_header(type, len, buf, n, total);
}

/* A short id: libgit2's loose reader would inflate the one file it
 * matches, so that file is checked here first; the object itself is left
 * to libgit2 (which also tells an ambiguous prefix). */
static int read_loose_prefix(git_oid *full, void **out, size_t *len, git_object_t *type,
                             git_odb_backend *be, const git_oid *short_id, size_t hexlen)
{
	if (hexlen >= GIT_OID_HEXSZ) {
		int r = read_loose(out, len, type, be, short_id);
		if (r == 0)
			git_oid_cpy(full, short_id);
		return r;
	}
	loose *l = (loose *)be;
	char hex[GIT_OID_HEXSZ + 1], sub[3];
	git_oid_tostr(hex, sizeof hex, short_id);
	snprintf(sub, sizeof sub, "%.2s", hex);
	char *dir = tc_path_join(l->dir, sub);
	DIR *dh = hexlen >= 2 ? opendir(dir) : NULL;
	free(dir);
	if (!dh)
		return GIT_PASSTHROUGH;
	int matches = 0;
	git_oid match;
	struct dirent *de;
	while ((de = readdir(dh)) != NULL && matches < 2) {
		char want[GIT_OID_HEXSZ + 1];
		if (strlen(de->d_name) != GIT_OID_HEXSZ - 2 ||
		    strncmp(de->d_name, hex + 2, hexlen - 2) != 0)
			continue;
		snprintf(want, sizeof want, "%s%s", sub, de->d_name);
		if (git_oid_fromstr(&match, want) == 0)
			matches++;
		else
			git_error_clear();
	}
	closedir(dh);
	if (matches != 1)
		return GIT_PASSTHROUGH;
	void *data = NULL;
	size_t n = 0;
	git_object_t t;
	int r = read_loose(&data, &n, &t, be, &match);
	if (data)
		git_odb_backend_data_free(be, data);
	return r == 0 ? GIT_PASSTHROUGH : r;
}

static void free_loose(git_odb_backend *be)
{
	loose *l = (loose *)be;
	free(l->dir);
	free(l);
}

/* One reader for the loose objects of dir, asked before libgit2's
 * backends of the same odb (libgit2's pack backend has priority 2 and its
 * loose one 1, and backends added as alternates come after every other:
 * higher priorities are asked first). */
static int add_reader(git_odb *odb, const char *dir, int priority)
{
	loose *l = tc_xcalloc(1, sizeof *l);
	if (git_odb_init_backend(&l->parent, GIT_ODB_BACKEND_VERSION) < 0) {
		free(l);
		return -1;
	}
	l->dir = tc_xstrdup(dir);
	l->parent.read = read_loose;
	l->parent.read_prefix = read_loose_prefix;
	l->parent.read_header = read_loose_header;
	l->parent.free = free_loose;
	if (git_odb_add_backend(odb, &l->parent, priority) < 0) {
		free_loose(&l->parent);
		return -1;
	}
	return 0;
}

/* ---- alternates ---------------------------------------------------------------------------- */

/* A repository's objects/info/alternates names other object folders that
 * libgit2 reads objects from as well, loose ones included; each gets a
 * reader here, so that a damaged loose object in an alternate cannot make
 * libgit2's reader spin either. The readers must cover every folder
 * libgit2 reads, so the entries are taken as libgit2 1.5 takes them (lines
 * split at CR and LF, empty lines and '#' lines skipped, a relative entry
 * of the repository's own file joined to its objects folder, libgit2 only
 * does that for entries that start with '.'), and what libgit2 and git
 * would read from different places is refused:
 * - a relative entry that does not start with '.' (git: relative to the
 *   objects folder; libgit2: to the working directory), and a relative
 *   entry in an alternate's own file (git: relative to that folder, older
 *   git ignored it; libgit2: to the working directory);
 * - an entry whose ".." would climb above the root (git's
 *   strbuf_normalize_path refuses it: "unable to normalize alternate
 *   object path");
 * - alternates nested deeper than git and libgit2 follow them (5: git's
 *   link_alt_odb_entries, "nesting too deep", which git reports and
 *   libgit2 skips silently).
 * A folder that does not exist is skipped, as both do. Each folder is read
 * once, by its real path (git's alt_odb_usable skips a repeated folder and
 * the repository's own), so a cycle of alternates ends. All of it is bad
 * input: GIT_ERROR_ODB. */

/* the deepest alternates file that git and libgit2 read */
#define ALT_DEPTH_MAX 5
/* an alternates file is a short list of folders */
#define ALT_FILE_MAX ((size_t)64 << 10)
/* object folders read in all, the repository's own included */
#define ALT_STORES_MAX 64

typedef struct alts {
	git_odb *odb;
	char *dirs[ALT_STORES_MAX]; /* real paths of the folders read; [0] the repository's */
	size_t n;
} alts;

__attribute__((format(printf, 1, 2))) static int alt_fail(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	git_error_set_str(GIT_ERROR_ODB, msg);
	return -1;
}

/* Would rel, taken from the absolute folder base, climb above "/"? */
static bool climbs(const char *base, const char *rel)
{
	size_t depth = 0;
	for (const char *p = base; *p;) {
		const char *e = strchrnul(p, '/');
		if (e > p && !(e - p == 1 && *p == '.'))
			depth++;
		p = *e ? e + 1 : e;
	}
	for (const char *p = rel; *p;) {
		const char *e = strchrnul(p, '/');
		if (e - p == 2 && p[0] == '.' && p[1] == '.') {
			if (depth == 0)
				return true;
			depth--;
		} else if (e > p && !(e - p == 1 && *p == '.')) {
			depth++;
		}
		p = *e ? e + 1 : e;
	}
	return false;
}

static int read_alternates(alts *A, const char *dir, int depth);

/* One entry of the alternates file `file` of the object folder dir (a
 * real path), read at depth. */
static int follow(alts *A, const char *dir, const char *file, const char *entry, int depth)
{
	if (depth > ALT_DEPTH_MAX)
		return alt_fail("'%s' nests alternates more than %d deep ('%s')", file,
		                ALT_DEPTH_MAX, entry);
	char *path;
	if (entry[0] == '/') {
		path = tc_xstrdup(entry);
	} else if (depth > 0) {
		return alt_fail("alternate '%s' in '%s' is a relative path: only the "
		                "repository's own alternates may be relative",
		                entry, file);
	} else if (entry[0] != '.') {
		return alt_fail("alternate '%s' in '%s' is a relative path that does not start "
		                "with '.' (write './%s' for a folder relative to the objects "
		                "folder)",
		                entry, file, entry);
	} else if (climbs(dir, entry)) {
		return alt_fail("alternate '%s' in '%s' climbs above the root folder", entry, file);
	} else {
		path = tc_path_join(dir, entry);
	}
	char *real = realpath(path, NULL);
	free(path);
	struct stat st;
	if (!real || stat(real, &st) != 0 || !S_ISDIR(st.st_mode)) {
		free(real); /* nothing to read there, for libgit2 either */
		return 0;
	}
	for (size_t i = 0; i < A->n; i++)
		if (strcmp(A->dirs[i], real) == 0) {
			free(real);
			return 0;
		}
	if (A->n == ALT_STORES_MAX) {
		free(real);
		return alt_fail("'%s' makes the repository read more than %d object folders", file,
		                ALT_STORES_MAX);
	}
	A->dirs[A->n++] = real;
	/* in the order they are found, after the repository's own reader */
	if (add_reader(A->odb, real, 100 - (int)A->n) < 0)
		return -1;
	return read_alternates(A, real, depth + 1);
}

/* The alternates file of the object folder dir (a real path), if any. */
static int read_alternates(alts *A, const char *dir, int depth)
{
	char *file = tc_path_join(dir, "info/alternates");
	char *text = NULL;
	size_t n = 0;
	tc_file_err e;
	int r = tc_file_read(&text, &n, file, ALT_FILE_MAX, TC_FILE_REGULAR, &e);
	if (r != 0) {
		if (e.why == TC_FILE_OPEN && (e.err == ENOENT || e.err == ENOTDIR))
			r = 0;
		else if (e.why == TC_FILE_TOOBIG)
			r = alt_fail("'%s' is larger than %zu KiB", file, ALT_FILE_MAX >> 10);
		else if (e.why == TC_FILE_SPECIAL)
			r = alt_fail("'%s' is not a regular file", file);
		else
			r = alt_fail("cannot read '%s': %s", file, strerror(e.err));
		free(file);
		return r;
	}
	if (memchr(text, 0, n))
		r = alt_fail("'%s' holds a NUL byte", file);
	for (char *p = text; r == 0 && *p;) {
		char *end = p + strcspn(p, "\r\n");
		char c = *end;
		*end = 0;
		if (*p && *p != '#')
			r = follow(A, dir, file, p, depth);
		p = c ? end + 1 : end;
	}
	free(text);
	free(file);
	return r;
}

int tc_source_loose_add(git_odb *odb, const char *objects_dir)
{
	if (add_reader(odb, objects_dir, 100) < 0)
		return -1;
	alts A = {.odb = odb, .n = 1};
	A.dirs[0] = realpath(objects_dir, NULL);
	if (!A.dirs[0])
		A.dirs[0] = tc_xstrdup(objects_dir);
	int r = read_alternates(&A, A.dirs[0], 0);
	for (size_t i = 0; i < A.n; i++)
		free(A.dirs[i]);
	return r;
}
