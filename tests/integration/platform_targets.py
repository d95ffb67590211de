#!/usr/bin/python3
"""Which cluster each kustomization of a rendered tree writes to, used by
tests/integration/platform_targets.sh. Independent of tenantc's own code:
it reads the tree with PyYAML and builds folders with `kubectl kustomize`.

  platform_targets.py TREE OUTPUT

TREE is a rendered tree (<env>/... below it), OUTPUT the repository's output
folder as the GitOps objects name it (`rendered`). In each environment, the
GitOps objects of the tree (Flux Kustomizations, ArgoCD Applications) say
where their folder goes:

  Flux    spec.kubeConfig.secretRef.name, or the cluster Flux runs in
  ArgoCD  spec.destination.name or .server, or the cluster ArgoCD runs in
          (in-cluster, https://kubernetes.default.svc)

Each object that such a folder builds is bound for that cluster; the objects
of cluster/ of an environment with several target clusters are bound for
each of them. Then every folder of the tree holding a kustomization.yaml is
built, as `kubectl apply -k` would, and all its objects must be bound for
the same cluster, or the same clusters; an object that no GitOps object
applies is a problem too.

Prints one line per problem ("path: message"), then "N kustomizations
checked", and exits 1 when it found a problem, 2 when it could not run.
"""
import os
import subprocess
import sys

import yaml

CONTROLLER = "the GitOps controller's cluster"
IN_CLUSTER = {"in-cluster", "https://kubernetes.default.svc"}


BUILT = {}


def build(folder):
    """The objects kubectl kustomize builds from folder (once per folder)."""
    folder = os.path.normpath(folder)
    if folder not in BUILT:
        BUILT[folder] = build_now(folder)
    return BUILT[folder]


def build_now(folder):
    r = subprocess.run(["kubectl", "kustomize", folder], capture_output=True, text=True)
    if r.returncode != 0:
        print("%s: kubectl kustomize failed: %s" % (folder, r.stderr.strip().splitlines()[:1]))
        return None
    return [d for d in yaml.safe_load_all(r.stdout) if d]


def ident(o):
    m = o.get("metadata", {})
    group = o.get("apiVersion", "").rpartition("/")[0]
    return (group, o.get("kind", ""), m.get("namespace", ""), m.get("name", ""))


def target(o):
    """(folder path in the repository, cluster) of a GitOps object, or None."""
    api, kind, spec = o.get("apiVersion", ""), o.get("kind"), o.get("spec") or {}
    if kind == "Kustomization" and api.startswith("kustomize.toolkit.fluxcd.io/"):
        ref = (spec.get("kubeConfig") or {}).get("secretRef") or {}
        return spec.get("path", ""), ("kubeConfig " + ref["name"]) if "name" in ref else CONTROLLER
    if kind == "Application" and api.startswith("argoproj.io/"):
        dest = spec.get("destination") or {}
        where = dest.get("name") or dest.get("server") or ""
        return (spec.get("source") or {}).get("path", ""), CONTROLLER if where in IN_CLUSTER else "destination " + where
    return None


def own_app(o):
    """A tenant's own application (docs/templates.md, "Tenant applications"):
    a Flux Kustomization in the tenant's namespace, or an ArgoCD Application
    of the tenant's project '<tenant>-<env>.apps', applies the tenant's own
    repository, not a folder of the rendered tree."""
    md = o.get("metadata") or {}
    if o.get("kind") == "Kustomization" and o.get("apiVersion", "").startswith("kustomize.toolkit"):
        return md.get("namespace", "flux-system") != "flux-system"
    if o.get("kind") == "Application":
        return str((o.get("spec") or {}).get("project", "")).endswith(".apps")
    return False


def check_env(tree, output, env):
    root = os.path.join(tree, env)
    problems = 0
    gitops = []
    folders = []
    for dp, dn, fn in os.walk(root):
        dn.sort()
        if "kustomization.yaml" in fn:
            folders.append(dp)
        for f in sorted(fn):
            if f.endswith(".yaml") and f != "kustomization.yaml":
                for d in yaml.safe_load_all(open(os.path.join(dp, f))):
                    t = d and not own_app(d) and target(d)
                    if t:
                        gitops.append((d["metadata"]["name"], t))
    # where each object goes, by the GitOps objects that apply it
    bound = {}
    prefix = output.strip("/") + "/" + env + "/"
    for name, (path, cluster) in gitops:
        rel = path[2:] if path.startswith("./") else path
        if not rel.startswith(prefix):
            print("%s: %s applies '%s', outside %s" % (env, name, path, prefix)); problems += 1
            continue
        objs = build(os.path.join(root, rel[len(prefix):]))
        if objs is None:
            problems += 1
            continue
        for o in objs:
            bound.setdefault(ident(o), set()).add(cluster)
    # every kustomization of the tree: one cluster
    for folder in folders:
        shown = os.path.relpath(os.path.join(folder, "kustomization.yaml"), tree)
        objs = build(folder)
        if objs is None:
            problems += 1
            continue
        clusters = {}
        for o in objs:
            b = bound.get(ident(o))
            if not b:
                print("%s: %s %s is applied by no GitOps object of the tree" % (shown, o["kind"], o["metadata"]["name"]))
                problems += 1
                continue
            clusters.setdefault(" and ".join(sorted(b)), "%s %s" % (o["kind"], o["metadata"]["name"]))
        if len(clusters) > 1:
            print("%s: joins objects for %d clusters: %s" % (shown, len(clusters), "; ".join(
                "%s (e.g. %s)" % (c, clusters[c]) for c in sorted(clusters))))
            problems += 1
    return len(folders), problems


def main():
    if len(sys.argv) != 3:
        print("usage: platform_targets.py TREE OUTPUT", file=sys.stderr)
        return 2
    tree, output = sys.argv[1], sys.argv[2]
    n = problems = 0
    for env in sorted(os.listdir(tree)):
        if os.path.isdir(os.path.join(tree, env)):
            k, p = check_env(tree, output, env)
            n += k
            problems += p
    print("%d kustomizations checked" % n)
    return 1 if problems or n == 0 else 0


sys.exit(main())
