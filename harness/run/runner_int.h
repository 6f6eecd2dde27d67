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
#include "codec/utf8.h"
#include "model/casemodel.h"
#include "model/transcript.h"
#include "net/wsclient.h"

#define RUNNER_CHUNK       (64 * 1024)   /* octets generated / written at a time */
#define RUNNER_SLICE_MS    100           /* longest wait before the interrupt flag is looked at */
#define RUNNER_MAX_EVENTS  100000        /* a peer flooding us with tiny frames is cut off here */
#define RUNNER_MAX_REPLIES (1024 * 1024) /* queued pong octets; beyond, pings go unanswered */

/* The data message the peer is sending: never held whole, only its length,
 * a running SHA-256, its first octets and the UTF-8 state. */
struct rx_message {
    bool open;
    uint8_t opcode;
    uint64_t length;
    EVP_MD_CTX *sha; /* owned, reused across messages */
    uint8_t head[TEV_HEAD_CAP];
    size_t head_len;
    struct utf8_validator utf8;
};

struct exec {
    const struct wcase *c;              /* borrowed */
    struct transcript *tr;              /* borrowed: where everything is recorded */
    struct wsclient cl;                 /* owned: the connection */
    struct prng prng;                   /* masks and keys of our steps, seeded per case */
    struct prng reply_prng;             /* masks of pongs and close replies: a stream of
                                           its own, so the peer's timing cannot shift the
                                           masks of our steps */
    double scale;                       /* timeout scale */
    uint32_t chop_override;             /* run_options.chop */
    int64_t t0_ns;                      /* case start (monotonic) */
    int64_t deadline_ms;                /* the whole case */
    volatile sig_atomic_t *interrupted; /* may be NULL */

    /* How the conversation stands. */
    bool peer_close;      /* the peer's close frame arrived */
    bool peer_gone;       /* EOF, reset or a failed write: nothing more can be read */
    bool eof_seen;        /* the peer closed TCP in an orderly way */
    bool we_closed;       /* we sent a close frame */
    bool close_reply_due; /* a reply to the peer's close is queued in `replies` */
    bool rx_dead;         /* the peer broke the framing: we fail the connection */
    bool write_shut;      /* we half-closed (shutdown step) */
    bool sending;         /* inside a send step: no reply frames may go out */
    bool broken_stream;   /* a send stopped inside a frame: no frame may follow */
    bool stop;            /* case deadline or interrupt: end now */
    bool deadline_hit;
    bool interrupt_hit;

    /* Receive side. */
    struct rx_message msg;
    uint8_t frame_opcode; /* opcode of the frame being received */
    uint8_t ctl[125];     /* control frame payload so far */
    size_t ctl_len;
    uint64_t n_message, n_ping, n_pong, n_close; /* counts for wait steps */
    uint64_t waited[WAIT_EOF + 1]; /* events per kind already claimed by earlier waits */

    /* Send side. */
    struct buf replies; /* pongs / our close reply, sent at a frame boundary */
    struct buf held;    /* octets of coalesced steps, written with the next send */
    bool held_close;    /* `held` carries a close frame, ending at held_close_end */
    size_t held_close_end;
    bool held_close_has_code;
    uint16_t held_close_code;
    uint8_t *gen; /* owned, RUNNER_CHUNK: payload generation */
};

/* runner_rx.c */
int runner_rx_init(struct exec *ex);
void runner_rx_free(struct exec *ex);
int64_t runner_now_us(const struct exec *ex);
void runner_record(struct exec *ex, enum tev_kind kind, const char *detail);
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

/* runner_exec.c */
/* Write octets, reading the peer's frames while the socket is full. Returns
 * 0, or -1 when stopped (peer gone, deadline, interrupt; or, with
 * give_up_on_close, the peer closed while we were blocked). */
int runner_write(struct exec *ex, const uint8_t *data, size_t len, bool give_up_on_close);
/* Send the queued pongs / close reply, when no frame of ours is half sent. */
void runner_flush_replies(struct exec *ex);
void runner_exec_steps(struct exec *ex, const struct step *steps, size_t n);
void runner_exec_closing(struct exec *ex);

#endif
