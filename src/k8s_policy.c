/*
 * k8s_policy.c - ResourceQuota, LimitRange, PersistentVolumeClaim,
 * PodDisruptionBudget, HorizontalPodAutoscaler and ServiceAccount.
 *
 * Upstream: kubernetes/kubernetes pkg/apis/core/validation
 * (ValidateResourceQuotaSpec, ValidateResourceQuotaResourceName,
 * ValidateLimitRange with the defaults of SetDefaults_LimitRangeItem,
 * ValidatePersistentVolumeClaimSpec, ValidateServiceAccount);
 * pkg/apis/policy/validation (ValidatePodDisruptionBudgetSpec);
 * pkg/apis/autoscaling/validation (ValidateHorizontalPodAutoscalerSpec,
 * validateMetricSpec, validateMetricTarget, validateBehavior).
 */
#include "k8s_rules.h"

#include "k8s.h"

#include <inttypes.h>
#include <stdio.h>

/* IsStandardQuotaResourceName */
static bool quota_resource(const char *r)
{
	static const char *const names[] = {"configmaps",
	                                    "cpu",
	                                    "ephemeral-storage",
	                                    "limits.cpu",
	                                    "limits.ephemeral-storage",
	                                    "limits.memory",
	                                    "memory",
	                                    "persistentvolumeclaims",
	                                    "pods",
	                                    "replicationcontrollers",
	                                    "requests.cpu",
	                                    "requests.ephemeral-storage",
	                                    "requests.memory",
	                                    "requests.storage",
	                                    "resourcequotas",
	                                    "secrets",
	                                    "services",
	                                    "services.loadbalancers",
	                                    "services.nodeports",
	                                    NULL};
	for (size_t i = 0; names[i]; i++)
		if (!strcmp(r, names[i]))
			return true;
	return !strncmp(r, "hugepages-", 10) || !strncmp(r, "requests.hugepages-", 19);
}

void tc_k8s_rule_resourcequota(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at)
{
	tc_k8s_field spec = tc_k8s_field_of(obj, "spec", at);
	tc_k8s_field hard = tc_k8s_field_of(spec.v, "hard", &spec.p);
	for (size_t i = 0; tc_k8s_obj(hard.v) && i < hard.v->u.obj.len; i++) {
		const tc_member *m = &hard.v->u.obj.members[i];
		tc_path p = TC_PATH_KEY(&hard.p, m->key, m->klen);
		double q;
		if (!tc_k8s_is_qualified_name(m->key, m->klen) ||
		    (!memchr(m->key, '/', m->klen) && !quota_resource(m->key)))
			tc_k8s_report(
				o, m->kpos, &p,
				"'%s' is not a quota resource: a standard one (pods, "
				"requests.cpu, limits.memory, ...), count/<resource>.<group>, or a "
				"name with a domain prefix",
				m->key);
		tc_k8s_check_quantity(o, m->key, m->val, &p, &q);
	}
	static const char *const scopes[] = {"Terminating",
	                                     "NotTerminating",
	                                     "BestEffort",
	                                     "NotBestEffort",
	                                     "PriorityClass",
	                                     "CrossNamespacePodAffinity",
	                                     "VolumeAttributesClass",
	                                     NULL};
	tc_k8s_field sc = tc_k8s_field_of(spec.v, "scopes", &spec.p);
	bool seen[7] = {false};
	for (size_t i = 0; tc_k8s_arr(sc.v) && i < sc.v->u.arr.len; i++) {
		const tc_value *s = tc_k8s_str(sc.v->u.arr.items[i]);
		tc_path sp = TC_PATH_INDEX(&sc.p, i);
		size_t k = 0;
		while (s && scopes[k] && !tc_value_streq(s, scopes[k]))
			k++;
		if (s && !scopes[k])
			tc_k8s_report(o, s->pos, &sp, "'%.*s' is not a quota scope",
			              TC_K8S_SHOW(s));
		else if (s)
			seen[k] = true;
	}
	if ((seen[0] && seen[1]) || (seen[2] && seen[3]))
		tc_k8s_report(o, sc.v->pos, &sc.p,
		              "conflicting quota scopes: Terminating and NotTerminating, or "
		              "BestEffort and NotBestEffort, cannot be combined");
}

