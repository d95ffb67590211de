/*
 * verify.h - the isolation verifier: from the objects a render made, prove
 * that tenants are isolated from each other and from the platform, and
 * report every place where they are not.
 *
 * A render feeds it through tc_render_opts.observe (tc_verify_observe):
 * every object but Secrets, with its environment and the tenant whose job
 * made it. tc_verify_run then computes five families of invariants over
 * all environments at once (docs/verify.md):
 *
 *   network.*   NetworkPolicy semantics: default deny both ways, no flow
 *               between tenants or environments, egress only to DNS,
 *               Keycloak, the tenant's declared CIDRs and ports and what
 *               the platform declares (verify_net.c)
 *   rbac.*      what the subjects bound in tenant namespaces can do:
 *               writes outside their namespaces, Secrets read directly or
 *               through workloads, exec, attach, impersonate, escalate,
 *               bind, cluster-scoped rights (verify_rbac.c)
 *   gitops.*    ArgoCD Applications confined by their AppProject, Flux
 *               Kustomizations by serviceAccountName and targetNamespace
 *   admission.* every tenant namespace covered by the image-signature
 *               policies of its environment (verify_gitops.c)
 *   realm.*     a realm trusts only its environment's hosts: every host of
 *               its clients' redirect URIs and web origins is in the
 *               environment's domain or the tenant's trustedHosts there,
 *               and none is another environment's (verify_realm.c)
 *
 * Each violation is one finding (class TC_DIAG_FINDING, exit 1) at the
 * template position of the value that breaks the invariant, with the field
 * path inside the rendered object, the message opening with the rule:
 *
 *   templates/tenant/network-policies.yaml:40:11: error: network.egress:
 *     NetworkPolicy acme-prod/allow-x lets pods reach 0.0.0.0/0 on every
 *     port ... (at .spec.egress[0].to[0].ipBlock.cidr)
 *
 * Exceptions come from tenantc.yaml `verify.exceptions` (each with a
 * reason); a finding an exception covers is not reported, and the
 * exception shows in --explain. Nothing here reads files or the clock,
 * and the results are in a fixed order whatever order the objects came in.
 */
#ifndef TC_VERIFY_H
#define TC_VERIFY_H

#include <stdbool.h>
#include <stdio.h>

#include "buf.h"
#include "diag.h"
#include "value.h"

struct tc_env;
struct tc_tenant;

typedef struct tc_verify tc_verify;

/* A verifier for one run. settings is tenantc.yaml as loaded (its
 * `verify` member; NULL or absent: the defaults); it must outlive the
 * verifier. Released with tc_verify_free. */
tc_verify *tc_verify_new(const tc_value *settings);
void tc_verify_free(tc_verify *v);

/* False when tenantc.yaml says `verify: {enabled: false}`. */
bool tc_verify_enabled(const tc_verify *v);

/* The observer for tc_render_opts.observe (ctx is the tc_verify). Keeps a
 * copy of what the verifier needs; thread-safe. */
void tc_verify_observe(void *ctx, const struct tc_env *env, const struct tc_tenant *tenant,
                       const tc_value *obj);

/* Add a copy of obj as if a render of environment env had made it, by
 * tenant (NULL: the environment's templates); tenant_doc is that tenant's
 * tenant.yaml (may be NULL). For tests and tools that hold objects. */
void tc_verify_add(tc_verify *v, const char *env, const char *tenant, const tc_value *tenant_doc,
                   const tc_value *obj);

/* Tell the verifier environment env's DNS domain (NULL: none), which the
 * realm invariant judges hosts by; tc_verify_observe does it for every
 * environment it sees. For tests and tools that use tc_verify_add. */
void tc_verify_env(tc_verify *v, const char *env, const char *domain);

/* Compute every invariant; findings go to d. Returns the number of
 * findings reported (exceptions applied). Call once. */
size_t tc_verify_run(tc_verify *v, tc_diags *d);

/* After tc_verify_run: the allowed flows and rights as a text table
 * (--explain), or everything as one JSON document (--format json). */
void tc_verify_explain(const tc_verify *v, tc_buf *out);
void tc_verify_json(const tc_verify *v, const tc_diags *d, tc_buf *out);

#endif
