/*
 * cmd_secret.c - `tenantc secret keygen | encrypt | decrypt | edit |
 * updatekeys`: the SOPS files under tenants/<tenant>/secrets.
 *
 * Identities come from SOPS_AGE_KEY and SOPS_AGE_KEY_FILE, as sops reads
 * them. The recipients of a file under tenants/<t>/secrets/<env>/ are those
 * of tenantc.yaml (sops.age) and of that environment; of a file directly in
 * tenants/<t>/secrets/ (a Secret for all environments) those of
 * tenantc.yaml and of every environment the tenant is rendered in (its
 * `environments`, or all of them); plus any --age given.
 *
 * Plaintext handling: files are read into secret memory, emitted into
 * secret memory and written with write(2), never through stdio buffers.
 * `edit` hands the plaintext to the editor through a tc_editfile (a 0600
 * file in a private folder on memory-backed storage, wiped and removed on
 * every path, signals included; see editfile.h), reads it back and removes
 * it before decrypting anything else. Only values that changed are re-encrypted;
 * the data key, unchanged ciphertexts and the age entries are kept.
 * lastmodified is the current time whenever a value changes, as sops does:
 * these are input files, not rendered output.
 */
#include "cmd.h"

#include "age.h"
#include "editfile.h"
#include "fsutil.h"
#include "json_load.h"
#include "opt.h"
#include "secmem.h"
#include "sops.h"
#include "sops_file.h"
#include "sops_yaml.h"
#include "sort.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Inputs larger than this are not Secrets (Kubernetes caps them at 1 MiB). */
#define MAX_FILE ((size_t)16 << 20)

static const char *const usage_text =
	"keygen [-o FILE] | keygen -y FILE\n"
	"       tenantc secret encrypt [--repo DIR] [--age R]... [-o OUT|-] FILE\n"
	"       tenantc secret decrypt FILE\n"
	"       tenantc secret edit [--repo DIR] [--age R]... FILE\n"
	"       tenantc secret updatekeys [--repo DIR] [--age R]... FILE...";

static const char secret_help[] =
	"\n"
	"tenants/<t>/secrets/<env>/NAME.yaml is a Secret of environment <env>: encrypt,\n"
	"edit and updatekeys encrypt it to tenantc.yaml's and that environment's sops.age\n"
	"only. tenants/<t>/secrets/NAME.yaml is a Secret for all of the tenant's\n"
	"environments, encrypted to each of theirs; a file of the same NAME in\n"
	"secrets/<env>/ replaces it in <env>. After a key rotation, updatekeys re-wraps\n"
	"the data key for the recipients a file should have now.\n";

/* ---- files --------------------------------------------------------------------------------- */

/* Read a whole file into secret memory. 1: it does not exist. */
static int read_file(char **out, size_t *len, tc_secmem *sm, tc_diags *d, const char *path)
{
	/* O_NONBLOCK: a FIFO in place of the file must not hang the read */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		return tc_error(d, (tc_pos){path, 0, 0}, NULL, "cannot read: %s", strerror(errno));
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > MAX_FILE) {
		close(fd);
		return tc_error(d, (tc_pos){path, 0, 0}, NULL,
		                "not a regular file of at most %zu bytes", MAX_FILE);
	}
	size_t cap = (size_t)st.st_size + 1, n = 0;
	char *buf = tc_secmem_alloc(sm, cap + 1);
	int rc = tc_fd_read(fd, buf, cap, &n);
	int e = errno;
	close(fd);
	if (rc != 0)
		return tc_error(d, (tc_pos){path, 0, 0}, NULL, "cannot read: %s", strerror(e));
	if (n >= cap)
		return tc_error(d, (tc_pos){path, 0, 0}, NULL, "file changed while being read");
	buf[n] = 0;
	*out = buf;
	*len = n;
	return 0;
}

/* Replace path atomically (a temporary file beside it, then rename). */
static int write_atomic(tc_diags *d, const char *path, const char *data, size_t len, mode_t mode)
{
	if (tc_file_write_atomic(path, data, len, mode, TC_FILE_SYNC) == 0)
		return 0;
	return tc_error(d, (tc_pos){path, 0, 0}, NULL, "cannot write: %s", strerror(errno));
}

/* ---- recipients ---------------------------------------------------------------------------- */

static void add_list(tc_strlist *out, tc_arena *a, const tc_value *doc)
{
	const tc_value *l = doc ? tc_value_dig(doc, "sops.age") : NULL;
	for (size_t i = 0; l && l->kind == TC_ARRAY && i < l->u.arr.len; i++)
		if (l->u.arr.items[i]->kind == TC_STR)
			tc_strlist_push(out, tc_arena_memdup0(a, l->u.arr.items[i]->u.str.ptr,
			                                      l->u.arr.items[i]->u.str.len));
}

