/*
 * cel_k8s_vap.c - ValidatingAdmissionPolicy evaluation (k8s.io/apiserver
 * pkg/admission/plugin/policy/validating and .../policy/matching, as of
 * Kubernetes 1.34) over the objects of a render, each treated as a CREATE.
 *
 * Messages follow the API server's: a denial is "ValidatingAdmissionPolicy
 * 'P' with binding 'B' denied request: MESSAGE", a warning "Validation
 * failed for ValidatingAdmissionPolicy 'P' with binding 'B': MESSAGE"; the
 * message is the validation's messageExpression when it gives a non-empty
 * one-line string, else its message, else "failed expression: EXPR"; an
 * expression that errors says "expression 'EXPR' resulted in error: ERR".
 */
#include "cel_k8s_vap.h"

#include "cel_k8s.h"
#include "k8s.h"
#include "k8s_rules.h"
#include "sort.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define API_GROUP "admissionregistration.k8s.io"

typedef struct vobj {
	tc_value *obj;
	const char *api, *group, *version, *kind, *name, *ns; /* ns "" when cluster-scoped */
	const tc_value *labels;                               /* an object, maybe empty */
	char resource[128];
	bool namespaced;
	bool folder; /* from the policies/ folder: configuration, not checked */
	uint32_t seq;
} vobj;

typedef struct vexpr {
	const tc_value *src;
	tc_cel_expr *e; /* NULL: does not compile (err says why) */
	const char *err;
	bool authz; /* refers to authorizer, itself or through a variable */
} vexpr;

typedef struct vvalid {
	vexpr expr, msg_expr;
	bool has_msg_expr;
	const char *message;
} vvalid;

typedef struct vaudit {
	const char *key;
	vexpr value;
} vaudit;

typedef struct vpolicy {
	const vobj *o;
	const char *name;
	const tc_value *match;
	const char *param_api, *param_kind; /* NULL: no paramKind */
	vexpr *conds;
	size_t nconds;
	vexpr *vars;
	const char **varnames;
	size_t nvars;
	vvalid *vals;
	size_t nvals;
	vaudit *audits; /* auditAnnotations */
	size_t naudits;
	bool ignore; /* failurePolicy: Ignore */
} vpolicy;

typedef struct objlist {
	vobj **items;
	size_t len, cap;
} objlist;

struct tc_vap_set {
	pthread_mutex_t lock;
	tc_arena a;
	size_t nenvs;
	objlist *envs; /* rendered objects per environment */
	objlist stat;  /* the policies/ folder */
	uint32_t seq;
};

tc_vap_set *tc_vap_set_new(size_t nenvs)
{
	tc_vap_set *s = tc_xcalloc(1, sizeof *s);
	pthread_mutex_init(&s->lock, NULL);
	tc_arena_init(&s->a);
	s->nenvs = nenvs;
	s->envs = tc_xcalloc(nenvs + 1, sizeof *s->envs);
	return s;
}

void tc_vap_set_free(tc_vap_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nenvs; i++)
		free(s->envs[i].items);
	free(s->envs);
	free(s->stat.items);
	tc_arena_release(&s->a);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* ---- copies ---- */

static tc_pos copy_pos(tc_vap_set *s, tc_pos p)
{
	if (p.file)
		p.file = tc_arena_strdup(&s->a, p.file);
	return p;
}

/* a deep copy; positions kept only where messages point (objects) */
static tc_value *deep(tc_vap_set *s, const tc_value *x, bool pos)
{
	tc_value *c = tc_arena_alloc(&s->a, sizeof *c);
	*c = *x;
	c->pos = pos ? copy_pos(s, x->pos) : TC_NOPOS;
	switch (x->kind) {
	case TC_STR:
		c->u.str.ptr = tc_arena_memdup0(&s->a, x->u.str.ptr, x->u.str.len);
		break;
	case TC_ARRAY:
		c->u.arr.items = tc_arena_alloc(&s->a, (x->u.arr.len + 1) * sizeof *c->u.arr.items);
		for (size_t i = 0; i < x->u.arr.len; i++)
			c->u.arr.items[i] = deep(s, x->u.arr.items[i], false);
		break;
	case TC_OBJECT:
		c->u.obj.members =
			tc_arena_alloc(&s->a, (x->u.obj.len + 1) * sizeof *c->u.obj.members);
		for (size_t i = 0; i < x->u.obj.len; i++) {
			const tc_member *m = &x->u.obj.members[i];
			tc_member *n = &c->u.obj.members[i];
			*n = *m;
			n->key = tc_arena_memdup0(&s->a, m->key, m->klen);
			n->kpos = TC_NOPOS;
			n->val = deep(s, m->val, false);
		}
		break;
	default:
		break;
	}
	return c;
}

static const char *str_of(const tc_value *v, const char *path)
{
	const tc_value *x = tc_value_dig(v, path);
	return x && x->kind == TC_STR ? x->u.str.ptr : NULL;
}

