/*
 * test_output.c - unit tests for output.c: file names, kustomizations and
 * the atomic tree swap.
 */
#include "output.h"

#include "tc_test.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static tc_value *obj(tc_arena *a, const char *api, const char *kind, const char *ns,
                     const char *name)
{
	tc_objb md;
	tc_objb_init(&md);
	tc_objb_addz(&md, "name", tc_value_strz(a, name, TC_NOPOS));
	if (ns)
		tc_objb_addz(&md, "namespace", tc_value_strz(a, ns, TC_NOPOS));
	tc_objb o;
	tc_objb_init(&o);
	tc_objb_addz(&o, "apiVersion", tc_value_strz(a, api, TC_NOPOS));
	tc_objb_addz(&o, "kind", tc_value_strz(a, kind, TC_NOPOS));
	tc_objb_addz(&o, "metadata", tc_objb_finish(&md, a, TC_NOPOS, NULL));
	return tc_objb_finish(&o, a, TC_NOPOS, NULL);
}

TEST(output_names_use_lower_case_kind_and_name)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_diags d;
	tc_diags_init(&d);
	const tc_value *objs[] = {obj(&a, "v1", "Namespace", NULL, "acme-prod"),
	                          obj(&a, "networking.k8s.io/v1", "NetworkPolicy", "acme-prod",
	                              "deny")};
	char *names[2];
	CHECK(tc_output_names(names, objs, 2, &d) == 0);
	CHECK_STR(names[0], "namespace-acme-prod.yaml");
	CHECK_STR(names[1], "networkpolicy-deny.yaml");
	free(names[0]);
	free(names[1]);
	tc_diags_release(&d);
	tc_arena_release(&a);
}

TEST(output_names_add_namespace_then_group_on_clashes)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_diags d;
	tc_diags_init(&d);
	const tc_value *objs[] = {
		obj(&a, "v1", "ConfigMap", "acme-prod", "web"),
		obj(&a, "v1", "ConfigMap", "acme-test", "web"),
		obj(&a, "example.com/v1", "Thing", "x", "t"),
		obj(&a, "other.io/v1", "Thing", "x", "t"),
	};
	char *names[4];
	CHECK(tc_output_names(names, objs, 4, &d) == 0);
	CHECK_STR(names[0], "configmap-acme-prod-web.yaml");
	CHECK_STR(names[1], "configmap-acme-test-web.yaml");
	CHECK_STR(names[2], "thing.example.com-x-t.yaml");
	CHECK_STR(names[3], "thing.other.io-x-t.yaml");
	for (int i = 0; i < 4; i++)
		free(names[i]);
	tc_diags_release(&d);
	tc_arena_release(&a);
}

TEST(output_names_reject_the_same_object_twice)
{
	tc_arena a;
	tc_arena_init(&a);
	tc_diags d;
	tc_diags_init(&d);
	const tc_value *objs[] = {obj(&a, "v1", "ConfigMap", "ns", "web"),
	                          obj(&a, "v1", "ConfigMap", "ns", "web")};
	char *names[2];
	CHECK(tc_output_names(names, objs, 2, &d) == -1);
	CHECK(d.nerrors == 1);
	CHECK(strstr(d.items[0].msg, "duplicate object ConfigMap 'web'") != NULL);
	free(names[0]);
	free(names[1]);
	tc_diags_release(&d);
	tc_arena_release(&a);
}

TEST(output_kustomization_lists_resources_in_canonical_form)
{
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	const char *res[] = {"cluster", "tenants"};
	tc_output_kustomization(&b, res, 2);
	CHECK_STR(tc_buf_str(&b), "apiVersion: kustomize.config.k8s.io/v1beta1\n"
	                          "kind: Kustomization\n"
	                          "resources:\n"
	                          "- cluster\n"
	                          "- tenants\n");
	tc_buf_release(&b);
}

/* Each index kustomization joins objects of one cluster only: gitops/ (the
 * GitOps controller's cluster) gets one, the environment and tenants/ (whose
 * tenants may be on different clusters) none, and old ones in the input are
 * left out. */
TEST(output_env_index_joins_no_two_clusters)
{
	static const char *const paths[] = {
		"prod/cluster/clusterpolicy-x.yaml",
		"prod/platform/gitrepository-p.yaml",
		"prod/gitops/acme/kustomization-a.yaml",
		"prod/tenants/acme/namespace-a.yaml",
		"prod/tenants/globex/namespace-g.yaml",
		"prod/tenants/acme/configmap-a.yaml",
		"prod/kustomization.yaml",
		"test/tenants/initech/namespace-i.yaml",
	};
	tc_outlist files, idx;
	tc_outlist_init(&files);
	tc_outlist_init(&idx);
	for (size_t i = 0; i < sizeof paths / sizeof *paths; i++)
		tc_outlist_add(&files, tc_xstrdup(paths[i]), NULL, 0, false);
	tc_output_env_index(&idx, "prod", &files);
	CHECK(idx.len == 1);
	if (idx.len == 1) {
		CHECK_STR(idx.items[0].path, "prod/gitops/kustomization.yaml");
		CHECK(strstr(idx.items[0].data, "resources:\n- acme\n") != NULL);
	}
	CHECK(tc_output_is_index("prod/kustomization.yaml"));
	CHECK(tc_output_is_index("prod/tenants/kustomization.yaml"));
	tc_outlist_release(&idx);
	tc_outlist_release(&files);
}

static int exists(const char *p)
{
	struct stat st;
	return lstat(p, &st) == 0;
}

TEST(output_tree_swaps_in_atomically_and_abort_leaves_old_tree)
{
	char base[] = "/tmp/tenantc-output-XXXXXX";
	CHECK(mkdtemp(base) != NULL);
	char final[512], f1[600], f2[600];
	snprintf(final, sizeof final, "%s/rendered", base);
	snprintf(f1, sizeof f1, "%s/prod/a.yaml", final);
	snprintf(f2, sizeof f2, "%s/prod/b.yaml", final);
	tc_diags d;
	tc_diags_init(&d);
	tc_tree t = {0};
	CHECK(tc_tree_begin(&t, final, &d) == 0);
	CHECK(tc_tree_write(&t, "prod/a.yaml", "a: 1\n", 5, &d) == 0);
	CHECK(tc_tree_commit(&t, &d) == 0);
	tc_tree_abort(&t);
	CHECK(exists(f1));
	/* a second render that fails leaves the first tree alone */
	CHECK(tc_tree_begin(&t, final, &d) == 0);
	CHECK(tc_tree_write(&t, "prod/b.yaml", "b: 1\n", 5, &d) == 0);
	tc_tree_abort(&t);
	CHECK(exists(f1) && !exists(f2));
	/* and one that succeeds replaces it */
	CHECK(tc_tree_begin(&t, final, &d) == 0);
	CHECK(tc_tree_write(&t, "prod/b.yaml", "b: 1\n", 5, &d) == 0);
	CHECK(tc_tree_commit(&t, &d) == 0);
	tc_tree_abort(&t);
	CHECK(!exists(f1) && exists(f2));
	CHECK(d.len == 0);
	CHECK(tc_remove_tree(base) == 0);
	CHECK(!exists(base));
	tc_diags_release(&d);
}

int main(void)
{
	return RUN(output_names_use_lower_case_kind_and_name,
	           output_names_add_namespace_then_group_on_clashes,
	           output_names_reject_the_same_object_twice,
	           output_kustomization_lists_resources_in_canonical_form,
	           output_env_index_joins_no_two_clusters,
	           output_tree_swaps_in_atomically_and_abort_leaves_old_tree);
}
