/*
 * cmd_merge.c - `tenantc merge [--move] --out DIR SHARD...`: assemble the
 * trees of `render --shard I/N --out SHARD` runs into the tree one
 * unsharded render writes.
 *
 * Every file of every shard is taken as is; a file present in several
 * shards (the cluster objects every shard renders) must have the same bytes
 * everywhere. The index kustomizations of each environment are made again
 * from the union, so the result is byte-identical to an unsharded render.
 * The output is written aside and swapped in like render's.
 *
 * The merge costs what copying the files costs, and holds only their
 * paths: the shards are listed first (folder by folder, the file type from
 * the listing, no stat per file), the paths sorted, the files several
 * shards hold compared, and only then is anything written. Each file is
 * then copied through one buffer, opened relative to its folder's
 * descriptor, which is kept while the files of one folder follow each
 * other in path order. With --move the shards are used up instead: a
 * folder whose every file comes from one shard (a tenant's folder) is
 * renamed into the new tree whole, other files one by one; a shard on
 * another file system than the output is copied. Nothing is moved before
 * every check passed, so a refused merge leaves the shards as they were.
 */
#include "cmd.h"

#include "arena.h"
#include "diag.h"
#include "fsutil.h"
#include "opt.h"
#include "outdir.h"
#include "output.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A rendered file is small; this bounds what comparing two copies of a
 * file several shards hold reads at once. */
#define MERGE_FILE_MAX ((size_t)16 * 1024 * 1024)
/* A rendered tree is four folders deep; this bounds the walk's recursion. */
#define MERGE_DEPTH_MAX 32
/* The copy buffer: a rendered file fits many times. */
#define MERGE_BUF ((size_t)256 * 1024)

typedef struct mfile {
	char *path;     /* relative to the shard's root, malloc'd */
	unsigned shard; /* index of the shard that holds it */
	bool skip;      /* an index kustomization or the marker: made again */
	bool dup;       /* the same path as the entry before: compared, not written */
} mfile;

typedef struct mlist {
	mfile *items;
	size_t len, cap;
} mlist;

/* An open folder of a tree, kept while files of that folder follow. */
typedef struct mdir {
	int fd;    /* -1 when none */
	long tree; /* the shard's index, or -1 for the output */
	char *rel; /* the folder below the tree's root, malloc'd */
} mdir;

static int cmp_mfile(const void *a, const void *b)
{
	const mfile *x = a, *y = b;
	int c = strcmp(x->path, y->path);
	return c ? c : (x->shard > y->shard) - (x->shard < y->shard);
}

/* "cannot read folder" for root/rel, errno err the reason. */
static int folder_error(tc_diags *d, const char *root, const char *rel, int err)
{
	char *full = tc_path_join(root, rel);
	int rc = tc_error(d, (tc_pos){full, 0, 0}, NULL, "cannot read folder '%s': %s", full,
	                  strerror(err));
	free(full);
	return rc;
}

/* root/sub is not a file a rendered tree holds: a folder too deep, or neither a regular
 * file nor a folder. */
static int entry_error(tc_diags *d, const char *root, const char *sub, bool deep)
{
	char *full = tc_path_join(root, sub);
	int rc = tc_error(d, (tc_pos){full, 0, 0}, NULL,
	                  deep ? "'%s' is nested too deep for a rendered tree"
	                       : "'%s' is not a regular file or a folder",
	                  full);
	free(full);
	return rc;
}

