/* The DATA body scanner: dot-unstuffing and the end-of-data mark, with
 * CRLF as the only line end; the bare CR/LF and NUL policies; the raw
 * (dot-stuffed) output for forwarding; and the stuffer, its inverse.
 *
 * Clean text, where every line end is a CRLF not followed by ".", with no
 * bare CR or LF (and no NUL under REFUSE_NUL) and no line over the limit,
 * is content, consumed with no branch per line (in the builds with vector
 * lanes: SSE2 on x86-64, NEON on aarch64).  First 256 octets at a time
 * (clean_groups(): one compare of the octets with the octets one later, no
 * mask, one branch per group), the rest of a read as the last 256 pairs of
 * octets (clean_rest(); with no group before it, those already consumed
 * masked out); where a group is not clean, 64 octets at a time
 * with masks (clean_blocks()), to consume up to the CRLF before the first
 * offending octet.  The usual call (inside a line, or at the start of one
 * that opens with no ".") runs the groups and the rest in
 * smtpp_data_parse() itself; everything else goes through the state
 * machine of parse_from(), which looks for the next CR or LF (and NUL
 * under REFUSE_NUL; SSE2 16 bytes at a time, or a word-at-a-time
 * fallback) and only then at single bytes.  The state between calls is
 * one byte (where in a line we are), so every byte is consumed at once and
 * nothing is held back (raw output excepted: a line-start "." that ends
 * the buffer waits for the byte after it); a CR that ends a read is
 * content, its LF looked at next call (B_CR).
 *
 * Normalising a bare line end costs a cut: the slice ends before a bare LF
 * (or after a bare CR), the next call hands back the static line end.
 * So does stuffing, in raw output, a "." after a normalised line end or
 * (PASS_BARE) after a bare LF or CR: the slice ends before the ".", the
 * next call hands back that "." itself as the stuffing dot.
 * Bare line ends are rare in real mail, so the plain path stays one
 * slice per call.
 */
#include "internal.h"

#include <string.h>

#if defined(__SSE2__) && !defined(SMTPP_NO_SIMD)
#  include <emmintrin.h>
#endif
#if defined(SMTPP_HAVE_LANE)
#  include "simd.h"
#endif

enum {
    B_BOL = 0,   /* at the start of a line (after CRLF, or the first byte) */
    B_MID,       /* inside a line */
    B_CR,        /* inside a line, the previous byte was CR (handed back) */
    B_DOT,       /* a line-start "." was consumed */
    B_DOT_CR,    /* a line-start ".\r" was consumed */
    B_END,       /* the end-of-data mark was consumed */
    B_NBOL       /* raw: a line opened by a normalised line end, or (PASS_BARE)
                  * after a bare LF or CR: a line start for a lenient next hop */
};

static const char k_cr[] = "\r", k_lf[] = "\n", k_crlf[] = "\r\n", k_end[] = ".\r\n";

/* The first CR or LF (or NUL, when nul is 1) in [p, e), or e.  nul is a
 * constant at each call: the default scan does not look for NUL (a third
 * compare costs about 15% on long lines), only SMTPP_DATA_REFUSE_NUL does. */
static SMTPP_INLINE const uchar *scan_eol(const uchar *p, const uchar *e, const int nul)
{
#if defined(__SSE2__) && !defined(SMTPP_NO_SIMD)
    const __m128i cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n'), z = _mm_setzero_si128();
    while (e - p >= 32) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));
        __m128i ma = _mm_or_si128(_mm_cmpeq_epi8(a, cr), _mm_cmpeq_epi8(a, lf));
        __m128i mb = _mm_or_si128(_mm_cmpeq_epi8(b, cr), _mm_cmpeq_epi8(b, lf));
        unsigned m;
        if (nul) {
            ma = _mm_or_si128(ma, _mm_cmpeq_epi8(a, z));
            mb = _mm_or_si128(mb, _mm_cmpeq_epi8(b, z));
        }
        m = (unsigned)_mm_movemask_epi8(ma) | ((unsigned)_mm_movemask_epi8(mb) << 16);
        if (m) return p + __builtin_ctz(m);
        p += 32;
    }
    if (e - p >= 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i ma = _mm_or_si128(_mm_cmpeq_epi8(a, cr), _mm_cmpeq_epi8(a, lf));
        unsigned m;
        if (nul) ma = _mm_or_si128(ma, _mm_cmpeq_epi8(a, z));
        m = (unsigned)_mm_movemask_epi8(ma);
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
        if (((a - ones) & ~a & highs) | ((b - ones) & ~b & highs) |
            (nul ? ((w - ones) & ~w & highs) : 0))
            break;
        p += 8;
    }
