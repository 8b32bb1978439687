#!/usr/bin/env bash
# Installs what building and testing libsmtpp needs, through apt-get, when it
# is missing.  Safe to run again: does nothing when everything is present.
# Usage: scripts/deps.sh [--fuzz]   (--fuzz adds clang's libFuzzer runtime)
set -euo pipefail
want=()
need() { command -v "$1" >/dev/null 2>&1 || want+=("$2"); }
need cmake cmake
need re2c re2c
need cc gcc
need pkg-config pkg-config
need make make
pkg-config --exists check 2>/dev/null || want+=(check)
if [ "${1:-}" = "--fuzz" ]; then
  need clang clang
  ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 \
    || want+=(libclang-rt-14-dev)
  need valgrind valgrind
  need gcovr gcovr
fi
[ ${#want[@]} -eq 0 ] && exit 0
echo "deps.sh: installing ${want[*]}" >&2
SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
