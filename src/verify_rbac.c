/*
 * verify_rbac.c - the RBAC invariants, after the Kubernetes "Using RBAC
 * Authorization" reference (a RoleBinding grants the rules of a Role of its
 * namespace or of a ClusterRole within its namespace; a ClusterRoleBinding
 * grants a ClusterRole everywhere; "*" matches every verb, group or
 * resource) and "Role Based Access Control Good Practices" (what lets a
 * holder reach Secrets or more rights than it was given).
 *
 * A tenant subject is a subject of a binding in a tenant namespace, or a
 * ServiceAccount of a tenant namespace. Roles resolve to the rendered Role
 * and ClusterRole objects, and to the built-in ClusterRoles cluster-admin,
 * admin, edit and view by the rules the reference documents for them
 * (aggregation and later additions aside). Rules:
 *
 *   rbac.cross-namespace  a tenant subject can write (create, update,
 *                         patch, delete, deletecollection) in a namespace
 *                         not its tenant's in that environment
 *   rbac.secrets          it can read Secrets other than by name: get,
 *                         list or watch on all secrets, or indirectly by
 *                         creating or changing workloads (pods,
 *                         deployments, ... which can mount any Secret),
 *                         pods/exec, pods/attach
 *   rbac.escalation       impersonate, escalate or bind
 *   rbac.cluster-scope    any right from a ClusterRoleBinding
 *   rbac.unresolved       a roleRef that names no rendered or built-in role
 *   rbac.foreign-subject  a binding in a tenant namespace to a subject of
 *                         another namespace, or to everyone (system groups);
 *                         a ServiceAccount that the same tenant's render
 *                         makes in a platform namespace is its own (Flux
 *                         impersonates the applier in the Kustomization's
 *                         namespace, flux-system)
 */
#include "verify_impl.h"

#include "sort.h"

#include <stdlib.h>
#include <string.h>

typedef struct rule {
	const char *groups, *resources, *verbs; /* comma lists, "*" matches all */
	bool named;                             /* restricted by resourceNames */
} rule;

/* The built-in roles, reduced to what the invariants ask. */
static const rule cluster_admin[] = {{"*", "*", "*", false}, {0}};
static const rule edit[] =
	{{",apps,batch,autoscaling,networking.k8s.io,policy",
          "pods,pods/attach,pods/exec,pods/portforward,pods/proxy,secrets,services,configmaps,"
          "persistentvolumeclaims,replicationcontrollers,serviceaccounts,deployments,"
          "statefulsets,daemonsets,replicasets,jobs,cronjobs,horizontalpodautoscalers,ingresses,"
          "networkpolicies,poddisruptionbudgets",
          "create,delete,deletecollection,patch,update,get,list,watch", false},
         {"", "serviceaccounts", "impersonate", false},
         {0}};
static const rule admin[] =
	{{",apps,batch,autoscaling,networking.k8s.io,policy",
          "pods,pods/attach,pods/exec,pods/portforward,pods/proxy,secrets,services,configmaps,"
          "persistentvolumeclaims,replicationcontrollers,serviceaccounts,deployments,"
          "statefulsets,daemonsets,replicasets,jobs,cronjobs,horizontalpodautoscalers,ingresses,"
          "networkpolicies,poddisruptionbudgets",
          "create,delete,deletecollection,patch,update,get,list,watch", false},
         {"", "serviceaccounts", "impersonate", false},
         {"rbac.authorization.k8s.io", "roles,rolebindings",
          "create,delete,deletecollection,patch,update,get,list,watch", false},
         {0}};
static const rule view[] =
	{{",apps,batch,autoscaling,networking.k8s.io,policy",
          "pods,pods/log,services,endpoints,configmaps,persistentvolumeclaims,"
          "replicationcontrollers,serviceaccounts,events,limitranges,resourcequotas,deployments,"
          "statefulsets,daemonsets,replicasets,jobs,cronjobs,ingresses,networkpolicies",
          "get,list,watch", false},
         {0}};

static const struct {
	const char *name;
	const rule *rules;
} builtins[] = {{"admin", admin}, {"cluster-admin", cluster_admin}, {"edit", edit}, {"view", view}};

static bool in_list(const char *list, const char *s)
{
	size_t n = strlen(s);
	for (const char *p = list;;) {
		const char *c = strchr(p, ',');
		size_t l = c ? (size_t)(c - p) : strlen(p);
		if ((l == 1 && p[0] == '*') || (l == n && strncmp(p, s, n) == 0))
			return true;
		if (!c)
			return false;
		p = c + 1;
	}
}

