// The grammar of smtp.abnf, parsed by the `abnf` package (RFC 5234 ABNF to
// an AST), turned mechanically into regular expressions that the `re2js`
// package (a JavaScript port of RE2) matches, and used to generate random
// derivations.
//
// Why this gives full ABNF semantics: every rule of smtp.abnf is
// non-recursive, so the language is regular, and each ABNF operator maps to
// the regex operator with the same language (alternation, concatenation,
// bounded and unbounded repetition, option, character range).  RE2 decides
// membership with automata, not by ordered choice: a string is accepted
// exactly when some derivation of the rule produces it, whatever the order
// of the alternatives (unlike a PEG, which commits to the first alternative
// that matches a prefix).  It also runs in linear time: the RFC 6531
// alternatives overlap the ASCII ones (an LDH label is also a U-label), and
// a backtracking engine takes exponential time to refuse a line with many
// such labels.  Alternative order only decides which parse the named
// captures describe when a string has several (RE2 reports the leftmost-
// first one); the grammar is unambiguous in the captured rules except for
// "<Postmaster@" Domain ">" in rcpt, which oracle.mjs reads as such.
//
// Strings are handled as "binary" JavaScript strings: one character per
// octet (latin1), so %x80-BF ranges of the UTF-8 rules match octets.

import { parseString } from "abnf";
import { readFileSync } from "node:fs";
import { RE2JS } from "re2js";

const MARKER = "\n; ==== RFC 6531";

/* The grammars of the file: without and with the RFC 6531 part, and each
 * with the library's leniency of lenient.abnf. */
export function loadGrammars(path) {
  const text = readFileSync(path, "latin1");
  const cut = text.indexOf(MARKER);
  if (cut < 0) throw new Error(`${path}: no "${MARKER}" line`);
  const lenientPath = path.replace(/smtp\.abnf$/, "lenient.abnf");
  const lenient = readFileSync(lenientPath, "latin1");
  return {
    ascii: parseString(text.slice(0, cut), path, false),
    utf8: parseString(text, path, false),
    // with the library's leniency in local parts (lenient.abnf)
    asciiLenient: parseString(text.slice(0, cut) + "\n" + lenient, path, false),
    utf8Lenient: parseString(text + "\n" + lenient, path, false),
  };
}

const hex2 = n => "\\x" + n.toString(16).padStart(2, "0");

function group(s) {
  return `(?:${s})`;
}

/* Regex source for rule `start` of `rules`.  captures: rule names (any
 * case) to capture.  Each capture is a named group "<parent>__<rule>", the
 * parent being the nearest captured enclosing rule (or the start rule); a
 * name is captured at its first occurrence only, so repeated inner rules
 * (labels of a domain, parameters of a list) are read by matching the
 * captured outer text again with the inner rule's own regex. */
export function compileRule(rules, start, captures = []) {
  const cap = new Set(captures.map(c => c.toUpperCase()));
  const used = new Set();
  const ident = n => n.replace(/[^A-Za-z0-9]/g, "_");
  const onStack = new Set();

  // Each node compiles to { src } or, when it matches exactly one octet,
  // { set } (the octets it matches): an alternation of such nodes is one
  // character class, the same language with less backtracking.
  const cls = set => {
    const codes = [...set].sort((a, b) => a - b);
    let o = "";
    for (let i = 0; i < codes.length; i++) {
      let j = i;
      while (j + 1 < codes.length && codes[j + 1] === codes[j] + 1) j++;
      o += j > i ? `${hex2(codes[i])}-${hex2(codes[j])}` : hex2(codes[i]);
      i = j;
    }
    return `[${o}]`;
  };
  const src = c => (c.set ? cls(c.set) : c.src);
  const one = (str, ci) => {
    const code = str.charCodeAt(0);
    if (code > 0xff) throw new Error("non-octet literal");
    const set = new Set([code]);
    if (ci && /[A-Za-z]/.test(str)) {
      set.add(str.toUpperCase().charCodeAt(0));
      set.add(str.toLowerCase().charCodeAt(0));
    }
    return { set };
  };

  function node(n, parent) {
    switch (n.type) {
      case "ruleref":
        return ref(n.name, parent);
      case "caseInsensitveString":
      case "caseSensitveString": {
        const ci = n.type === "caseInsensitveString";
        const parts = n.str.split("").map(c => one(c, ci));
        return parts.length === 1 ? parts[0] : { src: parts.map(src).join("") };
      }
      case "range": {
        if (n.last > 0xff) throw new Error("range beyond an octet");
        const set = new Set();
        for (let c = n.first; c <= n.last; c++) set.add(c);
        return { set };
      }
      case "concatenation": {
        const parts = n.elements.map(e => node(e, parent));
        return parts.length === 1 ? parts[0] : { src: parts.map(p => group(src(p))).join("") };
      }
      case "alternation": {
        const alts = n.alts.map(e => node(e, parent));
        if (alts.every(a => a.set)) {
          const set = new Set();
          for (const a of alts) for (const c of a.set) set.add(c);
          return { set };
        }
        return { src: group(alts.map(src).join("|")) };
      }
      case "group":
        return node(n.alt, parent);
      case "repetition": {
        const el = group(src(node(n.el, parent)));
        const { min, max } = n.rep;
        if (n.rep.type === "hash_repeat") {
          // RFC 822 2.7 "#": elements separated by commas (no spaces in
          // SMTP parameter values)
          if (max !== null) throw new Error("bounded # list not supported");
          const tail = group(`,${el}`) + "*";
          return { src: min === 0 ? group(el + tail) + "?" : el + tail };
        }
        if (min === 1 && max === 1) return { src: el };
        return { src: el + `{${min},${max === null ? "" : max}}` };
      }
      case "prose":
        throw new Error(`prose rule <${n.str}> cannot be compiled`);
      default:
        throw new Error(`unknown ABNF node ${n.type}`);
    }
  }

  function ref(name, parent) {
    const key = name.toUpperCase();
    const rule = rules.defs[key];
    if (!rule) throw new Error(`undefined rule ${name}`);
    if (onStack.has(key)) throw new Error(`recursive rule ${name}: not regular`);
    onStack.add(key);
    let body;
    const gname = `${ident(parent)}__${ident(rule.name)}`;
    if (cap.has(key) && !used.has(gname)) {
      used.add(gname);
      body = { src: `(?<${gname}>${src(node(rule.def, rule.name))})` };
    } else {
      body = node(rule.def, parent);
    }
    onStack.delete(key);
    return body;
  }

  const r = rules.defs[start.toUpperCase()];
  if (!r) throw new Error(`undefined rule ${start}`);
  return src(node(r.def, r.name));
}

