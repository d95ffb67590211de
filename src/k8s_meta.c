/*
 * k8s_meta.c - rules shared by many kinds: ObjectMeta's finalizers and
 * ownerReferences, label maps and label selectors, ports, enumerations,
 * non-negative fields, resource quantities and container resources.
 *
 * Upstream: k8s.io/apimachinery/pkg/api/validation/objectmeta.go
 * (ValidateFinalizers, ValidateOwnerReferences), pkg/apis/core/validation
 * (validateKubeFinalizerName, ValidateResourceRequirements,
 * ValidateResourceQuantityValue, validateContainerResourceName), and
 * k8s.io/apimachinery/pkg/apis/meta/v1/validation (ValidateLabels,
 * ValidateLabelSelector). Names, label syntax and the annotation rules are
 * in k8s.c.
 */
#include "k8s_rules.h"

#include "k8s.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

void tc_k8s_report(tc_k8s_ctx *o, tc_pos pos, const tc_path *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tc_diag_add(o->d, TC_SEV_ERROR, o->cls, pos, at, fmt, ap);
	va_end(ap);
	o->ok = false;
}

void tc_k8s_check_labels(tc_k8s_ctx *o, const tc_value *map, const tc_path *at)
{
	if (!tc_k8s_obj(map))
		return;
	for (size_t i = 0; i < map->u.obj.len; i++) {
		const tc_member *m = &map->u.obj.members[i];
		tc_path p = TC_PATH_KEY(at, m->key, m->klen);
		if (!tc_k8s_is_qualified_name(m->key, m->klen))
			tc_k8s_report(
				o, m->kpos, &p,
				"'%.*s' is not a valid label key: [prefix/]name, name at most 63 "
				"letters, digits, '-', '_' and '.', starting and ending with a "
				"letter or digit, prefix a DNS subdomain",
				(int)(m->klen > 80 ? 80 : m->klen), m->key);
		const tc_value *v = tc_k8s_str(m->val);
		if (v && !tc_k8s_is_label_value(v->u.str.ptr, v->u.str.len))
			tc_k8s_report(
				o, v->pos, &p,
				"'%.*s' is not a valid label value: at most 63 letters, digits, "
				"'-', '_' and '.', starting and ending with a letter or digit",
				TC_K8S_SHOW(v));
	}
}

/* one matchExpressions requirement: a label key, an operator with values for
 * In and NotIn only, valid label values */
static void check_requirement(tc_k8s_ctx *o, const tc_value *e, const tc_path *ep)
{
	tc_k8s_field key = tc_k8s_field_of(e, "key", ep);
	tc_k8s_field op = tc_k8s_field_of(e, "operator", ep);
	tc_k8s_field vals = tc_k8s_field_of(e, "values", ep);
	size_t nv = tc_k8s_arr(vals.v) ? vals.v->u.arr.len : 0;
	if (tc_k8s_str(key.v) && !tc_k8s_is_qualified_name(key.v->u.str.ptr, key.v->u.str.len))
		tc_k8s_report(o, key.v->pos, &key.p, "'%.*s' is not a valid label key",
		              TC_K8S_SHOW(key.v));
	if (!tc_k8s_str(op.v))
		return;
	if (tc_value_streq(op.v, "In") || tc_value_streq(op.v, "NotIn")) {
		if (nv == 0)
			tc_k8s_report(o, op.v->pos, &vals.p,
			              "operator '%s' needs at least one value", op.v->u.str.ptr);
	} else if (tc_value_streq(op.v, "Exists") || tc_value_streq(op.v, "DoesNotExist")) {
		if (nv)
			tc_k8s_report(o, vals.v->pos, &vals.p, "operator '%s' takes no values",
			              op.v->u.str.ptr);
	} else {
		tc_k8s_report(o, op.v->pos, &op.p,
		              "'%.*s' is not a selector operator: In, NotIn, Exists or "
		              "DoesNotExist",
		              TC_K8S_SHOW(op.v));
	}
	for (size_t k = 0; k < nv; k++) {
		const tc_value *v = tc_k8s_str(vals.v->u.arr.items[k]);
		tc_path vp = TC_PATH_INDEX(&vals.p, k);
		if (v && !tc_k8s_is_label_value(v->u.str.ptr, v->u.str.len))
			tc_k8s_report(o, v->pos, &vp, "'%.*s' is not a valid label value",
			              TC_K8S_SHOW(v));
	}
}

