/* The DATA body scanner: dot-unstuffing and the end-of-data mark, with
 * CRLF as the only line end.
 *
 * The hot loop looks for the next CR or LF (SSE2 16 bytes at a time, or a
 * word-at-a-time fallback) and only then looks at single bytes, so plain
 * text lines cost one vector scan each.  The state between calls is one
 * byte (where in a line we are), so every byte is consumed at once and
 * nothing is held back.
 */
#include "internal.h"

#include <string.h>

#if defined(__SSE2__) && !defined(SMTPP_NO_SIMD)
#  include <emmintrin.h>
#endif

enum {
    B_BOL = 0,   /* at the start of a line (after CRLF, or the first byte) */
    B_MID,       /* inside a line */
    B_CR,        /* inside a line, the previous byte was CR */
    B_DOT,       /* a line-start "." was consumed */
    B_DOT_CR,    /* a line-start ".\r" was consumed */
    B_END        /* the end-of-data mark was consumed */
};

/* The first CR or LF in [p, e), or e. */
static const uchar *scan_eol(const uchar *p, const uchar *e)
{
#if defined(__SSE2__) && !defined(SMTPP_NO_SIMD)
    const __m128i cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');
    while (e - p >= 32) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));
        unsigned ma = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_cmpeq_epi8(a, cr), _mm_cmpeq_epi8(a, lf)));
        unsigned mb = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_cmpeq_epi8(b, cr), _mm_cmpeq_epi8(b, lf)));
        unsigned m = ma | (mb << 16);
        if (m) return p + __builtin_ctz(m);
        p += 32;
    }
    if (e - p >= 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)p);
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_cmpeq_epi8(a, cr), _mm_cmpeq_epi8(a, lf)));
        if (m) return p + __builtin_ctz(m);
        p += 16;
    }
#else
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    while (e - p >= 8) {
        uint64_t w, a, b;
        memcpy(&w, p, 8);
        a = w ^ (ones * '\r');
        b = w ^ (ones * '\n');
        if (((a - ones) & ~a & highs) | ((b - ones) & ~b & highs))
            break;
        p += 8;
    }
#endif
    while (p < e && *p != '\r' && *p != '\n') p++;
    return p;
}

void smtpp_data_init(smtpp_data *d, unsigned flags, uint64_t max_size, uint32_t max_line)
{
    memset(d, 0, sizeof *d);
    d->flags = (uint8_t)flags;
    d->max_size = max_size;
    d->max_line = max_line;
    d->_state = B_BOL;
}

int smtpp_data_doomed(const smtpp_data *d)
{
    return d->error != SMTPP_DATA_E_OK;
}

/* A fault (bare CR or LF, a line over max_line) whose content ends at
 * `at`; `start` is where this call's slice begins (its octets before `at`
 * are content not yet counted in d->size).  Faults are ranked by where
 * they are in the stream, not by when they are noticed: the size limit is
 * checked only when a slice is handed back, so if the content before `at`
 * already passes max_size, the size fault comes first and is the one
 * recorded (the slice is then cut to max_size by emit()).  Without this the
 * first error would depend on how far a call could see: one call holding a
 * whole over-long line notices the line fault before the slice reaches
 * emit(), while a split before it hands back the slice, and so passes
 * max_size, first.  Cold: only runs on a fault.  Returns where the content
 * ends, or NULL when the message was already doomed. */
static const uchar *fault(smtpp_data *d, smtpp_data_error e, const uchar *start,
                          const uchar *at)
{
    if (d->error != SMTPP_DATA_E_OK) return NULL;
    if (d->max_size && (uint64_t)(at - start) > d->max_size - d->size)
        e = SMTPP_DATA_E_SIZE;
    d->error = (uint8_t)e;
    return at;
}

/* Counts a bare CR or LF; 1 when it is a fault under the policy. */
static int bare(smtpp_data *d, int lf)
{
    if (lf) d->bare_lf++;
    else d->bare_cr++;
    return !(d->flags & SMTPP_DATA_PASS_BARE);
}

/* Adds the n octets at p to the current line.  When the line limit is
 * passed, returns the first octet past it (the message content ends
 * there), else NULL. */
