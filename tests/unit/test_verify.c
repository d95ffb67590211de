/*
 * test_verify.c - the isolation verifier (verify*.c) on small hand-made
 * object sets. Each case names the upstream semantic it follows:
 *   NetworkPolicy API reference (networking.k8s.io/v1) and the "Network
 *     Policies" concept page: selection, policyTypes defaults, peers,
 *     ipBlock except, ports, endPort, named ports;
 *   metav1.LabelSelector (k8s.io/apimachinery): matchLabels and the
 *     In, NotIn, Exists, DoesNotExist operators;
 *   "Using RBAC Authorization" and "RBAC Good Practices": RoleBinding to
 *     Role or ClusterRole, the built-in edit role, workload creation,
 *     pods/exec, escalate, bind, impersonate, ClusterRoleBinding;
 *   ArgoCD "Projects" and Flux multi-tenancy: destinations, whitelists,
 *     serviceAccountName, targetNamespace;
 *   Kyverno verifyImages and policy-controller ClusterImagePolicy;
 *   Keycloak ClientRepresentation (redirectUris, webOrigins with "+" and
 *     "*", rootUrl, post.logout.redirect.uris joined by "##") and the
 *     operator's KeycloakRealmImport (k8s.keycloak.org/v2alpha1).
 */
#include "verify_impl.h"
#include "yaml_load.h"

#include "tc_test.h"

#include <string.h>

typedef struct fx {
	tc_arena a;
	tc_verify *v;
	tc_diags d;
} fx;

static tc_value *yaml(fx *f, const char *text)
{
	tc_value *out = NULL;
	tc_diags d;
	tc_diags_init(&d);
	if (tc_yaml_load(&out, &f->a, &d, "t.yaml", text, strlen(text), NULL) != 0)
		out = NULL;
	tc_diags_release(&d);
	return out;
}

static void begin(fx *f, const char *settings)
{
	tc_arena_init(&f->a);
	f->v = tc_verify_new(settings ? yaml(f, settings) : NULL);
	tc_diags_init(&f->d);
}

static void add(fx *f, const char *env, const char *tenant, const char *doc, const char *text)
{
	tc_value *o = yaml(f, text);
	CHECK(o != NULL);
	if (o)
		tc_verify_add(f->v, env, tenant, doc ? yaml(f, doc) : NULL, o);
}

/* A tenant namespace with default deny both ways. */
static void tenant(fx *f, const char *env, const char *t, const char *doc)
{
	char buf[1024];
	snprintf(buf, sizeof buf,
	         "{apiVersion: v1, kind: Namespace, metadata: {name: %s-%s, labels: "
	         "{tenantc.io/tenant: %s, tenantc.io/environment: %s}}}",
	         t, env, t, env);
	add(f, env, t, doc, buf);
	snprintf(buf, sizeof buf,
	         "{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: "
	         "default-deny, namespace: %s-%s}, spec: {podSelector: {}, policyTypes: [Ingress, "
	         "Egress]}}",
	         t, env);
	add(f, env, t, NULL, buf);
}

static size_t count(fx *f, const char *rule)
{
	size_t n = 0, l = strlen(rule);
	for (size_t i = 0; i < f->d.len; i++)
		if (strncmp(f->d.items[i].msg, rule, l) == 0 && f->d.items[i].msg[l] == ':')
			n++;
	return n;
}

static const char *path_of(fx *f, const char *rule)
{
	for (size_t i = 0; i < f->d.len; i++)
		if (strncmp(f->d.items[i].msg, rule, strlen(rule)) == 0)
			return f->d.items[i].path ? f->d.items[i].path : "";
	return "";
}

static void end(fx *f)
{
	tc_diags_release(&f->d);
	tc_verify_free(f->v);
	tc_arena_release(&f->a);
}

#define NP(ns, name, spec)                                                                         \
	"{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: " name           \
	", namespace: " ns "}, spec: " spec "}"

TEST(netpol_api_default_deny_needs_an_empty_pod_selector_for_each_type)
{
	fx f;
	begin(&f, NULL);
	add(&f, "prod", "acme", NULL,
	    "{apiVersion: v1, kind: Namespace, metadata: {name: acme-prod}}");
	/* policyTypes absent: Ingress, and Egress only with egress rules */
	add(&f, "prod", "acme", NULL, NP("acme-prod", "a", "{podSelector: {}, egress: []}"));
	add(&f, "prod", "acme", NULL,
	    NP("acme-prod", "b", "{podSelector: {matchLabels: {app: x}}, policyTypes: [Egress]}"));
	tc_verify_run(f.v, &f.d);
	CHECK(count(&f, "network.default-deny") == 1);
	CHECK(f.d.len == 1 && strstr(f.d.items[0].msg, "isolates its pods for egress"));
	CHECK_STR(path_of(&f, "network.default-deny"), ".metadata.name");
	end(&f);
}

