# harness/load: explicit source list (one library, linked by the CLI, tests, fuzzers, benches)
target_sources(wsspec_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/caseload.c
  ${CMAKE_CURRENT_LIST_DIR}/caseload_deflate.c
  ${CMAKE_CURRENT_LIST_DIR}/caseload_handshake.c
  ${CMAKE_CURRENT_LIST_DIR}/caseload_outcomes.c
  ${CMAKE_CURRENT_LIST_DIR}/caseload_params.c
  ${CMAKE_CURRENT_LIST_DIR}/caseload_payload.c
  ${CMAKE_CURRENT_LIST_DIR}/caseload_reach.c
  ${CMAKE_CURRENT_LIST_DIR}/caseload_steps.c
  ${CMAKE_CURRENT_LIST_DIR}/caseload_util.c
  ${CMAKE_CURRENT_LIST_DIR}/casecopy.c
  ${CMAKE_CURRENT_LIST_DIR}/casewrite.c
  ${CMAKE_CURRENT_LIST_DIR}/casewrite_steps.c
  ${CMAKE_CURRENT_LIST_DIR}/select.c
)
target_sources(wsspec_core PRIVATE ${CMAKE_CURRENT_LIST_DIR}/caseload_keys.c
  ${CMAKE_CURRENT_LIST_DIR}/caseload_shared.c
  ${CMAKE_CURRENT_LIST_DIR}/consistency.c)
# cases/behaviours.json, the shared outcomes ({"use": NAME}), built in.
wsspec_embed_asset(wsspec_core caseload_behaviours_json
                   ${CMAKE_CURRENT_LIST_DIR}/../../cases/behaviours.json RULES none)
