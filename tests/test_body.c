/* DATA bodies and BDAT chunks: dot-unstuffing, the end-of-data mark, the
 * SMTP smuggling variants, SIZE and line limits, chunk framing.  Every
 * case also split at every byte and byte by byte. */
#include "transcript.h"

static smtpp_config cfg;

static void setup_cfg(void)
{
    smtpp_config_init(&cfg, "mx.test");
    cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_SIZE) | SMTPP_EXT_BIT(SMTPP_EXT_BINARYMIME) |
                SMTPP_EXT_BIT(SMTPP_EXT_CHUNKING);
}

#define TX(c_, in_, dec_, exp_)                                             \
    do {                                                                    \
        tx_case t_ = { (c_), (in_), (dec_), (exp_), 0, 0, 0, 0 };           \
        tx_check(&t_);                                                      \
    } while (0)

#define G "GREETING 220  GREETING\n"
#define PRE "EHLO c.test\r\n" W "MAIL FROM:<a@b.test>\r\n" W "RCPT TO:<c@d.test>\r\n" W
#define PRE_T G "EHLO ?250\nMAIL ?250\nRCPT ?250\n"

START_TEST(dot_stuffing)
{
    setup_cfg();
    TX(&cfg, PRE "DATA\r\n" W "..\r\n...x\r\n.y\r\na.\r\n\r\n.\r\n" W "NOOP\r\n" W, "",
       PRE_T "DATA ?354\nBODY [.\\0d\\0a..x\\0d\\0ay\\0d\\0aa.\\0d\\0a\\0d\\0a]\nDATA ?250\n"
       "NOOP 250 2.0.0 OK\nEND READY\n");
}
END_TEST

/* Each smuggling shape is content; the real end comes later; the message
 * is refused with 550 5.5.2 and the "commands" inside are never run. */
static const char *const smuggle[] = {
    "\n.\n", "\n.\r\n", "\r.\r", "\r\n.\n", "\r\n.\r", "\r.\r\n", ".\n", "\r\n.\rX",
    "\n..\r\n", "x\rx", "x\nx",
};

/* The content handed back: the message up to its first fault (a bare CR
 * is known to be bare only at the byte after it, so it is included). */
static const char *const prefix[] = {
    "a", "a", "a\\0d", "a\\0d\\0a", "a\\0d\\0a", "a\\0d", "a.", "a\\0d\\0a",
    "a", "ax\\0d", "ax",
};

START_TEST(smuggling_rejected)
{
    char in[512], want[1024];
    size_t i;
    setup_cfg();
    for (i = 0; i < sizeof smuggle / sizeof smuggle[0]; i++) {
        snprintf(in, sizeof in, PRE "DATA\r\n" W "a%sMAIL FROM:<evil@x.test>\r\nRCPT TO:<v@x.test>\r\n"
                 "DATA\r\nevil\r\n.\r\n" W "QUIT\r\n", smuggle[i]);
        snprintf(want, sizeof want, PRE_T "DATA ?354\nBODY [%s]\nDATA 550 5.5.2 BARE_LINE_END\n"
                 "QUIT 221 2.0.0 BYE close\nCLOSE\nEND CLOSED\n", prefix[i]);
        TX(&cfg, in, "", want);
    }
}
END_TEST

START_TEST(smuggling_pass_policy)
{
    setup_cfg();
    cfg.flags |= SMTPP_CFG_PASS_BARE;
    /* bytes kept as content; a line-start dot after a real CRLF still goes */
    TX(&cfg, PRE "DATA\r\n" W "a\n.\nb\r.\rc\r\n.\nd\r\n.\re\r\n.\r\n" W, "",
       PRE_T "DATA ?354\nBODY [a\\0a.\\0ab\\0d.\\0dc\\0d\\0a\\0ad\\0d\\0a\\0de\\0d\\0a]\n"
       "DATA ?250\nEND READY\n");
}
END_TEST

START_TEST(size_and_line_limits)
{
    setup_cfg();
    cfg.max_size = 10;
    TX(&cfg, PRE "DATA\r\n" W "12345678\r\n.\r\n" W "MAIL FROM:<a@b.test>\r\n" W "RCPT TO:<c@d.test>\r\n" W
             "DATA\r\n" W "123456789\r\n.\r\n" W,
       "",
       PRE_T "DATA ?354\nBODY [12345678\\0d\\0a]\nDATA ?250\nMAIL ?250\nRCPT ?250\nDATA ?354\n"
       "BODY [123456789\\0d]\nDATA 552 5.3.4 SIZE_EXCEEDED\nEND READY\n");
    setup_cfg();
    cfg.max_text_line = 8;
    TX(&cfg, PRE "DATA\r\n" W "123456\r\n..2345\r\n.\r\n" W "MAIL FROM:<a@b.test>\r\n" W
             "RCPT TO:<c@d.test>\r\n" W "DATA\r\n" W "1234567\r\nx\r\n.\r\n" W,
       "",
       PRE_T "DATA ?354\nBODY [123456\\0d\\0a.2345\\0d\\0a]\nDATA ?250\nMAIL ?250\nRCPT ?250\n"
       "DATA ?354\nBODY [123456]\nDATA 500 5.5.2 DATA_LINE_TOO_LONG\nEND READY\n");
    /* both: the fault first in the stream decides, whatever the chunking
     * (size: the 16th content octet; line: the 11th digit) */
    setup_cfg();
    cfg.max_size = 15;
    cfg.max_text_line = 12;
    TX(&cfg, PRE "DATA\r\n" W "ab\r\n..\r\n12345678901234\r\n.\r\n" W "MAIL FROM:<a@b.test>\r\n" W
             "RCPT TO:<c@d.test>\r\n" W "DATA\r\n" W "ab\r\n12345678901234\r\n.\r\n" W,
       "",
       PRE_T "DATA ?354\nBODY [ab\\0d\\0a.\\0d\\0a12345678]\nDATA 552 5.3.4 SIZE_EXCEEDED\nMAIL ?250\n"
       "RCPT ?250\nDATA ?354\nBODY [ab\\0d\\0a1234567890]\nDATA 500 5.5.2 DATA_LINE_TOO_LONG\n"
       "END READY\n");
}
END_TEST

/* Drives one command through parser and session; returns the verdict's action. */
static int run_cmd(smtpp_session *s, const char *line, smtpp_verdict *v)
{
    smtpp_parser p;
    smtpp_command c;
    size_t used;
    smtpp_parser_init(&p, 0);
    ck_assert_int_eq(smtpp_parse_command(&p, line, strlen(line), &c, &used), SMTPP_DONE);
    ck_assert_uint_eq(used, strlen(line));
    return smtpp_session_check(s, &c, 0, v);
}

/* Reads a whole chunk; returns the verdict's action after it. */
static int run_chunk(smtpp_session *s, const char *bytes, smtpp_verdict *v)
{
    smtpp_str out;
    size_t used, n = strlen(bytes), at = 0;
    int r;
    do {
        r = smtpp_session_data(s, bytes + at, n - at, &out, &used);
        at += used;
    } while (r == SMTPP_AGAIN && at < n);
    ck_assert_int_eq(r, SMTPP_DONE);
    return smtpp_session_data_end(s, v);
}

START_TEST(bdat_final_reply_text)
{
    smtpp_session s;
    smtpp_verdict v;
    setup_cfg();
    smtpp_session_init(&s, &cfg);
    smtpp_session_greeting(&s, 220, 0, &v);
    ck_assert_int_eq(run_cmd(&s, "EHLO c.test\r\n", &v), SMTPP_ACT_DECIDE);
    smtpp_session_sent(&s, SMTPP_VERB_EHLO, 250);
    ck_assert_int_eq(run_cmd(&s, "MAIL FROM:<a@b.test>\r\n", &v), SMTPP_ACT_DECIDE);
    smtpp_session_sent(&s, SMTPP_VERB_MAIL, 250);
    ck_assert_int_eq(run_cmd(&s, "RCPT TO:<c@d.test>\r\n", &v), SMTPP_ACT_DECIDE);
    smtpp_session_sent(&s, SMTPP_VERB_RCPT, 250);
    /* a chunk that is not the last one: the chunk is accepted */
    ck_assert_int_eq(run_cmd(&s, "BDAT 2\r\n", &v), SMTPP_ACT_BODY);
    ck_assert_int_eq(run_chunk(&s, "ab", &v), SMTPP_ACT_DECIDE);
    ck_assert_int_eq(v.id, SMTPP_V_CHUNK_OK);
    ck_assert_str_eq(v.text, "Chunk accepted");
    smtpp_session_sent(&s, SMTPP_VERB_BDAT, 250);
    /* the last chunk: the reply is the message's */
    ck_assert_int_eq(run_cmd(&s, "BDAT 1 LAST\r\n", &v), SMTPP_ACT_BODY);
    ck_assert_int_eq(run_chunk(&s, "c", &v), SMTPP_ACT_DECIDE);
    ck_assert_int_eq(v.id, SMTPP_V_MESSAGE_OK);
    ck_assert_int_eq(v.code, 250);
    ck_assert_str_eq(v.enhanced, "2.0.0");
    ck_assert_str_eq(v.text, "Message accepted");
    ck_assert_int_eq(smtpp_session_sent(&s, SMTPP_VERB_BDAT, 250), 0);
    ck_assert_uint_eq(s.messages, 1);
    ck_assert_int_eq(s.state, SMTPP_ST_READY);
}
END_TEST

