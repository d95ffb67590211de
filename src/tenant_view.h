/*
 * tenant_view.h - a tenant as one environment sees it.
 *
 * tenant.yaml holds the tenant's settings and, under `overrides`, one
 * section per environment that changes some of them (realm, network,
 * values). The templates of an environment see the merged view only:
 * the file without `overrides`, that environment's section merged over it
 * by the rule of merge.h (maps merge key by key, lists and scalars
 * replace), `values` present ({} when the file has none), and, when the
 * environment lists `clusters`, `cluster` present (the first one's name
 * when the tenant names none).
 */
#ifndef TC_TENANT_VIEW_H
#define TC_TENANT_VIEW_H

#include "repo.h"

/* Every section of t->doc's `overrides` must name one of t->envs (the
 * environments of r the tenant is rendered into); an error at the key of
 * each one that does not. The tenant's `cluster` (the file's, or a
 * section's for its environment) must name an entry of that environment's
 * `clusters`; an error at the value when it does not. The schema has
 * checked the sections' contents. */
int tc_tenant_view_check(const tc_repo *r, const tc_tenant *t, tc_diags *d)
	__attribute__((warn_unused_result));

/* The merged view of t in env, built in a; it shares its subtrees with
 * t->doc, so it lives as long as both. */
tc_value *tc_tenant_view(tc_arena *a, const tc_tenant *t, const tc_env *env);

#endif
