#!/usr/bin/env python3
# scripts/gen-schema-bundle.py - write data/kubernetes-schemas.json, the
# schemas tenantc validates built-in Kubernetes kinds against when no schema
# location covers them (docs/validation.md, "Built-in schemas").
#
#   python3 scripts/gen-schema-bundle.py [--offline] [--cache DIR] [--out FILE]
#
# Source: the OpenAPI v3 documents of the Kubernetes API server,
# api/openapi-spec/v3/*.json of the k8s.io/kubernetes module at the releases
# pinned in RELEASES, fetched with `go mod download` (the Go module proxy,
# checked against the checksum database) into a module cache under DIR
# (default $TENANTC_SCHEMA_CACHE, else ~/.cache/tenantc-schema-bundle). Only
# the zip files are read; nothing of them is written into the work tree.
# --offline uses the cache alone (GOPROXY=off) and fails when a release is
# not there.
#
# What is kept of each release: every kind the API server stores (a
# collection path with a create and a list operation; scope Namespaced when
# the path holds {namespace}), in every version the document serves, and the
# definitions its schema reaches. The definitions are rewritten the way the
# kubeconform "-strict" schema sets are made from the same documents:
#  - every object schema with properties refuses other keys
#    (additionalProperties: false);
#  - a property that its object does not require, every array item and every
#    map value also accepts null (the API server takes null for unset): a
#    "null" type beside its own, or "nullable": true for a reference;
#  - resource.Quantity is a string of the Kubernetes quantity grammar or a
#    number; IntOrString an integer or a string (as the document says);
#  - description, default, format and the x-kubernetes-* annotations are
#    dropped: the validator asserts none of them (formats are annotations,
#    and the list, map and patch annotations say how objects merge, not what
#    they may hold); allOf around a single $ref becomes the $ref.
# A definition identical in several releases, references included, is
# stored once: its id is the definition's name, with "@N" (N from 2, in the
# order of the releases that first have it) for each further variant.
#
# Output: JSON with one release per line and one definition per line, keys
# and definitions sorted by bytes, so that tenantc can index the file without
# parsing it and parse only the definitions a render uses. Running the script
# twice gives the same bytes.
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile

# the newest patch release of each minor version, as the module proxy listed
# them when the bundle was made
RELEASES = [
    ("1.30", "v1.30.14"),
    ("1.31", "v1.31.14"),
    ("1.32", "v1.32.13"),
    ("1.33", "v1.33.13"),
    ("1.34", "v1.34.4"),
]
MODULE = "k8s.io/kubernetes"
FORMAT = "tenantc-kubernetes-schemas/1"

# the quantity grammar of k8s.io/apimachinery/pkg/api/resource (the pattern
# controller-gen writes into CRDs for resource.Quantity)
QUANTITY_PATTERN = (r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|"
                    r"([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$")
QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"

# shorter ids for the common name prefixes (checked to stay unique)
PREFIXES = [
    ("io.k8s.apimachinery.pkg.apis.meta.", "meta."),
    ("io.k8s.apimachinery.pkg.", ""),
    ("io.k8s.apiextensions-apiserver.pkg.apis.", ""),
    ("io.k8s.kube-aggregator.pkg.apis.", ""),
    ("io.k8s.api.", ""),
]

REF = "#/components/schemas/"
SPEC_FILE = re.compile(r"^api/openapi-spec/v3/(api__v1|apis__[^_]+(?:_[^_]+)*__[^_]+)_openapi\.json$")


def die(msg):
    sys.stderr.write("gen-schema-bundle: error: %s\n" % msg)
    sys.exit(1)


def module_zip(cache, release, offline):
    env = dict(os.environ)
    env["GOMODCACHE"] = os.path.join(cache, "go")
    env["GOFLAGS"] = "-mod=mod"
    env.pop("GOPATH", None)
    if offline:
        env["GOPROXY"] = "off"
    with tempfile.TemporaryDirectory(prefix="gen-schema-bundle-") as tmp:
        r = subprocess.run(["go", "mod", "download", "-json", "%s@%s" % (MODULE, release)],
                           cwd=tmp, env=env, capture_output=True, text=True)
    try:
        info = json.loads(r.stdout)
    except ValueError:
        die("go mod download %s@%s: %s" % (MODULE, release, (r.stderr or r.stdout).strip()))
    if r.returncode != 0 or info.get("Error") or not info.get("Zip"):
        die("go mod download %s@%s: %s" % (MODULE, release, info.get("Error") or r.stderr.strip()))
    return info["Zip"], info.get("Sum", "")


def short_id(name):
    for p, r in PREFIXES:
        if name.startswith(p):
            return r + name[len(p):]
    return name


