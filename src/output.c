/*
 * output.c - naming objects, writing the temporary tree, swapping it in.
 *
 * File names depend only on the objects of one folder, never on the order
 * in which threads finish. Folders are created with mkdir -p semantics;
 * concurrent creation of the same parent is harmless (EEXIST).
 */
#include "output.h"

#include "arena.h"
#include "fsutil.h"
#include "sort.h"
#include "yaml_emit.h"

#include <dirent.h>
#include <sodium.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void tc_outlist_init(tc_outlist *l)
{
	l->items = NULL;
	l->len = l->cap = 0;
}

void tc_outlist_release(tc_outlist *l)
{
	for (size_t i = 0; i < l->len; i++) {
		free(l->items[i].path);
		free(l->items[i].id);
		if (l->items[i].secret && l->items[i].data)
			sodium_memzero(l->items[i].data, l->items[i].len);
		free(l->items[i].data);
	}
	free(l->items);
	tc_outlist_init(l);
}

void tc_outlist_add(tc_outlist *l, char *path, char *data, size_t len, bool manifest)
{
	TC_GROW(l->items, l->cap, l->len + 1);
	l->items[l->len++] = (tc_outfile){path, data, len, manifest, false, false, false, 0, NULL};
}

void tc_outlist_add_secret(tc_outlist *l, char *path, char *data, size_t len)
{
	TC_GROW(l->items, l->cap, l->len + 1);
	l->items[l->len++] = (tc_outfile){path, data, len, true, true, false, false, 0, NULL};
}

static int cmpfile(const void *a, const void *b)
{
	return strcmp(((const tc_outfile *)a)->path, ((const tc_outfile *)b)->path);
}

void tc_outlist_sort(tc_outlist *l)
{
	/* paths are unique, so an unstable sort is still deterministic */
	if (l->len > 1)
		qsort(l->items, l->len, sizeof *l->items, cmpfile);
}

static int mkdirs(char *path);

static const char *strof(const tc_value *v)
{
	return v && v->kind == TC_STR ? v->u.str.ptr : "";
}

static const char *group_of(const char *api_version, size_t *n)
{
	const char *slash = strchr(api_version, '/');
	*n = slash ? (size_t)(slash - api_version) : 0;
	return api_version;
}

/* "kind[.group]-[namespace-]name.yaml", the kind in lower case: the group
 * from level 2, the namespace from level 1. Made in one allocation (a
 * render names every object it writes). */
static char *name_for(const tc_value *o, int level)
{
	const tc_value *meta = tc_value_getz(o, "metadata");
	const char *kind = strof(tc_value_getz(o, "kind"));
	const char *name = strof(tc_value_getz(meta, "name"));
	const char *ns = strof(tc_value_getz(meta, "namespace"));
	size_t gl;
	const char *g = group_of(strof(tc_value_getz(o, "apiVersion")), &gl);
	if (level < 2)
		gl = 0;
	if (level < 1)
		ns = "";
	size_t kl = strlen(kind), nsl = strlen(ns), nl = strlen(name);
	char *out = tc_xmalloc(kl + (gl ? gl + 1 : 0) + 1 + (nsl ? nsl + 1 : 0) + nl + 6);
	char *p = out;
	for (size_t i = 0; i < kl; i++)
		*p++ = kind[i] >= 'A' && kind[i] <= 'Z' ? (char)(kind[i] - 'A' + 'a') : kind[i];
	if (gl) {
		*p++ = '.';
		memcpy(p, g, gl);
		p += gl;
	}
	*p++ = '-';
	if (nsl) {
		memcpy(p, ns, nsl);
		p += nsl;
		*p++ = '-';
	}
	memcpy(p, name, nl);
	p += nl;
	memcpy(p, ".yaml", 6);
	return out;
}

/* Raise the level of every name that clashes with another (at most 2);
 * false when no two names are the same. */
static bool raise_clashes(char *const *names, int *level, size_t n)
{
	bool clash = false;
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (strcmp(names[i], names[j]) == 0) {
				clash = true;
				if (level[i] < 2)
					level[i]++;
				if (level[j] < 2)
					level[j]++;
			}
	return clash;
}