#endif
    while (p < e && *p != '\r' && *p != '\n' && !(nul && *p == 0)) p++;
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

/* A fault (bare CR or LF, NUL, a line over max_line) whose content ends
 * at `at`; `start` is where this call's content begins (its octets before
 * `at` are content not yet counted in d->size).  Faults are ranked by where
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
    if (d->max_size && at > start && (uint64_t)(at - start) > d->max_size - d->size)
        e = SMTPP_DATA_E_SIZE;
    d->error = (uint8_t)e;
    return at;
}

/* Counts a bare CR or LF; 1 when it is a fault under the policy. */
static int bare(smtpp_data *d, int lf)
{
    if (lf) d->bare_lf++;
    else d->bare_cr++;
    return !(d->flags & (SMTPP_DATA_PASS_BARE | SMTPP_DATA_NORMALISE_BARE));
}

/* Octets of a line before its CRLF (max_line counts the CRLF). */
static uint32_t line_room(const smtpp_data *d)
{
    return d->max_line > 2 ? d->max_line - 2 : 0;
}

/* Adds the n octets at p to the current line.  When the line limit is
 * passed, returns the first octet past it (the message content ends
 * there), else NULL. */
static const uchar *line_add(smtpp_data *d, const uchar *p, size_t n)
{
    size_t room;
    if (!d->max_line) return NULL;
    room = line_room(d);
    if (d->_line >= room) return n ? p : NULL;
    if (n <= room - d->_line) {
        d->_line += (uint32_t)n;
        return NULL;
    }
    p += room - d->_line;
    d->_line = (uint32_t)room;
    return p;
}

/* Hands back [a, b) as the output slice, counting its content against
 * max_size.  lead: 1 when a[0] is a stuffing "." kept for the raw output
 * (not content: handed back only with content after it).  cut: where the
 * content ends because the message became doomed during this call (NULL
 * if it did not).  The content handed back is thus always the message up
 * to its first fault, however the stream was split. */
static void emit(smtpp_data *d, const uchar *a, const uchar *b, const uchar *cut,
                 unsigned lead, smtpp_str *out)
{
    size_t n;
    if (cut) {
        if (cut <= a + lead) return;
        if (cut < b) b = cut;
    } else if (d->error) {
        return;
    }
    if (b <= a + lead) return;
    n = (size_t)(b - a) - lead;
    if (d->max_size && (uint64_t)n > d->max_size - d->size) {
        n = (size_t)(d->max_size - d->size);   /* the part that fits */
        /* fault() already recorded SIZE when a fault cut this slice */
        if (d->error == SMTPP_DATA_E_OK) d->error = SMTPP_DATA_E_SIZE;
        if (!n) return;
    }
    d->size += n;
    out->p = (const char *)a;
    out->n = n + lead;
}

/* A static line end (or its half) NORMALISE inserts: content like any. */
static void emit_k(smtpp_data *d, const char *k, size_t n, smtpp_str *out)
{
    emit(d, (const uchar *)k, (const uchar *)k + n, NULL, 0, out);
}

/* Raw + normalise: the state after a normalised line end, where a "."
 * needs a stuffing "." before it in the raw output.  Raw + PASS_BARE
 * enters B_NBOL after a bare LF or CR for the same reason (see bare_bol). */
static uint8_t after_norm(const smtpp_data *d)
{
    return (d->flags & SMTPP_DATA_RAW) ? B_NBOL : B_MID;
}

#if defined(SMTPP_HAVE_LANE)
/* The CR, LF and "." (and NUL) masks of the 64 octets at q. */
typedef struct { uint64_t cr, lf, dot, nul; } blk_masks;

