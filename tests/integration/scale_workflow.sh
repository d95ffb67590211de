#!/bin/sh
# scale_workflow.sh - .github/workflows/scale.yml, run here the way the
# runner runs it, on a small workload: its shape first (an 8-way matrix of
# `render --shard I/8`, one artifact per shard, a merge job that needs them
# all, no expression inside a script, a default of 100,000 tenants), then
# its jobs' scripts in order with bash -e, `actions/checkout` as the source
# tree, `uses: ./` as the tenantc under test, and the two artifact actions
# as copies into a local artifact store. The merged tree must be the
# unsharded render byte for byte (`diff -r`, checked here as well as by the
# workflow's last step), and a merge job handed a wrong shard must fail.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
if ! "$PY" -c 'import yaml' 2>/dev/null; then
	echo "SKIP: /usr/bin/python3 with PyYAML (python3-yaml) is needed to read the workflow"
	exit 77
fi
WF=$SRC/.github/workflows/scale.yml
N=${SCALE_WORKFLOW_TENANTS:-120}

cat >"$T/runner.py" <<'EOF'
# runner.py WORKFLOW check
# runner.py WORKFLOW run JOB STORE WORKSPACE TEMP TENANTC input=value [matrix=value]
# `check` prints one line per broken rule of the workflow's shape and exits 1
# if there is one. `run` runs JOB's steps (one matrix entry), printing one
# line per step; exits 1 at the first failing step.
import glob, os, re, shutil, subprocess, sys, yaml

wf_path, mode = sys.argv[1], sys.argv[2]
wf = yaml.safe_load(open(wf_path))
on = wf.get(True, wf.get("on"))  # PyYAML reads the key `on` as true
jobs = wf["jobs"]
EXPR = re.compile(r"\$\{\{(.*?)\}\}")

if mode == "check":
    bad = []
    def need(cond, what):
        if not cond:
            bad.append(what)
    for trig in ("workflow_dispatch", "workflow_call"):
        need(str(on.get(trig, {}).get("inputs", {}).get("tenants", {}).get("default")) == "100000",
             "%s: input tenants defaults to 100000" % trig)
    need(set(jobs) == {"shard", "merge"}, "the jobs are shard and merge")
    m = jobs["shard"].get("strategy", {}).get("matrix", {})
    need(m.get("shard") == list(range(1, 9)), "shard's matrix is shard: [1..8]")
    need(jobs["merge"].get("needs") in ("shard", ["shard"]), "merge needs shard")
    need(wf.get("env", {}).get("SHARDS") == "8", "env SHARDS is '8'")
    need(wf.get("permissions") == {"contents": "read"}, "the token may only read")
    runs = [s["run"] for j in jobs.values() for s in j["steps"] if "run" in s]
    need(any("--shard \"$SHARD/$SHARDS\"" in r for r in runs), "a step runs render --shard")
    need(any("tenantc merge" in r for r in runs), "a step runs tenantc merge")
    need(any("diff -r" in r for r in runs), "a step compares with diff -r")
    # the workload passes the isolation verifier (bench/scale/gen.py), so
    # every render runs it, as a user's would
    need(not any("--no-verify" in r for r in runs), "no step renders with --no-verify")
    for name, j in jobs.items():
        for k, s in enumerate(j["steps"]):
            need(("run" in s) != ("uses" in s), "%s step %d has run or uses" % (name, k))
            need(not EXPR.search(s.get("run", "")), "%s step %d: no ${{ }} in a script" % (name, k))
            u = s.get("uses", "")
            need(u in ("", "./") or re.fullmatch(r"actions/[a-z-]+@v\d+", u),
                 "%s step %d: %r is ./ or an actions/ action at a major version" % (name, k, u))
    up = [s for s in jobs["shard"]["steps"] if s.get("uses", "").startswith("actions/upload-artifact")]
    down = [s for s in jobs["merge"]["steps"] if s.get("uses", "").startswith("actions/download-artifact")]
    need(len(up) == 1 and up[0]["with"]["name"] == "shard-${{ matrix.shard }}",
         "each shard uploads one artifact shard-I")
    need(len(down) == 1 and down[0]["with"]["pattern"] == "shard-*", "merge downloads shard-*")
    for b in bad:
        print("broken: " + b)
    sys.exit(1 if bad else 0)

job, store, ws, temp, tenantc = sys.argv[3:8]
ctx = {"inputs": {}, "matrix": {}}
for a in sys.argv[8:]:
    k, v = a.split("=", 1)
    ctx[k.split(".")[0]][k.split(".")[1]] = v

def value(term):
    # the subset the workflow uses: a.b, 'literal', a || b
    term = term.strip()
    if "||" in term:
        for part in term.split("||"):
            v = value(part)
            if v not in ("", None):
                return v
        return ""
    m = re.fullmatch(r"'([^']*)'", term)
    if m:
        return m.group(1)
    scope, _, key = term.partition(".")
    if scope not in ctx:
        raise SystemExit("runner: unsupported expression %r" % term)
    return ctx[scope].get(key, "")

def subst(s):
    return EXPR.sub(lambda m: str(value(m.group(1))), str(s))

