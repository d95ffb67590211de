/*
 * test_k8s_rules.c - the API server's validation of built-in kinds beyond
 * their schemas (k8s_meta.c, k8s_pod.c, k8s_workload.c, k8s_net.c,
 * k8s_misc.c, k8s_syntax.c).
 *
 * Each row names the upstream function the rule follows (kubernetes/
 * kubernetes pkg/apis/<group>/validation, k8s.io/apimachinery validation),
 * an object, and either NULL (the API server accepts it) or the path and a
 * piece of the first message. tests/interop/corpus holds the same kinds of
 * cases judged by a real kube-apiserver.
 */
#include "k8s.h"
#include "k8s_rules.h"
#include "yaml_load.h"
#include "tc_test.h"

static tc_arena A;

typedef struct row {
	const char *upstream; /* the function the rule follows */
	const char *yaml;
	const char *path; /* NULL: valid */
	const char *msg;  /* a piece of the first message */
} row;

/* the first error of an object, "path|message", or "" */
static void first_error(const char *text, char *out, size_t n)
{
	tc_diags d;
	tc_diags_init(&d);
	tc_value *v = NULL;
	out[0] = 0;
	if (tc_yaml_load(&v, &A, &d, "obj.yaml", text, strlen(text), NULL) < 0) {
		tc_diags_print(&d, stderr);
		snprintf(out, n, "(does not load)");
	} else {
		tc_k8s_check_object(v, TC_K8S_SCOPE_UNKNOWN, &d, NULL, TC_DIAG_FINDING);
		tc_diags_sort(&d);
		if (d.len)
			snprintf(out, n, "%s|%s", d.items[0].path ? d.items[0].path : "",
			         d.items[0].msg);
	}
	tc_diags_release(&d);
}

static int run_rows(const row *rows, size_t n)
{
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		char got[2048];
		first_error(rows[i].yaml, got, sizeof got);
		bool ok;
		if (!rows[i].path) {
			ok = got[0] == 0;
		} else {
			size_t pl = strlen(rows[i].path);
			ok = strncmp(got, rows[i].path, pl) == 0 && got[pl] == '|' &&
			     strstr(got + pl, rows[i].msg) != NULL;
		}
		if (!ok) {
			fprintf(stderr, "  %s, row %zu: want %s|%s\n    got  %s\n",
			        rows[i].upstream, i, rows[i].path ? rows[i].path : "(valid)",
			        rows[i].msg ? rows[i].msg : "", got[0] ? got : "(valid)");
			bad++;
		}
	}
	return bad;
}

#define RUN_ROWS(t) CHECK(run_rows(t, sizeof t / sizeof t[0]) == 0)

#define CM(meta) "apiVersion: v1\nkind: ConfigMap\nmetadata: " meta "\ndata: {a: b}\n"
#define DEP_SEL(sel, labels, spec)                                                                 \
	"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: n}\nspec:\n"        \
	"  selector: " sel "\n  template:\n    metadata: {labels: " labels "}\n    spec: " spec    \
	"\n"
#define DEP(spec) DEP_SEL("{matchLabels: {app: w}}", "{app: w}", spec)
#define C1(c) "{containers: [{name: w, image: i, " c "}]}"
#define TPL ".spec.template.spec"

TEST(k8s_object_meta_follows_apimachinery_objectmeta)
{
	static const row rows[] = {
		{"ValidateAnnotations (lower-cased keys)",
	         CM("{name: a, namespace: n, annotations: {Example.COM/Owner: x}}"), NULL, NULL},
		{"ValidateAnnotations", CM("{name: a, namespace: n, annotations: {a b: x}}"),
	         ".metadata.annotations[\"a b\"]", "not a valid annotation key"},
		{"ValidateLabels", CM("{name: a, namespace: n, labels: {Example.com/app: x}}"),
	         ".metadata.labels[\"Example.com/app\"]", "not a valid label key"},
		{"ValidateFinalizerName, validateKubeFinalizerName",
	         CM("{name: a, namespace: n, finalizers: [cleanup]}"), ".metadata.finalizers[0]",
	         "neither a standard finalizer name nor fully qualified"},
		{"ValidateFinalizerName", CM("{name: a, namespace: n, finalizers: [orphan]}"), NULL,
	         NULL},
		{"ValidateFinalizers",
	         CM("{name: a, namespace: n, finalizers: [orphan, foregroundDeletion]}"),
	         ".metadata.finalizers", "cannot be both set"},
		{"validateOwnerReference",
	         CM("{name: a, namespace: n, ownerReferences: [{apiVersion: v1, kind: Pod, name: p}]}"),
	         ".metadata.ownerReferences[0].uid", "non-empty 'uid'"},
		{"ValidateOwnerReferences (one controller)",
	         CM("{name: a, namespace: n, ownerReferences: [{apiVersion: v1, kind: Pod, name: p, "
	            "uid: u, controller: true}, {apiVersion: v1, kind: Pod, name: q, uid: v, "
	            "controller: true}]}"),
	         ".metadata.ownerReferences[1]", "only one owner reference"},
		{"BannedOwners",
	         CM("{name: a, namespace: n, ownerReferences: [{apiVersion: v1, kind: Event, name: p, "
	            "uid: u}]}"),
	         ".metadata.ownerReferences[0]", "an Event cannot be an owner"},
		{"ValidateObjectMeta generateName (maskTrailingDash)",
	         CM("{generateName: web-, namespace: n}"), NULL, NULL},
		{"ValidateObjectMeta generateName", CM("{generateName: Web-, namespace: n}"),
	         ".metadata.generateName", "not a valid ConfigMap generateName"},
		{"IsConfigMapKey (hasChDirPrefix)",
	         "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: n}\ndata: {..x: y}\n",
	         ".data[\"..x\"]", "not a valid ConfigMap key"},
		{"ValidateCronJobCreate (52 characters)",
	         "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: "
	         "ccccccccccccccccccccccccccccccccccccccccccccccccccccc, namespace: n}\nspec: "
	         "{schedule: '@daily', jobTemplate: {spec: {template: {spec: {restartPolicy: Never, "
	         "containers: [{name: w, image: i}]}}}}}\n",
	         ".metadata.name", "at most 52 characters"},
	};
	RUN_ROWS(rows);
}