SIMD_INLINE void blk_load(const uchar *q, const int nul, blk_masks *m)
{
    vu8 v[SIMD_N], c[SIMD_N], l[SIMD_N], t[SIMD_N];
    int i;
    v_load64(q, 0, v);
    for (i = 0; i < SIMD_N; i++) {
        c[i] = V_MASK(v[i] == '\r');
        l[i] = V_MASK(v[i] == '\n');
        t[i] = V_MASK(v[i] == '.');
    }
    m->cr = v_bits64(c);
    m->lf = v_bits64(l);
    m->dot = v_bits64(t);
    m->nul = 0;
    if (nul) {
        for (i = 0; i < SIMD_N; i++) t[i] = V_MASK(v[i] == 0);
        m->nul = v_bits64(t);
    }
}

#define CLEAN_GROUP 256

/* Of the pairs (v[i], w[i]) of an octet and the octet after it, those that
 * are not clean text: a CR not followed by LF, an LF at w[i] not after a
 * CR, a "." after an LF, (nul) a NUL at v[i]. */
SIMD_INLINE vu8 pair_faults(vu8 v, vu8 w, const int nul)
{
    vu8 x = (V_MASK(v == '\r') ^ V_MASK(w == '\n')) | (V_MASK(v == '\n') & V_MASK(w == '.'));
    if (nul) x |= V_MASK(v == 0);
    return x;
}

/* Clean text, CLEAN_GROUP (256) octets at a time, the usual case: from p,
 * inside a line, whole groups while the octet after the group is readable
 * (e - p > CLEAN_GROUP) and every one of them is clean:
 *   - each CR at i is followed by LF at i + 1, and each LF at i + 1 follows
 *     a CR at i (one compare of the octets with the octets one later; the
 *     octet after the group included, so a group may end between a CR and
 *     its LF);
 *   - no "." follows an LF (the octet after the group included);
 *   - (nul) there is no NUL;
 *   - there is an LF (so every line that ends in the groups is shorter
 *     than two groups: the caller checks the line limit before the first).
 * The LF at p itself is not looked at: the caller makes sure it is no LF
 * (inside a line, an LF at p is bare), and after a group it is the LF of
 * a CR the group checked.  No mask is made: two vector tests per group,
 * one branch, so that a read of several KiB is a loop of few iterations
 * and few branches (the branch history then still tells where the loop
 * ends: with one 64-octet block and five branches per iteration, reads of
 * 2 KiB or more cost some 25 ns more each than reads of 1 KiB did).
 * Each group hints the cache about the octet a page after it
 * (prefetch_page_ahead(), simd.h): a body that comes from memory no
 * longer waits at every page.
 * Returns the end of the last clean group (p if none). */
SIMD_INLINE const uchar *clean_groups(const uchar *p, const uchar *e, const int nul)
{
    while (e - p > CLEAN_GROUP) {
        vu8 bad = { 0 }, lf = { 0 };
        unsigned i;
        prefetch_page_ahead(p);   /* (simd.h) */
        _Pragma("GCC unroll 16")
        for (i = 0; i < CLEAN_GROUP; i += SIMD_W) {
            const vu8 v = v_load(p + i);
            bad |= pair_faults(v, v_load(p + i + 1), nul);
            lf |= V_MASK(v == '\n');
        }
        if (v_any(bad) | !v_any(lf)) break;
        p += CLEAN_GROUP;
    }
    return p;
}

/* The rest of a region after the last whole group, from p, 1 <= e - p <=
 * CLEAN_GROUP, e - b > CLEAN_GROUP (b: the region's start).  The same
 * tests as clean_groups(), on the pairs of octets at i, i + 1 for p <= i <
 * e - 1, read as the last CLEAN_GROUP pairs of the region; the last octet
 * is tested alone: a NUL is refused, a CR is kept (the caller leaves
 * B_CR: its LF comes next call).  Nothing is known of the octet after the
 * region, so an LF may end it.  The pairs before p:
 *   - masked (no group came before the rest; then e - p >= 2): masked out
 *     (keep_tab: CLEAN_GROUP zeros, then as many 0xff);
 *   - not masked (a clean group ends at p): they start in that group (at
 *     e - 1 - CLEAN_GROUP >= p - CLEAN_GROUP), which found them clean (its
 *     last pair is its last octet and the octet after it), so testing
 *     them again changes nothing and saves the mask.
 * Nonzero when the rest is clean. */
static const uint8_t keep_tab[2 * CLEAN_GROUP] = {
#define KEEP16(x) x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x
#define KEEP256(x) KEEP16(x), KEEP16(x), KEEP16(x), KEEP16(x), KEEP16(x), KEEP16(x), \
    KEEP16(x), KEEP16(x), KEEP16(x), KEEP16(x), KEEP16(x), KEEP16(x), KEEP16(x), KEEP16(x), \
    KEEP16(x), KEEP16(x)
    KEEP256(0), KEEP256(0xff)
#undef KEEP256
#undef KEEP16
};

