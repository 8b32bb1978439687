/* Small validators used by the lexers for the rare, irregular parts of the
 * grammar (address literals, label lengths). */
#include "internal.h"
#include "command_lane.h"

int smtpp__ieq(const uchar *s, size_t n, const char *w)
{
    size_t i;
    for (i = 0; i < n; i++) {
        uchar c = s[i];
        if (c >= 'a' && c <= 'z') c = (uchar)(c - 32);
        if (c != (uchar)w[i] || w[i] == 0) return 0;
    }
    return w[n] == 0;
}

int smtpp__ieq2(const uchar *a, const uchar *b, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        uchar x = a[i], y = b[i];
        if (x >= 'a' && x <= 'z') x = (uchar)(x - 32);
        if (y >= 'a' && y <= 'z') y = (uchar)(y - 32);
        if (x != y) return 0;
    }
    return 1;
}

int smtpp__ipv4_ok(const uchar *s, size_t n)
{
    size_t i = 0;
    int part;
    for (part = 0; part < 4; part++) {
        unsigned v = 0, nd = 0;
        if (part) {
            if (i >= n || s[i] != '.') return 0;
            i++;
        }
        while (i < n && s[i] >= '0' && s[i] <= '9' && nd < 4) {
            v = v * 10 + (unsigned)(s[i] - '0');
            nd++;
            i++;
        }
        if (nd == 0 || nd > 3 || v > 255) return 0;
    }
    return i == n;
}

/* RFC 5321 4.1.3:
 *   IPv6-full   = IPv6-hex 7(":" IPv6-hex)
 *   IPv6-comp   = [IPv6-hex *5(":" IPv6-hex)] "::" [IPv6-hex *5(":" IPv6-hex)]
 *                 (at most 6 groups in all)
 *   IPv6v4-full = IPv6-hex 5(":" IPv6-hex) ":" IPv4-address-literal
 *   IPv6v4-comp = [IPv6-hex *3(":" IPv6-hex)] "::"
 *                 [IPv6-hex *3(":" IPv6-hex) ":"] IPv4-address-literal
 *                 (at most 4 groups in all)
 *   IPv6-hex    = 1*4HEXDIG */
int smtpp__ipv6_ok(const uchar *s, size_t n)
{
    size_t i = 0;
    int groups = 0, comp = 0, v4 = 0;

    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        comp = 1;
        i = 2;
        if (i == n) return 1; /* "::" */
    } else if (n >= 1 && s[0] == ':') {
        return 0;
    }
    for (;;) {
        size_t start = i, nd = 0;
        int dot = 0;
        while (i < n && nd <= 4 &&
               ((s[i] >= '0' && s[i] <= '9') || ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'f'))) {
            i++;
            nd++;
        }
        if (i < n && s[i] == '.') dot = 1;
        if (dot) {
            /* the rest must be an IPv4 address */
            if (!smtpp__ipv4_ok(s + start, n - start)) return 0;
            v4 = 1;
            break;
        }
        if (nd == 0 || nd > 4) return 0;
        groups++;
        if (i == n) break;
        if (s[i] != ':') return 0;
        i++;
        if (i < n && s[i] == ':') {
            if (comp) return 0; /* a second "::" */
            comp = 1;
            i++;
            if (i == n) break;
        } else if (i == n) {
            return 0; /* trailing single ':' */
        }
    }
    if (v4)
        return comp ? groups <= 4 : groups == 6;
    return comp ? groups <= 6 : groups == 8;
}

smtpp_error smtpp__domain_lengths(const uchar *s, size_t n)
{
    size_t i, label = 0;
    if (n > 255) return SMTPP_E_DOMAIN_TOO_LONG;
    if (n <= 63) return SMTPP_E_OK; /* no label can be longer */
    for (i = 0; i < n; i++) {
        if (s[i] == '.') {
            label = 0;
        } else if (++label > 63) {
            return SMTPP_E_LABEL_TOO_LONG;
        }
    }
    return SMTPP_E_OK;
}

unsigned smtpp__cpu_avx2(void)
{
#if defined(SMTPP_HAVE_AVX2)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") ? 1u : 0u;
#else
    return 0;
#endif
}

unsigned smtpp__simd_level(void)
{
    if (smtpp__cpu_avx2()) return SMTPP_SIMD_AVX2;
#if defined(SMTPP_HAVE_LANE)
    return SMTPP_SIMD_BASE;
#else
    return SMTPP_SIMD_NONE;
#endif
}

const char *smtpp__lane_name(const smtpp_parser *p)
{
#if defined(SMTPP_HAVE_AVX2)
    if ((p->_simd & SMTPP_SIMD_LANES) == SMTPP_SIMD_AVX2) return smtpp__lane_name_avx2();
#endif
#if defined(SMTPP_HAVE_LANE)
    if (p->_simd & SMTPP_SIMD_LANES) return smtpp__lane_name_base();
#endif
    (void)p;
    return NULL;
}
