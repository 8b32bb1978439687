/* Fuzz target for the stand-alone validators smtpp_parse_path and
 * smtpp_check_domain.
 *
 * Input layout:
 *   byte 0   option flags (bits 0-6, enum smtpp_option); bit 7: allow_utf8
 *   rest     the path (for smtpp_parse_path) and the domain (for
 *            smtpp_check_domain): both run on every input; several inputs
 *            may be separated by FUZZ_SEP (fuzz.h)
 *
 * Oracles:
 *   - every slice of an accepted path lies inside the input and they nest;
 *   - an accepted path is accepted inside a command ("RCPT TO:" path, or
 *     "MAIL FROM:" for the null path) with the same fields, and a command
 *     without parameters accepted there is accepted stand-alone;
 *   - the domain of an accepted path passes smtpp_check_domain with the same
 *     kind; a domain accepted by smtpp_check_domain is accepted by EHLO
 *     (without UTF-8) and inside a path, with the same kind, and vice versa;
 *   - without allow_utf8 nothing accepted has octets >= 0x80; what is
 *     accepted is well-formed UTF-8;
 *   - address literals against inet_pton: an accepted IPv6 literal without
 *     an embedded IPv4 part is valid for inet_pton, and an inet_pton-valid
 *     one within RFC 5321's group counts is accepted; an accepted IPv4
 *     literal has four numbers 0-255.
 */
#define _POSIX_C_SOURCE 200809L
#include "fuzz.h"

#include <arpa/inet.h>

static int has_byte(const char *s, size_t n, int c) { return memchr(s, c, n) != NULL; }


static int has_high(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if ((uint8_t)s[i] >= 0x80) return 1;
    return 0;
}

/* Parses line[0..n) as one command with flags; returns the first result. */
static int parse_line(const char *line, size_t n, unsigned flags, smtpp_command *c)
{
    smtpp_parser p;
    size_t used;
    smtpp_parser_init(&p, flags);
    p.max_line = 2048;
    return smtpp_parse_command(&p, line, n, c, &used);
}

static void check_literal(const char *s, size_t n, int kind)
{
    char tmp[300];
    unsigned char bin[16];
    if (!s || n >= sizeof tmp || (kind != SMTPP_DOMAIN_IPV4 && kind != SMTPP_DOMAIN_IPV6)) return;
    memcpy(tmp, s, n);
    tmp[n] = 0;
    if (kind == SMTPP_DOMAIN_IPV6 && !has_byte(s, n, '.'))
        FUZZ_CHECK(inet_pton(AF_INET6, tmp, bin) == 1, "IPv6 literal [%s] refused by inet_pton",
                   tmp);
    if (kind == SMTPP_DOMAIN_IPV4) {
        unsigned part = 0, v = 0, nd = 0;
        size_t i;
        for (i = 0; i <= n; i++) {
            if (i == n || s[i] == '.') {
                FUZZ_CHECK(nd >= 1 && nd <= 3 && v <= 255, "IPv4 literal [%s]", tmp);
                part++;
                v = nd = 0;
            } else {
                FUZZ_CHECK(s[i] >= '0' && s[i] <= '9', "IPv4 literal [%s]", tmp);
                v = v * 10 + (unsigned)(s[i] - '0');
                nd++;
            }
        }
        FUZZ_CHECK(part == 4, "IPv4 literal [%s] with %u parts", tmp, part);
    }
}

/* Converse for IPv6: a string inet_pton takes, without '.', with at most 8
 * groups of 1-4 hex digits (6 when compressed), must be accepted. */
static void check_ipv6_converse(const char *s, size_t n)
{
    char tmp[64], lit[80];
    unsigned char bin[16];
    size_t i, groups = 0, nd = 0;
    int comp = 0;
    smtpp_domain_kind k;
    smtpp_error e;
    if (n == 0 || n >= sizeof tmp || has_byte(s, n, '.')) return;
    memcpy(tmp, s, n);
    tmp[n] = 0;
    if (strlen(tmp) != n || inet_pton(AF_INET6, tmp, bin) != 1) return;
    for (i = 0; i <= n; i++) {
        if (i == n || s[i] == ':') {
            if (nd) groups++;
            nd = 0;
        } else {
            nd++;
        }
    }
    comp = strstr(tmp, "::") != NULL;
    if (comp ? groups > 6 : groups != 8) return;
    snprintf(lit, sizeof lit, "[IPv6:%s]", tmp);
    e = smtpp_check_domain(lit, strlen(lit), 0, &k);
    FUZZ_CHECK(e == SMTPP_E_OK && k == SMTPP_DOMAIN_IPV6, "%s (valid for inet_pton) refused: %s",
               lit, smtpp_error_name(e));
}

