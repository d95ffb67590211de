#!/usr/bin/python3
"""massif_sites.py MASSIF_OUT N FS COMMIT LOAD - the peak of a massif profile.

Reads valgrind's massif output (run with tenantc's allocation wrappers as
--alloc-fn, so a site is the function that asked for the memory) and
prints rows of big.sh's massif summary, tab-separated:

  N FS COMMIT LOAD peak HEAP_BYTES EXTRA_BYTES
  N FS COMMIT LOAD site BYTES FUNCTION (FILE:LINE)

one row per allocation site directly below the peak snapshot's root,
largest first (massif's own "below threshold" remainder included as it
names it). Plain python3, no third-party modules.
"""
import re
import sys

NODE = re.compile(r"^( *)n(\d+): (\d+) (.*)$")


def snapshots(path):
    snap, tree = {}, None
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        if line.startswith("snapshot="):
            if snap:
                yield snap
            snap, tree = {"tree": []}, None
            continue
        m = NODE.match(line)
        if m and tree is not None:
            tree.append((len(m.group(1)), int(m.group(3)), m.group(4)))
            continue
        key, _, val = line.partition("=")
        if key in ("mem_heap_B", "mem_heap_extra_B"):
            snap[key] = int(val)
        elif key == "heap_tree":
            snap["kind"] = val
            tree = snap["tree"]
    if snap:
        yield snap


def site(text):
    """'0x4A1B2C: tc_refs_add (k8s_refs.c:120)' -> 'tc_refs_add (k8s_refs.c:120)'"""
    return re.sub(r"^0x[0-9A-Fa-f]+: ", "", text)


# allocation helpers that massif sees as frames of their own when the
# compiler inlined them (--alloc-fn does not match an inlined frame): a
# site below one of them is its caller
WRAPPERS = ("tc_grow ", "tc_grow_to ")


def top_sites(tree):
    """(bytes, site) of the nodes right below the root, looking through
    WRAPPERS to their callers. tree: (depth, bytes, text) in massif's
    order, each node followed by its children one space deeper."""
    root = {"kids": []}
    stack = [(-1, root)]
    for depth, size, text in tree:
        node = {"size": size, "site": site(text), "kids": []}
        while stack[-1][0] >= depth:
            stack.pop()
        stack[-1][1]["kids"].append(node)
        stack.append((depth, node))

    def sites(nodes):
        for x in nodes:
            if x["site"].startswith(WRAPPERS) and x["kids"]:
                yield from sites(x["kids"])
            else:
                yield x["size"], x["site"]
    return list(sites(root["kids"][0]["kids"] if root["kids"] else []))


def main():
    if len(sys.argv) != 6:
        sys.stderr.write("usage: massif_sites.py MASSIF_OUT N FS COMMIT LOAD\n")
        return 2
    path, n, fs, commit, load = sys.argv[1:]
    peak = [s for s in snapshots(path) if s.get("kind") == "peak"]
    if not peak:
        sys.stderr.write("massif_sites.py: %s has no peak snapshot\n" % path)
        return 1
    p = peak[0]
    head = "\t".join((n, fs, commit, load))
    print("%s\tpeak\t%d\t%d" % (head, p.get("mem_heap_B", 0), p.get("mem_heap_extra_B", 0)))
    sites = {}
    for size, k in top_sites(p["tree"]):
        sites[k] = sites.get(k, 0) + size
    for k, size in sorted(sites.items(), key=lambda kv: (-kv[1], kv[0])):
        print("%s\tsite\t%d\t%s" % (head, size, k.replace("\t", " ")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
