/* Fuzz target for the EHLO capability parser (smtpp_ehlo_parse,
 * smtpp_ehlo_next, smtpp_ehlo_next_unknown, smtpp_ext_lookup,
 * smtpp_auth_mech_bit) and the EHLO formatter (smtpp_format_ehlo).
 *
 * Input layout:
 *   byte 0   reply parser flags (bits 0-2, enum smtpp_reply_option)
 *   rest     a server's reply stream; every good reply in it is read as
 *            an EHLO reply
 *
 * Oracles:
 *   - smtpp_ehlo_parse succeeds exactly on good 250 replies;
 *   - every slice lies inside the reply;
 *   - the capability lines walked with smtpp_ehlo_next are the reply's lines
 *     after the first; the extension bits are exactly those of the
 *     well-formed known keywords; nunknown counts the unknown ones, which
 *     smtpp_ehlo_next_unknown walks; nbad is at least the malformed lines;
 *     auth_mechs is the union of smtpp_auth_mech_bit over the AUTH words;
 *     smtpp_ext_lookup and smtpp_ext_name agree;
 *   - round trip: smtpp_format_ehlo of the parsed struct (unknown lines as
 *     extra lines) parses back to the same domain, greeting, extensions,
 *     mechanisms, sizes, limits and extension parameters.
 */
#include "fuzz.h"

#include <ctype.h>

static int ieq(smtpp_str a, const char *b)
{
    size_t i, n = strlen(b);
    if (!a.p || a.n != n) return 0;
    for (i = 0; i < n; i++)
        if (toupper((unsigned char)a.p[i]) != toupper((unsigned char)b[i])) return 0;
    return 1;
}

static void check_ehlo(const smtpp_reply *r, const smtpp_ehlo *e)
{
    size_t pos = 0, nlines = 0, nunknown = 0, nbadl = 0, nunk_walk = 0;
    uint32_t exts = 0, mechs = 0;
    smtpp_ehlo_line l;
    const char *lo = r->raw.p, *hi = r->raw.p + r->raw.n;
#define IN(s) FUZZ_CHECK(fuzz_slice_in(e->s, lo, hi), "ehlo.%s outside the reply", #s)
    IN(domain);
    IN(greet);
    IN(auth);
    IN(mt_priority);
    IN(futurerelease_datetime);
    IN(xclient);
    IN(xforward);
    IN(limits);
#undef IN
    while (smtpp_ehlo_next(e, &pos, &l)) {
        FUZZ_CHECK(fuzz_slice_in(l.keyword, lo, hi) && fuzz_slice_in(l.params, lo, hi),
                   "capability line slices outside the reply");
        FUZZ_CHECK(l.ext >= -1 && l.ext < SMTPP_EXT__COUNT, "ext %d", l.ext);
        if (l.bad) {
            nbadl++;
        } else if (l.ext < 0) {
            nunknown++;
            FUZZ_CHECK(smtpp_ext_lookup(l.keyword) == -1, "unknown keyword found by lookup");
        } else {
            exts |= 1u << l.ext;
            FUZZ_CHECK(smtpp_ext_lookup(l.keyword) == l.ext, "lookup disagrees");
            FUZZ_CHECK(ieq(l.keyword, smtpp_ext_name((smtpp_ext)l.ext)), "name disagrees");
            if (l.ext == SMTPP_EXT_AUTH) {
                size_t wp = 0;
                smtpp_str w;
                while (smtpp_next_word(l.params, &wp, &w)) mechs |= smtpp_auth_mech_bit(w);
            }
        }
        FUZZ_CHECK(!l.legacy || l.ext == SMTPP_EXT_AUTH, "legacy flag on a non-AUTH line");
        nlines++;
        FUZZ_CHECK(nlines < r->nlines, "more capability lines than reply lines");
    }
    FUZZ_CHECK(nlines + 1 == r->nlines, "%zu capability lines in a reply of %u", nlines, r->nlines);
    FUZZ_CHECK(exts == e->exts, "exts 0x%x, lines say 0x%x", (unsigned)e->exts, (unsigned)exts);
    FUZZ_CHECK(nunknown == e->nunknown, "nunknown %u, lines say %zu", e->nunknown, nunknown);
    FUZZ_CHECK(e->nbad >= nbadl, "nbad %u < %zu malformed lines", e->nbad, nbadl);
    FUZZ_CHECK(mechs == e->auth_mechs, "auth_mechs 0x%x, words say 0x%x", (unsigned)e->auth_mechs,
               (unsigned)mechs);
    pos = 0;
    while (smtpp_ehlo_next_unknown(e, &pos, &l)) {
        FUZZ_CHECK(l.ext == -1 && !l.bad, "next_unknown returned a known or bad line");
        nunk_walk++;
    }
    FUZZ_CHECK(nunk_walk == nunknown, "next_unknown walked %zu of %zu", nunk_walk, nunknown);
}

