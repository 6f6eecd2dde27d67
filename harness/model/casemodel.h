/* casemodel: a conformance case in memory, as loaded from cases/ (JSON files)
 * (caseload.h) and executed by the runner (runner.h), judged by judge.h.
 *
 * The format is documented for users in cases/README.md; this header is its
 * C image. Everything here is owned by the case (freed by case_free). */
#ifndef WSSPEC_CASEMODEL_H
#define WSSPEC_CASEMODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/payload.h"

/* ---- steps: what the harness does, in order ---------------------------- */

enum step_kind {
    STEP_SEND_FRAME,   /* one frame, every field under control */
    STEP_SEND_MESSAGE, /* a whole message, optionally split into frames */
    STEP_SEND_CLOSE,   /* a close frame with any code and reason bytes */
    STEP_SEND_RAW,     /* bytes written as they are */
    STEP_PAUSE,        /* sleep (scaled by WSSPEC_TIMEOUT_SCALE), still reading */
    STEP_WAIT,         /* sync point: wait for N peer events of a kind */
    STEP_MARK,         /* record a named mark in the transcript */
    STEP_REPEAT,       /* run sub-steps N times */
    STEP_SHUTDOWN,     /* half-close our side (TCP FIN) */
    STEP_SEND_SERIES,  /* N messages cut from a data set, each echo awaited */
};

enum wait_for {
    WAIT_MESSAGE, /* complete data messages */
    WAIT_PING,
    WAIT_PONG,
    WAIT_CLOSE, /* the peer's close frame */
    WAIT_ANY,   /* any peer event */
    WAIT_EOF,   /* the peer closed TCP */
};

enum mask_mode {
    MASK_RANDOM = 0, /* masked with a key from the case's seeded prng */
    MASK_NONE,       /* not masked (a client MUST mask: 6455:5.3) */
    MASK_KEY,        /* masked with the explicit key */
};

struct frame_step {
    bool fin;       /* default true */
    uint8_t rsv;    /* 0..7 */
    uint8_t opcode; /* 0..15 */
    enum mask_mode mask;
    uint8_t mask_key[4];
    uint8_t len_form; /* 0 = minimal, 7, 16, 64 */
    bool compress;    /* the payload is deflated as one message on its own (7692:7.2.1,
                         window 15, no context), RSV1 as `rsv` says */
    bool declared_len_set;
    uint64_t declared_len; /* header length differing from the payload sent */
    struct payload payload;
};

struct message_step {
    uint8_t opcode; /* TEXT or BINARY (any 0..15 allowed) */
    uint8_t rsv;    /* on the first frame */
    enum mask_mode mask;
    bool compress; /* deflated with the connection's compressor (7692:7.2.1) and RSV1
                      set on the first frame; `fragments` split the compressed octets */
    struct payload payload;
    uint64_t *fragments;   /* frame payload sizes; empty = one frame; the last */
    size_t fragment_count; /*   size repeats until the payload is used up */
};

/* A series of messages cut from a generated data set (model/dataset.h), the
 * Autobahn 12.x/13.x pattern: message k is the window of `units` units
 * starting at unit start + k * units (wrapping around the data). */
struct series {
    uint8_t dataset;     /* enum dataset_kind */
    uint64_t start;      /* unit where message 0 starts */
    uint64_t units;      /* units per message: code points of a text set, else octets */
    uint32_t count;      /* messages (after the profile: --profile quick sends fewer) */
    uint32_t full_count; /* as written (the full profile) */
};

struct series_step {
    uint8_t opcode; /* TEXT or BINARY */
    struct series series;
    bool compress;       /* as send_message's compress */
    enum mask_mode mask; /* RANDOM or NONE */
    uint64_t *fragments; /* as send_message's fragments */
    size_t fragment_count;
};

struct close_step {
    bool has_code;
    uint16_t code;
    struct payload reason; /* after the code */
    bool raw_set;          /* raw payload instead of code + reason (e.g. 1 byte) */
    struct payload raw;
    enum mask_mode mask;
};

struct wait_step {
    enum wait_for what;
    uint32_t count;   /* default 1 */
    double timeout_s; /* 0 = the case's timeout */
};

struct step {
    enum step_kind kind;
    uint32_t chop;       /* write in chops of N octets (0 = the case default) */
    double chop_delay_s; /* pause between chops */
    bool coalesce;       /* (send steps) buffer, written with the next flush */
    union {
        struct frame_step frame;
        struct message_step message;
        struct series_step series;
        struct close_step close;
        struct payload raw;
        double pause_s;
        struct wait_step wait;
        char *mark;
        struct {
            uint32_t count;
            struct step *steps;
            size_t step_count;
        } repeat;
    } u;
};

