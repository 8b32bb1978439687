/* Fuzz target for the session validator driving whole server sessions:
 * PROXY header, greeting, commands (smtpp_parse_command +
 * smtpp_session_check), the server's decisions (smtpp_session_sent), DATA
 * bodies and BDAT chunks (smtpp_session_data, smtpp_session_data_end), AUTH
 * exchanges (smtpp_session_auth_line), EHLO replies (smtpp_session_ehlo) and
 * verdict replies (smtpp_session_format).  Also the stand-alone DATA scanner
 * (smtpp_data_parse) on the same bytes.
 *
 * Input layout:
 *   byte 0   config flags (bits 0-6, enum smtpp_config_flag); bit 7: small
 *            limits (size 300, text line 100, 3 recipients, 8 errors, 6 junk
 *            commands, AUTH line 256) and DELIVERBY, FUTURERELEASE,
 *            MT-PRIORITY, LIMITS offered
 *   byte 1   extensions offered: bit 0 CHUNKING BINARYMIME, 1 SIZE, 2 AUTH
 *            (PLAIN LOGIN and others), 3 SMTPUTF8, 4 DSN, 5 VRFY EXPN ETRN
 *            ATRN, 6 XCLIENT XFORWARD, 7 STARTTLS REQUIRETLS
 *   byte 2   command parser flags (bits 0-6, enum smtpp_option); bit 7: do
 *            not call smtpp_parser_reset after a body, SASL or PROXY reader
 *            (a caller that forgets it: the parser must still stay inside
 *            the region; the chunking differential is skipped)
 *   byte 3   chunking: chunks are 1 .. byte 3 + 1 octets long
 *   byte 4   seed of the chunk lengths and of the server's decisions; its
 *            bits 0-1 also turn on SMTPP_DATA_RAW and SMTPP_DATA_REFUSE_NUL
 *            for the stand-alone scanner (byte 2's bits 4-7: PASS_BARE,
 *            size 200, line 80, NORMALISE_BARE)
 *   rest     the client's byte stream
 * Several such inputs (header and stream), each a session of its own, may
 * be joined with FUZZ_SEP (fuzz.h) into one.
 *
 * The server accepts most commands (the proposed code) and refuses some
 * (5xx/4xx), chosen by a generator that advances once per decision, so the
 * decisions depend on the sequence of events, not on the chunking.  The
 * "more input buffered" flag is taken from the whole stream for the same
 * reason.
 *
 * Oracles:
 *   - the session fed whole and fed in chunks produces the same transcript
 *     (every verdict, code, state, message content and SASL response);
 *   - DATA: the unstuffed message re-stuffed, plus ".\r\n", is exactly the
 *     bytes consumed for it (when the message is not refused); its size is
 *     the unstuffed length; BDAT chunks come back verbatim;
 *   - the stand-alone scanner gives the same content fed whole and in chunks;
 *     its raw output is the stuffed content (smtpp_stuff, smtpp_stuff_end)
 *     of the same policy without SMTPP_DATA_RAW, and read again it gives
 *     that content back;
 *   - smtpp_session_sent accepts the reply to every DECIDE verdict; a verdict's
 *     code, enhanced code and text match its table row; every verdict formats
 *     (smtpp_session_format) into a reply that parses with the verdict's code;
 *   - the EHLO reply of the session parses, and the extensions it lists are
 *     exactly those smtpp_session_offers() says;
 *   - a decoded SASL response equals the base64 decoding of its line;
 *   - calls out of step (a second greeting, a PROXY header or a SASL line
 *     in the wrong state, sent() with nothing awaited) answer MISUSE and
 *     change nothing.
 */
#include "fuzz.h"
#include "describe.h"

#include <smtpp/session.h>

#define HDR 5
#define DESC_CAP (1u << 20)

static char desc_whole[DESC_CAP], desc_split[DESC_CAP];


typedef struct stream {
    const char *in;
    size_t n;
    size_t fed;          /* stream bytes handed to the region so far */
    size_t pos;          /* stream offset of the region's first byte */
    char *acc;           /* the region */
    size_t have;
    uint32_t chunk_max, chunk_seed;
} stream;

