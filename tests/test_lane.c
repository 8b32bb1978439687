/* The command fast lane's contract (parser/command_lane.h), tested through
 * its entry: which build this CPU runs, that the usual lines take it, and
 * that its answer depends only on the octets up to the line's LF (the
 * framing may hand it a copy of a short line padded with zeros).  And
 * which reply lines the reply parser hands its lane (reply_lane.h). */
#include "command_lane.h"
#include "reply_lane.h"
#include "describe.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The lines every session sends, in the shapes the lane claims. */
static const char *const usual[] = {
    "MAIL FROM:<sender@example.com>\r\n",
    "MAIL FROM:<> SIZE=0\r\n",
    "mail from:<a.b@mx.example.org> SIZE=123456 BODY=8BITMIME\r\n",
    "MAIL FROM:<a@b> SIZE=1 BODY=BINARYMIME SMTPUTF8 RET=FULL ENVID=QQ314159 AUTH=<>\r\n",
    "MAIL FROM:<j\xc3\xb6rg@example.com> SMTPUTF8\r\n",
    "RCPT TO:<rcpt@example.net>\r\n",
    /* every atext octet: without a shuffle (SSE2) the lane's first set is
     * smaller, and these take its exact one */
    "RCPT TO:<o'brien!x#y$z%w&v*u?t^s`r{q|p}o~n/m=l+k_j-i.h@example.com>\r\n",
    "MAIL FROM:<0123456789abcdefghijklmnopqrstuvwxyz0123456789{abcdefghijklmn@b.example>\r\n",
    "RCPT TO:<a@[192.0.2.1]>\r\n",
    "RCPT TO:<a@[IPv6:2001:db8::1]>\r\n",
    "RCPT TO:<a@b> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;a+40b\r\n",
    "RCPT TO:<010001a7c2e48cde-bdb0d9ef-4af8-1950-0bc6-1dae606026a7-000000@a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.example>\r\n",
    "RSET\r\n", "QUIT\r\n", "DATA\r\n", "NOOP\r\n", "rset\r\n",
    "EHLO mx.example.com\r\n", "HELO a-b.c\r\n", "EHLO [192.0.2.1]\r\n",
};

/* Lines the lane leaves to the general path (and some it takes), each
 * ending at its first LF, all checked for independence from what follows
 * them. */
static const char *const others[] = {
    "MAIL FROM: <a@b>\r\n", "MAIL FROM:a@b\r\n", "RCPT TO:<a@b> \r\n", "RCPT TO:<a@b>\n",
    "RCPT TO:<a@b>\r\r\n", "RCPT TO:<a@b\n", "MAIL FROM:<a@b> SIZE=\r\n", "MAIL FROM:<a@b> SIZE=12\n",
    "MAIL FROM:<a@b> BODY=7BIT\n", "MAIL FROM:<a@b> ENVID=ab\n", "RCPT TO:<a@b> ORCPT=rfc822;a\n",
    "RCPT TO:<a@b> NOTIFY=SUCCESS,\r\n", "RCPT TO:<a.@b>\r\n", "RCPT TO:<a@b->\r\n",
    "RCPT TO:<\"a b\"@c>\r\n", "RCPT TO:<Postmaster>\r\n", "RCPT TO:<a(b@c>\r\n",
    "RCPT TO:<a!b;c@d>\r\n", "RCPT TO:<a{b}>\r\n", "RCPT TO:<a@b\xc3>\r\n",
    "RCPT TO:<a@[1.2.3.4\r\n", "RSET\n", "RSET\r\r\n", "EHLO a\n", "EHLO a.b \r\n",
    "EHLO [192.0.2.1\r\n", "RCPT TO:<01234567890123456789012345678901234567890123456789012345678901@b>\r\n",
    "RCPT TO:<a@012345678901234567890123456789012345678901234567890123456789.com>\r\n",
    "MAIL FROM:<a@b> SIZE=1 SIZE=2\r\n", "RCPT TO:<a@b> FOO=bar\r\n", "VRFY a\r\n",
};

/* What the lane says of line (n octets) followed by the fill pattern, at
 * the start of a buffer of SMTPP_LANE_READ octets: its answer and the
 * description of the command, into *d. */
