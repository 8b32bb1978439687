/* The SMTP command parser: line framing and the re2c lexer.
 *
 * Framing finds the last LF of each new region with memrchr, once per byte
 * (the parser remembers how far it searched).  The complete line is then
 * lexed by small re2c blocks, one per job (verb, path, local part, domain,
 * parameters ...), each continuing where the previous one stopped, so every
 * byte of the line is read once.  The LF is the sentinel: no rule matches
 * past it (re2c -W -Werror checks that), so no block needs bounds checks
 * and none can read beyond the line.
 *
 * Local parts and domains first go through hand-written loops for the
 * plain ASCII shapes nearly all of them have (one table lookup per byte);
 * anything else, and anything those loops cannot vouch for, goes to the
 * DFA, which then reads those bytes again.  The loops stop at the first
 * byte that does not fit, so the LF bounds them too.
 *
 * The fast lane (parser/command_lane.c; its contract in command_lane.h)
 * is a second parser for the usual shapes of MAIL, RCPT, RSET, QUIT, DATA,
 * NOOP, HELO and EHLO, written once with generic vectors for SSE2, NEON and
 * AVX2 (chosen at parser init).  Every line with at least SMTPP_LANE_MIN
 * octets after its start in the region (near the end of a region, in a
 * bounded form, or on a padded copy: command_lane.h, "What it reads") is
 * offered to it first: on the usual call by the lane's own entry
 * (smtpp__parse_lane_*(), in command_lane.c, so that the usual command
 * costs one call level), which checks the framing's hint and ends with
 * line_done() (command_frame.h, shared), else by the framing below.  It
 * claims only lines whose every field it can vouch for, and returns 0
 * otherwise: this file then parses the line from its start
 * (smtpp__parse_general()).  lex_path()
 * also asks the lane's mailbox scan first.  Sanitizer and fuzzing builds
 * (SMTPP_CHECK_FAST_PATHS) parse every claimed line again with the general
 * path (parser/lane_check.c) and abort on any difference, and the test
 * suite feeds every input also with padding after it, so both paths see
 * it.
 */
#if !defined(_GNU_SOURCE)
#  define _GNU_SOURCE 1 /* memrchr */
#endif
#include "command_fields.h"
#include "command_frame.h"
#include "command_lane.h"
#include "internal.h"
#include "vocab.h"
#if defined(SMTPP_HAVE_LANE)
#  include "simd.h"
#endif

#include <stdlib.h>
#include <string.h>

/* The last LF in s[0..n), or NULL. */
static const uchar *last_lf(const uchar *s, size_t n)
{
#if defined(__GLIBC__) || defined(__FreeBSD__) || defined(__OpenBSD__)
    return (const uchar *)memrchr(s, '\n', n);
#else
    while (n--)
        if (s[n] == '\n') return s + n;
    return NULL;
#endif
}

/*!re2c
  re2c:define:YYCTYPE = "uchar";
  re2c:yyfill:enable = 0;
  re2c:sentinel = 10;
  re2c:flags:tags = 1;

  eol        = "\r"? "\n";
  digit      = [0-9];
  alpha      = [a-zA-Z];
  let_dig    = [a-zA-Z0-9];
  ldh        = [a-zA-Z0-9-];

  utf8_2     = [\xc2-\xdf] [\x80-\xbf];
  utf8_3     = "\xe0" [\xa0-\xbf] [\x80-\xbf]
             | [\xe1-\xec\xee\xef] [\x80-\xbf] [\x80-\xbf]
             | "\xed" [\x80-\x9f] [\x80-\xbf];
  utf8_4     = "\xf0" [\x90-\xbf] [\x80-\xbf] [\x80-\xbf]
             | [\xf1-\xf3] [\x80-\xbf] [\x80-\xbf] [\x80-\xbf]
             | "\xf4" [\x80-\x8f] [\x80-\xbf] [\x80-\xbf];
  u8         = utf8_2 | utf8_3 | utf8_4;

  label_a    = let_dig (ldh* let_dig)?;
  domain_a   = label_a ("." label_a)*;
  uld        = let_dig | u8;
  label_u    = uld ((uld | "-")* uld)?;
  domain_u   = label_u ("." label_u)*;

  atext      = [a-zA-Z0-9!#$%&'*+/=?^_`{|}~-];
  dot_str_a  = atext+ ("." atext+)*;
  dot_str_u  = (atext | u8)+ ("." (atext | u8)+)*;
  qtext      = [\x20\x21\x23-\x5b\x5d-\x7e];
  qpair      = "\\" [\x20-\x7e];
  quoted_a   = ["] (qtext | qpair)* ["];
  quoted_u   = ["] (qtext | qpair | u8)* ["];
  loose_u    = (atext | u8 | ".")+;

  xchar      = [\x21-\x2a\x2c-\x3c\x3e-\x7e];
  xhex       = "+" [0-9A-F] [0-9A-F];
  xtext      = (xchar | xhex)*;
  xtext1     = (xchar | xhex)+;
  esmtp_kw   = let_dig ldh*;
  esmtp_val  = ([\x21-\x3c\x3e-\x7e] | u8)+;
  atom       = atext+;
  atom_value = [a-zA-Z0-9!#$%&'*+/?^_`{|}~-]+;  // an atom that fits in an
                                                // esmtp-value: no "="
  b64        = [A-Za-z0-9+/];
  b64_x4     = [AEIMQUYcgkosw048];  // values 4k: the 2 bits "=" drops are 0
  b64_x16    = [AQgw];              // values 16k: the 4 bits "==" drops are 0
  base64     = (b64 b64 b64 b64)* (b64 b64 b64 b64 | b64 b64 b64_x4 "=" | b64 b64_x16 "==");
*/

/* Byte classes for the hand-written fast paths below. */
enum { CC_LETDIG = 1, CC_LDH = 2, CC_ATEXT = 4 };
static const uint8_t cclass[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 4, 0, 4, 4, 4, 4, 4, 0, 0, 4, 4, 0, 6, 0, 4,
    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 0, 0, 0, 4, 0, 4,
    0, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 0, 0, 0, 4, 4,
    4, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 4, 4, 4, 4, 0,
    /* 0x80-0xff: none */
};

/* The fast paths.  Nearly every domain and local part on the wire is plain
 * ASCII: LDH labels, atext runs.  The DFA blocks below handle every form,
 * but their states for what might follow (a U-label, a quoted string, a
 * trailing hyphen to back out of) cost several compares per byte.  These
 * loops handle the plain case at one table lookup per byte and give up
 * (NULL) whenever the input is anything else, or could be read in more
 * than one way, so that the DFA decides: a fast path returns only the end
 * the DFA would return.  Builds with SMTPP_CHECK_FAST_PATHS (the sanitizer
 * and fuzzing builds) run both and abort on any difference. */

/* An ASCII Domain (LDH labels separated by dots) followed by an ASCII byte
 * that cannot continue it.  Stops at the LF at the latest. */
static const uchar *domain_fast(const uchar *s)
{
    const uchar *p = s;
    for (;;) {
        if (!(cclass[*p] & CC_LETDIG)) return NULL;
        do p++; while (cclass[*p] & CC_LDH);
        if (p[-1] == '-') return NULL;
        if (*p != '.') break;
        p++;
    }
    return *p < 0x80 ? p : NULL;
}

/* An ASCII Dot-string followed by an ASCII byte that cannot continue it. */
static const uchar *local_fast(const uchar *s)
{
    const uchar *p = s;
    for (;;) {
        if (!(cclass[*p] & CC_ATEXT)) return NULL;
        do p++; while (cclass[*p] & CC_ATEXT);
        if (*p != '.') break;
        p++;
    }
    return *p < 0x80 ? p : NULL;
}

#define OFF(lx, ptr) ((uint32_t)((ptr) - (lx)->base))
/* The variables every lexer block uses. */
#define LEXER_AT(s) const uchar *YYCURSOR = (s), *YYMARKER = (s); (void)YYMARKER

typedef struct lexer {
    const uchar *base;   /* first byte of the line */
    const uchar *end;    /* just past the LF, once a block has matched it */
    const uchar *lim;    /* end of the caller's buffer: bytes up to here may
                            be read (the SIMD scanner reads whole blocks) */
    smtpp_command *cmd;
    unsigned flags;
    unsigned simd;       /* the parser's _simd: which lane, if any */
    const uchar *utf8_value; /* first octet >= 0x80 in a parameter value */
} lexer;

/* Records an error found at byte `at`.  A CR that does not end the line,
 * or a malformed UTF-8 sequence there is reported as such; otherwise `e`.
 * (A NUL in the arguments is an invalid character like any other control
 * character: the argument's own 501 error, RFC 5321 4.1.2.  Only a NUL in
 * the verb is SMTPP_E_NUL: lex_line.)  Always returns NULL so callers can
 * `return fail(...)`. */
static const uchar *fail(lexer *lx, const uchar *at, smtpp_error e, int utf8_ctx)
{
    /* `at` never lies past the LF that ends the line, so at[1] is readable
     * whenever *at is not that LF. */
    if (*at != '\n') {
        if (*at == '\r' && at[1] != '\n')
            e = SMTPP_E_BARE_CR;
        else if (*at >= 0x80 && utf8_ctx)
            e = SMTPP_E_BAD_UTF8;
    }
    if (lx->cmd->error == SMTPP_E_OK) {
        lx->cmd->error = (uint8_t)e;
        lx->cmd->error_offset = OFF(lx, at);
    }
    return NULL;
}

