#!/bin/sh
# Every kustomization of the rendered tree writes to one cluster: for each
# folder with a kustomization.yaml, `kubectl kustomize` builds it, and each
# of its objects must be bound for the same cluster, as the tree's own Flux
# Kustomizations and ArgoCD Applications bind it (kubeConfig, destination;
# platform_targets.py). docs/output-tree.md, "Where each part goes"; and
# the stages within an environment, "Stages".
# SKIP (77) without kubectl.
. "$(dirname "$0")/lib.sh"
if ! command -v kubectl >/dev/null 2>&1; then
	echo "SKIP: kubectl not found"
	exit 77
fi
CHECK="$SRC/tests/integration/platform_targets.py"

# the example: prod with Flux onto the remote worker01, test with ArgoCD in
# its own cluster
copy_example "$T/repo"
"$TENANTC" render --repo "$T/repo" --out "$T/out" >/dev/null
run python3 "$CHECK" "$T/out" rendered
expect "the example: each kustomization's objects go to one cluster" \
	'expect_status 0 && expect_stdout "^[1-9][0-9]* kustomizations checked$"'
expect "no kustomization joins an environment's folders" \
	'expect_file_absent "$T/out/prod/kustomization.yaml" && expect_file_absent "$T/out/test/kustomization.yaml" &&
	 expect_file_absent "$T/out/prod/tenants/kustomization.yaml"'

# Stages within an environment (docs/output-tree.md): the objects of
# cluster/ (CRDs, operators, policies) before each tenant's platform part,
# and both before the tenant's own objects. Flux: the tenants'
# Kustomizations depend on the cluster's, which waits for its objects'
# health (wait: true; otherwise Ready means only "applied"); ArgoCD: sync
# waves of the Applications in platform/, which one parent applies.
cat >"$T/stages.py" <<'PY'
import os, sys, yaml
tree, bad, n = sys.argv[1], 0, 0
for env in sorted(os.listdir(tree)):
    objs = []
    for dp, dn, fn in os.walk(os.path.join(tree, env)):
        for f in fn:
            if f != "kustomization.yaml":
                objs.extend(d for d in yaml.safe_load_all(open(os.path.join(dp, f))) if d)
    def by_path(kind, path, suffix):
        return [o for o in objs if o["kind"] == kind and path(o).rstrip("/").endswith(suffix)]
    flux = lambda o: o["spec"].get("path", "")
    argo = lambda o: o["spec"]["source"]["path"]
    kubeconfig = lambda o: ((o["spec"].get("kubeConfig") or {}).get("secretRef") or {}).get("name")
    for kind, path in (("Kustomization", flux), ("Application", argo)):
        cls = by_path(kind, path, "/" + env + "/cluster")
        if not cls:
            continue
        tenants = [o for o in objs if o["kind"] == kind and "/" + env + "/tenants/" in path(o)]
        for o in tenants:
            n += 1
            name = o["metadata"]["name"]
            if kind == "Kustomization":
                # the stage of cluster/ on the tenant's own cluster
                cl = [c for c in cls if kubeconfig(c) == kubeconfig(o)]
                deps = {d["name"] for d in o["spec"].get("dependsOn", [])}
                if len(cl) != 1 or cl[0]["metadata"]["name"] not in deps or cl[0]["spec"].get("wait") is not True:
                    print("%s: %s does not wait for %s to be healthy" % (env, name, cl[0]["metadata"]["name"] if cl else "cluster/ on its cluster")); bad += 1
                if not name.startswith("platform.") and not any(d.startswith("platform.%s.tenant." % env) for d in deps):
                    print("%s: %s does not wait for the tenant's platform part" % (env, name)); bad += 1
            else:
                wave = lambda a: int((a["metadata"].get("annotations") or {}).get("argocd.argoproj.io/sync-wave", "0"))
                gitops = by_path(kind, argo, "/" + env + "/gitops")
                if name.startswith("platform."):
                    if not max(wave(c) for c in cls) < wave(o) < wave(gitops[0]):
                        print("%s: %s is not between the waves of %s and %s" % (env, name, cls[0]["metadata"]["name"], gitops[0]["metadata"]["name"])); bad += 1
print("%d tenant GitOps objects checked" % n)
sys.exit(1 if bad or n == 0 else 0)
PY
run python3 "$T/stages.py" "$T/out"
expect "stages: the cluster's objects, then each tenant's platform part, then the tenant's own" \
	'expect_status 0 && expect_stdout "^10 tenant GitOps objects checked$"'
cp -R "$T/out" "$T/flat"
sed -i '/sync-wave/d' "$T/flat/test/platform/"application-*.yaml
sed -i '/^  wait: true$/d' "$T/flat/prod/platform/kustomization-platform.prod.cluster.yaml"
run python3 "$T/stages.py" "$T/flat"
expect "... and the check fails without the waves and without wait" \
	'expect_status 1 && expect_stdout "^prod: acme-prod does not wait for platform\.prod\.cluster to be healthy$" &&
	 expect_stdout "^test: platform\.test\.tenant\.acme is not between the waves of "'

# Several target clusters per environment (multi_cluster.sh): prod (Flux)
# on worker01 and worker02, globex on worker02; test (ArgoCD, clusters by
# name only, no kubeConfigSecret) on blue and green, acme on green
. "$SRC/tests/integration/multi_cluster.sh"
make_multi_cluster "$T/repo" "$T/multi"
run "$TENANTC" render --repo "$T/multi" --out "$T/multi-out"
expect "several clusters: the example renders" 'expect_status 0'
run python3 "$CHECK" "$T/multi-out" rendered
expect "several clusters: each kustomization's objects go to one cluster (cluster/ to each)" \
	'expect_status 0 && expect_stdout "^[1-9][0-9]* kustomizations checked$"'
