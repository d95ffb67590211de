/*
 * schema_set.c - a kubeconform-layout schema folder as a lookup table from
 * apiVersion and kind to compiled schemas.
 *
 * The set owns a schema store (documents stay loaded for the compiled
 * schemas that point into them), the CRD index entries of every location,
 * and a cache of lookups kept sorted by key so that it can be searched
 * without hashing. All of it is guarded by `lock`; a lookup copies what it
 * needs out of the cache entry before unlocking, and entries are never
 * removed, so the schemas they point to live as long as the set.
 */
#include "schema_set.h"

#include "json_load.h"
#include "schema_bundle.h"
#include "schema_check.h"
#include "schema_uri.h"

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

typedef struct crd_entry {
	char *group, *version, *kind;
	tc_k8s_scope scope;
	bool served;
} crd_entry;

typedef struct entry {
	char *key; /* apiVersion NUL kind */
	size_t klen;
	tc_lookup look;
	tc_schema *owned;
} entry;

typedef struct location {
	char *dir;
	char *k8sdir; /* kubernetes/<version folder>, or NULL */
} location;

struct tc_schema_set {
	pthread_mutex_t lock;
	tc_schema_store *store;
	tc_arena arena; /* details and keys */
	location *locs;
	size_t nlocs;
	crd_entry *crds;
	size_t ncrds, capcrds;
	entry *cache; /* sorted by key */
	size_t ncache, capcache;
	tc_schema_bundle *bundle; /* NULL: none */
};

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* "v1.34.0-standalone-strict" -> 1, 34, 0; false if not of that form */
static bool parse_version_dir(const char *name, long v[3], bool *strict)
{
	if (name[0] != 'v')
		return false;
	const char *p = name + 1;
	for (int i = 0; i < 3; i++) {
		char *end;
		v[i] = strtol(p, &end, 10);
		if (end == p)
			return false;
		p = end;
		if (i < 2) {
			if (*p != '.')
				return false;
			p++;
		}
	}
	if (strcmp(p, "-standalone-strict") == 0)
		*strict = true;
	else if (strcmp(p, "-standalone") == 0)
		*strict = false;
	else
		return false;
	return true;
}

/* the order of (x.y.z, strict) folders: by version, then strict after not */
static int version_cmp(const long *v, bool strict, const long *bv, bool bstrict)
{
	int c = 0;
	for (int i = 0; i < 3 && !c; i++)
		c = v[i] < bv[i] ? -1 : v[i] > bv[i];
	if (c == 0)
		c = strict && !bstrict ? 1 : (!strict && bstrict ? -1 : 0);
	return c;
}

/* the newest v<x.y.z>-standalone[-strict] folder in dir (strict first);
 * with only (x, y), the newest of those */
static char *newest_version_dir(tc_arena *a, const char *dir, const long *only)
{
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	char *best = NULL;
	long bv[3] = {-1, -1, -1};
	bool bstrict = false;
	struct dirent *e;
	while ((e = readdir(d))) {
		long v[3];
		bool strict;
		if (!parse_version_dir(e->d_name, v, &strict) ||
		    (only && (v[0] != only[0] || v[1] != only[1])))
			continue;
		int c = version_cmp(v, strict, bv, bstrict);
		if (c > 0 || (c == 0 && best && strcmp(e->d_name, best) < 0)) {
			best = tc_arena_strdup(a, e->d_name);
			memcpy(bv, v, sizeof bv);
			bstrict = strict;
		}
	}
	closedir(d);
	return best;
}

