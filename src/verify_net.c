/*
 * verify_net.c - the network invariants, from NetworkPolicy semantics as
 * the Kubernetes NetworkPolicy API reference (networking.k8s.io/v1) and
 * the "Network Policies" concept page define them:
 *
 *   - a policy applies to the pods its spec.podSelector selects in its own
 *     namespace ({} selects every pod);
 *   - its effective policyTypes are spec.policyTypes, or when absent
 *     Ingress plus Egress when spec.egress is present;
 *   - a pod is isolated for a direction as soon as one policy of that type
 *     selects it; it may then receive (send) only what the union of the
 *     rules of those policies allows;
 *   - a rule with no from/to peers allows every peer, one with no ports
 *     every port; a peer is a podSelector (pods of the policy's namespace),
 *     a namespaceSelector (all pods of the selected namespaces), both (the
 *     selected pods of the selected namespaces) or an ipBlock (the CIDR
 *     minus its except list); a port is a number or a name (a container
 *     port name of the destination pod), TCP unless a protocol is given,
 *     and port..endPort a range.
 *
 * The model of pods: the pods of the rendered workloads (Pods and the pod
 * templates of Deployments, StatefulSets, ...) where there are some, and
 * otherwise the label sets the policies' selectors describe; named ports
 * resolve against the containerPorts of the rendered pods a rule's
 * destination selects (--explain shows "TCP/http=8080"); a rule is judged by every namespace its
 * namespaceSelector can select (through the label index, verify.c), which is what any pod of those
 * namespaces, present or future, would be allowed. Named ports match only pods (never an ipBlock);
 * for the DNS namespace the names CoreDNS gives its ports ("dns", "dns-tcp") count as port 53. An
 * ipBlock is taken to be outside the cluster (the API leaves pod IPs in an ipBlock to the
 * implementation).
 *
 * Invariants, each per tenant namespace:
 *   network.default-deny   a policy with podSelector {} for Ingress and one
 *                          for Egress
 *   network.cross-tenant   no rule admits or reaches a namespace of another
 *                          tenant or of another environment
 *   network.egress         egress only to the DNS pods on port 53, the
 *                          Keycloak namespace on listed ports, the tenant's
 *                          declared network.egress CIDRs and ports, and the
 *                          platform's exceptions
 */
#include "verify_impl.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

/* ---- address blocks: [lo, hi] on 128 bits, IPv4 apart from IPv6 ---- */

typedef struct u128 {
	uint64_t hi, lo;
} u128;

typedef struct block {
	int family;
	u128 lo, hi;
} block;

static int ucmp(u128 a, u128 b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	return a.lo < b.lo ? -1 : a.lo > b.lo;
}

static u128 uinc(u128 a)
{
	a.lo++;
	if (a.lo == 0)
		a.hi++;
	return a;
}

static u128 udec(u128 a)
{
	if (a.lo == 0)
		a.hi--;
	a.lo--;
	return a;
}

/* "a.b.c.d/n" or an IPv6 prefix; host bits must be zero (the API refuses
 * others since Kubernetes 1.33, and they would only confuse a reader) */
static bool parse_cidr(const char *s, block *out)
{
	const char *slash = strchr(s, '/');
	if (!slash || slash - s >= 64)
		return false;
	char addr[64];
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = 0;
	char *end;
	long bits = strtol(slash + 1, &end, 10);
	if (*end || end == slash + 1)
		return false;
	unsigned char b[16] = {0};
	int width;
	if (inet_pton(AF_INET, addr, b + 12) == 1)
		out->family = 4, width = 32;
	else if (inet_pton(AF_INET6, addr, b) == 1)
		out->family = 6, width = 128;
	else
		return false;
	if (bits < 0 || bits > width)
		return false;
	u128 a = {0, 0};
	for (int i = 0; i < 8; i++) {
		a.hi = a.hi << 8 | b[i];
		a.lo = a.lo << 8 | b[8 + i];
	}
	int host = width - (int)bits; /* host bits, from the low end */
	u128 mask = {0, 0};
	if (host >= 64) {
		mask.lo = ~0ull;
		mask.hi = host >= 128 ? ~0ull : host == 64 ? 0 : (1ull << (host - 64)) - 1;
	} else {
		mask.lo = host == 0 ? 0 : (1ull << host) - 1;
	}
	if ((a.hi & mask.hi) || (a.lo & mask.lo))
		return false;
	out->lo = a;
	out->hi = (u128){a.hi | mask.hi, a.lo | mask.lo};
	return true;
}

