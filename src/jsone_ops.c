/*
 * jsone_ops.c - rendering a JSON-e template: the walk over the template,
 * string interpolation, the sixteen $-operators, and the compiled form.
 *
 * The walk follows the language definition (LANGUAGE.md sections 2 and 5)
 * and the reference's order of checks, so the first error met is the same
 * one: an operator checks its properties first, then its value, and plain
 * objects render their entries in document order (by key position), value
 * before key. Unchanged subtrees are not copied: a template array or object
 * whose entries all render to themselves is returned as is, so a static
 * part of a template costs no allocation.
 *
 * Compiled form: every string that is interpolated and every string that
 * is an expression is parsed once, into a read-only hash table keyed by the
 * string's address and its role. Renders look their strings up and never
 * write to it, so one compiled template serves many threads. A string the
 * table does not hold (a template built after compiling) is parsed into the
 * render's arena instead. Syntax errors are stored and raised only when the
 * render reaches the string, because JSON-e evaluates lazily.
 *
 * Locations: entering an element of a plain array or object pushes a
 * segment ([i], .key or ["key"]) on st->segs; an error takes the stack as
 * its "at template..." location. Operators push nothing.
 */
#include "jsone_ops.h"

#include "jsone_builtins.h"
#include "jsone_eval.h"
#include "sort.h"

#include <stdlib.h>
#include <string.h>

/* --- compiled strings ---------------------------------------------------- */

/* ROLE_STATIC marks an array or object (keyed by its address) that holds
 * no operator, no interpolation and no key needing treatment: it renders
 * to itself, so the walk skips it. */
enum { ROLE_INTERP = 1, ROLE_EXPR = 2, ROLE_STATIC = 3 };

typedef struct part {
	const char *lit; /* text before the expression (escapes resolved) */
	size_t litlen;
	tc_jsone_node *expr; /* NULL for the last part */
	const char *src;     /* the expression's text, for messages */
	size_t srclen;
	uint32_t nl, col; /* where its "${" is: lines and columns into the string */
} part;

typedef struct entry {
	const char *key; /* the string's address */
	int role;
	tc_jsone_node *node; /* ROLE_EXPR */
	part *parts;         /* ROLE_INTERP: nparts, the last has expr == NULL */
	size_t nparts;
	char *err;     /* a syntax error met after the parts (or instead of node) */
	size_t erroff; /* ROLE_INTERP: the offset of the "${" that err is about */
} entry;

struct tc_jsone_compiled {
	const tc_value *tmpl;
	tc_arena *arena; /* &own, or the caller's arena for a one-off render */
	tc_arena own;
	entry *slots;
	size_t cap, len;
	size_t max_depth;
};

static size_t slot_of(const char *key, int role, size_t cap)
{
	uint64_t h = (uint64_t)(uintptr_t)key * 0x9E3779B97F4A7C15ull + (uint64_t)role;
	return (size_t)(h >> 17) & (cap - 1);
}

static const entry *find_entry(const tc_jsone_compiled *c, const char *key, int role)
{
	if (!c || !c->cap)
		return NULL;
	for (size_t i = slot_of(key, role, c->cap);; i = (i + 1) & (c->cap - 1)) {
		const entry *e = &c->slots[i];
		if (!e->key)
			return NULL;
		if (e->key == key && e->role == role)
			return e;
	}
}

static void insert_entry(tc_jsone_compiled *c, const entry *e)
{
	if (2 * (c->len + 1) > c->cap) {
		size_t ncap = c->cap ? 2 * c->cap : 64;
		entry *ns = tc_xcalloc(ncap, sizeof *ns);
		for (size_t i = 0; i < c->cap; i++) {
			if (!c->slots[i].key)
				continue;
			size_t j = slot_of(c->slots[i].key, c->slots[i].role, ncap);
			while (ns[j].key)
				j = (j + 1) & (ncap - 1);
			ns[j] = c->slots[i];
		}
		free(c->slots);
		c->slots = ns;
		c->cap = ncap;
	}
	size_t j = slot_of(e->key, e->role, c->cap);
	while (c->slots[j].key)
		j = (j + 1) & (c->cap - 1);
	c->slots[j] = *e;
	c->len++;
}

static bool has_interp(const char *s, size_t n)
{
	const char *p = s, *e = s + n;
	while (p + 1 < e && (p = memchr(p, '$', (size_t)(e - p - 1))) != NULL) {
		if (p[1] == '{')
			return true;
		p++;
	}
	return false;
}

/* The next "${" or "$${" of s at or after at: its offset in *j, or false. */
static bool next_interp(const char *s, size_t n, size_t at, size_t *j)
{
	size_t k = at;
	while (k + 1 < n) {
		const char *d = memchr(s + k, '$', n - k - 1);
		if (!d)
			break;
		k = (size_t)(d - s);
		if ((k + 2 < n && s[k + 1] == '$' && s[k + 2] == '{') || s[k + 1] == '{') {
			*j = k;
			return true;
		}
		k++;
	}
	*j = k;
	return false;
}

/* How far byte off of s is from its start: newlines, and characters
 * since the last one. */
static void text_offset(const char *s, size_t off, uint32_t *nl, uint32_t *col)
{
	*nl = *col = 0;
	for (size_t i = 0; i < off; i++) {
		if (s[i] == '\n') {
			(*nl)++;
			*col = 0;
		} else if (((unsigned char)s[i] & 0xC0) != 0x80) {
			(*col)++;
		}
	}
}

/* The source position nl lines and col characters into a string at pos,
 * when its YAML layout (TC_VAL_LITERAL, TC_VAL_ONELINE) says where its
 * text sits; else pos. */
static tc_pos pos_at(tc_pos pos, uint32_t flags, uint32_t nl, uint32_t col)
{
	if (!pos.file || !pos.line)
		return pos;
	if (flags & TC_VAL_LITERAL)
		return (tc_pos){pos.file, pos.line + 1 + nl, TC_VAL_INDENT(flags) + 1 + col};
	if ((flags & TC_VAL_ONELINE) && nl == 0)
		return (tc_pos){pos.file, pos.line,
		                pos.col + col + ((flags & TC_VAL_QUOTED) ? 1 : 0)};
	return pos;
}

/* The source position of byte off of a string at pos (see pos_at). */
static tc_pos pos_in(tc_pos pos, uint32_t flags, const char *s, size_t off)
{
	uint32_t nl, col;
	text_offset(s, off, &nl, &col);
	return pos_at(pos, flags, nl, col);
}

/* a new part holding the literal text gathered so far */
static part *push_part(part **parts, size_t *cap, size_t *np, tc_arena *a, const tc_buf *lit)
{
	TC_GROW(*parts, *cap, *np + 1);
	part *p = &(*parts)[(*np)++];
	memset(p, 0, sizeof *p);
	p->litlen = lit->len;
	p->lit = tc_arena_memdup0(a, tc_buf_str(lit), lit->len);
	return p;
}

/* Split an interpolated string into literal text and expressions. */
static void build_interp(entry *e, tc_arena *a, const char *s, size_t n, tc_pos pos,
                         size_t max_depth)
{
	part *parts = NULL;
	size_t np = 0, cap = 0, at = 0, j;
	tc_buf lit, err;
	tc_buf_init(&lit, TC_BUF_UNLIMITED);
	tc_buf_init(&err, TC_BUF_UNLIMITED);
	while (next_interp(s, n, at, &j)) {
		tc_buf_add(&lit, s + at, j - at);
		if (s[j + 1] == '$') { /* "$${" is a literal "${" */
			tc_buf_adds(&lit, "${");
			at = j + 3;
			continue;
		}
		size_t end = 0;
		tc_jsone_node *node;
		if (tc_jsone_parse(&node, &end, a, s + j + 2, n - j - 2, true, pos, max_depth,
		                   &err)) {
			push_part(&parts, &cap, &np, a, &lit);
			e->err = tc_arena_memdup0(a, tc_buf_str(&err), err.len);
			e->erroff = j;
			goto done;
		}
		part *p = push_part(&parts, &cap, &np, a, &lit);
		p->expr = node;
		p->src = s + j + 2;
		p->srclen = end - 1;
		text_offset(s, j, &p->nl, &p->col);
		tc_buf_reset(&lit);
		at = j + 2 + end;
	}
	tc_buf_add(&lit, s + at, n - at);
	push_part(&parts, &cap, &np, a, &lit);
done:
	e->parts = tc_arena_alloc(a, np * sizeof *parts);
	memcpy(e->parts, parts, np * sizeof *parts);
	e->nparts = np;
	free(parts);
	tc_buf_release(&lit);
	tc_buf_release(&err);
}

