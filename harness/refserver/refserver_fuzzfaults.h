/* refserver_fuzzfaults: the faults of the reference server that only a
 * fuzzer finds (faults.h, FAULT_FUZZ_*). Each hides behind a combination of
 * frames that no case of cases/ sends but that changing one or two fields of
 * a corpus case reaches (a length form, a control frame inserted between
 * fragments, an opcode, a UTF-8 sequence split at a fragment boundary), so
 * `wsspec fuzz` has bugs to find that the conformance run cannot.
 *
 *   fuzz-crash        a continuation frame of a fragmented text message, with
 *                     its length in the 16-bit form (126..65535, or a shorter
 *                     length written non-minimally), after a ping came inside
 *                     that message: the server process aborts (SIGABRT).
 *   fuzz-hang         a ping with an empty payload right after another ping,
 *                     both inside one fragmented message: the server stops
 *                     serving everything (no reads, no answers, no accepts)
 *                     until it is told to stop (SIGTERM, SIGINT).
 *   fuzz-wrong-close  invalid UTF-8 in a text message whose invalid sequence
 *                     starts in one fragment and ends in the next, with a
 *                     pong between those two fragments: the connection is
 *                     failed with 1002 instead of 1007.
 *
 * The connection's state machine (refserver_conn.c) only decides that a
 * trigger was reached: it stops the connection and sets `hit`; the event
 * loop of `wsspec serve` (refserver.c) then crashes or hangs. So in-process
 * users of the state machine (fuzz/refserver_conn_fuzz.c) never crash or
 * hang, and the built-in target of `wsspec run`, which has no faults,
 * neither. */
#ifndef WSSPEC_REFSERVER_FUZZFAULTS_H
#define WSSPEC_REFSERVER_FUZZFAULTS_H

#include <stdbool.h>
#include <stdint.h>

#include "codec/utf8.h"

enum rs_fuzz_hit {
    RS_FUZZ_NONE = 0,
    RS_FUZZ_CRASH, /* fuzz-crash's trigger: the server process must abort */
    RS_FUZZ_HANG,  /* fuzz-hang's trigger: the server must stop serving */
};

/* Per connection (struct rs_proto's `fuzz`), zeroed by rs_proto_init. */
struct rs_fuzz_state {
    uint8_t hit;          /* enum rs_fuzz_hit, for the event loop */
    bool ping_in_text;    /* fuzz-crash: a ping came inside the current text message */
    bool last_ping;       /* fuzz-hang: the last frame was a ping inside a data message */
    bool pong_in_split;   /* fuzz-wrong-close: a pong came while the text message was
                           inside a code point */
    bool armed;           /* ... and the continuation frame being received follows it */
    uint64_t frame_start; /* that frame's first octet in the message */
    struct utf8_validator at_frame_start; /* the message's validator at that octet */
};

struct rs_proto;
struct frame_event;

/* Every parser event, before the connection acts on it. Returns true when a
 * trigger of fuzz-crash or fuzz-hang was reached: the connection is then
 * stopped (nothing more is read or answered on it) and p->fuzz.hit set. */
bool rs_fuzz_event(struct rs_proto *p, const struct frame_event *ev);
/* The close code that fails the connection for invalid UTF-8 in a text
 * message (6455:7.4.1 1007), or under fuzz-wrong-close, when its trigger
 * holds, 1002. */
uint16_t rs_fuzz_utf8_close_code(const struct rs_proto *p);

#endif