int tc_output_names(char **names, const tc_value *const *objs, size_t n, tc_diags *d)
{
	int *level = tc_xcalloc(n ? n : 1, sizeof *level);
	int rc = 0;
	for (size_t i = 0; i < n; i++)
		names[i] = name_for(objs[i], 0);
	for (int round = 0; round < 3 && raise_clashes(names, level, n); round++)
		for (size_t i = 0; i < n; i++) {
			free(names[i]);
			names[i] = name_for(objs[i], level[i]);
		}
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (strcmp(names[i], names[j]) == 0) {
				const tc_value *a = objs[i], *b = objs[j];
				tc_pos pa = a->pos;
				rc = tc_error(d, b->pos, NULL,
				              "duplicate object %s '%s' (also made at %s:%u:%u)",
				              tc_value_shown(tc_value_getz(b, "kind")),
				              tc_value_shown(tc_value_dig(b, "metadata.name")),
				              pa.file ? pa.file : "?", (unsigned)pa.line,
				              (unsigned)pa.col);
			}
	free(level);
	return rc;
}

void tc_output_kustomization(tc_buf *out, const char *const *resources, size_t n)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_arrb items;
	tc_arrb_init(&items);
	for (size_t i = 0; i < n; i++)
		tc_arrb_push(&items, tc_value_strz(&a, resources[i], TC_NOPOS));
	tc_objb b;
	tc_objb_init(&b);
	tc_objb_addz(&b, "apiVersion",
	             tc_value_strz(&a, "kustomize.config.k8s.io/v1beta1", TC_NOPOS));
	tc_objb_addz(&b, "kind", tc_value_strz(&a, "Kustomization", TC_NOPOS));
	tc_objb_addz(&b, "resources", tc_arrb_finish(&items, &a, TC_NOPOS));
	tc_yaml_emit(out, tc_objb_finish(&b, &a, TC_NOPOS, NULL));
	tc_arena_release(&a);
}

/* Sorted, without repeats. */
static void uniq(char **v, size_t *n)
{
	if (*n < 2)
		return;
	qsort(v, *n, sizeof *v, tc_cmp_str);
	size_t out = 1;
	for (size_t i = 1; i < *n; i++) {
		if (strcmp(v[i], v[out - 1]) == 0)
			free(v[i]);
		else
			v[out++] = v[i];
	}
	*n = out;
}

bool tc_output_is_index(const char *path)
{
	const char *slash = strchr(path, '/');
	if (!slash)
		return false;
	const char *rest = slash + 1;
	return strcmp(rest, "kustomization.yaml") == 0 ||
	       strcmp(rest, "gitops/kustomization.yaml") == 0 ||
	       strcmp(rest, "tenants/kustomization.yaml") == 0;
}

static void add_index(tc_outlist *out, const char *env, const char *sub, char **res, size_t n)
{
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	tc_output_kustomization(&b, (const char *const *)res, n);
	size_t len;
	char *data = tc_buf_detach(&b, &len);
	size_t pn = strlen(env) + strlen(sub) + 32;
	char *path = tc_xmalloc(pn);
	snprintf(path, pn, "%s/%s%skustomization.yaml", env, sub, sub[0] ? "/" : "");
	tc_outlist_add(out, path, data, len, false);
}

/* A folder name of a scope ("gitops"): the tenant of
 * SCOPE/TENANT/... in rest; the names of a scope, grouped as most paths
 * come, are made unique later. */
typedef struct scope_names {
	char **names;
	size_t n, cap;
} scope_names;

static void add_scope_name(scope_names *sn, const char *rest, const char *scope)
{
	size_t sl = strlen(scope);
	if (strncmp(rest, scope, sl) != 0 || rest[sl] != '/')
		return;
	const char *t = rest + sl + 1;
	const char *end = strchr(t, '/');
	if (!end)
		return;
	size_t tl = (size_t)(end - t);
	if (sn->n && strlen(sn->names[sn->n - 1]) == tl &&
	    strncmp(sn->names[sn->n - 1], t, tl) == 0)
		return; /* most paths come grouped by folder */
	TC_GROW(sn->names, sn->cap, sn->n + 1);
	sn->names[sn->n++] = tc_xmemdup0(t, tl);
}

