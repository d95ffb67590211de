/*
 * k8s_net.c - Service, NetworkPolicy and Ingress.
 *
 * Upstream: kubernetes/kubernetes pkg/apis/core/validation/validation.go
 * (ValidateService, validateServicePort, validateServiceExternalTrafficPolicy,
 * validateServiceInternalTrafficFieldsValue) and
 * pkg/apis/networking/validation/validation.go (ValidateNetworkPolicySpec,
 * ValidateNetworkPolicyPort, ValidateNetworkPolicyPeer, ValidateIPBlock,
 * ValidateIngressSpec, validateIngressRules, validateHTTPIngressPath,
 * validateIngressBackend, validateIngressTLS), with the Service defaults
 * that apply first (type ClusterIP, protocol TCP, targetPort = port).
 */
#include "k8s_rules.h"

#include "k8s.h"

#include <inttypes.h>
#include <stdio.h>

static const char *const protocols[] = {"TCP", "UDP", "SCTP", NULL};

static bool proto_eq(const tc_value *a, const tc_value *b)
{
	const char *x = tc_k8s_str(a) ? a->u.str.ptr : "TCP";
	const char *y = tc_k8s_str(b) ? b->u.str.ptr : "TCP";
	return strcmp(x, y) == 0;
}

/* port i's name: required when there are several, a DNS label, unique */
static void check_port_name(tc_k8s_ctx *o, const tc_value *ports, size_t i, const tc_path *pp)
{
	const tc_value *p = ports->u.arr.items[i];
	tc_k8s_field name = tc_k8s_field_of(p, "name", pp);
	const tc_value *nm = tc_k8s_str(name.v);
	if (ports->u.arr.len > 1 && (!nm || !nm->u.str.len)) {
		tc_k8s_report(o, p->pos, &name.p,
		              "a Service with more than one port must name each of them");
		return;
	}
	if (!nm || !nm->u.str.len)
		return;
	if (!tc_k8s_is_dns_label(nm->u.str.ptr, nm->u.str.len))
		tc_k8s_report(o, nm->pos, &name.p,
		              "'%.*s' is not a valid port name: a DNS-1123 label", TC_K8S_SHOW(nm));
	if (tc_k8s_used_before(ports, i, "name", nm))
		tc_k8s_report(o, nm->pos, &name.p, "port name '%.*s' is used twice in this Service",
		              TC_K8S_SHOW(nm));
}

/* whether a port before port i has the same number pv and protocol */
static bool port_used_before(const tc_value *ports, size_t i, int64_t pv)
{
	const tc_value *p = ports->u.arr.items[i];
	for (size_t k = 0; k < i; k++) {
		const tc_value *q = ports->u.arr.items[k];
		int64_t qv;
		if (tc_k8s_int(tc_value_getz(q, "port"), &qv) && qv == pv &&
		    proto_eq(tc_value_getz(p, "protocol"), tc_value_getz(q, "protocol")))
			return true;
	}
	return false;
}

/* the port's targetPort, appProtocol and nodePort */
static void check_port_targets(tc_k8s_ctx *o, const tc_value *p, const tc_path *pp,
                               const tc_value *type)
{
	bool cluster_ip = !type || tc_value_streq(type, "ClusterIP");
	tc_k8s_field tp = tc_k8s_field_of(p, "targetPort", pp);
	int64_t t;
	if (!(tc_k8s_int(tp.v, &t) && t == 0) && !tc_value_streq(tp.v, ""))
		tc_k8s_check_port(o, tp.v, &tp.p, true);
	tc_k8s_field ap = tc_k8s_field_of(p, "appProtocol", pp);
	const tc_value *aps = tc_k8s_str(ap.v);
	if (aps && !tc_k8s_is_qualified_name(aps->u.str.ptr, aps->u.str.len))
		tc_k8s_report(o, aps->pos, &ap.p,
		              "'%.*s' is not a valid appProtocol: a qualified name such as "
		              "'http' or 'kubernetes.io/h2c'",
		              TC_K8S_SHOW(aps));
	tc_k8s_field np = tc_k8s_field_of(p, "nodePort", pp);
	int64_t nv;
	if (!tc_k8s_int(np.v, &nv) || nv == 0)
		return;
	if (cluster_ip || tc_value_streq(type, "ExternalName"))
		tc_k8s_report(o, np.v->pos, &np.p,
		              "nodePort may only be used when the type is 'NodePort' or "
		              "'LoadBalancer'");
	else
		tc_k8s_check_port(o, np.v, &np.p, false);
}