static void read_index(tc_schema_set *set, tc_diags *d, const char *path)
{
	tc_value *v = tc_schema_store_load_file(set->store, d, path);
	if (!v)
		return;
	if (v->kind != TC_ARRAY) {
		tc_error(d, v->pos, NULL, "a CRD index must be a list of entries");
		return;
	}
	for (size_t i = 0; i < v->u.arr.len; i++) {
		const tc_value *e = v->u.arr.items[i];
		const tc_value *g = tc_value_getz(e, "group"), *ver = tc_value_getz(e, "version");
		const tc_value *k = tc_value_getz(e, "kind"), *sc = tc_value_getz(e, "scope");
		const tc_value *served = tc_value_getz(e, "served");
		if (!g || g->kind != TC_STR || !ver || ver->kind != TC_STR || !k ||
		    k->kind != TC_STR)
			continue;
		TC_GROW(set->crds, set->capcrds, set->ncrds + 1);
		crd_entry *c = &set->crds[set->ncrds++];
		c->group = tc_arena_strdup(&set->arena, g->u.str.ptr);
		c->version = tc_arena_strdup(&set->arena, ver->u.str.ptr);
		c->kind = tc_arena_strdup(&set->arena, k->u.str.ptr);
		c->scope = tc_value_streq(sc, "Cluster")      ? TC_K8S_CLUSTER
		           : tc_value_streq(sc, "Namespaced") ? TC_K8S_NAMESPACED
		                                              : TC_K8S_SCOPE_UNKNOWN;
		c->served = !served || served->kind != TC_BOOL || served->u.b;
	}
}

/* "1.34" (with an optional 'v') as {1, 34}; false for other texts */
static bool minor_only(const char *v, long out[2])
{
	if (*v == 'v')
		v++;
	char *end;
	out[0] = strtol(v, &end, 10);
	if (end == v || *end != '.')
		return false;
	const char *p = end + 1;
	out[1] = strtol(p, &end, 10);
	return end != p && *end == 0;
}

/* One schema location: its Kubernetes schema folder (for the version wanted,
 * or the newest) and its CRD indexes. */
static void open_location(tc_schema_set *set, const tc_schema_set_opts *o, const char *dir,
                          bool builtin, bool *ok, bool *covered, tc_diags *d)
{
	const char *want = o->kubernetes_version;
	location *l = &set->locs[set->nlocs++];
	l->dir = tc_arena_strdup(&set->arena, dir);
	char *kdir = tc_arena_printf(&set->arena, "%s/kubernetes", dir);
	const char *base = is_dir(kdir) ? kdir : dir;
	if (want) {
		const char *v = want[0] == 'v' ? want + 1 : want;
		long mm[2];
		char *vd = tc_arena_printf(&set->arena, "%s/v%s-standalone-strict", base, v);
		if (!is_dir(vd))
			vd = tc_arena_printf(&set->arena, "%s/v%s-standalone", base, v);
		if (!is_dir(vd) && minor_only(v, mm)) {
			char *best = newest_version_dir(&set->arena, base, mm);
			vd = best ? tc_arena_printf(&set->arena, "%s/%s", base, best) : NULL;
		}
		if (vd && is_dir(vd)) {
			l->k8sdir = vd;
			*covered = true;
		} else if (is_dir(kdir) && !builtin) {
			tc_error(d, o->version_pos, NULL,
			         "no schemas for Kubernetes %s in '%s' (expected a folder "
			         "v%s-standalone-strict)",
			         want, kdir, v);
			*ok = false;
		}
	} else {
		char *best = newest_version_dir(&set->arena, base, NULL);
		if (best)
			l->k8sdir = tc_arena_printf(&set->arena, "%s/%s", base, best);
	}
	char *idx = tc_arena_printf(&set->arena, "%s/crd-json/index.json", dir);
	if (is_file(idx))
		read_index(set, d, idx);
	idx = tc_arena_printf(&set->arena, "%s/index.json", dir);
	if (is_file(idx))
		read_index(set, d, idx);
}

int tc_schema_set_open(tc_schema_set **out, const tc_schema_set_opts *o, tc_diags *d)
{
	*out = NULL;
	tc_schema_set *set = tc_xcalloc(1, sizeof *set);
	pthread_mutex_init(&set->lock, NULL);
	set->store = tc_schema_store_new();
	tc_schema_store_allow_files(set->store, true);
	tc_arena_init(&set->arena);
	set->locs = tc_xcalloc(o->nlocations + 1, sizeof *set->locs);
	const char *want = o->kubernetes_version;
	bool builtin = !o->no_builtin && tc_schema_bundle_supports(want);
	bool ok = true, covered = false;
	for (size_t i = 0; i < o->nlocations; i++) {
		const char *dir = o->locations[i];
		if (!is_dir(dir)) {
			tc_error(d, TC_NOPOS, NULL, "schema location '%s' is not a folder", dir);
			ok = false;
			continue;
		}
		open_location(set, o, dir, builtin, &ok, &covered, d);
	}
	/* a version no built-in schemas have is fine when a location has it */
	if (ok && !o->no_builtin && (builtin || !covered)) {
		if (tc_schema_bundle_open(&set->bundle, want, o->version_pos, d) == 0)
			tc_schema_store_set_loader(set->store, tc_schema_bundle_load, set->bundle);
		else
			ok = false;
	}
	if (!ok || tc_diags_has_errors(d)) {
		tc_schema_set_free(set);
		return -1;
	}
	*out = set;
	return 0;
}

