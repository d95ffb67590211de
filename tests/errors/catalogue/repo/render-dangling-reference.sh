# expect: templates/tenant/binding.yaml:9:9: error: RoleBinding 't/readers' refers to Role 't/reader', which is neither rendered nor declared in 'provided' of tenantc.yaml (at .roleRef.name)
# cmd: sh {file} {tenantc}
# status: 1
. "$(dirname "$0")/../lib/repo.sh"
cat >templates/tenant/binding.yaml <<'YAML'
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: readers
  namespace: ${tenant.name}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: reader
subjects:
  - kind: Group
    apiGroup: rbac.authorization.k8s.io
    name: readers
YAML
tc render
