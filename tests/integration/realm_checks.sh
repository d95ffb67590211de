#!/bin/sh
# The render-time checks of a tenant's realm (src/realm_check.c,
# docs/keycloak.md "What render checks"): each an error at the line and
# column of tenant.yaml, exit 2, nothing on standard output.
. "$(dirname "$0")/lib.sh"

R="$T/repo"
copy_example "$R"
mkdir -p "$R/tenants/zeta"
# zeta FILE-TEXT: the test tenant's tenant.yaml (test only, one realm)
zeta() { cat >"$R/tenants/zeta/tenant.yaml"; }
render_zeta() { run "$TENANTC" render --repo "$R" --stdout --tenant zeta; }
# refused WHAT LINE:COL TEXT: zeta does not render, with TEXT in the error at LINE:COL
refused() {
	render_zeta
	expect "$1" 'expect_status 2 && expect_stdout_empty &&
		expect_stderr_line "^tenants/zeta/tenant.yaml:$2: error: .*$3"' "$@"
}

# 1. "${" in every tenant string that reaches the realm. Keycloak resolves
# ${...} in realm values: the operator's realm import replaces ${VAR} with a
# server environment variable when spec.placeholders is set (Keycloak
# operator guide, "Realm import"; server guide "Importing and exporting
# realms"), and themes resolve ${key} in a display name as a message.
P='${KC_DB_PASSWORD}'
field() { # WHAT LINE:COL YAML-with-@P@
	sed "s/@P@/$P/" | zeta
	refused "'\${KC_DB_PASSWORD}' in $1 is refused" "$2" "$3"
}
field displayName 2:14 "'[$][{]'" <<'Y'
name: zeta
displayName: "Zeta @P@"
environments: [test]
Y
field "a realm role (the schema: a role name)" 5:7 "is not a role name" <<'Y'
name: zeta
environments: [test]
realm:
  roles:
    - "x-@P@"
Y
field "a clientId (the schema: a DNS label)" 5:17 "is not a DNS-1123 label" <<'Y'
name: zeta
environments: [test]
realm:
  clients:
    - clientId: "@P@"
      type: public
Y
field "a redirect URI" 7:22 "'[$][{]'" <<'Y'
name: zeta
environments: [test]
realm:
  clients:
    - clientId: web
      type: public
      redirectUris: ["https://zeta.test.example.com/@P@"]
Y
field "a web origin" 7:20 "'[$][{]'" <<'Y'
name: zeta
environments: [test]
realm:
  clients:
    - clientId: web
      type: public
      webOrigins: ["https://zeta.test.example.com/@P@"]
Y
field "a trusted host (the schema: a host name)" 4:18 "is not a host name" <<'Y'
name: zeta
environments: [test]
realm:
  trustedHosts: ["@P@"]
Y
field "a redirect URI of an environment's section" 11:26 "'[$][{]'" <<'Y'
name: zeta
environments: [test]
realm:
  roles: [user]
overrides:
  test:
    realm:
      clients:
        - clientId: web
          type: public
          redirectUris: ["https://zeta.test.example.com/@P@/*"]
Y
field "a display name in block style" 2:14 "'[$][{]'" <<'Y'
name: zeta
displayName: >-
  Zeta @P@
environments: [test]
Y

# 2. a clientId is unique in a realm (Keycloak ClientRepresentation.clientId;
# the Admin REST API answers 409 Conflict to a second client of that id)
zeta <<'Y'
name: zeta
environments: [test]
realm:
  clients:
    - clientId: web
      type: public
    - clientId: web
      type: public
Y
refused "a duplicate clientId is refused at the second one" 7:17 "client 'web' is declared twice [(]first at line 5[)]"

