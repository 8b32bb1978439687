// The oracle: what RFC 5321 (with RFC 6531, 3461, 1870 and the other
// parameter RFCs) says about one record of octets sent by a client, from
// smtp.abnf and the prose limits in limits.mjs.  The verdict has the same
// canonical text form as the driver's (oracle_driver.c) description of the
// library's results, so the two compare as strings.
//
// A record is split into command lines at CRLF only (RFC 5321 2.3.8: no
// other sequence is a line terminator).  Each complete line gets one
// verdict; bytes after the last CRLF are an unfinished line (finish 1).

import { loadGrammars, ruleRegex } from "./grammar.mjs";
import * as L from "./limits.mjs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));
const G = loadGrammars(join(here, "smtp.abnf"));

const CAPS = [
  "Reverse-path", "Forward-path", "A-d-l", "Mailbox", "Local-part", "Domain",
  "address-literal", "IPv4-address-literal", "IPv6-addr",
  "General-address-literal", "Standardized-tag", "Mail-parameters",
  "Rcpt-parameters",
];

function build(rules) {
  const rx = {};
  for (const r of ["mail", "rcpt", "ehlo", "helo"]) rx[r] = ruleRegex(rules, r, CAPS);
  rx.param = ruleRegex(rules, "esmtp-param");
  for (const p of L.PARAMS) if (p.rule) rx[p.rule] = ruleRegex(rules, p.rule);
  return rx;
}
const RX = { ascii: build(G.ascii), utf8: build(G.utf8) };
const RXL = { ascii: build(G.asciiLenient), utf8: build(G.utf8Lenient) };

const { sl } = L;
const hasHigh = s => /[\x80-\xff]/.test(s);

/* Fields of a matched domain-or-literal: [domain, literal, kind], from the
 * captures of the context `ctx` (Mailbox, ehlo, helo). */
function domainFields(g, ctx) {
  const dom = g[`${ctx}__Domain`];
  if (dom !== undefined) return [dom, undefined, L.DK.NAME];
  const al = g[`${ctx}__address_literal`];
  if (al === undefined) return [undefined, undefined, 0];
  if (g.address_literal__IPv4_address_literal !== undefined)
    return [al, g.address_literal__IPv4_address_literal, L.DK.IPV4];
  if (g.address_literal__IPv6_addr !== undefined)
    return [al, g.address_literal__IPv6_addr, L.DK.IPV6];
  const gen = g.address_literal__General_address_literal;
  const tag = g.General_address_literal__Standardized_tag;
  return [al, gen.slice(tag.length + 1), L.DK.GENERAL];
}

/* Prose limits of a domain or literal (limits.mjs).  Returns the kind of
 * the parse that satisfies them, or 0.  notes: set of conditions a
 * documented difference may name. */
function domainLimits(g, dom, kind, notes) {
  if (kind === L.DK.NAME) return L.domainOk(dom) ? kind : 0;
  if (dom.length > L.DOMAIN_MAX) return 0;
  if (kind === L.DK.IPV4) return L.ipv4Ok(g.address_literal__IPv4_address_literal) ? kind : 0;
  if (kind === L.DK.IPV6) {
    const a = g.address_literal__IPv6_addr;
    // IPv6v4-full and IPv6v4-comp end with ":" IPv4-address-literal, and
    // only they hold a "."
    const v4 = a.includes(".") ? a.slice(a.lastIndexOf(":") + 1) : undefined;
    if (L.ipv6Ok(a, v4)) return kind;
    // "IPv6" ":" 1*dcontent is also a General-address-literal, the other
    // parse of the same text
    notes.add("ipv6_tag_general");
    return L.DK.GENERAL;
  }
  if (kind === L.DK.GENERAL) {
    if (g.General_address_literal__Standardized_tag.toUpperCase() === "IPV6") notes.add("ipv6_tag_general");
    return kind;
  }
  return 0;
}

/* Judges the parameters of a MAIL or RCPT line.  Returns null when they are
 * refused, else { typed, list } descriptions.  Throws "skip" for a
 * parameter this oracle does not model. */
function params(text, verb, rx, flags, notes) {
  const typed = new Map();
  const list = [];
  if (text === undefined) return { typed, list };
  // Mail-parameters = esmtp-param *(SP esmtp-param): no esmtp-param holds
  // an SP, so the SP-separated pieces are the esmtp-params.
  const ps = text.split(" ");
  const seen = new Set();
  let ok = true;
  if (ps.length > L.MAX_PARAMS) notes.add("too_many_params");
  for (const p of ps) {
    if (!rx.param.test(p)) return null; // cannot happen after the line matched
    const eq = p.indexOf("=");
    const kw = eq < 0 ? p : p.slice(0, eq);
    const val = eq < 0 ? undefined : p.slice(eq + 1);
    const KW = kw.toUpperCase();
    if (seen.has(KW)) notes.add("dup_keyword");
    seen.add(KW);
    const def = L.PARAMS.find(d => d.name === KW);
    if (def && def.skip) throw "skip";
    if (!def) {
      // RFC 5321 4.1.2 / 4.1.1.11: a parameter of no extension offered
      if (!(flags & L.ACCEPT_UNKNOWN)) ok = false;
      list.push([-1, kw, val]);
      continue;
    }
    if (def.verb !== verb) { ok = false; continue; } // 555: not this command's
    if (!rx[def.rule].test(p)) { ok = false; continue; }
    const t = def.typed(val, notes);
    if (t === null) { ok = false; continue; }
    if (!typed.has(def.id)) typed.set(def.id, t);
    list.push([def.id, kw, val]);
  }
  return ok ? { typed, list } : null;
}

