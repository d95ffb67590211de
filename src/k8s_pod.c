/*
 * k8s_pod.c - pod specs and pod templates, as every workload kind holds
 * one: the containers and init containers together (names, host ports;
 * each container is k8s_container.c's), volumes, restart and DNS policies,
 * the pod's names and references, tolerations and topology spread
 * constraints.
 *
 * Upstream: kubernetes/kubernetes pkg/apis/core/validation/validation.go,
 * ValidatePodTemplateSpec and ValidatePodSpec with what they call
 * (ValidateVolumes, validateKeyToPath, validateAffinity with
 * ValidateNodeSelector and validatePodAffinityTerm, validateTolerations,
 * validateTopologySpreadConstraints, checkHostPortConflicts,
 * validateRestartPolicy, validateDNSPolicy, and the names of
 * validateContainers and validateInitContainers). Lists are small, so
 * names are compared pairwise and nothing is allocated.
 */
#include "k8s_rules.h"

#include "k8s.h"

#include <inttypes.h>
#include <stdio.h>

/* whether a container before container i of list l has the name n */
static bool container_name_used(const tc_value *lists[2], int l, size_t i, const tc_value *n)
{
	for (int pl = 0; pl <= l; pl++)
		if (lists[pl] &&
		    tc_k8s_used_before(lists[pl], pl == l ? i : lists[pl]->u.arr.len, "name", n))
			return true;
	return false;
}

/* the names of containers and init containers: DNS labels, unique across
 * both lists */
static void check_container_names(tc_k8s_ctx *o, const tc_value *lists[2], const tc_path *paths[2])
{
	for (int l = 0; l < 2; l++) {
		for (size_t i = 0; lists[l] && i < lists[l]->u.arr.len; i++) {
			const tc_value *c = lists[l]->u.arr.items[i];
			tc_path cp = TC_PATH_INDEX(paths[l], i);
			tc_k8s_field name = tc_k8s_field_of(c, "name", &cp);
			const tc_value *n = tc_k8s_str(name.v);
			if (!tc_k8s_obj(c))
				continue;
			if (!n || !tc_k8s_is_dns_label(n->u.str.ptr, n->u.str.len)) {
				tc_k8s_report(
					o, n ? n->pos : c->pos, &name.p,
					"'%.*s' is not a valid container name: a DNS-1123 label",
					TC_K8S_SHOW(n));
				continue;
			}
			if (container_name_used(lists, l, i, n))
				tc_k8s_report(
					o, n->pos, &name.p,
					"container name '%.*s' is used twice in this pod (containers "
					"and initContainers share one set of names)",
					TC_K8S_SHOW(n));
		}
	}
}

static void check_key_paths(tc_k8s_ctx *o, const tc_value *src, const tc_path *at)
{
	tc_k8s_field items = tc_k8s_field_of(src, "items", at);
	for (size_t i = 0; tc_k8s_arr(items.v) && i < items.v->u.arr.len; i++) {
		const tc_value *it = items.v->u.arr.items[i];
		tc_path ip = TC_PATH_INDEX(&items.p, i);
		tc_k8s_field key = tc_k8s_field_of(it, "key", &ip);
		tc_k8s_field path = tc_k8s_field_of(it, "path", &ip);
		const tc_value *p = tc_k8s_str(path.v);
		if (!tc_k8s_obj(it))
			continue;
		if (!tc_k8s_nonempty(key.v))
			tc_k8s_report(o, it->pos, &key.p, "an item needs a key");
		if (!p || !p->u.str.len)
			tc_k8s_report(o, it->pos, &path.p, "an item needs a path");
		else if (!tc_k8s_is_descending_path(p->u.str.ptr, p->u.str.len) ||
		         (p->u.str.len >= 2 && !memcmp(p->u.str.ptr, "..", 2)))
			tc_k8s_report(
				o, p->pos, &path.p,
				"path '%.*s' must be relative, without '..' and not start with '..'",
				TC_K8S_SHOW(p));
	}
	static const char *const modes[] = {"defaultMode"};
	tc_k8s_field dm = tc_k8s_field_of(src, modes[0], at);
	int64_t m;
	if (tc_k8s_int(dm.v, &m) && (m < 0 || m > 0777))
		tc_k8s_report(o, dm.v->pos, &dm.p,
		              "defaultMode must be a file mode between 0 and 0777 (511)");
}