static int load_doc(tc_value **out, tc_arena *a, tc_diags *d, const char *path)
{
	tc_secmem tmp; /* config is not secret; secmem only for the reader */
	tc_secmem_init(&tmp);
	char *data = NULL;
	size_t len = 0;
	int r = read_file(&data, &len, &tmp, d, path);
	if (r == 0) {
		char *copy = tc_arena_memdup0(a, data, len);
		r = tc_doc_load(out, a, d, tc_arena_strdup(a, path), copy, len) == 0 ? 0 : -1;
	}
	tc_secmem_release(&tmp);
	return r;
}

/* The path of file relative to repo, when file is inside it. */
static const char *relative(tc_arena *a, const char *repo, const char *file)
{
	char rr[PATH_MAX], fr[PATH_MAX];
	if (!realpath(repo, rr))
		return NULL;
	const char *slash = strrchr(file, '/');
	char *dir = slash ? tc_arena_memdup0(a, file, (size_t)(slash - file)) : ".";
	if (!*dir)
		dir = "/";
	if (!realpath(dir, fr)) {
		/* a new file in a folder still to be made (secrets/<env>/) */
		const char *ds = strrchr(dir, '/');
		char *up = ds ? tc_arena_memdup0(a, dir, (size_t)(ds - dir)) : ".";
		if (errno != ENOENT || !realpath(*up ? up : "/", fr) ||
		    strlen(fr) + strlen(ds ? ds : dir) + 2 > sizeof fr)
			return NULL;
		size_t fl = strlen(fr);
		snprintf(fr + fl, sizeof fr - fl, "/%s", ds ? ds + 1 : dir);
	}
	size_t n = strlen(rr);
	const char *base = slash ? slash + 1 : file;
	if (strncmp(fr, rr, n) != 0 || (fr[n] != '/' && fr[n] != 0))
		return NULL;
	return fr[n] ? tc_arena_printf(a, "%s/%s", fr + n + 1, base) : tc_arena_strdup(a, base);
}

/* Does tenant document tdoc render in environment name[0..n)? (no
 * `environments` list: in all of them) */
static bool tenant_in(const tc_value *tdoc, const char *name, size_t n)
{
	const tc_value *only = tdoc ? tc_value_getz(tdoc, "environments") : NULL;
	if (!only || only->kind != TC_ARRAY)
		return true;
	for (size_t k = 0; k < only->u.arr.len; k++) {
		const tc_value *e = only->u.arr.items[k];
		if (e->kind == TC_STR && e->u.str.len == n && !memcmp(e->u.str.ptr, name, n))
			return true;
	}
	return false;
}

/* tenants/<t>/secrets/...: the tenant's name into tenant and the path below
 * secrets/ into *rest; false for a file elsewhere */
static bool secret_tenant(const char *rel, char tenant[256], const char **rest)
{
	if (!rel || strncmp(rel, "tenants/", 8) != 0)
		return false;
	const char *t = rel + 8, *e = strchr(t, '/');
	if (!e || strncmp(e, "/secrets/", 9) != 0 || (size_t)(e - t) >= 256)
		return false;
	snprintf(tenant, 256, "%.*s", (int)(e - t), t);
	*rest = e + 9;
	return true;
}

/* tenants/<t>/secrets/<env>/...: the recipients of that environment, which
 * must exist and render the tenant; *envdir the folder */
static int one_env_recipients(tc_strlist *out, tc_arena *a, tc_diags *d, const char *file,
                              const char *tenant, const tc_value *tdoc, const char *envs_dir,
                              const char *rest, const char **envdir)
{
	const char *slash = strchr(rest, '/');
	size_t n = (size_t)(slash - rest);
	const char *env = tc_arena_memdup0(a, rest, n);
	tc_value *edoc = NULL;
	int r = strchr(env, '.') == env || n == 0
	                ? 1
	                : load_doc(&edoc, a, d, tc_arena_printf(a, "%s/%s.yaml", envs_dir, env));
	if (r < 0)
		return -1;
	if (r == 1)
		return tc_error(d, (tc_pos){file, 0, 0}, NULL,
		                "'%s' is not an environment: a folder in tenants/%s/secrets "
		                "holds the Secrets of the environment it is named after "
		                "(there is no environments/%s.yaml)",
		                env, tenant, env);
	if (!tenant_in(tdoc, env, n))
		return tc_error(d, (tc_pos){file, 0, 0}, NULL,
		                "tenant '%s' is not rendered in environment '%s' (see its "
		                "environments in tenants/%s/tenant.yaml)",
		                tenant, env, tenant);
	add_list(out, a, edoc);
	if (envdir)
		*envdir = tc_arena_memdup0(a, file, strlen(file) - strlen(slash));
	return 0;
}

/* tenants/<t>/secrets/FILE: the recipients of every environment of the
 * tenant, environments in byte order */