/* Adds the next chunk to the region.  Returns 0 at the end of the stream. */
static int more(stream *st)
{
    size_t chunk;
    if (st->fed == st->n) return 0;
    chunk = st->chunk_max ? 1 + fuzz_rand(&st->chunk_seed) % st->chunk_max : st->n - st->fed;
    if (chunk > st->n - st->fed) chunk = st->n - st->fed;
    memcpy(st->acc + st->have, st->in + st->fed, chunk);
    st->have += chunk;
    st->fed += chunk;
    return 1;
}

static void consume(stream *st, size_t used)
{
    FUZZ_CHECK(used <= st->have, "used %zu > len %zu", used, st->have);
    memmove(st->acc, st->acc + used, st->have - used);
    st->have -= used;
    st->pos += used;
}

static void log_verdict(dbuf *d, const char *what, const smtpp_session *s, const smtpp_verdict *v)
{
    char t[160];
    snprintf(t, sizeof t, "%s act=%u %s code=%u count=%u close=%u perr=%u state=%s\n", what,
             v->action, smtpp_verdict_name((smtpp_verdict_id)v->id), v->code, v->count, v->close,
             v->parse_error, smtpp_state_name((smtpp_state)s->state));
    dputs(d, t);
}

static void check_verdict(const smtpp_session *s, const smtpp_verdict *v)
{
    char buf[1024];
    long len;
    FUZZ_CHECK(v->action >= SMTPP_ACT_REPLY && v->action <= SMTPP_ACT_CLOSE, "action %u", v->action);
    FUZZ_CHECK(v->id < SMTPP_V__COUNT, "verdict %u", v->id);
    FUZZ_CHECK(v->enhanced && v->text, "verdict without enhanced/text strings");
    FUZZ_CHECK(s->state <= SMTPP_ST_CLOSED, "state %u", s->state);
    if (v->parse_error) {
        /* (session.h names SYNTAX and BDAT_SYNTAX; an unknown verb gets
         * UNRECOGNIZED, and BDAT_SYNTAX keeps its own 501) */
        FUZZ_CHECK(v->id == SMTPP_V_SYNTAX || v->id == SMTPP_V_BDAT_SYNTAX ||
                   v->id == SMTPP_V_UNRECOGNIZED || v->id == SMTPP_V_BDAT_BAD_ARGS ||
                   (v->id == SMTPP_V_NONE && v->action == SMTPP_ACT_BODY),
                   "parse error with verdict %s", smtpp_verdict_name((smtpp_verdict_id)v->id));
        /* (a BDAT refused after its size was read: its chunk is read, then
         * BDAT_BAD_ARGS with the row's own 501) */
        if (v->id == SMTPP_V_SYNTAX || v->id == SMTPP_V_UNRECOGNIZED)
            FUZZ_CHECK(v->code == smtpp_error_code((smtpp_error)v->parse_error), "parse error code");
    } else if (v->action == SMTPP_ACT_REPLY) {
        FUZZ_CHECK(v->code == smtpp_verdict_code((smtpp_verdict_id)v->id),
                   "verdict %s: code %u, table %d", smtpp_verdict_name((smtpp_verdict_id)v->id), v->code,
                   smtpp_verdict_code((smtpp_verdict_id)v->id));
    }
    if (v->close && v->action == SMTPP_ACT_REPLY)
        FUZZ_CHECK(s->state == SMTPP_ST_CLOSED, "closing verdict, state %s",
                   smtpp_state_name((smtpp_state)s->state));
    if ((v->action == SMTPP_ACT_REPLY || v->action == SMTPP_ACT_DECIDE) && v->code) {
        len = smtpp_session_format(s, v, buf, sizeof buf);
        FUZZ_CHECK(len > 0 && (size_t)len <= sizeof buf, "verdict %s does not format: %ld",
                   smtpp_verdict_name((smtpp_verdict_id)v->id), len);
        {
            smtpp_reply_parser p;
            smtpp_reply r;
            size_t used = 0;
            smtpp_reply_parser_init(&p, 0);
            FUZZ_CHECK(smtpp_parse_reply(&p, buf, (size_t)len, &r, &used) == SMTPP_DONE &&
                       r.error == 0 && used == (size_t)len && r.code == v->code,
                       "formatted verdict does not parse back:\n%.*s", (int)len, buf);
        }
    }
}