START_TEST(bdat_chunks)
{
    setup_cfg();
    cfg.max_size = 10;
    /* chunks, including CRLF.CRLF inside (no dot-stuffing), then LAST */
    TX(&cfg, PRE "BDAT 5\r\n\r\n.\r\n" W "BDAT 3 LAST\r\nabc" W "NOOP\r\n" W, "",
       PRE_T "CHUNK [\\0d\\0a.\\0d\\0a]\nBDAT ?250\nCHUNK [abc]\nBDAT ?250\nNOOP 250 2.0.0 OK\n"
       "END READY\n");
    /* BDAT 0 LAST; pipelined chunks */
    TX(&cfg, PRE "BDAT 2\r\nabBDAT 0 LAST\r\n" W, "",
       PRE_T "CHUNK [ab]\nBDAT ?250\nCHUNK []\nBDAT ?250\nEND READY\n");
    /* too large against SIZE: consumed, refused; later chunks refused */
    TX(&cfg, PRE "BDAT 8\r\n12345678BDAT 3\r\n123BDAT 1 LAST\r\nx" W "RCPT TO:<c@d.test>\r\n" W, "",
       PRE_T "CHUNK [12345678]\nBDAT ?250\nCHUNK []\nBDAT 552 5.3.4 SIZE_EXCEEDED\n"
       "CHUNK []\nBDAT 503 5.5.1 BDAT_FAILED\nRCPT 503 5.5.1 NEED_MAIL\nEND READY\n");
    /* server refuses a chunk: the rest of the transaction fails */
    TX(&cfg, PRE "BDAT 1\r\nxBDAT 1 LAST\r\ny" W, "= = = 451",
       PRE_T "CHUNK [x]\nBDAT ?451\nCHUNK []\nBDAT 503 5.5.1 BDAT_FAILED\nEND READY\n");
    /* sequence: no MAIL, no RCPT, DATA after BDAT, RCPT after BDAT, DATA with BINARYMIME */
    TX(&cfg, "EHLO c.test\r\n" W "BDAT 2\r\nxy" W "MAIL FROM:<a@b.test>\r\n" W "BDAT 1\r\nz" W
             "RCPT TO:<c@d.test>\r\n" W "BDAT 1\r\nz" W "DATA\r\n" W "RCPT TO:<e@d.test>\r\n" W
             "BDAT 0 LAST\r\n" W,
       "",
       G "EHLO ?250\nCHUNK []\nBDAT 503 5.5.1 NEED_MAIL\nMAIL ?250\nCHUNK []\n"
       "BDAT 503 5.5.1 NEED_RCPT\nRCPT ?250\nCHUNK [z]\nBDAT ?250\n"
       "DATA 503 5.5.1 DATA_AFTER_BDAT\nRCPT 503 5.5.1 RCPT_AFTER_BDAT\nCHUNK []\nBDAT ?250\n"
       "END READY\n");
    /* an unparseable count: the stream is lost */
    TX(&cfg, PRE "BDAT 1x\r\nabc" W, "", PRE_T "BDAT 501 5.5.4 BDAT_SYNTAX close\nCLOSE\nEND CLOSED\n");
    TX(&cfg, PRE "BDAT 99999999999999999999999\r\n" W, "",
       PRE_T "BDAT 501 5.5.4 BDAT_SYNTAX close\nCLOSE\nEND CLOSED\n");
    /* LMTP: one reply per recipient after BDAT LAST */
    cfg.flags |= SMTPP_CFG_LMTP;
    TX(&cfg, "LHLO c.test\r\n" W "MAIL FROM:<a@b.test>\r\n" W "RCPT TO:<c@d.test>\r\n" W
             "RCPT TO:<e@d.test>\r\n" W "BDAT 1\r\nxBDAT 1 LAST\r\ny" W,
       "= = = = = 250 550",
       G "LHLO ?250\nMAIL ?250\nRCPT ?250\nRCPT ?250\nCHUNK [x]\nBDAT ?250\nCHUNK [y]\n"
       "BDAT ?250 ?550\nEND READY\n");
}
END_TEST

/* The scanner alone: output identical for every split, no over-read. */
static void scan_lim(const char *in, size_t n, const size_t *cuts, size_t ncuts, dbuf *d,
                     unsigned fl, uint64_t max_size, uint32_t max_line)
{
    smtpp_data s;
    size_t k, prev = 0, have = 0, consumed = 0;
    char *acc = (char *)malloc(n + 1);
    int r = SMTPP_AGAIN;
    smtpp_data_init(&s, fl, max_size, max_line);
    for (k = 0; k <= ncuts && r != SMTPP_DONE; k++) {
        size_t end = k < ncuts ? cuts[k] : n;
        memcpy(acc + have, in + prev, end - prev);
        have += end - prev;
        prev = end;
        for (;;) {
            smtpp_str o;
            size_t used;
            char *rg = have ? (char *)malloc(have) : NULL;
            if (rg) memcpy(rg, acc, have);
            r = smtpp_data_parse(&s, rg, have, &o, &used);
            dput(d, o.p, o.n);
            free(rg);
            memmove(acc, acc + used, have - used);
            have -= used;
            consumed += used;
            if (r != SMTPP_MORE) break;
        }
    }
    {
        char t[96];
        snprintf(t, sizeof t, " r=%d left=%zu err=%d cr=%u lf=%u size=%llu", r, n - consumed, s.error,
                 s.bare_cr, s.bare_lf, (unsigned long long)s.size);
        dputs(d, t);
    }
    free(acc);
}

static void scan(const char *in, size_t n, const size_t *cuts, size_t ncuts, dbuf *d, unsigned fl)
{
    scan_lim(in, n, cuts, ncuts, d, fl, 0, 0);
}

/* in[0..n) scanned whole, split in two at every byte and byte by byte:
 * the same content, error, counts and size every time. */
static void scan_every_split(const char *in, size_t n, unsigned fl, uint64_t max_size,
                             uint32_t max_line, const char *what)
{
    static char wb[8192], sb[8192];
    size_t cut, *cuts;
    dbuf w = { wb, 0, sizeof wb }, s;
    scan_lim(in, n, NULL, 0, &w, fl, max_size, max_line);
    for (cut = 1; cut < n; cut++) {
        s = (dbuf){ sb, 0, sizeof sb };
        scan_lim(in, n, &cut, 1, &s, fl, max_size, max_line);
        if (strcmp(w.p, s.p) != 0)
            ck_abort_msg("%s (size %llu, line %u, flags %u) split at %zu:\n%s\n%s", what,
                         (unsigned long long)max_size, max_line, fl, cut, w.p, s.p);
    }
    cuts = (size_t *)malloc(n * sizeof *cuts + 1);
    for (cut = 1; cut < n; cut++) cuts[cut - 1] = cut;
    s = (dbuf){ sb, 0, sizeof sb };
    scan_lim(in, n, cuts, n ? n - 1 : 0, &s, fl, max_size, max_line);
    if (strcmp(w.p, s.p) != 0)
        ck_abort_msg("%s (size %llu, line %u, flags %u) byte by byte:\n%s\n%s", what,
                     (unsigned long long)max_size, max_line, fl, w.p, s.p);
    free(cuts);
}

START_TEST(scanner_splits)
{
    static const char *const v[] = {
        ".\r\n", "..\r\n.\r\n", "a\r\n.\r\nafter", "a\r\n..\r\n.b\r\n.\r\r\n.\r\n",
        "x\n.\n\r\n.\r\n", "\r\n.\r\r\n.\r\n", "long line without any end of line at all 0123456789abcdef0123456789",
        "0123456789abcdef0123456789abcdef0123456789abcdef\r\n.0123456789abcdef0123456789abcdef\r\n.\r\n",
    };
    static char wb[4096], sb[4096];
    size_t i, cut, *cuts;
    unsigned fl;
    for (fl = 0; fl < 2; fl++)
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        size_t n = strlen(v[i]);
        dbuf w = { wb, 0, sizeof wb }, s;
        scan(v[i], n, NULL, 0, &w, fl);
        for (cut = 1; cut < n; cut++) {
            s = (dbuf){ sb, 0, sizeof sb };
            scan(v[i], n, &cut, 1, &s, fl);
            ck_assert_msg(strcmp(w.p, s.p) == 0, "%zu split %zu:\n%s\n%s", i, cut, w.p, s.p);
        }
        cuts = (size_t *)malloc(n * sizeof *cuts + 1);
        for (cut = 1; cut < n; cut++) cuts[cut - 1] = cut;
        s = (dbuf){ sb, 0, sizeof sb };
        scan(v[i], n, cuts, n - 1, &s, fl);
        ck_assert_msg(strcmp(w.p, s.p) == 0, "%zu bytes:\n%s\n%s", i, w.p, s.p);
        free(cuts);
    }
}
END_TEST

START_TEST(scanner_results)
{
    static char wb[512];
    dbuf w = { wb, 0, sizeof wb };
    scan("a\r\n.\r\nrest", 10, NULL, 0, &w, 0);
    ck_assert_str_eq(w.p, "a\\0d\\0a r=1 left=4 err=0 cr=0 lf=0 size=3");
    w.n = 0;
    scan("a\nb\rc\r\n.\r\n", 10, NULL, 0, &w, 0);
    ck_assert_str_eq(w.p, "a r=1 left=0 err=1 cr=1 lf=1 size=1");
    w.n = 0;
    scan("a\r\n.\rb\r\n.\r\n", 11, NULL, 0, &w, SMTPP_DATA_PASS_BARE);
    ck_assert_str_eq(w.p, "a\\0d\\0a\\0db\\0d\\0a r=1 left=0 err=0 cr=1 lf=0 size=7");
}
END_TEST

