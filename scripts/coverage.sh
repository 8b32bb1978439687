#!/usr/bin/env bash
# Line and branch coverage of parser/ by the test suite, with gcovr.
#
# Usage: scripts/coverage.sh [--tests-only]
#   Builds with SMTPP_COVERAGE=ON (gcc --coverage -O0) in build-cov, runs
#   ctest (the Check suites and the fuzz corpus replays; --tests-only leaves
#   the replays out), does the same in build-cov-portable (SMTPP_NO_AVX2:
#   on an AVX2 machine the first build runs the AVX2 lanes only, and the
#   code of the portable ones, SSE2 or NEON, would count as never run), and
#   prints a gcovr summary of the library's sources, the two runs merged:
#   the hand-written parser/*.c and the C that re2c generates from
#   parser/*.re (build-cov/parser/*.c; re2c runs with -i, so the counts are
#   of the generated lexer, whose DFA branches are many).  HTML with every
#   line: build-cov/coverage/index.html.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh --coverage
build=${COVERAGE_BUILD:-build-cov}
jobs=$(nproc 2>/dev/null || echo 2)
label_args=()
[ "${1:-}" = "--tests-only" ] && label_args=(-LE fuzz)

# one build: configure, build, run the tests, and its counts as gcovr JSON
cover_build() {
  local dir=$1; shift
  CC=${CC:-gcc} cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DSMTPP_COVERAGE=ON \
    -DSMTPP_BUILD_BENCH=OFF -DSMTPP_BUILD_TOOLS=OFF "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
  find "$dir" -name '*.gcda' -delete
  # a failing test still leaves its counts: report them, and say so
  ctest --test-dir "$dir" -j "$jobs" "${label_args[@]}" >"$dir/ctest.log" 2>&1 ||
    { echo "coverage.sh: some tests failed in $dir:"; grep -E '^\s+[0-9]+ - ' "$dir/ctest.log" || true; }
  grep -E 'tests passed' "$dir/ctest.log" | sed "s|^|$dir: |" || true
  # re2c's output is in the build tree: both builds name it parser/*.c
  gcovr --root . --object-directory "$dir" --filter 'parser/' --filter "$dir/parser/" \
    --exclude-unreachable-branches --json "$dir/coverage.json"
  sed -i "s|$dir/parser/|$build/parser/|g" "$dir/coverage.json"
}
cover_build "$build"
cover_build "$build-portable" -DSMTPP_NO_AVX2=ON
mkdir -p "$build/coverage"
common=(--root . --add-tracefile "$build/coverage.json"
        --add-tracefile "$build-portable/coverage.json")
echo
echo "== line and branch coverage of parser/ (hand-written .c and re2c output)"
gcovr "${common[@]}" --txt --branches | sed -n '/^File/,$p' >"$build/coverage/branches.txt"
gcovr "${common[@]}" --txt | sed -n '/^File/,$p' >"$build/coverage/lines.txt"
paste -d' ' <(awk '/^-/{print "-"; next} {printf "%-34s %6s %6s %7s\n", $1, $2, $3, $4}' \
                 "$build/coverage/lines.txt") \
  <(awk '/^-/{print "-"; next} {printf "| %6s %6s %7s\n", $2, $3, $4}' \
        "$build/coverage/branches.txt") |
  sed -e 's/^File .*/file                                lines   exec   cover | branches taken  cover/' \
      -e 's/^- -$/---------------------------------------------------------------------------------/'
gcovr "${common[@]}" --html-details "$build/coverage/index.html" >/dev/null
echo
echo "uncovered lines per file: gcovr ${common[*]} --txt (column Missing);"
echo "HTML: $build/coverage/index.html"
