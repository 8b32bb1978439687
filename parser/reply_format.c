/* The reply formatter: single- and multi-line replies, EHLO replies. */
#include "smtpp/smtpp.h"

#include <limits.h>
#include <string.h>

/* Output with snprintf semantics: counts everything, writes what fits. */
typedef struct fmt_out {
    char *dst;
    size_t cap;
    size_t n;
} fmt_out;

static void put(fmt_out *o, const char *s, size_t n)
{
    if (o->n < o->cap) {
        size_t room = o->cap - o->n;
        memcpy(o->dst + o->n, s, n < room ? n : room);
    }
    o->n += n;
}

/* 0 when byte c may appear in reply text (HT, SP, printable, >= 0x80). */
static int bad_char(unsigned char c)
{
    return (c < 0x20 && c != '\t') || c == 0x7f;
}

/* Checks a slice: CR and LF only as line breaks under SPLIT. */
static int check_text(smtpp_str s, unsigned flags)
{
    size_t i;
    for (i = 0; i < s.n; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (c == '\n' && (flags & SMTPP_FMT_SPLIT))
            continue;
        if (c == '\r' && (flags & SMTPP_FMT_SPLIT) && i + 1 < s.n && s.p[i + 1] == '\n')
            continue;
        if (bad_char(c))
            return 0;
    }
    return 1;
}

/* Produces the physical lines of the text, one per call. */
typedef struct seg_iter {
    const smtpp_str *t;
    size_t nt;
    unsigned flags;
    size_t width;        /* most text octets on one line */
    size_t i;            /* current slice */
    size_t off;          /* position in it */
    int in_line;         /* lend/next describe the current logical line */
    size_t lend;         /* end of the logical line's text */
    size_t next;         /* where the next logical line starts */
    int more;            /* another logical line follows in this slice */
    int guard;           /* no enhanced code given: a wrapped line must not
                            start with text read back as one */
} seg_iter;

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* 1 when a line whose text starts at s.p[j] (and runs at most to lend,
 * or is cut by the next wrap, within width octets) might be read back by
 * the reply parser as an enhanced code: "[245].digits.digits" followed by
 * SP or the line end (reply.re, rp_lex_enhanced).  The shape followed by
 * another octet (".", a letter) is not; close to width the next wrap could
 * cut the line right after the digits, so that counts as a code too. */
static int code_like(smtpp_str s, size_t j, size_t lend, size_t width)
{
    size_t k = j, dots = 0;
    if (lend - j < 5 || (s.p[j] != '2' && s.p[j] != '4' && s.p[j] != '5') || s.p[j + 1] != '.')
        return 0;
    k = j + 2;
    for (;;) {
        size_t d = k;
        while (k < lend && is_digit(s.p[k]))
            k++;
        if (k == d)
            return 0; /* an empty number */
        if (k - j + 4 > width)
            return 1; /* the next wrap may cut the line inside the code */
        if (dots++ == 1)
            break;
        if (k == lend || s.p[k] != '.')
            return 0;
        k++;
    }
    return k == lend || s.p[k] == ' ';
}

static void seg_end_line(seg_iter *g)
{
    g->in_line = 0;
    if (g->more) {
        g->off = g->next;
    } else {
        g->i++;
        g->off = 0;
    }
}

/* Returns 1 with the next line's text, 0 at the end, -1 when NO_WRAP and
 * the line is too long. */