# 3. redirect URIs: absolute, no fragment (RFC 6749 section 3.1.2), TLS
# (section 3.1.2.1), plain http only on the loopback host (RFC 8252
# sections 7.3 and 8.3), Keycloak's '*' only at the end
uri() { # WHAT LINE:COL TEXT URI
	printf 'name: zeta\nenvironments: [test]\nrealm:\n  trustedHosts: [localhost, 127.0.0.1]\n  clients:\n    - clientId: web\n      type: public\n      redirectUris: ["%s"]\n' "$4" | zeta
	refused "$1" "$2" "$3"
}
uri "http:// on a public host is refused (RFC 8252 section 8.3)" 8:22 "uses http: only https" "http://zeta.test.example.com/*"
uri "a fragment is refused (RFC 6749 section 3.1.2)" 8:22 "has a fragment" "https://zeta.test.example.com/cb#x"
uri "a relative URI is refused (RFC 6749 section 3.1.2, the schema)" 8:22 "is not an absolute http" "zeta.test.example.com/*"
uri "a '*' in the host is refused (Keycloak matches '*' at the end only)" 8:22 "has a '[*]' in its host" "https://*.test.example.com/"
uri "a '*' before the end is refused" 8:22 "before its end" "https://zeta.test.example.com/*/cb"
uri "user information is refused" 8:22 "holds user information" "https://u@zeta.test.example.com/"
# RFC 3986 section 3.2: the user information ends at the authority's last
# '@', so a ':' in it does not end the host early (the host here is
# evil.example.com, not u)
uri "user information with a password is refused" 8:22 "holds user information" "https://u:p@evil.example.com/"
uri "user information after a port-like colon is refused" 8:22 "holds user information" "https://zeta.test.example.com:1@evil.example.com/"
for ok_uri in "http://localhost:8080/cb" "http://127.0.0.1/cb" "https://zeta.test.example.com/*"; do
	printf 'name: zeta\nenvironments: [test]\nrealm:\n  trustedHosts: [localhost, 127.0.0.1]\n  clients:\n    - clientId: web\n      type: public\n      redirectUris: ["%s"]\n' "$ok_uri" | zeta
	render_zeta
	expect "$ok_uri is allowed (RFC 8252 section 7.3: loopback over http)" 'expect_status 0 && expect_stdout_has "$ok_uri"'
done

# 4. whose hosts a realm trusts (its environment's domain, realm.trustedHosts
# of that environment, never another environment's) is no input check but
# the verifier's realm invariant, judged on the rendered realm
# (tests/integration/verify.sh, docs/verify.md): a partial render makes
# such a realm, each environment as tenant.yaml says
zeta <<'Y'
name: zeta
realm:
  clients:
    - clientId: web
      type: public
overrides:
  prod:
    realm:
      trustedHosts: [shop.zeta.example]
      clients:
        - clientId: web
          type: public
          redirectUris: ["https://shop.zeta.example/*", "https://zeta.prod.example.com/*"]
Y
render_zeta
expect "trustedHosts of prod and the default host: rendered per environment" \
	'expect_status 0 && expect_stdout_has "https://shop.zeta.example/*" "https://zeta.test.example.com/*"'
run "$TENANTC" render --repo "$R" --stdout --env test --tenant zeta
expect "the test realm does not get the prod-only host" '! expect_stdout_has "shop.zeta.example"'
rm -rf "$R/tenants/zeta"

# 5. a confidential or service-account client needs its secret in the
# environment's realm-clients.yaml, encrypted (Keycloak
# ClientRepresentation.secret of a client with publicClient false; the
# reconcile Job sets it from that Secret)
cp "$R/tenants/globex/tenant.yaml" "$T/globex.keep"
sed -i 's/^    - clientId: producer$/    - clientId: reports\n      type: confidential\n    - clientId: producer/' "$R/tenants/globex/tenant.yaml"
run "$TENANTC" render --repo "$R" --stdout --tenant globex
expect "a confidential client without its key in realm-clients.yaml is refused at its clientId" \
	'expect_status 2 && expect_stdout_empty && expect_stderr_line "^tenants/globex/tenant.yaml:11:17: error: client .reports. is confidential and needs a secret, but tenants/globex/secrets/realm-clients.yaml .* has no key .reports."'
cp "$T/globex.keep" "$R/tenants/globex/tenant.yaml"
sed -i 's/^      type: public$/      type: service-account/' "$R/tenants/initech/tenant.yaml"
run "$TENANTC" render --repo "$R" --stdout --tenant initech
expect "a service-account client without any realm-clients.yaml is refused" \
	'expect_status 2 && expect_stderr_line "^tenants/initech/tenant.yaml:[0-9]+:17: error: client .frontend. is service-account and needs a secret, but environment .test. has no tenants/initech/secrets/realm-clients.yaml"'