/* The type of entry e of dp, asked of the file system when readdir does not say. */
static unsigned char entry_type(DIR *dp, const struct dirent *e)
{
	struct stat st;
	if (e->d_type != DT_UNKNOWN || fstatat(dirfd(dp), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return e->d_type;
	return S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_LNK;
}

static int walk(int fd, const char *root, const char *rel, unsigned shard, int depth, mlist *l,
                tc_diags *d);

/* Entry e of dp, at root/sub: a folder walked, a file added to l, anything else an error.
 * Takes sub. */
static int walk_entry(DIR *dp, const struct dirent *e, const char *root, char *sub, unsigned shard,
                      int depth, mlist *l, tc_diags *d)
{
	unsigned char type = entry_type(dp, e);
	int rc = 0;
	if (type == DT_DIR && depth < MERGE_DEPTH_MAX) {
		int sfd = openat(dirfd(dp), e->d_name,
		                 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		rc = sfd >= 0 ? walk(sfd, root, sub, shard, depth + 1, l, d)
		              : folder_error(d, root, sub, errno);
	} else if (type == DT_REG) {
		TC_GROW(l->items, l->cap, l->len + 1);
		l->items[l->len++] = (mfile){sub, shard, false, false};
		return 0;
	} else {
		rc = entry_error(d, root, sub, type == DT_DIR);
	}
	free(sub);
	return rc;
}

/* Add every file below the folder fd (root/rel) to l; fd is consumed. */
static int walk(int fd, const char *root, const char *rel, unsigned shard, int depth, mlist *l,
                tc_diags *d)
{
	DIR *dp = fdopendir(fd);
	if (!dp) {
		int e = errno;
		close(fd);
		return folder_error(d, root, rel, e);
	}
	int rc = 0;
	struct dirent *e;
	errno = 0;
	while (rc == 0 && (e = readdir(dp)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char *sub = *rel ? tc_path_join(rel, e->d_name) : tc_xstrdup(e->d_name);
		rc = walk_entry(dp, e, root, sub, shard, depth, l, d);
		errno = 0;
	}
	if (rc == 0 && errno != 0)
		rc = folder_error(d, root, rel, errno);
	closedir(dp);
	return rc;
}

static int read_file(const char *path, char **data, size_t *len, tc_diags *d)
{
	tc_file_err e;
	if (tc_file_read(data, len, path, MERGE_FILE_MAX, TC_FILE_NOFOLLOW | TC_FILE_REGULAR, &e) ==
	    0)
		return 0;
	if (e.why == TC_FILE_OPEN)
		return tc_error(d, (tc_pos){path, 0, 0}, NULL, "cannot read '%s': %s", path,
		                strerror(e.err));
	if (e.why == TC_FILE_READ)
		return tc_error(d, (tc_pos){path, 0, 0}, NULL, "cannot read '%s'", path);
	return tc_error(d, (tc_pos){path, 0, 0}, NULL,
	                "'%s' is not a regular file of at most 16 MiB", path);
}

/* Does the copy of f->path in shard f->shard have the bytes of the copy in
 * shard first->shard? A diagnostic when not, or when either cannot be read. */
static int same_bytes(const char *const *shards, const mfile *first, const mfile *f, tc_diags *d)
{
	char *pa = tc_path_join(shards[first->shard], first->path);
	char *pb = tc_path_join(shards[f->shard], f->path);
	char *a = NULL, *b = NULL;
	size_t la = 0, lb = 0;
	int rc = -1;
	if (read_file(pa, &a, &la, d) == 0 && read_file(pb, &b, &lb, d) == 0) {
		rc = 0;
		if (la != lb || memcmp(a, b, la) != 0)
			rc = tc_error(
				d, (tc_pos){f->path, 0, 0}, NULL,
				"shards disagree on '%s': were they rendered from the same input?",
				f->path);
	}
	free(a);
	free(b);
	free(pa);
	free(pb);
	return rc;
}

/* The folder rel (len bytes) of tree `tree` in *m, opened below rootfd;
 * with create, the missing folders are made. -1 with errno. */
static int dir_at(mdir *m, int rootfd, long tree, const char *rel, size_t len, bool create)
{
	if (m->fd >= 0 && m->tree == tree && strlen(m->rel) == len && memcmp(m->rel, rel, len) == 0)
		return m->fd;
	if (m->fd >= 0)
		close(m->fd);
	free(m->rel);
	m->rel = tc_xmemdup0(rel, len);
	m->tree = tree;
	m->fd = len ? openat(rootfd, m->rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
	            : dup(rootfd);
	if (m->fd < 0 && errno == ENOENT && create) {
		/* make each level; the output's temporary tree holds only what
		 * this merge made, so no link can be met on the way */
		for (char *p = m->rel;; p++) {
			if (*p != '/' && *p != 0)
				continue;
			char c = *p;
			*p = 0;
			int r = mkdirat(rootfd, m->rel, 0755);
			*p = c;
			if (r != 0 && errno != EEXIST)
				return -1;
			if (!c)
				break;
		}
		m->fd = openat(rootfd, m->rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	return m->fd;
}

static size_t dir_len(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? (size_t)(slash - path) : 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* Copy one file from the folder sfd to the folder dfd, name for name. */
static int copy_file(int sfd, int dfd, const char *name, char *buf)
{
	int in = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return -1;
	int out = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	int rc = out < 0 ? -1 : 0;
	while (rc == 0) {
		size_t got = 0;
		if (tc_fd_read(in, buf, MERGE_BUF, &got) != 0) {
			rc = -1;
			break;
		}
		if (got == 0)
			break;
		if (tc_fd_write(out, buf, got) != 0)
			rc = -1;
		if (got < MERGE_BUF)
			break; /* a short read of a regular file: the end */
	}
	int e = errno;
	if (out >= 0 && close(out) != 0 && rc == 0) {
		rc = -1;
		e = errno;
	}
	close(in);
	errno = e;
	return rc;
}

/* How many of the items from i on lie below the folder path[0..plen) (a
 * prefix of items[i].path ending before a '/'), or 0 when one of them is
 * from another shard or is made again: then the folder cannot be moved
 * whole. */
static size_t whole_folder(const mlist *l, size_t i, size_t plen)
{
	const mfile *f = &l->items[i];
	/* files of the folder came before: they were written one by one */
	if (i > 0 && strncmp(l->items[i - 1].path, f->path, plen + 1) == 0)
		return 0;
	size_t j = i;
	while (j < l->len && strncmp(l->items[j].path, f->path, plen + 1) == 0) {
		const mfile *g = &l->items[j];
		if (g->shard != f->shard || g->skip || g->dup)
			return 0;
		j++;
	}
	return j - i;
}

/* Write the merged files into the temporary tree at tmpfd: copied, or with
 * move renamed out of the shards on the output's file system. */
static int write_files(const mlist *l, const char *const *shards, const int *shardfd,
                       const bool *movable, int tmpfd, const char *out, tc_diags *d)
{
	mdir src = {-1, 0, NULL}, dst = {-1, -1, NULL};
	char *buf = tc_xmalloc(MERGE_BUF);
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < l->len;) {
		const mfile *f = &l->items[i];
		if (f->skip || f->dup) {
			i++;
			continue;
		}
		if (movable[f->shard]) {
			/* the shallowest folder of this path that one shard holds whole */
			size_t n = 0, plen = 0;
			for (const char *p = strchr(f->path, '/'); p && n == 0;
			     p = strchr(p + 1, '/')) {
				plen = (size_t)(p - f->path);
				n = whole_folder(l, i, plen);
			}
			if (n == 0) {
				plen = strlen(f->path);
				n = 1;
			}
			char *what = tc_xmemdup0(f->path, plen);
			int pfd = dir_at(&dst, tmpfd, -1, what, dir_len(what), true);
			if (pfd < 0 || renameat(shardfd[f->shard], what, pfd, base_name(what)) != 0)
				rc = tc_fail(d, (tc_pos){out, 0, 0}, NULL,
				             "cannot move '%s/%s' into '%s': %s", shards[f->shard],
				             what, out, strerror(errno));
			free(what);
			i += n;
			continue;
		}
		size_t dl = dir_len(f->path);
		int sfd = dir_at(&src, shardfd[f->shard], (long)f->shard, f->path, dl, false);
		int dfd = sfd < 0 ? -1 : dir_at(&dst, tmpfd, -1, f->path, dl, true);
		if (sfd < 0 || dfd < 0 || copy_file(sfd, dfd, base_name(f->path), buf) != 0)
			rc = tc_fail(d, (tc_pos){out, 0, 0}, NULL,
			             "cannot copy '%s/%s' into '%s': %s", shards[f->shard], f->path,
			             out, strerror(errno));
		i++;
	}
	if (src.fd >= 0)
		close(src.fd);
	if (dst.fd >= 0)
		close(dst.fd);
	free(src.rel);
	free(dst.rel);
	free(buf);
	return rc;
}

/* With --move: no shard may be the output, lie in it or hold it. */
static int check_apart(const char *const *shards, size_t n, const char *out, tc_diags *d)
{
	char *o = realpath(out, NULL);
	int rc = 0;
	for (size_t i = 0; o && rc == 0 && i < n; i++) {
		char *s = realpath(shards[i], NULL);
		if (!s)
			continue;
		size_t ls = strlen(s), lo = strlen(o);
		size_t k = ls < lo ? ls : lo;
		if (memcmp(s, o, k) == 0 && (ls == lo || (ls < lo ? o[k] : s[k]) == '/'))
			rc = tc_error(d, (tc_pos){shards[i], 0, 0}, NULL,
			              "--move: the shard '%s' overlaps the output '%s'", shards[i],
			              out);
		free(s);
	}
	free(o);
	return rc;
}

/* One merge: the shards (their folders, descriptors, whether their files
 * can be moved), the files they hold, and the output being written. */
typedef struct merge {
	const tc_strlist *shards;
	const char *out;
	bool move;
	tc_diags d;
	mlist all;
	tc_outlist paths, idx; /* the files written and the index kustomizations */
	tc_tree tree;
	tc_outdir claim;
	int *shardfd;
	bool *movable;
	int tmpfd;
	size_t nfiles;
} merge;

static void merge_init(merge *m, const tc_strlist *shards, const char *out, bool move)
{
	memset(m, 0, sizeof *m);
	m->shards = shards;
	m->out = out;
	m->move = move;
	tc_diags_init(&m->d);
	tc_outlist_init(&m->paths);
	tc_outlist_init(&m->idx);
	m->claim.lockfd = -1;
	m->tmpfd = -1;
	m->shardfd = tc_xmalloc(shards->len * sizeof *m->shardfd);
	m->movable = tc_xmalloc(shards->len * sizeof *m->movable);
	for (size_t i = 0; i < shards->len; i++)
		m->shardfd[i] = -1;
}

static void merge_release(merge *m)
{
	if (m->tmpfd >= 0)
		close(m->tmpfd);
	if (m->tree.final)
		tc_tree_abort(&m->tree);
	for (size_t i = 0; i < m->shards->len; i++)
		if (m->shardfd[i] >= 0)
			close(m->shardfd[i]);
	free(m->shardfd);
	free(m->movable);
	free(m->paths.items);
	for (size_t i = 0; i < m->all.len; i++)
		free(m->all.items[i].path);
	free(m->all.items);
	tc_outlist_release(&m->idx);
	tc_outdir_release(&m->claim);
}

/* Open each shard and list its files into m->all. */
static int list_shards(merge *m)
{
	for (size_t i = 0; i < m->shards->len; i++) {
		const char *dir = m->shards->items[i];
		m->shardfd[i] = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		int fd = m->shardfd[i] < 0 ? -1 : dup(m->shardfd[i]);
		if (fd < 0)
			return tc_error(&m->d, (tc_pos){dir, 0, 0}, NULL,
			                "cannot read folder '%s': %s", dir, strerror(errno));
		if (walk(fd, dir, "", (unsigned)i, 0, &m->all, &m->d))
			return -1;
	}
	return 0;
}

/* Sort the files by path: repeats must agree; the index files and the
 * marker are made again; the others are the paths written. */
static int agree(merge *m)
{
	if (m->all.len)
		qsort(m->all.items, m->all.len, sizeof *m->all.items, cmp_mfile);
	for (size_t i = 0, first = 0; i < m->all.len; i++) {
		mfile *f = &m->all.items[i];
		f->skip = tc_output_is_index(f->path) || strcmp(f->path, TC_OUTDIR_MARKER) == 0;
		if (i > 0 && strcmp(m->all.items[i - 1].path, f->path) == 0) {
			f->dup = true;
			if (!f->skip)
				(void)same_bytes(m->shards->items, &m->all.items[first], f, &m->d);
			continue;
		}
		first = i;
		if (!f->skip) {
			/* the paths borrowed for the index: released by free(items) */
			tc_outlist_add(&m->paths, f->path, NULL, 0, true);
			m->nfiles++;
		}
	}
	return tc_diags_has_errors(&m->d) ? -1 : 0;
}

/* The index kustomizations of each environment (the top folders). */
static void env_indexes(merge *m)
{
	for (size_t i = 0; i < m->paths.len; i++) {
		const char *p = m->paths.items[i].path;
		const char *slash = strchr(p, '/');
		if (!slash)
			continue;
		size_t el = (size_t)(slash - p);
		if (i > 0 && strncmp(m->paths.items[i - 1].path, p, el + 1) == 0)
			continue;
		char *env = tc_xmemdup0(p, el);
		tc_output_env_index(&m->idx, env, &m->paths);
		free(env);
	}
}

/* Claim the output folder and begin the tree written aside; a shard can
 * be moved from when it is on the file system of the output. */
static int open_output(merge *m)
{
	if (tc_outdir_claim(&m->claim, m->out, NULL, &m->d) ||
	    (m->move && check_apart(m->shards->items, m->shards->len, m->out, &m->d)) ||
	    tc_tree_begin(&m->tree, m->out, &m->d))
		return -1;
	m->tmpfd = open(m->tree.tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat tst;
	if (m->tmpfd < 0 || fstat(m->tmpfd, &tst) != 0)
		return tc_fail(&m->d, (tc_pos){m->out, 0, 0}, NULL, "cannot write '%s': %s", m->out,
		               strerror(errno));
	for (size_t i = 0; i < m->shards->len; i++) {
		struct stat st;
		m->movable[i] =
			m->move && fstat(m->shardfd[i], &st) == 0 && st.st_dev == tst.st_dev;
	}
	return 0;
}

/* The files, the index kustomizations and the marker, then the swap. */
static int write_output(merge *m)
{
	if (write_files(&m->all, m->shards->items, m->shardfd, m->movable, m->tmpfd, m->out, &m->d))
		return -1;
	for (size_t i = 0; i < m->idx.len; i++)
		if (tc_tree_write(&m->tree, m->idx.items[i].path, m->idx.items[i].data,
		                  m->idx.items[i].len, &m->d))
			return -1;
	if (tc_tree_write(&m->tree, TC_OUTDIR_MARKER, tc_outdir_marker_text,
	                  strlen(tc_outdir_marker_text), &m->d) ||
	    tc_tree_commit(&m->tree, &m->d))
		return -1;
	return 0;
}

/* Print the diagnostics; the exit status they call for, else status. */
static int finish(tc_diags *d, int status)
{
	if (d->len) {
		tc_diags_print(d, stderr);
		int code = tc_diags_exit_code(d);
		if (code)
			status = code;
	}
	tc_diags_release(d);
	return status;
}

int tc_cmd_merge(int argc, char **argv)
{
	const char *out = NULL;
	bool move = false;
	tc_strlist pos = {0};
	const tc_option opts[] = {
		{"out", 'o', TC_OPT_STRING, &out, "DIR", "the merged tree (replaced atomically)"},
		{"move", 0, TC_OPT_FLAG, &move, NULL,
	         "move the shards' files instead of copying them (uses the shards up)"},
		{0},
	};
	int status = tc_opt_parse("merge", "[--move] --out DIR SHARD...", opts, argc, argv, &pos);
	if (status == 0 && (!out || pos.len == 0)) {
		tc_usage_error(NULL, "%s",
		               !out ? "give --out DIR" : "give at least one SHARD folder");
		fputs("usage: tenantc merge [--move] --out DIR SHARD...\n", stderr);
		status = 2;
	}
	if (status) {
		tc_strlist_release(&pos);
		return status == 1 ? 0 : 2;
	}
	merge m;
	merge_init(&m, &pos, out, move);
	status = 2;
	if (list_shards(&m) == 0 && agree(&m) == 0) {
		env_indexes(&m);
		if (open_output(&m) == 0 && write_output(&m) == 0) {
			printf("merged %zu shards, %zu files into %s\n", pos.len,
			       m.nfiles + m.idx.len + 1, out);
			status = 0;
		}
	}
	merge_release(&m);
	status = finish(&m.d, status);
	tc_strlist_release(&pos);
	return status;
}