bool tc_vcidr_valid(const char *cidr)
{
	block b;
	return parse_cidr(cidr, &b);
}

/* Is [lo, hi] inside the union of blocks (of one family)? */
static bool covered(int family, u128 lo, u128 hi, const block *bl, size_t n)
{
	for (;;) {
		bool moved = false;
		for (size_t i = 0; i < n; i++) {
			if (bl[i].family != family || ucmp(bl[i].lo, lo) > 0 ||
			    ucmp(bl[i].hi, lo) < 0)
				continue;
			if (ucmp(bl[i].hi, hi) >= 0)
				return true;
			lo = uinc(bl[i].hi);
			moved = true;
		}
		if (!moved)
			return false;
	}
}

/* Of the excepts ex[0..m), the one that starts first at or after `at` (or
 * contains it) and before hi; SIZE_MAX when none does. */
static size_t next_except(const block *ex, size_t m, u128 at, u128 hi)
{
	size_t best = SIZE_MAX;
	for (size_t i = 0; i < m; i++)
		if (ucmp(ex[i].hi, at) >= 0 && ucmp(ex[i].lo, hi) <= 0 &&
		    (best == SIZE_MAX || ucmp(ex[i].lo, ex[best].lo) < 0))
			best = i;
	return best;
}

bool tc_vcidr_within(const char *cidr, const tc_value *except, const char *const *blocks,
                     size_t nblocks)
{
	block c;
	if (!parse_cidr(cidr, &c))
		return false;
	block *bl = tc_xmalloc((nblocks + 1) * sizeof *bl);
	size_t n = 0;
	for (size_t i = 0; i < nblocks; i++)
		if (parse_cidr(blocks[i], &bl[n]))
			n++;
	/* the parts of c outside every except, walked in address order */
	size_t nex = except && except->kind == TC_ARRAY ? except->u.arr.len : 0;
	block *ex = tc_xmalloc((nex + 1) * sizeof *ex);
	size_t m = 0;
	FOREACH_ARR (e, i, except)
		if (e->kind == TC_STR && parse_cidr(e->u.str.ptr, &ex[m]) &&
		    ex[m].family == c.family)
			m++;
	bool ok = true;
	u128 at = c.lo;
	bool done = false;
	while (ok && !done) {
		size_t best = next_except(ex, m, at, c.hi);
		if (best == SIZE_MAX) {
			ok = covered(c.family, at, c.hi, bl, n);
			break;
		}
		if (ucmp(ex[best].lo, at) > 0)
			ok = covered(c.family, at, udec(ex[best].lo), bl, n);
		if (ucmp(ex[best].hi, c.hi) >= 0)
			done = true;
		else
			at = uinc(ex[best].hi);
	}
	free(bl);
	free(ex);
	return ok;
}

/* ---- policies ---- */

static bool has_type(const tc_value *spec, const char *type)
{
	const tc_value *types = tc_value_getz(spec, "policyTypes");
	if (types && types->kind == TC_ARRAY) {
		FOREACH_ARR (t, i, types)
			if (tc_value_streq(t, type))
				return true;
		return false;
	}
	if (strcmp(type, "Ingress") == 0)
		return true;
	/* "Egress will be set if the NetworkPolicy has any egress rules" */
	const tc_value *eg = tc_value_getz(spec, "egress");
	return eg && eg->kind == TC_ARRAY && eg->u.arr.len > 0;
}

