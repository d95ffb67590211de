#!/bin/sh
# The real sops (getsops/sops v3, tests/interop/pins.sh) judges the SOPS files
# tenantc reads and writes:
# - every Secret the example renders decrypts with its environment's key and
#   with the repository key (keys/admin.agekey), to the same data tenantc
#   decrypts, and is refused with every other environment's key;
# - tenantc decrypts (and renders from) files that `sops --encrypt`,
#   `sops updatekeys` and `sops rotate` wrote;
# - a file tenantc encrypted and `sops set` edited is read back by tenantc;
# - a tampered file (MAC, a removed value, a changed clear value) gets the
#   same verdict from both, and a file whose MAC no longer matches is
#   refused by both.
# The values are the tests' own (they contain "plain-7f3a").
. "$(dirname "$0")/check_lib.sh"
need_peer sops SOPS
echo "peer: $("$SOPS" --version --disable-version-check 2>/dev/null | head -n 1)"
KEYS="$SRC/keys"
recipient() { sed -n 's/^# public key: //p' "$KEYS/$1.agekey"; }
ADMIN=$(recipient admin)
PROD=$(recipient prod)
TESTENV=$(recipient test)
# sops_as KEY ARGS...: run sops with one identity
sops_as() {
	k=$1
	shift
	SOPS_AGE_KEY_FILE="$KEYS/$k.agekey" "$SOPS" "$@"
}
tc_as() {
	k=$1
	shift
	SOPS_AGE_KEY_FILE="$KEYS/$k.agekey" "$TENANTC" "$@"
}

# 1. every rendered Secret, with each key
"$TENANTC" render --repo "$SRC" --out "$T/out" >/dev/null
secrets=$(grep -rl '^sops:' "$T/out" | LC_ALL=C sort)
[ -n "$secrets" ] && ok "the example renders $(echo "$secrets" | wc -l) SOPS Secrets" ||
	bad "the example renders no SOPS Secret"
