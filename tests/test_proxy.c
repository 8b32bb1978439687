/* PROXY protocol v1 and v2 headers, alone and as the first bytes of a
 * session, split at every byte. */
#include "transcript.h"

static smtpp_config cfg;

#define G "GREETING 220  GREETING\n"

static void run(const char *in, size_t n, const char *expect)
{
    tx_case c = { &cfg, in, "", expect, 0, 0, 0, n };
    tx_check(&c);
}

START_TEST(v1_in_session)
{
    smtpp_config_init(&cfg, "mx.test");
    cfg.flags |= SMTPP_CFG_PROXY;
    run("PROXY TCP4 192.0.2.1 198.51.100.2 56324 25\r\nEHLO c.test\r\n", 0,
        "PROXY v=1 fam=1 local=0 src=192.0.2.1:56324 dst=198.51.100.2:25 src6end=00 tlv=0\n"
        G "EHLO ?250\nEND READY\n");
    run("PROXY UNKNOWN whatever\r\nNOOP\r\n", 0,
        "PROXY v=1 fam=0 local=0 src=0.0.0.0:0 dst=0.0.0.0:0 src6end=00 tlv=0\n" G
        "NOOP 250 2.0.0 OK\nEND CONNECTED\n");
    run("PROXY TCP6 2001:db8::1 ::ffff:192.0.2.9 1 65535\r\n", 0,
        "PROXY v=1 fam=2 local=0 src=32.1.13.184:1 dst=0.0.0.0:65535 src6end=01 tlv=0\n" G
        "END CONNECTED\n");
    /* not a header: closed without a reply, nothing else is read */
    run("EHLO c.test\r\n", 0, "PROXY PROXY_BAD\nCLOSE\nEND CLOSED\n");
    run("PROXY TCP4 192.0.2.1 198.51.100.2 56324 65536\r\n", 0, "PROXY PROXY_BAD\nCLOSE\nEND CLOSED\n");
    run("PROXY TCP4 192.0.2.1 198.51.100.2 56324 25\n", 0, "PROXY PROXY_BAD\nCLOSE\nEND CLOSED\n");
    /* the v1 line ends at CRLF only: a bare LF or CR inside never ends it
     * early, so no command hides behind one (RFC 5321 2.3.8) */
    run("PROXY UNKNOWN\nNOOP\r\n", 0, "PROXY PROXY_BAD\nCLOSE\nEND CLOSED\n");
    run("PROXY TCP4 192.0.2.1 198.51.100.2 56324 25\rNOOP\r\n", 0,
        "PROXY PROXY_BAD\nCLOSE\nEND CLOSED\n");
    /* a second header is not a header any more: an unknown command */
    run("PROXY UNKNOWN\r\nPROXY UNKNOWN\r\n", 0,
        "PROXY v=1 fam=0 local=0 src=0.0.0.0:0 dst=0.0.0.0:0 src6end=00 tlv=0\n" G
        "- 500 5.5.1 UNRECOGNIZED\nEND CONNECTED\n");
}
END_TEST

START_TEST(v2_in_session)
{
    static const char v4[] = "\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x0f"
                             "\xc0\x00\x02\x01\xc6\x33\x64\x02\xdc\x04\x00\x19"
                             "\x04\x00\x00" "NOOP\r\n";
    static const char local[] = "\r\n\r\n\0\r\nQUIT\n\x20\x00\x00\x00" "NOOP\r\n";
    static const char badver[] = "\r\n\r\n\0\r\nQUIT\n\x31\x11\x00\x00";
    static const char shortaddr[] = "\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x04\x01\x02\x03\x04";
    smtpp_config_init(&cfg, "mx.test");
    cfg.flags |= SMTPP_CFG_PROXY;
    run(v4, sizeof v4 - 1,
        "PROXY v=2 fam=1 local=0 src=192.0.2.1:56324 dst=198.51.100.2:25 src6end=00 tlv=3\n" G
        "NOOP 250 2.0.0 OK\nEND CONNECTED\n");
    run(local, sizeof local - 1,
        "PROXY v=2 fam=0 local=1 src=0.0.0.0:0 dst=0.0.0.0:0 src6end=00 tlv=0\n" G
        "NOOP 250 2.0.0 OK\nEND CONNECTED\n");
    run(badver, sizeof badver - 1, "PROXY PROXY_BAD\nCLOSE\nEND CLOSED\n");
    run(shortaddr, sizeof shortaddr - 1, "PROXY PROXY_BAD\nCLOSE\nEND CLOSED\n");
}
END_TEST

