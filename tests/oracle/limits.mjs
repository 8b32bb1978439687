// The prose limits beside smtp.abnf ("; LIMIT:" there), as checks on the
// text of the rules the grammar matched, and the table of the parameters
// the library knows (keyword -> rule of smtp.abnf -> command -> value).

export const LOCAL_MAX = 64;   // RFC 5321 4.5.3.1.1: local-part, octets
export const DOMAIN_MAX = 255; // RFC 5321 4.5.3.1.2: domain, octets
export const LABEL_MAX = 63;   // RFC 1035 2.3.4 (RFC 5321 2.3.5): label
export const PATH_MAX = 256;   // RFC 5321 4.5.3.1.3: path with "<" ">"
export const ENVID_MAX = 100;  // RFC 3461 4.4: the ENVID value
export const ORCPT_MAX = 500;  // RFC 3461 4.2: the ORCPT value
export const MAX_PARAMS = 16;  // the library's SMTPP_MAX_PARAMS (no RFC limit)
export const ACCEPT_UNKNOWN = 1; // record flag: SMTPP_ACCEPT_UNKNOWN_PARAMS
export const LENIENT = 2;        // record flag: the leniency options (oracle_driver.c)

export const DK = { NAME: 1, IPV4: 2, IPV6: 3, GENERAL: 4 };    // smtpp_domain_kind
export const PATH = { NULL: 1, POSTMASTER: 2, MAILBOX: 3 };     // smtpp_path_kind
export const ID = { SMTPUTF8: 2 };

/* A Domain (grammar already matched): length and each label's length.
 * Domain = sub-domain *("." sub-domain) and no sub-domain holds ".", so
 * the dot-separated pieces are the labels.  U-labels are counted in octets
 * as sent (DIFFERENCES.md). */
export function domainOk(d) {
  if (d.length > DOMAIN_MAX) return false;
  for (const label of d.split(".")) if (label.length > LABEL_MAX) return false;
  return true;
}

/* IPv4-address-literal = Snum 3("." Snum): each Snum 0 through 255. */
export function ipv4Ok(s) {
  return s.split(".").every(n => Number(n) <= 255);
}

/* IPv6-addr: with "::", at most 6 groups besides it (IPv6-comp), or 4
 * besides it and the IPv4 part (IPv6v4-comp); the IPv4 part's Snums. */
export function ipv6Ok(addr, v4) {
  let hex = addr;
  if (v4 !== undefined) {
    if (!ipv4Ok(v4)) return false;
    hex = addr.slice(0, addr.length - v4.length);
  }
  if (!addr.includes("::")) return true; // IPv6-full, IPv6v4-full: counts fixed by the grammar
  const groups = hex.split(":").filter(g => g.length > 0).length;
  return groups <= (v4 !== undefined ? 4 : 6);
}

const U64_MAX = (1n << 64n) - 1n;
/* The escaping of the driver (oracle_driver.c): octets below 0x20, 0x7f
 * and above, "\\" and "|" as \\hh. */
export function esc(s) {
  let o = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c >= 0x7f || c === 0x5c || c === 0x7c) o += "\\" + c.toString(16).padStart(2, "0");
    else o += s[i];
  }
  return o;
}
/* A slice as the driver prints it: "=" and the escaped text, "!" absent. */
export const sl = s => (s === undefined || s === null ? "!" : "=" + esc(s));

/* The parameters the library knows.  rule: the smtp.abnf rule the whole
 * esmtp-param must match besides esmtp-param; verb: the command that takes
 * it; typed(value, notes): the library's typed form as the driver prints
 * it, or null when a prose limit refuses the value.  skip: parameters this
 * oracle does not model (their RFCs are not in smtp.abnf); a line with one
 * is not judged. */
export const PARAMS = [
  { name: "SIZE", id: 0, verb: "mail", rule: "size-param",
    typed: (v, notes) => {
      if (BigInt(v) > U64_MAX) notes.add("size_over_64bit");
      return "=" + BigInt(v).toString();
    } },
  { name: "BODY", id: 1, verb: "mail", rule: "body-param",
    typed: v => "=" + ({ "7BIT": 1, "8BITMIME": 2, BINARYMIME: 3 })[v.toUpperCase()] },
  { name: "SMTPUTF8", id: 2, verb: "mail", rule: "smtputf8-param", typed: () => "" },
  { name: "RET", id: 3, verb: "mail", rule: "ret-param",
    typed: v => "=" + ({ FULL: 1, HDRS: 2 })[v.toUpperCase()] },
  { name: "ENVID", id: 4, verb: "mail", rule: "envid-param",
    typed: v => (v.length > ENVID_MAX ? null : sl(v)) },
  { name: "AUTH", id: 5, verb: "mail", rule: "auth-param", typed: v => sl(v) },
  { name: "REQUIRETLS", id: 6, verb: "mail", rule: "requiretls-param", typed: () => "" },
  { name: "MT-PRIORITY", id: 7, verb: "mail", rule: "mt-priority-param",
    typed: v => "=" + Number(v) },
  { name: "HOLDFOR", id: 8, skip: true },
  { name: "HOLDUNTIL", id: 9, skip: true },
  { name: "BY", id: 10, skip: true },
  { name: "NOTIFY", id: 11, verb: "rcpt", rule: "notify-param",
    typed: v => {
      const bits = { NEVER: 1, SUCCESS: 2, FAILURE: 4, DELAY: 8 };
      let b = 0;
      for (const e of v.toUpperCase().split(",")) b |= bits[e];
      return "=" + b;
    } },
  { name: "ORCPT", id: 12, verb: "rcpt", rule: "orcpt-param",
    typed: v => {
      if (v.length > ORCPT_MAX) return null;
      const i = v.indexOf(";");
      return sl(v.slice(0, i)) + sl(v.slice(i + 1));
    } },
];

/* Verbs the library parses that this oracle does not judge. */
export const OTHER_VERBS = ["LHLO", "DATA", "BDAT", "RSET", "NOOP", "QUIT", "VRFY", "EXPN",
  "HELP", "AUTH", "STAR", "TURN", "ATRN", "ETRN", "XCLI", "XFOR"];
