/* consistency: one verdict for one behaviour, checked across cases.
 *
 * Over a loaded case list (wcase.stimulus / wcase.judging, caseload_keys.c):
 * cases that do the same (the same steps and request, up to the write
 * options that change only timing) must judge the same way: the same
 * outcomes, in the same order, with the same verdicts. (Comparing one
 * outcome with a shared one regardless of what was sent would not do: the
 * same answer, a close with 1002, is the right one to a code we must not
 * send and a lesser one to invalid UTF-8, where 6455:7.4.1 names 1007.)
 * Each finding is a warning naming both places; nothing here fails a load. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load/caseload.h"

static int by_stimulus(const void *a, const void *b) {
    const struct wcase *x = *(const struct wcase *const *)a;
    const struct wcase *y = *(const struct wcase *const *)b;
    int c = strcmp(x->stimulus, y->stimulus);
    return c ? c : strcmp(x->id, y->id);
}

static size_t same_stimulus(const struct case_list *l, case_warn_fn warn, void *ctx) {
    const struct wcase **v = malloc((l->count ? l->count : 1) * sizeof *v);
    size_t n = 0, found = 0;
    if (!v)
        return 0;
    for (size_t i = 0; i < l->count; i++)
        if (l->items[i].stimulus && l->items[i].judging)
            v[n++] = &l->items[i];
    qsort(v, n, sizeof *v, by_stimulus);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && strcmp(v[j]->stimulus, v[i]->stimulus) == 0)
            j++;
        for (size_t k = i + 1; k < j; k++) {
            if (strcmp(v[k]->judging, v[i]->judging) == 0)
                continue;
            char msg[1024];
            snprintf(msg, sizeof msg,
                     "%s:%d: %s sends what %s (%s:%d) sends (up to chop, chop_delay and "
                     "coalesce) but judges it with other outcomes: one behaviour, two verdicts",
                     v[k]->pos.file, v[k]->pos.line, v[k]->id, v[i]->id, v[i]->pos.file,
                     v[i]->pos.line);
            warn(ctx, msg);
            found++;
        }
        i = j;
    }
    free(v);
    return found;
}

size_t case_list_consistency(const struct case_list *l, case_warn_fn warn, void *ctx) {
    return same_stimulus(l, warn, ctx);
}