/* one quantity of a LimitRange item after defaults, or NULL */
static const tc_value *lr_get(const tc_value *item, const char *part, const tc_member *m)
{
	return tc_value_get(tc_value_getz(item, part), m->key, m->klen);
}

/* the parts of a LimitRange item, in the order of its fields */
static const char *const lr_parts[] = {"max", "min", "default", "defaultRequest",
                                       "maxLimitRequestRatio"};
enum { LR_MAX, LR_MIN, LR_DEFAULT, LR_DEFAULT_REQUEST, LR_RATIO };

/* the quantities a relation compares: the member's own and the four parts' */
enum { Q_SELF, Q_MIN, Q_MAX, Q_DEFAULT, Q_DEFAULT_REQUEST, Q_N };

/* ValidateLimitRange's orderings, in the order it checks them: when the member
 * is in one of parts, big must not be greater than small */
static const struct {
	unsigned parts;
	int big, small;
	const char *what;
} lr_order[] = {
	{1u << LR_MIN, Q_SELF, Q_MAX, "min is greater than max"},
	{1u << LR_DEFAULT_REQUEST | 1u << LR_MIN, Q_MIN, Q_DEFAULT_REQUEST,
         "min is greater than the default request"},
	{1u << LR_DEFAULT_REQUEST | 1u << LR_MAX, Q_DEFAULT_REQUEST, Q_MAX,
         "the default request is greater than max"},
	{1u << LR_DEFAULT_REQUEST | 1u << LR_DEFAULT, Q_DEFAULT_REQUEST, Q_DEFAULT,
         "the default request is greater than the default limit"},
	{1u << LR_DEFAULT | 1u << LR_MIN, Q_MIN, Q_DEFAULT,
         "min is greater than the default limit"},
	{1u << LR_DEFAULT | 1u << LR_MAX, Q_DEFAULT, Q_MAX,
         "the default limit is greater than max"},
};

/* the quantities of resource m in the item's parts after SetDefaults_LimitRangeItem
 * (Container): default from max, defaultRequest from default, else from min */
static void lr_quantities(double *q, bool *has, const tc_value *item, const tc_member *m,
                          bool container)
{
	const tc_value *vmin = lr_get(item, "min", m), *vmax = lr_get(item, "max", m);
	const tc_value *vdef = lr_get(item, "default", m);
	const tc_value *vdr = lr_get(item, "defaultRequest", m);
	if (container && !vdef)
		vdef = vmax;
	if (container && !vdr)
		vdr = vdef ? vdef : vmin;
	has[Q_MIN] = tc_k8s_quantity(vmin, &q[Q_MIN]);
	has[Q_MAX] = tc_k8s_quantity(vmax, &q[Q_MAX]);
	has[Q_DEFAULT] = tc_k8s_quantity(vdef, &q[Q_DEFAULT]);
	has[Q_DEFAULT_REQUEST] = tc_k8s_quantity(vdr, &q[Q_DEFAULT_REQUEST]);
}

/* what is wrong with resource m of part k whose quantity is self, or NULL */
static const char *lr_relation(const tc_value *item, size_t k, const tc_member *m, double self,
                               bool container)
{
	double q[Q_N] = {self};
	bool has[Q_N] = {true};
	lr_quantities(q, has, item, m, container);
	for (size_t i = 0; i < sizeof lr_order / sizeof lr_order[0]; i++) {
		int b = lr_order[i].big, sm = lr_order[i].small;
		if ((lr_order[i].parts & (1u << k)) && has[b] && has[sm] && q[b] > q[sm])
			return lr_order[i].what;
	}
	if (k == LR_RATIO && self < 1)
		return "maxLimitRequestRatio is less than 1";
	if (k == LR_RATIO && has[Q_MIN] && has[Q_MAX] && q[Q_MIN] > 0 &&
	    self > q[Q_MAX] / q[Q_MIN] + 1e-9)
		return "maxLimitRequestRatio is greater than max/min";
	return NULL;
}

/* each resource of part k: a quantity in order with the other parts */
static void check_limit_part(tc_k8s_ctx *o, const tc_value *item, size_t k, const tc_k8s_field *f,
                             bool container)
{
	for (size_t i = 0; tc_k8s_obj(f->v) && i < f->v->u.obj.len; i++) {
		const tc_member *m = &f->v->u.obj.members[i];
		tc_path p = TC_PATH_KEY(&f->p, m->key, m->klen);
		double q;
		if (!tc_k8s_quantity(m->val, &q)) {
			if (m->val->kind == TC_STR && !o->typed)
				tc_k8s_report(o, m->val->pos, &p, "'%.*s' is not a quantity",
				              TC_K8S_SHOW(m->val));
			continue;
		}
		const char *what = lr_relation(item, k, m, q, container);
		if (what)
			tc_k8s_report(o, m->val->pos, &p, "%s for '%s'", what, m->key);
	}
}