/* Which fault is recorded first must follow the stream, not how far one
 * call could see: a whole over-long line in one call was noticed before
 * the size check at the end of the call, so a message both too big and
 * with a long line got 500 whole and 552 in small chunks
 * (fuzz/regressions/session/data-first-error-depends-on-chunking). */
START_TEST(scanner_first_fault_any_split)
{
    char in[512];
    size_t n = 0, i;
    dbuf w;
    static char wb[1024];
    for (i = 0; i < 19; i++) {
        memcpy(in + n, "yyyyyyyy\r\n", 10);
        n += 10;
    }
    memset(in + n, 'x', 100);
    n += 100;
    memcpy(in + n, "\r\n.\r\n", 5);
    n += 5;
    /* the size limit (200) is passed at the 11th x, the line limit (80) at
     * the 79th */
    w = (dbuf){ wb, 0, sizeof wb };
    scan_lim(in, n, NULL, 0, &w, 0, 200, 80);
    ck_assert_ptr_nonnull(strstr(w.p, " r=1 left=0 err=3 cr=0 lf=0 size=200"));
    scan_every_split(in, n, 0, 200, 80, "regression");
    /* and the other way round: the line fault first */
    w = (dbuf){ wb, 0, sizeof wb };
    scan_lim(in, n, NULL, 0, &w, 0, 290, 80);
    ck_assert_ptr_nonnull(strstr(w.p, " r=1 left=0 err=4 cr=0 lf=0 size=268"));
    scan_every_split(in, n, 0, 290, 80, "line first");
}
END_TEST

/* Every fault (bare CR, bare LF, a long line, a ".\r" bare CR, a stuffed
 * dot) placed around the size limit and the line limit, at every split:
 * the message's content, its first error, its counts and size never
 * depend on the chunking (doomed messages included: "ab\rc" handed back
 * "ab\r" whole and "ab" split, fuzz/regressions/session/
 * data-scan-doomed-output-depends-on-chunking). */
START_TEST(scanner_faults_near_limits_any_split)
{
    static const char *const faults[] = {
        "\r", "\n", "\rx", "\r\r\n", "\n\r\n", "\r\n.\rz", "\r\n..yy", "\r\n.\r\r\n",
        "\r\n\r\n", "zzzzzzzz",
    };
    char in[256];
    size_t fi, pre, n;
    uint64_t size;
    uint32_t line;
    unsigned fl;
    scan_every_split("ab\rc\r\n.\r\n", 9, 0, 0, 0, "doomed output");
    for (fi = 0; fi < sizeof faults / sizeof faults[0]; fi++)
        for (pre = 0; pre < 12; pre++) {
            size_t fn = strlen(faults[fi]);
            n = 0;
            memcpy(in, "ab\r\n", 4);
            n = 4;
            memset(in + n, 'q', pre);
            n += pre;
            memcpy(in + n, faults[fi], fn);
            n += fn;
            memcpy(in + n, "tail\r\n.\r\n", 9);
            n += 9;
            for (fl = 0; fl < 2; fl++)
                for (size = 0; size < 16; size += size < 3 ? 3 : 1)
                    for (line = 0; line < 14; line += line < 3 ? 3 : 1)
                        scan_every_split(in, n, fl, size, line, faults[fi]);
        }
}
END_TEST

/* smtpp_data_doomed(): 0 while the message is good, 1 from the fault on
 * (here a bare CR: "CR and LF MUST only occur together as CRLF", RFC 5321
 * 2.3.8), and from then no content is handed out, up to the end mark. */
static size_t feed_all(smtpp_data *d, const char *in, size_t n, size_t *content, int *r)
{
    size_t off = 0;
    for (;;) {
        smtpp_str o;
        size_t used;
        *r = smtpp_data_parse(d, in + off, n - off, &o, &used);
        off += used;
        *content += o.n;
        if (*r != SMTPP_MORE) return off;
    }
}

START_TEST(doomed_from_the_fault_on)
{
    static const char good[] = "Subject: x\r\n\r\nline\r\n", bad[] = "a\rb\r\n", rest[] = "more\r\n.\r\nNOOP";
    smtpp_data d;
    size_t content = 0;
    int r;
    smtpp_data_init(&d, 0, 0, 0);
    ck_assert_uint_eq(feed_all(&d, good, sizeof good - 1, &content, &r), sizeof good - 1);
    ck_assert_int_eq(r, SMTPP_AGAIN);
    ck_assert_int_eq(smtpp_data_doomed(&d), 0);
    ck_assert_uint_eq(content, sizeof good - 1);
    content = 0;
    feed_all(&d, bad, sizeof bad - 1, &content, &r);
    ck_assert_int_eq(smtpp_data_doomed(&d), 1);
    ck_assert_int_eq(d.error, SMTPP_DATA_E_BARE_CR);
    content = 0;
    ck_assert_uint_eq(feed_all(&d, rest, sizeof rest - 1, &content, &r), sizeof rest - 1 - 4);
    ck_assert_int_eq(r, SMTPP_DONE);
    ck_assert_uint_eq(content, 0);
    ck_assert_int_eq(smtpp_data_doomed(&d), 1);
}
END_TEST

/* Issue 13 item 5: a BDAT whose size parsed but whose rest of line is
 * wrong is framed by its size: the chunk (here shaped like commands) is
 * read and discarded, 501 5.5.4 follows, and the session goes on; the
 * transaction is failed (RFC 3030 2) until RSET.  Only a size that cannot
 * be read, or a line with a bare CR, still closes. */
START_TEST(bdat_bad_args_keeps_stream)
{
    static const char *const tails[] = {
        " LAZT", "  LAST", " LAST X", " LASTX", " X", " ", " 5", " LAST LAST",
    };
    char in[512];
    size_t i;
    setup_cfg();
    for (i = 0; i < sizeof tails / sizeof tails[0]; i++) {
        snprintf(in, sizeof in,
                 PRE "BDAT 12%s\r\nQUIT\r\nRSET\r\n" W "BDAT 1 LAST\r\nx" W "RSET\r\n" W
                     "MAIL FROM:<a@b.test>\r\n" W "RCPT TO:<c@d.test>\r\n" W "BDAT 2 LAST\r\nok" W,
                 tails[i]);
        TX(&cfg, in, "",
           PRE_T "CHUNK []\nBDAT 501 5.5.4 BDAT_BAD_ARGS\nCHUNK []\nBDAT 503 5.5.1 BDAT_FAILED\n"
                 "RSET 250 2.0.0 OK\nMAIL ?250\nRCPT ?250\nCHUNK [ok]\nBDAT ?250\nEND READY\n");
    }
    /* a NUL after the size: same (the line needs its length) */
    {
        static const char nul_in[] = PRE "BDAT 3\0\r\nabc" W "NOOP\r\n" W;
        tx_case t = { &cfg, nul_in,  "",
                      PRE_T "CHUNK []\nBDAT 501 5.5.4 BDAT_BAD_ARGS\nNOOP 250 2.0.0 OK\nEND CHUNKING\n",
                      0, 0, 0, sizeof nul_in - 1 };
        tx_check(&t);
    }
    /* BDAT 0 with a wrong tail: nothing to read, refused at once after it */
    TX(&cfg, PRE "BDAT 0 LAZT\r\n" W "NOOP\r\n" W, "",
       PRE_T "CHUNK []\nBDAT 501 5.5.4 BDAT_BAD_ARGS\nNOOP 250 2.0.0 OK\nEND CHUNKING\n");
    /* outside a transaction: the state is kept */
    TX(&cfg, "EHLO c.test\r\n" W "BDAT 4 XX\r\nNOOP" W "NOOP\r\n" W, "",
       G "EHLO ?250\nCHUNK []\nBDAT 501 5.5.4 BDAT_BAD_ARGS\nNOOP 250 2.0.0 OK\nEND READY\n");
    /* the size cannot be trusted: close, as before */
    TX(&cfg, PRE "BDAT 3\rX\r\nabc" W, "", PRE_T "BDAT 501 5.5.4 BDAT_SYNTAX close\nCLOSE\nEND CLOSED\n");
    TX(&cfg, PRE "BDAT 3 LAST\r\r\nabc" W, "", PRE_T "BDAT 501 5.5.4 BDAT_SYNTAX close\nCLOSE\nEND CLOSED\n");
    TX(&cfg, PRE "BDAT 3\t\r\nabc" W, "", PRE_T "BDAT 501 5.5.4 BDAT_SYNTAX close\nCLOSE\nEND CLOSED\n");
    TX(&cfg, PRE "BDAT x3\r\nabc" W, "", PRE_T "BDAT 501 5.5.4 BDAT_SYNTAX close\nCLOSE\nEND CLOSED\n");
    TX(&cfg, PRE "BDAT\r\nabc" W, "", PRE_T "BDAT 501 5.5.4 BDAT_SYNTAX close\nCLOSE\nEND CLOSED\n");
    /* after a 554 greeting a framed chunk is read and refused too */
    {
        tx_case t = { &cfg, "BDAT 6\r\nQUIT\r\n" W "BDAT 1 X\r\nz" W "QUIT\r\n" W, "",
                      "GREETING 554  GREETING\nCHUNK []\nBDAT 503 5.5.1 SESSION_REFUSED\n"
                      "CHUNK []\nBDAT 503 5.5.1 SESSION_REFUSED\nQUIT 221 2.0.0 BYE close\n"
                      "CLOSE\nEND CLOSED\n",
                      0, 0, 554, 0 };
        tx_check(&t);
    }
}
END_TEST

/* ---- Forwarding: raw output, NORMALISE, the stuffer (issue 14 item 3) ---- */

