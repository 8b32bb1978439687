/* The HAProxy PROXY protocol header, versions 1 (text) and 2 (binary).
 *
 * Stateless: the header is short (a v1 line is at most 107 octets) or
 * announces its length in its first 16 octets (v2), so each call looks at
 * the region from its start and either finds the whole header or asks for
 * more.  A v2 header that is not complete costs O(1) per call.
 */
#include "internal.h"

#include <string.h>

static const uchar v2sig[12] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
                                 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a };

#define V1_MAX 107

/* Decimal 0..max without sign; 1 to 5 digits.  Returns the end or NULL. */
static const uchar *dec(const uchar *s, const uchar *e, unsigned max, unsigned *out)
{
    unsigned v = 0;
    const uchar *b = s;
    while (s < e && *s >= '0' && *s <= '9' && s - b < 5) {
        v = v * 10 + (unsigned)(*s - '0');
        s++;
    }
    if (s == b || v > max || (s < e && *s >= '0' && *s <= '9')) return NULL;
    if (s - b > 1 && *b == '0') return NULL; /* no leading zeros */
    *out = v;
    return s;
}

/* A dotted quad into out[4].  Returns 1 on success. */
static int ipv4_bin(const uchar *s, size_t n, uint8_t *out)
{
    const uchar *e = s + n;
    int i;
    if (!smtpp__ipv4_ok(s, n)) return 0;
    for (i = 0; i < 4; i++) {
        unsigned v;
        s = dec(s, e, 255, &v);
        if (!s) return 0;
        out[i] = (uint8_t)v;
        if (i < 3) {
            if (s >= e || *s != '.') return 0;
            s++;
        }
    }
    return s == e;
}

