/* cli_shard: `--shard I/N` (a stable, balanced slice of the selection, so
 * that N CI jobs run the corpus between them) and the digests a report
 * records so that `wsspec report --merge` joins only slices of one run:
 * the corpus digest (which cases exist and what they send and accept) and
 * the selection digest (which of them the run selected before slicing).
 * docs/ci.md "Sharding" says how to use them. */
#ifndef WSSPEC_CLI_SHARD_H
#define WSSPEC_CLI_SHARD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "model/casemodel.h"

/* "I/N" with 1 <= I <= N <= CLI_SHARD_MAX. Returns 0 or -1. */
#define CLI_SHARD_MAX 1000
int cli_shard_parse(const char *text, unsigned *index, unsigned *count);

struct shard_info {
    unsigned index, count;     /* 1-based; count 0 = the run was not sharded */
    size_t selected;           /* cases selected before slicing */
    char selection_digest[65]; /* SHA-256 (hex) over the sorted ids selected */
    bool by_durations;         /* balanced by --shard-durations */
};

/* Keep in sel[0..*n) the cases of shard index/count (order kept).
 * Without durations_path: the selection's ids sorted by strcmp, the k-th
 * (0-based) to shard k % count + 1, so shard sizes differ by at most one
 * and a slice depends only on the ids and count. With durations_path (a
 * wsspec JSON report): every case weighs its duration_s there (a case the
 * report lacks weighs the mean of those it has; 1 s when it has none);
 * longest first (ties by id), each into the shard with the least total so
 * far (ties: the lowest shard). Fills *info. Returns 0, or -1 after
 * printing why (the durations report unreadable). */
int cli_shard_select(const char *command, unsigned index, unsigned count,
                     const char *durations_path, const struct wcase **sel, size_t *n,
                     struct shard_info *info);

/* SHA-256 (hex) over the corpus: for every case, sorted by id, the id and
 * the SHA-256 of the file that defines it (its stimulus and its outcomes),
 * then the profile. Returns 0, or -1 when a case file cannot be read. */
int cli_corpus_digest(const struct case_list *all, bool full_profile, char hex[65]);

/* The report's "corpus" and "shard" members: {digest, cases, profile} and
 * {index, count, selected, selection_digest, by_durations} (null when not
 * sharded). New references. */
json_t *cli_corpus_json(const char *digest, size_t cases, bool full_profile);
json_t *cli_shard_json(const struct shard_info *info);

#endif
