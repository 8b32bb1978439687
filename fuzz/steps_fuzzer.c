/* Structure-aware session fuzzing: the input is a configuration and a list
 * of protocol steps, not a byte stream.  The harness serialises the steps
 * into the client's byte stream (with packet boundaries) and the server's
 * answers, and drives the public session API with the loop of
 * tests/transcript.h.  A custom mutator (LLVMFuzzerCustomMutator,
 * LLVMFuzzerCustomCrossOver) inserts, deletes, swaps and duplicates steps
 * and changes their variants, answers, pipelining and split points, so
 * every mutant is again a well-formed session script and campaigns reach
 * the deep states (AUTH exchanges, BDAT after DATA, LMTP, PIPELINING
 * groups, PROXY headers, STARTTLS with buffered input, limits).
 *
 * Input layout (every byte string decodes; trailing bytes are ignored):
 *   byte 0   config flags (bits 0-6, enum smtpp_config_flag: LMTP,
 *            REQUIRE_AUTH, AUTH_NEEDS_TLS, REQUIRE_TLS, PROXY,
 *            SYNC_REPORT_ONLY, PASS_BARE); bit 7: small limits (size 300,
 *            text line 100, 3 recipients, 8 errors, 6 junk commands, AUTH
 *            line 256) and DELIVERBY, FUTURERELEASE, MT-PRIORITY, LIMITS
 *   byte 1   extensions offered (as in session_fuzzer.c): bit 0 CHUNKING
 *            BINARYMIME, 1 SIZE, 2 AUTH (PLAIN LOGIN CRAM-MD5 and others),
 *            3 SMTPUTF8, 4 DSN, 5 VRFY EXPN ETRN ATRN, 6 XCLIENT XFORWARD,
 *            7 STARTTLS REQUIRETLS
 *   byte 2   command parser options (bits 0-6, enum smtpp_option)
 *   byte 3   greeting: bits 0-2: 0-4 220, 5 554, 6 421, 7 220 to an early
 *            talker (SMTPP_CHECK_MORE_INPUT); bit 3: also replay the
 *            stream one octet at a time
 *   byte 4   seed of the extra chunk splits of the chunked run
 *   byte 5   reserved
 *   then     steps of 4 bytes: kind, variant, answers, flags
 *              kind     % K__COUNT (enum kind below)
 *              variant  which text of that kind (see emit())
 *              answers  the server's reply to the DECIDE verdicts the
 *                       step's bytes cause: low nibble for the first,
 *                       high nibble for the later ones (answer_code())
 *              flags    bit 0: pipelined, the next step goes in the same
 *                       packet (no packet boundary after this step);
 *                       bits 1-7: split point inside the step for the
 *                       chunked run
 *
 * Packet boundaries decide SMTPP_CHECK_MORE_INPUT (set when more bytes of
 * the same packet follow a command, as in tests/transcript.h), so the
 * verdicts do not depend on how the stream is cut into reads.  The answer
 * to a DECIDE verdict is taken from the step that holds the last byte of
 * what is decided (command line, message, SASL line), also independent of
 * the cuts.
 *
 * Oracles (besides ASan/UBSan):
 *   - the stream fed whole, in chunks cut at the steps' split points (and
 *     octet by octet when byte 3 bit 3 is set) gives the same transcript;
 *   - every verdict: action in range, REPLY codes equal their table row
 *     (parse errors: the parser's code), a closing REPLY leaves the state
 *     CLOSED, DECIDE/REPLY verdicts format into a reply that parses back
 *     with the same code; smtpp_session_sent() accepts the reply to every
 *     DECIDE;
 *   - transitions of docs/session-state.md: EHLO/HELO/LHLO answered 2xx
 *     -> READY; MAIL 2xx -> MAIL; RCPT 2xx -> RCPT; DATA 354 -> DATA;
 *     QUIT -> 221 and CLOSED; STARTTLS 220 -> CONNECTED with tls set and
 *     HELO and AUTH forgotten; AUTH 235 -> READY, authed; AUTH 334 -> AUTH;
 *   - a DATA message that is not refused: the bytes consumed for it,
 *     unstuffed by an independent model, are its content; a BDAT chunk is
 *     handed back verbatim;
 *   - after the session is closed, every further command line gets
 *     SMTPP_ACT_CLOSE (AFTER_QUIT) and the state stays CLOSED.
 *
 * Coverage table: the (state, input) pairs of docs/session-state.md the
 * inputs reach are counted.  With SMTPP_STEPS_TABLE=1 in the environment
 * the harness prints the table at exit (replay binary or libFuzzer with
 * -runs=0); with SMTPP_STEPS_TABLE=check it also exits with status 1 when
 * a reachable pair was not reached (ctest fuzz_table_steps).
 */
#include "fuzz.h"
#include "describe.h"

#include <smtpp/session.h>

#include <unistd.h>

#define HDR 6
#define REC 4
#define MAX_STEPS 128
#define DESC_CAP (1u << 20)

enum kind {
    K_HELO, K_MAIL, K_RCPT, K_DATA, K_BDAT, K_RSET, K_NOOP, K_QUIT, K_QUERY, K_AUTH, K_SASL,
    K_STARTTLS, K_XCLIENT, K_JUNK, K_PROXY, K_TEXT, K__COUNT
};

/* ---- Serialisation -------------------------------------------------------- */

typedef struct script {
    char *in;              /* the client's stream */
    size_t n, cap;
    unsigned char *pend;   /* pend[i]: a packet ends before byte i */
    size_t nsteps;
    size_t start[MAX_STEPS + 1]; /* step i is in[start[i] .. start[i+1]) */
    uint8_t answers[MAX_STEPS];
    size_t cut[MAX_STEPS]; /* split point of the chunked run */
} script;

static void put(script *sc, const char *s, size_t n)
{
    if (sc->n + n + 1 > sc->cap) {
        size_t cap = (sc->n + n + 1) * 2;
        sc->in = (char *)realloc(sc->in, cap);
        sc->pend = (unsigned char *)realloc(sc->pend, cap + 1);
        if (!sc->in || !sc->pend) abort();
        memset(sc->pend + sc->cap, 0, cap + 1 - sc->cap);
        sc->cap = cap;
    }
    memcpy(sc->in + sc->n, s, n);
    sc->n += n;
}
static void puts_(script *sc, const char *s) { put(sc, s, strlen(s)); }
static void boundary(script *sc) { sc->pend[sc->n] = 1; }
static void fill(script *sc, char c, size_t n)
{
    while (n--) put(sc, &c, 1);
}

