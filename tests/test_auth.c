/* AUTH exchanges (RFC 4954) as transcripts, split at every byte. */
#include "transcript.h"

static smtpp_config cfg;

static void setup_cfg(void)
{
    smtpp_config_init(&cfg, "mx.test");
    cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_AUTH);
    cfg.auth_mechs = SMTPP_AUTH_PLAIN | SMTPP_AUTH_LOGIN;
    cfg.auth_line_max = 64;
}

#define TX(c_, in_, dec_, exp_)                                             \
    do {                                                                    \
        tx_case t_ = { (c_), (in_), (dec_), (exp_), 0, 0, 0, 0 };           \
        tx_check(&t_);                                                      \
    } while (0)

#define G "GREETING 220  GREETING\nEHLO ?250\n"
#define EHLO_ "EHLO c.test\r\n" W

START_TEST(login_exchange)
{
    setup_cfg();
    /* LOGIN: two challenges, then success; AUTH again is refused */
    TX(&cfg, EHLO_ "AUTH LOGIN\r\n" W "dXNlcg==\r\n" W "cGFzcw==\r\n" W "AUTH PLAIN\r\n" W, "= 334 334 235",
       G "AUTH ?334\nSASL [user]\nSASL ?334\nSASL [pass]\nSASL ?235\n"
       "AUTH 503 5.5.1 ALREADY_AUTH\nEND READY\n");
    /* failure: the server's 535; another try is allowed */
    TX(&cfg, EHLO_ "AUTH PLAIN\r\n" W "AHUAcA==\r\n" W "AUTH PLAIN AHUAcQ==\r\n" W, "= 334 535 235",
       G "AUTH ?334\nSASL [\\00u\\00p]\nSASL ?535\nAUTH ?235\nEND READY\n");
    /* an empty response: "=" or an empty line */
    TX(&cfg, EHLO_ "AUTH PLAIN\r\n" W "=\r\n" W "\r\n" W, "= 334 334 535",
       G "AUTH ?334\nSASL []\nSASL ?334\nSASL []\nSASL ?535\nEND READY\n");
}
END_TEST

START_TEST(exchange_errors)
{
    setup_cfg();
    TX(&cfg, EHLO_ "AUTH LOGIN\r\n" W "*\r\n" W "AUTH LOGIN\r\n" W "not base64!\r\n" W
             "AUTH LOGIN\r\n" W "dXNlcg==\nNOOP\r\n" W "AUTH LOGIN\r\n" W
             "dXNlcnVzZXJ1c2VydXNlcnVzZXJ1c2VydXNlcnVzZXJ1c2VydXNlcnVzZXJ1c2VydXNlcnVzZXI=\r\n" W "NOOP\r\n" W,
       "= 334 = 334 = 334 = 334",
       G "AUTH ?334\nSASL 501 5.7.0 AUTH_CANCELLED\nAUTH ?334\nSASL 501 5.5.2 AUTH_BAD_BASE64\n"
       "AUTH ?334\nSASL 501 5.5.2 AUTH_BAD_BASE64\nAUTH ?334\n"
       "SASL 500 5.5.6 AUTH_LINE_TOO_LONG\nNOOP 250 2.0.0 OK\nEND READY\n");
}
END_TEST

/* SASL response lines end at CRLF only, as command lines do (RFC 5321
 * 2.3.8): a bare LF is part of the line, which is refused once (501 5.5.2),
 * and nothing after the LF is executed as a command. */
START_TEST(bare_lf_framing)
{
    setup_cfg();
    TX(&cfg, EHLO_ "AUTH LOGIN\r\n" W "dXNlcg==\nQUIT\r\n" W "NOOP\r\n" W, "= 334",
       G "AUTH ?334\nSASL 501 5.5.2 AUTH_BAD_BASE64\nNOOP 250 2.0.0 OK\nEND READY\n");
    /* an LF-terminated response is incomplete: the CRLF completes it */
    TX(&cfg, EHLO_ "AUTH LOGIN\r\n" W "dXNlcg==\n" W "\r\nNOOP\r\n" W, "= 334",
       G "AUTH ?334\nSASL 501 5.5.2 AUTH_BAD_BASE64\nNOOP 250 2.0.0 OK\nEND READY\n");
    /* over the limit (64) with bare LFs in it: refused once at its CRLF */
    TX(&cfg, EHLO_ "AUTH LOGIN\r\n" W
             "a\na\na\na\na\na\na\na\na\na\na\na\na\na\na\na\na\na\na\na\na\na\na\na\na\na\na\na\na\na\na\na\na\na\n"
             "QUIT\r\n" W "NOOP\r\n" W, "= 334",
       G "AUTH ?334\nSASL 500 5.5.6 AUTH_LINE_TOO_LONG\nNOOP 250 2.0.0 OK\nEND READY\n");
}
END_TEST