static int seg_next(seg_iter *g, smtpp_str *seg)
{
    smtpp_str s;
    size_t b;
    if (!g->in_line) {
        size_t k;
        if (g->i >= g->nt)
            return 0;
        s = g->t[g->i];
        if (s.p == NULL) { /* an absent slice is an empty line */
            seg->p = "";
            seg->n = 0;
            g->i++;
            g->off = 0;
            return 1;
        }
        k = g->off;
        if (g->flags & SMTPP_FMT_SPLIT)
            while (k < s.n && s.p[k] != '\n')
                k++;
        else
            k = s.n;
        g->lend = k;
        if (k < s.n) { /* stopped at an LF */
            if (k > g->off && s.p[k - 1] == '\r')
                g->lend = k - 1;
            g->next = k + 1;
            g->more = k + 1 < s.n; /* a final LF adds no empty line */
        } else {
            g->next = s.n;
            g->more = 0;
        }
        g->in_line = 1;
    }
    s = g->t[g->i];
    if (g->lend - g->off <= g->width) {
        seg->p = s.p + g->off;
        seg->n = g->lend - g->off;
        seg_end_line(g);
        return 1;
    }
    if (g->flags & SMTPP_FMT_NO_WRAP)
        return -1;
    /* Break at the last space that leaves at most width octets and, when
     * no enhanced code is given, does not start the next line with text
     * the parser would take for one (then the space before it is tried). */
    b = g->off + g->width;
    for (;;) {
        size_t j;
        while (b > g->off && s.p[b] != ' ')
            b--;
        if (b == g->off || !g->guard)
            break;
        for (j = b; j < g->lend && s.p[j] == ' '; j++)
            ;
        if (j == g->lend || !code_like(s, j, g->lend, g->width))
            break;
        b--;
    }
    if (b > g->off) {
        size_t e = b;
        while (e > g->off && s.p[e - 1] == ' ')
            e--; /* spaces before the break go too */
        seg->p = s.p + g->off;
        seg->n = (e > g->off ? e : b) - g->off;
        g->off = b;
        while (g->off < g->lend && s.p[g->off] == ' ')
            g->off++;
    } else {
        /* One word longer than a line: break inside it, but not inside a
         * UTF-8 sequence when that can be helped. */
        size_t w = g->width;
        while (w > g->width - 3 && ((unsigned char)s.p[g->off + w] & 0xC0) == 0x80)
            w--;
        if (((unsigned char)s.p[g->off + w] & 0xC0) == 0x80)
            w = g->width;
        if (g->guard && code_like(s, g->off + w, g->lend, g->width)) {
            /* One octet earlier, the next line starts with an octet
             * followed by a digit, never with a code; or earlier still,
             * at the start of a UTF-8 sequence. */
            size_t w0 = --w;
            while (w > w0 - 3 && ((unsigned char)s.p[g->off + w] & 0xC0) == 0x80)
                w--;
            if (((unsigned char)s.p[g->off + w] & 0xC0) == 0x80)
                w = w0;
        }
        seg->p = s.p + g->off;
        seg->n = w;
        g->off += w;
    }
    if (g->off >= g->lend)
        seg_end_line(g);
    return 1;
}

static void put_line(fmt_out *o, int code, const char *enh, size_t enh_n, int last,
                     smtpp_str text)
{
    char pre[4];
    pre[0] = (char)('0' + code / 100);
    pre[1] = (char)('0' + code / 10 % 10);
    pre[2] = (char)('0' + code % 10);
    pre[3] = last ? ' ' : '-';
    if (last && enh_n == 0 && text.n == 0) {
        put(o, pre, 3); /* "250\r\n" */
    } else {
        put(o, pre, 4);
        if (enh_n) {
            put(o, enh, enh_n);
            if (text.n)
                put(o, " ", 1);
        }
        put(o, text.p, text.n);
    }
    put(o, "\r\n", 2);
}

static long fmt_result(const fmt_out *o)
{
    if (o->n > (size_t)(LONG_MAX / 2))
        return SMTPP_FMT_E_TOO_BIG;
    return (long)o->n;
}

/* Validates the code and the enhanced code; sets *enh_n. */
static int check_codes(int code, const char *enhanced, size_t *enh_n)
{
    *enh_n = 0;
    if (code < 200 || code > 559 || code / 10 % 10 > 5)
        return SMTPP_FMT_E_CODE;
    if (enhanced != NULL) {
        smtpp_enhanced e;
        size_t n = strlen(enhanced);
        if (smtpp_enhanced_parse(enhanced, n, &e) != n || e.cls != code / 100)
            return SMTPP_FMT_E_ENHANCED;
        *enh_n = n;
    }
    return 0;
}

