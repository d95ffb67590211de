#!/usr/bin/python3
"""Put the verdicts of `tenantc validate` and a peer validator (kubeconform
or kubectl-validate) on one rendered tree side by side
(tests/interop/validators.sh runs them).

  validators_compare.py LABEL ROOT TENANTC_LOG kubeconform|kubectl-validate PEER_JSON [FILE...]

FILEs (relative to ROOT) were not given to the peer. A verdict per file is
`accepted`, `rejected: <message>` or `no schema` (the peer had none for the
kind, or was not asked: no verdict, counted). Prints one line per file that
one of the two rejects, then the disagreements, then
`LABEL: ... N agree, M disagree, K without a verdict`. Exit 1 when tenantc
accepts a file that the peer rejects (the disagreement that lets a bad object
through), 0 otherwise: the other direction is listed, not fatal.
"""
import json
import os
import re
import sys

label, root, tc_log, peer, peer_json = sys.argv[1:6]
skipped = set(sys.argv[6:])
root = os.path.realpath(root)


def rel(path):
    p = os.path.realpath(path)
    return os.path.relpath(p, root) if p.startswith(root + os.sep) else path


files = []
for d, _, names in os.walk(root):
    for n in names:
        if n.endswith((".yaml", ".yml", ".json")):
            files.append(rel(os.path.join(d, n)))
files.sort()

# tenantc: `file:line:col: error: message`; a file without one is accepted
tc = {f: "accepted" for f in files}
err = re.compile(r"^(.+?):\d+:\d+: error: (.*)$")
with open(tc_log) as f:
    for line in f:
        m = err.match(line.rstrip("\n"))
        if m and rel(m.group(1)) in tc:
            r = rel(m.group(1))
            if tc[r] == "accepted":
                tc[r] = "rejected: " + m.group(2)

def read_kubeconform(path):
    """kubeconform -output json: one entry per resource"""
    out = {f: "accepted" for f in files}
    with open(path) as f:
        for r in json.load(f).get("resources", []):
            fn = rel(r["filename"])
            st, msg = r.get("status"), r.get("msg", "")
            if st == "statusInvalid" or (st == "statusError" and "could not find schema" not in msg):
                out[fn] = "rejected: " + msg
            elif st in ("statusError", "statusSkipped") and out.get(fn) == "accepted":
                out[fn] = "no schema"
    return out


def read_kubectl_validate(path):
    """kubectl-validate --output json: file -> the Kubernetes metav1.Status of
    each document (Success, or Failure with a message)"""
    out = {f: "accepted" for f in files}
    with open(path) as f:
        text = f.read()
    for fn, statuses in (json.loads(text) if text.strip() else {}).items():
        r = rel(fn)
        for s in statuses or []:
            if s.get("status") != "Failure":
                continue
            msg = s.get("message", "")
            if "failed to retrieve validator" in msg:
                if out.get(r) == "accepted":
                    out[r] = "no schema"
            elif out.get(r) in ("accepted", "no schema"):
                out[r] = "rejected: " + msg
    return out


peer_verdicts = read_kubeconform(peer_json) if peer == "kubeconform" \
    else read_kubectl_validate(peer_json)
for f in skipped:  # files not given to the peer
    peer_verdicts[f] = "no schema"

agree = disagree = nopeer = 0
fatal = []
listing = []
for f in files:
    t, p = tc[f], peer_verdicts[f]
    tk, pk = t.split(":")[0], p.split(":")[0]
    if tk == "rejected" or pk == "rejected":
        print("%s: tenantc %s | %s %s" % (f, t[:200], peer, p[:300]))
    if pk == "no schema":
        nopeer += 1
    elif pk == tk:
        agree += 1
    else:
        disagree += 1
        listing.append("%s: tenantc %s, %s %s" % (f, tk, peer, p[:300]))
        if tk == "accepted":
            fatal.append(f)
for line in listing:
    print("disagreement: " + line)
print("%s: tenantc and %s: %d agree, %d disagree, %d without a %s verdict (of %d files)" %
      (label, peer, agree, disagree, nopeer, peer, len(files)))
sys.exit(1 if fatal else 0)
