# tests/examples/keycloak-argocd.sh - the cases of examples/keycloak-argocd
# (sourced by tests/integration/example.sh: $R is the committed copy with
# its rendered tree, $T/out its render). What the hand-written platform got
# wrong must not come back: prod's database password readable with test's
# key, one value for every environment, flows beyond the design, tenants'
# apps outside their own project and namespace.
KEYS="$SRC/keys"
TEST_R=age13qfckex2xt2n3x2ptt8aapm9697nve3knxp79sejn7wsv5gdvs8qz4u58m
O="$T/out"

# docs/secrets.md, "Who can read what": an environment's key opens its own
# inputs and rendered Secrets, nothing of another environment
for f in tenants/alpine/secrets/prod/database.yaml tenants/baltic/secrets/prod/database.yaml; do
	run env SOPS_AGE_KEY_FILE="$KEYS/test.agekey" "$TENANTC" secret decrypt "$R/$f"
	expect "the test key cannot open $f" 'expect_failure && expect_stdout_empty'
	run env SOPS_AGE_KEY_FILE="$KEYS/prod.agekey" "$TENANTC" secret decrypt "$R/$f"
	expect "the prod key opens $f" 'expect_status 0 && expect_stdout "^  *password: "'
done
run env SOPS_AGE_KEY_FILE="$KEYS/test.agekey" "$TENANTC" secret decrypt "$R/tenants/alpine/secrets/test/database.yaml"
expect "the test key opens test's database password" 'expect_status 0 && expect_stdout "^  *password: "'
run env SOPS_AGE_KEY_FILE="$KEYS/test.agekey" "$TENANTC" secret decrypt "$O/prod/tenants/alpine/secret-database.yaml"
expect "the test key cannot open the rendered prod database Secret" 'expect_failure && expect_stdout_empty'
run env SOPS_AGE_KEY_FILE="$KEYS/prod.agekey" "$TENANTC" secret decrypt "$O/prod/tenants/alpine/secret-database.yaml"
expect "the prod key opens the rendered prod database Secret" 'expect_status 0 && expect_stdout "^  *password: "'
run env SOPS_AGE_KEY_FILE="$KEYS/prod.agekey" "$TENANTC" secret decrypt "$O/test/tenants/alpine/secret-database.yaml"
expect "the prod key cannot open the rendered test database Secret" 'expect_failure && expect_stdout_empty'
expect "no prod Secret is encrypted to test's recipient" \
	'! grep -rl "recipient: $TEST_R" "$R/tenants"/*/secrets/prod "$O/prod"'

# a prod input that test's key opens (here test's own file put in prod's
# place) stops the render, naming test's recipient (docs/secrets.md, "What
# render checks")
B="$T/bad"
cp -R "$R" "$B"
rm -rf "$B/rendered"
cp "$B/tenants/alpine/secrets/test/database.yaml" "$B/tenants/alpine/secrets/prod/database.yaml"
run "$TENANTC" render -C "$B" --out "$T/bad-out"
expect "render refuses a prod Secret encrypted to test's key, naming the key" \
	'expect_status 2 && expect_stderr "^tenants/alpine/secrets/prod/database\.yaml:[0-9]+:[0-9]+: error: .*recipient .age13qf.*of environment .test." && expect_file_absent "$T/bad-out"'
rm -rf "$B"

# per-environment tenant settings (tenant.yaml overrides) reach the render
val() { # file key -> the value of "key: value" in file
	sed -n "s/^ *$2: *//p" "$1" | head -n 1 | tr -d "'\""
}
expect "alpine's database host differs: test's and prod's managed PostgreSQL" \
	'[ "$(val "$O/test/tenants/alpine/configmap-api-database.yaml" PGHOST)" = pg-test.saas.example.com ] &&
	 [ "$(val "$O/prod/tenants/alpine/configmap-api-database.yaml" PGHOST)" = pg-prod.saas.example.com ]'
expect "baltic's prod database is its own, on its own port" \
	'[ "$(val "$O/prod/tenants/baltic/configmap-api-database.yaml" PGHOST)" = pg-baltic-prod.saas.example.com ] &&
	 [ "$(val "$O/prod/tenants/baltic/configmap-api-database.yaml" PGPORT)" = 21700 ] &&
	 grep -q "cidr: 172.16.21.0/28" "$O/prod/tenants/baltic/networkpolicy-allow-api-to-database.yaml" &&
	 grep -q "cidr: 172.16.10.0/28" "$O/test/tenants/baltic/networkpolicy-allow-api-to-database.yaml"'
