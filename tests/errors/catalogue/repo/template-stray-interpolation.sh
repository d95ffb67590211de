# expect: templates/tenant/script.yaml:10:9: error: InterpreterError at template.data["run.sh"]: unknown context value HOME
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
cat >templates/tenant/script.yaml <<'Y'
apiVersion: v1
kind: ConfigMap
metadata: {name: script, namespace: t}
data:
  run.sh: |
    #!/bin/sh
    set -eu

    # the line below is shell, not a template
    cd "${HOME}"
Y
tc render
