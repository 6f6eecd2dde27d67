/* caseload_data_test DIR [NAME...]: the loader's expected errors as data, as
 * jansson's test suites are (cases/README.md "The schema and the loader").
 *
 * DIR/invalid holds one folder per case:
 *   NAME/input.json   a case file, or NAME/input/ a directory of case files
 *   NAME/expected     the whole message case_error_format gives, one line
 *   NAME/loader-only  (optional) the rule of cases/README.md that only the
 *                     loader checks; read by tests/e2e/test_case_schema.py
 * The runner works in DIR/invalid, so every message names "NAME/input.json"
 * (or a file of NAME/input/). Each input is loaded through case_load_path
 * into a list already holding DIR/readme_example.json: the load must fail
 * with exactly the expected message and leave the list as it was (nothing
 * is half-loaded). With NAME arguments only those folders run. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "load/caseload.h"
#include "test.h"

#define SENTINEL       "../readme_example.json"
#define SENTINEL_COUNT 3

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The whole file, NUL-terminated (caller frees), or NULL. */
static char *read_all(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *text = NULL;
    size_t len = 0, cap = 0, got;
    do {
        if (len + 4096 + 1 > cap) {
            cap = (len + 4096 + 1) * 2;
            char *grown = realloc(text, cap);
            if (!grown) {
                free(text);
                fclose(f);
                return NULL;
            }
            text = grown;
        }
        got = fread(text + len, 1, cap - len - 1, f);
        len += got;
    } while (got > 0);
    fclose(f);
    text[len] = '\0';
    return text;
}

static bool exists(const char *path) {
    struct stat st;
    return lstat(path, &st) == 0;
}

/* One folder: returns true when it passed. */
static bool run_case(const char *name) {
    char path[600], expected_path[600];
    snprintf(path, sizeof path, "%s/input.json", name);
    if (!exists(path))
        snprintf(path, sizeof path, "%s/input", name);
    snprintf(expected_path, sizeof expected_path, "%s/expected", name);
    if (!exists(path)) {
        fprintf(stderr, "FAIL %s: no input.json and no input/\n", name);
        return false;
    }
    char *want = read_all(expected_path);
    if (!want) {
        fprintf(stderr, "FAIL %s: cannot read %s: %s\n", name, expected_path, strerror(errno));
        return false;
    }
    /* The file holds one line: the message and its newline. */
    size_t wlen = strlen(want);
    if (wlen > 0 && want[wlen - 1] == '\n')
        want[--wlen] = '\0';
    bool ok = true;
    if (wlen == 0 || strchr(want, '\n')) {
        fprintf(stderr, "FAIL %s: expected must be one line\n", name);
        ok = false;
    }
    /* Every message names the file it is about: a file of this folder. */
    if (strncmp(want, name, strlen(name)) != 0 || want[strlen(name)] != '/') {
        fprintf(stderr, "FAIL %s: expected does not name a file of %s/\n", name, name);
        ok = false;
    }
    struct case_list list = {0};
    struct case_error err;
    if (case_load_file(SENTINEL, &list, &err) != 0 || list.count != SENTINEL_COUNT) {
        fprintf(stderr, "FAIL %s: cannot load the sentinel %s\n", name, SENTINEL);
        free(want);
        case_list_free(&list);
        return false;
    }
    struct wcase *items = list.items;
    int rc = case_load_path(path, &list, &err);
    char got[2048];
    case_error_format(&err, got, sizeof got);
    if (rc != -1) {
        fprintf(stderr, "FAIL %s: loaded (%zu cases), expected an error\n", name, list.count);
        ok = false;
    } else if (strcmp(got, want) != 0) {
        fprintf(stderr, "FAIL %s\n  expected: %s\n  got:      %s\n", name, want, got);
        ok = false;
    }
    if (list.count != SENTINEL_COUNT || list.items != items ||
        strcmp(list.items[0].id, "framing.text-0") != 0) {
        fprintf(stderr, "FAIL %s: the list changed although the load failed\n", name);
        ok = false;
    }
    free(want);
    case_list_free(&list);
    return ok;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: caseload_data_test DIR [NAME...]\n");
        return 2;
    }
    char invalid[1200];
    snprintf(invalid, sizeof invalid, "%s/invalid", argv[1]);
    if (chdir(invalid) != 0) {
        fprintf(stderr, "cannot enter %s: %s\n", invalid, strerror(errno));
        return 2;
    }
    char **names = NULL;
    size_t count = 0;
    if (argc > 2) {
        names = calloc((size_t)argc - 2, sizeof *names);
        for (int i = 2; names && i < argc; i++)
            names[count++] = strdup(argv[i]);
    } else {
        DIR *dir = opendir(".");
        struct dirent *de;
        while (dir && (de = readdir(dir))) {
            struct stat st;
            if (de->d_name[0] == '.' || stat(de->d_name, &st) != 0)
                continue;
            /* Every entry is a case folder: a stray file is a mistake. */
            if (!S_ISDIR(st.st_mode)) {
                fprintf(stderr, "FAIL %s: not a case folder\n", de->d_name);
                test_failures++;
                continue;
            }
            char **grown = realloc(names, (count + 1) * sizeof *names);
            if (!grown)
                break;
            names = grown;
            names[count++] = strdup(de->d_name);
        }
        if (dir)
            closedir(dir);
        qsort(names, count, sizeof *names, by_name);
    }
    size_t passed = 0;
    for (size_t i = 0; i < count; i++) {
        test_checks++;
        if (names[i] && run_case(names[i])) {
            passed++;
            printf("ok   %s\n", names[i]);
        } else {
            test_failures++;
        }
        free(names[i]);
    }
    free(names);
    printf("%zu of %zu error cases ok\n", passed, count);
    if (count == 0)
        test_failures++;
    TEST_EXIT();
}
