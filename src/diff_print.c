/*
 * diff_print.c - text, markdown and JSON output of a tc_diff.
 *
 * Formatting only: what changed was decided by diff.c, and redacted or
 * encrypted fields arrive without values, so nothing here can print a
 * secret. Values are shown as compact JSON (strings quoted and escaped,
 * so one value is one line), cut at max_value bytes on a UTF-8 boundary
 * in text and markdown. A changed string that spans lines is shown as a
 * unified line diff with two lines of context.
 *
 * Markdown is GitHub-flavoured: every table cell is HTML-escaped and '|'
 * written as &#124;, code fences are longer than any backtick run they
 * hold, and at most max_objects rows and details blocks are written
 * (a job summary is limited to 1 MiB) with a line saying what was left out.
 * JSON is built as a tc_value and written by json_emit.c, so its layout is
 * the canonical one.
 */
#include "diff_print.h"

#include "arena.h"
#include "json_emit.h"
#include "value.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_VALUE 200
#define DEFAULT_MAX_OBJECTS 500
#define CONTEXT 2

int tc_diff_format_parse(tc_diff_format *out, const char *name)
{
	if (strcmp(name, "text") == 0)
		*out = TC_DIFF_FORMAT_TEXT;
	else if (strcmp(name, "markdown") == 0 || strcmp(name, "md") == 0)
		*out = TC_DIFF_FORMAT_MARKDOWN;
	else if (strcmp(name, "json") == 0)
		*out = TC_DIFF_FORMAT_JSON;
	else
		return -1;
	return 0;
}

static const char *opname(tc_diff_op op)
{
	return op == TC_DIFF_ADDED ? "added" : op == TC_DIFF_REMOVED ? "removed" : "changed";
}

/* ---- shared pieces ---- */

/* Compact JSON of v, cut to max bytes (never inside a UTF-8 sequence). */
static void value_str(tc_buf *out, const tc_value *v, size_t max)
{
	tc_buf j;
	tc_buf_init(&j, TC_BUF_UNLIMITED);
	tc_json_emit(&j, v, false);
	if (j.len <= max) {
		tc_buf_add(out, j.ptr, j.len);
	} else {
		size_t cut = max;
		while (cut > 0 && ((unsigned char)j.ptr[cut] & 0xc0) == 0x80)
			cut--;
		tc_buf_add(out, j.ptr, cut);
		tc_buf_addf(out, "... (%zu bytes)", j.len);
	}
	tc_buf_release(&j);
}

static void object_name(tc_buf *out, const tc_diff_entry *e)
{
	tc_buf_adds(out, e->kind);
	if (*e->group) {
		tc_buf_addc(out, '.');
		tc_buf_adds(out, e->group);
	}
	tc_buf_addc(out, ' ');
	if (*e->ns) {
		tc_buf_adds(out, e->ns);
		tc_buf_addc(out, '/');
	}
	tc_buf_adds(out, e->name);
}

static bool multiline(const tc_diff_field *f)
{
	return f->op == TC_DIFF_CHANGED && f->old_val && f->new_val && f->old_val->kind == TC_STR &&
	       f->new_val->kind == TC_STR &&
	       (memchr(f->old_val->u.str.ptr, '\n', f->old_val->u.str.len) ||
	        memchr(f->new_val->u.str.ptr, '\n', f->new_val->u.str.len));
}

typedef struct lines {
	const char **p;
	size_t *n;
	size_t len;
} lines;

static void split(lines *l, const char *s, size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		count += s[i] == '\n';
	count += n > 0 && s[n - 1] != '\n';
	l->p = tc_xmalloc((count ? count : 1) * sizeof *l->p);
	l->n = tc_xmalloc((count ? count : 1) * sizeof *l->n);
	l->len = 0;
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '\n') {
			if (i == n && start == n)
				break;
			l->p[l->len] = s + start;
			l->n[l->len] = i - start;
			l->len++;
			start = i + 1;
		}
	}
}

