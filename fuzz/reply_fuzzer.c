/* Fuzz target for the reply parser (smtpp_parse_reply, smtpp_reply_next_line,
 * smtpp_reply_parser_finish), with differential oracles, and the reply
 * formatter as its inverse.
 *
 * Input layout:
 *   byte 0   option flags (bits 0-3, enum smtpp_reply_option); bit 7: bytes
 *            1 and 2 choose the limits
 *   byte 1   max_line = 16 + 4 * byte 1 (when bit 7 of byte 0 is set)
 *   byte 2   max_lines = 1 + byte 2 % 32 (when bit 7 of byte 0 is set)
 *   byte 3   chunking: chunks are 1 .. byte 3 + 1 octets long
 *   byte 4   seed of the chunk-length generator
 *   rest     the server's byte stream
 *
 * Oracles:
 *   - whole vs chunked feeding: the same results (every field, every line
 *     from smtpp_reply_next_line) and the same finish;
 *   - *used <= len; AGAIN leaves *out untouched; consumed plus unconsumed
 *     equals the input;
 *   - a good reply's raw slice ends where *used does, its lines are inside raw and
 *     end with CRLF (LF when lenient), every line carries the reply's code,
 *     only the last is marked last, first/last are the first/last lines'
 *     texts, reply.enhanced is the code every line carries; the code is
 *     200..599; reply.enhanced_ignored is set exactly when a line's is,
 *     never under STRICT_ENHANCED_SYNTAX, and such a line has no enhanced
 *     code and its text starts with a token shaped like one that is not a
 *     valid code of the reply's class;
 *   - format-then-parse: a good reply's code, enhanced code and line texts
 *     given to smtpp_format_reply (NO_WRAP) parse back to the same code,
 *     enhanced code and texts.
 */
#include "fuzz.h"
#include "describe.h"

#define HDR 5
#define DESC_CAP (1u << 20)

static char desc_whole[DESC_CAP], desc_split[DESC_CAP];

static void denh(dbuf *d, smtpp_enhanced e)
{
    char t[40];
    snprintf(t, sizeof t, " %u.%u.%u", e.cls, e.subject, e.detail);
    dputs(d, t);
}

static void describe_reply(dbuf *d, const smtpp_reply *r)
{
    size_t pos = 0;
    smtpp_reply_line l;
    if (r->error) {
        dputs(d, "ERR ");
        dputs(d, smtpp_reply_error_name((smtpp_reply_error)r->error));
        dnum(d, "code", r->code);
        dnum(d, "nlines", r->nlines);
        dnum(d, "line", r->error_line);
        dnum(d, "at", r->error_offset);
        dslice(d, "raw", r->raw);
        dputs(d, "\n");
        return;
    }
    dnum(d, "OK", r->code);
    dnum(d, "n", r->nlines);
    denh(d, r->enhanced);
    dnum(d, "mixed", r->enhanced_mixed);
    dnum(d, "ignored", r->enhanced_ignored);
    dslice(d, "first", r->first);
    dslice(d, "last", r->last);
    dslice(d, "raw", r->raw);
    while (smtpp_reply_next_line(r, &pos, &l)) {
        dputs(d, " |");
        denh(d, l.enhanced);
        dslice(d, "t", l.text);
        dnum(d, "last", l.last);
        dnum(d, "ign", l.enhanced_ignored);
    }
    dputs(d, "\n");
}

