# WsspecAssets.cmake: build-time generation steps of wsspec.
#
# wsspec_embed_asset(TARGET SYMBOL FILE [RULES html|none] [HEADER H])
#   Checks FILE (an asset of the HTML report: see cmake/embed_asset.cmake for
#   the rules) and adds to TARGET a generated C source that defines
#   `const unsigned char SYMBOL[]` and `const size_t SYMBOL_len` with its
#   bytes. Re-run whenever FILE or the script changes; a rejected FILE fails
#   the build.
#
# wsspec_man_page(TARGET TEMPLATE HELP OUTPUT)
#   Generates the man page OUTPUT from TEMPLATE (roff with @VERSION@ and
#   @COMMANDS@) and the command-line help text HELP, the same text
#   `wsspec COMMAND --help` prints (cmake/gen_manpage.cmake). TARGET is a new
#   target built by default.
set(WSSPEC_EMBED_ASSET_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/embed_asset.cmake)
set(WSSPEC_GEN_MANPAGE_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/gen_manpage.cmake)

function(wsspec_embed_asset target symbol file)
  cmake_parse_arguments(PARSE_ARGV 3 arg "" "RULES;HEADER" "")
  if(NOT arg_RULES)
    set(arg_RULES html)
  endif()
  get_filename_component(input "${file}" ABSOLUTE)
  set(output ${CMAKE_CURRENT_BINARY_DIR}/generated/${symbol}.c)
  add_custom_command(
    OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -DINPUT=${input} -DOUTPUT=${output} -DSYMBOL=${symbol}
            -DRULES=${arg_RULES} -DHEADER=${arg_HEADER} -P ${WSSPEC_EMBED_ASSET_SCRIPT}
    DEPENDS ${input} ${WSSPEC_EMBED_ASSET_SCRIPT}
    COMMENT "Checking and embedding ${input}"
    VERBATIM)
  target_sources(${target} PRIVATE ${output})
endfunction()

function(wsspec_man_page target template help output)
  get_filename_component(template "${template}" ABSOLUTE)
  get_filename_component(help "${help}" ABSOLUTE)
  add_custom_command(
    OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -DTEMPLATE=${template} -DHELP=${help} -DOUTPUT=${output}
            -DVERSION=${PROJECT_VERSION} -P ${WSSPEC_GEN_MANPAGE_SCRIPT}
    DEPENDS ${template} ${help} ${WSSPEC_GEN_MANPAGE_SCRIPT}
    COMMENT "Generating the man page ${output}"
    VERBATIM)
  add_custom_target(${target} ALL DEPENDS ${output})
endfunction()
