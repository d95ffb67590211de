#!/usr/bin/python3
"""big_report.py DATA [MASSIF] - the section of bench/RESULTS.md that big.sh writes.

DATA holds one line per timed run: N, file system, key, wall s, CPU s (user
+ system), peak RSS KiB, the load average when it started, the commit.
Several runs of a key are summarised by the median wall time (with its
CPU time) and the largest RSS. A figure the goals of the table need at
N = 100,000 that was not measured is extrapolated linearly in N from the
largest N measured on the same file system, and marked so.
Plain python3, no third-party modules.
"""
import os
import statistics
import subprocess
import sys

NS = (1000, 10000, 100000)
FSS = ("tmpfs", "disk")


def load(path):
    """The figures of the last commit that ran each key at each N and FS."""
    rows, same, notes, instr = [], {}, {}, {}
    for line in open(path, encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        if len(f) < 8:
            continue
        f += [""] * (10 - len(f))
        n, fs, key, commit, load_ = int(f[0]), f[1], f[2], f[7], f[6]
        if key.startswith("merge_same") or key.startswith("merge_DIFFERENT"):
            same[(n, fs)] = (key == "merge_same", commit)
        elif key == "incr_files":
            notes[(n, fs, "incr")] = (f[8], commit)
        elif f[9]:
            instr[(n, fs, key)] = (int(f[9]), commit, float(load_))
        elif f[3]:
            rows.append((n, fs, key, commit, float(f[3]), float(f[4]), int(f[5]), float(load_)))
    last = {}
    for n, fs, key, commit, *_ in rows:
        last[(n, fs, key)] = commit
    runs = {}
    for n, fs, key, commit, wall, cpu, rss, l in rows:
        if last[(n, fs, key)] == commit:
            runs.setdefault((n, fs, key), []).append((wall, cpu, rss, l))
    fig = {}
    for k, v in runs.items():
        walls = sorted(v)
        med = walls[(len(walls) - 1) // 2]
        fig[k] = {"wall": med[0], "cpu": med[1], "rss": max(r[2] for r in v), "runs": len(v),
                  "commit": last[k], "load": (min(r[3] for r in v), max(r[3] for r in v))}
    return fig, same, notes, instr


def where(*figs):
    """'commit C, load L1-L2' of the figures measured (not extrapolated)."""
    fs = [f for f in figs if f and "commit" in f]
    if not fs:
        return ""
    commits = sorted(set(f["commit"] for f in fs))
    lo = min(f["load"][0] for f in fs)
    hi = max(f["load"][1] for f in fs)
    return "%s, load %s" % (" ".join(commits),
                            "%.1f" % lo if "%.1f" % lo == "%.1f" % hi else "%.1f–%.1f" % (lo, hi))


def get(fig, n, fs, key):
    """The figure, or an extrapolation (marked) from the largest smaller N."""
    if (n, fs, key) in fig:
        return fig[(n, fs, key)], False
    base = [m for m in NS if m < n and (m, fs, key) in fig]
    if n != NS[-1] or not base:
        return None, False
    m = max(base)
    f = fig[(m, fs, key)]
    return {"wall": f["wall"] * n / m, "cpu": f["cpu"] * n / m, "rss": None, "from": m}, True


def secs(f, ext):
    if f is None:
        return "not run"
    s = "%.2f (%.2f)" % (f["wall"], f["cpu"])
    return s + " *extrapolated from N=%d*" % f["from"] if ext else s


def ratio(a, b, key="wall"):
    if a is None or b is None or b[key] == 0:
        return ""
    return "%.2f" % (a[key] / b[key])


def mib(kib):
    return "" if kib is None else "%.1f" % (kib / 1024)


def instructions(instr, n, fs, key):
    x = instr.get((n, fs, key))
    return ("%.1f M" % (x[0] / 1e6), x) if x else ("", None)


def massif_load(path):
    """(N, FS) -> the last commit's peak and sites from big.sh's massif summary."""
    out = {}
    if not path or not os.path.exists(path):
        return out
    for line in open(path, encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        if len(f) < 7:
            continue
        k = (int(f[0]), f[1])
        if f[4] == "peak":
            out[k] = {"commit": f[2], "load": f[3], "heap": int(f[5]), "extra": int(f[6]),
                      "sites": []}
        elif f[4] == "site" and k in out:
            out[k]["sites"].append((int(f[5]), f[6]))
    return out


# the commit that made the workload verifier-clean (11 objects per
# tenant-environment instead of 8): figures of commits before it measured
# the previous workload
WORKLOAD = "703a3b4"


def older_workload(commits):
    """The commits of commits that precede WORKLOAD (git, from this checkout)."""
    here = os.path.dirname(os.path.abspath(__file__))
    old = []
    for c in commits:
        r = subprocess.run(["git", "-C", here, "merge-base", "--is-ancestor", WORKLOAD, c],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if r.returncode == 1:
            old.append(c)
    return old


def n_(n):
    return "{:,}".format(n)


def main():
    fig, same, notes, instr = load(sys.argv[1])
    massif = massif_load(sys.argv[2] if len(sys.argv) > 2 else None)
    allf = list(fig.values())
    commits = sorted(set(f["commit"] for f in allf))
    lo = min((f["load"][0] for f in allf), default=0)
    hi = max((f["load"][1] for f in allf), default=0)
    out = ["<!-- bench/scale/big.sh begin -->",
           "## Beyond 10,000 tenants: tenantc against its floors",
           "",
           "Written by `bench/scale/big.sh report` from the runs of `big.sh run N FS` "
           "(commits %s, %d cores, load average %.1f to %.1f while measuring; the machine was "
           "shared, so wall times carry the load and the CPU time in brackets is the steadier "
           "figure; each row names the commit it was measured at and the load average at its "
           "runs, and only the last commit that ran a figure counts). Seconds: median wall "
           "(user + system) of the rounds run; memory: peak RSS "
           "(GNU time). tmpfs is /dev/shm, the disk ext4; the tar file of the floor is read "
           "once before it is timed, so it comes from the page cache. Instructions (callgrind, "
           "`--jobs 1`, `big.sh` with CALLGRIND=1) do not depend on the load."
           % (", ".join(commits), os.cpu_count() or 0, lo, hi),
           ""]
    old = older_workload(commits)
    if old:
        out += ["Rows of %s measured the workload before %s (8 objects per tenant-environment, "
                "which today's verifier rejects); the others measure today's (11 objects, no "
                "finding)."
                % (", ".join(old), WORKLOAD), ""]
    out += [
           "### A tree render against `tar -x` of the same tree",
           "",
           "| N | fs | render --out s | tar -x s | render / tar -x (wall) | (CPU) | commit, load |",
           "|---:|---|---:|---:|---:|---:|---|"]
    for n in NS:
        for fs in FSS:
            t, te = get(fig, n, fs, "tree")
            x, xe = get(fig, n, fs, "tar_x")
            if t is None and x is None:
                continue
            out.append("| %s | %s | %s | %s | %s | %s | %s |" % (
                n_(n), fs, secs(t, te), secs(x, xe), ratio(t, x), ratio(t, x, "cpu"),
                where(t, x)))
    out += ["",
            "### `render --stdout` and memory",
            "",
            "Memory without a cache is the tree render's (`--out`); with a cache the render "
            "reads a git revision, first with an empty cache and then again.",
            "",
            "| N | --stdout s | RSS MiB: --out | --stdout | cache, first | cache, again | commit, load |",
            "|---:|---:|---:|---:|---:|---:|---|"]
    for n in NS:
        row = []
        for fs in FSS:
            if any((n, fs, k) in fig for k in ("stdout", "cache_cold")):
                row = [fs]
                break
        if not row:
            continue
        fs = row[0]
        s, se = get(fig, n, fs, "stdout")
        used = [s]

        def rss(key):
            f = fig.get((n, fs, key)) or fig.get((n, "tmpfs" if fs == "disk" else "disk", key))
            used.append(f)
            return mib(f["rss"]) if f else "not run"
        out.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            n_(n), secs(s, se), rss("tree"), rss("stdout"), rss("cache_cold"),
            rss("cache_warm"), where(*used)))
    growth = []
    for key, what in (("tree", "--out"), ("stdout", "--stdout"), ("cache_cold", "cache, first"),
                      ("cache_warm", "cache, again")):
        a = [fig[(10000, fs, key)]["rss"] for fs in FSS if (10000, fs, key) in fig]
        b = [fig[(100000, fs, key)]["rss"] for fs in FSS if (100000, fs, key) in fig]
        if a and b:
            growth.append("%s %.2f KiB" % (what, (max(b) - max(a)) / 90000))
    if growth:
        out += ["", "Growth per added tenant between 10,000 and 100,000: " + ", ".join(growth) + "."]
    out += incremental(fig, notes, instr)
    out += plugin(fig, instr)
    out += checks(fig, instr)
    out += ["",
            "### `tenantc merge` of 8 shards against `cp -r` of the same shard trees",
            "",
            "| N | fs | cp -r s | merge s | merge / cp -r (wall) | (CPU) | merge --move s | --move / cp -r | bytes | commit, load |",
            "|---:|---|---:|---:|---:|---:|---:|---:|---|---|"]
    for n in NS:
        for fs in FSS:
            c, ce = get(fig, n, fs, "merge_cp")
            m, me = get(fig, n, fs, "merge")
            v, ve = get(fig, n, fs, "merge_move")
            if c is None:
                continue
            b, bc = same.get((n, fs), (None, ""))
            if not m or bc != m.get("commit"):
                b = None  # compared at another commit than the figures (or not at all)
            out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                n_(n), fs, secs(c, ce), secs(m, me), ratio(m, c),
                ratio(m, c, "cpu"), secs(v, ve), ratio(v, c),
                "same as one render (`diff -r`)" if b else "DIFFERENT" if b is False else "not compared",
                where(c, m, v)))
    out += memory(massif)
    missing = [(n, fs) for n in NS for fs in FSS
               if not any(k[0] == n and k[1] == fs for k in fig)]
    out += ["",
            "An *extrapolated* figure was not measured: at N = 100,000 one tree is 1.6 million "
            "files, and the shared /dev/shm of this machine had fewer free inodes than that. "
            "Not run at all: %s; a step that has no row at an N was not run there."
            % (", ".join("N = %s on %s" % (n_(n), fs) for n, fs in missing) or "none"),
            "<!-- bench/scale/big.sh end -->"]
    print("\n".join(out))