/* The strings of r's list `name`, joined by commas. */
static char *comma_list(tc_verify *v, const tc_value *r, const char *name)
{
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	FOREACH_ARR (x, m, tc_value_getz(r, name))
		tc_buf_addf(&b, "%s%s", m ? "," : "", tc_value_shown(x));
	char *s = tc_arena_strdup(&v->a, tc_buf_str(&b));
	tc_buf_release(&b);
	return s;
}

/* The rules of a rendered role, as comma lists. */
static size_t rendered_rules(tc_verify *v, const vobj *role, rule **out)
{
	const tc_value *rs = tc_value_getz(role->v, "rules");
	size_t n = rs && rs->kind == TC_ARRAY ? rs->u.arr.len : 0;
	*out = tc_xcalloc(n + 1, sizeof **out);
	FOREACH_ARR (r, i, rs) {
		const tc_value *rn = tc_value_getz(r, "resourceNames");
		(*out)[i] = (rule){comma_list(v, r, "apiGroups"), comma_list(v, r, "resources"),
		                   comma_list(v, r, "verbs"),
		                   rn && rn->kind == TC_ARRAY && rn->u.arr.len > 0};
	}
	return n;
}

/* Does any rule allow verb on group/resource (unrestricted by name)? */
static bool allows(const rule *r, size_t n, const char *group, const char *res, const char *verb,
                   bool by_name_too)
{
	for (size_t i = 0; i < n; i++)
		if ((by_name_too || !r[i].named) && in_list(r[i].groups, group) &&
		    in_list(r[i].resources, res) && in_list(r[i].verbs, verb))
			return true;
	return false;
}

static const char *const workload_res[][2] = {
	{"", "pods"},           {"apps", "deployments"}, {"apps", "statefulsets"},
	{"apps", "daemonsets"}, {"apps", "replicasets"}, {"", "replicationcontrollers"},
	{"batch", "jobs"},      {"batch", "cronjobs"},
};
static const char *const write_verbs[] = {"create", "update", "patch", "delete",
                                          "deletecollection"};

/* The first way the rules reach Secrets beyond named ones, or NULL. */
static const char *secret_path(tc_verify *v, const rule *r, size_t n)
{
	static const char *const reads[] = {"get", "list", "watch"};
	for (size_t i = 0; i < 3; i++)
		if (allows(r, n, "", "secrets", reads[i], false))
			return tc_vprintf(v, "'%s' on all secrets", reads[i]);
	for (size_t i = 0; i < sizeof workload_res / sizeof workload_res[0]; i++)
		for (size_t k = 0; k < 3; k++)
			if (allows(r, n, workload_res[i][0], workload_res[i][1], write_verbs[k],
			           true))
				return tc_vprintf(v,
				                  "'%s' on %s, which can mount and so read every "
				                  "Secret of the namespace",
				                  write_verbs[k], workload_res[i][1]);
	if (allows(r, n, "", "pods/exec", "create", true) ||
	    allows(r, n, "", "pods/exec", "get", true))
		return "pods/exec, which reads what a pod's Secrets hold";
	if (allows(r, n, "", "pods/attach", "create", true) ||
	    allows(r, n, "", "pods/attach", "get", true))
		return "pods/attach, which reads what a pod's Secrets hold";
	return NULL;
}

static const char *escalation(const rule *r, size_t n)
{
	static const char *const verbs[] = {"impersonate", "escalate", "bind"};
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < 3; k++)
			if (in_list(r[i].verbs, verbs[k]))
				return verbs[k];
	return NULL;
}

static const char *write_right(const rule *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < sizeof write_verbs / sizeof write_verbs[0]; k++)
			if (in_list(r[i].verbs, write_verbs[k]))
				return write_verbs[k];
	return NULL;
}

/* Whether the ServiceAccount subject s of namespace sns is one the tenant
 * of binding b renders itself, in a namespace of no tenant. */
static bool own_platform_sa(const tc_verify *v, const vobj *b, const vns *sns, const tc_value *s)
{
	if (!sns || tc_vns_is_tenant(sns) || !b->tenant)
		return false;
	const vobj *sa = tc_vobj_find(v, b->env, "ServiceAccount", sns->name, tc_vstr(s, "name"));
	return sa && sa->tenant && strcmp(sa->tenant, b->tenant) == 0;
}

