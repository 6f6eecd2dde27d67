/* runner_int: what runner.c, runner_exec.c (steps, sending, the closing
 * phase) and runner_rx.c (the receive pump) share about one running case.
 * Private to the runner. */
#ifndef WSSPEC_RUNNER_INT_H
#define WSSPEC_RUNNER_INT_H

#include <openssl/evp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/prng.h"
#include "codec/pmd_stream.h"
#include "codec/utf8.h"
#include "model/casemodel.h"
#include "model/transcript.h"
#include "net/wsclient.h"

#define RUNNER_CHUNK    (64 * 1024) /* octets generated / written at a time */
#define RUNNER_SLICE_MS 100         /* longest wait before the interrupt flag is looked at */
#define RUNNER_MAX_EVENTS                                                                          \
    4096 /* events kept per case: a peer flooding us with tiny
                                         frames or pings reaches our limit here */
#define RUNNER_REPORT_EVENTS                                                                       \
    64 /* events of a flood kept once the case is judged (plus those from the limit on) */
#define RUNNER_REPORT_WIRE (4 * 1024) /* ... and octets of its wire log */
#define RUNNER_ACTIVE_S                                                                            \
    3.0 /* without an idle deadline: progress this recent (scaled) means the peer was still
           answering when our case deadline ran out */
#define RUNNER_SEED_MAX (64 * 1024) /* largest compressed message recorded as a seed */
#define RUNNER_MAX_REPLIES                                                                         \
    (64 * 1024) /* queued pong octets; beyond, pings go unanswered (counted) */

/* How the conversation of one case stands: one phase, moved only by the
 * runner_phase_* transitions below (the reference server's enum rs_phase
 * plays the same part on the other side):
 *
 *   OPEN --our close out--> WE_CLOSED --the peer's close in--> CLOSED
 *     \--the peer's close in--> PEER_CLOSED --our reply out--> CLOSED
 *   OPEN, WE_CLOSED, PEER_CLOSED, CLOSED --the peer broke the framing, or a
 *     frame or message passed our cap--> FAILED (we fail the connection)
 *   any --EOF, reset, a failed write (once every octet already received is
 *     parsed: the peer's close frame may be among them)--> GONE
 *
 * GONE and FAILED are final for the conversation: nothing more is parsed
 * (FAILED) or can be read or written (GONE); FAILED may still become GONE
 * when the peer's EOF arrives. */
enum run_phase {
    RUN_OPEN,        /* both sides may send: the steps run */
    RUN_WE_CLOSED,   /* our close frame is out: the peer's close is due (6455:5.5.1) */
    RUN_PEER_CLOSED, /* the peer's close frame came first: our reply is queued */
    RUN_CLOSED,      /* both close frames crossed: the peer's TCP close is due */
    RUN_FAILED,      /* we fail the connection (the peer's violation, or our cap) */
    RUN_GONE,        /* TCP is gone: EOF, reset or a failed write */
};

/* Why the case stopped before its steps and closing phase ran out; the
 * phase says how far the conversation got. */
enum run_stop {
    RUN_GO,             /* not stopped */
    RUN_STOP_DEADLINE,  /* the case's deadline ran out */
    RUN_STOP_INTERRUPT, /* Ctrl-C */
    RUN_STOP_LIMIT,     /* a cap of ours (events kept) was reached */
    RUN_STOP_INTERNAL,  /* a failure of ours (out of memory, a case that cannot be sent) */
};

/* Our side of the TCP stream, apart from the close frames (the phase). */
enum run_tx {
    RUN_TX_OPEN,   /* frames may be written */
    RUN_TX_BROKEN, /* a send stopped inside a frame: no frame of ours may follow */
    RUN_TX_SHUT,   /* we half-closed TCP (shutdown step): nothing may follow */
};

/* The data message the peer is sending: never held whole, only its length,
 * a running SHA-256, its first octets and the UTF-8 state. */
struct rx_message {
    bool open;
    uint8_t opcode;
    uint64_t length;      /* payload octets (inflated, for a compressed message) */
    uint64_t wire_length; /* payload octets on the wire */
    EVP_MD_CTX *sha;      /* owned, reused across messages */
    uint8_t head[TEV_HEAD_CAP];
    size_t head_len;
    struct utf8_validator utf8;
};

