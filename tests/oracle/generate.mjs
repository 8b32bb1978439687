// Records for the oracle test: command lines derived at random from
// smtp.abnf (every rule, with repetition counts that reach the prose
// limits), then often mutated octet-wise.

import { generate } from "./grammar.mjs";
import { PARAMS } from "./limits.mjs";

/* xorshift32: deterministic for a seed. */
export function prng(seed) {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x / 4294967296;
  };
}

/* seen: a Set that collects the rules derived (for the coverage line). */
export function makeGenerator(G, rnd, seen = new Set()) {
  const pick = a => a[Math.floor(rnd() * a.length)];
  const int = (a, b) => a + Math.floor(rnd() * (b - a + 1));

  /* Repetition counts: short mostly; near the limits sometimes. */
  // (and near the lane's 32-octet blocks: parser/command.re reads
  // mailboxes and xtext values 32 octets at a time, SIZE 8 digits at a time)
  const near = { "LDH-STR": [29, 30, 31, 32, 60, 61, 62, 63], ATOM: [31, 32, 33, 62, 63, 64, 65],
                 XTEXT: [31, 32, 33, 63, 64, 65, 98, 99, 100, 101, 127, 128, 129, 160],
                 "SIZE-VALUE": [7, 8, 9, 15, 16, 17, 19, 20], "DOMAIN": [3, 4, 5], "A-D-L": [3, 6] };
  function rep(min, max, rule) {
    let n;
    const r = rnd();
    if (r < 0.08 && near[rule]) n = pick(near[rule]);
    else if (r < 0.75) n = min + int(0, 2);
    else n = min + int(0, 7);
    if (max !== null && n > max) n = max;
    return Math.max(n, min);
  }

  function line(verb, utf8, opts = {}) {
    const rules = utf8 ? G.utf8 : G.ascii;
    const known = PARAMS.filter(p => !p.skip);
    const override = {
      // Parameters: a known one (by its own rule) more often than chance
      // would give, and sometimes one of the other command.
      "ESMTP-PARAM": () => {
        if (rnd() < 0.65) {
          const mine = known.filter(p => p.verb === verb && rnd() < 0.9 || p.verb !== verb && rnd() < 0.05);
          if (mine.length) return generate(rules, pick(mine).rule, rnd, { rep, override: xt, seen });
        }
        return generate(rules, "esmtp-param", rnd, { rep, override: { "ESMTP-VALUE": ev }, seen });
      },
      SNUM: () => pick(["0", "9", "10", "99", "100", "199", "249", "250", "255", "256", "299", "300",
                        "999", "01", "001", "000", String(int(0, 999))]),
    };
    const xt = { XTEXT: () => generate(rules, "xtext", rnd, { rep, seen }),
                 "SIZE-VALUE": () => pick([String(int(0, 99999999)), "18446744073709551615",
                   "18446744073709551616", "99999999999999999999", "00000000000000000001",
                   "0", generate(rules, "size-value", rnd, { rep, seen })]) };
    const ev = () => generate(rules, "esmtp-value", rnd, { rep, seen });
    Object.assign(override, opts.override || {});
    let s = generate(rules, verb, rnd, { rep, override, seen });
    if (verb === "mail" && utf8 && rnd() < 0.8 && !/SMTPUTF8/i.test(s))
      s = s.slice(0, -2) + pick([" SMTPUTF8", " smtputf8", " SMTPUTF8=x"]) + "\r\n";
    return s;
  }

  /* Lines built to sit on one side or the other of a prose limit. */
  function boundary() {
    const a = n => "a".repeat(n);
    const label = n => (n <= 1 ? "a".repeat(n) : "a" + "b".repeat(n - 2) + "c");
    const dom = total => { // a domain of exactly `total` octets, labels <= 63
      const parts = [];
      let left = total;
      while (left > 0) {
        const n = Math.min(63, left === 64 ? 62 : left);
        parts.push(label(n));
        left -= n + 1;
        if (left === 0) break;
      }
      return parts.join(".");
    };
    const k = int(0, 17);
    switch (k) {
      case 0: return `MAIL FROM:<${a(int(62, 66))}@example.org>\r\n`;
      case 1: return `RCPT TO:<x@${label(int(61, 65))}.org>\r\n`;
      case 2: return `RCPT TO:<x@${dom(int(250, 258))}>\r\n`;
      case 3: { // the path: 256 octets with its brackets, give or take
        const d = dom(int(180, 190));
        const lp = a(int(60, 64));
        const extra = 256 - (lp.length + 1 + d.length + 2) + int(-2, 2);
        return `MAIL FROM:<${lp}@${extra > 0 ? "q".repeat(Math.min(extra, 63)) + "." : ""}${d}>\r\n`;
      }
      case 4: return `RCPT TO:<@${label(int(61, 65))},@b:x@y>\r\n`;
      case 5: return `RCPT TO:<@${dom(int(250, 258))}:x@y>\r\n`;
      case 6: return `MAIL FROM:<> ENVID=${a(int(98, 102))}\r\n`;
      case 7: return `RCPT TO:<a@b> ORCPT=rfc822;${a(int(490, 496))}\r\n`;
      case 8: return `MAIL FROM:<a@[${[0, 1, 2, 3].map(() => pick(["0", "1", "255", "256", "99", "300", "00"])).join(".")}]>\r\n`;
      case 9: { // IPv6 group counts around the "::" limits
        const g = () => pick(["0", "1", "ab", "FFFF", "dB8", "12345"]);
        const n1 = int(0, 7), n2 = int(0, 7);
        const left = Array.from({ length: n1 }, g).join(":");
        const right = Array.from({ length: n2 }, g).join(":");
        const v4 = rnd() < 0.4 ? (right ? ":" : "") + "1.2.3." + pick(["4", "255", "256"]) : "";
        if (rnd() < 0.3) return `EHLO [IPv6:${Array.from({ length: int(6, 9) }, g).join(":")}]\r\n`;
        return `RCPT TO:<a@[IPv6:${left}::${right}${v4}]>\r\n`;
      }
      case 10: return `MAIL FROM:<a@b> SIZE=${pick(["18446744073709551615", "18446744073709551616",
        "1".repeat(int(19, 21)), "0".repeat(20)])}\r\n`;
      case 11: return `RCPT TO:<a@b> NOTIFY=${Array.from({ length: int(1, 4) },
        () => pick(["SUCCESS", "FAILURE", "DELAY", "NEVER", "delay"])).join(",")}\r\n`;
      case 12: return `MAIL FROM:<"${a(int(60, 64))}"@b>\r\n`;
      case 13: return `HELO [${pick(["1.2.3.4", "1.2.3.256", "IPv6:::1", "IPv6:1::2::3", "x-tag:abc"])}]\r\n`;
      case 15: return `${pick(["MAIL FROM:", "RCPT TO:"])}${" ".repeat(int(0, 2))}<${pick(["a.", ".a", "a..b", "a", "\xc3\xa9.", "a".repeat(int(63, 70)), '"' + "b".repeat(int(62, 66)) + '"'])}@c>${pick(["", " ", "\t", " SIZE=1 ", " SMTPUTF8"])}\r\n`;
      case 16: return `${pick(["EHLO", "HELO"])} a.b${pick([" ", "\t", "  ", ""])}\r\n`;
      case 14: return `MAIL FROM:<a@b>${Array.from({ length: int(15, 18) }, (_, i) => ` X${i}=1`).join("")}\r\n`;
      default: return `EHLO ${dom(int(250, 258))}\r\n`;
    }
  }

  const SPECIAL = ["<", ">", "@", ":", ".", ",", ";", '"', "\\", "=", "+", " ", "\t", "[", "]", "-",
    "\r", "\n", "\x00", "\x7f", "\x80", "\xbf", "\xc0", "\xc3", "\xe0", "\xed", "\xf4", "\xf5", "\xff",
    "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xed\xa0\x80", "\xc0\xaf", "\xe0\x80\xaf",
    "\xf4\x90\x80\x80", "\xc3", "\xe2\x82"];

  /* One octet-level mutation of s. */
  function mutate(s, other) {
    const body = s.endsWith("\r\n") && rnd() < 0.92 ? s.slice(0, -2) : s;
    const tail = body === s ? "" : "\r\n";
    let b = body;
    const at = () => int(0, b.length);
    const ops = int(1, 3);
    for (let i = 0; i < ops; i++) {
      const p = at();
      switch (int(0, 8)) {
        case 0: b = b.slice(0, p) + String.fromCharCode(int(0, 255)) + b.slice(p + 1); break; // replace
        case 1: b = b.slice(0, p) + pick(SPECIAL) + b.slice(p); break;                        // insert
        case 2: b = b.slice(0, p) + b.slice(p + int(1, 3)); break;                            // delete
        case 3: { // case change of a run
          const q = Math.min(b.length, p + int(1, 12));
          const run = b.slice(p, q);
          b = b.slice(0, p) + (rnd() < 0.5 ? run.toLowerCase() : run.toUpperCase()) + b.slice(q);
          break;
        }
        case 4: b = b.slice(0, p); break;                                                     // truncate
        case 5: { // splice a piece of another line
          const o = other.slice(0, -2);
          const x = int(0, o.length), y = Math.min(o.length, x + int(1, 20));
          b = b.slice(0, p) + o.slice(x, y) + b.slice(p + int(0, 4));
          break;
        }
        case 6: b = b.slice(0, p) + String.fromCharCode(b.charCodeAt(p) ^ (1 << int(0, 7))) + b.slice(p + 1); break;
        case 7: { // repeat a run (duplicate parameters, doubled dots)
          const q = Math.min(b.length, p + int(1, 16));
          b = b.slice(0, q) + b.slice(p, q) + b.slice(q);
          break;
        }
        default: b = b.slice(0, p) + pick(SPECIAL) + b.slice(p + 1); break;
      }
    }
    b = b.replace(/[^\x00-\xff]/g, "?");
    return b + tail;
  }

  /* One record: { rec, flags }. */
  return function record() {
    const flags = (rnd() < 0.5 ? 1 : 0) | (rnd() < 0.25 ? 2 : 0);
    let s;
    const r = rnd();
    if (r < 0.07) s = boundary();
    else {
      const verb = pick(["mail", "mail", "mail", "rcpt", "rcpt", "rcpt", "ehlo", "helo"]);
      const utf8 = verb !== "ehlo" && verb !== "helo" && rnd() < 0.25;
      s = line(verb, utf8);
    }
    if (rnd() < 0.5) s = mutate(s, line(pick(["mail", "rcpt"]), rnd() < 0.2));
    return { rec: s, flags };
  };
}
