#!/usr/bin/env python3
"""tests/tools/refs.py - the file and folder names a text quotes, checked.

    python3 tests/tools/refs.py [--allow LIST] ROOT[:ROOT...] FILE...

Prints every name quoted in FILE... that does not exist, as
"FILE:LINE: 'NAME' does not exist", and exits 1 when there is one. A name
is a word that looks like a path in a repository: it starts with one of
the folders below (or is a name with one of the extensions below), after
URLs are taken out. It resolves when it exists relative to the file's own
folder or to ROOT; a bare file name also when a file of that name exists
anywhere below ROOT; a glob ("kyverno-*.yaml") when it matches something
(a bare one: a file name below ROOT). With several ROOTs, any of them.
LIST names what is quoted on purpose without existing (an example of a
user's file, a file of another program): one name a line, then "#" and
why; a name of LIST that every FILE stops quoting is reported too.
Words holding a placeholder (<tenant>, ${x}, {{.Kind}}, DIR, ...) are
patterns, not names, and are left out.
"""
import fnmatch
import glob
import os
import re
import sys

FOLDERS = ("templates", "schemas", "environments", "tenants", "rendered", "docs", "tests",
           "src", "scripts", "bench", "tools", "keys", "argocd", ".github", ".ci")
EXTS = (".yaml", ".yml", ".json", ".md", ".sh", ".c", ".h", ".py", ".txt", ".rego",
        ".conf", ".tsv", ".agekey", ".mjs")
URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S+|git@\S+|[a-z0-9.-]+\.(?:com|org|io|dev)/\S*")
WORD = re.compile(r"[A-Za-z0-9_.*/-]+")
PLACEHOLDER = re.compile(r"[<>${}]")


def candidates(line):
    line = URL.sub(" ", line)
    for m in WORD.finditer(line):
        w = m.group(0)
        start, end = m.start(), m.end()
        # part of a placeholder pattern: tenants/<t>/..., ${x}.yaml, a_<key>
        before = line[start - 1] if start else ""
        after = line[end] if end < len(line) else ""
        if PLACEHOLDER.search(before + after) or after == "[":
            continue
        w = w.rstrip(".,:;")
        if w.startswith("./"):
            w = w[2:]
        first = w.split("/")[0]
        if first in FOLDERS and "/" in w:
            yield w  # a path, or a folder written "templates/"
        elif "/" not in w and w.endswith(EXTS) and "." in w.lstrip("."):
            yield w  # a file name: tenantc.yaml, .pre-commit-config.yaml


def resolves(roots, here, name, basenames):
    bare = "/" not in name.rstrip("/")
    for base in [here] + roots:
        p = os.path.join(base, name)
        if "*" in name:
            if glob.glob(p):
                return True
        elif os.path.lexists(p):
            return True
    if bare and "*" not in name and name in basenames:
        return True
    if bare and "*" in name and fnmatch.filter(basenames, name):
        return True
    return False


def main(argv):
    allowed = {}
    if argv[:1] == ["--allow"]:
        with open(argv[1], encoding="utf-8") as fh:
            for line in fh:
                name = line.split("#")[0].strip()
                if name:
                    allowed[name] = False
        argv = argv[2:]
    roots, files = argv[0].split(":"), argv[1:]
    basenames = set()
    for root in roots:
        for d, dirs, fs in os.walk(root):
            dirs[:] = [x for x in dirs if x != ".git"]
            basenames.update(fs)
    basenames = sorted(basenames)
    bad = 0
    for f in files:
        here = os.path.dirname(f)
        with open(f, encoding="utf-8", errors="replace") as fh:
            for n, line in enumerate(fh, 1):
                for name in candidates(line):
                    if name in allowed:
                        allowed[name] = True
                    elif not resolves(roots, here, name, basenames):
                        print(f"{f}:{n}: '{name}' does not exist")
                        bad += 1
    for name, used in allowed.items():
        if not used:
            print(f"'{name}' is listed as quoted on purpose, but no file quotes it")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