TEST(k8s_pod_specs_follow_validate_pod_spec)
{
	static const row rows[] = {
		{"validateContainers (unique names)",
	         DEP("{containers: [{name: w, image: i}, {name: w, image: j}]}"),
	         TPL ".containers[1].name", "used twice in this pod"},
		{"validateInitContainers (names shared with containers)",
	         DEP("{initContainers: [{name: w, image: i}], containers: [{name: w, image: j}]}"),
	         TPL ".initContainers[0].name", "used twice"},
		{"ValidatePodSpec (at least one container)", DEP("{containers: []}"),
	         TPL ".containers", "at least one container"},
		{"validateContainerCommon (image required)", DEP("{containers: [{name: w}]}"),
	         TPL ".containers[0].image", "needs an image"},
		{"validateContainerPorts (IsValidPortNum)", DEP(C1("ports: [{containerPort: 0}]")),
	         TPL ".containers[0].ports[0].containerPort", "between 1 and 65535"},
		{"validateContainerPorts (IsValidPortName)",
	         DEP(C1("ports: [{containerPort: 80, name: '8080'}]")),
	         TPL ".containers[0].ports[0].name", "not a valid port name"},
		{"validateContainerPorts (unique names)",
	         DEP(C1("ports: [{containerPort: 80, name: h}, {containerPort: 81, name: h}]")),
	         TPL ".containers[0].ports[1].name", "used twice"},
		{"validateContainerPorts (protocol)",
	         DEP(C1("ports: [{containerPort: 80, protocol: HTTP}]")),
	         TPL ".containers[0].ports[0].protocol", "not a supported protocol"},
		{"checkHostPortConflicts",
	         DEP("{containers: [{name: a, image: i, ports: [{containerPort: 1, hostPort: 80}]}, "
	             "{name: b, image: i, ports: [{containerPort: 2, hostPort: 80}]}]}"),
	         TPL ".containers[1]", "hostPort 80 is used twice"},
		{"ValidateEnv (IsRelaxedEnvVarName)", DEP(C1("env: [{name: 'A=B', value: x}]")),
	         TPL ".containers[0].env[0].name", "not a valid environment variable name"},
		{"ValidateEnv (relaxed names)", DEP(C1("env: [{name: 1-a.b, value: x}]")), NULL,
	         NULL},
		{"validateEnvVarValueFrom (value and valueFrom)",
	         DEP(C1("env: [{name: A, value: x, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]")),
	         TPL ".containers[0].env[0].valueFrom", "may not be specified"},
		{"validateEnvVarValueFrom (one source)", DEP(C1("env: [{name: A, valueFrom: {}}]")),
	         TPL ".containers[0].env[0].valueFrom", "must specify one of"},
		{"validateSecretKeySelector",
	         DEP(C1("env: [{name: A, valueFrom: {secretKeyRef: {name: s, key: a/b}}}]")),
	         TPL ".containers[0].env[0].valueFrom.secretKeyRef.key", "not a valid key"},
		{"validateObjectFieldSelector",
	         DEP(C1("env: [{name: A, valueFrom: {fieldRef: {fieldPath: spec.containers}}}]")),
	         TPL ".containers[0].env[0].valueFrom.fieldRef.fieldPath",
	         "not a supported field path"},
		{"ValidateEnvFrom", DEP(C1("envFrom: [{prefix: X}]")),
	         TPL ".containers[0].envFrom[0]", "configMapRef or secretRef"},
		{"ValidateVolumes (unique names)",
	         DEP("{volumes: [{name: v, emptyDir: {}}, {name: v, emptyDir: {}}], containers: [{name: "
	             "w, image: i}]}"),
	         TPL ".volumes[1].name", "used twice"},
		{"validateVolumeSource (one source)",
	         DEP("{volumes: [{name: v, emptyDir: {}, secret: {secretName: s}}], containers: [{name: "
	             "w, image: i}]}"),
	         TPL ".volumes[0].secret", "more than one source"},
		{"SetDefaults_Volume (no source is an emptyDir)",
	         DEP("{volumes: [{name: v}], containers: [{name: w, image: i}]}"), NULL, NULL},
		{"validateSecretVolumeSource",
	         DEP("{volumes: [{name: v, secret: {}}], containers: [{name: w, image: i}]}"),
	         TPL ".volumes[0].secret.secretName", "needs 'secretName'"},
		{"validateKeyToPath",
	         DEP("{volumes: [{name: v, configMap: {name: c, items: [{key: k, path: ../x}]}}], "
	             "containers: [{name: w, image: i}]}"),
	         TPL ".volumes[0].configMap.items[0].path", "without '..'"},
		{"ValidateVolumeMounts (volume exists)",
	         DEP(C1("volumeMounts: [{name: nope, mountPath: /x}]")),
	         TPL ".containers[0].volumeMounts[0].name", "names no volume"},
		{"ValidateVolumeMounts (unique mountPath)",
	         DEP("{volumes: [{name: a, emptyDir: {}}], containers: [{name: w, image: i, "
	             "volumeMounts: [{name: a, mountPath: /x}, {name: a, mountPath: /x}]}]}"),
	         TPL ".containers[0].volumeMounts[1].mountPath", "mounted twice"},
		{"validateProbe (a handler)", DEP(C1("livenessProbe: {periodSeconds: 5}")),
	         TPL ".containers[0].livenessProbe", "must specify a handler"},
		{"validateHandler (one handler)",
	         DEP(C1("livenessProbe: {httpGet: {port: 80}, tcpSocket: {port: 80}}")),
	         TPL ".containers[0].livenessProbe.tcpSocket", "more than one handler"},
		{"validateProbe (successThreshold)",
	         DEP(C1("livenessProbe: {tcpSocket: {port: 80}, successThreshold: 2}")),
	         TPL ".containers[0].livenessProbe.successThreshold", "must be 1"},
		{"validateInitContainers (no probes)",
	         DEP("{initContainers: [{name: x, image: i, readinessProbe: {tcpSocket: {port: 1}}}], "
	             "containers: [{name: w, image: i}]}"),
	         TPL ".initContainers[0].readinessProbe", "may not be set for init containers"},
		{"validateInitContainers (sidecar)",
	         DEP("{initContainers: [{name: x, image: i, restartPolicy: Always, readinessProbe: "
	             "{tcpSocket: {port: 1}}}], containers: [{name: w, image: i}]}"),
	         NULL, NULL},
		{"ValidateResourceRequirements (requests <= limits)",
	         DEP(C1("resources: {requests: {cpu: '2'}, limits: {cpu: 1}}")),
	         TPL ".containers[0].resources.requests.cpu", "above its limit"},
		{"ValidateResourceQuantityValue (non-negative)",
	         DEP(C1("resources: {requests: {memory: -1Gi}}")),
	         TPL ".containers[0].resources.requests.memory", "greater than or equal to 0"},
		{"validateContainerResourceName", DEP(C1("resources: {requests: {gpu: '1'}}")),
	         TPL ".containers[0].resources.requests.gpu", "not a standard resource"},
		{"ValidateResourceRequirements (not overcommitable)",
	         DEP(C1("resources: {requests: {example.com/gpu: '1'}}")),
	         TPL ".containers[0].resources.requests[\"example.com/gpu\"]",
	         "cannot be overcommitted"},
		{"ParseQuantity", DEP(C1("resources: {requests: {memory: 1GB}}")),
	         TPL ".containers[0].resources.requests.memory", "not a quantity"},
		{"ValidatePodTemplateSpecForReplicaSet (restartPolicy)",
	         DEP("{restartPolicy: Never, containers: [{name: w, image: i}]}"),
	         TPL ".restartPolicy", "not allowed in a Deployment"},
		{"ValidatePodTemplateSpecForReplicaSet (activeDeadlineSeconds)",
	         DEP("{activeDeadlineSeconds: 5, containers: [{name: w, image: i}]}"),
	         TPL ".activeDeadlineSeconds", "not supported in a Deployment"},
		{"validateDNSPolicy", DEP("{dnsPolicy: None, containers: [{name: w, image: i}]}"),
	         TPL ".dnsConfig", "needs dnsConfig"},
		{"ValidateSecurityContext (IsValidUserID)",
	         DEP(C1("securityContext: {runAsUser: -1}")),
	         TPL ".containers[0].securityContext.runAsUser", "not between 0 and 2147483647"},
		{"ValidateSecurityContext (privileged without escalation)",
	         DEP(C1("securityContext: {privileged: true, allowPrivilegeEscalation: false}")),
	         TPL ".containers[0].securityContext.allowPrivilegeEscalation",
	         "privileged is true"},
		{"validateSeccompProfileField",
	         DEP("{securityContext: {seccompProfile: {type: Localhost}}, containers: [{name: w, "
	             "image: i}]}"),
	         TPL ".securityContext.seccompProfile.localhostProfile", "needs localhostProfile"},
		{"ValidateAppArmorProfileField",
	         DEP(C1("securityContext: {appArmorProfile: {type: RuntimeDefault, localhostProfile: "
	                "x}}")),
	         TPL ".containers[0].securityContext.appArmorProfile.localhostProfile",
	         "only be set when the type is 'Localhost'"},
		{"validatePodSpecSecurityContext (fsGroup)",
	         DEP("{securityContext: {fsGroup: 4294967296}, containers: [{name: w, image: i}]}"),
	         TPL ".securityContext.fsGroup", "not between 0 and 2147483647"},
		{"ValidateNodeSelector (a term)",
	         DEP("{affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: "
	             "{nodeSelectorTerms: []}}}, containers: [{name: w, image: i}]}"),
	         TPL ".affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution."
	             "nodeSelectorTerms",
	         "at least one node selector term"},
		{"ValidateNodeSelectorRequirement (Gt)",
	         DEP("{affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: "
	             "{nodeSelectorTerms: [{matchExpressions: [{key: cores, operator: Gt, values: [1, "
	             "2]}]}]}}}, containers: [{name: w, image: i}]}"),
	         TPL ".affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution."
	             "nodeSelectorTerms[0].matchExpressions[0].values",
	         "exactly one value"},
		{"validateWeightedPodAffinityTerms (weight)",
	         DEP("{affinity: {podAntiAffinity: {preferredDuringSchedulingIgnoredDuringExecution: "
	             "[{weight: 0, podAffinityTerm: {topologyKey: kubernetes.io/hostname}}]}}, "
	             "containers: [{name: w, image: i}]}"),
	         TPL ".affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]."
	             "weight",
	         "range 1-100"},
		{"validatePodAffinityTerm (topologyKey)",
	         DEP("{affinity: {podAffinity: {requiredDuringSchedulingIgnoredDuringExecution: "
	             "[{labelSelector: {matchLabels: {app: w}}}]}}, containers: [{name: w, image: i}]}"),
	         TPL ".affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]."
	             "topologyKey",
	         "needs a topologyKey"},
		{"validateTolerations",
	         DEP("{tolerations: [{key: k, operator: Exists, value: v}], containers: [{name: w, "
	             "image: i}]}"),
	         TPL ".tolerations[0].value", "must be empty"},
		{"validateTopologySpreadConstraints",
	         DEP("{topologySpreadConstraints: [{maxSkew: 0, topologyKey: zone, "
	             "whenUnsatisfiable: DoNotSchedule}], containers: [{name: w, image: i}]}"),
	         TPL ".topologySpreadConstraints[0].maxSkew", "above 0"},
	};
	RUN_ROWS(rows);
}

