/* EHLO capabilities: real server replies (tests/fixtures/ehlo) and
 * synthetic ones, every one also parsed at every split and byte by byte. */
#include "test_reply_util.h"

#include <errno.h>

/* ---- Describing a capability set ------------------------------------------ */

static void describe_ehlo(tbuf *t, const smtpp_ehlo *e)
{
    int id;
    size_t pos = 0;
    smtpp_ehlo_line l;
    tb_putn(t, "domain=", 7);
    tb_str(t, e->domain);
    tb_putn(t, " greet=", 7);
    tb_str(t, e->greet);
    tb_putn(t, " exts=", 6);
    for (id = 0; id < SMTPP_EXT__COUNT; id++)
        if (SMTPP_EHLO_HAS(e, id))
            tb_printf(t, "%s,", smtpp_ext_name((smtpp_ext)id));
    if (e->size_given)
        tb_printf(t, " size=%llu", (unsigned long long)e->size);
    if (SMTPP_EHLO_HAS(e, SMTPP_EXT_AUTH)) {
        tb_printf(t, " mechs=%#x legacy=%u auth=", (unsigned)e->auth_mechs, e->auth_legacy);
        tb_str(t, e->auth);
    }
    if (SMTPP_EHLO_HAS(e, SMTPP_EXT_MT_PRIORITY)) {
        tb_putn(t, " mtp=", 5);
        tb_str(t, e->mt_priority);
    }
    if (e->futurerelease_given) {
        tb_printf(t, " fr=%u,", (unsigned)e->futurerelease_interval);
        tb_str(t, e->futurerelease_datetime);
    }
    if (e->deliverby_given)
        tb_printf(t, " by=%u", (unsigned)e->deliverby_min);
    if (SMTPP_EHLO_HAS(e, SMTPP_EXT_XCLIENT)) {
        tb_putn(t, " xclient=", 9);
        tb_str(t, e->xclient);
    }
    if (SMTPP_EHLO_HAS(e, SMTPP_EXT_XFORWARD)) {
        tb_putn(t, " xforward=", 10);
        tb_str(t, e->xforward);
    }
    if (SMTPP_EHLO_HAS(e, SMTPP_EXT_LIMITS))
        tb_printf(t, " limits=%u,%u,%u", (unsigned)e->limits_rcptmax, (unsigned)e->limits_mailmax,
                  (unsigned)e->limits_rcptdomainmax);
    tb_printf(t, " unknown=%u bad=%u", (unsigned)e->nunknown, (unsigned)e->nbad);
    while (smtpp_ehlo_next_unknown(e, &pos, &l)) {
        tb_putn(t, " ?", 2);
        tb_str(t, l.keyword);
        tb_str(t, l.params);
    }
}

static void ehlo_hook(const smtpp_reply *r, void *ctx)
{
    smtpp_ehlo e;
    tbuf *t = ctx;
    if (smtpp_ehlo_parse(r, &e) != 0) {
        tb_putn(t, "NOT-EHLO;", 9);
        return;
    }
    describe_ehlo(t, &e);
    tb_putn(t, ";", 1);
}

/* Parses data in every chunking (reply parser and EHLO parser) and checks
 * that the EHLO descriptions agree; returns it (free it). */
static char *ehlo_all(const char *data, size_t n)
{
    rp_opts o = { 0, 0, 0 };
    size_t cuts[2], k;
    size_t *bytes = malloc((n ? n : 1) * sizeof *bytes);
    tbuf whole = { NULL, 0, 0 };
    free(check_all(&o, data, n)); /* reply-level invariance */
    tb_putn(&whole, "", 0);
    cuts[0] = n;
    free(run_chunks(&o, data, n, cuts, 1, ehlo_hook, &whole));
    for (k = 1; k < n; k++) {
        tbuf t = { NULL, 0, 0 };
        tb_putn(&t, "", 0);
        cuts[0] = k;
        cuts[1] = n;
        free(run_chunks(&o, data, n, cuts, 2, ehlo_hook, &t));
        ck_assert_str_eq(t.p, whole.p);
        free(t.p);
    }
    if (n) {
        tbuf t = { NULL, 0, 0 };
        tb_putn(&t, "", 0);
        for (k = 0; k < n; k++)
            bytes[k] = k + 1;
        free(run_chunks(&o, data, n, bytes, n, ehlo_hook, &t));
        ck_assert_str_eq(t.p, whole.p);
        free(t.p);
    }
    free(bytes);
    guard_page_run(&o, data, n);
    return whole.p;
}

