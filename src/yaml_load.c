/*
 * yaml_load.c - libyaml events -> tc_value, with positions and limits.
 *
 * This is the one boundary to libyaml: its parser is driven through the
 * event API (never yaml_parser_load, whose document tree has no limits and
 * expands nothing lazily) and its 0-based marks become 1-based tc_pos here
 * and nowhere else. A small recursive descent over the events builds the
 * values, one function per production of the event grammar.
 *
 * Limits, each checked by us rather than by libyaml:
 *  - size: the input length is compared before parsing starts;
 *  - UTF-8: the whole input is checked before parsing, so the message and
 *    the position of a bad byte are ours (libyaml's are vague);
 *  - depth: collections nested deeper than max_depth stop the load, which
 *    also bounds the C stack used by the recursion here;
 *  - nodes: every node counts, and an alias counts the whole subtree it
 *    stands for. Aliases share the anchored subtree (values are immutable),
 *    so a billion-laughs file costs a few kilobytes and is stopped by the
 *    count long before anything could be expanded.
 *
 * Decisions (documented in yaml_load.h as well):
 *  - plain scalars resolve by the YAML 1.2 core schema (scalar.c); quoted
 *    and block scalars are strings and carry TC_VAL_QUOTED;
 *  - integers outside int64 are an error rather than a lossy float;
 *  - mapping keys must be scalars; the key is the scalar's text ("1",
 *    "true"), except that a null key is an error;
 *  - duplicate keys are errors that name the first occurrence;
 *  - merge keys (a plain "<<") are an error with a hint: they are a YAML 1.1
 *    feature that YAML 1.2 readers treat as an ordinary key, so their
 *    meaning depends on the reader;
 *  - tags: !!str !!int !!float !!bool !!null on scalars, !!seq and !!map on
 *    collections, and the non-specific "!" (a string); anything else is an
 *    unknown tag.
 * Recoverable errors (duplicate keys, tags, bad numbers) are recorded and
 * the load goes on so that one run shows them all; parse errors and the
 * limits stop it.
 */
#include "yaml_load.h"

#include "scalar.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

const tc_yaml_limits tc_yaml_default_limits = {
	/* 16 MiB: ten times the largest Kubernetes object (etcd's 1.5 MiB) */
	.max_bytes = 16u << 20,
	/* real manifests nest about 15 deep; 256 also bounds our C stack */
	.max_depth = 256,
	/* a 16 MiB file holds at most a few million nodes; 1,000,000 keeps the
         * worst case of alias expansion to the memory of a large file */
	.max_nodes = 1000000,
};

#define TAG_PREFIX "tag:yaml.org,2002:"

typedef struct anchor {
	char *name;     /* malloc'd */
	tc_value *val;  /* NULL while the anchored node is being built */
	uint64_t count; /* nodes in the subtree, aliases expanded */
} anchor;

typedef struct loader {
	yaml_parser_t parser;
	yaml_event_t ev;
	bool have_ev;
	tc_arena *a;
	tc_diags *d;
	const char *file;
	const char *data;
	size_t len;
	tc_yaml_limits lim;
	uint64_t nodes;  /* in the current document, aliases expanded */
	bool bad;        /* a recoverable error was recorded */
	anchor *anchors; /* in definition order */
	size_t nanchors, capanchors;
	size_t *slots; /* hash of names -> anchors index + 1 (0: empty); newest wins */
	size_t nslots; /* a power of two, at least twice nanchors */
} loader;

static tc_pos mkpos(const loader *L, yaml_mark_t m)
{
	return (tc_pos){L->file, (uint32_t)m.line + 1, (uint32_t)m.column + 1};
}

/* The offset of the start of 1-based line `line` (a '\n' count). */
static size_t line_start(const loader *L, size_t line)
{
	size_t off = 0;
	for (size_t l = 1; l < line && off < L->len; off++)
		if (L->data[off] == '\n')
			l++;
	return off;
}

/* The line and column (in characters, like libyaml's marks) of a byte
 * offset; only used on error paths. */
