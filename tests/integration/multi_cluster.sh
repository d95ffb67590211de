# multi_cluster.sh - sourced: make_multi_cluster FROM TO copies the example
# repository FROM to TO with several target clusters per environment: prod
# (Flux) on worker01 and worker02, globex placed on worker02 for prod; test
# (ArgoCD, whose clusters need only their registered names) on blue and
# green, acme placed on green for test; the other tenants on the first.
# Used by platform-targets and interop-apiserver-clusters.
make_multi_cluster() {
	cp -R "$1" "$2"
	sed -i '/^cluster:$/,/kubeConfigSecret/d' "$2/environments/prod.yaml"
	printf 'clusters:\n  - name: worker01\n    kubeConfigSecret: kubeconfig\n  - name: worker02\n    kubeConfigSecret: kubeconfig-worker02\n' \
		>>"$2/environments/prod.yaml"
	printf 'clusters:\n  - {name: blue}\n  - {name: green}\n' >>"$2/environments/test.yaml"
	# globex's prod section (it names its apps there) places it on worker02
	sed -i 's/^  prod:$/  prod:\n    cluster: worker02/' "$2/tenants/globex/tenant.yaml"
	grep -q '^    cluster: worker02$' "$2/tenants/globex/tenant.yaml" || bad "could not place globex on worker02"
	# worker02's kubeconfig is provided like worker01's
	sed -i '/^    name: kubeconfig\b/,/^    environments:/{/^    environments:/a\
  - {apiVersion: v1, kind: Secret, namespace: flux-system, name: kubeconfig-worker02, keys: [value], environments: [prod]}
}' "$2/tenantc.yaml"
	sed -i 's/^  test:$/  test:\n    cluster: green/' "$2/tenants/acme/tenant.yaml"
}