long smtpp_format_reply(char *dst, size_t cap, int code, const char *enhanced,
                        const smtpp_str *text, size_t ntext, unsigned flags)
{
    fmt_out o;
    seg_iter g;
    smtpp_str cur, nxt;
    size_t enh_n, i;
    int r, have;
    static const smtpp_str empty = { "", 0 };

    if ((r = check_codes(code, enhanced, &enh_n)) != 0)
        return r;
    for (i = 0; i < ntext; i++) {
        if (text[i].p == NULL && text[i].n != 0)
            return SMTPP_FMT_E_ARG;
        if (text[i].p != NULL && !check_text(text[i], flags))
            return SMTPP_FMT_E_CHAR;
    }
    if (ntext == 0) {
        text = &empty;
        ntext = 1;
    }
    o.dst = dst;
    o.cap = dst ? cap : 0;
    o.n = 0;
    memset(&g, 0, sizeof g);
    g.t = text;
    g.nt = ntext;
    g.flags = flags;
    g.width = SMTPP_FMT_MAX_LINE - 2 - 4 - (enh_n ? enh_n + 1 : 0);
    g.guard = enh_n == 0;

    have = seg_next(&g, &cur);
    if (have < 0)
        return SMTPP_FMT_E_TOO_LONG;
    while (have > 0) {
        have = seg_next(&g, &nxt);
        if (have < 0)
            return SMTPP_FMT_E_TOO_LONG;
        put_line(&o, code, enhanced, enh_n, have == 0, cur);
        cur = nxt;
    }
    return fmt_result(&o);
}

long smtpp_format_reply_str(char *dst, size_t cap, int code, const char *enhanced,
                            const char *text, unsigned flags)
{
    smtpp_str s;
    s.p = text ? text : "";
    s.n = text ? strlen(text) : 0;
    return smtpp_format_reply(dst, cap, code, enhanced, &s, 1, flags);
}

/* ---- EHLO ------------------------------------------------------------------ */

/* Writes the decimal form of v at the end of buf[0..*used), returns the
 * slice. */
static smtpp_str num(char *buf, size_t *used, uint64_t v)
{
    char tmp[24];
    size_t n = 0;
    smtpp_str s;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    s.p = buf + *used;
    s.n = n;
    while (n)
        buf[(*used)++] = tmp[--n];
    return s;
}

/* One EHLO line: keyword and up to three parameters joined by SP. */
typedef struct ehlo_line {
    const char *kw;
    smtpp_str a, b, c;
} ehlo_line;

static int ehlo_put(fmt_out *o, int last, const ehlo_line *l)
{
    smtpp_str parts[4];
    size_t k, len = 0;
    int first = 1;
    parts[0].p = l->kw;
    parts[0].n = l->kw ? strlen(l->kw) : 0;
    parts[1] = l->a;
    parts[2] = l->b;
    parts[3] = l->c;
    for (k = 0; k < 4; k++) {
        if (parts[k].p == NULL || parts[k].n == 0)
            continue;
        if (!check_text(parts[k], 0))
            return SMTPP_FMT_E_CHAR;
        /* The line's text must not start with what the reply parser reads
         * as an enhanced code ("250 4.7.0 x" for the domain "4.7.0"): no
         * domain, keyword or capability has that shape, and the line could
         * not be read back. */
        if (len == 0 && code_like(parts[k], 0, parts[k].n, (size_t)-1))
            return SMTPP_FMT_E_ARG;
        len += parts[k].n + 1;
    }
    if (len + 4 + 1 > SMTPP_FMT_MAX_LINE) /* "250-" ... CRLF */
        return SMTPP_FMT_E_TOO_LONG;
    put(o, last ? "250 " : "250-", 4);
    for (k = 0; k < 4; k++) {
        if (parts[k].p == NULL || parts[k].n == 0)
            continue;
        if (!first)
            put(o, " ", 1);
        put(o, parts[k].p, parts[k].n);
        first = 0;
    }
    put(o, "\r\n", 2);
    return 0;
}

/* 1 when w is one word: not empty, no SP or HTAB (check_text() refuses
 * the other control characters). */
static int one_word(smtpp_str w)
{
    size_t i;
    if (w.p == NULL || w.n == 0)
        return 0;
    for (i = 0; i < w.n; i++)
        if (w.p[i] == ' ' || w.p[i] == '\t')
            return 0;
    return 1;
}