SIMD_INLINE int clean_rest(const uchar *p, const uchar *e, const int nul, const int masked)
{
    const uchar *t = e - 1 - CLEAN_GROUP;               /* the first pair's first octet */
    const uint8_t *keep = keep_tab + (e - 1 - p);       /* 0xff from pair p - t */
    vu8 bad = { 0 };
    unsigned i;
    _Pragma("GCC unroll 16")
    for (i = 0; i < CLEAN_GROUP; i += SIMD_W) {
        vu8 f = pair_faults(v_load(t + i), v_load(t + i + 1), nul);
        if (masked) f &= v_load(keep + i);
        bad |= f;
    }
    return !v_any(bad) & (!nul || e[-1] != 0);
}

/* The last LF in [lo, e), or lo - 1 when none; [e - CLEAN_GROUP, e) is
 * readable, lo >= e - CLEAN_GROUP (the rest of a region, or a group). */
SIMD_INLINE const uchar *last_lf(const uchar *lo, const uchar *e)
{
    const uchar *q = e;
    do {
        vu8 m[SIMD_N];
        uint64_t bits;
        int i;
        q -= 64;
        for (i = 0; i < SIMD_N; i++) m[i] = V_MASK(v_load(q + i * SIMD_W) == '\n');
        bits = v_bits64(m);
        if (bits) {
            const uchar *l = q + 63 - __builtin_clzll(bits);
            return l >= lo ? l : lo - 1;
        }
    } while (q > lo);
    return lo - 1;
}

/* The usual case: whole groups, then the rest of the region
 * (clean_groups(), then clean_rest(), masked when no group came before
 * it), from p inside a line (B_MID).  Keeps d->_line (under a
 * line limit) and leaves B_BOL when the region ends in CRLF, B_CR when it
 * ends in a CR (content, as the state machine hands it back: its LF is
 * looked at next call).  A line ends in every group, so a line that ends
 * after them began in the last one: shorter than a group, with the rest
 * no longer than one; the limit is checked before the first group and
 * before a rest that follows no group.  A group may end between a CR and
 * its LF: the group checked that pair, so the rest starts at the LF.
 * Where a line begins is looked for only when it is needed: in the rest,
 * or, when the rest is not clean or holds no LF, in the last group.
 * Returns where the per-block scan goes on (e when all of it was clean;
 * else inside a line, never between a CR and its LF). */
SIMD_INLINE const uchar *clean_fast(smtpp_data *d, const uchar *b, const uchar *p, const uchar *e,
                                    const int nul)
{
    const int lim = d->max_line != 0;
    const uint32_t room = lim ? line_room(d) : 0;
    const uchar *g = NULL;   /* the last clean group */
    if (e - p > CLEAN_GROUP && *p != '\n' &&
        (!lim || (room >= 2 * CLEAN_GROUP && (uint64_t)d->_line + CLEAN_GROUP <= room))) {
        const uchar *q = clean_groups(p, e, nul);
        if (q != p) {
            g = q - CLEAN_GROUP;
            p = q;
        }
    }
    if (e - p <= CLEAN_GROUP &&
        (g ? clean_rest(p, e, nul, 0)
           : e - b > CLEAN_GROUP && e - p >= 2 && *p != '\n' &&
                 (!lim || (uint64_t)d->_line + (uint64_t)(e - p) <= room) &&
                 clean_rest(p, e, nul, 1))) {
        const uint32_t cr = e[-1] == '\r';   /* not on the line yet: the state machine's count */
        if (lim) {
            const uchar *l = last_lf(p, e);
            if (l >= p) d->_line = (uint32_t)(e - l - 1) - cr;
            else if (g) d->_line = (uint32_t)(e - last_lf(g, g + CLEAN_GROUP) - 1) - cr;
            else d->_line += (uint32_t)(e - p) - cr;
        }
        if (e[-1] == '\n') d->_state = B_BOL;
        else if (cr) d->_state = B_CR;
        return e;
    }
    if (g) {
        if (p[-1] == '\r') p--;   /* not between a CR and its LF */
        if (lim) d->_line = (uint32_t)(p - last_lf(g, g + CLEAN_GROUP) - 1);
    }
    return p;
}

