# harness/cli: explicit source list (one library, linked by the CLI, tests, fuzzers, benches)
target_sources(wsspec_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/cli_args.c
  ${CMAKE_CURRENT_LIST_DIR}/cli_cases.c
  ${CMAKE_CURRENT_LIST_DIR}/cli_probe.c
  ${CMAKE_CURRENT_LIST_DIR}/cli_report.c
  ${CMAKE_CURRENT_LIST_DIR}/cli_run.c
  ${CMAKE_CURRENT_LIST_DIR}/cli_serve.c
)