/* The end of the line: optional trailing blanks (lenient), then CR? LF.
 * Returns 1 when s is at the end of the line, and records where it ends. */
static int at_eol_dfa(lexer *lx, const uchar *s)
{
    LEXER_AT(s);
    /*!re2c
      eol           { lx->end = YYCURSOR; return 1; }
      [ \t]+ eol    {
          if (!(lx->flags & SMTPP_LENIENT_TRAILING_SPACE)) return 0;
          lx->end = YYCURSOR;
          return 1;
      }
      *             { return 0; }
    */
}

/* The same, with the usual case (CRLF right there) inline.  s[0] is never
 * past the LF, so s[1] is readable when s[0] is a CR. */
static inline int at_eol(lexer *lx, const uchar *s)
{
    if (s[0] == '\r' && s[1] == '\n') {
        lx->end = s + 2;
        return 1;
    }
    if (s[0] != '\r' && s[0] != '\n' && s[0] != ' ' && s[0] != '\t') return 0;
    return at_eol_dfa(lx, s);
}


/* ---- Domains ------------------------------------------------------------- */

/* Lexes a Domain or address literal at s.  utf8: whether U-labels may
 * appear.  On success fills *dom (and literal/kind) and returns the end. */
static SMTPP_NOINLINE const uchar *lex_domain_dfa(lexer *lx, const uchar *s, int utf8, smtpp_path *out)
{
    LEXER_AT(s);
    const uchar *t1, *t2;
    smtpp_error e;
    /*!stags:re2c:dom1 format = "const uchar *@@ = NULL;\n"; */
    /*!re2c:dom1
      domain_a {
          e = smtpp__domain_lengths(s, (size_t)(YYCURSOR - s));
          if (e) return fail(lx, s, e, 0);
          out->domain_kind = SMTPP_DOMAIN_NAME;
          goto done;
      }
      domain_u {
          if (!utf8) return fail(lx, s, SMTPP_E_DOMAIN_SYNTAX, 0);
          e = smtpp__domain_lengths(s, (size_t)(YYCURSOR - s));
          if (e) return fail(lx, s, e, 1);
          out->domain_kind = SMTPP_DOMAIN_NAME;
          out->utf8 = 1;
          goto done;
      }
      "[" @t1 [0-9.]+ @t2 "]" {
          if (!smtpp__ipv4_ok(t1, (size_t)(t2 - t1)))
              return fail(lx, s, SMTPP_E_ADDRESS_LITERAL, 0);
          out->domain_kind = SMTPP_DOMAIN_IPV4;
          out->literal = SL(t1, t2);
          goto done;
      }
      "[" 'IPv6:' @t1 [0-9a-fA-F:.]+ @t2 "]" {
          if (!smtpp__ipv6_ok(t1, (size_t)(t2 - t1)))
              return fail(lx, s, SMTPP_E_ADDRESS_LITERAL, 0);
          out->domain_kind = SMTPP_DOMAIN_IPV6;
          out->literal = SL(t1, t2);
          goto done;
      }
      "[" @t1 ldh* let_dig ":" @t2 [\x21-\x5a\x5e-\x7e]+ "]" {
          // General-address-literal: a tag other than IPv6.
          if (t2 - t1 == 5 && smtpp__ieq(t1, 4, "IPV6"))
              return fail(lx, s, SMTPP_E_ADDRESS_LITERAL, 0);
          out->domain_kind = SMTPP_DOMAIN_GENERAL;
          out->literal = SL(t2, YYCURSOR - 1);
          goto done;
      }
      "["  { return fail(lx, s, SMTPP_E_ADDRESS_LITERAL, 0); }
      *    { return fail(lx, s, SMTPP_E_DOMAIN_SYNTAX, utf8); }
    */
done:
    out->domain = SL(s, YYCURSOR);
    if (YYCURSOR - s > 255)
        return fail(lx, s, SMTPP_E_DOMAIN_TOO_LONG, 0);
    return YYCURSOR;
}

static inline const uchar *lex_domain(lexer *lx, const uchar *s, int utf8, smtpp_path *out)
{
    const uchar *e = domain_fast(s);
    smtpp_error err;
#if defined(SMTPP_CHECK_FAST_PATHS)
    if (e) {
        smtpp_command c2;
        lexer lx2 = *lx;
        smtpp_path p2 = *out;
        c2.error = SMTPP_E_OK;
        lx2.cmd = &c2;
        if (lex_domain_dfa(&lx2, s, utf8, &p2) != e && c2.error == SMTPP_E_OK) abort();
        if (c2.error == SMTPP_E_OK && (p2.domain_kind != SMTPP_DOMAIN_NAME || p2.utf8 != out->utf8))
            abort();
        if (c2.error != SMTPP_E_OK &&
            !(c2.error == smtpp__domain_lengths(s, (size_t)(e - s)) && c2.error_offset == OFF(lx, s)))
            abort();
    }
#endif
    if (!e) return lex_domain_dfa(lx, s, utf8, out);
    out->domain_kind = SMTPP_DOMAIN_NAME;
    out->domain = SL(s, e);
    err = smtpp__domain_lengths(s, (size_t)(e - s));
    if (err) return fail(lx, s, err, 0);
    return e;
}

/* ---- Paths ---------------------------------------------------------------- */

/* The end of the Domain of a source route at s (U-labels allowed: *wide is
 * then set), or NULL. */
static const uchar *route_domain(const uchar *s, int *wide)
{
    LEXER_AT(s);
    /*!re2c
      domain_a { return YYCURSOR; }
      domain_u { *wide = 1; return YYCURSOR; }
      *        { return NULL; }
    */
}

/* A source route at s: "@" Domain *( "," "@" Domain ) ":" (RFC 5321
 * 4.1.2).  Its domains follow the rules of every Domain: labels of at most
 * 63 octets, at most 255 in all, and U-labels under SMTPUTF8 (RFC 6531
 * 3.3), which set *wide (the path's utf8, as in the mailbox).  Returns
 * the octet after the ":". */
static SMTPP_NOINLINE const uchar *lex_route(lexer *lx, const uchar *s, int *wide)
{
    const uchar *at = s, *e;
    smtpp_error err;
    for (;;) {
        if (*at != '@') return fail(lx, s, SMTPP_E_PATH_SYNTAX, 0);
        e = route_domain(at + 1, wide);
        if (!e) return fail(lx, s, SMTPP_E_PATH_SYNTAX, 0);
        err = smtpp__domain_lengths(at + 1, (size_t)(e - at - 1));
        if (err) return fail(lx, at + 1, err, 0);
        if (*e == ':') break;
        if (*e != ',') return fail(lx, *e >= 0x80 ? e : s, SMTPP_E_PATH_SYNTAX, 1);
        at = e + 1;
    }
    return e + 1;
}

/* The end of a local part of n octets at s. */
static inline const uchar *local_end(lexer *lx, const uchar *s, const uchar *e, smtpp_path *out)
{
    out->local = SL(s, e);
    if (e - s > 64 && !(lx->flags & SMTPP_LENIENT_LONG_LOCAL))
        return fail(lx, s, SMTPP_E_LOCAL_TOO_LONG, 0);
    return e;
}

/* The local part, every form.  Sets quoted/utf8 on *out. */
static SMTPP_NOINLINE const uchar *lex_local_dfa(lexer *lx, const uchar *s, smtpp_path *out)
{
    LEXER_AT(s);
    const uchar *p;
    /*!re2c
      dot_str_a { goto done; }
      dot_str_u { out->utf8 = 1; goto done; }
      quoted_a  { out->quoted = 1; goto done; }
      quoted_u  { out->quoted = 1; out->utf8 = 1; goto done; }
      loose_u   {
          if (!(lx->flags & SMTPP_LENIENT_LOCAL_DOTS))
              return fail(lx, s, SMTPP_E_LOCAL_SYNTAX, 1);
          for (p = s; p < YYCURSOR; p++)
              if (*p >= 0x80) out->utf8 = 1;
          goto done;
      }
      ["] { return fail(lx, s, SMTPP_E_LOCAL_SYNTAX, 1); }
      *   { return fail(lx, s, SMTPP_E_LOCAL_SYNTAX, 1); }
    */
done:
    return local_end(lx, s, YYCURSOR, out);
}

/* The local part: the fast path, else the DFA. */
static inline const uchar *lex_local(lexer *lx, const uchar *s, smtpp_path *out)
{
    const uchar *e = local_fast(s);
#if defined(SMTPP_CHECK_FAST_PATHS)
    if (e) {
        smtpp_command c2;
        lexer lx2 = *lx;
        smtpp_path p2 = *out;
        c2.error = SMTPP_E_OK;
        lx2.cmd = &c2;
        if (lex_local_dfa(&lx2, s, &p2) != e && c2.error == SMTPP_E_OK) abort();
        if (c2.error == SMTPP_E_OK ? (p2.utf8 != out->utf8 || p2.quoted != out->quoted)
                                   : !(c2.error == SMTPP_E_LOCAL_TOO_LONG && e - s > 64 &&
                                       c2.error_offset == OFF(lx, s)))
            abort();
    }
#endif
    if (!e) return lex_local_dfa(lx, s, out);
    return local_end(lx, s, e, out);
}

/* The fast lane's scan of a usual Mailbox at s (command_lane.h): its end,
 * with *out filled as lex_local() and lex_domain() fill it, or NULL to
 * leave it to them.  Checked against them in SMTPP_CHECK_FAST_PATHS
 * builds. */
