/* The reply tracker: greeting, pipelining, DATA, BDAT, AUTH, LMTP, overflow;
 * and a proxy-style run where the server stream goes through the reply
 * parser at every split before the tracker sees it. */
#include "test_reply_util.h"

static const char *kind_name(int k)
{
    switch (k) {
    case SMTPP_MATCH_GREETING: return "GREETING";
    case SMTPP_MATCH_FINAL: return "FINAL";
    case SMTPP_MATCH_INTERMEDIATE: return "INTERMEDIATE";
    case SMTPP_MATCH_RECIPIENT: return "RECIPIENT";
    case SMTPP_MATCH_UNSOLICITED: return "UNSOLICITED";
    default: return "?";
    }
}

/* Feeds one reply code; checks kind and verb. */
static smtpp_match rep(smtpp_tracker *t, int code, int kind, smtpp_verb verb)
{
    smtpp_match m;
    int k = smtpp_tracker_reply(t, code, &m);
    ck_assert_int_eq(k, m.kind);
    ck_assert_msg(m.kind == kind, "reply %d: got %s, want %s", code, kind_name(m.kind), kind_name(kind));
    ck_assert_int_eq(m.verb, verb);
    return m;
}

static void cmd(smtpp_tracker *t, smtpp_verb v, unsigned flags)
{
    ck_assert_int_eq(smtpp_tracker_command(t, v, flags), SMTPP_TRACK_OK);
}

START_TEST(test_greeting_and_simple)
{
    smtpp_tracker t;
    smtpp_tracker_init(&t, 0);
    ck_assert_int_eq(smtpp_tracker_expect(&t), SMTPP_EXPECT_COMMAND);
    /* a client that talks before the greeting: the first reply is still it */
    cmd(&t, SMTPP_VERB_EHLO, 0);
    rep(&t, 220, SMTPP_MATCH_GREETING, SMTPP_VERB_UNKNOWN);
    ck_assert_uint_eq(smtpp_tracker_pending(&t), 1);
    rep(&t, 250, SMTPP_MATCH_FINAL, SMTPP_VERB_EHLO);
    ck_assert_uint_eq(smtpp_tracker_pending(&t), 0);
    rep(&t, 421, SMTPP_MATCH_UNSOLICITED, SMTPP_VERB_UNKNOWN);
    cmd(&t, SMTPP_VERB_QUIT, 0);
    rep(&t, 221, SMTPP_MATCH_FINAL, SMTPP_VERB_QUIT);
}
END_TEST

START_TEST(test_pipelined_transaction)
{
    smtpp_tracker t;
    smtpp_tracker_init(&t, 0);
    rep(&t, 220, SMTPP_MATCH_GREETING, SMTPP_VERB_UNKNOWN);
    cmd(&t, SMTPP_VERB_MAIL, 0);
    cmd(&t, SMTPP_VERB_RCPT, 0);
    cmd(&t, SMTPP_VERB_RCPT, 0);
    cmd(&t, SMTPP_VERB_DATA, 0);
    ck_assert_uint_eq(smtpp_tracker_pending(&t), 4);
    rep(&t, 250, SMTPP_MATCH_FINAL, SMTPP_VERB_MAIL);
    rep(&t, 250, SMTPP_MATCH_FINAL, SMTPP_VERB_RCPT);
    rep(&t, 550, SMTPP_MATCH_FINAL, SMTPP_VERB_RCPT);
    ck_assert_int_eq(smtpp_tracker_expect(&t), SMTPP_EXPECT_COMMAND);
    rep(&t, 354, SMTPP_MATCH_INTERMEDIATE, SMTPP_VERB_DATA);
    ck_assert_int_eq(smtpp_tracker_expect(&t), SMTPP_EXPECT_MESSAGE);
    ck_assert_uint_eq(smtpp_tracker_pending(&t), 1);
    rep(&t, 250, SMTPP_MATCH_FINAL, SMTPP_VERB_DATA);
    ck_assert_int_eq(smtpp_tracker_expect(&t), SMTPP_EXPECT_COMMAND);
    ck_assert_uint_eq(smtpp_tracker_pending(&t), 0);
}
END_TEST

