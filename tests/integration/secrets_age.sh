#!/bin/sh
# Interoperability with Debian's age and age-keygen: an identity from
# age-keygen works in tenantc, tenantc's identity files work in age, every
# data key tenantc wraps opens with `age -d`, and a data key wrapped by
# `age -e` opens in tenantc. SKIP (77) without the binaries.
. "$(dirname "$0")/lib.sh"
if ! command -v age >/dev/null 2>&1 || ! command -v age-keygen >/dev/null 2>&1; then
	echo "SKIP: age/age-keygen are not installed; the age interop test did not run"
	exit 77
fi
cd "$T"
age-keygen -o ak.txt 2>/dev/null
"$TENANTC" secret keygen -o tk.txt 2>/dev/null
AK=$(age-keygen -y ak.txt)
TK=$("$TENANTC" secret keygen -y tk.txt)

if [ "$("$TENANTC" secret keygen -y ak.txt)" = "$AK" ] && [ "$(age-keygen -y tk.txt)" = "$TK" ]; then
	ok "both tools derive the same recipients from each other's key files"
else bad "recipients differ"; fi
if [ "$(stat -c %a tk.txt)" = 600 ] && grep -q '^# public key: age1' tk.txt; then
	ok "tenantc secret keygen writes age-keygen's format, mode 0600"
else bad "key file format or mode"; fi

printf 'hello from age\n' >msg
age -e -r "$TK" -o msg.age msg
if [ "$(age -d -i tk.txt msg.age)" = "hello from age" ]; then
	ok "age decrypts with tenantc's identity file"
else bad "age cannot use tenantc's identity"; fi

cat >plain.yaml <<'YAML'
apiVersion: v1
kind: Secret
metadata:
  name: db
stringData:
  password: from-age-keygen-key
YAML
"$TENANTC" secret encrypt --age "$AK" --age "$TK" -o enc.yaml plain.yaml
if SOPS_AGE_KEY_FILE="$T/ak.txt" "$TENANTC" secret decrypt enc.yaml | grep -q 'password: from-age-keygen-key'; then
	ok "an age-keygen identity decrypts in tenantc"
else bad "age-keygen identity not usable in tenantc"; fi

# armor N of a SOPS file, unindented
armor() { awk -v n="$2" '/-----BEGIN AGE ENCRYPTED FILE-----/ { k++ } k == n && !done { sub(/^ +/, ""); print } /-----END AGE ENCRYPTED FILE-----/ && k == n { done = 1 }' "$1"; }
armor enc.yaml 1 >e1.age
armor enc.yaml 2 >e2.age
n1=$(age -d -i ak.txt e1.age 2>/dev/null | wc -c || true)
n2=$(age -d -i tk.txt e2.age 2>/dev/null | wc -c || true)
[ -s e1.age ] || n1=0
if age -d -i ak.txt e1.age >dk1 2>/dev/null || age -d -i ak.txt e2.age >dk1 2>/dev/null; then :; fi
if age -d -i tk.txt e1.age >dk2 2>/dev/null || age -d -i tk.txt e2.age >dk2 2>/dev/null; then :; fi
if [ "$(wc -c <dk1)" -eq 32 ] && cmp -s dk1 dk2; then
	ok "age -d opens both of tenantc's entries to the same 32-byte data key ($n1/$n2)"
else bad "age could not open tenantc's age entries"; fi

# the other way round: rewrap the data key with `age -e` for a fresh
# tenantc identity and put it in place of the first entry
"$TENANTC" secret keygen -o new.txt 2>/dev/null
NEW=$("$TENANTC" secret keygen -y new.txt)
age -e -a -r "$NEW" -o rewrapped.age dk1
awk -v new="$NEW" -v file="rewrapped.age" '
	/-----BEGIN AGE ENCRYPTED FILE-----/ { k++ }
	k == 1 && !done && /-----BEGIN/ { ind = $0; sub(/-.*/, "", ind); while ((getline l < file) > 0) print ind l; skip = 1; next }
	skip && /-----END AGE ENCRYPTED FILE-----/ { skip = 0; done = 1; next }
	skip { next }
	done == 1 && /recipient: / { sub(/age1[0-9a-z]+/, new); done = 2 }
	{ print }' enc.yaml >rewrapped.yaml
if SOPS_AGE_KEY_FILE="$T/new.txt" "$TENANTC" secret decrypt rewrapped.yaml 2>"$T/err" | grep -q 'password: from-age-keygen-key'; then
	ok "tenantc opens a data key wrapped by the age binary"
else bad "tenantc cannot open age's wrapping: $(cat "$T/err")"; fi
finish
