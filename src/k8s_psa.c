/*
 * k8s_psa.c - the Pod Security Standards (baseline and restricted) at render
 * time, following the kube-apiserver's Pod Security Admission: the checks
 * of k8s.io/pod-security-admission policy/check_*.go, each with the
 * versions of the standard it belongs to, and the namespace labels
 * pod-security.kubernetes.io/{enforce,warn}[-version] as
 * kubernetes.io/docs/concepts/security/pod-security-admission/ describes
 * them.
 *
 * A pod spec is judged once, when its object is added: each violation is
 * kept as a small record (the check's name, the lowest level that forbids
 * it, the half-open range of minor versions of the standard that forbid it,
 * the value's position and path, the object's namespace and name). A
 * Namespace keeps its two levels and versions. The report matches them:
 * the objects themselves are long gone by then.
 *
 * Label semantics (api/helpers.go ParseLevel, ParseVersion and
 * PolicyToEvaluate): a missing level is privileged; an enforce level that
 * does not parse is restricted, a warn level privileged, a version latest;
 * without a warn level, warn follows a stricter enforce level; "latest" and
 * any version past the newest check are the newest standard. Exemptions are the cluster's admission
 * configuration, which a render cannot see, so none apply. The user
 * namespace relaxation of runAsNonRoot, runAsUser and procMount sits behind
 * an alpha feature gate and is not applied.
 *
 * Stricter than the server on purpose: the server only warns and audits
 * for a workload's pod template, but a template that the enforce level
 * forbids makes a controller whose Pods are never created, so it is an
 * error here like a Pod.
 */
#include "k8s_psa.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>

#include "arena.h"
#include "buf.h"

enum { LVL_PRIVILEGED, LVL_BASELINE, LVL_RESTRICTED };

/* minor versions of the standard "v1.N"; LATEST stands above every one */
#define LATEST 1000u

typedef struct viol {
	const char *check; /* static: the check's ID upstream */
	int level;
	unsigned from, until; /* forbidden for from <= version < until */
	char *file;
	uint32_t line, col;
	char *path;
	char *detail;
	char *ns;
	char *kind;
	char *name;
	bool pod;
} viol;

typedef struct nsfacts {
	char *name;
	int level[2]; /* enforce, warn */
	unsigned version[2];
} nsfacts;

struct tc_k8s_psa {
	viol *v;
	size_t nv, cv;
	nsfacts *ns;
	size_t nns, cns;
};

/* The walk over one pod spec: where violations go and who owns them. */
typedef struct walk {
	tc_k8s_psa *s;
	const tc_value *obj;
	const char *ns, *kind, *name;
	bool pod;
	bool windows; /* spec.os.name == windows: exempt from some checks since v1.25 */
} walk;

tc_k8s_psa *tc_k8s_psa_new(void)
{
	return tc_xcalloc(1, sizeof(tc_k8s_psa));
}

void tc_k8s_psa_free(tc_k8s_psa *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nv; i++) {
		free(s->v[i].file);
		free(s->v[i].path);
		free(s->v[i].detail);
		free(s->v[i].ns);
		free(s->v[i].kind);
		free(s->v[i].name);
	}
	for (size_t i = 0; i < s->nns; i++)
		free(s->ns[i].name);
	free(s->v);
	free(s->ns);
	free(s);
}

/* ---- small readers ---- */

static const tc_value *get(const tc_value *o, const char *key)
{
	return o && o->kind == TC_OBJECT ? tc_value_getz(o, key) : NULL;
}

static bool is_true(const tc_value *v)
{
	return v && v->kind == TC_BOOL && v->u.b;
}

static bool is_false(const tc_value *v)
{
	return v && v->kind == TC_BOOL && !v->u.b;
}

static bool str_is(const tc_value *v, const char *s)
{
	return v && v->kind == TC_STR && v->u.str.len == strlen(s) &&
	       memcmp(v->u.str.ptr, s, v->u.str.len) == 0;
}

static bool str_nonempty(const tc_value *v)
{
	return v && v->kind == TC_STR && v->u.str.len > 0;
}

static bool in_list(const tc_value *v, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (str_is(v, list[i]))
			return true;
	return false;
}

static char *dup_str(const tc_value *v)
{
	if (!v || v->kind != TC_STR)
		return tc_xstrdup("");
	char *s = tc_xmalloc(v->u.str.len + 1);
	memcpy(s, v->u.str.ptr, v->u.str.len);
	s[v->u.str.len] = '\0';
	return s;
}