typedef struct scan_out {
    char *p;                 /* every slice, concatenated */
    size_t n, cap;
    size_t consumed;         /* input bytes consumed */
    int r;                   /* last result */
    smtpp_data d;            /* the scanner at the end */
} scan_out;

/* Scans in[0..n) delivered in chunks ending at cuts[] (each call sees the
 * unconsumed region in a fresh heap block of its size, so an over-read is
 * an ASan error); stops at SMTPP_DONE. */
static void scan_raw(const char *in, size_t n, unsigned fl, uint64_t max_size, uint32_t max_line,
                     const size_t *cuts, size_t ncuts, scan_out *o)
{
    char *acc = (char *)malloc(n + 1);
    size_t k, prev = 0, have = 0;
    o->n = 0;
    o->consumed = 0;
    o->r = SMTPP_AGAIN;
    smtpp_data_init(&o->d, fl, max_size, max_line);
    for (k = 0; k <= ncuts && o->r != SMTPP_DONE; k++) {
        size_t end = k < ncuts ? cuts[k] : n;
        memcpy(acc + have, in + prev, end - prev);
        have += end - prev;
        prev = end;
        for (;;) {
            smtpp_str sl;
            size_t used = 99999;
            char *rg = have ? (char *)malloc(have) : NULL;
            if (rg) memcpy(rg, acc, have);
            o->r = smtpp_data_parse(&o->d, rg, have, &sl, &used);
            REQUIRE(o->r >= 0 && used <= have, "result %d, used %zu of %zu", o->r, used, have);
            if (o->r == SMTPP_AGAIN) {
                /* everything consumed, but for a held line-start "." (raw) */
                REQUIRE(used == have || ((fl & SMTPP_DATA_RAW) && used + 1 == have &&
                                         acc[used] == '.'),
                        "AGAIN left %zu of %zu", have - used, have);
            }
            REQUIRE(sl.n <= 3 + have && o->n + sl.n <= o->cap, "slice of %zu octets", sl.n);
            if (sl.n) memcpy(o->p + o->n, sl.p, sl.n);
            o->n += sl.n;
            free(rg);
            memmove(acc, acc + used, have - used);
            have -= used;
            o->consumed += used;
            if (o->r != SMTPP_MORE) break;
        }
    }
    free(acc);
}

static scan_out *so_new(size_t cap)
{
    scan_out *o = (scan_out *)calloc(1, sizeof *o);
    o->p = (char *)malloc(cap);
    o->cap = cap;
    return o;
}

static void so_free(scan_out *o)
{
    free(o->p);
    free(o);
}

/* The reference model, written from RFC 5321 4.5.2 with no state machine:
 * the message ends at the first CRLF "." CRLF (or "." CRLF at the start);
 * lines are split at CRLF only; a line's leading "." goes; under
 * NORMALISE each bare CR or LF then becomes CRLF.  Returns the wire length
 * consumed (with the mark), or 0 when there is no end; content in c. */
static size_t ref_content(const char *in, size_t n, int norm, char *c, size_t *cn)
{
    size_t i = 0, k = 0, end = 0, j;
    if (n >= 3 && memcmp(in, ".\r\n", 3) == 0) {
        *cn = 0;
        return 3;
    }
    for (j = 0; j + 5 <= n; j++)
        if (memcmp(in + j, "\r\n.\r\n", 5) == 0) {
            end = j + 2;   /* content up to and with that CRLF */
            break;
        }
    if (!end) return 0;
    while (i < end) {   /* one line (up to and with its CRLF) at a time */
        size_t ls = i;
        if (in[i] == '.') i++;
        while (i < end) {
            char ch = in[i];
            if (ch == '\r' && i + 1 < end + 1 && in[i + 1] == '\n') {
                c[k++] = '\r';
                c[k++] = '\n';
                i += 2;
                break;
            }
            if (norm && (ch == '\r' || ch == '\n')) {
                c[k++] = '\r';
                c[k++] = '\n';
            } else {
                c[k++] = ch;
            }
            i++;
        }
        (void)ls;
    }
    *cn = k;
    return end + 3;
}

/* A lenient next hop, as the smuggling attacks assume one (Postfix with
 * smtpd_forbid_bare_newline = no, and worse): CR, LF and CRLF all end a
 * line, the first line that is "." alone ends the message, and a line's
 * leading "." is removed.  Returns the length of what it reads as the
 * message, with the mark, or 0; its content (line ends as they are) in
 * c[0..*cn) when c is not NULL. */
static size_t lenient_end(const char *in, size_t n, char *c, size_t *cn)
{
    size_t i = 0, k = 0;
    while (i < n) {
        size_t ls = i;
        while (i < n && in[i] != '\r' && in[i] != '\n') i++;
        if (i == n) return 0;
        if (in[i] == '\r' && i + 1 < n && in[i + 1] == '\n') i++;
        i++;
        if (i - ls >= 2 && in[ls] == '.' && (in[ls + 1] == '\r' || in[ls + 1] == '\n')) {
            if (cn) *cn = k;
            return i;
        }
        if (c) {
            memcpy(c + k, in + ls + (in[ls] == '.'), i - ls - (in[ls] == '.'));
            k += i - ls - (in[ls] == '.');
        }
    }
    return 0;
}

/* What a strict (CRLF only) reader gets back from the raw output of content
 * c under PASS_BARE (session.h): c with one more "." before each "." that
 * follows a bare LF or a bare CR (the stuffing a lenient next hop needs).
 * Written from that sentence, with no state machine; returns its length. */
static size_t with_bare_dots(const char *c, size_t n, char *o)
{
    size_t i, k = 0;
    for (i = 0; i < n; i++) {
        if (c[i] == '.' && i > 0 &&
            ((c[i - 1] == '\n' && (i < 2 || c[i - 2] != '\r')) || c[i - 1] == '\r'))
            o[k++] = '.';
        o[k++] = c[i];
    }
    return k;
}

static int has_bare(const char *c, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (c[i] == '\r' && (i + 1 == n || c[i + 1] != '\n')) return 1;
        if (c[i] == '\n' && (i == 0 || c[i - 1] != '\r')) return 1;
    }
    return 0;
}

/* stuff(c) + end, through a stuffer fed in pieces of `step` octets. */
static size_t stuffed(const char *c, size_t n, unsigned fl, size_t step, char *dst, size_t cap)
{
    smtpp_stuffer st;
    size_t i, k = 0, need;
    smtpp_stuff_init(&st, fl);
    for (i = 0; i < n; i += step) {
        size_t m = n - i < step ? n - i : step;
        need = smtpp_stuff(&st, c + i, m, dst + k, cap - k);
        ck_assert_uint_le(need, SMTPP_STUFF_MAX(m));
        ck_assert_uint_le(need, cap - k);
        k += need;
    }
    need = smtpp_stuff_end(&st, dst + k, cap - k);
    ck_assert_uint_le(need, 5);
    return k + need;
}

/* One wire message under one policy: the properties of session.h,
 * whole, split at every byte and byte by byte. */