static tc_pos offset_pos(const loader *L, size_t at)
{
	uint32_t line = 1, col = 1;
	size_t i = 0;
	if (L->len >= 3 && memcmp(L->data, "\xEF\xBB\xBF", 3) == 0 && at >= 3)
		i = 3; /* a byte order mark takes no column (libyaml skips it) */
	for (; i < at && i < L->len; i++) {
		unsigned char c = (unsigned char)L->data[i];
		if (c == '\n')
			line++, col = 1;
		else if ((c & 0xC0) != 0x80)
			col++;
	}
	return (tc_pos){L->file, line, col};
}

/* Turn a libyaml parser error into one diagnostic. */
static int parser_error(loader *L)
{
	yaml_parser_t *p = &L->parser;
	if (p->error == YAML_MEMORY_ERROR)
		tc_oom();
	if (p->error == YAML_READER_ERROR) {
		/* the reader has no mark, only a byte offset; UTF-8 was checked
		 * before, so this is a character YAML does not allow */
		size_t at = p->problem_offset < L->len ? p->problem_offset : L->len;
		return tc_error(L->d, offset_pos(L, at), NULL,
		                "character U+%04X is not allowed in YAML (write it as an escape "
		                "in a double-quoted string)",
		                (unsigned)p->problem_value);
	}
	tc_pos pos = mkpos(L, p->problem_mark);
	const char *problem = p->problem ? p->problem : "invalid YAML";
	/* hints for the common mistakes behind libyaml's terse problems */
	const char *hint = "";
	size_t off = line_start(L, pos.line);
	for (size_t i = off; i < L->len && (L->data[i] == ' ' || L->data[i] == '\t'); i++) {
		if (L->data[i] == '\t') {
			hint = " (tabs are not allowed in indentation; use spaces)";
			break;
		}
	}
	if (!*hint && strcmp(problem, "did not find expected key") == 0)
		hint = " (check the indentation)";
	if (!*hint && strcmp(problem, "mapping values are not allowed in this context") == 0)
		hint = " (check the indentation, or quote a value that contains ': ')";
	if (!*hint && strcmp(problem, "found character that cannot start any token") == 0)
		hint = " (quote a value that starts with '@' or '`')";
	if (p->context && p->context_mark.line != p->problem_mark.line)
		return tc_error(L->d, pos, NULL, "%s %s at line %u%s", problem, p->context,
		                (unsigned)p->context_mark.line + 1, hint);
	if (p->context)
		return tc_error(L->d, pos, NULL, "%s %s%s", problem, p->context, hint);
	return tc_error(L->d, pos, NULL, "%s%s", problem, hint);
}

/* Advance to the next event; the previous one is released. */
static int next(loader *L)
{
	if (L->have_ev)
		yaml_event_delete(&L->ev);
	L->have_ev = false;
	if (!yaml_parser_parse(&L->parser, &L->ev))
		return parser_error(L);
	L->have_ev = true;
	return 0;
}

/* Anchors are found through a small open-addressing hash table so that a
 * file with many anchors and aliases stays linear. The table is only used
 * for lookup, never iterated. */
