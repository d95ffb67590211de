/*
 * sink.c - opening, committing and printing the output of a render (see
 * sink.h).
 *
 * Ownership: the sink owns its folder name, the claim on it, the temporary
 * tree, the loaded tree state and the spool; tc_sink_release frees them
 * and removes a temporary tree that was not committed.
 */
#include "sink.h"

#include "arena.h"
#include "cache.h"
#include "render.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void init(tc_sink *s, tc_sink_kind kind)
{
	memset(s, 0, sizeof *s);
	s->kind = kind;
	s->claim.lockfd = -1;
	s->spool.fd = -1;
	s->records.fd = -1;
}

int tc_sink_open_folder(tc_sink *s, const char *dir, const char *repo_dir, const tc_cache *cache,
                        bool whole, tc_diags *d)
{
	init(s, TC_SINK_TREE);
	s->index_files = true;
	s->dir = tc_xstrdup(dir);
	/* before anything is written: is the folder tenantc's to replace? */
	if (tc_outdir_claim(&s->claim, dir, repo_dir, d))
		return -1;
	/* With a cache, a tree rendered before is updated in place: only the
	 * files of changed tenants are written, the others stay untouched. */
	if (whole && cache) {
		s->cache = cache;
		s->state = tc_tree_state_load(cache, dir);
		/* the records of the new state wait here, not in memory */
		tc_diags quiet;
		tc_diags_init(&quiet);
		if (tc_spool_open(&s->records, &quiet) != 0)
			s->records.fd = -1;
		tc_diags_release(&quiet);
	}
	if (s->state) {
		s->kind = TC_SINK_UPDATE;
		return 0;
	}
	return tc_tree_begin(&s->tree, dir, d);
}

/* A spool when one can be made, else memory: the same output either way. */
static void spool_or_memory(tc_sink *s)
{
	tc_diags quiet;
	tc_diags_init(&quiet);
	s->kind = tc_spool_open(&s->spool, &quiet) == 0 ? TC_SINK_SPOOL : TC_SINK_MEMORY;
	tc_diags_release(&quiet);
}

void tc_sink_open_stream(tc_sink *s, bool decrypt)
{
	init(s, TC_SINK_MEMORY);
	if (!decrypt) /* plaintext never waits in a file */
		spool_or_memory(s);
}

void tc_sink_open_check(tc_sink *s)
{
	init(s, TC_SINK_MEMORY);
	s->index_files = true;
	spool_or_memory(s);
	s->per_file = s->kind == TC_SINK_SPOOL;
}

void tc_sink_open_memory(tc_sink *s)
{
	init(s, TC_SINK_MEMORY);
}

tc_tree *tc_sink_tree(tc_sink *s)
{
	return s && s->kind == TC_SINK_TREE ? &s->tree : NULL;
}

tc_spool *tc_sink_spool(tc_sink *s)
{
	return s && s->kind == TC_SINK_SPOOL ? &s->spool : NULL;
}

tc_tree_state *tc_sink_state(const tc_sink *s)
{
	return s && s->kind == TC_SINK_UPDATE ? s->state : NULL;
}

typedef struct paths_acc {
	char **items;
	size_t len, cap;
} paths_acc;

static void add_path(void *ud, const char *path)
{
	paths_acc *a = ud;
	TC_GROW(a->items, a->cap, a->len + 1);
	a->items[a->len++] = tc_xstrdup(path);
}

/* Record what the tree now holds: each keyed tenant's files, and the rest
 * (cluster objects, index kustomizations) as "others". A state that could
 * not be read whole (a damaged bucket) is dropped instead: the next render
 * makes a new tree. */
static void save_state(tc_sink *s, const tc_render_result *res)
{
	if (res->records_bad || (s->state && tc_tree_state_damaged(s->state))) {
		tc_tree_state_drop(s->cache, s->dir);
		return;
	}
	const char **others = tc_xcalloc(res->files.len + 1, sizeof *others);
	size_t nothers = 0;
	for (size_t i = 0; i < res->files.len; i++)
		if (!res->files.items[i].keyed)
			others[nothers++] = res->files.items[i].path;
	tc_state_ids ids = {.items = res->ids,
	                    .n = res->nids,
	                    .names = res->id_names,
	                    .dirty = res->ids_dirty};
	tc_tree_state_save(s->cache, s->dir, s->state, res->records, res->nrecords,
	                   s->records.fd >= 0 ? &s->records : NULL, others, nothers,
	                   res->has_ids ? &ids : NULL);
	free(others);
}