/* The tenant a subject belongs to in env, or NULL. */
static const vns *subject_ns(const tc_verify *v, const tc_value *s, const char *binding_ns)
{
	if (!tc_value_streq(tc_value_getz(s, "kind"), "ServiceAccount"))
		return NULL;
	const char *ns = tc_vstr(s, "namespace");
	return tc_vns_find(v, ns ? ns : binding_ns);
}

/* The rules the binding's roleRef grants: a rendered Role or ClusterRole,
 * else a built-in ClusterRole; *out NULL when it names neither (malloc'd,
 * caller frees). */
static size_t role_rules(tc_verify *v, const vobj *b, const char *rkind, const char *rname,
                         rule **out)
{
	*out = NULL;
	const vobj *role = strcmp(rkind, "Role") == 0
	                           ? tc_vobj_find(v, b->env, "Role", b->ns, rname)
	                           : tc_vobj_find(v, b->env, "ClusterRole", "", rname);
	if (role)
		return rendered_rules(v, role, out);
	if (strcmp(rkind, "ClusterRole") != 0)
		return 0;
	size_t n = 0;
	for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
		if (strcmp(builtins[i].name, rname) == 0) {
			const rule *r = builtins[i].rules;
			while (r[n].groups)
				n++;
			*out = tc_xmalloc((n + 1) * sizeof **out);
			memcpy(*out, r, n * sizeof **out);
		}
	return n;
}

/* A group that holds every user or every ServiceAccount. */
static bool everyone(const char *kind, const char *name)
{
	return strcmp(kind, "Group") == 0 && (strcmp(name, "system:authenticated") == 0 ||
	                                      strcmp(name, "system:unauthenticated") == 0 ||
	                                      strcmp(name, "system:serviceaccounts") == 0);
}

/* One binding as the subject loop sees it. */
typedef struct bctx {
	tc_verify *v;
	tc_diags *d;
	const vobj *b;
	bool cluster;              /* a ClusterRoleBinding */
	const vns *here;           /* the binding's namespace (NULL: cluster) */
	const char *rkind, *rname; /* its roleRef */
	const rule *rs;            /* the role's rules, NULL: unresolved */
	size_t n;
	const char *const *tsubj; /* the tenant subjects, sorted */
	size_t ntsubj;
} bctx;

/* Is subject s (of namespace sns) foreign to the tenant namespace the
 * binding is in? */
static bool foreign_subject(const bctx *c, const vns *sns, const tc_value *s, const char *kind,
                            const char *name)
{
	if (!tc_vns_is_tenant(c->here))
		return false;
	if (sns && sns != c->here && !tc_vns_is_tenant(sns) && !own_platform_sa(c->v, c->b, sns, s))
		return true;
	if (sns && tc_vns_is_tenant(sns) && sns != c->here)
		return true;
	return everyone(kind, name);
}

/* What the role lets a tenant subject do: a row of --explain and the
 * findings of its rights. */
static void subject_rights(const bctx *c, const vsubj *sj, const vns *sns, const tc_value *s,
                           const tc_path *pi, const char *kind, const char *name)
{
	tc_verify *v = c->v;
	tc_path pr = TC_PATH_KEY(NULL, "roleRef", 7);
	const tc_value *at = tc_value_getz(c->b->v, "roleRef");
	bool tenant_here = tc_vns_is_tenant(c->here);
	const char *where = c->cluster ? "every namespace" : c->b->ns;
	tc_vrow(v, "right",
	        tenant_here ? c->b->ns
	        : sns       ? sns->name
	                    : "-",
	        sj->subject, write_right(c->rs, c->n) ? "write" : "read", where,
	        tc_vprintf(v, "%s/%s", c->rkind, c->rname));
	const char *w = write_right(c->rs, c->n), *esc = escalation(c->rs, c->n);
	const char *sec = secret_path(v, c->rs, c->n);
	if (c->cluster)
		tc_vfind(v, c->d, "rbac.cluster-scope", sj, s, c->b, pi,
		         "gives tenant subject %s '%s' the rights of %s '%s' in every namespace",
		         kind, name, c->rkind, c->rname);
	else if (!tenant_here && w)
		tc_vfind(v, c->d, "rbac.cross-namespace", sj, s, c->b, pi,
		         "lets tenant subject %s '%s' %s in namespace '%s', which is not its "
		         "tenant's",
		         kind, name, w, c->b->ns);
	if (esc)
		tc_vfind(v, c->d, "rbac.escalation", sj, at, c->b, &pr,
		         "%s '%s' grants '%s' to %s '%s'", c->rkind, c->rname, esc, kind, name);
	if (sec)
		tc_vfind(v, c->d, "rbac.secrets", sj, at, c->b, &pr,
		         "%s '%s' lets %s '%s' read Secrets through %s", c->rkind, c->rname, kind,
		         name, sec);
}

