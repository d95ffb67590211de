/*
 * realm_groups.h - the checks of a tenant's realm groups, client roles and
 * client scopes that the schema cannot make, each an error at the line of
 * tenant.yaml that breaks it (docs/keycloak.md, "What render checks"):
 *
 *   - in each list (the file's and every overrides section's): a group
 *     name once among its siblings, a client scope name once in the realm
 *     and none of Keycloak's own scopes, a protocol mapper name once in its
 *     scope, a client not both in a scope's defaultFor and optionalFor, no
 *     attribute name of tenantc's own ("tenantc.io/...");
 *   - in each environment's realm (the tenant as that environment sees
 *     it): a group's realm roles are roles of the realm, its client roles
 *     roles of a client of the realm, and a scope's defaultFor and
 *     optionalFor name clients of the realm.
 *
 * Strings with "${" are refused by realm_check.h, for these as for every
 * other string of the realm.
 */
#ifndef TC_REALM_GROUPS_H
#define TC_REALM_GROUPS_H

#include "repo.h"

/* The group and client scope checks of t->doc, in each of t->envs. */
int tc_realm_check_groups(tc_arena *a, const tc_tenant *t, tc_diags *d)
	__attribute__((warn_unused_result));

#endif