/* one source of a volume: the fields each kind needs */
static void check_volume_source(tc_k8s_ctx *o, const tc_member *m, const tc_path *sp)
{
	if (!strcmp(m->key, "configMap") || !strcmp(m->key, "secret")) {
		const char *nk = m->key[0] == 'c' ? "name" : "secretName";
		tc_k8s_field sn = tc_k8s_field_of(m->val, nk, sp);
		if (tc_k8s_obj(m->val) && !tc_k8s_nonempty(sn.v))
			tc_k8s_report(o, m->val->pos, &sn.p, "a %s volume needs '%s'", m->key, nk);
		check_key_paths(o, m->val, sp);
	} else if (!strcmp(m->key, "persistentVolumeClaim")) {
		tc_k8s_field cn = tc_k8s_field_of(m->val, "claimName", sp);
		if (tc_k8s_obj(m->val) && !tc_k8s_nonempty(cn.v))
			tc_k8s_report(o, m->val->pos, &cn.p,
			              "a persistentVolumeClaim volume needs 'claimName'");
	} else if (!strcmp(m->key, "hostPath")) {
		tc_k8s_field hp = tc_k8s_field_of(m->val, "path", sp);
		if (tc_k8s_obj(m->val) && !tc_k8s_nonempty(hp.v))
			tc_k8s_report(o, m->val->pos, &hp.p, "a hostPath volume needs a path");
	}
}

/* volume i of vols: a DNS label unused by the volumes before it, one source */
static void check_volume(tc_k8s_ctx *o, const tc_value *vols, size_t i, const tc_path *vp)
{
	const tc_value *v = vols->u.arr.items[i];
	tc_k8s_field name = tc_k8s_field_of(v, "name", vp);
	const tc_value *n = tc_k8s_str(name.v);
	if (!n || !tc_k8s_is_dns_label(n->u.str.ptr, n->u.str.len))
		tc_k8s_report(o, n ? n->pos : v->pos, &name.p,
		              "'%.*s' is not a valid volume name: a DNS-1123 label",
		              TC_K8S_SHOW(n));
	else if (tc_k8s_used_before(vols, i, "name", n))
		tc_k8s_report(o, n->pos, &name.p, "volume name '%.*s' is used twice in this pod",
		              TC_K8S_SHOW(n));
	size_t sources = 0;
	for (size_t k = 0; k < v->u.obj.len; k++) {
		const tc_member *m = &v->u.obj.members[k];
		if (strcmp(m->key, "name") == 0 || m->val->kind == TC_NULL)
			continue;
		tc_path sp = TC_PATH_KEY(vp, m->key, m->klen);
		if (++sources == 2)
			tc_k8s_report(o, m->kpos, &sp,
			              "a volume may not have more than one source");
		check_volume_source(o, m, &sp);
	}
	/* no source at all: SetDefaults_Volume makes it an emptyDir */
}

/* ValidateVolumes: names DNS labels and unique, one source each */
static void check_volumes(tc_k8s_ctx *o, const tc_value *vols, const tc_path *at)
{
	for (size_t i = 0; tc_k8s_arr(vols) && i < vols->u.arr.len; i++) {
		tc_path vp = TC_PATH_INDEX(at, i);
		if (tc_k8s_obj(vols->u.arr.items[i]))
			check_volume(o, vols, i, &vp);
	}
}