/* ---- Fixtures -------------------------------------------------------------- */

/* tests/fixtures/ehlo/<name>, found beside this source file. */
static char *read_fixture(const char *name, size_t *n)
{
    char path[4096];
    const char *file = __FILE__, *slash = strrchr(file, '/');
    size_t dir = slash ? (size_t)(slash - file) : 0;
    FILE *f;
    char *buf;
    long sz;
    if (slash)
        snprintf(path, sizeof path, "%.*s/fixtures/ehlo/%s", (int)dir, file, name);
    else
        snprintf(path, sizeof path, "fixtures/ehlo/%s", name);
    f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s: %s", path, strerror(errno));
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    sz = ftell(f);
    ck_assert_int_gt(sz, 0);
    rewind(f);
    buf = malloc((size_t)sz + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)sz, f), (size_t)sz);
    buf[sz] = '\0';
    fclose(f);
    *n = (size_t)sz;
    return buf;
}

static smtpp_ehlo parse_fixture(const char *name, char **keep, char **desc)
{
    size_t n, used;
    char *data = read_fixture(name, &n);
    smtpp_reply_parser p;
    smtpp_reply r;
    smtpp_ehlo e;
    smtpp_reply_parser_init(&p, 0);
    ck_assert_int_eq(smtpp_parse_reply(&p, data, n, &r, &used), SMTPP_DONE);
    ck_assert_msg(r.error == 0, "%s: %s", name, smtpp_reply_error_reason((smtpp_reply_error)r.error));
    ck_assert_uint_eq(used, n);
    ck_assert_int_eq(smtpp_ehlo_parse(&r, &e), 0);
    *desc = ehlo_all(data, n);
    *keep = data;
    return e;
}

static int sl_eq(smtpp_str s, const char *want)
{
    return s.p != NULL && s.n == strlen(want) && memcmp(s.p, want, s.n) == 0;
}

START_TEST(test_fixture_postfix)
{
    char *data, *desc;
    smtpp_ehlo e = parse_fixture("postfix.txt", &data, &desc);
    ck_assert(sl_eq(e.domain, "mx.test.invalid"));
    ck_assert_ptr_null(e.greet.p);
    ck_assert(SMTPP_EHLO_HAS(&e, SMTPP_EXT_PIPELINING));
    ck_assert(SMTPP_EHLO_HAS(&e, SMTPP_EXT_SIZE));
    ck_assert_int_eq(e.size_given, 1);
    ck_assert_uint_eq(e.size, 10240000);
    ck_assert(SMTPP_EHLO_HAS(&e, SMTPP_EXT_VRFY));
    ck_assert(SMTPP_EHLO_HAS(&e, SMTPP_EXT_ETRN));
    ck_assert(SMTPP_EHLO_HAS(&e, SMTPP_EXT_ENHANCEDSTATUSCODES));
    ck_assert(SMTPP_EHLO_HAS(&e, SMTPP_EXT_8BITMIME));
    ck_assert(SMTPP_EHLO_HAS(&e, SMTPP_EXT_DSN));
    ck_assert(SMTPP_EHLO_HAS(&e, SMTPP_EXT_SMTPUTF8));
    ck_assert(SMTPP_EHLO_HAS(&e, SMTPP_EXT_CHUNKING));
    ck_assert(!SMTPP_EHLO_HAS(&e, SMTPP_EXT_STARTTLS));
    ck_assert_uint_eq(e.nunknown, 0);
    ck_assert_uint_eq(e.nbad, 0);
    ck_assert_str_eq(desc, "domain=[mx.test.invalid] greet=(-) exts=SIZE,PIPELINING,8BITMIME,"
                           "CHUNKING,DSN,SMTPUTF8,ENHANCEDSTATUSCODES,ETRN,VRFY, size=10240000 "
                           "unknown=0 bad=0;");
    free(data);
    free(desc);
}
END_TEST

