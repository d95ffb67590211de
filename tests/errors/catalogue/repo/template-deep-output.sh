# expect: templates/tenant/deep.yaml:1:1: error: TemplateError: result nested deeper than 500 levels
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
cat >templates/tenant/deep.yaml <<'Y'
apiVersion: v1
kind: ConfigMap
metadata: {name: deep, namespace: t}
data:
  $reduce: {$eval: "range(0, 600)"}
  initial: x
  each(acc, i): [{$eval: acc}]
Y
tc render