/* ---- outcomes: what the peer may do, each with a verdict -------------- */

enum verdict {
    VERDICT_PASS,
    VERDICT_NON_STRICT,    /* allowed, not ideal (a SHOULD missed) */
    VERDICT_INFORMATIONAL, /* no requirement; recorded */
    VERDICT_UNIMPLEMENTED, /* an optional feature the peer does not offer */
    VERDICT_FAIL,
    VERDICT_ERROR, /* the harness could not run the case */
    VERDICT_COUNT
};

enum expect_kind {
    EXPECT_MESSAGE, /* a complete data message */
    EXPECT_PING,
    EXPECT_PONG,
    EXPECT_MARK,   /* one of our marks (orders peer events against our steps) */
    EXPECT_ANY_OF, /* one of the alternatives */
    EXPECT_SERIES, /* the messages of a series, in order (series.count of them) */
};

struct expect_event {
    enum expect_kind kind;
    uint8_t opcode;                    /* MESSAGE: TEXT or BINARY */
    bool payload_set;                  /* unset = any payload */
    struct payload payload;            /* compared by length + SHA-256 */
    char *mark;                        /* MARK */
    struct series series;              /* SERIES (with opcode) */
    uint32_t times;                    /* this event repeated N times (default 1) */
    bool optional;                     /* may be absent */
    struct expect_event *alternatives; /* ANY_OF */
    size_t alternative_count;
};

enum close_by {
    CLOSE_BY_ANY,  /* no constraint */
    CLOSE_BY_PEER, /* the peer fails/closes first (close frame or TCP close) */
    CLOSE_BY_US,   /* we start the closing handshake; the peer answers */
    CLOSE_BY_NONE, /* the connection is still open when the steps end (rare) */
};

struct close_expect {
    enum close_by by;
    uint16_t *codes;    /* acceptable codes in the peer's close frame; */
    size_t code_count;  /*   empty = any valid code */
    bool allow_no_code; /* an empty close payload is acceptable */
    bool allow_drop;    /* TCP close without a close frame matches too */
    bool exact;         /* no degradation to non-strict (judging rules 3 and 4) */
};

/* An outcome's expectation of the peer's answer to the opening handshake
 * (cases/README.md "handshake" in an outcome). A case with one is about the
 * handshake: any answer is judged, none is an error. */
struct header_expect {
    char *name;  /* compared ASCII case-insensitively */
    char *value; /* the trimmed value exactly, or an element of its comma
                                   list ASCII case-insensitively */
};

struct handshake_expect {
    bool set;                      /* the outcome has a "handshake" expectation */
    uint16_t *statuses;            /* acceptable statuses: 100..599 exactly, or 1..5 for a */
    size_t status_count;           /*   class ("4xx" = 4); the loader defaults to {101} */
    bool allow_no_response;        /* the peer closing TCP without a response head matches too */
    bool allow_silence;            /* no octet of an answer before the case deadline matches too
                                      (a peer still waiting for the end of our request) */
    struct header_expect *headers; /* must each be present with that value */
    size_t header_count;
    char **absent; /* header names that must not be present */
    size_t absent_count;
};

struct outcome {
    enum verdict verdict;
    char *note;      /* why this outcome gets this verdict (shown in reports) */
    char *behaviour; /* the shared behaviour of cases/behaviours.json it comes from ({"use":
                        NAME}), NULL when written in the case itself */
    bool any_events; /* events unconstrained (informational catch-all) */
    struct expect_event *events; /* the peer's events, in order, before its close frame */
    size_t event_count;
    struct close_expect close;
    struct handshake_expect handshake; /* unset: a valid 101, as every non-handshake case */
    enum deflate_state {
        DEFLATE_ANY = 0, /* no "deflate" condition */
        DEFLATE_ON,      /* "deflate": true: matches only when permessage-deflate was agreed */
        DEFLATE_OFF,     /* "deflate": false: only when it was not */
    } deflate;
    bool accept_limit; /* "limit": true: our cap cutting the conversation short (a message
                          over max_message, ...) is this outcome, its events compared up
                          to that point and its close not at all; without it, reaching a
                          cap of ours is an error */
};

/* ---- a case ------------------------------------------------------------ */

enum host_form {
    HOST_FORM_URL = 0, /* host, and ":port" when it is not the default */
    HOST_FORM_NO_PORT, /* host only */
    HOST_FORM_PORT,    /* host:port, even the default port */
};