static void fuzz_path(const char *s, size_t n, unsigned flags, int allow_utf8)
{
    smtpp_path pa;
    smtpp_error e = smtpp_parse_path(s, n, flags, allow_utf8, &pa);
    char line[1024];
    size_t ln;
    smtpp_command c;
    int cmd_ok, use_mail;

    FUZZ_CHECK(e < SMTPP_E__COUNT, "error %d", (int)e);
    if (e == SMTPP_E_OK) {
        const char *hi = s + n;
#define IN(f) FUZZ_CHECK(fuzz_slice_in(pa.f, s, hi), "slice %s outside the input", #f)
        IN(raw);
        IN(route);
        IN(mailbox);
        IN(local);
        IN(domain);
        IN(literal);
#undef IN
        FUZZ_CHECK(pa.kind != SMTPP_PATH_NONE, "accepted path without kind");
        FUZZ_CHECK(fuzz_slice_within(pa.mailbox, pa.raw) && fuzz_slice_within(pa.route, pa.raw) &&
                   fuzz_slice_within(pa.local, pa.mailbox) &&
                   fuzz_slice_within(pa.domain, pa.mailbox) &&
                   fuzz_slice_within(pa.literal, pa.domain),
                   "path slices do not nest");
        FUZZ_CHECK(allow_utf8 || !has_high(s, n), "8-bit path accepted without allow_utf8");
        FUZZ_CHECK(fuzz_utf8_ok((const uint8_t *)s, n), "accepted path is not UTF-8");
        FUZZ_CHECK(!has_byte(s, n, 0) && !has_byte(s, n, '\n'), "NUL or LF accepted in a path");
        if (pa.kind == SMTPP_PATH_MAILBOX) {
            smtpp_domain_kind k;
            e = smtpp_check_domain(pa.domain.p, pa.domain.n, allow_utf8, &k);
            FUZZ_CHECK(e == SMTPP_E_OK && (int)k == pa.domain_kind,
                       "path domain refused by smtpp_check_domain: %s", smtpp_error_name(e));
            check_literal(pa.literal.p, pa.literal.n, pa.domain_kind);
        }
    }

    /* the same path inside a command */
    if (n > 900 || has_byte(s, n, '\n')) return;
    use_mail = (e == SMTPP_E_OK && pa.kind == SMTPP_PATH_NULL);
    ln = (size_t)snprintf(line, sizeof line, "%s", use_mail ? "MAIL FROM:" : "RCPT TO:");
    memcpy(line + ln, s, n);
    ln += n;
    line[ln++] = '\r';
    line[ln++] = '\n';
    {
        char *exact = fuzz_dup(line, ln);
        int rc = parse_line(exact, ln, flags, &c);
        FUZZ_CHECK(rc == SMTPP_DONE, "a whole line not parsed");
        cmd_ok = (c.error == SMTPP_E_OK);
        if (e == SMTPP_E_OK) {
            FUZZ_CHECK(cmd_ok, "path accepted stand-alone, refused in %s: %s at %u",
                       use_mail ? "MAIL" : "RCPT", smtpp_error_name((smtpp_error)c.error),
                       c.error_offset);
            FUZZ_CHECK(c.path.kind == pa.kind && c.path.domain_kind == pa.domain_kind &&
                       c.path.quoted == pa.quoted && c.path.utf8 == pa.utf8,
                       "path fields differ inside a command");
#define SAME(f) FUZZ_CHECK(fuzz_slice_eq(c.path.f, pa.f) && \
                           (!pa.f.p || c.path.f.p - exact == pa.f.p - s + (use_mail ? 10 : 8)), \
                           "path slice %s differs inside a command", #f)
            SAME(raw);
            SAME(route);
            SAME(mailbox);
            SAME(local);
            SAME(domain);
            SAME(literal);
#undef SAME
        } else if (cmd_ok && c.nparams == 0 && (allow_utf8 || !c.path.utf8) &&
                   e != SMTPP_E_PATH_TOO_LONG && !(n && s[0] == ' ')) {
            /* (spaces before the path belong to "TO:" under
             * SMTPP_LENIENT_SPACE_AFTER_COLON, not to the path) */
            FUZZ_FAIL("path refused stand-alone (%s), accepted in RCPT", smtpp_error_name(e));
        }
        free(exact);
    }
}

