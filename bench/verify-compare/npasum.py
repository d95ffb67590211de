#!/usr/bin/env python3
"""npasum.py FILE TREE - the cross-tenant connections of a netpol-analyzer list.

FILE holds `netpolicy list` output ("src[Kind] => dst[Kind] : conns", an
address range standing for an ipBlock). Prints every connection between pods
of two different tenant namespaces (the Namespaces rendered under TREE),
then the count of those and of all connections.
"""
import glob
import os
import re
import sys

import yaml

tenant_ns = set()
for path in glob.glob(os.path.join(sys.argv[2], "*", "tenants", "*", "namespace-*.yaml")):
    tenant_ns.add(yaml.safe_load(open(path, encoding="utf-8"))["metadata"]["name"])
LINE = re.compile(r"^(\S+) => (\S+) : (.*)$")
cross, total = [], 0
for line in open(sys.argv[1], encoding="utf-8"):
    m = LINE.match(line.strip())
    if not m:
        continue
    total += 1
    s, d = (x.split("/")[0] if "/" in x and "[" in x else None for x in m.group(1, 2))
    if s in tenant_ns and d in tenant_ns and s != d:
        cross.append(line.strip())
for c in cross:
    print(f"  {c}")
print(f"  {len(cross)} of {total} connections between two tenant namespaces")
