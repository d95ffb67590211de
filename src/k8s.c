/*
 * k8s.c - the rules of Kubernetes' API server that schemas do not carry.
 *
 * The syntax rules follow k8s.io/apimachinery's validation package (DNS-1123
 * and DNS-1035 names, qualified names for label and annotation keys, label
 * values, config keys) and the per-kind name rules of the API server:
 * Namespaces are DNS-1123 labels, Services DNS-1035 labels, RBAC objects
 * path segments, everything else DNS-1123 subdomains. Sizes: ConfigMap and
 * Secret data at most 1 MiB (the values; base64 data decoded), annotations
 * at most 256 KiB per object.
 *
 * The scope table lists the built-in kinds tenantc can meet; custom
 * resources get their scope from the CRD index of the schema folder
 * (schema_set.c). Duplicates are found by sorting copies of the object
 * identities, never by hashing, so the report order is fixed.
 */
#include "k8s.h"

#include "k8s_rules.h"
#include "netaddr.h"
#include "schema_check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool alnum(char c)
{
	return lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

/* One label of a subdomain: unlike a DNS-1123 label it may be longer than
 * 63 bytes, as in apimachinery's IsDNS1123Subdomain, which checks the whole
 * string with one regular expression. */
static bool subdomain_label(const char *s, size_t n)
{
	if (!lower_alnum(s[0]) || !lower_alnum(s[n - 1]))
		return false;
	for (size_t j = 0; j < n; j++)
		if (!lower_alnum(s[j]) && s[j] != '-')
			return false;
	return true;
}

bool tc_k8s_is_dns_label(const char *s, size_t n)
{
	return n > 0 && n <= 63 && subdomain_label(s, n);
}

bool tc_k8s_is_dns1035_label(const char *s, size_t n)
{
	return tc_k8s_is_dns_label(s, n) && s[0] >= 'a' && s[0] <= 'z';
}

bool tc_k8s_is_dns_subdomain(const char *s, size_t n)
{
	return tc_netaddr_labels(s, n, subdomain_label);
}

static bool is_name_part(const char *s, size_t n)
{
	if (n == 0 || n > 63 || !alnum(s[0]) || !alnum(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return false;
	return true;
}

bool tc_k8s_is_qualified_name(const char *s, size_t n)
{
	const char *slash = memchr(s, '/', n);
	if (!slash)
		return is_name_part(s, n);
	size_t pl = (size_t)(slash - s);
	return tc_k8s_is_dns_subdomain(s, pl) && is_name_part(slash + 1, n - pl - 1);
}

bool tc_k8s_is_label_value(const char *s, size_t n)
{
	return n == 0 || is_name_part(s, n);
}

bool tc_k8s_is_config_key(const char *s, size_t n)
{
	/* hasChDirPrefix: not '.', and not starting with '..' */
	if (n == 0 || n > 253 || (n == 1 && s[0] == '.') || (n >= 2 && s[0] == '.' && s[1] == '.'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return false;
	return true;
}

typedef struct scope_entry {
	const char *group, *kind;
	tc_k8s_scope scope;
	/* served by some release of Kubernetes 1.30-1.34, newest first (a
	 * version removed within that range, such as flowcontrol's v1beta3 in
	 * 1.32, is still listed) */
	const char *versions;
} scope_entry;

/* sorted by group, then kind (bytes) */
static const scope_entry scopes[] = {
	{"", "ConfigMap", TC_K8S_NAMESPACED, "v1"},
	{"", "Endpoints", TC_K8S_NAMESPACED, "v1"},
	{"", "Event", TC_K8S_NAMESPACED, "v1"},
	{"", "LimitRange", TC_K8S_NAMESPACED, "v1"},
	{"", "Namespace", TC_K8S_CLUSTER, "v1"},
	{"", "Node", TC_K8S_CLUSTER, "v1"},
	{"", "PersistentVolume", TC_K8S_CLUSTER, "v1"},
	{"", "PersistentVolumeClaim", TC_K8S_NAMESPACED, "v1"},
	{"", "Pod", TC_K8S_NAMESPACED, "v1"},
	{"", "PodTemplate", TC_K8S_NAMESPACED, "v1"},
	{"", "ReplicationController", TC_K8S_NAMESPACED, "v1"},
	{"", "ResourceQuota", TC_K8S_NAMESPACED, "v1"},
	{"", "Secret", TC_K8S_NAMESPACED, "v1"},
	{"", "Service", TC_K8S_NAMESPACED, "v1"},
	{"", "ServiceAccount", TC_K8S_NAMESPACED, "v1"},
	{"admissionregistration.k8s.io", "MutatingWebhookConfiguration", TC_K8S_CLUSTER, "v1"},
	{"admissionregistration.k8s.io", "ValidatingAdmissionPolicy", TC_K8S_CLUSTER,
         "v1, v1beta1"},
	{"admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding", TC_K8S_CLUSTER,
         "v1, v1beta1"},
	{"admissionregistration.k8s.io", "ValidatingWebhookConfiguration", TC_K8S_CLUSTER, "v1"},
	{"apiextensions.k8s.io", "CustomResourceDefinition", TC_K8S_CLUSTER, "v1"},
	{"apiregistration.k8s.io", "APIService", TC_K8S_CLUSTER, "v1"},
	{"apps", "ControllerRevision", TC_K8S_NAMESPACED, "v1"},
	{"apps", "DaemonSet", TC_K8S_NAMESPACED, "v1"},
	{"apps", "Deployment", TC_K8S_NAMESPACED, "v1"},
	{"apps", "ReplicaSet", TC_K8S_NAMESPACED, "v1"},
	{"apps", "StatefulSet", TC_K8S_NAMESPACED, "v1"},
	{"autoscaling", "HorizontalPodAutoscaler", TC_K8S_NAMESPACED, "v2, v1"},
	{"batch", "CronJob", TC_K8S_NAMESPACED, "v1"},
	{"batch", "Job", TC_K8S_NAMESPACED, "v1"},
	{"certificates.k8s.io", "CertificateSigningRequest", TC_K8S_CLUSTER, "v1"},
	{"coordination.k8s.io", "Lease", TC_K8S_NAMESPACED, "v1"},
	{"discovery.k8s.io", "EndpointSlice", TC_K8S_NAMESPACED, "v1"},
	{"flowcontrol.apiserver.k8s.io", "FlowSchema", TC_K8S_CLUSTER, "v1, v1beta3"},
	{"flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration", TC_K8S_CLUSTER,
         "v1, v1beta3"},
	{"networking.k8s.io", "Ingress", TC_K8S_NAMESPACED, "v1"},
	{"networking.k8s.io", "IngressClass", TC_K8S_CLUSTER, "v1"},
	{"networking.k8s.io", "NetworkPolicy", TC_K8S_NAMESPACED, "v1"},
	{"node.k8s.io", "RuntimeClass", TC_K8S_CLUSTER, "v1"},
	{"policy", "PodDisruptionBudget", TC_K8S_NAMESPACED, "v1"},
	{"rbac.authorization.k8s.io", "ClusterRole", TC_K8S_CLUSTER, "v1"},
	{"rbac.authorization.k8s.io", "ClusterRoleBinding", TC_K8S_CLUSTER, "v1"},
	{"rbac.authorization.k8s.io", "Role", TC_K8S_NAMESPACED, "v1"},
	{"rbac.authorization.k8s.io", "RoleBinding", TC_K8S_NAMESPACED, "v1"},
	{"scheduling.k8s.io", "PriorityClass", TC_K8S_CLUSTER, "v1"},
	{"storage.k8s.io", "CSIDriver", TC_K8S_CLUSTER, "v1"},
	{"storage.k8s.io", "CSINode", TC_K8S_CLUSTER, "v1"},
	{"storage.k8s.io", "StorageClass", TC_K8S_CLUSTER, "v1"},
	{"storage.k8s.io", "VolumeAttachment", TC_K8S_CLUSTER, "v1"},
};

static int cmp_n(const char *a, const char *b, size_t bn)
{
	return tc_bytes_cmp(a, strlen(a), b, bn);
}

tc_k8s_scope tc_k8s_builtin_scope(const char *group, size_t glen, const char *kind, size_t klen)
{
	size_t lo = 0, hi = sizeof scopes / sizeof scopes[0];
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = cmp_n(scopes[mid].group, group, glen);
		if (c == 0)
			c = cmp_n(scopes[mid].kind, kind, klen);
		if (c == 0)
			return scopes[mid].scope;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return TC_K8S_SCOPE_UNKNOWN;
}

static const scope_entry *builtin(const char *group, size_t glen, const char *kind, size_t klen)
{
	size_t lo = 0, hi = sizeof scopes / sizeof scopes[0];
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = cmp_n(scopes[mid].group, group, glen);
		if (c == 0)
			c = cmp_n(scopes[mid].kind, kind, klen);
		if (c == 0)
			return &scopes[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *tc_k8s_builtin_versions(const char *group, size_t glen, const char *kind, size_t klen)
{
	const scope_entry *e = builtin(group, glen, kind, klen);
	return e ? e->versions : NULL;
}

const char *tc_k8s_builtin_group_of(const char *kind, size_t klen)
{
	for (size_t i = 0; i < sizeof scopes / sizeof scopes[0]; i++)
		if (cmp_n(scopes[i].kind, kind, klen) == 0)
			return scopes[i].group;
	return NULL;
}

const char *tc_k8s_builtin_near_kind(const char *group, size_t glen, const char *kind, size_t klen)
{
	const char *best = NULL;
	size_t bestd = 3;
	for (size_t i = 0; i < sizeof scopes / sizeof scopes[0]; i++) {
		if (cmp_n(scopes[i].group, group, glen) != 0)
			continue;
		size_t n = strlen(scopes[i].kind);
		size_t d = n == klen && !strncasecmp(scopes[i].kind, kind, klen)
		                   ? 0
		                   : tc_edit_distance(scopes[i].kind, n, kind, klen, 2);
		if (d < bestd) {
			bestd = d;
			best = scopes[i].kind;
		}
	}
	return best;
}

void tc_k8s_split_api_version(const char *s, size_t n, const char **group, size_t *glen,
                              const char **version, size_t *vlen)
{
	const char *slash = memchr(s, '/', n);
	if (!slash) {
		*group = s;
		*glen = 0;
		*version = s;
		*vlen = n;
		return;
	}
	*group = s;
	*glen = (size_t)(slash - s);
	*version = slash + 1;
	*vlen = n - *glen - 1;
}

/* ---- the object rules ---- */

typedef tc_k8s_ctx octx;
#define report tc_k8s_report

static const tc_value *member(const tc_value *obj, const char *key, const tc_member **m)
{
	*m = tc_value_member(obj, key, strlen(key));
	return *m ? (*m)->val : NULL;
}

static bool kind_is(const tc_value *kind, const char *group, size_t glen, const char *g,
                    const char *k)
{
	return tc_bytes_cmp(group, glen, g, strlen(g)) == 0 && tc_value_streq(kind, k);
}

/* The name rule of each kind (the ValidateNameFunc each registry's
 * strategy uses). With generate, the value is a generateName: a trailing
 * '-' is allowed (apimachinery's maskTrailingDash). */
static void check_name(octx *o, const tc_value *name, const tc_value *kind, const char *group,
                       size_t glen, const tc_path *at, bool generate)
{
	const char *s = name->u.str.ptr;
	size_t n = name->u.str.len;
	char masked[256];
	if (generate && n > 1 && n < sizeof masked && s[n - 1] == '-') {
		memcpy(masked, s, n);
		masked[n - 1] = 'a';
		s = masked;
	}
	const char *what = generate ? "generateName" : "name";
	/* quoted through tc_value_shown: a decrypted value is never printed */
	const char *shown = tc_value_shown(name), *k = tc_value_shown(kind);
	if (kind_is(kind, group, glen, "", "Namespace")) {
		if (!tc_k8s_is_dns_label(s, n))
			report(o, name->pos, at,
			       "'%s' is not a valid Namespace %s: it must be a DNS-1123 label "
			       "(at most 63 lower-case letters, digits and '-', starting and ending "
			       "with a letter or digit)",
			       shown, what);
	} else if (kind_is(kind, group, glen, "", "Service")) {
		if (!tc_k8s_is_dns1035_label(s, n))
			report(o, name->pos, at,
			       "'%s' is not a valid Service %s: it must be a DNS-1035 label "
			       "(at most 63 lower-case letters, digits and '-', starting with a "
			       "letter and ending with a letter or digit)",
			       shown, what);
	} else if (tc_bytes_cmp(group, glen, "rbac.authorization.k8s.io", 25) == 0) {
		if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && !memcmp(s, "..", 2)) ||
		    memchr(s, '/', n) || memchr(s, '%', n))
			report(o, name->pos, at,
			       "'%s' is not a valid %s %s: it must not be '.' or '..' or "
			       "contain '/' or '%%'",
			       shown, k, what);
	} else if (!tc_k8s_is_dns_subdomain(s, n)) {
		report(o, name->pos, at,
		       "'%s' is not a valid %s %s: it must be a DNS-1123 subdomain (at most "
		       "253 lower-case letters, digits, '-' and '.', starting and ending with a "
		       "letter or digit)",
		       shown, k, what);
	}
}

static void bad_label_value(octx *o, const tc_value *v, const tc_path *p)
{
	if (tc_value_tainted(v))
		report(o, v->pos, p, "<redacted> is not a valid label value");
	else
		report(o, v->pos, p,
		       "'%.*s' is not a valid label value: at most 63 letters, digits, "
		       "'-', '_' and '.', starting and ending with a letter or digit",
		       (int)(v->u.str.len > 80 ? 80 : v->u.str.len), v->u.str.ptr);
}

static void check_keys(octx *o, const tc_value *map, const char *what, const tc_path *at,
                       bool label_values, size_t *total)
{
	for (size_t i = 0; i < map->u.obj.len; i++) {
		const tc_member *m = &map->u.obj.members[i];
		tc_path p = TC_PATH_KEY(at, m->key, m->klen);
		/* ValidateAnnotations checks strings.ToLower(key) */
		const char *key = m->key;
		char lower[320];
		if (!label_values && m->klen < sizeof lower) {
			for (size_t c = 0; c < m->klen; c++)
				lower[c] = m->key[c] >= 'A' && m->key[c] <= 'Z'
				                   ? (char)(m->key[c] + 32)
				                   : m->key[c];
			key = lower;
		}
		if (!tc_k8s_is_qualified_name(key, m->klen))
			report(o, m->kpos, &p,
			       "'%s' is not a valid %s key: [prefix/]name, where name has at most 63 "
			       "letters, digits, '-', '_' and '.', starting and ending with a letter "
			       "or digit, and prefix is a DNS subdomain",
			       m->key, what);
		if (m->val->kind != TC_STR) {
			report(o, m->val->pos, &p, "%s values must be strings, not %s", what,
			       tc_kind_name(m->val->kind));
			continue;
		}
		*total += m->klen + m->val->u.str.len;
		if (label_values && !tc_k8s_is_label_value(m->val->u.str.ptr, m->val->u.str.len))
			bad_label_value(o, m->val, &p);
	}
}

/* bytes that base64 text of n characters decodes to */
static size_t b64_decoded(const char *s, size_t n)
{
	size_t chars = 0, pad = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '=')
			pad++;
		else if (s[i] != '\n' && s[i] != '\r')
			chars++;
	}
	(void)pad;
	return chars * 3 / 4;
}

/* The plaintext size of a value: a SOPS value "ENC[AES256_GCM,data:B64,...]"
 * counts as the bytes of its ciphertext (same length as the plaintext). */
static size_t value_size(const tc_value *v, bool base64)
{
	const char *s = v->u.str.ptr;
	size_t n = v->u.str.len;
	if (n > 20 && memcmp(s, "ENC[", 4) == 0) {
		const char *data = strstr(s, ",data:");
		if (data) {
			data += 6;
			const char *end = memchr(data, ',', n - (size_t)(data - s));
			size_t plain = b64_decoded(data, end ? (size_t)(end - data) : 0);
			return base64 ? plain * 3 / 4 : plain;
		}
	}
	return base64 ? b64_decoded(s, n) : n;
}

static void fmt_size(char *out, size_t outlen, size_t n)
{
	if (n >= 1024 * 1024)
		snprintf(out, outlen, "%.1f MiB", (double)n / (1024.0 * 1024.0));
	else
		snprintf(out, outlen, "%.1f KiB", (double)n / 1024.0);
}

/* the keys of a data map, none also in data when it is a ConfigMap's
 * binaryData; returns the bytes its values hold */
static size_t check_data_map(octx *o, const tc_value *map, const tc_value *kind,
                             const tc_value *data, bool base64, const tc_path *fp)
{
	size_t total = 0;
	for (size_t i = 0; i < map->u.obj.len; i++) {
		const tc_member *m = &map->u.obj.members[i];
		tc_path p = TC_PATH_KEY(fp, m->key, m->klen);
		if (!tc_k8s_is_config_key(m->key, m->klen))
			report(o, m->kpos, &p,
			       "'%s' is not a valid %s key: letters, digits, '-', '_' and '.' "
			       "only",
			       m->key, tc_value_shown(kind));
		if (data && tc_value_member(data, m->key, m->klen))
			report(o, m->kpos, &p, "key '%s' is in both data and binaryData", m->key);
		if (m->val->kind == TC_STR)
			total += value_size(m->val, base64);
	}
	return total;
}

static void check_data(octx *o, const tc_value *obj, const tc_value *kind, const tc_value *name,
                       const tc_path *at)
{
	bool secret = tc_value_streq(kind, "Secret");
	static const char *const cm_fields[] = {"data", "binaryData"};
	static const char *const secret_fields[] = {"data", "stringData"};
	const char *const *fields = secret ? secret_fields : cm_fields;
	size_t total = 0;
	for (int f = 0; f < 2; f++) {
		const tc_member *fm;
		const tc_value *map = member(obj, fields[f], &fm);
		if (!map || map->kind != TC_OBJECT)
			continue;
		tc_path fp = TC_PATH_KEY(at, fm->key, fm->klen);
		bool base64 = (secret && f == 0) || (!secret && f == 1);
		const tc_value *data = NULL;
		if (f == 1 && !secret) {
			const tc_member *dm;
			data = member(obj, "data", &dm);
		}
		total += check_data_map(o, map, kind, data, base64, &fp);
	}
	if (total > TC_K8S_MAX_DATA) {
		char size[32];
		fmt_size(size, sizeof size, total);
		report(o, obj->pos, at,
		       "%s '%.*s' holds %s of data, over Kubernetes' 1 MiB limit: put large "
		       "data (such as a Keycloak realm export) in a volume instead, for example "
		       "an image or a PersistentVolumeClaim mounted by the pod",
		       tc_value_shown(kind), name ? (int)strlen(tc_value_shown(name)) : 0,
		       tc_value_shown(name), size);
	}
}

void tc_k8s_check_annotations(tc_k8s_ctx *o, const tc_value *map, const tc_path *at)
{
	if (!map || map->kind != TC_OBJECT)
		return;
	size_t total = 0;
	check_keys(o, map, "annotation", at, false, &total);
	if (total > TC_K8S_MAX_ANNOTATIONS) {
		char size[32];
		fmt_size(size, sizeof size, total);
		report(o, map->pos, at,
		       "annotations hold %s, over Kubernetes' 256 KiB limit per object", size);
	}
}

/* The rules of built-in kinds beyond metadata, by group and kind (sorted
 * by bytes, looked up by binary search). Every version of a group shares
 * the rule: the fields the rules read are the same in the versions served. */
typedef struct rule_entry {
	const char *group, *kind;
	tc_k8s_rule fn;
} rule_entry;

static const rule_entry rules[] = {
	{"", "ConfigMap", tc_k8s_rule_configmap},
	{"", "LimitRange", tc_k8s_rule_limitrange},
	{"", "PersistentVolumeClaim", tc_k8s_rule_pvc},
	{"", "Pod", tc_k8s_rule_pod},
	{"", "PodTemplate", tc_k8s_rule_podtemplate},
	{"", "ResourceQuota", tc_k8s_rule_resourcequota},
	{"", "Secret", tc_k8s_rule_secret},
	{"", "Service", tc_k8s_rule_service},
	{"", "ServiceAccount", tc_k8s_rule_serviceaccount},
	{"apps", "DaemonSet", tc_k8s_rule_daemonset},
	{"apps", "Deployment", tc_k8s_rule_deployment},
	{"apps", "ReplicaSet", tc_k8s_rule_replicaset},
	{"apps", "StatefulSet", tc_k8s_rule_statefulset},
	{"autoscaling", "HorizontalPodAutoscaler", tc_k8s_rule_hpa},
	{"batch", "CronJob", tc_k8s_rule_cronjob},
	{"batch", "Job", tc_k8s_rule_job},
	{"networking.k8s.io", "Ingress", tc_k8s_rule_ingress},
	{"networking.k8s.io", "NetworkPolicy", tc_k8s_rule_networkpolicy},
	{"policy", "PodDisruptionBudget", tc_k8s_rule_pdb},
	{"rbac.authorization.k8s.io", "ClusterRole", tc_k8s_rule_clusterrole},
	{"rbac.authorization.k8s.io", "ClusterRoleBinding", tc_k8s_rule_clusterrolebinding},
	{"rbac.authorization.k8s.io", "Role", tc_k8s_rule_role},
	{"rbac.authorization.k8s.io", "RoleBinding", tc_k8s_rule_rolebinding},
};

static tc_k8s_rule find_rule(const char *group, size_t glen, const char *kind, size_t klen)
{
	size_t lo = 0, hi = sizeof rules / sizeof rules[0];
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = cmp_n(rules[mid].group, group, glen);
		if (c == 0)
			c = cmp_n(rules[mid].kind, kind, klen);
		if (c == 0)
			return rules[mid].fn;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* metadata.name, unless generateName stands in for it */
static void check_meta_name(octx *o, const tc_value *meta, const tc_value *name,
                            const tc_value *kind, const char *group, size_t glen, const tc_path *mp)
{
	if (name) {
		tc_path np = TC_PATH_KEY(mp, "name", 4);
		if (name->kind != TC_STR)
			report(o, name->pos, &np, "'metadata.name' must be a string");
		else
			check_name(o, name, kind, group, glen, &np, false);
	} else if (!tc_k8s_nonempty(tc_value_getz(meta, "generateName"))) {
		report(o, meta->pos, mp, "missing 'metadata.name'");
	}
}

/* metadata.namespace: a DNS label, given exactly when the kind is namespaced */
static void check_namespace(octx *o, const tc_value *meta, const tc_value *kind, tc_k8s_scope scope,
                            const tc_path *mp)
{
	const tc_member *nsm;
	const tc_value *ns = member(meta, "namespace", &nsm);
	tc_path nsp = TC_PATH_KEY(mp, "namespace", 9);
	if (ns) {
		if (ns->kind != TC_STR || !tc_k8s_is_dns_label(ns->u.str.ptr, ns->u.str.len))
			report(o, ns->pos, &nsp,
			       "'metadata.namespace' must be a DNS-1123 label (at most 63 lower-case "
			       "letters, digits and '-')");
		else if (scope == TC_K8S_CLUSTER)
			report(o, ns->pos, &nsp,
			       "%s is cluster-scoped and must not have 'metadata.namespace'",
			       tc_value_shown(kind));
	} else if (scope == TC_K8S_NAMESPACED) {
		report(o, meta->pos, mp, "%s is namespaced: 'metadata.namespace' is missing",
		       tc_value_shown(kind));
	}
}

/* metadata.labels and metadata.annotations: mappings of valid keys and values */
static void check_meta_maps(octx *o, const tc_value *meta, const tc_path *mp)
{
	const tc_member *lm, *anm;
	const tc_value *labels = member(meta, "labels", &lm);
	if (labels) {
		tc_path lp = TC_PATH_KEY(mp, "labels", 6);
		size_t total = 0;
		if (labels->kind != TC_OBJECT)
			report(o, labels->pos, &lp, "'metadata.labels' must be a mapping");
		else
			check_keys(o, labels, "label", &lp, true, &total);
	}
	const tc_value *ann = member(meta, "annotations", &anm);
	if (ann) {
		tc_path ap = TC_PATH_KEY(mp, "annotations", 11);
		if (ann->kind != TC_OBJECT)
			report(o, ann->pos, &ap, "'metadata.annotations' must be a mapping");
		else
			tc_k8s_check_annotations(o, ann, &ap);
	}
}

int tc_k8s_check_object(const tc_value *obj, tc_k8s_scope scope, tc_diags *d, const tc_path *at,
                        tc_diag_class cls)
{
	return tc_k8s_check_object_typed(obj, scope, false, d, at, cls);
}

int tc_k8s_check_object_typed(const tc_value *obj, tc_k8s_scope scope, bool schema_checked,
                              tc_diags *d, const tc_path *at, tc_diag_class cls)
{
	octx o = {d, cls, true, schema_checked};
	if (obj->kind != TC_OBJECT) {
		report(&o, obj->pos, at, "a Kubernetes object must be a mapping, not %s",
		       tc_kind_name(obj->kind));
		return -1;
	}
	const tc_member *am, *km, *mm;
	const tc_value *api = member(obj, "apiVersion", &am);
	const tc_value *kind = member(obj, "kind", &km);
	const tc_value *meta = member(obj, "metadata", &mm);
	if (!api || api->kind != TC_STR || api->u.str.len == 0)
		report(&o, api ? api->pos : obj->pos, at,
		       "missing 'apiVersion' (a non-empty string)");
	if (!kind || kind->kind != TC_STR || kind->u.str.len == 0)
		report(&o, kind ? kind->pos : obj->pos, at, "missing 'kind' (a non-empty string)");
	if (!meta || meta->kind != TC_OBJECT)
		report(&o, meta ? meta->pos : obj->pos, at, "missing 'metadata' (a mapping)");
	if (!o.ok)
		return -1;
	const char *group, *version;
	size_t glen, vlen;
	tc_k8s_split_api_version(api->u.str.ptr, api->u.str.len, &group, &glen, &version, &vlen);
	tc_path mp = TC_PATH_KEY(at, "metadata", 8);
	const tc_member *nm;
	const tc_value *name = member(meta, "name", &nm);
	check_meta_name(&o, meta, name, kind, group, glen, &mp);
	if (scope == TC_K8S_SCOPE_UNKNOWN)
		scope = tc_k8s_builtin_scope(group, glen, kind->u.str.ptr, kind->u.str.len);
	check_namespace(&o, meta, kind, scope, &mp);
	check_meta_maps(&o, meta, &mp);
	const tc_value *gen = tc_value_getz(meta, "generateName");
	if (gen && gen->kind == TC_STR && gen->u.str.len) {
		tc_path gp = TC_PATH_KEY(&mp, "generateName", 12);
		check_name(&o, gen, kind, group, glen, &gp, true);
	}
	tc_k8s_rule rule = find_rule(group, glen, kind->u.str.ptr, kind->u.str.len);
	bool builtin = tc_k8s_builtin_scope(group, glen, kind->u.str.ptr, kind->u.str.len) !=
	               TC_K8S_SCOPE_UNKNOWN;
	tc_k8s_check_meta_lists(&o, meta, &mp, builtin);
	if (rule)
		rule(&o, obj, at);
	if (glen == 0 && (tc_value_streq(kind, "ConfigMap") || tc_value_streq(kind, "Secret")))
		check_data(&o, obj, kind, name && name->kind == TC_STR ? name : NULL, at);
	return o.ok ? 0 : -1;
}
