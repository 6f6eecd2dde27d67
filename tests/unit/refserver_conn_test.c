/* refserver_conn_test: the reference server's protocol state machine, fed
 * bytes directly (no sockets). Expected bytes come from RFC 6455 5.7's
 * examples and from frames laid out by hand from 5.2; the rest checks that
 * the output never depends on how the input was split, and that the fault
 * path (frame headers gathered before the parser) behaves exactly like the
 * strict path wherever its fault's rule is not involved. */
#define _GNU_SOURCE /* memmem */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "refserver/faults.h"
#include "refserver/refserver_conn.h"
#include "test.h"

#define BIT(f) ((uint64_t)1 << (f))

static const char request[] = "GET /chat HTTP/1.1\r\n"
                              "Host: server.example.com\r\n"
                              "Upgrade: websocket\r\n"
                              "Connection: Upgrade\r\n"
                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                              "Sec-WebSocket-Version: 13\r\n\r\n";

/* 6455:5.2 by hand: FIN/RSV/opcode, MASK + length (7/16 bit), key, payload. */
static void put_frame(struct buf *b, int fin, int rsv, int opcode, int masked, const void *payload,
                      size_t len) {
    static const uint8_t key[4] = {0xa1, 0x02, 0xc3, 0x44};
    uint8_t head[8];
    size_t n = 0;
    head[n++] = (uint8_t)((fin ? 0x80 : 0) | (rsv << 4) | opcode);
    uint8_t m = masked ? 0x80 : 0;
    if (len < 126) {
        head[n++] = (uint8_t)(m | len);
    } else {
        head[n++] = (uint8_t)(m | 126);
        head[n++] = (uint8_t)(len >> 8);
        head[n++] = (uint8_t)len;
    }
    buf_append(b, head, n);
    if (masked)
        buf_append(b, key, 4);
    for (size_t i = 0; i < len; i++) {
        uint8_t c = ((const uint8_t *)payload)[i] ^ (masked ? key[i % 4] : 0);
        buf_append(b, &c, 1);
    }
}

/* Feed stream in pieces of the sizes produced by `split` (0 = whole, 1 =
 * octet by octet, other = pseudo-random sizes from that seed). Returns the
 * output after the handshake response, which must be a 101. */
static void run(uint64_t faults, uint64_t max_message, const struct buf *stream, unsigned split,
                struct buf *after_head, struct rs_proto *final) {
    struct rs_config cfg = {
        .max_message = max_message, .message_cap = max_message, .faults = faults};
    if ((faults & BIT(FAULT_IGNORE_MESSAGE_LIMIT)) && cfg.message_cap < ((uint64_t)1 << 30))
        cfg.message_cap = (uint64_t)1 << 30;
    struct rs_proto p;
    struct buf out = {0};
    rs_proto_init(&p, &cfg);
    uint8_t *copy = malloc(stream->len);
    memcpy(copy, stream->data, stream->len);
    size_t pos = 0;
    uint32_t rng = split;
    while (pos < stream->len) {
        size_t n = stream->len - pos;
        if (split == 1) {
            n = 1;
        } else if (split > 1) {
            rng = rng * 1103515245u + 12345u;
            size_t want = 1 + (rng >> 16) % 23;
            if (want < n)
                n = want;
        }
        CHECK_EQ(rs_proto_input(&p, copy + pos, n, &out), 0);
        pos += n;
    }
    free(copy);
    const char *end = out.len ? memmem(out.data, out.len, "\r\n\r\n", 4) : NULL;
    CHECK(out.len >= 12 && memcmp(out.data, "HTTP/1.1 101", 12) == 0);
    buf_clear(after_head);
    if (end) {
        size_t head_len = (size_t)(end - (const char *)out.data) + 4;
        buf_append(after_head, out.data + head_len, out.len - head_len);
    }
    if (final)
        *final = p;
    else
        rs_proto_free(&p);
    buf_free(&out);
}

static void stream_start(struct buf *s) {
    buf_clear(s);
    buf_append_str(s, request);
}

/* 6455:5.7 "A single-frame masked text message 0x81 0x85 0x37 0xfa 0x21 0x3d
 * 0x7f 0x9f 0x4d 0x51 0x58 (contains "Hello")" is echoed as "A single-frame
 * unmasked text message 0x81 0x05 0x48 0x65 0x6c 0x6c 0x6f". */
