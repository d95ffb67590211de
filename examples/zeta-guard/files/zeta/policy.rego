# The ZETA Guard PDP's access policy, loaded into OPA by its reloader
# sidecar (PUT /v1/policies/zeta) at start and whenever it changes.
package zeta.authz

import rego.v1

default allow := false

allow if {
	input.token.active
	input.token.scope == "zeta"
}
