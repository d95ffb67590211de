#!/usr/bin/python3
"""report.py RESULTS.TSV MACHINE.TXT PROFILE_DIR NOTES.MD LIMIT REPEAT REPEAT_BIG

Turn the measurements of run.sh into bench/RESULTS.md (printed on stdout):
the machine and tool versions, a table per N, the targets of the scale
issue with PASS or FAIL, the object comparison, and the profile (the
tables perf or callgrind printed, then the notes written after reading it).
"""
import os
import sys

ROWS = [
    ("tc_tree", "tenantc render (tree, --jobs = cores)"),
    ("tc_jobs1", "tenantc render --jobs 1 (tree)"),
    ("tc_stdout", "tenantc render --stdout"),
    ("floor_cp", "floor: `cp -r` of tenantc's tree"),
    ("kz_root", "`kubectl kustomize`, one root listing every overlay"),
    ("kz_each", "`kubectl kustomize` per overlay, cores at a time"),
    ("jn_tree", "`jsonnet -m` (one file per object)"),
    ("jn_stream", "`jsonnet -y` (one stream)"),
    ("tc_inc_cold", "tenantc render --rev HEAD, empty cache (tree)"),
    ("tc_inc_one", "the same after one tenant changed (tree updated in place)"),
    ("tc_one", "one tenant-environment: `tenantc render --stdout --env prod --tenant T`"),
    ("kz_one", "one tenant-environment: `kubectl kustomize overlays/prod/T`"),
    ("jn_one", "one tenant-environment: `jsonnet -y one.jsonnet`"),
]


def load(path):
    res = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) < 7:
                continue
            n, key, wall, rss, cpu, status, note = p[:7]
            res[(int(n), key)] = {
                "wall": float(wall) if wall else None,
                "rss": int(rss) if rss else None,
                "cpu": float(cpu) if cpu else None,
                "status": status, "note": note}
    return res


def fmt_s(x):
    if x is None:
        return "–"
    if x < 1:
        return "%.1f ms" % (x * 1000)
    return "%.2f s" % x


def fmt_mib(kib):
    return "–" if kib is None else "%.0f" % (kib / 1024.0) if kib >= 10240 else "%.1f" % (kib / 1024.0)