static void check_tolerations(tc_k8s_ctx *o, const tc_value *spec, const tc_path *at)
{
	static const char *const effects[] = {"NoSchedule", "PreferNoSchedule", "NoExecute", NULL};
	tc_k8s_field tol = tc_k8s_field_of(spec, "tolerations", at);
	for (size_t i = 0; tc_k8s_arr(tol.v) && i < tol.v->u.arr.len; i++) {
		const tc_value *t = tol.v->u.arr.items[i];
		tc_path tp = TC_PATH_INDEX(&tol.p, i);
		if (!tc_k8s_obj(t))
			continue;
		const tc_value *key = tc_k8s_str(tc_value_getz(t, "key"));
		tc_k8s_field op = tc_k8s_field_of(t, "operator", &tp);
		tc_k8s_field val = tc_k8s_field_of(t, "value", &tp);
		bool exists = tc_value_streq(op.v, "Exists");
		if (key && key->u.str.len &&
		    !tc_k8s_is_qualified_name(key->u.str.ptr, key->u.str.len))
			tc_k8s_report(o, key->pos, &tp, "'%.*s' is not a valid toleration key",
			              TC_K8S_SHOW(key));
		if ((!key || !key->u.str.len) && !exists)
			tc_k8s_report(o, op.v ? op.v->pos : t->pos, &op.p,
			              "operator must be 'Exists' when 'key' is empty");
		if (exists && tc_k8s_nonempty(val.v))
			tc_k8s_report(o, val.v->pos, &val.p,
			              "value must be empty when 'operator' is 'Exists'");
		else if (tc_k8s_str(op.v) && !exists && !tc_value_streq(op.v, "Equal") &&
		         op.v->u.str.len)
			tc_k8s_report(o, op.v->pos, &op.p,
			              "'%.*s' is not a supported operator: 'Equal' or 'Exists'",
			              TC_K8S_SHOW(op.v));
		else if (tc_k8s_str(val.v) &&
		         !tc_k8s_is_label_value(val.v->u.str.ptr, val.v->u.str.len))
			tc_k8s_report(o, val.v->pos, &val.p,
			              "'%.*s' is not a valid toleration value", TC_K8S_SHOW(val.v));
		tc_k8s_check_enum(o, t, "effect", &tp, effects);
		tc_k8s_field ts = tc_k8s_field_of(t, "tolerationSeconds", &tp);
		if (tc_k8s_set(ts.v) && !tc_value_streq(tc_value_getz(t, "effect"), "NoExecute"))
			tc_k8s_report(o, ts.v->pos, &ts.p,
			              "effect must be 'NoExecute' when 'tolerationSeconds' is set");
	}
}

static void check_spread(tc_k8s_ctx *o, const tc_value *spec, const tc_path *at)
{
	static const char *const when[] = {"DoNotSchedule", "ScheduleAnyway", NULL};
	tc_k8s_field tsc = tc_k8s_field_of(spec, "topologySpreadConstraints", at);
	for (size_t i = 0; tc_k8s_arr(tsc.v) && i < tsc.v->u.arr.len; i++) {
		const tc_value *c = tsc.v->u.arr.items[i];
		tc_path cp = TC_PATH_INDEX(&tsc.p, i);
		if (!tc_k8s_obj(c))
			continue;
		tc_k8s_field ms = tc_k8s_field_of(c, "maxSkew", &cp);
		int64_t n;
		if (!tc_k8s_int(ms.v, &n) || n <= 0)
			tc_k8s_report(o, ms.v ? ms.v->pos : c->pos, &ms.p,
			              "maxSkew must be above 0");
		tc_k8s_field tk = tc_k8s_field_of(c, "topologyKey", &cp);
		const tc_value *k = tc_k8s_str(tk.v);
		if (!k || !tc_k8s_is_qualified_name(k->u.str.ptr, k->u.str.len))
			tc_k8s_report(o, k ? k->pos : c->pos, &tk.p,
			              "topologyKey must be a label key, such as "
			              "topology.kubernetes.io/zone");
		tc_k8s_field wu = tc_k8s_field_of(c, "whenUnsatisfiable", &cp);
		if (!tc_k8s_set(wu.v))
			tc_k8s_report(o, c->pos, &wu.p,
			              "a topology spread constraint needs "
			              "whenUnsatisfiable");
		tc_k8s_check_enum(o, c, "whenUnsatisfiable", &cp, when);
		tc_k8s_field md = tc_k8s_field_of(c, "minDomains", &cp);
		if (tc_k8s_int(md.v, &n) && n <= 0)
			tc_k8s_report(o, md.v->pos, &md.p, "minDomains must be above 0");
		tc_k8s_field ls = tc_k8s_field_of(c, "labelSelector", &cp);
		tc_k8s_check_selector(o, ls.v, &ls.p);
	}
}