TEST(netpol_api_namespace_selector_of_another_tenant_is_cross_tenant)
{
	fx f;
	begin(&f, NULL);
	tenant(&f, "prod", "acme", NULL);
	tenant(&f, "prod", "globex", NULL);
	tenant(&f, "test", "acme", NULL);
	add(&f, "prod", "acme", NULL,
	    NP("acme-prod", "x",
	       "{podSelector: {}, policyTypes: [Ingress], ingress: [{from: [{namespaceSelector: "
	       "{matchLabels: {tenantc.io/tenant: globex}}}]}]}"));
	/* another environment of the same tenant, by In on the name label */
	add(&f, "prod", "acme", NULL,
	    NP("acme-prod", "y",
	       "{podSelector: {}, policyTypes: [Egress], egress: [{ports: [{port: 80}], to: "
	       "[{namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, "
	       "operator: In, values: [acme-test]}]}}]}]}"));
	tc_verify_run(f.v, &f.d);
	CHECK(count(&f, "network.cross-tenant") == 2);
	CHECK_STR(path_of(&f, "network.cross-tenant"),
	          ".spec.ingress[0].from[0].namespaceSelector");
	CHECK(count(&f, "network.egress") == 0);
	end(&f);
}

TEST(netpol_api_rule_without_peers_admits_every_source)
{
	fx f;
	begin(&f, NULL);
	tenant(&f, "prod", "acme", NULL);
	add(&f, "prod", "acme", NULL, NP("acme-prod", "open", "{podSelector: {}, ingress: [{}]}"));
	tc_verify_run(f.v, &f.d);
	CHECK(count(&f, "network.cross-tenant") == 1);
	CHECK_STR(path_of(&f, "network.cross-tenant"), ".spec.ingress[0]");
	end(&f);
}

TEST(netpol_api_dns_needs_pod_and_namespace_selector_together_on_port_53)
{
	fx f;
	begin(&f, NULL);
	tenant(&f, "prod", "acme", NULL);
	const char *ok = NP("acme-prod", "dns",
	                    "{podSelector: {}, policyTypes: [Egress], egress: [{ports: [{port: 53, "
	                    "protocol: UDP}, {port: dns-tcp, protocol: TCP}], to: "
	                    "[{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: "
	                    "kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]}]}");
	add(&f, "prod", "acme", NULL, ok);
	/* two peers: every pod of kube-system, not only DNS */
	add(&f, "prod", "acme", NULL,
	    NP("acme-prod", "wide",
	       "{podSelector: {}, policyTypes: [Egress], egress: [{ports: [{port: 53}], to: "
	       "[{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}}, "
	       "{podSelector: {matchLabels: {k8s-app: kube-dns}}}]}]}"));
	tc_verify_run(f.v, &f.d);
	CHECK(count(&f, "network.egress") == 1);
	CHECK_STR(path_of(&f, "network.egress"), ".spec.egress[0].to[0].namespaceSelector");
	end(&f);
}

TEST(netpol_api_ipblock_except_ports_and_end_port_against_declared_egress)
{
	fx f;
	begin(&f, NULL);
	const char *doc = "{network: {egress: [{cidr: 10.0.0.0/16, ports: [5432, 5433]}]}}";
	tenant(&f, "prod", "acme", doc);
	/* 10.0.0.0/15 minus 10.1.0.0/16 is 10.0.0.0/16: declared */
	add(&f, "prod", "acme", NULL,
	    NP("acme-prod", "db",
	       "{podSelector: {}, policyTypes: [Egress], egress: [{ports: [{port: 5432, endPort: "
	       "5433}], to: [{ipBlock: {cidr: 10.0.0.0/15, except: [10.1.0.0/16]}}]}]}"));
	/* no ports: every port */
	add(&f, "prod", "acme", NULL,
	    NP("acme-prod", "all",
	       "{podSelector: {}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: "
	       "10.0.0.0/16}}]}]}"));
	/* a range reaching past the declared ports, and UDP */
	add(&f, "prod", "acme", NULL,
	    NP("acme-prod", "range",
	       "{podSelector: {}, policyTypes: [Egress], egress: [{ports: [{port: 5432, endPort: "
	       "5434}], to: [{ipBlock: {cidr: 10.0.1.0/24}}]}, {ports: [{port: 5432, protocol: "
	       "UDP}], to: [{ipBlock: {cidr: 10.0.1.0/24}}]}]}"));
	/* outside the declared block */
	add(&f, "prod", "acme", NULL,
	    NP("acme-prod", "world",
	       "{podSelector: {}, policyTypes: [Egress], egress: [{ports: [{port: 5432}], to: "
	       "[{ipBlock: {cidr: 0.0.0.0/0}}]}]}"));
	tc_verify_run(f.v, &f.d);
	CHECK(count(&f, "network.egress") == 4);
	CHECK_STR(path_of(&f, "network.egress"), ".spec.egress[0].to[0].ipBlock.cidr");
	end(&f);
}