static bool empty_selector(const tc_value *sel)
{
	if (!sel || sel->kind != TC_OBJECT)
		return false;
	const tc_value *ml = tc_value_getz(sel, "matchLabels");
	const tc_value *me = tc_value_getz(sel, "matchExpressions");
	return (!ml || ml->kind != TC_OBJECT || ml->u.obj.len == 0) &&
	       (!me || me->kind != TC_ARRAY || me->u.arr.len == 0);
}

static void selector_text(tc_buf *b, const tc_value *sel)
{
	if (empty_selector(sel)) {
		tc_buf_adds(b, "all pods");
		return;
	}
	const tc_value *ml = tc_value_getz(sel, "matchLabels");
	bool first = true;
	for (size_t i = 0; ml && ml->kind == TC_OBJECT && i < ml->u.obj.len; i++) {
		tc_buf_addf(b, "%s%s=%s", first ? "" : ",", ml->u.obj.members[i].key,
		            tc_value_shown(ml->u.obj.members[i].val));
		first = false;
	}
	FOREACH_ARR (e, i, tc_value_getz(sel, "matchExpressions")) {
		tc_buf_addf(b, "%s%s %s", first ? "" : ",", tc_value_shown(tc_value_getz(e, "key")),
		            tc_value_shown(tc_value_getz(e, "operator")));
		FOREACH_ARR (x, k, tc_value_getz(e, "values"))
			tc_buf_addf(b, "%s%s", k ? "|" : " ", tc_value_shown(x));
		first = false;
	}
}

/* Where a rule's named ports are looked up: the pods a selector picks in
 * a namespace of an environment (sel NULL: not known, pods elsewhere). */
typedef struct dst {
	const char *env, *ns;
	const tc_value *sel;
} dst;

/* The pod templates of the rendered workloads, as the API nests them. */
static const struct {
	const char *kind, *tpl; /* tpl NULL: the object is the pod */
} workloads[] = {
	{"CronJob", "spec.jobTemplate.spec.template"},
	{"DaemonSet", "spec.template"},
	{"Deployment", "spec.template"},
	{"Job", "spec.template"},
	{"Pod", NULL},
	{"ReplicaSet", "spec.template"},
	{"ReplicationController", "spec.template"},
	{"StatefulSet", "spec.template"},
};

/* The containerPort called name (of protocol proto) in a pod template,
 * or NULL. */
static const tc_value *pod_port(const tc_value *pod, const char *name, const char *proto)
{
	FOREACH_ARR (c, m, tc_value_dig(pod, "spec.containers"))
		FOREACH_ARR (p, q, tc_value_getz(c, "ports")) {
			const char *pp = tc_vstr(p, "protocol");
			const tc_value *num = tc_value_getz(p, "containerPort");
			if (tc_value_streq(tc_value_getz(p, "name"), name) &&
			    strcmp(pp ? pp : "TCP", proto) == 0 && num && num->kind == TC_INT)
				return num;
		}
	return NULL;
}

/* A named port of the pods d selects, from the containerPorts of the
 * rendered workloads (the API resolves a name per pod; the first pod's
 * number is shown): the number, or -1 when no rendered pod defines it. */
static int64_t named_port(const tc_verify *v, const dst *d, const char *name, const char *proto)
{
	if (!d || !d->sel)
		return -1;
	for (size_t k = 0; k < sizeof workloads / sizeof workloads[0]; k++) {
		size_t lo, n = tc_vobj_range(v, d->env, workloads[k].kind, d->ns, &lo);
		for (size_t i = lo; i < lo + n; i++) {
			const tc_value *pod = workloads[k].tpl
			                              ? tc_value_dig(v->objs[i].v, workloads[k].tpl)
			                              : v->objs[i].v;
			if (!tc_vsel_matches(d->sel, tc_value_dig(pod, "metadata.labels"), NULL))
				continue;
			const tc_value *num = pod_port(pod, name, proto);
			if (num)
				return num->u.i;
		}
	}
	return -1;
}

/* One port of a rule as --explain shows it: "TCP/8080", "TCP/http=8080",
 * "UDP/all", "TCP/1000-2000". */