static inline const uchar *mailbox_lane(lexer *lx, const uchar *s, smtpp_path *out)
{
    const uchar *e = smtpp__mailbox_lane(lx->simd, s, lx->lim, out);
#if defined(SMTPP_CHECK_FAST_PATHS)
    if (e) smtpp__mailbox_lane_check(lx->flags, s, lx->lim, e, out);
#endif
    return e;
}

/* A Reverse-path or Forward-path at s (just after "FROM:" / "TO:"). */
static const uchar *lex_path(lexer *lx, const uchar *s, smtpp_path *out)
{
    const uchar *start = s, *mb;
    int bracket = (*s == '<'), route_utf8 = 0;

    path_clear(out);
    if (bracket) {
        s++;
        if (*s == '>') {
            out->kind = SMTPP_PATH_NULL;
            out->raw = SL(s, s);
            return s + 1;
        }
    } else if (!(lx->flags & SMTPP_LENIENT_NO_BRACKETS)) {
        return fail(lx, s, SMTPP_E_PATH_NO_BRACKETS, 0);
    }
    if (*s == '@') {
        const uchar *r = lex_route(lx, s, &route_utf8);
        if (!r) return NULL;
        out->route = SL(s, r - 1);
        s = r;
    }
    mb = s;
    s = lx->simd && lx->lim - s >= 32 ? mailbox_lane(lx, mb, out) : NULL;
    if (!s) {
        s = lex_local(lx, mb, out);
        if (!s) return NULL;
        if (*s != '@') {
            /* "<Postmaster>": the one mailbox without a domain (RFC 5321 4.5.1) */
            if (s - mb == 10 && !out->route.p && (!bracket || *s == '>') &&
                smtpp__ieq(mb, 10, "POSTMASTER") &&
                (bracket || *s == ' ' || at_eol(lx, s))) {
                out->kind = SMTPP_PATH_POSTMASTER;
                out->mailbox = SL(mb, s);
                out->raw = SL(start + bracket, s);
                return s + bracket;
            }
            return fail(lx, s, SMTPP_E_PATH_SYNTAX, 1);
        }
        s = lex_domain(lx, s + 1, 1, out);
        if (!s) return NULL;
    }
    if (bracket) {
        if (*s != '>') {
            int c = *s;
            return fail(lx, s, (c == '.' || c == '-' || (unsigned)((c | 0x20) - 'a') < 26u ||
                                (unsigned)(c - '0') < 10u) ? SMTPP_E_DOMAIN_SYNTAX
                                               : SMTPP_E_PATH_SYNTAX, 1);
        }
    }
    out->kind = SMTPP_PATH_MAILBOX;
    out->mailbox = SL(mb, s);
    out->raw = SL(start + bracket, s);
    if (route_utf8) out->utf8 = 1;
    if (s - start + bracket > 256)   /* with both brackets */
        return fail(lx, start, SMTPP_E_PATH_TOO_LONG, 0);
    return s + bracket;
}

/* ---- ESMTP parameters ------------------------------------------------------ */

/* The known parameters are the rows of SMTPP_PARAM_MAP (command.h); their
 * keyword lengths (param_kwlen[]), the verbs they are valid on
 * (param_verbs[]) and their extensions (param_ext[]) come from parser/vocab.h.
 * The re2c rules below cannot read the map: tests/test_command.c parses
 * every row's keyword and example value to show they agree with it. */

/* Which known keyword is s[0..end)?  -1 for none.  One rule per row of
 * SMTPP_PARAM_MAP. */
static int param_lookup(const uchar *s, const uchar *end)
{
    LEXER_AT(s);
    int id;
    /*!re2c
      'SIZE'        { id = SMTPP_PARAM_SIZE; goto done; }
      'BODY'        { id = SMTPP_PARAM_BODY; goto done; }
      'SMTPUTF8'    { id = SMTPP_PARAM_SMTPUTF8; goto done; }
      'RET'         { id = SMTPP_PARAM_RET; goto done; }
      'ENVID'       { id = SMTPP_PARAM_ENVID; goto done; }
      'AUTH'        { id = SMTPP_PARAM_AUTH; goto done; }
      'REQUIRETLS'  { id = SMTPP_PARAM_REQUIRETLS; goto done; }
      'MT-PRIORITY' { id = SMTPP_PARAM_MT_PRIORITY; goto done; }
      'HOLDFOR'     { id = SMTPP_PARAM_HOLDFOR; goto done; }
      'HOLDUNTIL'   { id = SMTPP_PARAM_HOLDUNTIL; goto done; }
      'BY'          { id = SMTPP_PARAM_BY; goto done; }
      'NOTIFY'      { id = SMTPP_PARAM_NOTIFY; goto done; }
      'ORCPT'       { id = SMTPP_PARAM_ORCPT; goto done; }
      *             { return -1; }
    */
done:
    return YYCURSOR == end ? id : -1;
}

static uint64_t digits_u64(const uchar *s, const uchar *e, int *overflow)
{
    uint64_t v = 0;
    *overflow = 0;
    if (e - s < 20) { /* at most 19 digits: below 10^19 < 2^64 */
        for (; s < e; s++) v = v * 10 + (unsigned)(*s - '0');
        return v;
    }
    for (; s < e; s++) {
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10) { *overflow = 1; return 0; }
        v = v * 10 + d;
    }
    return v;
}

/* 1 when an unknown keyword kw[0..n) is already among c->params[]
 * (compared without regard to case).  Known keywords have their bits in
 * c->p.present instead. */
static int unknown_seen(const smtpp_command *c, const uchar *kw, size_t n)
{
    unsigned i;
    for (i = 0; i < c->nparams; i++)
        if (c->params[i].id < 0 && c->params[i].keyword.n == n &&
            smtpp__ieq2((const uchar *)c->params[i].keyword.p, kw, n))
            return 1;
    return 0;
}

/* A well-formed parameter with a keyword this library does not know:
 * keyword kw..v, "=value" v..e or nothing.  Refused unless the caller takes
 * care of such parameters (SMTPP_ACCEPT_UNKNOWN_PARAMS); then a value with
 * UTF-8 is noted for the check after the line (RFC 6531 3.3).  Returns e,
 * or NULL after recording the error. */
static const uchar *param_unknown(lexer *lx, const uchar *kw, const uchar *v, const uchar *e)
{
    const uchar *q;
    if (unknown_seen(lx->cmd, kw, (size_t)(v - kw)))
        return fail(lx, kw, SMTPP_E_PARAM_DUPLICATE, 0);
    if (!(lx->flags & SMTPP_ACCEPT_UNKNOWN_PARAMS))
        return fail(lx, kw, SMTPP_E_PARAM_UNKNOWN, 0);
    if (!lx->utf8_value) {
        for (q = v; q < e && *q < 0x80; q++)
            ;
        if (q < e) lx->utf8_value = q;
    }
    return e;
}

/* The NOTIFY list element bits of q..e, a list the rule has checked
 * (RFC 3461 4.1: "SUCCESS", "FAILURE", "DELAY", comma-separated; a repeated
 * element adds nothing, RFC 822 2.7). */
static SMTPP_INLINE uint8_t notify_bits(const uchar *q, const uchar *e)
{
    unsigned bits = 0;
    while (q < e) {
        bits |= ((*q | 0x20) == 's') ? SMTPP_NOTIFY_SUCCESS
              : ((*q | 0x20) == 'f') ? SMTPP_NOTIFY_FAILURE
                                     : SMTPP_NOTIFY_DELAY;
        while (q < e && *q != ',') q++;
        q++;
    }
    return (uint8_t)bits;
}

/* Whether known parameter id (at kw) may be on this command: on its verb
 * (param_verbs[]), once.  Marks it present.  Returns 0 after recording the
 * error. */
static SMTPP_INLINE int param_admit(lexer *lx, smtpp_command *c, const uchar *kw, int id)
{
    if (!(param_verbs[id] & (1u << c->verb))) {
        fail(lx, kw, SMTPP_E_PARAM_WRONG_VERB, 0);
        return 0;
    }
    if (c->p.present & (1u << id)) {
        fail(lx, kw, SMTPP_E_PARAM_DUPLICATE, 0);
        return 0;
    }
    c->p.present |= 1u << id;
    return 1;
}

/* Appends the parameter kw..e (keyword kw..v) to c->params[]. */
static SMTPP_INLINE void param_store(smtpp_command *c, const uchar *kw, const uchar *v,
                                     const uchar *e, int id)
{
    smtpp_param *sp = &c->params[c->nparams++];
    sp->keyword = SL(kw, v);
    sp->value = (v < e) ? SL(v + 1, e) : (smtpp_str){ NULL, 0 };
    sp->id = id;
}

/* The parameter list after a path: *(SP esmtp-param) CRLF (RFC 5321
 * 4.1.2: esmtp-keyword ["=" esmtp-value]).  Each parameter is appended to
 * c->params[]; a known keyword with a value of its grammar has the value
 * stored in c->p (the typed rules below), an unknown keyword the caller
 * takes (param_unknown) gets id -1.  Returns the end of the line, or NULL
 * after recording the error: a value its keyword does not allow, a known
 * parameter param_admit() refuses, an unknown or malformed parameter. */