#define JOB(spec)                                                                                  \
	"apiVersion: batch/v1\nkind: Job\nmetadata: {name: j, namespace: n}\nspec: " spec "\n"
#define CRON(spec)                                                                                 \
	"apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c, namespace: n}\nspec: " spec "\n"
#define JT                                                                                         \
	"jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: w, image: i}]}}}}"

TEST(k8s_workloads_follow_apps_and_batch_validation)
{
	static const row rows[] = {
		{"ValidatePodTemplateSpecForReplicaSet (selector matches)",
	         DEP_SEL("{matchLabels: {app: x}}", "{app: w}",
	                 "{containers: [{name: w, image: i}]}"),
	         ".spec.template.metadata.labels", "does not match the template's labels"},
		{"ValidateDeploymentSpec (empty selector)",
	         DEP_SEL("{}", "{app: w}", "{containers: [{name: w, image: i}]}"), ".spec.selector",
	         "empty selector"},
		{"ValidateLabelSelector (operator)",
	         DEP_SEL("{matchExpressions: [{key: app, operator: Equals, values: [w]}]}",
	                 "{app: w}", "{containers: [{name: w, image: i}]}"),
	         ".spec.selector.matchExpressions[0].operator", "not a selector operator"},
		{"ValidateRollingUpdateDeployment",
	         "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: n}\nspec:\n  "
	         "strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 0}}\n  selector: "
	         "{matchLabels: {a: b}}\n  template: {metadata: {labels: {a: b}}, spec: {containers: "
	         "[{name: w, image: i}]}}\n",
	         ".spec.strategy.rollingUpdate.maxUnavailable", "may not be 0 when maxSurge is 0"},
		{"ValidateDeploymentStrategy (Recreate)",
	         "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: n}\nspec:\n  "
	         "strategy: {type: Recreate, rollingUpdate: {}}\n  selector: {matchLabels: {a: b}}\n  "
	         "template: {metadata: {labels: {a: b}}, spec: {containers: [{name: w, image: i}]}}\n",
	         ".spec.strategy.rollingUpdate", "'Recreate'"},
		{"ValidateDeploymentSpec (progressDeadlineSeconds, default 600)",
	         "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: n}\nspec:\n  "
	         "minReadySeconds: 700\n  selector: {matchLabels: {a: b}}\n  template: {metadata: "
	         "{labels: {a: b}}, spec: {containers: [{name: w, image: i}]}}\n",
	         ".spec.minReadySeconds", "must be greater than minReadySeconds"},
		{"ValidateRollingUpdateDaemonSet (defaults maxSurge 0)",
	         "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: d, namespace: n}\nspec:\n  "
	         "updateStrategy: {rollingUpdate: {maxUnavailable: 0}}\n  selector: {matchLabels: {a: "
	         "b}}\n  template: {metadata: {labels: {a: b}}, spec: {containers: [{name: w, image: "
	         "i}]}}\n",
	         ".spec.updateStrategy.rollingUpdate.maxUnavailable", "may not be 0"},
		{"ValidateStatefulSetSpec (podManagementPolicy)",
	         "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: d, namespace: n}\nspec:\n  "
	         "podManagementPolicy: Random\n  selector: {matchLabels: {a: b}}\n  template: "
	         "{metadata: {labels: {a: b}}, spec: {containers: [{name: w, image: i}]}}\n",
	         ".spec.podManagementPolicy", "not a supported podManagementPolicy"},
		{"validateJobSpec (restartPolicy)",
	         JOB("{template: {spec: {containers: [{name: w, image: i}]}}}"),
	         ".spec.template.spec.restartPolicy", "needs restartPolicy 'OnFailure' or 'Never'"},
		{"validateJobSpec (Indexed needs completions)",
	         JOB("{completionMode: Indexed, parallelism: 2, template: {spec: {restartPolicy: Never, "
	             "containers: [{name: w, image: i}]}}}"),
	         ".spec.completions", "needs 'completions'"},
		{"SetDefaults_Job (completions 1 when neither is given)",
	         JOB("{completionMode: Indexed, template: {spec: {restartPolicy: Never, containers: "
	             "[{name: w, image: i}]}}}"),
	         NULL, NULL},
		{"validateJobSpec (non-negative)",
	         JOB("{backoffLimit: -1, template: {spec: {restartPolicy: Never, containers: [{name: w, "
	             "image: i}]}}}"),
	         ".spec.backoffLimit", "greater than or equal to 0"},
		{"validateScheduleFormat (robfig/cron ParseStandard)",
	         CRON("{schedule: '60 * * * *', " JT "}"), ".spec.schedule", "not a cron schedule"},
		{"validateScheduleFormat (no TZ)", CRON("{schedule: 'TZ=UTC 0 3 * * *', " JT "}"),
	         ".spec.schedule", "TZ or CRON_TZ"},
		{"validateScheduleFormat (descriptors)", CRON("{schedule: '@every 1h30m', " JT "}"),
	         NULL, NULL},
		{"validateTimeZone (Local)", CRON("{schedule: '@daily', timeZone: Local, " JT "}"),
	         ".spec.timeZone", "not 'Local'"},
		{"validateTimeZone (LoadLocation)",
	         CRON("{schedule: '@daily', timeZone: Mars/Olympus, " JT "}"), ".spec.timeZone",
	         "unknown time zone"},
		{"validateTimeZone (LoadLocation, a typo)",
	         CRON("{schedule: '@daily', timeZone: Europe/Berln, " JT "}"), ".spec.timeZone",
	         "unknown time zone"},
		{"validateTimeZone (three-part names)",
	         CRON("{schedule: '@daily', timeZone: America/Argentina/Buenos_Aires, " JT "}"),
	         NULL, NULL},
		{"validateCronJobSpec (concurrencyPolicy)",
	         CRON("{schedule: '@daily', concurrencyPolicy: Never, " JT "}"),
	         ".spec.concurrencyPolicy", "not a supported concurrencyPolicy"},
		{"ValidateJobTemplateSpec (generated selector)",
	         CRON("{schedule: '@daily', jobTemplate: {spec: {selector: {matchLabels: {a: b}}, "
	              "template: {spec: {restartPolicy: Never, containers: [{name: w, image: i}]}}}}}"),
	         ".spec.jobTemplate.spec.selector", "generated"},
	};
	RUN_ROWS(rows);
}

