/* frame: RFC 6455 section 5 framing: an incremental parser for both roles and
 * a writer that can emit any bit pattern a test needs.
 *
 * The parser is pure (no I/O, no globals, no allocation). It never buffers a
 * payload: payload bytes are handed out as views into the caller's buffer as
 * they arrive, unmasked in place, so a declared length is never allocated.
 *
 * A peer that breaks the RFC is not an error of ours: the parser reports it
 * as FRAME_EV_VIOLATION with a `enum frame_violation`, and the caller turns
 * that into a verdict (the runner) or a close code (the reference server).
 */
#ifndef WSSPEC_FRAME_H
#define WSSPEC_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum frame_opcode {
    FRAME_OP_CONT = 0x0,
    FRAME_OP_TEXT = 0x1,
    FRAME_OP_BINARY = 0x2,
    FRAME_OP_CLOSE = 0x8,
    FRAME_OP_PING = 0x9,
    FRAME_OP_PONG = 0xA,
};

/* RSV bits as they sit in the first octet, shifted down: RSV1 = 4, RSV2 = 2,
 * RSV3 = 1 (so "rsv": 7 sets all three). */
enum { FRAME_RSV1 = 4, FRAME_RSV2 = 2, FRAME_RSV3 = 1 };

/* Which side we are parsing as. A server parses frames sent by a client. */
enum frame_role {
    FRAME_ROLE_SERVER, /* parsing client frames: every frame MUST be masked */
    FRAME_ROLE_CLIENT, /* parsing server frames: no frame may be masked */
};

/* Every way a peer's frames can break 6455 section 5; positive values. */
enum frame_violation {
    FRAME_V_NONE = 0,
    FRAME_V_RESERVED_OPCODE,       /* 6455:5.2 opcodes 3-7, 0xB-0xF */
    FRAME_V_RSV_BITS,              /* 6455:5.2 RSV set, no extension negotiated it */
    FRAME_V_CONTROL_TOO_LONG,      /* 6455:5.5 control payload > 125 */
    FRAME_V_CONTROL_FRAGMENTED,    /* 6455:5.5 control frame with FIN=0 */
    FRAME_V_UNMASKED,              /* 6455:5.1 client frame not masked */
    FRAME_V_MASKED,                /* 6455:5.1 server frame masked */
    FRAME_V_LENGTH_MSB,            /* 6455:5.2 64-bit length with the top bit set */
    FRAME_V_NON_MINIMAL_LENGTH,    /* 6455:5.2 length not in minimal form (only when strict) */
    FRAME_V_ORPHAN_CONTINUATION,   /* 6455:5.4 continuation with no message in progress */
    FRAME_V_EXPECTED_CONTINUATION, /* 6455:5.4 new data frame inside a fragmented message */
    FRAME_V_TOO_BIG,               /* frame payload above the configured cap (close 1009) */
    FRAME_V_COUNT
};

struct frame_header {
    bool fin;
    uint8_t rsv;    /* 0..7, see FRAME_RSV* */
    uint8_t opcode; /* 0..15 */
    bool masked;
    uint8_t mask_key[4];
    uint64_t payload_len;
    uint8_t length_bits; /* 7, 16 or 64: the length form used on the wire */
    bool non_minimal;    /* the length could have been encoded in a shorter form */
    uint8_t header_len;  /* 2..14 octets */
};

struct frame_limits {
    uint64_t max_frame_payload; /* 0 = no cap; above it: FRAME_V_TOO_BIG */
    uint8_t allowed_rsv;        /* RSV bits an extension negotiated (e.g. FRAME_RSV1) */
    bool strict_length;         /* non-minimal length encoding is a violation */
};

enum frame_parser_state {
    FRAME_S_HEAD,     /* reading the first two octets */
    FRAME_S_EXT_LEN,  /* reading a 16- or 64-bit extended length */
    FRAME_S_MASK_KEY, /* reading the 4-octet masking key */
    FRAME_S_PAYLOAD,  /* handing out payload bytes */
    FRAME_S_FAILED,   /* a violation was reported; the parser stays here */
};

