/* dataset_gen: private to the dataset module. The generator of each data set
 * (dataset_text.c, dataset_binary.c) and the small kit they share
 * (dataset_gen.c): an output buffer whose first error sticks, a seeded prng,
 * and Zipf-distributed picks from word lists.
 *
 * Determinism: generators use integer arithmetic only, take random octets
 * from prng_next() little-endian (never prng_fill, whose memcpy follows the
 * host's byte order), and format only integers and strings. */
#ifndef WSSPEC_DATASET_GEN_H
#define WSSPEC_DATASET_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/prng.h"

/* The generators: each appends its data set to out (empty on entry, owned by
 * the caller, who frees it on failure too): 0, or WS_ERR_NOMEM. The text sets
 * are in dataset_text.c, the binary ones in dataset_binary.c. */
int dataset_text_json(struct buf *out);
int dataset_text_prose(struct buf *out);
int dataset_text_markup(struct buf *out);
int dataset_binary_image(struct buf *out);
int dataset_binary_mixed(struct buf *out);

struct dataset_gen {
    struct buf *out; /* borrowed */
    struct prng rng;
    int err; /* the first error of an append (WS_ERR_NOMEM), then appends do nothing */
};

void dataset_gen_init(struct dataset_gen *g, struct buf *out, uint64_t seed);
void dataset_gen_put(struct dataset_gen *g, const char *s);
void dataset_gen_putn(struct dataset_gen *g, const void *data, size_t len);
void dataset_gen_byte(struct dataset_gen *g, uint8_t octet);
/* printf-style, integers and strings only (no floating point: no locale);
 * a line of at most 511 octets. */
void dataset_gen_putf(struct dataset_gen *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* len random octets, little-endian from prng_next(). */
void dataset_gen_random(struct dataset_gen *g, size_t len);
/* Uniform in [0, bound), bound > 0. */
uint64_t dataset_gen_below(struct dataset_gen *g, uint64_t bound);
/* One of words[0..count), as dataset_gen_below. */
const char *dataset_gen_pick(struct dataset_gen *g, const char *const *words, size_t count);
#define DATASET_GEN_PICK(g, list) dataset_gen_pick((g), (list), sizeof(list) / sizeof((list)[0]))

/* A Zipf-like (Zipf-Mandelbrot) distribution over a word list: the word of
 * rank r (from 0) has weight ~1/(r+3), so the first words are frequent but do
 * not crowd out the rest. */
#define DATASET_GEN_ZIPF_MAX 1024
struct dataset_gen_zipf {
    const char *const *words; /* borrowed */
    size_t count;             /* 1..DATASET_GEN_ZIPF_MAX */
    uint32_t cumulative[DATASET_GEN_ZIPF_MAX];
};
void dataset_gen_zipf_init(struct dataset_gen_zipf *z, const char *const *words, size_t count);
const char *dataset_gen_zipf_pick(struct dataset_gen *g, const struct dataset_gen_zipf *z);

/* German text shared by the text sets: words by falling frequency. */
extern const char *const dataset_gen_german_words[];
extern const size_t dataset_gen_german_word_count;
/* One sentence of German-like prose from z: min_words..max_words words, the
 * first capitalized, a comma now and then, ending with . ! ? ; or : */
/* n words picked by z, the first capitalized, separated by spaces; after
 * word i >= comma_after (not the last) a comma one time in comma_one_in. */
void dataset_gen_words(struct dataset_gen *g, const struct dataset_gen_zipf *z, unsigned n,
                       unsigned comma_after, unsigned comma_one_in);
void dataset_gen_sentence(struct dataset_gen *g, const struct dataset_gen_zipf *z,
                          unsigned min_words, unsigned max_words);
/* Append word with its first letter upper-cased (ASCII and ä ö ü). */
void dataset_gen_capitalized(struct dataset_gen *g, const char *word);

#endif
