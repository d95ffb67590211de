/*
 * k8s_refs.c - reference integrity over one cluster's objects (k8s_refs.h).
 *
 * The index holds one entry per thing that can be referred to, as a key of
 * NUL-separated fields, "group NUL kind NUL namespace NUL name NUL" (the
 * object's identity, namespace "" for cluster-scoped kinds, "*" for any in
 * a provided entry), optionally followed by a tag and a text:
 *
 *   'k' KEY     a key of a Secret's or ConfigMap's data
 *   'p' NAME    a named port of a Service; 'n' NUMBER a port number
 *   'd' S NUL N NUL NS   a destination an Argo CD AppProject allows
 *   'r' NS      the namespace a Kubernetes-provider SecretStore reads
 *   '?'         keys unknown (a provided object without a key list, a
 *               Secret made by a controller from data tenantc cannot see)
 *
 * The index is a set of 128-bit hashes of these keys, so "has the object"
 * and "has the key" are each one lookup and an identity costs 16 bytes, not
 * its text. Only the texts that a report reads back are kept as bytes,
 * grouped by identity and tag: the keys and ports (listed in a hint), an
 * AppProject's destinations, a SecretStore's remote namespace.
 *
 * The set streams: a reference is resolved as soon as the object that made
 * it is in, and dropped when its answer cannot change any more (an object
 * is found, or an Application's destination is allowed by its project's
 * complete list). Only the others are kept, each in one block with its
 * texts and positions (a Secret's position lies in a job's arena, which
 * ends before report), and swept again whenever their number has doubled;
 * report judges what is left after every object is in. Memory follows the
 * identities and the references still open, not every reference made.
 * Entries are only ever added, so "found" is final; an AppProject rendered
 * twice (the duplicate check reports it) counts as one whose destinations
 * are unknown, so the answer does not depend on which copy came first.
 *
 * What each reference follows is named in tests/unit/test_k8s_refs.c: the
 * Kubernetes API reference of the field, the Flux and Argo CD API docs, the
 * External Secrets and Keycloak operator docs. Only key names of Secrets are
 * read; their values never are.
 */
#include "k8s_refs.h"

#include "arena.h"
#include "buf.h"
#include "k8s.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum need_type {
	NEED_OBJ,    /* an object, and a key or port when sub is set */
	NEED_DEST,   /* an Application destination its AppProject must allow */
	NEED_REMOTE, /* a Secret an ExternalSecret reads through its store */
} need_type;

/* One reference. target is "group NUL kind NUL namespace NUL name NUL";
 * sub is "tag text" (NEED_OBJ), "server NUL name NUL namespace" (NEED_DEST)
 * or "key NUL property" (NEED_REMOTE). */
typedef struct need {
	need_type type;
	bool keyonly; /* another reference reports the object itself */
	bool secret;  /* a referring value holds decrypted data: never quote it */
	char *target, *sub;
	size_t tlen, slen;
	char *from;       /* the referring object, as messages name it */
	const char *file; /* the name's position */
	char *npath;
	uint32_t nline, ncol;
	const char *kfile; /* the key's, port's or property's position */
	char *kpath;
	uint32_t kline, kcol;
	char *shown;     /* the key, port or destination as messages quote it; NULL
	                  * in a kept destination made again from sub (derived) */
	bool derived;    /* a destination with nothing tainted: shown follows from sub */
	bool has_server; /* a destination with a server (else with a name) */
} need;

/* A key of the index as its 128-bit SipHash; {0, 0} is an empty slot. */
typedef struct hkey {
	uint64_t a, b;
} hkey;

/* The texts after one identity and tag, in the order added. */
typedef struct sub_text_ent {
	const char *s;
	size_t len;
	struct sub_text_ent *next;
} subtext;

typedef struct group {
	hkey h; /* of "identity tag" */
	subtext *first;
} group;

struct tc_k8s_refs {
	tc_arena strings; /* the texts of the groups */
	hkey *set;        /* every key, open addressing, at most 3/4 full */
	size_t nset, capset;
	group *groups; /* the texts by identity and tag, likewise */
	size_t ngroups, capgroups;
	/* the references not yet known to resolve, as records (kept) one
	 * after another: a reference costs its texts and 64 bytes */
	unsigned char *log;
	size_t loglen, logcap, nneeds;
	size_t sweep_at; /* sweep the kept references when there are this many */
	/* the files and paths references repeat, each kept once: open
	 * addressing on their bytes */
	char **istr;
	size_t nistr, capistr;
};

/* The least number of kept references that makes a sweep: below it the
 * sweep would cost more than it frees. */
#define SWEEP_MIN 1024

/* Keys of the set and of the groups are hashed apart, so "identity k" (the
 * group of its keys) is never mistaken for the key "" of that identity. */
static hkey hash_key(const char *p, size_t n, bool grouped)
{
	static const unsigned char keys[2][crypto_shorthash_siphashx24_KEYBYTES] = {{0}, {1}};
	unsigned char out[crypto_shorthash_siphashx24_BYTES];
	crypto_shorthash_siphashx24(out, (const unsigned char *)p, n, keys[grouped]);
	hkey h;
	memcpy(&h.a, out, sizeof h.a);
	memcpy(&h.b, out + sizeof h.a, sizeof h.b);
	if (!h.a && !h.b)
		h.a = 1;
	return h;
}

static bool hkey_eq(hkey x, hkey y)
{
	return x.a == y.a && x.b == y.b;
}

static bool hkey_empty(hkey x)
{
	return !x.a && !x.b;
}

/* The slot of h in a table of cap slots (a power of two) whose keys sit
 * stride bytes apart: h's own or the empty one where it would go. */
static size_t probe(const void *table, size_t cap, size_t stride, hkey h)
{
	size_t i = (size_t)h.a & (cap - 1);
	for (;;) {
		const hkey *k = (const hkey *)((const char *)table + i * stride);
		if (hkey_empty(*k) || hkey_eq(*k, h))
			return i;
		i = (i + 1) & (cap - 1);
	}
}

/* Room for one more in a table of *cap slots of stride bytes, n used. */
static void *make_room(void *table, size_t *cap, size_t n, size_t stride)
{
	if ((n + 1) * 4 <= *cap * 3)
		return table;
	size_t ncap = *cap ? *cap * 2 : 1024;
	char *t = tc_xcalloc(ncap, stride);
	for (size_t i = 0; i < *cap; i++) {
		const char *from = (const char *)table + i * stride;
		if (!hkey_empty(*(const hkey *)from))
			memcpy(t + probe(t, ncap, stride, *(const hkey *)from) * stride, from,
			       stride);
	}
	free(table);
	*cap = ncap;
	return t;
}

/* h into the set; true when it was there already */
static bool set_put(tc_k8s_refs *s, hkey h)
{
	s->set = make_room(s->set, &s->capset, s->nset, sizeof *s->set);
	size_t i = probe(s->set, s->capset, sizeof *s->set, h);
	if (!hkey_empty(s->set[i]))
		return true;
	s->set[i] = h;
	s->nset++;
	return false;
}

static void group_add(tc_k8s_refs *s, const char *key, size_t n, const char *t, size_t tn)
{
	hkey h = hash_key(key, n, true);
	s->groups = make_room(s->groups, &s->capgroups, s->ngroups, sizeof *s->groups);
	group *g = &s->groups[probe(s->groups, s->capgroups, sizeof *s->groups, h)];
	if (hkey_empty(g->h)) {
		g->h = h;
		s->ngroups++;
	}
	subtext *x = tc_arena_alloc(&s->strings, sizeof *x);
	*x = (subtext){tc_arena_memdup0(&s->strings, t, tn), tn, g->first};
	g->first = x;
}

/* The texts after key[0..n) (an identity and a tag), or NULL. */
static const subtext *group_of(const tc_k8s_refs *s, const char *key, size_t n)
{
	if (!s->capgroups)
		return NULL;
	hkey h = hash_key(key, n, true);
	const group *g = &s->groups[probe(s->groups, s->capgroups, sizeof *s->groups, h)];
	return hkey_empty(g->h) ? NULL : g->first;
}

static int cmp_text(const void *x, const void *y)
{
	const subtext *a = *(const subtext *const *)x, *b = *(const subtext *const *)y;
	return tc_bytes_cmp(a->s, a->len, b->s, b->len);
}

/* The texts after key[0..n) in byte order (*out malloc'd, NULL when none),
 * as the report lists them. */
static size_t group_sorted(const tc_k8s_refs *s, const char *key, size_t n, const subtext ***out)
{
	size_t len = 0, cap = 0;
	const subtext **v = NULL;
	for (const subtext *t = group_of(s, key, n); t; t = t->next) {
		TC_GROW(v, cap, len + 1);
		v[len++] = t;
	}
	if (len > 1)
		qsort(v, len, sizeof *v, cmp_text);
	*out = v;
	return len;
}

/* ---- the index ---- */

static void put_field(tc_buf *b, const char *s, size_t n)
{
	tc_buf_add(b, s, n);
	tc_buf_addc(b, 0);
}

static void ident(tc_buf *b, const char *g, size_t gl, const char *k, size_t kl, const char *ns,
                  size_t nsl, const char *name, size_t nl)
{
	tc_buf_reset(b);
	put_field(b, g, gl);
	put_field(b, k, kl);
	put_field(b, ns, nsl);
	put_field(b, name, nl);
}

/* back to the first n bytes (the buffer keeps its terminating NUL) */
static void cut(tc_buf *b, size_t n)
{
	if (b->ptr && n <= b->len) {
		b->len = n;
		b->ptr[n] = 0;
	}
}

/* The bytes of an identity at the start of key: its four fields. */
static size_t ident_len(const char *key, size_t len)
{
	size_t i = 0;
	for (int f = 0; f < 4 && i < len; i++)
		if (!key[i])
			f++;
	return i;
}

/* key into the index; true when it was there already */
static bool add_ent(tc_k8s_refs *s, const char *key, size_t len)
{
	bool again = set_put(s, hash_key(key, len, false));
	size_t id = ident_len(key, len);
	if (id < len && key[id] != '?')
		group_add(s, key, id + 1, key + id + 1, len - id - 1);
	return again;
}

/* the identity in b, then the identity with tag and text */
static void add_sub(tc_k8s_refs *s, tc_buf *b, char tag, const char *text, size_t n)
{
	size_t base = b->len;
	tc_buf_addc(b, tag);
	tc_buf_add(b, text, n);
	if (!tc_buf_failed(b))
		add_ent(s, b->ptr, b->len);
	cut(b, base);
}

