# expect: tenantc.yaml:3:5: error: missing required key 'name' (at .provided[0])
# cmd: sh {file} {tenantc}
# the repository's settings schema (schemas/tenantc.json) judges tenantc.yaml
S=$(cd "$(dirname "$0")/../../../.." && pwd)/schemas
. "$(dirname "$0")/../lib/repo.sh"
mkdir schemas && cp "$S/tenantc.json" schemas/
cat >tenantc.yaml <<'YAML'
output: rendered
provided:
  - apiVersion: v1
    kind: Secret
    namespace: flux-system
YAML
tc render
