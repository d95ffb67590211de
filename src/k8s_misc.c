/*
 * k8s_misc.c - Secret types and base64 data, ConfigMap binaryData, and
 * RBAC. Quotas, limits, claims, budgets and autoscalers are k8s_policy.c's.
 *
 * Upstream: kubernetes/kubernetes pkg/apis/rbac/validation
 * (ValidatePolicyRule, ValidateRoleBindingSubject, the roleRef checks of
 * ValidateRoleBinding and ValidateClusterRoleBinding, with the defaults of
 * pkg/apis/rbac/v1/defaults.go: User and Group subjects and roleRef get
 * the rbac.authorization.k8s.io group when it is left out);
 * pkg/apis/core/validation (ValidateSecret, ValidateConfigMap). base64 is
 * Go's encoding/json decoding of []byte:
 * the standard alphabet, padded, CR and LF skipped.
 *
 * Secret data values are never quoted in a message, decrypted or not, and
 * SOPS-encrypted values ("ENC[...]") are not judged.
 */
#include "k8s_rules.h"

#include "base64.h"
#include "json_load.h"
#include "k8s.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

static bool is_sops(const tc_value *v)
{
	return v->u.str.len > 5 && !memcmp(v->u.str.ptr, "ENC[", 4) &&
	       v->u.str.ptr[v->u.str.len - 1] == ']';
}

/* Go's StdEncoding as encoding/json uses it, checked without decoding */
static bool is_base64(const char *s, size_t n)
{
	size_t chars = 0, pad = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\r' || c == '\n')
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		if (pad || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		             (c >= '0' && c <= '9') || c == '+' || c == '/'))
			return false;
		chars++;
	}
	return pad <= 2 && (chars + pad) % 4 == 0 && (pad == 0 || (chars % 4) + pad == 4);
}

/* the base64 maps of a ConfigMap (binaryData) or a Secret (data) */
static void check_base64_map(tc_k8s_ctx *o, const tc_value *obj, const char *key, const tc_path *at)
{
	tc_k8s_field f = tc_k8s_field_of(obj, key, at);
	for (size_t i = 0; tc_k8s_obj(f.v) && i < f.v->u.obj.len; i++) {
		const tc_member *m = &f.v->u.obj.members[i];
		tc_path p = TC_PATH_KEY(&f.p, m->key, m->klen);
		if (m->val->kind == TC_STR && !is_sops(m->val) &&
		    !is_base64(m->val->u.str.ptr, m->val->u.str.len))
			tc_k8s_report(
				o, m->val->pos, &p,
				"the value of '%s' is not base64 (standard alphabet, padded): "
				"%s values are base64-encoded bytes%s",
				m->key, key,
				!strcmp(key, "data") ? "; put plain text under stringData" : "");
	}
}

static bool has_key(const tc_value *obj, const char *key)
{
	return tc_value_get(tc_value_getz(obj, "data"), key, strlen(key)) ||
	       tc_value_get(tc_value_getz(obj, "stringData"), key, strlen(key));
}

/* .dockerconfigjson / .dockercfg must be JSON (checked when the value is
 * in the clear: not encrypted, not decrypted) */
static void check_docker_json(tc_k8s_ctx *o, const tc_value *obj, const char *key,
                              const tc_path *at)
{
	const tc_value *data = tc_value_getz(obj, "data");
	const tc_member *m = tc_value_member(data, key, strlen(key));
	const tc_value *sd = tc_value_getz(obj, "stringData");
	const tc_member *sm = tc_value_member(sd, key, strlen(key));
	const tc_member *use = sm ? sm : m;
	if (!use || use->val->kind != TC_STR || is_sops(use->val) ||
	    (use->val->flags & TC_VAL_SECRET))
		return;
	const tc_value *v = use->val;
	size_t n = v->u.str.len, len = n;
	unsigned char *buf = NULL;
	const char *text = v->u.str.ptr;
	if (!sm) {
		if (!is_base64(v->u.str.ptr, n))
			return; /* reported by check_base64_map */
		buf = malloc(n + 1);
		if (!buf || tc_base64_decode(buf, &len, n, v->u.str.ptr, n,
		                             TC_BASE64_PAD | TC_BASE64_SKIP_NL) < 0) {
			free(buf);
			return;
		}
		text = (const char *)buf;
	}
	tc_arena a;
	tc_arena_init(&a);
	tc_diags d;
	tc_diags_init(&d);
	tc_value *out = NULL;
	int r = tc_json_load(&out, &a, &d, "-", text, len);
	bool is_obj = r == 0 && out && out->kind == TC_OBJECT;
	tc_diags_release(&d);
	tc_arena_release(&a);
	free(buf);
	if (!is_obj) {
		tc_path dp = TC_PATH_KEY(at, sm ? "stringData" : "data", sm ? 10 : 4);
		tc_path p = TC_PATH_KEY(&dp, use->key, use->klen);
		tc_k8s_report(o, v->pos, &p, "the value of '%s' is not a JSON object", key);
	}
}

