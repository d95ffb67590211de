#!/bin/sh
# tests/integration/files.sh - shipped files: the repository's files/ in
# every template, the same from every source, verbatim text, binary files,
# the ConfigMap size limit, and the render-time checks of signatures,
# certificates and keys (docs/templates.md "Files", docs/validation.md
# "Files").
#
# The PKI is made here with the openssl command line (pki.sh) in the test's
# temporary folder; no key is committed. Validity periods are fixed dates
# and commits have fixed dates, so nothing depends on the clock: a signer
# that expired years before today passes at a commit made while it was
# valid, and one valid today fails at a commit after its expiry.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pki.sh"
unset SOPS_AGE_KEY_FILE

R=$T/repo
mkdir -p "$R/environments" "$R/templates/cluster" "$R/templates/tenant" "$R/tenants/acme/files" \
	"$R/files/zeta" "$R/trust"
printf 'output: rendered\n' >"$R/tenantc.yaml"
printf 'name: dev\n' >"$R/environments/dev.yaml"
printf 'name: acme\n' >"$R/tenants/acme/tenant.yaml"
# "a.txt" sorts before "a/b" by bytes; a listing walk yields them the other way
mkdir -p "$R/files/a"
printf 'one\n' >"$R/files/a/b"
printf 'two\n' >"$R/files/a.txt"
printf '#!/bin/sh\necho "${HOME}" ${now}\n' >"$R/files/zeta/provision.sh"
cat >"$R/templates/cluster/provisioning.yaml" <<'Y'
apiVersion: v1
kind: ConfigMap
metadata: {name: provisioning, namespace: zeta}
data:
  list: ${join(repoFiles, ",")}
  provision.sh: {$eval: "repoFile('zeta/provision.sh')"}
  inline.sh:
    $verbatim: |
      echo "${HOME}" ${now}
  escaped: "$${now}"
  digest: ${repoFileSha256('a.txt')}
Y
cat >"$R/templates/tenant/shared.yaml" <<'Y'
apiVersion: v1
kind: ConfigMap
metadata: {name: shared, namespace: "${tenant.name}"}
data:
  fromRepo: {$eval: "repoFile('a/b')"}
  tenantList: ${join(files, ",")}
Y
printf 'tenant\n' >"$R/tenants/acme/files/own.txt"
cp "$R/files/a.txt" "$T/a.txt"

run "$TENANTC" render --repo "$R" --out "$T/out"
expect "a cluster template reads files/" 'expect_status 0 &&
	grep -qF "list: a.txt,a/b,zeta/provision.sh" "$T/out/dev/cluster/configmap-provisioning.yaml"'
expect "file content is never interpolated" '
	grep -qF "echo \"\${HOME}\" \${now}" "$T/out/dev/cluster/configmap-provisioning.yaml"'
expect "\$verbatim keeps \${...}" 'grep -A1 "inline.sh" "$T/out/dev/cluster/configmap-provisioning.yaml" |
	grep -qF "echo \"\${HOME}\" \${now}"'
expect "\$\${ is a literal \${" 'grep -qF "escaped: \${now}" "$T/out/dev/cluster/configmap-provisioning.yaml"'
expect "repoFileSha256" 'grep -qF "$(sha256sum "$T/a.txt" | cut -d" " -f1)" \
	"$T/out/dev/cluster/configmap-provisioning.yaml"'
expect "a tenant template reads files/ as repoFile, its own as file" '
	grep -A1 "fromRepo: |" "$T/out/dev/tenants/acme/configmap-shared.yaml" | grep -qx "    one" &&
	grep -qF "tenantList: own.txt" "$T/out/dev/tenants/acme/configmap-shared.yaml"'

# one rule for every source: work tree, index and revision agree
git_commit_all "$R"
run "$TENANTC" render --repo "$R" --rev HEAD --out "$T/out-rev"
expect "render --rev" 'expect_status 0'
run "$TENANTC" render --repo "$R" --index --out "$T/out-index"
expect "render --index" 'expect_status 0'
run "$TENANTC" render --repo "$R" --worktree --out "$T/out-wt"
expect "work tree, index and revision render files/ alike" '
	[ "$(tree_sum "$T/out-rev")" = "$(tree_sum "$T/out-index")" ] &&
	[ "$(tree_sum "$T/out-rev")" = "$(tree_sum "$T/out-wt")" ]'
rm -rf "$R/.git"

