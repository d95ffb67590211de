/*
 * outdir.c - deciding whether a folder may be replaced by a render,
 * locking it, and clearing what dead renders left beside it.
 *
 * The rules are in outdir.h. Paths are resolved with realpath(3); a path
 * whose tail does not exist yet is resolved as its deepest existing
 * ancestor plus the missing names, with "." and ".." in the missing part
 * applied by text (a name that does not exist cannot be a symbolic link).
 * Nothing here writes into the output folder: the claim only creates the
 * folder's parents (so that it can lock the parent) and removes the
 * temporary trees of dead renders beside it.
 */
#include "outdir.h"

#include "arena.h"
#include "buf.h"
#include "output.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

const char tc_outdir_marker_text[] =
	"This folder is a tree rendered by tenantc. A render replaces everything in it;\n"
	"tenantc refuses to replace a non-empty folder that does not hold this file.\n";

/* The input folders of a repository: an output may be none of them, and
 * lie inside none of them (PRODUCT.md, the input repository). */
static const char *const inputs[] = {
	".git", "environments", "tenants", "templates", "schemas", "files", "policies", "keys",
};

/* Drop the last name of an absolute path in b ("/a/b" -> "/a", "/a" -> "/"). */
static void drop_last(tc_buf *b)
{
	char *s = b->ptr;
	char *slash = strrchr(s, '/');
	size_t keep = slash && slash > s ? (size_t)(slash - s) : 1;
	b->len = keep;
	s[keep] = 0;
}

/* The real path of path's deepest existing ancestor (malloc'd, or NULL
 * with errno); *cutp is where the names it does not cover begin in path. */
static char *deepest_existing(const char *path, size_t *cutp)
{
	char *real;
	char *head = tc_xstrdup(path);
	size_t cut = strlen(head);
	while (cut > 0 && head[cut - 1] == '/')
		head[--cut] = 0;
	for (;;) {
		char *slash = strrchr(head, '/');
		if (!slash) {
			cut = 0;
			real = realpath(".", NULL);
			break;
		}
		cut = (size_t)(slash - head) + 1;
		*slash = 0;
		real = realpath(slash == head ? "/" : head, NULL);
		if (real || errno != ENOENT)
			break;
	}
	free(head);
	*cutp = cut;
	return real;
}

/* real followed by the names of p, applied by text ("." and ".." too). */
static char *apply_names(char *real, const char *p)
{
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	tc_buf_adds(&b, real);
	free(real);
	while (*p) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			drop_last(&b);
		} else {
			if (b.len > 1)
				tc_buf_addc(&b, '/');
			tc_buf_add(&b, p, n);
		}
		p += n;
		if (*p == '/')
			p++;
	}
	return tc_buf_detach(&b, NULL);
}

/* The absolute, symlink-free spelling of path, malloc'd; NULL (errno set)
 * when an existing part cannot be resolved. */
static char *resolve(const char *path)
{
	char *real = realpath(path, NULL);
	if (real || errno != ENOENT)
		return real;
	size_t cut;
	real = deepest_existing(path, &cut);
	return real ? apply_names(real, path + cut) : NULL;
}

/* a == b, or a lies inside b */
static bool within(const char *a, const char *b)
{
	size_t n = strlen(b);
	if (strncmp(a, b, n) != 0)
		return false;
	return a[n] == 0 || a[n] == '/' || (n == 1 && b[0] == '/');
}

/* The first entry of a folder in byte order besides "." and "..", and
 * whether the marker or .git is there. Returns -1 (errno) when the folder
 * cannot be read. */
static int survey(const char *dir, char **first, bool *marker, bool *git)
{
	*first = NULL;
	*marker = *git = false;
	DIR *dh = opendir(dir);
	if (!dh)
		return -1;
	struct dirent *e;
	while ((e = readdir(dh)) != NULL) {
		const char *nm = e->d_name;
		if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0)
			continue;
		if (strcmp(nm, TC_OUTDIR_MARKER) == 0)
			*marker = true;
		if (strcmp(nm, ".git") == 0)
			*git = true;
		if (!*first || strcmp(nm, *first) < 0) {
			free(*first);
			*first = tc_xstrdup(nm);
		}
	}
	closedir(dh);
	return 0;
}

/* Refuse dir (resolved: real) when it is a repository's or an input's
 * folder. repo: the resolved repository root, or NULL. */