static void port_text(const tc_verify *v, tc_buf *b, const tc_value *p, const dst *d)
{
	const char *proto = tc_vstr(p, "protocol");
	const tc_value *port = tc_value_getz(p, "port"), *end = tc_value_getz(p, "endPort");
	tc_buf_addf(b, "%s/", proto ? proto : "TCP");
	if (!port)
		tc_buf_adds(b, "all");
	else if (port->kind == TC_INT)
		tc_buf_addf(b, "%lld", (long long)port->u.i);
	else
		tc_buf_adds(b, tc_value_shown(port));
	if (port && port->kind == TC_STR) {
		int64_t num = named_port(v, d, port->u.str.ptr, proto ? proto : "TCP");
		if (num >= 0)
			tc_buf_addf(b, "=%lld", (long long)num);
	}
	if (end && end->kind == TC_INT)
		tc_buf_addf(b, "-%lld", (long long)end->u.i);
}

static const char *ports_text(tc_verify *v, const tc_value *ports, const dst *d)
{
	if (!ports || ports->kind != TC_ARRAY || ports->u.arr.len == 0)
		return "all";
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	FOREACH_ARR (p, i, ports) {
		if (i)
			tc_buf_adds(&b, ",");
		port_text(v, &b, p, d);
	}
	char *s = tc_arena_strdup(&v->a, tc_buf_str(&b));
	tc_buf_release(&b);
	return s;
}

/* Every port of the rule is 53 (UDP, TCP or SCTP) or a CoreDNS port name. */
static bool dns_ports(const tc_value *ports)
{
	if (!ports || ports->kind != TC_ARRAY || ports->u.arr.len == 0)
		return false;
	FOREACH_ARR (p, i, ports) {
		const tc_value *port = tc_value_getz(p, "port"), *end = tc_value_getz(p, "endPort");
		if (!port)
			return false;
		if (port->kind == TC_INT
		            ? port->u.i != 53 || (end && end->u.i != 53)
		            : !tc_value_streq(port, "dns") && !tc_value_streq(port, "dns-tcp"))
			return false;
	}
	return true;
}

/* Port x among the declared entry's ports (TCP numbers). */
static bool port_declared(int64_t x, const tc_value *decl)
{
	FOREACH_ARR (q, k, decl)
		if (q->kind == TC_INT && q->u.i == x)
			return true;
	return false;
}

/* One port of a rule within a declared entry's ports (decl NULL: every
 * TCP port). */
static bool rule_port_declared(const tc_value *p, const tc_value *decl)
{
	const char *proto = tc_vstr(p, "protocol");
	const tc_value *port = tc_value_getz(p, "port"), *end = tc_value_getz(p, "endPort");
	if (proto && strcmp(proto, "TCP") != 0)
		return false;
	if (!port)
		return false; /* every port of the protocol */
	if (port->kind != TC_INT || !decl)
		return true; /* a name matches no ipBlock: it opens nothing */
	int64_t last = end && end->kind == TC_INT ? end->u.i : port->u.i;
	for (int64_t x = port->u.i; x <= last && x <= 65535; x++)
		if (!port_declared(x, decl))
			return false;
	return true;
}

/* The rule's ports within a declared entry's ports (TCP numbers; an
 * entry without ports allows every TCP port). */
static bool declared_ports(const tc_value *rule, const tc_value *decl)
{
	if (!rule || rule->kind != TC_ARRAY || rule->u.arr.len == 0)
		return false; /* every port, every protocol */
	FOREACH_ARR (p, i, rule)
		if (!rule_port_declared(p, decl))
			return false;
	return true;
}

typedef struct pctx {
	tc_verify *v;
	tc_diags *d;
	const vobj *o;
	const vns *self;
	const char *sel; /* the pods the policy applies to, as text */
} pctx;

/* A row of --explain; to: the peer pods of an egress rule in the
 * policy's namespace (named ports resolve against them), or NULL. */
