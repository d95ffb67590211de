#!/usr/bin/env python3
"""Write the corpus of tests/interop/cel_differential.sh into corpus/.

Each file is one object, named NNN-<what>.yaml, with a comment saying what
it tries and which verdict the API server is expected to give; the test
does not read the comment, it compares the two verdicts. The objects
exercise the x-kubernetes-validations rules of
tests/integration/cel/widgets.example.com.yaml, of Flux's Kustomization
and of External Secrets' ClusterSecretStore, and the example repository's
admission policy (policies/tenant-resource-limits.yaml) in a tenant
namespace (acme-prod, labelled tenantc.io/tenant) and in one without the
label (tools). Run it again after changing the cases:

    python3 tests/interop/cel/gen_corpus.py
"""
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")


def widget(name, **spec):
    base = {"minReplicas": 1, "maxReplicas": 3, "owner": "ann@example.com"}
    base.update(spec)
    for k in [k for k, v in base.items() if v is None]:
        del base[k]
    lines = [
        "apiVersion: example.com/v1",
        "kind: Widget",
        "metadata:",
        "  name: " + name,
        "  namespace: acme-prod",
        "spec:",
    ]
    for k, v in base.items():
        lines.append("  %s: %s" % (k, v))
    return "\n".join(lines) + "\n"


def gizmo(name, test=None, version="v1", **spec):
    lines = [
        "apiVersion: example.com/" + version,
        "kind: Gizmo",
        "metadata:",
        "  name: " + name,
        "  namespace: acme-prod",
    ]
    if test:
        lines.append("  labels: {tenantc.io/test: %s}" % test)
    lines.append("spec:" if spec else "spec: {}")
    for k, v in spec.items():
        lines.append("  %s: %s" % (k.replace("_dash_", "-").replace("_dot_", ".")
                                   .replace("_slash_", "/"), v))
    return "\n".join(lines) + "\n"


PORTS = "[{name: http, port: 80}, {name: https, port: 443}]"


def kustomization(name, kubeconfig):
    s = """apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: %s
  namespace: flux-system
spec:
  interval: 10m
  prune: true
  sourceRef:
    kind: GitRepository
    name: platform
""" % name
    if kubeconfig is not None:
        s += "  kubeConfig:\n" + kubeconfig
    return s


def store(name, bao):
    return """apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata:
  name: %s
spec:
  provider:
    openBao:
      server: https://bao.example.com
%s""" % (name, bao)


def workload(kind, name, ns, containers):
    extra = "  serviceName: %s\n" % name if kind == "StatefulSet" else ""
    s = """apiVersion: apps/v1
kind: %s
metadata:
  name: %s
  namespace: %s
spec:
%s  selector:
    matchLabels: {app: %s}
  template:
    metadata:
      labels: {app: %s}
    spec:
      containers:
""" % (kind, name, ns, extra, name, name)
    for cname, limits in containers:
        s += "        - name: %s\n          image: registry.example.com/%s:1.0\n" % (cname, cname)
        if limits is not None:
            s += "          resources:\n            limits: %s\n" % limits
    return s


