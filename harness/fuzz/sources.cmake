# harness/fuzz: the network fuzzer (`wsspec fuzz`): mutants of cases, the RFC
# oracle, findings. Explicit source list.
target_sources(wsspec_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/fuzz_finding.c
  ${CMAKE_CURRENT_LIST_DIR}/fuzz_minimize.c
  ${CMAKE_CURRENT_LIST_DIR}/fuzz_run.c
  ${CMAKE_CURRENT_LIST_DIR}/fuzz_summary.c
  ${CMAKE_CURRENT_LIST_DIR}/fuzz_target.c
)
# TRANSITIONAL (fuzz_pending.h): once the mutator and the RFC oracle are
# merged their functions are referenced strongly, so the linker takes them
# from the static library (a weak reference alone would not pull them in).
if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/fuzz_mutate.c AND EXISTS ${CMAKE_CURRENT_LIST_DIR}/fuzz_oracle.c)
  target_compile_definitions(wsspec_core PRIVATE WSSPEC_FUZZ_COMPLETE=1)
endif()