for f in $secrets; do
	rel=${f#"$T/out/"}
	env=${rel%%/*}
	want=$(tc_as admin secret decrypt "$f" | yaml_digest)
	for k in "$env" admin; do
		if got=$(sops_as "$k" --decrypt "$f" 2>"$T/err" | yaml_digest) && [ "$got" = "$want" ]; then
			ok "$rel: sops decrypts it with keys/$k.agekey, to what tenantc decrypts"
		else
			bad "$rel: sops with keys/$k.agekey: $(head -n 2 "$T/err")"
		fi
	done
	for k in prod test; do
		[ "$k" = "$env" ] && continue
		if sops_as "$k" --decrypt "$f" >/dev/null 2>"$T/err"; then
			bad "$rel: sops decrypted it with keys/$k.agekey, another environment's key"
		else
			ok "$rel: refused by sops with keys/$k.agekey ($(grep -m1 -i 'fail\|error' "$T/err" | cut -c1-60))"
		fi
	done
done

# the tests' plaintext input, encrypted by sops in several ways
secret_yaml() { # name value
	printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\ntype: Opaque\nstringData:\n  api-service: %s\n  other: second-plain-7f3a\n' "$1" "$2"
}
value_of() { # KEY FILE: tenantc's decryption of stringData.api-service
	tc_as "$1" secret decrypt "$2" | /usr/bin/python3 -c \
		'import sys, yaml; print(yaml.safe_load(sys.stdin)["stringData"]["api-service"])'
}
mkdir -p "$T/s"
secret_yaml realm-clients by-sops-plain-7f3a >"$T/s/plain.yaml"

# 2. sops --encrypt, the way docs/secrets.md shows (encrypted_regex), and
# sops' default (every value encrypted)
sops_as admin --encrypt --age "$ADMIN" --encrypted-regex '^(data|stringData)$' \
	"$T/s/plain.yaml" >"$T/s/regex.yaml"
sops_as admin --encrypt --age "$ADMIN" --input-type yaml --output-type yaml \
	"$T/s/plain.yaml" >"$T/s/all.yaml"
sops_as admin --encrypt --age "$ADMIN" --unencrypted-suffix _unencrypted \
	"$T/s/plain.yaml" >"$T/s/suffix.yaml"
for v in regex all suffix; do
	if [ "$(value_of admin "$T/s/$v.yaml" 2>"$T/err")" = by-sops-plain-7f3a ]; then
		ok "tenantc decrypts a file sops --encrypt wrote ($v)"
	else
		bad "tenantc cannot decrypt a file sops --encrypt wrote ($v): $(head -n 2 "$T/err")"
	fi
done
# ... and renders from it: the output opens with the environment's key
copy_example "$T/repo"
mkdir -p "$T/repo/tenants/acme/secrets"
cp "$T/s/regex.yaml" "$T/repo/tenants/acme/secrets/realm-clients.yaml"
cp -R "$SRC/tenants/acme/files" "$T/repo/tenants/acme/" 2>/dev/null || true
if "$TENANTC" render --repo "$T/repo" --out "$T/repo-out" >/dev/null 2>"$T/err"; then
	f="$T/repo-out/prod/tenants/acme/secret-realm-clients.yaml"
	v=$(sops_as prod --decrypt --extract '["stringData"]["api-service"]' "$f" 2>"$T/err") || true
	[ "$v" = by-sops-plain-7f3a ] &&
		ok "render from a sops-encrypted input: sops opens the output with keys/prod.agekey" ||
		bad "render from a sops-encrypted input: sops --decrypt of the output: $(head -n 2 "$T/err")"
else
	bad "render refused an input Secret that sops encrypted: $(head -n 3 "$T/err")"
fi

# 3. sops updatekeys: a new recipient from .sops.yaml
cp "$T/s/regex.yaml" "$T/s/upd.yaml"
printf 'creation_rules:\n  - path_regex: .*\n    encrypted_regex: ^(data|stringData)$\n    age: %s,%s\n' \
	"$ADMIN" "$TESTENV" >"$T/s/.sops.yaml"
if (cd "$T/s" && sops_as admin updatekeys -y upd.yaml >/dev/null 2>"$T/err"); then
	[ "$(value_of test "$T/s/upd.yaml" 2>"$T/err")" = by-sops-plain-7f3a ] &&
		ok "tenantc decrypts with keys/test.agekey a file sops updatekeys gave that recipient" ||
		bad "after sops updatekeys, tenantc with keys/test.agekey: $(head -n 2 "$T/err")"
else
	bad "sops updatekeys failed: $(head -n 3 "$T/err")"
fi
rm -f "$T/s/.sops.yaml"

# 4. sops rotate: a new data key, and a recipient added on the way
cp "$T/s/regex.yaml" "$T/s/rot.yaml"
before=$(grep 'mac:' "$T/s/rot.yaml")
if sops_as admin rotate -i --add-age "$PROD" "$T/s/rot.yaml" 2>"$T/err"; then
	[ "$before" != "$(grep 'mac:' "$T/s/rot.yaml")" ] || bad "sops rotate did not change the file"
	for k in admin prod; do
		[ "$(value_of "$k" "$T/s/rot.yaml" 2>"$T/err")" = by-sops-plain-7f3a ] &&
			ok "tenantc decrypts with keys/$k.agekey a file sops rotate --add-age rewrote" ||
			bad "after sops rotate, tenantc with keys/$k.agekey: $(head -n 2 "$T/err")"
	done
else
	bad "sops rotate failed: $(head -n 3 "$T/err")"
fi

# 5. tenantc encrypts, sops set edits, tenantc reads back
secret_yaml realm-clients by-tenantc-plain-7f3a >"$T/s/tc-plain.yaml"
"$TENANTC" secret encrypt --age "$ADMIN" -o "$T/s/tc.yaml" "$T/s/tc-plain.yaml"
rm -f "$T/s/tc-plain.yaml"
if sops_as admin set "$T/s/tc.yaml" '["stringData"]["api-service"]' '"set-by-sops-plain-7f3a"' 2>"$T/err"; then
	[ "$(value_of admin "$T/s/tc.yaml" 2>"$T/err")" = set-by-sops-plain-7f3a ] &&
		ok "tenantc reads back a value sops set wrote into a tenantc-encrypted file" ||
		bad "tenantc after sops set: $(head -n 2 "$T/err")"
	o=$(tc_as admin secret decrypt "$T/s/tc.yaml" | /usr/bin/python3 -c \
		'import sys, yaml; print(yaml.safe_load(sys.stdin)["stringData"]["other"])')
	[ "$o" = second-plain-7f3a ] && ok "the value sops set left alone is unchanged" ||
		bad "the other value after sops set: wrong"
	sops_as admin set "$T/s/tc.yaml" '["stringData"]["added"]' '"added-plain-7f3a"' 2>"$T/err" &&
		tc_as admin secret decrypt "$T/s/tc.yaml" 2>"$T/err" | grep -q 'added: added-plain-7f3a' &&
		ok "tenantc reads a key sops set added" || bad "a key sops set added: $(head -n 2 "$T/err")"
else
	bad "sops set refused a file tenantc encrypted: $(head -n 3 "$T/err")"
fi

# 6. every kind of value both ways (base64 data, multi-line and non-ASCII
# text, empty, numbers, booleans, lists, maps) and sops' other rules for
# what to encrypt and what the MAC covers
cat >"$T/s/typed.yaml" <<'YAML'
apiVersion: v1
kind: Secret
metadata:
  name: typed
  labels: {a: "1"}
type: Opaque
data:
  b64: cGxhaW4tN2YzYQ==
stringData:
  s: "plain-7f3a"
  multi: |
    line one plain-7f3a
    line two ünïcødé ☃
  empty: ""
  num: 12
  flag: true
  list: [a, b]
  nested: {k: v}
YAML
want=$(yaml_digest <"$T/s/typed.yaml")
"$TENANTC" secret encrypt --age "$ADMIN" -o "$T/s/typed-tc.yaml" "$T/s/typed.yaml"
[ "$(sops_as admin --decrypt "$T/s/typed-tc.yaml" 2>"$T/err" | yaml_digest)" = "$want" ] &&
	ok "sops decrypts every kind of value tenantc encrypted to the original" ||
	bad "sops --decrypt of tenantc's typed file: $(head -n 2 "$T/err")"
for opts in "" "--mac-only-encrypted" "--encrypted-regex ^(data|stringData)$ --mac-only-encrypted" \
	"--unencrypted-regex ^(apiVersion|kind|metadata|type)$" "--encrypted-suffix Data"; do
	# shellcheck disable=SC2086
	sops_as admin --encrypt --age "$ADMIN" $opts "$T/s/typed.yaml" >"$T/s/typed-sops.yaml"
	[ "$(tc_as admin secret decrypt "$T/s/typed-sops.yaml" 2>"$T/err" | yaml_digest)" = "$want" ] &&
		ok "tenantc decrypts every kind of value sops --encrypt ${opts:-(defaults)} wrote" ||
		bad "tenantc on sops --encrypt ${opts:-(defaults)}: $(head -n 2 "$T/err")"
done
# comment-driven rules are refused by tenantc with a message, not misread
sops_as admin --encrypt --age "$ADMIN" --encrypted-comment-regex '^sops:enc' "$T/s/typed.yaml" >"$T/s/typed-c.yaml"
rc=0
tc_as admin secret decrypt "$T/s/typed-c.yaml" >/dev/null 2>"$T/err" || rc=$?
[ "$rc" -eq 2 ] && grep -q 'comment-driven encryption rules are not supported' "$T/err" &&
	ok "sops --encrypted-comment-regex: refused by tenantc, exit 2 ($(head -n 1 "$T/err" | sed 's/^[^ ]* error: //' | cut -c1-60))" ||
	bad "sops --encrypted-comment-regex: tenantc exit $rc: $(head -n 2 "$T/err")"
rm -f "$T/s/typed.yaml"

# 7. tampering: both must give the same verdict; a MAC mismatch is refused
# by both (sops and tenantc check the MAC over every value)
TAMPER_SRC="$T/s/regex.yaml"
tamper() { # name python-statement must-fail|may-pass: edits a copy of $TAMPER_SRC
	/usr/bin/python3 -c '
import re, sys
s = open(sys.argv[1]).read()
'"$2"'
open(sys.argv[2], "w").write(s)' "$TAMPER_SRC" "$T/s/t-$1.yaml"
	cmp -s "$TAMPER_SRC" "$T/s/t-$1.yaml" && { bad "tamper $1: the edit changed nothing"; return 0; }
	src=0
	sops_as admin --decrypt "$T/s/t-$1.yaml" >/dev/null 2>"$T/err-s" || src=$?
	trc=0
	tc_as admin secret decrypt "$T/s/t-$1.yaml" >/dev/null 2>"$T/err-t" || trc=$?
	if [ "$src" -ne 0 ] && [ "$trc" -ne 0 ]; then
		ok "tamper $1: refused by both (sops: $(grep -m1 -i 'mac\|fail\|error' "$T/err-s" | cut -c1-60); tenantc: $(head -n 1 "$T/err-t" | sed 's/^[^ ]* error: //' | cut -c1-60))"
	elif [ "$src" -eq 0 ] && [ "$trc" -eq 0 ] && [ "$3" = may-pass ]; then
		ok "tamper $1: accepted by both (the value is not covered by the MAC)"
	else
		bad "tamper $1: sops exit $src, tenantc exit $trc: $(head -n 1 "$T/err-s") / $(head -n 1 "$T/err-t")"
	fi
}
# the MAC itself: the first character of its ciphertext changed (still base64)
tamper mac 's = re.sub(r"(mac: ENC\[AES256_GCM,data:)(.)", lambda m: m.group(1) + ("B" if m.group(2) == "A" else "A"), s, count=1)' must-fail
# a whole value removed: the other still decrypts, only the MAC sees it
tamper removed 's = re.sub(r"\n *other: ENC\[[^]]*\]", "", s, count=1)' must-fail
# two encrypted values swapped: each is bound to its own path
tamper swapped 'a = re.search(r"api-service: (ENC\[[^]]*\])", s).group(1); b = re.search(r"other: (ENC\[[^]]*\])", s).group(1); s = s.replace(a, "@A@").replace(b, a).replace("@A@", b)' must-fail
# a clear value changed (metadata.name is not encrypted, but in the MAC)
tamper clear 's = s.replace("name: realm-clients", "name: realm-clientz", 1)' must-fail
# the lastmodified date the MAC is bound to
tamper date 's = re.sub(r"(lastmodified: \")[0-9]{4}", r"\g<1>2001", s, count=1)' must-fail
# the same on a Secret tenantc rendered (globex: two values)
TAMPER_SRC="$T/out/prod/tenants/globex/secret-realm-clients.yaml"
tamper rendered-mac 's = re.sub(r"(mac: ENC\[AES256_GCM,data:)(.)", lambda m: m.group(1) + ("B" if m.group(2) == "A" else "A"), s, count=1)' must-fail
tamper rendered-removed 's = re.sub(r"\n *producer: ENC\[[^]]*\]", "", s, count=1)' must-fail
tamper rendered-clear 's = s.replace("namespace: globex-prod", "namespace: acme-prod", 1)' must-fail
finish