static void test_rfc_example_echo(void) {
    static const uint8_t masked_hello[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d,
                                           0x7f, 0x9f, 0x4d, 0x51, 0x58};
    static const uint8_t unmasked_hello[] = {0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};
    struct buf s = {0}, out = {0};
    stream_start(&s);
    buf_append(&s, masked_hello, sizeof masked_hello);
    for (unsigned split = 0; split < 4; split++) {
        run(0, 1000, &s, split, &out, NULL);
        CHECK_MEM(out.data, out.len, unmasked_hello, sizeof unmasked_hello);
    }
    buf_free(&s);
    buf_free(&out);
}

/* mask-server-frames with a masked "Hello" ping: the pong is 6455:5.7's
 * "masked Ping response 0x8a 0x85 0x37 0xfa 0x21 0x3d 0x7f 0x9f 0x4d 0x51
 * 0x58" exactly (the fault uses that example's key). */
static void test_fault_mask_matches_rfc_example(void) {
    static const uint8_t rfc_masked_pong[] = {0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d,
                                              0x7f, 0x9f, 0x4d, 0x51, 0x58};
    static const uint8_t plain_pong[] = {0x8a, 0x05, 'H', 'e', 'l', 'l', 'o'};
    struct buf s = {0}, out = {0};
    stream_start(&s);
    put_frame(&s, 1, 0, 0x9, 1, "Hello", 5);
    run(BIT(FAULT_MASK_SERVER_FRAMES), 1000, &s, 0, &out, NULL);
    CHECK_MEM(out.data, out.len, rfc_masked_pong, sizeof rfc_masked_pong);
    run(0, 1000, &s, 0, &out, NULL);
    CHECK_MEM(out.data, out.len, plain_pong, sizeof plain_pong);
    buf_free(&s);
    buf_free(&out);
}

/* Text invalid at its 3rd octet, in a frame declaring 40: the close 1007
 * (0x88 0x?? 0x03 0xef ...) comes before the rest of the frame arrives. */
static void test_utf8_fail_fast_mid_frame(void) {
    struct buf s = {0}, out = {0};
    stream_start(&s);
    char text[40];
    memset(text, 'a', sizeof text);
    text[2] = (char)0xff;
    put_frame(&s, 1, 0, 0x1, 1, text, sizeof text);
    s.len -= 30; /* only header + 10 payload octets have arrived */
    struct rs_proto p;
    run(0, 1000, &s, 1, &out, &p);
    CHECK(out.len >= 4);
    if (out.len >= 4) {
        CHECK_EQ(out.data[0], 0x88);
        CHECK_EQ(out.data[2], 0x03); /* 1007 = 0x03ef */
        CHECK_EQ(out.data[3], 0xef);
    }
    CHECK_EQ(p.phase, RS_PH_CLOSED);
    CHECK_EQ(p.disp, RS_DISP_CLOSE);
    rs_proto_free(&p);
    buf_free(&s);
    buf_free(&out);
}

/* A mixed stream: fragmented text with a ping inside, binary, an empty text,
 * a 300-octet binary (16-bit length), a pong, then `tail`. */
static void build_stream(struct buf *s, int tail) {
    stream_start(s);
    put_frame(s, 0, 0, 0x1, 1, "frag", 4);
    put_frame(s, 1, 0, 0x9, 1, "ping!", 5);
    put_frame(s, 0, 0, 0x0, 1, "ment", 4);
    put_frame(s, 1, 0, 0x0, 1, "ed \xce\xba", 5);
    put_frame(s, 1, 0, 0x2, 1, "\x00\x01\x02", 3);
    put_frame(s, 1, 0, 0x1, 1, "", 0);
    uint8_t big[1200];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7);
    put_frame(s, 1, 0, 0x2, 1, big, 300);
    put_frame(s, 1, 0, 0xA, 1, "unsolicited", 11);
    switch (tail) {
    case 0:
        put_frame(s, 1, 0, 0x8, 1,
                  "\x03\xe8"
                  "bye",
                  5);
        break;                                                    /* valid close */
    case 1: put_frame(s, 1, 0, 0x3, 1, "r", 1); break;            /* reserved opcode */
    case 2: put_frame(s, 1, 4, 0x1, 1, "rsv", 3); break;          /* RSV1 */
    case 3: put_frame(s, 1, 0, 0x1, 0, "unmasked", 8); break;     /* unmasked */
    case 4: put_frame(s, 1, 0, 0x0, 1, "orphan", 6); break;       /* orphan continuation */
    case 5: put_frame(s, 1, 0, 0x1, 1, "\xed\xa0\x80", 3); break; /* surrogate */
    case 6: put_frame(s, 0, 0, 0x9, 1, "p", 1); break;            /* fragmented ping */
    case 7: put_frame(s, 1, 0, 0x8, 1, "\x03\xe7", 2); break;     /* close 999 */
    case 8: put_frame(s, 1, 0, 0x2, 1, big, sizeof big); break;   /* > 1000 octets */
    }
    put_frame(s, 1, 0, 0x1, 1, "after", 5); /* never echoed after a close or violation */
}