static void flow_to(pctx *c, const char *dir, const char *peer, const tc_value *ports,
                    const tc_value *to)
{
	bool egress = strcmp(dir, "egress") == 0;
	dst d = {c->o->env, c->o->ns, egress ? to : tc_value_dig(c->o->v, "spec.podSelector")};
	tc_vrow(c->v, "flow", c->o->ns, dir,
	        tc_vprintf(c->v, "%s -> %s", egress ? c->sel : peer, egress ? peer : c->sel),
	        ports_text(c->v, ports, &d), c->o->name);
}

static void flow(pctx *c, const char *dir, const char *peer, const tc_value *ports)
{
	flow_to(c, dir, peer, ports, NULL);
}

/* Is namespace m out of bounds for the policy's namespace? */
static const char *foreign(const pctx *c, const vns *m)
{
	if (m == c->self)
		return NULL;
	if (m->tenant && strcmp(m->tenant, c->self->tenant) != 0)
		return "another tenant's";
	if (m->env && strcmp(m->env, c->self->env) != 0)
		return "another environment's";
	if (m->tenant)
		return "another"; /* the same tenant's other namespace */
	return NULL;
}

/* Egress to cidr (minus except) on ports within one of the tenant's
 * declared network.egress entries ({cidr, ports}). */
static bool declared_egress(const pctx *c, const char *cidr, const tc_value *except,
                            const tc_value *ports)
{
	FOREACH_ARR (e, i, tc_value_dig(c->self->tenant_doc, "network.egress")) {
		const char *dc = tc_vstr(e, "cidr");
		if (dc && tc_vcidr_within(cidr, except, &dc, 1) &&
		    declared_ports(ports, tc_value_getz(e, "ports")))
			return true;
	}
	return false;
}

/* ... or to the environment's Keycloak issuer (values.keycloak.issuerCidrs)
 * on the port of its URL: the platform's, like the Keycloak namespace. */
static bool issuer_egress(const pctx *c, const char *cidr, const tc_value *except,
                          const tc_value *ports)
{
	const tc_value *iss = tc_venv_issuer(c->v, c->o->env);
	FOREACH_ARR (ic, i, iss ? tc_value_getz(iss, "cidrs") : NULL) {
		const char *dc = ic->kind == TC_STR ? ic->u.str.ptr : NULL;
		if (dc && tc_vcidr_within(cidr, except, &dc, 1) &&
		    declared_ports(ports, tc_value_getz(iss, "ports")))
			return true;
	}
	return false;
}

static void ip_egress(pctx *c, const tc_value *ipb, const tc_value *ports, const tc_path *path)
{
	const tc_value *cidr = tc_value_getz(ipb, "cidr");
	if (!cidr || cidr->kind != TC_STR)
		return;
	const tc_value *except = tc_value_getz(ipb, "except");
	tc_path pc = TC_PATH_KEY(path, "cidr", 4);
	if (!declared_egress(c, cidr->u.str.ptr, except, ports) &&
	    !issuer_egress(c, cidr->u.str.ptr, except, ports)) {
		vsubj s = {.namespace = c->o->ns, .cidr = cidr->u.str.ptr, .ports = ports};
		bool all = !ports || ports->kind != TC_ARRAY || ports->u.arr.len == 0;
		size_t before = c->v->nfindings;
		tc_vfind(c->v, c->d, "network.egress", &s, cidr, c->o, &pc,
		         "egress to %s on %s, which is not among the tenant's declared "
		         "network.egress destinations%s",
		         cidr->u.str.ptr, all ? "every port" : ports_text(c->v, ports, NULL),
		         all ? " (a rule without ports allows every port)" : "");
		if (c->v->nfindings != before)
			return;
	}
	flow(c, "egress", cidr->u.str.ptr, ports);
}

/* May a tenant's pods (those psel selects) reach platform namespace m on
 * ports? Only the DNS pods on port 53 and Keycloak on listed ports; what
 * says which rule applied, for the finding. */