static const char *const helo_v[] = {
    "EHLO client.example\r\n", "HELO client.example\r\n", "LHLO client.example\r\n",
    "EHLO [192.0.2.1]\r\n", "EHLO\r\n", "EHLO [IPv6:2001:db8::1]\r\n", "HELO bad..domain\r\n",
    "ehlo client.example\r\n", "LHLO [192.0.2.1]\r\n", "EHLO b\303\274cher.example\r\n",
};
static const char *const mail_v[] = {
    "MAIL FROM:<a@example.org>\r\n", "MAIL FROM:<>\r\n",
    "MAIL FROM:<a@example.org> SIZE=100\r\n", "MAIL FROM:<a@example.org> BODY=8BITMIME\r\n",
    "MAIL FROM:<a@example.org> BODY=BINARYMIME\r\n",
    "MAIL FROM:<j\xc3\xb6rg@example.org> SMTPUTF8\r\n",
    "MAIL FROM:<a@example.org> RET=HDRS ENVID=x+2By\r\n",
    "MAIL FROM:<a@example.org> SIZE=99999999\r\n", "MAIL FROM:a@example.org\r\n",
    "MAIL TO:<a@example.org>\r\n", "MAIL FROM:<a@example.org> REQUIRETLS\r\n",
    "MAIL FROM:<a@example.org> AUTH=<>\r\n", "MAIL FROM:<a@example.org> HOLDFOR=10\r\n",
    "MAIL FROM:<a@example.org> BY=120;R\r\n", "MAIL FROM:<a@example.org> MT-PRIORITY=3\r\n",
    "MAIL FROM:<a@example.org> XFOO=bar\r\n", "MAIL FROM: <a@example.org>\r\n",
};
static const char *const rcpt_v[] = {
    "RCPT TO:<b@example.org>\r\n", "RCPT TO:<postmaster>\r\n",
    "RCPT TO:<b@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@example.org\r\n",
    "RCPT TO:<b@example.org> NOTIFY=NEVER\r\n", "RCPT TO:<>\r\n",
    "RCPT TO:<\xc3\xbc@example.org>\r\n", "RCPT FROM:<b@example.org>\r\n",
    "RCPT TO:<@relay.example:b@example.org>\r\n", "RCPT TO:<c@[192.0.2.9]>\r\n",
};
static const char *const body_v[] = {
    "Subject: x\r\n\r\nhello\r\n.\r\n", "..dot\r\n.\r\n", ".\r\n",
    "a\n.\nMAIL FROM:<x@example.org>\r\n\r\n.\r\n", "a\rb\r\n.\r\n",
    "hi\r\n.\n.\r\n\r\n.\r\n", "8bit \xc3\xa9t\xc3\xa9\r\n.\r\n", "a\r\n\r.\r\n\r\n.\r\n",
    "x\r\n.\r\nRSET\r\n", "\r\n.\r\n",
};
static const char *const query_v[] = {
    "VRFY <a@example.org>\r\n", "EXPN list\r\n", "HELP\r\n", "HELP MAIL\r\n",
    "ETRN example.org\r\n", "ATRN example.org\r\n", "TURN\r\n", "VRFY j\xc3\xb6rg SMTPUTF8\r\n",
    "VRFY\r\n",
};
static const char *const auth_v[] = {
    "AUTH PLAIN\r\n", "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n", "AUTH LOGIN\r\n",
    "AUTH LOGIN YWxpY2U=\r\n", "AUTH PLAIN =\r\n", "AUTH CRAM-MD5\r\n", "AUTH XFOO\r\n",
    "AUTH\r\n", "AUTH PLAIN !!!\r\n",
};
static const char *const sasl_v[] = {
    "YWxpY2U=\r\n", "*\r\n", "=\r\n", "!!bad\r\n", NULL /* long */, "c2VjcmV0\r\n",
    "AGFsaWNlAHNlY3JldA==\r\n", "YQ==\n", "YWxpY2U\r\n",
};
static const char *const junk_v[] = {
    "FOO\r\n", "\r\n", "NOOP\0\r\n", "MAIL FROM:<a@example.org>\n", NULL /* long line */,
    "\xff\xfe\r\n", "rset\r\n", "RSET \r\n", "DATA now\r\n", "BDAT\r\n", "QUIT now\r\n",
    "HELO\r\n", "RCPT TO:<b@example.org> FOO=1\r\n", "STARTTLS x\r\n",
};
static const char *const text_v[] = {
    "line of text\r\n", ".\r\n", "..x\r\n", "\r\n", "x\n", "xx\r", "QUIT\r\n",
};
static const char *const xclient_v[] = {
    "XCLIENT NAME=spike.example ADDR=192.0.2.7\r\n", "XFORWARD NAME=x.example ADDR=192.0.2.8\r\n",
    "XCLIENT BAD\r\n",
};
#define NV(a) (sizeof(a) / sizeof(a)[0])

static void put_v(script *sc, const char *const *tab, size_t n, unsigned v)
{
    const char *s = tab[v % n];
    if (tab == junk_v && v % n == 2) { put(sc, s, 7); return; }
    if (s) { puts_(sc, s); return; }
    if (tab == sasl_v) { fill(sc, 'Q', 300); puts_(sc, "\r\n"); return; }
    puts_(sc, "NOOP "); fill(sc, 'x', 1100); puts_(sc, "\r\n"); /* junk: over 512 */
}

static void put_proxy(script *sc, unsigned v)
{
    static const char sig[12] = { '\r', '\n', '\r', '\n', 0, '\r', '\n', 'Q', 'U', 'I', 'T', '\n' };
    switch (v % 8) {
    case 0: puts_(sc, "PROXY TCP4 192.0.2.1 198.51.100.2 12345 25\r\n"); break;
    case 1: puts_(sc, "PROXY TCP6 2001:db8::1 2001:db8::2 1 2\r\n"); break;
    case 2: puts_(sc, "PROXY UNKNOWN\r\n"); break;
    case 3: { /* v2 LOCAL */
        static const char h[4] = { 0x20, 0x00, 0, 0 };
        put(sc, sig, 12); put(sc, h, 4); break;
    }
    case 4: { /* v2 PROXY TCP4 */
        static const char h[4 + 12] = { 0x21, 0x11, 0, 12, (char)192, 0, 2, 1, (char)198, 51, 100, 2,
                                        0x30, 0x39, 0, 25 };
        put(sc, sig, 12); put(sc, h, sizeof h); break;
    }
    case 5: puts_(sc, "PROXY TCP4 999.1.1.1 1.2.3.4 1 2\r\n"); break;
    case 6: { /* v2 PROXY TCP4 with a NOOP TLV */
        static const char h[4 + 12 + 4] = { 0x21, 0x11, 0, 16, 10, 0, 0, 1, 10, 0, 0, 2,
                                            0, 1, 0, 2, 0x04, 0, 1, 'x' };
        put(sc, sig, 12); put(sc, h, sizeof h); break;
    }
    default: puts_(sc, "PROXY TCP4 192.0.2.1\r\n"); break;
    }
}