/* ValidateLabelSelector: matchLabels as labels; matchExpressions with a
 * qualified key, an operator, and values for In/NotIn only */
void tc_k8s_check_selector(tc_k8s_ctx *o, const tc_value *sel, const tc_path *at)
{
	if (!tc_k8s_obj(sel))
		return;
	tc_k8s_field ml = tc_k8s_field_of(sel, "matchLabels", at);
	tc_k8s_check_labels(o, ml.v, &ml.p);
	tc_k8s_field me = tc_k8s_field_of(sel, "matchExpressions", at);
	for (size_t i = 0; tc_k8s_arr(me.v) && i < me.v->u.arr.len; i++) {
		tc_path ep = TC_PATH_INDEX(&me.p, i);
		check_requirement(o, me.v->u.arr.items[i], &ep);
	}
}

static bool has_value(const tc_value *vals, const tc_value *v)
{
	for (size_t i = 0; tc_k8s_arr(vals) && i < vals->u.arr.len; i++)
		if (v && tc_value_equal(vals->u.arr.items[i], v))
			return true;
	return false;
}

bool tc_k8s_selector_matches(const tc_value *sel, const tc_value *labels)
{
	const tc_value *ml = tc_k8s_obj(tc_value_getz(sel, "matchLabels"));
	for (size_t i = 0; ml && i < ml->u.obj.len; i++) {
		const tc_member *m = &ml->u.obj.members[i];
		const tc_value *v = tc_value_get(labels, m->key, m->klen);
		if (!v || !tc_value_equal(v, m->val))
			return false;
	}
	const tc_value *me = tc_k8s_arr(tc_value_getz(sel, "matchExpressions"));
	for (size_t i = 0; me && i < me->u.arr.len; i++) {
		const tc_value *e = me->u.arr.items[i];
		const tc_value *key = tc_k8s_str(tc_value_getz(e, "key"));
		const tc_value *op = tc_value_getz(e, "operator");
		const tc_value *vals = tc_value_getz(e, "values");
		if (!key)
			continue;
		const tc_value *v = tc_value_get(labels, key->u.str.ptr, key->u.str.len);
		if (tc_value_streq(op, "In") && !has_value(vals, v))
			return false;
		if (tc_value_streq(op, "NotIn") && v && has_value(vals, v))
			return false;
		if (tc_value_streq(op, "Exists") && !v)
			return false;
		if (tc_value_streq(op, "DoesNotExist") && v)
			return false;
	}
	return true;
}

void tc_k8s_check_port(tc_k8s_ctx *o, const tc_value *v, const tc_path *at, bool names)
{
	if (!v)
		return;
	if (v->kind == TC_INT) {
		if (v->u.i < 1 || v->u.i > 65535)
			tc_k8s_report(o, v->pos, at, "port %" PRId64 " is not between 1 and 65535",
			              v->u.i);
	} else if (v->kind == TC_STR) {
		if (!names) {
			if (!o->typed)
				tc_k8s_report(o, v->pos, at, "'%.*s' is not a port number",
				              TC_K8S_SHOW(v));
		} else if (!tc_k8s_is_port_name(v->u.str.ptr, v->u.str.len))
			tc_k8s_report(
				o, v->pos, at,
				"'%.*s' is not a valid port name: an IANA_SVC_NAME, at most 15 "
				"lower-case letters, digits and '-', with a letter, without "
				"'-' at either end or twice in a row",
				TC_K8S_SHOW(v));
	}
}

