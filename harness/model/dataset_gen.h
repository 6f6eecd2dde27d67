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

/* Each appends its data set to out (empty on entry): 0, or WS_ERR_NOMEM
 * (out is then freed by the caller). */
int dataset_gen_json(struct buf *out);
int dataset_gen_image(struct buf *out);
int dataset_gen_prose(struct buf *out);
int dataset_gen_markup(struct buf *out);
int dataset_gen_mixed(struct buf *out);

struct gen {
    struct buf *out; /* borrowed */
    struct prng rng;
    int err; /* the first error of an append (WS_ERR_NOMEM), then appends do nothing */
};

void gen_init(struct gen *g, struct buf *out, uint64_t seed);
void gen_put(struct gen *g, const char *s);
void gen_putn(struct gen *g, const void *data, size_t len);
void gen_byte(struct gen *g, uint8_t octet);
/* printf-style, integers and strings only (no floating point: no locale). */
void gen_putf(struct gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* len random octets, little-endian from prng_next(). */
void gen_random(struct gen *g, size_t len);
/* Uniform in [0, bound), bound > 0. */
uint64_t gen_below(struct gen *g, uint64_t bound);
/* One of words[0..count), as gen_below. */
const char *gen_pick(struct gen *g, const char *const *words, size_t count);
#define GEN_PICK(g, list) gen_pick((g), (list), sizeof(list) / sizeof((list)[0]))

/* A Zipf-like distribution over a word list: word r has weight ~1/(r+1). */
#define ZIPF_MAX 1024
struct zipf {
    const char *const *words; /* borrowed */
    size_t count;             /* 1..ZIPF_MAX */
    uint32_t cumulative[ZIPF_MAX];
};
void zipf_init(struct zipf *z, const char *const *words, size_t count);
const char *zipf_pick(struct gen *g, const struct zipf *z);

/* German text shared by the text sets: words by falling frequency. */
extern const char *const gen_german_words[];
extern const size_t gen_german_word_count;
/* One sentence of German-like prose (capitalized, ends with . ! or ?),
 * min_words..max_words words. */
void gen_sentence(struct gen *g, const struct zipf *z, unsigned min_words, unsigned max_words);
/* Append word with its first letter upper-cased (ASCII and ä ö ü). */
void gen_capitalized(struct gen *g, const char *word);

#endif