START_TEST(test_data_refused)
{
    smtpp_tracker t;
    smtpp_tracker_init(&t, 0);
    rep(&t, 220, SMTPP_MATCH_GREETING, SMTPP_VERB_UNKNOWN);
    cmd(&t, SMTPP_VERB_DATA, 0);
    cmd(&t, SMTPP_VERB_NOOP, 0);
    rep(&t, 503, SMTPP_MATCH_FINAL, SMTPP_VERB_DATA);
    rep(&t, 250, SMTPP_MATCH_FINAL, SMTPP_VERB_NOOP);
}
END_TEST

START_TEST(test_auth_loop)
{
    smtpp_tracker t;
    smtpp_tracker_init(&t, 0);
    rep(&t, 220, SMTPP_MATCH_GREETING, SMTPP_VERB_UNKNOWN);
    cmd(&t, SMTPP_VERB_AUTH, 0);
    rep(&t, 334, SMTPP_MATCH_INTERMEDIATE, SMTPP_VERB_AUTH);
    ck_assert_int_eq(smtpp_tracker_expect(&t), SMTPP_EXPECT_SASL);
    rep(&t, 334, SMTPP_MATCH_INTERMEDIATE, SMTPP_VERB_AUTH);
    ck_assert_int_eq(smtpp_tracker_expect(&t), SMTPP_EXPECT_SASL);
    rep(&t, 235, SMTPP_MATCH_FINAL, SMTPP_VERB_AUTH);
    ck_assert_int_eq(smtpp_tracker_expect(&t), SMTPP_EXPECT_COMMAND);
    /* refused outright */
    cmd(&t, SMTPP_VERB_AUTH, 0);
    rep(&t, 504, SMTPP_MATCH_FINAL, SMTPP_VERB_AUTH);
    /* a 334 to anything else is just its reply */
    cmd(&t, SMTPP_VERB_NOOP, 0);
    rep(&t, 334, SMTPP_MATCH_FINAL, SMTPP_VERB_NOOP);
}
END_TEST

START_TEST(test_bdat)
{
    smtpp_tracker t;
    smtpp_tracker_init(&t, 0);
    rep(&t, 220, SMTPP_MATCH_GREETING, SMTPP_VERB_UNKNOWN);
    cmd(&t, SMTPP_VERB_MAIL, 0);
    cmd(&t, SMTPP_VERB_RCPT, 0);
    cmd(&t, SMTPP_VERB_BDAT, 0);
    cmd(&t, SMTPP_VERB_BDAT, 0);
    cmd(&t, SMTPP_VERB_BDAT, SMTPP_TRACK_BDAT_LAST);
    rep(&t, 250, SMTPP_MATCH_FINAL, SMTPP_VERB_MAIL);
    rep(&t, 250, SMTPP_MATCH_FINAL, SMTPP_VERB_RCPT);
    rep(&t, 250, SMTPP_MATCH_FINAL, SMTPP_VERB_BDAT);
    rep(&t, 250, SMTPP_MATCH_FINAL, SMTPP_VERB_BDAT);
    rep(&t, 250, SMTPP_MATCH_FINAL, SMTPP_VERB_BDAT);
    ck_assert_uint_eq(smtpp_tracker_pending(&t), 0);
    ck_assert_uint_eq(t.recipients, 0);
}
END_TEST

