/* sa_seeds: seeds for the structure-aware targets (frame_parse_sa,
 * refserver_conn_sa), built with wsmutator's API, and their raw-byte
 * equivalents for the raw targets (frame_parse, refserver_conn), so both
 * kinds of target can start from the same inputs (bench/fuzz_coverage.sh).
 *
 *   sa_seeds seeds TARGET DIR       write DIR/NN.bin, encoded sequences
 *   sa_seeds raw TARGET IN OUT      the raw target's input for sequence IN:
 *                                   its config octets then its wire bytes
 *
 * TARGET is frame_parse or refserver_conn. fuzz/sa_seeds.sh names the seeds
 * by SHA-256 into fuzz/corpus/<target>_sa/. The sequences follow the case
 * corpus: Autobahn-like messages, fragments, control frames, closes, UTF-8
 * edges, and every breach of RFC 6455 section 5 the parsers must catch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refserver/faults.h"
#include "wsmutator.h"

static const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};

enum target { FRAME_PARSE, REFSERVER_CONN };

/* config bits, per target (see the targets' header comments) */
#define FP_STRICT     1u
#define FP_RSV1       (4u << 1)
#define FP_CAP        16u
#define FP_CLIENT     32u
#define RS_DEFLATE    ((uint64_t)1 << 32)
#define RS_FAULT(bit) ((uint64_t)1 << (bit))

static struct wsmut_item *frame(struct wsmut_seq *s, uint8_t first, const char *payload,
                                size_t len) {
    return wsmut_add_frame(s, first, true, key, payload, len);
}

static struct wsmut_item *text(struct wsmut_seq *s, uint8_t first, const char *payload) {
    return frame(s, first, payload, strlen(payload));
}

static void fill(struct wsmut_seq *s, uint8_t first, size_t len, char c) {
    char *p = malloc(len ? len : 1);
    if (p == NULL)
        abort();
    memset(p, c, len);
    frame(s, first, p, len);
    free(p);
}

static void close_ok(struct wsmut_seq *s) {
    frame(s, 0x88, "\x03\xe8", 2);
}

