/*
 * verify_flux.c - the identity a Flux Kustomization runs as exists where
 * kustomize-controller looks for it.
 *
 * After Flux's Kustomization reference ("Role-based access control",
 * "Remote clusters/Cluster-API"): spec.serviceAccountName names a
 * ServiceAccount of the Kustomization's own namespace, which the controller
 * impersonates (system:serviceaccount:<namespace>:<name>); with
 * spec.kubeConfig it impersonates that name on the target cluster, again in
 * the Kustomization's namespace.
 *
 *   gitops.flux-account   the ServiceAccount a tenant Kustomization names
 *                         is rendered in the same environment, in the
 *                         Kustomization's namespace
 *
 * A name that only another namespace holds (a Kustomization in flux-system
 * naming the applier of the tenant's namespace) fails to apply, or, where
 * that name happens to exist, applies with an identity nobody meant.
 */
#include "verify_impl.h"

#include <string.h>

void tc_verify_flux_account(tc_verify *v, tc_diags *d, const vobj *k)
{
	const char *sa = tc_vstr(k->v, "spec.serviceAccountName");
	if (!sa || tc_vobj_find(v, k->env, "ServiceAccount", k->ns, sa))
		return;
	tc_path ps = TC_PATH_KEY(NULL, "spec", 4);
	tc_path pa = TC_PATH_KEY(&ps, "serviceAccountName", 18);
	const char *tns = tc_vstr(k->v, "spec.targetNamespace");
	vsubj s = {.namespace = tns, .to_namespace = k->ns, .subject = sa};
	tc_vfind(v, d, "gitops.flux-account", &s, tc_value_dig(k->v, "spec.serviceAccountName"), k,
	         &pa,
	         "runs as ServiceAccount '%s', which the render does not make in the "
	         "Kustomization's namespace '%s': Flux impersonates that name there (with "
	         "kubeConfig, there on the target cluster)",
	         sa, k->ns);
}
