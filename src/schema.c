/*
 * schema.c - the schema store and the compiler from tc_value to sc_node.
 *
 * Compiling is two steps over the documents involved:
 *
 *  1. index: walk a document through the keywords that hold subschemas
 *     (never through enum, const or unknown keywords, so an "$id" there is
 *     not an identifier) and record, for every schema value, its base URI
 *     and schema resource, plus every resource URI and anchor. Documents
 *     that references reach are fetched from the store and indexed on
 *     demand.
 *  2. compile: a work queue turns each reachable schema value into one
 *     sc_node. A reference only asks for the target's node, which is
 *     queued, so reference cycles and long chains need no recursion. The
 *     targets of $dynamicAnchor are compiled at the end, so that the
 *     validator can search the dynamic scope without compiling.
 *
 * The compile state (hash maps from values and URIs, the queue) is
 * private and freed on return; only the nodes, in the tc_schema's arena,
 * and the PCRE2 codes survive. Identical patterns are compiled once per
 * schema (the Kubernetes quantity pattern appears thousands of times in a
 * Deployment schema).
 *
 * Draft-04 rules: "id" (not "$id") sets the base URI and "#name" ids are
 * anchors; a "$ref" makes its siblings (including "id") ignored; items may
 * be an array with additionalItems; exclusiveMaximum/Minimum are boolean.
 * Both drafts accept "dependencies" and the Kubernetes extensions.
 */
#include "schema.h"

#include "fsutil.h"
#include "json_load.h"
#include "schema_format.h"
#include "cel_k8s_crd.h"
#include "schema_node.h"
#include "schema_regex.h"
#include "schema_uri.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A schema file larger than this is refused: the largest upstream CRD
 * schema (ApplicationSet) is 2 MB. */
#define MAX_SCHEMA_FILE (64u * 1024 * 1024)

#define DEFAULT_BASE "tenantc:schema"

/* ---- small hash maps for lookups (never iterated for output) ---- */

typedef struct hent {
	const void *key; /* a pointer, or the bytes of a string */
	size_t klen;     /* 0 for pointer keys */
	uint64_t h;
	void *val;
} hent;

typedef struct hmap {
	hent *e;
	size_t cap, len;
} hmap;

static uint64_t fnv(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ull;
	}
	return h;
}

static bool hkeyeq(const hent *e, const void *key, size_t klen, uint64_t h)
{
	if (e->h != h || e->klen != klen)
		return false;
	return klen == 0 ? e->key == key : memcmp(e->key, key, klen) == 0;
}

static void hmap_put(hmap *m, const void *key, size_t klen, void *val);

static void hmap_grow(hmap *m)
{
	hent *old = m->e;
	size_t oldcap = m->cap;
	m->cap = m->cap ? m->cap * 2 : 64;
	m->e = tc_xcalloc(m->cap, sizeof *m->e);
	m->len = 0;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].key)
			hmap_put(m, old[i].key, old[i].klen, old[i].val);
	free(old);
}

static uint64_t hkey(const void *key, size_t klen)
{
	return klen ? fnv(key, klen) : fnv(&key, sizeof key);
}

static void *hmap_get(const hmap *m, const void *key, size_t klen)
{
	if (!m->cap)
		return NULL;
	uint64_t h = hkey(key, klen);
	for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (!m->e[i].key)
			return NULL;
		if (hkeyeq(&m->e[i], key, klen, h))
			return m->e[i].val;
	}
}

/* Insert or replace. String keys must outlive the map (arena strings). */
static void hmap_put(hmap *m, const void *key, size_t klen, void *val)
{
	if ((m->len + 1) * 2 > m->cap)
		hmap_grow(m);
	uint64_t h = hkey(key, klen);
	for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (!m->e[i].key) {
			m->e[i] = (hent){key, klen, h, val};
			m->len++;
			return;
		}
		if (hkeyeq(&m->e[i], key, klen, h)) {
			m->e[i].val = val;
			return;
		}
	}
}

static void hmap_release(hmap *m)
{
	free(m->e);
	memset(m, 0, sizeof *m);
}

#define SKEY(s) (s), strlen(s)

/* ---- the store ---- */

typedef struct store_doc {
	const char *uri;
	const tc_value *doc;
} store_doc;

typedef struct store_map {
	const char *prefix, *dir;
} store_map;

struct tc_schema_store {
	tc_arena arena;
	store_doc *docs;
	size_t ndocs, capdocs;
	store_map *maps;
	size_t nmaps, capmaps;
	bool allow_files;
	tc_schema_load_fn fn;
	void *fnctx;
};

tc_schema_store *tc_schema_store_new(void)
{
	tc_schema_store *st = tc_xcalloc(1, sizeof *st);
	tc_arena_init(&st->arena);
	return st;
}

void tc_schema_store_free(tc_schema_store *st)
{
	if (!st)
		return;
	free(st->docs);
	free(st->maps);
	tc_arena_release(&st->arena);
	free(st);
}

tc_arena *tc_schema_store_arena(tc_schema_store *st)
{
	return &st->arena;
}

static const tc_value *store_find(const tc_schema_store *st, const char *uri)
{
	for (size_t i = 0; i < st->ndocs; i++)
		if (strcmp(st->docs[i].uri, uri) == 0)
			return st->docs[i].doc;
	return NULL;
}

static void store_put(tc_schema_store *st, const char *uri, const tc_value *doc)
{
	const char *frag;
	char *u = tc_uri_strip_fragment(&st->arena, uri, &frag);
	if (store_find(st, u))
		return;
	TC_GROW(st->docs, st->capdocs, st->ndocs + 1);
	st->docs[st->ndocs++] = (store_doc){u, doc};
}

void tc_schema_store_add(tc_schema_store *st, const char *uri, const tc_value *doc)
{
	store_put(st, uri, doc);
	const tc_value *id = tc_value_getz(doc, "$id");
	if (!id || id->kind != TC_STR)
		id = tc_value_getz(doc, "id");
	if (id && id->kind == TC_STR)
		store_put(st, tc_uri_resolve(&st->arena, uri, id->u.str.ptr), doc);
}

void tc_schema_store_map(tc_schema_store *st, const char *prefix, const char *dir)
{
	TC_GROW(st->maps, st->capmaps, st->nmaps + 1);
	st->maps[st->nmaps++] =
		(store_map){tc_arena_strdup(&st->arena, prefix), tc_arena_strdup(&st->arena, dir)};
}

void tc_schema_store_allow_files(tc_schema_store *st, bool on)
{
	st->allow_files = on;
}

void tc_schema_store_set_loader(tc_schema_store *st, tc_schema_load_fn fn, void *ctx)
{
	st->fn = fn;
	st->fnctx = ctx;
}