static int all_env_recipients(tc_strlist *out, tc_arena *a, tc_diags *d, const tc_value *tdoc,
                              const char *envs_dir)
{
	DIR *dh = opendir(envs_dir);
	tc_strlist names = {0};
	for (struct dirent *de; dh && (de = readdir(dh)) != NULL;) {
		size_t n = strlen(de->d_name);
		if (n > 5 && strcmp(de->d_name + n - 5, ".yaml") == 0)
			tc_strlist_push(&names, tc_arena_strdup(a, de->d_name));
	}
	if (dh)
		closedir(dh);
	tc_strlist_sort_unique(&names);
	int rc = 0;
	for (size_t i = 0; i < names.len && rc == 0; i++) {
		const char *nm = names.items[i];
		if (!tenant_in(tdoc, nm, strlen(nm) - 5))
			continue;
		tc_value *env = NULL;
		rc = load_doc(&env, a, d, tc_arena_printf(a, "%s/%s", envs_dir, nm)) < 0 ? -1 : 0;
		if (rc == 0)
			add_list(out, a, env);
	}
	tc_strlist_release(&names);
	return rc;
}

/* the repository's recipients and those of the environments the file is for */
static int tenant_recipients(tc_strlist *out, tc_arena *a, tc_diags *d, const char *repo,
                             const char *file, const char *tenant, const char *rest,
                             const char **envdir)
{
	tc_value *settings = NULL, *tdoc = NULL;
	if (load_doc(&settings, a, d, tc_arena_printf(a, "%s/tenantc.yaml", repo)) < 0)
		return -1;
	add_list(out, a, settings);
	if (load_doc(&tdoc, a, d, tc_arena_printf(a, "%s/tenants/%s/tenant.yaml", repo, tenant)) <
	    0)
		return -1;
	const char *envs_dir = tc_arena_printf(a, "%s/environments", repo);
	int r = strchr(rest, '/')
	                ? one_env_recipients(out, a, d, file, tenant, tdoc, envs_dir, rest, envdir)
	                : all_env_recipients(out, a, d, tdoc, envs_dir);
	if (r)
		return -1;
	if (out->len == 0)
		return tc_error(d, (tc_pos){file, 0, 0}, NULL,
		                "no age recipients for tenant '%s' (tenantc.yaml and environments "
		                "list none under sops.age)",
		                tenant);
	return 0;
}

/* Recipients for file, plus extra; sorted, without repeats. A file in
 * tenants/<t>/secrets/<env>/ is for that environment: the repository's
 * recipients and the environment's. A file directly in tenants/<t>/secrets
 * is for all of the tenant's environments: the repository's and every one
 * of theirs. *envdir is set to the folder of a per-environment file. */
static int recipients(tc_strlist *out, tc_arena *a, tc_diags *d, const char *repo, const char *file,
                      const tc_strlist *extra, const char **envdir)
{
	if (envdir)
		*envdir = NULL;
	for (size_t i = 0; i < extra->len; i++)
		tc_strlist_push(out, extra->items[i]);
	char tenant[256] = "";
	const char *rest = NULL; /* the path below secrets/ */
	if (secret_tenant(relative(a, repo, file), tenant, &rest)) {
		if (tenant_recipients(out, a, d, repo, file, tenant, rest, envdir))
			return -1;
	} else if (out->len == 0) {
		return tc_error(d, (tc_pos){file, 0, 0}, NULL,
		                "not under tenants/<tenant>/secrets of '%s': give recipients with "
		                "--age",
		                repo);
	}
	tc_strlist_sort_unique(out);
	for (size_t i = 0; i < out->len; i++) {
		unsigned char pk[32];
		if (tc_age_recipient_parse(pk, out->items[i], strlen(out->items[i])) != 0)
			return tc_error(d, (tc_pos){file, 0, 0}, NULL,
			                "'%s' is not an age recipient", out->items[i]);
	}
	return 0;
}

/* A new per-environment Secret may be the first of its environment: make
 * tenants/<t>/secrets/<env>/ (secrets/ itself must exist). */
static int make_envdir(tc_diags *d, const char *dir)
{
	if (!dir || mkdir(dir, 0755) == 0 || errno == EEXIST)
		return 0;
	return tc_error(d, (tc_pos){dir, 0, 0}, NULL, "cannot create: %s", strerror(errno));
}

/* The current time as lastmodified, or one second after prev (the file's
 * lastmodified, may be NULL) when the clock is not past it: carry-over
 * without a key tells a changed Secret by its lastmodified, so every
 * change must move it, even two edits within one second. */
