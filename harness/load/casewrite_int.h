/* casewrite_int: what casewrite.c and casewrite_steps.c share (not a public
 * API). The writer builds a jansson tree from the model, field by field,
 * leaving out what equals the loader's default, and reports the first field
 * it cannot write (a value the format cannot hold) with its path. */
#ifndef WSSPEC_CASEWRITE_INT_H
#define WSSPEC_CASEWRITE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "model/casemodel.h"

/* The canonical texts compare payloads up to this size by their octets
 * ({"repeat": "*", "count": 3} and "***" are the same stimulus, as are all
 * the forms of the empty payload); larger ones by their form, which costs
 * nothing to compare. */
#define CW_OCTETS_MAX (64u * 1024u)

struct cw {
    char *errmsg; /* borrowed: the caller's buffer, filled by the first failure */
    size_t cap;
    int rc;        /* 0, WS_ERR_NOMEM or WS_ERR_ARG */
    bool timing;   /* write the write options (chop, chop_delay, coalesce) */
    bool notes;    /* write notes and {"use": NAME} for shared outcomes */
    bool octets;   /* payloads up to CW_OCTETS_MAX as their octets, whatever their form */
    uint32_t chop; /* the case's defaults for its send steps */
    double chop_delay_s;
};

/* Record WS_ERR_ARG (the first failure wins) naming the field; returns NULL,
 * so a builder can `return cw_fail(...)`. */
json_t *cw_fail(struct cw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Record WS_ERR_NOMEM; returns NULL. */
json_t *cw_nomem(struct cw *w);
/* obj[key] = v (stolen); v NULL means a builder failed: returns -1. */
int cw_put(struct cw *w, json_t *obj, const char *key, json_t *v);
/* arr += v (stolen); as cw_put. */
int cw_append(struct cw *w, json_t *arr, json_t *v);
/* An integer the format can hold (at most 2^63-1), named by field. */
json_t *cw_uint(struct cw *w, uint64_t v, const char *field);

/* A payload in its shortest exact form (cases/README.md "Payloads"). */
json_t *cw_payload(struct cw *w, const struct payload *p, const char *field);
/* The steps, as a list. */
json_t *cw_steps(struct cw *w, const struct step *steps, size_t n);
/* A case's "handshake" object (request overrides or a raw request). */
json_t *cw_handshake(struct cw *w, const struct handshake_override *h);
/* "text", "binary", ... or the number. */
json_t *cw_opcode(uint8_t opcode);
/* The dataset, start, units and count of a series into obj. */
int cw_series(struct cw *w, json_t *obj, const struct series *s);

#endif