tc_value *tc_schema_store_load_file(tc_schema_store *st, tc_diags *d, const char *path)
{
	const char *name = tc_arena_strdup(&st->arena, path);
	char *data;
	size_t len;
	tc_file_err e;
	if (tc_file_read(&data, &len, path, MAX_SCHEMA_FILE, 0, &e) < 0) {
		if (e.why == TC_FILE_OPEN)
			tc_error(d, (tc_pos){name, 0, 0}, NULL, "cannot open schema: %s",
			         strerror(e.err));
		else if (e.why == TC_FILE_TOOBIG)
			tc_error(d, (tc_pos){name, 0, 0}, NULL, "schema is larger than %u MiB",
			         MAX_SCHEMA_FILE >> 20);
		else
			tc_error(d, (tc_pos){name, 0, 0}, NULL, "cannot read schema: %s",
			         strerror(e.err));
		return NULL;
	}
	tc_value *v = NULL;
	if (tc_doc_load(&v, &st->arena, d, name, data, len) < 0)
		v = NULL;
	free(data);
	return v;
}

/* The document at uri (no fragment): registered, mapped, from the loader
 * callback, or a file. NULL when unknown; *failed when loading failed. */
static const tc_value *store_fetch(tc_schema_store *st, tc_diags *d, const char *uri, bool *failed)
{
	*failed = false;
	const tc_value *doc = store_find(st, uri);
	if (doc)
		return doc;
	for (size_t i = 0; i < st->nmaps; i++) {
		size_t pl = strlen(st->maps[i].prefix);
		if (strncmp(uri, st->maps[i].prefix, pl) != 0)
			continue;
		const char *rest = uri + pl;
		if (strstr(rest, "..") || strchr(rest, '?'))
			continue;
		char *path = tc_arena_printf(&st->arena, "%s/%s", st->maps[i].dir, rest);
		tc_value *v = tc_schema_store_load_file(st, d, path);
		if (!v) {
			*failed = true;
			return NULL;
		}
		store_put(st, uri, v);
		return v;
	}
	if (st->fn) {
		tc_value *v = NULL;
		int r = st->fn(st->fnctx, &st->arena, d, uri, &v);
		if (r < 0) {
			*failed = true;
			return NULL;
		}
		if (r == 0 && v) {
			store_put(st, uri, v);
			return v;
		}
	}
	if (st->allow_files) {
		char *path = tc_uri_to_path(&st->arena, uri);
		if (path) {
			tc_value *v = tc_schema_store_load_file(st, d, path);
			if (!v) {
				*failed = true;
				return NULL;
			}
			store_put(st, uri, v);
			return v;
		}
	}
	return NULL;
}

/* ---- compile state ---- */

typedef struct resrec resrec;

/* what the index knows about one schema value */
typedef struct vinfo {
	const tc_value *v;
	const char *base; /* absolute, without fragment */
	resrec *rr;
	bool draft4;
	bool novalid; /* its metaschema has no validation vocabulary */
	sc_node *node;
} vinfo;

typedef struct dynrec {
	const char *name;
	vinfo *vi;
} dynrec;

struct resrec {
	const char *uri;
	vinfo *root;
	sc_resource *res;
	dynrec *dyn;
	size_t ndyn, capdyn;
};

typedef struct anchor {
	vinfo *vi;
	bool dynamic;
} anchor;

typedef struct cstate {
	tc_schema *s;
	tc_arena *a; /* s->arena */
	tc_schema_store *st;
	tc_diags *d;
	const tc_schema_opts *opts;
	hmap vinfos;   /* tc_value* -> vinfo* */
	hmap res;      /* uri -> resrec* */
	hmap anchors;  /* "uri#name" -> anchor* */
	hmap patterns; /* pattern source -> pcre2_code* */
	resrec **reslist;
	size_t nres, capres;
	vinfo **queue;
	size_t nq, capq;
	bool has_dynamic;
	int errors;
} cstate;

__attribute__((format(printf, 3, 4))) static void serr(cstate *cs, const tc_value *at,
                                                       const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tc_diag_add(cs->d, TC_SEV_ERROR, TC_DIAG_INPUT, at ? at->pos : TC_NOPOS, NULL, fmt, ap);
	va_end(ap);
	cs->errors++;
}

tc_schema_draft tc_schema_draft_from_uri(const char *u)
{
	static const struct {
		const char *uri;
		tc_schema_draft draft;
	} known[] = {
		{"http://json-schema.org/draft-04/schema", TC_DRAFT_4},
		{"http://json-schema.org/draft-06/schema", TC_DRAFT_4},
		{"http://json-schema.org/draft-07/schema", TC_DRAFT_4},
		{"https://json-schema.org/draft/2020-12/schema", TC_DRAFT_2020},
		{"https://json-schema.org/draft/2019-09/schema", TC_DRAFT_2020},
	};
	size_t n = strlen(u);
	if (n && u[n - 1] == '#')
		n--;
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strlen(known[i].uri) == n && strncmp(known[i].uri, u, n) == 0)
			return known[i].draft;
	return TC_DRAFT_AUTO;
}

/* Keywords that only one of the two drafts has, to guess a document's
 * draft when it has no "$schema". */
static void guess_scan(const tc_value *v, int *legacy, int *modern, int depth)
{
	if (depth > 64 || !v)
		return;
	if (v->kind == TC_ARRAY) {
		for (size_t i = 0; i < v->u.arr.len; i++)
			guess_scan(v->u.arr.items[i], legacy, modern, depth + 1);
		return;
	}
	if (v->kind != TC_OBJECT)
		return;
	static const char *const modern_kw[] = {"$defs",
	                                        "$anchor",
	                                        "$dynamicRef",
	                                        "$dynamicAnchor",
	                                        "prefixItems",
	                                        "unevaluatedProperties",
	                                        "unevaluatedItems",
	                                        "dependentRequired",
	                                        "dependentSchemas",
	                                        "$id",
	                                        "minContains",
	                                        "maxContains",
	                                        "$vocabulary"};
	for (size_t i = 0; i < sizeof modern_kw / sizeof modern_kw[0]; i++)
		if (tc_value_getz(v, modern_kw[i]))
			(*modern)++;
	const tc_value *x;
	if ((x = tc_value_getz(v, "id")) && x->kind == TC_STR)
		(*legacy)++;
	if (tc_value_getz(v, "definitions") || tc_value_getz(v, "additionalItems") ||
	    tc_value_getz(v, "dependencies"))
		(*legacy)++;
	if ((x = tc_value_getz(v, "items")) && x->kind == TC_ARRAY)
		(*legacy)++;
	if (((x = tc_value_getz(v, "exclusiveMaximum")) && x->kind == TC_BOOL) ||
	    ((x = tc_value_getz(v, "exclusiveMinimum")) && x->kind == TC_BOOL))
		(*legacy)++;
	for (size_t i = 0; i < v->u.obj.len; i++)
		guess_scan(v->u.obj.members[i].val, legacy, modern, depth + 1);
}

/* The draft a document without "$schema" gets: the compile options', or
 * with TC_DRAFT_AUTO a guess from its keywords, else `inherited`. */
