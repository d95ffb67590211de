/*
 * verify_impl.h - what the verifier's files share: the collected objects,
 * the namespace model, findings with exceptions, and the rows of
 * --explain. Not a public header: only src/verify*.c include it.
 *
 *   verify.c         collection, the model, label selectors
 *   verify_report.c  exceptions, findings, --explain and --format json
 *   verify_net.c     NetworkPolicy semantics and the network invariants
 *   verify_rbac.c    RBAC resolution and the rbac invariants
 *   verify_gitops.c  AppProjects, Flux Kustomizations, image policies
 *   verify_flux.c    the ServiceAccount a Flux Kustomization runs as
 *   verify_secrets.c External Secrets stores and their references
 */
#ifndef TC_VERIFY_IMPL_H
#define TC_VERIFY_IMPL_H

#include "verify.h"

#include "arena.h"

#include <pthread.h>
#include <stdint.h>

/* One collected object (a deep copy in the verifier's arena). */
typedef struct vobj {
	const char *env;
	const char *tenant; /* the tenant whose job made it, NULL for cluster objects */
	const char *api, *group, *kind, *ns, *name; /* ns "" when cluster-scoped */
	const tc_value *v;
} vobj;

/* A namespace of the model: rendered (its Namespace object) or only named
 * by other objects (a platform namespace such as keycloak or kube-system,
 * whose only label is kubernetes.io/metadata.name). */
typedef struct vns {
	const char *name;
	const char *env;            /* of its Namespace object; NULL when not rendered */
	const char *tenant;         /* tenant namespaces only */
	const tc_value *labels;     /* object or NULL: then only the name label */
	const vobj *o;              /* the Namespace, or NULL */
	const tc_value *tenant_doc; /* the tenant's tenant.yaml, when known */
} vns;

/* A (key, value) label of a namespace, for the label index. */
typedef struct vlabel {
	const char *key, *val;
	uint32_t ns;
} vlabel;

typedef struct vexc {
	const char *rule, *namespace, *cidr, *to_namespace, *subject, *kind, *realm, *host;
	const tc_value *ports; /* array or NULL */
	const char *reason;
	tc_pos pos;
	size_t used;
} vexc;

/* What one finding is about, for matching exceptions. */
typedef struct vsubj {
	const char *namespace;    /* the tenant namespace concerned */
	const char *cidr;         /* network.egress to an address block */
	const char *to_namespace; /* a namespace reached, written to, ... */
	const char *subject;      /* rbac: "Kind:name" or "Kind:ns:name" */
	const char *kind;         /* gitops, admission: a kind or a right */
	const char *realm;        /* realm: the realm's name */
	const char *host;         /* realm: the host a URI names */
	const tc_value *ports;    /* the ports of the rule, or NULL: all */
} vsubj;

/* A row of --explain. */
typedef struct vrow {
	const char *table; /* "flow", "right", "exception" */
	const char *cols[5];
} vrow;

enum { TC_VKEYS = 256 };

struct tc_verify {
	tc_arena a;
	pthread_mutex_t lock;
	const tc_value *settings;
	bool enabled;
	const char *keycloak_ns, *dns_ns;
	vobj *objs;
	size_t nobjs, capobjs;
	/* strings interned by content (environment, tenant and file names),
	 * a tenant's name with its tenant.yaml (viewed: a tenant.yaml was
	 * offered for it, so the observer need not build the view again) */
	struct vstr {
		const char *s;
		const tc_value *doc;
		uint64_t hash;
		uint32_t roots; /* objects copied whose position is in this file */
		bool viewed;
	} * strs;
	size_t nstrs, capstrs;
	/* the interned copies of the last member keys by their source
	 * address (verify.c intern_key) */
	struct vkey {
		const char *from, *to;
		size_t len;
	} keys[TC_VKEYS];
	/* the copied nodes, each once (verify.c share), with their hashes so
	 * that a probe reads a node only when its hash is the one sought */
	struct vnode {
		uint64_t hash;
		tc_value *node;
	} * nodes;
	size_t nnodes, capnodes;
	/* the model (tc_verify_run) */
	vns *ns;
	size_t nns;
	vlabel *labels;
	size_t nlabels;
	vexc *exc;
	size_t nexc;
	vrow *rows;
	size_t nrows, caprows;
	size_t nfindings;
	bool ran;
	/* the environments seen, with their domains (the realm invariant) */
	struct venv {
		const char *name, *domain;
	} * envs;
	size_t nenvs, capenvs;
	struct vsecrets *secrets; /* verify_secrets.c's facts */
};