static bool has(const tc_k8s_refs *s, const char *key, size_t n)
{
	if (!s->capset)
		return false;
	hkey h = hash_key(key, n, false);
	return !hkey_empty(s->set[probe(s->set, s->capset, sizeof *s->set, h)]);
}

tc_k8s_refs *tc_k8s_refs_new(void)
{
	tc_k8s_refs *s = tc_xcalloc(1, sizeof *s);
	tc_arena_init(&s->strings);
	s->sweep_at = SWEEP_MIN;
	tc_buf b;
	tc_buf_init(&b, 4096);
	/* the ClusterRoles the API server's bootstrap policy makes (user-facing
	 * roles; "system:" ones are matched by prefix in resolve) */
	static const char *const roles[] = {"admin", "cluster-admin", "edit", "view"};
	for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
		ident(&b, "rbac.authorization.k8s.io", 25, "ClusterRole", 11, "", 0, roles[i],
		      strlen(roles[i]));
		add_ent(s, b.ptr, b.len);
	}
	/* kube-controller-manager: the serviceaccount controller makes
	 * `default` in every namespace, the root CA publisher the ConfigMap
	 * `kube-root-ca.crt` with the key ca.crt */
	ident(&b, "", 0, "ServiceAccount", 14, "*", 1, "default", 7);
	add_ent(s, b.ptr, b.len);
	ident(&b, "", 0, "ConfigMap", 9, "*", 1, "kube-root-ca.crt", 16);
	add_ent(s, b.ptr, b.len);
	add_sub(s, &b, 'k', "ca.crt", 6);
	/* what setting up Flux leaves in flux-system: `flux bootstrap` makes
	 * the GitRepository and Kustomization `flux-system` and the Secret of
	 * the same name; Flux's SOPS guide has the age identity put into the
	 * Secret `sops-age` */
	static const char *const flux[][2] = {
		{"source.toolkit.fluxcd.io", "GitRepository"},
		{"kustomize.toolkit.fluxcd.io", "Kustomization"},
		{"", "Secret"},
	};
	for (size_t i = 0; i < sizeof flux / sizeof flux[0]; i++) {
		ident(&b, flux[i][0], strlen(flux[i][0]), flux[i][1], strlen(flux[i][1]),
		      "flux-system", 11, "flux-system", 11);
		add_ent(s, b.ptr, b.len);
		add_sub(s, &b, '?', "", 0);
	}
	ident(&b, "", 0, "Secret", 6, "flux-system", 11, "sops-age", 8);
	add_ent(s, b.ptr, b.len);
	add_sub(s, &b, '?', "", 0);
	/* Argo CD makes the project `default`, which allows every destination */
	ident(&b, "argoproj.io", 11, "AppProject", 10, "*", 1, "default", 7);
	add_ent(s, b.ptr, b.len);
	add_sub(s, &b, '?', "", 0);
	tc_buf_release(&b);
	return s;
}

void tc_k8s_refs_free(tc_k8s_refs *s)
{
	if (!s)
		return;
	tc_arena_release(&s->strings);
	free(s->set);
	free(s->groups);
	free(s->log);
	free(s->istr);
	free(s);
}

static const tc_value *str_of(const tc_value *v, const char *key)
{
	const tc_value *x = tc_value_getz(v, key);
	return x && x->kind == TC_STR ? x : NULL;
}

static bool list_has(const tc_value *list, const char *s)
{
	for (size_t i = 0; list && list->kind == TC_ARRAY && i < list->u.arr.len; i++)
		if (tc_value_streq(list->u.arr.items[i], s))
			return true;
	return false;
}

void tc_k8s_refs_provide(tc_k8s_refs *s, const tc_value *provided, const char *env)
{
	if (!provided || provided->kind != TC_ARRAY)
		return;
	tc_buf b;
	tc_buf_init(&b, 4096);
	for (size_t i = 0; i < provided->u.arr.len; i++) {
		const tc_value *e = provided->u.arr.items[i];
		const tc_value *api = str_of(e, "apiVersion"), *kind = str_of(e, "kind");
		const tc_value *name = str_of(e, "name"), *ns = str_of(e, "namespace");
		const tc_value *envs = tc_value_getz(e, "environments");
		if (!api || !kind || !name)
			continue;
		if (env && envs && !list_has(envs, env))
			continue;
		const char *g, *v;
		size_t gl, vl;
		tc_k8s_split_api_version(api->u.str.ptr, api->u.str.len, &g, &gl, &v, &vl);
		ident(&b, g, gl, kind->u.str.ptr, kind->u.str.len, ns ? ns->u.str.ptr : "",
		      ns ? ns->u.str.len : 0, name->u.str.ptr, name->u.str.len);
		add_ent(s, b.ptr, b.len);
		const tc_value *keys = tc_value_getz(e, "keys");
		if (!keys || keys->kind != TC_ARRAY) {
			add_sub(s, &b, '?', "", 0);
			continue;
		}
		for (size_t k = 0; k < keys->u.arr.len; k++)
			if (keys->u.arr.items[k]->kind == TC_STR)
				add_sub(s, &b, 'k', keys->u.arr.items[k]->u.str.ptr,
				        keys->u.arr.items[k]->u.str.len);
	}
	tc_buf_release(&b);
}

static bool referable(const char *g, size_t gl, const tc_value *kind);

/* An object of group g known by its identity: itself, keys unknown. */
static void add_group_ident(tc_k8s_refs *s, const char *g, size_t gl, const char *kind, size_t klen,
                            const char *ns, size_t nslen, const char *name, size_t nlen)
{
	tc_value kv = {.kind = TC_STR, .u.str = {kind, klen}};
	if (!referable(g, gl, &kv))
		return;
	tc_buf b;
	tc_buf_init(&b, 4096);
	ident(&b, g, gl, kind, klen, ns, nslen, name, nlen);
	add_ent(s, b.ptr, b.len);
	add_sub(s, &b, '?', "", 0);
	tc_buf_release(&b);
}

void tc_k8s_refs_add_ident(tc_k8s_refs *s, const char *api, size_t alen, const char *kind,
                           size_t klen, const char *ns, size_t nslen, const char *name, size_t nlen)
{
	const char *g, *v;
	size_t gl, vl;
	tc_k8s_split_api_version(api, alen, &g, &gl, &v, &vl);
	add_group_ident(s, g, gl, kind, klen, ns, nslen, name, nlen);
}

/* ---- one object: what it provides and what it refers to ---- */

typedef struct walk {
	tc_k8s_refs *s;
	tc_buf b;
	const char *ns; /* the object's namespace ("" when none) */
	size_t nslen;
	const tc_value *kind, *name, *nsv; /* the referring object's, for from */
	char *from;  /* "Kind 'namespace/name'", made for the first reference */
	tc_arena a;  /* the texts of the object's references, until settle */
	need *needs; /* the object's references */
	size_t nneeds, capneeds;
} walk;

static char *path_str(walk *w, const tc_path *p)
{
	tc_buf b;
	tc_buf_init(&b, 4096);
	tc_path_format(&b, p);
	const char *t = tc_buf_failed(&b) ? "." : tc_buf_str(&b);
	char *s = tc_arena_memdup0(&w->a, t, strlen(t));
	tc_buf_release(&b);
	return s;
}

/* A position's file: the object's, alive while the walk lasts (keep
 * copies it). */
static const char *file_of(const tc_value *v)
{
	return v->pos.file;
}

/* A text of a key or port: a string's bytes or an integer's digits. */
static bool sub_text(const tc_value *v, char *num, size_t numlen, const char **s, size_t *n)
{
	if (v->kind == TC_STR) {
		*s = v->u.str.ptr;
		*n = v->u.str.len;
		return true;
	}
	if (v->kind == TC_INT) {
		snprintf(num, numlen, "%lld", (long long)v->u.i);
		*s = num;
		*n = strlen(num);
		return true;
	}
	return false;
}

static need *new_need(walk *w, need_type type, const char *target, size_t tlen)
{
	TC_GROW(w->needs, w->capneeds, w->nneeds + 1);
	need *n = &w->needs[w->nneeds++];
	memset(n, 0, sizeof *n);
	n->type = type;
	n->target = tc_arena_memdup0(&w->a, target, tlen);
	n->tlen = tlen;
	if (!w->from) {
		const char *k = tc_value_shown(w->kind), *nm = tc_value_shown(w->name);
		const char *ns = w->nsv ? tc_value_shown(w->nsv) : NULL;
		size_t fl = strlen(k) + strlen(nm) + (ns ? strlen(ns) : 0) + 8;
		w->from = tc_arena_alloc(&w->a, fl);
		if (ns)
			snprintf(w->from, fl, "%s '%s/%s'", k, ns, nm);
		else
			snprintf(w->from, fl, "%s '%s'", k, nm);
	}
	n->from = w->from;
	return n;
}

/* A reference to the object group/kind/ns/name at name (path np), and to
 * its key or port sub (path sp, tag 'k', or 'p'/'n' chosen by its type)
 * when sub is set. */
static void ref(walk *w, const char *g, const char *kind, const char *ns, size_t nslen,
                const tc_value *name, const tc_path *np, const tc_value *sub, const tc_path *sp,
                bool keyonly)
{
	if (!name || name->kind != TC_STR || name->u.str.len == 0)
		return;
	char num[32];
	const char *st = NULL;
	size_t sn = 0;
	if (sub && !sub_text(sub, num, sizeof num, &st, &sn))
		return;
	ident(&w->b, g, strlen(g), kind, strlen(kind), ns, nslen, name->u.str.ptr, name->u.str.len);
	if (tc_buf_failed(&w->b))
		return;
	need *n = new_need(w, NEED_OBJ, w->b.ptr, w->b.len);
	n->keyonly = keyonly;
	n->secret = tc_value_tainted(name) || (sub && tc_value_tainted(sub));
	n->file = file_of(name);
	n->nline = name->pos.line;
	n->ncol = name->pos.col;
	n->npath = path_str(w, np);
	if (sub) {
		char tag = 'k';
		if (strcmp(kind, "Service") == 0)
			tag = sub->kind == TC_INT ? 'n' : 'p';
		n->sub = tc_arena_alloc(&w->a, sn + 2);
		n->sub[0] = tag;
		memcpy(n->sub + 1, st, sn);
		n->sub[sn + 1] = 0;
		n->slen = sn + 1;
		n->kfile = file_of(sub);
		n->kline = sub->pos.line;
		n->kcol = sub->pos.col;
		n->kpath = path_str(w, sp);
		size_t ql = strlen(tc_value_shown(sub)) + sn + 16;
		n->shown = tc_arena_alloc(&w->a, ql);
		if (sub->kind == TC_INT)
			snprintf(n->shown, ql, "port %s", st);
		else
			snprintf(n->shown, ql, "%s '%s'", tag == 'k' ? "key" : "port",
			         tc_value_shown(sub));
	}
}