static bool guess_draft4(const cstate *cs, const tc_value *doc, bool inherited)
{
	if (cs->opts->draft != TC_DRAFT_AUTO)
		return cs->opts->draft == TC_DRAFT_4;
	int legacy = 0, modern = 0;
	guess_scan(doc, &legacy, &modern, 0);
	if (legacy && !modern)
		return true;
	if (modern)
		return false;
	return inherited;
}

static resrec *new_resource(cstate *cs, const char *uri)
{
	resrec *rr = tc_arena_calloc(cs->a, sizeof *rr);
	rr->uri = uri;
	rr->res = tc_arena_calloc(cs->a, sizeof *rr->res);
	rr->res->uri = uri;
	TC_GROW(cs->reslist, cs->capres, cs->nres + 1);
	cs->reslist[cs->nres++] = rr;
	if (!hmap_get(&cs->res, SKEY(uri)))
		hmap_put(&cs->res, SKEY(uri), rr);
	return rr;
}

static void add_anchor(cstate *cs, resrec *rr, const char *name, vinfo *vi, bool dynamic)
{
	char *key = tc_arena_printf(cs->a, "%s#%s", rr->uri, name);
	anchor *an = hmap_get(&cs->anchors, SKEY(key));
	if (an) {
		if (dynamic)
			an->dynamic = true;
	} else {
		an = tc_arena_calloc(cs->a, sizeof *an);
		an->vi = vi;
		an->dynamic = dynamic;
		hmap_put(&cs->anchors, SKEY(key), an);
	}
	if (dynamic) {
		TC_GROW(rr->dyn, rr->capdyn, rr->ndyn + 1);
		rr->dyn[rr->ndyn++] = (dynrec){tc_arena_strdup(cs->a, name), vi};
	}
}

static bool is_anchor_name(const char *s)
{
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
		return false;
	for (s++; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' || *s == '.'))
			return false;
	return true;
}

static void index_schema(cstate *cs, const tc_value *v, const char *base, resrec *rr, bool draft4,
                         bool novalid, int depth);

static void index_children(cstate *cs, const tc_value *v, const char *base, resrec *rr, bool draft4,
                           bool novalid, int depth)
{
	static const char *const single[] = {
		"additionalProperties",
		"additionalItems",
		"items",
		"contains",
		"propertyNames",
		"if",
		"then",
		"else",
		"not",
		"unevaluatedItems",
		"unevaluatedProperties",
	};
	static const char *const list[] = {"allOf", "anyOf", "oneOf", "prefixItems", "items"};
	static const char *const map[] = {"properties",  "patternProperties", "$defs",
	                                  "definitions", "dependentSchemas",  "dependencies"};
	for (size_t i = 0; i < sizeof single / sizeof single[0]; i++) {
		const tc_value *c = tc_value_getz(v, single[i]);
		if (c && (c->kind == TC_OBJECT || c->kind == TC_BOOL))
			index_schema(cs, c, base, rr, draft4, novalid, depth + 1);
	}
	for (size_t i = 0; i < sizeof list / sizeof list[0]; i++) {
		const tc_value *c = tc_value_getz(v, list[i]);
		if (c && c->kind == TC_ARRAY)
			for (size_t k = 0; k < c->u.arr.len; k++)
				index_schema(cs, c->u.arr.items[k], base, rr, draft4, novalid,
				             depth + 1);
	}
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
		const tc_value *c = tc_value_getz(v, map[i]);
		if (c && c->kind == TC_OBJECT)
			for (size_t k = 0; k < c->u.obj.len; k++)
				index_schema(cs, c->u.obj.members[k].val, base, rr, draft4, novalid,
				             depth + 1);
	}
}

/* Depth of schema nesting the index follows; documents are at most 256
 * deep anyway (the loaders' limit). */
#define MAX_INDEX_DEPTH 512

static vinfo *new_vinfo(cstate *cs, const tc_value *v, const char *base, resrec *rr, bool draft4,
                        bool novalid)
{
	vinfo *vi = tc_arena_calloc(cs->a, sizeof *vi);
	vi->v = v;
	vi->base = base;
	vi->rr = rr;
	vi->draft4 = draft4;
	vi->novalid = novalid;
	hmap_put(&cs->vinfos, v, 0, vi);
	return vi;
}

/* The id keyword of v for its draft ("id" in draft-04, where $ref hides it);
 * an embedded resource may switch drafts (*draft4). */
static const tc_value *schema_id(const tc_value *v, bool *draft4, int depth)
{
	const tc_value *sch = tc_value_getz(v, "$schema");
	const tc_value *id = tc_value_getz(v, *draft4 ? "id" : "$id");
	if (*draft4 && tc_value_getz(v, "$ref"))
		id = NULL; /* draft-04: $ref makes every sibling ignored */
	if (sch && sch->kind == TC_STR && id && depth > 0) {
		/* an embedded resource may switch drafts */
		tc_schema_draft dr = tc_schema_draft_from_uri(sch->u.str.ptr);
		if (dr != TC_DRAFT_AUTO) {
			*draft4 = dr == TC_DRAFT_4;
			id = tc_value_getz(v, *draft4 ? "id" : "$id");
		}
	}
	return id;
}

/* An id: the base URI from here on, and a new resource unless it names the
 * one the value is in; a draft-04 id's fragment is an anchor (*anchor_out). */
static const char *enter_id(cstate *cs, const tc_value *id, const char *base, resrec **rr,
                            bool draft4, int depth, const char **anchor_out)
{
	char *abs = tc_uri_resolve(cs->a, base, id->u.str.ptr);
	const char *frag;
	char *u = tc_uri_strip_fragment(cs->a, abs, &frag);
	if (draft4 && frag)
		*anchor_out = frag;
	if (strcmp(u, base) == 0 && depth != 0)
		return base;
	if (depth == 0 && *rr) {
		/* the root's own id: another name of the same resource */
		if (!hmap_get(&cs->res, SKEY(u)))
			hmap_put(&cs->res, SKEY(u), *rr);
		(*rr)->uri = u;
		(*rr)->res->uri = u;
	} else {
		*rr = new_resource(cs, u);
	}
	return u;
}

/* $anchor and $dynamicAnchor (2019-09 and later) */
static void add_anchors(cstate *cs, resrec *rr, const tc_value *v, vinfo *vi)
{
	const tc_value *an = tc_value_getz(v, "$anchor");
	if (an && an->kind == TC_STR && is_anchor_name(an->u.str.ptr))
		add_anchor(cs, rr, an->u.str.ptr, vi, false);
	const tc_value *dan = tc_value_getz(v, "$dynamicAnchor");
	if (dan && dan->kind == TC_STR && is_anchor_name(dan->u.str.ptr))
		add_anchor(cs, rr, dan->u.str.ptr, vi, true);
}