/* The session's EHLO reply against smtpp_session_offers(). */
static void check_ehlo(const smtpp_session *s)
{
    char buf[4096];
    long len = smtpp_session_ehlo(s, buf, sizeof buf, "hi");
    smtpp_reply_parser p;
    smtpp_reply r;
    smtpp_ehlo e;
    size_t used = 0;
    unsigned x;
    FUZZ_CHECK(len > 0 && (size_t)len <= sizeof buf, "session EHLO reply: %ld", len);
    smtpp_reply_parser_init(&p, 0);
    FUZZ_CHECK(smtpp_parse_reply(&p, buf, (size_t)len, &r, &used) == SMTPP_DONE && r.error == 0 &&
               smtpp_ehlo_parse(&r, &e) == 0,
               "session EHLO reply does not parse:\n%.*s", (int)len, buf);
    for (x = 0; x < SMTPP_EXT__COUNT; x++) {
        int listed = (int)((e.exts >> x) & 1u), offered = smtpp_session_offers(s, (smtpp_ext)x);
        if (x == SMTPP_EXT_VRFY || x == SMTPP_EXT_EXPN || x == SMTPP_EXT_HELP) continue;
        FUZZ_CHECK(listed == offered, "%s: listed %d, offered %d\n%.*s", smtpp_ext_name((smtpp_ext)x),
                   listed, offered, (int)len, buf);
    }
}

/* Dot-stuffs content (line starts: the first byte and after each CRLF) and
 * appends the end mark; compares with the bytes consumed for the message. */
static void check_restuff(const char *body, size_t bn, const char *raw, size_t rn)
{
    /* The consumed bytes, unstuffed by this model of RFC 5321 4.5.2 (the
     * first "." of a line that starts the message or follows a CRLF is
     * dropped), must be the content.  Re-stuffing the content instead
     * would be wrong: a client may stuff a line that needed no stuffing
     * (".x"), which unstuffs to the same content. */
    char *o = (char *)malloc(rn + 1);
    size_t i, k = 0;
    if (!o) abort();
    FUZZ_CHECK(rn >= 3 && memcmp(raw + rn - 3, ".\r\n", 3) == 0 &&
                   (rn == 3 || (rn >= 5 && raw[rn - 5] == '\r' && raw[rn - 4] == '\n')),
               "the consumed bytes do not end with the end-of-data line");
    for (i = 0; i + 3 < rn; i++) {
        if (raw[i] == '.' && (i == 0 || (i >= 2 && raw[i - 1] == '\n' && raw[i - 2] == '\r')))
            continue;
        o[k++] = raw[i];
    }
    FUZZ_CHECK(bn == 0 || (bn >= 2 && body[bn - 2] == '\r' && body[bn - 1] == '\n'),
               "message content does not end with CRLF");
    FUZZ_CHECK(k == bn && memcmp(o, body, k) == 0,
               "the %zu bytes consumed unstuff to %zu bytes, not to the %zu of the content", rn, k, bn);
    free(o);
}

/* Calls out of step must answer MISUSE and leave the session alone. */
static void probe_misuse(smtpp_session *s)
{
    smtpp_session before = *s;
    smtpp_verdict v;
    smtpp_proxy px;
    smtpp_str resp;
    char dec[8];
    size_t used = 1;
    smtpp_session_greeting(s, 220, 0, &v);
    FUZZ_CHECK(v.id == SMTPP_V_MISUSE, "second greeting: %s", smtpp_verdict_name((smtpp_verdict_id)v.id));
    smtpp_session_proxy(s, "PROXY UNKNOWN\r\n", 15, &px, &used, &v);
    FUZZ_CHECK(v.id == SMTPP_V_MISUSE && used == 0, "PROXY after the greeting: %s",
               smtpp_verdict_name((smtpp_verdict_id)v.id));
    smtpp_session_auth_line(s, "=\r\n", 3, &used, dec, sizeof dec, &resp, &v);
    FUZZ_CHECK(v.id == SMTPP_V_MISUSE && used == 0, "SASL line outside AUTH: %s",
               smtpp_verdict_name((smtpp_verdict_id)v.id));
    FUZZ_CHECK(smtpp_session_sent(s, SMTPP_VERB_MAIL, 250) == -1, "sent() with nothing awaited");
    FUZZ_CHECK(memcmp(&before, s, sizeof before) == 0, "an out-of-step call changed the session");
}