static bool platform_egress(const pctx *c, const vns *m, const tc_value *psel,
                            const tc_value *ports, const char **what)
{
	*what = "";
	if (strcmp(m->name, c->v->dns_ns) == 0) {
		*what = " (DNS: only selected pods on port 53)";
		return psel && !empty_selector(psel) && dns_ports(ports);
	}
	if (strcmp(m->name, c->v->keycloak_ns) == 0) {
		*what = " (Keycloak: on listed ports)";
		return ports && ports->kind == TC_ARRAY && ports->u.arr.len > 0;
	}
	return false;
}

/* A namespace peer of a rule: its selectors, the pods as text, its ports. */
typedef struct npeer {
	const char *dir;
	const tc_value *nsel, *psel, *ports;
	const char *pods;
	const tc_path *at; /* the namespaceSelector */
} npeer;

/* One namespace m the peer's namespaceSelector selects. */
static void peer_namespace(pctx *c, const npeer *p, const vns *m)
{
	bool egress = strcmp(p->dir, "egress") == 0;
	const char *why = foreign(c, m);
	vsubj s = {.namespace = c->o->ns, .to_namespace = m->name, .ports = p->ports};
	if (why) {
		tc_vfind(c->v, c->d, "network.cross-tenant", &s, p->nsel, c->o, p->at,
		         "%s %s namespace '%s' (%s of tenant '%s')",
		         egress ? "lets pods reach" : "admits pods of", why, m->name,
		         m->env ? m->env : "?", m->tenant ? m->tenant : "-");
		return;
	}
	if (m == c->self) {
		static const tc_value all = {.kind = TC_OBJECT};
		flow_to(c, p->dir, tc_vprintf(c->v, "%s (%s)", p->pods, m->name), p->ports,
		        p->psel ? p->psel : &all);
		return;
	}
	const char *what;
	if (egress && !platform_egress(c, m, p->psel, p->ports, &what)) {
		size_t before = c->v->nfindings;
		tc_vfind(c->v, c->d, "network.egress", &s, p->nsel, c->o, p->at,
		         "egress to %s of platform namespace '%s' on %s, beyond what tenants may "
		         "reach%s",
		         p->pods, m->name, ports_text(c->v, p->ports, NULL), what);
		if (c->v->nfindings != before)
			return;
	}
	flow(c, p->dir, tc_vprintf(c->v, "%s (%s)", p->pods, m->name), p->ports);
}

static void ns_peer(pctx *c, const char *dir, const tc_value *peer, const tc_value *ports,
                    const tc_path *path)
{
	tc_path pn = TC_PATH_KEY(path, "namespaceSelector", 17);
	npeer p = {dir,
	           tc_value_getz(peer, "namespaceSelector"),
	           tc_value_getz(peer, "podSelector"),
	           ports,
	           NULL,
	           &pn};
	uint32_t *idx;
	size_t n = tc_vns_select(c->v, p.nsel, &idx);
	tc_buf pods;
	tc_buf_init(&pods, TC_BUF_UNLIMITED);
	if (p.psel)
		selector_text(&pods, p.psel);
	else
		tc_buf_adds(&pods, "all pods");
	p.pods = tc_buf_str(&pods);
	for (size_t i = 0; i < n; i++)
		peer_namespace(c, &p, &c->v->ns[idx[i]]);
	free(idx);
	tc_buf_release(&pods);
}

/* One peer of a rule (from or to list), at path. */
static void peer(pctx *c, const char *dir, const tc_value *p, const tc_value *ports,
                 const tc_path *path)
{
	const tc_value *ipb = tc_value_getz(p, "ipBlock");
	if (ipb) {
		tc_path pi = TC_PATH_KEY(path, "ipBlock", 7);
		if (strcmp(dir, "egress") == 0)
			ip_egress(c, ipb, ports, &pi);
		else
			flow(c, dir, tc_vstr(ipb, "cidr") ? tc_vstr(ipb, "cidr") : "?", ports);
		return;
	}
	if (tc_value_getz(p, "namespaceSelector")) {
		ns_peer(c, dir, p, ports, path);
		return;
	}
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	selector_text(&b, tc_value_getz(p, "podSelector"));
	tc_buf_addf(&b, " (%s)", c->o->ns);
	flow_to(c, dir, tc_arena_strdup(&c->v->a, tc_buf_str(&b)), ports,
	        tc_value_getz(p, "podSelector"));
	tc_buf_release(&b);
}

