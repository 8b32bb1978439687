/* Session validator: sequencing, replies and their enhanced codes,
 * extensions offered, limits and pipelining, as transcripts fed whole,
 * split at every byte and byte by byte. */
#include "transcript.h"

static smtpp_config cfg;

static void setup_cfg(void)
{
    smtpp_config_init(&cfg, "mx.test");
    cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_SIZE) | SMTPP_EXT_BIT(SMTPP_EXT_BINARYMIME) |
                SMTPP_EXT_BIT(SMTPP_EXT_CHUNKING) | SMTPP_EXT_BIT(SMTPP_EXT_DSN) |
                SMTPP_EXT_BIT(SMTPP_EXT_SMTPUTF8) | SMTPP_EXT_BIT(SMTPP_EXT_STARTTLS) |
                SMTPP_EXT_BIT(SMTPP_EXT_AUTH) | SMTPP_EXT_BIT(SMTPP_EXT_VRFY) |
                SMTPP_EXT_BIT(SMTPP_EXT_ETRN);
    cfg.auth_mechs = SMTPP_AUTH_PLAIN | SMTPP_AUTH_LOGIN;
    cfg.max_size = 1000;
}

#define TXF(c_, pflags, in_, dec_, exp_)                                    \
    do {                                                                    \
        tx_case t_ = { (c_), (in_), (dec_), (exp_), (pflags), 0, 0, 0 };    \
        tx_check(&t_);                                                      \
    } while (0)
#define TX(c_, in_, dec_, exp_) TXF(c_, 0, in_, dec_, exp_)

#define G "GREETING 220  GREETING\n"
#define EHLO_ "EHLO c.test\r\n" W
#define MAIL_ "MAIL FROM:<a@b.test>\r\n" W
#define RCPT_ "RCPT TO:<c@d.test>\r\n" W

/* smtpp_session_next() is inline in session.h since 0.2; the library
 * still exports the symbol of 0.1's function for programs linked against
 * it.  Both give the same answer in every state, awaited reply and body
 * state, and the inline one reads a command exactly in the states between
 * commands with nothing awaited. */
#if defined(__GNUC__) && !defined(_WIN32)
#  define SYM2(x) #x
#  define SYM(x) SYM2(x)
smtpp_next next_0_1(const smtpp_session *s) __asm__(SYM(__USER_LABEL_PREFIX__) "smtpp_session_next");
#endif

START_TEST(next_inline_and_exported)
{
    smtpp_session s;
    unsigned st, aw, done;
    setup_cfg();
    smtpp_session_init(&s, &cfg);
    for (st = SMTPP_ST_PROXY; st <= SMTPP_ST_CLOSED; st++)
        for (aw = 0; aw < 2; aw++)
            for (done = 0; done < 2; done++) {
                smtpp_next n;
                int cmd_state = (st >= SMTPP_ST_REFUSED && st <= SMTPP_ST_RCPT) ||
                                st == SMTPP_ST_CHUNKING;
                s.state = (uint8_t)st;
                s._await = (uint8_t)(aw ? SMTPP_VERB_RCPT : 0);
                s._body_done = (uint8_t)done;
                /* session.h's table of smtpp_next */
                smtpp_next want = st == SMTPP_ST_PROXY      ? SMTPP_NEXT_PROXY
                                : st == SMTPP_ST_GREETING   ? SMTPP_NEXT_GREETING
                                : st == SMTPP_ST_CLOSED     ? SMTPP_NEXT_NOTHING
                                : aw                        ? SMTPP_NEXT_REPLY
                                : cmd_state                 ? SMTPP_NEXT_COMMAND
                                : st == SMTPP_ST_AUTH       ? SMTPP_NEXT_SASL
                                : done                      ? SMTPP_NEXT_REPLY
                                                            : SMTPP_NEXT_MESSAGE;
                n = smtpp_session_next(&s);
                ck_assert_msg(n == want, "state %u, await %u, body done %u: next %d, want %d", st,
                              aw, done, n, want);
#if defined(__GNUC__) && !defined(_WIN32)
                ck_assert_msg(next_0_1(&s) == n, "state %u, await %u, body done %u: %d, 0.1's %d",
                              st, aw, done, n, next_0_1(&s));
#endif
            }
}
END_TEST

START_TEST(basic_transaction)
{
    setup_cfg();
    TX(&cfg, EHLO_ MAIL_ RCPT_ "DATA\r\n" W "Hi\r\n..dot\r\n.\r\n" W "QUIT\r\n", "",
       G "EHLO ?250\nMAIL ?250\nRCPT ?250\nDATA ?354\n"
       "BODY [Hi\\0d\\0a.dot\\0d\\0a]\nDATA ?250\n"
       "QUIT 221 2.0.0 BYE close\nCLOSE\nEND CLOSED\n");
}
END_TEST

START_TEST(sequence_rules)
{
    setup_cfg();
    /* HELO/EHLO before MAIL; MAIL before RCPT and DATA */
    TX(&cfg, MAIL_ RCPT_ "DATA\r\n" W EHLO_ RCPT_ "DATA\r\n" W, "",
       G "MAIL 503 5.5.1 NEED_HELO\nRCPT 503 5.5.1 NEED_HELO\nDATA 503 5.5.1 NEED_HELO\n"
       "EHLO ?250\nRCPT 503 5.5.1 NEED_MAIL\nDATA 503 5.5.1 NEED_MAIL\nEND READY\n");
    /* nested MAIL; DATA without RCPT; all RCPT refused -> 554 */
    TX(&cfg, EHLO_ MAIL_ MAIL_ "DATA\r\n" W RCPT_ "DATA\r\n" W, "= = 550",
       G "EHLO ?250\nMAIL ?250\nMAIL 503 5.5.1 NESTED_MAIL\nDATA 503 5.5.1 NEED_RCPT\n"
       "RCPT ?550\nDATA 554 5.5.1 NO_VALID_RCPT\nEND MAIL\n");
    /* a refused MAIL opens no transaction */
    TX(&cfg, EHLO_ MAIL_ RCPT_, "= 550",
       G "EHLO ?250\nMAIL ?550\nRCPT 503 5.5.1 NEED_MAIL\nEND READY\n");
    /* RSET and EHLO reset the transaction; a refused EHLO does not */
    TX(&cfg, EHLO_ MAIL_ RCPT_ "RSET\r\n" W RCPT_ MAIL_ RCPT_ EHLO_ RCPT_ MAIL_ EHLO_ RCPT_, "= = = = = = = 550",
       G "EHLO ?250\nMAIL ?250\nRCPT ?250\nRSET 250 2.0.0 OK\nRCPT 503 5.5.1 NEED_MAIL\n"
       "MAIL ?250\nRCPT ?250\nEHLO ?250\nRCPT 503 5.5.1 NEED_MAIL\nMAIL ?250\nEHLO ?550\n"
       "RCPT ?250\nEND RCPT\n");
    /* a refused DATA stays before DATA; after a message the transaction is over */
    TX(&cfg, EHLO_ MAIL_ RCPT_ "DATA\r\n" W "DATA\r\n" W ".\r\n" W RCPT_, "= = = 451",
       G "EHLO ?250\nMAIL ?250\nRCPT ?250\nDATA ?451\nDATA ?354\nBODY []\nDATA ?250\n"
       "RCPT 503 5.5.1 NEED_MAIL\nEND READY\n");
    /* RSET before HELO keeps the need for HELO */
    TX(&cfg, "RSET\r\n" W MAIL_, "",
       G "RSET 250 2.0.0 OK\nMAIL 503 5.5.1 NEED_HELO\nEND CONNECTED\n");
}
END_TEST

