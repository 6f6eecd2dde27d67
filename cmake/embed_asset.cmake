# embed_asset.cmake: check one asset of the HTML report and write it into a C
# source file as a byte array, so the report stays one self-contained file.
#
#   cmake -DINPUT=reports/assets/report.js -DOUTPUT=gen/report_js.c
#         -DSYMBOL=html_assets_js [-DHEADER=reports/render/html_assets.h]
#         [-DRULES=html|none] -P cmake/embed_asset.cmake
#   cmake -DINPUT=file.css -P cmake/embed_asset.cmake      (check only, writes nothing)
#
# The output defines `const unsigned char SYMBOL[]` (the file's bytes, no
# terminating NUL) and `const size_t SYMBOL_len`. A byte array, not a string
# literal: ISO C only promises literals of 4095 characters.
#
# RULES=html (the default) rejects, case-insensitively, everything that could
# end the <style>/<script> element the asset is pasted into or make the page
# fetch anything (its Content Security Policy blocks fetches too; this makes
# the build fail before a report ever tries):
#   [close-tag]      "</script" or "</style"
#   [html-comment]   "<!--" (inside <script> it starts the "escaped" state)
#   [remote-url]     any http:// or https:// URL, except the allowlist below
#   JavaScript (.js):
#   [fetch]          fetch( / .fetch(
#   [network-api]    XMLHttpRequest, sendBeacon, EventSource, WebSocket(,
#                    Worker(, importScripts, RTCPeerConnection
#   [import]         the keyword import (static and dynamic import())
#   [src]            a src= or srcset= whose value is not a data: URL,
#                    or setAttribute('src'/'srcset', ...)
#   [remote-href]    href= to a remote (http:, https:, //) address
#   CSS (.css):
#   [css-import]     @import
#   [css-url]        url(...) pointing anywhere but a data: URL
#   [image-set]      image-set( (fetches its string arguments)
# A violation is reported as FILE:LINE: [rule] the offending text, and the
# script fails, so the build fails and the generated file keeps its old
# content (it is rewritten only after every check passed).
#
# The allowlist holds exact JavaScript string literals that are URLs but never
# fetched: the SVG namespace (an identifier that createElementNS compares, not
# an address it loads) and the base of the RFC section links (an <a href> the
# reader may click: a navigation to a new page, not a fetch by the report).
cmake_minimum_required(VERSION 3.16)

set(allowed_urls
    "'http://www.w3.org/2000/svg'"
    "'https://www.rfc-editor.org/rfc/rfc'")

if(NOT DEFINED INPUT)
  message(FATAL_ERROR "embed_asset.cmake: -DINPUT=FILE is required")
endif()
if(NOT DEFINED RULES)
  set(RULES html)
endif()
if(NOT EXISTS "${INPUT}")
  message(FATAL_ERROR "embed_asset.cmake: ${INPUT}: no such file")
endif()

file(READ "${INPUT}" content)
string(LENGTH "${content}" content_length)
if(content_length EQUAL 0)
  message(FATAL_ERROR "${INPUT}:1: [empty] an empty asset cannot be embedded")
endif()
get_filename_component(extension "${INPUT}" LAST_EXT)
string(TOLOWER "${extension}" extension)

set(violations "")

# Record a violation of `rule` at the first occurrence of `found` (lower case)
# in the lower-cased text.
function(report_violation rule found)
  string(FIND "${lowered}" "${found}" position)
  # The line of the offending text itself, not of the character before it
  # that some rules match (a newline before "fetch(").
  set(lead "")
  if(found MATCHES "^([ \t\r\n]+)")
    set(lead "${CMAKE_MATCH_1}")
  endif()
  string(SUBSTRING "${lowered}" 0 ${position} before)
  string(REGEX MATCHALL "\n" newlines "${before}${lead}")
  list(LENGTH newlines newline_count)
  math(EXPR line "${newline_count} + 1")
  string(STRIP "${found}" shown)
  string(REPLACE "\n" " " shown "${shown}")
  string(APPEND violations "${INPUT}:${line}: [${rule}] ${shown}\n")
  set(violations "${violations}" PARENT_SCOPE)
endfunction()

# Every match of `regex` in the lower-cased text is a violation of `rule`.
function(reject rule regex)
  string(REGEX MATCHALL "${regex}" matches "${lowered}")
  foreach(match IN LISTS matches)
    report_violation("${rule}" "${match}")
  endforeach()
  set(violations "${violations}" PARENT_SCOPE)
endfunction()

