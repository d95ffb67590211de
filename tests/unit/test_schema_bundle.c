/*
 * test_schema_bundle.c - the built-in Kubernetes schemas (schema_bundle.c)
 * and a schema set without locations, which needs nothing outside the
 * binary. The schemas are the API server's OpenAPI v3 documents
 * (kubernetes/kubernetes api/openapi-spec/v3 of each release) made strict
 * as kubeconform's "-strict" sets; the served versions and scopes are the
 * same documents' paths (scripts/gen-schema-bundle.py).
 */
#include "schema_bundle.h"
#include "schema_set.h"
#include "yaml_load.h"
#include "tc_test.h"

#include <string.h>

static tc_arena A;

static tc_schema_set *open_set(const char *version)
{
	tc_schema_set_opts o = {NULL, 0, version, TC_NOPOS, false};
	tc_schema_set *set = NULL;
	tc_diags d;
	tc_diags_init(&d);
	if (tc_schema_set_open(&set, &o, &d) < 0)
		tc_diags_print(&d, stderr);
	tc_diags_release(&d);
	return set;
}

static tc_lookup look(tc_schema_set *set, const char *api, const char *kind)
{
	tc_lookup lk;
	tc_schema_set_lookup(set, api, strlen(api), kind, strlen(kind), &lk);
	return lk;
}

/* The findings of one object (YAML text), joined by '|'. */
static const char *check(tc_schema_set *set, const char *yaml)
{
	tc_diags d;
	tc_diags_init(&d);
	tc_value *v = NULL;
	if (tc_yaml_load(&v, &A, &d, "o.yaml", yaml, strlen(yaml), NULL) < 0) {
		tc_diags_release(&d);
		return "does not load";
	}
	tc_schema_set_check_object(set, v, false, &d, NULL);
	tc_diags_sort(&d);
	tc_buf b;
	tc_buf_init(&b, 1 << 16);
	for (size_t i = 0; i < d.len; i++) {
		if (i)
			tc_buf_adds(&b, "|");
		tc_diag_format(&b, &d.items[i]);
	}
	const char *r = tc_arena_strdup(&A, tc_buf_str(&b));
	tc_buf_release(&b);
	tc_diags_release(&d);
	return r;
}

TEST(schema_bundle_has_kubernetes_1_30_to_1_34)
{
	static const char *const want[][2] = {
		{"1.30", "v1.30.14"},    {"1.31", "v1.31.14"},  {"1.32", "v1.32.13"},
		{"1.33", "v1.33.13"},    {"1.34", "v1.34.4"},   {"1.34.0", "v1.34.4"},
		{"v1.30.1", "v1.30.14"}, {"v1.33", "v1.33.13"}, {NULL, "v1.34.4"},
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		tc_diags d;
		tc_diags_init(&d);
		tc_schema_bundle *b = NULL;
		CHECK(tc_schema_bundle_open(&b, want[i][0], TC_NOPOS, &d) == 0 && d.len == 0);
		CHECK(tc_schema_bundle_supports(want[i][0]));
		if (b)
			CHECK_STR(tc_schema_bundle_release(b), want[i][1]);
		tc_schema_bundle_free(b);
		tc_diags_release(&d);
	}
}

TEST(schema_bundle_refuses_a_version_it_does_not_have_naming_the_supported_ones)
{
	static const char *const bad[] = {"1.29", "1.35.0", "2.0",      "1", "1.34x",
	                                  "",     "1..3",   "1.34.0.1", "v"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		tc_diags d;
		tc_diags_init(&d);
		tc_schema_bundle *b = NULL;
		CHECK(tc_schema_bundle_open(&b, bad[i], TC_NOPOS, &d) < 0 && !b && d.nerrors == 1);
		CHECK(!tc_schema_bundle_supports(bad[i]));
		if (d.len)
			CHECK(strstr(d.items[0].msg, "supported are 1.30, 1.31, 1.32, 1.33, 1.34"));
		tc_diags_release(&d);
	}
	/* through a set: the same error, at the setting */
	tc_schema_set_opts o = {NULL, 0, "1.29", {"tenantc.yaml", 3, 20}, false};
	tc_schema_set *set = NULL;
	tc_diags d;
	tc_diags_init(&d);
	CHECK(tc_schema_set_open(&set, &o, &d) < 0 && !set && d.nerrors == 1);
	CHECK(d.len == 1 && d.items[0].line == 3 && d.items[0].col == 20);
	tc_diags_release(&d);
}

