#!/bin/sh
# run.sh [N] - benchmark `tenantc validate` against Debian's python3-jsonschema
# on the same output objects and the same upstream schemas, in one run.
#
#   N          tenants (default 1000); 13 or 14 objects per tenant in each of
#              two environments (prod with Flux, test with ArgoCD)
#   BUILD=DIR  a meson build directory to use (default: build-bench)
#   ROUNDS=K   rounds for tenantc, the best counts (default 5); python runs
#              min(K, 2) rounds because it is slow
#   SCHEMAS=DIR  schema folder (default: ../shared/schemas-upstream)
#
# Generates the objects with gen.py, validates them with both tools (both
# must find 0 errors, which checks that they agree on valid input), and
# writes the times and their ratio to RESULTS.md beside this script.
# Times are CPU time (user + system) of each process, not wall time, so
# other work on the machine does not skew the ratio.
# tenantc's time includes reading the YAML, compiling the schemas and the
# Kubernetes rules; python's total includes reading the YAML with PyYAML's
# C loader and compiling validators, and its validation-only time is given
# too.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
n=${1:-1000}
rounds=${ROUNDS:-5}
build=${BUILD:-$root/build-bench}
schemas=${SCHEMAS:-$root/../shared/schemas-upstream}
py=/usr/bin/python3

[ -d "$schemas/kubernetes" ] || { echo "SKIP: $schemas not found"; exit 77; }
if ! $py -c 'import jsonschema, yaml' 2>/dev/null; then
	apt-get install -y python3-jsonschema python3-yaml >/dev/null
fi
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$root" >/dev/null
fi
ninja -C "$build" src/tenantc >/dev/null || ninja -C "$build" src/tenantc

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
objects=$($py "$here/gen.py" "$n" "$work/objs")

# CPU time (user + system) of a command in milliseconds, its output to $work/out
cpu_ms() {
	$py -c '
import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
u = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stderr.write(r.stderr.decode())
open("'"$work"'/out", "wb").write(r.stdout)
print(round((u.ru_utime + u.ru_stime) * 1000) if r.returncode == 0 else -1)
' "$@"
}
best=
i=0
while [ "$i" -lt "$rounds" ]; do
	d=$(cpu_ms "$build/src/tenantc" validate --kubernetes-version 1.34.0 --schema-location "$schemas" \
		"$work/objs" 2>"$work/tc.err")
	[ "$d" -ge 0 ] || { cat "$work/tc.err" >&2; echo "tenantc found errors" >&2; exit 1; }
	if [ -z "$best" ] || [ "$d" -lt "$best" ]; then best=$d; fi
	i=$((i + 1))
done
tc_ms=$best

pyrounds=$rounds
[ "$pyrounds" -gt 2 ] && pyrounds=2
pybest= pyval= i=0
while [ "$i" -lt "$pyrounds" ]; do
	d=$(cpu_ms $py "$here/py_validate.py" "$schemas" 1.34.0 "$work/objs")
	out=$(cat "$work/out")
	set -- $out
	[ "$1" = "$objects" ] || { echo "python saw $1 objects, not $objects" >&2; exit 1; }
	[ "$2" = 0 ] || { echo "python found $2 errors" >&2; exit 1; }
	if [ -z "$pybest" ] || [ "$d" -lt "$pybest" ]; then pybest=$d; pyval=$4; fi
	i=$((i + 1))
done
py_ms=$pybest
pyval_ms=$($py -c "print(round($pyval * 1000))")
ratio=$($py -c "print(f'{$py_ms / max($tc_ms, 1):.1f}')")
ratio_val=$($py -c "print(f'{$pyval_ms / max($tc_ms, 1):.1f}')")
pyver=$($py -c 'from importlib.metadata import version; print(version("jsonschema"))')
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)

cat >"$here/RESULTS.md" <<EOR
# Validation benchmark

\`bench/validate/run.sh $n\`: $objects objects ($n tenants x 2 environments:
Namespace, 4 NetworkPolicies, ResourceQuota, LimitRange, RoleBinding, ConfigMap,
Deployment, KeycloakRealmImport, Flux Kustomization or ArgoCD AppProject +
Application), validated against \`shared/schemas-upstream\` (Kubernetes 1.34.0
standalone-strict and the crd-json CRD schemas). Both tools report 0 errors.

| tool | CPU time | objects/s |
|---|---:|---:|
| tenantc validate (1 thread, includes YAML loading, schema compilation and Kubernetes rules) | $tc_ms ms | $((objects * 1000 / (tc_ms > 0 ? tc_ms : 1))) |
| python3-jsonschema $pyver, whole run (PyYAML C loader) | $py_ms ms | $((objects * 1000 / (py_ms > 0 ? py_ms : 1))) |
| python3-jsonschema $pyver, validation only | $pyval_ms ms | $((objects * 1000 / (pyval_ms > 0 ? pyval_ms : 1))) |

**Ratio: tenantc is ${ratio}x faster than python3-jsonschema for the whole run,
${ratio_val}x faster than its validation step alone.**

CPU time (user + system), so that other load on the machine does not count; best
of $rounds rounds for tenantc and $pyrounds for python, measured in the same run on
$(nproc) x ${cpu:-unknown CPU}.
EOR
cat "$here/RESULTS.md"
