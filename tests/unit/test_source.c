/*
 * test_source.c - unit tests for source.c, source_dir.c and source_git.c.
 *
 * Every case builds its own repository under one temporary directory with
 * the git CLI (user name and e-mail in the repository's config, automatic
 * gc off so that no background git writes while we clean up, system and
 * global config kept out by GIT_CONFIG_NOSYSTEM and a temporary HOME,
 * fixed dates so commit times are known) and removes it at the end.
 * Odd trees that git refuses to write are made with libgit2's object
 * database directly.
 */
#include "source.h"

#include "arena.h"
#include "buf.h"
#include "source_loose.h"

#include "tc_test.h"

#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define COMMIT_TIME 1700000000
#define COMMIT_TIME2 1700000100

static char tmproot[PATH_MAX];

/* ---- helpers ---- */

/* first line of a command's output, without the newline */
__attribute__((format(printf, 3, 4))) static int cap(char *out, size_t n, const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	out[0] = 0;
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	if (!fgets(out, (int)n, p))
		out[0] = 0;
	out[strcspn(out, "\n")] = 0;
	return pclose(p);
}

static const char *repo_path(const char *name)
{
	static char path[PATH_MAX];
	tc_test_path(path, sizeof path, "%s/%s", tmproot, name);
	return path;
}

/* a fresh git repository named `name`; returns its path (static) */
static const char *newrepo(const char *name)
{
	const char *p = repo_path(name);
	if (tc_test_sh("rm -rf '%s' && mkdir -p '%s' && cd '%s' && git init -q -b main && "
	               "git config user.name 'tc test' && git config user.email tc@example.com && "
	               "git config gc.auto 0 && git config maintenance.auto false",
	               p, p, p) != 0)
		return NULL;
	return p;
}

static const char *newdir(const char *name)
{
	const char *p = repo_path(name);
	if (tc_test_sh("rm -rf '%s' && mkdir -p '%s'", p, p) != 0)
		return NULL;
	return p;
}

