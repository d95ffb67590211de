/*
 * tenant_view.c - the merged, per-environment view of a tenant (see
 * tenant_view.h): the check that every `overrides` section belongs to one
 * of the tenant's environments, and the view the templates get.
 *
 * The view is made per job and environment in the job's arena; it shares
 * everything it does not change with the loaded tenant.yaml, so values keep
 * the positions of the lines that set them: an error about a value from a
 * section points into that section.
 */
#include "tenant_view.h"

#include "merge.h"

#include <string.h>

int tc_tenant_view_check(const tc_repo *r, const tc_tenant *t, tc_diags *d)
{
	const tc_value *ov = tc_value_getz(t->doc, "overrides");
	if (!ov || ov->kind != TC_OBJECT)
		return 0;
	tc_path at = TC_PATH_KEY(NULL, "overrides", 9);
	int rc = 0;
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