/* A value's text for a message, at most 64 bytes (a label value is 63) */
static void show(char *out, size_t n, const tc_value *v)
{
	if (v && v->kind == TC_STR) {
		int len = v->u.str.len > 64 ? 64 : (int)v->u.str.len;
		snprintf(out, n, "'%.*s'", len, v->u.str.ptr);
	} else if (v && v->kind == TC_BOOL) {
		snprintf(out, n, "%s", v->u.b ? "true" : "false");
	} else if (v && v->kind == TC_INT) {
		snprintf(out, n, "%lld", (long long)v->u.i);
	} else {
		snprintf(out, n, "unset");
	}
}

/* ---- recording ---- */

static void record(walk *w, const char *check, int level, unsigned from, unsigned until,
                   const tc_value *at, const tc_path *path, const char *detail)
{
	tc_k8s_psa *s = w->s;
	TC_GROW(s->v, s->cv, s->nv + 1);
	viol *v = &s->v[s->nv++];
	const tc_value *where = at ? at : w->obj;
	v->check = check;
	v->level = level;
	v->from = from;
	v->until = until;
	v->file = where->pos.file ? tc_xstrdup(where->pos.file) : NULL;
	v->line = where->pos.line;
	v->col = where->pos.col;
	tc_buf p;
	tc_buf_init(&p, 4096);
	tc_path_format(&p, path);
	v->path = tc_buf_detach(&p, NULL);
	v->detail = tc_xstrdup(detail);
	v->ns = tc_xstrdup(w->ns);
	v->kind = tc_xstrdup(w->kind);
	v->name = tc_xstrdup(w->name);
	v->pod = w->pod;
}

/* one of the three exemptions of Windows Pods since v1.25 */
static unsigned windows_until(const walk *w)
{
	return w->windows ? 25 : LATEST + 1;
}

/* ---- the checks of one container (c at path cp) ---- */

/* check_privileged.go: securityContext.privileged must not be true (v1.0) */
static void c_privileged(walk *w, const tc_value *sc, const tc_path *scp)
{
	const tc_value *v = get(sc, "privileged");
	tc_path p = TC_PATH_KEY(scp, "privileged", 10);
	if (is_true(v))
		record(w, "privileged", LVL_BASELINE, 0, LATEST + 1, v, &p,
		       "securityContext.privileged must not be true");
}

static const char *const default_caps[] =
	{"AUDIT_WRITE",      "CHOWN",   "DAC_OVERRIDE", "FOWNER",  "FSETID", "KILL",       "MKNOD",
         "NET_BIND_SERVICE", "SETFCAP", "SETGID",       "SETPCAP", "SETUID", "SYS_CHROOT", NULL};
static const char *const restricted_add[] = {"NET_BIND_SERVICE", NULL};

/* check_capabilities_baseline.go (v1.0): add only the runtime's default
 * set; check_capabilities_restricted.go (v1.22, Windows exempt since
 * v1.25): drop ALL, add at most NET_BIND_SERVICE */
static void c_capabilities(walk *w, const tc_value *c, const tc_value *sc, const tc_path *scp)
{
	const tc_value *caps = get(sc, "capabilities");
	tc_path cap_p = TC_PATH_KEY(scp, "capabilities", 12);
	const tc_value *add = get(caps, "add");
	tc_path add_p = TC_PATH_KEY(&cap_p, "add", 3);
	char buf[160], val[80];
	for (size_t i = 0; add && add->kind == TC_ARRAY && i < add->u.arr.len; i++) {
		const tc_value *a = add->u.arr.items[i];
		tc_path ip = TC_PATH_INDEX(&add_p, i);
		show(val, sizeof val, a);
		snprintf(buf, sizeof buf, "capability %s must not be added", val);
		if (!in_list(a, default_caps))
			record(w, "capabilities_baseline", LVL_BASELINE, 0, LATEST + 1, a, &ip,
			       buf);
		else if (!in_list(a, restricted_add))
			record(w, "capabilities_restricted", LVL_RESTRICTED, 22, windows_until(w),
			       a, &ip, buf);
	}
	const tc_value *drop = get(caps, "drop");
	bool all = false;
	for (size_t i = 0; drop && drop->kind == TC_ARRAY && i < drop->u.arr.len; i++)
		all = all || str_is(drop->u.arr.items[i], "ALL");
	if (!all) {
		const tc_value *at = drop ? drop : caps ? caps : sc ? sc : c;
		tc_path dp = TC_PATH_KEY(&cap_p, "drop", 4);
		record(w, "capabilities_restricted", LVL_RESTRICTED, 22, windows_until(w), at,
		       drop   ? &dp
		       : caps ? &cap_p
		              : scp,
		       "securityContext.capabilities.drop must include 'ALL'");
	}
}

