/*
 * test_schema_set.c - schema folder lookups and concurrent checks against
 * ../shared/schemas-upstream (passed as argv[1]; skipped when absent).
 */
#include "schema_set.h"
#include "yaml_load.h"
#include "tc_test.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>

static const char *upstream;
static tc_arena A;

static tc_schema_set *open_set(const char *version)
{
	const char *locs[] = {upstream};
	tc_schema_set_opts o = {locs, 1, version, TC_NOPOS, false};
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

TEST(schema_set_finds_builtin_and_crd_schemas)
{
	tc_schema_set *set = open_set(NULL);
	CHECK(set);
	tc_lookup lk = look(set, "apps/v1", "Deployment");
	CHECK(lk.status == TC_LOOKUP_FOUND && lk.schema);
	/* no version given: the newest folder */
	CHECK(strstr(lk.detail, "v1.34.0-standalone-strict/deployment-apps-v1.json") != NULL);
	lk = look(set, "networking.k8s.io/v1", "NetworkPolicy");
	CHECK(lk.status == TC_LOOKUP_FOUND && lk.scope == TC_K8S_NAMESPACED);
	lk = look(set, "kyverno.io/v1", "ClusterPolicy");
	CHECK(lk.status == TC_LOOKUP_FOUND && lk.scope == TC_K8S_CLUSTER);
	lk = look(set, "example.com/v1", "Widget");
	CHECK(lk.status == TC_LOOKUP_MISSING);
	lk = look(set, "external-secrets.io/v1beta1", "ExternalSecret");
	CHECK(lk.status == TC_LOOKUP_NOT_SERVED);
	CHECK_STR(lk.detail, "its CustomResourceDefinition does not serve v1beta1; served: v1");
	/* a second lookup is the cached entry */
	tc_lookup again = look(set, "apps/v1", "Deployment");
	CHECK(again.schema == look(set, "apps/v1", "Deployment").schema);
	tc_schema_set_free(set);
}

/* issue 14: a version the CRD does not list, a built-in kind in a version
 * Kubernetes does not serve, and groups and kinds with typos are errors
 * with or without --strict (the API server answers "no matches for kind"),
 * naming what is served or a did-you-mean */
TEST(schema_set_names_served_versions_and_near_groups_and_kinds)
{
	tc_schema_set *set = open_set(NULL);
	CHECK(set);
	tc_lookup lk = look(set, "kustomize.toolkit.fluxcd.io/v1beta1", "Kustomization");
	CHECK(lk.status == TC_LOOKUP_NOT_SERVED);
	CHECK_STR(lk.detail, "its CustomResourceDefinition has no version v1beta1; served: v1");
	lk = look(set, "apps/v1beta2", "Deployment");
	CHECK(lk.status == TC_LOOKUP_NOT_SERVED);
	CHECK_STR(lk.detail,
	          "Kubernetes 1.34 does not serve Deployment in version v1beta2; served: apps/v1");
	/* served, no schema in the folder: the built-in one */
	lk = look(set, "autoscaling/v1", "HorizontalPodAutoscaler");
	CHECK(lk.status == TC_LOOKUP_FOUND && strstr(lk.detail, "built-in schemas of Kubernetes"));
	lk = look(set, "sigstore.dev/v1beta1", "ClusterImagePolicy");
	CHECK(lk.status == TC_LOOKUP_UNKNOWN);
	CHECK(strstr(lk.detail, "did you mean 'policy.sigstore.dev/v1beta1'?") != NULL);
	lk = look(set, "v1", "Deployment");
	CHECK(lk.status == TC_LOOKUP_UNKNOWN);
	CHECK(strstr(lk.detail, "did you mean 'apps/v1'?") != NULL);
	lk = look(set, "extensions/v1beta1", "Ingress");
	CHECK(lk.status == TC_LOOKUP_UNKNOWN);
	CHECK(strstr(lk.detail, "did you mean 'networking.k8s.io/v1'?") != NULL);
	lk = look(set, "apps/v1", "Deploymnet");
	CHECK(lk.status == TC_LOOKUP_UNKNOWN);
	CHECK(strstr(lk.detail, "did you mean 'Deployment'?") != NULL);
	lk = look(set, "kustomize.toolkit.fluxcd.io/v1", "kustomization");
	CHECK(lk.status == TC_LOOKUP_UNKNOWN);
	CHECK(strstr(lk.detail, "did you mean 'Kustomization'?") != NULL);
	lk = look(set, "kyvern.io/v1", "Widget");
	CHECK(lk.status == TC_LOOKUP_UNKNOWN);
	CHECK(strstr(lk.detail, "did you mean 'kyverno.io'?") != NULL);
	/* nothing near: a custom resource tenantc has no schema for */
	lk = look(set, "example.com/v1", "Widget");
	CHECK(lk.status == TC_LOOKUP_MISSING);
	tc_schema_set_free(set);
}

TEST(schema_set_picks_the_requested_kubernetes_version)
{
	tc_schema_set *set = open_set("1.30.1");
	CHECK(set);
	tc_lookup lk = look(set, "v1", "Namespace");
	CHECK(lk.status == TC_LOOKUP_FOUND);
	CHECK(strstr(lk.detail, "v1.30.1-standalone-strict/namespace-v1.json") != NULL);
	tc_schema_set_free(set);
	const char *locs[] = {upstream};
	tc_schema_set_opts o = {locs, 1, "1.99.0", TC_NOPOS, false};
	tc_diags d;
	tc_diags_init(&d);
	CHECK(tc_schema_set_open(&set, &o, &d) < 0 && d.nerrors == 1);
	tc_diags_release(&d);
}

static const char *objects =
	"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: a}\n"
	"spec:\n  replicas: two\n  selector: {matchLabels: {app: api}}\n"
	"  template:\n    metadata: {labels: {app: api}}\n"
	"    spec: {containers: [{name: api, image: x, imagePullPolicy: 1}]}\n"
	"---\napiVersion: k8s.keycloak.org/v2alpha1\nkind: KeycloakRealmImport\n"
	"metadata: {name: r, namespace: keycloak}\nspec: {keycloakCRName: kc, realm: {realm: r}, "
	"extra: 1}\n"
	"---\napiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: a}\n"
	"data: {k: 'ENC[AES256_GCM,data:eA==,iv:x,tag:y,type:str]'}\n"
	"sops: {mac: x, version: 3.9.0}\n";

typedef struct worker {
	tc_schema_set *set;
	const tc_value *docs;
	char out[4096];
} worker;

static void *work(void *p)
{
	worker *w = p;
	tc_diags d;
	tc_diags_init(&d);
	for (int round = 0; round < 20; round++)
		for (size_t i = 0; i < w->docs->u.arr.len; i++)
			tc_schema_set_check_object(w->set, w->docs->u.arr.items[i], false, &d,
			                           NULL);
	tc_diags_sort(&d);
	w->out[0] = 0;
	for (size_t i = 0; i < d.len && i < 3; i++) {
		size_t l = strlen(w->out);
		snprintf(w->out + l, sizeof w->out - l, "%u:%u %s|", (unsigned)d.items[i].line,
		         (unsigned)d.items[i].col, d.items[i].msg);
	}
	if (d.len != 20 * 3)
		snprintf(w->out, sizeof w->out, "%zu diagnostics", d.len);
	tc_diags_release(&d);
	return NULL;
}

TEST(schema_set_checks_objects_from_many_threads_alike)
{
	tc_schema_set *set = open_set("1.34.0");
	CHECK(set);
	tc_diags d;
	tc_diags_init(&d);
	tc_value *docs = NULL;
	CHECK(tc_yaml_load_stream(&docs, &A, &d, "o.yaml", objects, strlen(objects), NULL) == 0);
	tc_diags_release(&d);
	worker w[4];
	pthread_t t[4];
	for (int i = 0; i < 4; i++) {
		w[i].set = set;
		w[i].docs = docs;
		CHECK(pthread_create(&t[i], NULL, work, &w[i]) == 0);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	CHECK_STR(w[0].out,
	          "5:13 expected integer or null, got string|5:13 expected integer or null, "
	          "got string|5:13 expected integer or null, got string|");
	for (int i = 1; i < 4; i++)
		CHECK_STR(w[i].out, w[0].out);
	tc_schema_set_free(set);
}

int main(int argc, char **argv)
{
	struct stat st;
	if (argc < 2 || stat(argv[1], &st) != 0) {
		printf("SKIP: %s not found\n", argc > 1 ? argv[1] : "schemas-upstream");
		return 77;
	}
	upstream = argv[1];
	tc_arena_init(&A);
	int r = RUN(schema_set_finds_builtin_and_crd_schemas,
	            schema_set_names_served_versions_and_near_groups_and_kinds,
	            schema_set_picks_the_requested_kubernetes_version,
	            schema_set_checks_objects_from_many_threads_alike);
	tc_arena_release(&A);
	return r;
}