/* Returns the number of lines.  texts[i] receives line i's text. */
static size_t check_good_reply(const smtpp_reply *r, unsigned flags, smtpp_str *texts,
                               smtpp_enhanced *enh, size_t max)
{
    size_t pos = 0, k = 0, prev_end = 0;
    smtpp_reply_line l;
    int all_same = 1, ignored = 0;
    FUZZ_CHECK(r->code >= 200 && r->code <= 599, "code %u", r->code);
    FUZZ_CHECK(r->nlines >= 1, "good reply without lines");
    FUZZ_CHECK(r->first.p && r->last.p, "first/last absent on a good reply");
    FUZZ_CHECK(fuzz_slice_within(r->first, r->raw) && fuzz_slice_within(r->last, r->raw),
               "first/last outside raw");
    FUZZ_CHECK(!r->enhanced_mixed || r->enhanced.cls == 0, "mixed but enhanced present");
    while (smtpp_reply_next_line(r, &pos, &l)) {
        const char *le;
        FUZZ_CHECK(k < r->nlines, "more lines than nlines");
        FUZZ_CHECK(fuzz_slice_within(l.line, r->raw) && fuzz_slice_within(l.text, l.line),
                   "line slices outside the reply");
        FUZZ_CHECK((size_t)(l.line.p - r->raw.p) == prev_end, "line %zu does not follow the previous",
                   k);
        le = l.line.p + l.line.n;
        if (le < r->raw.p + r->raw.n && *le == '\r') {
            FUZZ_CHECK(le + 1 < r->raw.p + r->raw.n && le[1] == '\n', "line %zu: CR without LF", k);
            prev_end = (size_t)(le + 2 - r->raw.p);
        } else {
            FUZZ_CHECK(le < r->raw.p + r->raw.n && *le == '\n', "line %zu without line end", k);
            FUZZ_CHECK(flags & SMTPP_REPLY_LENIENT_BARE_LF, "bare LF accepted");
            prev_end = (size_t)(le + 1 - r->raw.p);
        }
        FUZZ_CHECK(l.line.n >= 3 && (unsigned)((l.line.p[0] - '0') * 100 + (l.line.p[1] - '0') * 10 +
                                               (l.line.p[2] - '0')) == r->code,
                   "line %zu does not carry the reply's code", k);
        FUZZ_CHECK(l.last == (k + 1 == r->nlines), "line %zu: last flag %u", k, l.last);
        FUZZ_CHECK(l.line.n == 3 || l.line.p[3] == (l.last ? ' ' : '-'), "line %zu separator", k);
        if (k == 0) FUZZ_CHECK(fuzz_slice_eq(l.text, r->first) && l.text.p == r->first.p, "first");
        if (l.last) FUZZ_CHECK(fuzz_slice_eq(l.text, r->last) && l.text.p == r->last.p, "last");
        if (r->enhanced.cls)
            FUZZ_CHECK(l.enhanced.cls == r->enhanced.cls && l.enhanced.subject == r->enhanced.subject &&
                       l.enhanced.detail == r->enhanced.detail,
                       "line %zu lacks the reply's enhanced code", k);
        if (l.enhanced.cls) {
            FUZZ_CHECK(smtpp_enhanced_valid(l.enhanced), "line %zu: invalid enhanced code", k);
            FUZZ_CHECK(l.enhanced.cls == r->code / 100, "line %zu: enhanced class differs", k);
        }
        if (l.enhanced_ignored) {
            /* the text starts with [245].digits.digits and SP or the end,
             * and that is not a valid code of the reply's class */
            smtpp_enhanced e;
            size_t t = 2, u;
            ignored = 1;
            FUZZ_CHECK(!(flags & SMTPP_REPLY_STRICT_ENHANCED_SYNTAX), "line %zu: ignored when strict", k);
            FUZZ_CHECK(l.enhanced.cls == 0 && r->code / 100 != 3, "line %zu: ignored, code %u", k,
                       r->code);
            FUZZ_CHECK(l.text.n >= 5 && (l.text.p[0] == '2' || l.text.p[0] == '4' || l.text.p[0] == '5') &&
                       l.text.p[1] == '.', "line %zu: ignored without a token", k);
            for (u = 0; u < 2; u++) {
                size_t t0 = t;
                while (t < l.text.n && l.text.p[t] >= '0' && l.text.p[t] <= '9') t++;
                FUZZ_CHECK(t > t0 && (u ? (t == l.text.n || l.text.p[t] == ' ')
                                        : (t < l.text.n && l.text.p[t] == '.')),
                           "line %zu: ignored token malformed", k);
                t++;
            }
            t--;
            FUZZ_CHECK(smtpp_enhanced_parse(l.text.p, t, &e) != t || e.cls != r->code / 100,
                       "line %zu: a valid code was ignored", k);
        }
        if (k && (l.enhanced.cls != enh->cls || l.enhanced.subject != enh->subject ||
                  l.enhanced.detail != enh->detail))
            all_same = 0;
        if (k == 0) *enh = l.enhanced;
        if (k < max) texts[k] = l.text;
        k++;
    }
    FUZZ_CHECK(k == r->nlines, "%zu lines walked, nlines %u", k, r->nlines);
    FUZZ_CHECK(prev_end == r->raw.n, "raw has bytes after the last line");
    FUZZ_CHECK(r->enhanced_ignored == ignored, "reply ignored %u, lines %d", r->enhanced_ignored, ignored);
    if (!all_same) {
        FUZZ_CHECK(r->enhanced.cls == 0, "lines disagree, reply.enhanced present");
        FUZZ_CHECK(r->enhanced_mixed || (flags & SMTPP_REPLY_STRICT_ENHANCED), "lines disagree, not mixed");
        enh->cls = 0xffff; /* no single code: no round trip */
    } else if (enh->cls) {
        FUZZ_CHECK(r->enhanced.cls == enh->cls, "every line has a code, reply.enhanced absent");
    }
    return k;
}