/* the keys a Secret of each built-in type needs (validateSecret) */
static const struct {
	const char *type;
	const char *need[2];
	bool either; /* one of the two is enough */
} secret_types[] = {
	{"kubernetes.io/tls", {"tls.crt", "tls.key"}, false},
	{"kubernetes.io/dockerconfigjson", {".dockerconfigjson", NULL}, false},
	{"kubernetes.io/dockercfg", {".dockercfg", NULL}, false},
	{"kubernetes.io/ssh-auth", {"ssh-privatekey", NULL}, false},
	{"kubernetes.io/basic-auth", {"username", "password"}, true},
};

/* a service-account-token Secret names its ServiceAccount in an annotation */
static void check_sa_token(tc_k8s_ctx *o, const tc_value *obj, const tc_value *t, const tc_path *at)
{
	const tc_value *ann = tc_value_dig(obj, "metadata.annotations");
	tc_path mp = TC_PATH_KEY(at, "metadata", 8);
	tc_path ap = TC_PATH_KEY(&mp, "annotations", 11);
	tc_path kp = TC_PATH_KEY(&ap, "kubernetes.io/service-account.name", 34);
	if (!tc_value_getz(ann, "kubernetes.io/service-account.name"))
		tc_k8s_report(o, t->pos, &kp,
		              "a Secret of type '%s' needs the annotation "
		              "kubernetes.io/service-account.name",
		              t->u.str.ptr);
}

/* an ssh-auth Secret's private key is not empty */
static void check_ssh_key(tc_k8s_ctx *o, const tc_value *obj, const tc_value *t, const tc_path *dp)
{
	const tc_value *v = tc_value_get(tc_value_getz(obj, "data"), "ssh-privatekey", 14);
	const tc_value *sv = tc_value_get(tc_value_getz(obj, "stringData"), "ssh-privatekey", 14);
	tc_path kp = TC_PATH_KEY(dp, "ssh-privatekey", 14);
	if ((v || sv) && (!v || tc_value_streq(v, "")) && (!sv || tc_value_streq(sv, "")))
		tc_k8s_report(o, (v ? v : sv)->pos, &kp,
		              "the key 'ssh-privatekey' of a Secret of type '%s' must not be "
		              "empty",
		              t->u.str.ptr);
}

/* the keys a Secret of type t needs (row i of secret_types) */
static void check_secret_keys(tc_k8s_ctx *o, const tc_value *obj, const tc_value *t, size_t i,
                              const tc_path *at)
{
	const char *const *need = secret_types[i].need;
	tc_path dp = TC_PATH_KEY(at, "data", 4);
	if (secret_types[i].either) {
		tc_path kp = TC_PATH_KEY(&dp, "username", 8);
		if (!has_key(obj, need[0]) && !has_key(obj, need[1]))
			tc_k8s_report(o, t->pos, &kp,
			              "a Secret of type '%s' needs the key '%s' or '%s' in data or "
			              "stringData",
			              t->u.str.ptr, need[0], need[1]);
		return;
	}
	for (int k = 0; k < 2 && need[k]; k++) {
		tc_path kp = TC_PATH_KEY(&dp, need[k], strlen(need[k]));
		if (!has_key(obj, need[k]))
			tc_k8s_report(
				o, t->pos, &kp,
				"a Secret of type '%s' needs the key '%s' in data or stringData",
				t->u.str.ptr, need[k]);
	}
	if (tc_value_streq(t, "kubernetes.io/ssh-auth"))
		check_ssh_key(o, obj, t, &dp);
	if (need[0][0] == '.' && has_key(obj, need[0]))
		check_docker_json(o, obj, need[0], at);
}

void tc_k8s_rule_secret(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at)
{
	check_base64_map(o, obj, "data", at);
	tc_k8s_field type = tc_k8s_field_of(obj, "type", at);
	const tc_value *t = tc_k8s_str(type.v);
	if (!t)
		return;
	if (tc_value_streq(t, "kubernetes.io/service-account-token")) {
		check_sa_token(o, obj, t, at);
		return;
	}
	for (size_t i = 0; i < sizeof secret_types / sizeof secret_types[0]; i++)
		if (tc_value_streq(t, secret_types[i].type))
			check_secret_keys(o, obj, t, i, at);
}

