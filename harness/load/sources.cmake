# harness/load: explicit source list (one library, linked by the CLI, tests, fuzzers, benches)
target_sources(wsspec_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/caseload.c
  ${CMAKE_CURRENT_LIST_DIR}/caseload_handshake.c
  ${CMAKE_CURRENT_LIST_DIR}/caseload_outcomes.c
  ${CMAKE_CURRENT_LIST_DIR}/caseload_params.c
  ${CMAKE_CURRENT_LIST_DIR}/caseload_payload.c
  ${CMAKE_CURRENT_LIST_DIR}/caseload_reach.c
  ${CMAKE_CURRENT_LIST_DIR}/caseload_steps.c
  ${CMAKE_CURRENT_LIST_DIR}/caseload_util.c
  ${CMAKE_CURRENT_LIST_DIR}/select.c
)
