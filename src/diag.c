/*
 * diag.c - collecting, sorting and printing diagnostics.
 *
 * Every string in a tc_diag is a private malloc'd copy. Sorting is a stable
 * merge sort on (file, line, col, message) so that the printed order never
 * depends on which worker thread finished first.
 */
#include "diag.h"

#include "arena.h"
#include "sort.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define PRINT_LIMIT 100

static bool is_ident(const char *k, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)k[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
		          (i > 0 && ((c >= '0' && c <= '9') || c == '-'));
		if (!ok)
			return false;
	}
	return true;
}

static void path_rec(tc_buf *out, const tc_path *p)
{
	if (!p)
		return;
	path_rec(out, p->up);
	if (p->key) {
		if (is_ident(p->key, p->klen)) {
			tc_buf_addc(out, '.');
			tc_buf_add(out, p->key, p->klen);
		} else {
			tc_buf_adds(out, "[\"");
			for (size_t i = 0; i < p->klen; i++) {
				unsigned char c = (unsigned char)p->key[i];
				if (c == '"' || c == '\\')
					tc_buf_addf(out, "\\%c", c);
				else if (c < 0x20)
					tc_buf_addf(out, "\\u%04x", c);
				else
					tc_buf_addc(out, (char)c);
			}
			tc_buf_adds(out, "\"]");
		}
	} else {
		tc_buf_addf(out, "[%zu]", p->index);
	}
}

void tc_path_format(tc_buf *out, const tc_path *p)
{
	if (!p) {
		tc_buf_addc(out, '.');
		return;
	}
	path_rec(out, p);
}

void tc_diags_init(tc_diags *d)
{
	d->items = NULL;
	d->len = d->cap = 0;
	d->nerrors = 0;
}

void tc_diags_release(tc_diags *d)
{
	for (size_t i = 0; i < d->len; i++) {
		free(d->items[i].file);
		free(d->items[i].path);
		free(d->items[i].msg);
	}
	free(d->items);
	tc_diags_init(d);
}

int tc_diag_add(tc_diags *d, tc_severity sev, tc_diag_class cls, tc_pos pos, const tc_path *at,
                const char *fmt, va_list ap)
{
	/* messages are capped at 64 KiB: one line of an error report */
	tc_buf m;
	tc_buf_init(&m, 64 * 1024);
	char small[512];
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(small, sizeof small, fmt, cp);
	va_end(cp);
	if (n > 0 && (size_t)n < sizeof small) {
		tc_buf_add(&m, small, (size_t)n);
	} else if (n > 0 && tc_buf_grow(&m, (size_t)n)) {
		vsnprintf(m.ptr + m.len, (size_t)n + 1, fmt, ap);
		m.len += (size_t)n;
	}
	TC_GROW(d->items, d->cap, d->len + 1);
	tc_diag *g = &d->items[d->len++];
	g->sev = sev;
	g->cls = cls;
	g->file = pos.file ? tc_xstrdup(pos.file) : NULL;
	g->line = pos.line;
	g->col = pos.col;
	g->path = NULL;
	if (at) {
		tc_buf p;
		tc_buf_init(&p, 64 * 1024);
		tc_path_format(&p, at);
		g->path = tc_buf_detach(&p, NULL);
	}
	g->msg = tc_buf_detach(&m, NULL);
	if (sev == TC_SEV_ERROR) {
		d->nerrors++;
		return -1;
	}
	return 0;
}

#define DEFINE_ADDER(name, sev, cls)                                                               \
	int name(tc_diags *d, tc_pos pos, const tc_path *at, const char *fmt, ...)                 \
	{                                                                                          \
		va_list ap;                                                                        \
		va_start(ap, fmt);                                                                 \
		int r = tc_diag_add(d, sev, cls, pos, at, fmt, ap);                                \
		va_end(ap);                                                                        \
		return r;                                                                          \
	}

DEFINE_ADDER(tc_error, TC_SEV_ERROR, TC_DIAG_INPUT)
DEFINE_ADDER(tc_finding, TC_SEV_ERROR, TC_DIAG_FINDING)
DEFINE_ADDER(tc_fail, TC_SEV_ERROR, TC_DIAG_INTERNAL)

void tc_warning(tc_diags *d, tc_pos pos, const tc_path *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tc_diag_add(d, TC_SEV_WARNING, TC_DIAG_FINDING, pos, at, fmt, ap);
	va_end(ap);
}

void tc_note(tc_diags *d, tc_pos pos, const tc_path *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tc_diag_add(d, TC_SEV_NOTE, TC_DIAG_FINDING, pos, at, fmt, ap);
	va_end(ap);
}

void tc_diags_merge(tc_diags *dst, tc_diags *src)
{
	if (src->len) {
		TC_GROW(dst->items, dst->cap, dst->len + src->len);
		memcpy(dst->items + dst->len, src->items, src->len * sizeof(tc_diag));
		dst->len += src->len;
		dst->nerrors += src->nerrors;
	}
	free(src->items);
	tc_diags_init(src);
}

