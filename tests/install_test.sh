#!/usr/bin/env bash
# Packaging as a consumer meets it.  Installs the built library into a scratch
# prefix, then builds and runs a consumer:
#   1. through find_package(smtpp CONFIG), shared and static;
#   2. through pkg-config, shared, and static with `pkg-config --static`
#      (a fully static executable, and one that takes only libsmtpp.a);
#   3. checks that the state-machine document is installed with the headers
#      (share/doc/smtpp/session-state.md) and that only smtpp_ symbols are
#      exported;
#   4. configures the documented library-only line with find_package(PkgConfig)
#      disabled (so Check cannot be looked up), builds and installs it: the
#      library, headers, CMake package, smtpp.pc and docs, nothing else;
#   5. builds a consumer that add_subdirectory()s the source tree: it needs no
#      Check either, installs nothing of libsmtpp by default, and installs the
#      library with -DSMTPP_INSTALL=ON.
# Usage: install_test.sh <build-dir> <source-dir> <C compiler>
set -euo pipefail
build=$1 src=$2 cc=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
step() { echo "--- $*"; }

step "1. find_package"
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
cmake -S "$src/tests/consumer" -B "$tmp/consumer" -DCMAKE_C_COMPILER="$cc" \
      -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/consumer" >/dev/null
LD_LIBRARY_PATH="$tmp/prefix/lib:$tmp/prefix/lib64" "$tmp/consumer/consumer_cmake"
"$tmp/consumer/consumer_static"

step "2. pkg-config"
pc=$(ls "$tmp"/prefix/lib*/pkgconfig/smtpp.pc)
export PKG_CONFIG_PATH=$(dirname "$pc")
"$cc" -o "$tmp/consumer_pc" "$src/tests/consumer/consumer.c" $(pkg-config --cflags --libs smtpp)
LD_LIBRARY_PATH="$tmp/prefix/lib:$tmp/prefix/lib64" "$tmp/consumer_pc"
readelf -d "$tmp/consumer_pc" | grep -q 'NEEDED.*libsmtpp\.so' || fail "consumer_pc is not linked to libsmtpp.so"
# --static: the private flags come along (SMTPP_STATIC for the declarations)
pkg-config --static --cflags smtpp | grep -q -- '-DSMTPP_STATIC' || fail "pkg-config --static --cflags lacks -DSMTPP_STATIC"
if pkg-config --cflags smtpp | grep -q -- '-DSMTPP_STATIC'; then fail "SMTPP_STATIC in the shared cflags"; fi
# a fully static executable, with nothing but what pkg-config --static gives
"$cc" -static -o "$tmp/consumer_pc_static" "$src/tests/consumer/consumer.c" \
      $(pkg-config --static --cflags --libs smtpp)
if readelf -d "$tmp/consumer_pc_static" 2>/dev/null | grep -q NEEDED; then
  fail "consumer_pc_static has dynamic dependencies"
fi
env -u LD_LIBRARY_PATH "$tmp/consumer_pc_static"
# libsmtpp.a only, the C library still shared
"$cc" -o "$tmp/consumer_pc_archive" "$src/tests/consumer/consumer.c" $(pkg-config --static --cflags smtpp) \
      -Wl,-Bstatic $(pkg-config --static --libs smtpp) -Wl,-Bdynamic
if readelf -d "$tmp/consumer_pc_archive" | grep -q 'NEEDED.*libsmtpp'; then
  fail "consumer_pc_archive needs libsmtpp.so"
fi
env -u LD_LIBRARY_PATH "$tmp/consumer_pc_archive"

step "3. installed documents and exported symbols"
cmp "$src/docs/session-state.md" "$tmp/prefix/share/doc/smtpp/session-state.md" \
  || fail "share/doc/smtpp/session-state.md is not docs/session-state.md"
# only the smtpp_ API is exported from the shared library
bad=$(nm -D --defined-only "$(ls "$tmp"/prefix/lib*/libsmtpp.so.0)" | awk '$2 ~ /[TDBR]/ {print $3}' | grep -v '^smtpp_' || true)
if [ -n "$bad" ]; then fail "unexpected exported symbols: $bad"; fi