static void check_limit_item(tc_k8s_ctx *o, const tc_value *item, const tc_path *ip)
{
	tc_k8s_field type = tc_k8s_field_of(item, "type", ip);
	static const char *const types[] = {"Pod", "Container", "PersistentVolumeClaim", NULL};
	if (!tc_k8s_set(type.v))
		tc_k8s_report(o, item->pos, &type.p, "a limit needs a type");
	tc_k8s_check_enum(o, item, "type", ip, types);
	bool container = tc_value_streq(type.v, "Container");
	for (size_t k = 0; k < 5; k++) {
		tc_k8s_field f = tc_k8s_field_of(item, lr_parts[k], ip);
		if (tc_value_streq(type.v, "Pod") && (k == LR_DEFAULT || k == LR_DEFAULT_REQUEST) &&
		    tc_k8s_nonempty(f.v))
			tc_k8s_report(o, f.v->pos, &f.p,
			              "%s may not be given when the type is 'Pod'", lr_parts[k]);
		else
			check_limit_part(o, item, k, &f, container);
	}
	if (tc_value_streq(type.v, "PersistentVolumeClaim") &&
	    !tc_value_get(tc_value_getz(item, "min"), "storage", 7) &&
	    !tc_value_get(tc_value_getz(item, "max"), "storage", 7))
		tc_k8s_report(o, item->pos, ip,
		              "a PersistentVolumeClaim limit needs a min or max of 'storage'");
}

void tc_k8s_rule_limitrange(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at)
{
	tc_k8s_field spec = tc_k8s_field_of(obj, "spec", at);
	tc_k8s_field lim = tc_k8s_field_of(spec.v, "limits", &spec.p);
	for (size_t i = 0; tc_k8s_arr(lim.v) && i < lim.v->u.arr.len; i++) {
		tc_path ip = TC_PATH_INDEX(&lim.p, i);
		const tc_value *item = lim.v->u.arr.items[i];
		if (!tc_k8s_obj(item))
			continue;
		check_limit_item(o, item, &ip);
		const tc_value *t = tc_k8s_str(tc_value_getz(item, "type"));
		for (size_t k = 0; t && k < i; k++)
			if (tc_value_equal(tc_value_getz(lim.v->u.arr.items[k], "type"), t)) {
				tc_path tp = TC_PATH_KEY(&ip, "type", 4);
				tc_k8s_report(o, t->pos, &tp, "limit type '%.*s' is given twice",
				              TC_K8S_SHOW(t));
				break;
			}
	}
}

/* one access mode, one of modes; true when it is ReadWriteOncePod (modes[3]) */
static bool check_access_mode(tc_k8s_ctx *o, const tc_value *v, const tc_path *mp,
                              const char *const *modes)
{
	const tc_value *m = tc_k8s_str(v);
	if (!m)
		return false;
	size_t k = 0;
	while (modes[k] && !tc_value_streq(m, modes[k]))
		k++;
	if (!modes[k])
		tc_k8s_report(o, m->pos, mp,
		              "'%.*s' is not an access mode: ReadWriteOnce, ReadOnlyMany, "
		              "ReadWriteMany or ReadWriteOncePod",
		              TC_K8S_SHOW(m));
	return k == 3;
}

