/* caseload_shared: the shared outcomes of cases/behaviours.json.
 *
 * One behaviour (an empty close reply, a refusal with some 4xx, the answer
 * to a frame that breaks a rule binding only its sender...) gets one
 * verdict, decided once from the RFC text: cases/behaviours.json holds those
 * decisions as named lists of outcomes, and a case's outcome {"use": NAME}
 * is replaced by the list NAME, in place. The file is embedded at build time
 * (cmake/embed_asset.cmake), so a case file anywhere can use it and every
 * binary judges with the same table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load/caseload_int.h"

extern const unsigned char caseload_behaviours_json[];
extern const size_t caseload_behaviours_json_len;

/* The name errors inside the shared file are reported under. */
#define SHARED_FILE "cases/behaviours.json (built in)"

static const char *const shared_keys[] = {"title", "rfc", "requirement", "outcomes", NULL};

static int load_shared(struct caseload_ctx *c) {
    if (c->shared)
        return 0;
    json_error_t jerr;
    c->shared = json_loadb((const char *)caseload_behaviours_json, caseload_behaviours_json_len,
                           JSON_REJECT_DUPLICATES, &jerr);
    if (!c->shared)
        return caseload_fail(c, false, "%s: line %d: %s (a build defect of wsspec)", SHARED_FILE,
                             jerr.line, jerr.text);
    return 0;
}

/* Every name of the shared file, "a, b, c", for an unknown-name error. */
static void shared_names(const json_t *behaviours, char *out, size_t cap) {
    const char *names[64];
    size_t n = 0;
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)behaviours, key, value) {
        (void)value;
        if (n + 1 < sizeof names / sizeof names[0])
            names[n++] = key;
    }
    names[n] = NULL;
    caseload_join(names, out, cap);
}

int caseload_shared_outcomes(struct caseload_ctx *c, const json_t *name, struct outcome **out,
                             size_t *count) {
    if (!json_is_string(name))
        return caseload_fail(c, false, "expected the name of a shared behaviour, got %s",
                             caseload_type_name(name));
    if (load_shared(c) != 0)
        return -1;
    const json_t *behaviours = json_object_get(c->shared, "behaviours");
    const json_t *b = json_object_get(behaviours, json_string_value(name));
    if (!b) {
        char names[1024];
        shared_names(behaviours, names, sizeof names);
        return caseload_fail(c, false,
                             "unknown shared behaviour \"%s\" (cases/behaviours.json has: %s)",
                             json_string_value(name), names);
    }
    /* Parse the shared outcomes with the shared file as the text, so an error
     * in it names its own line; the case's path is restored afterwards. */
    struct caseload_ctx sub = {0};
    sub.file = SHARED_FILE;
    sub.text = (const char *)caseload_behaviours_json;
    sub.text_len = caseload_behaviours_json_len;
    sub.err = c->err;
    sub.shared = NULL;
    int rc = -1;
    if (caseload_push_key(&sub, "behaviours") != 0 ||
        caseload_push_key(&sub, json_string_value(name)) != 0 ||
        caseload_check_keys(&sub, b, shared_keys) != 0 || caseload_push_key(&sub, "outcomes") != 0)
        goto out;
    const json_t *list = json_object_get(b, "outcomes");
    for (size_t i = 0; json_is_array(list) && i < json_array_size(list); i++)
        if (json_object_get(json_array_get(list, i), "use")) {
            caseload_push_index(&sub, i);
            caseload_fail(&sub, false, "a shared behaviour cannot use another");
            goto out;
        }
    if (caseload_outcomes(&sub, list, out, count) != 0)
        goto out;
    for (size_t i = 0; i < *count; i++) {
        (*out)[i].behaviour = strdup(json_string_value(name));
        if (!(*out)[i].behaviour) {
            struct wcase tmp = {0};
            tmp.outcomes = *out;
            tmp.outcome_count = *count;
            case_free(&tmp);
            *out = NULL;
            *count = 0;
            caseload_fail(c, false, "out of memory");
            goto out;
        }
    }
    rc = 0;
out:
    json_decref(sub.shared);
    return rc;
}

void caseload_shared_free(struct caseload_ctx *c) {
    json_decref(c->shared);
    c->shared = NULL;
}

int case_shared_outcomes(const char *name, struct outcome **out, size_t *count,
                         struct case_error *err) {
    *out = NULL;
    *count = 0;
    memset(err, 0, sizeof *err);
    json_t *jname = json_string(name);
    if (!jname) {
        snprintf(err->message, sizeof err->message, "out of memory");
        return -1;
    }
    struct caseload_ctx c = {0};
    c.file = SHARED_FILE;
    c.text = (const char *)caseload_behaviours_json;
    c.text_len = caseload_behaviours_json_len;
    c.err = err;
    int rc = caseload_shared_outcomes(&c, jname, out, count);
    caseload_shared_free(&c);
    json_decref(jname);
    return rc;
}

void case_outcomes_free(struct outcome *o, size_t count) {
    struct wcase tmp = {0};
    tmp.outcomes = o;
    tmp.outcome_count = count;
    case_free(&tmp);
}
