/* Fuzz target for the connection driver (conn.h): whole sessions through
 * smtpp_conn_next(), in lockstep and in pipelined mode.
 *
 * Input layout (the same header as session_fuzzer.c, so its corpus seeds
 * this one):
 *   byte 0   config flags (bits 0-6, enum smtpp_config_flag); bit 7: small
 *            limits (size 300, text line 100, 3 recipients, 8 errors, 6 junk
 *            commands, AUTH line 256)
 *   byte 1   extensions: bit 0 CHUNKING BINARYMIME, 1 SIZE, 2 AUTH, 3
 *            SMTPUTF8, 4 DSN, 5 VRFY EXPN ETRN ATRN, 6 XCLIENT XFORWARD, 7
 *            STARTTLS REQUIRETLS
 *   byte 2   command parser flags (bits 0-6); bit 7: raw DATA bodies
 *   byte 3   chunking: reads are 1 .. byte 3 + 1 octets long
 *   byte 4   seed of the read lengths and of the next hop's answers
 *   rest     the client's byte stream
 * Several such inputs may be joined with FUZZ_SEP (fuzz.h).
 *
 * The answers: the n-th decision of the lockstep run gets the n-th code of
 * a generator (mostly the proposed code, some 550, 450, 421).
 *
 * Oracles:
 *   - the client's replies, the message contents, the SASL responses and
 *     the final state are the same in lockstep (each decision answered at
 *     once) and in pipelined mode with the answers held back until the
 *     driver waits or the input ends (each answer the lockstep run's code;
 *     an answer to a superseded command consumes none);
 *   - both are the same fed whole and in reads of random length, when the
 *     "more input" flag cannot differ (SYNC_REPORT_ONLY, PIPELINING
 *     offered);
 *   - *used never exceeds the region; BODY slices are never empty; in raw
 *     mode the BODY slices of an accepted message are exactly the bytes
 *     consumed for it;
 *   - smtpp_conn_answer() with nothing awaited returns -1 and changes
 *     nothing; after SMTPP_EV_CLOSE every call returns SMTPP_CONN_CLOSED.
 */
#include "fuzz.h"
#include "describe.h"

#include <smtpp/conn.h>

#define HDR 5
#define DESC_CAP (1u << 20)

static char desc_a[DESC_CAP], desc_b[DESC_CAP], desc_c[DESC_CAP];
static char sasl_buf[9300];

typedef struct answers {
    uint32_t seed;
} answers;

static int next_code(answers *a, int proposed)
{
    uint32_t r = fuzz_rand(&a->seed) % 16;
    if (r < 10) return proposed;
    if (r < 13) return 550;
    if (r < 15) return 450;
    return 421;
}

typedef struct run {
    smtpp_conn c;
    answers ans;
    dbuf *d;
    int pipelined;
    unsigned pending;        /* decisions handed out, not answered */
    int proposed[SMTPP_CONN_QUEUE + 8];
    unsigned count[SMTPP_CONN_QUEUE + 8];
} run;

/* A reply the client gets from the library. */
static void log_reply(run *r, const smtpp_verdict *v)
{
    char t[160];
    snprintf(t, sizeof t, "R %s %u x%u close=%u\n", smtpp_verdict_name((smtpp_verdict_id)v->id),
             v->code, v->count, v->close);
    dputs(r->d, t);
}

static int answer_one(run *r)
{
    unsigned i, count = r->count[0];
    char t[80];
    for (i = 0; i < count; i++) {
        answers save = r->ans;
        smtpp_verdict v;
        int code = next_code(&r->ans, r->proposed[0]);
        if (smtpp_conn_answer(&r->c, code, &v) != 0) {
            FUZZ_CHECK(i == 0, "answer refused in the middle of a message's replies");
            r->ans = save;
            return -1;
        }
        if (i == 0) {
            memmove(r->proposed, r->proposed + 1, (r->pending - 1) * sizeof r->proposed[0]);
            memmove(r->count, r->count + 1, (r->pending - 1) * sizeof r->count[0]);
            r->pending--;
        }
        if (v.action == SMTPP_ACT_REPLY) {   /* superseded: the library's reply */
            FUZZ_CHECK(r->pipelined && count == 1, "superseded in lockstep");
            r->ans = save;
            log_reply(r, &v);
            return 0;
        }
        FUZZ_CHECK(v.action == 0, "answer verdict action %u", v.action);
        snprintf(t, sizeof t, "R decided %d\n", code);   /* the reply the client gets */
        dputs(r->d, t);
    }
    return 0;
}

static void decision(run *r, const smtpp_verdict *v)
{
    FUZZ_CHECK(r->pending < SMTPP_CONN_QUEUE + 8, "too many decisions outstanding");
    r->proposed[r->pending] = v->code;
    r->count[r->pending] = v->count;
    r->pending++;
    FUZZ_CHECK(smtpp_conn_unanswered(&r->c) >= 1, "a decision handed out is not counted");
    if (!r->pipelined) FUZZ_CHECK(answer_one(r) == 0, "lockstep answer refused");
}