/* Appends the bytes of one step; packet boundaries inside it are marked. */
static void emit(script *sc, unsigned kind, unsigned v)
{
    char t[96];
    switch (kind) {
    case K_HELO: put_v(sc, helo_v, NV(helo_v), v); break;
    case K_MAIL: put_v(sc, mail_v, NV(mail_v), v); break;
    case K_RCPT: put_v(sc, rcpt_v, NV(rcpt_v), v); break;
    case K_DATA:
        /* bit 7: the body goes in the same packet as DATA (sent before 354) */
        puts_(sc, "DATA\r\n");
        if (!(v & 0x80)) boundary(sc);
        switch ((v & 0x7f) % (NV(body_v) + 3)) {
        case NV(body_v): /* a long text line */
            fill(sc, 'l', 150); puts_(sc, "\r\n.\r\n"); break;
        case NV(body_v) + 1: /* over the small size limit */
            { int i; for (i = 0; i < 10; i++) puts_(sc, "0123456789012345678901234567890123456789\r\n"); }
            puts_(sc, ".\r\n"); break;
        case NV(body_v) + 2: /* no end: the rest of the script is message text */
            puts_(sc, "unterminated\r\n"); break;
        default: put_v(sc, body_v, NV(body_v), (v & 0x7f)); break;
        }
        break;
    case K_BDAT: {
        static const unsigned sizes[] = { 0, 1, 5, 17, 400 };
        unsigned sz = sizes[(v >> 1) % 6 < 5 ? (v >> 1) % 6 : 0];
        unsigned i;
        if ((v >> 1) % 6 == 5) { puts_(sc, "BDAT x\r\nabc"); break; }
        snprintf(t, sizeof t, "BDAT %u%s\r\n", sz, (v & 1) ? " LAST" : "");
        puts_(sc, t);
        /* the chunk: text with an end-of-data mark and a command inside */
        for (i = 0; i < sz; i++) put(sc, &"ab\r\n.\r\nQUIT\r\n"[i % 13], 1);
        break;
    }
    case K_RSET: puts_(sc, v & 1 ? "RSET x\r\n" : "RSET\r\n"); break;
    case K_NOOP: puts_(sc, v & 1 ? "NOOP hello\r\n" : "NOOP\r\n"); break;
    case K_QUIT: puts_(sc, "QUIT\r\n"); break;
    case K_QUERY: put_v(sc, query_v, NV(query_v), v); break;
    case K_AUTH: put_v(sc, auth_v, NV(auth_v), v); break;
    case K_SASL: put_v(sc, sasl_v, NV(sasl_v), v); break;
    case K_STARTTLS:
        puts_(sc, "STARTTLS\r\n");
        if (v & 1) puts_(sc, "EHLO injected.example\r\n"); /* buffered after it */
        break;
    case K_XCLIENT: put_v(sc, xclient_v, NV(xclient_v), v); break;
    case K_JUNK: put_v(sc, junk_v, NV(junk_v), v); break;
    case K_PROXY: put_proxy(sc, v); break;
    default: put_v(sc, text_v, NV(text_v), v); break;
    }
}

static void build(script *sc, const uint8_t *data, size_t size)
{
    size_t i;
    memset(sc, 0, sizeof *sc);
    put(sc, "", 0);
    sc->nsteps = size > HDR ? (size - HDR) / REC : 0;
    if (sc->nsteps > MAX_STEPS) sc->nsteps = MAX_STEPS;
    for (i = 0; i < sc->nsteps; i++) {
        const uint8_t *r = data + HDR + i * REC;
        size_t len;
        sc->start[i] = sc->n;
        emit(sc, r[0] % K__COUNT, r[1]);
        if (!(r[3] & 1)) boundary(sc);
        sc->answers[i] = r[2];
        len = sc->n - sc->start[i];
        sc->cut[i] = sc->start[i] + (r[3] >> 1) % (len + 1);
    }
    sc->start[sc->nsteps] = sc->n;
}

/* ---- The server's answers --------------------------------------------------- */

static int answer_code(unsigned nib, int proposed)
{
    static const int codes[16] = { 0, 0, 0, 0, 0, 250, 334, 235, 354, 220, 451, 452, 550, 554, 535, 421 };
    return codes[nib & 15] ? codes[nib & 15] : proposed;
}

typedef struct answers {
    const script *sc;
    unsigned used[MAX_STEPS];
} answers;

/* The answer for a DECIDE caused by the byte at stream offset `at`. */
static int pick(answers *a, size_t at, int proposed)
{
    size_t lo = 0, hi = a->sc->nsteps;
    unsigned u;
    if (!hi) return proposed;
    while (hi - lo > 1) { /* the step holding `at` */
        size_t mid = (lo + hi) / 2;
        if (a->sc->start[mid] <= at) lo = mid;
        else hi = mid;
    }
    u = a->used[lo]++;
    return answer_code(u == 0 ? a->sc->answers[lo] & 15 : a->sc->answers[lo] >> 4, proposed);
}

/* ---- The (state, input) table ------------------------------------------------ */

enum { COL_UNKNOWN = SMTPP_VERB__COUNT, COL_BADLINE, COL_PROXY, COL_GREETING, COL_MESSAGE,
       COL_SASL, NCOL };
#define NSTATE (SMTPP_ST_CLOSED + 1)
static unsigned long long tab[NSTATE][NCOL];
/* The same pairs as libFuzzer features: a section of this name is read as
 * extra coverage counters, so a campaign is rewarded for a new pair and
 * -merge / scripts/fuzz.sh --minimize keep an input for every pair even
 * when two pairs run the same library code (CLOSED x TURN and CLOSED x
 * ETRN).  An ordinary array in the replay build. */