/* clean_fast() out of line, for the state machine: inlined there, GCC
 * keeps the group loop's values on the stack. */
static SMTPP_NOINLINE const uchar *clean_fast_at(smtpp_data *d, const uchar *b, const uchar *p,
                                                 const uchar *e)
{
    return (d->flags & SMTPP_DATA_REFUSE_NUL) ? clean_fast(d, b, p, e, 1) : clean_fast(d, b, p, e, 0);
}

/* Clean text, 64 octets at a time.  From p, inside a line (B_MID: the
 * octet before p is no CR still to be paired), a block of k <= 64 octets
 * in which
 *   - every CR is followed by LF in the block (a CR at its end waits for
 *     the next block, or the state machine),
 *   - every LF follows a CR (an LF at p is bare: the octet before p is no
 *     CR to pair),
 *   - no "." follows an LF (the octet after the block included),
 *   - (nul) there is no NUL,
 *   - (max_line) no line passes the limit,
 * is content that needs nothing but the line count: exactly what the state
 * machine below does with it, a CRLF-ended line at a time in B_MID and
 * B_BOL, with no fault and no cut slice.  So it is consumed here with no
 * branch per line: whole blocks while the octet after one is readable,
 * then the rest of the region as the last k octets of the 64 that end it
 * (when the region has 64; it was readable from b).  A block that is not
 * clean is consumed up to the CRLF before its first offending octet, if
 * any, and the state machine takes over there, in B_MID (the octet after
 * that CRLF is no "."; d->_line is 0 as B_BOL sets it).  A clean block
 * that ends the region in CRLF leaves B_BOL.  Blocks are for where the
 * groups stopped, not for the rest of the message: after CLEAN_GROUP / 64
 * clean whole blocks, at the end of one that holds an LF (past a line
 * longer than a group, the usual reason a clean group fails), it stops,
 * inside a line, and sets *groups: the caller goes back to clean_fast().
 * (It used to go on to the first offending block: one line over 256
 * octets then sent the rest of the message 64 octets at a time, and a
 * message in one call took 1.7 times as long as in reads of 64 KiB;
 * bench/README.md, "Message bodies in one call".)
 * Returns where the state machine (or, with *groups, the groups) go on. */
static const uchar *clean_blocks(smtpp_data *d, const uchar *b, const uchar *p, const uchar *e,
                                 const int nul, int *groups)
{
    const uint64_t room = line_room(d);
    const int lim = d->max_line != 0;
    uint64_t line = d->_line;
    unsigned run = 0;   /* clean whole blocks */
    blk_masks m;
    if (lim && room < 64) return p;   /* lines shorter than a block: not worth it */
    while (p < e) {
        uint64_t lfn, dotn, bad, ok;
        unsigned k;
        if (e - p > 64) {           /* a whole block, and the octet after it */
            k = 64;
            blk_load(p, nul, &m);
            lfn = m.lf >> 1;        /* a CR at its end waits for its LF */
            dotn = (m.dot >> 1) | (uint64_t)(p[64] == '.') << 63;
        } else if (e - b >= 64) {   /* the rest: the last k of 64 octets */
            unsigned s;
            k = (unsigned)(e - p);
            s = 64 - k;
            blk_load(e - 64, nul, &m);
            m.cr >>= s;
            m.lf >>= s;
            m.dot >>= s;
            m.nul >>= s;
            lfn = m.lf >> 1;        /* nothing known after the region */
            dotn = m.dot >> 1;
        } else {
            break;
        }
        bad = (m.cr & ~lfn) | (m.lf & ~(m.cr << 1)) | (m.lf & dotn) | m.nul;
        /* the LFs the block may be consumed through: all, or those before
         * its first offending octet */
        ok = bad ? m.lf & ((1ull << __builtin_ctzll(bad)) - 1) : m.lf;
        /* the line before the first LF (its CR at ctz - 1) within the
         * limit; the lines after it are shorter than 64 <= room */
        if (lim && (ok ? line + (unsigned)__builtin_ctzll(ok) - 1 : line + k) > room) break;
        if (bad) {
            if (ok) {   /* just after the last one (before the offending octet, so < e) */
                p += 64 - __builtin_clzll(ok);
                line = 0;
            }
            break;
        }
        {
            /* past the last LF, if any (no branch: most blocks have one,
             * not all) */
            uint64_t after = 64 - (unsigned)__builtin_clzll(m.lf | 1);
            line = m.lf ? k - after : line + k;
            p += k;
            if (p == e && (m.lf >> (k - 1)) != 0) d->_state = B_BOL;   /* ends in CRLF */
            if (k == 64 && ++run >= CLEAN_GROUP / 64 && m.lf && p != e) {
                *groups = 1;
                break;
            }
        }
    }
    if (lim) d->_line = (uint32_t)line;
    return p;
}
#endif

