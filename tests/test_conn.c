/* The connection driver (conn.h): the same transcripts as the low-level loop
 * of tests/transcript.h, fed whole, split at every byte and byte by byte, in
 * lockstep and pipelined mode; every combination of answers to pipelined
 * groups against the lockstep run; the verdict's reset flag, the tracker's
 * tags, narrowed extensions and the reply helper.
 *
 * Every transcript of test_session.c runs through the driver as well: that
 * file is included below with its tx_check() redirected to conn_tx_check(),
 * which runs the low-level loop as before and then the driver. */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include "transcript.h"

/* ---- The driver as a transcript ------------------------------------------------ */

/* How the harness answers DECIDE verdicts. */
enum {
    ANSWER_AT_ONCE = 0,   /* at the event, as a lockstep server does */
    ANSWER_LAZY,          /* only when the driver is stuck (WAIT, or AGAIN at the
                             end of a read): one answer, then the events */
    ANSWER_LAZY_ALL,      /* when stuck: every outstanding answer at once, as a
                             proxy that got the next hop's replies in one read */
    ANSWER_LATE           /* only when the driver waits, or at the end of the
                             input: the client's next reads come in while the
                             answers are outstanding */
};

typedef struct cx_pending {
    const char *what;             /* the transcript's name for it */
    int code;                     /* the proposed code */
    unsigned count;
} cx_pending;

typedef struct cx_run {
    tx_run t;                     /* decision script, transcript, body */
    smtpp_conn c;
    cx_pending pend[SMTPP_CONN_QUEUE + 4];
    unsigned npend;
    unsigned max_unanswered;      /* most decisions outstanding at once */
    int closed;
} cx_run;

/* How often the pipelined paths were taken, over a test. */
static unsigned long cx_superseded, cx_deferred_replies, cx_queue_waits; /* WAIT with a queue */
static unsigned long cx_read_while_pending;   /* a read came in with answers outstanding */

static void cx_line_reply(cx_run *r, const char *what, const smtpp_verdict *v)
{
    char t[256];
    const char *name = smtpp_verdict_name((smtpp_verdict_id)v->id) + 8;
    if (v->action == SMTPP_ACT_CLOSE) {
        snprintf(t, sizeof t, "%s %s\n", what, name);
        traw(r->t.d, t);
        return;
    }
    snprintf(t, sizeof t, "%s %d %s %s%s", what, v->code, v->enhanced, name,
             v->close ? " close" : "");
    traw(r->t.d, t);
    if (v->count != 1) {
        snprintf(t, sizeof t, " x%u", v->count);
        traw(r->t.d, t);
    }
    traw(r->t.d, "\n");
}

/* Answers the oldest outstanding decision (all of its replies) with the
 * script's codes.  Returns -1 when the driver wants library replies handed
 * out first (the script is left as it was). */
static int cx_answer_one(cx_run *r)
{
    cx_pending p = r->pend[0];
    unsigned i;
    char t[64];
    for (i = 0; i < p.count; i++) {
        const char *save = r->t.dec;
        smtpp_verdict v;
        int code = tx_next_code(&r->t, p.code);
        int rc = smtpp_conn_answer(&r->c, code, &v);
        if (rc != 0) {
            ck_assert_uint_eq(i, 0);
            r->t.dec = save;
            return -1;
        }
        if (i == 0) memmove(r->pend, r->pend + 1, --r->npend * sizeof r->pend[0]);
        if (v.action == SMTPP_ACT_REPLY) {
            /* superseded: the client gets the library's reply, and the
             * script's code was never a decision of the lockstep run */
            ck_assert_uint_eq(p.count, 1);
            r->t.dec = save;
            cx_superseded++;
            cx_line_reply(r, p.what, &v);
            return 0;
        }
        snprintf(t, sizeof t, "%s%s?%d", i ? " " : p.what, i ? "" : " ", code);
        traw(r->t.d, t);
    }
    traw(r->t.d, "\n");
    return 0;
}

/* Records a DECIDE verdict; answers it at once in ANSWER_AT_ONCE mode. */
static void cx_decide(cx_run *r, const char *what, const smtpp_verdict *v, int policy)
{
    size_t u;
    ck_assert_uint_lt(r->npend, sizeof r->pend / sizeof r->pend[0]);
    r->pend[r->npend].what = what;
    r->pend[r->npend].count = v->count;
    r->pend[r->npend].code = v->code;
    r->npend++;
    u = smtpp_conn_unanswered(&r->c);
    if (u > r->max_unanswered) r->max_unanswered = (unsigned)u;
    if (policy == ANSWER_AT_ONCE) ck_assert_int_eq(cx_answer_one(r), 0);
}

/* Handles one event.  Returns 1 when the connection is closed. */
static int cx_event(cx_run *r, const smtpp_event *ev, int policy)
{
    char t[200];
    switch (ev->type) {
    case SMTPP_EV_PROXY:
        if (ev->v.action == SMTPP_ACT_CLOSE) {
            cx_line_reply(r, "PROXY", &ev->v);
        } else {
            const smtpp_proxy *px = &ev->proxy;
            snprintf(t, sizeof t,
                     "PROXY v=%d fam=%d local=%d src=%u.%u.%u.%u:%u dst=%u.%u.%u.%u:%u"
                     " src6end=%02x tlv=%zu\n",
                     px->version, px->family, px->local, px->src[0], px->src[1], px->src[2],
                     px->src[3], px->src_port, px->dst[0], px->dst[1], px->dst[2], px->dst[3],
                     px->dst_port, px->src[15], px->tlv.n);
            traw(r->t.d, t);
        }
        return 0;
    case SMTPP_EV_COMMAND:
        ck_assert_uint_gt(ev->raw.n, 0);
        if (ev->v.action == SMTPP_ACT_DECIDE) {
            cx_decide(r, tx_verb(ev->verb), &ev->v, policy);
        } else if (ev->v.action == SMTPP_ACT_BODY) {
            r->t.nbody = 0;
        } else if (!ev->deferred) {
            cx_line_reply(r, tx_verb(ev->verb), &ev->v);
        }
        return 0;
    case SMTPP_EV_BODY:
        ck_assert_uint_gt(ev->data.n, 0);
        ck_assert_uint_le(r->t.nbody + ev->data.n, sizeof r->t.body);
        memcpy(r->t.body + r->t.nbody, ev->data.p, ev->data.n);
        r->t.nbody += ev->data.n;
        return 0;
    case SMTPP_EV_MESSAGE_END:
        traw(r->t.d, ev->verb == SMTPP_VERB_BDAT ? "CHUNK [" : "BODY [");
        dput(r->t.d, r->t.body, r->t.nbody);
        traw(r->t.d, "]\n");
        r->t.nbody = 0;
        if (ev->v.action == SMTPP_ACT_DECIDE) cx_decide(r, tx_verb(ev->verb), &ev->v, policy);
        else cx_line_reply(r, ev->verb == SMTPP_VERB_BDAT ? "BDAT" : "DATA", &ev->v);
        return 0;
    case SMTPP_EV_AUTH:
        if (ev->v.action == SMTPP_ACT_DECIDE) {
            traw(r->t.d, "SASL [");
            dput(r->t.d, ev->data.p, ev->data.n);
            traw(r->t.d, "]\n");
            cx_decide(r, "SASL", &ev->v, policy);
        } else {
            cx_line_reply(r, "SASL", &ev->v);
        }
        return 0;
    case SMTPP_EV_REPLY:
        ck_assert_int_eq(ev->v.action == SMTPP_ACT_REPLY || ev->v.action == SMTPP_ACT_CLOSE, 1);
        cx_deferred_replies++;
        cx_line_reply(r, tx_verb(ev->verb), &ev->v);
        return 0;
    case SMTPP_EV_CLOSE:
        traw(r->t.d, "CLOSE\n");
        return 1;
    default:
        ck_abort_msg("unexpected event %d", ev->type);
        return 1;
    }
}