void tc_vap_resource_of(const char *kind, char *out, size_t cap)
{
	size_t n = strlen(kind);
	if (cap < n + 4) {
		if (cap)
			out[0] = 0;
		return;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = (char)(kind[i] >= 'A' && kind[i] <= 'Z' ? kind[i] - 'A' + 'a' : kind[i]);
	out[n] = 0;
	if (strcmp(out, "endpoints") == 0)
		return;
	char last = n ? out[n - 1] : 0, before = n > 1 ? out[n - 2] : 0;
	if (last == 's' || last == 'x' || last == 'z' ||
	    (last == 'h' && (before == 'c' || before == 's')))
		strcpy(out + n, "es");
	else if (last == 'y' && before && !strchr("aeiou", before))
		strcpy(out + n - 1, "ies");
	else
		strcpy(out + n, "s");
}

static vobj *make(tc_vap_set *s, const tc_value *obj)
{
	if (obj->kind != TC_OBJECT)
		return NULL;
	const char *api = str_of(obj, "apiVersion"), *kind = str_of(obj, "kind");
	if (!api || !kind)
		return NULL;
	vobj *o = tc_arena_alloc(&s->a, sizeof *o);
	memset(o, 0, sizeof *o);
	o->obj = deep(s, obj, true);
	o->api = str_of(o->obj, "apiVersion");
	o->kind = str_of(o->obj, "kind");
	const char *g, *v;
	size_t gl, vl;
	tc_k8s_split_api_version(o->api, strlen(o->api), &g, &gl, &v, &vl);
	o->group = tc_arena_memdup0(&s->a, g, gl);
	o->version = tc_arena_memdup0(&s->a, v, vl);
	const char *name = str_of(o->obj, "metadata.name");
	o->name = name ? name : "";
	const char *ns = str_of(o->obj, "metadata.namespace");
	tc_k8s_scope sc = tc_k8s_builtin_scope(o->group, gl, o->kind, strlen(o->kind));
	o->namespaced = sc == TC_K8S_NAMESPACED || (sc == TC_K8S_SCOPE_UNKNOWN && ns);
	o->ns = o->namespaced && ns ? ns : "";
	const tc_value *l = tc_value_dig(o->obj, "metadata.labels");
	o->labels = l && l->kind == TC_OBJECT ? l : tc_value_object(&s->a, NULL, 0, TC_NOPOS, NULL);
	tc_vap_resource_of(o->kind, o->resource, sizeof o->resource);
	o->seq = s->seq++;
	return o;
}

static void push(objlist *l, vobj *o)
{
	TC_GROW(l->items, l->cap, l->len + 1);
	l->items[l->len++] = o;
}

void tc_vap_add_static(tc_vap_set *s, const tc_value *obj)
{
	pthread_mutex_lock(&s->lock);
	vobj *o = make(s, obj);
	if (o) {
		o->folder = true;
		push(&s->stat, o);
	}
	pthread_mutex_unlock(&s->lock);
}

void tc_vap_observe(tc_vap_set *s, size_t env, const tc_value *obj)
{
	if (env >= s->nenvs)
		return;
	pthread_mutex_lock(&s->lock);
	vobj *o = make(s, obj);
	if (o)
		push(&s->envs[env], o);
	pthread_mutex_unlock(&s->lock);
}

/* ---- compiling policies ---- */

static void compile(tc_arena *a, vexpr *x, const tc_value *src)
{
	x->src = src;
	x->e = NULL;
	x->err = NULL;
	x->authz = false;
	if (!src || src->kind != TC_STR) {
		x->err = "the expression must be a string";
		return;
	}
	tc_diags pd;
	tc_diags_init(&pd);
	if (tc_cel_parse(&x->e, a, &pd, "<expr>", src->u.str.ptr, src->u.str.len) != 0) {
		x->e = NULL;
		x->err = tc_arena_printf(a, "compilation failed: column %u: %s",
		                         pd.len ? pd.items[0].col : 0,
		                         pd.len ? pd.items[0].msg : "");
	}
	tc_diags_release(&pd);
}

/* e refers to authorizer, or to a variable in authz_vars (names of the
 * policy's variables that do) */
static bool uses_authz(const tc_cel_expr *e, const char *const *authz_vars, size_t n)
{
	if (!e)
		return false;
	if (e->op == TC_CEL_E_IDENT && e->name) {
		const char *nm = e->name[0] == '.' ? e->name + 1 : e->name;
		if (strcmp(nm, "authorizer") == 0 || strncmp(nm, "authorizer.", 11) == 0)
			return true;
		if (strncmp(nm, "variables.", 10) == 0)
			for (size_t i = 0; i < n; i++) {
				size_t l = strlen(authz_vars[i]);
				if (strncmp(nm + 10, authz_vars[i], l) == 0 &&
				    (nm[10 + l] == 0 || nm[10 + l] == '.'))
					return true;
			}
	}
	if (e->op == TC_CEL_E_SELECT && e->nargs && e->args[0]->op == TC_CEL_E_IDENT &&
	    strcmp(e->args[0]->name, "variables") == 0)
		for (size_t i = 0; i < n; i++)
			if (strcmp(e->name, authz_vars[i]) == 0)
				return true;
	if (uses_authz(e->recv, authz_vars, n))
		return true;
	for (size_t i = 0; i < e->nargs; i++)
		if (uses_authz(e->args[i], authz_vars, n))
			return true;
	return false;
}

static bool is_kind(const vobj *o, const char *kind)
{
	return strcmp(o->group, API_GROUP) == 0 && strcmp(o->kind, kind) == 0;
}

static size_t arr_len(const tc_value *v)
{
	return v && v->kind == TC_ARRAY ? v->u.arr.len : 0;
}

static void compile_conditions(tc_arena *a, vpolicy *p, const tc_value *mc)
{
	size_t n = arr_len(mc);
	p->conds = tc_arena_alloc(a, (n + 1) * sizeof *p->conds);
	for (size_t i = 0; i < n; i++)
		compile(a, &p->conds[p->nconds++], tc_value_getz(mc->u.arr.items[i], "expression"));
}

static void compile_variables(tc_arena *a, vpolicy *p, const tc_value *vars)
{
	size_t n = arr_len(vars);
	p->vars = tc_arena_alloc(a, (n + 1) * sizeof *p->vars);
	p->varnames = tc_arena_alloc(a, (n + 1) * sizeof *p->varnames);
	for (size_t i = 0; i < n; i++) {
		const char *vn = str_of(vars->u.arr.items[i], "name");
		p->varnames[p->nvars] = vn ? vn : "";
		compile(a, &p->vars[p->nvars++], tc_value_getz(vars->u.arr.items[i], "expression"));
	}
}

/* the variables that refer to authorizer, which needs the cluster's
 * authorization, directly or through the variables before them: marked,
 * and their names in *out (the count returned) */
static size_t authz_variables(tc_arena *a, vpolicy *p, const char ***out)
{
	const char **av = tc_arena_alloc(a, (p->nvars + 1) * sizeof *av);
	size_t nav = 0;
	for (size_t i = 0; i < p->nvars; i++)
		if (uses_authz(p->vars[i].e, av, nav)) {
			p->vars[i].authz = true;
			av[nav++] = p->varnames[i];
		}
	*out = av;
	return nav;
}

static void compile_validations(tc_arena *a, vpolicy *p, const tc_value *vals, const char **av,
                                size_t nav)
{
	size_t n = arr_len(vals);
	p->vals = tc_arena_alloc(a, (n + 1) * sizeof *p->vals);
	for (size_t i = 0; i < n; i++) {
		const tc_value *it = vals->u.arr.items[i];
		vvalid *v = &p->vals[p->nvals++];
		memset(v, 0, sizeof *v);
		compile(a, &v->expr, tc_value_getz(it, "expression"));
		const tc_value *me = tc_value_getz(it, "messageExpression");
		if (me) {
			v->has_msg_expr = true;
			compile(a, &v->msg_expr, me);
		}
		v->message = str_of(it, "message");
		v->expr.authz = uses_authz(v->expr.e, av, nav);
		if (v->has_msg_expr)
			v->msg_expr.authz = uses_authz(v->msg_expr.e, av, nav);
	}
}

static void compile_audits(tc_arena *a, vpolicy *p, const tc_value *aas)
{
	size_t n = arr_len(aas);
	p->audits = tc_arena_alloc(a, (n + 1) * sizeof *p->audits);
	for (size_t i = 0; i < n; i++) {
		const tc_value *it = aas->u.arr.items[i];
		vaudit *au = &p->audits[p->naudits++];
		const char *k = str_of(it, "key");
		au->key = k ? k : "";
		compile(a, &au->value, tc_value_getz(it, "valueExpression"));
	}
}

static const char *src_text(const vexpr *x)
{
	return x->src && x->src->kind == TC_STR ? x->src->u.str.ptr : "";
}

/* authorizer: said once per expression, with what is assumed */
static void warn_authz(const vpolicy *p, const vexpr *x, bool cond, tc_diags *d)
{
	if (!x->authz)
		return;
	tc_warning(d, p->o->obj->pos, NULL,
	           "ValidatingAdmissionPolicy '%s': expression '%s' uses authorizer, which "
	           "needs the cluster's authorization and cannot be evaluated offline: "
	           "assumed %s",
	           p->name, src_text(x),
	           cond ? "true (the object is checked)"
	                : "to pass (the validation is not evaluated)");
}

/* an expression that does not compile: said once, at the policy */
static void warn_uncompiled(const vpolicy *p, const vexpr *x, tc_diags *d)
{
	if (!x->err)
		return;
	tc_warning(d, p->o->obj->pos, NULL,
	           "ValidatingAdmissionPolicy '%s': expression '%s' %s (failurePolicy "
	           "%s applies to every object it matches)",
	           p->name, src_text(x), x->err, p->ignore ? "Ignore" : "Fail");
}

static void warn_policy(const vpolicy *p, tc_diags *d)
{
	for (size_t i = 0; i < p->nconds; i++)
		warn_authz(p, &p->conds[i], true, d);
	for (size_t i = 0; i < p->nvals; i++)
		warn_authz(p, &p->vals[i].expr, false, d);
	for (size_t i = 0; i < p->nconds; i++)
		warn_uncompiled(p, &p->conds[i], d);
	for (size_t i = 0; i < p->nvars; i++)
		warn_uncompiled(p, &p->vars[i], d);
	for (size_t i = 0; i < p->nvals; i++)
		warn_uncompiled(p, &p->vals[i].expr, d);
	for (size_t i = 0; i < p->naudits; i++)
		warn_uncompiled(p, &p->audits[i].value, d);
}

static vpolicy *compile_policy(tc_arena *a, const vobj *o, tc_diags *d)
{
	vpolicy *p = tc_arena_alloc(a, sizeof *p);
	memset(p, 0, sizeof *p);
	p->o = o;
	p->name = o->name;
	const tc_value *spec = tc_value_getz(o->obj, "spec");
	p->match = tc_value_getz(spec, "matchConstraints");
	p->param_api = str_of(spec, "paramKind.apiVersion");
	p->param_kind = str_of(spec, "paramKind.kind");
	const char *fp = str_of(spec, "failurePolicy");
	p->ignore = fp && strcmp(fp, "Ignore") == 0;
	compile_conditions(a, p, tc_value_getz(spec, "matchConditions"));
	compile_variables(a, p, tc_value_getz(spec, "variables"));
	const char **av;
	size_t nav = authz_variables(a, p, &av);
	for (size_t i = 0; i < p->nconds; i++)
		p->conds[i].authz = uses_authz(p->conds[i].e, av, nav);
	compile_validations(a, p, tc_value_getz(spec, "validations"), av, nav);
	compile_audits(a, p, tc_value_getz(spec, "auditAnnotations"));
	warn_policy(p, d);
	return p;
}

/* ---- matching (policy/matching, rules.Matcher) ---- */

static bool list_has(const tc_value *l, const char *s, const char *star)
{
	if (!l || l->kind != TC_ARRAY)
		return false;
	for (size_t i = 0; i < l->u.arr.len; i++) {
		const tc_value *x = l->u.arr.items[i];
		if (x->kind != TC_STR)
			continue;
		if (strcmp(x->u.str.ptr, s) == 0 || (star && strcmp(x->u.str.ptr, star) == 0))
			return true;
	}
	return false;
}

/* The groups that serve the same resource as group does (besides itself):
 * the kinds that moved between groups and are served by both while both
 * exist (Kubernetes' equivalent resource registry keys them by storage). */
static const char *other_group(const char *group, const char *resource)
{
	static const char *const moved[][3] = {
		{"daemonsets", "apps", "extensions"},
		{"deployments", "apps", "extensions"},
		{"events", "", "events.k8s.io"},
		{"ingresses", "networking.k8s.io", "extensions"},
		{"networkpolicies", "networking.k8s.io", "extensions"},
		{"podsecuritypolicies", "policy", "extensions"},
		{"replicasets", "apps", "extensions"},
	};
	for (size_t i = 0; i < sizeof moved / sizeof moved[0]; i++) {
		if (strcmp(moved[i][0], resource) != 0)
			continue;
		if (strcmp(moved[i][1], group) == 0)
			return moved[i][2];
		if (strcmp(moved[i][2], group) == 0)
			return moved[i][1];
	}
	return NULL;
}

static bool any_version(const tc_value *l)
{
	for (size_t i = 0; l && l->kind == TC_ARRAY && i < l->u.arr.len; i++)
		if (l->u.arr.items[i]->kind == TC_STR && l->u.arr.items[i]->u.str.len)
			return true;
	return false;
}

/* equivalent: matchPolicy Equivalent, where a rule also matches the
 * object's resource under another version of its group, or under the
 * group it moved from or to (matching.go matchesResourceRules) */
static bool rule_matches(const tc_value *r, const vobj *o, bool equivalent)
{
	if (!list_has(tc_value_getz(r, "operations"), "CREATE", "*"))
		return false;
	const tc_value *groups = tc_value_getz(r, "apiGroups");
	const tc_value *versions = tc_value_getz(r, "apiVersions");
	if (!list_has(groups, o->group, "*") || !list_has(versions, o->version, "*")) {
		const char *og = equivalent ? other_group(o->group, o->resource) : NULL;
		bool group_ok =
			list_has(groups, o->group, "*") || (og && list_has(groups, og, NULL));
		if (!equivalent || !group_ok || !any_version(versions))
			return false;
	}
	const tc_value *res = tc_value_getz(r, "resources");
	if (!list_has(res, o->resource, "*") && !list_has(res, "*/*", NULL))
		return false;
	const char *scope = str_of(r, "scope");
	if (scope && strcmp(scope, "Cluster") == 0 && o->namespaced)
		return false;
	if (scope && strcmp(scope, "Namespaced") == 0 && !o->namespaced)
		return false;
	const tc_value *names = tc_value_getz(r, "resourceNames");
	if (names && names->kind == TC_ARRAY && names->u.arr.len && !list_has(names, o->name, NULL))
		return false;
	return true;
}

static bool any_rule(const tc_value *rules, const vobj *o, bool equivalent)
{
	for (size_t i = 0; rules && rules->kind == TC_ARRAY && i < rules->u.arr.len; i++)
		if (rule_matches(rules->u.arr.items[i], o, false))
			return true;
	/* the exact rules first, as the API server tries them */
	for (size_t i = 0; equivalent && rules && rules->kind == TC_ARRAY && i < rules->u.arr.len;
	     i++)
		if (rule_matches(rules->u.arr.items[i], o, true))
			return true;
	return false;
}

/* the labels of namespace ns as the render gives it, with the
 * kubernetes.io/metadata.name label the API server sets */
static const tc_value *ns_labels(tc_arena *a, const objlist *objs, const char *ns,
                                 const vobj **nsobj)
{
	*nsobj = NULL;
	for (size_t i = 0; i < objs->len; i++) {
		const vobj *x = objs->items[i];
		if (strcmp(x->kind, "Namespace") == 0 && !x->group[0] && strcmp(x->name, ns) == 0) {
			*nsobj = x;
			break;
		}
	}
	tc_objb b;
	tc_objb_init(&b);
	const tc_value *l = *nsobj ? (*nsobj)->labels : NULL;
	for (size_t i = 0; l && i < l->u.obj.len; i++)
		if (strcmp(l->u.obj.members[i].key, "kubernetes.io/metadata.name") != 0)
			tc_objb_add(&b, l->u.obj.members[i].key, l->u.obj.members[i].klen, TC_NOPOS,
			            l->u.obj.members[i].val);
	tc_objb_addz(&b, "kubernetes.io/metadata.name", tc_value_strz(a, ns, TC_NOPOS));
	return tc_objb_finish(&b, a, TC_NOPOS, NULL);
}

static bool selector_ok(const tc_value *sel, const tc_value *labels)
{
	if (!sel || sel->kind != TC_OBJECT)
		return true;
	return tc_k8s_selector_matches(sel, labels);
}

/* matchConstraints / matchResources */
static bool resources_match(tc_arena *a, const tc_value *m, const vobj *o, const objlist *objs)
{
	if (!m || m->kind != TC_OBJECT)
		return false;
	/* matchPolicy defaults to Equivalent (admissionregistration/v1
	 * SetDefaults_MatchResources) */
	const char *mp = str_of(m, "matchPolicy");
	bool equivalent = !mp || strcmp(mp, "Exact") != 0;
	/* a binding's matchResources without resourceRules matches every
	 * resource (matching.go: "len(matchResources.ResourceRules) == 0") */
	const tc_value *rr = tc_value_getz(m, "resourceRules");
	bool all = !rr || (rr->kind == TC_ARRAY && rr->u.arr.len == 0);
	if (!all && !any_rule(rr, o, equivalent))
		return false;
	if (any_rule(tc_value_getz(m, "excludeResourceRules"), o, equivalent))
		return false;
	if (!selector_ok(tc_value_getz(m, "objectSelector"), o->labels))
		return false;
	const tc_value *nsel = tc_value_getz(m, "namespaceSelector");
	if (o->namespaced) {
		const vobj *nso;
		if (!selector_ok(nsel, ns_labels(a, objs, o->ns, &nso)))
			return false;
	} else if (strcmp(o->kind, "Namespace") == 0 && !o->group[0]) {
		const vobj *nso;
		if (!selector_ok(nsel, ns_labels(a, objs, o->name, &nso)))
			return false;
	}
	return true;
}

/* ---- evaluation ---- */

typedef struct run {
	tc_arena *a;
	tc_diags *d;
	size_t errors;
} run;

typedef struct binding_ctx {
	const vpolicy *p;
	const vobj *b;
	bool deny, warn;
} binding_ctx;

static void report(run *r, const binding_ctx *bc, const vobj *o, const char *msg)
{
	if (bc->deny) {
		r->errors++;
		tc_finding(r->d, o->obj->pos, NULL,
		           "ValidatingAdmissionPolicy '%s' with binding '%s' denied request: %s",
		           bc->p->name, bc->b->name, msg);
	} else if (bc->warn) {
		tc_warning(
			r->d, o->obj->pos, NULL,
			"Validation failed for ValidatingAdmissionPolicy '%s' with binding '%s': "
			"%s",
			bc->p->name, bc->b->name, msg);
	}
}

static const char *expr_text(const vexpr *x)
{
	return x->src && x->src->kind == TC_STR ? x->src->u.str.ptr : "";
}

static tc_cel_val *eval(run *r, const vexpr *x, const tc_cel_env *env)
{
	if (!x->e)
		return tc_cel_error(r->a, "%s", x->err);
	tc_cel_val *v;
	(void)tc_cel_eval(&v, r->a, env, x->e, NULL);
	return v;
}

static tc_cel_val *cstr(tc_arena *a, const char *s)
{
	return tc_cel_string(a, s, strlen(s));
}

static tc_cel_val *cmap(tc_arena *a, const char *const *keys, tc_cel_val **vals, size_t n)
{
	tc_cel_val *m = tc_arena_alloc(a, sizeof *m);
	memset(m, 0, sizeof *m);
	m->kind = TC_CEL_MAP;
	m->u.map.len = n;
	m->u.map.keys = tc_arena_alloc(a, (n + 1) * sizeof *m->u.map.keys);
	m->u.map.vals = tc_arena_alloc(a, (n + 1) * sizeof *m->u.map.vals);
	for (size_t i = 0; i < n; i++) {
		m->u.map.keys[i] = cstr(a, keys[i]);
		m->u.map.vals[i] = vals[i];
	}
	return m;
}

static tc_cel_val *request_of(tc_arena *a, const vobj *o)
{
	static const char *const gvk[] = {"group", "version", "kind"};
	static const char *const gvr[] = {"group", "version", "resource"};
	tc_cel_val *k[] = {cstr(a, o->group), cstr(a, o->version), cstr(a, o->kind)};
	tc_cel_val *rs[] = {cstr(a, o->group), cstr(a, o->version), cstr(a, o->resource)};
	static const char *const ui[] = {"username", "groups"};
	tc_cel_val *uv[] = {cstr(a, ""), tc_cel_list(a, NULL, 0)};
	static const char *const keys[] = {"kind",      "resource", "name",   "namespace",
	                                   "operation", "userInfo", "dryRun", "options"};
	tc_cel_val *vals[] = {cmap(a, gvk, k, 3),    cmap(a, gvr, rs, 3),   cstr(a, o->name),
	                      cstr(a, o->ns),        cstr(a, "CREATE"),     cmap(a, ui, uv, 2),
	                      tc_cel_bool(a, false), cmap(a, NULL, NULL, 0)};
	return cmap(a, keys, vals, 8);
}

/* the string s without the white space around it (strings.TrimSpace of
 * ASCII space), in *n */
static const char *trim(const tc_cel_val *v, size_t *n)
{
	const char *s = v->u.s.ptr, *e = s + v->u.s.len;
	while (s < e && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		e--;
	*n = (size_t)(e - s);
	return s;
}

/* auditAnnotations (validator.go, dispatcher.go): a string value (trimmed,
 * at most 10 KiB) is the audit annotation POLICY/KEY, reported as a note;
 * null or "" none; an error denies the request unless failurePolicy is
 * Ignore, and a value of another type denies it whatever the policy */
static void audit(run *r, const binding_ctx *bc, const vobj *o, const tc_cel_env *env)
{
	const vpolicy *p = bc->p;
	for (size_t i = 0; i < p->naudits; i++) {
		const vaudit *au = &p->audits[i];
		tc_cel_val *v = eval(r, &au->value, env);
		const char *err = NULL;
		if (v->kind == TC_CEL_ERROR) {
			if (p->ignore)
				continue;
			err = tc_arena_printf(r->a, "expression '%s' resulted in error: %s",
			                      expr_text(&au->value), v->u.err.ptr);
		} else if (v->kind == TC_CEL_STRING) {
			size_t len;
			const char *s = trim(v, &len);
			if (len == 0)
				continue;
			if (len > 10240)
				len = 10240;
			tc_note(r->d, o->obj->pos, NULL,
			        "ValidatingAdmissionPolicy '%s' with binding '%s' sets the audit "
			        "annotation '%s/%s': %.*s",
			        p->name, bc->b->name, p->name, au->key, (int)len, s);
			continue;
		} else if (v->kind == TC_CEL_NULL) {
			continue;
		} else {
			err = tc_arena_printf(
				r->a,
				"valueExpression '%s' resulted in unsupported return "
				"type: %s. Return type must be either string or null.",
				expr_text(&au->value), tc_cel_type_name(v));
		}
		/* a denial whatever validationActions says */
		r->errors++;
		tc_finding(r->d, o->obj->pos, NULL,
		           "ValidatingAdmissionPolicy '%s' with binding '%s' denied request: %s",
		           p->name, bc->b->name, err);
	}
}

/* the namespace object of o: the one rendered, else the one the API server
 * would have made (name and the kubernetes.io/metadata.name label); null
 * for a cluster-scoped o */
static tc_cel_val *namespace_value(tc_arena *a, const vobj *o, const objlist *objs)
{
	if (!o->namespaced)
		return tc_cel_null(a);
	const vobj *nso = NULL;
	(void)ns_labels(a, objs, o->ns, &nso);
	if (nso)
		return tc_cel_from_value(a, nso->obj);
	static const char *const mk[] = {"name", "labels"};
	static const char *const lk[] = {"kubernetes.io/metadata.name"};
	tc_cel_val *lv[] = {cstr(a, o->ns)};
	tc_cel_val *mv[] = {cstr(a, o->ns), cmap(a, lk, lv, 1)};
	static const char *const nk[] = {"apiVersion", "kind", "metadata"};
	tc_cel_val *nv[] = {cstr(a, "v1"), cstr(a, "Namespace"), cmap(a, mk, mv, 2)};
	return cmap(a, nk, nv, 3);
}

/* an expression that gave an error or a value that is not a bool */
static const char *not_bool(run *r, const vexpr *x, const tc_cel_val *v)
{
	return tc_arena_printf(r->a, "expression '%s' resulted in error: %s", expr_text(x),
	                       v->kind == TC_CEL_ERROR ? v->u.err.ptr : "not a bool");
}

/* matchConditions: all true, else the object is not checked (one that
 * needs authorizer is taken as true); an error is reported unless the
 * failurePolicy is Ignore */
static bool conditions_hold(run *r, const binding_ctx *bc, const vobj *o, const tc_cel_env *env)
{
	const vpolicy *p = bc->p;
	for (size_t i = 0; i < p->nconds; i++) {
		if (p->conds[i].authz)
			continue;
		tc_cel_val *v = eval(r, &p->conds[i], env);
		if (v->kind == TC_CEL_BOOL && v->u.b)
			continue;
		if (v->kind != TC_CEL_BOOL && !p->ignore)
			report(r, bc, o, not_bool(r, &p->conds[i], v));
		return false;
	}
	return true;
}

/* variables, in order, each seeing the ones before */
static void bind_variables(run *r, const vpolicy *p, const tc_cel_env *env, tc_cel_var *slot)
{
	tc_cel_val **vv = tc_arena_alloc(r->a, (p->nvars + 1) * sizeof *vv);
	for (size_t i = 0; i < p->nvars; i++) {
		vv[i] = p->vars[i].authz ? tc_cel_error(r->a, "authorizer is not available offline")
		                         : eval(r, &p->vars[i], env);
		slot->val = cmap(r->a, p->varnames, vv, i + 1);
	}
}

/* the message of a failed validation: a messageExpression that errors (or
 * runs over its budget), or gives no usable one-line string of at most 5
 * KiB (MaxEvaluatedMessageExpressionSizeBytes), falls back to message,
 * then to the expression (validator.go) */
static const char *failure_message(run *r, const vvalid *val, const tc_cel_env *env)
{
	if (val->has_msg_expr && !val->msg_expr.authz) {
		tc_cel_val *m = eval(r, &val->msg_expr, env);
		size_t len;
		const char *ms = m->kind == TC_CEL_STRING ? trim(m, &len) : NULL;
		if (ms && len && len <= 5 * 1024 && !memchr(ms, '\n', len))
			return tc_arena_printf(r->a, "%.*s", (int)len, ms);
	}
	if (val->message && *val->message)
		return val->message;
	return tc_arena_printf(r->a, "failed expression: %s", expr_text(&val->expr));
}

static void validate(run *r, const binding_ctx *bc, const vobj *o, const vvalid *val,
                     const tc_cel_env *env)
{
	if (val->expr.authz)
		return; /* assumed to pass, said at the policy */
	tc_cel_val *v = eval(r, &val->expr, env);
	if (v->kind == TC_CEL_BOOL && v->u.b)
		return;
	if (v->kind != TC_CEL_BOOL) {
		if (!bc->p->ignore)
			report(r, bc, o, not_bool(r, &val->expr, v));
		return;
	}
	report(r, bc, o, failure_message(r, val, env));
}

/* one policy, one binding, one object, one param (may be NULL) */
static void evaluate(run *r, const binding_ctx *bc, const vobj *o, const vobj *param,
                     const objlist *objs)
{
	tc_arena *a = r->a;
	const vpolicy *p = bc->p;
	tc_cel_val *nsval = namespace_value(a, o, objs);
	tc_cel_var vars[7] = {
		{"namespaceObject", nsval},
		{"object", tc_cel_from_value(a, o->obj)},
		{"oldObject", tc_cel_null(a)},
		{"params", param ? tc_cel_from_value(a, param->obj) : tc_cel_null(a)},
		{"request", request_of(a, o)},
		{"variables", cmap(a, NULL, NULL, 0)},
	};
	size_t nvars = 6;
	tc_cel_vars_sort(vars, nvars);
	tc_cel_env env;
	tc_cel_k8s_env_init(&env, vars, nvars);
	tc_cel_var *varslot = NULL;
	for (size_t i = 0; i < nvars; i++)
		if (strcmp(vars[i].name, "variables") == 0)
			varslot = &vars[i];
	if (!conditions_hold(r, bc, o, &env))
		return;
	bind_variables(r, p, &env, varslot);
	for (size_t i = 0; i < p->nvals; i++)
		validate(r, bc, o, &p->vals[i], &env);
	audit(r, bc, o, &env);
}

static int cmp_obj(const void *x, const void *y, void *ctx)
{
	(void)ctx;
	const vobj *a = *(vobj *const *)x, *b = *(vobj *const *)y;
	int c;
	if ((c = strcmp(a->ns, b->ns)) || (c = strcmp(a->name, b->name)) ||
	    (c = strcmp(a->kind, b->kind)) || (c = strcmp(a->api, b->api)))
		return c;
	return (a->seq > b->seq) - (a->seq < b->seq);
}

/* the params of a binding for object o: into *out (count returned); -1
 * when the binding cannot be configured (why in *why) */
static long params_of(run *r, const vpolicy *p, const vobj *b, const vobj *o, const objlist *objs,
                      const vobj ***out, const char **why)
{
	const tc_value *ref = tc_value_dig(b->obj, "spec.paramRef");
	*out = NULL;
	if (!ref || ref->kind != TC_OBJECT) {
		*why = "failed to configure binding: paramRef is required when the policy has a "
		       "paramKind";
		return -1;
	}
	const char *name = str_of(ref, "name"), *ns = str_of(ref, "namespace");
	const tc_value *sel = tc_value_getz(ref, "selector");
	const char *action = str_of(ref, "parameterNotFoundAction");
	bool allow = action && strcmp(action, "Allow") == 0;
	const vobj **found = tc_arena_alloc(r->a, (objs->len + 1) * sizeof *found);
	size_t n = 0;
	for (size_t i = 0; i < objs->len; i++) {
		const vobj *x = objs->items[i];
		if (strcmp(x->api, p->param_api) != 0 || strcmp(x->kind, p->param_kind) != 0)
			continue;
		const char *want_ns = ns ? ns : x->namespaced ? o->ns : "";
		if (x->namespaced && strcmp(x->ns, want_ns) != 0)
			continue;
		if (name && strcmp(x->name, name) != 0)
			continue;
		if (!name && !selector_ok(sel, x->labels))
			continue;
		found[n++] = x;
	}
	if (n == 0 && !allow) {
		*why = "failed to configure binding: no params found for policy binding with `Deny` "
		       "parameterNotFoundAction";
		return -1;
	}
	*out = found;
	return (long)n;
}

/* the ValidatingAdmissionPolicy called name, or NULL */
static const vobj *find_policy(const objlist *objs, const char *name)
{
	for (size_t i = 0; name && i < objs->len; i++)
		if (is_kind(objs->items[i], "ValidatingAdmissionPolicy") &&
		    strcmp(objs->items[i]->name, name) == 0)
			return objs->items[i];
	return NULL;
}

/* object o under a binding that matches it: once without params, or once
 * per param the binding selects */
static void check_object(run *r, const binding_ctx *bc, const vobj *o, const objlist *objs)
{
	const vpolicy *p = bc->p;
	if (!p->param_kind) {
		evaluate(r, bc, o, NULL, objs);
		return;
	}
	const vobj **params;
	const char *why = NULL;
	long np = params_of(r, p, bc->b, o, objs, &params, &why);
	if (np < 0) {
		if (!p->ignore)
			report(r, bc, o, why);
		return;
	}
	for (long k = 0; k < np; k++)
		evaluate(r, bc, o, params[k], objs);
}

/* one binding, over every object its policy and it match */
static void run_binding(run *r, const vobj *b, const objlist *objs)
{
	const vobj *po = find_policy(objs, str_of(b->obj, "spec.policyName"));
	if (!po)
		return;
	const vpolicy *p = compile_policy(r->a, po, r->d);
	binding_ctx bc = {p, b, false, false};
	const tc_value *acts = tc_value_dig(b->obj, "spec.validationActions");
	bc.deny = list_has(acts, "Deny", NULL);
	bc.warn = list_has(acts, "Warn", NULL) || list_has(acts, "Audit", NULL);
	const tc_value *bm = tc_value_dig(b->obj, "spec.matchResources");
	for (size_t oi = 0; oi < objs->len; oi++) {
		const vobj *o = objs->items[oi];
		if (o->folder || !resources_match(r->a, p->match, o, objs))
			continue;
		if (bm && bm->kind == TC_OBJECT && !resources_match(r->a, bm, o, objs))
			continue;
		check_object(r, &bc, o, objs);
	}
}

/* policies and bindings, by name */
static void run_env(run *r, const objlist *objs)
{
	for (size_t bi = 0; bi < objs->len; bi++)
		if (is_kind(objs->items[bi], "ValidatingAdmissionPolicyBinding"))
			run_binding(r, objs->items[bi], objs);
}

size_t tc_vap_run(tc_vap_set *s, tc_diags *d)
{
	run r = {NULL, d, 0};
	for (size_t e = 0; e < s->nenvs; e++) {
		objlist all = {0};
		for (size_t i = 0; i < s->envs[e].len; i++)
			push(&all, s->envs[e].items[i]);
		for (size_t i = 0; i < s->stat.len; i++)
			push(&all, s->stat.items[i]);
		if (all.len > 1)
			tc_sort_stable(all.items, all.len, sizeof *all.items, cmp_obj, NULL);
		tc_arena a;
		tc_arena_init(&a);
		r.a = &a;
		run_env(&r, &all);
		tc_arena_release(&a);
		free(all.items);
	}
	return r.errors;
}
