/* gate: whether each case of a report fails the run, after --fail-on and
 * the policy file (policy.h). Works on the JSON document, so a saved report
 * is judged the same way as a live run's.
 *
 * A case fails the run when
 *   - it is flaky (its attempts under --repeat / --repeat-failed gave
 *     different verdicts) and at least one attempt gave a verdict that
 *     fails under --fail-on (or error), unless the policy accepts flaky
 *     cases ("flaky": "accept") or an entry matching it lists "flaky";
 *   - else its verdict is fail (fail-on fail), or fail or non-strict
 *     (non-strict), or fail, non-strict or informational (informational),
 *     unless an unexpired entry matching it lists that verdict.
 * Errors and cases not run never "fail" here: the run is incomplete then
 * (exit 3), whatever the policy says. */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "reports/policy.h"
#include "reports/policy_int.h"

static unsigned verdict_bit(const char *v) {
    if (strcmp(v, "fail") == 0)
        return ACCEPT_FAIL;
    if (strcmp(v, "non-strict") == 0)
        return ACCEPT_NON_STRICT;
    if (strcmp(v, "informational") == 0)
        return ACCEPT_INFORMATIONAL;
    return 0;
}

/* The verdicts (ACCEPT_* bits) that fail the run under fail_on. */
static unsigned failing_bits(const char *fail_on) {
    if (strcmp(fail_on, "informational") == 0)
        return ACCEPT_FAIL | ACCEPT_NON_STRICT | ACCEPT_INFORMATIONAL;
    if (strcmp(fail_on, "non-strict") == 0)
        return ACCEPT_FAIL | ACCEPT_NON_STRICT;
    return ACCEPT_FAIL;
}

static bool entry_matches(const struct policy_entry *e, const char *id) {
    for (size_t i = 0; i < e->pattern_count; i++)
        if (strcmp(e->patterns[i], id) == 0 || fnmatch(e->patterns[i], id, 0) == 0)
            return true;
    return false;
}

static bool expired(const struct policy_entry *e, const char *today) {
    return e->expires[0] && strcmp(e->expires, today) < 0; /* valid through that day */
}

/* The first unexpired entry matching id that accepts bit; -1 if none.
 * Counts every match of an entry in matched[]. */
static long find_entry(const struct policy *p, const char *id, unsigned bit, const char *today) {
    for (size_t i = 0; p && i < p->count; i++)
        if (!expired(&p->entries[i], today) && (p->entries[i].verdicts & bit) &&
            entry_matches(&p->entries[i], id))
            return (long)i;
    return -1;
}

static json_t *entry_ref(const struct policy *p, size_t i) {
    return json_sprintf("%s:%d", p->path, p->entries[i].line);
}

/* Whether any attempt of a flaky case gave a verdict that counts. */
static bool flaky_counts(const json_t *c, unsigned failing) {
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(c, "attempts"), i, a) {
        const char *v = json_string_value(json_object_get(a, "verdict"));
        if (v && (strcmp(v, "error") == 0 || (verdict_bit(v) & failing)))
            return true;
    }
    return false;
}

static void mark_accepted(json_t *c, const char *verdict, const char *reason, json_t *entry,
                          const char *expires) {
    json_t *o = json_object();
    json_object_set_new(o, "verdict", json_string(verdict));
    json_object_set_new(o, "reason", json_string(reason));
    json_object_set_new(o, "entry", entry ? entry : json_null());
    json_object_set_new(o, "expires", expires && *expires ? json_string(expires) : json_null());
    json_object_set_new(c, "accepted", o);
}

