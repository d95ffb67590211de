/*
 * fuzz_gittree.c - the git revision reader (source_git.c) on crafted
 * object databases.
 *
 * One bare repository is made per process in a temporary folder (removed
 * at exit; in /dev/shm when TMPDIR is not set and it exists) and holds a few
 * fixed objects: a blob, an empty tree and a tree "sub" with the blob as "f"
 * (their ids are below, for seeds). It is opened once as a revision source,
 * and each input is read through tc_source_reopen, as a new open would read
 * it. The first byte of an input picks how the rest becomes objects:
 *   0  the root tree's raw content (entries "<mode> <name>\0<20-byte id>")
 *   1  a commit's raw content ("tree <hex>\n..."), read as the revision
 *   2  an object whose type is byte 1 (1 commit, 2 tree, 3 blob, 4 tag),
 *      named "x" with the mode of byte 2 in a fixed root tree
 *   3  the zlib stream of a loose object file (as git stores it) written
 *      in place of the fixed blob's file, for corrupt and truncated objects
 * A commit is made for the root tree where needed, and the revision is then
 * opened with tc_source_open and walked: every folder listed, every file
 * read, tree ids asked for. Errors are fine; a crash, a sanitizer report or
 * an internal error (a diagnostic of exit status 3: a damaged repository is
 * bad input) abort()s. An input's objects are written here as loose files
 * (zlib's stored blocks: no deflate state to set up per object) and deleted
 * afterwards, so the database does not grow over a campaign; libgit2's
 * object cache is off, so that every read goes to the files.
 * Built with -DTC_LIBFUZZER as a libFuzzer target, otherwise linked with
 * replay.c into a driver over tests/fuzz/corpus/gittree/.
 */
#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the fixed objects (git hash-object): "hello\n", the empty tree, and a
 * tree holding "hello\n" as "f" */
#define BLOB_HEX "ce013625030ba8dba906f756967f9e9ca394464a"
#define EMPTY_TREE_HEX "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

typedef struct fixture {
	char dir[64]; /* the temporary folder (the bare repository) */
	git_repository *repo;
	git_odb *odb;
	tc_source *src; /* the repository opened once, as a revision */
	git_oid blob, sub;
	char blob_file[128];   /* the loose file of the fixed blob */
	unsigned char *blob_z; /* its original bytes */
	size_t blob_zlen;
} fixture;

/* libFuzzer gives a target no context: the fixture is made on the first
 * input and only read after that */
static fixture fx_store;
static fixture *fx;

static void remove_fixture(void)
{
	if (!fx)
		return;
	tc_source_free(fx->src);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz_gittree: cannot remove %s\n", fx->dir);
}

static void die(const char *what)
{
	const git_error *e = git_error_last();
	fprintf(stderr, "fuzz_gittree: %s: %s\n", what, e && e->message ? e->message : "?");
	abort();
}

static void loose_path(char *out, size_t n, const git_oid *id)
{
	char hex[GIT_OID_HEXSZ + 1];
	git_oid_tostr(hex, sizeof hex, id);
	snprintf(out, n, "%s/objects/%.2s/%s", fx->dir, hex, hex + 2);
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	unsigned char *buf = malloc(1 << 16);
	*len = fread(buf, 1, 1 << 16, f);
	fclose(f);
	return buf;
}

static void spit(const char *path, const void *p, size_t n)
{
	(void)unlink(path); /* loose objects are read-only */
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0)
		die("cannot write a loose object");
}

