#!/usr/bin/env bash
# Fuzzes libsmtpp for real: builds the libFuzzer harnesses (clang,
# -fsanitize=fuzzer,address,undefined), runs each for SECONDS, one at a time,
# merges the inputs that add coverage into fuzz/corpus/<target>/ (-merge=1),
# and prints executions per second and total executions per target.
#
# Usage:
#   scripts/fuzz.sh [SECONDS] [TARGET...]     fuzz (default 60 s, every target),
#                                             then merge and shrink the corpus
#   scripts/fuzz.sh --minimize [TARGET...]    rewrite each corpus as the
#                                             smallest set with the same coverage
#   scripts/fuzz.sh --afl SECONDS [TARGET...] the same with AFL++ and its
#                                             comparison logging (scripts/afl.sh
#                                             --merge, one target at a time)
# Environment: FUZZ_MAX_LEN (default 4096), FUZZ_BUILD (default build-fuzz),
# FUZZ_CMAKE_ARGS (extra CMake options of that build: -DSMTPP_NO_AVX2=ON
# fuzzes the portable lanes, which a CPU with AVX2 does not otherwise run),
# FUZZ_ARGS (extra libFuzzer arguments), FUZZ_STRICT=1 (also stop on the
# known, not yet fixed library issues listed in the harnesses; by default a
# campaign steps over them, SMTPP_FUZZ_TOLERATE_KNOWN=1, while the ctest
# replays of fuzz/regressions/ keep failing on them until they are fixed).
#
# A crash leaves its input in fuzz/artifacts/ (ignored by git) and stops that
# target; copy the input into fuzz/regressions/<target>/ once the bug is
# understood, so ctest replays it forever.  Runs one process at a time
# (-jobs=1 -workers=1): the machine is shared.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${FUZZ_BUILD:-build-fuzz}
max_len=${FUZZ_MAX_LEN:-4096}
mode=fuzz
if [ "${1:-}" = "--minimize" ]; then mode=minimize; shift
elif [ "${1:-}" = "--afl" ]; then mode=afl; shift
fi
secs=60
if [ "$mode" != minimize ] && [[ "${1:-}" =~ ^[0-9]+$ ]]; then secs=$1; shift; fi

all_targets() {
  local f t
  for f in fuzz/*_fuzzer.c; do
    t=$(basename "$f" _fuzzer.c)
    echo "$t"
  done
}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(all_targets)

scripts/deps.sh --fuzz
[ "${FUZZ_STRICT:-0}" = 1 ] || export SMTPP_FUZZ_TOLERATE_KNOWN=1

if [ "$mode" = afl ]; then
  # the same harnesses under AFL++, one at a time (scripts/afl.sh)
  status=0
  for t in "${targets[@]}"; do
    scripts/afl.sh --merge "$t" "$secs" || status=1
    export AFL_NO_BUILD=1   # built once, by the first run
  done
  exit $status
fi

# shellcheck disable=SC2086 # FUZZ_CMAKE_ARGS: options, split on spaces
CC=clang cmake -S . -B "$build" -DSMTPP_FUZZ=ON -DSMTPP_BUILD_TESTS=OFF \
  -DSMTPP_BUILD_BENCH=OFF -DSMTPP_BUILD_TOOLS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  ${FUZZ_CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j2 >/dev/null

# shrink TARGET BIN DIR: rewrites DIR as the smallest set of inputs with the
# same edge coverage (hit counts ignored, so it stays in the hundreds).
# Command streams, paths and encoded strings are first packed several to an
# input (fuzz/pack_corpus.py).
shrink() {
  local t=$1 bin=$2 dir=$3 src tmp
  tmp=$(mktemp -d)
  src=$tmp/packed
  python3 fuzz/pack_corpus.py "$t" "$dir" "$src" "$max_len" >/dev/null
  mkdir -p "$tmp/min"
  "$bin" -merge=1 -use_counters=0 -max_len="$max_len" "$tmp/min" "$src" >/dev/null 2>&1
  if [ -n "$(ls "$tmp/min")" ]; then
    rm -f "$dir"/*
    cp "$tmp/min"/* "$dir"/
  fi
  rm -rf "$tmp"
}

mkdir -p fuzz/artifacts
summary=()
status=0
for t in "${targets[@]}"; do
  bin=$root/$build/fuzz/${t}_fuzzer
  if [ ! -x "$bin" ]; then
    echo "fuzz.sh: no target $t (its API header may not exist yet)" >&2
    continue
  fi
  corpus=fuzz/corpus/$t
  mkdir -p "$corpus"
  if [ "$mode" = minimize ]; then
    before=$(ls "$corpus" | wc -l)
    shrink "$t" "$bin" "$corpus"
    echo "$t: corpus $before -> $(ls "$corpus" | wc -l) files"
    continue
  fi
  work=$build/fuzz-run/$t
  rm -rf "$work"
  mkdir -p "$work/new"
  log=$work/log.txt
  echo "== $t: fuzzing for ${secs}s (log: $log)"
  rc=0
  t0=$(date +%s)
  # shellcheck disable=SC2086
  "$bin" "$work/new" "$corpus" -dict=fuzz/smtp.dict -max_len="$max_len" \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="fuzz/artifacts/$t-" ${FUZZ_ARGS:-} >"$log" 2>&1 || rc=$?
  dur=$(( $(date +%s) - t0 ))
  stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -1; }
  execs=$(stat number_of_executed_units)
  eps=$(stat average_exec_per_sec)
  newu=$(stat new_units_added)
  init_cov=$(grep -Eo 'INITED cov: [0-9]+ ft: [0-9]+' "$log" | head -1 | sed 's/INITED //')
  last_cov=$(grep -Eo '(DONE|pulse|NEW|REDUCE) +cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 |
             sed -E 's/^[A-Z]+ +//')
  before=$(ls "$corpus" | wc -l)
  "$bin" -merge=1 -use_counters=0 -max_len="$max_len" "$corpus" "$work/new" >/dev/null 2>&1 || true
  shrink "$t" "$bin" "$corpus"
  after=$(ls "$corpus" | wc -l)
  line=$(printf '%-8s %4ss  execs %-10s exec/s %-7s  start %-20s end %-20s new units %s, corpus %s -> %s' \
    "$t" "$dur" "${execs:-?}" "${eps:-?}" "${init_cov:-?}" "${last_cov:-?}" "${newu:-?}" "$before" "$after")
  if [ $rc -ne 0 ]; then
    status=1
    line="$line  CRASH (exit $rc): $(ls -t fuzz/artifacts/$t-* 2>/dev/null | head -1)"
    grep -E 'ERROR|invariant|check failed|runtime error' "$log" | head -5 >&2 || true
  fi
  echo "$line"
  summary+=("$line")
done

if [ ${#summary[@]} -gt 0 ]; then
  echo
  echo "== summary"
  printf '%s\n' "${summary[@]}"
fi
exit $status
