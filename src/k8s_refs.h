/*
 * k8s_refs.h - reference integrity over one cluster's objects: every name
 * an object refers to by (a Secret key of a container's environment, a
 * RoleBinding's role, a Flux source, an Argo CD project and destination,
 * an ExternalSecret's store, a Keycloak realm placeholder's Secret key, ...)
 * must be an object that the same set of objects holds, or one the cluster
 * provides (Kubernetes' own objects, entries of the `provided` setting).
 *
 * Use: add every object of one environment (or one set of files), add the
 * provided entries (best before the objects: references to them are then
 * settled as they come), then report once. Objects go into an index of
 * hashes of their group, kind, namespace and name, so the objects may be
 * freed after adding and the check is O(n) in the objects and references,
 * never all pairs. A reference is kept only while its object is missing;
 * memory follows the objects' identities and the open references. Not
 * thread-safe: a caller that adds from several threads holds a lock.
 */
#ifndef TC_K8S_REFS_H
#define TC_K8S_REFS_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "value.h"

typedef struct tc_k8s_refs tc_k8s_refs;

/* A set with Kubernetes' own objects in it (the built-in ClusterRoles,
 * each namespace's `default` ServiceAccount and `kube-root-ca.crt`
 * ConfigMap, Argo CD's `default` project). Free with tc_k8s_refs_free. */
tc_k8s_refs *tc_k8s_refs_new(void);
void tc_k8s_refs_free(tc_k8s_refs *s);

/* The entries of the `provided` setting (a list of mappings with
 * apiVersion, kind, name, optional namespace, keys and environments; "*"
 * for any namespace or name) that apply to environment env (NULL: every
 * entry). Entries of another shape are skipped: the settings schema
 * reports them. */
void tc_k8s_refs_provide(tc_k8s_refs *s, const tc_value *provided, const char *env);

/* What obj provides and refers to. at is the object's path (NULL for a
 * document). Only key names of Secrets are read, never their values. */
void tc_k8s_refs_add(tc_k8s_refs *s, const tc_value *obj, const tc_path *at);

/* An object known only by its identity (a render's cache): it provides
 * itself with keys unknown, and its references are not checked. */
void tc_k8s_refs_add_ident(tc_k8s_refs *s, const char *api, size_t alen, const char *kind,
                           size_t klen, const char *ns, size_t nslen, const char *name,
                           size_t nlen);

/* An identity: group, kind, namespace ("" when cluster-scoped) and name,
 * each f[i] of n[i] bytes. */
typedef struct tc_k8s_ident {
	const char *f[4];
	size_t n[4];
} tc_k8s_ident;

/* Whether an object of the identity exists outside the set. */
typedef bool (*tc_k8s_known_fn)(void *ud, const tc_k8s_ident *id);

/* After every object is in, before report, when some objects were left
 * out of the set because they can be looked up (the kept tenants of an
 * incremental render, in the tree state's index of identity hashes): each
 * identity that a reference still open could be settled or judged by, and
 * that the set does not hold, is given to known; those it says exist are
 * added as by tc_k8s_refs_add_ident. The report is then the one of a set
 * that held them all, at a cost that follows the open references, not the
 * objects left out. */
void tc_k8s_refs_complete(tc_k8s_refs *s, tc_k8s_known_fn known, void *ud);

/* The number of references kept because they are not known to resolve
 * yet (what the set holds besides the identities). */
size_t tc_k8s_refs_open(const tc_k8s_refs *s);

/* Report every reference that resolves to nothing, at the referring value's
 * position, naming both ends. Returns the number reported. */
size_t tc_k8s_refs_report(tc_k8s_refs *s, tc_diags *d, tc_diag_class cls);

#endif
