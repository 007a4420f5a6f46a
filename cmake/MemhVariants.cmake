# Engine variants: each knob (docs/engine_design.md, "Variants") is one contract
# header in engine/src/knobs/ plus one .cc per strategy, and CMake picks the .cc. A
# variant is a named choice of the three strategies; every named variant is built in
# the same tree, one engine library per variant, one engine per executable.

# Strategies that exist, per knob.
set(MEMH_BUFFERS_STRATEGIES fresh pooled)
set(MEMH_WRITES_STRATEGIES copy staged)
set(MEMH_LOCKS_STRATEGIES single split)

# Named variants: the waterfall from the baseline to the optimized engine, one knob
# at a time, read from cmake/variants.txt (the one list the scripts and the report read
# too): "name buffers writes locks" per line, # comments.
set(MEMH_VARIANTS_FILE ${CMAKE_CURRENT_LIST_DIR}/variants.txt)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${MEMH_VARIANTS_FILE})
file(STRINGS ${MEMH_VARIANTS_FILE} memh_variant_lines)
set(MEMH_NAMED_VARIANTS)
foreach(line IN LISTS memh_variant_lines)
  string(REGEX REPLACE "#.*" "" line "${line}")
  string(STRIP "${line}" line)
  if(line STREQUAL "")
    continue()
  endif()
  string(REGEX REPLACE "[ \t]+" ";" fields "${line}")
  list(LENGTH fields count)
  if(NOT count EQUAL 4)
    message(FATAL_ERROR "${MEMH_VARIANTS_FILE}: '${line}': expected a name and three knobs (buffers writes locks)")
  endif()
  list(POP_FRONT fields name)
  if(name IN_LIST MEMH_NAMED_VARIANTS OR name STREQUAL "custom")
    message(FATAL_ERROR "${MEMH_VARIANTS_FILE}: variant '${name}' named twice (or 'custom', which is reserved)")
  endif()
  foreach(knob IN ITEMS BUFFERS WRITES LOCKS)
    list(POP_FRONT fields strategy)
    if(NOT strategy IN_LIST MEMH_${knob}_STRATEGIES)
      string(TOLOWER ${knob} knob_name)
      message(FATAL_ERROR "${MEMH_VARIANTS_FILE}: variant '${name}': ${knob_name} '${strategy}' is not one of: "
                          "${MEMH_${knob}_STRATEGIES}")
    endif()
    list(APPEND MEMH_VARIANT_${name}_KNOBS ${strategy})
  endforeach()
  list(APPEND MEMH_NAMED_VARIANTS ${name})
endforeach()
if(NOT MEMH_NAMED_VARIANTS)
  message(FATAL_ERROR "${MEMH_VARIANTS_FILE}: no variants")
endif()

# The knobs of the configured variant (the one `memharness` and `memh_engine` are);
# by default those of the first line of cmake/variants.txt, the baseline.
list(GET MEMH_NAMED_VARIANTS 0 memh_first_variant)
list(GET MEMH_NAMED_VARIANTS -1 memh_last_variant)
set(memh_default_knobs ${MEMH_VARIANT_${memh_first_variant}_KNOBS})
foreach(knob BUFFERS WRITES LOCKS)
  list(POP_FRONT memh_default_knobs default)
  string(TOLOWER ${knob} knob_name)
  set(MEMHARNESS_${knob} ${default} CACHE STRING "${knob_name} knob: ${MEMH_${knob}_STRATEGIES}")
  set_property(CACHE MEMHARNESS_${knob} PROPERTY STRINGS ${MEMH_${knob}_STRATEGIES})
  if(NOT MEMHARNESS_${knob} IN_LIST MEMH_${knob}_STRATEGIES)
    message(FATAL_ERROR "MEMHARNESS_${knob}=${MEMHARNESS_${knob}} is not one of: ${MEMH_${knob}_STRATEGIES}")
  endif()
endforeach()

# What a budgets file may name (the harness checks variant names against it).
string(JOIN "," MEMH_KNOWN_VARIANTS_CSV ${MEMH_NAMED_VARIANTS} custom)

# Every named variant's engine is built (three small knob files each); the test
# suites run once per variant listed here, by default the two ends of the waterfall.
set(MEMHARNESS_TEST_VARIANTS "${memh_first_variant};${memh_last_variant}" CACHE STRING
    "Variants whose test suites are built and run (;-list of ${MEMH_NAMED_VARIANTS})")
