/* casewrite_test: cases written back as case files (load/casewrite.h) read
 * back the same. Every file of the corpus (cases/) and the loader's good
 * fixtures (tests/unit/data/caseload/good_*.json, which use every field of
 * the format) is loaded, written with case_write_file_text and loaded again:
 * each case must hold the same fields (case_equal) and the same canonical
 * texts (stimulus, judging), and its deep copy (case_copy) likewise.
 *
 * casewrite_test [DIR]: with DIR, the written files are kept there (the
 * e2e test tests/e2e/test_casewrite.py runs `wsspec check-cases` and the
 * schema on them). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "base/errors.h"
#include "load/caseload.h"
#include "load/casewrite.h"
#include "test.h"

#ifndef WSSPEC_SOURCE_CASES
#error "WSSPEC_SOURCE_CASES must name the source tree's cases/"
#endif

static char out_dir[4096];
static size_t total_cases;

/* The group and title of a case file, as written in it. */
static int file_header(const char *path, char **group, char **title) {
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_ALLOW_NUL, &jerr);
    if (!root)
        return -1;
    *group = strdup(json_string_value(json_object_get(root, "group")));
    *title = strdup(json_string_value(json_object_get(root, "title")));
    json_decref(root);
    return *group && *title ? 0 : -1;
}

static int write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t n = strlen(text);
    int rc = fwrite(text, 1, n, f) == n ? 0 : -1;
    return fclose(f) == 0 ? rc : -1;
}

/* Load path, write it, load what was written: the same cases. */
static void round_trip(const char *path, const char *name) {
    struct case_list orig = {0}, back = {0};
    struct case_error err;
    char msg[1024], *group = NULL, *title = NULL, *text = NULL;
    if (case_load_file(path, &orig, &err) != 0) {
        case_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "%s\n", msg);
        CHECK(!"the original loads");
        return;
    }
    CHECK(file_header(path, &group, &title) == 0);
    int rc = case_write_file_text(group, title, orig.items, orig.count, &text, msg, sizeof msg);
    if (rc != 0)
        fprintf(stderr, "%s: %s\n", path, msg);
    CHECK_EQ(rc, 0);
    char written[8192];
    snprintf(written, sizeof written, "%s/%s", out_dir, name);
    CHECK(text && write_text(written, text) == 0);
    CHECK(text && text[strlen(text) - 1] == '\n');
    if (case_load_file(written, &back, &err) != 0) {
        case_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "%s\n", msg);
        CHECK(!"the written file loads");
    }
    CHECK_EQ(back.count, orig.count);
    for (size_t i = 0; i < orig.count && i < back.count; i++) {
        const struct wcase *a = &orig.items[i], *b = &back.items[i];
        if (!case_equal(a, b))
            fprintf(stderr, "%s: %s reads back different fields\n", path, a->id);
        CHECK(case_equal(a, b));
        CHECK_STR(a->stimulus, b->stimulus);
        CHECK_STR(a->judging, b->judging);
        struct wcase copy = {0};
        CHECK_EQ(case_copy(&copy, a), 0);
        CHECK(case_equal(&copy, a));
        CHECK_STR(copy.stimulus, a->stimulus);
        case_free(&copy);
    }
    total_cases += orig.count;
    free(text);
    free(group);
    free(title);
    case_list_free(&orig);
    case_list_free(&back);
}

static bool is_case_file(const char *name) {
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".json") == 0 && strcmp(name, "schema.json") != 0 &&
           strcmp(name, "behaviours.json") != 0;
}

static void test_corpus(void) {
    DIR *d = opendir(WSSPEC_SOURCE_CASES);
    CHECK(d != NULL);
    struct dirent *de;
    size_t files = 0;
    while (d && (de = readdir(d))) {
        if (!is_case_file(de->d_name))
            continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", WSSPEC_SOURCE_CASES, de->d_name);
        round_trip(path, de->d_name);
        files++;
    }
    if (d)
        closedir(d);
    printf("  %zu corpus files, %zu cases written and read back\n", files, total_cases);
    CHECK(files >= 20);
    CHECK(total_cases >= 1000);
}

static void test_fixtures(void) {
    static const char *const names[] = {"good_full.json", "good_handshake.json",
                                        "good_placeholders.json", "good_reachable.json",
                                        "readme_example.json"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[8192], name[256];
        snprintf(path, sizeof path, "%s/../tests/unit/data/caseload/%s", WSSPEC_SOURCE_CASES,
                 names[i]);
        snprintf(name, sizeof name, "fixture_%s", names[i]);
        round_trip(path, name);
    }
}

static const struct wcase *find(const struct case_list *l, const char *id) {
    for (size_t i = 0; i < l->count; i++)
        if (strcmp(l->items[i].id, id) == 0)
            return &l->items[i];
    return NULL;
}

/* A shared outcome changed by a mutator is written out, not as {"use"}:
 * it reads back changed, as the case's own. */
