/*
 * test_k8s_refs.c - reference integrity (k8s_refs.c): each table is one
 * kind of reference and names the upstream field documentation or
 * controller behaviour it follows. A row is a set of objects (a YAML
 * stream), optionally `provided` entries of tenantc.yaml, and either NULL
 * (every reference resolves) or the path and a piece of the first error,
 * with the number of errors expected.
 */
#include "k8s_refs.h"
#include "buf.h"
#include "yaml_load.h"
#include "tc_test.h"

static tc_arena A;

typedef struct row {
	const char *yaml;
	const char *provided; /* a YAML list, or NULL */
	const char *path;     /* NULL: no error */
	const char *msg;      /* a piece of the first message */
	size_t count;         /* the number of errors (0 with path: 1) */
} row;

static size_t errors_of(const char *yaml, const char *provided, const char *env, char *out,
                        size_t n)
{
	tc_diags d;
	tc_diags_init(&d);
	out[0] = 0;
	tc_value *docs = NULL, *prov = NULL;
	if (tc_yaml_load_stream(&docs, &A, &d, "objs.yaml", yaml, strlen(yaml), NULL) < 0 ||
	    (provided &&
	     tc_yaml_load(&prov, &A, &d, "tenantc.yaml", provided, strlen(provided), NULL) < 0)) {
		tc_diags_print(&d, stderr);
		snprintf(out, n, "(does not load)");
		tc_diags_release(&d);
		return 99;
	}
	tc_k8s_refs *s = tc_k8s_refs_new();
	for (size_t i = 0; i < docs->u.arr.len; i++)
		tc_k8s_refs_add(s, docs->u.arr.items[i], NULL);
	tc_k8s_refs_provide(s, prov, env);
	size_t count = tc_k8s_refs_report(s, &d, TC_DIAG_FINDING);
	tc_k8s_refs_free(s);
	tc_diags_sort(&d);
	if (d.len)
		snprintf(out, n, "%u:%u %s|%s", (unsigned)d.items[0].line, (unsigned)d.items[0].col,
		         d.items[0].path ? d.items[0].path : "", d.items[0].msg);
	if (count != d.len)
		count = 98;
	tc_diags_release(&d);
	return count;
}

static int run_rows(const char *upstream, const row *rows, size_t n)
{
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		char got[2048];
		size_t count = errors_of(rows[i].yaml, rows[i].provided, "prod", got, sizeof got);
		size_t want = rows[i].path ? (rows[i].count ? rows[i].count : 1) : 0;
		bool ok = count == want;
		if (ok && rows[i].path) {
			const char *p = strchr(got, ' ');
			size_t pl = strlen(rows[i].path);
			ok = p && strncmp(p + 1, rows[i].path, pl) == 0 && p[1 + pl] == '|' &&
			     strstr(p + 1 + pl, rows[i].msg) != NULL;
		}
		if (!ok) {
			fprintf(stderr, "  %s, row %zu: want %zu: %s|%s\n    got  %zu: %s\n",
			        upstream, i, want, rows[i].path ? rows[i].path : "(none)",
			        rows[i].msg ? rows[i].msg : "", count, got[0] ? got : "(none)");
			bad++;
		}
	}
	return bad;
}

#define RUN_ROWS(up, t) CHECK(run_rows(up, t, sizeof t / sizeof t[0]) == 0)

#define SECRET(name, keys)                                                                         \
	"---\napiVersion: v1\nkind: Secret\nmetadata: {name: " name ", namespace: n}\n"            \
	"stringData: " keys "\n"
#define CONFIGMAP(name, keys)                                                                      \
	"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: " name ", namespace: n}\n"         \
	"data: " keys "\n"
#define DEPLOY(spec)                                                                               \
	"---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: n}\nspec:\n"   \
	"  template:\n    spec: " spec "\n"
#define C1(c) "{containers: [{name: w, image: i, " c "}]}"
#define TPL ".spec.template.spec"

