// cel_spec.js - run the cel-spec "simple" conformance tests (as the npm
// package @bufbuild/cel-spec carries them) through `tenantc cel --typed`.
//
//   node cel_spec.js PACKAGE_DIR TENANTC THRESHOLD_FILE
//
// Every case of the core sections that uses no protobuf message type is run:
// its bindings are written as a typed context, the expression is evaluated,
// and the result is compared with the expected value (or the expected
// evaluation error: any error but a syntax error passes, as cel-spec leaves
// the messages to the implementation). Prints passes per file and in all,
// and fails when the overall percentage is below the committed threshold.
// Every passing case that cel-spec does not mark as runtime-only also goes
// through `tenantc cel --check`, which must accept it (no static error).
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const { spawnSync } = require("child_process");

const [pkg, tenantc, thresholdFile, refModules] = process.argv.slice(2);
// the reference evaluator (cel_reference.js), or why it does not run
let ref = null, refSkip = process.env.CEL_REFERENCE_SKIP || "no reference evaluator given";
if (refModules) {
  try { ref = require("./cel_reference.js")(refModules); } catch (e) { refSkip = `cannot load @bufbuild/cel: ${e.message}`; }
}
const { tests } = require(path.join(pkg, "dist/cjs/testdata/conformance.js"));

// Sections left out whole, and why (docs/cel.md says the same).
const skipSections = {
  proto2: "protobuf messages",
  proto2_ext: "protobuf messages",
  proto3: "protobuf messages",
  wrappers: "protobuf wrapper messages",
  enums: "protobuf enums",
  namespace: "protobuf containers",
};

