/*
 * source_dir.c - the directory backend: files under a root directory.
 *
 * Every path is opened one component at a time with openat(O_NOFOLLOW)
 * from a descriptor of the root, so a symbolic link anywhere on the way is
 * seen (and reported) instead of followed, and nothing outside the root
 * can be reached. The directory of the last lookup stays open: the loader
 * reads tenants/<t>/... in order, and then most lookups start there.
 *
 * Files are opened O_NONBLOCK so that a fifo cannot hang us, checked to be
 * regular and at most TC_SOURCE_MAX_FILE bytes before reading, and read
 * with a bound in case they grow meanwhile. Listings skip '.', '..' and
 * '.git' and are sorted by source.c. A folder holding '.git' is a
 * repository of its own: it is listed as TC_ENTRY_OTHER and refused as a
 * submodule on any path through it. Owned: the root descriptor and the
 * cached directory descriptor.
 */
#include "source_impl.h"

#include "arena.h"
#include "buf.h"
#include "fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct tc_source_dir {
	int rootfd;
	char *cpath; /* the cached directory, relative; NULL when none */
	int cfd;     /* its descriptor, -1 when none */
	tc_buf scratch;
};

int tc_source_dir_open(tc_source_dir **out, tc_diags *d, const char *root)
{
	*out = NULL;
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return tc_source_err_os(d, root, "open repository", errno);
	tc_source_dir *x = tc_xcalloc(1, sizeof *x);
	x->rootfd = fd;
	x->cfd = -1;
	tc_buf_init(&x->scratch, TC_BUF_UNLIMITED);
	*out = x;
	return 0;
}

static void uncache(tc_source_dir *x)
{
	if (x->cfd >= 0)
		close(x->cfd);
	free(x->cpath);
	x->cfd = -1;
	x->cpath = NULL;
}

void tc_source_dir_free(tc_source_dir *x)
{
	if (!x)
		return;
	uncache(x);
	close(x->rootfd);
	tc_buf_release(&x->scratch);
	free(x);
}

static bool is_dotgit(const char *n)
{
	return n[0] == '.' && (n[1] | 0x20) == 'g' && (n[2] | 0x20) == 'i' &&
	       (n[3] | 0x20) == 't' && n[4] == 0;
}

/* A folder holding '.git' (a file or a folder: a submodule, a nested
 * clone) is a repository of its own, not part of this one: it is listed
 * as TC_ENTRY_OTHER and refused like a submodule of the index. */
static bool holds_git(int dfd, const char *name)
{
	struct stat st;
	if (!*name)
		return fstatat(dfd, ".git", &st, AT_SYMLINK_NOFOLLOW) == 0;
	size_t n = strlen(name);
	char *p = tc_xmalloc(n + sizeof "/.git");
	memcpy(p, name, n);
	memcpy(p + n, "/.git", sizeof "/.git");
	bool r = fstatat(dfd, p, &st, AT_SYMLINK_NOFOLLOW) == 0;
	free(p);
	return r;
}

/* After openat(O_NOFOLLOW) failed on `name` under dfd, tell why: 1 when it
 * does not exist, -1 (reported) for a link or something that is not what
 * we wanted. `path` is the repository path of name, for messages. */
static int why(tc_diags *d, int dfd, const char *name, const char *path, int err, bool want_dir)
{
	if (err == ENOENT)
		return 1;
	if (err == ELOOP || err == ENOTDIR || err == EISDIR) {
		struct stat st;
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			return errno == ENOENT ? 1 : tc_source_err_os(d, path, "read", errno);
		if (S_ISLNK(st.st_mode))
			return tc_source_err_link(d, path);
		if (want_dir && !S_ISDIR(st.st_mode))
			return tc_source_err_notdir(d, path);
		if (!want_dir && S_ISDIR(st.st_mode))
			return tc_source_err_isdir(d, path);
	}
	return tc_source_err_os(d, path, want_dir ? "open directory" : "open", err);
}

/* The descriptor of directory `dir` (relative, "" for the root), borrowed:
 * it stays valid until the next call. 0 found, 1 missing, -1 reported. */
