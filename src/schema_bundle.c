/*
 * schema_bundle.c - the embedded Kubernetes schemas (schema_bundle.h).
 *
 * The file scripts/gen-schema-bundle.py writes is one JSON document laid
 * out a line per entry, which this file relies on to index it without
 * parsing it:
 *
 *   {"format":"tenantc-kubernetes-schemas/1",
 *   "source":"...",
 *   "versions":[
 *   {"kinds":[[group,version,kind,scope,def],...],...,"version":"1.30"},
 *   ...                                  one line per version, oldest first
 *   ],
 *   "definitions":{
 *   "<id>":{...},                        one line per definition, by id bytes
 *   ...
 *   }}
 *
 * Opening finds the line of the version asked for and parses that line
 * only (its kinds), then records where each definition's text is; the
 * definitions are parsed by the loader when a compilation reaches them.
 * The data is part of the binary, so a file not laid out this way is a
 * build defect (TC_BUG), which tests/unit/test_schema_bundle.c would show
 * first.
 */
#include "schema_bundle.h"

#include "buf.h"
#include "json_load.h"
#include "schema_bundle_data.h"

#include <stdlib.h>
#include <string.h>

#define BUNDLE_PATH "data/kubernetes-schemas.json"
#define BUNDLE_FORMAT "{\"format\":\"tenantc-kubernetes-schemas/1\","

typedef struct bdef {
	const char *id, *body;
	size_t idlen, blen;
} bdef;

struct tc_schema_bundle {
	tc_arena arena;
	const char *version, *release;
	tc_bundle_kind *kinds;
	size_t nkinds;
	bdef *defs; /* sorted by id bytes, as in the file */
	size_t ndefs, capdefs;
};

typedef struct line {
	const char *p;
	size_t n; /* without the newline and a trailing ',' */
} line;

typedef struct scan {
	const char *p, *end;
} scan;

static const char *bundle_bytes(size_t *len)
{
	for (size_t i = 0; i < tc_bundle_nfiles; i++)
		if (strcmp(tc_bundle_files[i].path, BUNDLE_PATH) == 0) {
			*len = tc_bundle_files[i].len;
			return tc_bundle_files[i].data;
		}
	TC_BUG("the built-in Kubernetes schemas are not embedded");
}

const char *tc_schema_bundle_bytes(size_t *len)
{
	return bundle_bytes(len);
}

static bool next_line(scan *s, line *out)
{
	if (s->p >= s->end)
		return false;
	const char *nl = memchr(s->p, '\n', (size_t)(s->end - s->p));
	const char *e = nl ? nl : s->end;
	out->p = s->p;
	out->n = (size_t)(e - s->p);
	if (out->n && out->p[out->n - 1] == ',')
		out->n--;
	s->p = nl ? nl + 1 : s->end;
	return true;
}

static bool line_is(const line *l, const char *z)
{
	return l->n == strlen(z) && memcmp(l->p, z, l->n) == 0;
}

/* Start a scan at the first version line. */
static scan versions_start(void)
{
	size_t len;
	const char *data = bundle_bytes(&len);
	scan s = {data, data + len};
	line l;
	if (!next_line(&s, &l) || l.n + 1 != strlen(BUNDLE_FORMAT) ||
	    memcmp(l.p, BUNDLE_FORMAT, l.n) != 0)
		TC_BUG("the built-in Kubernetes schemas have an unknown format");
	while (next_line(&s, &l))
		if (line_is(&l, "\"versions\":["))
			return s;
	TC_BUG("the built-in Kubernetes schemas list no versions");
}