# a stray "${" points at its line and column
cat >"$R/templates/cluster/broken.yaml" <<'Y'
apiVersion: v1
kind: ConfigMap
metadata: {name: broken, namespace: zeta}
data:
  run.sh: |
    #!/bin/sh

    x=${FOO:-bar}
Y
run "$TENANTC" render --repo "$R" --out "$T/out-broken"
expect "a stray \${ in a block literal: its line and column, and a hint" 'expect_status 2 &&
	expect_stderr_line "^templates/cluster/broken.yaml:8:7: error: SyntaxError" &&
	expect_stderr "^templates/cluster/broken.yaml:8:7: note: write .\\\$\\\$\\{. for a literal"'
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: broken, namespace: zeta}\ndata: {x: "a ${1 +} b"}\n' \
	>"$R/templates/cluster/broken.yaml"
run "$TENANTC" render --repo "$R" --out "$T/out-broken"
expect "a stray \${ in a quoted string: its column" 'expect_status 2 &&
	expect_stderr_line "^templates/cluster/broken.yaml:4:14: error: SyntaxError"'
rm "$R/templates/cluster/broken.yaml"

# binary files: binaryData, never a YAML string
cat >"$R/templates/tenant/bin.yaml" <<'Y'
$merge:
  - {apiVersion: v1, kind: ConfigMap, metadata: {name: bin, namespace: acme}}
  - $if: fileIsText('logo.png')
    then: {data: {logo.png: {$eval: "file('logo.png')"}}}
    else: {binaryData: {logo.png: {$eval: "fileBase64('logo.png')"}}}
Y
printf '\211PNG\r\n\032\n\000\377\376' >"$R/tenants/acme/files/logo.png"
run "$TENANTC" render --repo "$R" --out "$T/out-bin"
expect "a binary file goes to binaryData as base64" 'expect_status 0 &&
	grep -qF "logo.png: $(base64 -w0 "$R/tenants/acme/files/logo.png")" \
		"$T/out-bin/dev/tenants/acme/configmap-bin.yaml" &&
	! grep -q "^data:" "$T/out-bin/dev/tenants/acme/configmap-bin.yaml"'
sed -i "s/fileIsText('logo.png')/fileIsText('logo.png') || true/" "$R/templates/tenant/bin.yaml"
run "$TENANTC" render --repo "$R" --out "$T/out-bin2"
expect "binary bytes in data are an error at the template line" 'expect_status 2 &&
	expect_stderr_line "^templates/tenant/bin.yaml:4:29: error: a string holds bytes that are not UTF-8" &&
	[ ! -e "$T/out-bin2" ]'
rm "$R/templates/tenant/bin.yaml" "$R/tenants/acme/files/logo.png"

# the example's ConfigMap template chooses binaryData by itself
E=$T/example
copy_example "$E"
printf '\000\001\002\377' >"$E/tenants/acme/files/frontend/favicon.ico"
export SOPS_AGE_KEY_FILE="$SRC/keys/admin.agekey"
run "$TENANTC" render --repo "$E" --out "$T/out-example"
unset SOPS_AGE_KEY_FILE
expect "the example puts a binary file into binaryData" 'expect_status 0 &&
	grep -qF "favicon.ico: AAEC/w==" "$T/out-example/prod/tenants/acme/configmap-frontend.yaml" &&
	grep -q "^  nginx.conf: |" "$T/out-example/prod/tenants/acme/configmap-frontend.yaml"'

# over 1 MiB: an error naming the file, pointing to a volume
head -c 1100000 /dev/zero | tr '\0' 'x' >"$R/files/zeta/keycloak-data.json"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big, namespace: zeta}\ndata: {k: "${repoFile(%s)}"}\n' \
	"'zeta/keycloak-data.json'" >"$R/templates/cluster/big.yaml"
run "$TENANTC" render --repo "$R" --out "$T/out-big"
expect "a file over the ConfigMap limit names the file and a volume" 'expect_status 2 &&
	expect_stderr_line "error: repoFile\\(.zeta/keycloak-data.json.\\): .files/zeta/keycloak-data.json. is 1.0 MiB, over the 1 MiB a ConfigMap or Secret can hold: ship it in a volume"'
printf 'apiVersion: batch/v1\nkind: Job\nmetadata: {name: check, namespace: zeta}\nspec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox, args: ["${repoFileSha256(%s)}"]}]}}}\n' \
	"'zeta/keycloak-data.json'" >"$R/templates/cluster/big.yaml"
run "$TENANTC" render --repo "$R" --out "$T/out-big"
expect "its digest is available at any size" 'expect_status 0 &&
	grep -qF "$(sha256sum "$R/files/zeta/keycloak-data.json" | cut -d" " -f1)" "$T/out-big/dev/cluster/job-check.yaml"'
