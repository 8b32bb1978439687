/* Fuzz target for the command parser (smtpp_parse_command and
 * smtpp_parser_finish), with differential oracles.
 *
 * Input layout (llhttp's fuzz_parser.c style: the first bytes pick the mode):
 *   byte 0   option flags (bits 0-6, enum smtpp_option); bit 7: byte 1
 *            chooses max_line
 *   byte 1   max_line = 16 + 4 * byte 1 (when bit 7 of byte 0 is set),
 *            else the default 512; odd: max_mail_line and max_rcpt_line
 *            are max_line + 300 and + 150 (the RFC 4954/1870/3461 growth
 *            smtpp_parser_configure gives)
 *   byte 2   chunking: chunks are 1 .. byte 2 + 1 octets long
 *   byte 3   seed of the chunk-length generator
 *   rest     the client's byte stream
 *
 * Oracles:
 *   - the stream fed whole and fed in the chosen chunks gives the same
 *     results (describe_command, tests/describe.h) and the same finish,
 *     also with SMTPP_INPUT_PADDED and the padding filled with byte 3;
 *   - an independent framing model: one result per line end (CRLF; any LF
 *     under SMTPP_LENIENT_BARE_LF), LINE_TOO_LONG exactly
 *     when the line with its LF exceeds max_line, the line slice is the
 *     bytes of that line, consumed bytes add up to the input minus the
 *     unconsumed tail;
 *   - *used <= len; a DONE consumes at least one byte; AGAIN leaves *cmd
 *     untouched;
 *   - every slice lies inside the line; path slices nest (local and domain in
 *     mailbox, literal in domain, mailbox and route in raw); error_offset is
 *     inside the line;
 *   - a line with NUL, a control character or a bare CR is refused; an
 *     accepted line is well-formed UTF-8;
 *   - an accepted command re-serialized from its fields parses to the same
 *     result;
 *   - an accepted path re-parsed with smtpp_parse_path gives the same fields;
 *     its domain passes smtpp_check_domain with the same kind; its local part
 *     decodes, and re-quoting the decoded form gives a path with the same
 *     decoded local part;
 *   - ENVID, AUTH= and ORCPT values decode as xtext; the AUTH initial
 *     response decodes as base64; SIZE, HOLDFOR, MT-PRIORITY and the BDAT
 *     size equal their digits.
 */
#include "fuzz.h"
#include "describe.h"

#define HDR 4
#define DESC_CAP (1u << 20)

static char desc_whole[DESC_CAP], desc_split[DESC_CAP];

/* ---- the framing model ----------------------------------------------------- */

typedef struct model {
    const char *in;
    size_t n, lim;
    size_t pos;       /* stream offset of the region's first byte */
    size_t next_line; /* stream offset where the next expected line starts */
} model;

/* The LF that ends the line starting at s (n octets known), or NULL: the
 * first CRLF (RFC 5321 2.3.8), or the first LF under SMTPP_LENIENT_BARE_LF. */
static const char *model_end(const char *s, size_t n, unsigned flags)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (s[i] == '\n' && ((flags & SMTPP_LENIENT_BARE_LF) || (i > 0 && s[i - 1] == '\r')))
            return s + i;
    return NULL;
}

/* ---- per-command invariants ------------------------------------------------ */

