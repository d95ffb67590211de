# expect: templates/tenant/logo.yaml:5:13: error: a string holds bytes that are not UTF-8, which a YAML string cannot carry: put binary content into a ConfigMap's binaryData as base64 (fileBase64(path)) (at .data["logo.png"])
# cmd: sh {file} {tenantc}
. "$(dirname "$0")/../lib/repo.sh"
# YAML 1.2.2 5.1: a YAML stream is Unicode text, so a string cannot carry these bytes
mkdir -p tenants/t/files && printf '\211PNG\r\n\032\n\000\377' >tenants/t/files/logo.png
cat >templates/tenant/logo.yaml <<'Y'
apiVersion: v1
kind: ConfigMap
metadata: {name: logo, namespace: t}
data:
  logo.png: ${file('logo.png')}
Y
tc render