START_TEST(test_fixture_postfix_tls_xclient)
{
    char *data, *desc;
    smtpp_ehlo e = parse_fixture("postfix-tls-xclient.txt", &data, &desc);
    size_t pos = 0;
    smtpp_str w;
    int n = 0;
    ck_assert(SMTPP_EHLO_HAS(&e, SMTPP_EXT_STARTTLS));
    ck_assert(sl_eq(e.xclient, "NAME ADDR PROTO HELO REVERSE_NAME PORT LOGIN DESTADDR DESTPORT"));
    ck_assert(sl_eq(e.xforward, "NAME ADDR PROTO HELO SOURCE PORT IDENT"));
    while (smtpp_next_word(e.xclient, &pos, &w))
        n++;
    ck_assert_int_eq(n, 9);
    ck_assert_uint_eq(e.nbad, 0);
    free(data);
    free(desc);
}
END_TEST

START_TEST(test_fixture_exim)
{
    char *data, *desc;
    smtpp_ehlo e = parse_fixture("exim.txt", &data, &desc);
    size_t pos = 0;
    smtpp_ehlo_line l;
    ck_assert(sl_eq(e.domain, "vm"));
    ck_assert(sl_eq(e.greet, "Hello test [127.0.0.1]"));
    ck_assert_uint_eq(e.size, 52428800);
    ck_assert(SMTPP_EHLO_HAS(&e, SMTPP_EXT_STARTTLS));
    ck_assert(SMTPP_EHLO_HAS(&e, SMTPP_EXT_HELP));
    ck_assert(SMTPP_EHLO_HAS(&e, SMTPP_EXT_CHUNKING));
    /* PIPECONNECT and PRDR are kept as unknown keywords */
    ck_assert_uint_eq(e.nunknown, 2);
    ck_assert_int_eq(smtpp_ehlo_next_unknown(&e, &pos, &l), 1);
    ck_assert(sl_eq(l.keyword, "PIPECONNECT"));
    ck_assert_ptr_null(l.params.p);
    ck_assert_int_eq(smtpp_ehlo_next_unknown(&e, &pos, &l), 1);
    ck_assert(sl_eq(l.keyword, "PRDR"));
    ck_assert_int_eq(smtpp_ehlo_next_unknown(&e, &pos, &l), 0);
    free(data);
    free(desc);
}
END_TEST

START_TEST(test_fixture_opensmtpd)
{
    char *data, *desc;
    smtpp_ehlo e = parse_fixture("opensmtpd.txt", &data, &desc);
    ck_assert(sl_eq(e.domain, "mx.test.invalid"));
    ck_assert(sl_eq(e.greet, "Hello test [127.0.0.1], pleased to meet you"));
    ck_assert(SMTPP_EHLO_HAS(&e, SMTPP_EXT_8BITMIME));
    ck_assert(SMTPP_EHLO_HAS(&e, SMTPP_EXT_ENHANCEDSTATUSCODES));
    ck_assert(SMTPP_EHLO_HAS(&e, SMTPP_EXT_DSN));
    ck_assert(SMTPP_EHLO_HAS(&e, SMTPP_EXT_HELP));
    ck_assert_uint_eq(e.size, 36700160);
    ck_assert_uint_eq(e.nunknown, 0);
    free(data);
    free(desc);
}
END_TEST

START_TEST(test_fixture_aiosmtpd)
{
    char *data, *desc;
    smtpp_ehlo e = parse_fixture("aiosmtpd.txt", &data, &desc);
    ck_assert(sl_eq(e.domain, "localhost"));
    ck_assert_uint_eq(e.exts, (1u << SMTPP_EXT_8BITMIME) | (1u << SMTPP_EXT_HELP));
    free(data);
    free(desc);
    e = parse_fixture("aiosmtpd-size-utf8.txt", &data, &desc);
    ck_assert_uint_eq(e.size, 10485760);
    ck_assert(SMTPP_EHLO_HAS(&e, SMTPP_EXT_SMTPUTF8));
    free(data);
    free(desc);
}
END_TEST

START_TEST(test_fixture_greetings)
{
    /* the greetings captured along with the EHLO replies are good 220s */
    static const char *const names[] = { "postfix.greeting.txt", "postfix-tls-xclient.greeting.txt",
                                         "exim.greeting.txt", "opensmtpd.greeting.txt",
                                         "aiosmtpd.greeting.txt", "aiosmtpd-size-utf8.greeting.txt" };
    size_t i;
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t n, used;
        char *data = read_fixture(names[i], &n), *t;
        smtpp_reply_parser p;
        smtpp_reply r;
        smtpp_ehlo e;
        rp_opts o = { 0, 0, 0 };
        smtpp_reply_parser_init(&p, 0);
        ck_assert_int_eq(smtpp_parse_reply(&p, data, n, &r, &used), SMTPP_DONE);
        ck_assert_int_eq(r.error, 0);
        ck_assert_uint_eq(r.code, 220);
        ck_assert_int_eq(smtpp_ehlo_parse(&r, &e), -1); /* not a 250 */
        t = check_all(&o, data, n);
        free(t);
        free(data);
    }
}
END_TEST