/* check_hostPorts.go (v1.0): no container port sets hostPort */
static void c_host_ports(walk *w, const tc_value *c, const tc_path *cp)
{
	const tc_value *ports = get(c, "ports");
	tc_path pp = TC_PATH_KEY(cp, "ports", 5);
	for (size_t i = 0; ports && ports->kind == TC_ARRAY && i < ports->u.arr.len; i++) {
		const tc_value *hp = get(ports->u.arr.items[i], "hostPort");
		tc_path ip = TC_PATH_INDEX(&pp, i);
		tc_path hpp = TC_PATH_KEY(&ip, "hostPort", 8);
		if (hp && hp->kind == TC_INT && hp->u.i != 0)
			record(w, "hostPorts", LVL_BASELINE, 0, LATEST + 1, hp, &hpp,
			       "hostPort must not be set");
	}
}

static const char *const apparmor_ok[] = {"RuntimeDefault", "Localhost", NULL};

/* check_appArmorProfile.go (v1.0): appArmorProfile.type RuntimeDefault or
 * Localhost, at the pod and in each container */
static void sc_apparmor(walk *w, const tc_value *sc, const tc_path *scp)
{
	const tc_value *prof = get(sc, "appArmorProfile");
	const tc_value *t = get(prof, "type");
	tc_path pp = TC_PATH_KEY(scp, "appArmorProfile", 15);
	tc_path tp = TC_PATH_KEY(&pp, "type", 4);
	char buf[160], val[80];
	if (prof && !in_list(t, apparmor_ok)) {
		show(val, sizeof val, t);
		snprintf(buf, sizeof buf, "AppArmor profile type must not be %s", val);
		record(w, "appArmorProfile", LVL_BASELINE, 0, LATEST + 1, t ? t : prof,
		       t ? &tp : &pp, buf);
	}
}

static const char *const selinux_types[] = {"", "container_t", "container_init_t",
                                            "container_kvm_t", NULL};

/* check_seLinuxOptions.go: type one of the container types
 * (container_engine_t too since v1.31), user and role unset (v1.0) */
static void sc_selinux(walk *w, const tc_value *sc, const tc_path *scp)
{
	const tc_value *o = get(sc, "seLinuxOptions");
	tc_path op = TC_PATH_KEY(scp, "seLinuxOptions", 14);
	const tc_value *t = get(o, "type");
	tc_path tp = TC_PATH_KEY(&op, "type", 4);
	char buf[160], val[80];
	if (t && !in_list(t, selinux_types)) {
		show(val, sizeof val, t);
		snprintf(buf, sizeof buf, "seLinuxOptions.type must not be %s", val);
		record(w, "seLinuxOptions", LVL_BASELINE, 0,
		       str_is(t, "container_engine_t") ? 31 : LATEST + 1, t, &tp, buf);
	}
	static const char *const keys[] = {"user", "role"};
	for (size_t i = 0; i < 2; i++) {
		const tc_value *v = get(o, keys[i]);
		tc_path kp = TC_PATH_KEY(&op, keys[i], strlen(keys[i]));
		snprintf(buf, sizeof buf, "seLinuxOptions.%s must not be set", keys[i]);
		if (str_nonempty(v))
			record(w, "seLinuxOptions", LVL_BASELINE, 0, LATEST + 1, v, &kp, buf);
	}
}

/* check_windowsHostProcess.go (v1.0): windowsOptions.hostProcess not true */
static void sc_host_process(walk *w, const tc_value *sc, const tc_path *scp)
{
	const tc_value *v = get(get(sc, "windowsOptions"), "hostProcess");
	tc_path op = TC_PATH_KEY(scp, "windowsOptions", 14);
	tc_path hp = TC_PATH_KEY(&op, "hostProcess", 11);
	if (is_true(v))
		record(w, "windowsHostProcess", LVL_BASELINE, 0, LATEST + 1, v, &hp,
		       "windowsOptions.hostProcess must not be true");
}

static const char *const seccomp_ok[] = {"RuntimeDefault", "Localhost", NULL};

/* check_seccompProfile_baseline.go (v1.19): the type is not Unconfined;
 * check_seccompProfile_restricted.go (v1.19, Windows exempt since v1.25):
 * RuntimeDefault or Localhost. Returns whether sc sets a type. */
