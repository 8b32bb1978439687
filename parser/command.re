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
 * The fast lane.  On x86-64 CPUs with AVX2 (asked once, at parser init),
 * a line with at least FAST_LANE_READ bytes after its start in the buffer
 * (or, near the end of a region, a zero-padded copy of the region's tail:
 * lane_tail()) is first offered to line_fast(): MAIL and RCPT with a plain mailbox (or
 * <>) and the usual parameters, RSET QUIT DATA NOOP, HELO/EHLO with a
 * plain domain; line_wide() then takes what line_fast() saw might be UTF-8
 * mailboxes or IPv4/IPv6 address literals.  It classifies the mailbox 32
 * octets per instruction (nibble lookups, bit masks for the dot and hyphen
 * rules), reads keywords
 * by one folded 8-octet compare and SIZE eight digits at a time, so the
 * usual command costs no branch per octet: per-octet loops cost a
 * mispredicted branch at the end of every field, and that, not the
 * instruction count, was most of the time.  It claims only lines whose
 * every field it can vouch for and returns 0 otherwise; the general path
 * then parses the line from its start.  Sanitizer and fuzzing builds
 * (SMTPP_CHECK_FAST_PATHS) parse every claimed line again with the general
 * path and abort on any difference, and the test suite feeds every input
 * also with padding after it, so both paths see it.
 */
#if !defined(_GNU_SOURCE)
#  define _GNU_SOURCE 1 /* memrchr */
#endif
#include "internal.h"

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

#if defined(SMTPP_HAVE_AVX2)
#  include <immintrin.h>

/* Unaligned loads (memcpy compiles to one mov; x86-64 is little-endian). */
static inline uint32_t load32(const uchar *p)
{
    uint32_t w;
    memcpy(&w, p, 4);
    return w;
}

static inline uint64_t load64(const uchar *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

#define W4(a, b, c, d) \
    ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#endif

#define OFF(lx, ptr) ((uint32_t)((ptr) - (lx)->base))
/* The variables every lexer block uses. */
#define LEXER_AT(s) const uchar *YYCURSOR = (s), *YYMARKER = (s); (void)YYMARKER
#define SL(a, b) ((smtpp_str){ (const char *)(a), (size_t)((b) - (a)) })

#if defined(SMTPP_HAVE_AVX2)
/* Scalar helpers of the fast lane, for the rare shapes it takes. */

/* 1 when the octets [s, e) are ASCII or well-formed UTF-8 (u8 above).  The
 * octet at e must be ASCII, so that no sequence can run past it. */
static int utf8_ok(const uchar *s, const uchar *e)
{
    LEXER_AT(s);
    while (YYCURSOR < e) {
        /*!re2c
          [\x00-\x7f] | u8  { continue; }
          *                 { return 0; }
        */
    }
    return YYCURSOR == e;
}

/* An IPv4 or IPv6 address literal at s (its "["), as the DFA's rules read
 * them: its length with both brackets, or 0 for anything else (a General
 * literal, a malformed one: the DFA decides).  Sets *kind.  Reads at most
 * 64 octets, and never past the first octet that cannot be in a literal. */
static unsigned literal_scan(const uchar *s, unsigned *kind)
{
    unsigned i = 1;
    if ((unsigned)(s[1] - '0') < 10u) {
        while (i < 17 && ((unsigned)(s[i] - '0') < 10u || s[i] == '.')) i++;
        if (s[i] != ']' || !smtpp__ipv4_ok(s + 1, i - 1)) return 0;
        *kind = SMTPP_DOMAIN_IPV4;
        return i + 1;
    }
    if (!smtpp__ieq(s + 1, 5, "IPV6:")) return 0;
    for (i = 6; i < 62; i++) {
        unsigned c = s[i];
        if (!((c - '0') < 10u || ((c | 0x20) - 'a') < 6u || c == ':' || c == '.')) break;
    }
    if (s[i] != ']' || !smtpp__ipv6_ok(s + 6, i - 6)) return 0;
    *kind = SMTPP_DOMAIN_IPV6;
    return i + 1;
}

/* The literal of an address literal domain [d, d + n) of that kind. */
static inline smtpp_str literal_of(const uchar *d, unsigned n, unsigned kind)
{
    unsigned skip = kind == SMTPP_DOMAIN_IPV6 ? 6 : 1;
    return (smtpp_str){ (const char *)d + skip, n - skip - 1 };
}

#endif

typedef struct lexer {
    const uchar *base;   /* first byte of the line */
    const uchar *end;    /* just past the LF, once a block has matched it */
    const uchar *lim;    /* end of the caller's buffer: bytes up to here may
                            be read (the SIMD scanner reads whole blocks) */
    smtpp_command *cmd;
    unsigned flags;
    unsigned simd;       /* the CPU has AVX2 (smtpp__cpu_avx2) */
    const uchar *utf8_value; /* first octet >= 0x80 in a parameter value */
} lexer;

#if defined(SMTPP_HAVE_AVX2)
/* A Mailbox in its usual shapes, 32 octets at a time: a dot-string "@" a
 * domain of LDH labels or U-labels, or "@" an IPv4 or IPv6 address literal.
 *
 * One load classifies 32 octets at once into "atext or dot" (the local
 * part's alphabet) and "letter, digit, hyphen or dot" (the domain's), by
 * the usual pair of nibble lookups: the low nibble selects a byte whose bit
 * h says whether (h << 4 | low) is in the set, the high nibble selects bit
 * h; octets >= 0x80 select no bit, and their own mask (the sign bits) puts
 * them in both sets where UTF-8 may appear.  The local part is then the run
 * up to the first octet outside its set, the domain the run after the "@",
 * and the placement rules (no leading, trailing or doubled dot; no label
 * that starts or ends with a hyphen) are checks on the dot and hyphen bit
 * masks: no branch per octet.  Non-ASCII octets, rare, are then checked to
 * be well-formed UTF-8 (utf8_ok(), the grammar's own u8), and an address
 * literal, rarer, is read by the validators the DFA's actions use.
 *
 * Like the scalar fast paths it vouches only for these shapes and gives up
 * (0) on anything else, leaving the octets to the DFA: an "@" not where
 * the local part ends, a rule broken, malformed UTF-8, a literal of another
 * form, a mailbox longer than the 64 octets it can see.  On success it
 * returns what lex_local() + lex_domain() would.  Needs 32 readable octets
 * (and reads a second block only when 64 are). */
/* The five masks of one 32-octet block at s: octets outside the local
 * part's ASCII set (*nl) and outside the domain's (*nd), octets >= 0x80,
 * dots and hyphens. */
SMTPP_AVX2_FN static inline __attribute__((always_inline)) void
mailbox_block(const uchar *s, uint32_t *nl, uint32_t *nd, uint32_t *hi, uint32_t *dot,
              uint32_t *hy)
{
    const __m256i tl = _mm256_broadcastsi128_si256(_mm_setr_epi8(
        (char)0xe8, (char)0xfc, (char)0xf8, (char)0xfc, (char)0xfc, (char)0xfc, (char)0xfc,
        (char)0xfc, (char)0xf8, (char)0xf8, (char)0xf4, (char)0xd4, (char)0xd0, (char)0xdc,
        (char)0xf4, (char)0x7c));
    const __m256i td = _mm256_broadcastsi128_si256(_mm_setr_epi8(
        (char)0xa8, (char)0xf8, (char)0xf8, (char)0xf8, (char)0xf8, (char)0xf8, (char)0xf8,
        (char)0xf8, (char)0xf8, (char)0xf8, (char)0xf0, (char)0x50, (char)0x50, (char)0x54,
        (char)0x54, (char)0x50));
    const __m256i hibit = _mm256_broadcastsi128_si256(_mm_setr_epi8(
        1, 2, 4, 8, 16, 32, 64, (char)0x80, 0, 0, 0, 0, 0, 0, 0, 0));
    const __m256i nib = _mm256_set1_epi8(0x0f), zero = _mm256_setzero_si256();
    __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)s);
    __m256i lo = _mm256_and_si256(v, nib);
    __m256i hb = _mm256_shuffle_epi8(hibit, _mm256_and_si256(_mm256_srli_epi16(v, 4), nib));
    *nl = (uint32_t)_mm256_movemask_epi8(
        _mm256_cmpeq_epi8(_mm256_and_si256(_mm256_shuffle_epi8(tl, lo), hb), zero));
    *nd = (uint32_t)_mm256_movemask_epi8(
        _mm256_cmpeq_epi8(_mm256_and_si256(_mm256_shuffle_epi8(td, lo), hb), zero));
    *hi = (uint32_t)_mm256_movemask_epi8(v);
    *dot = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('.')));
    *hy = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('-')));
}

