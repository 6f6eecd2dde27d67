/* refserver_conn_sa_fuzz: the reference server's protocol state machine fed
 * client frames built by wsmutator (structure-aware: the input is an encoded
 * frame sequence, fuzz/wsmutator/wsmutator.h) after a valid opening
 * handshake, cut into reads by the sequence's chunk plan.
 *
 * Config word: bits 0-31 fault bits (refserver/faults.h), bit 32 the
 * handshake offers permessage-deflate, bits 33-34 pick the offer's
 * parameters, bit 35 no handshake is sent (the sequence's raw items may
 * carry one), bit 36 the handshake and the first chunk arrive in one read
 * (FUZZING.md 5I). Oracle: besides ASan/UBSan, the server's output must not
 * depend on how the bytes were cut (one read vs the plan's reads). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "refserver/faults.h"
#include "refserver/refserver_conn.h"
#include "wsmutator_libfuzzer.h"

static const char handshake[] = "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                                "Connection: Upgrade\r\n"
                                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                "Sec-WebSocket-Version: 13\r\n";

/* The permessage-deflate offers of config bits 33-34 (RFC 7692 7.1). */
static const char *const deflate_offers[4] = {
    "permessage-deflate",
    "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
    "permessage-deflate; server_max_window_bits=8; client_max_window_bits=9",
    "permessage-deflate; client_max_window_bits, x-other",
};

/* One read: a then b, copied into an exactly sized heap buffer (ASan sees
 * an over-read). Returns rs_proto_input's result. */
static int send_read(struct rs_proto *p, const uint8_t *a, size_t a_len, const uint8_t *b,
                     size_t b_len, struct buf *out) {
    uint8_t *copy = malloc(a_len + b_len ? a_len + b_len : 1);
    if (copy == NULL)
        abort();
    if (a_len)
        memcpy(copy, a, a_len);
    if (b_len)
        memcpy(copy + a_len, b, b_len);
    int rc = rs_proto_input(p, copy, a_len + b_len, out);
    free(copy);
    return rc;
}

/* Feed the handshake then the wire bytes, as one read (whole) or as the
 * plan's reads; the handshake goes alone or with the first of them. */
static void feed(const struct rs_config *cfg, const struct buf *head, const struct wsmut_wire *w,
                 bool chunked, bool head_with_first, struct buf *out) {
    struct rs_proto p;
    rs_proto_init(&p, cfg);
    size_t reads = chunked ? w->chunk_count : (w->len ? 1 : 0);
    size_t start = 0, i = 0;
    int rc = 0;
    if (head->len) {
        if (head_with_first && reads) {
            start = chunked ? w->chunk_ends[0] : w->len;
            i = 1;
        }
        rc = send_read(&p, head->data, head->len, w->bytes, start, out);
    }
    for (; i < reads && rc == 0; i++) {
        size_t end = chunked ? w->chunk_ends[i] : w->len;
        rc = send_read(&p, w->bytes + start, end - start, NULL, 0, out);
        start = end;
    }
    rs_proto_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct wsmut_wire w;
    wsmut_wire_from_input(data, size, &w);
    uint64_t faults = w.config & (((uint64_t)1 << FAULT_COUNT) - 1);
    bool offer_deflate = (w.config >> 32) & 1;
    const char *offer = deflate_offers[(w.config >> 33) & 3];
    bool no_handshake = (w.config >> 35) & 1;
    bool head_with_first = (w.config >> 36) & 1;

    struct buf head = {0};
    if (!no_handshake &&
        (buf_append_str(&head, handshake) != 0 ||
         (offer_deflate &&
          (buf_append_str(&head, "Sec-WebSocket-Extensions: ") != 0 ||
           buf_append_str(&head, offer) != 0 || buf_append_str(&head, "\r\n") != 0)) ||
         buf_append_str(&head, "\r\n") != 0))
        abort();
    /* Small caps keep the fuzzer fast (as in refserver_conn_fuzz.c). */
    struct rs_config cfg = {.max_message = 512,
                            .message_cap = 512,
                            .faults = faults,
                            .deflate = true,
                            .inflate_cap = 512};
    if (fault_on(faults, FAULT_IGNORE_MESSAGE_LIMIT))
        cfg.message_cap = cfg.inflate_cap = (uint64_t)1 << 30;
    if (fault_on(faults, FAULT_INFLATE_UNBOUNDED))
        cfg.inflate_cap = 1 << 16;

    struct buf whole = {0}, split = {0};
    feed(&cfg, &head, &w, false, head_with_first, &whole);
    feed(&cfg, &head, &w, true, head_with_first, &split);
    if (whole.len != split.len || (whole.len && memcmp(whole.data, split.data, whole.len) != 0))
        abort(); /* the answer depended on how the bytes were cut */
    buf_free(&whole);
    buf_free(&split);
    buf_free(&head);
    wsmut_wire_free(&w);
    return 0;
}
