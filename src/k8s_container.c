/*
 * k8s_container.c - one container of a pod spec: its image, ports,
 * environment, volume mounts, probes and lifecycle hooks, resources and
 * restart policy. k8s_pod.c checks the pod around it (names across the
 * containers, volumes, host ports, the pod's own fields).
 *
 * Upstream: kubernetes/kubernetes pkg/apis/core/validation/validation.go,
 * validateContainerCommon, validateContainers and validateInitContainers
 * with what they call (validateContainerPorts, ValidateEnv,
 * validateEnvVarValueFrom, ValidateEnvFrom, ValidateVolumeMounts,
 * validateProbe, validateHandler, validateLifecycle,
 * validateInitContainerRestartPolicy, validateContainerRestartPolicy,
 * validatePullPolicy, ValidateSecurityContext and, for the pod's,
 * validatePodSpecSecurityContext). Lists are small, so names are compared pairwise and
 * nothing is allocated.
 */
#include "k8s_rules.h"

#include "k8s.h"

#include <inttypes.h>
#include <stdio.h>

const char *const tc_k8s_restart_policies[] = {"Always", "OnFailure", "Never", NULL};

/* one handler of a probe or hook: its port, and an httpGet's scheme */
static void check_handler_kind(tc_k8s_ctx *o, const tc_k8s_field *f, const char *kind)
{
	tc_k8s_field port = tc_k8s_field_of(f->v, "port", &f->p);
	if (!strcmp(kind, "httpGet") || !strcmp(kind, "tcpSocket")) {
		if (!tc_k8s_set(port.v))
			tc_k8s_report(o, f->v->pos, &port.p, "%s needs a port", kind);
		tc_k8s_check_port(o, port.v, &port.p, true);
	} else if (!strcmp(kind, "grpc")) {
		tc_k8s_check_port(o, port.v, &port.p, false);
	}
	if (!strcmp(kind, "httpGet")) {
		static const char *const schemes[] = {"HTTP", "HTTPS", NULL};
		tc_k8s_check_enum(o, f->v, "scheme", &f->p, schemes);
	}
}

/* validateHandler / validateProbe: exactly one of kinds is set */
static void check_handler(tc_k8s_ctx *o, const tc_value *h, const tc_path *at,
                          const char *const *kinds, const char *what)
{
	size_t n = 0;
	for (size_t i = 0; kinds[i]; i++) {
		tc_k8s_field f = tc_k8s_field_of(h, kinds[i], at);
		if (!tc_k8s_set(f.v))
			continue;
		if (++n == 2)
			tc_k8s_report(o, f.v->pos, &f.p,
			              "a %s may not specify more than one handler", what);
		check_handler_kind(o, &f, kinds[i]);
	}
	if (n == 0)
		tc_k8s_report(o, h->pos, at, "a %s must specify a handler (%s%s%s%s%s%s%s)", what,
		              kinds[0], kinds[1] ? ", " : "", kinds[1] ? kinds[1] : "",
		              kinds[2] ? ", " : "", kinds[2] ? kinds[2] : "",
		              kinds[3] ? " or " : "", kinds[3] ? kinds[3] : "");
}

static void check_probe(tc_k8s_ctx *o, const tc_value *c, const char *key, const tc_path *at)
{
	static const char *const kinds[] = {"exec", "httpGet", "tcpSocket", "grpc", NULL};
	tc_k8s_field f = tc_k8s_field_of(c, key, at);
	if (!tc_k8s_obj(f.v))
		return;
	check_handler(o, f.v, &f.p, kinds, "probe");
	static const char *const nums[] = {"initialDelaySeconds", "timeoutSeconds", "periodSeconds",
	                                   "successThreshold", "failureThreshold"};
	for (size_t i = 0; i < 5; i++)
		tc_k8s_check_nonneg(o, f.v, nums[i], &f.p);
	tc_k8s_field st = tc_k8s_field_of(f.v, "successThreshold", &f.p);
	int64_t n;
	if (strcmp(key, "readinessProbe") != 0 && tc_k8s_int(st.v, &n) && n != 1)
		tc_k8s_report(o, st.v->pos, &st.p, "successThreshold of a %s must be 1", key);
	tc_k8s_field tg = tc_k8s_field_of(f.v, "terminationGracePeriodSeconds", &f.p);
	if (tc_k8s_int(tg.v, &n) && n <= 0)
		tc_k8s_report(o, tg.v->pos, &tg.p, "terminationGracePeriodSeconds must be above 0");
}

