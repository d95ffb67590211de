#!/bin/sh
# tests/integration/options.sh - a catalogue of bad option values, one line
# each: the command exits 2 and the first line of stderr is exactly the one
# given, in the documented form ("--jobs: error: ..." for a bad value,
# "tenantc: error: ..." otherwise). Issue 21 item 5 found `render --now
# garbage`, `--jobs 0` and `--jobs -1` accepted, and a full disk printing one
# error per file; the good values that must keep working follow the bad ones.
. "$(dirname "$0")/lib.sh"

R="$T/repo"
copy_example "$R"
git_commit_all "$R"
cd "$R"

# refuse 'FIRST STDERR LINE' ARGS...: tenantc ARGS exits 2 and says that
refuse() {
	want=$1
	shift
	run "$TENANTC" "$@" </dev/null
	expect "tenantc $* exits 2" 'expect_status 2 && expect_stderr_first "$want" && expect_stdout_empty'
}

now_msg="is not an RFC 3339 time like 2026-01-02T03:04:05Z"
jobs_msg="is not a number of threads between 1 and 1024"
shard_msg="is not I/N with 1 <= I <= N"
label_msg="is not a DNS-1123 label (at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit)"
empty="needs a value, not an empty string"
out="$T/never"

# render: --now
refuse "--now: error: 'garbage' $now_msg" render --now garbage --out "$out"
refuse "--now: error: '2026-01-02' $now_msg" render --now 2026-01-02 --out "$out"
refuse "--now: error: '2026-01-02T03:04:05' $now_msg" render --now 2026-01-02T03:04:05 --out "$out"
refuse "--now: error: '2026-13-02T03:04:05Z' $now_msg" render --now 2026-13-02T03:04:05Z --out "$out"
refuse "--now: error: '2026-02-30T03:04:05Z' $now_msg" render --now 2026-02-30T03:04:05Z --out "$out"
refuse "--now: error: '2026-01-02T03:04:05Zjunk' $now_msg" render --now 2026-01-02T03:04:05Zjunk --out "$out"
refuse "--now: error: $empty" render --now= --out "$out"
# render: --jobs
for j in 0 -1 abc 1025 99999999999999999999 +4 " 4" 4k 0x10 1.5; do
	refuse "--jobs: error: '$j' $jobs_msg" render --jobs "$j" --out "$out"
done
refuse "--jobs: error: '0' $jobs_msg" render -j 0 --out "$out"
refuse "--jobs: error: '0' $jobs_msg" render --jobs=0 --out "$out"
refuse "--jobs: error: $empty" render --jobs "" --out "$out"
refuse "tenantc: error: '--jobs' needs a value" render --out "$out" --jobs
# render: --shard
for s in 0/2 3/2 1/0 0/0 1/2x x1/2 +1/2 -1/2 " 1/2" "1/ 2" 1 1/ /2 1/2/3 \
	1/99999999999999999999 99999999999999999999/1; do
	refuse "--shard: error: '$s' $shard_msg" render --shard "$s" --out "$out"
done
refuse "--shard: error: $empty" render --shard "" --out "$out"
# render: --env and --tenant are DNS-1123 labels; a valid name that does not
# exist keeps the error it had
refuse "--env: error: 'Prod' $label_msg" render --env Prod --out "$out"
refuse "--env: error: 'a_b' $label_msg" render --env a_b --out "$out"
refuse "--env: error: '-prod' $label_msg" render --env -prod --out "$out"
refuse "--env: error: '../prod' $label_msg" render --env ../prod --out "$out"
refuse "--env: error: $empty" render --env "" --out "$out"
refuse "--tenant: error: 'Acme' $label_msg" render --tenant Acme --out "$out"
refuse "--tenant: error: 'acme.corp' $label_msg" render -t acme.corp --out "$out"
refuse "--tenant: error: $empty" render --tenant= --out "$out"
refuse "tenantc: error: unknown environment 'nope'; the environments: prod, test" render --env nope --out "$out"
refuse "tenants/nobody/tenant.yaml:1:1: error: unknown tenant 'nobody': there is no tenants/nobody/tenant.yaml; the tenants: acme, globex, initech" \
	render --tenant nobody --out "$out"
