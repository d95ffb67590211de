/*
 * verify.c - the verifier's collection and model (see verify.h).
 *
 * Objects arrive from the render's workers in any order; each is copied
 * deeply into the verifier's arena under its lock, file names of positions
 * interned by content (a tenant.yaml position points into a job arena that
 * is reset after the job). tc_verify_run sorts the objects by environment,
 * kind, namespace and name, so nothing depends on the arrival order, then
 * builds the namespace model:
 *
 *   - every Namespace object, with its labels plus the label Kubernetes
 *     sets on every namespace, kubernetes.io/metadata.name (the
 *     NamespaceDefaultLabelName feature, GA in Kubernetes 1.22);
 *   - every namespace other objects name (metadata.namespace, a
 *     kubernetes.io/metadata.name in a selector, the Keycloak and DNS
 *     namespaces) that the render does not make: a platform namespace,
 *     labelled by its name only;
 *
 * and a label index, (key, value) -> namespaces sorted by bytes, so that a
 * namespaceSelector is answered by a binary search for its most selective
 * label instead of a scan of every namespace: a run is O(n log n) in the
 * number of objects, not quadratic in the number of tenants.
 *
 * Exceptions, findings and the tables are verify_report.c's. Findings
 * carry the position of the value at fault, which for a rendered object
 * is the template expression that computed it.
 */
#include "verify_impl.h"

#include "netaddr.h"
#include "repo.h"
#include "sort.h"
#include "tenant_view.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define NAME_LABEL "kubernetes.io/metadata.name"

const char *tc_vstr(const tc_value *o, const char *dotted)
{
	const tc_value *x = tc_value_dig(o, dotted);
	return x && x->kind == TC_STR ? x->u.str.ptr : NULL;
}

/* Bytes hashed a word at a time (every object's keys and strings pass
 * here), the low bits mixed with the high ones since tables index by them. */
static uint64_t hash_bytes(uint64_t h, const char *p, size_t n)
{
	const uint64_t k = 0x9e3779b97f4a7c15ull;
	uint64_t w;
	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * k;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, p, n);
	h = (h ^ w ^ (uint64_t)n << 56) * k;
	return h ^ h >> 32;
}

static uint64_t hash(const char *s)
{
	return hash_bytes(1469598103934665603ull, s, strlen(s));
}

/* Open addressing on the string's content; lookup only, never iterated. */
static struct vstr *slot(tc_verify *v, const char *s)
{
	if (v->nstrs * 2 >= v->capstrs) {
		size_t cap = v->capstrs ? v->capstrs * 2 : 64;
		struct vstr *t = tc_xcalloc(cap, sizeof *t);
		for (size_t i = 0; i < v->capstrs; i++)
			if (v->strs[i].s) {
				size_t k = v->strs[i].hash & (cap - 1);
				while (t[k].s)
					k = (k + 1) & (cap - 1);
				t[k] = v->strs[i];
			}
		free(v->strs);
		v->strs = t;
		v->capstrs = cap;
	}
	uint64_t h = hash(s);
	size_t k = h & (v->capstrs - 1);
	while (v->strs[k].s) {
		if (v->strs[k].hash == h && strcmp(v->strs[k].s, s) == 0)
			return &v->strs[k];
		k = (k + 1) & (v->capstrs - 1);
	}
	v->nstrs++;
	v->strs[k].s = tc_arena_strdup(&v->a, s);
	v->strs[k].hash = h;
	return &v->strs[k];
}

static const char *intern(tc_verify *v, const char *s)
{
	return s ? slot(v, s)->s : NULL;
}

/* a, sep and b into key (cap bytes), cut to fit as snprintf would: the
 * key of a slot, made for every object, so without the cost of a format */
static const char *join_key(char *key, size_t cap, const char *a, char sep, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	if (na > cap - 1)
		na = cap - 1;
	memcpy(key, a, na);
	if (na + 1 < cap) {
		key[na++] = sep;
		if (nb > cap - 1 - na)
			nb = cap - 1 - na;
		memcpy(key + na, b, nb);
		na += nb;
	}
	key[na] = 0;
	return key;
}

/* The slot that holds what the invariants read of a tenant's settings in
 * one environment (a tenant's sections in `overrides` differ per
 * environment): keyed "<tenant> <env>", which no name can spell alone. */
static struct vstr *tenant_env_slot(tc_verify *v, const char *tenant, const char *env)
{
	char key[512];
	return slot(v, join_key(key, sizeof key, tenant, ' ', env ? env : ""));
}

/* The file names of one object's positions repeat: within one copy (the
 * job's arena is not reset meanwhile) the last source pointer is kept.
 * alone: the copy shares no node (see add_locked). */
typedef struct pcache {
	const char *from, *to;
	bool alone;
} pcache;

static tc_pos copy_pos(tc_verify *v, pcache *c, tc_pos p)
{
	if (p.file && p.file != c->from) {
		c->from = p.file;
		c->to = intern(v, p.file);
	}
	if (p.file)
		p.file = c->to;
	return p;
}

/* A member's key: interned when it has no NUL inside (keys repeat in
 * every object), else copied. */
static const char *intern_key(tc_verify *v, const tc_member *m)
{
	/* Keys mostly come from a template's few key strings: the last
	 * interned copy of each source address is kept, and used when its
	 * bytes are still the key's (the address may since hold another). */
	struct vkey *k = &v->keys[((uintptr_t)m->key >> 3) % TC_VKEYS];
	if (k->from == m->key && k->len == m->klen && memcmp(k->to, m->key, m->klen + 1) == 0)
		return k->to;
	if (strlen(m->key) != m->klen)
		return tc_arena_memdup0(&v->a, m->key, m->klen);
	*k = (struct vkey){m->key, intern(v, m->key), m->klen};
	return k->to;
}