void tc_schema_set_free(tc_schema_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->ncache; i++) {
		tc_schema_free(set->cache[i].owned);
		free(set->cache[i].key);
	}
	free(set->cache);
	free(set->crds);
	free(set->locs);
	tc_schema_store_free(set->store);
	tc_schema_bundle_free(set->bundle);
	tc_arena_release(&set->arena);
	pthread_mutex_destroy(&set->lock);
	free(set);
}

static char *lower(tc_arena *a, const char *s, size_t n)
{
	char *r = tc_arena_memdup0(a, s, n);
	for (size_t i = 0; i < n; i++)
		if (r[i] >= 'A' && r[i] <= 'Z')
			r[i] = (char)(r[i] - 'A' + 'a');
	return r;
}

static bool streqn(const char *z, const char *s, size_t n)
{
	return strlen(z) == n && memcmp(z, s, n) == 0;
}

/* Is v one of the ", "-separated versions of list? */
static bool version_in(const char *list, const char *v, size_t vlen)
{
	const char *p = list;
	while (*p) {
		size_t n = strcspn(p, ",");
		if (n == vlen && memcmp(p, v, vlen) == 0)
			return true;
		p += n;
		while (*p == ',' || *p == ' ')
			p++;
	}
	return false;
}

/* A served version of a CRD group and kind, the wanted one if served,
 * else the first; NULL when none is. */
static const char *crd_served(const tc_schema_set *set, const char *g, const char *k,
                              const char *want, size_t wlen)
{
	const char *first = NULL;
	for (size_t i = 0; i < set->ncrds; i++) {
		const crd_entry *c = &set->crds[i];
		if (!c->served || strcmp(c->group, g) != 0 || strcmp(c->kind, k) != 0)
			continue;
		if (streqn(c->version, want, wlen))
			return c->version;
		if (!first)
			first = c->version;
	}
	return first;
}

/* The CRD of this kind whose group is nearest (a group that ends in this one
 * first); sets *group_known when a CRD has this group. */
static const crd_entry *nearest_group_of_kind(const tc_schema_set *set, const char *group,
                                              size_t glen, const char *kind, size_t klen,
                                              bool *group_known)
{
	const crd_entry *best = NULL;
	size_t bestd = (size_t)-1;
	for (size_t i = 0; i < set->ncrds; i++) {
		const crd_entry *c = &set->crds[i];
		if (streqn(c->group, group, glen))
			*group_known = true;
		if (!streqn(c->kind, kind, klen))
			continue;
		size_t gl = strlen(c->group);
		size_t d = tc_edit_distance(c->group, gl, group, glen, 64);
		/* "sigstore.dev" -> "policy.sigstore.dev": a suffix after a dot */
		if (glen && gl > glen && !memcmp(c->group + gl - glen, group, glen) &&
		    c->group[gl - glen - 1] == '.')
			d = 0;
		if (d < bestd) {
			bestd = d;
			best = c;
		}
	}
	return best;
}

/* A CRD of this group whose kind is at most two edits away (or differs in case). */
static const crd_entry *near_kind_in_group(const tc_schema_set *set, const char *group, size_t glen,
                                           const char *kind, size_t klen)
{
	const crd_entry *near = NULL;
	size_t nd = 3;
	for (size_t i = 0; i < set->ncrds; i++) {
		const crd_entry *c = &set->crds[i];
		if (!streqn(c->group, group, glen))
			continue;
		size_t d = tc_edit_distance(c->kind, strlen(c->kind), kind, klen, 2);
		if (strlen(c->kind) == klen && !strncasecmp(c->kind, kind, klen))
			d = 0;
		if (d < nd) {
			nd = d;
			near = c;
		}
	}
	return near;
}

