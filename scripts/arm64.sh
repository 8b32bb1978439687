#!/usr/bin/env bash
# ARM64 is tested, not assumed: cross-compiles libsmtpp, its tests, tools and
# fuzz replays for aarch64 (Debian's gcc-aarch64-linux-gnu,
# cmake/aarch64-linux-gnu.cmake) and runs the whole ctest suite under
# qemu-aarch64 (Debian's qemu-user): the Check suites, the fuzz corpus and
# regression replays, smtpcheck's and the interop tests (their drivers run on
# the host and start the aarch64 binaries under the emulator), the install
# test.  The aarch64 build runs the NEON build of the lanes
# (parser/command_lane.c, parser/reply_lane.c; tests/test_lane.c checks it
# is the one chosen), with the fast-path oracle on (SMTPP_CHECK_FAST_PATHS:
# every line a lane takes is checked against the general path).  Speed cannot be measured this way: qemu
# translates every instruction.
#
# Usage: scripts/arm64.sh [ctest arguments...]     (CI: scripts/test.sh)
# Environment: ARM64_BUILD (default build-arm64).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh --arm64
jobs=$(nproc 2>/dev/null || echo 2)
build=${ARM64_BUILD:-build-arm64}
cmake -S . -B "$build" -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/aarch64-linux-gnu.cmake" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSMTPP_WERROR=ON -DSMTPP_CHECK_FAST_PATHS=ON \
  -DSMTPP_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j "$jobs"
# The binaries really are aarch64 ones (no host build slipped in).
lib=$build/libsmtpp.a
if ! aarch64-linux-gnu-objdump -f "$lib" | grep -q 'architecture: aarch64'; then
  echo "arm64.sh: $lib is not an aarch64 build" >&2
  exit 1
fi
# Check's fork mode hangs under qemu-user: the tests run in-process.
CK_FORK=no ctest --test-dir "$build" --output-on-failure --no-tests=error -j "$jobs" "$@"