struct exec {
    const struct wcase *c;  /* borrowed */
    struct transcript *tr;  /* borrowed: where everything is recorded */
    struct wsclient cl;     /* owned: the connection */
    struct prng prng;       /* masks and keys of our steps, seeded per case */
    struct prng reply_prng; /* masks of pongs and close replies: a stream of
                                           its own, so the peer's timing cannot shift the
                                           masks of our steps */
    double scale;           /* timeout scale */
    uint32_t chop_override; /* run_options.chop */
    int64_t t0_ns;          /* case start (monotonic) */
    int64_t deadline_ms;    /* the whole case */
    int64_t idle_ms;        /* the idle deadline (scaled), 0 = none */
    int64_t last_rx_ms;     /* when the peer's last octet arrived */
    int64_t tx_queued_ms;   /* when octets of ours were last seen unsent */
    int64_t progress_ns;    /* (monotonic ns) when the peer last made progress toward an answer: a
                                           frame of a data message, a pong answering us, room
                                           it made in a full socket; -1 = never */
    /* What the case is waiting for (set by every wait, for the record of
     * the case deadline): since when, and whether the RFC requires it. */
    int64_t due_ns; /* monotonic ns */
    bool due_required;
    const char *due_what;               /* static, NULL = nothing yet */
    volatile sig_atomic_t *interrupted; /* may be NULL */

    /* How the conversation stands. */
    enum run_phase phase;
    enum run_stop stop;
    enum run_tx tx;
    bool sending;       /* inside a send step: no reply frames may go out */
    bool gone_orderly;  /* GONE by the peer's orderly TCP close (EOF), not a reset */
    bool idle_struck;   /* a wait ran into the idle deadline and the peer has sent
                          nothing since (runner_exec.c) */
    uint16_t fail_code; /* FAILED: the code of the close we fail the connection with */

    /* Receive side. */
    struct rx_message msg;
    uint8_t frame_opcode; /* opcode of the frame being received */
    uint8_t ctl[125];     /* control frame payload so far */
    size_t ctl_len;
    uint64_t n_message, n_ping, n_pong, n_close; /* counts for wait steps */
    uint64_t pings_sent;                         /* ping frames of our send_frame steps */
    /* Our pings not yet answered, by payload digest: a pong that answers
     * none of them is unsolicited (6455:5.5.3 "A Pong frame MAY be sent
     * unsolicited"), recorded and skipped by waits and the judge. Grows
     * only with our own steps, never with what the peer sends. */
    struct ping_due {
        uint8_t sha256[32];
        uint64_t count;
    } * pings_due; /* owned */
    size_t ping_due_count, ping_due_cap;
    /* Payload octets a frame of ours declared and has not sent yet (a case
     * sending one frame over several steps): until they are out, no reply
     * of ours may go between them. */
    uint64_t frame_owed;
    uint64_t waited[WAIT_EOF + 1]; /* events per kind already claimed by earlier waits */

    /* permessage-deflate (runner_deflate.c): set up once the 101 agreed it. */
    struct pmd_deflater *pmd_tx; /* owned: our compressor (the client's direction) */
    struct pmd_inflater *pmd_rx; /* owned: the peer's compressed messages */
    bool rx_compressed;          /* the data message being received has RSV1 (7692:6) */
    bool skip_steps;             /* the case's steps do not run (deflate declined:
                                    unimplemented) */
    /* Fuzzing seeds (run_options.record_seed; NULL = none recorded). */
    void (*seed)(void *ud, const char *target, const uint8_t *data, size_t len);
    void *seed_ud;
    struct buf seed_msg; /* the compressed message being received, up to RUNNER_SEED_MAX */

    /* Send side. */
    size_t close_mark; /* > 0: the write under way completes our close frame with its
                          close_mark-th octet (runner_phase_we_closed then, not later) */
    bool close_mark_has_code;
    uint16_t close_mark_code;
    struct buf replies; /* pongs / our close reply, sent at a frame boundary */
    struct buf held;    /* octets of coalesced steps, written with the next send */
    bool held_close;    /* `held` carries a close frame, ending at held_close_end */
    size_t held_close_end;
    bool held_close_has_code;
    uint16_t held_close_code;
    uint8_t *gen; /* owned, RUNNER_CHUNK: payload generation */
};

