/*
 * verify_secrets.c - External Secrets Operator stores (the secrets.*
 * invariants, docs/verify.md).
 *
 * After ESO's API reference: a ClusterSecretStore can be referenced by an
 * ExternalSecret of every namespace unless spec.conditions limits it (a
 * list ORed together; each condition admits the namespaces its
 * namespaceSelector selects, those in `namespaces` and those matching one
 * of `namespaceRegexes`); a SecretStore serves only its own namespace, an
 * ExternalSecret's secretStoreRef (and each sourceRef.storeRef of its
 * data and dataFrom) names a SecretStore of its own namespace unless `kind`
 * says ClusterSecretStore; the Kubernetes provider reads the Secrets of
 * `remoteNamespace` ("default" when absent) as the ServiceAccount of
 * auth.serviceAccount (whose `namespace` a ClusterSecretStore gives).
 *
 * The collection keeps compact facts, not the objects: the store's name,
 * the namespaces it reads and authenticates in with their positions, and
 * a copy of its spec.conditions only; of an ExternalSecret, each store it
 * references.
 */
#include "verify_impl.h"

#include "sort.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

enum { S_CLUSTER, S_STORE, S_REF };

/* One fact: a store, or one store reference of an ExternalSecret. */
typedef struct vsec {
	const char *env, *tenant, *ns, *name; /* ns "" for a ClusterSecretStore */
	int what;
	tc_pos pos; /* the object's */
	/* stores with the Kubernetes provider */
	bool kube;
	const char *remote, *sa_ns;
	tc_pos remote_pos, sa_pos;
	const tc_value *conditions; /* copy of spec.conditions, or NULL */
	/* references: the store's kind (S_CLUSTER, S_STORE) and name, where */
	int ref_kind;
	const char *ref_name;
	tc_pos ref_pos;
	const char *ref_where; /* "secretStoreRef", "data", "dataFrom" */
	size_t ref_index;
} vsec;

struct vsecrets {
	vsec *s;
	size_t n, cap;
};

void tc_vsecrets_free(tc_verify *v)
{
	if (v->secrets)
		free(v->secrets->s);
	free(v->secrets);
}

static vsec *push(tc_verify *v, const char *env, const char *tenant, const tc_value *obj, int what)
{
	if (!v->secrets)
		v->secrets = tc_xcalloc(1, sizeof *v->secrets);
	struct vsecrets *s = v->secrets;
	TC_GROW(s->s, s->cap, s->n + 1);
	vsec *x = &s->s[s->n++];
	const char *ns = tc_vstr(obj, "metadata.namespace");
	*x = (vsec){.env = tc_vintern(v, env),
	            .tenant = tc_vintern(v, tenant),
	            .ns = what == S_CLUSTER ? "" : tc_vintern(v, ns ? ns : ""),
	            .name = tc_vintern(v, tc_vstr(obj, "metadata.name")),
	            .what = what,
	            .pos = tc_vpos(v, obj->pos)};
	return x;
}

static tc_pos pos_of(tc_verify *v, const tc_value *x, tc_pos dflt)
{
	return x && x->pos.file ? tc_vpos(v, x->pos) : dflt;
}

static void add_ref(tc_verify *v, const char *env, const char *tenant, const tc_value *obj,
                    const tc_value *ref, const char *where, size_t index)
{
	if (!ref || ref->kind != TC_OBJECT)
		return;
	const tc_value *name = tc_value_getz(ref, "name");
	if (!name || name->kind != TC_STR)
		return;
	const char *kind = tc_vstr(ref, "kind");
	vsec *x = push(v, env, tenant, obj, S_REF);
	x->ref_kind = kind && strcmp(kind, "ClusterSecretStore") == 0 ? S_CLUSTER : S_STORE;
	x->ref_name = tc_vintern(v, name->u.str.ptr);
	x->ref_pos = pos_of(v, name, x->pos);
	x->ref_where = where;
	x->ref_index = index;
}

/* What a store's Kubernetes provider (k8s, spec.provider.kubernetes)
 * reads: its remote namespace and its ServiceAccount's namespace. */
static void add_kube_provider(tc_verify *v, vsec *x, const tc_value *k8s)
{
	x->kube = true;
	const tc_value *r = tc_value_getz(k8s, "remoteNamespace");
	x->remote = tc_vintern(v, r && r->kind == TC_STR ? r->u.str.ptr : "default");
	x->remote_pos = pos_of(v, r, pos_of(v, k8s, x->pos));
	const tc_value *sa = tc_value_dig(k8s, "auth.serviceAccount.namespace");
	if (sa && sa->kind == TC_STR) {
		x->sa_ns = tc_vintern(v, sa->u.str.ptr);
		x->sa_pos = pos_of(v, sa, x->pos);
	}
}