void tc_k8s_check_pvc_spec(tc_k8s_ctx *o, const tc_value *spec, const tc_path *at)
{
	if (!tc_k8s_obj(spec))
		return;
	tc_k8s_field am = tc_k8s_field_of(spec, "accessModes", at);
	static const char *const modes[] = {"ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany",
	                                    "ReadWriteOncePod", NULL};
	if (!tc_k8s_nonempty(am.v) && !tc_k8s_set(tc_value_getz(spec, "dataSourceRef")))
		tc_k8s_report(o, am.v ? am.v->pos : spec->pos, &am.p,
		              "a PersistentVolumeClaim needs at least one access mode");
	bool rwop = false;
	for (size_t i = 0; tc_k8s_arr(am.v) && i < am.v->u.arr.len; i++) {
		tc_path mp = TC_PATH_INDEX(&am.p, i);
		rwop |= check_access_mode(o, am.v->u.arr.items[i], &mp, modes);
	}
	if (rwop && am.v->u.arr.len > 1)
		tc_k8s_report(o, am.v->pos, &am.p,
		              "ReadWriteOncePod may not be combined with other access modes");
	tc_k8s_field res = tc_k8s_field_of(spec, "resources", at);
	tc_k8s_field req = tc_k8s_field_of(res.v, "requests", &res.p);
	tc_k8s_field st = tc_k8s_field_of(req.v, "storage", &req.p);
	double q;
	if (!tc_k8s_set(st.v))
		tc_k8s_report(o,
		              req.v   ? req.v->pos
		              : res.v ? res.v->pos
		                      : spec->pos,
		              &st.p, "a PersistentVolumeClaim needs resources.requests.storage");
	else if (tc_k8s_check_quantity(o, "storage", st.v, &st.p, &q) && q <= 0)
		tc_k8s_report(o, st.v->pos, &st.p, "the storage request must be greater than zero");
	static const char *const vm[] = {"Block", "Filesystem", NULL};
	tc_k8s_check_enum(o, spec, "volumeMode", at, vm);
	tc_k8s_field sc = tc_k8s_field_of(spec, "storageClassName", at);
	const tc_value *s = tc_k8s_str(sc.v);
	if (s && s->u.str.len && !tc_k8s_is_dns_subdomain(s->u.str.ptr, s->u.str.len))
		tc_k8s_report(o, s->pos, &sc.p,
		              "'%.*s' is not a valid storageClassName: a DNS-1123 subdomain",
		              TC_K8S_SHOW(s));
}

void tc_k8s_rule_pvc(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at)
{
	tc_k8s_field spec = tc_k8s_field_of(obj, "spec", at);
	tc_k8s_check_pvc_spec(o, spec.v, &spec.p);
}

/* ValidatePositiveIntOrPercent and IsNotMoreThan100Percent */
static void int_or_pct(tc_k8s_ctx *o, const tc_value *spec, const char *key, const tc_path *at)
{
	tc_k8s_field f = tc_k8s_field_of(spec, key, at);
	int64_t n;
	if (tc_k8s_int(f.v, &n) && n < 0)
		tc_k8s_report(o, f.v->pos, &f.p, "%s must be greater than or equal to 0", key);
	else if (tc_k8s_str(f.v) && !tc_k8s_is_percent(f.v->u.str.ptr, f.v->u.str.len, &n))
		tc_k8s_report(o, f.v->pos, &f.p,
		              "'%.*s' is not a valid %s: an integer or a percentage such as '50%%'",
		              TC_K8S_SHOW(f.v), key);
	else if (tc_k8s_str(f.v) && n > 100)
		tc_k8s_report(o, f.v->pos, &f.p, "%s must not be more than 100%%", key);
}

void tc_k8s_rule_pdb(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at)
{
	tc_k8s_field spec = tc_k8s_field_of(obj, "spec", at);
	if (!tc_k8s_obj(spec.v))
		return;
	tc_k8s_field mu = tc_k8s_field_of(spec.v, "maxUnavailable", &spec.p);
	if (tc_k8s_set(mu.v) && tc_k8s_set(tc_value_getz(spec.v, "minAvailable")))
		tc_k8s_report(o, mu.v->pos, &mu.p,
		              "minAvailable and maxUnavailable cannot be both set");
	int_or_pct(o, spec.v, "minAvailable", &spec.p);
	int_or_pct(o, spec.v, "maxUnavailable", &spec.p);
	tc_k8s_field sel = tc_k8s_field_of(spec.v, "selector", &spec.p);
	tc_k8s_check_selector(o, sel.v, &sel.p);
	static const char *const pol[] = {"IfHealthyBudget", "AlwaysAllow", NULL};
	tc_k8s_check_enum(o, spec.v, "unhealthyPodEvictionPolicy", &spec.p, pol);
}

