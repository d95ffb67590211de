#!/bin/sh
# docs.sh - what README.md, HACKING.md and docs/ quote about the example
# is what tenantc does, so the documents cannot drift from the output:
#
#   figures: the summary line of the quick start, the object and file
#     counts of docs/output-tree.md (total, per environment and folder, the
#     smallest and largest tenant folder) and of docs/interop-apiserver.md,
#     from a real render of the example;
#   names: every file or folder quoted exists in the project or in the
#     rendered example (tests/tools/refs.py), or is listed with where it
#     lives in tests/docs/quoted-elsewhere.txt;
#   labels: docs/templates.md's promise, every rendered object carries the
#     managed-by and environment labels (tenant objects also the tenant
#     label), with the values of the folder it is in, the tenant's Secrets
#     (made from its SOPS files, not by a template) included.
. "$(dirname "$0")/lib.sh"

R="$T/repo"
copy_example "$R"
run sh -c 'cd "$1" && "$2" render' sh "$R" "$TENANTC"
expect "the example renders" 'expect_status 0'
summary=$(cat "$T/stdout")
expect "README's quick start quotes the summary line render prints" \
	'grep -qF "\`$summary\`" "$SRC/README.md" ||
	 { why="render prints \"$summary\"; README: $(grep -o "\`rendered [0-9].*into rendered\`" "$SRC/README.md")"; false; }'

run /usr/bin/python3 - "$SRC" "$R/rendered" <<'PY'
import os, re, sys
src, out = sys.argv[1], sys.argv[2]
bad = 0
def check(what, doc, got):
    global bad
    if doc != got:
        print(f"FIGURE {what}: the document says {doc}, the render makes {got}")
        bad += 1
def objects(d):
    n = 0
    for dp, _, fs in os.walk(d):
        n += sum(1 for f in fs if f.endswith(".yaml") and f != "kustomization.yaml")
    return n
files = sum(len(fs) for _, _, fs in os.walk(out))
total = objects(out)
tree = open(os.path.join(src, "docs/output-tree.md"), encoding="utf-8").read()
m = re.search(r"The example repository renders (\d+) objects into (\d+) files", tree)
check("output-tree.md objects", int(m.group(1)) if m else None, total)
check("output-tree.md files", int(m.group(2)) if m else None, files)
for env in ("prod", "test"):
    row = re.search(r"^\| `%s` \|[^|]*\|(.*)\|\s*$" % env, tree, re.M)
    cells = [c.strip() for c in row.group(1).split("|")] if row else []
    for i, folder in enumerate(("cluster", "platform", "gitops", "tenants")):
        doc = int(cells[i].split()[0]) if len(cells) > i else None
        check(f"output-tree.md {env} {folder}/", doc, objects(os.path.join(out, env, folder)))
    check(f"output-tree.md {env} all", int(cells[4]) if len(cells) > 4 else None,
          objects(os.path.join(out, env)))
sizes = {}
for env in ("prod", "test"):
    td = os.path.join(out, env, "tenants")
    for t in os.listdir(td):
        if os.path.isdir(os.path.join(td, t)):
            sizes.setdefault(t, set()).add(objects(os.path.join(td, t)))
m = re.search(r"A tenant's folder holds (\d+) \((\w+)\) to (\d+) \((\w+)\) objects", tree)
lo = min((min(v), t) for t, v in sizes.items())
hi = max((max(v), t) for t, v in sizes.items())
check("output-tree.md smallest tenant folder", (int(m.group(1)), m.group(2)) if m else None, lo)
check("output-tree.md largest tenant folder", (int(m.group(3)), m.group(4)) if m else None, hi)
api = open(os.path.join(src, "docs/interop-apiserver.md"), encoding="utf-8").read()
m = re.search(r"the rendered example \((\d+) objects", api)
check("interop-apiserver.md objects", int(m.group(1)) if m else None, total)
print(f"{total} objects, {files} files checked against the documents")
sys.exit(1 if bad else 0)
PY
expect "the documents' figures are the render's" 'expect_status 0 || { why="$(cat "$T/stdout")"; false; }'

run python3 "$SRC/tests/tools/refs.py" --allow "$SRC/tests/docs/quoted-elsewhere.txt" \
	"$SRC:$SRC/src:$R" "$SRC/README.md" "$SRC/HACKING.md" "$SRC"/docs/*.md
expect "every file and folder the documents quote exists (or is listed elsewhere)" \
	'expect_status 0 || { why="$(head -n 10 "$T/stdout")"; false; }'

run /usr/bin/python3 - "$R/rendered" <<'PY'
import os, sys, yaml
out = sys.argv[1]
bad = 0
for dp, _, fs in sorted(os.walk(out)):
    for f in sorted(fs):
        if not f.endswith(".yaml") or f == "kustomization.yaml":
            continue
        path = os.path.join(dp, f)
        rel = os.path.relpath(path, out)
        o = yaml.safe_load(open(path))
        labels = (o.get("metadata") or {}).get("labels") or {}
        parts = rel.split("/")
        want = {"app.kubernetes.io/managed-by": "tenantc", "tenantc.io/environment": parts[0]}
        if parts[1] in ("tenants", "gitops"):
            want["tenantc.io/tenant"] = parts[2]
        wrong = sorted(f"{k}: {labels.get(k)!r} (want {v!r})" for k, v in want.items()
                       if labels.get(k) != v)
        if wrong:
            print(f"{rel}: {o['kind']} labels {'; '.join(wrong)}")
            bad += 1
        if o["kind"] == "Secret" and "tenantc.io/source-digest" not in (
                o["metadata"].get("annotations") or {}):
            print(f"{rel}: a Secret without the annotation tenantc.io/source-digest")
            bad += 1
sys.exit(1 if bad else 0)
PY
expect "the labels docs/templates.md promises, on every object, Secrets included" \
	'expect_status 0 || { why="$(head -n 5 "$T/stdout")"; false; }'
expect "docs/templates.md says what the Secrets carry" \
	'grep -qF "Every rendered object carries the labels" "$SRC/docs/templates.md" &&
	 grep -qF "tenantc itself gives them the same three labels" "$SRC/docs/templates.md"'
finish