/* The LDH labels of a domain at offsets [d0, e) of a window, from its dot
 * and hyphen masks: none empty, none starting or ending with a hyphen
 * (e - d0 <= 63, so no label is too long). */
static inline int labels_ok(uint64_t dot, uint64_t hy, unsigned d0, unsigned e)
{
    uint64_t range = ((1ull << (e - d0)) - 1) << d0, dd = dot & range;
    return (((dd << 1) | (1ull << d0) | (dd >> 1) | (1ull << (e - 1))) & (dd | (hy & range))) == 0;
}

/* A Domain at s, the same way, with `valid` (32 or 64) octets readable
 * there: the offset of the octet after it, or 0.  With utf8, octets >=
 * 0x80 count as letters (U-labels), and *wide tells whether there were
 * any; without, they end the domain, and an end there fails. */
SMTPP_AVX2_FN static inline __attribute__((always_inline)) unsigned
domain_scan(const uchar *s, unsigned valid, int utf8, unsigned *wide)
{
    uint32_t nl0, nd0, hi0, dot0, hy0, nl1 = ~0u, nd1 = ~0u, hi1 = 0, dot1 = 0, hy1 = 0;
    uint64_t hi;
    unsigned e;
    mailbox_block(s, &nl0, &nd0, &hi0, &dot0, &hy0);
    if (valid == 64) mailbox_block(s + 32, &nl1, &nd1, &hi1, &dot1, &hy1);
    (void)nl0;
    (void)nl1;
    hi = (uint64_t)hi1 << 32 | hi0;
    e = (unsigned)__builtin_ctzll((((uint64_t)nd1 << 32 | nd0) & (utf8 ? ~hi : ~0ull)) |
                                  (1ull << 63));
    if (e == 0 || e >= valid - 1 || s[e] >= 0x80 ||
        !labels_ok((uint64_t)dot1 << 32 | dot0, (uint64_t)hy1 << 32 | hy0, 0, e))
        return 0;
    if (utf8) *wide = (hi & ((1ull << e) - 1)) != 0;
    return e;
}
#endif

#if defined(SMTPP_HAVE_AVX2)
/* What mailbox_scan() found besides the offsets: the domain's kind
 * (smtpp_domain_kind) in the low bits, MB_UTF8 when an octet is not ASCII. */
#define MB_KIND 7u
#define MB_UTF8 8u
/* mailbox_scan() without `wide`: the mailbox may be one of the wide shapes */
#define MB_WIDE (~0u)

/* The mailbox at s; room (at least 32) octets are readable there.  Returns
 * the offset of the octet after the domain, sets *at to the offset of the
 * "@" and *info (above); 0 when the shape is not one of the usual ones.
 * The local part must end within the first 64 octets; a domain name that
 * goes on past them is scanned again from its start (at most 64 + 64
 * octets read), a literal is read octet by octet (at most 64 more).
 *
 * `wide` (a constant) takes the rare shapes too: non-ASCII octets and
 * address literals.  Without it the scan takes plain ASCII names only, at
 * the cost of the first version of this lane, and returns MB_WIDE instead
 * of 0 when it met a non-ASCII octet or an address literal: the caller can
 * then try again with `wide`, in a function of its own (line_wide()), so
 * that the usual line pays nothing for the rare ones. */
SMTPP_AVX2_FN static inline __attribute__((always_inline)) unsigned
mailbox_scan(const uchar *s, size_t room, unsigned *at, unsigned *info, int wide)
{
    uint32_t nl0, nd0, hi0, dot0, hy0, nl1 = ~0u, nd1 = ~0u, hi1 = 0, dot1 = 0, hy1 = 0;
    uint64_t nl, nd, hi, dot, hy, dd;
    unsigned valid = room >= 64 ? 64 : 32, k, d0, e, kind = SMTPP_DOMAIN_NAME, u8 = 0;

    mailbox_block(s, &nl0, &nd0, &hi0, &dot0, &hy0);
    if (valid == 64) mailbox_block(s + 32, &nl1, &nd1, &hi1, &dot1, &hy1);
    /* octets past the window count as "not in the set": an end found there
     * means the field is longer than the window */
    hi = (uint64_t)hi1 << 32 | hi0;
    nl = (uint64_t)nl1 << 32 | nl0;
    nd = (uint64_t)nd1 << 32 | nd0;
    if (wide) {                     /* UTF-8 octets in both sets */
        nl &= ~hi;
        nd &= ~hi;
    }
    dot = (uint64_t)dot1 << 32 | dot0;
    hy = (uint64_t)hy1 << 32 | hy0;
    /* how the plain scan fails: MB_WIDE when a wide scan might not */
#define MB_FAIL() return (!wide && hi) ? MB_WIDE : 0
    k = (unsigned)__builtin_ctzll(nl | (1ull << 63));
    if (k == 0 || k + 2 > valid || s[k] != '@') MB_FAIL();
    dd = dot & ((1ull << k) - 1);   /* dots of the local part */
    if ((dd & 1) || (dd >> (k - 1)) || (dd & (dd >> 1))) MB_FAIL();
    d0 = k + 1;
    e = d0 + (unsigned)__builtin_ctzll((nd >> d0) | (1ull << (63 - d0)));
    if (SMTPP_UNLIKELY(e == d0 && s[d0] == '[')) {
        unsigned n;
        if (!wide) return MB_WIDE;
        if (!(n = literal_scan(s + d0, &kind))) return 0;
        e = d0 + n;
        hi &= (1ull << k) - 1;      /* a literal is ASCII */
    } else if (e < valid - 1) {
        if (e == d0 || (!wide && s[e] >= 0x80) || !labels_ok(dot, hy, d0, e)) MB_FAIL();
        hi &= (1ull << e) - 1;
    } else {                        /* the domain goes on past the window */
        if (room < d0 + 64 || !(e = domain_scan(s + d0, 64, wide, &u8))) MB_FAIL();
        e += d0;
        hi &= (1ull << k) - 1;
    }
#undef MB_FAIL
    *at = k;
    if (!wide) {
        *info = SMTPP_DOMAIN_NAME;
        return e;
    }
    if ((hi | u8) && !utf8_ok(s, s + e)) return 0;
    *info = kind | ((hi | u8) ? MB_UTF8 : 0);
    return e;
}

/* The parts of the mailbox at s that mailbox_scan() found ("@" at k, end
 * at e, info), into a path whose other fields are cleared. */
static SMTPP_INLINE void mailbox_parts(smtpp_path *out, const uchar *s, unsigned k, unsigned e,
                                       unsigned info)
{
    out->local = SL(s, s + k);
    out->domain = SL(s + k + 1, s + e);
    out->domain_kind = (uint8_t)(info & MB_KIND);
    if ((info & MB_KIND) != SMTPP_DOMAIN_NAME)
        out->literal = literal_of(s + k + 1, e - k - 1, info & MB_KIND);
    out->utf8 = (uint8_t)(info >> 3);
}

SMTPP_AVX2_FN static const uchar *mailbox_avx2(const uchar *s, const uchar *lim, smtpp_path *out)
{
    unsigned k = 0, info = 0, e = mailbox_scan(s, (size_t)(lim - s), &k, &info, 1);
    if (!e) return NULL;
    mailbox_parts(out, s, k, e, info);
    return s + e;
}
#endif


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


/* Field-by-field clears: a memset of these structs compiles to `rep stos`,
 * whose start-up cost is most of the price of a short command. */
static void path_clear(smtpp_path *x)
{
    static const smtpp_str none = { NULL, 0 };
    x->raw = none;
    x->route = none;
    x->mailbox = none;
    x->local = none;
    x->domain = none;
    x->literal = none;
    x->kind = 0;
    x->domain_kind = 0;
    x->quoted = 0;
    x->utf8 = 0;
}

