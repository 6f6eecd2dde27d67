/* autobahn: the report in Autobahn|Testsuite's layout, so scripts that gate
 * CI on Autobahn's output keep working (docs/reports.md has the mapping):
 *
 *   DIR/index.json   {AGENT: {AUTOBAHN_ID: {behavior, behaviorClose,
 *                     remoteCloseCode, duration, reportfile}}}
 *   DIR/<agent>_case_<id, dots as underscores>.json   one per Autobahn id
 *
 * behavior: pass OK, non-strict NON-STRICT, informational INFORMATIONAL,
 * unimplemented UNIMPLEMENTED, fail FAILED, error FAILED, not-run MISSING.
 * behaviorClose is derived from the close details in Autobahn's order
 * (AUTOBAHN.md 2.2): see close_behavior(). Cases without an Autobahn id are
 * not listed; when several of our cases carry one Autobahn id, the worst
 * behavior stands for it. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/render/report_doc.h"
#include "reports/report.h"

#define WIRELOG_HEAD 64 /* octets of hex per wire-log row, as Autobahn */

static const char *behavior(const char *verdict) {
    static const struct {
        const char *ours, *theirs;
    } map[] = {
        {"pass", "OK"},
        {"non-strict", "NON-STRICT"},
        {"informational", "INFORMATIONAL"},
        {"unimplemented", "UNIMPLEMENTED"},
        {"fail", "FAILED"},
        {"error", "FAILED"},
        {"not-run", "MISSING"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i].ours, verdict) == 0)
            return map[i].theirs;
    return "FAILED";
}

static int behavior_rank(const char *b) {
    static const char *order[] = {"OK",         "INFORMATIONAL", "UNIMPLEMENTED",
                                  "NON-STRICT", "MISSING",       "FAILED"};
    for (int i = 0; i < 6; i++)
        if (strcmp(order[i], b) == 0)
            return i;
    return 6;
}

static bool code_listed(const json_t *codes, long long code) {
    for (size_t i = 0; i < json_array_size(codes); i++)
        if (json_integer_value(json_array_get(codes, i)) == code)
            return true;
    return false;
}

/* behaviorClose, with the sentence that explains it (resultClose). */
static const char *close_behavior(const json_t *c, const char **why) {
    const char *verdict = report_doc_str(c, "verdict", "error");
    const json_t *cl = report_doc_obj(c, "close");
    const json_t *want = report_doc_obj(c, "expected_close");
    const json_t *hs = report_doc_obj(c, "handshake");
    if (strcmp(verdict, "not-run") == 0) {
        *why = "The case was not run.";
        return "MISSING";
    }
    if (strcmp(verdict, "error") == 0 || report_doc_int(hs, "status", 0) != 101) {
        *why = "The WebSocket opening handshake was never completed.";
        return "FAILED";
    }
    if (strcmp(verdict, "informational") == 0) {
        *why = "The closing behaviour is informational only.";
        return "INFORMATIONAL";
    }
    const char *by = report_doc_str(want, "by", "any");
    bool peer_first = report_doc_bool(cl, "peer_closed_first", false);
    if ((strcmp(by, "peer") == 0 && !peer_first) || (strcmp(by, "us") == 0 && peer_first)) {
        *why = "The connection was failed by the wrong endpoint.";
        return "FAILED";
    }
    bool handshake_done = report_doc_bool(cl, "we_sent_close", false) &&
                          report_doc_bool(cl, "peer_sent_close", false);
    if (!handshake_done && !report_doc_bool(want, "allow_drop", false)) {
        *why = "The spec requires the connection to be failed cleanly here.";
        return "UNCLEAN";
    }
    long long code = report_doc_int(cl, "peer_code", -1);
    const json_t *codes = json_object_get(want, "codes");
    if (code >= 0 && json_array_size(codes) && !code_listed(codes, code)) {
        *why = "The close code the peer sent was not one we expected.";
        return "WRONG CODE";
    }
    if (report_doc_bool(cl, "we_dropped_tcp", false)) {
        *why = "The peer did not close TCP after the closing handshake; we had to drop it.";
        return "FAILED BY CLIENT";
    }
    *why = "Connection was properly closed.";
    return "OK";
}

/* Autobahn's cleanForFilename: lower case, [a-z0-9] kept, everything else
 * a space, trimmed, spaces to underscores. */