static void next_lastmodified(char out[32], const char *prev)
{
	time_t t = time(NULL);
	tc_stime p;
	if (prev && tc_sops_parse_rfc3339(&p, prev, strlen(prev)) == 0) {
		p.nsec = 0; /* whole seconds, as lastmodified is written */
		time_t pt = (time_t)(tc_time_to_ms(&p) / 1000);
		if (t <= pt)
			t = pt + 1;
	}
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- keygen -------------------------------------------------------------------------------- */

/* -y FILE: the recipient of each identity in FILE */
static void show_recipients(tc_diags *d, const char *show)
{
	tc_sops_keys *k = NULL;
	if (tc_sops_keys_load(&k, d, show, NULL) == 0) {
		for (size_t i = 0; i < tc_sops_keys_count(k); i++)
			printf("%s\n", tc_sops_keys_ids(k)[i].recipient);
		if (tc_sops_keys_count(k) == 0)
			tc_error(d, (tc_pos){show, 0, 0}, NULL, "no identities in the file");
	}
	tc_sops_keys_free(k);
}

/* the local time as age-keygen writes it in "# created:", with its zone */
static void created_stamp(char created[40], char zone[32])
{
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(created, 40, "%Y-%m-%dT%H:%M:%S", &tm);
	long off = tm.tm_gmtoff;
	if (off == 0)
		snprintf(zone, 32, "Z");
	else
		snprintf(zone, 32, "%c%02ld:%02ld", off < 0 ? '-' : '+',
		         (off < 0 ? -off : off) / 3600, (off < 0 ? -off : off) / 60 % 60);
}

/* the identity file's text to out (a new file of mode 0600) or standard output */
static void write_identity(tc_diags *d, const char *out, const tc_secbuf *text,
                           const char *recipient)
{
	int fd = 1;
	if (out && strcmp(out, "-") != 0) {
		fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0) {
			tc_error(d, (tc_pos){out, 0, 0}, NULL, "cannot create: %s",
			         strerror(errno));
			return;
		}
	}
	if (tc_fd_write(fd, text->ptr, text->len) != 0 || (fd != 1 && fsync(fd) != 0))
		tc_error(d, (tc_pos){out ? out : "stdout", 0, 0}, NULL, "cannot write: %s",
		         strerror(errno));
	if (fd != 1) {
		close(fd);
		fprintf(stderr, "Public key: %s\n", recipient);
	}
}

/* a new identity, its key only in secret memory */
static void new_identity(tc_diags *d, const char *out)
{
	tc_secmem sm;
	tc_secmem_init(&sm);
	tc_age_identity *id = tc_secmem_alloc(&sm, sizeof *id);
	tc_age_identity_generate(id);
	char *key = tc_secmem_alloc(&sm, TC_AGE_IDENTITY_BUF);
	tc_age_identity_format(key, id);
	char created[40], zone[32];
	created_stamp(created, zone);
	tc_secbuf text;
	tc_secbuf_init(&text, 4096);
	tc_secbuf_adds(&text, "# created: ");
	tc_secbuf_adds(&text, created);
	tc_secbuf_adds(&text, zone);
	tc_secbuf_adds(&text, "\n# public key: ");
	tc_secbuf_adds(&text, id->recipient);
	tc_secbuf_addc(&text, '\n');
	tc_secbuf_adds(&text, key);
	tc_secbuf_addc(&text, '\n');
	write_identity(d, out, &text, id->recipient);
	tc_secbuf_release(&text);
	tc_secmem_release(&sm);
}

static int keygen(int argc, char **argv)
{
	const char *out = NULL, *show = NULL;
	const tc_option opts[] = {
		{"output", 'o', TC_OPT_STRING, &out, "FILE",
	         "write the identity to FILE (mode 0600)"},
		{"recipient", 'y', TC_OPT_STRING, &show, "FILE",
	         "print the recipients of the identities in FILE"},
		{0},
	};
	tc_strlist pos = {0};
	int r = tc_opt_parse("secret keygen", "[-o FILE] | -y FILE", opts, argc, argv, &pos);
	if (r == 0 && pos.len)
		r = tc_usage_error(NULL, "unexpected argument '%s'", pos.items[0]);
	tc_strlist_release(&pos);
	if (r)
		return r == 1 ? 0 : r;
	tc_diags d;
	tc_diags_init(&d);
	if (show)
		show_recipients(&d, show);
	else
		new_identity(&d, out);
	tc_diags_print(&d, stderr);
	int rc = tc_diags_exit_code(&d);
	tc_diags_release(&d);
	return rc;
}

/* ---- encrypt ------------------------------------------------------------------------------- */

/* Read a plaintext document (one mapping) into secret memory. */
static int read_plain(tc_snode **out, tc_arena *a, tc_secmem *sm, tc_diags *d, const char *path,
                      const char *data, size_t len)
{
	tc_snode **docs = NULL;
	size_t n = 0;
	if (tc_sops_yaml_read(&docs, &n, a, sm, d, path, data, len, 0) != 0)
		return -1;
	if (n != 1 || docs[0]->kind != TC_SN_MAP)
		return tc_error(d, (tc_pos){path, 1, 1}, NULL,
		                "a Secret file holds one YAML document, a mapping");
	if (tc_sops_tree_is_encrypted(docs[0]))
		return tc_error(d, tc_snode_get(docs[0], "sops")->kpos, NULL,
		                "'%s' is already encrypted", path);
	*out = docs[0];
	return 0;
}

