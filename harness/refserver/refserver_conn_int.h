/* refserver_conn_int: what refserver_conn.c and refserver_conn_deflate.c
 * share about one connection (private to these two files). */
#ifndef WSSPEC_REFSERVER_CONN_INT_H
#define WSSPEC_REFSERVER_CONN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "refserver/refserver_conn.h"
#include "refserver/refserver_deflate.h"

/* refserver_conn.c */
/* Fail the connection: a close with code (unless one was sent), then TCP
 * closed by us; input is never looked at again (6455:7.1.7). */
int rs_conn_fail(struct rs_proto *p, uint16_t code, const char *why, struct buf *out);
/* Drop TCP without a close frame (an internal hard cap, not an RFC rule). */
void rs_conn_abort(struct rs_proto *p, const char *why);
/* Phases in which data messages are assembled and echoed. */
bool rs_conn_echoing(const struct rs_proto *p);
/* Text is judged octet by octet (no fault says otherwise). */
bool rs_conn_utf8_fail_fast(const struct rs_proto *p);
/* Send the echo held in p->msg as one frame with RSV bits rsv. */
int rs_conn_send_echo(struct rs_proto *p, uint8_t rsv, struct buf *out);

/* refserver_conn_deflate.c */
/* Compressed payload octets a message may have under a cap on its
 * inflated size. */
uint64_t rs_pmd_compressed_cap(uint64_t message_cap);
/* permessage-deflate was agreed in the handshake: set the connection up. */
int rs_pmd_start(struct rs_proto *p, const struct rs_deflate_params *agreed);
/* RSV1 on a control frame (control) or a continuation frame, deflate
 * agreed: fails the connection (phase CLOSED after), or under a fault reads
 * the bit as clear. Returns 0 or a negative ws_error. */
int rs_pmd_misplaced_rsv1(struct rs_proto *p, bool control, struct buf *out);
/* A data message's payload octets (unmasked) on a deflate connection. */
int rs_pmd_payload(struct rs_proto *p, const uint8_t *data, size_t len, struct buf *out);
/* Its last frame ended: finish it and send the compressed echo. */
int rs_pmd_message_end(struct rs_proto *p, struct buf *out);

#endif
