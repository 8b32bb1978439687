/* Transcript driver for the session tests: a client byte stream in, the
 * list of replies out, with the server's decisions scripted.
 *
 * The client stream may contain '\x1e' marks: the client stops there and
 * waits for the replies (a packet boundary).  They are removed before
 * feeding.  SMTPP_CHECK_MORE_INPUT is set for a command exactly when more
 * bytes of the same packet follow it, so it does not depend on how the
 * stream is split into reads; the splits (every point, byte by byte) must
 * then give the same transcript.
 *
 * Decisions: a space-separated list of reply codes, taken in order by each
 * DECIDE verdict (and each reply after a message); "=" or running out means
 * "send the proposed code".
 *
 * Transcript lines:
 *   VERB CODE ENH NAME [close] [xN]   a reply the library decided
 *   VERB ?CODE [xN]                    a decision: the code the server sent
 *   BODY [content] / CHUNK [content]   message bytes handed back
 *   SASL [decoded]                     an AUTH response
 *   PROXY v=... fam=... ...            a PROXY header
 *   CLOSE                              the connection is closed
 *   END state                          end of stream
 */
#ifndef SMTPP_TEST_TRANSCRIPT_H
#define SMTPP_TEST_TRANSCRIPT_H

#include "describe.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#define W "\x1e"

typedef struct tx_case {
    const smtpp_config *cfg;
    const char *in;          /* client stream with '\x1e' packet marks */
    const char *decisions;   /* server codes for DECIDE verdicts */
    const char *expect;      /* the transcript */
    unsigned parser_flags;
    unsigned greet_flags;    /* SMTPP_CHECK_MORE_INPUT: early talker */
    int greet_code;          /* 0: 220 */
    size_t n;                /* length of in, when it holds NUL bytes */
} tx_case;

typedef struct tx_run {
    const tx_case *c;
    const char *dec;         /* decision cursor */
    dbuf *d;
    char body[1 << 16];
    size_t nbody;
} tx_run;

/* Appends s verbatim (dputs escapes control characters). */
static inline void traw(dbuf *d, const char *s)
{
    size_t n = strlen(s);
    if (d->n + n + 1 > d->cap) n = d->cap - d->n - 1;
    memcpy(d->p + d->n, s, n);
    d->n += n;
    d->p[d->n] = 0;
}

static inline int tx_next_code(tx_run *r, int dflt)
{
    const char *p = r->dec;
    int code;
    while (*p == ' ') p++;
    if (!*p) return dflt;
    if (*p == '=') {
        r->dec = p + 1;
        return dflt;
    }
    {
        char *endp;
        code = (int)strtol(p, &endp, 10);
        r->dec = endp;
    }
    return code;
}

static inline const char *tx_verb(int verb)
{
    const char *n = smtpp_verb_name((smtpp_verb)verb);
    return *n ? n : "-";
}

/* Writes one verdict; for DECIDE asks the script and reports the replies.
 * Returns 1 when the connection is closed. */
static inline int tx_verdict(tx_run *r, smtpp_session *s, const char *what, int verb,
                             const smtpp_verdict *v)
{
    char t[256];
    const char *name = smtpp_verdict_name((smtpp_verdict_id)v->id) + 8;
    unsigned i;
    if (v->action == SMTPP_ACT_CLOSE) {
        snprintf(t, sizeof t, "%s %s\nCLOSE\n", what, name);
        traw(r->d, t);
        return 1;
    }
    if (v->action == SMTPP_ACT_REPLY) {
        snprintf(t, sizeof t, "%s %d %s %s%s", what, v->code, v->enhanced, name,
                 v->close ? " close" : "");
        traw(r->d, t);
        if (v->count != 1) {
            snprintf(t, sizeof t, " x%u", v->count);
            traw(r->d, t);
        }
        traw(r->d, "\n");
        if (v->close) {
            traw(r->d, "CLOSE\n");
            return 1;
        }
        return 0;
    }
    if (v->action == SMTPP_ACT_DECIDE) {
        for (i = 0; i < v->count; i++) {
            int code = tx_next_code(r, v->code);
            snprintf(t, sizeof t, "%s%s?%d", i ? " " : what, i ? "" : " ", code);
            traw(r->d, t);
            ck_assert_int_eq(smtpp_session_sent(s, (smtpp_verb)verb, code), 0);
        }
        traw(r->d, "\n");
        if (s->state == SMTPP_ST_CLOSED) {
            traw(r->d, "CLOSE\n");
            return 1;
        }
    }
    return 0;
}