/* ref with the object's own namespace */
static void ref_here(walk *w, const char *g, const char *kind, const tc_value *name,
                     const tc_path *np, const tc_value *sub, const tc_path *sp, bool keyonly)
{
	ref(w, g, kind, w->ns, w->nslen, name, np, sub, sp, keyonly);
}

static bool optional(const tc_value *v)
{
	const tc_value *o = tc_value_getz(v, "optional");
	return o && o->kind == TC_BOOL && o->u.b;
}

#define FIELD(var, obj, key, at)                                                                   \
	const tc_value *var = tc_value_getz((obj), (key));                                         \
	tc_path var##_p = TC_PATH_KEY((at), (key), strlen(key))

/* secretKeyRef / configMapKeyRef {name, key, optional} */
static void key_ref(walk *w, const char *kind, const tc_value *r, const tc_path *rp)
{
	if (!r || r->kind != TC_OBJECT || optional(r))
		return;
	FIELD(name, r, "name", rp);
	FIELD(key, r, "key", rp);
	ref_here(w, "", kind, name, &name_p, key && key->kind == TC_STR ? key : NULL, &key_p,
	         false);
}

/* a volume source or projection of a Secret or ConfigMap: the object,
 * and each item's key */
static void items_ref(walk *w, const char *kind, const tc_value *src, const tc_path *sp,
                      const char *namekey)
{
	if (!src || src->kind != TC_OBJECT || optional(src))
		return;
	FIELD(name, src, namekey, sp);
	ref_here(w, "", kind, name, &name_p, NULL, NULL, false);
	FIELD(items, src, "items", sp);
	for (size_t i = 0; items && items->kind == TC_ARRAY && i < items->u.arr.len; i++) {
		tc_path ip = TC_PATH_INDEX(&items_p, i);
		FIELD(key, items->u.arr.items[i], "key", &ip);
		if (key && key->kind == TC_STR)
			ref_here(w, "", kind, name, &name_p, key, &key_p, true);
	}
}

static void container_refs(walk *w, const tc_value *c, const tc_path *cp)
{
	FIELD(env, c, "env", cp);
	for (size_t i = 0; env && env->kind == TC_ARRAY && i < env->u.arr.len; i++) {
		tc_path ep = TC_PATH_INDEX(&env_p, i);
		FIELD(vf, env->u.arr.items[i], "valueFrom", &ep);
		FIELD(sk, vf, "secretKeyRef", &vf_p);
		FIELD(ck, vf, "configMapKeyRef", &vf_p);
		key_ref(w, "Secret", sk, &sk_p);
		key_ref(w, "ConfigMap", ck, &ck_p);
	}
	FIELD(from, c, "envFrom", cp);
	for (size_t i = 0; from && from->kind == TC_ARRAY && i < from->u.arr.len; i++) {
		tc_path fp = TC_PATH_INDEX(&from_p, i);
		FIELD(sr, from->u.arr.items[i], "secretRef", &fp);
		FIELD(cr, from->u.arr.items[i], "configMapRef", &fp);
		if (sr && sr->kind == TC_OBJECT && !optional(sr)) {
			FIELD(name, sr, "name", &sr_p);
			ref_here(w, "", "Secret", name, &name_p, NULL, NULL, false);
		}
		if (cr && cr->kind == TC_OBJECT && !optional(cr)) {
			FIELD(name, cr, "name", &cr_p);
			ref_here(w, "", "ConfigMap", name, &name_p, NULL, NULL, false);
		}
	}
}

static bool claim_template(const tc_value *claims, const tc_value *name)
{
	for (size_t i = 0; claims && claims->kind == TC_ARRAY && i < claims->u.arr.len; i++) {
		const tc_value *n = tc_value_dig(claims->u.arr.items[i], "metadata.name");
		if (n && n->kind == TC_STR && name->kind == TC_STR &&
		    tc_bytes_cmp(n->u.str.ptr, n->u.str.len, name->u.str.ptr, name->u.str.len) == 0)
			return true;
	}
	return false;
}

/* A PodSpec. claims: a StatefulSet's volumeClaimTemplates, whose claims
 * its controller makes per pod. */
static void pod_refs(walk *w, const tc_value *spec, const tc_path *at, const tc_value *claims)
{
	if (!spec || spec->kind != TC_OBJECT)
		return;
	static const char *const lists[] = {"containers", "initContainers", "ephemeralContainers"};
	for (size_t l = 0; l < 3; l++) {
		FIELD(cs, spec, lists[l], at);
		for (size_t i = 0; cs && cs->kind == TC_ARRAY && i < cs->u.arr.len; i++) {
			tc_path cp = TC_PATH_INDEX(&cs_p, i);
			container_refs(w, cs->u.arr.items[i], &cp);
		}
	}
	FIELD(vols, spec, "volumes", at);
	for (size_t i = 0; vols && vols->kind == TC_ARRAY && i < vols->u.arr.len; i++) {
		tc_path vp = TC_PATH_INDEX(&vols_p, i);
		const tc_value *vol = vols->u.arr.items[i];
		FIELD(sec, vol, "secret", &vp);
		FIELD(cm, vol, "configMap", &vp);
		FIELD(pvc, vol, "persistentVolumeClaim", &vp);
		FIELD(proj, vol, "projected", &vp);
		items_ref(w, "Secret", sec, &sec_p, "secretName");
		items_ref(w, "ConfigMap", cm, &cm_p, "name");
		if (pvc && pvc->kind == TC_OBJECT) {
			FIELD(claim, pvc, "claimName", &pvc_p);
			if (claim && !claim_template(claims, claim))
				ref_here(w, "", "PersistentVolumeClaim", claim, &claim_p, NULL,
				         NULL, false);
		}
		FIELD(srcs, proj, "sources", &proj_p);
		for (size_t k = 0; srcs && srcs->kind == TC_ARRAY && k < srcs->u.arr.len; k++) {
			tc_path sp = TC_PATH_INDEX(&srcs_p, k);
			FIELD(ps, srcs->u.arr.items[k], "secret", &sp);
			FIELD(pc, srcs->u.arr.items[k], "configMap", &sp);
			items_ref(w, "Secret", ps, &ps_p, "name");
			items_ref(w, "ConfigMap", pc, &pc_p, "name");
		}
	}
	FIELD(sa, spec, "serviceAccountName", at);
	FIELD(sa_old, spec, "serviceAccount", at);
	if (sa && sa->kind == TC_STR && sa->u.str.len)
		ref_here(w, "", "ServiceAccount", sa, &sa_p, NULL, NULL, false);
	else if (sa_old)
		ref_here(w, "", "ServiceAccount", sa_old, &sa_old_p, NULL, NULL, false);
	FIELD(ips, spec, "imagePullSecrets", at);
	for (size_t i = 0; ips && ips->kind == TC_ARRAY && i < ips->u.arr.len; i++) {
		tc_path ip = TC_PATH_INDEX(&ips_p, i);
		FIELD(name, ips->u.arr.items[i], "name", &ip);
		ref_here(w, "", "Secret", name, &name_p, NULL, NULL, false);
	}
}

/* A Flux object reference {name, namespace?}: namespace defaults to the
 * referring object's. */
static void flux_ref(walk *w, const char *g, const char *kind, const tc_value *r, const tc_path *rp)
{
	if (!r || r->kind != TC_OBJECT)
		return;
	FIELD(name, r, "name", rp);
	const tc_value *ns = str_of(r, "namespace");
	if (ns && ns->u.str.len)
		ref(w, g, kind, ns->u.str.ptr, ns->u.str.len, name, &name_p, NULL, NULL, false);
	else
		ref_here(w, g, kind, name, &name_p, NULL, NULL, false);
}

#define FLUX_SOURCE "source.toolkit.fluxcd.io"

/* sourceRef {kind, name, namespace?}: kind must be a string naming the
 * Flux source kind (the CRD's enum checks which) */
static void source_ref(walk *w, const tc_value *r, const tc_path *rp)
{
	const tc_value *kind = str_of(r, "kind");
	if (!kind || kind->u.str.len > 64 || memchr(kind->u.str.ptr, 0, kind->u.str.len))
		return;
	char k[65];
	memcpy(k, kind->u.str.ptr, kind->u.str.len);
	k[kind->u.str.len] = 0;
	flux_ref(w, FLUX_SOURCE, k, r, rp);
}

/* {secretRef: {name, key?}} of kubeConfig; decryption's has no key */
static void secret_ref(walk *w, const tc_value *holder, const tc_path *hp, bool with_key)
{
	FIELD(sr, holder, "secretRef", hp);
	if (!sr || sr->kind != TC_OBJECT)
		return;
	FIELD(name, sr, "name", &sr_p);
	FIELD(key, sr, "key", &sr_p);
	ref_here(w, "", "Secret", name, &name_p,
	         with_key && key && key->kind == TC_STR && key->u.str.len ? key : NULL, &key_p,
	         false);
}

/* Flux kustomize.toolkit.fluxcd.io Kustomization and helm.toolkit.fluxcd.io
 * HelmRelease: the fields both have */
static void flux_common(walk *w, const tc_value *spec, const tc_path *sp, const char *g,
                        const char *self)
{
	FIELD(deps, spec, "dependsOn", sp);
	for (size_t i = 0; deps && deps->kind == TC_ARRAY && i < deps->u.arr.len; i++) {
		tc_path dp = TC_PATH_INDEX(&deps_p, i);
		flux_ref(w, g, self, deps->u.arr.items[i], &dp);
	}
	FIELD(kc, spec, "kubeConfig", sp);
	if (kc && kc->kind == TC_OBJECT)
		secret_ref(w, kc, &kc_p, true);
}