def read_release(path, release):
    """kinds [(group, version, kind, scope, def name)] and definitions {name: schema}"""
    top = "%s@%s/" % (MODULE, release)
    kinds = {}
    defs = {}
    with zipfile.ZipFile(path) as z:
        names = sorted(n[len(top):] for n in z.namelist() if n.startswith(top))
        for rel in names:
            if not SPEC_FILE.match(rel):
                continue
            doc = json.loads(z.read(top + rel))
            for name, schema in doc.get("components", {}).get("schemas", {}).items():
                if name in defs and defs[name] != schema:
                    die("%s: %s differs between documents of %s" % (rel, name, release))
                defs[name] = schema
            for p, item in doc.get("paths", {}).items():
                post, get = item.get("post"), item.get("get")
                if not post or not get or post.get("x-kubernetes-action") != "post" \
                        or get.get("x-kubernetes-action") != "list":
                    continue
                gvk = post.get("x-kubernetes-group-version-kind")
                if not gvk:
                    continue
                scope = "Namespaced" if "/namespaces/{namespace}/" in p else "Cluster"
                key = (gvk["group"], gvk["version"], gvk["kind"])
                ref = None
                body = post.get("requestBody", {}).get("content", {})
                for media in sorted(body):
                    s = body[media].get("schema", {})
                    if "$ref" in s:
                        ref = s["$ref"]
                        break
                if not ref or not ref.startswith(REF):
                    die("%s %s: no request schema" % (release, p))
                old = kinds.get(key)
                if old and old != (scope, ref[len(REF):]):
                    die("%s: %s served at two scopes" % (release, key))
                kinds[key] = (scope, ref[len(REF):])
    return kinds, defs


def ref_name(ref):
    if not ref.startswith(REF):
        die("unexpected reference %s" % ref)
    return ref[len(REF):]


def convert(node, nullable):
    """The strict form of one schema node; references stay names for now
    ({"$ref": NAME})."""
    if not isinstance(node, dict):
        die("a schema that is not an object: %r" % (node,))
    out = {}
    allof = node.get("allOf")
    if allof is not None:
        if len(allof) == 1 and set(allof[0]) == {"$ref"} and "$ref" not in node:
            out["$ref"] = ref_name(allof[0]["$ref"])
        else:
            out["allOf"] = [convert(s, False) for s in allof]
    if "$ref" in node:
        out["$ref"] = ref_name(node["$ref"])
    if "type" in node:
        out["type"] = node["type"]
    if "oneOf" in node:
        out["oneOf"] = [convert(s, False) for s in node["oneOf"]]
    if "anyOf" in node:
        out["anyOf"] = [convert(s, False) for s in node["anyOf"]]
    if "enum" in node:
        out["enum"] = node["enum"] + ([None] if nullable and None not in node["enum"] else [])
    if "properties" in node:
        req = set(node.get("required", []))
        out["properties"] = {k: convert(v, k not in req) for k, v in node["properties"].items()}
        if "additionalProperties" not in node:
            out["additionalProperties"] = False
    if "additionalProperties" in node:
        ap = node["additionalProperties"]
        out["additionalProperties"] = ap if isinstance(ap, bool) else convert(ap, True)
    if "items" in node:
        out["items"] = convert(node["items"], True)
    if node.get("required"):
        out["required"] = node["required"]
    known = {"allOf", "$ref", "type", "oneOf", "anyOf", "enum", "properties",
             "additionalProperties", "items", "required", "description", "default", "format"}
    for k in node:
        if k not in known and not k.startswith("x-kubernetes-"):
            die("unexpected keyword %s" % k)
    if nullable and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    elif nullable:
        out["nullable"] = True
    return out


def subschemas(node):
    """the schemas directly inside a converted schema node"""
    for k in ("allOf", "oneOf", "anyOf"):
        yield from node.get(k, [])
    yield from node.get("properties", {}).values()
    for k in ("items", "additionalProperties"):
        if isinstance(node.get(k), dict):
            yield node[k]


def refs_of(node, acc):
    if "$ref" in node:
        acc.add(node["$ref"])
    for s in subschemas(node):
        refs_of(s, acc)
    return acc


def closure(roots, defs, release):
    seen = set()
    todo = list(roots)
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        if n not in defs:
            die("%s: reference to a missing definition %s" % (release, n))
        seen.add(n)
        todo.extend(refs_of(defs[n], set()))
    return seen


