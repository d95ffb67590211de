# tests/examples/zeta-guard.sh - the ZETA Guard provisioning example's own
# cases (sourced by tests/integration/example.sh with $R the committed copy
# of examples/zeta-guard and $T/out its render at the commit time
# 2026-01-02T03:04:05Z). What the hand-written guide got wrong must not come
# back (-noverify, any signer accepted, root pods, kubectl writing
# ConfigMaps), and the signature checks of docs/validation.md ("Files":
# RFC 5652 detached SignedData, RFC 5280 6.1 path validation) refuse a bad
# TrustedTPM.cab of this repository, naming the file.
. "$SRC/tests/integration/pki.sh"
ZC=cluster/configmap-zeta-trusted-tpm.yaml
SIGF=files/zeta/TrustedTPM.cab.p7s

expect "TrustedTPM.cab ships as binaryData, byte for byte" '
	for e in test prod; do
		grep -qxF "  TrustedTPM.cab: $(base64 -w0 "$R/files/zeta/TrustedTPM.cab")" "$T/out/$e/$ZC" &&
		! grep -q "^data:" "$T/out/$e/$ZC" || return 1
	done'
expect "no -noverify and no openssl anywhere in the render" '
	! grep -rqe "-noverify" "$T/out" && ! grep -rq "openssl" "$T/out"'
expect "the cluster accepts exactly the bytes the render verified" '
	d=$(sha256sum "$R/files/zeta/TrustedTPM.cab" | cut -d" " -f1) &&
	grep -A1 "name: CAB_SHA256" "$T/out/prod/cluster/cronjob-zeta-provisioner.yaml" | grep -qE "value: .?$d.?$" &&
	grep -qF "sha256sum -c -" "$T/out/prod/cluster/cronjob-zeta-provisioner.yaml"'

# the large payload: an OCI artifact by digest, pulled onto the PVC by a Job
# named after the digest and by the CronJob; Keycloak mounts it read-only
expect "the Keycloak payload goes through the PVC-backed Job and CronJob, by digest" '
	a=$(sed -n "s/^    dataArtifact: //p" "$R/environments/prod.yaml") &&
	j=$T/out/prod/cluster/job-zeta-provision-$(echo "$a" | sed "s/.*@sha256://" | cut -c1-10).yaml &&
	grep -qF -- "- $a" "$j" && grep -qF "claimName: keycloak-provisioning-data" "$j" &&
	grep -qF -- "- $a" "$T/out/prod/cluster/cronjob-zeta-provisioner.yaml" &&
	grep -A2 "claimName: keycloak-provisioning-data" "$T/out/prod/cluster/deployment-keycloak.yaml" |
		grep -q "readOnly: true"'
head -c 1100000 /dev/zero | tr '\0' 'k' >"$T/keycloak-data.json"
B=$T/big
cp -R "$R" "$B"
cp "$T/keycloak-data.json" "$B/files/zeta/keycloak-data.json"
sed -i "s|repoFile('zeta/policy.rego')|repoFile('zeta/keycloak-data.json')|" "$B/templates/cluster/zeta-guard.yaml"
run "$TENANTC" render -C "$B" --out "$T/out-big"
expect "a payload over 1 MiB in a ConfigMap is refused, naming the file and a volume" 'expect_status 2 &&
	expect_stderr_line "^templates/cluster/zeta-guard.yaml:[0-9]+:[0-9]+: error: repoFile\\(.zeta/keycloak-data.json.\\): .files/zeta/keycloak-data.json. is 1.0 MiB, over the 1 MiB a ConfigMap or Secret can hold: ship it in a volume" &&
	expect_file_absent "$T/out-big"'
rm -rf "$B"

expect "test and prod differ where the platform does: payload, schedule, images, sizes" '
	[ -e "$T/out/test/cluster/job-zeta-provision-6b51d431df.yaml" ] &&
	[ -e "$T/out/prod/cluster/job-zeta-provision-d4735e3a26.yaml" ] &&
	[ ! -e "$T/out/prod/cluster/job-zeta-provision-6b51d431df.yaml" ] &&
	grep -qF "schedule: 0 * * * *" "$T/out/test/cluster/cronjob-zeta-provisioner.yaml" &&
	grep -qF "schedule: 30 2 * * *" "$T/out/prod/cluster/cronjob-zeta-provisioner.yaml" &&
	grep -qF "image: quay.io/keycloak/keycloak:26.1.0" "$T/out/test/cluster/deployment-keycloak.yaml" &&
	grep -qF "image: quay.io/keycloak/keycloak:26.0.8" "$T/out/prod/cluster/deployment-keycloak.yaml" &&
	grep -qF "storage: 1Gi" "$T/out/test/cluster/persistentvolumeclaim-keycloak-provisioning-data.yaml" &&
	grep -qF "storage: 5Gi" "$T/out/prod/cluster/persistentvolumeclaim-keycloak-provisioning-data.yaml" &&
	grep -qx "  replicas: 2" "$T/out/prod/cluster/deployment-zeta-pep.yaml" &&
	grep -qx "  replicas: 1" "$T/out/test/cluster/deployment-zeta-pep.yaml"'

