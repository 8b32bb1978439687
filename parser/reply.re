/* The SMTP reply parser: line framing, the re2c line lexer, the line
 * iterator.
 *
 * Framing looks for the LF that ends a line with memchr, once per octet
 * (the parser remembers how far it looked; only a line cut short within
 * its first 64 octets is looked at again from its start, for the fast
 * lane below), and never further than the line limit.  A complete line
 * is then lexed by a small re2c block (code and separator) with the LF as
 * sentinel: no rule matches past it (re2c -W -Werror checks this), so it
 * needs no bounds checks and cannot read beyond the line.  The enhanced
 * code is read by hand, each test stopping at the first octet that does
 * not fit.  The text is checked for
 * control characters 16 octets at a time (SSE2, else one at a time): the
 * first one must be the CRLF or LF that ends the line.
 *
 * The lines of one reply stay in the caller's region until the reply is
 * complete; the parser keeps only offsets into it and what it must compare
 * later lines with (the code, the first line's enhanced code).
 *
 * The fast lane (parser/reply_lane.c; its contract in reply_lane.h),
 * written once with generic vectors for SSE2, NEON and AVX2 (chosen at
 * parser init): a line not looked at yet with at least 16 octets readable
 * from its start goes to it first (with fewer than 64 it reads two
 * overlapping windows, the second ending at the region's end).  One pass
 * finds the first control character of the line, which must be the CR of
 * its CRLF, and so frames the line and checks its text at once (and, near
 * the region's end, tells the framing when there is no LF to look for).
 * It claims only well-formed lines and leaves everything else (every
 * error, a bare LF, a line over 128 octets, a token shaped like an
 * enhanced code that is not a valid one of the reply's class) to the
 * general path above.
 * Sanitizer and fuzzing builds lex every claimed line again
 * (parser/lane_check.c) and abort on any difference.  The usual call, a
 * reply of one line that the lane takes, is one short function
 * (rp_parse_first()) that fills the result straight from the lane's
 * answer; the rest goes on to rp_parse_lines().
 */
#include "internal.h"
#include "reply_lane.h"

#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__) && !defined(SMTPP_NO_SIMD)
#  include <emmintrin.h>
#endif

typedef unsigned char rp_uchar;

/*!re2c
  re2c:define:YYCTYPE = "rp_uchar";
  re2c:yyfill:enable = 0;
  re2c:sentinel = 10;

  rp_digit = [0-9];
*/

static const char *const rp_names[] = {
#define SMTPP_X_(name, text) "SMTPP_RE_" #name,
    SMTPP_REPLY_ERROR_MAP(SMTPP_X_)
#undef SMTPP_X_
};
static const char *const rp_reasons[] = {
#define SMTPP_X_(name, text) text,
    SMTPP_REPLY_ERROR_MAP(SMTPP_X_)
#undef SMTPP_X_
};

const char *smtpp_reply_error_name(smtpp_reply_error e)
{
    return (unsigned)e < SMTPP_RE__COUNT ? rp_names[e] : "";
}

const char *smtpp_reply_error_reason(smtpp_reply_error e)
{
    return (unsigned)e < SMTPP_RE__COUNT ? rp_reasons[e] : "";
}

/* The first octet of s[0..n) that reply text may not hold (a control
 * character other than HT: 0x00-0x08, 0x0a-0x1f, 0x7f), or NULL.  The
 * octets lo[0..hi) around it are readable too: a short text is checked
 * with one 16-octet load inside them. */
#if defined(__SSE2__) && !defined(SMTPP_NO_SIMD)
static unsigned rp_control_mask(const rp_uchar *p)
{
    const __m128i flip = _mm_set1_epi8((char)0x80), lim = _mm_set1_epi8((char)(0x20 ^ 0x80));
    const __m128i ht = _mm_set1_epi8('\t'), del = _mm_set1_epi8(0x7f);
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    /* unsigned x < 0x20, as a signed compare of x ^ 0x80 */
    __m128i ctl = _mm_cmplt_epi8(_mm_xor_si128(x, flip), lim);
    ctl = _mm_andnot_si128(_mm_cmpeq_epi8(x, ht), ctl);
    ctl = _mm_or_si128(ctl, _mm_cmpeq_epi8(x, del));
    return (unsigned)_mm_movemask_epi8(ctl);
}
#endif