static void check_target(tc_k8s_ctx *o, const tc_value *src, const tc_path *sp, bool resource)
{
	tc_k8s_field tg = tc_k8s_field_of(src, "target", sp);
	if (!tc_k8s_obj(tg.v))
		return;
	tc_k8s_field type = tc_k8s_field_of(tg.v, "type", &tg.p);
	static const char *const types[] = {"Utilization", "Value", "AverageValue", NULL};
	tc_k8s_check_enum(o, tg.v, "type", &tg.p, types);
	static const char *const need[] = {"averageUtilization", "value", "averageValue"};
	for (size_t i = 0; i < 3; i++) {
		tc_k8s_field f = tc_k8s_field_of(tg.v, need[i], &tg.p);
		if (tc_value_streq(type.v, types[i]) && !tc_k8s_set(f.v))
			tc_k8s_report(o, type.v->pos, &f.p, "target type '%s' needs %s", types[i],
			              need[i]);
		double q;
		if (i == 0) {
			int64_t n;
			if (tc_k8s_int(f.v, &n) && n <= 0)
				tc_k8s_report(o, f.v->pos, &f.p,
				              "averageUtilization must be above 0");
		} else if (tc_k8s_set(f.v) && tc_k8s_check_quantity(o, need[i], f.v, &f.p, &q) &&
		           q <= 0) {
			tc_k8s_report(o, f.v->pos, &f.p, "%s must be positive", need[i]);
		}
	}
	if (resource && tc_value_streq(type.v, "Value"))
		tc_k8s_report(o, type.v->pos, &type.p,
		              "a resource metric's target must be Utilization or AverageValue");
}

/* scaleTargetRef: a kind and a name, each a path segment */
static void check_scale_target(tc_k8s_ctx *o, const tc_value *spec, const tc_path *at)
{
	tc_k8s_field ref = tc_k8s_field_of(spec, "scaleTargetRef", at);
	static const char *const refk[] = {"kind", "name"};
	for (size_t i = 0; tc_k8s_obj(ref.v) && i < 2; i++) {
		tc_k8s_field f = tc_k8s_field_of(ref.v, refk[i], &ref.p);
		const tc_value *s = tc_k8s_str(f.v);
		if (!s || !s->u.str.len)
			tc_k8s_report(o, ref.v->pos, &f.p, "scaleTargetRef needs a %s", refk[i]);
		else if (!tc_k8s_is_path_segment(s->u.str.ptr, s->u.str.len))
			tc_k8s_report(o, s->pos, &f.p, "'%.*s' is not a valid %s", TC_K8S_SHOW(s),
			              refk[i]);
	}
}

/* minReplicas (default 1) and maxReplicas, at least 1 and in order */
static void check_replicas(tc_k8s_ctx *o, const tc_value *spec, const tc_path *at)
{
	int64_t mn = 1, mx;
	tc_k8s_field minr = tc_k8s_field_of(spec, "minReplicas", at);
	tc_k8s_field maxr = tc_k8s_field_of(spec, "maxReplicas", at);
	if (tc_k8s_int(minr.v, &mn) && mn < 1)
		tc_k8s_report(o, minr.v->pos, &minr.p, "minReplicas must be at least 1");
	if (!tc_k8s_int(maxr.v, &mx))
		return;
	if (mx < 1)
		tc_k8s_report(o, maxr.v->pos, &maxr.p, "maxReplicas must be at least 1");
	else if (mx < mn)
		tc_k8s_report(o, maxr.v->pos, &maxr.p,
		              "maxReplicas (%" PRId64 ") must be at least minReplicas (%" PRId64
		              ")",
		              mx, mn);
}

/* one metric: its type names the one source it gives */
static void check_metric(tc_k8s_ctx *o, const tc_value *m, const tc_path *mp)
{
	static const char *const kinds[] = {"Object",   "Pods", "Resource", "ContainerResource",
	                                    "External", NULL};
	static const char *const srcs[] = {"object", "pods", "resource", "containerResource",
	                                   "external"};
	tc_k8s_field type = tc_k8s_field_of(m, "type", mp);
	tc_k8s_check_enum(o, m, "type", mp, kinds);
	for (size_t k = 0; k < 5; k++) {
		tc_k8s_field f = tc_k8s_field_of(m, srcs[k], mp);
		bool mine = tc_value_streq(type.v, kinds[k]);
		if (mine && !tc_k8s_obj(f.v))
			tc_k8s_report(o, type.v->pos, &f.p, "metric type '%s' needs '%s'", kinds[k],
			              srcs[k]);
		else if (!mine && tc_k8s_set(f.v) && tc_k8s_str(type.v))
			tc_k8s_report(o, f.v->pos, &f.p,
			              "'%s' may only be given for metric type '%s'", srcs[k],
			              kinds[k]);
		else if (mine)
			check_target(o, f.v, &f.p, k == 2 || k == 3);
	}
}