/* Runs the case on stream in[0..n) (marks removed; packet ends marked in
 * pend[]) delivered in chunks ending at cuts[]. */
static inline void tx_feed(const tx_case *c, const char *in, const unsigned char *pend,
                           size_t n, const size_t *cuts, size_t ncuts, dbuf *d)
{
    static tx_run run;
    smtpp_session s;
    smtpp_parser p;
    smtpp_verdict v;
    char *acc = (char *)malloc(n + 1);
    size_t have = 0, base = 0, k, prev = 0;
    int closed = 0, other_reader = 0;
    char sasl[4096];

    memset(&run, 0, sizeof run);
    run.c = c;
    run.dec = c->decisions ? c->decisions : "";
    run.d = d;
    smtpp_session_init(&s, c->cfg);
    smtpp_parser_init(&p, c->parser_flags);

    for (k = 0; k <= ncuts && !closed; k++) {
        size_t end = k < ncuts ? cuts[k] : n;
        memcpy(acc + have, in + prev, end - prev);
        have += end - prev;
        prev = end;
        while (!closed) {
            /* each call sees the region in a fresh heap block of its size */
            char *rg = have ? (char *)malloc(have) : NULL;
            size_t used = 0;
            int rc = SMTPP_AGAIN;
            smtpp_next nx = smtpp_session_next(&s);
            if (rg) memcpy(rg, acc, have);
            switch (nx) {
            case SMTPP_NEXT_PROXY: {
                smtpp_proxy px;
                other_reader = 1;
                rc = smtpp_session_proxy(&s, rg, have, &px, &used, &v);
                if (rc == SMTPP_DONE) {
                    char t[160];
                    if (v.action == SMTPP_ACT_CLOSE) {
                        closed = tx_verdict(&run, &s, "PROXY", 0, &v);
                    } else {
                        snprintf(t, sizeof t,
                                 "PROXY v=%d fam=%d local=%d src=%u.%u.%u.%u:%u dst=%u.%u.%u.%u:%u"
                                 " src6end=%02x tlv=%zu\n",
                                 px.version, px.family, px.local, px.src[0], px.src[1],
                                 px.src[2], px.src[3], px.src_port, px.dst[0], px.dst[1],
                                 px.dst[2], px.dst[3], px.dst_port, px.src[15], px.tlv.n);
                        traw(d, t);
                    }
                }
                break;
            }
            case SMTPP_NEXT_GREETING:
                smtpp_session_greeting(&s, c->greet_code ? c->greet_code : 220,
                                       c->greet_flags, &v);
                closed = tx_verdict(&run, &s, "GREETING", 0, &v);
                rc = SMTPP_DONE;
                break;
            case SMTPP_NEXT_COMMAND: {
                smtpp_command cmd;
                /* Bytes were consumed by another reader since the last
                 * command: the parser's remembered offsets are stale. */
                if (other_reader) smtpp_parser_reset(&p);
                other_reader = 0;
                rc = smtpp_parse_command(&p, rg, have, &cmd, &used);
                if (rc == SMTPP_DONE) {
                    size_t at = base + used; /* stream offset after the line */
                    unsigned fl = (at < n && !pend[at]) ? SMTPP_CHECK_MORE_INPUT : 0;
                    smtpp_session_check(&s, &cmd, fl, &v);
                    closed = tx_verdict(&run, &s, tx_verb(cmd.verb), cmd.verb, &v);
                    if (v.action == SMTPP_ACT_BODY) run.nbody = 0;
                }
                break;
            }
            case SMTPP_NEXT_MESSAGE: {
                smtpp_str sl;
                other_reader = 1;
                int bdat = s.state == SMTPP_ST_BDAT;
                rc = smtpp_session_data(&s, rg, have, &sl, &used);
                ck_assert_int_ge(rc, 0);
                ck_assert_uint_le(run.nbody + sl.n, sizeof run.body);
                if (sl.n) memcpy(run.body + run.nbody, sl.p, sl.n);
                run.nbody += sl.n;
                if (rc == SMTPP_MORE) rc = SMTPP_DONE; /* loop on */
                else if (rc == SMTPP_DONE) {
                    traw(d, bdat ? "CHUNK [" : "BODY [");
                    dput(d, run.body, run.nbody);
                    traw(d, "]\n");
                    run.nbody = 0;
                    smtpp_session_data_end(&s, &v);
                    closed = tx_verdict(&run, &s, bdat ? "BDAT" : "DATA",
                                        bdat ? SMTPP_VERB_BDAT : SMTPP_VERB_DATA, &v);
                }
                break;
            }
            case SMTPP_NEXT_SASL: {
                smtpp_str resp;
                other_reader = 1;
                rc = smtpp_session_auth_line(&s, rg, have, &used, sasl, sizeof sasl, &resp, &v);
                if (rc == SMTPP_DONE) {
                    if (v.action == SMTPP_ACT_DECIDE) {
                        traw(d, "SASL [");
                        dput(d, resp.p, resp.n);
                        traw(d, "]\n");
                    }
                    closed = tx_verdict(&run, &s, "SASL", SMTPP_VERB_AUTH, &v);
                }
                break;
            }
            default:
                closed = 1;
                break;
            }
            free(rg);
            ck_assert_msg(used <= have, "used %zu > have %zu in mode %d", used, have, (int)nx);
            memmove(acc, acc + used, have - used);
            have -= used;
            base += used;
            if (rc == SMTPP_AGAIN) break;
        }
    }
    {
        char t[64];
        snprintf(t, sizeof t, "END %s\n", smtpp_state_name((smtpp_state)s.state) + 9);
        traw(d, t);
    }
    free(acc);
}

