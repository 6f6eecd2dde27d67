/* payload: octet strings described by case files (cases/README.md
 * "Payloads"), produced window by window so that a 16 MiB message is sent and
 * hashed in bounded chunks, never held whole. Pure: no I/O, no globals of its
 * own (a dataset payload reads the data set cache of model/dataset.c). */
#include "model/payload.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "base/buf.h"
#include "base/errors.h"
#include "base/wrap.h"

/* payload_sha256 hashes in chunks of this size. */
#define SHA_CHUNK (64u * 1024u)

/* RANDOM: octet o of a payload is octet (o % 8) of block (o / 8), and block k
 * is the (k+1)-th output of splitmix64 started at the seed. Any block is
 * computed on its own, so any window is produced without what precedes it.
 * The octets of a block are taken little-endian, the same on every host. */
/* splitmix64 multiplies and adds modulo 2^64 by design. */
WS_WRAPS_ON_PURPOSE static uint64_t random_block(uint64_t seed, uint64_t k) {
    uint64_t z = seed + (k + 1) * 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void read_random(uint64_t seed, uint64_t offset, uint8_t *out, size_t len) {
    uint64_t block = offset / 8;
    unsigned skip = (unsigned)(offset % 8);
    while (len > 0) {
        uint64_t r = random_block(seed, block);
        for (unsigned b = skip; b < 8 && len > 0; b++) {
            *out++ = (uint8_t)(r >> (8 * b));
            len--;
        }
        skip = 0;
        block++;
    }
}

static void read_repeat(const struct payload *p, uint64_t offset, uint8_t *out, size_t len) {
    size_t unit = p->unit_len;
    size_t start = (size_t)(offset % unit);
    if (unit == 1) {
        memset(out, p->bytes[0], len);
        return;
    }
    /* The tail of the unit first, then whole units; once one whole unit is
     * in `out`, the rest is copied from `out` itself in doubling steps. */
    size_t first = unit - start;
    if (first > len)
        first = len;
    memcpy(out, p->bytes + start, first);
    size_t done = first;
    if (done == len)
        return;
    size_t head = len - done < unit ? len - done : unit;
    memcpy(out + done, p->bytes, head);
    size_t period_start = done; /* out[period_start..] starts at unit offset 0 */
    done += head;
    while (done < len) {
        size_t have = done - period_start; /* a whole number of units */
        size_t n = len - done < have ? len - done : have;
        memcpy(out + done, out + period_start, n);
        done += n;
    }
}

void payload_read(const struct payload *p, uint64_t offset, uint8_t *out, size_t len) {
    if (len == 0)
        return;
    switch (p->kind) {
    case PAYLOAD_BYTES: memcpy(out, p->bytes + offset, len); return;
    case PAYLOAD_REPEAT: read_repeat(p, offset, out, len); return;
    case PAYLOAD_RANDOM: read_random(p->seed, offset, out, len); return;
    case PAYLOAD_DATASET: {
        const struct dataset *d = dataset_get(p->dataset.kind);
        /* Never NULL once payload_from_dataset() made the payload: the cache
         * keeps a set for the life of the process. */
        if (!d) {
            memset(out, 0, len);
            return;
        }
        dataset_window_read(d, p->dataset.start, p->dataset.units, offset, out, len);
        return;
    }
    case PAYLOAD_CONCAT: {
        uint64_t part_start = 0;
        for (size_t i = 0; i < p->part_count && len > 0; i++) {
            const struct payload *part = &p->parts[i];
            uint64_t part_end = part_start + part->length;
            if (offset < part_end) {
                uint64_t avail = part_end - offset;
                size_t n = avail < len ? (size_t)avail : len;
                payload_read(part, offset - part_start, out, n);
                out += n;
                len -= n;
                offset += n;
            }
            part_start = part_end;
        }
        return;
    }
    }
}

uint8_t *payload_materialize(const struct payload *p, size_t max_len) {
    if (p->length > max_len || p->length > SIZE_MAX - 1)
        return NULL;
    uint8_t *out = malloc(p->length ? (size_t)p->length : 1);
    if (!out)
        return NULL;
    payload_read(p, 0, out, (size_t)p->length);
    return out;
}

/* On failure of OpenSSL itself (no memory) the digest is all zeros, which
 * matches no real payload: a comparison fails rather than passes. */
void payload_sha256(const struct payload *p, uint8_t out[32]) {
    uint8_t fallback[4096];
    uint8_t *chunk = malloc(SHA_CHUNK);
    size_t chunk_cap = SHA_CHUNK;
    if (!chunk) {
        chunk = fallback;
        chunk_cap = sizeof fallback;
    }
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned int md_len = 0;
    int ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1;
    for (uint64_t off = 0; ok && off < p->length;) {
        uint64_t left = p->length - off;
        size_t n = left < chunk_cap ? (size_t)left : chunk_cap;
        payload_read(p, off, chunk, n);
        ok = EVP_DigestUpdate(md, chunk, n) == 1;
        off += n;
    }
    ok = ok && EVP_DigestFinal_ex(md, out, &md_len) == 1 && md_len == 32;
    if (!ok)
        memset(out, 0, 32);
    EVP_MD_CTX_free(md);
    if (chunk != fallback)
        free(chunk);
}

int payload_copy(struct payload *dst, const struct payload *src) {
    struct payload tmp = *src;
    tmp.bytes = NULL;
    tmp.parts = NULL;
    tmp.part_count = 0;
    size_t nbytes = 0;
    if (src->kind == PAYLOAD_BYTES)
        nbytes = (size_t)src->length;
    else if (src->kind == PAYLOAD_REPEAT)
        nbytes = src->unit_len;
    if (nbytes > 0 && src->bytes) {
        tmp.bytes = malloc(nbytes);
        if (!tmp.bytes)
            return WS_ERR_NOMEM;
        memcpy(tmp.bytes, src->bytes, nbytes);
    }
    if (src->kind == PAYLOAD_CONCAT && src->part_count > 0) {
        tmp.parts = calloc(src->part_count, sizeof *tmp.parts);
        if (!tmp.parts) {
            free(tmp.bytes);
            return WS_ERR_NOMEM;
        }
        for (size_t i = 0; i < src->part_count; i++) {
            int rc = payload_copy(&tmp.parts[i], &src->parts[i]);
            if (rc != 0) {
                tmp.part_count = i;
                payload_free(&tmp);
                return rc;
            }
        }
        tmp.part_count = src->part_count;
    }
    *dst = tmp;
    return 0;
}

void payload_free(struct payload *p) {
    if (!p)
        return;
    for (size_t i = 0; i < p->part_count; i++)
        payload_free(&p->parts[i]);
    free(p->parts);
    free(p->bytes);
    memset(p, 0, sizeof *p);
}

int payload_from_dataset(struct payload *p, enum dataset_kind kind, uint64_t start,
                         uint64_t units) {
    memset(p, 0, sizeof *p);
    if ((unsigned)kind >= DATASET_COUNT)
        return WS_ERR_ARG;
    const struct dataset *d = dataset_get(kind);
    if (!d)
        return WS_ERR_NOMEM;
    if (!dataset_window_fits(d, start, units))
        return WS_ERR_LIMIT;
    p->kind = PAYLOAD_DATASET;
    p->dataset.kind = kind;
    p->dataset.start = start;
    p->dataset.units = units;
    p->length = dataset_window_octets(d, start, units);
    return 0;
}

int payload_from_bytes(struct payload *p, const uint8_t *data, size_t len) {
    memset(p, 0, sizeof *p);
    p->kind = PAYLOAD_BYTES;
    if (len > 0) {
        p->bytes = malloc(len);
        if (!p->bytes)
            return WS_ERR_NOMEM;
        memcpy(p->bytes, data, len);
    }
    p->length = len;
    return 0;
}