/* Walk the server's unmasked frames; whether the last is a close. */
static int last_frame_is_close(const struct buf *out) {
    size_t pos = 0;
    int last_opcode = -1;
    while (pos + 2 <= out->len) {
        size_t len = out->data[pos + 1] & 0x7f, head = 2;
        if (len == 126) {
            len = ((size_t)out->data[pos + 2] << 8) | out->data[pos + 3];
            head = 4;
        }
        last_opcode = out->data[pos] & 0x0f;
        pos += head + len;
    }
    return pos == out->len && last_opcode == 0x8;
}

/* The strict answer to build_stream(0), laid out by hand: the pong first
 * (6455:5.4 control frames "MAY be injected in the middle of a fragmented
 * message"), each message whole and unmasked, the close code echoed
 * (6455:5.5.1), and nothing for the pong or for "after". */
static void test_mixed_stream_exact(void) {
    struct buf s = {0}, out = {0}, want = {0};
    build_stream(&s, 0);
    uint8_t big[300];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7);
    put_frame(&want, 1, 0, 0xA, 0, "ping!", 5);
    put_frame(&want, 1, 0, 0x1, 0, "fragmented \xce\xba", 13);
    put_frame(&want, 1, 0, 0x2, 0, "\x00\x01\x02", 3);
    put_frame(&want, 1, 0, 0x1, 0, "", 0);
    put_frame(&want, 1, 0, 0x2, 0, big, sizeof big);
    put_frame(&want, 1, 0, 0x8, 0, "\x03\xe8", 2);
    run(0, 1000, &s, 0, &out, NULL);
    CHECK_MEM(out.data, out.len, want.data, want.len);
    buf_free(&s);
    buf_free(&out);
    buf_free(&want);
}

/* The output never depends on how the input was split, on either path. */
static void test_split_invariance(void) {
    struct buf s = {0}, whole = {0}, piece = {0};
    for (int tail = 0; tail <= 8; tail++) {
        build_stream(&s, tail);
        for (int f = -1; f < FAULT_COUNT; f++) {
            uint64_t faults = f < 0 ? 0 : BIT(f);
            run(faults, 1000, &s, 0, &whole, NULL);
            for (unsigned split = 1; split < 6; split++) {
                run(faults, 1000, &s, split, &piece, NULL);
                CHECK_MEM(piece.data, piece.len, whole.data, whole.len);
            }
        }
    }
    buf_free(&s);
    buf_free(&whole);
    buf_free(&piece);
}

/* accept-long-control turns the header-gathering path on; with no long
 * control frame in the stream, it must answer exactly like the strict path,
 * violations included. */
static void test_fault_path_matches_strict_path(void) {
    struct buf s = {0}, strict = {0}, lenient = {0};
    for (int tail = 0; tail <= 8; tail++) {
        build_stream(&s, tail);
        run(0, 1000, &s, 0, &strict, NULL);
        run(BIT(FAULT_ACCEPT_LONG_CONTROL), 1000, &s, 3, &lenient, NULL);
        CHECK_MEM(lenient.data, lenient.len, strict.data, strict.len);
        /* every tail ends the connection: the last frame out is a close */
        CHECK(last_frame_is_close(&strict));
    }
    buf_free(&s);
    buf_free(&strict);
    buf_free(&lenient);
}

/* ---- the fuzz-only faults (refserver_fuzzfaults.h) ----------------------- */

/* A masked frame whose length is written in the 16-bit form whatever it is
 * (6455:5.2 "If 126, the following 2 bytes interpreted as a 16-bit unsigned
 * integer are the payload length"): non-minimal below 126. */
static void put_frame16(struct buf *b, int fin, int opcode, const void *payload, size_t len) {
    uint8_t head[4] = {(uint8_t)((fin ? 0x80 : 0) | opcode), 0x80 | 126, (uint8_t)(len >> 8),
                       (uint8_t)len};
    static const uint8_t key[4] = {0, 0, 0, 0}; /* a zero key: the payload as it is */
    buf_append(b, head, 4);
    buf_append(b, key, 4);
    buf_append(b, payload, len);
}

/* The code of the last frame of out when it is a close with a code, else -1;
 * *frames gets the number of frames. */
