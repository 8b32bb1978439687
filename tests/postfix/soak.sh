#!/bin/sh
# The full soak of issue 14 (ctest runs it with 2,000 messages to keep CI
# short): 200 concurrent clients, 20,000 messages through examples/proxy
# into a throwaway Postfix.  Needs root and Debian's postfix.
# Usage: tests/postfix/soak.sh PROXY [--asan]
#   e.g. tests/postfix/soak.sh build/examples/proxy
#        tests/postfix/soak.sh build-asan/examples/proxy --asan
set -eu
SMTPP_SOAK_CLIENTS=${SMTPP_SOAK_CLIENTS:-200} SMTPP_SOAK_MESSAGES=${SMTPP_SOAK_MESSAGES:-20000} \
  exec /usr/bin/python3 "$(dirname "$0")/postfix_test.py" "$1" soak ${2:-}
