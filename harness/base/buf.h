/* buf: a growable byte buffer with checked size arithmetic.
 *
 * Ownership: a struct buf owns its storage; buf_free() releases it. A zeroed
 * struct buf is a valid empty buffer. All functions that grow the buffer
 * return 0 or WS_ERR_NOMEM / WS_ERR_OVERFLOW and leave the buffer unchanged
 * on error. */
#ifndef WSSPEC_BUF_H
#define WSSPEC_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
    uint8_t *data;
    size_t len;
    size_t cap;
};

/* Ensure room for `extra` more bytes past len. */
int buf_reserve(struct buf *b, size_t extra);
/* Append len bytes (data may be NULL only when len is 0). */
int buf_append(struct buf *b, const void *data, size_t len);
/* Append a NUL-terminated string (the NUL is not appended). */
int buf_append_str(struct buf *b, const char *s);
/* printf-style append. */
int buf_appendf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Drop the first n bytes (n <= len), moving the rest to the front. */
void buf_consume(struct buf *b, size_t n);
void buf_clear(struct buf *b);
void buf_free(struct buf *b);

/* Checked arithmetic: return 0 and store the result, or WS_ERR_OVERFLOW. */
int size_add(size_t a, size_t b, size_t *out);
int u64_add(uint64_t a, uint64_t b, uint64_t *out);

#endif
