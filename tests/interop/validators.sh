#!/bin/sh
# validators.sh kubeconform|kubectl-validate: a second validator, built with
# `go install` at the version of tests/interop/pins.sh, judges the tree the
# example renders with the same schemas as `tenantc validate`
# (../shared/schemas-upstream), and its verdict per file is printed next to
# tenantc's (tests/interop/validators_compare.py; disagreements are listed).
#
# Two trees: the tree as rendered, and the tree as applied, where each SOPS
# Secret has lost its `sops` metadata (kustomize-controller and the ArgoCD
# plugin decrypt and drop it before they apply; a strict Secret schema has no
# such field, which tenantc knows and the peers do not). The test fails when
# tenantc accepts an applied object that the peer rejects, and when the peer
# or tenantc misses a known-invalid object (the negative control).
# kubectl-validate embeds the OpenAPI of Kubernetes up to 1.30 (it would
# fetch newer ones from the network), so it runs with --version 1.30 and the
# CRDs of ../shared/schemas-upstream/crds; kubeconform with the 1.34.0 JSON
# Schemas that tenantc uses.
. "$(dirname "$0")/check_lib.sh"
PEER=${1:?usage: validators.sh kubeconform|kubectl-validate}
case "$PEER" in
kubeconform) need_peer kubeconform BIN ;;
kubectl-validate) need_peer kubectl_validate BIN ;;
*) echo "validators.sh: unknown peer $PEER" >&2; exit 2 ;;
esac
UPSTREAM="${SHARED:-$SRC/../shared}/schemas-upstream"
if [ ! -d "$UPSTREAM" ]; then
	echo "SKIP: ../shared/schemas-upstream not found"
	exit 77
fi
JOBS=$(job_schemas "$UPSTREAM" "$T/job-schemas")
if ! /usr/bin/python3 -c 'import yaml' 2>/dev/null; then
	echo "SKIP: $PEER: /usr/bin/python3 without yaml (apt-get install python3-yaml)"
	exit 77
fi
# built with `go install`, neither prints its release (kubeconform -v says
# "development"): the module version comes from the binary's build info
echo "peer: $PEER $(go version -m "$BIN" 2>/dev/null | awk '$1 == "mod" { print $2, $3 }')"
export KUBECONFIG="$T/no-kubeconfig" # never a cluster's schemas

run_peer() { # DIR OUT.json: the peer's verdicts on every file of DIR
	case "$PEER" in
	kubeconform)
		"$BIN" -strict -output json -kubernetes-version 1.34.0 \
			-schema-location "$UPSTREAM/kubernetes/{{.NormalizedKubernetesVersion}}-standalone{{.StrictSuffix}}/{{.ResourceKind}}{{.KindSuffix}}.json" \
			-schema-location "$UPSTREAM/crd-json/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json" \
			-schema-location "$JOBS/kubernetes/{{.NormalizedKubernetesVersion}}-standalone{{.StrictSuffix}}/{{.ResourceKind}}{{.KindSuffix}}.json" \
			"$1" >"$2" 2>"$T/peer-err" || true
		;;
	kubectl-validate)
		# kustomization.yaml is kustomize's own file, not an object: not given
		# (the peer would look for its schema on the network)
		find "$1" -name '*.yaml' ! -name kustomization.yaml | LC_ALL=C sort >"$T/list"
		# shellcheck disable=SC2046
		"$BIN" --version 1.30 --local-crds "$UPSTREAM/crds" --output json \
			$(cat "$T/list") >"$2" 2>"$T/peer-err" || true
		;;
	esac
	if [ ! -s "$2" ]; then
		bad "$PEER gave no verdicts on $1: $(head -n 3 "$T/peer-err")"
		echo '{}' >"$2"
	fi
}
# compare LABEL DIR fatal|listed: tenantc validate and the peer on DIR, side
# by side; with `listed`, tenantc accepting what the peer rejects is shown
# but does not fail the test
compare() {
	rc=0
	"$TENANTC" validate --schema-location "$UPSTREAM" --schema-location "$JOBS" --strict "$2" >"$T/tc.log" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ] && ! grep -q ': error: ' "$T/tc.log"; then
		bad "$1: tenantc validate exit $rc without a file's error: $(head -n 3 "$T/tc.log")"
	fi
	run_peer "$2" "$T/peer.json"
	not_given=""
	[ "$PEER" = kubectl-validate ] &&
		not_given=$(cd "$2" && find . -name kustomization.yaml | sed 's|^\./||')
	# shellcheck disable=SC2086
	if /usr/bin/python3 "$INTEROP/validators_compare.py" "$1" "$2" "$T/tc.log" "$PEER" \
		"$T/peer.json" $not_given >"$T/cmp" 2>&1; then
		sed 's/^/     /' "$T/cmp"
		ok "$(tail -n 1 "$T/cmp")"
	elif [ "$3" = listed ]; then
		sed 's/^/     /' "$T/cmp"
		ok "$(tail -n 1 "$T/cmp") (listed above, not fatal on this tree)"
	else
		sed 's/^/     /' "$T/cmp"
		bad "$(tail -n 1 "$T/cmp"): tenantc accepts what $PEER rejects"
	fi
}

"$TENANTC" render --repo "$SRC" --out "$T/rendered" >/dev/null
rm -f "$T/rendered/.tenantc-output"
echo "the tree as rendered (SOPS Secrets with their sops metadata):"
compare "as rendered" "$T/rendered" listed

# as applied: the sops metadata removed, as the decrypting consumer does
cp -R "$T/rendered" "$T/applied"
grep -rl '^sops:' "$T/applied" | while read -r f; do
	/usr/bin/python3 -c '
import sys, yaml
with open(sys.argv[1]) as f:
    d = yaml.safe_load(f)
d.pop("sops", None)
with open(sys.argv[1], "w") as f:
    yaml.safe_dump(d, f, sort_keys=False)' "$f"
done
echo "the tree as applied (sops metadata removed):"
compare "as applied" "$T/applied" fatal

# negative control: an invalid object must be rejected by both
mkdir -p "$T/bad"
cat >"$T/bad/networkpolicy-broken.yaml" <<'YAML'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: broken, namespace: acme-prod}
spec:
  podSelector: {}
  policyType: [Ingress]
YAML
run_peer "$T/bad" "$T/bad.json"
"$TENANTC" validate --schema-location "$UPSTREAM" --schema-location "$JOBS" --strict "$T/bad" >"$T/tc.log" 2>&1 || true
if /usr/bin/python3 "$INTEROP/validators_compare.py" control "$T/bad" "$T/tc.log" "$PEER" \
	"$T/bad.json" >"$T/cmp" 2>&1 && grep -q 'tenantc rejected.*'"$PEER"' rejected' "$T/cmp"; then
	ok "negative control: an unknown field is rejected by both ($(head -n 1 "$T/cmp" | cut -c1-160))"
else
	bad "negative control: $(cat "$T/cmp")"
fi
# self-check: a file tenantc accepts and the peer rejects fails the comparison
: >"$T/none.log"
if /usr/bin/python3 "$INTEROP/validators_compare.py" self-check "$T/bad" "$T/none.log" "$PEER" \
	"$T/bad.json" >"$T/cmp" 2>&1; then
	bad "self-check: tenantc accepting what $PEER rejects went unnoticed: $(tail -n 1 "$T/cmp")"
else
	ok "self-check: tenantc accepting what $PEER rejects fails the comparison"
fi
finish