def section(title, text, head, align, rows):
    """A table section of the report, or nothing when no row was measured."""
    if not rows:
        return []
    return ["", "### " + title, "", text, "", head, align] + rows


def incremental(fig, notes, instr):
    text = ("The workload in git with its rendered tree committed; one tenant's displayName "
            "changed and committed; the cached render of that revision into the same tree "
            "(`render --rev HEAD`, the verifier on), then that tree committed and `check --rev "
            "HEAD` with the same cache, with the verifier and with `--no-verify`. A second "
            "tenant's change is rendered with `--no-verify`.")
    head = ("| N | fs | render after the change s | RSS MiB | files written | instructions | "
            "the same, --no-verify s | RSS MiB | instructions | "
            "check s | RSS MiB | instructions | check --no-verify s | RSS MiB | commit, load |")
    align = "|---:|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    rows = []
    for n in NS:
        for fs in FSS:
            r = fig.get((n, fs, "incr"))
            rn = fig.get((n, fs, "incr_noverify"))
            c = fig.get((n, fs, "check"))
            v = fig.get((n, fs, "check_noverify"))
            if not (r or c or v):
                continue
            ri, rx = instructions(instr, n, fs, "incr")
            rni, _ = instructions(instr, n, fs, "incr_noverify")
            ci, cx = instructions(instr, n, fs, "check")
            rows.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |"
                       % (n_(n), fs, secs(r, False), mib(r["rss"]) if r else "",
                          notes.get((n, fs, "incr"), ("",))[0], ri, secs(rn, False),
                          mib(rn["rss"]) if rn else "", rni, secs(c, False),
                          mib(c["rss"]) if c else "", ci, secs(v, False),
                          mib(v["rss"]) if v else "", where(r, rn, c, v)))
    return section("Incremental: one tenant changed, then `check`", text, head, align, rows)


