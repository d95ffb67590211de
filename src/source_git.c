/*
 * source_git.c - the git backend (libgit2): the index or a revision, and
 * the commit identity of a work tree.
 *
 * This is the one file that speaks libgit2. Its convention (0 success,
 * negative error, details in git_error_last() of the calling thread) is
 * turned into diagnostics here, reading git_error_last() right after the
 * failing call. Nothing is checked out and nothing is written to the
 * repository: blobs are read from the object database as they are.
 *
 * Paths from source.c are relative to `root`; when root is a subfolder of
 * the work tree, `prefix` ("sub/dir/") joins them to repository paths.
 *
 * Revision: the directory trees are found from the tree at the prefix. The
 * chain of trees of the last directory looked up is kept (`chain`), so
 * reading tenants/a/x after listing tenants/ looks up one tree, not three,
 * and memory does not grow with the number of directories visited.
 *
 * Index: entries are sorted by full path bytes, so the entries below
 * "dir/" are one run found by binary search (git_index_find_prefix);
 * listing a directory costs O(log n + entries below it). Directories of
 * the index have no tree id without writing a tree, which we never do.
 *
 * Owned: the repository, the index (INDEX), the top tree and the chain
 * (REV). One thread at a time, as libgit2 objects require.
 */
#include "source_impl.h"

#include "arena.h"
#include "buf.h"
#include "fsutil.h"
#include "source_loose.h"

#include <errno.h>
#include <git2.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>

struct tc_source_git {
	git_repository *repo;
	git_odb *odb;
	tc_source_kind kind; /* WORKTREE (commit only), INDEX or REV */
	char *prefix;        /* "" or "sub/dir/" */
	char *what;          /* "index" or "revision X", for messages */
	bool has_commit;
	char commit_id[41];
	int64_t commit_time;
	git_index *index; /* INDEX, and WORKTREE to tell tracked from ignored */
	bool gitlinks;    /* WORKTREE: the index holds a submodule */
	git_tree *top;    /* REV: the tree at prefix; NULL when absent there */
	/* REV: trees of the last directory looked up; tree[0] is top and
	 * name[i] the component leading to tree[i] (name[0] unused) */
	struct {
		char **name;
		git_tree **tree;
		size_t len, cap;
	} chain;
	tc_buf full;    /* scratch: repository paths */
	tc_buf scratch; /* scratch: root-relative paths for messages */
};

/* ---- libgit2 errors ---- */

/* The error classes libgit2 uses for what it found in the repository's
 * files, as opposed to the system failing it (memory, the OS, threads). */
static bool damaged(int klass)
{
	switch (klass) {
	case GIT_ERROR_ODB:
	case GIT_ERROR_OBJECT:
	case GIT_ERROR_ZLIB:
	case GIT_ERROR_INVALID:
	case GIT_ERROR_TREE:
	case GIT_ERROR_INDEX:
	case GIT_ERROR_REFERENCE:
	case GIT_ERROR_REPOSITORY:
	case GIT_ERROR_SHA:
		return true;
	default:
		return false;
	}
}

__attribute__((format(printf, 4, 5))) static int gitfail(tc_diags *d, bool input, const char *file,
                                                         const char *fmt, ...)
{
	const git_error *e = git_error_last();
	const char *why = e && e->message ? e->message : "unknown libgit2 error";
	/* a damaged repository (a corrupt, truncated, missing or mistyped
	 * object) is bad input, like any other broken input file */
	if (e && damaged(e->klass))
		input = true;
	tc_buf b;
	tc_buf_init(&b, 64 * 1024);
	va_list ap;
	va_start(ap, fmt);
	char small[1024];
	vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	tc_buf_adds(&b, small);
	tc_buf_adds(&b, ": ");
	tc_buf_adds(&b, why);
	git_error_clear();
	tc_pos pos = {file, 0, 0};
	int r = input ? tc_error(d, pos, NULL, "%s", tc_buf_str(&b))
	              : tc_fail(d, pos, NULL, "%s", tc_buf_str(&b));
	tc_buf_release(&b);
	return r;
}

/* ---- opening ---- */

static void chain_truncate(tc_source_git *g, size_t len)
{
	while (g->chain.len > len) {
		g->chain.len--;
		free(g->chain.name[g->chain.len]);
		if (g->chain.len > 0) /* tree[0] is top, owned separately */
			git_tree_free(g->chain.tree[g->chain.len]);
	}
}