static bool sc_seccomp(walk *w, const tc_value *sc, const tc_path *scp)
{
	const tc_value *prof = get(sc, "seccompProfile");
	const tc_value *t = get(prof, "type");
	tc_path pp = TC_PATH_KEY(scp, "seccompProfile", 14);
	tc_path tp = TC_PATH_KEY(&pp, "type", 4);
	char buf[160], val[80];
	if (!t)
		return false;
	show(val, sizeof val, t);
	snprintf(buf, sizeof buf, "seccompProfile.type must not be %s", val);
	if (str_is(t, "Unconfined"))
		record(w, "seccompProfile_baseline", LVL_BASELINE, 19, LATEST + 1, t, &tp, buf);
	else if (!in_list(t, seccomp_ok))
		record(w, "seccompProfile_restricted", LVL_RESTRICTED, 19, windows_until(w), t, &tp,
		       buf);
	return true;
}

/* check_runAsNonRoot.go (v1.0): true at the pod or in every container, false
 * nowhere; check_runAsUser.go (v1.23): never 0. Returns whether sc sets
 * runAsNonRoot: true. */
static bool sc_run_as(walk *w, const tc_value *sc, const tc_path *scp)
{
	const tc_value *nr = get(sc, "runAsNonRoot");
	tc_path np = TC_PATH_KEY(scp, "runAsNonRoot", 12);
	if (is_false(nr))
		record(w, "runAsNonRoot", LVL_RESTRICTED, 0, LATEST + 1, nr, &np,
		       "runAsNonRoot must not be false");
	const tc_value *u = get(sc, "runAsUser");
	tc_path up = TC_PATH_KEY(scp, "runAsUser", 9);
	if (u && u->kind == TC_INT && u->u.i == 0)
		record(w, "runAsUser", LVL_RESTRICTED, 23, LATEST + 1, u, &up,
		       "runAsUser must not be 0");
	return is_true(nr);
}

/* the pod-level settings a container inherits */
typedef struct podsc {
	bool nonroot, seccomp;
} podsc;

/* check_procMount.go (v1.0): procMount unset or Default;
 * check_allowPrivilegeEscalation.go (v1.8, Windows exempt since v1.25):
 * false in every container */
static void c_proc_and_escalation(walk *w, const tc_value *c, const tc_value *sc, const tc_path *cp,
                                  const tc_path *scp)
{
	const tc_value *pm = get(sc, "procMount");
	tc_path pmp = TC_PATH_KEY(scp, "procMount", 9);
	char buf[160], val[80];
	if (pm && !str_is(pm, "Default")) {
		show(val, sizeof val, pm);
		snprintf(buf, sizeof buf, "securityContext.procMount must not be %s", val);
		record(w, "procMount", LVL_BASELINE, 0, LATEST + 1, pm, &pmp, buf);
	}
	const tc_value *ape = get(sc, "allowPrivilegeEscalation");
	tc_path ap = TC_PATH_KEY(scp, "allowPrivilegeEscalation", 24);
	if (!is_false(ape))
		record(w, "allowPrivilegeEscalation", LVL_RESTRICTED, 8, windows_until(w),
		       ape  ? ape
		       : sc ? sc
		            : c,
		       ape  ? &ap
		       : sc ? scp
		            : cp,
		       "securityContext.allowPrivilegeEscalation must be false");
}

/* check_hostProbesAndhostLifecycle.go (v1.34): no host in a probe's or a
 * lifecycle handler's httpGet or tcpSocket */
static void handler_host(walk *w, const tc_value *h, const tc_path *hp)
{
	static const char *const kinds[] = {"httpGet", "tcpSocket"};
	for (size_t i = 0; i < 2; i++) {
		const tc_value *host = get(get(h, kinds[i]), "host");
		tc_path kp = TC_PATH_KEY(hp, kinds[i], strlen(kinds[i]));
		tc_path p = TC_PATH_KEY(&kp, "host", 4);
		if (str_nonempty(host))
			record(w, "hostProbesAndHostLifecycle", LVL_BASELINE, 34, LATEST + 1, host,
			       &p, "probes and lifecycle handlers must not set host");
	}
}

static void c_probe_hosts(walk *w, const tc_value *c, const tc_path *cp)
{
	static const char *const probes[] = {"livenessProbe", "readinessProbe", "startupProbe"};
	for (size_t i = 0; i < 3; i++) {
		tc_path pp = TC_PATH_KEY(cp, probes[i], strlen(probes[i]));
		handler_host(w, get(c, probes[i]), &pp);
	}
	static const char *const hooks[] = {"postStart", "preStop"};
	tc_path lp = TC_PATH_KEY(cp, "lifecycle", 9);
	for (size_t i = 0; i < 2; i++) {
		tc_path hp = TC_PATH_KEY(&lp, hooks[i], strlen(hooks[i]));
		handler_host(w, get(get(c, "lifecycle"), hooks[i]), &hp);
	}
}

