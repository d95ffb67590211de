#!/usr/bin/env python3
"""traffic.py TREE - Cyclonus's query-traffic input for the cross-tenant flows.

Every ordered pair of two different tenant namespaces of the rendered tree
TREE (both environments), from each of the example's apps (frontend,
api-service, producer) to each, on TCP/8080, the apps' port. Namespace labels
are those of the rendered Namespace plus kubernetes.io/metadata.name, which
the API server sets. Prints JSON on standard output.
"""
import glob
import json
import os
import sys

import yaml

APPS = ("frontend", "api-service", "producer")


def namespaces(tree):
    out = {}
    for path in sorted(glob.glob(os.path.join(tree, "*", "tenants", "*", "namespace-*.yaml"))):
        doc = yaml.safe_load(open(path, encoding="utf-8"))
        name = doc["metadata"]["name"]
        out[name] = dict(doc["metadata"].get("labels") or {},
                         **{"kubernetes.io/metadata.name": name})
    return out


def end(ns, labels, app, ip):
    return {"Internal": {"PodLabels": {"app.kubernetes.io/name": app},
                         "NamespaceLabels": labels, "Namespace": ns}, "IP": ip}


def main():
    nss = namespaces(sys.argv[1])
    out = []
    for s in nss:
        for d in nss:
            if s == d:
                continue
            for sa in APPS:
                for da in APPS:
                    out.append({"Source": end(s, nss[s], sa, "10.244.0.1"),
                                "Destination": end(d, nss[d], da, "10.244.0.2"),
                                "Protocol": "TCP", "ResolvedPort": 8080,
                                "ResolvedPortName": "http"})
    json.dump(out, sys.stdout, indent=1)


main()