/* valuesFrom / substituteFrom entries {kind, name, valuesKey?, optional} */
static void from_refs(walk *w, const tc_value *list, const tc_path *lp, const char *keyfield)
{
	for (size_t i = 0; list && list->kind == TC_ARRAY && i < list->u.arr.len; i++) {
		tc_path ip = TC_PATH_INDEX(lp, i);
		const tc_value *e = list->u.arr.items[i];
		if (optional(e))
			continue;
		const tc_value *kind = str_of(e, "kind");
		const char *k = tc_value_streq(kind, "Secret")      ? "Secret"
		                : tc_value_streq(kind, "ConfigMap") ? "ConfigMap"
		                                                    : NULL;
		if (!k)
			continue;
		FIELD(name, e, "name", &ip);
		const tc_value *key = keyfield ? str_of(e, keyfield) : NULL;
		tc_path key_p =
			TC_PATH_KEY(&ip, keyfield ? keyfield : "", keyfield ? strlen(keyfield) : 0);
		ref_here(w, "", k, name, &name_p, key, &key_p, false);
	}
}

/* ExternalSecret: the store it reads and the Secrets it reads there */
static void store_ref(walk *w, const tc_value *r, const tc_path *rp, char *store, size_t *slen)
{
	*slen = 0;
	if (!r || r->kind != TC_OBJECT)
		return;
	FIELD(name, r, "name", rp);
	const tc_value *kind = str_of(r, "kind");
	bool cluster = tc_value_streq(kind, "ClusterSecretStore");
	if (kind && !cluster && !tc_value_streq(kind, "SecretStore"))
		return;
	if (cluster)
		ref(w, "external-secrets.io", "ClusterSecretStore", "", 0, name, &name_p, NULL,
		    NULL, false);
	else
		ref_here(w, "external-secrets.io", "SecretStore", name, &name_p, NULL, NULL, false);
	if (w->nneeds && name && name->kind == TC_STR && name->u.str.len) {
		const need *n = &w->needs[w->nneeds - 1];
		if (n->tlen < 512) {
			memcpy(store, n->target, n->tlen);
			*slen = n->tlen;
		}
	}
}

static void remote_ref(walk *w, const char *store, size_t slen, const tc_value *rr,
                       const tc_path *rp, bool with_property)
{
	if (!slen || !rr || rr->kind != TC_OBJECT)
		return;
	FIELD(key, rr, "key", rp);
	FIELD(prop, rr, "property", rp);
	if (!key || key->kind != TC_STR || !key->u.str.len)
		return;
	if (!with_property || !prop || prop->kind != TC_STR || !prop->u.str.len)
		prop = NULL;
	need *n = new_need(w, NEED_REMOTE, store, slen);
	n->secret = tc_value_tainted(key) || (prop && tc_value_tainted(prop));
	size_t pl = prop ? prop->u.str.len : 0;
	n->slen = key->u.str.len + 1 + pl;
	n->sub = tc_arena_alloc(&w->a, n->slen + 1);
	memcpy(n->sub, key->u.str.ptr, key->u.str.len);
	n->sub[key->u.str.len] = 0;
	if (pl)
		memcpy(n->sub + key->u.str.len + 1, prop->u.str.ptr, pl);
	n->sub[n->slen] = 0;
	n->file = file_of(key);
	n->nline = key->pos.line;
	n->ncol = key->pos.col;
	n->npath = path_str(w, &key_p);
	if (prop) {
		n->kfile = file_of(prop);
		n->kline = prop->pos.line;
		n->kcol = prop->pos.col;
		n->kpath = path_str(w, &prop_p);
	}
}

/* spec.data[] / spec.dataFrom[]: each entry reads key (remoteRef or
 * extract) from its own sourceRef.storeRef when it names one, else from
 * the ExternalSecret's store. */
static void entry_refs(walk *w, const tc_value *list, const tc_path *list_p, const char *key,
                       const char *store, size_t slen, bool with_property)
{
	for (size_t i = 0; list && list->kind == TC_ARRAY && i < list->u.arr.len; i++) {
		tc_path dp = TC_PATH_INDEX(list_p, i);
		const tc_value *e = list->u.arr.items[i];
		FIELD(src, e, "sourceRef", &dp);
		FIELD(own, src, "storeRef", &src_p);
		char ostore[512];
		size_t olen = 0;
		if (own)
			store_ref(w, own, &own_p, ostore, &olen);
		FIELD(rr, e, key, &dp);
		if (own)
			remote_ref(w, ostore, olen, rr, &rr_p, with_property);
		else
			remote_ref(w, store, slen, rr, &rr_p, with_property);
	}
}

static void external_secret(walk *w, const tc_value *obj, const tc_value *spec, const tc_path *sp,
                            const tc_value *name)
{
	char store[512];
	size_t slen;
	FIELD(ssr, spec, "secretStoreRef", sp);
	store_ref(w, ssr, &ssr_p, store, &slen);
	FIELD(data, spec, "data", sp);
	entry_refs(w, data, &data_p, "remoteRef", store, slen, true);
	FIELD(df, spec, "dataFrom", sp);
	entry_refs(w, df, &df_p, "extract", store, slen, false);
	/* the Secret it makes (creationPolicy Owner or Orphan; Merge and None
	 * make none), with the keys of spec.data when nothing else adds any */
	const tc_value *target = tc_value_getz(spec, "target");
	const tc_value *policy = str_of(target, "creationPolicy");
	if (tc_value_streq(policy, "Merge") || tc_value_streq(policy, "None"))
		return;
	const tc_value *tname = str_of(target, "name");
	if (!tname || !tname->u.str.len)
		tname = name;
	ident(&w->b, "", 0, "Secret", 6, w->ns, w->nslen, tname->u.str.ptr, tname->u.str.len);
	add_ent(w->s, w->b.ptr, w->b.len);
	if ((df && df->kind == TC_ARRAY && df->u.arr.len) || tc_value_getz(target, "template")) {
		add_sub(w->s, &w->b, '?', "", 0);
		return;
	}
	for (size_t i = 0; data && data->kind == TC_ARRAY && i < data->u.arr.len; i++) {
		const tc_value *k = str_of(data->u.arr.items[i], "secretKey");
		if (k)
			add_sub(w->s, &w->b, 'k', k->u.str.ptr, k->u.str.len);
	}
	(void)obj;
}

/* SecretStore and ClusterSecretStore: the Kubernetes provider's remote
 * namespace (default "default") and the objects its auth and CA name */
static void secret_store(walk *w, const tc_value *spec, const tc_path *sp, bool cluster)
{
	FIELD(prov, spec, "provider", sp);
	FIELD(kube, prov, "kubernetes", &prov_p);
	if (!kube || kube->kind != TC_OBJECT)
		return;
	const tc_value *rns = str_of(kube, "remoteNamespace");
	size_t base = w->b.len;
	if (rns && rns->u.str.len)
		add_sub(w->s, &w->b, 'r', rns->u.str.ptr, rns->u.str.len);
	else
		add_sub(w->s, &w->b, 'r', "default", 7);
	cut(&w->b, base);
	FIELD(auth, kube, "auth", &kube_p);
	FIELD(sa, auth, "serviceAccount", &auth_p);
	FIELD(server, kube, "server", &kube_p);
	FIELD(ca, server, "caProvider", &server_p);
	const struct {
		const tc_value *v;
		const tc_path *p;
		const char *kind;
	} objs[] = {{sa, &sa_p, "ServiceAccount"},
	            {ca, &ca_p,
	             tc_value_streq(str_of(ca, "type"), "Secret")      ? "Secret"
	             : tc_value_streq(str_of(ca, "type"), "ConfigMap") ? "ConfigMap"
	                                                               : NULL}};
	for (size_t i = 0; i < 2; i++) {
		if (!objs[i].v || objs[i].v->kind != TC_OBJECT || !objs[i].kind)
			continue;
		FIELD(name, objs[i].v, "name", objs[i].p);
		FIELD(key, objs[i].v, "key", objs[i].p);
		const tc_value *ns = str_of(objs[i].v, "namespace");
		if (!key || key->kind != TC_STR || i == 0)
			key = NULL;
		if (ns && ns->u.str.len)
			ref(w, "", objs[i].kind, ns->u.str.ptr, ns->u.str.len, name, &name_p, key,
			    &key_p, false);
		else if (!cluster)
			ref_here(w, "", objs[i].kind, name, &name_p, key, &key_p, false);
	}
}

/* A destination field that shown quotes as its bytes: absent, or a string
 * without taint and without NUL (which would end the field in sub). */
static bool plain(const tc_value *v)
{
	return !v || (!tc_value_tainted(v) && !memchr(v->u.str.ptr, 0, v->u.str.len));
}

/* Argo CD Application: its project, and its destination against the
 * project's destinations (resolved in report) */
static void application(walk *w, const tc_value *spec, const tc_path *sp)
{
	FIELD(proj, spec, "project", sp);
	if (!proj || proj->kind != TC_STR || !proj->u.str.len)
		return;
	ref_here(w, "argoproj.io", "AppProject", proj, &proj_p, NULL, NULL, false);
	FIELD(dst, spec, "destination", sp);
	if (!dst || dst->kind != TC_OBJECT || !w->nneeds)
		return;
	const tc_value *server = str_of(dst, "server"), *name = str_of(dst, "name");
	const tc_value *ns = str_of(dst, "namespace");
	const need *proj_need = &w->needs[w->nneeds - 1];
	char *target = proj_need->target;
	size_t tlen = proj_need->tlen;
	need *n = new_need(w, NEED_DEST, target, tlen);
	n->keyonly = true;
	tc_buf_reset(&w->b);
	put_field(&w->b, server ? server->u.str.ptr : "", server ? server->u.str.len : 0);
	put_field(&w->b, name ? name->u.str.ptr : "", name ? name->u.str.len : 0);
	tc_buf_add(&w->b, ns ? ns->u.str.ptr : "", ns ? ns->u.str.len : 0);
	n->sub = tc_arena_memdup0(&w->a, w->b.ptr, w->b.len);
	n->slen = w->b.len;
	n->file = file_of(dst);
	n->nline = dst->pos.line;
	n->ncol = dst->pos.col;
	n->npath = path_str(w, &dst_p);
	size_t ql = strlen(tc_value_shown(server)) + strlen(tc_value_shown(name)) +
	            strlen(tc_value_shown(ns)) + 64;
	n->shown = tc_arena_alloc(&w->a, ql);
	snprintf(n->shown, ql, "%s '%s' namespace '%s'", server ? "server" : "name",
	         server ? tc_value_shown(server) : tc_value_shown(name), tc_value_shown(ns));
	n->has_server = server != NULL;
	n->derived = plain(server) && plain(name) && plain(ns);
}