static void check_lifecycle(tc_k8s_ctx *o, const tc_value *c, const tc_path *at)
{
	static const char *const kinds[] = {"exec", "httpGet", "tcpSocket", "sleep", NULL};
	tc_k8s_field lc = tc_k8s_field_of(c, "lifecycle", at);
	static const char *const hooks[] = {"postStart", "preStop"};
	for (size_t i = 0; tc_k8s_obj(lc.v) && i < 2; i++) {
		tc_k8s_field h = tc_k8s_field_of(lc.v, hooks[i], &lc.p);
		if (tc_k8s_obj(h.v))
			check_handler(o, h.v, &h.p, kinds, "lifecycle hook");
	}
}

static bool has_volume(const tc_value *vols, const tc_value *name)
{
	for (size_t i = 0; tc_k8s_arr(vols) && i < vols->u.arr.len; i++) {
		const tc_value *n = tc_k8s_item_str(vols, i, "name");
		if (n && tc_value_equal(n, name))
			return true;
	}
	return false;
}

/* validateEnvVarValueFrom's fieldRef paths for environment variables */
static bool env_field_path(const tc_value *v)
{
	static const char *const paths[] = {"metadata.name",
	                                    "metadata.namespace",
	                                    "metadata.uid",
	                                    "spec.nodeName",
	                                    "spec.serviceAccountName",
	                                    "status.hostIP",
	                                    "status.hostIPs",
	                                    "status.podIP",
	                                    "status.podIPs",
	                                    NULL};
	for (size_t i = 0; paths[i]; i++)
		if (tc_value_streq(v, paths[i]))
			return true;
	const char *s = v->u.str.ptr;
	size_t n = v->u.str.len;
	static const char *const subs[] = {"metadata.labels['", "metadata.annotations['"};
	for (size_t i = 0; i < 2; i++) {
		size_t k = strlen(subs[i]);
		if (n > k + 2 && !memcmp(s, subs[i], k) && s[n - 2] == '\'' && s[n - 1] == ']')
			return tc_k8s_is_qualified_name(s + k, n - k - 2);
	}
	return false;
}

static void check_ref_name(tc_k8s_ctx *o, const tc_value *ref, const tc_path *at, const char *what)
{
	tc_k8s_field n = tc_k8s_field_of(ref, "name", at);
	const tc_value *s = tc_k8s_str(n.v);
	if (!s || !tc_k8s_is_dns_subdomain(s->u.str.ptr, s->u.str.len))
		tc_k8s_report(o, s ? s->pos : ref->pos, &n.p,
		              "%s '%.*s' is not a valid name: a DNS-1123 subdomain", what,
		              TC_K8S_SHOW(s));
}

/* configMapKeyRef / secretKeyRef: the object's name and the key */
static void check_key_ref(tc_k8s_ctx *o, const tc_k8s_field *f, const char *what)
{
	check_ref_name(o, f->v, &f->p, what);
	tc_k8s_field key = tc_k8s_field_of(f->v, "key", &f->p);
	const tc_value *ks = tc_k8s_str(key.v);
	if (!ks || !tc_k8s_is_config_key(ks->u.str.ptr, ks->u.str.len))
		tc_k8s_report(o, ks ? ks->pos : f->v->pos, &key.p,
		              "'%.*s' is not a valid key: letters, digits, '-', "
		              "'_' and '.', not starting with '..'",
		              TC_K8S_SHOW(ks));
}

static void check_field_ref(tc_k8s_ctx *o, const tc_k8s_field *f)
{
	tc_k8s_field fp = tc_k8s_field_of(f->v, "fieldPath", &f->p);
	const tc_value *s = tc_k8s_str(fp.v);
	if (!s || !env_field_path(s))
		tc_k8s_report(o, s ? s->pos : f->v->pos, &fp.p,
		              "'%.*s' is not a supported field path for an "
		              "environment variable (metadata.name, "
		              "metadata.namespace, metadata.labels['KEY'], "
		              "status.podIP, ...)",
		              TC_K8S_SHOW(s));
}