static void build_entry(entry *e, tc_arena *a, const char *s, size_t n, int role, tc_pos pos,
                        size_t max_depth)
{
	memset(e, 0, sizeof *e);
	e->key = s;
	e->role = role;
	if (role == ROLE_INTERP) {
		build_interp(e, a, s, n, pos, max_depth);
		return;
	}
	tc_buf err;
	tc_buf_init(&err, TC_BUF_UNLIMITED);
	if (tc_jsone_parse(&e->node, NULL, a, s, n, false, pos, max_depth, &err))
		e->err = tc_arena_memdup0(a, tc_buf_str(&err), err.len);
	tc_buf_release(&err);
}

static void compile_string(tc_jsone_compiled *c, const char *s, size_t n, int role, tc_pos pos)
{
	if (role == ROLE_INTERP && !has_interp(s, n))
		return;
	if (find_entry(c, s, role))
		return;
	entry e;
	build_entry(&e, c->arena, s, n, role, pos, c->max_depth);
	insert_entry(c, &e);
}

static bool is_operator(const char *k, size_t n);

static bool compile_walk(tc_jsone_compiled *c, const tc_value *t, size_t depth);

/* A member of an operator object: the values and keys that are expressions. */
static void compile_operand(tc_jsone_compiled *c, const char *op, const tc_member *m)
{
	const tc_value *v = m->val;
	bool expr_value = (strcmp(m->key, "$eval") == 0 || strcmp(m->key, "$if") == 0 ||
	                   (strcmp(op, "$find") == 0 && strncmp(m->key, "each(", 5) == 0) ||
	                   (strcmp(op, "$sort") == 0 && strncmp(m->key, "by(", 3) == 0));
	if (expr_value && v->kind == TC_STR)
		compile_string(c, v->u.str.ptr, v->u.str.len, ROLE_EXPR, v->pos);
	if ((strcmp(m->key, "$match") != 0 && strcmp(m->key, "$switch") != 0) ||
	    v->kind != TC_OBJECT)
		return;
	for (size_t j = 0; j < v->u.obj.len; j++) {
		const tc_member *k = &v->u.obj.members[j];
		if (strcmp(k->key, "$default") != 0)
			compile_string(c, k->key, k->klen, ROLE_EXPR, k->kpos);
	}
}

/* An object: its values, and its keys as interpolations unless it is an
 * operator's; static when no key starts with '$' and nothing below is dynamic. */
static bool compile_object(tc_jsone_compiled *c, const tc_value *t, size_t depth)
{
	bool stat = true;
	const char *op = NULL;
	for (size_t i = 0; i < t->u.obj.len; i++) {
		const tc_member *m = &t->u.obj.members[i];
		if (is_operator(m->key, m->klen))
			op = m->key;
		if (m->klen && m->key[0] == '$')
			stat = false;
	}
	for (size_t i = 0; i < t->u.obj.len; i++) {
		const tc_member *m = &t->u.obj.members[i];
		stat = compile_walk(c, m->val, depth + 1) && stat;
		if (op) {
			compile_operand(c, op, m);
			continue;
		}
		if (m->klen < 2 || m->key[0] != '$' || m->key[1] != '$')
			compile_string(c, m->key, m->klen, ROLE_INTERP, m->kpos);
		stat = stat && !has_interp(m->key, m->klen);
	}
	return stat;
}

/* Parse the strings below t; returns true when t is static (see
 * ROLE_STATIC). */
static bool compile_walk(tc_jsone_compiled *c, const tc_value *t, size_t depth)
{
	if (depth > c->max_depth)
		return false;
	bool stat = true;
	if (t->kind == TC_STR) {
		compile_string(c, t->u.str.ptr, t->u.str.len, ROLE_INTERP, t->pos);
		return !has_interp(t->u.str.ptr, t->u.str.len);
	} else if (t->kind == TC_ARRAY) {
		for (size_t i = 0; i < t->u.arr.len; i++)
			stat = compile_walk(c, t->u.arr.items[i], depth + 1) && stat;
	} else if (t->kind == TC_OBJECT) {
		stat = compile_object(c, t, depth);
	} else {
		return true;
	}
	if (stat && !find_entry(c, (const char *)(const void *)t, ROLE_STATIC)) {
		entry e = {.key = (const char *)(const void *)t, .role = ROLE_STATIC};
		insert_entry(c, &e);
	}
	return stat;
}

static tc_jsone_compiled *compile_in(const tc_value *tmpl, size_t max_depth, tc_arena *a)
{
	tc_jsone_compiled *c = tc_xcalloc(1, sizeof *c);
	c->tmpl = tmpl;
	c->max_depth = max_depth ? max_depth : TC_JSONE_DEFAULT_MAX_DEPTH;
	tc_arena_init(&c->own);
	c->arena = a ? a : &c->own;
	compile_walk(c, tmpl, 0);
	return c;
}

tc_jsone_compiled *tc_jsone_compile(const tc_value *tmpl, size_t max_depth)
{
	return compile_in(tmpl, max_depth, NULL);
}

void tc_jsone_compiled_free(tc_jsone_compiled *c)
{
	if (!c)
		return;
	tc_arena_release(&c->own);
	free(c->slots);
	free(c);
}

const tc_value *tc_jsone_compiled_template(const tc_jsone_compiled *c)
{
	return c->tmpl;
}

size_t tc_jsone_compiled_size(const tc_jsone_compiled *c)
{
	return c->len;
}

/* The parsed form of a string: from the compiled table, or parsed now. */
static const entry *get_entry(tc_jsone_state *st, const char *s, size_t n, int role, tc_pos pos)
{
	const entry *e = find_entry(st->compiled, s, role);
	if (e)
		return e;
	entry *ne = tc_arena_alloc(st->a, sizeof *ne);
	build_entry(ne, st->a, s, n, role, pos, st->max_depth);
	return ne;
}

/* --- helpers ----------------------------------------------------------- */

static tc_value *mut(const tc_value *v)
{
	return (tc_value *)(uintptr_t)v;
}

static int push_seg(tc_jsone_state *st, const char *key, size_t klen, size_t index)
{
	TC_GROW(st->segs, st->segcap, st->nsegs + 1);
	st->segs[st->nsegs++] = (tc_jsone_seg){key, klen, index};
	return 0;
}

static bool is_ident(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
		          (i > 0 && c >= '0' && c <= '9');
		if (!ok)
			return false;
	}
	return true;
}

static const char *const operators[] = {
	"$eval", "$find",  "$flatten", "$flattenDeep", "$fromNow", "$if",      "$json", "$let",
	"$map",  "$match", "$merge",   "$mergeDeep",   "$reduce",  "$reverse", "$sort", "$switch",
};

static bool is_operator(const char *k, size_t n)
{
	if (n < 3 || k[0] != '$')
		return false;
	for (size_t i = 0; i < sizeof operators / sizeof operators[0]; i++)
		if (strlen(operators[i]) == n && memcmp(operators[i], k, n) == 0)
			return true;
	return false;
}

static int render(tc_value **out, tc_jsone_state *st, const tc_value *t, const tc_jsone_scope *sc);

/* --- interpolation ------------------------------------------------------- */

/* After an error in a string that is likely a script: how to keep "${". */
static void verbatim_hint(tc_jsone_state *st)
{
	if (st->extras)
		tc_note(st->d, st->epos, NULL,
		        "write '$${' for a literal '${' in a template string, or embed the text "
		        "verbatim with {$verbatim: ...} or file()");
}