static int walk(tc_source_dir *x, tc_diags *d, const char *dir, int *out)
{
	*out = -1;
	if (!*dir) {
		*out = x->rootfd;
		return 0;
	}
	if (x->cpath && strcmp(x->cpath, dir) == 0) {
		*out = x->cfd;
		return 0;
	}
	/* start from the cached directory when it is an ancestor of dir */
	size_t start = 0;
	int cur = x->rootfd;
	if (x->cpath) {
		size_t cl = strlen(x->cpath);
		if (strncmp(dir, x->cpath, cl) == 0 && dir[cl] == '/') {
			start = cl + 1;
			cur = x->cfd;
		}
	}
	char *path = tc_xstrdup(dir);
	int r = 0;
	size_t i = start;
	for (;;) {
		char *slash = strchr(path + i, '/');
		if (slash)
			*slash = 0;
		int fd = openat(cur, path + i, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int err = errno;
		if (fd < 0)
			r = why(d, cur, path + i, path, err, true);
		else if (holds_git(fd, ""))
			r = tc_source_err_submodule(d, path);
		if (cur != x->rootfd && cur != x->cfd)
			close(cur);
		if (r != 0) {
			if (fd >= 0)
				close(fd);
			break;
		}
		cur = fd;
		if (!slash)
			break;
		*slash = '/';
		i = (size_t)(slash - path) + 1;
	}
	if (r != 0) {
		free(path);
		return r;
	}
	/* cur is the new directory; the old cache is no longer needed */
	uncache(x);
	x->cpath = path;
	x->cfd = cur;
	*out = cur;
	return 0;
}

/* The type of entry de of dp; 1 when it went away while being read, -1
 * (errno) when it cannot be looked at. */
static int entry_type(DIR *dp, const struct dirent *de, tc_entry_type *type)
{
	unsigned char dt = de->d_type;
	if (dt == DT_UNKNOWN) {
		struct stat st;
		if (fstatat(dirfd(dp), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			return errno == ENOENT ? 1 : -1; /* ENOENT: removed while we read */
		dt = S_ISREG(st.st_mode) ? DT_REG : S_ISDIR(st.st_mode) ? DT_DIR : DT_LNK;
	}
	*type = dt == DT_REG ? TC_ENTRY_FILE : dt == DT_DIR ? TC_ENTRY_DIR : TC_ENTRY_OTHER;
	if (*type == TC_ENTRY_DIR && holds_git(dirfd(dp), de->d_name))
		*type = TC_ENTRY_OTHER;
	return 0;
}

/* Every entry of dp but ".", ".." and git's own into es; -1 with a
 * diagnostic. */
static int read_entries(tc_source_dir *x, tc_diags *d, const char *dir, DIR *dp, tc_entries *es)
{
	for (;;) {
		errno = 0;
		struct dirent *de = readdir(dp);
		if (!de)
			return errno ? tc_source_err_os(d, *dir ? dir : ".", "list", errno) : 0;
		const char *name = de->d_name;
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || is_dotgit(name))
			continue;
		tc_entry_type type;
		int r = entry_type(dp, de, &type);
		if (r > 0)
			continue;
		if (r < 0) {
			int err = errno;
			return tc_source_err_os(d,
			                        tc_source_join(&x->scratch, dir, name,
			                                       strlen(name)),
			                        "read", err);
		}
		tc_source_entries_push(es, name, strlen(name), type, "");
	}
}

int tc_source_dir_list(tc_source_dir *x, tc_diags *d, const char *dir, tc_entry **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	int dfd;
	int r = walk(x, d, dir, &dfd);
	if (r)
		return r < 0 ? -1 : 0;
	/* a fresh descriptor: the cached one must keep no readdir offset */
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return tc_source_err_os(d, *dir ? dir : ".", "list", errno);
	DIR *dp = fdopendir(fd);
	if (!dp) {
		int err = errno;
		close(fd);
		return tc_source_err_os(d, *dir ? dir : ".", "list", err);
	}
	tc_entries es = {0};
	r = read_entries(x, d, dir, dp, &es);
	closedir(dp);
	if (r) {
		tc_source_entries_release(&es);
		return -1;
	}
	return tc_source_entries_finish(&es, d, dir, "directory", out, n);
}

int tc_source_dir_read(tc_source_dir *x, tc_diags *d, const char *path, char **data, size_t *len)
{
	*data = NULL;
	*len = 0;
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	int dfd;
	if (slash) {
		char *dir = tc_xmemdup0(path, (size_t)(slash - path));
		int r = walk(x, d, dir, &dfd);
		free(dir);
		if (r)
			return r;
	} else {
		dfd = x->rootfd;
	}
	int fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return why(d, dfd, base, path, errno, false);
	int r = -1;
	char *p = NULL;
	struct stat st;
	if (fstat(fd, &st) != 0) {
		tc_source_err_os(d, path, "read", errno);
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		if (holds_git(fd, ""))
			tc_source_err_submodule(d, path);
		else
			tc_source_err_isdir(d, path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		tc_source_err_special(d, path);
		goto out;
	}
	if ((uint64_t)st.st_size > TC_SOURCE_MAX_FILE) {
		tc_source_err_toobig(d, path, (uint64_t)st.st_size);
		goto out;
	}
	/* reads up to one byte past the cap, in case the file grew since fstat */
	size_t got;
	if (tc_fd_read_all(&p, &got, fd, (size_t)st.st_size, TC_SOURCE_MAX_FILE) != 0) {
		p = NULL;
		if (errno == EFBIG)
			tc_source_err_toobig(d, path, (uint64_t)got);
		else
			tc_source_err_os(d, path, "read", errno);
		goto out;
	}
	*data = p;
	*len = got;
	p = NULL;
	r = 0;
out:
	free(p);
	close(fd);
	return r;
}
