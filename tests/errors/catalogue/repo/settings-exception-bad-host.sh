# expect: tenantc.yaml:6:13: error: 'https://t.test.example.com/' is not a host name, '*.' and a domain, or '*' (at .verify.exceptions[0].host)
# status: 2
# cmd: sh {file} {tenantc}
# a realm exception names the host it allows (schemas/tenantc.json,
# docs/verify.md "Exceptions"): a URL there is no host
S=$(cd "$(dirname "$0")/../../../.." && pwd)/schemas
. "$(dirname "$0")/../lib/repo.sh"
mkdir schemas && cp "$S/tenantc.json" schemas/
cat >tenantc.yaml <<'YAML'
output: rendered
verify:
  exceptions:
    - rule: realm.cross-environment
      realm: t-dev
      host: https://t.test.example.com/
      reason: the shop is tested against dev logins
YAML
tc render