int report_apply_policy(json_t *report, const struct policy *p, const char *fail_on,
                        const char *today) {
    if (!fail_on)
        fail_on = p && p->fail_on[0] ? p->fail_on : "fail";
    unsigned failing = failing_bits(fail_on);
    bool flaky_accept = p && p->flaky_accept;
    json_t *gate = json_object();
    json_t *failing_ids = json_array(), *accepted_ids = json_array(), *flaky_ids = json_array();
    json_t *expired_list = json_array(), *unmatched = json_array();
    size_t *matched = calloc(p && p->count ? p->count : 1, sizeof *matched);
    if (!gate || !failing_ids || !accepted_ids || !flaky_ids || !expired_list || !unmatched ||
        !matched) {
        json_decref(gate);
        json_decref(failing_ids);
        json_decref(accepted_ids);
        json_decref(flaky_ids);
        json_decref(expired_list);
        json_decref(unmatched);
        free(matched);
        return -1;
    }
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(report, "cases"), i, c) {
        const char *id = json_string_value(json_object_get(c, "id"));
        const char *v = json_string_value(json_object_get(c, "verdict"));
        if (!id || !v)
            continue;
        json_object_del(c, "accepted");
        for (size_t k = 0; p && k < p->count; k++)
            matched[k] += entry_matches(&p->entries[k], id);
        bool flaky = json_is_true(json_object_get(c, "flaky"));
        bool fails = false;
        if (flaky) {
            json_array_append_new(flaky_ids, json_string(id));
            long e = find_entry(p, id, ACCEPT_FLAKY, today);
            if (e >= 0) {
                mark_accepted(c, "flaky", p->entries[e].reason, entry_ref(p, (size_t)e),
                              p->entries[e].expires);
            } else if (flaky_accept && flaky_counts(c, failing)) {
                mark_accepted(c, "flaky", "the policy accepts flaky cases (\"flaky\": \"accept\")",
                              json_string(p->path), NULL);
            } else {
                fails = flaky_counts(c, failing);
            }
        } else if (verdict_bit(v)) {
            long e = find_entry(p, id, verdict_bit(v), today);
            if (e >= 0)
                mark_accepted(c, v, p->entries[e].reason, entry_ref(p, (size_t)e),
                              p->entries[e].expires);
            else
                fails = (verdict_bit(v) & failing) != 0;
        }
        json_object_set_new(c, "fails_run", json_boolean(fails));
        if (fails)
            json_array_append_new(failing_ids, json_string(id));
        if (json_object_get(c, "accepted"))
            json_array_append_new(accepted_ids, json_string(id));
    }
    for (size_t k = 0; p && k < p->count; k++) {
        const struct policy_entry *e = &p->entries[k];
        if (expired(e, today))
            json_array_append_new(
                expired_list, json_pack("{s:o, s:s, s:s, s:s}", "entry", entry_ref(p, k), "cases",
                                        e->cases_text, "expires", e->expires, "reason", e->reason));
        else if (!matched[k])
            json_array_append_new(unmatched, json_pack("{s:o, s:s}", "entry", entry_ref(p, k),
                                                       "cases", e->cases_text));
    }
    free(matched);
    json_object_set_new(gate, "fail_on", json_string(fail_on));
    json_object_set_new(gate, "flaky", json_string(flaky_accept ? "accept" : "fail"));
    json_object_set_new(gate, "policy", p ? json_string(p->path) : json_null());
    json_object_set_new(gate, "failing", failing_ids);
    json_object_set_new(gate, "accepted", accepted_ids);
    json_object_set_new(gate, "flaky_cases", flaky_ids);
    json_object_set_new(gate, "expired", expired_list);
    json_object_set_new(gate, "unmatched", unmatched);
    json_object_set_new(report, "gate", gate);
    return 0;
}

size_t report_gate_failing(const json_t *report) {
    return json_array_size(json_object_get(json_object_get(report, "gate"), "failing"));
}

size_t report_gate_expired(const json_t *report) {
    return json_array_size(json_object_get(json_object_get(report, "gate"), "expired"));
}

static const json_t *case_by_id(const json_t *report, const char *id) {
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(report, "cases"), i, c) {
        const char *cid = json_string_value(json_object_get(c, "id"));
        if (cid && strcmp(cid, id) == 0)
            return c;
    }
    return NULL;
}

void report_gate_print(const json_t *report, FILE *out, FILE *err) {
    const json_t *gate = json_object_get(report, "gate");
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(gate, "flaky_cases"), i, item) {
        const json_t *c = case_by_id(report, json_string_value(item));
        fprintf(out, "flaky     %s  ", json_string_value(item));
        size_t k;
        json_t *a;
        json_array_foreach(json_object_get(c, "attempts"), k, a) {
            const char *v = json_string_value(json_object_get(a, "verdict"));
            fprintf(out, "%s%s", k ? ", " : "", v ? v : "?");
        }
        fprintf(out, "%s\n",
                json_is_true(json_object_get(c, "fails_run")) ? "  (fails the run)" : "");
    }
    json_array_foreach(json_object_get(gate, "accepted"), i, item) {
        const json_t *acc =
            json_object_get(case_by_id(report, json_string_value(item)), "accepted");
        const char *entry = json_string_value(json_object_get(acc, "entry"));
        fprintf(out, "accepted  %s  %s: %s%s%s%s\n", json_string_value(item),
                json_string_value(json_object_get(acc, "verdict")),
                json_string_value(json_object_get(acc, "reason")), entry ? " (" : "",
                entry ? entry : "", entry ? ")" : "");
    }
    json_array_foreach(json_object_get(gate, "expired"), i, item) {
        fprintf(err,
                "wsspec: %s: policy entry for %s expired on %s (reason was: %s): it accepts "
                "nothing and fails the run; renew or remove it\n",
                json_string_value(json_object_get(item, "entry")),
                json_string_value(json_object_get(item, "cases")),
                json_string_value(json_object_get(item, "expires")),
                json_string_value(json_object_get(item, "reason")));
    }
    json_array_foreach(json_object_get(gate, "unmatched"), i, item) {
        fprintf(err, "wsspec: warning: %s: policy entry for %s matches none of the cases run\n",
                json_string_value(json_object_get(item, "entry")),
                json_string_value(json_object_get(item, "cases")));
    }
}
