#!/usr/bin/env python3
"""scripts/test-summary.py - the closing lines of a test run, from meson's logs.

    python3 scripts/test-summary.py build/meson-logs/testlog.json...

meson's test log holds one JSON object per test. This prints

    N passed, M failed, K skipped

and below it one line per skipped test, with the reason the test printed
(its first line starting with "SKIP", on standard output or standard
error; else its last line), so the console says which suites did not run
and why instead of only a count. When a reason names ../shared (the test
data beside the clone), a last line says where README explains it.
"""
import json
import sys

RESULTS_PASSED = ("OK", "EXPECTEDFAIL")


def reason(test):
    text = (test.get("stdout") or "") + "\n" + (test.get("stderr") or "")
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    for l in lines:
        if l.upper().startswith("SKIP"):
            return l
    return lines[-1] if lines else "it printed no reason"


def main(paths):
    passed = failed = 0
    skips = []
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                t = json.loads(line)
                r = t.get("result", "")
                if r in RESULTS_PASSED:
                    passed += 1
                elif r == "SKIP":
                    skips.append((t.get("name", "?"), reason(t)))
                else:
                    failed += 1
    print(f"{passed} passed, {failed} failed, {len(skips)} skipped")
    for name, why in skips:
        print(f"  skipped {name}: {why}")
    if any("/shared" in why or "shared/" in why for _, why in skips):
        print("  (tests that need ../shared skip without it: README.md, \"The test data in ../shared\")")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