__attribute__((section("__libfuzzer_extra_counters"), used)) uint8_t steps_pair_counters[NSTATE * NCOL];
static int table_mode; /* 0 off, 1 print, 2 print and check */

/* Known, not yet fixed library issues (SMTPP_FUZZ_TOLERATE_KNOWN=1 steps
 * over them; see fuzz/README.md): none at present.  (The last, a NULL
 * buffer of length 0 given to smtpp_data_parse(), is fixed; the loop below
 * passes NULL for an empty region, as tests/transcript.h does.) */
static int tolerate_known;

static int command_state(int st)
{
    return st == SMTPP_ST_REFUSED || st == SMTPP_ST_CONNECTED || st == SMTPP_ST_READY ||
           st == SMTPP_ST_MAIL || st == SMTPP_ST_RCPT || st == SMTPP_ST_CHUNKING ||
           st == SMTPP_ST_CLOSED;
}

/* Why a pair cannot occur, or NULL when it can. */
static const char *impossible(int st, int col)
{
    if (col < COL_PROXY) {
        if (command_state(st)) return NULL;
        return "a"; /* smtpp_session_next() hands the bytes to another reader */
    }
    if (col == COL_PROXY) return st == SMTPP_ST_PROXY ? NULL : "b";
    if (col == COL_GREETING) return st == SMTPP_ST_GREETING ? NULL : "b";
    if (col == COL_MESSAGE) return st == SMTPP_ST_DATA || st == SMTPP_ST_BDAT ? NULL : "b";
    return st == SMTPP_ST_AUTH ? NULL : "b";
}

static const char *col_name(int c)
{
    static const char *const extra[] = { "unknown", "bad line", "PROXY hdr", "greeting",
                                         "message", "SASL line" };
    if (c < SMTPP_VERB__COUNT) return smtpp_verb_name((smtpp_verb)c);
    return extra[c - SMTPP_VERB__COUNT];
}

static void print_table(void)
{
    int st, c, missing = 0;
    char cell[32];
    printf("| state |");
    for (c = 1; c < NCOL; c++) printf(" %s |", col_name(c));
    printf("\n|---|");
    for (c = 1; c < NCOL; c++) printf("---:|");
    printf("\n");
    for (st = 0; st < NSTATE; st++) {
        printf("| %s |", smtpp_state_name((smtpp_state)st) + 9);
        for (c = 1; c < NCOL; c++) {
            const char *why = impossible(st, c);
            if (why) snprintf(cell, sizeof cell, "—%s", why);
            else snprintf(cell, sizeof cell, "%llu", tab[st][c]);
            if (!why && !tab[st][c]) missing++;
            printf(" %s |", cell);
        }
        printf("\n");
    }
    printf("\n—a: not a command state: smtpp_session_next() hands these bytes to another reader"
           " (PROXY header, greeting, message, SASL line).\n"
           "—b: this input is read only in its own state.\n"
           "(The unknown-verb column is a line the parser refused without knowing the verb;"
           " \"bad line\" is a line with a known verb that the parser refused; verb columns count"
           " well-formed lines.)\n");
    printf("reachable pairs not reached: %d\n", missing);
    fflush(stdout);
    if (missing && table_mode == 2) _exit(1);
}

static void note(int st, int col, int whole)
{
    if (st >= NSTATE) return;
    if (steps_pair_counters[st * NCOL + col] < 255) steps_pair_counters[st * NCOL + col]++;
    if (whole) tab[st][col]++;
}

static int cmd_col(const smtpp_command *c)
{
    if (!c->error) return c->verb;
    return c->verb == SMTPP_VERB_UNKNOWN ? COL_UNKNOWN : COL_BADLINE;
}

/* ---- Oracles ------------------------------------------------------------------ */

static void check_verdict(const smtpp_session *s, const smtpp_verdict *v)
{
    char buf[1024];
    long len;
    FUZZ_CHECK(v->action >= SMTPP_ACT_REPLY && v->action <= SMTPP_ACT_CLOSE, "action %u", v->action);
    FUZZ_CHECK(v->id < SMTPP_V__COUNT, "verdict %u", v->id);
    FUZZ_CHECK(s->state <= SMTPP_ST_CLOSED, "state %u", s->state);
    if (v->parse_error) {
        if (v->id != SMTPP_V_BDAT_SYNTAX)
            FUZZ_CHECK(v->code == smtpp_error_code((smtpp_error)v->parse_error), "parse error code");
    } else if (v->action == SMTPP_ACT_REPLY && v->id != SMTPP_V_GREETING) {
        /* (the greeting carries the code the server chose) */
        FUZZ_CHECK(v->code == smtpp_verdict_code((smtpp_verdict_id)v->id), "verdict %s: code %u, table %d",
                   smtpp_verdict_name((smtpp_verdict_id)v->id), v->code,
                   smtpp_verdict_code((smtpp_verdict_id)v->id));
    }
    if (v->close && v->action == SMTPP_ACT_REPLY)
        FUZZ_CHECK(s->state == SMTPP_ST_CLOSED, "closing verdict %s, state %s",
                   smtpp_verdict_name((smtpp_verdict_id)v->id), smtpp_state_name((smtpp_state)s->state));
    if ((v->action == SMTPP_ACT_REPLY || v->action == SMTPP_ACT_DECIDE) && v->code) {
        smtpp_reply_parser p;
        smtpp_reply r;
        size_t used = 0;
        len = smtpp_session_format(s, v, buf, sizeof buf);
        FUZZ_CHECK(len > 0 && (size_t)len <= sizeof buf, "verdict %s does not format: %ld",
                   smtpp_verdict_name((smtpp_verdict_id)v->id), len);
        smtpp_reply_parser_init(&p, 0);
        FUZZ_CHECK(smtpp_parse_reply(&p, buf, (size_t)len, &r, &used) == SMTPP_DONE && r.error == 0 &&
                   used == (size_t)len && r.code == v->code,
                   "formatted verdict does not parse back:\n%.*s", (int)len, buf);
    }
}