/* A SecretStore or ClusterSecretStore (kind). */
static void add_store(tc_verify *v, const char *env, const char *tenant, const tc_value *obj,
                      const char *kind)
{
	vsec *x = push(v, env, tenant, obj, kind[0] == 'C' ? S_CLUSTER : S_STORE);
	const tc_value *k8s = tc_value_dig(obj, "spec.provider.kubernetes");
	if (k8s && k8s->kind == TC_OBJECT)
		add_kube_provider(v, x, k8s);
	const tc_value *c = tc_value_dig(obj, "spec.conditions");
	x->conditions = c ? tc_vcopy(v, c) : NULL;
}

/* Every store an ExternalSecret reads through. */
static void add_external_secret(tc_verify *v, const char *env, const char *tenant,
                                const tc_value *obj)
{
	add_ref(v, env, tenant, obj, tc_value_dig(obj, "spec.secretStoreRef"), "secretStoreRef", 0);
	FOREACH_ARR (e, i, tc_value_dig(obj, "spec.data"))
		add_ref(v, env, tenant, obj, tc_value_dig(e, "sourceRef.storeRef"), "data", i);
	FOREACH_ARR (e, i, tc_value_dig(obj, "spec.dataFrom"))
		add_ref(v, env, tenant, obj, tc_value_dig(e, "sourceRef.storeRef"), "dataFrom", i);
}

bool tc_vsecrets_add(tc_verify *v, const char *env, const char *tenant, const tc_value *obj)
{
	const char *api = tc_vstr(obj, "apiVersion"), *kind = tc_vstr(obj, "kind");
	if (!api || !kind || strncmp(api, "external-secrets.io/", 20) != 0)
		return false;
	if (strcmp(kind, "ClusterSecretStore") == 0 || strcmp(kind, "SecretStore") == 0) {
		add_store(v, env, tenant, obj, kind);
		return true;
	}
	if (strcmp(kind, "ExternalSecret") == 0) {
		add_external_secret(v, env, tenant, obj);
		return true;
	}
	return false;
}

/* ---- the invariants ---- */

static int cmp_sec(const void *pa, const void *pb, void *ctx)
{
	(void)ctx;
	const vsec *a = pa, *b = pb;
	int c;
	if ((c = strcmp(a->env, b->env)) || (c = a->what - b->what) || (c = strcmp(a->ns, b->ns)) ||
	    (c = strcmp(a->name, b->name)))
		return c;
	return strcmp(a->tenant ? a->tenant : "", b->tenant ? b->tenant : "");
}

static const vsec *find_store(const struct vsecrets *s, const char *env, int what, const char *ns,
                              const char *name)
{
	vsec probe = {.env = env, .what = what, .ns = ns, .name = name, .tenant = ""};
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cmp_sec(&s->s[mid], &probe, NULL) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	const vsec *x = lo < s->n ? &s->s[lo] : NULL;
	return x && strcmp(x->env, env) == 0 && x->what == what && strcmp(x->ns, ns) == 0 &&
	                       strcmp(x->name, name) == 0
	               ? x
	               : NULL;
}

/* A namespace a tenant's store may read or serve in env: one of the
 * tenant's own there, or a platform namespace (not a tenant's). */
static bool allowed_ns(const tc_verify *v, const char *tenant, const char *env, const char *ns)
{
	const vns *n = tc_vns_find(v, ns);
	if (!tc_vns_is_tenant(n))
		return true;
	return strcmp(n->tenant, tenant) == 0 && n->env && strcmp(n->env, env) == 0;
}

static bool own_ns(const tc_verify *v, const char *tenant, const char *env, const char *ns)
{
	const vns *n = tc_vns_find(v, ns);
	return tc_vns_is_tenant(n) && strcmp(n->tenant, tenant) == 0 && n->env &&
	       strcmp(n->env, env) == 0;
}

static vobj as_obj(const vsec *x, tc_value *at)
{
	*at = (tc_value){.pos = x->pos};
	return (vobj){.env = x->env,
	              .tenant = x->tenant,
	              .kind = x->what == S_CLUSTER ? "ClusterSecretStore"
	                      : x->what == S_STORE ? "SecretStore"
	                                           : "ExternalSecret",
	              .ns = x->ns,
	              .name = x->name,
	              .v = at};
}