typedef struct run_cfg {
    smtpp_config cfg;
    unsigned pflags;
    int reset_parser;     /* call smtpp_parser_reset after other readers */
    uint32_t policy_seed;
} run_cfg;

static int decide(uint32_t *seed, int proposed, smtpp_verb verb)
{
    uint32_t r = fuzz_rand(seed) % 16;
    if (verb == SMTPP_VERB_AUTH) return r < 6 ? 334 : r < 12 ? 235 : 535;
    if (r < 12) return proposed;
    if (r < 14) return verb == SMTPP_VERB_DATA ? 554 : 550;
    return 451;
}

static void drive(const char *in, size_t n, const run_cfg *rc, uint32_t chunk_max, uint32_t seed,
                  dbuf *d, int deep)
{
    smtpp_session s;
    smtpp_parser p;
    stream st;
    uint32_t policy = rc->policy_seed;
    char *body = (char *)malloc(n + 16), dec[512];
    size_t bn = 0, msg_start = 0;
    uint64_t bdat_size = 0;
    int msg_verb = 0, steps = 0;

    st.in = in;
    st.n = n;
    st.fed = st.pos = st.have = 0;
    st.acc = (char *)malloc(n + 1);
    st.chunk_max = chunk_max;
    st.chunk_seed = seed;
    if (!st.acc || !body) abort();
    smtpp_session_init(&s, &rc->cfg);
    smtpp_parser_init(&p, rc->pflags);

    for (;;) {
        smtpp_verdict v;
        smtpp_next next = smtpp_session_next(&s);
        size_t used = 0;
        char *r;
        int res;
        FUZZ_CHECK(++steps < 1000000, "no progress");
        if (next == SMTPP_NEXT_NOTHING) break;
        if (next == SMTPP_NEXT_GREETING) {
            smtpp_session_greeting(&s, 220, 0, &v);
            check_verdict(&s, &v);
            log_verdict(d, "greeting", &s, &v);
            if (deep) probe_misuse(&s);
            continue;
        }
        FUZZ_CHECK(next != SMTPP_NEXT_REPLY, "session waits for a reply nobody owes");
        r = fuzz_dup(st.acc, st.have);
        switch (next) {
        case SMTPP_NEXT_PROXY: {
            smtpp_proxy px;
            res = smtpp_session_proxy(&s, st.have ? r : NULL, st.have, &px, &used, &v);
            if (res == SMTPP_DONE) {
                char t[64];
                snprintf(t, sizeof t, "proxy v%u fam %u used %zu\n", px.version, px.family, used);
                dputs(d, t);
                log_verdict(d, "proxy", &s, &v);
            }
            break;
        }
        case SMTPP_NEXT_COMMAND: {
            smtpp_command c;
            res = smtpp_parse_command(&p, st.have ? r : NULL, st.have, &c, &used);
            if (res == SMTPP_DONE) {
                unsigned flags = (st.pos + used < n) ? SMTPP_CHECK_MORE_INPUT : 0;
                int act = smtpp_session_check(&s, &c, flags, &v);
                FUZZ_CHECK(act == v.action, "check returns %d, action %u", act, v.action);
                describe_command(d, &c);
                check_verdict(&s, &v);
                log_verdict(d, "check", &s, &v);
                if (v.action == SMTPP_ACT_DECIDE) {
                    int code = decide(&policy, v.code, (smtpp_verb)c.verb);
                    smtpp_verdict v2;
                    /* out of step: a second check before the reply is reported */
                    smtpp_session_check(&s, &c, 0, &v2);
                    FUZZ_CHECK(v2.id == SMTPP_V_MISUSE, "check before sent: %s",
                               smtpp_verdict_name((smtpp_verdict_id)v2.id));
                    FUZZ_CHECK(smtpp_session_sent(&s, (smtpp_verb)c.verb, code) == 0,
                               "sent(%s, %d) refused", smtpp_verb_name((smtpp_verb)c.verb), code);
                    {
                        char t[64];
                        snprintf(t, sizeof t, "sent %d state=%s\n", code,
                                 smtpp_state_name((smtpp_state)s.state));
                        dputs(d, t);
                    }
                    /* offers() follows the accepted EHLO, so compare after it */
                    if ((c.verb == SMTPP_VERB_EHLO || c.verb == SMTPP_VERB_LHLO) && code == 250 &&
                        deep)
                        check_ehlo(&s);
                    if (c.verb == SMTPP_VERB_DATA && code == 354) {
                        msg_verb = SMTPP_VERB_DATA;
                        msg_start = st.pos + used;
                        bn = 0;
                    }
                } else if (v.action == SMTPP_ACT_BODY) {
                    msg_verb = SMTPP_VERB_BDAT;
                    msg_start = st.pos + used;
                    bdat_size = c.bdat_size;
                    bn = 0;
                }
                if (v.action == SMTPP_ACT_CLOSE) {
                    free(r);
                    consume(&st, used);
                    goto done;
                }
            }
            break;
        }
        case SMTPP_NEXT_MESSAGE: {
            smtpp_str out = { NULL, 0 };
            res = smtpp_session_data(&s, st.have ? r : NULL, st.have, &out, &used);
            FUZZ_CHECK(res == SMTPP_MORE || res == SMTPP_AGAIN || res == SMTPP_DONE, "data %d", res);
            if (out.n) {
                FUZZ_CHECK(out.p, "slice without pointer");
                FUZZ_CHECK(bn + out.n <= n + 16, "more content than input");
                memcpy(body + bn, out.p, out.n);
                bn += out.n;
            }
            if (res == SMTPP_AGAIN) FUZZ_CHECK(used == st.have, "AGAIN left bytes unconsumed");
            if (res == SMTPP_MORE) { /* a slice cut at a stuffed dot: go on */
                consume(&st, used);
                free(r);
                if (used && rc->reset_parser) smtpp_parser_reset(&p);
                continue;
            }
            if (res == SMTPP_DONE) {
                size_t end = st.pos + used;
                int doomed = smtpp_data_doomed(&s.data);
                dputs(d, "message");
                dslice(d, "content", (smtpp_str){ body, bn });
                dnum(d, "doomed", doomed);
                dputs(d, "\n");
                if (msg_verb == SMTPP_VERB_DATA && !doomed && deep) {
                    check_restuff(body, bn, in + msg_start, end - msg_start);
                    FUZZ_CHECK(s.data.size == bn, "size %llu, content %zu",
                               (unsigned long long)s.data.size, bn);
                }
                if (msg_verb == SMTPP_VERB_BDAT)
                    FUZZ_CHECK(bn <= bdat_size && bn <= end - msg_start &&
                               memcmp(body, in + msg_start, bn) == 0,
                               "BDAT chunk content is not the input bytes");
                smtpp_session_data_end(&s, &v);
                check_verdict(&s, &v);
                log_verdict(d, "data_end", &s, &v);
                if (v.action == SMTPP_ACT_DECIDE) {
                    uint32_t i;
                    FUZZ_CHECK(v.count >= 1 && v.count <= 1000, "count %u", v.count);
                    for (i = 0; i < v.count; i++) {
                        int code = decide(&policy, v.code, (smtpp_verb)msg_verb);
                        FUZZ_CHECK(smtpp_session_sent(&s, (smtpp_verb)msg_verb, code) == 0,
                                   "sent after message refused (reply %u of %u)", i, v.count);
                    }
                }
                bn = 0;
            }
            break;
        }
        case SMTPP_NEXT_SASL: {
            smtpp_str resp = { NULL, 0 };
            res = smtpp_session_auth_line(&s, st.have ? r : NULL, st.have, &used, dec, sizeof dec,
                                          &resp, &v);
            if (res == SMTPP_DONE) {
                check_verdict(&s, &v);
                log_verdict(d, "sasl", &s, &v);
                if (v.action == SMTPP_ACT_DECIDE) {
                    /* the line is base64 (or "="): decode it ourselves */
                    const char *lf = memchr(r, '\n', used);
                    size_t ln = lf ? (size_t)(lf - r) : used;
                    char mine[512];
                    long k;
                    if (ln && r[ln - 1] == '\r') ln--;
                    k = smtpp_base64_decode((smtpp_str){ r, ln }, mine, sizeof mine);
                    FUZZ_CHECK(resp.p == dec || resp.n == 0, "response not in dst");
                    FUZZ_CHECK(k == (long)resp.n && memcmp(mine, dec, resp.n) == 0,
                               "SASL response differs from the base64 of its line");
                    dslice(d, "resp", resp);
                    dputs(d, "\n");
                    FUZZ_CHECK(smtpp_session_sent(&s, SMTPP_VERB_AUTH,
                                                  decide(&policy, 235, SMTPP_VERB_AUTH)) == 0,
                               "sent(AUTH) refused");
                }
            }
            break;
        }
        default:
            FUZZ_FAIL("next %d", (int)next);
        }
        free(r);
        consume(&st, used);
        /* bytes eaten by a body, SASL or PROXY reader: the command parser
         * must forget what it knew about the region (command.h) */
        if (used && next != SMTPP_NEXT_COMMAND && rc->reset_parser) smtpp_parser_reset(&p);
        if (res == SMTPP_AGAIN && !more(&st)) break;
    }
done:
    {
        char t[96];
        /* (how much of the tail was read depends on the chunking) */
        snprintf(t, sizeof t, "end state=%s pos=%zu errors=%u\n",
                 smtpp_state_name((smtpp_state)s.state), st.pos, s.errors);
        dputs(d, t);
        FUZZ_CHECK(st.pos + st.have <= n, "consumed past the input");
    }
    free(st.acc);
    free(body);
}