/* one matchExpressions requirement of a node selector term */
static void check_node_expr(tc_k8s_ctx *o, const tc_value *r, const tc_path *rp, bool required)
{
	tc_k8s_field key = tc_k8s_field_of(r, "key", rp);
	tc_k8s_field op = tc_k8s_field_of(r, "operator", rp);
	tc_k8s_field vals = tc_k8s_field_of(r, "values", rp);
	size_t nv = tc_k8s_arr(vals.v) ? vals.v->u.arr.len : 0;
	const tc_value *k = tc_k8s_str(key.v);
	if (k && !tc_k8s_is_qualified_name(k->u.str.ptr, k->u.str.len))
		tc_k8s_report(o, k->pos, &key.p, "'%.*s' is not a valid label key", TC_K8S_SHOW(k));
	if (!tc_k8s_str(op.v))
		return;
	bool inout = tc_value_streq(op.v, "In") || tc_value_streq(op.v, "NotIn");
	bool exists = tc_value_streq(op.v, "Exists") || tc_value_streq(op.v, "DoesNotExist");
	bool cmp = tc_value_streq(op.v, "Gt") || tc_value_streq(op.v, "Lt");
	if (inout && nv == 0)
		tc_k8s_report(o, op.v->pos, &vals.p, "operator '%s' needs at least one value",
		              op.v->u.str.ptr);
	else if (exists && nv)
		tc_k8s_report(o, vals.v->pos, &vals.p, "operator '%s' takes no values",
		              op.v->u.str.ptr);
	else if (cmp && nv != 1)
		tc_k8s_report(o, op.v->pos, &vals.p, "operator '%s' takes exactly one value",
		              op.v->u.str.ptr);
	else if (!inout && !exists && !cmp)
		tc_k8s_report(o, op.v->pos, &op.p,
		              "'%.*s' is not a node selector operator: In, NotIn, Exists, "
		              "DoesNotExist, Gt or Lt",
		              TC_K8S_SHOW(op.v));
	for (size_t v = 0; required && v < nv; v++) {
		const tc_value *s = tc_k8s_str(vals.v->u.arr.items[v]);
		tc_path vp = TC_PATH_INDEX(&vals.p, v);
		if (s && !tc_k8s_is_label_value(s->u.str.ptr, s->u.str.len))
			tc_k8s_report(o, s->pos, &vp, "'%.*s' is not a valid label value",
			              TC_K8S_SHOW(s));
	}
}

/* ValidateNodeSelectorRequirement; label values are only judged in
 * required terms (preferred ones may name values no node has) */
static void check_node_term(tc_k8s_ctx *o, const tc_value *term, const tc_path *at, bool required)
{
	tc_k8s_field me = tc_k8s_field_of(term, "matchExpressions", at);
	for (size_t i = 0; tc_k8s_arr(me.v) && i < me.v->u.arr.len; i++) {
		tc_path rp = TC_PATH_INDEX(&me.p, i);
		check_node_expr(o, me.v->u.arr.items[i], &rp, required);
	}
	tc_k8s_field mf = tc_k8s_field_of(term, "matchFields", at);
	for (size_t i = 0; tc_k8s_arr(mf.v) && i < mf.v->u.arr.len; i++) {
		const tc_value *r = mf.v->u.arr.items[i];
		tc_path rp = TC_PATH_INDEX(&mf.p, i);
		tc_k8s_field key = tc_k8s_field_of(r, "key", &rp);
		tc_k8s_field op = tc_k8s_field_of(r, "operator", &rp);
		const tc_value *vals = tc_k8s_arr(tc_value_getz(r, "values"));
		if (tc_k8s_str(key.v) && !tc_value_streq(key.v, "metadata.name"))
			tc_k8s_report(o, key.v->pos, &key.p,
			              "'%.*s' is not a node field selector key: only metadata.name",
			              TC_K8S_SHOW(key.v));
		if (tc_k8s_str(op.v) && !tc_value_streq(op.v, "In") &&
		    !tc_value_streq(op.v, "NotIn"))
			tc_k8s_report(o, op.v->pos, &op.p,
			              "'%.*s' is not a node field selector operator: In or NotIn",
			              TC_K8S_SHOW(op.v));
		else if (tc_k8s_str(op.v) && (!vals || vals->u.arr.len != 1))
			tc_k8s_report(o, op.v->pos, &rp,
			              "a node field selector takes exactly one value");
	}
}

