# expect: tenants/t/tenant.yaml:2:10: error: tenant 't' is placed on cluster 'blue', but environment 'dev' lists no 'clusters' (environments/dev.yaml) (at .cluster)
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
# tenantc's own placement rule (docs/output-tree.md, "Several clusters"): a tenant is placed
# on one of the clusters its environment lists
printf 'name: t\ncluster: blue\n' >tenants/t/tenant.yaml
tc render