#define SVC(spec)                                                                                  \
	"apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: n}\nspec: " spec "\n"
#define NP(spec)                                                                                   \
	"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: "   \
	"n}\nspec: " spec "\n"
#define ING(spec)                                                                                         \
	"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i, namespace: n}\nspec: " spec \
	"\n"
#define BK "backend: {service: {name: web, port: {number: 80}}}"

TEST(k8s_network_kinds_follow_service_and_networking_validation)
{
	static const row rows[] = {
		{"validateServicePort (names required)", SVC("{ports: [{port: 80}, {port: 81}]}"),
	         ".spec.ports[0].name", "must name each of them"},
		{"ValidateService (duplicate port and protocol)",
	         SVC("{ports: [{name: a, port: 80}, {name: b, port: 80}]}"), ".spec.ports[1].port",
	         "used twice with the same protocol"},
		{"ValidateService (ports required)", SVC("{ports: []}"), ".spec.ports",
	         "at least one port"},
		{"ValidateService (headless)", SVC("{clusterIP: None}"), NULL, NULL},
		{"ValidateService (ExternalName)",
	         SVC("{type: ExternalName, externalName: DB.example.com}"), ".spec.externalName",
	         "not a valid externalName"},
		{"ValidateService (nodePort on ClusterIP)",
	         SVC("{ports: [{port: 80, nodePort: 30080}]}"), ".spec.ports[0].nodePort",
	         "only be used when the type is"},
		{"validateServiceExternalTrafficPolicy",
	         SVC("{externalTrafficPolicy: Local, ports: [{port: 80}]}"),
	         ".spec.externalTrafficPolicy", "externally-accessible"},
		{"ValidatePortNumOrName (targetPort)",
	         SVC("{ports: [{port: 80, targetPort: HTTP}]}"), ".spec.ports[0].targetPort",
	         "not a valid port name"},
		{"ValidateIPBlock (except inside cidr)",
	         NP("{podSelector: {}, egress: [{to: [{ipBlock: {cidr: 10.0.0.0/16, except: "
	            "[10.1.0.0/24]}}]}]}"),
	         ".spec.egress[0].to[0].ipBlock.except[0]", "strict subset"},
		{"ValidateIPBlock (leading zeros as ParseCIDRSloppy)",
	         NP("{podSelector: {}, egress: [{to: [{ipBlock: {cidr: 010.0.0.0/8}}]}]}"), NULL,
	         NULL},
		{"ValidateNetworkPolicyPort (endPort)",
	         NP("{podSelector: {}, egress: [{ports: [{port: 8080, endPort: 80}]}]}"),
	         ".spec.egress[0].ports[0].endPort", "greater than or equal to port"},
		{"ValidateNetworkPolicyPort (named port)",
	         NP("{podSelector: {}, egress: [{ports: [{port: http, endPort: 90}]}]}"),
	         ".spec.egress[0].ports[0].endPort", "named port"},
		{"ValidateNetworkPolicyPeer (one peer type with ipBlock)",
	         NP("{podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: "
	            "{}}]}]}"),
	         ".spec.ingress[0].from[0].ipBlock", "both ipBlock and another"},
		{"ValidateNetworkPolicyPeer (a peer)",
	         NP("{podSelector: {}, ingress: [{from: [{}]}]}"), ".spec.ingress[0].from[0]",
	         "must specify"},
		{"ValidateNetworkPolicySpec (policyTypes)",
	         NP("{podSelector: {}, policyTypes: [In]}"), ".spec.policyTypes[0]",
	         "not a policy type"},
		{"validateIngressRules (host)",
	         ING("{rules: [{host: 'a.example.com:443', http: {paths: [{path: /, pathType: Prefix, " BK
	             "}]}}]}"),
	         ".spec.rules[0].host", "not a valid host"},
		{"validateIngressRules (wildcard)",
	         ING("{rules: [{host: '*.example.com', http: {paths: [{path: /, pathType: Prefix, " BK
	             "}]}}]}"),
	         NULL, NULL},
		{"validateHTTPIngressPath (pathType)",
	         ING("{rules: [{http: {paths: [{path: /, " BK "}]}}]}"),
	         ".spec.rules[0].http.paths[0].pathType", "needs a pathType"},
		{"validateHTTPIngressPath (absolute)",
	         ING("{rules: [{http: {paths: [{path: api, pathType: Exact, " BK "}]}}]}"),
	         ".spec.rules[0].http.paths[0].path", "must be absolute"},
		{"validateIngressBackend (port)",
	         ING("{rules: [{http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: "
	             "web, port: {}}}}]}}]}"),
	         ".spec.rules[0].http.paths[0].backend.service.port", "port name or number"},
		{"ValidateIngressSpec (rules or defaultBackend)", ING("{}"), ".spec",
	         "rules or a defaultBackend"},
	};
	RUN_ROWS(rows);
}