/* Checks the case whole against c->expect, then split at every point and
 * byte by byte against the whole run. */
static inline void tx_check(const tx_case *c)
{
    static char wbuf[1 << 16], sbuf[1 << 16];
    size_t rawn = c->n ? c->n : strlen(c->in), n = 0, i, cut, *cuts;
    char *in = (char *)calloc(rawn + 1, 1);
    unsigned char *pend = (unsigned char *)calloc(rawn + 2, 1);
    dbuf whole = { wbuf, 0, sizeof wbuf }, split;

    for (i = 0; i < rawn; i++) {
        if (c->in[i] == '\x1e') pend[n] = 1;
        else in[n++] = c->in[i];
    }
    tx_feed(c, in, pend, n, NULL, 0, &whole);
    ck_assert_msg(strcmp(whole.p, c->expect) == 0, "transcript differs:\n--- got:\n%s--- want:\n%s",
                  whole.p, c->expect);
    for (cut = 1; cut < n; cut++) {
        split = (dbuf){ sbuf, 0, sizeof sbuf };
        tx_feed(c, in, pend, n, &cut, 1, &split);
        ck_assert_msg(strcmp(whole.p, split.p) == 0, "split at %zu differs:\n%s\n---\n%s", cut,
                      whole.p, split.p);
    }
    cuts = (size_t *)malloc((n + 1) * sizeof *cuts);
    for (cut = 1; cut < n; cut++) cuts[cut - 1] = cut;
    split = (dbuf){ sbuf, 0, sizeof sbuf };
    tx_feed(c, in, pend, n, cuts, n ? n - 1 : 0, &split);
    ck_assert_msg(strcmp(whole.p, split.p) == 0, "byte by byte differs:\n%s\n---\n%s", whole.p,
                  split.p);
    free(cuts);
    free(in);
    free(pend);
}

#endif
