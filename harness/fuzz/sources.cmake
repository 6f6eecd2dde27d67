# harness/fuzz: the network fuzzer (`wsspec fuzz`): mutants of cases, the RFC
# oracle, findings. Explicit source list.
target_sources(wsspec_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/fuzz_finding.c
  ${CMAKE_CURRENT_LIST_DIR}/fuzz_minimize.c
  ${CMAKE_CURRENT_LIST_DIR}/fuzz_mutate.c
  ${CMAKE_CURRENT_LIST_DIR}/fuzz_oracle.c
  ${CMAKE_CURRENT_LIST_DIR}/fuzz_oracle_walk.c
  ${CMAKE_CURRENT_LIST_DIR}/fuzz_oracle_write.c
  ${CMAKE_CURRENT_LIST_DIR}/fuzz_run.c
  ${CMAKE_CURRENT_LIST_DIR}/fuzz_summary.c
  ${CMAKE_CURRENT_LIST_DIR}/fuzz_target.c
)