/* A CRD whose group is at most two edits away from a group of more than 3 bytes. */
static const crd_entry *near_group(const tc_schema_set *set, const char *group, size_t glen)
{
	const crd_entry *ng = NULL;
	size_t nd = 3;
	for (size_t i = 0; glen > 3 && i < set->ncrds; i++) {
		size_t d = tc_edit_distance(set->crds[i].group, strlen(set->crds[i].group), group,
		                            glen, 2);
		if (d < nd) {
			nd = d;
			ng = &set->crds[i];
		}
	}
	return ng;
}

/* A did-you-mean for an apiVersion and kind that neither the CRD index nor
 * the built-in table knows: the same kind in another group (a group that
 * ends in this one or is a few edits away first), or a near kind in this
 * group. NULL when nothing is near. Called with the lock held. */
static const char *suggest(const tc_schema_set *set, tc_arena *a, const char *group, size_t glen,
                           const char *version, size_t vlen, const char *kind, size_t klen)
{
	bool group_known = false;
	const crd_entry *best = nearest_group_of_kind(set, group, glen, kind, klen, &group_known);
	if (best) {
		const char *v = crd_served(set, best->group, best->kind, version, vlen);
		return tc_arena_printf(
			a, "%.*s is not a group that serves %.*s (did you mean '%s/%s'?)",
			(int)glen, group, (int)klen, kind, best->group, v ? v : best->version);
	}
	const char *bg = tc_k8s_builtin_group_of(kind, klen);
	if (bg) {
		const char *bv = tc_k8s_builtin_versions(bg, strlen(bg), kind, klen);
		size_t vn = strcspn(bv, ",");
		return tc_arena_printf(a,
		                       "%.*s is a built-in kind of %s (did you mean '%s%s%.*s'?)",
		                       (int)klen, kind, bg[0] ? bg : "the core API", bg,
		                       bg[0] ? "/" : "", (int)vn, bv);
	}
	const char *bk = tc_k8s_builtin_near_kind(group, glen, kind, klen);
	if (bk)
		return tc_arena_printf(a, "%.*s has no kind %.*s (did you mean '%s'?)",
		                       glen ? (int)glen : 12, glen ? group : "the core API",
		                       (int)klen, kind, bk);
	if (group_known) {
		const crd_entry *near = near_kind_in_group(set, group, glen, kind, klen);
		return near ? tc_arena_printf(a, "group %.*s has no kind %.*s (did you mean '%s'?)",
		                              (int)glen, group, (int)klen, kind, near->kind)
		            : NULL;
	}
	/* a group a few edits away */
	const crd_entry *ng = near_group(set, group, glen);
	if (ng)
		return tc_arena_printf(
			a,
			"no CustomResourceDefinition has the group %.*s (did you mean "
			"'%s'?)",
			(int)glen, group, ng->group);
	return NULL;
}

/* What a lookup asks for: apiVersion split into group and version, and the kind. */
typedef struct query {
	const char *group, *version, *kind;
	size_t glen, vlen, klen;
} query;

/* The CRD index: the scope, and NOT_SERVED when it lists the kind but does not
 * serve the version. Sets *crd_kind when it lists the kind; true when decided. */
static bool resolve_crd(tc_schema_set *set, const query *q, tc_lookup *lk, bool *crd_kind)
{
	const crd_entry *listed = NULL;
	tc_buf served;
	tc_buf_init(&served, 4096);
	for (size_t i = 0; i < set->ncrds; i++) {
		const crd_entry *c = &set->crds[i];
		if (!streqn(c->group, q->group, q->glen) || !streqn(c->kind, q->kind, q->klen))
			continue;
		*crd_kind = true;
		if (lk->scope == TC_K8S_SCOPE_UNKNOWN)
			lk->scope = c->scope;
		if (streqn(c->version, q->version, q->vlen))
			listed = c;
		if (c->served) {
			tc_buf_adds(&served, served.len ? ", " : "");
			tc_buf_adds(&served, c->version);
		}
	}
	bool decided = *crd_kind && (!listed || !listed->served);
	if (decided) {
		lk->status = TC_LOOKUP_NOT_SERVED;
		lk->detail =
			tc_arena_printf(&set->arena, "its CustomResourceDefinition %s %.*s%s%s",
		                        listed ? "does not serve" : "has no version", (int)q->vlen,
		                        q->version, served.len ? "; served: " : " and serves none",
		                        tc_buf_str(&served));
	}
	tc_buf_release(&served);
	return decided;
}