/* validateContainerResourceFieldSelector for environment variables */
static bool env_resource(const tc_value *s)
{
	static const char *const res[] = {"limits.cpu",
	                                  "limits.memory",
	                                  "limits.ephemeral-storage",
	                                  "requests.cpu",
	                                  "requests.memory",
	                                  "requests.ephemeral-storage",
	                                  NULL};
	bool okr = false;
	for (size_t q = 0; res[q]; q++)
		okr |= tc_value_streq(s, res[q]);
	return okr || !strncmp(s->u.str.ptr, "limits.hugepages-", 17) ||
	       !strncmp(s->u.str.ptr, "requests.hugepages-", 19);
}

static void check_resource_field_ref(tc_k8s_ctx *o, const tc_k8s_field *f)
{
	tc_k8s_field r = tc_k8s_field_of(f->v, "resource", &f->p);
	const tc_value *s = tc_k8s_str(r.v);
	if (!s || !env_resource(s))
		tc_k8s_report(o, s ? s->pos : f->v->pos, &r.p,
		              "'%.*s' is not a supported resource (limits.cpu, "
		              "limits.memory, requests.cpu, ...)",
		              TC_K8S_SHOW(s));
}

/* validateEnvVarValueFrom: exactly one source, each well formed */
static void check_value_from(tc_k8s_ctx *o, const tc_value *e, const tc_k8s_field *vf)
{
	if (tc_k8s_nonempty(tc_value_getz(e, "value")))
		tc_k8s_report(o, vf->v->pos, &vf->p,
		              "valueFrom may not be specified when 'value' is not empty");
	static const char *const src[] = {"fieldRef",     "resourceFieldRef", "configMapKeyRef",
	                                  "secretKeyRef", "fileKeyRef",       NULL};
	size_t n = 0;
	for (size_t k = 0; src[k]; k++) {
		tc_k8s_field f = tc_k8s_field_of(vf->v, src[k], &vf->p);
		if (!tc_k8s_set(f.v))
			continue;
		if (++n == 2)
			tc_k8s_report(o, f.v->pos, &f.p,
			              "valueFrom may not have more than one source");
		if (k == 0)
			check_field_ref(o, &f);
		else if (k == 1)
			check_resource_field_ref(o, &f);
		else if (k == 2 || k == 3)
			check_key_ref(o, &f, k == 2 ? "ConfigMap" : "Secret");
	}
	if (n == 0)
		tc_k8s_report(o, vf->v->pos, &vf->p,
		              "valueFrom must specify one of fieldRef, resourceFieldRef, "
		              "configMapKeyRef or secretKeyRef");
}

/* ValidateEnv: one item of env */
static void check_env_var(tc_k8s_ctx *o, const tc_value *e, const tc_path *ep)
{
	tc_k8s_field name = tc_k8s_field_of(e, "name", ep);
	const tc_value *ns = tc_k8s_str(name.v);
	if (tc_k8s_obj(e) && (!ns || !tc_k8s_is_env_name(ns->u.str.ptr, ns->u.str.len)))
		tc_k8s_report(o, ns ? ns->pos : e->pos, &name.p,
		              "'%.*s' is not a valid environment variable name: printable "
		              "ASCII characters other than '=', at least one",
		              TC_K8S_SHOW(ns));
	tc_k8s_field vf = tc_k8s_field_of(e, "valueFrom", ep);
	if (tc_k8s_obj(vf.v))
		check_value_from(o, e, &vf);
}

/* ValidateEnvFrom: one item of envFrom */
static void check_env_from(tc_k8s_ctx *o, const tc_value *e, const tc_path *ep)
{
	tc_k8s_field pre = tc_k8s_field_of(e, "prefix", ep);
	const tc_value *ps = tc_k8s_str(pre.v);
	if (ps && ps->u.str.len && !tc_k8s_is_env_name(ps->u.str.ptr, ps->u.str.len))
		tc_k8s_report(o, ps->pos, &pre.p,
		              "'%.*s' is not a valid environment variable prefix", TC_K8S_SHOW(ps));
	tc_k8s_field cm = tc_k8s_field_of(e, "configMapRef", ep);
	tc_k8s_field se = tc_k8s_field_of(e, "secretRef", ep);
	if (tc_k8s_set(cm.v) && tc_k8s_set(se.v))
		tc_k8s_report(o, se.v->pos, &se.p, "envFrom may not have more than one source");
	else if (!tc_k8s_set(cm.v) && !tc_k8s_set(se.v))
		tc_k8s_report(o, e->pos, ep, "envFrom must specify configMapRef or secretRef");
	if (tc_k8s_obj(cm.v))
		check_ref_name(o, cm.v, &cm.p, "ConfigMap");
	if (tc_k8s_obj(se.v))
		check_ref_name(o, se.v, &se.p, "Secret");
}