static int last_close_code(const struct buf *out, int *frames) {
    size_t pos = 0;
    int code = -1;
    *frames = 0;
    while (pos + 2 <= out->len) {
        size_t len = out->data[pos + 1] & 0x7f, head = 2;
        if (len == 126) {
            len = ((size_t)out->data[pos + 2] << 8) | out->data[pos + 3];
            head = 4;
        }
        code = (out->data[pos] & 0x0f) == 0x8 && len >= 2
                   ? (out->data[pos + head] << 8) | out->data[pos + head + 1]
                   : -1;
        (*frames)++;
        pos += head + len;
    }
    return code;
}

/* Run stream with faults, whole and octet by octet (the same either way);
 * the hit the connection reports, its output in *out. */
static int run_fuzz(uint64_t faults, const struct buf *s, struct buf *out) {
    struct rs_proto p, q;
    struct buf split = {0};
    run(faults, 100000, s, 0, out, &p);
    run(faults, 100000, s, 1, &split, &q);
    CHECK_MEM(split.data, split.len, out->data, out->len);
    CHECK_EQ(q.fuzz.hit, p.fuzz.hit);
    int hit = p.fuzz.hit;
    if (hit != RS_FUZZ_NONE)
        CHECK_EQ(p.phase, RS_PH_CLOSED); /* nothing more is served */
    rs_proto_free(&p);
    rs_proto_free(&q);
    buf_free(&split);
    return hit;
}

/* fuzz-crash: a continuation with a 16-bit length in a text message a ping
 * came inside; every near miss is served as the strict server serves it. */
static void test_fuzz_crash_trigger(void) {
    const uint64_t crash = BIT(FAULT_FUZZ_CRASH);
    struct buf s = {0}, out = {0}, strict = {0};
    char big[300];
    memset(big, 'x', sizeof big);
    int frames;
    for (int variant = 0; variant < 8; variant++) {
        stream_start(&s);
        if (variant == 5)
            put_frame(&s, 1, 0, 0x9, 1, "p", 1); /* a ping before the message, not inside */
        if (variant == 7) { /* a ping inside the message before, none in this one */
            put_frame(&s, 0, 0, 0x1, 1, "frag", 4);
            put_frame(&s, 1, 0, 0x9, 1, "p", 1);
            put_frame(&s, 1, 0, 0x0, 1, "ment", 4);
        }
        put_frame(&s, 0, 0, variant == 4 ? 0x2 : 0x1, 1, "frag", 4);
        if (variant != 2 && variant != 5 && variant != 7)
            put_frame(&s, 1, 0, 0x9, 1, "p", 1);
        if (variant == 0) /* 200 octets: the 16-bit form is the minimal one */
            put_frame(&s, 1, 0, 0x0, 1, big, 200);
        else if (variant == 1 || variant == 6) /* 5 octets in the 16-bit form */
            put_frame16(&s, 1, 0x0, variant == 1 ? "ments" : big, variant == 1 ? 5 : 300);
        else if (variant == 3) /* 100 octets: the 7-bit form */
            put_frame(&s, 1, 0, 0x0, 1, big, 100);
        else /* no ping inside (2, 5, 7), a binary message (4) */
            put_frame(&s, 1, 0, 0x0, 1, big, 200);
        put_frame(&s, 1, 0, 0x8, 1, "\x03\xe8", 2);
        int hit = run_fuzz(crash, &s, &out);
        run_fuzz(0, &s, &strict);
        bool triggers = variant == 0 || variant == 1 || variant == 6;
        CHECK_EQ(hit, triggers ? RS_FUZZ_CRASH : RS_FUZZ_NONE);
        if (triggers) {
            /* the pong went out; nothing after the trigger */
            CHECK_EQ(last_close_code(&out, &frames), -1);
            CHECK_EQ(frames, 1);
            CHECK(out.len >= 1 && out.data[0] == 0x8A);
        } else {
            CHECK_MEM(out.data, out.len, strict.data, strict.len);
        }
        /* the strict server: echo and close 1000, or 1002 for the
         * non-minimal length (6455:5.2 "the minimal number of bytes MUST be
         * used to encode the length") */
        CHECK_EQ(last_close_code(&strict, &frames), variant == 1 ? 1002 : 1000);
    }
    buf_free(&s);
    buf_free(&out);
    buf_free(&strict);
}