def plugin(fig, instr):
    text = ("`render --stdout --env prod --tenant t00042` in a copy of the repository that "
            "holds its rendered tree (as the plugin receives it): median of the runs. GNU "
            "time counts CPU in steps of 10 ms; the instruction count is the finer figure.")
    head = ("| N | fs | runs | wall ms | CPU ms | RSS MiB | instructions | commit, load |")
    align = "|---:|---|---:|---:|---:|---:|---:|---|"
    rows = []
    for n in NS:
        for fs in FSS:
            p = fig.get((n, fs, "plugin"))
            if not p:
                continue
            pi, _ = instructions(instr, n, fs, "plugin")
            rows.append("| %s | %s | %d | %.1f | %s | %s | %s | %s |" % (
                n_(n), fs, p["runs"], p["wall"] * 1000,
                "%.0f" % (p["cpu"] * 1000) if p["cpu"] >= 0.01 else "< 10", mib(p["rss"]), pi,
                where(p)))
    return section("One tenant-environment with `--stdout` (the ArgoCD plugin case)",
                   text, head, align, rows)


def checks(fig, instr):
    text = ("`render --out` (fresh tree) with the isolation verifier (the default) against "
            "`--no-verify`, in interleaved rounds. The object checks (schemas, references, "
            "CEL rules, admission policies) have no switch and run in both; the difference is "
            "the verifier's time.")
    head = ("| N | fs | --no-verify s | verifier on s | on / off (wall) | (CPU) | verifier CPU s | "
            "instructions off | on | on / off | commit, load |")
    align = "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    rows = []
    for n in NS:
        for fs in FSS:
            a = fig.get((n, fs, "checks_off"))
            b = fig.get((n, fs, "checks_on"))
            if not (a and b):
                continue
            ai, ax = instructions(instr, n, fs, "checks_off")
            bi, bx = instructions(instr, n, fs, "checks_on")
            dv = b["cpu"] - a["cpu"]
            rows.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                n_(n), fs, secs(a, False), secs(b, False), ratio(b, a), ratio(b, a, "cpu"),
                "%.2f" % dv if dv >= 0 else "%.2f (below the noise of one round)" % dv, ai, bi,
                "%.2f" % (bx[0] / ax[0]) if ax and bx else "", where(a, b)))
    return section("The cost of the checks", text, head, align, rows)


