#!/bin/sh
# The example's output against the versions README.md says it supports
# ("Supported versions"), judged by the upstream CRDs and Kubernetes schemas
# in ../shared/schemas-upstream (their tags: its crds/README.md):
#  - every rendered apiVersion is served, and not deprecated, by the CRD of
#    its kind (crd-json/index.json) or, for a built-in kind, by both
#    Kubernetes schema folders (the oldest and newest minor tested), or
#    for a kind they have no schema of, by tenantc's built-in schemas of
#    those minors (data/kubernetes-schemas.json, from the API server's
#    OpenAPI documents);
#  - no rendered field is one its CRD schema describes as deprecated
#    (Kyverno 1.13+ deprecates spec.failurePolicy and
#    spec.webhookTimeoutSeconds for spec.webhookConfiguration);
#  - the README's table names each tag that crds/README.md lists.
# SKIP (77) when ../shared is absent.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/platform_lib.sh"
UPSTREAM="${SHARED:-$SRC/../shared}/schemas-upstream"
if [ ! -d "$UPSTREAM/crd-json" ] || [ ! -d "$UPSTREAM/kubernetes" ]; then
	echo "SKIP: ../shared/schemas-upstream not found"
	exit 77
fi

copy_example "$T/repo"
add_realm_secrets "$T/repo"
SOPS_AGE_KEY_FILE="$SRC/keys/admin.agekey" "$TENANTC" render --repo "$T/repo" --out "$T/out" >/dev/null

cat >"$T/versions.py" <<'EOF'
import json, os, re, sys, yaml
tree, upstream, readme = sys.argv[1:4]
index = json.load(open(os.path.join(upstream, "crd-json", "index.json")))
crds = {(e["group"], e["kind"], e["version"]): e for e in index}
groups = {e["group"] for e in index}
kube = sorted(d for d in os.listdir(os.path.join(upstream, "kubernetes")) if d.startswith("v"))
bundle = json.load(open(os.path.join(os.path.dirname(readme), "data", "kubernetes-schemas.json")))
served = {v["version"]: v["kinds"] for v in bundle["versions"]}
problems = []

def deprecated_fields(value, schema, path, out):
    """Fields of value that schema's description calls deprecated."""
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for k, v in value.items():
            sub = props.get(k)
            if sub is None:
                continue
            if str(sub.get("description", "")).lstrip().lower().startswith("deprecated"):
                out.append(path + "." + k)
            deprecated_fields(v, sub, path + "." + k, out)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, v in enumerate(value):
            deprecated_fields(v, schema["items"], "%s[%d]" % (path, i), out)

n = 0
for dp, dn, fn in os.walk(tree):
    dn.sort()
    for f in sorted(fn):
        if not f.endswith(".yaml") or f == "kustomization.yaml":
            continue
        for o in yaml.safe_load_all(open(os.path.join(dp, f))):
            if not o:
                continue
            n += 1
            rel = os.path.relpath(os.path.join(dp, f), tree)
            api, kind = o["apiVersion"], o["kind"]
            group, _, version = api.rpartition("/")
            if group in groups:
                e = crds.get((group, kind, version))
                if not e or not e["served"] or e["deprecated"]:
                    problems.append("%s: %s %s is not served (or deprecated) by the tested CRD" % (rel, api, kind))
                    continue
                schema = json.load(open(os.path.join(upstream, "crd-json", e["schema"])))
                found = []
                deprecated_fields(o, schema, "", found)
                for p in found:
                    problems.append("%s: %s %s uses %s, which the tested CRD marks deprecated" % (rel, api, kind, p))
            else:
                short = group.split(".")[0] if group else ""
                name = "%s-%s%s.json" % (kind.lower(), short + "-" if short else "", version)
                for k in kube:
                    if os.path.exists(os.path.join(upstream, "kubernetes", k, name)):
                        continue
                    # a kind ../shared has no schema of: the built-in
                    # schemas of that minor (data/kubernetes-schemas.json)
                    minor = ".".join(k.lstrip("v").split(".")[:2])
                    if any(kk[0] == group and kk[1] == version and kk[2] == kind
                           for kk in served.get(minor, ())):
                        continue
                    problems.append("%s: %s %s is not served by Kubernetes %s" % (rel, api, kind, k))

# the README's table names the tags the CRDs were taken at
table = open(readme, encoding="utf-8").read()
sect = table[table.index("### Supported versions"):]
sect = sect[:sect.index("\n## ")]
crd_readme = open(os.path.join(upstream, "crds", "README.md"), encoding="utf-8").read()
tags = set(re.findall(r"\| `?v?(\d+\.\d+\.\d+)`?, `[0-9a-f]{40}`", crd_readme))
if not tags:
    problems.append("no tags found in crds/README.md")
for t in sorted(tags):
    if not re.search(r"(?<![\d.])v?%s(?![\d.])" % re.escape(t), sect):
        problems.append("README.md's supported versions do not name the tested tag %s" % t)
for k in kube:
    m = re.match(r"v(\d+\.\d+\.\d+)", k)
    if m and m.group(1) not in sect:
        problems.append("README.md's supported versions do not name Kubernetes %s" % m.group(1))
for p in problems:
    print(p)
print("%d objects, %d tags checked" % (n, len(tags)))
sys.exit(1 if problems or n == 0 else 0)
EOF
run python3 "$T/versions.py" "$T/out" "$UPSTREAM" "$SRC/README.md"
expect "the output fits the tested versions, and README.md names them" \
	'expect_status 0 || { why=$(head -n 5 "$T/stdout" | tr "\n" " "); false; }'

# the check can fail: Kyverno's deprecated top-level webhook settings, and
# an apiVersion the CRD no longer serves
cp -R "$T/out" "$T/old"
f="$T/old/prod/cluster/clusterpolicy-tenantc-prod-require-signed-images.yaml"
sed -i 's/^spec:$/spec:\n  failurePolicy: Fail/' "$f"
es=$(ls "$T"/old/prod/tenants/acme/externalsecret-acme-prod-realm-clients*.yaml)
sed -i 's|^apiVersion: external-secrets.io/v1$|apiVersion: external-secrets.io/v1beta1|' "$es"
run python3 "$T/versions.py" "$T/old" "$UPSTREAM" "$SRC/README.md"
expect "a deprecated field and an unserved apiVersion are reported" 'expect_status 1 &&
	expect_stdout "clusterpolicy-tenantc-prod-require-signed-images.yaml: kyverno.io/v1 ClusterPolicy uses .spec.failurePolicy" &&
	expect_stdout "externalsecret-acme-prod-realm-clients.*yaml: external-secrets.io/v1beta1 ExternalSecret is not served"'
finish