void tc_output_env_index(tc_outlist *out, const char *env, const tc_outlist *files)
{
	size_t el = strlen(env);
	scope_names sn = {NULL, 0, 0};
	for (size_t i = 0; i < files->len; i++) {
		const char *p = files->items[i].path;
		if (strncmp(p, env, el) != 0 || p[el] != '/' || tc_output_is_index(p))
			continue;
		add_scope_name(&sn, p + el + 1, "gitops");
	}
	/* Only gitops/ is joined: all of it goes to the GitOps controller's
	 * cluster. No "<env>/kustomization.yaml", which would join the
	 * controller's folders (gitops, platform) with the target clusters'
	 * (cluster, tenants), nor "<env>/tenants/kustomization.yaml", which
	 * would join tenants placed on different clusters; `kubectl apply -k`
	 * of either would put objects into the wrong cluster
	 * (docs/output-tree.md). */
	uniq(sn.names, &sn.n);
	if (sn.n)
		add_index(out, env, "gitops", sn.names, sn.n);
	for (size_t i = 0; i < sn.n; i++)
		free(sn.names[i]);
	free(sn.names);
}

int tc_remove_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	DIR *dir = opendir(path);
	if (!dir)
		return -1;
	int rc = 0;
	struct dirent *e;
	while ((e = readdir(dir)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		size_t n = strlen(path) + strlen(e->d_name) + 2;
		char *sub = tc_xmalloc(n);
		snprintf(sub, n, "%s/%s", path, e->d_name);
		if (tc_remove_tree(sub) != 0)
			rc = -1;
		free(sub);
	}
	closedir(dir);
	if (rmdir(path) != 0)
		rc = -1;
	return rc;
}

int tc_tree_begin(tc_tree *t, const char *final, tc_diags *d)
{
	t->final = tc_xstrdup(final);
	t->tmp = NULL;
	const char *slash = strrchr(final, '/');
	size_t dirlen = slash ? (size_t)(slash - final + 1) : 0;
	const char *base = slash ? slash + 1 : final;
	size_t n = dirlen + strlen(base) + 16;
	char *tmpl = tc_xmalloc(n);
	snprintf(tmpl, n, "%.*s.%s.tmp-XXXXXX", (int)dirlen, final, base);
	mkdirs(tmpl); /* the parents of a nested output folder ("out/tree") */
	if (!mkdtemp(tmpl)) {
		int e = errno;
		free(tmpl);
		return tc_fail(d, (tc_pos){final, 0, 0}, NULL,
		               "cannot create a temporary folder beside '%s': %s", final,
		               strerror(e));
	}
	chmod(tmpl, 0755);
	t->tmp = tmpl;
	return 0;
}

static int mkdirs(char *path)
{
	/* create every parent of path (path itself is a file) */
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		int r = mkdir(path, 0755);
		int e = errno;
		*p = '/';
		if (r != 0 && e != EEXIST)
			return -1;
	}
	return 0;
}