/* A whole-string matcher for rule `start`: test(s) says whether s is in
 * the rule's language; exec(s) returns null or { groups } with the named
 * captures (undefined when not matched). */
export class RuleRegex {
  constructor(rules, start, captures = []) {
    const src = `^(?:${compileRule(rules, start, captures)})$`;
    this.re = RE2JS.compile(src);
    // Captures of a string RE2 accepted: V8's engine gives the same
    // leftmost-first submatches, faster than RE2's NFA, and a string known
    // to match never sends it into exponential backtracking on failure.
    this.js = new RegExp(src);
  }

  test(s) {
    return this.re.matches(s);
  }

  exec(s) {
    if (!this.re.matches(s)) return null;
    const m = this.js.exec(s);
    if (!m) throw new Error("re2js and V8 disagree on " + JSON.stringify(s));
    return { groups: { ...m.groups } };
  }
}

export function ruleRegex(rules, start, captures = []) {
  return new RuleRegex(rules, start, captures);
}

// ---- Generation -------------------------------------------------------------

/* A random derivation of rule `start`.  rnd(): a uniform float in [0, 1).
 * opts.rep(min, max, ruleName): how many times to repeat (the default
 * favours short forms and sometimes picks lengths at the prose limits);
 * opts.override[RULE]: a function returning the text of that rule instead;
 * opts.seen: a Set that collects the name of every rule derived. */
export function generate(rules, start, rnd, opts = {}) {
  const pick = a => a[Math.floor(rnd() * a.length)];
  const boundaries = [62, 63, 64, 65, 99, 100, 101];
  const rep = opts.rep || ((min, max) => {
    let n;
    const r = rnd();
    if (r < 0.55) n = min + Math.floor(rnd() * 3);
    else if (r < 0.9) n = min + Math.floor(rnd() * 12);
    else if (r < 0.97) n = pick(boundaries);
    else n = min + Math.floor(rnd() * 300);
    if (n < min) n = min;
    if (max !== null && n > max) n = max;
    return n;
  });
  const depthCap = 40;

  function node(n, rule, depth) {
    switch (n.type) {
      case "ruleref":
        return ref(n.name, depth + 1);
      case "caseInsensitveString": {
        const r = rnd();
        if (r < 0.6) return n.str;
        if (r < 0.8) return n.str.toLowerCase();
        return n.str.split("").map(c => (rnd() < 0.5 ? c.toLowerCase() : c.toUpperCase())).join("");
      }
      case "caseSensitveString":
        return n.str;
      case "range":
        return String.fromCharCode(n.first + Math.floor(rnd() * (n.last - n.first + 1)));
      case "concatenation":
        return n.elements.map(e => node(e, rule, depth)).join("");
      case "alternation":
        return node(pick(n.alts), rule, depth);
      case "group":
        return node(n.alt, rule, depth);
      case "repetition": {
        const max = n.rep.max === null ? null : n.rep.max;
        let k = depth > depthCap ? n.rep.min : rep(n.rep.min, max, rule);
        const parts = [];
        for (let i = 0; i < k; i++) parts.push(node(n.el, rule, depth));
        return parts.join(n.rep.type === "hash_repeat" ? "," : "");
      }
      default:
        throw new Error(`cannot generate ${n.type}`);
    }
  }

  function ref(name, depth) {
    const key = name.toUpperCase();
    if (opts.seen) opts.seen.add(key);
    if (opts.override && opts.override[key]) return opts.override[key](depth);
    const rule = rules.defs[key];
    if (!rule) throw new Error(`undefined rule ${name}`);
    return node(rule.def, key, depth);
  }

  return ref(start, 0);
}