/* ---- shared copies ----
 *
 * Most of what tenants render is the same from tenant to tenant, down to
 * the template position of every value. A copy is therefore made bottom
 * up and each node looked up first among the nodes copied before
 * (hash-consing: kind, flags, position and content, the children by their
 * shared address): equal subtrees are kept once, and what a tenant adds is
 * only its own values and the nodes above them. The invariants only read
 * the copies, so sharing changes none of their results. */

static uint64_t mix(uint64_t h, uint64_t x)
{
	return (h ^ x) * 0x100000001b3ull;
}

/* The high bits into the low ones, which index the table: the low bits
 * of a product depend only on the low bits of its factors. */
static uint64_t settle(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	return h ^ h >> 33;
}

static uint64_t node_hash(const tc_value *x)
{
	uint64_t h = mix(mix(1469598103934665603ull, (uint64_t)x->kind), x->flags);
	h = mix(mix(mix(h, (uint64_t)(uintptr_t)x->pos.file), x->pos.line), x->pos.col);
	switch (x->kind) {
	case TC_BOOL:
		return settle(mix(h, x->u.b));
	case TC_INT:
		return settle(mix(h, (uint64_t)x->u.i));
	case TC_FLOAT: {
		uint64_t bits;
		memcpy(&bits, &x->u.f, sizeof bits);
		return settle(mix(h, bits));
	}
	case TC_STR:
		return hash_bytes(h, x->u.str.ptr, x->u.str.len);
	case TC_ARRAY:
		for (size_t i = 0; i < x->u.arr.len; i++)
			h = mix(h, (uint64_t)(uintptr_t)x->u.arr.items[i]);
		return settle(mix(h, x->u.arr.len));
	case TC_OBJECT:
		for (size_t i = 0; i < x->u.obj.len; i++) {
			const tc_member *m = &x->u.obj.members[i];
			h = mix(mix(h, (uint64_t)(uintptr_t)m->val), m->klen);
			h = mix(mix(h, m->kpos.line), m->kpos.col);
		}
		return settle(mix(h, x->u.obj.len));
	default:
		return settle(h);
	}
}

static bool pos_eq(tc_pos a, tc_pos b)
{
	return a.file == b.file && a.line == b.line && a.col == b.col;
}

static bool node_eq(const tc_value *a, const tc_value *b)
{
	if (a->kind != b->kind || a->flags != b->flags || !pos_eq(a->pos, b->pos))
		return false;
	switch (a->kind) {
	case TC_BOOL:
		return a->u.b == b->u.b;
	case TC_INT:
		return a->u.i == b->u.i;
	case TC_FLOAT:
		return memcmp(&a->u.f, &b->u.f, sizeof a->u.f) == 0;
	case TC_STR:
		return a->u.str.len == b->u.str.len &&
		       memcmp(a->u.str.ptr, b->u.str.ptr, a->u.str.len) == 0;
	case TC_ARRAY:
		return a->u.arr.len == b->u.arr.len &&
		       (a->u.arr.len == 0 || memcmp(a->u.arr.items, b->u.arr.items,
		                                    a->u.arr.len * sizeof *a->u.arr.items) == 0);
	case TC_OBJECT:
		if (a->u.obj.len != b->u.obj.len)
			return false;
		for (size_t i = 0; i < a->u.obj.len; i++) {
			const tc_member *x = &a->u.obj.members[i], *y = &b->u.obj.members[i];
			if (x->val != y->val || x->klen != y->klen || !pos_eq(x->kpos, y->kpos) ||
			    memcmp(x->key, y->key, x->klen) != 0)
				return false;
		}
		return true;
	default:
		return true;
	}
}

/* probe copied into the arena, its string bytes, items and members too */
static tc_value *keep_node(tc_verify *v, const tc_value *probe)
{
	tc_value *n = tc_arena_alloc(&v->a, sizeof *n);
	*n = *probe;
	if (probe->kind == TC_STR && !(probe->flags & TC_VAL_SECRET)) {
		n->u.str.ptr = tc_arena_memdup0(&v->a, probe->u.str.ptr, probe->u.str.len);
	} else if (probe->kind == TC_ARRAY) {
		size_t size = (probe->u.arr.len + 1) * sizeof *n->u.arr.items;
		n->u.arr.items = tc_arena_alloc(&v->a, size);
		memcpy(n->u.arr.items, probe->u.arr.items, size);
	} else if (probe->kind == TC_OBJECT) {
		size_t size = (probe->u.obj.len + 1) * sizeof *n->u.obj.members;
		n->u.obj.members = tc_arena_alloc(&v->a, size);
		memcpy(n->u.obj.members, probe->u.obj.members, size);
	}
	return n;
}

/* The shared node equal to probe, made from it when there is none yet.
 * probe's string bytes, items and members are temporary (copied here). */
static tc_value *share(tc_verify *v, const tc_value *probe)
{
	if (v->nnodes * 2 >= v->capnodes) {
		size_t cap = v->capnodes ? v->capnodes * 2 : 1024;
		struct vnode *t = tc_xcalloc(cap, sizeof *t);
		for (size_t i = 0; i < v->capnodes; i++)
			if (v->nodes[i].node) {
				size_t k = v->nodes[i].hash & (cap - 1);
				while (t[k].node)
					k = (k + 1) & (cap - 1);
				t[k] = v->nodes[i];
			}
		free(v->nodes);
		v->nodes = t;
		v->capnodes = cap;
	}
	uint64_t h = node_hash(probe);
	size_t k = h & (v->capnodes - 1);
	for (; v->nodes[k].node; k = (k + 1) & (v->capnodes - 1))
		if (v->nodes[k].hash == h && node_eq(v->nodes[k].node, probe))
			return v->nodes[k].node;
	tc_value *found = keep_node(v, probe);
	v->nodes[k] = (struct vnode){h, found};
	v->nnodes++;
	return found;
}