static void params_clear(smtpp_params *x)
{
    static const smtpp_str none = { NULL, 0 };
    x->present = 0;
    x->body = 0;
    x->ret = 0;
    x->notify = 0;
    x->by_mode = 0;
    x->by_trace = 0;
    x->mt_priority = 0;
    x->size = 0;
    x->holdfor = 0;
    x->by_time = 0;
    x->holduntil = none;
    x->envid = none;
    x->auth = none;
    x->orcpt_type = none;
    x->orcpt = none;
}

/* Resets what every command defines.  path and p are reset by the blocks
 * that fill them, so a command that has neither costs no more. */
static void command_reset(smtpp_command *c)
{
    c->verb = 0;
    c->error = 0;
    c->nparams = 0;
    c->bdat_last = 0;
    c->auth_empty = 0;
    c->params_utf8 = 0;
    c->error_offset = 0;
    c->bdat_size = 0;
    c->bdat_sized = 0;
    c->line = (smtpp_str){ NULL, 0 };
    c->arg = (smtpp_str){ NULL, 0 };
    c->auth_initial = (smtpp_str){ NULL, 0 };
    c->path.kind = SMTPP_PATH_NONE;
    c->p.present = 0;
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
#if defined(SMTPP_HAVE_AVX2)
    if (lx->simd && lx->lim - s >= 32) {
        const uchar *e = mailbox_avx2(s, lx->lim, out);
#  if defined(SMTPP_CHECK_FAST_PATHS)
        if (e) {   /* the scalar path and the DFA must agree */
            smtpp_command c2;
            lexer lx2 = *lx;
            smtpp_path p2;
            const uchar *e2;
            path_clear(&p2);
            c2.error = SMTPP_E_OK;
            lx2.cmd = &c2;
            lx2.simd = 0;
            e2 = lex_local(&lx2, s, &p2);
            if (!e2 || *e2 != '@' || p2.local.n != out->local.n || p2.quoted) abort();
            e2 = lex_domain(&lx2, e2 + 1, 1, &p2);
            if (e2 != e || c2.error != SMTPP_E_OK || p2.domain.p != out->domain.p ||
                p2.domain.n != out->domain.n || p2.domain_kind != out->domain_kind ||
                p2.literal.p != out->literal.p || p2.literal.n != out->literal.n ||
                p2.utf8 != out->utf8)
                abort();
        }
#  endif
        if (e) {
            s = e;
            goto domain_done;
        }
    }
#endif
    s = lex_local(lx, s, out);
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
#if defined(SMTPP_HAVE_AVX2)
domain_done:
#endif
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

#define MAIL_ONLY (1u << SMTPP_VERB_MAIL)
#define RCPT_ONLY (1u << SMTPP_VERB_RCPT)
static const uint32_t param_verbs[SMTPP_PARAM__COUNT] = {
    MAIL_ONLY, MAIL_ONLY, MAIL_ONLY, MAIL_ONLY, MAIL_ONLY, MAIL_ONLY,
    MAIL_ONLY, MAIL_ONLY, MAIL_ONLY, MAIL_ONLY, MAIL_ONLY, RCPT_ONLY, RCPT_ONLY
};

/* Length of each known keyword, in smtpp_param_id order. */
static const uint8_t param_kwlen[SMTPP_PARAM__COUNT] = {
    4, 4, 8, 3, 5, 4, 10, 11, 7, 9, 2, 6, 5
};

/* Which known keyword is s[0..n)?  -1 for none. */
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

/* The parameter list after a path: *(SP esmtp-param) CRLF. */
static const uchar *lex_params(lexer *lx, const uchar *s)
{
    smtpp_command *c = lx->cmd;
    smtpp_params *pp = &c->p;
    const uchar *YYCURSOR, *YYMARKER = NULL, *kw, *v, *t1;
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
              goto known;
          }
          'BODY=7BIT'        { id = SMTPP_PARAM_BODY; pp->body = SMTPP_BODY_7BIT; goto known; }
          'BODY=8BITMIME'    { id = SMTPP_PARAM_BODY; pp->body = SMTPP_BODY_8BITMIME; goto known; }
          'BODY=BINARYMIME'  { id = SMTPP_PARAM_BODY; pp->body = SMTPP_BODY_BINARYMIME; goto known; }
          'SMTPUTF8'         { id = SMTPP_PARAM_SMTPUTF8; goto known; }
          'RET=FULL'         { id = SMTPP_PARAM_RET; pp->ret = SMTPP_RET_FULL; goto known; }
          'RET=HDRS'         { id = SMTPP_PARAM_RET; pp->ret = SMTPP_RET_HDRS; goto known; }
          'ENVID=' xtext1    {
              // RFC 3461 4.4: at most 100 characters, counted as sent
              if (YYCURSOR - (kw + 6) > 100) return fail(lx, kw, SMTPP_E_PARAM_VALUE, 0);
              id = SMTPP_PARAM_ENVID;
              pp->envid = SL(kw + 6, YYCURSOR);
              goto known;
          }
          'AUTH=' xtext1     { id = SMTPP_PARAM_AUTH; pp->auth = SL(kw + 5, YYCURSOR); goto known; }
          'REQUIRETLS'       { id = SMTPP_PARAM_REQUIRETLS; goto known; }
          'MT-PRIORITY=' [+-]? digit {
              id = SMTPP_PARAM_MT_PRIORITY;
              pp->mt_priority = (int8_t)(YYCURSOR[-1] - '0');
              if (YYCURSOR[-2] == '-') pp->mt_priority = (int8_t)-pp->mt_priority;
              goto known;
          }
          'HOLDFOR=' digit{1,9} {
              id = SMTPP_PARAM_HOLDFOR;
              pp->holdfor = (uint32_t)digits_u64(kw + 8, YYCURSOR, &ovf);
              goto known;
          }
          'HOLDUNTIL=' digit{4} "-" ("0" [1-9] | "1" [0-2]) "-" ("0" [1-9] | [12] digit | "3" [01])
                'T' ([01] digit | "2" [0-3]) ":" [0-5] digit ":" ([0-5] digit | "60") ("." digit+)?
                ('Z' | [+-] ([01] digit | "2" [0-3]) ":" [0-5] digit) {
              id = SMTPP_PARAM_HOLDUNTIL;
              pp->holduntil = SL(kw + 10, YYCURSOR);
              goto known;
          }
          'BY=' @v [+-]? digit{1,9} @t1 ";" [NnRr] [Tt]? {
              int neg = (*v == '-');
              id = SMTPP_PARAM_BY;
              if (*v == '-' || *v == '+') v++;
              pp->by_time = (int32_t)digits_u64(v, t1, &ovf);
              if (neg) pp->by_time = -pp->by_time;
              pp->by_mode = (uint8_t)(t1[1] & ~0x20);
              pp->by_trace = (YYCURSOR - t1 == 3);
              if (pp->by_time <= 0 && pp->by_mode == SMTPP_BY_RETURN)
                  return fail(lx, kw, SMTPP_E_PARAM_VALUE, 0);
              goto known;
          }
          'NOTIFY=NEVER'     { id = SMTPP_PARAM_NOTIFY; pp->notify = SMTPP_NOTIFY_NEVER; goto known; }
          'NOTIFY=' ('SUCCESS' | 'FAILURE' | 'DELAY') ("," ('SUCCESS' | 'FAILURE' | 'DELAY'))* {
              // RFC 3461 4.1: "NEVER" / 1#notify-list-element.  A list
              // element may repeat (1#, RFC 822 2.7); repeats add nothing
              const uchar *q = kw + 7;
              id = SMTPP_PARAM_NOTIFY;
              pp->notify = 0;
              while (q < YYCURSOR) {
                  unsigned bit = ((*q | 0x20) == 's') ? SMTPP_NOTIFY_SUCCESS
                               : ((*q | 0x20) == 'f') ? SMTPP_NOTIFY_FAILURE
                                                      : SMTPP_NOTIFY_DELAY;
                  pp->notify |= (uint8_t)bit;
                  while (q < YYCURSOR && *q != ',') q++;
                  q++;
              }
              goto known;
          }
          'ORCPT=' @v atom_value @t1 ";" xtext {
              // RFC 3461 4.2: addr-type ";" xtext, the xtext possibly empty;
              // the whole value at most 500 characters, counted as sent
              if (YYCURSOR - v > 500) return fail(lx, kw, SMTPP_E_PARAM_VALUE, 0);
              id = SMTPP_PARAM_ORCPT;
              pp->orcpt_type = SL(v, t1);
              pp->orcpt = SL(t1 + 1, YYCURSOR);
              goto known;
          }
          esmtp_kw @v ("=" esmtp_val)? {
              id = param_lookup(kw, v);
              if (id >= 0) {
                  // a known keyword with a value it does not allow
                  if (pp->present & (1u << id))
                      return fail(lx, kw, SMTPP_E_PARAM_DUPLICATE, 0);
                  return fail(lx, kw, SMTPP_E_PARAM_VALUE, 1);
              }
              {   // unknown: refused unless the caller takes care of it
                  unsigned i;
                  for (i = 0; i < c->nparams; i++)
                      if (c->params[i].id < 0 && c->params[i].keyword.n == (size_t)(v - kw) &&
                          smtpp__ieq2((const uchar *)c->params[i].keyword.p, kw, (size_t)(v - kw)))
                          return fail(lx, kw, SMTPP_E_PARAM_DUPLICATE, 0);
              }
              if (!(lx->flags & SMTPP_ACCEPT_UNKNOWN_PARAMS))
                  return fail(lx, kw, SMTPP_E_PARAM_UNKNOWN, 0);
              if (!lx->utf8_value) {
                  // RFC 6531 3.3: UTF-8 in an esmtp-value only under
                  // SMTPUTF8 (checked once the line is read)
                  const uchar *q = v;
                  while (q < YYCURSOR && *q < 0x80) q++;
                  if (q < YYCURSOR) lx->utf8_value = q;
              }
              id = -1;
              goto store;
          }
          esmtp_kw @v "=" [^ \x00\r\n]* {
              // a value with bytes esmtp-value does not allow
              const uchar *q = kw;
              while (q < YYCURSOR && *q < 0x80) q++;
              if (q < YYCURSOR && param_lookup(kw, v) < 0)
                  return fail(lx, q, SMTPP_E_PARAM_VALUE, 1);
              return fail(lx, kw, SMTPP_E_PARAM_VALUE, 0);
          }
          * { return fail(lx, kw, SMTPP_E_PARAM_SYNTAX, 1); }
        */
known:
        if (!(param_verbs[id] & (1u << c->verb)))
            return fail(lx, kw, SMTPP_E_PARAM_WRONG_VERB, 0);
        if (pp->present & (1u << id))
            return fail(lx, kw, SMTPP_E_PARAM_DUPLICATE, 0);
        pp->present |= 1u << id;
        v = kw + param_kwlen[id]; /* the typed rules match the keyword exactly */
store:
        {
            smtpp_param *sp = &c->params[c->nparams++];
            sp->keyword = SL(kw, v);
            sp->value = (v < YYCURSOR) ? SL(v + 1, YYCURSOR) : (smtpp_str){ NULL, 0 };
            sp->id = id;
        }
        s = YYCURSOR;
    }
}