static void check_env(tc_k8s_ctx *o, const tc_value *c, const tc_path *at)
{
	tc_k8s_field env = tc_k8s_field_of(c, "env", at);
	for (size_t i = 0; tc_k8s_arr(env.v) && i < env.v->u.arr.len; i++) {
		tc_path ep = TC_PATH_INDEX(&env.p, i);
		check_env_var(o, env.v->u.arr.items[i], &ep);
	}
	tc_k8s_field ef = tc_k8s_field_of(c, "envFrom", at);
	for (size_t i = 0; tc_k8s_arr(ef.v) && i < ef.v->u.arr.len; i++) {
		tc_path ep = TC_PATH_INDEX(&ef.p, i);
		if (tc_k8s_obj(ef.v->u.arr.items[i]))
			check_env_from(o, ef.v->u.arr.items[i], &ep);
	}
}

static void check_container_ports(tc_k8s_ctx *o, const tc_value *c, const tc_path *at)
{
	static const char *const protocols[] = {"TCP", "UDP", "SCTP", NULL};
	tc_k8s_field ports = tc_k8s_field_of(c, "ports", at);
	for (size_t i = 0; tc_k8s_arr(ports.v) && i < ports.v->u.arr.len; i++) {
		const tc_value *p = ports.v->u.arr.items[i];
		tc_path pp = TC_PATH_INDEX(&ports.p, i);
		if (!tc_k8s_obj(p))
			continue;
		tc_k8s_field cp = tc_k8s_field_of(p, "containerPort", &pp);
		if (!tc_k8s_set(cp.v))
			tc_k8s_report(o, p->pos, &cp.p, "a container port needs 'containerPort'");
		tc_k8s_check_port(o, cp.v, &cp.p, false);
		tc_k8s_field hp = tc_k8s_field_of(p, "hostPort", &pp);
		int64_t h;
		if (!tc_k8s_int(hp.v, &h) || h != 0)
			tc_k8s_check_port(o, hp.v, &hp.p, false);
		tc_k8s_check_enum(o, p, "protocol", &pp, protocols);
		tc_k8s_field name = tc_k8s_field_of(p, "name", &pp);
		const tc_value *n = tc_k8s_str(name.v);
		if (!n || n->u.str.len == 0)
			continue;
		tc_k8s_check_port(o, n, &name.p, true);
		if (tc_k8s_used_before(ports.v, i, "name", n))
			tc_k8s_report(o, n->pos, &name.p,
			              "port name '%.*s' is used twice in this container",
			              TC_K8S_SHOW(n));
	}
}