static void check_weight(tc_k8s_ctx *o, const tc_value *t, const tc_path *at)
{
	tc_k8s_field w = tc_k8s_field_of(t, "weight", at);
	int64_t n;
	if (tc_k8s_int(w.v, &n) && (n < 1 || n > 100))
		tc_k8s_report(o, w.v->pos, &w.p, "weight %" PRId64 " is not in the range 1-100", n);
}

/* validatePodAffinityTerm */
static void check_pod_term(tc_k8s_ctx *o, const tc_value *t, const tc_path *at)
{
	if (!tc_k8s_obj(t))
		return;
	tc_k8s_field ls = tc_k8s_field_of(t, "labelSelector", at);
	tc_k8s_check_selector(o, ls.v, &ls.p);
	tc_k8s_field ns = tc_k8s_field_of(t, "namespaceSelector", at);
	tc_k8s_check_selector(o, ns.v, &ns.p);
	tc_k8s_field tk = tc_k8s_field_of(t, "topologyKey", at);
	const tc_value *k = tc_k8s_str(tk.v);
	if (!k || !k->u.str.len)
		tc_k8s_report(o, t->pos, &tk.p,
		              "a pod affinity term needs a topologyKey, such as "
		              "kubernetes.io/hostname");
	else if (!tc_k8s_is_qualified_name(k->u.str.ptr, k->u.str.len))
		tc_k8s_report(o, k->pos, &tk.p, "'%.*s' is not a valid topologyKey: a label key",
		              TC_K8S_SHOW(k));
	tc_k8s_field nss = tc_k8s_field_of(t, "namespaces", at);
	for (size_t i = 0; tc_k8s_arr(nss.v) && i < nss.v->u.arr.len; i++) {
		const tc_value *n = tc_k8s_str(nss.v->u.arr.items[i]);
		tc_path np = TC_PATH_INDEX(&nss.p, i);
		if (n && !tc_k8s_is_dns_label(n->u.str.ptr, n->u.str.len))
			tc_k8s_report(o, n->pos, &np, "'%.*s' is not a valid namespace name",
			              TC_K8S_SHOW(n));
	}
}