static void forward_case(const char *in, size_t n, unsigned policy, const char *what)
{
    scan_out *w = so_new(4 * n + 16), *s = so_new(4 * n + 16), *raw = so_new(4 * n + 16),
             *re = so_new(4 * n + 16);
    char *ref = (char *)malloc(2 * n + 8), *st = (char *)malloc(4 * n + 16);
    size_t refn = 0, wire_end, cut, *cuts, stn;
    int norm = (policy & SMTPP_DATA_NORMALISE_BARE) != 0, mode;

    wire_end = ref_content(in, n, norm, ref, &refn);
    ck_assert_msg(wire_end, "%s: test input without an end", what);
    for (mode = 0; mode < 2; mode++) {
        unsigned fl = policy | (mode ? SMTPP_DATA_RAW : 0);
        scan_out *o = mode ? raw : w;
        scan_raw(in, n, fl, 0, 0, NULL, 0, o);
        /* the real end and nothing else: never early, never a command */
        ck_assert_msg(o->r == SMTPP_DONE && o->consumed == wire_end,
                      "%s fl=%u: r=%d consumed %zu, end at %zu", what, fl, o->r, o->consumed,
                      wire_end);
        for (cut = 1; cut < n; cut++) {
            scan_raw(in, n, fl, 0, 0, &cut, 1, s);
            ck_assert_msg(s->r == o->r && s->consumed == o->consumed && s->n == o->n &&
                          memcmp(s->p, o->p, o->n) == 0 && s->d.error == o->d.error &&
                          s->d.bare_cr == o->d.bare_cr && s->d.bare_lf == o->d.bare_lf &&
                          s->d.size == o->d.size && s->d.nul == o->d.nul,
                          "%s fl=%u split at %zu differs", what, fl, cut);
        }
        cuts = (size_t *)malloc((n + 1) * sizeof *cuts);
        for (cut = 1; cut < n; cut++) cuts[cut - 1] = cut;
        scan_raw(in, n, fl, 0, 0, cuts, n - 1, s);
        ck_assert_msg(s->r == o->r && s->n == o->n && memcmp(s->p, o->p, o->n) == 0 &&
                      s->d.error == o->d.error && s->d.size == o->d.size,
                      "%s fl=%u byte by byte differs", what, fl);
        free(cuts);
    }
    /* content: the model's, unless refused */
    if (w->d.error) {
        ck_assert_msg(!norm && !(policy & SMTPP_DATA_PASS_BARE) && has_bare(in, wire_end),
                      "%s: doomed (%d) without a bare line end", what, w->d.error);
        ck_assert_uint_eq(raw->d.error, w->d.error);
    } else {
        ck_assert_msg(w->n == refn && memcmp(w->p, ref, refn) == 0, "%s fl=%u: content differs",
                      what, policy);
        ck_assert_uint_eq(w->d.size, refn);
        ck_assert_uint_eq(raw->d.size, refn);
        if (norm) ck_assert_msg(!has_bare(w->p, w->n), "%s: NORMALISE left a bare line end", what);
    }
    /* raw = stuff(content) + end (nothing after a doomed message's content) */
    stn = stuffed(w->p, w->n, 0, w->n ? w->n : 1, st, 4 * n + 16);
    if (w->d.error) stn -= (w->n == 0 || (w->n >= 2 && w->p[w->n - 2] == '\r' && w->p[w->n - 1] == '\n')) ? 3 : 5;
    ck_assert_msg(raw->n == stn && memcmp(raw->p, st, stn) == 0,
                  "%s fl=%u: raw output is not the stuffed content (%zu vs %zu)", what, policy,
                  raw->n, stn);
    if (!w->d.error) {
        /* the stuffer fed byte by byte gives the same */
        ck_assert_uint_eq(stuffed(w->p, w->n, 0, 1, st, 4 * n + 16), stn);
        ck_assert(memcmp(st, raw->p, stn) == 0);
        /* re-read (a strict, CRLF-only reader), the raw output gives the
         * same content, but for the documented extra "." after a bare LF
         * or CR (PASS_BARE only: there is none under the other policies),
         * and ends at its end */
        {
            char *dots = (char *)malloc(2 * w->n + 1);
            size_t dn = with_bare_dots(w->p, w->n, dots);
            if (!(policy & SMTPP_DATA_PASS_BARE) || norm) ck_assert_uint_eq(dn, w->n);
            scan_raw(raw->p, raw->n, policy, 0, 0, NULL, 0, re);
            ck_assert_msg(re->r == SMTPP_DONE && re->consumed == raw->n && re->n == dn &&
                              memcmp(re->p, dots, dn) == 0 && re->d.error == 0,
                          "%s fl=%u: raw output re-read differs", what, policy);
            free(dots);
        }
        /* what a lenient next hop makes of it: one message, ending at the
         * real end, with the same content (under every policy: PASS_BARE
         * stuffs a "." after a bare LF or CR, NORMALISE leaves none) */
        {
            char *lc = (char *)malloc(raw->n + 1);
            size_t lcn = 0, le = lenient_end(raw->p, raw->n, lc, &lcn);
            ck_assert_msg(le == raw->n,
                          "%s fl=%u: a lenient next hop ends the message at %zu of %zu", what,
                          policy, le, raw->n);
            ck_assert_msg(lcn == w->n && memcmp(lc, w->p, lcn) == 0,
                          "%s fl=%u: a lenient next hop reads other content", what, policy);
            free(lc);
        }
        /* a conforming message goes out as it came in */
        if (!has_bare(in, wire_end) && memcmp(raw->p, in, raw->n) != 0) {
            /* only a line-start "." before something else than "." may go */
            size_t i;
            for (i = 0; i + 1 < wire_end; i++)
                if ((i == 0 || (in[i - 1] == '\n' && in[i - 2] == '\r')) && in[i] == '.' &&
                    in[i + 1] != '.' && i + 3 < wire_end)
                    break;
            ck_assert_msg(i + 1 < wire_end, "%s: conforming message changed in raw output", what);
        }
    }
    so_free(w);
    so_free(s);
    so_free(raw);
    so_free(re);
    free(ref);
    free(st);
}

static const unsigned policies[] = { 0, SMTPP_DATA_PASS_BARE, SMTPP_DATA_NORMALISE_BARE };

/* Every smuggling shape named in session.h and the issue, inside a
 * message followed by what an attacker wants run. */
START_TEST(forward_smuggling_variants)
{
    static const char *const v[] = {
        "\n.\n", "\n.\r\n", "\r.\r", "\r\n.\n", "\r\n.\r", "\r.\n", "\r.\r\n", ".\n", ".\r",
        "\r\n.\rX", "\n..\r\n", "\n..\n", "\r..\r", "x\rx", "x\nx", "\r\n\n.\n", "\r\r\n.\r\n",
        "\n\r\n.\r\n", "\r\n.\r\r\n", "\r\n..\r\n", "\r\n.x\r\n", "\r\n.\n\r\n",
    };
    char in[256];
    size_t i, k;
    for (i = 0; i < sizeof v / sizeof v[0]; i++)
        for (k = 0; k < 3; k++) {
            int n = snprintf(in, sizeof in, "a%sMAIL FROM:<e@x.test>\r\nDATA\r\nevil\r\n.\r\nQUIT\r\n",
                             v[i]);
            forward_case(in, (size_t)n, policies[k], v[i]);
            /* at the very start too */
            n = snprintf(in, sizeof in, "%sRSET\r\n.\r\nNOOP\r\n", v[i]);
            forward_case(in, (size_t)n, policies[k], v[i]);
        }
}
END_TEST

/* PASS_BARE with raw output (issue 14 item 6): a "." after a bare LF or
 * bare CR is stuffed, so a next hop that takes bare line ends as line ends
 * (Postfix's default) never sees the end before the real one and runs no
 * smuggled command.  Exact vectors, whole, split at every byte and byte by
 * byte (forward_smuggling_variants checks the properties). */
START_TEST(forward_pass_raw_stuffs_after_bare)
{
    static const struct { const char *in, *out; } v[] = {
        { "x\n.\nMAIL FROM:<a@b>\r\n.\r\n", "x\n..\nMAIL FROM:<a@b>\r\n.\r\n" },
        { "x\n.\r\nRSET\r\n.\r\n", "x\n..\r\nRSET\r\n.\r\n" },
        { "x\r.\rRSET\r\n.\r\n", "x\r..\rRSET\r\n.\r\n" },
        { "x\r.\r\nRSET\r\n.\r\n", "x\r..\r\nRSET\r\n.\r\n" },
        { "x\r.\nRSET\r\n.\r\n", "x\r..\nRSET\r\n.\r\n" },
        { "x\n.\rRSET\r\n.\r\n", "x\n..\rRSET\r\n.\r\n" },
        /* the line-start "." before a bare line end goes (as before); the
         * "." after that bare line end is stuffed */
        { "x\r\n.\n.\nRSET\r\n.\r\n", "x\r\n\n..\nRSET\r\n.\r\n" },
        { "x\r\n.\r.\rRSET\r\n.\r\n", "x\r\n\r..\rRSET\r\n.\r\n" },
        { "\r.\r\n.\r\n", "\r..\r\n.\r\n" },
        { "\n..\n...\r\n.\r\n", "\n...\n....\r\n.\r\n" },
        { "a\n\n.\r\r.b\r\n.\r\n", "a\n\n..\r\r..b\r\n.\r\n" },
        /* no "." after the bare line end: the bytes as they came */
        { "a\nb\rc\r\n.\r\n", "a\nb\rc\r\n.\r\n" },
    };
    size_t i, cut, n, *cuts;
    scan_out *o = so_new(256);
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        unsigned fl = SMTPP_DATA_PASS_BARE | SMTPP_DATA_RAW;
        n = strlen(v[i].in);
        scan_raw(v[i].in, n, fl, 0, 0, NULL, 0, o);
        ck_assert_msg(o->r == SMTPP_DONE && o->consumed == n && o->n == strlen(v[i].out) &&
                          memcmp(o->p, v[i].out, o->n) == 0,
                      "vector %zu: raw output differs", i);
        for (cut = 1; cut < n; cut++) {
            scan_raw(v[i].in, n, fl, 0, 0, &cut, 1, o);
            ck_assert_msg(o->r == SMTPP_DONE && o->n == strlen(v[i].out) &&
                              memcmp(o->p, v[i].out, o->n) == 0,
                          "vector %zu split at %zu: raw output differs", i, cut);
        }
        cuts = (size_t *)malloc(n * sizeof *cuts);
        for (cut = 1; cut < n; cut++) cuts[cut - 1] = cut;
        scan_raw(v[i].in, n, fl, 0, 0, cuts, n - 1, o);
        ck_assert_msg(o->r == SMTPP_DONE && o->n == strlen(v[i].out) &&
                          memcmp(o->p, v[i].out, o->n) == 0,
                      "vector %zu byte by byte: raw output differs", i);
        free(cuts);
        /* a lenient next hop: the real end only */
        ck_assert_uint_eq(lenient_end(o->p, o->n, NULL, NULL), o->n);
    }
    so_free(o);
}
END_TEST

/* Every message of up to 5 octets over { CR, LF, ".", "x" } before the
 * real end: the same properties, exhaustively. */
START_TEST(forward_exhaustive_short)
{
    static const char al[] = { '\r', '\n', '.', 'x' };
    char in[32];
    unsigned len, code, k, i;
    for (len = 0; len <= 5; len++) {
        unsigned total = 1;
        for (i = 0; i < len; i++) total *= 4;
        for (code = 0; code < total; code++) {
            unsigned c = code;
            size_t n = 0;
            for (i = 0; i < len; i++, c /= 4) in[n++] = al[c % 4];
            memcpy(in + n, "\r\n.\r\nQ", 6);
            n += 6;
            for (k = 0; k < 3; k++) forward_case(in, n, policies[k], "exhaustive");
        }
    }
}
END_TEST

