# Finds re2c >= 3.0 and defines smtpp_re2c(<file.re> <out-var>), which
# generates <binary-dir>/parser/<name>.c at build time.
find_program(RE2C_EXECUTABLE re2c)
if(NOT RE2C_EXECUTABLE)
  message(FATAL_ERROR "re2c (>= 3.0) is required to generate the lexers: "
                      "run scripts/deps.sh or apt-get install re2c")
endif()
execute_process(COMMAND ${RE2C_EXECUTABLE} --vernum
  OUTPUT_VARIABLE RE2C_VERNUM OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT RE2C_VERNUM OR RE2C_VERNUM LESS 30000)
  message(FATAL_ERROR "re2c >= 3.0 is required, found '${RE2C_VERNUM}' at ${RE2C_EXECUTABLE}")
endif()

function(smtpp_re2c re out)
  get_filename_component(name ${re} NAME_WE)
  set(c ${PROJECT_BINARY_DIR}/parser/${name}.c)
  add_custom_command(OUTPUT ${c}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/parser
    COMMAND ${RE2C_EXECUTABLE} -W -Werror -b --no-generation-date --no-version
            -i -o ${c} ${re}
    DEPENDS ${re}
    COMMENT "re2c ${name}.re"
    VERBATIM)
  set(${out} ${c} PARENT_SCOPE)
endfunction()
