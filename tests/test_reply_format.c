/* Reply formatter and EHLO formatter.  Every formatted reply is parsed back
 * with the reply parser (at every split, byte by byte, before a guard
 * page) to check it is a well-formed reply carrying the same text. */
#include "test_reply_util.h"

static char out[1 << 16];

static long fmt(int code, const char *enh, const char *const *lines, size_t n, unsigned flags)
{
    smtpp_str sl[16];
    size_t i;
    ck_assert_uint_le(n, 16);
    for (i = 0; i < n; i++) {
        sl[i].p = lines[i];
        sl[i].n = lines[i] ? strlen(lines[i]) : 0;
    }
    return smtpp_format_reply(out, sizeof out, code, enh, sl, n, flags);
}

/* Parses what the formatter wrote: one good reply using all of it. */
static smtpp_reply reparse(const char *s, size_t n)
{
    smtpp_reply_parser p;
    smtpp_reply r;
    size_t used;
    rp_opts o = { 0, 0, 1000 };
    char *t = check_all(&o, s, n);
    ck_assert_ptr_null(strstr(t, "ERR"));
    free(t);
    guard_page_run(&o, s, n);
    smtpp_reply_parser_init(&p, 0);
    p.max_lines = 1000;
    ck_assert_int_eq(smtpp_parse_reply(&p, s, n, &r, &used), SMTPP_DONE);
    ck_assert_int_eq(r.error, 0);
    ck_assert_uint_eq(used, n);
    return r;
}

#define EXPECT(call, want)                                                   \
    do {                                                                     \
        long n_ = (call);                                                    \
        ck_assert_int_eq(n_, (long)strlen(want));                            \
        ck_assert(memcmp(out, want, (size_t)n_) == 0);                       \
        reparse(out, (size_t)n_);                                            \
    } while (0)

START_TEST(test_single)
{
    const char *a[] = { "OK" };
    EXPECT(fmt(250, NULL, a, 1, 0), "250 OK\r\n");
    EXPECT(smtpp_format_reply_str(out, sizeof out, 221, "2.0.0", "Bye", 0), "221 2.0.0 Bye\r\n");
    EXPECT(smtpp_format_reply_str(out, sizeof out, 550, "5.1.1", "No such user", 0),
           "550 5.1.1 No such user\r\n");
    EXPECT(smtpp_format_reply_str(out, sizeof out, 354, NULL, "End data with <CR><LF>.<CR><LF>", 0),
           "354 End data with <CR><LF>.<CR><LF>\r\n");
    EXPECT(smtpp_format_reply_str(out, sizeof out, 250, NULL, NULL, 0), "250\r\n");
}
END_TEST

