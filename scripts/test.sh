#!/usr/bin/env bash
# Builds libsmtpp and runs the whole test suite (the Check suites and the
# fuzz corpus replays), then the suites again with the portable lanes alone
# (SMTPP_NO_AVX2: the SSE2 build every x86-64 runs without AVX2), with the
# scalar code alone (SMTPP_NO_SIMD: no vector code), then the lane-heavy
# suites in an ASan + UBSan build of the SSE2 lanes with their oracle,
# then everything cross-compiled for aarch64 under qemu-aarch64 (the NEON
# lanes, with the oracle; scripts/arm64.sh), then everything in an ASan +
# UBSan build (scripts/sanitize.sh).  Installs
# missing build dependencies first.  Prints how long each stage took.
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
echo "== portable lanes (SMTPP_NO_AVX2): the suites and corpus replays on the SSE2 lanes"
cmake -S . -B build-noavx2 -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSMTPP_WERROR=ON -DSMTPP_NO_AVX2=ON \
  -DSMTPP_BUILD_BENCH=OFF -DSMTPP_BUILD_TOOLS=OFF >/dev/null
cmake --build build-noavx2 -j "$jobs"
ctest --test-dir build-noavx2 --output-on-failure -j "$jobs"
stage_done "SMTPP_NO_AVX2"
if [ "${SMTPP_TEST_SANITIZE:-1}" != 0 ]; then
  echo "== ASan + UBSan, SSE2 lanes with their oracle: the lane-heavy suites"
  cmake -S . -B build-asan-noavx2 -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSMTPP_SANITIZE=ON \
    -DSMTPP_NO_AVX2=ON -DSMTPP_BUILD_BENCH=OFF -DSMTPP_BUILD_TOOLS=OFF >/dev/null
  cmake --build build-asan-noavx2 -j "$jobs"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan-noavx2 --output-on-failure -j "$jobs" \
    -R '^(test_lane|test_command|test_session|test_reply|test_conn|grammar_oracle_regressions|fuzz_(corpus|regressions)_(command|path|reply|session|conn))$'
  stage_done "ASan + UBSan, SSE2 lanes"
fi
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