START_TEST(test_lmtp_data)
{
    smtpp_tracker t;
    smtpp_match m;
    smtpp_tracker_init(&t, SMTPP_TRACK_LMTP);
    rep(&t, 220, SMTPP_MATCH_GREETING, SMTPP_VERB_UNKNOWN);
    cmd(&t, SMTPP_VERB_LHLO, 0);
    cmd(&t, SMTPP_VERB_MAIL, 0);
    cmd(&t, SMTPP_VERB_RCPT, 0);
    cmd(&t, SMTPP_VERB_RCPT, 0);
    cmd(&t, SMTPP_VERB_RCPT, 0);
    cmd(&t, SMTPP_VERB_DATA, 0);
    rep(&t, 250, SMTPP_MATCH_FINAL, SMTPP_VERB_LHLO);
    rep(&t, 250, SMTPP_MATCH_FINAL, SMTPP_VERB_MAIL);
    rep(&t, 250, SMTPP_MATCH_FINAL, SMTPP_VERB_RCPT);
    rep(&t, 550, SMTPP_MATCH_FINAL, SMTPP_VERB_RCPT);
    rep(&t, 251, SMTPP_MATCH_FINAL, SMTPP_VERB_RCPT);
    ck_assert_uint_eq(t.recipients, 2);
    rep(&t, 354, SMTPP_MATCH_INTERMEDIATE, SMTPP_VERB_DATA);
    m = rep(&t, 250, SMTPP_MATCH_RECIPIENT, SMTPP_VERB_DATA);
    ck_assert_uint_eq(m.index, 0);
    ck_assert_uint_eq(m.remaining, 1);
    ck_assert_int_eq(smtpp_tracker_expect(&t), SMTPP_EXPECT_COMMAND);
    m = rep(&t, 452, SMTPP_MATCH_RECIPIENT, SMTPP_VERB_DATA);
    ck_assert_uint_eq(m.index, 1);
    ck_assert_uint_eq(m.remaining, 0);
    ck_assert_uint_eq(smtpp_tracker_pending(&t), 0);
    ck_assert_uint_eq(t.recipients, 0);
}
END_TEST

START_TEST(test_lmtp_bdat_and_resets)
{
    smtpp_tracker t;
    smtpp_match m;
    smtpp_tracker_init(&t, SMTPP_TRACK_LMTP);
    rep(&t, 220, SMTPP_MATCH_GREETING, SMTPP_VERB_UNKNOWN);
    cmd(&t, SMTPP_VERB_MAIL, 0);
    cmd(&t, SMTPP_VERB_RCPT, 0);
    cmd(&t, SMTPP_VERB_RSET, 0);
    cmd(&t, SMTPP_VERB_MAIL, 0);
    cmd(&t, SMTPP_VERB_RCPT, 0);
    cmd(&t, SMTPP_VERB_RCPT, 0);
    cmd(&t, SMTPP_VERB_BDAT, 0);
    cmd(&t, SMTPP_VERB_BDAT, SMTPP_TRACK_BDAT_LAST);
    cmd(&t, SMTPP_VERB_QUIT, 0);
    rep(&t, 250, SMTPP_MATCH_FINAL, SMTPP_VERB_MAIL);
    rep(&t, 250, SMTPP_MATCH_FINAL, SMTPP_VERB_RCPT);
    ck_assert_uint_eq(t.recipients, 1);
    rep(&t, 250, SMTPP_MATCH_FINAL, SMTPP_VERB_RSET);
    ck_assert_uint_eq(t.recipients, 0);
    rep(&t, 250, SMTPP_MATCH_FINAL, SMTPP_VERB_MAIL);
    rep(&t, 250, SMTPP_MATCH_FINAL, SMTPP_VERB_RCPT);
    rep(&t, 250, SMTPP_MATCH_FINAL, SMTPP_VERB_RCPT);
    rep(&t, 250, SMTPP_MATCH_FINAL, SMTPP_VERB_BDAT);
    m = rep(&t, 250, SMTPP_MATCH_RECIPIENT, SMTPP_VERB_BDAT);
    ck_assert_uint_eq(m.remaining, 1);
    m = rep(&t, 250, SMTPP_MATCH_RECIPIENT, SMTPP_VERB_BDAT);
    ck_assert_uint_eq(m.remaining, 0);
    rep(&t, 221, SMTPP_MATCH_FINAL, SMTPP_VERB_QUIT);
}
END_TEST

START_TEST(test_lmtp_no_recipients)
{
    smtpp_tracker t;
    smtpp_tracker_init(&t, SMTPP_TRACK_LMTP);
    rep(&t, 220, SMTPP_MATCH_GREETING, SMTPP_VERB_UNKNOWN);
    cmd(&t, SMTPP_VERB_MAIL, 0);
    cmd(&t, SMTPP_VERB_RCPT, 0);
    cmd(&t, SMTPP_VERB_DATA, 0);
    cmd(&t, SMTPP_VERB_NOOP, 0);
    rep(&t, 250, SMTPP_MATCH_FINAL, SMTPP_VERB_MAIL);
    rep(&t, 550, SMTPP_MATCH_FINAL, SMTPP_VERB_RCPT);
    rep(&t, 503, SMTPP_MATCH_FINAL, SMTPP_VERB_DATA); /* RFC 2033 4.2 */
    rep(&t, 250, SMTPP_MATCH_FINAL, SMTPP_VERB_NOOP);
    /* and a 354 anyway: one final reply */
    cmd(&t, SMTPP_VERB_DATA, 0);
    rep(&t, 354, SMTPP_MATCH_INTERMEDIATE, SMTPP_VERB_DATA);
    rep(&t, 250, SMTPP_MATCH_FINAL, SMTPP_VERB_DATA);
}
END_TEST