#define SEC(rest) "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: n}\n" rest
#define RB(rest)                                                                                   \
	"apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, "        \
	"namespace: n}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}\n" rest
#define CRB(rest)                                                                                  \
	"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: "    \
	"b}\nroleRef: {kind: ClusterRole, name: view}\n" rest
#define ROLE(rules)                                                                                \
	"apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: "    \
	"n}\nrules: " rules "\n"

TEST(k8s_other_kinds_follow_core_rbac_policy_and_autoscaling_validation)
{
	static const row rows[] = {
		{"ValidateSecret (kubernetes.io/tls)",
	         SEC("type: kubernetes.io/tls\ndata: {tls.crt: eA==}\n"), ".data[\"tls.key\"]",
	         "'tls.key'"},
		{"ValidateSecret (kubernetes.io/dockerconfigjson)",
	         SEC("type: kubernetes.io/dockerconfigjson\ndata: {.dockerconfigjson: bm90IGpzb24=}\n"),
	         ".data[\".dockerconfigjson\"]", "not a JSON object"},
		{"ValidateSecret (kubernetes.io/basic-auth)",
	         SEC("type: kubernetes.io/basic-auth\nstringData: {user: u}\n"), ".data.username",
	         "'username' or 'password'"},
		{"ValidateSecret (kubernetes.io/ssh-auth)",
	         SEC("type: kubernetes.io/ssh-auth\ndata: {ssh-privatekey: ''}\n"),
	         ".data.ssh-privatekey", "must not be empty"},
		{"ValidateSecret (kubernetes.io/service-account-token)",
	         SEC("type: kubernetes.io/service-account-token\n"),
	         ".metadata.annotations[\"kubernetes.io/service-account.name\"]",
	         "kubernetes.io/service-account.name"},
		{"encoding/json []byte (base64)", SEC("data: {password: plain text}\n"),
	         ".data.password", "not base64"},
		{"encoding/json []byte (padding)", SEC("data: {k: YQ}\n"), ".data.k", "not base64"},
		{"encoding/json []byte (line breaks)", SEC("data: {k: \"c2Vj\\ncmV0\"}\n"), NULL,
	         NULL},
		{"SOPS values are not judged",
	         SEC("data: {k: 'ENC[AES256_GCM,data:abc,iv:x,tag:y,type:str]'}\n"), NULL, NULL},
		{"ValidateConfigMap (binaryData base64)",
	         "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: n}\nbinaryData: {b: "
	         "'a b'}\n",
	         ".binaryData.b", "not base64"},
		{"ValidatePolicyRule (verbs)",
	         ROLE("[{apiGroups: [''], resources: [pods], verbs: []}]"), ".rules[0].verbs",
	         "at least one verb"},
		{"ValidatePolicyRule (apiGroups)", ROLE("[{resources: [pods], verbs: [get]}]"),
	         ".rules[0].apiGroups", "at least one API group"},
		{"ValidatePolicyRule (non-resource URLs in a Role)",
	         ROLE("[{nonResourceURLs: [/healthz], verbs: [get]}]"), ".rules[0].nonResourceURLs",
	         "cannot name non-resource URLs"},
		{"ValidateRoleBindingSubject (Group without apiGroup, defaulted)",
	         RB("subjects: [{kind: Group, name: devs}]\n"), NULL, NULL},
		{"ValidateRoleBindingSubject (User apiGroup)",
	         RB("subjects: [{kind: User, name: a, apiGroup: example.com}]\n"),
	         ".subjects[0].apiGroup", "must be 'rbac.authorization.k8s.io'"},
		{"ValidateRoleBindingSubject (ServiceAccount apiGroup)",
	         RB("subjects: [{kind: ServiceAccount, name: a, apiGroup: rbac.authorization.k8s.io}]\n"),
	         ".subjects[0].apiGroup", "must be empty"},
		{"ValidateRoleBindingSubject (kind)", RB("subjects: [{kind: Robot, name: r}]\n"),
	         ".subjects[0].kind", "not a subject kind"},
		{"ValidateRoleBindingSubject (namespace in a ClusterRoleBinding)",
	         CRB("subjects: [{kind: ServiceAccount, name: a}]\n"), ".subjects[0].namespace",
	         "needs a namespace"},
		{"ValidateClusterRoleBinding (roleRef kind)",
	         "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: "
	         "b}\nroleRef: {kind: Role, name: r}\n",
	         ".roleRef.kind", "must be 'ClusterRole'"},
		{"ValidateResourceQuotaResourceName",
	         "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: n}\nspec: {hard: "
	         "{deployments: '5'}}\n",
	         ".spec.hard.deployments", "not a quota resource"},
		{"ValidateResourceQuantityValue (integer resources)",
	         "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: n}\nspec: {hard: "
	         "{pods: '1.5'}}\n",
	         ".spec.hard.pods", "must be an integer"},
		{"ValidateLimitRange (default <= max)",
	         "apiVersion: v1\nkind: LimitRange\nmetadata: {name: l, namespace: n}\nspec: {limits: "
	         "[{type: Container, default: {cpu: '4'}, max: {cpu: '2'}}]}\n",
	         ".spec.limits[0].default.cpu", "the default limit is greater than max"},
		{"ValidateLimitRange (default only for Container)",
	         "apiVersion: v1\nkind: LimitRange\nmetadata: {name: l, namespace: n}\nspec: {limits: "
	         "[{type: Pod, default: {cpu: '1'}}]}\n",
	         ".spec.limits[0].default", "may not be given when the type is 'Pod'"},
		{"ValidatePersistentVolumeClaimSpec (access modes)",
	         "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c, namespace: n}\nspec: "
	         "{accessModes: [], resources: {requests: {storage: 1Gi}}}\n",
	         ".spec.accessModes", "at least one access mode"},
		{"ValidatePersistentVolumeClaimSpec (storage)",
	         "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c, namespace: n}\nspec: "
	         "{accessModes: [ReadWriteOnce], resources: {requests: {storage: '0'}}}\n",
	         ".spec.resources.requests.storage", "greater than zero"},
		{"ValidatePodDisruptionBudgetSpec (both)",
	         "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p, namespace: "
	         "n}\nspec: {minAvailable: 1, maxUnavailable: 1}\n",
	         ".spec.maxUnavailable", "cannot be both set"},
		{"ValidatePositiveIntOrPercent",
	         "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p, namespace: "
	         "n}\nspec: {minAvailable: one}\n",
	         ".spec.minAvailable", "not a valid minAvailable"},
		{"ValidateHorizontalPodAutoscalerSpec (max >= min)",
	         "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h, "
	         "namespace: n}\nspec: {scaleTargetRef: {kind: Deployment, name: w}, minReplicas: 5, "
	         "maxReplicas: 2}\n",
	         ".spec.maxReplicas", "must be at least minReplicas"},
		{"validateMetricSpec",
	         "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h, "
	         "namespace: n}\nspec: {scaleTargetRef: {kind: Deployment, name: w}, maxReplicas: 2, "
	         "metrics: [{type: Pods}]}\n",
	         ".spec.metrics[0].pods", "needs 'pods'"},
		{"validateScalingRules",
	         "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h, "
	         "namespace: n}\nspec: {scaleTargetRef: {kind: Deployment, name: w}, maxReplicas: 2, "
	         "behavior: {scaleDown: {stabilizationWindowSeconds: 4000}}}\n",
	         ".spec.behavior.scaleDown.stabilizationWindowSeconds", "between 0 and 3600"},
	};
	RUN_ROWS(rows);
}

