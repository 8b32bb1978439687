/* Feeding helpers for the tests: a stream parsed whole, split at every
 * point, byte by byte, and right before an unreadable page. */
#ifndef SMTPP_TEST_FEED_H
#define SMTPP_TEST_FEED_H

#include "describe.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* When set, every parser of the helpers below is also configured from it
 * (smtpp_parser_configure) before max_line is applied. */
static const smtpp_config *feed_config;

/* Parses in[0..n) delivered in chunks: the chunk boundaries are
 * cuts[0..ncuts) (increasing).  Each call sees the unconsumed region in a
 * heap buffer of exactly its size, so ASan flags any over-read, and the
 * region moves between calls, as the contract allows.  The command struct
 * is filled with 0xa5 before every call, so a field the parser should set
 * and does not shows in the description (describe_command()).  Appends the
 * description of every result and of the final state to *d. */
static inline void feed_cmd(unsigned flags, unsigned max_line, const char *in, size_t n,
                            const size_t *cuts, size_t ncuts, dbuf *d)
{
    smtpp_parser p;
    char *acc = (char *)malloc(n + 1);
    size_t have = 0, k, prev = 0;
    smtpp_parser_init(&p, flags);
    if (feed_config) smtpp_parser_configure(&p, feed_config);
    if (max_line) p.max_line = max_line;
    for (k = 0; k <= ncuts; k++) {
        size_t end = k < ncuts ? cuts[k] : n;
        memcpy(acc + have, in + prev, end - prev);
        have += end - prev;
        prev = end;
        for (;;) {
            smtpp_command c;
            size_t used = 0;
            char *r = have ? (char *)malloc(have) : NULL;
            int rc;
            if (r) memcpy(r, acc, have);
            memset(&c, 0xa5, sizeof c);
            rc = smtpp_parse_command(&p, r, have, &c, &used);
            REQUIRE(used <= have, "used %zu of %zu", used, have);
            if (rc == SMTPP_DONE) {
                REQUIRE(used > 0, "DONE with nothing used");
                describe_command(d, &c);
            }
            free(r);
            memmove(acc, acc + used, have - used);
            have -= used;
            if (rc == SMTPP_AGAIN) break;
        }
    }
    {
        char t[32];
        snprintf(t, sizeof t, "FINISH %d\n", smtpp_parser_finish(&p, have));
        dputs(d, t);
    }
    free(acc);
}

/* The line that follows a stream in the padded checks: with it every line
 * of the stream has at least FEED_PAD octets after its start in the
 * buffer, more than the parser's fast lane (parser/command_lane.c) reads,
 * so that the lane reads its fixed windows from the caller's octets.
 * Without padding, a line near the end of the region goes to the lane's
 * bounded form or to a copy of the region's tail (parser/command_lane.h,
 * "What it reads"): the padded runs compare the two ways; the general path checks every line the lane takes in the oracle builds
 * (SMTPP_CHECK_FAST_PATHS), and is what SMTPP_NO_SIMD builds run. */
#define FEED_PAD 360

/* in[0..n) and one NOOP line with a FEED_PAD-octet argument, in a new heap
 * buffer of *pn octets. */
static inline char *padded(const char *in, size_t n, size_t *pn)
{
    char *b = (char *)malloc(n + FEED_PAD + 7);
    memcpy(b, in, n);
    memcpy(b + n, "NOOP ", 5);
    memset(b + n + 5, 'x', FEED_PAD);
    memcpy(b + n + 5 + FEED_PAD, "\r\n", 2);
    *pn = n + FEED_PAD + 7;
    return b;
}

/* Asserts that in[0..n) gives the same results whole, split in two at
 * every point, and byte by byte.  max_line 0: the default.  When the
 * stream ends between lines, the same stream followed by a NOOP line of
 * FEED_PAD octets must give the same results (then the NOOP), whole and
 * split at every point: the fast lane on the caller's octets and on a copy
 * of a short region agree. */
static inline void check_all_splits_cmd(unsigned flags, unsigned max_line,
                                        const char *in, size_t n)
{
    static char wbuf[1 << 16], sbuf[1 << 16];
    dbuf whole = { wbuf, 0, sizeof wbuf }, split;
    size_t cut, *cuts;
    feed_cmd(flags, max_line, in, n, NULL, 0, &whole);
    for (cut = 1; cut < n; cut++) {
        split = (dbuf){ sbuf, 0, sizeof sbuf };
        feed_cmd(flags, max_line, in, n, &cut, 1, &split);
        REQUIRE(strcmp(whole.p, split.p) == 0,
                      "split at %zu differs:\nwhole: %s\nsplit: %s", cut, whole.p, split.p);
    }
    cuts = (size_t *)calloc(n + 1, sizeof *cuts);
    for (cut = 1; cut < n; cut++) cuts[cut - 1] = cut;
    split = (dbuf){ sbuf, 0, sizeof sbuf };
    feed_cmd(flags, max_line, in, n, cuts, n ? n - 1 : 0, &split);
    REQUIRE(strcmp(whole.p, split.p) == 0,
                  "byte by byte differs:\nwhole: %s\nbytes: %s", whole.p, split.p);
    free(cuts);
    /* (describe.h writes the newline escaped) */
    if (n && in[n - 1] == '\n' && whole.n >= 11 &&
        strcmp(whole.p + whole.n - 11, "FINISH 0\\0a") == 0) {
        static char ebuf[1 << 16], pbuf[1 << 16];
        dbuf want = { ebuf, 0, sizeof ebuf }, got = { pbuf, 0, sizeof pbuf };
        size_t pn;
        char *pin = padded(in, n, &pn);
        const char *pad = pin + n;
        memcpy(want.p, whole.p, whole.n - 11);
        want.n = whole.n - 11;
        want.p[want.n] = 0;
        /* the NOOP alone, as the tail of the expected description */
        feed_cmd(flags, max_line, pad, pn - n, NULL, 0, &want);
        feed_cmd(flags, max_line, pin, pn, NULL, 0, &got);
        ck_assert_msg(strcmp(want.p, got.p) == 0, "padded differs:\nwant: %s\ngot:  %s", want.p,
                      got.p);
        /* cuts in the stream and just after it: deeper ones only move
         * where the NOOP line is split */
        for (cut = 1; cut < pn && cut <= n + 8; cut++) {
            got = (dbuf){ pbuf, 0, sizeof pbuf };
            feed_cmd(flags, max_line, pin, pn, &cut, 1, &got);
            REQUIRE(strcmp(want.p, got.p) == 0, "padded, split at %zu differs:\nwant: %s\ngot:  %s",
                          cut, want.p, got.p);
        }
        free(pin);
    }
}

/* Parses in[0..n) placed so that its last byte is the last readable byte
 * before a PROT_NONE page: any read past the input faults. */
static inline void check_guard_page_cmd(unsigned flags, const char *in, size_t n)
{
    long pg = sysconf(_SC_PAGESIZE);
    char *m = (char *)mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *at;
    size_t off = 0;
    smtpp_parser p;
    ck_assert(m != MAP_FAILED);
    ck_assert(mprotect(m + pg, (size_t)pg, PROT_NONE) == 0);
    ck_assert_uint_le(n, (size_t)pg);
    at = m + pg - n;
    memcpy(at, in, n);
    smtpp_parser_init(&p, flags);
    for (;;) {
        smtpp_command c;
        size_t used;
        int rc = smtpp_parse_command(&p, at + off, n - off, &c, &used);
        off += used;
        if (rc == SMTPP_AGAIN) break;
    }
    munmap(m, (size_t)pg * 2);
}

#endif
