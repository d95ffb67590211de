/*
 * cel_k8s_vap.h - ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding
 * (admissionregistration.k8s.io/v1) evaluated against the objects of a
 * render, as the API server's admission would evaluate them when the
 * objects are created.
 *
 * Per environment: the policies and bindings are those the environment
 * renders plus those of the repository's policies/ folder (which are for
 * every environment and are not written to the output); every rendered
 * object that a binding's policy matches (matchConstraints, the binding's
 * matchResources, matchConditions) is checked by the policy's validations
 * with `object`, `oldObject` (null), `params`, `namespaceObject`,
 * `request` and `variables`. A failed validation is an error at the
 * object's template line when the binding's validationActions has Deny,
 * else a warning (Warn, Audit); an expression that fails to evaluate
 * counts as a failed validation unless the policy's failurePolicy is
 * Ignore. Results do not depend on the order objects arrive in.
 */
#ifndef TC_CEL_K8S_VAP_H
#define TC_CEL_K8S_VAP_H

#include <stddef.h>

#include "diag.h"
#include "value.h"

typedef struct tc_vap_set tc_vap_set;

/* A set for nenvs environments (indexes 0..nenvs-1). */
tc_vap_set *tc_vap_set_new(size_t nenvs);
void tc_vap_set_free(tc_vap_set *s);

/* An object of the policies/ folder: a policy, a binding or a parameter
 * object, for every environment (copied; not checked itself). */
void tc_vap_add_static(tc_vap_set *s, const tc_value *obj);

/* A rendered object of environment env (copied). Thread-safe. */
void tc_vap_observe(tc_vap_set *s, size_t env, const tc_value *obj);

/* Evaluate every binding on every object; diagnostics to d (errors of
 * class TC_DIAG_FINDING). Returns the number of errors. */
size_t tc_vap_run(tc_vap_set *s, tc_diags *d);

/* The resource name (plural) the API server serves kind under, which
 * resourceRules name: the lower-case English plural that Kubernetes' own
 * kinds follow and CRDs almost always do (NetworkPolicy: networkpolicies,
 * Ingress: ingresses, Endpoints: endpoints). Written to out (NUL-ended). */
void tc_vap_resource_of(const char *kind, char *out, size_t cap);

#endif