def main(argv):
    res = load(argv[1])
    machine = {}
    with open(argv[2], encoding="utf-8") as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("=")
            machine[k] = v
    prof, notes, limit, repeat, repeat_big = argv[3], argv[4], argv[5], argv[6], argv[7]
    ns = sorted({n for n, _ in res})
    out = []
    w = out.append

    w("# Scale benchmark: tenantc, kustomize and jsonnet\n")
    w("Written by `bench/scale/run.sh %s` on %s; do not edit by hand (the profile notes "
      "at the end come from `bench/scale/profile-notes.md`).\n" % (machine.get("args", ""),
                                                                   machine.get("date", "")))
    w("Workload (`bench/scale/gen.py`): N tenants in two environments (prod, test), 11 objects "
      "per tenant-environment (Namespace, three NetworkPolicies, a KeycloakRealmImport with "
      "three clients and four roles, a Flux Kustomization with its ServiceAccount, Role and "
      "RoleBinding, an ArgoCD Application and its AppProject): 22 N objects, isolation-clean, so tenantc's verifier runs in full. "
      "tenantc renders JSON-e templates; kustomize builds a base plus one overlay "
      "per tenant-environment (labels and JSON 6902 patches); jsonnet runs one program over "
      "a list of the tenants. Every tool's objects are compared (parsed, keys sorted) by "
      "`compare.py`.\n")
    w("Wall time is the median of %s rounds (%s at N ≥ 10,000) for tenantc and the floor, "
      "run in turn within each round (jobs 1, default jobs, `cp -r` of that tree, "
      "--stdout) so that all see the same state of the machine, and one run for the "
      "peers; peak memory is GNU time's maximum resident set size (for the per-overlay "
      "kustomize runs: of the largest single process). A peer run predicted to take longer "
      "than %s s is not run, and the table says so. Outputs go to files on the same file "
      "system as the inputs; the inputs are in the page cache, and every timed run starts "
      "after a `sync`, so that none pays for writing back the files of the one before. "
      "Nothing is deleted while "
      "measuring and every timed run writes into a fresh folder: on ext4 without a "
      "journal, creating files soon after many were deleted is several times slower (the "
      "inode allocator skips recently freed inodes), so deleting between runs would make "
      "each run depend on the one before.\n" % (repeat, repeat_big, limit))
    loadavg = machine.get("load", "")
    try:
        busy = float(loadavg.split()[0]) > 0.5 * int(machine.get("cores", "1"))
    except (ValueError, IndexError):
        busy = False
    if busy:
        w("**The machine was busy when this run started (load average %s on %s cores): "
          "other work competed for the cores, so absolute times are inflated and ratios "
          "are noisy.**\n" % (loadavg.split(" before")[0], machine.get("cores")))

    w("## Machine and versions\n")
    for k, label in [("cpu", "CPU"), ("cores", "cores"), ("memory", "memory"),
                     ("kernel", "kernel"), ("fs", "file system"),
                     ("load", "load average (1, 5, 15 min)"),
                     ("nice", "niceness of every measured process"), ("tenantc", "tenantc"),
                     ("commit", "commit"), ("buildtype", "meson buildtype"),
                     ("kubectl", "kubectl"), ("jsonnet", "jsonnet"),
                     ("hyperfine", "hyperfine"), ("python3-yaml", "PyYAML")]:
        w("- %s: %s" % (label, machine.get(k, "unknown")))
    w("")

    for n in ns:
        w("## N = %s (%s objects)\n" % (format(n, ","), format(22 * n, ",")))
        w("| tool | wall | peak RSS MiB | CPU s | note |")
        w("|---|---:|---:|---:|---|")
        for key, label in ROWS:
            r = res.get((n, key))
            if not r:
                continue
            st = r["status"]
            note = r["note"] if st == "ok" else "**%s**: %s" % (st, r["note"])
            wall = fmt_s(r["wall"])
            if st == "extrapolated":
                wall = "~" + wall + " (extrapolated)"
            w("| %s | %s | %s | %s | %s |" % (label.replace("T`", "t%05d`" % min(42, n - 1)),
                                              wall, fmt_mib(r["rss"]),
                                              "–" if r["cpu"] is None else "%.2f" % r["cpu"],
                                              note))
        for key, what in [("check", "all tools, all objects"),
                          ("check_one", "one tenant-environment")]:
            r = res.get((n, key))
            if r:
                w("\nObjects (%s): **%s**: %s" % (what, r["status"], r["note"].rstrip(";")))
        w("")

    # targets
    def get(n, key):
        r = res.get((n, key))
        return r if r and r["status"] == "ok" and r["wall"] is not None else None

    def extrapolated(n, key):
        """(seconds, from N) by linear extrapolation from the largest smaller N"""
        r = res.get((n, key))
        if r and r["status"] == "extrapolated" and r["wall"]:
            return r["wall"], None
        smaller = [m for m in ns if m < n and get(m, key)]
        if not smaller:
            return None
        m = max(smaller)
        return get(m, key)["wall"] * n / m, m

    def ratio_row(name, n, slow, fast, need, bigger_is_better=True):
        a, b = get(n, slow), get(n, fast)
        if not a or not b:
            miss = slow if not a else fast
            why = res.get((n, miss))
            text = (why["status"] + ": " + why["note"].strip().rstrip(":")) if why else \
                "N=%d not in this run" % n
            est = extrapolated(n, slow) if (why and b and not a and bigger_is_better) else None
            if not est:
                return "| %s | N=%s | – | %s | not measured (%s) |" % (
                    name, format(n, ","), need, text)
            ratio = est[0] / b["wall"]
            how = "linear from N=%s" % format(est[1], ",") if est[1] else "from a sample"
            return ("| %s | N=%s | ~%.0f× (~%s, extrapolated %s, vs %s) | ≥ %s× | "
                    "**%s (extrapolated: the peer %s)** |" % (
                        name, format(n, ","), ratio, fmt_s(est[0]), how, fmt_s(b["wall"]),
                        need, "PASS" if ratio >= need else "FAIL", text))
        ratio = a["wall"] / b["wall"]
        ok = ratio >= need if bigger_is_better else ratio <= need
        return "| %s | N=%s | %.1f× (%s vs %s) | %s %s× | **%s** |" % (
            name, format(n, ","), ratio, fmt_s(a["wall"]), fmt_s(b["wall"]),
            "≥" if bigger_is_better else "≤", need, "PASS" if ok else "FAIL")

    w("## Targets\n")
    w("| target | at | measured | needed | result |")
    w("|---|---|---:|---:|---|")
    w(ratio_row("tree render faster than kustomize (one root)", 100, "kz_root", "tc_tree", 20))
    w(ratio_row("`--stdout` faster than kustomize (one root; both print one stream)", 100,
                "kz_root", "tc_stdout", 20))
    w(ratio_row("tree render faster than `jsonnet -m`", 1000, "jn_tree", "tc_tree", 10))
    for n in ns:
        w(ratio_row("tree render within 2× the floor (`cp -r`)", n, "tc_tree", "floor_cp", 2,
                    bigger_is_better=False))
    for n in (1000, 10000):
        w(ratio_row("`--stdout` faster than `jsonnet -y`", n, "jn_stream", "tc_stdout", 20))
    # memory
    big = 10000
    rss = {k: get(big, k) for k in ("tc_tree", "tc_jobs1", "tc_stdout")}
    if all(rss.values()):
        peak = max(r["rss"] for r in rss.values())
        w("| peak memory of tenantc (tree, --jobs 1, --stdout) | N=10,000 | %.0f MiB | < 500 MiB | **%s** |"
          % (peak / 1024.0, "PASS" if peak < 500 * 1024 else "FAIL"))
        for k, r in rss.items():
            small = get(1000, k)
            if small:
                g = r["rss"] / small["rss"]
                per = (r["rss"] - small["rss"]) * 1024.0 / 9000
                w("| memory growth of `%s` from N=1,000 to 10,000 | N=1,000 → 10,000 | %.2f× (%s → %s MiB; %.0f bytes per added tenant) | < 3× (linear: 10×) | **%s** |"
                  % (k, g, fmt_mib(small["rss"]), fmt_mib(r["rss"]), per, "PASS" if g < 3 else "FAIL"))
    else:
        w("| peak memory of tenantc | N=10,000 | – | < 500 MiB | not measured |")
    inc = get(big, "tc_inc_one")
    if inc:
        w("| re-render after one tenant changed (git, cache) | N=10,000 | %s (%s) | < 0.5 s | **%s** |"
          % (fmt_s(inc["wall"]), inc["note"], "PASS" if inc["wall"] < 0.5 else "FAIL"))
    else:
        w("| re-render after one tenant changed | N=10,000 | – | < 0.5 s | not measured |")
    one = get(big, "tc_one")
    if one:
        w("| one tenant-environment (`--stdout --env --tenant`) | N=10,000 | %s | < 20 ms | **%s** |"
          % (fmt_s(one["wall"]), "PASS" if one["wall"] < 0.020 else "FAIL"))
    else:
        w("| one tenant-environment | N=10,000 | – | < 20 ms | not measured |")
    w("")
    w("The issue's targets name a peer but not tenantc's mode: each ratio is given for the "
      "tree render (files written, the slower mode) and, where the peer prints one stream, "
      "for `--stdout` too. An extrapolated ratio stands in for a peer run that could not "
      "finish (past the time limit, or out of memory) and is labelled as such; linear "
      "extrapolation favours a peer whose cost grows faster than N.\n")

    # profile
    w("## Profile\n")
    tool = ""
    tp = os.path.join(prof, "tool.txt")
    if os.path.exists(tp):
        tool = open(tp).read().strip()
    if not tool:
        w("Not profiled in this run (PROFILE_N=0, or neither perf nor valgrind was found).\n")
    else:
        times = os.path.join(prof, "times.txt")
        if os.path.exists(times):
            lines = [l.split() for l in open(times) if l.strip() and l[0].isdigit()]
            if len(lines) == 2:
                w("Wall, user and system seconds of the profiled repository: default jobs "
                  "%s / %s / %s, `--jobs 1` %s / %s / %s.\n" % tuple(lines[0] + lines[1]))
        for mode, what in [("jobs1", "`render --out DIR --jobs 1`"),
                           ("stdout", "`render --stdout --jobs 1`")]:
            for part, title in [("dso", "time by binary"), ("symbols", "self time by function"),
                                ("children", "time including callees (≥ 5 %)")]:
                p = os.path.join(prof, "%s.%s.txt" % (mode, part))
                if os.path.exists(p) and os.path.getsize(p):
                    w("%s, %s (%s):\n" % (what, title, tool))
                    w("```")
                    w(open(p, encoding="utf-8", errors="replace").read().rstrip())
                    w("```\n")
        st = os.path.join(prof, "stat.txt")
        if os.path.exists(st):
            body = [l for l in open(st) if l.strip() and not l.startswith("#")]
            w("`perf stat` of the default render:\n")
            w("```")
            w("".join(body).rstrip())
            w("```\n")
    if os.path.exists(notes):
        w("### Findings and changes (written by hand after reading the profile)\n")
        w(open(notes, encoding="utf-8").read().rstrip() + "\n")
    sys.stdout.write("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
