/* Helpers shared by the fuzz harnesses (fuzz/<target>_fuzzer.c).
 *
 * Every harness defines LLVMFuzzerTestOneInput.  It is linked either with
 * libFuzzer (-fsanitize=fuzzer, SMTPP_FUZZ=ON, clang) or with
 * standalone_main.c, which replays corpus and regression files under ctest
 * in any build (gcc too).
 *
 * A broken invariant calls FUZZ_FAIL: it prints what broke and aborts, which
 * libFuzzer reports as a crash and saves the input, and which fails the
 * replay test. */
#ifndef SMTPP_FUZZ_H
#define SMTPP_FUZZ_H

#include <smtpp/smtpp.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_FAIL(...)                                                  \
    do {                                                                \
        fprintf(stderr, "%s:%d: invariant broken: ", __FILE__, __LINE__); \
        fprintf(stderr, __VA_ARGS__);                                   \
        fputc('\n', stderr);                                            \
        abort();                                                        \
    } while (0)

#define FUZZ_CHECK(cond, ...)                                           \
    do {                                                                \
        if (!(cond)) {                                                  \
            fprintf(stderr, "%s:%d: check failed: %s\n  ", __FILE__,    \
                    __LINE__, #cond);                                   \
            fprintf(stderr, __VA_ARGS__);                               \
            fputc('\n', stderr);                                        \
            abort();                                                    \
        }                                                               \
    } while (0)

/* A copy of s[0..n) in a heap block of exactly n bytes (at least one byte
 * is allocated), so ASan flags any read past the end.  Never NULL. */
static inline char *fuzz_dup(const void *s, size_t n)
{
    char *p = (char *)malloc(n ? n : 1);
    if (!p) abort();
    if (n) memcpy(p, s, n);
    return p;
}

/* Harnesses whose inputs are single items (paths, encoded strings) accept
 * several items separated by this 4-byte sequence, so that a corpus can be
 * packed into few files (fuzz/pack_corpus.py).  Mutations rarely create it,
 * so fuzzing still sees mostly single items. */
#define FUZZ_SEP "\xff\xfe\x00\n"
#define FUZZ_SEP_LEN 4

/* The next item of data[*pos..n): sets *item and *len and advances *pos past
 * the separator.  Returns 0 when no item is left. */
static inline int fuzz_next_item(const uint8_t *data, size_t n, size_t *pos,
                                 const uint8_t **item, size_t *len)
{
    size_t i;
    if (*pos > n) return 0;
    for (i = *pos; i + FUZZ_SEP_LEN <= n; i++)
        if (memcmp(data + i, FUZZ_SEP, FUZZ_SEP_LEN) == 0) break;
    if (i + FUZZ_SEP_LEN > n) i = n;
    *item = data + *pos;
    *len = i - *pos;
    *pos = i + FUZZ_SEP_LEN; /* past the end after the last item */
    return 1;
}

/* A small deterministic PRNG (xorshift32) for fuzzer-chosen split points. */
static inline uint32_t fuzz_rand(uint32_t *state)
{
    uint32_t x = *state ? *state : 0x9e3779b9u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

/* 1 when a slice is either absent (p NULL, n 0) or lies inside [lo, hi). */
static inline int fuzz_slice_in(smtpp_str s, const char *lo, const char *hi)
{
    if (!s.p) return s.n == 0;
    return s.p >= lo && s.p <= hi && s.n <= (size_t)(hi - s.p);
}

/* 1 when inner lies inside outer (both present) or inner is absent. */
static inline int fuzz_slice_within(smtpp_str inner, smtpp_str outer)
{
    if (!inner.p) return inner.n == 0;
    if (!outer.p) return 0;
    return fuzz_slice_in(inner, outer.p, outer.p + outer.n);
}

static inline int fuzz_slice_eq(smtpp_str a, smtpp_str b)
{
    if (!a.p || !b.p) return !a.p && !b.p && a.n == 0 && b.n == 0;
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

/* Well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, nothing past
 * U+10FFFF), written independently of the library's re2c rules. */
static inline int fuzz_utf8_ok(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint32_t c = s[i], cp;
        size_t k, len;
        if (c < 0x80) { i++; continue; }
        if (c >= 0xc2 && c <= 0xdf) { len = 2; cp = c & 0x1f; }
        else if (c >= 0xe0 && c <= 0xef) { len = 3; cp = c & 0x0f; }
        else if (c >= 0xf0 && c <= 0xf4) { len = 4; cp = c & 0x07; }
        else return 0;
        if (n - i < len) return 0;
        for (k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80) return 0;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += len;
    }
    return 1;
}

/* xtext encoding (RFC 3461 4): bytes outside "!".."~", '+' and '=' become
 * "+HH".  Writes at most cap bytes; returns the full length. */
static inline size_t fuzz_xtext_encode(const uint8_t *s, size_t n, char *dst, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i, o = 0;
    for (i = 0; i < n; i++) {
        uint8_t c = s[i];
        if (c < 0x21 || c > 0x7e || c == '+' || c == '=') {
            if (o + 3 <= cap) {
                dst[o] = '+';
                dst[o + 1] = hex[c >> 4];
                dst[o + 2] = hex[c & 15];
            }
            o += 3;
        } else {
            if (o < cap) dst[o] = (char)c;
            o++;
        }
    }
    return o;
}

/* Base64 encoding (RFC 4648 with padding).  dst needs 4 * ceil(n / 3). */
static inline size_t fuzz_base64_encode(const uint8_t *s, size_t n, char *dst)
{
    static const char tab[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i, o = 0;
    for (i = 0; i + 2 < n; i += 3) {
        uint32_t v = ((uint32_t)s[i] << 16) | ((uint32_t)s[i + 1] << 8) | s[i + 2];
        dst[o++] = tab[v >> 18];
        dst[o++] = tab[(v >> 12) & 63];
        dst[o++] = tab[(v >> 6) & 63];
        dst[o++] = tab[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)s[i] << 16;
        dst[o++] = tab[v >> 18];
        dst[o++] = tab[(v >> 12) & 63];
        dst[o++] = '=';
        dst[o++] = '=';
    } else if (n - i == 2) {
        uint32_t v = ((uint32_t)s[i] << 16) | ((uint32_t)s[i + 1] << 8);
        dst[o++] = tab[v >> 18];
        dst[o++] = tab[(v >> 12) & 63];
        dst[o++] = tab[(v >> 6) & 63];
        dst[o++] = '=';
    }
    return o;
}

/* dst = in[0..n), head, `fill` octets 'x', CRLF: an input followed by one
 * long line, for the fast-lane differentials.  Returns its length, or 0
 * when it does not fit in cap. */
static inline size_t fuzz_padded(char *dst, size_t cap, const char *in, size_t n,
                                 const char *head, size_t fill)
{
    size_t h = strlen(head);
    if (n + h + fill + 2 > cap) return 0;
    memcpy(dst, in, n);
    memcpy(dst + n, head, h);
    memset(dst + n + h, 'x', fill);
    memcpy(dst + n + h + fill, "\r\n", 2);
    return n + h + fill + 2;
}

#endif
