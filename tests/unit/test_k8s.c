/*
 * test_k8s.c - Kubernetes rules, duplicate detection and the CRD
 * conversion: what the schema files cannot express.
 */
#include "k8s.h"
#include "schema_crd.h"
#include "yaml_load.h"
#include "tc_test.h"

#include <stdlib.h>

static tc_arena A;

static tc_value *Y(const char *text)
{
	tc_diags d;
	tc_diags_init(&d);
	tc_value *v = NULL;
	if (tc_yaml_load(&v, &A, &d, "obj.yaml", text, strlen(text), NULL) < 0) {
		tc_diags_print(&d, stderr);
		v = NULL;
	}
	tc_diags_release(&d);
	return v;
}

static size_t check(const char *text, char *first, size_t n)
{
	tc_diags d;
	tc_diags_init(&d);
	tc_value *v = Y(text);
	first[0] = 0;
	if (!v)
		return 1000;
	tc_k8s_check_object(v, TC_K8S_SCOPE_UNKNOWN, &d, NULL, TC_DIAG_FINDING);
	tc_diags_sort(&d);
	if (d.len)
		snprintf(first, n, "%u:%u %s", (unsigned)d.items[0].line, (unsigned)d.items[0].col,
		         d.items[0].msg);
	size_t r = d.nerrors;
	tc_diags_release(&d);
	return r;
}

TEST(k8s_names_follow_apimachinery_syntax)
{
	CHECK(tc_k8s_is_dns_label("acme-prod", 9));
	CHECK(!tc_k8s_is_dns_label("Acme", 4));
	CHECK(!tc_k8s_is_dns_label("-a", 2));
	CHECK(!tc_k8s_is_dns_label("a-", 2));
	char long64[65];
	memset(long64, 'a', 64);
	CHECK(!tc_k8s_is_dns_label(long64, 64));
	CHECK(tc_k8s_is_dns_label(long64, 63));
	CHECK(tc_k8s_is_dns_subdomain("a.b-c.d", 7));
	CHECK(!tc_k8s_is_dns_subdomain("a..b", 4));
	CHECK(!tc_k8s_is_dns1035_label("1a", 2));
	CHECK(tc_k8s_is_qualified_name("app.kubernetes.io/name", 22));
	CHECK(tc_k8s_is_qualified_name("Tenant_Name", 11));
	CHECK(!tc_k8s_is_qualified_name("a/b/c", 5));
	CHECK(!tc_k8s_is_qualified_name("/name", 5));
	CHECK(tc_k8s_is_label_value("", 0));
	CHECK(!tc_k8s_is_label_value("a b", 3));
	CHECK(tc_k8s_is_config_key("nginx.conf", 10));
	CHECK(!tc_k8s_is_config_key("..", 2));
	CHECK(!tc_k8s_is_config_key("a/b", 3));
}

TEST(k8s_scope_table_knows_core_kinds)
{
	CHECK(tc_k8s_builtin_scope("", 0, "Namespace", 9) == TC_K8S_CLUSTER);
	CHECK(tc_k8s_builtin_scope("", 0, "Secret", 6) == TC_K8S_NAMESPACED);
	CHECK(tc_k8s_builtin_scope("rbac.authorization.k8s.io", 25, "ClusterRole", 11) ==
	      TC_K8S_CLUSTER);
	CHECK(tc_k8s_builtin_scope("apps", 4, "Deployment", 10) == TC_K8S_NAMESPACED);
	CHECK(tc_k8s_builtin_scope("example.com", 11, "Widget", 6) == TC_K8S_SCOPE_UNKNOWN);
}

TEST(k8s_valid_object_passes)
{
	char msg[512];
	CHECK(check("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: files\n  namespace: a\n"
	            "  labels: {app.kubernetes.io/name: api}\ndata: {nginx.conf: x}\n",
	            msg, sizeof msg) == 0);
}