static int interpolate(tc_value **out, tc_jsone_state *st, const char *s, size_t n, tc_pos pos,
                       uint32_t flags, const tc_jsone_scope *sc, bool *taint)
{
	const entry *e = get_entry(st, s, n, ROLE_INTERP, pos);
	tc_buf *b = &st->ibuf;
	*taint = false;
	/* "${expr}" giving a string: that string, repositioned, not copied */
	bool whole =
		e->nparts == 2 && !e->err && e->parts[0].litlen == 0 && e->parts[1].litlen == 0;
	tc_buf_reset(b);
	for (size_t i = 0; i < e->nparts; i++) {
		const part *p = &e->parts[i];
		tc_buf_add(b, p->lit, p->litlen);
		if (!p->expr)
			continue;
		tc_value *v;
		/* errors point at the "${" of the expression */
		st->epos = pos_at(pos, flags, p->nl, p->col);
		if (tc_jsone_eval(&v, st, p->expr, sc)) {
			if (flags & TC_VAL_LITERAL)
				verbatim_hint(st);
			return -1;
		}
		st->epos = pos;
		if (whole && v->kind == TC_STR && !tc_jsone_is_fn(v)) {
			*taint = tc_jsone_secret(v);
			*out = tc_value_copy(st->a, v);
			(*out)->pos = pos;
			return 0;
		}
		if (!tc_jsone_text(b, v)) {
			if (tc_jsone_is_fn(v))
				return tc_jsone_raise(st, TC_JE_TEMPLATE,
				                      "interpolation of '%.*s' produced a function",
				                      (int)p->srclen, p->src);
			return tc_jsone_raise(st, TC_JE_TEMPLATE,
			                      "interpolation of '%.*s' produced an array or object",
			                      (int)p->srclen, p->src);
		}
		*taint = *taint || tc_jsone_secret(v);
	}
	st->epos = pos;
	if (e->err) {
		st->epos = pos_in(pos, flags, s, e->erroff);
		tc_jsone_raise(st, TC_JE_SYNTAX, "%s", e->err);
		verbatim_hint(st);
		return -1;
	}
	if (tc_buf_failed(b))
		return tc_jsone_raise(st, TC_JE_TEMPLATE, "output exceeds the limit of %zu bytes",
		                      st->max_output);
	if (tc_jsone_check_size(st, b->len))
		return -1;
	*out = tc_jsone_taint(tc_value_str(st->a, tc_buf_str(b), b->len, pos), *taint);
	return 0;
}

/* --- plain arrays and objects ---------------------------------------------- */

static int render_array(tc_value **out, tc_jsone_state *st, const tc_value *t,
                        const tc_jsone_scope *sc)
{
	size_t n = t->u.arr.len;
	tc_value **items = NULL;
	size_t cnt = 0;
	for (size_t i = 0; i < n; i++) {
		tc_value *v;
		push_seg(st, NULL, 0, i);
		if (render(&v, st, t->u.arr.items[i], sc))
			return -1;
		st->nsegs--;
		if (!items && v != t->u.arr.items[i]) {
			items = tc_arena_alloc(st->a, n * sizeof *items);
			memcpy(items, t->u.arr.items, i * sizeof *items);
			cnt = i;
		}
		if (items && v != &st->deleted)
			items[cnt++] = v;
	}
	if (!items) {
		*out = mut(t);
		return 0;
	}
	tc_value *r = tc_value_array(st->a, NULL, 0, t->pos);
	r->u.arr.items = items;
	r->u.arr.len = cnt;
	*out = r;
	return 0;
}

/* Member indexes of a template object in document order (by key position;
 * the sorted order where positions are unknown or equal). */
static size_t *doc_order(const tc_value *t, size_t *small, size_t nsmall)
{
	size_t n = t->u.obj.len;
	size_t *ord = n <= nsmall ? small : tc_xmalloc(n * sizeof *ord);
	const tc_member *m = t->u.obj.members;
	for (size_t i = 0; i < n; i++) {
		size_t j = i;
		while (j > 0) {
			const tc_pos *a = &m[ord[j - 1]].kpos, *b = &m[i].kpos;
			if (a->line < b->line || (a->line == b->line && a->col <= b->col))
				break;
			ord[j] = ord[j - 1];
			j--;
		}
		ord[j] = i;
	}
	return ord;
}

static bool reserved_key(const char *k, size_t n)
{
	if (n < 2 || k[0] != '$')
		return false;
	for (size_t i = 1; i < n; i++) {
		unsigned char c = (unsigned char)k[i];
		bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
		if (!alpha && !(i > 1 && c >= '0' && c <= '9'))
			return false;
	}
	return true;
}

/* What rendering an object's members changed. */
typedef struct obj_changes {
	bool changed;      /* a value is new, or a member was deleted */
	bool keys_changed; /* a key lost its "$$" or was interpolated */
	bool taint;        /* an interpolated key is secret */
} obj_changes;

/* The key of a rendered member: "$$x" is "x", "$x" is reserved, "${..}" is
 * interpolated. */
static int render_key(tc_jsone_state *st, const tc_member *tm, tc_member *nm,
                      const tc_jsone_scope *sc, obj_changes *f)
{
	if (tm->klen >= 2 && tm->key[0] == '$' && tm->key[1] == '$') {
		nm->key++;
		nm->klen--;
		f->keys_changed = true;
	} else if (reserved_key(tm->key, tm->klen)) {
		st->epos = tm->kpos;
		return tc_jsone_raise(st, TC_JE_TEMPLATE,
		                      "$<identifier> is reserved; use $$<identifier>");
	} else if (has_interp(tm->key, tm->klen)) {
		tc_value *kv;
		bool kt;
		if (interpolate(&kv, st, tm->key, tm->klen, tm->kpos, 0, sc, &kt))
			return -1;
		nm->key = kv->u.str.ptr;
		nm->klen = kv->u.str.len;
		f->taint = f->taint || kt;
		f->keys_changed = true;
	}
	return 0;
}

/* Render template member tm into nm: 0, 1 when its value is deleted, -1 on error. */
static int render_member(tc_jsone_state *st, const tc_member *tm, tc_member *nm,
                         const tc_jsone_scope *sc, obj_changes *f)
{
	tc_value *v;
	*nm = (tc_member){tm->key, tm->klen, tm->kpos, NULL};
	push_seg(st, tm->key, tm->klen, 0);
	if (render(&v, st, tm->val, sc))
		return -1;
	st->nsegs--;
	if (v == &st->deleted) {
		f->changed = true;
		return 1;
	}
	f->changed = f->changed || v != tm->val;
	if (render_key(st, tm, nm, sc, f))
		return -1;
	nm->val = v;
	return 0;
}

/* The rendered object from the cnt members of m left (val not NULL). */
static tc_value *rendered_object(tc_jsone_state *st, const tc_value *t, tc_member *m,
                                 const size_t *ord, size_t cnt, const obj_changes *f)
{
	size_t n = t->u.obj.len;
	if (!f->changed && !f->keys_changed)
		return mut(t);
	tc_value *o;
	if (f->keys_changed) {
		/* new keys: sort them; of two equal ones the later in document
		 * order wins, so hand them over in document order */
		tc_member *dm = tc_xmalloc((cnt ? cnt : 1) * sizeof *dm);
		size_t j = 0;
		for (size_t k = 0; k < n; k++)
			if (m[ord[k]].val)
				dm[j++] = m[ord[k]];
		o = tc_value_object(st->a, dm, cnt, t->pos, NULL);
		free(dm);
	} else {
		/* drop the deleted entries, keeping template (sorted) order */
		size_t j = 0;
		for (size_t i = 0; i < n; i++)
			if (m[i].val)
				m[j++] = m[i];
		/* the template's keys, already sorted and unique: share them */
		o = tc_value_object(st->a, NULL, 0, t->pos, NULL);
		o->u.obj.members = tc_arena_alloc(st->a, cnt * sizeof *m);
		memcpy(o->u.obj.members, m, cnt * sizeof *m);
		o->u.obj.len = cnt;
	}
	tc_jsone_taint(o, f->taint);
	return o;
}

