/* The reply fast lane (the contract: reply_lane.h).  One source for every
 * CPU, like the command lane (command_lane.c): compiled for the target's
 * baseline (*_base) and, on x86-64, for AVX2 by reply_lane_avx2.c.
 *
 * One pass finds the first control character of the line, which must be
 * the CR of its CRLF, and so frames the line and checks its text at once;
 * the code and an enhanced code are read from the same pass's digit mask,
 * instead of a memchr for the LF and a second scan for control
 * characters. */
#include "reply_lane.h"

#if defined(SMTPP_HAVE_LANE) && (!defined(SMTPP_LANE_AVX2) || defined(SMTPP_HAVE_AVX2))

#include "simd.h"

#include <string.h>

/* The control characters (but HT) and the digits of the 32 octets of the
 * vectors x[], as bit masks.  HT is one of the octets below 0x20, so an
 * XOR takes it out (on x86, one operation less than "and not HT"). */
SIMD_INLINE void rp_classes(const vu8 *x, uint32_t *ctl, uint32_t *dig)
{
    vu8 c[SIMD_N / 2], d[SIMD_N / 2];
    int i;
    for (i = 0; i < SIMD_N / 2; i++) {
        c[i] = (V_MASK(x[i] < 0x20) ^ V_MASK(x[i] == '\t')) | V_MASK(x[i] == 0x7f);
        d[i] = V_MASK((vu8)(x[i] - '0') <= 9);
    }
    *ctl = v_bits32(c);
    *dig = v_bits32(d);
}

/* The same for the 32 octets at s. */
SIMD_INLINE void rp_block(const uchar *s, uint32_t *ctl, uint32_t *dig)
{
    vu8 x[SIMD_N / 2];
    int i;
    for (i = 0; i < SIMD_N / 2; i++) x[i] = v_load(s + i * SIMD_W);
    rp_classes(x, ctl, dig);
}

/* 1 to 3 digits at s, n of them, without a leading zero: their value, or
 * -1. */
