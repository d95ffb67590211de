/*
 * drift.c - a render in memory against the output folder of a source.
 *
 * The committed folder is walked in byte order of its paths and merged with
 * the rendered list (sorted alike) as it goes, so only one folder's
 * listing is held besides the render's list, not a list of the committed
 * tree. A pair
 * with equal bytes costs one read and one memcmp; only files that differ
 * are parsed, into an arena that is reset after every file, so memory
 * follows the largest file, not the tree. Field deltas come from diff.h,
 * which withholds every value under a Secret's data: this module prints
 * paths only, so no value of any kind reaches a message.
 */
#include "drift.h"

#include "arena.h"
#include "buf.h"
#include "diff.h"
#include "fsutil.h"
#include "tree_read.h"
#include "value.h"
#include "yaml_load.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct cmp {
	tc_source *src;
	tc_diags *d;
	tc_arena a;
	tc_buf msg;
	tc_drift *out;
	tc_drift_inspect_fn *inspect; /* NULL, or shown every file that differs */
	void *ctx;
} cmp;

static const char *strv(const tc_value *v)
{
	return v && v->kind == TC_STR ? v->u.str.ptr : NULL;
}

/* One YAML object with apiVersion, kind and metadata.name, or NULL. */
static const tc_value *object(cmp *c, const char *path, const char *data, size_t len)
{
	tc_diags scratch;
	tc_diags_init(&scratch);
	tc_value *doc = NULL;
	int r = tc_yaml_load(&doc, &c->a, &scratch, path, data, len, NULL);
	tc_diags_release(&scratch);
	if (r || doc->kind != TC_OBJECT || !strv(tc_value_getz(doc, "apiVersion")) ||
	    !strv(tc_value_getz(doc, "kind")) || !strv(tc_value_dig(doc, "metadata.name")))
		return NULL;
	return doc;
}

/* "Deployment.apps team/api": the form diff_print uses */
static void name_of(tc_buf *b, const tc_value *o)
{
	const char *api = strv(tc_value_getz(o, "apiVersion"));
	const char *slash = strchr(api, '/');
	const char *ns = strv(tc_value_dig(o, "metadata.namespace"));
	tc_buf_adds(b, strv(tc_value_getz(o, "kind")));
	if (slash) {
		tc_buf_addc(b, '.');
		tc_buf_add(b, api, (size_t)(slash - api));
	}
	tc_buf_addc(b, ' ');
	if (ns && *ns)
		tc_buf_addf(b, "%s/", ns);
	tc_buf_adds(b, strv(tc_value_dig(o, "metadata.name")));
}

static const char *opword(tc_diff_op op)
{
	return op == TC_DIFF_ADDED ? "added" : op == TC_DIFF_REMOVED ? "removed" : "changed";
}

static void missing(cmp *c, const char *shown, const tc_outfile *f)
{
	const tc_value *o = f->manifest ? object(c, shown, f->data, f->len) : NULL;
	tc_buf_reset(&c->msg);
	if (o)
		name_of(&c->msg, o);
	if (o)
		tc_finding(c->d, (tc_pos){shown, 1, 1}, NULL, "missing: render makes %s here",
		           tc_buf_str(&c->msg));
	else
		tc_finding(c->d, (tc_pos){shown, 1, 1}, NULL, "missing: render writes this file");
}

static void stale(cmp *c, const char *shown, const char *data, size_t len, bool manifest)
{
	const tc_value *o = manifest ? object(c, shown, data, len) : NULL;
	tc_buf_reset(&c->msg);
	if (o)
		name_of(&c->msg, o);
	if (o)
		tc_finding(c->d, (tc_pos){shown, 1, 1}, NULL, "stale: render no longer makes %s",
		           tc_buf_str(&c->msg));
	else
		tc_finding(c->d, (tc_pos){shown, 1, 1}, NULL,
		           "stale: render no longer writes this file");
}

/* Both sides have the file and the bytes differ. */
static void changed(cmp *c, const char *shown, const char *data, size_t len, const tc_outfile *f)
{
	const tc_value *old = f->manifest ? object(c, shown, data, len) : NULL;
	const tc_value *new = old ? object(c, shown, f->data, f->len) : NULL;
	if (!old || !new) {
		tc_finding(c->d, (tc_pos){shown, 1, 1}, NULL,
		           "out of date: this is not the file render writes");
		return;
	}
	tc_diff df;
	tc_diags scratch;
	tc_diags_init(&scratch);
	tc_diff_input b = {"", old}, h = {"", new};
	int r = tc_diff_compute(&df, &scratch, &b, 1, &h, 1);
	tc_diags_release(&scratch);
	tc_buf *m = &c->msg;
	tc_buf_reset(m);
	tc_pos at = {shown, 1, 1};
	if (r == 0 && df.len == 1 && df.entries[0].op == TC_DIFF_CHANGED) {
		const tc_diff_entry *e = &df.entries[0];
		name_of(m, new);
		tc_buf_adds(m, " is out of date: ");
		bool have_pos = false;
		for (size_t i = 0; i < e->nfields; i++) {
			const tc_diff_field *fl = &e->fields[i];
			if (!have_pos && fl->old_val && fl->old_val->pos.line) {
				at.line = fl->old_val->pos.line;
				at.col = fl->old_val->pos.col;
				have_pos = true;
			}
			if (i == TC_DRIFT_MAX_FIELDS) {
				tc_buf_addf(m, " and %zu more field%s", e->nfields - i,
				            e->nfields - i == 1 ? "" : "s");
				break;
			}
			tc_buf_addf(m, "%s'%s' %s", i ? ", " : "", fl->path, opword(fl->op));
		}
	} else if (r == 0 && df.len == 0) {
		name_of(m, new);
		tc_buf_adds(m, " is out of date: the same object, but not the bytes render writes");
	} else {
		tc_buf_adds(m, "out of date: the file holds ");
		name_of(m, old);
		tc_buf_adds(m, " where render makes ");
		name_of(m, new);
	}
	tc_diff_release(&df);
	tc_finding(c->d, at, NULL, "%s", tc_buf_str(m));
}

