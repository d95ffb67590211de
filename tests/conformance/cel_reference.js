// cel_reference.js - the reference CEL evaluator npm's @bufbuild/cel, run
// in process over the cel-spec cases that cel_spec.js runs through tenantc,
// so that both pass counts print side by side. Values cross as the JSON
// form of cel.expr.Value: toInput() turns a case's binding into the
// evaluator's input, toTyped() its result back into that form, which
// cel_spec.js compares the same way for both.
//
//   const ref = require("./cel_reference.js")(NODE_MODULES_DIR);
//   ref.run(expr, bindings) -> { value } | { error[, syntax: true] }
"use strict";
const path = require("path");

module.exports = function load(modules) {
  const cel = require(path.join(modules, "@bufbuild/cel"));
  const ext = require(path.join(modules, "@bufbuild/cel/dist/cjs/ext/index.js"));
  const pb = require(path.join(modules, "@bufbuild/protobuf"));
  const wkt = require(path.join(modules, "@bufbuild/protobuf/dist/cjs/wkt/index.js"));

  function durationParts(s) {
    const m = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/.exec(s);
    if (!m) throw new Error(`bad duration ${s}`);
    const sign = m[1] ? -1n : 1n;
    return { seconds: sign * BigInt(m[2]), nanos: Number(sign) * Number((m[3] || "").padEnd(9, "0") || "0") };
  }
  function toInput(v) {
    const k = Object.keys(v)[0], x = v[k];
    switch (k) {
      case "nullValue": return null;
      case "boolValue": return x;
      case "int64Value": return BigInt(x);
      case "uint64Value": return cel.celUint(BigInt(x));
      case "doubleValue": return Number(x);
      case "stringValue": return x;
      case "bytesValue": return new Uint8Array(Buffer.from(x, "base64"));
      case "listValue": return (x.values || []).map(toInput);
      case "mapValue": return new Map((x.entries || []).map((e) => [toInput(e.key), toInput(e.value)]));
      case "objectValue":
        if (/Duration$/.test(x["@type"])) return pb.create(wkt.DurationSchema, durationParts(x.value));
        if (/Timestamp$/.test(x["@type"])) {
          const m = /^(.*?)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(x.value);
          if (!m) throw new Error(`bad timestamp ${x.value}`);
          const ms = Date.parse(m[1] + m[3]);
          return pb.create(wkt.TimestampSchema, {
            seconds: BigInt(Math.floor(ms / 1000)),
            nanos: Number((m[2] || "").padEnd(9, "0") || "0"),
          });
        }
        throw new Error(`no input form for ${x["@type"]}`);
      default: throw new Error(`no input form for ${k}`);
    }
  }
  function seconds(sec, nanos) {
    const neg = sec < 0n || nanos < 0;
    const s = (sec < 0n ? -sec : sec).toString();
    const n = Math.abs(nanos);
    const frac = n ? "." + String(n).padStart(9, "0").replace(/0+$/, "") : "";
    return `${neg ? "-" : ""}${s}${frac}s`;
  }
  function toTyped(v) {
    if (v === null) return { nullValue: null };
    if (typeof v === "boolean") return { boolValue: v };
    if (typeof v === "bigint") return { int64Value: v.toString() };
    if (typeof v === "number") return { doubleValue: Number.isFinite(v) ? v : String(v) };
    if (typeof v === "string") return { stringValue: v };
    if (v instanceof Uint8Array) return { bytesValue: Buffer.from(v).toString("base64") };
    if (cel.isCelUint(v)) return { uint64Value: v.value.toString() };
    if (cel.isCelList(v)) return { listValue: { values: [...v].map(toTyped) } };
    if (cel.isCelMap(v)) return { mapValue: { entries: [...v.entries()].map(([key, value]) => ({ key: toTyped(key), value: toTyped(value) })) } };
    if (cel.isCelType(v)) return { typeValue: v.name };
    const msg = v && (v.message || v);
    const name = msg && msg.$typeName;
    if (name === "google.protobuf.Duration")
      return { objectValue: { "@type": "type.googleapis.com/" + name, value: seconds(msg.seconds, msg.nanos) } };
    if (name === "google.protobuf.Timestamp") {
      const d = wkt.timestampDate(msg).toISOString().replace(/\.\d+Z$/, "");
      const frac = msg.nanos ? "." + String(msg.nanos).padStart(9, "0").replace(/0+$/, "") : "";
      return { objectValue: { "@type": "type.googleapis.com/" + name, value: d + frac + "Z" } };
    }
    throw new Error("no typed form for the result");
  }
  return {
    version: require(path.join(modules, "@bufbuild/cel/package.json")).version,
    run(expr, bindings) {
      try {
        cel.parse(expr);
      } catch (e) {
        return { error: String(e.message || e), syntax: true };
      }
      try {
        const b = {};
        for (const [k, v] of Object.entries(bindings || {})) b[k] = toInput(v.value);
        const r = cel.run(expr, b, { funcs: ext.strings });
        if (cel.isCelError(r)) return { error: r.message || "error" };
        return { value: toTyped(r) };
      } catch (e) {
        return { error: "reference runner: " + e.message };
      }
    },
  };
};