static void chain_push(tc_source_git *g, const char *name, size_t n, git_tree *t)
{
	TC_GROW(g->chain.name, g->chain.cap, g->chain.len + 1);
	g->chain.tree = tc_xrealloc(g->chain.tree, g->chain.cap * sizeof *g->chain.tree);
	g->chain.name[g->chain.len] = tc_xmemdup0(name, n);
	g->chain.tree[g->chain.len] = t;
	g->chain.len++;
}

void tc_source_git_free(tc_source_git *g)
{
	if (!g)
		return;
	chain_truncate(g, 0);
	free(g->chain.name);
	free(g->chain.tree);
	git_tree_free(g->top);
	git_index_free(g->index);
	git_odb_free(g->odb);
	git_repository_free(g->repo);
	git_libgit2_shutdown(); /* balances the init in tc_source_git_open */
	free(g->prefix);
	free(g->what);
	tc_buf_release(&g->full);
	tc_buf_release(&g->scratch);
	free(g);
}

/* root relative to the top of the work tree: "" or "a/b/". 0, or -1
 * reported; 1 when root is not below the work tree. */
static int find_prefix(tc_source_git *g, tc_diags *d, const char *root)
{
	g->prefix = tc_xstrdup("");
	const char *wd = git_repository_workdir(g->repo);
	if (!wd)
		return 0; /* bare: revisions are read from their top */
	char *rw = realpath(wd, NULL), *rr = realpath(root, NULL);
	int r = 0;
	if (!rw || !rr) {
		r = tc_source_err_os(d, rw ? root : wd, "resolve", errno);
		goto out;
	}
	size_t n = strlen(rw);
	while (n > 1 && rw[n - 1] == '/')
		n--;
	if (strcmp(rr, rw) == 0 || (n == 1 && rw[0] == '/' && rr[1] == 0))
		goto out;
	const char *rest = NULL;
	if (n == 1 && rw[0] == '/')
		rest = rr + 1;
	else if (strncmp(rr, rw, n) == 0 && rr[n] == '/')
		rest = rr + n + 1;
	if (!rest || !tc_source_path_ok(rest)) {
		r = 1; /* outside the work tree, or inside .git */
		goto out;
	}
	free(g->prefix);
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	tc_buf_adds(&b, rest);
	tc_buf_addc(&b, '/');
	g->prefix = tc_buf_detach(&b, NULL);
out:
	free(rw);
	free(rr);
	return r;
}

/* The commit of spec into g; the commit itself when want != NULL. */
static int resolve(tc_source_git *g, tc_diags *d, const char *spec, bool quiet_unborn,
                   git_commit **want)
{
	if (quiet_unborn) {
		int u = git_repository_head_unborn(g->repo);
		if (u == 1)
			return 0;
		if (u < 0)
			return gitfail(d, false, NULL, "cannot read HEAD");
	}
	git_object *obj = NULL;
	git_object *peeled = NULL;
	int e = git_revparse_single(&obj, g->repo, spec);
	if (e == GIT_ENOTFOUND || e == GIT_EINVALIDSPEC) {
		git_error_clear();
		return tc_error(d, TC_NOPOS, NULL, "unknown revision '%s'", spec);
	}
	if (e == GIT_EAMBIGUOUS) {
		git_error_clear();
		return tc_error(d, TC_NOPOS, NULL, "ambiguous revision '%s'", spec);
	}
	if (e < 0)
		return gitfail(d, false, NULL, "cannot resolve revision '%s'", spec);
	e = git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT);
	git_object_free(obj);
	if (e < 0) {
		git_error_clear();
		return tc_error(d, TC_NOPOS, NULL, "revision '%s' is not a commit", spec);
	}
	const git_commit *c = (const git_commit *)peeled;
	git_oid_tostr(g->commit_id, sizeof g->commit_id, git_commit_id(c));
	g->commit_time = (int64_t)git_commit_time(c);
	g->has_commit = true;
	if (want)
		*want = (git_commit *)peeled;
	else
		git_object_free(peeled);
	return 0;
}

/* REV: the tree at the prefix, or NULL when the revision has no such
 * directory (an older revision may predate it: it then reads as empty). */