TEST(netpol_api_named_ports_resolve_against_the_rendered_pods)
{
	fx f;
	begin(&f, NULL);
	tenant(&f, "prod", "acme", NULL);
	add(&f, "prod", "acme", NULL,
	    "{apiVersion: apps/v1, kind: Deployment, metadata: {name: api, namespace: acme-prod}, "
	    "spec: {template: {metadata: {labels: {app: api}}, spec: {containers: [{name: c, "
	    "image: x, ports: [{name: http, containerPort: 8080}, {name: dns, containerPort: 53, "
	    "protocol: UDP}]}]}}}}");
	add(&f, "prod", "acme", NULL,
	    NP("acme-prod", "to-api",
	       "{podSelector: {matchLabels: {app: api}}, policyTypes: [Ingress], ingress: [{from: "
	       "[{podSelector: {}}], ports: [{port: http}, {port: dns}, {port: grpc}]}]}"));
	tc_verify_run(f.v, &f.d);
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	tc_verify_explain(f.v, &b);
	/* http is TCP 8080; dns is defined for UDP only; grpc nowhere */
	CHECK(strstr(tc_buf_str(&b), "TCP/http=8080,TCP/dns,TCP/grpc") != NULL);
	CHECK(f.d.len == 0);
	tc_buf_release(&b);
	end(&f);
}

TEST(netpol_cidr_arithmetic_handles_except_and_ipv6)
{
	const char *b16 = "10.0.0.0/16", *b6 = "2001:db8::/32";
	CHECK(tc_vcidr_within("10.0.0.0/16", NULL, &b16, 1));
	CHECK(tc_vcidr_within("10.0.3.0/24", NULL, &b16, 1));
	CHECK(!tc_vcidr_within("10.0.0.0/15", NULL, &b16, 1));
	CHECK(!tc_vcidr_within("0.0.0.0/0", NULL, &b16, 1));
	CHECK(tc_vcidr_within("2001:db8:1::/48", NULL, &b6, 1));
	CHECK(!tc_vcidr_within("2001:db9::/32", NULL, &b6, 1));
	CHECK(!tc_vcidr_within("10.0.0.1/16", NULL, &b16, 1)); /* host bits set */
	CHECK(!tc_vcidr_valid("10.0.0.0/33") && tc_vcidr_valid("::/0"));
}

TEST(label_selector_operators_follow_apimachinery)
{
	fx f;
	begin(&f, NULL);
	tc_value *labels = yaml(&f, "{a: x, b: y}");
	CHECK(tc_vsel_matches(yaml(&f, "{}"), labels, NULL));
	CHECK(!tc_vsel_matches(NULL, labels, NULL));
	CHECK(tc_vsel_matches(yaml(&f, "{matchLabels: {a: x}}"), labels, NULL));
	CHECK(!tc_vsel_matches(yaml(&f, "{matchLabels: {a: y}}"), labels, NULL));
	CHECK(tc_vsel_matches(yaml(&f, "{matchExpressions: [{key: a, operator: In, values: [x, "
	                               "z]}]}"),
	                      labels, NULL));
	CHECK(tc_vsel_matches(yaml(&f, "{matchExpressions: [{key: c, operator: NotIn, values: "
	                               "[x]}]}"),
	                      labels, NULL));
	CHECK(!tc_vsel_matches(yaml(&f, "{matchExpressions: [{key: b, operator: DoesNotExist}]}"),
	                       labels, NULL));
	CHECK(tc_vsel_matches(yaml(&f, "{matchExpressions: [{key: b, operator: Exists}]}"), labels,
	                      NULL));
	CHECK(tc_vsel_matches(yaml(&f, "{matchLabels: {kubernetes.io/metadata.name: ns1}}"), labels,
	                      "ns1"));
	end(&f);
}

#define RB(ns, name, kind, role, subj)                                                             \
	"{apiVersion: rbac.authorization.k8s.io/v1, kind: RoleBinding, metadata: {name: " name     \
	", namespace: " ns "}, roleRef: {apiGroup: rbac.authorization.k8s.io, kind: " kind         \
	", name: " role "}, subjects: [" subj "]}"

TEST(rbac_rolebinding_to_builtin_edit_reads_secrets)
{
	fx f;
	begin(&f, NULL);
	tenant(&f, "prod", "acme", NULL);
	add(&f, "prod", "acme", NULL,
	    RB("acme-prod", "devs", "ClusterRole", "edit", "{kind: Group, name: devs}"));
	tc_verify_run(f.v, &f.d);
	CHECK(count(&f, "rbac.secrets") == 1);
	CHECK(count(&f, "rbac.escalation") == 1); /* edit impersonates service accounts */
	CHECK_STR(path_of(&f, "rbac.secrets"), ".roleRef");
	end(&f);
}