/* every kind of every version compiles: no reference is dangling */
TEST(schema_bundle_compiles_every_kind_of_every_version)
{
	static const char *const versions[] = {"1.30", "1.31", "1.32", "1.33", "1.34"};
	for (size_t v = 0; v < 5; v++) {
		tc_schema_set *set = open_set(versions[v]);
		tc_schema_bundle *b = NULL;
		tc_diags d;
		tc_diags_init(&d);
		CHECK(set && tc_schema_bundle_open(&b, versions[v], TC_NOPOS, &d) == 0);
		size_t n = 0;
		const tc_bundle_kind *k = b ? tc_schema_bundle_kinds(b, &n) : NULL;
		CHECK(n >= 70);
		for (size_t i = 0; set && i < n; i++) {
			char api[256];
			snprintf(api, sizeof api, "%s%s%s", k[i].group, k[i].group[0] ? "/" : "",
			         k[i].version);
			tc_lookup lk = look(set, api, k[i].kind);
			if (lk.status != TC_LOOKUP_FOUND)
				fprintf(stderr, "%s %s %s: %s\n", versions[v], api, k[i].kind,
				        lk.detail);
			CHECK(lk.status == TC_LOOKUP_FOUND && lk.scope == k[i].scope);
		}
		tc_schema_bundle_free(b);
		tc_schema_set_free(set);
		tc_diags_release(&d);
	}
}

/* the groups a platform renders, in their GA versions, with their scope */
TEST(schema_bundle_covers_the_kinds_a_platform_renders)
{
	static const struct {
		const char *api, *kind;
		tc_k8s_scope scope;
	} want[] = {
		{"v1", "ConfigMap", TC_K8S_NAMESPACED},
		{"v1", "Namespace", TC_K8S_CLUSTER},
		{"v1", "PersistentVolume", TC_K8S_CLUSTER},
		{"v1", "Secret", TC_K8S_NAMESPACED},
		{"v1", "Service", TC_K8S_NAMESPACED},
		{"v1", "ServiceAccount", TC_K8S_NAMESPACED},
		{"apps/v1", "StatefulSet", TC_K8S_NAMESPACED},
		{"apps/v1", "DaemonSet", TC_K8S_NAMESPACED},
		{"batch/v1", "CronJob", TC_K8S_NAMESPACED},
		{"networking.k8s.io/v1", "IngressClass", TC_K8S_CLUSTER},
		{"rbac.authorization.k8s.io/v1", "ClusterRole", TC_K8S_CLUSTER},
		{"policy/v1", "PodDisruptionBudget", TC_K8S_NAMESPACED},
		{"autoscaling/v2", "HorizontalPodAutoscaler", TC_K8S_NAMESPACED},
		{"storage.k8s.io/v1", "StorageClass", TC_K8S_CLUSTER},
		{"admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration",
	         TC_K8S_CLUSTER},
		{"coordination.k8s.io/v1", "Lease", TC_K8S_NAMESPACED},
		{"scheduling.k8s.io/v1", "PriorityClass", TC_K8S_CLUSTER},
		{"discovery.k8s.io/v1", "EndpointSlice", TC_K8S_NAMESPACED},
		{"certificates.k8s.io/v1", "CertificateSigningRequest", TC_K8S_CLUSTER},
		{"apiextensions.k8s.io/v1", "CustomResourceDefinition", TC_K8S_CLUSTER},
		{"node.k8s.io/v1", "RuntimeClass", TC_K8S_CLUSTER},
	};
	tc_schema_set *set = open_set("1.30");
	for (size_t i = 0; set && i < sizeof want / sizeof want[0]; i++) {
		tc_lookup lk = look(set, want[i].api, want[i].kind);
		CHECK(lk.status == TC_LOOKUP_FOUND && lk.scope == want[i].scope);
	}
	tc_schema_set_free(set);
}

static const char *deployment =
	"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: a}\n"
	"spec:\n  replicas: %s\n  strategy: %s\n  selector: {matchLabels: {app: api}}\n"
	"  template:\n    metadata: {labels: {app: api}}\n"
	"    spec:\n      %s\n      containers: [{name: api, image: x%s}]\n";

static const char *deploy(const char *replicas, const char *strategy, const char *pod,
                          const char *container)
{
	return tc_arena_printf(&A, deployment, replicas, strategy, pod, container);
}

/* kubeconform's strict schemas: unknown keys refused, types checked, null
 * taken for unset where a field is optional */
TEST(schema_bundle_is_strict_like_the_kubeconform_strict_schemas)
{
	tc_schema_set *set = open_set(NULL);
	CHECK(set);
	CHECK_STR(check(set, deploy("1", "{}", "dnsPolicy: ClusterFirst", "")), "");
	CHECK_STR(check(set, deploy("null", "null", "dnsPolicy: null", ", ports: null")), "");
	CHECK_STR(check(set, deploy("two", "{}", "dnsPolicy: ClusterFirst", "")),
	          "o.yaml:5:13: error: expected integer or null, got string (at .spec.replicas)");
	CHECK_STR(check(set, deploy("1", "{}", "dnsPolicy: ClusterFirst", ", imagePullPolcy: x")),
	          "o.yaml:12:42: error: unknown key 'imagePullPolcy' (did you mean "
	          "'imagePullPolicy'?) (at .spec.template.spec.containers[0].imagePullPolcy)");
	CHECK_STR(check(set, deploy("1", "{}", "dnsPolicy: ClusterFirst",
	                            ", resources: {limits: {cpu: 1, memory: 1Gi}}")),
	          "");
	CHECK(strstr(check(set, deploy("1", "{}", "dnsPolicy: ClusterFirst",
	                               ", resources: {limits: {cpu: 1 core}}")),
	             "'1 core' does not match pattern"));
	/* IntOrString */
	CHECK_STR(check(set, deploy("1", "{rollingUpdate: {maxSurge: 25%}}",
	                            "dnsPolicy: ClusterFirst", "")),
	          "");
	CHECK(strstr(check(set, deploy("1", "{rollingUpdate: {maxSurge: [1]}}",
	                               "dnsPolicy: ClusterFirst", "")),
	             "(at .spec.strategy.rollingUpdate.maxSurge)"));
	tc_schema_set_free(set);
}