void tc_k8s_check_nonneg(tc_k8s_ctx *o, const tc_value *obj, const char *key, const tc_path *at)
{
	tc_k8s_field f = tc_k8s_field_of(obj, key, at);
	int64_t n;
	if (tc_k8s_int(f.v, &n) && n < 0)
		tc_k8s_report(o, f.v->pos, &f.p,
		              "%s must be greater than or equal to 0, not %" PRId64, key, n);
}

void tc_k8s_check_enum(tc_k8s_ctx *o, const tc_value *obj, const char *key, const tc_path *at,
                       const char *const *allowed)
{
	tc_k8s_field f = tc_k8s_field_of(obj, key, at);
	if (!tc_k8s_str(f.v))
		return;
	char list[256];
	size_t len = 0;
	list[0] = 0;
	for (size_t i = 0; allowed[i]; i++) {
		if (tc_value_streq(f.v, allowed[i]))
			return;
		int w = snprintf(list + len, sizeof list - len, "%s'%s'", i ? ", " : "",
		                 allowed[i]);
		if (w > 0 && (size_t)w < sizeof list - len)
			len += (size_t)w;
	}
	tc_k8s_report(o, f.v->pos, &f.p, "'%.*s' is not a supported %s: %s", TC_K8S_SHOW(f.v), key,
	              list);
}

/* helper.IsStandardContainerResourceName and IsHugePageResourceName */
static bool is_hugepages(const char *r)
{
	return strncmp(r, "hugepages-", 10) == 0;
}

static bool is_native(const char *r)
{
	return !strchr(r, '/') || strstr(r, "kubernetes.io/") != NULL;
}

static bool is_integer_resource(const char *r)
{
	static const char *const ints[] = {"configmaps",
	                                   "persistentvolumeclaims",
	                                   "pods",
	                                   "replicationcontrollers",
	                                   "resourcequotas",
	                                   "secrets",
	                                   "services",
	                                   "services.loadbalancers",
	                                   "services.nodeports",
	                                   NULL};
	for (size_t i = 0; ints[i]; i++)
		if (strcmp(r, ints[i]) == 0)
			return true;
	/* extended resources: not native, not "requests.", qualified */
	return !is_native(r) && strncmp(r, "requests.", 9) != 0;
}

bool tc_k8s_check_quantity(tc_k8s_ctx *o, const char *res, const tc_value *q, const tc_path *at,
                           double *out)
{
	double v;
	if (!q || q->kind == TC_NULL)
		return false;
	if (!tc_k8s_quantity(q, &v)) {
		if (q->kind == TC_STR && !o->typed)
			tc_k8s_report(o, q->pos, at,
			              "'%.*s' is not a quantity: a number with an optional suffix "
			              "(Ki, Mi, Gi, Ti, Pi, Ei, n, u, m, k, M, G, T, P, E or an "
			              "exponent), such as '500m' or '1Gi'",
			              TC_K8S_SHOW(q));
		return false;
	}
	if (v < 0) {
		tc_k8s_report(o, q->pos, at, "%s must be greater than or equal to 0", res);
		return false;
	}
	if (is_integer_resource(res) && fabs(v - (double)(int64_t)v) > 1e-9) {
		tc_k8s_report(o, q->pos, at, "%s must be an integer", res);
		return false;
	}
	*out = v;
	return true;
}

