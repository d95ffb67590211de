#!/bin/sh
# The Pod Security Standards at render time: a Pod (or a workload's pod
# template) in a namespace rendered with pod-security.kubernetes.io labels
# is judged by the checks of k8s.io/pod-security-admission policy/check_*.go
# at the level and version of the labels. Enforce is an error (exit 1) at
# the value at fault, warn a warning; a namespace not in the render is not
# judged. Each case names the upstream check file it follows.
. "$(dirname "$0")/lib.sh"

R=$T/repo
mkdir -p "$R/environments" "$R/templates/tenant" "$R/tenants/t"
printf 'output: rendered\n' >"$R/tenantc.yaml"
printf 'name: dev\n' >"$R/environments/dev.yaml"
printf 'name: t\n' >"$R/tenants/t/tenant.yaml"

# namespace LABELS: the tenant's namespace with these labels (a flow map)
namespace() {
	cat >"$R/templates/tenant/namespace.yaml" <<EOF
apiVersion: v1
kind: Namespace
metadata:
  name: \${tenant.name}
  labels: $1
EOF
}

# pod: a Pod that the restricted standard accepts, with these variables
# changed: PSC the pod's securityContext, CSC the container's, SPEC more
# keys of spec, CONT more keys of the container, ANN annotations
PSC0='{runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}'
CSC0='{allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}'
reset() { PSC=$PSC0 CSC=$CSC0 SPEC='{}' CONT='{}' ANN='{}'; }
pod() {
	cat >"$R/templates/tenant/pod.yaml" <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: \${tenant.name}
  annotations: $ANN
spec:
  \$merge:
    - securityContext: $PSC
      containers:
        - \$merge:
            - name: c
              image: registry.example.com/c:1
              securityContext: $CSC
            - $CONT
    - $SPEC
EOF
}
render() { run "$TENANTC" render --repo "$R" --stdout; }

namespace '{pod-security.kubernetes.io/enforce: restricted}'
reset
pod
render
expect "a Pod that meets restricted renders clean" 'expect_status 0 && expect_stderr_empty'

# case CHECK UPSTREAM-FILE PATH: the planted Pod violates CHECK at PATH
case_enforce() {
	render
	expect "$1 ($2) is enforced" \
		'expect_status 1 && expect_stderr "error: Pod '"'"'t/p'"'"' violates PodSecurity \"restricted:latest\" enforced on namespace '"'"'t'"'"': $1 .*\(at \\$3\)"' \
		"$@"
	reset
	pod
}

reset; CSC='{privileged: true, capabilities: {drop: [ALL]}}'; pod
render
expect "privileged (check_privileged.go) points at the value" \
	'expect_status 1 && expect_stderr_line "^templates/tenant/pod.yaml:14:32: error: .*allowPrivilegeEscalation" && grep -qxF "templates/tenant/pod.yaml:14:45: error: Pod '"'"'t/p'"'"' violates PodSecurity \"restricted:latest\" enforced on namespace '"'"'t'"'"': privileged (securityContext.privileged must not be true) (at .spec.containers[0].securityContext.privileged)" "$T/stderr"'
reset; pod

