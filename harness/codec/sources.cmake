# harness/codec: explicit source list (one library, linked by the CLI, tests, fuzzers, benches)
target_sources(wsspec_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/closeframe.c
  ${CMAKE_CURRENT_LIST_DIR}/frame.c
  ${CMAKE_CURRENT_LIST_DIR}/frame_write.c
  ${CMAKE_CURRENT_LIST_DIR}/handshake_client.c
  ${CMAKE_CURRENT_LIST_DIR}/handshake_common.c
  ${CMAKE_CURRENT_LIST_DIR}/handshake_describe.c
  ${CMAKE_CURRENT_LIST_DIR}/handshake_server.c
  ${CMAKE_CURRENT_LIST_DIR}/mask.c
  ${CMAKE_CURRENT_LIST_DIR}/pmd_negotiate.c
  ${CMAKE_CURRENT_LIST_DIR}/pmd_stream.c
  ${CMAKE_CURRENT_LIST_DIR}/url.c
  ${CMAKE_CURRENT_LIST_DIR}/utf8.c
)