START_TEST(helo_session_has_no_extensions)
{
    setup_cfg();
    TX(&cfg, "HELO c.test\r\n" W "MAIL FROM:<a@b.test> SIZE=10\r\n" W
             "MAIL FROM:<a@b.test> BODY=8BITMIME\r\n" W MAIL_
             "RCPT TO:<c@d.test> NOTIFY=NEVER\r\n" W "AUTH PLAIN\r\n" W "STARTTLS\r\n" W
             "BDAT 3\r\nabc" W,
       "",
       G "HELO ?250\nMAIL 555 5.5.4 PARAM_NOT_OFFERED\nMAIL 555 5.5.4 PARAM_NOT_OFFERED\n"
       "MAIL ?250\nRCPT 555 5.5.4 PARAM_NOT_OFFERED\nAUTH 503 5.5.1 NEED_EHLO\n"
       "STARTTLS 503 5.5.1 NEED_EHLO\nCHUNK []\nBDAT 502 5.5.1 NOT_IMPLEMENTED\nEND MAIL\n");
}
END_TEST

START_TEST(parameters_and_extensions)
{
    smtpp_config c2;
    setup_cfg();
    /* SIZE declared over the limit: 552 5.3.4 (RFC 1870) */
    TX(&cfg, EHLO_ "MAIL FROM:<a@b.test> SIZE=1001\r\n" W "MAIL FROM:<a@b.test> SIZE=1000 RET=HDRS\r\n" W
             "RCPT TO:<c@d.test> NOTIFY=SUCCESS ORCPT=rfc822;c@d.test\r\n" W,
       "",
       G "EHLO ?250\nMAIL 552 5.3.4 SIZE_EXCEEDED\nMAIL ?250\nRCPT ?250\nEND RCPT\n");
    /* extensions not offered: 555 5.5.4 */
    smtpp_config_init(&c2, "mx.test");
    TX(&c2, EHLO_ "MAIL FROM:<a@b.test> SIZE=1\r\n" W "MAIL FROM:<a@b.test> SMTPUTF8\r\n" W
             "MAIL FROM:<a@b.test> BODY=BINARYMIME\r\n" W "MAIL FROM:<a@b.test> REQUIRETLS\r\n" W
             "MAIL FROM:<a@b.test> MT-PRIORITY=3\r\n" W "MAIL FROM:<a@b.test> HOLDFOR=10\r\n" W
             "MAIL FROM:<a@b.test> BY=100;R\r\n" W "MAIL FROM:<a@b.test> ENVID=x\r\n" W
             "MAIL FROM:<a@b.test> AUTH=<>\r\n" W "MAIL FROM:<a@b.test> BODY=8BITMIME\r\n" W,
       "",
       G "EHLO ?250\nMAIL 555 5.5.4 PARAM_NOT_OFFERED\nMAIL 555 5.5.4 PARAM_NOT_OFFERED\n"
       "MAIL 555 5.5.4 PARAM_NOT_OFFERED\nMAIL 555 5.5.4 PARAM_NOT_OFFERED\n"
       "MAIL 555 5.5.4 PARAM_NOT_OFFERED\nMAIL 555 5.5.4 PARAM_NOT_OFFERED\n"
       "MAIL 555 5.5.4 PARAM_NOT_OFFERED\nMAIL 555 5.5.4 PARAM_NOT_OFFERED\n"
       "MAIL 555 5.5.4 PARAM_NOT_OFFERED\nMAIL ?250\nEND MAIL\n");
    /* BINARYMIME forbids DATA; BINARYMIME without CHUNKING is not offered */
    TX(&cfg, EHLO_ "MAIL FROM:<a@b.test> BODY=BINARYMIME\r\n" W RCPT_ "DATA\r\n" W, "",
       G "EHLO ?250\nMAIL ?250\nRCPT ?250\nDATA 503 5.5.1 BINARYMIME_DATA\nEND RCPT\n");
    c2.exts |= SMTPP_EXT_BIT(SMTPP_EXT_BINARYMIME);
    TX(&c2, EHLO_ "MAIL FROM:<a@b.test> BODY=BINARYMIME\r\n" W, "",
       G "EHLO ?250\nMAIL 555 5.5.4 PARAM_NOT_OFFERED\nEND READY\n");
    /* FUTURERELEASE without both of its maxima is not offered (RFC 4865 3:
     * the keyword carries them): HOLDFOR and HOLDUNTIL get 555 */
    c2.exts |= SMTPP_EXT_BIT(SMTPP_EXT_FUTURERELEASE);
    c2.hold_max = 604800;
    TX(&c2, EHLO_ "MAIL FROM:<a@b.test> HOLDFOR=10\r\n" W
                  "MAIL FROM:<a@b.test> HOLDUNTIL=2026-12-31T23:59:59Z\r\n" W, "",
       G "EHLO ?250\nMAIL 555 5.5.4 PARAM_NOT_OFFERED\nMAIL 555 5.5.4 PARAM_NOT_OFFERED\n"
         "END READY\n");
    c2.hold_max = 0;
    c2.hold_until_max = "2027-01-01T00:00:00Z";
    TX(&c2, EHLO_ "MAIL FROM:<a@b.test> HOLDFOR=10\r\n" W, "",
       G "EHLO ?250\nMAIL 555 5.5.4 PARAM_NOT_OFFERED\nEND READY\n");
    c2.hold_max = 604800;
    TX(&c2, EHLO_ "MAIL FROM:<a@b.test> HOLDFOR=10\r\n" W "RSET\r\n" W
                  "MAIL FROM:<a@b.test> HOLDUNTIL=2026-12-31T23:59:59Z\r\n" W, "",
       G "EHLO ?250\nMAIL ?250\nRSET 250 2.0.0 OK\nMAIL ?250\nEND MAIL\n");
}
END_TEST

/* The parameters whose extension is offered only in some states of the
 * session (REQUIRETLS, and AUTH under AUTH_NEEDS_TLS, only under TLS):
 * refused before STARTTLS, taken after it, alone and together. */
START_TEST(parameters_offered_by_state)
{
    setup_cfg();
    cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_REQUIRETLS);
    cfg.flags |= SMTPP_CFG_AUTH_NEEDS_TLS;
    TX(&cfg, EHLO_ "MAIL FROM:<a@b.test> REQUIRETLS\r\n" W "MAIL FROM:<a@b.test> AUTH=<>\r\n" W
             "MAIL FROM:<a@b.test> SIZE=10 REQUIRETLS\r\n" W "STARTTLS\r\n" W EHLO_
             "MAIL FROM:<a@b.test> REQUIRETLS\r\n" W "RSET\r\n" W
             "MAIL FROM:<a@b.test> SIZE=10 AUTH=<> REQUIRETLS\r\n" W,
       "",
       G "EHLO ?250\nMAIL 555 5.5.4 PARAM_NOT_OFFERED\nMAIL 555 5.5.4 PARAM_NOT_OFFERED\n"
       "MAIL 555 5.5.4 PARAM_NOT_OFFERED\nSTARTTLS ?220\nEHLO ?250\nMAIL ?250\n"
       "RSET 250 2.0.0 OK\nMAIL ?250\nEND MAIL\n");
}
END_TEST

