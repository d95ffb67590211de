/*
 * k8s_rules.h - the API server's own validation of built-in kinds, shared
 * by the files that hold it (k8s_meta.c, k8s_pod.c, k8s_container.c,
 * k8s_workload.c, k8s_net.c, k8s_misc.c, k8s_policy.c, k8s_syntax.c) and
 * the rule table in k8s.c.
 *
 * Each rule follows a function of kubernetes/kubernetes pkg/apis/<group>/
 * validation or k8s.io/apimachinery's validation packages, named in the
 * comment above it and in its unit test. A rule only judges values of the
 * type it expects: a field of another type is the schema's to report, so
 * the rules add no second message for it.
 *
 * Findings go through tc_k8s_report at the position of the value at fault
 * (a computed value carries the template expression that made it) with its
 * path below the object's. Quoted values go through TC_K8S_SHOW, which
 * redacts decrypted data and cuts long text; Secret data values are never
 * quoted at all. Nothing here allocates: paths live on the stack.
 */
#ifndef TC_K8S_RULES_H
#define TC_K8S_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "diag.h"
#include "k8s.h"
#include "value.h"

typedef struct tc_k8s_ctx {
	tc_diags *d;
	tc_diag_class cls;
	bool ok;
	/* a JSON Schema has checked the object: leave types and formats that
	 * the schema reports (a port that is not a number, a quantity's
	 * syntax) to it */
	bool typed;
} tc_k8s_ctx;