START_TEST(test_multi)
{
    const char *a[] = { "mx.example", "PIPELINING", "8BITMIME" };
    const char *b[] = { "first", "", "last" };
    EXPECT(fmt(250, NULL, a, 3, 0), "250-mx.example\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
    EXPECT(fmt(550, "5.7.1", a, 3, 0),
           "550-5.7.1 mx.example\r\n550-5.7.1 PIPELINING\r\n550 5.7.1 8BITMIME\r\n");
    EXPECT(fmt(250, NULL, b, 3, 0), "250-first\r\n250-\r\n250 last\r\n");
    EXPECT(fmt(250, "2.0.0", b, 3, 0), "250-2.0.0 first\r\n250-2.0.0\r\n250 2.0.0 last\r\n");
    {
        smtpp_str absent[2] = { { NULL, 0 }, { NULL, 0 } };
        long n = smtpp_format_reply(out, sizeof out, 250, NULL, absent, 2, 0);
        ck_assert_int_eq(n, 11);
        ck_assert(memcmp(out, "250-\r\n250\r\n", 11) == 0);
    }
    EXPECT(fmt(250, NULL, NULL, 0, 0), "250\r\n");
    EXPECT(fmt(250, "2.1.5", NULL, 0, 0), "250 2.1.5\r\n");
}
END_TEST

START_TEST(test_split)
{
    const char *a[] = { "a\nb\r\nc" };
    const char *b[] = { "one\n", "two\n\nthree" };
    const char *c[] = { "\n" };
    EXPECT(fmt(250, NULL, a, 1, SMTPP_FMT_SPLIT), "250-a\r\n250-b\r\n250 c\r\n");
    EXPECT(fmt(451, "4.3.0", b, 2, SMTPP_FMT_SPLIT),
           "451-4.3.0 one\r\n451-4.3.0 two\r\n451-4.3.0\r\n451 4.3.0 three\r\n");
    EXPECT(fmt(250, NULL, c, 1, SMTPP_FMT_SPLIT), "250\r\n");
}
END_TEST

START_TEST(test_injection_refused)
{
    const char *crlf[] = { "ok\r\n250 forged" };
    const char *lf[] = { "ok\n250 forged" };
    const char *cr[] = { "ok\r250 forged" };
    const char *ctl[] = { "bell\a" };
    const char *esc[] = { "\x1b[31mred" };
    const char *del[] = { "del\x7f" };
    smtpp_str nul = { "a\0b", 3 };
    ck_assert_int_eq(fmt(250, NULL, crlf, 1, 0), SMTPP_FMT_E_CHAR);
    ck_assert_int_eq(fmt(250, NULL, lf, 1, 0), SMTPP_FMT_E_CHAR);
    ck_assert_int_eq(fmt(250, NULL, cr, 1, 0), SMTPP_FMT_E_CHAR);
    ck_assert_int_eq(fmt(250, NULL, cr, 1, SMTPP_FMT_SPLIT), SMTPP_FMT_E_CHAR);
    ck_assert_int_eq(fmt(250, NULL, ctl, 1, SMTPP_FMT_SPLIT), SMTPP_FMT_E_CHAR);
    ck_assert_int_eq(fmt(250, NULL, esc, 1, 0), SMTPP_FMT_E_CHAR);
    ck_assert_int_eq(fmt(250, NULL, del, 1, 0), SMTPP_FMT_E_CHAR);
    ck_assert_int_eq(smtpp_format_reply(out, sizeof out, 250, NULL, &nul, 1, 0), SMTPP_FMT_E_CHAR);
    ck_assert_int_eq(smtpp_format_reply(out, sizeof out, 250, NULL, &nul, 1, SMTPP_FMT_SPLIT),
                     SMTPP_FMT_E_CHAR);
    {
        smtpp_str bad = { NULL, 3 };
        ck_assert_int_eq(smtpp_format_reply(out, sizeof out, 250, NULL, &bad, 1, 0), SMTPP_FMT_E_ARG);
    }
    /* with SPLIT the forged line becomes text of a continuation line */
    {
        long n = fmt(250, NULL, crlf, 1, SMTPP_FMT_SPLIT);
        smtpp_reply r;
        ck_assert_int_eq(n, (long)strlen("250-ok\r\n250 250 forged\r\n"));
        r = reparse(out, (size_t)n);
        ck_assert_uint_eq(r.nlines, 2);
        ck_assert_uint_eq(r.last.n, 10);
    }
}
END_TEST

START_TEST(test_allowed_bytes)
{
    const char *a[] = { "tab\there", "caf\xc3\xa9" };
    EXPECT(fmt(250, NULL, a, 2, 0), "250-tab\there\r\n250 caf\xc3\xa9\r\n");
}
END_TEST

START_TEST(test_bad_codes)
{
    const char *a[] = { "x" };
    ck_assert_int_eq(fmt(199, NULL, a, 1, 0), SMTPP_FMT_E_CODE);
    ck_assert_int_eq(fmt(600, NULL, a, 1, 0), SMTPP_FMT_E_CODE);
    ck_assert_int_eq(fmt(560, NULL, a, 1, 0), SMTPP_FMT_E_CODE);
    ck_assert_int_eq(fmt(261, NULL, a, 1, 0), SMTPP_FMT_E_CODE);
    ck_assert_int_eq(fmt(559, NULL, a, 1, 0), 7);
    ck_assert_int_eq(fmt(0, NULL, a, 1, 0), SMTPP_FMT_E_CODE);
    ck_assert_int_eq(fmt(-250, NULL, a, 1, 0), SMTPP_FMT_E_CODE);
    ck_assert_int_eq(fmt(250, "5.1.1", a, 1, 0), SMTPP_FMT_E_ENHANCED);
    ck_assert_int_eq(fmt(250, "2.01.0", a, 1, 0), SMTPP_FMT_E_ENHANCED);
    ck_assert_int_eq(fmt(250, "2.0.0 ", a, 1, 0), SMTPP_FMT_E_ENHANCED);
    ck_assert_int_eq(fmt(250, "", a, 1, 0), SMTPP_FMT_E_ENHANCED);
    ck_assert_int_eq(fmt(354, "2.0.0", a, 1, 0), SMTPP_FMT_E_ENHANCED);
    ck_assert_int_eq(fmt(450, "4.2.2", a, 1, 0), 13);
}
END_TEST

START_TEST(test_snprintf_semantics)
{
    const char *a[] = { "first", "second" };
    smtpp_str sl[2] = { { "first", 5 }, { "second", 6 } };
    const char *want = "250-first\r\n250 second\r\n";
    long need = (long)strlen(want);
    char small[40];
    size_t cap;
    ck_assert_int_eq(smtpp_format_reply(NULL, 0, 250, NULL, sl, 2, 0), need);
    for (cap = 0; cap <= (size_t)need; cap++) {
        memset(small, '#', sizeof small);
        ck_assert_int_eq(smtpp_format_reply(small, cap, 250, NULL, sl, 2, 0), need);
        ck_assert(memcmp(small, want, cap) == 0);
        ck_assert_int_eq(small[cap], '#'); /* nothing written past cap */
    }
    (void)a;
}
END_TEST

/* Lines of a formatted reply: each at most 512 octets, '-' on all but the
 * last; returns the text of all lines joined by single spaces. */
static char *check_lines(const char *s, size_t n, int code, const char *enh, size_t *nlines)
{
    smtpp_reply r = reparse(s, n);
    smtpp_reply_line l;
    size_t pos = 0, k = 0;
    tbuf t = { NULL, 0, 0 };
    tb_putn(&t, "", 0);
    ck_assert_uint_eq(r.code, (unsigned)code);
    while (smtpp_reply_next_line(&r, &pos, &l)) {
        ck_assert_uint_le(l.line.n + 2, SMTPP_FMT_MAX_LINE);
        if (enh) {
            char e[SMTPP_ENHANCED_MAX];
            smtpp_enhanced_format(l.enhanced, e, sizeof e);
            ck_assert_str_eq(e, enh);
        }
        if (k++)
            tb_putn(&t, " ", 1);
        tb_putn(&t, l.text.p, l.text.n);
    }
    *nlines = k;
    return t.p;
}

START_TEST(test_wrap_at_spaces)
{
    tbuf words = { NULL, 0, 0 };
    size_t i, nl;
    long n;
    char *joined;
    smtpp_str sl;
    for (i = 0; i < 400; i++)
        tb_printf(&words, "%sword%zu", i ? " " : "", i * 7);
    sl.p = words.p;
    sl.n = words.n;
    n = smtpp_format_reply(out, sizeof out, 550, "5.7.1", &sl, 1, 0);
    ck_assert_int_gt(n, 0);
    joined = check_lines(out, (size_t)n, 550, "5.7.1", &nl);
    ck_assert_str_eq(joined, words.p); /* no word broken or lost */
    ck_assert_uint_ge(nl, 6);
    free(joined);
    ck_assert_int_eq(smtpp_format_reply(out, sizeof out, 550, "5.7.1", &sl, 1, SMTPP_FMT_NO_WRAP),
                     SMTPP_FMT_E_TOO_LONG);
    free(words.p);
}
END_TEST

START_TEST(test_wrap_long_word)
{
    char word[1300];
    smtpp_str sl = { word, sizeof word };
    long n;
    size_t nl, i;
    char *joined;
    for (i = 0; i < sizeof word; i++)
        word[i] = (char)('a' + i % 26);
    n = smtpp_format_reply(out, sizeof out, 250, NULL, &sl, 1, 0);
    ck_assert_int_gt(n, 0);
    joined = check_lines(out, (size_t)n, 250, NULL, &nl);
    ck_assert_uint_eq(nl, 3); /* 506 + 506 + 288 */
    /* broken inside the word: the pieces, joined without the spaces, are it */
    {
        size_t j, k = 0;
        for (j = 0; joined[j]; j++)
            if (joined[j] != ' ')
                ck_assert_int_eq(joined[j], word[k++]);
        ck_assert_uint_eq(k, sizeof word);
    }
    free(joined);
}
END_TEST

START_TEST(test_wrap_utf8)
{
    /* 700 two-octet characters, no spaces: breaks stay between characters */
    char word[1400];
    smtpp_str sl = { word, sizeof word };
    smtpp_reply r;
    smtpp_reply_line l;
    size_t pos = 0, i;
    long n;
    for (i = 0; i < sizeof word; i += 2) {
        word[i] = (char)0xc3;
        word[i + 1] = (char)0xa9;
    }
    n = smtpp_format_reply(out, sizeof out, 250, "2.0.0", &sl, 1, 0);
    ck_assert_int_gt(n, 0);
    r = reparse(out, (size_t)n);
    while (smtpp_reply_next_line(&r, &pos, &l)) {
        ck_assert_int_eq((unsigned char)l.text.p[0], 0xc3);
        ck_assert_int_eq(l.text.n % 2, 0);
    }
}
END_TEST

START_TEST(test_no_wrap_boundary)
{
    char text[600];
    smtpp_str sl = { text, 506 };
    memset(text, 'x', sizeof text);
    ck_assert_int_eq(smtpp_format_reply(out, sizeof out, 250, NULL, &sl, 1, SMTPP_FMT_NO_WRAP), 512);
    reparse(out, 512);
    sl.n = 507;
    ck_assert_int_eq(smtpp_format_reply(out, sizeof out, 250, NULL, &sl, 1, SMTPP_FMT_NO_WRAP),
                     SMTPP_FMT_E_TOO_LONG);
    /* with an enhanced code the room shrinks by its length and a space */
    sl.n = 500;
    ck_assert_int_eq(smtpp_format_reply(out, sizeof out, 250, "2.0.0", &sl, 1, SMTPP_FMT_NO_WRAP), 512);
    sl.n = 501;
    ck_assert_int_eq(smtpp_format_reply(out, sizeof out, 250, "2.0.0", &sl, 1, SMTPP_FMT_NO_WRAP),
                     SMTPP_FMT_E_TOO_LONG);
    /* a later line that does not fit */
    {
        smtpp_str two[2] = { { "short", 5 }, { text, 507 } };
        ck_assert_int_eq(smtpp_format_reply(out, sizeof out, 250, NULL, two, 2, SMTPP_FMT_NO_WRAP),
                         SMTPP_FMT_E_TOO_LONG);
    }
    /* trailing spaces at a wrap point are dropped, not carried over */
    memset(text, ' ', sizeof text);
    memcpy(text, "head", 4);
    sl.n = 600;
    {
        long n = smtpp_format_reply(out, sizeof out, 250, NULL, &sl, 1, 0);
        ck_assert_int_eq(n, (long)strlen("250 head\r\n"));
    }
}
END_TEST

/* Without an enhanced code, a line the wrapping starts never begins with
 * text the reply parser reads as one ("2.0.0 x" after a break was read
 * back as the enhanced code of that line: fuzz/regressions/format/
 * wrapped-text-read-back-as-enhanced-code).  Each shape is put at every
 * offset around the break, after one long word (the break is at the
 * space before it) and after short words; the reply is parsed back by a
 * strict parser (whole, split at every byte, byte by byte, before a guard
 * page): no line has an enhanced code, no malformed one is seen, and every
 * non-space byte is there, in order.  A slice's own first line is the
 * caller's text and is left alone. */
static void check_no_code(const char *text, size_t tn, int code, long n)
{
    smtpp_reply r;
    smtpp_reply_line l;
    size_t pos = 0, k = 0;
    ck_assert_int_gt(n, 0);
    r = reparse(out, (size_t)n);
    ck_assert_uint_eq(r.code, (unsigned)code);
    ck_assert_uint_eq(r.enhanced.cls, 0);
    ck_assert_uint_eq(r.enhanced_mixed, 0);
    while (smtpp_reply_next_line(&r, &pos, &l)) {
        size_t i;
        ck_assert_uint_le(l.line.n + 2, SMTPP_FMT_MAX_LINE);
        if (l.enhanced.cls != 0)
            ck_abort_msg("line read back with an enhanced code:\n%.*s", (int)n, out);
        for (i = 0; i < l.text.n; i++) {
            if (l.text.p[i] == ' ')
                continue;
            while (k < tn && text[k] == ' ')
                k++;
            ck_assert_int_eq(l.text.p[i], text[k]);
            k++;
        }
    }
    while (k < tn && text[k] == ' ')
        k++;
    ck_assert_uint_eq(k, tn);
}

START_TEST(test_wrap_never_makes_enhanced_code)
{
    static const char *const shapes[] = {
        "2.0.0 x", "5.1.1 y z", "4.4.7", "5.01.0 leading zero", "4.0.0 class of another code",
        "2.123.456 q", "2.0.0\t tab", "2.0.0.1 four parts", "2.0 two parts", "2.0.0 2.0.0 4.4.4 5.5.5",
        "2..0 empty field", "5.x.0 letter", "4.0. trailing dot",
    };
    static const int codes[] = { 550, 250, 354 };
    char text[1400];
    size_t si, off, fill, ci;
    for (ci = 0; ci < sizeof codes / sizeof codes[0]; ci++)
        for (si = 0; si < (ci ? 1 : sizeof shapes / sizeof shapes[0]); si++)
            for (fill = 0; fill < 2; fill++)
                for (off = 490; off <= 512; off++) {
                    size_t tn, sl = strlen(shapes[si]), i;
                    smtpp_str t;
                    /* off octets of filler, a space, the shape */
                    for (i = 0; i < off; i++)
                        text[i] = fill && i % 8 == 7 ? ' ' : 'a';
                    text[off] = ' ';
                    memcpy(text + off + 1, shapes[si], sl);
                    tn = off + 1 + sl;
                    t.p = text;
                    t.n = tn;
                    check_no_code(text, tn, codes[ci],
                                  smtpp_format_reply(out, sizeof out, codes[ci], NULL, &t, 1, 0));
                }
    /* nothing but codes after the first word: no space is a good break, a
     * word is cut instead */
    {
        size_t tn = 2;
        smtpp_str t;
        memcpy(text, "x ", 2);
        while (tn + 6 < 1300) {
            memcpy(text + tn, "2.0.0 ", 6);
            tn += 6;
        }
        for (t.p = text, t.n = tn - 1; t.n > tn - 8; t.n--)
            check_no_code(text, t.n, 250, smtpp_format_reply(out, sizeof out, 250, NULL, &t, 1, 0));
        /* one long code-shaped word, cut anywhere */
        memcpy(text, "x 2.0.", 6);
        memset(text + 6, '1', 1300);
        for (t.n = 500; t.n < 520; t.n++)
            check_no_code(text, t.n, 250, smtpp_format_reply(out, sizeof out, 250, NULL, &t, 1, 0));
        for (t.n = 1005; t.n < 1025; t.n++)
            check_no_code(text, t.n, 250, smtpp_format_reply(out, sizeof out, 250, NULL, &t, 1, 0));
    }
    /* a word longer than a line whose cut would start the next line with
     * a code, after UTF-8 sequences (the cut moves back to a character's
     * start) and after more continuation octets than a sequence has (it
     * moves back one octet only) */
    {
        static const char *const runs[] = { "\xc3\xa9", "\xe2\x82\xac", "\x80" };
        size_t ri, pre;
        for (ri = 0; ri < sizeof runs / sizeof runs[0]; ri++)
            for (pre = 0; pre < 4; pre++) {
                size_t tn = 0, rl = strlen(runs[ri]);
                smtpp_str t;
                memcpy(text, "x ", 2);
                tn = 2;
                memset(text + tn, 'a', pre);
                tn += pre;
                while (tn + rl <= 2 + 506) {
                    memcpy(text + tn, runs[ri], rl);
                    tn += rl;
                }
                memcpy(text + tn, "2.0.0 tail", 10);
                tn += 10;
                t.p = text;
                t.n = tn;
                {
                    smtpp_reply_parser rp;
                    smtpp_reply r;
                    smtpp_reply_line l;
                    size_t pos = 0, used;
                    long n = smtpp_format_reply(out, sizeof out, 250, NULL, &t, 1, 0);
                    check_no_code(text, tn, 250, n);
                    smtpp_reply_parser_init(&rp, 0);
                    ck_assert_int_eq(smtpp_parse_reply(&rp, out, (size_t)n, &r, &used), SMTPP_DONE);
                    while (smtpp_reply_next_line(&r, &pos, &l))   /* no line starts mid-character */
                        if (ri < 2 && l.text.n)
                            ck_assert_int_ne((unsigned char)l.text.p[0] & 0xc0, 0x80);
                }
                /* and the run alone, over two lines (one alignment of
                 * each parity): every cut at a character's start, or at
                 * the width when no start is within three octets */
                if (pre < 2) {
                    smtpp_reply_parser rp;
                    smtpp_reply r;
                    smtpp_reply_line l;
                    size_t pos = 0, nl = 0, used;
                    long n;
                    for (tn = 2 + pre; tn + rl <= 1200; tn += rl) memcpy(text + tn, runs[ri], rl);
                    t.n = tn;
                    n = smtpp_format_reply(out, sizeof out, 250, NULL, &t, 1, 0);
                    check_no_code(text, tn, 250, n);
                    smtpp_reply_parser_init(&rp, 0);
                    ck_assert_int_eq(smtpp_parse_reply(&rp, out, (size_t)n, &r, &used), SMTPP_DONE);
                    while (smtpp_reply_next_line(&r, &pos, &l))
                        if (nl++ > 1 && ri < 2)   /* after "x" and the line the run starts in */
                            ck_assert_int_eq((unsigned char)l.text.p[0], (unsigned char)runs[ri][0]);
                    ck_assert_uint_eq(nl, 4);
                }
            }
    }
    /* the caller's own line start is sent as is: it is that line's code */
    {
        const char *a[] = { "2.0.0 ok", "more" };
        EXPECT(fmt(250, NULL, a, 2, 0), "250-2.0.0 ok\r\n250 more\r\n");
    }
    /* with an enhanced code every line carries it, so wrapped text that
     * looks like one stays text */
    {
        size_t nl;
        char *joined;
        smtpp_str t;
        memset(text, 'a', 495);
        memcpy(text + 495, " 2.0.0 x", 8);
        t.p = text;
        t.n = 503;
        joined = check_lines(out, (size_t)smtpp_format_reply(out, sizeof out, 250, "2.1.0", &t, 1, 0),
                             250, "2.1.0", &nl);
        ck_assert_uint_eq(nl, 2);
        ck_assert_str_eq(joined + 496, "2.0.0 x");
        free(joined);
    }
}
END_TEST

/* ---- Random text ---------------------------------------------------------------
 * Random text with random options: the result is refused exactly when the
 * text has a byte the options forbid (or a line too long under NO_WRAP);
 * otherwise it parses back and carries every non-space byte, in order. */
static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static unsigned rnd(unsigned n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % n);
}