CASES = [
    # Widgets: each rule of the CRD
    ("widget-good", "accepted", widget("good", ratio=0.5, timeout="30m", memory="512Mi",
                                       allowFrom="[10.0.0.0/8, 2001:db8::/32]",
                                       endpoint="https://w.example.com:8443/api?x=1",
                                       tags="[a, b-c]")),
    ("widget-minimal", "accepted", widget("minimal", minReplicas=2, maxReplicas=2)),
    ("widget-ratio-int", "accepted (an integer in a number field)", widget("ratio-int", ratio=1)),
    ("widget-min-above-max", "rejected", widget("min-above-max", minReplicas=5)),
    ("widget-ratio-high", "rejected (messageExpression)", widget("ratio-high", ratio=1.5)),
    ("widget-no-owner", "rejected (FieldValueRequired, fieldPath)", widget("no-owner", owner=None)),
    ("widget-owner-format", "rejected (a rule of a property)", widget("owner-format", owner="Ann")),
    ("widget-timeout-long", "rejected (a duration field)", widget("timeout-long", timeout="2h")),
    ("widget-timeout-ok", "accepted", widget("timeout-ok", timeout="59m59s")),
    ("widget-memory-1gi", "accepted (quantity equal to the limit)", widget("memory-1gi", memory="1Gi")),
    ("widget-memory-mi", "accepted (1024Mi is 1Gi)", widget("memory-mi", memory="1024Mi")),
    ("widget-memory-big", "rejected (quantity above the limit)", widget("memory-big", memory="1.5Gi")),
    ("widget-memory-decimal", "rejected (1.1G is above 1Gi)", widget("memory-decimal", memory="1.1G")),
    ("widget-cidr-short", "rejected (prefix shorter than /8)", widget("cidr-short", allowFrom="[10.0.0.0/4]")),
    ("widget-cidr-bad", "rejected (not a CIDR)", widget("cidr-bad", allowFrom="[10.0.0.1]")),
    ("widget-cidr-v6", "accepted", widget("cidr-v6", allowFrom="['fd00::/8']")),
    ("widget-endpoint-http", "rejected (scheme)", widget("endpoint-http", endpoint="http://w.example.com")),
    ("widget-endpoint-relative", "rejected (not a URL)", widget("endpoint-relative", endpoint="w.example.com/api")),
    ("widget-endpoint-path", "rejected (an absolute path is a URL without a scheme)",
     widget("endpoint-path", endpoint="/api")),
    ("widget-tags-upper", "rejected (format.dns1123Label)", widget("tags-upper", tags="[Bad]")),
    ("widget-tags-dash", "rejected (format.dns1123Label)", widget("tags-dash", tags="[a-]")),
    ("widget-tags-63", "accepted (a label of 63 characters)", widget("tags-63", tags="[%s]" % ("a" * 63))),
    # Flux Kustomization: exactly one of kubeConfig.configMapRef or secretRef
    ("kustomization-secret-ref", "accepted",
     kustomization("secret-ref", "    secretRef:\n      name: kubeconfig\n")),
    ("kustomization-configmap-ref", "accepted",
     kustomization("configmap-ref", "    configMapRef:\n      name: kubeconfig\n")),
    ("kustomization-both-refs", "rejected",
     kustomization("both-refs", "    secretRef:\n      name: a\n    configMapRef:\n      name: b\n")),
    ("kustomization-no-kubeconfig", "accepted", kustomization("no-kubeconfig", None)),
    # External Secrets: at most one of caBundle and caProvider
    ("store-ca-bundle", "accepted", store("ca-bundle", "      caBundle: aGVsbG8=\n")),
    ("store-both-ca", "rejected",
     store("both-ca", "      caBundle: aGVsbG8=\n      caProvider:\n        type: Secret\n"
                      "        name: ca\n        key: ca.crt\n        namespace: vault\n")),
    # the admission policy: CPU and memory limits in tenant namespaces
    ("deployment-limits", "accepted",
     workload("Deployment", "limits", "acme-prod", [("web", "{cpu: 500m, memory: 256Mi}")])),
    ("deployment-cpu-only", "rejected",
     workload("Deployment", "cpu-only", "acme-prod", [("web", "{cpu: 500m}")])),
    ("deployment-no-resources", "rejected",
     workload("Deployment", "no-resources", "acme-prod", [("web", None)])),
    ("deployment-second-container", "rejected",
     workload("Deployment", "second", "acme-prod",
              [("web", "{cpu: 500m, memory: 256Mi}"), ("sidecar", None)])),
    ("deployment-tools-namespace", "accepted (no tenant label on the namespace)",
     workload("Deployment", "tools", "tools", [("web", None)])),
    ("statefulset-no-limits", "rejected",
     workload("StatefulSet", "db", "acme-prod", [("db", "{memory: 1Gi}")])),
    ("daemonset-limits", "accepted",
     workload("DaemonSet", "agent", "acme-prod", [("agent", "{cpu: 100m, memory: 64Mi}")])),
    ("replicaset-no-limits", "accepted (the policy does not list replicasets)",
     workload("ReplicaSet", "rs", "acme-prod", [("web", None)])),
    # Gizmos: list types and escaped property names
    ("gizmo-zones-set", "accepted (a set compares and concatenates regardless of order)",
     gizmo("zones-set", zones="[b, a]")),
    ("gizmo-zones-other", "rejected (another set)", gizmo("zones-other", zones="[a, c]")),
    ("gizmo-ports-map", "accepted (a map list compares by its keys)",
     gizmo("ports-map", ports="[{name: https, port: 443}, {name: http, port: 80}]",
           defaultPorts=PORTS)),
    ("gizmo-ports-value", "rejected (the same keys, another value)",
     gizmo("ports-value", ports="[{name: https, port: 8443}, {name: http, port: 80}]",
           defaultPorts=PORTS)),
    ("gizmo-escaped-good", "accepted",
     gizmo("escaped-good", foo_dash_bar=1, namespace="ns-a", x_dot_y="z", a_slash_b="c")),
    ("gizmo-dash", "rejected (__dash__)", gizmo("dash", foo_dash_bar=0)),
    ("gizmo-reserved", "rejected (__namespace__)", gizmo("reserved", namespace="a")),
    ("gizmo-dot", "rejected (__dot__)", gizmo("dot", x_dot_y="q")),
    ("gizmo-slash", "rejected (__slash__)", gizmo("slash", a_slash_b="d")),
    # the admission policies of policies.yaml
    ("gizmo-audit-zone", "accepted (the audit annotation gizmo-audit/first-zone is c)",
     gizmo("audit-zone", "audit", zones="[c]")),
    ("gizmo-audit-error", "rejected (an auditAnnotation error under failurePolicy Fail)",
     gizmo("audit-error", "audit")),
    ("gizmo-equivalent-v1beta1", "rejected (matchPolicy Equivalent: v1beta1 matches a v1 rule)",
     gizmo("equivalent-v1beta1", "equivalent", "v1beta1")),
    ("gizmo-exact-v1beta1", "accepted (matchPolicy Exact: v1beta1 does not match a v1 rule)",
     gizmo("exact-v1beta1", "exact", "v1beta1")),
    ("gizmo-exact-v1", "rejected (matchPolicy Exact, the rule's version)",
     gizmo("exact-v1", "exact")),
    ("gizmo-message-budget", "rejected (with the message: the messageExpression runs over budget)",
     gizmo("message-budget", "message")),
]

NAMESPACES = """# The namespaces the corpus objects live in, created before the corpus is judged.
apiVersion: v1
kind: Namespace
metadata:
  name: acme-prod
  labels:
    tenantc.io/tenant: acme
---
apiVersion: v1
kind: Namespace
metadata:
  name: tools
---
apiVersion: v1
kind: Namespace
metadata:
  name: flux-system
"""


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    with open(os.path.join(HERE, "namespaces.yaml"), "w") as f:
        f.write(NAMESPACES)
    for i, (name, expect, body) in enumerate(CASES, 1):
        path = os.path.join(OUT, "%03d-%s.yaml" % (i, name))
        with open(path, "w") as f:
            f.write("# generated by tests/interop/cel/gen_corpus.py; expected: %s\n" % expect)
            f.write(body)
    print("wrote %d objects into %s" % (len(CASES), os.path.relpath(OUT)))


if __name__ == "__main__":
    main()