static int hexval(uchar c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c = (uchar)(c | 0x20);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* An IPv6 address in text (RFC 4291 2.2, with an optional embedded IPv4
 * tail) into out[16].  Returns 1 on success. */
static int ipv6_bin(const uchar *s, size_t n, uint8_t *out)
{
    const uchar *e = s + n;
    uint8_t w[16];
    int nw = 0, gap = -1;
    memset(w, 0, sizeof w);
    if (n < 2) return 0;
    if (s[0] == ':') {
        if (s[1] != ':') return 0;
        gap = 0;
        s += 2;
    }
    while (s < e) {
        const uchar *g = s;
        unsigned v = 0;
        int h;
        if (nw >= 16) return 0;
        while (s < e && (h = hexval(*s)) >= 0 && s - g < 4) {
            v = (v << 4) | (unsigned)h;
            s++;
        }
        if (s < e && *s == '.') {
            /* embedded IPv4: the rest of the string */
            if (nw > 12 || !ipv4_bin(g, (size_t)(e - g), w + nw)) return 0;
            nw += 4;
            s = e;
            break;
        }
        if (s == g) return 0;
        w[nw++] = (uint8_t)(v >> 8);
        w[nw++] = (uint8_t)v;
        if (s == e) break;
        if (*s != ':') return 0;
        s++;
        if (s < e && *s == ':') {
            if (gap >= 0) return 0;
            gap = nw;
            s++;
        } else if (s == e) {
            return 0; /* trailing single ':' */
        }
    }
    if (gap < 0) {
        if (nw != 16) return 0;
        memcpy(out, w, 16);
    } else {
        int tail = nw - gap;
        if (nw > 14) return 0; /* "::" stands for at least one group */
        memset(out, 0, 16);
        memcpy(out, w, (size_t)gap);
        memcpy(out + 16 - tail, w + gap, (size_t)tail);
    }
    return 1;
}

/* Next space-separated field of [*s, e).  Returns its length, 0 if none. */
static size_t field(const uchar **s, const uchar *e, const uchar **f)
{
    const uchar *p = *s;
    if (p >= e || *p != ' ') return 0;
    p++;
    *f = p;
    while (p < e && *p != ' ') p++;
    *s = p;
    return (size_t)(p - *f);
}

static int parse_v1(const uchar *b, size_t len, smtpp_proxy *out, size_t *used)
{
    const uchar *lf, *e, *s, *f;
    size_t n, lim = len < V1_MAX ? len : V1_MAX;
    unsigned port;
    int six;

    lf = memchr(b, '\n', lim);
    if (!lf) return len >= V1_MAX ? -1 : SMTPP_AGAIN;
    if (lf == b || lf[-1] != '\r') return -1;
    e = lf - 1;
    *used = (size_t)(lf + 1 - b);
    out->version = 1;
    s = b + 5; /* after "PROXY" */
    n = field(&s, e, &f);
    if (n == 7 && memcmp(f, "UNKNOWN", 7) == 0) {
        out->family = SMTPP_PROXY_UNSPEC; /* the rest is to be ignored */
        return SMTPP_DONE;
    }
    if (n != 4 || memcmp(f, "TCP", 3) != 0 || (f[3] != '4' && f[3] != '6')) return -1;
    six = (f[3] == '6');
    out->family = six ? SMTPP_PROXY_INET6 : SMTPP_PROXY_INET;
    n = field(&s, e, &f);
    if (!n || !(six ? ipv6_bin(f, n, out->src) : ipv4_bin(f, n, out->src))) return -1;
    n = field(&s, e, &f);
    if (!n || !(six ? ipv6_bin(f, n, out->dst) : ipv4_bin(f, n, out->dst))) return -1;
    n = field(&s, e, &f);
    if (!n || dec(f, f + n, 65535, &port) != f + n) return -1;
    out->src_port = (uint16_t)port;
    n = field(&s, e, &f);
    if (!n || dec(f, f + n, 65535, &port) != f + n) return -1;
    out->dst_port = (uint16_t)port;
    return s == e ? SMTPP_DONE : -1;
}

static smtpp_str unix_path(const uchar *p)
{
    const uchar *z = memchr(p, 0, 108);
    smtpp_str r;
    r.p = (const char *)p;
    r.n = z ? (size_t)(z - p) : 108;
    return r;
}

static int parse_v2(const uchar *b, size_t len, smtpp_proxy *out, size_t *used)
{
    size_t total, alen;
    unsigned cmd, fam, proto;
    const uchar *a;

    if (len < 16) return SMTPP_AGAIN;
    if ((b[12] >> 4) != 2) return -1;
    cmd = b[12] & 15u;
    fam = b[13] >> 4;
    proto = b[13] & 15u;
    total = 16 + (((size_t)b[14] << 8) | b[15]);
    if (cmd > 1 || fam > 3 || proto > 2) return -1;
    if (len < total) return SMTPP_AGAIN;
    *used = total;
    out->version = 2;
    out->local = (cmd == 0);
    out->dgram = (proto == 2);
    a = b + 16;
    switch (fam) {
    case 1: alen = 12; break;
    case 2: alen = 36; break;
    case 3: alen = 216; break;
    default: alen = 0; break;
    }
    if (total - 16 < alen) return -1;
    out->tlv.p = (const char *)a + alen;
    out->tlv.n = total - 16 - alen;
    if (cmd == 0 || fam == 0 || proto == 0) {
        /* LOCAL, or an address family the sender could not convey: the
         * connection's own addresses apply.  The block is skipped. */
        out->family = SMTPP_PROXY_UNSPEC;
        return SMTPP_DONE;
    }
    if (fam == 1) {
        out->family = SMTPP_PROXY_INET;
        memcpy(out->src, a, 4);
        memcpy(out->dst, a + 4, 4);
        out->src_port = (uint16_t)((a[8] << 8) | a[9]);
        out->dst_port = (uint16_t)((a[10] << 8) | a[11]);
    } else if (fam == 2) {
        out->family = SMTPP_PROXY_INET6;
        memcpy(out->src, a, 16);
        memcpy(out->dst, a + 16, 16);
        out->src_port = (uint16_t)((a[32] << 8) | a[33]);
        out->dst_port = (uint16_t)((a[34] << 8) | a[35]);
    } else {
        out->family = SMTPP_PROXY_UNIX;
        out->src_path = unix_path(a);
        out->dst_path = unix_path(a + 108);
    }
    return SMTPP_DONE;
}

int smtpp_proxy_parse(const char *buf, size_t len, smtpp_proxy *out, size_t *used)
{
    const uchar *b = (const uchar *)buf;
    size_t k = len < 12 ? len : 12;
    int r;

    memset(out, 0, sizeof *out);
    *used = 0;
    if (len == 0) return SMTPP_AGAIN;
    if (memcmp(b, v2sig, k) == 0) {
        r = k < 12 ? SMTPP_AGAIN : parse_v2(b, len, out, used);
    } else {
        k = len < 6 ? len : 6;
        if (memcmp(b, "PROXY ", k) != 0) return -1;
        r = k < 6 ? SMTPP_AGAIN : parse_v1(b, len, out, used);
    }
    if (r != SMTPP_DONE) {
        *used = 0;
        if (r < 0) memset(out, 0, sizeof *out);
    }
    return r;
}
