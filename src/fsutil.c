/*
 * fsutil.c - reading and writing whole files and descriptors (see fsutil.h).
 *
 * One loop reads a descriptor for every module, so EINTR, short reads and a
 * file that changes size while it is read are handled in one place. The
 * buffer grows from the size fstat gave, and the read goes one byte past
 * max so that "exactly max" and "more than max" can be told apart.
 *
 * A file replaced in place is written under a unique name in the same
 * folder (mkostemp, so two writers never share it) and renamed over the
 * old one, as git's lockfile.h does: a reader sees the old or the new
 * file, never a part of one.
 */
#include "fsutil.h"

#include "arena.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int tc_fd_read(int fd, void *buf, size_t cap, size_t *got)
{
	char *p = buf;
	size_t n = 0;
	while (n < cap) {
		ssize_t r = read(fd, p + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			*got = n;
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*got = n;
	return 0;
}

int tc_fd_read_all(char **out, size_t *len, int fd, size_t hint, size_t max)
{
	/* room for one byte past the expected end, to see the end of the file */
	size_t cap = hint < max ? hint + 1 : max + 1;
	if (cap < 64)
		cap = max < 63 ? max + 1 : 64;
	char *p = tc_xmalloc(cap + 1);
	size_t got = 0;
	for (;;) {
		size_t k;
		if (tc_fd_read(fd, p + got, cap - got, &k) != 0) {
			int e = errno;
			free(p);
			errno = e;
			return -1;
		}
		got += k;
		if (got < cap)
			break;
		if (got > max) {
			free(p);
			*len = got;
			errno = EFBIG;
			return -1;
		}
		cap = cap > max / 2 ? max + 1 : cap * 2;
		p = tc_xrealloc(p, cap + 1);
	}
	p[got] = 0;
	*out = p;
	*len = got;
	return 0;
}

int tc_file_read(char **out, size_t *len, const char *path, size_t max, unsigned flags,
                 tc_file_err *e)
{
	int oflags = O_RDONLY | O_CLOEXEC;
	if (flags & TC_FILE_NOFOLLOW)
		oflags |= O_NOFOLLOW;
	if (flags & TC_FILE_REGULAR)
		oflags |= O_NONBLOCK;
	*e = (tc_file_err){0, 0};
	int fd = open(path, oflags);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		*e = (tc_file_err){TC_FILE_OPEN, errno};
		if (fd >= 0)
			close(fd);
		return -1;
	}
	bool reg = S_ISREG(st.st_mode);
	if ((flags & TC_FILE_REGULAR) && !reg)
		e->why = TC_FILE_SPECIAL;
	else if (reg && (uint64_t)st.st_size > max)
		e->why = TC_FILE_TOOBIG;
	else if (tc_fd_read_all(out, len, fd, reg ? (size_t)st.st_size : 0, max) != 0)
		*e = (tc_file_err){errno == EFBIG ? TC_FILE_TOOBIG : TC_FILE_READ,
		                   errno == EFBIG ? 0 : errno};
	close(fd);
	return e->why ? -1 : 0;
}

int tc_file_read_report(char **out, size_t *len, tc_diags *d, const char *path, size_t max)
{
	tc_file_err e;
	if (tc_file_read(out, len, path, max, 0, &e) == 0)
		return 0;
	tc_pos at = {path, 0, 0};
	if (e.why == TC_FILE_OPEN)
		return tc_error(d, at, NULL, "cannot read '%s': %s", path, strerror(e.err));
	if (e.why == TC_FILE_TOOBIG)
		return tc_error(d, at, NULL, "'%s' is larger than %zu MiB", path, max >> 20);
	return tc_error(d, at, NULL, "cannot read '%s'", path);
}

int tc_fd_write(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int tc_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
                         unsigned flags)
{
	size_t n = strlen(path) + sizeof ".tenantc-XXXXXX";
	char *tmp = tc_xmalloc(n);
	snprintf(tmp, n, "%s.tenantc-XXXXXX", path);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		free(tmp);
		errno = e;
		return -1;
	}
	int rc = fchmod(fd, mode);
	if (rc == 0)
		rc = tc_fd_write(fd, data, len);
	if (rc == 0 && (flags & TC_FILE_SYNC))
		rc = fsync(fd);
	int e = errno;
	if (close(fd) != 0 && rc == 0) {
		rc = -1;
		e = errno;
	}
	if (rc == 0 && rename(tmp, path) != 0) {
		rc = -1;
		e = errno;
	}
	if (rc != 0)
		unlink(tmp);
	free(tmp);
	errno = e;
	return rc;
}

/* dir "/" name into p, which has room for join_len(dn, nn) bytes */
static size_t join_len(size_t dn, size_t nn)
{
	return dn + (dn && nn) + nn + 1;
}

static char *join_into(char *p, const char *dir, size_t dn, const char *name, size_t nn)
{
	memcpy(p, dir, dn);
	size_t o = dn;
	if (dn && nn)
		p[o++] = '/';
	memcpy(p + o, name, nn + 1);
	return p;
}

char *tc_path_join(const char *dir, const char *name)
{
	size_t dn = strlen(dir), nn = strlen(name);
	return join_into(tc_xmalloc(join_len(dn, nn)), dir, dn, name, nn);
}

char *tc_path_join_arena(tc_arena *a, const char *dir, const char *name)
{
	size_t dn = strlen(dir), nn = strlen(name);
	return join_into(tc_arena_alloc(a, join_len(dn, nn)), dir, dn, name, nn);
}

/* ---- folders below a root ---------------------------------------------------------------- */

/* One name at a time: the walk for kernels without openat2 (before 5.6). */
static int dir_walk_beneath(int rootfd, const char *rel, size_t len)
{
	int fd = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	size_t i = 0;
	while (fd >= 0 && i < len) {
		size_t k = i;
		while (k < len && rel[k] != '/')
			k++;
		char name[256];
		if (k == i || k - i >= sizeof name ||
		    (k - i == 2 && memcmp(rel + i, "..", 2) == 0)) {
			close(fd);
			errno = EXDEV;
			return -1;
		}
		memcpy(name, rel + i, k - i);
		name[k - i] = 0;
		int sub = openat(fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int e = errno;
		close(fd);
		errno = e;
		fd = sub;
		i = k + 1;
	}
	return fd;
}

int tc_dir_open_beneath(int rootfd, const char *rel, size_t len)
{
	char path[4096];
	if (len == 0)
		return openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (len >= sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(path, rel, len);
	path[len] = 0;
	struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
	                       .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH};
	long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof how);
	if (fd < 0 && (errno == ENOSYS || errno == EPERM)) /* old kernel, or a seccomp filter */
		return dir_walk_beneath(rootfd, rel, len);
	return (int)fd;
}