/* ---- The fast lane: MAIL and RCPT in their usual shape ----------------------- */

#if defined(SMTPP_HAVE_AVX2)
#define W8(a, b, c, d, e, f, g, h) ((uint64_t)W4(e, f, g, h) << 32 | W4(a, b, c, d))
#define FOLD8 0x2020202020202020ull

/* Eight ASCII digits, the first the most significant, to their value:
 * three multiplications instead of a loop whose exit depends on the
 * number's length. */
static inline uint32_t eight_digits(uint64_t x)
{
    x -= 0x3030303030303030ull;
    x = x * 10 + (x >> 8);
    x = (((x & 0x000000ff000000ffull) * (100 + (1000000ull << 32))) +
         (((x >> 16) & 0x000000ff000000ffull) * (1 + (10000ull << 32)))) >> 32;
    return (uint32_t)x;
}

/* How many of the eight octets of x, from the first, are ASCII digits.  A
 * borrow only spoils the octets after the first non-digit. */
static inline unsigned leading_digits(uint64_t x)
{
    uint64_t nd = ((x - 0x3030303030303030ull) | (0x3939393939393939ull - x)) &
                  0x8080808080808080ull;
    return nd ? (unsigned)__builtin_ctzll(nd) >> 3 : 8;
}

/* The value of the n digits (1..8) that end just before e (e - 8 must be
 * readable): the octets before them count as '0'. */
static inline uint32_t digits_before(const uchar *e, unsigned n)
{
    uint64_t keep = ~0ull << (8 * (8 - n));
    return eight_digits((load64(e - 8) & keep) | (0x3030303030303030ull & ~keep));
}

/* The octets of a 32-octet block at s that cannot be in an xtext value
 * (not printable ASCII, or "="), and its "+" signs and upper-case hex
 * digits, as bit masks. */
SMTPP_AVX2_FN static inline __attribute__((always_inline)) void
xtext_block(const uchar *s, uint32_t *bad, uint32_t *plus, uint32_t *hex)
{
    __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)s);
    __m256i ok = _mm256_and_si256(_mm256_cmpgt_epi8(v, _mm256_set1_epi8(0x20)),
                                  _mm256_cmpgt_epi8(_mm256_set1_epi8(0x7f), v));
    __m256i digit = _mm256_and_si256(_mm256_cmpgt_epi8(v, _mm256_set1_epi8('0' - 1)),
                                     _mm256_cmpgt_epi8(_mm256_set1_epi8('9' + 1), v));
    __m256i upper = _mm256_and_si256(_mm256_cmpgt_epi8(v, _mm256_set1_epi8('A' - 1)),
                                     _mm256_cmpgt_epi8(_mm256_set1_epi8('F' + 1), v));
    ok = _mm256_andnot_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('=')), ok);
    *bad = ~(uint32_t)_mm256_movemask_epi8(ok);
    *plus = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('+')));
    *hex = (uint32_t)_mm256_movemask_epi8(_mm256_or_si256(digit, upper));
}

__extension__ typedef unsigned __int128 u128;

/* The length of the xtext value at s (RFC 3461 4: printable ASCII but "+"
 * and "=", and "+HH" with upper-case hex), up to 126 octets; 128 octets
 * are read.  Returns 0 (the DFA decides) when the value is empty, longer,
 * malformed, or ends at anything but SP or CR. */
SMTPP_AVX2_FN static inline __attribute__((always_inline)) unsigned
xtext_len(const uchar *s)
{
    uint32_t bad[4], plus[4], hex[4];
    u128 b, p, h;
    uint64_t lo, hi;
    unsigned n, i;
    for (i = 0; i < 4; i++) xtext_block(s + 32 * i, &bad[i], &plus[i], &hex[i]);
#define U128(a) ((u128)((uint64_t)(a)[3] << 32 | (a)[2]) << 64 | ((uint64_t)(a)[1] << 32 | (a)[0]))
    b = U128(bad);
    p = U128(plus);
    h = U128(hex);
#undef U128
    lo = (uint64_t)b;
    hi = (uint64_t)(b >> 64);
    n = lo ? (unsigned)__builtin_ctzll(lo) : hi ? 64 + (unsigned)__builtin_ctzll(hi) : 128;
    if (n == 0 || n > 126 || (s[n] != ' ' && s[n] != '\r')) return 0;
    /* each "+" of the value followed by two upper-case hex digits (the SP or
     * CR at n is not one, so a "+" too near the end fails) */
    p &= ((u128)1 << n) - 1;
    if (((p << 1) | (p << 2)) & ~h) return 0;
    return n;
}

/* The parameters after the path, the usual ones: SIZE, BODY, SMTPUTF8, RET,
 * ENVID, AUTH, NOTIFY, ORCPT (rfc822 with plain xtext), each once and on
 * its own command.  q is the octet after the path.  Returns the CR of the
 * line end, or NULL: for anything else, the DFA reads them again. */