static void check_slices(const smtpp_command *c, const char *lo, const char *hi)
{
    unsigned i;
    const smtpp_path *pa = &c->path;
#define IN(s) FUZZ_CHECK(fuzz_slice_in((s), lo, hi), "slice %s outside the line", #s)
    IN(c->line);
    IN(c->arg);
    IN(c->auth_initial);
    /* path fields mean something only with a path kind, typed parameter
     * values only with their bit in `present` (as describe_command reads
     * them) */
    if (pa->kind != SMTPP_PATH_NONE) {
        IN(pa->raw);
        IN(pa->route);
        IN(pa->mailbox);
        IN(pa->local);
        IN(pa->domain);
        IN(pa->literal);
    }
#define BIT(id) (c->p.present & (1u << SMTPP_PARAM_##id))
    if (BIT(HOLDUNTIL)) IN(c->p.holduntil);
    if (BIT(ENVID)) IN(c->p.envid);
    if (BIT(AUTH)) IN(c->p.auth);
    if (BIT(ORCPT)) {
        IN(c->p.orcpt_type);
        IN(c->p.orcpt);
    }
#undef BIT
    for (i = 0; i < c->nparams; i++) {
        IN(c->params[i].keyword);
        IN(c->params[i].value);
    }
#undef IN
}

static void check_path_nesting(const smtpp_path *pa)
{
    if (pa->kind == SMTPP_PATH_NONE) return;
    FUZZ_CHECK(pa->raw.p != NULL, "path without raw");
    FUZZ_CHECK(fuzz_slice_within(pa->mailbox, pa->raw), "mailbox outside raw");
    FUZZ_CHECK(fuzz_slice_within(pa->route, pa->raw), "route outside raw");
    if (pa->kind == SMTPP_PATH_MAILBOX) {
        FUZZ_CHECK(fuzz_slice_within(pa->local, pa->mailbox), "local outside mailbox");
        FUZZ_CHECK(fuzz_slice_within(pa->domain, pa->mailbox), "domain outside mailbox");
        FUZZ_CHECK(fuzz_slice_within(pa->literal, pa->domain), "literal outside domain");
        FUZZ_CHECK(pa->local.p && pa->domain.p, "mailbox without local part or domain");
        FUZZ_CHECK(pa->local.p + pa->local.n < pa->domain.p &&
                   pa->local.p[pa->local.n] == '@',
                   "local part and domain not separated by '@'");
        FUZZ_CHECK(pa->domain_kind != SMTPP_DOMAIN_NONE, "mailbox without domain kind");
        FUZZ_CHECK((pa->literal.p != NULL) == (pa->domain_kind >= SMTPP_DOMAIN_IPV4),
                   "literal present for a non-literal domain or absent for a literal");
    }
    if (pa->kind == SMTPP_PATH_NULL)
        FUZZ_CHECK(pa->raw.n == 0 && !pa->mailbox.p, "null path with content");
}

/* Digits of s (all of them decimal) as a number; 0 on overflow. */
static uint64_t decimal(const char *s, size_t n)
{
    uint64_t v = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        FUZZ_CHECK(s[i] >= '0' && s[i] <= '9', "non-digit 0x%02x in a number", (uint8_t)s[i]);
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    return v;
}

static const smtpp_param *find_param(const smtpp_command *c, int id)
{
    unsigned i;
    for (i = 0; i < c->nparams; i++)
        if (c->params[i].id == id) return &c->params[i];
    return NULL;
}

static void check_typed_params(const smtpp_command *c)
{
    const smtpp_param *pr;
    unsigned i, known = 0;
    for (i = 0; i < c->nparams; i++) {
        const smtpp_param *q = &c->params[i];
        FUZZ_CHECK(q->keyword.p && q->keyword.n > 0, "parameter without keyword");
        FUZZ_CHECK(q->id >= -1 && q->id < SMTPP_PARAM__COUNT, "parameter id %d", q->id);
        if (q->id >= 0) {
            FUZZ_CHECK(c->p.present & (1u << q->id), "known parameter %d not in present", q->id);
            known++;
        }
    }
    if (c->verb != SMTPP_VERB_XCLIENT && c->verb != SMTPP_VERB_XFORWARD)
        FUZZ_CHECK((unsigned)__builtin_popcount(c->p.present) == known,
                   "present 0x%x but %u known parameters", (unsigned)c->p.present, known);
    if ((pr = find_param(c, SMTPP_PARAM_SIZE)) != NULL) {
        FUZZ_CHECK(pr->value.p && pr->value.n <= 20, "SIZE value");
        FUZZ_CHECK(decimal(pr->value.p, pr->value.n) == c->p.size || pr->value.n == 20,
                   "SIZE %llu differs from its digits", (unsigned long long)c->p.size);
    }
    if ((pr = find_param(c, SMTPP_PARAM_HOLDFOR)) != NULL)
        FUZZ_CHECK(decimal(pr->value.p, pr->value.n) == c->p.holdfor, "HOLDFOR value");
    if ((pr = find_param(c, SMTPP_PARAM_MT_PRIORITY)) != NULL) {
        int v = pr->value.p[pr->value.n - 1] - '0';
        if (pr->value.p[0] == '-') v = -v;
        FUZZ_CHECK(v == c->p.mt_priority, "MT-PRIORITY %d, parsed %d", v, c->p.mt_priority);
    }
}

