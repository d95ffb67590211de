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

/* A run of identical files of one environment, in path order. */
typedef struct same_run {
	const char *env;
	size_t len, n;
} same_run;

/* The files of base and head paired by path: those that differ (or stand
 * on one side only) borrowed into b and h, the identical ones counted in
 * runs per environment. */
typedef struct pairing {
	tc_outlist b, h;
	same_run *runs;
	size_t nruns, cap;
	same_run cur; /* the run being counted; n == 0 before the first */
} pairing;

static void end_run(pairing *p)
{
	if (!p->cur.n)
		return;
	TC_GROW(p->runs, p->cap, p->nruns + 1);
	p->runs[p->nruns++] = p->cur;
}

/* Count x, a file the same on both sides, in the run of its environment. */
static void count_same(pairing *p, const tc_outfile *x)
{
	size_t el = env_len(x->path);
	if (!p->cur.env || el != p->cur.len || memcmp(p->cur.env, x->path, el) != 0) {
		end_run(p);
		p->cur = (same_run){x->path, el, 0};
	}
	p->cur.n++;
}

/* The index of the first manifest of l at or after i (l->len when none). */
static size_t next_manifest(const tc_outlist *l, size_t i)
{
	while (i < l->len && !l->items[i].manifest)
		i++;
	return i;
}

static void pair_files(pairing *p, const tc_outlist *base, const tc_outlist *head)
{
	size_t i = next_manifest(base, 0), j = next_manifest(head, 0);
	while (i < base->len || j < head->len) {
		int c = i == base->len   ? 1
		        : j == head->len ? -1
		                         : strcmp(base->items[i].path, head->items[j].path);
		const tc_outfile *x = c <= 0 ? &base->items[i] : NULL;
		const tc_outfile *y = c >= 0 ? &head->items[j] : NULL;
		if (x && y && x->len == y->len && memcmp(x->data, y->data, x->len) == 0) {
			count_same(p, x);
		} else {
			if (x)
				take(&p->b, x);
			if (y)
				take(&p->h, y);
		}
		if (x)
			i = next_manifest(base, i + 1);
		if (y)
			j = next_manifest(head, j + 1);
	}
	end_run(p);
}

int tc_tree_diff(tc_diff *out, tc_arena *a, const tc_outlist *base, const tc_outlist *head,
                 tc_diags *d)
{
	pairing p = {0};
	tc_outlist_init(&p.b);
	tc_outlist_init(&p.h);
	pair_files(&p, base, head);
	tc_diff_input *bi = NULL, *hi = NULL;
	size_t nb = 0, nh = 0;
	int rb = tc_tree_read_objects(&bi, &nb, a, &p.b, d);
	int rh = tc_tree_read_objects(&hi, &nh, a, &p.h, d);
	int rc = -1;
	if (rb || rh) {
		memset(out, 0, sizeof *out);
		tc_arena_init(&out->arena);
	} else if (tc_diff_compute(out, d, bi, nb, hi, nh) == 0) {
		for (size_t k = 0; k < p.nruns; k++)
			add_unchanged(out, p.runs[k].env, p.runs[k].len, p.runs[k].n);
		rc = 0;
	}
	free(bi);
	free(hi);
	free(p.runs);
	/* the lists only borrowed the files */
	free(p.b.items);
	free(p.h.items);
	return rc;
}