static const uchar *lex_params(lexer *lx, const uchar *s)
{
    smtpp_command *c = lx->cmd;
    smtpp_params *pp = &c->p;
    const uchar *YYCURSOR, *YYMARKER = NULL, *kw, *t0, *t1;
    int id, ovf;
    (void)YYMARKER;
    /*!stags:re2c:par1 format = "const uchar *@@ = NULL;\n"; */

    for (;;) {
        if (at_eol(lx, s)) return s;
        if (*s != ' ') return fail(lx, s, SMTPP_E_SYNTAX, 0);
        kw = ++s;
        YYCURSOR = s;
        if (c->nparams == SMTPP_MAX_PARAMS)
            return fail(lx, kw, SMTPP_E_PARAM_TOO_MANY, 0);
        /*!re2c:par1
          'SIZE=' digit{1,20} {
              id = SMTPP_PARAM_SIZE;
              pp->size = digits_u64(kw + 5, YYCURSOR, &ovf);
              if (ovf) return fail(lx, kw, SMTPP_E_SIZE_OVERFLOW, 0);
              goto typed;
          }
          'BODY=7BIT'        { id = SMTPP_PARAM_BODY; pp->body = SMTPP_BODY_7BIT; goto typed; }
          'BODY=8BITMIME'    { id = SMTPP_PARAM_BODY; pp->body = SMTPP_BODY_8BITMIME; goto typed; }
          'BODY=BINARYMIME'  { id = SMTPP_PARAM_BODY; pp->body = SMTPP_BODY_BINARYMIME; goto typed; }
          'SMTPUTF8'         { id = SMTPP_PARAM_SMTPUTF8; goto typed; }
          'RET=FULL'         { id = SMTPP_PARAM_RET; pp->ret = SMTPP_RET_FULL; goto typed; }
          'RET=HDRS'         { id = SMTPP_PARAM_RET; pp->ret = SMTPP_RET_HDRS; goto typed; }
          'ENVID=' xtext1    {
              // RFC 3461 4.4: at most 100 characters, counted as sent
              if (YYCURSOR - (kw + 6) > 100) return fail(lx, kw, SMTPP_E_PARAM_VALUE, 0);
              id = SMTPP_PARAM_ENVID;
              pp->envid = SL(kw + 6, YYCURSOR);
              goto typed;
          }
          'AUTH=' xtext1     { id = SMTPP_PARAM_AUTH; pp->auth = SL(kw + 5, YYCURSOR); goto typed; }
          'REQUIRETLS'       { id = SMTPP_PARAM_REQUIRETLS; goto typed; }
          'MT-PRIORITY=' [+-]? digit {
              id = SMTPP_PARAM_MT_PRIORITY;
              pp->mt_priority = (int8_t)(YYCURSOR[-1] - '0');
              if (YYCURSOR[-2] == '-') pp->mt_priority = (int8_t)-pp->mt_priority;
              goto typed;
          }
          'HOLDFOR=' digit{1,9} {
              id = SMTPP_PARAM_HOLDFOR;
              pp->holdfor = (uint32_t)digits_u64(kw + 8, YYCURSOR, &ovf);
              goto typed;
          }
          'HOLDUNTIL=' digit{4} "-" ("0" [1-9] | "1" [0-2]) "-" ("0" [1-9] | [12] digit | "3" [01])
                'T' ([01] digit | "2" [0-3]) ":" [0-5] digit ":" ([0-5] digit | "60") ("." digit+)?
                ('Z' | [+-] ([01] digit | "2" [0-3]) ":" [0-5] digit) {
              id = SMTPP_PARAM_HOLDUNTIL;
              pp->holduntil = SL(kw + 10, YYCURSOR);
              goto typed;
          }
          'BY=' @t0 [+-]? digit{1,9} @t1 ";" [NnRr] [Tt]? {
              const uchar *n = t0 + (*t0 == '-' || *t0 == '+');
              id = SMTPP_PARAM_BY;
              pp->by_time = (int32_t)digits_u64(n, t1, &ovf);
              if (*t0 == '-') pp->by_time = -pp->by_time;
              pp->by_mode = (uint8_t)(t1[1] & ~0x20);
              pp->by_trace = (YYCURSOR - t1 == 3);
              if (pp->by_time <= 0 && pp->by_mode == SMTPP_BY_RETURN)
                  return fail(lx, kw, SMTPP_E_PARAM_VALUE, 0);
              goto typed;
          }
          'NOTIFY=NEVER'     { id = SMTPP_PARAM_NOTIFY; pp->notify = SMTPP_NOTIFY_NEVER; goto typed; }
          'NOTIFY=' ('SUCCESS' | 'FAILURE' | 'DELAY') ("," ('SUCCESS' | 'FAILURE' | 'DELAY'))* {
              // RFC 3461 4.1: "NEVER" / 1#notify-list-element
              id = SMTPP_PARAM_NOTIFY;
              pp->notify = notify_bits(kw + 7, YYCURSOR);
              goto typed;
          }
          'ORCPT=' @t0 atom_value @t1 ";" xtext {
              // RFC 3461 4.2: addr-type ";" xtext, the xtext possibly empty;
              // the whole value at most 500 characters, counted as sent
              if (YYCURSOR - t0 > 500) return fail(lx, kw, SMTPP_E_PARAM_VALUE, 0);
              id = SMTPP_PARAM_ORCPT;
              pp->orcpt_type = SL(t0, t1);
              pp->orcpt = SL(t1 + 1, YYCURSOR);
              goto typed;
          }
          esmtp_kw @t0 ("=" esmtp_val)? {
              id = param_lookup(kw, t0);
              if (id >= 0) {
                  // a known keyword with a value it does not allow
                  if (pp->present & (1u << id))
                      return fail(lx, kw, SMTPP_E_PARAM_DUPLICATE, 0);
                  return fail(lx, kw, SMTPP_E_PARAM_VALUE, 1);
              }
              if (!param_unknown(lx, kw, t0, YYCURSOR)) return NULL;
              param_store(c, kw, t0, YYCURSOR, -1);
              s = YYCURSOR;
              continue;
          }
          esmtp_kw @t0 "=" [^ \x00\r\n]* {
              // a value with bytes esmtp-value does not allow
              const uchar *q = kw;
              while (q < YYCURSOR && *q < 0x80) q++;
              if (q < YYCURSOR && param_lookup(kw, t0) < 0)
                  return fail(lx, q, SMTPP_E_PARAM_VALUE, 1);
              return fail(lx, kw, SMTPP_E_PARAM_VALUE, 0);
          }
          * { return fail(lx, kw, SMTPP_E_PARAM_SYNTAX, 1); }
        */
typed:
        if (!param_admit(lx, c, kw, id)) return NULL;
        /* the typed rules match the keyword exactly */
        param_store(c, kw, kw + param_kwlen[id], YYCURSOR, id);
        s = YYCURSOR;
    }
}

/* ---- Command arguments ------------------------------------------------------ */

/* VRFY/EXPN/HELP/NOOP String: an Atom or Quoted-string (RFC 5321 4.1.2), or,
 * as clients send and RFC 5321 3.5.3 describes, a mailbox with or without
 * angle brackets.  Sets *utf8 when non-ASCII appeared. */
static const uchar *lex_string_arg(lexer *lx, const uchar *s, int *utf8)
{
    LEXER_AT(s);
    /*!re2c
      (dot_str_a | quoted_a) ("@" domain_a)?              { return YYCURSOR; }
      "<" (dot_str_a | quoted_a) "@" domain_a ">"         { return YYCURSOR; }
      (dot_str_u | quoted_u) ("@" domain_u)?              { *utf8 = 1; return YYCURSOR; }
      "<" (dot_str_u | quoted_u) "@" domain_u ">"         { *utf8 = 1; return YYCURSOR; }
      *  { return fail(lx, s, SMTPP_E_SYNTAX, 1); }
    */
}

/* HELO/EHLO/LHLO: SP (Domain / address-literal).  HELO takes a literal too:
 * RFC 5321's grammar allows only a Domain there, but clients behind NAT send
 * literals and the argument is informational. */
static const uchar *lex_hello(lexer *lx, const uchar *s)
{
    smtpp_command *c = lx->cmd;
    const uchar *d;
    if (*s != ' ')
        return fail(lx, s, at_eol(lx, s) ? SMTPP_E_MISSING_ARG : SMTPP_E_SYNTAX, 0);
    d = lex_domain(lx, s + 1, 0, &c->path);
    if (!d) {
        if (c->error != SMTPP_E_BARE_CR)
            c->error = SMTPP_E_BAD_DOMAIN;
        return NULL;
    }
    c->arg = SL(s + 1, d);
    if (!at_eol(lx, d))
        return fail(lx, d, SMTPP_E_BAD_DOMAIN, 0);
    return d;
}