static int refuse_place(const char *dir, const char *real, const char *repo, tc_diags *d)
{
	tc_pos at = {dir, 0, 0};
	if (strcmp(real, "/") == 0)
		return tc_error(d, at, NULL, "refusing to render into the root folder");
	if (!repo)
		return 0;
	if (strcmp(real, repo) == 0)
		return tc_error(d, at, NULL,
		                "refusing to render into the repository itself; "
		                "give an output folder inside it, such as 'rendered'");
	if (within(repo, real))
		return tc_error(d, at, NULL,
		                "refusing to render into a folder that contains the "
		                "repository '%s'",
		                repo);
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	int rc = 0;
	for (size_t i = 0; i < sizeof inputs / sizeof *inputs && rc == 0; i++) {
		tc_buf_reset(&b);
		tc_buf_addf(&b, "%s/%s", repo, inputs[i]);
		if (within(real, tc_buf_str(&b)))
			rc = tc_error(d, at, NULL,
			              "refusing to render into %s '%s' of the repository",
			              strcmp(real, tc_buf_str(&b)) == 0 ? "the input folder"
			                                                : "a folder inside",
			              inputs[i]);
	}
	tc_buf_release(&b);
	return rc;
}

/* Refuse an existing dir that is not tenantc's. */
static int refuse_content(const char *dir, tc_diags *d)
{
	tc_pos at = {dir, 0, 0};
	struct stat st;
	if (lstat(dir, &st) != 0)
		return errno == ENOENT ? 0
		                       : tc_error(d, at, NULL, "cannot read the output folder: %s",
		                                  strerror(errno));
	if (S_ISLNK(st.st_mode))
		return tc_error(d, at, NULL,
		                "the output folder is a symbolic link; give the folder "
		                "it points to");
	if (!S_ISDIR(st.st_mode))
		return tc_error(d, at, NULL, "output '%s' exists and is not a folder", dir);
	char *first;
	bool marker, git;
	if (survey(dir, &first, &marker, &git) != 0)
		return tc_error(d, at, NULL, "cannot read the output folder: %s", strerror(errno));
	int rc = 0;
	if (git)
		rc = tc_error(d, at, NULL, "refusing to replace a folder that holds '.git'");
	else if (first && !marker)
		rc = tc_error(
			d, at, NULL,
			"refusing to replace a folder tenantc did not make: it "
			"holds '%s' and no '" TC_OUTDIR_MARKER "'; choose an empty or new "
			"folder (a tree from a tenantc older than this check: remove it first)",
			first);
	free(first);
	return rc;
}

bool tc_outdir_is_temp(const char *base, const char *name)
{
	size_t n = strlen(base);
	if (name[0] != '.' || strncmp(name + 1, base, n) != 0)
		return false;
	const char *rest = name + 1 + n;
	return strncmp(rest, ".tmp-", 5) == 0 && strlen(rest + 5) == 6;
}

/* The parent folder and last name of a resolved path. */
static void split(const char *real, char **parent, const char **base)
{
	const char *slash = strrchr(real, '/');
	*base = slash + 1;
	*parent = slash == real ? tc_xstrdup("/") : tc_xmemdup0(real, (size_t)(slash - real));
}

void tc_outdir_leftovers(const char *dir, char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	char *real = resolve(dir);
	if (!real || strcmp(real, "/") == 0) {
		free(real);
		return;
	}
	char *parent;
	const char *base;
	split(real, &parent, &base);
	DIR *dh = opendir(parent);
	size_t cap = 0;
	struct dirent *e;
	while (dh && (e = readdir(dh)) != NULL) {
		if (!tc_outdir_is_temp(base, e->d_name))
			continue;
		TC_GROW(*out, cap, *n + 1);
		(*out)[(*n)++] = tc_xstrdup(e->d_name);
	}
	if (dh)
		closedir(dh);
	for (size_t i = 1; i < *n; i++) /* a handful: insertion sort */
		for (size_t k = i; k > 0 && strcmp((*out)[k - 1], (*out)[k]) > 0; k--) {
			char *t = (*out)[k];
			(*out)[k] = (*out)[k - 1];
			(*out)[k - 1] = t;
		}
	free(parent);
	free(real);
}

/* Create every missing folder of an absolute path; *made counts the
 * folders created (the last *made components of path). */
static int mkpath(const char *path, size_t *made)
{
	char *p = tc_xstrdup(path);
	int rc = 0;
	*made = 0;
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != 0)
			continue;
		char c = *s;
		*s = 0;
		if (mkdir(p, 0755) == 0)
			(*made)++;
		else if (errno != EEXIST)
			rc = -1;
		*s = c;
		if (!c || rc)
			break;
	}
	free(p);
	return rc;
}

/* The repository around a resolved output path, for a command that has
 * none (merge): the nearest ancestor holding '.git' or 'tenantc.yaml'. */