const wkt = /type\.googleapis\.com\/google\.protobuf\.(Duration|Timestamp)$/;
// Why a case is skipped, or null to run it.
function skipReason(t) {
  const o = t.original;
  if (o.typedResult && o.typedResult.result && !o.value) o.value = o.typedResult.result;
  if (o.container) return "container";
  if (o.disableMacros) return "macros disabled";
  if (o.checkOnly) return "checker only";
  if (o.unknown || o.anyUnknowns) return "unknowns";
  // a case that names no result expects true (cel-spec simple.proto: "If
  // none specified, the result is expected to be the boolean true")
  if (!o.value && !o.evalError && !o.anyEvalErrors && !o.typedResult) o.value = { boolValue: true };
  const js = JSON.stringify(o);
  for (const m of js.matchAll(/"@type":"([^"]*)"/g)) if (!wkt.test(m[1])) return "protobuf message";
  if (/messageType|enumValue|objectValue":\{(?!"@type")/.test(js)) return "protobuf message";
  if (/"typeEnv"/.test(js) && /messageType/.test(js)) return "protobuf message";
  if (/google\.protobuf\.(?!Duration|Timestamp)|cel\.expr\.conformance|TestAllTypes|NestedTestAllTypes|\b[A-Z][A-Za-z0-9_]*\s*\{/.test(o.expr))
    return "protobuf message";
  return null;
}

const bigIntOf = (x) => BigInt(x);
function durationNs(s) {
  const m = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/.exec(s);
  if (!m) return null;
  const ns = BigInt(m[2]) * 1000000000n + BigInt((m[3] || "").padEnd(9, "0") || "0");
  return m[1] ? -ns : ns;
}
function timestampNs(s) {
  const m = /^(.*?)(?:\.(\d{1,9}))?Z$/.exec(s);
  if (!m) return null;
  const ms = Date.parse(m[1] + "Z");
  if (Number.isNaN(ms)) return null;
  return BigInt(ms) * 1000000n + BigInt((m[2] || "").padEnd(9, "0") || "0");
}
const b64 = (s) => Buffer.from(s, "base64").toString("hex");

function eq(want, got) {
  if (!want || !got || typeof want !== "object" || typeof got !== "object") return false;
  const wk = Object.keys(want)[0], gk = Object.keys(got)[0];
  if (wk !== gk) return false;
  const w = want[wk], g = got[gk];
  switch (wk) {
    case "nullValue": return true;
    case "boolValue": case "stringValue": case "typeValue": return w === g;
    case "int64Value": case "uint64Value": return bigIntOf(w) === bigIntOf(g);
    case "doubleValue": {
      const a = Number(w), b = Number(g);
      if (Number.isNaN(a)) return Number.isNaN(b);
      return a === b && (a !== 0 || Object.is(a, b));
    }
    case "bytesValue": return b64(w) === b64(g);
    case "listValue": {
      const a = w.values || [], b = g.values || [];
      return a.length === b.length && a.every((x, i) => eq(x, b[i]));
    }
    case "mapValue": {
      const a = w.entries || [], b = g.entries || [];
      return a.length === b.length &&
        a.every((e) => b.some((f) => eq(e.key, f.key) && eq(e.value, f.value)));
    }
    case "objectValue": {
      if (w["@type"] !== g["@type"]) return false;
      const f = /Duration$/.test(w["@type"]) ? durationNs : timestampNs;
      const a = f(w.value), b = f(g.value);
      return a !== null && a === b;
    }
    default: return false;
  }
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cel-spec-"));
const ctxFile = path.join(tmp, "context.json");
let pass = 0, run = 0, skipped = 0, checkPass = 0, checkRun = 0, refPass = 0;
const failures = [], checkFailures = [];
for (const file of tests.suites) {
  if (skipSections[file.name]) {
    let n = 0;
    const count = (s) => { n += (s.tests || []).length; (s.suites || []).forEach(count); };
    count(file);
    console.log(`${file.name}: skipped (${n} cases): ${skipSections[file.name]}`);
    skipped += n;
    continue;
  }
  let fp = 0, fr = 0, fs_ = 0, frp = 0;
  const reasons = {};
  const walk = (s, where) => {
    for (const sub of s.suites || []) walk(sub, where + "/" + sub.name);
    for (const t of s.tests || []) {
      const o = t.original;
      const why = skipReason(t);
      if (why) { fs_++; reasons[why] = (reasons[why] || 0) + 1; continue; }
      fr++;
      const ctx = {};
      for (const [k, v] of Object.entries(o.bindings || {})) ctx[k] = v.value;
      fs.writeFileSync(ctxFile, JSON.stringify(ctx));
      const r = spawnSync(tenantc, ["cel", "--typed", "--context", ctxFile, "-"],
        { input: o.expr, encoding: "utf8", timeout: 10000 });
      let ok;
      if (o.value) {
        let got = null;
        try { got = r.status === 0 ? JSON.parse(r.stdout) : null; } catch (e) { got = null; }
        ok = eq(o.value, got);
      } else {
        ok = r.status === 2 && /error: /.test(r.stderr) && !/syntax error:/.test(r.stderr);
      }
      // the static checker must accept every case whose evaluation passes
      // (the cases that cel-spec marks disable_check are runtime-only)
      if (ok && o.value && !o.disableCheck) {
        checkRun++;
        const c = spawnSync(tenantc, ["cel", "--check", "--typed", "--context", ctxFile, "-"],
          { input: o.expr, encoding: "utf8", timeout: 10000 });
        if (c.status === 0 || /estimated cost/.test(c.stderr)) checkPass++;
        else checkFailures.push(`${where}/${o.name}: ${o.expr} => ${(c.stderr || "").trim()}`);
      }
      if (ok) fp++;
      if (ref) {
        const rr = ref.run(o.expr, o.bindings);
        const rok = o.value ? rr.value !== undefined && eq(o.value, rr.value) : rr.error !== undefined && !rr.syntax;
        if (rok) frp++;
      }
      else failures.push(`${where}/${o.name}: ${o.expr} => ${(r.stdout || "").trim()}${(r.stderr || "").trim()}`);
    }
  };
  walk(file, file.name);
  pass += fp; run += fr; skipped += fs_; refPass += frp;
  const pct = fr ? ((100 * fp) / fr).toFixed(1) : "100.0";
  const refText = ref ? `; @bufbuild/cel ${frp}/${fr}` : "";
  const whyText = Object.keys(reasons).sort().map((k) => `${k}: ${reasons[k]}`).join(", ");
  console.log(`${file.name}: ${fp}/${fr} passed (${pct}%), ${fs_} skipped${whyText ? ` (${whyText})` : ""}${refText}`);
}
fs.rmSync(tmp, { recursive: true, force: true });
if (process.env.CEL_SPEC_VERBOSE) for (const f of failures) console.log("FAIL " + f);
for (const f of checkFailures) console.log("CHECK FAIL " + f);
console.log(`cel-spec checker: accepted ${checkPass}/${checkRun} of the passing cases it can check`);
const pct = (100 * pass) / run;
if (ref)
  console.log(`reference: @bufbuild/cel ${ref.version} passed ${refPass}/${run} (${((100 * refPass) / run).toFixed(2)}%) of the same cases (with the one extension library it has, strings), tenantc ${pass}/${run}`);
else
  console.log(`reference: SKIP: ${refSkip}`);
const threshold = parseFloat(fs.readFileSync(thresholdFile, "utf8").replace(/#.*$/gm, ""));
console.log(`cel-spec: ${pass}/${run} passed (${pct.toFixed(2)}%), ${skipped} skipped; threshold ${threshold}%`);
process.exit(pct + 1e-9 >= threshold && checkPass === checkRun ? 0 : 1);