# render: paths and the rest
refuse "--repo: error: $empty" render --repo "" --out "$out"
refuse "--repo: error: $empty" render -C "" --out "$out"
refuse "--out: error: $empty" render --out ""
refuse "--schema-location: error: $empty" render --schema-location "" --out "$out"
refuse "--rev: error: $empty" render --rev "" --out "$out"
refuse "--folder: error: 'tenant' is not cluster, platform, gitops or tenants" render --stdout --folder tenant
refuse "--folder: error: only goes with --stdout" render --folder tenants --out "$out"
refuse "--decrypt: error: only goes with --stdout" render --decrypt --out "$out"
refuse "tenantc: error: choose one of --out and --stdout" render --stdout --out "$out"
refuse "tenantc: error: choose one of --rev, --index and --worktree" render --index --worktree --out "$out"
refuse "tenantc: error: unexpected argument 'extra'" render extra --out "$out"
refuse "tenantc: error: argument 3 is an empty string" render --out "$out" ""
refuse "tenantc: error: '--strict' takes no value" render --strict=yes --out "$out"
refuse "tenantc: error: unknown option '--bogus'" render --bogus
refuse "tenantc: error: unknown option '-x'" render -x
# check
refuse "--jobs: error: '0' $jobs_msg" check --jobs 0
refuse "--jobs: error: '-1' $jobs_msg" check --jobs -1
refuse "--now: error: 'garbage' $now_msg" check --now garbage
refuse "--repo: error: $empty" check --repo ""
refuse "--schema-location: error: $empty" check --schema-location ""
refuse "--repo: error: no repository folder '$T/nothing'" check --repo "$T/nothing"
refuse "tenantc: error: unexpected argument 'extra'" check extra
refuse "--format: error: 'yaml' is not text or json" check --format yaml
refuse "--format: error: $empty" check --format ""
mkdir "$T/plain"
refuse "tenantc: error: cannot read the index: '$T/plain' is not in a git repository" check --repo "$T/plain"
sed -n 2p "$T/stderr" | grep -qx "tenantc: note: the default is to check the git index; give --worktree to check a folder outside git" &&
	ok "... with a note on --worktree" || bad "check outside git: no note ($(cat "$T/stderr"))"
# diff
refuse "--jobs: error: '0' $jobs_msg" diff HEAD --jobs 0
refuse "--jobs: error: '2k' $jobs_msg" diff HEAD -j 2k
refuse "--env: error: 'Prod' $label_msg" diff HEAD --env Prod
refuse "--tenant: error: 'my_shop' $label_msg" diff HEAD --tenant my_shop
refuse "--format: error: 'yaml' is not text, markdown or json" diff HEAD --format yaml
refuse "--color: error: 'sometimes' is not auto, always or never" diff HEAD --color sometimes
refuse "--repo: error: $empty" diff HEAD --repo ""
refuse "tenantc: error: give the revision to compare with" diff
refuse "tenantc: error: argument 1 is an empty string" diff ""
# validate
refuse "--repo: error: $empty" validate --repo ""
refuse "--schema-location: error: $empty" validate --schema-location ""
refuse "--schema: error: $empty" validate --schema "" x.yaml
refuse "--schema: error: needs at least one FILE to validate" validate --schema schemas/tenant.schema.json
refuse "--kubernetes-version: error: $empty" validate --kubernetes-version ""
# cel
refuse "--max-cost: error: 'many' is not a whole number" cel 1 --max-cost many
refuse "--max-cost: error: must not be negative" cel 1 --max-cost -1
refuse "--context: error: $empty" cel 1 --context ""
refuse "tenantc: error: expected exactly one EXPR" cel
# eval
echo '{"$eval": "now"}' >"$T/t.json"
refuse "--now: error: 'garbage' $now_msg" eval "$T/t.json" --now garbage
refuse "--now: error: '1700000000' $now_msg" eval "$T/t.json" --now 1700000000
refuse "--format: error: 'xml' is not json or yaml" eval "$T/t.json" --format xml
refuse "--context: error: $empty" eval "$T/t.json" --context ""
refuse "--files: error: $empty" eval "$T/t.json" --files ""
refuse "tenantc: error: expected exactly one TEMPLATE" eval
# secret
refuse "--repo: error: $empty" secret encrypt --repo "" x.yaml
refuse "--output: error: $empty" secret encrypt -o "" x.yaml
refuse "--age: error: $empty" secret encrypt --age "" x.yaml
refuse "--repo: error: $empty" secret edit --repo "" x.yaml
refuse "--repo: error: $empty" secret updatekeys --repo "" x.yaml
refuse "--output: error: $empty" secret keygen -o ""
refuse "tenantc: error: unexpected argument 'extra'" secret keygen extra
refuse "tenantc: error: give one FILE to encrypt" secret encrypt
refuse "tenantc: error: give one FILE to decrypt" secret decrypt
refuse "tenantc: error: give one FILE to edit" secret edit
refuse "tenantc: error: give at least one FILE" secret updatekeys
refuse "tenantc: error: argument 1 is an empty string" secret decrypt ""
refuse "tenantc: error: 'rotate' is not a secret command" secret rotate
# merge
refuse "--out: error: $empty" merge --out "" "$T/s1"
refuse "tenantc: error: give --out DIR" merge "$T/s1"
refuse "tenantc: error: give at least one SHARD folder" merge --out "$out"
# init
refuse "--env: error: 'Prod' $label_msg" init "$T/new" --env Prod
refuse "--tenant: error: 'my_shop' $label_msg" init "$T/new" --tenant my_shop
refuse "--gitops: error: 'jenkins' is not flux or argocd" init "$T/new" --gitops jenkins
refuse "--domain: error: $empty" init "$T/new" --domain ""
refuse "--repo-url: error: $empty" init "$T/new" --repo-url ""
refuse "tenantc: error: missing the folder to create" init
# the rest
refuse "tenantc: error: 'bogus' is not a tenantc command" bogus
refuse "tenantc: error: unexpected argument 'extra'" version extra
refuse "tenantc: error: give at least one CRD file" schema import
[ ! -e "$out" ] && [ ! -e "$T/new" ] && ok "no refused command created anything" ||
	bad "a refused command created $out or $T/new"