static void app_project(walk *w, const tc_value *spec)
{
	const tc_value *dsts = tc_value_getz(spec, "destinations");
	size_t base = w->b.len;
	/* a second AppProject of this identity: its destinations are unknown
	 * (see the file comment); the marker 'D' is never looked up otherwise */
	tc_buf_addc(&w->b, 'D');
	bool again = !tc_buf_failed(&w->b) && set_put(w->s, hash_key(w->b.ptr, w->b.len, false));
	cut(&w->b, base);
	if (again)
		add_sub(w->s, &w->b, '?', "", 0);
	for (size_t i = 0; dsts && dsts->kind == TC_ARRAY && i < dsts->u.arr.len; i++) {
		const tc_value *d = dsts->u.arr.items[i];
		const tc_value *server = str_of(d, "server"), *name = str_of(d, "name");
		const tc_value *ns = str_of(d, "namespace");
		tc_buf_addc(&w->b, 'd');
		put_field(&w->b, server ? server->u.str.ptr : "", server ? server->u.str.len : 0);
		put_field(&w->b, name ? name->u.str.ptr : "", name ? name->u.str.len : 0);
		tc_buf_add(&w->b, ns ? ns->u.str.ptr : "", ns ? ns->u.str.len : 0);
		if (!tc_buf_failed(&w->b))
			add_ent(w->s, w->b.ptr, w->b.len);
		cut(&w->b, base);
	}
}

static void data_keys(walk *w, const tc_value *obj, const char *f1, const char *f2)
{
	const char *fields[2] = {f1, f2};
	for (size_t f = 0; f < 2; f++) {
		const tc_value *m = tc_value_getz(obj, fields[f]);
		for (size_t i = 0; m && m->kind == TC_OBJECT && i < m->u.obj.len; i++)
			add_sub(w->s, &w->b, 'k', m->u.obj.members[i].key,
			        m->u.obj.members[i].klen);
	}
}

/* an Ingress backend: the Service and its port, by name or number */
static void backend_ref(walk *w, const tc_value *be, const tc_path *bp)
{
	FIELD(svc, be, "service", bp);
	FIELD(sn, svc, "name", &svc_p);
	FIELD(port, svc, "port", &svc_p);
	FIELD(pname, port, "name", &port_p);
	FIELD(pnum, port, "number", &port_p);
	if (pname && pname->kind != TC_STR)
		pname = NULL;
	if (pnum && pnum->kind != TC_INT)
		pnum = NULL;
	const tc_value *pv = pname ? pname : pnum;
	ref_here(w, "", "Service", sn, &sn_p, pv, pname ? &pname_p : &pnum_p, false);
}

static bool group_is(const char *g, size_t gl, const char *want)
{
	return tc_bytes_cmp(g, gl, want, strlen(want)) == 0;
}

/* One kind of a group, or every kind of it (kind NULL). */
typedef struct kind_entry {
	const char *group, *kind;
	size_t glen, klen;
} kind_entry;

#define KE(g, k)                                                                                   \
	{                                                                                          \
		g, k, sizeof g - 1, sizeof k - 1                                                   \
	}
#define KE_ANY(g)                                                                                  \
	{                                                                                          \
		g, NULL, sizeof g - 1, 0                                                           \
	}

/* lengths first: most objects are of kinds no row names */
static bool in_table(const kind_entry *t, size_t n, const char *g, size_t gl, const tc_value *kind)
{
	const char *k = kind->u.str.ptr;
	size_t kl = kind->u.str.len;
	for (size_t i = 0; i < n; i++)
		if (t[i].glen == gl && (!t[i].kind || t[i].klen == kl) &&
		    memcmp(t[i].group, g, gl) == 0 && (!t[i].kind || memcmp(t[i].kind, k, kl) == 0))
			return true;
	return false;
}

/* The kinds a reference can name: only their identities are indexed, so
 * the index does not grow with the NetworkPolicies and Namespaces. Objects
 * that make a Secret (ExternalSecret, Certificate, SealedSecret) add it
 * themselves. */
static bool referable(const char *g, size_t gl, const tc_value *kind)
{
	static const kind_entry t[] = {
		KE("", "ConfigMap"),
		KE("", "PersistentVolumeClaim"),
		KE("", "Secret"),
		KE("", "Service"),
		KE("", "ServiceAccount"),
		KE("argoproj.io", "AppProject"),
		KE("external-secrets.io", "ClusterSecretStore"),
		KE("external-secrets.io", "SecretStore"),
		KE("helm.toolkit.fluxcd.io", "HelmRelease"),
		KE("kustomize.toolkit.fluxcd.io", "Kustomization"),
		KE("rbac.authorization.k8s.io", "ClusterRole"),
		KE("rbac.authorization.k8s.io", "Role"),
		KE_ANY("source.toolkit.fluxcd.io"),
	};
	return in_table(t, sizeof t / sizeof t[0], g, gl, kind);
}

/* The kinds whose references are resolved, or that make Secrets. */
static bool refers(const char *g, size_t gl, const tc_value *kind)
{
	static const kind_entry t[] = {
		KE("", "Pod"),
		KE("", "PodTemplate"),
		KE_ANY("apps"),
		KE("argoproj.io", "Application"),
		KE_ANY("batch"),
		KE("bitnami.com", "SealedSecret"),
		KE("cert-manager.io", "Certificate"),
		KE("external-secrets.io", "ExternalSecret"),
		KE("k8s.keycloak.org", "KeycloakRealmImport"),
		KE("networking.k8s.io", "Ingress"),
		KE("rbac.authorization.k8s.io", "ClusterRoleBinding"),
		KE("rbac.authorization.k8s.io", "RoleBinding"),
	};
	return in_table(t, sizeof t / sizeof t[0], g, gl, kind);
}

/* ---- the references of each kind ---- */

/* What a kind's step sees: the object, its spec and their paths. */
typedef struct subject {
	const tc_value *obj, *spec;
	const tc_path *at, *spec_p;
} subject;

static void refs_secret(walk *w, const subject *o)
{
	data_keys(w, o->obj, "data", "stringData");
}

static void refs_config_map(walk *w, const subject *o)
{
	data_keys(w, o->obj, "data", "binaryData");
}

/* a Service's ports are targets by name and by number */
static void refs_service(walk *w, const subject *o)
{
	const tc_value *ports = tc_value_getz(o->spec, "ports");
	for (size_t i = 0; ports && ports->kind == TC_ARRAY && i < ports->u.arr.len; i++) {
		const tc_value *pn = str_of(ports->u.arr.items[i], "name");
		const tc_value *pv = tc_value_getz(ports->u.arr.items[i], "port");
		char num[32];
		const char *t;
		size_t tn;
		if (pn)
			add_sub(w->s, &w->b, 'p', pn->u.str.ptr, pn->u.str.len);
		if (pv && pv->kind == TC_INT && sub_text(pv, num, sizeof num, &t, &tn))
			add_sub(w->s, &w->b, 'n', t, tn);
	}
}

static void refs_pod(walk *w, const subject *o)
{
	pod_refs(w, o->spec, o->spec_p, NULL);
}

static void refs_pod_template(walk *w, const subject *o)
{
	FIELD(tpl, o->obj, "template", o->at);
	FIELD(ps, tpl, "spec", &tpl_p);
	pod_refs(w, ps, &ps_p, NULL);
}

/* Deployment, ReplicaSet, StatefulSet, DaemonSet, Job: spec.template */
static void refs_workload(walk *w, const subject *o)
{
	FIELD(tpl, o->spec, "template", o->spec_p);
	FIELD(ps, tpl, "spec", &tpl_p);
	pod_refs(w, ps, &ps_p, tc_value_getz(o->spec, "volumeClaimTemplates"));
}

static void refs_cron_job(walk *w, const subject *o)
{
	FIELD(jt, o->spec, "jobTemplate", o->spec_p);
	FIELD(js, jt, "spec", &jt_p);
	FIELD(tpl, js, "template", &js_p);
	FIELD(ps, tpl, "spec", &tpl_p);
	pod_refs(w, ps, &ps_p, NULL);
}

/* a binding's roleRef: a ClusterRole, or a Role of the RoleBinding's namespace */
static void refs_binding(walk *w, const subject *o)
{
	FIELD(rr, o->obj, "roleRef", o->at);
	FIELD(rn, rr, "name", &rr_p);
	const tc_value *rk = str_of(rr, "kind");
	if (tc_value_streq(rk, "ClusterRole"))
		ref(w, "rbac.authorization.k8s.io", "ClusterRole", "", 0, rn, &rn_p, NULL, NULL,
		    false);
	else if (tc_value_streq(rk, "Role") && tc_value_streq(w->kind, "RoleBinding"))
		ref_here(w, "rbac.authorization.k8s.io", "Role", rn, &rn_p, NULL, NULL, false);
}

static void refs_ingress_rule(walk *w, const tc_value *rule, const tc_path *rp)
{
	FIELD(http, rule, "http", rp);
	FIELD(paths, http, "paths", &http_p);
	for (size_t k = 0; paths && paths->kind == TC_ARRAY && k < paths->u.arr.len; k++) {
		tc_path pp = TC_PATH_INDEX(&paths_p, k);
		FIELD(be, paths->u.arr.items[k], "backend", &pp);
		backend_ref(w, be, &be_p);
	}
}

static void refs_ingress(walk *w, const subject *o)
{
	FIELD(db, o->spec, "defaultBackend", o->spec_p);
	backend_ref(w, db, &db_p);
	FIELD(rules, o->spec, "rules", o->spec_p);
	for (size_t i = 0; rules && rules->kind == TC_ARRAY && i < rules->u.arr.len; i++) {
		tc_path rp = TC_PATH_INDEX(&rules_p, i);
		refs_ingress_rule(w, rules->u.arr.items[i], &rp);
	}
}

static void refs_flux_kustomization(walk *w, const subject *o)
{
	FIELD(src, o->spec, "sourceRef", o->spec_p);
	source_ref(w, src, &src_p);
	flux_common(w, o->spec, o->spec_p, "kustomize.toolkit.fluxcd.io", "Kustomization");
	FIELD(dec, o->spec, "decryption", o->spec_p);
	if (dec && dec->kind == TC_OBJECT)
		secret_ref(w, dec, &dec_p, false);
	FIELD(pb, o->spec, "postBuild", o->spec_p);
	FIELD(sf, pb, "substituteFrom", &pb_p);
	from_refs(w, sf, &sf_p, NULL);
}

