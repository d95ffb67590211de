/*
 * test_fsutil.c - the shared file helpers: whole-file reads and their
 * limits (exactly max, one byte more, files that are not regular, links),
 * and the messages tc_file_read_report gives the commands.
 */
#include "fsutil.h"
#include "tc_test.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* A fresh folder under $TMPDIR (or /tmp), malloc'd. */
static char *tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *p = tc_path_join(base && *base ? base : "/tmp", "tc-fsutil-XXXXXX");
	return mkdtemp(p) ? p : NULL;
}

static void put(const char *path, const char *data, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		(void)!write(fd, data, n);
		close(fd);
	}
}

TEST(file_read_gives_the_bytes_and_a_nul_after_them)
{
	char *dir = tmpdir();
	CHECK(dir);
	char *f = tc_path_join(dir, "a");
	put(f, "hello\0world", 11);
	char *data = NULL;
	size_t len = 0;
	tc_file_err e;
	CHECK(tc_file_read(&data, &len, f, 100, 0, &e) == 0);
	CHECK(len == 11 && memcmp(data, "hello\0world", 11) == 0 && data[11] == 0);
	free(data);
	unlink(f);
	rmdir(dir);
	free(f);
	free(dir);
}

TEST(file_read_takes_exactly_max_bytes_and_refuses_one_more)
{
	char *dir = tmpdir();
	CHECK(dir);
	char *f = tc_path_join(dir, "a");
	char big[300];
	memset(big, 'x', sizeof big);
	put(f, big, 200);
	char *data;
	size_t len;
	tc_file_err e;
	CHECK(tc_file_read(&data, &len, f, 200, 0, &e) == 0 && len == 200);
	free(data);
	CHECK(tc_file_read(&data, &len, f, 199, 0, &e) == -1 && e.why == TC_FILE_TOOBIG);
	CHECK(tc_file_read(&data, &len, f, 199, TC_FILE_REGULAR, &e) == -1 &&
	      e.why == TC_FILE_TOOBIG);
	unlink(f);
	rmdir(dir);
	free(f);
	free(dir);
}

TEST(file_read_says_why_it_failed)
{
	char *dir = tmpdir();
	CHECK(dir);
	char *data;
	size_t len;
	tc_file_err e;
	char *none = tc_path_join(dir, "none");
	CHECK(tc_file_read(&data, &len, none, 10, 0, &e) == -1 && e.why == TC_FILE_OPEN &&
	      e.err == ENOENT);
	/* a folder opens, then fails to read; with TC_FILE_REGULAR it is refused */
	CHECK(tc_file_read(&data, &len, dir, 10, 0, &e) == -1 && e.why == TC_FILE_READ &&
	      e.err == EISDIR);
	CHECK(tc_file_read(&data, &len, dir, 10, TC_FILE_REGULAR, &e) == -1 &&
	      e.why == TC_FILE_SPECIAL);
	/* a FIFO with no writer must not hang the open */
	char *fifo = tc_path_join(dir, "fifo");
	CHECK(mkfifo(fifo, 0600) == 0);
	CHECK(tc_file_read(&data, &len, fifo, 10, TC_FILE_REGULAR, &e) == -1 &&
	      e.why == TC_FILE_SPECIAL);
	char *link = tc_path_join(dir, "link");
	CHECK(symlink(fifo, link) == 0);
	CHECK(tc_file_read(&data, &len, link, 10, TC_FILE_NOFOLLOW | TC_FILE_REGULAR, &e) == -1 &&
	      e.why == TC_FILE_OPEN && e.err == ELOOP);
	unlink(link);
	unlink(fifo);
	rmdir(dir);
	free(link);
	free(fifo);
	free(none);
	free(dir);
}

TEST(fd_read_all_grows_past_the_hint_and_stops_at_max)
{
	int p[2];
	CHECK(pipe(p) == 0);
	char big[5000];
	memset(big, 'y', sizeof big);
	CHECK(write(p[1], big, sizeof big) == (ssize_t)sizeof big);
	close(p[1]);
	char *data;
	size_t len;
	CHECK(tc_fd_read_all(&data, &len, p[0], 0, 5000) == 0 && len == 5000 && data[4999] == 'y' &&
	      data[5000] == 0);
	free(data);
	close(p[0]);
	CHECK(pipe(p) == 0);
	CHECK(write(p[1], big, sizeof big) == (ssize_t)sizeof big);
	close(p[1]);
	CHECK(tc_fd_read_all(&data, &len, p[0], 10, 4999) == -1 && errno == EFBIG && len == 5000);
	close(p[0]);
}

TEST(file_read_report_words_the_commands_messages)
{
	char *dir = tmpdir();
	CHECK(dir);
	char *f = tc_path_join(dir, "big");
	size_t nbig = (size_t)3 << 20;
	char *big = calloc(1, nbig);
	put(f, big, nbig);
	free(big);
	tc_diags d;
	tc_diags_init(&d);
	char *data;
	size_t len;
	CHECK(tc_file_read_report(&data, &len, &d, f, (size_t)2 << 20) == -1);
	CHECK(d.len == 1);
	char want[300];
	snprintf(want, sizeof want, "'%s' is larger than 2 MiB", f);
	CHECK_STR(d.items[0].msg, want);
	tc_diags_release(&d);
	tc_diags_init(&d);
	CHECK(tc_file_read_report(&data, &len, &d, dir, 10) == -1);
	snprintf(want, sizeof want, "cannot read '%s'", dir);
	CHECK(d.len == 1);
	CHECK_STR(d.items[0].msg, want);
	tc_diags_release(&d);
	unlink(f);
	rmdir(dir);
	free(f);
	free(dir);
}