static unsigned scan_flags(unsigned f)
{
    return ((f & 1u) ? SMTPP_DATA_PASS_BARE : 0) | ((f & 8u) ? SMTPP_DATA_NORMALISE_BARE : 0) |
           ((f & 16u) ? SMTPP_DATA_RAW : 0) | ((f & 32u) ? SMTPP_DATA_REFUSE_NUL : 0);
}

/* Scans buf whole with flags; the slices concatenated into out (cap n*2+16).
 * Returns the result; *used: the bytes consumed. */
static int scan_whole(const char *buf, size_t n, unsigned fl, uint64_t max_size, uint32_t max_line,
                      char *out, size_t *on, size_t *used, smtpp_data *sc)
{
    size_t pos = 0;
    int res;
    *on = 0;
    smtpp_data_init(sc, fl, max_size, max_line);
    for (;;) {
        smtpp_str o = { NULL, 0 };
        size_t u = 0;
        res = smtpp_data_parse(sc, buf + pos, n - pos, &o, &u);
        if (o.n) {
            FUZZ_CHECK(*on + o.n <= 2 * n + 16, "scanner output too long");
            memcpy(out + *on, o.p, o.n);
            *on += o.n;
        }
        pos += u;
        if (res != SMTPP_MORE) break;
    }
    *used = pos;
    return res;
}