/* The "1.30" of a version line (its last key, the keys being sorted). */
static bool line_version(const line *l, const char **v, size_t *vn)
{
	static const char key[] = "\"version\":\"";
	const char *best = NULL;
	for (const char *p = l->p; p + sizeof key - 1 <= l->p + l->n; p++) {
		p = memchr(p, '"', (size_t)(l->p + l->n - p));
		if (!p)
			break;
		if ((size_t)(l->p + l->n - p) >= sizeof key - 1 && !memcmp(p, key, sizeof key - 1))
			best = p + sizeof key - 1;
	}
	if (!best)
		return false;
	const char *q = memchr(best, '"', (size_t)(l->p + l->n - best));
	if (!q)
		return false;
	*v = best;
	*vn = (size_t)(q - best);
	return true;
}

/* "1.34", "v1.34", "1.34.2", "v1.34.0" -> "1.34" in buf; false when the
 * text is not such a version. */
static bool minor_of(const char *s, char *buf, size_t cap)
{
	if (*s == 'v')
		s++;
	size_t n = 0;
	int dots = 0;
	for (const char *p = s; *p; p++) {
		if (*p == '.') {
			if (p == s || p[-1] == '.' || ++dots > 2)
				return false;
			continue;
		}
		if (*p < '0' || *p > '9')
			return false;
	}
	if (dots < 1 || s[strlen(s) - 1] == '.')
		return false;
	const char *second = strchr(s, '.') + 1;
	n = (size_t)(second - s) + strcspn(second, ".");
	if (n >= cap)
		return false;
	memcpy(buf, s, n);
	buf[n] = 0;
	return true;
}

/* The version line for want (NULL: the last, the newest); list gets the
 * supported versions ("1.30, 1.31, ..."). */
static bool find_version(const char *want, line *out, tc_buf *list)
{
	char minor[32] = "";
	bool bad = want && !minor_of(want, minor, sizeof minor);
	scan s = versions_start();
	line l;
	bool found = false;
	while (next_line(&s, &l) && !line_is(&l, "]")) {
		const char *v;
		size_t vn;
		if (!line_version(&l, &v, &vn))
			TC_BUG("a version of the built-in Kubernetes schemas has no name");
		if (list)
			tc_buf_addf(list, "%s%.*s", list->len ? ", " : "", (int)vn, v);
		if (!want || (!bad && strlen(minor) == vn && !memcmp(minor, v, vn))) {
			*out = l;
			found = true;
		}
	}
	return found;
}

void tc_schema_bundle_list(tc_buf *out)
{
	line l;
	tc_buf list;
	tc_buf_init(&list, 256);
	find_version(NULL, &l, &list);
	tc_buf_adds(out, tc_buf_str(&list));
	tc_buf_release(&list);
}

bool tc_schema_bundle_supports(const char *version)
{
	line l;
	return find_version(version, &l, NULL);
}

static const char *dup_str(tc_arena *a, const tc_value *v)
{
	if (!v || v->kind != TC_STR)
		TC_BUG("a kind of the built-in Kubernetes schemas is damaged");
	return tc_arena_memdup0(a, v->u.str.ptr, v->u.str.len);
}

static void read_kinds(tc_schema_bundle *b, const line *l)
{
	tc_diags d;
	tc_diags_init(&d);
	tc_value *v = NULL;
	if (tc_json_load(&v, &b->arena, &d, "tenantc:kubernetes-schemas.json", l->p, l->n) < 0)
		TC_BUG("a version of the built-in Kubernetes schemas does not parse");
	tc_diags_release(&d);
	const tc_value *kinds = tc_value_getz(v, "kinds");
	b->version = dup_str(&b->arena, tc_value_getz(v, "version"));
	b->release = dup_str(&b->arena, tc_value_getz(v, "release"));
	if (!kinds || kinds->kind != TC_ARRAY)
		TC_BUG("a version of the built-in Kubernetes schemas has no kinds");
	b->nkinds = kinds->u.arr.len;
	b->kinds = tc_arena_alloc(&b->arena, (b->nkinds + 1) * sizeof *b->kinds);
	for (size_t i = 0; i < b->nkinds; i++) {
		const tc_value *r = kinds->u.arr.items[i];
		if (r->kind != TC_ARRAY || r->u.arr.len != 5)
			TC_BUG("a kind of the built-in Kubernetes schemas is damaged");
		tc_bundle_kind *k = &b->kinds[i];
		k->group = dup_str(&b->arena, r->u.arr.items[0]);
		k->version = dup_str(&b->arena, r->u.arr.items[1]);
		k->kind = dup_str(&b->arena, r->u.arr.items[2]);
		k->scope = tc_value_streq(r->u.arr.items[3], "Cluster") ? TC_K8S_CLUSTER
		                                                        : TC_K8S_NAMESPACED;
		k->def = dup_str(&b->arena, r->u.arr.items[4]);
	}
}