int tc_sink_commit(tc_sink *s, const tc_render_result *res, tc_diags *d)
{
	if (s->kind == TC_SINK_UPDATE) {
		paths_acc acc = {0};
		tc_tree_state_paths(s->state, add_path, &acc);
		if (tc_tree_state_damaged(s->state)) {
			/* the files of some tenants are unknown: which to remove too */
			for (size_t i = 0; i < acc.len; i++)
				free(acc.items[i]);
			free(acc.items);
			tc_tree_state_drop(s->cache, s->dir);
			return 1;
		}
		int rc = tc_tree_update(s->dir, &res->files, acc.items, acc.len, &s->written, d);
		for (size_t i = 0; i < acc.len; i++)
			free(acc.items[i]);
		free(acc.items);
		if (rc)
			return -1;
	} else if (s->kind == TC_SINK_TREE && tc_tree_commit(&s->tree, d)) {
		return -1;
	}
	if (s->cache)
		save_state(s, res);
	return 0;
}

/* Is path "<env>/<folder>/..."? */
static bool in_folder(const char *path, const char *folder)
{
	const char *slash = strchr(path, '/');
	size_t n = strlen(folder);
	return slash && strncmp(slash + 1, folder, n) == 0 && slash[1 + n] == '/';
}

static int copy_failed(tc_diags *d)
{
	return tc_error(d, TC_NOPOS, NULL, "cannot read the temporary file: %s", strerror(errno));
}

/* What tc_sink_print writes, gathered into writes of PRINT_BUFFER bytes:
 * a folder's manifests are a few KiB, and each would otherwise be a read
 * of the spool and a write of its own. */
#define PRINT_BUFFER ((size_t)1 << 20)

typedef struct printer {
	tc_spool *spool;
	FILE *out;
	char *buf;
	size_t len;
} printer;

static int flush(printer *p)
{
	if (p->len && fwrite(p->buf, 1, p->len, p->out) != p->len)
		return -1;
	p->len = 0;
	return 0;
}

/* Room for n more bytes in the buffer; false when n is larger than it. */
static bool room(printer *p, size_t n, int *rc)
{
	*rc = 0;
	if (n > PRINT_BUFFER - p->len)
		*rc = flush(p);
	return *rc == 0 && n <= PRINT_BUFFER;
}

static int put(printer *p, const char *data, size_t n)
{
	int rc;
	if (!room(p, n, &rc))
		return rc ? rc : fwrite(data, 1, n, p->out) == n ? 0 : -1;
	memcpy(p->buf + p->len, data, n);
	p->len += n;
	return 0;
}

static int put_spooled(printer *p, unsigned long long off, size_t n)
{
	int rc;
	if (!room(p, n, &rc))
		return rc ? rc : tc_spool_copy(p->spool, off, n, p->out);
	if (tc_spool_read_into(p->spool, p->buf + p->len, off, n))
		return -1;
	p->len += n;
	return 0;
}

/* A streamed render: each folder's manifests, "---" separated. */
static int print_all(printer *p, const tc_render_result *res, const char *folder)
{
	for (size_t i = 0; i < res->nchunks; i++) {
		const tc_render_chunk *c = &res->chunks[i];
		if (folder && !in_folder(c->dir, folder))
			continue;
		if (put_spooled(p, c->off, c->len) != 0)
			return -1;
	}
	for (size_t i = 0; i < res->files.len; i++) {
		const tc_outfile *f = &res->files.items[i];
		if (!f->manifest || (folder && !in_folder(f->path, folder)))
			continue;
		if (put(p, "---\n", 4) != 0)
			return -1;
		/* plaintext goes out as it is, not through a buffer not wiped */
		if (f->data && f->secret &&
		    (flush(p) != 0 || fwrite(f->data, 1, f->len, p->out) != f->len))
			return -1;
		if (f->data && !f->secret && put(p, f->data, f->len) != 0)
			return -1;
		if (!f->data && f->spooled && put_spooled(p, f->off, f->len) != 0)
			return -1;
	}
	return flush(p);
}

int tc_sink_print(tc_sink *s, const tc_render_result *res, const char *folder, FILE *out,
                  tc_diags *d)
{
	printer p = {&s->spool, out, tc_xmalloc(PRINT_BUFFER), 0};
	int rc = print_all(&p, res, folder);
	free(p.buf);
	return rc ? copy_failed(d) : 0;
}

void tc_sink_release(tc_sink *s)
{
	if (s->tree.final)
		tc_tree_abort(&s->tree);
	tc_spool_close(&s->spool);
	tc_spool_close(&s->records);
	tc_tree_state_free(s->state);
	tc_outdir_release(&s->claim);
	free(s->dir);
	init(s, TC_SINK_MEMORY);
}