/* Read <dir>/<path>; 0 with the bytes, -1 when it could not be read. */
static int readf(cmp *c, const char *shown, char **data, size_t *len)
{
	int r = tc_source_read(c->src, c->d, shown, data, len);
	if (r == 1)
		return tc_fail(c->d, (tc_pos){shown, 1, 1}, NULL,
		               "'%s' was listed but cannot be read any more", shown);
	return r;
}

/* One path: h, the file in the tree, or NULL; rf, the file render makes, or NULL (its bytes
 * in memory). Counts it and reports how it differs. */
static int judge(cmp *c, const char *shown, const tc_outfile *h, const tc_outfile *rf)
{
	if (!h) {
		missing(c, shown, rf);
		c->out->missing++;
		return 0;
	}
	if (rf && rf->data && tc_source_blob_is(h->id, rf->data, rf->len)) {
		/* the committed blob holds the rendered bytes: nothing to read */
		c->out->same++;
		return 0;
	}
	char *data;
	size_t len;
	if (readf(c, shown, &data, &len)) {
		free(data);
		return -1;
	}
	if (rf && len == rf->len && memcmp(data, rf->data, len) == 0) {
		c->out->same++;
	} else {
		if (c->inspect)
			c->inspect(c->ctx, shown, data, len, c->d);
		if (rf) {
			changed(c, shown, data, len, rf);
			c->out->changed++;
		} else {
			stale(c, shown, data, len, h->manifest);
			c->out->stale++;
		}
	}
	free(data);
	return 0;
}

/* Like judge, with the rendered file's bytes read back from the spool if need be. */
static int judge_spooled(cmp *c, const char *shown, const tc_outfile *h, const tc_outfile *r,
                         tc_spool *spool)
{
	if (!r || r->data || !r->spooled || !spool)
		return judge(c, shown, h, r);
	tc_outfile rf = *r;
	char *spooled = tc_spool_read(spool, rf.off, rf.len);
	if (!spooled)
		return tc_fail(c->d, TC_NOPOS, NULL, "cannot read the temporary file: %s",
		               strerror(errno));
	rf.data = spooled;
	int rc = judge(c, shown, h, &rf);
	free(spooled);
	return rc;
}

/* The merge of the committed files, as the walk of the folder yields them,
 * with the rendered list, both in byte order of their paths. */
typedef struct merge {
	cmp *c;
	const char *dir;
	const tc_outlist *rendered;
	size_t next; /* the first rendered file not yet paired */
	tc_spool *spool;
	int rc;
} merge;

/* One path of either side or both: judged, then its parse forgotten. */
static void pair(merge *m, const tc_outfile *h, const tc_outfile *r)
{
	char *shown = tc_path_join(m->dir, h ? h->path : r->path);
	if (judge_spooled(m->c, shown, h, r, m->spool) < 0)
		m->rc = -1;
	free(shown);
	tc_arena_reset(&m->c->a);
}

/* A committed file: the rendered files before it are missing, the one of
 * its path (if any) its pair. */
static int committed(void *ctx, const char *path, const char *id, bool manifest)
{
	merge *m = ctx;
	const tc_outlist *rl = m->rendered;
	int o = 1;
	while (m->next < rl->len && (o = strcmp(path, rl->items[m->next].path)) > 0)
		pair(m, NULL, &rl->items[m->next++]);
	const tc_outfile h = {.path = (char *)path,
	                      .id = id[0] ? (char *)id : NULL,
	                      .manifest = manifest};
	pair(m, &h, m->next < rl->len && o == 0 ? &rl->items[m->next++] : NULL);
	return 0;
}

int tc_drift_compare(tc_drift *out, tc_source *src, const char *dir, const tc_outlist *rendered,
                     tc_spool *spool, tc_drift_inspect_fn *inspect, void *ctx, tc_diags *d)
{
	memset(out, 0, sizeof *out);
	cmp c = {.src = src, .d = d, .out = out, .inspect = inspect, .ctx = ctx};
	tc_arena_init(&c.a);
	tc_buf_init(&c.msg, TC_BUF_UNLIMITED);
	merge m = {.c = &c, .dir = dir, .rendered = rendered, .spool = spool};
	int rc = tc_tree_read_each(src, dir, committed, &m, d);
	while (m.next < rendered->len)
		pair(&m, NULL, &rendered->items[m.next++]);
	tc_buf_release(&c.msg);
	tc_arena_release(&c.a);
	return rc || m.rc ? -1 : 0;
}
