#!/usr/bin/env python3
"""Read tenantc's canonical YAML back with PyYAML (a YAML 1.1 reader).

usage: pyyaml_check.py ROUNDTRIP_EXE

Runs ROUNDTRIP_EXE DIR, which writes DIR/doc.yaml (a stream emitted by
tc_yaml_emit_stream) and DIR/expect.json (the same values, typed), loads
doc.yaml with PyYAML's pure-Python SafeLoader and, when PyYAML was built
with libyaml, its CSafeLoader, and compares every document exactly: a
string must come back a str, an int an int, a float the same float.
Prints "pyyaml: N/M passed"; exits 77 (skip) when PyYAML is missing.
"""
import json
import math
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:
    print("SKIP: PyYAML is not installed for %s (Debian: apt install python3-yaml)"
          % sys.executable)
    sys.exit(77)


def decode(t):
    """expect.json node -> the Python value PyYAML should produce."""
    if t is None or isinstance(t, bool):
        return t
    if isinstance(t, list):
        return [decode(x) for x in t]
    (kind, v), = t.items()
    if kind == "int":
        return int(v)
    if kind == "float":
        return float(v) if v in ("nan", "inf", "-inf") else float.fromhex(v)
    if kind == "str":
        return v
    if kind == "map":
        return {k: decode(x) for k, x in v.items()}
    raise ValueError(kind)


def same(got, want, path, errors):
    if type(got) is not type(want):
        errors.append("%s: got %s %r, want %s %r"
                      % (path, type(got).__name__, got, type(want).__name__, want))
    elif isinstance(want, dict):
        if set(got) != set(want):
            errors.append("%s: keys differ: %r" % (path, set(got) ^ set(want)))
            return
        for k in want:
            same(got[k], want[k], "%s[%r]" % (path, k), errors)
    elif isinstance(want, list):
        if len(got) != len(want):
            errors.append("%s: %d items, want %d" % (path, len(got), len(want)))
            return
        for i, (g, w) in enumerate(zip(got, want)):
            same(g, w, "%s[%d]" % (path, i), errors)
    elif isinstance(want, float):
        if math.isnan(want):
            ok = math.isnan(got)
        else:
            ok = got == want and math.copysign(1, got) == math.copysign(1, want)
        if not ok:
            errors.append("%s: got %r, want %r" % (path, got, want))
    elif got != want:
        errors.append("%s: got %r, want %r" % (path, got, want))


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        r = subprocess.run([sys.argv[1], tmp])
        if r.returncode != 0:
            print("FAIL: %s exited %d" % (sys.argv[1], r.returncode))
            return 1
        with open(tmp + "/doc.yaml", "rb") as f:
            text = f.read().decode("utf-8")
        with open(tmp + "/expect.json", encoding="utf-8") as f:
            want = [decode(d) for d in json.load(f)]
    loaders = [("SafeLoader", yaml.SafeLoader)]
    if getattr(yaml, "CSafeLoader", None):
        loaders.append(("CSafeLoader", yaml.CSafeLoader))
    passed = total = 0
    for name, loader in loaders:
        try:
            got = list(yaml.load_all(text, Loader=loader))
        except yaml.YAMLError as e:
            print("FAIL %s cannot read the stream: %s" % (name, e))
            total += len(want)
            continue
        if len(got) != len(want):
            print("FAIL %s read %d documents, want %d" % (name, len(got), len(want)))
            total += len(want)
            continue
        for i, (g, w) in enumerate(zip(got, want)):
            errors = []
            same(g, w, "doc[%d]" % i, errors)
            total += 1
            if errors:
                for e in errors[:20]:
                    print("FAIL %s %s" % (name, e))
            else:
                passed += 1
    print("pyyaml: %d/%d passed (PyYAML %s, %s)"
          % (passed, total, yaml.__version__, ", ".join(n for n, _ in loaders)))
    return 0 if passed == total else 1


if __name__ == "__main__":
    sys.exit(main())
