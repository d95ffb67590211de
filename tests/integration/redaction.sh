#!/bin/sh
# No secret value in any message (issue 21, item 10): a decrypted value
# that lands in an object's kind, namespace, name, a label or an
# annotation was printed by the message about that object, the leak
# guard's own included. Each case renders a template that puts the value
# of a SOPS Secret (given in clear in tenant.yaml, as a careless user
# would) in one position: the render must fail, no stream and no file may
# hold the value, and the message must still point at the template line.
. "$(dirname "$0")/lib.sh"
PLAIN='hunter2-plain-value'
R="$T/r"
mkdir -p "$R/environments" "$R/tenants/acme/secrets" "$R/templates/tenant" "$T/in"
# a fixture about redaction, not isolation: its one Namespace has no
# NetworkPolicy, which the verifier of render would refuse
cat >"$R/tenantc.yaml" <<'E'
output: rendered
sops:
  age: [age1qc7c2duyzxptrjv8new2hvfj7cxzpvv4zj4vrffyezx0pwmu7pnqdp8r9s]
verify: {enabled: false}
E
cat >"$R/environments/prod.yaml" <<'E'
name: prod
domain: prod.example.com
gitops: flux
imagePolicy: production
sops:
  age: [age1jngx62e79du6s5gpx7pfsdvf879ue2s0x9at3uhmumymtzyuxsqqktkk49]
E
printf 'name: acme\ndisplayName: ACME\nvalues:\n  v: %s\n' "$PLAIN" >"$R/tenants/acme/tenant.yaml"
printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: acme-prod\n' >"$R/templates/tenant/namespace.yaml"
printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: %s\n' "$PLAIN" >"$T/in/db.yaml"
"$TENANTC" secret encrypt --repo "$R" -o "$R/tenants/acme/secrets/db.yaml" "$T/in/db.yaml"
rm -f "$T/in/db.yaml"
grep -q "$PLAIN" "$R/tenants/acme/secrets/db.yaml" && bad "the input Secret is encrypted"
"$TENANTC" render --repo "$R" >"$T/out" 2>"$T/err" && ok "the repository renders" ||
	bad "the repository does not render: $(cat "$T/err")"
before=$(tree_sum "$R/rendered")

V='${tenant.values.v}'
leak_case() { # name template-body: every way fails at the template line, the value unseen
	printf '%s\n' "$2" >"$R/templates/tenant/leak.yaml"
	for how in out stdout check; do
		rm -rf "$T/o"
		case $how in
		out) run "$TENANTC" render --repo "$R" --out "$T/o" ;;
		stdout) run "$TENANTC" render --repo "$R" --stdout ;;
		check) run "$TENANTC" check --repo "$R" --worktree ;;
		esac
		expect "$1 ($how)" 'expect_status 1 2 && expect_not_printed "$PLAIN" &&
			{ [ ! -e "$T/o" ] || ! grep -rq "$PLAIN" "$T/o" || { why="the value was written to a file"; false; }; } &&
			expect_tree_sum "$R/rendered" "$before" &&
			{ ! grep -rq "$PLAIN" "$R/rendered" || { why="rendered/ holds the value"; false; }; } &&
			expect_no_leftover "$R" &&
			expect_stderr "^templates/tenant/leak\.yaml:[0-9]+:[0-9]+: error: "'
	done
}

leak_case "metadata.name" "
apiVersion: v1
kind: ConfigMap
metadata: {name: \"$V\", namespace: acme-prod}"
leak_case "metadata.namespace" "
apiVersion: v1
kind: ConfigMap
metadata: {name: x, namespace: \"$V\"}"
leak_case "kind" "
apiVersion: v1
kind: \"$V\"
metadata: {name: x, namespace: acme-prod}"
leak_case "a label value" "
apiVersion: v1
kind: ConfigMap
metadata: {name: x, namespace: acme-prod, labels: {a: \"$V\"}}"
leak_case "a label key" "
apiVersion: v1
kind: ConfigMap
metadata: {name: x, namespace: acme-prod, labels: {\"$V\": a}}"
leak_case "an invalid label key" "
apiVersion: v1
kind: ConfigMap
metadata: {name: x, namespace: acme-prod, labels: {\"$V/x/y\": a}}"
leak_case "an invalid label value" "
apiVersion: v1
kind: ConfigMap
metadata: {name: x, namespace: acme-prod, labels: {a: \"$V/x\"}}"
leak_case "an annotation" "
apiVersion: v1
kind: ConfigMap
metadata: {name: x, namespace: acme-prod, annotations: {a: \"$V\"}}"
leak_case "a duplicate object's name" "
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: \"$V\", namespace: acme-prod}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: \"$V\", namespace: acme-prod}"
leak_case "an invalid DNS name" "
apiVersion: v1
kind: ConfigMap
metadata: {name: \"${V}_X\", namespace: acme-prod}"
finish