static const uchar *line_add(smtpp_data *d, const uchar *p, size_t n)
{
    size_t room;
    if (!d->max_line) return NULL;
    room = d->max_line > 2 ? d->max_line - 2 : 0;   /* octets before CRLF */
    if (d->_line >= room) return n ? p : NULL;
    if (n <= room - d->_line) {
        d->_line += (uint32_t)n;
        return NULL;
    }
    p += room - d->_line;
    d->_line = (uint32_t)room;
    return p;
}

/* Hands back [a, b) as the output slice, counting it against max_size.
 * cut: where the content ends because the message became doomed during
 * this call (NULL if it did not).  The content handed back is thus always
 * the message up to its first fault, however the stream was split. */
static void emit(smtpp_data *d, const uchar *a, const uchar *b, const uchar *cut,
                 smtpp_str *out)
{
    size_t n;
    if (cut) {
        if (cut <= a) return;
        if (cut < b) b = cut;
    } else if (d->error) {
        return;
    }
    n = (size_t)(b - a);
    if (d->max_size && (uint64_t)n > d->max_size - d->size) {
        n = (size_t)(d->max_size - d->size);   /* the part that fits */
        /* fault() already recorded SIZE when a fault cut this slice */
        if (d->error == SMTPP_DATA_E_OK) d->error = SMTPP_DATA_E_SIZE;
    }
    d->size += n;
    out->p = (const char *)a;
    out->n = n;
}

/* A fault at `at`: the first one of the message sets where its content
 * ends in this call. */
#define FAULT(e, at) do { const uchar *c_ = fault(d, (e), start, (at)); if (c_) cut = c_; } while (0)
#define BARE(lf, at) do { if (bare(d, (lf))) FAULT((lf) ? SMTPP_DATA_E_BARE_LF : SMTPP_DATA_E_BARE_CR, (at)); } while (0)
#define LINE(at, n) do { const uchar *l_ = line_add(d, (at), (n)); if (l_) FAULT(SMTPP_DATA_E_LINE, l_); } while (0)

int smtpp_data_parse(smtpp_data *d, const char *buf, size_t len, smtpp_str *out, size_t *used)
{
    static const char cr[1] = { '\r' };
    const uchar *b = (const uchar *)buf, *e = b + len, *p = b, *start = b, *cut = NULL;

    out->p = buf;
    out->n = 0;
    if (d->_state == B_END) {
        *used = 0;
        return SMTPP_DONE;
    }
    while (p < e) {
        switch (d->_state) {
        case B_BOL:
            d->_line = 0;
            if (*p == '.') {
                if (p > start) {
                    /* cut the slice here; the dot is consumed next call */
                    emit(d, start, p, cut, out);
                    *used = (size_t)(p - b);
                    return SMTPP_MORE;
                }
                LINE(p, 1);
                p++;
                start = p;
                d->_state = B_DOT;
                continue;
            }
            d->_state = B_MID;
            continue;
        case B_DOT:
            if (*p == '\r') {
                p++;
                start = p;
                d->_state = B_DOT_CR;
                continue;
            }
            d->_state = B_MID;
            continue;
        case B_DOT_CR:
            if (*p == '\n') {
                d->_state = B_END;
                *used = (size_t)(p + 1 - b);
                return SMTPP_DONE;
            }
            /* ".\r" then not LF: the CR is a bare CR and content.  Here
             * p == start: no content of this call comes before the CR, so
             * neither fault can come after the size limit.  A fault drops
             * the CR (the message's content ends before it). */
            d->_state = B_MID;
            BARE(0, p);
            LINE(p, 1);
            if (!cut) emit(d, (const uchar *)cr, (const uchar *)cr + 1, NULL, out);
            *used = (size_t)(p - b);
            return SMTPP_MORE;
        case B_CR:
            if (*p == '\n') {
                p++;
                d->_state = B_BOL;
                continue;
            }
            BARE(0, p);
            LINE(p, 1);
            d->_state = B_MID;
            continue;
        default: { /* B_MID */
            const uchar *q = scan_eol(p, e);
            LINE(p, (size_t)(q - p));
            p = q;
            if (p == e) break;
            if (*p == '\n') {
                BARE(1, p);
                LINE(p, 1);
                p++;
                continue;
            }
            /* CR */
            p++;
            if (p == e) {
                d->_state = B_CR;
                break;
            }
            if (*p == '\n') {
                p++;
                d->_state = B_BOL;
                continue;
            }
            BARE(0, p);
            LINE(p, 1);
            continue;
        }
        }
    }
    emit(d, start, e, cut, out);
    *used = len;
    return SMTPP_AGAIN;
}