START_TEST(auth_sequence)
{
    smtpp_config c2;
    setup_cfg();
    TX(&cfg, "AUTH PLAIN\r\n" W "HELO c.test\r\n" W "AUTH PLAIN\r\n" W EHLO_ "AUTH CRAM-MD5\r\n" W
             "AUTH X-FOO\r\n" W "MAIL FROM:<a@b.test>\r\n" W "AUTH PLAIN\r\n" W,
       "",
       "GREETING 220  GREETING\nAUTH 503 5.5.1 NEED_EHLO\nHELO ?250\nAUTH 503 5.5.1 NEED_EHLO\n"
       "EHLO ?250\nAUTH 504 5.5.4 AUTH_MECHANISM\nAUTH 504 5.5.4 AUTH_MECHANISM\nMAIL ?250\n"
       "AUTH 503 5.5.1 IN_TRANSACTION\nEND MAIL\n");
    /* a mechanism the table lacks, passed on with SMTPP_AUTH_OTHER */
    cfg.auth_mechs |= SMTPP_AUTH_OTHER;
    TX(&cfg, EHLO_ "AUTH X-FOO\r\n" W, "", G "AUTH ?334\nEND AUTH\n");
    /* AUTH not offered */
    smtpp_config_init(&c2, "mx.test");
    TX(&c2, EHLO_ "AUTH PLAIN\r\n" W, "", G "AUTH 502 5.5.1 NOT_IMPLEMENTED\nEND READY\n");
}
END_TEST

START_TEST(decode_buffer_too_small)
{
    smtpp_config c;
    smtpp_session s;
    smtpp_verdict v;
    smtpp_parser p;
    smtpp_command cmd;
    smtpp_str resp;
    char small[2];
    size_t used;
    smtpp_config_init(&c, "mx.test");
    c.exts |= SMTPP_EXT_BIT(SMTPP_EXT_AUTH);
    c.auth_mechs = SMTPP_AUTH_LOGIN;
    smtpp_session_init(&s, &c);
    smtpp_parser_init(&p, 0);
    smtpp_session_greeting(&s, 220, 0, &v);
    smtpp_parse_command(&p, "EHLO x.test\r\n", 13, &cmd, &used);
    smtpp_session_check(&s, &cmd, 0, &v);
    smtpp_session_sent(&s, SMTPP_VERB_EHLO, 250);
    smtpp_parse_command(&p, "AUTH LOGIN\r\n", 12, &cmd, &used);
    ck_assert_int_eq(smtpp_session_check(&s, &cmd, 0, &v), SMTPP_ACT_DECIDE);
    ck_assert_int_eq(v.code, 334);
    smtpp_session_sent(&s, SMTPP_VERB_AUTH, 334);
    ck_assert_int_eq(smtpp_session_next(&s), SMTPP_NEXT_SASL);
    ck_assert_int_eq(smtpp_session_auth_line(&s, "dXNlcg==\r\n", 10, &used, small, sizeof small,
                                             &resp, &v), SMTPP_DONE);
    ck_assert_int_eq(v.id, SMTPP_V_AUTH_LINE_TOO_LONG);
    ck_assert_int_eq(v.code, 500);
    ck_assert_str_eq(v.enhanced, "5.5.6");
    ck_assert_int_eq(smtpp_session_next(&s), SMTPP_NEXT_COMMAND);
}
END_TEST

/* smtpp_sasl_plain (RFC 4616): every outcome, the slices, and the
 * exhaustive NUL placements of a short message. */
