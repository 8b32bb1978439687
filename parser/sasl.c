/* AUTH PLAIN (RFC 4616): splitting the decoded message into its three
 * fields, without copying. */
#include "internal.h"

#include <string.h>

/* 1 when s[0..n) is well-formed UTF-8 (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF).  NUL never occurs here: the fields
 * are split at NULs. */
static int utf8_ok(const uchar *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uchar c = s[i];
        size_t k, need;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) need = 1, cp = c & 0x1fu;
        else if (c >= 0xe0 && c <= 0xef) need = 2, cp = c & 0x0fu;
        else if (c >= 0xf0 && c <= 0xf4) need = 3, cp = c & 0x07u;
        else return 0;   /* a continuation byte, 0xc0, 0xc1 or 0xf5.. */
        if (n - i - 1 < need) return 0;
        for (k = 1; k <= need; k++) {
            if ((s[i + k] & 0xc0) != 0x80) return 0;
            cp = (cp << 6) | (s[i + k] & 0x3fu);
        }
        if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += need + 1;
    }
    return 1;
}

smtpp_plain_result smtpp_sasl_plain(const char *msg, size_t n, smtpp_plain *out)
{
    const char *a, *b;
    smtpp_plain r;
    smtpp_plain_result e = SMTPP_PLAIN_OK;
    memset(out, 0, sizeof *out);
    a = n ? (const char *)memchr(msg, 0, n) : NULL;
    b = a ? (const char *)memchr(a + 1, 0, n - (size_t)(a + 1 - msg)) : NULL;
    if (!a || !b || memchr(b + 1, 0, n - (size_t)(b + 1 - msg))) return SMTPP_PLAIN_E_FORMAT;
    r.authzid = (smtpp_str){ msg, (size_t)(a - msg) };
    r.authcid = (smtpp_str){ a + 1, (size_t)(b - a - 1) };
    r.passwd = (smtpp_str){ b + 1, n - (size_t)(b + 1 - msg) };
    if (!r.authcid.n || !r.passwd.n) e = SMTPP_PLAIN_E_EMPTY;
    else if (r.authzid.n > 255 || r.authcid.n > 255) e = SMTPP_PLAIN_E_TOO_LONG;
    else if (!utf8_ok((const uchar *)r.authzid.p, r.authzid.n) ||
             !utf8_ok((const uchar *)r.authcid.p, r.authcid.n) ||
             !utf8_ok((const uchar *)r.passwd.p, r.passwd.n))
        e = SMTPP_PLAIN_E_UTF8;
    if (e == SMTPP_PLAIN_OK) *out = r;
    return e;
}

const char *smtpp_plain_result_name(smtpp_plain_result r)
{
    static const char *const names[] = {
        "SMTPP_PLAIN_OK", "SMTPP_PLAIN_E_FORMAT", "SMTPP_PLAIN_E_EMPTY", "SMTPP_PLAIN_E_UTF8",
        "SMTPP_PLAIN_E_TOO_LONG"
    };
    return (unsigned)r < sizeof names / sizeof names[0] ? names[r] : "";
}
