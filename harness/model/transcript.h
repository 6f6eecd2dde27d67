/* transcript: everything observed while running one case: the peer's events
 * with timestamps, our marks and close, the handshake, and a size-capped
 * wire log in both directions. Filled by the runner, read by the judge and
 * the reports. */
#ifndef WSSPEC_TRANSCRIPT_H
#define WSSPEC_TRANSCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

enum tev_kind {
    TEV_MESSAGE,      /* the peer sent a complete data message */
    TEV_PING,         /* the peer sent a ping (we answered it) */
    TEV_PONG,         /* the peer sent a pong */
    TEV_CLOSE,        /* the peer sent a close frame */
    TEV_EOF,          /* the peer closed TCP (orderly) */
    TEV_RESET,        /* the connection was reset */
    TEV_VIOLATION,    /* the peer broke RFC 6455 (detail says how, rfc says where) */
    TEV_MARK,         /* one of our mark steps */
    TEV_SENT_CLOSE,   /* we sent a close frame */
    TEV_TIMEOUT,      /* a wait or the close wait ran out (detail says which) */
    TEV_WRITE_FAILED, /* a write of ours failed (the peer was gone) */
    TEV_LIMIT,        /* a cap of ours was reached (detail names it): the peer did nothing
                         wrong, the case cannot go on (an ERROR unless an outcome accepts it) */
};

#define TEV_HEAD_CAP 64 /* payload octets kept per event for display */

struct tev {
    enum tev_kind kind;
    int64_t t_us;               /* microseconds since the case started */
    uint8_t opcode;             /* MESSAGE: text/binary */
    uint64_t length;            /* payload length */
    uint8_t sha256[32];         /* MESSAGE/PING/PONG: digest of the payload */
    uint8_t head[TEV_HEAD_CAP]; /* the first octets of the payload */
    size_t head_len;
    bool has_code; /* CLOSE */
    uint16_t code;
    char *detail;    /* VIOLATION/MARK/TIMEOUT/LIMIT/CLOSE reason (escaped), owned, may be NULL */
    const char *rfc; /* VIOLATION: "6455:5.1" (static) */
    bool compressed; /* MESSAGE: sent compressed (RSV1, 7692:6); length is the inflated size */
    uint64_t wire_length; /* MESSAGE: payload octets on the wire (the compressed size) */
    bool unsolicited;     /* PONG: answers no ping of ours (6455:5.5.3 "A Pong frame MAY be sent
                         unsolicited"): recorded, skipped by waits and by the judge */
    /* TIMEOUT only: what ran out and what was due. */
    bool idle;            /* our idle deadline (no octet from the peer while an answer was
                             due), not a wait step's or the case's own time */
    bool answer_required; /* the answer that was due is one the RFC requires (a pong, the
                             reply to our close, the TCP close after the closing handshake),
                             not one the echo convention only asks for */
    bool deadline;        /* the case's own deadline (its timeout, scaled): the case stopped */
    bool progressing;     /* (deadline) the conversation was still moving when it ran out:
                             the peer made progress (a frame of a data message, a pong
                             answering us, our octets taken) within the idle deadline (or 3 s,
                             scaled, without one) before, or a step of ours was being sent */
};

/* Events kept per transcript unless transcript_set_event_limit says otherwise;
 * beyond it events are counted (events_dropped), not kept. A reserve of
 * TRANSCRIPT_RESERVE more is kept for the events that end a case (our limit,
 * timeouts, EOF, reset, failed write, our close). */
#define TRANSCRIPT_RESERVE 16

enum wire_entry_dir { WIRE_ENTRY_OUT = 0, WIRE_ENTRY_IN = 1 };

/* permessage-deflate (RFC 7692) on the connection: what was agreed, and
 * how much compression saved in each direction. */
struct transcript_deflate {
    bool offered; /* our request offered permessage-deflate */
    bool agreed;  /* the 101 accepted an offer (and passed pmd_client_check) */
    uint8_t server_max_window_bits, client_max_window_bits;
    bool server_no_context_takeover, client_no_context_takeover;
    uint64_t in_messages, in_wire, in_inflated;   /* the peer's compressed messages */
    uint64_t out_messages, out_wire, out_payload; /* ours */
};