/* Runs case c through the driver on in[0..n) delivered in chunks ending at
 * cuts[0..ncuts); appends the transcript to *d.  Returns the most
 * decisions that were outstanding at once. */
static unsigned cx_feed(const tx_case *c, const char *in, size_t n, const size_t *cuts,
                        size_t ncuts, unsigned conn_flags, int policy, dbuf *d)
{
    static cx_run run;
    static char sasl[4096];
    char *acc = (char *)malloc(n + 1);
    size_t have = 0, k, prev = 0;
    size_t pad = (conn_flags & SMTPP_CONN_INPUT_PADDED) ? SMTPP_INPUT_PADDING : 0;
    smtpp_verdict v;

    memset(&run, 0, sizeof run);
    run.t.c = c;
    run.t.dec = c->decisions ? c->decisions : "";
    run.t.d = d;
    smtpp_conn_init(&run.c, c->cfg, conn_flags);
    if (pad) ck_assert(run.c.parser.flags & SMTPP_INPUT_PADDED);
    smtpp_parser_init(&run.c.parser, c->parser_flags | (pad ? SMTPP_INPUT_PADDED : 0));
    smtpp_conn_sasl_buffer(&run.c, sasl, sizeof sasl);

    for (k = 0; k <= ncuts && !run.closed; k++) {
        size_t end = k < ncuts ? cuts[k] : n;
        memcpy(acc + have, in + prev, end - prev);
        have += end - prev;
        prev = end;
        if (run.npend) cx_read_while_pending++;
        while (!run.closed) {
            char *rg = have || pad ? (char *)malloc(have + pad) : NULL;
            smtpp_event ev;
            size_t used = 0;
            int rc;
            if (rg) {
                memcpy(rg, acc, have);
                memset(rg + have, 0, pad);
            }
            rc = smtpp_conn_next(&run.c, rg, have, &ev, &used);
            REQUIRE(used <= have, "used %zu > have %zu", used, have);
            if (rc == SMTPP_DONE) run.closed = cx_event(&run, &ev, policy);
            free(rg);
            memmove(acc, acc + used, have - used);
            have -= used;
            if (rc == SMTPP_DONE) continue;
            if (rc == SMTPP_CONN_CLOSED) {
                run.closed = 1;
                break;
            }
            if (rc == SMTPP_CONN_WAIT) {
                ck_assert_uint_eq(used, 0);
                if (run.c.session.state == SMTPP_ST_GREETING) {
                    smtpp_conn_greeting(&run.c, c->greet_code ? c->greet_code : 220,
                                        (c->greet_flags & SMTPP_CHECK_MORE_INPUT) ? 1 : 0, &v);
                    cx_line_reply(&run, "GREETING", &v);
                    if (v.close) {
                        traw(d, "CLOSE\n");
                        run.closed = 1;
                    }
                    continue;
                }
                ck_assert_msg(run.npend > 0, "WAIT with nothing to answer");
                if (smtpp_conn_unanswered(&run.c) > 0 && run.c._qcount > 0) cx_queue_waits++;
                ck_assert_int_eq(cx_answer_one(&run), 0);
                if (policy == ANSWER_LAZY_ALL)   /* until library replies are due */
                    while (run.npend && cx_answer_one(&run) == 0)
                        ;
                continue;
            }
            /* SMTPP_AGAIN: answer what is outstanding before reading on */
            if (run.npend && (policy != ANSWER_LATE || k == ncuts)) {
                ck_assert_int_eq(cx_answer_one(&run), 0);
                if (policy == ANSWER_LAZY_ALL)
                    while (run.npend && cx_answer_one(&run) == 0)
                        ;
                continue;
            }
            break;
        }
    }
    while (!run.closed && run.npend) ck_assert_int_eq(cx_answer_one(&run), 0);
    {
        char t[64];
        snprintf(t, sizeof t, "END %s\n", smtpp_state_name((smtpp_state)run.c.session.state) + 9);
        traw(d, t);
    }
    free(acc);
    return run.max_unanswered;
}

/* The stream of a case without its '\x1e' marks, the marks' positions (the
 * packet ends, n included) in cuts and pend. */
typedef struct cx_stream {
    char *in;
    unsigned char *pend;
    size_t *marks;
    size_t n, nmarks;
} cx_stream;

static void cx_split(const tx_case *c, cx_stream *st)
{
    size_t rawn = c->n ? c->n : strlen(c->in), i;
    st->in = (char *)calloc(rawn + 1, 1);
    st->pend = (unsigned char *)calloc(rawn + 2, 1);
    st->marks = (size_t *)calloc(rawn + 2, sizeof *st->marks);
    st->n = st->nmarks = 0;
    for (i = 0; i < rawn; i++) {
        if (c->in[i] == '\x1e') {
            st->pend[st->n] = 1;
            if (st->n && (!st->nmarks || st->marks[st->nmarks - 1] != st->n))
                st->marks[st->nmarks++] = st->n;
        } else {
            st->in[st->n++] = c->in[i];
        }
    }
    if (st->nmarks && st->marks[st->nmarks - 1] == st->n) st->nmarks--;
}

static void cx_free(cx_stream *st)
{
    free(st->in);
    free(st->pend);
    free(st->marks);
}

static const unsigned cx_modes[][2] = {
    { 0, ANSWER_AT_ONCE },
    { SMTPP_CONN_PIPELINE, ANSWER_AT_ONCE },
    { SMTPP_CONN_PIPELINE, ANSWER_LAZY },
    { SMTPP_CONN_PIPELINE, ANSWER_LAZY_ALL },
    { SMTPP_CONN_PIPELINE, ANSWER_LATE },
    /* every read followed by SMTPP_INPUT_PADDING zeros: the parser's lane
     * reads them (an over-read past them is an ASan error) */
    { SMTPP_CONN_INPUT_PADDED, ANSWER_AT_ONCE },
};
#define NMODES (sizeof cx_modes / sizeof cx_modes[0])

static char cx_want[1 << 16], cx_got[1 << 16];

/* The driver, in every mode, on the packets of the case (each packet one
 * read): the case's transcript. */
static void cx_check_packets(const tx_case *c, const char *expect)
{
    cx_stream st;
    size_t m;
    cx_split(c, &st);
    for (m = 0; m < NMODES; m++) {
        dbuf got = { cx_got, 0, sizeof cx_got };
        cx_feed(c, st.in, st.n, st.marks, st.nmarks, cx_modes[m][0], (int)cx_modes[m][1], &got);
        ck_assert_msg(strcmp(got.p, expect) == 0,
                      "driver (flags %u, answers %u) differs:\n--- got:\n%s--- want:\n%s",
                      cx_modes[m][0], cx_modes[m][1], got.p, expect);
    }
    cx_free(&st);
}

/* The low-level loop and the driver on the same reads: the packets plus
 * one more cut at every point, then byte by byte.  "More input" is then
 * what was read together, for both. */