static void index_defs(tc_schema_bundle *b)
{
	scan s = versions_start();
	line l;
	while (next_line(&s, &l) && !line_is(&l, "\"definitions\":{"))
		;
	while (next_line(&s, &l) && !line_is(&l, "}}")) {
		/* "<id>":{...}: ids are plain (no escapes), the generator checks */
		const char *q = l.n > 2 && l.p[0] == '"' ? memchr(l.p + 1, '"', l.n - 1) : NULL;
		if (!q || q + 2 >= l.p + l.n || q[1] != ':' || memchr(l.p, '\\', (size_t)(q - l.p)))
			TC_BUG("a definition of the built-in Kubernetes schemas is damaged");
		TC_GROW(b->defs, b->capdefs, b->ndefs + 1);
		bdef *e = &b->defs[b->ndefs++];
		e->id = l.p + 1;
		e->idlen = (size_t)(q - l.p - 1);
		e->body = q + 2;
		e->blen = (size_t)(l.p + l.n - e->body);
		if (b->ndefs > 1 && tc_bytes_cmp(e[-1].id, e[-1].idlen, e->id, e->idlen) >= 0)
			TC_BUG("the definitions of the built-in Kubernetes schemas are not sorted");
	}
}

int tc_schema_bundle_open(tc_schema_bundle **out, const char *version, tc_pos pos, tc_diags *d)
{
	*out = NULL;
	line l;
	tc_buf list;
	tc_buf_init(&list, 256);
	if (!find_version(version, &l, &list)) {
		tc_error(d, pos, NULL,
		         "Kubernetes version '%s' is not one tenantc has schemas for: supported "
		         "are %s (kubernetesVersion, --kubernetes-version)",
		         version, tc_buf_str(&list));
		tc_buf_release(&list);
		return -1;
	}
	tc_buf_release(&list);
	tc_schema_bundle *b = tc_xcalloc(1, sizeof *b);
	tc_arena_init(&b->arena);
	read_kinds(b, &l);
	index_defs(b);
	*out = b;
	return 0;
}

void tc_schema_bundle_free(tc_schema_bundle *b)
{
	if (!b)
		return;
	free(b->defs);
	tc_arena_release(&b->arena);
	free(b);
}

const char *tc_schema_bundle_version(const tc_schema_bundle *b)
{
	return b->version;
}

const char *tc_schema_bundle_release(const tc_schema_bundle *b)
{
	return b->release;
}

const tc_bundle_kind *tc_schema_bundle_kinds(const tc_schema_bundle *b, size_t *n)
{
	*n = b->nkinds;
	return b->kinds;
}

static bool eqn(const char *z, const char *s, size_t n)
{
	return strlen(z) == n && memcmp(z, s, n) == 0;
}

const tc_bundle_kind *tc_schema_bundle_kind(const tc_schema_bundle *b, const char *group,
                                            size_t glen, const char *version, size_t vlen,
                                            const char *kind, size_t klen)
{
	for (size_t i = 0; i < b->nkinds; i++) {
		const tc_bundle_kind *k = &b->kinds[i];
		if (eqn(k->group, group, glen) && eqn(k->kind, kind, klen) &&
		    eqn(k->version, version, vlen))
			return k;
	}
	return NULL;
}