START_TEST(smtputf8_recipients)
{
    smtpp_config c2;
    setup_cfg();
    TX(&cfg, EHLO_ MAIL_ "RCPT TO:<\xc3\xbc@d.test>\r\n" W "RSET\r\n" W
             "MAIL FROM:<a@b.test> SMTPUTF8\r\n" W "RCPT TO:<\xc3\xbc@d.test>\r\n" W,
       "",
       G "EHLO ?250\nMAIL ?250\nRCPT 553 5.6.7 UTF8_ADDRESS\nRSET 250 2.0.0 OK\nMAIL ?250\n"
       "RCPT ?250\nEND RCPT\n");
    /* the same for a source route with a U-label (RFC 6531 3.3) */
    TX(&cfg, EHLO_ MAIL_ "RCPT TO:<@\xc3\xa9.test:c@d.test>\r\n" W "RSET\r\n" W
             "MAIL FROM:<a@b.test> SMTPUTF8\r\n" W "RCPT TO:<@\xc3\xa9.test:c@d.test>\r\n" W,
       "",
       G "EHLO ?250\nMAIL ?250\nRCPT 553 5.6.7 UTF8_ADDRESS\nRSET 250 2.0.0 OK\nMAIL ?250\n"
       "RCPT ?250\nEND RCPT\n");
    /* and for UTF-8 in a parameter value the server implements itself
     * (SMTPP_ACCEPT_UNKNOWN_PARAMS): only in an SMTPUTF8 transaction */
    TXF(&cfg, SMTPP_ACCEPT_UNKNOWN_PARAMS,
        EHLO_ MAIL_ "RCPT TO:<c@d.test> X-TAG=\xc3\xa9\r\n" W "RCPT TO:<c@d.test> X-TAG=e\r\n" W
        "RSET\r\n" W "MAIL FROM:<a@b.test> SMTPUTF8\r\n" W "RCPT TO:<c@d.test> X-TAG=\xc3\xa9\r\n" W,
        "",
        G "EHLO ?250\nMAIL ?250\nRCPT 501 5.5.4 SYNTAX\nRCPT ?250\nRSET 250 2.0.0 OK\nMAIL ?250\n"
        "RCPT ?250\nEND RCPT\n");
    /* VRFY with SMTPUTF8 when it is not offered: 504 */
    smtpp_config_init(&c2, "mx.test");
    c2.exts |= SMTPP_EXT_BIT(SMTPP_EXT_VRFY);
    TX(&c2, EHLO_ "VRFY \xc3\xbc SMTPUTF8\r\n" W "VRFY bob\r\n" W, "",
       G "EHLO ?250\nVRFY 504 5.5.4 PARAM_NOT_IMPL\nVRFY ?252\nEND READY\n");
}
END_TEST

START_TEST(disabled_commands)
{
    smtpp_config c2;
    setup_cfg();
    TX(&cfg, EHLO_ "VRFY bob\r\n" W "EXPN list\r\n" W "HELP\r\n" W "TURN\r\n" W "ATRN\r\n" W
             "XCLIENT NAME=x\r\n" W "ETRN example.org\r\n" W MAIL_ "ETRN example.org\r\n" W,
       "",
       G "EHLO ?250\nVRFY ?252\nEXPN 502 5.5.1 NOT_IMPLEMENTED\nHELP ?214\n"
       "TURN 502 5.5.1 NOT_IMPLEMENTED\nATRN 502 5.5.1 NOT_IMPLEMENTED\n"
       "XCLIENT 502 5.5.1 NOT_IMPLEMENTED\nETRN ?250\nMAIL ?250\n"
       "ETRN 503 5.5.1 IN_TRANSACTION\nEND MAIL\n");
    smtpp_config_init(&c2, "mx.test");
    c2.exts = 0;
    TX(&c2, EHLO_ "VRFY bob\r\n" W "HELP\r\n" W "STARTTLS\r\n" W "AUTH PLAIN\r\n" W "ETRN x.org\r\n" W,
       "",
       G "EHLO ?250\nVRFY 502 5.5.1 NOT_IMPLEMENTED\nHELP 502 5.5.1 NOT_IMPLEMENTED\n"
       "STARTTLS 502 5.5.1 NOT_IMPLEMENTED\nAUTH 502 5.5.1 NOT_IMPLEMENTED\n"
       "ETRN 502 5.5.1 NOT_IMPLEMENTED\nEND READY\n");
    /* XCLIENT enabled: a 220 starts a new session */
    c2.exts = SMTPP_EXT_BIT(SMTPP_EXT_XCLIENT) | SMTPP_EXT_BIT(SMTPP_EXT_XFORWARD);
    TX(&c2, EHLO_ "XCLIENT ADDR=192.0.2.1\r\n" W MAIL_ "XFORWARD NAME=x\r\n" W, "",
       G "EHLO ?250\nXCLIENT ?220\nMAIL 503 5.5.1 NEED_HELO\nXFORWARD ?250\nEND CONNECTED\n");
}
END_TEST

START_TEST(parse_errors)
{
    setup_cfg();
    TX(&cfg, "FOO\r\n" W "MAIL FROM:<a@@b>\r\n" W EHLO_ "MAIL FROM:<a@@b>\r\n" W
             "RCPT TO:<c@@d>\r\n" W "NOOP\n" W "HELO\r\n" W "MAIL FROM:<a@b.test> FOO=1\r\n" W,
       "",
       G "- 500 5.5.1 UNRECOGNIZED\nMAIL 501 5.1.7 SYNTAX\nEHLO ?250\nMAIL 501 5.1.7 SYNTAX\n"
       "RCPT 501 5.1.3 SYNTAX\n- 500 5.5.2 SYNTAX\n" /* "NOOP\nHELO": one line, CRLF only */
       "MAIL 555 5.5.4 SYNTAX\nEND READY\n");
}
END_TEST

/* A command hidden behind a bare LF is never executed (RFC 5321 2.3.8,
 * issue 13 item 1): a DATA after "NOOP\n" starts no message, so the lines
 * that follow are commands (refused), never message text; a QUIT hidden
 * the same way does not close.  Under SMTPP_LENIENT_BARE_LF the LF ends
 * the NOOP, as it did. */
START_TEST(bare_lf_hides_no_command)
{
    setup_cfg();
    TX(&cfg, EHLO_ MAIL_ RCPT_ "NOOP\nDATA\r\n" W "evil\r\n.\r\n" W "NOOP\nQUIT\r\n" W "RSET\r\n" W,
       "",
       G "EHLO ?250\nMAIL ?250\nRCPT ?250\n- 500 5.5.2 SYNTAX\n- 500 5.5.1 UNRECOGNIZED\n"
       "- 500 5.5.1 UNRECOGNIZED\n- 500 5.5.2 SYNTAX\nRSET 250 2.0.0 OK\nEND READY\n");
    TXF(&cfg, SMTPP_LENIENT_BARE_LF, EHLO_ MAIL_ RCPT_ "NOOP\n" W "DATA\r\n" W "hi\r\n.\r\n" W, "",
        G "EHLO ?250\nMAIL ?250\nRCPT ?250\nNOOP 250 2.0.0 OK\nDATA ?354\nBODY [hi\\0d\\0a]\n"
        "DATA ?250\nEND READY\n");
}
END_TEST

START_TEST(starttls_rules)
{
    setup_cfg();
    TX(&cfg, "STARTTLS\r\n" W EHLO_ MAIL_ "STARTTLS\r\n" W "RSET\r\n" W "STARTTLS\r\n" W
             MAIL_ EHLO_ "STARTTLS\r\n" W,
       "",
       G "STARTTLS 503 5.5.1 NEED_EHLO\nEHLO ?250\nMAIL ?250\nSTARTTLS 503 5.5.1 IN_TRANSACTION\n"
       "RSET 250 2.0.0 OK\nSTARTTLS ?220\nMAIL 503 5.5.1 NEED_HELO\nEHLO ?250\n"
       "STARTTLS 503 5.5.1 TLS_ACTIVE\nEND READY\n");
    /* refused STARTTLS changes nothing */
    TX(&cfg, EHLO_ "STARTTLS\r\n" W MAIL_, "= 454",
       G "EHLO ?250\nSTARTTLS ?454\nMAIL ?250\nEND MAIL\n");
    /* plaintext after STARTTLS (CVE-2011-0411): refused even in report-only mode */
    cfg.flags |= SMTPP_CFG_SYNC_REPORT_ONLY;
    TX(&cfg, EHLO_ "STARTTLS\r\nMAIL FROM:<a@b.test>\r\n", "",
       G "EHLO ?250\nSTARTTLS 554 5.5.0 STARTTLS_INJECTION close\nCLOSE\nEND CLOSED\n");
}
END_TEST

