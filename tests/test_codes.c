/* Reply-code and enhanced-status-code tables; enhanced code syntax. */
#include <smtpp/smtpp.h>

#include <check.h>
#include <stdio.h>
#include <string.h>

START_TEST(test_rfc5321_codes_present)
{
    /* RFC 5321 4.2.2 and 4.2.3, RFC 4954 6, RFC 7504 */
    static const int codes[] = { 211, 214, 220, 221, 235, 250, 251, 252, 334, 354, 421, 432,
                                 450, 451, 452, 454, 455, 500, 501, 502, 503, 504, 521,
                                 530, 534, 535, 538, 550, 551, 552, 553, 554, 555, 556 };
    size_t i;
    for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const smtpp_code_row *r = smtpp_code_lookup(codes[i]);
        ck_assert_msg(r != NULL, "code %d missing", codes[i]);
        ck_assert_int_eq(r->code, codes[i]);
        ck_assert_ptr_eq(smtpp_code_text(codes[i]), r->text);
        ck_assert_int_gt((int)strlen(r->text), 5);
        ck_assert(strncmp(r->name, "SMTPP_R_", 8) == 0);
    }
    ck_assert_str_eq(smtpp_code_text(354), "Start mail input; end with <CRLF>.<CRLF>");
    ck_assert_str_eq(smtpp_code_lookup(SMTPP_R_OK)->name, "SMTPP_R_OK");
    ck_assert_int_eq(SMTPP_R_PARAMS_UNKNOWN, 555);
    ck_assert_int_eq(SMTPP_R_PARAMS_NOT_NOW, 455);
    ck_assert_int_eq(SMTPP_R_CANNOT_VRFY, 252);
}
END_TEST

START_TEST(test_code_unknown)
{
    ck_assert_ptr_null(smtpp_code_lookup(0));
    ck_assert_ptr_null(smtpp_code_lookup(199));
    ck_assert_ptr_null(smtpp_code_lookup(253));
    ck_assert_ptr_null(smtpp_code_lookup(600));
    ck_assert_ptr_null(smtpp_code_lookup(-250));
    ck_assert_ptr_null(smtpp_code_text(299));
}
END_TEST

START_TEST(test_code_iteration)
{
    size_t i;
    const smtpp_code_row *r, *prev = NULL;
    for (i = 0; (r = smtpp_code_at(i)) != NULL; i++) {
        if (prev)
            ck_assert_int_lt(prev->code, r->code); /* ascending, unique */
        ck_assert_ptr_eq(smtpp_code_lookup(r->code), r);
        prev = r;
    }
    ck_assert_uint_eq(i, 34);
}
END_TEST

START_TEST(test_enhanced_registry)
{
    size_t i;
    const smtpp_enhanced_row *r, *prev = NULL;
    for (i = 0; (r = smtpp_enhanced_at(i)) != NULL; i++) {
        if (prev)
            ck_assert(prev->subject * 1000 + prev->detail < r->subject * 1000 + r->detail);
        ck_assert_ptr_eq(smtpp_enhanced_lookup(r->subject, r->detail), r);
        ck_assert(strncmp(r->name, "SMTPP_ES_", 9) == 0);
        ck_assert(strncmp(r->reference, "RFC ", 4) == 0 || strcmp(r->reference, "IANA registry") == 0);
        ck_assert_ptr_nonnull(smtpp_enhanced_subject_text(r->subject));
        prev = r;
    }
    ck_assert_uint_ge(i, 80);
}
END_TEST

