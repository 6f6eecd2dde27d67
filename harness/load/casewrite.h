/* casewrite: the reverse of caseload: a case in memory written as a case
 * file (cases/README.md), so that `wsspec run --case-file F` reads back the
 * same case: the same steps, handshake, deflate config and outcomes (the
 * canonical texts `stimulus` and `judging` of the reloaded case equal the
 * original's). Used by `wsspec fuzz` to save findings. A run of outcomes of
 * one shared behaviour (outcome.behaviour) is written as {"use": NAME}:
 * cases/behaviours.json is built into wsspec, so the file replays alone, and
 * the reloaded outcomes keep their behaviour name (an outcome a mutator
 * changed must have its behaviour cleared to be written inline). Fields
 * equal to the loader's defaults are left out. Payloads are written in the
 * shortest exact form (text when it is UTF-8 without control octets, hex
 * otherwise, repeat, random, concat and dataset as they are). */
#ifndef WSSPEC_CASEWRITE_H
#define WSSPEC_CASEWRITE_H

#include <stdbool.h>
#include <stddef.h>

#include "model/casemodel.h"

/* A whole case file ({"group": group, "title": title, "cases": [...]}) with
 * cases[0..n), as UTF-8 JSON text, indented, ending in a newline. Each
 * case's "name" is its id with the "<group>." prefix removed (ids of another
 * group are an error: WS_ERR_ARG). Returns 0 with *out set (caller frees),
 * WS_ERR_NOMEM, or WS_ERR_ARG with errmsg saying which field cannot be
 * written. */
int case_write_file_text(const char *group, const char *title, const struct wcase *cases, size_t n,
                         char **out, char *errmsg, size_t cap);

/* Write that text to path atomically (a temporary file renamed). Returns 0,
 * or a negative ws_error with errmsg naming the path and the cause. */
int case_write_file(const char *path, const char *group, const char *title,
                    const struct wcase *cases, size_t n, char *errmsg, size_t cap);

/* The canonical texts of a case (wcase.stimulus, wcase.judging; the loader
 * sets them with this): the JSON, keys sorted, of what the case sends (its
 * steps without the write options chop, chop_delay and coalesce, its
 * handshake, deflate and max_message) and of its outcomes without notes,
 * shared ones written out. Computed from the model, so the form a file
 * spells a value in ("x" or {"text": "x"}, a default written or left out,
 * {"use": NAME} or the behaviour's outcomes) does not matter. Returns 0
 * (caller frees both), WS_ERR_NOMEM, or WS_ERR_ARG with errmsg. */
int case_write_keys(const struct wcase *c, char **stimulus, char **judging, char *errmsg,
                    size_t cap);

/* Deep copy of a case (every owned field), for mutators and minimizers.
 * Returns 0 or WS_ERR_NOMEM (dst then holds nothing: case_free is safe). */
int case_copy(struct wcase *dst, const struct wcase *src);

/* Deep copy of n steps into a new array (*dst NULL when n is 0). Returns 0,
 * or -1 when memory ran out (*dst then NULL, nothing leaked). */
int case_copy_steps(struct step **dst, const struct step *src, size_t n);

/* Whether two cases hold the same (every field of casemodel.h but the
 * source position and the canonical texts; payloads by their form, not
 * only their octets), and two outcomes (notes and behaviour names too). */
bool case_equal(const struct wcase *a, const struct wcase *b);
bool case_outcome_equal(const struct outcome *a, const struct outcome *b);

#endif