static size_t lane_on(const smtpp_parser *p, uchar *buf, const char *line, size_t n,
                      const char *fill, size_t fn, dbuf *d)
{
    smtpp_command c;
    size_t i, r;
    memcpy(buf, line, n);
    for (i = n; i < SMTPP_LANE_READ; i++) buf[i] = (uchar)fill[(i - n) % fn];
    memset(&c, 0xa5, sizeof c);
    r = smtpp__command_lane(p, buf, SMTPP_LANE_READ, &c);
    d->n = 0;
    d->p[0] = 0;
    if (r) {
        c.line = (smtpp_str){ (const char *)buf, r - 2 };  /* the framing's */
        describe_command(d, &c);
    }
    return r;
}

static const struct {
    const char *s;
    size_t n;
} fills[] = {
    { "\0", 1 }, { "a", 1 }, { "0", 1 }, { " ", 1 }, { "\r\n", 2 }, { "\xff", 1 },
    { ".", 1 }, { "-", 1 }, { "+", 1 }, { ">", 1 }, { "@", 1 }, { "\xc3\xa9", 2 },
    { "RCPT TO:<a@b>\r\n", 15 }, { " SIZE=1", 7 },
};

START_TEST(test_lane_build)
{
    smtpp_parser p;
    const char *name, *want = NULL;
    smtpp_parser_init(&p, 0);
    name = smtpp__lane_name(&p);
#if defined(SMTPP_HAVE_LANE)
#  if defined(__x86_64__)
    want = "sse2";
#    if defined(SMTPP_HAVE_AVX2)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi")) want = "avx2";
#    endif
#  else
    want = "neon";
#  endif
#endif
    printf("command lane of this build and CPU: %s\n", name ? name : "none");
    if (want) ck_assert_str_eq(name, want);
    else ck_assert_ptr_null(name);
}
END_TEST

/* The usual lines take the lane, whatever follows them, and also with
 * fewer than SMTPP_LANE_READ readable octets, down to the line itself (or
 * SMTPP_LANE_MIN); with fewer than SMTPP_LANE_MIN, nothing does. */
START_TEST(test_lane_taken)
{
    smtpp_parser p;
    uchar buf[SMTPP_LANE_READ];
    char text[4096];
    dbuf d = { text, 0, sizeof text };
    size_t i, k;
    smtpp_parser_init(&p, 0);
    for (i = 0; i < sizeof usual / sizeof usual[0]; i++) {
        size_t n = strlen(usual[i]);
        for (k = 0; k < sizeof fills / sizeof fills[0]; k++) {
            size_t r = lane_on(&p, buf, usual[i], n, fills[k].s, fills[k].n, &d);
#if defined(SMTPP_HAVE_LANE)
            ck_assert_msg(r == n, "lane did not take %s (fill %zu): %zu", usual[i], k, r);
#else
            ck_assert_uint_eq(r, 0);
#endif
        }
        {
            smtpp_command c;
            size_t len;
            memcpy(buf, usual[i], n);
            for (len = n > SMTPP_LANE_MIN ? n : SMTPP_LANE_MIN; len < SMTPP_LANE_READ; len++) {
#if defined(SMTPP_HAVE_LANE)
                ck_assert_msg(smtpp__command_lane(&p, buf, len, &c) == n,
                              "lane did not take %s with %zu octets readable", usual[i], len);
#else
                ck_assert_uint_eq(smtpp__command_lane(&p, buf, len, &c), 0);
#endif
            }
            ck_assert_uint_eq(smtpp__command_lane(&p, buf, SMTPP_LANE_MIN - 1, &c), 0);
        }
    }
}
END_TEST

/* The answer depends only on the line: every fill after it gives the same
 * length and the same command (or 0 every time). */
