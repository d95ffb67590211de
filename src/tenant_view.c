/*
 * tenant_view.c - the merged, per-environment view of a tenant (see
 * tenant_view.h): the check that every `overrides` section belongs to one
 * of the tenant's environments and that each environment places the tenant
 * on one of its clusters, and the view the templates get.
 *
 * The view is made per job and environment in the job's arena; it shares
 * everything it does not change with the loaded tenant.yaml, so values keep
 * the positions of the lines that set them: an error about a value from a
 * section points into that section.
 */
#include "tenant_view.h"

#include "merge.h"

#include <string.h>

/* The tenant's `cluster` in env: its section's, else the file's, else NULL;
 * *sec tells which. */
static const tc_value *placement(const tc_tenant *t, const tc_env *env, bool *sec)
{
	const tc_value *ov = tc_value_getz(t->doc, "overrides");
	ov = ov && ov->kind == TC_OBJECT ? tc_value_getz(ov, env->name) : NULL;
	const tc_value *c = ov && ov->kind == TC_OBJECT ? tc_value_getz(ov, "cluster") : NULL;
	*sec = c != NULL;
	return c ? c : tc_value_getz(t->doc, "cluster");
}

/* The entry of env's `clusters` named name (any entry when name is NULL). */
static const tc_value *env_cluster(const tc_env *env, const tc_value *name)
{
	const tc_value *cl = tc_value_getz(env->doc, "clusters");
	if (!cl || cl->kind != TC_ARRAY)
		return NULL;
	for (size_t i = 0; i < cl->u.arr.len; i++) {
		const tc_value *n = tc_value_getz(cl->u.arr.items[i], "name");
		if (n && n->kind == TC_STR &&
		    (!name || (n->u.str.len == name->u.str.len &&
		               memcmp(n->u.str.ptr, name->u.str.ptr, n->u.str.len) == 0)))
			return n;
	}
	return NULL;
}

/* Each environment of the tenant places it on one of its `clusters`. */
static int check_placement(const tc_tenant *t, tc_diags *d)
{
	int rc = 0;
	for (size_t k = 0; k < t->nenvs; k++) {
		const tc_env *env = t->envs[k];
		bool sec;
		const tc_value *c = placement(t, env, &sec);
		if (!c)
			continue;
		tc_path ao = TC_PATH_KEY(NULL, "overrides", 9);
		tc_path ae = TC_PATH_KEY(&ao, env->name, strlen(env->name));
		tc_path at = TC_PATH_KEY(sec ? &ae : NULL, "cluster", 7);
		int e = 0;
		if (c->kind != TC_STR) {
			e = tc_error(d, c->pos, &at, "'cluster' must be a string, not %s",
			             tc_kind_name(c->kind));
		} else if (!env_cluster(env, NULL)) {
			e = tc_error(d, c->pos, &at,
			             "tenant '%s' is placed on cluster '%.*s', but environment "
			             "'%s' lists no 'clusters' (%s)",
			             t->name, (int)c->u.str.len, c->u.str.ptr, env->name,
			             env->path);
		} else if (!env_cluster(env, c)) {
			e = tc_error(d, c->pos, &at,
			             "environment '%s' lists no cluster '%.*s' (see 'clusters' "
			             "in %s)",
			             env->name, (int)c->u.str.len, c->u.str.ptr, env->path);
		}
		if (e) {
			rc = e;
			if (!sec)
				break; /* one error for the file's value, not one per environment */
		}
	}
	return rc;
}

int tc_tenant_view_check(const tc_repo *r, const tc_tenant *t, tc_diags *d)
{
	int rc = check_placement(t, d);
	const tc_value *ov = tc_value_getz(t->doc, "overrides");
	if (!ov || ov->kind != TC_OBJECT)
		return rc;
	tc_path at = TC_PATH_KEY(NULL, "overrides", 9);
	for (size_t i = 0; i < ov->u.obj.len; i++) {
		const tc_member *m = &ov->u.obj.members[i];
		bool in = false;
		for (size_t k = 0; k < t->nenvs && !in; k++)
			in = strlen(t->envs[k]->name) == m->klen &&
			     memcmp(t->envs[k]->name, m->key, m->klen) == 0;
		if (in)
			continue;
		tc_path am = TC_PATH_KEY(&at, m->key, m->klen);
		if (!tc_repo_env(r, m->key))
			rc = tc_error(d, m->kpos, &am,
			              "overrides for unknown environment '%s' (see environments/)",
			              m->key);
		else
			rc = tc_error(
				d, m->kpos, &am,
				"overrides for environment '%s', which tenant '%s' is not rendered "
				"into (see 'environments')",
				m->key, t->name);
	}
	return rc;
}

tc_value *tc_tenant_view(tc_arena *a, const tc_tenant *t, const tc_env *env)
{
	const tc_value *doc = t->doc;
	tc_objb b;
	tc_objb_init(&b);
	for (size_t i = 0; i < doc->u.obj.len; i++) {
		const tc_member *m = &doc->u.obj.members[i];
		if (strcmp(m->key, "overrides") != 0)
			tc_objb_add(&b, m->key, m->klen, m->kpos, m->val);
	}
	/* in an environment with several clusters, a tenant that names none is
	 * placed on the first; a section's `cluster` replaces it below */
	bool in_sec;
	tc_value *first = (tc_value *)env_cluster(env, NULL);
	if (first && !placement(t, env, &in_sec))
		tc_objb_addz(&b, "cluster", first);
	if (!tc_value_getz(doc, "values"))
		tc_objb_addz(&b, "values", tc_value_object(a, NULL, 0, doc->pos, NULL));
	tc_value *base = tc_objb_finish(&b, a, doc->pos, NULL);
	const tc_value *sec = tc_value_dig(doc, "overrides");
	sec = sec ? tc_value_getz(sec, env->name) : NULL;
	if (!sec || sec->kind != TC_OBJECT)
		return base;
	tc_value *v = tc_merge(a, base, sec, NULL);
	if (v != base) { /* the view is the tenant's file, not its section */
		v = tc_value_copy(a, v);
		v->pos = doc->pos;
	}
	return v;
}