# Installed files, relative to the prefix, without the lib/lib64 difference
listing() { (cd "$1" && find . -type f -o -type l | sed 's|^\./||; s|^lib64/|lib/|' | sort); }

step "4. library only (README: Building, installing, using)"
# PKG_CONFIG pointing nowhere and find_package(PkgConfig) disabled: a build
# that looked for Check would fail to configure.
PKG_CONFIG=/nonexistent cmake -S "$src" -B "$tmp/libonly" -DCMAKE_C_COMPILER="$cc" \
      -DCMAKE_BUILD_TYPE=Release \
      -DSMTPP_BUILD_TESTS=OFF -DSMTPP_BUILD_BENCH=OFF -DSMTPP_BUILD_TOOLS=OFF \
      -DCMAKE_DISABLE_FIND_PACKAGE_PkgConfig=ON >"$tmp/libonly.log" 2>&1 \
  || { cat "$tmp/libonly.log"; fail "library-only configure"; }
if grep -Eq '^(CHECK_|SMTPP_PYTHON3|SMTPP_INTEROP_PYTHON3)' "$tmp/libonly/CMakeCache.txt"; then
  fail "the library-only build looked up a test dependency"
fi
cmake --build "$tmp/libonly" -j2 >"$tmp/libonly.log" 2>&1 || { cat "$tmp/libonly.log"; fail "library-only build"; }
cmake --install "$tmp/libonly" --prefix "$tmp/prefix-libonly" >/dev/null
got=$(listing "$tmp/prefix-libonly" | grep -v '^include/smtpp/' || true)
want=$(printf '%s\n' lib/cmake/smtpp/smtppConfig.cmake lib/cmake/smtpp/smtppConfigVersion.cmake \
         lib/cmake/smtpp/smtppTargets-release.cmake lib/cmake/smtpp/smtppTargets.cmake \
         lib/libsmtpp.a lib/libsmtpp.so lib/libsmtpp.so.0 "lib/libsmtpp.so.$(sed -n 's/^Version: //p' "$pc")" \
         lib/pkgconfig/smtpp.pc $(cd "$src/docs" && ls *.md | sed 's|^|share/doc/smtpp/|') | sort)
[ "$got" = "$want" ] || fail "library-only install differs from what is expected:
$(diff <(echo "$want") <(echo "$got"))"
[ "$(listing "$tmp/prefix-libonly" | grep -c '^include/smtpp/')" = "$(ls "$src/include/smtpp" | wc -l)" ] \
  || fail "library-only install lacks headers"

step "5. add_subdirectory"
PKG_CONFIG=/nonexistent cmake -S "$src/tests/consumer/subdir" -B "$tmp/subdir" -DCMAKE_C_COMPILER="$cc" \
      -DSMTPP_SOURCE_DIR="$src" -DCMAKE_DISABLE_FIND_PACKAGE_PkgConfig=ON >"$tmp/subdir.log" 2>&1 \
  || { cat "$tmp/subdir.log"; fail "add_subdirectory configure"; }
cmake --build "$tmp/subdir" -j2 >"$tmp/subdir.log" 2>&1 || { cat "$tmp/subdir.log"; fail "add_subdirectory build"; }
"$tmp/subdir/consumer_subdir"
cmake --install "$tmp/subdir" --prefix "$tmp/prefix-subdir" >/dev/null
got=$(listing "$tmp/prefix-subdir")
[ "$got" = "bin/consumer_subdir" ] || fail "a subproject installed files of its own:
$got"
cmake -S "$src/tests/consumer/subdir" -B "$tmp/subdir" -DSMTPP_INSTALL=ON >/dev/null
cmake --build "$tmp/subdir" -j2 >/dev/null
cmake --install "$tmp/subdir" --prefix "$tmp/prefix-subdir-on" >/dev/null
for f in include/smtpp/smtpp.h lib/pkgconfig/smtpp.pc share/doc/smtpp/session-state.md bin/consumer_subdir; do
  listing "$tmp/prefix-subdir-on" | grep -qx "$f" || fail "SMTPP_INSTALL=ON in a subproject: $f not installed"
done
echo "install test passed"
