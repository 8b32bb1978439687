/* The command fast lane (the contract: command_lane.h).
 *
 * One source for every CPU: the logic is written with generic vectors and
 * the primitives of simd.h, and this file is compiled once for the
 * target's baseline (SSE2 on x86-64, NEON on aarch64: the functions
 * *_base) and, on x86-64, once more with -mavx2 -mbmi by
 * command_lane_avx2.c (the functions *_avx2), chosen per parser at init.
 *
 * It classifies a mailbox 64 octets at a time (nibble lookups, or range
 * compares where the CPU has no shuffle; bit masks for the dot and hyphen
 * rules), reads keywords by one folded 8-octet compare and SIZE eight
 * digits at a time, so the usual command costs no branch per octet:
 * per-octet loops cost a mispredicted branch at the end of every field,
 * and that, not the instruction count, was most of the time. */
#include "command_lane.h"

#if defined(SMTPP_HAVE_LANE) && (!defined(SMTPP_LANE_AVX2) || defined(SMTPP_HAVE_AVX2))

#include "command_fields.h"
#include "command_frame.h"
#include "simd.h"

#include <stddef.h>
#include <string.h>


/* ---- Scalar helpers ------------------------------------------------------ */

/* Unaligned little-endian loads (memcpy compiles to one mov; both x86-64
 * and aarch64 Linux are little-endian). */
SIMD_INLINE uint32_t load32(const uchar *p)
{
    uint32_t w;
    memcpy(&w, p, 4);
    return w;
}