START_TEST(tls_and_auth_requirements)
{
    setup_cfg();
    cfg.flags |= SMTPP_CFG_REQUIRE_TLS;
    TX(&cfg, EHLO_ MAIL_ "AUTH PLAIN\r\n" W "STARTTLS\r\n" W EHLO_ MAIL_, "",
       G "EHLO ?250\nMAIL 530 5.7.0 TLS_REQUIRED\nAUTH 530 5.7.0 TLS_REQUIRED\nSTARTTLS ?220\n"
       "EHLO ?250\nMAIL ?250\nEND MAIL\n");
    /* once the requirement is met, RCPT goes through every rule of its
     * own: the limit (452, RFC 5321 4.5.3.1.10; 4.5.3, RFC 3463), the
     * parameters offered (555, RFC 5321 4.1.1.11) */
    cfg.max_rcpts = 1;
    TX(&cfg, EHLO_ "STARTTLS\r\n" W EHLO_ MAIL_ RCPT_ RCPT_ "RCPT TO:<c@d.test> NOTIFY=NEVER\r\n" W, "",
       G "EHLO ?250\nSTARTTLS ?220\nEHLO ?250\nMAIL ?250\nRCPT ?250\nRCPT 452 4.5.3 TOO_MANY_RCPTS\n"
       "RCPT 452 4.5.3 TOO_MANY_RCPTS\nEND RCPT\n");
    cfg.max_rcpts = 0;
    cfg.exts &= ~SMTPP_EXT_BIT(SMTPP_EXT_DSN);
    TX(&cfg, EHLO_ "STARTTLS\r\n" W EHLO_ MAIL_ "RCPT TO:<c@d.test> NOTIFY=NEVER\r\n" W RCPT_, "",
       G "EHLO ?250\nSTARTTLS ?220\nEHLO ?250\nMAIL ?250\nRCPT 555 5.5.4 PARAM_NOT_OFFERED\nRCPT ?250\n"
       "END RCPT\n");
    setup_cfg();
    cfg.flags |= SMTPP_CFG_REQUIRE_AUTH | SMTPP_CFG_AUTH_NEEDS_TLS;
    TX(&cfg, EHLO_ MAIL_ "VRFY x\r\n" W "AUTH PLAIN AGEAYg==\r\n" W "STARTTLS\r\n" W EHLO_
             "AUTH PLAIN AGEAYg==\r\n" W MAIL_,
       "= = = 235",
       G "EHLO ?250\nMAIL 530 5.7.0 AUTH_REQUIRED\nVRFY 530 5.7.0 AUTH_REQUIRED\n"
       "AUTH 538 5.7.11 AUTH_NEEDS_TLS\nSTARTTLS ?220\nEHLO ?250\nAUTH ?235\nMAIL ?250\nEND MAIL\n");
    TX(&cfg, EHLO_ "STARTTLS\r\n" W EHLO_ "AUTH PLAIN AGEAYg==\r\n" W MAIL_ RCPT_, "= = = 235",
       G "EHLO ?250\nSTARTTLS ?220\nEHLO ?250\nAUTH ?235\nMAIL ?250\nRCPT ?250\nEND RCPT\n");
}
END_TEST

/* ATRN (RFC 2645): offered only when enabled, only to an authenticated
 * client, never inside a transaction; once accepted, the roles turn and
 * the SMTP session as a server is over. */
START_TEST(atrn_rules)
{
    setup_cfg();
    cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_ATRN);
    TX(&cfg, EHLO_ "ATRN\r\n" W "AUTH PLAIN AGEAYg==\r\n" W MAIL_ "ATRN\r\n" W "RSET\r\n" W
             "ATRN example.org\r\n" W "NOOP\r\n" W,
       "= 235",
       G "EHLO ?250\nATRN 530 5.7.0 AUTH_REQUIRED\nAUTH ?235\nMAIL ?250\n"
       "ATRN 503 5.5.1 IN_TRANSACTION\nRSET 250 2.0.0 OK\nATRN ?250\nCLOSE\nEND CLOSED\n");
    /* refused by the server: the session goes on */
    TX(&cfg, EHLO_ "AUTH PLAIN AGEAYg==\r\n" W "ATRN\r\n" W "NOOP\r\n" W, "= 235 450",
       G "EHLO ?250\nAUTH ?235\nATRN ?450\nNOOP 250 2.0.0 OK\nEND READY\n");
}
END_TEST

START_TEST(lmtp_mode)
{
    setup_cfg();
    cfg.flags |= SMTPP_CFG_LMTP;
    TX(&cfg, EHLO_ "HELO c.test\r\n" W "LHLO c.test\r\n" W MAIL_ RCPT_ "RCPT TO:<x@d.test>\r\n" W
             "RCPT TO:<y@d.test>\r\n" W "DATA\r\n" W "x\r\n.\r\n" W MAIL_,
       "= = = 550 = = 250 452",
       G "EHLO 500 5.5.1 LMTP_USE_LHLO\nHELO 500 5.5.1 LMTP_USE_LHLO\nLHLO ?250\nMAIL ?250\n"
       "RCPT ?250\nRCPT ?550\nRCPT ?250\nDATA ?354\nBODY [x\\0d\\0a]\nDATA ?250 ?452\n"
       "MAIL ?250\nEND MAIL\n");
    setup_cfg();
    TX(&cfg, "LHLO c.test\r\n" W, "", G "LHLO 500 5.5.1 UNRECOGNIZED\nEND CONNECTED\n");
}
END_TEST

START_TEST(recipient_limit)
{
    setup_cfg();
    cfg.max_rcpts = 2;
    TX(&cfg, EHLO_ MAIL_ RCPT_ RCPT_ RCPT_, "",
       G "EHLO ?250\nMAIL ?250\nRCPT ?250\nRCPT ?250\nRCPT 452 4.5.3 TOO_MANY_RCPTS\nEND RCPT\n");
}
END_TEST

START_TEST(error_and_junk_limits)
{
    setup_cfg();
    cfg.max_errors = 3;
    TX(&cfg, "FOO\r\n" W "BAR\r\n" W MAIL_ "NOOP\r\n" W, "",
       G "- 500 5.5.1 UNRECOGNIZED\n- 500 5.5.1 UNRECOGNIZED\nMAIL 503 5.5.1 NEED_HELO\n"
       "NOOP 421 4.7.0 TOO_MANY_ERRORS close\nCLOSE\nEND CLOSED\n");
    /* server refusals count too */
    TX(&cfg, EHLO_ MAIL_ MAIL_ MAIL_ MAIL_, "= 550 550 550",
       G "EHLO ?250\nMAIL ?550\nMAIL ?550\nMAIL ?550\nMAIL 421 4.7.0 TOO_MANY_ERRORS close\n"
       "CLOSE\nEND CLOSED\n");
    setup_cfg();
    cfg.max_junk = 2;
    TX(&cfg, "NOOP\r\n" W "RSET\r\n" W "NOOP\r\n" W, "",
       G "NOOP 250 2.0.0 OK\nRSET 250 2.0.0 OK\nNOOP 421 4.7.0 TOO_MANY_JUNK close\nCLOSE\nEND CLOSED\n");
    /* a delivered message resets the junk count */
    TX(&cfg, EHLO_ "NOOP\r\n" W "NOOP\r\n" W MAIL_ RCPT_ "DATA\r\n" W ".\r\n" W "NOOP\r\n" W "NOOP\r\n" W, "",
       G "EHLO ?250\nNOOP 250 2.0.0 OK\nNOOP 250 2.0.0 OK\nMAIL ?250\nRCPT ?250\nDATA ?354\n"
       "BODY []\nDATA ?250\nNOOP 250 2.0.0 OK\nNOOP 250 2.0.0 OK\nEND READY\n");
}
END_TEST