static char *discover(const char *real)
{
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	tc_buf_adds(&b, real);
	char *found = NULL;
	while (!found && b.len > 1) {
		drop_last(&b);
		size_t keep = b.len;
		static const char *const signs[] = {".git", "tenantc.yaml"};
		for (size_t i = 0; i < 2 && !found; i++) {
			tc_buf_addf(&b, "%s%s", keep > 1 ? "/" : "", signs[i]);
			struct stat st;
			if (lstat(tc_buf_str(&b), &st) == 0)
				found = tc_xmemdup0(b.ptr, keep);
			b.len = keep;
			b.ptr[keep] = 0;
		}
	}
	tc_buf_release(&b);
	return found;
}

/* The lock of the output folder (o->lockfd); when another render of it
 * holds it, wait for it, then look again, since it may have changed what
 * is there. */
static int lock_output(tc_outdir *o, const char *dir, tc_diags *d)
{
	tc_pos at = {dir, 0, 0};
	if (flock(o->lockfd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno != EWOULDBLOCK)
		return tc_error(d, at, NULL, "cannot lock the output folder: %s", strerror(errno));
	while (flock(o->lockfd, LOCK_EX) != 0)
		if (errno != EINTR)
			return tc_error(d, at, NULL, "cannot lock the output folder: %s",
			                strerror(errno));
	return refuse_content(dir, d);
}

/* Under the lock, a temporary folder beside the output belongs to a
 * render that died: before its swap (removed), or in the middle of an
 * in-place update whose journal it had committed (carried out). */
static int clear_leftovers(tc_outdir *o, const char *dir, const char *parent, tc_diags *d)
{
	char **stale;
	size_t nstale;
	tc_outdir_leftovers(dir, &stale, &nstale);
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	int rc = 0;
	for (size_t i = 0; i < nstale; i++) {
		tc_buf_reset(&b);
		tc_buf_addf(&b, "%s/%s", parent, stale[i]);
		bool completed = false;
		if (rc == 0 && tc_tree_recover(dir, tc_buf_str(&b), &completed, d) == 0)
			o->stale++;
		else
			rc = -1;
		o->recovered += completed;
		free(stale[i]);
	}
	free(stale);
	tc_buf_release(&b);
	if (rc)
		tc_error(d, (tc_pos){dir, 0, 0}, NULL,
		         "cannot clear what an earlier render left beside the output "
		         "folder");
	return rc;
}

int tc_outdir_claim(tc_outdir *o, const char *dir, const char *repo_dir, tc_diags *d)
{
	o->lockfd = -1;
	o->stale = o->recovered = 0;
	o->made = NULL;
	o->nmade = 0;
	tc_pos at = {dir, 0, 0};
	if (!*dir)
		return tc_error(d, TC_NOPOS, NULL, "the output folder is an empty path");
	char *real = resolve(dir);
	char *repo = repo_dir ? realpath(repo_dir, NULL) : real ? discover(real) : NULL;
	char *parent = NULL;
	int rc = -1;
	if (!real) {
		tc_error(d, at, NULL, "cannot resolve the output folder: %s", strerror(errno));
		goto out;
	}
	if (refuse_place(dir, real, repo, d) || refuse_content(dir, d))
		goto out;
	const char *base;
	split(real, &parent, &base);
	size_t made;
	int mk = mkpath(parent, &made);
	if (made) {
		o->made = tc_xstrdup(parent);
		o->nmade = made;
	}
	if (mk != 0) {
		tc_error(d, at, NULL, "cannot create the folder '%s': %s", parent, strerror(errno));
		goto out;
	}
	o->lockfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (o->lockfd < 0) {
		tc_error(d, at, NULL, "cannot open the folder '%s': %s", parent, strerror(errno));
		goto out;
	}
	if (lock_output(o, dir, d) == 0)
		rc = clear_leftovers(o, dir, parent, d);
out:
	if (rc)
		tc_outdir_release(o);
	free(parent);
	free(repo);
	free(real);
	return rc;
}

void tc_outdir_release(tc_outdir *o)
{
	/* rmdir fails on a folder that holds anything (the output once it was
	 * swapped in): only what stayed empty goes, deepest first */
	for (size_t i = 0; o->made && i < o->nmade; i++) {
		if (rmdir(o->made) != 0)
			break;
		char *slash = strrchr(o->made, '/');
		if (!slash || slash == o->made)
			break;
		*slash = 0;
	}
	free(o->made);
	o->made = NULL;
	o->nmade = 0;
	if (o->lockfd >= 0)
		close(o->lockfd);
	o->lockfd = -1;
}