env = dict(os.environ)
os.makedirs(temp, exist_ok=True)
summary = os.path.join(temp, "summary.md")
env.update(GITHUB_WORKSPACE=ws, RUNNER_TEMP=temp, GITHUB_STEP_SUMMARY=summary,
           PATH=os.path.dirname(tenantc) + ":" + env["PATH"])
for k, v in wf.get("env", {}).items():
    env[k] = subst(v)
for k, v in jobs[job].get("env", {}).items():
    env[k] = subst(v)
src = os.environ["SRC"]
for k, step in enumerate(jobs[job]["steps"]):
    uses = step.get("uses", "")
    with_ = {a: subst(b) for a, b in step.get("with", {}).items()}
    label = "%s step %d (%s)" % (job, k, subst(step.get("name", uses or "run")))
    if uses.startswith("actions/checkout@"):
        os.makedirs(ws, exist_ok=True)
        for f in ("bench",):
            if not os.path.exists(os.path.join(ws, f)):
                os.symlink(os.path.join(src, f), os.path.join(ws, f))
    elif uses == "./":
        # the action builds tenantc and puts it on PATH: the one under test
        assert with_.get("check") == "false" and with_.get("summary") == "false", label
    elif uses.startswith("actions/upload-artifact@"):
        dst = os.path.join(store, with_["name"])
        files = glob.glob(os.path.join(ws, with_["path"]))
        if not files:
            print("FAILED " + label + ": no files at " + with_["path"])
            sys.exit(1)
        os.makedirs(dst)
        for f in files:
            shutil.copy(f, dst)
    elif uses.startswith("actions/download-artifact@"):
        pat = with_["pattern"]
        for a in sorted(glob.glob(os.path.join(store, pat))):
            shutil.copytree(a, os.path.join(ws, with_["path"], os.path.basename(a)))
    elif "run" in step:
        script = os.path.join(temp, "step%d.sh" % k)
        open(script, "w").write(step["run"])
        rc = subprocess.call(["bash", "-e", script], cwd=ws, env=env)
        if rc != 0:
            print("FAILED %s: exit status %d" % (label, rc))
            sys.exit(1)
    else:
        raise SystemExit("runner: unsupported step %r" % step)
    print("done " + label)
EOF

run "$PY" "$T/runner.py" "$WF" check
expect "the workflow has the shape the docs describe" 'expect_status 0'
[ "$PASS" = 1 ] || cat "$T/stdout"

# the eight shard jobs, each in a workspace of its own, one artifact store
i=1
while [ "$i" -le 8 ]; do
	run "$PY" "$T/runner.py" "$WF" run shard "$T/store" "$T/ws$i" "$T/tmp$i" "$TENANTC" \
		inputs.tenants="$N" matrix.shard="$i"
	expect "shard job $i/8 renders and uploads its tree" \
		'expect_status 0 && [ -s "$T/store/shard-$i/shard-$i.tar" ]'
	i=$((i + 1))
done
run "$PY" "$T/runner.py" "$WF" run merge "$T/store" "$T/wsm" "$T/tmpm" "$TENANTC" inputs.tenants="$N"
expect "the merge job merges the shards and finds them equal to one render" \
	'expect_status 0 && expect_stdout_has "merged == merged --move == single render"'
grep -q "| tenantc merge |" "$T/tmpm/summary.md" && grep -q "| tenantc merge --move |" "$T/tmpm/summary.md" && ok "the merge job times the merge and its floor" ||
	bad "no timing in the job summary"

# checked here too, not only by the workflow's own step
"$TENANTC" render --repo "$T/tmpm/work/tenantc" --out "$T/single" >/dev/null
files=$(find "$T/single" -type f | wc -l)
if diff -r "$T/single" "$T/tmpm/merged" >"$T/diff" && diff -r "$T/single" "$T/tmpm/merged-move" >>"$T/diff" &&
	[ "$files" -gt $((N * 14)) ]; then
	ok "8 shards of $N tenants, merged and merged --move, are one render, byte for byte ($files files)"
else
	bad "merged shards differ from one render ($files files): $(head -5 "$T/diff")"
fi
# every tenant is in exactly one shard
t=$(for i in 1 2 3 4 5 6 7 8; do tar -tf "$T/store/shard-$i/shard-$i.tar"; done |
	sed -n 's|^\./prod/tenants/\(t[0-9]*\)/namespace-.*|\1|p' | sort | uniq -c | awk '$1 == 1' | wc -l)
expect "the shards split the $N tenants between them" '[ "$t" = "$N" ]'

# a wrong shard: shard 8's artifact holds shard 7's tree
cp -R "$T/store" "$T/store-bad"
rm "$T/store-bad/shard-8/shard-8.tar"
cp "$T/store/shard-7/shard-7.tar" "$T/store-bad/shard-8/shard-8.tar"
run "$PY" "$T/runner.py" "$WF" run merge "$T/store-bad" "$T/wsb" "$T/tmpb" "$TENANTC" inputs.tenants="$N"
expect "a merge missing a shard's tenants fails the byte-for-byte step" \
	'expect_status 1 && expect_stdout_has "FAILED merge step 6 (The merged tree is the unsharded render"'
finish
