# harness/run: explicit source list (one library, linked by the CLI, tests, fuzzers, benches)
target_sources(wsspec_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/runner.c
  ${CMAKE_CURRENT_LIST_DIR}/runner_exec.c
  ${CMAKE_CURRENT_LIST_DIR}/runner_close.c
  ${CMAKE_CURRENT_LIST_DIR}/runner_deflate.c
  ${CMAKE_CURRENT_LIST_DIR}/runner_handshake.c
  ${CMAKE_CURRENT_LIST_DIR}/runner_rx.c
  ${CMAKE_CURRENT_LIST_DIR}/runner_seeds.c
)