cp "$SRC/tenants/initech/tenant.yaml" "$R/tenants/initech/tenant.yaml"
f="$R/tenants/acme/secrets/realm-clients.yaml"
sed -i 's/^\(    api-service: \)ENC\[.*\]$/\1not-encrypted-value/' "$f"
grep -q 'api-service: not-encrypted-value' "$f" || bad "the test could not put a clear value into $f"
run "$TENANTC" render --repo "$R" --stdout --tenant acme --env test
expect "a client secret that is not encrypted (not a SOPS value) is refused" \
	'expect_status 2 && expect_stderr_line "^tenants/acme/tenant.yaml:[0-9]+:[0-9]+: error: the secret of client .api-service. is in clear text in tenants/acme/secrets/realm-clients.yaml" && expect_not_printed not-encrypted-value'
# 6. groups, client roles and client scopes (src/realm_groups.c). The
# sources: Keycloak 26.4's Admin REST API and the server administration
# guide, "Managing groups" and "Client scopes": 409 Conflict for a second
# top-level or sibling group of one name, a second client scope of one
# name, a second protocol mapper of one name in a scope; 404 for a role
# mapping of a role the realm or the client does not have; the realm's
# own client scopes (profile, email, roles, ...); a client has a scope
# once, as a default or an optional one.
mkdir -p "$R/tenants/zeta"
P='${KC_DB_PASSWORD}'
field "a group attribute" 7:22 "'[$][{]'" <<'Y'
name: zeta
environments: [test]
realm:
  groups:
    - name: staff
      attributes:
        department: ["x-@P@"]
Y
field "a group attribute's name (the schema: an attribute name)" 7:9 "is not an attribute name" <<'Y'
name: zeta
environments: [test]
realm:
  groups:
    - name: staff
      attributes:
        "@P@": [x]
Y
field "a group name (the schema: a name)" 5:13 "is not a name tenantc can manage" <<'Y'
name: zeta
environments: [test]
realm:
  groups:
    - name: "g@P@"
Y
field "a subgroup's attribute" 8:28 "'[$][{]'" <<'Y'
name: zeta
environments: [test]
realm:
  groups:
    - name: staff
      subGroups:
        - name: seniors
          attributes: {a: ["@P@"]}
Y
field "a client scope description" 6:20 "'[$][{]'" <<'Y'
name: zeta
environments: [test]
realm:
  clientScopes:
    - name: api
      description: "@P@"
Y
field "a client scope attribute" 6:41 "'[$][{]'" <<'Y'
name: zeta
environments: [test]
realm:
  clientScopes:
    - name: api
      attributes: {consent.screen.text: "x @P@"}
Y
field "a protocol mapper's setting" 9:33 "'[$][{]'" <<'Y'
name: zeta
environments: [test]
realm:
  clientScopes:
    - name: api
      protocolMappers:
        - name: claim
          protocolMapper: oidc-hardcoded-claim-mapper
          config: {claim.value: "@P@"}
Y
field "an overrides section's client scope" 10:37 "'[$][{]'" <<'Y'
name: zeta
environments: [test]
overrides:
  test:
    realm:
      clientScopes:
        - name: api
          protocolMappers:
            - {name: m, protocolMapper: oidc-hardcoded-claim-mapper,
               config: {claim.name: "@P@"}}
Y
listed() { # WHAT LINE:COL TEXT, the realm on standard input under "realm:"
	{ printf 'name: zeta\nenvironments: [test]\nrealm:\n  roles: [user]\n  clients:\n    - clientId: web\n      type: public\n      roles: [viewer]\n'; cat; } | zeta
	refused "$@"
}
listed "a top-level group twice is refused at the second (409 Conflict)" 11:13 "group 'staff' is declared twice [(]first at line 10[)]: top-level group names are unique" <<'Y'
  groups:
    - name: staff
    - name: staff