static void check_affinity(tc_k8s_ctx *o, const tc_value *spec, const tc_path *at)
{
	tc_k8s_field aff = tc_k8s_field_of(spec, "affinity", at);
	if (!tc_k8s_obj(aff.v))
		return;
	tc_k8s_field na = tc_k8s_field_of(aff.v, "nodeAffinity", &aff.p);
	tc_k8s_field req =
		tc_k8s_field_of(na.v, "requiredDuringSchedulingIgnoredDuringExecution", &na.p);
	if (tc_k8s_obj(req.v)) {
		tc_k8s_field terms = tc_k8s_field_of(req.v, "nodeSelectorTerms", &req.p);
		if (!tc_k8s_nonempty(terms.v))
			tc_k8s_report(
				o, req.v->pos, &terms.p,
				"required node affinity needs at least one node selector term");
		for (size_t i = 0; tc_k8s_arr(terms.v) && i < terms.v->u.arr.len; i++) {
			tc_path tp = TC_PATH_INDEX(&terms.p, i);
			check_node_term(o, terms.v->u.arr.items[i], &tp, true);
		}
	}
	tc_k8s_field pref =
		tc_k8s_field_of(na.v, "preferredDuringSchedulingIgnoredDuringExecution", &na.p);
	for (size_t i = 0; tc_k8s_arr(pref.v) && i < pref.v->u.arr.len; i++) {
		tc_path tp = TC_PATH_INDEX(&pref.p, i);
		check_weight(o, pref.v->u.arr.items[i], &tp);
		tc_k8s_field pf = tc_k8s_field_of(pref.v->u.arr.items[i], "preference", &tp);
		check_node_term(o, pf.v, &pf.p, false);
	}
	static const char *const kinds[] = {"podAffinity", "podAntiAffinity"};
	for (size_t k = 0; k < 2; k++) {
		tc_k8s_field pa = tc_k8s_field_of(aff.v, kinds[k], &aff.p);
		tc_k8s_field r =
			tc_k8s_field_of(pa.v, "requiredDuringSchedulingIgnoredDuringExecution",
		                        &pa.p);
		for (size_t i = 0; tc_k8s_arr(r.v) && i < r.v->u.arr.len; i++) {
			tc_path tp = TC_PATH_INDEX(&r.p, i);
			check_pod_term(o, r.v->u.arr.items[i], &tp);
		}
		tc_k8s_field p =
			tc_k8s_field_of(pa.v, "preferredDuringSchedulingIgnoredDuringExecution",
		                        &pa.p);
		for (size_t i = 0; tc_k8s_arr(p.v) && i < p.v->u.arr.len; i++) {
			tc_path tp = TC_PATH_INDEX(&p.p, i);
			check_weight(o, p.v->u.arr.items[i], &tp);
			tc_k8s_field t =
				tc_k8s_field_of(p.v->u.arr.items[i], "podAffinityTerm", &tp);
			check_pod_term(o, t.v, &t.p);
		}
	}
}

/* whether port q takes the host port hp that a port of protocol proto on
 * address ip takes (a protocol left out is TCP) */
static bool host_port_clash(const tc_value *q, int64_t hp, const tc_value *proto,
                            const tc_value *ip)
{
	int64_t qh;
	const tc_value *qp = tc_value_getz(q, "protocol");
	const tc_value *qi = tc_value_getz(q, "hostIP");
	if (!tc_k8s_int(tc_value_getz(q, "hostPort"), &qh) || qh != hp)
		return false;
	bool same_proto = (!proto && !qp) || (proto && qp && tc_value_equal(proto, qp)) ||
	                  (!proto && tc_value_streq(qp, "TCP")) ||
	                  (!qp && tc_value_streq(proto, "TCP"));
	return same_proto && ((!ip && !qi) || (ip && qi && tc_value_equal(ip, qi)));
}

/* whether port p, k-th of container i, takes a host port an earlier port takes */
static bool host_port_used_before(const tc_value *cs, size_t i, size_t k, const tc_value *p,
                                  int64_t hp)
{
	const tc_value *proto = tc_value_getz(p, "protocol");
	const tc_value *ip = tc_value_getz(p, "hostIP");
	for (size_t pi = 0; pi <= i; pi++) {
		const tc_value *pp = tc_k8s_arr(tc_value_getz(cs->u.arr.items[pi], "ports"));
		size_t end = pi == i ? k : (pp ? pp->u.arr.len : 0);
		for (size_t pk = 0; pp && pk < end; pk++)
			if (host_port_clash(pp->u.arr.items[pk], hp, proto, ip))
				return true;
	}
	return false;
}

/* checkHostPortConflicts over the regular containers */
static void check_host_ports(tc_k8s_ctx *o, const tc_value *cs, const tc_path *at)
{
	for (size_t i = 0; tc_k8s_arr(cs) && i < cs->u.arr.len; i++) {
		const tc_value *ports = tc_k8s_arr(tc_value_getz(cs->u.arr.items[i], "ports"));
		for (size_t k = 0; ports && k < ports->u.arr.len; k++) {
			const tc_value *p = ports->u.arr.items[k];
			int64_t hp;
			if (!tc_k8s_int(tc_value_getz(p, "hostPort"), &hp) || hp == 0)
				continue;
			if (host_port_used_before(cs, i, k, p, hp)) {
				tc_path cp = TC_PATH_INDEX(at, i);
				tc_k8s_report(o, p->pos, &cp,
				              "hostPort %" PRId64 " is used twice in this pod", hp);
			}
		}
	}
}

