/* Private helpers shared by the library's source files. */
#ifndef SMTPP_INTERNAL_H
#define SMTPP_INTERNAL_H

#include "smtpp/smtpp.h"

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#  define SMTPP_LIKELY(x) __builtin_expect(!!(x), 1)
#  define SMTPP_UNLIKELY(x) __builtin_expect(!!(x), 0)
#  define SMTPP_NOINLINE __attribute__((noinline))
#  define SMTPP_INLINE inline __attribute__((always_inline))
#else
#  define SMTPP_LIKELY(x) (x)
#  define SMTPP_UNLIKELY(x) (x)
#  define SMTPP_NOINLINE
#  define SMTPP_INLINE inline
#endif

typedef unsigned char uchar;

/* memset(p, 0, n) for a struct (n a constant, 16 or more), in 16-octet
 * stores: for n of 128 octets and more GCC expands memset() inline as
 * `rep stos`, whose start-up (some 25 cycles) was 2% of the benchmark's
 * session time, a dozen commands to a connection (smtpp_session_init(),
 * smtpp_conn_init()). */
#if defined(__GNUC__)
static SMTPP_INLINE void smtpp__zero(void *p, size_t n)
{
    typedef unsigned char v16 __attribute__((vector_size(16), aligned(1), may_alias));
    unsigned char *d = (unsigned char *)p;
    size_t i;
#  if defined(__clang__)
#    pragma clang loop unroll(full)
#  else
#    pragma GCC unroll 32
#  endif
    for (i = 0; i + 16 <= n; i += 16) *(v16 *)(void *)(d + i) = (v16){ 0 };
    if (n % 16) *(v16 *)(void *)(d + n - 16) = (v16){ 0 };
}
#else
#  include <string.h>
#  define smtpp__zero(p, n) memset((p), 0, (n))
#endif

/* 1 when s[0..n) is a dotted quad of decimal numbers 0-255 (RFC 5321
 * IPv4-address-literal, 1 to 3 digits each). */
int smtpp__ipv4_ok(const uchar *s, size_t n);
/* 1 when s[0..n) is one of the RFC 5321 IPv6 forms (full, compressed,
 * IPv4-embedded full and compressed). */
int smtpp__ipv6_ok(const uchar *s, size_t n);
/* 1 when s[0..n) is a dot-separated domain whose labels are 1 to 63 octets
 * and whose total length is at most 255. */
smtpp_error smtpp__domain_lengths(const uchar *s, size_t n);

/* Case-insensitive comparison of s[0..n) with the upper-case ASCII word w. */
int smtpp__ieq(const uchar *s, size_t n, const char *w);
/* Case-insensitive (ASCII) comparison of a[0..n) and b[0..n). */
int smtpp__ieq2(const uchar *a, const uchar *b, size_t n);

/* The vector lanes (parser/command_lane.c, parser/reply_lane.c), written
 * once with generic vectors (parser/simd.h): built with GCC or clang on
 * x86-64 (SSE2, and AVX2 in a second unit unless SMTPP_NO_AVX2) and on
 * aarch64 (NEON), unless SMTPP_NO_SIMD; other CPUs have none.  Which one
 * a parser uses is in its _simd: */
#if !defined(SMTPP_NO_SIMD) && defined(__GNUC__) && \
    (defined(__x86_64__) || (defined(__aarch64__) && defined(__ARM_NEON)))
#  define SMTPP_HAVE_LANE 1
#  if defined(__x86_64__) && !defined(SMTPP_NO_AVX2)
#    define SMTPP_HAVE_AVX2 1
#  endif
#endif
enum {
    SMTPP_SIMD_NONE = 0, /* no lane: the general path only */
    SMTPP_SIMD_BASE = 1, /* the baseline build: SSE2, NEON */
    SMTPP_SIMD_AVX2 = 2, /* the AVX2 build */
    SMTPP_SIMD_LANES = 3,   /* the bits above */
    /* with one of them: the parser has SMTPP_INPUT_PADDED, and its calls go
     * to the lane's padded entry (command_lane.h) */
    SMTPP_SIMD_PADDED = 4
};

/* 1 when this build has the AVX2 lanes and the CPU has AVX2 and BMI. */
unsigned smtpp__cpu_avx2(void);
/* The lanes this CPU runs (SMTPP_SIMD_*), asked once per parser at init. */
unsigned smtpp__simd_level(void);

#endif