/* Raw output and NORMALISE in the session: transcripts split at every byte. */
START_TEST(forward_session)
{
    setup_cfg();
    /* raw: stuffed dots stay, the mark comes with the end; CRLF.CRLF inside */
    cfg.flags |= SMTPP_CFG_DATA_RAW;
    TX(&cfg, PRE "DATA\r\n" W "..\r\n...x\r\n.y\r\na.\r\n\r\n.\r\n" W "NOOP\r\n" W, "",
       PRE_T "DATA ?354\nBODY [..\\0d\\0a...x\\0d\\0ay\\0d\\0aa.\\0d\\0a\\0d\\0a.\\0d\\0a]\nDATA ?250\n"
       "NOOP 250 2.0.0 OK\nEND READY\n");
    /* raw, refuse policy: no mark after a doomed message */
    TX(&cfg, PRE "DATA\r\n" W "a\n.\nRSET\r\n.\r\n" W "NOOP\r\n" W, "",
       PRE_T "DATA ?354\nBODY [a]\nDATA 550 5.5.2 BARE_LINE_END\nNOOP 250 2.0.0 OK\nEND READY\n");
    /* normalise, unstuffed: one message, the "commands" are content */
    cfg.flags = SMTPP_CFG_NORMALISE_BARE;
    TX(&cfg, PRE "DATA\r\n" W "a\n.\nMAIL FROM:<e@x.test>\r.\rb\r\n.\nc\r\n.\r\n" W "QUIT\r\n" W, "",
       PRE_T "DATA ?354\nBODY [a\\0d\\0a.\\0d\\0aMAIL FROM:<e@x.test>\\0d\\0a.\\0d\\0ab\\0d\\0a"
       "\\0d\\0ac\\0d\\0a]\nDATA ?250\nQUIT 221 2.0.0 BYE close\nCLOSE\nEND CLOSED\n");
    /* normalise, raw: the dots a lenient next hop would take as the end
     * are stuffed; the line-start "." before a bare CR or LF is dropped */
    cfg.flags = SMTPP_CFG_NORMALISE_BARE | SMTPP_CFG_DATA_RAW;
    TX(&cfg, PRE "DATA\r\n" W "a\n.\nMAIL FROM:<e@x.test>\r.\rb\r\n.\nc\r\n.\r\n" W "QUIT\r\n" W, "",
       PRE_T "DATA ?354\nBODY [a\\0d\\0a..\\0d\\0aMAIL FROM:<e@x.test>\\0d\\0a..\\0d\\0ab\\0d\\0a"
       "\\0d\\0ac\\0d\\0a.\\0d\\0a]\nDATA ?250\nQUIT 221 2.0.0 BYE close\nCLOSE\nEND CLOSED\n");
    /* pass, raw: the "." after a bare LF or CR is stuffed, so a next hop
     * that takes them as line ends sees one message */
    cfg.flags = SMTPP_CFG_PASS_BARE | SMTPP_CFG_DATA_RAW;
    TX(&cfg, PRE "DATA\r\n" W "a\n.\nMAIL FROM:<e@x.test>\r.\rb\r\n.\nc\r\n.\r\n" W "QUIT\r\n" W, "",
       PRE_T "DATA ?354\nBODY [a\\0a..\\0aMAIL FROM:<e@x.test>\\0d..\\0db\\0d\\0a"
       "\\0ac\\0d\\0a.\\0d\\0a]\nDATA ?250\nQUIT 221 2.0.0 BYE close\nCLOSE\nEND CLOSED\n");
    /* BDAT chunks are handed back as they are under every flag */
    cfg.flags = SMTPP_CFG_NORMALISE_BARE | SMTPP_CFG_DATA_RAW | SMTPP_CFG_REFUSE_NUL;
    {
        static const char bin[] = PRE "BDAT 6 LAST\r\n.\n\r\0.\r" W "NOOP\r\n" W;
        tx_case t = { &cfg, bin, "",
                      PRE_T "CHUNK [.\\0a\\0d\\00.\\0d]\nBDAT ?250\nNOOP 250 2.0.0 OK\nEND READY\n",
                      0, 0, 0, sizeof bin - 1 };
        tx_check(&t);
    }
}
END_TEST

/* NUL in a DATA message (issue 13 item 7): passed and counted by default,
 * refused after the real end with SMTPP_CFG_REFUSE_NUL. */
START_TEST(nul_policy)
{
    static const char in[] = PRE "DATA\r\n" W "a\0b\r\nc\r\n.\r\n" W "NOOP\r\n" W;
    setup_cfg();
    {
        tx_case t = { &cfg, in, "",
                      PRE_T "DATA ?354\nBODY [a\\00b\\0d\\0ac\\0d\\0a]\nDATA ?250\n"
                      "NOOP 250 2.0.0 OK\nEND READY\n",
                      0, 0, 0, sizeof in - 1 };
        tx_check(&t);
    }
    cfg.flags |= SMTPP_CFG_REFUSE_NUL;
    {
        tx_case t = { &cfg, in, "",
                      PRE_T "DATA ?354\nBODY [a]\nDATA 554 5.6.0 NUL_IN_MESSAGE\n"
                      "NOOP 250 2.0.0 OK\nEND READY\n",
                      0, 0, 0, sizeof in - 1 };
        tx_check(&t);
    }
    /* the scanner: counted either way, first fault wins, every split */
    {
        static const char m[] = "x\0\0\r\n\0y\n\r\n.\r\n";
        scan_out *o = so_new(64);
        unsigned fl;
        for (fl = 0; fl < 2; fl++) {
            unsigned f = fl ? SMTPP_DATA_REFUSE_NUL : 0;
            scan_raw(m, sizeof m - 1, f, 0, 0, NULL, 0, o);
            ck_assert_int_eq(o->r, SMTPP_DONE);
            ck_assert_uint_eq(o->d.nul, fl ? 3 : 0);   /* looked for only when refused */
            ck_assert_int_eq(o->d.error, fl ? SMTPP_DATA_E_NUL : SMTPP_DATA_E_BARE_LF);
            ck_assert_uint_eq(o->n, fl ? 1 : 7);
            scan_every_split(m, sizeof m - 1, f, 0, 0, "nul");
            scan_every_split(m, sizeof m - 1, f | SMTPP_DATA_PASS_BARE, 4, 0, "nul size");
        }
        /* with a size limit right at the NUL: the NUL fault (nothing over) */
        scan_raw(m, sizeof m - 1, SMTPP_DATA_REFUSE_NUL, 1, 0, NULL, 0, o);
        ck_assert_int_eq(o->d.error, SMTPP_DATA_E_NUL);
        so_free(o);
    }
}
END_TEST

/* Limits under NORMALISE and raw output: inserted octets count, a
 * normalised line end ends a line, the stuffing dots count for neither;
 * every split gives the same. */
START_TEST(forward_limits_any_split)
{
    static const char *const m[] = {
        "ab\ncd\n..e\r\n.\r\n", "\r\r\r\n..\n.\r.\r\n.\r\n", "..\r\n..\r\n.x\r\n.\r\n",
        "a\n.b\nc\r.d\r\n.\r\n",
    };
    unsigned i, k, size, line;
    for (i = 0; i < sizeof m / sizeof m[0]; i++)
        for (k = 0; k < 3; k++)
            for (size = 0; size < 14; size++)
                for (line = 0; line < 8; line++) {
                    scan_every_split(m[i], strlen(m[i]), policies[k], size, line, m[i]);
                    scan_every_split(m[i], strlen(m[i]), policies[k] | SMTPP_DATA_RAW, size, line,
                                     m[i]);
                }
}
END_TEST

/* The first fault of a message, written from the rules in session.h with
 * no state machine: msg[0..n) is the message's wire form up to and with
 * the CRLF before its end mark.  A bare LF (an LF not after a CR) is
 * refused where it is (the content ends before it); a bare CR (a CR not
 * before an LF) after it, but for a line-start "." followed by a bare CR,
 * where both go; a NUL (refuse_nul) before it; a line whose wire length,
 * stuffing "." included and CRLF not, passes max_line - 2 (max_line
 * counts the CRLF, as the 1000 octets of RFC 5321 4.5.3.1.6 do), at the
 * first octet past that, or after it when that octet is a bare CR (known
 * to be bare only at the octet after it, as under the refusing policy;
 * session.h).  The earliest fault octet wins (a bare line end or a
 * NUL before the line limit on the same octet).  Returns its error (0:
 * none) and in *end where the wire content ends; counts the bare CRs and
 * LFs (all of them: counting goes on after a fault). */
static int ref_fault(const char *msg, size_t n, int refuse_bare, int refuse_nul, uint32_t max_line,
                     size_t *end, unsigned *bcr, unsigned *blf)
{
    size_t i, ls = 0, room = max_line > 2 ? max_line - 2 : 0, rank = (size_t)-1;
    int err = 0;
    *bcr = *blf = 0;
    *end = n;
    for (i = 0; i < n; i++) {
        int f = 0;
        size_t at = i;
        if (msg[i] == '\n' && (i == 0 || msg[i - 1] != '\r')) {
            ++*blf;
            f = SMTPP_DATA_E_BARE_LF;
        } else if (msg[i] == '\r' && msg[i + 1] != '\n') {
            ++*bcr;
            f = SMTPP_DATA_E_BARE_CR;
            at = (i == ls + 1 && msg[ls] == '.') ? i : i + 1;
        } else if (msg[i] == 0 && refuse_nul) {
            f = SMTPP_DATA_E_NUL;
        }
        if (f && (refuse_bare || f == SMTPP_DATA_E_NUL) && i < rank) {
            rank = i;
            err = f;
            *end = at;
        }
        if (msg[i] == '\n' && i > 0 && msg[i - 1] == '\r') {
            /* a CRLF ends the line: its length is i - 1 - ls */
            if (max_line && i - 1 - ls > room && ls + room < rank) {
                size_t o = ls + room;   /* the first octet past the limit */
                rank = o;
                err = SMTPP_DATA_E_LINE;
                /* a bare CR there goes with the content, as under the
                 * refusing policy (known to be bare only at the octet
                 * after it); not after a line-start "." */
                *end = msg[o] == '\r' && msg[o + 1] != '\n' && !(o == ls + 1 && msg[ls] == '.')
                           ? o + 1 : o;
            }
            ls = i + 1;
        }
    }
    return err;
}

