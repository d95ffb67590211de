/*
 * source.c - one reading interface, two backends (as Redis' rio.c puts
 * several stream kinds behind one set of calls).
 *
 * This file owns the tc_source handle, the path rules and the wording of
 * every error, and dispatches to source_dir.c (plain directories and work
 * trees) or source_git.c (the index and revisions). A work tree reads its
 * files from the directory and its commit id and time from HEAD, so that
 * a clean work tree and --rev HEAD give the same render.
 *
 * Invariants: no path reaches a backend before tc_source_path_ok accepted
 * it; every listing leaves here sorted by name bytes with each name checked
 * by tc_source_name_ok and no name starting with '.', whatever order
 * readdir, the index or a git tree produced; a work tree inside git shows
 * only what git sees of it (source_git.c decides, with the index).
 */
#include "source.h"

#include "arena.h"
#include "buf.h"
#include "source_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct tc_source {
	tc_source_kind kind; /* WORKTREE, INDEX or REV once open */
	char *name;          /* for messages: "directory", "index", "revision HEAD" */
	tc_source_dir *dir;  /* WORKTREE */
	tc_source_git *git;  /* any kind inside a git repository */
};

static bool component_ok(const char *p, size_t n)
{
	if (n == 0)
		return false;
	if (n == 1 && p[0] == '.')
		return false;
	if (n == 2 && p[0] == '.' && p[1] == '.')
		return false;
	/* '.git' in any case: a work tree's git directory is not content, and
	 * case-insensitive file systems would open it as '.GIT' */
	if (n == 4 && p[0] == '.' && (p[1] | 0x20) == 'g' && (p[2] | 0x20) == 'i' &&
	    (p[3] | 0x20) == 't')
		return false;
	/* control characters: every message names its path on one line */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
			return false;
	return true;
}

bool tc_source_path_ok(const char *path)
{
	if (!path || !*path)
		return false;
	size_t len = strlen(path);
	if (len > TC_SOURCE_MAX_PATH)
		return false;
	const char *p = path;
	for (;;) {
		const char *slash = memchr(p, '/', len - (size_t)(p - path));
		size_t n = slash ? (size_t)(slash - p) : len - (size_t)(p - path);
		if (!component_ok(p, n))
			return false;
		if (!slash)
			return true;
		p = slash + 1;
	}
}

bool tc_source_name_ok(const char *name)
{
	return name && !strchr(name, '/') && tc_source_path_ok(name);
}

const char *tc_source_join(tc_buf *b, const char *dir, const char *name, size_t nlen)
{
	tc_buf_reset(b);
	if (*dir) {
		tc_buf_adds(b, dir);
		tc_buf_addc(b, '/');
	}
	tc_buf_add(b, name, nlen);
	return tc_buf_str(b);
}

/* ---- messages ---- */

static tc_pos at_path(const char *path)
{
	return (tc_pos){path, 0, 0};
}

int tc_source_err_link(tc_diags *d, const char *path)
{
	return tc_error(d, at_path(path), NULL,
	                "'%s' is a symbolic link; tenantc does not follow links", path);
}

int tc_source_err_submodule(tc_diags *d, const char *path)
{
	return tc_error(d, at_path(path), NULL,
	                "'%s' is a submodule; tenantc does not read submodules", path);
}

int tc_source_err_notdir(tc_diags *d, const char *path)
{
	return tc_error(d, at_path(path), NULL, "'%s' is not a directory", path);
}

int tc_source_err_isdir(tc_diags *d, const char *path)
{
	return tc_error(d, at_path(path), NULL, "'%s' is a directory, not a file", path);
}

int tc_source_err_special(tc_diags *d, const char *path)
{
	return tc_error(d, at_path(path), NULL, "'%s' is not a regular file", path);
}

int tc_source_err_toobig(tc_diags *d, const char *path, uint64_t size)
{
	return tc_error(d, at_path(path), NULL,
	                "'%s' is too large (%llu bytes; the limit is %zu MiB)", path,
	                (unsigned long long)size, TC_SOURCE_MAX_FILE / (1024 * 1024));
}

/* Names from a git tree or index (and paths from templates) may hold any
 * byte but NUL: print the unprintable ones as \xNN so the message stays on
 * one line. At most 4 times the longest path, then cut. */
static const char *esc(tc_buf *b, const char *s, size_t n)
{
	tc_buf_init(b, 4 * TC_SOURCE_MAX_PATH);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || c == '\'' || c == '\\')
			tc_buf_addf(b, "\\x%02x", c);
		else
			tc_buf_addc(b, (char)c);
	}
	return tc_buf_str(b);
}