static int open_top(tc_source_git *g, tc_diags *d, git_commit *c)
{
	git_tree *root = NULL;
	if (git_commit_tree(&root, c) < 0)
		return gitfail(d, false, NULL, "cannot read the tree of %s", g->what);
	if (!*g->prefix) {
		g->top = root;
		return 0;
	}
	size_t n = strlen(g->prefix) - 1;
	char *p = tc_xmemdup0(g->prefix, n);
	git_tree_entry *ent = NULL;
	int r = 0;
	int e = git_tree_entry_bypath(&ent, root, p);
	if (e == GIT_ENOTFOUND) {
		git_error_clear();
	} else if (e < 0) {
		r = gitfail(d, false, NULL, "cannot read '%s' in %s", p, g->what);
	} else if (git_tree_entry_filemode(ent) != GIT_FILEMODE_TREE) {
		r = tc_error(d, TC_NOPOS, NULL,
		             "the repository folder '%s' is not a directory in %s", p, g->what);
	} else if (git_tree_lookup(&g->top, g->repo, git_tree_entry_id(ent)) < 0) {
		r = gitfail(d, false, NULL, "cannot read '%s' in %s", p, g->what);
	}
	git_tree_entry_free(ent);
	git_tree_free(root);
	free(p);
	return r;
}

/* GIT_INDEX_FILE, when it names a file in this repository's git directory
 * (git sets it for the hooks of `commit -a` and `commit PATH`); relative
 * names are relative to the top of the work tree, as git reads them. */
static char *env_index(tc_source_git *g)
{
	const char *v = getenv("GIT_INDEX_FILE");
	const char *wd = git_repository_workdir(g->repo);
	if (!v || !*v)
		return NULL;
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	if (v[0] != '/' && wd)
		tc_buf_adds(&b, wd);
	tc_buf_adds(&b, v);
	char *file = tc_buf_detach(&b, NULL);
	char *slash = strrchr(file, '/');
	char *dir = slash ? tc_xmemdup0(file, (size_t)(slash - file)) : tc_xstrdup(".");
	char *rdir = realpath(*dir ? dir : "/", NULL);
	char *rgit = realpath(git_repository_path(g->repo), NULL);
	bool ok = rdir && rgit && strcmp(rdir, rgit) == 0;
	free(dir);
	free(rdir);
	free(rgit);
	if (!ok) {
		free(file);
		return NULL;
	}
	return file;
}

static int open_index(tc_source_git *g, tc_diags *d)
{
	char *file = env_index(g);
	int e = file ? git_index_open(&g->index, file) : git_repository_index(&g->index, g->repo);
	int r = 0;
	if (e < 0)
		r = gitfail(d, false, file, "cannot read the index");
	free(file);
	return r;
}

/* WORKTREE: the index, to tell tracked files (always inputs) from
 * untracked ones (inputs unless ignored), and whether it holds any
 * submodule, so that paths need no gitlink lookups when it does not. */
static int open_worktree(tc_source_git *g, tc_diags *d)
{
	if (open_index(g, d) < 0)
		return -1;
	size_t n = git_index_entrycount(g->index);
	for (size_t i = 0; i < n && !g->gitlinks; i++)
		g->gitlinks = git_index_get_byindex(g->index, i)->mode == GIT_FILEMODE_COMMIT;
	return 0;
}

/* Whether root could be inside a git repository: a ".git" beside it or
 * above it, a bare repository, or GIT_DIR. Without one, libgit2 is not
 * even initialised: its start-up (loading the TLS certificate store) costs
 * more than rendering one tenant, which is what the ArgoCD plugin does in
 * a folder without .git. */
static bool might_be_git(const char *root)
{
	if (getenv("GIT_DIR"))
		return true;
	char *dir = realpath(root, NULL);
	if (!dir)
		return true; /* let libgit2 say what is wrong */
	bool found = false;
	struct stat st;
	size_t n = strlen(dir) + 16;
	char *probe = tc_xmalloc(n);
	snprintf(probe, n, "%s/HEAD", dir);
	char *objects = tc_xmalloc(n);
	snprintf(objects, n, "%s/objects", dir);
	found = stat(probe, &st) == 0 && stat(objects, &st) == 0; /* bare */
	free(objects);
	while (!found) {
		snprintf(probe, n, "%s/.git", dir);
		if (lstat(probe, &st) == 0) {
			found = true;
			break;
		}
		char *slash = strrchr(dir, '/');
		if (!slash)
			break;
		if (slash == dir) {
			if (dir[1] == 0)
				break;
			dir[1] = 0;
		} else {
			*slash = 0;
		}
	}
	free(probe);
	free(dir);
	return found;
}