static void index_schema(cstate *cs, const tc_value *v, const char *base, resrec *rr, bool draft4,
                         bool novalid, int depth)
{
	if ((v->kind != TC_OBJECT && v->kind != TC_BOOL) || depth > MAX_INDEX_DEPTH)
		return;
	if (hmap_get(&cs->vinfos, v, 0))
		return;
	if (v->kind == TC_BOOL) {
		new_vinfo(cs, v, base, rr, draft4, novalid);
		return;
	}
	const tc_value *id = schema_id(v, &draft4, depth);
	const char *anchor_name = NULL;
	if (id && id->kind == TC_STR)
		base = enter_id(cs, id, base, &rr, draft4, depth, &anchor_name);
	vinfo *vi = new_vinfo(cs, v, base, rr, draft4, novalid);
	if (!rr->root)
		rr->root = vi;
	if (anchor_name)
		add_anchor(cs, rr, anchor_name, vi, false);
	if (!draft4)
		add_anchors(cs, rr, v, vi);
	index_children(cs, v, base, rr, draft4, novalid, depth);
}

static const tc_value *fetch(cstate *cs, const char *uri, bool *failed)
{
	*failed = false;
	if (!cs->st)
		return NULL;
	return store_fetch(cs->st, cs->d, uri, failed);
}

/* The draft of a document from its "$schema", else `hint`; sets
 * *novalid for a custom meta-schema whose $vocabulary leaves out the
 * validation vocabulary. */
static bool doc_draft4(cstate *cs, const tc_value *doc, bool hint, bool *novalid)
{
	*novalid = false;
	const tc_value *sch = tc_value_getz(doc, "$schema");
	if (!sch || sch->kind != TC_STR)
		return hint;
	tc_schema_draft dr = tc_schema_draft_from_uri(sch->u.str.ptr);
	if (dr != TC_DRAFT_AUTO)
		return dr == TC_DRAFT_4;
	/* a custom meta-schema: look at its vocabularies, if it can be had */
	const char *frag;
	char *u = tc_uri_strip_fragment(cs->a, sch->u.str.ptr, &frag);
	bool failed;
	const tc_value *meta = tc_uri_is_absolute(u) ? fetch(cs, u, &failed) : NULL;
	if (!meta || meta == doc)
		return hint;
	const tc_value *voc = tc_value_getz(meta, "$vocabulary");
	if (voc && voc->kind == TC_OBJECT &&
	    !tc_value_getz(voc, "https://json-schema.org/draft/2020-12/vocab/validation"))
		*novalid = true;
	const tc_value *msch = tc_value_getz(meta, "$schema");
	if (msch && msch->kind == TC_STR) {
		dr = tc_schema_draft_from_uri(msch->u.str.ptr);
		if (dr != TC_DRAFT_AUTO)
			return dr == TC_DRAFT_4;
	}
	return hint;
}

/* Index a whole document fetched or given under uri. */
static resrec *index_doc(cstate *cs, const tc_value *doc, const char *uri, bool draft4_hint)
{
	resrec *rr = hmap_get(&cs->res, SKEY(uri));
	if (rr)
		return rr;
	vinfo *known = hmap_get(&cs->vinfos, doc, 0);
	if (known) {
		/* the same document under another name (a registered $id) */
		hmap_put(&cs->res, SKEY(uri), known->rr);
		return known->rr;
	}
	bool novalid;
	bool d4 = doc_draft4(cs, doc, draft4_hint, &novalid);
	rr = new_resource(cs, uri);
	index_schema(cs, doc, uri, rr, d4, novalid, 0);
	if (!rr->root)
		rr->root = new_vinfo(cs, doc, uri, rr, d4, novalid);
	return rr;
}

static sc_node *get_node(cstate *cs, vinfo *vi)
{
	if (!vi->node) {
		vi->node = tc_arena_calloc(cs->a, sizeof *vi->node);
		TC_GROW(cs->queue, cs->capq, cs->nq + 1);
		cs->queue[cs->nq++] = vi;
	}
	return vi->node;
}

/* The vinfo of a value reached as a subschema of parent (indexed already,
 * except after a JSON pointer into a place the index does not walk). */
static vinfo *info_of(cstate *cs, const tc_value *v, const vinfo *parent)
{
	vinfo *vi = hmap_get(&cs->vinfos, v, 0);
	if (vi)
		return vi;
	index_schema(cs, v, parent->base, parent->rr, parent->draft4, parent->novalid, 1);
	vi = hmap_get(&cs->vinfos, v, 0);
	if (!vi)
		vi = new_vinfo(cs, v, parent->base, parent->rr, parent->draft4, parent->novalid);
	return vi;
}

static const sc_node *child(cstate *cs, const tc_value *v, const vinfo *parent)
{
	return get_node(cs, info_of(cs, v, parent));
}

/* the next reference token of a JSON pointer from *i ("/" then the token,
 * "~0" and "~1" unescaped) into tok; false when it is malformed */
static bool pointer_token(const char *p, size_t n, size_t *i, tc_buf *tok)
{
	if (p[*i] != '/')
		return false;
	(*i)++;
	tc_buf_reset(tok);
	while (*i < n && p[*i] != '/') {
		if (p[*i] == '~' && *i + 1 < n && (p[*i + 1] == '0' || p[*i + 1] == '1')) {
			tc_buf_addc(tok, p[*i + 1] == '0' ? '~' : '/');
			*i += 2;
		} else if (p[*i] == '~') {
			return false;
		} else {
			tc_buf_addc(tok, p[(*i)++]);
		}
	}
	return true;
}

/* the member or item of v a token names, or NULL (an array index is decimal
 * without leading zeros) */
static const tc_value *pointer_step(const tc_value *v, const char *t, size_t len)
{
	if (v->kind == TC_OBJECT)
		return tc_value_get(v, t, len);
	if (v->kind != TC_ARRAY)
		return NULL;
	char *end;
	errno = 0;
	unsigned long long k = strtoull(t, &end, 10);
	if (len == 0 || *end || errno || (len > 1 && t[0] == '0') || t[0] == '-' ||
	    k >= v->u.arr.len)
		return NULL;
	return v->u.arr.items[k];
}

/* JSON pointer (RFC 6901) fragment, already percent-decoded */
static vinfo *walk_pointer(cstate *cs, resrec *rr, const char *p, size_t n)
{
	const tc_value *v = rr->root->v;
	vinfo *near = rr->root;
	size_t i = 0;
	tc_buf tok;
	tc_buf_init(&tok, TC_BUF_UNLIMITED);
	while (v && i < n) {
		if (!pointer_token(p, n, &i, &tok))
			v = NULL;
		else
			v = pointer_step(v, tc_buf_str(&tok), tok.len);
		vinfo *vi = v ? hmap_get(&cs->vinfos, v, 0) : NULL;
		if (vi)
			near = vi;
	}
	tc_buf_release(&tok);
	return v ? info_of(cs, v, near) : NULL;
}

/* Resolve a reference written at `at` in the schema value of `from`.
 * Sets *dyn_name to the fragment when it names a $dynamicAnchor. */