/* Raw output (session.h): the stuffed content of the same policy without
 * SMTPP_DATA_RAW, with the end mark; read again, the same content. */
static void check_raw(const char *in, size_t n, const smtpp_data *raw_sc, const char *raw,
                      size_t rn)
{
    unsigned fl = raw_sc->flags & ~(unsigned)SMTPP_DATA_RAW;
    char *c = (char *)malloc(2 * n + 16), *st = (char *)malloc(4 * n + 32),
         *c2 = (char *)malloc(2 * rn + 16);
    size_t cn, used, sn = 0, c2n;
    smtpp_data sc;
    smtpp_stuffer stf;
    if (!c || !st || !c2) abort();
    FUZZ_CHECK(scan_whole(in, n, fl, raw_sc->max_size, raw_sc->max_line, c, &cn, &used, &sc) ==
                   SMTPP_DONE && !sc.error && sc.size == raw_sc->size && cn == sc.size,
               "raw and unstuffed scans disagree");
    smtpp_stuff_init(&stf, 0);
    sn = smtpp_stuff(&stf, c, cn, st, 4 * n + 32);
    FUZZ_CHECK(sn <= SMTPP_STUFF_MAX(cn), "stuffer over its bound");
    sn += smtpp_stuff_end(&stf, st + sn, 5);
    FUZZ_CHECK(sn == rn && memcmp(st, raw, rn) == 0, "raw output is not the stuffed content");
    FUZZ_CHECK(scan_whole(raw, rn, fl, 0, 0, c2, &c2n, &used, &sc) == SMTPP_DONE && used == rn &&
                   !sc.error && c2n == cn && memcmp(c2, c, cn) == 0,
               "raw output read again differs");
    free(c);
    free(st);
    free(c2);
}