/* The transitions docs/session-state.md states for a reply to a DECIDE. */
static void check_transition(const smtpp_session *s, int verb, int code, int before)
{
    int ok = code >= 200 && code < 300, st = s->state;
    const char *vn = smtpp_verb_name((smtpp_verb)verb);
    if (code == 421 || code == 221) {
        FUZZ_CHECK(st == SMTPP_ST_CLOSED, "%s answered %d: state %s", vn, code, smtpp_state_name((smtpp_state)st));
        return;
    }
    switch (verb) {
    case SMTPP_VERB_HELO: case SMTPP_VERB_EHLO: case SMTPP_VERB_LHLO:
        if (ok) FUZZ_CHECK(st == SMTPP_ST_READY && s->helo == verb, "%s 2xx: state %s", vn,
                           smtpp_state_name((smtpp_state)st));
        break;
    case SMTPP_VERB_MAIL:
        FUZZ_CHECK(st == (ok ? SMTPP_ST_MAIL : before), "MAIL %d: %s -> %s", code,
                   smtpp_state_name((smtpp_state)before), smtpp_state_name((smtpp_state)st));
        break;
    case SMTPP_VERB_RCPT:
        FUZZ_CHECK(st == (ok ? SMTPP_ST_RCPT : before), "RCPT %d: %s -> %s", code,
                   smtpp_state_name((smtpp_state)before), smtpp_state_name((smtpp_state)st));
        break;
    case SMTPP_VERB_STARTTLS:
        if (code == 220)
            FUZZ_CHECK(st == SMTPP_ST_CONNECTED && s->tls && !s->helo && !s->authed,
                       "STARTTLS 220: state %s tls %u helo %u authed %u",
                       smtpp_state_name((smtpp_state)st), s->tls, s->helo, s->authed);
        break;
    case SMTPP_VERB_XCLIENT:
        if (code == 220)
            FUZZ_CHECK(st == SMTPP_ST_CONNECTED && !s->helo && !s->authed, "XCLIENT 220: state %s",
                       smtpp_state_name((smtpp_state)st));
        break;
    default:
        break;
    }
}

/* The bytes consumed for a message that is not refused, unstuffed by an
 * independent model (RFC 5321 4.5.2: the end mark is ".CRLF" at a line
 * start; any other line starting with "." loses that dot), equal the
 * content handed back.  (Re-stuffing the content is not the inverse: the
 * client may stuff a line that did not need it, ".x".) */
static void check_unstuff(const char *body, size_t bn, const char *raw, size_t rn)
{
    char *o = (char *)malloc(rn + 1);
    size_t i, k = 0;
    if (!o) abort();
    FUZZ_CHECK(rn >= 3 && memcmp(raw + rn - 3, ".\r\n", 3) == 0 &&
                   (rn == 3 || (rn >= 5 && raw[rn - 5] == '\r' && raw[rn - 4] == '\n')),
               "message does not end with the end-of-data mark");
    for (i = 0; i + 3 < rn; i++) {
        if (raw[i] == '.' && (i == 0 || (i >= 2 && raw[i - 1] == '\n' && raw[i - 2] == '\r'))) continue;
        o[k++] = raw[i];
    }
    if (k != bn || memcmp(o, body, k) != 0) {
        char t[2 * 4096];
        dbuf d = { t, 0, sizeof t };
        dslice(&d, "unstuffed", (smtpp_str){ o, k });
        dslice(&d, "\ncontent", (smtpp_str){ body, bn });
        fprintf(stderr, "%s\n", t);
    }
    FUZZ_CHECK(k == bn && memcmp(o, body, k) == 0,
               "the consumed bytes unstuffed (%zu) differ from the content (%zu)", k, bn);
    free(o);
}

/* ---- The driver (tests/transcript.h's loop) ------------------------------------- */

typedef struct run_cfg {
    smtpp_config cfg;
    unsigned pflags;
    int greet_code;
    unsigned greet_flags;
} run_cfg;

static void logv(dbuf *d, const char *what, const smtpp_session *s, const smtpp_verdict *v)
{
    char t[160];
    snprintf(t, sizeof t, "%s act=%u %s code=%u count=%u close=%u state=%s\n", what, v->action,
             smtpp_verdict_name((smtpp_verdict_id)v->id), v->code, v->count, v->close,
             smtpp_state_name((smtpp_state)s->state));
    dputs(d, t);
}

/* Answers a DECIDE verdict: every reply is reported with sent(). */
static void answer(smtpp_session *s, answers *a, size_t at, int verb, const smtpp_verdict *v, dbuf *d)
{
    uint32_t i;
    char t[64];
    FUZZ_CHECK(v->count >= 1 && v->count <= 1000, "count %u", v->count);
    for (i = 0; i < v->count; i++) {
        int before = s->state, code = pick(a, at, v->code);
        FUZZ_CHECK(smtpp_session_sent(s, (smtpp_verb)verb, code) == 0, "sent(%s, %d) refused (reply %u of %u)",
                   smtpp_verb_name((smtpp_verb)verb), code, i, v->count);
        if (v->count == 1) check_transition(s, verb, code, before);
        snprintf(t, sizeof t, " sent %d -> %s\n", code, smtpp_state_name((smtpp_state)s->state));
        dputs(d, t);
        if (s->state == SMTPP_ST_CLOSED) break;
    }
}

/* Runs the script with the stream delivered in chunks ending at cuts[]
 * (ascending; none: whole).  whole: count the table. */