# Every match of `regex` is a violation unless the value it captures starts
# with one of the allowed prefixes (data: URLs, same-page anchors).
function(reject_unless_prefix rule regex value_regex)
  string(REGEX MATCHALL "${regex}" matches "${lowered}")
  foreach(match IN LISTS matches)
    string(REGEX REPLACE "${value_regex}" "\\1" value "${match}")
    set(ok FALSE)
    foreach(prefix IN LISTS ARGN)
      string(FIND "${value}" "${prefix}" at)
      if(at EQUAL 0)
        set(ok TRUE)
      endif()
    endforeach()
    if(NOT ok)
      report_violation("${rule}" "${match}")
    endif()
  endforeach()
  set(violations "${violations}" PARENT_SCOPE)
endfunction()

if(RULES STREQUAL "html")
  string(TOLOWER "${content}" lowered)
  # Semicolons would split the match lists below; no rule needs them.
  string(REPLACE ";" "," lowered "${lowered}")
  set(ws "[ \t\r\n]*")
  reject(close-tag "</(script|style)")
  reject(html-comment "<!--")
  set(scan "${lowered}")
  foreach(url IN LISTS allowed_urls)
    string(REPLACE "${url}" "'allowed-url'" scan "${scan}")
  endforeach()
  string(REGEX MATCHALL "https?://[^ \t\r\n'\"`)]*" urls "${scan}")
  foreach(url IN LISTS urls)
    report_violation(remote-url "${url}")
  endforeach()
  if(extension STREQUAL ".js")
    set(lowered "${scan}")
    reject(fetch "(^|[^a-z0-9_$])fetch${ws}\\(")
    reject(network-api "xmlhttprequest|sendbeacon|eventsource|websocket${ws}\\(|worker${ws}\\(")
    reject(network-api "importscripts|rtcpeerconnection")
    reject(import "(^|[^a-z0-9_$.])import([^a-z0-9_$]|$)")
    reject_unless_prefix(src "(^|[^a-z0-9_$-])src(set)?${ws}=${ws}['\"`]?[^ \t\r\n'\"`]*"
                         ".*=${ws}['\"`]?(.*)$" "data:")
    reject(src "setattribute${ws}\\(${ws}['\"`]src(set)?['\"`]")
    reject(remote-href "(^|[^a-z0-9_$-])href${ws}=${ws}['\"`]?(https?:|//)")
  elseif(extension STREQUAL ".css")
    reject(css-import "@import")
    reject_unless_prefix(css-url "url${ws}\\(${ws}['\"]?[^'\")]*" "url${ws}\\(${ws}['\"]?(.*)$"
                         "data:")
    reject(image-set "image-set${ws}\\(")
  else()
    set(violations "${INPUT}:1: [file-type] an asset is a .js or a .css file")
  endif()
  if(violations)
    # NOTICE prints the lines as they are (FATAL_ERROR would re-wrap them).
    message(NOTICE "${violations}")
    message(FATAL_ERROR "${INPUT}: HTML report asset rejected by the rules above "
                        "(cmake/embed_asset.cmake)")
  endif()
elseif(NOT RULES STREQUAL "none")
  message(FATAL_ERROR "embed_asset.cmake: RULES is html or none, not '${RULES}'")
endif()

if(NOT DEFINED OUTPUT)
  return()
endif()
if(NOT SYMBOL MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
  message(FATAL_ERROR "embed_asset.cmake: -DSYMBOL=NAME (a C identifier) is required")
endif()

file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_length)
math(EXPR byte_count "${hex_length} / 2")
# Sixteen bytes a line: "0xNN, " each.
string(REPEAT "[0-9a-f]" 32 sixteen)
string(REGEX REPLACE "(${sixteen})" "\\1\n" hex "${hex}")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1, " bytes "${hex}")
string(REGEX REPLACE ", \n" ",\n    " bytes "${bytes}")
string(REGEX REPLACE "[ \n]+$" "" bytes "${bytes}")

get_filename_component(input_name "${INPUT}" NAME)
set(include_line "")
if(HEADER)
  set(include_line "#include \"${HEADER}\"\n")
endif()
file(WRITE "${OUTPUT}.tmp"
     "/* Generated by cmake/embed_asset.cmake from ${input_name} (${byte_count} bytes):\n"
     " * do not edit; edit the asset and rebuild. */\n"
     "#include <stddef.h>\n\n${include_line}\n"
     "extern const unsigned char ${SYMBOL}[];\n"
     "extern const size_t ${SYMBOL}_len;\n\n"
     "const unsigned char ${SYMBOL}[] = {\n    ${bytes}\n};\n"
     "const size_t ${SYMBOL}_len = sizeof ${SYMBOL};\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