/* REV: the commit of rev and its tree at the prefix, in place of what g
 * read before; -1 reported, and g then reads as empty. */
static int open_rev(tc_source_git *g, tc_diags *d, const char *rev)
{
	chain_truncate(g, 0);
	git_tree_free(g->top);
	g->top = NULL;
	g->has_commit = false;
	git_commit *c = NULL;
	int r = resolve(g, d, rev, false, &c);
	if (r == 0) {
		r = open_top(g, d, c);
		git_commit_free(c);
	}
	chain_push(g, "", 0, g->top);
	return r;
}

/* root is in no git repository: an error for the index and a revision,
 * else the work tree, read as a plain folder. */
static int not_a_repository(tc_diags *d, const char *root, tc_source_kind *kind, const char *rev)
{
	if (*kind == TC_SOURCE_INDEX)
		return tc_error(d, TC_NOPOS, NULL,
		                "cannot read the index: '%s' is not in a git repository", root);
	if (*kind == TC_SOURCE_REV)
		return tc_error(d, TC_NOPOS, NULL,
		                "cannot read revision '%s': '%s' is not in a git repository", rev,
		                root);
	if (*kind == TC_SOURCE_AUTO)
		*kind = TC_SOURCE_WORKTREE;
	return 0;
}

/* What a source of kind reads, for messages (malloc'd). */
static char *what_is_read(tc_source_kind kind, const char *rev)
{
	if (kind != TC_SOURCE_REV)
		return tc_xstrdup(kind == TC_SOURCE_INDEX ? "the index" : "the work tree");
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	tc_buf_addf(&b, "revision '%s'", rev);
	return tc_buf_detach(&b, NULL);
}

/* A bare repository has only revisions. */
static int refuse_bare(tc_diags *d, const char *root, tc_source_kind kind)
{
	if (kind == TC_SOURCE_WORKTREE)
		return tc_error(d, TC_NOPOS, NULL,
		                "'%s' is a bare git repository: it has no work tree (use --rev)",
		                root);
	if (kind == TC_SOURCE_INDEX)
		return tc_error(d, TC_NOPOS, NULL,
		                "'%s' is a bare git repository: it has no index (use --rev)", root);
	return 0;
}

/* The revision, or the index or work tree over HEAD. */
static int open_snapshot(tc_source_git *g, tc_diags *d, const char *rev)
{
	if (g->kind == TC_SOURCE_REV)
		return open_rev(g, d, rev) < 0 ? -1 : 0;
	/* a work tree and the index are "HEAD plus changes": HEAD's commit
	 * time is their `now`, none when HEAD is unborn */
	if (resolve(g, d, "HEAD", true, NULL) < 0)
		return -1;
	if (g->kind == TC_SOURCE_INDEX && open_index(g, d) < 0)
		return -1;
	if (g->kind == TC_SOURCE_WORKTREE && open_worktree(g, d) < 0)
		return -1;
	return 0;
}

int tc_source_git_open(tc_source_git **out, tc_diags *d, const char *root, tc_source_kind *kind,
                       const char *rev)
{
	*out = NULL;
	git_repository *repo = NULL;
	int e = GIT_ENOTFOUND;
	bool repo_checked = might_be_git(root);
	if (repo_checked) {
		git_libgit2_init();
		/* libgit2 keeps every tree it read (up to 256 MiB, and a bounded
		 * cache still leaves its memory scattered): a render reads each
		 * tenant's folder once or twice, so none is kept and memory does
		 * not follow the tenants */
		git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
		/* nor is each object's SHA-1 computed again as it is read (git
		 * itself does that only in fsck): the tenants/ tree alone is
		 * 10,000 entries at 10,000 tenants, read on every render; the
		 * compression's checksums still catch damaged objects */
		git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
		e = git_repository_open_ext(&repo, root, 0, NULL);
	}
	if (e == GIT_ENOTFOUND) {
		if (repo_checked) {
			git_error_clear();
			git_libgit2_shutdown();
		}
		return not_a_repository(d, root, kind, rev);
	}
	if (e < 0) {
		int r = gitfail(d, true, NULL, "cannot open the git repository of '%s'", root);
		git_libgit2_shutdown();
		return r;
	}

	tc_source_git *g = tc_xcalloc(1, sizeof *g);
	g->repo = repo;
	tc_buf_init(&g->full, TC_BUF_UNLIMITED);
	tc_buf_init(&g->scratch, TC_BUF_UNLIMITED);
	bool bare = git_repository_is_bare(repo);
	if (*kind == TC_SOURCE_AUTO)
		*kind = bare ? TC_SOURCE_REV : TC_SOURCE_WORKTREE;
	if (!rev)
		rev = "HEAD";
	g->kind = *kind;
	g->what = what_is_read(*kind, rev);
	if (bare && refuse_bare(d, root, *kind))
		goto fail;
	int p = find_prefix(g, d, root);
	if (p < 0)
		goto fail;
	if (p > 0 && *kind != TC_SOURCE_WORKTREE) {
		tc_error(d, TC_NOPOS, NULL,
		         "cannot read %s: '%s' is not inside the work tree of its git repository",
		         g->what, root);
		goto fail;
	}
	if (git_repository_odb(&g->odb, repo) < 0) {
		gitfail(d, false, NULL, "cannot open the object database");
		goto fail;
	}
	/* loose objects are inflated by a reader that cannot spin on a
	 * damaged file (see source_loose.h), before any object is read */
	char *objects = tc_path_join(git_repository_commondir(repo), "objects");
	int added = tc_source_loose_add(g->odb, objects);
	free(objects);
	if (added < 0) {
		gitfail(d, false, NULL, "cannot open the object database");
		goto fail;
	}
	if (open_snapshot(g, d, rev) < 0)
		goto fail;
	*out = g;
	return 0;
fail:
	tc_source_git_free(g);
	return -1;
}