/* Build seed number n into s; false past the last one. */
static bool build(enum target t, unsigned n, struct wsmut_seq *s) {
    struct wsmut_item *it;
    switch (n) {
    case 0: text(s, 0x81, "Hello"); break;
    case 1: frame(s, 0x82, "\x00\x01\x02", 3); break;
    case 2: frame(s, 0x81, NULL, 0); break;
    case 3: fill(s, 0x81, 125, 'a'); break;
    case 4: fill(s, 0x81, 126, 'b'); break;
    case 5: fill(s, 0x82, 1000, 'c'); break;
    case 6: /* 6455:5.7 fragmented "Hel" "lo" */
        text(s, 0x01, "Hel");
        text(s, 0x80, "lo");
        break;
    case 7: /* a ping between fragments (6455:5.4 allowed) */
        text(s, 0x01, "Hel");
        text(s, 0x89, "p");
        text(s, 0x80, "lo");
        break;
    case 8:
        fill(s, 0x02, 10, 'x');
        fill(s, 0x00, 10, 'y');
        fill(s, 0x80, 10, 'z');
        break;
    case 9:
        text(s, 0x89, "ping");
        text(s, 0x8a, "pong");
        break;
    case 10:
        frame(s, 0x88,
              "\x03\xe8"
              "bye",
              5);
        break;
    case 11: frame(s, 0x88, NULL, 0); break;
    case 12: frame(s, 0x88, "\x03", 1); break;             /* 1-octet close body */
    case 13: frame(s, 0x88, "\x03\xed", 2); break;         /* 1005 on the wire */
    case 14: frame(s, 0x88, "\x03\xe8\xc0\x80", 4); break; /* reason not UTF-8 */
    case 15: fill(s, 0x89, 126, 'p'); break;               /* control over 125 */
    case 16:
        text(s, 0x09, "pi");
        text(s, 0x80, "ng");
        break;                               /* fragmented ping */
    case 17: text(s, 0x80, "orphan"); break; /* continuation, no message */
    case 18:
        text(s, 0x01, "a");
        text(s, 0x81, "b");
        break; /* new message inside one */
    case 19: text(s, 0xc1, "rsv1"); break;
    case 20:
        text(s, 0xa1, "rsv2");
        text(s, 0x91, "rsv3");
        break;
    case 21:
        text(s, 0x83, "op3");
        text(s, 0x8b, "opB");
        break;                                                         /* reserved opcodes */
    case 22: wsmut_add_frame(s, 0x81, false, NULL, "plain", 5); break; /* unmasked */
    case 23:
        text(s, 0x81, "five!")->len_form = WSMUT_LEN_16; /* non-minimal lengths */
        text(s, 0x81, "eight!!!")->len_form = WSMUT_LEN_64;
        break;
    case 24:
        it = text(s, 0x82, "MSB");
        it->declared_set = true;
        it->declared_len = (uint64_t)1 << 63;
        break;
    case 25:
        it = text(s, 0x82, "huge");
        it->declared_set = true;
        it->declared_len = UINT64_MAX;
        break;
    case 26: /* "κόσμε" cut inside a two-octet sequence between fragments */
        text(s, 0x01, "\xce\xba\xe1\xbd");
        text(s, 0x80, "\xb9\xcf\x83\xce\xbc\xce\xb5");
        break;
    case 27: text(s, 0x81, "\xc0\xaf"); break;         /* overlong */
    case 28: text(s, 0x81, "\xed\xa0\x80"); break;     /* surrogate */
    case 29: text(s, 0x81, "\xf4\x90\x80\x80"); break; /* above U+10FFFF */
    case 30:                                           /* one octet per read */
        text(s, 0x81, "byte by byte");
        s->chunks[0] = 1;
        s->chunk_count = 1;
        s->chunk_cyclic = true;
        break;
    case 31: /* reads that end inside the 16-bit length and inside the key */
        fill(s, 0x81, 200, 'k');
        s->chunks[0] = 3;
        s->chunks[1] = 3;
        s->chunk_count = 2;
        break;
    case 32: /* garbage after a valid frame */
        text(s, 0x81, "ok");
        wsmut_add_raw(s, "\xff\x00\x13\x37", 4);
        break;
    case 33: /* a frame cut short: header and half the key */
        text(s, 0x81, "ok");
        wsmut_add_raw(s, "\x81\x85\x37\xfa", 4);
        break;
    case 34: /* an echo session */
        text(s, 0x81, "one");
        frame(s, 0x82, "\x02", 1);
        text(s, 0x89, "");
        text(s, 0x01, "th");
        text(s, 0x80, "ree");
        close_ok(s);
        break;
    case 35: /* a 4-octet sequence across fragments, read 2 octets at a time */
        text(s, 0x01, "\xf0\x9f");
        text(s, 0x80, "\x98\x80");
        s->chunks[0] = 2;
        s->chunk_count = 1;
        s->chunk_cyclic = true;
        break;
    case 36: /* empty fragments */
        text(s, 0x01, "");
        text(s, 0x00, "");
        text(s, 0x80, "x");
        break;
    case 37: /* a close inside a fragmented message, then data after it */
        text(s, 0x01, "a");
        close_ok(s);
        text(s, 0x80, "b");
        break;
    case 38: /* the RFC 7692 7.2.3.1 compressed "Hello" */
        frame(s, 0xc1, "\xf2\x48\xcd\xc9\xc9\x07\x00", 7);
        close_ok(s);
        s->config = t == REFSERVER_CONN ? RS_DEFLATE : FP_RSV1;
        break;
    case 39: /* 7692 7.2.3.1 "Hello" compressed in two fragments, RSV1 on the first */
        frame(s, 0x41, "\xf2\x48\xcd", 3);
        frame(s, 0x80, "\xc9\xc9\x07\x00", 4);
        s->config = t == REFSERVER_CONN ? RS_DEFLATE : FP_RSV1;
        break;
    case 40: /* lengths under the strict rule and the frame cap */
        text(s, 0x81, "x")->len_form = WSMUT_LEN_16;
        fill(s, 0x82, 101, 'q');
        s->config =
            t == REFSERVER_CONN ? RS_FAULT(FAULT_ACCEPT_NON_MINIMAL_LENGTH) : FP_STRICT | FP_CAP;
        break;
    case 41: /* invalid UTF-8 with the server's UTF-8 check off */
        text(s, 0x81, "\xff\xfe");
        close_ok(s);
        s->config = t == REFSERVER_CONN ? RS_FAULT(FAULT_NO_UTF8_CHECK) : 0;
        break;
    case 42: /* server frames, unmasked, and one masked (frame_parse: client role) */
        wsmut_add_frame(s, 0x81, false, NULL, "from server", 11);
        wsmut_add_frame(s, 0x89, false, NULL, "", 0);
        text(s, 0x82, "masked");
        s->config = t == REFSERVER_CONN ? 0 : FP_CLIENT;
        break;
    case 43: /* "κόσμε" in one frame, read 3 octets at a time: reads end inside
              * its 2-octet sequences (FUZZING.md 5D, at a read boundary) */
        text(s, 0x81, "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5");
        close_ok(s);
        s->chunks[0] = 3;
        s->chunk_count = 1;
        s->chunk_cyclic = true;
        break;
    default: return false;
    }
    return true;
}