expect "each environment pins its own image tag and revision" \
	'grep -q "ghcr.io/alpine-logistics/api-service:2.3.1$" "$O/prod/gitops/alpine/application-alpine-prod.api-service.yaml" &&
	 grep -q "targetRevision: refs/tags/v2.3.1$" "$O/prod/gitops/alpine/application-alpine-prod.api-service.yaml" &&
	 grep -q "ghcr.io/alpine-logistics/api-service:2.4.0-rc.1$" "$O/test/gitops/alpine/application-alpine-test.api-service.yaml" &&
	 grep -q "targetRevision: main$" "$O/test/gitops/alpine/application-alpine-test.api-service.yaml"'
expect "each realm's frontend redirects to its own environment's host only" \
	'grep -qF "https://alpine.prod.saas.example.com/*" "$O"/prod/tenants/alpine/configmap-alpine-prod-realm-*.yaml &&
	 ! grep -q "test\.saas" "$O"/prod/tenants/alpine/configmap-alpine-prod-realm-*.yaml &&
	 grep -qF "https://alpine.test.saas.example.com/*" "$O"/test/tenants/alpine/configmap-alpine-test-realm-*.yaml &&
	 ! grep -q "prod\.saas" "$O"/test/tenants/alpine/configmap-alpine-test-realm-*.yaml'
expect "alpine's prod quota is its own, test's the environment's" \
	'[ "$(val "$O/prod/tenants/alpine/resourcequota-tenant-quota.yaml" limits.cpu)" = 12 ] &&
	 [ "$(val "$O/test/tenants/alpine/resourcequota-tenant-quota.yaml" limits.cpu)" = 2 ]'
expect "coral is in test only" \
	'[ -d "$O/test/tenants/coral" ] && [ ! -e "$O/prod/tenants/coral" ] && [ ! -e "$O/prod/gitops/coral" ]'

# the allowed flows, as the isolation verifier reads the policies
# (docs/verify.md, "--explain"): exactly the design's, in every namespace
run "$TENANTC" check -C "$R" --rev HEAD --explain
flows() { # namespace -> its rows of the flows table, columns squeezed
	awk -v ns="$1" '/^allowed flows/ {f = 1; next} f && /^$/ {exit}
		f && $1 == ns {$1 = ""; sub(/^ /, ""); print}' "$T/stdout" | LC_ALL=C sort
}
want_flows() { # namespace db-cidr db-port frontend-port
	LC_ALL=C sort <<EOW
egress all pods -> k8s-app=kube-dns (kube-system) UDP/53,TCP/53 allow-dns
egress app.kubernetes.io/name In api-service|frontend -> all pods (keycloak) TCP/8443 allow-keycloak
egress app.kubernetes.io/name In frontend|producer -> app.kubernetes.io/name=api-service ($1) TCP/8080 allow-egress-to-api
egress app.kubernetes.io/name=api-service -> $2 TCP/$3 allow-api-to-database
ingress all pods (ingress-nginx) -> app.kubernetes.io/name=frontend TCP/$4 allow-ingress-to-frontend
ingress app.kubernetes.io/name In frontend|producer ($1) -> app.kubernetes.io/name=api-service TCP/8080 allow-clients-to-api
EOW
}
expect "check --explain lists the flows" 'expect_status 0 && expect_stdout "^allowed flows \(30\)$"'
for c in "alpine-prod 172.16.20.0/28 21699 8080" "alpine-test 172.16.10.0/28 21699 8080" \
	"baltic-prod 172.16.21.0/28 21700 8080" "baltic-test 172.16.10.0/28 21699 8080" \
	"coral-test 172.16.10.0/28 21699 3000"; do
	set -- $c
	expect "$1 allows exactly frontend/producer -> api, api -> its database, api/frontend -> Keycloak, ingress -> frontend, DNS" \
		'[ "$(flows "$1")" = "$(want_flows "$@")" ] || { why="flows of $1: $(flows "$1" | tr "\n" ";")"; false; }' "$@"
done
expect "every tenant namespace denies everything by default" \
	'[ "$(grep -l "^  podSelector: {}$" "$O"/*/tenants/*/networkpolicy-default-deny.yaml | wc -l)" -eq 5 ]'
expect "no selector of the policies has a wildcard" '! grep -n "\*" "$O"/*/tenants/*/networkpolicy-*.yaml'

