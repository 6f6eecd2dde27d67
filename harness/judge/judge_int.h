/* judge_int: what judge.c (the decision) and judge_describe.c (text for
 * humans) share. Private to the judge. */
#ifndef WSSPEC_JUDGE_INT_H
#define WSSPEC_JUDGE_INT_H

#include "base/buf.h"
#include "model/casemodel.h"
#include "model/transcript.h"

/* judge_answer.c: an outcome's handshake expectation against the answer. */
enum handshake_match {
    HM_NO,        /* the answer is not the one the outcome expects */
    HM_WEBSOCKET, /* a 101 as expected: events and close decide */
    HM_DONE,      /* a refusal (or no answer) as expected: nothing else to compare */
};
/* *depth tells how far a mismatch got: 0 = the status (or no answer), 1 =
 * the status matched but a header line did not; why says what differed. */
enum handshake_match judge_handshake_matches(const struct transcript *t,
                                             const struct handshake_expect *h, char *why,
                                             size_t cap, int *depth);

/* "101", "4xx or 426" appended to *b. */
void judge_describe_statuses(const struct handshake_expect *h, struct buf *b);
/* The peer's answer to the opening handshake in one line (owned): its status
 * line, or how it did not answer. */
char *judge_describe_answer(const struct transcript *t);
/* The values of every line called `name` in resp (borrowed), quoted,
 * escaped and comma-separated ("\"8\", \"7\""; after four, "..."), into
 * out (at most cap octets with the NUL; "" when there is none). */
struct handshake_response;
void judge_describe_lines(const struct handshake_response *resp, const char *name, char *out,
                          size_t cap);
/* tev_describe of event index (owned), or fallback when index is -1. */
char *judge_describe_event_at(const struct transcript *t, int index, const char *fallback);
/* b's text as a NUL-terminated string (owned); b is emptied. */
char *judge_take_string(struct buf *b);

#endif