/* restartPolicy among those the owner allows, and activeDeadlineSeconds */
static void check_restart_policy(tc_k8s_ctx *o, const tc_value *spec, const tc_path *at,
                                 const char *const *restart, const char *owner)
{
	tc_k8s_field rp = tc_k8s_field_of(spec, "restartPolicy", at);
	tc_k8s_check_enum(o, spec, "restartPolicy", at, tc_k8s_restart_policies);
	if (restart && tc_k8s_str(rp.v)) {
		bool okr = false;
		for (size_t i = 0; restart[i]; i++)
			okr |= tc_value_streq(rp.v, restart[i]);
		if (!okr && (tc_value_streq(rp.v, "Always") || tc_value_streq(rp.v, "OnFailure") ||
		             tc_value_streq(rp.v, "Never")))
			tc_k8s_report(o, rp.v->pos, &rp.p,
			              "restartPolicy '%.*s' is not allowed in a %s: %s%s%s",
			              TC_K8S_SHOW(rp.v), owner, restart[0],
			              restart[1] ? " or " : " only", restart[1] ? restart[1] : "");
	} else if (restart && !tc_k8s_set(rp.v) && strcmp(restart[0], "Always") != 0) {
		tc_k8s_report(o, spec->pos, &rp.p,
		              "a %s needs restartPolicy 'OnFailure' or 'Never' (the default "
		              "'Always' is not allowed)",
		              owner);
	}
	tc_k8s_field ad = tc_k8s_field_of(spec, "activeDeadlineSeconds", at);
	int64_t n;
	if (restart && !strcmp(restart[0], "Always") && tc_k8s_set(ad.v))
		tc_k8s_report(o, ad.v->pos, &ad.p, "activeDeadlineSeconds is not supported in a %s",
		              owner);
	else if (tc_k8s_int(ad.v, &n) && (n < 1 || n > 2147483647))
		tc_k8s_report(o, ad.v->pos, &ad.p,
		              "activeDeadlineSeconds must be between 1 and 2147483647");
}

/* dnsPolicy, and the dnsConfig that 'None' needs */
static void check_dns_policy(tc_k8s_ctx *o, const tc_value *spec, const tc_path *at)
{
	static const char *const dns[] = {"ClusterFirstWithHostNet", "ClusterFirst", "Default",
	                                  "None", NULL};
	tc_k8s_check_enum(o, spec, "dnsPolicy", at, dns);
	tc_k8s_field dp = tc_k8s_field_of(spec, "dnsPolicy", at);
	const tc_value *dc = tc_k8s_obj(tc_value_getz(spec, "dnsConfig"));
	tc_path dcp = TC_PATH_KEY(at, "dnsConfig", 9);
	if (tc_value_streq(dp.v, "None") &&
	    (!dc || !tc_k8s_nonempty(tc_value_getz(dc, "nameservers"))))
		tc_k8s_report(o, dp.v->pos, &dcp,
		              "dnsPolicy 'None' needs dnsConfig with at least one nameserver");
}

/* the names a pod spec gives: DNS-1123 subdomains and labels */
static void check_pod_names(tc_k8s_ctx *o, const tc_value *spec, const tc_path *at)
{
	static const char *const subdomains[] = {"serviceAccountName", "priorityClassName",
	                                         "runtimeClassName", "serviceAccount"};
	for (size_t i = 0; i < 4; i++) {
		tc_k8s_field f = tc_k8s_field_of(spec, subdomains[i], at);
		const tc_value *s = tc_k8s_str(f.v);
		if (s && s->u.str.len && !tc_k8s_is_dns_subdomain(s->u.str.ptr, s->u.str.len))
			tc_k8s_report(o, s->pos, &f.p,
			              "'%.*s' is not a valid %s: a DNS-1123 subdomain",
			              TC_K8S_SHOW(s), subdomains[i]);
	}
	static const char *const labels[] = {"hostname", "subdomain"};
	for (size_t i = 0; i < 2; i++) {
		tc_k8s_field f = tc_k8s_field_of(spec, labels[i], at);
		const tc_value *s = tc_k8s_str(f.v);
		if (s && s->u.str.len && !tc_k8s_is_dns_label(s->u.str.ptr, s->u.str.len))
			tc_k8s_report(o, s->pos, &f.p, "'%.*s' is not a valid %s: a DNS-1123 label",
			              TC_K8S_SHOW(s), labels[i]);
	}
}

