/* select: which cases a run, list or show applies to. Pure. */
#ifndef WSSPEC_SELECT_H
#define WSSPEC_SELECT_H

#include <stdbool.h>
#include <stddef.h>

#include "model/casemodel.h"

struct selection {
    const char **ids; /* id globs or prefixes ("framing", "utf8.*", "close.code-10?") */
    size_t id_count;
    const char **tags; /* any of */
    size_t tag_count;
    const char **rfcs; /* section prefixes: "6455:7.4" selects 6455:7.4 and 6455:7.4.1 */
    size_t rfc_count;
    const char **autobahn; /* Autobahn id globs: "6.4.*", "2.10" */
    size_t autobahn_count;
    const char **excludes; /* id globs or prefixes removed at the end */
    size_t exclude_count;
};

/* Whether case c is selected. Each non-empty list must match (lists are
 * ANDed, entries within a list ORed); excludes win. */
bool select_match(const struct selection *s, const struct wcase *c);
/* Whether a pattern matches a dotted id: an fnmatch glob, or (without glob
 * characters) the id itself or an id prefix ending at a '.' boundary. */
bool select_id_matches(const char *pattern, const char *id);

#endif