START_TEST(test_lane_ignores_what_follows)
{
    static const unsigned flags[] = { 0, SMTPP_LENIENT_BARE_LF | SMTPP_ACCEPT_UNKNOWN_PARAMS };
    smtpp_parser p;
    uchar buf[SMTPP_LANE_READ];
    char t0[4096], t1[4096];
    dbuf d0 = { t0, 0, sizeof t0 }, d1 = { t1, 0, sizeof t1 };
    size_t i, k, f;
    for (f = 0; f < 2; f++) {
        smtpp_parser_init(&p, flags[f]);
        for (i = 0; i < sizeof usual / sizeof usual[0] + sizeof others / sizeof others[0]; i++) {
            const char *line = i < sizeof usual / sizeof usual[0]
                                   ? usual[i] : others[i - sizeof usual / sizeof usual[0]];
            size_t n = strlen(line), r0 = lane_on(&p, buf, line, n, fills[0].s, fills[0].n, &d0);
            /* a line that ends in a bare LF is never taken */
            if (n < 2 || line[n - 2] != '\r') ck_assert_uint_eq(r0, 0);
            ck_assert(r0 == 0 || r0 == n);
            for (k = 1; k < sizeof fills / sizeof fills[0]; k++) {
                size_t r1 = lane_on(&p, buf, line, n, fills[k].s, fills[k].n, &d1);
                ck_assert_msg(r1 == r0 && strcmp(t0, t1) == 0,
                              "%s: fill %zu gives %zu [%s], zeros %zu [%s]", line, k, r1, t1,
                              r0, t0);
            }
        }
    }
}
END_TEST

/* A mailbox of a local part of L octets and a domain of D octets (each
 * at most 70), into out (NUL-terminated): a Dot-string of letters, digits
 * and "-./_+=" (never a dot first, last or next to another) "@" LDH labels
 * (never a hyphen first or last in a label). */
static void make_mailbox(char *out, size_t L, size_t D)
{
    static const char lp[] = "ab.cd-ef_gh+ij=kl/mn", dp[] = "a1-b2.c3";
    size_t i;
    for (i = 0; i < L; i++) out[i] = lp[i % (sizeof lp - 1)];
    if (out[L - 1] == '.') out[L - 1] = 'x';
    out[L] = '@';
    for (i = 0; i < D; i++) out[L + 1 + i] = dp[i % (sizeof dp - 1)];
    if (out[L + D] == '.' || out[L + D] == '-') out[L + D] = 'z';
    out[L + 1 + D] = 0;
}

/* The lane on "RCPT TO:<mb>\r\n", the line alone in a heap region of len
 * octets (len >= its length), or followed by zeros: its answer, the
 * command into *c. */
static size_t lane_on_mailbox(const smtpp_parser *p, const char *mb, size_t len,
                              smtpp_command *c, size_t *n)
{
    uchar *buf;
    size_t r;
    char line[200];
    *n = (size_t)snprintf(line, sizeof line, "RCPT TO:<%s>\r\n", mb);
    ck_assert_uint_ge(len, *n);
    buf = calloc(1, len);
    ck_assert_ptr_nonnull(buf);
    memcpy(buf, line, *n);
    memset(c, 0xa5, sizeof *c);
    r = smtpp__command_lane(p, buf, len, c);
    if (r) {
        ck_assert_ptr_eq(c->path.local.p, (const char *)buf + 9);
        ck_assert_ptr_eq(c->path.domain.p, c->path.local.p + c->path.local.n + 1);
    }
    free(buf);
    return r;
}

/* Every local part length from 1 to 66 with every domain length from 1 to
 * 66: the edges of the lane's windows (16-octet vectors, 32- and 64-octet
 * windows) among them.  A valid mailbox of at most 62 + 62 octets is
 * taken, with its local part and domain as long as they are, whatever the
 * room after the line (down to none: the framing's copy); a longer one may
 * be left to the general path, but is never taken wrong.  Broken at each
 * of the rules of RFC 5321 4.1.2 (a Dot-string: no dot first, last or
 * next to another; a Domain: LDH labels, none empty, none starting or
 * ending with a hyphen; "_" in no label), it is never taken. */