/* Feeds in[0..n) in reads of 1..chunk_max octets (0: whole). */
static void drive(const char *in, size_t n, const smtpp_config *cfg, unsigned pflags, int raw,
                  int pipelined, uint32_t chunk_max, uint32_t chunk_seed, uint32_t ans_seed,
                  dbuf *d)
{
    static run r;
    static char bodybuf[DESC_CAP];
    dbuf body = { bodybuf, 0, sizeof bodybuf };
    char *acc = (char *)malloc(n + 1);
    size_t have = 0, fed = 0, msg_consumed = 0, msg_raw = 0;
    int closed = 0;
    smtpp_verdict v;

    memset(&r, 0, sizeof r);
    r.d = d;
    r.pipelined = pipelined;
    r.ans.seed = ans_seed;
    smtpp_conn_init(&r.c, cfg, (pipelined ? SMTPP_CONN_PIPELINE : 0) | (raw ? SMTPP_CONN_RAW_BODY : 0));
    smtpp_parser_init(&r.c.parser, pflags);
    smtpp_conn_sasl_buffer(&r.c, sasl_buf, sizeof sasl_buf);

    for (;;) {
        int rc;
        size_t used = 0;
        smtpp_event ev;
        char *rg;
        if (closed) break;
        rg = fuzz_dup(acc, have);
        rc = smtpp_conn_next(&r.c, rg, have, &ev, &used);
        FUZZ_CHECK(used <= have, "used %zu > len %zu", used, have);
        if (rc == SMTPP_DONE) {
            switch (ev.type) {
            case SMTPP_EV_PROXY:
                dputs(d, ev.v.action == SMTPP_ACT_CLOSE ? "PROXY bad\n" : "PROXY\n");
                break;
            case SMTPP_EV_COMMAND:
                FUZZ_CHECK(ev.raw.n == used && ev.raw.p == rg, "raw is not the line consumed");
                if (ev.v.action == SMTPP_ACT_DECIDE) decision(&r, &ev.v);
                else if (ev.v.action == SMTPP_ACT_BODY) msg_consumed = msg_raw = 0;
                else if (!ev.deferred) log_reply(&r, &ev.v);
                if (ev.v.action == SMTPP_ACT_DECIDE && ev.cmd.verb == SMTPP_VERB_DATA)
                    msg_consumed = msg_raw = 0;
                break;
            case SMTPP_EV_BODY:
                /* the content of a message, whatever the slices */
                FUZZ_CHECK(ev.data.n > 0, "empty BODY event");
                if (!raw || ev.verb != SMTPP_VERB_DATA) dput(&body, ev.data.p, ev.data.n);
                else msg_raw += ev.data.n;
                msg_consumed += used;
                break;
            case SMTPP_EV_MESSAGE_END:
                msg_consumed += used;
                /* an accepted message without bare line ends: the raw form
                 * is the client's bytes */
                if (raw && ev.verb == SMTPP_VERB_DATA && ev.v.action == SMTPP_ACT_DECIDE &&
                    !(cfg->flags & SMTPP_CFG_PASS_BARE))
                    FUZZ_CHECK(msg_raw == msg_consumed, "raw message %zu octets, consumed %zu",
                               msg_raw, msg_consumed);
                dputs(d, "MESSAGE [");
                dput(d, body.p, body.n);
                dputs(d, "]\n");
                body.n = 0;
                body.p[0] = 0;
                if (ev.v.action == SMTPP_ACT_DECIDE) decision(&r, &ev.v);
                else log_reply(&r, &ev.v);
                break;
            case SMTPP_EV_AUTH:
                if (ev.v.action == SMTPP_ACT_DECIDE) {
                    dputs(d, "SASL ");
                    dput(d, ev.data.p, ev.data.n);
                    dputs(d, "\n");
                    decision(&r, &ev.v);
                } else {
                    log_reply(&r, &ev.v);
                }
                break;
            case SMTPP_EV_REPLY:
                FUZZ_CHECK(r.pipelined, "deferred reply in lockstep");
                log_reply(&r, &ev.v);
                break;
            case SMTPP_EV_CLOSE:
                dputs(d, "CLOSE\n");
                closed = 1;
                FUZZ_CHECK(smtpp_conn_next(&r.c, rg, have, &ev, &used) == SMTPP_CONN_CLOSED,
                           "events after CLOSE");
                used = 0;
                break;
            default:
                FUZZ_FAIL("event type %u", ev.type);
            }
        }
        free(rg);
        memmove(acc, acc + used, have - used);
        have -= used;
        if (rc == SMTPP_DONE) continue;
        if (rc == SMTPP_CONN_CLOSED) break;
        if (rc == SMTPP_CONN_WAIT) {
            FUZZ_CHECK(used == 0, "WAIT consumed bytes");
            if (r.c.session.state == SMTPP_ST_GREETING) {
                FUZZ_CHECK(smtpp_conn_greeting(&r.c, 220, 0, &v) == 0, "greeting refused");
                log_reply(&r, &v);
                continue;
            }
            FUZZ_CHECK(r.pending > 0, "WAIT with nothing to answer");
            FUZZ_CHECK(answer_one(&r) == 0, "answer refused at WAIT");
            continue;
        }
        FUZZ_CHECK(rc == SMTPP_AGAIN, "result %d", rc);
        if (fed < n) {            /* the next read, answers or not */
            size_t chunk = chunk_max ? 1 + fuzz_rand(&chunk_seed) % chunk_max : n - fed;
            if (chunk > n - fed) chunk = n - fed;
            memcpy(acc + have, in + fed, chunk);
            have += chunk;
            fed += chunk;
            continue;
        }
        if (r.pending) {
            FUZZ_CHECK(answer_one(&r) == 0, "answer refused at the end");
            continue;
        }
        break;
    }
    if (!closed) {
        FUZZ_CHECK(smtpp_conn_unanswered(&r.c) == 0, "decisions left at the end");
        FUZZ_CHECK(smtpp_conn_answer(&r.c, 250, &v) == -1, "an answer with nothing awaited");
    }
    {
        char t[64];
        snprintf(t, sizeof t, "STATE %s finish=%d\n",
                 smtpp_state_name((smtpp_state)r.c.session.state), smtpp_conn_finish(&r.c, have));
        dputs(d, t);
    }
    free(acc);
}