static void cx_check_splits(const tx_case *c)
{
    cx_stream st;
    size_t cut, m, i, *cuts;
    unsigned char *pend;
    cx_split(c, &st);
    cuts = (size_t *)malloc((st.n + 2) * sizeof *cuts);
    pend = (unsigned char *)calloc(st.n + 2, 1);
    for (cut = 1; cut <= st.n; cut++) {
        size_t nc = 0, j;
        int bytewise = cut == st.n;
        dbuf want = { cx_want, 0, sizeof cx_want };
        memset(pend, 0, st.n + 2);
        if (bytewise) {
            for (i = 1; i < st.n; i++) cuts[nc++] = i;
            memset(pend, 1, st.n + 1);
        } else {
            for (j = 0; j < st.nmarks && st.marks[j] < cut; j++) cuts[nc++] = st.marks[j];
            if (!(j < st.nmarks && st.marks[j] == cut)) cuts[nc++] = cut;
            for (; j < st.nmarks; j++)
                if (st.marks[j] != cut) cuts[nc++] = st.marks[j];
            for (i = 0; i < nc; i++) pend[cuts[i]] = 1;
        }
        tx_feed(c, st.in, pend, st.n, cuts, nc, &want);
        for (m = 0; m < NMODES; m++) {
            dbuf got = { cx_got, 0, sizeof cx_got };
            cx_feed(c, st.in, st.n, cuts, nc, cx_modes[m][0], (int)cx_modes[m][1], &got);
            ck_assert_msg(strcmp(got.p, want.p) == 0,
                          "cut %zu%s (flags %u, answers %u) differs:\n--- driver:\n%s--- loop:\n%s",
                          cut, bytewise ? " (byte by byte)" : "", cx_modes[m][0],
                          cx_modes[m][1], got.p, want.p);
        }
    }
    free(cuts);
    free(pend);
    cx_free(&st);
}

static void conn_tx_check(const tx_case *c)
{
    tx_check(c);   /* the low-level loop, as in test_session */
    cx_check_packets(c, c->expect);
    cx_check_splits(c);
}

/* ---- The session's transcripts, through the driver too ------------------------- */

#define tx_check conn_tx_check
#define main session_main
#include "test_session.c"
#undef main
#undef tx_check

/* ---- Cases of the driver's own ------------------------------------------------- */

#define CX(c_, in_, dec_, exp_)                                             \
    do {                                                                    \
        tx_case t_ = { (c_), (in_), (dec_), (exp_), 0, 0, 0, 0 };           \
        conn_tx_check(&t_);                                                 \
    } while (0)

/* The driver's parser takes its MAIL and RCPT line limits from the
 * configuration (smtpp_parser_configure()), as a parser set up by hand. */
START_TEST(parser_limits_from_config)
{
    static smtpp_conn c;
    smtpp_config cf;
    smtpp_parser p;
    smtpp_config_init(&cf, "mx.test");
    cf.exts |= SMTPP_EXT_BIT(SMTPP_EXT_SIZE) | SMTPP_EXT_BIT(SMTPP_EXT_DSN) |
               SMTPP_EXT_BIT(SMTPP_EXT_AUTH) | SMTPP_EXT_BIT(SMTPP_EXT_SMTPUTF8);
    smtpp_conn_init(&c, &cf, 0);
    smtpp_parser_init(&p, 0);
    smtpp_parser_configure(&p, &cf);
    ck_assert_uint_gt(c.parser.max_mail_line, SMTPP_DEFAULT_MAX_LINE);
    ck_assert_uint_gt(c.parser.max_rcpt_line, SMTPP_DEFAULT_MAX_LINE);
    ck_assert_uint_eq(c.parser.max_mail_line, p.max_mail_line);
    ck_assert_uint_eq(c.parser.max_rcpt_line, p.max_rcpt_line);
    ck_assert_uint_eq(c.parser.max_auth_line, p.max_auth_line);
    ck_assert_uint_eq(c.parser.max_line, SMTPP_DEFAULT_MAX_LINE);
}
END_TEST

START_TEST(bodies_and_chunks)
{
    setup_cfg();
    /* dot-stuffing, an empty message, a message over two reads */
    CX(&cfg, EHLO_ MAIL_ RCPT_ "DATA\r\n" W "..a\r\n.b\r\n\r\n.\r\n" W MAIL_ RCPT_ "DATA\r\n" W ".\r\n" W,
       "", G "EHLO ?250\nMAIL ?250\nRCPT ?250\nDATA ?354\nBODY [.a\\0d\\0ab\\0d\\0a\\0d\\0a]\n"
       "DATA ?250\nMAIL ?250\nRCPT ?250\nDATA ?354\nBODY []\nDATA ?250\nEND READY\n");
    /* a refused message (bare LF): the transaction is over */
    CX(&cfg, EHLO_ MAIL_ RCPT_ "DATA\r\n" W "a\nb\r\n.\r\n" W RCPT_, "",
       G "EHLO ?250\nMAIL ?250\nRCPT ?250\nDATA ?354\nBODY [a]\n"
       "DATA 550 5.5.2 BARE_LINE_END\nRCPT 503 5.5.1 NEED_MAIL\nEND READY\n");
    /* BDAT chunks, a zero-length LAST, a refused chunk */
    CX(&cfg, EHLO_ MAIL_ RCPT_ "BDAT 3\r\nabc" W "BDAT 0 LAST\r\n" W MAIL_ RCPT_
             "BDAT 2 LAST\r\nxy" W,
       "= = = = 250 = = 452",
       G "EHLO ?250\nMAIL ?250\nRCPT ?250\nCHUNK [abc]\nBDAT ?250\nCHUNK []\nBDAT ?250\n"
       "MAIL ?250\nRCPT ?250\nCHUNK [xy]\nBDAT ?452\nEND READY\n");
    /* a BDAT too big for max_size, then DATA mixed in */
    CX(&cfg, EHLO_ MAIL_ RCPT_ "BDAT 1001\r\n" W "DATA\r\n" W "RSET\r\n" W, "",
       G "EHLO ?250\nMAIL ?250\nRCPT ?250\nEND BDAT\n");
}
END_TEST

START_TEST(auth_exchanges)
{
    setup_cfg();
    CX(&cfg, EHLO_ "AUTH LOGIN\r\n" W "dXNlcg==\r\n" W "cGFzcw==\r\n" W MAIL_, "= 334 334 235",
       G "EHLO ?250\nAUTH ?334\nSASL [user]\nSASL ?334\nSASL [pass]\nSASL ?235\nMAIL ?250\n"
       "END MAIL\n");
    CX(&cfg, EHLO_ "AUTH PLAIN\r\n" W "*\r\n" W "AUTH PLAIN\r\n" W "@@@@\r\n" W, "",
       G "EHLO ?250\nAUTH ?334\nSASL 501 5.7.0 AUTH_CANCELLED\nAUTH ?334\n"
       "SASL 501 5.5.2 AUTH_BAD_BASE64\nEND READY\n");
}
END_TEST

START_TEST(proxy_header)
{
    smtpp_config c2;
    smtpp_config_init(&c2, "mx.test");
    c2.flags |= SMTPP_CFG_PROXY;
    CX(&c2, "PROXY TCP4 192.0.2.1 192.0.2.2 1234 25\r\n" EHLO_ "QUIT\r\n", "",
       "PROXY v=1 fam=1 local=0 src=192.0.2.1:1234 dst=192.0.2.2:25 src6end=00 tlv=0\n"
       G "EHLO ?250\nQUIT 221 2.0.0 BYE close\nCLOSE\nEND CLOSED\n");
    CX(&c2, "PROXY bogus\r\n", "", "PROXY PROXY_BAD\nCLOSE\nEND CLOSED\n");
}
END_TEST