TEST(k8s_missing_identity_is_reported_at_the_object)
{
	char msg[512];
	CHECK(check("metadata: {name: x}\n", msg, sizeof msg) == 2);
	CHECK_STR(msg, "1:1 missing 'apiVersion' (a non-empty string)");
	CHECK(check("apiVersion: v1\nkind: Secret\nmetadata: {namespace: a}\n", msg, sizeof msg) ==
	      1);
	CHECK_STR(msg, "3:11 missing 'metadata.name'");
}

TEST(k8s_oversize_configmap_suggests_a_volume)
{
	size_t n = 1100 * 1024;
	char *big = malloc(n + 200);
	int k = snprintf(big, 200,
	                 "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: realm, "
	                 "namespace: keycloak}\ndata:\n  realm.json: \"");
	memset(big + k, 'x', n);
	memcpy(big + k + n, "\"\n", 3);
	char msg[512];
	CHECK(check(big, msg, sizeof msg) == 1);
	CHECK(strstr(msg,
	             "ConfigMap 'realm' holds 1.1 MiB of data, over Kubernetes' 1 MiB limit") !=
	      NULL);
	CHECK(strstr(msg, "volume") != NULL);
	free(big);
}

TEST(k8s_secret_size_counts_decoded_base64)
{
	/* 1.2 MiB of base64 is 0.9 MiB of data: allowed */
	size_t n = 1200 * 1024;
	char *big = malloc(n + 200);
	int k = snprintf(big, 200,
	                 "apiVersion: v1\nkind: Secret\nmetadata: {name: s, "
	                 "namespace: a}\ndata:\n  blob: \"");
	memset(big + k, 'Q', n);
	memcpy(big + k + n, "\"\n", 3);
	char msg[512];
	CHECK(check(big, msg, sizeof msg) == 0);
	free(big);
}

TEST(k8s_annotations_over_256k_are_reported)
{
	size_t n = 300 * 1024;
	char *big = malloc(n + 200);
	int k = snprintf(big, 200,
	                 "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  "
	                 "namespace: a\n  annotations:\n    note: \"");
	memset(big + k, 'x', n);
	memcpy(big + k + n, "\"\n", 3);
	char msg[512];
	CHECK(check(big, msg, sizeof msg) == 1);
	CHECK(strstr(msg, "over Kubernetes' 256 KiB limit") != NULL);
	free(big);
}

static void dupes_run(const char *const *docs, size_t n, char *out, size_t outlen)
{
	tc_k8s_dupes s;
	tc_k8s_dupes_init(&s);
	for (size_t i = 0; i < n; i++)
		tc_k8s_dupes_add(&s, Y(docs[i]), false);
	tc_diags d;
	tc_diags_init(&d);
	tc_k8s_dupes_report(&s, &d, TC_DIAG_FINDING);
	tc_k8s_dupes_release(&s);
	tc_diags_sort(&d);
	out[0] = 0;
	for (size_t i = 0; i < d.len; i++) {
		size_t l = strlen(out);
		snprintf(out + l, outlen - l, "%u:%s|", (unsigned)d.items[i].line, d.items[i].msg);
	}
	tc_diags_release(&d);
}

/* issue 21: a decrypted name (a SOPS file whose rule encrypts metadata)
 * was quoted by the checks and the duplicate report */
TEST(k8s_messages_never_quote_a_decrypted_value)
{
	const char *text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Sekrit_Name\n"
			   "  namespace: n\n  labels: {a: \"bad value!\"}\n";
	tc_value *v = Y(text);
	CHECK(v);
	tc_value_dig(v, "metadata.name")->flags |= TC_VAL_SECRET;
	tc_value_dig(v, "metadata.labels.a")->flags |= TC_VAL_SECRET;
	tc_diags d;
	tc_diags_init(&d);
	tc_k8s_check_object(v, TC_K8S_SCOPE_UNKNOWN, &d, NULL, TC_DIAG_FINDING);
	CHECK(d.len == 2);
	for (size_t i = 0; i < d.len; i++) {
		CHECK(strstr(d.items[i].msg, "<redacted>") != NULL);
		CHECK(strstr(d.items[i].msg, "Sekrit") == NULL &&
		      strstr(d.items[i].msg, "bad value") == NULL);
	}
	tc_diags_release(&d);
	CHECK_STR(tc_value_shown(tc_value_dig(v, "metadata.name")), "<redacted>");
	CHECK_STR(tc_value_shown(tc_value_dig(v, "metadata.namespace")), "n");
	tc_k8s_dupes s;
	tc_k8s_dupes_init(&s);
	tc_k8s_dupes_add(&s, v, false);
	tc_k8s_dupes_add(&s, Y(text), false); /* the same name, not flagged */
	tc_k8s_dupes_add(&s, Y(text), false);
	tc_diags_init(&d);
	CHECK(tc_k8s_dupes_report(&s, &d, TC_DIAG_FINDING) == 2);
	for (size_t i = 0; i < d.len; i++)
		CHECK(strstr(d.items[i].msg, "Sekrit") == NULL &&
		      strstr(d.items[i].msg, "duplicate object: <redacted>") != NULL);
	tc_diags_release(&d);
	tc_k8s_dupes_release(&s);
}

