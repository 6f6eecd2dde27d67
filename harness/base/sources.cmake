# harness/base: explicit source list (one library, linked by the CLI, tests, fuzzers, benches)
target_sources(wsspec_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/buf.c
  ${CMAKE_CURRENT_LIST_DIR}/clock.c
  ${CMAKE_CURRENT_LIST_DIR}/errors.c
  ${CMAKE_CURRENT_LIST_DIR}/prng.c
)