/* port i of a Service */
static void check_service_port(tc_k8s_ctx *o, const tc_value *ports, size_t i, const tc_path *pp,
                               const tc_value *type)
{
	const tc_value *p = ports->u.arr.items[i];
	check_port_name(o, ports, i, pp);
	tc_k8s_field port = tc_k8s_field_of(p, "port", pp);
	if (!tc_k8s_set(port.v))
		tc_k8s_report(o, p->pos, &port.p, "a Service port needs 'port'");
	tc_k8s_check_port(o, port.v, &port.p, false);
	tc_k8s_check_enum(o, p, "protocol", pp, protocols);
	check_port_targets(o, p, pp, type);
	int64_t pv;
	if (tc_k8s_int(port.v, &pv) && port_used_before(ports, i, pv))
		tc_k8s_report(o, port.v->pos, &port.p,
		              "port %" PRId64 " is used twice with the same protocol", pv);
}

static void check_service_ports(tc_k8s_ctx *o, const tc_value *spec, const tc_path *sp,
                                const tc_value *type, bool headless)
{
	tc_k8s_field ports = tc_k8s_field_of(spec, "ports", sp);
	size_t n = tc_k8s_arr(ports.v) ? ports.v->u.arr.len : 0;
	if (n == 0 && !headless && !tc_value_streq(type, "ExternalName"))
		tc_k8s_report(o, ports.v ? ports.v->pos : spec->pos, &ports.p,
		              "a Service needs at least one port (unless it is headless, clusterIP "
		              "'None', or an ExternalName)");
	for (size_t i = 0; i < n; i++) {
		tc_path pp = TC_PATH_INDEX(&ports.p, i);
		if (tc_k8s_obj(ports.v->u.arr.items[i]))
			check_service_port(o, ports.v, i, &pp, type);
	}
}

/* an ExternalName Service: a DNS name, no clusterIP */
static void check_external_name(tc_k8s_ctx *o, const tc_value *spec, const tc_path *at,
                                const tc_k8s_field *cip)
{
	tc_k8s_field en = tc_k8s_field_of(spec, "externalName", at);
	const tc_value *s = tc_k8s_str(en.v);
	size_t n = s ? s->u.str.len : 0;
	if (n && s->u.str.ptr[n - 1] == '.')
		n--;
	if (!n)
		tc_k8s_report(o, spec->pos, &en.p, "an ExternalName Service needs externalName");
	else if (!tc_k8s_is_dns_subdomain(s->u.str.ptr, n))
		tc_k8s_report(o, s->pos, &en.p,
		              "'%.*s' is not a valid externalName: a DNS-1123 subdomain (lower "
		              "case)",
		              TC_K8S_SHOW(s));
	const tc_value *cs = tc_k8s_str(cip->v);
	if (cs && cs->u.str.len)
		tc_k8s_report(o, cs->pos, &cip->p,
		              "clusterIP may not be set for ExternalName Services");
}

