// sops_check.mjs - an independent SOPS reader and writer built on
// third-party code (npm sops-age, age-encryption and yaml, and node's
// crypto), to check tenantc's files from the outside.
//
//   node sops_check.mjs MODULES verify FILE KEYFILE [EXPECTED.json]
//       sops-age decrypts FILE (and the values must equal EXPECTED's), and
//       the MAC is recomputed here over the document order and compared
//   node sops_check.mjs MODULES refuse FILE KEYFILE
//       sops-age must fail to decrypt FILE with that key
//   node sops_check.mjs MODULES encrypt PLAIN.json RECIPIENT LASTMODIFIED
//       write a SOPS Secret for RECIPIENT (random data key and IVs) to stdout
//
// MODULES is the node_modules folder the packages were installed into.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [mods, mode, ...args] = process.argv.slice(2);
const load = (p) => import(pathToFileURL(path.join(mods, p)).href);
const { decryptSops } = await load("sops-age/dist/index.js");
const age = await load("age-encryption/dist/index.js");
const YAML = await load("yaml/dist/index.js");

const secretKeyOf = (file) =>
  fs.readFileSync(file, "utf8").split(/\r?\n/).find((l) => l.startsWith("AGE-SECRET-KEY-1"));

function fail(msg) {
  console.error("FAIL " + msg);
  process.exit(1);
}

const ENC = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]$/;

function gcmOpen(key, enc, aad) {
  const m = ENC.exec(enc);
  if (!m) fail(`not an ENC value: ${enc.slice(0, 30)}`);
  const iv = Buffer.from(m[2], "base64");
  const d = crypto.createDecipheriv("aes-256-gcm", key, iv);
  d.setAAD(Buffer.from(aad, "utf8"));
  d.setAuthTag(Buffer.from(m[3], "base64"));
  return { pt: Buffer.concat([d.update(Buffer.from(m[1], "base64")), d.final()]), type: m[4] };
}

function gcmSeal(key, pt, aad, type) {
  const iv = crypto.randomBytes(32);
  const c = crypto.createCipheriv("aes-256-gcm", key, iv);
  c.setAAD(Buffer.from(aad, "utf8"));
  const ct = Buffer.concat([c.update(Buffer.from(pt, "utf8")), c.final()]);
  const b = (x) => x.toString("base64");
  return `ENC[AES256_GCM,data:${b(ct)},iv:${b(iv)},tag:${b(c.getAuthTag())},type:${type}]`;
}

async function dataKey(meta, secretKey) {
  for (const e of meta.age || []) {
    try {
      const d = new age.Decrypter();
      d.addIdentity(secretKey);
      return Buffer.from(await d.decrypt(age.armor.decode(e.enc)));
    } catch {
      /* the next entry */
    }
  }
  fail("no age entry opens with the key");
}

// The MAC as sops computes it: SHA-512 over every non-null value in
// document order (plaintext for encrypted ones), upper-case hex.
async function verifyMac(text, secretKey) {
  const doc = YAML.parseDocument(text, { version: "1.2" });
  const meta = doc.get("sops", false).toJSON();
  const key = await dataKey(meta, secretKey);
  if (key.length !== 32) fail(`data key of ${key.length} bytes`);
  const re = meta.encrypted_regex ? new RegExp(meta.encrypted_regex) : null;
  const suffix = meta.unencrypted_suffix || (re ? null : "_unencrypted");
  const h = crypto.createHash("sha512");
  const walk = (node, keys) => {
    if (YAML.isMap(node)) {
      for (const it of node.items) {
        const k = String(it.key.value);
        if (keys.length === 0 && k === "sops") continue;
        walk(it.value, [...keys, k]);
      }
    } else if (YAML.isSeq(node)) {
      for (const it of node.items) walk(it, keys);
    } else if (YAML.isScalar(node) && node.value !== null) {
      const enc = re ? keys.some((k) => re.test(k)) : !keys.some((k) => k.endsWith(suffix));
      const v = node.value;
      if (enc && v !== "") {
        h.update(gcmOpen(key, v, keys.map((k) => k + ":").join("")).pt);
      } else if (typeof v === "boolean") {
        h.update(v ? "True" : "False");
      } else {
        h.update(String(v));
      }
    }
  };
  walk(doc.contents, []);
  const mac = gcmOpen(key, meta.mac, meta.lastmodified).pt.toString();
  const want = h.digest("hex").toUpperCase();
  if (mac !== want) fail(`MAC mismatch: file ${mac.slice(0, 16)}..., computed ${want.slice(0, 16)}...`);
}

if (mode === "verify") {
  const [file, keyFile, expected] = args;
  const text = fs.readFileSync(file, "utf8");
  const secretKey = secretKeyOf(keyFile);
  const plain = await decryptSops(text, { secretKey, fileType: "yaml" });
  if (expected) {
    const want = JSON.parse(fs.readFileSync(expected, "utf8"));
    for (const sec of ["data", "stringData"]) {
      for (const [k, v] of Object.entries(want[sec] || {})) {
        if (!plain[sec] || plain[sec][k] !== v) fail(`${sec}.${k} differs after sops-age decryption`);
      }
    }
    if (want.metadata && plain.metadata.namespace !== want.metadata.namespace)
      fail("metadata.namespace differs");
  }
  await verifyMac(text, secretKey);
  console.log(`OK ${file}`);
} else if (mode === "refuse") {
  const [file, keyFile] = args;
  try {
    await decryptSops(fs.readFileSync(file, "utf8"), { secretKey: secretKeyOf(keyFile), fileType: "yaml" });
  } catch (e) {
    console.log(`OK refused ${file}: ${String(e.message || e).split("\n")[0]}`);
    process.exit(0);
  }
  fail(`${file} decrypted with the wrong key`);
} else if (mode === "encrypt") {
  const [plainFile, recipient, lastmodified] = args;
  const p = JSON.parse(fs.readFileSync(plainFile, "utf8"));
  const key = crypto.randomBytes(32);
  const h = crypto.createHash("sha512");
  const q = (s) => JSON.stringify(s);
  const lines = [`apiVersion: ${q(p.apiVersion)}`, `kind: ${q(p.kind)}`, "metadata:", `  name: ${q(p.metadata.name)}`];
  h.update(p.apiVersion).update(p.kind).update(p.metadata.name);
  lines.push("stringData:");
  for (const [k, v] of Object.entries(p.stringData)) {
    lines.push(`  ${q(k)}: ${gcmSeal(key, v, `stringData:${k}:`, "str")}`);
    h.update(v);
  }
  const e = new age.Encrypter();
  e.addRecipient(recipient);
  const armored = age.armor.encode(await e.encrypt(new Uint8Array(key)));
  lines.push("sops:", "  age:", `    - recipient: ${recipient}`, "      enc: |");
  for (const l of armored.trimEnd().split("\n")) lines.push("        " + l);
  lines.push(`  lastmodified: ${q(lastmodified)}`);
  lines.push(`  mac: ${gcmSeal(key, h.digest("hex").toUpperCase(), lastmodified, "str")}`);
  lines.push("  encrypted_regex: ^(data|stringData)$", "  version: 3.9.0");
  process.stdout.write(lines.join("\n") + "\n");
} else {
  fail(`unknown mode ${mode}`);
}
