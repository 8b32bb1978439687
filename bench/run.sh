#!/bin/sh
# run.sh: one full benchmark run, saved to bench/results-<date>.txt.
#
#   bench/run.sh [BUILD_DIR]        (default build-bench)
#
# Configures and builds a Release tree if needed, generates the streams
# (seed 1, default sizes) unless they exist, then writes the source state
# (commit, files changed since), the machine's load, the output of
# smtpp_bench, smtpp_bench_edges and callgrind.sh into
# bench/results-YYYY-MM-DD.txt and prints it.  The timed programs run
# pinned to CPU 1 (taskset, when there is one: on the 2-core machines
# this project is measured on, CPU 0 has slow phases).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build-bench}
DATA=$BUILD/bench/data
OUT=$ROOT/bench/results-$(date +%Y-%m-%d).txt

if [ ! -f "$BUILD/CMakeCache.txt" ]; then
    cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DSMTPP_BUILD_TESTS=OFF >/dev/null
fi
cmake --build "$BUILD" -j2 --target smtpp_bench smtpp_bench_gen smtpp_bench_edges >/dev/null
PIN=
if command -v taskset >/dev/null 2>&1 && taskset -c 1 true 2>/dev/null; then
    PIN="taskset -c 1"
fi
if [ ! -f "$DATA/replies.txt" ]; then
    mkdir -p "$DATA"
    "$BUILD/bench/smtpp_bench_gen" -o "$DATA"
fi

{
    echo "# libsmtpp benchmark run, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "# commit $(git -C "$ROOT" rev-parse --short HEAD)"
    echo "# uncommitted library changes: $(git -C "$ROOT" status --porcelain -- parser include | tr '\n' ' ')"
    echo "# build: $(grep -E '^CMAKE_BUILD_TYPE' "$BUILD/CMakeCache.txt"), $(grep -E '^CMAKE_C_COMPILER:' "$BUILD/CMakeCache.txt")"
    echo "# load before the run: $(cat /proc/loadavg 2>/dev/null || uptime)"
    echo "# streams: $(cd "$DATA" && ls -l commands.txt data.txt replies.txt | awk '{printf "%s %s B; ", $NF, $5}')"
    echo "# pinned: ${PIN:-no (no taskset, or no CPU 1)}"
    echo
    $PIN "$BUILD/bench/smtpp_bench" -d "$DATA"
    echo
    echo "# the edges of a read, call by call (smtpp_bench_edges)"
    $PIN "$BUILD/bench/smtpp_bench_edges"
    echo
    echo "# load after the run: $(cat /proc/loadavg 2>/dev/null || uptime)"
    echo
    echo "# callgrind (bench/callgrind.sh): instructions per byte and per item"
    "$ROOT/bench/callgrind.sh" "$BUILD" "$DATA"
} >"$OUT" 2>&1
cat "$OUT"
echo "saved to $OUT" >&2
