#!/usr/bin/env bash
# Builds libsmtpp and runs the whole test suite (the Check suites and the
# fuzz corpus replays), then the suites again with the scalar code alone
# (SMTPP_NO_SIMD: no vector code), with the portable lanes alone
# (SMTPP_NO_AVX2: the SSE2 build every x86-64 runs without AVX2) and their
# oracle (SMTPP_CHECK_FAST_PATHS: every line a lane takes is parsed again by
# the general path and compared), then everything cross-compiled for
# aarch64 under qemu-aarch64 (the NEON lanes, with the oracle;
# scripts/arm64.sh), then everything in an ASan + UBSan build with clang
# (scripts/sanitize.sh).  Installs missing build dependencies first.  Prints how long each stage took.
# Usage: scripts/test.sh     (SMTPP_TEST_ARM64=0 skips the aarch64 stage,
#                             SMTPP_TEST_SANITIZE=0 the sanitizer stage)
set -euo pipefail
cd "$(dirname "$0")/.."
t_all=$(date +%s)
timings=()
t_stage=$t_all
stage_done() { # stage_done NAME: records the time since the previous stage
  local now
  now=$(date +%s)
  timings+=("$(printf '%-28s %5ss' "$1" $((now - t_stage)))")
  t_stage=$now
}
scripts/deps.sh
jobs=$(nproc 2>/dev/null || echo 2)
stage_done "dependencies"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSMTPP_WERROR=ON >/dev/null
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs"
stage_done "normal build and tests"
echo "== scalar loops (SMTPP_NO_SIMD): the suites and corpus replays"
cmake -S . -B build-nosimd -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSMTPP_WERROR=ON -DSMTPP_NO_SIMD=ON \
  -DSMTPP_BUILD_BENCH=OFF -DSMTPP_BUILD_TOOLS=OFF >/dev/null
cmake --build build-nosimd -j "$jobs"
ctest --test-dir build-nosimd --output-on-failure -j "$jobs"
stage_done "SMTPP_NO_SIMD"
echo "== portable lanes (SMTPP_NO_AVX2) with their oracle: the suites and corpus replays"
cmake -S . -B build-noavx2 -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSMTPP_WERROR=ON -DSMTPP_NO_AVX2=ON \
  -DSMTPP_CHECK_FAST_PATHS=ON -DSMTPP_BUILD_BENCH=OFF -DSMTPP_BUILD_TOOLS=OFF >/dev/null
cmake --build build-noavx2 -j "$jobs"
ctest --test-dir build-noavx2 --output-on-failure -j "$jobs"
stage_done "SMTPP_NO_AVX2 + oracle"
if [ "${SMTPP_TEST_ARM64:-1}" != 0 ]; then
  echo "== aarch64: cross-compiled, every test under qemu-aarch64"
  scripts/arm64.sh
  stage_done "aarch64 under qemu"
fi
if [ "${SMTPP_TEST_SANITIZE:-1}" != 0 ]; then
  echo "== ASan + UBSan build of the test suite and the corpus replays"
  scripts/sanitize.sh
  stage_done "ASan + UBSan"
fi
echo "== stage times"
printf '%s\n' "${timings[@]}"
echo "total                        $(( $(date +%s) - t_all ))s"
