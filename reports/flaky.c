/* flaky: attempts of a case run more than once, and flakiness (flaky.h). */
#include "reports/flaky.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reports/report_int.h"

int report_attempts_add(struct report_attempts *a, const struct case_result *r) {
    if (!r->ran)
        return 0;
    if (a->count == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 4;
        struct report_attempt *grown = realloc(a->items, cap * sizeof *grown);
        if (!grown)
            return -1;
        a->items = grown;
        a->cap = cap;
    }
    struct report_attempt *t = &a->items[a->count];
    memset(t, 0, sizeof *t);
    t->verdict = r->j.verdict;
    t->started_wall_ms = r->started_wall_ms;
    t->duration_s = r->duration_s;
    t->retried = r->retry.eligible && r->retry.rerun;
    if (r->j.reason && !(t->reason = strdup(r->j.reason)))
        return -1;
    a->count++;
    return 0;
}

void report_attempts_free(struct report_attempts *a) {
    for (size_t i = 0; i < a->count; i++)
        free(a->items[i].reason);
    free(a->items);
    memset(a, 0, sizeof *a);
}

static int severity(enum verdict v) {
    switch (v) {
    case VERDICT_PASS: return 0;
    case VERDICT_UNIMPLEMENTED: return 1;
    case VERDICT_INFORMATIONAL: return 2;
    case VERDICT_NON_STRICT: return 3;
    case VERDICT_ERROR: return 4;
    case VERDICT_FAIL: return 5;
    default: return 4;
    }
}

bool report_verdict_worse(enum verdict a, enum verdict b) {
    return severity(a) > severity(b);
}

static json_t *iso_time(int64_t wall_ms) {
    if (wall_ms <= 0)
        return json_null();
    time_t secs = (time_t)(wall_ms / 1000);
    struct tm tm;
    if (!gmtime_r(&secs, &tm))
        return json_null();
    return json_sprintf("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                        tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(wall_ms % 1000));
}

static json_t *attempt_json(const struct report_attempt *t) {
    json_t *o = json_object();
    json_object_set_new(o, "verdict", json_string(verdict_name(t->verdict)));
    json_object_set_new(o, "started", iso_time(t->started_wall_ms));
    double d = t->duration_s >= 0 && isfinite(t->duration_s) ? t->duration_s : 0;
    json_object_set_new(o, "duration_s", json_real(round(d * 1e6) / 1e6));
    json_object_set_new(o, "reason", report_text_json(t->reason));
    json_object_set_new(o, "retried", json_boolean(t->retried));
    return o;
}

long report_set_attempts(json_t *report, const struct report_attempts *per_case, size_t n) {
    json_t *cases = json_object_get(report, "cases");
    long flaky = 0;
    for (size_t i = 0; i < n && i < json_array_size(cases); i++) {
        const struct report_attempts *a = &per_case[i];
        json_t *c = json_array_get(cases, i);
        if (a->count < 2)
            continue;
        json_t *list = json_array();
        if (!list)
            return -1;
        bool differ = false;
        for (size_t k = 0; k < a->count; k++) {
            differ |= a->items[k].verdict != a->items[0].verdict;
            if (json_array_append_new(list, attempt_json(&a->items[k])) != 0) {
                json_decref(list);
                return -1;
            }
        }
        json_object_set_new(c, "attempts", list);
        json_object_set_new(c, "flaky", json_boolean(differ));
        flaky += differ;
    }
    json_object_set_new(json_object_get(report, "summary"), "flaky", json_integer(flaky));
    return flaky;
}