/* Most arrays and objects are small: their probe's items or members live
 * on the stack, not in a malloc'd block. */
enum { SMALL = 16 };

/* A deep copy, shared; secret-tainted strings are not kept (never needed). */
static tc_value *deep(tc_verify *v, pcache *pc, const tc_value *x)
{
	tc_value c = *x;
	c.pos = copy_pos(v, pc, x->pos);
	union {
		tc_value *items[SMALL + 1];
		tc_member members[SMALL + 1];
	} small;
	void *heap = NULL;
	switch (x->kind) {
	case TC_STR:
		if (x->flags & TC_VAL_SECRET)
			c.u.str.ptr = "", c.u.str.len = 0;
		break;
	case TC_ARRAY:
		c.u.arr.items =
			x->u.arr.len < SMALL
				? small.items
				: (heap = tc_xmalloc((x->u.arr.len + 1) * sizeof *c.u.arr.items));
		for (size_t i = 0; i < x->u.arr.len; i++)
			c.u.arr.items[i] = deep(v, pc, x->u.arr.items[i]);
		c.u.arr.items[x->u.arr.len] = NULL;
		break;
	case TC_OBJECT:
		c.u.obj.members =
			x->u.obj.len < SMALL
				? small.members
				: (heap = tc_xmalloc((x->u.obj.len + 1) * sizeof *c.u.obj.members));
		for (size_t i = 0; i < x->u.obj.len; i++) {
			const tc_member *m = &x->u.obj.members[i];
			tc_member *n = &c.u.obj.members[i];
			n->key = intern_key(v, m);
			n->klen = m->klen;
			n->kpos = copy_pos(v, pc, m->kpos);
			n->val = deep(v, pc, m->val);
		}
		memset(&c.u.obj.members[x->u.obj.len], 0, sizeof *c.u.obj.members);
		break;
	default:
		break;
	}
	tc_value *r = pc->alone ? keep_node(v, &c) : share(v, &c);
	free(heap);
	return r;
}

/* The members of spec the invariants read, for the kinds that do not need
 * all of it (NULL: the whole spec; "" first: no spec at all). */
static const char *const *spec_keep(const char *kind)
{
	static const char *const ns[] = {"", NULL};
	static const char *const app[] = {"destination", "project", NULL};
	static const char *const proj[] = {"destinations", "namespaceResourceWhitelist",
	                                   "clusterResourceWhitelist", NULL};
	static const char *const flux[] = {"serviceAccountName", "sourceRef", "targetNamespace",
	                                   NULL};
	static const char *const realm[] = {"realm", NULL};
	static const struct {
		const char *kind;
		const char *const *keep;
	} t[] = {{"AppProject", proj},
	         {"Application", app},
	         {"KeycloakRealmImport", realm},
	         {"Kustomization", flux},
	         {"Namespace", ns}};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcmp(t[i].kind, kind) == 0)
			return t[i].keep;
	return NULL;
}

static bool listed(const char *const *keep, const char *key)
{
	for (; *keep; keep++)
		if (strcmp(*keep, key) == 0)
			return true;
	return false;
}

/* Of a Keycloak client representation, what the realm invariant reads
 * (verify_realm.c walk). */
static const char *const client_keys[] = {"adminUrl",     "attributes", "baseUrl",    "clientId",
                                          "redirectUris", "rootUrl",    "webOrigins", NULL};

static bool is_client(const tc_value *x)
{
	const tc_value *id = tc_value_getz(x, "clientId");
	return x->kind == TC_OBJECT && id && id->kind == TC_STR;
}

/* Is there a client representation in x within the walk's depth? */
static bool has_client(const tc_value *x, int depth)
{
	if (depth > 64)
		return false;
	if (is_client(x))
		return true;
	for (size_t i = 0; x->kind == TC_ARRAY && i < x->u.arr.len; i++)
		if (has_client(x->u.arr.items[i], depth + 1))
			return true;
	for (size_t i = 0; x->kind == TC_OBJECT && i < x->u.obj.len; i++)
		if (has_client(x->u.obj.members[i].val, depth + 1))
			return true;
	return false;
}

static tc_value *clients_only(tc_verify *v, pcache *pc, const tc_value *x, int depth);

/* A copy of object x with the members keep lists, whole (keep NULL: every
 * member holding a client, as clients_only copies it, and the member named
 * also whole); members keep their order. */
static tc_value *some_members(tc_verify *v, pcache *pc, const tc_value *x, const char *const *keep,
                              const char *also, int depth)
{
	tc_value *c = tc_arena_alloc(&v->a, sizeof *c);
	*c = *x;
	c->pos = copy_pos(v, pc, x->pos);
	c->u.obj.members = tc_arena_alloc(&v->a, (x->u.obj.len + 1) * sizeof *c->u.obj.members);
	size_t n = 0;
	for (size_t i = 0; i < x->u.obj.len; i++) {
		const tc_member *m = &x->u.obj.members[i];
		tc_value *val = NULL;
		if (keep ? listed(keep, m->key) : also && strcmp(m->key, also) == 0)
			val = deep(v, pc, m->val);
		else if (!keep)
			val = clients_only(v, pc, m->val, depth + 1);
		if (!val)
			continue;
		tc_member *o = &c->u.obj.members[n++];
		o->key = intern_key(v, m);
		o->klen = m->klen;
		o->kpos = copy_pos(v, pc, m->kpos);
		o->val = val;
	}
	c->u.obj.len = n;
	return c;
}

