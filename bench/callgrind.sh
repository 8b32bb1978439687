#!/bin/sh
# callgrind.sh: instructions per byte and per item, a figure that does not
# depend on the machine's load, for comparing builds on a noisy machine.
#
#   bench/callgrind.sh [BUILD_DIR [DATA_DIR [SLICE]]]
#
#   BUILD_DIR  a Release build with smtpp_bench (default build-bench)
#   DATA_DIR   the streams of smtpp_bench_gen (default BUILD_DIR/bench/data)
#   SLICE      bytes of each stream to run (default 1M for commands and
#              replies, 8M for data), extended to the next item boundary
#
# For each stream it runs, once:
#
#   valgrind --tool=callgrind --callgrind-out-file=OUT \
#       smtpp_bench --once SLICE KIND:FILE
#
# `--once` makes smtpp_bench call each measured function exactly once, on
# the whole slice (no warm-up, no repetitions).  The measured functions are
# never inlined (bench_<kind>_smtpp and bench_session in bench.c, ref_* in
# baseline.c), so
# their inclusive cost, read with
#
#   callgrind_annotate --inclusive=yes OUT
#
# is exactly the parsing work: loading the file and everything else the
# program does is outside them (the same as --toggle-collect=<function>).
# Instructions are divided by the slice's bytes and items from the RESULT
# lines the program prints.
set -eu

BUILD=${1:-build-bench}
DATA=${2:-$BUILD/bench/data}
SLICE=${3:-}
BENCH=$BUILD/bench/smtpp_bench
TMP=${TMPDIR:-/tmp}/smtpp-callgrind.$$
mkdir -p "$TMP"
trap 'rm -rf "$TMP"' EXIT

command -v valgrind >/dev/null || { echo "valgrind not found" >&2; exit 1; }
[ -x "$BENCH" ] || { echo "$BENCH not found: build the smtpp_bench target" >&2; exit 1; }

printf '%-9s %-14s %10s %9s %14s %10s %12s\n' workload system bytes items instructions "Ir/byte" "Ir/item"
for kind in commands data replies; do
    file=$DATA/$kind.txt
    [ -f "$file" ] || continue
    slice=$SLICE
    if [ -z "$slice" ]; then
        if [ "$kind" = data ]; then slice=8M; else slice=1M; fi
    fi
    valgrind --tool=callgrind --callgrind-out-file="$TMP/$kind.out" \
        "$BENCH" --once "$slice" "$kind:$file" >"$TMP/$kind.res" 2>"$TMP/$kind.err" ||
        { cat "$TMP/$kind.err" >&2; exit 1; }
    callgrind_annotate --inclusive=yes "$TMP/$kind.out" >"$TMP/$kind.ann" 2>/dev/null
    sed -n 's/^RESULT {"system": "\([^"]*\)".*"bytes": \([0-9]*\),.*"items": \([0-9]*\),.*/\1 \2 \3/p' \
        "$TMP/$kind.res" |
    while read -r system bytes items; do
        case $system in
            memchr) fn=ref_memchr_lines ;;
            handwritten) fn=ref_${kind}_handwritten ;;
            smtpp+session) fn=bench_session ;;
            *) fn=bench_${kind}_smtpp ;;
        esac
        ir=$(grep -E "[:]$fn( |\$)" "$TMP/$kind.ann" | head -n 1 | awk '{gsub(",", "", $1); print $1}')
        [ -n "$ir" ] || ir=0
        awk -v k="$kind" -v s="$system" -v b="$bytes" -v n="$items" -v ir="$ir" 'BEGIN {
            printf "%-9s %-14s %10d %9d %14d %10.2f %12.1f\n", k, s, b, n, ir,
                   ir / b, (n > 0 ? ir / n : 0) }'
    done
done