/* "Kubernetes does not serve K in version V; served: G/V1, G/V2" from the table's list */
static const char *not_served_by_table(tc_arena *a, const query *q, const char *bv)
{
	tc_buf b;
	tc_buf_init(&b, 256);
	for (const char *p = bv; *p;) {
		size_t n = strcspn(p, ",");
		tc_buf_addf(&b, "%s%.*s%s%.*s", b.len ? ", " : "", (int)q->glen, q->group,
		            q->glen ? "/" : "", (int)n, p);
		p += n;
		while (*p == ',' || *p == ' ')
			p++;
	}
	const char *r =
		tc_arena_printf(a,
	                        "Kubernetes does not serve %.*s in version %.*s; "
	                        "served: %s",
	                        (int)q->klen, q->kind, (int)q->vlen, q->version, tc_buf_str(&b));
	tc_buf_release(&b);
	return r;
}

/* The versions served: the built-in schemas of the Kubernetes version when they
 * know the kind, else the table of k8s.c (1.30 to 1.34). NOT_SERVED or UNKNOWN
 * (with a did-you-mean) when decided here; *bk is the built-in schema's kind. */
static bool resolve_served(tc_schema_set *set, const query *q, tc_lookup *lk, bool crd_kind,
                           const tc_bundle_kind **bk)
{
	tc_arena *a = &set->arena;
	const char *bv = tc_k8s_builtin_versions(q->group, q->glen, q->kind, q->klen);
	const char *bserved = set->bundle ? tc_schema_bundle_served(set->bundle, a, q->group,
	                                                            q->glen, q->kind, q->klen)
	                                  : NULL;
	*bk = set->bundle ? tc_schema_bundle_kind(set->bundle, q->group, q->glen, q->version,
	                                          q->vlen, q->kind, q->klen)
	                  : NULL;
	if (lk->scope == TC_K8S_SCOPE_UNKNOWN && set->bundle)
		lk->scope =
			tc_schema_bundle_scope(set->bundle, q->group, q->glen, q->kind, q->klen);
	const char *detail = NULL;
	tc_lookup_status status = TC_LOOKUP_NOT_SERVED;
	if (!crd_kind && bserved && !*bk)
		detail = tc_arena_printf(a,
		                         "Kubernetes %s does not serve %.*s in version %.*s; "
		                         "served: %s",
		                         tc_schema_bundle_version(set->bundle), (int)q->klen,
		                         q->kind, (int)q->vlen, q->version, bserved);
	else if (!crd_kind && !bserved && bv && set->bundle)
		detail = tc_arena_printf(a, "Kubernetes %s serves no version of %.*s",
		                         tc_schema_bundle_version(set->bundle), (int)q->klen,
		                         q->kind);
	else if (!set->bundle && bv && !version_in(bv, q->version, q->vlen))
		detail = not_served_by_table(a, q, bv);
	if (!detail && !bv && !bserved && !crd_kind) {
		status = TC_LOOKUP_UNKNOWN;
		detail = suggest(set, a, q->group, q->glen, q->version, q->vlen, q->kind, q->klen);
	}
	if (!detail)
		return false;
	lk->status = status;
	lk->detail = detail;
	return true;
}

