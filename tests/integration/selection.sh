#!/bin/sh
# selection.sh - --env and --tenant must select something: a render that
# would print or write nothing (an ArgoCD application whose tenant is not
# in its environment, a typo) is an error, exit 2, naming what exists,
# with nothing on standard output and no folder written.
. "$(dirname "$0")/lib.sh"

R="$T/repo"
copy_example "$R"
cd "$R"

# refused WHAT LINE ARGS...: render ARGS exits 2 with LINE first on
# stderr, prints nothing and writes no folder
refused() {
	what=$1 line=$2
	shift 2
	run "$TENANTC" render "$@"
	expect "$what" 'expect_status 2 && expect_stderr_first "$line" && expect_stdout_empty &&
		expect_file_absent "$T/out" && expect_file_absent "$R/rendered"'
}

refused "--stdout: a tenant not in the environment" \
	"tenantc: error: tenant 'initech' is not in prod (--env); its environments: test" \
	--stdout --env prod --tenant initech
refused "--out: a tenant not in the environment" \
	"tenantc: error: tenant 'initech' is not in prod (--env); its environments: test" \
	--out "$T/out" --env prod --tenant initech
refused "one of two tenants not in the environment" \
	"tenantc: error: tenant 'initech' is not in prod (--env); its environments: test" \
	--stdout --env prod --tenant acme --tenant initech
refused "an unknown environment names the environments" \
	"tenantc: error: unknown environment 'staging'; the environments: prod, test" \
	--stdout --env staging
refused "an unknown environment beside a tenant" \
	"tenantc: error: unknown environment 'staging'; the environments: prod, test" \
	--stdout --env staging --tenant acme
refused "an unknown tenant names the tenants" \
	"tenants/nobody/tenant.yaml:1:1: error: unknown tenant 'nobody': there is no tenants/nobody/tenant.yaml; the tenants: acme, globex, initech" \
	--stdout --tenant nobody
refused "an unknown tenant with an environment" \
	"tenants/nobody/tenant.yaml:1:1: error: unknown tenant 'nobody': there is no tenants/nobody/tenant.yaml; the tenants: acme, globex, initech" \
	--out "$T/out" --env prod --tenant nobody

run "$TENANTC" render --stdout --env prod --env test --tenant initech
expect "a tenant in one of the environments renders" \
	'expect_status 0 && expect_stdout_has "name: initech-test" && ! expect_stdout "name: initech-prod"'
run "$TENANTC" render --stdout --tenant initech
expect "a tenant without --env renders in its environments" \
	'expect_status 0 && expect_stdout_has "name: initech-test"'
run "$TENANTC" render --stdout --env prod --tenant acme
expect "a tenant in the environment renders" 'expect_status 0 && expect_stdout_has "name: acme-prod"'

# a tenant that does not load is reported by the render, in full
printf 'name: acme\nnosuchkey: 1\n' >"$T/bad.yaml"
cp tenants/acme/tenant.yaml "$T/acme.keep"
cp "$T/bad.yaml" tenants/acme/tenant.yaml
run "$TENANTC" render --stdout --env prod --tenant acme
expect "a tenant that does not load: the render's error" \
	'expect_status 2 && expect_stderr_line "^tenants/acme/tenant.yaml:2:" && expect_stdout_empty'
cp "$T/acme.keep" tenants/acme/tenant.yaml

# many tenants: the first ten are named, then how many more
for i in 01 02 03 04 05 06 07 08 09 10 11 12; do
	mkdir "tenants/t$i"
	sed "s/^name: globex\$/name: t$i/" tenants/globex/tenant.yaml >"tenants/t$i/tenant.yaml"
done
refused "an unknown tenant among many: ten names and a count" \
	"tenants/nobody/tenant.yaml:1:1: error: unknown tenant 'nobody': there is no tenants/nobody/tenant.yaml; the tenants: acme, globex, initech, t01, t02, t03, t04, t05, t06, t07 and 5 more" \
	--stdout --tenant nobody
finish
