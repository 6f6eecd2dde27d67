/* caseload: reads case files (cases/README.md) into struct wcase, expanding
 * parameters. Every problem is reported with file, line, column and the
 * field path (jansson positions), and nothing is half-loaded: on error the
 * list is left empty. */
#ifndef WSSPEC_CASELOAD_H
#define WSSPEC_CASELOAD_H

#include <stddef.h>
#include <stdint.h>

#include "model/casemodel.h"

struct case_error {
    char file[512];
    int line; /* 1-based; 0 when unknown */
    int column;
    char field[256]; /* JSON path: "cases[3].steps[1].send_frame.opcode" */
    char message[512];
};

/* Load one file and append its cases to *out. Returns 0, or -1 with *err
 * filled (and *out unchanged). */
int case_load_file(const char *path, struct case_list *out, struct case_error *err);
/* The same for the text of a case file already in memory (len octets, no
 * NUL needed); `name` stands for the file in errors and in each case's
 * position. */
int case_load_buffer(const char *name, const uint8_t *data, size_t len, struct case_list *out,
                     struct case_error *err);
/* Load every *.json file of a directory (sorted by name; schema.json and
 * behaviours.json, the shared outcomes built into the loader, are
 * skipped), or one file. Duplicate ids across files are an error. */
int case_load_path(const char *path, struct case_list *out, struct case_error *err);
/* One verdict for one behaviour (consistency.c): warns, through warn, about
 * cases that send the same (up to timing options) but judge with other
 * outcomes. Returns the number of warnings. */
typedef void (*case_warn_fn)(void *ctx, const char *message);
size_t case_list_consistency(const struct case_list *l, case_warn_fn warn, void *ctx);
/* The outcomes of the shared behaviour NAME of cases/behaviours.json (built
 * in), as {"use": NAME} expands them (each with its behaviour set), for code
 * that writes outcomes itself (the fuzzer's RFC oracle) and must judge as the
 * corpus does. Returns 0 with *out (caller frees with case_outcomes_free),
 * or -1 with *err filled (an unknown name, out of memory). */
int case_shared_outcomes(const char *name, struct outcome **out, size_t *count,
                         struct case_error *err);
void case_outcomes_free(struct outcome *o, size_t count);
/* "file:line:col: field: message" */
void case_error_format(const struct case_error *err, char *out, size_t cap);

#endif
