/*
 * merge.c - layered settings: maps merge key by key, lists and scalars
 * replace (see merge.h for the rule and why).
 *
 * Values are immutable, so the result shares whatever one side has alone
 * and allocates only the objects present on both sides. Member order needs
 * no sort: both member lists are sorted by key bytes, and a merge walk of
 * the two keeps the result sorted.
 */
#include "merge.h"

#include <string.h>

tc_value *tc_merge(tc_arena *a, const tc_value *base, const tc_value *over, size_t *steps)
{
	if (!base || base->kind != TC_OBJECT || over->kind != TC_OBJECT)
		return (tc_value *)over;
	size_t nb = base->u.obj.len, no = over->u.obj.len;
	if (steps)
		*steps += nb + no;
	if (nb == 0)
		return (tc_value *)over;
	tc_member *m = tc_arena_alloc(a, (nb + no) * sizeof *m);
	size_t i = 0, k = 0, n = 0;
	while (i < nb || k < no) {
		const tc_member *bm = i < nb ? &base->u.obj.members[i] : NULL;
		const tc_member *om = k < no ? &over->u.obj.members[k] : NULL;
		int c = !bm ? 1 : !om ? -1 : tc_bytes_cmp(bm->key, bm->klen, om->key, om->klen);
		if (c < 0) {
			m[n++] = *bm;
			i++;
		} else if (c > 0) {
			m[n++] = *om;
			k++;
		} else {
			m[n] = *om;
			m[n++].val = tc_merge(a, bm->val, om->val, steps);
			i++;
			k++;
		}
	}
	tc_value *v = tc_arena_alloc(a, sizeof *v);
	*v = *over;
	v->flags = over->flags | (base->flags & TC_VAL_SECRET);
	v->u.obj.members = m;
	v->u.obj.len = n;
	return v;
}