/* A fault at `at`: the first one of the message sets where its content
 * ends in this call. */
#define FAULT(e, at) do { const uchar *c_ = fault(d, (e), start + lead, (at)); if (c_) cut = c_; } while (0)
#define BARE(lf, at) do { if (bare(d, (lf))) FAULT((lf) ? SMTPP_DATA_E_BARE_LF : SMTPP_DATA_E_BARE_CR, (at)); } while (0)
/* Raw + PASS_BARE, after a bare LF or CR that was no fault: the next byte
 * starts a line for a next hop that takes bare line ends as line ends, so
 * a "." there is stuffed too (B_NBOL).  Else inside a line. */
#define BARE_NEXT() (raw && !d->error ? B_NBOL : B_MID)
#define LINE(at, n) do { const uchar *l_ = line_add(d, (at), (n)); if (l_) FAULT(SMTPP_DATA_E_LINE, l_); } while (0)

/* The state machine, from p0 (b, or where the entry stopped: where its
 * clean scan did, inside a line, B_MID, or after the LF of a CR, B_BOL;
 * [b, p0) is content not yet handed back). */
static int parse_from(smtpp_data *d, const char *buf, size_t len, smtpp_str *out, size_t *used,
                      const uchar *p0)
{
    const uchar *b = (const uchar *)buf, *e, *p = p0, *start = b, *cut = NULL;
    const unsigned raw = d->flags & SMTPP_DATA_RAW;
    unsigned lead = 0;   /* raw: the slice from start opens with a kept "." */

    out->p = buf;
    out->n = 0;
    if (d->_state == B_END) {
        *used = 0;
        return SMTPP_DONE;
    }
    if (len == 0) {   /* buf may be NULL: no pointer arithmetic on it */
        *used = 0;
        return SMTPP_AGAIN;
    }
    e = b + len;
    while (p < e) {
        const uchar *q;
        /* B_MID, the usual state, first: no jump through the table */
        if (SMTPP_UNLIKELY(d->_state != B_MID)) {
            switch (d->_state) {
            case B_BOL:
                d->_line = 0;
                if (*p == '.') {
                    if (p > start) {
                        /* cut the slice here; the dot is looked at next call */
                        emit(d, start, p, cut, lead, out);
                        *used = (size_t)(p - b);
                        return SMTPP_MORE;
                    }
                    if (raw) {
                        if (p + 1 == e) {   /* end mark, dropped or kept: the next byte says */
                            *used = (size_t)(p - b);
                            return SMTPP_AGAIN;
                        }
                        if (p[1] == '.') {  /* ".." stays: the canonical stuffing of "." */
                            LINE(p, 1);
                            lead = 1;
                            p++;
                            d->_state = B_MID;
                            continue;
                        }
                    }
                    LINE(p, 1);
                    p++;
                    start = p;
                    d->_state = B_DOT;
                    continue;
                }
                d->_state = B_MID;
                continue;
            case B_NBOL:
                /* After a normalised line end this is the first byte of a call
                 * (the line end is handed back alone); after a bare LF or CR
                 * under PASS_BARE content of this call may come before it: the
                 * slice is cut before a "." so that the next call finds it
                 * first. */
                if (*p == '.' && p > start && !d->error) {
                    emit(d, start, p, cut, lead, out);
                    *used = (size_t)(p - b);
                    return SMTPP_MORE;
                }
                d->_state = B_MID;
                if (*p == '.' && p == start && !d->error && (!d->max_size || d->size < d->max_size) &&
                    (!d->max_line || d->_line < line_room(d))) {
                    /* the "." is content and will be handed back: stuff it,
                     * with the dot itself as the stuffing dot (zero-copy) */
                    out->p = (const char *)p;
                    out->n = 1;
                    *used = (size_t)(p - b);
                    return SMTPP_MORE;
                }
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
                    if (raw && !d->error) {
                        out->p = k_end;
                        out->n = 3;
                    }
                    return SMTPP_DONE;
                }
                /* ".\r" then not LF: the CR is a bare CR and content (the dot
                 * is gone, from the raw output too).  Here p == start: no
                 * content of this call comes before the CR, so neither fault
                 * can come after the size limit.  A fault drops the CR (the
                 * message's content ends before it). */
                d->_state = B_MID;
                /* (normalising stops once the message is doomed: nothing is
                 * handed back any more) */
                if ((d->flags & SMTPP_DATA_NORMALISE_BARE) && !d->error) {
                    d->bare_cr++;
                    d->_line = 0;
                    emit_k(d, k_crlf, 2, out);
                    d->_state = after_norm(d);
                } else {
                    BARE(0, p);
                    LINE(p, 1);
                    if (!cut) emit_k(d, k_cr, 1, out);
                    d->_state = BARE_NEXT();
                }
                *used = (size_t)(p - b);
                return SMTPP_MORE;
            case B_CR:
                if (*p == '\n') {
                    p++;
                    d->_state = B_BOL;
                    continue;
                }
                if ((d->flags & SMTPP_DATA_NORMALISE_BARE) && !d->error) {
                    /* The CR was handed back last call (B_CR is only ever the
                     * state a call starts in): its LF now. */
                    d->bare_cr++;
                    d->_line = 0;
                    emit_k(d, k_lf, 1, out);
                    d->_state = after_norm(d);
                    *used = (size_t)(p - b);
                    return SMTPP_MORE;
                }
                BARE(0, p);
                LINE(p, 1);
                d->_state = BARE_NEXT();
                continue;
            }
            /* every case continues or returns; only B_END would get here,
             * and it never does (the end was returned when it was found) */
        }
#if defined(SMTPP_HAVE_LANE)
        {
            int groups = 0;
            p = clean_fast_at(d, b, p, e);
            if (p != e) {
                p = (d->flags & SMTPP_DATA_REFUSE_NUL) ? clean_blocks(d, b, p, e, 1, &groups)
                                                       : clean_blocks(d, b, p, e, 0, &groups);
            }
            if (p == e) break;   /* all of it clean (d->_state set) */
            if (groups) continue;   /* B_MID, inside a line: the groups again */
        }
#endif
        q = (d->flags & SMTPP_DATA_REFUSE_NUL) ? scan_eol(p, e, 1) : scan_eol(p, e, 0);
        LINE(p, (size_t)(q - p));
        p = q;
        if (p == e) break;
        if (*p == '\n') {
            if ((d->flags & SMTPP_DATA_NORMALISE_BARE) && !d->error) {
                if (p > start) {   /* the content before it first */
                    emit(d, start, p, cut, lead, out);
                    *used = (size_t)(p - b);
                    return SMTPP_MORE;
                }
                d->bare_lf++;
                d->_line = 0;
                emit_k(d, k_crlf, 2, out);
                d->_state = after_norm(d);
                *used = (size_t)(p + 1 - b);
                return SMTPP_MORE;
            }
            BARE(1, p);
            LINE(p, 1);
            p++;
            d->_state = BARE_NEXT();
            continue;
        }
        if (*p == 0) {   /* only found under SMTPP_DATA_REFUSE_NUL */
            d->nul++;
            FAULT(SMTPP_DATA_E_NUL, p);
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
        if ((d->flags & SMTPP_DATA_NORMALISE_BARE) && !d->error) {
            /* the CR is content; its LF comes first next call */
            emit(d, start, p, cut, lead, out);
            d->_state = B_CR;
            *used = (size_t)(p - b);
            return SMTPP_MORE;
        }
        BARE(0, p);
        LINE(p, 1);
        d->_state = BARE_NEXT();
        continue;
    }
    emit(d, start, e, cut, lead, out);
    *used = len;
    return SMTPP_AGAIN;
}