struct handshake_override {
    char *target;     /* request-target, NULL = the URL's */
    char *protocols;  /* Sec-WebSocket-Protocol offer */
    char *extensions; /* Sec-WebSocket-Extensions offer */
    struct {
        int op; /* enum handshake_header_op */
        char *name;
        char *value; /* NULL for OMIT, and for a SET that only respells the
                                   name of a default header (its value is kept) */
    } * headers;
    size_t header_count;
    char *method;             /* request method, NULL = "GET" */
    char *http_version;       /* e.g. "HTTP/1.0", NULL = "HTTP/1.1" */
    char *query;              /* appended to the URL's resource after "?" (or "&") */
    enum host_form host_form; /* how the Host header spells the authority */
    bool raw_set;             /* the whole request as given (no other field applies): */
    struct payload raw;       /*   its head, and any octets meant to follow it at once */
};

/* permessage-deflate (RFC 7692) for a case: what we offer and how our
 * compressor behaves (cases/README.md "permessage-deflate"). */
struct deflate_offer {
    bool server_no_context_takeover;
    bool client_no_context_takeover;
    uint8_t server_max_window_bits;       /* 0 = absent, else 8..15 */
    bool client_max_window_bits;          /* present */
    uint8_t client_max_window_bits_value; /* 0 = without a value, else 8..15 */
};

enum deflate_declined {
    DEFLATE_DECLINED_UNIMPLEMENTED = 0, /* no step runs: the verdict is unimplemented */
    DEFLATE_DECLINED_RUN,               /* the steps run without compression */
};

struct deflate_config {
    bool set;
    struct deflate_offer *offers; /* sent as one Sec-WebSocket-Extensions line, in order */
    size_t offer_count;
    enum deflate_declined declined;
    bool keep_context;   /* our compressor keeps its window even when
                              client_no_context_takeover was agreed (breaking 7692:7.1.1.2) */
    uint8_t window_bits; /* 0 = as agreed; else our compressor's window (8..15) */
    bool strict_window;  /* check every distance of the peer's messages against the
                              agreed window (slow: one octet per inflate call) */
};

struct source_pos {
    char *file; /* path as given */
    int line;   /* of the case object in its file (1-based) */
};

struct wcase {
    char *id; /* "<group>.<name>", stable, never a position */
    char *title;
    char *description; /* optional longer text, e.g. how it differs from Autobahn */
    char **rfc;        /* "6455:5.5.1", ... */
    size_t rfc_count;
    char *requirement; /* the RFC sentence the case checks (shown on failure) */
    char **tags;
    size_t tag_count;
    char *autobahn; /* "2.5", NULL when there is none */
    /* Canonical texts for check-cases' consistency warnings (cli_cases.c):
     * what the case does (steps and request, without the write options that
     * only change timing: chop, chop_delay, coalesce), and how it judges (its
     * outcomes without notes). Two cases with the same stimulus and another
     * judging judge the same behaviour differently. NULL when not computed. */
    char *stimulus;
    char *judging;
    double timeout_s;       /* the whole case (default 10) */
    double close_timeout_s; /* waiting for the peer's close / TCP close (default 2) */
    uint32_t chop;          /* default chop for every send (0 = whole writes) */
    double chop_delay_s;
    uint64_t max_message; /* cap on one received message (default 64 MiB) */
    bool has_handshake;
    struct handshake_override handshake;
    struct deflate_config deflate;
    struct step *steps;
    size_t step_count;
    struct outcome *outcomes; /* tried in order; the first that matches wins; */
    size_t outcome_count;     /*   none matches = fail */
    struct source_pos pos;
};

struct case_list {
    struct wcase *items;
    size_t count;
};

const char *verdict_name(enum verdict v); /* "pass", "non-strict", ... */
/* Messages of each series in the quick profile (--profile quick). */
#define SERIES_QUICK_COUNT 10
/* Apply a profile to the case's series (steps and events): full = as
 * written; quick = at most SERIES_QUICK_COUNT messages each. */
void case_apply_profile(struct wcase *c, bool quick);
struct dataset;
/* Message k of a series: its data set (NULL when memory ran out) and, in
 * *start, the unit where its window starts. */
const struct dataset *series_window(const struct series *s, uint32_t k, uint64_t *start);
/* Message k's length in octets and SHA-256. Returns 0, -1 when memory ran out. */
int series_digest(const struct series *s, uint32_t k, uint64_t *octets, uint8_t sha[32]);
/* Whether an HTTP status is one the expectation lists (exactly, or by its
 * class: 4 stands for "4xx"). */
bool handshake_expect_status(const struct handshake_expect *h, int status);
void case_free(struct wcase *c);
void case_list_free(struct case_list *l);

#endif