START_TEST(test_random_text)
{
    static const char *const pieces[] = { "a", "bcd", "word ", " ", "  ", "\xc3\xa9", "\t",
                                          "\n", "\r\n", "\r", "\x01", "xyzzyxyzzy" };
    static const char *const enhs[] = { NULL, "2.0.0", "2.1.5" };
    int round;
    int ok = 0, refused = 0;
    for (round = 0; round < 400; round++) {
        char text[2400];
        size_t tn = 0, i;
        unsigned flags = rnd(4);
        const char *enh = enhs[rnd(3)];
        int forbidden = 0, biggest = 0, cur = 0;
        unsigned np = rnd(3) == 0 ? 600 : rnd(60);
        smtpp_str sl;
        long n;
        size_t width = 506 - (enh ? strlen(enh) + 1 : 0);
        for (i = 0; i < np && tn + 16 < sizeof text; i++) {
            const char *p = pieces[rnd(sizeof pieces / sizeof pieces[0])];
            if ((p[0] == '\r' || p[0] == '\n' || p[0] == '\x01') && rnd(40) != 0)
                p = "q"; /* keep refusals a minority */
            memcpy(text + tn, p, strlen(p));
            tn += strlen(p);
        }
        /* what the formatter should say */
        for (i = 0; i < tn; i++) {
            unsigned char c = (unsigned char)text[i];
            if (c == '\n' && (flags & SMTPP_FMT_SPLIT)) {
                cur = 0;
                continue;
            }
            if (c == '\r' && (flags & SMTPP_FMT_SPLIT) && i + 1 < tn && text[i + 1] == '\n')
                continue;
            if (c < 0x20 && c != '\t')
                forbidden = 1;
            if (++cur > biggest)
                biggest = cur;
        }
        sl.p = text;
        sl.n = tn;
        n = smtpp_format_reply(out, sizeof out, 250, enh, &sl, 1, flags);
        if (forbidden) {
            ck_assert_int_eq(n, SMTPP_FMT_E_CHAR);
            refused++;
            continue;
        }
        if ((flags & SMTPP_FMT_NO_WRAP) && (size_t)biggest > width) {
            ck_assert_int_eq(n, SMTPP_FMT_E_TOO_LONG);
            refused++;
            continue;
        }
        ck_assert_int_gt(n, 0);
        {
            size_t nl, k = 0;
            char *joined = check_lines(out, (size_t)n, 250, NULL, &nl);
            char *q;
            for (q = joined; *q; q++) {
                if (*q == ' ')
                    continue;
                while (k < tn && (text[k] == ' ' || text[k] == '\r' || text[k] == '\n'))
                    k++;
                ck_assert_int_eq(*q, text[k]);
                k++;
            }
            while (k < tn && (text[k] == ' ' || text[k] == '\r' || text[k] == '\n'))
                k++;
            ck_assert_uint_eq(k, tn);
            free(joined);
            ok++;
        }
    }
    ck_assert_int_gt(ok, 100);
    ck_assert_int_gt(refused, 20);
}
END_TEST

