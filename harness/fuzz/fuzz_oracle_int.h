/* fuzz_oracle_int: what the oracle's walk (fuzz_oracle_walk.c) hands to the
 * outcome builder (fuzz_oracle.c). Not a public API.
 *
 * The walk serialises a case's steps into the octets the runner sends
 * (frames with a fixed masking key where the case leaves the key to the
 * runner: a key changes no frame's validity), parses them as a server does,
 * and records, in the order the server meets them, what a conforming echo
 * server must send back (items) and the first thing that ends the
 * conversation (the end): our valid close, or a frame or message the server
 * must fail the connection on. */
#ifndef WSSPEC_FUZZ_ORACLE_INT_H
#define WSSPEC_FUZZ_ORACLE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "codec/frame.h"
#include "codec/utf8.h"
#include "fuzz/fuzz_oracle.h"
#include "model/casemodel.h"

/* A rule's index in the table of fuzz_oracle.c (fuzz_oracle_rules). */
enum oracle_rule_id {
    OR_NONE,                  /* our valid close, no violation */
    OR_RSV_BITS,              /* 6455:5.2 */
    OR_RESERVED_OPCODE,       /* 6455:5.2 */
    OR_UNMASKED,              /* 6455:5.1 */
    OR_CONTROL_TOO_LONG,      /* 6455:5.5 */
    OR_CONTROL_FRAGMENTED,    /* 6455:5.5 */
    OR_LENGTH_MSB,            /* 6455:5.2 */
    OR_ORPHAN_CONTINUATION,   /* 6455:5.4 */
    OR_EXPECTED_CONTINUATION, /* 6455:5.4 */
    OR_INVALID_UTF8,          /* 6455:8.1 */
    OR_CLOSE_ONE_OCTET,       /* 6455:5.5.1 */
    OR_CLOSE_REASON_UTF8,     /* 6455:8.1 (a close reason) */
    OR_CLOSE_SENDER_CODE,     /* 6455:7.4.1 binds the sender: rejects-sender-only-violation */
    OR_NON_MINIMAL_LENGTH,    /* 6455:5.2 binds the sender: rejects-sender-only-violation */
    OR_MESSAGE_TOO_BIG,       /* 6455:10.4: 1009 may end it */
    OR_TRUNCATED_FRAME,       /* 6455:6.2: the stream ends inside a frame, then our FIN */
    OR_COUNT
};

const struct oracle_rule *oracle_rule_get(enum oracle_rule_id id);

enum ow_item_kind { OW_ECHO, OW_PONG, OW_MARK };

/* One thing the peer must send (or one of our marks), in stream order. */
struct ow_item {
    enum ow_item_kind kind;
    uint8_t opcode;   /* ECHO: TEXT or BINARY */
    uint8_t *data;    /* ECHO/PONG payload (owned) */
    size_t len;       /* octets of data */
    const char *mark; /* MARK: borrowed from the case */
    size_t segment;   /* items of one segment (between waits and marks) may reorder */
    bool optional;    /* a pong the peer may skip (6455:5.5.3 only the latest ping) */
    bool synced;      /* a later wait step claimed it: it came before we went on */
    bool late;        /* after the point where the peer may already have failed (a
                         text message's invalid octet), before it must have */
};

enum ow_end_kind {
    OW_END_CLOSE,       /* our valid close frame: the peer answers it */
    OW_END_FAIL,        /* the peer must fail the connection */
    OW_END_SENDER_ONLY, /* a rule binding only us: the peer may fail or go on */
    OW_END_TRUNCATED,   /* the octets stop inside a frame, our FIN follows */
    OW_END_HUGE,        /* a frame declares more than any peer holds: 1009 or waiting */
};