static void store_scope(tc_verify *v, tc_diags *d, const vsec *x)
{
	if (!x->kube)
		return;
	tc_value ov, at = {.pos = x->remote_pos};
	vobj o = as_obj(x, &ov);
	tc_path p1 = TC_PATH_KEY(NULL, "spec", 4), p2 = TC_PATH_KEY(&p1, "provider", 8),
		p3 = TC_PATH_KEY(&p2, "kubernetes", 10);
	if (!own_ns(v, x->tenant, x->env, x->remote)) {
		tc_path p4 = TC_PATH_KEY(&p3, "remoteNamespace", 15);
		vsubj s = {.namespace = x->ns[0] ? x->ns : NULL,
		           .to_namespace = x->remote,
		           .kind = x->name};
		tc_vfind(v, d, "secrets.store-scope", &s, &at, &o, &p4,
		         "reads the Secrets of namespace '%s', which is not the tenant's%s",
		         x->remote,
		         strcmp(x->remote, "default") == 0
		                 ? " (remoteNamespace, 'default' when absent)"
		                 : "");
	}
	if (x->sa_ns && x->what == S_CLUSTER && !own_ns(v, x->tenant, x->env, x->sa_ns)) {
		tc_value at2 = {.pos = x->sa_pos};
		tc_path p4 = TC_PATH_KEY(&p3, "auth", 4),
			p5 = TC_PATH_KEY(&p4, "serviceAccount", 14),
			p6 = TC_PATH_KEY(&p5, "namespace", 9);
		vsubj s = {.to_namespace = x->sa_ns, .kind = x->name};
		tc_vfind(v, d, "secrets.store-scope", &s, &at2, &o, &p6,
		         "authenticates as a ServiceAccount of namespace '%s', which is not the "
		         "tenant's",
		         x->sa_ns);
	}
}

static void cond_bad(tc_verify *v, tc_diags *d, const vsec *x, vobj *o, const tc_value *at,
                     const tc_path *p, const char *ns, const char *how)
{
	const vns *n = tc_vns_find(v, ns);
	vsubj s = {.to_namespace = ns, .kind = x->name};
	tc_vfind(v, d, "secrets.store-conditions", &s, at, o, p,
	         "may be used by ExternalSecrets of namespace '%s' (%s), which is %s", ns, how,
	         strcmp(n->tenant, x->tenant) == 0 ? "the tenant's in another environment"
	                                           : "another tenant's");
}

static bool regex_match(const char *re, const char *s)
{
	int err;
	PCRE2_SIZE off;
	pcre2_code *code =
		pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &err, &off, NULL);
	if (!code)
		return true; /* a pattern we cannot read admits everything */
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
	int m = pcre2_match(code, (PCRE2_SPTR)s, PCRE2_ZERO_TERMINATED, 0, 0, md, NULL);
	pcre2_match_data_free(md);
	pcre2_code_free(code);
	return m >= 0;
}

/* One condition e (at path at) of ClusterSecretStore x (as object o): the
 * first namespace its namespaceSelector selects outside the tenant. */
static void cond_selector(tc_verify *v, tc_diags *d, const vsec *x, vobj *o, const tc_value *e,
                          const tc_path *at)
{
	const tc_value *sel = tc_value_getz(e, "namespaceSelector");
	if (!sel)
		return;
	tc_path ps = TC_PATH_KEY(at, "namespaceSelector", 17);
	uint32_t *idx;
	size_t n = tc_vns_select(v, sel, &idx);
	for (size_t k = 0; k < n; k++) {
		const vns *m = &v->ns[idx[k]];
		if (!allowed_ns(v, x->tenant, x->env, m->name)) {
			cond_bad(v, d, x, o, sel, &ps, m->name, "namespaceSelector");
			break;
		}
	}
	free(idx);
}

/* ... each of its namespaces outside the tenant. */
static void cond_namespaces(tc_verify *v, tc_diags *d, const vsec *x, vobj *o, const tc_value *e,
                            const tc_path *at)
{
	tc_path pn = TC_PATH_KEY(at, "namespaces", 10);
	FOREACH_ARR (ns, k, tc_value_getz(e, "namespaces")) {
		tc_path pk = TC_PATH_INDEX(&pn, k);
		if (ns->kind == TC_STR && !allowed_ns(v, x->tenant, x->env, ns->u.str.ptr))
			cond_bad(v, d, x, o, ns, &pk, ns->u.str.ptr, "namespaces");
	}
}

