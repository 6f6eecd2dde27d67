/* handshake_int: helpers shared by handshake_common.c, handshake_client.c
 * and handshake_server.c. Private to the handshake module: nothing outside
 * harness/handshake_*.c includes this file. */
#ifndef WSSPEC_HANDSHAKE_INT_H
#define WSSPEC_HANDSHAKE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec/handshake.h"

/* RFC 7230 3.2.6 tchar: the octets a token (method, header name) may hold. */
bool hs_is_tchar(uint8_t c);

/* Whether every octet of p[0..len) may appear in a field value or reason
 * phrase: VCHAR, obs-text, SP or HTAB (RFC 7230 3.2), no control octets. */
bool hs_is_field_text(const char *p, size_t len);

/* Find the line that starts at buf[pos]. A line ends with LF or CRLF; the
 * view in *line excludes the terminator, *next is the offset after it.
 * Never reads at or past len, and never more than HS_MAX_LINE + 2 octets.
 * Returns 0, HS_NEED_MORE, HS_BAD_LINE_TOO_LONG (even for a line whose end
 * has not arrived yet) or HS_BAD_HEAD_TOO_BIG (when the head cannot end
 * within HS_MAX_HEAD octets any more). */
long hs_next_line(const uint8_t *buf, size_t len, size_t pos, struct hs_view *line, size_t *next);

/* Parse header lines from buf[pos] up to and including the empty line that
 * ends the head. Fills headers[0..*count). Returns the head length (offset
 * after the empty line), HS_NEED_MORE or a HS_BAD_* status. */
long hs_parse_header_lines(const uint8_t *buf, size_t len, size_t pos,
                           struct hs_header headers[HS_MAX_HEADERS], size_t *count);

/* Drop leading and trailing SP / HTAB (RFC 7230 OWS). */
struct hs_view hs_view_trim(struct hs_view v);

#endif
