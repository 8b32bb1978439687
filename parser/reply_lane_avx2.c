/* The reply fast lane compiled for AVX2 (+BMI): reply_lane.c again, in a
 * unit of its own that CMake builds with -mavx2 -mbmi on x86-64.  Nothing
 * in it runs unless smtpp__simd_level() found AVX2 and BMI: it defines
 * only smtpp__reply_lane_avx2(), which is called through p->_simd alone. */
#define SMTPP_LANE_AVX2 1
#include "internal.h"
#if defined(SMTPP_HAVE_AVX2) && !defined(__AVX2__)
#  error "reply_lane_avx2.c must be compiled with -mavx2 -mbmi (CMakeLists.txt)"
#endif
#include "reply_lane.c"