int tc_source_git_set_rev(tc_source_git *g, tc_diags *d, const char *rev)
{
	if (g->kind != TC_SOURCE_REV)
		TC_BUG("tc_source_git_set_rev on a source that is not a revision");
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	tc_buf_addf(&b, "revision '%s'", rev);
	free(g->what);
	g->what = tc_buf_detach(&b, NULL);
	return open_rev(g, d, rev);
}

const char *tc_source_git_commit_id(const tc_source_git *g)
{
	return g->has_commit ? g->commit_id : NULL;
}

int64_t tc_source_git_commit_time(const tc_source_git *g)
{
	return g->has_commit ? g->commit_time : 0;
}

/* ---- shared ---- */

static tc_entry_type mode_type(git_filemode_t m)
{
	if (m == GIT_FILEMODE_BLOB || m == GIT_FILEMODE_BLOB_EXECUTABLE)
		return TC_ENTRY_FILE;
	if (m == GIT_FILEMODE_TREE)
		return TC_ENTRY_DIR;
	return TC_ENTRY_OTHER;
}

/* The error for something that is not a blob where a file is wanted. */
static int not_file(tc_diags *d, const char *path, git_filemode_t m)
{
	if (m == GIT_FILEMODE_LINK)
		return tc_source_err_link(d, path);
	if (m == GIT_FILEMODE_COMMIT)
		return tc_source_err_submodule(d, path);
	if (m == GIT_FILEMODE_TREE)
		return tc_source_err_isdir(d, path);
	return tc_source_err_special(d, path);
}

/* The error for something that is not a tree where a directory is wanted. */
static int not_dir(tc_diags *d, const char *path, git_filemode_t m)
{
	if (m == GIT_FILEMODE_LINK)
		return tc_source_err_link(d, path);
	if (m == GIT_FILEMODE_COMMIT)
		return tc_source_err_submodule(d, path);
	return tc_source_err_notdir(d, path);
}

static int read_blob(tc_source_git *g, tc_diags *d, const char *path, const git_oid *id,
                     char **data, size_t *len)
{
	size_t size = 0;
	git_object_t type = GIT_OBJECT_INVALID;
	if (git_odb_read_header(&size, &type, g->odb, id) < 0)
		return gitfail(d, false, path, "cannot read '%s' from %s", path, g->what);
	if (type != GIT_OBJECT_BLOB)
		return tc_error(d, (tc_pos){path, 0, 0}, NULL,
		                "cannot read '%s' from %s: the object is a %s, not a blob", path,
		                g->what, git_object_type2string(type));
	if (size > TC_SOURCE_MAX_FILE)
		return tc_source_err_toobig(d, path, (uint64_t)size);
	git_blob *b = NULL;
	if (git_blob_lookup(&b, g->repo, id) < 0)
		return gitfail(d, false, path, "cannot read '%s' from %s", path, g->what);
	git_object_size_t n = git_blob_rawsize(b);
	if (n > TC_SOURCE_MAX_FILE) {
		git_blob_free(b);
		return tc_source_err_toobig(d, path, (uint64_t)n);
	}
	*data = tc_xmemdup0(git_blob_rawcontent(b), (size_t)n);
	*len = (size_t)n;
	git_blob_free(b);
	return 0;
}

