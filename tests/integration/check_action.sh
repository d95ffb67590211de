#!/bin/sh
# action.yml, run step by step the way a GitHub runner runs a composite
# action: inputs with their defaults (expressions evaluated against the
# event), `if:` conditions, `env:`, `shell: bash` as bash -e -o pipefail,
# GITHUB_PATH, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, a job that
# fails when a step fails. The install step is not run (it is apt on the
# runner); its packages must exist here. The build step builds tenantc
# from this source tree, as the runner builds it from the action's
# checkout.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
if ! "$PY" -c 'import yaml' 2>/dev/null; then
	echo "SKIP: /usr/bin/python3 with PyYAML (python3-yaml) is needed to read action.yml"
	exit 77
fi

cat >"$T/runner.py" <<'EOF'
# runner.py ACTION_YML EVENT_JSON WORKSPACE RUNNER_TEMP [input=value...]
# Runs the composite action's steps; prints one line per step; exits 1 when
# a step fails (later steps run only when their `if` says always()).
import json, os, re, subprocess, sys, yaml
action_path, event_path, workspace, temp = sys.argv[1:5]
action = yaml.safe_load(open(action_path))
event = json.load(open(event_path))
github = {"action_path": os.path.dirname(os.path.abspath(action_path)), "event": event,
          "workspace": workspace}

def lookup(path, ctx):
    cur = ctx
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return ""
        cur = cur[part]
    return cur

def value(term, ctx):
    term = term.strip()
    m = re.fullmatch(r"'((?:[^']|'')*)'", term)
    if m:
        return m.group(1).replace("''", "'")
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", term):
        return lookup(term, ctx)
    raise SystemExit("runner: unsupported expression term %r" % term)

def expr(e, ctx):
    # the subset action.yml uses: a || b, a && b, x == 'v', x != 'v'
    e = e.strip()
    if e == "always()":
        return True
    if "||" in e:
        for part in e.split("||"):
            v = expr(part, ctx)
            if v not in ("", None, False):
                return v
        return ""
    if "&&" in e:
        return all(expr(p, ctx) not in ("", None, False) for p in e.split("&&"))
    for op in ("==", "!="):
        if op in e:
            a, b = e.split(op, 1)
            same = str(value(a, ctx)) == str(value(b, ctx))
            return same if op == "==" else not same
    return value(e, ctx)

def interp(s, ctx):
    if not isinstance(s, str):
        return s
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: str(expr(m.group(1), ctx)), s)

inputs = {}
for name, spec in action.get("inputs", {}).items():
    inputs[name] = interp(str(spec.get("default", "")), {"github": github})
for arg in sys.argv[5:]:
    k, _, v = arg.partition("=")
    inputs[k] = v