/* The case ran: its wire log cut into seeds for the in-process fuzz targets
 * (runner_seeds.c), when ex->seed is set. */
void runner_record_seeds(const struct exec *ex);

/* A ping frame of ours with this payload went out (runner_rx.c). Returns 0
 * or WS_ERR_NOMEM. */
int runner_ping_sent(struct exec *ex, const uint8_t sha256[32]);

/* ---- the phase (runner_rx.c) ---------------------------------------------- */

/* Our close frame went out: OPEN -> WE_CLOSED, PEER_CLOSED -> CLOSED;
 * records TEV_SENT_CLOSE once. */
void runner_phase_we_closed(struct exec *ex, bool has_code, uint16_t code);
/* The peer's (valid) close frame arrived: OPEN -> PEER_CLOSED, WE_CLOSED -> CLOSED. */
void runner_phase_peer_closed(struct exec *ex);
/* We fail the connection with a close `code` (1002 for the peer's
 * violation, 1009 for a message over our cap): any live phase -> FAILED. */
void runner_phase_failed(struct exec *ex, uint16_t code);
/* TCP is gone: -> GONE, recording an EOF, RESET or WRITE_FAILED event. */
void runner_phase_gone(struct exec *ex, enum tev_kind kind, const char *detail);
/* A write of ours failed by the peer's doing (err: EPIPE, a reset). What
 * the peer sent before it left may still wait in our socket buffer (its
 * close frame answering a frame it failed on, an echo): every octet there
 * is read and parsed first, then the failed write is recorded in its place,
 * after them, and the phase is GONE (runner_rx.c). */
void runner_write_failed(struct exec *ex, int err);
/* A failure of ours: the case stops as an internal error (what says where). */
void runner_internal(struct exec *ex, const char *what, int err);

/* Whether the peer's close frame arrived (and nothing ended the conversation since). */
static inline bool runner_peer_closed(const struct exec *ex) {
    return ex->phase == RUN_PEER_CLOSED || ex->phase == RUN_CLOSED;
}
/* Whether nothing more will be parsed from the peer (FAILED or GONE). */
static inline bool runner_rx_over(const struct exec *ex) {
    return ex->phase == RUN_FAILED || ex->phase == RUN_GONE;
}
/* Whether our error code is a failure of ours rather than the peer's doing
 * (out of memory, a bad argument, a closed handle): such an error from an
 * I/O call is an internal error, never "the peer reset the connection". */
bool runner_error_is_ours(int err);

/* ---- runner_rx.c ---------------------------------------------------------- */
int runner_rx_init(struct exec *ex);
void runner_rx_free(struct exec *ex);
int64_t runner_now_us(const struct exec *ex);
/* Record an event of ours (detail copied). An event lost for want of memory
 * makes the case an internal error; one over the event limit is counted. */
void runner_record(struct exec *ex, enum tev_kind kind, const char *detail);
/* Record any event (see runner_record). */
void runner_add(struct exec *ex, const struct tev *ev);
/* Wire callback for wsclient (handshake bytes). */
void runner_wire_cb(void *ud, enum wire_dir dir, const uint8_t *data, size_t len);
/* Parse bytes already received (those that came with the 101 response). */
void runner_rx_buffered(struct exec *ex);

enum rx_poll_result {
    RX_POLL_STOP = -2,    /* deadline or interrupt: the case ends */
    RX_POLL_GONE = -1,    /* the peer is gone */
    RX_POLL_TIMEOUT = 0,  /* `until` passed */
    RX_POLL_PROGRESS = 1, /* something was read and processed */
    RX_POLL_WRITABLE = 2, /* (want_write) the socket takes more octets */
};
/* Wait until readable (and/or writable when want_write) or until_ms (clamped
 * to the case deadline, sliced so an interrupt is seen within
 * RUNNER_SLICE_MS), read once and process every frame event. */
enum rx_poll_result runner_rx_poll(struct exec *ex, int64_t until_ms, bool want_write);

/* When a peer that has been quiet for quiet_ms, while something is due
 * since due_ms, is taken to be silent: the latest of due_ms, the peer's
 * last octet and the last time octets of ours were still waiting in the
 * send queue, plus quiet_ms (INT64_MAX when quiet_ms <= 0). */