/* One rule r of the policy's ingress or egress, at path. */
static void rule_peers(pctx *c, const char *dir, const tc_value *r, const tc_path *path)
{
	bool egress = strcmp(dir, "egress") == 0;
	const char *peers = egress ? "to" : "from";
	const tc_value *list = tc_value_getz(r, peers);
	const tc_value *ports = tc_value_getz(r, "ports");
	if (!list || list->kind != TC_ARRAY || list->u.arr.len == 0) {
		vsubj s = {.namespace = c->o->ns, .to_namespace = "*", .ports = ports};
		tc_vfind(c->v, c->d, "network.cross-tenant", &s, r, c->o, path,
		         "a rule without '%s' %s every pod and address, other tenants' included",
		         peers, egress ? "reaches" : "admits");
		return;
	}
	tc_path pl = TC_PATH_KEY(path, peers, strlen(peers));
	FOREACH_ARR (p, k, list) {
		tc_path pp = TC_PATH_INDEX(&pl, k);
		peer(c, dir, p, ports, &pp);
	}
}

static void rules(pctx *c, const char *dir)
{
	bool egress = strcmp(dir, "egress") == 0;
	const char *key = egress ? "egress" : "ingress";
	tc_path ps = TC_PATH_KEY(NULL, "spec", 4);
	tc_path pk = TC_PATH_KEY(&ps, key, strlen(key));
	FOREACH_ARR (r, i, tc_value_dig(c->o->v, egress ? "spec.egress" : "spec.ingress")) {
		tc_path pr = TC_PATH_INDEX(&pk, i);
		rule_peers(c, dir, r, &pr);
	}
}

void tc_verify_net(tc_verify *v, tc_diags *d)
{
	bool *in = tc_xcalloc(v->nns + 1, 1), *out = tc_xcalloc(v->nns + 1, 1);
	for (size_t i = 0; i < v->nobjs; i++) {
		const vobj *o = &v->objs[i];
		if (strcmp(o->kind, "NetworkPolicy") != 0 || strcmp(o->group, "networking.k8s.io"))
			continue;
		const vns *self = tc_vns_find(v, o->ns);
		if (!tc_vns_is_tenant(self))
			continue;
		const tc_value *spec = tc_value_getz(o->v, "spec");
		bool all = empty_selector(tc_value_getz(spec, "podSelector"));
		tc_buf b;
		tc_buf_init(&b, TC_BUF_UNLIMITED);
		selector_text(&b, tc_value_getz(spec, "podSelector"));
		pctx c = {v, d, o, self, tc_arena_strdup(&v->a, tc_buf_str(&b))};
		tc_buf_release(&b);
		if (has_type(spec, "Ingress")) {
			in[self - v->ns] |= all;
			rules(&c, "ingress");
		}
		if (has_type(spec, "Egress")) {
			out[self - v->ns] |= all;
			rules(&c, "egress");
		}
	}
	for (size_t i = 0; i < v->nns; i++) {
		const vns *n = &v->ns[i];
		if (!tc_vns_is_tenant(n) || (in[i] && out[i]))
			continue;
		tc_path pm = TC_PATH_KEY(NULL, "metadata", 8);
		tc_path pn = TC_PATH_KEY(&pm, "name", 4);
		vsubj s = {.namespace = n->name};
		tc_vfind(v, d, "network.default-deny", &s, tc_value_dig(n->o->v, "metadata.name"),
		         n->o, &pn, "no NetworkPolicy with podSelector {} isolates its pods for %s",
		         !in[i] && !out[i] ? "ingress and egress"
		         : !in[i]          ? "ingress"
		                           : "egress");
	}
	free(in);
	free(out);
}
