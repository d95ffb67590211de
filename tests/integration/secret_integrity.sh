#!/bin/sh
# Integrity without an identity (issue 21, item 4: "a flipped ciphertext
# byte in an input Secret passes render and check without an identity").
# Every rendered Secret records the SHA-256 of its whole input file in the
# annotation tenantc.io/source-digest; carry-over and check compare it with
# the input, so any changed byte of an input Secret is a change: without an
# identity an error naming the file, with one a re-encryption (or, for a
# damaged file, a decryption error). rendered/ is never touched by a failed
# render, and a restored input renders the same bytes again.
. "$(dirname "$0")/lib.sh"
KEY="$SRC/keys/admin.agekey"
R="$T/r"
F=tenants/acme/secrets/realm-clients.yaml

copy_example "$R"
"$TENANTC" render --repo "$R" >/dev/null 2>"$T/err" || { bad "render with the key: $(cat "$T/err")"; finish; }
git_commit_all "$R"
before=$(tree_sum "$R/rendered")
cp "$R/$F" "$T/keep"
digest=$(sha256sum "$R/$F" | cut -d' ' -f1)
if grep -q "^        tenantc.io/source-digest: \"sha256:$digest\"\$" \
	"$R/rendered/prod/tenants/acme/secret-realm-clients.yaml"; then
	ok "the rendered Secret records the SHA-256 of its input file"
else
	bad "no source digest in the rendered Secret"
fi

# flip the character right after the first occurrence of prefix $1 in $F
flip() {
	awk -v pre="$1" '!done && index($0, pre) {
		i = index($0, pre) + length(pre); c = substr($0, i, 1)
		$0 = substr($0, 1, i - 1) (c == "A" ? "B" : "A") substr($0, i + 1); done = 1
	} { print }' "$T/keep" >"$R/$F"
	[ "$(cmp -l "$T/keep" "$R/$F" | wc -l)" -eq 1 ] || bad "flip '$1' did not change one byte"
}

# without an identity: render (exit 2) and check (exit 1, a finding: what
# render calls bad input is a finding of check) fail naming the file, and
# rendered/ stays as it was
without() { # what, expected message (a BRE)
	what=$1 msg=$2
	run env -u SOPS_AGE_KEY_FILE "$TENANTC" render --repo "$R"
	expect "$what: render without an identity fails naming the file" 'expect_status 2 &&
		grep -q "^$F:1:1: error: .*cannot be rendered without an age identity: $msg" "$T/stderr" &&
		expect_tree_sum "$R/rendered" "$before"'
	run env -u SOPS_AGE_KEY_FILE "$TENANTC" check --repo "$R" --worktree
	expect "$what: check without an identity reports it (exit 1)" 'expect_status 1 &&
		grep -q "^$F:1:1: error: .*$msg" "$T/stderr" && ! grep -q "up to date" "$T/stdout"'
	# the index too, as a pre-commit hook checks it
	(cd "$R" && git add -A)
	run env -u SOPS_AGE_KEY_FILE "$TENANTC" check --repo "$R"
	expect "$what: check of the index reports it" 'expect_status 1 && grep -q "^$F:1:1: error: " "$T/stderr"'
	(cd "$R" && git reset -q)
}

# with the identity, a file that still decrypts is re-encrypted: into
# another folder, only the source digest and the mac of the Secrets differ
# (the realm's reconcile Job and the ExternalSecret of the client secrets
# are named after the digest, so they get new names: docs/keycloak.md)
reencrypted() { # what
	rm -rf "$T/again"
	run "$TENANTC" render --repo "$R" --out "$T/again"
	(cd "$R/rendered" && find . -name 'secret-*.yaml' | LC_ALL=C sort) | while read -r f; do
		diff "$R/rendered/$f" "$T/again/$f"
	done | grep '^[<>]' | sed 's/:.*//' | LC_ALL=C sort -u >"$T/lines"
	expect "$1, with the identity: re-encrypted, only the source digest and the mac change" \
		'expect_status 0 && { [ "$(printf "%s\n" "$@")" = "$(cat "$T/lines")" ] ||
			{ why="$(cat "$T/lines")"; false; }; }' \
		'<         tenantc.io/source-digest' '<     mac' '>         tenantc.io/source-digest' '>     mac'
}

# with the identity: a damaged file fails to decrypt, naming it
with_key() { # what, expected message (a BRE)
	what=$1 msg=$2
	run "$TENANTC" render --repo "$R"
	expect "$what: render with the identity fails" 'expect_status 2 &&
		grep -q "^$F:[0-9]*:[0-9]*: error: $msg" "$T/stderr" && expect_tree_sum "$R/rendered" "$before"'
}

changed="its file changed (sha256:[0-9a-f]*, rendered from sha256:$digest)"

flip "api-service: ENC[AES256_GCM,data:"
without "a flipped byte in a value's ciphertext" "$changed"
with_key "a flipped byte in a value's ciphertext" \
	"cannot decrypt a value of '$F': authentication failed"

flip "    mac: ENC[AES256_GCM,data:"
without "a flipped byte in sops.mac" "$changed"
with_key "a flipped byte in sops.mac" "cannot decrypt the MAC of '$F'"

# prod's age entry (the second): the admin identity still opens the file,
# so the Secret is re-encrypted; without one it is a change like any other
flip "            YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBSaWxl"
without "a flipped byte in another recipient's age entry" "$changed"
reencrypted "a flipped byte in another recipient's age entry"

# comments and trailing blank lines are not part of the MAC, but they are
# a change of the file
cp "$T/keep" "$R/$F"
printf '# rotated by ops\n' >>"$R/$F"
without "an added comment" "$changed"
reencrypted "an added comment"
cp "$T/keep" "$R/$F"
printf '\n' >>"$R/$F"
without "an added blank line" "$changed"

# restored: carried over without an identity, byte-identical, in sync
cp "$T/keep" "$R/$F"
run env -u SOPS_AGE_KEY_FILE "$TENANTC" render --repo "$R"
expect "the restored file renders without an identity, byte-identical" \
	'expect_status 0 && expect_tree_sum "$R/rendered" "$before"'
run env -u SOPS_AGE_KEY_FILE "$TENANTC" check --repo "$R" --worktree
expect "check of the restored file: up to date" 'expect_status 0 && expect_stdout "up to date"'
"$TENANTC" render --repo "$R" >/dev/null 2>"$T/err"
[ "$(tree_sum "$R/rendered")" = "$before" ] && ok "and with the identity, byte-identical" ||
	bad "restored, with the identity: the tree changed"

# an earlier output that records no digest (an older tenantc made it) is
# not carried over: nothing shows which input it was made from
out=rendered/prod/tenants/acme/secret-realm-clients.yaml
grep -v 'tenantc.io/source-digest\|^    annotations:$' "$R/$out" >"$T/old"
cp "$T/old" "$R/$out"
before=$(tree_sum "$R/rendered")
without "an earlier output without a digest" \
	"the earlier output 'prod/tenants/acme/secret-realm-clients.yaml' does not record the input"
"$TENANTC" render --repo "$R" >/dev/null 2>"$T/err" &&
	grep -q "tenantc.io/source-digest: \"sha256:$digest\"" "$R/$out" &&
	ok "one render with the identity adds the digest" || bad "render with the identity: $(head -n 2 "$T/err")"
finish