/* The valid edge cases that the API server accepts must stay accepted. */
TEST(k8s_valid_edge_cases_the_api_server_accepts_stay_accepted)
{
	static const row rows[] = {
		{"ValidateAnnotations lower-cases keys",
	         CM("{name: a, namespace: n, annotations: {Example.COM/Owner: x, MixedCase: y}}"),
	         NULL, NULL},
		{"ValidateLabels: empty label values",
	         CM("{name: a, namespace: n, labels: {tier: ''}}"), NULL, NULL},
		{"a 52-character CronJob name",
	         "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: "
	         "cccccccccccccccccccccccccccccccccccccccccccccccccccc, namespace: n}\nspec: "
	         "{schedule: '*/5 * * * *', " JT "}\n",
	         NULL, NULL},
		{"named container ports and probes on them",
	         DEP(C1("ports: [{containerPort: 8080, name: http}], readinessProbe: {httpGet: {path: /, "
	                "port: http}}")),
	         NULL, NULL},
		{"quantities as bare numbers",
	         DEP(C1("resources: {requests: {cpu: 0.5, memory: 134217728}, limits: {cpu: 1}}")),
	         NULL, NULL},
		{"1000m equals 1",
	         DEP(C1("resources: {requests: {cpu: 1000m}, limits: {cpu: '1'}}")), NULL, NULL},
		{"Group subjects without apiGroup",
	         RB("subjects: [{kind: Group, name: devs}, {kind: "
	            "User, name: alice}]\n"),
	         NULL, NULL},
		{"roleRef without apiGroup",
	         CRB("subjects: [{kind: ServiceAccount, name: a, namespace: n}]\n"), NULL, NULL},
		{"RBAC names are path segments",
	         ROLE("[{apiGroups: [''], resources: [pods], verbs: [get]}]") "", NULL, NULL},
		{"maxSurge 0 alone (maxUnavailable defaults to 25%)",
	         "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: n}\nspec:\n  "
	         "strategy: {rollingUpdate: {maxSurge: 0}}\n  selector: {matchLabels: {a: b}}\n  "
	         "template: {metadata: {labels: {a: b}}, spec: {containers: [{name: w, image: i}]}}\n",
	         NULL, NULL},
		{"selector by expression",
	         DEP_SEL("{matchExpressions: [{key: app, operator: In, values: [w, v]}, {key: tier, "
	                 "operator: DoesNotExist}]}",
	                 "{app: w}", "{containers: [{name: w, image: i}]}"),
	         NULL, NULL},
		{"headless Service without ports", SVC("{clusterIP: None, selector: {app: w}}"),
	         NULL, NULL},
		{"ExternalName with a trailing dot",
	         SVC("{type: ExternalName, externalName: db.example.com.}"), NULL, NULL},
		{"the same port over TCP and UDP",
	         SVC("{ports: [{name: a, port: 53}, {name: b, port: 53, protocol: UDP}]}"), NULL,
	         NULL},
		{"a template image with a leading space (a token some tools use)",
	         DEP("{containers: [{name: w, image: ' i'}]}"), NULL, NULL},
		{"Secret data with line breaks and stringData plain text",
	         SEC("data: {a: \"YWJj\\nZGVm\"}\nstringData: {b: 'not base64 at all'}\n"), NULL,
	         NULL},
		{"TLS keys that are empty",
	         SEC("type: kubernetes.io/tls\ndata: {tls.crt: '', tls.key: ''}\n"), NULL, NULL},
		{"IPv6 ipBlock",
	         NP("{podSelector: {}, egress: [{to: [{ipBlock: {cidr: 2001:db8::/32, "
	            "except: ['2001:db8:1::/48']}}]}]}"),
	         NULL, NULL},
		{"schedules with names and question marks",
	         CRON("{schedule: '0 0 ? JAN-MAR mon-fri', timeZone: Europe/Berlin, " JT "}"), NULL,
	         NULL},
		{"count quotas",
	         "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: "
	         "n}\nspec: {hard: {count/deployments.apps: 5, requests.example.com/gpu: "
	         "2, requests.cpu: 4}}\n",
	         NULL, NULL},
	};
	RUN_ROWS(rows);
}