/* ---- revision ---- */

/* The tree of directory `dir` (root-relative, "" for the top), borrowed
 * from the chain until the next lookup. 0 found, 1 missing, -1 reported. */
static int rev_dir(tc_source_git *g, tc_diags *d, const char *dir, git_tree **out)
{
	*out = NULL;
	if (!g->top)
		return 1;
	/* keep the part of the chain that dir shares */
	size_t keep = 1;
	const char *p = dir;
	while (*p && keep < g->chain.len) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		const char *cn = g->chain.name[keep];
		if (strlen(cn) != n || memcmp(cn, p, n) != 0)
			break;
		keep++;
		p += n + (slash ? 1 : 0);
	}
	chain_truncate(g, keep);
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		char *name = tc_xmemdup0(p, n);
		git_tree *cur = g->chain.tree[g->chain.len - 1];
		const git_tree_entry *ent = git_tree_entry_byname(cur, name);
		if (!ent) {
			free(name);
			return 1;
		}
		git_filemode_t m = git_tree_entry_filemode(ent);
		if (m != GIT_FILEMODE_TREE) {
			const char *path = tc_xmemdup0(dir, (size_t)(p - dir) + n);
			int r = not_dir(d, path, m);
			free((char *)path);
			free(name);
			return r;
		}
		git_tree *sub = NULL;
		if (git_tree_lookup(&sub, g->repo, git_tree_entry_id(ent)) < 0) {
			free(name);
			return gitfail(d, false, dir, "cannot read '%s' from %s", dir, g->what);
		}
		chain_push(g, name, n, sub);
		free(name);
		p += n + (slash ? 1 : 0);
	}
	*out = g->chain.tree[g->chain.len - 1];
	return 0;
}

static int rev_list(tc_source_git *g, tc_diags *d, const char *dir, tc_entry **out, size_t *n)
{
	git_tree *t;
	int r = rev_dir(g, d, dir, &t);
	if (r)
		return r < 0 ? -1 : 0;
	tc_entries es = {0};
	size_t count = git_tree_entrycount(t);
	for (size_t i = 0; i < count; i++) {
		const git_tree_entry *ent = git_tree_entry_byindex(t, i);
		const char *name = git_tree_entry_name(ent);
		char hex[GIT_OID_HEXSZ + 1];
		git_oid_tostr(hex, sizeof hex, git_tree_entry_id(ent));
		tc_source_entries_push(&es, name, strlen(name),
		                       mode_type(git_tree_entry_filemode(ent)), hex);
	}
	return tc_source_entries_finish(&es, d, dir, g->what, out, n);
}

static int rev_read(tc_source_git *g, tc_diags *d, const char *path, char **data, size_t *len)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	char *dir = tc_xmemdup0(path, slash ? (size_t)(slash - path) : 0);
	git_tree *t;
	int r = rev_dir(g, d, dir, &t);
	free(dir);
	if (r)
		return r;
	const git_tree_entry *ent = git_tree_entry_byname(t, base);
	if (!ent)
		return 1;
	git_filemode_t m = git_tree_entry_filemode(ent);
	if (mode_type(m) != TC_ENTRY_FILE)
		return not_file(d, path, m);
	return read_blob(g, d, path, git_tree_entry_id(ent), data, len);
}

const char *tc_source_git_gitdir(const tc_source_git *g)
{
	return git_repository_path(g->repo);
}

void tc_source_git_tree_id(tc_source_git *g, const char *dir, char out[41])
{
	out[0] = 0;
	if (g->kind != TC_SOURCE_REV)
		return;
	tc_diags quiet;
	tc_diags_init(&quiet);
	git_tree *t;
	if (rev_dir(g, &quiet, dir, &t) == 0)
		git_oid_tostr(out, 41, git_tree_id(t));
	tc_diags_release(&quiet);
}

/* ---- index ---- */

static const char *full_path(tc_source_git *g, const char *path)
{
	tc_buf_reset(&g->full);
	tc_buf_adds(&g->full, g->prefix);
	tc_buf_adds(&g->full, path);
	return tc_buf_str(&g->full);
}

static bool ita(const git_index_entry *e)
{
	return (e->flags_extended & GIT_INDEX_ENTRY_INTENT_TO_ADD) != 0;
}