/* ---- Pipelined groups: every combination of answers --------------------------- */

/* Codes the next hop may answer with, per decision. */
static const char *const answers3[] = { "=", "550", "421" };
static const char *const answers2[] = { "=", "550" };

/* Runs case c with every script of ndec answers drawn from opts[0..nopt):
 * the driver in pipelined mode, answering lazily (one at a time, or all at
 * once), gives the lockstep loop's transcript.  Returns the most decisions
 * outstanding at once over all scripts. */
static unsigned combos(const smtpp_config *cfg_, const char *in, unsigned ndec,
                       const char *const *opts, unsigned nopt)
{
    static char script[256];
    unsigned long total = 1, k;
    unsigned i, most = 0;
    cx_stream st;
    tx_case c = { cfg_, in, script, NULL, 0, 0, 0, 0 };
    cx_split(&c, &st);
    for (i = 0; i < ndec; i++) total *= nopt;
    for (k = 0; k < total; k++) {
        unsigned long x = k;
        dbuf want = { cx_want, 0, sizeof cx_want };
        size_t m;
        script[0] = 0;
        for (i = 0; i < ndec; i++) {
            strcat(script, opts[x % nopt]);
            strcat(script, " ");
            x /= nopt;
        }
        tx_feed(&c, st.in, st.pend, st.n, st.marks, st.nmarks, &want);
        for (m = 0; m < NMODES; m++) {
            dbuf got = { cx_got, 0, sizeof cx_got };
            unsigned u = cx_feed(&c, st.in, st.n, st.marks, st.nmarks, cx_modes[m][0],
                                 (int)cx_modes[m][1], &got);
            if (u > most) most = u;
            ck_assert_msg(strcmp(got.p, want.p) == 0,
                          "answers \"%s\" (flags %u, answers %u):\n--- driver:\n%s--- lockstep:\n%s",
                          script, cx_modes[m][0], cx_modes[m][1], got.p, want.p);
        }
    }
    cx_free(&st);
    return most;
}

#define GROUP(...) __VA_ARGS__

START_TEST(pipelined_groups_every_answer)
{
    smtpp_config c2;
    unsigned most;
    setup_cfg();
    /* MAIL RCPT RCPT DATA in one packet, then the message */
    most = combos(&cfg, EHLO_ "MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nRCPT TO:<e@d.test>\r\n"
                              "DATA\r\n" W "hi\r\n.\r\n" W "QUIT\r\n",
                  7, answers3, 3);
    ck_assert_uint_eq(most, 4);   /* the whole group was out before any answer */
    /* RSET MAIL RCPT, twice, and a group after a message */
    most = combos(&cfg, EHLO_ "MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nRSET\r\n"
                              "MAIL FROM:<f@b.test>\r\nRCPT TO:<g@d.test>\r\nDATA\r\n" W "x\r\n.\r\n" W
                              "RSET\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nNOOP\r\n" W,
                  9, answers2, 2);
    ck_assert_uint_ge(most, 4);
    /* a recipient limit: RCPTs over it are held until the answers came */
    c2 = cfg;
    c2.max_rcpts = 2;
    combos(&c2, EHLO_ "MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nRCPT TO:<e@d.test>\r\n"
                      "RCPT TO:<f@d.test>\r\nRCPT TO:<g@d.test>\r\nDATA\r\n" W "x\r\n.\r\n" W,
           8, answers2, 2);
    /* library refusals in the middle: syntax, parameters, UTF-8 without SMTPUTF8 */
    combos(&cfg, EHLO_ "MAIL FROM:<a@b.test>\r\nRCPT TO:<c@@d.test>\r\nRCPT TO:<\xc3\xbc@d.test>\r\n"
                       "RCPT TO:<e@d.test> SIZE=1\r\nRCPT TO:<e@d.test>\r\nDATA\r\n" W "x\r\n.\r\n" W,
           5, answers3, 3);
    /* a second MAIL and commands refused during a transaction: held */
    combos(&cfg, EHLO_ "MAIL FROM:<a@b.test>\r\nMAIL FROM:<b@b.test>\r\nRCPT TO:<c@d.test>\r\n"
                       "ETRN x.test\r\nVRFY a\r\n" W "QUIT\r\n",
           6, answers2, 2);
    /* the error limit reached by the next hop's refusals */
    c2 = cfg;
    c2.max_errors = 2;
    combos(&c2, EHLO_ "MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nRCPT TO:<e@d.test>\r\n"
                      "RCPT TO:<f@d.test>\r\nDATA\r\n" W "x\r\n.\r\n" W,
           6, answers2, 2);
    /* QUIT at the end of a group, and data sent before the 354 */
    combos(&cfg, EHLO_ "MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nQUIT\r\n", 3, answers3, 3);
    combos(&cfg, EHLO_ "MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\nx\r\n.\r\n", 3,
           answers2, 2);
    /* LMTP: one reply per accepted recipient after the message */
    c2 = cfg;
    c2.flags |= SMTPP_CFG_LMTP;
    combos(&c2, "LHLO c.test\r\n" W "MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nRCPT TO:<e@d.test>\r\n"
                "DATA\r\n" W "x\r\n.\r\n" W,
           6, answers2, 2);
}
END_TEST

/* Random sessions: commands drawn from a vocabulary, packet ends and the
 * next hop's answers drawn at random (a fixed seed), each run in lockstep
 * and through the driver in every mode: the same transcript. */
static uint32_t rnd_state;
static uint32_t rnd(uint32_t n)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return (rnd_state >> 8) % n;
}