static vinfo *resolve(cstate *cs, const vinfo *from, const tc_value *at, const char **dyn_name)
{
	const char *ref = at->u.str.ptr;
	char *abs = tc_uri_resolve(cs->a, from->base, ref);
	const char *frag;
	char *uri = tc_uri_strip_fragment(cs->a, abs, &frag);
	if (dyn_name)
		*dyn_name = NULL;
	resrec *rr = hmap_get(&cs->res, SKEY(uri));
	if (!rr) {
		bool failed;
		const tc_value *doc = fetch(cs, uri, &failed);
		if (failed) {
			serr(cs, at, "cannot load '%s' for reference '%s'", uri, ref);
			return NULL;
		}
		if (doc)
			rr = index_doc(cs, doc, uri, guess_draft4(cs, doc, from->draft4));
	}
	if (!rr) {
		serr(cs, at, "cannot resolve reference '%s' (no schema '%s' is known)", ref, uri);
		return NULL;
	}
	if (!frag)
		return rr->root;
	size_t flen;
	char *dec = tc_uri_unescape(cs->a, frag, &flen);
	if (!dec) {
		serr(cs, at, "reference '%s' has a malformed percent-escape", ref);
		return NULL;
	}
	if (dec[0] == '/') {
		vinfo *vi = walk_pointer(cs, rr, dec, flen);
		if (!vi && ref[0] == '#')
			serr(cs, at, "reference '%s': no value at pointer '%s'", ref, dec);
		else if (!vi)
			serr(cs, at, "reference '%s': no value at pointer '%s' in '%s'", ref, dec,
			     uri);
		return vi;
	}
	char *key = tc_arena_printf(cs->a, "%s#%s", rr->uri, dec);
	anchor *an = hmap_get(&cs->anchors, SKEY(key));
	if (!an) {
		key = tc_arena_printf(cs->a, "%s#%s", uri, dec);
		an = hmap_get(&cs->anchors, SKEY(key));
	}
	if (!an) {
		if (ref[0] == '#')
			serr(cs, at, "reference '%s': no anchor '%s' in this document", ref, dec);
		else
			serr(cs, at, "reference '%s': no anchor '%s' in '%s'", ref, dec, uri);
		return NULL;
	}
	if (an->dynamic && dyn_name)
		*dyn_name = tc_arena_strdup(cs->a, dec);
	return an->vi;
}

/* ---- keyword compilers ---- */

static const tc_value *kw(const tc_value *v, const char *name)
{
	return tc_value_getz(v, name);
}

static bool get_num(cstate *cs, const tc_value *v, const char *name, double *out)
{
	const tc_value *x = kw(v, name);
	if (!x)
		return false;
	if (!tc_value_is_number(x)) {
		serr(cs, x, "'%s' must be a number", name);
		return false;
	}
	*out = tc_value_num(x);
	return true;
}

/* a non-negative integer keyword (1.0 counts); -1 when absent */
static int64_t get_count(cstate *cs, const tc_value *v, const char *name)
{
	const tc_value *x = kw(v, name);
	if (!x)
		return -1;
	if (x->kind == TC_INT && x->u.i >= 0)
		return x->u.i;
	if (x->kind == TC_FLOAT && x->u.f >= 0 && x->u.f == floor(x->u.f) && x->u.f < 9.2e18)
		return (int64_t)x->u.f;
	serr(cs, x, "'%s' must be a non-negative integer", name);
	return -1;
}

static const sc_node *get_schema(cstate *cs, const vinfo *vi, const char *name)
{
	const tc_value *x = kw(vi->v, name);
	if (!x)
		return NULL;
	if (x->kind != TC_OBJECT && x->kind != TC_BOOL) {
		serr(cs, x, "'%s' must be a schema (an object or a boolean)", name);
		return NULL;
	}
	return child(cs, x, vi);
}

static const sc_node **get_schema_list(cstate *cs, const vinfo *vi, const char *name, size_t *n)
{
	*n = 0;
	const tc_value *x = kw(vi->v, name);
	if (!x)
		return NULL;
	if (x->kind != TC_ARRAY || x->u.arr.len == 0) {
		serr(cs, x, "'%s' must be a non-empty array of schemas", name);
		return NULL;
	}
	const sc_node **l = tc_arena_alloc(cs->a, x->u.arr.len * sizeof *l);
	for (size_t i = 0; i < x->u.arr.len; i++) {
		const tc_value *it = x->u.arr.items[i];
		if (it->kind != TC_OBJECT && it->kind != TC_BOOL) {
			serr(cs, it, "items of '%s' must be schemas (objects or booleans)", name);
			return NULL;
		}
		l[i] = child(cs, it, vi);
	}
	*n = x->u.arr.len;
	return l;
}

static bool compile_pattern(cstate *cs, const tc_value *x, const char *what, sc_pattern *out)
{
	if (x->kind != TC_STR) {
		serr(cs, x, "'%s' must be a string", what);
		return false;
	}
	pcre2_code *re = hmap_get(&cs->patterns, x->u.str.ptr, x->u.str.len + 1);
	if (!re) {
		char err[256];
		size_t off;
		re = tc_regex_compile(x->u.str.ptr, x->u.str.len, err, sizeof err, &off);
		if (!re) {
			serr(cs, x, "invalid %s '%s': %s at offset %zu", what, x->u.str.ptr, err,
			     off);
			return false;
		}
		TC_GROW(cs->s->codes, cs->s->capcodes, cs->s->ncodes + 1);
		cs->s->codes[cs->s->ncodes++] = re;
		/* key includes the terminating NUL so "" is a valid key */
		hmap_put(&cs->patterns, x->u.str.ptr, x->u.str.len + 1, re);
	}
	out->re = re;
	out->src = x->u.str.ptr;
	return true;
}

static unsigned type_bit(const tc_value *t)
{
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = {
		{"null", SC_T_NULL},  {"boolean", SC_T_BOOL}, {"integer", SC_T_INT},
		{"number", SC_T_NUM}, {"string", SC_T_STR},   {"array", SC_T_ARR},
		{"object", SC_T_OBJ},
	};
	if (t->kind != TC_STR)
		return 0;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (tc_value_streq(t, names[i].name))
			return names[i].bit;
	return 0;
}

static void compile_type(cstate *cs, sc_node *n, const tc_value *t)
{
	if (t->kind == TC_ARRAY) {
		for (size_t i = 0; i < t->u.arr.len; i++) {
			unsigned b = type_bit(t->u.arr.items[i]);
			if (!b)
				serr(cs, t->u.arr.items[i], "unknown type in 'type'");
			n->types |= (uint8_t)b;
		}
		if (t->u.arr.len == 0)
			n->types = 0x80; /* an empty list allows nothing */
		return;
	}
	unsigned b = type_bit(t);
	if (!b) {
		serr(cs, t, "'type' must be a type name or a list of them");
		return;
	}
	n->types = (uint8_t)b;
}