START_TEST(test_enhanced_required_rows)
{
    /* all of RFC 3463, plus the later registrations asked for */
    static const unsigned need[][2] = {
        {0,0}, {1,0},{1,1},{1,2},{1,3},{1,4},{1,5},{1,6},{1,7},{1,8},
        {2,0},{2,1},{2,2},{2,3},{2,4}, {3,0},{3,1},{3,2},{3,3},{3,4},{3,5},
        {4,0},{4,1},{4,2},{4,3},{4,4},{4,5},{4,6},{4,7},
        {5,0},{5,1},{5,2},{5,3},{5,4},{5,5}, {6,0},{6,1},{6,2},{6,3},{6,4},{6,5},
        {7,0},{7,1},{7,2},{7,3},{7,4},{7,5},{7,6},{7,7},
        /* RFC 4954 */ {5,6},{7,8},{7,9},{7,11},{7,12},
        /* RFC 6531 */ {6,7},{6,8},{6,9},{6,10},
        /* RFC 3886, 4468, 6710, 7293, 7372, 7505, 8617, 8689 */
        {1,9},{6,6},{3,6},{7,15},{7,16},{7,17},{7,18},{7,19},{7,20},{7,21},{7,22},{7,23},
        {7,24},{7,25},{7,26},{1,10},{7,27},{7,29},{7,30},
        /* RFC 5248 */ {7,10},{7,13},{7,14}, /* IANA */ {7,28}
    };
    size_t i;
    for (i = 0; i < sizeof need / sizeof need[0]; i++)
        ck_assert_msg(smtpp_enhanced_lookup(need[i][0], need[i][1]) != NULL, "X.%u.%u missing",
                      need[i][0], need[i][1]);
    ck_assert_str_eq(smtpp_enhanced_lookup(1, 1)->title, "Bad destination mailbox address");
    ck_assert_str_eq(smtpp_enhanced_lookup(7, 30)->reference, "RFC 8689");
    ck_assert_ptr_null(smtpp_enhanced_lookup(1, 99));
    ck_assert_ptr_null(smtpp_enhanced_lookup(9, 0));
    ck_assert_ptr_null(smtpp_enhanced_lookup(1000, 0));
    ck_assert_ptr_null(smtpp_enhanced_lookup(0, 1000));
}
END_TEST

START_TEST(test_status_make)
{
    smtpp_enhanced e = smtpp_status_make(5, SMTPP_ES_BAD_DEST_MAILBOX);
    ck_assert_uint_eq(e.cls, 5);
    ck_assert_uint_eq(e.subject, 1);
    ck_assert_uint_eq(e.detail, 1);
    ck_assert_str_eq(smtpp_enhanced_title(e), "Bad destination mailbox address");
    e = smtpp_status_make(4, SMTPP_ES_REQUIRETLS_REQUIRED);
    ck_assert_uint_eq(e.subject, 7);
    ck_assert_uint_eq(e.detail, 30);
    e = smtpp_status_make(3, SMTPP_ES_OTHER);
    ck_assert_uint_eq(e.cls, 0);
    ck_assert_ptr_null(smtpp_enhanced_title(e));
    e = smtpp_status_make(2, SMTPP_ES_OTHER);
    ck_assert_str_eq(smtpp_enhanced_title(e), "Other undefined status");
    e.detail = 999;
    ck_assert_ptr_null(smtpp_enhanced_title(e)); /* valid code, not registered */
    ck_assert_int_eq(SMTPP_ES_TOO_BIG_FOR_PRIORITY, 7016);
}
END_TEST

START_TEST(test_class_subject_text)
{
    ck_assert_str_eq(smtpp_enhanced_class_text(2), "Success");
    ck_assert_str_eq(smtpp_enhanced_class_text(4), "Persistent transient failure");
    ck_assert_str_eq(smtpp_enhanced_class_text(5), "Permanent failure");
    ck_assert_ptr_null(smtpp_enhanced_class_text(3));
    ck_assert_str_eq(smtpp_enhanced_subject_text(7), "Security or policy status");
    ck_assert_ptr_null(smtpp_enhanced_subject_text(8));
}
END_TEST

START_TEST(test_enhanced_parse_good)
{
    static const struct { const char *s; size_t len; unsigned c, su, d; } good[] = {
        { "2.0.0", 5, 2, 0, 0 }, { "5.7.1", 5, 5, 7, 1 }, { "4.4.7", 5, 4, 4, 7 },
        { "5.7.30", 6, 5, 7, 30 }, { "4.999.999", 9, 4, 999, 999 }, { "2.10.100", 8, 2, 10, 100 },
        { "5.1.1 trailing", 5, 5, 1, 1 }, { "5.1.1.2", 5, 5, 1, 1 },
    };
    size_t i;
    for (i = 0; i < sizeof good / sizeof good[0]; i++) {
        smtpp_enhanced e;
        ck_assert_uint_eq(smtpp_enhanced_parse(good[i].s, strlen(good[i].s), &e), good[i].len);
        ck_assert_uint_eq(e.cls, good[i].c);
        ck_assert_uint_eq(e.subject, good[i].su);
        ck_assert_uint_eq(e.detail, good[i].d);
        ck_assert(smtpp_enhanced_valid(e));
    }
}
END_TEST