START_TEST(random_sessions)
{
    static const char *const vocab[] = {
        "MAIL FROM:<a@b.test>\r\n", "MAIL FROM:<a@b.test>\r\n", "MAIL FROM:<a@b.test>\r\n",
        "RCPT TO:<e@d.test>\r\n", "RCPT TO:<e@d.test>\r\n", "RCPT TO:<e@d.test>\r\n",
        "MAIL FROM:<a@b.test> SMTPUTF8\r\n",
        "MAIL FROM:<a@b.test> BODY=BINARYMIME\r\n", "MAIL FROM:<a@b.test> SIZE=5000\r\n",
        "RCPT TO:<c@d.test>\r\n", "RCPT TO:<c@d.test>\r\n", "RCPT TO:<\xc3\xbc@d.test>\r\n",
        "RCPT TO:<c@@d.test>\r\n", "RSET\r\n", "NOOP\r\n", "DATA\r\n", "DATA\r\nx\r\n.\r\n",
        "x\r\n.\r\n", "VRFY a\r\n", "HELP\r\n", "ETRN x.test\r\n", "BDAT 2\r\nab",
        "BDAT 1 LAST\r\nz", "BDAT x\r\n", "EHLO c.test\r\n", "HELO c.test\r\n", "AUTH PLAIN\r\n", "=\r\n",
        "QUIT\r\n", "FOO\r\n", "STARTTLS\r\n", "XFORWARD NAME=x\r\n", "\r\n",
    };
    static const char *const codes[] = { "=", "=", "=", "550", "550", "450", "421", "354", "250",
                                         "334", "235" };
    static char in[4096], script[512];
    smtpp_config cfgs[4];
    unsigned iter;
    setup_cfg();
    cfgs[0] = cfg;
    cfgs[1] = cfg;
    cfgs[1].max_rcpts = 2;
    cfgs[1].max_errors = 4;
    cfgs[1].max_junk = 3;
    cfgs[2] = cfg;
    cfgs[2].flags |= SMTPP_CFG_SYNC_REPORT_ONLY;
    cfgs[2].exts |= SMTPP_EXT_BIT(SMTPP_EXT_XFORWARD);
    cfgs[3] = cfg;
    cfgs[3].exts &= ~SMTPP_EXT_BIT(SMTPP_EXT_PIPELINING);
    rnd_state = 2920;
    cx_superseded = cx_deferred_replies = cx_queue_waits = cx_read_while_pending = 0;
    for (iter = 0; iter < 3000; iter++) {
        tx_case c = { &cfgs[rnd(4)], in, script, NULL, 0, 0, 0, 0 };
        unsigned i, ncmd = 3 + rnd(14);
        cx_stream st;
        dbuf want = { cx_want, 0, sizeof cx_want };
        size_t m;
        strcpy(in, rnd(8) ? "EHLO c.test\r\n" W : "");
        for (i = 0; i < ncmd; i++) {
            strcat(in, vocab[rnd(sizeof vocab / sizeof vocab[0])]);
            if (rnd(5) == 0) strcat(in, W);
        }
        script[0] = 0;
        for (i = 0; i < 24; i++) {
            strcat(script, codes[rnd(sizeof codes / sizeof codes[0])]);
            strcat(script, " ");
        }
        cx_split(&c, &st);
        tx_feed(&c, st.in, st.pend, st.n, st.marks, st.nmarks, &want);
        for (m = 0; m < NMODES; m++) {
            dbuf got = { cx_got, 0, sizeof cx_got };
            cx_feed(&c, st.in, st.n, st.marks, st.nmarks, cx_modes[m][0], (int)cx_modes[m][1], &got);
            ck_assert_msg(strcmp(got.p, want.p) == 0,
                          "iteration %u, answers \"%s\" (flags %u, answers %u), input:\n%s\n"
                          "--- driver:\n%s--- lockstep:\n%s",
                          iter, script, cx_modes[m][0], cx_modes[m][1], in, got.p, want.p);
        }
        cx_free(&st);
    }
    /* the runs did go through the pipelined paths */
    ck_assert_uint_ge(cx_superseded, 50);       /* 82 with this seed */
    ck_assert_uint_ge(cx_deferred_replies, 500);
    ck_assert_uint_ge(cx_queue_waits, 500);
    ck_assert_uint_ge(cx_read_while_pending, 200);   /* 465 with this seed */
}
END_TEST

/* A pipelined proxy's view: the group is out in one go, the library's
 * replies come back in their turn, a superseded RCPT says so. */
START_TEST(pipelined_api)
{
    static const char grp[] = "MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nRSET\r\n"
                              "MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\n";
    smtpp_conn c;
    smtpp_event ev;
    smtpp_verdict v;
    size_t used, off = 0;
    int i;
    setup_cfg();
    smtpp_conn_init(&c, &cfg, SMTPP_CONN_PIPELINE);
    ck_assert_int_eq(smtpp_conn_next(&c, "", 0, &ev, &used), SMTPP_CONN_WAIT);
    ck_assert_int_eq(smtpp_conn_greeting(&c, 220, 0, &v), 0);
    ck_assert_int_eq(smtpp_conn_greeting(&c, 220, 0, &v), -1);
    ck_assert_int_eq(smtpp_conn_next(&c, "EHLO c.test\r\n", 13, &ev, &used), SMTPP_DONE);
    ck_assert_int_eq(ev.v.action, SMTPP_ACT_DECIDE);
    ck_assert_int_eq(ev.v.resets, SMTPP_RESET_IF_ACCEPTED);
    /* EHLO is never pipelined: the driver waits for its answer */
    ck_assert_int_eq(smtpp_conn_next(&c, grp, sizeof grp - 1, &ev, &used), SMTPP_CONN_WAIT);
    ck_assert_uint_eq(used, 0);
    ck_assert_int_eq(smtpp_conn_answer(&c, 250, &v), 0);
    ck_assert_int_eq(v.action, 0);
    /* the five commands come out before any answer */
    for (i = 0; i < 5; i++) {
        ck_assert_int_eq(smtpp_conn_next(&c, grp + off, sizeof grp - 1 - off, &ev, &used), SMTPP_DONE);
        off += used;
        ck_assert_int_eq(ev.type, SMTPP_EV_COMMAND);
        ck_assert_uint_eq(ev.seq, (unsigned)i + 1);
        ck_assert_int_eq(ev.deferred, i > 0);
        ck_assert_int_eq(ev.v.action, i == 2 ? SMTPP_ACT_REPLY : SMTPP_ACT_DECIDE);
        if (i == 2) ck_assert_int_eq(ev.v.resets, SMTPP_RESET_DONE);
    }
    ck_assert_uint_eq(off, sizeof grp - 1);
    ck_assert_uint_eq(smtpp_conn_unanswered(&c), 4);
    ck_assert_int_eq(smtpp_conn_next(&c, "", 0, &ev, &used), SMTPP_AGAIN);
    /* MAIL refused: the RCPT after it is superseded (503 NEED_MAIL) */
    ck_assert_int_eq(smtpp_conn_answer(&c, 550, &v), 0);
    ck_assert_int_eq(v.action, 0);
    ck_assert_int_eq(smtpp_conn_answer(&c, 503, &v), 0);
    ck_assert_int_eq(v.action, SMTPP_ACT_REPLY);
    ck_assert_int_eq(v.id, SMTPP_V_NEED_MAIL);
    ck_assert_int_eq(v.superseded, 0);
    /* RSET's reply is the library's, due now; answers must wait for it */
    ck_assert_int_eq(smtpp_conn_answer(&c, 250, &v), -1);
    ck_assert_int_eq(smtpp_conn_next(&c, "", 0, &ev, &used), SMTPP_DONE);
    ck_assert_int_eq(ev.type, SMTPP_EV_REPLY);
    ck_assert_int_eq(ev.verb, SMTPP_VERB_RSET);
    ck_assert_uint_eq(ev.seq, 3);
    ck_assert_int_eq(ev.v.code, 250);
    ck_assert_int_eq(smtpp_conn_answer(&c, 250, &v), 0);
    ck_assert_int_eq(smtpp_conn_answer(&c, 250, &v), 0);
    ck_assert_int_eq(smtpp_conn_answer(&c, 250, &v), -1);
    ck_assert_uint_eq(smtpp_conn_unanswered(&c), 0);
    ck_assert_int_eq(c.session.state, SMTPP_ST_RCPT);
    ck_assert_int_eq(c.session.rcpts, 1);
    /* a superseded RCPT the next hop accepted after all */
    smtpp_conn_init(&c, &cfg, SMTPP_CONN_PIPELINE);
    smtpp_conn_greeting(&c, 220, 0, &v);
    smtpp_conn_next(&c, "EHLO c.test\r\n", 13, &ev, &used);
    smtpp_conn_answer(&c, 250, NULL);
    off = 0;
    for (i = 0; i < 2; i++) {
        ck_assert_int_eq(smtpp_conn_next(&c, grp + off, 42 - off, &ev, &used), SMTPP_DONE);
        off += used;
    }
    ck_assert_int_eq(smtpp_conn_answer(&c, 550, &v), 0);
    /* a RCPT that arrives now is checked against what was answered: the
     * library refuses it (no MAIL), nothing is forwarded */
    ck_assert_int_eq(smtpp_conn_next(&c, "RCPT TO:<x@d.test>\r\n", 20, &ev, &used), SMTPP_DONE);
    ck_assert_int_eq(ev.deferred, 1);
    ck_assert_int_eq(ev.v.action, SMTPP_ACT_REPLY);
    ck_assert_int_eq(ev.v.id, SMTPP_V_NEED_MAIL);
    ck_assert_int_eq(smtpp_conn_answer(&c, 250, &v), 0);
    ck_assert_int_eq(v.action, SMTPP_ACT_REPLY);
    ck_assert_int_eq(v.superseded, 1);
    ck_assert_int_eq(smtpp_conn_next(&c, "", 0, &ev, &used), SMTPP_DONE);
    ck_assert_int_eq(ev.type, SMTPP_EV_REPLY);
    ck_assert_int_eq(ev.v.id, SMTPP_V_NEED_MAIL);
    ck_assert_uint_eq(ev.seq, 3);
    ck_assert_int_eq(c.session.state, SMTPP_ST_READY);
}
END_TEST

