#!/bin/sh
# tests/integration/cel.sh - `tenantc cel`: the result as one line of JSON
# in the form docs/cel.md gives, a context file of variables (YAML, JSON,
# or typed cel.expr.Value JSON), and every bad input as one line
# "<expr>:LINE:COL: error: ..." or "FILE:LINE:COL: error: ..." with exit 2.
. "$(dirname "$0")/lib.sh"

c() { run "$TENANTC" cel "$@" </dev/null; }

c '[1, 2, 3].map(x, x * 2)'
expect 'a list prints as a JSON array' 'expect_status 0 && expect_stdout "^\[2,4,6\]$"'
c "[1u, 1.0, b'ab', duration('90s'), timestamp('2009-02-13T23:31:30Z'), int, null]"
expect 'uint, double, bytes, duration, timestamp, type and null have their JSON forms' \
	'expect_status 0 && expect_stdout_has "[1,1.0,\"YWI=\",\"90s\",\"2009-02-13T23:31:30Z\",\"int\",null]"'
c "{1: 'a', true: 'b'}"
expect 'map keys that are no strings are written as JSON text' \
	'expect_status 0 && expect_stdout_has "{\"1\":\"a\",\"true\":\"b\"}"'
c --typed '1u'
expect '--typed prints the cel.expr.Value form' \
	'expect_status 0 && expect_stdout_has "{\"uint64Value\":\"1\"}"'

cat >"$T/ctx.yaml" <<'YAML'
self:
  spec:
    replicas: 3
    paused: false
limit: 5
YAML
c 'self.spec.replicas <= limit && !self.spec.paused' --context "$T/ctx.yaml"
expect 'the keys of a YAML context are variables' 'expect_status 0 && expect_stdout "^true$"'
echo '{"n": {"uint64Value": "18446744073709551615"}}' >"$T/typed.json"
c 'n + 0u' --typed --context "$T/typed.json"
expect 'a typed context holds uints' \
	'expect_status 0 && expect_stdout_has "18446744073709551615"'
printf "size(b'\\000')" >"$T/expr.cel"
run "$TENANTC" cel - <"$T/expr.cel"
expect 'EXPR - reads the expression from standard input' 'expect_status 0 && expect_stdout "^1$"'

c '1 + '
expect 'a syntax error points at its column' \
	'expect_status 2 && expect_stderr_first "<expr>:1:5: error: syntax error: unexpected end of expression" && expect_stdout_empty'
c 'self.spec.replicas / 0' --context "$T/ctx.yaml"
expect 'an evaluation error points at the operator' \
	'expect_status 2 && expect_stderr_first "<expr>:1:20: error: division by zero" && expect_stdout_empty'
c 'self.spec.missing' --context "$T/ctx.yaml"
expect 'a missing key is an error' \
	'expect_status 2 && expect_stderr_first "<expr>:1:10: error: no such key: missing"'
c '[0,1,2,3,4,5,6,7,8,9].map(a, [0,1,2,3,4,5,6,7,8,9].map(b, [0,1,2,3,4,5,6,7,8,9].map(c, a)))' \
	--max-cost 500
expect 'the cost budget stops an expensive expression' \
	'expect_status 2 && expect_stderr "error: cost budget exceeded: the expression costs more than 500 units"'
echo '[1]' >"$T/list.json"
c '1' --context "$T/list.json"
expect 'a context that is no object is refused' \
	'expect_status 2 && expect_stderr_first "$T/list.json:1:1: error: the context must be an object of variables"'
echo '{"x": {"objectValue": {"@type": "type.googleapis.com/a.B"}}}' >"$T/bad.json"
c 'x' --typed --context "$T/bad.json"
expect 'a typed value of a message type is refused' \
	'expect_status 2 && expect_stderr_first "$T/bad.json:1:7: error: objectValue of a message type (at .x)"'
c '1' --context "$T/none.yaml"
expect 'a missing context file is an error' 'expect_status 2 && expect_stderr "cannot read"'

# --check: the static checker and cel-go's cost model (docs/cel.md)
c 'self.spec.replicas <= limit && !self.spec.paused' --context "$T/ctx.yaml" --check
expect '--check prints the type and the estimated cost' \
	'expect_status 0 && expect_stdout "^{\"type\":\"bool\",\"estimatedCost\":{\"min\":5,\"max\":9}}$"'
c "1 + 'a'" --check
expect '--check reports a type error that literals make certain' \
	'expect_status 2 && expect_stderr_first "<expr>:1:3: error: found no matching overload for '"'"'_+_'"'"' applied to '"'"'(int, string)'"'"'" && expect_stdout_empty'
c "isIP('10.0.0.1') && quantity('1Ki').asInteger() == 1024 && url('https://a.example/x').getHost() == 'a.example'" --check
expect '--check knows the Kubernetes libraries (k8s.io/apiserver pkg/cel/library: ip, quantity, url)' \
	'expect_status 0 && expect_stdout "^{\"type\":\"bool\","'
c 'nosuch(1)' --check
expect '--check reports an undeclared function' \
	'expect_status 2 && expect_stderr_first "<expr>:1:1: error: undeclared reference to '"'"'nosuch'"'"'"'
c 'nope.all(x, x > 0)' --check
expect '--check reports an undeclared variable' \
	'expect_status 2 && expect_stderr_first "<expr>:1:1: error: undeclared reference to '"'"'nope'"'"'"'
c "'a'.indexOf()" --check
expect '--check reports a call with a wrong number of arguments' \
	'expect_status 2 && expect_stderr_first "<expr>:1:5: error: found no matching overload for '"'"'indexOf'"'"' applied to '"'"'(string)'"'"'"'
c '[0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,6,7,8,9].map(a, [0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,6,7,8,9].map(b, [0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,6,7,8,9].map(c, [0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,6,7,8,9].map(d, [0,1,2,3,4,5,6,7,8,9].map(e, a)))))' --check
expect '--check refuses an estimate above the API server limit for one CRD rule (StaticEstimatedCostLimit)' \
	'expect_status 2 && expect_stderr_first "<expr>:1:43: error: the estimated cost 26189460 is above the API server'"'"'s limit of 10000000 for one expression"'

# the extensions (cel-go ext strings, math, encoders, bindings)
c "'a,b,c'.split(',').map(x, x.upperAscii()).join('-') + '%d'.format([math.greatest(1, 2)]) + string(base64.decode('aGk'))"
expect 'the extension libraries evaluate' 'expect_status 0 && expect_stdout "^\"A-B-C2hi\"$"'
finish