TEST(refs_env_follow_the_envvarsource_and_envfromsource_api_reference)
{
	/* Kubernetes API reference, EnvVarSource (secretKeyRef, configMapKeyRef:
	 * name, key, optional) and EnvFromSource (secretRef, configMapRef:
	 * name, optional); the kubelet refuses to start a container whose
	 * non-optional source or key is missing */
	static const row rows[] = {
		{SECRET("db", "{password: x}")
	                 DEPLOY(C1("env: [{name: P, valueFrom: {secretKeyRef: "
	                           "{name: db, key: password}}}]")),
	         NULL, NULL, NULL, 0},
		{DEPLOY(C1(
			 "env: [{name: P, valueFrom: {secretKeyRef: {name: db, key: password}}}]")),
	         NULL, TPL ".containers[0].env[0].valueFrom.secretKeyRef.name",
	         "Deployment 'n/d' refers to Secret 'n/db', which is neither rendered", 0},
		{SECRET("db", "{user: x, host: y}") DEPLOY(
			 C1("env: [{name: P, valueFrom: {secretKeyRef: {name: db, key: pw}}}]")),
	         NULL, TPL ".containers[0].env[0].valueFrom.secretKeyRef.key",
	         "refers to key 'pw' of Secret 'n/db', which has no such key (its keys: host, user)",
	         0},
		{DEPLOY(C1(
			 "env: [{name: P, valueFrom: {secretKeyRef: {name: db, key: pw, optional: "
			 "true}}}]")),
	         NULL, NULL, NULL, 0},
		{CONFIGMAP("cfg", "{a: b}")
	                 DEPLOY(C1("env: [{name: A, valueFrom: {configMapKeyRef: "
	                           "{name: cfg, key: c}}}]")),
	         NULL, TPL ".containers[0].env[0].valueFrom.configMapKeyRef.key",
	         "key 'c' of ConfigMap 'n/cfg'", 0},
		{DEPLOY("{initContainers: [{name: i, image: i, envFrom: [{configMapRef: {name: x}}, "
	                "{secretRef: {name: y, optional: true}}]}], containers: [{name: w, image: i}]}"),
	         NULL, TPL ".initContainers[0].envFrom[0].configMapRef.name", "ConfigMap 'n/x'", 0},
		/* the keys of a SOPS-encrypted Secret are its clear key names */
		{"---\napiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: n}\nstringData: "
	         "{password: 'ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]'}\nsops: {version: 3}\n" DEPLOY(
			 C1("env: [{name: P, valueFrom: {secretKeyRef: {name: db, key: password}}}]")),
	         NULL, NULL, NULL, 0},
	};
	RUN_ROWS("EnvVarSource, EnvFromSource", rows);
}

TEST(refs_volumes_follow_the_volume_source_api_reference)
{
	/* Kubernetes API reference: SecretVolumeSource (secretName, items[].key,
	 * optional), ConfigMapVolumeSource (name, items, optional),
	 * ProjectedVolumeSource sources, PersistentVolumeClaimVolumeSource
	 * claimName; a StatefulSet's volumeClaimTemplates are claims its
	 * controller makes per pod */
	static const row rows[] = {
		{DEPLOY("{containers: [{name: w, image: i}], volumes: [{name: s, secret: {secretName: "
	                "tls, items: [{key: tls.crt, path: c}]}}]}"),
	         NULL, TPL ".volumes[0].secret.secretName", "Secret 'n/tls'", 0},
		{SECRET("tls", "{tls.crt: a}") DEPLOY(
			 "{containers: [{name: w, image: i}], volumes: [{name: s, secret: {secretName: "
			 "tls, items: [{key: tls.crt, path: c}, {key: tls.key, path: k}]}}]}"),
	         NULL, TPL ".volumes[0].secret.items[1].key", "key 'tls.key' of Secret 'n/tls'", 0},
		{DEPLOY("{containers: [{name: w, image: i}], volumes: [{name: s, configMap: {name: c, "
	                "optional: true}}]}"),
	         NULL, NULL, NULL, 0},
		{DEPLOY("{containers: [{name: w, image: i}], volumes: [{name: p, projected: {sources: "
	                "[{serviceAccountToken: {path: t}}, {configMap: {name: c}}]}}]}"),
	         NULL, TPL ".volumes[0].projected.sources[1].configMap.name", "ConfigMap 'n/c'", 0},
		{DEPLOY("{containers: [{name: w, image: i}], volumes: [{name: d, persistentVolumeClaim: "
	                "{claimName: data}}]}"),
	         NULL, TPL ".volumes[0].persistentVolumeClaim.claimName",
	         "PersistentVolumeClaim 'n/data'", 0},
		{"apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s, namespace: n}\nspec:\n"
	         "  volumeClaimTemplates: [{metadata: {name: data}}]\n  template:\n    spec: "
	         "{containers: [{name: w, image: i}], volumes: [{name: d, persistentVolumeClaim: "
	         "{claimName: data}}]}\n",
	         NULL, NULL, NULL, 0},
	};
	RUN_ROWS("volume sources", rows);
}

