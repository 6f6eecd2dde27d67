/* select: case selection by id glob/prefix, tag, RFC section, Autobahn id. */
#include "load/select.h"

#include <fnmatch.h>
#include <string.h>

static bool has_glob(const char *p) {
    return strpbrk(p, "*?[") != NULL;
}

bool select_id_matches(const char *pattern, const char *id) {
    if (has_glob(pattern))
        return fnmatch(pattern, id, 0) == 0;
    size_t n = strlen(pattern);
    if (strncmp(pattern, id, n) != 0)
        return false;
    return id[n] == '\0' || id[n] == '.' || pattern[n - 1] == '.';
}

/* "6455:7.4" selects "6455:7.4" and "6455:7.4.1", not "6455:7.40". */
static bool rfc_matches(const char *pattern, const char *section) {
    size_t n = strlen(pattern);
    return strncmp(pattern, section, n) == 0 && (section[n] == '\0' || section[n] == '.');
}

static bool any_of(const char **patterns, size_t count, const char *value,
                   bool (*match)(const char *, const char *)) {
    for (size_t i = 0; i < count; i++)
        if (value && match(patterns[i], value))
            return true;
    return false;
}

static bool str_eq(const char *a, const char *b) {
    return strcmp(a, b) == 0;
}

static bool autobahn_matches(const char *pattern, const char *id) {
    return fnmatch(pattern, id, 0) == 0;
}

bool select_match(const struct selection *s, const struct wcase *c) {
    if (any_of(s->excludes, s->exclude_count, c->id, select_id_matches))
        return false;
    if (s->id_count && !any_of(s->ids, s->id_count, c->id, select_id_matches))
        return false;
    if (s->tag_count) {
        bool hit = false;
        for (size_t i = 0; i < c->tag_count && !hit; i++)
            hit = any_of(s->tags, s->tag_count, c->tags[i], str_eq);
        if (!hit)
            return false;
    }
    if (s->rfc_count) {
        bool hit = false;
        for (size_t i = 0; i < c->rfc_count && !hit; i++)
            hit = any_of(s->rfcs, s->rfc_count, c->rfc[i], rfc_matches);
        if (!hit)
            return false;
    }
    if (s->autobahn_count && !any_of(s->autobahn, s->autobahn_count, c->autobahn, autobahn_matches))
        return false;
    return true;
}