START_TEST(pipelining_groups)
{
    smtpp_config c2;
    setup_cfg();
    /* a proper group: MAIL RCPT RCPT DATA, then the message */
    TX(&cfg, EHLO_ "MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nRCPT TO:<e@d.test>\r\nDATA\r\n" W
             "x\r\n.\r\nQUIT\r\n",
       "",
       G "EHLO ?250\nMAIL ?250\nRCPT ?250\nRCPT ?250\nDATA ?354\nBODY [x\\0d\\0a]\nDATA ?250\n"
       "QUIT 221 2.0.0 BYE close\nCLOSE\nEND CLOSED\n");
    /* data before 354 */
    TX(&cfg, EHLO_ MAIL_ RCPT_ "DATA\r\nx\r\n.\r\n", "",
       G "EHLO ?250\nMAIL ?250\nRCPT ?250\nDATA 554 5.5.0 EARLY_DATA close\nCLOSE\nEND CLOSED\n");
    /* a group-ending command in the middle */
    TX(&cfg, "EHLO c.test\r\nMAIL FROM:<a@b.test>\r\n", "",
       G "EHLO 554 5.5.0 PIPELINING close\nCLOSE\nEND CLOSED\n");
    TX(&cfg, EHLO_ "NOOP\r\nRSET\r\n", "",
       G "EHLO ?250\nNOOP 554 5.5.0 PIPELINING close\nCLOSE\nEND CLOSED\n");
    /* without PIPELINING nothing may be pipelined */
    smtpp_config_init(&c2, "mx.test");
    c2.exts &= ~SMTPP_EXT_BIT(SMTPP_EXT_PIPELINING);
    TX(&c2, EHLO_ "MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\n", "",
       G "EHLO ?250\nMAIL 554 5.5.0 PIPELINING close\nCLOSE\nEND CLOSED\n");
    /* report only: recorded and processed */
    c2.flags |= SMTPP_CFG_SYNC_REPORT_ONLY;
    TX(&c2, EHLO_ "MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\n", "",
       G "EHLO ?250\nMAIL ?250\nRCPT ?250\nEND RCPT\n");
}
END_TEST

START_TEST(greeting_variants)
{
    tx_case c = { &cfg, EHLO_ "QUIT\r\n", "", NULL, 0, 0, 554, 0 };
    setup_cfg();
    c.expect = "GREETING 554  GREETING\nEHLO 503 5.5.1 SESSION_REFUSED\nQUIT 221 2.0.0 BYE close\n"
               "CLOSE\nEND CLOSED\n";
    tx_check(&c);
    c.greet_code = 220;
    c.greet_flags = SMTPP_CHECK_MORE_INPUT;
    c.expect = "GREETING 554 5.5.0 EARLY_TALKER close\nCLOSE\nEND CLOSED\n";
    tx_check(&c);
    cfg.flags |= SMTPP_CFG_SYNC_REPORT_ONLY;
    c.expect = G "EHLO ?250\nQUIT 221 2.0.0 BYE close\nCLOSE\nEND CLOSED\n";
    tx_check(&c);
    c.greet_code = 421;
    c.greet_flags = 0;
    c.expect = "GREETING 421  GREETING close\nCLOSE\nEND CLOSED\n";
    tx_check(&c);
}
END_TEST

START_TEST(api_misuse_and_after_quit)
{
    smtpp_session s;
    smtpp_parser p;
    smtpp_command cmd;
    smtpp_verdict v;
    size_t used;
    setup_cfg();
    smtpp_session_init(&s, &cfg);
    smtpp_parser_init(&p, 0);
    ck_assert_int_eq(smtpp_session_next(&s), SMTPP_NEXT_GREETING);
    /* the readers of other states: nothing read, a misuse verdict */
    {
        smtpp_proxy px;
        smtpp_str resp;
        char sasl[16];
        memset(&v, 0xa5, sizeof v);
        used = 99;
        ck_assert_int_eq(smtpp_session_proxy(&s, "PROXY UNKNOWN\r\n", 15, &px, &used, &v),
                         SMTPP_DONE);
        ck_assert_int_eq(v.id, SMTPP_V_MISUSE);
        ck_assert_uint_eq(used, 0);
        memset(&v, 0xa5, sizeof v);
        used = 99;
        ck_assert_int_eq(smtpp_session_auth_line(&s, "dXNlcg==\r\n", 10, &used, sasl, sizeof sasl,
                                                 &resp, &v),
                         SMTPP_DONE);
        ck_assert_int_eq(v.id, SMTPP_V_MISUSE);
        ck_assert_uint_eq(used, 0);
        ck_assert_uint_eq(resp.n, 0);
        ck_assert_int_eq(s.state, SMTPP_ST_GREETING);
    }
    ck_assert_int_eq(smtpp_parse_command(&p, "EHLO x.test\r\n", 13, &cmd, &used), SMTPP_DONE);
    ck_assert_int_eq(smtpp_session_check(&s, &cmd, 0, &v), SMTPP_ACT_REPLY);
    ck_assert_int_eq(v.id, SMTPP_V_MISUSE);
    smtpp_session_greeting(&s, 220, 0, &v);
    /* a second greeting */
    memset(&v, 0, sizeof v);
    smtpp_session_greeting(&s, 554, 0, &v);
    ck_assert_int_eq(v.id, SMTPP_V_MISUSE);
    ck_assert_int_eq(s.state, SMTPP_ST_CONNECTED);
    ck_assert_int_eq(smtpp_session_check(&s, &cmd, 0, &v), SMTPP_ACT_DECIDE);
    ck_assert_int_eq(smtpp_session_next(&s), SMTPP_NEXT_REPLY);
    /* checking again before the reply is reported */
    ck_assert_int_eq(smtpp_session_check(&s, &cmd, 0, &v), SMTPP_ACT_REPLY);
    ck_assert_int_eq(v.id, SMTPP_V_MISUSE);
    ck_assert_int_eq(smtpp_session_sent(&s, SMTPP_VERB_MAIL, 250), -1);
    ck_assert_int_eq(smtpp_session_sent(&s, SMTPP_VERB_EHLO, 250), 0);
    ck_assert_int_eq(smtpp_session_sent(&s, SMTPP_VERB_EHLO, 250), -1);
    ck_assert_int_eq(smtpp_session_data_end(&s, &v), SMTPP_ACT_REPLY);
    ck_assert_int_eq(v.id, SMTPP_V_MISUSE);
    ck_assert_int_eq(smtpp_parse_command(&p, "QUIT\r\n", 6, &cmd, &used), SMTPP_DONE);
    smtpp_session_check(&s, &cmd, 0, &v);
    ck_assert_int_eq(v.code, 221);
    ck_assert_int_eq(smtpp_session_next(&s), SMTPP_NEXT_NOTHING);
    ck_assert_int_eq(smtpp_session_check(&s, &cmd, 0, &v), SMTPP_ACT_CLOSE);
    ck_assert_int_eq(v.id, SMTPP_V_AFTER_QUIT);
    /* the server's 421 closes too */
    smtpp_session_init(&s, &cfg);
    smtpp_session_greeting(&s, 220, 0, &v);
    ck_assert_int_eq(smtpp_parse_command(&p, "EHLO x.test\r\n", 13, &cmd, &used), SMTPP_DONE);
    smtpp_session_check(&s, &cmd, 0, &v);
    ck_assert_int_eq(smtpp_session_sent(&s, SMTPP_VERB_EHLO, 421), 0);
    ck_assert_int_eq(s.state, SMTPP_ST_CLOSED);
}
END_TEST

