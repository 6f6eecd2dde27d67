/* caseload_fuzz: the case loader (harness/load) on arbitrary bytes as the
 * text of a case file. Case files are input from users (`wsspec run
 * --case-file`, `check-cases`), so no text may crash the loader, leak, or
 * leave a half-loaded list. Invariants, any broken one aborts:
 * - a failed load leaves the list empty and says why (a message, a
 *   position not past the text's line count), and the error formats into a
 *   small buffer NUL-terminated;
 * - a loaded case has an id, the id is unique in the list, and its position
 *   names the file it came from;
 * - loading the same text again into the same list fails (every id is a
 *   duplicate: "Duplicate ids across files are an error"), and the list keeps
 *   exactly the first load's cases;
 * - the consistency check calls its callback once per warning it counts. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load/caseload.h"

#define FUZZ_NAME "fuzz.json"

static void fail(const char *what) {
    fprintf(stderr, "caseload_fuzz: invariant broken: %s\n", what);
    abort();
}

static void count_warning(void *ctx, const char *message) {
    if (message == NULL || message[0] == '\0')
        fail("an empty consistency warning");
    (*(size_t *)ctx)++;
}

static void check_error(const struct case_error *err, const uint8_t *data, size_t size) {
    if (err->message[0] == '\0')
        fail("a failed load without a message");
    size_t lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    if (err->line < 0 || (size_t)err->line > lines + 1 || err->column < 0)
        fail("an error position outside the text");
    char text[64];
    memset(text, 'x', sizeof text);
    case_error_format(err, text, sizeof text);
    if (memchr(text, '\0', sizeof text) == NULL)
        fail("case_error_format wrote past its buffer or left no NUL");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* An exactly sized copy: ASan sees a read past the text. */
    uint8_t *text = malloc(size ? size : 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);

    struct case_list list = {0};
    struct case_error err;
    if (case_load_buffer(FUZZ_NAME, text, size, &list, &err) != 0) {
        if (list.count != 0 || list.items != NULL)
            fail("a failed load left cases in the list");
        check_error(&err, text, size);
        free(text);
        return 0;
    }
    for (size_t i = 0; i < list.count; i++) {
        const struct wcase *c = &list.items[i];
        if (c->id == NULL || c->id[0] == '\0')
            fail("a case without an id");
        if (c->pos.file == NULL || strcmp(c->pos.file, FUZZ_NAME) != 0)
            fail("a case whose position names another file");
        for (size_t k = 0; k < i; k++)
            if (strcmp(list.items[k].id, c->id) == 0)
                fail("two cases with one id");
    }

    size_t first = list.count;
    struct case_error again;
    int rc = case_load_buffer(FUZZ_NAME, text, size, &list, &again);
    if (first > 0 && rc == 0)
        fail("the same cases loaded twice into one list");
    if (rc != 0)
        check_error(&again, text, size);
    if (list.count != (rc == 0 ? 2 * first : first))
        fail("a failed load changed the list");

    size_t warned = 0;
    size_t counted = case_list_consistency(&list, count_warning, &warned);
    if (counted != warned)
        fail("consistency warnings counted and reported differ");

    case_list_free(&list);
    free(text);
    return 0;
}