TEST(refs_pod_identity_follows_the_podspec_api_reference)
{
	/* Kubernetes API reference, PodSpec.serviceAccountName (the service
	 * account admission plugin refuses a pod whose account is missing; the
	 * serviceaccounts controller makes `default` in every namespace) and
	 * imagePullSecrets[].name */
	static const row rows[] = {
		{DEPLOY("{serviceAccountName: api, containers: [{name: w, image: i}]}"), NULL,
	         TPL ".serviceAccountName", "ServiceAccount 'n/api'", 0},
		{DEPLOY("{serviceAccountName: default, containers: [{name: w, image: i}]}"), NULL,
	         NULL, NULL, 0},
		{"apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: api, namespace: n}\n---\n" DEPLOY(
			 "{serviceAccountName: api, imagePullSecrets: [{name: regcred}], containers: "
			 "[{name: w, image: i}]}"),
	         NULL, TPL ".imagePullSecrets[0].name", "Secret 'n/regcred'", 0},
		{"apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c, namespace: n}\nspec: "
	         "{jobTemplate: {spec: {template: {spec: {serviceAccountName: job, containers: [{name: "
	         "w, image: i}]}}}}}\n",
	         NULL, ".spec.jobTemplate.spec.template.spec.serviceAccountName",
	         "CronJob 'n/c' refers to ServiceAccount 'n/job'", 0},
	};
	RUN_ROWS("PodSpec", rows);
}

#define RB(kind, name)                                                                             \
	"---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, "   \
	"namespace: n}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: " kind                \
	", name: " name "}\nsubjects: [{kind: Group, name: g}]\n"

TEST(refs_role_bindings_follow_the_rbac_roleref_documentation)
{
	/* Kubernetes RBAC documentation: a RoleBinding's roleRef names a Role
	 * of its namespace or a ClusterRole, a ClusterRoleBinding's a
	 * ClusterRole; the API server's bootstrap policy makes the user-facing
	 * roles cluster-admin, admin, edit, view and the system: roles */
	static const row rows[] = {
		{RB("Role", "reader"), NULL, ".roleRef.name",
	         "RoleBinding 'n/b' refers to Role 'n/reader'", 0},
		{"apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: reader, "
	         "namespace: n}\nrules: []\n" RB("Role", "reader"),
	         NULL, NULL, NULL, 0},
		{RB("ClusterRole", "view") RB("ClusterRole", "system:aggregate-to-view"), NULL,
	         NULL, NULL, 0},
		{RB("ClusterRole", "viewer"), NULL, ".roleRef.name", "ClusterRole 'viewer'", 0},
		{"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: "
	         "b}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: tenant}\n",
	         NULL, ".roleRef.name", "ClusterRoleBinding 'b' refers to ClusterRole 'tenant'", 0},
		/* a Role of another namespace does not count */
		{"apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: reader, "
	         "namespace: other}\nrules: []\n" RB("Role", "reader"),
	         NULL, ".roleRef.name", "Role 'n/reader'", 0},
	};
	RUN_ROWS("RoleRef", rows);
}

#define SVC                                                                                        \
	"apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: n}\nspec: {ports: "       \
	"[{name: http, port: 80}]}\n---\n"
#define ING(backend)                                                                               \
	"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i, namespace: n}\n"     \
	"spec: {rules: [{http: {paths: [{path: /, pathType: Prefix, backend: {service: " backend   \
	"}}]}}]}\n"

TEST(refs_ingress_backends_follow_the_ingressservicebackend_api_reference)
{
	/* Kubernetes API reference, IngressServiceBackend: name of a Service of
	 * the Ingress's namespace, port.name or port.number of one of its
	 * ServicePorts (name, port) */
	static const row rows[] = {
		{SVC ING("{name: web, port: {name: http}}"), NULL, NULL, NULL, 0},
		{SVC ING("{name: web, port: {number: 80}}"), NULL, NULL, NULL, 0},
		{SVC ING("{name: web, port: {number: 8080}}"), NULL,
	         ".spec.rules[0].http.paths[0].backend.service.port.number",
	         "refers to port 8080 of Service 'n/web', which has no such port (its ports: http, 80)",
	         0},
		{SVC ING("{name: web, port: {name: https}}"), NULL,
	         ".spec.rules[0].http.paths[0].backend.service.port.name", "port 'https'", 0},
		{ING("{name: api, port: {number: 80}}"), NULL,
	         ".spec.rules[0].http.paths[0].backend.service.name", "Service 'n/api'", 0},
		{SVC
	         "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i, namespace: "
	         "n}\nspec: {defaultBackend: {service: {name: web2, port: {number: 80}}}}\n",
	         NULL, ".spec.defaultBackend.service.name", "Service 'n/web2'", 0},
	};
	RUN_ROWS("IngressServiceBackend", rows);
}