static void test_changed_shared_outcome(void) {
    struct case_list l = {0}, back = {0};
    struct case_error err;
    CHECK(case_load_file(WSSPEC_SOURCE_CASES "/close.json", &l, &err) == 0);
    const struct wcase *src = NULL;
    for (size_t i = 0; i < l.count && !src; i++)
        if (l.items[i].outcome_count > 1 && l.items[i].outcomes[0].behaviour)
            src = &l.items[i];
    CHECK(src != NULL);
    if (!src) {
        case_list_free(&l);
        return;
    }
    struct wcase c = {0};
    CHECK_EQ(case_copy(&c, src), 0);
    c.outcomes[0].verdict = c.outcomes[0].verdict == VERDICT_FAIL ? VERDICT_PASS : VERDICT_FAIL;
    char *text = NULL, msg[256], path[8192];
    CHECK_EQ(case_write_file_text("close", "t", &c, 1, &text, msg, sizeof msg), 0);
    CHECK(text && strstr(text, "\"use\"") == NULL); /* close.json's behaviours have 1 outcome */
    snprintf(path, sizeof path, "%s/changed_shared.json", out_dir);
    CHECK(text && write_text(path, text) == 0);
    CHECK(case_load_file(path, &back, &err) == 0);
    const struct wcase *b = find(&back, c.id);
    CHECK(b != NULL);
    if (b) {
        CHECK_EQ(b->outcome_count, c.outcome_count);
        CHECK_EQ(b->outcomes[0].verdict, c.outcomes[0].verdict);
        CHECK(b->outcomes[0].behaviour == NULL);
        CHECK_STR(b->outcomes[0].note, c.outcomes[0].note);
        CHECK(strcmp(b->judging, src->judging) != 0);
    }
    free(text);
    case_free(&c);
    case_list_free(&back);
    case_list_free(&l);
}

/* What the format cannot hold is refused, naming the field. */
static void test_unwritable(void) {
    struct case_list l = {0};
    struct case_error err;
    CHECK(case_load_file(WSSPEC_SOURCE_CASES "/close.json", &l, &err) == 0);
    char *text = NULL, msg[256];
    /* A case of another group. */
    CHECK_EQ(case_write_file_text("other", "t", l.items, 1, &text, msg, sizeof msg), WS_ERR_ARG);
    CHECK(text == NULL && strstr(msg, "is not of group \"other\"") != NULL);
    /* A message with one mask key (only a frame takes one), a random payload
     * longer than 2^63-1. */
    struct wcase c = {0};
    CHECK_EQ(case_copy(&c, &l.items[0]), 0);
    size_t k = 0;
    while (k < c.step_count && c.steps[k].kind != STEP_SEND_CLOSE)
        k++;
    CHECK(k < c.step_count);
    if (k < c.step_count) {
        c.steps[k].u.close.mask = MASK_KEY;
        CHECK_EQ(case_write_file_text("close", "t", &c, 1, &text, msg, sizeof msg), WS_ERR_ARG);
        CHECK(strstr(msg, "send_close.mask") != NULL);
        c.steps[k].u.close.mask = MASK_RANDOM;
        payload_free(&c.steps[k].u.close.raw);
        c.steps[k].u.close.raw_set = true;
        c.steps[k].u.close.has_code = false;
        payload_free(&c.steps[k].u.close.reason);
        c.steps[k].u.close.raw.kind = PAYLOAD_RANDOM;
        c.steps[k].u.close.raw.length = UINT64_MAX;
        CHECK_EQ(case_write_file_text("close", "t", &c, 1, &text, msg, sizeof msg), WS_ERR_ARG);
        CHECK(strstr(msg, "send_close.payload") != NULL);
    }
    case_free(&c);
    case_list_free(&l);
}

/* case_write_file writes the text atomically to a path. */
static void test_write_file(void) {
    struct case_list l = {0}, back = {0};
    struct case_error err;
    char msg[256], path[8192];
    CHECK(case_load_file(WSSPEC_SOURCE_CASES "/close.json", &l, &err) == 0);
    snprintf(path, sizeof path, "%s/written_by_case_write_file.json", out_dir);
    CHECK_EQ(case_write_file(path, "close", "Close", l.items, 2, msg, sizeof msg), 0);
    CHECK(case_load_file(path, &back, &err) == 0);
    CHECK_EQ(back.count, 2);
    CHECK(back.count == 2 && case_equal(&back.items[1], &l.items[1]));
    CHECK(case_write_file("/nonexistent-dir/x.json", "close", "Close", l.items, 1, msg,
                          sizeof msg) != 0);
    CHECK(strstr(msg, "/nonexistent-dir/x.json") != NULL);
    case_list_free(&back);
    case_list_free(&l);
}

int main(int argc, char **argv) {
    if (argc > 1) {
        snprintf(out_dir, sizeof out_dir, "%s", argv[1]);
        mkdir(out_dir, 0755);
    } else {
        char tmpl[] = "/tmp/casewrite_test.XXXXXX";
        if (!mkdtemp(tmpl)) {
            perror("mkdtemp");
            return 1;
        }
        snprintf(out_dir, sizeof out_dir, "%s", tmpl);
    }
    RUN(test_corpus);
    RUN(test_fixtures);
    RUN(test_changed_shared_outcome);
    RUN(test_unwritable);
    RUN(test_write_file);
    if (argc <= 1) {
        char cmd[8300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", out_dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", out_dir);
    }
    TEST_EXIT();
}
