/* Decoders that need bytes of their own: they write into a caller buffer. */
#include "internal.h"

static int hexval(uchar c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

long smtpp_xtext_decode(smtpp_str src, char *dst, size_t cap)
{
    const uchar *s = (const uchar *)src.p;
    size_t i, o = 0;
    for (i = 0; i < src.n; i++) {
        uchar c = s[i];
        if (c == '+') {
            int hi, lo;
            if (src.n - i < 3) return -1;
            hi = hexval(s[i + 1]);
            lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0) return -1;
            c = (uchar)(hi * 16 + lo);
            i += 2;
        } else if (c < 0x21 || c > 0x7e || c == '=') {
            return -1;
        }
        if (o == cap) return -2;
        dst[o++] = (char)c;
    }
    return (long)o;
}

long smtpp_local_decode(smtpp_str local, char *dst, size_t cap)
{
    const uchar *s = (const uchar *)local.p;
    size_t i, o = 0, n = local.n;
    int quoted = n >= 2 && s[0] == '"' && s[n - 1] == '"';
    if (!quoted) {
        for (i = 0; i < n; i++) {
            if (s[i] == '"' || s[i] == '\\' || s[i] < 0x21 || s[i] == 0x7f) return -1;
            if (o == cap) return -2;
            dst[o++] = (char)s[i];
        }
        return (long)o;
    }
    for (i = 1; i + 1 < n; i++) {
        uchar c = s[i];
        if (c == '\\') {
            if (i + 2 >= n) return -1; /* escape of the closing quote */
            c = s[++i];
        } else if (c == '"') {
            return -1;
        }
        if (o == cap) return -2;
        dst[o++] = (char)c;
    }
    return (long)o;
}

static int b64val(uchar c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

long smtpp_base64_decode(smtpp_str src, char *dst, size_t cap)
{
    const uchar *s = (const uchar *)src.p;
    size_t i, o = 0;
    if (src.n == 1 && s[0] == '=') return 0;
    if (src.n % 4) return -1;
    for (i = 0; i < src.n; i += 4) {
        int a = b64val(s[i]), b = b64val(s[i + 1]), c, d;
        int last = (i + 4 == src.n);
        int pad = 0;
        if (a < 0 || b < 0) return -1;
        if (last && s[i + 3] == '=') {
            pad = (s[i + 2] == '=') ? 2 : 1;
        }
        c = pad == 2 ? 0 : b64val(s[i + 2]);
        d = pad ? 0 : b64val(s[i + 3]);
        if (c < 0 || d < 0) return -1;
        /* the unused bits of the last group must be zero (canonical) */
        if (pad == 2 && (b & 15)) return -1;
        if (pad == 1 && (c & 3)) return -1;
        if (cap - o < (size_t)(3 - pad) || o > cap) return -2;
        dst[o++] = (char)((a << 2) | (b >> 4));
        if (pad < 2) dst[o++] = (char)(((b & 15) << 4) | (c >> 2));
        if (pad < 1) dst[o++] = (char)(((c & 3) << 6) | d);
    }
    return (long)o;
}
