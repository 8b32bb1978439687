# Cross-compiling libsmtpp for 64-bit ARM Linux on a Debian x86-64 host, and
# running its tests there under user-mode emulation.
#
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake
#   cmake --build build-arm64 -j2
#   CK_FORK=no ctest --test-dir build-arm64
#
# What it needs (scripts/deps.sh --arm64 installs it): Debian's
# gcc-aarch64-linux-gnu (the compiler) and libc6-dev-arm64-cross (the arm64
# C library's headers and start files under /usr/aarch64-linux-gnu; only
# recommended by the compiler), qemu-user (qemu-aarch64), and the arm64 build of
# Check from the multiarch archive (dpkg --add-architecture arm64;
# apt-get install check:arm64 libsubunit-dev:arm64).  re2c, python3 and the
# other tools run on the host.
#
# ctest puts CMAKE_CROSSCOMPILING_EMULATOR in front of every test whose
# command is a target of the project; a test that starts a target's binary
# some other way (a Python driver, a shell script) must put
# ${CMAKE_CROSSCOMPILING_EMULATOR} in front of it itself (see
# tools/CMakeLists.txt and tests/interop/CMakeLists.txt).  Check's fork mode
# hangs under qemu-user: run ctest with CK_FORK=no (scripts/test.sh does).

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(SMTPP_CROSS_TRIPLET aarch64-linux-gnu)

set(CMAKE_C_COMPILER ${SMTPP_CROSS_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${SMTPP_CROSS_TRIPLET}-g++)
# Debian's multiarch layout: the target's libraries live in
# /usr/lib/aarch64-linux-gnu, its C library also under /usr/aarch64-linux-gnu.
set(CMAKE_LIBRARY_ARCHITECTURE ${SMTPP_CROSS_TRIPLET})
set(CMAKE_FIND_ROOT_PATH /usr/${SMTPP_CROSS_TRIPLET})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)   # re2c, python3, nm: the host's
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)

# pkg-config (Check) reads the arm64 .pc files only.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/${SMTPP_CROSS_TRIPLET}/pkgconfig:/usr/share/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")

find_program(SMTPP_QEMU_AARCH64 qemu-aarch64)
if(NOT SMTPP_QEMU_AARCH64)
  set(SMTPP_QEMU_AARCH64 qemu-aarch64)   # the tests then fail, as they must
endif()
set(CMAKE_CROSSCOMPILING_EMULATOR ${SMTPP_QEMU_AARCH64} -L /usr/${SMTPP_CROSS_TRIPLET})