/* sessionAffinity and the traffic policies */
static void check_policies(tc_k8s_ctx *o, const tc_value *spec, const tc_path *at, bool external)
{
	static const char *const aff[] = {"ClientIP", "None", NULL};
	tc_k8s_check_enum(o, spec, "sessionAffinity", at, aff);
	/* sessionAffinityConfig without ClientIP is dropped, not refused */
	tc_k8s_field sac = tc_k8s_field_of(spec, "sessionAffinityConfig", at);
	const tc_value *sa = tc_value_getz(spec, "sessionAffinity");
	const tc_value *ts = tc_value_dig(sac.v, "clientIP.timeoutSeconds");
	int64_t t;
	if (tc_value_streq(sa, "ClientIP") && tc_k8s_int(ts, &t) && (t <= 0 || t > 86400))
		tc_k8s_report(o, ts->pos, &sac.p,
		              "sessionAffinityConfig.clientIP.timeoutSeconds must be between 1 and "
		              "86400");
	tc_k8s_field etp = tc_k8s_field_of(spec, "externalTrafficPolicy", at);
	bool reachable = external || tc_k8s_nonempty(tc_value_getz(spec, "externalIPs"));
	if (tc_k8s_nonempty(etp.v) && !reachable)
		tc_k8s_report(o, etp.v->pos, &etp.p,
		              "externalTrafficPolicy may only be set for externally-accessible "
		              "Services (NodePort, LoadBalancer or with externalIPs)");
	static const char *const tp[] = {"Cluster", "Local", NULL};
	if (reachable)
		tc_k8s_check_enum(o, spec, "externalTrafficPolicy", at, tp);
	tc_k8s_check_enum(o, spec, "internalTrafficPolicy", at, tp);
	static const char *const ifp[] = {"SingleStack", "PreferDualStack", "RequireDualStack",
	                                  NULL};
	tc_k8s_check_enum(o, spec, "ipFamilyPolicy", at, ifp);
}

/* a CIDR of loadBalancerSourceRanges, blanks at either end ignored */
static void check_source_range(tc_k8s_ctx *o, const tc_value *c, const tc_path *cp)
{
	unsigned char ip[16];
	bool v6;
	int bits;
	const char *cs2 = c->u.str.ptr;
	size_t cl = c->u.str.len;
	while (cl && (*cs2 == ' ' || cs2[cl - 1] == ' ')) {
		if (*cs2 == ' ')
			cs2++, cl--;
		else
			cl--;
	}
	if (!tc_k8s_parse_cidr(cs2, cl, ip, &v6, &bits))
		tc_k8s_report(o, c->pos, cp, "'%.*s' is not a valid CIDR", TC_K8S_SHOW(c));
}

/* the fields only a LoadBalancer may set, and its source ranges */
static void check_load_balancer(tc_k8s_ctx *o, const tc_value *spec, const tc_path *at, bool lb)
{
	static const char *const lbonly[] = {"loadBalancerSourceRanges",
	                                     "allocateLoadBalancerNodePorts", "loadBalancerClass"};
	for (size_t i = 0; i < 3; i++) {
		tc_k8s_field f = tc_k8s_field_of(spec, lbonly[i], at);
		if (!lb && tc_k8s_nonempty(f.v))
			tc_k8s_report(o, f.v->pos, &f.p,
			              "%s may only be used when the type is 'LoadBalancer'",
			              lbonly[i]);
	}
	tc_k8s_field sr = tc_k8s_field_of(spec, "loadBalancerSourceRanges", at);
	for (size_t i = 0; lb && tc_k8s_arr(sr.v) && i < sr.v->u.arr.len; i++) {
		const tc_value *c = tc_k8s_str(sr.v->u.arr.items[i]);
		tc_path cp = TC_PATH_INDEX(&sr.p, i);
		if (c)
			check_source_range(o, c, &cp);
	}
}

void tc_k8s_rule_service(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at)
{
	tc_k8s_field spec = tc_k8s_field_of(obj, "spec", at);
	if (!tc_k8s_obj(spec.v))
		return;
	static const char *const types[] = {"ClusterIP", "NodePort", "LoadBalancer", "ExternalName",
	                                    NULL};
	tc_k8s_check_enum(o, spec.v, "type", &spec.p, types);
	tc_k8s_field type = tc_k8s_field_of(spec.v, "type", &spec.p);
	tc_k8s_field cip = tc_k8s_field_of(spec.v, "clusterIP", &spec.p);
	bool headless = tc_value_streq(cip.v, "None");
	bool external =
		tc_value_streq(type.v, "NodePort") || tc_value_streq(type.v, "LoadBalancer");
	const tc_value *cs = tc_k8s_str(cip.v);
	unsigned char ip[16];
	bool v6;
	if (cs && cs->u.str.len && !headless &&
	    !tc_k8s_parse_ip(cs->u.str.ptr, cs->u.str.len, ip, &v6))
		tc_k8s_report(o, cs->pos, &cip.p,
		              "'%.*s' is not a valid clusterIP: an IP address, 'None' or empty",
		              TC_K8S_SHOW(cs));
	if (headless && external)
		tc_k8s_report(o, cs->pos, &cip.p, "clusterIP may not be 'None' for %s Services",
		              type.v->u.str.ptr);
	check_service_ports(o, spec.v, &spec.p, type.v, headless);
	tc_k8s_field sel = tc_k8s_field_of(spec.v, "selector", &spec.p);
	tc_k8s_check_labels(o, sel.v, &sel.p);
	if (tc_value_streq(type.v, "ExternalName"))
		check_external_name(o, spec.v, &spec.p, &cip);
	check_policies(o, spec.v, &spec.p, external);
	check_load_balancer(o, spec.v, &spec.p, tc_value_streq(type.v, "LoadBalancer"));
}