/* one scaling policy: its type, value and period */
static void check_scaling_policy(tc_k8s_ctx *o, const tc_value *p, const tc_path *pp)
{
	static const char *const pt[] = {"Pods", "Percent", NULL};
	int64_t n;
	tc_k8s_check_enum(o, p, "type", pp, pt);
	tc_k8s_field v = tc_k8s_field_of(p, "value", pp);
	if (tc_k8s_int(v.v, &n) && n <= 0)
		tc_k8s_report(o, v.v->pos, &v.p, "a scaling policy's value must be above 0");
	tc_k8s_field ps = tc_k8s_field_of(p, "periodSeconds", pp);
	if (tc_k8s_int(ps.v, &n) && (n <= 0 || n > 1800))
		tc_k8s_report(o, ps.v->pos, &ps.p,
		              "a scaling policy's periodSeconds must be between 1 and 1800");
}

/* behavior.scaleUp or scaleDown */
static void check_scaling_rules(tc_k8s_ctx *o, const tc_value *r, const tc_path *rp)
{
	static const char *const sp[] = {"Max", "Min", "Disabled", NULL};
	tc_k8s_check_enum(o, r, "selectPolicy", rp, sp);
	tc_k8s_field sw = tc_k8s_field_of(r, "stabilizationWindowSeconds", rp);
	int64_t n;
	if (tc_k8s_int(sw.v, &n) && (n < 0 || n > 3600))
		tc_k8s_report(o, sw.v->pos, &sw.p,
		              "stabilizationWindowSeconds must be between 0 and 3600");
	tc_k8s_field pol = tc_k8s_field_of(r, "policies", rp);
	for (size_t i = 0; tc_k8s_arr(pol.v) && i < pol.v->u.arr.len; i++) {
		tc_path pp = TC_PATH_INDEX(&pol.p, i);
		check_scaling_policy(o, pol.v->u.arr.items[i], &pp);
	}
}

void tc_k8s_rule_hpa(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at)
{
	tc_k8s_field spec = tc_k8s_field_of(obj, "spec", at);
	if (!tc_k8s_obj(spec.v))
		return;
	check_scale_target(o, spec.v, &spec.p);
	check_replicas(o, spec.v, &spec.p);
	tc_k8s_field metrics = tc_k8s_field_of(spec.v, "metrics", &spec.p);
	for (size_t i = 0; tc_k8s_arr(metrics.v) && i < metrics.v->u.arr.len; i++) {
		tc_path mp = TC_PATH_INDEX(&metrics.p, i);
		if (tc_k8s_obj(metrics.v->u.arr.items[i]))
			check_metric(o, metrics.v->u.arr.items[i], &mp);
	}
	tc_k8s_field beh = tc_k8s_field_of(spec.v, "behavior", &spec.p);
	static const char *const dirs[] = {"scaleUp", "scaleDown"};
	for (size_t d = 0; tc_k8s_obj(beh.v) && d < 2; d++) {
		tc_k8s_field r = tc_k8s_field_of(beh.v, dirs[d], &beh.p);
		if (tc_k8s_obj(r.v))
			check_scaling_rules(o, r.v, &r.p);
	}
}

void tc_k8s_rule_serviceaccount(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at)
{
	static const char *const lists[] = {"secrets", "imagePullSecrets"};
	for (size_t l = 0; l < 2; l++) {
		tc_k8s_field f = tc_k8s_field_of(obj, lists[l], at);
		for (size_t i = 0; tc_k8s_arr(f.v) && i < f.v->u.arr.len; i++) {
			tc_path ip = TC_PATH_INDEX(&f.p, i);
			tc_k8s_field n = tc_k8s_field_of(f.v->u.arr.items[i], "name", &ip);
			const tc_value *s = tc_k8s_str(n.v);
			if (s && s->u.str.len &&
			    !tc_k8s_is_dns_subdomain(s->u.str.ptr, s->u.str.len))
				tc_k8s_report(
					o, s->pos, &n.p,
					"'%.*s' is not a valid Secret name: a DNS-1123 subdomain",
					TC_K8S_SHOW(s));
		}
	}
}