/* One subject of the binding, at subjects[i]. */
static void subject(const bctx *c, const tc_value *s, size_t i)
{
	tc_verify *v = c->v;
	const vobj *b = c->b;
	tc_path ps = TC_PATH_KEY(NULL, "subjects", 8);
	tc_path pi = TC_PATH_INDEX(&ps, i);
	const char *kind = tc_vstr(s, "kind"), *name = tc_vstr(s, "name");
	if (!kind || !name)
		return;
	const vns *sns = subject_ns(v, s, b->ns);
	const char *key =
		tc_vprintf(v, "%s:%s%s%s", kind, sns ? sns->name : "", sns ? ":" : "", name);
	bool is_tenant = tc_vns_is_tenant(sns) ||
	                 (c->ntsubj &&
	                  bsearch(&key, c->tsubj, c->ntsubj, sizeof *c->tsubj, tc_cmp_str) != NULL);
	bool tenant_here = tc_vns_is_tenant(c->here);
	vsubj sj = {.namespace = tenant_here ? b->ns
	                         : sns       ? sns->name
	                                     : NULL,
	            .subject = key,
	            .to_namespace = c->cluster ? "*" : b->ns,
	            .kind = c->rname};
	if (foreign_subject(c, sns, s, kind, name))
		tc_vfind(v, c->d, "rbac.foreign-subject", &sj, s, b, &pi,
		         "binds %s '%s', which is not of this namespace, to %s '%s'", kind, name,
		         c->rkind, c->rname);
	if (!is_tenant && !tenant_here)
		return;
	if (!c->rs) {
		tc_path pr = TC_PATH_KEY(NULL, "roleRef", 7);
		tc_vfind(v, c->d, "rbac.unresolved", &sj, tc_value_getz(b->v, "roleRef"), b, &pr,
		         "%s '%s' is neither rendered nor a built-in role, so what '%s' may do "
		         "cannot be proved",
		         c->rkind, c->rname, name);
		return;
	}
	subject_rights(c, &sj, sns, s, &pi, kind, name);
}

static void binding(tc_verify *v, tc_diags *d, const vobj *b, const char *const *tsubj,
                    size_t ntsubj)
{
	bool cluster = strcmp(b->kind, "ClusterRoleBinding") == 0;
	const char *rkind = tc_vstr(b->v, "roleRef.kind"), *rname = tc_vstr(b->v, "roleRef.name");
	if (!rkind || !rname)
		return;
	rule *rs;
	size_t n = role_rules(v, b, rkind, rname, &rs);
	bctx c = {v,  d, b,     cluster, cluster ? NULL : tc_vns_find(v, b->ns), rkind, rname,
	          rs, n, tsubj, ntsubj};
	FOREACH_ARR (s, i, tc_value_getz(b->v, "subjects"))
		subject(&c, s, i);
	free(rs);
}

void tc_verify_rbac(tc_verify *v, tc_diags *d)
{
	/* the subjects of bindings in tenant namespaces */
	const char **tsubj = NULL;
	size_t nt = 0, cap = 0;
	for (size_t i = 0; i < v->nobjs; i++) {
		const vobj *b = &v->objs[i];
		if (strcmp(b->kind, "RoleBinding") != 0 || !tc_vns_is_tenant(tc_vns_find(v, b->ns)))
			continue;
		FOREACH_ARR (s, k, tc_value_getz(b->v, "subjects")) {
			const char *kind = tc_vstr(s, "kind"), *name = tc_vstr(s, "name");
			if (!kind || !name || strcmp(kind, "ServiceAccount") == 0)
				continue; /* service accounts are known by their namespace */
			TC_GROW(tsubj, cap, nt + 1);
			tsubj[nt++] = tc_vprintf(v, "%s:%s", kind, name);
		}
	}
	if (nt)
		qsort(tsubj, nt, sizeof *tsubj, tc_cmp_str);
	for (size_t i = 0; i < v->nobjs; i++) {
		const vobj *b = &v->objs[i];
		if ((strcmp(b->kind, "RoleBinding") == 0 ||
		     strcmp(b->kind, "ClusterRoleBinding") == 0) &&
		    strcmp(b->group, "rbac.authorization.k8s.io") == 0)
			binding(v, d, b, tsubj, nt);
	}
	free(tsubj);
}