int smtpp_data_parse(smtpp_data *d, const char *buf, size_t len, smtpp_str *out, size_t *used)
{
    const uchar *b = (const uchar *)buf;
#if defined(SMTPP_HAVE_LANE)
    /* The usual call, with a region of more than a group: the clean scan
     * first, in a function small enough to save few registers; the state
     * machine only when it stops before the end.  Inside a line (B_MID),
     * or at the start of one that does not open with "." (B_BOL, or B_CR
     * and the LF of its CR): the state machine would go on in B_MID. */
    if (len > CLEAN_GROUP) {
        const uchar *e = b + len, *p = b;
        if (SMTPP_UNLIKELY(d->_state != B_MID)) {
            if (d->_state == B_CR && *p == '\n') {
                p++;
                d->_state = B_BOL;
            }
            if (d->_state != B_BOL || *p == '.') return parse_from(d, buf, len, out, used, p);
            d->_line = 0;
            d->_state = B_MID;
        }
        p = (d->flags & SMTPP_DATA_REFUSE_NUL) ? clean_fast(d, b, p, e, 1)
                                               : clean_fast(d, b, p, e, 0);
        if (p != e) return parse_from(d, buf, len, out, used, p);
        out->p = buf;
        out->n = 0;
        emit(d, b, e, NULL, 0, out);
        *used = len;
        return SMTPP_AGAIN;
    }
#endif
    return parse_from(d, buf, len, out, used, b);
}