static void check_xtext(smtpp_str s, const char *what)
{
    char out[1024];
    long r;
    if (!s.p) return;
    r = smtpp_xtext_decode(s, out, sizeof out);
    FUZZ_CHECK(r >= 0 && (size_t)r <= s.n, "%s accepted by the parser, xtext decode gives %ld",
               what, r);
}

/* The path oracles: stand-alone re-parse, domain check, local-part decoding. */
static void check_path_oracles(const smtpp_command *c, unsigned flags)
{
    const smtpp_path *pa = &c->path;
    smtpp_path q;
    smtpp_error e;
    const char *start;
    size_t len;
    int bracketed;

    if (pa->kind == SMTPP_PATH_NONE) return;
    bracketed = pa->raw.p > c->line.p && pa->raw.p[-1] == '<';
    start = pa->raw.p - bracketed;
    len = pa->raw.n + 2u * (size_t)bracketed;
    e = smtpp_parse_path(start, len, flags, 1, &q);
    FUZZ_CHECK(e == SMTPP_E_OK, "path accepted in a command, smtpp_parse_path says %s",
               smtpp_error_name(e));
#define SAME(f) FUZZ_CHECK(q.f.p == pa->f.p && q.f.n == pa->f.n, "stand-alone path: %s differs", #f)
    SAME(raw);
    SAME(route);
    SAME(mailbox);
    SAME(local);
    SAME(domain);
    SAME(literal);
#undef SAME
    FUZZ_CHECK(q.kind == pa->kind && q.domain_kind == pa->domain_kind &&
               q.quoted == pa->quoted && q.utf8 == pa->utf8,
               "stand-alone path: kind/domain_kind/quoted/utf8 differ");

    if (pa->kind != SMTPP_PATH_MAILBOX) return;
    {
        smtpp_domain_kind k = SMTPP_DOMAIN_NONE;
        e = smtpp_check_domain(pa->domain.p, pa->domain.n, 1, &k);
        FUZZ_CHECK(e == SMTPP_E_OK && k == pa->domain_kind,
                   "path domain: smtpp_check_domain says %s, kind %d (path: %d)",
                   smtpp_error_name(e), (int)k, pa->domain_kind);
    }
    {
        char dec[512], req[1200], dec2[512];
        long r = smtpp_local_decode(pa->local, dec, sizeof dec), r2;
        size_t i, o = 0;
        FUZZ_CHECK(r >= 0 && (size_t)r <= pa->local.n, "local part accepted, decode gives %ld", r);
        FUZZ_CHECK(pa->quoted || (size_t)r == pa->local.n, "dot-string local part changed size");
        if (!pa->quoted) return;
        /* re-quote the decoded form: quotes and backslashes escaped */
        req[o++] = '<';
        req[o++] = '"';
        for (i = 0; i < (size_t)r; i++) {
            if (dec[i] == '"' || dec[i] == '\\') req[o++] = '\\';
            req[o++] = dec[i];
        }
        req[o++] = '"';
        req[o++] = '@';
        req[o++] = 'x';
        req[o++] = '>';
        e = smtpp_parse_path(req, o, flags, 1, &q);
        if (e == SMTPP_E_LOCAL_TOO_LONG || e == SMTPP_E_PATH_TOO_LONG) return;
        FUZZ_CHECK(e == SMTPP_E_OK, "re-quoted local part refused: %s", smtpp_error_name(e));
        r2 = smtpp_local_decode(q.local, dec2, sizeof dec2);
        FUZZ_CHECK(r2 == r && memcmp(dec, dec2, (size_t)r) == 0,
                   "re-quoted local part decodes differently");
    }
}

