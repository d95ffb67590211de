/*
 * tree_read.c - list a committed output folder, and parse the manifests of
 * a tree held in memory into diff inputs.
 *
 * The listing walks the source depth first and sorts the full paths by
 * bytes at the end: a walk that sorts each folder's names visits "a/b"
 * before "a-c", while the render's list (tc_outlist_sort) has "a-c" first,
 * and the two lists are merged by check. Only paths are kept; check reads
 * a committed file when it compares it, so the committed tree is never
 * held in memory as a whole.
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

/* walk(rel): the files below root/rel ("" for root itself) */
static int walk(tc_outlist *out, tc_source *src, const char *root, const char *rel, int depth,
                tc_diags *d)
{
	char *full = tc_path_join(root, rel);
	if (depth > TC_TREE_READ_MAX_DEPTH) {
		int r = tc_finding(d, (tc_pos){full, 1, 1}, NULL,
		                   "'%s' nests folders deeper than %d levels; a rendered tree "
		                   "holds <env>/<scope>/<tenant>/<file>",
		                   full, TC_TREE_READ_MAX_DEPTH);
		free(full);
		return r;
	}
	tc_entry *e;
	size_t n;
	int rc = tc_source_list(src, d, full, &e, &n);
	for (size_t i = 0; i < n; i++) {
		char *path = tc_path_join(rel, e[i].name);
		switch (e[i].type) {
		case TC_ENTRY_FILE:
			tc_outlist_add(out, path, NULL, 0,
			               strcmp(e[i].name, "kustomization.yaml") != 0);
			if (e[i].id[0])
				out->items[out->len - 1].id = tc_xstrdup(e[i].id);
			path = NULL;
			break;
		case TC_ENTRY_DIR:
			if (walk(out, src, root, path, depth + 1, d))
				rc = -1;
			break;
		case TC_ENTRY_OTHER: {
			char *shown = tc_path_join(root, path);
			rc = tc_finding(d, (tc_pos){shown, 1, 1}, NULL,
			                "'%s' is not a regular file (a symbolic link or a "
			                "submodule); a rendered tree holds only files",
			                shown);
			free(shown);
			break;
		}
		}
		free(path);
	}
	tc_entries_free(e, n);
	free(full);
	return rc;
}

int tc_tree_read_list(tc_outlist *out, tc_source *src, const char *dir, tc_diags *d)
{
	tc_outlist_init(out);
	int rc = walk(out, src, dir, "", 0, d);
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