static void container(walk *w, const tc_value *c, const tc_path *cp, podsc pod)
{
	const tc_value *sc = get(c, "securityContext");
	tc_path scp = TC_PATH_KEY(cp, "securityContext", 15);
	c_privileged(w, sc, &scp);
	c_capabilities(w, c, sc, &scp);
	c_host_ports(w, c, cp);
	c_proc_and_escalation(w, c, sc, cp, &scp);
	c_probe_hosts(w, c, cp);
	sc_apparmor(w, sc, &scp);
	sc_selinux(w, sc, &scp);
	sc_host_process(w, sc, &scp);
	if (!sc_seccomp(w, sc, &scp) && !pod.seccomp)
		record(w, "seccompProfile_restricted", LVL_RESTRICTED, 19, windows_until(w),
		       sc ? sc : c, sc ? &scp : cp,
		       "seccompProfile.type must be 'RuntimeDefault' or 'Localhost' in the "
		       "container or the pod");
	if (!sc_run_as(w, sc, &scp) && !pod.nonroot && !is_false(get(sc, "runAsNonRoot")))
		record(w, "runAsNonRoot", LVL_RESTRICTED, 0, LATEST + 1, sc ? sc : c,
		       sc ? &scp : cp, "runAsNonRoot must be true in the container or the pod");
}

/* ---- the pod-level checks ---- */

/* check_hostNamespaces.go (v1.0) */
static void pod_host_namespaces(walk *w, const tc_value *spec, const tc_path *sp)
{
	static const char *const keys[] = {"hostNetwork", "hostPID", "hostIPC"};
	char buf[96];
	for (size_t i = 0; i < 3; i++) {
		const tc_value *v = get(spec, keys[i]);
		tc_path p = TC_PATH_KEY(sp, keys[i], strlen(keys[i]));
		snprintf(buf, sizeof buf, "%s must not be true", keys[i]);
		if (is_true(v))
			record(w, "hostNamespaces", LVL_BASELINE, 0, LATEST + 1, v, &p, buf);
	}
}

static const char *const restricted_volumes[] = {"configMap", "csi",       "downwardAPI",
                                                 "emptyDir",  "ephemeral", "persistentVolumeClaim",
                                                 "projected", "secret",    NULL};

/* check_hostPathVolumes.go (v1.0): no hostPath volume;
 * check_restrictedVolumes.go (v1.0): only the listed volume types */
static void pod_volumes(walk *w, const tc_value *spec, const tc_path *sp)
{
	const tc_value *vols = get(spec, "volumes");
	tc_path vp = TC_PATH_KEY(sp, "volumes", 7);
	char buf[160];
	for (size_t i = 0; vols && vols->kind == TC_ARRAY && i < vols->u.arr.len; i++) {
		const tc_value *v = vols->u.arr.items[i];
		tc_path ip = TC_PATH_INDEX(&vp, i);
		for (size_t k = 0; v && v->kind == TC_OBJECT && k < v->u.obj.len; k++) {
			const tc_member *m = &v->u.obj.members[k];
			tc_path kp = TC_PATH_KEY(&ip, m->key, m->klen);
			bool ok = strcmp(m->key, "name") == 0 || m->val->kind == TC_NULL;
			for (size_t r = 0; !ok && restricted_volumes[r]; r++)
				ok = strcmp(m->key, restricted_volumes[r]) == 0;
			if (ok)
				continue;
			snprintf(buf, sizeof buf, "volume type '%.64s' is not allowed", m->key);
			if (strcmp(m->key, "hostPath") == 0)
				record(w, "hostPathVolumes", LVL_BASELINE, 0, LATEST + 1, m->val,
				       &kp, "hostPath volumes are not allowed");
			else
				record(w, "restrictedVolumes", LVL_RESTRICTED, 0, LATEST + 1,
				       m->val, &kp, buf);
		}
	}
}