/* ---- Synthetic replies ----------------------------------------------------- */

typedef struct evec {
    const char *name;
    const char *in;
    const char *want;
} evec;

static const evec evecs[] = {
    { "case-insensitive", "250-x.example hi\r\n250-size 1000\r\n250-Pipelining\r\n250 starttls\r\n",
      "domain=[x.example] greet=[hi] exts=SIZE,PIPELINING,STARTTLS, size=1000 unknown=0 bad=0;" },
    { "size without number", "250-x\r\n250 SIZE\r\n",
      "domain=[x] greet=(-) exts=SIZE, unknown=0 bad=0;" },
    { "size zero", "250-x\r\n250 SIZE 0\r\n",
      "domain=[x] greet=(-) exts=SIZE, size=0 unknown=0 bad=0;" },
    { "size max", "250-x\r\n250 SIZE 18446744073709551615\r\n",
      "domain=[x] greet=(-) exts=SIZE, size=18446744073709551615 unknown=0 bad=0;" },
    { "size overflow", "250-x\r\n250 SIZE 18446744073709551616\r\n",
      "domain=[x] greet=(-) exts=SIZE, unknown=0 bad=1;" },
    { "size junk", "250-x\r\n250-SIZE 12k\r\n250 SIZE 1 2\r\n",
      "domain=[x] greet=(-) exts=SIZE, unknown=0 bad=2;" },
    { "auth", "250-x\r\n250 AUTH PLAIN LOGIN CRAM-MD5 xoauth2 SCRAM-SHA-256-PLUS X-CUSTOM\r\n",
      "domain=[x] greet=(-) exts=AUTH, mechs=0x40000217 legacy=0 "
      "auth=[PLAIN LOGIN CRAM-MD5 xoauth2 SCRAM-SHA-256-PLUS X-CUSTOM] unknown=0 bad=0;" },
    { "auth legacy only", "250-x\r\n250 AUTH=LOGIN PLAIN\r\n",
      "domain=[x] greet=(-) exts=AUTH, mechs=0x3 legacy=1 auth=[LOGIN PLAIN] unknown=0 bad=0;" },
    { "auth both forms", "250-x\r\n250-AUTH=LOGIN\r\n250-AUTH LOGIN PLAIN GSSAPI\r\n250 AUTH=LOGIN\r\n",
      "domain=[x] greet=(-) exts=AUTH, mechs=0x803 legacy=1 auth=[LOGIN PLAIN GSSAPI] unknown=0 bad=0;" },
    { "auth bad mechanism", "250-x\r\n250 AUTH PLAIN B@D THIS-NAME-IS-TOO-LONG-FOR-SASL\r\n",
      "domain=[x] greet=(-) exts=AUTH, mechs=0x1 legacy=0 "
      "auth=[PLAIN B@D THIS-NAME-IS-TOO-LONG-FOR-SASL] unknown=0 bad=1;" },
    { "all mechanisms", "250-x\r\n250 AUTH PLAIN LOGIN CRAM-MD5 DIGEST-MD5 XOAUTH2 OAUTHBEARER "
      "SCRAM-SHA-1 SCRAM-SHA-1-PLUS SCRAM-SHA-256 SCRAM-SHA-256-PLUS EXTERNAL GSSAPI ANONYMOUS NTLM\r\n",
      "domain=[x] greet=(-) exts=AUTH, mechs=0x3fff legacy=0 auth=[PLAIN LOGIN CRAM-MD5 DIGEST-MD5 "
      "XOAUTH2 OAUTHBEARER SCRAM-SHA-1 SCRAM-SHA-1-PLUS SCRAM-SHA-256 SCRAM-SHA-256-PLUS EXTERNAL "
      "GSSAPI ANONYMOUS NTLM] unknown=0 bad=0;" },
    { "rfc extensions", "250-x\r\n250-BINARYMIME\r\n250-REQUIRETLS\r\n250-MT-PRIORITY MIXER\r\n"
      "250-FUTURERELEASE 604800 2026-12-31T23:59:59Z\r\n250-DELIVERBY 240\r\n250-ATRN\r\n"
      "250-EXPN\r\n250 LIMITS RCPTMAX=50 MAILMAX=1000 RCPTDOMAINMAX=7 OTHERMAX=3\r\n",
      "domain=[x] greet=(-) exts=BINARYMIME,REQUIRETLS,MT-PRIORITY,FUTURERELEASE,DELIVERBY,ATRN,"
      "LIMITS,EXPN, mtp=[MIXER] fr=604800,[2026-12-31T23:59:59Z] by=240 limits=50,1000,7 "
      "unknown=0 bad=0;" },
    { "bare extensions", "250-x\r\n250-MT-PRIORITY\r\n250-DELIVERBY\r\n250 LIMITS\r\n",
      "domain=[x] greet=(-) exts=MT-PRIORITY,DELIVERBY,LIMITS, mtp=(-) limits=0,0,0 unknown=0 bad=0;" },
    { "bad values", "250-x\r\n250-FUTURERELEASE 60\r\n250-DELIVERBY -5\r\n"
      "250 LIMITS RCPTMAX=0 MAILMAX=x =3 JUNK\r\n",
      "domain=[x] greet=(-) exts=FUTURERELEASE,DELIVERBY,LIMITS, limits=0,0,0 unknown=0 bad=3;" },
    { "unknown and bad lines", "250-x\r\n250-X-EXPS GSSAPI NTLM\r\n250-PRDR\r\n250--BAD\r\n"
      "250-SI_ZE 1\r\n250-\r\n250 8BITMIME\r\n",
      "domain=[x] greet=(-) exts=8BITMIME, unknown=2 bad=3 ?[X-EXPS][GSSAPI NTLM] ?[PRDR](-);" },
    { "keyword prefix is not the keyword", "250-x\r\n250-SIZEX 10\r\n250 STARTTLSX\r\n",
      "domain=[x] greet=(-) exts= unknown=2 bad=0 ?[SIZEX][10] ?[STARTTLSX](-);" },
    { "one line", "250 only.example\r\n",
      "domain=[only.example] greet=(-) exts= unknown=0 bad=0;" },
    { "not 250", "550 5.7.1 go away\r\n", "NOT-EHLO;" },
    { "lhlo reply", "250-lmtp.example LMTP\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n250 CHUNKING\r\n",
      "domain=[lmtp.example] greet=[LMTP] exts=PIPELINING,CHUNKING,ENHANCEDSTATUSCODES, "
      "unknown=0 bad=0;" },
};

