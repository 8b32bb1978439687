#!/usr/bin/env bash
# The grammar oracle (tests/oracle/README.md) on a long run: N generated and
# mutated command lines (default 20 million) judged by the RFC ABNF and by
# the library, in runs of a million lines with consecutive seeds, so that a
# failure names the seed that reproduces it:
#   node tests/oracle/run.mjs --driver build/tests/oracle_driver --lines 1000000 --seed S
# Usage: scripts/oracle.sh [N] [first seed]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20000000}
seed=${2:-1000}
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSMTPP_WERROR=ON >/dev/null
cmake --build build -j2 --target oracle_driver >/dev/null
status=0
while [ "$n" -gt 0 ]; do
  k=$(( n < 1000000 ? n : 1000000 ))
  node tests/oracle/run.mjs --driver build/tests/oracle_driver --lines "$k" --seed "$seed" || status=1
  n=$(( n - k ))
  seed=$(( seed + 1 ))
done
exit $status
