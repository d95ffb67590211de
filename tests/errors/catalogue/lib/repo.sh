#!/bin/sh
# repo.sh - sourced by the catalogue's repository cases, run as
#   sh CASE TENANTC
# Makes the smallest repository that renders (tenantc.yaml, environment
# dev, tenant t, one ConfigMap template) in a temporary folder removed at
# exit, and changes into it. The case then breaks it and ends with a tenantc
# command (`tc ...`), whose status and stderr are the case's. gitinit
# commits the repository as it is.
set -u
LC_ALL=C
export LC_ALL
TENANTC=$1
T=$(mktemp -d) || exit 3
trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
R=$T/repo
mkdir -p "$R/environments" "$R/templates/tenant" "$R/tenants/t" || exit 3
cd "$R" || exit 3
printf 'output: rendered\n' >tenantc.yaml
printf 'name: dev\n' >environments/dev.yaml
printf 'name: t\n' >tenants/t/tenant.yaml
cat >templates/tenant/config.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: config
  namespace: ${tenant.name}
data:
  env: ${env.name}
YAML
unset SOPS_AGE_KEY SOPS_AGE_KEY_FILE
tc() { "$TENANTC" "$@" >/dev/null; }
gitinit() {
	git init -q -b main . && git add -A &&
		git -c user.name=t -c user.email=t@example.com commit -q -m init
}