/* Content of the wire octets w[0..n): each line-start "." (at 0 or after
 * a CRLF) removed. */
static size_t unstuff_ref(const char *w, size_t n, char *c)
{
    size_t i, k = 0;
    for (i = 0; i < n; i++) {
        if (w[i] == '.' && (i == 0 || (i >= 2 && w[i - 1] == '\n' && w[i - 2] == '\r'))) continue;
        c[k++] = w[i];
    }
    return k;
}

/* Long messages, where the scanner takes clean text 64 octets at a time:
 * lines of many lengths (empty, around 64 and 128, over the line limits
 * below, stuffed), with one of the shapes that make a block not clean
 * inserted at every offset.  Each is checked against the model above and
 * ref_content() (not against the scanner itself): where it ends, its
 * content, its first fault, its bare line end counts and its size, whole
 * and in chunks that end at every offset modulo 64 (and around the
 * insertion); and its raw output is the stuffed content. */
START_TEST(scanner_long_against_model)
{
    /* lines around the 64-octet blocks, one longer than a 256-octet group
     * (a group with no LF), one over the 520-octet limit, one over the
     * 400-octet limit that fits in two groups */
    static const unsigned lens[] = { 0, 5, 62, 63, 64, 65, 1, 130, 2, 66, 127, 33, 0, 70, 300, 4,
                                     560, 3, 470, 6 };
    static const char *const shapes[] = {
        "", "\r", "\n", "\0", "\r\n.", "\r\n..", "\n.", "\r\r\n", ".\r", "\r\n.\r", "\r\n.\r\n",
        "\r\n\r\n", "\n\r\n",
    };
    /* 520 and 1000 leave room for two groups: the group scan runs under
     * them; 400 does not */
    static const uint32_t line_limits[] = { 0, 140, 100, 66, 520, 1000, 400 };
    const unsigned nlim = sizeof line_limits / sizeof line_limits[0];
    char base[3072], in[3200], *ref = (char *)malloc(6400), *st = (char *)malloc(13000);
    size_t bn = 0, li, pos, si;
    scan_out *o = so_new(13000), *raw = so_new(13000);
    for (li = 0; li < sizeof lens / sizeof lens[0]; li++) {
        unsigned k;
        if (li == 3) base[bn++] = '.';   /* a stuffed line */
        for (k = 0; k < lens[li]; k++) base[bn++] = (char)('a' + (li * 7 + k) % 26);
        base[bn++] = '\r';
        base[bn++] = '\n';
    }
    for (si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
        size_t sn = si == 3 ? 1 : strlen(shapes[si]);
        for (pos = 0; pos <= bn; pos++) {
            size_t n = 0, mend, wire_end, cend = 0, cn = 0, refn;
            unsigned pol, bcr, blf, lim;
            if (si == 0 && pos > 0) break;   /* the base alone, once */
            memcpy(in, base, pos);
            memcpy(in + pos, shapes[si], sn);
            memcpy(in + pos + sn, base + pos, bn - pos);
            n = bn + sn;
            memcpy(in + n, "\r\n.\r\nQUIT\r\n", 11);   /* the end, whatever came before */
            n += 11;
            wire_end = ref_content(in, n, 0, ref, &refn);
            REQUIRE(wire_end, "no end");
            mend = wire_end == 3 ? 0 : wire_end - 3;   /* the message, with its last CRLF */
            for (pol = 0; pol < 4; pol++)
                for (lim = 0; lim < nlim; lim++) {
                    unsigned fl = pol == 1 ? SMTPP_DATA_PASS_BARE
                                : pol == 2 ? SMTPP_DATA_NORMALISE_BARE
                                : pol == 3 ? SMTPP_DATA_REFUSE_NUL : 0;
                    uint32_t ml = line_limits[lim];
                    int err, c;
                    size_t cuts[8], nc, off;
                    if (ml && pol >= 2) continue;   /* limits: refusing and passing bare line ends */
                    err = ref_fault(in, mend, pol == 0 || pol == 3, pol == 3, ml, &cend, &bcr, &blf);
                    if (err) {
                        cn = unstuff_ref(in, cend, ref);
                    } else {
                        wire_end = ref_content(in, n, pol == 2, ref, &cn);
                    }
                    for (c = 0; c < 5; c++) {
                        nc = 0;
                        if (c == 1) {           /* every 64 octets, from an offset that
                                                 * turns with the insertion's */
                            static const size_t first[] = { 1, 17, 63, 64, 30 };
                            for (off = first[pos % 5]; off < n && nc < 8; off += 64)
                                cuts[nc++] = off;
                        } else if (c == 3) {    /* reads of 257 to 520 octets, each
                                                 * ending at a turning offset: the
                                                 * rest of a read after its groups */
                            for (off = 257 + (pos * 7) % 264; off < n && nc < 8;
                                 off += 257 + (off * 13) % 264)
                                cuts[nc++] = off;
                        } else if (c == 4) {    /* reads that end one or two groups
                                                 * before the insertion: it opens the
                                                 * rest of a read, or a group; then a
                                                 * read that ends with it */
                            if (pos > 512) cuts[nc++] = pos - 512;
                            if (pos > 256) cuts[nc++] = pos - 256;
                            if (pos + sn < n) cuts[nc++] = pos + sn;
                            if (pos + sn + 100 < n) cuts[nc++] = pos + sn + 100;
                        } else if (c == 2) {    /* around the insertion */
                            for (off = pos > 2 ? pos - 2 : 1; off < pos + sn + 2 && off < n; off++)
                                if (nc < 8) cuts[nc++] = off;
                        }
                        scan_raw(in, n, fl, 0, ml, cuts, nc, o);
                        REQUIRE(o->r == SMTPP_DONE && o->consumed == wire_end,
                                      "shape %zu at %zu, flags %u, line %u, cuts %d: end %zu, "
                                      "model %zu", si, pos, fl, ml, c, o->consumed, wire_end);
                        REQUIRE(o->d.error == err && o->n == cn && memcmp(o->p, ref, cn) == 0 &&
                                          o->d.size == cn,
                                      "shape %zu at %zu, flags %u, line %u, cut %d: error %d "
                                      "(model %d), content %zu octets (model %zu)", si, pos, fl,
                                      ml, c, o->d.error, err, o->n, cn);
                        REQUIRE(o->d.bare_cr == bcr && o->d.bare_lf == blf,
                                      "shape %zu at %zu, flags %u: bare CR %u LF %u, model %u %u",
                                      si, pos, fl, o->d.bare_cr, o->d.bare_lf, bcr, blf);
                    }
                    if (!err && ml == 0) {
                        /* raw: the stuffed content and the end mark */
                        size_t stn = stuffed(ref, cn, 0, cn ? cn : 1, st, 13000);
                        scan_raw(in, n, fl | SMTPP_DATA_RAW, 0, 0, NULL, 0, raw);
                        if (pol != 1)
                            REQUIRE(raw->n == stn && memcmp(raw->p, st, stn) == 0,
                                          "shape %zu at %zu, flags %u: raw output", si, pos, fl);
                    }
                }
        }
    }
    so_free(o);
    so_free(raw);
    free(ref);
    free(st);
}
END_TEST

/* A read that the state machine opens (a stuffed line's "."; the slice
 * is cut before it, so the next call starts there), then hands to the
 * clean scan with a rest of up to a group and no group before it: the
 * line it is in goes on from the octets the state machine counted.  Long
 * stuffed lines around the limits (one group, two, over 520 and 1000),
 * a single read end at every offset; each against the model. */
START_TEST(scanner_rest_after_state_machine)
{
    static const unsigned longs[] = { 255, 256, 257, 300, 517, 518, 519, 600, 997, 1100 };
    static const uint32_t line_limits[] = { 0, 520, 1000 };
    char *in = (char *)malloc(1400), *ref = (char *)malloc(1400);
    scan_out *o = so_new(2800);
    size_t li, k;
    for (li = 0; li < sizeof longs / sizeof longs[0]; li++) {
        size_t n = 0, cut, cend, cn, wire_end, refn;
        unsigned bcr, blf, lim;
        memcpy(in, "ab\r\n.", 5);   /* a line, then a stuffed one */
        n = 5;
        for (k = 0; k < longs[li]; k++) in[n++] = (char)('a' + k % 26);
        memcpy(in + n, "\r\nxy\r\n.\r\n", 9);
        n += 9;
        wire_end = ref_content(in, n, 0, ref, &refn);
        REQUIRE(wire_end == n, "no end");
        for (lim = 0; lim < 3; lim++) {
            uint32_t ml = line_limits[lim];
            int err = ref_fault(in, n - 3, 1, 0, ml, &cend, &bcr, &blf);
            cn = err ? unstuff_ref(in, cend, ref) : refn;
            if (!err) ref_content(in, n, 0, ref, &cn);
            for (cut = 1; cut < n; cut++) {
                scan_raw(in, n, 0, 0, ml, &cut, 1, o);
                REQUIRE(o->r == SMTPP_DONE && o->consumed == n && o->d.error == err &&
                            o->n == cn && memcmp(o->p, ref, cn) == 0,
                        "line %u, limit %u, read end %zu: error %d (model %d), content %zu "
                        "octets (model %zu)", longs[li], ml, cut, o->d.error, err, o->n, cn);
            }
        }
    }
    so_free(o);
    free(in);
    free(ref);
}
END_TEST