/* ---- EHLO formatter --------------------------------------------------------- */

static smtpp_ehlo ehlo_of(const char *s, smtpp_reply *r)
{
    smtpp_reply_parser p;
    smtpp_ehlo e;
    size_t used;
    smtpp_reply_parser_init(&p, 0);
    ck_assert_int_eq(smtpp_parse_reply(&p, s, strlen(s), r, &used), SMTPP_DONE);
    ck_assert_int_eq(r->error, 0);
    ck_assert_int_eq(smtpp_ehlo_parse(r, &e), 0);
    return e;
}

START_TEST(test_ehlo_roundtrip)
{
    const char *in = "250-mx.example Hello there\r\n250-SIZE 10240000\r\n250-PIPELINING\r\n"
                     "250-8BITMIME\r\n250-CHUNKING\r\n250-DSN\r\n250-SMTPUTF8\r\n"
                     "250-ENHANCEDSTATUSCODES\r\n250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n"
                     "250-REQUIRETLS\r\n250-MT-PRIORITY MIXER\r\n250-FUTURERELEASE 604800 2027-01-01T00:00:00Z\r\n"
                     "250-DELIVERBY 240\r\n250-XCLIENT NAME ADDR\r\n250-XFORWARD NAME ADDR PROTO\r\n250-LIMITS RCPTMAX=50\r\n250 HELP\r\n";
    smtpp_reply r, r2;
    smtpp_ehlo e = ehlo_of(in, &r), e2;
    smtpp_str extra = { "PRDR", 4 };
    long n = smtpp_format_ehlo(out, sizeof out, &e, NULL, 0);
    ck_assert_int_eq(n, (long)strlen(in));
    ck_assert(memcmp(out, in, (size_t)n) == 0);
    reparse(out, (size_t)n);
    n = smtpp_format_ehlo(out, sizeof out, &e, &extra, 1);
    ck_assert_int_gt(n, 0);
    out[n] = '\0';
    e2 = ehlo_of(out, &r2);
    ck_assert_uint_eq(e2.exts, e.exts);
    ck_assert_uint_eq(e2.nunknown, 1);
    ck_assert_ptr_nonnull(strstr(out, "250-HELP\r\n250 PRDR\r\n"));
}
END_TEST