/* validateContainerResourceName */
static void check_container_resource_name(tc_k8s_ctx *o, const tc_member *m, const tc_path *at)
{
	if (!tc_k8s_is_qualified_name(m->key, m->klen)) {
		tc_k8s_report(o, m->kpos, at, "'%s' is not a valid resource name", m->key);
	} else if (!memchr(m->key, '/', m->klen)) {
		if (strcmp(m->key, "cpu") != 0 && strcmp(m->key, "memory") != 0 &&
		    strcmp(m->key, "ephemeral-storage") != 0 && !is_hugepages(m->key))
			tc_k8s_report(
				o, m->kpos, at,
				"'%s' is not a standard resource for containers (cpu, memory, "
				"ephemeral-storage, hugepages-<size>, or a name with a domain "
				"prefix such as example.com/gpu)",
				m->key);
	} else if (!is_native(m->key) && strncmp(m->key, "requests.", 9) == 0) {
		tc_k8s_report(o, m->kpos, at,
		              "'%s' does not follow the extended resource name rules", m->key);
	}
}

/* a quantity as written, for messages */
static const char *qtext(char *buf, size_t n, const tc_value *q)
{
	if (q->kind == TC_STR)
		snprintf(buf, n, "%.*s", TC_K8S_SHOW(q));
	else if (q->kind == TC_INT)
		snprintf(buf, n, "%" PRId64, q->u.i);
	else
		snprintf(buf, n, "%g", tc_value_num(q));
	return buf;
}

static bool overcommit(const char *r)
{
	return is_native(r) && !is_hugepages(r);
}

void tc_k8s_check_resources(tc_k8s_ctx *o, const tc_value *res, const tc_path *at)
{
	tc_k8s_field lim = tc_k8s_field_of(res, "limits", at);
	tc_k8s_field req = tc_k8s_field_of(res, "requests", at);
	bool cpu_mem = false, huge = false;
	const tc_value *lv = tc_k8s_obj(lim.v), *rv = tc_k8s_obj(req.v);
	for (size_t i = 0; lv && i < lv->u.obj.len; i++) {
		const tc_member *m = &lv->u.obj.members[i];
		tc_path p = TC_PATH_KEY(&lim.p, m->key, m->klen);
		double q;
		check_container_resource_name(o, m, &p);
		tc_k8s_check_quantity(o, m->key, m->val, &p, &q);
		cpu_mem |= !strcmp(m->key, "cpu") || !strcmp(m->key, "memory");
		huge |= is_hugepages(m->key);
	}
	for (size_t i = 0; rv && i < rv->u.obj.len; i++) {
		const tc_member *m = &rv->u.obj.members[i];
		tc_path p = TC_PATH_KEY(&req.p, m->key, m->klen);
		double q, l;
		char lt[96];
		check_container_resource_name(o, m, &p);
		cpu_mem |= !strcmp(m->key, "cpu") || !strcmp(m->key, "memory");
		huge |= is_hugepages(m->key);
		if (!tc_k8s_check_quantity(o, m->key, m->val, &p, &q))
			continue;
		const tc_value *lq = tc_value_get(lv, m->key, m->klen);
		if (lq && tc_k8s_quantity(lq, &l)) {
			double tol = 1e-9 * (fabs(l) > 1 ? fabs(l) : 1);
			if (!overcommit(m->key) && fabs(q - l) > tol)
				tc_k8s_report(
					o, m->val->pos, &p,
					"the %s request must equal its limit (%s): it cannot be "
					"overcommitted",
					m->key, qtext(lt, sizeof lt, lq));
			else if (q > l + tol)
				tc_k8s_report(
					o, m->val->pos, &p,
					"the %s request is above its limit (%s): requests must be "
					"less than or equal to limits",
					m->key, qtext(lt, sizeof lt, lq));
		} else if (!lq && !overcommit(m->key)) {
			tc_k8s_report(
				o, m->kpos, &p,
				"%s cannot be overcommitted: a limit must be set, equal to the "
				"request",
				m->key);
		}
	}
	if (huge && !cpu_mem)
		tc_k8s_report(o, res->pos, at,
		              "hugepages require a cpu or memory request or limit");
}

