# harness/judge: explicit source list (one library, linked by the CLI, tests, fuzzers, benches)
target_sources(wsspec_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/judge.c
  ${CMAKE_CURRENT_LIST_DIR}/judge_answer.c
  ${CMAKE_CURRENT_LIST_DIR}/judge_describe.c
)
