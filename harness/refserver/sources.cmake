# harness/refserver: explicit source list (one library, linked by the CLI, tests, fuzzers, benches)
target_sources(wsspec_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/faults.c
  ${CMAKE_CURRENT_LIST_DIR}/refserver.c
  ${CMAKE_CURRENT_LIST_DIR}/refserver_conn.c
  ${CMAKE_CURRENT_LIST_DIR}/refserver_conn_deflate.c
  ${CMAKE_CURRENT_LIST_DIR}/refserver_deflate.c
  ${CMAKE_CURRENT_LIST_DIR}/refserver_fuzzfaults.c
  ${CMAKE_CURRENT_LIST_DIR}/refserver_offer.c
)