void tc_k8s_check_pod_spec(tc_k8s_ctx *o, const tc_value *spec, const tc_path *at,
                           const char *const *restart, const char *owner, bool is_pod)
{
	if (!tc_k8s_obj(spec))
		return;
	tc_k8s_field cs = tc_k8s_field_of(spec, "containers", at);
	tc_k8s_field ics = tc_k8s_field_of(spec, "initContainers", at);
	tc_k8s_field vols = tc_k8s_field_of(spec, "volumes", at);
	if (!tc_k8s_arr(cs.v) || cs.v->u.arr.len == 0)
		tc_k8s_report(o, cs.v ? cs.v->pos : spec->pos, &cs.p,
		              "a pod needs at least one container");
	/* names: containers first, then init containers, as the API server
	 * reports a clash at the init container */
	const tc_value *lists[2] = {tc_k8s_arr(ics.v), tc_k8s_arr(cs.v)};
	const tc_path *paths[2] = {&ics.p, &cs.p};
	const tc_value *nlists[2] = {lists[1], lists[0]};
	const tc_path *npaths[2] = {paths[1], paths[0]};
	check_container_names(o, nlists, npaths);
	check_volumes(o, vols.v, &vols.p);
	for (int l = 0; l < 2; l++)
		for (size_t i = 0; lists[l] && i < lists[l]->u.arr.len; i++) {
			tc_path cp = TC_PATH_INDEX(paths[l], i);
			if (tc_k8s_obj(lists[l]->u.arr.items[i]))
				tc_k8s_check_container(o, lists[l]->u.arr.items[i], vols.v, &cp,
				                       l == 0, is_pod);
		}
	check_host_ports(o, cs.v, &cs.p);
	check_restart_policy(o, spec, at, restart, owner);
	check_dns_policy(o, spec, at);
	check_pod_names(o, spec, at);
	tc_k8s_field ns = tc_k8s_field_of(spec, "nodeSelector", at);
	tc_k8s_check_labels(o, ns.v, &ns.p);
	tc_k8s_check_nonneg(o, spec, "terminationGracePeriodSeconds", at);
	tc_k8s_field psc = tc_k8s_field_of(spec, "securityContext", at);
	tc_k8s_check_security_context(o, psc.v, &psc.p, true);
	check_affinity(o, spec, at);
	check_tolerations(o, spec, at);
	check_spread(o, spec, at);
}

void tc_k8s_check_pod_template(tc_k8s_ctx *o, const tc_value *tpl, const tc_path *at,
                               const char *const *restart, const char *owner)
{
	if (!tc_k8s_obj(tpl))
		return;
	tc_k8s_field meta = tc_k8s_field_of(tpl, "metadata", at);
	tc_k8s_field labels = tc_k8s_field_of(meta.v, "labels", &meta.p);
	tc_k8s_check_labels(o, labels.v, &labels.p);
	tc_k8s_field ann = tc_k8s_field_of(meta.v, "annotations", &meta.p);
	tc_k8s_check_annotations(o, ann.v, &ann.p);
	tc_k8s_field spec = tc_k8s_field_of(tpl, "spec", at);
	if (!tc_k8s_obj(spec.v))
		tc_k8s_report(o, tpl->pos, &spec.p, "a pod template needs a spec");
	tc_k8s_check_pod_spec(o, spec.v, &spec.p, restart, owner, false);
}

void tc_k8s_rule_pod(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at)
{
	tc_k8s_field spec = tc_k8s_field_of(obj, "spec", at);
	tc_k8s_check_pod_spec(o, spec.v, &spec.p, NULL, "Pod", true);
}

void tc_k8s_rule_podtemplate(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at)
{
	tc_k8s_field t = tc_k8s_field_of(obj, "template", at);
	tc_k8s_check_pod_template(o, t.v, &t.p, NULL, "PodTemplate");
}