static int conflict(tc_diags *d, const char *path)
{
	return tc_error(d, (tc_pos){path, 0, 0}, NULL,
	                "'%s' has unresolved merge conflicts in the index", path);
}

/* Is some parent directory of path (root-relative) a file, link or
 * submodule in the index? -1 reported when so, else 0. */
static int index_parents(tc_source_git *g, tc_diags *d, const char *path)
{
	for (const char *s = strchr(path, '/'); s; s = strchr(s + 1, '/')) {
		char *parent = tc_xmemdup0(path, (size_t)(s - path));
		const git_index_entry *e = git_index_get_bypath(g->index, full_path(g, parent), 0);
		int r = 0;
		if (e && !ita(e))
			r = not_dir(d, parent, e->mode);
		free(parent);
		if (r)
			return r;
	}
	return 0;
}

static int index_list(tc_source_git *g, tc_diags *d, const char *dir, tc_entry **out, size_t *n)
{
	tc_buf_reset(&g->full);
	tc_buf_adds(&g->full, g->prefix);
	if (*dir) {
		tc_buf_adds(&g->full, dir);
		tc_buf_addc(&g->full, '/');
	}
	char *want = tc_buf_detach(&g->full, NULL);
	size_t wl = strlen(want);
	size_t pos = 0, count = git_index_entrycount(g->index);
	if (wl && git_index_find_prefix(&pos, g->index, want) < 0) {
		git_error_clear();
		pos = count;
	}
	tc_entries es = {0};
	int r = 0;
	const char *lastdir = NULL;
	size_t lastlen = 0;
	for (; pos < count; pos++) {
		const git_index_entry *e = git_index_get_byindex(g->index, pos);
		if (strncmp(e->path, want, wl) != 0)
			break;
		const char *rest = e->path + wl;
		if (git_index_entry_stage(e) != 0) {
			r = conflict(d, e->path + strlen(g->prefix));
			break;
		}
		if (ita(e))
			continue;
		const char *slash = strchr(rest, '/');
		if (slash) {
			size_t nl = (size_t)(slash - rest);
			/* the entries below one directory are one run */
			if (lastdir && lastlen == nl && memcmp(lastdir, rest, nl) == 0)
				continue;
			tc_source_entries_push(&es, rest, nl, TC_ENTRY_DIR, "");
			lastdir = rest;
			lastlen = nl;
		} else {
			char hex[GIT_OID_HEXSZ + 1];
			git_oid_tostr(hex, sizeof hex, &e->id);
			tc_source_entries_push(&es, rest, strlen(rest), mode_type(e->mode), hex);
		}
	}
	free(want);
	if (r == 0 && es.len == 0 && *dir) {
		/* nothing below dir: it may be a file, a link or a submodule */
		const git_index_entry *e = git_index_get_bypath(g->index, full_path(g, dir), 0);
		if (e && !ita(e))
			r = not_dir(d, dir, e->mode);
		else
			r = index_parents(g, d, dir);
	}
	if (r) {
		tc_source_entries_release(&es);
		return -1;
	}
	return tc_source_entries_finish(&es, d, dir, g->what, out, n);
}

static int index_read(tc_source_git *g, tc_diags *d, const char *path, char **data, size_t *len)
{
	const char *full = full_path(g, path);
	const git_index_entry *e = git_index_get_bypath(g->index, full, 0);
	if (e && !ita(e)) {
		if (mode_type(e->mode) != TC_ENTRY_FILE)
			return not_file(d, path, e->mode);
		git_oid id = e->id; /* the entry may move when the index is touched */
		return read_blob(g, d, path, &id, data, len);
	}
	for (int stage = 1; stage <= 3; stage++)
		if (git_index_get_bypath(g->index, full, stage))
			return conflict(d, path);
	/* a directory? its entries start with "path/" */
	tc_buf_addc(&g->full, '/');
	size_t pos;
	if (git_index_find_prefix(&pos, g->index, tc_buf_str(&g->full)) == 0)
		return tc_source_err_isdir(d, path);
	git_error_clear();
	int r = index_parents(g, d, path);
	return r < 0 ? -1 : 1;
}

/* ---- work tree ---- */

static bool index_has(tc_source_git *g, const char *full)
{
	for (int stage = 0; stage <= 3; stage++)
		if (git_index_get_bypath(g->index, full, stage))
			return true;
	return false;
}