static int encrypt_cmd(int argc, char **argv)
{
	const char *repo = ".", *out = NULL;
	tc_strlist age = {0}, pos = {0};
	const tc_option opts[] = {
		{"repo", 0, TC_OPT_STRING, &repo, "DIR", "the repository (default: .)"},
		{"age", 0, TC_OPT_LIST, &age, "RECIPIENT", "also encrypt to this age recipient"},
		{"output", 'o', TC_OPT_STRING, &out, "FILE",
	         "write here ('-': stdout), not in place"},
		{0},
	};
	int r = tc_opt_parse("secret encrypt", "[--repo DIR] [--age R]... [-o OUT|-] FILE", opts,
	                     argc, argv, &pos);
	if (r || pos.len != 1) {
		if (!r)
			tc_usage_error(NULL, "give one FILE to encrypt");
		tc_strlist_release(&age);
		tc_strlist_release(&pos);
		return r == 1 ? 0 : 2;
	}
	const char *file = pos.items[0], *dest = out && strcmp(out, "-") != 0 ? out : file;
	tc_arena a;
	tc_arena_init(&a);
	tc_secmem sm;
	tc_secmem_init(&sm);
	tc_diags d;
	tc_diags_init(&d);
	tc_strlist rc = {0};
	tc_buf enc;
	tc_buf_init(&enc, TC_BUF_UNLIMITED);
	char *data = NULL;
	size_t len = 0;
	tc_snode *plain = NULL;
	char lm[32];
	next_lastmodified(lm, NULL);
	int rr = read_file(&data, &len, &sm, &d, file);
	if (rr == 1)
		tc_error(&d, (tc_pos){file, 0, 0}, NULL, "no such file");
	const char *envdir = NULL;
	if (rr == 0 && read_plain(&plain, &a, &sm, &d, file, data, len) == 0 &&
	    recipients(&rc, &a, &d, repo, dest, &age, &envdir) == 0 &&
	    make_envdir(&d, envdir) == 0) {
		tc_sops_write_opts o = {.rule = tc_sops_default_rule,
		                        .lastmodified = lm,
		                        .recipients = rc.items,
		                        .nrecipients = rc.len};
		if (tc_sops_write(&enc, &d, &sm, file, plain, &o, NULL) == 0) {
			if (out && strcmp(out, "-") == 0) {
				if (tc_fd_write(1, enc.ptr, enc.len) != 0)
					tc_fail(&d, (tc_pos){"stdout", 0, 0}, NULL, "cannot write");
			} else {
				write_atomic(&d, dest, enc.ptr, enc.len, 0644);
			}
		}
	}
	tc_diags_print(&d, stderr);
	int code = tc_diags_exit_code(&d);
	tc_buf_release(&enc);
	tc_strlist_release(&rc);
	tc_diags_release(&d);
	tc_secmem_release(&sm);
	tc_arena_release(&a);
	tc_strlist_release(&age);
	tc_strlist_release(&pos);
	return code;
}

/* ---- decrypt ------------------------------------------------------------------------------- */

/* Parse and open a SOPS file with the identities of the environment. */
static int open_file(tc_sops_doc *doc, tc_arena *a, tc_secmem *sm, tc_diags *d,
                     const tc_sops_keys *k, const char *file, bool *missing)
{
	char *data = NULL;
	size_t len = 0;
	int r = read_file(&data, &len, sm, d, file);
	if (missing)
		*missing = r == 1;
	if (r == 1 && !missing)
		tc_error(d, (tc_pos){file, 0, 0}, NULL, "no such file");
	if (r != 0)
		return -1;
	char *copy = tc_arena_memdup0(a, data, len); /* ciphertext: ordinary memory */
	if (tc_sops_parse(doc, a, d, file, copy, len) != 0 ||
	    tc_sops_open(doc, a, sm, d, tc_sops_keys_ids(k), tc_sops_keys_count(k)) != 0)
		return -1;
	return 0;
}

static int decrypt_cmd(int argc, char **argv)
{
	const tc_option opts[] = {{0}};
	tc_strlist pos = {0};
	int r = tc_opt_parse("secret decrypt", "FILE", opts, argc, argv, &pos);
	if (r || pos.len != 1) {
		if (!r)
			tc_usage_error(NULL, "give one FILE to decrypt");
		tc_strlist_release(&pos);
		return r == 1 ? 0 : 2;
	}
	tc_arena a;
	tc_arena_init(&a);
	tc_secmem sm;
	tc_secmem_init(&sm);
	tc_diags d;
	tc_diags_init(&d);
	tc_sops_keys *k = NULL;
	tc_sops_doc doc;
	tc_secbuf text;
	tc_secbuf_init(&text, TC_BUF_UNLIMITED);
	if (tc_sops_keys_from_env(&k, &d) == 0 &&
	    open_file(&doc, &a, &sm, &d, k, pos.items[0], NULL) == 0 &&
	    tc_sops_write_plain(&text, &d, pos.items[0], doc.tree) == 0) {
		fflush(stdout);
		if (tc_fd_write(1, text.ptr, text.len) != 0)
			tc_fail(&d, (tc_pos){"stdout", 0, 0}, NULL, "cannot write");
	}
	tc_diags_print(&d, stderr);
	int code = tc_diags_exit_code(&d);
	tc_secbuf_release(&text);
	tc_sops_keys_free(k);
	tc_diags_release(&d);
	tc_secmem_release(&sm);
	tc_arena_release(&a);
	tc_strlist_release(&pos);
	return code;
}