START_TEST(test_lane_mailbox_lengths)
{
    static const size_t after[] = { 0, 1, 7, 16, 33, 63, 64, 200 };
    smtpp_parser p;
    smtpp_command c;
    char mb[160], bad[160];
    size_t L, D, i, j, n;
    smtpp_parser_init(&p, 0);
    for (L = 1; L <= 66; L++) {
        for (D = 1; D <= 66; D++) {
            make_mailbox(mb, L, D);
            for (i = 0; i < sizeof after / sizeof after[0]; i++) {
                size_t len = 9 + L + 1 + D + 3 + after[i];
                size_t r;
                if (len < SMTPP_LANE_MIN) len = SMTPP_LANE_MIN;   /* the least it looks at */
                r = lane_on_mailbox(&p, mb, len, &c, &n);
#if defined(SMTPP_HAVE_LANE)
                if (L <= 62 && D <= 62)
                    ck_assert_msg(r == n, "%s not taken with %zu octets after it", mb, after[i]);
#endif
                if (r) {
                    ck_assert_uint_eq(r, n);
                    ck_assert_uint_eq(c.path.local.n, L);
                    ck_assert_uint_eq(c.path.domain.n, D);
                    ck_assert_int_eq(c.path.kind, SMTPP_PATH_MAILBOX);
                    ck_assert_int_eq(c.path.domain_kind, SMTPP_DOMAIN_NAME);
                }
            }
            /* broken: each must be refused, with room after it or none */
            for (j = 0; j < L + 1 + D; j++) {
                if (j == L) continue;   /* the "@" */
                memcpy(bad, mb, L + D + 2);
                if (j == 0 || j == L - 1) {
                    bad[j] = '.';                   /* a dot first or last */
                } else if (j < L) {
                    bad[j] = bad[j + 1] = '.';      /* two dots together */
                } else {
                    bad[j] = '_';                   /* not in a domain */
                }
                for (i = 0; i < 2; i++) {
                    size_t len = 9 + L + 1 + D + 3 + (i ? 200 : 0);
                    if (len < SMTPP_LANE_MIN) len = SMTPP_LANE_MIN;
                    ck_assert_msg(lane_on_mailbox(&p, bad, len, &c, &n) == 0, "%s taken", bad);
                }
                if (j == L + 1 || j == L + D) {   /* a dot or hyphen first or last */
                    bad[j] = '.';
                    ck_assert_msg(lane_on_mailbox(&p, bad, 9 + L + D + 4 + 200, &c, &n) == 0,
                                  "%s taken", bad);
                    bad[j] = '-';
                    ck_assert_msg(lane_on_mailbox(&p, bad, 9 + L + D + 4 + 200, &c, &n) == 0,
                                  "%s taken", bad);
                }
            }
        }
    }
}
END_TEST

#if defined(SMTPP_CHECK_FAST_PATHS)
/* Through smtpp_parse_command: the oracle confirms each line the lane took
 * (parser/lane_check.c counts them), so every usual line in a buffer with
 * room for the lane is one more. */
START_TEST(test_lane_taken_by_parser)
{
    smtpp_parser p;
    char buf[2048];
    size_t i;
    smtpp_parser_init(&p, 0);
    for (i = 0; i < sizeof usual / sizeof usual[0]; i++) {
        smtpp_command c;
        size_t n = strlen(usual[i]), used = 0;
        unsigned long before = smtpp__lane_checked;
        memset(buf, 0, sizeof buf);
        memcpy(buf, usual[i], n);
        ck_assert_int_eq(smtpp_parse_command(&p, buf, sizeof buf, &c, &used), SMTPP_DONE);
        ck_assert_uint_eq(used, n);
        ck_assert_int_eq(c.error, 0);
        smtpp_parser_reset(&p);
#  if defined(SMTPP_HAVE_LANE)
        ck_assert_uint_eq(smtpp__lane_checked, before + 1);
#  else
        ck_assert_uint_eq(smtpp__lane_checked, before);
#  endif
    }
}
END_TEST
#endif

#if defined(SMTPP_CHECK_FAST_PATHS)
/* A new parser given the first cut octets of in (AGAIN, nothing consumed),
 * then the first whole (DONE: one reply into *r, whose first line's text
 * must be `text`), each read in a heap region of its exact size: the
 * lines the lane took. */
static unsigned long reply_after_cut(const char *in, size_t cut, size_t whole, const char *text,
                                     smtpp_reply *r, size_t *used)
{
    smtpp_reply_parser p;
    unsigned long before = smtpp__reply_lane_lines;
    char *region = malloc(cut);
    ck_assert_ptr_nonnull(region);
    smtpp_reply_parser_init(&p, 0);
    memcpy(region, in, cut);
    ck_assert_int_eq(smtpp_parse_reply(&p, region, cut, r, used), SMTPP_AGAIN);
    ck_assert_uint_eq(*used, 0);
    free(region);
    region = malloc(whole);
    ck_assert_ptr_nonnull(region);
    memcpy(region, in, whole);
    ck_assert_int_eq(smtpp_parse_reply(&p, region, whole, r, used), SMTPP_DONE);
    ck_assert_msg(r->first.n == strlen(text) && memcmp(r->first.p, text, r->first.n) == 0,
                  "cut %zu of %zu: the text", cut, whole);
    free(region);
    return smtpp__reply_lane_lines - before;
}