/* Is path (root-relative) a submodule in the index? */
static bool index_gitlink(tc_source_git *g, const char *path)
{
	if (!g->gitlinks)
		return false;
	const git_index_entry *e = git_index_get_bypath(g->index, full_path(g, path), 0);
	return e && e->mode == GIT_FILEMODE_COMMIT;
}

/* Is path (root-relative) absent from the work tree? False when unsure. */
static bool worktree_missing(tc_source_git *g, const char *path)
{
	const char *wd = git_repository_workdir(g->repo);
	char abs[4096];
	int n = snprintf(abs, sizeof abs, "%s%s%s", wd ? wd : "", g->prefix, path);
	if (!wd || n < 0 || (size_t)n >= sizeof abs)
		return false;
	struct stat st;
	return fstatat(AT_FDCWD, abs, &st, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT;
}

/* 1 when git sees path of the work tree (tracked, or untracked and not
 * ignored), 0 when it is untracked and ignored, -1 reported. */
static int worktree_seen(tc_source_git *g, tc_diags *d, const char *path, bool dir)
{
	if (index_has(g, full_path(g, path)))
		return 1;
	if (dir) {
		size_t pos;
		tc_buf_addc(&g->full, '/');
		if (git_index_find_prefix(&pos, g->index, tc_buf_str(&g->full)) == 0)
			return 1;
		git_error_clear();
	}
	/* a path the work tree does not have reads as missing whether git
	 * ignores it or not: the ignore rules look for a .gitignore at every
	 * level of the path, one lookup of the file system each */
	if (worktree_missing(g, path))
		return 1;
	int ignored = 0;
	if (git_ignore_path_is_ignored(&ignored, g->repo, full_path(g, path)) < 0)
		return gitfail(d, false, path, "cannot read the ignore rules for '%s'", path);
	return ignored ? 0 : 1;
}

int tc_source_git_worktree_path(tc_source_git *g, tc_diags *d, const char *path, bool dir)
{
	/* below a submodule of the index: refused as the index refuses it */
	if (g->gitlinks) {
		for (const char *s = strchr(path, '/');; s = strchr(s + 1, '/')) {
			char *part = s ? tc_xmemdup0(path, (size_t)(s - path)) : tc_xstrdup(path);
			bool link = index_gitlink(g, part);
			int r = link ? tc_source_err_submodule(d, part) : 0;
			free(part);
			if (r)
				return r;
			if (!s)
				break;
		}
	}
	return worktree_seen(g, d, path, dir);
}

int tc_source_git_worktree_filter(tc_source_git *g, tc_diags *d, const char *dir, tc_entry *e,
                                  size_t *n)
{
	size_t keep = 0;
	int r = 0;
	for (size_t i = 0; i < *n; i++) {
		const char *path = tc_source_join(&g->scratch, dir, e[i].name, strlen(e[i].name));
		int seen = 1;
		if (index_gitlink(g, path))
			e[i].type = TC_ENTRY_OTHER; /* as the index and revisions list it */
		else if (r == 0)
			seen = worktree_seen(g, d, path, e[i].type == TC_ENTRY_DIR);
		if (seen < 0)
			r = -1;
		if (seen > 0)
			e[keep++] = e[i];
		else
			free(e[i].name);
	}
	*n = keep;
	return r;
}

/* ---- dispatch ---- */

int tc_source_git_list(tc_source_git *g, tc_diags *d, const char *dir, tc_entry **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (g->kind == TC_SOURCE_INDEX)
		return index_list(g, d, dir, out, n);
	if (g->kind == TC_SOURCE_REV)
		return rev_list(g, d, dir, out, n);
	TC_BUG("listing a work tree through git");
}

int tc_source_git_read(tc_source_git *g, tc_diags *d, const char *path, char **data, size_t *len)
{
	*data = NULL;
	*len = 0;
	if (g->kind == TC_SOURCE_INDEX)
		return index_read(g, d, path, data, len);
	if (g->kind == TC_SOURCE_REV)
		return rev_read(g, d, path, data, len);
	TC_BUG("reading a work tree through git");
}

bool tc_source_blob_is(const char *id, const void *data, size_t len)
{
	git_oid want, got;
	if (!id || !id[0] || git_oid_fromstr(&want, id) != 0)
		return false;
	if (git_odb_hash(&got, data, len, GIT_OBJECT_BLOB) != 0)
		return false;
	return git_oid_equal(&want, &got);
}