/* ValidateIPBlock: cidr valid; each except a strict subset of it */
static void check_ipblock(tc_k8s_ctx *o, const tc_value *b, const tc_path *at)
{
	tc_k8s_field cidr = tc_k8s_field_of(b, "cidr", at);
	const tc_value *c = tc_k8s_str(cidr.v);
	unsigned char net[16], ex[16];
	bool v6, ev6;
	int bits, ebits;
	if (!c || !c->u.str.len) {
		tc_k8s_report(o, b->pos, &cidr.p, "an ipBlock needs a cidr");
		return;
	}
	if (!tc_k8s_parse_cidr(c->u.str.ptr, c->u.str.len, net, &v6, &bits)) {
		tc_k8s_report(o, c->pos, &cidr.p, "'%.*s' is not a valid CIDR", TC_K8S_SHOW(c));
		return;
	}
	tc_k8s_field exc = tc_k8s_field_of(b, "except", at);
	for (size_t i = 0; tc_k8s_arr(exc.v) && i < exc.v->u.arr.len; i++) {
		const tc_value *e = tc_k8s_str(exc.v->u.arr.items[i]);
		tc_path ep = TC_PATH_INDEX(&exc.p, i);
		if (!e)
			continue;
		if (!tc_k8s_parse_cidr(e->u.str.ptr, e->u.str.len, ex, &ev6, &ebits)) {
			tc_k8s_report(o, e->pos, &ep, "'%.*s' is not a valid CIDR", TC_K8S_SHOW(e));
			continue;
		}
		bool inside = ev6 == v6 && ebits > bits;
		/* compare the leading `bits` bits of both network addresses */
		for (int k = 0; inside && k < bits; k++) {
			int bit = 7 - k % 8;
			inside = ((net[k / 8] >> bit) & 1) == ((ex[k / 8] >> bit) & 1);
		}
		if (!inside)
			tc_k8s_report(o, e->pos, &ep,
			              "except '%.*s' must be a strict subset of the cidr '%.*s'",
			              TC_K8S_SHOW(e), TC_K8S_SHOW(c));
	}
}

static void check_peers(tc_k8s_ctx *o, const tc_value *rule, const char *key, const tc_path *at)
{
	tc_k8s_field peers = tc_k8s_field_of(rule, key, at);
	for (size_t i = 0; tc_k8s_arr(peers.v) && i < peers.v->u.arr.len; i++) {
		const tc_value *p = peers.v->u.arr.items[i];
		tc_path pp = TC_PATH_INDEX(&peers.p, i);
		if (!tc_k8s_obj(p))
			continue;
		tc_k8s_field ps = tc_k8s_field_of(p, "podSelector", &pp);
		tc_k8s_field ns = tc_k8s_field_of(p, "namespaceSelector", &pp);
		tc_k8s_field ib = tc_k8s_field_of(p, "ipBlock", &pp);
		size_t n = tc_k8s_set(ps.v) + tc_k8s_set(ns.v) + tc_k8s_set(ib.v);
		tc_k8s_check_selector(o, ps.v, &ps.p);
		tc_k8s_check_selector(o, ns.v, &ns.p);
		if (tc_k8s_obj(ib.v))
			check_ipblock(o, ib.v, &ib.p);
		if (n == 0)
			tc_k8s_report(
				o, p->pos, &pp,
				"a peer must specify podSelector, namespaceSelector or ipBlock");
		else if (n > 1 && tc_k8s_set(ib.v))
			tc_k8s_report(o, ib.v->pos, &ib.p,
			              "a peer may not specify both ipBlock and another selector");
	}
}

