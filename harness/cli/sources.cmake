# harness/cli: explicit source list (one library, linked by the CLI, tests, fuzzers, benches)
target_sources(wsspec_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/cli_args.c
  ${CMAKE_CURRENT_LIST_DIR}/cli_cases.c
  ${CMAKE_CURRENT_LIST_DIR}/cli_fuzz.c
  ${CMAKE_CURRENT_LIST_DIR}/cli_help.c
  ${CMAKE_CURRENT_LIST_DIR}/cli_probe.c
  ${CMAKE_CURRENT_LIST_DIR}/cli_repeat.c
  ${CMAKE_CURRENT_LIST_DIR}/cli_report.c
  ${CMAKE_CURRENT_LIST_DIR}/cli_rerun.c
  ${CMAKE_CURRENT_LIST_DIR}/cli_run.c
  ${CMAKE_CURRENT_LIST_DIR}/cli_seeds.c
  ${CMAKE_CURRENT_LIST_DIR}/cli_serve.c
  ${CMAKE_CURRENT_LIST_DIR}/cli_shard.c
)
# The help text (cli_help.txt), embedded as bytes; the man page is generated
# from the same file (CMakeLists.txt).
wsspec_embed_asset(wsspec_core cli_help_text ${CMAKE_CURRENT_LIST_DIR}/cli_help.txt RULES none
                   HEADER cli/cli_help.h)