# good values keep working
run_ok() { # NAME ARGS...
	name=$1
	shift
	run "$TENANTC" "$@"
	expect "$name" 'expect_status 0'
}
run_ok "render --jobs 1 --now 2026-01-02T03:04:05Z" render --jobs 1 --now 2026-01-02T03:04:05Z --out "$T/a"
run_ok "render --jobs 1024 --now with an offset and a fraction" \
	render --jobs 1024 --now 2026-01-02T04:04:05.5+01:00 --out "$T/b"
run_ok "render --shard 1/2" render --shard 1/2 --out "$T/s1"
run_ok "render --shard 2/2 --jobs=2" render --shard 2/2 --jobs=2 --out "$T/s2"
run_ok "merge --out of the two shards" merge --out "$T/m" "$T/s1" "$T/s2"
run_ok "render --env prod --tenant acme --stdout --folder tenants" \
	render --env prod --tenant acme --stdout --folder tenants
grep -q '^kind: ' "$T/stdout" && ok "... prints the tenant's objects" || bad "no objects for --env prod --tenant acme"
run_ok "render -j 2 into the repository" render -j 2
(git add -A && git commit -q -m rendered) >/dev/null
run_ok "check --jobs 1" check --jobs 1
run_ok "diff HEAD --jobs 1 --format json --color never" diff HEAD --jobs 1 --format json --color never
run_ok "eval --now 2026-01-02T03:04:05Z --format json" eval "$T/t.json" --now 2026-01-02T03:04:05Z --format json
[ "$(cat "$T/stdout")" = '"2026-01-02T03:04:05.000Z"' ] && ok "... and the template sees that time" ||
	bad "eval --now: '$(cat "$T/stdout")'"
run_ok "init --env staging --tenant shop --gitops argocd" \
	init "$T/new" --env staging --tenant shop --gitops argocd

# A file system that fills up: the same error for every file is one line
# with a count. A file size limit of 0 makes every write fail with EFBIG
# (SIGXFSZ ignored), without root; stderr is a pipe, which the limit spares.
(
	rc=0
	(trap '' XFSZ && ulimit -f 0 && exec "$TENANTC" render --out "$T/full" >/dev/null) 2>&1 || rc=$?
	echo "$rc" >"$T/rc"
) | cat >"$T/err"
rc=$(cat "$T/rc")
if [ "$rc" = 3 ] && [ "$(wc -l <"$T/err")" -eq 1 ] &&
	grep -Eq "^tenantc: error: cannot write '.*': File too large \(and [0-9]+ more like this\)$" "$T/err"; then
	ok "a file size limit is one error line with a count"
else
	bad "file size limit: exit $rc, $(wc -l <"$T/err") lines: $(head -n 3 "$T/err")"
fi
# the same with a real full disk: a 32 KiB tmpfs, when we may mount one
if [ "$(id -u)" = 0 ] && mkdir "$T/mnt" && mount -t tmpfs -o size=32k tmpfs "$T/mnt" 2>/dev/null; then
	trap 'umount "$T/mnt" 2>/dev/null || true; rm -rf "$T"' EXIT
	rc=0
	"$TENANTC" render --out "$T/mnt/out" >/dev/null 2>"$T/err" || rc=$?
	umount "$T/mnt"
	if [ "$rc" = 3 ] && [ "$(grep -c 'No space left on device' "$T/err")" -eq 1 ] &&
		grep -Eq "No space left on device \(and [0-9]+ more like this\)$" "$T/err"; then
		ok "a full disk is one 'No space left on device' line with a count"
	else
		bad "full disk: exit $rc: $(head -n 3 "$T/err")"
	fi
else
	echo "SKIP a full tmpfs (needs root and mount)"
fi
finish