foreach(variant IN LISTS MEMHARNESS_TEST_VARIANTS)
  if(NOT variant IN_LIST MEMH_NAMED_VARIANTS)
    message(FATAL_ERROR "MEMHARNESS_TEST_VARIANTS names unknown variant '${variant}' (known: ${MEMH_NAMED_VARIANTS})")
  endif()
endforeach()

# Name the configured variant after the named one it matches, else "custom".
set(MEMH_CONFIGURED_VARIANT custom)
foreach(variant IN LISTS MEMH_NAMED_VARIANTS)
  if("${MEMH_VARIANT_${variant}_KNOBS}" STREQUAL "${MEMHARNESS_BUFFERS};${MEMHARNESS_WRITES};${MEMHARNESS_LOCKS}")
    set(MEMH_CONFIGURED_VARIANT ${variant})
  endif()
endforeach()
set(MEMH_VARIANT_custom_KNOBS ${MEMHARNESS_BUFFERS} ${MEMHARNESS_WRITES} ${MEMHARNESS_LOCKS})

set(MEMH_BUILT_VARIANTS ${MEMH_NAMED_VARIANTS})
set(MEMH_TEST_VARIANTS ${MEMHARNESS_TEST_VARIANTS})
if(MEMH_CONFIGURED_VARIANT STREQUAL "custom")
  list(APPEND MEMH_BUILT_VARIANTS custom)
  list(APPEND MEMH_TEST_VARIANTS custom)
endif()
message(STATUS "memharness: variants ${MEMH_BUILT_VARIANTS}; tested: ${MEMH_TEST_VARIANTS}; configured: ${MEMH_CONFIGURED_VARIANT} "
               "(buffers=${MEMHARNESS_BUFFERS} writes=${MEMHARNESS_WRITES} locks=${MEMHARNESS_LOCKS})")

# memh_add_engine(VARIANT): the static library memh_engine_<VARIANT>, the shared core
# objects plus the three knob files of that variant.
function(memh_add_engine variant)
  list(GET MEMH_VARIANT_${variant}_KNOBS 0 buffers)
  list(GET MEMH_VARIANT_${variant}_KNOBS 1 writes)
  list(GET MEMH_VARIANT_${variant}_KNOBS 2 locks)
  set(knobs ${PROJECT_SOURCE_DIR}/engine/src/knobs)
  add_library(memh_engine_${variant} STATIC
    $<TARGET_OBJECTS:memh_engine_core>
    ${knobs}/buffers_${buffers}.cc
    ${knobs}/write_staging_${writes}.cc
    ${knobs}/io_gate_${locks}.cc)
  target_link_libraries(memh_engine_${variant} PUBLIC memh_engine_api PRIVATE memh_engine_internal)
  set_target_properties(memh_engine_${variant} PROPERTIES
    MEMH_VARIANT ${variant} MEMH_KNOBS "${buffers};${writes};${locks}")
endfunction()

# memh_link_engine(TARGET VARIANT): the only way an executable gets an engine, so two
# engines never end up in one binary.
function(memh_link_engine target variant)
  get_target_property(already ${target} MEMH_LINKED_VARIANT)
  if(already)
    message(FATAL_ERROR "${target} already links engine variant ${already}")
  endif()
  set_target_properties(${target} PROPERTIES MEMH_LINKED_VARIANT ${variant})
  target_link_libraries(${target} PRIVATE memh_engine_${variant})
endfunction()

# memh_add_test(NAME SOURCES ... [LIBS ...] [INTERNAL]): one GoogleTest binary per test
# variant, <NAME>_<variant>, each case listed by ctest as <variant>.<Suite>.<Case>.
function(memh_add_test name)
  cmake_parse_arguments(T "INTERNAL" "" "SOURCES;LIBS" ${ARGN})
  foreach(variant IN LISTS MEMH_TEST_VARIANTS)
    set(target ${name}_${variant})
    add_executable(${target} ${T_SOURCES})
    memh_link_engine(${target} ${variant})
    target_link_libraries(${target} PRIVATE GTest::gtest GTest::gtest_main ${T_LIBS})
    if(T_INTERNAL)
      target_link_libraries(${target} PRIVATE memh_engine_internal)
    endif()
    gtest_discover_tests(${target} TEST_PREFIX "${variant}." DISCOVERY_MODE PRE_TEST
                         PROPERTIES LABELS "${variant}")
  endforeach()
endfunction()
