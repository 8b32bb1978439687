/* The vector primitives the lanes are written with (parser/command_lane.c,
 * parser/reply_lane.c).
 *
 * The lanes' logic uses GCC/clang generic vector types (vu8: SIMD_W
 * unsigned octets; ==, <, &, |, +, -, >> work on them element by element,
 * a scalar operand standing for a vector of copies) and these few
 * primitives, the only code written per instruction set:
 *
 *   v_load(p)        SIMD_W octets from p, unaligned
 *   v_store(p, v)    the same, stored
 *   v_bits64(m)      the 64-bit mask of the SIMD_N vectors m[] (64 octets)
 *                    whose elements are 0x00 or 0xff: bit i for octet i
 *   v_bits32(m)      the same for the first 32 octets (SIMD_N / 2 vectors)
 *   v_any(m)         nonzero when an element of m (each 0x00 or 0xff) is set
 *   v_lookup(t, i)   (SIMD_HAS_LOOKUP only) t[i & 15] in every element,
 *                    for indices 0..15; t is a V_TABLE16() of 16 entries
 *   v_load32_halves(lo, hi, v)
 *                    32 octets as the SIMD_N / 2 vectors v[]: the 16 at lo,
 *                    then the 16 at hi
 *
 * and, not a vector operation, prefetch_page_ahead(p) (below).
 *
 * Which set is used follows the target of the translation unit that
 * includes this file: AVX2 (32-octet vectors; vpmovmskb, vpshufb) in a
 * unit compiled with -mavx2, SSE2 (16 octets; pmovmskb; no shuffle: the
 * lanes then test class membership with range compares) on every other
 * x86-64, NEON (16 octets; vqtbl1q_u8 for lookups, pairwise additions of
 * weighted bits for the mask) on aarch64.  SIMD_N = 64 / SIMD_W vectors
 * make the 64-octet window every lane reads at once. */
#ifndef SMTPP_SIMD_H
#define SMTPP_SIMD_H

#include <stdint.h>
#include <string.h>

#if defined(__AVX2__)
#  include <immintrin.h>
#  define SIMD_W 32
#  define SIMD_HAS_LOOKUP 1
#  define SIMD_NAME "avx2"
#elif defined(__SSE2__)
#  include <emmintrin.h>
#  define SIMD_W 16
#  define SIMD_HAS_LOOKUP 0
#  define SIMD_NAME "sse2"
#elif defined(__aarch64__) && defined(__ARM_NEON)
#  include <arm_neon.h>
#  define SIMD_W 16
#  define SIMD_HAS_LOOKUP 1
#  define SIMD_NAME "neon"
#else
#  error "simd.h: no vector instruction set for this target"
#endif
#define SIMD_N (64 / SIMD_W)

typedef uint8_t vu8 __attribute__((vector_size(SIMD_W)));
/* The same, for unaligned loads and stores through a pointer (no local
 * copy whose address is taken: that would make GCC realign the stack). */
typedef uint8_t vu8_unaligned __attribute__((vector_size(SIMD_W), aligned(1), may_alias));

#define SIMD_INLINE static inline __attribute__((always_inline))

/* The name of a lane function in this build of a lane's source: *_avx2 in
 * the unit compiled with -mavx2 (SMTPP_LANE_AVX2), *_base in the other. */
#if defined(SMTPP_LANE_AVX2)
#  define LANE_FN(name) name##_avx2
#else
#  define LANE_FN(name) name##_base
#endif

SIMD_INLINE vu8 v_load(const unsigned char *p)
{
    return *(const vu8_unaligned *)(const void *)p;
}

SIMD_INLINE void v_store(unsigned char *p, vu8 v)
{
    *(vu8_unaligned *)(void *)p = v;
}

/* A comparison's result (a vector of signed elements, 0 or -1) as vu8. */
#define V_MASK(cmp) ((vu8)(cmp))

#if defined(__AVX2__)
SIMD_INLINE uint64_t v_bits64(const vu8 *m)
{
    return (uint64_t)(uint32_t)_mm256_movemask_epi8((__m256i)m[1]) << 32 |
           (uint32_t)_mm256_movemask_epi8((__m256i)m[0]);
}

SIMD_INLINE uint32_t v_bits32(const vu8 *m)
{
    return (uint32_t)_mm256_movemask_epi8((__m256i)m[0]);
}

SIMD_INLINE int v_any(vu8 m)
{
    return _mm256_movemask_epi8((__m256i)m);
}