/* ---- edit ---------------------------------------------------------------------------------- */

/* Same keys in the same order, same types and values. */
static bool same_tree(const tc_snode *x, const tc_snode *y)
{
	if (x->kind != y->kind || x->n != y->n)
		return false;
	if (x->kind == TC_SN_SCALAR) {
		char b1[TC_SOPS_FMT_BUF], b2[TC_SOPS_FMT_BUF];
		const char *p, *q;
		size_t l1 = tc_sops_yaml_macbytes(&p, b1, x), l2 = tc_sops_yaml_macbytes(&q, b2, y);
		bool eq = x->type == y->type && l1 == l2 && (!l1 || !memcmp(p, q, l1));
		sodium_memzero(b1, sizeof b1);
		sodium_memzero(b2, sizeof b2);
		return eq;
	}
	for (size_t i = 0; i < x->n; i++) {
		if (x->kind == TC_SN_SEQ) {
			if (!same_tree(x->items[i], y->items[i]))
				return false;
			continue;
		}
		const tc_sentry *a = &x->entries[i], *b = &y->entries[i];
		if (a->klen != b->klen || memcmp(a->key, b->key, a->klen) ||
		    !same_tree(a->val, b->val))
			return false;
	}
	return true;
}

static const char skeleton[] = "apiVersion: v1\n"
			       "kind: Secret\n"
			       "metadata:\n"
			       "    name: %s\n"
			       "type: Opaque\n"
			       "stringData:\n"
			       "    key: value\n";

static const char edit_help[] =
	"\n"
	"The plaintext is written to secret.yaml in a new private folder (0700, file\n"
	"0600) under $XDG_RUNTIME_DIR, $TMPDIR or /dev/shm, the first that is\n"
	"memory-backed (else $TMPDIR or /tmp, with a warning), just before the editor\n"
	"($SOPS_EDITOR, $EDITOR, vi) starts. It is overwritten with zeros and removed\n"
	"with the folder as soon as the editor exits, when the editor fails, and on\n"
	"SIGINT, SIGTERM, SIGHUP and SIGQUIT (the editor is stopped first; the exit\n"
	"status is then 128 + the signal number). FILE is only replaced, atomically,\n"
	"after a successful edit. One case cannot be covered: SIGKILL of tenantc\n"
	"while the editor runs leaves the folder (tenantc-edit-*) until it is removed\n"
	"or the machine restarts.\n";

/* One edit: the file, its decrypted document (or a skeleton for a new one),
 * the text handed to the editor, and what is written back. */
typedef struct edit_session {
	const char *file, *repo;
	const tc_strlist *age;
	tc_arena a;
	tc_secmem sm;
	tc_diags d;
	tc_sops_keys *k;
	tc_sops_doc doc;
	tc_secbuf text;
	tc_strlist rc; /* the recipients of a new file */
	tc_buf enc;
	tc_editfile ef;
	bool missing, written;
} edit_session;

/* A new file: a Secret skeleton named after it, its recipients from the
 * repository, and its environment's folder made. */
static int edit_new(edit_session *E)
{
	tc_diags_release(&E->d);
	tc_diags_init(&E->d);
	const char *base = strrchr(E->file, '/') ? strrchr(E->file, '/') + 1 : E->file;
	size_t bn = strcspn(base, ".");
	char name[256];
	snprintf(name, sizeof name, "%.*s", (int)(bn < 200 ? bn : 200), base);
	char sk[512];
	snprintf(sk, sizeof sk, skeleton, name[0] ? name : "secret");
	tc_secbuf_adds(&E->text, sk);
	const char *envdir = NULL;
	if (recipients(&E->rc, &E->a, &E->d, E->repo, E->file, E->age, &envdir) != 0 ||
	    make_envdir(&E->d, envdir) != 0)
		return -1;
	return 0;
}

/* The plaintext to edit: the file decrypted, or a new file's skeleton. */
static int edit_text(edit_session *E)
{
	if (tc_sops_keys_from_env(&E->k, &E->d) != 0)
		return -1;
	if (open_file(&E->doc, &E->a, &E->sm, &E->d, E->k, E->file, &E->missing) != 0)
		return E->missing ? edit_new(E) : -1;
	return tc_sops_write_plain(&E->text, &E->d, E->file, E->doc.tree);
}