START_TEST(test_synthetic)
{
    const evec *v = &evecs[_i];
    char *got = ehlo_all(v->in, strlen(v->in));
    if (strcmp(got, v->want) != 0)
        ck_abort_msg("'%s':\n got: %s\nwant: %s", v->name, got, v->want);
    free(got);
}
END_TEST

/* Every row of SMTPP_EXT_MAP (reply.h): its name, and its keyword found by
 * the re2c rules of smtpp_ext_lookup(), which cannot read the map, in
 * either case and never as the start of a longer word. */
static const struct ext_row {
    int id;
    const char *keyword;
} ext_rows[] = {
#define X_(name, keyword) { SMTPP_EXT_##name, keyword },
    SMTPP_EXT_MAP(X_)
#undef X_
};

START_TEST(test_vocabulary_exts)
{
    size_t i, k;
    ck_assert_uint_eq(sizeof ext_rows / sizeof ext_rows[0], SMTPP_EXT__COUNT);
    for (i = 0; i < sizeof ext_rows / sizeof ext_rows[0]; i++) {
        const struct ext_row *r = &ext_rows[i];
        char low[32], longer[40];
        size_t n = strlen(r->keyword);
        smtpp_str kw = { r->keyword, n }, lw = { low, n }, lg = { longer, n + 1 };
        ck_assert_int_eq(r->id, (int)i);
        ck_assert_str_eq(smtpp_ext_name((smtpp_ext)r->id), r->keyword);
        ck_assert_int_eq(smtpp_ext_lookup(kw), r->id);
        for (k = 0; k <= n; k++)
            low[k] = (r->keyword[k] >= 'A' && r->keyword[k] <= 'Z') ? (char)(r->keyword[k] | 0x20)
                                                                    : r->keyword[k];
        ck_assert_int_eq(smtpp_ext_lookup(lw), r->id);
        memcpy(longer, r->keyword, n);
        longer[n] = 'X';
        ck_assert_int_eq(smtpp_ext_lookup(lg), -1);
    }
}
END_TEST