struct transcript {
    struct tev *events;
    size_t event_count, event_cap;
    /* Wire log: records of {u8 dir, i64 t_us, u32 len, bytes} packed in `wire`,
     * at most wire_cap octets of payload; the rest is counted, not kept. */
    struct buf wire;
    size_t wire_cap;
    uint64_t wire_dropped_out, wire_dropped_in;
    uint64_t octets_out, octets_in;
    /* Events: at most event_limit kept (0 = no limit). Over it they are counted
     * in events_dropped (a cap of ours: the runner records a TEV_LIMIT); when
     * memory runs out they are counted in events_lost (our failure: the
     * transcript is incomplete, the case is an internal error). */
    size_t event_limit;
    uint64_t events_dropped, events_lost;
    uint64_t pongs_dropped; /* pings left unanswered because our pong queue was full */
    /* Handshake. */
    int http_status;          /* 0 when no response head arrived */
    struct buf response_head; /* copy */
    struct buf request_head;  /* copy (of a raw request: the octets up to the head's end) */
    struct transcript_deflate deflate;
    bool handshake_unanswered; /* a case about the handshake: no response head came (the
                                  peer closed TCP, see the events, or the deadline passed) */
    /* How it ended. */
    bool peer_closed_first; /* the peer's close frame (or TCP close) came before ours */
    bool we_sent_close;
    bool peer_sent_close;
    bool clean;          /* close frames exchanged and the peer closed TCP */
    bool we_dropped_tcp; /* we had to close TCP ourselves (close_timeout ran out) */
    char *error;         /* why the case could not run (ERROR verdict), owned */
    bool internal;       /* error is a failure of ours (out of memory, a bug): exit 4 */
    int64_t started_wall_ms;
    int64_t duration_us;
};

void transcript_init(struct transcript *t, size_t wire_cap);
/* Keep at most max_events events (0 = no limit; see TRANSCRIPT_RESERVE). */
void transcript_set_event_limit(struct transcript *t, size_t max_events);
/* Append an event (copied; detail duplicated). Returns 0; WS_ERR_LIMIT when
 * the event is over the event limit (counted in events_dropped, not kept);
 * WS_ERR_NOMEM / WS_ERR_OVERFLOW when it could not be stored (counted in
 * events_lost). */
int transcript_add(struct transcript *t, const struct tev *ev);
/* Free events [keep_head, from) and close the gap (the events from `from`
 * on move down); they are counted in events_dropped. For a case that was
 * cut short by the event limit, once judged: its record keeps the start and
 * the end of the flood, not all of it. Returns how many were dropped. */
size_t transcript_drop_events(struct transcript *t, size_t keep_head, size_t from);
/* Keep only the wire records that start within the first `keep` octets of
 * the log; the octets of the rest are counted in wire_dropped_out / _in. */
void transcript_trim_wire(struct transcript *t, size_t keep);
/* Append a wire record (kept up to wire_cap). */
void transcript_wire(struct transcript *t, enum wire_entry_dir dir, int64_t t_us,
                     const uint8_t *data, size_t len);
void transcript_free(struct transcript *t);
/* Record why the case could not run (the first reason wins; later calls
 * are ignored). */
void transcript_set_error(struct transcript *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The same for a failure of ours (out of memory, a bug): the case is an
 * internal error. An internal error replaces an earlier ordinary one. */
void transcript_set_internal(struct transcript *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Whether the transcript is known to be incomplete or wrong through a
 * failure of ours (internal set, or events lost). */
bool transcript_is_internal(const struct transcript *t);

/* One record of the wire log, as transcript_wire_next() hands it out
 * (data is a view into t->wire). */
struct wire_record {
    enum wire_entry_dir dir;
    int64_t t_us;
    const uint8_t *data;
    size_t len;
};
/* Walk the wire log: start with *pos = 0; returns 1 with *out filled and
 * *pos advanced, 0 at the end. */
int transcript_wire_next(const struct transcript *t, size_t *pos, struct wire_record *out);
/* Printable ASCII as is (\" and \\ escaped), other octets as \xNN, cut
 * to fit cap (NUL-terminated). Returns the length written. */
size_t transcript_escape(const uint8_t *data, size_t len, char *out, size_t cap);
const char *tev_kind_name(enum tev_kind k);
/* One line for humans: "message text 5 octets \"Hello\"", "close 1002 \"...\"" */
void tev_describe(const struct tev *ev, char *out, size_t cap);

#endif
