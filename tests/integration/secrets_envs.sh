#!/bin/sh
# Who can read which Secret, with three environments: a copy of the example
# with a third environment, stage, whose age key this test makes. Each
# environment's key opens its own per-environment inputs
# (tenants/<t>/secrets/<env>/), the all-environments inputs of the tenants
# rendered there, and its own rendered Secrets, and nothing else; the
# repository's key opens everything. Render refuses an input that another
# environment's key can open (naming the file and the recipient), warns
# about recipients left over after a key rotation until `tenantc secret
# updatekeys` has run, and names an identity that can decrypt an input but
# is not a rendering identity. The values are built from base64 at run
# time, so no file of the test holds them.
. "$(dirname "$0")/lib.sh"
cd "$T"
mkdir -p tmp
export TMPDIR="$T/tmp"
# `secret edit` puts its plaintext on memory-backed storage: a folder of ours
EDITBASE="$T/tmp"
if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ]; then
	EDITBASE=$(mktemp -d /dev/shm/tenantc-test-base.XXXXXX)
	trap 'rm -rf "$T" "$EDITBASE"' EXIT
fi
export XDG_RUNTIME_DIR="$EDITBASE"
KEYS="$SRC/keys"
copy_example repo
unset SOPS_AGE_KEY SOPS_AGE_KEY_FILE
"$TENANTC" secret keygen -o stage.key 2>/dev/null
cp "$KEYS/prod.agekey" prod.key
cp "$KEYS/test.agekey" test.key
cp "$KEYS/admin.agekey" admin.key
STAGE=$("$TENANTC" secret keygen -y stage.key)
PROD=$("$TENANTC" secret keygen -y prod.key)
TEST=$("$TENANTC" secret keygen -y test.key)
sed -e 's/^name: test/name: stage/' -e 's/test\.example\.com/stage.example.com/' \
	-e "s/age1[0-9a-z]*/$STAGE/" repo/environments/test.yaml >repo/environments/stage.yaml
sed -i 's/^environments: \[prod, test\]/environments: [prod, stage, test]/' repo/tenants/acme/tenant.yaml
with() { k=$1; shift; env SOPS_AGE_KEY_FILE="$T/$k.key" "$@"; }
V1=$(printf 'c3RhZ2UtZGF0YWJhc2UtcGFzc3dvcmQtNTUx' | base64 -d)
V2=$(printf 'c3RhZ2UtcmVhbG0tY2xpZW50LXZhbHVlLTcyOQ==' | base64 -d)
cat >editor.sh <<'SH'
#!/bin/sh
sed -i "s/^\( *key:\).*/\1 $NEWVAL/" "$1"
SH
chmod +x editor.sh
ALL="repo/tenants/acme/secrets/realm-clients.yaml repo/tenants/globex/secrets/realm-clients.yaml"

# a new environment: the all-environments inputs lack its recipient
run with admin "$TENANTC" render --repo repo --out "$T/out0"
expect "an input without the recipient of a new environment is a warning, not an error" \
	'expect_status 0 && expect_stderr "^tenants/acme/secrets/realm-clients.yaml:[0-9]+:[0-9]+: warning: $1"' \
	"'tenants/acme/secrets/realm-clients.yaml' is not encrypted to recipient '$STAGE' of environment 'stage' \(run 'tenantc secret updatekeys tenants/acme/secrets/realm-clients.yaml'\)"
# shellcheck disable=SC2086
run with admin "$TENANTC" secret updatekeys --repo repo $ALL
expect "updatekeys adds the new environment's recipient to the all-environments inputs" \
	'expect_status 0 && grep -q "recipient: $STAGE" repo/tenants/globex/secrets/realm-clients.yaml &&
	[ "$(grep -c "recipient: " repo/tenants/acme/secrets/realm-clients.yaml)" -eq 4 ]'

# a Secret of stage only, made with `secret edit` (its folder too)
F=repo/tenants/acme/secrets/stage/database.yaml
run with admin env NEWVAL="$V1" EDITOR="$T/editor.sh" "$TENANTC" secret edit --repo repo "$F"
expect "edit makes a Secret of one environment, encrypted to it and to the repository only" \
	'expect_status 0 && [ "$(grep -c "recipient: " "$F")" -eq 2 ] && grep -q "recipient: $STAGE" "$F" &&
	grep -q "recipient: age1qc7c2duyzxptrjv8new2hvfj7cxzpvv4zj4vrffyezx0pwmu7pnqdp8r9s" "$F"'