def memory(massif):
    if not massif:
        return []
    out = ["",
           "### Where the memory goes (massif)",
           "",
           "valgrind's massif on `render --out --jobs 1 --no-verify`, tenantc's allocation "
           "wrappers and arena counted as allocation functions (an arena block counts for "
           "the call that opened it): the heap at its peak and the sites that hold it (at "
           "least 2 % of it)."]
    big = max(massif)
    for (n, fs), m in sorted(massif.items()):
        out += ["",
                "N = %s on %s (commit %s, load %s): peak heap %.1f MiB (%.0f bytes per tenant) "
                "plus %.1f MiB of allocator overhead." % (
                    n_(n), fs, m["commit"], m["load"], m["heap"] / 1048576,
                    m["heap"] / n, m["extra"] / 1048576)
                + (" Not run at N = 100,000: linear in the tenants from here it would be "
                   "%.0f MiB." % (m["heap"] / n * 100000 / 1048576)
                   if (n, fs) == big and n < 100000 else ""),
                "",
                "| bytes at the peak | share | site |",
                "|---:|---:|---|"]
        for size, where_ in m["sites"]:
            if m["heap"] and size * 50 >= m["heap"]:
                out.append("| %s | %.1f %% | `%s` |" % (
                    "{:,}".format(size), 100.0 * size / m["heap"], where_))
    return out


if __name__ == "__main__":
    sys.exit(main())