rm "$R/templates/cluster/big.yaml" "$R/files/zeta/keycloak-data.json"

# --- signatures ---------------------------------------------------------------
P=$T/pki
pki_init "$P"
pki_ca "$P" root 20200101000000Z 20400101000000Z
pki_ca "$P" other 20200101000000Z 20400101000000Z
pki_cert "$P" root signer 20250101000000Z 20270101000000Z sign
pki_cert "$P" root old 20200101000000Z 20210101000000Z sign
pki_cert "$P" root mailer 20250101000000Z 20270101000000Z email
pki_cert "$P" root cipher 20250101000000Z 20270101000000Z encipher
pki_cert "$P" other forger 20250101000000Z 20270101000000Z sign
cp "$P/root.pem" "$R/trust/ca.pem"
printf 'files:\n  caBundle: trust/ca.pem\n  signed: [files/zeta/TrustedTPM.cab]\n' >>"$R/tenantc.yaml"
printf 'MSCF\000\000\377cabinet' >"$R/files/zeta/TrustedTPM.cab"
CAB=$R/files/zeta/TrustedTPM.cab

commit_at() { # date: commit the repository as it is, dated
	rm -rf "$R/.git"
	(cd "$R" && git init -q -b main . && git add -A &&
		GIT_COMMITTER_DATE="$1" GIT_AUTHOR_DATE="$1" git commit -q -m files)
}
render_rev() { run "$TENANTC" render --repo "$R" --rev HEAD --out "$T/out-sig"; }
SIG=files/zeta/TrustedTPM.cab.p7s

pki_sign "$P" signer "$CAB"
commit_at 2026-01-02T03:04:05Z
render_rev
expect "a file signed by a signer of the bundle renders" 'expect_status 0 && expect_stderr_empty'

printf 'tampered' >>"$CAB"
commit_at 2026-01-02T03:04:05Z
render_rev
expect "a tampered file stops the render naming it" 'expect_status 2 &&
	expect_stderr_line "^$SIG:1:1: error: the signature .$SIG. does not match the content of .files/zeta/TrustedTPM.cab."'
printf 'MSCF\000\000\377cabinet' >"$CAB"

pki_sign "$P" forger "$CAB"
commit_at 2026-01-02T03:04:05Z
render_rev
expect "a file signed by another CA's key stops the render" 'expect_status 2 &&
	expect_stderr_line "^$SIG:1:1: error: the signer .CN=forger. of .files/zeta/TrustedTPM.cab. is not trusted by .trust/ca.pem. at 2026-01-02T03:04:05Z \\(the commit time\\): unable to get local issuer certificate"'

pki_sign "$P" signer "$CAB"
commit_at 2027-06-01T00:00:00Z
render_rev
expect "a signer expired at the commit time stops the render" 'expect_status 2 &&
	expect_stderr_line "^$SIG:1:1: error: the signer .CN=signer. of .files/zeta/TrustedTPM.cab. is not trusted by .trust/ca.pem. at 2027-06-01T00:00:00Z \\(the commit time\\): certificate has expired"'

pki_sign "$P" old "$CAB"
commit_at 2020-06-01T00:00:00Z
render_rev
expect "validity is checked at the commit time, not the clock" 'expect_status 0'
commit_at 2026-01-02T03:04:05Z
render_rev
expect "the same signer at a later commit has expired" 'expect_status 2 &&
	expect_stderr_line "certificate has expired"'
run "$TENANTC" render --repo "$R" --rev HEAD --now 2020-06-01T00:00:00Z --out "$T/out-sig"
expect "--now sets the check time" 'expect_status 0'

pki_sign "$P" mailer "$CAB"
commit_at 2026-01-02T03:04:05Z
render_rev
expect "a signer without codeSigning may not sign files" 'expect_status 2 &&
	expect_stderr_line "its extendedKeyUsage lacks codeSigning"'
pki_sign "$P" cipher "$CAB"
commit_at 2026-01-02T03:04:05Z
render_rev
expect "a signer without digitalSignature may not sign" 'expect_status 2 &&
	expect_stderr_line "needs keyUsage digitalSignature"'

openssl cms -sign -binary -nodetach -outform DER -signer "$P/signer.pem" -inkey "$P/signer.key" \
	-in "$CAB" -out "$CAB.p7s"
commit_at 2026-01-02T03:04:05Z
render_rev
expect "a signature carrying its content is refused" 'expect_status 2 &&
	expect_stderr_line "carries its own content: a detached signature"'