SIMD_INLINE uint64_t load64(const uchar *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

#define W4(a, b, c, d) \
    ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define W8(a, b, c, d, e, f, g, h) ((uint64_t)W4(e, f, g, h) << 32 | W4(a, b, c, d))
#define FOLD8 0x2020202020202020ull

/* The length of the well-formed UTF-8 sequence at s (the grammar's u8:
 * no overlong form, no surrogate, nothing above U+10FFFF), or 0. */
static unsigned utf8_seq(const uchar *s)
{
    unsigned c = s[0], lo = 0x80, hi = 0xbf, n, i;
    if (c >= 0xc2 && c <= 0xdf) n = 2;
    else if (c >= 0xe0 && c <= 0xef) n = 3;
    else if (c >= 0xf0 && c <= 0xf4) n = 4;
    else return 0;
    if (c == 0xe0) lo = 0xa0;
    else if (c == 0xed) hi = 0x9f;
    else if (c == 0xf0) lo = 0x90;
    else if (c == 0xf4) hi = 0x8f;
    if (s[1] < lo || s[1] > hi) return 0;
    for (i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xbf) return 0;
    return n;
}

/* 1 when the octets [s, e) are ASCII or well-formed UTF-8.  The octet at
 * e must be ASCII, so that no sequence can run past it. */
static int utf8_ok(const uchar *s, const uchar *e)
{
    while (s < e) {
        unsigned n = *s < 0x80 ? 1 : utf8_seq(s);
        if (!n) return 0;
        s += n;
    }
    return s == e;
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
SIMD_INLINE smtpp_str literal_of(const uchar *d, unsigned n, unsigned kind)
{
    unsigned skip = kind == SMTPP_DOMAIN_IPV6 ? 6 : 1;
    return (smtpp_str){ (const char *)d + skip, n - skip - 1 };
}

/* Eight ASCII digits, the first the most significant, to their value:
 * three multiplications instead of a loop whose exit depends on the
 * number's length. */
SIMD_INLINE uint32_t eight_digits(uint64_t x)
{
    x -= 0x3030303030303030ull;
    x = x * 10 + (x >> 8);
    x = (((x & 0x000000ff000000ffull) * (100 + (1000000ull << 32))) +
         (((x >> 16) & 0x000000ff000000ffull) * (1 + (10000ull << 32)))) >> 32;
    return (uint32_t)x;
}

/* How many of the eight octets of x, from the first, are ASCII digits.  A
 * borrow only spoils the octets after the first non-digit. */
SIMD_INLINE unsigned leading_digits(uint64_t x)
{
    uint64_t nd = ((x - 0x3030303030303030ull) | (0x3939393939393939ull - x)) &
                  0x8080808080808080ull;
    return nd ? (unsigned)__builtin_ctzll(nd) >> 3 : 8;
}

/* The value of the n digits (1..8) that end just before e (e - 8 must be
 * readable): the octets before them count as '0'. */
SIMD_INLINE uint32_t digits_before(const uchar *e, unsigned n)
{
    uint64_t keep = ~0ull << (8 * (8 - n));
    return eight_digits((load64(e - 8) & keep) | (0x3030303030303030ull & ~keep));
}

/* ---- Mailboxes ------------------------------------------------------------ */

/* The masks of a 64-octet window: octets outside the local part's ASCII
 * set (atext and dot: nl) and outside the domain's (letter, digit, hyphen,
 * dot: nd), octets >= 0x80, dots and hyphens. */
typedef struct mb_masks {
    uint64_t nl, nd, hi, dot, hy;
} mb_masks;

/* The two sets of one vector, as element masks whose bits, XORed with
 * CLASS_FLIP, are those of mb_masks' nl and nd.  With a shuffle, the
 * usual pair of nibble lookups (the octets outside each set: CLASS_FLIP
 * is 0): the low nibble selects an octet whose bit h says whether
 * (h << 4 | low) is in the set, the high nibble selects bit h; octets >=
 * 0x80 select no bit.  Without one (SSE2), ranges (the octets inside each
 * set: CLASS_FLIP is all ones, one NOT per 64-bit mask instead of one per
 * vector), and for the local part not its whole set but the octets of
 * nearly every real local part: letters, digits and "-./_+=" (local_exact()
 * has the whole set, for the rare local part with another atext octet:
 * mailbox_scan()). */
#if SIMD_HAS_LOOKUP
#  define CLASS_FLIP 0ull
#else
#  define CLASS_FLIP (~0ull)
#endif
SIMD_INLINE void mailbox_classes(vu8 v, vu8 *nl, vu8 *nd)
{
#if SIMD_HAS_LOOKUP
    const vu8 tl = V_TABLE16(0xe8, 0xfc, 0xf8, 0xfc, 0xfc, 0xfc, 0xfc, 0xfc, 0xf8, 0xf8, 0xf4,
                             0xd4, 0xd0, 0xdc, 0xf4, 0x7c);
    const vu8 td = V_TABLE16(0xa8, 0xf8, 0xf8, 0xf8, 0xf8, 0xf8, 0xf8, 0xf8, 0xf8, 0xf8, 0xf0,
                             0x50, 0x50, 0x54, 0x54, 0x50);
    const vu8 hibit = V_TABLE16(1, 2, 4, 8, 16, 32, 64, 0x80, 0, 0, 0, 0, 0, 0, 0, 0);
    vu8 lo = v & 0x0f, hb = v_lookup(hibit, v >> 4);
    *nl = V_MASK((v_lookup(tl, lo) & hb) == 0);
    *nd = V_MASK((v_lookup(td, lo) & hb) == 0);
#else
    /* letters (folded); "-" "." "/" and the digits */
    typedef int8_t vs8 __attribute__((vector_size(SIMD_W)));
    vu8 alpha = V_MASK((vs8)((v | 0x20) + (uint8_t)(0x80 - 'a')) < (int8_t)(-128 + 26)),
        range = V_MASK((vs8)(v + (uint8_t)(0x80 - '-')) < (int8_t)(-128 + 13));
    *nl = alpha | range | V_MASK(v == '_') | V_MASK(v == '+') | V_MASK(v == '=');
    *nd = alpha | (range & ~V_MASK(v == '/'));
#endif
}

#if !SIMD_HAS_LOOKUP
/* The octets of the window at s (32 with half) outside the local part's
 * whole set (atext and dot): 0x21-0x7e but for "(),:;<>@[\]" and the
 * double quote (octets past a half window count as outside). */
static uint64_t local_exact(const uchar *s, int half)
{
    vu8 v[SIMD_N], nl[SIMD_N];
    int i;
    v_load64(s, half, v);
    for (i = 0; i < SIMD_N; i++) {
        vu8 out = V_MASK((vu8)(v[i] - 0x21) > 0x5d);
        out |= V_MASK(v[i] == '"') | V_MASK(v[i] == ',') | V_MASK(v[i] == '>') |
               V_MASK(v[i] == '@');
        out |= V_MASK((vu8)(v[i] - '(') <= 1) | V_MASK((vu8)(v[i] - ':') <= 2) |
               V_MASK((vu8)(v[i] - '[') <= 2);
        nl[i] = out;
    }
    return v_bits64(nl);
}
#endif

/* The end of the local part in the window at s whose masks are *m (win
 * octets, 32 or 64): the offset of its first octet outside the local
 * part's set (with wide, octets >= 0x80 are in it), or 63 when there is
 * none.  Without a shuffle the masks hold a smaller set (mailbox_classes()):
 * when the octet that ends it is "@", which is outside the whole set too,
 * that is the answer; else the whole set decides. */
SIMD_INLINE unsigned local_end(const uchar *s, const mb_masks *m, unsigned win, int wide)
{
    uint64_t keep = wide ? ~m->hi : ~0ull;
    unsigned k = (unsigned)__builtin_ctzll((m->nl & keep) | (1ull << 63));
#if !SIMD_HAS_LOOKUP
    if (SMTPP_UNLIKELY(k < win && s[k] != '@'))
        k = (unsigned)__builtin_ctzll((local_exact(s, win == 32) & keep) | (1ull << 63));
#else
    (void)s;
    (void)win;
#endif
    return k;
}

/* The five classes of mb_masks for one vector, as element masks (nl and nd
 * flipped by CLASS_FLIP: mailbox_classes()). */
SIMD_INLINE void mailbox_vector(vu8 v, vu8 *nl, vu8 *nd, vu8 *hi, vu8 *dot, vu8 *hy)
{
    mailbox_classes(v, nl, nd);
    *hi = V_MASK(v >= 0x80);
    *dot = V_MASK(v == '.');
    *hy = V_MASK(v == '-');
}

/* The masks of the 64 octets at s (only the first 32 read with half: the
 * others then count as 0x00, in no set); hi only with need_hi (a
 * constant: the plain scans need no such mask, mailbox_fail()), else 0. */
SIMD_INLINE void mailbox_masks(const uchar *s, int half, mb_masks *m, int need_hi)
{
    vu8 v[SIMD_N], nl[SIMD_N], nd[SIMD_N], hi[SIMD_N], dot[SIMD_N], hy[SIMD_N];
    int i;
    v_load64(s, half, v);
    for (i = 0; i < SIMD_N; i++) mailbox_vector(v[i], &nl[i], &nd[i], &hi[i], &dot[i], &hy[i]);
    m->nl = v_bits64(nl) ^ CLASS_FLIP;
    m->nd = v_bits64(nd) ^ CLASS_FLIP;
    m->hi = need_hi ? v_bits64(hi) : 0;
    m->dot = v_bits64(dot);
    m->hy = v_bits64(hy);
}

/* With 16-octet vectors: the masks of the octets 32..63 at s into the
 * upper halves of *m, whose lower halves are those of the first 32
 * (mailbox_masks() with half).  The window grows from 32 octets to 64
 * without its first half again. */
SIMD_INLINE void mailbox_masks_upper(const uchar *s, mb_masks *m, int need_hi)
{
    vu8 nl[SIMD_N / 2], nd[SIMD_N / 2], hi[SIMD_N / 2], dot[SIMD_N / 2], hy[SIMD_N / 2];
    int i;
    for (i = 0; i < SIMD_N / 2; i++)
        mailbox_vector(v_load(s + 32 + i * SIMD_W), &nl[i], &nd[i], &hi[i], &dot[i], &hy[i]);
    m->nl = (uint32_t)m->nl | (uint64_t)(v_bits32(nl) ^ (uint32_t)CLASS_FLIP) << 32;
    m->nd = (uint32_t)m->nd | (uint64_t)(v_bits32(nd) ^ (uint32_t)CLASS_FLIP) << 32;
    m->hi = need_hi ? (uint32_t)m->hi | (uint64_t)v_bits32(hi) << 32 : 0;
    m->dot = (uint32_t)m->dot | (uint64_t)v_bits32(dot) << 32;
    m->hy = (uint32_t)m->hy | (uint64_t)v_bits32(hy) << 32;
}

/* The LDH labels of a domain at offsets [0, e) of a window, from its dot
 * and hyphen masks: none empty, none starting or ending with a hyphen
 * (e <= 63, so no label is too long). */
SIMD_INLINE int labels_ok(uint64_t dot, uint64_t hy, unsigned e)
{
    uint64_t range = (1ull << e) - 1, dd = dot & range;
    return (((dd << 1) | 1 | (dd >> 1) | (1ull << (e - 1))) & (dd | (hy & range))) == 0;
}

/* The dots of a local part at offsets [0, k) of a window (k >= 1): none
 * first, none last, no two together (a Dot-string). */
SIMD_INLINE int local_dots_ok(uint64_t dot, unsigned k)
{
    uint64_t dd = dot & ((1ull << k) - 1);
    return ((dd & 1) | (dd >> (k - 1)) | (dd & (dd >> 1))) == 0;
}

/* local_dots_ok() and labels_ok() of a whole mailbox in one test: the
 * local part at [0, k) (k >= 1), "@" at k, a domain name at [k + 1, e)
 * (e <= 62).  Its separators, the dots before e, the "@" and the octet at
 * e, are never two together (no empty atom or label, no dot next to the
 * "@", no empty domain); none is first; no hyphen of the domain is next to
 * one (no label starts or ends with a hyphen). */
SIMD_INLINE int mailbox_dots_ok(uint64_t dot, uint64_t hy, unsigned k, unsigned e)
{
    uint64_t end = 1ull << e, at = 1ull << k;
    uint64_t x = (dot & (end - 1)) | at | end, h = hy & (end - 1) & (0 - (at << 1));
    return ((x & 1) | (x & (x << 1)) | (h & ((x << 1) | (x >> 1)))) == 0;
}

/* A Domain at s, room octets readable there: the offset of the octet after
 * it, or 0.  With utf8, octets >= 0x80 count as letters (U-labels), and
 * *wide tells whether there were any; without, they end the domain, and
 * an end there fails.  Reads 64 octets, or 32 when the name ends within
 * them and 16-octet vectors or fewer than 64 readable octets make that
 * worth trying first (the octets after them count as 0x00, outside the
 * set); 0 with fewer than 32. */
SIMD_INLINE unsigned domain_scan(const uchar *s, size_t room, int utf8, unsigned *wide)
{
    mb_masks m;
    unsigned e;
    const int half = SIMD_W < 32 || room < 64;
    if (room < 32) return 0;
    mailbox_masks(s, half, &m, utf8);
    e = (unsigned)__builtin_ctzll((m.nd & (utf8 ? ~m.hi : ~0ull)) | (1ull << 63));
    if (half && e >= 31) {
        if (room < 64) return 0;
        mailbox_masks(s, 0, &m, utf8);
        e = (unsigned)__builtin_ctzll((m.nd & (utf8 ? ~m.hi : ~0ull)) | (1ull << 63));
    }
    if (e == 0 || e >= 63 || s[e] >= 0x80 || !labels_ok(m.dot, m.hy, e)) return 0;
    if (utf8) *wide = (m.hi & ((1ull << e) - 1)) != 0;
    return e;
}

/* What mailbox_scan() found besides the offsets: the domain's kind
 * (smtpp_domain_kind) in the low bits, MB_UTF8 when an octet is not ASCII. */
#define MB_KIND 7u
#define MB_UTF8 8u
/* mailbox_scan() without `wide`: the mailbox may be one of the wide shapes */
#define MB_WIDE (~0u)

/* How a scan of the win octets at s fails: the wide scan with 0 (the DFA
 * decides); the plain one with MB_WIDE when a wide scan might not (an
 * octet >= 0x80 among them), else 0.  The plain scan has no mask of those
 * octets (mailbox_masks()): they are looked for here, once it failed. */
SIMD_INLINE unsigned mailbox_fail(int wide, const uchar *s, unsigned win)
{
    vu8 v[SIMD_N], hi[SIMD_N];
    int i;
    if (wide) return 0;
    v_load64(s, win == 32, v);
    for (i = 0; i < SIMD_N; i++) hi[i] = V_MASK(v[i] >= 0x80);
    return v_bits64(hi) ? MB_WIDE : 0;
}

/* The mailbox at s; room octets are readable there (0 with fewer than
 * 32).  Returns
 * the offset of the octet after the domain, sets *at to the offset of the
 * "@" and *info (above); 0 when the shape is not one of the usual ones.
 * The local part must end within the first 64 octets; a domain name that
 * goes on past them is scanned again from its start (at most 64 + 64
 * octets read), a literal is read octet by octet (at most 64 more).
 *
 * `wide` (a constant) takes the rare shapes too: non-ASCII octets and
 * address literals.  Without it the scan takes plain ASCII names only and
 * returns MB_WIDE instead of 0 when it met a non-ASCII octet or an address
 * literal: the caller can then try again with `wide`, in a function of its
 * own (line_wide()), so that the usual line pays nothing for the rare
 * ones.  Like the scalar fast paths of the grammar it vouches only for
 * these shapes and leaves everything else to the DFA: an "@" not where the
 * local part ends, a rule broken, malformed UTF-8, a literal of another
 * form, a local part of 63 octets or more. */
SIMD_INLINE unsigned mailbox_scan(const uchar *s, size_t room, unsigned *at, unsigned *info,
                                  int wide)
{
    mb_masks m;
    uint64_t nd, hi;
    unsigned valid = room >= 64 ? 64 : 32, win, k, d0, e, kind = SMTPP_DOMAIN_NAME, u8 = 0;

    if (room < 32) return 0;

    /* octets past the window count as "not in the set": an end found there
     * means the field is longer than the window.  With 16-octet vectors,
     * the first 32 octets first: most local parts end there, and many
     * domains; when either goes on past them, the other 32 are added
     * (mailbox_masks_upper()). */
    win = SIMD_W < 32 || valid == 32 ? 32 : 64;   /* the octets the masks cover */
    mailbox_masks(s, win == 32, &m, wide);
    k = local_end(s, &m, win, wide);
    if (SIMD_W < 32 && valid == 64 && k >= 31) {
        mailbox_masks_upper(s, &m, wide);
        win = 64;
        k = local_end(s, &m, win, wide);
    }
    hi = m.hi;                      /* 0 without wide */
    nd = m.nd & ~hi;                /* with wide, UTF-8 octets in the domain's set */
    if (k == 0 || k + 2 > win || s[k] != '@') return mailbox_fail(wide, s, win);
    d0 = k + 1;
    e = d0 + (unsigned)__builtin_ctzll((nd >> d0) | (1ull << (63 - d0)));
    if (SIMD_W < 32 && valid == 64 && win == 32 && e >= win - 1) {
        /* the domain goes on past the first 32 octets: the whole window */
        mailbox_masks_upper(s, &m, wide);
        win = 64;
        hi = m.hi;
        nd = m.nd & ~hi;
        e = d0 + (unsigned)__builtin_ctzll((nd >> d0) | (1ull << (63 - d0)));
    }
    if (SMTPP_LIKELY(e > d0 && e < win - 1)) {
        /* the usual mailbox: the local part's dots and the domain's labels
         * in one test */
        if ((!wide && s[e] >= 0x80) || !mailbox_dots_ok(m.dot, m.hy, k, e))
            return mailbox_fail(wide, s, win);
        hi &= (1ull << e) - 1;
    } else if (!local_dots_ok(m.dot, k)) {
        return mailbox_fail(wide, s, win);
    } else if (e == d0 && (d0 < 63 || s[d0] == '[')) {
        /* an address literal, or no domain (a local part of 62 octets
         * leaves the domain's first octet at 63, the window's last: its
         * end, forced there, says nothing, and domain_scan() below reads
         * the name) */
        unsigned n;
        if (s[d0] != '[') return mailbox_fail(wide, s, win);
        if (!wide) return MB_WIDE;
        if (!(n = literal_scan(s + d0, &kind))) return 0;
        e = d0 + n;
        hi &= (1ull << k) - 1;      /* a literal is ASCII */
    } else {                        /* the domain goes on past the window */
        if (room < d0 + 64 || !(e = domain_scan(s + d0, room - d0, wide, &u8)))
            return mailbox_fail(wide, s, win);
        e += d0;
        hi &= (1ull << k) - 1;
    }
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
SIMD_INLINE void mailbox_parts(smtpp_path *out, const uchar *s, unsigned k, unsigned e,
                               unsigned info)
{
    out->local = SL(s, s + k);
    out->domain = SL(s + k + 1, s + e);
    out->domain_kind = (uint8_t)(info & MB_KIND);
    if ((info & MB_KIND) != SMTPP_DOMAIN_NAME)
        out->literal = literal_of(s + k + 1, e - k - 1, info & MB_KIND);
    out->utf8 = (uint8_t)(info >> 3);
}

const uchar *LANE_FN(smtpp__mailbox_lane)(const uchar *s, const uchar *lim, smtpp_path *out)
{
    unsigned k = 0, info = 0, e = mailbox_scan(s, (size_t)(lim - s), &k, &info, 1);
    if (!e) return NULL;
    mailbox_parts(out, s, k, e, info);
    return s + e;
}

/* ---- Parameters ----------------------------------------------------------- */

/* What param_one() reads from a keyword's start, the xtext values apart:
 * SIZE= and its 16 digits at most, the longest (5 + 16 = 21).  Each of its
 * reads starts at or before the line's LF (after octets it has matched)
 * and reads at most 8 octets; an xtext value's windows start so too. */
#define PARAM_READ 24

/* The octets of the 64 octets at s that cannot be in an xtext value (not
 * printable ASCII, or "="), and its "+" signs and upper-case hex digits,
 * as bit masks. */
SIMD_INLINE void xtext_masks(const uchar *s, uint64_t *bad, uint64_t *plus, uint64_t *hex)
{
    vu8 v[SIMD_N], b[SIMD_N], p[SIMD_N], h[SIMD_N];
    int i;
    v_load64(s, 0, v);
    for (i = 0; i < SIMD_N; i++) {
        b[i] = V_MASK((vu8)(v[i] - 0x21) > 0x5d) | V_MASK(v[i] == '=');
        p[i] = V_MASK(v[i] == '+');
        h[i] = V_MASK((vu8)(v[i] - '0') <= 9) | V_MASK((vu8)(v[i] - 'A') <= 5);
    }
    *bad = v_bits64(b);
    *plus = v_bits64(p);
    *hex = v_bits64(h);
}

__extension__ typedef unsigned __int128 u128;

/* The length of the xtext value at s (RFC 3461 4: printable ASCII but "+"
 * and "=", and "+HH" with upper-case hex), up to 126 octets.  It reads the
 * 64 octets at s, and the next 64 only when none of the first ends the
 * value (so no LF is among them: the second window starts at or before
 * the line's LF).  bounded: each window must be readable before end.
 * Returns 0 (the DFA decides) when the value is empty, longer, malformed,
 * or ends at anything but SP or CR, or when a window is not readable. */
SIMD_INLINE unsigned xtext_len(const uchar *s, const uchar *end, int bounded)
{
    uint64_t b0, p0, h0, b1, p1, h1;
    u128 p, h;
    unsigned n;
    if (bounded && end - s < 64) return 0;
    xtext_masks(s, &b0, &p0, &h0);
    if (SMTPP_LIKELY(b0 != 0)) {
        n = (unsigned)__builtin_ctzll(b0);
        if (n == 0 || (s[n] != ' ' && s[n] != '\r')) return 0;
        /* each "+" of the value followed by two upper-case hex digits (the
         * SP or CR at n is not one, so a "+" too near the end fails; n <=
         * 63, so no bit that matters shifts out) */
        p0 &= (1ull << n) - 1;
        return ((p0 << 1) | (p0 << 2)) & ~h0 ? 0 : n;
    }
    if (bounded && end - s < 128) return 0;
    xtext_masks(s + 64, &b1, &p1, &h1);
    n = b1 ? 64 + (unsigned)__builtin_ctzll(b1) : 128;
    if (n > 126 || (s[n] != ' ' && s[n] != '\r')) return 0;
    p = ((u128)p1 << 64 | p0) & (((u128)1 << n) - 1);
    h = (u128)h1 << 64 | h0;
    if (((p << 1) | (p << 2)) & ~h) return 0;
    return n;
}

/* SIZE= at v: the digits (1 to 16), their value into *size; the octet
 * after them, or NULL. */
SIMD_INLINE const uchar *param_size(const uchar *v, uint64_t *size)
{
    unsigned n = leading_digits(load64(v));
    if (n == 8) {
        n += leading_digits(load64(v + 8));
        if (n > 16) return NULL;
        *size = n == 8 ? digits_before(v + 8, 8)
                       : (uint64_t)digits_before(v + n - 8, n - 8) * 100000000u +
                             digits_before(v + n, 8);
    } else {
        if (!n) return NULL;
        *size = digits_before(v + n, n);
    }
    return v + n;
}

/* BODY= at v: 7BIT, 8BITMIME or BINARYMIME into *body; the octet after it,
 * or NULL. */
SIMD_INLINE const uchar *param_body(const uchar *v, uint8_t *body)
{
    uint64_t x = load64(v);
    if ((x | 0x2020202020202000ull) == W8('8', 'b', 'i', 't', 'm', 'i', 'm', 'e')) {
        *body = SMTPP_BODY_8BITMIME;
        return v + 8;
    }
    if (((uint32_t)x | 0x20202000u) == W4('7', 'b', 'i', 't')) {
        *body = SMTPP_BODY_7BIT;
        return v + 4;
    }
    if ((x | FOLD8) == W8('b', 'i', 'n', 'a', 'r', 'y', 'm', 'i') && (v[8] | 0x20) == 'm' &&
        (v[9] | 0x20) == 'e') {
        *body = SMTPP_BODY_BINARYMIME;
        return v + 10;
    }
    return NULL;
}

/* NOTIFY= at q: NEVER alone, or SUCCESS, FAILURE, DELAY each at most once,
 * into *notify; the octet after the list, or NULL. */
SIMD_INLINE const uchar *param_notify(const uchar *q, const uchar *end, uint8_t *notify,
                                      int bounded)
{
    unsigned bits = 0, bit;
    for (;;) {
        uint64_t x;
        if (bounded && end - q < 8) return NULL;
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
    *notify = (uint8_t)bits;
    return q;
}

/* One parameter at t (its keyword; the SP before it already read), if it
 * is one of the usual ones in a shape this lane vouches for: sets its
 * field of c->p, *id and *v (its value, NULL for SMTPUTF8), and returns
 * the octet after it; NULL otherwise.  bounded: PARAM_READ octets are
 * readable at t (end: the end of what is readable), and NOTIFY and the
 * xtext values, which may read more, check end themselves; else the
 * line's LF has SMTPP_LANE_AFTER_LF readable octets after it.  Keywords
 * and words are compared with their letters folded to lower case (OR
 * 0x20) and nothing else: folding a digit, "=" or ";" would let a control
 * character pass for it ("SIZE\x1d1"). */
SIMD_INLINE const uchar *param_one(const uchar *t, const uchar *end, smtpp_params *pp,
                                   unsigned *id, const uchar **v, int bounded)
{
    uint64_t w = load64(t);
    unsigned n;
    if (((w | 0x20202020u) & 0xffffffffffull) == W8('s', 'i', 'z', 'e', '=', 0, 0, 0)) {
        *id = SMTPP_PARAM_SIZE;
        *v = t + 5;
        return param_size(t + 5, &pp->size);
    }
    if (((w | 0x20202020u) & 0xffffffffffull) == W8('b', 'o', 'd', 'y', '=', 0, 0, 0)) {
        *id = SMTPP_PARAM_BODY;
        *v = t + 5;
        return param_body(t + 5, &pp->body);
    }
    if (((w | 0x202020202020ull) & 0xffffffffffffffull) == W8('n', 'o', 't', 'i', 'f', 'y', '=', 0)) {
        *id = SMTPP_PARAM_NOTIFY;
        *v = t + 7;
        return param_notify(t + 7, end, &pp->notify, bounded);
    }
    if (((w | 0x2020202020ull) & 0xffffffffffffull) == W8('o', 'r', 'c', 'p', 't', '=', 0, 0)) {
        const uchar *x = t + 6;
        if (((load64(x) | 0x202020u) & 0xffffffffffffffull) != W8('r', 'f', 'c', '8', '2', '2', ';', 0))
            return NULL;
        if (!(n = xtext_len(x + 7, end, bounded))) return NULL;
        pp->orcpt_type = SL(x, x + 6);
        pp->orcpt = SL(x + 7, x + 7 + n);
        *id = SMTPP_PARAM_ORCPT;
        *v = x;
        return x + 7 + n;
    }
    if (((w | 0x2020202020ull) & 0xffffffffffffull) == W8('e', 'n', 'v', 'i', 'd', '=', 0, 0)) {
        const uchar *x = t + 6;
        if (!(n = xtext_len(x, end, bounded)) || n > 100) return NULL;   /* RFC 3461 4.4 */
        pp->envid = SL(x, x + n);
        *id = SMTPP_PARAM_ENVID;
        *v = x;
        return x + n;
    }
    if (((w | 0x20202020u) & 0xffffffffffull) == W8('a', 'u', 't', 'h', '=', 0, 0, 0)) {
        const uchar *x = t + 5;
        if (!(n = xtext_len(x, end, bounded))) return NULL;
        pp->auth = SL(x, x + n);
        *id = SMTPP_PARAM_AUTH;
        *v = x;
        return x + n;
    }
    if ((w | 0x0020202020202020ull) == W8('s', 'm', 't', 'p', 'u', 't', 'f', '8')) {
        *id = SMTPP_PARAM_SMTPUTF8;
        *v = NULL;
        return t + 8;
    }
    if (((w | 0x202020u) & 0xffffffffull) == W4('r', 'e', 't', '=')) {
        uint32_t x = load32(t + 4) | 0x20202020u;
        if (x == W4('f', 'u', 'l', 'l')) pp->ret = SMTPP_RET_FULL;
        else if (x == W4('h', 'd', 'r', 's')) pp->ret = SMTPP_RET_HDRS;
        else return NULL;
        *id = SMTPP_PARAM_RET;
        *v = t + 4;
        return t + 8;
    }
    return NULL;
}

/* The parameters after the path, the usual ones: SIZE, BODY, SMTPUTF8, RET,
 * ENVID, AUTH, NOTIFY, ORCPT (rfc822 with plain xtext), each once and on
 * its own command.  q is the octet after the path.  Returns the CR of the
 * line end, or NULL: for anything else, the DFA reads them again. */
SIMD_INLINE const uchar *params_fast(const uchar *q, const uchar *end, smtpp_command *c,
                                     int bounded)
{
    smtpp_params *pp = &c->p;
    const uint32_t verb_bit = 1u << c->verb;
    for (;;) {
        const uchar *t = q + 1, *v = NULL;
        unsigned id = 0;
        /* q: the SP before a parameter or the CR of the line end (both
         * octets read) */
        if (bounded && end - q < 2) return NULL;
        if (*q != ' ') break;
        /* bounded: what param_one() reads at t, NOTIFY and the xtext values
         * checking their own; else every read is within
         * SMTPP_LANE_AFTER_LF octets after the line's LF */
        if ((bounded && end - t < PARAM_READ) || c->nparams == SMTPP_MAX_PARAMS)
            return NULL;
        if (!(q = param_one(t, end, pp, &id, &v, bounded))) return NULL;
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

/* ---- Lines ---------------------------------------------------------------- */

/* Zeroes *c up to params[]: the fields command_reset(), path_clear() and
 * params_clear() define, as they leave them (a null pointer is all zero
 * bits on every target of this lane), with vector stores of the lane's
 * width (smtpp__zero() of internal.h, for code outside the lanes, stores
 * 16 octets at a time). */
#define ZERO_FIELDS_SIZE offsetof(smtpp_command, params)
SIMD_INLINE void zero_fields(smtpp_command *c)
{
    const vu8 z = { 0 };
    unsigned char *d = (unsigned char *)c;
    size_t i;
#if defined(__clang__)
#  pragma clang loop unroll(full)
#else
#  pragma GCC unroll 32
#endif
    for (i = 0; i + SIMD_W <= ZERO_FIELDS_SIZE; i += SIMD_W) v_store(d + i, z);
    if (ZERO_FIELDS_SIZE % SIMD_W) v_store(d + ZERO_FIELDS_SIZE - SIMD_W, z);
}

/* The room the usual form tells the mailbox and domain scans they have:
 * enough for their widest windows (a domain scanned again 64 octets from
 * up to 64 octets into the mailbox).  It only chooses the windows: the
 * reads themselves are within SMTPP_LANE_AFTER_LF octets after the
 * line's LF, whatever the room says. */
#define USUAL_ROOM 192

/* What line_lane() returns for a line that line_wide() may take. */
#define LANE_WIDE ((size_t)-1)

/* The other commands of a session's every transaction, in their one valid
 * shape: RSET, QUIT, DATA, NOOP without argument, and HELO/EHLO with a
 * domain name or (wide) an IPv4 or IPv6 address literal.  w: the line's
 * first eight octets. */
SIMD_INLINE size_t other_fast(const uchar *b, const uchar *end, uint64_t w, smtpp_command *c,
                              int wide)
{
    uint64_t x = (w | 0x20202020u) & 0xffffffffffffull;
    unsigned verb, e, kind;
    if (x == W8('r', 's', 'e', 't', '\r', '\n', 0, 0)) verb = SMTPP_VERB_RSET;
    else if (x == W8('q', 'u', 'i', 't', '\r', '\n', 0, 0)) verb = SMTPP_VERB_QUIT;
    else if (x == W8('d', 'a', 't', 'a', '\r', '\n', 0, 0)) verb = SMTPP_VERB_DATA;
    else if (x == W8('n', 'o', 'o', 'p', '\r', '\n', 0, 0)) verb = SMTPP_VERB_NOOP;
    else verb = 0;
    if (verb) {
        zero_fields(c);   /* command_reset(), the path included, in vector stores */
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
        e = domain_scan(b + 5, (size_t)(end - b - 5), 0, NULL);
        kind = SMTPP_DOMAIN_NAME;
    }
    if (!e || b[5 + e] != '\r' || b[6 + e] != '\n') return 0;
    zero_fields(c);
    c->verb = (uint8_t)verb;
    c->path.domain = SL(b + 5, b + 5 + e);
    c->arg = SL(b + 5, b + 5 + e);
    c->path.domain_kind = (uint8_t)kind;
    if (kind != SMTPP_DOMAIN_NAME) c->path.literal = literal_of(b + 5, e, kind);
    return e + 7;
}

/* MAIL FROM:<mailbox> and RCPT TO:<mailbox> with the usual parameters (or
 * another command of other_fast): the whole command, every field of *c as
 * the general path sets it, without a branch per octet.  b is the start of
 * the line.  Unless bounded, the line's first LF has SMTPP_LANE_AFTER_LF
 * readable octets after it, and every read starts at or before that LF
 * (after octets the scans have matched, none of which is an LF) and
 * reads at most 64 octets (command_lane.h, "What it reads"); the sizes
 * of the mailbox scans' room are then constants that only choose their
 * windows.  bounded: every scan checks its window against end instead.
 * Returns the length of the line with its CRLF, or 0 when the line is
 * anything else.
 *
 * Two functions are made of it: line_fast() for plain ASCII names, which
 * returns LANE_WIDE for a mailbox or a HELO argument it saw might be one
 * of the rare shapes, and line_wide() (`wide` set), which takes those too:
 * UTF-8 mailboxes (RFC 6531) and IPv4/IPv6 address literals.  Kept apart,
 * the usual line does not pay for the rare ones: with them in the same
 * function, the extra live values and the calls cost the usual line 6-8%.
 * (Each slice is stored on its own: a chained assignment "a = b = x" reads
 * b back from memory, and that 16-octet load of two 8-octet stores cannot
 * be forwarded from the store buffer: a stall of a dozen cycles, which
 * was 40% of this function's time.) */
SIMD_INLINE size_t line_lane(const uchar *b, const uchar *end, smtpp_command *c, int wide,
                             int bounded)
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
        return other_fast(b, bounded ? end : b + USUAL_ROOM, w, c, wide);
    }
    if (b[p0] != '<') return 0;
    mb = b + p0 + 1;
    /* every field up to params[] as command_reset(), path_clear() and
     * params_clear() leave them */
    zero_fields(c);
    c->verb = (uint8_t)verb;
    if (*mb == '>') {                       /* <>: MAIL only */
        if (verb != SMTPP_VERB_MAIL) return 0;
        c->path.kind = SMTPP_PATH_NULL;
        pa->raw = SL(mb, mb);
        q = mb + 1;
    } else {
        /* mb <= b + 11 */
        e = mailbox_scan(mb, bounded ? (size_t)(end - mb) : USUAL_ROOM, &k, &info, wide);
        if (SMTPP_UNLIKELY(e - 1u >= MB_WIDE - 1u)) return e ? LANE_WIDE : 0;
        if (mb[e] != '>') return 0;
        c->path.kind = SMTPP_PATH_MAILBOX;
        pa->raw = SL(mb, mb + e);
        pa->mailbox = SL(mb, mb + e);
        mailbox_parts(pa, mb, k, e, info);
        q = mb + e + 1;
    }
    if (!(q = params_fast(q, end, c, bounded))) return 0;
    /* RFC 6531 3.4: a non-ASCII sender without SMTPUTF8 is an error, which
     * the general path reports */
    if (SMTPP_UNLIKELY(info & MB_UTF8) && verb == SMTPP_VERB_MAIL &&
        !(c->p.present & (1u << SMTPP_PARAM_SMTPUTF8)))
        return 0;
    return (size_t)(q + 2 - b);
}

static SMTPP_NOINLINE size_t line_wide(const uchar *b, const uchar *end, smtpp_command *c)
{
    return line_lane(b, end, c, 1, 1);
}

/* line_lane() on the plain shapes, then line_wide() when it may take the
 * line: the lane's whole answer for the line at b, readable up to end. */
SIMD_INLINE size_t line_any(const uchar *b, const uchar *end, smtpp_command *c, int bounded)
{
    size_t n = line_lane(b, end, c, 0, bounded);
    if (SMTPP_UNLIKELY(n == LANE_WIDE)) n = line_wide(b, end, c);
    return n;
}

/* The lane's usual form (command_lane.h): on a line whose first LF has
 * SMTPP_LANE_AFTER_LF octets of the len readable at b after it, inline in
 * smtpp__parse_lane_*() and smtpp__command_lane_*(). */
SIMD_INLINE size_t command_lane(const smtpp_parser *p, const uchar *b, size_t len,
                                smtpp_command *cmd)
{
    size_t n = line_any(b, b + len, cmd, 0);
#if defined(SMTPP_CHECK_FAST_PATHS)
    if (n) smtpp__command_lane_check(p, b, len, cmd, n);
#else
    (void)p;
    (void)len;
#endif
    return n;
}

static size_t command_lane_tail(const smtpp_parser *p, const uchar *b, size_t len,
                                smtpp_command *cmd);

/* The octets command_lane_tail() copies, at most: its buffer, less the
 * usual form's reads past the last of them.  A short rest (the usual case:
 * the bounded form takes every line with a few dozen octets after its
 * mailbox) is copied into the first TAIL_SHORT_ROOM octets only. */
#define TAIL_COPY (SMTPP_LANE_READ - SMTPP_LANE_AFTER_LF - 1)
#define TAIL_SHORT_ROOM 128
#define TAIL_SHORT (TAIL_SHORT_ROOM - SMTPP_LANE_AFTER_LF - 1)
_Static_assert(TAIL_SHORT_ROOM % 32 == 0 && TAIL_SHORT >= 32 && TAIL_SHORT_ROOM < SMTPP_LANE_READ,
               "whole vectors, and room for a rest of 32");

/* The lane on a line near the end of the region: SMTPP_LANE_MIN <= len
 * octets readable at b, and the line's first LF (if any) has fewer than
 * SMTPP_LANE_AFTER_LF after it.  First in place, each scan checking its
 * reads against b + len (`bounded`); a line that needs more than that (a
 * short line in the last few dozen octets, a long xtext value near the
 * end) then on a padded copy (command_lane_tail()).  Out of line, so that
 * the usual line keeps the constant bounds of command_lane(). */
static SMTPP_NOINLINE size_t command_lane_short(const smtpp_parser *p, const uchar *b,
                                                size_t len, smtpp_command *cmd)
{
    size_t n = line_any(b, b + len, cmd, 1);
    if (n) {
#if defined(SMTPP_CHECK_FAST_PATHS)
        smtpp__command_lane_check(p, b, len, cmd, n);
        smtpp__lane_short_lines++;
#endif
        return n;
    }
    return command_lane_tail(p, b, len, cmd);
}

size_t LANE_FN(smtpp__command_lane)(const smtpp_parser *p, const uchar *b, size_t len,
                                    smtpp_command *cmd)
{
    /* the usual form when the line's first LF has the room after it */
    return len > SMTPP_LANE_AFTER_LF && memchr(b, '\n', len - SMTPP_LANE_AFTER_LF)
               ? command_lane(p, b, len, cmd)
               : command_lane_short(p, b, len, cmd);
}

/* A slice the lane wrote into *c from the copy (null, or into the copy):
 * the same slice of the caller's octets, `delta` further on. */
SIMD_INLINE void tail_move(smtpp_str *x, uintptr_t delta)
{
    uintptr_t v = (uintptr_t)x->p;
    x->p = (const char *)(v + (delta & (0 - (uintptr_t)(v != 0))));   /* no branch */
}

/* Clears the fields of *c the lane may have written (those up to params[],
 * and params[0..nparams)), so that no slice into the copy survives. */
SIMD_INLINE void tail_clear(smtpp_command *c)
{
    unsigned i, n = c->nparams < SMTPP_MAX_PARAMS ? c->nparams : SMTPP_MAX_PARAMS;
    for (i = 0; i < n; i++) c->params[i] = (smtpp_param){ { NULL, 0 }, { NULL, 0 }, 0 };
    zero_fields(c);
}

/* The lane on a line near the end of the region (command_lane.h): the
 * first TAIL_COPY of the len octets at b are copied over SMTPP_LANE_READ
 * zeros (all of them, when there are at most TAIL_SHORT, over the first
 * TAIL_SHORT_ROOM zeros), the lane's usual form runs on the copy, and the
 * slices of *cmd are moved from the copy to b.  The copy's first LF, or
 * else its first zero, is within the octets copied, and no scan goes past
 * either (a zero is in no field's set, and matches no word): so every read
 * of the usual form is within the zeros written, the SMTPP_LANE_AFTER_LF
 * octets after that octet included.  A line longer than the copy (near
 * the end of the region, and then only when its bounded form failed) is
 * left to the general path.
 *
 * A line the lane takes has exactly the fields the general path gives it,
 * so the slices to move are known by the verb: none for RSET QUIT DATA
 * NOOP, arg and the domain and literal of the path for HELO/EHLO, the
 * path, params[] and the typed slices of the parameters present for
 * MAIL/RCPT (whose fields up to params[] the lane clears first: every
 * other slice is null).  When the lane leaves the line, it may have
 * filled fields before it gave up: those are cleared.  The oracle builds
 * check the result on the caller's octets, pointer for pointer, and
 * tests/test_command.c compares every field with the same line in a long
 * region. */
static size_t command_lane_tail(const smtpp_parser *p, const uchar *b, size_t len,
                                smtpp_command *cmd)
{
    uchar t[SMTPP_LANE_READ] __attribute__((aligned(SIMD_W)));
    const vu8 z = { 0 };
    uintptr_t delta = (uintptr_t)b - (uintptr_t)t;
    size_t i, n, cap = TAIL_COPY, room = SMTPP_LANE_READ;
    unsigned v;
    if (SMTPP_LIKELY(len <= TAIL_SHORT)) {
        cap = TAIL_SHORT;
        room = TAIL_SHORT_ROOM;
    } else if (len > TAIL_COPY) {
        len = TAIL_COPY;
    }
    /* zeros, then the len octets over them */
    for (i = 0; i < room; i += SIMD_W) v_store(t + i, z);
    if (SMTPP_LIKELY(len >= SIMD_W)) {
        /* whole vectors, the last ones again at len - SIMD_W: no branch on
         * the length */
        for (i = 0; i < cap; i += SIMD_W) {
            size_t at = i < len - SIMD_W ? i : len - SIMD_W;
            v_store(t + at, v_load(b + at));
        }
    } else {
        memcpy(t, b, len);
    }
    cmd->nparams = 0;   /* params[0..nparams) are the lane's */
    n = line_any(t, t + room, cmd, 0);
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
#if defined(SMTPP_CHECK_FAST_PATHS)
    smtpp__command_lane_check(p, b, len, cmd, n);
    smtpp__lane_tail_lines++;
#else
    (void)p;
#endif
    return n;
}

/* ---- The framing of a new read ------------------------------------------- */

/* No line end found (reframe_last()). */
#define NO_END ((size_t)-1)

/* The offset of the LF of the last line end in b[lo..hi), or NO_END: under
 * strict framing an LF after a CR, under SMTPP_LENIENT_BARE_LF every LF
 * (the general path's line_end_at()).  Backwards, 32 octets at a time
 * while hi >= 32, each octet of [lo, hi) looked at once (octets below lo
 * are read, not taken); the CR before an LF at lo may lie before lo, in
 * the region all the same. */
/* 1 when the LF at b[at] ends a line (the general path's line_end_at()). */
SIMD_INLINE int reframe_end_at(int lenient, const uchar *b, size_t at)
{
    return lenient || (at > 0 && b[at - 1] == '\r');
}

SIMD_INLINE size_t reframe_last(int lenient, const uchar *b, size_t lo, size_t hi)
{
    while (hi > lo) {
        if (SMTPP_LIKELY(hi >= 32)) {
            vu8 m[32 / SIMD_W];
            uint32_t lf;
            int i;
            for (i = 0; i < 32 / SIMD_W; i++)
                m[i] = V_MASK(v_load(b + hi - 32 + i * SIMD_W) == '\n');
            lf = v_bits32(m);
            if (hi - 32 < lo) lf &= ~0u << (lo - (hi - 32));
            while (lf) {
                size_t at = hi - 32 + 31 - (unsigned)__builtin_clz(lf);
                if (reframe_end_at(lenient, b, at)) return at;
                lf &= ~(1u << (at - (hi - 32)));
            }
            hi -= 32;
        } else {
            hi--;
            if (b[hi] == '\n' && reframe_end_at(lenient, b, hi)) return hi;
        }
    }
    return NO_END;
}

/* The LFs among the 64 octets at w, as a bit mask. */
SIMD_INLINE uint64_t lf64(const uchar *w)
{
    vu8 m[SIMD_N];
    int i;
    for (i = 0; i < SIMD_N; i++) m[i] = V_MASK(v_load(w + i * SIMD_W) == '\n');
    return v_bits64(m);
}

/* The rest of the lane's entry when it has no hint to use, the call after
 * a read: the framing of the general path (smtpp__parse_general(), the
 * search of search_ends() and find_room()) for the usual case, in fewer
 * steps.  A region of the lane's sizes, nothing being skipped, every hint
 * consumed (_lf 0, as line_done() leaves it after the last line known):
 *
 *   - nothing new since the last call (the partial line at the end of a
 *     read, asked again), or new octets without a line end, and the
 *     region under the line limit: AGAIN, as the general path answers it;
 *   - a line end among the new octets: the hints set as search_ends()
 *     sets them (_lf: the last line end; _room: the last one with
 *     SMTPP_LANE_AFTER_LF octets after its LF, searched for in the new
 *     octets before _lf), and the entry called again, which takes the
 *     line with them.
 *
 * The usual read has both in its last 128 octets: their LFs as two
 * masks, no branch on where they are, the CR before each of the two LFs
 * taken tested on its own (the general path also masks the CRs).  Else
 * reframe_last() searches backwards.  Anything else (a hint left over, a
 * line over the limit) goes to the general path, as before.  The searches
 * stay linear: each octet is looked at once here, and those before _lf
 * are consumed before the next call searches (_past).  Out of line: the
 * entry's usual line does not carry it. */
static SMTPP_NOINLINE int lane_reframe(smtpp_parser *p, const char *buf, size_t len,
                                       smtpp_command *cmd, size_t *used)
{
    const uchar *b = (const uchar *)buf;
    const int lenient = (p->flags & SMTPP_LENIENT_BARE_LF) != 0;
    uint64_t lo = 0, hi = 0;   /* the LFs of the last 128 octets, when looked at */
    size_t from, lf = NO_END, r = NO_END;
    if (p->_skipping || p->_lf != 0 || len > UINT32_MAX - SMTPP_LANE_READ)
        return smtpp__parse_general(p, buf, len, cmd, used, SMTPP__LANE_AGAIN);
    from = p->_past <= len ? p->_past : 0;
    if (SMTPP_LIKELY(len - from >= 128 && len > 128)) {
        /* the last line end in the last 64 octets? */
        size_t at;
        lo = lf64(b + len - 128);
        hi = lf64(b + len - 64);
        at = len - 1 - (unsigned)__builtin_clzll(hi | 1);
        if (SMTPP_LIKELY(hi != 0) && reframe_end_at(lenient, b, at)) lf = at;
    }
    if (lf == NO_END && (lf = reframe_last(lenient, b, from, len)) == NO_END) {
        size_t lim = p->max_line < 16 ? 16 : p->max_line;
        if (len >= lim) return smtpp__parse_general(p, buf, len, cmd, used, SMTPP__LANE_AGAIN);
#if defined(SMTPP_CHECK_FAST_PATHS)
        smtpp__reframe_check(p, b, from, len, 0, 0, 0);
#endif
        p->_past = (uint32_t)len;
        *used = 0;
        return SMTPP_AGAIN;
    }
    /* the room's line end: the last at or before len - 64, the line's own
     * when it is there; else the last LF of the 64 octets before that
     * (when they were looked at, and the octet at len - 64 is no LF),
     * else a search backwards */
    if (lf + SMTPP_LANE_AFTER_LF < len) {
        r = lf;
    } else if (SMTPP_LIKELY(lo != 0) && !(hi & 1)) {
        size_t at = len - 65 - (unsigned)__builtin_clzll(lo);
        r = reframe_end_at(lenient, b, at) ? at : reframe_last(lenient, b, from, at);
    } else if (len > SMTPP_LANE_AFTER_LF) {
        r = reframe_last(lenient, b, from, len - SMTPP_LANE_AFTER_LF);
    }
#if defined(SMTPP_CHECK_FAST_PATHS)
    smtpp__reframe_check(p, b, from, len, (uint32_t)lf + 1,
                         r == NO_END ? (uint32_t)lf + 1 : (uint32_t)(lf - r),
                         (uint32_t)(len - lf - 1));
#endif
    p->_lf = (uint32_t)lf + 1;
    p->_past = (uint32_t)(len - lf - 1);
    p->_room = r == NO_END ? p->_lf : (uint32_t)(lf - r);
    /* (a region too short for the lane: the general path, the hint set) */
    if (len < SMTPP_LANE_MIN)
        return smtpp__parse_general(p, buf, len, cmd, used, SMTPP__LANE_AGAIN);
    return LANE_FN(smtpp__parse_lane)(p, buf, len, cmd, used);
}

/* smtpp_parse_command() on a parser with this lane (command_lane.h): the
 * usual call is one function, the framing's checks on the hint, the lane
 * inline and line_done(); every other call goes on to the general path
 * (smtpp__parse_general(), command.re) as a tail call, or, after a read,
 * to lane_reframe().  padded (a constant): the parser has
 * SMTPP_INPUT_PADDED, and every region SMTPP_INPUT_PADDING octets readable
 * after it. */
SIMD_INLINE int parse_lane(smtpp_parser *p, const char *buf, size_t len, smtpp_command *cmd,
                           size_t *used, const int padded)
{
    const uchar *b = (const uchar *)buf;
    const size_t need = padded ? 1 : SMTPP_LANE_AFTER_LF + 1;
    size_t n;
    /* need <= len <= UINT32_MAX - SMTPP_LANE_READ + need (longer regions
     * go to the general path), and the line's first LF has
     * SMTPP_LANE_AFTER_LF readable octets after it: with padding, every LF
     * in the region, so the hint need only be one (hint_good()); without,
     * the line end lane_room() knows must be.  Either is a line end in the
     * region, so the result is DONE whoever parses the line (the lane
     * writes into *cmd before it knows; on AGAIN, *cmd must be
     * untouched). */
    if (SMTPP_LIKELY(!p->_skipping && len - need <= UINT32_MAX - SMTPP_LANE_READ &&
                     (padded ? hint_good(p, b, len) : lane_room(p, b, len)))) {
        prefetch_page_ahead(b);
        if (SMTPP_LIKELY((n = command_lane(p, b, padded ? len + SMTPP_INPUT_PADDING : len,
                                           cmd)) != 0))
            return line_done(p, b, n, cmd, used, 1);
        return smtpp__parse_general(p, buf, len, cmd, used, 0);
    }
    /* the same near the end of the region, out of line
     * (command_lane_short()) */
    if (!padded && len >= SMTPP_LANE_MIN && len <= UINT32_MAX && !p->_skipping &&
        hint_good(p, b, len)) {
        if ((n = command_lane_short(p, b, len, cmd)) != 0)
            return line_done(p, b, n, cmd, used, 1);
        return smtpp__parse_general(p, buf, len, cmd, used, 0);
    }
    /* no hint to use: the framing searches, and then comes back here
     * (lane_reframe(), or the general path with SMTPP__LANE_AGAIN) */
    if (!padded) return lane_reframe(p, buf, len, cmd, used);
    return smtpp__parse_general(p, buf, len, cmd, used, SMTPP__LANE_AGAIN);
}

int LANE_FN(smtpp__parse_lane)(smtpp_parser *p, const char *buf, size_t len, smtpp_command *cmd,
                               size_t *used)
{
    return parse_lane(p, buf, len, cmd, used, 0);
}

int LANE_FN(smtpp__parse_lane_padded)(smtpp_parser *p, const char *buf, size_t len,
                                      smtpp_command *cmd, size_t *used)
{
    return parse_lane(p, buf, len, cmd, used, 1);
}

const char *LANE_FN(smtpp__lane_name)(void)
{
    return SIMD_NAME;
}

#else
/* ISO C wants something in every translation unit. */
typedef int smtpp__command_lane_none;
#endif
