# expect: templates/tenant/nul.yaml:3:18: error: 'a' is not a valid ConfigMap name: it must be a DNS-1123 subdomain (at most 253 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit) (at .metadata.name)
# cmd: sh {file} {tenantc}
# status: 1
. "$(dirname "$0")/../lib/repo.sh"
printf "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: \"a\\u0000b\", namespace: t}\n" >templates/tenant/nul.yaml
tc render