START_TEST(test_overflow_and_wrap)
{
    smtpp_tracker t;
    size_t i, round;
    smtpp_tracker_init(&t, 0);
    rep(&t, 220, SMTPP_MATCH_GREETING, SMTPP_VERB_UNKNOWN);
    /* the ring wraps many times */
    for (round = 0; round < 5; round++) {
        for (i = 0; i < SMTPP_TRACKER_CAP - 3; i++)
            cmd(&t, (i % 2) ? SMTPP_VERB_NOOP : SMTPP_VERB_RSET, 0);
        for (i = 0; i < SMTPP_TRACKER_CAP - 3; i++)
            rep(&t, 250, SMTPP_MATCH_FINAL, (i % 2) ? SMTPP_VERB_NOOP : SMTPP_VERB_RSET);
    }
    ck_assert_int_eq(t.overflow, 0);
    for (i = 0; i < SMTPP_TRACKER_CAP; i++)
        cmd(&t, SMTPP_VERB_NOOP, 0);
    ck_assert_int_eq(smtpp_tracker_command(&t, SMTPP_VERB_QUIT, 0), SMTPP_TRACK_FULL);
    ck_assert_int_eq(t.overflow, 1);
    ck_assert_uint_eq(smtpp_tracker_pending(&t), SMTPP_TRACKER_CAP);
    for (i = 0; i < SMTPP_TRACKER_CAP; i++)
        rep(&t, 250, SMTPP_MATCH_FINAL, SMTPP_VERB_NOOP);
    rep(&t, 221, SMTPP_MATCH_UNSOLICITED, SMTPP_VERB_UNKNOWN); /* the lost QUIT */
}
END_TEST

/* ---- A proxy following both directions ------------------------------------ */

typedef struct proxy_ctx {
    smtpp_tracker t;
    tbuf log;
} proxy_ctx;

static void proxy_hook(const smtpp_reply *r, void *vctx)
{
    proxy_ctx *c = vctx;
    smtpp_match m;
    ck_assert_int_eq(r->error, 0);
    smtpp_tracker_reply(&c->t, r->code, &m);
    tb_printf(&c->log, "%u:%s:%s:%u,%u ", r->code, kind_name(m.kind),
              smtpp_verb_name((smtpp_verb)m.verb), (unsigned)m.index, (unsigned)m.remaining);
}

START_TEST(test_proxy_lmtp_stream)
{
    /* the client side, as the command parser would report it */
    static const smtpp_verb sent[] = { SMTPP_VERB_LHLO, SMTPP_VERB_MAIL, SMTPP_VERB_RCPT,
                                       SMTPP_VERB_RCPT, SMTPP_VERB_DATA, SMTPP_VERB_QUIT };
    /* the server side, in one stream */
    const char *server = "220 lmtp.example LMTP ready\r\n"
                         "250-lmtp.example\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES\r\n"
                         "250 2.1.0 ok\r\n250 2.1.5 ok\r\n250 2.1.5 ok\r\n"
                         "354 go ahead\r\n"
                         "250 2.0.0 <a@x> delivered\r\n452-4.2.2 <b@x> over quota\r\n452 4.2.2 try later\r\n"
                         "221 2.0.0 bye\r\n";
    const char *want = "220:GREETING::0,0 250:FINAL:LHLO:0,0 250:FINAL:MAIL:0,0 250:FINAL:RCPT:0,0 "
                       "250:FINAL:RCPT:0,0 354:INTERMEDIATE:DATA:0,0 250:RECIPIENT:DATA:0,1 "
                       "452:RECIPIENT:DATA:1,0 221:FINAL:QUIT:0,0 ";
    size_t n = strlen(server), k, i;
    rp_opts o = { 0, 0, 0 };
    char *t = check_all(&o, server, n);
    ck_assert_ptr_null(strstr(t, "ERR"));
    free(t);
    /* the match sequence is the same however the server's bytes arrive */
    for (k = 1; k <= n; k++) {
        proxy_ctx c;
        size_t cuts[2] = { k, n };
        memset(&c, 0, sizeof c);
        smtpp_tracker_init(&c.t, SMTPP_TRACK_LMTP);
        tb_putn(&c.log, "", 0);
        for (i = 0; i < sizeof sent / sizeof sent[0]; i++)
            cmd(&c.t, sent[i], 0);
        free(run_chunks(&o, server, n, cuts, k < n ? 2 : 1, proxy_hook, &c));
        ck_assert_str_eq(c.log.p, want);
        ck_assert_uint_eq(smtpp_tracker_pending(&c.t), 0);
        free(c.log.p);
    }
}
END_TEST