# what a review would block, over every rendered object: no pod that may
# run as root, escalate or keep capabilities, no API token, no wildcard in
# a label selector, no Role that writes ConfigMaps (Pod Security
# "restricted", kubernetes.io/docs/concepts/security/pod-security-standards)
run /usr/bin/python3 - "$T/out" <<'PY'
import glob, sys, yaml
bad = []
for f in sorted(glob.glob(sys.argv[1] + "/*/cluster/*.yaml")):
    o = yaml.safe_load(open(f))
    if not o or "kind" not in o or o["kind"] == "Kustomization":
        continue
    k = o["kind"]
    if k in ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"):
        bad.append(f"{f}: {k}: the provisioning needs no API access")
    if k == "Namespace" and o["metadata"]["labels"].get("pod-security.kubernetes.io/enforce") != "restricted":
        bad.append(f"{f}: the namespace does not enforce restricted")
    spec = o.get("spec", {})
    pod = {"Deployment": lambda s: s["template"]["spec"], "Job": lambda s: s["template"]["spec"],
           "CronJob": lambda s: s["jobTemplate"]["spec"]["template"]["spec"]}.get(k)
    if pod:
        p = pod(spec)
        if p.get("automountServiceAccountToken") is not False:
            bad.append(f"{f}: mounts an API token")
        if p.get("securityContext", {}).get("runAsNonRoot") is not True:
            bad.append(f"{f}: may run as root")
        for c in p.get("initContainers", []) + p["containers"]:
            sc = c.get("securityContext", {})
            if sc.get("allowPrivilegeEscalation") is not False or sc.get("capabilities") != {"drop": ["ALL"]} or sc.get("privileged"):
                bad.append(f"{f}: container {c['name']} is not restricted")
            if ":latest" in c["image"] or ":" not in c["image"].split("/")[-1]:
                bad.append(f"{f}: container {c['name']} has no pinned tag")
    def walk(v, path):
        if isinstance(v, dict):
            for kk, vv in v.items():
                if kk in ("matchLabels", "selector") and isinstance(vv, dict):
                    for lk, lv in vv.items():
                        if isinstance(lv, str) and "*" in lv:
                            bad.append(f"{f}: {path}.{kk}.{lk} is a wildcard")
                walk(vv, f"{path}.{kk}")
        elif isinstance(v, list):
            for i, vv in enumerate(v):
                walk(vv, f"{path}[{i}]")
    walk(o, "")
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
expect "every pod is restricted and non-root, no API token, no Role, no wildcard selector" 'expect_status 0 ||
	{ why=$(head -n 5 "$T/stdout"); false; }'

# --- the signature of TrustedTPM.cab, checked at render time ---------------
# a copy of the committed example, changed and committed at DATE
resign() { # date
	(cd "$Z" && git add -A && GIT_AUTHOR_DATE="$1" GIT_COMMITTER_DATE="$1" git commit -q -m change)
}
Z=$T/zeta
cp -R "$R" "$Z"
printf 'x' >>"$Z/files/zeta/TrustedTPM.cab"
resign 2026-01-02T03:04:05Z
run "$TENANTC" render -C "$Z" --rev HEAD --out "$T/out-bad"
expect "a tampered TrustedTPM.cab stops the render naming it" 'expect_status 2 &&
	expect_stderr_line "^$SIGF:1:1: error: the signature .$SIGF. does not match the content of .files/zeta/TrustedTPM.cab." &&
	expect_file_absent "$T/out-bad"'
(cd "$Z" && git checkout -q HEAD~1 -- files/zeta/TrustedTPM.cab)