/* A lockstep connection with those flags, greeted, EHLO, MAIL and RCPT
 * accepted and DATA answered 354: the next octets are a message body. */
static void conn_to_body(smtpp_conn *c, unsigned conn_flags)
{
    smtpp_event ev;
    smtpp_verdict v;
    size_t used;
    smtpp_conn_init(c, &cfg, conn_flags);
    smtpp_conn_greeting(c, 220, 0, &v);
    smtpp_conn_next(c, "EHLO c.test\r\n", 13, &ev, &used);
    smtpp_conn_answer(c, 250, NULL);
    smtpp_conn_next(c, "MAIL FROM:<a@b.test>\r\n", 22, &ev, &used);
    smtpp_conn_answer(c, 250, NULL);
    smtpp_conn_next(c, "RCPT TO:<c@d.test>\r\n", 20, &ev, &used);
    smtpp_conn_answer(c, 250, NULL);
    smtpp_conn_next(c, "DATA\r\n", 6, &ev, &used);
    smtpp_conn_answer(c, 354, NULL);
    ck_assert_int_eq(smtpp_session_next(&c->session), SMTPP_NEXT_MESSAGE);
}

START_TEST(lockstep_api)
{
    smtpp_conn c;
    smtpp_event ev;
    smtpp_verdict v;
    size_t used;
    static const char msg[] = "..x\r\n.\r\n";
    setup_cfg();
    smtpp_conn_init(&c, &cfg, 0);
    ck_assert_int_eq(smtpp_conn_answer(&c, 250, &v), -1);
    smtpp_conn_greeting(&c, 220, 0, &v);
    ck_assert_int_eq(smtpp_conn_next(&c, "EHLO c.test\r\n", 13, &ev, &used), SMTPP_DONE);
    ck_assert_uint_eq(used, 13);
    ck_assert_uint_eq(ev.raw.n, 13);
    ck_assert_uint_eq(smtpp_conn_unanswered(&c), 1);
    /* lockstep: nothing more until the answer */
    ck_assert_int_eq(smtpp_conn_next(&c, "MAIL", 4, &ev, &used), SMTPP_CONN_WAIT);
    ck_assert_uint_eq(used, 0);
    ck_assert_int_eq(smtpp_conn_answer(&c, 250, NULL), 0);
    ck_assert_int_eq(smtpp_conn_next(&c, "MAIL", 4, &ev, &used), SMTPP_AGAIN);
    ck_assert_int_eq(smtpp_conn_finish(&c, 4), 1);          /* mid-line */
    /* inside an AUTH exchange: a partial response line is mid-line, none
     * is not */
    {
        int k;
        for (k = 0; k < 2; k++) {
            smtpp_conn_init(&c, &cfg, 0);
            smtpp_conn_greeting(&c, 220, 0, &v);
            smtpp_conn_next(&c, "EHLO c.test\r\n", 13, &ev, &used);
            smtpp_conn_answer(&c, 250, NULL);
            ck_assert_int_eq(smtpp_conn_next(&c, "AUTH LOGIN\r\n", 12, &ev, &used), SMTPP_DONE);
            ck_assert_int_eq(smtpp_conn_answer(&c, 334, NULL), 0);
            ck_assert_int_eq(smtpp_conn_next(&c, "dXNl", k ? 4 : 0, &ev, &used), SMTPP_AGAIN);
            ck_assert_int_eq(smtpp_conn_finish(&c, k ? 4 - used : 0), k);
        }
    }
    ck_assert_int_eq(smtpp_conn_next(&c, "", 0, &ev, &used), SMTPP_CONN_CLOSED);

    /* raw body: the wire bytes, dot-stuffing and the end line included */
    smtpp_conn_init(&c, &cfg, SMTPP_CONN_RAW_BODY);
    smtpp_conn_greeting(&c, 220, 0, &v);
    smtpp_conn_next(&c, "EHLO c.test\r\n", 13, &ev, &used);
    smtpp_conn_answer(&c, 250, NULL);
    smtpp_conn_next(&c, "MAIL FROM:<a@b.test>\r\n", 22, &ev, &used);
    smtpp_conn_answer(&c, 250, NULL);
    smtpp_conn_next(&c, "RCPT TO:<c@d.test>\r\n", 20, &ev, &used);
    smtpp_conn_answer(&c, 250, NULL);
    smtpp_conn_next(&c, "DATA\r\n", 6, &ev, &used);
    ck_assert_int_eq(ev.v.code, 354);
    ck_assert_int_eq(smtpp_conn_next(&c, msg, 3, &ev, &used), SMTPP_CONN_WAIT);
    smtpp_conn_answer(&c, 354, NULL);
    ck_assert_int_eq(smtpp_conn_next(&c, msg, 3, &ev, &used), SMTPP_DONE);
    ck_assert_int_eq(ev.type, SMTPP_EV_BODY);
    ck_assert_uint_eq(used, ev.data.n);
    ck_assert_int_eq(ev.data.p == msg, 1);
    ck_assert_uint_eq(used, 3);
    /* the read all taken: a call with nothing more waits for more */
    ck_assert_int_eq(smtpp_conn_next(&c, NULL, 0, &ev, &used), SMTPP_AGAIN);
    ck_assert_int_eq(ev.type, SMTPP_EV_NONE);
    ck_assert_uint_eq(used, 0);
    ck_assert_int_eq(smtpp_conn_finish(&c, 0), 2);           /* mid-message */
    conn_to_body(&c, SMTPP_CONN_RAW_BODY);
    {
        char wire[64];
        size_t nw = 0, off = 0;
        int r;
        while ((r = smtpp_conn_next(&c, msg + off, sizeof msg - 1 - off, &ev, &used)) == SMTPP_DONE) {
            off += used;
            if (ev.type == SMTPP_EV_MESSAGE_END) break;
            ck_assert_int_eq(ev.type, SMTPP_EV_BODY);
            memcpy(wire + nw, ev.data.p, ev.data.n);
            nw += ev.data.n;
        }
        ck_assert_int_eq(ev.type, SMTPP_EV_MESSAGE_END);
        ck_assert_int_eq(ev.last, 1);
        ck_assert_int_eq(ev.v.resets, SMTPP_RESET_ALWAYS);
        ck_assert_uint_eq(nw, sizeof msg - 1);
        ck_assert_int_eq(memcmp(wire, msg, nw), 0);
    }
    smtpp_conn_answer(&c, 250, NULL);
    ck_assert_int_eq(smtpp_conn_finish(&c, 0), 0);

    /* a read of a body all taken, and then more: the body goes on whether
     * the next call brings nothing or the next octets */
    conn_to_body(&c, 0);
    {
        static const char b1[] = "Hello", b2[] = " world\r\n.\r\n";
        ck_assert_int_eq(smtpp_conn_next(&c, b1, 5, &ev, &used), SMTPP_DONE);
        ck_assert_int_eq(ev.type, SMTPP_EV_BODY);
        ck_assert_uint_eq(used, 5);
        ck_assert_int_eq(ev.data.p == b1 && ev.data.n == 5, 1);
        /* no call with nothing in between: the next octets at once */
        ck_assert_int_eq(smtpp_conn_next(&c, b2, 13, &ev, &used), SMTPP_DONE);
        ck_assert_int_eq(ev.type, SMTPP_EV_BODY);
        ck_assert_int_eq(ev.data.p == b2 && ev.data.n == 8, 1);   /* " world\r\n" */
        ck_assert_int_eq(smtpp_conn_next(&c, b2 + used, 13 - used, &ev, &used), SMTPP_DONE);
        ck_assert_int_eq(ev.type, SMTPP_EV_MESSAGE_END);
        ck_assert_uint_eq(c.session.data.size, 13);
        /* the message's reply is awaited: nothing more, even with nothing */
        ck_assert_int_eq(smtpp_conn_next(&c, NULL, 0, &ev, &used), SMTPP_CONN_WAIT);
        smtpp_conn_answer(&c, 250, NULL);
        ck_assert_int_eq(smtpp_conn_next(&c, NULL, 0, &ev, &used), SMTPP_AGAIN);
        ck_assert_int_eq(smtpp_conn_finish(&c, 0), 0);
    }

    /* without a SASL buffer only "=" decodes */
    smtpp_conn_init(&c, &cfg, 0);
    smtpp_conn_greeting(&c, 220, 0, &v);
    smtpp_conn_next(&c, "EHLO c.test\r\n", 13, &ev, &used);
    smtpp_conn_answer(&c, 250, NULL);
    smtpp_conn_next(&c, "AUTH PLAIN\r\n", 12, &ev, &used);
    smtpp_conn_answer(&c, 334, NULL);
    ck_assert_int_eq(smtpp_conn_next(&c, "=\r\n", 3, &ev, &used), SMTPP_DONE);
    ck_assert_int_eq(ev.type, SMTPP_EV_AUTH);
    ck_assert_int_eq(ev.v.action, SMTPP_ACT_DECIDE);
    ck_assert_uint_eq(ev.raw.n, 3);
    smtpp_conn_answer(&c, 334, NULL);
    ck_assert_int_eq(smtpp_conn_next(&c, "AHUAcA==\r\n", 10, &ev, &used), SMTPP_DONE);
    ck_assert_int_eq(ev.v.code, 500);
    ck_assert_int_eq(smtpp_conn_finish(&c, 0), 0);

    ck_assert_str_eq(smtpp_event_name(SMTPP_EV_MESSAGE_END), "SMTPP_EV_MESSAGE_END");
    ck_assert_str_eq(smtpp_event_name((smtpp_event_type)99), "");
    /* the documented size */
    if (sizeof(void *) == 8) ck_assert_uint_eq(sizeof(smtpp_conn), 2120);
}
END_TEST