START_TEST(test_proxy_enhanced_text)
{
    /* Replies whose text starts like an enhanced code that is not a valid
     * one of the reply's class are good replies by default (reply.h), so a
     * pipelined stream with them stays in step at every split. */
    static const smtpp_verb sent[] = { SMTPP_VERB_EHLO, SMTPP_VERB_MAIL, SMTPP_VERB_RCPT,
                                       SMTPP_VERB_RCPT, SMTPP_VERB_DATA, SMTPP_VERB_QUIT };
    const char *server = "220 mx.example ESMTP\r\n250 mx.example\r\n250 2.1.0 ok\r\n"
                         "550 5.01.1 <b@x> unknown\r\n250 5.1.5 ok\r\n354 go\r\n"
                         "250-2.0.0 queued\r\n250 2.0.00 as 123\r\n221 2.0.0 bye\r\n";
    const char *want = "220:GREETING::0,0 250:FINAL:EHLO:0,0 250:FINAL:MAIL:0,0 550:FINAL:RCPT:0,0 "
                       "250:FINAL:RCPT:0,0 354:INTERMEDIATE:DATA:0,0 250:FINAL:DATA:0,0 "
                       "221:FINAL:QUIT:0,0 ";
    size_t n = strlen(server), k, i;
    rp_opts o = { 0, 0, 0 }, strict = { SMTPP_REPLY_STRICT_ENHANCED_SYNTAX, 0, 0 };
    char *t = check_all(&o, server, n);
    ck_assert_ptr_null(strstr(t, "ERR"));
    free(t);
    /* the same stream under the strict option: three replies are errors */
    t = check_all(&strict, server, n);
    ck_assert_ptr_nonnull(strstr(t, "ERR BAD_ENHANCED code=550"));
    ck_assert_ptr_nonnull(strstr(t, "ERR ENHANCED_CLASS code=250"));
    ck_assert_ptr_nonnull(strstr(t, "ERR BAD_ENHANCED code=250"));
    free(t);
    for (k = 1; k <= n; k++) {
        proxy_ctx c;
        size_t cuts[2] = { k, n };
        memset(&c, 0, sizeof c);
        smtpp_tracker_init(&c.t, 0);
        tb_putn(&c.log, "", 0);
        for (i = 0; i < sizeof sent / sizeof sent[0]; i++)
            cmd(&c.t, sent[i], 0);
        free(run_chunks(&o, server, n, cuts, k < n ? 2 : 1, proxy_hook, &c));
        ck_assert_str_eq(c.log.p, want);
        ck_assert_uint_eq(smtpp_tracker_pending(&c.t), 0);
        free(c.log.p);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("reply_tracker");
    TCase *tc = tcase_create("tracker");
    tcase_add_test(tc, test_greeting_and_simple);
    tcase_add_test(tc, test_pipelined_transaction);
    tcase_add_test(tc, test_data_refused);
    tcase_add_test(tc, test_auth_loop);
    tcase_add_test(tc, test_bdat);
    tcase_add_test(tc, test_lmtp_data);
    tcase_add_test(tc, test_lmtp_bdat_and_resets);
    tcase_add_test(tc, test_lmtp_no_recipients);
    tcase_add_test(tc, test_overflow_and_wrap);
    tcase_add_test(tc, test_proxy_lmtp_stream);
    tcase_add_test(tc, test_proxy_enhanced_text);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
