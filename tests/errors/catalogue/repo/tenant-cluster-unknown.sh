# expect: tenants/t/tenant.yaml:2:10: error: environment 'dev' lists no cluster 'red' (see 'clusters' in environments/dev.yaml) (at .cluster)
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
# tenantc's own placement rule (docs/output-tree.md, "Several clusters"): a tenant is placed
# on one of the clusters its environment lists
printf 'name: dev\nclusters:\n  - {name: blue}\n  - {name: green}\n' >environments/dev.yaml
printf 'name: t\ncluster: red\n' >tenants/t/tenant.yaml
tc render
