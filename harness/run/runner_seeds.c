/* runner_seeds: fuzzing seeds cut from a case's wire log once it ran
 * (`run --record-seeds`, run_options.record_seed), in the input formats of
 * the in-process fuzz targets (fuzz/<target>_fuzz.c):
 *   hs_request      the head of our opening handshake (what a client sent);
 *   refserver_conn  4 fault octets (none), a split seed, flags 01 (the input
 *                   carries its own handshake), then all we sent;
 *   frame           a config octet, then the frames after the handshake:
 *                   ours with role bit 0 (a server parsing masked client
 *                   frames), the peer's with role bit 1 (a client parsing
 *                   server frames); RSV1 allowed when permessage-deflate was
 *                   agreed, strict lengths, a piece-size selector;
 *   frame_parse     the same, its config octet cut to the bits it reads;
 *   close           every close frame's payload, either direction;
 *   utf8            a fragment-seed octet, then every uncompressed text
 *                   message, either direction.
 * Streams are cut at RUNNER_SEED_WIRE octets: a seed is a start for the
 * fuzzer, not a replay. Recording never changes a verdict. */
#include <string.h>

#include "codec/frame.h"
#include "codec/handshake.h"
#include "run/runner_int.h"

#define RUNNER_SEED_WIRE 4096

/* The octets of one direction of the wire log, at most cap of them. */
static int wire_stream(const struct transcript *tr, enum wire_entry_dir dir, size_t cap,
                       struct buf *out) {
    size_t pos = 0;
    struct wire_record rec;
    while (out->len < cap && transcript_wire_next(tr, &pos, &rec) == 1) {
        if (rec.dir != dir)
            continue;
        size_t take = rec.len < cap - out->len ? rec.len : cap - out->len;
        if (buf_append(out, rec.data, take) != 0)
            return -1;
    }
    return 0;
}

/* Where the frames start: after the head, or 0 when there is no whole head. */
static size_t head_end(const struct buf *s) {
    size_t scan = 0;
    long head = handshake_head_complete(s->data, s->len, &scan);
    return head > 0 ? (size_t)head : 0;
}

static void emit(const struct exec *ex, const char *target, uint8_t first, const uint8_t *data,
                 size_t len) {
    struct buf seed = {0};
    if (buf_append(&seed, &first, 1) == 0 && buf_append(&seed, data, len) == 0)
        ex->seed(ex->seed_ud, target, seed.data, seed.len);
    buf_free(&seed);
}

/* Close payloads and uncompressed text messages of one direction's frames
 * (parsed leniently: every RSV, any length form; masked ones unmasked). */
static void payload_seeds(const struct exec *ex, enum frame_role role, const uint8_t *frames,
                          size_t len) {
    struct buf copy = {0}, msg = {0}, ctl = {0};
    if (buf_append(&copy, frames, len) != 0)
        return;
    struct frame_limits lenient = {.allowed_rsv = 7};
    struct frame_parser p;
    frame_parser_init(&p, role, &lenient);
    size_t pos = 0;
    struct frame_header h = {0};
    bool in_text = false, text_frame = false;
    for (;;) { /* to NEED_MORE: a frame's END comes after its last payload octet */
        struct frame_event ev;
        size_t used = frame_parse(&p, copy.data + pos, copy.len - pos, &ev);
        pos += used;
        if (ev.kind == FRAME_EV_NEED_MORE || ev.kind == FRAME_EV_VIOLATION)
            break;
        if (ev.kind == FRAME_EV_HEADER) {
            h = ev.hdr;
            buf_clear(&ctl);
            text_frame = false;
            if (h.opcode == FRAME_OP_TEXT && !(h.rsv & FRAME_RSV1)) {
                buf_clear(&msg);
                in_text = text_frame = true;
            } else if (h.opcode == FRAME_OP_CONT) {
                text_frame = in_text;
            } else if (!frame_opcode_is_control(h.opcode)) {
                in_text = false;
            }
        } else if (ev.kind == FRAME_EV_PAYLOAD) {
            if (frame_opcode_is_control(h.opcode))
                (void)buf_append(&ctl, ev.data, ev.len);
            else if (text_frame)
                (void)buf_append(&msg, ev.data, ev.len);
        } else if (ev.kind == FRAME_EV_END) {
            if (h.opcode == FRAME_OP_CLOSE)
                ex->seed(ex->seed_ud, "close", ctl.data ? ctl.data : (const uint8_t *)"", ctl.len);
            if (text_frame && h.fin) {
                emit(ex, "utf8", (uint8_t)(msg.len * 7u), msg.data, msg.len);
                in_text = false;
            }
        }
    }
    buf_free(&copy);
    buf_free(&msg);
    buf_free(&ctl);
}

/* The frame targets' config octet (fuzz/frame_fuzz.c): role, strict
 * lengths, the allowed RSV bits, and a piece-size selector. */
static uint8_t frame_config(enum frame_role role, bool rsv1, size_t len) {
    unsigned config = (role == FRAME_ROLE_CLIENT ? 1u : 0u) | 2u;
    if (rsv1)
        config |= (unsigned)FRAME_RSV1 << 2;
    config |= (unsigned)(len % 8) << 5;
    return (uint8_t)config;
}

static void frame_seeds(const struct exec *ex, enum frame_role role, const uint8_t *frames,
                        size_t len) {
    if (len == 0)
        return;
    bool rsv1 = (ex->cl.parser.limits.allowed_rsv & FRAME_RSV1) != 0;
    uint8_t config = frame_config(role, rsv1, len);
    emit(ex, "frame", config, frames, len);
    emit(ex, "frame_parse", (uint8_t)(config & 0x1f), frames, len);
    payload_seeds(ex, role, frames, len);
}

void runner_record_seeds(const struct exec *ex) {
    if (!ex->seed)
        return;
    struct buf out = {0}, in = {0};
    /* Room for the handshake head before the frames. */
    size_t cap = HANDSHAKE_MAX_HEAD + RUNNER_SEED_WIRE;
    if (wire_stream(ex->tr, WIRE_ENTRY_OUT, cap, &out) == 0 && out.len > 0) {
        size_t head = head_end(&out);
        ex->seed(ex->seed_ud, "hs_request", out.data, head ? head : out.len);
        static const uint8_t conn[6] = {0, 0, 0, 0, 0x2b, 0x01};
        struct buf seed = {0};
        size_t take = out.len < RUNNER_SEED_WIRE ? out.len : RUNNER_SEED_WIRE;
        if (buf_append(&seed, conn, sizeof conn) == 0 && buf_append(&seed, out.data, take) == 0)
            ex->seed(ex->seed_ud, "refserver_conn", seed.data, seed.len);
        buf_free(&seed);
        if (head) {
            size_t n = out.len - head < RUNNER_SEED_WIRE ? out.len - head : RUNNER_SEED_WIRE;
            frame_seeds(ex, FRAME_ROLE_SERVER, out.data + head, n);
        }
    }
    if (wire_stream(ex->tr, WIRE_ENTRY_IN, cap, &in) == 0 && in.len > 0) {
        size_t head = head_end(&in);
        static const char ok[] = "HTTP/1.1 101";
        if (head && in.len >= sizeof ok - 1 && memcmp(in.data, ok, sizeof ok - 1) == 0) {
            size_t n = in.len - head < RUNNER_SEED_WIRE ? in.len - head : RUNNER_SEED_WIRE;
            frame_seeds(ex, FRAME_ROLE_CLIENT, in.data + head, n);
        }
    }
    buf_free(&out);
    buf_free(&in);
}