/* 1 when "STARTTLS" (any case) occurs in in[0..n). */
static int has_starttls(const char *in, size_t n)
{
    static const char w[] = "starttls";
    size_t i, j;
    for (i = 0; i + 8 <= n; i++) {
        for (j = 0; j < 8 && (in[i + j] | 0x20) == w[j]; j++)
            ;
        if (j == 8) return 1;
    }
    return 0;
}

static void one_input(const uint8_t *data, size_t size)
{
    smtpp_config cfg;
    unsigned ex, pflags;
    int raw;
    uint32_t chunk_max, seed, ans;
    const char *in = (const char *)data + HDR;
    size_t n;
    dbuf a = { desc_a, 0, sizeof desc_a }, b = { desc_b, 0, sizeof desc_b },
         c = { desc_c, 0, sizeof desc_c };

    if (size < HDR) return;
    n = size - HDR;
    smtpp_config_init(&cfg, "mx.example.org");
    cfg.flags = data[0] & 0x7fu;
    if (data[0] & 0x80) {
        cfg.max_size = 300;
        cfg.max_text_line = 100;
        cfg.max_rcpts = 3;
        cfg.max_errors = 8;
        cfg.max_junk = 6;
        cfg.auth_line_max = 256;
    }
    ex = data[1];
    if (ex & 1) cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_CHUNKING) | SMTPP_EXT_BIT(SMTPP_EXT_BINARYMIME);
    if (ex & 2) {
        cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_SIZE);
        if (!cfg.max_size) cfg.max_size = 100000;
    }
    if (ex & 4) {
        cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_AUTH);
        cfg.auth_mechs = SMTPP_AUTH_PLAIN | SMTPP_AUTH_LOGIN | SMTPP_AUTH_OTHER;
    }
    if (ex & 8) cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_SMTPUTF8);
    if (ex & 16) cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_DSN);
    if (ex & 32)
        cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_VRFY) | SMTPP_EXT_BIT(SMTPP_EXT_EXPN) |
                    SMTPP_EXT_BIT(SMTPP_EXT_ETRN) | SMTPP_EXT_BIT(SMTPP_EXT_ATRN);
    if (ex & 64) cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_XCLIENT) | SMTPP_EXT_BIT(SMTPP_EXT_XFORWARD);
    if (ex & 128) cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_STARTTLS) | SMTPP_EXT_BIT(SMTPP_EXT_REQUIRETLS);
    pflags = data[2] & 0x7fu;
    raw = (data[2] & 0x80u) != 0;
    chunk_max = (uint32_t)data[3] + 1u;
    seed = (uint32_t)data[4] * 0x01000193u + 1u;
    ans = (uint32_t)data[4] + 2920u;

    desc_a[0] = desc_b[0] = desc_c[0] = 0;
    drive(in, n, &cfg, pflags, raw, 0, chunk_max, seed, ans, &a);
    drive(in, n, &cfg, pflags, raw, 1, chunk_max, seed, ans, &b);
    if (strcmp(desc_a, desc_b) != 0) {
        fprintf(stderr, "lockstep:\n%s\npipelined:\n%s\n", desc_a, desc_b);
        FUZZ_FAIL("pipelined run differs from lockstep");
    }
    /* whole against chunked, where "more input" cannot differ (STARTTLS
     * with input behind it is refused even then, offered or not) */
    if ((cfg.flags & SMTPP_CFG_SYNC_REPORT_ONLY) && !has_starttls(in, n)) {
        drive(in, n, &cfg, pflags, raw, 1, 0, seed, ans, &c);
        if (strcmp(desc_a, desc_c) != 0) {
            fprintf(stderr, "chunked:\n%s\nwhole:\n%s\n", desc_a, desc_c);
            FUZZ_FAIL("whole differs from chunked");
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *item;
    size_t n, pos = 0;
    while (fuzz_next_item(data, size, &pos, &item, &n))
        one_input(item, n);
    return 0;
}
