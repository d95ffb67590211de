# expect: templates/tenant/big.yaml:1:1: error: ConfigMap 'big' holds 1.9 MiB of data, over Kubernetes' 1 MiB limit: put large data (such as a Keycloak realm export) in a volume instead, for example an image or a PersistentVolumeClaim mounted by the pod
# cmd: sh {file} {tenantc}
# status: 1
. "$(dirname "$0")/../lib/repo.sh"
cat >templates/tenant/big.yaml <<'Y'
apiVersion: v1
kind: ConfigMap
metadata: {name: big, namespace: t}
data:
  big: {$eval: 'join(range(0, 300000), ",")'}
Y
tc render