SMTPP_AVX2_FN static inline __attribute__((always_inline)) const uchar *
params_fast(const uchar *q, const uchar *end, smtpp_command *c)
{
    smtpp_params *pp = &c->p;
    const uint32_t verb_bit = 1u << c->verb;
    while (*q == ' ') {
        /* one parameter reads at most 14 + 128 octets from q (ORCPT) */
        if (q + 144 > end) return NULL;
        /* Keywords and words are compared with their letters folded to lower
         * case (OR 0x20) and nothing else: folding a digit, "=" or ";"
         * would let a control character pass for it ("SIZE\x1d1"). */
        const uchar *t = q + 1, *v;
        uint64_t w = load64(t);
        unsigned id, n;
        if (c->nparams == SMTPP_MAX_PARAMS) return NULL;
        if (((w | 0x20202020u) & 0xffffffffffull) == W8('s', 'i', 'z', 'e', '=', 0, 0, 0)) {
            v = t + 5;
            n = leading_digits(load64(v));
            if (n == 8) {
                n += leading_digits(load64(v + 8));
                if (n > 16) return NULL;
                pp->size = n == 8 ? digits_before(v + 8, 8)
                                  : (uint64_t)digits_before(v + n - 8, n - 8) * 100000000u +
                                        digits_before(v + n, 8);
            } else {
                if (!n) return NULL;
                pp->size = digits_before(v + n, n);
            }
            id = SMTPP_PARAM_SIZE;
            q = v + n;
        } else if (((w | 0x20202020u) & 0xffffffffffull) == W8('b', 'o', 'd', 'y', '=', 0, 0, 0)) {
            uint64_t x;
            v = t + 5;
            x = load64(v);
            if ((x | 0x2020202020202000ull) == W8('8', 'b', 'i', 't', 'm', 'i', 'm', 'e')) {
                pp->body = SMTPP_BODY_8BITMIME;
                q = v + 8;
            } else if (((uint32_t)x | 0x20202000u) == W4('7', 'b', 'i', 't')) {
                pp->body = SMTPP_BODY_7BIT;
                q = v + 4;
            } else if ((x | FOLD8) == W8('b', 'i', 'n', 'a', 'r', 'y', 'm', 'i') &&
                       (v[8] | 0x20) == 'm' && (v[9] | 0x20) == 'e') {
                pp->body = SMTPP_BODY_BINARYMIME;
                q = v + 10;
            } else {
                return NULL;
            }
            id = SMTPP_PARAM_BODY;
        } else if (((w | 0x202020202020ull) & 0xffffffffffffffull) ==
                   W8('n', 'o', 't', 'i', 'f', 'y', '=', 0)) {
            unsigned bits = 0, bit;
            v = t + 7;
            q = v;
            for (;;) {   /* NEVER alone, or SUCCESS, FAILURE, DELAY each once */
                uint64_t x;
                if (q + 8 > end) return NULL;
                x = load64(q) | FOLD8;
                if ((x & 0xffffffffffffffull) == W8('s', 'u', 'c', 'c', 'e', 's', 's', 0))
                    bit = SMTPP_NOTIFY_SUCCESS, q += 7;
                else if ((x & 0xffffffffffffffull) == W8('f', 'a', 'i', 'l', 'u', 'r', 'e', 0))
                    bit = SMTPP_NOTIFY_FAILURE, q += 7;
                else if ((x & 0xffffffffffull) == W8('d', 'e', 'l', 'a', 'y', 0, 0, 0))
                    bit = SMTPP_NOTIFY_DELAY, q += 5;
                else if ((x & 0xffffffffffull) == W8('n', 'e', 'v', 'e', 'r', 0, 0, 0) && !bits)
                    bit = SMTPP_NOTIFY_NEVER, q += 5;
                else
                    return NULL;
                if (bits & (bit | SMTPP_NOTIFY_NEVER)) return NULL;
                bits |= bit;
                if (*q != ',') break;
                q++;
            }
            pp->notify = (uint8_t)bits;
            id = SMTPP_PARAM_NOTIFY;
        } else if (((w | 0x2020202020ull) & 0xffffffffffffull) ==
                   W8('o', 'r', 'c', 'p', 't', '=', 0, 0)) {
            v = t + 6;
            if (((load64(v) | 0x202020u) & 0xffffffffffffffull) != W8('r', 'f', 'c', '8', '2', '2', ';', 0))
                return NULL;
            if (!(n = xtext_len(v + 7))) return NULL;
            pp->orcpt_type = SL(v, v + 6);
            pp->orcpt = SL(v + 7, v + 7 + n);
            id = SMTPP_PARAM_ORCPT;
            q = v + 7 + n;
        } else if (((w | 0x2020202020ull) & 0xffffffffffffull) == W8('e', 'n', 'v', 'i', 'd', '=', 0, 0) ||
                   ((w | 0x20202020u) & 0xffffffffffull) == W8('a', 'u', 't', 'h', '=', 0, 0, 0)) {
            int envid = ((w | 0x20) & 0xff) == 'e';
            v = t + (envid ? 6 : 5);
            if (!(n = xtext_len(v)) || (envid && n > 100)) return NULL;
            if (envid) pp->envid = SL(v, v + n);
            else pp->auth = SL(v, v + n);
            id = envid ? SMTPP_PARAM_ENVID : SMTPP_PARAM_AUTH;
            q = v + n;
        } else if ((w | 0x0020202020202020ull) == W8('s', 'm', 't', 'p', 'u', 't', 'f', '8')) {
            v = NULL;
            id = SMTPP_PARAM_SMTPUTF8;
            q = t + 8;
        } else if (((w | 0x202020u) & 0xffffffffull) == W4('r', 'e', 't', '=')) {
            uint32_t x = load32(t + 4) | 0x20202020u;
            v = t + 4;
            if (x == W4('f', 'u', 'l', 'l')) pp->ret = SMTPP_RET_FULL;
            else if (x == W4('h', 'd', 'r', 's')) pp->ret = SMTPP_RET_HDRS;
            else return NULL;
            id = SMTPP_PARAM_RET;
            q = t + 8;
        } else {
            return NULL;
        }
        /* the value must end here; a parameter on the wrong command or
         * given twice is for the DFA to report */
        if ((*q != ' ' && *q != '\r') || !(param_verbs[id] & verb_bit) ||
            (pp->present & (1u << id)))
            return NULL;
        pp->present |= 1u << id;
        {
            smtpp_param *sp = &c->params[c->nparams++];
            sp->keyword = SL(t, t + param_kwlen[id]);
            sp->value = v ? SL(v, q) : (smtpp_str){ NULL, 0 };
            sp->id = (int)id;
        }
    }
    return *q == '\r' && q[1] == '\n' ? q : NULL;
}

/* Zeroes *c up to params[]: the fields command_reset(), path_clear() and
 * params_clear() define, as they leave them (a null pointer is all zero
 * bits on every target of this lane), with 32-octet stores. */
#define ZERO_FIELDS_SIZE offsetof(smtpp_command, params)
SMTPP_AVX2_FN static inline __attribute__((always_inline)) void zero_fields(smtpp_command *c)
{
    const __m256i z = _mm256_setzero_si256();
    unsigned char *d = (unsigned char *)c;
    size_t i;
#if defined(__clang__)
#  pragma clang loop unroll(full)
#else
#  pragma GCC unroll 16
#endif
    for (i = 0; i + 32 <= ZERO_FIELDS_SIZE; i += 32) _mm256_storeu_si256((__m256i *)(void *)(d + i), z);
    if (ZERO_FIELDS_SIZE % 32)
        _mm256_storeu_si256((__m256i *)(void *)(d + ZERO_FIELDS_SIZE - 32), z);
}

/* What line_fast() returns for a line that line_wide() may take. */
#define LANE_WIDE ((size_t)-1)

/* The other commands of a session's every transaction, in their one valid
 * shape: RSET, QUIT, DATA, NOOP without argument, and HELO/EHLO with a
 * domain name or (wide) an IPv4 or IPv6 address literal.  w: the line's
 * first eight octets. */
