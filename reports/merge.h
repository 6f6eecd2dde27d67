/* merge: `wsspec report --merge a.json b.json ...`: join the reports of the
 * shards of one run (`run --shard I/N`) into one report, from which every
 * format is rendered as from a single run's.
 *
 * Refused, with the files and what differs named: reports of different
 * corpora (corpus.digest: the case files and profile), of different
 * selections or shard counts (shard.selection_digest, shard.count), of
 * different targets (target.builtin, target.spawn, and target.url for a
 * target given by URL), of different wsspec versions or --fail-on, and
 * overlapping reports (the same shard twice, or one case in two reports).
 *
 * The merged document: the first report's tool, target and options; the
 * cases of all, sorted by file, line and id (the corpus order); summary
 * and gate recomputed from them (gate lists joined; an unmatched policy
 * entry is one no shard matched); started the earliest, finished the
 * latest, duration_s the sum of the shards' (the machine time); complete
 * when every report is and every shard 1..N is there; shard null; and
 * "merged": [{file, shard, started, duration_s, cases}] one per input. */
#ifndef WSSPEC_MERGE_H
#define WSSPEC_MERGE_H

#include <jansson.h>
#include <stddef.h>

/* Returns the merged document (new reference), or NULL with the reason in
 * errmsg. docs[i] was read from paths[i] (both borrowed). */
json_t *report_merge(json_t *const *docs, const char *const *paths, size_t n, char *errmsg,
                     size_t cap);

#endif