START_TEST(test_lookup_helpers)
{
    smtpp_str s = { "mt-priority", 11 }, none = { NULL, 0 }, nl = { "AUTH\n", 5 };
    char big[100];
    smtpp_str bs = { big, sizeof big };
    int id;
    memset(big, 'A', sizeof big);
    ck_assert_int_eq(smtpp_ext_lookup(s), SMTPP_EXT_MT_PRIORITY);
    ck_assert_int_eq(smtpp_ext_lookup(none), -1);
    ck_assert_int_eq(smtpp_ext_lookup(nl), -1);
    ck_assert_int_eq(smtpp_ext_lookup(bs), -1);
    for (id = 0; id < SMTPP_EXT__COUNT; id++) {
        smtpp_str k = { smtpp_ext_name((smtpp_ext)id), strlen(smtpp_ext_name((smtpp_ext)id)) };
        ck_assert_int_eq(smtpp_ext_lookup(k), id);
    }
    ck_assert_str_eq(smtpp_ext_name(SMTPP_EXT__COUNT), "");
    {
        smtpp_str m1 = { "scram-sha-1", 11 }, m2 = { "FOO_BAR", 7 }, m3 = { "a b", 3 };
        ck_assert_uint_eq(smtpp_auth_mech_bit(m1), SMTPP_AUTH_SCRAM_SHA_1);
        ck_assert_uint_eq(smtpp_auth_mech_bit(m2), SMTPP_AUTH_OTHER);
        ck_assert_uint_eq(smtpp_auth_mech_bit(m3), 0);
        ck_assert_uint_eq(smtpp_auth_mech_bit(none), 0);
    }
}
END_TEST

START_TEST(test_ehlo_next_all_lines)
{
    const char *in = "250-x\r\n250-AUTH=PLAIN\r\n250-SIZE 5\r\n250 FOO bar\r\n";
    smtpp_reply_parser p;
    smtpp_reply r;
    smtpp_ehlo e;
    smtpp_ehlo_line l;
    size_t used, pos = 0;
    smtpp_reply_parser_init(&p, 0);
    ck_assert_int_eq(smtpp_parse_reply(&p, in, strlen(in), &r, &used), SMTPP_DONE);
    ck_assert_int_eq(smtpp_ehlo_parse(&r, &e), 0);
    ck_assert_int_eq(smtpp_ehlo_next(&e, &pos, &l), 1);
    ck_assert(sl_eq(l.keyword, "AUTH"));
    ck_assert_int_eq(l.legacy, 1);
    ck_assert_int_eq(l.ext, SMTPP_EXT_AUTH);
    ck_assert(sl_eq(l.params, "PLAIN"));
    ck_assert_int_eq(smtpp_ehlo_next(&e, &pos, &l), 1);
    ck_assert_int_eq(l.ext, SMTPP_EXT_SIZE);
    ck_assert_int_eq(smtpp_ehlo_next(&e, &pos, &l), 1);
    ck_assert_int_eq(l.ext, -1);
    ck_assert(sl_eq(l.params, "bar"));
    ck_assert_int_eq(smtpp_ehlo_next(&e, &pos, &l), 0);
    /* an error reply is not an EHLO reply */
    r.error = SMTPP_RE_BAD_CODE;
    ck_assert_int_eq(smtpp_ehlo_parse(&r, &e), -1);
    ck_assert_uint_eq(e.exts, 0);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("ehlo");
    TCase *tc = tcase_create("ehlo");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_fixture_postfix);
    tcase_add_test(tc, test_fixture_postfix_tls_xclient);
    tcase_add_test(tc, test_fixture_exim);
    tcase_add_test(tc, test_fixture_opensmtpd);
    tcase_add_test(tc, test_fixture_aiosmtpd);
    tcase_add_test(tc, test_fixture_greetings);
    tcase_add_loop_test(tc, test_synthetic, 0, (int)(sizeof evecs / sizeof evecs[0]));
    tcase_add_test(tc, test_lookup_helpers);
    tcase_add_test(tc, test_vocabulary_exts);
    tcase_add_test(tc, test_ehlo_next_all_lines);
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
