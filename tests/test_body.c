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

int main(void)
{
    Suite *s = suite_create("body");
    TCase *t = tcase_create("body");
    SRunner *r;
    int failed;
    tcase_add_test(t, dot_stuffing);
    tcase_add_test(t, smuggling_rejected);
    tcase_add_test(t, smuggling_pass_policy);
    tcase_add_test(t, size_and_line_limits);
    tcase_add_test(t, bdat_chunks);
    tcase_add_test(t, bdat_final_reply_text);
    tcase_add_test(t, bdat_bad_args_keeps_stream);
    tcase_add_test(t, scanner_splits);
    tcase_add_test(t, scanner_results);
    tcase_add_test(t, scanner_first_fault_any_split);
    tcase_add_test(t, scanner_faults_near_limits_any_split);
    suite_add_tcase(s, t);
    r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
