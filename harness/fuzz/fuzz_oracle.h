/* fuzz_oracle: the RFC oracle of `wsspec fuzz`. For a case's steps (a mutant
 * of a corpus case) it decides what a conforming RFC 6455 (and RFC 7692)
 * server that echoes every message, as the whole corpus assumes, must do:
 * deliver (echo) each message, answer pings with pongs, answer our close,
 * or fail the connection (with which codes), or may do either; and writes
 * that as the case's outcomes, built from the same verdict rules as the
 * hand-written corpus (cases/README.md "One verdict for one behaviour",
 * cases/behaviours.json), so the judge (judge.h) decides a mutant exactly as
 * it decides a corpus case. A target doing otherwise gets `fail` and is a
 * finding; the rule says which RFC sentence it broke.
 *
 * Pure: it walks the octets the steps would send (frames serialised with the
 * codec, our masks irrelevant to validity), parses them as a server does
 * (server role), and tracks fragmentation, UTF-8 across fragments, control
 * frames, close payloads and, when the case offers permessage-deflate, both
 * worlds (outcomes conditioned "deflate": true / false). */
#ifndef WSSPEC_FUZZ_ORACLE_H
#define WSSPEC_FUZZ_ORACLE_H

#include <stdbool.h>
#include <stddef.h>

#include "model/casemodel.h"

/* One rule the oracle can find broken by our steps, i.e. what the conforming
 * peer must react to. Static storage; ids are stable (SARIF ruleIds, finding
 * signatures, file names). */
struct oracle_rule {
    const char *id;       /* e.g. "rsv-bits", "unmasked-frame", "invalid-utf8",
                             "control-too-long", "bad-close-code"; "none" for
                             a stream without a violation */
    const char *rfc;      /* "6455:5.2" */
    const char *sentence; /* the RFC sentence, quoted, that binds the peer */
};

/* What the oracle found in a case's steps. */
struct oracle_verdict {
    const struct oracle_rule *rule; /* the first violation of ours the peer must act on,
                                       or the "none" rule */
    size_t messages_before;         /* complete messages (and pings) before it */
    bool supported;                 /* false: the steps hold something the oracle does
                                       not model (e.g. a raw request); no outcomes written */
    const char *unsupported_why;    /* static, when !supported */
};

/* Replace c's outcomes (and its rfc, requirement and close_timeout when the
 * rule asks for it) with the oracle's. Returns 0 with *v filled (when
 * v->supported is false, c is unchanged), or WS_ERR_NOMEM. */
int fuzz_oracle_expect(struct wcase *c, struct oracle_verdict *v);

/* Every rule, for SARIF's rules table and the docs. */
const struct oracle_rule *fuzz_oracle_rules(size_t *count);

#endif