TEST(rbac_good_practices_workloads_exec_and_escalation_reach_secrets)
{
	fx f;
	begin(&f, NULL);
	tenant(&f, "prod", "acme", NULL);
	add(&f, "prod", "acme", NULL,
	    "{apiVersion: rbac.authorization.k8s.io/v1, kind: Role, metadata: {name: named, "
	    "namespace: acme-prod}, rules: [{apiGroups: [''], resources: [secrets], "
	    "resourceNames: [one], verbs: [get]}, {apiGroups: [apps], resources: [deployments], "
	    "verbs: [get, list]}]}");
	add(&f, "prod", "acme", NULL,
	    "{apiVersion: rbac.authorization.k8s.io/v1, kind: Role, metadata: {name: cron, "
	    "namespace: acme-prod}, rules: [{apiGroups: [batch], resources: [cronjobs], verbs: "
	    "[create]}]}");
	add(&f, "prod", "acme", NULL,
	    "{apiVersion: rbac.authorization.k8s.io/v1, kind: Role, metadata: {name: exec, "
	    "namespace: acme-prod}, rules: [{apiGroups: [''], resources: [pods/exec], verbs: "
	    "[create]}, {apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: "
	    "[bind]}]}");
	add(&f, "prod", "acme", NULL,
	    RB("acme-prod", "a", "Role", "named", "{kind: ServiceAccount, name: app}"));
	add(&f, "prod", "acme", NULL,
	    RB("acme-prod", "b", "Role", "cron", "{kind: ServiceAccount, name: app}"));
	add(&f, "prod", "acme", NULL,
	    RB("acme-prod", "c", "Role", "exec", "{kind: User, name: alice}"));
	add(&f, "prod", "acme", NULL,
	    RB("acme-prod", "d", "Role", "missing", "{kind: User, name: alice}"));
	tc_verify_run(f.v, &f.d);
	CHECK(count(&f, "rbac.secrets") == 2); /* cron and exec, not the named read */
	CHECK(count(&f, "rbac.escalation") == 1);
	CHECK(count(&f, "rbac.unresolved") == 1);
	end(&f);
}

TEST(rbac_tenant_subjects_outside_their_namespaces)
{
	fx f;
	begin(&f, NULL);
	tenant(&f, "prod", "acme", NULL);
	tenant(&f, "prod", "globex", NULL);
	/* a tenant's service account may write in keycloak */
	add(&f, "prod", NULL, NULL,
	    RB("keycloak", "x", "ClusterRole", "edit",
	       "{kind: ServiceAccount, name: app, namespace: acme-prod}"));
	/* a tenant's group everywhere */
	add(&f, "prod", "acme", NULL,
	    RB("acme-prod", "ops", "ClusterRole", "view", "{kind: Group, name: acme-ops}"));
	add(&f, "prod", NULL, NULL,
	    "{apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRoleBinding, metadata: "
	    "{name: y}, roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "
	    "view}, subjects: [{kind: Group, name: acme-ops}]}");
	/* another tenant's service account bound in acme */
	add(&f, "prod", "acme", NULL,
	    RB("acme-prod", "z", "ClusterRole", "view",
	       "{kind: ServiceAccount, name: app, namespace: globex-prod}"));
	tc_verify_run(f.v, &f.d);
	CHECK(count(&f, "rbac.cross-namespace") == 1);
	CHECK(count(&f, "rbac.cluster-scope") == 1);
	CHECK(count(&f, "rbac.foreign-subject") == 1);
	CHECK_STR(path_of(&f, "rbac.cross-namespace"), ".subjects[0]");
	end(&f);
}

