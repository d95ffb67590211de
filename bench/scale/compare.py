#!/usr/bin/python3
"""compare.py LABEL=SOURCE... - check that several tools made the same objects.

A SOURCE is `tree:DIR` (every .yaml, .yml and .json file below DIR except
kustomization.yaml, each holding one or more documents) or `stream:FILE`
(a YAML stream). Every object is parsed (PyYAML, python3-yaml from Debian)
and reduced to its identity (apiVersion, kind, namespace, name) and the
sha256 of its canonical JSON (keys sorted), so the comparison ignores key
order, quoting style and file layout but nothing else.

Prints one line per source and a verdict; exit 0 when every source holds
the same set of objects, 1 when they differ (the first differences are
listed), 2 on bad usage or unreadable input.
"""
import hashlib
import json
import os
import sys

try:
    import yaml
except ImportError:
    sys.stderr.write("compare.py: PyYAML is missing (Debian: python3-yaml)\n")
    sys.exit(77)

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SHOW = 5


def documents(text):
    for doc in yaml.load_all(text, Loader=LOADER):
        if doc is None:
            continue
        if isinstance(doc, list):  # jsonnet without -y prints one JSON array
            for d in doc:
                yield d
        else:
            yield doc


def files(root):
    for d, subdirs, names in os.walk(root):
        subdirs.sort()
        for n in sorted(names):
            if n == "kustomization.yaml" or not n.endswith((".yaml", ".yml", ".json")):
                continue
            yield os.path.join(d, n)


def identity(o):
    md = o.get("metadata") or {}
    return (o.get("apiVersion", ""), o.get("kind", ""), md.get("namespace", ""),
            md.get("name", ""))


def load(spec):
    """identity -> digest, plus duplicate identities and an example object per identity"""
    kind, _, path = spec.partition(":")
    if kind == "tree":
        texts = (open(p, encoding="utf-8").read() for p in files(path))
    elif kind == "stream":
        texts = iter([open(path, encoding="utf-8").read()])
    else:
        raise ValueError("source '%s' is neither tree:DIR nor stream:FILE" % spec)
    objs, dups = {}, []
    for text in texts:
        for o in documents(text):
            canon = json.dumps(o, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
            k = identity(o)
            if k in objs:
                dups.append(k)
            objs[k] = (hashlib.sha256(canon.encode()).hexdigest(), canon)
    return objs, dups


def main(argv):
    if len(argv) < 3 or any("=" not in a for a in argv[1:]):
        sys.stderr.write("usage: compare.py LABEL=tree:DIR|LABEL=stream:FILE ...\n")
        return 2
    sets = []
    for a in argv[1:]:
        label, _, spec = a.partition("=")
        try:
            objs, dups = load(spec)
        except (OSError, ValueError, yaml.YAMLError) as e:
            sys.stderr.write("compare.py: %s: %s\n" % (label, e))
            return 2
        print("%s: %d objects%s" % (label, len(objs),
                                    ", %d duplicates" % len(dups) if dups else ""))
        sets.append((label, objs, dups))
    ref_label, ref, _ = sets[0]
    bad = any(dups for _, _, dups in sets)
    for label, objs, dups in sets[1:]:
        missing = sorted(set(ref) - set(objs))
        extra = sorted(set(objs) - set(ref))
        changed = sorted(k for k in set(ref) & set(objs) if ref[k][0] != objs[k][0])
        if missing or extra or changed:
            bad = True
            print("%s differs from %s: %d missing, %d extra, %d changed" %
                  (label, ref_label, len(missing), len(extra), len(changed)))
            for k in missing[:SHOW]:
                print("  missing %s" % "/".join(k))
            for k in extra[:SHOW]:
                print("  extra   %s" % "/".join(k))
            for k in changed[:SHOW]:
                print("  changed %s\n    %s: %s\n    %s: %s" %
                      ("/".join(k), ref_label, ref[k][1], label, objs[k][1]))
    for label, _, dups in sets:
        for k in dups[:SHOW]:
            print("  %s: duplicate %s" % (label, "/".join(k)))
    if bad:
        print("DIFFERENT")
        return 1
    print("SAME: %d sources, %d objects each" % (len(sets), len(ref)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