void tc_k8s_rule_configmap(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at)
{
	check_base64_map(o, obj, "binaryData", at);
}

/* ---- RBAC ---- */

/* one policy rule: verbs, and either non-resource URLs (a ClusterRole's only)
 * or API groups and resources */
static void check_rule(tc_k8s_ctx *o, const tc_value *r, const tc_path *rp, bool namespaced)
{
	tc_k8s_field verbs = tc_k8s_field_of(r, "verbs", rp);
	tc_k8s_field nru = tc_k8s_field_of(r, "nonResourceURLs", rp);
	tc_k8s_field groups = tc_k8s_field_of(r, "apiGroups", rp);
	tc_k8s_field res = tc_k8s_field_of(r, "resources", rp);
	if (!tc_k8s_nonempty(verbs.v))
		tc_k8s_report(o, verbs.v ? verbs.v->pos : r->pos, &verbs.p,
		              "a rule needs at least one verb");
	if (tc_k8s_nonempty(nru.v)) {
		if (namespaced)
			tc_k8s_report(o, nru.v->pos, &nru.p,
			              "a Role's rules cannot name non-resource URLs (only a "
			              "ClusterRole's can)");
		if (tc_k8s_nonempty(groups.v) || tc_k8s_nonempty(res.v) ||
		    tc_k8s_nonempty(tc_value_getz(r, "resourceNames")))
			tc_k8s_report(
				o, nru.v->pos, &nru.p,
				"a rule cannot apply to both resources and non-resource URLs");
		return;
	}
	if (!tc_k8s_nonempty(groups.v))
		tc_k8s_report(o, groups.v ? groups.v->pos : r->pos, &groups.p,
		              "a resource rule needs at least one API group (\"\" is the core "
		              "group)");
	if (!tc_k8s_nonempty(res.v))
		tc_k8s_report(o, res.v ? res.v->pos : r->pos, &res.p,
		              "a resource rule needs at least one resource");
}

static void check_rules(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at, bool namespaced)
{
	tc_k8s_field rules = tc_k8s_field_of(obj, "rules", at);
	for (size_t i = 0; tc_k8s_arr(rules.v) && i < rules.v->u.arr.len; i++) {
		tc_path rp = TC_PATH_INDEX(&rules.p, i);
		if (tc_k8s_obj(rules.v->u.arr.items[i]))
			check_rule(o, rules.v->u.arr.items[i], &rp, namespaced);
	}
}

void tc_k8s_rule_role(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at)
{
	check_rules(o, obj, at, true);
}

void tc_k8s_rule_clusterrole(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at)
{
	check_rules(o, obj, at, false);
	tc_k8s_field ar = tc_k8s_field_of(obj, "aggregationRule", at);
	if (!tc_k8s_obj(ar.v))
		return;
	tc_k8s_field sel = tc_k8s_field_of(ar.v, "clusterRoleSelectors", &ar.p);
	if (!tc_k8s_nonempty(sel.v))
		tc_k8s_report(o, ar.v->pos, &sel.p,
		              "an aggregationRule needs at least one clusterRoleSelector");
	for (size_t i = 0; tc_k8s_arr(sel.v) && i < sel.v->u.arr.len; i++) {
		tc_path sp = TC_PATH_INDEX(&sel.p, i);
		tc_k8s_check_selector(o, sel.v->u.arr.items[i], &sp);
	}
}

static const char *const rbac = "rbac.authorization.k8s.io";

/* roleRef: the RBAC group, a kind the binding may name, a role name */
static void check_role_ref(tc_k8s_ctx *o, const tc_value *ref, const tc_path *rp, bool namespaced)
{
	tc_k8s_field g = tc_k8s_field_of(ref, "apiGroup", rp);
	tc_k8s_field k = tc_k8s_field_of(ref, "kind", rp);
	tc_k8s_field n = tc_k8s_field_of(ref, "name", rp);
	if (tc_k8s_str(g.v) && g.v->u.str.len && !tc_value_streq(g.v, rbac))
		tc_k8s_report(o, g.v->pos, &g.p,
		              "'%.*s' is not supported: roleRef.apiGroup must be "
		              "'rbac.authorization.k8s.io'",
		              TC_K8S_SHOW(g.v));
	if (tc_k8s_str(k.v) && !tc_value_streq(k.v, "ClusterRole") &&
	    (!namespaced || !tc_value_streq(k.v, "Role")))
		tc_k8s_report(o, k.v->pos, &k.p, "'%.*s' is not supported: roleRef.kind must be %s",
		              TC_K8S_SHOW(k.v),
		              namespaced ? "'Role' or 'ClusterRole'" : "'ClusterRole'");
	const tc_value *ns = tc_k8s_str(n.v);
	if (!ns || !ns->u.str.len)
		tc_k8s_report(o, ref->pos, &n.p, "roleRef needs a name");
	else if (!tc_k8s_is_path_segment(ns->u.str.ptr, ns->u.str.len))
		tc_k8s_report(o, ns->pos, &n.p,
		              "'%.*s' is not a valid role name: not '.' or '..', no '/' or '%%'",
		              TC_K8S_SHOW(ns));
}