TEST(argocd_projects_and_flux_kustomizations_confine_the_tenant)
{
	fx f;
	begin(&f, NULL);
	tenant(&f, "prod", "acme", NULL);
	add(&f, "prod", "acme", NULL,
	    "{apiVersion: argoproj.io/v1alpha1, kind: Application, metadata: {name: acme, "
	    "namespace: argocd}, spec: {project: acme, destination: {namespace: acme-prod}}}");
	add(&f, "prod", "acme", NULL,
	    "{apiVersion: argoproj.io/v1alpha1, kind: AppProject, metadata: {name: acme, "
	    "namespace: argocd}, spec: {destinations: [{namespace: acme-prod}, {namespace: "
	    "keycloak}], namespaceResourceWhitelist: [{group: '', kind: ConfigMap}], "
	    "clusterResourceWhitelist: [{group: rbac.authorization.k8s.io, kind: ClusterRole}]}}");
	add(&f, "prod", "acme", NULL,
	    "{apiVersion: kustomize.toolkit.fluxcd.io/v1, kind: Kustomization, metadata: {name: "
	    "acme, namespace: flux-system}, spec: {targetNamespace: keycloak}}");
	add(&f, "prod", "acme", NULL,
	    "{apiVersion: kustomize.toolkit.fluxcd.io/v1, kind: Kustomization, metadata: {name: "
	    "ok, namespace: flux-system}, spec: {targetNamespace: acme-prod, serviceAccountName: "
	    "acme}}");
	add(&f, "prod", "acme", NULL,
	    "{apiVersion: argoproj.io/v1alpha1, kind: Application, metadata: {name: other, "
	    "namespace: argocd}, spec: {project: default, destination: {namespace: acme-prod}}}");
	/* a tenant's app Kustomization in its namespace: its own source is
	 * fine, another namespace's is not (kustomize-controller's
	 * --no-cross-namespace-refs) */
	add(&f, "prod", "acme", NULL,
	    "{apiVersion: kustomize.toolkit.fluxcd.io/v1, kind: Kustomization, metadata: {name: "
	    "web, namespace: acme-prod}, spec: {targetNamespace: acme-prod, serviceAccountName: "
	    "apps-applier, sourceRef: {kind: GitRepository, name: web, namespace: acme-prod}}}");
	add(&f, "prod", "acme", NULL,
	    "{apiVersion: kustomize.toolkit.fluxcd.io/v1, kind: Kustomization, metadata: {name: "
	    "api, namespace: acme-prod}, spec: {targetNamespace: acme-prod, serviceAccountName: "
	    "apps-applier, sourceRef: {kind: GitRepository, name: shop, namespace: globex-prod}}}");
	tc_verify_run(f.v, &f.d);
	CHECK(count(&f, "gitops.destination") == 1);
	CHECK_STR(path_of(&f, "gitops.destination"), ".spec.destinations[1].namespace");
	CHECK(count(&f, "gitops.kinds") == 1);
	CHECK(count(&f, "gitops.project") == 1);
	CHECK(count(&f, "gitops.flux-identity") == 1);
	CHECK(count(&f, "gitops.flux-namespace") == 1);
	CHECK(count(&f, "gitops.flux-source") == 1);
	CHECK_STR(path_of(&f, "gitops.flux-source"), ".spec.sourceRef.namespace");
	end(&f);
}

/* Flux's Kustomization reference, "Role-based access control" and "Remote
 * clusters/Cluster-API": serviceAccountName is impersonated in the
 * Kustomization's own namespace, on the target cluster with kubeConfig. */
TEST(flux_kustomization_runs_as_a_service_account_of_its_own_namespace)
{
	fx f;
	begin(&f, NULL);
	tenant(&f, "prod", "acme", NULL);
	add(&f, "prod", "acme", NULL,
	    "{apiVersion: v1, kind: ServiceAccount, metadata: {name: gitops-applier, namespace: "
	    "acme-prod}}");
	add(&f, "prod", "acme", NULL,
	    "{apiVersion: v1, kind: ServiceAccount, metadata: {name: gitops-applier.acme-prod, "
	    "namespace: flux-system}}");
	/* the applier exists, but in the tenant's namespace, not flux-system's */
	add(&f, "prod", "acme", NULL,
	    "{apiVersion: kustomize.toolkit.fluxcd.io/v1, kind: Kustomization, metadata: {name: "
	    "acme-prod, namespace: flux-system}, spec: {targetNamespace: acme-prod, "
	    "serviceAccountName: gitops-applier}}");
	add(&f, "prod", "acme", NULL,
	    "{apiVersion: kustomize.toolkit.fluxcd.io/v1, kind: Kustomization, metadata: {name: "
	    "acme-prod.ok, namespace: flux-system}, spec: {targetNamespace: acme-prod, "
	    "serviceAccountName: gitops-applier.acme-prod}}");
	add(&f, "prod", "acme", NULL,
	    "{apiVersion: kustomize.toolkit.fluxcd.io/v1, kind: Kustomization, metadata: {name: "
	    "web, namespace: acme-prod}, spec: {targetNamespace: acme-prod, serviceAccountName: "
	    "gitops-applier}}");
	/* bound in the tenant's namespace: the tenant's own ServiceAccount in
	 * flux-system is no foreign subject */
	add(&f, "prod", "acme", NULL,
	    RB("acme-prod", "gitops-applier", "ClusterRole", "view",
	       "{kind: ServiceAccount, name: gitops-applier.acme-prod, namespace: flux-system}"));
	tc_verify_run(f.v, &f.d);
	CHECK(count(&f, "gitops.flux-account") == 1);
	CHECK_STR(path_of(&f, "gitops.flux-account"), ".spec.serviceAccountName");
	CHECK(count(&f, "rbac.foreign-subject") == 0);
	end(&f);
}

