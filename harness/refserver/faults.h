/* faults: named ways the reference server can break exactly one RFC 6455
 * or RFC 7692 rule (`wsspec serve --fault NAME`), each named after what it breaks;
 * the fuzz-* ones break a rule only behind a combination of frames no case
 * sends (refserver_fuzzfaults.h). */
#ifndef WSSPEC_FAULTS_H
#define WSSPEC_FAULTS_H

#include <stdint.h>

enum fault {
    FAULT_ACCEPT_UNMASKED,           /* accepts unmasked client frames (6455:5.1) */
    FAULT_IGNORE_RSV,                /* ignores RSV bits without an extension (6455:5.2) */
    FAULT_ACCEPT_RESERVED_OPCODE,    /* ignores frames with reserved opcodes (6455:5.2) */
    FAULT_ACCEPT_LONG_CONTROL,       /* accepts control frames > 125 octets (6455:5.5) */
    FAULT_ACCEPT_FRAGMENTED_CONTROL, /* accepts control frames with FIN=0 (6455:5.5) */
    FAULT_ACCEPT_BAD_CONTINUATION, /* accepts orphan continuations and data frames inside a fragmented message (6455:5.4) */
    FAULT_NO_UTF8_CHECK,         /* never validates text messages (6455:8.1) */
    FAULT_UTF8_CHECK_AT_END,     /* validates only complete messages: no fail-fast (6455:8.1) */
    FAULT_ACCEPT_BAD_CLOSE_CODE, /* accepts invalid close codes and 1-byte close payloads (6455:7.4) */
    FAULT_ACCEPT_BAD_CLOSE_REASON, /* accepts close reasons that are not UTF-8 (6455:5.5.1) */
    FAULT_NO_CLOSE_REPLY,          /* drops TCP instead of answering a close frame (6455:5.5.1) */
    FAULT_CLOSE_REPLY_WRONG_CODE,  /* answers a normal close with 1011 (6455:5.5.1, 7.4) */
    FAULT_NO_PONG,                 /* never answers pings (6455:5.5.2) */
    FAULT_PONG_WRONG_PAYLOAD,      /* answers pings with an empty pong (6455:5.5.3) */
    FAULT_WRONG_ACCEPT_KEY,        /* sends a wrong Sec-WebSocket-Accept (6455:4.2.2) */
    FAULT_MASK_SERVER_FRAMES,      /* masks the frames it sends (6455:5.1) */
    FAULT_ACCEPT_BAD_VERSION,      /* accepts any Sec-WebSocket-Version (6455:4.4) */
    FAULT_IGNORE_MESSAGE_LIMIT,    /* holds messages past --max-message instead of 1009 */
    FAULT_ECHO_AFTER_CLOSE,     /* keeps echoing data received after a close frame (6455:5.5.1) */
    FAULT_CLIENT_CLOSES_TCP,    /* waits for the client to close TCP first (6455:7.1.1) */
    FAULT_ECHO_ALTERED,         /* appends an octet to every echo (the echo convention) */
    FAULT_UTF8_CHECK_PER_FRAME, /* validates each text frame alone (6455:5.6) */
    FAULT_ACCEPT_NON_MINIMAL_LENGTH, /* accepts non-minimal length encodings (6455:5.2) */
    FAULT_ACCEPT_ANY_REQUEST,        /* upgrades any request that parses as HTTP (6455:4.2.1) */
    /* permessage-deflate (RFC 7692): only once it was agreed */
    FAULT_ACCEPT_RSV1_CONTINUATION, /* reads RSV1 on a continuation frame as clear (7692:6.1) */
    FAULT_ACCEPT_RSV1_CONTROL,      /* reads RSV1 on a control frame as clear (7692:6.1) */
    FAULT_KEEP_CONTEXT, /* keeps its LZ77 window despite server_no_context_takeover (7692:7.1.1.1) */
    FAULT_IGNORE_SERVER_WINDOW_BITS, /* compresses with window 15 whatever was agreed (7692:7.1.2.1) */
    FAULT_RESPOND_UNOFFERED_PARAM, /* answers client_max_window_bits=15 unoffered (7692:7.1.2.2) */
    FAULT_ACCEPT_INVALID_OFFER,    /* drops bad offer parameters instead of declining (7692:7) */
    FAULT_INFLATE_UNBOUNDED,       /* inflates past --max-message (up to 1 GiB) and echoes */
    FAULT_CORRUPT_DEFLATE,         /* its compressed echoes are not DEFLATE (7692:7.2.1) */
    /* only a fuzzer finds these: no case of cases/ reaches their triggers
       (refserver_fuzzfaults.h); they come last, so fuzz/refserver_conn_fuzz.c's
       32 fault bits never turn them on */
    FAULT_FUZZ_CRASH,       /* aborts on a 16-bit continuation after a ping in a text message */
    FAULT_FUZZ_HANG,        /* stops serving on an empty ping after a ping inside a message */
    FAULT_FUZZ_WRONG_CLOSE, /* 1002 for invalid UTF-8 split around a pong (6455:7.4.1) */
    FAULT_COUNT
};

/* Name ("accept-unmasked", ...) and one-line description of a fault. */
const char *fault_name(enum fault f);
const char *fault_description(enum fault f);
/* Look up a fault by name: its enum fault value, or -1 when no fault has
 * that name (a lookup miss, not a ws_error). */
int fault_lookup(const char *name);

static inline int fault_on(uint64_t set, enum fault f) {
    return (set >> f) & 1;
}

#endif