P=$T/pki
pki_init "$P"
pki_ca "$P" foreign 20250101000000Z 20450101000000Z
pki_cert "$P" foreign forger 20250101000000Z 20350101000000Z sign
pki_sign "$P" forger "$Z/files/zeta/TrustedTPM.cab" "$Z/$SIGF"
resign 2026-01-02T03:04:05Z
run "$TENANTC" render -C "$Z" --rev HEAD --out "$T/out-bad"
expect "a TrustedTPM.cab signed by a foreign CA stops the render" 'expect_status 2 &&
	expect_stderr_line "^$SIGF:1:1: error: the signer .CN=forger. of .files/zeta/TrustedTPM.cab. is not trusted by .trust/tpm-ca.pem. at 2026-01-02T03:04:05Z \\(the commit time\\): unable to get local issuer certificate" &&
	expect_file_absent "$T/out-bad"'
# the foreign CA put into the bundle instead: the example's own signer fails
(cd "$Z" && git checkout -q HEAD~1 -- "$SIGF")
cp "$P/foreign.pem" "$Z/trust/tpm-ca.pem"
resign 2026-01-02T03:04:05Z
run "$TENANTC" render -C "$Z" --rev HEAD --out "$T/out-bad"
expect "a bundle of another CA refuses the example's signer" 'expect_status 2 &&
	expect_stderr_line "^$SIGF:1:1: error: the signer .CN=ZETA Guard Provisioning Signer,O=Example Platform. of .files/zeta/TrustedTPM.cab. is not trusted by .trust/tpm-ca.pem.|^$SIGF:1:1: error: the signer .*ZETA Guard Provisioning Signer.* is not trusted by .trust/tpm-ca.pem."'
(cd "$Z" && git checkout -q HEAD~1 -- trust/tpm-ca.pem)

# the committed signer is valid 2025-06-01 to 2035-06-01 (make-pki.sh)
resign 2030-01-01T00:00:00Z
run "$TENANTC" render -C "$Z" --rev HEAD --out "$T/out-later"
expect "the committed signature holds years after the tests' commit" 'expect_status 0'
(cd "$Z" && GIT_COMMITTER_DATE=2036-01-01T00:00:00Z git commit -q --allow-empty -m later)
run "$TENANTC" render -C "$Z" --rev HEAD --out "$T/out-bad"
expect "an expired signer stops the render" 'expect_status 2 &&
	expect_stderr_line "^$SIGF:1:1: error: the signer .*ZETA Guard Provisioning Signer.* of .files/zeta/TrustedTPM.cab. is not trusted by .trust/tpm-ca.pem. at 2036-01-01T00:00:00Z \\(the commit time\\): certificate has expired" &&
	expect_file_absent "$T/out-bad"'
(cd "$Z" && git reset -q --hard HEAD~1)

rm "$Z/$SIGF"
resign 2026-01-02T03:04:05Z
run "$TENANTC" render -C "$Z" --rev HEAD --out "$T/out-bad"
expect "TrustedTPM.cab without its signature is refused (files.signed)" 'expect_status 2 &&
	expect_stderr_line "files/zeta/TrustedTPM.cab"'
(cd "$Z" && git checkout -q HEAD~1 -- "$SIGF")

cp "$P/forger.key" "$Z/files/zeta/signer.key"
resign 2026-01-02T03:04:05Z
run "$TENANTC" render -C "$Z" --rev HEAD --out "$T/out-bad"
expect "the signing key in files/ is refused, its bytes never printed" 'expect_status 2 &&
	expect_stderr_line "^files/zeta/signer.key:1:1: error: .files/zeta/signer.key. holds a PEM private key" &&
	expect_not_printed "$(sed -n 2p "$P/forger.key")"'
rm -rf "$Z"

if command -v kubectl >/dev/null 2>&1; then
	run kubectl kustomize "$T/out/prod/cluster"
	expect "kubectl kustomize builds prod's ZETA Guard, the cabinet in binaryData" 'expect_status 0 &&
		expect_stdout "kind: CronJob" && expect_stdout "^  TrustedTPM.cab: TVNDRg"'
fi

# make-pki.sh makes material the render accepts, and no key stays behind
Z=$T/zeta-pki
cp -R "$R" "$Z"
run sh "$Z/make-pki.sh"
expect "make-pki.sh signs the cabinet again" 'expect_status 0 &&
	! cmp -s "$Z/files/zeta/TrustedTPM.cab.p7s" "$R/files/zeta/TrustedTPM.cab.p7s" &&
	! grep -rlq "PRIVATE KEY" "$Z" --exclude-dir=.git'
(cd "$Z" && git add -A && git commit -q -m resigned)
run "$TENANTC" render -C "$Z" --rev HEAD --out "$T/out-pki"
expect "the render accepts what make-pki.sh made" 'expect_status 0'
rm -rf "$Z"