START_TEST(parser_alone)
{
    smtpp_proxy px;
    size_t used;
    char v6[16 + 36], ux[16 + 216], big[108];
    memcpy(v6, "\r\n\r\n\0\r\nQUIT\n\x21\x21\x00\x24", 16);
    memset(v6 + 16, 0xab, 36);
    ck_assert_int_eq(smtpp_proxy_parse(v6, sizeof v6, &px, &used), SMTPP_DONE);
    ck_assert_uint_eq(used, sizeof v6);
    ck_assert_int_eq(px.family, SMTPP_PROXY_INET6);
    ck_assert_int_eq(px.src_port, 0xabab);
    ck_assert_int_eq(smtpp_proxy_parse(v6, sizeof v6 - 1, &px, &used), SMTPP_AGAIN);
    ck_assert_uint_eq(used, 0);
    memcpy(ux, "\r\n\r\n\0\r\nQUIT\n\x21\x31\x00\xd8", 16);
    memset(ux + 16, 0, 216);
    memcpy(ux + 16, "/run/a.sock", 11);
    ck_assert_int_eq(smtpp_proxy_parse(ux, sizeof ux, &px, &used), SMTPP_DONE);
    ck_assert_int_eq(px.family, SMTPP_PROXY_UNIX);
    ck_assert_uint_eq(px.src_path.n, 11);
    ck_assert_uint_eq(px.dst_path.n, 0);
    /* v1: partial, too long, bad fields */
    ck_assert_int_eq(smtpp_proxy_parse("PRO", 3, &px, &used), SMTPP_AGAIN);
    ck_assert_int_eq(smtpp_proxy_parse("PROXY TCP4 1.2.3.4", 18, &px, &used), SMTPP_AGAIN);
    memset(big, 'x', sizeof big);
    memcpy(big, "PROXY ", 6);
    ck_assert_int_eq(smtpp_proxy_parse(big, sizeof big, &px, &used), -1);
    ck_assert_int_eq(smtpp_proxy_parse("PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n", 33, &px, &used), -1);
    ck_assert_int_eq(smtpp_proxy_parse("PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n", 30, &px, &used), -1);
    ck_assert_int_eq(smtpp_proxy_parse("PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n", 32, &px, &used), -1);
    ck_assert_int_eq(smtpp_proxy_parse("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n", 33, &px, &used), -1);
    ck_assert_int_eq(smtpp_proxy_parse("PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n", 32, &px, &used), -1);
    ck_assert_int_eq(smtpp_proxy_parse("PROXY TCP6 1::2::3 ::1 1 2\r\n", 28, &px, &used), -1);
    /* a single ":" at the end (RFC 4291 2.2: "::" or a group must follow) */
    ck_assert_int_eq(smtpp_proxy_parse("PROXY TCP6 1:2:3:4:5:6:7: ::1 1 2\r\n", 35, &px, &used), -1);
    ck_assert_int_eq(smtpp_proxy_parse("PROXY TCP6 ::1 1:: 1 2\r\n", 24, &px, &used), SMTPP_DONE);
    ck_assert_int_eq(smtpp_proxy_parse("PROXY TCP6 ::1 1:2: 1 2\r\n", 25, &px, &used), -1);
    ck_assert_int_eq(smtpp_proxy_parse("PROXY TCP6 1:2:3:4:5:6:7:8 ::1 1 2\r\n", 36, &px, &used), SMTPP_DONE);
    ck_assert_int_eq(px.src[15], 8);
    ck_assert_int_eq(px.dst[15], 1);
    ck_assert_int_eq(smtpp_proxy_parse("", 0, &px, &used), SMTPP_AGAIN);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("proxy");
    TCase *t = tcase_create("proxy");
    SRunner *r;
    int failed;
    tcase_add_test(t, v1_in_session);
    tcase_add_test(t, v2_in_session);
    tcase_add_test(t, parser_alone);
    suite_add_tcase(s, t);
    r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