#define KS(spec)                                                                                   \
	"---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: "  \
	"app, namespace: flux-system}\nspec: " spec "\n"
#define GITREPO                                                                                    \
	"---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: "     \
	"repo, namespace: flux-system}\nspec: {url: 'https://x', interval: 1m}\n"
#define SRC "sourceRef: {kind: GitRepository, name: repo}"

TEST(refs_flux_kustomizations_follow_the_kustomization_api_docs)
{
	/* Flux kustomize.toolkit.fluxcd.io/v1 Kustomization API: sourceRef
	 * (kind, name, namespace defaulting to the Kustomization's), dependsOn
	 * (name, namespace), decryption.secretRef, kubeConfig.secretRef (name,
	 * key), postBuild.substituteFrom (kind, name, optional); and
	 * source.toolkit.fluxcd.io GitRepository spec.secretRef */
	static const row rows[] = {
		{GITREPO KS("{" SRC ", path: ./, prune: true}"), NULL, NULL, NULL, 0},
		{KS("{" SRC ", path: ./, prune: true}"), NULL, ".spec.sourceRef.name",
	         "Kustomization 'flux-system/app' refers to GitRepository 'flux-system/repo'", 0},
		{GITREPO KS("{sourceRef: {kind: OCIRepository, name: repo}}"), NULL,
	         ".spec.sourceRef.name", "OCIRepository 'flux-system/repo'", 0},
		{GITREPO KS("{" SRC ", dependsOn: [{name: infra}]}"), NULL,
	         ".spec.dependsOn[0].name", "Kustomization 'flux-system/infra'", 0},
		{GITREPO KS("{" SRC ", decryption: {provider: sops, secretRef: {name: sops-age}}, "
	                    "kubeConfig: {secretRef: {name: kc, key: value}}}"),
	         NULL, ".spec.kubeConfig.secretRef.name", "Secret 'flux-system/kc'", 0},
		{GITREPO KS("{" SRC ", decryption: {provider: sops, secretRef: {name: sops-age}}, "
	                    "kubeConfig: {secretRef: {name: kc, key: config}}}"),
	         "[{apiVersion: v1, kind: Secret, namespace: flux-system, name: '*'}, {apiVersion: "
	         "v1, kind: Secret, namespace: flux-system, name: kc, keys: [value]}]",
	         NULL, NULL, 0},
		/* what flux bootstrap and Flux's SOPS guide leave in flux-system */
		{KS("{sourceRef: {kind: GitRepository, name: flux-system}, decryption: {provider: "
	            "sops, secretRef: {name: sops-age}}}"),
	         NULL, NULL, NULL, 0},
		{GITREPO KS("{" SRC ", postBuild: {substituteFrom: [{kind: ConfigMap, name: vars}, "
	                    "{kind: Secret, name: s, optional: true}]}}"),
	         NULL, ".spec.postBuild.substituteFrom[0].name", "ConfigMap 'flux-system/vars'", 0},
		{"apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: repo, "
	         "namespace: flux-system}\nspec: {url: 'https://x', secretRef: {name: auth}}\n",
	         NULL, ".spec.secretRef.name", "GitRepository 'flux-system/repo' refers to Secret",
	         0},
	};
	RUN_ROWS("Flux Kustomization", rows);
}

#define HR(spec)                                                                                   \
	"---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: web, "    \
	"namespace: apps}\nspec: " spec "\n"
#define HELMREPO                                                                                   \
	"---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: "    \
	"charts, namespace: flux-system}\nspec: {url: 'https://x'}\n"

