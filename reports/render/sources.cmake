# reports/render: explicit source list (one library, linked by the CLI, tests, fuzzers, benches)
target_sources(wsspec_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/autobahn.c
  ${CMAKE_CURRENT_LIST_DIR}/html.c
  ${CMAKE_CURRENT_LIST_DIR}/html_assets.c
  ${CMAKE_CURRENT_LIST_DIR}/html_script.c
  ${CMAKE_CURRENT_LIST_DIR}/junit.c
  ${CMAKE_CURRENT_LIST_DIR}/markdown.c
  ${CMAKE_CURRENT_LIST_DIR}/report_doc.c
  ${CMAKE_CURRENT_LIST_DIR}/tap.c
)
