/* policy_int: the loaded policy file, shared by policy.c (loading) and
 * gate.c (applying it to a report). Private to reports/. */
#ifndef WSSPEC_POLICY_INT_H
#define WSSPEC_POLICY_INT_H

#include <stdbool.h>
#include <stddef.h>

/* Verdicts an entry may accept: errors are wsspec's own failures or a run
 * that could not judge, never a deviation of the peer to accept. */
enum { ACCEPT_FAIL = 1, ACCEPT_NON_STRICT = 2, ACCEPT_INFORMATIONAL = 4, ACCEPT_FLAKY = 8 };

struct policy_entry {
    char **patterns; /* case ids or fnmatch globs */
    size_t pattern_count;
    char *cases_text;  /* the patterns as written, for messages: "a.*, b.c" */
    unsigned verdicts; /* ACCEPT_* */
    char *reason;
    char expires[11]; /* "" = never */
    int line;
};

struct policy {
    char *path;
    char fail_on[16]; /* "" = not given */
    bool flaky_accept;
    struct policy_entry *entries;
    size_t count;
};

#endif