/* ---- What the verdict tells a proxy ------------------------------------------ */

START_TEST(verdict_resets)
{
    setup_cfg();
    /* checked through the transcripts' verdicts by hand here */
    {
        smtpp_session s;
        smtpp_parser p;
        smtpp_command cmd;
        smtpp_verdict v;
        size_t used;
        static const struct { const char *line; int code; int resets; } seq[] = {
            { "EHLO c.test\r\n", 250, SMTPP_RESET_IF_ACCEPTED },
            { "MAIL FROM:<a@b.test>\r\n", 250, SMTPP_RESET_NONE },
            { "RCPT TO:<c@d.test>\r\n", 250, SMTPP_RESET_NONE },
            { "RSET\r\n", 0, SMTPP_RESET_DONE },
            { "NOOP\r\n", 0, SMTPP_RESET_NONE },
            { "STARTTLS\r\n", 454, SMTPP_RESET_IF_ACCEPTED },
            { "MAIL FROM:<a@b.test>\r\n", 250, SMTPP_RESET_NONE },
            { "RCPT TO:<c@d.test>\r\n", 250, SMTPP_RESET_NONE },
            { "BDAT 1 LAST\r\n", -1, SMTPP_RESET_NONE },
            { "QUIT\r\n", 0, SMTPP_RESET_DONE },
        };
        size_t i;
        smtpp_session_init(&s, &cfg);
        smtpp_parser_init(&p, 0);
        smtpp_session_greeting(&s, 220, 0, &v);
        for (i = 0; i < sizeof seq / sizeof seq[0]; i++) {
            ck_assert_int_eq(smtpp_parse_command(&p, seq[i].line, strlen(seq[i].line), &cmd, &used),
                             SMTPP_DONE);
            smtpp_session_check(&s, &cmd, 0, &v);
            ck_assert_msg(v.resets == seq[i].resets, "%s: resets %d", seq[i].line, v.resets);
            if (seq[i].code > 0) smtpp_session_sent(&s, (smtpp_verb)cmd.verb, seq[i].code);
            if (seq[i].code < 0) {   /* the chunk, then its verdict */
                smtpp_str sl;
                ck_assert_int_eq(smtpp_session_data(&s, "x", 1, &sl, &used), SMTPP_DONE);
                smtpp_session_data_end(&s, &v);
                ck_assert_int_eq(v.resets, SMTPP_RESET_ALWAYS);
                smtpp_session_sent(&s, SMTPP_VERB_BDAT, 250);
            }
        }
    }
    /* a refused message resets; a refused BDAT LAST too; a closing reply */
    {
        smtpp_conn c;
        smtpp_event ev;
        size_t used;
        static const char body[] = "a\nb\r\n.\r\n";
        conn_to_body(&c, 0);
        ck_assert_int_eq(smtpp_conn_next(&c, body, 8, &ev, &used), SMTPP_DONE);
        ck_assert_int_eq(ev.type, SMTPP_EV_BODY);
        ck_assert_int_eq(smtpp_conn_next(&c, body + used, 8 - used, &ev, &used), SMTPP_DONE);
        ck_assert_int_eq(ev.type, SMTPP_EV_MESSAGE_END);
        ck_assert_int_eq(ev.v.action, SMTPP_ACT_REPLY);
        ck_assert_int_eq(ev.v.resets, SMTPP_RESET_DONE);
        smtpp_conn_next(&c, "MAIL FROM:<a@b.test>\r\n", 22, &ev, &used);
        smtpp_conn_answer(&c, 250, NULL);
        smtpp_conn_next(&c, "RCPT TO:<c@d.test>\r\n", 20, &ev, &used);
        smtpp_conn_answer(&c, 250, NULL);
        smtpp_conn_next(&c, "BDAT 5000 LAST\r\n", 16, &ev, &used);
        ck_assert_int_eq(ev.v.action, SMTPP_ACT_BODY);
        ck_assert_int_eq(smtpp_conn_next(&c, "", 0, &ev, &used), SMTPP_AGAIN);
        {
            static char big[5000];
            ck_assert_int_eq(smtpp_conn_next(&c, big, sizeof big, &ev, &used), SMTPP_DONE);
        }
        ck_assert_int_eq(ev.type, SMTPP_EV_MESSAGE_END);
        ck_assert_int_eq(ev.v.id, SMTPP_V_SIZE_EXCEEDED);
        ck_assert_int_eq(ev.v.resets, SMTPP_RESET_DONE);
        ck_assert_int_eq(c.session.state, SMTPP_ST_READY);
    }
}
END_TEST