/* The schema file of the kind in the first location that has one, or NULL. */
static const char *schema_file(tc_schema_set *set, const query *q)
{
	tc_arena *a = &set->arena;
	size_t glen = q->glen;
	char *kl = lower(a, q->kind, q->klen);
	char *g = tc_arena_memdup0(a, q->group, glen);
	char *v = tc_arena_memdup0(a, q->version, q->vlen);
	char *first = tc_arena_memdup0(a, q->group, strcspn(g, "."));
	char *suffix = glen ? tc_arena_printf(a, "-%s-%s", lower(a, first, strlen(first)), v)
	                    : tc_arena_printf(a, "-%s", v);
	for (size_t i = 0; i < set->nlocs; i++) {
		const location *l = &set->locs[i];
		const char *cands[4] = {
			l->k8sdir ? tc_arena_printf(a, "%s/%s%s.json", l->k8sdir, kl, suffix)
				  : NULL,
			glen ? tc_arena_printf(a, "%s/crd-json/%s/%s_%s.json", l->dir, g, kl, v)
			     : NULL,
			tc_arena_printf(a, "%s/%s%s.json", l->dir, kl, suffix),
			glen ? tc_arena_printf(a, "%s/%s/%s_%s.json", l->dir, g, kl, v) : NULL,
		};
		for (int k = 0; k < 4; k++)
			if (cands[k] && is_file(cands[k]))
				return cands[k];
	}
	return NULL;
}

/* Load the schema document, from path or else the built-in schemas (bk); sets the
 * options it compiles with and what the lookup names it by. NULL when it fails. */
static tc_value *load_schema(tc_schema_set *set, tc_lookup *lk, const char **path,
                             const tc_bundle_kind *bk, tc_schema_opts *o, tc_diags *d)
{
	tc_arena *a = &set->arena;
	if (*path) {
		lk->detail = *path;
		tc_value *doc = tc_schema_store_load_file(set->store, d, *path);
		o->base_uri = tc_uri_from_path(a, *path);
		return doc;
	}
	/* the built-in schema: the definition is a document of the store */
	const char *uri = tc_arena_printf(a, "%s%s", TC_SCHEMA_BUNDLE_URI, bk->def);
	*path = lk->detail = tc_arena_printf(a, "the built-in schemas of Kubernetes %s (%s)",
	                                     tc_schema_bundle_version(set->bundle), uri);
	o->base_uri = uri;
	o->draft = TC_DRAFT_2020;
	tc_value *doc = NULL;
	if (tc_schema_bundle_load(set->bundle, tc_schema_store_arena(set->store), d, uri, &doc) !=
	    0)
		return NULL;
	tc_schema_store_add(set->store, uri, doc);
	return doc;
}

/* Compile the schema into e: FOUND, or BROKEN with the first diagnostic. */
static void compile_schema(tc_schema_set *set, entry *e, const char *path, const tc_bundle_kind *bk)
{
	tc_lookup *lk = &e->look;
	tc_diags d;
	tc_diags_init(&d);
	tc_schema_opts o = {0};
	tc_value *doc = load_schema(set, lk, &path, bk, &o, &d);
	if (doc && tc_schema_compile(&e->owned, set->store, doc, &o, &d) == 0) {
		lk->status = TC_LOOKUP_FOUND;
		lk->schema = e->owned;
	} else {
		lk->status = TC_LOOKUP_BROKEN;
		tc_buf b;
		tc_buf_init(&b, 4096);
		if (d.len) {
			tc_diags_sort(&d);
			tc_diag_format(&b, &d.items[0]);
		}
		lk->detail = tc_arena_printf(&set->arena, "schema '%s' is unusable: %s", path,
		                             tc_buf_str(&b));
		tc_buf_release(&b);
	}
	tc_diags_release(&d);
}

/* Resolve and compile; called with the lock held. */
static void resolve(tc_schema_set *set, const char *api, size_t alen, const char *kind, size_t klen,
                    entry *e)
{
	query q = {.kind = kind, .klen = klen};
	tc_k8s_split_api_version(api, alen, &q.group, &q.glen, &q.version, &q.vlen);
	tc_lookup *lk = &e->look;
	lk->scope = tc_k8s_builtin_scope(q.group, q.glen, kind, klen);
	bool crd_kind = false;
	const tc_bundle_kind *bk = NULL;
	if (resolve_crd(set, &q, lk, &crd_kind) || resolve_served(set, &q, lk, crd_kind, &bk))
		return;
	const char *path = schema_file(set, &q);
	if (!path && !bk) {
		lk->status = TC_LOOKUP_MISSING;
		lk->detail = "no schema file for it in the schema locations";
		return;
	}
	compile_schema(set, e, path, bk);
}