static const uchar *lex_mail_rcpt(lexer *lx, const uchar *s)
{
    smtpp_command *c = lx->cmd;
    LEXER_AT(s);
    int spaces = 0;
    if (c->verb == SMTPP_VERB_MAIL) {
        /*!re2c
          " " 'FROM:'         { goto path; }
          " " 'FROM:' " "+    { spaces = 1; goto path; }
          *                   { return fail(lx, s, SMTPP_E_SYNTAX, 0); }
        */
    } else {
        /*!re2c
          " " 'TO:'           { goto path; }
          " " 'TO:' " "+      { spaces = 1; goto path; }
          *                   { return fail(lx, s, SMTPP_E_SYNTAX, 0); }
        */
    }
path:
    if (spaces && !(lx->flags & SMTPP_LENIENT_SPACE_AFTER_COLON)) {
        const uchar *sp = YYCURSOR;
        while (sp[-1] == ' ') sp--;
        return fail(lx, sp, SMTPP_E_SYNTAX, 0);
    }
    s = YYCURSOR;
    if (at_eol(lx, s))
        return fail(lx, s, SMTPP_E_MISSING_ARG, 0);
    s = lex_path(lx, s, &c->path);
    if (!s) return NULL;
    if (c->verb == SMTPP_VERB_MAIL) {
        if (c->path.kind == SMTPP_PATH_POSTMASTER)
            return fail(lx, (const uchar *)c->path.mailbox.p, SMTPP_E_POSTMASTER_MAIL, 0);
    } else if (c->path.kind == SMTPP_PATH_NULL) {
        return fail(lx, s - 2, SMTPP_E_NULL_PATH_RCPT, 0);
    }
    params_clear(&c->p);
    lx->utf8_value = NULL;
    s = lex_params(lx, s);
    if (!s) return NULL;
    /* RFC 6531 3.4: a non-ASCII sender needs SMTPUTF8 on this very MAIL. */
    if (c->verb == SMTPP_VERB_MAIL && c->path.utf8 &&
        !(c->p.present & (1u << SMTPP_PARAM_SMTPUTF8)))
        return fail(lx, (const uchar *)c->path.raw.p, SMTPP_E_UTF8_ADDRESS, 0);
    /* And a parameter value with UTF-8 (RFC 6531 3.3) too; on RCPT the
     * transaction decides, as for the mailbox: the session checks it. */
    if (lx->utf8_value) {
        if (c->verb == SMTPP_VERB_RCPT) c->params_utf8 = 1;
        else if (!(c->p.present & (1u << SMTPP_PARAM_SMTPUTF8)))
            return fail(lx, lx->utf8_value, SMTPP_E_PARAM_VALUE, 0);
    }
    return s;
}

static const uchar *lex_bdat(lexer *lx, const uchar *s)
{
    smtpp_command *c = lx->cmd;
    LEXER_AT(s);
    const uchar *t1;
    int ovf;
    /*!stags:re2c:bdat1 format = "const uchar *@@ = NULL;\n"; */
    /*!re2c:bdat1
      " " digit+ @t1 (" " 'LAST')? {
          c->bdat_size = digits_u64(s + 1, t1, &ovf);
          if (ovf) return fail(lx, s + 1, SMTPP_E_NUMBER_TOO_LARGE, 0);
          c->bdat_last = (YYCURSOR != t1);
          c->arg = SL(s + 1, YYCURSOR);
          if (!at_eol(lx, YYCURSOR)) {
              // The size is known: the chunk can still be framed, unless
              // the line holds a bare CR (then no reading is safe).
              fail(lx, YYCURSOR, SMTPP_E_SYNTAX, 0);
              c->bdat_sized = c->error == SMTPP_E_SYNTAX || c->error == SMTPP_E_NUL;
              return NULL;
          }
          return YYCURSOR;
      }
      " " [^ \x00\r\n]+ { return fail(lx, s + 1, SMTPP_E_BAD_NUMBER, 0); }
      *  { return fail(lx, s, at_eol(lx, s) ? SMTPP_E_MISSING_ARG : SMTPP_E_SYNTAX, 0); }
    */
}

static const uchar *lex_auth(lexer *lx, const uchar *s)
{
    smtpp_command *c = lx->cmd;
    LEXER_AT(s);
    const uchar *t1;
    /*!stags:re2c:auth1 format = "const uchar *@@ = NULL;\n"; */ /*!stags:re2c:auth2 format = "const uchar *@@ = NULL;\n"; */
    /*!re2c:auth1
      " " [A-Za-z0-9_-]{1,20} @t1 { goto mech; }
      " " [^ \x00\r\n]+          { return fail(lx, s + 1, SMTPP_E_AUTH_MECHANISM, 0); }
      *  { return fail(lx, s, at_eol(lx, s) ? SMTPP_E_MISSING_ARG : SMTPP_E_SYNTAX, 0); }
    */
mech:
    c->arg = SL(s + 1, t1);
    s = YYCURSOR;
    if (at_eol(lx, s)) return s;
    /*!re2c:auth2
      " =" { c->auth_empty = 1; goto resp; }
      " " base64 { goto resp; }
      " " [^ \x00\r\n]+ { return fail(lx, s + 1, SMTPP_E_BAD_BASE64, 0); }
      * { return fail(lx, s, SMTPP_E_SYNTAX, 0); }
    */
resp:
    c->auth_initial = SL(s + 1, YYCURSOR);
    if (!at_eol(lx, YYCURSOR)) return fail(lx, YYCURSOR, SMTPP_E_SYNTAX, 0);
    return YYCURSOR;
}

/* ETRN (RFC 1985): SP ( Domain / "@" Domain / "#" queue-name ) */
static const uchar *lex_etrn(lexer *lx, const uchar *s)
{
    smtpp_command *c = lx->cmd;
    LEXER_AT(s);
    /*!re2c
      " " "@"? domain_a  { goto ok; }
      " #" [\x21-\x7e]+  { goto ok; }
      *  { return fail(lx, s, at_eol(lx, s) ? SMTPP_E_MISSING_ARG : SMTPP_E_BAD_DOMAIN, 0); }
    */
ok:
    c->arg = SL(s + 1, YYCURSOR);
    if (!at_eol(lx, YYCURSOR)) return fail(lx, YYCURSOR, SMTPP_E_BAD_DOMAIN, 0);
    return YYCURSOR;
}

/* ATRN (RFC 2645): [SP domain *("," domain)] */
static const uchar *lex_atrn(lexer *lx, const uchar *s)
{
    smtpp_command *c = lx->cmd;
    LEXER_AT(s);
    if (at_eol(lx, s)) return s;
    /*!re2c
      " " domain_a ("," domain_a)*  { goto ok; }
      *  { return fail(lx, s, SMTPP_E_BAD_DOMAIN, 0); }
    */
ok:
    c->arg = SL(s + 1, YYCURSOR);
    if (!at_eol(lx, YYCURSOR)) return fail(lx, YYCURSOR, SMTPP_E_BAD_DOMAIN, 0);
    return YYCURSOR;
}

/* XCLIENT / XFORWARD: 1*( SP attribute-name "=" xtext ).  The attribute
 * names are Postfix's; an unknown one is refused as Postfix does. */
static const uchar *lex_xattrs(lexer *lx, const uchar *s)
{
    smtpp_command *c = lx->cmd;
    const uchar *YYCURSOR, *YYMARKER = NULL, *kw, *t1;
    int xclient = (c->verb == SMTPP_VERB_XCLIENT);
    (void)YYMARKER;
    /*!stags:re2c:xat1 format = "const uchar *@@ = NULL;\n"; */
    if (*s != ' ')
        return fail(lx, s, at_eol(lx, s) ? SMTPP_E_MISSING_ARG : SMTPP_E_SYNTAX, 0);
    c->arg.p = (const char *)s + 1;
    while (*s == ' ') {
        kw = YYCURSOR = s + 1;
        if (c->nparams == SMTPP_MAX_PARAMS)
            return fail(lx, kw, SMTPP_E_PARAM_TOO_MANY, 0);
        /*!re2c:xat1
          ('NAME' | 'ADDR' | 'PORT' | 'PROTO' | 'HELO') @t1 "=" xtext { goto attr; }
          ('LOGIN' | 'DESTADDR' | 'DESTPORT') @t1 "=" xtext {
              if (!xclient) return fail(lx, kw, SMTPP_E_XATTR_UNKNOWN, 0);
              goto attr;
          }
          ('IDENT' | 'SOURCE') @t1 "=" xtext {
              if (xclient) return fail(lx, kw, SMTPP_E_XATTR_UNKNOWN, 0);
              goto attr;
          }
          alpha+ "=" xtext { return fail(lx, kw, SMTPP_E_XATTR_UNKNOWN, 0); }
          * { return fail(lx, kw, SMTPP_E_PARAM_SYNTAX, 0); }
        */
attr:
        {
            smtpp_param *sp = &c->params[c->nparams++];
            sp->keyword = SL(kw, t1);
            sp->value = SL(t1 + 1, YYCURSOR);
            sp->id = -1;
        }
        s = YYCURSOR;
    }
    c->arg.n = (size_t)(s - (const uchar *)c->arg.p);
    if (!at_eol(lx, s))
        return fail(lx, s, *s > 0x20 && *s < 0x7f ? SMTPP_E_BAD_XTEXT : SMTPP_E_SYNTAX, 0);
    return s;
}

/* Commands that take no argument: DATA RSET QUIT STARTTLS TURN (NONE). */
static const uchar *lex_noarg(lexer *lx, const uchar *s)
{
    if (at_eol(lx, s)) return s;
    return fail(lx, s, *s == ' ' ? SMTPP_E_UNEXPECTED_ARG : SMTPP_E_SYNTAX, 0);
}

/* 1 when s starts with " SMTPUTF8" followed by a blank or the line end. */
static int smtputf8_kw(const uchar *s)
{
    LEXER_AT(s);
    /*!re2c
      " " 'SMTPUTF8' / [ \t\r\n] { return 1; }
      *  { return 0; }
    */
}