# encrypt takes the recipients from the destination's path too
printf 'apiVersion: v1\nkind: Secret\nmetadata:\n    name: extra\nstringData:\n    key: x\n' >plain.yaml
run "$TENANTC" secret encrypt --repo repo -o repo/tenants/globex/secrets/test/extra.yaml plain.yaml
expect "encrypt into secrets/test/ encrypts to test's and the repository's recipients only" \
	'expect_status 0 && [ "$(grep -c "recipient: " repo/tenants/globex/secrets/test/extra.yaml)" -eq 2 ] &&
	grep -q "recipient: $TEST" repo/tenants/globex/secrets/test/extra.yaml'
rm -r plain.yaml repo/tenants/globex/secrets/test
# the same name in stage/ replaces the all-environments file there
O=repo/tenants/acme/secrets/stage/realm-clients.yaml
cat >editor2.sh <<'SH'
#!/bin/sh
printf 'apiVersion: v1\nkind: Secret\nmetadata:\n    name: realm-clients\nstringData:\n    api-service: %s\n' "$NEWVAL" >"$1"
SH
chmod +x editor2.sh
run with admin env NEWVAL="$V2" EDITOR="$T/editor2.sh" "$TENANTC" secret edit --repo repo "$O"
expect "edit makes stage's own realm-clients" 'expect_status 0 && [ "$(grep -c "recipient: " "$O")" -eq 2 ]'

# an identity that decrypts inputs but is not a rendering identity (and
# no earlier output to carry over)
run with stage "$TENANTC" render --repo repo --out "$T/out5" --env stage
expect "a cluster key is named as such, not as a missing identity" \
	'expect_status 2 && expect_stderr "$1" && ! grep -q "without an age identity" "$T/stderr"' \
	"Secret 'acme-stage/database' from 'tenants/acme/secrets/stage/database.yaml' cannot be rendered with identity '$STAGE', which can decrypt it as a recipient of environment 'stage' but is not a rendering identity \(tenantc.yaml sops.age does not list it\): there is no earlier output"
"$TENANTC" secret keygen -o stranger.key 2>/dev/null
run with stranger "$TENANTC" render --repo repo --env prod --out "$T/out6"
expect "a key that opens none of the inputs is named as not being a rendering identity" \
	'expect_status 2 && expect_stderr "cannot be rendered with the 1 identity given: none can decrypt it or is a rendering identity"'

run with admin "$TENANTC" render --repo repo
expect "the three environments render without a warning" 'expect_status 0 && ! grep -q warning "$T/stderr"'
cp -R repo/rendered rendered1

