# expect: environments/dev.yaml:4:3: error: 'clusters' and 'cluster' exclude each other: list the environment's one cluster under 'clusters' or name it in 'cluster' (at .clusters)
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
# tenantc's own rule (docs/output-tree.md, "Several clusters"): 'cluster' is the one-cluster
# form of 'clusters'
printf 'name: dev\ncluster: {name: blue}\nclusters:\n  - {name: blue}\n' >environments/dev.yaml
tc render
