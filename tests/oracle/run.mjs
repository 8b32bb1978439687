// The differential test: generated and mutated records through the
// library (oracle_driver, three ways: whole, octet by octet, padded for the
// lane) and through the grammar oracle; every disagreement that is not a
// documented deliberate difference (differences.json, DIFFERENCES.md) fails.
//
// usage: node run.mjs --driver PATH [--lines N] [--seed S] [--max-line M]
//                     [--show K] [--record FILE]
//   --record FILE: judge the records of FILE instead (one per line, with
//   \xHH escapes; a prefix "u:" for SMTPP_ACCEPT_UNKNOWN_PARAMS, "l:" for
//   the leniency options, "ul:" for both), for replaying a finding.

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { loadGrammars } from "./grammar.mjs";
import { judgeRecord } from "./oracle.mjs";
import { makeGenerator, prng } from "./generate.mjs";
import { esc } from "./limits.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(process.argv.slice(2).reduce((a, v, i, all) =>
  (v.startsWith("--") ? [...a, [v.slice(2), all[i + 1]]] : a), []));
const driver = args.driver;
const total = Number(args.lines || 1000000);
const seed = Number(args.seed || 1);
const maxLine = Number(args["max-line"] || 2048);
const show = Number(args.show || 20);
if (!driver) { console.error("run.mjs: --driver PATH required"); process.exit(2); }

const DIFFS = JSON.parse(readFileSync(join(here, "differences.json"), "utf8"));
const G = loadGrammars(join(here, "smtp.abnf"));
const rnd = prng(seed);
const seen = new Set();
const record = makeGenerator(G, rnd, seen);

const stats = { records: 0, lines: 0, accepted: 0, refused: 0, skipped: 0, agree: 0, failures: 0 };
const byDiff = Object.fromEntries(DIFFS.map(d => [d.id, 0]));
const failKinds = new Map();

/* Is the disagreement (oracle verdict v, library result lib) a documented
 * difference?  Returns its id or null. */
function explained(v, lib) {
  for (const d of DIFFS) {
    if (!v.notes.has(d.note)) continue;
    // (a line valid only under a leniency option can also hit an
    // "accept" difference: .would is its verdict under that option)
    if (d.oracle === "accept" && (v.ok || v.would) && lib.startsWith("ERR|") && d.library.includes(lib.slice(4).replace(/^SMTPP_E_/, ""))) return d.id;
    if (d.oracle === "refuse" && !v.ok && lib.startsWith("OK") && d.library.includes("OK") &&
        (v.would === undefined || v.would === lib)) return d.id;
  }
  return null;
}

const prefix = f => (f ? `${f & 1 ? "u" : ""}${f & 2 ? "l" : ""}:` : "");

function fail(kind, rec, flags, want, got) {
  stats.failures++;
  const n = (failKinds.get(kind) || 0) + 1;
  failKinds.set(kind, n);
  if (n <= show) {
    console.log(`FAIL ${kind}\n  record: ${prefix(flags)}${esc(rec)}\n  oracle: ${want}\n  library: ${got}`);
  }
}

function describeVerdict(v) {
  if (v.skip) return `skip (${v.skip})`;
  if (v.ok) return v.ok;
  return `refuse (${v.refuse})${v.notes.size ? " notes " + [...v.notes].join(",") : ""}`;
}

function compare(rec, flags, out) {
  stats.records++;
  const verdict = judgeRecord(rec, flags, maxLine);
  if (verdict.lines.some(v => v.skip)) { stats.skipped++; return; }
  if (out.startsWith("X|")) {
    fail("lane/general/bytes differ", rec, flags, "(the three ways must agree)", out);
    return;
  }
  const parts = out.split("\t");
  const finish = Number(parts[0].slice(1));
  const libs = parts.slice(1);
  const want = verdict.lines.map(describeVerdict).join(" ; ") + ` ; finish ${verdict.finish}`;
  const got = libs.join(" ; ") + ` ; finish ${finish}`;
  if (libs.length !== verdict.lines.length || finish !== verdict.finish) {
    fail("line framing", rec, flags, want, got);
    return;
  }
  let bad = null;
  verdict.lines.forEach((v, i) => {
    const lib = libs[i];
    stats.lines++;
    if (v.ok) stats.accepted++; else stats.refused++;
    if (v.ok ? v.ok === lib : lib.startsWith("ERR|")) { stats.agree++; return; }
    const id = explained(v, lib);
    if (id) { byDiff[id]++; return; }
    bad = bad || (v.ok ? (lib.startsWith("OK") ? "fields differ" : "oracle accepts, library refuses")
                       : "oracle refuses, library accepts");
  });
  if (bad) fail(bad, rec, flags, want, got);
}

function runBatch(batch) {
  const bufs = [];
  for (const { rec, flags } of batch) {
    const h = Buffer.alloc(5);
    h[0] = flags;
    h.writeUInt32LE(rec.length, 1);
    bufs.push(h, Buffer.from(rec, "latin1"));
  }
  const r = spawnSync(driver, ["-m", String(maxLine)], {
    input: Buffer.concat(bufs), maxBuffer: 1 << 30, encoding: "latin1",
  });
  if (r.status !== 0) {
    console.error(`driver failed (${r.status ?? r.signal}): ${r.stderr}`);
    process.exit(2);
  }
  const outs = r.stdout.split("\n");
  batch.forEach((b, i) => compare(b.rec, b.flags, outs[i]));
}

function unescape(s) {
  return s.replace(/\\x([0-9a-fA-F]{2})|\\([0-9a-fA-F]{2})/g, (_, a, b) => String.fromCharCode(parseInt(a || b, 16)));
}

const t0 = Date.now();
if (args.record) {
  const recs = readFileSync(args.record, "latin1").split("\n").filter(l => l.length && !l.startsWith("#"))
    .map(l => {
      const m = /^(u|l|ul):/.exec(l);
      if (!m) return { rec: unescape(l), flags: 0 };
      return { rec: unescape(l.slice(m[0].length)), flags: (m[1].includes("u") ? 1 : 0) | (m[1].includes("l") ? 2 : 0) };
    });
  runBatch(recs);
} else {
  const BATCH = 20000;
  for (let done = 0; done < total; done += BATCH) {
    const batch = [];
    for (let i = 0; i < Math.min(BATCH, total - done); i++) batch.push(record());
    runBatch(batch);
  }
}
const secs = ((Date.now() - t0) / 1000).toFixed(1);
console.log(`oracle: seed ${seed}, ${stats.records} records (${stats.skipped} skipped: verbs or ` +
  `parameters outside the grammar), ${stats.lines} lines judged (${stats.accepted} valid, ` +
  `${stats.refused} invalid by the grammar), ${stats.agree} agree, in ${secs} s`);
if (!args.record) {
  // every rule of smtp.abnf reached by the derivations (SNUM, XTEXT and
  // SIZE-VALUE are also drawn from boundary lists)
  const all = Object.keys(G.utf8.defs);
  const missed = all.filter(r => !seen.has(r));
  console.log(`  grammar rules derived: ${all.length - missed.length} of ${all.length}` +
    (missed.length ? ` (not: ${missed.join(" ")})` : ""));
}
for (const d of DIFFS) console.log(`  documented difference ${d.id}: ${byDiff[d.id]} lines`);
for (const [k, n] of failKinds) console.log(`  FAILURES ${k}: ${n} records`);
console.log(`${stats.records - stats.skipped - stats.failures} passed, ${stats.failures} failed`);
process.exit(stats.failures ? 1 : 0);