static void drive(const script *sc, const run_cfg *rc, const size_t *cuts, size_t ncuts, dbuf *d,
                  int whole)
{
    smtpp_session s;
    smtpp_parser p;
    smtpp_verdict v;
    answers ans;
    const char *in = sc->in;
    size_t n = sc->n;
    char *acc = (char *)malloc(n + 1), *body = (char *)malloc(n + 16), sasl[512];
    size_t have = 0, base = 0, k, prev = 0, bn = 0, msg_start = 0;
    int closed = 0, other = 0, msg_verb = 0, steps = 0;
    uint64_t bdat_size = 0;

    if (!acc || !body) abort();
    memset(&ans, 0, sizeof ans);
    ans.sc = sc;
    smtpp_session_init(&s, &rc->cfg);
    smtpp_parser_init(&p, rc->pflags);

    for (k = 0; k <= ncuts && !closed; k++) {
        size_t end = k < ncuts ? cuts[k] : n;
        if (end < prev) end = prev;
        memcpy(acc + have, in + prev, end - prev);
        have += end - prev;
        prev = end;
        while (!closed) {
            char *rg = fuzz_dup(acc, have);
            const char *r = have ? rg : NULL;
            size_t used = 0;
            int res = SMTPP_AGAIN, st = s.state;
            smtpp_next nx = smtpp_session_next(&s);
            FUZZ_CHECK(++steps < 1000000, "no progress");
            switch (nx) {
            case SMTPP_NEXT_PROXY: {
                smtpp_proxy px;
                other = 1;
                res = smtpp_session_proxy(&s, r, have, &px, &used, &v);
                if (res == SMTPP_DONE) {
                    note(st, COL_PROXY, whole);
                    logv(d, "proxy", &s, &v);
                    if (v.action == SMTPP_ACT_CLOSE) {
                        FUZZ_CHECK(s.state == SMTPP_ST_CLOSED, "bad PROXY header, state %s",
                                   smtpp_state_name((smtpp_state)s.state));
                        closed = 1;
                    } else {
                        FUZZ_CHECK(s.state == SMTPP_ST_GREETING && used > 0, "PROXY header read, state %s",
                                   smtpp_state_name((smtpp_state)s.state));
                    }
                }
                break;
            }
            case SMTPP_NEXT_GREETING:
                smtpp_session_greeting(&s, rc->greet_code, rc->greet_flags, &v);
                note(st, COL_GREETING, whole);
                check_verdict(&s, &v);
                if (v.id == SMTPP_V_GREETING)
                    FUZZ_CHECK(v.code == rc->greet_code, "greeting %d answered %u", rc->greet_code, v.code);
                logv(d, "greeting", &s, &v);
                closed = s.state == SMTPP_ST_CLOSED;
                res = SMTPP_DONE;
                break;
            case SMTPP_NEXT_COMMAND: {
                smtpp_command cmd;
                if (other) smtpp_parser_reset(&p);
                other = 0;
                res = smtpp_parse_command(&p, r, have, &cmd, &used);
                if (res == SMTPP_DONE) {
                    size_t at = base + used;
                    unsigned fl = (at < n && !sc->pend[at]) ? SMTPP_CHECK_MORE_INPUT : 0;
                    int act = smtpp_session_check(&s, &cmd, fl, &v);
                    note(st, cmd_col(&cmd), whole);
                    FUZZ_CHECK(act == v.action, "check returns %d, action %u", act, v.action);
                    describe_command(d, &cmd);
                    check_verdict(&s, &v);
                    logv(d, "check", &s, &v);
                    if (cmd.verb == SMTPP_VERB_QUIT && !cmd.error && v.action == SMTPP_ACT_REPLY)
                        FUZZ_CHECK(v.code == 221 && s.state == SMTPP_ST_CLOSED, "QUIT: %u, state %s",
                                   v.code, smtpp_state_name((smtpp_state)s.state));
                    if (v.action == SMTPP_ACT_DECIDE) {
                        answer(&s, &ans, at - 1, cmd.verb, &v, d);
                        if (cmd.verb == SMTPP_VERB_DATA && s.state == SMTPP_ST_DATA) {
                            msg_verb = SMTPP_VERB_DATA;
                            msg_start = at;
                            bn = 0;
                        }
                    } else if (v.action == SMTPP_ACT_BODY) {
                        msg_verb = SMTPP_VERB_BDAT;
                        msg_start = at;
                        bdat_size = cmd.bdat_size;
                        bn = 0;
                    }
                    closed = s.state == SMTPP_ST_CLOSED || v.action == SMTPP_ACT_CLOSE;
                }
                break;
            }
            case SMTPP_NEXT_MESSAGE: {
                smtpp_str sl = { NULL, 0 };
                other = 1;
                res = smtpp_session_data(&s, r, have, &sl, &used);
                FUZZ_CHECK(res == SMTPP_MORE || res == SMTPP_AGAIN || res == SMTPP_DONE, "data %d", res);
                FUZZ_CHECK(used <= have, "data used %zu of %zu", used, have);
                if (sl.n) {
                    FUZZ_CHECK(bn + sl.n <= n + 16, "more content than input");
                    memcpy(body + bn, sl.p, sl.n);
                    bn += sl.n;
                }
                if (res == SMTPP_MORE) res = SMTPP_DONE; /* go on at once */
                else if (res == SMTPP_DONE) {
                    size_t at = base + used;
                    int doomed = smtpp_data_doomed(&s.data);
                    note(st, COL_MESSAGE, whole);
                    dputs(d, "message");
                    dslice(d, "content", (smtpp_str){ body, bn });
                    dnum(d, "doomed", doomed);
                    dputs(d, "\n");
                    if (msg_verb == SMTPP_VERB_DATA && !doomed)
                        check_unstuff(body, bn, in + msg_start, at - msg_start);
                    if (msg_verb == SMTPP_VERB_BDAT)
                        FUZZ_CHECK(bn <= bdat_size && bn <= at - msg_start &&
                                   memcmp(body, in + msg_start, bn) == 0,
                                   "BDAT chunk content is not the input bytes");
                    bn = 0;
                    smtpp_session_data_end(&s, &v);
                    check_verdict(&s, &v);
                    logv(d, "data_end", &s, &v);
                    if (v.action == SMTPP_ACT_DECIDE)
                        answer(&s, &ans, at ? at - 1 : 0, msg_verb, &v, d);
                    closed = s.state == SMTPP_ST_CLOSED;
                }
                break;
            }
            case SMTPP_NEXT_SASL: {
                smtpp_str resp = { NULL, 0 };
                other = 1;
                res = smtpp_session_auth_line(&s, r, have, &used, sasl, sizeof sasl, &resp, &v);
                FUZZ_CHECK(used <= have, "SASL used %zu of %zu", used, have);
                if (res == SMTPP_DONE) {
                    note(st, COL_SASL, whole);
                    check_verdict(&s, &v);
                    logv(d, "sasl", &s, &v);
                    if (v.action == SMTPP_ACT_DECIDE) {
                        dslice(d, "resp", resp);
                        dputs(d, "\n");
                        answer(&s, &ans, base + used - 1, SMTPP_VERB_AUTH, &v, d);
                    } else {
                        FUZZ_CHECK(s.state == SMTPP_ST_READY || s.state == SMTPP_ST_CLOSED,
                                   "SASL line refused, state %s", smtpp_state_name((smtpp_state)s.state));
                    }
                    closed = s.state == SMTPP_ST_CLOSED;
                }
                break;
            }
            case SMTPP_NEXT_REPLY:
                FUZZ_FAIL("the session waits for a reply nobody owes");
                break;
            default:
                closed = 1;
                break;
            }
            free(rg);
            memmove(acc, acc + used, have - used);
            have -= used;
            base += used;
            if (res == SMTPP_AGAIN) break;
        }
    }
    /* After the close: whatever else the client sent gets ACT_CLOSE.  (The
     * rest of the stream, whole, so this does not depend on the cuts.) */
    if (closed && s.state == SMTPP_ST_CLOSED) {
        size_t pos = base, left;
        int i;
        smtpp_parser_reset(&p);
        for (i = 0; i < 4 && pos < n; i++) {
            smtpp_command cmd;
            size_t used = 0;
            char *rg;
            left = n - pos;
            rg = fuzz_dup(in + pos, left);
            if (smtpp_parse_command(&p, rg, left, &cmd, &used) != SMTPP_DONE) { free(rg); break; }
            smtpp_session_check(&s, &cmd, 0, &v);
            note(SMTPP_ST_CLOSED, cmd_col(&cmd), whole);
            FUZZ_CHECK(v.action == SMTPP_ACT_CLOSE && v.id == SMTPP_V_AFTER_QUIT &&
                           s.state == SMTPP_ST_CLOSED,
                       "command after the close: %s, state %s", smtpp_verdict_name((smtpp_verdict_id)v.id),
                       smtpp_state_name((smtpp_state)s.state));
            free(rg);
            pos += used;
        }
    }
    {
        char t[96];
        snprintf(t, sizeof t, "end state=%s errors=%u\n", smtpp_state_name((smtpp_state)s.state), s.errors);
        dputs(d, t);
    }
    free(acc);
    free(body);
}

