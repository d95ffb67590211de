# expect: templates/tenant/big.yaml:5:16: error: file('realm.json'): 'tenants/t/files/realm.json' is 1.5 MiB, over the 1 MiB a ConfigMap or Secret can hold: ship it in a volume instead (a PersistentVolumeClaim filled by a Job, or an OCI artifact; docs/templates.md, "Large files"), checked with fileSha256()
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
# the limit: kubernetes/kubernetes pkg/apis/core/validation ValidateConfigMap, core.MaxSecretSize (1 MiB)
mkdir -p tenants/t/files && head -c 1572864 /dev/zero | tr '\0' 'a' >tenants/t/files/realm.json
cat >templates/tenant/big.yaml <<'Y'
apiVersion: v1
kind: ConfigMap
metadata: {name: big, namespace: t}
data:
  big: {$eval: "file('realm.json')"}
Y
tc render