START_TEST(test_ehlo_from_fields)
{
    smtpp_ehlo e;
    smtpp_str extra[2] = { { "X-FOO bar", 9 }, { "PRDR", 4 } };
    long n;
    memset(&e, 0, sizeof e);
    e.domain.p = "mail.example";
    e.domain.n = 12;
    e.exts = (1u << SMTPP_EXT_SIZE) | (1u << SMTPP_EXT_AUTH) | (1u << SMTPP_EXT_LIMITS)
           | (1u << SMTPP_EXT_PIPELINING);
    e.size_given = 1;
    e.size = 0;
    e.auth_mechs = SMTPP_AUTH_PLAIN | SMTPP_AUTH_SCRAM_SHA_256 | SMTPP_AUTH_OTHER;
    e.limits_rcptmax = 100;
    e.limits_rcptdomainmax = 5;
    n = smtpp_format_ehlo(out, sizeof out, &e, extra, 2);
    out[n > 0 ? n : 0] = '\0';
    ck_assert_str_eq(out, "250-mail.example\r\n250-SIZE 0\r\n250-PIPELINING\r\n"
                          "250-AUTH PLAIN SCRAM-SHA-256\r\n250-LIMITS RCPTMAX=100 RCPTDOMAINMAX=5\r\n"
                          "250-X-FOO bar\r\n250 PRDR\r\n");
    reparse(out, (size_t)n);
    /* the snprintf contract holds here too */
    ck_assert_int_eq(smtpp_format_ehlo(NULL, 0, &e, extra, 2), n);
    /* only the domain */
    e.exts = 0;
    n = smtpp_format_ehlo(out, sizeof out, &e, NULL, 0);
    out[n] = '\0';
    ck_assert_str_eq(out, "250 mail.example\r\n");
}
END_TEST