run python3 "$T/stages.py" "$T/multi-out"
expect "several clusters: each tenant after cluster/ on its own cluster" \
	'expect_status 0 && expect_stdout "^10 tenant GitOps objects checked$"'
# where each tenant went: its GitOps objects' kubeConfig, dependsOn, destination
M=$T/multi-out
placed() { # FILE WANT...: FILE holds each WANT line
	f=$1; shift
	for w in "$@"; do grep -qxF -- "$w" "$M/$f" || { why="$f: no line '$w'"; return 1; }; done
}
expect "several clusters: one Flux stage of cluster/ per cluster, with its kubeconfig" \
	'placed prod/platform/kustomization-platform.prod.cluster.worker01.yaml "      name: kubeconfig" &&
	 placed prod/platform/kustomization-platform.prod.cluster.worker02.yaml "      name: kubeconfig-worker02" &&
	 expect_file_absent "$M/prod/platform/kustomization-platform.prod.cluster.yaml"'
expect "several clusters: globex on worker02 in prod, acme on the first" \
	'placed prod/gitops/globex/kustomization-globex-prod.yaml "      name: kubeconfig-worker02" "  - name: platform.prod.cluster.worker02" &&
	 placed prod/platform/kustomization-platform.prod.tenant.globex.yaml "      name: kubeconfig-worker02" "  - name: platform.prod.cluster.worker02" &&
	 placed prod/gitops/acme/kustomization-acme-prod.yaml "      name: kubeconfig" "  - name: platform.prod.cluster.worker01"'
expect "several clusters: ArgoCD destinations, acme on green in test, the others on blue" \
	'placed test/gitops/acme/application-acme-test.yaml "    name: green" &&
	 placed test/platform/application-platform.test.tenant.acme.yaml "    name: green" &&
	 placed test/platform/application-platform.test.tenant.initech.yaml "    name: blue" &&
	 placed test/gitops/initech/appproject-initech-test.yaml "  - name: blue" &&
	 placed test/platform/application-platform.test.cluster.green.yaml "    name: green" &&
	 placed test/platform/appproject-platform.test.yaml "  - name: blue" "  - name: green"'

# the example's schemas judge both, with line and column
cp -R "$T/multi" "$T/badc"
sed -i 's/^    kubeConfigSecret: kubeconfig-worker02$/    kubeConfig: kubeconfig-worker02/' "$T/badc/environments/prod.yaml"
run "$TENANTC" render --repo "$T/badc" --out "$T/badc-out"
expect "a cluster without its kubeConfigSecret is an error at its line" \
	'expect_status 2 && expect_stderr "^environments/prod\.yaml:[0-9]+:5: error: missing required key .kubeConfigSecret. \(at \.clusters\[1\]\)$" &&
	 expect_file_absent "$T/badc-out"'
cp -R "$T/multi" "$T/badt"
sed -i 's/^    cluster: worker02$/    cluster: Worker02/' "$T/badt/tenants/globex/tenant.yaml"
run "$TENANTC" render --repo "$T/badt" --out "$T/badt-out"
expect "a tenant's cluster that is no name is an error at its line" \
	'expect_status 2 && expect_stderr "^tenants/globex/tenant\.yaml:[0-9]+:14: error: .Worker02. is not a DNS-1123 label: .* \(at \.overrides\.prod\.cluster\)$"'

# ArgoCD onto a remote cluster, and Flux in its own cluster
cp -R "$T/repo" "$T/swap"
printf 'cluster:\n  name: worker02\n  kubeConfigSecret: unused\n' >>"$T/swap/environments/test.yaml"
sed -i '/^cluster:$/,/kubeConfigSecret/d' "$T/swap/environments/prod.yaml"
"$TENANTC" render --repo "$T/swap" --out "$T/swap-out" >/dev/null
run python3 "$CHECK" "$T/swap-out" rendered
expect "ArgoCD to a remote cluster, Flux in-cluster: each kustomization's objects go to one cluster" \
	'expect_status 0 && expect_stdout "^[1-9][0-9]* kustomizations checked$"'

# the check fails on the layout of tenantc 0.1: an index at the environment
# joining cluster, gitops, platform and tenants, and one joining the tenants
cp -R "$T/out" "$T/old"
for env in prod test; do
	printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- cluster\n- gitops\n- platform\n- tenants\n' \
		>"$T/old/$env/kustomization.yaml"
	{ printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n'
	  (cd "$T/old/$env/tenants" && for t in */; do echo "- ${t%/}"; done); } >"$T/old/$env/tenants/kustomization.yaml"
done
run python3 "$CHECK" "$T/old" rendered
expect "the old environment index joins the management cluster's and worker01's objects" \
	'expect_status 1 && expect_stdout "^prod/kustomization\.yaml: joins objects for 2 clusters: kubeConfig kubeconfig \(e\.g\. " &&
	! grep -q "^test/" "$T/stdout"'

# and on an object that no GitOps object applies
cp -R "$T/out" "$T/stray"
mkdir -p "$T/stray/prod/extra"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: stray\n  namespace: default\n' >"$T/stray/prod/extra/configmap-stray.yaml"
printf 'resources:\n- configmap-stray.yaml\n' >"$T/stray/prod/extra/kustomization.yaml"
run python3 "$CHECK" "$T/stray" rendered
expect "an object no GitOps object applies is found" \
	'expect_status 1 && expect_stdout "^prod/extra/kustomization\.yaml: ConfigMap stray is applied by no GitOps object of the tree$"'
finish