CSC='{capabilities: {drop: [ALL]}}'; pod
case_enforce allowPrivilegeEscalation check_allowPrivilegeEscalation.go '.spec.containers\[0\].securityContext'
PSC='{seccompProfile: {type: RuntimeDefault}}'; pod
case_enforce runAsNonRoot check_runAsNonRoot.go '.spec.containers\[0\].securityContext'
PSC='{runAsNonRoot: true, runAsUser: 0, seccompProfile: {type: RuntimeDefault}}'; pod
case_enforce runAsUser check_runAsUser.go '.spec.securityContext.runAsUser'
PSC='{runAsNonRoot: true}'; pod
case_enforce seccompProfile_restricted check_seccompProfile_restricted.go '.spec.containers\[0\].securityContext'
PSC='{runAsNonRoot: true, seccompProfile: {type: Unconfined}}'; pod
case_enforce seccompProfile_baseline check_seccompProfile_baseline.go '.spec.securityContext.seccompProfile.type'
CSC='{allowPrivilegeEscalation: false}'; pod
case_enforce capabilities_restricted check_capabilities_restricted.go '.spec.containers\[0\].securityContext'
CSC='{allowPrivilegeEscalation: false, capabilities: {drop: [ALL], add: [SYS_ADMIN]}}'; pod
case_enforce capabilities_baseline check_capabilities_baseline.go '.spec.containers\[0\].securityContext.capabilities.add\[0\]'
SPEC='{volumes: [{name: h, hostPath: {path: /etc}}]}'; pod
case_enforce hostPathVolumes check_hostPathVolumes.go '.spec.volumes\[0\].hostPath'
SPEC='{volumes: [{name: n, nfs: {server: nfs.example.com, path: /x}}]}'; pod
case_enforce restrictedVolumes check_restrictedVolumes.go '.spec.volumes\[0\].nfs'
SPEC='{hostNetwork: true}'; pod
case_enforce hostNamespaces check_hostNamespaces.go '.spec.hostNetwork'
CONT='{ports: [{containerPort: 80, hostPort: 8080}]}'; pod
case_enforce hostPorts check_hostPorts.go '.spec.containers\[0\].ports\[0\].hostPort'
CSC='{allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, procMount: Unmasked}'; pod
case_enforce procMount check_procMount.go '.spec.containers\[0\].securityContext.procMount'
PSC='{runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}, sysctls: [{name: kernel.msgmax, value: "1"}]}'; pod
case_enforce sysctls check_sysctls.go '.spec.securityContext.sysctls\[0\].name'
CSC='{allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, appArmorProfile: {type: Unconfined}}'; pod
case_enforce appArmorProfile check_appArmorProfile.go '.spec.containers\[0\].securityContext.appArmorProfile.type'
ANN='{container.apparmor.security.beta.kubernetes.io/c: unconfined}'; pod
case_enforce appArmorProfile check_appArmorProfile.go '.metadata.annotations\["container.apparmor.security.beta.kubernetes.io/c"\]'
PSC='{runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}, seLinuxOptions: {type: spc_t}}'; pod
case_enforce seLinuxOptions check_seLinuxOptions.go '.spec.securityContext.seLinuxOptions.type'
CSC='{allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, windowsOptions: {hostProcess: true}}'; pod
case_enforce windowsHostProcess check_windowsHostProcess.go '.spec.containers\[0\].securityContext.windowsOptions.hostProcess'
CONT='{readinessProbe: {httpGet: {host: 10.0.0.1, port: 80, path: /}}}'; pod
case_enforce hostProbesAndHostLifecycle check_hostProbesAndhostLifecycle.go '.spec.containers\[0\].readinessProbe.httpGet.host'

# levels: baseline allows what only restricted forbids, not a privileged Pod
namespace '{pod-security.kubernetes.io/enforce: baseline}'
PSC='{}' CSC='{}'; pod
render
expect "baseline accepts a Pod that only restricted forbids (check_runAsNonRoot.go)" 'expect_status 0 && expect_stderr_empty'
CSC='{privileged: true}'; pod
render
expect "baseline forbids privileged (check_privileged.go)" \
	'expect_status 1 && expect_stderr "violates PodSecurity \"baseline:latest\" enforced on namespace .t.: privileged"'
namespace '{pod-security.kubernetes.io/enforce: privileged}'
render
expect "privileged enforces nothing" 'expect_status 0 && expect_stderr_empty'
reset; pod

# version pinning (the versions each check's Versions list starts at)
namespace '{pod-security.kubernetes.io/enforce: restricted, pod-security.kubernetes.io/enforce-version: v1.18}'
PSC='{runAsNonRoot: true}'; pod
render
expect "restricted v1.18 has no seccomp check (check_seccompProfile_restricted.go, v1.19)" 'expect_status 0 && expect_stderr_empty'
namespace '{pod-security.kubernetes.io/enforce: restricted, pod-security.kubernetes.io/enforce-version: v1.19}'
render
expect "restricted v1.19 checks seccomp (check_seccompProfile_restricted.go)" \
	'expect_status 1 && expect_stderr "\"restricted:v1.19\" enforced .*seccompProfile_restricted"'
reset
namespace '{pod-security.kubernetes.io/enforce: restricted, pod-security.kubernetes.io/enforce-version: v1.21}'
CSC='{allowPrivilegeEscalation: false}'; pod
render
expect "restricted v1.21 has no capabilities check (check_capabilities_restricted.go, v1.22)" 'expect_status 0 && expect_stderr_empty'
namespace '{pod-security.kubernetes.io/enforce: restricted, pod-security.kubernetes.io/enforce-version: v1.22}'
render
expect "restricted v1.22 checks capabilities (check_capabilities_restricted.go)" \
	'expect_status 1 && expect_stderr "\"restricted:v1.22\" enforced .*capabilities_restricted"'
