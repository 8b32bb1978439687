#!/bin/sh
# qemu-count.sh: instructions per byte and per item on aarch64, counted
# under qemu-aarch64, for the builds no machine here can time (the NEON
# lanes, the scalar build).  callgrind.sh's table, for an aarch64 build.
#
#   bench/qemu-count.sh BUILD_DIR [DATA_DIR [SLICE [CHUNK]]]
#
#   BUILD_DIR  an aarch64 build with smtpp_bench (cmake -DCMAKE_TOOLCHAIN_FILE=
#              cmake/aarch64-linux-gnu.cmake -DCMAKE_BUILD_TYPE=Release
#              -DSMTPP_BUILD_TESTS=OFF; add -DSMTPP_NO_SIMD=ON for the
#              scalar build)
#   DATA_DIR   the streams of smtpp_bench_gen (default BUILD_DIR/bench/data;
#              the generator is the same program on any host)
#   SLICE      bytes of each stream to run (default 256K for commands and
#              replies, 1M for data), extended to the next item boundary
#   CHUNK      read size of the library systems, as in callgrind.sh
#
# How it counts.  `qemu-aarch64 -singlestep -d exec,nochain` translates
# every guest instruction as a block of its own and logs each execution
# of a block, with the name of the function it is in, one line each.
# `smtpp_bench --once` calls each measured function exactly once (they are
# never inlined: bench_<kind>_smtpp, bench_session, bench_conn in bench.c,
# ref_* in baseline.c), and the program has one thread, so everything the
# log shows between a measured function's first instruction and its last
# is that call and its callees: its inclusive count is the number of
# lines from the first to the last, both included.  The count is exact and
# repeatable, like callgrind's, but it is a count of aarch64 instructions
# as the compiler emitted them, not a time: qemu gives no speed figures,
# and on a real CPU the NEON and scalar instructions do not cost the same.
# No branch-predictor model either (callgrind's misp/item has no column
# here).
#
# Needs qemu-user and the cross compiler (scripts/deps.sh --arm64).  The
# log goes through a pipe, never to disk (some 90 bytes per instruction).
set -eu
. "$(dirname "$0")/measured.sh"

BUILD=${1:?usage: bench/qemu-count.sh BUILD_DIR [DATA_DIR [SLICE [CHUNK]]]}
DATA=${2:-$BUILD/bench/data}
SLICE=${3:-}
CHUNK=${4:-}
BENCH=$BUILD/bench/smtpp_bench
QEMU=${QEMU:-qemu-aarch64}
SYSROOT=${SYSROOT:-/usr/aarch64-linux-gnu}
TMP=${TMPDIR:-/tmp}/smtpp-qemu-count.$$
mkdir -p "$TMP"
trap 'rm -rf "$TMP"' EXIT

command -v "$QEMU" >/dev/null || { echo "$QEMU not found (scripts/deps.sh --arm64)" >&2; exit 1; }
[ -x "$BENCH" ] || { echo "$BENCH not found: build the smtpp_bench target" >&2; exit 1; }
# (QEMU=qemu-x86_64 SYSROOT=/ counts an x86-64 build the same way: a check
# of the method against callgrind.sh's counts, which it matches within
# 0.02%: bench/README.md)
if [ "$QEMU" = qemu-aarch64 ]; then
    case $(file -b "$BENCH" 2>/dev/null || echo unknown) in
        *aarch64*|unknown) ;;
        *) echo "$BENCH is not an aarch64 program" >&2; exit 1 ;;
    esac
fi

printf '%-9s %-14s %10s %9s %14s %10s %12s\n' workload system bytes items instructions "Ir/byte" "Ir/item"
for kind in commands data replies; do
    file=$DATA/$kind.txt
    [ -f "$file" ] || continue
    slice=$SLICE
    if [ -z "$slice" ]; then
        if [ "$kind" = data ]; then slice=1M; else slice=256K; fi
    fi
    mkfifo "$TMP/log"
    # first and last line of each function that is named in the log
    awk '{ f = $NF; if (!(f in first)) first[f] = NR; last[f] = NR }
         END { for (f in first) print f, first[f], last[f] }' "$TMP/log" >"$TMP/$kind.spans" &
    reader=$!
    "$QEMU" -L "$SYSROOT" -singlestep -d exec,nochain -D "$TMP/log" \
        "$BENCH" ${BENCH_FLAGS:-} ${CHUNK:+-c "$CHUNK"} --once "$slice" "$kind:$file" \
        >"$TMP/$kind.res" 2>"$TMP/$kind.err" || { cat "$TMP/$kind.err" >&2; exit 1; }
    wait "$reader"
    rm -f "$TMP/log"
    measured_rows "$kind" "$TMP/$kind.res" |
    while read -r kind system bytes items fn; do
        ir=$(awk -v f="$fn" '$1 == f { print $3 - $2 + 1 }' "$TMP/$kind.spans")
        [ -n "$ir" ] || { echo "qemu-count.sh: $fn not in the log" >&2; exit 1; }
        awk -v k="$kind" -v s="$system" -v b="$bytes" -v n="$items" -v ir="$ir" 'BEGIN {
            printf "%-9s %-14s %10d %9d %14d %10.2f %12.1f\n", k, s, b, n, ir,
                   ir / b, (n > 0 ? ir / n : 0) }'
    done
    # the measured calls follow one another: no span holds another's
    sort -k2,2n "$TMP/$kind.spans" | awk '
        $1 ~ /^(ref_|bench_)/ && $1 != "bench_connect" {
            if ($2 <= prev) { print "qemu-count.sh: " $1 " overlaps " pf > "/dev/stderr"; bad = 1 }
            prev = $3; pf = $1 }
        END { exit bad }'
done