START_TEST(verdict_table)
{
    int i;
    for (i = 0; i < SMTPP_V__COUNT; i++) {
        const char *e = smtpp_verdict_enhanced((smtpp_verdict_id)i);
        int code = smtpp_verdict_code((smtpp_verdict_id)i);
        ck_assert_str_eq(smtpp_verdict_name((smtpp_verdict_id)i) + 0 == NULL ? "" : "x", "x");
        if (e[0]) ck_assert_int_eq(e[0] - '0', code / 100); /* class matches the code */
        if (code >= 300 && code < 400) ck_assert_str_eq(e, ""); /* RFC 2034: none on 3xx */
    }
    ck_assert_str_eq(smtpp_verdict_name(SMTPP_V_NEED_MAIL), "SMTPP_V_NEED_MAIL");
    ck_assert_str_eq(smtpp_verdict_name(SMTPP_V__COUNT), "");
    ck_assert_int_eq(smtpp_verdict_code(SMTPP_V_TOO_MANY_RCPTS), 452);
    ck_assert_int_eq(smtpp_verdict_closes(SMTPP_V_BYE), 1);
    ck_assert_str_eq(smtpp_verdict_text(SMTPP_V_NONE), "");
    ck_assert_str_eq(smtpp_state_name(SMTPP_ST_READY), "SMTPP_ST_READY");
    ck_assert_str_eq(smtpp_state_name((smtpp_state)99), "");
}
END_TEST

START_TEST(sizes)
{
    /* the documented sizes: parser + session within 256 bytes */
    ck_assert_uint_le(sizeof(smtpp_session) + sizeof(smtpp_parser), 256);
    if (sizeof(void *) == 8) ck_assert_uint_eq(sizeof(smtpp_session), 128);
}
END_TEST

START_TEST(ehlo_reply)
{
    smtpp_session s;
    smtpp_verdict v;
    char buf[1024];
    long n;
    setup_cfg();
    cfg.flags |= SMTPP_CFG_AUTH_NEEDS_TLS;
    smtpp_session_init(&s, &cfg);
    smtpp_session_greeting(&s, 220, 0, &v);
    n = smtpp_session_ehlo(&s, buf, sizeof buf, "hello");
    ck_assert_int_gt(n, 0);
    buf[n] = 0;
    ck_assert_str_eq(buf, "250-mx.test hello\r\n250-SIZE 1000\r\n250-PIPELINING\r\n250-8BITMIME\r\n"
                          "250-BINARYMIME\r\n250-CHUNKING\r\n250-DSN\r\n250-SMTPUTF8\r\n"
                          "250-ENHANCEDSTATUSCODES\r\n250-STARTTLS\r\n250 ETRN\r\n");
    ck_assert(!smtpp_session_offers(&s, SMTPP_EXT_SIZE)); /* not before EHLO */
    s.tls = 1;
    n = smtpp_session_ehlo(&s, buf, sizeof buf, NULL);
    buf[n] = 0;
    ck_assert_str_eq(buf, "250-mx.test\r\n250-SIZE 1000\r\n250-PIPELINING\r\n250-8BITMIME\r\n"
                          "250-BINARYMIME\r\n250-CHUNKING\r\n250-DSN\r\n250-SMTPUTF8\r\n"
                          "250-ENHANCEDSTATUSCODES\r\n250-AUTH PLAIN LOGIN\r\n250 ETRN\r\n");
    /* the numbers some keywords carry (RFC 2852 3, RFC 4865 3) */
    cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_DELIVERBY) | SMTPP_EXT_BIT(SMTPP_EXT_FUTURERELEASE);
    cfg.deliverby_min = 240;
    cfg.hold_max = 604800;
    cfg.hold_until_max = "2027-01-01T00:00:00Z";
    n = smtpp_session_ehlo(&s, buf, sizeof buf, NULL);
    buf[n] = 0;
    ck_assert_msg(strstr(buf, "\r\n250-FUTURERELEASE 604800 2027-01-01T00:00:00Z\r\n") &&
                      strstr(buf, "\r\n250-DELIVERBY 240\r\n"),
                  "%s", buf);
    cfg.exts &= ~(SMTPP_EXT_BIT(SMTPP_EXT_DELIVERBY) | SMTPP_EXT_BIT(SMTPP_EXT_FUTURERELEASE));
    /* the formatted verdict carries the enhanced code only when offered */
    v.id = SMTPP_V_NEED_MAIL; v.code = 503; v.enhanced = "5.5.1"; v.text = "Need MAIL command";
    n = smtpp_session_format(&s, &v, buf, sizeof buf);
    buf[n] = 0;
    ck_assert_str_eq(buf, "503 5.5.1 Need MAIL command\r\n");
    cfg.exts &= ~SMTPP_EXT_BIT(SMTPP_EXT_ENHANCEDSTATUSCODES);
    n = smtpp_session_format(&s, &v, buf, sizeof buf);
    buf[n] = 0;
    ck_assert_str_eq(buf, "503 Need MAIL command\r\n");
}
END_TEST

/* Every EHLO reply the session writes reads back with the reply parser's
 * EHLO grammar as written: no line it counts as malformed (a keyword
 * without the parameters its RFC requires, a bad number), and exactly the
 * extensions smtpp_session_offers() names, less VRFY, EXPN and HELP, which
 * are never advertised.  For each extension alone and all together, with
 * and without the values some keywords carry, before and under TLS. */
static void ehlo_reads_back(smtpp_config *c, int tls)
{
    smtpp_session s;
    smtpp_verdict v;
    smtpp_reply_parser p;
    smtpp_reply r;
    smtpp_ehlo e;
    smtpp_parser cp;
    smtpp_command cmd;
    const char *ehlo = "EHLO c.test\r\n";
    char buf[2048];
    size_t used = 0;
    uint32_t want = 0;
    long n;
    int ext;
    smtpp_session_init(&s, c);
    smtpp_session_greeting(&s, 220, 0, &v);
    smtpp_parser_init(&cp, 0);
    ck_assert_int_eq(smtpp_parse_command(&cp, ehlo, strlen(ehlo), &cmd, &used), SMTPP_DONE);
    smtpp_session_check(&s, &cmd, 0, &v);
    ck_assert_int_eq(v.action, SMTPP_ACT_DECIDE);
    ck_assert_int_eq(smtpp_session_sent(&s, SMTPP_VERB_EHLO, 250), 0);
    used = 0;
    s.tls = (uint8_t)tls;
    for (ext = 0; ext < SMTPP_EXT__COUNT; ext++)
        if (smtpp_session_offers(&s, (smtpp_ext)ext) && ext != SMTPP_EXT_VRFY &&
            ext != SMTPP_EXT_EXPN && ext != SMTPP_EXT_HELP)
            want |= SMTPP_EXT_BIT(ext);
    n = smtpp_session_ehlo(&s, buf, sizeof buf, "hi");
    ck_assert_int_gt(n, 0);
    ck_assert_int_lt(n, (long)sizeof buf);
    smtpp_reply_parser_init(&p, SMTPP_REPLY_STRICT_ENHANCED_SYNTAX);
    ck_assert_int_eq(smtpp_parse_reply(&p, buf, (size_t)n, &r, &used), SMTPP_DONE);
    ck_assert_int_eq(r.error, 0);
    ck_assert_uint_eq(used, (size_t)n);
    ck_assert_int_eq(smtpp_ehlo_parse(&r, &e), 0);
    buf[n] = 0;
    ck_assert_msg(e.nbad == 0 && e.nunknown == 0, "exts %#x: %s", (unsigned)c->exts, buf);
    ck_assert_msg(e.exts == want, "exts %#x tls %d: parsed %#x, offered %#x: %s",
                  (unsigned)c->exts, tls, (unsigned)e.exts, (unsigned)want, buf);
}