reset
namespace '{pod-security.kubernetes.io/enforce: baseline, pod-security.kubernetes.io/enforce-version: v1.28}'
PSC='{sysctls: [{name: net.ipv4.tcp_keepalive_time, value: "60"}]}' CSC='{}'; pod
render
expect "baseline v1.28 forbids a sysctl allowed since v1.29 (check_sysctls.go)" \
	'expect_status 1 && expect_stderr "sysctls .*tcp_keepalive_time"'
namespace '{pod-security.kubernetes.io/enforce: baseline, pod-security.kubernetes.io/enforce-version: latest}'
render
expect "baseline latest allows it (check_sysctls.go)" 'expect_status 0 && expect_stderr_empty'
reset

# warn: a warning, exit 0; enforce wins over warn
namespace '{pod-security.kubernetes.io/enforce: baseline, pod-security.kubernetes.io/warn: restricted}'
PSC='{seccompProfile: {type: RuntimeDefault}}'; pod
render
expect "warn restricted is a warning (check_runAsNonRoot.go)" \
	'expect_status 0 && expect_stderr "warning: Pod .t/p. would violate PodSecurity \"restricted:latest\" \(warn on namespace .t.\): runAsNonRoot"'
reset

# label values that do not parse (api/helpers.go PolicyToEvaluate): a bad
# enforce level is restricted, a bad version latest, a bad warn level privileged
namespace '{pod-security.kubernetes.io/enforce: strict, pod-security.kubernetes.io/enforce-version: v2.0}'
PSC='{seccompProfile: {type: RuntimeDefault}}'; pod
render
expect "a bad enforce label is restricted:latest" \
	'expect_status 1 && expect_stderr "\"restricted:latest\" enforced .*runAsNonRoot"'
namespace '{pod-security.kubernetes.io/warn: strict}'
render
expect "a bad warn label fails open" 'expect_status 0 && expect_stderr_empty'
# without a warn level, warn follows enforce, at warn-version when set
namespace '{pod-security.kubernetes.io/enforce: restricted, pod-security.kubernetes.io/enforce-version: v1.18, pod-security.kubernetes.io/warn-version: latest}'
PSC='{runAsNonRoot: true}'; pod
render
expect "warn-version alone warns at the enforce level (check_seccompProfile_restricted.go)" \
	'expect_status 0 && expect_stderr "warning: .*\"restricted:latest\" \(warn .*seccompProfile_restricted"'
reset

# workloads: the pod template, enforce an error (stricter than the server)
rm "$R/templates/tenant/pod.yaml"
namespace '{pod-security.kubernetes.io/enforce: restricted}'
cat >"$R/templates/tenant/deploy.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata: {name: d, namespace: '${tenant.name}'}
spec:
  selector: {matchLabels: {app: d}}
  template:
    metadata: {labels: {app: d}}
    spec:
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      containers:
        - name: c
          image: registry.example.com/c:1
          securityContext: {privileged: true, capabilities: {drop: [ALL]}}
EOF
render
expect "a Deployment's template violating enforce is an error (check_privileged.go)" \
	'expect_status 1 && expect_stderr "error: the pod template of Deployment .t/d. violates PodSecurity .* privileged .*\(at .spec.template.spec.containers\[0\].securityContext.privileged\)"'
cat >"$R/templates/tenant/deploy.yaml" <<'EOF'
apiVersion: batch/v1
kind: CronJob
metadata: {name: cj, namespace: '${tenant.name}'}
spec:
  schedule: '0 * * * *'
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          hostPID: true
          containers: [{name: c, image: registry.example.com/c:1}]
EOF
namespace '{pod-security.kubernetes.io/warn: baseline}'
render
expect "a CronJob's template violating warn is a warning (check_hostNamespaces.go)" \
	'expect_status 0 && expect_stderr "warning: the pod template of CronJob .t/cj. would violate .*hostNamespaces .*\(at .spec.jobTemplate.spec.template.spec.hostPID\)"'

# a namespace the render does not make: not judged
rm "$R/templates/tenant/namespace.yaml"
render
expect "a namespace not in the render is not judged" 'expect_status 0 && expect_stderr_empty'

finish
