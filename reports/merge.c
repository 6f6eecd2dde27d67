/* merge: joining shard reports (merge.h). */
#include "reports/merge.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *str_at(const json_t *doc, const char *obj, const char *key) {
    const json_t *o = obj ? json_object_get(doc, obj) : doc;
    return json_string_value(json_object_get(o, key));
}

static bool same_str(const char *a, const char *b) {
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* The field both documents must agree on; -1 with the message if not. */
static int agree(json_t *const *docs, const char *const *paths, size_t i, const char *obj,
                 const char *key, const char *what, char *errmsg, size_t cap) {
    const char *a = str_at(docs[0], obj, key), *b = str_at(docs[i], obj, key);
    if (same_str(a, b))
        return 0;
    snprintf(errmsg, cap,
             "%s and %s are reports of different %s: %s%s%s is \"%s\" in the first, "
             "\"%s\" in the second; only the shards of one run merge",
             paths[0], paths[i], what, obj ? obj : "", obj ? "." : "", key, a ? a : "(none)",
             b ? b : "(none)");
    return -1;
}

static int check_pair(json_t *const *docs, const char *const *paths, size_t i, char *errmsg,
                      size_t cap) {
    if (!str_at(docs[i], "corpus", "digest")) {
        snprintf(errmsg, cap,
                 "%s: field \"corpus.digest\" is missing (a report of an older wsspec, or not of "
                 "`wsspec run`): cannot tell which corpus it ran",
                 paths[i]);
        return -1;
    }
    if (i == 0)
        return 0;
    if (agree(docs, paths, i, "corpus", "digest", "corpora (case files or profile)", errmsg, cap) ||
        agree(docs, paths, i, "tool", "version", "wsspec versions", errmsg, cap) ||
        agree(docs, paths, i, "shard", "selection_digest", "selections", errmsg, cap) ||
        agree(docs, paths, i, "gate", "fail_on", "--fail-on levels", errmsg, cap))
        return -1;
    const json_t *t0 = json_object_get(docs[0], "target"), *ti = json_object_get(docs[i], "target");
    bool b0 = json_is_true(json_object_get(t0, "builtin")),
         bi = json_is_true(json_object_get(ti, "builtin"));
    const char *s0 = str_at(t0, NULL, "spawn"), *si = str_at(ti, NULL, "spawn");
    const char *u0 = str_at(t0, NULL, "url"), *ui = str_at(ti, NULL, "url");
    bool by_url = !b0 && !s0;
    if (b0 != bi || !same_str(s0, si) || (by_url && !same_str(u0, ui))) {
        snprintf(errmsg, cap,
                 "%s and %s are reports of different targets: %s in the first, %s in the "
                 "second; only the shards of one run merge",
                 paths[0], paths[i],
                 b0   ? "the built-in reference server"
                 : s0 ? s0
                      : u0,
                 bi   ? "the built-in reference server"
                 : si ? si
                 : ui ? ui
                      : "?");
        return -1;
    }
    const json_t *sh0 = json_object_get(docs[0], "shard"), *shi = json_object_get(docs[i], "shard");
    long long c0 = json_integer_value(json_object_get(sh0, "count")),
              ci = json_integer_value(json_object_get(shi, "count"));
    if (c0 != ci) {
        snprintf(errmsg, cap,
                 "%s and %s were sharded differently: %lld shards in the first, %lld "
                 "in the second",
                 paths[0], paths[i], c0, ci);
        return -1;
    }
    return 0;
}

static int by_position(const void *pa, const void *pb) {
    const json_t *a = *(const json_t *const *)pa, *b = *(const json_t *const *)pb;
    const char *fa = json_string_value(json_object_get(a, "file")),
               *fb = json_string_value(json_object_get(b, "file"));
    int r = strcmp(fa ? fa : "", fb ? fb : "");
    if (r)
        return r;
    long long la = json_integer_value(json_object_get(a, "line")),
              lb = json_integer_value(json_object_get(b, "line"));
    if (la != lb)
        return la < lb ? -1 : 1;
    const char *ia = json_string_value(json_object_get(a, "id")),
               *ib = json_string_value(json_object_get(b, "id"));
    return strcmp(ia ? ia : "", ib ? ib : "");
}

static json_t *summary_of(const json_t *cases, bool with_flaky) {
    static const char *const names[] = {"pass",          "non-strict", "informational",
                                        "unimplemented", "fail",       "error"};
    long long counts[6] = {0}, not_run = 0, flaky = 0;
    size_t i;
    json_t *c;
    json_array_foreach(cases, i, c) {
        const char *v = json_string_value(json_object_get(c, "verdict"));
        flaky += json_is_true(json_object_get(c, "flaky"));
        if (!v || strcmp(v, "not-run") == 0) {
            not_run++;
            continue;
        }
        size_t k = 0;
        while (k < 5 && strcmp(names[k], v) != 0)
            k++;
        counts[k]++;
    }
    json_t *s = json_object();
    json_object_set_new(s, "total", json_integer((json_int_t)json_array_size(cases)));
    for (size_t k = 0; k < 6; k++)
        json_object_set_new(s, names[k], json_integer(counts[k]));
    json_object_set_new(s, "not_run", json_integer(not_run));
    if (with_flaky || flaky) /* as the shards counted (--repeat) */
        json_object_set_new(s, "flaky", json_integer(flaky));
    return s;
}

/* Append the strings (or objects, compared by their "entry") of src not in dst. */
static void join_list(json_t *dst, const json_t *src) {
    size_t i, k;
    json_t *v, *w;
    json_array_foreach(src, i, v) {
        bool seen = false;
        json_array_foreach(dst, k, w) {
            seen |= json_equal(v, w);
        }
        if (!seen)
            json_array_append(dst, v);
    }
}

/* gate: lists joined; unmatched = the entries no report matched. */
static json_t *merge_gate(json_t *const *docs, size_t n) {
    const json_t *g0 = json_object_get(docs[0], "gate");
    if (!g0)
        return NULL;
    json_t *g = json_deep_copy(g0);
    static const char *const lists[] = {"failing", "accepted", "flaky_cases", "expired"};
    for (size_t i = 1; i < n; i++) {
        const json_t *gi = json_object_get(docs[i], "gate");
        for (size_t k = 0; k < 4; k++)
            join_list(json_object_get(g, lists[k]), json_object_get(gi, lists[k]));
        /* keep in unmatched only what report i did not match either */
        json_t *um = json_object_get(g, "unmatched");
        for (size_t k = json_array_size(um); k-- > 0;) {
            bool still = false;
            size_t j;
            json_t *w;
            json_array_foreach(json_object_get(gi, "unmatched"), j, w) {
                still |= json_equal(json_array_get(um, k), w);
            }
            if (!still)
                json_array_remove(um, k);
        }
    }
    return g;
}

json_t *report_merge(json_t *const *docs, const char *const *paths, size_t n, char *errmsg,
                     size_t cap) {
    for (size_t i = 0; i < n; i++)
        if (check_pair(docs, paths, i, errmsg, cap) != 0)
            return NULL;
    /* Overlaps: a shard twice, or a case in two reports. */
    json_t *owner = json_object(); /* id -> index of the report */
    size_t total = 0;
    long long shards =
        json_integer_value(json_object_get(json_object_get(docs[0], "shard"), "count"));
    char *seen = calloc((size_t)(shards > 0 ? shards : 0) + 1, 1);
    for (size_t i = 0; i < n; i++) {
        long long index =
            json_integer_value(json_object_get(json_object_get(docs[i], "shard"), "index"));
        if (shards > 0 && index >= 1 && index <= shards) {
            if (seen[index]) {
                snprintf(errmsg, cap,
                         "%s and %s are the same shard (%lld/%lld): overlapping "
                         "reports do not merge",
                         paths[seen[index] - 1], paths[i], index, shards);
                goto fail;
            }
            seen[index] = (char)(i + 1 < 127 ? i + 1 : 127);
        }
        size_t k;
        json_t *c;
        json_array_foreach(json_object_get(docs[i], "cases"), k, c) {
            const char *id = json_string_value(json_object_get(c, "id"));
            json_t *prev = id ? json_object_get(owner, id) : NULL;
            if (prev) {
                snprintf(errmsg, cap, "%s and %s overlap: both have case %s",
                         paths[json_integer_value(prev)], paths[i], id);
                goto fail;
            }
            if (id)
                json_object_set_new(owner, id, json_integer((json_int_t)i));
            total++;
        }
    }
    json_t *doc = json_deep_copy(docs[0]);
    const json_t **all = calloc(total ? total : 1, sizeof *all);
    json_t *cases = json_array(), *merged = json_array();
    if (!doc || !all || !cases || !merged) {
        json_decref(doc);
        json_decref(cases);
        json_decref(merged);
        free(all);
        snprintf(errmsg, cap, "out of memory");
        goto fail;
    }
    size_t at = 0;
    bool complete = true;
    double duration = 0;
    const char *started = NULL, *finished = NULL, *reason = NULL;
    for (size_t i = 0; i < n; i++) {
        size_t k;
        json_t *c;
        json_array_foreach(json_object_get(docs[i], "cases"), k, c) {
            all[at++] = c;
        }
        const char *s = str_at(docs[i], NULL, "started"), *f = str_at(docs[i], NULL, "finished");
        if (s && (!started || strcmp(s, started) < 0))
            started = s;
        if (f && (!finished || strcmp(f, finished) > 0))
            finished = f;
        duration += json_number_value(json_object_get(docs[i], "duration_s"));
        if (!json_is_true(json_object_get(docs[i], "complete"))) {
            complete = false;
            if (!reason)
                reason = str_at(docs[i], NULL, "incomplete_reason");
        }
        const json_t *sh = json_object_get(docs[i], "shard");
        json_array_append_new(
            merged,
            json_pack("{s:s, s:O, s:O, s:O, s:I}", "file", paths[i], "shard",
                      json_is_object(sh) ? sh : json_null(), "started",
                      json_object_get(docs[i], "started") ? json_object_get(docs[i], "started")
                                                          : json_null(),
                      "duration_s", json_object_get(docs[i], "duration_s"), "cases",
                      (json_int_t)json_array_size(json_object_get(docs[i], "cases"))));
    }
    qsort(all, total, sizeof *all, by_position);
    for (size_t i = 0; i < total; i++)
        json_array_append(cases, (json_t *)all[i]);
    free(all);
    char missing[512] = "";
    for (long long s = 1; s <= shards; s++)
        if (!seen[s]) {
            size_t used = strlen(missing);
            snprintf(missing + used, sizeof missing - used, "%s%lld/%lld", used ? ", " : "", s,
                     shards);
        }
    char why[1024];
    if (*missing) {
        snprintf(why, sizeof why, "shards missing from the merge: %s", missing);
        complete = false;
        reason = why;
    }
    json_object_set_new(doc, "cases", cases);
    bool with_flaky = false;
    for (size_t i = 0; i < n; i++)
        with_flaky |= json_object_get(json_object_get(docs[i], "summary"), "flaky") != NULL;
    json_object_set_new(doc, "summary", summary_of(cases, with_flaky));
    json_object_set_new(doc, "started", started ? json_string(started) : json_null());
    json_object_set_new(doc, "finished", finished ? json_string(finished) : json_null());
    json_object_set_new(doc, "duration_s", json_real(duration));
    json_object_set_new(doc, "complete", json_boolean(complete));
    json_object_set_new(doc, "incomplete_reason",
                        complete ? json_null() : json_string(reason ? reason : "incomplete"));
    json_object_set_new(doc, "shard", json_null());
    json_object_set_new(doc, "merged", merged);
    json_t *gate = merge_gate(docs, n);
    if (gate)
        json_object_set_new(doc, "gate", gate);
    json_object_del(doc, "baseline"); /* each shard's comparison stays in its cases' marks */
    json_decref(owner);
    free(seen);
    return doc;
fail:
    json_decref(owner);
    free(seen);
    return NULL;
}
