#!/bin/bash -eu
# Builds the fuzz harnesses the way OSS-Fuzz builds a project: everything
# comes from the environment, the results go to $OUT.
#
#   CC, CXX               compilers (clang, clang++; or afl-clang-fast(++))
#   CFLAGS, CXXFLAGS      sanitizer and coverage flags chosen by the caller
#                         (e.g. -fsanitize=address,fuzzer-no-link)
#   LIB_FUZZING_ENGINE    what links a harness into a fuzzer: -fsanitize=fuzzer
#                         (libFuzzer), /usr/lib/afl/libAFLDriver.a (AFL++), ...
#   OUT                   where the fuzzers and their files go
#   SRC                   where the checkout is, as $SRC/libsmtpp, when this
#                         script is run from a copy outside the tree
#   WORK                  scratch space for the library build (default: a
#                         directory under $OUT's parent that is removed again)
#
# For each fuzz/<target>_fuzzer.c it writes $OUT/<target>_fuzzer, the seed
# corpus fuzz/corpus/<target>/ as $OUT/<target>_fuzzer_seed_corpus.zip, the
# dictionary as $OUT/<target>_fuzzer.dict and $OUT/<target>_fuzzer.options
# (the input size limit scripts/fuzz.sh uses).  The library is built with
# CMake with the given CFLAGS and SMTPP_CHECK_FAST_PATHS, so every fast-path
# result is also checked against the grammar's DFA.
#
# Local use (what scripts/afl.sh does, and how this script is tested):
#   CC=clang CXX=clang++ CFLAGS="-O1 -g -fsanitize=address,undefined,fuzzer-no-link" \
#     CXXFLAGS="$CFLAGS" LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=/tmp/out fuzz/build.sh
#   CC=afl-clang-fast CXX=afl-clang-fast++ CFLAGS="-O1 -g -fsanitize=address,undefined" \
#     CXXFLAGS="$CFLAGS" LIB_FUZZING_ENGINE=/usr/lib/afl/libAFLDriver.a OUT=/tmp/out-afl fuzz/build.sh
# Needs cmake, re2c >= 3.0 and zip (or python3) besides the compilers.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ -f "$here/parser/command.re" ]; then
  root=$here
else
  root=${SRC:?SRC must name the directory that holds libsmtpp}/libsmtpp
fi
: "${CC:?}" "${CXX:?}" "${LIB_FUZZING_ENGINE:?}" "${OUT:?}"
CFLAGS=${CFLAGS:-}
CXXFLAGS=${CXXFLAGS:-}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

if [ -n "${WORK:-}" ]; then
  build=$WORK/smtpp-fuzz-build
  rm -rf "$build"
else
  build=$(mktemp -d "${TMPDIR:-/tmp}/smtpp-fuzz-build.XXXXXX")
  trap 'rm -rf "$build"' EXIT
fi

# The library: static, with the caller's flags only (build type None adds
# no optimisation flags of its own), and the fast-path oracle.
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=None \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_C_FLAGS="$CFLAGS" \
  -DSMTPP_CHECK_FAST_PATHS=ON -DSMTPP_BUILD_TESTS=OFF -DSMTPP_BUILD_BENCH=OFF \
  -DSMTPP_BUILD_TOOLS=OFF -DSMTPP_WERROR=OFF >/dev/null
cmake --build "$build" --target smtpp_static -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
lib=$build/libsmtpp.a

# Coverage feedback from the library only, where the compiler takes it
# (clang's -fsanitize-coverage): the harnesses' own loops (describing
# results, reference decoders) would flood the corpus with inputs that
# differ only in length.  AFL++'s instrumentation is limited the same way
# by scripts/afl.sh (AFL_LLVM_ALLOWLIST).
harness_flags=()
case " $CFLAGS " in
  *fuzzer-no-link*)
    harness_flags=(-fno-sanitize-coverage=inline-8bit-counters,indirect-calls,trace-cmp,pc-table) ;;
esac

# The input size limit of scripts/fuzz.sh.
max_len=4096

zip_dir() { # zip_dir DIR ZIPFILE: the files of DIR, flat
  rm -f "$2"
  if command -v zip >/dev/null; then
    (cd "$1" && zip -q -j "$2" -- *)
  else
    python3 - "$1" "$2" <<'EOF'
import os, sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
    for name in sorted(os.listdir(src)):
        p = os.path.join(src, name)
        if os.path.isfile(p):
            z.write(p, name)
EOF
  fi
}

built=()
for src in "$root"/fuzz/*_fuzzer.c; do
  name=$(basename "$src" .c)
  target=${name%_fuzzer}
  # shellcheck disable=SC2086
  $CC $CFLAGS ${harness_flags[@]+"${harness_flags[@]}"} -std=c11 \
    -I"$root/include" -I"$root/fuzz" -I"$root/tests" \
    -c "$src" -o "$build/$name.o"
  # linked by the C++ driver, as OSS-Fuzz does (libFuzzer is C++)
  # shellcheck disable=SC2086
  $CXX $CXXFLAGS "$build/$name.o" "$lib" $LIB_FUZZING_ENGINE -o "$OUT/$name"
  if [ -d "$root/fuzz/corpus/$target" ] && [ -n "$(ls -A "$root/fuzz/corpus/$target")" ]; then
    zip_dir "$root/fuzz/corpus/$target" "$OUT/${name}_seed_corpus.zip"
  fi
  cp "$root/fuzz/smtp.dict" "$OUT/$name.dict"
  printf '[libfuzzer]\nmax_len = %s\n' "$max_len" >"$OUT/$name.options"
  built+=("$name")
done
echo "fuzz/build.sh: built ${built[*]} in $OUT"