SMTPP_AVX2_FN static inline __attribute__((always_inline)) size_t
other_fast(const uchar *b, uint64_t w, smtpp_command *c, int wide)
{
    uint64_t x = (w | 0x20202020u) & 0xffffffffffffull;
    unsigned verb, e, kind;
    if (x == W8('r', 's', 'e', 't', '\r', '\n', 0, 0)) verb = SMTPP_VERB_RSET;
    else if (x == W8('q', 'u', 'i', 't', '\r', '\n', 0, 0)) verb = SMTPP_VERB_QUIT;
    else if (x == W8('d', 'a', 't', 'a', '\r', '\n', 0, 0)) verb = SMTPP_VERB_DATA;
    else if (x == W8('n', 'o', 'o', 'p', '\r', '\n', 0, 0)) verb = SMTPP_VERB_NOOP;
    else verb = 0;
    if (verb) {
        command_reset(c);
        c->verb = (uint8_t)verb;
        return 6;
    }
    x &= 0xffffffffffull;
    if (x == W8('e', 'h', 'l', 'o', ' ', 0, 0, 0)) verb = SMTPP_VERB_EHLO;
    else if (x == W8('h', 'e', 'l', 'o', ' ', 0, 0, 0)) verb = SMTPP_VERB_HELO;
    else return 0;
    if (b[5] == '[') {      /* a client without a name: its address */
        if (!wide) return LANE_WIDE;
        e = literal_scan(b + 5, &kind);
    } else {
        e = domain_scan(b + 5, 64, 0, NULL);
        kind = SMTPP_DOMAIN_NAME;
    }
    if (!e || b[5 + e] != '\r' || b[6 + e] != '\n') return 0;
    command_reset(c);
    c->verb = (uint8_t)verb;
    path_clear(&c->path);
    c->path.domain = SL(b + 5, b + 5 + e);
    c->arg = SL(b + 5, b + 5 + e);
    c->path.domain_kind = (uint8_t)kind;
    if (kind != SMTPP_DOMAIN_NAME) c->path.literal = literal_of(b + 5, e, kind);
    return e + 7;
}

/* MAIL FROM:<mailbox> and RCPT TO:<mailbox> with the usual parameters (or
 * another command of other_fast): the whole command, every field of *c as
 * the general path sets it, without a branch per octet.  b is the start of
 * the line and at least FAST_LANE_READ octets are readable there; no read
 * goes past them (the mailbox scan reads at most b + 11 + 128, a literal
 * included; each parameter at most 142 octets from a start that must be
 * 144 before the end).  Returns the length of the line with its CRLF, or 0
 * when the line is anything else (the general path then parses it from the
 * start: this lane only ever claims lines whose every field it can vouch
 * for).
 *
 * Two functions are made of it: line_fast() for plain ASCII names, which
 * returns LANE_WIDE for a mailbox or a HELO argument it saw might be one
 * of the rare shapes, and line_wide() (`wide` set), which takes those too:
 * UTF-8 mailboxes (RFC 6531) and IPv4/IPv6 address literals.  Kept apart,
 * the usual line does not pay for the rare ones: with them in the same
 * function, the extra live values and the calls cost the usual line 6-8%. */
#define FAST_LANE_READ 320
/* (Each slice is stored on its own: a chained assignment "a = b = x" reads
 * b back from memory, and that 16-octet load of two 8-octet stores cannot
 * be forwarded from the store buffer: a stall of a dozen cycles, which
 * was 40% of this function's time.) */
SMTPP_AVX2_FN static inline __attribute__((always_inline)) size_t
line_lane(const uchar *b, smtpp_command *c, int wide)
{
    uint64_t w = load64(b);
    unsigned verb, p0, k = 0, e, info = 0;
    const uchar *mb, *q;
    smtpp_path *pa = &c->path;

    /* the letters folded to lower case, the space and colon as they are */
    if ((w | 0x0020200020202020ull) == W8('r', 'c', 'p', 't', ' ', 't', 'o', ':')) {
        verb = SMTPP_VERB_RCPT;
        p0 = 8;
    } else if ((w | 0x2020200020202020ull) == W8('m', 'a', 'i', 'l', ' ', 'f', 'r', 'o') &&
               ((load32(b + 8) | 0x20u) & 0xffff) == W4('m', ':', 0, 0)) {
        verb = SMTPP_VERB_MAIL;
        p0 = 10;
    } else {
        return other_fast(b, w, c, wide);
    }
    if (b[p0] != '<') return 0;
    mb = b + p0 + 1;
    /* every field up to params[] as command_reset(), path_clear() and
     * params_clear() leave them, in nine stores */
    zero_fields(c);
    c->verb = (uint8_t)verb;
    if (*mb == '>') {                       /* <>: MAIL only */
        if (verb != SMTPP_VERB_MAIL) return 0;
        c->path.kind = SMTPP_PATH_NULL;
        pa->raw = SL(mb, mb);
        q = mb + 1;
    } else {
        e = mailbox_scan(mb, FAST_LANE_READ - 11, &k, &info, wide);   /* mb <= b + 11 */
        if (SMTPP_UNLIKELY(e - 1u >= MB_WIDE - 1u)) return e ? LANE_WIDE : 0;
        if (mb[e] != '>') return 0;
        c->path.kind = SMTPP_PATH_MAILBOX;
        pa->raw = SL(mb, mb + e);
        pa->mailbox = SL(mb, mb + e);
        mailbox_parts(pa, mb, k, e, info);
        q = mb + e + 1;
    }
    if (!(q = params_fast(q, b + FAST_LANE_READ, c))) return 0;
    /* RFC 6531 3.4: a non-ASCII sender without SMTPUTF8 is an error, which
     * the general path reports */
    if (SMTPP_UNLIKELY(info & MB_UTF8) && verb == SMTPP_VERB_MAIL &&
        !(c->p.present & (1u << SMTPP_PARAM_SMTPUTF8)))
        return 0;
    return (size_t)(q + 2 - b);
}

SMTPP_AVX2_FN static inline __attribute__((always_inline)) size_t
line_fast(const uchar *b, smtpp_command *c)
{
    return line_lane(b, c, 0);
}

SMTPP_AVX2_FN static SMTPP_NOINLINE size_t line_wide(const uchar *b, smtpp_command *c)
{
    return line_lane(b, c, 1);
}
#endif

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
    path_clear(&c->path);
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

/* Commands that take no argument: DATA RSET QUIT STARTTLS TURN. */
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
    path_clear(&c->path);
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
    switch (c->verb) {
    case SMTPP_VERB_MAIL:
    case SMTPP_VERB_RCPT:     lex_mail_rcpt(lx, s); break;
    case SMTPP_VERB_HELO:
    case SMTPP_VERB_EHLO:
    case SMTPP_VERB_LHLO:     lex_hello(lx, s); break;
    case SMTPP_VERB_BDAT:     lex_bdat(lx, s); break;
    case SMTPP_VERB_AUTH:     lex_auth(lx, s); break;
    case SMTPP_VERB_ETRN:     lex_etrn(lx, s); break;
    case SMTPP_VERB_ATRN:     lex_atrn(lx, s); break;
    case SMTPP_VERB_XCLIENT:
    case SMTPP_VERB_XFORWARD: lex_xattrs(lx, s); break;
    case SMTPP_VERB_VRFY:
    case SMTPP_VERB_EXPN:     lex_query(lx, s, 1); break;
    case SMTPP_VERB_NOOP:
    case SMTPP_VERB_HELP:     lex_query(lx, s, 0); break;
    default:                  lex_noarg(lx, s); break;
    }
}

/* ---- The public entry points ------------------------------------------------------ */