START_TEST(test_ehlo_refused)
{
    smtpp_ehlo e;
    smtpp_str inj = { "X\r\n250 forged", 13 }, empty = { "", 0 };
    char longp[600];
    memset(&e, 0, sizeof e);
    ck_assert_int_eq(smtpp_format_ehlo(out, sizeof out, &e, NULL, 0), SMTPP_FMT_E_ARG);
    ck_assert_int_eq(smtpp_format_ehlo(out, sizeof out, NULL, NULL, 0), SMTPP_FMT_E_ARG);
    e.domain.p = "x";
    e.domain.n = 1;
    ck_assert_int_eq(smtpp_format_ehlo(out, sizeof out, &e, &inj, 1), SMTPP_FMT_E_CHAR);
    ck_assert_int_eq(smtpp_format_ehlo(out, sizeof out, &e, &empty, 1), SMTPP_FMT_E_ARG);
    /* FUTURERELEASE carries both its maxima, the date-time one word (RFC
     * 4865 3): the keyword alone, or a value that would read back as other
     * words, is refused; with both it is written */
    e.exts = 1u << SMTPP_EXT_FUTURERELEASE;
    ck_assert_int_eq(smtpp_format_ehlo(out, sizeof out, &e, NULL, 0), SMTPP_FMT_E_ARG);
    e.futurerelease_given = 1;
    e.futurerelease_interval = 60;
    ck_assert_int_eq(smtpp_format_ehlo(out, sizeof out, &e, NULL, 0), SMTPP_FMT_E_ARG);
    e.futurerelease_datetime.p = "2027-01-01T00:00:00Z 9";
    e.futurerelease_datetime.n = 22;
    ck_assert_int_eq(smtpp_format_ehlo(out, sizeof out, &e, NULL, 0), SMTPP_FMT_E_ARG);
    e.futurerelease_datetime.p = "2027-01-01\t00:00:00Z";
    e.futurerelease_datetime.n = 20;
    ck_assert_int_eq(smtpp_format_ehlo(out, sizeof out, &e, NULL, 0), SMTPP_FMT_E_ARG);
    e.futurerelease_datetime.n = 10;
    ck_assert_int_eq(smtpp_format_ehlo(out, sizeof out, &e, NULL, 0), 40);
    out[40] = '\0';
    ck_assert_str_eq(out, "250-x\r\n250 FUTURERELEASE 60 2027-01-01\r\n");
    e.exts = 0;
    e.greet = inj;
    ck_assert_int_eq(smtpp_format_ehlo(out, sizeof out, &e, NULL, 0), SMTPP_FMT_E_CHAR);
    memset(longp, 'A', sizeof longp);
    e.greet.p = longp;
    e.greet.n = sizeof longp;
    ck_assert_int_eq(smtpp_format_ehlo(out, sizeof out, &e, NULL, 0), SMTPP_FMT_E_TOO_LONG);
    /* a domain or extra line read back as an enhanced code is refused
     * (fuzz/regressions/ehlo/format-ehlo-domain-read-back-as-enhanced-code);
     * the same shape followed by another octet is fine */
    {
        static const char *const bad[] = { "4.7.0", "2.0.0", "5.01.0", "2.1234.5" };
        static const char *const good[] = { "4.7.0x", "2.0", "2.0.0.1", "3.0.0", "[2.0.0.1]" };
        smtpp_str x;
        size_t i;
        long n;
        e.greet.p = "x";
        e.greet.n = 1;
        for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            e.domain.p = bad[i];
            e.domain.n = strlen(bad[i]);
            ck_assert_int_eq(smtpp_format_ehlo(out, sizeof out, &e, NULL, 0), SMTPP_FMT_E_ARG);
            e.domain.p = "mx.test";
            e.domain.n = 7;
            x.p = bad[i];
            x.n = strlen(bad[i]);
            ck_assert_int_eq(smtpp_format_ehlo(out, sizeof out, &e, &x, 1), SMTPP_FMT_E_ARG);
        }
        for (i = 0; i < sizeof good / sizeof good[0]; i++) {
            smtpp_reply r;
            e.domain.p = good[i];
            e.domain.n = strlen(good[i]);
            n = smtpp_format_ehlo(out, sizeof out, &e, NULL, 0);
            ck_assert_int_gt(n, 0);
            r = reparse(out, (size_t)n);
            ck_assert_uint_eq(r.enhanced.cls, 0);
        }
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("reply_format");
    TCase *tc = tcase_create("format");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_single);
    tcase_add_test(tc, test_multi);
    tcase_add_test(tc, test_split);
    tcase_add_test(tc, test_injection_refused);
    tcase_add_test(tc, test_allowed_bytes);
    tcase_add_test(tc, test_bad_codes);
    tcase_add_test(tc, test_snprintf_semantics);
    tcase_add_test(tc, test_wrap_at_spaces);
    tcase_add_test(tc, test_wrap_long_word);
    tcase_add_test(tc, test_wrap_utf8);
    tcase_add_test(tc, test_no_wrap_boundary);
    tcase_add_test(tc, test_wrap_never_makes_enhanced_code);
    tcase_add_test(tc, test_random_text);
    tcase_add_test(tc, test_ehlo_roundtrip);
    tcase_add_test(tc, test_ehlo_from_fields);
    tcase_add_test(tc, test_ehlo_refused);
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