/* What the realm invariant walks of a realm representation: the client
 * representations wherever they are (an object with a string clientId),
 * each with only the fields it judges. Arrays keep their length, an item
 * without a client becomes null, so paths keep their indexes. NULL when x
 * holds no client. */
static tc_value *clients_only(tc_verify *v, pcache *pc, const tc_value *x, int depth)
{
	static const tc_value null_item = {.kind = TC_NULL};
	if (!has_client(x, depth))
		return NULL;
	if (x->kind == TC_OBJECT)
		return some_members(v, pc, x, is_client(x) ? client_keys : NULL, NULL, depth);
	tc_value *c = tc_arena_alloc(&v->a, sizeof *c);
	*c = *x;
	c->pos = copy_pos(v, pc, x->pos);
	c->u.arr.items = tc_arena_alloc(&v->a, (x->u.arr.len + 1) * sizeof *c->u.arr.items);
	for (size_t i = 0; i < x->u.arr.len; i++) {
		tc_value *item = clients_only(v, pc, x->u.arr.items[i], depth + 1);
		c->u.arr.items[i] = item ? item : (tc_value *)&null_item;
	}
	return c;
}

/* The spec of a kind spec_keep names; of a KeycloakRealmImport's
 * spec.realm, the realm's name and its clients. */
static tc_value *pruned_spec(tc_verify *v, pcache *pc, const tc_value *spec,
                             const char *const *keep)
{
	if (spec->kind != TC_OBJECT)
		return deep(v, pc, spec);
	tc_value *c = some_members(v, pc, spec, keep, NULL, 0);
	if (!listed(keep, "realm"))
		return c;
	for (size_t i = 0; i < c->u.obj.len; i++) {
		const tc_value *r = tc_value_getz(spec, "realm");
		if (strcmp(c->u.obj.members[i].key, "realm") == 0 && r->kind == TC_OBJECT)
			c->u.obj.members[i].val = some_members(v, pc, r, NULL, "realm", 0);
	}
	return c;
}

/* A copy of an object with only what the invariants read: metadata keeps
 * its name, namespace and (for a Namespace or a Pod) labels; status is left
 * out, and of the kinds spec_keep names only those members of spec.
 * Positions stay those of the original values. */
static tc_value *prune(tc_verify *v, pcache *pc, const tc_value *obj, bool labels)
{
	const tc_value *kind = tc_value_getz(obj, "kind");
	const char *const *keep = kind && kind->kind == TC_STR ? spec_keep(kind->u.str.ptr) : NULL;
	tc_value *c = tc_arena_alloc(&v->a, sizeof *c);
	*c = *obj;
	c->pos = copy_pos(v, pc, obj->pos);
	c->u.obj.members = tc_arena_alloc(&v->a, (obj->u.obj.len + 1) * sizeof *c->u.obj.members);
	size_t n = 0;
	for (size_t i = 0; i < obj->u.obj.len; i++) {
		const tc_member *m = &obj->u.obj.members[i];
		if (strcmp(m->key, "status") == 0 ||
		    (keep && !keep[0][0] && strcmp(m->key, "spec") == 0))
			continue;
		tc_member *o = &c->u.obj.members[n++];
		o->key = intern_key(v, m);
		o->klen = m->klen;
		o->kpos = copy_pos(v, pc, m->kpos);
		if (keep && strcmp(m->key, "spec") == 0) {
			o->val = pruned_spec(v, pc, m->val, keep);
			continue;
		}
		if (strcmp(m->key, "metadata") != 0 || m->val->kind != TC_OBJECT) {
			o->val = deep(v, pc, m->val);
			continue;
		}
		const tc_value *md = m->val;
		tc_value *mc = tc_arena_alloc(&v->a, sizeof *mc);
		*mc = *md;
		mc->pos = copy_pos(v, pc, md->pos);
		mc->u.obj.members =
			tc_arena_alloc(&v->a, (md->u.obj.len + 1) * sizeof *mc->u.obj.members);
		size_t k = 0;
		for (size_t j = 0; j < md->u.obj.len; j++) {
			const tc_member *x = &md->u.obj.members[j];
			if (strcmp(x->key, "name") != 0 && strcmp(x->key, "namespace") != 0 &&
			    (!labels || strcmp(x->key, "labels") != 0))
				continue;
			tc_member *y = &mc->u.obj.members[k++];
			y->key = intern_key(v, x);
			y->klen = x->klen;
			y->kpos = copy_pos(v, pc, x->kpos);
			y->val = deep(v, pc, x->val);
		}
		mc->u.obj.len = k;
		o->val = mc;
	}
	c->u.obj.len = n;
	return c;
}