function describeParams(pr) {
  let o = "";
  for (const id of [...pr.typed.keys()].sort((a, b) => a - b)) o += `|T${id}${pr.typed.get(id)}`;
  for (const [id, k, v] of pr.list) o += `|p${id}${sl(k)}${sl(v)}`;
  return o;
}

/* The verdict on one line (without its CRLF) of a given verb, under one
 * grammar.  Returns { ok: description } or { refuse: reason }. */
function judgeMailRcpt(line, verb, rx, flags, notes, longLocal) {
  const m = rx[verb].exec(line + "\r\n");
  if (!m) return { refuse: "grammar" };
  const g = m.groups;
  const pfx = verb === "mail" ? "mail" : "rcpt";
  let kind, raw, route, mbox, local, dom, lit, dk = 0, quoted = 0;
  const pathText = g[`${pfx}__${verb === "mail" ? "Reverse_path" : "Forward_path"}`];
  if (verb === "rcpt" && g.rcpt__Domain !== undefined) {
    // "<Postmaster@" Domain ">": the mailbox Postmaster@Domain
    kind = L.PATH.MAILBOX;
    const inner = line.slice(9, line.indexOf(">", 9));
    raw = mbox = inner;
    local = inner.slice(0, 10);
    dom = g.rcpt__Domain;
    dk = L.DK.NAME;
    if (!L.domainOk(dom)) return { refuse: "limit" };
    if (raw.length + 2 > L.PATH_MAX) return { refuse: "limit" };
  } else if (pathText === undefined || pathText === "<>") {
    if (verb === "mail") {
      kind = L.PATH.NULL;
      raw = "";
    } else {
      kind = L.PATH.POSTMASTER; // "<Postmaster>": the library's local part
      raw = mbox = local = line.slice(9, 19); // is the word as sent
    }
  } else {
    kind = L.PATH.MAILBOX;
    raw = pathText.slice(1, -1);
    const ctx = verb === "mail" ? "Reverse_path" : "Forward_path";
    route = g[`${ctx}__A_d_l`];
    mbox = g[`${ctx}__Mailbox`];
    local = g.Mailbox__Local_part;
    [dom, lit, dk] = domainFields(g, "Mailbox");
    quoted = local[0] === '"' ? 1 : 0;
    if (pathText.length > L.PATH_MAX) return { refuse: "limit" };
    if (local.length > L.LOCAL_MAX && !longLocal) return { refuse: "limit" };
    dk = domainLimits(g, dom, dk, notes);
    if (!dk) return { refuse: "limit" };
    if (route !== undefined) {
      // A-d-l = At-domain *( "," At-domain ): no Domain holds "," or "@"
      for (const at of route.split(",")) if (!L.domainOk(at.slice(1))) return { refuse: "limit" };
    }
  }
  const pr = params(g[`${pfx}__${verb === "mail" ? "Mail" : "Rcpt"}_parameters`], verb, rx, flags, notes);
  if (!pr) return { refuse: "param" };
  // path.utf8: UTF-8 anywhere in the path, the mailbox or the source route
  // (RFC 6531 3.3 extends sub-domain, route domains included; the flag is
  // what makes MAIL need SMTPUTF8 and RCPT need an SMTPUTF8 transaction)
  const u8 = (mbox !== undefined && hasHigh(mbox)) || (route !== undefined && hasHigh(route)) ? 1 : 0;
  let d = `OK|v=${verb.toUpperCase()}|k=${kind}|raw${sl(raw)}|route${sl(route)}|mbox${sl(mbox)}` +
          `|local${sl(local)}|dom${sl(dom)}|lit${sl(lit)}|dk=${dk}|q=${quoted}|u8=${u8}`;
  d += describeParams(pr);
  return { ok: d, smtputf8: pr.typed.has(L.ID.SMTPUTF8), high: hasHigh(line) };
}

