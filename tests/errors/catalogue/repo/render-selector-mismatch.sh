# expect: templates/tenant/web.yaml:13:9: error: the selector (at 8:5) does not match the template's labels: the Deployment would not own its pods (at .spec.template.metadata.labels)
# cmd: sh {file} {tenantc}
# status: 1
. "$(dirname "$0")/../lib/repo.sh"
cat >templates/tenant/web.yaml <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${tenant.name}
spec:
  selector:
    matchLabels:
      app: web-${tenant.name}
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: registry.example.com/web:1.0
YAML
tc render