files = {k: os.path.join(temp, k.lower()) for k in ("GITHUB_PATH", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY")}
for f in files.values():
    open(f, "a").close()
steps_out, failed, path_extra = {}, False, []
skip = set(os.environ.get("RUNNER_SKIP_STEPS", "").split())
for step in action["runs"]["steps"]:
    sid = step.get("id", "")
    ctx = {"github": github, "inputs": inputs, "steps": steps_out}
    cond = step.get("if", "success()")
    cond = cond.replace("success()", "'ok' == 'ok'" if not failed else "'ok' == 'no'")
    if failed and "always()" not in cond:
        print("step %s: skipped (an earlier step failed)" % sid)
        continue
    if not expr(cond, ctx):
        print("step %s: skipped (if: %s)" % (sid, step.get("if")))
        continue
    if sid in skip:
        print("step %s: not run here" % sid)
        continue
    assert step.get("shell") == "bash", "step %s has no shell: bash" % sid
    assert "${{" not in step["run"], "step %s splices an expression into its script" % sid
    env = dict(os.environ)
    env.update({k: str(interp(v, ctx)) for k, v in step.get("env", {}).items()})
    env.update(files)
    env["RUNNER_TEMP"] = temp
    env["GITHUB_WORKSPACE"] = workspace
    env["PATH"] = os.pathsep.join(path_extra + [env["PATH"]])
    open(files["GITHUB_OUTPUT"], "w").close()
    script = os.path.join(temp, "step-%s.sh" % sid)
    open(script, "w").write(step["run"])
    rc = subprocess.run(["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", script],
                        cwd=workspace, env=env).returncode
    outs = {}
    for line in open(files["GITHUB_OUTPUT"]):
        if "=" in line:
            k, _, v = line.rstrip("\n").partition("=")
            outs[k] = v
    steps_out[sid] = {"outputs": outs}
    path_extra = [l.strip() for l in open(files["GITHUB_PATH"]) if l.strip()][::-1]
    print("step %s: exit status %d" % (sid, rc))
    if rc != 0:
        failed = True
results = {name: interp(spec["value"], {"steps": steps_out}) for name, spec in action.get("outputs", {}).items()}
json.dump(results, open(os.path.join(temp, "outputs.json"), "w"))
sys.exit(1 if failed else 0)
EOF

# the install step's packages exist (Debian and Ubuntu share these names)
pk=$("$PY" -c 'import yaml,sys; s=[x for x in yaml.safe_load(open(sys.argv[1]))["runs"]["steps"] if x.get("id")=="install"][0]["run"]; import re; print(" ".join(re.search(r"for p in (.*?); do", s, re.S).group(1).replace("\\\n"," ").split()))' "$SRC/action.yml")
missing=""
for p in $pk; do [ -n "$(apt-cache show "$p" 2>/dev/null)" ] || missing="$missing $p"; done
[ -n "$pk" ] && [ -z "$missing" ] && ok "the install step names packages apt has ($(echo $pk | wc -w))" ||
	bad "install step packages missing:$missing"

# origin: v1 (base), v2 (in sync), v3 (a tenant changed without a render)
O="$T/origin"
copy_example "$O"
"$TENANTC" render --repo "$O" >/dev/null
git_commit_all "$O"
base=$(cd "$O" && git rev-parse HEAD)
sed -i 's/^displayName: .*/displayName: ACME Holding/' "$O/tenants/acme/tenant.yaml"
"$TENANTC" render --repo "$O" >/dev/null
(cd "$O" && git add -A && git commit -q -m v2 && git branch v2)
sed -i 's/^displayName: .*/displayName: ACME Drift/' "$O/tenants/acme/tenant.yaml"
(cd "$O" && git commit -q -a -m v3 && git branch v3)

# job NAME WANT(0|1) EVENT-JSON CHECKOUT-REF [input=value...]: a shallow
# checkout of REF, as actions/checkout makes one, then the action
job() {
	name=$1 want=$2 event=$3 ref=$4
	shift 4
	# a new RUNNER_TEMP for each job, but the build folder is kept (as a
	# cache would keep it): building once is enough for the test
	rm -rf "$T/ws" && mkdir -p "$T/rt"
	find "$T/rt" -mindepth 1 -maxdepth 1 ! -name tenantc-build -exec rm -rf {} +
	git clone -q --depth 1 --branch "$ref" "file://$O" "$T/ws" 2>/dev/null
	printf '%s\n' "$event" >"$T/event.json"
	rc=0
	RUNNER_SKIP_STEPS=install "$PY" "$T/runner.py" "$SRC/action.yml" "$T/event.json" "$T/ws" "$T/rt" "$@" \
		>"$T/log" 2>&1 || rc=$?
	[ "$rc" -eq "$want" ] && return 0
	bad "$name: the job exited $rc, want $want"
	tail -n 15 "$T/log"
	return 1
}
summary="$T/rt/github_step_summary"

pr="{\"pull_request\": {\"base\": {\"sha\": \"$base\"}}}"
if job "pull request in sync" 0 "$pr" v2; then
	ok "a pull request in sync passes"
	grep -q "step build: exit status 0" "$T/log" && ok "the build step builds tenantc" || bad "build step: $(grep 'step build' "$T/log")"
	grep -q "^| environment | added | removed | changed | unchanged |$" "$summary" &&
		grep -q "^| changed | prod | .* | acme-prod | [0-9]* |$" "$summary" &&
		ok "the job summary holds the diff against the base" || bad "summary: $(head -n 12 "$summary")"
	grep -q '"changed": "true"' "$T/rt/outputs.json" && grep -q 'tenantc-diff.md' "$T/rt/outputs.json" &&
		ok "outputs: changed and diff-file" || bad "outputs: $(cat "$T/rt/outputs.json")"
	grep -q "fetch" "$T/log" && bad "fetch complained: $(grep fetch "$T/log")" ||
		ok "the base missing from the shallow checkout was fetched"
	if command -v cmark-gfm >/dev/null 2>&1; then
		n=$(cmark-gfm --unsafe -e table "$summary" | grep -c '<table>')
		[ "$n" -ge 3 ] && ok "the summary renders as $n tables" || bad "the summary renders $n tables"
	fi
fi

if job "pull request with drift" 1 "$pr" v3; then
	grep -q "step check: exit status 1" "$T/log" && grep -q "is out of date" "$T/log" &&
		ok "a pull request whose tree is stale fails in the check step" || bad "drift: $(tail -n 5 "$T/log")"
	grep -q "acme-prod" "$summary" && ok "... after writing the diff to the summary" || bad "no diff in the summary on drift"
fi

push="{\"before\": \"$base\"}"
job "push" 0 "$push" v2 && grep -q "tenantc diff <code>$base</code>" "$summary" &&
	ok "a push diffs against the commit before it" || bad "push: $(head -n 3 "$summary")"
job "new branch" 0 '{"before": "0000000000000000000000000000000000000000"}' v2 &&
	grep -q "no base revision to diff against" "$T/log" && [ ! -s "$summary" ] &&
	ok "a push that creates a branch has no diff and passes" || bad "new branch: $(tail -n 3 "$T/log")"
job "manual run" 0 '{}' v2 && grep -q "step diff: skipped" "$T/log" && grep -q "step check: exit status 0" "$T/log" &&
	ok "without a base the diff is skipped and the check runs" || bad "no base: $(cat "$T/log")"
job "unknown base" 0 '{"before": "1234567890123456789012345678901234567890"}' v2 &&
	grep -q "::warning::tenantc diff against 1234567890123456789012345678901234567890 failed" "$T/log" &&
	grep -q "The diff against \`1234567890123456789012345678901234567890\` failed" "$summary" &&
	ok "a base that cannot be fetched is a warning and a note in the summary" || bad "unknown base: $(tail -n 5 "$T/log")"
job "check off" 0 "$pr" v3 check=false && grep -q "step check: skipped" "$T/log" &&
	ok "check: false leaves the check out" || bad "check=false: $(tail -n 3 "$T/log")"
job "check args" 1 "$pr" v2 "check-args=--strict --bogus" && grep -q "unknown option\|--bogus" "$T/log" &&
	ok "check-args reach tenantc check" || bad "check-args: $(tail -n 3 "$T/log")"

# the repository in a folder of the workspace
rm -rf "$T/mono" && mkdir -p "$T/mono"
mkdir -p "$T/mono/platform" && (cd "$O" && git archive v2) | tar -x -C "$T/mono/platform"
(cd "$T/mono" && git init -q -b main . && git add -A && git commit -q -m mono)
O="$T/mono"
job "subfolder" 0 '{}' main repo=platform && ok "repo: a folder of the workspace" || true
finish