int tc_tree_write(tc_tree *t, const char *relpath, const void *data, size_t len, tc_diags *d)
{
	size_t n = strlen(t->tmp) + strlen(relpath) + 2;
	char *full = tc_xmalloc(n);
	snprintf(full, n, "%s/%s", t->tmp, relpath);
	int rc = 0;
	/* the folder usually exists already: create it only when the open
	 * says it does not, which saves a mkdir per path level and file */
	int fd = open(full, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 && errno == ENOENT) {
		if (mkdirs(full) != 0) {
			rc = tc_fail(d, TC_NOPOS, NULL, "cannot create the folder of '%s/%s': %s",
			             t->final, relpath, strerror(errno));
			goto out;
		}
		fd = open(full, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	}
	if (fd < 0) {
		rc = tc_fail(d, TC_NOPOS, NULL, "cannot write '%s/%s': %s", t->final, relpath,
		             strerror(errno));
		goto out;
	}
	if (tc_fd_write(fd, data, len) != 0)
		rc = tc_fail(d, TC_NOPOS, NULL, "cannot write '%s/%s': %s", t->final, relpath,
		             strerror(errno));
	if (close(fd) != 0 && rc == 0)
		rc = tc_fail(d, TC_NOPOS, NULL, "cannot write '%s/%s': %s", t->final, relpath,
		             strerror(errno));
out:
	free(full);
	return rc;
}

int tc_tree_commit(tc_tree *t, tc_diags *d)
{
	struct stat st;
	if (lstat(t->final, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			return tc_error(d, (tc_pos){t->final, 0, 0}, NULL,
			                "output '%s' exists and is not a folder", t->final);
		/* atomic exchange: readers see the old tree or the new one */
		if (renameat2(AT_FDCWD, t->tmp, AT_FDCWD, t->final, RENAME_EXCHANGE) != 0)
			return tc_fail(d, (tc_pos){t->final, 0, 0}, NULL, "cannot replace '%s': %s",
			               t->final, strerror(errno));
		/* t->tmp now holds the old tree */
		tc_remove_tree(t->tmp);
	} else if (rename(t->tmp, t->final) != 0) {
		return tc_fail(d, (tc_pos){t->final, 0, 0}, NULL, "cannot create '%s': %s",
		               t->final, strerror(errno));
	}
	free(t->tmp);
	t->tmp = NULL;
	return 0;
}

void tc_tree_abort(tc_tree *t)
{
	if (t->tmp) {
		tc_remove_tree(t->tmp);
		free(t->tmp);
		t->tmp = NULL;
	}
	free(t->final);
	t->final = NULL;
}

/* ---- in-place update through a journal ---------------------------------------------------- */

/* The folder that holds relpath below rootfd, opened without following a
 * symbolic link: with create, missing folders are made and a link or a
 * file met where a folder belongs is removed (never followed) and replaced
 * by a folder. *base receives the last name. -1 (errno) on failure. */
static int open_parent(int rootfd, const char *relpath, bool create, const char **base)
{
	int fd = dup(rootfd);
	const char *p = relpath;
	while (fd >= 0) {
		const char *slash = strchr(p, '/');
		if (!slash) {
			*base = p;
			return fd;
		}
		char name[256];
		size_t n = (size_t)(slash - p);
		if (n == 0 || n >= sizeof name) {
			close(fd);
			errno = EINVAL;
			return -1;
		}
		memcpy(name, p, n);
		name[n] = 0;
		int sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0 && create && (errno == ENOENT || errno == ELOOP || errno == ENOTDIR)) {
			if (errno != ENOENT)
				unlinkat(fd, name, 0); /* the link itself, not what it names */
			if (mkdirat(fd, name, 0755) == 0 || errno == EEXIST)
				sub = openat(fd, name,
				             O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		int e = errno;
		close(fd);
		errno = e;
		fd = sub;
		p = slash + 1;
	}
	return -1;
}

/* Does the regular file relpath below rootfd hold exactly data? */
static bool same_content(int rootfd, const char *relpath, const char *data, size_t len)
{
	const char *base;
	int dfd = open_parent(rootfd, relpath, false, &base);
	if (dfd < 0)
		return false;
	int fd = openat(dfd, base, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	close(dfd);
	if (fd < 0)
		return false;
	struct stat st;
	bool same = false;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == len) {
		char *buf = tc_xmalloc(len + 1);
		size_t got = 0;
		same = tc_fd_read(fd, buf, len, &got) == 0 && got == len &&
		       memcmp(buf, data, len) == 0;
		free(buf);
	}
	close(fd);
	return same;
}

static bool listed(const tc_outlist *files, const char *path)
{
	size_t lo = 0, hi = files->len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(files->items[mid].path, path);
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Remove relpath's folders below rootfd that are left empty. */
static void prune_empty(int rootfd, const char *relpath)
{
	char *p = tc_xstrdup(relpath);
	for (char *slash = strrchr(p, '/'); slash; slash = strrchr(p, '/')) {
		*slash = 0;
		const char *base;
		int dfd = open_parent(rootfd, p, false, &base);
		if (dfd < 0)
			break;
		int r = unlinkat(dfd, base, AT_REMOVEDIR);
		close(dfd);
		if (r != 0)
			break;
	}
	free(p);
}

#define JOURNAL "journal"

/* One line of a journal (n bytes with its newline; changed in place):
 * "p STAGE PATH" renames the staged file STAGE to PATH, "d PATH" removes
 * PATH. A step already done (by an interrupted run) is not an error. */
static int journal_step(int rootfd, int stagefd, const char *final, const char *stage, char *text,
                        size_t n, size_t *written, tc_diags *d)
{
	tc_pos at = {final, 0, 0};
	if (text[n - 1] != '\n')
		return tc_fail(d, at, NULL, "the update journal in '%s' is cut short", stage);
	text[n - 1] = 0;
	char *path = text + 2, *name = NULL;
	if (text[0] == 'p' && text[1] == ' ' && (path = strchr(text + 2, ' ')) != NULL) {
		*path++ = 0;
		name = text + 2;
	} else if (text[0] != 'd' || text[1] != ' ') {
		return tc_fail(d, at, NULL, "the update journal in '%s' is damaged", stage);
	}
	const char *base;
	int dfd = open_parent(rootfd, path, name != NULL, &base);
	if (dfd < 0)
		return name || errno != ENOENT ? tc_fail(d, at, NULL, "cannot update '%s/%s': %s",
		                                         final, path, strerror(errno))
		                               : 0;
	int rc = 0;
	if (name) {
		if (renameat(stagefd, name, dfd, base) == 0)
			(*written)++;
		else if (errno != ENOENT) /* ENOENT: moved by an earlier attempt */
			rc = tc_fail(d, at, NULL, "cannot write '%s/%s': %s", final, path,
			             strerror(errno));
	} else if (unlinkat(dfd, base, 0) == 0 || errno == ENOENT) {
		prune_empty(rootfd, path);
	} else {
		rc = tc_fail(d, at, NULL, "cannot remove '%s/%s': %s", final, path,
		             strerror(errno));
	}
	close(dfd);
	return rc;
}

/* Carry out the journal of a staging folder on the tree at final: each
 * "p STAGE PATH" renames a staged file into place, each "d PATH" removes a
 * file. Every step can be repeated, so a journal that was interrupted is
 * carried out again from its start. The staging folder is removed at the
 * end. */
static int apply_journal(const char *final, const char *stage, size_t *written, tc_diags *d)
{
	tc_pos at = {final, 0, 0};
	int rootfd = open(final, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int stagefd = open(stage, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	char *text = NULL;
	size_t len = 0;
	int rc = 0;
	if (rootfd < 0 || stagefd < 0) {
		rc = tc_fail(d, at, NULL, "cannot open '%s' to update it: %s",
		             rootfd < 0 ? final : stage, strerror(errno));
		goto out;
	}
	int jfd = openat(stagefd, JOURNAL, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	FILE *jf = jfd >= 0 ? fdopen(jfd, "r") : NULL;
	if (!jf) {
		if (jfd >= 0)
			close(jfd);
		rc = tc_fail(d, at, NULL, "cannot read the update journal in '%s': %s", stage,
		             strerror(errno));
		goto out;
	}
	ssize_t n;
	while (rc == 0 && (n = getline(&text, &len, jf)) > 0)
		rc = journal_step(rootfd, stagefd, final, stage, text, (size_t)n, written, d);
	fclose(jf);
out:
	free(text);
	if (rootfd >= 0)
		close(rootfd);
	if (stagefd >= 0)
		close(stagefd);
	if (rc == 0)
		tc_remove_tree(stage);
	return rc;
}

int tc_tree_update(const char *final, const tc_outlist *files, char *const *remove, size_t nremove,
                   size_t *written, tc_diags *d)
{
	*written = 0;
	int rootfd = open(final, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (rootfd < 0)
		return tc_fail(d, (tc_pos){final, 0, 0}, NULL, "cannot open '%s' to update it: %s",
		               final, strerror(errno));
	tc_tree stage;
	if (tc_tree_begin(&stage, final, d)) {
		close(rootfd);
		return -1;
	}
	/* stage what changes, and list it in the journal */
	tc_buf j;
	tc_buf_init(&j, TC_BUF_UNLIMITED);
	size_t nput = 0;
	int rc = 0;
	for (size_t i = 0; i < files->len && rc == 0; i++) {
		const tc_outfile *f = &files->items[i];
		if (!f->data || same_content(rootfd, f->path, f->data, f->len))
			continue;
		char name[32];
		snprintf(name, sizeof name, "%zu", nput++);
		rc = tc_tree_write(&stage, name, f->data, f->len, d);
		tc_buf_addf(&j, "p %s %s\n", name, f->path);
	}
	for (size_t i = 0; i < nremove && rc == 0; i++) {
		if (listed(files, remove[i]))
			continue;
		const char *base;
		int dfd = open_parent(rootfd, remove[i], false, &base);
		struct stat st;
		if (dfd >= 0 && fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0)
			tc_buf_addf(&j, "d %s\n", remove[i]);
		if (dfd >= 0)
			close(dfd);
	}
	close(rootfd);
	if (rc == 0 && j.len == 0) { /* nothing changes */
		tc_tree_abort(&stage);
		tc_buf_release(&j);
		return 0;
	}
	/* the journal's rename is the commit point: from here on the update
	 * is carried out, by this render or, if it dies, by the next one */
	if (rc == 0)
		rc = tc_tree_write(&stage, JOURNAL ".tmp", j.ptr, j.len, d);
	tc_buf_release(&j);
	if (rc == 0) {
		tc_buf a, b;
		tc_buf_init(&a, TC_BUF_UNLIMITED);
		tc_buf_init(&b, TC_BUF_UNLIMITED);
		tc_buf_addf(&a, "%s/" JOURNAL ".tmp", stage.tmp);
		tc_buf_addf(&b, "%s/" JOURNAL, stage.tmp);
		if (rename(tc_buf_str(&a), tc_buf_str(&b)) != 0)
			rc = tc_fail(d, (tc_pos){final, 0, 0}, NULL,
			             "cannot commit the update of '%s': %s", final,
			             strerror(errno));
		tc_buf_release(&a);
		tc_buf_release(&b);
	}
	if (rc != 0) {
		tc_tree_abort(&stage);
		return rc;
	}
	rc = apply_journal(final, stage.tmp, written, d);
	free(stage.tmp); /* removed by apply_journal, or left for the next render */
	stage.tmp = NULL;
	tc_tree_abort(&stage);
	return rc;
}

int tc_tree_recover(const char *final, const char *stage, bool *completed, tc_diags *d)
{
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	tc_buf_addf(&b, "%s/" JOURNAL, stage);
	struct stat st;
	bool committed = lstat(tc_buf_str(&b), &st) == 0 && S_ISREG(st.st_mode);
	tc_buf_release(&b);
	if (committed && (lstat(final, &st) != 0 || !S_ISDIR(st.st_mode)))
		committed = false; /* the tree it was meant for is gone */
	*completed = committed;
	if (!committed)
		return tc_remove_tree(stage) == 0 ? 0 : -1;
	size_t written = 0;
	return apply_journal(final, stage, &written, d);
}

int tc_spool_open(tc_spool *s, tc_diags *d)
{
	const char *dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	atomic_init(&s->end, 0);
	s->fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (s->fd >= 0)
		return 0;
	/* file systems without O_TMPFILE: a named file, unlinked at once */
	size_t n = strlen(dir) + 32;
	char *name = tc_xmalloc(n);
	snprintf(name, n, "%s/.tenantc-spool-XXXXXX", dir);
	s->fd = mkostemp(name, O_CLOEXEC);
	if (s->fd >= 0)
		unlink(name);
	free(name);
	if (s->fd < 0)
		return tc_error(d, TC_NOPOS, NULL, "cannot create a temporary file in %s: %s", dir,
		                strerror(errno));
	return 0;
}

int tc_spool_put(tc_spool *s, const void *data, size_t len, unsigned long long *off, tc_diags *d)
{
	unsigned long long at = atomic_fetch_add(&s->end, (unsigned long long)len);
	*off = at;
	const char *p = data;
	size_t done = 0;
	while (done < len) {
		ssize_t w = pwrite(s->fd, p + done, len - done, (off_t)(at + done));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return tc_error(d, TC_NOPOS, NULL, "cannot write the temporary file: %s",
			                w < 0 ? strerror(errno) : "no space");
		done += (size_t)w;
	}
	return 0;
}

/* Up to len bytes of the spool at off: how many (at least one), or -1 with
 * errno set (EIO when the spool ends before off + len). */
static ssize_t spool_pread(tc_spool *s, char *buf, size_t len, unsigned long long off)
{
	for (;;) {
		ssize_t r = pread(s->fd, buf, len, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			errno = EIO;
		return r > 0 ? r : -1;
	}
}

int tc_spool_read_into(tc_spool *s, char *buf, unsigned long long off, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t r = spool_pread(s, buf + got, len - got, off + got);
		if (r < 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

char *tc_spool_read(tc_spool *s, unsigned long long off, size_t len)
{
	char *buf = tc_xmalloc(len + 1);
	if (tc_spool_read_into(s, buf, off, len)) {
		free(buf);
		return NULL;
	}
	buf[len] = 0;
	return buf;
}

int tc_spool_copy(tc_spool *s, unsigned long long off, size_t len, FILE *out)
{
	char buf[65536];
	while (len > 0) {
		size_t want = len < sizeof buf ? len : sizeof buf;
		ssize_t r = spool_pread(s, buf, want, off);
		if (r < 0)
			return -1;
		if (fwrite(buf, 1, (size_t)r, out) != (size_t)r)
			return -1;
		off += (unsigned long long)r;
		len -= (size_t)r;
	}
	return 0;
}

void tc_spool_close(tc_spool *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}