static void fuzz_domain(const char *s, size_t n, int allow_utf8)
{
    smtpp_domain_kind k = SMTPP_DOMAIN_NONE;
    smtpp_error e = smtpp_check_domain(s, n, allow_utf8, &k);
    char line[600];
    size_t ln;
    smtpp_command c;
    smtpp_path pa;

    FUZZ_CHECK(e < SMTPP_E__COUNT, "error %d", (int)e);
    if (e == SMTPP_E_OK) {
        FUZZ_CHECK(k >= SMTPP_DOMAIN_NAME && k <= SMTPP_DOMAIN_GENERAL, "kind %d", (int)k);
        FUZZ_CHECK(n >= 1 && n <= 255, "domain of %zu octets accepted", n);
        FUZZ_CHECK(allow_utf8 || !has_high(s, n), "8-bit domain accepted without allow_utf8");
        FUZZ_CHECK(fuzz_utf8_ok((const uint8_t *)s, n), "accepted domain is not UTF-8");
    }
    if (n > 255 || has_byte(s, n, '\n')) return;
    if (e == SMTPP_E_OK && k == SMTPP_DOMAIN_IPV6) check_literal(s + 6, n - 7, k);
    if (e == SMTPP_E_OK && k == SMTPP_DOMAIN_IPV4) check_literal(s + 1, n - 2, k);
    if (n > 7 && memcmp(s, "[IPv6:", 6) == 0 && s[n - 1] == ']')
        check_ipv6_converse(s + 6, n - 7);

    /* EHLO takes exactly the ASCII domains and literals */
    ln = (size_t)snprintf(line, sizeof line, "EHLO ");
    memcpy(line + ln, s, n);
    ln += n;
    line[ln++] = '\r';
    line[ln++] = '\n';
    {
        char *exact = fuzz_dup(line, ln);
        smtpp_error e0 = smtpp_check_domain(s, n, 0, NULL);
        FUZZ_CHECK(parse_line(exact, ln, 0, &c) == SMTPP_DONE, "a whole line not parsed");
        FUZZ_CHECK((c.error == SMTPP_E_OK) == (e0 == SMTPP_E_OK),
                   "EHLO says %s, smtpp_check_domain (no UTF-8) says %s",
                   smtpp_error_name((smtpp_error)c.error), smtpp_error_name(e0));
        free(exact);
    }
    /* and a path's domain takes the same ones (UTF-8 allowed there) */
    ln = 0;
    line[ln++] = '<';
    line[ln++] = 'a';
    line[ln++] = '@';
    memcpy(line + ln, s, n);
    ln += n;
    line[ln++] = '>';
    {
        smtpp_error e1 = smtpp_check_domain(s, n, 1, &k);
        smtpp_error ep = smtpp_parse_path(line, ln, 0, 1, &pa);
        if (ep != SMTPP_E_PATH_TOO_LONG && ep != SMTPP_E_DOMAIN_TOO_LONG &&
            e1 != SMTPP_E_DOMAIN_TOO_LONG)
            FUZZ_CHECK((ep == SMTPP_E_OK) == (e1 == SMTPP_E_OK) &&
                       (ep != SMTPP_E_OK || (int)k == pa.domain_kind),
                       "domain: in a path %s, stand-alone %s", smtpp_error_name(ep),
                       smtpp_error_name(e1));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned flags;
    int allow_utf8;
    size_t pos = 1, n;
    const uint8_t *item;
    if (size < 1) return 0;
    flags = data[0] & 0x7fu;
    allow_utf8 = data[0] >> 7;
    while (fuzz_next_item(data, size, &pos, &item, &n)) {
        char *s = fuzz_dup(item, n); /* exact size: over-reads are caught */
        fuzz_path(s, n, flags, allow_utf8);
        fuzz_domain(s, n, allow_utf8);
        free(s);
    }
    return 0;
}