static const rp_uchar *rp_first_control(const rp_uchar *lo, const rp_uchar *hi,
                                        const rp_uchar *s, size_t n)
{
    size_t i = 0;
#if defined(__SSE2__) && !defined(SMTPP_NO_SIMD)
    unsigned m;
    if (n >= 16) {
        for (; i + 16 <= n; i += 16)
            if ((m = rp_control_mask(s + i)) != 0) return s + i + (unsigned)__builtin_ctz(m);
        if (i == n) return NULL;
        i = n - 16;  /* the rest, overlapping what was checked */
        m = rp_control_mask(s + i);
        return m ? s + i + (unsigned)__builtin_ctz(m) : NULL;
    }
    if (n == 0) return NULL;
    if (hi - s >= 16) {           /* 16 octets from s, the first n counted */
        m = rp_control_mask(s) & ((1u << n) - 1);
        return m ? s + (unsigned)__builtin_ctz(m) : NULL;
    }
    if ((size_t)(s - lo) + n >= 16) {  /* 16 octets ending at s + n */
        const rp_uchar *p = s + n - 16;
        m = rp_control_mask(p) & (0xffffu << (16 - n));
        return m ? p + (unsigned)__builtin_ctz(m) : NULL;
    }
#else
    (void)lo;
    (void)hi;
#endif
    for (; i < n; i++)
        if ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f) return s + i;
    return NULL;
}

/* Checks the text s[..] of the line base[0..n) (base[n-1] is the LF): it
 * ends at the CRLF, or at a bare LF (noted); any other control character
 * before that is an error at its offset: NUL, a CR not followed by the LF
 * (a bare CR), or another one (HT is text).  The line holds exactly one LF,
 * its last octet, so the first control character decides. */
static void rp_lex_text(const rp_uchar *lo, const rp_uchar *hi, const rp_uchar *base,
                        const rp_uchar *s, size_t n, rp_line *l)
{
    const rp_uchar *lf = base + n - 1;
    const rp_uchar *e = (lf > s && lf[-1] == '\r') ? lf - 1 : lf;
    const rp_uchar *bad = rp_first_control(lo, hi, s, (size_t)(e - s));
    if (bad == NULL) {
        l->text_end = (size_t)(e - base);
        if (e == lf) l->bare_lf = 1;
        return;
    }
    l->err = *bad == 0 ? SMTPP_RE_NUL : *bad == '\r' ? SMTPP_RE_BARE_CR : SMTPP_RE_CONTROL;
    l->err_off = (size_t)(bad - base);
}

/* One number of an enhanced code, p[0..end) (digits only): 1 to 3 digits
 * without a leading zero (RFC 3463 2), as smtpp_enhanced_parse() takes. */
static int rp_enh_field(const rp_uchar *p, const rp_uchar *end, uint16_t *v)
{
    unsigned x = 0;
    if (end - p > 3 || (end - p > 1 && p[0] == '0')) return 0;
    for (; p < end; p++) x = x * 10 + (unsigned)(*p - '0');
    *v = (uint16_t)x;
    return 1;
}

/* An enhanced code at s, the start of the text: [245] "." digits "."
 * digits, then SP, CR or LF.  Returns the octets it spans, 0 when the text
 * does not start with one (it is then plain text).  *ok: both numbers are
 * well-formed (else the code is malformed); *e: the code when *ok.  Every
 * test stops at the first octet that does not fit, so nothing past the LF
 * is read. */