START_TEST(test_enhanced_parse_bad)
{
    static const char *const bad[] = {
        "", "2", "2.0", "2.0.", "3.0.0", "1.0.0", "6.0.0", "0.0.0", "2.00.0", "2.0.00",
        "2.01.1", "2.1.01", "2.1000.1", "2.1.1000", "2..0", "2.0..", "x.0.0", "2,0,0",
        " 2.0.0", "2.a.0", "22.0.0",
    };
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        smtpp_enhanced e = { 9, 9, 9 };
        ck_assert_msg(smtpp_enhanced_parse(bad[i], strlen(bad[i]), &e) == 0, "'%s' accepted", bad[i]);
        ck_assert_uint_eq(e.cls, 0);
    }
    /* n limits the read */
    {
        smtpp_enhanced e;
        ck_assert_uint_eq(smtpp_enhanced_parse("5.1.12", 5, &e), 5);
        ck_assert_uint_eq(e.detail, 1);
        ck_assert_uint_eq(smtpp_enhanced_parse("5.1.1", 4, &e), 0);
        ck_assert_uint_eq(smtpp_enhanced_parse(NULL, 0, &e), 0);
    }
}
END_TEST

START_TEST(test_enhanced_format_roundtrip)
{
    /* every valid code formats and parses back to itself */
    unsigned c, s, d;
    static const unsigned classes[] = { 2, 4, 5 };
    for (c = 0; c < 3; c++)
        for (s = 0; s < 1000; s += (s < 20 ? 1 : 37))
            for (d = 0; d < 1000; d += (d < 20 ? 1 : 41)) {
                smtpp_enhanced e = { (uint16_t)classes[c], (uint16_t)s, (uint16_t)d }, back;
                char buf[SMTPP_ENHANCED_MAX];
                int n = smtpp_enhanced_format(e, buf, sizeof buf);
                char want[32];
                snprintf(want, sizeof want, "%u.%u.%u", classes[c], s, d);
                ck_assert_str_eq(buf, want);
                ck_assert_int_eq(n, (int)strlen(want));
                ck_assert_uint_eq(smtpp_enhanced_parse(buf, (size_t)n, &back), (size_t)n);
                ck_assert(back.cls == e.cls && back.subject == e.subject && back.detail == e.detail);
            }
}
END_TEST

START_TEST(test_enhanced_format_edges)
{
    smtpp_enhanced e = { 5, 7, 30 }, bad = { 3, 0, 0 }, big = { 2, 1000, 0 };
    char buf[4] = { 'x', 'x', 'x', 'x' };
    ck_assert_int_eq(smtpp_enhanced_format(e, buf, sizeof buf), 6); /* truncated */
    ck_assert_str_eq(buf, "5.7");
    ck_assert_int_eq(smtpp_enhanced_format(e, NULL, 0), 6);
    ck_assert_int_eq(smtpp_enhanced_format(bad, buf, sizeof buf), -1);
    ck_assert_int_eq(smtpp_enhanced_format(big, buf, sizeof buf), -1);
    ck_assert(!smtpp_enhanced_valid(bad));
    ck_assert(!smtpp_enhanced_valid(big));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("codes");
    TCase *tc = tcase_create("tables");
    tcase_add_test(tc, test_rfc5321_codes_present);
    tcase_add_test(tc, test_code_unknown);
    tcase_add_test(tc, test_code_iteration);
    tcase_add_test(tc, test_enhanced_registry);
    tcase_add_test(tc, test_enhanced_required_rows);
    tcase_add_test(tc, test_status_make);
    tcase_add_test(tc, test_class_subject_text);
    tcase_add_test(tc, test_enhanced_parse_good);
    tcase_add_test(tc, test_enhanced_parse_bad);
    tcase_add_test(tc, test_enhanced_format_roundtrip);
    tcase_add_test(tc, test_enhanced_format_edges);
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
