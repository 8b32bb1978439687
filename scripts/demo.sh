#!/usr/bin/env bash
# The library's main job on a bundled sample: builds libsmtpp and parses
# examples/sample-session.txt (or the file given), printing every command
# and the reply each refused line deserves.  Installs missing build
# dependencies first.  Usage: scripts/demo.sh [FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" --target parse_session >/dev/null
exec build/examples/parse_session "${1:-examples/sample-session.txt}"