/* it: each item of the array L (an expression evaluated more than once;
 * nothing when L is NULL or not an array), i its index. */
#define FOREACH_ARR(it, i, L)                                                                      \
	for (size_t i = 0; (L) && (L)->kind == TC_ARRAY && i < (L)->u.arr.len; i++)                \
		for (const tc_value *it = (L)->u.arr.items[i]; it; it = NULL)

/* verify.c */
/* The collected objects of env and kind (and namespace, unless ns is
 * NULL), a range of v->objs: *lo and the count. And one by name. */
size_t tc_vobj_range(const tc_verify *v, const char *env, const char *kind, const char *ns,
                     size_t *lo);
const vobj *tc_vobj_find(const tc_verify *v, const char *env, const char *kind, const char *ns,
                         const char *name);
const char *tc_vstr(const tc_value *o, const char *dotted);
/* The Keycloak issuer of env as the tenants' NetworkPolicies may reach it:
 * {cidrs: [CIDR...], ports: [port]} (no cidrs when the environment names
 * none, or when only tc_verify_add fed the verifier). Not thread-safe:
 * for tc_verify_run. */
const tc_value *tc_venv_issuer(tc_verify *v, const char *env);
/* What the invariants keep of a tenant's settings in env (network,
 * realm), or NULL. Not thread-safe: for tc_verify_run. */
const tc_value *tc_vtenant_doc(tc_verify *v, const char *tenant, const char *env);
const vns *tc_vns_find(const tc_verify *v, const char *name);
bool tc_vns_is_tenant(const vns *n);
/* Namespaces whose labels match a metav1.LabelSelector (NULL: none,
 * {}: all), into out (malloc'd indexes, caller frees). */
size_t tc_vns_select(const tc_verify *v, const tc_value *sel, uint32_t **out);
/* metav1.LabelSelector against a label map (NULL: no labels). An absent
 * selector matches nothing, an empty one everything. */
bool tc_vsel_matches(const tc_value *sel, const tc_value *labels, const char *name_label);
/* verify_report.c: read tenantc.yaml's verify.exceptions; report a
 * finding unless an exception covers it (true: reported); add a row of --explain. */
void tc_vexc_load(tc_verify *v);
bool tc_vfind(tc_verify *v, tc_diags *d, const char *rule, const vsubj *s, const tc_value *at,
              const vobj *o, const tc_path *path, const char *fmt, ...)
	__attribute__((format(printf, 8, 9)));
void tc_vrow(tc_verify *v, const char *table, const char *c0, const char *c1, const char *c2,
             const char *c3, const char *c4);
char *tc_vprintf(tc_verify *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* IP blocks: cidr within one of the blocks, all as text; false when a
 * text is not a CIDR. except (array of CIDR strings or NULL) is taken out
 * of cidr first. */
bool tc_vcidr_within(const char *cidr, const tc_value *except, const char *const *blocks,
                     size_t nblocks);
bool tc_vcidr_valid(const char *cidr);

void tc_verify_net(tc_verify *v, tc_diags *d);
void tc_verify_rbac(tc_verify *v, tc_diags *d);
void tc_verify_gitops(tc_verify *v, tc_diags *d);
/* verify_flux.c: the ServiceAccount a Kustomization names exists in its namespace */
void tc_verify_flux_account(tc_verify *v, tc_diags *d, const vobj *k);
void tc_verify_admission(tc_verify *v, tc_diags *d);
/* verify_realm.c: whether a ConfigMap carries a realm's clients (a data
 * value with JSON that names a "clientId"), and the realm invariant */
bool tc_vrealm_configmap(const tc_value *obj);
void tc_verify_realm(tc_verify *v, tc_diags *d);

/* verify_secrets.c: External Secrets stores. Collection (under the lock):
 * true when obj is one of ESO's kinds, whose compact facts it keeps. For
 * it, verify.c interns strings and positions and copies a value. */
bool tc_vsecrets_add(tc_verify *v, const char *env, const char *tenant, const tc_value *obj);
void tc_vsecrets_free(tc_verify *v);
void tc_verify_secrets(tc_verify *v, tc_diags *d);
const char *tc_vintern(tc_verify *v, const char *s);
tc_pos tc_vpos(tc_verify *v, tc_pos p);
const tc_value *tc_vcopy(tc_verify *v, const tc_value *x);

#endif
