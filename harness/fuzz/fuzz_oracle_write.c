/* fuzz_oracle_write: a case's send steps as the octets the runner writes
 * (runner_exec.c: frame headers, the split of a message into fragments, close
 * payloads, declared lengths), each frame recorded with where it lies in the
 * stream and whether its octets depend on a key the runner draws
 * (fuzz_oracle_int.h). Where the runner draws a masking key, one fixed key
 * stands for it: 6455:5.3 "The masking key is a 32-bit value chosen at random
 * by the client", and no key changes a frame's validity. */
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "fuzz/fuzz_oracle_int.h"

#define DEFAULT_KEY_A 0x5a
#define DEFAULT_KEY_B 0xc3

static int put_frame(struct walk *w, struct buf *out, const struct frame_spec *spec,
                     bool random_key, const uint8_t *payload, size_t len) {
    uint64_t start = w->fed + out->len;
    int rc = frame_build(spec, payload, len, out);
    if (rc != 0)
        return rc;
    if (w->frame_count == w->frame_cap) {
        size_t cap = w->frame_cap ? w->frame_cap * 2 : 64;
        struct sframe *p = realloc(w->frames, cap * sizeof *p);
        if (!p)
            return WS_ERR_NOMEM;
        w->frames = p;
        w->frame_cap = cap;
    }
    w->frames[w->frame_count++] = (struct sframe){
        .start = start, .end = w->fed + out->len, .random_key = random_key, .step = w->si};
    return 0;
}

static void mask_spec(enum mask_mode m, const uint8_t key[4], struct frame_spec *spec) {
    spec->masked = m != MASK_NONE;
    if (m == MASK_KEY) {
        memcpy(spec->mask_key, key, 4);
    } else {
        static const uint8_t fixed[4] = {DEFAULT_KEY_A, DEFAULT_KEY_B, DEFAULT_KEY_B,
                                         DEFAULT_KEY_A};
        memcpy(spec->mask_key, fixed, 4);
    }
}

static uint8_t *materialize(struct walk *w, const struct payload *p) {
    if (p->length > ORACLE_MAX_MESSAGE) {
        ow_unsupported(w, "a payload larger than the oracle holds");
        return NULL;
    }
    uint8_t *b = payload_materialize(p, ORACLE_MAX_MESSAGE);
    if (!b) {
        w->err = WS_ERR_NOMEM;
        w->done = true;
    }
    return b;
}

int ow_serialise(struct walk *w, const struct step *s, struct buf *out) {
    int rc = 0;
    uint8_t *data = NULL;
    switch (s->kind) {
    case STEP_SEND_FRAME: {
        const struct frame_step *f = &s->u.frame;
        struct frame_spec spec = {.fin = f->fin,
                                  .rsv = f->rsv,
                                  .opcode = f->opcode,
                                  .len_form = (enum frame_len_form)f->len_form,
                                  .declared_len_set = f->declared_len_set,
                                  .declared_len = f->declared_len};
        mask_spec(f->mask, f->mask_key, &spec);
        if (!(data = materialize(w, &f->payload)))
            return 0;
        rc = put_frame(w, out, &spec, f->mask == MASK_RANDOM, data, (size_t)f->payload.length);
        break;
    }
    case STEP_SEND_MESSAGE: {
        const struct message_step *m = &s->u.message;
        if (!(data = materialize(w, &m->payload)))
            return 0;
        uint64_t total = m->payload.length, off = 0;
        size_t index = 0;
        do { /* runner_exec.c send_message_step: the same split */
            uint64_t size = total - off;
            if (m->fragment_count > 0) {
                uint64_t want =
                    m->fragments[index < m->fragment_count ? index : m->fragment_count - 1];
                bool repeats = index >= m->fragment_count - 1;
                if (want < size && !(repeats && want == 0))
                    size = want;
            }
            struct frame_spec spec = {.fin = off + size == total,
                                      .opcode = index == 0 ? m->opcode : FRAME_OP_CONT,
                                      .rsv = index == 0 ? m->rsv : 0};
            mask_spec(m->mask, NULL, &spec);
            rc = put_frame(w, out, &spec, m->mask == MASK_RANDOM, data + off, (size_t)size);
            off += size;
            index++;
        } while (rc == 0 && off < total);
        break;
    }
    case STEP_SEND_CLOSE: {
        const struct close_step *c = &s->u.close;
        size_t len = 0;
        if (c->raw_set) {
            if (!(data = materialize(w, &c->raw)))
                return 0;
            len = (size_t)c->raw.length;
        } else if (c->has_code) {
            if (c->reason.length > ORACLE_MAX_MESSAGE) {
                ow_unsupported(w, "a payload larger than the oracle holds");
                return 0;
            }
            len = 2 + (size_t)c->reason.length;
            data = malloc(len);
            if (!data)
                return WS_ERR_NOMEM;
            data[0] = (uint8_t)(c->code >> 8);
            data[1] = (uint8_t)c->code;
            payload_read(&c->reason, 0, data + 2, (size_t)c->reason.length);
        }
        struct frame_spec spec = {.fin = true, .opcode = FRAME_OP_CLOSE};
        mask_spec(c->mask, NULL, &spec);
        rc = put_frame(w, out, &spec, c->mask == MASK_RANDOM, data, len);
        break;
    }
    case STEP_SEND_RAW:
        if (!(data = materialize(w, &s->u.raw)))
            return 0;
        rc = buf_append(out, data, (size_t)s->u.raw.length);
        break;
    default: break;
    }
    free(data);
    return rc;
}