static void check_mounts(tc_k8s_ctx *o, const tc_value *c, const tc_value *vols, const tc_path *at)
{
	tc_k8s_field vm = tc_k8s_field_of(c, "volumeMounts", at);
	for (size_t i = 0; tc_k8s_arr(vm.v) && i < vm.v->u.arr.len; i++) {
		const tc_value *m = vm.v->u.arr.items[i];
		tc_path mp = TC_PATH_INDEX(&vm.p, i);
		if (!tc_k8s_obj(m))
			continue;
		tc_k8s_field name = tc_k8s_field_of(m, "name", &mp);
		const tc_value *n = tc_k8s_str(name.v);
		if (!n || !n->u.str.len)
			tc_k8s_report(o, m->pos, &name.p, "a volume mount needs a name");
		else if (!has_volume(vols, n))
			tc_k8s_report(
				o, n->pos, &name.p,
				"volume mount '%.*s' names no volume of the pod (spec.volumes)",
				TC_K8S_SHOW(n));
		tc_k8s_field path = tc_k8s_field_of(m, "mountPath", &mp);
		const tc_value *p = tc_k8s_str(path.v);
		if (!p || !p->u.str.len)
			tc_k8s_report(o, p ? p->pos : m->pos, &path.p,
			              "a volume mount needs a mountPath");
		else if (tc_k8s_used_before(vm.v, i, "mountPath", p))
			tc_k8s_report(o, p->pos, &path.p,
			              "mountPath '%.*s' is mounted twice in this container",
			              TC_K8S_SHOW(p));
		tc_k8s_field sp = tc_k8s_field_of(m, "subPath", &mp);
		const tc_value *s = tc_k8s_str(sp.v);
		if (s && !tc_k8s_is_descending_path(s->u.str.ptr, s->u.str.len))
			tc_k8s_report(o, s->pos, &sp.p,
			              "subPath '%.*s' must be a relative path without '..'",
			              TC_K8S_SHOW(s));
		if (tc_k8s_nonempty(s) && tc_k8s_nonempty(tc_value_getz(m, "subPathExpr")))
			tc_k8s_report(o, s->pos, &sp.p,
			              "subPath and subPathExpr are mutually exclusive");
	}
}

/* validateSeccompProfileField and ValidateAppArmorProfileField */
static void check_profile(tc_k8s_ctx *o, const tc_value *sc, const char *key, const tc_path *at)
{
	tc_k8s_field f = tc_k8s_field_of(sc, key, at);
	if (!tc_k8s_obj(f.v))
		return;
	static const char *const types[] = {"RuntimeDefault", "Unconfined", "Localhost", NULL};
	tc_k8s_check_enum(o, f.v, "type", &f.p, types);
	tc_k8s_field t = tc_k8s_field_of(f.v, "type", &f.p);
	tc_k8s_field lp = tc_k8s_field_of(f.v, "localhostProfile", &f.p);
	const tc_value *ls = tc_k8s_str(lp.v);
	if (tc_value_streq(t.v, "Localhost")) {
		if (!ls || !ls->u.str.len)
			tc_k8s_report(o, t.v->pos, &lp.p,
			              "a %s of type 'Localhost' needs localhostProfile", key);
		else if (!strcmp(key, "seccompProfile") &&
		         !tc_k8s_is_descending_path(ls->u.str.ptr, ls->u.str.len))
			tc_k8s_report(
				o, ls->pos, &lp.p,
				"localhostProfile '%.*s' must be a relative path without '..'",
				TC_K8S_SHOW(ls));
	} else if (tc_k8s_str(t.v) && tc_k8s_set(lp.v)) {
		tc_k8s_report(o, lp.v->pos, &lp.p,
		              "localhostProfile can only be set when the type is 'Localhost'");
	}
}

/* IsValidUserID and IsValidGroupID: 0 to 2147483647 */
static void check_id(tc_k8s_ctx *o, const tc_value *v, const tc_path *at, const char *what)
{
	int64_t n;
	if (tc_k8s_int(v, &n) && (n < 0 || n > 2147483647))
		tc_k8s_report(o, v->pos, at, "%s %" PRId64 " is not between 0 and 2147483647", what,
		              n);
}