static int render_object(tc_value **out, tc_jsone_state *st, const tc_value *t,
                         const tc_jsone_scope *sc)
{
	size_t n = t->u.obj.len;
	size_t small[16];
	size_t *ord = doc_order(t, small, 16);
	/* m[i] is the entry of template member i (val NULL when deleted) */
	tc_member msmall[16];
	tc_member *m = n <= 16 ? msmall : tc_xmalloc(n * sizeof *m);
	size_t cnt = 0;
	obj_changes f = {0};
	int rc = 0;
	for (size_t k = 0; k < n; k++) {
		int r = render_member(st, &t->u.obj.members[ord[k]], &m[ord[k]], sc, &f);
		if (r < 0) {
			rc = -1;
			break;
		}
		cnt += r == 0;
	}
	if (rc == 0)
		*out = rendered_object(st, t, m, ord, cnt, &f);
	if (m != msmall)
		free(m);
	if (ord != small)
		free(ord);
	return rc;
}

/* --- operators ----------------------------------------------------------- */

typedef bool (*allow_fn)(const char *k, size_t n);

/* word(ID) / word(ID, ID) / word(ID, ID, ID): the number of identifiers
 * (between min and max) or 0 when k is not of that form. Their offsets and
 * lengths go to names/lens when given. */
static int each_key(const char *k, size_t n, const char *word, int min, int max, size_t *names,
                    size_t *lens)
{
	size_t w = strlen(word);
	if (n < w + 2 || memcmp(k, word, w) != 0 || k[w] != '(' || k[n - 1] != ')')
		return 0;
	size_t i = w + 1;
	int cnt = 0;
	for (;;) {
		size_t s = i;
		while (i < n - 1 && k[i] != ',')
			i++;
		if (!is_ident(k + s, i - s) || cnt == max)
			return 0;
		if (names) {
			names[cnt] = s;
			lens[cnt] = i - s;
		}
		cnt++;
		if (i == n - 1)
			break;
		i++; /* ',' then optional whitespace */
		size_t wsp;
		while (i < n - 1 && (wsp = tc_jsone_space_len(k + i, n - 1 - i)) > 0)
			i += wsp;
	}
	return cnt >= min ? cnt : 0;
}

static bool allow_none(const char *k, size_t n)
{
	(void)k;
	(void)n;
	return false;
}
static bool allow_from(const char *k, size_t n)
{
	return n == 4 && memcmp(k, "from", 4) == 0;
}
static bool allow_then_else(const char *k, size_t n)
{
	return (n == 4 && memcmp(k, "then", 4) == 0) || (n == 4 && memcmp(k, "else", 4) == 0);
}
static bool allow_in(const char *k, size_t n)
{
	return n == 2 && memcmp(k, "in", 2) == 0;
}
static bool allow_each12(const char *k, size_t n)
{
	return each_key(k, n, "each", 1, 2, NULL, NULL);
}
static bool allow_reduce(const char *k, size_t n)
{
	return (n == 7 && memcmp(k, "initial", 7) == 0) || each_key(k, n, "each", 2, 3, NULL, NULL);
}
static bool allow_by(const char *k, size_t n)
{
	return each_key(k, n, "by", 1, 1, NULL, NULL);
}

static int check_props(tc_jsone_state *st, const tc_value *t, const char *op, allow_fn allow)
{
	tc_buf bad;
	tc_buf_init(&bad, 1 << 16);
	for (size_t i = 0; i < t->u.obj.len; i++) {
		const tc_member *m = &t->u.obj.members[i];
		if (strcmp(m->key, op) == 0 || allow(m->key, m->klen))
			continue;
		tc_buf_addc(&bad, ' ');
		tc_buf_add(&bad, m->key, m->klen);
	}
	int rc = 0;
	if (bad.len)
		rc = tc_jsone_raise(st, TC_JE_TEMPLATE, "%s has undefined properties:%s", op,
		                    tc_buf_str(&bad));
	tc_buf_release(&bad);
	return rc;
}

static const tc_member *member(const tc_value *t, const char *k)
{
	return tc_value_member(t, k, strlen(k));
}

/* Evaluate an expression string of the template (never interpolated). */
static int eval_string(tc_value **out, tc_jsone_state *st, const char *s, size_t n, tc_pos pos,
                       const tc_jsone_scope *sc)
{
	const entry *e = get_entry(st, s, n, ROLE_EXPR, pos);
	st->epos = pos;
	if (e->err)
		return tc_jsone_raise(st, TC_JE_SYNTAX, "%s", e->err);
	if (tc_jsone_eval(out, st, e->node, sc))
		return -1;
	st->epos = pos;
	return 0;
}

static int op_eval(tc_value **out, tc_jsone_state *st, const tc_value *t, const tc_jsone_scope *sc)
{
	if (check_props(st, t, "$eval", allow_none))
		return -1;
	const tc_value *e = tc_value_getz(t, "$eval");
	if (e->kind != TC_STR)
		return tc_jsone_raise(st, TC_JE_TEMPLATE,
		                      "$eval must be given a string expression");
	tc_value *v;
	if (eval_string(&v, st, e->u.str.ptr, e->u.str.len, e->pos, sc))
		return -1;
	if (v->pos.file != t->pos.file || v->pos.line != t->pos.line || v->pos.col != t->pos.col) {
		v = tc_value_copy(st->a, v);
		v->pos = t->pos;
	}
	*out = v;
	return 0;
}

static int flatten_into(tc_arrb *b, tc_jsone_state *st, const tc_value *v, bool deep, size_t depth)
{
	if (depth > st->max_depth)
		return tc_jsone_raise(st, TC_JE_TEMPLATE, "value nested deeper than %zu levels",
		                      st->max_depth);
	if (tc_jsone_step(st, v->u.arr.len))
		return -1;
	for (size_t i = 0; i < v->u.arr.len; i++) {
		tc_value *e = v->u.arr.items[i];
		if (e->kind == TC_ARRAY && !tc_jsone_is_fn(e) && (deep || depth == 0)) {
			if (flatten_into(b, st, e, deep, depth + 1))
				return -1;
		} else if (depth > 0 || e->kind != TC_ARRAY) {
			tc_arrb_push(b, e);
		}
	}
	return 0;
}

static int op_flatten(tc_value **out, tc_jsone_state *st, const tc_value *t,
                      const tc_jsone_scope *sc, bool deep)
{
	const char *op = deep ? "$flattenDeep" : "$flatten";
	if (check_props(st, t, op, allow_none))
		return -1;
	tc_value *v;
	if (render(&v, st, tc_value_getz(t, op), sc))
		return -1;
	if (v == &st->deleted || tc_jsone_is_fn(v) || v->kind != TC_ARRAY)
		return tc_jsone_raise(st, TC_JE_TEMPLATE, "%s value must evaluate to an array", op);
	tc_arrb b;
	tc_arrb_init(&b);
	if (flatten_into(&b, st, v, deep, 0)) {
		tc_arrb_release(&b);
		return -1;
	}
	*out = tc_arrb_finish(&b, st->a, t->pos);
	return 0;
}

static int op_from_now(tc_value **out, tc_jsone_state *st, const tc_value *t,
                       const tc_jsone_scope *sc)
{
	if (check_props(st, t, "$fromNow", allow_from))
		return -1;
	tc_value *v, *from = NULL;
	if (render(&v, st, tc_value_getz(t, "$fromNow"), sc))
		return -1;
	const tc_value *f = tc_value_getz(t, "from");
	if (f && render(&from, st, f, sc))
		return -1;
	if (v == &st->deleted || tc_jsone_is_fn(v) || v->kind != TC_STR)
		return tc_jsone_raise(st, TC_JE_TEMPLATE, "$fromNow expects a string");
	if (from && (from == &st->deleted || tc_jsone_is_fn(from) || from->kind != TC_STR))
		return tc_jsone_raise(st, TC_JE_TEMPLATE,
		                      "$fromNow's from must be a timestamp string");
	return tc_jsone_from_now(out, st, sc, v, from);
}