# the matrix: every input and every rendered Secret against every key
opens() { with "$1" "$TENANTC" secret decrypt "$2" >/dev/null 2>&1; }
inputs=$(cd repo && find tenants -path '*/secrets/*' -type f | LC_ALL=C sort)
wrong=""
n=0
for f in $inputs; do
	case "$f" in
	tenants/*/secrets/*/*) envs=$(echo "$f" | cut -d/ -f4) ;;
	tenants/acme/*) envs="prod stage test" ;;
	tenants/globex/*) envs="prod stage test" ;;
	*) envs="" ;;
	esac
	for k in prod stage test; do
		n=$((n + 1))
		want=no
		case " $envs " in *" $k "*) want=yes ;; esac
		got=no
		opens "$k" "repo/$f" && got=yes
		[ "$want" = "$got" ] || wrong="$wrong $k:$f(want $want)"
	done
	opens admin "repo/$f" || wrong="$wrong admin:$f"
done
expect "each environment's key opens exactly its own inputs and the all-environments ones ($n checks)" \
	'[ -z "$wrong" ] && [ "$n" -ge 18 ]'
outs=$(cd repo/rendered && find . -name 'secret-*.yaml' | LC_ALL=C sort)
wrong=""
n=0
for f in $outs; do
	e=$(echo "$f" | cut -d/ -f2)
	for k in prod stage test; do
		n=$((n + 1))
		want=no
		[ "$k" = "$e" ] && want=yes
		got=no
		opens "$k" "repo/rendered/$f" && got=yes
		[ "$want" = "$got" ] || wrong="$wrong $k:$f(want $want)"
	done
	opens admin "repo/rendered/$f" || wrong="$wrong admin:$f"
done
expect "each environment's key opens exactly its own rendered Secrets ($n checks)" \
	'[ -z "$wrong" ] && [ "$n" -ge 27 ] && [ -f repo/rendered/stage/tenants/acme/secret-database.yaml ]'
run with stage "$TENANTC" secret decrypt repo/rendered/stage/tenants/acme/secret-realm-clients.yaml
expect "secrets/stage/realm-clients.yaml replaces the all-environments file in stage" \
	'expect_status 0 && grep -q "api-service: $V2" "$T/stdout"'
run with prod "$TENANTC" secret decrypt repo/rendered/prod/tenants/acme/secret-realm-clients.yaml
expect "... and only there" 'expect_status 0 && ! grep -q "$V2" "$T/stdout"'

# an over-shared input: stage's Secret also encrypted to test's key
L=repo/tenants/acme/secrets/stage/leak.yaml
with admin env NEWVAL="$V1" EDITOR="$T/editor.sh" "$TENANTC" secret edit --repo repo --age "$TEST" "$L" 2>/dev/null
line=$(grep -n "recipient: $TEST" "$L" | cut -d: -f1)
before=$(tree_sum repo/rendered)
run with admin "$TENANTC" render --repo repo
expect "render refuses a Secret of stage that test's key can open, naming the file and the recipient" \
	'expect_status 2 && expect_stderr_first "$1" && expect_tree_sum repo/rendered "$before"' \
	"tenants/acme/secrets/stage/leak.yaml:$line:22: error: 'tenants/acme/secrets/stage/leak.yaml' is encrypted to recipient '$TEST' of environment 'test', whose key can open it, but it is a Secret of environment 'stage' only (run 'tenantc secret updatekeys tenants/acme/secrets/stage/leak.yaml')"
run with admin "$TENANTC" render --repo repo --stdout --decrypt --env stage
expect "... with --decrypt too" 'expect_status 2 && expect_stderr "leak.yaml.*recipient .$TEST. of environment .test."'
run with admin "$TENANTC" secret updatekeys --repo repo "$L"
expect "updatekeys takes the other environment's recipient out" \
	'expect_status 0 && ! grep -q "recipient: $TEST" "$L" && ! opens test "$L" && opens stage "$L"'
rm "$L"
# an all-environments Secret of initech (test only) that prod's key opens
I=repo/tenants/initech/secrets/extra.yaml
mkdir -p repo/tenants/initech/secrets
with admin env NEWVAL="$V1" EDITOR="$T/editor.sh" "$TENANTC" secret edit --repo repo --age "$PROD" "$I" 2>/dev/null
run with admin "$TENANTC" render --repo repo --out "$T/out1"
expect "render refuses an all-environments Secret that an environment the tenant is not in can open" \
	'expect_status 2 && expect_stderr_line "^tenants/initech/secrets/extra.yaml:[0-9]+:[0-9]+: error: $1" && expect_file_absent "$T/out1"' \
	"'tenants/initech/secrets/extra.yaml' is encrypted to recipient '$PROD' of environment 'prod', whose key can open it, but tenant 'initech' is not rendered there"
rm -r repo/tenants/initech/secrets

# folders of secrets/ must be environments of the tenant
mkdir -p repo/tenants/acme/secrets/stgae
cp "$F" repo/tenants/acme/secrets/stgae/database.yaml
run with admin "$TENANTC" render --repo repo --out "$T/out2"
expect "a misspelt environment folder is an error" 'expect_status 2 && expect_stderr_first "$1"' \
	"tenants/acme/secrets/stgae/database.yaml:1:1: error: 'stgae' is not an environment: a folder in tenants/acme/secrets holds the Secrets of the environment it is named after (files directly in secrets/ are for all environments)"
run with admin env EDITOR=true "$TENANTC" secret edit --repo repo repo/tenants/acme/secrets/stgae/new.yaml
expect "... and secret edit says so" 'expect_status 2 && expect_stderr_first "$1"' \
	"repo/tenants/acme/secrets/stgae/new.yaml:1:1: error: 'stgae' is not an environment: a folder in tenants/acme/secrets holds the Secrets of the environment it is named after (there is no environments/stgae.yaml)"
rm -r repo/tenants/acme/secrets/stgae
mkdir -p repo/tenants/initech/secrets/prod
cp "$F" repo/tenants/initech/secrets/prod/database.yaml
run with admin "$TENANTC" render --repo repo --out "$T/out3"
expect "a folder of an environment the tenant is not rendered in is an error" \
	'expect_status 2 && expect_stderr_first "$1"' \
	"tenants/initech/secrets/prod/database.yaml:1:1: error: tenant 'initech' is not rendered in environment 'prod', so this Secret would never be used (add 'prod' to its environments or remove the file)"
run with admin env EDITOR=true "$TENANTC" secret edit --repo repo repo/tenants/initech/secrets/prod/new.yaml
expect "... and secret edit says so" 'expect_status 2 && expect_stderr_first "$1"' \
	"repo/tenants/initech/secrets/prod/new.yaml:1:1: error: tenant 'initech' is not rendered in environment 'prod' (see its environments in tenants/initech/tenant.yaml)"
rm -r repo/tenants/initech/secrets
# two files of one environment making the same Secret
with admin env NEWVAL="$V2" EDITOR="$T/editor2.sh" "$TENANTC" secret edit --repo repo \
	repo/tenants/acme/secrets/stage/copy.yaml 2>/dev/null
run with admin "$TENANTC" render --repo repo --out "$T/out4"
expect "a per-environment file of another name making an all-environments Secret again is a duplicate" \
	'expect_status 2 && expect_stderr "duplicate object Secret .realm-clients."'
rm repo/tenants/acme/secrets/stage/copy.yaml

# rotation: stage gets a new key; the old one is left over in the inputs
"$TENANTC" secret keygen -o stage2.key 2>/dev/null
STAGE2=$("$TENANTC" secret keygen -y stage2.key)
sed -i "s/$STAGE/$STAGE2/" repo/environments/stage.yaml
run with admin "$TENANTC" render --repo repo
expect "after a rotation render warns about the old recipient, naming the command (exit 0)" \
	'expect_status 0 && expect_stderr "^tenants/acme/secrets/stage/database.yaml:[0-9]+:22: warning: $1" &&
	expect_stderr "warning: .tenants/globex/secrets/realm-clients.yaml. is still encrypted to recipient .$STAGE."' \
	"'tenants/acme/secrets/stage/database.yaml' is still encrypted to recipient '$STAGE', which neither tenantc.yaml nor any environment lists any more \(run 'tenantc secret updatekeys tenants/acme/secrets/stage/database.yaml'\)"
run with admin "$TENANTC" render --repo repo
expect "... on every render until the inputs are re-keyed" 'expect_status 0 && expect_stderr "is still encrypted to recipient .$STAGE."'
run with stage2 "$TENANTC" secret decrypt repo/rendered/stage/tenants/acme/secret-database.yaml
expect "the rendered Secret of stage is already for the new key" 'expect_status 0 && grep -q "key: $V1" "$T/stdout"'
run with stage "$TENANTC" secret decrypt repo/rendered/stage/tenants/acme/secret-database.yaml
expect "... and no longer for the old one" 'expect_status 2'
# shellcheck disable=SC2086
run with admin "$TENANTC" secret updatekeys --repo repo $ALL "$F" "$O"
expect "updatekeys re-keys the inputs for the new key" \
	'expect_status 0 && ! grep -rq "$STAGE" repo/tenants && opens stage2 "$F" && ! opens stage "$F" && ! opens stage "$O"'
run with admin "$TENANTC" render --repo repo
expect "then render is quiet again" 'expect_status 0 && ! grep -q warning "$T/stderr"'
if ! grep -rqs -e "$V1" -e "$V2" "$T/repo" "$T/rendered1" "$EDITBASE"; then ok "no plaintext value on disk"
else bad "a plaintext value was found on disk"; fi
finish
