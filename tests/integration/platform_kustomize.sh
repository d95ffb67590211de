#!/bin/sh
# The example's tree builds with `kubectl kustomize`: every folder of an
# environment with a kustomization.yaml (cluster, platform, gitops and each
# tenant), and their builds hold every object of its tree exactly once; each tenant folder splits between the tenant's and the
# platform's GitOps objects; what a GitRepository carries; the resources
# finalizer of the tenants' Applications. SKIP (77) without kubectl.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/platform_lib.sh"
if ! command -v kubectl >/dev/null 2>&1; then
	echo "SKIP: kubectl not found"
	exit 77
fi

# the example, plus the Secrets of its realms (SOPS-encrypted in the output)
copy_example "$T/repo"
add_realm_secrets "$T/repo"
SOPS_AGE_KEY_FILE="$SRC/keys/admin.agekey" "$TENANTC" render --repo "$T/repo" --out "$T/out" >/dev/null
count_docs() { grep -c '^apiVersion: ' "$1" || true; }

for envdir in "$T"/out/*/; do
	env=$(basename "$envdir")
	for dir in $(cd "$T/out" && find "$env" -name kustomization.yaml -exec dirname {} \; | LC_ALL=C sort); do
		if kubectl kustomize "$T/out/$dir" >"$T/build" 2>"$T/err"; then
			ok "kubectl kustomize $dir: $(count_docs "$T/build") objects"
		else
			bad "kubectl kustomize $dir: $(head -n 3 "$T/err")"
		fi
	done
	files=$(find "$T/out/$env" -name '*.yaml' ! -name kustomization.yaml | wc -l)
	: >"$T/build"
	for top in cluster gitops platform $(cd "$T/out/$env" && echo tenants/*); do
		kubectl kustomize "$T/out/$env/$top" >>"$T/build" 2>/dev/null || true
	done
	built=$(count_docs "$T/build")
	[ "$files" -gt 0 ] && [ "$built" -eq "$files" ] &&
		ok "$env: the builds of cluster, gitops, platform and each tenant hold all $files objects of the tree" ||
		bad "$env: the builds hold $built objects, the tree $files"
done

# The split of each tenant's folder between the tenant's GitOps object and
# the platform's (docs/output-tree.md): each Flux Kustomization and each
# ArgoCD Application (without the plugin: kustomize patches) is built the way
# its controller builds it, with its patches and its targetNamespace, by
# kubectl kustomize over a wrapper; the tenant's build must hold only objects
# of the tenant's namespace and none of gitops-applier's, the platform's none
# of the tenant's namespace but gitops-applier's, and the two together every
# object of the folder exactly once.
copy_example "$T/split"
add_realm_secrets "$T/split"
sed -i '/plugin: tenantc/d' "$T/split/environments/test.yaml"
SOPS_AGE_KEY_FILE="$SRC/keys/admin.agekey" "$TENANTC" render --repo "$T/split" --out "$T/split-out" >/dev/null
cat >"$T/split.py" <<'EOF'
import os, subprocess, sys, tempfile, yaml
out = sys.argv[1]
def load(d):
    objs = []
    for f in sorted(os.listdir(d)):
        if f.endswith(".yaml") and f != "kustomization.yaml":
            objs.extend(x for x in yaml.safe_load_all(open(os.path.join(d, f))) if x)
    return objs
def build(folder, patches, namespace):
    with tempfile.TemporaryDirectory() as w:
        os.symlink(os.path.abspath(folder), os.path.join(w, "base"))
        k = {"resources": ["base"], "patches": patches}
        if namespace:
            k["namespace"] = namespace
        open(os.path.join(w, "kustomization.yaml"), "w").write(yaml.safe_dump(k))
        r = subprocess.run(["kubectl", "kustomize", "--load-restrictor", "LoadRestrictionsNone", w],
                           capture_output=True, text=True, check=True)
        return [x for x in yaml.safe_load_all(r.stdout) if x]
def key(o):
    m = o["metadata"]
    return (o["kind"], m.get("namespace", ""), m["name"])
bad = 0
n = 0
for env in sorted(os.listdir(out)):
    if not os.path.isdir(os.path.join(out, env)):
        continue
    gitops = []
    for sub in ("gitops", "platform"):
        for dp, dn, fn in os.walk(os.path.join(out, env, sub)):
            for f in fn:
                if f != "kustomization.yaml":
                    gitops.extend(x for x in yaml.safe_load_all(open(os.path.join(dp, f))) if x)
    for t in sorted(os.listdir(os.path.join(out, env, "tenants"))):
        folder = os.path.join(out, env, "tenants", t)
        if not os.path.isdir(folder):
            continue
        ns = "%s-%s" % (t, env)
        mine = plat = None
        for o in gitops:
            spec, name = o.get("spec", {}), o["metadata"]["name"]
            if o["kind"] == "Kustomization" and spec.get("path", "").rstrip("/").endswith("/tenants/" + t):
                parts = (build(folder, spec.get("patches", []), spec.get("targetNamespace")), name)
            elif o["kind"] == "Application" and spec.get("source", {}).get("path", "").endswith("/tenants/" + t):
                parts = (build(folder, spec["source"].get("kustomize", {}).get("patches", []), None), name)
            else:
                continue
            if name == ns:
                mine = parts
            elif name.startswith("platform.%s.tenant." % env):
                plat = parts
        if not mine or not plat:
            print("%s/%s: no tenant or no platform object applies the folder" % (env, t)); bad += 1; continue
        applier = lambda o: o["metadata"].get("labels", {}).get("tenantc.io/gitops-applier") == "true"
        for o in mine[0]:
            if o["metadata"].get("namespace") != ns or applier(o):
                print("%s: %s %s is applied by the tenant's %s" % (env, o["kind"], o["metadata"]["name"], mine[1])); bad += 1
        for o in plat[0]:
            if o["metadata"].get("namespace") == ns and not applier(o):
                print("%s: %s %s of the tenant's namespace is applied by %s" % (env, o["kind"], o["metadata"]["name"], plat[1])); bad += 1
        got = sorted(key(o) for o in mine[0] + plat[0])
        want = sorted(key(o) for o in load(folder))
        if got != want:
            print("%s/%s: the two builds are not the folder: %s" % (env, t, set(got) ^ set(want))); bad += 1
        n += 1
print("%d tenant folders checked" % n)
sys.exit(1 if bad or n == 0 else 0)
EOF
run python3 "$T/split.py" "$T/split-out"
expect "each tenant folder is split between the tenant's object (its namespace) and the platform's (the rest)" \
	'expect_status 0 && expect_stdout "^5 tenant folders checked$"'

# What the GitRepository of an environment carries (its spec.ignore, in
# .gitignore syntax, as source-controller reads it): only that environment's
# rendered tree, none of the inputs; judged by git check-ignore itself
cat >"$T/ignore.py" <<'EOF'
import sys, yaml
for d in yaml.safe_load_all(open(sys.argv[1])):
    if d and d["kind"] == "GitRepository":
        sys.stdout.write(d["spec"].get("ignore", ""))
EOF
python3 "$T/ignore.py" "$T/out/prod/platform/gitrepository-platform.prod.yaml" >"$T/ignore"
mkdir -p "$T/ign" && (cd "$T/ign" && git init -q . && cp "$T/ignore" .gitignore)
carried=$(cd "$T/ign" && for p in rendered/prod/tenants/acme/kustomization.yaml rendered/prod/tenants/acme/secret-database.yaml \
	rendered/test/tenants/acme/kustomization.yaml tenants/acme/secrets/prod/database.yaml tenants/acme/tenant.yaml \
	keys/admin.agekey templates/tenant/rbac.yaml tenantc.yaml environments/prod.yaml; do
	git check-ignore -q --no-index "$p" || printf '%s ' "$p"; done)
[ "$carried" = "rendered/prod/tenants/acme/kustomization.yaml rendered/prod/tenants/acme/secret-database.yaml " ] &&
	ok "the prod GitRepository carries rendered/prod only, no input and no other environment" ||
	bad "the prod GitRepository carries: $carried"

# every Application that applies a tenant's folder has ArgoCD's resources
# finalizer, so that removing the tenant deletes its objects (Namespace
# included) instead of orphaning them
cat >"$T/fin.py" <<'EOF'
import os, sys, yaml
n = bad = 0
for dp, dn, fn in os.walk(sys.argv[1]):
    for f in fn:
        if not f.startswith("application-"):
            continue
        for d in yaml.safe_load_all(open(os.path.join(dp, f))):
            if d and "/tenants/" in d["spec"]["source"]["path"]:
                n += 1
                if "resources-finalizer.argocd.argoproj.io" not in d["metadata"].get("finalizers", []):
                    print("%s: no resources finalizer" % d["metadata"]["name"]); bad += 1
print("%d" % n)
sys.exit(1 if bad else 0)
EOF
run python3 "$T/fin.py" "$T/out/test"
expect "every Application of a tenant's folder has the resources finalizer" 'expect_status 0 && expect_stdout "^6$"'

# the test can fail: a tenant folder whose kustomization names a missing file
cp -R "$T/out" "$T/broken"
echo "- missing.yaml" >>"$T/broken/prod/tenants/acme/kustomization.yaml"
kubectl kustomize "$T/broken/prod/tenants/acme" >/dev/null 2>&1 &&
	bad "kubectl kustomize accepted a kustomization naming a missing file" ||
	ok "kubectl kustomize rejects a kustomization naming a missing file"
finish