/* the sysctls each version of the standard allows (check_sysctls.go) */
static const struct {
	const char *name;
	unsigned since;
} safe_sysctls[] = {
	{"kernel.shm_rmid_forced", 0},
	{"net.ipv4.ip_local_port_range", 0},
	{"net.ipv4.tcp_syncookies", 0},
	{"net.ipv4.ping_group_range", 0},
	{"net.ipv4.ip_unprivileged_port_start", 0},
	{"net.ipv4.ip_local_reserved_ports", 27},
	{"net.ipv4.tcp_keepalive_time", 29},
	{"net.ipv4.tcp_fin_timeout", 29},
	{"net.ipv4.tcp_keepalive_intvl", 29},
	{"net.ipv4.tcp_keepalive_probes", 29},
	{"net.ipv4.tcp_rmem", 32},
	{"net.ipv4.tcp_wmem", 32},
};

static void pod_sysctls(walk *w, const tc_value *psc, const tc_path *pscp)
{
	const tc_value *list = get(psc, "sysctls");
	tc_path lp = TC_PATH_KEY(pscp, "sysctls", 7);
	char buf[160], val[80];
	for (size_t i = 0; list && list->kind == TC_ARRAY && i < list->u.arr.len; i++) {
		const tc_value *n = get(list->u.arr.items[i], "name");
		tc_path ip = TC_PATH_INDEX(&lp, i);
		tc_path np = TC_PATH_KEY(&ip, "name", 4);
		unsigned until = LATEST + 1;
		for (size_t k = 0; k < sizeof safe_sysctls / sizeof *safe_sysctls; k++)
			if (str_is(n, safe_sysctls[k].name))
				until = safe_sysctls[k].since;
		show(val, sizeof val, n);
		snprintf(buf, sizeof buf, "sysctl %s is not allowed", val);
		if (n && until > 0)
			record(w, "sysctls", LVL_BASELINE, 0, until, n, &np, buf);
	}
}

/* check_appArmorProfile.go: the beta annotations (v1.0), and
 * check_seccompProfile_baseline.go: the alpha annotations (before v1.19) */
static void pod_annotations(walk *w, const tc_value *meta, const tc_path *mp)
{
	const tc_value *ann = get(meta, "annotations");
	tc_path ap = TC_PATH_KEY(mp, "annotations", 11);
	static const char aa[] = "container.apparmor.security.beta.kubernetes.io/";
	static const char sp[] = "seccomp.security.alpha.kubernetes.io/pod";
	static const char sc[] = "container.seccomp.security.alpha.kubernetes.io/";
	for (size_t i = 0; ann && ann->kind == TC_OBJECT && i < ann->u.obj.len; i++) {
		const tc_member *m = &ann->u.obj.members[i];
		const tc_value *v = m->val;
		tc_path kp = TC_PATH_KEY(&ap, m->key, m->klen);
		bool local = v->kind == TC_STR && v->u.str.len >= 10 &&
		             memcmp(v->u.str.ptr, "localhost/", 10) == 0;
		if (strncmp(m->key, aa, sizeof aa - 1) == 0 && v->kind == TC_STR && v->u.str.len &&
		    !str_is(v, "runtime/default") && !local)
			record(w, "appArmorProfile", LVL_BASELINE, 0, LATEST + 1, v, &kp,
			       "AppArmor annotation must be 'runtime/default' or 'localhost/*'");
		bool seccomp = strcmp(m->key, sp) == 0 || strncmp(m->key, sc, sizeof sc - 1) == 0;
		if (seccomp && !str_is(v, "runtime/default") && !str_is(v, "docker/default") &&
		    !local)
			record(w, "seccompProfile_baseline", LVL_BASELINE, 0, 19, v, &kp,
			       "seccomp annotation must not be unconfined");
	}
}

static void pod_spec(walk *w, const tc_value *meta, const tc_path *mp, const tc_value *spec,
                     const tc_path *sp)
{
	if (!spec || spec->kind != TC_OBJECT)
		return;
	w->windows = str_is(get(get(spec, "os"), "name"), "windows");
	const tc_value *psc = get(spec, "securityContext");
	tc_path pscp = TC_PATH_KEY(sp, "securityContext", 15);
	podsc pod = {sc_run_as(w, psc, &pscp), sc_seccomp(w, psc, &pscp)};
	sc_apparmor(w, psc, &pscp);
	sc_selinux(w, psc, &pscp);
	sc_host_process(w, psc, &pscp);
	pod_sysctls(w, psc, &pscp);
	pod_host_namespaces(w, spec, sp);
	pod_volumes(w, spec, sp);
	pod_annotations(w, meta, mp);
	static const char *const lists[] = {"initContainers", "containers", "ephemeralContainers"};
	for (size_t l = 0; l < 3; l++) {
		const tc_value *cs = get(spec, lists[l]);
		tc_path lp = TC_PATH_KEY(sp, lists[l], strlen(lists[l]));
		for (size_t i = 0; cs && cs->kind == TC_ARRAY && i < cs->u.arr.len; i++) {
			tc_path cp = TC_PATH_INDEX(&lp, i);
			container(w, cs->u.arr.items[i], &cp, pod);
		}
	}
}