/* standard finalizer names (helper.IsStandardFinalizerName) */
static bool standard_finalizer(const tc_value *v)
{
	return tc_value_streq(v, "kubernetes") || tc_value_streq(v, "orphan") ||
	       tc_value_streq(v, "foregroundDeletion");
}

/* one finalizer: a qualified name, and for built-in kinds a standard one or
 * one with a domain prefix */
static void check_finalizer(tc_k8s_ctx *o, const tc_value *f, const tc_path *p, bool builtin)
{
	if (!tc_k8s_is_qualified_name(f->u.str.ptr, f->u.str.len))
		tc_k8s_report(o, f->pos, p,
		              "'%.*s' is not a valid finalizer name: a qualified name such as "
		              "example.com/cleanup",
		              TC_K8S_SHOW(f));
	else if (builtin && !memchr(f->u.str.ptr, '/', f->u.str.len) && !standard_finalizer(f))
		tc_k8s_report(o, f->pos, p,
		              "'%.*s' is neither a standard finalizer name nor fully qualified "
		              "(give it a domain prefix, such as example.com/%.*s)",
		              TC_K8S_SHOW(f), TC_K8S_SHOW(f));
}

/* one owner reference: its four fields, a version, not an Event; counts the
 * controllers in *controllers */
static void check_owner(tc_k8s_ctx *o, const tc_value *r, const tc_path *p, size_t *controllers)
{
	static const char *const req[] = {"apiVersion", "kind", "name", "uid"};
	for (size_t k = 0; k < 4; k++) {
		tc_k8s_field f = tc_k8s_field_of(r, req[k], p);
		if (!tc_k8s_nonempty(f.v))
			tc_k8s_report(o, f.v ? f.v->pos : r->pos, &f.p,
			              "an owner reference needs a non-empty '%s'", req[k]);
	}
	const tc_value *api = tc_k8s_str(tc_value_getz(r, "apiVersion"));
	if (api && api->u.str.len && api->u.str.ptr[api->u.str.len - 1] == '/')
		tc_k8s_report(o, api->pos, p, "'%.*s' has no version", TC_K8S_SHOW(api));
	if (tc_value_streq(api, "v1") && tc_value_streq(tc_value_getz(r, "kind"), "Event"))
		tc_k8s_report(o, r->pos, p, "an Event cannot be an owner");
	const tc_value *c = tc_value_getz(r, "controller");
	if (c && c->kind == TC_BOOL && c->u.b && ++*controllers == 2)
		tc_k8s_report(o, c->pos, p,
		              "only one owner reference can have 'controller' set to true");
}

void tc_k8s_check_meta_lists(tc_k8s_ctx *o, const tc_value *meta, const tc_path *mp, bool builtin)
{
	tc_k8s_field fin = tc_k8s_field_of(meta, "finalizers", mp);
	bool orphan = false, foreground = false;
	for (size_t i = 0; tc_k8s_arr(fin.v) && i < fin.v->u.arr.len; i++) {
		const tc_value *f = tc_k8s_str(fin.v->u.arr.items[i]);
		tc_path p = TC_PATH_INDEX(&fin.p, i);
		if (!f)
			continue;
		orphan |= tc_value_streq(f, "orphan");
		foreground |= tc_value_streq(f, "foregroundDeletion");
		check_finalizer(o, f, &p, builtin);
	}
	if (orphan && foreground)
		tc_k8s_report(o, fin.v->pos, &fin.p,
		              "finalizers 'orphan' and 'foregroundDeletion' cannot be both set");
	tc_k8s_field own = tc_k8s_field_of(meta, "ownerReferences", mp);
	size_t controllers = 0;
	for (size_t i = 0; tc_k8s_arr(own.v) && i < own.v->u.arr.len; i++) {
		tc_path p = TC_PATH_INDEX(&own.p, i);
		if (tc_k8s_obj(own.v->u.arr.items[i]))
			check_owner(o, own.v->u.arr.items[i], &p, &controllers);
	}
}
