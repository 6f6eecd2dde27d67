/* refserver_conn: the protocol side of one reference-server connection
 * (private to refserver.c).
 *
 * No I/O: bytes the client sent go in (rs_proto_input), bytes to send come
 * out appended to a caller-owned queue, and `disp` tells the I/O layer what
 * to do with the TCP connection next. One explicit phase per connection:
 *
 *   HANDSHAKE --101--> OPEN --close received, violation--> CLOSED
 *        \--4xx--> CLOSED      \--stop (1001 sent)--> CLOSE_SENT --> CLOSED
 *
 * (AFTER_CLOSE replaces CLOSED only under the echo-after-close fault.)
 *
 * Faults (faults.h) are applied here, each at the one check it breaks
 * (the negotiation faults in refserver_offer.c). */
#ifndef WSSPEC_REFSERVER_CONN_H
#define WSSPEC_REFSERVER_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "codec/frame.h"
#include "codec/utf8.h"
#include "refserver/refserver.h"
#include "refserver/refserver_deflate.h"
#include "refserver/refserver_fuzzfaults.h"

/* Settings shared by every connection of one server (borrowed). */
struct rs_config {
    uint64_t max_message; /* message cap announced with 1009 */
    uint64_t message_cap; /* the cap actually enforced (1 GiB under ignore-message-limit) */
    uint64_t faults;      /* bit set of (1 << enum fault) */
    unsigned chatter;     /* RS_CHATTER_* bits: control frames the RFC allows at any time */
    bool deflate;         /* negotiate permessage-deflate (RFC 7692); false: decline */
    uint64_t inflate_cap; /* largest inflated message (1 GiB under inflate-unbounded) */
};

enum rs_phase {
    RS_PH_HANDSHAKE,   /* reading the HTTP request head */
    RS_PH_OPEN,        /* echoing */
    RS_PH_CLOSE_SENT,  /* we sent a close first (stop): waiting for the client's close */
    RS_PH_CLOSED,      /* closing handshake done or connection failed: input ignored */
    RS_PH_AFTER_CLOSE, /* echo-after-close fault only: close answered, data still echoed */
};

/* What the I/O layer does with the TCP connection once the queued output is
 * written. */
enum rs_disposition {
    RS_DISP_KEEP,     /* keep reading and feeding rs_proto_input */
    RS_DISP_CLOSE,    /* the server closes TCP first (6455:7.1.1), discarding further input */
    RS_DISP_WAIT_EOF, /* keep the TCP open (and keep feeding input) until the client closes it */
};

/* How bytes reach the frame parser. Without a frame fault they go straight
 * in (FEED_DIRECT); with one, each frame header is gathered here first so a
 * fault can rewrite it or take the frame away from the parser. */
enum rs_feed {
    RS_FEED_DIRECT, /* strict: every byte to frame_parse */
    RS_FEED_HEADER, /* fault path: gathering the next frame header */
    RS_FEED_PARSER, /* fault path: payload of the current frame, to frame_parse */
    RS_FEED_SKIP,   /* fault path: dropping a frame (accept-reserved-opcode) */
    RS_FEED_OWN,    /* fault path: a long control frame handled here (accept-long-control) */
};

struct rs_proto {
    const struct rs_config *cfg; /* borrowed */
    enum rs_phase phase;
    enum rs_disposition disp;

    struct buf head;  /* handshake bytes so far (freed once open) */
    size_t head_scan; /* handshake_head_complete resume point */

    struct frame_parser parser;
    enum rs_feed feed;
    uint8_t raw[14]; /* fault path: raw header octets gathered */
    uint8_t raw_have;
    uint8_t raw_need;
    uint64_t frame_left;         /* fault path: payload octets of the current frame not yet fed */
    struct frame_header own_hdr; /* RS_FEED_OWN: the frame handled here */
    uint64_t own_offset;

    struct frame_header cur; /* header of the frame being received */
    bool in_message;         /* a data message is being assembled */
    uint8_t msg_opcode;      /* TEXT or BINARY */
    uint64_t msg_wire_len;   /* payload octets of the message received so far */
    /* The echo so far: the message itself, or with permessage-deflate its
     * compressed echo (refserver_deflate.h), never the inflated message. */
    struct buf msg;
    struct rs_deflate *pmd; /* permessage-deflate streams; NULL unless agreed */
    bool msg_compressed;    /* the message came with RSV1 on its first frame (7692:6.1) */
    bool msg_utf8_bad;      /* permessage-deflate: invalid UTF-8 seen in the message */
    struct utf8_validator utf8;
    struct utf8_validator close_reason_utf8; /* the close reason, as it arrives */
    struct buf ctl;                          /* payload of the control frame being received */

    bool close_sent;
    struct rs_fuzz_state fuzz; /* the fuzz-only faults' triggers (refserver_fuzzfaults.h) */
    char note[160];            /* why the connection ended, for the log */
};

/* Initialise for a fresh TCP (or TLS) connection. cfg is borrowed and must
 * outlive p. */
void rs_proto_init(struct rs_proto *p, const struct rs_config *cfg);
void rs_proto_free(struct rs_proto *p);

/* Feed len bytes received from the client. data is borrowed and modified in
 * place (unmasked). Output is appended to *out. Whatever the client did
 * wrong is answered on the wire (a 4xx, a close frame), never returned.
 * Returns 0, or a failure of ours, after which the I/O layer drops the
 * connection: WS_ERR_NOMEM, WS_ERR_OVERFLOW, or a bug: WS_ERR_ARG,
 * WS_ERR_INTERNAL (from the handshake writers). Input in phase CLOSED is
 * ignored unless a fault keeps it alive. */
int rs_proto_input(struct rs_proto *p, uint8_t *data, size_t len, struct buf *out);

/* The server is stopping: in phase OPEN queue a close 1001 (going away) and
 * enter CLOSE_SENT. Returns true when a close was queued (the caller waits
 * for the client's close), false when there is nothing to wait for. */
bool rs_proto_go_away(struct rs_proto *p, struct buf *out);

#endif
