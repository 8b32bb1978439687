/* Fuzz target for the decoders smtpp_xtext_decode, smtpp_local_decode and
 * smtpp_base64_decode.  The whole input is given to each (several inputs may
 * be separated by FUZZ_SEP, fuzz.h).
 *
 * Oracles:
 *   - xtext and base64 against reference decoders written here from RFC 3461
 *     4 and RFC 4648 (padding required, canonical unused bits, "=" alone is
 *     the empty string): same verdict, same bytes;
 *   - round trips: decode(encode(x)) == x for any bytes x; encode(decode(s))
 *     == s for a valid base64 s and for a valid xtext s whose "+HH" escapes
 *     are all necessary;
 *   - local parts: decoding never grows the input; a dot-string is copied as
 *     is; a local part accepted by smtpp_parse_path decodes; the decoded form
 *     re-quoted decodes to the same bytes;
 *   - the capacity contract: with exactly the decoded length the result is
 *     the same (written into a block of exactly that size, so an overflow is
 *     caught), with one byte less it is -2; a malformed input gives -1 or -2
 *     for every capacity.
 */
#include "fuzz.h"

/* ---- reference decoders ----------------------------------------------------- */

static int hexd(uint8_t c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Returns the decoded length or -1; out has room for n bytes. */
static long ref_xtext(const uint8_t *s, size_t n, uint8_t *out, int *canonical)
{
    size_t i = 0, o = 0;
    *canonical = 1;
    while (i < n) {
        if (s[i] == '+') {
            int v;
            if (n - i < 3) return -1;
            if (hexd(s[i + 1]) < 0 || hexd(s[i + 2]) < 0) return -1;
            v = hexd(s[i + 1]) * 16 + hexd(s[i + 2]);
            /* necessary only for what xchar excludes */
            if (v >= 0x21 && v <= 0x7e && v != '+' && v != '=') *canonical = 0;
            out[o++] = (uint8_t)v;
            i += 3;
        } else if (s[i] >= 0x21 && s[i] <= 0x7e && s[i] != '=') {
            out[o++] = s[i++];
        } else {
            return -1;
        }
    }
    return (long)o;
}

static int b64d(uint8_t c)
{
    static const char tab[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = c ? strchr(tab, c) : NULL;
    return p ? (int)(p - tab) : -1;
}

static long ref_base64(const uint8_t *s, size_t n, uint8_t *out)
{
    size_t i, o = 0;
    if (n == 1 && s[0] == '=') return 0;
    if (n % 4) return -1;
    for (i = 0; i < n; i += 4) {
        int v[4], k, pad = 0;
        uint32_t w = 0;
        for (k = 0; k < 4; k++) {
            if (s[i + k] == '=') {
                /* only at the end: "xx==" or "xxx=" */
                if (i + 4 != n || k < 2) return -1;
                if (k == 2 && s[i + 3] != '=') return -1;
                pad = 4 - k;
                break;
            }
            v[k] = b64d(s[i + k]);
            if (v[k] < 0) return -1;
        }
        for (k = 0; k < 4 - pad; k++) w |= (uint32_t)v[k] << (18 - 6 * k);
        if (pad == 2 && (w & 0xffff)) return -1; /* non-canonical */
        if (pad == 1 && (w & 0xff)) return -1;
        out[o++] = (uint8_t)(w >> 16);
        if (pad < 2) out[o++] = (uint8_t)(w >> 8);
        if (pad < 1) out[o++] = (uint8_t)w;
    }
    return (long)o;
}

/* ---- the capacity contract ------------------------------------------------- */

typedef long (*decoder)(smtpp_str, char *, size_t);

/* Runs dec with an ample buffer, an exact one and a short one.  Returns the
 * ample result; the decoded bytes are in out (room for n + 1 bytes). */
static long run_caps(decoder dec, const char *name, smtpp_str src, char *out)
{
    long r = dec(src, out, src.n + 1), r2;
    FUZZ_CHECK(r >= -2, "%s: result %ld", name, r);
    FUZZ_CHECK(r != -2, "%s: -2 with a buffer as large as the input", name);
    if (r >= 0) {
        char *exact = (char *)malloc(r ? (size_t)r : 1);
        if (!exact) abort();
        FUZZ_CHECK((size_t)r <= src.n, "%s: output longer than input", name);
        r2 = dec(src, exact, (size_t)r);
        FUZZ_CHECK(r2 == r && memcmp(exact, out, (size_t)r) == 0,
                   "%s: exact capacity gives %ld, not %ld", name, r2, r);
        if (r > 0) {
            r2 = dec(src, exact, (size_t)r - 1);
            FUZZ_CHECK(r2 == -2, "%s: capacity %ld gives %ld, not -2", name, r - 1, r2);
        }
        r2 = dec(src, NULL, 0);
        FUZZ_CHECK(r2 == (r ? -2 : 0), "%s: capacity 0 gives %ld", name, r2);
        free(exact);
    } else {
        size_t cap;
        for (cap = 0; cap <= src.n && cap < 8; cap++) {
            char small[8];
            r2 = dec(src, small, cap);
            FUZZ_CHECK(r2 == -1 || r2 == -2, "%s: malformed input, capacity %zu gives %ld", name,
                       cap, r2);
        }
    }
    return r;
}

/* ---- the three decoders ----------------------------------------------------- */

static void fuzz_xtext(const uint8_t *data, size_t n)
{
    smtpp_str src = { (const char *)data, n };
    char *out = (char *)malloc(n + 1), *enc;
    uint8_t *ref = (uint8_t *)malloc(n + 1);
    int canonical;
    long r, rr;
    size_t en;
    if (!out || !ref) abort();
    r = run_caps(smtpp_xtext_decode, "xtext", src, out);
    rr = ref_xtext(data, n, ref, &canonical);
    FUZZ_CHECK(r == rr && (r < 0 || memcmp(out, ref, (size_t)r) == 0),
               "xtext: %ld, reference %ld", r, rr);
    if (r >= 0 && canonical) {
        enc = (char *)malloc((size_t)r * 3 + 1);
        if (!enc) abort();
        en = fuzz_xtext_encode((const uint8_t *)out, (size_t)r, enc, (size_t)r * 3 + 1);
        FUZZ_CHECK(en == n && memcmp(enc, data, n) == 0, "xtext: re-encoding differs");
        free(enc);
    }
    /* decode(encode(bytes)) */
    enc = (char *)malloc(n * 3 + 1);
    if (!enc) abort();
    en = fuzz_xtext_encode(data, n, enc, n * 3 + 1);
    {
        smtpp_str e = { enc, en };
        char *back = (char *)malloc(n + 1);
        if (!back) abort();
        r = smtpp_xtext_decode(e, back, n);
        FUZZ_CHECK(r == (long)n && memcmp(back, data, n) == 0, "xtext: decode(encode(x)) != x");
        free(back);
    }
    free(enc);
    free(out);
    free(ref);
}

static void fuzz_base64(const uint8_t *data, size_t n)
{
    smtpp_str src = { (const char *)data, n };
    char *out = (char *)malloc(n + 1), *enc;
    uint8_t *ref = (uint8_t *)malloc(n + 1);
    long r, rr;
    size_t en;
    if (!out || !ref) abort();
    r = run_caps(smtpp_base64_decode, "base64", src, out);
    rr = ref_base64(data, n, ref);
    FUZZ_CHECK(r == rr && (r < 0 || memcmp(out, ref, (size_t)r) == 0),
               "base64: %ld, reference %ld", r, rr);
    enc = (char *)malloc(n * 2 + 8);
    if (!enc) abort();
    if (r >= 0 && !(n == 1 && data[0] == '=')) {
        en = fuzz_base64_encode((const uint8_t *)out, (size_t)r, enc);
        FUZZ_CHECK(en == n && memcmp(enc, data, n) == 0, "base64: re-encoding differs");
    }
    en = fuzz_base64_encode(data, n, enc);
    {
        smtpp_str e = { enc, en };
        char *back = (char *)malloc(n + 1);
        if (!back) abort();
        r = smtpp_base64_decode(e, back, n);
        FUZZ_CHECK(r == (long)n && memcmp(back, data, n) == 0, "base64: decode(encode(x)) != x");
        free(back);
    }
    free(enc);
    free(out);
    free(ref);
}

static void fuzz_local(const uint8_t *data, size_t n)
{
    smtpp_str src = { (const char *)data, n };
    char *out = (char *)malloc(n + 1);
    int quoted = n >= 2 && data[0] == '"' && data[n - 1] == '"';
    long r;
    if (!out) abort();
    r = run_caps(smtpp_local_decode, "local", src, out);
    if (r >= 0 && !quoted)
        FUZZ_CHECK((size_t)r == n && memcmp(out, data, n) == 0, "local: dot-string changed");
    if (r >= 0 && quoted) {
        /* re-quote and decode again */
        char *req = (char *)malloc(2 * (size_t)r + 2), *back = (char *)malloc((size_t)r + 1);
        size_t i, o = 0;
        smtpp_str q;
        long r2;
        if (!req || !back) abort();
        req[o++] = '"';
        for (i = 0; i < (size_t)r; i++) {
            if (out[i] == '"' || out[i] == '\\') req[o++] = '\\';
            req[o++] = out[i];
        }
        req[o++] = '"';
        q.p = req;
        q.n = o;
        r2 = smtpp_local_decode(q, back, (size_t)r + 1);
        FUZZ_CHECK(r2 == r && memcmp(back, out, (size_t)r) == 0, "local: re-quoted decodes differently");
        free(req);
        free(back);
    }
    /* the parser's notion of a local part against the decoder's */
    if (n <= 64 && memchr(data, '\n', n) == NULL) {
        char path[80];
        smtpp_path pa;
        path[0] = '<';
        memcpy(path + 1, data, n);
        memcpy(path + 1 + n, "@x.example>", 11);
        if (smtpp_parse_path(path, n + 12, SMTPP_LENIENT_LOCAL_DOTS, 1, &pa) == SMTPP_E_OK &&
            pa.local.n == n)
            FUZZ_CHECK(r >= 0, "local part accepted in a path, decode gives %ld", r);
    }
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t pos = 0, n;
    const uint8_t *item;
    while (fuzz_next_item(data, size, &pos, &item, &n)) {
        char *copy = fuzz_dup(item, n);
        fuzz_xtext((const uint8_t *)copy, n);
        fuzz_base64((const uint8_t *)copy, n);
        fuzz_local((const uint8_t *)copy, n);
        free(copy);
    }
    return 0;
}
