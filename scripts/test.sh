#!/usr/bin/env bash
# Builds libsmtpp and runs the whole test suite (the Check suites and the
# fuzz corpus replays), then the parser suites again with the scalar loops
# that replace the SSE2 ones off x86 (SMTPP_NO_SIMD), then everything in an
# ASan + UBSan build (scripts/sanitize.sh).  Installs missing build
# dependencies first.
# Usage: scripts/test.sh     (SMTPP_TEST_SANITIZE=0 skips the sanitizer pass)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSMTPP_WERROR=ON >/dev/null
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs"
echo "== scalar loops (SMTPP_NO_SIMD): the suites and corpus replays"
cmake -S . -B build-nosimd -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSMTPP_WERROR=ON -DSMTPP_NO_SIMD=ON \
  -DSMTPP_BUILD_BENCH=OFF -DSMTPP_BUILD_TOOLS=OFF >/dev/null
cmake --build build-nosimd -j "$jobs"
ctest --test-dir build-nosimd --output-on-failure -j "$jobs"
if [ "${SMTPP_TEST_SANITIZE:-1}" != 0 ]; then
  echo "== ASan + UBSan build of the test suite and the corpus replays"
  scripts/sanitize.sh
fi