/* Hand the text to the editor and read back what it left: *plain. */
static int edit_run(edit_session *E, tc_snode **plain)
{
	if (tc_editfile_open(&E->ef, &E->d, E->file, "secret.yaml", E->text.ptr, E->text.len) != 0)
		return -1;
	tc_secbuf_release(&E->text);
	if (E->ef.disk_base)
		fprintf(stderr,
		        "tenantc secret edit: warning: '%s' is not memory-backed; the plaintext "
		        "is on disk until the editor exits\n",
		        E->ef.disk_base);
	if (tc_editfile_run(&E->ef, &E->d, E->file) != 0)
		return -1;
	char *edited = NULL;
	size_t elen = 0;
	int rr = read_file(&edited, &elen, &E->sm, &E->d, E->ef.path);
	tc_editfile_remove(&E->ef);
	if (rr != 0) {
		if (rr == 1)
			tc_error(&E->d, (tc_pos){E->file, 0, 0}, NULL,
			         "the editor removed the file; nothing was changed");
		return -1;
	}
	return read_plain(plain, &E->a, &E->sm, &E->d, E->file, edited, elen);
}

/* Encrypt the edited document into E->enc: with the file's rule, data key
 * and recipients (an AES-128/192 file gets a new 256-bit key), or a new
 * file's. 1 when an existing file is unchanged. */
static int edit_encrypt(edit_session *E, const tc_snode *plain)
{
	char lm[32];
	next_lastmodified(lm, E->missing ? NULL : E->doc.lastmodified);
	if (E->missing) {
		tc_sops_write_opts o = {.rule = tc_sops_default_rule,
		                        .lastmodified = lm,
		                        .recipients = E->rc.items,
		                        .nrecipients = E->rc.len};
		return tc_sops_write(&E->enc, &E->d, &E->sm, E->file, plain, &o, NULL);
	}
	const tc_sops_doc *doc = &E->doc;
	if (same_tree(plain, doc->tree)) {
		fprintf(stderr, "tenantc secret edit: '%s' unchanged\n", E->file);
		return 1;
	}
	tc_sops_write_opts o = {.rule = doc->rule,
	                        .mac_only_encrypted = doc->mac_only_encrypted,
	                        .data_key = doc->data_key,
	                        .data_key_len = doc->data_key_len,
	                        .lastmodified = lm,
	                        .old = doc};
	const char **list = tc_arena_alloc(&E->a, doc->nage * sizeof *list);
	for (size_t i = 0; i < doc->nage; i++)
		list[i] = doc->age[i].recipient;
	o.recipients = list;
	o.nrecipients = doc->nage;
	if (doc->data_key_len != TC_SOPS_DATA_KEY_SIZE) {
		o.data_key = NULL; /* an AES-128/192 file gets a new 256-bit key */
		o.old = NULL;
	}
	return tc_sops_write(&E->enc, &E->d, &E->sm, E->file, plain, &o, NULL);
}

/* Close the editor's file, say how a signal ended the edit, print the
 * diagnostics, release everything; the exit status (128 + a signal). */
static int edit_finish(edit_session *E)
{
	tc_editfile_close(&E->ef);
	if (E->ef.sig && !tc_diags_has_errors(&E->d))
		tc_error(&E->d, (tc_pos){E->file, 0, 0}, NULL,
		         E->written ? "stopped by %s after it was written"
		                    : "stopped by %s; nothing was changed",
		         tc_editfile_signame(E->ef.sig));
	tc_diags_print(&E->d, stderr);
	int code = E->ef.sig ? 128 + E->ef.sig : tc_diags_exit_code(&E->d);
	tc_buf_release(&E->enc);
	tc_strlist_release(&E->rc);
	tc_secbuf_release(&E->text);
	tc_sops_keys_free(E->k);
	tc_diags_release(&E->d);
	tc_secmem_release(&E->sm);
	tc_arena_release(&E->a);
	return code;
}

static int edit_cmd(int argc, char **argv)
{
	const char *repo = ".";
	tc_strlist age = {0}, pos = {0};
	const tc_option opts[] = {
		{"repo", 0, TC_OPT_STRING, &repo, "DIR", "the repository (default: .)"},
		{"age", 0, TC_OPT_LIST, &age, "RECIPIENT", "for a new file: also encrypt to this"},
		{0},
	};
	int r = tc_opt_parse("secret edit", "[--repo DIR] [--age R]... FILE", opts, argc, argv,
	                     &pos);
	if (r == 1)
		fputs(edit_help, stdout);
	if (r || pos.len != 1) {
		if (!r)
			tc_usage_error(NULL, "give one FILE to edit");
		tc_strlist_release(&age);
		tc_strlist_release(&pos);
		return r == 1 ? 0 : 2;
	}
	edit_session E = {.file = pos.items[0], .repo = repo, .age = &age};
	tc_arena_init(&E.a);
	tc_secmem_init(&E.sm);
	tc_diags_init(&E.d);
	tc_secbuf_init(&E.text, TC_BUF_UNLIMITED);
	tc_buf_init(&E.enc, TC_BUF_UNLIMITED);
	tc_editfile_init(&E.ef);
	tc_snode *plain = NULL;
	/* the editor's interruption is checked at the last point where nothing is changed */
	if (edit_text(&E) == 0 && edit_run(&E, &plain) == 0 && edit_encrypt(&E, plain) == 0 &&
	    !tc_editfile_interrupted(&E.ef))
		E.written = write_atomic(&E.d, E.file, E.enc.ptr, E.enc.len, 0644) == 0;
	int code = edit_finish(&E);
	tc_strlist_release(&age);
	tc_strlist_release(&pos);
	return code;
}

