# wsmutator (fuzz/wsmutator/): the structure-aware WebSocket mutator library,
# its unit test, the structure-aware fuzz targets built on it
# (fuzz/<target>_sa_fuzz.c, replayed by ctest over fuzz/corpus/<target>_sa/),
# the README's example harness, and sa_seeds (the seeds' generator).
# Included from CMakeLists.txt after its fuzz section (which sets
# WSSPEC_FUZZ_ENGINE).

# The library depends on libc only. In a fuzz build it is built like
# libFuzzer's own mutators: neither coverage-instrumented (the decoding a
# target does for every input must not count as coverage of the code under
# test) nor sanitized (it would cost a third of the executions; its memory
# safety is checked by wsmutator_test under ASan/UBSan, WSSPEC_SANITIZE).
add_library(wsmutator STATIC fuzz/wsmutator/wsmutator.c fuzz/wsmutator/wsmut_edit.c
                             fuzz/wsmutator/wsmut_mutate.c)
target_include_directories(wsmutator PUBLIC ${CMAKE_SOURCE_DIR}/fuzz/wsmutator)
target_compile_options(wsmutator PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes)
if(WSSPEC_WERROR)
  target_compile_options(wsmutator PRIVATE -Werror)
endif()
if(WSSPEC_SANITIZE AND NOT WSSPEC_FUZZ)
  target_compile_options(wsmutator PRIVATE -fsanitize=address,undefined -fno-sanitize-recover=all
                         -fno-omit-frame-pointer -g)
  target_link_options(wsmutator INTERFACE -fsanitize=address,undefined)
endif()

add_executable(wsmutator_test tests/unit/wsmutator_test.c)
target_include_directories(wsmutator_test PRIVATE ${CMAKE_SOURCE_DIR}/tests/unit)
target_link_libraries(wsmutator_test PRIVATE wsmutator wsspec_options)
add_test(NAME unit_wsmutator_test COMMAND wsmutator_test)
set_tests_properties(unit_wsmutator_test PROPERTIES TIMEOUT 300)

add_executable(sa_seeds fuzz/sa_seeds.c)
target_link_libraries(sa_seeds PRIVATE wsmutator wsspec_core)

foreach(target ${WSSPEC_SA_FUZZ_TARGETS})
  set(name ${target}_fuzz)
  add_executable(${name}_replay fuzz/${name}.c fuzz/replay_main.c)
  target_link_libraries(${name}_replay PRIVATE wsmutator wsspec_core)
  add_test(NAME fuzz_replay_${target}
           COMMAND ${name}_replay ${CMAKE_SOURCE_DIR}/fuzz/corpus/${target})
  set_tests_properties(fuzz_replay_${target} PROPERTIES TIMEOUT 300)
  if(WSSPEC_FUZZ OR WSSPEC_FUZZ_ENGINE)
    add_executable(${name} fuzz/${name}.c)
    target_link_libraries(${name} PRIVATE wsmutator wsspec_core)
    if(WSSPEC_FUZZ_ENGINE)
      target_link_libraries(${name} PRIVATE ${WSSPEC_FUZZ_ENGINE})
    else()
      target_link_options(${name} PRIVATE -fsanitize=fuzzer)
      # libFuzzer reads every entry of the target's dictionary (LLVMFuzzerMutate
      # uses it inside payloads).
      add_test(NAME fuzz_dict_${target}
               COMMAND sh ${CMAKE_SOURCE_DIR}/tests/check_fuzz_dict.sh $<TARGET_FILE:${name}>
                       ${CMAKE_SOURCE_DIR}/fuzz/${target}.dict)
    endif()
  endif()
endforeach()

# The README's example: another project's raw-byte harness, unchanged,
# fed by the mutator (replayed over the frame_parse_sa seeds).
add_executable(wsmut_example_replay fuzz/wsmutator/example_fuzz.c fuzz/replay_main.c)
target_link_libraries(wsmut_example_replay PRIVATE wsmutator wsspec_options)
add_test(NAME fuzz_replay_wsmut_example
         COMMAND wsmut_example_replay ${CMAKE_SOURCE_DIR}/fuzz/corpus/frame_parse_sa)