/* NOOP HELP: [SP String]; VRFY EXPN: SP String [SP "SMTPUTF8"]. */
static const uchar *lex_query(lexer *lx, const uchar *s, int required)
{
    smtpp_command *c = lx->cmd;
    const uchar *e;
    int utf8 = 0;
    params_clear(&c->p);
    if (at_eol(lx, s)) {
        if (required) return fail(lx, s, SMTPP_E_MISSING_ARG, 0);
        return s;
    }
    if (*s != ' ') return fail(lx, s, SMTPP_E_SYNTAX, 0);
    e = lex_string_arg(lx, s + 1, &utf8);
    if (!e) return NULL;
    c->arg = SL(s + 1, e);
    c->path.utf8 = (uint8_t)utf8;
    if (required && smtputf8_kw(e)) {
        smtpp_param *sp = &c->params[c->nparams++];
        sp->keyword = SL(e + 1, e + 9);
        sp->value = (smtpp_str){ NULL, 0 };
        sp->id = SMTPP_PARAM_SMTPUTF8;
        c->p.present |= 1u << SMTPP_PARAM_SMTPUTF8;
        e += 9;
    }
    if (!at_eol(lx, e)) return fail(lx, e, SMTPP_E_SYNTAX, 0);
    if (utf8 && !(c->p.present & (1u << SMTPP_PARAM_SMTPUTF8)))
        return fail(lx, s + 1, SMTPP_E_UTF8_ADDRESS, 0);
    return e;
}

/* ---- The line ------------------------------------------------------------------ */

/* The argument grammars, the args column of SMTPP_VERB_MAP (command.h),
 * and each verb's. */
enum verb_args {
    ARGS_NONE, ARGS_DOMAIN, ARGS_PATH, ARGS_CHUNK, ARGS_MECHANISM, ARGS_NODE, ARGS_DOMAINS,
    ARGS_ATTRS, ARGS_STRING, ARGS_OPT_STRING
};
static const uint8_t verb_args[SMTPP_VERB__COUNT] = {
    ARGS_NONE,   /* SMTPP_VERB_UNKNOWN: never asked */
#define SMTPP_X_(name, keyword, args) ARGS_##args,
    SMTPP_VERB_MAP(SMTPP_X_)
#undef SMTPP_X_
};

/* The verb, then its arguments.  One rule per row of SMTPP_VERB_MAP
 * (re2c cannot read the map; tests/test_command.c parses every row's
 * keyword to show the rules agree with it). */
static void lex_line(lexer *lx)
{
    smtpp_command *c = lx->cmd;
    LEXER_AT(lx->base);
    const uchar *s = lx->base;
    /*!re2c
      'HELO'      { c->verb = SMTPP_VERB_HELO; goto args; }
      'EHLO'      { c->verb = SMTPP_VERB_EHLO; goto args; }
      'LHLO'      { c->verb = SMTPP_VERB_LHLO; goto args; }
      'MAIL'      { c->verb = SMTPP_VERB_MAIL; goto args; }
      'RCPT'      { c->verb = SMTPP_VERB_RCPT; goto args; }
      'DATA'      { c->verb = SMTPP_VERB_DATA; goto args; }
      'BDAT'      { c->verb = SMTPP_VERB_BDAT; goto args; }
      'RSET'      { c->verb = SMTPP_VERB_RSET; goto args; }
      'NOOP'      { c->verb = SMTPP_VERB_NOOP; goto args; }
      'QUIT'      { c->verb = SMTPP_VERB_QUIT; goto args; }
      'VRFY'      { c->verb = SMTPP_VERB_VRFY; goto args; }
      'EXPN'      { c->verb = SMTPP_VERB_EXPN; goto args; }
      'HELP'      { c->verb = SMTPP_VERB_HELP; goto args; }
      'AUTH'      { c->verb = SMTPP_VERB_AUTH; goto args; }
      'STARTTLS'  { c->verb = SMTPP_VERB_STARTTLS; goto args; }
      'TURN'      { c->verb = SMTPP_VERB_TURN; goto args; }
      'ATRN'      { c->verb = SMTPP_VERB_ATRN; goto args; }
      'ETRN'      { c->verb = SMTPP_VERB_ETRN; goto args; }
      'XCLIENT'   { c->verb = SMTPP_VERB_XCLIENT; goto args; }
      'XFORWARD'  { c->verb = SMTPP_VERB_XFORWARD; goto args; }
      [^ \t\r\n\x00]+  {
          // a NUL in the verb: binary junk rather than a command
          if (*YYCURSOR == 0) fail(lx, YYCURSOR, SMTPP_E_NUL, 0);
          else fail(lx, s, SMTPP_E_UNKNOWN_COMMAND, 0);
          return;
      }
      eol         { fail(lx, s, SMTPP_E_EMPTY_LINE, 0); return; }
      *           { fail(lx, s, *s == 0 ? SMTPP_E_NUL : SMTPP_E_UNKNOWN_COMMAND, 0); return; }
    */
args:
    s = YYCURSOR;
    if (SMTPP_UNLIKELY(*s == 0)) {   /* "RSET\0": the NUL is in the verb */
        c->verb = SMTPP_VERB_UNKNOWN;
        fail(lx, s, SMTPP_E_NUL, 0);
        return;
    }
    switch (verb_args[c->verb]) {
    case ARGS_PATH:       lex_mail_rcpt(lx, s); break;
    case ARGS_DOMAIN:     lex_hello(lx, s); break;
    case ARGS_CHUNK:      lex_bdat(lx, s); break;
    case ARGS_MECHANISM:  lex_auth(lx, s); break;
    case ARGS_NODE:       lex_etrn(lx, s); break;
    case ARGS_DOMAINS:    lex_atrn(lx, s); break;
    case ARGS_ATTRS:      lex_xattrs(lx, s); break;
    case ARGS_STRING:     lex_query(lx, s, 1); break;
    case ARGS_OPT_STRING: lex_query(lx, s, 0); break;
    default:              lex_noarg(lx, s); break;   /* ARGS_NONE */
    }
}

/* ---- The public entry points ------------------------------------------------------ */

void smtpp_parser_init(smtpp_parser *p, unsigned flags)
{
    memset(p, 0, sizeof *p);
    p->flags = flags;
    p->max_line = SMTPP_DEFAULT_MAX_LINE;
    p->max_auth_line = SMTPP_DEFAULT_MAX_AUTH_LINE;
    p->_simd = (uint8_t)smtpp__simd_level();
    if (p->_simd && (flags & SMTPP_INPUT_PADDED)) p->_simd |= SMTPP_SIMD_PADDED;
}

/* What each offered extension may add to a MAIL or RCPT line: its longest
 * parameter with the SP before it, or the figure its RFC gives. */
enum {
    GROW_SIZE = 26,          /* RFC 1870 3 (5) */
    GROW_8BITMIME = 14,      /* " BODY=8BITMIME" */
    GROW_BINARYMIME = 16,    /* RFC 3030 2 and 3 */
    GROW_SMTPUTF8 = 10,      /* RFC 6531 3.1 (5) */
    GROW_AUTH = 500,         /* RFC 4954 5 */
    GROW_DSN_MAIL = 9 + 7 + 100,      /* " RET=HDRS", " ENVID=" and its 100
                                         octets (RFC 3461 4.4) */
    GROW_DSN_RCPT = 29 + 7 + 500,     /* " NOTIFY=SUCCESS,FAILURE,DELAY",
                                         " ORCPT=" and its 500 octets (4.2) */
    GROW_REQUIRETLS = 11,    /* " REQUIRETLS" */
    GROW_MT_PRIORITY = 15,   /* " MT-PRIORITY=-9" */
    GROW_FUTURERELEASE = 46, /* " HOLDUNTIL=" and a date-time with 9
                                fraction digits and an offset (RFC 4865) */
    GROW_DELIVERBY = 17      /* " BY=-999999999;RT" (RFC 2852) */
};

void smtpp_parser_configure(smtpp_parser *p, const struct smtpp_config *cfg)
{
    uint32_t x = cfg->exts;
    size_t base = p->max_line < 16 ? 16 : p->max_line, mail = base, rcpt = base;
#define OFFERS(e) ((x & SMTPP_EXT_BIT(SMTPP_EXT_##e)) != 0)
    if (OFFERS(SIZE)) mail += GROW_SIZE;
    if (OFFERS(BINARYMIME) && OFFERS(CHUNKING)) mail += GROW_BINARYMIME;
    else if (OFFERS(8BITMIME)) mail += GROW_8BITMIME;
    if (OFFERS(SMTPUTF8)) mail += GROW_SMTPUTF8;
    if (OFFERS(AUTH) && cfg->auth_mechs) mail += GROW_AUTH;
    if (OFFERS(DSN)) {
        mail += GROW_DSN_MAIL;
        rcpt += GROW_DSN_RCPT;
    }
    if (OFFERS(REQUIRETLS)) mail += GROW_REQUIRETLS;
    if (OFFERS(MT_PRIORITY)) mail += GROW_MT_PRIORITY;
    if (OFFERS(FUTURERELEASE)) mail += GROW_FUTURERELEASE;
    if (OFFERS(DELIVERBY)) mail += GROW_DELIVERBY;
#undef OFFERS
    p->max_mail_line = mail > base ? (uint32_t)mail : 0;
    p->max_rcpt_line = rcpt > base ? (uint32_t)rcpt : 0;
    if (cfg->auth_line_max) p->max_auth_line = cfg->auth_line_max;
}

static void line_error(smtpp_command *c, smtpp_error e, uint32_t off)
{
    command_reset(c);
    c->error = (uint8_t)e;
    c->error_offset = off;
}