/* Re-serializes an accepted command from its fields. Returns the length. */
static size_t reserialize(const smtpp_command *c, char *out, size_t cap)
{
    size_t o = 0;
    unsigned i;
#define PUT(s, n) do { if (o + (n) <= cap) memcpy(out + o, (s), (n)); o += (n); } while (0)
#define PUTS(s) PUT((s), strlen(s))
#define PUTSL(sl) PUT((sl).p, (sl).n)
    PUTS(smtpp_verb_name((smtpp_verb)c->verb));
    switch (c->verb) {
    case SMTPP_VERB_MAIL:
    case SMTPP_VERB_RCPT:
        PUTS(c->verb == SMTPP_VERB_MAIL ? " FROM:<" : " TO:<");
        PUTSL(c->path.raw);
        PUTS(">");
        for (i = 0; i < c->nparams; i++) {
            PUTS(" ");
            PUTSL(c->params[i].keyword);
            if (c->params[i].value.p) {
                PUTS("=");
                PUTSL(c->params[i].value);
            }
        }
        break;
    case SMTPP_VERB_XCLIENT:
    case SMTPP_VERB_XFORWARD:
        for (i = 0; i < c->nparams; i++) {
            PUTS(" ");
            PUTSL(c->params[i].keyword);
            PUTS("=");
            PUTSL(c->params[i].value);
        }
        break;
    case SMTPP_VERB_AUTH:
        PUTS(" ");
        PUTSL(c->arg);
        if (c->auth_initial.p) {
            PUTS(" ");
            PUTSL(c->auth_initial);
        }
        break;
    case SMTPP_VERB_VRFY:
    case SMTPP_VERB_EXPN:
        PUTS(" ");
        PUTSL(c->arg);
        for (i = 0; i < c->nparams; i++) {
            PUTS(" ");
            PUTSL(c->params[i].keyword);
        }
        break;
    default:
        if (c->arg.p) {
            PUTS(" ");
            PUTSL(c->arg);
        }
        break;
    }
    PUTS("\r\n");
#undef PUT
#undef PUTS
#undef PUTSL
    return o;
}

static void describe_noline(dbuf *d, const smtpp_command *c)
{
    smtpp_command t = *c;
    t.line = (smtpp_str){ "", 0 };
    describe_command(d, &t);
}

/* 1 when s starts with the verb w (upper case, 4 letters) and a space, the
 * verb in any case. */
static int verb_prefix(const char *s, const char *w)
{
    int i;
    for (i = 0; i < 4; i++)
        if ((s[i] & ~0x20) != w[i]) return 0;
    return s[4] == ' ';
}

/* MAIL and RCPT line limits of this input (0: max_line), as
 * smtpp_parser_configure() would set them. */
static uint32_t mail_line, rcpt_line;

