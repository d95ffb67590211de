/*
 * realm_check.h - the checks of a tenant's Keycloak realm settings that
 * the schema cannot make, each an error at the line of tenant.yaml that
 * breaks it (docs/keycloak.md, "What render checks"):
 *
 *   - no tenant string that reaches the realm (displayName, realm.*, in
 *     the file and in every overrides section) holds "${": Keycloak
 *     resolves ${...} in realm values (a realm import with placeholders
 *     replaces it with a server environment variable, a display name with
 *     a message of the theme);
 *   - a clientId appears once in each list of clients;
 *   - redirect URIs are absolute https URLs without a fragment (http only
 *     on the loopback host), web origins "+" or such an origin (whose
 *     hosts a realm may trust is the verifier's realm invariant, judged
 *     on the rendered realm: verify.h, docs/verify.md);
 *   - every confidential and service-account client has its secret in
 *     the environment's realm-clients.yaml, encrypted (a SOPS file); the
 *     render checks this when a tenant template uses the Secret
 *     realm-clients, as the example's Keycloak templates do.
 */
#ifndef TC_REALM_CHECK_H
#define TC_REALM_CHECK_H

#include "repo.h"

/* The string, clientId and URI checks of t->doc, in each of t->envs. */
int tc_realm_check(tc_arena *a, const tc_tenant *t, tc_diags *d)
	__attribute__((warn_unused_result));

/* The client secrets of t as env sees it (t loaded with its secrets). */
int tc_realm_check_secrets(tc_arena *a, const tc_tenant *t, const tc_env *env, tc_diags *d)
	__attribute__((warn_unused_result));

#endif