/* Random long messages against the model: lines of random lengths (most
 * short, some over a 256-octet group or a line limit), each with a chance
 * of one of the shapes that make text not clean, read in random sizes
 * (single octets, around a group, whole groups, 1 KiB and 4 KiB), under
 * every policy and line limit.  Where, with what content, error, bare
 * line end counts and size it ends comes from ref_content() and
 * ref_fault(), never from the scanner. */
START_TEST(scanner_random_against_model)
{
    static const char *const shapes[] = { "\r", "\n", "\0", ".", "..", ".\r", "\r\r\n", "\n.",
                                          "\r\n.", "\r\n.\r", "x\r" };
    static const uint32_t line_limits[] = { 0, 100, 520, 1000 };
    static const size_t reads[] = { 1, 7, 63, 255, 256, 257, 300, 511, 1024, 4096 };
    enum { CAP = 12000 };
    char *in = (char *)malloc(CAP + 16), *ref = (char *)malloc(2 * CAP);
    scan_out *o = so_new(2 * CAP);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    unsigned iter;
#define RND() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
    for (iter = 0; iter < 1500; iter++) {
        size_t n = 0, mend, wire_end, cend, cn, refn;
        unsigned pol, lim;
        while (n < CAP - 800 && RND() % 40) {   /* the lines */
            size_t len = RND() % 8 ? RND() % 90 : RND() % 700, k;
            for (k = 0; k < len; k++) in[n++] = (char)('a' + RND() % 26);
            if (RND() % 6 == 0) {   /* a shape somewhere in the line */
                const char *sh = shapes[RND() % (sizeof shapes / sizeof shapes[0])];
                size_t sn = sh[0] ? strlen(sh) : 1, at = n - (len ? RND() % (len + 1) : 0);
                memmove(in + at + sn, in + at, n - at);
                memcpy(in + at, sh, sn);
                n += sn;
            }
            in[n++] = '\r';
            in[n++] = '\n';
        }
        memcpy(in + n, "\r\n.\r\nQUIT\r\n", 11);
        n += 11;
        wire_end = ref_content(in, n, 0, ref, &refn);
        REQUIRE(wire_end, "no end");
        mend = wire_end == 3 ? 0 : wire_end - 3;
        for (pol = 0; pol < 4; pol++)
            for (lim = 0; lim < sizeof line_limits / sizeof line_limits[0]; lim++) {
                unsigned fl = pol == 1 ? SMTPP_DATA_PASS_BARE
                            : pol == 2 ? SMTPP_DATA_NORMALISE_BARE
                            : pol == 3 ? SMTPP_DATA_REFUSE_NUL : 0;
                uint32_t ml = line_limits[lim];
                unsigned bcr, blf;
                size_t cuts[64], nc = 0, off = 0;
                int err;
                if (ml && pol >= 2) continue;   /* as in scanner_long_against_model */
                err = ref_fault(in, mend, pol == 0 || pol == 3, pol == 3, ml, &cend, &bcr, &blf);
                if (err) cn = unstuff_ref(in, cend, ref);
                else wire_end = ref_content(in, n, pol == 2, ref, &cn);
                while (nc < 64) {   /* reads of random sizes, up to the end */
                    off += reads[RND() % (sizeof reads / sizeof reads[0])];
                    if (off >= n) break;
                    cuts[nc++] = off;
                }
                scan_raw(in, n, fl, 0, ml, cuts, nc, o);
                REQUIRE(o->r == SMTPP_DONE && o->consumed == wire_end,
                        "message %u, flags %u, line %u: end %zu, model %zu", iter, fl, ml,
                        o->consumed, wire_end);
                REQUIRE(o->d.error == err && o->n == cn && memcmp(o->p, ref, cn) == 0 &&
                            o->d.size == cn,
                        "message %u, flags %u, line %u: error %d (model %d), content %zu octets "
                        "(model %zu)", iter, fl, ml, o->d.error, err, o->n, cn);
                REQUIRE(o->d.bare_cr == bcr && o->d.bare_lf == blf,
                        "message %u, flags %u: bare CR %u LF %u, model %u %u", iter, fl,
                        o->d.bare_cr, o->d.bare_lf, bcr, blf);
            }
    }
#undef RND
    so_free(o);
    free(in);
    free(ref);
}
END_TEST

/* The stuffer alone: vectors, the cap contract, state across calls. */
START_TEST(stuffer)
{
    static const struct { const char *in, *out; unsigned fl; } v[] = {
        { "", ".\r\n", 0 },
        { ".", "..\r\n.\r\n", 0 },
        { "a\r\n.\r\n", "a\r\n..\r\n.\r\n", 0 },
        { ".a\r\n..\r\nb.\r\n", "..a\r\n...\r\nb.\r\n.\r\n", 0 },
        /* a "." after a bare LF or CR is stuffed too (a lenient next hop
         * starts a line there); the last line still gets its CRLF */
        { "a\n.b\r.c", "a\n..b\r..c\r\n.\r\n", 0 },
        { "\n.\n", "\n..\n\r\n.\r\n", 0 },
        { "\r.\r\n", "\r..\r\n.\r\n", 0 },
        { "\r\r.", "\r\r..\r\n.\r\n", 0 },
        { "\n\r\n.", "\n\r\n..\r\n.\r\n", 0 },
        { "\n..x\rx.", "\n...x\rx.\r\n.\r\n", 0 },
        { "a\n.b\r.c", "a\r\n..b\r\n..c\r\n.\r\n", SMTPP_STUFF_NORMALISE },
        { "x\r", "x\r\r\n.\r\n", 0 },
        { "x\r", "x\r\n.\r\n", SMTPP_STUFF_NORMALISE },
        { "\r\r\n\n", "\r\n\r\n\r\n.\r\n", SMTPP_STUFF_NORMALISE },
        { "\n\n\n", "\r\n\r\n\r\n.\r\n", SMTPP_STUFF_NORMALISE },
    };
    char out[64], pre[64];
    size_t i, step;
    for (i = 0; i < sizeof v / sizeof v[0]; i++)
        for (step = 1; step <= 8; step++) {
            size_t n = stuffed(v[i].in, strlen(v[i].in), v[i].fl, step, out, sizeof out);
            ck_assert_msg(n == strlen(v[i].out) && memcmp(out, v[i].out, n) == 0,
                          "stuff %zu step %zu", i, step);
        }
    /* too small: the size needed, nothing written, the state unchanged */
    {
        smtpp_stuffer st;
        size_t need;
        smtpp_stuff_init(&st, 0);
        memset(pre, '#', sizeof pre);
        need = smtpp_stuff(&st, "a\r\n.b", 6, pre, 6);
        ck_assert_uint_eq(need, 7);
        ck_assert_int_eq(pre[0], '#');
        ck_assert_uint_eq(smtpp_stuff(&st, "a\r\n.b", 6, out, 7), 7);
        ck_assert(memcmp(out, "a\r\n..b", 7) == 0);
        ck_assert_uint_eq(smtpp_stuff_end(&st, pre, 4), 5);
        ck_assert_int_eq(pre[0], '#');
        ck_assert_uint_eq(smtpp_stuff_end(&st, out, 5), 5);
        ck_assert(memcmp(out, "\r\n.\r\n", 5) == 0);
        /* a new message after the end */
        ck_assert_uint_eq(smtpp_stuff(&st, ".", 1, out, sizeof out), 2);
        ck_assert_uint_eq(smtpp_stuff(&st, "", 0, out, 0), 0);
    }
    /* the bound: the worst cases fit SMTPP_STUFF_MAX */
    {
        static const char *const worst[] = { ".\r\n.\r\n.", "\n.\n.\n.", "\r.\r.\r." };
        smtpp_stuffer st;
        for (i = 0; i < 6; i++) {
            size_t n = strlen(worst[i / 2]);
            smtpp_stuff_init(&st, i % 2 ? SMTPP_STUFF_NORMALISE : 0);
            ck_assert_uint_le(smtpp_stuff(&st, worst[i / 2], n, out, sizeof out),
                              SMTPP_STUFF_MAX(n));
        }
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("body");
    TCase *t = tcase_create("body");
    SRunner *r;
    int failed;
    tcase_set_timeout(t, 300);
    tcase_add_test(t, dot_stuffing);
    tcase_add_test(t, smuggling_rejected);
    tcase_add_test(t, doomed_from_the_fault_on);
    tcase_add_test(t, smuggling_pass_policy);
    tcase_add_test(t, size_and_line_limits);
    tcase_add_test(t, bdat_chunks);
    tcase_add_test(t, bdat_final_reply_text);
    tcase_add_test(t, bdat_bad_args_keeps_stream);
    tcase_add_test(t, forward_smuggling_variants);
    tcase_add_test(t, forward_pass_raw_stuffs_after_bare);
    tcase_add_test(t, forward_exhaustive_short);
    tcase_add_test(t, forward_session);
    tcase_add_test(t, nul_policy);
    tcase_add_test(t, forward_limits_any_split);
    tcase_add_test(t, stuffer);
    tcase_add_test(t, scanner_splits);
    tcase_add_test(t, scanner_results);
    tcase_add_test(t, scanner_first_fault_any_split);
    tcase_add_test(t, scanner_faults_near_limits_any_split);
    tcase_add_test(t, scanner_long_against_model);
    tcase_add_test(t, scanner_rest_after_state_machine);
    tcase_add_test(t, scanner_random_against_model);
    suite_add_tcase(s, t);
    r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
