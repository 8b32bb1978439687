#!/usr/bin/env bash
# Installs what building and testing libsmtpp needs, through apt-get, when it
# is missing.  Safe to run again: does nothing when everything is present.
# Usage: scripts/deps.sh [--fuzz] [--sanitize] [--valgrind] [--coverage]
#   --fuzz      clang and its libFuzzer runtime (scripts/fuzz.sh)
#   --sanitize  the ASan and UBSan runtimes of the C compiler (scripts/sanitize.sh)
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
for arg in "$@"; do
  case "$arg" in
    --fuzz)
      need clang clang
      ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 \
        || want+=(libclang-rt-14-dev)
      ;;
    --sanitize)
      # gcc's runtimes; a test link tells whether they are there
      if ! echo 'int main(void){return 0;}' |
           cc -x c -fsanitize=address,undefined -o /dev/null - >/dev/null 2>&1; then
        want+=(libasan8 libubsan1)
      fi
      ;;
    --valgrind) need valgrind valgrind; need python3 python3 ;;
    --coverage) need gcovr gcovr ;;
    *) echo "deps.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done
[ ${#want[@]} -eq 0 ] && exit 0
echo "deps.sh: installing ${want[*]}" >&2
SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
case " ${want[*]} " in
  *" postfix "*)
    echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections ;;
esac
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