static void refs_helm_release(walk *w, const subject *o)
{
	FIELD(chart, o->spec, "chart", o->spec_p);
	FIELD(cs, chart, "spec", &chart_p);
	FIELD(src, cs, "sourceRef", &cs_p);
	source_ref(w, src, &src_p);
	FIELD(cref, o->spec, "chartRef", o->spec_p);
	source_ref(w, cref, &cref_p);
	flux_common(w, o->spec, o->spec_p, "helm.toolkit.fluxcd.io", "HelmRelease");
	FIELD(vf, o->spec, "valuesFrom", o->spec_p);
	from_refs(w, vf, &vf_p, "valuesKey");
}

/* GitRepository, HelmRepository, OCIRepository, Bucket: spec.secretRef */
static void refs_flux_source(walk *w, const subject *o)
{
	secret_ref(w, o->spec, o->spec_p, false);
}

static void refs_application(walk *w, const subject *o)
{
	application(w, o->spec, o->spec_p);
}

static void refs_app_project(walk *w, const subject *o)
{
	app_project(w, o->spec);
}

static void refs_external_secret(walk *w, const subject *o)
{
	external_secret(w, o->obj, o->spec, o->spec_p, w->name);
}

static void refs_secret_store(walk *w, const subject *o)
{
	secret_store(w, o->spec, o->spec_p, tc_value_streq(w->kind, "ClusterSecretStore"));
}

/* each placeholder's secret {name, key} */
static void refs_realm_import(walk *w, const subject *o)
{
	FIELD(ph, o->spec, "placeholders", o->spec_p);
	for (size_t i = 0; ph && ph->kind == TC_OBJECT && i < ph->u.obj.len; i++) {
		const tc_member *m = &ph->u.obj.members[i];
		tc_path mp = TC_PATH_KEY(&ph_p, m->key, m->klen);
		FIELD(sec, m->val, "secret", &mp);
		FIELD(sn, sec, "name", &sec_p);
		FIELD(sk, sec, "key", &sec_p);
		ref_here(w, "", "Secret", sn, &sn_p, sk && sk->kind == TC_STR ? sk : NULL, &sk_p,
		         false);
	}
}

/* cert-manager writes the keypair into spec.secretName */
static void refs_certificate(walk *w, const subject *o)
{
	const tc_value *sn = str_of(o->spec, "secretName");
	if (!sn || !sn->u.str.len)
		return;
	ident(&w->b, "", 0, "Secret", 6, w->ns, w->nslen, sn->u.str.ptr, sn->u.str.len);
	add_ent(w->s, w->b.ptr, w->b.len);
	static const char *const keys[] = {"ca.crt", "tls.crt", "tls.key"};
	for (size_t i = 0; i < 3; i++)
		add_sub(w->s, &w->b, 'k', keys[i], strlen(keys[i]));
}

/* the sealed-secrets controller unseals into a Secret of its name */
static void refs_sealed_secret(walk *w, const subject *o)
{
	ident(&w->b, "", 0, "Secret", 6, w->ns, w->nslen, w->name->u.str.ptr, w->name->u.str.len);
	add_ent(w->s, w->b.ptr, w->b.len);
	const tc_value *tpl = tc_value_dig(o->spec, "template");
	const tc_value *ed = tc_value_getz(o->spec, "encryptedData");
	for (size_t i = 0; ed && ed->kind == TC_OBJECT && i < ed->u.obj.len; i++)
		add_sub(w->s, &w->b, 'k', ed->u.obj.members[i].key, ed->u.obj.members[i].klen);
	if (tpl)
		data_keys(w, tpl, "data", "stringData");
}

/* One row per kind whose references are read: its group, its kind and the step. */
typedef struct kind_refs {
	const char *group, *kind;
	size_t glen, klen;
	void (*fn)(walk *w, const subject *o);
} kind_refs;

#define KR(g, k, fn)                                                                               \
	{                                                                                          \
		g, k, sizeof g - 1, sizeof k - 1, fn                                               \
	}

static const kind_refs kind_refs_table[] = {
	KR("", "ConfigMap", refs_config_map),
	KR("", "Pod", refs_pod),
	KR("", "PodTemplate", refs_pod_template),
	KR("", "Secret", refs_secret),
	KR("", "Service", refs_service),
	KR("apps", "DaemonSet", refs_workload),
	KR("apps", "Deployment", refs_workload),
	KR("apps", "ReplicaSet", refs_workload),
	KR("apps", "StatefulSet", refs_workload),
	KR("argoproj.io", "AppProject", refs_app_project),
	KR("argoproj.io", "Application", refs_application),
	KR("batch", "CronJob", refs_cron_job),
	KR("batch", "Job", refs_workload),
	KR("bitnami.com", "SealedSecret", refs_sealed_secret),
	KR("cert-manager.io", "Certificate", refs_certificate),
	KR("external-secrets.io", "ClusterSecretStore", refs_secret_store),
	KR("external-secrets.io", "ExternalSecret", refs_external_secret),
	KR("external-secrets.io", "SecretStore", refs_secret_store),
	KR("helm.toolkit.fluxcd.io", "HelmRelease", refs_helm_release),
	KR("k8s.keycloak.org", "KeycloakRealmImport", refs_realm_import),
	KR("kustomize.toolkit.fluxcd.io", "Kustomization", refs_flux_kustomization),
	KR("networking.k8s.io", "Ingress", refs_ingress),
	KR("rbac.authorization.k8s.io", "ClusterRoleBinding", refs_binding),
	KR("rbac.authorization.k8s.io", "RoleBinding", refs_binding),
	KR(FLUX_SOURCE, "Bucket", refs_flux_source),
	KR(FLUX_SOURCE, "GitRepository", refs_flux_source),
	KR(FLUX_SOURCE, "HelmRepository", refs_flux_source),
	KR(FLUX_SOURCE, "OCIRepository", refs_flux_source),
};

static void (*refs_step(const char *g, size_t gl, const tc_value *kind))(walk *, const subject *)
{
	const size_t n = sizeof kind_refs_table / sizeof kind_refs_table[0];
	for (size_t i = 0; i < n; i++) {
		const kind_refs *r = &kind_refs_table[i];
		if (r->glen == gl && r->klen == kind->u.str.len && memcmp(r->group, g, gl) == 0 &&
		    memcmp(r->kind, kind->u.str.ptr, r->klen) == 0)
			return r->fn;
	}
	return NULL;
}

static void settle(walk *w);

void tc_k8s_refs_add(tc_k8s_refs *s, const tc_value *obj, const tc_path *at)
{
	if (!obj || obj->kind != TC_OBJECT)
		return;
	const tc_value *api = str_of(obj, "apiVersion"), *kind = str_of(obj, "kind");
	if (!api || !kind)
		return;
	const char *g, *v;
	size_t gl, vl;
	tc_k8s_split_api_version(api->u.str.ptr, api->u.str.len, &g, &gl, &v, &vl);
	bool target = referable(g, gl, kind);
	if (!target && !refers(g, gl, kind))
		return;
	const tc_value *meta = tc_value_getz(obj, "metadata");
	const tc_value *name = str_of(meta, "name"), *nsv = str_of(meta, "namespace");
	if (!name)
		return;
	walk w = {.s = s,
	          .ns = nsv ? nsv->u.str.ptr : "",
	          .nslen = nsv ? nsv->u.str.len : 0,
	          .kind = kind,
	          .name = name,
	          .nsv = nsv};
	tc_buf_init(&w.b, 64 * 1024);
	tc_arena_init(&w.a);
	ident(&w.b, g, gl, kind->u.str.ptr, kind->u.str.len, w.ns, w.nslen, name->u.str.ptr,
	      name->u.str.len);
	if (!tc_buf_failed(&w.b)) {
		if (target)
			add_ent(s, w.b.ptr, w.b.len);
		void (*step)(walk *, const subject *) = refs_step(g, gl, kind);
		FIELD(spec, obj, "spec", at);
		subject o = {.obj = obj, .spec = spec, .at = at, .spec_p = &spec_p};
		if (step)
			step(&w, &o);
	}
	settle(&w);
	free(w.needs);
	tc_arena_release(&w.a);
	tc_buf_release(&w.b);
}

/* ---- resolving ---- */

/* the four fields of a target */
typedef struct target {
	const char *f[4];
	size_t n[4];
} target;

static target split(const char *t)
{
	target r;
	for (int i = 0; i < 4; i++) {
		r.f[i] = t;
		r.n[i] = strlen(t);
		t += r.n[i] + 1;
	}
	return r;
}

typedef enum found { FOUND, NO_OBJECT, NO_SUB } found;

/* The identity of variant v (0..3) of a target into key (at most cap
 * bytes): itself, or with "*" for its namespace (v & 1) or its name
 * (v & 2), as provided entries stand for every namespace or name. Its
 * length, or 0 for a variant that does not apply (a cluster-scoped target
 * has no namespace to stand for) or does not fit. */
static size_t variant(const target *t, int v, char *key, size_t cap)
{
	bool anyns = v & 1, anyname = v & 2;
	if (anyns && t->n[2] == 0)
		return 0;
	const char *f[4] = {t->f[0], t->f[1], anyns ? "*" : t->f[2], anyname ? "*" : t->f[3]};
	size_t n[4] = {t->n[0], t->n[1], anyns ? 1 : t->n[2], anyname ? 1 : t->n[3]};
	size_t len = 0;
	for (int i = 0; i < 4; i++) {
		if (len + n[i] + 1 > cap)
			return 0;
		memcpy(key + len, f[i], n[i]);
		len += n[i];
		key[len++] = 0;
	}
	return len;
}

/* an identity's fields are at most 253 bytes each; the tag and a key 253 */
#define KEY_MAX 1400

/* The object and its key or port, or a provided entry for any namespace
 * or any name that stands for it. */