static void file_agent(const char *agent, char *out, size_t cap) {
    size_t o = 0;
    for (const char *p = agent; *p && o + 1 < cap; p++) {
        char ch = *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p;
        out[o++] = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ? ch : ' ';
    }
    out[o] = '\0';
    size_t start = 0;
    while (out[start] == ' ')
        start++;
    while (o > start && out[o - 1] == ' ')
        out[--o] = '\0';
    memmove(out, out + start, o - start + 1);
    for (char *p = out; *p; p++)
        if (*p == ' ')
            *p = '_';
    if (!*out)
        snprintf(out, cap, "unknownserver");
}

static bool safe_autobahn_id(const char *id) {
    if (!*id || strlen(id) > 64)
        return false;
    for (const char *p = id; *p; p++)
        if (!((*p >= '0' && *p <= '9') || *p == '.'))
            return false;
    return true;
}

/* Orders "1.1.10" after "1.1.9" (numeric parts), as Autobahn lists them. */
static int autobahn_cmp(const char *a, const char *b) {
    while (*a && *b) {
        char *ea, *eb;
        unsigned long na = strtoul(a, &ea, 10), nb = strtoul(b, &eb, 10);
        if (na != nb)
            return na < nb ? -1 : 1;
        a = *ea == '.' ? ea + 1 : ea;
        b = *eb == '.' ? eb + 1 : eb;
        if (ea == a && eb == b) /* no progress: not numeric */
            break;
    }
    return strcmp(a, b);
}

struct entry {
    const char *id;
    const json_t *c;
};

static int entry_cmp(const void *x, const void *y) {
    return autobahn_cmp(((const struct entry *)x)->id, ((const struct entry *)y)->id);
}

/* The hex of up to `shown` octets of a record of HTTP head octets ("head":
 * the report keeps them only as the handshake text, printable ASCII, so the
 * text's characters are the octets), taken from `head` at stream offset
 * `at`; NULL when the text does not reach that far. Caller frees. */
static char *head_hex(const char *head, size_t at, size_t shown) {
    static const char digits[] = "0123456789abcdef";
    if (!head || at > strlen(head) || shown > strlen(head) - at)
        return NULL;
    char *hex = malloc(shown * 2 + 1);
    for (size_t i = 0; hex && i < shown; i++) {
        unsigned char o = (unsigned char)head[at + i];
        hex[2 * i] = digits[o >> 4];
        hex[2 * i + 1] = digits[o & 15];
    }
    if (hex)
        hex[shown * 2] = '\0';
    return hex;
}

/* Autobahn's rows: ["TO", [length, hex of the first 64 octets], false] and
 * ["RO", [length, hex]], for the records the report kept. A record's place
 * in its direction (for the octets of an HTTP head, which come from the
 * handshake text) adds up the records and the gaps before it. */
static json_t *wirelog(const json_t *c) {
    json_t *log = json_array();
    const json_t *records = json_object_get(report_doc_obj(c, "wire"), "records");
    const json_t *gaps = json_object_get(report_doc_obj(c, "elided"), "record_gaps");
    const json_t *hs = report_doc_obj(c, "handshake");
    long long at[2] = {0, 0}; /* out, in */
    size_t gap = 0;
    for (size_t i = 0; i < json_array_size(records); i++) {
        const json_t *r = json_array_get(records, i);
        long long index = report_doc_int(r, "index", -1);
        for (; gap < json_array_size(gaps); gap++) {
            const json_t *g = json_array_get(gaps, gap);
            if (report_doc_int(g, "first", LLONG_MAX) >= index)
                break;
            at[0] += report_doc_int(g, "octets_out", 0);
            at[1] += report_doc_int(g, "octets_in", 0);
        }
        const char *hex = report_doc_str(r, "hex", "");
        bool out = strcmp(report_doc_str(r, "dir", ""), "out") == 0;
        long long len = report_doc_int(r, "length", (long long)(strlen(hex) / 2));
        if (len < 0)
            len = 0;
        char *from_head = NULL;
        if (report_doc_bool(r, "head", false) && at[!out] >= 0) {
            size_t shown = len > WIRELOG_HEAD ? WIRELOG_HEAD : (size_t)len;
            from_head = head_hex(report_doc_str(hs, out ? "request" : "response", NULL),
                                 (size_t)at[!out], shown);
        }
        const char *row_hex = from_head ? from_head : hex;
        size_t shown = strlen(row_hex) / 2 > WIRELOG_HEAD ? WIRELOG_HEAD : strlen(row_hex) / 2;
        json_t *octets = json_pack("[Is#]", (json_int_t)len, row_hex, (int)(shown * 2));
        json_t *row = out ? json_pack("[sob]", "TO", octets, 0) : json_pack("[so]", "RO", octets);
        json_array_append_new(log, row);
        free(from_head);
        at[!out] += len;
    }
    return log;
}