long smtpp_format_ehlo(char *dst, size_t cap, const smtpp_ehlo *e,
                       const smtpp_str *extra, size_t nextra)
{
    ehlo_line lines[SMTPP_EXT__COUNT + 1];
    char scratch[512];
    size_t used = 0, nl = 0, i;
    fmt_out o;
    int id, r;
    static const char *const mechs[] = {
        "PLAIN", "LOGIN", "CRAM-MD5", "DIGEST-MD5", "XOAUTH2", "OAUTHBEARER",
        "SCRAM-SHA-1", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-256-PLUS",
        "EXTERNAL", "GSSAPI", "ANONYMOUS", "NTLM"
    };

    if (e == NULL || e->domain.p == NULL || e->domain.n == 0)
        return SMTPP_FMT_E_ARG;
    memset(lines, 0, sizeof lines);
    lines[nl].kw = "";
    lines[nl].a = e->domain;
    lines[nl].b = e->greet;
    nl++;
    for (id = 0; id < SMTPP_EXT__COUNT; id++) {
        ehlo_line *l;
        if (!SMTPP_EHLO_HAS(e, id))
            continue;
        l = &lines[nl++];
        l->kw = smtpp_ext_name((smtpp_ext)id);
        switch (id) {
        case SMTPP_EXT_SIZE:
            if (e->size_given)
                l->a = num(scratch, &used, e->size);
            break;
        case SMTPP_EXT_AUTH:
            if (e->auth.p != NULL) {
                l->a = e->auth;
            } else {
                size_t k, start = used;
                for (k = 0; k < sizeof mechs / sizeof mechs[0]; k++) {
                    size_t n = strlen(mechs[k]);
                    if (!(e->auth_mechs & (1u << k)))
                        continue;
                    if (used > start)
                        scratch[used++] = ' ';
                    memcpy(scratch + used, mechs[k], n);
                    used += n;
                }
                l->a.p = scratch + start;
                l->a.n = used - start;
            }
            break;
        case SMTPP_EXT_MT_PRIORITY:
            l->a = e->mt_priority;
            break;
        case SMTPP_EXT_FUTURERELEASE:
            /* both maxima, the date-time one word (RFC 4865 3): the
             * keyword alone, or a date-time that reads back as two words,
             * is not a FUTURERELEASE line */
            if (!e->futurerelease_given || !one_word(e->futurerelease_datetime))
                return SMTPP_FMT_E_ARG;
            l->a = num(scratch, &used, e->futurerelease_interval);
            l->b = e->futurerelease_datetime;
            break;
        case SMTPP_EXT_DELIVERBY:
            if (e->deliverby_given)
                l->a = num(scratch, &used, e->deliverby_min);
            break;
        case SMTPP_EXT_XCLIENT:
            l->a = e->xclient;
            break;
        case SMTPP_EXT_XFORWARD:
            l->a = e->xforward;
            break;
        case SMTPP_EXT_LIMITS:
            if (e->limits.p != NULL) {
                l->a = e->limits;
            } else {
                static const char *const names[3] = { "RCPTMAX=", "MAILMAX=", "RCPTDOMAINMAX=" };
                const uint32_t vals[3] = { e->limits_rcptmax, e->limits_mailmax,
                                           e->limits_rcptdomainmax };
                size_t k, start = used;
                for (k = 0; k < 3; k++) {
                    size_t n = strlen(names[k]);
                    if (vals[k] == 0)
                        continue;
                    if (used > start)
                        scratch[used++] = ' ';
                    memcpy(scratch + used, names[k], n);
                    used += n;
                    num(scratch, &used, vals[k]);
                }
                l->a.p = scratch + start;
                l->a.n = used - start;
            }
            break;
        default:
            break;
        }
    }

    o.dst = dst;
    o.cap = dst ? cap : 0;
    o.n = 0;
    for (i = 0; i < nl; i++) {
        r = ehlo_put(&o, i + 1 == nl && nextra == 0, &lines[i]);
        if (r)
            return r;
    }
    for (i = 0; i < nextra; i++) {
        ehlo_line l;
        memset(&l, 0, sizeof l);
        l.kw = "";
        l.a = extra[i];
        if (extra[i].p == NULL || extra[i].n == 0)
            return SMTPP_FMT_E_ARG;
        r = ehlo_put(&o, i + 1 == nextra, &l);
        if (r)
            return r;
    }
    return fmt_result(&o);
}