START_TEST(plain_split)
{
    static const struct { const char *m; size_t n; smtpp_plain_result r; const char *z, *c, *p; } v[] = {
        { "\0u\0p", 4, SMTPP_PLAIN_OK, "", "u", "p" },
        { "zid\0user\0pa ss", 14, SMTPP_PLAIN_OK, "zid", "user", "pa ss" },
        { "\0caf\xc3\xa9\0\xe2\x82\xac", 10, SMTPP_PLAIN_OK, "", "caf\xc3\xa9", "\xe2\x82\xac" },
        { "", 0, SMTPP_PLAIN_E_FORMAT, 0, 0, 0 },
        { "u\0p", 3, SMTPP_PLAIN_E_FORMAT, 0, 0, 0 },
        { "\0u\0p\0", 5, SMTPP_PLAIN_E_FORMAT, 0, 0, 0 },
        { "\0\0\0", 3, SMTPP_PLAIN_E_FORMAT, 0, 0, 0 },
        { "\0\0p", 3, SMTPP_PLAIN_E_EMPTY, 0, 0, 0 },
        { "\0u\0", 3, SMTPP_PLAIN_E_EMPTY, 0, 0, 0 },
        { "\0\0", 2, SMTPP_PLAIN_E_EMPTY, 0, 0, 0 },
        { "\0u\xff\0p", 5, SMTPP_PLAIN_E_UTF8, 0, 0, 0 },
        { "\xc0\x80\0u\0p", 6, SMTPP_PLAIN_E_UTF8, 0, 0, 0 },          /* overlong */
        { "\0u\0\xed\xa0\x80", 6, SMTPP_PLAIN_E_UTF8, 0, 0, 0 },       /* surrogate */
        { "\0u\0\xf4\x90\x80\x80", 7, SMTPP_PLAIN_E_UTF8, 0, 0, 0 },   /* > U+10FFFF */
        { "\0u\0\xe2\x82", 5, SMTPP_PLAIN_E_UTF8, 0, 0, 0 },           /* truncated */
    };
    char big[600];
    smtpp_plain pl;
    size_t i;
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        smtpp_plain_result r = smtpp_sasl_plain(v[i].m, v[i].n, &pl);
        ck_assert_msg(r == v[i].r, "case %zu: %s", i, smtpp_plain_result_name(r));
        if (r == SMTPP_PLAIN_OK) {
            ck_assert(pl.authzid.n == strlen(v[i].z) && !memcmp(pl.authzid.p, v[i].z, pl.authzid.n));
            ck_assert(pl.authcid.n == strlen(v[i].c) && !memcmp(pl.authcid.p, v[i].c, pl.authcid.n));
            ck_assert(pl.passwd.n == strlen(v[i].p) && !memcmp(pl.passwd.p, v[i].p, pl.passwd.n));
            /* slices of the message itself */
            ck_assert(pl.authcid.p > v[i].m && pl.passwd.p + pl.passwd.n == v[i].m + v[i].n);
        } else {
            ck_assert(pl.authcid.p == NULL && pl.passwd.n == 0);
        }
    }
    /* 255 octets pass, 256 do not (authzid, authcid); passwd has no limit */
    memset(big, 'a', sizeof big);
    big[0] = 0;
    big[256] = 0;
    ck_assert_int_eq(smtpp_sasl_plain(big, 258, &pl), SMTPP_PLAIN_OK);
    ck_assert_uint_eq(pl.authcid.n, 255);
    big[256] = 'a';
    big[257] = 0;
    ck_assert_int_eq(smtpp_sasl_plain(big, 259, &pl), SMTPP_PLAIN_E_TOO_LONG);
    big[0] = 'a';
    big[255] = 0;
    big[257] = 'a';
    big[258] = 0;
    ck_assert_int_eq(smtpp_sasl_plain(big, 260, &pl), SMTPP_PLAIN_OK);   /* 255, 2, 1 */
    big[255] = 'a';
    big[256] = 0;
    ck_assert_int_eq(smtpp_sasl_plain(big, 260, &pl), SMTPP_PLAIN_E_TOO_LONG);
    big[256] = 'a';
    big[258] = 'a';
    big[1] = 0;
    big[3] = 0;
    ck_assert_int_eq(smtpp_sasl_plain(big, 600, &pl), SMTPP_PLAIN_OK);   /* long passwd */
    ck_assert_uint_eq(pl.passwd.n, 596);
    /* every placement of NULs in 5 octets: OK exactly for two NULs with
     * something after each */
    {
        unsigned mask, k;
        char m[5];
        for (mask = 0; mask < 32; mask++) {
            unsigned nuls = 0, want_ok;
            int first = -1, second = -1;
            for (k = 0; k < 5; k++) {
                m[k] = (mask >> k) & 1 ? 0 : 'x';
                if (!m[k]) {
                    if (first < 0) first = (int)k;
                    else if (second < 0) second = (int)k;
                    nuls++;
                }
            }
            want_ok = nuls == 2 && second > first + 1 && second < 4;
            ck_assert_int_eq(smtpp_sasl_plain(m, 5, &pl) == SMTPP_PLAIN_OK, want_ok);
        }
    }
    ck_assert_str_eq(smtpp_plain_result_name(SMTPP_PLAIN_E_EMPTY), "SMTPP_PLAIN_E_EMPTY");
    ck_assert_str_eq(smtpp_plain_result_name((smtpp_plain_result)99), "");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("auth");
    TCase *t = tcase_create("auth");
    SRunner *r;
    int failed;
    tcase_add_test(t, login_exchange);
    tcase_add_test(t, exchange_errors);
    tcase_add_test(t, bare_lf_framing);
    tcase_add_test(t, auth_sequence);
    tcase_add_test(t, decode_buffer_too_small);
    tcase_add_test(t, plain_split);
    suite_add_tcase(s, t);
    r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