void tc_k8s_check_security_context(tc_k8s_ctx *o, const tc_value *sc, const tc_path *at, bool pod)
{
	if (!tc_k8s_obj(sc))
		return;
	static const char *const ids[] = {"runAsUser", "runAsGroup", "fsGroup"};
	for (size_t i = 0; i < (pod ? 3u : 2u); i++) {
		tc_k8s_field f = tc_k8s_field_of(sc, ids[i], at);
		check_id(o, f.v, &f.p, ids[i]);
	}
	check_profile(o, sc, "seccompProfile", at);
	check_profile(o, sc, "appArmorProfile", at);
	if (pod) {
		tc_k8s_field sg = tc_k8s_field_of(sc, "supplementalGroups", at);
		for (size_t i = 0; tc_k8s_arr(sg.v) && i < sg.v->u.arr.len; i++) {
			tc_path gp = TC_PATH_INDEX(&sg.p, i);
			check_id(o, sg.v->u.arr.items[i], &gp, "a group id");
		}
		static const char *const fcp[] = {"OnRootMismatch", "Always", NULL};
		tc_k8s_check_enum(o, sc, "fsGroupChangePolicy", at, fcp);
		return;
	}
	static const char *const pm[] = {"Default", "Unmasked", NULL};
	tc_k8s_check_enum(o, sc, "procMount", at, pm);
	tc_k8s_field ape = tc_k8s_field_of(sc, "allowPrivilegeEscalation", at);
	const tc_value *priv = tc_value_getz(sc, "privileged");
	if (ape.v && ape.v->kind == TC_BOOL && !ape.v->u.b) {
		if (priv && priv->kind == TC_BOOL && priv->u.b)
			tc_k8s_report(
				o, ape.v->pos, &ape.p,
				"allowPrivilegeEscalation cannot be false when privileged is true");
		const tc_value *add = tc_k8s_arr(tc_value_dig(sc, "capabilities.add"));
		for (size_t i = 0; add && i < add->u.arr.len; i++)
			if (tc_value_streq(add->u.arr.items[i], "CAP_SYS_ADMIN"))
				tc_k8s_report(
					o, ape.v->pos, &ape.p,
					"allowPrivilegeEscalation cannot be false when capabilities.add "
					"holds CAP_SYS_ADMIN");
	}
}

void tc_k8s_check_container(tc_k8s_ctx *o, const tc_value *c, const tc_value *vols,
                            const tc_path *at, bool init, bool is_pod)
{
	tc_k8s_field img = tc_k8s_field_of(c, "image", at);
	const tc_value *is = tc_k8s_str(img.v);
	if (!is || !is->u.str.len)
		tc_k8s_report(o, is ? is->pos : c->pos, &img.p, "a container needs an image");
	/* validateContainerOnlyForPod: templates keep " " as a token */
	if (is_pod && is && is->u.str.len &&
	    (is->u.str.ptr[0] == ' ' || is->u.str.ptr[is->u.str.len - 1] == ' ' ||
	     is->u.str.ptr[0] == '\t' || is->u.str.ptr[is->u.str.len - 1] == '\t'))
		tc_k8s_report(o, is->pos, &img.p,
		              "image must not have leading or trailing white space");
	check_container_ports(o, c, at);
	check_env(o, c, at);
	check_mounts(o, c, vols, at);
	/* container restart policies (ContainerRestartRules, on in 1.34):
	 * Always, OnFailure or Never; an init container with Always is a
	 * sidecar */
	tc_k8s_field rp = tc_k8s_field_of(c, "restartPolicy", at);
	bool sidecar = init && tc_value_streq(rp.v, "Always");
	tc_k8s_check_enum(o, c, "restartPolicy", at, tc_k8s_restart_policies);
	static const char *const probes[] = {"livenessProbe", "readinessProbe", "startupProbe"};
	for (size_t i = 0; i < 3; i++) {
		tc_k8s_field f = tc_k8s_field_of(c, probes[i], at);
		if (init && !sidecar && tc_k8s_set(f.v))
			tc_k8s_report(o, f.v->pos, &f.p,
			              "%s may not be set for init containers without restartPolicy "
			              "'Always'",
			              probes[i]);
		else
			check_probe(o, c, probes[i], at);
	}
	tc_k8s_field lc = tc_k8s_field_of(c, "lifecycle", at);
	if (init && !sidecar && tc_k8s_set(lc.v))
		tc_k8s_report(o, lc.v->pos, &lc.p,
		              "lifecycle may not be set for init containers without restartPolicy "
		              "'Always'");
	else
		check_lifecycle(o, c, at);
	tc_k8s_field res = tc_k8s_field_of(c, "resources", at);
	if (tc_k8s_obj(res.v))
		tc_k8s_check_resources(o, res.v, &res.p);
	tc_k8s_field sc = tc_k8s_field_of(c, "securityContext", at);
	tc_k8s_check_security_context(o, sc.v, &sc.p, false);
	static const char *const pull[] = {"Always", "IfNotPresent", "Never", NULL};
	tc_k8s_check_enum(o, c, "imagePullPolicy", at, pull);
	static const char *const tmp[] = {"File", "FallbackToLogsOnError", NULL};
	tc_k8s_check_enum(o, c, "terminationMessagePolicy", at, tmp);
}