/* format(code, enhanced, texts) and parse it back. */
static void check_format_roundtrip(const smtpp_reply *r, unsigned flags, const smtpp_str *texts,
                                   size_t n, smtpp_enhanced enh)
{
    char e[SMTPP_ENHANCED_MAX], *buf;
    long len, len2;
    smtpp_reply_parser p;
    smtpp_reply r2;
    size_t used = 0, pos = 0, k = 0;
    smtpp_reply_line l;
    if (enh.cls == 0xffff) return;
    if (enh.cls) FUZZ_CHECK(smtpp_enhanced_format(enh, e, sizeof e) > 0, "enhanced_format failed");
    len = smtpp_format_reply(NULL, 0, r->code, enh.cls ? e : NULL, texts, n, SMTPP_FMT_NO_WRAP);
    if (len == SMTPP_FMT_E_TOO_LONG) return; /* lines longer than the formatter writes */
    FUZZ_CHECK(len > 0, "a parsed reply cannot be formatted: %ld (code %u)", len, r->code);
    buf = (char *)malloc((size_t)len);
    if (!buf) abort();
    len2 = smtpp_format_reply(buf, (size_t)len, r->code, enh.cls ? e : NULL, texts, n,
                              SMTPP_FMT_NO_WRAP);
    FUZZ_CHECK(len2 == len, "format: %ld then %ld", len, len2);
    smtpp_reply_parser_init(&p, flags & ~(unsigned)SMTPP_REPLY_LENIENT_BARE_LF);
    p.max_line = 4096;
    p.max_lines = (uint32_t)n + 1;
    FUZZ_CHECK(smtpp_parse_reply(&p, buf, (size_t)len, &r2, &used) == SMTPP_DONE,
               "formatted reply not complete");
    FUZZ_CHECK(used == (size_t)len, "formatted reply: %zu of %ld bytes used", used, len);
    FUZZ_CHECK(r2.error == 0, "formatted reply refused: %s\n%.*s",
               smtpp_reply_error_name((smtpp_reply_error)r2.error), (int)len, buf);
    FUZZ_CHECK(r2.code == r->code && r2.nlines == n, "formatted reply: code or line count differ");
    FUZZ_CHECK(r2.enhanced.cls == r->enhanced.cls && r2.enhanced.subject == r->enhanced.subject &&
               r2.enhanced.detail == r->enhanced.detail, "formatted reply: enhanced code differs");
    FUZZ_CHECK(r2.enhanced_ignored == r->enhanced_ignored, "formatted reply: ignored differs");
    while (smtpp_reply_next_line(&r2, &pos, &l)) {
        FUZZ_CHECK(fuzz_slice_eq(l.text, texts[k]), "formatted reply: line %zu text differs:\n%.*s",
                   k, (int)len, buf);
        k++;
    }
    free(buf);
}

typedef struct cfg {
    unsigned flags;
    uint32_t max_line, max_lines;
} cfg;

