#!/usr/bin/env bash
# Dynamic checks of the whole test suite (the Check suites and the fuzz
# corpus replays, which ctest runs as fuzz_replay_<target>).
#
# Usage:
#   scripts/sanitize.sh              ASan + UBSan build of everything with
#                                    clang (SMTPP_SANITIZE=ON, -fno-sanitize-recover),
#                                    then ctest.  Used by CI (scripts/test.sh).
#   scripts/sanitize.sh --valgrind   plain -O1 -g build, then every ctest test
#                                    under valgrind memcheck (leaks included).
# Environment: SANITIZE_BUILD (default build-asan), MEMCHECK_BUILD (default
# build-memcheck), CC (default clang for the ASan + UBSan build, cc for the
# memcheck one).  clang, because its UBSan also reports pointer arithmetic
# on a null pointer ("applying zero offset to null pointer": buf + 0 with
# buf NULL, which the API allows when len is 0), which gcc's does not: three
# such bugs were found by the clang fuzz builds and its test suite run only
# after gcc's sanitizer build had passed them.
#
# How the memcheck run works: ctest lists its tests as JSON (--show-only=
# json-v1); each test's command runs under
#   valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
# with the test's own environment and CK_FORK=no, so Check runs the tests in
# the process valgrind watches instead of forking children it would lose
# track of.  Tests that only run shell tools (the install test, the
# no-heap symbol check) are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--valgrind" ]; then scripts/deps.sh --valgrind; else scripts/deps.sh --sanitize; fi
jobs=$(nproc 2>/dev/null || echo 2)

if [ "${1:-}" != "--valgrind" ]; then
  build=${SANITIZE_BUILD:-build-asan}
  export CC=${CC:-clang}
  # (no -Werror here: warnings are the normal build's job, and the sanitizers
  # make gcc report spurious maybe-uninitialized ones)
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSMTPP_SANITIZE=ON \
    -DSMTPP_WERROR=OFF >/dev/null
  cmake --build "$build" -j "$jobs"
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  ctest --test-dir "$build" --output-on-failure -j "$jobs"
  exit 0
fi

build=${MEMCHECK_BUILD:-build-memcheck}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS="-O1 -g" \
  -DSMTPP_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j "$jobs"
log=$build/memcheck
rm -rf "$log"
mkdir -p "$log"
ctest --test-dir "$build" --show-only=json-v1 >"$log/tests.json"
python3 - "$log" <<'EOF'
import json, os, subprocess, sys, time
log = sys.argv[1]
tests = json.load(open(os.path.join(log, "tests.json")))["tests"]
failed, ran = [], 0
for t in tests:
    cmd = t.get("command") or []
    name = t["name"]
    if not cmd or os.path.basename(cmd[0]) in ("sh", "bash") or cmd[0].endswith(".sh"):
        print("skip %-28s (shell)" % name)
        continue
    env = dict(os.environ, CK_FORK="no")
    will_fail = False
    for p in t.get("properties", []):
        if p["name"] == "ENVIRONMENT":
            for kv in p["value"]:
                k, _, v = kv.partition("=")
                env[k] = v
        if p["name"] == "WILL_FAIL" and p["value"]:
            will_fail = True
    out = os.path.join(log, name + ".log")
    vg = ["valgrind", "-q", "--error-exitcode=99", "--leak-check=full",
          "--errors-for-leak-kinds=definite", "--log-file=" + out]
    t0 = time.time()
    rc = subprocess.call(vg + cmd, env=env, stdout=subprocess.DEVNULL)
    ran += 1
    # a WILL_FAIL test must fail by itself: any exit but 0 and valgrind's 99
    good = (rc not in (0, 99)) if will_fail else rc == 0
    verdict = "ok" if good else "FAILED (exit %d, see %s)" % (rc, out)
    print("%-32s %6.1fs  %s" % (name, time.time() - t0, verdict))
    if not good:
        failed.append(name)
print("memcheck: %d passed, %d failed" % (ran - len(failed), len(failed)))
sys.exit(1 if failed else 0)
EOF