/* The stand-alone scanner: whole vs chunked, same content. */
static void data_scan(const char *in, size_t n, unsigned flags, uint32_t chunk_max, uint32_t seed,
                      dbuf *d)
{
    smtpp_data sc;
    char *acc = (char *)malloc(n + 1), *content = (char *)malloc(2 * n + 16);
    size_t have = 0, fed = 0, pos = 0, cn = 0;
    int res = SMTPP_AGAIN;
    if (!acc || !content) abort();
    smtpp_data_init(&sc, scan_flags(flags), (flags & 2u) ? 200 : 0, (flags & 4u) ? 80 : 0);
    while (res != SMTPP_DONE && fed < n) {
        size_t chunk = chunk_max ? 1 + fuzz_rand(&seed) % chunk_max : n - fed;
        if (chunk > n - fed) chunk = n - fed;
        memcpy(acc + have, in + fed, chunk);
        have += chunk;
        fed += chunk;
        for (;;) {
            smtpp_str out = { NULL, 0 };
            size_t used = 0;
            char *r = fuzz_dup(acc, have);
            res = smtpp_data_parse(&sc, have ? r : NULL, have, &out, &used);
            FUZZ_CHECK(used <= have, "scanner used %zu of %zu", used, have);
            if (out.n) {
                /* (NORMALISE doubles a bare line end at most; raw adds a
                 * dot per line at most) */
                FUZZ_CHECK(cn + out.n <= 2 * n + 16, "scanner content longer than it may be");
                memcpy(content + cn, out.p, out.n);
                cn += out.n;
            }
            free(r);
            memmove(acc, acc + used, have - used);
            have -= used;
            pos += used;
            if (res != SMTPP_MORE) break;
        }
    }
    dput(d, content, cn);
    {
        char t[128];
        snprintf(t, sizeof t, "\nscan res=%d pos=%zu size=%llu err=%u cr=%u lf=%u nul=%u\n", res,
                 pos, (unsigned long long)sc.size, sc.error, sc.bare_cr, sc.bare_lf, sc.nul);
        dputs(d, t);
    }
    if (!sc.error && res == SMTPP_DONE && !(sc.flags & SMTPP_DATA_RAW))
        FUZZ_CHECK(sc.size == cn, "scanner size %llu, content %zu", (unsigned long long)sc.size, cn);
    if (!sc.error && res == SMTPP_DONE && (sc.flags & SMTPP_DATA_RAW) && !chunk_max)
        check_raw(in, n, &sc, content, cn);
    free(content);
    free(acc);
}

static void one_session(const char *in, size_t n, const run_cfg *rcp, const uint8_t *data,
                        uint32_t chunk_max, uint32_t seed);