typedef struct linepair {
	const lines *o, *n;
} linepair;

static bool line_eq(const void *ctx, size_t i, size_t j)
{
	const linepair *lp = ctx;
	return lp->o->n[i] == lp->n->n[j] && memcmp(lp->o->p[i], lp->n->p[j], lp->o->n[i]) == 0;
}

typedef struct colors {
	const char *add, *del, *chg, *hunk, *bold, *off;
} colors;

/* show[p]: op p is a change or within CONTEXT of one (a new array to free) */
static char *context_marks(const char *ops, long k)
{
	char *show = tc_xcalloc((size_t)k + 1, 1);
	long last = -1 - CONTEXT;
	for (long p = 0; p < k; p++) {
		if (ops[p] != '=')
			last = p;
		if (p - last <= CONTEXT)
			show[p] = 1;
	}
	last = k + CONTEXT;
	for (long p = k; p-- > 0;) {
		if (ops[p] != '=')
			last = p;
		if (last - p <= CONTEXT)
			show[p] = 1;
	}
	return show;
}

/* one line of a hunk: ' ' kept, '-' removed, '+' added; moves *oi and *ni */
static void hunk_line(tc_buf *out, char op, const lines *lo, const lines *ln, size_t *oi,
                      size_t *ni, const char *indent, const colors *c)
{
	if (op == '=') {
		tc_buf_addf(out, "%s ", indent);
		tc_buf_add(out, lo->p[*oi], lo->n[*oi]);
		tc_buf_addc(out, '\n');
		(*oi)++, (*ni)++;
	} else if (op == '-') {
		tc_buf_addf(out, "%s%s-", indent, c->del);
		tc_buf_add(out, lo->p[*oi], lo->n[*oi]);
		tc_buf_addf(out, "%s\n", c->off);
		(*oi)++;
	} else {
		tc_buf_addf(out, "%s%s+", indent, c->add);
		tc_buf_add(out, ln->p[*ni], ln->n[*ni]);
		tc_buf_addf(out, "%s\n", c->off);
		(*ni)++;
	}
}

/* the hunks: each run of shown ops under its "@@ -a,b +c,d @@" header */
static void hunks(tc_buf *out, const char *ops, long k, const char *show, const lines *lo,
                  const lines *ln, const char *indent, const colors *c)
{
	size_t oi = 0, ni = 0;
	for (long p = 0; p < k;) {
		if (!show[p]) {
			oi += ops[p] != '+';
			ni += ops[p] != '-';
			p++;
			continue;
		}
		long q = p;
		size_t oc = 0, nc = 0;
		while (q < k && show[q]) {
			oc += ops[q] != '+';
			nc += ops[q] != '-';
			q++;
		}
		tc_buf_addf(out, "%s%s@@ -%zu,%zu +%zu,%zu @@%s\n", indent, c->hunk,
		            oc ? oi + 1 : oi, oc, nc ? ni + 1 : ni, nc, c->off);
		for (; p < q; p++)
			hunk_line(out, ops[p], lo, ln, &oi, &ni, indent, c);
	}
}

/* Unified line diff of two strings, each line prefixed with `indent`. */
static void line_diff(tc_buf *out, const tc_value *o, const tc_value *n, const char *indent,
                      const colors *c)
{
	lines lo, ln;
	split(&lo, o->u.str.ptr, o->u.str.len);
	split(&ln, n->u.str.ptr, n->u.str.len);
	linepair lp = {&lo, &ln};
	char *ops;
	long k = tc_diff_lcs(&ops, lo.len, ln.len, line_eq, &lp);
	if (k < 0) {
		tc_buf_addf(out, "%s(too many lines to compare: %zu -> %zu lines)\n", indent,
		            lo.len, ln.len);
	} else {
		char *show = context_marks(ops, k);
		hunks(out, ops, k, show, &lo, &ln, indent, c);
		free(show);
		free(ops);
	}
	free(lo.p);
	free(lo.n);
	free(ln.p);
	free(ln.n);
}