# PEM, signed tenant files and files.signed for tenants
openssl cms -sign -binary -outform PEM -signer "$P/signer.pem" -inkey "$P/signer.key" \
	-in "$CAB" -out "$CAB.p7s"
printf 'policy' >"$R/tenants/acme/files/policy.rego"
pki_sign "$P" forger "$R/tenants/acme/files/policy.rego"
commit_at 2026-01-02T03:04:05Z
render_rev
expect "a tenant's signed file is checked too (and PEM signatures are read)" 'expect_status 2 &&
	expect_stderr_line "^tenants/acme/files/policy.rego.p7s:1:1: error: the signer .CN=forger. of .tenants/acme/files/policy.rego. is not trusted"'
pki_sign "$P" signer "$R/tenants/acme/files/policy.rego"
commit_at 2026-01-02T03:04:05Z
render_rev
expect "both signed files verify" 'expect_status 0'

# a folder outside git: the clock (documented); a signer valid then passes
rm -rf "$R/.git"
run "$TENANTC" render --repo "$R" --out "$T/out-dir"
expect "a plain folder checks at the system clock" 'expect_status 0'

# --- certificates and keys ----------------------------------------------------
cp "$P/signer.pem" "$R/files/zeta/signer.pem"
commit_at 2026-12-10T00:00:00Z
render_rev
expect "a certificate expiring within 30 days of the commit warns" 'expect_status 0 &&
	expect_stderr_line "^files/zeta/signer.pem:1:1: warning: certificate .CN=signer. in .files/zeta/signer.pem. expires on 2027-01-01, within 30 days of 2026-12-10T00:00:00Z \\(the commit time; files.certificateWarningDays\\)"'
sed -i 's/^files:$/files:\n  certificateWarningDays: 7/' "$R/tenantc.yaml"
commit_at 2026-12-10T00:00:00Z
render_rev
expect "files.certificateWarningDays sets the window" 'expect_status 0 && expect_stderr_empty'
rm "$R/files/zeta/signer.pem"

cp "$P/signer.key" "$R/tenants/acme/files/tls.key"
commit_at 2026-01-02T03:04:05Z
render_rev
expect "a private key in files/ is an error, its bytes never printed" 'expect_status 2 &&
	expect_stderr_line "^tenants/acme/files/tls.key:1:1: error: .tenants/acme/files/tls.key. holds a PEM private key" &&
	expect_not_printed "$(sed -n 2p "$P/signer.key")"'
rm "$R/tenants/acme/files/tls.key"

# --- the render cache -----------------------------------------------------------
# An unchanged tenant comes from the cache, but its signed files are checked
# again at a new commit time, and a change in files/ renders it again.
rm "$CAB" "$CAB.p7s"
rm "$R/templates/cluster/provisioning.yaml" # it mentions `now`, which keys every tenant by time
printf 'output: rendered\nfiles:\n  caBundle: trust/ca.pem\n' >"$R/tenantc.yaml"
commit_at 2026-01-02T03:04:05Z
render_rev
expect "a first render fills the cache" 'expect_status 0 && [ -d "$R/.git/tenantc/cache" ]'
(cd "$R" && GIT_COMMITTER_DATE=2027-06-01T00:00:00Z git commit -q --allow-empty -m later)
render_rev
expect "a cached tenant's signer is checked at the new commit time" 'expect_status 2 &&
	expect_stderr_line "^tenants/acme/files/policy.rego.p7s:1:1: error: .*certificate has expired"'
(cd "$R" && git reset -q --hard HEAD~1)
printf 'changed\n' >"$R/files/a/b"
(cd "$R" && git add -A && git commit -q -m changed)
render_rev
expect "a change in files/ renders cached tenants again" 'expect_status 0 &&
	grep -A1 "fromRepo: |" "$T/out-sig/dev/tenants/acme/configmap-shared.yaml" | grep -qx "    changed"'
mkdir -p "$R/tenants/beta"
printf 'name: beta\n' >"$R/tenants/beta/tenant.yaml"
(cd "$R" && git add -A && git commit -q -m beta)
render_rev
(cd "$R" && GIT_COMMITTER_DATE=2026-06-01T00:00:00Z git commit -q --allow-empty -m later)
run "$TENANTC" render --repo "$R" --rev HEAD --out "$T/out-later"
expect "a tenant without signatures keeps its cache entry across commits" 'expect_status 0 &&
	expect_stdout "[^0-9]1 tenants? unchanged"'

finish