static void one_input(const uint8_t *data, size_t size)
{
    run_cfg rc;
    uint32_t chunk_max, seed;
    unsigned ex;

    if (size < HDR) return;
    smtpp_config_init(&rc.cfg, "mx.example.org");
    rc.cfg.flags = data[0] & 0x7fu;
    if (data[0] & 0x80) {
        rc.cfg.max_size = 300;
        rc.cfg.max_text_line = 100;
        rc.cfg.max_rcpts = 3;
        rc.cfg.max_errors = 8;
        rc.cfg.max_junk = 6;
        rc.cfg.auth_line_max = 256;
        rc.cfg.deliverby_min = 60;
        rc.cfg.hold_max = 3600;
        rc.cfg.hold_until_max = "2026-12-31T00:00:00Z";
        rc.cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_DELIVERBY) | SMTPP_EXT_BIT(SMTPP_EXT_FUTURERELEASE) |
                       SMTPP_EXT_BIT(SMTPP_EXT_MT_PRIORITY) | SMTPP_EXT_BIT(SMTPP_EXT_LIMITS);
    }
    ex = data[1];
    if (ex & 1) rc.cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_CHUNKING) | SMTPP_EXT_BIT(SMTPP_EXT_BINARYMIME);
    if (ex & 2) {
        rc.cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_SIZE);
        if (!rc.cfg.max_size) rc.cfg.max_size = 100000;
    }
    if (ex & 4) {
        rc.cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_AUTH);
        rc.cfg.auth_mechs = SMTPP_AUTH_PLAIN | SMTPP_AUTH_LOGIN | SMTPP_AUTH_OTHER;
    }
    if (ex & 8) rc.cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_SMTPUTF8);
    if (ex & 16) rc.cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_DSN);
    if (ex & 32)
        rc.cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_VRFY) | SMTPP_EXT_BIT(SMTPP_EXT_EXPN) |
                       SMTPP_EXT_BIT(SMTPP_EXT_ETRN) | SMTPP_EXT_BIT(SMTPP_EXT_ATRN);
    if (ex & 64) rc.cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_XCLIENT) | SMTPP_EXT_BIT(SMTPP_EXT_XFORWARD);
    if (ex & 128) rc.cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_STARTTLS) | SMTPP_EXT_BIT(SMTPP_EXT_REQUIRETLS);
    rc.pflags = data[2] & 0x7fu;
    rc.reset_parser = !(data[2] & 0x80u);
    chunk_max = (uint32_t)data[3] + 1u;
    seed = (uint32_t)data[4] * 0x01000193u + 1u;
    rc.policy_seed = (uint32_t)data[4] + 77u;
    one_session((const char *)data + HDR, size - HDR, &rc, data, chunk_max, seed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *item;
    size_t n, pos = 0;
    while (fuzz_next_item(data, size, &pos, &item, &n))
        one_input(item, n);
    return 0;
}

/* One client stream: whole vs chunked, then the stand-alone scanner
 * (flags: bit 0 PASS_BARE, 1 size 200, 2 line 80, 3 NORMALISE_BARE, 4 RAW,
 * 5 REFUSE_NUL; bits 4-5 come from byte 4). */
static void one_session(const char *in, size_t n, const run_cfg *rcp, const uint8_t *data,
                        uint32_t chunk_max, uint32_t seed)
{
    run_cfg rc = *rcp;
    dbuf whole = { desc_whole, 0, sizeof desc_whole };
    dbuf split = { desc_split, 0, sizeof desc_split };
    desc_whole[0] = desc_split[0] = 0;
    drive(in, n, &rc, 0, 0, &whole, 1);
    drive(in, n, &rc, chunk_max, seed, &split, 0);
    /* Without smtpp_parser_reset the parser may wait for a line end it
     * believes it has searched for, depending on the chunking: then only
     * memory safety and the per-step invariants are checked. */
    if (rc.reset_parser && strcmp(desc_whole, desc_split) != 0) {
        fprintf(stderr, "whole:\n%s\nchunked (max %u):\n%s\n", desc_whole, (unsigned)chunk_max,
                desc_split);
        FUZZ_FAIL("chunked session differs");
    }
    whole.n = split.n = 0;
    desc_whole[0] = desc_split[0] = 0;
    data_scan(in, n, (data[2] >> 4) | ((data[4] & 3u) << 4), 0, 0, &whole);
    data_scan(in, n, (data[2] >> 4) | ((data[4] & 3u) << 4), chunk_max, seed, &split);
    if (strcmp(desc_whole, desc_split) != 0) {
        fprintf(stderr, "whole:\n%s\nchunked (max %u):\n%s\n", desc_whole, (unsigned)chunk_max,
                desc_split);
        FUZZ_FAIL("chunked DATA scan differs");
    }
}