TEST(k8s_syntax_follows_apimachinery_and_robfig_cron)
{
	CHECK(tc_k8s_is_port_name("http", 4));
	CHECK(tc_k8s_is_port_name("h2c-8080", 8));
	CHECK(!tc_k8s_is_port_name("8080", 4));
	CHECK(!tc_k8s_is_port_name("a--b", 4));
	CHECK(!tc_k8s_is_port_name("-a", 2));
	CHECK(!tc_k8s_is_port_name("abcdefghijklmnop", 16));
	CHECK(tc_k8s_is_env_name("1.a-b", 5));
	CHECK(!tc_k8s_is_env_name("a=b", 3));
	int64_t p;
	CHECK(tc_k8s_is_percent("25%", 3, &p) && p == 25);
	CHECK(!tc_k8s_is_percent("25", 2, &p));
	double q;
	tc_value v = {.kind = TC_STR};
	v.u.str.ptr = "1Gi";
	v.u.str.len = 3;
	CHECK(tc_k8s_quantity(&v, &q) && q == 1073741824.0);
	v.u.str.ptr = "500m";
	v.u.str.len = 4;
	CHECK(tc_k8s_quantity(&v, &q) && q > 0.4999 && q < 0.5001);
	v.u.str.ptr = "1e3";
	v.u.str.len = 3;
	CHECK(tc_k8s_quantity(&v, &q) && q == 1000.0);
	v.u.str.ptr = "1GB";
	CHECK(!tc_k8s_quantity(&v, &q));
	CHECK(tc_k8s_cron_error("*/5 * * * *", 11) == NULL);
	CHECK(tc_k8s_cron_error("@monthly", 8) == NULL);
	CHECK(tc_k8s_cron_error("0 0 * * 7", 9) != NULL);
	CHECK(tc_k8s_cron_error("0 0 31 2 *", 10) == NULL); /* robfig does not check dates */
	unsigned char a[16];
	bool v6;
	int bits;
	CHECK(tc_k8s_parse_cidr("10.0.0.0/8", 10, a, &v6, &bits) && !v6 && bits == 8);
	CHECK(!tc_k8s_parse_cidr("10.0.0.0", 8, a, &v6, &bits));
	CHECK(tc_k8s_parse_cidr("2001:db8::/32", 13, a, &v6, &bits) && v6 && bits == 32);
	CHECK(!tc_k8s_parse_ip("256.0.0.1", 9, a, &v6));
}

