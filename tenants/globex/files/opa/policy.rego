# Authorization policy of Globex's API: editors and admins write, everyone reads.
package globex.authz

import rego.v1

default allow := false

allow if input.method == "GET"

allow if {
	input.method in {"POST", "PUT", "DELETE"}
	some role in input.token.realm_access.roles
	role in {"editor", "admin"}
}