TEST(k8s_duplicates_do_not_depend_on_the_order_of_adding)
{
	const char *a =
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x, namespace: n}\n";
	const char *b =
		"\napiVersion: apps/v2\nkind: Deployment\nmetadata: {name: x, namespace: n}\n";
	const char *c = "\n\napiVersion: v1\nkind: Service\nmetadata: {name: x, namespace: n}\n";
	const char *fwd[] = {a, b, c}, *rev[] = {c, b, a};
	char o1[1024], o2[1024];
	dupes_run(fwd, 3, o1, sizeof o1);
	dupes_run(rev, 3, o2, sizeof o2);
	CHECK_STR(o1,
	          "2:duplicate object: Deployment 'n/x' (apps) is also defined at obj.yaml:1:1|");
	CHECK_STR(o2, o1);
}

TEST(crd_conversion_closes_objects_and_maps_extensions)
{
	tc_value *in =
		Y("type: object\nproperties:\n  apiVersion: {type: string}\n"
	          "  kind: {type: string}\n  metadata: {type: object}\n"
	          "  spec:\n    type: object\n    properties:\n"
	          "      port: {x-kubernetes-int-or-string: true}\n"
	          "      note: {type: string, nullable: true}\n"
	          "      free: {type: object, x-kubernetes-preserve-unknown-fields: true}\n");
	tc_value *out = tc_schema_crd_convert(&A, in, "example.com", "v1", "Widget");
	CHECK(tc_value_equal(tc_value_dig(out, "additionalProperties"),
	                     tc_value_bool(&A, false, TC_NOPOS)));
	CHECK(!tc_value_dig(out, "properties.metadata.additionalProperties"));
	CHECK(tc_value_dig(out, "properties.spec.additionalProperties"));
	CHECK(!tc_value_dig(out, "properties.spec.properties.free.additionalProperties"));
	CHECK(tc_value_dig(out, "properties.spec.properties.port.anyOf"));
	const tc_value *t = tc_value_dig(out, "properties.spec.properties.note.type");
	CHECK(t && t->kind == TC_ARRAY && t->u.arr.len == 2);
	CHECK(!tc_value_dig(out, "properties.spec.properties.note.nullable"));
	const tc_value *e = tc_value_dig(out, "properties.apiVersion.enum");
	CHECK(e && e->kind == TC_ARRAY && tc_value_streq(e->u.arr.items[0], "example.com/v1"));
	CHECK(tc_value_streq(tc_value_dig(out, "$schema"),
	                     "http://json-schema.org/draft-04/schema#"));
}

int main(void)
{
	tc_arena_init(&A);
	int r = RUN(k8s_names_follow_apimachinery_syntax,
	            k8s_messages_never_quote_a_decrypted_value, k8s_scope_table_knows_core_kinds,
	            k8s_valid_object_passes, k8s_missing_identity_is_reported_at_the_object,
	            k8s_oversize_configmap_suggests_a_volume, k8s_secret_size_counts_decoded_base64,
	            k8s_annotations_over_256k_are_reported,
	            k8s_duplicates_do_not_depend_on_the_order_of_adding,
	            crd_conversion_closes_objects_and_maps_extensions);
	tc_arena_release(&A);
	return r;
}
