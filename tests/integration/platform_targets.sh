#!/bin/sh
# Every kustomization of the rendered tree writes to one cluster: for each
# folder with a kustomization.yaml, `kubectl kustomize` builds it, and each
# of its objects must be bound for the same cluster, as the tree's own Flux
# Kustomizations and ArgoCD Applications bind it (kubeConfig, destination;
# platform_targets.py). docs/output-tree.md, "Where each part goes".
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
	'expect_file_absent "$T/out/prod/kustomization.yaml" && expect_file_absent "$T/out/test/kustomization.yaml"'

# ArgoCD onto a remote cluster, and Flux in its own cluster
cp -R "$T/repo" "$T/swap"
printf 'cluster:\n  name: worker02\n  kubeConfigSecret: unused\n' >>"$T/swap/environments/test.yaml"
sed -i '/^cluster:$/,/kubeConfigSecret/d' "$T/swap/environments/prod.yaml"
"$TENANTC" render --repo "$T/swap" --out "$T/swap-out" >/dev/null
run python3 "$CHECK" "$T/swap-out" rendered
expect "ArgoCD to a remote cluster, Flux in-cluster: each kustomization's objects go to one cluster" \
	'expect_status 0 && expect_stdout "^[1-9][0-9]* kustomizations checked$"'

# the check fails on the layout of tenantc 0.1: an index at the environment
# joining cluster, gitops, platform and tenants
cp -R "$T/out" "$T/old"
for env in prod test; do
	printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- cluster\n- gitops\n- platform\n- tenants\n' \
		>"$T/old/$env/kustomization.yaml"
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