static char desc_whole[DESC_CAP], desc_split[DESC_CAP];

static void config_of(const uint8_t *h, run_cfg *rc)
{
    unsigned ex = h[1], g = h[3] & 7;
    smtpp_config_init(&rc->cfg, "mx.example.org");
    rc->cfg.flags = h[0] & 0x7fu;
    if (h[0] & 0x80) {
        rc->cfg.max_size = 300;
        rc->cfg.max_text_line = 100;
        rc->cfg.max_rcpts = 3;
        rc->cfg.max_errors = 8;
        rc->cfg.max_junk = 6;
        rc->cfg.auth_line_max = 256;
        rc->cfg.deliverby_min = 60;
        rc->cfg.hold_max = 3600;
        rc->cfg.hold_until_max = "2026-12-31T00:00:00Z";
        rc->cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_DELIVERBY) | SMTPP_EXT_BIT(SMTPP_EXT_FUTURERELEASE) |
                        SMTPP_EXT_BIT(SMTPP_EXT_MT_PRIORITY) | SMTPP_EXT_BIT(SMTPP_EXT_LIMITS);
    }
    if (ex & 1) rc->cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_CHUNKING) | SMTPP_EXT_BIT(SMTPP_EXT_BINARYMIME);
    if (ex & 2) {
        rc->cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_SIZE);
        if (!rc->cfg.max_size) rc->cfg.max_size = 100000;
    }
    if (ex & 4) {
        rc->cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_AUTH);
        rc->cfg.auth_mechs = SMTPP_AUTH_PLAIN | SMTPP_AUTH_LOGIN | SMTPP_AUTH_CRAM_MD5 | SMTPP_AUTH_OTHER;
    }
    if (ex & 8) rc->cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_SMTPUTF8);
    if (ex & 16) rc->cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_DSN);
    if (ex & 32)
        rc->cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_VRFY) | SMTPP_EXT_BIT(SMTPP_EXT_EXPN) |
                        SMTPP_EXT_BIT(SMTPP_EXT_ETRN) | SMTPP_EXT_BIT(SMTPP_EXT_ATRN);
    if (ex & 64) rc->cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_XCLIENT) | SMTPP_EXT_BIT(SMTPP_EXT_XFORWARD);
    if (ex & 128) rc->cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_STARTTLS) | SMTPP_EXT_BIT(SMTPP_EXT_REQUIRETLS);
    rc->pflags = h[2] & 0x7fu;
    rc->greet_code = g == 5 ? 554 : g == 6 ? 421 : 220;
    rc->greet_flags = g == 7 ? SMTPP_CHECK_MORE_INPUT : 0;
}

static void table_init(void)
{
    static int done;
    const char *e;
    if (done) return;
    done = 1;
    e = getenv("SMTPP_FUZZ_TOLERATE_KNOWN");
    tolerate_known = e && *e && strcmp(e, "0") != 0;
    e = getenv("SMTPP_STEPS_TABLE");
    if (e && *e) {
        table_mode = strcmp(e, "check") == 0 ? 2 : 1;
        atexit(print_table);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static script sc;
    run_cfg rc;
    dbuf whole = { desc_whole, 0, sizeof desc_whole };
    dbuf split = { desc_split, 0, sizeof desc_split };
    size_t cuts[2 * MAX_STEPS + 2], ncuts = 0, i; /* up to two a step */
    uint32_t seed;

    table_init();
    if (size < HDR) return 0;
    config_of(data, &rc);
    build(&sc, data, size);
    desc_whole[0] = desc_split[0] = 0;
    drive(&sc, &rc, NULL, 0, &whole, 1);

    /* cut at each step's split point, plus a few seeded ones */
    seed = data[4] * 2654435761u + 1u;
    for (i = 0; i < sc.nsteps; i++) {
        if (sc.cut[i] > (ncuts ? cuts[ncuts - 1] : 0) && sc.cut[i] < sc.n) cuts[ncuts++] = sc.cut[i];
        if (sc.n && (fuzz_rand(&seed) & 3) == 0) {
            size_t c = sc.start[i] + fuzz_rand(&seed) % (sc.start[i + 1] - sc.start[i] + 1);
            if (c > (ncuts ? cuts[ncuts - 1] : 0) && c < sc.n) cuts[ncuts++] = c;
        }
    }
    drive(&sc, &rc, cuts, ncuts, &split, 0);
    if (strcmp(desc_whole, desc_split) != 0) {
        fprintf(stderr, "whole:\n%s\nchunked:\n%s\n", desc_whole, desc_split);
        FUZZ_FAIL("chunked session differs");
    }
    if ((data[3] & 8) && sc.n > 1 && sc.n <= 2048) {
        size_t *all = (size_t *)malloc(sc.n * sizeof *all);
        if (!all) abort();
        for (i = 1; i < sc.n; i++) all[i - 1] = i;
        split.n = 0;
        desc_split[0] = 0;
        drive(&sc, &rc, all, sc.n - 1, &split, 0);
        free(all);
        if (strcmp(desc_whole, desc_split) != 0) {
            fprintf(stderr, "whole:\n%s\noctet by octet:\n%s\n", desc_whole, desc_split);
            FUZZ_FAIL("session fed octet by octet differs");
        }
    }
    free(sc.in);
    free(sc.pend);
    sc.in = NULL;
    sc.pend = NULL;
    return 0;
}

/* ---- Structure-aware mutation ------------------------------------------------------ */

/* Provided by libFuzzer; absent (NULL) in the replay build. */
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size) __attribute__((weak));
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *d1, size_t s1, const uint8_t *d2, size_t s2,
                                 uint8_t *out, size_t max_out, unsigned int seed);