static void check_reserialized(const smtpp_command *c, unsigned flags, size_t lim)
{
    static char a[1 << 16], b[1 << 16];
    char buf[4096];
    size_t n = reserialize(c, buf, sizeof buf), used = 0;
    dbuf da = { a, 0, sizeof a }, db = { b, 0, sizeof b };
    smtpp_parser p;
    smtpp_command c2;
    char *exact;
    int rc;
    FUZZ_CHECK(n <= sizeof buf, "re-serialized line too long");
    exact = fuzz_dup(buf, n);
    smtpp_parser_init(&p, flags);
    p.max_line = (uint32_t)(lim + 16);
    rc = smtpp_parse_command(&p, exact, n, &c2, &used);
    FUZZ_CHECK(rc == SMTPP_DONE && used == n, "re-serialized line not parsed whole");
    describe_noline(&da, c);
    describe_noline(&db, &c2);
    FUZZ_CHECK(strcmp(a, b) == 0, "re-serialized command differs:\n  line: %.*s\n  was:  %s  now:  %s",
               (int)(n - 2), exact, a, b);
    free(exact);
}

static void check_command(const smtpp_command *c, const char *r, size_t used, unsigned flags,
                          size_t lim, int deep)
{
    size_t i;
    int bad_ctl = 0, tab = 0;
    FUZZ_CHECK(c->verb < SMTPP_VERB__COUNT, "verb %u", c->verb);
    FUZZ_CHECK(c->error < SMTPP_E__COUNT, "error %u", c->error);
    FUZZ_CHECK(c->nparams <= SMTPP_MAX_PARAMS, "nparams %u", c->nparams);
    if (c->error) {
        int code = smtpp_error_code((smtpp_error)c->error);
        FUZZ_CHECK(code == 500 || code == 501 || code == 552 || code == 553 || code == 555,
                   "reply code %d", code);
    }
    if (c->error == SMTPP_E_LINE_TOO_LONG) {
        FUZZ_CHECK(!c->line.p && c->error_offset == lim, "too-long line: line or offset");
        return;
    }
    /* framing: the line is the region's first used bytes, less the line end */
    FUZZ_CHECK(used >= 1 && model_end(r, used, flags) == r + used - 1,
               "line does not end at its line end");
    FUZZ_CHECK(c->line.p == r, "line does not start the region");
    if (used >= 2 && r[used - 2] == '\r') {
        const char *bare = memchr(r, '\n', used - 1);
        FUZZ_CHECK(c->line.n == used - 2, "CRLF line length");
        /* strict: a bare LF inside makes the whole line one refusal */
        if (bare)
            FUZZ_CHECK(c->error == SMTPP_E_BARE_LF && c->error_offset == (size_t)(bare - r),
                       "bare LF inside a line not reported (%s)",
                       smtpp_error_name((smtpp_error)c->error));
    } else {
        FUZZ_CHECK(flags & SMTPP_LENIENT_BARE_LF, "strict line ends in a bare LF");
        FUZZ_CHECK(c->line.n == used - 1, "LF line length");
    }
    FUZZ_CHECK(c->error_offset <= c->line.n, "error_offset %u past the line (%zu)",
               c->error_offset, c->line.n);
    if (!c->error) FUZZ_CHECK(c->error_offset == 0, "error_offset without error");
    check_slices(c, c->line.p, c->line.p + c->line.n);

    for (i = 0; i < c->line.n; i++) {
        uint8_t ch = (uint8_t)c->line.p[i];
        if (ch == '\t') tab = 1;
        else if (ch < 0x20 || ch == 0x7f) bad_ctl = 1;
    }
    if (bad_ctl)
        FUZZ_CHECK(c->error != 0, "line with a control character accepted");
    if (c->error) return;

    FUZZ_CHECK(!tab || (flags & SMTPP_LENIENT_TRAILING_SPACE), "line with HT accepted");
    FUZZ_CHECK(fuzz_utf8_ok((const uint8_t *)c->line.p, c->line.n),
               "accepted line is not well-formed UTF-8");
    check_path_nesting(&c->path);
    check_typed_params(c);
    if (c->verb == SMTPP_VERB_BDAT)
        FUZZ_CHECK(c->arg.p && c->arg.n >= 1, "BDAT without argument");
    if (c->verb == SMTPP_VERB_MAIL || c->verb == SMTPP_VERB_RCPT)
        FUZZ_CHECK(c->path.kind != SMTPP_PATH_NONE, "MAIL/RCPT without path");
    if (c->verb == SMTPP_VERB_MAIL)
        FUZZ_CHECK(c->path.kind != SMTPP_PATH_POSTMASTER, "MAIL FROM:<Postmaster>");
    if (c->verb == SMTPP_VERB_RCPT)
        FUZZ_CHECK(c->path.kind != SMTPP_PATH_NULL, "RCPT TO:<>");
    if (c->verb == SMTPP_VERB_MAIL && c->path.utf8)
        FUZZ_CHECK(c->p.present & (1u << SMTPP_PARAM_SMTPUTF8), "UTF-8 sender without SMTPUTF8");
    if (!deep) return;

    if (c->verb == SMTPP_VERB_BDAT) {
        size_t k = 0;
        while (k < c->arg.n && c->arg.p[k] >= '0' && c->arg.p[k] <= '9') k++;
        if (k < 20)
            FUZZ_CHECK(decimal(c->arg.p, k) == c->bdat_size, "BDAT size differs from its digits");
    }
    if (c->verb == SMTPP_VERB_HELO || c->verb == SMTPP_VERB_EHLO || c->verb == SMTPP_VERB_LHLO) {
        smtpp_error e = smtpp_check_domain(c->arg.p, c->arg.n, 0, NULL);
        FUZZ_CHECK(e == SMTPP_E_OK, "HELO argument refused by smtpp_check_domain: %s",
                   smtpp_error_name(e));
    }
    if (c->auth_initial.p && !c->auth_empty) {
        static char out[SMTPP_DEFAULT_MAX_AUTH_LINE];
        long r2 = smtpp_base64_decode(c->auth_initial, out, sizeof out);
        /* The lexer accepts canonical base64 only (the bits padding drops
         * are zero), as smtpp_base64_decode does: they must agree. */
        FUZZ_CHECK(r2 >= 0, "AUTH initial response accepted, base64 decode gives %ld", r2);
    }
    if (c->p.present & (1u << SMTPP_PARAM_ENVID)) check_xtext(c->p.envid, "ENVID");
    if (c->p.present & (1u << SMTPP_PARAM_AUTH)) check_xtext(c->p.auth, "AUTH=");
    if (c->p.present & (1u << SMTPP_PARAM_ORCPT)) check_xtext(c->p.orcpt, "ORCPT");
    check_path_oracles(c, flags);
    check_reserialized(c, flags, lim);
}

