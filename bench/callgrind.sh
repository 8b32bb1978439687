#!/bin/sh
# callgrind.sh: instructions per byte and per item, a figure that does not
# depend on the machine's load, for comparing builds on a noisy machine.
#
#   bench/callgrind.sh [BUILD_DIR [DATA_DIR [SLICE [CHUNK]]]]
#
#   BUILD_DIR  a Release build with smtpp_bench (default build-bench)
#   DATA_DIR   the streams of smtpp_bench_gen (default BUILD_DIR/bench/data)
#   SLICE      bytes of each stream to run (default 1M for commands and
#              replies, 8M for data), extended to the next item boundary
#   CHUNK      read size: the library systems read the slice CHUNK bytes
#              at a time, as the chunked runs of smtpp_bench do (default:
#              the whole slice at once); the references always run whole
#
# BENCH_FLAGS in the environment is passed to smtpp_bench (BENCH_FLAGS=-P:
# padded input, SMTPP_INPUT_PADDED).
#
# For each stream it runs, once:
#
#   valgrind --tool=callgrind --branch-sim=yes --callgrind-out-file=OUT \
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
# lines the program prints.  --branch-sim=yes adds callgrind's model of a
# branch predictor: "misp/item" is its count of mispredicted conditional
# and indirect branches (Bcm + Bim) per item.  The model is simpler than a
# real CPU's predictor, but like the instruction count it is repeatable,
# and it sees what instruction counts miss: a loop whose exit depends on
# the data (one per field of a command) costs a mispredicted branch, some
# 15-20 cycles, each time it ends.
set -eu
. "$(dirname "$0")/measured.sh"

BUILD=${1:-build-bench}
DATA=${2:-$BUILD/bench/data}
SLICE=${3:-}
CHUNK=${4:-}
BENCH=$BUILD/bench/smtpp_bench
TMP=${TMPDIR:-/tmp}/smtpp-callgrind.$$
mkdir -p "$TMP"
trap 'rm -rf "$TMP"' EXIT

command -v valgrind >/dev/null || { echo "valgrind not found" >&2; exit 1; }
[ -x "$BENCH" ] || { echo "$BENCH not found: build the smtpp_bench target" >&2; exit 1; }

printf '%-9s %-14s %10s %9s %14s %10s %12s %10s\n' workload system bytes items instructions "Ir/byte" "Ir/item" "misp/item"
for kind in commands data replies; do
    file=$DATA/$kind.txt
    [ -f "$file" ] || continue
    slice=$SLICE
    if [ -z "$slice" ]; then
        if [ "$kind" = data ]; then slice=8M; else slice=1M; fi
    fi
    valgrind --tool=callgrind --branch-sim=yes --callgrind-out-file="$TMP/$kind.out" \
        "$BENCH" ${BENCH_FLAGS:-} ${CHUNK:+-c "$CHUNK"} --once "$slice" "$kind:$file" >"$TMP/$kind.res" 2>"$TMP/$kind.err" ||
        { cat "$TMP/$kind.err" >&2; exit 1; }
    callgrind_annotate --inclusive=yes "$TMP/$kind.out" >"$TMP/$kind.ann" 2>/dev/null
    measured_rows "$kind" "$TMP/$kind.res" |
    while read -r kind system bytes items fn; do
        # the row's columns: Ir Bc Bcm Bi Bim, each "N (P%)" or "."
        row=$(grep -E "[:]$fn( |\$)" "$TMP/$kind.ann" | head -n 1 |
              sed 's/([^)]*)//g; s/,//g' | awk '{for (i = 1; i <= 5; i++) if ($i == ".") $i = 0;
                                               print $1, $3 + $5}')
        [ -n "$row" ] || row="0 0"
        set -- $row
        awk -v k="$kind" -v s="$system" -v b="$bytes" -v n="$items" -v ir="$1" -v mp="$2" 'BEGIN {
            printf "%-9s %-14s %10d %9d %14d %10.2f %12.1f %10.2f\n", k, s, b, n, ir,
                   ir / b, (n > 0 ? ir / n : 0), (n > 0 ? mp / n : 0) }'
    done
done
