#!/bin/sh
# The example's tree builds with `kubectl kustomize`: every environment
# folder, every folder below it (cluster, platform, gitops, tenants and each
# tenant), and an environment's build holds every object of its tree
# exactly once. SKIP (77) without kubectl.
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
	kubectl kustomize "$T/out/$env" >"$T/build" 2>/dev/null || true
	built=$(count_docs "$T/build")
	[ "$files" -gt 0 ] && [ "$built" -eq "$files" ] &&
		ok "$env: the build holds all $files objects of the tree" ||
		bad "$env: the build holds $built objects, the tree $files"
done

# the test can fail: a tenant folder whose kustomization names a missing file
cp -R "$T/out" "$T/broken"
echo "- missing.yaml" >>"$T/broken/prod/tenants/acme/kustomization.yaml"
kubectl kustomize "$T/broken/prod" >/dev/null 2>&1 &&
	bad "kubectl kustomize accepted a kustomization naming a missing file" ||
	ok "kubectl kustomize rejects a kustomization naming a missing file"
finish