/* The kinds the invariants read; everything else is not kept. */
static bool wanted(const char *kind)
{
	/* in strcmp order, for the binary search below */
	static const char *const kinds[] = {
		"AppProject",    "Application", "ClusterImagePolicy",
		"ClusterPolicy", "ClusterRole", "ClusterRoleBinding",
		"ConfigMap",     "CronJob",     "DaemonSet",
		"Deployment",    "Job",         "KeycloakRealmImport",
		"Kustomization", "Namespace",   "NetworkPolicy",
		"Pod",           "ReplicaSet",  "ReplicationController",
		"Role",          "RoleBinding", "ServiceAccount",
		"StatefulSet",
	};
	size_t lo = 0, hi = sizeof kinds / sizeof kinds[0];
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(kinds[mid], kind);
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

tc_verify *tc_verify_new(const tc_value *settings)
{
	tc_verify *v = tc_xcalloc(1, sizeof *v);
	tc_arena_init(&v->a);
	pthread_mutex_init(&v->lock, NULL);
	v->settings = settings ? tc_value_getz(settings, "verify") : NULL;
	const tc_value *en = tc_value_getz(v->settings, "enabled");
	v->enabled = !(en && en->kind == TC_BOOL && !en->u.b);
	const char *kc = tc_vstr(v->settings, "keycloakNamespace");
	const char *dns = tc_vstr(v->settings, "dnsNamespace");
	v->keycloak_ns = kc ? kc : "keycloak";
	v->dns_ns = dns ? dns : "kube-system";
	return v;
}

void tc_verify_free(tc_verify *v)
{
	if (!v)
		return;
	free(v->objs);
	free(v->strs);
	free(v->nodes);
	free(v->ns);
	free(v->labels);
	free(v->exc);
	free(v->rows);
	free(v->envs);
	tc_vsecrets_free(v);
	pthread_mutex_destroy(&v->lock);
	tc_arena_release(&v->a);
	free(v);
}

bool tc_verify_enabled(const tc_verify *v)
{
	return v->enabled;
}

/* Of tenant.yaml, the invariants read network.egress and the realm (its
 * trustedHosts, and its clients to name the line a URI comes from), kept
 * once per tenant and environment. The copy interns strings, which may
 * move the slots, so the slot is looked up again to store it. */
static void keep_tenant_doc(tc_verify *v, pcache *pc, const char *tenant, const char *env,
                            const tc_value *tenant_doc)
{
	static const char *const keep[] = {"network", "realm"};
	tc_member m[2];
	size_t nm = 0;
	for (size_t k = 0; k < 2; k++) {
		const tc_member *x = tc_value_member(tenant_doc, keep[k], strlen(keep[k]));
		if (x)
			m[nm++] = (tc_member){keep[k], strlen(keep[k]), copy_pos(v, pc, x->kpos),
			                      deep(v, pc, x->val)};
	}
	tc_value *doc =
		nm ? tc_value_object(&v->a, m, nm, copy_pos(v, pc, tenant_doc->pos), NULL) : NULL;
	struct vstr *ts = tenant_env_slot(v, tenant, env);
	if (doc)
		ts->doc = doc;
	ts->viewed = true;
}

/* The string member key of o, or NULL: tc_vstr of a path without a dot,
 * without splitting it (every object observed is read so a few times). */
static const char *str_member(const tc_value *o, const char *key)
{
	const tc_value *x = tc_value_getz(o, key);
	return x && x->kind == TC_STR ? x->u.str.ptr : NULL;
}

static void add_locked(tc_verify *v, const char *env, const char *tenant,
                       const tc_value *tenant_doc, const tc_value *obj)
{
	const char *kind = str_member(obj, "kind"), *api = str_member(obj, "apiVersion");
	if (!kind || !api || !str_member(tc_value_getz(obj, "metadata"), "name"))
		return;
	/* only External Secrets' kinds are that API group's; the others are
	 * not offered to verify_secrets.c */
	if (strncmp(api, "external-secrets.io/", 20) == 0 && tc_vsecrets_add(v, env, tenant, obj))
		return;
	if (!wanted(kind))
		return;
	/* of ConfigMaps, those that carry a realm's clients as JSON (the
	 * realm invariant's, verify_realm.c); the others may be large */
	if (strcmp(kind, "ConfigMap") == 0 && !tc_vrealm_configmap(obj))
		return;
	/* Objects of one template share most of their nodes, positions
	 * included; an object whose file no other object came from (read
	 * back from a rendered file, for a tenant the cache kept) can share
	 * none, so it is copied alone and the node table holds only what
	 * others may share. */
	pcache pc = {.alone = obj->pos.file && slot(v, obj->pos.file)->roots++ == 0};
	env = intern(v, env);
	if (tenant) {
		tenant = intern(v, tenant);
		if (tenant_doc && !tenant_env_slot(v, tenant, env)->doc)
			keep_tenant_doc(v, &pc, tenant, env, tenant_doc);
	}
	TC_GROW(v->objs, v->capobjs, v->nobjs + 1);
	vobj *o = &v->objs[v->nobjs++];
	o->env = env;
	o->tenant = tenant;
	o->v = prune(v, &pc, obj, strcmp(kind, "Namespace") == 0 || strcmp(kind, "Pod") == 0);
	const tc_value *md = tc_value_getz(o->v, "metadata");
	o->api = str_member(o->v, "apiVersion");
	o->kind = str_member(o->v, "kind");
	o->name = str_member(md, "name");
	o->ns = str_member(md, "namespace");
	if (!o->ns)
		o->ns = "";
	const char *slash = strchr(o->api, '/');
	o->group = slash ? tc_arena_memdup0(&v->a, o->api, (size_t)(slash - o->api)) : "";
}

const char *tc_vintern(tc_verify *v, const char *s)
{
	return intern(v, s);
}

tc_pos tc_vpos(tc_verify *v, tc_pos p)
{
	p.file = intern(v, p.file);
	return p;
}

const tc_value *tc_vcopy(tc_verify *v, const tc_value *x)
{
	pcache pc = {0};
	return deep(v, &pc, x);
}

void tc_verify_add(tc_verify *v, const char *env, const char *tenant, const tc_value *tenant_doc,
                   const tc_value *obj)
{
	pthread_mutex_lock(&v->lock);
	add_locked(v, env, tenant, tenant_doc, obj);
	pthread_mutex_unlock(&v->lock);
}

/* The slot of what the invariants read of an environment's settings:
 * keyed "@<env>", which no tenant or file name spells. */
static struct vstr *env_slot(tc_verify *v, const char *env)
{
	char key[128];
	return slot(v, join_key(key, sizeof key, "", '@', env));
}

/* Keep the environment's Keycloak issuer once: {cidrs, ports} from
 * values.keycloak.issuerCidrs and the port of values.keycloak.url (443
 * unless it names one), the egress the tenants' NetworkPolicies may open
 * to it (docs/keycloak.md, "Network"). */
static void keep_issuer(tc_verify *v, const struct tc_env *env)
{
	if (env_slot(v, env->name)->doc)
		return;
	const tc_value *kc = tc_value_dig(env->doc, "values.keycloak");
	const tc_value *cidrs =
		kc && kc->kind == TC_OBJECT ? tc_value_getz(kc, "issuerCidrs") : NULL;
	const char *url = tc_vstr(kc, "url");
	pcache pc = {0};
	int64_t port = 443;
	tc_netaddr_url u;
	if (url && tc_netaddr_split_url(&u, url, strlen(url)) && u.has_port)
		port = strtoll(u.port, NULL, 10);
	tc_member m[2] = {
		{"cidrs", 5, TC_NOPOS,
	         cidrs && cidrs->kind == TC_ARRAY && url
	                 ? deep(v, &pc, cidrs)
	                 : tc_value_array(&v->a, NULL, 0, TC_NOPOS)},
		{"ports", 5, TC_NOPOS, NULL},
	};
	tc_value *p = tc_value_int(&v->a, port, TC_NOPOS);
	m[1].val = tc_value_array(&v->a, &p, 1, TC_NOPOS);
	tc_value *doc = tc_value_object(&v->a, m, 2, TC_NOPOS, NULL);
	/* looked up again: the copy of the CIDRs interns strings, which may
	 * move the slots */
	env_slot(v, env->name)->doc = doc;
}

const tc_value *tc_venv_issuer(tc_verify *v, const char *env)
{
	return env_slot(v, env)->doc;
}

const tc_value *tc_vtenant_doc(tc_verify *v, const char *tenant, const char *env)
{
	return tenant ? tenant_env_slot(v, tenant, env)->doc : NULL;
}

static void env_locked(tc_verify *v, const char *env, const char *domain)
{
	for (size_t i = 0; i < v->nenvs; i++)
		if (strcmp(v->envs[i].name, env) == 0)
			return;
	TC_GROW(v->envs, v->capenvs, v->nenvs + 1);
	v->envs[v->nenvs].name = intern(v, env);
	v->envs[v->nenvs].domain = domain ? tc_arena_strdup(&v->a, domain) : NULL;
	v->nenvs++;
}

void tc_verify_env(tc_verify *v, const char *env, const char *domain)
{
	pthread_mutex_lock(&v->lock);
	env_locked(v, env, domain);
	pthread_mutex_unlock(&v->lock);
}

void tc_verify_observe(void *ctx, const struct tc_env *env, const struct tc_tenant *tenant,
                       const tc_value *obj)
{
	tc_verify *v = ctx;
	pthread_mutex_lock(&v->lock);
	keep_issuer(v, env);
	env_locked(v, env->name, tc_vstr(env->doc, "domain"));
	/* what the invariants keep of it is kept with the tenant's first
	 * object in the environment; the view is the same for every object */
	bool viewed = tenant && tenant_env_slot(v, tenant->name, env->name)->viewed;
	pthread_mutex_unlock(&v->lock);
	/* the tenant as this environment sees it: its section of `overrides`
	 * merged over tenant.yaml, as its templates saw it */
	tc_arena a;
	tc_arena_init(&a);
	const tc_value *view = tenant && !viewed ? tc_tenant_view(&a, tenant, env) : NULL;
	tc_verify_add(ctx, env->name, tenant ? tenant->name : NULL, view, obj);
	tc_arena_release(&a);
}

char *tc_vprintf(tc_verify *v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char tmp[512];
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	return tc_arena_strdup(&v->a, tmp);
}

/* ---- the model ---- */

static int cmp_str0(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

/* strcmp, for strings that are often the same copy (interned, shared) */
static int scmp(const char *a, const char *b)
{
	return a == b ? 0 : strcmp(a, b);
}

static int cmp_obj(const void *pa, const void *pb, void *ctx)
{
	(void)ctx;
	const vobj *a = pa, *b = pb;
	int c;
	if ((c = scmp(a->env, b->env)) || (c = scmp(a->kind, b->kind)) ||
	    (c = scmp(a->ns, b->ns)) || (c = scmp(a->name, b->name)) || (c = scmp(a->api, b->api)))
		return c;
	return cmp_str0(a->tenant, b->tenant);
}

static int cmp_ns(const void *pa, const void *pb, void *ctx)
{
	(void)ctx;
	const vns *a = pa, *b = pb;
	int c = strcmp(a->name, b->name);
	/* a rendered namespace before a mere mention of the same name */
	return c ? c : (b->o != NULL) - (a->o != NULL);
}

static int cmp_label(const void *pa, const void *pb, void *ctx)
{
	(void)ctx;
	const vlabel *a = pa, *b = pb;
	int c;
	if ((c = scmp(a->key, b->key)) || (c = scmp(a->val, b->val)))
		return c;
	return (a->ns > b->ns) - (a->ns < b->ns);
}

const vns *tc_vns_find(const tc_verify *v, const char *name)
{
	size_t lo = 0, hi = v->nns;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(v->ns[mid].name, name);
		if (c == 0)
			return &v->ns[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool tc_vns_is_tenant(const vns *n)
{
	return n && n->tenant;
}

static void mention(const char *name, vns **ns, size_t *n, size_t *cap)
{
	if (!name || !name[0])
		return;
	TC_GROW(*ns, *cap, *n + 1);
	(*ns)[(*n)++] = (vns){.name = name};
}

/* The names a namespaceSelector gives `kubernetes.io/metadata.name`. */
static void mention_selector(const tc_value *sel, vns **ns, size_t *n, size_t *cap)
{
	/* not tc_vstr: the label's name holds dots */
	const tc_value *nl = tc_value_getz(tc_value_getz(sel, "matchLabels"), NAME_LABEL);
	mention(nl && nl->kind == TC_STR ? nl->u.str.ptr : NULL, ns, n, cap);
	FOREACH_ARR (e, m, tc_value_getz(sel, "matchExpressions")) {
		if (!tc_value_streq(tc_value_getz(e, "key"), NAME_LABEL))
			continue;
		FOREACH_ARR (val, q, tc_value_getz(e, "values"))
			if (val->kind == TC_STR)
				mention(val->u.str.ptr, ns, n, cap);
	}
}

/* Names in `kubernetes.io/metadata.name` selectors of NetworkPolicies. */
static void mention_selectors(const tc_value *rules, const char *peers, vns **ns, size_t *n,
                              size_t *cap)
{
	FOREACH_ARR (r, i, rules)
		FOREACH_ARR (p, k, tc_value_getz(r, peers))
			mention_selector(tc_value_getz(p, "namespaceSelector"), ns, n, cap);
}

static void build_model(tc_verify *v)
{
	tc_sort_stable(v->objs, v->nobjs, sizeof *v->objs, cmp_obj, NULL);
	vns *ns = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < v->nobjs; i++) {
		const vobj *o = &v->objs[i];
		if (strcmp(o->kind, "Namespace") == 0 && strcmp(o->api, "v1") == 0) {
			TC_GROW(ns, cap, n + 1);
			const tc_value *doc =
				o->tenant ? tenant_env_slot(v, o->tenant, o->env)->doc : NULL;
			ns[n++] = (vns){o->name,   o->env,
			                o->tenant, tc_value_dig(o->v, "metadata.labels"),
			                o,         doc};
			continue;
		}
		mention(o->ns, &ns, &n, &cap);
		if (strcmp(o->kind, "NetworkPolicy") == 0) {
			mention_selectors(tc_value_dig(o->v, "spec.ingress"), "from", &ns, &n,
			                  &cap);
			mention_selectors(tc_value_dig(o->v, "spec.egress"), "to", &ns, &n, &cap);
		}
	}
	mention(v->keycloak_ns, &ns, &n, &cap);
	mention(v->dns_ns, &ns, &n, &cap);
	tc_sort_stable(ns, n, sizeof *ns, cmp_ns, NULL);
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		if (w == 0 || strcmp(ns[w - 1].name, ns[i].name) != 0)
			ns[w++] = ns[i];
	v->ns = ns;
	v->nns = w;
	/* the label index */
	size_t nl = 0, capl = 0;
	vlabel *l = NULL;
	for (size_t i = 0; i < v->nns; i++) {
		TC_GROW(l, capl, nl + 1);
		l[nl++] = (vlabel){NAME_LABEL, v->ns[i].name, (uint32_t)i};
		const tc_value *lab = v->ns[i].labels;
		for (size_t k = 0; lab && lab->kind == TC_OBJECT && k < lab->u.obj.len; k++) {
			const tc_member *m = &lab->u.obj.members[k];
			if (m->val->kind != TC_STR || strcmp(m->key, NAME_LABEL) == 0)
				continue;
			TC_GROW(l, capl, nl + 1);
			l[nl++] = (vlabel){m->key, m->val->u.str.ptr, (uint32_t)i};
		}
	}
	tc_sort_stable(l, nl, sizeof *l, cmp_label, NULL);
	v->labels = l;
	v->nlabels = nl;
}

/* Objects are sorted by (env, kind, ns, name, ...): compare a prefix. */
static int cmp_key(const vobj *o, const char *env, const char *kind, const char *ns,
                   const char *name)
{
	int c;
	if ((c = scmp(o->env, env)) || (c = scmp(o->kind, kind)))
		return c;
	if (ns && (c = scmp(o->ns, ns)))
		return c;
	return name ? scmp(o->name, name) : 0;
}

static size_t lower(const tc_verify *v, const char *env, const char *kind, const char *ns,
                    const char *name)
{
	size_t lo = 0, hi = v->nobjs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cmp_key(&v->objs[mid], env, kind, ns, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t tc_vobj_range(const tc_verify *v, const char *env, const char *kind, const char *ns,
                     size_t *lo)
{
	size_t a = lower(v, env, kind, ns, NULL), e = a;
	while (e < v->nobjs && cmp_key(&v->objs[e], env, kind, ns, NULL) == 0)
		e++;
	*lo = a;
	return e - a;
}

const vobj *tc_vobj_find(const tc_verify *v, const char *env, const char *kind, const char *ns,
                         const char *name)
{
	size_t i = lower(v, env, kind, ns, name);
	return i < v->nobjs && cmp_key(&v->objs[i], env, kind, ns, name) == 0 ? &v->objs[i] : NULL;
}

/* ---- label selectors (k8s.io/apimachinery metav1.LabelSelector) ---- */

static const char *label_of(const tc_value *labels, const char *name_label, const char *key)
{
	if (name_label && strcmp(key, NAME_LABEL) == 0)
		return name_label;
	const tc_value *x = tc_value_getz(labels, key);
	return x && x->kind == TC_STR ? x->u.str.ptr : NULL;
}

static bool in_values(const tc_value *vals, const char *s)
{
	FOREACH_ARR (x, i, vals)
		if (tc_value_streq(x, s))
			return true;
	return false;
}

/* One matchExpressions requirement against the labels. */
static bool expression_holds(const tc_value *e, const tc_value *labels, const char *name_label)
{
	const char *key = tc_vstr(e, "key"), *op = tc_vstr(e, "operator");
	if (!key || !op)
		return false;
	const char *have = label_of(labels, name_label, key);
	const tc_value *vals = tc_value_getz(e, "values");
	if (strcmp(op, "In") == 0)
		return have && in_values(vals, have);
	if (strcmp(op, "NotIn") == 0)
		return !have || !in_values(vals, have);
	if (strcmp(op, "Exists") == 0)
		return have != NULL;
	if (strcmp(op, "DoesNotExist") == 0)
		return have == NULL;
	return false; /* an unknown operator selects nothing (the API refuses it) */
}

bool tc_vsel_matches(const tc_value *sel, const tc_value *labels, const char *name_label)
{
	if (!sel || sel->kind != TC_OBJECT)
		return false;
	const tc_value *ml = tc_value_getz(sel, "matchLabels");
	for (size_t i = 0; ml && ml->kind == TC_OBJECT && i < ml->u.obj.len; i++) {
		const char *have = label_of(labels, name_label, ml->u.obj.members[i].key);
		if (!have || !tc_value_streq(ml->u.obj.members[i].val, have))
			return false;
	}
	FOREACH_ARR (e, i, tc_value_getz(sel, "matchExpressions"))
		if (!expression_holds(e, labels, name_label))
			return false;
	return true;
}

/* The range of the label index holding (key, val). */
static size_t label_range(const tc_verify *v, const char *key, const char *val, size_t *lo)
{
	size_t a = 0, b = v->nlabels;
	vlabel probe = {key, val, 0};
	while (a < b) {
		size_t mid = (a + b) / 2;
		if (cmp_label(&v->labels[mid], &probe, NULL) < 0)
			a = mid + 1;
		else
			b = mid;
	}
	*lo = a;
	size_t e = a;
	while (e < v->nlabels && strcmp(v->labels[e].key, key) == 0 &&
	       strcmp(v->labels[e].val, val) == 0)
		e++;
	return e - a;
}

size_t tc_vns_select(const tc_verify *v, const tc_value *sel, uint32_t **out)
{
	*out = NULL;
	if (!sel || sel->kind != TC_OBJECT)
		return 0;
	/* candidates: the smallest range of one of its matchLabels, else all */
	size_t best_lo = 0, best_n = SIZE_MAX;
	const tc_value *ml = tc_value_getz(sel, "matchLabels");
	for (size_t i = 0; ml && ml->kind == TC_OBJECT && i < ml->u.obj.len; i++) {
		const tc_member *m = &ml->u.obj.members[i];
		if (m->val->kind != TC_STR)
			return 0;
		size_t lo, n = label_range(v, m->key, m->val->u.str.ptr, &lo);
		if (n < best_n)
			best_lo = lo, best_n = n;
	}
	size_t n = 0;
	if (best_n != SIZE_MAX) {
		*out = tc_xmalloc((best_n + 1) * sizeof **out);
		for (size_t i = 0; i < best_n; i++) {
			const vns *x = &v->ns[v->labels[best_lo + i].ns];
			if (tc_vsel_matches(sel, x->labels, x->name))
				(*out)[n++] = v->labels[best_lo + i].ns;
		}
		return n;
	}
	*out = tc_xmalloc((v->nns + 1) * sizeof **out);
	for (size_t i = 0; i < v->nns; i++)
		if (tc_vsel_matches(sel, v->ns[i].labels, v->ns[i].name))
			(*out)[n++] = (uint32_t)i;
	return n;
}

/* ---- running and output ---- */

/* What an exception names first, for its row of --explain. */
static const char *exception_scope(const vexc *x)
{
	if (x->namespace)
		return x->namespace;
	return x->realm ? x->realm : "*";
}

static const char *exception_target(const vexc *x)
{
	const char *const order[] = {x->cidr, x->host, x->to_namespace, x->subject, x->kind};
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
		if (order[i])
			return order[i];
	return "*";
}

/* Each exception: a warning when it covered no finding, and its row. */
static void report_exceptions(tc_verify *v, tc_diags *d)
{
	for (size_t i = 0; i < v->nexc; i++) {
		const vexc *x = &v->exc[i];
		if (!x->used && x->rule && x->reason)
			tc_warning(
				d, x->pos, NULL,
				"the exception for '%s' covers no finding: remove it, or make it "
				"match what it was written for",
				x->rule);
		tc_vrow(v, "exception", x->rule ? x->rule : "", exception_scope(x),
		        exception_target(x), x->used ? "used" : "unused",
		        x->reason ? x->reason : "");
	}
}

size_t tc_verify_run(tc_verify *v, tc_diags *d)
{
	if (v->ran)
		return v->nfindings;
	v->ran = true;
	build_model(v);
	tc_vexc_load(v);
	tc_verify_net(v, d);
	tc_verify_rbac(v, d);
	tc_verify_gitops(v, d);
	tc_verify_admission(v, d);
	tc_verify_realm(v, d);
	tc_verify_secrets(v, d);
	report_exceptions(v, d);
	return v->nfindings;
}