TEST(refs_flux_helmreleases_follow_the_helmrelease_api_docs)
{
	/* Flux helm.toolkit.fluxcd.io/v2 HelmRelease API: chart.spec.sourceRef,
	 * chartRef, dependsOn, valuesFrom (kind, name, valuesKey, optional) */
	static const row rows[] = {
		{HELMREPO HR("{chart: {spec: {chart: web, sourceRef: {kind: HelmRepository, name: "
	                     "charts, namespace: flux-system}}}}"),
	         NULL, NULL, NULL, 0},
		{HELMREPO HR("{chart: {spec: {chart: web, sourceRef: {kind: HelmRepository, name: "
	                     "charts}}}}"),
	         NULL, ".spec.chart.spec.sourceRef.name", "HelmRepository 'apps/charts'", 0},
		{HR("{chartRef: {kind: OCIRepository, name: web}, dependsOn: [{name: db}]}"), NULL,
	         ".spec.chartRef.name", "OCIRepository 'apps/web'", 2},
		{"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: vals, namespace: apps}\ndata: "
	         "{values.yaml: 'a: 1'}\n---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: "
	         "OCIRepository\nmetadata: {name: web, namespace: apps}\n" HR(
			 "{chartRef: {kind: OCIRepository, name: web, namespace: "
			 "apps}, valuesFrom: [{kind: ConfigMap, name: vals, "
			 "valuesKey: prod.yaml}]}"),
	         NULL, ".spec.valuesFrom[0].valuesKey", "key 'prod.yaml' of ConfigMap 'apps/vals'",
	         1},
	};
	RUN_ROWS("Flux HelmRelease", rows);
}

#define PROJ(dests)                                                                                \
	"---\napiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: {name: team, "         \
	"namespace: argocd}\nspec: {destinations: " dests "}\n"
#define APP(project, dest)                                                                         \
	"---\napiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: app, "         \
	"namespace: argocd}\nspec: {project: " project ", destination: " dest "}\n"
#define IN_CLUSTER "https://kubernetes.default.svc"

TEST(refs_argocd_applications_follow_the_appproject_docs)
{
	/* Argo CD "Projects" documentation: spec.project names an AppProject
	 * (the `default` project exists and allows everything); the
	 * destination must match one of the project's destinations (server or
	 * name, and namespace, as globs) and no deny pattern ("!ns") */
	static const row rows[] = {
		{PROJ("[{server: '" IN_CLUSTER "', namespace: team-*}]")
	                 APP("team", "{server: '" IN_CLUSTER "', namespace: team-a}"),
	         NULL, NULL, NULL, 0},
		{PROJ("[{server: '" IN_CLUSTER "', namespace: team-a}]")
	                 APP("team", "{server: '" IN_CLUSTER "', namespace: kube-system}"),
	         NULL, ".spec.destination",
	         "Application 'argocd/app' has the destination server '" IN_CLUSTER
	         "' namespace 'kube-system', which AppProject 'argocd/team' does not allow",
	         0},
		{PROJ("[{server: '*', namespace: '*'}, {server: '*', namespace: '!kube-system'}]")
	                 APP("team", "{server: '" IN_CLUSTER "', namespace: kube-system}"),
	         NULL, ".spec.destination", "does not allow", 0},
		{PROJ("[{name: in-cluster, namespace: '*'}]")
	                 APP("team", "{name: in-cluster, namespace: x}"),
	         NULL, NULL, NULL, 0},
		{APP("team", "{server: '" IN_CLUSTER "', namespace: x}"), NULL, ".spec.project",
	         "AppProject 'argocd/team'", 0},
		{APP("default", "{server: '" IN_CLUSTER "', namespace: x}"), NULL, NULL, NULL, 0},
		/* a provided project: its destinations are unknown */
		{APP("team", "{server: '" IN_CLUSTER "', namespace: x}"),
	         "[{apiVersion: argoproj.io/v1alpha1, kind: AppProject, namespace: argocd, name: "
	         "team}]",
	         NULL, NULL, 0},
	};
	RUN_ROWS("Argo CD AppProject", rows);
}

#define STORE                                                                                      \
	"---\napiVersion: external-secrets.io/v1\nkind: ClusterSecretStore\nmetadata: {name: "     \
	"src}\nspec: {provider: {kubernetes: {remoteNamespace: vault, auth: {serviceAccount: "     \
	"{name: reader, namespace: vault}}}}}\n---\napiVersion: v1\nkind: ServiceAccount\n"        \
	"metadata: {name: reader, namespace: vault}\n"
#define SOURCE                                                                                       \
	"---\napiVersion: v1\nkind: Secret\nmetadata: {name: creds, namespace: vault}\nstringData: " \
	"{api: x}\n"
#define ES(store, data)                                                                            \
	"---\napiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata: {name: es, "     \
	"namespace: n}\nspec: {secretStoreRef: " store ", data: " data "}\n"