void tc_schema_set_lookup(tc_schema_set *set, const char *api, size_t alen, const char *kind,
                          size_t klen, tc_lookup *out)
{
	size_t n = alen + klen + 1;
	char *key = tc_xmalloc(n + 1);
	memcpy(key, api, alen);
	key[alen] = 0;
	memcpy(key + alen + 1, kind, klen);
	key[n] = 0;
	pthread_mutex_lock(&set->lock);
	size_t lo = 0, hi = set->ncache;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = tc_bytes_cmp(set->cache[mid].key, set->cache[mid].klen, key, n);
		if (c == 0) {
			*out = set->cache[mid].look;
			pthread_mutex_unlock(&set->lock);
			free(key);
			return;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	entry e = {.key = key, .klen = n};
	resolve(set, api, alen, kind, klen, &e);
	TC_GROW(set->cache, set->capcache, set->ncache + 1);
	memmove(set->cache + lo + 1, set->cache + lo, (set->ncache - lo) * sizeof *set->cache);
	set->cache[lo] = e;
	set->ncache++;
	*out = e.look;
	pthread_mutex_unlock(&set->lock);
}

int tc_schema_set_check_object(tc_schema_set *set, const tc_value *obj, bool strict, tc_diags *d,
                               const tc_path *at)
{
	if (obj->kind != TC_OBJECT)
		return tc_k8s_check_object(obj, TC_K8S_SCOPE_UNKNOWN, d, at, TC_DIAG_FINDING);
	const tc_value *api = tc_value_getz(obj, "apiVersion"), *kind = tc_value_getz(obj, "kind");
	int r = 0;
	/* SOPS metadata of an encrypted object is not part of it */
	tc_value stripped;
	const tc_member *sops = tc_value_member(obj, "sops", 4);
	tc_member *copy = NULL;
	if (sops && sops->val->kind == TC_OBJECT) {
		stripped = *obj;
		copy = tc_xmalloc((obj->u.obj.len + 1) * sizeof *copy);
		size_t k = 0;
		for (size_t i = 0; i < obj->u.obj.len; i++)
			if (&obj->u.obj.members[i] != sops)
				copy[k++] = obj->u.obj.members[i];
		stripped.u.obj.members = copy;
		stripped.u.obj.len = k;
		obj = &stripped;
	}
	tc_lookup lk = {0};
	if (api && api->kind == TC_STR && kind && kind->kind == TC_STR) {
		tc_schema_set_lookup(set, api->u.str.ptr, api->u.str.len, kind->u.str.ptr,
		                     kind->u.str.len, &lk);
		switch (lk.status) {
		case TC_LOOKUP_FOUND:
			if (tc_schema_check(lk.schema, obj, d, at, TC_DIAG_FINDING) < 0)
				r = -1;
			break;
		case TC_LOOKUP_MISSING:
			/* without a location there is nowhere to look: custom
			 * resources are judged by the rules alone, unless strict */
			if (strict)
				r = tc_finding(d, obj->pos, at,
				               "no schema for %s '%s': it cannot be validated",
				               kind->u.str.ptr, api->u.str.ptr);
			else if (set->nlocs)
				tc_warning(
					d, obj->pos, at,
					"no schema for %s '%s': not validated (--strict makes this an "
					"error)",
					kind->u.str.ptr, api->u.str.ptr);
			break;
		case TC_LOOKUP_NOT_SERVED:
		case TC_LOOKUP_UNKNOWN: {
			tc_path ap = TC_PATH_KEY(at, "apiVersion", 10);
			r = tc_finding(d, api->pos, &ap, "%s '%s' cannot be applied: %s",
			               tc_value_shown(kind), tc_value_shown(api), lk.detail);
			break;
		}
		case TC_LOOKUP_BROKEN:
			r = tc_finding(d, obj->pos, at, "%s", lk.detail);
			break;
		}
	}
	if (tc_k8s_check_object_typed(obj, lk.scope, lk.status == TC_LOOKUP_FOUND, d, at,
	                              TC_DIAG_FINDING) < 0)
		r = -1;
	free(copy);
	return r;
}