static int op_if(tc_value **out, tc_jsone_state *st, const tc_value *t, const tc_jsone_scope *sc)
{
	if (check_props(st, t, "$if", allow_then_else))
		return -1;
	const tc_value *c = tc_value_getz(t, "$if");
	if (c->kind != TC_STR)
		return tc_jsone_raise(st, TC_JE_TEMPLATE,
		                      "$if can evaluate string expressions only");
	tc_value *v;
	if (eval_string(&v, st, c->u.str.ptr, c->u.str.len, c->pos, sc))
		return -1;
	const tc_value *branch = tc_value_getz(t, tc_jsone_truthy(v) ? "then" : "else");
	if (!branch) {
		*out = &st->deleted;
		return 0;
	}
	return render(out, st, branch, sc);
}

static int op_json(tc_value **out, tc_jsone_state *st, const tc_value *t, const tc_jsone_scope *sc)
{
	if (check_props(st, t, "$json", allow_none))
		return -1;
	tc_value *v;
	if (render(&v, st, tc_value_getz(t, "$json"), sc))
		return -1;
	tc_buf b;
	tc_buf_init(&b, st->max_output);
	if (v == &st->deleted) {
		tc_buf_adds(&b, "null");
	} else if (tc_jsone_json(st, &b, v, 0)) {
		tc_buf_release(&b);
		return -1;
	}
	return tc_jsone_buf_value(out, st, &b, tc_jsone_tainted(st, v));
}

static int op_let(tc_value **out, tc_jsone_state *st, const tc_value *t, const tc_jsone_scope *sc)
{
	if (check_props(st, t, "$let", allow_in))
		return -1;
	const tc_value *l = tc_value_getz(t, "$let");
	if (l->kind != TC_OBJECT)
		return tc_jsone_raise(st, TC_JE_TEMPLATE, "$let value must be an object");
	tc_value *vars;
	if (render(&vars, st, l, sc))
		return -1;
	if (vars == &st->deleted || tc_jsone_is_fn(vars) || vars->kind != TC_OBJECT)
		return tc_jsone_raise(st, TC_JE_TEMPLATE, "$let value must be an object");
	for (size_t i = 0; i < vars->u.obj.len; i++)
		if (!is_ident(vars->u.obj.members[i].key, vars->u.obj.members[i].klen))
			return tc_jsone_raise(
				st, TC_JE_TEMPLATE,
				"top level keys of $let must follow /[a-zA-Z_][a-zA-Z0-9_]*/");
	const tc_value *in = tc_value_getz(t, "in");
	if (!in)
		return tc_jsone_raise(st, TC_JE_TEMPLATE, "$let operator requires an `in` clause");
	tc_jsone_scope inner = {.up = sc, .obj = vars};
	return render(out, st, in, &inner);
}

/* The each(...) key of $map/$find/$reduce; its variable names go to scope. */
static const tc_member *each_member(const tc_value *t, const char *op, int min, int max,
                                    tc_jsone_scope *scope)
{
	size_t names[3], lens[3];
	for (size_t i = 0; i < t->u.obj.len; i++) {
		const tc_member *m = &t->u.obj.members[i];
		if (strcmp(m->key, op) == 0 || strcmp(m->key, "initial") == 0)
			continue;
		int cnt = each_key(m->key, m->klen, "each", min, max, names, lens);
		if (!cnt)
			return NULL;
		for (int k = 0; k < cnt; k++) {
			scope->names[k] = m->key + names[k];
			scope->nlens[k] = lens[k];
		}
		scope->n = (size_t)cnt;
		return m;
	}
	return NULL;
}

/* $map over an array: each(x) or each(x, i); deleted results are left out */
static int map_array(tc_value **out, tc_jsone_state *st, const tc_value *t, const tc_value *v,
                     const tc_member *each, tc_jsone_scope *inner)
{
	tc_value **items = tc_arena_alloc(st->a, v->u.arr.len * sizeof *items);
	size_t cnt = 0;
	for (size_t i = 0; i < v->u.arr.len; i++) {
		tc_value *r;
		inner->vals[0] = v->u.arr.items[i];
		if (inner->n > 1)
			inner->vals[1] = tc_value_int(st->a, (int64_t)i, t->pos);
		if (render(&r, st, each->val, inner))
			return -1;
		if (r != &st->deleted)
			items[cnt++] = r;
	}
	tc_value *a = tc_value_array(st->a, NULL, 0, t->pos);
	a->u.arr.items = items;
	a->u.arr.len = cnt;
	*out = a;
	return 0;
}

/* bind each(v, k) to a member's value and key, or each(x) to {key, val} */
static void bind_member(tc_jsone_state *st, const tc_value *t, const tc_member *m,
                        tc_jsone_scope *inner)
{
	tc_value *key = tc_value_str_ref(st->a, m->key, m->klen, t->pos);
	if (inner->n > 1) {
		inner->vals[0] = m->val;
		inner->vals[1] = key;
		return;
	}
	tc_objb kv;
	tc_objb_init(&kv);
	tc_objb_add(&kv, "key", 3, t->pos, key);
	tc_objb_add(&kv, "val", 3, t->pos, m->val);
	inner->vals[0] = tc_objb_finish(&kv, st->a, t->pos, NULL);
}

/* $map over an object: each result is an object whose members are merged */
static int map_object(tc_value **out, tc_jsone_state *st, const tc_value *t, const tc_value *v,
                      const tc_member *each, tc_jsone_scope *inner)
{
	tc_objb b;
	tc_objb_init(&b);
	bool taint = tc_jsone_secret(v);
	for (size_t i = 0; i < v->u.obj.len; i++) {
		tc_value *r;
		bind_member(st, t, &v->u.obj.members[i], inner);
		if (render(&r, st, each->val, inner)) {
			tc_objb_release(&b);
			return -1;
		}
		if (r == &st->deleted)
			continue;
		if (tc_jsone_is_fn(r) || r->kind != TC_OBJECT) {
			tc_objb_release(&b);
			st->epos = t->pos;
			return tc_jsone_raise(
				st, TC_JE_TEMPLATE,
				"$map on objects expects each(%.*s) to evaluate to an object",
				(int)inner->nlens[0], inner->names[0]);
		}
		taint = taint || tc_jsone_secret(r);
		for (size_t j = 0; j < r->u.obj.len; j++) {
			const tc_member *rm = &r->u.obj.members[j];
			tc_objb_add(&b, rm->key, rm->klen, rm->kpos, rm->val);
		}
	}
	*out = tc_jsone_taint(tc_objb_finish(&b, st->a, t->pos, NULL), taint);
	return 0;
}

static int op_map(tc_value **out, tc_jsone_state *st, const tc_value *t, const tc_jsone_scope *sc)
{
	if (check_props(st, t, "$map", allow_each12))
		return -1;
	tc_value *v;
	if (render(&v, st, tc_value_getz(t, "$map"), sc))
		return -1;
	if (v == &st->deleted || tc_jsone_is_fn(v) || (v->kind != TC_ARRAY && v->kind != TC_OBJECT))
		return tc_jsone_raise(st, TC_JE_TEMPLATE,
		                      "$map value must evaluate to an array or object");
	if (t->u.obj.len != 2)
		return tc_jsone_raise(st, TC_JE_TEMPLATE, "$map must have exactly two properties");
	tc_jsone_scope inner = {.up = sc};
	const tc_member *each = each_member(t, "$map", 1, 2, &inner);
	if (!each)
		return tc_jsone_raise(st, TC_JE_TEMPLATE, "$map requires each(identifier) syntax");
	if (v->kind == TC_ARRAY)
		return map_array(out, st, t, v, each, &inner);
	return map_object(out, st, t, v, each, &inner);
}