SIMD_INLINE int rp_small(const uchar *s, unsigned n)
{
    if (n == 1) return s[0] - '0';
    if (n == 0 || n > 3 || s[0] == '0') return -1;
    return n == 2 ? (s[0] - '0') * 10 + (s[1] - '0')
                  : (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
}

/* The offset of the first control character of the line at b (its CR, if
 * it is one the lane takes), and the mask of the non-digits of its first
 * 64 octets; 0 when the line is longer than the lane reads. */
SIMD_INLINE unsigned rp_first_ctl(const uchar *b, size_t avail, uint64_t *nd)
{
    uint32_t c0, d0, c1, d1, c2, d2, c3, d3;
    uint64_t ctl;
    unsigned first;
    rp_block(b, &c0, &d0);
    if (c0) {                       /* most lines end in the first 32 */
        *nd = ~(uint64_t)d0;
        return (unsigned)__builtin_ctz(c0);
    }
    rp_block(b + 32, &c1, &d1);
    *nd = ~((uint64_t)d1 << 32 | d0);
    if (c1) {
        /* a CR at 63: its LF is the octet after the window */
        first = 32 + (unsigned)__builtin_ctz(c1);
        return first + 1 < avail ? first : 0;
    }
    /* a longer line: the next 64, or with fewer than 128 octets readable
     * the 64 that end at b[avail - 1], overlapping the first (the octets
     * past the region count as control characters) */
    if (SMTPP_UNLIKELY(avail < SMTPP_REPLY_LANE_SPAN)) {
        unsigned sh = (unsigned)avail - 64;
        if (sh == 0) return 0;
        rp_block(b + sh, &c2, &d2);
        rp_block(b + sh + 32, &c3, &d3);
        /* octet 64 + i of the line is bit 64 - sh + i of the window */
        ctl = ((uint64_t)c3 << 32 | c2) >> (64 - sh) | ~0ull << sh;
        first = 64 + (unsigned)__builtin_ctzll(ctl);
        return first + 1 < avail ? first : 0;
    }
    rp_block(b + 64, &c2, &d2);
    rp_block(b + 96, &c3, &d3);
    ctl = (uint64_t)c3 << 32 | c2;
    first = ctl ? 64 + (unsigned)__builtin_ctzll(ctl) : 128;
    return first >= 127 ? 0 : first;
}

/* The same for a line with fewer octets left in the region than the
 * first 64 (32 <= avail < 64): one window of 32 from the line's start and
 * one ending at the region's end, overlapping, so that nothing past
 * b[avail - 1] is read.  The octets past the region count as control
 * characters (they end the line's scan) and as non-digits: the offset is
 * avail or more when the region holds no control character after b (see
 * rp_lane_near()). */
SIMD_INLINE unsigned rp_first_ctl_short(const uchar *b, size_t avail, uint64_t *nd)
{
    uint32_t c0, d0, c1, d1;
    unsigned sh = (unsigned)avail - 32;
    uint64_t ctl;
    rp_block(b, &c0, &d0);
    rp_block(b + sh, &c1, &d1);
    ctl = ((uint64_t)c1 << sh | c0) | ~0ull << avail;
    /* a valid enhanced code ends by octet 13: the first window's digits
     * are enough (a run of digits into the second is no code either way) */
    *nd = ~(uint64_t)d0;
    (void)d1;
    return (unsigned)__builtin_ctzll(ctl);
}

/* The same for a line with fewer than 32 octets left in the region (16 <=
 * avail < 32), which a reply of a line or two at the end of a read often
 * is: 16 octets from the line's start and the 16 that end at b[avail - 1],
 * overlapping, in one pass.  The octets past the region count as control
 * characters and non-digits, as in rp_first_ctl_short(); an enhanced code
 * that is valid ends by octet 13, within the first 16. */
SIMD_INLINE unsigned rp_first_ctl_tiny(const uchar *b, size_t avail, uint64_t *nd)
{
    vu8 x[SIMD_N / 2];
    uint32_t c, d;
    unsigned sh = (unsigned)avail - 16;
    uint64_t ctl;
    v_load32_halves(b, b + sh, x);
    rp_classes(x, &c, &d);
    ctl = ((uint64_t)(c >> 16) << sh | (c & 0xffffu)) | ~0ull << avail;
    *nd = ~(uint64_t)(d & 0xffffu);
    return (unsigned)__builtin_ctzll(ctl);
}

/* The enhanced code at b + 4 of a line whose first control character is
 * at `first` (nd: the non-digits of its first 64 octets): [245] "."
 * digits "." digits, then SP or the line end, of the reply's class (its
 * first digit is the code's); fills l->enh and l->text_off.  0 when the
 * token is not a valid code of the class (the general path decides what
 * it is).  The usual code has one digit in each field ("2.1.5"): one test
 * of the mask for it, no count of digits. */
SIMD_INLINE int rp_enh(const uchar *b, unsigned first, uint64_t nd, rp_line *l)
{
    unsigned j, k;
    int subject, detail;
    if (((nd >> 6) & 7) == 2 && b[7] == '.' && (b[9] == ' ' || first == 9) && b[4] == b[0]) {
        l->enh.cls = (uint16_t)(b[4] - '0');
        l->enh.subject = (uint16_t)(b[6] - '0');
        l->enh.detail = (uint16_t)(b[8] - '0');
        l->text_off = first == 9 ? 9 : 10;
        return 1;
    }
    /* the masks of the first 64 octets are enough for any code that is
     * valid */
    j = 6 + (unsigned)__builtin_ctzll(nd >> 6 | 1ull << 57);
    if (j > 9 || b[j] != '.') return 0;
    k = j + 1 + (unsigned)__builtin_ctzll(nd >> (j + 1) | 1ull << (62 - j));
    if (k > j + 4) return 0;
    if ((b[k] != ' ' && k != first) || (subject = rp_small(b + 6, j - 6)) < 0 ||
        (detail = rp_small(b + j + 1, k - j - 1)) < 0 || b[4] != b[0])
        return 0;
    l->enh.cls = (uint16_t)(b[4] - '0');
    l->enh.subject = (uint16_t)subject;
    l->enh.detail = (uint16_t)detail;
    l->text_off = b[k] == ' ' ? k + 1 : k;
    return 1;
}

/* One reply line at b, in the usual shape (reply_lane.h): fills *l as
 * rp_lex_line() would and returns the line's length, or 0.  first: the
 * offset of its first control character, 0 when there is none the lane
 * may use; nd: the non-digits of its first 64 octets.  Every octet it
 * reads is at or before b[first + 1], the LF. */
SIMD_INLINE size_t rp_line_fast(const uchar *b, unsigned first, uint64_t nd, rp_line *l)
{
    unsigned code;
    /* the first control character is the CR of the line's CRLF */
    if (first < 3 || b[first] != '\r' || b[first + 1] != '\n' || (nd & 7) || b[0] < '2' ||
        b[0] > '5' || b[1] > '5')
        return 0;
    code = (unsigned)(b[0] - '0') * 100 + (unsigned)(b[1] - '0') * 10 + (unsigned)(b[2] - '0');
    memset(l, 0, sizeof *l);
    l->code = (int)code;
    l->text_end = first;
    if (first == 3) {                   /* "250\r\n" */
        l->text_off = 3;
        return 5;
    }
    if (b[3] != '-' && b[3] != ' ') return 0;
    l->sep = b[3];
    l->text_off = 4;
    if (code / 100 != 3 && b[5] == '.' && (b[4] == '2' || b[4] == '4' || b[4] == '5') &&
        !rp_enh(b, first, nd, l))
        return 0;
    return first + 2;
}

/* n, the lane's answer for the line at b, after the oracle has checked it
 * (SMTPP_CHECK_FAST_PATHS builds). */
SIMD_INLINE size_t rp_checked(const smtpp_reply_parser *p, const uchar *b, size_t avail,
                              const rp_line *l, size_t n)
{
#if defined(SMTPP_CHECK_FAST_PATHS)
    if (n) smtpp__reply_lane_check(p, b, avail, l, n);
#else
    (void)p;
    (void)b;
    (void)avail;
    (void)l;
#endif
    return n;
}

/* The lane's answer for a line at b with fewer octets readable than its
 * usual windows (the last line or two of a read), out of line: the usual
 * call keeps a small function with few registers to save.  A region with
 * no control character after b has no LF: SMTPP_REPLY_LANE_NO_END, the
 * line goes on in the next read (a read's last line is more often cut in
 * the middle than not). */
static SMTPP_NOINLINE size_t rp_lane_near(const smtpp_reply_parser *p, const uchar *b,
                                          size_t avail, rp_line *l)
{
    uint64_t nd;
    unsigned first = avail >= 32 ? rp_first_ctl_short(b, avail, &nd)
                                 : rp_first_ctl_tiny(b, avail, &nd);
    if (first >= avail) return SMTPP_REPLY_LANE_NO_END;
    /* 0: the CRLF is not all within the region */
    first = first + 1 < avail ? first : 0;
    return rp_checked(p, b, avail, l, rp_line_fast(b, first, nd, l));
}

size_t LANE_FN(smtpp__reply_lane)(const smtpp_reply_parser *p, const uchar *b, size_t avail,
                                  rp_line *l)
{
    uint64_t nd;
    unsigned first;
    prefetch_page_ahead(b);
    if (SMTPP_UNLIKELY(avail < SMTPP_REPLY_LANE_READ)) return rp_lane_near(p, b, avail, l);
    first = rp_first_ctl(b, avail, &nd);
    return rp_checked(p, b, avail, l, rp_line_fast(b, first, nd, l));
}

#else
/* ISO C wants something in every translation unit. */
typedef int smtpp__reply_lane_none;
#endif
