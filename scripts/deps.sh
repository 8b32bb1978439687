#!/usr/bin/env bash
# Installs what building and testing libsmtpp needs, through apt-get, when it
# is missing.  Safe to run again: does nothing when everything is present.
# Usage: scripts/deps.sh [--fuzz] [--afl] [--arm64] [--sanitize] [--valgrind] [--coverage]
#   --fuzz      clang and its libFuzzer runtime (scripts/fuzz.sh)
#   --afl       AFL++, clang and zip (scripts/afl.sh, fuzz/build.sh)
#   --arm64     the aarch64 cross compiler, qemu-user and the arm64 build of
#               Check (multiarch: adds the arm64 architecture to dpkg), for
#               the cross-compiled test stage (cmake/aarch64-linux-gnu.cmake)
#   --sanitize  clang and its ASan and UBSan runtimes (scripts/sanitize.sh)
#   --valgrind  valgrind and python3 (scripts/sanitize.sh --valgrind)
#   --coverage  gcovr (scripts/coverage.sh)
set -euo pipefail
want=()
need() { command -v "$1" >/dev/null 2>&1 || want+=("$2"); }
need cmake cmake
need re2c re2c
need cc gcc
need pkg-config pkg-config
need make make
pkg-config --exists check 2>/dev/null || want+=(check)
# smtpcheck's tests and the interop tests (tests/interop): real clients
# and a real server; a missing one must be installed, never skipped
need python3 python3
need curl curl
need swaks swaks
need msmtp msmtp
/usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1 || want+=(python3-aiosmtpd)
# The proxy tests (tests/postfix) run Debian's Postfix as the upstream, with
# a throwaway configuration of their own; the package is installed with "No
# configuration", so the system gets no main.cf and no running mail system.
[ -x /usr/sbin/postfix ] || want+=(postfix)
# the grammar oracle test (tests/oracle): Node.js, then its npm packages
need node nodejs
need npm npm
for arg in "$@"; do
  case "$arg" in
    --fuzz)
      need clang clang
      ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 \
        || want+=(libclang-rt-14-dev)
      ;;
    --sanitize)
      # clang (scripts/sanitize.sh) and its runtimes; a test link tells
      # whether they are there
      need clang clang
      if ! echo 'int main(void){return 0;}' |
           clang -x c -fsanitize=address,undefined -o /dev/null - >/dev/null 2>&1; then
        want+=(libclang-rt-14-dev)
      fi
      ;;
    --afl)
      need afl-fuzz afl++
      need afl-clang-fast afl++
      need clang clang
      need zip zip
      ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 \
        || want+=(libclang-rt-14-dev)
      ;;
    --arm64)
      need aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu
      need qemu-aarch64 qemu-user
      # the C library's start files and headers for the target: only
      # recommended by the cross compiler, so --no-install-recommends
      # leaves them out
      [ -f /usr/aarch64-linux-gnu/lib/crti.o ] || want+=(libc6-dev-arm64-cross)
      # Check and what its .pc file names (libsubunit), for arm64
      if [ ! -f /usr/lib/aarch64-linux-gnu/pkgconfig/check.pc ] ||
         [ ! -f /usr/lib/aarch64-linux-gnu/pkgconfig/libsubunit.pc ]; then
        want+=(check:arm64 libsubunit-dev:arm64)
        if ! dpkg --print-foreign-architectures | grep -qx arm64; then
          SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
          echo "deps.sh: adding the arm64 architecture to dpkg" >&2
          $SUDO dpkg --add-architecture arm64
        fi
      fi
      ;;
    --valgrind) need valgrind valgrind; need python3 python3 ;;
    --coverage) need gcovr gcovr ;;
    *) echo "deps.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done
if [ ${#want[@]} -gt 0 ]; then
  echo "deps.sh: installing ${want[*]}" >&2
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  case " ${want[*]} " in
    *" postfix "*)
      echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections ;;
  esac
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
fi
# The oracle's packages, exactly as tests/oracle/package-lock.json pins
# them, unless that tree is already installed.
oracle="$(cd "$(dirname "$0")/.." && pwd)/tests/oracle"
if ! cmp -s "$oracle/package-lock.json" "$oracle/node_modules/.smtpp-lock" 2>/dev/null; then
  echo "deps.sh: npm ci in tests/oracle" >&2
  (cd "$oracle" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  cp "$oracle/package-lock.json" "$oracle/node_modules/.smtpp-lock"
fi
