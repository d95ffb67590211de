# tests/integration/lib.sh - helpers for the shell tests (sourced).
# Every test gets TENANTC (the binary), SRC (the project root) and a private
# temporary folder that is removed on exit. Git never reads the user's or
# the system's configuration. Cases are written with run and expect (below);
# ok, bad and finish count them.
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
	for f in tenantc.yaml environments tenants templates schemas files; do
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

# The assertion vocabulary, in the spirit of git's test-lib.sh. A case is
# one `run` and one `expect`, and counts once:
#
#	run "$TENANTC" render --out .
#	expect "--out ." 'expect_status 2 && expect_stderr_line "error: refusing"'
#
# run CMD...: run CMD with its standard output in $T/stdout, its standard
# error in $T/stderr and its exit status in $status; never stops the script
run() {
	status=0
	"$@" >"$T/stdout" 2>"$T/stderr" || status=$?
	return 0
}

# expect WHAT CHECKS [ARG...]: evaluate CHECKS, an &&-list of the expect_*
# tests below or of any commands, with ARG... as its "$@"; `ok WHAT` when
# it holds, else `bad WHAT` with the reason the failing test gave. Write
# CHECKS in single quotes: it is evaluated here, after run.
expect() {
	_what=$1 _checks=$2
	shift 2
	why=
	if eval "$_checks"; then ok "$_what"; else bad "$_what: ${why:-this does not hold: $_checks}"; fi
}

# The tests: each returns 1 and says why in $why when it does not hold.
_err_head() { head -n 3 "$T/stderr" | tr '\n' ' '; }
# expect_status N...: the last run exited with one of N...
expect_status() {
	for _s in "$@"; do [ "$status" -eq "$_s" ] && return 0; done
	why="exit status $status, want $*: $(_err_head)"
	return 1
}
# expect_failure: the last run exited with a status other than 0
expect_failure() {
	[ "$status" -ne 0 ] && return 0
	why="exit status 0, want a failure"
	return 1
}
# expect_stderr_line ERE: the first line of stderr matches ERE
expect_stderr_line() {
	head -n 1 "$T/stderr" | grep -Eq -- "$1" && return 0
	why="first stderr line '$(head -n 1 "$T/stderr")' does not match '$1'"
	return 1
}
# expect_stderr_first TEXT: the first line of stderr is exactly TEXT
expect_stderr_first() {
	[ "$(head -n 1 "$T/stderr")" = "$1" ] && return 0
	why="first stderr line '$(head -n 1 "$T/stderr")', want '$1'"
	return 1
}
# expect_stderr ERE / expect_stdout ERE: some line matches ERE
expect_stderr() {
	grep -Eq -- "$1" "$T/stderr" && return 0
	why="stderr does not match '$1': $(_err_head)"
	return 1
}
expect_stdout() {
	grep -Eq -- "$1" "$T/stdout" && return 0
	why="stdout does not match '$1': $(head -n 3 "$T/stdout" | tr '\n' ' ')"
	return 1
}
# expect_stdout_has TEXT...: stdout holds each TEXT (fixed strings)
expect_stdout_has() {
	for _s in "$@"; do
		grep -qF -- "$_s" "$T/stdout" && continue
		why="no '$_s' in the output: $(head -n 40 "$T/stdout")"
		return 1
	done
}
expect_stdout_empty() {
	[ ! -s "$T/stdout" ] && return 0
	why="printed to standard output: $(head -n 2 "$T/stdout" | tr '\n' ' ')"
	return 1
}
expect_stderr_empty() {
	[ ! -s "$T/stderr" ] && return 0
	why="stderr is not empty: $(_err_head)"
	return 1
}
# expect_not_printed BRE: neither stdout nor stderr holds BRE (a secret)
expect_not_printed() {
	grep -q -- "$1" "$T/stdout" "$T/stderr" || return 0
	why="'$1' was printed"
	return 1
}
# expect_tree_sum DIR SUM: DIR's tree_sum is SUM (nothing in it changed)
expect_tree_sum() {
	[ "$(tree_sum "$1")" = "$2" ] && return 0
	why="'$1' changed"
	return 1
}
# expect_file_absent PATH
expect_file_absent() {
	[ ! -e "$1" ] && [ ! -L "$1" ] && return 0
	why="'$1' exists"
	return 1
}
# expect_no_leftover DIR: no temporary tree of a render (*.tmp-*) in DIR
expect_no_leftover() {
	ls -a "$1" | grep -q '\.tmp-' || return 0
	why="a temporary folder was left behind in '$1'"
	return 1
}

# job_schemas UPSTREAM OUT: ../shared/schemas-upstream has no schema of the
# Job (batch/v1) that the realm reconcile templates render; write one into
# OUT, in kubeconform's layout, for every Kubernetes version UPSTREAM has:
# the upstream CronJob schema's spec.jobTemplate (a JobTemplateSpec: the
# Job's metadata and spec, the same definitions), with apiVersion, kind and
# status. Print OUT, for a second --schema-location.
job_schemas() {
	/usr/bin/python3 - "$1" "$2" <<'PY'
import glob, json, os, sys
up, out = sys.argv[1:3]
for cj in sorted(glob.glob(os.path.join(up, "kubernetes", "*", "cronjob-batch-v1.json"))):
    d = json.load(open(cj))
    jt = d["properties"]["spec"]["properties"]["jobTemplate"]
    job = {k: v for k, v in d.items() if k not in ("properties", "description", "required")}
    job["description"] = "Job (batch/v1), from the CronJob schema's jobTemplate: " + \
        jt.get("description", "")
    job["properties"] = {"apiVersion": d["properties"]["apiVersion"],
                         "kind": dict(d["properties"]["kind"], enum=["Job"]),
                         "metadata": jt["properties"]["metadata"],
                         "spec": jt["properties"]["spec"],
                         "status": {"type": "object"}}
    job["x-kubernetes-group-version-kind"] = [{"group": "batch", "kind": "Job", "version": "v1"}]
    o = os.path.join(out, "kubernetes", os.path.basename(os.path.dirname(cj)))
    os.makedirs(o, exist_ok=True)
    json.dump(job, open(os.path.join(o, "job-batch-v1.json"), "w"), indent=1, sort_keys=True)
PY
	echo "$2"
}

# same_as_uncached: the last run's status and stderr are an uncached
# render's of the same revision (HEAD) into another folder, $T/ref
same_as_uncached() {
	cp "$T/stderr" "$T/stderr.cached"
	s=$status
	rm -rf "$T/ref"
	run env TENANTC_CACHE=off "$TENANTC" render --rev HEAD --out "$T/ref"
	[ "$s" = "$status" ] && cmp -s "$T/stderr" "$T/stderr.cached" && return 0
	why="cached: exit $s, $(head -n 2 "$T/stderr.cached" | tr '\n' ' '); uncached: exit $status, $(_err_head)"
	return 1
}