static void feed(const char *in, size_t n, const cfg *c, uint32_t chunk_max, uint32_t seed,
                 dbuf *d, int deep)
{
    smtpp_reply_parser p;
    char *acc = (char *)malloc(n + 1);
    size_t have = 0, fed = 0, consumed = 0;
    smtpp_reply out, untouched;
    if (!acc) abort();
    smtpp_reply_parser_init(&p, c->flags);
    if (c->max_line) p.max_line = c->max_line;
    if (c->max_lines) p.max_lines = c->max_lines;
    memset(&untouched, 0xA5, sizeof untouched);
    while (fed < n) {
        size_t chunk = chunk_max ? 1 + fuzz_rand(&seed) % chunk_max : n - fed;
        if (chunk > n - fed) chunk = n - fed;
        memcpy(acc + have, in + fed, chunk);
        have += chunk;
        fed += chunk;
        for (;;) {
            size_t used = (size_t)-1;
            char *r = fuzz_dup(acc, have);
            int rc;
            memcpy(&out, &untouched, sizeof out);
            rc = smtpp_parse_reply(&p, have ? r : NULL, have, &out, &used);
            FUZZ_CHECK(rc == SMTPP_DONE || rc == SMTPP_AGAIN, "result %d", rc);
            FUZZ_CHECK(used <= have, "used %zu > len %zu", used, have);
            if (rc == SMTPP_DONE) {
                FUZZ_CHECK(out.error < SMTPP_RE__COUNT, "error %u", out.error);
                FUZZ_CHECK(fuzz_slice_in(out.raw, r, r + used), "raw outside the used bytes");
                if (out.error == 0) {
                    smtpp_str texts[128];
                    smtpp_enhanced enh = { 0, 0, 0 };
                    size_t k;
                    /* (bytes of a broken reply may be discarded before it) */
                    FUZZ_CHECK(out.raw.p + out.raw.n == r + used, "good reply does not end at used");
                    k = check_good_reply(&out, c->flags, texts, &enh, 128);
                    if (deep && k <= 128) check_format_roundtrip(&out, c->flags, texts, k, enh);
                } else {
                    FUZZ_CHECK(!out.first.p || out.error == 0, "first present on an error");
                }
                describe_reply(d, &out);
            } else {
                FUZZ_CHECK(memcmp(&out, &untouched, sizeof out) == 0, "AGAIN wrote into *out");
            }
            free(r);
            memmove(acc, acc + used, have - used);
            have -= used;
            consumed += used;
            if (rc == SMTPP_AGAIN) break;
        }
    }
    FUZZ_CHECK(consumed + have == n, "consumed %zu + unconsumed %zu != %zu", consumed, have, n);
    {
        int fin = smtpp_reply_parser_finish(&p, have);
        char t[32];
        FUZZ_CHECK(fin == 0 || fin == 1, "finish %d", fin);
        if (have) FUZZ_CHECK(fin == 1, "finish 0 with %zu unconsumed bytes", have);
        snprintf(t, sizeof t, "FINISH %d\n", fin);
        dputs(d, t);
    }
    free(acc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cfg c;
    uint32_t chunk_max, seed;
    dbuf whole = { desc_whole, 0, sizeof desc_whole };
    dbuf split = { desc_split, 0, sizeof desc_split };
    if (size < HDR) return 0;
    c.flags = data[0] & 15u;
    c.max_line = (data[0] & 0x80u) ? 16u + 4u * data[1] : 0;
    c.max_lines = (data[0] & 0x80u) ? 1u + data[2] % 32u : 0;
    chunk_max = (uint32_t)data[3] + 1u;
    seed = (uint32_t)data[4] * 0x01000193u + 1u;
    desc_whole[0] = desc_split[0] = 0;
    feed((const char *)data + HDR, size - HDR, &c, 0, 0, &whole, 1);
    feed((const char *)data + HDR, size - HDR, &c, chunk_max, seed, &split, 0);
    if (strcmp(desc_whole, desc_split) != 0) {
        fprintf(stderr, "whole:\n%s\nchunked (max %u):\n%s\n", desc_whole, (unsigned)chunk_max,
                desc_split);
        FUZZ_FAIL("chunked feeding gives different results");
    }
    /* The fast lane (parser/reply.re) takes a line only with 64 octets
     * readable from its start and not looked at before.  The input followed
     * by a long reply line, whole, gives every line of it those octets; one
     * octet at a time, never.  Both must agree. */
    {
        static char padded[8192 + 512];
        size_t pn = fuzz_padded(padded, sizeof padded, (const char *)data + HDR, size - HDR,
                                "\r\n250 ", 200);
        if (!pn) return 0;
        desc_whole[0] = desc_split[0] = 0;
        whole = (dbuf){ desc_whole, 0, sizeof desc_whole };
        split = (dbuf){ desc_split, 0, sizeof desc_split };
        feed(padded, pn, &c, 0, 0, &whole, 0);
        feed(padded, pn, &c, 1, seed, &split, 0);
        if (strcmp(desc_whole, desc_split) != 0) {
            fprintf(stderr, "padded whole:\n%s\nbyte by byte:\n%s\n", desc_whole, desc_split);
            FUZZ_FAIL("fast lane and general path differ");
        }
    }
    return 0;
}