Y
listed "a subgroup twice under one parent is refused (409 Conflict)" 13:17 "group 'seniors' is declared twice [(]first at line 12[)]: sibling group names" <<'Y'
  groups:
    - name: staff
      subGroups:
        - name: seniors
        - name: seniors
Y
listed "an attribute of tenantc's own is refused" 11:40 "attribute 'tenantc.io/managed': names starting with 'tenantc.io/'" <<'Y'
  groups:
    - name: staff
      attributes: {tenantc.io/managed: ["false"]}
Y
listed "a client scope twice is refused (409 Conflict)" 11:13 "client scope 'api' is declared twice [(]first at line 10[)]" <<'Y'
  clientScopes:
    - name: api
    - name: api
Y
listed "a client scope named after one of Keycloak's own is refused" 10:13 "client scope 'profile' is one of Keycloak's own scopes" <<'Y'
  clientScopes:
    - name: profile
Y
listed "a protocol mapper twice in a scope is refused (409 Conflict)" 13:18 "protocol mapper 'aud' is declared twice in client scope 'api'" <<'Y'
  clientScopes:
    - name: api
      protocolMappers:
        - {name: aud, protocolMapper: oidc-audience-mapper}
        - {name: aud, protocolMapper: oidc-audience-mapper}
Y
listed "a client both in defaultFor and optionalFor is refused" 12:21 "client 'web' is in both defaultFor and optionalFor" <<'Y'
  clientScopes:
    - name: api
      defaultFor: [web]
      optionalFor: [web]
Y
listed "a SAML client scope is refused (the schema; the realm's clients are OpenID Connect)" 11:17 "'saml' is not one of 'openid-connect'" <<'Y'
  clientScopes:
    - name: api
      protocol: saml
Y
listed "a realm role the realm does not have is refused (404)" 11:26 "group 'staff' maps realm role 'admin', which the realm of environment 'test' does not have" <<'Y'
  groups:
    - name: staff
      realmRoles: [user, admin]
Y
listed "a subgroup's realm role is checked too" 13:24 "group 'seniors' maps realm role 'boss'" <<'Y'
  groups:
    - name: staff
      subGroups:
        - name: seniors
          realmRoles: [boss]
Y
listed "a client role of a client the realm does not have is refused" 11:26 "group 'staff' maps roles of client 'api', which the realm of environment 'test' does not have" <<'Y'
  groups:
    - name: staff
      clientRoles: {api: [viewer]}
Y
listed "a client role the client does not have is refused (404)" 11:35 "group 'staff' maps role 'editor' of client 'web', which that client does not have" <<'Y'
  groups:
    - name: staff
      clientRoles: {web: [viewer, editor]}
Y
listed "a client scope for a client the realm does not have is refused" 11:25 "client scope 'api' names client 'mobile', which the realm of environment 'test' does not have: defaultFor" <<'Y'
  clientScopes:
    - name: api
      defaultFor: [web, mobile]
Y
zeta <<'Y'
name: zeta
realm:
  roles: [user]
  groups:
    - name: staff
      realmRoles: [user]
overrides:
  prod:
    realm:
      roles: [admin]
Y
refused "a role is checked in each environment's realm: prod's roles replace the file's" 6:20 "maps realm role 'user', which the realm of environment 'prod' does not have"
zeta <<'Y'
name: zeta
environments: [test]
realm:
  roles: [user]
  clients:
    - clientId: web
      type: public
      roles: [viewer]
  groups:
    - name: staff
      realmRoles: [user, offline_access]
      clientRoles: {web: [viewer]}
      attributes: {department: [sales]}
      subGroups:
        - name: seniors
          realmRoles: [user]
    - name: seniors
  clientScopes:
    - name: api
      attributes: {include.in.token.scope: "true"}
      protocolMappers:
        - name: audience
          protocolMapper: oidc-audience-mapper
          config: {included.client.audience: web}
      defaultFor: [web]
Y
render_zeta
expect "a realm with groups, a subgroup of a top-level group's name, client roles and a client scope renders" \
	'expect_status 0 && expect_stdout_has "tenantc.io/groups\":\"/staff /staff/seniors /seniors\"" "scope-0.mapper-0:" "\"client\":{\"web\":[{"'
rm -rf "$R/tenants/zeta"
finish
