/* caseload_int: what the caseload_*.c files share (not a public API).
 *
 * The loader walks a jansson tree keeping the JSON path of the value it is
 * looking at (a stack of object keys and array indexes). When it finds a
 * problem it renders the path ("cases[3].steps[1].send_frame.opcode") and
 * finds the line and column by scanning the file text along that same path
 * (caseload_locate), since jansson keeps no positions per value. */
#ifndef WSSPEC_CASELOAD_INT_H
#define WSSPEC_CASELOAD_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "load/caseload.h"

/* Deepest JSON path the loader follows (repeat, concat and any_of nest). */
#define CASELOAD_MAX_DEPTH 48

struct caseload_comp {
    const char *key; /* borrowed from the tree; NULL = array element */
    size_t index;
};

struct caseload_ctx {
    const char *file; /* borrowed: the path as given */
    const char *text; /* borrowed: the whole file */
    size_t text_len;
    struct case_error *err; /* borrowed: filled by caseload_fail */
    struct caseload_comp path[CASELOAD_MAX_DEPTH];
    size_t depth;
    size_t expansion;   /* 1-based parameter expansion, 0 = not parametric */
    json_t *shared;     /* cases/behaviours.json (built in), parsed on first use; owned */
    uint32_t case_chop; /* the case's defaults for its send steps */
    double case_chop_delay;
};

/* ---- errors and the path stack (caseload_util.c) ---- */

/* Fill ctx->err for the value at the current path (or, with at_key, for the
 * key of the last path component) and return -1. */
int caseload_fail(struct caseload_ctx *c, bool at_key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Push an object key / array index; -1 (error filled) when nested too deeply. */
int caseload_push_key(struct caseload_ctx *c, const char *key);
int caseload_push_index(struct caseload_ctx *c, size_t index);
void caseload_pop(struct caseload_ctx *c);
/* Line and column (1-based, columns in characters as jansson counts them)
 * of the value at path[0..depth) in text, or of its key with at_key. When
 * the path leaves the text (a value that came from a parameter), the
 * deepest component found is used. */
void caseload_locate(const char *text, size_t len, const struct caseload_comp *path, size_t depth,
                     bool at_key, int *line, int *column);
/* "a string", "an integer", ... for messages. */
const char *caseload_type_name(const json_t *v);

/* ---- typed fields: absent leaves *out unchanged and returns 0 ---- */

/* "a, b, c": the NULL-terminated list names, cut to fit out[cap]. */
void caseload_join(const char *const *names, char *out, size_t cap);
/* Fails on any key of obj not in allowed (a NULL-terminated list), at the
 * key, naming every allowed key: "unknown field "x" (expected one of: ...)". */
int caseload_check_keys(struct caseload_ctx *c, const json_t *obj, const char *const *allowed);
/* v is one of the strings names (NULL-terminated): *index is its position.
 * Otherwise fails at v with "expected one of: a, b[, or OTHERS]; got ...". */
int caseload_choice(struct caseload_ctx *c, const json_t *v, const char *const *names,
                    const char *others, size_t *index);
/* Fails when obj has no member key. */
int caseload_require(struct caseload_ctx *c, const json_t *obj, const char *key);
/* Integer in [min, max]. */
int caseload_uint_value(struct caseload_ctx *c, const json_t *v, uint64_t min, uint64_t max,
                        uint64_t *out);
int caseload_get_uint(struct caseload_ctx *c, const json_t *obj, const char *key, uint64_t min,
                      uint64_t max, uint64_t *out);
/* Seconds: a number >= 0 (> 0 unless allow_zero), at most a day. */
int caseload_seconds_value(struct caseload_ctx *c, const json_t *v, bool allow_zero, double *out);
int caseload_get_seconds(struct caseload_ctx *c, const json_t *obj, const char *key,
                         bool allow_zero, double *out);
int caseload_bool_value(struct caseload_ctx *c, const json_t *v, bool *out);
int caseload_get_bool(struct caseload_ctx *c, const json_t *obj, const char *key, bool *out);
/* A string without NUL, copied (caller frees). */
int caseload_string_value(struct caseload_ctx *c, const json_t *v, char **out);
int caseload_get_string(struct caseload_ctx *c, const json_t *obj, const char *key, char **out);
/* "text", "binary", ... or 0..15. */
int caseload_opcode_value(struct caseload_ctx *c, const json_t *v, uint8_t *out);

/* ---- payloads (caseload_payload.c) ---- */

/* Any payload form of cases/README.md "Payloads" into *out (zeroed first;
 * on error free it with payload_free). */
int caseload_payload(struct caseload_ctx *c, const json_t *v, struct payload *out);
/* v is a payload: a string, or an object naming a payload form. */
bool caseload_is_payload(const json_t *v);
/* The value of one hex digit, or -1. */
int caseload_hex_digit(char ch);

/* ---- parts of a case (caseload_steps.c, caseload_outcomes.c) ---- */
/* A non-empty list of steps. */
int caseload_steps(struct caseload_ctx *c, const json_t *arr, struct step **out, size_t *count);
/* A non-empty list of outcomes. */
int caseload_outcomes(struct caseload_ctx *c, const json_t *arr, struct outcome **out,
                      size_t *count);

/* ---- shared outcomes (caseload_shared.c) ---- */

/* The outcomes of the shared behaviour NAME of cases/behaviours.json (built
 * in), for an outcome {"use": NAME} (the value at the current path is the
 * name); each gets o->behaviour set. Errors inside the shared file name it. */
int caseload_shared_outcomes(struct caseload_ctx *c, const json_t *name, struct outcome **out,
                             size_t *count);
/* Frees what caseload_shared_outcomes cached in c. */
void caseload_shared_free(struct caseload_ctx *c);

/* ---- consistency keys (caseload_keys.c) ---- */

/* w->stimulus and w->judging from the loaded case w (casewrite.h). */
int caseload_keys(struct caseload_ctx *c, struct wcase *w);

/* ---- reachability (caseload_reach.c) ---- */

/* Every outcome of the loaded case w (borrowed; read from the expanded case
 * object obj) can be reached in principle (cases/README.md "Reachable
 * outcomes"); the first that certainly cannot fails at the outcome as
 * written, cases[k].outcomes[i] (a shared one at its {"use": NAME}), with
 * the current path at the case. */
int caseload_reach(struct caseload_ctx *c, const json_t *obj, const struct wcase *w);

/* ---- the opening handshake (caseload_handshake.c) ---- */

/* A case's "handshake": request overrides or a raw request. */
int caseload_handshake(struct caseload_ctx *c, const json_t *obj, struct handshake_override *out);
/* caseload_deflate.c: a case's "deflate" object. */
int caseload_deflate(struct caseload_ctx *c, const json_t *obj, struct deflate_config *d);
/* caseload_deflate.c: the dataset, start, units and count of a series
 * (send_series, the series event); the caller checked the object's keys. */
int caseload_series(struct caseload_ctx *c, const json_t *obj, struct series *s);
/* An outcome's "handshake": the answer the peer must give. */
int caseload_handshake_expect(struct caseload_ctx *c, const json_t *obj,
                              struct handshake_expect *out);

/* ---- parameters (caseload_params.c) ---- */

/* The rows of a case's "params" (the value at the current path): a new JSON
 * array of objects, one per expansion, in order. */
int caseload_param_rows(struct caseload_ctx *c, const json_t *params, json_t **rows);
/* A deep copy of the case object tmpl (without "params") with every string
 * substituted from row (borrowed), {i} being index. */
int caseload_substitute(struct caseload_ctx *c, const json_t *tmpl, const json_t *row, size_t index,
                        json_t **out);

#endif