/* A reply's first line cut short by the end of a read, with fewer
 * octets than the lane reads: the lane takes it once the next read brings
 * them (reply.re looks at it again from its start), and the replies come
 * out right. */
START_TEST(test_reply_lane_after_short_read)
{
    static const char in[] = "250 2.1.5 OK\r\n"
                             "250 2.0.0 OK: queued as 4Xq1Lz0Xb7z9tB, the second reply\r\n";
    size_t cut;
    for (cut = 1; cut < 14; cut++) {
        smtpp_reply r;
        size_t used;
        unsigned long lane = reply_after_cut(in, cut, sizeof in - 1, "OK", &r, &used);
        ck_assert_msg(r.error == 0 && r.code == 250 && r.enhanced.cls == 2 &&
                          r.enhanced.subject == 1 && r.enhanced.detail == 5 && used == 14,
                      "cut %zu: error %d, code %u, used %zu", cut, r.error, r.code, used);
#  if defined(SMTPP_HAVE_LANE)
        ck_assert_msg(lane == 1, "cut %zu: not the lane", cut);
#  else
        ck_assert_uint_eq(lane, 0);
#  endif
    }
}
END_TEST

/* The same with a first line longer than the lane's first window (100
 * octets), cut at every octet: when the cut left fewer than
 * SMTPP_REPLY_LANE_READ octets, the lane takes the line once the next read
 * brings its end, whether that read ends with the line (fewer than
 * SMTPP_REPLY_LANE_SPAN octets readable: the second window ends at the
 * region's end) or goes on (a second reply after it); after a longer cut
 * the framing goes on from where it stopped, and the general path lexes
 * the line.  The reply comes out the same either way. */
START_TEST(test_reply_lane_long_line_after_short_read)
{
    static const char in[] = "550 5.1.1 <someone@example.com>: Recipient address rejected: "
                             "User unknown in local recipient table\r\n"
                             "221 2.0.0 Bye\r\n";
    static const char text[] = "<someone@example.com>: Recipient address rejected: "
                               "User unknown in local recipient table";
    const size_t line = sizeof in - 1 - 15;
    size_t cut, whole;
    ck_assert_uint_eq(line, 100);
    for (whole = line; whole <= sizeof in - 1; whole += sizeof in - 1 - line) {
        for (cut = 1; cut < line; cut++) {
            smtpp_reply r;
            size_t used;
            unsigned long lane = reply_after_cut(in, cut, whole, text, &r, &used);
            ck_assert_msg(r.error == 0 && r.code == 550 && r.enhanced.cls == 5 &&
                              r.enhanced.subject == 1 && r.enhanced.detail == 1 && used == line,
                          "cut %zu of %zu: error %d, code %u, used %zu", cut, whole, r.error,
                          r.code, used);
#  if defined(SMTPP_HAVE_LANE)
            ck_assert_msg(lane == (cut < SMTPP_REPLY_LANE_READ),
                          "cut %zu of %zu: %lu lines by the lane", cut, whole, lane);
#  else
            ck_assert_uint_eq(lane, 0);
#  endif
        }
    }
}
END_TEST

/* Replies as servers send them, whole in a region of their exact size:
 * the lane takes every line with SMTPP_REPLY_LANE_MIN (16) octets or more
 * from its start to the region's end (the last lines read only up to it:
 * the guard-page runs of test_reply check that), the general path the
 * rest, and the replies come out right. */