static int same_str(smtpp_str a, smtpp_str b)
{
    /* absent and empty are the same for a formatted field */
    if (!a.n && !b.n) return 1;
    return fuzz_slice_eq(a, b);
}

/* 1 when s starts like an enhanced status code followed by a space or the
 * line end: the formatter refuses such a domain or line (998ba0e; it used to
 * write it, and the reply parser read it back as a code:
 * regressions/ehlo/format-ehlo-domain-read-back-as-enhanced-code). */
static int looks_enhanced(const char *s, size_t n)
{
    smtpp_enhanced x;
    size_t k = smtpp_enhanced_parse(s, n, &x);
    (void)x;
    if (k == 0 && n >= 5 && s[0] >= '0' && s[0] <= '9' && s[1] == '.') return 1;
    return k > 0 && (k == n || s[k] == ' ' || s[k] == '\r' || s[k] == '\n');
}

static void check_roundtrip(const smtpp_ehlo *e, unsigned pflags)
{
    smtpp_str extra[128];
    char ebuf[128][600];
    size_t nextra = 0, pos = 0;
    smtpp_ehlo_line l;
    long len;
    char *buf;
    smtpp_reply_parser p;
    smtpp_reply r2;
    smtpp_ehlo e2;
    size_t used;

    if (!e->domain.p || !e->domain.n) return;
    while (smtpp_ehlo_next_unknown(e, &pos, &l)) {
        size_t n = 0;
        if (nextra == 128 || l.keyword.n + l.params.n + 1 > sizeof ebuf[0]) return;
        memcpy(ebuf[nextra], l.keyword.p, l.keyword.n);
        n = l.keyword.n;
        if (l.params.p) {
            ebuf[nextra][n++] = ' ';
            memcpy(ebuf[nextra] + n, l.params.p, l.params.n);
            n += l.params.n;
        }
        extra[nextra].p = ebuf[nextra];
        extra[nextra].n = n;
        nextra++;
    }
    len = smtpp_format_ehlo(NULL, 0, e, extra, nextra);
    if (SMTPP_EHLO_HAS(e, SMTPP_EXT_FUTURERELEASE) && !e->futurerelease_given) {
        /* a FUTURERELEASE line without its two maxima (the parser counted
         * it in nbad) cannot be written (RFC 4865 3): refused before any
         * line is checked */
        FUZZ_CHECK(len == SMTPP_FMT_E_ARG, "bare FUTURERELEASE formatted: %ld", len);
        return;
    }
    if (len == SMTPP_FMT_E_TOO_LONG || len == SMTPP_FMT_E_CHAR) return;
    if (len == SMTPP_FMT_E_ARG) {
        /* refused by design: a domain or line that would read back as an
         * enhanced status code (reply.h, smtpp_format_ehlo) */
        size_t i;
        int code_like = looks_enhanced(e->domain.p, e->domain.n);
        for (i = 0; i < nextra && !code_like; i++)
            code_like = looks_enhanced(extra[i].p, extra[i].n);
        FUZZ_CHECK(code_like, "parsed EHLO reply refused as a bad argument");
        return;
    }
    FUZZ_CHECK(len > 0, "parsed EHLO reply cannot be formatted: %ld", len);
    buf = (char *)malloc((size_t)len);
    if (!buf) abort();
    FUZZ_CHECK(smtpp_format_ehlo(buf, (size_t)len, e, extra, nextra) == len, "format length changed");
    smtpp_reply_parser_init(&p, pflags & ~(unsigned)SMTPP_REPLY_LENIENT_BARE_LF);
    p.max_lines = 1000;
    used = 0;
    FUZZ_CHECK(smtpp_parse_reply(&p, buf, (size_t)len, &r2, &used) == SMTPP_DONE && used == (size_t)len &&
               r2.error == 0,
               "formatted EHLO reply does not parse:\n%.*s", (int)len, buf);
    FUZZ_CHECK(smtpp_ehlo_parse(&r2, &e2) == 0, "formatted EHLO reply refused");
#define SAME(f) FUZZ_CHECK(e->f == e2.f, "round trip: %s differs:\n%.*s", #f, (int)len, buf)
#define SAMES(f) FUZZ_CHECK(same_str(e->f, e2.f), "round trip: %s differs:\n%.*s", #f, (int)len, buf)
    SAMES(domain);
    SAMES(greet);
    SAME(exts);
    {
        /* the formatter writes one AUTH line, e->auth (or the names of the
         * known bits): mechanisms of a legacy "AUTH=" line or of an earlier
         * AUTH line are not in it */
        uint32_t want = e->auth_mechs & ~(uint32_t)SMTPP_AUTH_OTHER;
        if (e->auth.p) {
            size_t wp = 0;
            smtpp_str w;
            want = 0;
            while (smtpp_next_word(e->auth, &wp, &w)) want |= smtpp_auth_mech_bit(w);
        }
        if (SMTPP_EHLO_HAS(e, SMTPP_EXT_AUTH))
            FUZZ_CHECK(e2.auth_mechs == want, "round trip: auth_mechs 0x%x, want 0x%x:\n%.*s",
                       (unsigned)e2.auth_mechs, (unsigned)want, (int)len, buf);
    }
    SAME(size_given);
    if (e->size_given) SAME(size);
    SAME(futurerelease_given);
    if (e->futurerelease_given) {
        SAME(futurerelease_interval);
        SAMES(futurerelease_datetime);
    }
    SAME(deliverby_given);
    if (e->deliverby_given) SAME(deliverby_min);
    SAMES(mt_priority);
    SAMES(xclient);
    SAMES(xforward);
    if (!e->limits.p) {
        /* (with a LIMITS string the formatter writes it, and the numbers
         * may come from an earlier LIMITS line) */
        SAME(limits_rcptmax);
        SAME(limits_mailmax);
        SAME(limits_rcptdomainmax);
    }
    SAME(nunknown);
#undef SAME
#undef SAMES
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    smtpp_reply_parser p;
    char *in;
    size_t n, off = 0;
    if (size < 1) return 0;
    in = fuzz_dup(data + 1, size - 1);
    n = size - 1;
    smtpp_reply_parser_init(&p, data[0] & 7u);
    for (;;) {
        smtpp_reply r;
        smtpp_ehlo e;
        size_t used = 0;
        int rc, ok;
        rc = smtpp_parse_reply(&p, n - off ? in + off : NULL, n - off, &r, &used);
        if (rc == SMTPP_AGAIN) break;
        ok = smtpp_ehlo_parse(&r, &e);
        FUZZ_CHECK((ok == 0) == (r.error == 0 && r.code == 250), "ehlo_parse %d on code %u error %u",
                   ok, r.code, r.error);
        if (ok == 0) {
            check_ehlo(&r, &e);
            check_roundtrip(&e, data[0] & 7u);
        }
        off += used;
    }
    free(in);
    return 0;
}
