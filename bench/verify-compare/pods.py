#!/usr/bin/env python3
"""pods.py TREE OUT - a folder for analysers that need workloads.

Writes OUT/all.yaml: the NetworkPolicies and Namespaces rendered under TREE
(both environments), one Pod per app (frontend, api-service, producer, port
8080) in each tenant namespace, and the platform's pods that the policies
name: CoreDNS in kube-system, the ingress controller in ingress-nginx and
Keycloak in keycloak, with their Namespaces. The example renders no
workloads, so netpol-analyzer finds no connection in the tree as it is.
"""
import os
import sys

import yaml
tree, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
docs, nss = [], []
for dp, _, fs in sorted(os.walk(tree)):
    for f in sorted(fs):
        if f.startswith("networkpolicy-") or f.startswith("namespace-"):
            d = yaml.safe_load(open(os.path.join(dp, f)))
            docs.append(d)
            if d["kind"] == "Namespace":
                nss.append(d["metadata"]["name"])
def pod(ns, name, labels, ports):
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": ns, "labels": labels},
            "spec": {"containers": [{"name": "c", "image": "registry.example.com/x:1",
                                     "ports": [{"containerPort": p, "name": n, "protocol": pr}
                                               for p, n, pr in ports]}]}}
for ns in nss:
    for app in ("frontend", "api-service", "producer"):
        docs.append(pod(ns, app, {"app.kubernetes.io/name": app}, [(8080, "http", "TCP")]))
for ns in ("kube-system", "ingress-nginx", "keycloak"):
    docs.append({"apiVersion": "v1", "kind": "Namespace",
                 "metadata": {"name": ns, "labels": {"kubernetes.io/metadata.name": ns}}})
docs.append(pod("kube-system", "coredns", {"k8s-app": "kube-dns"},
                [(53, "dns", "UDP"), (53, "dns-tcp", "TCP")]))
docs.append(pod("ingress-nginx", "controller", {"app.kubernetes.io/name": "ingress-nginx"},
                [(443, "https", "TCP")]))
docs.append(pod("keycloak", "keycloak", {"app": "keycloak"}, [(8443, "https", "TCP")]))
with open(os.path.join(out, "all.yaml"), "w") as f:
    yaml.safe_dump_all(docs, f, sort_keys=False)
print(f"{len(docs)} objects, {len(nss)} tenant namespaces")
