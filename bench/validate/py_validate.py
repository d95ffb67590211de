"""py_validate.py SCHEMAS K8SVERSION DIR... - the same validation with
Debian's python3-jsonschema: each object against the schema kubeconform's
layout names for its apiVersion and kind (compiled once per kind), all
errors collected. Prints "objects errors load_seconds validate_seconds"
(CPU time of this process)."""
import glob
import json
import os
import sys
import time

import jsonschema
import yaml


def schema_path(root, k8s, api, kind):
    group, _, version = api.rpartition("/")
    k = kind.lower()
    if group:
        p = os.path.join(root, "crd-json", group, f"{k}_{version}.json")
        if os.path.exists(p):
            return p
        suffix = f"-{group.split('.')[0]}-{version}"
    else:
        suffix = f"-{version}"
    return os.path.join(root, "kubernetes", f"v{k8s}-standalone-strict", f"{k}{suffix}.json")


def main():
    root, k8s, dirs = sys.argv[1], sys.argv[2], sys.argv[3:]
    t0 = time.process_time()
    docs = []
    for d in dirs:
        for f in sorted(glob.glob(os.path.join(d, "**", "*.yaml"), recursive=True)):
            with open(f) as fh:
                docs.extend(x for x in yaml.load_all(fh, Loader=yaml.CSafeLoader) if x)
    t1 = time.process_time()
    validators = {}
    errors = 0
    for o in docs:
        key = (o["apiVersion"], o["kind"])
        v = validators.get(key)
        if v is None:
            with open(schema_path(root, k8s, *key)) as fh:
                s = json.load(fh)
            cls = jsonschema.validators.validator_for(s, default=jsonschema.Draft4Validator)
            v = validators[key] = cls(s)
        errors += sum(1 for _ in v.iter_errors(o))
    t2 = time.process_time()
    print(len(docs), errors, f"{t1 - t0:.3f}", f"{t2 - t1:.3f}")


main()