TEST(refs_external_secrets_follow_the_external_secrets_docs)
{
	/* External Secrets Operator: spec.secretStoreRef (kind SecretStore, the
	 * default, in the ExternalSecret's namespace, or ClusterSecretStore);
	 * the Kubernetes provider reads remoteRef.key as a Secret of
	 * remoteNamespace (default "default") and remoteRef.property as its
	 * key; the target Secret (target.name, default the ExternalSecret's
	 * name) has the keys of spec.data[].secretKey */
	static const row rows[] = {
		{STORE SOURCE ES("{kind: ClusterSecretStore, name: src}",
	                         "[{secretKey: k, remoteRef: {key: creds, property: api}}]"),
	         NULL, NULL, NULL, 0},
		{STORE SOURCE ES("{kind: ClusterSecretStore, name: src}",
	                         "[{secretKey: k, remoteRef: {key: creds, property: web}}]"),
	         NULL, ".spec.data[0].remoteRef.property",
	         "ExternalSecret 'n/es' reads key 'web' of Secret 'vault/creds' through "
	         "ClusterSecretStore 'src', which has no such key (its keys: api)",
	         0},
		/* a Secret the render does not make: the remote namespace may hold
	         * it all the same, only a known Secret's keys are judged */
		{STORE ES("{kind: ClusterSecretStore, name: src}",
	                  "[{secretKey: k, remoteRef: {key: creds, property: x}}]"),
	         NULL, NULL, NULL, 0},
		{ES("{name: local}", "[]"), NULL, ".spec.secretStoreRef.name",
	         "SecretStore 'n/local'", 0},
		/* a store of another provider: the remote side is not known */
		{"apiVersion: external-secrets.io/v1\nkind: SecretStore\nmetadata: {name: v, namespace: "
	         "n}\nspec: {provider: {vault: {server: 'https://v'}}}\n" ES(
			 "{name: v}", "[{secretKey: k, remoteRef: {key: any, property: x}}]"),
	         NULL, NULL, NULL, 0},
		/* the Secret it makes, with its keys */
		{STORE SOURCE ES("{kind: ClusterSecretStore, name: src}",
	                         "[{secretKey: k, remoteRef: {key: creds, property: api}}]")
	                 DEPLOY(C1("env: [{name: K, valueFrom: {secretKeyRef: {name: es, key: "
	                           "other}}}]")),
	         NULL, TPL ".containers[0].env[0].valueFrom.secretKeyRef.key",
	         "key 'other' of Secret 'n/es', which has no such key (its keys: k)", 0},
		{STORE
	         "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: x, namespace: y}\n",
	         NULL, NULL, NULL, 0},
		{"apiVersion: external-secrets.io/v1\nkind: ClusterSecretStore\nmetadata: {name: s}\n"
	         "spec: {provider: {kubernetes: {auth: {serviceAccount: {name: r, namespace: v}}}}}\n",
	         NULL, ".spec.provider.kubernetes.auth.serviceAccount.name", "ServiceAccount 'v/r'",
	         0},
	};
	RUN_ROWS("External Secrets", rows);
}

#define REALM(secret, key)                                                                         \
	"---\napiVersion: k8s.keycloak.org/v2alpha1\nkind: KeycloakRealmImport\nmetadata: {name: " \
	"r, namespace: n}\nspec: {keycloakCRName: keycloak, placeholders: {CLIENT_SECRET: "        \
	"{secret: {name: " secret ", key: " key "}}}, realm: {realm: r}}\n"

TEST(refs_keycloak_realm_imports_follow_the_operator_placeholders)
{
	/* Keycloak operator, "Realm import": spec.placeholders.<NAME>.secret
	 * {name, key} is read from a Secret of the import's namespace, whose
	 * key must exist for the import Job to start */
	static const row rows[] = {
		{SECRET("clients", "{api: x}") REALM("clients", "api"), NULL, NULL, NULL, 0},
		{SECRET("clients", "{api: x}") REALM("clients", "web"), NULL,
	         ".spec.placeholders.CLIENT_SECRET.secret.key", "key 'web' of Secret 'n/clients'",
	         0},
		{REALM("clients", "api"), NULL, ".spec.placeholders.CLIENT_SECRET.secret.name",
	         "KeycloakRealmImport 'n/r' refers to Secret 'n/clients'", 0},
		{REALM("clients", "api"),
	         "[{apiVersion: v1, kind: Secret, namespace: n, name: clients, keys: [api]}]", NULL,
	         NULL, 0},
	};
	RUN_ROWS("Keycloak realm import", rows);
}