/* write data[0..n) to root/rel, creating the parent directories */
static int putn(const char *root, const char *rel, const char *data, size_t n)
{
	char path[PATH_MAX];
	tc_test_path(path, sizeof path, "%s/%s", root, rel);
	for (char *s = strchr(path + strlen(root) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = 0;
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	size_t w = fwrite(data, 1, n, f);
	return fclose(f) == 0 && w == n ? 0 : -1;
}

static int put(const char *root, const char *rel, const char *text)
{
	return putn(root, rel, text, strlen(text));
}

static int commit(const char *root, const char *msg, long when)
{
	return tc_test_sh("cd '%s' && git add -A && GIT_AUTHOR_DATE='@%ld +0000' "
	                  "GIT_COMMITTER_DATE='@%ld +0000' git commit -q -m '%s'",
	                  root, when, when, msg);
}

static const char *first_diag(tc_diags *d)
{
	static tc_buf b;
	tc_buf_release(&b);
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	if (d->len == 0)
		return "";
	tc_diag_format(&b, &d->items[0]);
	return tc_buf_str(&b);
}

/* Every path, type and file content below dir, depth first in listing
 * order: two sources are equal when their dumps are. */
static int dump(tc_source *s, tc_diags *d, const char *dir, tc_buf *out)
{
	tc_entry *e;
	size_t n;
	if (tc_source_list(s, d, dir, &e, &n) < 0)
		return -1;
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++) {
		char path[PATH_MAX];
		tc_test_path(path, sizeof path, "%s%s%s", dir, *dir ? "/" : "", e[i].name);
		tc_buf_addf(out, "%s %d\n", path, (int)e[i].type);
		if (e[i].type == TC_ENTRY_DIR) {
			r = dump(s, d, path, out);
		} else if (e[i].type == TC_ENTRY_FILE) {
			char *data;
			size_t len;
			r = tc_source_read(s, d, path, &data, &len);
			if (r == 0) {
				tc_buf_addf(out, "%zu:", len);
				tc_buf_add(out, data, len);
				tc_buf_addc(out, '\n');
				free(data);
			}
		}
	}
	tc_entries_free(e, n);
	return r;
}

/* read path from a fresh source of the given kind; returns the read's
 * result, content in *data (malloc'd) */
static int read_from(const char *root, tc_source_kind kind, const char *rev, const char *path,
                     char **data, tc_diags *d)
{
	tc_source *s;
	size_t len;
	*data = NULL;
	if (tc_source_open(&s, d, root, kind, rev) < 0)
		return -2;
	int r = tc_source_read(s, d, path, data, &len);
	tc_source_free(s);
	return r;
}

static bool read_is(const char *root, tc_source_kind kind, const char *rev, const char *path,
                    const char *want)
{
	tc_diags d;
	tc_diags_init(&d);
	char *data;
	int r = read_from(root, kind, rev, path, &data, &d);
	bool ok = r == 0 && d.len == 0 && strcmp(data, want) == 0;
	if (!ok)
		fprintf(stderr, "read %s (kind %d): r=%d %s\n", path, (int)kind, r, first_diag(&d));
	free(data);
	tc_diags_release(&d);
	return ok;
}

/* the first error of reading path, formatted ("" when it read) */
static const char *read_error(const char *root, tc_source_kind kind, const char *rev,
                              const char *path, int *code)
{
	static char msg[2048];
	tc_diags d;
	tc_diags_init(&d);
	char *data;
	int r = read_from(root, kind, rev, path, &data, &d);
	free(data);
	snprintf(msg, sizeof msg, "%s", r < 0 ? first_diag(&d) : "");
	if (code)
		*code = tc_diags_exit_code(&d);
	tc_diags_release(&d);
	return msg;
}

static const char *list_error(const char *root, tc_source_kind kind, const char *dir)
{
	static char msg[2048];
	tc_diags d;
	tc_diags_init(&d);
	tc_source *s;
	msg[0] = 0;
	if (tc_source_open(&s, &d, root, kind, NULL) == 0) {
		tc_entry *e;
		size_t n;
		if (tc_source_list(s, &d, dir, &e, &n) == 0)
			tc_entries_free(e, n);
		tc_source_free(s);
	}
	snprintf(msg, sizeof msg, "%s", first_diag(&d));
	tc_diags_release(&d);
	return msg;
}

/* "name/type name/type ..." of a listing */
static const char *names(const char *root, tc_source_kind kind, const char *rev, const char *dir)
{
	static char out[4096];
	tc_diags d;
	tc_diags_init(&d);
	tc_source *s;
	snprintf(out, sizeof out, "(error)");
	if (tc_source_open(&s, &d, root, kind, rev) == 0) {
		tc_entry *e;
		size_t n;
		if (tc_source_list(s, &d, dir, &e, &n) == 0) {
			size_t k = 0;
			out[0] = 0;
			for (size_t i = 0; i < n; i++)
				k += (size_t)snprintf(out + k, sizeof out - k, "%s%s/%c",
				                      i ? " " : "", e[i].name, "fdo"[e[i].type]);
			tc_entries_free(e, n);
		}
		tc_source_free(s);
	}
	if (d.len)
		fprintf(stderr, "%s\n", first_diag(&d));
	tc_diags_release(&d);
	return out;
}

static const tc_source_kind all_kinds[3] = {TC_SOURCE_WORKTREE, TC_SOURCE_INDEX, TC_SOURCE_REV};

/* a small repository shared by several cases, committed once */
static const char *sample(const char *name)
{
	const char *r = newrepo(name);
	if (!r)
		return NULL;
	static const char bin[] = "bin\0ary\r\n\xff";
	if (put(r, "tenantc.yaml", "output: rendered\n") || put(r, ".gitignore", "rendered/\n") ||
	    put(r, "environments/prod.yaml", "name: prod\n") ||
	    put(r, "tenants/acme/tenant.yaml", "name: acme\n") ||
	    putn(r, "tenants/acme/files/blob.bin", bin, sizeof bin - 1) ||
	    put(r, "tenants/beta/tenant.yaml", "name: beta\n") ||
	    commit(r, "first", COMMIT_TIME) != 0)
		return NULL;
	return r;
}

/* ---- cases ---- */

TEST(path_ok_accepts_clean_relative_paths_and_rejects_escapes)
{
	CHECK(tc_source_path_ok("a"));
	CHECK(tc_source_path_ok("tenants/acme/files/nginx.conf"));
	CHECK(tc_source_path_ok(".gitignore"));
	CHECK(tc_source_path_ok("a..b/...c"));
	CHECK(!tc_source_path_ok(NULL));
	CHECK(!tc_source_path_ok(""));
	CHECK(!tc_source_path_ok("/etc/passwd"));
	CHECK(!tc_source_path_ok("a/"));
	CHECK(!tc_source_path_ok("a//b"));
	CHECK(!tc_source_path_ok("."));
	CHECK(!tc_source_path_ok(".."));
	CHECK(!tc_source_path_ok("a/../b"));
	CHECK(!tc_source_path_ok("./a"));
	CHECK(!tc_source_path_ok("a/.."));
	CHECK(!tc_source_path_ok(".git/config"));
	CHECK(!tc_source_path_ok("x/.GiT/config"));
	char longp[TC_SOURCE_MAX_PATH + 2];
	memset(longp, 'a', sizeof longp - 1);
	longp[sizeof longp - 1] = 0;
	CHECK(!tc_source_path_ok(longp));
	CHECK(tc_source_name_ok("nginx.conf"));
	CHECK(!tc_source_name_ok("a/b"));
	CHECK(!tc_source_name_ok(".."));
	CHECK(!tc_source_name_ok("new\nline"));
	CHECK(!tc_source_path_ok("a/b\x7f"));
	CHECK(tc_source_path_ok("caf\xc3\xa9/\xff"));
}

TEST(directory_index_and_head_give_the_same_listing_and_bytes)
{
	const char *r = sample("same");
	CHECK(r);
	tc_buf dumps[3];
	for (int k = 0; k < 3; k++) {
		tc_buf_init(&dumps[k], TC_BUF_UNLIMITED);
		tc_diags d;
		tc_diags_init(&d);
		tc_source *s;
		CHECK(tc_source_open(&s, &d, r, all_kinds[k], "HEAD") == 0);
		int rc = dump(s, &d, "", &dumps[k]);
		tc_source_free(s);
		if (d.len)
			fprintf(stderr, "%s\n", first_diag(&d));
		CHECK(rc == 0 && d.len == 0);
		tc_diags_release(&d);
	}
	CHECK(strstr(tc_buf_str(&dumps[0]), "tenants/acme/files/blob.bin 0\n10:bin") != NULL);
	CHECK(strstr(tc_buf_str(&dumps[0]), ".git ") == NULL);
	CHECK(dumps[0].len == dumps[1].len &&
	      memcmp(dumps[0].ptr, dumps[1].ptr, dumps[0].len) == 0);
	CHECK(dumps[0].len == dumps[2].len &&
	      memcmp(dumps[0].ptr, dumps[2].ptr, dumps[0].len) == 0);
	for (int k = 0; k < 3; k++)
		tc_buf_release(&dumps[k]);
}

TEST(index_and_revision_report_the_same_blob_ids)
{
	const char *r = sample("ids");
	CHECK(r);
	char want[64];
	CHECK(cap(want, sizeof want, "git -C '%s' rev-parse HEAD:tenants/acme/tenant.yaml", r) ==
	      0);
	for (int k = 1; k < 3; k++) {
		tc_diags d;
		tc_diags_init(&d);
		tc_source *s;
		CHECK(tc_source_open(&s, &d, r, all_kinds[k], NULL) == 0);
		tc_entry *e;
		size_t n;
		CHECK(tc_source_list(s, &d, "tenants/acme", &e, &n) == 0);
		CHECK(n == 2);
		CHECK_STR(e[0].name, "files");
		CHECK(e[0].type == TC_ENTRY_DIR);
		CHECK_STR(e[1].name, "tenant.yaml");
		CHECK_STR(e[1].id, want);
		/* the id stands for the bytes: equal bytes match it, others do not */
		CHECK(tc_source_blob_is(e[1].id, "name: acme\n", 11));
		CHECK(!tc_source_blob_is(e[1].id, "name: acme\n ", 12));
		CHECK(!tc_source_blob_is(e[1].id, "name: acmf\n", 11));
		CHECK(!tc_source_blob_is("", "name: acme\n", 11));
		tc_entries_free(e, n);
		tc_source_free(s);
		tc_diags_release(&d);
	}
	CHECK_STR(names(r, TC_SOURCE_WORKTREE, NULL, "tenants/acme"), "files/d tenant.yaml/f");
}

TEST(staged_changes_are_visible_only_with_the_index)
{
	const char *r = sample("staged");
	CHECK(r);
	CHECK(put(r, "tenants/acme/tenant.yaml", "name: staged\n") == 0);
	CHECK(put(r, "tenants/gamma/tenant.yaml", "name: gamma\n") == 0);
	CHECK(tc_test_sh("cd '%s' && git add tenants", r) == 0);
	CHECK(put(r, "tenants/acme/tenant.yaml", "name: unstaged\n") == 0);
	CHECK(read_is(r, TC_SOURCE_INDEX, NULL, "tenants/acme/tenant.yaml", "name: staged\n"));
	CHECK(read_is(r, TC_SOURCE_REV, "HEAD", "tenants/acme/tenant.yaml", "name: acme\n"));
	CHECK(read_is(r, TC_SOURCE_WORKTREE, NULL, "tenants/acme/tenant.yaml", "name: unstaged\n"));
	CHECK_STR(names(r, TC_SOURCE_INDEX, NULL, "tenants"), "acme/d beta/d gamma/d");
	CHECK_STR(names(r, TC_SOURCE_REV, "HEAD", "tenants"), "acme/d beta/d");
	/* git add -N records an intent, not content: not in the index's view */
	CHECK(put(r, "tenants/delta/tenant.yaml", "name: delta\n") == 0);
	CHECK(tc_test_sh("cd '%s' && git add -N tenants/delta/tenant.yaml", r) == 0);
	CHECK_STR(names(r, TC_SOURCE_INDEX, NULL, "tenants"), "acme/d beta/d gamma/d");
	CHECK_STR(read_error(r, TC_SOURCE_INDEX, NULL, "tenants/delta/tenant.yaml", NULL), "");
}

TEST(a_revision_differs_from_the_work_tree)
{
	const char *r = sample("revs");
	CHECK(r);
	CHECK(put(r, "tenants/acme/tenant.yaml", "name: acme2\n") == 0);
	CHECK(put(r, "tenants/new/tenant.yaml", "name: new\n") == 0);
	CHECK(commit(r, "second", COMMIT_TIME2) == 0);
	CHECK(read_is(r, TC_SOURCE_REV, "HEAD~1", "tenants/acme/tenant.yaml", "name: acme\n"));
	CHECK(read_is(r, TC_SOURCE_REV, "main", "tenants/acme/tenant.yaml", "name: acme2\n"));
	CHECK(read_is(r, TC_SOURCE_WORKTREE, NULL, "tenants/acme/tenant.yaml", "name: acme2\n"));
	tc_diags d;
	tc_diags_init(&d);
	char *data;
	CHECK(read_from(r, TC_SOURCE_REV, "HEAD~1", "tenants/new/tenant.yaml", &data, &d) == 1);
	CHECK(d.len == 0 && data == NULL);
	tc_source *s;
	CHECK(tc_source_open(&s, &d, r, TC_SOURCE_REV, "HEAD~1") == 0);
	CHECK(tc_source_commit_time(s) == COMMIT_TIME);
	CHECK_STR(tc_source_kind_name(s), "revision HEAD~1");
	char want[64];
	CHECK(cap(want, sizeof want, "git -C '%s' rev-parse HEAD~1", r) == 0);
	CHECK_STR(tc_source_commit_id(s), want);
	tc_source_free(s);
	tc_diags_release(&d);
}

TEST(listings_are_sorted_by_name_bytes_not_git_tree_order)
{
	const char *r = newrepo("order");
	CHECK(r);
	/* git orders a tree "a-b", "a.b", "a" (as "a/"), "a0"; bytes order "a" first */
	CHECK(put(r, "x/a.b", "1") == 0 && put(r, "x/a/f", "2") == 0 && put(r, "x/a-b", "3") == 0);
	CHECK(put(r, "x/a0", "4") == 0 && put(r, "x/B", "5") == 0 &&
	      put(r, "x/\xc3\xa9", "6") == 0);
	CHECK(put(r, "x/a.b.c/f", "7") == 0);
	CHECK(commit(r, "order", COMMIT_TIME) == 0);
	char treeorder[256];
	CHECK(cap(treeorder, sizeof treeorder,
	          "git -C '%s' ls-tree --name-only HEAD:x | tr '\\n' ' '", r) == 0);
	CHECK(strncmp(treeorder, "B a-b a.b a.b.c a a0", 20) == 0); /* git's own order */
	for (int k = 0; k < 3; k++)
		CHECK_STR(names(r, all_kinds[k], NULL, "x"),
		          "B/f a/d a-b/f a.b/f a.b.c/d a0/f \xc3\xa9/f");
}

TEST(a_symlink_is_rejected_in_a_directory)
{
	const char *r = sample("linkdir");
	CHECK(r);
	CHECK(tc_test_sh("cd '%s' && ln -s ../tenant.yaml tenants/acme/files/x && "
	                 "ln -s acme tenants/link && ln -s /etc/passwd pw",
	                 r) == 0);
	CHECK_STR(names(r, TC_SOURCE_WORKTREE, NULL, "tenants/acme/files"), "blob.bin/f x/o");
	int code = 0;
	CHECK_STR(read_error(r, TC_SOURCE_WORKTREE, NULL, "tenants/acme/files/x", &code),
	          "tenants/acme/files/x:1:1: error: 'tenants/acme/files/x' is a symbolic link; "
	          "tenantc does not follow links");
	CHECK(code == 2);
	CHECK_STR(read_error(r, TC_SOURCE_WORKTREE, NULL, "tenants/link/tenant.yaml", NULL),
	          "tenants/link:1:1: error: 'tenants/link' is a symbolic link; tenantc does not "
	          "follow links");
	CHECK_STR(list_error(r, TC_SOURCE_WORKTREE, "tenants/link"),
	          "tenants/link:1:1: error: 'tenants/link' is a symbolic link; tenantc does not "
	          "follow links");
	CHECK(strstr(read_error(r, TC_SOURCE_WORKTREE, NULL, "pw", NULL), "symbolic link"));
}

TEST(a_symlink_is_rejected_in_the_index_and_a_revision)
{
	const char *r = sample("linkgit");
	CHECK(r);
	CHECK(tc_test_sh(
		      "cd '%s' && ln -s ../tenant.yaml tenants/acme/files/x && ln -s acme tenants/link",
		      r) == 0);
	CHECK(commit(r, "links", COMMIT_TIME2) == 0);
	for (int k = 1; k < 3; k++) {
		CHECK_STR(names(r, all_kinds[k], NULL, "tenants/acme/files"), "blob.bin/f x/o");
		CHECK_STR(
			read_error(r, all_kinds[k], NULL, "tenants/acme/files/x", NULL),
			"tenants/acme/files/x:1:1: error: 'tenants/acme/files/x' is a symbolic link; "
			"tenantc does not follow links");
		CHECK_STR(
			read_error(r, all_kinds[k], NULL, "tenants/link/tenant.yaml", NULL),
			"tenants/link:1:1: error: 'tenants/link' is a symbolic link; tenantc does "
			"not follow links");
		CHECK(strstr(list_error(r, all_kinds[k], "tenants/link"), "symbolic link"));
	}
}

TEST(a_submodule_is_rejected)
{
	const char *r = sample("submod");
	CHECK(r);
	char head[64];
	CHECK(cap(head, sizeof head, "git -C '%s' rev-parse HEAD", r) == 0);
	CHECK(tc_test_sh("cd '%s' && git update-index --add --cacheinfo 160000,%s,tenants/sub && "
	                 "GIT_COMMITTER_DATE='@%d +0000' git commit -q -m sub",
	                 r, head, COMMIT_TIME2) == 0);
	for (int k = 1; k < 3; k++) {
		CHECK_STR(names(r, all_kinds[k], NULL, "tenants"), "acme/d beta/d sub/o");
		CHECK_STR(
			read_error(r, all_kinds[k], NULL, "tenants/sub", NULL),
			"tenants/sub:1:1: error: 'tenants/sub' is a submodule; tenantc does not read "
			"submodules");
		CHECK(strstr(read_error(r, all_kinds[k], NULL, "tenants/sub/x.yaml", NULL),
		             "'tenants/sub' is a submodule"));
		CHECK(strstr(list_error(r, all_kinds[k], "tenants/sub"), "is a submodule"));
	}
}

/* issue 21: a work tree read dot files, git-ignored files and nested
 * repositories that the index and revisions never show */
TEST(every_source_reads_what_git_sees)
{
	const char *r = sample("gitsees");
	CHECK(r);
	/* committed: a dot file, and a file that .gitignore matches */
	CHECK(put(r, "tenants/acme/files/.keep", "") == 0);
	CHECK(put(r, "tenants/acme/files/tracked.log", "t\n") == 0);
	CHECK(put(r, ".gitignore", "rendered/\n*.log\nscratch/\n") == 0);
	CHECK(tc_test_sh("cd '%s' && git add -f -A && git commit -q -m more", r) == 0);
	/* then, in the work tree only: ignored and dot files, a nested clone */
	CHECK(put(r, "tenants/acme/files/.DS_Store", "junk") == 0);
	CHECK(put(r, "tenants/acme/files/local.log", "l\n") == 0);
	CHECK(put(r, "tenants/acme/files/scratch/x", "x\n") == 0);
	for (int k = 0; k < 3; k++) {
		CHECK_STR(names(r, all_kinds[k], NULL, "tenants/acme/files"),
		          "blob.bin/f tracked.log/f");
		CHECK_STR(read_error(r, all_kinds[k], NULL, "tenants/acme/files/local.log", NULL),
		          "");
	}
	/* an ignored file reads as missing from the work tree too */
	tc_diags d;
	tc_diags_init(&d);
	char *data;
	CHECK(read_from(r, TC_SOURCE_WORKTREE, NULL, "tenants/acme/files/local.log", &data, &d) ==
	      1);
	CHECK(d.len == 0);
	tc_diags_release(&d);
	/* a folder holding .git is a repository of its own: refused like a
	 * submodule, inside git and in a plain directory alike */
	CHECK(put(r, "tenants/acme/files/vendor/.git", "gitdir: elsewhere\n") == 0);
	CHECK(put(r, "tenants/acme/files/vendor/a", "a\n") == 0);
	CHECK_STR(names(r, TC_SOURCE_WORKTREE, NULL, "tenants/acme/files"),
	          "blob.bin/f tracked.log/f vendor/o");
	CHECK_STR(list_error(r, TC_SOURCE_WORKTREE, "tenants/acme/files/vendor"),
	          "tenants/acme/files/vendor:1:1: error: 'tenants/acme/files/vendor' is a "
	          "submodule; tenantc does not read submodules");
	CHECK(strstr(read_error(r, TC_SOURCE_WORKTREE, NULL, "tenants/acme/files/vendor/a", NULL),
	             "'tenants/acme/files/vendor' is a submodule"));
	CHECK(strstr(read_error(r, TC_SOURCE_WORKTREE, NULL, "tenants/acme/files/vendor", NULL),
	             "'tenants/acme/files/vendor' is a submodule"));
	const char *p = newdir("plainsees");
	CHECK(p);
	CHECK(put(p, "files/.hidden", "h") == 0 && put(p, "files/a.log", "a") == 0);
	CHECK(put(p, ".gitignore", "*.log\n") == 0 && put(p, "files/sub/.git/HEAD", "x") == 0);
	CHECK_STR(names(p, TC_SOURCE_WORKTREE, NULL, "files"), "a.log/f sub/o");
}

/* a commit whose root tree holds one entry `name` (any bytes but NUL),
 * under refs/heads/<ref> */
static int odd_tree(const char *root, const char *name, const char *ref)
{
	git_repository *repo = NULL;
	git_odb *odb = NULL;
	git_tree *tree = NULL;
	git_signature *sig = NULL;
	int rc = -1;
	if (git_repository_open(&repo, root) < 0 || git_repository_odb(&odb, repo) < 0)
		goto out;
	git_oid blob, tid, cid;
	if (git_odb_write(&blob, odb, "x\n", 2, GIT_OBJECT_BLOB) < 0)
		goto out;
	char raw[512];
	int n = snprintf(raw, sizeof raw, "100644 %s", name);
	raw[n++] = 0;
	memcpy(raw + n, blob.id, GIT_OID_RAWSZ);
	n += GIT_OID_RAWSZ;
	if (git_odb_write(&tid, odb, raw, (size_t)n, GIT_OBJECT_TREE) < 0)
		goto out;
	if (git_tree_lookup(&tree, repo, &tid) < 0)
		goto out;
	if (git_signature_new(&sig, "tc test", "tc@example.com", COMMIT_TIME, 0) < 0)
		goto out;
	char refname[128];
	snprintf(refname, sizeof refname, "refs/heads/%s", ref);
	if (git_commit_create(&cid, repo, refname, sig, sig, NULL, "odd", tree, 0, NULL) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0) {
		const git_error *e = git_error_last();
		fprintf(stderr, "odd_tree: %s\n", e ? e->message : "?");
	}
	git_signature_free(sig);
	git_tree_free(tree);
	git_odb_free(odb);
	git_repository_free(repo);
	return rc;
}

TEST(bad_names_in_a_git_tree_are_rejected)
{
	const char *r = sample("badnames");
	CHECK(r);
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 0);
	CHECK(odd_tree(r, "..", "dotdot") == 0);
	CHECK(odd_tree(r, "a/b", "slash") == 0);
	CHECK(odd_tree(r, ".git", "dotgit") == 0);
	CHECK(odd_tree(r, "new\nline", "newline") == 0);
	CHECK(odd_tree(r, "fine", "fine") == 0);
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 1);
	const char *refs[] = {"dotdot", "slash", "dotgit", "newline"};
	const char *shown[] = {"'..'", "'a/b'", "'.git'", "'new\\x0aline'"};
	for (int i = 0; i < 4; i++) {
		tc_diags d;
		tc_diags_init(&d);
		tc_source *s;
		CHECK(tc_source_open(&s, &d, r, TC_SOURCE_REV, refs[i]) == 0);
		tc_entry *e;
		size_t n;
		int lr = tc_source_list(s, &d, "", &e, &n);
		if (lr != -1)
			fprintf(stderr, "%s: listed %zu: %s\n", refs[i], n, n ? e[0].name : "");
		CHECK(lr == -1);
		CHECK(e == NULL && n == 0);
		const char *m = first_diag(&d);
		CHECK(strstr(m, "invalid file name") && strstr(m, shown[i]));
		CHECK(strstr(m, "revision 'x'") == NULL);
		CHECK(tc_diags_exit_code(&d) == 2);
		tc_source_free(s);
		tc_diags_release(&d);
	}
	CHECK_STR(names(r, TC_SOURCE_REV, "fine", ""), "fine/f");
}

