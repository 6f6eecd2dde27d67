/* report_int: value builders that report_json.c and report_window.c share.
 * Private to reports/ (the rest of wsspec includes reports/report.h).
 *
 * Every string they return is valid UTF-8 (jansson refuses anything else):
 * peer-controlled octets become hex, or text with every octet outside
 * printable ASCII written \xNN. Each returns a new reference (json_null()
 * when memory runs out, so a caller can json_object_set_new it as is). */
#ifndef WSSPEC_REPORT_INT_H
#define WSSPEC_REPORT_INT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define REPORT_HEAD_TEXT_CAP (16 * 1024) /* octets of a request/response head kept as text */

/* data[0..len) as lower-case hex (data borrowed). */
json_t *report_hex_json(const uint8_t *data, size_t len);
/* A NUL-terminated string of ours or of the case file as text; NULL gives
 * null. */
json_t *report_text_json(const char *s);
/* An unsigned count as a JSON integer (above 2^63-1: 2^63-1). */
json_t *report_count_json(uint64_t v);

#endif
