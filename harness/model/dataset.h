/* dataset: generated data sets for the compression cases (cases/README.md
 * "Data sets"), the equivalent of the five files Autobahn's 12.x/13.x cases
 * cut their messages from (a JSON document, a BMP image, Goethe's Faust, an
 * HTML page, a PDF), made by deterministic generators instead of copied.
 *
 * Each set is generated on first use from fixed seeds (base/prng, integer
 * arithmetic only, octets taken little-endian, no locale), so it is the same
 * byte for byte on every machine; tests/unit/dataset_test.c holds the SHA-256
 * of each.
 *
 * Globals: this module keeps a process-wide cache, one immutable struct
 * dataset per kind, built once under pthread_once and never freed (it lives
 * as long as the process, like a table in .rodata would). After
 * dataset_get() returned it, any thread may read it without locking. */
#ifndef WSSPEC_DATASET_H
#define WSSPEC_DATASET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum dataset_kind {
    DATASET_JSON,   /* text: a JSON document, records of an API (~256 KiB) */
    DATASET_IMAGE,  /* binary: a 24-bit BMP image (~264 KiB) */
    DATASET_PROSE,  /* text: German verse and prose, Faust-like (~224 KiB) */
    DATASET_MARKUP, /* text: an HTML page with CSS and script (~256 KiB) */
    DATASET_MIXED,  /* binary: a PDF-like file, text and compressed streams (~1 MiB) */
    DATASET_COUNT
};

struct dataset {
    enum dataset_kind kind;
    const char *name;             /* "json", "image", "prose", "markup", "mixed" */
    bool text;                    /* units are code points (valid UTF-8 throughout), else octets */
    const uint8_t *bytes;         /* size octets */
    size_t size;                  /* > 0 */
    size_t units;                 /* code points (text) or octets; > 0 */
    const uint32_t *unit_offsets; /* text: units + 1 byte offsets (last = size); NULL for binary */
};

/* The data set of this kind (kind < DATASET_COUNT), generated on first use
 * (pthread_once per kind; immutable afterwards, shared by every thread, never
 * freed). Borrowed. NULL when memory ran out while generating it (then
 * always NULL for this kind). */
const struct dataset *dataset_get(enum dataset_kind kind);

/* The kind named `name` ("json", "image", "prose", "markup", "mixed"; exact,
 * case-sensitive): returns 0 and sets *out, or -1 for an unknown name. */
int dataset_lookup(const char *name, enum dataset_kind *out);

/* The name of a kind ("json", ...), or NULL for a kind out of range; needs
 * no generation. */
const char *dataset_name(enum dataset_kind kind);

/* A window of `units` units starting at unit `start` (taken modulo
 * d->units), wrapping around to the start of the data as often as needed
 * (Autobahn's sliding windows): its length in octets. For a text set, units
 * are code points and the window is whole code points, valid UTF-8. The
 * caller keeps the window below 2^63 octets (dataset_window_fits() says
 * whether it is); beyond, the result is meaningless. */
uint64_t dataset_window_octets(const struct dataset *d, uint64_t start, uint64_t units);

/* Whether the octet length of that window is below 2^63 (then
 * dataset_window_octets() is exact). Always true for a binary set and
 * units < 2^63. */
bool dataset_window_fits(const struct dataset *d, uint64_t start, uint64_t units);

/* Octets [offset, offset+len) of that window into out (offset + len <= the
 * window's octet length). Produced from the data in place: nothing before
 * `offset` is generated or copied. */
void dataset_window_read(const struct dataset *d, uint64_t start, uint64_t units, uint64_t offset,
                         uint8_t *out, size_t len);

#endif