TEST(bad_paths_are_rejected_before_any_backend_sees_them)
{
	const char *r = sample("badpaths");
	CHECK(r);
	const char *bad[] = {"../etc/passwd",          "/etc/passwd", "a//b", "", ".git/config",
	                     "tenants/../tenantc.yaml"};
	for (int k = 0; k < 3; k++) {
		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			int code = 0;
			const char *m = read_error(r, all_kinds[k], NULL, bad[i], &code);
			CHECK(strstr(m, "is not a valid path inside the repository"));
			CHECK(code == 2);
		}
		CHECK(strstr(list_error(r, all_kinds[k], "../"), "is not a valid path"));
	}
}

TEST(an_unknown_revision_is_an_input_error)
{
	const char *r = sample("unknown");
	CHECK(r);
	tc_diags d;
	tc_diags_init(&d);
	tc_source *s = (tc_source *)1;
	CHECK(tc_source_open(&s, &d, r, TC_SOURCE_REV, "nope") == -1);
	CHECK(s == NULL);
	CHECK_STR(first_diag(&d), "tenantc: error: unknown revision 'nope'");
	CHECK(tc_diags_exit_code(&d) == 2);
	tc_diags_release(&d);
	tc_diags_init(&d);
	CHECK(tc_source_open(&s, &d, r, TC_SOURCE_REV, "HEAD:tenantc.yaml") == -1);
	CHECK_STR(first_diag(&d), "tenantc: error: revision 'HEAD:tenantc.yaml' is not a commit");
	tc_diags_release(&d);
	tc_diags_init(&d);
	CHECK(tc_source_open(&s, &d, r, TC_SOURCE_REV, "HEAD~5") == -1);
	CHECK_STR(first_diag(&d), "tenantc: error: unknown revision 'HEAD~5'");
	tc_diags_release(&d);
}