static int op_reduce(tc_value **out, tc_jsone_state *st, const tc_value *t,
                     const tc_jsone_scope *sc)
{
	if (check_props(st, t, "$reduce", allow_reduce))
		return -1;
	tc_value *v;
	if (render(&v, st, tc_value_getz(t, "$reduce"), sc))
		return -1;
	if (v == &st->deleted || tc_jsone_is_fn(v) || v->kind != TC_ARRAY)
		return tc_jsone_raise(st, TC_JE_TEMPLATE,
		                      "$reduce value must evaluate to an array");
	const tc_value *initial = tc_value_getz(t, "initial");
	if (t->u.obj.len != 3 || !initial)
		return tc_jsone_raise(st, TC_JE_TEMPLATE,
		                      "$reduce must have exactly three properties");
	tc_jsone_scope inner = {.up = sc};
	const tc_member *each = each_member(t, "$reduce", 2, 3, &inner);
	if (!each)
		return tc_jsone_raise(st, TC_JE_TEMPLATE,
		                      "$reduce requires each(identifier) syntax");
	tc_value *acc = mut(initial);
	st->risky = true;
	for (size_t i = 0; i < v->u.arr.len; i++) {
		tc_value *r;
		inner.vals[0] = acc;
		inner.vals[1] = v->u.arr.items[i];
		if (inner.n > 2)
			inner.vals[2] = tc_value_int(st->a, (int64_t)i, t->pos);
		if (render(&r, st, each->val, &inner))
			return -1;
		if (r != &st->deleted)
			acc = r;
	}
	*out = acc;
	return 0;
}

static int op_find(tc_value **out, tc_jsone_state *st, const tc_value *t, const tc_jsone_scope *sc)
{
	if (check_props(st, t, "$find", allow_each12))
		return -1;
	tc_value *v;
	if (render(&v, st, tc_value_getz(t, "$find"), sc))
		return -1;
	if (v == &st->deleted || tc_jsone_is_fn(v) || v->kind != TC_ARRAY)
		return tc_jsone_raise(st, TC_JE_TEMPLATE, "$find value must evaluate to an array");
	if (t->u.obj.len != 2)
		return tc_jsone_raise(st, TC_JE_TEMPLATE, "$find must have exactly two properties");
	tc_jsone_scope inner = {.up = sc};
	const tc_member *each = each_member(t, "$find", 1, 2, &inner);
	if (!each)
		return tc_jsone_raise(st, TC_JE_TEMPLATE, "$find requires each(identifier) syntax");
	if (each->val->kind != TC_STR)
		return tc_jsone_raise(st, TC_JE_TEMPLATE,
		                      "each can evaluate string expressions only");
	for (size_t i = 0; i < v->u.arr.len; i++) {
		tc_value *r;
		inner.vals[0] = v->u.arr.items[i];
		if (inner.n > 1)
			inner.vals[1] = tc_value_int(st->a, (int64_t)i, t->pos);
		if (eval_string(&r, st, each->val->u.str.ptr, each->val->u.str.len, each->val->pos,
		                &inner))
			return -1;
		if (tc_jsone_truthy(r)) {
			*out = v->u.arr.items[i];
			return 0;
		}
	}
	*out = &st->deleted;
	return 0;
}

static int op_match(tc_value **out, tc_jsone_state *st, const tc_value *t, const tc_jsone_scope *sc)
{
	if (check_props(st, t, "$match", allow_none))
		return -1;
	const tc_value *c = tc_value_getz(t, "$match");
	if (c->kind != TC_OBJECT)
		return tc_jsone_raise(st, TC_JE_TEMPLATE, "$match can evaluate objects only");
	tc_arrb b;
	tc_arrb_init(&b);
	for (size_t i = 0; i < c->u.obj.len; i++) {
		const tc_member *m = &c->u.obj.members[i];
		tc_value *cond, *r;
		if (eval_string(&cond, st, m->key, m->klen, m->kpos, sc)) {
			tc_arrb_release(&b);
			return -1;
		}
		if (!tc_jsone_truthy(cond))
			continue;
		if (render(&r, st, m->val, sc)) {
			tc_arrb_release(&b);
			return -1;
		}
		if (r != &st->deleted)
			tc_arrb_push(&b, r);
	}
	*out = tc_arrb_finish(&b, st->a, t->pos);
	return 0;
}

static int op_switch(tc_value **out, tc_jsone_state *st, const tc_value *t,
                     const tc_jsone_scope *sc)
{
	if (check_props(st, t, "$switch", allow_none))
		return -1;
	const tc_value *c = tc_value_getz(t, "$switch");
	if (c->kind != TC_OBJECT)
		return tc_jsone_raise(st, TC_JE_TEMPLATE, "$switch can evaluate objects only");
	const tc_member *match = NULL;
	for (size_t i = 0; i < c->u.obj.len; i++) {
		const tc_member *m = &c->u.obj.members[i];
		if (strcmp(m->key, "$default") == 0)
			continue;
		tc_value *cond;
		if (eval_string(&cond, st, m->key, m->klen, m->kpos, sc))
			return -1;
		if (!tc_jsone_truthy(cond))
			continue;
		if (match) {
			st->epos = t->pos;
			return tc_jsone_raise(st, TC_JE_TEMPLATE,
			                      "$switch can only have one truthy condition");
		}
		match = m;
	}
	if (!match)
		match = member(c, "$default");
	if (!match) {
		*out = &st->deleted;
		return 0;
	}
	return render(out, st, match->val, sc);
}

static int op_merge(tc_value **out, tc_jsone_state *st, const tc_value *t,
                    const tc_jsone_scope *sc);

static int merge_deep(tc_value **out, tc_jsone_state *st, tc_value *l, tc_value *r, size_t depth)
{
	if (depth > st->max_depth)
		return tc_jsone_raise(st, TC_JE_TEMPLATE, "value nested deeper than %zu levels",
		                      st->max_depth);
	bool fl = tc_jsone_is_fn(l), fr = tc_jsone_is_fn(r);
	if (!fl && !fr && l->kind == TC_ARRAY && r->kind == TC_ARRAY) {
		size_t n = l->u.arr.len + r->u.arr.len;
		if (tc_jsone_step(st, n))
			return -1;
		tc_value **items = tc_arena_alloc(st->a, n * sizeof *items);
		memcpy(items, l->u.arr.items, l->u.arr.len * sizeof *items);
		memcpy(items + l->u.arr.len, r->u.arr.items, r->u.arr.len * sizeof *items);
		tc_value *a = tc_value_array(st->a, NULL, 0, st->epos);
		a->u.arr.items = items;
		a->u.arr.len = n;
		a->flags = (l->flags | r->flags) & TC_VAL_SECRET;
		*out = a;
		return 0;
	}
	if (fl || fr || l->kind != TC_OBJECT || r->kind != TC_OBJECT) {
		*out = r;
		return 0;
	}
	if (tc_jsone_step(st, l->u.obj.len + r->u.obj.len))
		return -1;
	tc_objb b;
	tc_objb_init(&b);
	for (size_t i = 0; i < l->u.obj.len; i++) {
		const tc_member *m = &l->u.obj.members[i];
		const tc_member *rm = tc_value_member(r, m->key, m->klen);
		tc_value *v = m->val;
		if (rm && merge_deep(&v, st, m->val, rm->val, depth + 1)) {
			tc_objb_release(&b);
			return -1;
		}
		tc_objb_add(&b, m->key, m->klen, m->kpos, v);
	}
	for (size_t i = 0; i < r->u.obj.len; i++) {
		const tc_member *m = &r->u.obj.members[i];
		if (!tc_value_member(l, m->key, m->klen))
			tc_objb_add(&b, m->key, m->klen, m->kpos, m->val);
	}
	*out = tc_objb_finish(&b, st->a, st->epos, NULL);
	(*out)->flags = (l->flags | r->flags) & TC_VAL_SECRET;
	return 0;
}