/* ---- feeding --------------------------------------------------------------- */

/* Feeds in[0..n) in chunks of 1 .. chunk_max octets (0: whole), appending
 * every result's description to *d.  deep: run the expensive oracles. */
/* Set for the padded run: the parser gets SMTPP_INPUT_PADDED and every
 * region SMTPP_INPUT_PADDING octets after it, filled with this octet
 * (ASan stops a read past them). */
static int feed_pad = -1;

static void feed(const char *in, size_t n, unsigned flags, uint32_t max_line,
                 uint32_t chunk_max, uint32_t seed, dbuf *d, int deep)
{
    smtpp_parser p;
    char *acc = (char *)malloc(n + 1);
    size_t have = 0, fed = 0, lines_end = 0;
    size_t lim, elim;
    model m;
    smtpp_command c, untouched;

    if (!acc) abort();
    smtpp_parser_init(&p, flags | (feed_pad >= 0 ? SMTPP_INPUT_PADDED : 0));
    p.max_line = max_line;
    p.max_mail_line = mail_line;
    p.max_rcpt_line = rcpt_line;
    lim = p.max_line < 16 ? 16 : p.max_line;
    m.in = in;
    m.n = n;
    m.lim = lim;
    m.pos = 0;
    m.next_line = 0;
    memset(&untouched, 0xA5, sizeof untouched);

    while (fed < n || have) {
        size_t chunk = chunk_max ? 1 + fuzz_rand(&seed) % chunk_max : n - fed;
        int progressed = 0;
        if (chunk > n - fed) chunk = n - fed;
        memcpy(acc + have, in + fed, chunk);
        have += chunk;
        fed += chunk;
        for (;;) {
            size_t used = (size_t)-1;
            char *r;
            int rc;
            if (feed_pad >= 0) {
                r = (char *)malloc(have + SMTPP_INPUT_PADDING);
                if (!r) abort();
                memcpy(r, acc, have);
                memset(r + have, feed_pad, SMTPP_INPUT_PADDING);
            } else {
                r = fuzz_dup(acc, have);
            }
            memcpy(&c, &untouched, sizeof c);
            rc = smtpp_parse_command(&p, have ? r : NULL, have, &c, &used);
            FUZZ_CHECK(rc == SMTPP_DONE || rc == SMTPP_AGAIN, "result %d", rc);
            FUZZ_CHECK(used <= have, "used %zu > len %zu", used, have);
            if (rc == SMTPP_DONE) {
                /* the model: the line that starts at m.next_line */
                const char *lf = model_end(in + m.next_line, n - m.next_line, flags);
                size_t L;
                FUZZ_CHECK(used > 0, "DONE without consuming");
                FUZZ_CHECK(lf != NULL, "a result without an LF in the input");
                L = (size_t)(lf - (in + m.next_line)) + 1;
                /* AUTH (RFC 4954 4), MAIL and RCPT lines may have their own limit */
                elim = lim;
                if (L >= 5) {
                    const char *ls = in + m.next_line;
                    size_t x = verb_prefix(ls, "AUTH") ? p.max_auth_line
                             : verb_prefix(ls, "MAIL") ? p.max_mail_line
                             : verb_prefix(ls, "RCPT") ? p.max_rcpt_line : 0;
                    if (x > lim) elim = x;
                }
                FUZZ_CHECK(m.pos + used == m.next_line + L,
                           "result ends at %zu, the line ends at %zu", m.pos + used,
                           m.next_line + L);
                if (L > elim) {
                    FUZZ_CHECK(c.error == SMTPP_E_LINE_TOO_LONG,
                               "line of %zu > %zu octets not refused (%s)", L, elim,
                               smtpp_error_name((smtpp_error)c.error));
                } else {
                    FUZZ_CHECK(c.error != SMTPP_E_LINE_TOO_LONG,
                               "line of %zu <= %zu octets called too long", L, elim);
                    FUZZ_CHECK(m.pos == m.next_line && memcmp(r, in + m.pos, used) == 0,
                               "line bytes differ from the input");
                }
                m.next_line += L;
                check_command(&c, r, used, flags, elim, deep);
                describe_command(d, &c);
                progressed = 1;
            } else {
                FUZZ_CHECK(memcmp(&c, &untouched, sizeof c) == 0, "AGAIN wrote into *cmd");
            }
            free(r);
            memmove(acc, acc + used, have - used);
            have -= used;
            m.pos += used;
            if (rc == SMTPP_AGAIN) break;
        }
        (void)progressed;
        if (fed == n) break;
    }
    /* the rest of the model: no LF left unreported */
    FUZZ_CHECK(model_end(in + m.next_line, n - m.next_line, flags) == NULL,
               "a line end after %zu was never reported", m.next_line);
    lines_end = m.next_line;
    FUZZ_CHECK(m.pos + have == n, "consumed %zu + unconsumed %zu != %zu", m.pos, have, n);
    FUZZ_CHECK(have <= n - lines_end, "unconsumed bytes from a complete line");
    if (n - lines_end < lim)
        FUZZ_CHECK(have == n - lines_end, "short tail %zu, unconsumed %zu", n - lines_end, have);
    {
        int fin = smtpp_parser_finish(&p, have);
        char t[32];
        FUZZ_CHECK(fin == (n > lines_end), "finish says %d with a tail of %zu", fin,
                   n - lines_end);
        snprintf(t, sizeof t, "FINISH %d\n", fin);
        dputs(d, t);
        FUZZ_CHECK(p._past == 0 && p._lf == 0 && p._room == 0 && p._skipping == 0, "finish did not reset the parser");
    }
    free(acc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned flags;
    uint32_t max_line, chunk_max, seed;
    dbuf whole = { desc_whole, 0, sizeof desc_whole };
    dbuf split = { desc_split, 0, sizeof desc_split };
    const char *in;
    size_t n;

    if (size < HDR) return 0;
    flags = data[0] & 0x7fu;
    max_line = (data[0] & 0x80u) ? 16u + 4u * data[1] : SMTPP_DEFAULT_MAX_LINE;
    /* an odd byte 1 also gives MAIL and RCPT their own, longer limits */
    mail_line = (data[0] & 0x80u) && (data[1] & 1u) ? max_line + 300u : 0;
    rcpt_line = (data[0] & 0x80u) && (data[1] & 1u) ? max_line + 150u : 0;
    chunk_max = (uint32_t)data[2] + 1u;
    seed = (uint32_t)data[3] * 0x01000193u + 1u;
    in = (const char *)data + HDR;
    n = size - HDR;
    desc_whole[0] = desc_split[0] = 0;

    feed(in, n, flags, max_line, 0, 0, &whole, 1);
    feed(in, n, flags, max_line, chunk_max, seed, &split, 0);
    if (strcmp(desc_whole, desc_split) != 0) {
        fprintf(stderr, "whole:\n%s\nchunked (max %u, seed %u):\n%s\n", desc_whole,
                (unsigned)chunk_max, (unsigned)seed, desc_split);
        FUZZ_FAIL("chunked feeding gives different results");
    }
    /* The same chunks with SMTPP_INPUT_PADDED, the padding filled with an
     * octet of the header: the same results (every line the lane takes in
     * its usual form, whatever follows the region). */
    feed_pad = data[3];
    split = (dbuf){ desc_split, 0, sizeof desc_split };
    desc_split[0] = 0;
    feed(in, n, flags, max_line, chunk_max, seed, &split, 0);
    feed_pad = -1;
    if (strcmp(desc_whole, desc_split) != 0) {
        fprintf(stderr, "whole:\n%s\npadded, chunked (max %u, seed %u):\n%s\n", desc_whole,
                (unsigned)chunk_max, (unsigned)seed, desc_split);
        FUZZ_FAIL("padded input gives different results");
    }
    /* The fast lane (parser/command_lane.c) reads up to 320 octets from a
     * line's start.  The input followed by a long NOOP line, whole, gives
     * every line of it those octets in the caller's buffer; one octet at a
     * time, a line is lexed when its LF arrives, with nothing after it: the
     * lane in its bounded form or on a zero-padded copy of the region's
     * tail (parser/command_lane.h, "What it reads"), or the general
     * path.  Both must agree (and in this build every line the
     * lane claims, either way, is also re-lexed by the general path,
     * SMTPP_CHECK_FAST_PATHS). */
    {
        static char padded[4096 + HDR + 512];
        size_t pn = fuzz_padded(padded, sizeof padded, in, n, "\r\nNOOP ", 380);
        if (!pn) return 0;
        desc_whole[0] = desc_split[0] = 0;
        whole = (dbuf){ desc_whole, 0, sizeof desc_whole };
        split = (dbuf){ desc_split, 0, sizeof desc_split };
        feed(padded, pn, flags, max_line, 0, 0, &whole, 0);
        feed(padded, pn, flags, max_line, 1, seed, &split, 0);
        if (strcmp(desc_whole, desc_split) != 0) {
            fprintf(stderr, "padded whole:\n%s\nbyte by byte:\n%s\n", desc_whole, desc_split);
            FUZZ_FAIL("fast lane and general path differ");
        }
    }
    return 0;
}