static int cmpstr(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int cmpdiag(const void *ap, const void *bp, void *ctx)
{
	(void)ctx;
	const tc_diag *a = ap, *b = bp;
	int c = cmpstr(a->file, b->file);
	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	c = cmpstr(a->path, b->path);
	if (c)
		return c;
	return strcmp(a->msg, b->msg);
}

void tc_diags_sort(tc_diags *d)
{
	if (d->len < 2)
		return;
	tc_sort_stable(d->items, d->len, sizeof *d->items, cmpdiag, NULL);
}

void tc_diag_format(tc_buf *out, const tc_diag *g)
{
	static const char *const sevname[] = {"error", "warning", "note"};
	if (g->file) {
		/* editors and CI annotations expect file:line:col; a whole-file
		 * problem points at its start */
		tc_buf_adds(out, g->file);
		tc_buf_addf(out, ":%u:%u: ", (unsigned)(g->line ? g->line : 1),
		            (unsigned)(g->col ? g->col : 1));
	} else {
		tc_buf_adds(out, "tenantc: ");
	}
	tc_buf_adds(out, sevname[g->sev]);
	tc_buf_adds(out, ": ");
	tc_buf_adds(out, g->msg);
	if (g->path && strcmp(g->path, ".") != 0) {
		tc_buf_adds(out, " (at ");
		tc_buf_adds(out, g->path);
		tc_buf_addc(out, ')');
	}
}

/* Is g an I/O error: a failure of the environment (tc_fail) or a file
 * that cannot be read or written? A full disk or a read-only folder makes
 * one for every file, all saying the same thing. */
static bool is_io(const tc_diag *g)
{
	static const char *const verbs[] = {"cannot read",   "cannot write",  "cannot open",
	                                    "cannot create", "cannot remove", "cannot rename",
	                                    "cannot replace"};
	if (g->sev != TC_SEV_ERROR)
		return false;
	if (g->cls == TC_DIAG_INTERNAL)
		return true;
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		if (strncmp(g->msg, verbs[i], strlen(verbs[i])) == 0)
			return true;
	return false;
}

/* What an I/O error says apart from the files it names: its class and its
 * message with every '...' emptied ("cannot write '': No space left on
 * device"). The file and the path are left out. malloc'd. */
static char *io_shape(const tc_diag *g)
{
	size_t n = strlen(g->msg);
	char *out = tc_xmalloc(n + 2), *o = out;
	*o++ = (char)('0' + g->cls);
	bool quoted = false;
	for (const char *p = g->msg; *p; p++) {
		if (*p == '\'')
			quoted = !quoted;
		else if (quoted)
			continue;
		*o++ = *p;
	}
	*o = 0;
	return out;
}

typedef struct alike {
	char *shape;
	size_t index;
} alike;

static int cmpalike(const void *a, const void *b)
{
	const alike *x = a, *y = b;
	int c = strcmp(x->shape, y->shape);
	if (c)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

static bool same_as_previous(const tc_diags *d, size_t i)
{
	return i > 0 && d->items[i].sev == d->items[i - 1].sev &&
	       cmpdiag(&d->items[i], &d->items[i - 1], NULL) == 0;
}

/* For sorted d: more[i] is how many later I/O errors say what the I/O
 * error i says (about other files), printed as one count on its line;
 * SIZE_MAX for those folded into an earlier one. malloc'd. */
static size_t *fold_alike(const tc_diags *d)
{
	size_t *more = tc_xcalloc(d->len ? d->len : 1, sizeof *more);
	alike *v = tc_xmalloc((d->len ? d->len : 1) * sizeof *v);
	size_t n = 0;
	for (size_t i = 0; i < d->len; i++)
		if (is_io(&d->items[i]) && !same_as_previous(d, i))
			v[n++] = (alike){io_shape(&d->items[i]), i};
	qsort(v, n, sizeof *v, cmpalike);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && strcmp(v[j].shape, v[i].shape) == 0) {
			more[v[j].index] = SIZE_MAX;
			j++;
		}
		more[v[i].index] = j - i - 1;
		i = j;
	}
	for (size_t i = 0; i < n; i++)
		free(v[i].shape);
	free(v);
	return more;
}

void tc_diags_print(tc_diags *d, FILE *f)
{
	tc_diags_sort(d);
	size_t *more = fold_alike(d);
	size_t shown = 0, hidden = 0;
	tc_buf line;
	tc_buf_init(&line, TC_BUF_UNLIMITED);
	for (size_t i = 0; i < d->len; i++) {
		/* the same template error in many tenants is one line, and so
		 * is the same I/O error about many files */
		if (same_as_previous(d, i) || more[i] == SIZE_MAX)
			continue;
		if (shown >= PRINT_LIMIT) {
			hidden += 1 + more[i];
			continue;
		}
		tc_buf_reset(&line);
		tc_diag_format(&line, &d->items[i]);
		if (more[i])
			tc_buf_addf(&line, " (and %zu more like this)", more[i]);
		tc_buf_addc(&line, '\n');
		fwrite(line.ptr, 1, line.len, f);
		shown++;
	}
	if (hidden)
		fprintf(f, "tenantc: %zu more diagnostics not shown\n", hidden);
	free(more);
	tc_buf_release(&line);
}

int tc_diags_exit_code(const tc_diags *d)
{
	int code = 0;
	for (size_t i = 0; i < d->len; i++) {
		const tc_diag *g = &d->items[i];
		if (g->sev != TC_SEV_ERROR)
			continue;
		if (g->cls == TC_DIAG_INTERNAL)
			return 3;
		if (g->cls == TC_DIAG_INPUT)
			code = 2;
		else if (code == 0)
			code = 1;
	}
	return code;
}

_Noreturn void tc_bug(const char *file, int line, const char *msg)
{
	fprintf(stderr, "tenantc: internal error: %s (%s:%d)\n", msg, file, line);
	exit(3);
}

int tc_diags_finish(tc_diags *d, FILE *f, int status)
{
	if (d->len) {
		tc_diags_print(d, f);
		int code = tc_diags_exit_code(d);
		if (code)
			status = code;
	}
	tc_diags_release(d);
	return status;
}
