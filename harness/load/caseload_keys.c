/* caseload_keys: the canonical texts of a case that check-cases compares to
 * find two cases judging the same behaviour differently (casemodel.h,
 * wcase.stimulus and wcase.judging). Computed from the expanded case
 * object, so parameters are resolved and shared outcomes stay named. */
#include <stdlib.h>
#include <string.h>

#include "load/caseload_int.h"

/* Write options that change only the timing of our octets, not what is sent. */
static const char *const timing_keys[] = {"chop", "chop_delay", "coalesce", NULL};

/* A copy of steps without timing options, recursing into repeat steps. */
static json_t *steps_without_timing(const json_t *steps) {
    json_t *copy = json_deep_copy(steps);
    if (!copy)
        return NULL;
    size_t i;
    json_t *step;
    json_array_foreach(copy, i, step) {
        if (!json_is_object(step))
            continue;
        for (size_t k = 0; timing_keys[k]; k++)
            json_object_del(step, timing_keys[k]);
        json_t *repeat = json_object_get(step, "repeat");
        json_t *inner = json_is_object(repeat) ? json_object_get(repeat, "steps") : NULL;
        if (json_is_array(inner)) {
            json_t *clean = steps_without_timing(inner);
            if (!clean || json_object_set_new(repeat, "steps", clean) != 0) {
                json_decref(copy);
                return NULL;
            }
        }
    }
    return copy;
}

static char *dump_sorted(const json_t *v) {
    return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

int caseload_keys(struct caseload_ctx *c, const json_t *obj, struct wcase *w) {
    json_t *stimulus = json_object();
    json_t *judging = json_array();
    int rc = -1;
    if (!stimulus || !judging)
        goto out;
    const json_t *steps = json_object_get(obj, "steps");
    json_t *clean = steps ? steps_without_timing(steps) : json_array();
    if (!clean || json_object_set_new(stimulus, "steps", clean) != 0)
        goto out;
    static const char *const request_keys[] = {"handshake", "max_message", "deflate", NULL};
    for (size_t k = 0; request_keys[k]; k++) {
        json_t *v = json_object_get(obj, request_keys[k]);
        if (v && json_object_set(stimulus, request_keys[k], v) != 0)
            goto out;
    }
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(obj, "outcomes"), i, o) {
        json_t *copy = json_deep_copy(o);
        if (!copy)
            goto out;
        if (json_is_object(copy))
            json_object_del(copy, "note");
        if (json_array_append_new(judging, copy) != 0)
            goto out;
    }
    w->stimulus = dump_sorted(stimulus);
    w->judging = dump_sorted(judging);
    if (w->stimulus && w->judging)
        rc = 0;
out:
    json_decref(stimulus);
    json_decref(judging);
    return rc == 0 ? 0 : caseload_fail(c, false, "out of memory");
}