static void setup(void)
{
	if (fx)
		return;
	fixture *f = &fx_store;
	git_libgit2_init();
	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
	const char *tmp = getenv("TMPDIR");
	if (!tmp || !*tmp)
		tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(f->dir, sizeof f->dir, "%s/fuzz-gittree-XXXXXX", tmp);
	if (strlen(f->dir) >= sizeof f->dir - 1 || !mkdtemp(f->dir))
		die("cannot make a temporary folder");
	fx = f;
	atexit(remove_fixture);
	if (git_repository_init(&f->repo, f->dir, 1) < 0 ||
	    git_repository_odb(&f->odb, f->repo) < 0)
		die("cannot make the repository");
	git_oid empty;
	if (git_odb_write(&f->blob, f->odb, "hello\n", 6, GIT_OBJECT_BLOB) < 0 ||
	    git_odb_write(&empty, f->odb, "", 0, GIT_OBJECT_TREE) < 0)
		die("cannot write the fixed objects");
	unsigned char sub[9 + 20];
	memcpy(sub, "100644 f", 9); /* with its NUL */
	memcpy(sub + 9, f->blob.id, 20);
	if (git_odb_write(&f->sub, f->odb, sub, sizeof sub, GIT_OBJECT_TREE) < 0)
		die("cannot write the fixed tree");
	loose_path(f->blob_file, sizeof f->blob_file, &f->blob);
	f->blob_z = slurp(f->blob_file, &f->blob_zlen);
	if (!f->blob_z)
		die("cannot read the fixed blob's file");
	git_oid start;
	char text[256], hex[GIT_OID_HEXSZ + 1];
	int n = snprintf(text, sizeof text,
	                 "tree " EMPTY_TREE_HEX "\nauthor F <f@example.com> 1700000000 +0000\n"
	                 "committer F <f@example.com> 1700000000 +0000\n\nstart\n");
	if (git_odb_write(&start, f->odb, text, (size_t)n, GIT_OBJECT_COMMIT) < 0)
		die("cannot write the first commit");
	git_oid_tostr(hex, sizeof hex, &start);
	tc_diags d;
	tc_diags_init(&d);
	if (tc_source_open(&f->src, &d, f->dir, TC_SOURCE_REV, hex) != 0) {
		tc_diags_print(&d, stderr);
		die("cannot open the repository");
	}
	tc_diags_release(&d);
}

/* the objects one input wrote, removed again afterwards */
typedef struct made {
	git_oid ids[4];
	int n;
} made;

/* "<type> <size>\0" and the content as one zlib stream of stored blocks */
static void put_loose(const char *path, const char *hdr, size_t hn, const void *p, size_t n)
{
	size_t total = hn + n, blocks = total / 65535 + 1;
	unsigned char *z = malloc(2 + blocks * 5 + total + 4), *o = z;
	*o++ = 0x78;
	*o++ = 0x01;
	uLong sum = adler32(adler32(adler32(0, NULL, 0), (const Bytef *)hdr, (uInt)hn), p, (uInt)n);
	for (size_t done = 0, b = 0; b < blocks; b++) {
		size_t k = total - done < 65535 ? total - done : 65535;
		*o++ = b + 1 == blocks; /* BFINAL, stored */
		o[0] = (unsigned char)k, o[1] = (unsigned char)(k >> 8);
		o[2] = (unsigned char)~k, o[3] = (unsigned char)(~k >> 8);
		o += 4;
		for (size_t i = done; i < done + k; i++)
			*o++ = i < hn ? (unsigned char)hdr[i] : ((const unsigned char *)p)[i - hn];
		done += k;
	}
	for (int i = 3; i >= 0; i--)
		*o++ = (unsigned char)(sum >> (8 * i));
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (fd < 0 && errno == ENOENT) {
		char dir[128];
		snprintf(dir, sizeof dir, "%.*s", (int)(strrchr(path, '/') - path), path);
		(void)mkdir(dir, 0755);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	}
	size_t len = (size_t)(o - z);
	if (fd < 0 || write(fd, z, len) != (ssize_t)len || close(fd) != 0)
		die("cannot write a loose object");
	free(z);
}

static void write_obj(made *m, git_oid *out, const void *p, size_t n, git_object_t type)
{
	char path[128], hdr[64];
	if (git_odb_hash(out, p, n, type) < 0)
		die("cannot hash an object");
	loose_path(path, sizeof path, out);
	struct stat st;
	if (stat(path, &st) == 0)
		return; /* a fixed object, or one this input made already */
	int hn = snprintf(hdr, sizeof hdr, "%s %zu", git_object_type2string(type), n) + 1;
	put_loose(path, hdr, (size_t)hn, p, n);
	if (m->n < 4)
		m->ids[m->n++] = *out;
}

static void unmake(const made *m)
{
	for (int i = 0; i < m->n; i++) {
		char path[128];
		loose_path(path, sizeof path, &m->ids[i]);
		(void)unlink(path);
	}
}