void smtpp_parser_init(smtpp_parser *p, unsigned flags)
{
    memset(p, 0, sizeof *p);
    p->flags = flags;
    p->max_line = SMTPP_DEFAULT_MAX_LINE;
    p->max_auth_line = SMTPP_DEFAULT_MAX_AUTH_LINE;
    p->_simd = (uint8_t)smtpp__cpu_avx2();
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

#if defined(SMTPP_HAVE_AVX2) && defined(SMTPP_CHECK_FAST_PATHS)
static int same_str(smtpp_str a, smtpp_str b) { return a.p == b.p && a.n == b.n; }

/* The fast lane's oracle: the general path (scalar, DFA) on the same line
 * must give the same command, field by field. */
static void fast_lane_check(const smtpp_parser *p, const uchar *b, size_t len,
                            const smtpp_command *c, size_t n)
{
    smtpp_command c2;
    lexer lx;
    unsigned i;
    const smtpp_path *x = &c->path, *y = &c2.path;
    const smtpp_params *u = &c->p, *w = &c2.p;
    command_reset(&c2);
    lx.base = b;
    lx.end = NULL;
    lx.lim = b + len;
    lx.cmd = &c2;
    lx.flags = p->flags;
    lx.simd = 0;
    lx.utf8_value = NULL;
    lex_line(&lx);
    if (c2.error || !lx.end || (size_t)(lx.end - b) != n || c2.verb != c->verb ||
        c2.nparams != c->nparams || c2.error_offset != c->error_offset ||
        c2.bdat_last != c->bdat_last || c2.auth_empty != c->auth_empty ||
        c2.params_utf8 != c->params_utf8 ||
        c2.bdat_size != c->bdat_size || !same_str(c2.arg, c->arg) ||
        !same_str(c2.auth_initial, c->auth_initial))
        abort();
    if (c->verb != SMTPP_VERB_MAIL && c->verb != SMTPP_VERB_RCPT && c->verb != SMTPP_VERB_EHLO &&
        c->verb != SMTPP_VERB_HELO) {
        /* no path or parameters: those fields are not touched */
        if (x->kind != y->kind || u->present != w->present) abort();
        return;
    }
    if (!same_str(x->raw, y->raw) || !same_str(x->route, y->route) ||
        !same_str(x->mailbox, y->mailbox) || !same_str(x->local, y->local) ||
        !same_str(x->domain, y->domain) || !same_str(x->literal, y->literal) ||
        x->kind != y->kind || x->domain_kind != y->domain_kind || x->quoted != y->quoted ||
        x->utf8 != y->utf8)
        abort();
    if (c->verb == SMTPP_VERB_EHLO || c->verb == SMTPP_VERB_HELO) {
        if (u->present != w->present) abort();
        return;
    }
    if (u->present != w->present || u->body != w->body || u->ret != w->ret ||
        u->notify != w->notify || u->by_mode != w->by_mode || u->by_trace != w->by_trace ||
        u->mt_priority != w->mt_priority || u->size != w->size || u->holdfor != w->holdfor ||
        u->by_time != w->by_time || !same_str(u->holduntil, w->holduntil) ||
        !same_str(u->envid, w->envid) || !same_str(u->auth, w->auth) ||
        !same_str(u->orcpt_type, w->orcpt_type) || !same_str(u->orcpt, w->orcpt))
        abort();
    for (i = 0; i < c->nparams; i++)
        if (c2.params[i].id != c->params[i].id ||
            !same_str(c2.params[i].keyword, c->params[i].keyword) ||
            !same_str(c2.params[i].value, c->params[i].value))
            abort();
}
#endif

/* The rest of line_done(), out of line: a line over the limit (AUTH, MAIL
 * and RCPT lines may have their own), or one that ends in a bare LF (only
 * under SMTPP_LENIENT_BARE_LF: strict framing ends lines at CRLF only). */
static SMTPP_NOINLINE void line_unusual(const smtpp_parser *p, const uchar *b, size_t n,
                                        smtpp_command *cmd)
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

/* The line b[0..n) is parsed: consume it, and refuse it if it is too long
 * or ends in a bare LF.  Both paths end here; crlf (a constant) when the
 * lane has seen the CRLF already.  The usual case needs no 16-octet floor:
 * line_unusual() applies it. */
static inline int line_done(smtpp_parser *p, const uchar *b, size_t n, smtpp_command *cmd,
                            size_t *used, int crlf)
{
    *used = n;
    p->_lf -= (uint32_t)n;   /* n <= _lf: the line ends at or before the hint */
    p->_scanned = p->_scanned > n ? (uint32_t)(p->_scanned - n) : 0;
    if (SMTPP_LIKELY(n <= p->max_line && (crlf || (n >= 2 && b[n - 2] == '\r'))))
        cmd->line = SL(b, b + n - 2);
    else
        line_unusual(p, b, n, cmd);
    return SMTPP_DONE;
}

#if defined(SMTPP_CHECK_FAST_PATHS)
/* Test-only counters of the oracle builds (internal.h); 0 without a lane. */
_Thread_local unsigned long smtpp__lane_lines, smtpp__lane_tail_lines;
#endif

#if defined(SMTPP_HAVE_AVX2)

/* n, what the fast lane said of the line at b: in the builds with
 * SMTPP_CHECK_FAST_PATHS, checked against the general path first. */
static inline size_t lane_checked(const smtpp_parser *p, const uchar *b, size_t len,
                                  smtpp_command *cmd, size_t n)
{
#  if defined(SMTPP_CHECK_FAST_PATHS)
    if (n) {
        fast_lane_check(p, b, len, cmd, n);
        smtpp__lane_lines++;
    }
#  else
    (void)p;
    (void)b;
    (void)len;
    (void)cmd;
#  endif
    return n;
}

/* The fast lane on the line at b (FAST_LANE_READ octets readable): its
 * length when it takes the line, else 0. */
SMTPP_AVX2_FN static inline __attribute__((always_inline)) size_t
lane_run(const smtpp_parser *p, const uchar *b, size_t len, smtpp_command *cmd)
{
    size_t n = line_fast(b, cmd);
    if (SMTPP_UNLIKELY(n == LANE_WIDE)) n = line_wide(b, cmd);
    return lane_checked(p, b, len, cmd, n);
}

/* The same, out of line: for the general path, once it has found the LF of
 * a new region. */
SMTPP_AVX2_FN static SMTPP_NOINLINE size_t lane_take(const smtpp_parser *p, const uchar *b,
                                                     size_t len, smtpp_command *cmd)
{
    return lane_run(p, b, len, cmd);
}

/* A slice the lane wrote into *c from the copy (null, or into the copy):
 * the same slice of the caller's octets, `delta` further on. */
static inline __attribute__((always_inline)) void tail_move(smtpp_str *x, uintptr_t delta)
{
    uintptr_t v = (uintptr_t)x->p;
    x->p = (const char *)(v + (delta & (0 - (uintptr_t)(v != 0))));   /* no branch */
}

/* Clears the fields of *c the lane may have written (those up to params[],
 * and params[0..nparams)). */
SMTPP_AVX2_FN static inline __attribute__((always_inline)) void tail_clear(smtpp_command *c)
{
    unsigned i, n = c->nparams < SMTPP_MAX_PARAMS ? c->nparams : SMTPP_MAX_PARAMS;
    for (i = 0; i < n; i++) c->params[i] = (smtpp_param){ { NULL, 0 }, { NULL, 0 }, 0 };
    zero_fields(c);
}

/* The fast lane on a line near the end of the region: fewer than
 * FAST_LANE_READ octets are readable at b (len of them), but a line ends
 * in them (the hint), so the lane runs on a copy padded with zeros: the
 * lane stops at the CRLF of the line, no field of the line can go on into
 * a zero, and what it answers depends only on the octets up to the line's
 * LF, which are the caller's.  Then the slices of *cmd are moved from the
 * copy to b, so that nothing points into this frame.  With 1 KiB reads
 * about a quarter of the lines are such lines; the copy and the moves
 * cost a fraction of the general path.
 *
 * A line the lane takes has exactly the fields the general path gives it
 * (the oracle compares them), so the slices to move are known by the
 * verb: none for RSET QUIT DATA NOOP, arg and the domain and literal of
 * path for HELO/EHLO, the path, params[] and the typed slices of the
 * parameters present for MAIL/RCPT (whose fields up to params[] the lane
 * clears first: every other slice is null).  When the lane leaves the
 * line, it may have filled fields before it gave up: those are cleared
 * (the general path then parses the line).  The oracle builds check the
 * result again on the caller's octets, pointer for pointer, and
 * tests/test_command.c compares every field of *cmd with the same line
 * in a long region. */
SMTPP_AVX2_FN static SMTPP_NOINLINE size_t lane_tail(const smtpp_parser *p, const uchar *b,
                                                     size_t len, smtpp_command *cmd)
{
    _Alignas(32) uchar t[FAST_LANE_READ];
    const __m256i z = _mm256_setzero_si256();
    uintptr_t delta = (uintptr_t)b - (uintptr_t)t;
    size_t i, n;
    unsigned v;
    /* zeros, then the len < FAST_LANE_READ octets over them */
#if defined(__clang__)
#  pragma clang loop unroll(full)
#else
#  pragma GCC unroll 16
#endif
    for (i = 0; i < FAST_LANE_READ; i += 32) _mm256_store_si256((__m256i *)(void *)(t + i), z);
    if (SMTPP_LIKELY(len >= 32)) {
        /* ten 32-octet moves, the last ones again at len - 32: no branch
         * on the length */
#if defined(__clang__)
#  pragma clang loop unroll(full)
#else
#  pragma GCC unroll 16
#endif
        for (i = 0; i < FAST_LANE_READ; i += 32) {
            size_t at = i < len - 32 ? i : len - 32;
            _mm256_storeu_si256((__m256i *)(void *)(t + at),
                                _mm256_loadu_si256((const __m256i *)(const void *)(b + at)));
        }
    } else {
        memcpy(t, b, len);
    }
    cmd->nparams = 0;   /* params[0..nparams) are the lane's */
    n = lane_take(p, t, FAST_LANE_READ, cmd);
    if (SMTPP_UNLIKELY(!n)) {
        tail_clear(cmd);
        return 0;
    }
    v = cmd->verb;
    if (v == SMTPP_VERB_MAIL || v == SMTPP_VERB_RCPT) {
        smtpp_path *x = &cmd->path;
        tail_move(&x->raw, delta);
        tail_move(&x->route, delta);
        tail_move(&x->mailbox, delta);
        tail_move(&x->local, delta);
        tail_move(&x->domain, delta);
        tail_move(&x->literal, delta);
        if (cmd->p.present & ((1u << SMTPP_PARAM_ENVID) | (1u << SMTPP_PARAM_AUTH) |
                              (1u << SMTPP_PARAM_HOLDUNTIL) | (1u << SMTPP_PARAM_ORCPT))) {
            tail_move(&cmd->p.holduntil, delta);
            tail_move(&cmd->p.envid, delta);
            tail_move(&cmd->p.auth, delta);
            tail_move(&cmd->p.orcpt_type, delta);
            tail_move(&cmd->p.orcpt, delta);
        }
        for (i = 0; i < cmd->nparams; i++) {
            tail_move(&cmd->params[i].keyword, delta);
            tail_move(&cmd->params[i].value, delta);
        }
    } else if (v == SMTPP_VERB_EHLO || v == SMTPP_VERB_HELO) {
        tail_move(&cmd->arg, delta);
        tail_move(&cmd->path.domain, delta);
        tail_move(&cmd->path.literal, delta);
    }
#  if defined(SMTPP_CHECK_FAST_PATHS)
    fast_lane_check(p, b, len, cmd, n);
    smtpp__lane_tail_lines++;
#  endif
    return n;
}
#endif

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
 * it has searched (_scanned), both as offsets into the region.  A burst of
 * pipelined commands costs one search, not one per line.
 *
 * A line ends at CRLF (RFC 5321 2.3.8).  A bare LF inside a line does not
 * end it: the line, up to its CRLF, is refused as one (SMTPP_E_BARE_LF),
 * and nothing after the bare LF is taken as a command, so the parser sees
 * the same lines as every CRLF-framing peer.  Under SMTPP_LENIENT_BARE_LF
 * every LF ends a line. */
static SMTPP_NOINLINE int parse_general(smtpp_parser *p, const char *buf, size_t len,
                                        smtpp_command *cmd, size_t *used, int lane)
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
        p->_scanned = 0;
        p->_lf = 0;
        line_error(cmd, SMTPP_E_LINE_TOO_LONG, (uint32_t)lim);
        return SMTPP_DONE;
    }
    /* The hint must still point at a line end inside the region; the caller
     * may have broken the contract (or forgotten smtpp_parser_reset()), and
     * then we search again rather than trust it. */
    if (p->_lf == 0 || p->_lf > len || b[p->_lf - 1] != '\n' ||
        !line_end_at(p, b, p->_lf - 1u)) {
        size_t from = p->_scanned < len ? p->_scanned : 0;
        lf = last_end(p, b, from, len);
        if (!lf) {
            unsigned k = len >= lim ? limit_kind(p, b, len) : LIM_LINE;
            size_t elim = limit_of(p, k);
            /* Before skipping, make sure the part searched earlier holds no
             * line end: if something else consumed bytes of the region
             * without smtpp_parser_reset(), _scanned is stale, and skipping
             * would throw away whole commands.  Rare, and once per long
             * line. */
            if (len >= elim && from > 0 && (lf = first_end(p, b, 0, from)) != NULL) {
                p->_lf = (uint32_t)(lf - b) + 1;
                p->_scanned = (uint32_t)len;
                goto lex;
            }
            if (len >= elim) {
                /* No end within the limit: drop what we have, skip the rest
                 * (remembering which limit it broke, for the report). */
                p->_skipping = (uint8_t)k;
                p->_scanned = 0;
                *used = skippable(p, b, len);
                return SMTPP_AGAIN;
            }
            p->_scanned = (uint32_t)len;
            *used = 0;
            return SMTPP_AGAIN;
        }
        p->_lf = (uint32_t)(lf - b) + 1;
        p->_scanned = (uint32_t)len;
    }