TEST(kyverno_and_sigstore_policies_must_cover_every_tenant_namespace)
{
	fx f;
	begin(&f, NULL);
	add(&f, "prod", "acme", NULL,
	    "{apiVersion: v1, kind: Namespace, metadata: {name: acme-prod, labels: {sig: 'on', "
	    "policy.sigstore.dev/include: 'true'}}}");
	add(&f, "prod", "globex", NULL,
	    "{apiVersion: v1, kind: Namespace, metadata: {name: globex-prod}}");
	add(&f, "prod", "initech", NULL,
	    "{apiVersion: v1, kind: Namespace, metadata: {name: initech-prod, labels: {sig: "
	    "'on', policy.sigstore.dev/include: 'true'}}}");
	add(&f, "prod", "initech", NULL,
	    "{apiVersion: apps/v1, kind: Deployment, metadata: {name: d, namespace: "
	    "initech-prod}, spec: {template: {spec: {containers: [{image: "
	    "docker.io/library/nginx:1}]}}}}");
	add(&f, "prod", NULL, NULL,
	    "{apiVersion: kyverno.io/v1, kind: ClusterPolicy, metadata: {name: p}, spec: {rules: "
	    "[{name: r, match: {any: [{resources: {kinds: [Pod], namespaceSelector: {matchLabels: "
	    "{sig: 'on'}}}}]}, verifyImages: [{imageReferences: ['*']}]}]}}");
	add(&f, "prod", NULL, NULL,
	    "{apiVersion: policy.sigstore.dev/v1beta1, kind: ClusterImagePolicy, metadata: {name: "
	    "s}, spec: {images: [{glob: 'registry.example.com/**'}, {glob: 'docker.io/*/*'}]}}");
	tc_verify_run(f.v, &f.d);
	/* globex: no label for either engine; acme: sigstore globs do not
	 * cover every image; initech's one image is covered by both */
	CHECK(count(&f, "admission.kyverno") == 1);
	CHECK(count(&f, "admission.sigstore") == 2);
	CHECK_STR(path_of(&f, "admission.kyverno"), ".metadata.labels");
	end(&f);
}

/* Kyverno's verifyImages: an image matched by skipImageReferences is not
 * verified by that entry (kyverno.io/v1 ImageVerification), so it must be
 * covered by another one. */
TEST(kyverno_skip_image_references_are_not_covered_by_their_entry)
{
	fx f;
	begin(&f, NULL);
	add(&f, "prod", "acme", NULL,
	    "{apiVersion: v1, kind: Namespace, metadata: {name: acme-prod, labels: {sig: 'on'}}}");
	add(&f, "prod", "acme", NULL,
	    "{apiVersion: apps/v1, kind: Deployment, metadata: {name: d, namespace: acme-prod}, "
	    "spec: {template: {spec: {containers: [{name: a, image: docker.io/library/nginx:1}, "
	    "{name: b, image: registry.example.com/api:1}]}}}}");
	add(&f, "prod", NULL, NULL,
	    "{apiVersion: kyverno.io/v1, kind: ClusterPolicy, metadata: {name: p}, spec: {rules: "
	    "[{name: r, match: {any: [{resources: {kinds: [Pod], namespaceSelector: {matchLabels: "
	    "{sig: 'on'}}}}]}, verifyImages: [{imageReferences: ['*'], skipImageReferences: "
	    "['registry.example.com/*', 'docker.io/*']}]}]}}");
	tc_verify_run(f.v, &f.d);
	CHECK(count(&f, "admission.kyverno") == 2); /* both images skipped, none covered */
	end(&f);

	begin(&f, NULL);
	add(&f, "prod", "acme", NULL,
	    "{apiVersion: v1, kind: Namespace, metadata: {name: acme-prod, labels: {sig: 'on'}}}");
	add(&f, "prod", "acme", NULL,
	    "{apiVersion: apps/v1, kind: Deployment, metadata: {name: d, namespace: acme-prod}, "
	    "spec: {template: {spec: {containers: [{name: a, image: docker.io/library/nginx:1}, "
	    "{name: b, image: registry.example.com/api:1}]}}}}");
	add(&f, "prod", NULL, NULL,
	    "{apiVersion: kyverno.io/v1, kind: ClusterPolicy, metadata: {name: p}, spec: {rules: "
	    "[{name: r, match: {any: [{resources: {kinds: [Pod], namespaceSelector: {matchLabels: "
	    "{sig: 'on'}}}}]}, verifyImages: [{imageReferences: ['registry.example.com/*']}, "
	    "{imageReferences: ['*'], skipImageReferences: ['registry.example.com/*']}]}]}}");
	tc_verify_run(f.v, &f.d);
	CHECK(count(&f, "admission.kyverno") == 0); /* the example's pair of entries */
	end(&f);
}