static found resolve(const tc_k8s_refs *s, const char *tgt, const char *sub, size_t slen)
{
	target t = split(tgt);
	if (group_is(t.f[0], t.n[0], "rbac.authorization.k8s.io") && t.n[1] == 11 &&
	    memcmp(t.f[1], "ClusterRole", 11) == 0 && t.n[3] > 7 &&
	    memcmp(t.f[3], "system:", 7) == 0)
		return FOUND; /* the API server's bootstrap roles */
	/* the Keycloak operator makes, for each Keycloak CR, the Secret
	 * `<name>-initial-admin` with the keys username and password in the
	 * CR's namespace (its documented initial admin) */
	static const char admin[] = "-initial-admin";
	size_t al = sizeof admin - 1;
	if (t.n[0] == 0 && t.n[1] == 6 && memcmp(t.f[1], "Secret", 6) == 0 && t.n[3] > al &&
	    memcmp(t.f[3] + t.n[3] - al, admin, al) == 0 &&
	    (!sub ||
	     (slen == 9 && (memcmp(sub, "kusername", 9) == 0 || memcmp(sub, "kpassword", 9) == 0))))
		return FOUND;
	bool obj = false;
	char key[KEY_MAX];
	for (int v = 0; v < 4; v++) {
		size_t n = variant(&t, v, key, sizeof key);
		if (!n || !has(s, key, n))
			continue;
		obj = true;
		if (!sub)
			return FOUND;
		key[n] = '?';
		if (has(s, key, n + 1))
			return FOUND;
		if (n + slen <= sizeof key) {
			memcpy(key + n, sub, slen);
			if (has(s, key, n + slen))
				return FOUND;
		}
	}
	return obj ? NO_SUB : NO_OBJECT;
}

static char *describe(const char *tgt)
{
	target t = split(tgt);
	size_t n = t.n[1] + t.n[2] + t.n[3] + 8;
	char *s = tc_xmalloc(n);
	if (t.n[2])
		snprintf(s, n, "%s '%s/%s'", t.f[1], t.f[2], t.f[3]);
	else
		snprintf(s, n, "%s '%s'", t.f[1], t.f[3]);
	return s;
}

/* up to eight of the keys (tag 'k') or ports ('p', 'n') that the target
 * and the provided entries standing for it have, for a hint */
static void list_subs(const tc_k8s_refs *s, const char *tgt, char tag, tc_buf *out)
{
	target t = split(tgt);
	const char tags[2] = {tag, tag == 'k' ? 0 : 'n'};
	size_t shown = 0;
	char key[KEY_MAX];
	for (int v = 0; v < 4 && shown <= 8; v++) {
		for (int k = 0; k < 2 && tags[k] && shown <= 8; k++) {
			size_t n = variant(&t, v, key, sizeof key - 1);
			if (!n)
				continue;
			key[n] = tags[k];
			const subtext **subs;
			size_t nsubs = group_sorted(s, key, n + 1, &subs);
			for (size_t i = 0; i < nsubs; i++) {
				if (shown++ == 8) {
					tc_buf_adds(out, ", ...");
					break;
				}
				tc_buf_adds(out, shown > 1 ? ", " : "");
				tc_buf_add(out, subs[i]->s, subs[i]->len);
			}
			free(subs);
		}
	}
}