void tc_k8s_report(tc_k8s_ctx *o, tc_pos pos, const tc_path *at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* One rule: obj is a mapping with apiVersion, kind and metadata; at is the
 * object's path. */
typedef void (*tc_k8s_rule)(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at);

/* A member and its path: f = tc_k8s_field(obj, "spec", at); f.v is NULL
 * when obj is not a mapping or has no such key. key must be a literal. */
typedef struct tc_k8s_field {
	const tc_value *v;
	tc_path p;
} tc_k8s_field;

static inline tc_k8s_field tc_k8s_field_of(const tc_value *obj, const char *key, const tc_path *at)
{
	size_t n = strlen(key);
	tc_k8s_field f = {tc_value_get(obj, key, n), TC_PATH_KEY(at, key, n)};
	return f;
}

/* The value when it has that kind, else NULL. */
static inline const tc_value *tc_k8s_str(const tc_value *v)
{
	return v && v->kind == TC_STR ? v : NULL;
}
static inline const tc_value *tc_k8s_obj(const tc_value *v)
{
	return v && v->kind == TC_OBJECT ? v : NULL;
}
static inline const tc_value *tc_k8s_arr(const tc_value *v)
{
	return v && v->kind == TC_ARRAY ? v : NULL;
}
static inline bool tc_k8s_int(const tc_value *v, int64_t *out)
{
	if (!v || v->kind != TC_INT)
		return false;
	*out = v->u.i;
	return true;
}
/* present and not null: Go's pointer fields */
static inline bool tc_k8s_set(const tc_value *v)
{
	return v && v->kind != TC_NULL;
}
/* non-empty string, list or mapping, or any other non-null value */
bool tc_k8s_nonempty(const tc_value *v);

/* For "'%.*s'": the shown text of a value (redacted when decrypted), cut
 * at 80 bytes. */
#define TC_K8S_SHOW(v) tc_k8s_show_len(v), tc_value_shown(v)
int tc_k8s_show_len(const tc_value *v);

/* ---- syntax (k8s.io/apimachinery/pkg/util/validation) ---- */

/* IsValidPortName: IANA_SVC_NAME, at most 15 of [a-z0-9-], a letter
 * among them, no '-' at either end or twice in a row. */
bool tc_k8s_is_port_name(const char *s, size_t n);
/* IsRelaxedEnvVarName: printable ASCII but '=', not empty (the relaxed
 * rule, on by default since Kubernetes 1.32). */
bool tc_k8s_is_env_name(const char *s, size_t n);
/* IsValidPercent: [0-9]+% */
bool tc_k8s_is_percent(const char *s, size_t n, int64_t *pct);
/* validateLocalDescendingPath: relative, no '..' element */
bool tc_k8s_is_descending_path(const char *s, size_t n);
/* a name of the IANA time zone database as Go embeds it (k8s_tz.c) */
bool tc_k8s_is_time_zone(const char *s, size_t n);
/* IsValidPathSegmentName: not "." or "..", no '/' or '%' */
bool tc_k8s_is_path_segment(const char *s, size_t n);
/* IsWildcardDNS1123Subdomain: "*." then a DNS-1123 subdomain */
bool tc_k8s_is_wildcard_subdomain(const char *s, size_t n);

/* tc_k8s_parse_ip and tc_k8s_parse_cidr: k8s.h */

/* resource.ParseQuantity on a string, or a bare number as
 * Quantity.UnmarshalJSON takes it; the value in *out */
bool tc_k8s_quantity(const tc_value *v, double *out);

/* ---- shared rules ---- */

/* ValidateAnnotations: keys qualified names once lower-cased, the whole
 * at most 256 KiB */
void tc_k8s_check_annotations(tc_k8s_ctx *o, const tc_value *map, const tc_path *at);
/* ValidateFinalizers (and for built-in kinds validateKubeFinalizerName)
 * and ValidateOwnerReferences */
void tc_k8s_check_meta_lists(tc_k8s_ctx *o, const tc_value *meta, const tc_path *mp, bool builtin);
/* apimachinery ValidateLabels: keys qualified names, values label values */
void tc_k8s_check_labels(tc_k8s_ctx *o, const tc_value *map, const tc_path *at);
/* apimachinery metav1validation.ValidateLabelSelector; empty_ok false
 * adds the workload rule that a selector must select something. */
void tc_k8s_check_selector(tc_k8s_ctx *o, const tc_value *sel, const tc_path *at);
/* labels.Selector.Matches for a selector that tc_k8s_check_selector
 * accepted, against a labels mapping (NULL: none) */
bool tc_k8s_selector_matches(const tc_value *sel, const tc_value *labels);
/* an int-or-string port: 1..65535, or an IANA_SVC_NAME */
void tc_k8s_check_port(tc_k8s_ctx *o, const tc_value *v, const tc_path *at, bool names);
/* ValidateNonnegativeField for an integer */
void tc_k8s_check_nonneg(tc_k8s_ctx *o, const tc_value *obj, const char *key, const tc_path *at);
/* A string field whose value must be one of a NULL-ended list. */
void tc_k8s_check_enum(tc_k8s_ctx *o, const tc_value *obj, const char *key, const tc_path *at,
                       const char *const *allowed);
/* ValidateResourceRequirements of a container: names, quantities,
 * requests not above limits */
void tc_k8s_check_resources(tc_k8s_ctx *o, const tc_value *res, const tc_path *at);
/* a resource name and quantity (ValidateResourceQuantityValue) */
bool tc_k8s_check_quantity(tc_k8s_ctx *o, const char *res, const tc_value *q, const tc_path *at,
                           double *out);

/* the i-th item's string member `key` of the array arr, or NULL */
static inline const tc_value *tc_k8s_item_str(const tc_value *arr, size_t i, const char *key)
{
	return tc_k8s_str(tc_value_getz(arr->u.arr.items[i], key));
}
/* whether one of the first n items of arr has the string member `key` equal to v */
static inline bool tc_k8s_used_before(const tc_value *arr, size_t n, const char *key,
                                      const tc_value *v)
{
	for (size_t k = 0; k < n; k++) {
		const tc_value *prev = tc_k8s_item_str(arr, k, key);
		if (prev && tc_value_equal(prev, v))
			return true;
	}
	return false;
}
/* Always, OnFailure, Never (NULL-ended) */
extern const char *const tc_k8s_restart_policies[];
/* one container (k8s_container.c); vols is the pod's volumes list */
void tc_k8s_check_container(tc_k8s_ctx *o, const tc_value *c, const tc_value *vols,
                            const tc_path *at, bool init, bool is_pod);
/* ValidateSecurityContext (a container's) or validatePodSpecSecurityContext */
void tc_k8s_check_security_context(tc_k8s_ctx *o, const tc_value *sc, const tc_path *at, bool pod);
/* pod templates (k8s_pod.c): ValidatePodTemplateSpec; restart lists the
 * restartPolicy values the owner allows (NULL: any of the pod's) */
void tc_k8s_check_pod_template(tc_k8s_ctx *o, const tc_value *tpl, const tc_path *at,
                               const char *const *restart, const char *owner);
void tc_k8s_check_pod_spec(tc_k8s_ctx *o, const tc_value *spec, const tc_path *at,
                           const char *const *restart, const char *owner, bool is_pod);
/* ValidatePersistentVolumeClaimSpec */
void tc_k8s_check_pvc_spec(tc_k8s_ctx *o, const tc_value *spec, const tc_path *at);
/* batch ValidateJobSpec (also a CronJob's jobTemplate.spec) */
void tc_k8s_check_job_spec(tc_k8s_ctx *o, const tc_value *spec, const tc_path *at);
/* the robfig/cron ParseStandard syntax that the CronJob controller uses;
 * NULL when valid, else why not */
const char *tc_k8s_cron_error(const char *s, size_t n);

/* ---- the rules of the table in k8s.c ---- */
void tc_k8s_rule_pod(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at);
void tc_k8s_rule_podtemplate(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at);
void tc_k8s_rule_deployment(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at);
void tc_k8s_rule_replicaset(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at);
void tc_k8s_rule_statefulset(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at);
void tc_k8s_rule_daemonset(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at);
void tc_k8s_rule_job(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at);
void tc_k8s_rule_cronjob(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at);
void tc_k8s_rule_service(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at);
void tc_k8s_rule_networkpolicy(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at);
void tc_k8s_rule_ingress(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at);
void tc_k8s_rule_role(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at);
void tc_k8s_rule_clusterrole(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at);
void tc_k8s_rule_rolebinding(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at);
void tc_k8s_rule_clusterrolebinding(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at);
void tc_k8s_rule_secret(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at);
void tc_k8s_rule_configmap(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at);
void tc_k8s_rule_resourcequota(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at);
void tc_k8s_rule_limitrange(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at);
void tc_k8s_rule_pvc(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at);
void tc_k8s_rule_pdb(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at);
void tc_k8s_rule_hpa(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at);
void tc_k8s_rule_serviceaccount(tc_k8s_ctx *o, const tc_value *obj, const tc_path *at);

#endif