TEST(exceptions_need_a_reason_and_match_their_fields)
{
	fx f;
	begin(&f, "{verify: {exceptions: ["
	          "{rule: network.egress, cidr: 10.20.0.0/16, ports: [5432], reason: shared db},"
	          "{rule: network.egress, cidr: 10.30.0.0/16},"
	          "{rule: rbac, namespace: globex-prod, reason: legacy}]}}");
	tenant(&f, "prod", "acme", NULL);
	add(&f, "prod", "acme", NULL,
	    NP("acme-prod", "db",
	       "{podSelector: {}, policyTypes: [Egress], egress: [{ports: [{port: 5432}], to: "
	       "[{ipBlock: {cidr: 10.20.1.0/24}}, {ipBlock: {cidr: 10.30.1.0/24}}]}, {to: "
	       "[{ipBlock: {cidr: 10.20.1.0/24}}]}]}"));
	add(&f, "prod", "acme", NULL,
	    RB("acme-prod", "devs", "ClusterRole", "edit", "{kind: Group, name: devs}"));
	tc_verify_run(f.v, &f.d);
	/* 10.30 has no reason, the rule without ports is not on 5432 */
	CHECK(count(&f, "network.egress") == 2);
	CHECK(count(&f, "rbac.secrets") == 1); /* the exception is for globex-prod */
	/* which is then unused, and said so */
	size_t unused = 0;
	for (size_t i = 0; i < f.d.len; i++)
		if (f.d.items[i].sev == TC_SEV_WARNING &&
		    strstr(f.d.items[i].msg, "exception for 'rbac' covers no finding"))
			unused++;
	CHECK(unused == 1);
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	tc_verify_explain(f.v, &b);
	CHECK(strstr(tc_buf_str(&b), "shared db") != NULL);
	CHECK(strstr(tc_buf_str(&b), "acme-prod") != NULL);
	tc_buf_release(&b);
	end(&f);
}

TEST(the_result_does_not_depend_on_the_order_objects_arrive_in)
{
	const char *objs[] = {
		"{apiVersion: v1, kind: Namespace, metadata: {name: a-prod}}",
		"{apiVersion: v1, kind: Namespace, metadata: {name: b-prod}}",
		NP("a-prod", "x",
	           "{podSelector: {}, ingress: [{from: [{namespaceSelector: {}}]}], egress: [{to: "
	           "[{ipBlock: {cidr: 1.2.3.0/24}}]}]}"),
	};
	const char *tenants[] = {"a", "b", "a"};
	tc_buf out[2];
	for (int round = 0; round < 2; round++) {
		fx f;
		begin(&f, NULL);
		for (size_t k = 0; k < 3; k++) {
			size_t i = round ? 2 - k : k;
			add(&f, "prod", tenants[i], NULL, objs[i]);
		}
		tc_verify_run(f.v, &f.d);
		tc_buf_init(&out[round], TC_BUF_UNLIMITED);
		tc_diags_sort(&f.d);
		tc_verify_json(f.v, &f.d, &out[round]);
		end(&f);
	}
	CHECK_STR(tc_buf_str(&out[0]), tc_buf_str(&out[1]));
	CHECK(strstr(tc_buf_str(&out[0]), "\"rule\":\"network.cross-tenant\"") != NULL);
	tc_buf_release(&out[0]);
	tc_buf_release(&out[1]);
}

/* A realm ConfigMap as the example's reconcile template makes it: the
 * realm representation and a partial import with the clients, as JSON. */
#define REALM_CM(name, realm, clients)                                                             \
	"{apiVersion: v1, kind: ConfigMap, metadata: {name: " name ", namespace: keycloak}, "      \
	"data: {realm: '{\"realm\":\"" realm "\"}', import: '{\"clients\":" clients "}'}}"

TEST(keycloak_client_hosts_belong_to_the_realms_environment)
{
	fx f;
	begin(&f, NULL);
	tc_verify_env(f.v, "prod", "prod.example.com");
	tc_verify_env(f.v, "test", "test.example.com");
	tc_verify_env(f.v, "dev", "example.com"); /* a shorter domain: the longest wins */
	add(&f, "prod", "acme",
	    "{realm: {trustedHosts: [shop.acme.example, acme.test.example.com]}}",
	    REALM_CM("acme-prod-realm", "acme-prod",
	             "[{\"clientId\":\"web\",\"redirectUris\":[\"https://acme.prod.example.com/*\","
	             "\"https://shop.acme.example/cb\",\"https://acme.test.example.com/*\"],"
	             "\"webOrigins\":[\"+\",\"https://evil.example:8443\"],"
	             "\"rootUrl\":\"/relative\",\"attributes\":{\"post.logout.redirect.uris\":"
	             "\"https://acme.prod.example.com/bye##https://u@x.example.com/\"}}]"));
	tc_verify_run(f.v, &f.d);
	/* a test host: refused even though trustedHosts lists it */
	CHECK(count(&f, "realm.cross-environment") == 2);
	CHECK_STR(path_of(&f, "realm.cross-environment"),
	          ".data.import.clients[0].redirectUris[2]");
	/* a foreign origin and the host after user information */
	CHECK(count(&f, "realm.hosts") == 1);
	CHECK(f.d.len == 3);
	bool dev = false, evil = false;
	for (size_t i = 0; i < f.d.len; i++) {
		dev |= strstr(f.d.items[i].msg, "host 'x.example.com'") &&
		       strstr(f.d.items[i].msg, "of environment 'dev'");
		evil |= strstr(f.d.items[i].msg, "realm.hosts:") &&
		        strstr(f.d.items[i].msg, "host 'evil.example'");
	}
	CHECK(dev && evil);
	tc_buf out;
	tc_buf_init(&out, TC_BUF_UNLIMITED);
	tc_verify_explain(f.v, &out);
	CHECK(strstr(tc_buf_str(&out), "shop.acme.example") &&
	      strstr(tc_buf_str(&out), "trustedHosts"));
	CHECK(strstr(tc_buf_str(&out), "domain prod.example.com"));
	tc_buf_release(&out);
	end(&f);
}

