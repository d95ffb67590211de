/*
 * tree_read.c - list a committed output folder, and parse the manifests of
 * a tree held in memory into diff inputs.
 *
 * The walk goes depth first through each folder's names in git's tree
 * order (a folder's name as if followed by '/'), so the files come in byte
 * order of their full paths, the order of the render's list
 * (tc_outlist_sort): "a-c" before "a/b". check merges the two as the walk
 * goes (tc_tree_read_each), so it holds one folder's listing at a time, not
 * the committed tree's list; it reads a committed file only when it
 * compares it.
 *
 * tc_tree_diff pairs two trees by path first: identical files are counted,
 * not parsed, and only the rest goes through the diff engine. The counts
 * are added to the engine's totals afterwards (its environments stay
 * sorted by name, as diff.h promises).
 */
#include "tree_read.h"

#include "buf.h"
#include "fsutil.h"
#include "yaml_load.h"

#include <stdlib.h>
#include <string.h>

/* A folder's entries in the order of their full paths: a folder's name
 * compares as if followed by '/' (git's tree order), so "a-c" comes before
 * "a/b" and a depth-first walk visits the paths sorted by bytes. */
static int path_byte(const tc_entry *e, size_t i)
{
	unsigned char c = (unsigned char)e->name[i];
	return c ? c : e->type == TC_ENTRY_DIR ? '/' : 0;
}

static int cmp_walk(const void *x, const void *y)
{
	const tc_entry *a = x, *b = y;
	for (size_t i = 0;; i++) {
		int c = path_byte(a, i), e = path_byte(b, i);
		if (c != e)
			return c - e;
		if (!a->name[i] || !b->name[i])
			return 0; /* names hold no '/': both ended */
	}
}

typedef struct walker {
	tc_source *src;
	const char *root;
	tc_tree_read_fn *fn;
	void *ctx;
	tc_diags *d;
} walker;

/* A symbolic link, a submodule or another non-file below the root. */
static int not_a_file(const walker *wk, const char *path)
{
	char *shown = tc_path_join(wk->root, path);
	int rc = tc_finding(wk->d, (tc_pos){shown, 1, 1}, NULL,
	                    "'%s' is not a regular file (a symbolic link or a "
	                    "submodule); a rendered tree holds only files",
	                    shown);
	free(shown);
	return rc;
}

/* walk(rel): the files below root/rel ("" for root itself), in byte order
 * of their paths */
static int walk(const walker *wk, const char *rel, int depth)
{
	char *full = tc_path_join(wk->root, rel);
	if (depth > TC_TREE_READ_MAX_DEPTH) {
		int r = tc_finding(wk->d, (tc_pos){full, 1, 1}, NULL,
		                   "'%s' nests folders deeper than %d levels; a rendered tree "
		                   "holds <env>/<scope>/<tenant>/<file>",
		                   full, TC_TREE_READ_MAX_DEPTH);
		free(full);
		return r;
	}
	tc_entry *e;
	size_t n;
	int rc = tc_source_list(wk->src, wk->d, full, &e, &n);
	if (n > 1)
		qsort(e, n, sizeof *e, cmp_walk);
	for (size_t i = 0; i < n; i++) {
		char *path = tc_path_join(rel, e[i].name);
		if (e[i].type == TC_ENTRY_FILE) {
			if (wk->fn(wk->ctx, path, e[i].id,
			           strcmp(e[i].name, "kustomization.yaml") != 0))
				rc = -1;
		} else if (e[i].type == TC_ENTRY_DIR) {
			if (walk(wk, path, depth + 1))
				rc = -1;
		} else {
			rc = not_a_file(wk, path);
		}
		free(path);
	}
	tc_entries_free(e, n);
	free(full);
	return rc;
}

int tc_tree_read_each(tc_source *src, const char *dir, tc_tree_read_fn *fn, void *ctx, tc_diags *d)
{
	walker wk = {src, dir, fn, ctx, d};
	return walk(&wk, "", 0);
}

static int add_file(void *ctx, const char *path, const char *id, bool manifest)
{
	tc_outlist *out = ctx;
	tc_outlist_add(out, tc_xstrdup(path), NULL, 0, manifest);
	if (id[0])
		out->items[out->len - 1].id = tc_xstrdup(id);
	return 0;
}

int tc_tree_read_list(tc_outlist *out, tc_source *src, const char *dir, tc_diags *d)
{
	tc_outlist_init(out);
	int rc = tc_tree_read_each(src, dir, add_file, out, d);
	tc_outlist_sort(out);
	return rc;
}

int tc_tree_read_objects(tc_diff_input **out, size_t *n, tc_arena *a, const tc_outlist *files,
                         tc_diags *d)
{
	*n = 0;
	*out = tc_xcalloc(files->len ? files->len : 1, sizeof **out);
	int rc = 0;
	for (size_t i = 0; i < files->len; i++) {
		const tc_outfile *f = &files->items[i];
		if (!f->manifest)
			continue;
		if (!f->data)
			TC_BUG("tc_tree_read_objects wants files held in memory");
		const char *path = tc_arena_strdup(a, f->path);
		tc_value *doc;
		if (tc_yaml_load(&doc, a, d, path, f->data, f->len, NULL)) {
			rc = -1;
			continue;
		}
		if (doc->kind != TC_OBJECT) {
			rc = tc_error(d, (tc_pos){path, 1, 1}, NULL,
			              "'%s' must hold one object, not %s", path,
			              tc_kind_name(doc->kind));
			continue;
		}
		const char *slash = strchr(path, '/');
		const char *env = slash ? tc_arena_memdup0(a, path, (size_t)(slash - path)) : "";
		(*out)[(*n)++] = (tc_diff_input){env, doc};
	}
	return rc;
}

