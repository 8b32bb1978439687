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

/* The AVX2 fast lanes (parser/command.re, parser/reply.re): built on
 * x86-64 with GCC or clang unless SMTPP_NO_SIMD, used when the CPU has
 * AVX2.  SMTPP_AVX2_FN marks the functions compiled for it. */
#if !defined(SMTPP_NO_SIMD) && defined(__x86_64__) && defined(__GNUC__)
#  define SMTPP_HAVE_AVX2 1
#  define SMTPP_AVX2_FN __attribute__((target("avx2,bmi")))
#endif

/* 1 when the lexers may use AVX2 on this CPU (asked once per parser, at
 * init); always 0 without SMTPP_HAVE_AVX2. */
unsigned smtpp__cpu_avx2(void);

#if defined(SMTPP_CHECK_FAST_PATHS)
/* Test-only counters of the oracle builds, per thread
 * (tests/test_command.c): command lines the fast lane took, and of those
 * the ones it took from a copy of the region's tail (parser/command.re,
 * lane_tail()); they stay 0 in builds without the lane. */
extern _Thread_local unsigned long smtpp__lane_lines, smtpp__lane_tail_lines;
#endif

#endif