START_TEST(test_reply_lane_to_region_end)
{
    static const char in[] =
        "220 mx.example.com ESMTP ready\r\n"
        "250-mx.example.com at your service, [192.0.2.1]\r\n"
        "250-SIZE 157286400\r\n250-8BITMIME\r\n250-PIPELINING\r\n250 SMTPUTF8\r\n"
        "250 2.1.0 OK\r\n250 2.1.5 OK\r\n354 Go ahead\r\n"
        "250 2.0.0 OK: queued as 4Xq1Lz0Xb7z9tB\r\n"
        "550-5.1.1 The email account that you tried to reach does not exist.\r\n"
        "550 5.1.1 Please try again.\r\n221 2.0.0 Bye\r\n250 2.1.5 OK\r\n250\r\n";
    static const unsigned codes[] = { 220, 250, 250, 250, 354, 250, 550, 221, 250, 250 };
    const size_t n = sizeof in - 1;
    size_t i, want = 0, off = 0, k = 0;
    unsigned long before = smtpp__reply_lane_lines;
    smtpp_reply_parser p;
    char *region = malloc(n);
    ck_assert_ptr_nonnull(region);
    memcpy(region, in, n);
    for (i = 0; i < n; i++)
        if (i == 0 || in[i - 1] == '\n') want += n - i >= SMTPP_REPLY_LANE_MIN;
    ck_assert_uint_lt(want, 15);   /* the last lines are short of it */
    smtpp_reply_parser_init(&p, 0);
    while (off < n) {
        smtpp_reply r;
        size_t used;
        ck_assert_int_eq(smtpp_parse_reply(&p, region + off, n - off, &r, &used), SMTPP_DONE);
        ck_assert_uint_lt(k, sizeof codes / sizeof codes[0]);
        ck_assert_msg(r.error == 0 && r.code == codes[k], "reply %zu: error %d, code %u", k,
                      r.error, r.code);
        k++;
        off += used;
    }
    ck_assert_uint_eq(k, sizeof codes / sizeof codes[0]);
#  if defined(SMTPP_HAVE_LANE)
    ck_assert_uint_eq(smtpp__reply_lane_lines - before, want);
#  else
    ck_assert_uint_eq(smtpp__reply_lane_lines, before);
#  endif
    free(region);
}
END_TEST
#endif

/* The reply lane near the end of a region (fewer than
 * SMTPP_REPLY_LANE_SPAN octets readable, each region an exact-size heap
 * copy, so that the sanitizer build sees any read past it): a reply line
 * whose CRLF is in the region is taken whole, down to SMTPP_REPLY_LANE_MIN
 * readable octets, and up to the region's end when 64 or more are (the
 * second window then ends at the region's end, overlapping the first); a
 * region with no control character in it is SMTPP_REPLY_LANE_NO_END with
 * fewer than SMTPP_REPLY_LANE_READ readable, else 0; one with a control
 * character but no CRLF (a CR at its end, a NUL) is 0, and left to the
 * framing. */
START_TEST(test_reply_lane_near_region_end)
{
    smtpp_reply_parser p;
    size_t avail, n;
    smtpp_reply_parser_init(&p, 0);
    for (avail = SMTPP_REPLY_LANE_MIN; avail < SMTPP_REPLY_LANE_SPAN; avail++) {
        uchar *b = malloc(avail);
        rp_line l;
        ck_assert_ptr_nonnull(b);
        /* "250 xx..x\r\n" of n octets, then the start of the next line */
        for (n = 6; n <= avail; n++) {
            memset(b, 'x', avail);
            memcpy(b, "250 ", 4);
            memcpy(b + n - 2, "\r\n", 2);
            if (n < avail) b[n] = '2';
#if defined(SMTPP_HAVE_LANE)
            ck_assert_msg(smtpp__reply_lane(&p, b, avail, &l) == n,
                          "a line of %zu octets, %zu readable", n, avail);
            ck_assert_int_eq(l.code, 250);
            ck_assert_uint_eq(l.text_off, 4);
            ck_assert_uint_eq(l.text_end, n - 2);
#else
            ck_assert_uint_eq(smtpp__reply_lane(&p, b, avail, &l), 0);
#endif
        }
        /* no line end in the region */
        memset(b, 'x', avail);
        memcpy(b, "250 ", 4);
        n = smtpp__reply_lane(&p, b, avail, &l);
#if defined(SMTPP_HAVE_LANE)
        ck_assert_msg(n == (avail < SMTPP_REPLY_LANE_READ ? SMTPP_REPLY_LANE_NO_END : 0),
                      "%zu readable: %zu", avail, n);
#else
        ck_assert_uint_eq(n, 0);
#endif
        /* a control character, but no CRLF: for the framing to decide */
        b[avail - 1] = '\r';
        ck_assert_uint_eq(smtpp__reply_lane(&p, b, avail, &l), 0);
        b[avail - 1] = 'x';
        b[avail / 2] = '\0';
        ck_assert_uint_eq(smtpp__reply_lane(&p, b, avail, &l), 0);
        free(b);
    }
    {
        uchar b[SMTPP_REPLY_LANE_MIN - 1];
        rp_line l;
        memcpy(b, "250 2.0.0 Ok\r\n", 14);
        ck_assert_uint_eq(smtpp__reply_lane(&p, b, sizeof b, &l), 0);
    }
    /* the longest line it takes, with room to spare: SMTPP_REPLY_LANE_SPAN
     * octets, CRLF included */
    for (n = SMTPP_REPLY_LANE_SPAN - 2; n <= SMTPP_REPLY_LANE_SPAN + 2; n++) {
        const size_t room = 2 * SMTPP_REPLY_LANE_SPAN;
        uchar *b = malloc(room);
        rp_line l;
        size_t want = 0;
        ck_assert_ptr_nonnull(b);
        memset(b, 'x', room);
        memcpy(b, "250 ", 4);
        memcpy(b + n - 2, "\r\n", 2);
#if defined(SMTPP_HAVE_LANE)
        want = n <= SMTPP_REPLY_LANE_SPAN ? n : 0;
#endif
        ck_assert_msg(smtpp__reply_lane(&p, b, room, &l) == want, "a line of %zu octets", n);
        free(b);
    }
}
END_TEST