struct ow_trace {
    struct ow_item *items;
    size_t item_count, item_cap;
    enum ow_end_kind end;
    enum oracle_rule_id rule;
    uint16_t codes[2]; /* FAIL: the codes 7.4.1 names for the cause */
    size_t code_count;
    enum close_by by;         /* FAIL: PEER, US (the failing frame is our close frame) or ANY */
    bool close_frame;         /* FAIL: the failing frame is a close frame of ours (exact) */
    size_t big_count;         /* messages over ORACLE_BIG_MESSAGE: the peer may end with 1009 */
    size_t big_at[8];         /*   item index where each would have been echoed */
    size_t sender_only_seen;  /* sender-only violations passed over (skip) */
    const char *trailing[16]; /* our marks after the end (borrowed): each optional */
    size_t trailing_count;
    bool supported;
    const char *why; /* static, when !supported */
};

/* A message above this may be refused with 1009 (6455:10.4, 7.4.1). The
 * corpus: 256 KiB must be echoed, 1 MiB may be refused. */
#define ORACLE_BIG_MESSAGE (512u * 1024u)
/* A frame declaring more than this, not sent in full: the peer may refuse it
 * (1009) or wait for it (lengths.len64-max-valid-binary). */
#define ORACLE_HUGE_FRAME  (64u * 1024u * 1024u)

/* ---- the walk's state (fuzz_oracle_walk.c, fuzz_oracle_write.c) ---- */

#define ORACLE_MAX_MESSAGE (64u * 1024u * 1024u)

/* A frame we serialised: where it lies in the stream and whether its octets
 * depend on a key the runner draws. */
struct sframe {
    uint64_t start, end;
    bool random_key;
    size_t step; /* index into the flat steps */
};

struct walk {
    const struct wcase *c;
    struct ow_trace *tr;
    size_t skip;
    const struct step **flat;
    size_t flat_count;
    size_t si; /* the step being fed */
    struct sframe *frames;
    size_t frame_count, frame_cap, frame_cursor;
    struct frame_parser parser;
    uint64_t fed;         /* octets fed to the parser so far */
    uint64_t step_end;    /* stream offset where the current step's octets end */
    uint64_t frame_start; /* stream offset of the frame being parsed */
    bool cur_aligned;     /* it is one of the frames we serialised */
    size_t cur_step;      /* ... from this flat step */
    bool cur_raw_ping;    /* a ping inside raw octets that started at a boundary */
    bool cur_own;         /* it starts where a frame of ours starts */
    bool cur_tainted;     /* its payload holds octets masked with a random key */
    bool raw_at_boundary; /* the current raw step started at a frame boundary */
    uint8_t cur_opcode;
    struct buf ctl; /* control frame payload */
    struct buf msg; /* the data message being assembled */
    uint8_t msg_opcode;
    bool msg_big;
    struct utf8_validator utf8;
    struct utf8_validator reason_utf8; /* a close frame's reason */
    bool utf8_pending;                 /* an invalid octet seen, the message not yet complete */
    size_t segment;
    bool done;      /* the end was found (or the walk gave up) */
    bool held;      /* the last send step was coalesced: its octets wait for the next send */
    bool close_fed; /* a close step of ours was written (the runner counts it sent) */
    int err;
};

/* Give up on the case: not modelled (why: static). No-op once the walk is
 * done. */
void ow_unsupported(struct walk *w, const char *why);
/* The octets of a send step (fuzz_oracle_write.c), appended to out, each
 * frame recorded in w->frames. Returns 0 (w->done may be set: not
 * modelled), WS_ERR_NOMEM, or a WS_ERR_FRAME_* of a frame the writer
 * refuses. */
int ow_serialise(struct walk *w, const struct step *s, struct buf *out);

/* Walk c's steps. skip: sender-only violations to pass over as accepted (the
 * peer that goes on). Returns 0 (tr filled; tr->supported may be false) or
 * WS_ERR_NOMEM. */
int ow_walk(const struct wcase *c, size_t skip, struct ow_trace *tr);
void ow_trace_free(struct ow_trace *tr);

#endif
