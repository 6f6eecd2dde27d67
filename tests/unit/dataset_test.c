/* dataset_test: the generated data sets (model/dataset.h) and the dataset
 * payload form. The SHA-256 of each set is written here because it is the
 * definition of the data (a case's expected echo depends on it, on every
 * machine); the structural checks say the octets are what the set claims
 * to be (JSON that parses, valid UTF-8, a BMP head, a PDF frame) and that
 * windows cut from them are right, against a reference built unit by unit. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "base/errors.h"
#include "base/prng.h"
#include "codec/utf8.h"
#include "load/caseload.h"
#include "model/dataset.h"
#include "model/dataset_gen.h"
#include "model/payload.h"
#include "test.h"

/* The SHA-256 of each set, in enum order: changing a generator changes the
 * data every case with a dataset payload sends, so it must be on purpose. */
static const char *const expected_sha256[DATASET_COUNT] = {
    [DATASET_JSON] = "85c72486b9e13946559c1940cd58bdcd8cbc393fc7f224fecb4642b284957e62",
    [DATASET_IMAGE] = "bc9fe44d39142e44c3d87a0c8b5cfc33e7e0383977222f06631c11714a7ee6d5",
    [DATASET_PROSE] = "d2a2c1b20d8bffb2d358cb97f4df2399cdbed81be2a453120fa18b0717b9d3f4",
    [DATASET_MARKUP] = "873764ab91f23f75750e412c385f4a1a55b171e228b52cd2f70d8d43b21fed09",
    [DATASET_MIXED] = "ff0bf50693c7d1b10eae1b584b04493dfa58cd3e2b428f9cebb8dfd627309eb3",
};

static int (*const generators[DATASET_COUNT])(struct buf *) = {
    [DATASET_JSON] = dataset_text_json,     [DATASET_IMAGE] = dataset_binary_image,
    [DATASET_PROSE] = dataset_text_prose,   [DATASET_MARKUP] = dataset_text_markup,
    [DATASET_MIXED] = dataset_binary_mixed,
};