int tc_source_err_badname(tc_diags *d, const char *dir, const char *name, size_t nlen,
                          const char *what)
{
	tc_buf b;
	esc(&b, name, nlen);
	int r = tc_error(d, *dir ? at_path(dir) : TC_NOPOS, NULL,
	                 "invalid file name '%s' in %s: names may not be empty, '.', '..' or "
	                 "'.git', or contain '/' or control characters",
	                 tc_buf_str(&b), what);
	tc_buf_release(&b);
	return r;
}

int tc_source_err_os(tc_diags *d, const char *path, const char *doing, int err)
{
	char msg[256];
	const char *m = strerror_r(err, msg, sizeof msg);
	if (err == EACCES || err == EPERM)
		return tc_error(d, at_path(path), NULL, "cannot %s '%s': %s", doing, path, m);
	return tc_fail(d, at_path(path), NULL, "cannot %s '%s': %s", doing, path, m);
}

/* ---- listings ---- */

void tc_source_entries_push(tc_entries *es, const char *name, size_t nlen, tc_entry_type type,
                            const char *id)
{
	TC_GROW(es->items, es->cap, es->len + 1);
	tc_entry *e = &es->items[es->len++];
	e->name = tc_xmemdup0(name, nlen);
	e->type = type;
	size_t idlen = id ? strlen(id) : 0;
	if (idlen > 40)
		idlen = 40;
	memcpy(e->id, id ? id : "", idlen);
	e->id[idlen] = 0;
}

void tc_source_entries_release(tc_entries *es)
{
	tc_entries_free(es->items, es->len);
	es->items = NULL;
	es->len = es->cap = 0;
}

/* strcmp compares as unsigned char: byte order, shorter first */
static int cmpentry(const void *a, const void *b)
{
	return strcmp(((const tc_entry *)a)->name, ((const tc_entry *)b)->name);
}

int tc_source_entries_finish(tc_entries *es, tc_diags *d, const char *dir, const char *what,
                             tc_entry **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < es->len; i++) {
		const char *name = es->items[i].name;
		if (!tc_source_name_ok(name)) {
			tc_source_err_badname(d, dir, name, strlen(name), what);
			tc_source_entries_release(es);
			return -1;
		}
	}
	/* names starting with '.' are never inputs, whatever the source:
	 * .DS_Store, editor files, .gitignore, .gitkeep */
	size_t keep = 0;
	for (size_t i = 0; i < es->len; i++) {
		if (es->items[i].name[0] == '.')
			free(es->items[i].name);
		else
			es->items[keep++] = es->items[i];
	}
	es->len = keep;
	if (es->len > 1)
		qsort(es->items, es->len, sizeof *es->items, cmpentry);
	for (size_t i = 1; i < es->len; i++) {
		if (strcmp(es->items[i - 1].name, es->items[i].name) == 0) {
			tc_buf b;
			tc_buf_init(&b, TC_BUF_UNLIMITED);
			const char *path = tc_source_join(&b, dir, es->items[i].name,
			                                  strlen(es->items[i].name));
			tc_error(d, at_path(path), NULL, "'%s' appears twice in %s", path, what);
			tc_buf_release(&b);
			tc_source_entries_release(es);
			return -1;
		}
	}
	*out = es->items;
	*n = es->len;
	es->items = NULL;
	es->len = es->cap = 0;
	return 0;
}

void tc_entries_free(tc_entry *e, size_t n)
{
	if (!e)
		return;
	for (size_t i = 0; i < n; i++)
		free(e[i].name);
	free(e);
}

/* ---- the handle ---- */

