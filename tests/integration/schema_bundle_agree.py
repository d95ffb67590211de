#!/usr/bin/python3
"""The built-in Kubernetes schemas against the upstream strict ones: every
object of the interop corpus gets the same verdict (accepted or rejected)
from `tenantc validate` with the built-in schemas as from `tenantc validate`
with ../shared/schemas-upstream's kubeconform-strict folder, for each
Kubernetes version that folder has (1.30.1 and 1.34.0).

  schema_bundle_agree.py TENANTC CORPUS_DIR UPSTREAM_DIR

Both runs see the same CRD schemas (UPSTREAM_DIR/crd-json), so the only
difference is where the built-in kinds' schemas come from. Objects of a
built-in kind that the upstream folder has no schema for (ReplicaSet, Job,
...) are judged by Kubernetes' rules alone there and by the built-in schema
here, so they are not compared (counted).

The corpus is mostly about rules that no schema carries, so the schemas
themselves are compared on mutants too (with PyYAML; skipped without it):
every compared object that both accept, with an unknown key added to each of
its mappings, each of its values replaced by a mapping, a list by a string,
and each value by null. Prints each disagreement and `VERSION: N agree, M
disagree, K not compared` per set; exit 1 on a disagreement, 77 when
UPSTREAM_DIR is absent.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:
    yaml = None

tenantc, corpus, upstream = (os.path.realpath(p) for p in sys.argv[1:4])
if not os.path.isdir(os.path.join(upstream, "kubernetes")):
    print("SKIP: %s not found: the built-in schemas are not compared with the upstream ones"
          % upstream)
    sys.exit(77)

DIAG = re.compile(r"^(.*?):(\d+):\d+: error: ")


def documents(path):
    """[(first line, last line, apiVersion, kind)] of a YAML stream"""
    docs, start, api, kind = [], 1, None, None
    lines = open(path, encoding="utf-8").read().split("\n")
    for i, l in enumerate(lines, 1):
        if l == "---":
            if api or kind:
                docs.append((start, i - 1, api, kind))
            start, api, kind = i + 1, None, None
        elif l.startswith("apiVersion:"):
            api = l.split(":", 1)[1].strip()
        elif l.startswith("kind:"):
            kind = l.split(":", 1)[1].strip()
    if api or kind:
        docs.append((start, len(lines), api, kind))
    return docs


def rejected_lines(args, cwd, path):
    r = subprocess.run([tenantc, "validate"] + args + [path], cwd=cwd, capture_output=True,
                       text=True)
    if r.returncode not in (0, 1):
        sys.exit("tenantc validate %s: exit %d: %s" % (" ".join(args), r.returncode, r.stderr))
    return [int(m.group(2)) for m in map(DIAG.match, r.stderr.splitlines()) if m]


def upstream_has(folder, api, kind):
    group, _, version = api.rpartition("/")
    name = kind.lower() + ("-" + group.split(".")[0] if group else "") + "-" + version + ".json"
    return os.path.isfile(os.path.join(folder, name))


def mutate(obj):
    """copies of obj, each with one change to its structure"""
    out = []

    def walk(node, path):
        if isinstance(node, dict):
            yield path, node
            for k, v in node.items():
                yield from walk(v, path + [k])
        elif isinstance(node, list):
            yield path, node
            for i, v in enumerate(node):
                yield from walk(v, path + [i])
        else:
            yield path, node

    def copy_with(path, value=None, add=False):
        c = json.loads(json.dumps(obj))
        n = c
        for k in path[:-1] if not add else path:
            n = n[k]
        if add:
            n["zzUnknownField"] = 1
        else:
            n[path[-1]] = value
        return c

    fixed = (["apiVersion"], ["kind"], ["metadata"], ["metadata", "name"],
             ["metadata", "namespace"])
    for path, node in list(walk(obj, [])):
        if isinstance(node, dict):
            out.append(copy_with(path, add=True))
        if not path or path in fixed:
            continue
        if isinstance(node, list):
            out.append(copy_with(path, "x"))
        else:
            out.append(copy_with(path, {"zz": [1]}))
        out.append(copy_with(path, None))
    return out


builtin_groups = {"", "apps", "batch", "networking.k8s.io", "rbac.authorization.k8s.io",
                  "policy", "autoscaling", "storage.k8s.io", "scheduling.k8s.io",
                  "coordination.k8s.io", "discovery.k8s.io", "node.k8s.io",
                  "admissionregistration.k8s.io", "certificates.k8s.io", "flowcontrol.apiserver.k8s.io"}
files = sorted(os.path.join(corpus, f) for f in os.listdir(corpus) if f.endswith(".yaml"))
failed = False
with tempfile.TemporaryDirectory(prefix="tenantc-bundle-agree-") as tmp:
    # a location with the CRDs only, and a folder outside any repository
    crds = os.path.join(tmp, "crds")
    os.mkdir(crds)
    os.symlink(os.path.realpath(os.path.join(upstream, "crd-json")), os.path.join(crds, "crd-json"))
    for vdir in sorted(os.listdir(os.path.join(upstream, "kubernetes"))):
        m = re.match(r"^v(\d+\.\d+\.\d+)-standalone-strict$", vdir)
        if not m:
            continue
        version = m.group(1)
        folder = os.path.join(upstream, "kubernetes", vdir)
        agree = disagree = skipped = both = 0
        valid = []  # the compared objects both accept, for the mutants
        for f in files:
            path = os.path.realpath(f)
            up = rejected_lines(["--schema-location", os.path.realpath(upstream),
                                 "--kubernetes-version", version], tmp, path)
            ours = rejected_lines(["--schema-location", crds, "--kubernetes-version", version],
                                  tmp, path)
            text = open(f, encoding="utf-8").read().split("\n")
            for first, last, api, kind in documents(f):
                a = any(first <= n <= last for n in up)
                b = any(first <= n <= last for n in ours)
                group = (api or "").rpartition("/")[0]
                if api and kind and group in builtin_groups and not upstream_has(folder, api, kind):
                    skipped += 1
                    continue
                if a == b:
                    agree += 1
                    both += a
                else:
                    disagree += 1
                    print("%s: %s:%d (%s %s): upstream %s, built-in %s" % (
                        version, os.path.basename(f), first, api, kind,
                        "rejects" if a else "accepts", "rejects" if b else "accepts"))
                if not a and not b and group in builtin_groups and yaml:
                    valid.append(yaml.safe_load("\n".join(text[first - 1:last])))
        print("%s: %d agree (%d rejected by both), %d disagree, %d not compared" % (
            version, agree, both, disagree, skipped))
        failed = failed or disagree > 0 or agree == 0
        if not yaml:
            print("SKIP: %s: PyYAML is not installed: no mutants" % version)
            continue
        mutants = []
        for obj in valid:
            mutants.extend(mutate(obj))
        for i, m in enumerate(mutants):
            meta = m.get("metadata")
            if isinstance(meta, dict) and isinstance(meta.get("name"), str):
                meta["name"] = "m%d" % i
        mpath = os.path.join(tmp, "mutants-%s.yaml" % version)
        with open(mpath, "w", encoding="utf-8") as out:
            for m in mutants:
                out.write("---\n" + json.dumps(m, sort_keys=True) + "\n")
        up = set(rejected_lines(["--schema-location", os.path.realpath(upstream),
                                 "--kubernetes-version", version], tmp, mpath))
        ours = set(rejected_lines(["--schema-location", crds, "--kubernetes-version", version],
                                  tmp, mpath))
        agree = disagree = both = 0
        for i, m in enumerate(mutants):
            a, b = 2 * i + 2 in up, 2 * i + 2 in ours
            if a == b:
                agree += 1
                both += a
            else:
                disagree += 1
                if disagree <= 20:
                    print("%s: mutant %s: upstream %s, built-in %s" % (
                        version, json.dumps(m, sort_keys=True)[:300],
                        "rejects" if a else "accepts", "rejects" if b else "accepts"))
        print("%s mutants: %d agree (%d rejected by both), %d disagree" % (
            version, agree, both, disagree))
        failed = failed or disagree > 0 or both == 0
sys.exit(1 if failed else 0)