static void sha256_hex(const uint8_t *data, size_t len, char hex[65]) {
    uint8_t md[32];
    unsigned int n = 0;
    EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

static const struct dataset *get(enum dataset_kind kind) {
    const struct dataset *d = dataset_get(kind);
    CHECK(d != NULL);
    if (!d)
        exit(1); /* nothing else can be checked */
    return d;
}

static void test_lookup(void) {
    static const char *const names[DATASET_COUNT] = {"json", "image", "prose", "markup", "mixed"};
    for (int k = 0; k < DATASET_COUNT; k++) {
        enum dataset_kind kind = DATASET_COUNT;
        CHECK_EQ(dataset_lookup(names[k], &kind), 0);
        CHECK_EQ(kind, k);
        CHECK_STR(dataset_name((enum dataset_kind)k), names[k]);
        CHECK_STR(get((enum dataset_kind)k)->name, names[k]);
        CHECK_EQ(get((enum dataset_kind)k)->kind, k);
    }
    enum dataset_kind kind;
    CHECK_EQ(dataset_lookup("JSON", &kind), -1);
    CHECK_EQ(dataset_lookup("pdf", &kind), -1);
    CHECK_EQ(dataset_lookup("", &kind), -1);
    CHECK(dataset_get(DATASET_COUNT) == NULL);
    CHECK(dataset_name(DATASET_COUNT) == NULL);
}

/* Generated a second time from scratch, each set is the same octets; and
 * they are the octets this test defines. */
static void test_deterministic(void) {
    for (int k = 0; k < DATASET_COUNT; k++) {
        const struct dataset *d = get((enum dataset_kind)k);
        struct buf again = {0};
        CHECK_EQ(generators[k](&again), 0);
        CHECK_MEM(again.data, again.len, d->bytes, d->size);
        buf_free(&again);
        char hex[65];
        sha256_hex(d->bytes, d->size, hex);
        if (strcmp(hex, expected_sha256[k]) != 0)
            fprintf(stderr, "%s: sha256 %s (size %zu, units %zu)\n", d->name, hex, d->size,
                    d->units);
        CHECK_STR(hex, expected_sha256[k]);
    }
}

static void test_sizes(void) {
    for (int k = 0; k < DATASET_COUNT; k++) {
        const struct dataset *d = get((enum dataset_kind)k);
        size_t lo = 192u * 1024u, hi = 320u * 1024u;
        if (k == DATASET_MIXED) {
            lo = 768u * 1024u;
            hi = 1536u * 1024u;
        }
        CHECK(d->size >= lo && d->size <= hi);
        CHECK_EQ(d->text, k == DATASET_JSON || k == DATASET_PROSE || k == DATASET_MARKUP);
    }
}

/* zlib level 6 (what permessage-deflate peers mostly use) compresses each set
 * as its real counterpart compresses: far from 1 for text, near 1 for the
 * binary sets; an all-zero set or pure noise falls outside. */
static void test_compression_ratios(void) {
    /* ratio x 100: lowest and highest accepted (measured values in cases/README.md) */
    static const unsigned range[DATASET_COUNT][2] = {
        [DATASET_JSON] = {300, 800},   [DATASET_IMAGE] = {105, 200}, [DATASET_PROSE] = {230, 400},
        [DATASET_MARKUP] = {350, 800}, [DATASET_MIXED] = {110, 200},
    };
    for (int k = 0; k < DATASET_COUNT; k++) {
        const struct dataset *d = get((enum dataset_kind)k);
        uLongf zlen = compressBound((uLong)d->size);
        uint8_t *z = malloc(zlen);
        CHECK(z != NULL);
        if (!z)
            return;
        CHECK_EQ(compress2(z, &zlen, d->bytes, (uLong)d->size, 6), Z_OK);
        unsigned ratio100 = (unsigned)((uint64_t)d->size * 100 / zlen);
        if (ratio100 < range[k][0] || ratio100 > range[k][1])
            fprintf(stderr, "%s: ratio %u.%02u\n", d->name, ratio100 / 100, ratio100 % 100);
        CHECK(ratio100 >= range[k][0] && ratio100 <= range[k][1]);
        free(z);
    }
}

/* Octets a UTF-8 sequence with this lead octet has (0 for a non-lead). */
static unsigned sequence_length(uint8_t lead) {
    return lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0;
}

static void test_text_sets(void) {
    for (int k = 0; k < DATASET_COUNT; k++) {
        const struct dataset *d = get((enum dataset_kind)k);
        if (!d->text) {
            CHECK(d->unit_offsets == NULL);
            CHECK_EQ(d->units, d->size);
            continue;
        }
        size_t bad_at = 0;
        CHECK(utf8_is_valid(d->bytes, d->size, &bad_at));
        CHECK(d->unit_offsets != NULL);
        CHECK_EQ(d->unit_offsets[0], 0);
        CHECK_EQ(d->unit_offsets[d->units], d->size);
        size_t bad_steps = 0, wide[5] = {0};
        for (size_t u = 0; u < d->units; u++) {
            unsigned step = d->unit_offsets[u + 1] - d->unit_offsets[u];
            if (step == 0 || step != sequence_length(d->bytes[d->unit_offsets[u]]))
                bad_steps++;
            else
                wide[step]++;
        }
        CHECK_EQ(bad_steps, 0);
        /* Non-ASCII throughout: umlauts and accents (2 octets) in every set;
         * CJK (3) and an emoji (4) in json. */
        CHECK(wide[2] > 100);
        if (k == DATASET_JSON) {
            CHECK(wide[3] > 100);
            CHECK(wide[4] > 0);
        }
    }
}

static void test_json_parses(void) {
    const struct dataset *d = get(DATASET_JSON);
    json_error_t err;
    json_t *root = json_loadb((const char *)d->bytes, d->size, JSON_REJECT_DUPLICATES, &err);
    CHECK(root != NULL);
    if (!root) {
        fprintf(stderr, "json: %s at line %d\n", err.text, err.line);
        return;
    }
    CHECK(json_is_array(root));
    CHECK(json_array_size(root) > 100);
    size_t i;
    json_t *rec;
    size_t nested = 0;
    json_array_foreach(root, i, rec) {
        json_t *name = json_object_get(rec, "name"), *friends = json_object_get(rec, "friends");
        json_t *registered = json_object_get(rec, "registered");
        if (json_is_object(name) && json_is_string(json_object_get(name, "first")) &&
            json_is_array(friends) && json_array_size(friends) == 3 &&
            json_is_integer(json_object_get(rec, "index")) &&
            json_integer_value(json_object_get(rec, "index")) == (json_int_t)i &&
            json_is_real(json_object_get(rec, "latitude")) && json_is_string(registered) &&
            json_string_length(registered) >= 20 && json_string_value(registered)[10] == 'T')
            nested++;
    }
    CHECK_EQ(nested, json_array_size(root));
    json_decref(root);
}

/* Occurrences of needle in the set. */
static size_t count_of(const struct dataset *d, const char *needle) {
    size_t n = 0, len = strlen(needle);
    for (size_t i = 0; i + len <= d->size; i++)
        if (memcmp(d->bytes + i, needle, len) == 0)
            n++;
    return n;
}

/* The HTML page is one document whose elements open and close in pairs; the
 * prose is verse spoken by characters, with umlauts and sharp s. */
static void test_markup_and_prose(void) {
    const struct dataset *html = get(DATASET_MARKUP);
    static const char head[] = "<!DOCTYPE html>\n<html lang=\"de\">\n<head>\n";
    static const char tail[] = "</body>\n</html>\n";
    CHECK(memcmp(html->bytes, head, sizeof head - 1) == 0);
    CHECK(memcmp(html->bytes + html->size - (sizeof tail - 1), tail, sizeof tail - 1) == 0);
    static const char *const elements[] = {"article", "p",      "a",     "li",     "ul",
                                           "div",     "h2",     "style", "script", "em",
                                           "strong",  "figure", "time"};
    for (size_t i = 0; i < sizeof elements / sizeof elements[0]; i++) {
        char open[32], open_attr[32], close[32];
        snprintf(open, sizeof open, "<%s>", elements[i]);
        snprintf(open_attr, sizeof open_attr, "<%s ", elements[i]);
        snprintf(close, sizeof close, "</%s>", elements[i]);
        size_t opened = count_of(html, open) + count_of(html, open_attr);
        if (opened != count_of(html, close))
            fprintf(stderr, "<%s>: %zu opened, %zu closed\n", elements[i], opened,
                    count_of(html, close));
        CHECK(opened > 0 && opened == count_of(html, close));
    }
    CHECK(count_of(html, "&amp;") > 10 && count_of(html, "&nbsp;") > 10);
    const struct dataset *prose = get(DATASET_PROSE);
    CHECK(count_of(prose, "\nFAUST:\n") > 20 && count_of(prose, "\nMEPHISTOPHELES:\n") > 20);
    CHECK(count_of(prose, u8"ß") > 100 && count_of(prose, u8"ü") > 100 &&
          count_of(prose, u8"Ü") > 10);
    CHECK(count_of(prose, "\n") > 5000); /* verse: short lines */
}

static uint32_t le32_at(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void test_binary_sets(void) {
    const struct dataset *img = get(DATASET_IMAGE);
    CHECK(memcmp(img->bytes, "BM", 2) == 0);
    CHECK_EQ(le32_at(img->bytes + 2), img->size); /* bfSize */
    CHECK_EQ(le32_at(img->bytes + 10), 54);       /* bfOffBits */
    uint32_t width = le32_at(img->bytes + 18), height = le32_at(img->bytes + 22);
    CHECK_EQ(54 + (uint64_t)width * 3 * height, img->size); /* 24 bits, rows of 4k octets */
    CHECK_EQ(img->bytes[28], 24);
    const struct dataset *pdf = get(DATASET_MIXED);
    CHECK(memcmp(pdf->bytes, "%PDF-1.", 7) == 0);
    CHECK(pdf->size > 6 && memcmp(pdf->bytes + pdf->size - 6, "%%EOF\n", 6) == 0);
}

/* The window built unit by unit from the definition: unit (start + i) mod
 * units for i in [0, units). Caller frees. */
static uint8_t *reference_window(const struct dataset *d, uint64_t start, uint64_t units,
                                 size_t *len) {
    struct buf b = {0};
    if (buf_reserve(&b, 1) != 0) /* never NULL, even when empty */
        exit(1);
    for (uint64_t i = 0; i < units; i++) {
        uint64_t u = (start + i) % d->units;
        size_t from = d->text ? d->unit_offsets[u] : (size_t)u;
        size_t to = d->text ? d->unit_offsets[u + 1] : (size_t)u + 1;
        if (buf_append(&b, d->bytes + from, to - from) != 0)
            exit(1);
    }
    *len = b.len;
    return b.data;
}

static void check_window(const struct dataset *d, uint64_t start, uint64_t units) {
    size_t ref_len = 0;
    uint8_t *ref = reference_window(d, start, units, &ref_len);
    CHECK_EQ_U64(dataset_window_octets(d, start, units), ref_len);
    CHECK(dataset_window_fits(d, start, units));
    uint8_t *got = malloc(ref_len + 1);
    got[ref_len] = 0xA5;
    dataset_window_read(d, start, units, 0, got, ref_len);
    CHECK_MEM(got, ref_len, ref, ref_len);
    CHECK_EQ(got[ref_len], 0xA5);
    if (d->text)
        CHECK(utf8_is_valid(got, ref_len, NULL));
    free(got);
    free(ref);
}

static void test_windows(void) {
    for (int k = 0; k < DATASET_COUNT; k++) {
        const struct dataset *d = get((enum dataset_kind)k);
        uint64_t n = d->units;
        /* Empty windows, anywhere. */
        CHECK_EQ_U64(dataset_window_octets(d, 0, 0), 0);
        CHECK_EQ_U64(dataset_window_octets(d, n - 1, 0), 0);
        CHECK_EQ_U64(dataset_window_octets(d, UINT64_MAX, 0), 0);
        check_window(d, 0, 0);
        check_window(d, 12345, 0);
        /* The whole set, from its start and from elsewhere. */
        CHECK_EQ_U64(dataset_window_octets(d, 0, n), d->size);
        CHECK_EQ_U64(dataset_window_octets(d, 777, n), d->size);
        check_window(d, 0, 1000);
        check_window(d, n - 1, 1);
        /* Across the end: the tail of the data and then its head. */
        check_window(d, n - 5, 10);
        check_window(d, n - 300, 1000);
        /* Around more than once, and a start taken modulo the units. */
        check_window(d, 4321, 2 * n + 77);
        CHECK_EQ_U64(dataset_window_octets(d, 3 * n + 17, 500), dataset_window_octets(d, 17, 500));
        CHECK_EQ_U64(dataset_window_octets(d, 5, 3 * n), 3 * (uint64_t)d->size);
    }
}

/* A window across the end equals its two pieces one after the other. */
static void test_window_pieces(void) {
    for (int k = 0; k < DATASET_COUNT; k++) {
        const struct dataset *d = get((enum dataset_kind)k);
        uint64_t n = d->units, start = n - 40, units = 100;
        uint64_t a = dataset_window_octets(d, start, 40), b = dataset_window_octets(d, 0, 60);
        CHECK_EQ_U64(dataset_window_octets(d, start, units), a + b);
        uint8_t whole[400], pieces[400];
        CHECK(a + b <= sizeof whole);
        dataset_window_read(d, start, units, 0, whole, (size_t)(a + b));
        dataset_window_read(d, start, 40, 0, pieces, (size_t)a);
        dataset_window_read(d, 0, 60, 0, pieces + a, (size_t)b);
        CHECK_MEM(whole, (size_t)(a + b), pieces, (size_t)(a + b));
        CHECK(memcmp(pieces + a, d->bytes, (size_t)b) == 0);
    }
}

/* payload_read at random offsets equals the same slice of the materialized
 * window; copies read the same; the streamed digest is the one-shot one. */
static void test_payload(void) {
    struct prng rng;
    prng_seed(&rng, 42);
    for (int k = 0; k < DATASET_COUNT; k++) {
        const struct dataset *d = get((enum dataset_kind)k);
        uint64_t start = d->units - 1000, units = d->units + 5000; /* wraps twice */
        struct payload p;
        CHECK_EQ(payload_from_dataset(&p, (enum dataset_kind)k, start, units), 0);
        CHECK_EQ(p.kind, PAYLOAD_DATASET);
        CHECK_EQ_U64(p.length, dataset_window_octets(d, start, units));
        size_t ref_len = 0;
        uint8_t *ref = reference_window(d, start, units, &ref_len);
        CHECK_EQ_U64(p.length, ref_len);
        uint8_t *whole = payload_materialize(&p, SIZE_MAX - 1);
        CHECK(whole != NULL && memcmp(whole, ref, ref_len) == 0);
        struct payload copy;
        CHECK_EQ(payload_copy(&copy, &p), 0);
        uint8_t piece[4096];
        int bad = 0;
        for (int i = 0; i < 2000; i++) {
            uint64_t off = prng_below(&rng, ref_len + 1);
            size_t len = (size_t)prng_below(&rng, sizeof piece + 1);
            if (len > ref_len - off)
                len = (size_t)(ref_len - off);
            payload_read(i % 2 ? &copy : &p, off, piece, len);
            if (memcmp(piece, ref + off, len) != 0)
                bad++;
        }
        CHECK_EQ(bad, 0);
        uint8_t streamed[32], one_shot[32];
        unsigned int md_len = 0;
        payload_sha256(&p, streamed);
        EVP_Digest(ref, ref_len, one_shot, &md_len, EVP_sha256(), NULL);
        CHECK(memcmp(streamed, one_shot, 32) == 0);
        free(whole);
        free(ref);
        payload_free(&copy);
        payload_free(&p);
    }
    /* 2^63 octets or more: refused, exactly at the limit. */
    struct payload p;
    const struct dataset *img = get(DATASET_IMAGE);
    CHECK_EQ(payload_from_dataset(&p, DATASET_IMAGE, 0, (uint64_t)INT64_MAX), 0);
    CHECK_EQ_U64(p.length, (uint64_t)INT64_MAX); /* a binary set: units are octets */
    CHECK(!dataset_window_fits(img, 0, (uint64_t)INT64_MAX + 1));
    CHECK_EQ(payload_from_dataset(&p, DATASET_IMAGE, 0, (uint64_t)INT64_MAX + 1), WS_ERR_LIMIT);
    CHECK_EQ(payload_from_dataset(&p, DATASET_JSON, 0, (uint64_t)INT64_MAX), WS_ERR_LIMIT);
    CHECK_EQ(payload_from_dataset(&p, DATASET_COUNT, 0, 1), WS_ERR_ARG);
}

/* Every thread asking at once gets the one set. */
static void *get_all(void *arg) {
    const struct dataset **out = arg;
    for (int k = 0; k < DATASET_COUNT; k++)
        out[k] = dataset_get((enum dataset_kind)k);
    return NULL;
}

static void test_threads(void) {
    enum { THREADS = 4 };
    pthread_t tid[THREADS];
    const struct dataset *seen[THREADS][DATASET_COUNT];
    for (int t = 0; t < THREADS; t++)
        CHECK_EQ(pthread_create(&tid[t], NULL, get_all, seen[t]), 0);
    for (int t = 0; t < THREADS; t++)
        pthread_join(tid[t], NULL);
    for (int t = 0; t < THREADS; t++)
        for (int k = 0; k < DATASET_COUNT; k++)
            CHECK(seen[t][k] != NULL && seen[t][k] == seen[0][k]);
}

/* The payload form as a case file writes it. */
static void test_case_file(void) {
    char path[] = "/tmp/wsspec-dataset-test-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    static const char text[] =
        "{\"group\": \"g\", \"title\": \"t\", \"cases\": [\n"
        "  {\"name\": \"x\", \"title\": \"t\", \"rfc\": [\"6455:5.2\"],\n"
        "   \"steps\": [{\"send_raw\": {\"dataset\": \"prose\", \"units\": 50}},\n"
        "             {\"send_raw\": {\"dataset\": \"mixed\", \"start\": 7, \"units\": 0}}],\n"
        "   \"outcomes\": [{\"verdict\": \"pass\"}]}]}\n";
    CHECK_EQ(write(fd, text, sizeof text - 1), (long long)(sizeof text - 1));
    close(fd);
    struct case_list l = {0};
    struct case_error err;
    CHECK_EQ(case_load_file(path, &l, &err), 0);
    unlink(path);
    CHECK_EQ(l.count, 1);
    if (l.count != 1)
        return;
    const struct step *s = l.items[0].steps;
    CHECK_EQ(l.items[0].step_count, 2);
    CHECK_EQ(s[0].u.raw.kind, PAYLOAD_DATASET);
    CHECK_EQ(s[0].u.raw.dataset.kind, DATASET_PROSE);
    CHECK_EQ_U64(s[0].u.raw.dataset.start, 0);
    CHECK_EQ_U64(s[0].u.raw.dataset.units, 50);
    const struct dataset *prose = get(DATASET_PROSE);
    CHECK_EQ_U64(s[0].u.raw.length, prose->unit_offsets[50]);
    CHECK_EQ(s[1].u.raw.dataset.kind, DATASET_MIXED);
    CHECK_EQ_U64(s[1].u.raw.dataset.start, 7);
    CHECK_EQ_U64(s[1].u.raw.length, 0);
    case_list_free(&l);
}

int main(void) {
    RUN(test_lookup);
    RUN(test_deterministic);
    RUN(test_sizes);
    RUN(test_compression_ratios);
    RUN(test_text_sets);
    RUN(test_json_parses);
    RUN(test_markup_and_prose);
    RUN(test_binary_sets);
    RUN(test_windows);
    RUN(test_window_pieces);
    RUN(test_payload);
    RUN(test_threads);
    RUN(test_case_file);
    TEST_EXIT();
}