TEST(write_atomic_replaces_the_file_and_leaves_nothing_beside_it)
{
	char *dir = tmpdir();
	CHECK(dir);
	char *f = tc_path_join(dir, "out");
	put(f, "old", 3);
	CHECK(tc_file_write_atomic(f, "new data", 8, 0640, TC_FILE_SYNC) == 0);
	char *data;
	size_t len;
	tc_file_err e;
	CHECK(tc_file_read(&data, &len, f, 100, 0, &e) == 0);
	CHECK_STR(data, "new data");
	free(data);
	struct stat st;
	CHECK(stat(f, &st) == 0 && (st.st_mode & 0777) == 0640);
	unlink(f);
	/* the folder holds no temporary file: rmdir succeeds */
	CHECK(rmdir(dir) == 0);
	free(f);
	free(dir);
}

TEST(write_atomic_fails_cleanly_where_it_cannot_rename)
{
	char *dir = tmpdir();
	CHECK(dir);
	/* a folder in the way: the rename fails, the temporary file goes */
	char *f = tc_path_join(dir, "sub");
	char *inner = tc_path_join(f, "x");
	CHECK(mkdir(f, 0755) == 0);
	put(inner, "x", 1);
	CHECK(tc_file_write_atomic(f, "data", 4, 0644, 0) == -1 && errno == EISDIR);
	unlink(inner);
	CHECK(rmdir(f) == 0);
	CHECK(rmdir(dir) == 0);
	/* no folder at all: the temporary file cannot be made */
	CHECK(tc_file_write_atomic(inner, "data", 4, 0644, 0) == -1 && errno == ENOENT);
	free(inner);
	free(f);
	free(dir);
}

TEST(fd_write_writes_everything)
{
	int p[2];
	CHECK(pipe(p) == 0);
	CHECK(tc_fd_write(p[1], "abcdef", 6) == 0);
	close(p[1]);
	char buf[16];
	size_t got;
	CHECK(tc_fd_read(p[0], buf, sizeof buf, &got) == 0 && got == 6 &&
	      memcmp(buf, "abcdef", 6) == 0);
	close(p[0]);
	CHECK(tc_fd_write(-1, "a", 1) == -1 && errno == EBADF);
}

TEST(path_join_puts_one_slash_between_and_skips_an_empty_side)
{
	char *p = tc_path_join("a/b", "c");
	CHECK_STR(p, "a/b/c");
	free(p);
	p = tc_path_join("", "c");
	CHECK_STR(p, "c");
	free(p);
	p = tc_path_join("root", "");
	CHECK_STR(p, "root");
	free(p);
	p = tc_path_join("", "");
	CHECK_STR(p, "");
	free(p);
	tc_arena a;
	tc_arena_init(&a);
	CHECK_STR(tc_path_join_arena(&a, "tenants/acme", "files/x"), "tenants/acme/files/x");
	CHECK_STR(tc_path_join_arena(&a, "", "x"), "x");
	tc_arena_release(&a);
}

/* the cache's check of a kept tenant opens its folders this way: a link
 * at any level, a way out of the root or a file in the way fails */
TEST(dir_open_beneath_opens_real_folders_only)
{
	char *dir = tmpdir();
	CHECK(dir);
	char p[4096];
	snprintf(p, sizeof p, "%s/a/b", dir);
	CHECK(tc_test_sh("mkdir -p '%s' && ln -s b '%s/a/l' && ln -s / '%s/a/up' && : >'%s/a/f'", p,
	                 dir, dir, dir) == 0);
	int root = open(dir, O_PATH | O_DIRECTORY);
	CHECK(root >= 0);
	int fd = tc_dir_open_beneath(root, "a/b/ignored", 3);
	CHECK(fd >= 0);
	struct stat st;
	CHECK(fstatat(fd, "", &st, AT_EMPTY_PATH) == 0 && S_ISDIR(st.st_mode));
	close(fd);
	fd = tc_dir_open_beneath(root, "", 0);
	CHECK(fd >= 0);
	close(fd);
	CHECK(tc_dir_open_beneath(root, "a/l", 3) == -1 && errno == ELOOP);
	CHECK(tc_dir_open_beneath(root, "a/up", 4) == -1 && errno == ELOOP);
	CHECK(tc_dir_open_beneath(root, "a/f", 3) == -1 && errno == ENOTDIR);
	CHECK(tc_dir_open_beneath(root, "a/none", 6) == -1 && errno == ENOENT);
	CHECK(tc_dir_open_beneath(root, "a/../..", 7) == -1 && errno == EXDEV);
	close(root);
	free(dir);
}

int main(void)
{
	return RUN(file_read_gives_the_bytes_and_a_nul_after_them,
	           file_read_takes_exactly_max_bytes_and_refuses_one_more,
	           file_read_says_why_it_failed, fd_read_all_grows_past_the_hint_and_stops_at_max,
	           file_read_report_words_the_commands_messages,
	           write_atomic_replaces_the_file_and_leaves_nothing_beside_it,
	           write_atomic_fails_cleanly_where_it_cannot_rename, fd_write_writes_everything,
	           path_join_puts_one_slash_between_and_skips_an_empty_side,
	           dir_open_beneath_opens_real_folders_only);
}
