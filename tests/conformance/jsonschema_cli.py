"""jsonschema_cli.py TENANTC SUITE_DIR - the JSON Schema Test Suite through
the command line, as a user would run it:

    tenantc validate --schema schema.json \
        --ref-dir http://localhost:1234/=SUITE/remotes \
        --ref-doc SUITE/metaschemas/<draft> data0.json data1.json ...

Each test case's schema and instances are written to files; an instance is
judged invalid when stderr has an error line for its file. The draft is not
given on the command line (tenantc reads "$schema" or guesses draft-04
from the keywords), unless --draft-flag is passed. Prints
"json-schema-cli <draft>: N/M passed" and exits 1 below 98%.
"""
import json
import os
import subprocess
import sys
import tempfile


def main():
    tenantc, suite = sys.argv[1], sys.argv[2]
    draft_flag = "--draft-flag" in sys.argv
    if not os.path.isdir(os.path.join(suite, "tests")):
        print(f"SKIP: {suite}/tests not found")
        return 77
    rc = 0
    with tempfile.TemporaryDirectory() as tmp:
        for draft, flag in (("draft2020-12", "2020-12"), ("draft4", "4")):
            passed = total = 0
            d = os.path.join(suite, "tests", draft)
            for name in sorted(os.listdir(d)):
                if not name.endswith(".json"):
                    continue
                with open(os.path.join(d, name), encoding="utf-8") as f:
                    cases = json.load(f)
                for ci, case in enumerate(cases):
                    sp = os.path.join(tmp, "schema.json")
                    with open(sp, "w", encoding="utf-8") as f:
                        json.dump(case["schema"], f)
                    files = []
                    for ti, t in enumerate(case["tests"]):
                        p = os.path.join(tmp, f"d{ti}.json")
                        with open(p, "w", encoding="utf-8") as f:
                            json.dump(t["data"], f)
                        files.append(p)
                    cmd = [tenantc, "validate", "--schema", sp,
                           "--ref-dir", "http://localhost:1234/=" + os.path.join(suite, "remotes"),
                           "--ref-doc", os.path.join(suite, "metaschemas", draft)]
                    if draft_flag:
                        cmd += ["--draft", flag]
                    r = subprocess.run(cmd + files, capture_output=True, text=True)
                    bad = {line.split(":", 1)[0] for line in r.stderr.splitlines()
                           if ": error: " in line}
                    for ti, t in enumerate(case["tests"]):
                        total += 1
                        got = r.returncode in (0, 1) and files[ti] not in bad
                        if r.returncode == 2:
                            got = None
                        if got == t["valid"]:
                            passed += 1
                        else:
                            print(f"FAIL {draft}/{name}: {case['description']}: {t['description']}"
                                  + (f" ({r.stderr.strip().splitlines()[0]})" if got is None and r.stderr.strip() else ""))
            print(f"json-schema-cli {draft}: {passed}/{total} passed")
            if total == 0 or passed * 100 < total * 98:
                rc = 1
    return rc


sys.exit(main())