/* a tree with the one entry "x" of the given mode and id */
static void one_entry_tree(made *m, git_oid *out, const char *mode, const git_oid *id)
{
	unsigned char t[64];
	size_t k = (size_t)snprintf((char *)t, 40, "%s x", mode);
	t[k++] = 0;
	memcpy(t + k, id->id, 20);
	write_obj(m, out, t, k + 20, GIT_OBJECT_TREE);
}

static void commit_for(made *m, git_oid *out, const git_oid *tree)
{
	char hex[GIT_OID_HEXSZ + 1], text[256];
	git_oid_tostr(hex, sizeof hex, tree);
	int n = snprintf(text, sizeof text,
	                 "tree %s\nauthor F <f@example.com> 1700000000 +0000\n"
	                 "committer F <f@example.com> 1700000000 +0000\n\nfuzz\n",
	                 hex);
	write_obj(m, out, text, (size_t)n, GIT_OBJECT_COMMIT);
}

static void walk(tc_source *s, tc_diags *d, const char *dir, int depth, int *budget)
{
	char id[41];
	tc_source_tree_id(s, dir, id);
	tc_entry *es = NULL;
	size_t n = 0;
	if (tc_source_list(s, d, dir, &es, &n) != 0)
		return;
	for (size_t i = 0; i<n && * budget> 0; i++, (*budget)--) {
		char path[TC_SOURCE_MAX_PATH + 1];
		int w = snprintf(path, sizeof path, "%s%s%s", dir, *dir ? "/" : "", es[i].name);
		if (w < 0 || (size_t)w >= sizeof path)
			continue; /* a path too long for the source layer: not walked */
		if (es[i].type == TC_ENTRY_DIR && depth < 8) {
			walk(s, d, path, depth + 1, budget);
		} else {
			char *data = NULL;
			size_t len = 0;
			if (tc_source_read(s, d, path, &data, &len) == 0) {
				if (es[i].id[0] && !tc_source_blob_is(es[i].id, data, len)) {
					fprintf(stderr, "fuzz_gittree: '%s' read is not blob %s\n",
					        path, es[i].id);
					abort();
				}
				free(data);
			}
		}
	}
	tc_entries_free(es, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup();
	if (size < 1)
		return 0;
	made m = {.n = 0};
	git_oid root, commit, obj;
	const unsigned char *p = data + 1;
	size_t n = size - 1;
	bool restore_blob = false;
	switch (data[0] % 4) {
	case 0:
		write_obj(&m, &root, p, n, GIT_OBJECT_TREE);
		commit_for(&m, &commit, &root);
		break;
	case 1:
		write_obj(&m, &commit, p, n, GIT_OBJECT_COMMIT);
		break;
	case 2: {
		static const git_object_t types[] = {GIT_OBJECT_COMMIT, GIT_OBJECT_TREE,
		                                     GIT_OBJECT_BLOB, GIT_OBJECT_TAG};
		static const char *const modes[] = {"100644", "100755", "40000", "120000",
		                                    "160000", "100664", "644",   "0"};
		if (n < 2)
			return 0;
		write_obj(&m, &obj, p + 2, n - 2, types[p[0] % 4]);
		one_entry_tree(&m, &root, modes[p[1] % 8], &obj);
		commit_for(&m, &commit, &root);
		break;
	}
	default:
		/* the fixed blob's file replaced by these bytes, read as "x" */
		one_entry_tree(&m, &root, "100644", &fx->blob);
		commit_for(&m, &commit, &root);
		spit(fx->blob_file, p, n);
		restore_blob = true;
		break;
	}

	char rev[GIT_OID_HEXSZ + 1];
	git_oid_tostr(rev, sizeof rev, &commit);
	tc_diags d;
	tc_diags_init(&d);
	if (tc_source_reopen(fx->src, &d, rev) == 0) {
		int budget = 2000;
		walk(fx->src, &d, "", 0, &budget);
	}
	if (tc_diags_exit_code(&d) >= 3) {
		fprintf(stderr, "fuzz_gittree: a damaged repository is an internal error:\n");
		tc_diags_print(&d, stderr);
		abort();
	}
	tc_diags_release(&d);
	if (restore_blob)
		spit(fx->blob_file, fx->blob_z, fx->blob_zlen);
	unmake(&m);
	return 0;
}
