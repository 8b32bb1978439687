#!/usr/bin/env bash
# Installs the built library into a scratch prefix, then builds and runs a
# consumer through find_package(smtpp CONFIG) and through pkg-config.
# Usage: install_test.sh <build-dir> <source-dir> <C compiler>
set -euo pipefail
build=$1 src=$2 cc=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
cmake -S "$src/tests/consumer" -B "$tmp/consumer" -DCMAKE_C_COMPILER="$cc" \
      -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/consumer" >/dev/null
LD_LIBRARY_PATH="$tmp/prefix/lib:$tmp/prefix/lib64" "$tmp/consumer/consumer_cmake"
"$tmp/consumer/consumer_static"
pc=$(ls "$tmp"/prefix/lib*/pkgconfig/smtpp.pc)
export PKG_CONFIG_PATH=$(dirname "$pc")
"$cc" -o "$tmp/consumer_pc" "$src/tests/consumer/consumer.c" $(pkg-config --cflags --libs smtpp)
LD_LIBRARY_PATH="$tmp/prefix/lib:$tmp/prefix/lib64" "$tmp/consumer_pc"
# only the smtpp_ API is exported from the shared library
bad=$(nm -D --defined-only "$(ls "$tmp"/prefix/lib*/libsmtpp.so.0)" | awk '$2 ~ /[TDBR]/ {print $3}' | grep -v '^smtpp_' || true)
if [ -n "$bad" ]; then echo "unexpected exported symbols: $bad"; exit 1; fi
echo "install test passed"