# each tenant's Applications stay in its own AppProjects, and those reach
# only the tenant's namespace, no cluster-scoped kind
for d in "$O"/*/gitops/*/; do
	e=$(basename "$(dirname "$(dirname "$d")")") t=$(basename "$d") ns="$(basename "$d")-$e"
	expect "$ns: its Applications are in its AppProjects, deploying into $ns only" '
		for a in "$d"application-*.yaml; do
			p=$(val "$a" project)
			[ "$p" = "$ns" ] || [ "$p" = "$ns.apps" ] || { why="$a: project $p"; return 1; }
			[ "$(grep -c "^    namespace: " "$a")" -eq 1 ] && grep -q "^    namespace: $ns$" "$a" ||
				{ why="$a: destination not $ns"; return 1; }
		done
		for p in "$d"appproject-*.yaml; do
			grep -q "^  clusterResourceWhitelist: \[\]$" "$p" || { why="$p: cluster-scoped kinds"; return 1; }
			[ "$(grep -c "^  - namespace: " "$p")" -eq 1 ] && grep -q "^  - namespace: $ns$" "$p" &&
				! grep -q "^    namespace: " "$p" ||
				{ why="$p: destinations beyond $ns"; return 1; }
		done'
done
expect "the apps' project takes sources only from the tenant's own repository" \
	'grep -A2 "^  sourceRepos:" "$O/prod/gitops/alpine/appproject-alpine-prod.apps.yaml" | grep -q "^  - https://github.com/alpine-logistics/apps.git$" &&
	 [ "$(grep -A3 "^  sourceRepos:" "$O/prod/gitops/alpine/appproject-alpine-prod.apps.yaml" | grep -c "^  - ")" -eq 1 ]'

# the Keycloak side (templates/cluster/keycloak-network-policy.yaml, from
# the platform scope's tenants): each environment's Keycloak admits the
# api-service and frontend of its own tenants' namespaces, nobody else's
kcnp="$O/prod/cluster/networkpolicy-tenantc-prod-keycloak-clients.yaml"
expect "prod's Keycloak admits its tenants' namespaces and no test namespace" \
	'[ "$(grep -c "kubernetes.io/metadata.name: [a-z]*-prod$" "$kcnp")" -eq 2 ] && ! grep -q -- "-test$" "$kcnp" &&
	 ! grep -q producer "$kcnp"'
kcnp="$O/test/cluster/networkpolicy-tenantc-test-keycloak-clients.yaml"
expect "test's Keycloak admits its three tenants' namespaces and no prod namespace" \
	'[ "$(grep -c "kubernetes.io/metadata.name: [a-z]*-test$" "$kcnp")" -eq 3 ] && ! grep -q -- "-prod$" "$kcnp"'

# what the hand-written platform did and the repository's own schema and
# policy now refuse (schemas/tenant.json of the example; tenantc.yaml
# policy, docs/validation.md, "The platform's policy"), each at its line
B="$T/bad"
cp -R "$R" "$B"
rm -rf "$B/rendered"
sed -i 's|api-service: ghcr.io/alpine-logistics/api-service:2.3.1|api-service: ghcr.io/alpine-logistics/api-service:latest|' \
	"$B/tenants/alpine/tenant.yaml"
line=$(grep -n 'api-service:latest' "$B/tenants/alpine/tenant.yaml" | cut -d: -f1)
run "$TENANTC" render -C "$B" --out "$T/bad-out"
expect "an image that follows 'latest' is refused at its line" \
	'expect_status 2 && expect_stderr_line "^tenants/alpine/tenant\.yaml:$line:[0-9]+: error: .*not a pinned image reference" && expect_file_absent "$T/bad-out"'
cp "$R/tenants/alpine/tenant.yaml" "$B/tenants/alpine/tenant.yaml"
sed -i 's|cidr: 172.16.20.0/28     # prod|cidr: 0.0.0.0/0     # prod|' "$B/tenants/alpine/tenant.yaml"
line=$(grep -n 'cidr: 0.0.0.0/0' "$B/tenants/alpine/tenant.yaml" | cut -d: -f1)
run "$TENANTC" render -C "$B" --out "$T/bad-out"
expect "egress beyond the databases' network is refused at its line" \
	'expect_status 2 && expect_stderr_line "^tenants/alpine/tenant\.yaml:$line:[0-9]+: error: " && expect_file_absent "$T/bad-out"'
rm -rf "$B"