SIMD_INLINE vu8 v_lookup(vu8 t, vu8 i)
{
    return (vu8)_mm256_shuffle_epi8((__m256i)t, (__m256i)i);
}
#  define V_TABLE16(...) ((vu8){ __VA_ARGS__, __VA_ARGS__ })
#elif defined(__SSE2__)
/* pmovmskb leaves bits 16..31 zero: a cast to uint16_t would only add a
 * movzx after each one. */
SIMD_INLINE uint64_t v_bits64(const vu8 *m)
{
    return (uint64_t)(uint32_t)_mm_movemask_epi8((__m128i)m[0]) |
           (uint64_t)(uint32_t)_mm_movemask_epi8((__m128i)m[1]) << 16 |
           (uint64_t)(uint32_t)_mm_movemask_epi8((__m128i)m[2]) << 32 |
           (uint64_t)(uint32_t)_mm_movemask_epi8((__m128i)m[3]) << 48;
}

SIMD_INLINE uint32_t v_bits32(const vu8 *m)
{
    return (uint32_t)_mm_movemask_epi8((__m128i)m[0]) |
           (uint32_t)_mm_movemask_epi8((__m128i)m[1]) << 16;
}

SIMD_INLINE int v_any(vu8 m)
{
    return _mm_movemask_epi8((__m128i)m);
}
#else /* NEON */
/* Each octet keeps its weight 1 << (i % 8); three rounds of pairwise
 * additions sum each group of eight into one octet of the mask. */
SIMD_INLINE uint64_t v_bits64(const vu8 *m)
{
    const uint8x16_t w = { 1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128 };
    uint8x16_t a = vandq_u8((uint8x16_t)m[0], w), b = vandq_u8((uint8x16_t)m[1], w);
    uint8x16_t c = vandq_u8((uint8x16_t)m[2], w), d = vandq_u8((uint8x16_t)m[3], w);
    uint8x16_t s = vpaddq_u8(vpaddq_u8(a, b), vpaddq_u8(c, d));
    s = vpaddq_u8(s, s);
    return vgetq_lane_u64(vreinterpretq_u64_u8(s), 0);
}

SIMD_INLINE uint32_t v_bits32(const vu8 *m)
{
    const uint8x16_t w = { 1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128 };
    uint8x16_t s = vpaddq_u8(vandq_u8((uint8x16_t)m[0], w), vandq_u8((uint8x16_t)m[1], w));
    s = vpaddq_u8(s, s);
    s = vpaddq_u8(s, s);
    return vgetq_lane_u32(vreinterpretq_u32_u8(s), 0);
}

SIMD_INLINE int v_any(vu8 m)
{
    return vmaxvq_u8((uint8x16_t)m) != 0;
}

SIMD_INLINE vu8 v_lookup(vu8 t, vu8 i)
{
    return (vu8)vqtbl1q_u8((uint8x16_t)t, (uint8x16_t)i);
}
#  define V_TABLE16(...) ((vu8){ __VA_ARGS__ })
#endif

SIMD_INLINE void v_load32_halves(const unsigned char *lo, const unsigned char *hi, vu8 *v)
{
#if defined(__AVX2__)
    v[0] = (vu8)_mm256_loadu2_m128i((const __m128i_u *)(const void *)hi,
                                    (const __m128i_u *)(const void *)lo);
#else
    v[0] = v_load(lo);
    v[1] = v_load(hi);
#endif
}

/* A hint to the cache for the octet one page (4096 octets) after p, which
 * may be past the caller's region, or mapped by nobody: a prefetch is no
 * access (it cannot fault, and no memory tool counts it), and the address
 * is computed as an integer (no pointer past its object).  The lanes give
 * it once per line: the hardware's prefetchers follow a stream only
 * within a page, so a long region that comes from memory (a large buffer,
 * not a read the kernel has just written) waited at every page a lane
 * entered, and longer while other processes kept the memory busy.  A
 * read just written by recv() is in the cache, and the hint then only
 * costs its two instructions (bench/README.md, "A page ahead",
 * 2026-12-07). */
SIMD_INLINE void prefetch_page_ahead(const unsigned char *p)
{
    __builtin_prefetch((const void *)((uintptr_t)p + 4096));
}

/* The 64 octets at s as SIMD_N vectors; with half, only the first 32 are
 * read and the others are 0. */
SIMD_INLINE void v_load64(const unsigned char *s, int half, vu8 *v)
{
    int i;
    for (i = 0; i < SIMD_N; i++) v[i] = (half && i * SIMD_W >= 32) ? (vu8){ 0 } : v_load(s + i * SIMD_W);
}

#endif