/* fuzz-hang: an empty ping right after a ping, inside a fragmented message. */
static void test_fuzz_hang_trigger(void) {
    const uint64_t hang = BIT(FAULT_FUZZ_HANG);
    struct buf s = {0}, out = {0}, strict = {0};
    int frames;
    /* the two pings' payloads, and whether a pong or a message start goes
     * between them */
    static const struct {
        const char *first, *second;
        int between; /* 0 nothing, 1 a pong, 2 the pings come before the message */
        bool triggers;
    } v[] = {{"a", "", 0, true},   {"", "", 0, true},   {"", "a", 0, false},
             {"a", "b", 0, false}, {"a", "", 1, false}, {"a", "", 2, false}};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        stream_start(&s);
        if (v[i].between == 2) {
            put_frame(&s, 1, 0, 0x9, 1, v[i].first, strlen(v[i].first));
            put_frame(&s, 1, 0, 0x9, 1, v[i].second, strlen(v[i].second));
        }
        put_frame(&s, 0, 0, 0x1, 1, "frag", 4);
        if (v[i].between != 2) {
            put_frame(&s, 1, 0, 0x9, 1, v[i].first, strlen(v[i].first));
            if (v[i].between == 1)
                put_frame(&s, 1, 0, 0xA, 1, "u", 1);
            put_frame(&s, 1, 0, 0x9, 1, v[i].second, strlen(v[i].second));
        }
        put_frame(&s, 1, 0, 0x0, 1, "ment", 4);
        put_frame(&s, 1, 0, 0x8, 1, "\x03\xe8", 2);
        int hit = run_fuzz(hang, &s, &out);
        run_fuzz(0, &s, &strict);
        CHECK_EQ(hit, v[i].triggers ? RS_FUZZ_HANG : RS_FUZZ_NONE);
        if (v[i].triggers) {
            CHECK_EQ(last_close_code(&out, &frames), -1);
            CHECK_EQ(frames, 1); /* the first ping's pong only */
        } else {
            CHECK_MEM(out.data, out.len, strict.data, strict.len);
        }
        /* strict: two pongs, the echo, the close */
        CHECK_EQ(last_close_code(&strict, &frames), 1000);
        CHECK_EQ(frames, 4);
    }
    buf_free(&s);
    buf_free(&out);
    buf_free(&strict);
}

/* fuzz-wrong-close: invalid UTF-8 whose sequence is split across two
 * fragments with a pong between them gets 1002; 6455:7.4.1 names 1007. */
static void test_fuzz_wrong_close_trigger(void) {
    const uint64_t wrong = BIT(FAULT_FUZZ_WRONG_CLOSE);
    struct buf s = {0}, out = {0}, strict = {0};
    int frames;
    static const struct {
        const char *first, *second;
        int control; /* 0xA pong, 0x9 ping, 0 none between the fragments */
        bool triggers;
    } v[] = {
        {"price: \xe2", "( 5", 0xA, true},            /* E2 then '(': invalid at the split */
        {"\xf0\xa4", "\xad\x41", 0xA, true},          /* F0 A4 AD then 'A' */
        {"price: \xe2", "( 5", 0, false},             /* no pong between */
        {"price: \xe2", "( 5", 0x9, false},           /* a ping, not a pong */
        {"price: \xe2", "\x82\xac \xff", 0xA, false}, /* the split code point is valid */
        {"price: ", "\xff", 0xA, false},              /* not split: invalid after the boundary */
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        stream_start(&s);
        put_frame(&s, 0, 0, 0x1, 1, v[i].first, strlen(v[i].first));
        if (v[i].control)
            put_frame(&s, 1, 0, v[i].control, 1, "x", 1);
        put_frame(&s, 1, 0, 0x0, 1, v[i].second, strlen(v[i].second));
        CHECK_EQ(run_fuzz(wrong, &s, &out), RS_FUZZ_NONE);
        run_fuzz(0, &s, &strict);
        CHECK_EQ(last_close_code(&out, &frames), v[i].triggers ? 1002 : 1007);
        CHECK_EQ(last_close_code(&strict, &frames), 1007);
    }
    buf_free(&s);
    buf_free(&out);
    buf_free(&strict);
}

int main(void) {
    RUN(test_rfc_example_echo);
    RUN(test_fault_mask_matches_rfc_example);
    RUN(test_utf8_fail_fast_mid_frame);
    RUN(test_mixed_stream_exact);
    RUN(test_split_invariance);
    RUN(test_fuzz_crash_trigger);
    RUN(test_fuzz_hang_trigger);
    RUN(test_fuzz_wrong_close_trigger);
    RUN(test_fault_path_matches_strict_path);
    TEST_EXIT();
}