static void check_np_ports(tc_k8s_ctx *o, const tc_value *rule, const tc_path *at)
{
	tc_k8s_field ports = tc_k8s_field_of(rule, "ports", at);
	for (size_t i = 0; tc_k8s_arr(ports.v) && i < ports.v->u.arr.len; i++) {
		const tc_value *p = ports.v->u.arr.items[i];
		tc_path pp = TC_PATH_INDEX(&ports.p, i);
		if (!tc_k8s_obj(p))
			continue;
		tc_k8s_check_enum(o, p, "protocol", &pp, protocols);
		tc_k8s_field port = tc_k8s_field_of(p, "port", &pp);
		tc_k8s_field end = tc_k8s_field_of(p, "endPort", &pp);
		tc_k8s_check_port(o, port.v, &port.p, true);
		int64_t pv, ev;
		if (!tc_k8s_int(end.v, &ev))
			continue;
		if (!tc_k8s_set(port.v))
			tc_k8s_report(o, end.v->pos, &end.p,
			              "endPort may not be given without a port");
		else if (port.v->kind == TC_STR)
			tc_k8s_report(o, end.v->pos, &end.p,
			              "endPort may not be given with a named port");
		else if (tc_k8s_int(port.v, &pv) && ev < pv)
			tc_k8s_report(o, end.v->pos, &end.p,
			              "endPort %" PRId64
			              " must be greater than or equal to port %" PRId64,
			              ev, pv);
		tc_k8s_check_port(o, end.v, &end.p, false);
	}
}

void tc_k8s_rule_networkpolicy(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at)
{
	tc_k8s_field spec = tc_k8s_field_of(obj, "spec", at);
	if (!tc_k8s_obj(spec.v))
		return;
	tc_k8s_field ps = tc_k8s_field_of(spec.v, "podSelector", &spec.p);
	tc_k8s_check_selector(o, ps.v, &ps.p);
	static const char *const dirs[] = {"ingress", "egress"};
	static const char *const peers[] = {"from", "to"};
	for (int d = 0; d < 2; d++) {
		tc_k8s_field rules = tc_k8s_field_of(spec.v, dirs[d], &spec.p);
		for (size_t i = 0; tc_k8s_arr(rules.v) && i < rules.v->u.arr.len; i++) {
			tc_path rp = TC_PATH_INDEX(&rules.p, i);
			check_np_ports(o, rules.v->u.arr.items[i], &rp);
			check_peers(o, rules.v->u.arr.items[i], peers[d], &rp);
		}
	}
	tc_k8s_field pt = tc_k8s_field_of(spec.v, "policyTypes", &spec.p);
	for (size_t i = 0; tc_k8s_arr(pt.v) && i < pt.v->u.arr.len; i++) {
		const tc_value *t = tc_k8s_str(pt.v->u.arr.items[i]);
		tc_path tp = TC_PATH_INDEX(&pt.p, i);
		if (t && !tc_value_streq(t, "Ingress") && !tc_value_streq(t, "Egress"))
			tc_k8s_report(o, t->pos, &tp,
			              "'%.*s' is not a policy type: 'Ingress' or 'Egress'",
			              TC_K8S_SHOW(t));
		if (i == 2)
			tc_k8s_report(o, pt.v->u.arr.items[i]->pos, &tp,
			              "policyTypes may have at most two entries");
	}
}

static void check_host(tc_k8s_ctx *o, const tc_value *h, const tc_path *at)
{
	unsigned char ip[16];
	bool v6;
	const char *s = h->u.str.ptr;
	size_t n = h->u.str.len;
	if (tc_k8s_parse_ip(s, n, ip, &v6))
		tc_k8s_report(o, h->pos, at, "'%.*s' must be a DNS name, not an IP address",
		              TC_K8S_SHOW(h));
	else if (memchr(s, '*', n) ? !tc_k8s_is_wildcard_subdomain(s, n)
	                           : !tc_k8s_is_dns_subdomain(s, n))
		tc_k8s_report(o, h->pos, at,
		              "'%.*s' is not a valid host: a lower-case DNS-1123 subdomain, "
		              "optionally starting with '*.', without a port",
		              TC_K8S_SHOW(h));
}

