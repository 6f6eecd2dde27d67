/* dataset: the process-wide cache of generated data sets and the windows cut
 * from them (dataset.h). The generators are in dataset_text.c and
 * dataset_binary.c (dataset_gen.h). */
#include "model/dataset.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "model/dataset_gen.h"

/* One row per kind, in enum order. */
struct dataset_row {
    const char *name;
    bool text;
    int (*generate)(struct buf *out);
};

static const struct dataset_row rows[DATASET_COUNT] = {
    [DATASET_JSON] = {"json", true, dataset_text_json},
    [DATASET_IMAGE] = {"image", false, dataset_binary_image},
    [DATASET_PROSE] = {"prose", true, dataset_text_prose},
    [DATASET_MARKUP] = {"markup", true, dataset_text_markup},
    [DATASET_MIXED] = {"mixed", false, dataset_binary_mixed},
};

/* The cache (dataset.h "Globals"): written once per kind inside
 * pthread_once, read-only afterwards. */
static struct dataset sets[DATASET_COUNT];
static const struct dataset *ready[DATASET_COUNT];
static pthread_once_t once[DATASET_COUNT] = {
    PTHREAD_ONCE_INIT, PTHREAD_ONCE_INIT, PTHREAD_ONCE_INIT, PTHREAD_ONCE_INIT, PTHREAD_ONCE_INIT};

/* The byte offset of each code point of valid UTF-8 text, and the size last:
 * units + 1 entries (caller frees). NULL when memory runs out. */
static uint32_t *code_point_offsets(const uint8_t *text, size_t size, size_t *units) {
    size_t count = 0;
    for (size_t i = 0; i < size; i++)
        if ((text[i] & 0xC0) != 0x80)
            count++;
    uint32_t *offsets = malloc((count + 1) * sizeof *offsets);
    if (!offsets)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < size; i++)
        if ((text[i] & 0xC0) != 0x80)
            offsets[k++] = (uint32_t)i;
    offsets[k] = (uint32_t)size;
    *units = count;
    return offsets;
}

static void build(enum dataset_kind kind) {
    const struct dataset_row *row = &rows[kind];
    struct buf out = {0};
    if (row->generate(&out) != 0 || out.len == 0 || out.len > UINT32_MAX) {
        buf_free(&out);
        return;
    }
    struct dataset *d = &sets[kind];
    d->kind = kind;
    d->name = row->name;
    d->text = row->text;
    d->size = out.len;
    d->units = out.len;
    d->unit_offsets = NULL;
    if (row->text) {
        uint32_t *offsets = code_point_offsets(out.data, out.len, &d->units);
        if (!offsets) {
            buf_free(&out);
            return;
        }
        d->unit_offsets = offsets;
    }
    d->bytes = out.data; /* owned by the cache for the life of the process */
    ready[kind] = d;
}

static void build_json(void) {
    build(DATASET_JSON);
}
static void build_image(void) {
    build(DATASET_IMAGE);
}
static void build_prose(void) {
    build(DATASET_PROSE);
}
static void build_markup(void) {
    build(DATASET_MARKUP);
}
static void build_mixed(void) {
    build(DATASET_MIXED);
}

static void (*const builders[DATASET_COUNT])(void) = {
    [DATASET_JSON] = build_json,     [DATASET_IMAGE] = build_image, [DATASET_PROSE] = build_prose,
    [DATASET_MARKUP] = build_markup, [DATASET_MIXED] = build_mixed,
};

const struct dataset *dataset_get(enum dataset_kind kind) {
    if ((unsigned)kind >= DATASET_COUNT)
        return NULL;
    if (pthread_once(&once[kind], builders[kind]) != 0)
        return NULL;
    return ready[kind];
}

int dataset_lookup(const char *name, enum dataset_kind *out) {
    for (int k = 0; name && k < DATASET_COUNT; k++) {
        if (strcmp(name, rows[k].name) == 0) {
            *out = (enum dataset_kind)k;
            return 0;
        }
    }
    return -1;
}

const char *dataset_name(enum dataset_kind kind) {
    return (unsigned)kind < DATASET_COUNT ? rows[kind].name : NULL;
}

/* The byte offset of unit u (0 <= u <= units). */
static uint64_t unit_offset(const struct dataset *d, uint64_t u) {
    return d->unit_offsets ? d->unit_offsets[u] : u;
}

/* The octets of the units that follow the whole laps: at most d->size. */
static uint64_t partial_lap(const struct dataset *d, uint64_t first, uint64_t rest) {
    uint64_t end = first + rest, from = unit_offset(d, first);
    if (end <= d->units)
        return unit_offset(d, end) - from;
    return (d->size - from) + unit_offset(d, end - d->units);
}

bool dataset_window_fits(const struct dataset *d, uint64_t start, uint64_t units) {
    uint64_t laps = units / d->units;
    if (laps > (uint64_t)INT64_MAX / d->size)
        return false; /* laps * size alone is 2^63 or more */
    /* Both terms are at most INT64_MAX: the sum does not wrap. */
    return laps * d->size + partial_lap(d, start % d->units, units % d->units) <=
           (uint64_t)INT64_MAX;
}

uint64_t dataset_window_octets(const struct dataset *d, uint64_t start, uint64_t units) {
    return (units / d->units) * d->size + partial_lap(d, start % d->units, units % d->units);
}

void dataset_window_read(const struct dataset *d, uint64_t start, uint64_t units, uint64_t offset,
                         uint8_t *out, size_t len) {
    (void)units; /* the window is the data read cyclically from its first unit on */
    uint64_t pos = (unit_offset(d, start % d->units) + offset % d->size) % d->size;
    while (len > 0) {
        size_t n = d->size - (size_t)pos;
        if (n > len)
            n = len;
        memcpy(out, d->bytes + pos, n);
        out += n;
        len -= n;
        pos = 0;
    }
}