/* ---- namespaces ---- */

/* A level label: -1 when it does not parse (api/helpers.go ParseLevel) */
static int parse_level(const tc_value *v)
{
	if (str_is(v, "privileged"))
		return LVL_PRIVILEGED;
	if (str_is(v, "baseline"))
		return LVL_BASELINE;
	if (str_is(v, "restricted"))
		return LVL_RESTRICTED;
	return -1;
}

/* "latest" or "v1.N" (api/helpers.go ParseVersion); anything else is
 * latest, as the plugin defaults it */
static unsigned parse_version(const tc_value *v)
{
	if (!v || v->kind != TC_STR || v->u.str.len < 4 || v->u.str.len > 8 ||
	    memcmp(v->u.str.ptr, "v1.", 3) != 0)
		return LATEST;
	unsigned n = 0;
	for (size_t i = 3; i < v->u.str.len; i++) {
		char c = v->u.str.ptr[i];
		if (c < '0' || c > '9' || (i == 3 && c == '0' && v->u.str.len > 4))
			return LATEST;
		n = n * 10 + (unsigned)(c - '0');
	}
	return n < LATEST ? n : LATEST;
}

static void add_namespace(tc_k8s_psa *s, const tc_value *obj)
{
	const tc_value *meta = get(obj, "metadata");
	const tc_value *name = get(meta, "name");
	const tc_value *labels = get(meta, "labels");
	if (!name || name->kind != TC_STR)
		return;
	TC_GROW(s->ns, s->cns, s->nns + 1);
	nsfacts *n = &s->ns[s->nns++];
	n->name = dup_str(name);
	const tc_value *el = get(labels, "pod-security.kubernetes.io/enforce");
	const tc_value *ev = get(labels, "pod-security.kubernetes.io/enforce-version");
	const tc_value *wl = get(labels, "pod-security.kubernetes.io/warn");
	const tc_value *wv = get(labels, "pod-security.kubernetes.io/warn-version");
	/* api/helpers.go PolicyToEvaluate: a bad enforce level is restricted, a
	 * bad warn level privileged (warn fails open); without a warn label,
	 * warn follows a stricter valid enforce level (and its version unless
	 * warn-version is set) */
	int e = el ? parse_level(el) : LVL_PRIVILEGED;
	n->level[0] = e < 0 ? LVL_RESTRICTED : e;
	n->version[0] = parse_version(ev);
	int w = wl ? parse_level(wl) : LVL_PRIVILEGED;
	n->level[1] = w < 0 ? LVL_PRIVILEGED : w;
	n->version[1] = parse_version(wv);
	if (!wl && el && e > LVL_PRIVILEGED) {
		n->level[1] = e;
		if (!wv)
			n->version[1] = n->version[0];
	}
}

/* ---- adding and reporting ---- */

/* where each kind keeps its pod template */
static const struct {
	const char *kind;
	const char *template;
} workloads[] = {
	{"CronJob", "spec.jobTemplate.spec.template"},
	{"DaemonSet", "spec.template"},
	{"Deployment", "spec.template"},
	{"Job", "spec.template"},
	{"ReplicaSet", "spec.template"},
	{"ReplicationController", "spec.template"},
	{"StatefulSet", "spec.template"},
};

static bool core_or(const tc_value *api, const char *group)
{
	if (!api || api->kind != TC_STR)
		return false;
	size_t gl = strlen(group);
	return api->u.str.len > gl && memcmp(api->u.str.ptr, group, gl) == 0 &&
	       api->u.str.ptr[gl] == '/';
}

static void add_workload(tc_k8s_psa *s, const tc_value *obj, const char *tmpl)
{
	const tc_value *meta = get(obj, "metadata");
	const tc_value *t = tc_value_dig(obj, tmpl);
	if (!t || t->kind != TC_OBJECT)
		return;
	char *ns = dup_str(get(meta, "namespace"));
	char *name = dup_str(get(meta, "name"));
	char *kind = dup_str(get(obj, "kind"));
	walk w = {s, obj, ns, kind, name, false, false};
	/* the path of the template: its dotted name, one key at a time */
	tc_path parts[6];
	const tc_path *up = NULL;
	size_t np = 0;
	for (const char *p = tmpl; *p && np < 6;) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		parts[np] = TC_PATH_KEY(up, p, len);
		up = &parts[np++];
		p += len + (dot != NULL);
	}
	tc_path mp = TC_PATH_KEY(up, "metadata", 8);
	tc_path sp = TC_PATH_KEY(up, "spec", 4);
	pod_spec(&w, get(t, "metadata"), &mp, get(t, "spec"), &sp);
	free(ns);
	free(name);
	free(kind);
}

