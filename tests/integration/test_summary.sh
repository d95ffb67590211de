#!/bin/sh
# test_summary.sh - the closing lines of `sh scripts/dev.sh test` (and so
# of .ci/run): the count, then every skipped test with the reason it
# printed, read from meson's test log (scripts/test-summary.py). The
# reason is the test's first line starting with SKIP, on standard output
# or standard error, else its last line; a reason naming ../shared adds
# the pointer to README's section on it.
. "$(dirname "$0")/lib.sh"

summary="$SRC/scripts/test-summary.py"
log="$T/testlog.json"
python3 - "$log" <<'PY'
import json, sys
tests = [
    {"name": "tenantc:unit / value", "result": "OK", "stdout": "5 passed\n"},
    {"name": "tenantc:unit / xfail", "result": "EXPECTEDFAIL", "stdout": ""},
    {"name": "tenantc:unit / broken", "result": "FAIL", "stdout": "FAIL x\n"},
    {"name": "tenantc:unit / slow", "result": "TIMEOUT", "stdout": ""},
    {"name": "tenantc:conformance / json-schema", "result": "SKIP",
     "stdout": "SKIP: /src/../shared/conformance/json-schema/tests not found\n"},
    {"name": "tenantc:integration / precommit", "result": "SKIP", "stdout": "# setting up\n",
     "stderr": "SKIP: pre-commit is not installed and cannot be installed here\n"},
    {"name": "tenantc:interop / interop-sops", "result": "SKIP",
     "stdout": "building sops\ngo: no network\n\n"},
    {"name": "tenantc:style / format", "result": "SKIP", "stdout": ""},
]
with open(sys.argv[1], "w") as f:
    for t in tests:
        f.write(json.dumps(t) + "\n")
PY
run python3 "$summary" "$log"
cat >"$T/want" <<'TXT'
2 passed, 2 failed, 4 skipped
  skipped tenantc:conformance / json-schema: SKIP: /src/../shared/conformance/json-schema/tests not found
  skipped tenantc:integration / precommit: SKIP: pre-commit is not installed and cannot be installed here
  skipped tenantc:interop / interop-sops: go: no network
  skipped tenantc:style / format: it printed no reason
  (tests that need ../shared skip without it: README.md, "The test data in ../shared")
TXT
expect "the count, then each skipped test and its reason" \
	'expect_status 0 && diff "$T/want" "$T/stdout" >"$T/diff" || { why="${why:-$(cat "$T/diff")}"; false; }'
expect "README has the section the last line names" \
	'grep -q "^### The test data in \`../shared\`" "$SRC/README.md"'

# the count of two logs (dev.sh passes one per build) adds up; no skip, no list
python3 -c 'import json; print(json.dumps({"name": "a", "result": "OK", "stdout": ""}))' >"$T/ok.json"
run python3 "$summary" "$T/ok.json" "$T/ok.json"
expect "two logs: one count, nothing skipped" \
	'expect_status 0 && [ "$(cat "$T/stdout")" = "2 passed, 0 failed, 0 skipped" ]'

# dev.sh and .ci/run print what the script prints
expect "dev.sh prints its summary through the script" \
	'grep -q "python3 scripts/test-summary.py" "$SRC/scripts/dev.sh"'
finish