static sc_key *string_list(cstate *cs, const tc_value *x, const char *what, size_t *n)
{
	*n = 0;
	if (x->kind != TC_ARRAY) {
		serr(cs, x, "'%s' must be an array of strings", what);
		return NULL;
	}
	sc_key *k = tc_arena_alloc(cs->a, (x->u.arr.len + 1) * sizeof *k);
	for (size_t i = 0; i < x->u.arr.len; i++) {
		const tc_value *s = x->u.arr.items[i];
		if (s->kind != TC_STR) {
			serr(cs, s, "'%s' must be an array of strings", what);
			return NULL;
		}
		k[i] = (sc_key){s->u.str.ptr, s->u.str.len};
	}
	*n = x->u.arr.len;
	return k;
}

static void compile_deps(cstate *cs, sc_node *n, const vinfo *vi)
{
	static const char *const names[] = {"dependencies", "dependentRequired",
	                                    "dependentSchemas"};
	size_t total = 0;
	for (size_t i = 0; i < 3; i++) {
		const tc_value *x = kw(vi->v, names[i]);
		if (x && x->kind == TC_OBJECT)
			total += x->u.obj.len;
		else if (x)
			serr(cs, x, "'%s' must be an object", names[i]);
	}
	if (!total)
		return;
	sc_dep *deps = tc_arena_calloc(cs->a, total * sizeof *deps);
	size_t nd = 0;
	for (size_t i = 0; i < 3; i++) {
		const tc_value *x = kw(vi->v, names[i]);
		if (!x || x->kind != TC_OBJECT)
			continue;
		for (size_t k = 0; k < x->u.obj.len; k++) {
			const tc_member *m = &x->u.obj.members[k];
			sc_dep *dp = &deps[nd++];
			dp->key = m->key;
			dp->klen = m->klen;
			bool as_list = i == 1 || (i == 0 && m->val->kind == TC_ARRAY);
			if (as_list) {
				size_t cnt;
				if (string_list(cs, m->val, names[i], &cnt))
					dp->required = m->val;
			} else if (m->val->kind == TC_OBJECT || m->val->kind == TC_BOOL) {
				dp->node = child(cs, m->val, vi);
			} else {
				serr(cs, m->val, "values of '%s' must be schemas", names[i]);
			}
		}
	}
	n->deps = deps;
	n->ndeps = nd;
}

/* properties: a schema for each */
static void compile_properties(cstate *cs, sc_node *n, const vinfo *vi, const tc_value *x)
{
	if (x->kind != TC_OBJECT) {
		serr(cs, x, "'properties' must be an object");
		return;
	}
	if (!x->u.obj.len)
		return;
	sc_prop *p = tc_arena_alloc(cs->a, x->u.obj.len * sizeof *p);
	for (size_t i = 0; i < x->u.obj.len; i++) {
		const tc_member *m = &x->u.obj.members[i];
		p[i] = (sc_prop){m->key, m->klen, NULL};
		if (m->val->kind == TC_OBJECT || m->val->kind == TC_BOOL)
			p[i].node = child(cs, m->val, vi);
		else
			serr(cs, m->val, "property '%s' must have a schema", m->key);
	}
	n->props = p;
	n->nprops = x->u.obj.len;
}

/* patternProperties: a regular expression and a schema for each */
static void compile_pattern_props(cstate *cs, sc_node *n, const vinfo *vi, const tc_value *x)
{
	if (x->kind != TC_OBJECT) {
		serr(cs, x, "'patternProperties' must be an object");
		return;
	}
	if (!x->u.obj.len)
		return;
	sc_patprop *p = tc_arena_calloc(cs->a, x->u.obj.len * sizeof *p);
	size_t np = 0;
	for (size_t i = 0; i < x->u.obj.len; i++) {
		const tc_member *m = &x->u.obj.members[i];
		tc_value key = {.kind = TC_STR, .pos = m->kpos};
		key.u.str.ptr = m->key;
		key.u.str.len = m->klen;
		if (!compile_pattern(cs, &key, "patternProperties key", &p[np].pat))
			continue;
		if (m->val->kind != TC_OBJECT && m->val->kind != TC_BOOL) {
			serr(cs, m->val, "patternProperties values must be schemas");
			continue;
		}
		p[np++].node = child(cs, m->val, vi);
	}
	n->patprops = p;
	n->npatprops = np;
}

static void compile_object_kw(cstate *cs, sc_node *n, const vinfo *vi)
{
	const tc_value *v = vi->v, *x;
	if ((x = kw(v, "properties")))
		compile_properties(cs, n, vi, x);
	if ((x = kw(v, "patternProperties")))
		compile_pattern_props(cs, n, vi, x);
	n->addl = get_schema(cs, vi, "additionalProperties");
	n->propnames = get_schema(cs, vi, "propertyNames");
	if (!vi->draft4)
		n->uneval_props = get_schema(cs, vi, "unevaluatedProperties");
	compile_deps(cs, n, vi);
}

static void compile_array_kw(cstate *cs, sc_node *n, const vinfo *vi)
{
	const tc_value *v = vi->v, *x;
	const tc_value *items = kw(v, "items");
	bool legacy_items = items && items->kind == TC_ARRAY;
	if (!vi->draft4 && (x = kw(v, "prefixItems")))
		n->prefix = get_schema_list(cs, vi, "prefixItems", &n->nprefix);
	if (legacy_items) {
		n->prefix = tc_arena_alloc(cs->a, (items->u.arr.len + 1) * sizeof *n->prefix);
		for (size_t i = 0; i < items->u.arr.len; i++)
			n->prefix[i] = child(cs, items->u.arr.items[i], vi);
		n->nprefix = items->u.arr.len;
		n->items = get_schema(cs, vi, "additionalItems");
	} else {
		n->items = get_schema(cs, vi, "items");
	}
	n->contains = get_schema(cs, vi, "contains");
	if (!vi->draft4) {
		int64_t c = get_count(cs, v, "minContains");
		n->min_contains = c >= 0 ? c : 1;
		n->max_contains = get_count(cs, v, "maxContains");
		n->uneval_items = get_schema(cs, vi, "unevaluatedItems");
	} else {
		n->min_contains = 1;
		n->max_contains = -1;
	}
}

/* enum and const */
static void compile_values(cstate *cs, sc_node *n, const tc_value *v)
{
	const tc_value *x;
	if ((x = kw(v, "enum"))) {
		if (x->kind != TC_ARRAY) {
			serr(cs, x, "'enum' must be an array");
		} else {
			n->enums = (const tc_value *const *)x->u.arr.items;
			n->nenum = x->u.arr.len;
			if (!n->nenum)
				n->types = 0x80;
		}
	}
	if ((x = kw(v, "const"))) {
		n->const_val = x;
		n->flags |= SC_F_CONST;
	}
}

/* exclusiveMinimum or exclusiveMaximum: a number (2019-09 and later), or a
 * draft-04 boolean that makes minimum or maximum (flag incl) exclusive */
static void compile_exclusive(cstate *cs, sc_node *n, const tc_value *v, const char *name,
                              double *bound, double incl_bound, uint32_t incl, uint32_t excl)
{
	const tc_value *x = kw(v, name);
	if (!x)
		return;
	if (x->kind != TC_BOOL) {
		if (get_num(cs, v, name, bound))
			n->flags |= excl;
		return;
	}
	if (x->u.b && (n->flags & incl)) {
		*bound = incl_bound;
		n->flags = (n->flags & ~incl) | excl;
	}
}

