// bench.js DIR ROUNDS - render every template of DIR for every context with
// the JavaScript reference implementation (npm json-e), ROUNDS times, and
// print the best round:
//   js: seconds=S renders=R digest=SHA256
// The digest covers the canonical JSON (sorted keys) of every result, so
// it can be compared with the C driver's.
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const jsone = require(path.join(__dirname, 'node_modules', 'json-e'));

const [dir, roundsArg] = process.argv.slice(2);
const rounds = parseInt(roundsArg || '1', 10);
const names = fs.readFileSync(path.join(dir, 'templates.txt'), 'utf8').split('\n').filter(Boolean);
const templates = names.map(n => JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8')));
const contexts = JSON.parse(fs.readFileSync(path.join(dir, 'contexts.json'), 'utf8'));

const canon = v => {
  if (Array.isArray(v)) return '[' + v.map(canon).join(',') + ']';
  if (v !== null && typeof v === 'object')
    return '{' + Object.keys(v).sort().map(k => JSON.stringify(k) + ':' + canon(v[k])).join(',') + '}';
  return JSON.stringify(v);
};

// warm up the JIT on the first contexts, untimed
for (let i = 0; i < Math.min(200, contexts.length); i++)
  for (const t of templates) jsone(t, contexts[i]);

// the best of the rounds, as the C driver does
const results = new Array(contexts.length * templates.length);
let best = -1;
for (let r = 0; r < rounds; r++) {
  // CPU time of the process (all its threads, so the JIT and the garbage
  // collector count), as the C driver measures
  const t0 = process.cpuUsage();
  let k = 0;
  for (const c of contexts)
    for (const t of templates)
      results[k++] = jsone(t, c);
  const u = process.cpuUsage(t0);
  const dt = (u.user + u.system) / 1e6;
  if (best < 0 || dt < best) best = dt;
}
const renders = results.length;
const h = crypto.createHash('sha256');
for (const r of results) h.update(canon(r) + '\n');
console.log(`js: seconds=${best} renders=${renders} digest=${h.digest('hex')}`);