/* Our close frame: the first sent-close event. */
static const json_t *sent_close(const json_t *c) {
    const json_t *events = json_object_get(c, "events");
    for (size_t i = 0; i < json_array_size(events); i++) {
        const json_t *ev = json_array_get(events, i);
        if (strcmp(report_doc_str(ev, "kind", ""), "sent-close") == 0)
            return ev;
    }
    return NULL;
}

static json_t *nullable_int(const json_t *obj, const char *key) {
    const json_t *v = json_object_get(obj, key);
    return json_is_integer(v) ? json_integer(json_integer_value(v)) : json_null();
}

static json_t *nullable_str(const json_t *obj, const char *key) {
    const char *s = report_doc_str(obj, key, NULL);
    return s ? json_string(s) : json_null();
}

static json_t *case_file(const json_t *doc, const json_t *c, const char *id, size_t index,
                         const char *agent) {
    const json_t *cl = report_doc_obj(c, "close");
    const json_t *want = report_doc_obj(c, "expected_close");
    const json_t *hs = report_doc_obj(c, "handshake");
    const json_t *mine = sent_close(c);
    const char *why;
    const char *bclose = close_behavior(c, &why);
    bool handshake_done = report_doc_bool(cl, "we_sent_close", false) &&
                          report_doc_bool(cl, "peer_sent_close", false);
    const char *desc = report_doc_str(c, "description", NULL);
    json_t *description = json_sprintf("%s%s%s", report_doc_str(c, "title", ""), desc ? "\n\n" : "",
                                       desc ? desc : "");
    json_t *codes = json_object_get(want, "codes");
    json_t *f = json_object();
    json_object_set_new(f, "agent", json_string(agent));
    json_object_set_new(f, "behavior", json_string(behavior(report_doc_str(c, "verdict", ""))));
    json_object_set_new(f, "behaviorClose", json_string(bclose));
    json_object_set_new(f, "case", json_integer((json_int_t)index));
    json_object_set_new(f, "closedByMe",
                        json_boolean(report_doc_bool(cl, "we_sent_close", false) &&
                                     !report_doc_bool(cl, "peer_closed_first", false)));
    json_object_set_new(f, "createStats", json_false());
    json_object_set_new(f, "createWirelog", json_true());
    json_object_set_new(f, "description", description ? description : json_string(""));
    json_object_set_new(f, "droppedByMe",
                        json_boolean(report_doc_bool(cl, "we_dropped_tcp", false)));
    json_object_set_new(
        f, "duration",
        json_integer((json_int_t)llround(report_doc_num(c, "duration_s", 0) * 1000.0)));
    json_object_set_new(f, "expectation", json_string(report_doc_str(c, "expected", "")));
    json_t *ec = json_object();
    json_object_set_new(ec, "closedByMe",
                        json_boolean(strcmp(report_doc_str(want, "by", ""), "us") == 0));
    json_object_set_new(ec, "closeCode",
                        json_is_array(codes) ? json_deep_copy(codes) : json_array());
    json_object_set_new(ec, "requireClean",
                        json_boolean(!report_doc_bool(want, "allow_drop", false)));
    json_object_set_new(f, "expectedClose", ec);
    json_object_set_new(f, "failedByMe", json_false());
    json_object_set_new(f, "httpRequest", nullable_str(hs, "request"));
    json_object_set_new(f, "httpResponse", nullable_str(hs, "response"));
    json_object_set_new(f, "id", json_string(id));
    json_object_set_new(f, "isServer", json_false());
    json_object_set_new(f, "localCloseCode", nullable_int(mine, "code"));
    json_object_set_new(f, "localCloseReason", mine ? nullable_str(mine, "detail") : json_null());
    json_object_set_new(f, "remoteCloseCode", nullable_int(cl, "peer_code"));
    json_object_set_new(f, "remoteCloseReason", nullable_str(cl, "peer_reason"));
    json_object_set_new(f, "reportTime", json_false());
    json_object_set_new(f, "result", json_string(report_doc_str(c, "reason", "")));
    json_object_set_new(f, "resultClose", json_string(why));
    json_object_set_new(f, "started", nullable_str(c, "started"));
    json_object_set_new(f, "wasClean", json_boolean(handshake_done));
    json_object_set_new(f, "wasNotCleanReason",
                        handshake_done ? json_null()
                                       : json_string("the closing handshake did not complete"));
    json_object_set_new(f, "wirelog", wirelog(c));
    json_t *ours = json_object();
    json_object_set_new(ours, "id", json_string(report_doc_str(c, "id", "")));
    json_object_set_new(ours, "verdict", json_string(report_doc_str(c, "verdict", "")));
    json_object_set_new(ours, "rfc", json_deep_copy(json_object_get(c, "rfc")));
    json_object_set_new(ours, "report", json_string(REPORT_SCHEMA_ID));
    json_object_set_new(ours, "tool_version",
                        json_string(report_doc_str(report_doc_obj(doc, "tool"), "version", "")));
    json_object_set_new(f, "wsspec", ours);
    return f;
}

