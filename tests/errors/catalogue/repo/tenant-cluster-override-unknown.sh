# expect: tenants/t/tenant.yaml:4:14: error: environment 'dev' lists no cluster 'green' (see 'clusters' in environments/dev.yaml) (at .overrides.dev.cluster)
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
# tenantc's own placement rule (docs/output-tree.md, "Several clusters"): a tenant is placed
# on one of the clusters its environment lists
printf 'name: dev\nclusters:\n  - {name: blue}\n' >environments/dev.yaml
printf 'name: t\noverrides:\n  dev:\n    cluster: green\n' >tenants/t/tenant.yaml
tc render