START_TEST(tracker_tags)
{
    smtpp_tracker t;
    smtpp_match m;
    smtpp_tracker_init(&t, SMTPP_TRACK_LMTP);
    smtpp_tracker_reply(&t, 220, &m);
    ck_assert_uint_eq(m.tag, 0);
    ck_assert_int_eq(smtpp_tracker_command_tag(&t, SMTPP_VERB_MAIL, 0, 11), SMTPP_TRACK_OK);
    ck_assert_int_eq(smtpp_tracker_command_tag(&t, SMTPP_VERB_RCPT, 0, 0xffffffffffULL), SMTPP_TRACK_OK);
    ck_assert_int_eq(smtpp_tracker_command(&t, SMTPP_VERB_RSET, 0), SMTPP_TRACK_OK);
    ck_assert_int_eq(smtpp_tracker_command_tag(&t, SMTPP_VERB_DATA, 0, 44), SMTPP_TRACK_OK);
    smtpp_tracker_reply(&t, 250, &m);
    ck_assert_uint_eq(m.tag, 11);
    smtpp_tracker_reply(&t, 250, &m);
    ck_assert_uint_eq(m.tag, 0xffffffffffULL);
    smtpp_tracker_reply(&t, 250, &m);
    ck_assert_int_eq(m.verb, SMTPP_VERB_RSET);
    ck_assert_uint_eq(m.tag, 0);
    ck_assert_int_eq(smtpp_tracker_command_tag(&t, SMTPP_VERB_RCPT, 0, 7), SMTPP_TRACK_OK);
    /* DATA: 354, then (LMTP, one recipient after RSET? none) the final */
    smtpp_tracker_reply(&t, 354, &m);
    ck_assert_int_eq(m.kind, SMTPP_MATCH_INTERMEDIATE);
    ck_assert_uint_eq(m.tag, 44);
    smtpp_tracker_reply(&t, 250, &m);
    ck_assert_uint_eq(m.tag, 44);
    smtpp_tracker_reply(&t, 250, &m);
    ck_assert_uint_eq(m.tag, 7);
    smtpp_tracker_reply(&t, 250, &m);
    ck_assert_int_eq(m.kind, SMTPP_MATCH_UNSOLICITED);
    ck_assert_uint_eq(m.tag, 0);
}
END_TEST

START_TEST(narrowed_extensions)
{
    smtpp_conn c;
    smtpp_event ev;
    smtpp_verdict v;
    size_t used;
    char buf[1024];
    long n;
    setup_cfg();
    smtpp_conn_init(&c, &cfg, SMTPP_CONN_PIPELINE);
    smtpp_conn_greeting(&c, 220, 0, &v);
    /* the next hop offers PIPELINING, 8BITMIME and SIZE only */
    smtpp_conn_limit_exts(&c, SMTPP_EXT_BIT(SMTPP_EXT_PIPELINING) | SMTPP_EXT_BIT(SMTPP_EXT_8BITMIME) |
                                  SMTPP_EXT_BIT(SMTPP_EXT_SIZE));
    smtpp_conn_next(&c, "EHLO c.test\r\n", 13, &ev, &used);
    n = smtpp_session_ehlo(&c.session, buf, sizeof buf, NULL);
    ck_assert_int_gt(n, 0);
    buf[n] = 0;
    ck_assert_str_eq(buf, "250-mx.test\r\n250-SIZE 1000\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
    smtpp_conn_answer(&c, 250, NULL);
    ck_assert_int_eq(smtpp_session_offers(&c.session, SMTPP_EXT_CHUNKING), 0);
    /* the checks follow: SMTPUTF8 and BDAT are not offered any more */
    ck_assert_int_eq(smtpp_conn_next(&c, "MAIL FROM:<a@b.test> SMTPUTF8\r\n", 31, &ev, &used), SMTPP_DONE);
    ck_assert_int_eq(ev.v.id, SMTPP_V_PARAM_NOT_OFFERED);
    ck_assert_int_eq(smtpp_conn_next(&c, "BDAT 1\r\n", 8, &ev, &used), SMTPP_DONE);
    ck_assert_int_eq(ev.v.action, SMTPP_ACT_BODY);
    ck_assert_int_eq(smtpp_conn_next(&c, "x", 1, &ev, &used), SMTPP_DONE);
    ck_assert_int_eq(ev.v.id, SMTPP_V_NOT_IMPLEMENTED);
    /* ENHANCEDSTATUSCODES is gone: verdicts and relayed replies lose the code */
    v.id = SMTPP_V_NEED_MAIL; v.code = 503; v.enhanced = "5.5.1"; v.text = "Need MAIL command";
    n = smtpp_session_format(&c.session, &v, buf, sizeof buf);
    buf[n] = 0;
    ck_assert_str_eq(buf, "503 Need MAIL command\r\n");
    n = smtpp_session_reply(&c.session, 550, "5.1.1", "No such user", 0, buf, sizeof buf);
    buf[n] = 0;
    ck_assert_str_eq(buf, "550 No such user\r\n");
    /* the configuration's set back */
    smtpp_conn_limit_exts(&c, ~0u);
    n = smtpp_session_reply(&c.session, 550, "5.1.1", "No such user", 0, buf, sizeof buf);
    buf[n] = 0;
    ck_assert_str_eq(buf, "550 5.1.1 No such user\r\n");
    n = smtpp_session_reply(&c.session, 354, "", "Go ahead", 0, buf, sizeof buf);
    buf[n] = 0;
    ck_assert_str_eq(buf, "354 Go ahead\r\n");
    ck_assert_int_eq(smtpp_session_offers(&c.session, SMTPP_EXT_CHUNKING), 1);
    ck_assert_int_eq(cfg.exts & SMTPP_EXT_BIT(SMTPP_EXT_CHUNKING) ? 1 : 0, 1);
    /* narrowing never widens: an extension the configuration lacks */
    smtpp_conn_limit_exts(&c, ~0u);
    ck_assert_int_eq(smtpp_session_offers(&c.session, SMTPP_EXT_XCLIENT), 0);
    if (sizeof(void *) == 8) ck_assert_uint_eq(sizeof(smtpp_session), 128);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("conn");
    TCase *t = tcase_create("conn");
    SRunner *r;
    int failed;
    tcase_set_timeout(t, 600);
    tcase_add_test(t, bodies_and_chunks);
    tcase_add_test(t, parser_limits_from_config);
    tcase_add_test(t, auth_exchanges);
    tcase_add_test(t, proxy_header);
    tcase_add_test(t, pipelined_groups_every_answer);
    tcase_add_test(t, random_sessions);
    tcase_add_test(t, pipelined_api);
    tcase_add_test(t, lockstep_api);
    tcase_add_test(t, verdict_resets);
    tcase_add_test(t, tracker_tags);
    tcase_add_test(t, narrowed_extensions);
    suite_add_tcase(s, t);
    r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    failed = srunner_ntests_failed(r);
    srunner_free(r);
    /* the session's transcripts, each also through the driver (five modes,
     * every split: more time than the session suite's own tests need) */
    setenv("CK_DEFAULT_TIMEOUT", "900", 1);
    failed += session_main();
    return failed ? 1 : 0;
}