/* $mergeDeep: left to right, at the operator's position */
static int merge_deep_all(tc_value **out, tc_jsone_state *st, const tc_value *t, const tc_value *v)
{
	tc_value *acc = v->u.arr.items[0];
	for (size_t i = 1; i < v->u.arr.len; i++)
		if (merge_deep(&acc, st, acc, v->u.arr.items[i], 0))
			return -1;
	if (acc->pos.line != t->pos.line || acc->pos.file != t->pos.file) {
		acc = tc_value_copy(st->a, acc);
		acc->pos = t->pos;
	}
	*out = acc;
	return 0;
}

/* Merge two sorted member lists into m; on equal keys b's wins. Returns the length. */
static size_t merge_members(tc_member *m, const tc_member *a, size_t alen, const tc_member *b,
                            size_t blen)
{
	size_t x = 0, y = 0, k = 0;
	while (x < alen || y < blen) {
		int c = x == alen   ? 1
		        : y == blen ? -1
		                    : tc_bytes_cmp(a[x].key, a[x].klen, b[y].key, b[y].klen);
		if (c < 0) {
			m[k++] = a[x++];
		} else {
			m[k++] = b[y++];
			x += c == 0;
		}
	}
	return k;
}

/* $merge: fold the sorted member lists left to right; on equal keys the right
 * one wins. Keys are shared, never copied or sorted again. */
static int merge_all(tc_value **out, tc_jsone_state *st, const tc_value *t, const tc_value *v)
{
	const tc_value *first = v->u.arr.items[0];
	bool taint = tc_jsone_secret(first);
	size_t len = first->u.obj.len;
	tc_member *acc = first->u.obj.members;
	for (size_t i = 1; i < v->u.arr.len; i++) {
		const tc_value *o = v->u.arr.items[i];
		taint = taint || tc_jsone_secret(o);
		if (tc_jsone_step(st, len + o->u.obj.len))
			return -1;
		tc_member *m = tc_arena_alloc(st->a, (len + o->u.obj.len) * sizeof *m);
		len = merge_members(m, acc, len, o->u.obj.members, o->u.obj.len);
		acc = m;
	}
	tc_value *r = tc_value_object(st->a, NULL, 0, t->pos, NULL);
	r->u.obj.members = acc;
	r->u.obj.len = len;
	*out = tc_jsone_taint(r, taint);
	return 0;
}

static int op_merge_any(tc_value **out, tc_jsone_state *st, const tc_value *t,
                        const tc_jsone_scope *sc, bool deep)
{
	const char *op = deep ? "$mergeDeep" : "$merge";
	if (check_props(st, t, op, allow_none))
		return -1;
	tc_value *v;
	if (render(&v, st, tc_value_getz(t, op), sc))
		return -1;
	bool ok = v != &st->deleted && !tc_jsone_is_fn(v) && v->kind == TC_ARRAY;
	for (size_t i = 0; ok && i < v->u.arr.len; i++)
		ok = !tc_jsone_is_fn(v->u.arr.items[i]) && v->u.arr.items[i]->kind == TC_OBJECT;
	if (!ok)
		return tc_jsone_raise(st, TC_JE_TEMPLATE,
		                      "%s value must evaluate to an array of objects", op);
	if (v->u.arr.len == 0) {
		*out = tc_value_object(st->a, NULL, 0, t->pos, NULL);
		return 0;
	}
	return deep ? merge_deep_all(out, st, t, v) : merge_all(out, st, t, v);
}

static int op_merge(tc_value **out, tc_jsone_state *st, const tc_value *t, const tc_jsone_scope *sc)
{
	return op_merge_any(out, st, t, sc, false);
}

static int op_reverse(tc_value **out, tc_jsone_state *st, const tc_value *t,
                      const tc_jsone_scope *sc)
{
	if (check_props(st, t, "$reverse", allow_none))
		return -1;
	tc_value *v;
	if (render(&v, st, tc_value_getz(t, "$reverse"), sc))
		return -1;
	if (v == &st->deleted || tc_jsone_is_fn(v) || v->kind != TC_ARRAY)
		return tc_jsone_raise(st, TC_JE_TEMPLATE,
		                      "$reverse value must evaluate to an array of objects");
	size_t n = v->u.arr.len;
	if (tc_jsone_step(st, n))
		return -1;
	tc_value **items = tc_arena_alloc(st->a, n * sizeof *items);
	for (size_t i = 0; i < n; i++)
		items[i] = v->u.arr.items[n - 1 - i];
	tc_value *r = tc_value_array(st->a, NULL, 0, t->pos);
	r->u.arr.items = items;
	r->u.arr.len = n;
	r->flags = v->flags & TC_VAL_SECRET;
	*out = r;
	return 0;
}

typedef struct sortkey {
	const tc_value *key;
	size_t index;
} sortkey;

static int keycmp(const void *ap, const void *bp, void *ctx)
{
	(void)ctx;
	const sortkey *a = ap, *b = bp;
	int c;
	if (a->key->kind == TC_STR) {
		c = tc_bytes_cmp(a->key->u.str.ptr, a->key->u.str.len, b->key->u.str.ptr,
		                 b->key->u.str.len);
	} else {
		double x = tc_value_num(a->key), y = tc_value_num(b->key);
		c = x < y ? -1 : x > y ? 1 : 0;
	}
	if (c)
		return c;
	return a->index < b->index ? -1 : a->index > b->index;
}

static const char sort_same_type[] = "$sorted values to be sorted must have the same type";

/* the by(x) member of a $sort, bound in inner; NULL when there is none */
static int sort_by(const tc_member **by, tc_jsone_state *st, const tc_value *t,
                   tc_jsone_scope *inner)
{
	*by = NULL;
	for (size_t i = 0; i < t->u.obj.len; i++) {
		const tc_member *m = &t->u.obj.members[i];
		if (strcmp(m->key, "$sort") == 0)
			continue;
		if (*by)
			return tc_jsone_raise(st, TC_JE_TEMPLATE, "$sort allows only one by(...)");
		*by = m;
		inner->names[0] = m->key + 3;
		inner->nlens[0] = m->klen - 4;
	}
	if (*by && (*by)->val->kind != TC_STR)
		return tc_jsone_raise(st, TC_JE_TEMPLATE,
		                      "by(%.*s) can evaluate string expressions only",
		                      (int)inner->nlens[0], inner->names[0]);
	return 0;
}

/* the sort key of each item (the item, or by's value of it), all strings or
 * all numbers */
static int sort_keys(sortkey *keys, tc_jsone_state *st, const tc_value *t, const tc_value *v,
                     const tc_member *by, tc_jsone_scope *inner)
{
	size_t n = v->u.arr.len;
	for (size_t i = 0; i < n; i++) {
		tc_value *k = v->u.arr.items[i];
		if (by) {
			inner->vals[0] = k;
			if (eval_string(&k, st, by->val->u.str.ptr, by->val->u.str.len,
			                by->val->pos, inner))
				return -1;
		}
		keys[i] = (sortkey){k, i};
	}
	for (size_t i = 0; i < n; i++) {
		const tc_value *k = keys[i].key, *k0 = keys[0].key;
		bool okkind = !tc_jsone_is_fn(k) && (k->kind == TC_STR || tc_value_is_number(k));
		bool same =
			k->kind == k0->kind || (tc_value_is_number(k) && tc_value_is_number(k0));
		if (!okkind || !same) {
			st->epos = t->pos;
			return tc_jsone_raise(st, TC_JE_TEMPLATE, sort_same_type);
		}
	}
	return 0;
}

static int op_sort(tc_value **out, tc_jsone_state *st, const tc_value *t, const tc_jsone_scope *sc)
{
	if (check_props(st, t, "$sort", allow_by))
		return -1;
	tc_value *v;
	if (render(&v, st, tc_value_getz(t, "$sort"), sc))
		return -1;
	if (v == &st->deleted || tc_jsone_is_fn(v) || v->kind != TC_ARRAY)
		return tc_jsone_raise(st, TC_JE_TEMPLATE, sort_same_type);
	const tc_member *by;
	tc_jsone_scope inner = {.up = sc, .n = 1};
	if (sort_by(&by, st, t, &inner))
		return -1;
	size_t n = v->u.arr.len;
	if (tc_jsone_step(st, n))
		return -1;
	sortkey *keys = tc_xmalloc((n ? n : 1) * sizeof *keys);
	int rc = sort_keys(keys, st, t, v, by, &inner);
	if (rc == 0) {
		tc_sort_stable(keys, n, sizeof *keys, keycmp, NULL);
		tc_value **items = tc_arena_alloc(st->a, n * sizeof *items);
		for (size_t i = 0; i < n; i++)
			items[i] = v->u.arr.items[keys[i].index];
		tc_value *r = tc_value_array(st->a, NULL, 0, t->pos);
		r->u.arr.items = items;
		r->u.arr.len = n;
		r->flags = v->flags & TC_VAL_SECRET;
		*out = r;
	}
	free(keys);
	return rc;
}