/* Pod-level resources (PodSpec.resources) came in Kubernetes 1.32: a 1.30
 * cluster refuses the field, a 1.34 one takes it */
TEST(schema_bundle_follows_each_versions_own_schema)
{
	const char *obj = deploy("1", "{}", "resources: {limits: {cpu: '1'}}", "");
	tc_schema_set *s30 = open_set("1.30"), *s34 = open_set("1.34");
	CHECK(s30 && s34);
	CHECK(strstr(check(s30, obj), "unknown key 'resources'"));
	CHECK_STR(check(s34, obj), "");
	/* a kind that 1.30 serves only in alpha: ServiceCIDR went GA in 1.33 */
	const char *cidr = "apiVersion: networking.k8s.io/v1\nkind: ServiceCIDR\n"
			   "metadata: {name: extra}\nspec: {cidrs: [10.96.0.0/16]}\n";
	CHECK_STR(check(s34, cidr), "");
	CHECK_STR(check(s30, cidr),
	          "o.yaml:1:13: error: ServiceCIDR 'networking.k8s.io/v1' cannot be applied: "
	          "Kubernetes 1.30 does not serve ServiceCIDR in version v1; served: "
	          "networking.k8s.io/v1alpha1 (at .apiVersion)");
	tc_schema_set_free(s30);
	tc_schema_set_free(s34);
}

/* a version removed from Kubernetes is named with what is served, in the
 * API server's order of preference */
TEST(schema_bundle_names_the_versions_served)
{
	tc_schema_set *set = open_set("1.34");
	tc_lookup lk = look(set, "autoscaling/v2beta2", "HorizontalPodAutoscaler");
	CHECK(lk.status == TC_LOOKUP_NOT_SERVED);
	CHECK_STR(lk.detail, "Kubernetes 1.34 does not serve HorizontalPodAutoscaler in version "
	                     "v2beta2; served: autoscaling/v2, autoscaling/v1");
	lk = look(set, "flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema");
	CHECK(lk.status == TC_LOOKUP_NOT_SERVED);
	lk = look(set, "resource.k8s.io/v1alpha2", "ResourceClaim");
	CHECK_STR(lk.detail, "Kubernetes 1.34 does not serve ResourceClaim in version v1alpha2; "
	                     "served: resource.k8s.io/v1, resource.k8s.io/v1beta2, "
	                     "resource.k8s.io/v1beta1");
	tc_schema_set_free(set);
	set = open_set("1.30");
	lk = look(set, "flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema");
	CHECK(lk.status == TC_LOOKUP_FOUND);
	tc_schema_set_free(set);
}

/* without any location, a custom resource is judged by the rules alone,
 * without a warning (there is nowhere to look); --strict refuses it */
TEST(schema_set_without_locations_is_quiet_about_custom_resources)
{
	tc_schema_set *set = open_set(NULL);
	const char *w = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, "
			"namespace: a}\n";
	CHECK_STR(check(set, w), "");
	tc_diags d;
	tc_diags_init(&d);
	tc_value *v = NULL;
	CHECK(tc_yaml_load(&v, &A, &d, "o.yaml", w, strlen(w), NULL) == 0);
	CHECK(tc_schema_set_check_object(set, v, true, &d, NULL) < 0 && d.nerrors == 1);
	tc_diags_release(&d);
	tc_schema_set_free(set);
}

int main(void)
{
	tc_arena_init(&A);
	int r = RUN(schema_bundle_has_kubernetes_1_30_to_1_34,
	            schema_bundle_refuses_a_version_it_does_not_have_naming_the_supported_ones,
	            schema_bundle_compiles_every_kind_of_every_version,
	            schema_bundle_covers_the_kinds_a_platform_renders,
	            schema_bundle_is_strict_like_the_kubeconform_strict_schemas,
	            schema_bundle_follows_each_versions_own_schema,
	            schema_bundle_names_the_versions_served,
	            schema_set_without_locations_is_quiet_about_custom_resources);
	tc_arena_release(&A);
	return r;
}
