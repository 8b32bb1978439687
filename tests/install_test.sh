#!/usr/bin/env bash
# Installs the built library into a scratch prefix, then builds and runs a
# consumer through find_package(smtpp CONFIG) and through pkg-config.
# Usage: install_test.sh <build-dir> <source-dir> <C compiler> [<toolchain file> <emulator>...]
# A cross build (cmake/aarch64-linux-gnu.cmake) passes its toolchain file, for
# the consumer's configure, and its emulator (qemu-aarch64 -L ...), which
# runs the consumers.
set -euo pipefail
build=$1 src=$2 cc=$3
shift 3
toolchain=()
emu=()
if [ $# -gt 0 ]; then
  toolchain=(-DCMAKE_TOOLCHAIN_FILE="$1")
  shift
  emu=("$@")
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
cmake -S "$src/tests/consumer" -B "$tmp/consumer" -DCMAKE_C_COMPILER="$cc" \
      -DCMAKE_PREFIX_PATH="$tmp/prefix" ${toolchain[@]+"${toolchain[@]}"} >/dev/null
cmake --build "$tmp/consumer" >/dev/null
LD_LIBRARY_PATH="$tmp/prefix/lib:$tmp/prefix/lib64" ${emu[@]+"${emu[@]}"} "$tmp/consumer/consumer_cmake"
${emu[@]+"${emu[@]}"} "$tmp/consumer/consumer_static"
pc=$(ls "$tmp"/prefix/lib*/pkgconfig/smtpp.pc)
export PKG_CONFIG_PATH=$(dirname "$pc")
"$cc" -o "$tmp/consumer_pc" "$src/tests/consumer/consumer.c" $(pkg-config --cflags --libs smtpp)
LD_LIBRARY_PATH="$tmp/prefix/lib:$tmp/prefix/lib64" ${emu[@]+"${emu[@]}"} "$tmp/consumer_pc"
# only the smtpp_ API is exported from the shared library
bad=$(nm -D --defined-only "$(ls "$tmp"/prefix/lib*/libsmtpp.so.0)" | awk '$2 ~ /[TDBR]/ {print $3}' | grep -v '^smtpp_' || true)
if [ -n "$bad" ]; then echo "unexpected exported symbols: $bad"; exit 1; fi
echo "install test passed"