/* a ServiceAccount subject: a DNS name, no apiGroup, a namespace in a
 * ClusterRoleBinding */
static void check_sa_subject(tc_k8s_ctx *o, const tc_value *s, const tc_path *sp, bool namespaced)
{
	tc_k8s_field name = tc_k8s_field_of(s, "name", sp);
	tc_k8s_field group = tc_k8s_field_of(s, "apiGroup", sp);
	const tc_value *nm = tc_k8s_str(name.v);
	if (nm && nm->u.str.len && !tc_k8s_is_dns_subdomain(nm->u.str.ptr, nm->u.str.len))
		tc_k8s_report(o, nm->pos, &name.p,
		              "'%.*s' is not a valid ServiceAccount name: a DNS-1123 "
		              "subdomain",
		              TC_K8S_SHOW(nm));
	if (tc_k8s_str(group.v) && group.v->u.str.len)
		tc_k8s_report(o, group.v->pos, &group.p,
		              "'%.*s' is not supported: a ServiceAccount subject's apiGroup "
		              "must be empty",
		              TC_K8S_SHOW(group.v));
	if (!namespaced && !tc_k8s_nonempty(tc_value_getz(s, "namespace"))) {
		tc_path np = TC_PATH_KEY(sp, "namespace", 9);
		tc_k8s_report(o, s->pos, &np,
		              "a ServiceAccount subject of a ClusterRoleBinding needs a "
		              "namespace");
	}
}

/* one subject: a name, and the rules of its kind */
static void check_subject(tc_k8s_ctx *o, const tc_value *s, const tc_path *sp, bool namespaced)
{
	tc_k8s_field name = tc_k8s_field_of(s, "name", sp);
	tc_k8s_field kind = tc_k8s_field_of(s, "kind", sp);
	tc_k8s_field group = tc_k8s_field_of(s, "apiGroup", sp);
	const tc_value *nm = tc_k8s_str(name.v);
	bool gset = tc_k8s_str(group.v) && group.v->u.str.len;
	if (!nm || !nm->u.str.len)
		tc_k8s_report(o, s->pos, &name.p, "a subject needs a name");
	if (tc_value_streq(kind.v, "ServiceAccount")) {
		check_sa_subject(o, s, sp, namespaced);
	} else if (tc_value_streq(kind.v, "User") || tc_value_streq(kind.v, "Group")) {
		if (gset && !tc_value_streq(group.v, rbac))
			tc_k8s_report(o, group.v->pos, &group.p,
			              "'%.*s' is not supported: a %s subject's apiGroup must be "
			              "'rbac.authorization.k8s.io'",
			              TC_K8S_SHOW(group.v), kind.v->u.str.ptr);
	} else if (tc_k8s_str(kind.v)) {
		tc_k8s_report(o, kind.v->pos, &kind.p,
		              "'%.*s' is not a subject kind: ServiceAccount, User or Group",
		              TC_K8S_SHOW(kind.v));
	}
}

static void check_binding(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at, bool namespaced)
{
	tc_k8s_field ref = tc_k8s_field_of(obj, "roleRef", at);
	if (tc_k8s_obj(ref.v))
		check_role_ref(o, ref.v, &ref.p, namespaced);
	tc_k8s_field subs = tc_k8s_field_of(obj, "subjects", at);
	for (size_t i = 0; tc_k8s_arr(subs.v) && i < subs.v->u.arr.len; i++) {
		tc_path sp = TC_PATH_INDEX(&subs.p, i);
		if (tc_k8s_obj(subs.v->u.arr.items[i]))
			check_subject(o, subs.v->u.arr.items[i], &sp, namespaced);
	}
}

void tc_k8s_rule_rolebinding(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at)
{
	check_binding(o, obj, at, true);
}

void tc_k8s_rule_clusterrolebinding(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at)
{
	check_binding(o, obj, at, false);
}