char *tc_tree_read_prev(void *ctx, const char *relpath, size_t *len)
{
	const tc_tree_prev *p = ctx;
	char *path = tc_path_join(p->dir, relpath);
	tc_diags scratch;
	tc_diags_init(&scratch);
	char *data = NULL;
	pthread_mutex_lock(p->lock);
	int r = tc_source_read(p->src, &scratch, path, &data, len);
	pthread_mutex_unlock(p->lock);
	tc_diags_release(&scratch);
	free(path);
	if (r != 0) {
		free(data);
		*len = 0;
		return NULL;
	}
	return data;
}

/* The environment of a rendered path: its first component. */
static size_t env_len(const char *path)
{
	const char *slash = strchr(path, '/');
	return slash ? (size_t)(slash - path) : 0;
}

/* Add n unchanged objects of environment env[0..len) to df. */
static void add_unchanged(tc_diff *df, const char *env, size_t len, size_t n)
{
	size_t i = 0;
	int c = 1;
	for (; i < df->nenvs; i++) {
		c = tc_bytes_cmp(df->envs[i].env, strlen(df->envs[i].env), env, len);
		if (c >= 0)
			break;
	}
	if (i == df->nenvs || c != 0) {
		tc_diff_env *e = tc_arena_alloc(&df->arena, (df->nenvs + 1) * sizeof *e);
		if (i)
			memcpy(e, df->envs, i * sizeof *e);
		if (df->nenvs > i)
			memcpy(e + i + 1, df->envs + i, (df->nenvs - i) * sizeof *e);
		memset(&e[i], 0, sizeof e[i]);
		e[i].env = tc_arena_memdup0(&df->arena, env, len);
		df->envs = e;
		df->nenvs++;
	}
	df->envs[i].unchanged += n;
	df->unchanged += n;
}

/* Borrow the file (path and bytes) into l: l's items array is freed, never
 * the files through it. */
static void take(tc_outlist *l, const tc_outfile *f)
{
	tc_outlist_add(l, f->path, f->data, f->len, true);
}

int tc_tree_diff(tc_diff *out, tc_arena *a, const tc_outlist *base, const tc_outlist *head,
                 tc_diags *d)
{
	tc_outlist b, h;
	tc_outlist_init(&b);
	tc_outlist_init(&h);
	/* identical files per environment, in path order: a run per env */
	const char *same_env = NULL;
	size_t same_len = 0, same_n = 0;
	typedef struct run {
		const char *env;
		size_t len, n;
	} run;
	run *runs = NULL;
	size_t nruns = 0, cap = 0;
	size_t i = 0, j = 0;
	while (i < base->len || j < head->len) {
		if (i < base->len && !base->items[i].manifest) {
			i++;
			continue;
		}
		if (j < head->len && !head->items[j].manifest) {
			j++;
			continue;
		}
		int c = i == base->len   ? 1
		        : j == head->len ? -1
		                         : strcmp(base->items[i].path, head->items[j].path);
		if (c < 0) {
			take(&b, &base->items[i++]);
		} else if (c > 0) {
			take(&h, &head->items[j++]);
		} else {
			const tc_outfile *x = &base->items[i++], *y = &head->items[j++];
			if (x->len != y->len || memcmp(x->data, y->data, x->len) != 0) {
				take(&b, x);
				take(&h, y);
				continue;
			}
			size_t el = env_len(x->path);
			if (!same_env || el != same_len || memcmp(same_env, x->path, el) != 0) {
				if (same_n) {
					TC_GROW(runs, cap, nruns + 1);
					runs[nruns++] = (run){same_env, same_len, same_n};
				}
				same_env = x->path;
				same_len = el;
				same_n = 0;
			}
			same_n++;
		}
	}
	if (same_n) {
		TC_GROW(runs, cap, nruns + 1);
		runs[nruns++] = (run){same_env, same_len, same_n};
	}
	tc_diff_input *bi = NULL, *hi = NULL;
	size_t nb = 0, nh = 0;
	int rb = tc_tree_read_objects(&bi, &nb, a, &b, d);
	int rh = tc_tree_read_objects(&hi, &nh, a, &h, d);
	int rc = -1;
	if (rb || rh) {
		memset(out, 0, sizeof *out);
		tc_arena_init(&out->arena);
	} else if (tc_diff_compute(out, d, bi, nb, hi, nh) == 0) {
		for (size_t k = 0; k < nruns; k++)
			add_unchanged(out, runs[k].env, runs[k].len, runs[k].n);
		rc = 0;
	}
	free(bi);
	free(hi);
	free(runs);
	/* the lists only borrowed the files */
	free(b.items);
	free(h.items);
	return rc;
}