static void random_step(uint8_t *r, uint32_t *rs)
{
    r[0] = (uint8_t)(fuzz_rand(rs) % K__COUNT);
    r[1] = (uint8_t)fuzz_rand(rs);
    /* mostly the proposed answer */
    r[2] = (uint8_t)((fuzz_rand(rs) & 3) ? 0 : fuzz_rand(rs));
    r[3] = (uint8_t)(fuzz_rand(rs) & ~1u) | ((fuzz_rand(rs) % 5) == 0);
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    uint32_t rs = seed ? seed : 1;
    size_t cap = max_size < HDR + MAX_STEPS * REC ? max_size : HDR + MAX_STEPS * REC;
    size_t n, maxn, i, j, ops, o;
    uint8_t tmp[REC];
    if (cap < HDR + REC) return size;
    if (size < HDR) {
        for (i = 0; i < HDR; i++) data[i] = (uint8_t)fuzz_rand(&rs);
        data[3] &= 0xf0; /* greeting 220 */
        size = HDR;
    }
    size = HDR + (size - HDR) / REC * REC;
    if (size > cap) size = HDR + (cap - HDR) / REC * REC;
    maxn = (cap - HDR) / REC;
    ops = 1 + fuzz_rand(&rs) % 3;
    for (o = 0; o < ops; o++) {
        n = (size - HDR) / REC;
        switch (fuzz_rand(&rs) % 12) {
        case 0: case 1: /* insert a step */
            if (n >= maxn) break;
            i = fuzz_rand(&rs) % (n + 1);
            memmove(data + HDR + (i + 1) * REC, data + HDR + i * REC, (n - i) * REC);
            random_step(data + HDR + i * REC, &rs);
            size += REC;
            break;
        case 2: /* delete a step */
            if (!n) break;
            i = fuzz_rand(&rs) % n;
            memmove(data + HDR + i * REC, data + HDR + (i + 1) * REC, (n - i - 1) * REC);
            size -= REC;
            break;
        case 3: /* swap two steps */
            if (n < 2) break;
            i = fuzz_rand(&rs) % n;
            j = fuzz_rand(&rs) % n;
            memcpy(tmp, data + HDR + i * REC, REC);
            memcpy(data + HDR + i * REC, data + HDR + j * REC, REC);
            memcpy(data + HDR + j * REC, tmp, REC);
            break;
        case 4: case 5: /* change a variant */
            if (!n) break;
            data[HDR + (fuzz_rand(&rs) % n) * REC + 1] = (uint8_t)fuzz_rand(&rs);
            break;
        case 6: /* change an answer */
            if (!n) break;
            data[HDR + (fuzz_rand(&rs) % n) * REC + 2] = (uint8_t)fuzz_rand(&rs);
            break;
        case 7: /* toggle pipelining, move the split point */
            if (!n) break;
            i = HDR + (fuzz_rand(&rs) % n) * REC + 3;
            data[i] = (fuzz_rand(&rs) & 1) ? data[i] ^ 1u : (uint8_t)((data[i] & 1u) | (fuzz_rand(&rs) & ~1u));
            break;
        case 8: /* change a step's kind */
            if (!n) break;
            data[HDR + (fuzz_rand(&rs) % n) * REC] = (uint8_t)(fuzz_rand(&rs) % K__COUNT);
            break;
        case 9: /* duplicate a run of steps */
            if (!n || n >= maxn) break;
            i = fuzz_rand(&rs) % n;
            j = 1 + fuzz_rand(&rs) % (n - i);
            if (j > maxn - n) j = maxn - n;
            memmove(data + HDR + (i + j) * REC, data + HDR + i * REC, (n - i) * REC);
            size += j * REC;
            break;
        case 10: /* the configuration */
            i = fuzz_rand(&rs) % HDR;
            data[i] ^= (uint8_t)(1u << (fuzz_rand(&rs) % 8));
            break;
        default: /* libFuzzer's byte mutations, length kept a whole number of steps */
            if (LLVMFuzzerMutate) {
                size_t m = LLVMFuzzerMutate(data, size, cap);
                size = m < HDR ? size : HDR + (m - HDR) / REC * REC;
            }
            break;
        }
    }
    return size;
}

size_t LLVMFuzzerCustomCrossOver(const uint8_t *d1, size_t s1, const uint8_t *d2, size_t s2,
                                 uint8_t *out, size_t max_out, unsigned int seed)
{
    uint32_t rs = seed ? seed : 1;
    size_t n1, n2, a, b, len, k;
    if (s1 < HDR || max_out < HDR) return 0;
    n1 = (s1 - HDR) / REC;
    n2 = s2 >= HDR ? (s2 - HDR) / REC : 0;
    memcpy(out, (fuzz_rand(&rs) & 1) && s2 >= HDR ? d2 : d1, HDR);
    a = n1 ? fuzz_rand(&rs) % (n1 + 1) : 0;       /* prefix of the first */
    b = n2 ? fuzz_rand(&rs) % (n2 + 1) : 0;       /* suffix of the second */
    len = HDR;
    for (k = 0; k < a && len + REC <= max_out && (len - HDR) / REC < MAX_STEPS; k++, len += REC)
        memcpy(out + len, d1 + HDR + k * REC, REC);
    for (k = b; k < n2 && len + REC <= max_out && (len - HDR) / REC < MAX_STEPS; k++, len += REC)
        memcpy(out + len, d2 + HDR + k * REC, REC);
    return len;
}
