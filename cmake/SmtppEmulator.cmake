# smtpp_runnable(<out-var> <target>): a path that runs <target>'s binary on
# the build host, for tests that start it from a driver (Python, shell)
# rather than as their COMMAND.
#
# Natively that is $<TARGET_FILE:target>.  When cross-compiling with an
# emulator (cmake/aarch64-linux-gnu.cmake sets CMAKE_CROSSCOMPILING_EMULATOR
# to qemu-aarch64), it is a generated wrapper script, <binary-dir>/run/<target>,
# that execs the emulator with the binary and the arguments it was given; so
# the drivers stay unaware of the emulator, exactly as ctest does for tests
# whose COMMAND is a target.  The emulator's exec keeps signals and exit
# statuses those of the program.
function(smtpp_runnable out target)
  if(CMAKE_CROSSCOMPILING AND CMAKE_CROSSCOMPILING_EMULATOR)
    if(CMAKE_VERSION VERSION_LESS 3.20)
      message(FATAL_ERROR "cross-compiled tests need CMake >= 3.20 (file(GENERATE) permissions)")
    endif()
    set(words "")
    foreach(w ${CMAKE_CROSSCOMPILING_EMULATOR})
      string(APPEND words " '${w}'")
    endforeach()
    set(wrapper ${PROJECT_BINARY_DIR}/run/${target})
    # one wrapper per target, whichever directories ask for it
    get_property(done GLOBAL PROPERTY SMTPP_RUNNABLE_WRAPPERS)
    if(target IN_LIST done)
      set(${out} ${wrapper} PARENT_SCOPE)
      return()
    endif()
    set_property(GLOBAL APPEND PROPERTY SMTPP_RUNNABLE_WRAPPERS ${target})
    file(GENERATE OUTPUT ${wrapper}
      CONTENT "#!/bin/sh\n# ${target} under the cross-compiling emulator (cmake/SmtppEmulator.cmake)\nexec${words} '$<TARGET_FILE:${target}>' \"$@\"\n"
      FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                       WORLD_READ WORLD_EXECUTE)
    set(${out} ${wrapper} PARENT_SCOPE)
  else()
    set(${out} $<TARGET_FILE:${target}> PARENT_SCOPE)
  endif()
endfunction()

# SMTPP_TIMEOUT_FACTOR: how much longer a test may take under the emulator
# (qemu-user translates every instruction and starts slowly); multiply the
# TIMEOUT of tests that run many processes by it.
if(CMAKE_CROSSCOMPILING AND CMAKE_CROSSCOMPILING_EMULATOR)
  set(SMTPP_TIMEOUT_FACTOR 5)
else()
  set(SMTPP_TIMEOUT_FACTOR 1)
endif()
