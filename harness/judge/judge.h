/* judge: compares a transcript with a case's outcomes (the rules are in
 * cases/README.md, "How the judge decides"). Pure. */
#ifndef WSSPEC_JUDGE_H
#define WSSPEC_JUDGE_H

#include "model/casemodel.h"
#include "model/transcript.h"

struct judgement {
    enum verdict verdict;
    int outcome_index;    /* the matching outcome, -1 when none */
    bool degraded;        /* the outcome matched but its verdict was lowered */
    char *reason;         /* owned: one paragraph: why this verdict */
    char *expected;       /* owned: every acceptable outcome, one per line */
    char *actual;         /* owned: the first event departing from the closest outcome */
    int first_unexpected; /* index into the transcript's events, -1 when none */
    bool internal;        /* ERROR through a failure of ours (out of memory, a lost event, a
                             bug): the run exits 4 */
};

void judge_case(const struct wcase *c, const struct transcript *t, struct judgement *out);
/* One outcome for humans, as judgement.expected lists it ("pass: HTTP 426
 * with Sec-WebSocket-Version: 13", "pass: message text 5 octets ..."),
 * appended to *out (e.g. for `wsspec show`). */
struct buf;
void judge_describe_outcome(const struct outcome *o, struct buf *out);
void judgement_free(struct judgement *j);

#endif