int64_t runner_quiet_end(struct exec *ex, int64_t due_ms, int64_t quiet_ms);
/* The same with the idle deadline (--idle-timeout) as quiet_ms. */
int64_t runner_idle_end(struct exec *ex, int64_t due_ms);
/* Where a wait that ends at until_ms (its own timeout) polls to, given the
 * idle deadline's current end: until_ms, or at most a slice ahead when the
 * idle deadline comes first (it may move). */
int64_t runner_poll_end(int64_t until_ms, int64_t idle_end_ms);
/* From now on the case waits for `what` (static), which the RFC requires
 * of the peer or not: what the case deadline's record says if it runs out
 * meanwhile. */
void runner_due(struct exec *ex, const char *what, bool required);
/* Record that the idle deadline ran out while `what` was due. */
void runner_record_idle(struct exec *ex, const char *what, bool answer_required);

/* runner_handshake.c */
struct run_target;
enum runner_open_result {
    RUNNER_OPEN_WEBSOCKET, /* a valid 101: run the steps */
    RUNNER_OPEN_JUDGED,    /* no WebSocket, but the transcript says why: judge it */
    RUNNER_OPEN_ERROR,     /* tr->error is set: the case could not run */
};
/* Connect and perform the case's opening handshake (its overrides or raw
 * request), recording both heads and what the answer means. */
enum runner_open_result runner_open(struct exec *ex, const struct run_target *target);
/* Whether some outcome of the case accepts a WebSocket connection (101). */
bool runner_wants_websocket(const struct wcase *c);
/* After a 101 that no outcome wanted: send a close 1000 instead of the steps. */
void runner_close_unwanted(struct exec *ex);

/* ---- runner_exec.c --------------------------------------------------------- */
/* Write octets, reading the peer's frames while the socket is full. Returns
 * 0, or -1 when stopped (peer gone, deadline, interrupt; or, with
 * give_up_on_close, the peer closed while we were blocked). */
int runner_write(struct exec *ex, const uint8_t *data, size_t len, bool give_up_on_close);
/* Send the queued pongs / close reply, when no frame of ours is half sent. */
void runner_flush_replies(struct exec *ex);
void runner_exec_steps(struct exec *ex, const struct step *steps, size_t n);
/* Send one step now (runner_close.c flushes coalesced octets with it). */
void runner_send_step(struct exec *ex, const struct step *st);

/* ---- runner_deflate.c ------------------------------------------------------ */
struct handshake_response;
/* After a valid 101: what the request offered (every Sec-WebSocket-Extensions
 * line, joined) against the answer. Records the agreement in the transcript,
 * sets up the compressor and the inflater, and records a violation when the
 * answer is one a client MUST fail the connection on (7692:7); returns false
 * then (no steps run). */
bool runner_deflate_negotiate(struct exec *ex, const char *offered,
                              const struct handshake_response *resp);
void runner_deflate_free(struct exec *ex);
/* The payload compressed as one message (7692:7.2.1) into *out: with the
 * connection's compressor, or, standalone (or with nothing agreed), with a
 * compressor of its own (window 15, no context). Returns 0, or a negative
 * ws_error (WS_ERR_LIMIT: more compressed octets than we hold). */
int runner_deflate_message(struct exec *ex, const struct payload *p, bool standalone,
                           struct buf *out);
/* Receive side (runner_rx.c): a compressed message's payload octets, and its
 * end; the inflated octets go to runner_message_data. */
void runner_inflate(struct exec *ex, const uint8_t *data, size_t len, bool message_end);
/* runner_rx.c: inflated (or plain) octets of the data message being received. */
void runner_message_data(struct exec *ex, const uint8_t *data, size_t len);
/* runner_rx.c: the peer broke a rule: records it and fails the connection. */
void runner_violation(struct exec *ex, const char *rfc, const char *detail);
/* runner_rx.c: our cap reached (the peer did nothing wrong): 1009. */
void runner_limit(struct exec *ex, const char *detail);

/* ---- runner_close.c ---------------------------------------------------------- */
/* After the steps: flush, fail the connection if the peer broke the framing,
 * wait for the closing handshake and the peer's TCP close; sets the
 * transcript's clean / we_dropped_tcp. */
void runner_exec_closing(struct exec *ex);

#endif