def canon(v):
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def main():
    ap = argparse.ArgumentParser(description="write the built-in Kubernetes schema bundle")
    ap.add_argument("--cache", default=os.environ.get("TENANTC_SCHEMA_CACHE") or
                    os.path.join(os.path.expanduser("~"), ".cache", "tenantc-schema-bundle"))
    ap.add_argument("--offline", action="store_true", help="use the module cache only")
    ap.add_argument("--out", default=os.path.normpath(os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "data", "kubernetes-schemas.json")))
    a = ap.parse_args()

    # per release: kinds and converted definitions (references by name)
    per = []
    for minor, release in RELEASES:
        path, zsum = module_zip(a.cache, release, a.offline)
        kinds, raw = read_release(path, release)
        conv = {}
        for name, s in raw.items():
            if name == QUANTITY:
                conv[name] = {"oneOf": [{"type": "string", "pattern": QUANTITY_PATTERN},
                                        {"type": "number"}]}
            else:
                conv[name] = convert(s, False)
        used = closure({d for _, d in kinds.values()}, conv, release)
        conv = {n: conv[n] for n in used}
        per.append((minor, release, zsum, kinds, conv))

    # variants of each name: two releases share a variant when the bodies
    # are equal and every name they refer to shares a variant too (refined
    # until nothing changes, which also settles reference cycles)
    names = sorted({n for p in per for n in p[4]})
    cls = {}  # (release index, name) -> class number
    for n in names:
        bodies = {}
        for i, p in enumerate(per):
            if n in p[4]:
                cls[(i, n)] = bodies.setdefault(canon(p[4][n]), len(bodies))
    while True:
        new = {}
        for n in names:
            sig = {}
            for i, p in enumerate(per):
                if n not in p[4]:
                    continue
                body = p[4][n]
                key = (cls[(i, n)],) + tuple((r, cls[(i, r)]) for r in sorted(refs_of(body, set())))
                new[(i, n)] = sig.setdefault(key, len(sig))
        if len(set(new.values())) == len(set(cls.values())) and \
                all(len({new[(i, n)] for i in range(len(per)) if (i, n) in new}) ==
                    len({cls[(i, n)] for i in range(len(per)) if (i, n) in cls}) for n in names):
            break
        cls = new
    cls = new

    # ids: the short name, then name@2, name@3... in order of first release
    ident = {}
    taken = {}
    for n in names:
        s = short_id(n)
        if taken.setdefault(s, n) != n:
            die("two definitions shorten to %s" % s)
        order = []
        for i in range(len(per)):
            c = cls.get((i, n))
            if c is not None and c not in order:
                order.append(c)
        for i in range(len(per)):
            c = cls.get((i, n))
            if c is not None:
                k = order.index(c)
                ident[(i, n)] = s if k == 0 else "%s@%d" % (s, k + 1)

    def relink(node, i):
        out = dict(node)
        if "$ref" in node:
            out["$ref"] = ident[(i, node["$ref"])]
        for k in ("allOf", "oneOf", "anyOf"):
            if k in node:
                out[k] = [relink(v, i) for v in node[k]]
        if "properties" in node:
            out["properties"] = {k: relink(v, i) for k, v in node["properties"].items()}
        for k in ("items", "additionalProperties"):
            if isinstance(node.get(k), dict):
                out[k] = relink(node[k], i)
        return out

    out_defs = {}
    versions = []
    for i, (minor, release, zsum, kinds, conv) in enumerate(per):
        for n, body in conv.items():
            d = relink(body, i)
            prev = out_defs.setdefault(ident[(i, n)], d)
            if prev != d:
                die("variant %s is not unique" % ident[(i, n)])
        rows = sorted(([g, v, k, sc, ident[(i, d)]] for (g, v, k), (sc, d) in kinds.items()),
                      key=lambda r: (r[0].encode(), r[2].encode(), r[1].encode()))
        versions.append({"version": minor, "release": release,
                         "module": "%s@%s" % (MODULE, release), "sum": zsum, "kinds": rows})

    lines = ['{"format":%s,' % json.dumps(FORMAT),
             '"source":"api/openapi-spec/v3 of %s, by scripts/gen-schema-bundle.py",' % MODULE,
             '"versions":[']
    for k, v in enumerate(versions):
        lines.append(canon(v) + ("," if k + 1 < len(versions) else ""))
    lines.append('],')
    lines.append('"definitions":{')
    ids = sorted(out_defs, key=lambda s: s.encode())
    for k, d in enumerate(ids):
        lines.append(json.dumps(d) + ":" + canon(out_defs[d]) + ("," if k + 1 < len(ids) else ""))
    lines.append("}}")
    data = ("\n".join(lines) + "\n").encode()
    json.loads(data)  # it is one JSON document
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    tmp = a.out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, a.out)
    sys.stderr.write("gen-schema-bundle: %s: %d bytes, %d definitions, %s\n" % (
        a.out, len(data), len(ids),
        ", ".join("%s %d kinds" % (v["version"], len(v["kinds"])) for v in versions)))


if __name__ == "__main__":
    main()
