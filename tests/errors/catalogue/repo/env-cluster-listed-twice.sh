# expect: environments/dev.yaml:5:12: error: cluster 'blue' is listed twice (at .clusters[2].name)
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
# a cluster's name names its GitOps objects (platform.<env>.cluster.<name>) and, for ArgoCD,
# the cluster as registered there, where names are unique: no name twice
printf 'name: dev\nclusters:\n  - {name: blue}\n  - {name: green}\n  - {name: blue}\n' >environments/dev.yaml
tc render