function judgeHelo(line, verb, notes) {
  const rx = RX.ascii;
  let m = rx[verb].exec(line + "\r\n");
  if (!m && verb === "helo" && rx.ehlo.exec("EHLO" + line.slice(4) + "\r\n")) {
    // an address literal after HELO: the library takes it (README)
    notes.add("helo_literal");
    m = rx.ehlo.exec("EHLO" + line.slice(4) + "\r\n");
    verb = "ehlo";
    const g = m.groups;
    const [dom, lit, dk0] = domainFields(g, "ehlo");
    const dk = domainLimits(g, dom, dk0, notes);
    if (!dk) return { refuse: "limit" };
    return { refuse: "grammar", would: `OK|v=HELO|dom${sl(dom)}|lit${sl(lit)}|dk=${dk}` };
  }
  if (!m) return { refuse: "grammar" };
  const g = m.groups;
  const [dom, lit, dk0] = domainFields(g, verb);
  const dk = domainLimits(g, dom, dk0, notes);
  if (!dk) return { refuse: "limit" };
  return { ok: `OK|v=${verb.toUpperCase()}|dom${sl(dom)}|lit${sl(lit)}|dk=${dk}` };
}

/* The verdict on one complete line (without CRLF) under the grammars rx
 * ({ ascii, utf8 }).  Returns { ok } | { refuse } | { skip }, with .notes
 * (a Set). */
function judgeGrammar(line, flags, maxLine, rx, longLocal) {
  const notes = new Set();
  if (line.length + 2 > maxLine) return { refuse: "line too long", notes };
  if (/[\r\n]/.test(line)) return { refuse: "CR or LF inside the line", notes };
  const v4 = line.slice(0, 4).toUpperCase();
  try {
    let r;
    if (v4 === "MAIL") {
      // RFC 6531 3.4: the UTF-8 forms only with the SMTPUTF8 parameter.
      // On a line without octets >= 0x80 the RFC 6531 alternatives add
      // nothing, so the ASCII grammar decides.
      r = judgeMailRcpt(line, "mail", rx.ascii, flags, notes, longLocal);
      if (!r.ok && hasHigh(line)) {
        const notes8 = new Set();
        const r8 = judgeMailRcpt(line, "mail", rx.utf8, flags, notes8, longLocal);
        if (r8.ok && r8.smtputf8) { r = r8; for (const n of notes8) notes.add(n); }
        else if (r8.ok) notes.add("utf8_without_smtputf8");
        else r = r8; // the reason under the grammar that could apply
      }
    } else if (v4 === "RCPT") {
      // The parser cannot know the transaction: RCPT is judged as inside
      // an SMTPUTF8 transaction (DIFFERENCES.md).
      r = judgeMailRcpt(line, "rcpt", hasHigh(line) ? rx.utf8 : rx.ascii, flags, notes, longLocal);
    } else if (v4 === "EHLO" || v4 === "HELO") {
      r = judgeHelo(line, v4.toLowerCase(), notes);
    } else if (L.OTHER_VERBS.includes(v4)) {
      return { skip: "verb", notes };
    } else {
      r = { refuse: "verb" };
    }
    r.notes = notes;
    return r;
  } catch (e) {
    if (e === "skip") return { skip: "parameter", notes };
    throw e;
  }
}

/* The verdict on one complete line (without CRLF): the grammar's.  With
 * the record flag L.LENIENT (the parser's SMTPP_LENIENT_SPACE_AFTER_COLON,
 * _TRAILING_SPACE, _LOCAL_DOTS and _LONG_LOCAL), a line the grammar refuses
 * but the documented leniencies accept stays refused, with notes naming
 * them and .would, the fields the library must then return
 * (differences.json). */
export function judgeLine(line, flags, maxLine) {
  const v = judgeGrammar(line, flags, maxLine, RX, false);
  if (!(flags & L.LENIENT) || v.ok || v.skip || line.length + 2 > maxLine) return v;
  const notes = new Set();
  let l = line;
  const colon = /^(?:MAIL FROM|RCPT TO):( +)/i.exec(l);
  if (colon) {
    l = l.slice(0, colon[0].length - colon[1].length) + l.slice(colon[0].length);
    notes.add("lenient_space_after_colon");
  }
  const trail = /[ \t]+$/.exec(l);
  if (trail) {
    l = l.slice(0, trail.index);
    notes.add("lenient_trailing_space");
  }
  let w = notes.size ? judgeGrammar(l, flags, maxLine, RX, false) : { refuse: "" };
  if (!w.ok && /^(?:MAIL|RCPT)/i.test(l)) {
    w = judgeGrammar(l, flags, maxLine, RXL, true);
    if (w.ok) notes.add("lenient_local");
  }
  if (!w.ok) return v;
  for (const n of w.notes) notes.add(n);
  return { refuse: v.refuse, notes, would: w.ok };
}

/* The verdicts on a record: { lines: [verdict...], finish }. */
export function judgeRecord(rec, flags, maxLine) {
  const lines = [];
  let at = 0;
  for (;;) {
    const i = rec.indexOf("\r\n", at);
    if (i < 0) break;
    lines.push(judgeLine(rec.slice(at, i), flags, maxLine));
    at = i + 2;
  }
  return { lines, finish: at < rec.length ? 1 : 0 };
}