void tc_k8s_psa_add(tc_k8s_psa *s, const tc_value *obj)
{
	const tc_value *kind = get(obj, "kind");
	const tc_value *api = get(obj, "apiVersion");
	if (!kind || kind->kind != TC_STR)
		return;
	if (str_is(kind, "Namespace") && str_is(api, "v1")) {
		add_namespace(s, obj);
		return;
	}
	if (str_is(kind, "Pod") && str_is(api, "v1")) {
		const tc_value *meta = get(obj, "metadata");
		char *ns = dup_str(get(meta, "namespace"));
		char *name = dup_str(get(meta, "name"));
		walk w = {s, obj, ns, "Pod", name, true, false};
		tc_path mp = TC_PATH_KEY(NULL, "metadata", 8);
		tc_path sp = TC_PATH_KEY(NULL, "spec", 4);
		pod_spec(&w, meta, &mp, get(obj, "spec"), &sp);
		free(ns);
		free(name);
		return;
	}
	for (size_t i = 0; i < sizeof workloads / sizeof *workloads; i++) {
		if (!str_is(kind, workloads[i].kind))
			continue;
		bool rc = strcmp(workloads[i].kind, "ReplicationController") == 0;
		bool batch = workloads[i].kind[0] == 'C' || workloads[i].kind[0] == 'J';
		if ((rc && str_is(api, "v1")) || (batch && core_or(api, "batch")) ||
		    (!rc && !batch && core_or(api, "apps")))
			add_workload(s, obj, workloads[i].template);
		return;
	}
}

static const nsfacts *find_ns(const tc_k8s_psa *s, const char *name)
{
	for (size_t i = 0; i < s->nns; i++)
		if (strcmp(s->ns[i].name, name) == 0)
			return &s->ns[i];
	return NULL;
}

static const char *level_name(int l)
{
	return l == LVL_RESTRICTED ? "restricted" : l == LVL_BASELINE ? "baseline" : "privileged";
}

static bool forbids(const nsfacts *n, int mode, const viol *v)
{
	return n->level[mode] >= v->level && v->from <= n->version[mode] &&
	       n->version[mode] < v->until;
}

/* A diagnostic at a path kept as text (the walk's tc_path is long gone) */
static void add_at(tc_diags *d, tc_severity sev, tc_diag_class cls, tc_pos pos, const char *path,
                   const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void add_at(tc_diags *d, tc_severity sev, tc_diag_class cls, tc_pos pos, const char *path,
                   const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tc_diag_add(d, sev, cls, pos, NULL, fmt, ap);
	va_end(ap);
	d->items[d->len - 1].path = tc_xstrdup(path);
}

size_t tc_k8s_psa_report(tc_k8s_psa *s, tc_diags *d, tc_diag_class cls)
{
	size_t errors = 0;
	for (size_t i = 0; i < s->nv; i++) {
		const viol *v = &s->v[i];
		const nsfacts *n = find_ns(s, v->ns);
		if (!n)
			continue;
		int mode = forbids(n, 0, v) ? 0 : forbids(n, 1, v) ? 1 : -1;
		if (mode < 0)
			continue;
		char ver[16];
		if (n->version[mode] >= LATEST)
			snprintf(ver, sizeof ver, "latest");
		else
			snprintf(ver, sizeof ver, "v1.%u", n->version[mode]);
		tc_pos pos = {v->file, v->line, v->col};
		const char *what = v->pod ? "" : "the pod template of ";
		if (mode == 0) {
			add_at(d, TC_SEV_ERROR, cls, pos, v->path,
			       "%s%s '%s/%s' violates PodSecurity \"%s:%s\" enforced "
			       "on namespace '%s': %s (%s)",
			       what, v->kind, v->ns, v->name, level_name(n->level[0]), ver, v->ns,
			       v->check, v->detail);
			errors++;
		} else {
			add_at(d, TC_SEV_WARNING, cls, pos, v->path,
			       "%s%s '%s/%s' would violate PodSecurity \"%s:%s\" (warn "
			       "on namespace '%s'): %s (%s)",
			       what, v->kind, v->ns, v->name, level_name(n->level[1]), ver, v->ns,
			       v->check, v->detail);
		}
	}
	return errors;
}