TEST(keycloak_realm_import_and_web_origin_star)
{
	fx f;
	begin(&f, NULL);
	tc_verify_env(f.v, "prod", "prod.example.com");
	add(&f, "prod", NULL, NULL,
	    "{apiVersion: k8s.keycloak.org/v2alpha1, kind: KeycloakRealmImport, metadata: {name: "
	    "r, namespace: keycloak}, spec: {keycloakCRName: keycloak, realm: {realm: platform, "
	    "clients: [{clientId: a, redirectUris: ['https://a.prod.example.com/*'], webOrigins: "
	    "['*']}]}}}");
	/* a ConfigMap without clients is not a realm */
	add(&f, "prod", NULL, NULL,
	    "{apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: x}, data: {u: "
	    "'https://other.example/'}}");
	tc_verify_run(f.v, &f.d);
	CHECK(f.d.len == 1 && count(&f, "realm.hosts") == 1);
	CHECK(f.d.len == 1 && strstr(f.d.items[0].msg, "allows every origin"));
	CHECK_STR(path_of(&f, "realm.hosts"), ".spec.realm.clients[0].webOrigins[0]");
	end(&f);
}

TEST(realm_exceptions_match_realm_and_host)
{
	fx f;
	begin(&f, "{verify: {exceptions: [{rule: realm.cross-environment, realm: acme-prod, host: "
	          "'*.test.example.com', reason: staging login}, {rule: realm, host: "
	          "sso.partner.example, reason: partner}]}}");
	tc_verify_env(f.v, "prod", "prod.example.com");
	tc_verify_env(f.v, "test", "test.example.com");
	add(&f, "prod", "acme", NULL,
	    REALM_CM("acme-prod-realm", "acme-prod",
	             "[{\"clientId\":\"web\",\"redirectUris\":[\"https://acme.test.example.com/*\","
	             "\"https://sso.partner.example/*\",\"https://sso2.partner.example/*\"]}]"));
	add(&f, "prod", "globex", NULL,
	    REALM_CM(
		    "globex-prod-realm", "globex-prod",
		    "[{\"clientId\":\"web\",\"redirectUris\":[\"https://g.test.example.com/*\"]}]"));
	tc_verify_run(f.v, &f.d);
	/* globex's realm is not the exception's; sso2 is no host it names */
	CHECK(count(&f, "realm.cross-environment") == 1);
	CHECK(count(&f, "realm.hosts") == 1);
	CHECK(f.d.len == 2);
	tc_buf out;
	tc_buf_init(&out, TC_BUF_UNLIMITED);
	tc_verify_json(f.v, &f.d, &out);
	CHECK(strstr(tc_buf_str(&out), "\"rule\":\"realm.hosts\"") != NULL);
	CHECK(strstr(tc_buf_str(&out), "\"trust\":\"exception\"") != NULL);
	tc_buf_release(&out);
	end(&f);
}

int main(void)
{
	return RUN(netpol_api_default_deny_needs_an_empty_pod_selector_for_each_type,
	           netpol_api_namespace_selector_of_another_tenant_is_cross_tenant,
	           netpol_api_rule_without_peers_admits_every_source,
	           netpol_api_dns_needs_pod_and_namespace_selector_together_on_port_53,
	           netpol_api_ipblock_except_ports_and_end_port_against_declared_egress,
	           netpol_api_named_ports_resolve_against_the_rendered_pods,
	           netpol_cidr_arithmetic_handles_except_and_ipv6,
	           label_selector_operators_follow_apimachinery,
	           rbac_rolebinding_to_builtin_edit_reads_secrets,
	           rbac_good_practices_workloads_exec_and_escalation_reach_secrets,
	           rbac_tenant_subjects_outside_their_namespaces,
	           argocd_projects_and_flux_kustomizations_confine_the_tenant,
	           flux_kustomization_runs_as_a_service_account_of_its_own_namespace,
	           kyverno_and_sigstore_policies_must_cover_every_tenant_namespace,
	           kyverno_skip_image_references_are_not_covered_by_their_entry,
	           exceptions_need_a_reason_and_match_their_fields,
	           the_result_does_not_depend_on_the_order_objects_arrive_in,
	           keycloak_client_hosts_belong_to_the_realms_environment,
	           keycloak_realm_import_and_web_origin_star,
	           realm_exceptions_match_realm_and_host);
}
