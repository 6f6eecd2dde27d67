# harness/model: explicit source list (one library, linked by the CLI, tests, fuzzers, benches)
target_sources(wsspec_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/casemodel.c
  ${CMAKE_CURRENT_LIST_DIR}/dataset.c
  ${CMAKE_CURRENT_LIST_DIR}/dataset_binary.c
  ${CMAKE_CURRENT_LIST_DIR}/dataset_gen.c
  ${CMAKE_CURRENT_LIST_DIR}/dataset_text.c
  ${CMAKE_CURRENT_LIST_DIR}/payload.c
  ${CMAKE_CURRENT_LIST_DIR}/transcript.c
)