TEST(a_missing_file_returns_1_and_a_missing_directory_lists_nothing)
{
	const char *r = sample("missing");
	CHECK(r);
	for (int k = 0; k < 3; k++) {
		tc_diags d;
		tc_diags_init(&d);
		tc_source *s;
		CHECK(tc_source_open(&s, &d, r, all_kinds[k], NULL) == 0);
		char *data = (char *)1;
		size_t len = 7;
		CHECK(tc_source_read(s, &d, "nope.yaml", &data, &len) == 1);
		CHECK(data == NULL && len == 0);
		CHECK(tc_source_read(s, &d, "tenants/nope/tenant.yaml", &data, &len) == 1);
		CHECK(tc_source_read(s, &d, "nope/deeper/x", &data, &len) == 1);
		tc_entry *e = (tc_entry *)1;
		size_t n = 9;
		CHECK(tc_source_list(s, &d, "schemas", &e, &n) == 0);
		CHECK(e == NULL && n == 0);
		CHECK(tc_source_list(s, &d, "tenants/nope/files", &e, &n) == 0 && n == 0);
		CHECK(d.len == 0);
		tc_source_free(s);
		tc_diags_release(&d);
	}
}

TEST(a_work_tree_takes_commit_id_and_time_from_head)
{
	const char *r = sample("commitinfo");
	CHECK(r);
	char head[64];
	CHECK(cap(head, sizeof head, "git -C '%s' rev-parse HEAD", r) == 0);
	CHECK(put(r, "tenants/acme/tenant.yaml", "name: dirty\n") == 0);
	for (int k = 0; k < 3; k++) {
		tc_diags d;
		tc_diags_init(&d);
		tc_source *s;
		CHECK(tc_source_open(&s, &d, r, all_kinds[k], NULL) == 0);
		CHECK_STR(tc_source_commit_id(s), head);
		CHECK(tc_source_commit_time(s) == COMMIT_TIME);
		tc_source_free(s);
		tc_diags_release(&d);
	}
	tc_diags d;
	tc_diags_init(&d);
	tc_source *s;
	CHECK(tc_source_open(&s, &d, r, TC_SOURCE_AUTO, NULL) == 0);
	CHECK_STR(tc_source_kind_name(s), "directory");
	CHECK_STR(tc_source_commit_id(s), head);
	tc_source_free(s);
	tc_diags_release(&d);
}

TEST(a_repository_without_commits_and_a_plain_directory_have_no_commit)
{
	const char *r = newrepo("empty");
	CHECK(r);
	CHECK(put(r, "tenantc.yaml", "output: out\n") == 0);
	tc_diags d;
	tc_diags_init(&d);
	tc_source *s;
	CHECK(tc_source_open(&s, &d, r, TC_SOURCE_WORKTREE, NULL) == 0);
	CHECK(tc_source_commit_id(s) == NULL && tc_source_commit_time(s) == 0);
	tc_source_free(s);
	CHECK(tc_source_open(&s, &d, r, TC_SOURCE_INDEX, NULL) == 0);
	CHECK(tc_source_commit_id(s) == NULL);
	tc_source_free(s);
	CHECK(d.len == 0);
	CHECK(tc_source_open(&s, &d, r, TC_SOURCE_REV, "HEAD") == -1);
	CHECK_STR(first_diag(&d), "tenantc: error: unknown revision 'HEAD'");
	tc_diags_release(&d);

	const char *p = newdir("plain");
	CHECK(p);
	CHECK(put(p, "tenantc.yaml", "output: out\n") == 0);
	git_repository *probe = NULL;
	if (git_repository_open_ext(&probe, p, 0, NULL) == 0) {
		/* the temporary directory sits inside some repository */
		git_repository_free(probe);
		printf("note: %s is inside a git repository; plain-directory checks skipped\n", p);
		return;
	}
	tc_diags_init(&d);
	CHECK(tc_source_open(&s, &d, p, TC_SOURCE_AUTO, NULL) == 0);
	CHECK(tc_source_commit_id(s) == NULL && tc_source_commit_time(s) == 0);
	char id[41] = "x";
	tc_source_tree_id(s, "", id);
	CHECK(id[0] == 0);
	tc_source_free(s);
	CHECK(read_is(p, TC_SOURCE_WORKTREE, NULL, "tenantc.yaml", "output: out\n"));
	tc_diags_release(&d);
}

