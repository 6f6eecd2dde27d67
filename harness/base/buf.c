/* buf: growable byte buffer with checked arithmetic. */
#include "base/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"

int size_add(size_t a, size_t b, size_t *out) {
    if (a > SIZE_MAX - b)
        return WS_ERR_OVERFLOW;
    *out = a + b;
    return 0;
}

int u64_add(uint64_t a, uint64_t b, uint64_t *out) {
    if (a > UINT64_MAX - b)
        return WS_ERR_OVERFLOW;
    *out = a + b;
    return 0;
}

int buf_reserve(struct buf *b, size_t extra) {
    size_t need;
    if (size_add(b->len, extra, &need) != 0)
        return WS_ERR_OVERFLOW;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) {
            cap = need;
            break;
        }
        cap *= 2;
    }
    uint8_t *grown = realloc(b->data, cap);
    if (!grown)
        return WS_ERR_NOMEM;
    b->data = grown;
    b->cap = cap;
    return 0;
}

int buf_append(struct buf *b, const void *data, size_t len) {
    if (len == 0)
        return 0;
    int rc = buf_reserve(b, len);
    if (rc != 0)
        return rc;
    memcpy(b->data + b->len, data, len);
    b->len += len;
    return 0;
}

int buf_append_str(struct buf *b, const char *s) {
    return buf_append(b, s, strlen(s));
}

int buf_appendf(struct buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (need < 0)
        return WS_ERR_ARG;
    /* +1 for the NUL vsnprintf writes; it is not counted in len. */
    int rc = buf_reserve(b, (size_t)need + 1);
    if (rc != 0)
        return rc;
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)need + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)need;
    return 0;
}

void buf_consume(struct buf *b, size_t n) {
    if (n >= b->len) {
        b->len = 0;
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
}

void buf_clear(struct buf *b) {
    b->len = 0;
}

void buf_free(struct buf *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
