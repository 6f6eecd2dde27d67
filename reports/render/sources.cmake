# reports/render: explicit source list (one library, linked by the CLI, tests, fuzzers, benches)
target_sources(wsspec_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/annotations.c
  ${CMAKE_CURRENT_LIST_DIR}/autobahn.c
  ${CMAKE_CURRENT_LIST_DIR}/compare.c
  ${CMAKE_CURRENT_LIST_DIR}/ctrf.c
  ${CMAKE_CURRENT_LIST_DIR}/html.c
  ${CMAKE_CURRENT_LIST_DIR}/junit.c
  ${CMAKE_CURRENT_LIST_DIR}/markdown.c
  ${CMAKE_CURRENT_LIST_DIR}/report_doc.c
  ${CMAKE_CURRENT_LIST_DIR}/tap.c
)
# The report's script and stylesheet (reports/assets/), checked and embedded
# at build time (cmake/embed_asset.cmake).
wsspec_embed_asset(wsspec_core html_assets_css ${CMAKE_CURRENT_LIST_DIR}/../assets/report.css
                   HEADER reports/render/html_assets.h)
wsspec_embed_asset(wsspec_core html_assets_js ${CMAKE_CURRENT_LIST_DIR}/../assets/report.js
                   HEADER reports/render/html_assets.h)
