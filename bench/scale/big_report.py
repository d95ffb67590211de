#!/usr/bin/python3
"""big_report.py DATA - the section of bench/RESULTS.md that big.sh writes.

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
import sys

NS = (1000, 10000, 100000)
FSS = ("tmpfs", "disk")


def load(path):
    runs, same, commits, loads = {}, {}, set(), []
    for line in open(path, encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        if len(f) < 8:
            continue
        n, fs, key = int(f[0]), f[1], f[2]
        commits.add(f[7])
        if key.startswith("merge_same") or key.startswith("merge_DIFFERENT"):
            same[(n, fs)] = key == "merge_same"
            continue
        runs.setdefault((n, fs, key), []).append((float(f[3]), float(f[4]), int(f[5])))
        loads.append(float(f[6]))
    fig = {}
    for k, v in runs.items():
        walls = sorted(v)
        med = walls[(len(walls) - 1) // 2]
        fig[k] = {"wall": med[0], "cpu": med[1], "rss": max(r[2] for r in v), "runs": len(v)}
    return fig, same, commits, loads


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


def main():
    fig, same, commits, loads = load(sys.argv[1])
    out = ["<!-- bench/scale/big.sh begin -->",
           "## Beyond 10,000 tenants: tenantc against its floors",
           "",
           "Written by `bench/scale/big.sh report` from the runs of `big.sh run N FS` "
           "(commit %s, %d cores, load average %.1f to %.1f while measuring; the machine was "
           "shared, so wall times carry the load and the CPU time in brackets is the steadier "
           "figure). Seconds: median wall (user + system) of the rounds run; memory: peak RSS "
           "(GNU time). tmpfs is /dev/shm, the disk ext4; the tar file of the floor is read "
           "once before it is timed, so it comes from the page cache."
           % (", ".join(sorted(commits)), os.cpu_count() or 0,
              min(loads) if loads else 0, max(loads) if loads else 0),
           "",
           "### A tree render against `tar -x` of the same tree",
           "",
           "| N | fs | render --out s | tar -x s | render / tar -x (wall) | (CPU) |",
           "|---:|---|---:|---:|---:|---:|"]
    for n in NS:
        for fs in FSS:
            t, te = get(fig, n, fs, "tree")
            x, xe = get(fig, n, fs, "tar_x")
            if t is None and x is None:
                continue
            out.append("| %s | %s | %s | %s | %s | %s |" % (
                "{:,}".format(n), fs, secs(t, te), secs(x, xe), ratio(t, x), ratio(t, x, "cpu")))
    out += ["",
            "### `render --stdout` and memory",
            "",
            "Memory without a cache is the tree render's (`--out`); with a cache the render "
            "reads a git revision, first with an empty cache and then again.",
            "",
            "| N | --stdout s | RSS MiB: --out | --stdout | cache, first | cache, again |",
            "|---:|---:|---:|---:|---:|---:|"]
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

        def rss(key):
            f = fig.get((n, fs, key)) or fig.get((n, "tmpfs" if fs == "disk" else "disk", key))
            return mib(f["rss"]) if f else "not run"
        out.append("| %s | %s | %s | %s | %s | %s |" % (
            "{:,}".format(n), secs(s, se), rss("tree"), rss("stdout"), rss("cache_cold"),
            rss("cache_warm")))
    growth = []
    for key, what in (("tree", "--out"), ("stdout", "--stdout"), ("cache_cold", "cache, first"),
                      ("cache_warm", "cache, again")):
        a = [fig[(10000, fs, key)]["rss"] for fs in FSS if (10000, fs, key) in fig]
        b = [fig[(100000, fs, key)]["rss"] for fs in FSS if (100000, fs, key) in fig]
        if a and b:
            growth.append("%s %.2f KiB" % (what, (max(b) - max(a)) / 90000))
    if growth:
        out += ["", "Growth per added tenant between 10,000 and 100,000: " + ", ".join(growth) + "."]
    out += ["",
            "### `tenantc merge` of 8 shards against `cp -r` of the same shard trees",
            "",
            "| N | fs | cp -r s | merge s | merge / cp -r (wall) | (CPU) | merge --move s | --move / cp -r | bytes |",
            "|---:|---|---:|---:|---:|---:|---:|---:|---|"]
    for n in NS:
        for fs in FSS:
            c, ce = get(fig, n, fs, "merge_cp")
            m, me = get(fig, n, fs, "merge")
            v, ve = get(fig, n, fs, "merge_move")
            if c is None:
                continue
            b = same.get((n, fs))
            out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                "{:,}".format(n), fs, secs(c, ce), secs(m, me), ratio(m, c),
                ratio(m, c, "cpu"), secs(v, ve), ratio(v, c),
                "same as one render (`diff -r`)" if b else "DIFFERENT" if b is False else "not compared"))
    out += ["",
            "An *extrapolated* figure was not measured: at N = 100,000 one tree is 1.6 million "
            "files, and the shared /dev/shm of this machine had fewer free inodes than that.",
            "<!-- bench/scale/big.sh end -->"]
    print("\n".join(out))


if __name__ == "__main__":
    sys.exit(main())