static size_t rp_enhanced(const rp_uchar *s, smtpp_enhanced *e, int *ok)
{
    const rp_uchar *a = s + 2, *b, *c;
    if ((s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.') return 0;
    for (b = a; (unsigned)(*b - '0') < 10u; b++)
        ;
    if (b == a || *b != '.') return 0;
    for (c = b + 1; (unsigned)(*c - '0') < 10u; c++)
        ;
    if (c == b + 1 || (*c != ' ' && *c != '\r' && *c != '\n')) return 0;
    e->cls = (uint16_t)(s[0] - '0');
    *ok = rp_enh_field(a, b, &e->subject) && rp_enh_field(b + 1, c, &e->detail);
    return (size_t)(c - s);
}

#if defined(SMTPP_CHECK_FAST_PATHS)
/* The same shape as a DFA, with smtpp_enhanced_parse() for the numbers:
 * the oracle rp_enhanced() is checked against. */
static size_t rp_lex_enhanced(const rp_uchar *s)
{
    const rp_uchar *YYCURSOR = s, *YYMARKER = s;
    /*!re2c
      [245] "." rp_digit+ "." rp_digit+ {
          if (*YYCURSOR == ' ' || *YYCURSOR == '\r' || *YYCURSOR == '\n')
              return (size_t)(YYCURSOR - s);
          return 0;
      }
      * { (void)YYMARKER; return 0; }
    */
}

static void rp_check_enhanced(const rp_uchar *s, size_t k, const smtpp_enhanced *e, int ok)
{
    smtpp_enhanced e2;
    size_t k2 = rp_lex_enhanced(s), got = k2 ? smtpp_enhanced_parse((const char *)s, k2, &e2) : 0;
    if (k2 != k) abort();
    if (k && ((got == k) != ok || (ok && (e2.cls != e->cls || e2.subject != e->subject ||
                                          e2.detail != e->detail))))
        abort();
}
#endif

/* Lexes one complete line l[0..n) (l[n-1] == '\n'), which lies in the
 * readable octets lo[0..hi). */
static void rp_lex_line(const rp_uchar *lo, const rp_uchar *hi, const rp_uchar *base, size_t n,
                        unsigned flags, rp_line *l)
{
    const rp_uchar *YYCURSOR = base, *YYMARKER = base;
    const rp_uchar *text;
    size_t k;
    memset(l, 0, sizeof *l);
    /*!re2c
      rp_code = [2-5] [0-5] rp_digit; // RFC 5321 4.2

      rp_code "-"    { l->sep = '-'; goto have_code; }
      rp_code " "    { l->sep = ' '; goto have_code; }
      rp_code "\r\n" { l->sep = 0; goto have_code; }
      rp_code "\n"   { l->sep = 0; l->bare_lf = 1; goto have_code; }
      rp_code {
          l->code = (base[0] - '0') * 100 + (base[1] - '0') * 10 + (base[2] - '0');
          l->err = base[3] == '\0' ? SMTPP_RE_NUL : SMTPP_RE_BAD_SEPARATOR;
          l->err_off = 3;
          return;
      }
      rp_digit rp_digit rp_digit { l->err = SMTPP_RE_CODE_RANGE; l->err_off = 0; return; }
      * {
          (void)YYMARKER;
          for (k = 0; k < 2 && base[k] >= '0' && base[k] <= '9'; k++)
              ;
          l->err = base[k] == '\0' ? SMTPP_RE_NUL : SMTPP_RE_BAD_CODE;
          l->err_off = k;
          return;
      }
    */
have_code:
    l->code = (base[0] - '0') * 100 + (base[1] - '0') * 10 + (base[2] - '0');
    if (l->sep == 0) {
        l->text_off = l->text_end = 3;
        return;
    }
    text = base + 4;
    l->text_off = 4;
    if (l->code / 100 != 3) {
        smtpp_enhanced e = { 0, 0, 0 };
        int ok = 0;
        k = rp_enhanced(text, &e, &ok);
#if defined(SMTPP_CHECK_FAST_PATHS)
        rp_check_enhanced(text, k, &e, ok);
#endif
        if (k == 0)
            goto text;
        if (!ok || e.cls != l->code / 100) {
            /* not a code this reply can carry: plain text by default
             * (reply.h), an error when asked for */
            if (flags & SMTPP_REPLY_STRICT_ENHANCED_SYNTAX) {
                l->err = ok ? SMTPP_RE_ENHANCED_CLASS : SMTPP_RE_BAD_ENHANCED;
                l->err_off = 4;
                return;
            }
            l->ignored = 1;
        } else {
            l->enh = e;
            text += k;
            if (*text == ' ')
                text++;
            l->text_off = (size_t)(text - base);
        }
    }
text:
    rp_lex_text(lo, hi, base, text, n, l);
}

#if defined(SMTPP_CHECK_FAST_PATHS)
/* rp_lex_line() for the lane's oracle (parser/lane_check.c). */
void smtpp__reply_lex_general(const uchar *lo, const uchar *hi, const uchar *base, size_t n,
                              unsigned flags, rp_line *l)
{
    rp_lex_line(lo, hi, base, n, flags, l);
}
#endif

/* ---- Framing ------------------------------------------------------------ */

void smtpp_reply_parser_init(smtpp_reply_parser *p, unsigned flags)
{
    memset(p, 0, sizeof *p);
    p->flags = flags;
    p->max_line = SMTPP_REPLY_DEFAULT_MAX_LINE;
    p->max_lines = SMTPP_REPLY_DEFAULT_MAX_LINES;
    p->_skip_last = 2;
    p->_simd = (uint8_t)smtpp__simd_level();
}

static void rp_reset(smtpp_reply_parser *p)
{
    p->_scanned = 0;
    p->_line = 0;
    p->_skip_col = 0;
    p->_nlines = 0;
    p->_code = 0;
    p->_skipping = 0;
    p->_skip_last = 2;
    p->_mixed = 0;
    p->_ignored = 0;
    memset(&p->_enh, 0, sizeof p->_enh);
    p->_first_off = p->_first_len = 0;
}

static int enh_eq(smtpp_enhanced a, smtpp_enhanced b)
{
    return a.cls == b.cls && a.subject == b.subject && a.detail == b.detail;
}

/* Fills *out with an error found in the reply that starts at buf: the
 * octets up to `end` are reported as raw and as used.  The caller then
 * decides whether the rest of the reply must be discarded. */
static int rp_error(smtpp_reply_parser *p, const char *buf, size_t end, int err,
                    size_t off, int code, smtpp_reply *out, size_t *used)
{
    memset(out, 0, sizeof *out);
    out->error = (uint8_t)err;
    out->code = (uint16_t)code;
    out->nlines = p->_nlines;
    out->error_line = p->_nlines;
    out->error_offset = (uint32_t)off;
    out->raw.p = buf;
    out->raw.n = end;
    out->_flags = p->flags;
    *used = end;
    return SMTPP_DONE;
}

/* Discards the rest of a broken reply (p->_skipping), line by line,
 * looking only at each line's fourth octet.  Returns 1 when the reply's
 * last line ended: *dropped is the offset just past it and the state is
 * reset for the next reply.  Returns 0 when buf[0..len) ended first: all of
 * it is discarded and the state remembers how far into its line the
 * discarding is. */
static int rp_skip_broken(smtpp_reply_parser *p, const char *buf, size_t len, size_t *dropped)
{
    for (;;) {
        size_t start = p->_line;
        const char *lf;
        size_t end;
        int last;
        if (p->_skip_last == 2) {
            /* The line's fourth octet decides; _skip_col <= 3 here. */
            size_t at = start + 3 - p->_skip_col;
            if (at < len) {
                const char *nl = memchr(buf + start, '\n', at - start);
                /* a line of fewer than four octets counts as a last line */
                p->_skip_last = (nl == NULL && buf[at] == '-') ? 0 : 1;
            }
        }
        lf = len > start ? memchr(buf + start, '\n', len - start) : NULL;
        if (lf == NULL) {
            p->_skip_col += len - start;
            p->_line = 0;
            p->_scanned = 0;
            return 0;
        }
        end = (size_t)(lf - buf) + 1;
        last = p->_skip_last != 0; /* still 2: ended before a fourth octet */
        p->_skip_col = 0;
        p->_skip_last = 2;
        p->_line = end;
        if (last) {
            *dropped = end;
            rp_reset(p);
            return 1;
        }
    }
}

/* The fast lane's attempt at the line that starts at buf[line] (pos: how
 * far LF was looked for already): 1 when the lane claims the line, with *l
 * filled and *end just past the line; 0 to leave the line to framing and
 * rp_lex_line(); -1 when the lane saw that the region holds no LF after
 * buf[line] (SMTPP_REPLY_LANE_NO_END), so framing would find none. */
static SMTPP_INLINE int rp_try_lane(smtpp_reply_parser *p, const char *buf, size_t len,
                                    size_t line, size_t pos, size_t max_line, rp_line *l,
                                    size_t *end)
{
    /* a line not looked at yet: the fast lane first (reply_lane.h).  Not
     * on an empty rest: buf may be NULL then, and NULL + 0 is undefined */
    if (pos == line && line < len) {
        size_t n = smtpp__reply_lane(p, (const uchar *)buf + line, len - line, l);
        if (n == SMTPP_REPLY_LANE_NO_END)
            return -1;
        if (n && n <= max_line) {
            *end = line + n;
            return 1;
        }
    }
    return 0;
}

/* Looks for the LF that ends the line, from buf[pos] (what is before was
 * looked at already) up to the line's limit buf[limit) or the end of the
 * region: 1 with *end just past the LF, or 0 when there is none. */
static SMTPP_INLINE int rp_frame_line(const char *buf, size_t len, size_t pos, size_t limit,
                                      size_t *end)
{
    size_t stop = len < limit ? len : limit;
    const char *lf = pos < stop ? memchr(buf + pos, '\n', stop - pos) : NULL;
    if (lf == NULL)
        return 0;
    *end = (size_t)(lf - buf) + 1;
    return 1;
}

/* The code at s[0..3) when it is one in range ([2-5][0-5][0-9]), else 0. */
static int rp_code_at(const char *s)
{
    if (s[0] >= '2' && s[0] <= '5' && s[1] >= '0' && s[1] <= '5' && s[2] >= '0' && s[2] <= '9')
        return (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
    return 0;
}

/* The line at buf[line] has no LF within max_line octets: reports
 * SMTPP_RE_LINE_TOO_LONG now (with the code of the reply, or of the line
 * when it is the first and has a good one), and sets the parser to
 * discard the rest of the line as it comes, and the rest of the reply if
 * the line announces more. */
static int rp_too_long(smtpp_reply_parser *p, const char *buf, size_t line, size_t max_line,
                       smtpp_reply *out, size_t *used)
{
    size_t limit = line + max_line;
    int code = p->_nlines == 0 ? rp_code_at(buf + line) : p->_code;
    rp_error(p, buf, limit, SMTPP_RE_LINE_TOO_LONG, limit, code, out, used);
    rp_reset(p);
    p->_skipping = 1;
    p->_skip_col = max_line;
    p->_skip_last = buf[line + 3] == '-' ? 0 : 1;
    return SMTPP_DONE;
}

/* Checks a lexed line of n octets against the reply so far: a bare LF
 * (unless lenient), a code or (when strict) an enhanced code other than
 * the first line's, a line that announces one more than max_lines allow.
 * Sets l->err and l->err_off on the first that fails and returns l->err
 * (also when the lexer had already set it); notes a differing enhanced
 * code that is allowed in p->_mixed. */
static SMTPP_INLINE int rp_check_line(smtpp_reply_parser *p, rp_line *l, size_t n,
                                      size_t max_lines)
{
    if (l->err == 0 && l->bare_lf && !(p->flags & SMTPP_REPLY_LENIENT_BARE_LF)) {
        l->err = SMTPP_RE_BARE_LF;
        l->err_off = n - 1;
    }
    if (l->err == 0 && p->_nlines > 0 && l->code != p->_code) {
        l->err = SMTPP_RE_CODE_MISMATCH;
        l->err_off = 0;
    }
    if (l->err == 0 && p->_nlines > 0 && !enh_eq(l->enh, p->_enh)) {
        if (p->flags & SMTPP_REPLY_STRICT_ENHANCED) {
            l->err = SMTPP_RE_ENHANCED_MISMATCH;
            l->err_off = 4;
        } else {
            p->_mixed = 1;
        }
    }
    if (l->err == 0 && l->sep == '-' && p->_nlines + 1 >= max_lines) {
        /* This line is the max_lines-th and announces another. */
        l->err = SMTPP_RE_TOO_MANY_LINES;
        l->err_off = n; /* start of the line past the limit */
    }
    return l->err;
}

/* Reports the error l->err of the line buf[line..end), consuming the
 * reply up to the line's end, and sets the parser to discard the rest of
 * the reply if the line announces more. */
static int rp_fail_line(smtpp_reply_parser *p, const char *buf, size_t line, size_t end,
                        const rp_line *l, smtpp_reply *out, size_t *used)
{
    int code = p->_nlines > 0 ? p->_code : l->code;
    int more = (end - line > 4 && buf[line + 3] == '-');
    if (l->err == SMTPP_RE_TOO_MANY_LINES)
        p->_nlines++; /* the limit-th line itself was fine */
    rp_error(p, buf, end, l->err, line + l->err_off, code, out, used);
    if (l->err == SMTPP_RE_TOO_MANY_LINES)
        out->error_line = p->_nlines;
    rp_reset(p);
    if (more)
        p->_skipping = 1;
    return SMTPP_DONE;
}

/* A reply of one line, the usual kind, buf[line..end) with line == 0: out
 * straight from the line.  The state is as rp_reset() left it (every
 * field but the two below is written only for a reply of more lines). */
static SMTPP_INLINE int rp_finish_one(smtpp_reply_parser *p, const char *buf, size_t line,
                                      size_t end, const rp_line *l, smtpp_reply *out,
                                      size_t *used)
{
    memset(out, 0, sizeof *out);
    out->code = (uint16_t)l->code;
    out->nlines = 1;
    out->enhanced = l->enh;
    out->raw.p = buf;
    out->raw.n = end;
    out->first.p = buf + line + l->text_off;
    out->first.n = l->text_end - l->text_off;
    out->last.p = buf + line + l->text_off;
    out->last.n = l->text_end - l->text_off;
    out->enhanced_ignored = (uint8_t)l->ignored;
    out->_flags = p->flags;
    *used = end;
    p->_scanned = 0;
    p->_line = 0;
    return SMTPP_DONE;
}

/* Adds a checked line to the reply: the first line's code, enhanced code
 * and text are kept for the lines after it and the result. */
static SMTPP_INLINE void rp_add_line(smtpp_reply_parser *p, const rp_line *l)
{
    if (p->_nlines == 0) {
        p->_code = (uint16_t)l->code;
        p->_enh = l->enh;
        p->_first_off = l->text_off;
        p->_first_len = l->text_end - l->text_off;
    }
    p->_nlines++;
    p->_ignored |= (uint8_t)l->ignored;
}

/* The last line buf[line..end) of a reply of more lines, added already:
 * the reply is complete. */
static SMTPP_INLINE int rp_finish_many(smtpp_reply_parser *p, const char *buf, size_t line,
                                       size_t end, const rp_line *l, smtpp_reply *out,
                                       size_t *used)
{
    memset(out, 0, sizeof *out);
    out->code = p->_code;
    out->nlines = p->_nlines;
    out->enhanced_mixed = p->_mixed;
    if (!p->_mixed)
        out->enhanced = p->_enh;
    out->raw.p = buf;
    out->raw.n = end;
    out->first.p = buf + p->_first_off;
    out->first.n = p->_first_len;
    out->last.p = buf + line + l->text_off;
    out->last.n = l->text_end - l->text_off;
    out->enhanced_ignored = p->_ignored;
    out->_flags = p->flags;
    *used = end;
    rp_reset(p);
    return SMTPP_DONE;
}

/* The line limit in force: max_line, raised to 16 if lower. */
static SMTPP_INLINE size_t rp_max_line(const smtpp_reply_parser *p)
{
    return p->max_line < 16 ? 16 : p->max_line;
}

/* rp_parse_lines()'s `first` for a line the lane looked at and did not
 * take: it is not asked again. */
static const rp_line rp_lane_refused;

/* Frames and lexes lines (the lane first, else memchr and rp_lex_line),
 * checks each against the reply so far, and ends at the reply's last
 * line, at an error, or at the end of the region (SMTPP_AGAIN, with how
 * far LF was looked for kept in p->_scanned).  first, when not NULL, is
 * what the lane made of the line at p->_line already (&rp_lane_refused:
 * nothing).  Six arguments: a seventh would go on the stack, and the
 * callers' tail calls would need a frame. */
static SMTPP_NOINLINE int rp_parse_lines(smtpp_reply_parser *p, const char *buf, size_t len,
                                         smtpp_reply *out, size_t *used, const rp_line *first)
{
    rp_line line_l, *l = &line_l;
    size_t n = 0;
    size_t max_line = rp_max_line(p);
    size_t max_lines = p->max_lines < 1 ? 1 : p->max_lines;
    size_t pos;
    int lane = 0, tried = 0;

    *used = 0;
    if (buf == NULL)
        len = 0;
    if (p->_skipping) {
        size_t dropped;
        int r;
        if (!rp_skip_broken(p, buf, len, &dropped)) {
            *used = len;
            return SMTPP_AGAIN;
        }
        /* Continue on the rest of the region; report the dropped octets. */
        r = smtpp_parse_reply(p, buf + dropped, len - dropped, out, used);
        *used += dropped;
        return r;
    }

    if (first == &rp_lane_refused) {
        tried = 1;
    } else if (first) {         /* the lane's lines end in CRLF */
        line_l = *first;
        n = first->text_end + 2;
    }
    for (pos = p->_scanned;; pos = p->_line) {
        size_t line = p->_line;
        size_t end;
        if (n) {
            end = line + n;
            n = 0;
        } else if (tried || (lane = rp_try_lane(p, buf, len, line, pos, max_line, l, &end)) <= 0) {
            if (lane < 0 || !rp_frame_line(buf, len, pos, line + max_line, &end)) {
                if (len >= line + max_line)
                    return rp_too_long(p, buf, line, max_line, out, used);
                /* A line cut short within the lane's first 64 octets is
                 * looked at again from its start with the next read (fewer
                 * than SMTPP_REPLY_LANE_READ octets), so that the lane can
                 * take it then (rp_parse_first() for a reply's first
                 * line); a longer one is not: framing goes on from here
                 * (looking again from the start at each octet of a slow
                 * client's long line would cost the lane's windows and a
                 * search of the whole line every time) */
                p->_scanned = len - line < SMTPP_REPLY_LANE_READ && p->_simd ? line : len;
                return SMTPP_AGAIN;
            }
            rp_lex_line((const rp_uchar *)buf, (const rp_uchar *)buf + len,
                        (const rp_uchar *)buf + line, end - line, p->flags, l);
        }
        if (rp_check_line(p, l, end - line, max_lines))
            return rp_fail_line(p, buf, line, end, l, out, used);
        if (p->_nlines == 0 && l->sep != '-')
            return rp_finish_one(p, buf, line, end, l, out, used);
        rp_add_line(p, l);
        if (l->sep != '-')
            return rp_finish_many(p, buf, line, end, l, out, used);
        p->_line = end;
        tried = 0;
    }
}

/* A new reply (nothing of it looked at yet, so no line of it counted
 * either) with the octets the lane reads: when the lane takes its first
 * line, within the line limit, and that line is its last, rp_check_line()
 * has nothing to check (the lane's lines end in CRLF, and only a line
 * that announces another can be one too many) and the reply is out at
 * once.  Everything else goes on to rp_parse_lines(), with the lane's
 * answer when it took the line. */
static SMTPP_NOINLINE int rp_parse_first(smtpp_reply_parser *p, const char *buf, size_t len,
                                         smtpp_reply *out, size_t *used)
{
    rp_line l;
    size_t n = smtpp__reply_lane(p, (const uchar *)buf, len, &l);
    if (SMTPP_LIKELY(n != 0 && n != SMTPP_REPLY_LANE_NO_END) && n <= rp_max_line(p)) {
        if (SMTPP_LIKELY(l.sep != '-'))
            return rp_finish_one(p, buf, 0, n, &l, out, used);
        return rp_parse_lines(p, buf, len, out, used, &l);
    }
    /* no LF in the region (SMTPP_REPLY_LANE_NO_END): what was looked at is
     * all of it, so rp_parse_lines() neither asks the lane again nor
     * searches; else the lane has had its look at the line */
    if (n == SMTPP_REPLY_LANE_NO_END)
        p->_scanned = len;
    return rp_parse_lines(p, buf, len, out, used, &rp_lane_refused);
}

/* The usual call first (rp_parse_first()); the rest, the last line or two
 * of a read among them, straight to rp_parse_lines(). */
int smtpp_parse_reply(smtpp_reply_parser *p, const char *buf, size_t len,
                      smtpp_reply *out, size_t *used)
{
    if (SMTPP_LIKELY((p->_line | p->_scanned) == 0 && !p->_skipping &&
                     len >= SMTPP_REPLY_LANE_MIN && p->_simd && buf != NULL))
        return rp_parse_first(p, buf, len, out, used);
    return rp_parse_lines(p, buf, len, out, used, NULL);
}

int smtpp_reply_parser_finish(smtpp_reply_parser *p, size_t unconsumed)
{
    int mid = unconsumed > 0 || p->_skipping || p->_nlines > 0;
    rp_reset(p);
    return mid;
}

/* ---- Iteration ---------------------------------------------------------- */

int smtpp_reply_next_line(const smtpp_reply *r, size_t *pos, smtpp_reply_line *out)
{
    const char *lf;
    rp_line l;
    size_t start = *pos;
    if (r->error || r->raw.p == NULL || start >= r->raw.n)
        return 0;
    lf = memchr(r->raw.p + start, '\n', r->raw.n - start);
    if (lf == NULL)
        return 0; /* cannot happen for a reply from the parser */
    rp_lex_line((const rp_uchar *)r->raw.p, (const rp_uchar *)r->raw.p + r->raw.n,
                (const rp_uchar *)r->raw.p + start, (size_t)(lf - r->raw.p) + 1 - start,
                r->_flags, &l);
    memset(out, 0, sizeof *out);
    out->line.p = r->raw.p + start;
    out->line.n = l.text_end;
    out->text.p = r->raw.p + start + l.text_off;
    out->text.n = l.text_end - l.text_off;
    out->enhanced = l.enh;
    out->last = l.sep != '-';
    out->enhanced_ignored = (uint8_t)l.ignored;
    *pos = (size_t)(lf - r->raw.p) + 1;
    return 1;
}

int smtpp_next_word(smtpp_str list, size_t *pos, smtpp_str *word)
{
    size_t i = *pos, j;
    if (list.p == NULL)
        return 0;
    while (i < list.n && (list.p[i] == ' ' || list.p[i] == '\t'))
        i++;
    if (i >= list.n) {
        *pos = list.n;
        return 0;
    }
    j = i;
    while (j < list.n && list.p[j] != ' ' && list.p[j] != '\t')
        j++;
    word->p = list.p + i;
    word->n = j - i;
    *pos = j;
    return 1;
}