TEST(refs_provided_entries_match_by_wildcard_keys_and_environment)
{
	/* the `provided` setting: '*' stands for any name or namespace, keys
	 * restrict the keys, environments the clusters */
	static const row rows[] = {
		{DEPLOY(C1("env: [{name: P, valueFrom: {secretKeyRef: {name: db, key: pw}}}]")),
	         "[{apiVersion: v1, kind: Secret, namespace: n, name: '*'}]", NULL, NULL, 0},
		{DEPLOY(C1("env: [{name: P, valueFrom: {secretKeyRef: {name: db, key: pw}}}]")),
	         "[{apiVersion: v1, kind: Secret, namespace: '*', name: db, keys: [user]}]",
	         TPL ".containers[0].env[0].valueFrom.secretKeyRef.key", "(its keys: user)", 0},
		{DEPLOY(C1("env: [{name: P, valueFrom: {secretKeyRef: {name: db, key: pw}}}]")),
	         "[{apiVersion: v1, kind: Secret, namespace: n, name: db, environments: [test]}]",
	         TPL ".containers[0].env[0].valueFrom.secretKeyRef.name", "Secret 'n/db'", 0},
		{DEPLOY(C1("env: [{name: P, valueFrom: {secretKeyRef: {name: db, key: pw}}}]")),
	         "[{apiVersion: v1, kind: Secret, namespace: other, name: db}]",
	         TPL ".containers[0].env[0].valueFrom.secretKeyRef.name", "Secret 'n/db'", 0},
		/* the kind's group counts, its version does not */
		{RB("ClusterRole", "tenant"),
	         "[{apiVersion: rbac.authorization.k8s.io/v1beta1, kind: ClusterRole, name: "
	         "tenant}]",
	         NULL, NULL, 0},
		{DEPLOY(C1("env: [{name: C, valueFrom: {configMapKeyRef: {name: kube-root-ca.crt, "
	                   "key: ca.crt}}}]")),
	         NULL, NULL, NULL, 0},
		/* the Keycloak operator's initial admin Secret of a Keycloak CR
	         * (Keycloak operator guide, "Accessing the Keycloak deployment":
	         * <name>-initial-admin with username and password) */
		{DEPLOY(C1("env: [{name: U, valueFrom: {secretKeyRef: {name: kc-initial-admin, "
	                   "key: username}}}, {name: P, valueFrom: {secretKeyRef: {name: "
	                   "kc-initial-admin, key: password}}}]")),
	         NULL, NULL, NULL, 0},
		{DEPLOY(C1("env: [{name: T, valueFrom: {secretKeyRef: {name: kc-initial-admin, "
	                   "key: token}}}]")),
	         NULL, TPL ".containers[0].env[0].valueFrom.secretKeyRef.name",
	         "Secret 'n/kc-initial-admin'", 0},
	};
	RUN_ROWS("provided", rows);
}

TEST(refs_errors_point_at_the_referring_value)
{
	char got[2048];
	size_t n = errors_of("apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n"
	                     "metadata: {name: b, namespace: n}\n"
	                     "roleRef:\n  kind: Role\n  name: missing\n",
	                     NULL, NULL, got, sizeof got);
	CHECK(n == 1);
	CHECK(strncmp(got, "6:9 .roleRef.name|", 18) == 0);
}

/* The answer must not depend on the order objects come in: render's
 * workers add them as jobs finish. A reference made before its object is
 * kept, one made after it is settled at once (the Kubernetes API server
 * accepts objects in any order; references are resolved by name when
 * used). */