/* minimum, maximum, their exclusive forms and multipleOf */
static void compile_numeric(cstate *cs, sc_node *n, const tc_value *v)
{
	if (get_num(cs, v, "minimum", &n->minimum))
		n->flags |= SC_F_MIN;
	if (get_num(cs, v, "maximum", &n->maximum))
		n->flags |= SC_F_MAX;
	compile_exclusive(cs, n, v, "exclusiveMinimum", &n->xminimum, n->minimum, SC_F_MIN,
	                  SC_F_XMIN);
	compile_exclusive(cs, n, v, "exclusiveMaximum", &n->xmaximum, n->maximum, SC_F_MAX,
	                  SC_F_XMAX);
	if (!get_num(cs, v, "multipleOf", &n->multiple))
		return;
	if (n->multiple > 0) {
		n->flags |= SC_F_MULT;
		n->multiple_v = kw(v, "multipleOf");
	} else {
		serr(cs, kw(v, "multipleOf"), "'multipleOf' must be greater than 0");
	}
}

/* minLength, maxLength, pattern and format */
static void compile_string_kw(cstate *cs, sc_node *n, const tc_value *v)
{
	const tc_value *x;
	n->min_len = get_count(cs, v, "minLength");
	n->max_len = get_count(cs, v, "maxLength");
	if ((x = kw(v, "pattern")))
		compile_pattern(cs, x, "pattern", &n->pattern);
	if ((x = kw(v, "format")) && x->kind == TC_STR) {
		n->format_name = x->u.str.ptr;
		if (cs->opts->format_assert)
			n->format = tc_schema_format_lookup(x->u.str.ptr, x->u.str.len);
	}
}

/* minItems, maxItems, uniqueItems, required, minProperties, maxProperties */
static void compile_counts(cstate *cs, sc_node *n, const tc_value *v)
{
	const tc_value *x;
	n->min_items = get_count(cs, v, "minItems");
	n->max_items = get_count(cs, v, "maxItems");
	if ((x = kw(v, "uniqueItems"))) {
		if (x->kind != TC_BOOL)
			serr(cs, x, "'uniqueItems' must be a boolean");
		else if (x->u.b)
			n->flags |= SC_F_UNIQUE;
	}
	if ((x = kw(v, "required"))) {
		/* draft-03's boolean "required" inside a property is ignored */
		if (x->kind != TC_BOOL)
			n->required = string_list(cs, x, "required", &n->nrequired);
	}
	n->min_props = get_count(cs, v, "minProperties");
	n->max_props = get_count(cs, v, "maxProperties");
}

static void compile_validation(cstate *cs, sc_node *n, const vinfo *vi)
{
	const tc_value *v = vi->v, *x;
	if ((x = kw(v, "type")))
		compile_type(cs, n, x);
	compile_values(cs, n, v);
	compile_numeric(cs, n, v);
	compile_string_kw(cs, n, v);
	compile_counts(cs, n, v);
}

static bool truthy(const tc_value *v, const char *name)
{
	const tc_value *x = tc_value_getz(v, name);
	return x && x->kind == TC_BOOL && x->u.b;
}

static void compile_ref(cstate *cs, sc_node *n, const vinfo *vi, const tc_value *x)
{
	if (x->kind != TC_STR) {
		serr(cs, x, "'$ref' must be a string");
		return;
	}
	vinfo *t = resolve(cs, vi, x, NULL);
	if (t)
		n->ref = get_node(cs, t);
}

static void compile_dynamic_ref(cstate *cs, sc_node *n, const vinfo *vi, const tc_value *x)
{
	if (x->kind != TC_STR) {
		serr(cs, x, "'$dynamicRef' must be a string");
		return;
	}
	const char *name;
	vinfo *t = resolve(cs, vi, x, &name);
	if (!t)
		return;
	n->dynref = get_node(cs, t);
	n->dynref_name = name;
	if (name)
		cs->has_dynamic = true;
}

/* errorMessage, the CRD's CEL rules, OpenAPI's nullable and the
 * x-kubernetes extensions */
static void compile_extensions(cstate *cs, sc_node *n, const tc_value *v)
{
	const tc_value *x;
	if ((x = kw(v, "errorMessage")) && x->kind == TC_STR)
		n->error_message = x->u.str.ptr;
	if ((x = kw(v, "x-kubernetes-validations")))
		cs->errors += tc_cel_rules_compile(&n->cel, cs->a, x, cs->d);
	if (truthy(v, "nullable"))
		n->flags |= SC_F_NULLABLE;
	if (truthy(v, "x-kubernetes-preserve-unknown-fields"))
		n->flags |= SC_F_PRESERVE;
	if (truthy(v, "x-kubernetes-int-or-string") && !n->types)
		n->types = SC_T_INT | SC_T_STR;
}

static void compile_node(cstate *cs, vinfo *vi)
{
	sc_node *n = vi->node;
	const tc_value *v = vi->v;
	n->src = v;
	n->res = vi->rr->res;
	n->draft4 = vi->draft4;
	n->min_len = n->max_len = n->min_items = n->max_items = -1;
	n->min_props = n->max_props = n->max_contains = -1;
	n->min_contains = 1;
	if (v->kind == TC_BOOL) {
		n->boolean = v->u.b ? 1 : 2;
		return;
	}
	if (v->kind != TC_OBJECT) {
		serr(cs, v, "a schema must be an object or a boolean, not %s",
		     tc_kind_name(v->kind));
		n->boolean = 1;
		return;
	}
	const tc_value *x;
	if ((x = kw(v, "$ref"))) {
		compile_ref(cs, n, vi, x);
		if (vi->draft4)
			return;
	}
	if (!vi->draft4 && (x = kw(v, "$dynamicRef")))
		compile_dynamic_ref(cs, n, vi, x);
	n->all_of = get_schema_list(cs, vi, "allOf", &n->nall);
	n->any_of = get_schema_list(cs, vi, "anyOf", &n->nany);
	n->one_of = get_schema_list(cs, vi, "oneOf", &n->none);
	n->not_ = get_schema(cs, vi, "not");
	n->if_ = get_schema(cs, vi, "if");
	if (n->if_) {
		n->then_ = get_schema(cs, vi, "then");
		n->else_ = get_schema(cs, vi, "else");
	}
	compile_object_kw(cs, n, vi);
	compile_array_kw(cs, n, vi);
	if (vi->novalid) {
		n->flags |= SC_F_NOVALIDATION;
	} else {
		compile_validation(cs, n, vi);
	}
	compile_extensions(cs, n, v);
}

/* ---- reference cycles ---- */

/* The i-th subschema that n applies to the same instance, unconditionally
 * ($ref, not, if, allOf, anyOf, oneOf); NULL for an absent one. False
 * past the last. then/else, dependentSchemas and $dynamicRef (whose target
 * depends on the dynamic scope) are left out: they may not run. */