static void check_backend(tc_k8s_ctx *o, const tc_value *b, const tc_path *at)
{
	if (!tc_k8s_obj(b))
		return;
	tc_k8s_field svc = tc_k8s_field_of(b, "service", at);
	tc_k8s_field res = tc_k8s_field_of(b, "resource", at);
	if (tc_k8s_set(svc.v) && tc_k8s_set(res.v)) {
		tc_k8s_report(o, b->pos, at, "a backend cannot set both resource and service");
		return;
	}
	if (!tc_k8s_set(svc.v)) {
		if (!tc_k8s_set(res.v))
			tc_k8s_report(o, b->pos, at, "a backend needs a service or a resource");
		return;
	}
	tc_k8s_field name = tc_k8s_field_of(svc.v, "name", &svc.p);
	const tc_value *n = tc_k8s_str(name.v);
	if (!n || !n->u.str.len)
		tc_k8s_report(o, svc.v->pos, &name.p, "a service backend needs a name");
	else if (!tc_k8s_is_dns1035_label(n->u.str.ptr, n->u.str.len))
		tc_k8s_report(o, n->pos, &name.p,
		              "'%.*s' is not a valid Service name: a DNS-1035 label",
		              TC_K8S_SHOW(n));
	tc_k8s_field port = tc_k8s_field_of(svc.v, "port", &svc.p);
	tc_k8s_field pn = tc_k8s_field_of(port.v, "name", &port.p);
	tc_k8s_field pnum = tc_k8s_field_of(port.v, "number", &port.p);
	int64_t num = 0;
	bool has_name = tc_k8s_nonempty(pn.v), has_num = tc_k8s_int(pnum.v, &num) && num != 0;
	if (has_name && has_num)
		tc_k8s_report(o, port.v->pos, &port.p,
		              "a backend port cannot set both name and number");
	else if (has_name)
		tc_k8s_check_port(o, pn.v, &pn.p, true);
	else if (has_num)
		tc_k8s_check_port(o, pnum.v, &pnum.p, false);
	else
		tc_k8s_report(o, port.v ? port.v->pos : svc.v->pos, &port.p,
		              "a service backend needs a port name or number");
}

/* an Exact or Prefix path: absolute, no '//', '/./', '/../' or encoded '/', not
 * ending in '/.' or '/..' */
static void check_exact_path(tc_k8s_ctx *o, const tc_value *p, const tc_value *s, const tc_path *pp)
{
	static const char *const bad[] = {"//", "/./", "/../", "%2f", "%2F"};
	const char *ps = s ? s->u.str.ptr : "";
	size_t n = s ? s->u.str.len : 0;
	if (n == 0 || ps[0] != '/')
		tc_k8s_report(o, s ? s->pos : p->pos, pp,
		              "the path must be absolute (start with '/')");
	for (size_t i = 0; i < 5 && n; i++)
		if (memmem(ps, n, bad[i], strlen(bad[i])))
			tc_k8s_report(o, s->pos, pp, "the path must not contain '%s'", bad[i]);
	if ((n >= 3 && !memcmp(ps + n - 3, "/..", 3)) || (n >= 2 && !memcmp(ps + n - 2, "/.", 2)))
		tc_k8s_report(o, s->pos, pp, "the path cannot end with '/.' or '/..'");
}

static void check_path(tc_k8s_ctx *o, const tc_value *p, const tc_path *at)
{
	tc_k8s_field pt = tc_k8s_field_of(p, "pathType", at);
	tc_k8s_field path = tc_k8s_field_of(p, "path", at);
	const tc_value *s = tc_k8s_str(path.v);
	if (!tc_k8s_set(pt.v)) {
		tc_k8s_report(o, p->pos, &pt.p,
		              "an Ingress path needs a pathType (Exact, Prefix or "
		              "ImplementationSpecific)");
	} else if (tc_value_streq(pt.v, "Exact") || tc_value_streq(pt.v, "Prefix")) {
		check_exact_path(o, p, s, &path.p);
	} else if (tc_value_streq(pt.v, "ImplementationSpecific")) {
		if (s && s->u.str.len && s->u.str.ptr[0] != '/')
			tc_k8s_report(o, s->pos, &path.p,
			              "the path must be absolute (start with '/')");
	} else if (tc_k8s_str(pt.v)) {
		tc_k8s_report(o, pt.v->pos, &pt.p,
		              "'%.*s' is not a path type: Exact, Prefix or ImplementationSpecific",
		              TC_K8S_SHOW(pt.v));
	}
	tc_k8s_field b = tc_k8s_field_of(p, "backend", at);
	check_backend(o, b.v, &b.p);
}