lex:
#if defined(SMTPP_HAVE_AVX2)
    if (lane && p->_simd &&
        (n = len >= FAST_LANE_READ ? lane_take(p, b, len, cmd) : lane_tail(p, b, len, cmd)) != 0)
        return line_done(p, b, n, cmd, used, 1);
#else
    (void)lane;
#endif
    command_reset(cmd);
    lx.base = b;
    lx.end = NULL;
    lx.lim = b + len;
    lx.cmd = cmd;
    lx.flags = p->flags;
    lx.simd = p->_simd;
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

#if defined(SMTPP_HAVE_AVX2)
/* The usual call first: the region holds a known LF (the hint is good) and
 * enough octets for the fast lane, which takes the line.  One function
 * compiled for AVX2 holds the checks, the lane and the tail, so that the
 * usual line costs one call and one save of registers; everything else is
 * parse_general(). */
SMTPP_AVX2_FN static SMTPP_NOINLINE int parse_lane(smtpp_parser *p, const char *buf, size_t len,
                                                   smtpp_command *cmd, size_t *used)
{
    const uchar *b = (const uchar *)buf;
    size_t n;
    /* FAST_LANE_READ <= len <= UINT32_MAX, 1 <= _lf <= len, and the hint
     * is an LF: a line ends in the region, so the result is DONE whoever
     * parses it (the lane writes into *cmd before it knows; on AGAIN,
     * *cmd must be untouched) */
    if (SMTPP_LIKELY(!p->_skipping && len - FAST_LANE_READ <= UINT32_MAX - FAST_LANE_READ &&
                     p->_lf - 1u < len && b[p->_lf - 1] == '\n')) {
        if (SMTPP_LIKELY((n = lane_run(p, b, len, cmd)) != 0))
            return line_done(p, b, n, cmd, used, 1);
        return parse_general(p, buf, len, cmd, used, 0);
    }
    /* the same with fewer octets: the lane on a copy (lane_tail()) */
    if (len < FAST_LANE_READ && !p->_skipping && p->_lf - 1u < len && b[p->_lf - 1] == '\n') {
        if ((n = lane_tail(p, b, len, cmd)) != 0) return line_done(p, b, n, cmd, used, 1);
        return parse_general(p, buf, len, cmd, used, 0);
    }
    return parse_general(p, buf, len, cmd, used, 1);
}
#endif

int smtpp_parse_command(smtpp_parser *p, const char *buf, size_t len,
                        smtpp_command *cmd, size_t *used)
{
#if defined(SMTPP_HAVE_AVX2)
    if (SMTPP_LIKELY(p->_simd)) return parse_lane(p, buf, len, cmd, used);
#endif
    return parse_general(p, buf, len, cmd, used, 1);
}

void smtpp_parser_reset(smtpp_parser *p)
{
    p->_scanned = 0;
    p->_lf = 0;
    p->_skipping = 0;
}

int smtpp_parser_finish(smtpp_parser *p, size_t unconsumed)
{
    int mid = unconsumed > 0 || p->_skipping;
    p->_scanned = 0;
    p->_lf = 0;
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
    lx.simd = smtpp__cpu_avx2();
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