/* The first rendered namespace outside x's tenant that the pattern re
 * matches, or NULL. */
static const char *regex_outsider(const tc_verify *v, const vsec *x, const char *re)
{
	for (size_t m = 0; m < v->nns; m++)
		if (!allowed_ns(v, x->tenant, x->env, v->ns[m].name) &&
		    regex_match(re, v->ns[m].name))
			return v->ns[m].name;
	return NULL;
}

/* ... and, for each of its namespaceRegexes, the first namespace outside
 * the tenant that it matches. */
static void cond_regexes(tc_verify *v, tc_diags *d, const vsec *x, vobj *o, const tc_value *e,
                         const tc_path *at)
{
	tc_path pr = TC_PATH_KEY(at, "namespaceRegexes", 16);
	FOREACH_ARR (re, k, tc_value_getz(e, "namespaceRegexes")) {
		tc_path pk = TC_PATH_INDEX(&pr, k);
		const char *out = re->kind == TC_STR ? regex_outsider(v, x, re->u.str.ptr) : NULL;
		if (out)
			cond_bad(v, d, x, o, re, &pk, out, "namespaceRegexes");
	}
}

static void store_conditions(tc_verify *v, tc_diags *d, const vsec *x)
{
	if (x->what != S_CLUSTER)
		return;
	tc_value ov;
	vobj o = as_obj(x, &ov);
	tc_path p1 = TC_PATH_KEY(NULL, "spec", 4), p2 = TC_PATH_KEY(&p1, "conditions", 10);
	const tc_value *c = x->conditions;
	if (!c || c->kind != TC_ARRAY || c->u.arr.len == 0) {
		vsubj s = {.kind = x->name};
		tc_vfind(v, d, "secrets.store-conditions", &s, c, &o, &p2,
		         "has no spec.conditions: an ExternalSecret of every namespace, any "
		         "tenant's, can read through it");
		return;
	}
	FOREACH_ARR (e, i, c) {
		tc_path pi = TC_PATH_INDEX(&p2, i);
		cond_selector(v, d, x, &o, e, &pi);
		cond_namespaces(v, d, x, &o, e, &pi);
		cond_regexes(v, d, x, &o, e, &pi);
	}
}

static void cross_tenant_store(tc_verify *v, tc_diags *d, const struct vsecrets *s, const vsec *x)
{
	const vsec *st = find_store(s, x->env, x->ref_kind, x->ref_kind == S_CLUSTER ? "" : x->ns,
	                            x->ref_name);
	if (!st || !st->tenant || strcmp(st->tenant, x->tenant) == 0)
		return;
	tc_value ov, at = {.pos = x->ref_pos};
	vobj o = as_obj(x, &ov);
	tc_path p1 = TC_PATH_KEY(NULL, "spec", 4);
	tc_path pw = TC_PATH_KEY(&p1, x->ref_where, strlen(x->ref_where));
	tc_path pi = TC_PATH_INDEX(&pw, x->ref_index), ps = TC_PATH_KEY(&pi, "sourceRef", 9),
		pr = TC_PATH_KEY(&ps, "storeRef", 8);
	tc_path *base = strcmp(x->ref_where, "secretStoreRef") == 0 ? &pw : &pr;
	tc_path pn = TC_PATH_KEY(base, "name", 4);
	vsubj sj = {.namespace = x->ns, .kind = x->ref_name};
	tc_vfind(v, d, "secrets.cross-tenant-store", &sj, &at, &o, &pn,
	         "reads through %s '%s%s%s' of tenant '%s'",
	         x->ref_kind == S_CLUSTER ? "ClusterSecretStore" : "SecretStore",
	         x->ref_kind == S_CLUSTER ? "" : x->ns, x->ref_kind == S_CLUSTER ? "" : "/",
	         x->ref_name, st->tenant);
}

void tc_verify_secrets(tc_verify *v, tc_diags *d)
{
	struct vsecrets *s = v->secrets;
	if (!s)
		return;
	tc_sort_stable(s->s, s->n, sizeof *s->s, cmp_sec, NULL);
	for (size_t i = 0; i < s->n; i++) {
		const vsec *x = &s->s[i];
		if (!x->tenant)
			continue; /* the platform's own stores and ExternalSecrets */
		if (x->what == S_REF)
			cross_tenant_store(v, d, s, x);
		else {
			store_scope(v, d, x);
			store_conditions(v, d, x);
		}
	}
}