/* a rule of an Ingress: its host and its http paths */
static void check_ingress_rule(tc_k8s_ctx *o, const tc_value *r, const tc_path *rp)
{
	tc_k8s_field host = tc_k8s_field_of(r, "host", rp);
	if (tc_k8s_str(host.v) && host.v->u.str.len)
		check_host(o, host.v, &host.p);
	tc_k8s_field http = tc_k8s_field_of(r, "http", rp);
	if (!tc_k8s_obj(http.v))
		return;
	tc_k8s_field paths = tc_k8s_field_of(http.v, "paths", &http.p);
	if (!tc_k8s_nonempty(paths.v))
		tc_k8s_report(o, http.v->pos, &paths.p, "an http rule needs at least one path");
	for (size_t k = 0; tc_k8s_arr(paths.v) && k < paths.v->u.arr.len; k++) {
		tc_path pp = TC_PATH_INDEX(&paths.p, k);
		if (tc_k8s_obj(paths.v->u.arr.items[k]))
			check_path(o, paths.v->u.arr.items[k], &pp);
	}
}

/* the hosts of each tls entry */
static void check_tls_hosts(tc_k8s_ctx *o, const tc_value *spec, const tc_path *at)
{
	tc_k8s_field tls = tc_k8s_field_of(spec, "tls", at);
	for (size_t i = 0; tc_k8s_arr(tls.v) && i < tls.v->u.arr.len; i++) {
		tc_path tp = TC_PATH_INDEX(&tls.p, i);
		tc_k8s_field hosts = tc_k8s_field_of(tls.v->u.arr.items[i], "hosts", &tp);
		for (size_t k = 0; tc_k8s_arr(hosts.v) && k < hosts.v->u.arr.len; k++) {
			const tc_value *h = tc_k8s_str(hosts.v->u.arr.items[k]);
			tc_path hp = TC_PATH_INDEX(&hosts.p, k);
			if (h && h->u.str.len)
				check_host(o, h, &hp);
		}
	}
}

void tc_k8s_rule_ingress(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at)
{
	tc_k8s_field spec = tc_k8s_field_of(obj, "spec", at);
	if (!tc_k8s_obj(spec.v))
		return;
	tc_k8s_field rules = tc_k8s_field_of(spec.v, "rules", &spec.p);
	tc_k8s_field db = tc_k8s_field_of(spec.v, "defaultBackend", &spec.p);
	if (!tc_k8s_nonempty(rules.v) && !tc_k8s_set(db.v))
		tc_k8s_report(o, spec.v->pos, &spec.p,
		              "an Ingress needs rules or a defaultBackend");
	check_backend(o, db.v, &db.p);
	for (size_t i = 0; tc_k8s_arr(rules.v) && i < rules.v->u.arr.len; i++) {
		tc_path rp = TC_PATH_INDEX(&rules.p, i);
		check_ingress_rule(o, rules.v->u.arr.items[i], &rp);
	}
	check_tls_hosts(o, spec.v, &spec.p);
	tc_k8s_field ic = tc_k8s_field_of(spec.v, "ingressClassName", &spec.p);
	const tc_value *ics = tc_k8s_str(ic.v);
	if (ics && ics->u.str.len && !tc_k8s_is_dns_subdomain(ics->u.str.ptr, ics->u.str.len))
		tc_k8s_report(o, ics->pos, &ic.p,
		              "'%.*s' is not a valid ingressClassName: a DNS-1123 subdomain",
		              TC_K8S_SHOW(ics));
}