TEST(index_or_revision_outside_git_is_a_clear_error)
{
	const char *p = newdir("nogit");
	CHECK(p);
	git_repository *probe = NULL;
	if (git_repository_open_ext(&probe, p, 0, NULL) == 0) {
		git_repository_free(probe);
		printf("note: %s is inside a git repository; check skipped\n", p);
		return;
	}
	tc_diags d;
	tc_diags_init(&d);
	tc_source *s;
	CHECK(tc_source_open(&s, &d, p, TC_SOURCE_INDEX, NULL) == -1);
	CHECK(strstr(first_diag(&d), "cannot read the index: '") &&
	      strstr(first_diag(&d), "' is not in a git repository"));
	CHECK(tc_diags_exit_code(&d) == 2);
	tc_diags_release(&d);
	tc_diags_init(&d);
	CHECK(tc_source_open(&s, &d, p, TC_SOURCE_REV, "main") == -1);
	CHECK(strstr(first_diag(&d), "cannot read revision 'main': '"));
	tc_diags_release(&d);
	tc_diags_init(&d);
	CHECK(tc_source_open(&s, &d, repo_path("does-not-exist"), TC_SOURCE_AUTO, NULL) == -1);
	CHECK(strstr(first_diag(&d), "cannot open repository") &&
	      strstr(first_diag(&d), "No such file or directory"));
	tc_diags_release(&d);
}

TEST(a_root_in_a_subfolder_of_the_git_work_tree_reads_relative_paths)
{
	const char *r = newrepo("subfolder");
	CHECK(r);
	CHECK(put(r, "README", "top\n") == 0);
	CHECK(put(r, "platform/tenantc.yaml", "output: x\n") == 0);
	CHECK(put(r, "platform/tenants/acme/tenant.yaml", "name: acme\n") == 0);
	CHECK(put(r, "platform2/other", "no\n") == 0);
	CHECK(commit(r, "sub", COMMIT_TIME) == 0);
	char root[PATH_MAX];
	tc_test_path(root, sizeof root, "%s/platform", r);
	for (int k = 0; k < 3; k++) {
		CHECK_STR(names(root, all_kinds[k], NULL, ""), "tenantc.yaml/f tenants/d");
		CHECK(read_is(root, all_kinds[k], NULL, "tenants/acme/tenant.yaml",
		              "name: acme\n"));
		CHECK_STR(read_error(root, all_kinds[k], NULL, "README", NULL), "");
	}
	char want[64];
	CHECK(cap(want, sizeof want, "git -C '%s' rev-parse HEAD:platform/tenants", r) == 0);
	tc_diags d;
	tc_diags_init(&d);
	tc_source *s;
	CHECK(tc_source_open(&s, &d, root, TC_SOURCE_REV, NULL) == 0);
	char id[41];
	tc_source_tree_id(s, "tenants", id);
	CHECK_STR(id, want);
	tc_source_free(s);
	/* a revision from before the folder existed reads as empty */
	CHECK(put(r, "platform3/tenantc.yaml", "output: y\n") == 0);
	CHECK(commit(r, "later", COMMIT_TIME2) == 0);
	tc_test_path(root, sizeof root, "%s/platform3", r);
	CHECK(tc_source_open(&s, &d, root, TC_SOURCE_REV, "HEAD~1") == 0);
	tc_entry *e;
	size_t n;
	CHECK(tc_source_list(s, &d, "", &e, &n) == 0 && n == 0);
	tc_source_free(s);
	CHECK(d.len == 0);
	tc_diags_release(&d);
}

TEST(a_file_over_the_size_limit_is_rejected_before_reading)
{
	const char *r = sample("toobig");
	CHECK(r);
	char path[PATH_MAX];
	tc_test_path(path, sizeof path, "%s/big.yaml", r);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK(ftruncate(fd, (off_t)TC_SOURCE_MAX_FILE + 1) == 0);
	close(fd);
	tc_test_path(path, sizeof path, "%s/limit.yaml", r);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK(ftruncate(fd, (off_t)TC_SOURCE_MAX_FILE) == 0);
	close(fd);
	CHECK(commit(r, "big", COMMIT_TIME2) == 0);
	for (int k = 0; k < 3; k++) {
		int code = 0;
		CHECK_STR(
			read_error(r, all_kinds[k], NULL, "big.yaml", &code),
			"big.yaml:1:1: error: 'big.yaml' is too large (16777217 bytes; the limit is 16 "
			"MiB)");
		CHECK(code == 2);
		tc_diags d;
		tc_diags_init(&d);
		char *data;
		CHECK(read_from(r, all_kinds[k], NULL, "limit.yaml", &data, &d) == 0);
		free(data);
		tc_diags_release(&d);
	}
}

TEST(tree_ids_come_from_revisions_only)
{
	const char *r = sample("treeid");
	CHECK(r);
	char root[64], ten[64];
	CHECK(cap(root, sizeof root, "git -C '%s' rev-parse 'HEAD^{tree}'", r) == 0);
	CHECK(cap(ten, sizeof ten, "git -C '%s' rev-parse HEAD:tenants/acme", r) == 0);
	tc_diags d;
	tc_diags_init(&d);
	tc_source *s;
	CHECK(tc_source_open(&s, &d, r, TC_SOURCE_REV, NULL) == 0);
	char id[41];
	tc_source_tree_id(s, "", id);
	CHECK_STR(id, root);
	tc_source_tree_id(s, "tenants/acme", id);
	CHECK_STR(id, ten);
	tc_source_tree_id(s, "tenants/nope", id);
	CHECK_STR(id, "");
	tc_source_tree_id(s, "tenantc.yaml", id);
	CHECK_STR(id, "");
	tc_source_tree_id(s, "../x", id);
	CHECK_STR(id, "");
	/* the chain cache must not confuse siblings */
	tc_source_tree_id(s, "tenants/beta", id);
	char beta[64];
	CHECK(cap(beta, sizeof beta, "git -C '%s' rev-parse HEAD:tenants/beta", r) == 0);
	CHECK_STR(id, beta);
	tc_source_free(s);
	for (int k = 0; k < 2; k++) {
		CHECK(tc_source_open(&s, &d, r, all_kinds[k], NULL) == 0);
		memcpy(id, "x", 2);
		tc_source_tree_id(s, "", id);
		CHECK_STR(id, "");
		tc_source_free(s);
	}
	CHECK(d.len == 0);
	tc_diags_release(&d);
}

TEST(the_index_named_by_git_index_file_is_read_when_inside_the_git_dir)
{
	const char *r = sample("indexfile");
	CHECK(r);
	CHECK(put(r, "tenants/acme/tenant.yaml", "name: hook\n") == 0);
	CHECK(tc_test_sh("cd '%s' && cp .git/index .git/alt-index && "
	                 "GIT_INDEX_FILE=.git/alt-index git add tenants/acme/tenant.yaml",
	                 r) == 0);
	CHECK(read_is(r, TC_SOURCE_INDEX, NULL, "tenants/acme/tenant.yaml", "name: acme\n"));
	setenv("GIT_INDEX_FILE", ".git/alt-index", 1);
	bool hook = read_is(r, TC_SOURCE_INDEX, NULL, "tenants/acme/tenant.yaml", "name: hook\n");
	char abs[PATH_MAX];
	tc_test_path(abs, sizeof abs, "%s/.git/alt-index", r);
	setenv("GIT_INDEX_FILE", abs, 1);
	bool hook_abs =
		read_is(r, TC_SOURCE_INDEX, NULL, "tenants/acme/tenant.yaml", "name: hook\n");
	/* an index outside this repository's git directory is not ours */
	CHECK(tc_test_sh("cp '%s/.git/alt-index' '%s/stray-index'", r, tmproot) == 0);
	tc_test_path(abs, sizeof abs, "%s/stray-index", tmproot);
	setenv("GIT_INDEX_FILE", abs, 1);
	bool stray = read_is(r, TC_SOURCE_INDEX, NULL, "tenants/acme/tenant.yaml", "name: acme\n");
	unsetenv("GIT_INDEX_FILE");
	CHECK(hook && hook_abs && stray);
}