static void finding(tc_diags *d, tc_diag_class cls, const char *file, uint32_t line, uint32_t col,
                    const char *path, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static void finding(tc_diags *d, tc_diag_class cls, const char *file, uint32_t line, uint32_t col,
                    const char *path, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tc_diag_add(d, TC_SEV_ERROR, cls, (tc_pos){file, line, col}, NULL, fmt, ap);
	va_end(ap);
	if (path && d->len)
		d->items[d->len - 1].path = tc_xstrdup(path);
}

/* Go's path.Match as Argo CD's glob matching uses it for destinations:
 * '*' any run of bytes, '?' any one byte */
static bool glob(const char *p, size_t pn, const char *s, size_t sn)
{
	size_t pi = 0, si = 0, star = (size_t)-1, mark = 0;
	while (si < sn) {
		if (pi < pn && (p[pi] == '?' || p[pi] == s[si])) {
			pi++;
			si++;
		} else if (pi < pn && p[pi] == '*') {
			star = pi++;
			mark = si;
		} else if (star != (size_t)-1) {
			pi = star + 1;
			si = ++mark;
		} else {
			return false;
		}
	}
	while (pi < pn && p[pi] == '*')
		pi++;
	return pi == pn;
}

/* globMatch with negation: a pattern "!x" matches what x does not */
static bool match(const char *p, size_t pn, const char *s, size_t sn)
{
	if (pn && p[0] == '!')
		return !glob(p + 1, pn - 1, s, sn);
	return glob(p, pn, s, sn);
}

static bool deny(const char *p, size_t pn)
{
	return pn && p[0] == '!';
}

/* Argo CD's AppProject.IsDestinationPermitted: some destination matches
 * (its server or name, and its namespace), and no deny pattern ("!...")
 * excludes it. true too when the project's destinations are unknown. */
static bool dest_allowed(const tc_k8s_refs *s, const need *n)
{
	char key[1024];
	if (n->tlen + 1 > sizeof key)
		return true;
	if (!has(s, n->target, n->tlen))
		return true; /* a provided project ("*" entries): destinations unknown */
	memcpy(key, n->target, n->tlen);
	key[n->tlen] = '?';
	if (has(s, key, n->tlen + 1))
		return true;
	/* the Application's server, name and namespace */
	const char *as = n->sub, *an = as + strlen(as) + 1, *ans = an + strlen(an) + 1;
	size_t asl = strlen(as), anl = strlen(an), ansl = n->slen - (size_t)(ans - n->sub);
	key[n->tlen] = 'd';
	bool any = false, denied = false;
	for (const subtext *t = group_of(s, key, n->tlen + 1); t; t = t->next) {
		const char *ds = t->s;
		const char *dn = ds + strlen(ds) + 1, *dns = dn + strlen(dn) + 1;
		size_t dsl = strlen(ds), dnl = strlen(dn);
		size_t dnsl = t->len - (size_t)(dns - t->s);
		bool name_ok = anl && match(dn, dnl, an, anl);
		bool server_ok = asl && match(ds, dsl, as, asl);
		bool ns_ok = match(dns, dnsl, ans, ansl);
		if ((server_ok || name_ok) && ns_ok)
			any = true;
		else if ((!name_ok && deny(dn, dnl)) || (!server_ok && deny(ds, dsl)) ||
		         (!ns_ok && deny(dns, dnsl)))
			denied = true;
	}
	return any && !denied;
}

static const char *const not_there =
	"which is neither rendered nor declared in 'provided' of tenantc.yaml";

static size_t report_obj(const tc_k8s_refs *s, const need *n, tc_diags *d, tc_diag_class cls)
{
	found f = resolve(s, n->target, n->sub, n->slen);
	if (f == FOUND || (f == NO_OBJECT && n->keyonly))
		return 0;
	char *what = n->secret ? tc_xstrdup("<redacted>") : describe(n->target);
	if (f == NO_OBJECT) {
		finding(d, cls, n->file, n->nline, n->ncol, n->npath, "%s refers to %s, %s",
		        n->from, what, not_there);
	} else {
		tc_buf keys;
		tc_buf_init(&keys, 4096);
		list_subs(s, n->target, n->sub[0] == 'n' ? 'p' : n->sub[0], &keys);
		const char *listed = tc_buf_failed(&keys) ? "" : tc_buf_str(&keys);
		finding(d, cls, n->kfile, n->kline, n->kcol, n->kpath,
		        "%s refers to %s of %s, which has no such %s (%s: %s)", n->from, n->shown,
		        what, n->sub[0] == 'k' ? "key" : "port",
		        n->sub[0] == 'k' ? "its keys" : "its ports", listed[0] ? listed : "none");
		tc_buf_release(&keys);
	}
	free(what);
	return 1;
}

/* An ExternalSecret's remoteRef through a store of the Kubernetes
 * provider: the Secret remoteRef.key in the store's remote namespace, and
 * its key remoteRef.property */
static size_t report_remote(const tc_k8s_refs *s, const need *n, tc_diags *d, tc_diag_class cls)
{
	char key[1024];
	if (n->tlen + 1 > sizeof key)
		return 0;
	memcpy(key, n->target, n->tlen);
	key[n->tlen] = 'r';
	const subtext **stores;
	size_t nstores = group_sorted(s, key, n->tlen + 1, &stores);
	if (!nstores)
		return 0; /* another provider, or a store not rendered */
	/* the first in byte order, when a store says two */
	const char *rns = stores[0]->s;
	size_t rnsl = stores[0]->len;
	free(stores);
	const char *rkey = n->sub, *prop = n->sub + strlen(n->sub) + 1;
	size_t pl = n->slen - strlen(n->sub) - 1;
	tc_buf b;
	tc_buf_init(&b, 64 * 1024);
	ident(&b, "", 0, "Secret", 6, rns, rnsl, rkey, strlen(rkey));
	char *tgt = tc_xmemdup0(b.ptr, b.len);
	tc_buf_reset(&b);
	tc_buf_addc(&b, 'k');
	tc_buf_add(&b, prop, pl);
	found f = resolve(s, tgt, pl ? b.ptr : NULL, b.len);
	char *what = describe(tgt), *store = describe(n->target);
	size_t r = 0;
	/* a Secret the render does not make may exist all the same (the
	 * provider reads whatever the remote namespace holds): only the keys
	 * of a Secret that is known are judged */
	if (f == NO_SUB) {
		tc_buf keys;
		tc_buf_init(&keys, 4096);
		list_subs(s, tgt, 'k', &keys);
		const char *listed = tc_buf_failed(&keys) ? "" : tc_buf_str(&keys);
		finding(d, cls, n->kfile, n->kline, n->kcol, n->kpath,
		        "%s reads key '%.*s' of %s through %s, which has no such key (its keys: "
		        "%s)",
		        n->from, n->secret ? 10 : (int)pl, n->secret ? "<redacted>" : prop,
		        n->secret ? "<redacted>" : what, store, listed[0] ? listed : "none");
		tc_buf_release(&keys);
		r = 1;
	}
	free(what);
	free(store);
	free(tgt);
	tc_buf_release(&b);
	return r;
}

/* ---- streaming: what is kept of a reference ---- */

/* The reference can never be reported, whatever is added: its object (and
 * key) is there, or its destination is allowed by the complete list of its
 * project (present itself, not only through a provided "*"). */
static bool settled(const tc_k8s_refs *s, const need *n)
{
	if (n->type == NEED_OBJ)
		return resolve(s, n->target, n->sub, n->slen) == FOUND;
	if (n->type == NEED_DEST)
		return has(s, n->target, n->tlen) && dest_allowed(s, n);
	return false; /* NEED_REMOTE: judged on the whole set */
}

/* A kept reference in the log: this header, then the target (tlen bytes
 * and a NUL), the sub (slen and a NUL, with K_SUB), from and shown (each
 * NUL-terminated, shown left out with K_DERIVED); the record is padded to
 * 8 bytes, so the next header is aligned. Files and paths are interned. */
typedef struct kept {
	uint32_t size;
	uint8_t type, flags;
	uint32_t tlen, slen, nline, ncol, kline, kcol;
	const char *file, *npath, *kfile, *kpath;
} kept;

enum { K_KEYONLY = 1, K_SECRET = 2, K_SUB = 4, K_DERIVED = 8, K_SERVER = 16, K_SHOWN = 32 };

static uint64_t bytes_hash(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
	return h;
}

/* The kept copy of the string p (NULL for NULL). */
static const char *intern(tc_k8s_refs *s, const char *p)
{
	if (!p)
		return NULL;
	if (s->nistr * 2 >= s->capistr) {
		size_t cap = s->capistr ? s->capistr * 2 : 64;
		char **t = tc_xcalloc(cap, sizeof *t);
		for (size_t i = 0; i < s->capistr; i++)
			if (s->istr[i]) {
				size_t k = bytes_hash(s->istr[i], strlen(s->istr[i])) & (cap - 1);
				while (t[k])
					k = (k + 1) & (cap - 1);
				t[k] = s->istr[i];
			}
		free(s->istr);
		s->istr = t;
		s->capistr = cap;
	}
	size_t n = strlen(p), k = bytes_hash(p, n) & (s->capistr - 1);
	for (; s->istr[k]; k = (k + 1) & (s->capistr - 1))
		if (strcmp(s->istr[k], p) == 0)
			return s->istr[k];
	s->istr[k] = tc_arena_memdup0(&s->strings, p, n);
	s->nistr++;
	return s->istr[k];
}

static size_t len0(const char *p)
{
	return p ? strlen(p) + 1 : 0;
}

/* n bytes of p and a NUL at *at, which moves past them */
static void put(unsigned char **at, const char *p, size_t n)
{
	memcpy(*at, p, n);
	(*at)[n] = 0;
	*at += n + 1;
}

/* n at the end of the log. */
static void keep(tc_k8s_refs *s, const need *n)
{
	bool shown = n->shown && !(n->type == NEED_DEST && n->derived);
	size_t size = sizeof(kept) + n->tlen + 1 + (n->sub ? n->slen + 1 : 0) + len0(n->from) +
	              (shown ? strlen(n->shown) + 1 : 0);
	size = (size + 7) & ~(size_t)7;
	if (size > UINT32_MAX || n->tlen > UINT32_MAX || n->slen > UINT32_MAX)
		return; /* beyond any object the API server takes */
	TC_GROW(s->log, s->logcap, s->loglen + size);
	kept *k = (kept *)(s->log + s->loglen);
	*k = (kept){
		.size = (uint32_t)size,
		.type = (uint8_t)n->type,
		.flags = (uint8_t)((n->keyonly ? K_KEYONLY : 0) | (n->secret ? K_SECRET : 0) |
	                           (n->sub ? K_SUB : 0) | (n->derived ? K_DERIVED : 0) |
	                           (n->has_server ? K_SERVER : 0) | (shown ? K_SHOWN : 0)),
		.tlen = (uint32_t)n->tlen,
		.slen = (uint32_t)n->slen,
		.nline = n->nline,
		.ncol = n->ncol,
		.kline = n->kline,
		.kcol = n->kcol,
		.file = intern(s, n->file),
		.npath = intern(s, n->npath),
		.kfile = intern(s, n->kfile),
		.kpath = intern(s, n->kpath),
	};
	unsigned char *at = (unsigned char *)(k + 1);
	put(&at, n->target, n->tlen);
	if (n->sub)
		put(&at, n->sub, n->slen);
	put(&at, n->from ? n->from : "", n->from ? strlen(n->from) : 0);
	if (shown)
		put(&at, n->shown, strlen(n->shown));
	s->loglen += size;
	s->nneeds++;
}

/* The reference a record holds; its texts point into the record. */
static need unpack(const kept *k)
{
	char *at = (char *)(k + 1);
	need n = {
		.type = (need_type)k->type,
		.keyonly = k->flags & K_KEYONLY,
		.secret = k->flags & K_SECRET,
		.derived = k->flags & K_DERIVED,
		.has_server = k->flags & K_SERVER,
		.tlen = k->tlen,
		.slen = k->slen,
		.nline = k->nline,
		.ncol = k->ncol,
		.kline = k->kline,
		.kcol = k->kcol,
		.file = k->file,
		.npath = (char *)k->npath,
		.kfile = k->kfile,
		.kpath = (char *)k->kpath,
	};
	n.target = at;
	at += k->tlen + 1;
	if (k->flags & K_SUB) {
		n.sub = at;
		at += k->slen + 1;
	}
	n.from = at;
	at += strlen(at) + 1;
	if (k->flags & K_SHOWN)
		n.shown = at;
	return n;
}

/* Drop the kept references that are settled now; the next sweep comes
 * when the rest has doubled, so each is looked at a bounded number of
 * times on average. */
static void sweep(tc_k8s_refs *s)
{
	size_t to = 0, left = 0;
	for (size_t at = 0; at < s->loglen;) {
		kept *k = (kept *)(s->log + at);
		size_t size = k->size;
		need n = unpack(k);
		if (!settled(s, &n)) {
			memmove(s->log + to, k, size);
			to += size;
			left++;
		}
		at += size;
	}
	s->loglen = to;
	s->nneeds = left;
	s->sweep_at = left * 2 > SWEEP_MIN ? left * 2 : SWEEP_MIN;
}

/* The object is in: its references that are not settled are kept. */
static void settle(walk *w)
{
	tc_k8s_refs *s = w->s;
	for (size_t i = 0; i < w->nneeds; i++)
		if (!settled(s, &w->needs[i]))
			keep(s, &w->needs[i]);
	if (s->nneeds >= s->sweep_at)
		sweep(s);
}

/* A destination its project does not allow, at the destination. */
static size_t report_dest(const tc_k8s_refs *s, const need *n, tc_diags *d, tc_diag_class cls)
{
	if (resolve(s, n->target, NULL, 0) != FOUND || dest_allowed(s, n))
		return 0;
	char *what = describe(n->target);
	tc_buf shown;
	tc_buf_init(&shown, TC_BUF_UNLIMITED);
	if (n->shown) {
		tc_buf_adds(&shown, n->shown);
	} else {
		/* server NUL name NUL namespace, as application made shown */
		const char *server = n->sub, *name = server + strlen(server) + 1;
		const char *ns = name + strlen(name) + 1;
		tc_buf_addf(&shown, "%s '%s' namespace '%.*s'", n->has_server ? "server" : "name",
		            n->has_server ? server : name, (int)(n->slen - (size_t)(ns - n->sub)),
		            ns);
	}
	finding(d, cls, n->file, n->nline, n->ncol, n->npath,
	        "%s has the destination %s, which %s does not allow (see its "
	        "spec.destinations)",
	        n->from, tc_buf_str(&shown), what);
	tc_buf_release(&shown);
	free(what);
	return 1;
}

/* The object of the identity key (len bytes) when known() says it exists
 * and the set does not hold it yet. */
static void complete_one(tc_k8s_refs *s, const char *key, size_t len, tc_k8s_known_fn known,
                         void *ud)
{
	if (!len || has(s, key, len))
		return;
	target t = split(key);
	tc_k8s_ident id;
	for (int i = 0; i < 4; i++) {
		id.f[i] = t.f[i];
		id.n[i] = t.n[i];
	}
	if (known(ud, &id))
		add_group_ident(s, t.f[0], t.n[0], t.f[1], t.n[1], t.f[2], t.n[2], t.f[3], t.n[3]);
}

/* The identities a kept reference could be settled or judged by: its
 * target in each variant resolve reads, and for a remote reference the
 * Secret report_remote reads through the store (the store's own remote
 * namespace comes only from a rendered store). */
static void complete_need(tc_k8s_refs *s, const need *n, tc_k8s_known_fn known, void *ud)
{
	char key[KEY_MAX];
	if (n->type != NEED_REMOTE) {
		target t = split(n->target);
		for (int v = 0; v < 4; v++)
			complete_one(s, key, variant(&t, v, key, sizeof key), known, ud);
		return;
	}
	if (n->tlen + 1 > sizeof key)
		return;
	memcpy(key, n->target, n->tlen);
	key[n->tlen] = 'r';
	const subtext **stores;
	size_t nstores = group_sorted(s, key, n->tlen + 1, &stores);
	if (!nstores)
		return;
	const char *rns = stores[0]->s;
	size_t rnsl = stores[0]->len;
	free(stores);
	tc_buf b;
	tc_buf_init(&b, 64 * 1024);
	ident(&b, "", 0, "Secret", 6, rns, rnsl, n->sub, strlen(n->sub));
	if (!tc_buf_failed(&b)) {
		target t = split(b.ptr);
		for (int v = 0; v < 4; v++)
			complete_one(s, key, variant(&t, v, key, sizeof key), known, ud);
	}
	tc_buf_release(&b);
}

void tc_k8s_refs_complete(tc_k8s_refs *s, tc_k8s_known_fn known, void *ud)
{
	sweep(s);
	for (size_t at = 0; at < s->loglen; at += ((const kept *)(s->log + at))->size) {
		need n = unpack((const kept *)(s->log + at));
		complete_need(s, &n, known, ud);
	}
}

size_t tc_k8s_refs_open(const tc_k8s_refs *s)
{
	return s->nneeds;
}

size_t tc_k8s_refs_report(tc_k8s_refs *s, tc_diags *d, tc_diag_class cls)
{
	size_t count = 0;
	for (size_t at = 0; at < s->loglen; at += ((const kept *)(s->log + at))->size) {
		need n = unpack((const kept *)(s->log + at));
		if (n.type == NEED_OBJ)
			count += report_obj(s, &n, d, cls);
		else if (n.type == NEED_REMOTE)
			count += report_remote(s, &n, d, cls);
		else
			count += report_dest(s, &n, d, cls);
	}
	return count;
}