START_TEST(ehlo_reply_reads_back)
{
    int ext, values, tls;
    for (values = 0; values < 2; values++) {
        for (ext = -1; ext < SMTPP_EXT__COUNT; ext++) {
            setup_cfg();
            cfg.exts = ext < 0 ? (uint32_t)((1ull << SMTPP_EXT__COUNT) - 1) : SMTPP_EXT_BIT(ext);
            cfg.max_size = values ? 1000 : 0;
            cfg.auth_mechs = values ? SMTPP_AUTH_PLAIN : 0;
            cfg.deliverby_min = values ? 240 : 0;
            cfg.hold_max = values ? 604800 : 0;
            cfg.hold_until_max = values ? "2027-01-01T00:00:00Z" : NULL;
            cfg.max_rcpts = values ? 50 : 0;
            for (tls = 0; tls < 2; tls++) ehlo_reads_back(&cfg, tls);
        }
    }
    /* the values alone, without the other: FUTURERELEASE is not offered */
    setup_cfg();
    cfg.exts = SMTPP_EXT_BIT(SMTPP_EXT_FUTURERELEASE);
    cfg.hold_max = 60;
    ehlo_reads_back(&cfg, 0);
    cfg.hold_max = 0;
    cfg.hold_until_max = "2027-01-01T00:00:00Z";
    ehlo_reads_back(&cfg, 0);
    cfg.hold_until_max = "";
    cfg.hold_max = 60;
    ehlo_reads_back(&cfg, 0);
}
END_TEST

/* The formatted greeting starts with the server's domain (RFC 5321 4.2,
 * 4.3.1), for each greeting code, and reads back as a reply whose first
 * word is that domain. */
static void greeting_is(smtpp_config *c, int code, const char *want)
{
    smtpp_session s;
    smtpp_verdict v;
    smtpp_reply_parser p;
    smtpp_reply r;
    char buf[1024];
    size_t used = 0, hn = strlen(c->hostname);
    long n;
    smtpp_session_init(&s, c);
    smtpp_session_greeting(&s, code, 0, &v);
    ck_assert_int_eq(v.id, SMTPP_V_GREETING);
    n = smtpp_session_format(&s, &v, buf, sizeof buf);
    ck_assert_int_gt(n, 0);
    ck_assert_int_lt(n, (long)sizeof buf);
    buf[n] = 0;
    ck_assert_str_eq(buf, want);
    smtpp_reply_parser_init(&p, SMTPP_REPLY_STRICT_ENHANCED_SYNTAX);
    ck_assert_int_eq(smtpp_parse_reply(&p, buf, (size_t)n, &r, &used), SMTPP_DONE);
    ck_assert_int_eq(r.error, 0);
    ck_assert_uint_eq(used, (size_t)n);
    ck_assert_uint_eq(r.code, (unsigned)code);
    ck_assert_uint_eq(r.enhanced.cls, 0);
    ck_assert_uint_ge(r.first.n, hn + 1);
    ck_assert(memcmp(r.first.p, c->hostname, hn) == 0 && r.first.p[hn] == ' ');
}

static void format_is(const smtpp_session *s, const smtpp_verdict *v, const char *want)
{
    char buf[1024];
    long n = smtpp_session_format(s, v, buf, sizeof buf);
    ck_assert_int_gt(n, 0);
    buf[n] = 0;
    ck_assert_str_eq(buf, want);
}

/* The reply to HELO ("250 domain [text]", RFC 5321 4.1.1.1), XCLIENT's
 * new greeting (4.2, 4.3.1) and every 421 (3.8, 4.2.2) start with the
 * server's domain, after the enhanced code when one is written; 221 and
 * the other replies do not. */
START_TEST(domain_first_format)
{
    smtpp_session s;
    smtpp_verdict v;
    smtpp_command cmd;
    smtpp_parser p;
    char buf[1024];
    size_t used;
    int id, n421 = 0;
    setup_cfg();
    cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_XCLIENT);
    smtpp_session_init(&s, &cfg);
    smtpp_session_greeting(&s, 220, 0, &v);
    smtpp_parser_init(&p, 0);
    ck_assert_int_eq(smtpp_parse_command(&p, "HELO client.test\r\n", 18, &cmd, &used), SMTPP_DONE);
    smtpp_session_check(&s, &cmd, 0, &v);
    ck_assert_int_eq(v.action, SMTPP_ACT_DECIDE);
    ck_assert_int_eq(v.id, SMTPP_V_HELLO);
    format_is(&s, &v, "250 mx.test Hello\r\n");
    smtpp_session_sent(&s, SMTPP_VERB_HELO, 250);
    ck_assert_int_eq(smtpp_parse_command(&p, "XCLIENT NAME=a.test\r\n", 21, &cmd, &used), SMTPP_DONE);
    smtpp_session_check(&s, &cmd, 0, &v);
    ck_assert_int_eq(v.action, SMTPP_ACT_DECIDE);
    ck_assert_int_eq(v.id, SMTPP_V_XCLIENT);
    format_is(&s, &v, "220 mx.test Service ready\r\n");
    /* the server's own closing replies */
    v = smtpp_verdict_row(SMTPP_V_TIMEOUT);
    ck_assert_int_eq(v.close, 1);
    format_is(&s, &v, "421 4.4.2 mx.test Timeout, closing connection\r\n");
    v = smtpp_verdict_row(SMTPP_V_TOO_MANY_CONNECTIONS);
    ck_assert_int_eq(v.close, 1);
    format_is(&s, &v, "421 4.3.2 mx.test Too many connections, try again later\r\n");
    v = smtpp_verdict_row(SMTPP_V_TOO_MANY_ERRORS);
    format_is(&s, &v, "421 4.7.0 mx.test Too many errors\r\n");
    /* not these */
    v = smtpp_verdict_row(SMTPP_V_BYE);
    format_is(&s, &v, "221 2.0.0 Bye\r\n");
    v = smtpp_verdict_row(SMTPP_V_NEED_MAIL);
    format_is(&s, &v, "503 5.5.1 Need MAIL command\r\n");
    /* every 421 row, read back: the domain is the first word of the text */
    for (id = 1; id < SMTPP_V__COUNT; id++) {
        smtpp_reply_parser rp;
        smtpp_reply r;
        long n;
        v = smtpp_verdict_row((smtpp_verdict_id)id);
        if (v.code != 421) continue;
        n421++;
        ck_assert_int_eq(v.close, 1);
        n = smtpp_session_format(&s, &v, buf, sizeof buf);
        ck_assert_int_gt(n, 0);
        smtpp_reply_parser_init(&rp, SMTPP_REPLY_STRICT_ENHANCED_SYNTAX);
        ck_assert_int_eq(smtpp_parse_reply(&rp, buf, (size_t)n, &r, &used), SMTPP_DONE);
        ck_assert_int_eq(r.error, 0);
        ck_assert_uint_eq(r.enhanced.cls, 4);
        ck_assert(r.first.n > 8 && memcmp(r.first.p, "mx.test ", 8) == 0);
    }
    ck_assert_int_ge(n421, 5);
    /* without ENHANCEDSTATUSCODES the domain follows the code */
    cfg.exts &= ~SMTPP_EXT_BIT(SMTPP_EXT_ENHANCEDSTATUSCODES);
    v = smtpp_verdict_row(SMTPP_V_TIMEOUT);
    format_is(&s, &v, "421 mx.test Timeout, closing connection\r\n");
    v = smtpp_verdict_row(SMTPP_V_HELLO);
    format_is(&s, &v, "250 mx.test Hello\r\n");
    /* no usable domain: refused, as for the greeting */
    cfg.hostname = "mx test";
    ck_assert_int_eq(smtpp_session_format(&s, &v, buf, sizeof buf), SMTPP_FMT_E_ARG);
    v = smtpp_verdict_row(SMTPP_V_TIMEOUT);
    ck_assert_int_eq(smtpp_session_format(&s, &v, buf, sizeof buf), SMTPP_FMT_E_ARG);
    v = smtpp_verdict_row(SMTPP_V_BYE);
    format_is(&s, &v, "221 Bye\r\n");
    cfg.hostname = "mx.test";
}
END_TEST

