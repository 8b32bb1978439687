/* Helpers shared by the reply-side test suites: a transcript of every
 * result the reply parser reports, a driver that feeds one input in every
 * chunking (whole, split at each byte, one byte at a time) and checks that
 * the transcripts agree, and a guard-page runner that puts the input right
 * before an unreadable page. */
#ifndef TEST_REPLY_UTIL_H
#define TEST_REPLY_UTIL_H

#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS under -std=c11 */
#endif

#include <smtpp/smtpp.h>

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Check's ck_assert records every passing check (a write in fork mode),
 * far too slow for the per-byte loops here: fail loudly, pass silently. */
#define REQ(c)                                                                 \
    do {                                                                       \
        if (!(c))                                                              \
            ck_abort_msg("%s:%d: %s", __FILE__, __LINE__, #c);                 \
    } while (0)

/* ---- A growable string ---------------------------------------------------- */
typedef struct tbuf {
    char *p;
    size_t n, cap;
} tbuf;

static inline void tb_putn(tbuf *t, const char *s, size_t n)
{
    if (t->n + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (cap < t->n + n + 1)
            cap *= 2;
        t->p = realloc(t->p, cap);
        REQ((t->p) != NULL);
        t->cap = cap;
    }
    if (n)
        memcpy(t->p + t->n, s, n);
    t->n += n;
    t->p[t->n] = '\0';
}

__attribute__((format(printf, 2, 3)))
static inline void tb_printf(tbuf *t, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    REQ((n) >= (0));
    REQ((n) < ((int)sizeof tmp));
    tb_putn(t, tmp, (size_t)n);
}

/* Slice as [text], bytes outside printable ASCII as \xHH; absent as (-). */
static inline void tb_str(tbuf *t, smtpp_str s)
{
    size_t i;
    if (s.p == NULL) {
        REQ((s.n) == (0));
        tb_putn(t, "(-)", 3);
        return;
    }
    tb_putn(t, "[", 1);
    for (i = 0; i < s.n; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (c >= 0x20 && c < 0x7f && c != '\\')
            tb_putn(t, (const char *)&c, 1);
        else
            tb_printf(t, "\\x%02x", c);
    }
    tb_putn(t, "]", 1);
}

static inline void tb_enh(tbuf *t, smtpp_enhanced e)
{
    if (e.cls == 0)
        tb_putn(t, "-", 1);
    else
        tb_printf(t, "%u.%u.%u", e.cls, e.subject, e.detail);
}

/* Describes one result compactly; the lines come from the iterator. */
static inline void describe_reply(tbuf *t, const smtpp_reply *r)
{
    if (r->error) {
        const char *name = smtpp_reply_error_name((smtpp_reply_error)r->error);
        tb_printf(t, "ERR %s code=%u nlines=%u line=%u off=%u raw=", name + 9, r->code,
                  (unsigned)r->nlines, (unsigned)r->error_line, (unsigned)r->error_offset);
        tb_str(t, r->raw);
        tb_putn(t, ";\n", 2);
        return;
    }
    {
        size_t pos = 0, k = 0;
        unsigned ignored = 0;
        smtpp_reply_line l;
        tb_printf(t, "OK %u n=%u enh=", r->code, (unsigned)r->nlines);
        tb_enh(t, r->enhanced);
        tb_printf(t, " mixed=%u", r->enhanced_mixed);
        if (r->enhanced_ignored) /* printed only when set */
            tb_printf(t, " ignored=%u", r->enhanced_ignored);
        tb_putn(t, " first=", 7);
        tb_str(t, r->first);
        tb_putn(t, " last=", 6);
        tb_str(t, r->last);
        tb_putn(t, " lines=", 7);
        while (smtpp_reply_next_line(r, &pos, &l)) {
            if (k++)
                tb_putn(t, "|", 1);
            tb_enh(t, l.enhanced);
            if (l.enhanced_ignored) /* a token left in the text */
                tb_putn(t, "!", 1);
            tb_str(t, l.text);
            REQ((l.last) == (k == r->nlines));
            REQ(!l.enhanced_ignored || l.enhanced.cls == 0);
            ignored |= l.enhanced_ignored;
            /* text lies inside line, line inside raw */
            REQ(l.line.p >= r->raw.p && l.line.p + l.line.n <= r->raw.p + r->raw.n);
            REQ(l.text.p >= l.line.p && l.text.p + l.text.n <= l.line.p + l.line.n);
        }
        REQ((k) == (r->nlines));
        REQ((pos) == (r->raw.n));
        REQ((ignored) == (r->enhanced_ignored)); /* the reply's flag: any line's */
        tb_putn(t, " raw=", 5);
        tb_str(t, r->raw);
        tb_putn(t, ";\n", 2);
    }
}

/* ---- The chunking driver -------------------------------------------------- */
typedef struct rp_opts {
    unsigned flags;
    uint32_t max_line;  /* 0: default */
    uint32_t max_lines; /* 0: default */
} rp_opts;

typedef void (*reply_hook)(const smtpp_reply *r, void *ctx);

/* A fresh heap copy of exactly n bytes (ASan catches any read past it). */
static inline char *exact_copy(const char *a, size_t na, const char *b, size_t nb)
{
    char *p = malloc(na + nb ? na + nb : 1);
    REQ((p) != NULL);
    if (na)
        memcpy(p, a, na);
    if (nb)
        memcpy(p + na, b, nb);
    return p;
}

/* Feeds data in the chunks ending at cuts[0..ncuts) (the last cut must be
 * n) the way a caller would: append, parse until AGAIN, drop what was
 * used.  The region is moved to a new exact-size allocation at every
 * step.  Returns the transcript (caller frees).  hook, if given, sees
 * every result. */
static inline char *run_chunks(const rp_opts *o, const char *data, size_t n, const size_t *cuts,
                        size_t ncuts, reply_hook hook, void *ctx)
{
    smtpp_reply_parser p;
    tbuf t = { NULL, 0, 0 };
    char *region = exact_copy(NULL, 0, NULL, 0);
    size_t len = 0, prev = 0, c;
    REQ(ncuts > 0 && cuts[ncuts - 1] == n);
    smtpp_reply_parser_init(&p, o->flags);
    if (o->max_line)
        p.max_line = o->max_line;
    if (o->max_lines)
        p.max_lines = o->max_lines;
    tb_putn(&t, "", 0);
    for (c = 0; c < ncuts; c++) {
        char *next = exact_copy(region, len, data + prev, cuts[c] - prev);
        free(region);
        region = next;
        len += cuts[c] - prev;
        prev = cuts[c];
        for (;;) {
            smtpp_reply r;
            size_t used = 12345;
            int res = smtpp_parse_reply(&p, len ? region : NULL, len, &r, &used);
            REQ((used) <= (len));
            if (res == SMTPP_DONE) {
                /* raw ends where used ends (after a discarded broken
                 * reply it starts later than the region) */
                REQ(r.raw.p >= region && r.raw.p + r.raw.n == region + used);
                describe_reply(&t, &r);
                if (hook)
                    hook(&r, ctx);
            } else {
                REQ((res) == (SMTPP_AGAIN));
            }
            next = exact_copy(region + used, len - used, NULL, 0);
            free(region);
            region = next;
            len -= used;
            if (res == SMTPP_AGAIN)
                break;
        }
    }
    tb_printf(&t, "FIN=%d", smtpp_reply_parser_finish(&p, len));
    free(region);
    return t.p;
}

/* Asserts that data[0..n) split in two at each position 1..upto (and
 * below n) gives the transcript want; what names the run in a failure. */
static inline void check_splits(const rp_opts *o, const char *data, size_t n, const char *want,
                                size_t upto, const char *what)
{
    size_t cuts[2], k;
    for (k = 1; k < n && k <= upto; k++) {
        char *t;
        cuts[0] = k;
        cuts[1] = n;
        t = run_chunks(o, data, n, cuts, 2, NULL, NULL);
        if (strcmp(t, want) != 0)
            ck_abort_msg("%s, split at %zu differs:\n%s\nvs\n%s", what, k, t, want);
        free(t);
    }
}

/* Runs data whole, split in two at every position, and one byte at a time;
 * asserts that every transcript is the same and returns it (free it). */
static inline char *check_all(const rp_opts *o, const char *data, size_t n)
{
    size_t cuts[2], k;
    char *whole;
    size_t *bytes;
    char *t;
    cuts[0] = n;
    whole = run_chunks(o, data, n, cuts, 1, NULL, NULL);
    check_splits(o, data, n, whole, n, "whole vs split");
    if (n > 0) {
        bytes = malloc(n * sizeof *bytes);
        REQ((bytes) != NULL);
        for (k = 0; k < n; k++)
            bytes[k] = k + 1;
        t = run_chunks(o, data, n, bytes, n, NULL, NULL);
        if (strcmp(t, whole) != 0)
            ck_abort_msg("byte at a time differs:\n%s\nvs whole:\n%s", t, whole);
        free(t);
        free(bytes);
    }
    /* When the data ends between replies: the same data followed by a long
     * reply line gives the same results (then that reply's), whole and split
     * at each position up to just after the data.  With the padding every
     * line of the data has the octets after it that the parser's fast lane
     * needs (parser/reply.re); without, the short inputs of the tests would
     * only ever see the general path. */
    k = strlen(whole);
    if (n && data[n - 1] == '\n' && k >= 5 && strcmp(whole + k - 5, "FIN=0") == 0) {
        static const char pad[] = "250 pad"
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n";
        size_t pn = n + sizeof pad - 1;
        char *pdata = exact_copy(data, n, pad, sizeof pad - 1), *tail, *want;
        cuts[0] = sizeof pad - 1;
        tail = run_chunks(o, pad, sizeof pad - 1, cuts, 1, NULL, NULL);
        want = malloc(k - 5 + strlen(tail) + 1);
        REQ(want != NULL);
        memcpy(want, whole, k - 5);
        strcpy(want + k - 5, tail);
        cuts[0] = pn;
        t = run_chunks(o, pdata, pn, cuts, 1, NULL, NULL);
        if (strcmp(t, want) != 0) ck_abort_msg("padded differs:\n%s\nvs\n%s", t, want);
        free(t);
        check_splits(o, pdata, pn, want, n + 8, "padded");
        free(want);
        free(tail);
        free(pdata);
    }
    return whole;
}

/* Places data[0..n) right before a PROT_NONE page and parses it, and every
 * prefix of it, with a fresh parser each time (any over-read faults). */
static inline void guard_page_run(const rp_opts *o, const char *data, size_t n)
{
    long pg = sysconf(_SC_PAGESIZE);
    size_t psz = (size_t)pg, len, need = n;
    char *map, *end;
    REQ((pg) > (0));
    while (need > psz)
        psz *= 2;
    map = mmap(NULL, psz + (size_t)pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQ(map != MAP_FAILED);
    REQ(mprotect(map + psz, (size_t)pg, PROT_NONE) == 0);
    end = map + psz;
    for (len = 0; len <= n; len++) {
        smtpp_reply_parser p;
        char *buf = end - len;
        size_t off = 0;
        memcpy(buf, data, len);
        smtpp_reply_parser_init(&p, o->flags);
        if (o->max_line)
            p.max_line = o->max_line;
        if (o->max_lines)
            p.max_lines = o->max_lines;
        for (;;) {
            smtpp_reply r;
            size_t used;
            int res = smtpp_parse_reply(&p, buf + off, len - off, &r, &used);
            off += used;
            if (res == SMTPP_DONE) {
                size_t pos = 0;
                smtpp_reply_line l;
                while (smtpp_reply_next_line(&r, &pos, &l))
                    ;
                if (r.error == 0 && r.code == 250) {
                    smtpp_ehlo e;
                    smtpp_ehlo_line el;
                    smtpp_ehlo_parse(&r, &e);
                    pos = 0;
                    while (smtpp_ehlo_next(&e, &pos, &el))
                        ;
                }
            }
            if (res == SMTPP_AGAIN)
                break;
        }
    }
    munmap(map, psz + (size_t)pg);
}

#endif