TEST(refs_answers_do_not_depend_on_the_order_of_objects)
{
	static const row rows[] = {
		{DEPLOY(C1("envFrom: [{secretRef: {name: s}}]")) SECRET("s", "{a: x}"), NULL, NULL,
	         NULL, 0},
		{APP("team", "{server: '" IN_CLUSTER "', namespace: team-a}")
	                 PROJ("[{server: '" IN_CLUSTER "', namespace: team-*}]"),
	         NULL, NULL, NULL, 0},
		{APP("team", "{server: '" IN_CLUSTER "', namespace: kube-system}")
	                 PROJ("[{server: '" IN_CLUSTER "', namespace: team-a}]"),
	         NULL, ".spec.destination", "which AppProject 'argocd/team' does not allow", 0},
		/* allowed by the project when the Application comes, denied by a
	         * project of the same name that comes later: the API server keeps
	         * one object per identity (the later apply replaces the other), so
	         * which destinations hold is unknown and nothing is reported (the
	         * duplicate check reports the two projects) */
		{PROJ("[{server: '" IN_CLUSTER "', namespace: '*'}]")
	                 APP("team", "{server: '" IN_CLUSTER "', namespace: kube-system}")
	                         PROJ("[{server: '" IN_CLUSTER "', namespace: team-a}]"),
	         NULL, NULL, NULL, 0},
		{PROJ("[{server: '" IN_CLUSTER "', namespace: team-a}]")
	                 APP("team", "{server: '" IN_CLUSTER "', namespace: kube-system}")
	                         PROJ("[{server: '" IN_CLUSTER "', namespace: '*'}]"),
	         NULL, NULL, NULL, 0},
		{PROJ("[{server: '*', namespace: '*'}]")
	                 APP("team", "{server: '" IN_CLUSTER "', namespace: kube-system}")
	                         PROJ("[{server: '*', namespace: '!kube-system'}]"),
	         NULL, NULL, NULL, 0},
		{PROJ("[{server: '*', namespace: '!kube-system'}]")
	                 PROJ("[{server: '*', namespace: '*'}]")
	                         APP("team", "{server: '" IN_CLUSTER "', namespace: kube-system}"),
	         NULL, NULL, NULL, 0},
	};
	RUN_ROWS("object order", rows);
}

/* Many references whose objects come just after them, with one that never
 * resolves among them: the kept ones are swept once their objects are in
 * (the set holds only what is open, not every reference made), and the
 * dangling one is reported once, at its own value. */
TEST(refs_keep_only_the_references_still_open)
{
	enum { N = 3000 };
	tc_buf b;
	tc_buf_init(&b, TC_BUF_UNLIMITED);
	for (int i = 0; i <= N; i++) {
		if (i < N)
			tc_buf_addf(
				&b,
				"---\napiVersion: v1\nkind: Pod\nmetadata: {name: p%d, namespace: "
				"n}\nspec: {containers: [{name: c, image: i, envFrom: [{secretRef: "
				"{name: s%d}}]}]}\n",
				i, i == 1234 ? -1 : i);
		if (i > 0)
			tc_buf_addf(&b,
			            "---\napiVersion: v1\nkind: Secret\nmetadata: {name: s%d, "
			            "namespace: n}\n",
			            i - 1);
	}
	tc_diags d;
	tc_diags_init(&d);
	tc_value *docs = NULL;
	CHECK(tc_yaml_load_stream(&docs, &A, &d, "objs.yaml", b.ptr, b.len, NULL) == 0);
	tc_k8s_refs *s = tc_k8s_refs_new();
	for (size_t i = 0; docs && i < docs->u.arr.len; i++)
		tc_k8s_refs_add(s, docs->u.arr.items[i], NULL);
	CHECK(tc_k8s_refs_open(s) < N / 2);
	CHECK(tc_k8s_refs_report(s, &d, TC_DIAG_FINDING) == 1);
	CHECK(d.len == 1);
	CHECK(d.len == 1 && d.items[0].path &&
	      strcmp(d.items[0].path, ".spec.containers[0].envFrom[0].secretRef.name") == 0);
	CHECK(d.len == 1 && strstr(d.items[0].msg, "Pod 'n/p1234' refers to Secret 'n/s-1'"));
	tc_k8s_refs_free(s);
	tc_diags_release(&d);
	tc_buf_release(&b);
}

int main(void)
{
	tc_arena_init(&A);
	int rc = RUN(refs_env_follow_the_envvarsource_and_envfromsource_api_reference,
	             refs_volumes_follow_the_volume_source_api_reference,
	             refs_pod_identity_follows_the_podspec_api_reference,
	             refs_role_bindings_follow_the_rbac_roleref_documentation,
	             refs_ingress_backends_follow_the_ingressservicebackend_api_reference,
	             refs_flux_kustomizations_follow_the_kustomization_api_docs,
	             refs_flux_helmreleases_follow_the_helmrelease_api_docs,
	             refs_argocd_applications_follow_the_appproject_docs,
	             refs_external_secrets_follow_the_external_secrets_docs,
	             refs_keycloak_realm_imports_follow_the_operator_placeholders,
	             refs_provided_entries_match_by_wildcard_keys_and_environment,
	             refs_errors_point_at_the_referring_value,
	             refs_answers_do_not_depend_on_the_order_of_objects,
	             refs_keep_only_the_references_still_open);
	tc_arena_release(&A);
	return rc;
}