TEST(a_fifo_is_rejected_without_blocking)
{
	const char *r = newdir("fifo");
	CHECK(r);
	char path[PATH_MAX];
	tc_test_path(path, sizeof path, "%s/pipe.yaml", r);
	CHECK(mkfifo(path, 0644) == 0);
	CHECK_STR(names(r, TC_SOURCE_WORKTREE, NULL, ""), "pipe.yaml/o");
	CHECK_STR(read_error(r, TC_SOURCE_WORKTREE, NULL, "pipe.yaml", NULL),
	          "pipe.yaml:1:1: error: 'pipe.yaml' is not a regular file");
}

TEST(files_and_directories_in_the_wrong_place_are_errors)
{
	const char *r = sample("wrongplace");
	CHECK(r);
	for (int k = 0; k < 3; k++) {
		CHECK_STR(read_error(r, all_kinds[k], NULL, "tenants/acme", NULL),
		          "tenants/acme:1:1: error: 'tenants/acme' is a directory, not a file");
		CHECK_STR(list_error(r, all_kinds[k], "tenantc.yaml"),
		          "tenantc.yaml:1:1: error: 'tenantc.yaml' is not a directory");
		CHECK_STR(read_error(r, all_kinds[k], NULL, "tenantc.yaml/x", NULL),
		          "tenantc.yaml:1:1: error: 'tenantc.yaml' is not a directory");
		CHECK_STR(
			list_error(r, all_kinds[k], "tenants/acme/tenant.yaml/y"),
			"tenants/acme/tenant.yaml:1:1: error: 'tenants/acme/tenant.yaml' is not a "
			"directory");
	}
}

TEST(merge_conflicts_in_the_index_are_errors)
{
	const char *r = sample("conflict");
	CHECK(r);
	CHECK(tc_test_sh(
		      "cd '%s' && git checkout -q -b other && echo 'name: other' > "
		      "tenants/acme/tenant.yaml && git commit -q -am other && git checkout -q main && "
		      "echo 'name: main' > tenants/acme/tenant.yaml && git commit -q -am main && "
		      "(git merge -q other >/dev/null 2>&1; true)",
		      r) == 0);
	const char *want = "tenants/acme/tenant.yaml:1:1: error: 'tenants/acme/tenant.yaml' has "
			   "unresolved merge conflicts in the index";
	CHECK_STR(read_error(r, TC_SOURCE_INDEX, NULL, "tenants/acme/tenant.yaml", NULL), want);
	CHECK_STR(list_error(r, TC_SOURCE_INDEX, "tenants/acme"), want);
	CHECK(read_is(r, TC_SOURCE_INDEX, NULL, "tenants/beta/tenant.yaml", "name: beta\n"));
}

TEST(an_unreadable_file_is_an_input_error)
{
	if (geteuid() == 0) {
		printf("note: running as root, permissions are not enforced; case skipped\n");
		return;
	}
	const char *r = newdir("perm");
	CHECK(r);
	CHECK(put(r, "secret.yaml", "x: 1\n") == 0);
	char path[PATH_MAX];
	tc_test_path(path, sizeof path, "%s/secret.yaml", r);
	CHECK(chmod(path, 0) == 0);
	int code = 0;
	CHECK_STR(read_error(r, TC_SOURCE_WORKTREE, NULL, "secret.yaml", &code),
	          "secret.yaml:1:1: error: cannot open 'secret.yaml': Permission denied");
	CHECK(code == 2);
	CHECK(chmod(path, 0644) == 0);
}

