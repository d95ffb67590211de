# tests/integration/lib.sh - helpers for the shell tests (sourced).
# Every test gets TENANTC (the binary), SRC (the project root) and a private
# temporary folder that is removed on exit. Git never reads the user's or
# the system's configuration.
set -eu
TENANTC=${TENANTC:?TENANTC is not set}
SRC=${SRC:?SRC is not set}
T=$(mktemp -d "${TMPDIR:-/tmp}/tenantc-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
export HOME="$T/home" GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
mkdir -p "$HOME"
export GIT_AUTHOR_NAME=tenantc GIT_AUTHOR_EMAIL=tenantc@example.com
export GIT_COMMITTER_NAME=tenantc GIT_COMMITTER_EMAIL=tenantc@example.com
export GIT_AUTHOR_DATE="2026-01-02T03:04:05Z" GIT_COMMITTER_DATE="2026-01-02T03:04:05Z"
# the example's Secrets are encrypted to this published test identity; a
# test that needs no identity unsets it
export SOPS_AGE_KEY_FILE="$SRC/keys/admin.agekey"
unset SOPS_AGE_KEY
PASS=0
FAIL=0

ok() { PASS=$((PASS + 1)); echo "ok   $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $*"; }
finish() {
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
}

# copy the example repository's inputs into $1
copy_example() {
	mkdir -p "$1"
	for f in tenantc.yaml environments tenants templates schemas; do
		[ -e "$SRC/$f" ] && cp -R "$SRC/$f" "$1/"
	done
	return 0
}

git_commit_all() { # dir
	(cd "$1" && git init -q -b main . && git add -A && git commit -q -m init)
}

tree_sum() { # dir -> one checksum over every path and content
	(cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum) |
		sha256sum | cut -d' ' -f1
}