/* Which limit a line is under (kept in _skipping while an over-long line
 * is skipped, for the report). */
enum { LIM_LINE = 1, LIM_AUTH, LIM_MAIL, LIM_RCPT };

/* The limit of a line under limit kind k. */
static size_t limit_of(const smtpp_parser *p, unsigned k)
{
    size_t lim = p->max_line < 16 ? 16 : p->max_line;
    size_t x = k == LIM_AUTH ? p->max_auth_line : k == LIM_MAIL ? p->max_mail_line
             : k == LIM_RCPT ? p->max_rcpt_line : 0;
    return x > lim ? x : lim;
}

/* The limit kind of the line at b (len octets of it known): RFC 4954 4 lets
 * an AUTH command with an initial response be longer than other commands,
 * and the extensions offered lengthen MAIL and RCPT (smtpp_parser_configure).
 * Asked only when a line is over the ordinary limit. */
static unsigned limit_kind(const smtpp_parser *p, const uchar *b, size_t len)
{
    size_t lim = p->max_line < 16 ? 16 : p->max_line;
    unsigned k = LIM_LINE;
    if (len >= 5 && b[4] == ' ') {
        if (smtpp__ieq(b, 4, "AUTH")) k = LIM_AUTH;
        else if (smtpp__ieq(b, 4, "MAIL")) k = LIM_MAIL;
        else if (smtpp__ieq(b, 4, "RCPT")) k = LIM_RCPT;
    }
    return limit_of(p, k) > lim ? k : LIM_LINE;
}

/* The rest of line_done() (command_frame.h), out of line. */
void smtpp__line_unusual(const smtpp_parser *p, const uchar *b, size_t n, smtpp_command *cmd)
{
    size_t lim = p->max_line < 16 ? 16 : p->max_line;
    if (n > lim && n > (lim = limit_of(p, limit_kind(p, b, n)))) {
        line_error(cmd, SMTPP_E_LINE_TOO_LONG, (uint32_t)lim);
    } else if (n >= 2 && b[n - 2] == '\r') {
        cmd->line = SL(b, b + n - 2);
    } else {
        cmd->line = SL(b, b + n - 1);
    }
}

/* 1 when the LF at b[i] ends a command line: only after a CR (RFC 5321
 * 2.3.8: no other sequence is a line end), or any LF under
 * SMTPP_LENIENT_BARE_LF.  b[i - 1] is in the region: the CR of a CRLF is
 * never consumed without its LF. */
static inline int line_end_at(const smtpp_parser *p, const uchar *b, size_t i)
{
    return (p->flags & SMTPP_LENIENT_BARE_LF) || (i > 0 && b[i - 1] == '\r');
}

/* The LF of the last line end in b[from..to), or NULL.  Each octet is
 * searched once (memrchr, then again below each bare LF). */
static const uchar *last_end(const smtpp_parser *p, const uchar *b, size_t from, size_t to)
{
    while (from < to) {
        const uchar *lf = last_lf(b + from, to - from);
        if (!lf) return NULL;
        if (line_end_at(p, b, (size_t)(lf - b))) return lf;
        to = (size_t)(lf - b);
    }
    return NULL;
}

/* The LF of the first line end in b[from..to), or NULL. */
static const uchar *first_end(const smtpp_parser *p, const uchar *b, size_t from, size_t to)
{
    while (from < to) {
        const uchar *lf = memchr(b + from, '\n', to - from);
        if (!lf) return NULL;
        if (line_end_at(p, b, (size_t)(lf - b))) return lf;
        from = (size_t)(lf - b) + 1;
    }
    return NULL;
}

/* _room for the line end whose LF is r (NULL: none), once _lf is set. */
static void set_room(smtpp_parser *p, const uchar *b, const uchar *r)
{
    p->_room = r ? p->_lf - ((uint32_t)(r - b) + 1) : p->_lf;
}

/* No hint known: the framing starts from nothing (a new region, the end of
 * a skipped line, smtpp_parser_reset() and _finish()). */
static void hints_clear(smtpp_parser *p)
{
    p->_lf = 0;
    p->_past = 0;
    p->_room = 0;
}

/* Sets _room (command_frame.h, lane_room()) after a search that found the
 * hint _lf in b[from..len): the last line end with SMTPP_LANE_AFTER_LF
 * octets of the region after its LF, searched for in b[from..len -
 * SMTPP_LANE_AFTER_LF) (b[0..from) holds none: it was searched before),
 * as its distance before _lf; _lf itself when there is none.  Each octet
 * searched here is before _lf, so it is consumed before the next search:
 * the searches stay linear in the input. */
static void find_room(smtpp_parser *p, const uchar *b, size_t from, size_t len)
{
    size_t to = len > SMTPP_LANE_AFTER_LF ? len - SMTPP_LANE_AFTER_LF : 0;
    if (p->_lf <= to) {             /* the hint has the room itself */
        p->_room = 0;
        return;
    }
    set_room(p, b, from < to ? last_end(p, b, from, to) : NULL);
}

#if defined(SMTPP_HAVE_LANE)
/* The line ends among the 64 octets at w, as a bit mask: their LFs, and
 * under strict framing only those after a CR (cr0: the octet before w is
 * a CR of the region). */
static inline uint64_t ends64(const smtpp_parser *p, const uchar *w, int cr0)
{
    vu8 v[SIMD_N], lf[SIMD_N], cr[SIMD_N];
    uint64_t l, c;
    int i;
    for (i = 0; i < SIMD_N; i++) {
        v[i] = v_load(w + i * SIMD_W);
        lf[i] = V_MASK(v[i] == '\n');
        cr[i] = V_MASK(v[i] == '\r');
    }
    l = v_bits64(lf);
    if (p->flags & SMTPP_LENIENT_BARE_LF) return l;
    c = v_bits64(cr);
    return l & (c << 1 | (uint64_t)cr0);
}
#endif

/* The search of a new read: sets the hints _lf (the last line end in
 * b[from..len)) and _room (find_room()), and returns the LF of the last
 * line end, or NULL (hints untouched).  Both are usually in the last 128
 * octets, which are looked at once, with vectors (the line ends in them
 * as a 128-bit mask); else memrchr (last_end()). */
static const uchar *search_ends(smtpp_parser *p, const uchar *b, size_t from, size_t len)
{
    const uchar *lf;
#if defined(SMTPP_HAVE_LANE)
    if (len - from >= 128 && len >= 128 + 1) {
        /* w >= b + from, and w[-1] is in the region */
        const uchar *w = b + len - 128;
        uint64_t lo = ends64(p, w, w[-1] == '\r'), hi = ends64(p, w + 64, w[63] == '\r');
        if (SMTPP_LIKELY(hi | lo)) {
            unsigned last = hi ? 127u - (unsigned)__builtin_clzll(hi)
                               : 63u - (unsigned)__builtin_clzll(lo);
            /* the room's: at or before w + 64 (len - 64) */
            const uchar *r = (hi & 1) ? w + 64
                             : lo     ? w + 63 - __builtin_clzll(lo)
                             : from < len - 128 ? last_end(p, b, from, len - 128) : NULL;
            p->_lf = (uint32_t)(len - 128 + last) + 1;
            set_room(p, b, r);
            return w + last;
        }
        /* none in them: the same as below, on the octets before them */
        len -= 128;
        if (!(lf = last_end(p, b, from, len))) return NULL;
        p->_lf = (uint32_t)(lf - b) + 1;
        p->_room = 0;   /* 128 octets after it */
        return lf;
    }
#endif
    if (!(lf = last_end(p, b, from, len))) return NULL;
    p->_lf = (uint32_t)(lf - b) + 1;
    find_room(p, b, from, len);
    return lf;
}

/* The octets of b[0..len) an over-long line may consume: all of them, but
 * a CR at the end, which may be the start of the CRLF that ends it. */
static size_t skippable(const smtpp_parser *p, const uchar *b, size_t len)
{
    return len - (len && b[len - 1] == '\r' && !(p->flags & SMTPP_LENIENT_BARE_LF));
}

/* Framing.  The lexer needs only to know that a line end exists somewhere
 * ahead: it stops at the first LF by itself (no rule matches past it).  So
 * the parser searches each new byte once, backwards from the end of the
 * data (memrchr), and remembers the last line end found (_lf) and how far
 * it has searched (_lf + _past), both as offsets into the region.  A burst of
 * pipelined commands costs one search, not one per line.
 *
 * A line ends at CRLF (RFC 5321 2.3.8).  A bare LF inside a line does not
 * end it: the line, up to its CRLF, is refused as one (SMTPP_E_BARE_LF),
 * and nothing after the bare LF is taken as a command, so the parser sees
 * the same lines as every CRLF-framing peer.  Under SMTPP_LENIENT_BARE_LF
 * every LF ends a line. */
