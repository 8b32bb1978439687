/* The reply fast lane (parser/reply_lane.c): one pass over a reply line in
 * its usual shape, written with vectors.  The grammar and the framing are
 * in parser/reply.re; this is what they may rely on.
 *
 * CONTRACT
 *
 * What it claims.  smtpp__reply_lane(p, b, avail, l) looks at the line that
 * starts at b and either returns 0 (it does not vouch for the line; *l
 * means nothing) or returns n, the length of the line with its CRLF, and
 * has filled *l exactly as the general path's rp_lex_line() fills it for
 * b[0 .. n), with no error.  With fewer than SMTPP_REPLY_LANE_READ octets
 * readable it may also return SMTPP_REPLY_LANE_NO_END: b[0 .. avail) holds
 * no control character, so no LF (the framing need not look for one).
 * The lines it takes: a code in range (2-5, 0-5, digit), then "-", SP or
 * the CRLF; a well-formed enhanced code of the reply's class (RFC 3463:
 * [245] "." 1-3 digits "." 1-3 digits, no leading zero) or none (a text
 * that does not start with "2." "4." "5." where a code may be); text
 * without control characters but HT; CRLF; at most SMTPP_REPLY_LANE_SPAN
 * (128) octets in all.
 * Every error, a bare LF, a longer line and a token shaped like an
 * enhanced code that is not a valid one of the reply's class are 0.
 *
 * What it reads.  avail octets are readable at b; it needs 16 and returns 0
 * with fewer.  With 64 or more it reads b[0 .. 64) (and b[64], the LF of a
 * CR at b[63], when it is readable), and when those hold no control
 * character b[64 .. 128), or with fewer than 128 readable the 64 octets
 * that end at b[avail - 1] (SMTPP_REPLY_LANE_SPAN: no line it takes is
 * longer).  With fewer than 64 (the last line or two of a read) it reads
 * b[0 .. 32) and the 32 octets that end at b[avail - 1]; with fewer than
 * 32, b[0 .. 16) and the 16 that end at b[avail - 1].  It counts the octets
 * past the region as control characters: a line whose CRLF is not within
 * avail is 0, or SMTPP_REPLY_LANE_NO_END when the region has no control
 * character.  Its answer depends only on the octets of the line, b[0 .. n):
 * the first control character (the line's CR) ends every scan, and the
 * octets after it only fill the vector masks (a caller may pass a copy
 * padded with anything).  (It also prefetches the octet 4096 after b,
 * inside avail or not: a hint to the cache, not a read, which cannot fault;
 * simd.h.)
 *
 * Why it may ignore the options (enum smtpp_reply_option in
 * include/smtpp/reply.h): it takes only lines that every option parses
 * alike.  SMTPP_REPLY_LENIENT_BARE_LF: its lines end in CRLF.
 * SMTPP_REPLY_LENIENT_ENHANCED: has no effect.
 * SMTPP_REPLY_STRICT_ENHANCED_SYNTAX: only tightens what a malformed or
 * foreign-class enhanced code does, and the lane takes no line with one.
 * SMTPP_REPLY_STRICT_ENHANCED: compares lines of one reply, which the
 * framing does after either path.  The line limit (max_line) is checked
 * by the caller on n.
 *
 * How it is checked.  In SMTPP_CHECK_FAST_PATHS builds every line it takes
 * is lexed again by rp_lex_line() (smtpp__reply_lex_general(), reply.re) in
 * smtpp__reply_lane_check() (parser/lane_check.c), which aborts on any
 * difference.
 *
 * Builds: as the command lane's (command_lane.h): *_base for SSE2 or NEON,
 * *_avx2 from reply_lane_avx2.c, chosen by p->_simd. */
#ifndef SMTPP_REPLY_LANE_H
#define SMTPP_REPLY_LANE_H

#include "internal.h"

/* What the lexer finds in one line l[0..n), whose last octet is the LF. */
typedef struct rp_line {
    int err;             /* smtpp_reply_error, 0 when the line is good */
    size_t err_off;      /* offset of the offending octet in the line */
    int code;            /* 0 when the line has no usable code */
    int sep;             /* '-', ' ', or 0 when the line end follows the code */
    size_t text_off;     /* text start, after the enhanced code and its SP */
    size_t text_end;     /* text end: where the CRLF or LF starts */
    smtpp_enhanced enh;  /* the line's enhanced code; cls 0 when none */
    int bare_lf;         /* the line ends in LF without CR */
    int ignored;         /* the text starts with a token shaped like an
                            enhanced code that is not a valid one of the
                            reply's class: left in the text */
} rp_line;

/* The lane's window from the start of a line: with this many octets
 * readable it reads its fixed windows; with fewer it reads only those,
 * and needs SMTPP_REPLY_LANE_MIN ("What it reads" above). */
#define SMTPP_REPLY_LANE_READ 64
#define SMTPP_REPLY_LANE_MIN 16
/* The octets its windows cover from a line's start: the longest line it
 * takes, CRLF included. */
#define SMTPP_REPLY_LANE_SPAN 128

/* The lane's answer when fewer than SMTPP_REPLY_LANE_READ octets are
 * readable and none of them is a control character: the region holds no
 * LF after b ("What it claims" above). */
#define SMTPP_REPLY_LANE_NO_END ((size_t)-1)

#if defined(SMTPP_HAVE_LANE)
size_t smtpp__reply_lane_base(const smtpp_reply_parser *p, const uchar *b, size_t avail,
                              rp_line *l);
#endif
#if defined(SMTPP_HAVE_AVX2)
size_t smtpp__reply_lane_avx2(const smtpp_reply_parser *p, const uchar *b, size_t avail,
                              rp_line *l);
#endif

/* The lane of the build p->_simd names. */
static inline size_t smtpp__reply_lane(const smtpp_reply_parser *p, const uchar *b, size_t avail,
                                       rp_line *l)
{
    if (avail < SMTPP_REPLY_LANE_MIN) return 0;
#if defined(SMTPP_HAVE_AVX2)
    if (SMTPP_LIKELY(p->_simd == SMTPP_SIMD_AVX2)) return smtpp__reply_lane_avx2(p, b, avail, l);
#endif
#if defined(SMTPP_HAVE_LANE)
    if (p->_simd) return smtpp__reply_lane_base(p, b, avail, l);
#endif
    (void)p;
    (void)b;
    (void)l;
    return 0;
}

#if defined(SMTPP_CHECK_FAST_PATHS)
/* The oracle (parser/lane_check.c): aborts unless the general path lexes
 * the line b[0..n) (avail octets readable) to the same *l. */
void smtpp__reply_lane_check(const smtpp_reply_parser *p, const uchar *b, size_t avail,
                             const rp_line *l, size_t n);
/* rp_lex_line() of reply.re: the line base[0..n), readable lo..hi. */
void smtpp__reply_lex_general(const uchar *lo, const uchar *hi, const uchar *base, size_t n,
                              unsigned flags, rp_line *l);
/* Lines the lane took and the oracle confirmed, since the program began. */
extern unsigned long smtpp__reply_lane_lines;
#endif

#endif