int tc_source_open(tc_source **out, tc_diags *d, const char *root, tc_source_kind kind,
                   const char *rev)
{
	*out = NULL;
	if (!root || !*root)
		root = ".";
	if (kind == TC_SOURCE_REV && !rev)
		rev = "HEAD";
	struct stat st;
	if (stat(root, &st) != 0) {
		/* a repository folder that is not there is a usage error */
		if (errno == ENOENT || errno == ENOTDIR)
			return tc_error(d, TC_NOPOS, NULL, "cannot open repository '%s': %s", root,
			                strerror(errno));
		return tc_source_err_os(d, root, "open repository", errno);
	}
	if (!S_ISDIR(st.st_mode))
		return tc_error(d, TC_NOPOS, NULL, "cannot open repository '%s': not a directory",
		                root);

	tc_source *s = tc_xcalloc(1, sizeof *s);
	tc_source_kind k = kind;
	if (tc_source_git_open(&s->git, d, root, &k, rev) < 0)
		goto fail;
	s->kind = k;
	switch (k) {
	case TC_SOURCE_REV: {
		tc_buf b;
		tc_buf_init(&b, TC_BUF_UNLIMITED);
		tc_buf_addf(&b, "revision %s", rev ? rev : "HEAD");
		s->name = tc_buf_detach(&b, NULL);
		break;
	}
	case TC_SOURCE_INDEX:
		s->name = tc_xstrdup("index");
		break;
	case TC_SOURCE_AUTO:
	case TC_SOURCE_WORKTREE:
		s->kind = TC_SOURCE_WORKTREE;
		s->name = tc_xstrdup("directory");
		if (tc_source_dir_open(&s->dir, d, root) < 0)
			goto fail;
		break;
	}
	*out = s;
	return 0;
fail:
	tc_source_free(s);
	return -1;
}

int tc_source_reopen(tc_source *s, tc_diags *d, const char *rev)
{
	if (s->kind != TC_SOURCE_REV)
		TC_BUG("tc_source_reopen of a source that is not a revision");
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	tc_buf_addf(&b, "revision %s", rev);
	free(s->name);
	s->name = tc_buf_detach(&b, NULL);
	return tc_source_git_set_rev(s->git, d, rev);
}

void tc_source_free(tc_source *s)
{
	if (!s)
		return;
	tc_source_dir_free(s->dir);
	tc_source_git_free(s->git);
	free(s->name);
	free(s);
}

static int badpath(tc_diags *d, const char *path)
{
	tc_buf b;
	path = esc(&b, path ? path : "", path ? strlen(path) : 0);
	int r = tc_error(d, TC_NOPOS, NULL,
	                 "'%s' is not a valid path inside the repository: paths are relative, "
	                 "'/'-separated, without empty, '.', '..' or '.git' components or "
	                 "control characters",
	                 path);
	tc_buf_release(&b);
	return r;
}

int tc_source_list(tc_source *s, tc_diags *d, const char *dir, tc_entry **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!dir)
		dir = "";
	if (*dir && !tc_source_path_ok(dir))
		return badpath(d, dir);
	if (s->kind != TC_SOURCE_WORKTREE)
		return tc_source_git_list(s->git, d, dir, out, n);
	if (s->git && *dir) {
		int seen = tc_source_git_worktree_path(s->git, d, dir, true);
		if (seen <= 0)
			return seen; /* ignored by git: as if missing */
	}
	int r = tc_source_dir_list(s->dir, d, dir, out, n);
	if (r == 0 && s->git && tc_source_git_worktree_filter(s->git, d, dir, *out, n) < 0) {
		tc_entries_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return r;
}

int tc_source_read(tc_source *s, tc_diags *d, const char *path, char **data, size_t *len)
{
	*data = NULL;
	*len = 0;
	if (!tc_source_path_ok(path))
		return badpath(d, path);
	if (s->kind != TC_SOURCE_WORKTREE)
		return tc_source_git_read(s->git, d, path, data, len);
	if (s->git) {
		int seen = tc_source_git_worktree_path(s->git, d, path, false);
		if (seen <= 0)
			return seen < 0 ? -1 : 1; /* ignored by git: missing */
	}
	return tc_source_dir_read(s->dir, d, path, data, len);
}

const char *tc_source_commit_id(const tc_source *s)
{
	return s->git ? tc_source_git_commit_id(s->git) : NULL;
}

int64_t tc_source_commit_time(const tc_source *s)
{
	return s->git ? tc_source_git_commit_time(s->git) : 0;
}

void tc_source_tree_id(tc_source *s, const char *dir, char out[41])
{
	out[0] = 0;
	if (!dir)
		dir = "";
	if (s->kind != TC_SOURCE_REV || (*dir && !tc_source_path_ok(dir)))
		return;
	tc_source_git_tree_id(s->git, dir, out);
}

const char *tc_source_gitdir(const tc_source *s)
{
	return s->git ? tc_source_git_gitdir(s->git) : NULL;
}

bool tc_source_is_git_snapshot(const tc_source *s)
{
	return s->kind == TC_SOURCE_REV || s->kind == TC_SOURCE_INDEX;
}

const char *tc_source_kind_name(const tc_source *s)
{
	return s->name;
}