static bool same_spot(const sc_node *n, size_t i, const sc_node **out)
{
	const sc_node *fixed[] = {n->ref, n->not_, n->if_};
	size_t nf = sizeof fixed / sizeof *fixed;
	if (i < nf) {
		*out = fixed[i];
		return true;
	}
	i -= nf;
	const sc_node *const *lists[] = {n->all_of, n->any_of, n->one_of};
	size_t lens[] = {n->nall, n->nany, n->none};
	for (size_t k = 0; k < 3; k++) {
		if (i < lens[k]) {
			*out = lists[k][i];
			return true;
		}
		i -= lens[k];
	}
	return false;
}

enum { ON_STACK = 1, DONE = 2 };

/* the depth-first walk of find_cycles: a stack of nodes and the next edge of each */
typedef struct cycle_walk {
	hmap mark; /* node -> ON_STACK or DONE */
	struct frame {
		const sc_node *n;
		size_t next;
	} * stack;
	size_t depth, cap;
} cycle_walk;

static void cycle_push(cycle_walk *w, const sc_node *n)
{
	TC_GROW(w->stack, w->cap, w->depth + 1);
	w->stack[w->depth++] = (struct frame){n, 0};
	hmap_put(&w->mark, n, 0, (void *)(uintptr_t)ON_STACK);
}

/* the edge from to back to a node on the stack, at its '$ref' when it is one */
static void report_cycle(cstate *cs, const sc_node *from, const sc_node *to)
{
	const tc_value *r = from->ref == to ? kw(from->src, "$ref") : NULL;
	if (r && r->kind == TC_STR)
		serr(cs, r,
		     "'$ref' '%.*s' closes a reference cycle: the schema "
		     "would apply itself to the same value without end",
		     (int)r->u.str.len, r->u.str.ptr);
	else
		serr(cs, to->src,
		     "this subschema closes a reference cycle: the "
		     "schema would apply itself to the same value without end");
}

/* one step: the next edge of the top node, or the node done */
static void cycle_step(cstate *cs, cycle_walk *w)
{
	struct frame *f = &w->stack[w->depth - 1];
	const sc_node *to = NULL;
	if (!same_spot(f->n, f->next++, &to)) {
		hmap_put(&w->mark, f->n, 0, (void *)(uintptr_t)DONE);
		w->depth--;
		return;
	}
	if (!to)
		return;
	uintptr_t m = (uintptr_t)hmap_get(&w->mark, to, 0);
	if (m == ON_STACK)
		report_cycle(cs, f->n, to);
	else if (!m)
		cycle_push(w, to);
}

/* A schema that reaches itself through same_spot edges alone evaluates
 * forever, whatever the instance ("$ref": "#", or $defs a -> b -> a).
 * Report it at the schema, at the '$ref' (or the keyword's schema) that
 * closes the cycle, instead of letting validation hit its depth limit at
 * an instance. Depth-first with an explicit stack: a chain of $defs may be
 * longer than the C stack is deep. */
static void find_cycles(cstate *cs)
{
	cycle_walk w = {0};
	for (size_t q = 0; q < cs->nq; q++) {
		const sc_node *start = cs->queue[q]->node;
		if (hmap_get(&w.mark, start, 0))
			continue;
		cycle_push(&w, start);
		while (w.depth)
			cycle_step(cs, &w);
	}
	free(w.stack);
	hmap_release(&w.mark);
}

static int cmp_dyn(const void *a, const void *b)
{
	return strcmp(((const sc_dynanchor *)a)->name, ((const sc_dynanchor *)b)->name);
}

static void drain(cstate *cs, size_t *qhead)
{
	while (*qhead < cs->nq)
		compile_node(cs, cs->queue[(*qhead)++]);
}

/* Compile every $dynamicAnchor target, so the validator finds them ready. */
static void finish_dynamic(cstate *cs, size_t *qhead)
{
	for (size_t r = 0; r < cs->nres; r++) {
		resrec *rr = cs->reslist[r];
		for (size_t i = 0; i < rr->ndyn; i++)
			get_node(cs, rr->dyn[i].vi);
		drain(cs, qhead); /* may index more documents: the loop sees them */
	}
	for (size_t r = 0; r < cs->nres; r++) {
		resrec *rr = cs->reslist[r];
		if (!rr->ndyn)
			continue;
		sc_dynanchor *d = tc_arena_alloc(cs->a, rr->ndyn * sizeof *d);
		size_t nd = 0;
		for (size_t i = 0; i < rr->ndyn; i++) {
			bool dup = false;
			for (size_t k = 0; k < nd; k++)
				dup |= strcmp(d[k].name, rr->dyn[i].name) == 0;
			if (!dup)
				d[nd++] = (sc_dynanchor){rr->dyn[i].name, rr->dyn[i].vi->node};
		}
		qsort(d, nd, sizeof *d, cmp_dyn);
		rr->res->dyn = d;
		rr->res->ndyn = nd;
	}
}

int tc_schema_compile(tc_schema **out, tc_schema_store *store, const tc_value *doc,
                      const tc_schema_opts *opts, tc_diags *d)
{
	static const tc_schema_opts defaults = {0};
	if (!opts)
		opts = &defaults;
	*out = NULL;
	tc_schema *s = tc_xcalloc(1, sizeof *s);
	tc_arena_init(&s->arena);
	s->format_assert = opts->format_assert;
	cstate cs = {.s = s, .a = &s->arena, .st = store, .d = d, .opts = opts};

	bool hint4 = guess_draft4(&cs, doc, false);
	const char *base =
		tc_arena_strdup(&s->arena, opts->base_uri ? opts->base_uri : DEFAULT_BASE);
	const char *frag;
	base = tc_uri_strip_fragment(&s->arena, base, &frag);
	resrec *rr = index_doc(&cs, doc, base, hint4);
	s->draft = rr->root->draft4 ? TC_DRAFT_4 : TC_DRAFT_2020;
	size_t qhead = 0;
	s->root = get_node(&cs, rr->root);
	drain(&cs, &qhead);
	if (cs.has_dynamic)
		finish_dynamic(&cs, &qhead);
	if (!cs.errors)
		find_cycles(&cs);

	for (size_t r = 0; r < cs.nres; r++)
		free(cs.reslist[r]->dyn);
	free(cs.reslist);
	free(cs.queue);
	hmap_release(&cs.vinfos);
	hmap_release(&cs.res);
	hmap_release(&cs.anchors);
	hmap_release(&cs.patterns);
	if (cs.errors) {
		tc_schema_free(s);
		return -1;
	}
	*out = s;
	return 0;
}

void tc_schema_free(tc_schema *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->ncodes; i++)
		pcre2_code_free(s->codes[i]);
	free(s->codes);
	tc_arena_release(&s->arena);
	free(s);
}

tc_schema_draft tc_schema_draft_of(const tc_schema *s)
{
	return s->draft;
}