static void counts(tc_buf *out, size_t a, size_t r, size_t c, size_t u)
{
	tc_buf_addf(out, "%zu added, %zu removed, %zu changed, %zu unchanged", a, r, c, u);
}

/* ---- text ---- */

static void text_field(tc_buf *out, const tc_diff_field *f, size_t max, const colors *c)
{
	const char *col = f->op == TC_DIFF_ADDED     ? c->add
	                  : f->op == TC_DIFF_REMOVED ? c->del
	                                             : c->chg;
	tc_buf_addf(out, "      %s%s%s: ", col, f->path, c->off);
	if (f->redacted || f->encrypted) {
		tc_buf_addf(out, "%s (%s)\n", opname(f->op),
		            f->redacted ? "redacted" : "encrypted");
		return;
	}
	if (multiline(f)) {
		tc_buf_adds(out, "changed\n");
		line_diff(out, f->old_val, f->new_val, "        ", c);
		return;
	}
	switch (f->op) {
	case TC_DIFF_ADDED:
		tc_buf_adds(out, "added ");
		value_str(out, f->new_val, max);
		break;
	case TC_DIFF_REMOVED:
		tc_buf_adds(out, "removed (was ");
		value_str(out, f->old_val, max);
		tc_buf_addc(out, ')');
		break;
	case TC_DIFF_CHANGED:
		value_str(out, f->old_val, max);
		tc_buf_adds(out, " -> ");
		value_str(out, f->new_val, max);
		break;
	}
	tc_buf_addc(out, '\n');
}

/* "+ kind ns/name" (- removed, ~ changed) and its fields */
static void text_entry(tc_buf *out, const tc_diff_entry *e, size_t max, const colors *c)
{
	const char *col = e->op == TC_DIFF_ADDED     ? c->add
	                  : e->op == TC_DIFF_REMOVED ? c->del
	                                             : c->chg;
	char sig = e->op == TC_DIFF_ADDED ? '+' : e->op == TC_DIFF_REMOVED ? '-' : '~';
	tc_buf_addf(out, "  %s%c ", col, sig);
	object_name(out, e);
	tc_buf_addf(out, "%s\n", c->off);
	for (size_t i = 0; i < e->nfields; i++)
		text_field(out, &e->fields[i], max, c);
}

static void print_text(tc_buf *out, const tc_diff *df, const colors *c, const char *bl,
                       const char *hl, size_t max)
{
	tc_buf_addf(out, "%stenantc diff %s..%s:%s ", c->bold, bl, hl, c->off);
	if (tc_diff_empty(df)) {
		tc_buf_addf(out, "no changes (%zu unchanged)\n", df->unchanged);
	} else {
		counts(out, df->added, df->removed, df->changed, df->unchanged);
		tc_buf_addc(out, '\n');
	}
	size_t k = 0;
	for (size_t v = 0; v < df->nenvs; v++) {
		const tc_diff_env *env = &df->envs[v];
		tc_buf_addf(out, "\n%s%s:%s ", c->bold, *env->env ? env->env : "-", c->off);
		if (!env->added && !env->removed && !env->changed) {
			tc_buf_addf(out, "no changes (%zu unchanged)\n", env->unchanged);
			continue;
		}
		counts(out, env->added, env->removed, env->changed, env->unchanged);
		tc_buf_addc(out, '\n');
		for (; k < df->len && strcmp(df->entries[k].env, env->env) == 0; k++)
			text_entry(out, &df->entries[k], max, c);
	}
}

/* ---- markdown ---- */

static void md_cell(tc_buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		switch (ch) {
		case '&':
			tc_buf_adds(out, "&amp;");
			break;
		case '<':
			tc_buf_adds(out, "&lt;");
			break;
		case '>':
			tc_buf_adds(out, "&gt;");
			break;
		case '|':
			tc_buf_adds(out, "&#124;");
			break;
		case '\n':
			tc_buf_adds(out, "<br>");
			break;
		case '\r':
			break;
		default:
			tc_buf_addc(out, ch);
		}
	}
}