/* ---- The stuffer ------------------------------------------------------ */

/* S_LBOL: after a bare LF or CR (flags 0): a "." is stuffed as at a line
 * start (a lenient next hop starts a line there), but the content does not
 * end with CRLF (smtpp_stuff_end). */
enum { S_BOL = 0, S_MID, S_CR, S_LBOL };

void smtpp_stuff_init(smtpp_stuffer *st, unsigned flags)
{
    st->flags = (uint8_t)flags;
    st->_state = S_BOL;
}

/* Stuffs src[0..n) from state *state; writes to dst when it is not NULL.
 * Returns the octets written (or that would be). */
static size_t stuff_run(uint8_t *state, unsigned norm, const uchar *src, size_t n, char *dst)
{
    const uchar *p = src, *e = src + n;
    size_t k = 0;
    uint8_t s = *state;
#define PUT(c) do { if (dst) dst[k] = (char)(c); k++; } while (0)
    while (p < e) {
        uchar c = *p;
        if (s == S_CR) {
            if (c == '\n') {
                PUT('\n');
                p++;
                s = S_BOL;
                continue;
            }
            if (norm) {   /* a bare CR: its LF, and a new line */
                PUT('\n');
                s = S_BOL;
                continue;
            }
            s = S_LBOL;   /* a bare CR */
        }
        if ((s == S_BOL || s == S_LBOL) && c == '.') PUT('.');
        if (c == '\r') {
            PUT('\r');
            s = S_CR;
            p++;
            continue;
        }
        if (c == '\n') {
            if (norm) {
                PUT('\r');
                PUT('\n');
                s = S_BOL;
            } else {
                PUT('\n');
                s = S_LBOL;
            }
            p++;
            continue;
        }
        {   /* the rest of the line up to the next CR or LF, at once */
            const uchar *q = p + 1;
            while (q < e && *q != '\r' && *q != '\n') q++;
            if (dst) memcpy(dst + k, p, (size_t)(q - p));
            k += (size_t)(q - p);
            p = q;
            s = S_MID;
        }
    }
#undef PUT
    *state = s;
    return k;
}

size_t smtpp_stuff(smtpp_stuffer *st, const char *src, size_t n, char *dst, size_t cap)
{
    uint8_t s = st->_state;
    unsigned norm = st->flags & SMTPP_STUFF_NORMALISE;
    size_t need;
    if (n == 0) return 0;
    if (cap / 2 < n + 1) {   /* may not fit: count first */
        need = stuff_run(&s, norm, (const uchar *)src, n, NULL);
        if (need > cap) return need;
        s = st->_state;
    }
    need = stuff_run(&s, norm, (const uchar *)src, n, dst);
    st->_state = s;
    return need;
}

size_t smtpp_stuff_end(smtpp_stuffer *st, char *dst, size_t cap)
{
    const char *m;
    size_t n;
    if (st->_state == S_BOL) m = ".\r\n";
    else if (st->_state == S_CR && (st->flags & SMTPP_STUFF_NORMALISE)) m = "\n.\r\n";
    else m = "\r\n.\r\n";
    n = strlen(m);
    if (n > cap) return n;
    memcpy(dst, m, n);
    st->_state = S_BOL;
    return n;
}