TEST(auto_reads_head_of_a_bare_repository)
{
	const char *r = sample("bare-src");
	CHECK(r);
	char bare[PATH_MAX];
	tc_test_path(bare, sizeof bare, "%s/bare.git", tmproot);
	CHECK(tc_test_sh("rm -rf '%s' && git clone -q --bare '%s' '%s'", bare, r, bare) == 0);
	tc_diags d;
	tc_diags_init(&d);
	tc_source *s;
	CHECK(tc_source_open(&s, &d, bare, TC_SOURCE_AUTO, NULL) == 0);
	CHECK_STR(tc_source_kind_name(s), "revision HEAD");
	CHECK(tc_source_commit_time(s) == COMMIT_TIME);
	tc_source_free(s);
	CHECK(read_is(bare, TC_SOURCE_AUTO, NULL, "tenants/beta/tenant.yaml", "name: beta\n"));
	CHECK(tc_source_open(&s, &d, bare, TC_SOURCE_WORKTREE, NULL) == -1);
	CHECK(strstr(first_diag(&d), "is a bare git repository"));
	tc_diags_release(&d);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

TEST(ten_thousand_tenants_list_and_read_quickly_from_every_source)
{
	const char *r = newrepo("scale");
	CHECK(r);
	enum { N = 10000 };
	for (int i = 0; i < N; i++) {
		char rel[64], body[64];
		/* descending, so that creation order is not the sorted order */
		tc_test_path(rel, sizeof rel, "tenants/t%05d/tenant.yaml", N - 1 - i);
		snprintf(body, sizeof body, "name: t%05d\n", N - 1 - i);
		CHECK(put(r, rel, body) == 0);
	}
	CHECK(commit(r, "scale", COMMIT_TIME) == 0);
	for (int k = 0; k < 3; k++) {
		double t0 = now_s();
		tc_diags d;
		tc_diags_init(&d);
		tc_source *s;
		CHECK(tc_source_open(&s, &d, r, all_kinds[k], NULL) == 0);
		tc_entry *e;
		size_t n;
		CHECK(tc_source_list(s, &d, "tenants", &e, &n) == 0);
		CHECK(n == N);
		size_t good = 0;
		for (size_t i = 0; i < n; i++) {
			char path[128], want[64];
			tc_test_path(path, sizeof path, "tenants/%s/tenant.yaml", e[i].name);
			snprintf(want, sizeof want, "name: t%05zu\n", i);
			char *data;
			size_t len;
			if (tc_source_read(s, &d, path, &data, &len) == 0) {
				good += strcmp(data, want) == 0;
				free(data);
			}
			tc_entry *sub;
			size_t sn;
			tc_test_path(path, sizeof path, "tenants/%s", e[i].name);
			if (tc_source_list(s, &d, path, &sub, &sn) == 0)
				tc_entries_free(sub, sn);
		}
		tc_entries_free(e, n);
		tc_source_free(s);
		double dt = now_s() - t0;
		printf("      %s: listed and read %d tenants in %.3f s\n",
		       k == 0   ? "directory"
		       : k == 1 ? "index"
		                : "revision",
		       N, dt);
		CHECK(good == N && d.len == 0);
		/* generous: quadratic behaviour takes minutes, a sanitizer build seconds */
		CHECK(dt < 30.0);
		tc_diags_release(&d);
	}
}

TEST(a_revision_source_reopened_reads_what_a_new_open_reads)
{
	const char *r = sample("reopen");
	CHECK(r);
	CHECK(put(r, "tenants/acme/tenant.yaml", "name: acme2\n") == 0);
	CHECK(put(r, "tenants/new/tenant.yaml", "name: new\n") == 0);
	CHECK(commit(r, "second", COMMIT_TIME2) == 0);
	tc_diags d;
	tc_diags_init(&d);
	tc_source *s;
	CHECK(tc_source_open(&s, &d, r, TC_SOURCE_REV, "HEAD") == 0);
	tc_buf head, other;
	tc_buf_init(&head, TC_BUF_UNLIMITED);
	tc_buf_init(&other, TC_BUF_UNLIMITED);
	CHECK(dump(s, &d, "", &head) == 0);
	CHECK(tc_source_reopen(s, &d, "HEAD~1") == 0);
	CHECK_STR(tc_source_kind_name(s), "revision HEAD~1");
	CHECK(tc_source_commit_time(s) == COMMIT_TIME);
	char *data = NULL;
	size_t len = 0;
	CHECK(tc_source_read(s, &d, "tenants/new/tenant.yaml", &data, &len) == 1);
	CHECK(tc_source_read(s, &d, "tenants/acme/tenant.yaml", &data, &len) == 0);
	CHECK_STR(data, "name: acme\n");
	free(data);
	/* an unknown revision: reported, and the source reads nothing */
	CHECK(tc_source_reopen(s, &d, "nope") == -1);
	CHECK_STR(first_diag(&d), "tenantc: error: unknown revision 'nope'");
	CHECK(tc_diags_exit_code(&d) == 2);
	CHECK(tc_source_commit_id(s) == NULL);
	tc_entry *e = NULL;
	size_t n = 9;
	CHECK(tc_source_list(s, &d, "tenants", &e, &n) == 0 && n == 0);
	tc_entries_free(e, n);
	tc_diags_release(&d);
	tc_diags_init(&d);
	CHECK(tc_source_reopen(s, &d, "main") == 0);
	CHECK(dump(s, &d, "", &other) == 0);
	CHECK_STR(tc_buf_str(&other), tc_buf_str(&head));
	CHECK(d.len == 0);
	tc_buf_release(&head);
	tc_buf_release(&other);
	tc_source_free(s);
	tc_diags_release(&d);
}

/* a loose object file: zlib of "<type> <size>\0<content>", then extra */
static size_t zfile(unsigned char *out, size_t cap, const char *obj, size_t n, const char *extra)
{
	uLongf len = cap;
	if (compress(out, &len, (const Bytef *)obj, n) != Z_OK)
		return 0;
	size_t k = strlen(extra);
	memcpy(out + len, extra, k);
	return len + k;
}

static const char *inflate_error(const void *file, size_t n)
{
	void *data = NULL;
	size_t len = 0;
	git_object_t type;
	if (tc_source_loose_inflate(&data, &len, &type, file, n) == 0) {
		free(data);
		return "(read)";
	}
	const git_error *e = git_error_last();
	return e && e->klass == GIT_ERROR_ZLIB ? e->message : "(not a zlib error)";
}

/* libgit2 1.5 loops forever on a loose object whose zlib stream ends before
 * the size in its header (tests/fuzz/corpus/gittree/loose-inflate-loop.bin):
 * tenantc's own reader reports every kind of damage as an error */
TEST(a_damaged_loose_object_file_is_an_error_not_a_loop)
{
	unsigned char f[256];
	size_t n = zfile(f, 200, "blob 6\0hello\n", 13, "");
	void *data = NULL;
	size_t len = 0;
	git_object_t type = GIT_OBJECT_INVALID;
	CHECK(tc_source_loose_inflate(&data, &len, &type, f, n) == 0);
	CHECK(type == GIT_OBJECT_BLOB && len == 6 && memcmp(data, "hello\n", 7) == 0);
	free(data);
	/* the fuzz input: "blob 60" with a stream that stops after 10 bytes */
	static const unsigned char spin[] = {0x78, 0x9c, 0x4b, 0xca, 0xc9, 0x4f, 0x52, 0x30,
	                                     0x33, 0x60, 0xc8, 0x48, 0xcd, 0xc9, 0xc9, 0xe7,
	                                     0x61, 0x2e, 0xff, 0x3b, 0x04, 0x44};
	CHECK_STR(inflate_error(spin, sizeof spin),
	          "damaged loose object: the zlib stream ends early");
	n = zfile(f, 200, "blob 6\0hello\n", 13, "");
	CHECK_STR(inflate_error(f, n - 4), "damaged loose object: the zlib stream ends early");
	CHECK_STR(inflate_error(f, 9), "damaged loose object: the zlib stream ends early");
	CHECK_STR(inflate_error(f, 0), "damaged loose object: the zlib stream ends early");
	n = zfile(f, 200, "blob 6\0hello\n", 13, "x");
	CHECK_STR(inflate_error(f, n),
	          "damaged loose object: bytes after the end of its zlib stream");
	n = zfile(f, 200, "blob 3\0hello\n", 13, "");
	CHECK_STR(inflate_error(f, n), "damaged loose object: more bytes than its header says");
	n = zfile(f, 200, "blob 9\0hello\n", 13, "");
	CHECK_STR(inflate_error(f, n), "damaged loose object: fewer bytes than its header says");
	n = zfile(f, 200, "blob 99999999999\0hello\n", 23, "");
	CHECK_STR(inflate_error(f, n),
	          "damaged loose object: its header says more bytes than it holds");
	n = zfile(f, 200, "blub 6\0hello\n", 13, "");
	CHECK_STR(inflate_error(f, n), "damaged loose object: unknown object type 'blub'");
	n = zfile(f, 200, "bl\nb 6\0hello\n", 13, "");
	CHECK_STR(inflate_error(f, n), "damaged loose object: unknown object type");
	n = zfile(f, 200, "blob 6 hello\n", 13, "");
	CHECK_STR(inflate_error(f, n), "damaged loose object: no object header");
	n = zfile(f, 200, "blob -6\0hello\n", 14, "");
	CHECK_STR(inflate_error(f, n), "damaged loose object: bad object size");
	/* the old pack-like format, which git no longer reads either */
	f[0] = 0x36;
	n = 1 + zfile(f + 1, 200, "hello\n", 6, "");
	CHECK_STR(inflate_error(f, n), "damaged loose object: incorrect header check");
}

/* What a revision of the repository at root gives for path: "=" and the
 * bytes, or the first diagnostic (of opening or of reading) */
static const char *read_rev(const char *root, const char *path)
{
	static char out[2048];
	tc_diags d;
	tc_diags_init(&d);
	tc_source *s = NULL;
	char *data = NULL;
	size_t len = 0;
	if (tc_source_open(&s, &d, root, TC_SOURCE_REV, "HEAD") == 0 &&
	    tc_source_read(s, &d, path, &data, &len) == 0)
		snprintf(out, sizeof out, "=%.*s", (int)len, data);
	else
		snprintf(out, sizeof out, "%s (exit %d)", first_diag(&d), tc_diags_exit_code(&d));
	free(data);
	tc_source_free(s);
	tc_diags_release(&d);
	return out;
}

static bool has(const char *got, const char *want)
{
	if (strstr(got, want))
		return true;
	fprintf(stderr, "    got: %s\n    want a part: %s\n", got, want);
	return false;
}

/* A clone made with `git clone --shared` keeps no objects of its own: they
 * are all read through objects/info/alternates, loose ones included. A
 * damaged loose object there is an error, not libgit2 1.5's endless loop;
 * a relative entry, comments, CRLF and a cycle of alternates are read as
 * git reads them, and what git and libgit2 would read from different
 * places (relative entries they resolve differently, nesting beyond git's
 * 5, ".." above the root) is refused. */
TEST(loose_objects_of_alternates_are_read_by_the_same_reader)
{
	const char *a = sample("alt-store");
	CHECK(a);
	char store[PATH_MAX], clone[PATH_MAX], file[PATH_MAX], blob[64];
	tc_test_path(store, sizeof store, "%s", a);
	tc_test_path(clone, sizeof clone, "%s", repo_path("alt-clone"));
	CHECK(tc_test_sh("rm -rf '%s' && git clone -q --shared '%s' '%s'", clone, store, clone) ==
	      0);
	CHECK(cap(blob, sizeof blob, "git -C '%s' rev-parse HEAD:tenants/acme/tenant.yaml",
	          store) == 0);
	tc_test_path(file, sizeof file, "%s/.git/objects/%.2s/%s", store, blob, blob + 2);
	CHECK(tc_test_sh("test -f '%s' && test ! -d '%s/.git/objects/%.2s'", file, clone, blob) ==
	      0);
	CHECK_STR(read_rev(clone, "tenants/acme/tenant.yaml"), "=name: acme\n");
	/* relative to the objects folder, with a comment and CRLF line ends */
	char alt[PATH_MAX];
	tc_test_path(alt, sizeof alt, "%s/.git/objects/info/alternates", clone);
	CHECK(put(clone, ".git/objects/info/alternates",
	          "# the store\r\n\r\n../../../alt-store/.git/objects\r\n") == 0);
	CHECK_STR(read_rev(clone, "tenants/acme/tenant.yaml"), "=name: acme\n");
	/* a cycle: the store borrows from the clone too */
	char back[PATH_MAX + 32];
	tc_test_path(back, sizeof back, "%s/.git/objects\n", clone);
	CHECK(put(store, ".git/objects/info/alternates", back) == 0);
	CHECK_STR(read_rev(clone, "tenants/beta/tenant.yaml"), "=name: beta\n");
	/* the loose file of the blob, damaged (the fuzz input of
	 * a_damaged_loose_object_file_is_an_error_not_a_loop) */
	static const unsigned char spin[] = {0x78, 0x9c, 0x4b, 0xca, 0xc9, 0x4f, 0x52, 0x30,
	                                     0x33, 0x60, 0xc8, 0x48, 0xcd, 0xc9, 0xc9, 0xe7,
	                                     0x61, 0x2e, 0xff, 0x3b, 0x04, 0x44};
	CHECK(chmod(file, 0644) == 0);
	char rel[PATH_MAX];
	tc_test_path(rel, sizeof rel, ".git/objects/%.2s/%s", blob, blob + 2);
	CHECK(putn(store, rel, (const char *)spin, sizeof spin) == 0);
	CHECK(has(read_rev(clone, "tenants/acme/tenant.yaml"),
	          "damaged loose object: the zlib stream ends early (exit 2)"));
	char abs_entry[PATH_MAX + 32];
	tc_test_path(abs_entry, sizeof abs_entry, "%s/.git/objects\n", store);
	CHECK(put(clone, ".git/objects/info/alternates", abs_entry) == 0);
	CHECK(has(read_rev(clone, "tenants/acme/tenant.yaml"),
	          "damaged loose object: the zlib stream ends early (exit 2)"));
	CHECK(unlink(alt) == 0);
	CHECK(unlink(repo_path("alt-store/.git/objects/info/alternates")) == 0);

	/* refused: what libgit2 would look for in the working directory */
	CHECK(put(clone, ".git/objects/info/alternates", "elsewhere/objects\n") == 0);
	CHECK(has(read_rev(clone, "tenantc.yaml"), "alternate 'elsewhere/objects' in '"));
	CHECK(has(read_rev(clone, "tenantc.yaml"),
	          "' is a relative path that does not start with '.' (write './elsewhere/objects' "
	          "for a folder relative to the objects folder) (exit 2)"));
	CHECK(put(clone, ".git/objects/info/alternates",
	          "../../../../../../../../../../../../../../../../../../../../../../../../../../../"
	          "../../../../../../../../../../../../../../../../../../../../../../../../../../x\n") ==
	      0);
	CHECK(has(read_rev(clone, "tenantc.yaml"), "climbs above the root folder (exit 2)"));
	CHECK(put(clone, ".git/objects/info/alternates", abs_entry) == 0);
	CHECK(put(store, ".git/objects/info/alternates", "./pack\n") == 0);
	CHECK(has(read_rev(clone, "tenantc.yaml"), "alternate './pack' in '"));
	CHECK(has(read_rev(clone, "tenantc.yaml"),
	          "/alt-store/.git/objects/info/alternates' is a relative path: only the "
	          "repository's own alternates may be relative (exit 2)"));
	CHECK(unlink(repo_path("alt-store/.git/objects/info/alternates")) == 0);
	/* skipped, as git and libgit2 skip it: a folder that is not there */
	char missing[2 * PATH_MAX];
	tc_test_path(missing, sizeof missing, "./no-such-folder\n/no/such/folder\n%s", abs_entry);
	CHECK(put(clone, ".git/objects/info/alternates", missing) == 0);
	CHECK_STR(read_rev(clone, "tenantc.yaml"), "=output: rendered\n");

	/* nesting: the clone's alternates file is read at depth 0, that of the
	 * folder it names at 1, ..., and git and libgit2 read none deeper
	 * than 5; six levels of folders are read, a file at the sixth is
	 * refused */
	char lvl[PATH_MAX], entry[PATH_MAX + 32];
	for (int i = 1; i <= 6; i++) {
		tc_test_path(lvl, sizeof lvl, "%s/lvl%d/info", tmproot, i);
		CHECK(tc_test_sh("mkdir -p '%s'", lvl) == 0);
	}
	tc_test_path(entry, sizeof entry, "%s/lvl1\n", tmproot);
	CHECK(put(clone, ".git/objects/info/alternates", entry) == 0);
	for (int i = 1; i < 6; i++) {
		tc_test_path(lvl, sizeof lvl, "%s/lvl%d", tmproot, i);
		tc_test_path(entry, sizeof entry, "%s/lvl%d\n", tmproot, i + 1);
		CHECK(put(lvl, "info/alternates", entry) == 0);
	}
	/* the blobs are in the store at the end of the chain */
	tc_test_path(lvl, sizeof lvl, "%s/lvl5", tmproot);
	tc_test_path(entry, sizeof entry, "%s/lvl6\n%s/.git/objects\n", tmproot, store);
	CHECK(put(lvl, "info/alternates", entry) == 0);
	CHECK_STR(read_rev(clone, "tenantc.yaml"), "=output: rendered\n");
	CHECK(has(read_rev(clone, "tenants/acme/tenant.yaml"),
	          "damaged loose object: the zlib stream ends early (exit 2)"));
	tc_test_path(lvl, sizeof lvl, "%s/lvl6", tmproot);
	CHECK(put(lvl, "info/alternates", "# nothing\n") == 0);
	CHECK_STR(read_rev(clone, "tenantc.yaml"), "=output: rendered\n");
	tc_test_path(entry, sizeof entry, "%s/.git/objects\n", store);
	CHECK(put(lvl, "info/alternates", entry) == 0);
	CHECK(has(read_rev(clone, "tenantc.yaml"), "/lvl6/info/alternates' nests alternates more "
	                                           "than 5 deep ('"));
	CHECK(tc_test_sh("rm -rf '%s'/lvl1 '%s'/lvl2 '%s'/lvl3 '%s'/lvl4 '%s'/lvl5 '%s'/lvl6",
	                 tmproot, tmproot, tmproot, tmproot, tmproot, tmproot) == 0);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	tc_test_path(tmproot, sizeof tmproot, "%s/tc-source-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(tmproot)) {
		perror("mkdtemp");
		return 1;
	}
	if (system("git --version >/dev/null 2>&1") != 0) {
		printf("SKIP: the git command is not installed\n");
		rmdir(tmproot);
		return 77;
	}
	/* keep every git configuration but the test repositories' own out */
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("HOME", tmproot, 1);
	setenv("XDG_CONFIG_HOME", tmproot, 1);
	setenv("GIT_AUTHOR_DATE", "@1700000000 +0000", 1);
	setenv("GIT_COMMITTER_DATE", "@1700000000 +0000", 1);
	setenv("GIT_CEILING_DIRECTORIES", tmproot, 1);
	unsetenv("GIT_DIR");
	unsetenv("GIT_WORK_TREE");
	unsetenv("GIT_INDEX_FILE");
	unsetenv("GIT_OBJECT_DIRECTORY");
	unsetenv("GIT_ALTERNATE_OBJECT_DIRECTORIES");
	git_libgit2_init();
	int rc = RUN(path_ok_accepts_clean_relative_paths_and_rejects_escapes,
	             directory_index_and_head_give_the_same_listing_and_bytes,
	             index_and_revision_report_the_same_blob_ids,
	             staged_changes_are_visible_only_with_the_index,
	             a_revision_differs_from_the_work_tree,
	             listings_are_sorted_by_name_bytes_not_git_tree_order,
	             a_symlink_is_rejected_in_a_directory,
	             a_symlink_is_rejected_in_the_index_and_a_revision, a_submodule_is_rejected,
	             every_source_reads_what_git_sees, bad_names_in_a_git_tree_are_rejected,
	             bad_paths_are_rejected_before_any_backend_sees_them,
	             an_unknown_revision_is_an_input_error,
	             a_missing_file_returns_1_and_a_missing_directory_lists_nothing,
	             a_work_tree_takes_commit_id_and_time_from_head,
	             a_repository_without_commits_and_a_plain_directory_have_no_commit,
	             index_or_revision_outside_git_is_a_clear_error,
	             a_root_in_a_subfolder_of_the_git_work_tree_reads_relative_paths,
	             a_file_over_the_size_limit_is_rejected_before_reading,
	             tree_ids_come_from_revisions_only,
	             the_index_named_by_git_index_file_is_read_when_inside_the_git_dir,
	             a_fifo_is_rejected_without_blocking,
	             files_and_directories_in_the_wrong_place_are_errors,
	             merge_conflicts_in_the_index_are_errors, an_unreadable_file_is_an_input_error,
	             auto_reads_head_of_a_bare_repository,
	             ten_thousand_tenants_list_and_read_quickly_from_every_source,
	             a_revision_source_reopened_reads_what_a_new_open_reads,
	             a_damaged_loose_object_file_is_an_error_not_a_loop,
	             loose_objects_of_alternates_are_read_by_the_same_reader);
	first_diag(&(tc_diags){0});
	git_libgit2_shutdown();
	tc_test_sh("rm -rf '%s'", tmproot);
	return rc;
}