int report_autobahn_write_dir(const json_t *report, const char *dir, char *errmsg, size_t cap) {
    if (report_mkdir_p(dir, errmsg, cap) != 0)
        return -1;
    const char *agent = report_doc_str(report_doc_obj(report, "target"), "agent", "");
    if (!*agent)
        agent = "UnknownServer";
    char fagent[256];
    file_agent(agent, fagent, sizeof fagent);

    size_t n = report_doc_case_count(report), count = 0;
    struct entry *entries = calloc(n ? n : 1, sizeof *entries);
    if (!entries) {
        snprintf(errmsg, cap, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *c = report_doc_case(report, i);
        const char *id = report_doc_str(c, "autobahn", NULL);
        if (c && id && safe_autobahn_id(id))
            entries[count++] = (struct entry){id, c};
    }
    qsort(entries, count, sizeof *entries, entry_cmp);

    int status = 0;
    json_t *cases = json_object();
    char name[512], path[PATH_MAX];
    for (size_t i = 0; i < count; i++) {
        const json_t *c = entries[i].c;
        const char *b = behavior(report_doc_str(c, "verdict", ""));
        /* Several of our cases for one Autobahn id: the worst stands. */
        size_t k = i + 1;
        for (; k < count && strcmp(entries[k].id, entries[i].id) == 0; k++) {
            const char *bk = behavior(report_doc_str(entries[k].c, "verdict", ""));
            if (behavior_rank(bk) > behavior_rank(b)) {
                c = entries[k].c;
                b = bk;
            }
        }
        snprintf(name, sizeof name, "%s_case_%s.json", fagent, entries[i].id);
        for (char *p = name + strlen(fagent) + 6; *p; p++)
            if (*p == '.' && strcmp(p, ".json") != 0)
                *p = '_';
        const char *why;
        json_t *row = json_object();
        json_object_set_new(row, "behavior", json_string(b));
        json_object_set_new(row, "behaviorClose", json_string(close_behavior(c, &why)));
        json_object_set_new(
            row, "duration",
            json_integer((json_int_t)llround(report_doc_num(c, "duration_s", 0) * 1000.0)));
        json_object_set_new(row, "remoteCloseCode",
                            nullable_int(report_doc_obj(c, "close"), "peer_code"));
        json_object_set_new(row, "reportfile", json_string(name));
        json_object_set_new(cases, entries[i].id, row);

        json_t *file = case_file(report, c, entries[i].id, i + 1, agent);
        int len = snprintf(path, sizeof path, "%s/%s", dir, name);
        if (status == 0 && (len < 0 || (size_t)len >= sizeof path)) {
            snprintf(errmsg, cap, "%s: path too long", dir);
            status = -1;
        }
        if (status == 0 && report_write_file(file, path, report_json_write, errmsg, cap) != 0)
            status = -1;
        json_decref(file);
        i = k - 1;
    }
    json_t *index = json_object();
    json_object_set_new(index, agent, cases);
    snprintf(path, sizeof path, "%s/index.json", dir);
    if (status == 0 && report_write_file(index, path, report_json_write, errmsg, cap) != 0)
        status = -1;
    json_decref(index);
    free(entries);
    return status;
}
