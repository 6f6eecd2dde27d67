/* fuzz_minimize: structural delta debugging of a finding (fuzz_run_int.h).
 * Each candidate is a deep copy of the best case so far with one change:
 * a step dropped, a payload halved, a field reset to its default, a chop
 * coarsened or removed, a pause shortened to nothing. The candidate is
 * re-judged (the RFC oracle writes its outcomes) and run alone; it is kept
 * when the same signature fires. Changes are retried until none helps or
 * the run budget is spent. */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz_run_int.h"
#include "load/casewrite.h"

#define PAYLOAD_CAP (256u * 1024u) /* larger payloads are not shrunk */

enum change {
    CH_DROP_STEP,     /* semantic */
    CH_HALVE_PAYLOAD, /* semantic */
    CH_RESET_FIELDS,  /* semantic: mask, length form, declared length, fragments */
    CH_NO_CHOP,       /* timing from here on */
    CH_COARSER_CHOP,
    CH_NO_DELAY,
    CH_COUNT
};

/* Drop step i of c: its memory goes with a throwaway case. */
static bool drop_step(struct wcase *c, size_t i) {
    if (c->step_count <= 1)
        return false;
    struct wcase grave;
    memset(&grave, 0, sizeof grave);
    grave.steps = malloc(sizeof *grave.steps);
    if (!grave.steps)
        return false;
    grave.steps[0] = c->steps[i];
    grave.step_count = 1;
    memmove(&c->steps[i], &c->steps[i + 1], (c->step_count - i - 1) * sizeof *c->steps);
    c->step_count--;
    case_free(&grave);
    return true;
}

static bool halve(struct payload *p) {
    if (p->length < 2 || p->length > PAYLOAD_CAP)
        return false;
    uint8_t *bytes = payload_materialize(p, PAYLOAD_CAP);
    if (!bytes)
        return false;
    struct payload smaller;
    bool ok = payload_from_bytes(&smaller, bytes, (size_t)(p->length / 2)) == 0;
    free(bytes);
    if (!ok)
        return false;
    payload_free(p);
    *p = smaller;
    return true;
}

static bool halve_payload(struct step *s) {
    switch (s->kind) {
    case STEP_SEND_FRAME:
        /* A lying length stays as it is: shrinking under it changes the lie. */
        return !s->u.frame.declared_len_set && !s->u.frame.compress && halve(&s->u.frame.payload);
    case STEP_SEND_MESSAGE: return halve(&s->u.message.payload);
    case STEP_SEND_RAW: return halve(&s->u.raw);
    case STEP_SEND_CLOSE:
        return s->u.close.raw_set ? halve(&s->u.close.raw) : halve(&s->u.close.reason);
    default: return false;
    }
}

static bool reset_fields(struct step *s) {
    bool changed = false;
    if (s->kind == STEP_SEND_FRAME) {
        struct frame_step *f = &s->u.frame;
        changed = f->len_form != 0 || (f->mask == MASK_KEY);
        f->len_form = 0;
        if (f->mask == MASK_KEY)
            f->mask = MASK_RANDOM;
    } else if (s->kind == STEP_SEND_MESSAGE && s->u.message.fragment_count) {
        free(s->u.message.fragments);
        s->u.message.fragments = NULL;
        s->u.message.fragment_count = 0;
        changed = true;
    } else if (s->kind == STEP_SEND_CLOSE && s->u.close.mask == MASK_KEY) {
        s->u.close.mask = MASK_RANDOM;
        changed = true;
    }
    return changed;
}

/* Apply change ch at step i (SIZE_MAX: the case-wide fields). */
static bool apply(struct wcase *c, enum change ch, size_t i) {
    if (i == SIZE_MAX) {
        switch (ch) {
        case CH_NO_CHOP:
            if (!c->chop)
                return false;
            c->chop = 0;
            return true;
        case CH_NO_DELAY:
            if (c->chop_delay_s <= 0)
                return false;
            c->chop_delay_s = 0;
            return true;
        default: return false;
        }
    }
    struct step *s = &c->steps[i];
    switch (ch) {
    case CH_DROP_STEP: return drop_step(c, i);
    case CH_HALVE_PAYLOAD: return halve_payload(s);
    case CH_RESET_FIELDS: return reset_fields(s);
    case CH_NO_CHOP:
        if (!s->chop && !s->coalesce)
            return false;
        s->chop = 0;
        s->coalesce = false;
        return true;
    case CH_COARSER_CHOP:
        if (!s->chop || s->chop >= (1u << 20))
            return false;
        s->chop *= 4;
        return true;
    case CH_NO_DELAY:
        if (s->kind == STEP_PAUSE && s->u.pause_s > 0) {
            s->u.pause_s = 0;
            return true;
        }
        if (s->chop_delay_s <= 0)
            return false;
        s->chop_delay_s = 0;
        return true;
    default: return false;
    }
}

unsigned fuzz_minimize(const struct fuzz_repro *p, struct wcase *m, unsigned max_runs) {
    unsigned runs = 0;
    bool progress = true;
    enum change first = p->semantic ? CH_DROP_STEP : CH_NO_CHOP;
    while (progress && runs < max_runs) {
        progress = false;
        for (enum change ch = first; ch < CH_COUNT && runs < max_runs; ch++) {
            /* Steps from the last (later steps matter less), then the case. */
            for (size_t j = m->step_count + 1; j-- > 0 && runs < max_runs;) {
                size_t i = j == m->step_count ? SIZE_MAX : j;
                if (i != SIZE_MAX && i >= m->step_count)
                    continue; /* a step dropped meanwhile */
                struct wcase cand;
                if (case_copy(&cand, m) != 0)
                    return runs;
                if (!apply(&cand, ch, i)) {
                    case_free(&cand);
                    continue;
                }
                runs++;
                if (fuzz_reproduces(p, &cand)) {
                    case_free(m);
                    *m = cand;
                    progress = true;
                } else {
                    case_free(&cand);
                }
            }
        }
    }
    return runs;
}