/* ---- updatekeys ---------------------------------------------------------------------------- */

static int updatekeys_one(tc_diags *d, const tc_sops_keys *k, const char *repo,
                          const tc_strlist *age, const char *file)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_secmem sm;
	tc_secmem_init(&sm);
	tc_strlist rc = {0};
	tc_buf enc;
	tc_buf_init(&enc, TC_BUF_UNLIMITED);
	tc_sops_doc doc;
	int rcode = -1;
	if (open_file(&doc, &a, &sm, d, k, file, NULL) != 0 ||
	    recipients(&rc, &a, d, repo, file, age, NULL) != 0)
		goto out;
	const char **had = tc_arena_alloc(&a, doc.nage * sizeof *had);
	for (size_t i = 0; i < doc.nage; i++)
		had[i] = doc.age[i].recipient;
	qsort(had, doc.nage, sizeof *had, tc_cmp_str);
	bool same = doc.nage == rc.len;
	for (size_t i = 0; same && i < rc.len; i++)
		same = strcmp(had[i], rc.items[i]) == 0;
	if (same) {
		fprintf(stderr, "tenantc secret updatekeys: '%s' is up to date\n", file);
		rcode = 0;
		goto out;
	}
	if (doc.data_key_len != TC_SOPS_DATA_KEY_SIZE) {
		tc_error(d, doc.meta_pos, NULL,
		         "'%s' has a %zu-byte data key; re-encrypt it with 'tenantc secret edit'",
		         file, doc.data_key_len);
		goto out;
	}
	tc_sops_write_opts o = {.rule = doc.rule,
	                        .mac_only_encrypted = doc.mac_only_encrypted,
	                        .data_key = doc.data_key,
	                        .data_key_len = doc.data_key_len,
	                        .lastmodified = doc.lastmodified,
	                        .recipients = rc.items,
	                        .nrecipients = rc.len,
	                        .old = &doc,
	                        .version = doc.version};
	if (tc_sops_write(&enc, d, &sm, file, doc.tree, &o, NULL) != 0 ||
	    write_atomic(d, file, enc.ptr, enc.len, 0644) != 0)
		goto out;
	fprintf(stderr, "tenantc secret updatekeys: '%s' now has %zu recipients\n", file, rc.len);
	rcode = 0;
out:
	tc_buf_release(&enc);
	tc_strlist_release(&rc);
	tc_secmem_release(&sm);
	tc_arena_release(&a);
	return rcode;
}

static int updatekeys_cmd(int argc, char **argv)
{
	const char *repo = ".";
	tc_strlist age = {0}, pos = {0};
	const tc_option opts[] = {
		{"repo", 0, TC_OPT_STRING, &repo, "DIR", "the repository (default: .)"},
		{"age", 0, TC_OPT_LIST, &age, "RECIPIENT", "also encrypt to this age recipient"},
		{0},
	};
	int r = tc_opt_parse("secret updatekeys", "[--repo DIR] [--age R]... FILE...", opts, argc,
	                     argv, &pos);
	if (r || pos.len == 0) {
		if (!r)
			tc_usage_error(NULL, "give at least one FILE");
		tc_strlist_release(&age);
		tc_strlist_release(&pos);
		return r == 1 ? 0 : 2;
	}
	tc_diags d;
	tc_diags_init(&d);
	tc_sops_keys *k = NULL;
	if (tc_sops_keys_from_env(&k, &d) == 0)
		for (size_t i = 0; i < pos.len; i++)
			(void)updatekeys_one(&d, k, repo, &age, pos.items[i]);
	tc_diags_print(&d, stderr);
	int code = tc_diags_exit_code(&d);
	tc_sops_keys_free(k);
	tc_diags_release(&d);
	tc_strlist_release(&age);
	tc_strlist_release(&pos);
	return code;
}

/* ---- dispatch ------------------------------------------------------------------------------ */

int tc_cmd_secret(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} subs[] = {{"decrypt", decrypt_cmd},
	            {"edit", edit_cmd},
	            {"encrypt", encrypt_cmd},
	            {"keygen", keygen},
	            {"updatekeys", updatekeys_cmd}};
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fprintf(argc < 2 ? stderr : stdout, "usage: tenantc secret %s\n", usage_text);
		if (argc >= 2)
			fputs(secret_help, stdout);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			return subs[i].fn(argc - 1, argv + 1);
	tc_usage_error(NULL, "'%s' is not a secret command", argv[1]);
	fprintf(stderr, "usage: tenantc secret %s\n", usage_text);
	return 2;
}