struct frame_parser {
    enum frame_role role;
    struct frame_limits limits;
    enum frame_parser_state state;
    struct frame_header hdr; /* the frame being parsed */
    uint8_t head[14];        /* header octets gathered so far */
    uint8_t head_have;
    uint8_t head_need;
    uint64_t payload_left;   /* payload octets not yet handed out */
    uint64_t payload_offset; /* payload octets handed out (for unmasking) */
    bool in_message;         /* a fragmented data message is open */
    uint8_t message_opcode;  /* its opcode (TEXT or BINARY, or reserved when allowed) */
    enum frame_violation violation;
    uint64_t stream_offset; /* octets consumed since init (for reports) */
};

enum frame_event_kind {
    FRAME_EV_NEED_MORE, /* all input consumed: need more bytes (not an error) */
    FRAME_EV_HEADER,    /* a complete header was read: ev->hdr */
    FRAME_EV_PAYLOAD,   /* ev->data/ev->len: unmasked payload bytes of the current frame */
    FRAME_EV_END,       /* the current frame is complete (after its header/payload events) */
    FRAME_EV_VIOLATION, /* ev->violation; the parser is now FRAME_S_FAILED */
};

struct frame_event {
    enum frame_event_kind kind;
    struct frame_header hdr; /* valid for HEADER, PAYLOAD and END */
    uint8_t *data;           /* PAYLOAD: view into the caller's buffer */
    size_t len;
    uint64_t payload_offset;        /* PAYLOAD: offset of data within the frame payload */
    enum frame_violation violation; /* VIOLATION */
    uint64_t stream_offset;         /* octet offset in the stream where the event happened */
};

/* Initialise a parser for `role` with `limits` (borrowed; copied). */
void frame_parser_init(struct frame_parser *p, enum frame_role role,
                       const struct frame_limits *limits);

/* Consume bytes from buf[0..len) until one event is produced or input runs
 * out. Returns the number of bytes consumed (0..len) and fills *ev. Call in a
 * loop until it returns an event of kind FRAME_EV_NEED_MORE with all bytes
 * consumed. PAYLOAD events unmask buf in place (buf is borrowed and
 * modified). A zero-length frame yields HEADER then END. After a VIOLATION
 * every further call returns 0 with the same VIOLATION.
 *
 * It has no error code: the parser cannot fail on its own, and a peer's
 * breach of section 5 is a FRAME_EV_VIOLATION (verdict material), never a
 * ws_error. */
size_t frame_parse(struct frame_parser *p, uint8_t *buf, size_t len, struct frame_event *ev);

/* Names for reports and the close code a conforming endpoint sends for it
 * (1002 protocol error, 1009 too big). */
const char *frame_violation_name(enum frame_violation v);
uint16_t frame_violation_close_code(enum frame_violation v);
/* "text", "binary", "close", ... or "reserved-N". */
const char *frame_opcode_name(uint8_t opcode);
static inline bool frame_opcode_is_control(uint8_t opcode) {
    return (opcode & 0x8) != 0;
}

/* ---- writer ---------------------------------------------------------- */

enum frame_len_form {
    FRAME_LEN_AUTO = 0, /* minimal form */
    FRAME_LEN_7 = 7,    /* forced; fails with WS_ERR_FRAME_LEN_FORM if the length does not fit */
    FRAME_LEN_16 = 16,
    FRAME_LEN_64 = 64,
};

struct frame_spec {
    bool fin;
    uint8_t rsv;    /* 0..7 */
    uint8_t opcode; /* 0..15, any value */
    bool masked;
    uint8_t mask_key[4]; /* used when masked */
    enum frame_len_form len_form;
    bool declared_len_set; /* when set, the header carries declared_len instead of */
    uint64_t declared_len; /* the real payload length (a lying length; any 64-bit value) */
};

/* Write the frame header for a payload of payload_len octets into
 * out[0..14) (spec borrowed). Returns the header length (2..14),
 * WS_ERR_FRAME_FIELD (opcode > 15, RSV > 7, len_form not a frame_len_form)
 * or WS_ERR_FRAME_LEN_FORM (a forced 7/16-bit form cannot hold the length). */
int frame_write_header(const struct frame_spec *spec, uint64_t payload_len, uint8_t out[14]);

/* Append header + payload (masked when spec->masked) to *out; spec and
 * payload borrowed, *out unchanged on failure. Returns 0, WS_ERR_FRAME_FIELD,
 * WS_ERR_FRAME_LEN_FORM (see frame_write_header), WS_ERR_OVERFLOW or
 * WS_ERR_NOMEM. */
struct buf;
int frame_build(const struct frame_spec *spec, const uint8_t *payload, size_t payload_len,
                struct buf *out);

#endif