tc_k8s_scope tc_schema_bundle_scope(const tc_schema_bundle *b, const char *group, size_t glen,
                                    const char *kind, size_t klen)
{
	for (size_t i = 0; i < b->nkinds; i++)
		if (eqn(b->kinds[i].group, group, glen) && eqn(b->kinds[i].kind, kind, klen))
			return b->kinds[i].scope;
	return TC_K8S_SCOPE_UNKNOWN;
}

/* The API server's version priority (apimachinery's
 * version.CompareKubeAwareVersionStrings): v2 > v1 > v1beta2 > v1beta1 >
 * v1alpha1; anything else after those, by bytes. */
static void rank_of(const char *v, long r[3])
{
	r[0] = 0, r[1] = 0, r[2] = 0;
	if (v[0] != 'v' || v[1] < '1' || v[1] > '9')
		return;
	char *end;
	long major = strtol(v + 1, &end, 10);
	long minor = 0;
	int stability = 3;
	if (strncmp(end, "alpha", 5) == 0 || strncmp(end, "beta", 4) == 0) {
		stability = end[0] == 'a' ? 1 : 2;
		const char *p = end + (end[0] == 'a' ? 5 : 4);
		if (*p < '1' || *p > '9')
			return;
		minor = strtol(p, &end, 10);
	}
	if (*end)
		return;
	r[0] = stability, r[1] = major, r[2] = minor;
}

static bool before(const char *a, const char *b)
{
	long ra[3], rb[3];
	rank_of(a, ra);
	rank_of(b, rb);
	for (int i = 0; i < 3; i++)
		if (ra[i] != rb[i])
			return ra[i] > rb[i];
	return strcmp(a, b) < 0;
}

const char *tc_schema_bundle_served(const tc_schema_bundle *b, tc_arena *a, const char *group,
                                    size_t glen, const char *kind, size_t klen)
{
	const char *vs[16]; /* a kind has a few versions: v1, v1beta1, v1alpha1 ... */
	size_t n = 0;
	for (size_t i = 0; i < b->nkinds && n < 16; i++) {
		const tc_bundle_kind *k = &b->kinds[i];
		if (!eqn(k->group, group, glen) || !eqn(k->kind, kind, klen))
			continue;
		size_t at = n++;
		while (at > 0 && before(k->version, vs[at - 1])) {
			vs[at] = vs[at - 1];
			at--;
		}
		vs[at] = k->version;
	}
	if (!n)
		return NULL;
	tc_buf out;
	tc_buf_init(&out, 1024);
	for (size_t i = 0; i < n; i++)
		tc_buf_addf(&out, "%s%.*s%s%s", i ? ", " : "", (int)glen, group, glen ? "/" : "",
		            vs[i]);
	const char *r = tc_arena_strdup(a, tc_buf_str(&out));
	tc_buf_release(&out);
	return r;
}

int tc_schema_bundle_load(void *ctx, tc_arena *a, tc_diags *d, const char *uri, tc_value **out)
{
	const tc_schema_bundle *b = ctx;
	size_t pl = strlen(TC_SCHEMA_BUNDLE_URI);
	if (strncmp(uri, TC_SCHEMA_BUNDLE_URI, pl) != 0)
		return 1;
	const char *id = uri + pl;
	size_t n = strlen(id);
	size_t lo = 0, hi = b->ndefs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = tc_bytes_cmp(b->defs[mid].id, b->defs[mid].idlen, id, n);
		if (c == 0) {
			const char *file = tc_arena_strdup(a, uri);
			return tc_json_load(out, a, d, file, b->defs[mid].body, b->defs[mid].blen) <
			                       0
			               ? -1
			               : 0;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return tc_error(d, TC_NOPOS, NULL, "the built-in Kubernetes schemas have no '%s'", id);
}