static int render_operator(tc_value **out, tc_jsone_state *st, const tc_value *t, const char *op,
                           const tc_jsone_scope *sc)
{
	switch (op[1]) {
	case 'e':
		return op_eval(out, st, t, sc);
	case 'f':
		if (strcmp(op, "$find") == 0)
			return op_find(out, st, t, sc);
		if (strcmp(op, "$fromNow") == 0)
			return op_from_now(out, st, t, sc);
		return op_flatten(out, st, t, sc, strcmp(op, "$flattenDeep") == 0);
	case 'i':
		return op_if(out, st, t, sc);
	case 'j':
		return op_json(out, st, t, sc);
	case 'l':
		return op_let(out, st, t, sc);
	case 'm':
		if (strcmp(op, "$map") == 0)
			return op_map(out, st, t, sc);
		if (strcmp(op, "$match") == 0)
			return op_match(out, st, t, sc);
		if (strcmp(op, "$merge") == 0)
			return op_merge(out, st, t, sc);
		return op_merge_any(out, st, t, sc, true);
	case 'r':
		if (strcmp(op, "$reduce") == 0)
			return op_reduce(out, st, t, sc);
		return op_reverse(out, st, t, sc);
	case 's':
		if (strcmp(op, "$sort") == 0)
			return op_sort(out, st, t, sc);
		return op_switch(out, st, t, sc);
	}
	TC_BUG("unknown operator");
}

/* --- the walk -------------------------------------------------------------- */

/* {$verbatim: STRING}, a rendering extra (not JSON-e): STRING as written,
 * never interpolated, for scripts and configuration full of "${". Returns
 * 1 when t is no such object. */
static int verbatim(tc_value **out, tc_jsone_state *st, const tc_value *t)
{
	const tc_value *v = tc_value_getz(t, "$verbatim");
	if (!v)
		return 1;
	if (t->u.obj.len != 1)
		return tc_jsone_raise(st, TC_JE_TEMPLATE, "$verbatim has no other properties");
	if (v->kind != TC_STR) {
		st->epos = v->pos;
		return tc_jsone_raise(st, TC_JE_TEMPLATE, "$verbatim value must be a string");
	}
	*out = mut(v);
	return 0;
}

static int render(tc_value **out, tc_jsone_state *st, const tc_value *t, const tc_jsone_scope *sc)
{
	tc_pos saved = st->epos;
	st->epos = t->pos;
	if (++st->depth > st->max_depth)
		return tc_jsone_raise(st, TC_JE_TEMPLATE, "template nested deeper than %zu levels",
		                      st->max_depth);
	if (tc_jsone_step(st, 1))
		return -1;
	int rc = 0;
	switch (t->kind) {
	case TC_STR:
		if (!has_interp(t->u.str.ptr, t->u.str.len)) {
			*out = mut(t);
		} else {
			bool taint;
			rc = interpolate(out, st, t->u.str.ptr, t->u.str.len, t->pos, t->flags, sc,
			                 &taint);
		}
		break;
	case TC_ARRAY:
		if (find_entry(st->compiled, (const char *)(const void *)t, ROLE_STATIC))
			*out = mut(t);
		else
			rc = render_array(out, st, t, sc);
		break;
	case TC_OBJECT: {
		if (find_entry(st->compiled, (const char *)(const void *)t, ROLE_STATIC)) {
			*out = mut(t);
			break;
		}
		if (st->extras && (rc = verbatim(out, st, t)) != 1)
			break;
		rc = 0;
		const char *op = NULL;
		for (size_t i = 0; i < t->u.obj.len; i++) {
			const tc_member *m = &t->u.obj.members[i];
			if (!is_operator(m->key, m->klen))
				continue;
			if (op)
				return tc_jsone_raise(st, TC_JE_TEMPLATE,
				                      "only one operator allowed");
			op = m->key;
		}
		rc = op ? render_operator(out, st, t, op, sc) : render_object(out, st, t, sc);
		break;
	}
	default:
		*out = mut(t);
	}
	if (rc)
		return -1;
	st->depth--;
	st->epos = saved;
	return 0;
}

int tc_jsone_render_compiled(tc_value **out, tc_arena *a, tc_diags *d, const tc_jsone_compiled *c,
                             const tc_value *context, const tc_jsone_opts *opts)
{
	static const tc_jsone_opts defaults = {0};
	if (!opts)
		opts = &defaults;
	const tc_value *tmpl = c->tmpl;
	tc_jsone_state st = {
		.a = a,
		.d = d,
		.max_steps = opts->max_steps ? opts->max_steps : TC_JSONE_DEFAULT_MAX_STEPS,
		.max_depth = opts->max_depth ? opts->max_depth : TC_JSONE_DEFAULT_MAX_DEPTH,
		.used0 = a->used,
		.max_output = opts->max_output ? opts->max_output : TC_JSONE_DEFAULT_MAX_OUTPUT,
		.extras = opts->extras,
		.epos = tmpl->pos,
		.compiled = c,
	};
	*out = NULL;
	if (context && (tc_jsone_is_fn(context) || context->kind != TC_OBJECT))
		return tc_jsone_raise(&st, TC_JE_TEMPLATE, "context must be an object");
	for (size_t i = 0; context && i < context->u.obj.len; i++)
		if (!is_ident(context->u.obj.members[i].key, context->u.obj.members[i].klen))
			return tc_jsone_raise(
				&st, TC_JE_TEMPLATE,
				"top level keys of context must follow /[a-zA-Z_][a-zA-Z0-9_]*/");
	const char *now = opts->now ? opts->now : "1970-01-01T00:00:00.000Z";
	st.now = tc_value_strz(a, now, TC_NOPOS);
	if (opts->nhostfns) {
		st.hosts = tc_arena_alloc(a, opts->nhostfns * sizeof *st.hosts);
		for (size_t i = 0; i < opts->nhostfns; i++)
			st.hosts[i] = (tc_jsone_fn){opts->hostfns[i].name, NULL,
			                            opts->hostfns[i].fn, opts->hostfns[i].ud};
		st.nhosts = opts->nhostfns;
	}
	tc_jsone_scope top = {.up = NULL, .obj = context};
	tc_value *v;
	tc_buf_init(&st.ibuf, st.max_output);
	int rc = render(&v, &st, tmpl, context ? &top : NULL);
	tc_buf_release(&st.ibuf);
	free(st.segs);
	st.segs = NULL;
	st.nsegs = 0;
	if (rc)
		return -1;
	st.epos = tmpl->pos;
	if (v == &st.deleted)
		v = tc_value_null(a, tmpl->pos);
	/* only a function value or $reduce's accumulation can put a function
	 * or unbounded nesting into the result: skip the walk otherwise */
	if (st.risky && tc_jsone_check_output(&st, v, 0))
		return -1;
	*out = v;
	return 0;
}

int tc_jsone_render(tc_value **out, tc_arena *a, tc_diags *d, const tc_value *tmpl,
                    const tc_value *context, const tc_jsone_opts *opts)
{
	/* parse into the caller's arena: results may share literals of the
	 * expressions, so the parse trees must live as long as the result */
	tc_jsone_compiled *c = compile_in(tmpl, opts ? opts->max_depth : 0, a);
	int rc = tc_jsone_render_compiled(out, a, d, c, context, opts);
	tc_jsone_compiled_free(c);
	return rc;
}