/* Secret data values never reach a message, decrypted or not. */
TEST(k8s_secret_rules_never_quote_data_values)
{
	char got[2048];
	first_error(SEC("data: {password: hunter2 is plain}\n"), got, sizeof got);
	CHECK(strstr(got, "not base64") != NULL);
	CHECK(strstr(got, "hunter2") == NULL);
	first_error(SEC("type: kubernetes.io/dockerconfigjson\nstringData: {.dockerconfigjson: "
	                "'hunter2'}\n"),
	            got, sizeof got);
	CHECK(strstr(got, "not a JSON object") != NULL);
	CHECK(strstr(got, "hunter2") == NULL);
}

int main(void)
{
	tc_arena_init(&A);
	int r = RUN(k8s_object_meta_follows_apimachinery_objectmeta,
	            k8s_pod_specs_follow_validate_pod_spec,
	            k8s_workloads_follow_apps_and_batch_validation,
	            k8s_network_kinds_follow_service_and_networking_validation,
	            k8s_other_kinds_follow_core_rbac_policy_and_autoscaling_validation,
	            k8s_valid_edge_cases_the_api_server_accepts_stay_accepted,
	            k8s_syntax_follows_apimachinery_and_robfig_cron,
	            k8s_secret_rules_never_quote_data_values);
	tc_arena_release(&A);
	return r;
}
