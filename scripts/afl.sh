#!/usr/bin/env bash
# Fuzzes libsmtpp with AFL++ (Debian package afl++), the second engine
# beside libFuzzer (scripts/fuzz.sh), on the same harnesses fuzz/*_fuzzer.c.
#
# Usage:
#   scripts/afl.sh [--merge] TARGET [SECONDS]   one harness (default 60 s)
#   scripts/afl.sh [--merge] all [SECONDS]      every harness, one at a time,
#                                               SECONDS each
#   --merge   afterwards, merge the inputs of AFL++'s queue that add libFuzzer
#             edge coverage into fuzz/corpus/TARGET/ (then shrink the corpus
#             with scripts/fuzz.sh --minimize)
#
# Builds two fuzzers per harness with fuzz/build.sh, afl-clang-fast and
# AFL++'s libFuzzer driver (libAFLDriver.a, persistent mode):
#   $AFL_BUILD/asan/<t>_fuzzer     the fuzzed binary: ASan + UBSan and the
#                                  fast-path oracle (SMTPP_CHECK_FAST_PATHS)
#   $AFL_BUILD/cmplog/<t>_fuzzer   the same with AFL_LLVM_CMPLOG=1 and no
#                                  sanitizer: comparison logging, which lets
#                                  AFL++ put the operands the parser compares
#                                  against (verbs, keywords) into inputs
#                                  (afl-fuzz -c)
# Edge coverage comes from the library only (AFL_LLVM_ALLOWLIST: parser/),
# as in the libFuzzer build, so the harnesses' own loops do not flood the
# queue.  Seeds: fuzz/corpus/<t>/, dictionary fuzz/smtp.dict.  Prints
# executions, executions per second, edges, queue size, crashes and hangs.
# A crash's input is copied to fuzz/artifacts/<t>-afl-<id> and the script
# exits 1; replay it with build/fuzz/<t>_replay FILE.
#
# Environment: AFL_BUILD (default build-afl), AFL_TIMEOUT (per-run timeout
# in ms, default 1000+: seeds that time out are skipped), AFL_ARGS (more
# afl-fuzz arguments), AFL_NO_BUILD=1 (reuse the fuzzers already built),
# AFL_CMPLOG_ALL=1 (comparison logging on the seeds too).
# One afl-fuzz process at a time, not bound to a core: the machine is shared.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