static int write_file(const char *path, const uint8_t *p, size_t n) {
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
        perror(path);
        return 1;
    }
    return 0;
}

static int write_seeds(enum target t, const char *dir) {
    static uint8_t enc[1 << 16];
    unsigned n = 0;
    for (;; n++) {
        struct wsmut_seq s;
        wsmut_seq_init(&s);
        if (!build(t, n, &s))
            break;
        size_t len = wsmut_encode(&s, enc, sizeof enc);
        wsmut_seq_free(&s);
        char path[4096];
        snprintf(path, sizeof path, "%s/%02u.bin", dir, n);
        if (len > sizeof enc || write_file(path, enc, len) != 0)
            return 1;
    }
    fprintf(stderr, "%u seeds in %s\n", n, dir);
    return 0;
}

/* The raw targets' input for the same wire bytes: frame_parse_fuzz's config
 * octet (role, strict, RSV, cap), or refserver_conn_fuzz's 4 fault
 * octets, split seed 0, flags (deflate offer). */
static int write_raw(enum target t, const char *in, const char *out) {
    static uint8_t data[1 << 20];
    FILE *f = fopen(in, "rb");
    if (f == NULL) {
        perror(in);
        return 1;
    }
    size_t size = fread(data, 1, sizeof data, f);
    fclose(f);
    struct wsmut_wire w;
    wsmut_wire_from_input(data, size, &w);
    uint8_t head[6];
    size_t head_len;
    if (t == FRAME_PARSE) {
        head[0] =
            (uint8_t)((w.config & 1) << 1 | ((w.config >> 1) & 7) << 2 | (w.config & 16) << 1);
        head_len = 1;
    } else {
        for (unsigned i = 0; i < 4; i++)
            head[i] = (uint8_t)(w.config >> (8 * i));
        head[4] = 0;
        head[5] = (uint8_t)(((w.config >> 32) & 1) << 1 | ((w.config >> 33) & 3) << 2);
        head_len = 6;
    }
    uint8_t *raw = malloc(head_len + w.len);
    if (raw == NULL)
        abort();
    memcpy(raw, head, head_len);
    if (w.len)
        memcpy(raw + head_len, w.bytes, w.len);
    int rc = write_file(out, raw, head_len + w.len);
    free(raw);
    wsmut_wire_free(&w);
    return rc;
}

int main(int argc, char **argv) {
    if (argc >= 4) {
        enum target t = strcmp(argv[2], "refserver_conn") == 0 ? REFSERVER_CONN : FRAME_PARSE;
        if (strcmp(argv[2], "frame_parse") != 0 && t != REFSERVER_CONN) {
            fprintf(stderr, "sa_seeds: unknown target %s\n", argv[2]);
            return 2;
        }
        if (strcmp(argv[1], "seeds") == 0 && argc == 4)
            return write_seeds(t, argv[3]);
        if (strcmp(argv[1], "raw") == 0 && argc == 5)
            return write_raw(t, argv[3], argv[4]);
    }
    fprintf(stderr, "usage: sa_seeds seeds TARGET DIR | sa_seeds raw TARGET IN OUT\n");
    return 2;
}
