/* handshake_int: helpers shared by handshake_common.c, handshake_client.c
 * and handshake_server.c. Private to the handshake module: nothing outside
 * harness/codec/handshake_*.c includes this file. */
#ifndef WSSPEC_HANDSHAKE_INT_H
#define WSSPEC_HANDSHAKE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec/handshake.h"

/* RFC 7230 3.2.6 tchar: the octets a token (method, header name) may hold. */
bool handshake_is_tchar(uint8_t c);

/* Whether every octet of p[0..len) may appear in a field value or reason
 * phrase: VCHAR, obs-text, SP or HTAB (RFC 7230 3.2), no control octets. */
bool handshake_is_field_text(const char *p, size_t len);

/* Find the line that starts at buf[pos]. A line ends with LF or CRLF; the
 * view in *line excludes the terminator. Never reads at or past len, and
 * never more than HANDSHAKE_MAX_LINE + 2 octets. Returns the offset after the
 * line's terminator (> 0), HANDSHAKE_NEED_MORE (0) when the line has not
 * ended yet, WS_ERR_HANDSHAKE_SYNTAX (pos > len), WS_ERR_HANDSHAKE_LINE_TOO_LONG
 * (even for a line whose end has not arrived yet) or
 * WS_ERR_HANDSHAKE_HEAD_TOO_BIG (the head cannot end within HANDSHAKE_MAX_HEAD
 * octets any more). */
long handshake_next_line(const uint8_t *buf, size_t len, size_t pos, struct handshake_view *line);

/* Parse header lines from buf[pos] up to and including the empty line that
 * ends the head. Fills headers[0..*count). Returns the head length (offset
 * after the empty line, > 0), HANDSHAKE_NEED_MORE (0), or
 * WS_ERR_HANDSHAKE_SYNTAX / _LINE_TOO_LONG / _TOO_MANY_HEADERS / _HEAD_TOO_BIG. */
long handshake_parse_header_lines(const uint8_t *buf, size_t len, size_t pos,
                                  struct handshake_header headers[HANDSHAKE_MAX_HEADERS],
                                  size_t *count);

/* Next element of a comma list (RFC 7230 7 #rule) starting at *pos (start
 * at 0), commas inside quoted-strings (extension parameters) included in
 * the element. Returns false at the end of the list. Elements are
 * OWS-trimmed and may be empty ("a, ,b"), which callers skip. */
bool handshake_next_element(struct handshake_view list, size_t *pos,
                            struct handshake_view *element);
/* The extension-token of an extension element: what comes before ";". */
struct handshake_view handshake_extension_token(struct handshake_view element);
/* Whether the extension token (compared ASCII case-insensitively) is one
 * of the comma list `offered` (NULL = nothing offered). */
bool handshake_extension_offered(struct handshake_view token, const char *offered);
/* Whether the subprotocol `chosen` is exactly an element of `offered`. */
bool handshake_protocol_offered(struct handshake_view chosen, const char *offered);

/* Drop leading and trailing SP / HTAB (RFC 7230 OWS). */
struct handshake_view handshake_view_trim(struct handshake_view v);

#endif