merge=0
if [ "${1:-}" = "--merge" ]; then merge=1; shift; fi
if [ $# -lt 1 ] || [ $# -gt 2 ] || { [ $# -eq 2 ] && ! [[ $2 =~ ^[0-9]+$ ]]; }; then
  echo "usage: scripts/afl.sh [--merge] TARGET|all [SECONDS]" >&2
  exit 2
fi
secs=${2:-60}
if [ "$1" = all ]; then
  targets=()
  for f in fuzz/*_fuzzer.c; do targets+=("$(basename "$f" _fuzzer.c)"); done
else
  [ -f "fuzz/$1_fuzzer.c" ] || { echo "afl.sh: no harness fuzz/$1_fuzzer.c" >&2; exit 2; }
  targets=("$1")
fi

scripts/deps.sh --afl
build=$root/${AFL_BUILD:-build-afl}
mkdir -p "$build"

driver=/usr/lib/afl/libAFLDriver.a
[ -f "$driver" ] || driver=-fsanitize=fuzzer   # afl-clang-fast links its driver for it

if [ "${AFL_NO_BUILD:-0}" != 1 ]; then
  printf 'src:*parser/*\n' >"$build/allowlist.txt"
  common=(CC=afl-clang-fast CXX=afl-clang-fast++ LIB_FUZZING_ENGINE="$driver"
          AFL_LLVM_ALLOWLIST="$build/allowlist.txt" AFL_QUIET=1 WORK="$build")
  san="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all"
  echo "== afl.sh: building the fuzzers (ASan + UBSan) in $build/asan"
  env "${common[@]}" CFLAGS="$san" CXXFLAGS="$san" OUT="$build/asan" fuzz/build.sh
  echo "== afl.sh: building the CMPLOG fuzzers in $build/cmplog"
  env "${common[@]}" AFL_LLVM_CMPLOG=1 CFLAGS="-O2 -g" CXXFLAGS="-O2 -g" \
    OUT="$build/cmplog" fuzz/build.sh
  rm -rf "$build/smtpp-fuzz-build"
fi
if [ $merge = 1 ] && [ "${AFL_NO_BUILD:-0}" != 1 ]; then
  echo "== afl.sh: building libFuzzer fuzzers for the merge in $build/libfuzzer"
  lf="-O1 -g -fsanitize=address,undefined,fuzzer-no-link"
  CC=clang CXX=clang++ CFLAGS="$lf" CXXFLAGS="$lf" LIB_FUZZING_ENGINE=-fsanitize=fuzzer \
    WORK="$build" OUT="$build/libfuzzer" fuzz/build.sh
  rm -rf "$build/smtpp-fuzz-build"
fi

# What afl-fuzz wants of the sanitizers: abort on the first error, no
# symbolizer (the crash input is what counts), no leak check in persistent
# mode.
export ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:symbolize=0
export AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
# Calibration is cut short and the comparison logging runs on the inputs
# AFL++ finds, not on every seed (AFL_CMPLOG_ALL=1: on the seeds too).
export AFL_FAST_CAL=1
[ "${AFL_CMPLOG_ALL:-0}" = 1 ] || export AFL_CMPLOG_ONLY_NEW=1
# Campaigns step over the known, not yet fixed library issues listed in the
# harnesses, as scripts/fuzz.sh does (see fuzz/README.md).
[ "${FUZZ_STRICT:-0}" = 1 ] || export SMTPP_FUZZ_TOLERATE_KNOWN=1

stat_of() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$2"; }
status=0
summary=()
mkdir -p fuzz/artifacts
for t in "${targets[@]}"; do
  bin=$build/asan/${t}_fuzzer cmp=$build/cmplog/${t}_fuzzer
  [ -x "$bin" ] && [ -x "$cmp" ] || { echo "afl.sh: $bin or $cmp missing" >&2; exit 1; }
  out=$build/out/$t
  rm -rf "$out"
  mkdir -p "$out"
  seeds=fuzz/corpus/$t
  if [ -z "$(ls -A "$seeds" 2>/dev/null)" ]; then
    seeds=$build/seed-$t; mkdir -p "$seeds"; printf 'NOOP\r\n' >"$seeds/noop"
  fi
  echo "== $t: AFL++ for ${secs}s (log: $out/afl.log)"
  rc=0
  # shellcheck disable=SC2086
  timeout --signal=INT $((secs + 300)) afl-fuzz -V "$secs" -t "${AFL_TIMEOUT:-1000+}" \
    -G 4096 -i "$seeds" -o "$out" -x fuzz/smtp.dict -c "$cmp" ${AFL_ARGS:-} -- "$bin" \
    >"$out/afl.log" 2>&1 || rc=$?
  st=$out/default/fuzzer_stats
  if [ ! -f "$st" ]; then
    echo "afl.sh: afl-fuzz did not start on $t (exit $rc):" >&2
    tail -20 "$out/afl.log" >&2
    status=1
    continue
  fi
  crashes=$(stat_of saved_crashes "$st")
  line=$(printf '%-8s %5ss  execs %-10s exec/s %-8s edges %-6s (%s)  queue %-5s crashes %s hangs %s' \
    "$t" "$(stat_of run_time "$st")" "$(stat_of execs_done "$st")" "$(stat_of execs_per_sec "$st")" \
    "$(stat_of edges_found "$st")" "$(stat_of bitmap_cvg "$st")" "$(stat_of corpus_count "$st")" \
    "${crashes:-?}" "$(stat_of saved_hangs "$st")")
  if [ "${crashes:-0}" != 0 ]; then
    status=1
    for c in "$out"/default/crashes/id:*; do
      cp "$c" "fuzz/artifacts/$t-afl-$(basename "$c" | cut -d, -f1 | tr -d ':')"
    done
    line="$line  CRASH: inputs in fuzz/artifacts/$t-afl-*"
  fi
  echo "$line"
  summary+=("$line")
  if [ $merge = 1 ]; then
    before=$(ls "fuzz/corpus/$t" 2>/dev/null | wc -l)
    mkdir -p "fuzz/corpus/$t"
    "$build/libfuzzer/${t}_fuzzer" -merge=1 -use_counters=0 -max_len=4096 \
      "fuzz/corpus/$t" "$out/default/queue" >"$out/merge.log" 2>&1 || true
    echo "   merged into fuzz/corpus/$t: $before -> $(ls "fuzz/corpus/$t" | wc -l) files"
  fi
done
echo
echo "== summary (AFL++ $(afl-fuzz -h 2>&1 | grep -Eo '\+\+[0-9.a-z]+' | head -1))"
printf '%s\n' "${summary[@]}"
exit $status