int smtpp__parse_general(smtpp_parser *p, const char *buf, size_t len, smtpp_command *cmd,
                         size_t *used, int lane)
{
    const uchar *b = (const uchar *)buf, *lf;
    size_t lim = p->max_line < 16 ? 16 : p->max_line, n;
    lexer lx;


    if (SMTPP_UNLIKELY(len > UINT32_MAX))
        len = UINT32_MAX; /* offsets are 32-bit; the rest waits for the next call */
    if (SMTPP_UNLIKELY(p->_skipping)) {
        lf = first_end(p, b, 0, len);
        if (!lf) {
            *used = skippable(p, b, len);
            return SMTPP_AGAIN;
        }
        *used = (size_t)(lf - b) + 1;
        lim = limit_of(p, p->_skipping);
        p->_skipping = 0;
        hints_clear(p);
        line_error(cmd, SMTPP_E_LINE_TOO_LONG, (uint32_t)lim);
        return SMTPP_DONE;
    }
    /* The hint must still point at a line end inside the region; the caller
     * may have broken the contract (or forgotten smtpp_parser_reset()), and
     * then we search again rather than trust it. */
    if (p->_lf == 0 || p->_lf > len || b[p->_lf - 1] != '\n' ||
        !line_end_at(p, b, p->_lf - 1u)) {
        /* searched == len: nothing new to search */
        size_t searched = (uint32_t)(p->_lf + p->_past), from = searched <= len ? searched : 0;
        lf = search_ends(p, b, from, len);
        if (!lf) {
            unsigned k = len >= lim ? limit_kind(p, b, len) : LIM_LINE;
            size_t elim = limit_of(p, k);
            /* Before skipping, make sure the part searched earlier holds no
             * line end: if something else consumed bytes of the region
             * without smtpp_parser_reset(), _past is stale, and skipping
             * would throw away whole commands.  Rare, and once per long
             * line. */
            if (len >= elim && from > 0 && (lf = first_end(p, b, 0, from)) != NULL) {
                p->_lf = (uint32_t)(lf - b) + 1;
                p->_room = p->_lf;  /* none known */
                p->_past = (uint32_t)len - p->_lf;
                goto lex;
            }
            if (len >= elim) {
                /* No end within the limit: drop what we have, skip the rest
                 * (remembering which limit it broke, for the report). */
                p->_skipping = (uint8_t)k;
                hints_clear(p);
                *used = skippable(p, b, len);
                return SMTPP_AGAIN;
            }
            p->_past = (uint32_t)len - p->_lf;   /* (uint32_t arithmetic: _lf + _past == len) */
            *used = 0;
            return SMTPP_AGAIN;
        }
        p->_past = (uint32_t)len - p->_lf;   /* search_ends() set _lf and _room */
    }

lex:
    if (lane == SMTPP__LANE_AGAIN && len >= SMTPP_LANE_MIN && len <= UINT32_MAX - SMTPP_LANE_READ)
        return smtpp_parse_command(p, buf, len, cmd, used);
    if (lane && (n = smtpp__command_lane(p, b, len, cmd)) != 0)
        return line_done(p, b, n, cmd, used, 1);
    command_reset(cmd);
    lx.base = b;
    lx.end = NULL;
    lx.lim = b + len;
    lx.cmd = cmd;
    lx.flags = p->flags;
    lx.simd = p->_simd & SMTPP_SIMD_LANES;
    lx.utf8_value = NULL;
    lex_line(&lx);
    if (SMTPP_LIKELY(cmd->error == SMTPP_E_OK && lx.end != NULL))
        n = (size_t)(lx.end - b);
    else
        n = (size_t)((const uchar *)memchr(b, '\n', p->_lf) - b) + 1;
    if (SMTPP_UNLIKELY(!line_end_at(p, b, n - 1))) {
        /* The first LF is bare: the line runs on to its CRLF (there is one:
         * the hint), and is refused whatever else is wrong with it. */
        size_t bare = n - 1;
        n = (size_t)(first_end(p, b, n, p->_lf) - b) + 1;
        line_error(cmd, SMTPP_E_BARE_LF, (uint32_t)bare);
    }
    return line_done(p, b, n, cmd, used, 0);
}

#if defined(SMTPP_CHECK_FAST_PATHS)
/* The general path's search alone, for the oracle of the lane's framing
 * (parser/lane_check.c, smtpp__reframe_check()). */
int smtpp__frame_search_general(smtpp_parser *q, const uchar *b, size_t from, size_t len)
{
    if (!search_ends(q, b, from, len)) return 0;
    q->_past = (uint32_t)len - q->_lf;
    return 1;
}

/* The general path alone, for the lane's oracle (parser/lane_check.c). */
size_t smtpp__lex_line_general(unsigned flags, const uchar *b, size_t len, smtpp_command *c)
{
    lexer lx;
    command_reset(c);
    lx.base = b;
    lx.end = NULL;
    lx.lim = b + len;
    lx.cmd = c;
    lx.flags = flags;
    lx.simd = SMTPP_SIMD_NONE;
    lx.utf8_value = NULL;
    lex_line(&lx);
    return c->error || !lx.end ? 0 : (size_t)(lx.end - b);
}

const uchar *smtpp__lex_mailbox_general(unsigned flags, const uchar *s, const uchar *lim,
                                        smtpp_path *out)
{
    smtpp_command c;
    lexer lx;
    const uchar *e;
    c.error = SMTPP_E_OK;
    lx.base = s;
    lx.end = NULL;
    lx.lim = lim;
    lx.cmd = &c;
    lx.flags = flags;
    lx.simd = SMTPP_SIMD_NONE;
    lx.utf8_value = NULL;
    path_clear(out);
    e = lex_local(&lx, s, out);
    if (!e || *e != '@') return NULL;
    e = lex_domain(&lx, e + 1, 1, out);
    return c.error ? NULL : e;
}
#endif

int smtpp_parse_command(smtpp_parser *p, const char *buf, size_t len,
                        smtpp_command *cmd, size_t *used)
{
#if defined(SMTPP_HAVE_AVX2)
    if (SMTPP_LIKELY(p->_simd == SMTPP_SIMD_AVX2))
        return smtpp__parse_lane_avx2(p, buf, len, cmd, used);
    if (p->_simd == (SMTPP_SIMD_AVX2 | SMTPP_SIMD_PADDED))
        return smtpp__parse_lane_padded_avx2(p, buf, len, cmd, used);
#endif
#if defined(SMTPP_HAVE_LANE)
    if (SMTPP_LIKELY(p->_simd == SMTPP_SIMD_BASE))
        return smtpp__parse_lane_base(p, buf, len, cmd, used);
    if (p->_simd == (SMTPP_SIMD_BASE | SMTPP_SIMD_PADDED))
        return smtpp__parse_lane_padded_base(p, buf, len, cmd, used);
#endif
    return smtpp__parse_general(p, buf, len, cmd, used, 1);
}

void smtpp_parser_reset(smtpp_parser *p)
{
    hints_clear(p);
    p->_skipping = 0;
}

int smtpp_parser_finish(smtpp_parser *p, size_t unconsumed)
{
    int mid = unconsumed > 0 || p->_skipping;
    hints_clear(p);
    p->_skipping = 0;
    return mid;
}

/* ---- Stand-alone validators ----------------------------------------------------- */

static void rebase(smtpp_str *x, const uchar *from, const char *to)
{
    if (x->p) x->p = to + ((const uchar *)x->p - from);
}

smtpp_error smtpp_parse_path(const char *s, size_t n, unsigned flags, int allow_utf8,
                             smtpp_path *out)
{
    uchar tmp[320];
    smtpp_command c;
    lexer lx;
    const uchar *e;

    memset(out, 0, sizeof *out);
    if (n > sizeof tmp - 2) return SMTPP_E_PATH_TOO_LONG;
    memcpy(tmp, s, n);
    tmp[n] = '\r';
    tmp[n + 1] = '\n';
    memset(&c, 0, offsetof(smtpp_command, params));
    lx.base = tmp;
    lx.end = NULL;
    lx.lim = tmp + n + 2;
    lx.cmd = &c;
    lx.flags = flags;
    lx.simd = smtpp__simd_level();
    lx.utf8_value = NULL;
    e = lex_path(&lx, tmp, &c.path);
    /* the path must be the whole input: an embedded CR, LF or NUL ends the
     * lexing early and is refused here */
    if (e && (!at_eol(&lx, e) || lx.end != tmp + n + 2)) fail(&lx, e, SMTPP_E_PATH_SYNTAX, 1);
    if (!c.error && c.path.utf8 && !allow_utf8) c.error = SMTPP_E_UTF8_ADDRESS;
    if (c.error) return (smtpp_error)c.error;
    *out = c.path;
    rebase(&out->raw, tmp, s);
    rebase(&out->route, tmp, s);
    rebase(&out->mailbox, tmp, s);
    rebase(&out->local, tmp, s);
    rebase(&out->domain, tmp, s);
    rebase(&out->literal, tmp, s);
    return SMTPP_E_OK;
}

smtpp_error smtpp_check_domain(const char *s, size_t n, int allow_utf8,
                               smtpp_domain_kind *kind)
{
    uchar tmp[260];
    smtpp_command c;
    lexer lx;
    const uchar *e;

    if (n > 255) return SMTPP_E_DOMAIN_TOO_LONG;
    memcpy(tmp, s, n);
    tmp[n] = '\r';
    tmp[n + 1] = '\n';
    memset(&c, 0, offsetof(smtpp_command, params));
    lx.base = tmp;
    lx.end = NULL;
    lx.lim = tmp + n + 2;
    lx.cmd = &c;
    lx.flags = 0;
    lx.simd = 0;
    lx.utf8_value = NULL;
    e = lex_domain(&lx, tmp, allow_utf8, &c.path);
    if (e && e != tmp + n) fail(&lx, e, SMTPP_E_DOMAIN_SYNTAX, allow_utf8);
    if (c.error) return (smtpp_error)c.error;
    if (kind) *kind = (smtpp_domain_kind)c.path.domain_kind;
    return SMTPP_E_OK;
}