static size_t hash(const char *s)
{
	size_t h = 1469598103934665603u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static size_t *slot(loader *L, const char *name)
{
	size_t mask = L->nslots - 1;
	for (size_t i = hash(name) & mask;; i = (i + 1) & mask) {
		size_t *e = &L->slots[i];
		if (*e == 0 || strcmp(L->anchors[*e - 1].name, name) == 0)
			return e;
	}
}

static anchor *find_anchor(loader *L, const char *name)
{
	if (!L->nslots)
		return NULL;
	size_t *e = slot(L, name);
	return *e ? &L->anchors[*e - 1] : NULL;
}

static size_t add_anchor(loader *L, const char *name)
{
	TC_GROW(L->anchors, L->capanchors, L->nanchors + 1);
	L->anchors[L->nanchors] = (anchor){tc_xstrdup(name), NULL, 0};
	size_t idx = L->nanchors++;
	if (L->nanchors * 2 > L->nslots) {
		/* grow and re-insert, oldest first so the newest of a name wins */
		free(L->slots);
		L->nslots = L->nslots ? L->nslots * 2 : 64;
		L->slots = tc_xcalloc(L->nslots, sizeof *L->slots);
		for (size_t i = 0; i < L->nanchors; i++)
			*slot(L, L->anchors[i].name) = i + 1;
	} else {
		*slot(L, name) = idx + 1;
	}
	return idx;
}

static void clear_anchors(loader *L)
{
	for (size_t i = 0; i < L->nanchors; i++)
		free(L->anchors[i].name);
	L->nanchors = 0;
	if (L->slots)
		memset(L->slots, 0, L->nslots * sizeof *L->slots);
}

/* Count n more nodes against the budget. */
static int count(loader *L, uint64_t n, tc_pos pos, bool alias)
{
	L->nodes += n;
	if (L->nodes <= L->lim.max_nodes)
		return 0;
	if (alias)
		return tc_error(L->d, pos, NULL, "alias expansion exceeds %zu nodes",
		                L->lim.max_nodes);
	return tc_error(L->d, pos, NULL, "document has more than %zu nodes", L->lim.max_nodes);
}

/* A tag's short name: "tag:yaml.org,2002:int" -> "int"; NULL otherwise. */
static const char *core_tag(const yaml_char_t *tag)
{
	if (tag && strncmp((const char *)tag, TAG_PREFIX, sizeof TAG_PREFIX - 1) == 0)
		return (const char *)tag + sizeof TAG_PREFIX - 1;
	return NULL;
}

static void unknown_tag(loader *L, tc_pos pos, const yaml_char_t *tag)
{
	const char *core = core_tag(tag);
	if (core)
		tc_error(L->d, pos, NULL, "unknown tag '!!%s'", core);
	else
		tc_error(L->d, pos, NULL, "unknown tag '%s'", (const char *)tag);
	L->bad = true;
}

/* TC_VAL_LITERAL with the indentation of the first line with content after
 * '|', or 0 */
static uint32_t literal_layout(const char *src, size_t n)
{
	const char *p = memchr(src, '\n', n), *end = src + n;
	while (p && p < end) {
		const char *q = p + 1;
		size_t ind = 0;
		while (q + ind < end && q[ind] == ' ')
			ind++;
		if (q + ind < end && q[ind] != '\n')
			return ind < 0xffff ? TC_VAL_LITERAL | (uint32_t)ind << 16 : 0;
		p = memchr(q, '\n', (size_t)(end - q));
	}
	return 0;
}

/* TC_VAL_LITERAL or TC_VAL_ONELINE (value.h) for the current scalar event:
 * its source text between the marks shows where the value's text sits. */
static uint32_t layout(const loader *L)
{
	const yaml_event_t *e = &L->ev;
	size_t from = e->start_mark.index, to = e->end_mark.index;
	if (e->type != YAML_SCALAR_EVENT || from > to || to > L->len)
		return 0;
	const char *src = L->data + from;
	size_t n = to - from;
	switch (e->data.scalar.style) {
	case YAML_LITERAL_SCALAR_STYLE:
		return literal_layout(src, n);
	case YAML_PLAIN_SCALAR_STYLE:
		return memchr(src, '\n', n) ? 0 : TC_VAL_ONELINE;
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
		return memchr(src, '\n', n) || memmem(src, n, "''", 2) ? 0 : TC_VAL_ONELINE;
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
		return memchr(src, '\n', n) || memchr(src, '\\', n) ? 0 : TC_VAL_ONELINE;
	default:
		return 0;
	}
}

static tc_value *mkstr(loader *L, const char *s, size_t n, tc_pos pos, bool plain)
{
	tc_value *v = tc_value_str(L->a, s, n, pos);
	if (!plain)
		v->flags |= TC_VAL_QUOTED;
	v->flags |= layout(L);
	return v;
}

/* scalar ::= SCALAR (plain: core schema; quoted or block: string; tagged) */

/* [-+]?[0-9]+, the decimal form of a YAML 1.2 integer */
static bool decimal_digits(const char *s, size_t n)
{
	size_t i = (n && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
	if (i == n)
		return false;
	for (; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* a scalar with a tag other than "!": !!str, or a core type its text must
 * be; any other tag is reported */
static tc_value *tagged_scalar(loader *L, tc_pos pos, const char *s, size_t n,
                               const yaml_char_t *tag, bool plain)
{
	const char *t = core_tag(tag);
	bool b;
	int64_t i;
	double f;
	if (t && strcmp(t, "str") == 0)
		return mkstr(L, s, n, pos, plain);
	if (t && strcmp(t, "null") == 0) {
		if (tc_scalar_parse_null(s, n) == 0)
			return tc_value_null(L->a, pos);
	} else if (t && strcmp(t, "bool") == 0) {
		if (tc_scalar_parse_bool(&b, s, n) == 0)
			return tc_value_bool(L->a, b, pos);
	} else if (t && strcmp(t, "int") == 0) {
		if (tc_scalar_parse_int(&i, s, n) == 0)
			return tc_value_int(L->a, i, pos);
	} else if (t && strcmp(t, "float") == 0) {
		if (tc_scalar_parse_float(&f, s, n) == 0)
			return tc_value_float(L->a, f, pos);
	} else {
		unknown_tag(L, pos, tag);
		return mkstr(L, s, n, pos, plain);
	}
	tc_error(L->d, pos, NULL, "'%.*s' is not a valid '!!%s'", (int)(n > 60 ? 60 : n), s, t);
	L->bad = true;
	return mkstr(L, s, n, pos, plain);
}

/* a plain scalar by the YAML 1.2 core schema */
static tc_value *plain_scalar(loader *L, tc_pos pos, const char *s, size_t n)
{
	tc_scalar r;
	if (tc_scalar_resolve(&r, s, n) < 0 && r.kind == TC_INT && decimal_digits(s, n)) {
		/* a decimal integer beyond int64 becomes a number, as in JSON
		 * (json_load.c) and in JSON-e, whose numbers are doubles */
		char buf[64];
		if (n < sizeof buf) {
			memcpy(buf, s, n);
			buf[n] = 0;
			return tc_value_float(L->a, strtod(buf, NULL), pos);
		}
	}
	if (tc_scalar_resolve(&r, s, n) < 0) {
		tc_error(L->d, pos, NULL, "%s '%.*s' is out of range",
		         r.kind == TC_INT ? "integer" : "number", (int)(n > 60 ? 60 : n), s);
		L->bad = true;
		return mkstr(L, s, n, pos, true);
	}
	switch (r.kind) {
	case TC_NULL:
		return tc_value_null(L->a, pos);
	case TC_BOOL:
		return tc_value_bool(L->a, r.b, pos);
	case TC_INT:
		return tc_value_int(L->a, r.i, pos);
	case TC_FLOAT:
		return tc_value_float(L->a, r.f, pos);
	default:
		return mkstr(L, s, n, pos, true);
	}
}

static tc_value *scalar(loader *L)
{
	yaml_event_t *e = &L->ev;
	tc_pos pos = mkpos(L, e->start_mark);
	const char *s = (const char *)e->data.scalar.value;
	size_t n = e->data.scalar.length;
	const yaml_char_t *tag = e->data.scalar.tag;
	bool plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	if (tag && strcmp((const char *)tag, "!") != 0)
		return tagged_scalar(L, pos, s, n, tag, plain);
	if (!plain || tag)
		return mkstr(L, s, n, pos, plain); /* quoted, block, or "!": always a string */
	return plain_scalar(L, pos, s, n);
}

static int node(loader *L, size_t depth, tc_value **out, uint64_t *cnt);

static void check_collection_tag(loader *L, tc_pos pos, const yaml_char_t *tag, const char *want)
{
	if (!tag || strcmp((const char *)tag, "!") == 0)
		return;
	const char *t = core_tag(tag);
	if (!t || strcmp(t, want) != 0)
		unknown_tag(L, pos, tag);
}

/* sequence ::= SEQUENCE-START node* SEQUENCE-END */
static int sequence(loader *L, size_t depth, tc_value **out, uint64_t *cnt)
{
	tc_pos pos = mkpos(L, L->ev.start_mark);
	check_collection_tag(L, pos, L->ev.data.sequence_start.tag, "seq");
	tc_arrb b;
	tc_arrb_init(&b);
	for (;;) {
		if (next(L) < 0)
			goto fail;
		if (L->ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		tc_value *item;
		uint64_t c;
		if (node(L, depth + 1, &item, &c) < 0)
			goto fail;
		*cnt += c;
		tc_arrb_push(&b, item);
	}
	*out = tc_arrb_finish(&b, L->a, pos);
	return 0;
fail:
	tc_arrb_release(&b);
	return -1;
}

/* The text of a key node; -1 (after a diagnostic) for keys we refuse. */
static int key_text(loader *L, const tc_value *k, const char **s, size_t *n)
{
	switch (k->kind) {
	case TC_STR:
		*s = k->u.str.ptr;
		*n = k->u.str.len;
		return 0;
	case TC_NULL:
		return tc_error(L->d, k->pos, NULL, "mapping key is null");
	default:
		/* a resolved plain scalar: use its source text */
		break;
	}
	if (L->have_ev && L->ev.type == YAML_SCALAR_EVENT) {
		*s = tc_arena_memdup0(L->a, L->ev.data.scalar.value, L->ev.data.scalar.length);
		*n = L->ev.data.scalar.length;
		return 0;
	}
	return tc_error(L->d, k->pos, NULL, "an alias to a %s cannot be a mapping key",
	                tc_kind_name(k->kind));
}

/* Members in key order, earlier occurrences first, for reporting
 * duplicates in one sort instead of one per duplicate. */
static int bykey(const void *x, const void *y)
{
	const tc_member *a = *(const tc_member *const *)x, *b = *(const tc_member *const *)y;
	int c = tc_bytes_cmp(a->key, a->klen, b->key, b->klen);
	if (c)
		return c;
	/* same key: source order (members come from one mapping, one file) */
	if (a->kpos.line != b->kpos.line)
		return a->kpos.line < b->kpos.line ? -1 : 1;
	return a->kpos.col < b->kpos.col ? -1 : a->kpos.col > b->kpos.col;
}

/* Report every repeated key of a mapping (at most 100: the printer shows
 * no more), each pointing back at the first occurrence. */
static void report_duplicates(loader *L, const tc_member *m, size_t n)
{
	const tc_member **v = tc_xmalloc(n * sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = &m[i];
	qsort(v, n, sizeof *v, bykey);
	size_t reported = 0;
	for (size_t i = 1, first = 0; i < n && reported < 100; i++) {
		if (tc_bytes_cmp(v[i]->key, v[i]->klen, v[first]->key, v[first]->klen) != 0) {
			first = i;
			continue;
		}
		tc_error(L->d, v[i]->kpos, NULL, "duplicate key '%.*s' (first at line %u)",
		         (int)(v[i]->klen > 80 ? 80 : v[i]->klen), v[i]->key,
		         (unsigned)v[first]->kpos.line);
		reported++;
	}
	free(v);
	L->bad = true;
}

/* mapping ::= MAPPING-START (key node)* MAPPING-END;  key ::= scalar | alias */
static int mapping(loader *L, size_t depth, tc_value **out, uint64_t *cnt)
{
	tc_pos pos = mkpos(L, L->ev.start_mark);
	check_collection_tag(L, pos, L->ev.data.mapping_start.tag, "map");
	tc_objb b;
	tc_objb_init(&b);
	for (;;) {
		if (next(L) < 0)
			goto fail;
		yaml_event_type_t t = L->ev.type;
		if (t == YAML_MAPPING_END_EVENT)
			break;
		tc_pos kpos = mkpos(L, L->ev.start_mark);
		if (t == YAML_MAPPING_START_EVENT || t == YAML_SEQUENCE_START_EVENT) {
			tc_error(L->d, kpos, NULL, "mapping key must be a scalar, not a %s",
			         t == YAML_MAPPING_START_EVENT ? "mapping" : "sequence");
			goto fail;
		}
		if (t == YAML_SCALAR_EVENT && L->ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		    !L->ev.data.scalar.tag && L->ev.data.scalar.length == 2 &&
		    memcmp(L->ev.data.scalar.value, "<<", 2) == 0) {
			tc_error(L->d, kpos, NULL,
			         "merge keys '<<' are not supported (write the keys out, or "
			         "use '$merge' in a template)");
			goto fail;
		}
		tc_value *k, *v;
		uint64_t kc = 0, vc = 0;
		if (node(L, depth + 1, &k, &kc) < 0)
			goto fail;
		const char *ks = "";
		size_t kn = 0;
		if (key_text(L, k, &ks, &kn) < 0) {
			L->bad = true;
			ks = "";
			kn = 0;
		}
		if (next(L) < 0 || node(L, depth + 1, &v, &vc) < 0)
			goto fail;
		*cnt += kc + vc;
		tc_objb_add(&b, ks, kn, kpos, v);
	}
	size_t dup;
	tc_value *o = tc_objb_finish(&b, L->a, pos, &dup);
	if (!o) {
		report_duplicates(L, b.members, b.len);
		o = tc_objb_finish(&b, L->a, pos, NULL); /* keep going: later wins */
	}
	*out = o;
	return 0;
fail:
	tc_objb_release(&b);
	return -1;
}

/* alias ::= ALIAS (shares the anchored subtree, counted in full) */
static int alias(loader *L, tc_value **out, uint64_t *cnt)
{
	tc_pos pos = mkpos(L, L->ev.start_mark);
	const char *name = (const char *)L->ev.data.alias.anchor;
	anchor *an = find_anchor(L, name);
	if (!an)
		return tc_error(L->d, pos, NULL, "unknown alias '*%s'", name);
	if (!an->val)
		return tc_error(L->d, pos, NULL, "alias '*%s' refers to a node that contains it",
		                name);
	if (count(L, an->count, pos, true) < 0)
		return -1;
	*cnt = an->count;
	/* a shallow copy, so that the alias node points at the alias */
	tc_value *v = tc_value_copy(L->a, an->val);
	v->pos = pos;
	*out = v;
	return 0;
}

/* node ::= alias | scalar | sequence | mapping, with an optional anchor.
 * The current event is the node's first. *cnt is its node count with
 * aliases expanded. */
static int node(loader *L, size_t depth, tc_value **out, uint64_t *cnt)
{
	yaml_event_t *e = &L->ev;
	tc_pos pos = mkpos(L, e->start_mark);
	const yaml_char_t *aname = NULL;
	*cnt = 0;
	switch (e->type) {
	case YAML_ALIAS_EVENT:
		return alias(L, out, cnt);
	case YAML_SCALAR_EVENT:
		aname = e->data.scalar.anchor;
		break;
	case YAML_SEQUENCE_START_EVENT:
		aname = e->data.sequence_start.anchor;
		break;
	case YAML_MAPPING_START_EVENT:
		aname = e->data.mapping_start.anchor;
		break;
	default:
		TC_BUG("unexpected YAML event");
	}
	if (count(L, 1, pos, false) < 0)
		return -1;
	*cnt = 1;
	size_t ai = aname ? add_anchor(L, (const char *)aname) : 0;
	int rc = 0;
	if (e->type == YAML_SCALAR_EVENT) {
		*out = scalar(L);
	} else {
		if (depth >= L->lim.max_depth)
			return tc_error(L->d, pos, NULL, "nesting deeper than %zu levels",
			                L->lim.max_depth);
		rc = e->type == YAML_SEQUENCE_START_EVENT ? sequence(L, depth, out, cnt)
		                                          : mapping(L, depth, out, cnt);
	}
	if (rc == 0 && aname) {
		L->anchors[ai].val = *out;
		L->anchors[ai].count = *cnt;
	}
	return rc;
}

/* True for the event of an empty document's root: a plain empty scalar. */
static bool empty_root(const yaml_event_t *e)
{
	return e->type == YAML_SCALAR_EVENT && e->data.scalar.length == 0 &&
	       e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !e->data.scalar.tag &&
	       !e->data.scalar.anchor;
}

/* stream ::= STREAM-START (DOCUMENT-START node DOCUMENT-END)* STREAM-END
 * With single set, a second document is an error. */
static int stream(loader *L, bool single, tc_arrb *docs, tc_value **first)
{
	if (next(L) < 0)
		return -1;
	if (L->ev.type != YAML_STREAM_START_EVENT)
		TC_BUG("YAML stream does not start with STREAM-START");
	size_t ndocs = 0;
	for (;;) {
		if (next(L) < 0)
			return -1;
		if (L->ev.type == YAML_STREAM_END_EVENT)
			return 0;
		tc_pos dpos = mkpos(L, L->ev.start_mark);
		if (single && ndocs == 1)
			return tc_error(
				L->d, dpos, NULL,
				"expected one document, found a second one (remove the '---' "
				"or split the file)");
		ndocs++;
		if (next(L) < 0)
			return -1;
		bool empty = empty_root(&L->ev);
		tc_value *v;
		uint64_t c;
		L->nodes = 0;
		int rc = node(L, 0, &v, &c);
		clear_anchors(L);
		if (rc < 0)
			return -1;
		if (single)
			*first = v;
		else if (!empty)
			tc_arrb_push(docs, v);
		if (next(L) < 0)
			return -1;
		if (L->ev.type != YAML_DOCUMENT_END_EVENT)
			TC_BUG("YAML document does not end with DOCUMENT-END");
	}
}

/* Checks shared by both entry points; then run the parser. */
static int load(loader *L, bool single, tc_arrb *docs, tc_value **first)
{
	if (L->len > L->lim.max_bytes)
		return tc_error(L->d, (tc_pos){L->file, 0, 0}, NULL,
		                "file is %zu bytes, more than the limit of %zu", L->len,
		                L->lim.max_bytes);
	size_t bad = tc_scalar_utf8_check(L->data, L->len);
	if (bad < L->len)
		return tc_error(L->d, offset_pos(L, bad), NULL, "invalid UTF-8 (byte 0x%02x)",
		                (unsigned char)L->data[bad]);
	if (!yaml_parser_initialize(&L->parser))
		tc_oom();
	/* No yaml_parser_set_encoding: libyaml's own detection skips a UTF-8
	 * byte order mark, and UTF-16 cannot get past the UTF-8 check. */
	yaml_parser_set_input_string(&L->parser, (const unsigned char *)L->data, L->len);
	int rc = stream(L, single, docs, first);
	if (L->have_ev)
		yaml_event_delete(&L->ev);
	L->have_ev = false;
	yaml_parser_delete(&L->parser);
	clear_anchors(L);
	free(L->anchors);
	free(L->slots);
	if (rc == 0 && L->bad)
		rc = -1;
	return rc;
}

static void setup(loader *L, tc_arena *a, tc_diags *d, const char *file, const char *data,
                  size_t len, const tc_yaml_limits *limits)
{
	memset(L, 0, sizeof *L);
	L->a = a;
	L->d = d;
	L->file = file;
	L->data = data ? data : "";
	L->len = data ? len : 0;
	L->lim = limits ? *limits : tc_yaml_default_limits;
}

int tc_yaml_load(tc_value **out, tc_arena *a, tc_diags *d, const char *file, const char *data,
                 size_t len, const tc_yaml_limits *limits)
{
	loader L;
	setup(&L, a, d, file, data, len, limits);
	tc_value *v = NULL;
	*out = NULL;
	if (load(&L, true, NULL, &v) < 0)
		return -1;
	*out = v ? v : tc_value_null(a, (tc_pos){file, 1, 1});
	return 0;
}

int tc_yaml_load_stream(tc_value **out, tc_arena *a, tc_diags *d, const char *file,
                        const char *data, size_t len, const tc_yaml_limits *limits)
{
	loader L;
	setup(&L, a, d, file, data, len, limits);
	tc_arrb docs;
	tc_arrb_init(&docs);
	*out = NULL;
	if (load(&L, false, &docs, NULL) < 0) {
		tc_arrb_release(&docs);
		return -1;
	}
	*out = tc_arrb_finish(&docs, a, (tc_pos){file, 1, 1});
	return 0;
}