static void md_cellz(tc_buf *out, const char *s)
{
	md_cell(out, s, strlen(s));
}

static void md_code(tc_buf *out, const char *s, size_t n)
{
	tc_buf_adds(out, "<code>");
	md_cell(out, s, n);
	tc_buf_adds(out, "</code>");
}

static void md_value(tc_buf *out, const tc_value *v, size_t max)
{
	tc_buf t;
	tc_buf_init(&t, TC_BUF_UNLIMITED);
	value_str(&t, v, max);
	md_code(out, t.ptr, t.len);
	tc_buf_release(&t);
}

static void md_fence(tc_buf *out, const tc_diff_field *f)
{
	tc_buf body;
	tc_buf_init(&body, TC_BUF_UNLIMITED);
	static const colors none = {"", "", "", "", "", ""};
	line_diff(&body, f->old_val, f->new_val, "", &none);
	size_t run = 0, longest = 0;
	for (size_t i = 0; i < body.len; i++) {
		run = body.ptr[i] == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	size_t fence = longest < 3 ? 3 : longest + 1;
	tc_buf_adds(out, "\n<code>");
	md_cellz(out, f->path);
	tc_buf_adds(out, "</code>:\n\n");
	for (size_t i = 0; i < fence; i++)
		tc_buf_addc(out, '`');
	tc_buf_adds(out, "diff\n");
	tc_buf_add(out, tc_buf_str(&body), body.len);
	for (size_t i = 0; i < fence; i++)
		tc_buf_addc(out, '`');
	tc_buf_addc(out, '\n');
	tc_buf_release(&body);
}

static void md_details(tc_buf *out, const tc_diff_entry *e, size_t max)
{
	tc_buf name;
	tc_buf_init(&name, TC_BUF_UNLIMITED);
	object_name(&name, e);
	tc_buf_adds(out, "<details><summary>");
	md_cellz(out, *e->env ? e->env : "-");
	tc_buf_adds(out, ": ");
	md_cell(out, name.ptr, name.len);
	tc_buf_addf(out, " (%zu field%s)</summary>\n\n", e->nfields, e->nfields == 1 ? "" : "s");
	tc_buf_release(&name);
	tc_buf_adds(out, "| field | change | old | new |\n| --- | --- | --- | --- |\n");
	bool fences = false;
	for (size_t i = 0; i < e->nfields; i++) {
		const tc_diff_field *f = &e->fields[i];
		tc_buf_adds(out, "| ");
		md_code(out, f->path, strlen(f->path));
		tc_buf_addf(out, " | %s", opname(f->op));
		if (f->redacted || f->encrypted) {
			tc_buf_addf(out, " (%s) |  |  |\n", f->redacted ? "redacted" : "encrypted");
			continue;
		}
		if (multiline(f)) {
			tc_buf_adds(out, " (lines, below) |  |  |\n");
			fences = true;
			continue;
		}
		tc_buf_adds(out, " | ");
		if (f->old_val)
			md_value(out, f->old_val, max);
		tc_buf_adds(out, " | ");
		if (f->new_val)
			md_value(out, f->new_val, max);
		tc_buf_adds(out, " |\n");
	}
	if (fences)
		for (size_t i = 0; i < e->nfields; i++)
			if (multiline(&e->fields[i]) && !e->fields[i].redacted)
				md_fence(out, &e->fields[i]);
	tc_buf_adds(out, "\n</details>\n\n");
}

static void print_markdown(tc_buf *out, const tc_diff *df, const char *bl, const char *hl,
                           size_t max, size_t max_objects)
{
	tc_buf_adds(out, "## tenantc diff <code>");
	md_cellz(out, bl);
	tc_buf_adds(out, "</code>..<code>");
	md_cellz(out, hl);
	tc_buf_adds(out, "</code>\n\n");
	if (tc_diff_empty(df)) {
		tc_buf_addf(out, "No changes (%zu objects unchanged).\n", df->unchanged);
		return;
	}
	tc_buf_addf(out, "**%zu added, %zu removed, %zu changed**, %zu unchanged\n\n", df->added,
	            df->removed, df->changed, df->unchanged);
	tc_buf_adds(out, "| environment | added | removed | changed | unchanged |\n"
	                 "| --- | ---: | ---: | ---: | ---: |\n");
	for (size_t v = 0; v < df->nenvs; v++) {
		const tc_diff_env *env = &df->envs[v];
		tc_buf_adds(out, "| ");
		md_cellz(out, *env->env ? env->env : "-");
		tc_buf_addf(out, " | %zu | %zu | %zu | %zu |\n", env->added, env->removed,
		            env->changed, env->unchanged);
	}
	tc_buf_adds(out, "\n| change | environment | kind | namespace | name | fields |\n"
	                 "| --- | --- | --- | --- | --- | ---: |\n");
	size_t rows = df->len < max_objects ? df->len : max_objects;
	for (size_t k = 0; k < rows; k++) {
		const tc_diff_entry *e = &df->entries[k];
		tc_buf_addf(out, "| %s | ", opname(e->op));
		md_cellz(out, *e->env ? e->env : "-");
		tc_buf_adds(out, " | ");
		md_cellz(out, e->kind);
		if (*e->group) {
			tc_buf_addc(out, '.');
			md_cellz(out, e->group);
		}
		tc_buf_adds(out, " | ");
		md_cellz(out, e->ns);
		tc_buf_adds(out, " | ");
		md_cellz(out, e->name);
		if (e->op == TC_DIFF_CHANGED)
			tc_buf_addf(out, " | %zu |\n", e->nfields);
		else
			tc_buf_adds(out, " |  |\n");
	}
	if (rows < df->len)
		tc_buf_addf(out, "\n%zu more objects are not listed.\n", df->len - rows);
	tc_buf_addc(out, '\n');
	size_t shown = 0, hidden = 0;
	for (size_t k = 0; k < df->len; k++) {
		if (df->entries[k].op != TC_DIFF_CHANGED)
			continue;
		if (shown == max_objects) {
			hidden++;
			continue;
		}
		md_details(out, &df->entries[k], max);
		shown++;
	}
	if (hidden)
		tc_buf_addf(out, "%zu more changed objects are not shown in detail.\n", hidden);
}

/* ---- json ---- */

static tc_value *jstr(tc_arena *a, const char *s)
{
	return tc_value_strz(a, s, TC_NOPOS);
}

static tc_value *jcounts(tc_arena *a, const char *name, size_t ad, size_t rm, size_t ch, size_t un)
{
	tc_objb b;
	tc_objb_init(&b);
	if (name)
		tc_objb_addz(&b, "name", jstr(a, name));
	tc_objb_addz(&b, "added", tc_value_int(a, (int64_t)ad, TC_NOPOS));
	tc_objb_addz(&b, "removed", tc_value_int(a, (int64_t)rm, TC_NOPOS));
	tc_objb_addz(&b, "changed", tc_value_int(a, (int64_t)ch, TC_NOPOS));
	tc_objb_addz(&b, "unchanged", tc_value_int(a, (int64_t)un, TC_NOPOS));
	return tc_objb_finish(&b, a, TC_NOPOS, NULL);
}

static tc_value *jfield(tc_arena *a, const tc_diff_field *f)
{
	tc_objb b;
	tc_objb_init(&b);
	tc_objb_addz(&b, "path", jstr(a, f->path));
	tc_objb_addz(&b, "change", jstr(a, opname(f->op)));
	tc_objb_addz(&b, "redacted", tc_value_bool(a, f->redacted, TC_NOPOS));
	tc_objb_addz(&b, "encrypted", tc_value_bool(a, f->encrypted, TC_NOPOS));
	if (f->old_val)
		tc_objb_addz(&b, "old", (tc_value *)f->old_val);
	if (f->new_val)
		tc_objb_addz(&b, "new", (tc_value *)f->new_val);
	return tc_objb_finish(&b, a, TC_NOPOS, NULL);
}

static tc_value *jentry(tc_arena *a, const tc_diff_entry *e)
{
	tc_objb b;
	tc_objb_init(&b);
	tc_objb_addz(&b, "environment", jstr(a, e->env));
	tc_objb_addz(&b, "group", jstr(a, e->group));
	tc_objb_addz(&b, "kind", jstr(a, e->kind));
	tc_objb_addz(&b, "namespace", jstr(a, e->ns));
	tc_objb_addz(&b, "name", jstr(a, e->name));
	tc_objb_addz(&b, "apiVersion", jstr(a, e->api_version));
	tc_objb_addz(&b, "change", jstr(a, opname(e->op)));
	tc_objb_addz(&b, "secret", tc_value_bool(a, e->secret, TC_NOPOS));
	tc_arrb fl;
	tc_arrb_init(&fl);
	for (size_t i = 0; i < e->nfields; i++)
		tc_arrb_push(&fl, jfield(a, &e->fields[i]));
	tc_objb_addz(&b, "fields", tc_arrb_finish(&fl, a, TC_NOPOS));
	return tc_objb_finish(&b, a, TC_NOPOS, NULL);
}

static void print_json(tc_buf *out, const tc_diff *df, const char *bl, const char *hl)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_objb root;
	tc_objb_init(&root);
	tc_objb_addz(&root, "base", jstr(&a, bl));
	tc_objb_addz(&root, "head", jstr(&a, hl));
	tc_objb_addz(&root, "summary",
	             jcounts(&a, NULL, df->added, df->removed, df->changed, df->unchanged));
	tc_arrb envs;
	tc_arrb_init(&envs);
	for (size_t v = 0; v < df->nenvs; v++) {
		const tc_diff_env *e = &df->envs[v];
		tc_arrb_push(&envs,
		             jcounts(&a, e->env, e->added, e->removed, e->changed, e->unchanged));
	}
	tc_objb_addz(&root, "environments", tc_arrb_finish(&envs, &a, TC_NOPOS));
	tc_arrb objs;
	tc_arrb_init(&objs);
	for (size_t k = 0; k < df->len; k++)
		tc_arrb_push(&objs, jentry(&a, &df->entries[k]));
	tc_objb_addz(&root, "objects", tc_arrb_finish(&objs, &a, TC_NOPOS));
	tc_json_emit(out, tc_objb_finish(&root, &a, TC_NOPOS, NULL), true);
	tc_arena_release(&a);
}

void tc_diff_print(tc_buf *out, const tc_diff *df, const tc_diff_print_opts *o)
{
	static const colors plain = {"", "", "", "", "", ""};
	static const colors ansi = {"\033[32m", "\033[31m", "\033[33m",
	                            "\033[36m", "\033[1m",  "\033[0m"};
	const char *bl = o->base_label ? o->base_label : "base";
	const char *hl = o->head_label ? o->head_label : "head";
	size_t max = o->max_value ? o->max_value : DEFAULT_MAX_VALUE;
	switch (o->format) {
	case TC_DIFF_FORMAT_TEXT:
		print_text(out, df, o->color ? &ansi : &plain, bl, hl, max);
		break;
	case TC_DIFF_FORMAT_MARKDOWN:
		print_markdown(out, df, bl, hl, max,
		               o->max_objects ? o->max_objects : DEFAULT_MAX_OBJECTS);
		break;
	case TC_DIFF_FORMAT_JSON:
		print_json(out, df, bl, hl);
		break;
	}
}
