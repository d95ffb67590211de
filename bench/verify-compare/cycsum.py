#!/usr/bin/env python3
"""cycsum.py FILE - the allowed flows of a Cyclonus query-traffic report.

FILE holds `cyclonus analyze --mode query-traffic` output: per traffic
object a "Traffic:" table and an "IS ALLOWED?" verdict. Prints one line per
(source namespace, destination namespace) with the number of allowed app
pairs, then the totals.
"""
import re
import sys

text = open(sys.argv[1], encoding="utf-8").read()
allowed, total = {}, 0
for block in text.split("Traffic:")[1:]:
    src = re.search(r"\| source +\| [0-9.]+ +\| (\S+)", block).group(1)
    dst = re.search(r"\| destination +\| [0-9.]+ +\| (\S+)", block).group(1)
    verdict = re.search(r"IS ALLOWED\? \| +(TRUE|FALSE)", block).group(1)
    total += 1
    if verdict == "TRUE":
        allowed[(src, dst)] = allowed.get((src, dst), 0) + 1
for (s, d), n in sorted(allowed.items()):
    print(f"  {s} -> {d}: {n} allowed")
print(f"  {sum(allowed.values())} of {total} queried flows allowed")