/* A reply line with no LF yet, read by read, near and at the line limit:
 * the parser waits (AGAIN, nothing consumed) while the line is shorter
 * than max_line octets, reports SMTPP_RE_LINE_TOO_LONG once max_line
 * octets have come without an LF (reply.h, "Limits"), and parses the line
 * when its CRLF comes within the limit. */
START_TEST(test_reply_no_lf_near_limit)
{
    static const size_t limits[] = { 16, 17, 24, 31, 32, 33, 48, 63, 64, 65, 512 };
    size_t k, len;
    for (k = 0; k < sizeof limits / sizeof limits[0]; k++)
        for (len = 1; len <= 80; len++) {
            smtpp_reply_parser p;
            smtpp_reply r;
            size_t used, max = limits[k];
            char *b = malloc(len + 2);
            int res;
            ck_assert_ptr_nonnull(b);
            memset(b, 'y', len + 2);
            memcpy(b, "250 ", len < 4 ? len : 4);
            smtpp_reply_parser_init(&p, 0);
            p.max_line = max;
            res = smtpp_parse_reply(&p, b, len, &r, &used);
            if (len >= max) {
                ck_assert_msg(res == SMTPP_DONE && r.error == SMTPP_RE_LINE_TOO_LONG,
                              "limit %zu, %zu octets: %d, error %d", max, len, res, r.error);
            } else {
                ck_assert_msg(res == SMTPP_AGAIN && used == 0, "limit %zu, %zu octets: %d",
                              max, len, res);
                memcpy(b + len, "\r\n", 2);
                res = smtpp_parse_reply(&p, b, len + 2, &r, &used);
                if (len + 2 > max || len < 3) {
                    ck_assert_msg(res == SMTPP_DONE && r.error != 0,
                                  "limit %zu, %zu + CRLF: %d, error %d", max, len, res, r.error);
                } else {
                    ck_assert_msg(res == SMTPP_DONE && r.error == 0 && r.code == 250 &&
                                      used == len + 2,
                                  "limit %zu, %zu + CRLF: %d, error %d", max, len, res,
                                  r.error);
                }
            }
            free(b);
        }
}
END_TEST

static Suite *lane_suite(void)
{
    Suite *s = suite_create("lane");
    TCase *tc = tcase_create("contract");
    tcase_add_test(tc, test_lane_build);
    tcase_add_test(tc, test_lane_taken);
    tcase_add_test(tc, test_lane_ignores_what_follows);
    tcase_add_test(tc, test_lane_mailbox_lengths);
    tcase_add_test(tc, test_reply_lane_near_region_end);
    tcase_add_test(tc, test_reply_no_lf_near_limit);
#if defined(SMTPP_CHECK_FAST_PATHS)
    tcase_add_test(tc, test_lane_taken_by_parser);
    tcase_add_test(tc, test_reply_lane_after_short_read);
    tcase_add_test(tc, test_reply_lane_long_line_after_short_read);
    tcase_add_test(tc, test_reply_lane_to_region_end);
#endif
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(lane_suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