START_TEST(greeting_format)
{
    smtpp_session s;
    smtpp_verdict v;
    char buf[1024], host[600];
    setup_cfg(); /* ENHANCEDSTATUSCODES offered: the greeting still has none */
    greeting_is(&cfg, 220, "220 mx.test Service ready\r\n");
    greeting_is(&cfg, 554, "554 mx.test Service refused\r\n");
    greeting_is(&cfg, 421, "421 mx.test Service not available\r\n");
    cfg.hostname = "[192.0.2.1]"; /* an address literal is fine too */
    greeting_is(&cfg, 220, "220 [192.0.2.1] Service ready\r\n");
    /* a 255-octet domain still fits on one line */
    memset(host, 'a', 255);
    host[63] = host[127] = host[191] = '.';
    host[255] = 0;
    cfg.hostname = host;
    snprintf(buf, sizeof buf, "421 %s Service not available\r\n", host);
    greeting_is(&cfg, 421, buf);
    /* no usable domain: refused, never a greeting without one */
    {
        static const char *const bad[] = { NULL, "", "mx test", "mx\ttest", "2.0.0", "5.01.1",
                                           "mx.test\r\n250-injected" };
        static const long want[] = { SMTPP_FMT_E_ARG, SMTPP_FMT_E_ARG, SMTPP_FMT_E_ARG,
                                     SMTPP_FMT_E_ARG, SMTPP_FMT_E_ARG, SMTPP_FMT_E_ARG,
                                     SMTPP_FMT_E_CHAR };
        size_t i;
        for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            cfg.hostname = bad[i];
            smtpp_session_init(&s, &cfg);
            smtpp_session_greeting(&s, 220, 0, &v);
            ck_assert_int_eq(smtpp_session_format(&s, &v, buf, sizeof buf), want[i]);
        }
    }
    /* one line of at most 512 octets: "220 " host " Service ready" CRLF */
    memset(host, 'a', 599);
    host[599] = 0;
    cfg.hostname = host;
    smtpp_session_init(&s, &cfg);
    smtpp_session_greeting(&s, 220, 0, &v);
    ck_assert_int_eq(smtpp_session_format(&s, &v, buf, sizeof buf), SMTPP_FMT_E_TOO_LONG);
    host[493] = 0;
    ck_assert_int_eq(smtpp_session_format(&s, &v, buf, sizeof buf), SMTPP_FMT_E_TOO_LONG);
    host[492] = 0;
    ck_assert_int_eq(smtpp_session_format(&s, &v, buf, sizeof buf), 512);
    /* words that look like enhanced codes but are not one inside a name */
    cfg.hostname = "2.0.0.example";
    greeting_is(&cfg, 220, "220 2.0.0.example Service ready\r\n");
    cfg.hostname = "mx.test";
}
END_TEST

/* Entry points used out of their usual order, and the group-ender table. */
START_TEST(api_edges)
{
    static const int enders[SMTPP_VERB__COUNT] = {
        [SMTPP_VERB_HELO] = 1, [SMTPP_VERB_EHLO] = 1, [SMTPP_VERB_LHLO] = 1,
        [SMTPP_VERB_DATA] = 1, [SMTPP_VERB_VRFY] = 1, [SMTPP_VERB_EXPN] = 1,
        [SMTPP_VERB_TURN] = 1, [SMTPP_VERB_ATRN] = 1, [SMTPP_VERB_QUIT] = 1,
        [SMTPP_VERB_NOOP] = 1, [SMTPP_VERB_AUTH] = 1, [SMTPP_VERB_STARTTLS] = 1,
        [SMTPP_VERB_XCLIENT] = 1,
    };
    smtpp_session s;
    smtpp_parser p;
    smtpp_command cmd;
    smtpp_verdict v;
    smtpp_data d;
    smtpp_str sl;
    size_t used;
    int i;
    /* RFC 2920 3.1: the commands that may only end a group */
    for (i = 0; i < SMTPP_VERB__COUNT; i++)
        ck_assert_int_eq(smtpp_verb_ends_group((smtpp_verb)i), enders[i]);
    ck_assert_int_eq(smtpp_verb_ends_group((smtpp_verb)200), 0);
    setup_cfg();
    smtpp_session_init(&s, &cfg);
    smtpp_parser_init(&p, 0);
    smtpp_session_greeting(&s, 220, 0, &v);
    /* a command record with no verb and no error (not from the parser) */
    ck_assert_int_eq(smtpp_parse_command(&p, "NOOP\r\n", 6, &cmd, &used), SMTPP_DONE);
    cmd.verb = SMTPP_VERB_UNKNOWN;
    ck_assert_int_eq(smtpp_session_check(&s, &cmd, 0, &v), SMTPP_ACT_REPLY);
    ck_assert_int_eq(v.id, SMTPP_V_UNRECOGNIZED);
    ck_assert_int_eq(v.code, 500);
    /* message bytes when no message is expected */
    ck_assert_int_eq(smtpp_session_data(&s, "x\r\n", 3, &sl, &used), -1);
    /* a value that is no state: nothing can be done */
    s.state = 200;
    ck_assert_int_eq(smtpp_session_next(&s), SMTPP_NEXT_NOTHING);
    /* the scanner called again after the end of its message */
    smtpp_data_init(&d, 0, 0, 0);
    ck_assert_int_eq(smtpp_data_parse(&d, ".\r\n", 3, &sl, &used), SMTPP_DONE);
    ck_assert_uint_eq(used, 3);
    ck_assert_int_eq(smtpp_data_parse(&d, "RSET\r\n", 6, &sl, &used), SMTPP_DONE);
    ck_assert_uint_eq(used, 0);
    ck_assert_uint_eq(sl.n, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("session");
    TCase *t = tcase_create("session");
    SRunner *r;
    int failed;
    tcase_add_test(t, basic_transaction);
    tcase_add_test(t, sequence_rules);
    tcase_add_test(t, helo_session_has_no_extensions);
    tcase_add_test(t, parameters_and_extensions);
    tcase_add_test(t, parameters_offered_by_state);
    tcase_add_test(t, smtputf8_recipients);
    tcase_add_test(t, disabled_commands);
    tcase_add_test(t, parse_errors);
    tcase_add_test(t, bare_lf_hides_no_command);
    tcase_add_test(t, starttls_rules);
    tcase_add_test(t, tls_and_auth_requirements);
    tcase_add_test(t, atrn_rules);
    tcase_add_test(t, lmtp_mode);
    tcase_add_test(t, recipient_limit);
    tcase_add_test(t, error_and_junk_limits);
    tcase_add_test(t, pipelining_groups);
    tcase_add_test(t, greeting_variants);
    tcase_add_test(t, greeting_format);
    tcase_add_test(t, domain_first_format);
    tcase_add_test(t, api_misuse_and_after_quit);
    tcase_add_test(t, api_edges);
    tcase_add_test(t, verdict_table);
    tcase_add_test(t, sizes);
    tcase_add_test(t, ehlo_reply);
    tcase_add_test(t, ehlo_reply_reads_back);
    tcase_add_test(t, next_inline_and_exported);
    suite_add_tcase(s, t);
    r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
