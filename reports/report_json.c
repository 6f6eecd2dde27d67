/* report_json: builds the canonical JSON report (layout in report.h, schema
 * in reports/report.schema.json) from the run's results, and writes it.
 *
 * Every string that reaches the document is valid UTF-8 (jansson refuses
 * anything else): peer-controlled bytes are hex (payload heads, the wire
 * log) or text with every octet outside printable ASCII written as \xNN
 * (handshake heads that are not UTF-8). */
#include "reports/report.h"

#include <errno.h>
#include <math.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <zlib.h>

#include "codec/utf8.h"
#include "reports/report_int.h"
#include "reports/report_window.h"

#ifndef WSSPEC_VERSION
#define WSSPEC_VERSION "0.0.0"
#endif

/* ---- small value builders ---------------------------------------------- */

/* "2024-05-01T12:34:56.789Z" */
static json_t *iso_time(int64_t wall_ms) {
    if (wall_ms <= 0)
        return json_null();
    time_t secs = (time_t)(wall_ms / 1000);
    struct tm tm;
    if (!gmtime_r(&secs, &tm))
        return json_null();
    char text[80];
    snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(wall_ms % 1000));
    return json_string(text);
}

/* Seconds rounded to microseconds, so the document re-renders to the same
 * text (JSON_REAL_PRECISION(15) in report_json_write). */
static json_t *seconds(double s) {
    if (!(s >= 0) || !isfinite(s))
        s = 0;
    return json_real(round(s * 1e6) / 1e6);
}

json_t *report_hex_json(const uint8_t *data, size_t len) {
    static const char digits[] = "0123456789abcdef";
    if (len > (SIZE_MAX - 1) / 2)
        return json_null();
    char *text = malloc(len * 2 + 1);
    if (!text)
        return json_null();
    for (size_t i = 0; i < len; i++) {
        text[2 * i] = digits[data[i] >> 4];
        text[2 * i + 1] = digits[data[i] & 15];
    }
    json_t *s = json_stringn(text, len * 2);
    free(text);
    return s ? s : json_null();
}

/* Octets as text: kept as they are when they are UTF-8 without NUL (a
 * "\u0000" would make the saved report unreadable for jansson's default
 * loader); otherwise every octet outside printable ASCII (tab, CR and LF
 * excepted) becomes \xNN and a backslash becomes \\. */
static json_t *bytes_text(const uint8_t *data, size_t len) {
    if (!memchr(data, 0, len) && utf8_is_valid(data, len, NULL)) {
        json_t *s = json_stringn((const char *)data, len);
        return s ? s : json_null();
    }
    if (len > (SIZE_MAX - 1) / 4)
        return json_null();
    char *text = malloc(len * 4 + 1);
    if (!text)
        return json_null();
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = data[i];
        if (c == '\\') {
            text[o++] = '\\';
            text[o++] = '\\';
        } else if ((c >= 0x20 && c < 0x7f) || c == '\t' || c == '\r' || c == '\n') {
            text[o++] = (char)c;
        } else {
            o += (size_t)snprintf(text + o, 5, "\\x%02x", c);
        }
    }
    json_t *s = json_stringn(text, o);
    free(text);
    return s ? s : json_null();
}

/* A NUL-terminated string of ours or of the case file (NULL -> null). */
static json_t *text_or_null(const char *s) {
    if (!s)
        return json_null();
    return bytes_text((const uint8_t *)s, strlen(s));
}

json_t *report_text_json(const char *s) {
    return text_or_null(s);
}

static json_t *text_or_empty(const char *s) {
    return s ? bytes_text((const uint8_t *)s, strlen(s)) : json_string("");
}

/* An HTTP head, capped at REPORT_HEAD_TEXT_CAP octets (cut at a UTF-8 boundary). */
static json_t *head_text(const struct buf *head) {
    if (!head || head->len == 0)
        return json_null();
    size_t keep = head->len;
    if (keep <= REPORT_HEAD_TEXT_CAP)
        return bytes_text(head->data, keep);
    keep = REPORT_HEAD_TEXT_CAP;
    while (keep > 0 && (head->data[keep] & 0xC0) == 0x80)
        keep--;
    json_t *s = bytes_text(head->data, keep);
    char tail[80];
    snprintf(tail, sizeof tail, "\n[... %zu more octets not kept]", head->len - keep);
    json_t *out = json_sprintf("%s%s", json_string_value(s) ? json_string_value(s) : "", tail);
    json_decref(s);
    return out ? out : json_null();
}

static json_t *string_array(char *const *items, size_t n) {
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, text_or_empty(items[i]));
    return a;
}

static json_t *int_or_null(bool set, long long v) {
    return set ? json_integer(v) : json_null();
}

static json_int_t clamp_u64(uint64_t v) {
    return v > (uint64_t)INT64_MAX ? (json_int_t)INT64_MAX : (json_int_t)v;
}

json_t *report_count_json(uint64_t v) {
    return json_integer(clamp_u64(v));
}

/* ---- one case ----------------------------------------------------------- */

static json_t *group_of(const char *id) {
    const char *dot = strchr(id, '.');
    return bytes_text((const uint8_t *)id, dot ? (size_t)(dot - id) : strlen(id));
}

/* The wire log's totals and the records the window kept (records: taken). */
static json_t *wire_json(const struct transcript *t, json_t *records) {
    json_t *w = json_object();
    json_object_set_new(w, "octets_out", report_count_json(t->octets_out));
    json_object_set_new(w, "octets_in", report_count_json(t->octets_in));
    json_object_set_new(w, "dropped_out", report_count_json(t->wire_dropped_out));
    json_object_set_new(w, "dropped_in", report_count_json(t->wire_dropped_in));
    json_object_set_new(w, "records", records);
    return w;
}

/* The peer's close frame: the first TEV_CLOSE event. */
static const struct tev *peer_close(const struct transcript *t) {
    for (size_t i = 0; i < t->event_count; i++)
        if (t->events[i].kind == TEV_CLOSE)
            return &t->events[i];
    return NULL;
}

static json_t *deflate_octets_json(uint64_t messages, uint64_t compressed, uint64_t payload) {
    json_t *o = json_object();
    json_object_set_new(o, "messages", json_integer(clamp_u64(messages)));
    json_object_set_new(o, "compressed", json_integer(clamp_u64(compressed)));
    json_object_set_new(o, "payload", json_integer(clamp_u64(payload)));
    return o;
}

/* permessage-deflate on the connection (RFC 7692): null when not offered. */
static json_t *deflate_json(const struct transcript_deflate *d) {
    if (!d->offered)
        return json_null();
    json_t *o = json_object();
    json_object_set_new(o, "agreed", json_boolean(d->agreed));
    json_object_set_new(o, "server_max_window_bits",
                        int_or_null(d->agreed, d->server_max_window_bits));
    json_object_set_new(o, "client_max_window_bits",
                        int_or_null(d->agreed, d->client_max_window_bits));
    json_object_set_new(o, "server_no_context_takeover",
                        json_boolean(d->server_no_context_takeover));
    json_object_set_new(o, "client_no_context_takeover",
                        json_boolean(d->client_no_context_takeover));
    json_object_set_new(o, "in", deflate_octets_json(d->in_messages, d->in_wire, d->in_inflated));
    json_object_set_new(o, "out",
                        deflate_octets_json(d->out_messages, d->out_wire, d->out_payload));
    return o;
}

static json_t *close_json(const struct transcript *t) {
    const struct tev *pc = peer_close(t);
    json_t *o = json_object();
    json_object_set_new(o, "peer_closed_first", json_boolean(t->peer_closed_first));
    json_object_set_new(o, "we_sent_close", json_boolean(t->we_sent_close));
    json_object_set_new(o, "peer_sent_close", json_boolean(t->peer_sent_close));
    json_object_set_new(o, "clean", json_boolean(t->clean));
    json_object_set_new(o, "we_dropped_tcp", json_boolean(t->we_dropped_tcp));
    json_object_set_new(o, "peer_code", int_or_null(pc && pc->has_code, pc ? pc->code : 0));
    json_object_set_new(o, "peer_reason", pc ? text_or_null(pc->detail) : json_null());
    return o;
}

/* The close the case hopes for: that of the outcome that matched, else of
 * its first "pass" outcome (else its first outcome). The Autobahn renderer
 * derives behaviorClose from it. */
static json_t *expected_close_json(const struct case_result *r) {
    const struct wcase *c = r->c;
    const struct outcome *o = NULL;
    if (r->ran && r->j.outcome_index >= 0 && (size_t)r->j.outcome_index < c->outcome_count)
        o = &c->outcomes[r->j.outcome_index];
    for (size_t i = 0; i < c->outcome_count && !o; i++)
        if (c->outcomes[i].verdict == VERDICT_PASS)
            o = &c->outcomes[i];
    if (!o && c->outcome_count)
        o = &c->outcomes[0];
    if (!o)
        return json_null();
    static const char *by_names[] = {"any", "peer", "us", "none"};
    json_t *e = json_object();
    unsigned by = (unsigned)o->close.by;
    json_object_set_new(e, "by", json_string(by < 4 ? by_names[by] : "any"));
    json_t *codes = json_array();
    for (size_t i = 0; i < o->close.code_count; i++)
        json_array_append_new(codes, json_integer(o->close.codes[i]));
    json_object_set_new(e, "codes", codes);
    json_object_set_new(e, "allow_no_code", json_boolean(o->close.allow_no_code));
    json_object_set_new(e, "allow_drop", json_boolean(o->close.allow_drop));
    return e;
}

static const char *verdict_of(const struct case_result *r) {
    return r->ran ? verdict_name(r->j.verdict) : "not-run";
}

/* A case that failed only by a timeout (--retry-timeouts): whether it was
 * rerun alone and what its first attempt gave; null for every other case. */
static json_t *retry_json(const struct case_result *r) {
    const struct case_retry *rt = &r->retry;
    if (!r->ran || !rt->eligible)
        return json_null();
    json_t *o = json_object();
    json_object_set_new(o, "rerun", json_boolean(rt->rerun));
    json_object_set_new(o, "why_not", text_or_null(rt->why_not));
    json_object_set_new(o, "first_verdict", json_string(verdict_name(rt->first_verdict)));
    json_object_set_new(o, "first_reason", text_or_null(rt->first_reason));
    json_object_set_new(o, "first_actual", text_or_null(rt->first_actual));
    json_object_set_new(o, "first_started", iso_time(rt->first_started_wall_ms));
    json_object_set_new(o, "first_duration_s", seconds(rt->first_duration_s));
    return o;
}

/* One case; NULL when memory ran out. */
static json_t *case_json(const struct case_result *r) {
    const struct wcase *c = r->c;
    const struct transcript *t = &r->tr;
    bool judged = r->ran;
    bool passed = judged && r->j.verdict == VERDICT_PASS;
    struct report_window win;
    if (report_window_build(t, judged ? r->j.first_unexpected : -1,
                            passed ? &report_budget_passing : &report_budget_failing, &win) != 0)
        return NULL;
    json_t *o = json_object();
    if (!o) {
        json_decref(win.events);
        json_decref(win.records);
        json_decref(win.elided);
        return NULL;
    }
    json_object_set_new(o, "id", text_or_empty(c->id));
    json_object_set_new(o, "title", text_or_empty(c->title));
    /* A passing case needs no explanation in the report: its description
     * and the outcomes it was judged by (`expected`) are null there, as
     * `wsspec show ID` prints them; that keeps a report of the whole corpus
     * well under 3 MB (docs/reports.md). */
    json_object_set_new(o, "description", passed ? json_null() : text_or_null(c->description));
    json_object_set_new(o, "group", group_of(c->id ? c->id : ""));
    json_object_set_new(o, "autobahn", text_or_null(c->autobahn));
    json_object_set_new(o, "rfc", string_array(c->rfc, c->rfc_count));
    json_object_set_new(o, "requirement", text_or_null(c->requirement));
    json_object_set_new(o, "tags", string_array(c->tags, c->tag_count));
    json_object_set_new(o, "file", text_or_null(c->pos.file));
    json_object_set_new(o, "line", json_integer(c->pos.line));
    json_object_set_new(o, "verdict", json_string(verdict_of(r)));
    json_object_set_new(o, "ran", json_boolean(r->ran));
    json_object_set_new(o, "outcome",
                        int_or_null(judged && r->j.outcome_index >= 0, r->j.outcome_index));
    json_object_set_new(o, "degraded", json_boolean(judged && r->j.degraded));
    json_object_set_new(o, "reason", judged ? text_or_null(r->j.reason) : json_null());
    json_object_set_new(o, "expected",
                        judged && !passed ? text_or_null(r->j.expected) : json_null());
    json_object_set_new(o, "actual", judged ? text_or_null(r->j.actual) : json_null());
    /* An index into "events" as the report keeps them (the window always
     * keeps this one). */
    json_object_set_new(o, "first_unexpected",
                        int_or_null(win.first_unexpected >= 0, win.first_unexpected));
    json_object_set_new(o, "expected_close", expected_close_json(r));
    json_object_set_new(o, "started", r->ran ? iso_time(r->started_wall_ms) : json_null());
    json_object_set_new(o, "duration_s", seconds(r->ran ? r->duration_s : 0));
    json_object_set_new(o, "error", text_or_null(t->error));
    json_object_set_new(o, "internal", json_boolean(judged && r->j.internal));
    json_object_set_new(o, "retry", retry_json(r));
    json_t *dropped = json_object();
    json_object_set_new(dropped, "events", json_integer(clamp_u64(t->events_dropped)));
    json_object_set_new(dropped, "events_lost", json_integer(clamp_u64(t->events_lost)));
    json_object_set_new(dropped, "pongs", json_integer(clamp_u64(t->pongs_dropped)));
    json_object_set_new(o, "dropped", dropped);

    json_object_set_new(o, "deflate", deflate_json(&t->deflate));
    json_t *hs = json_object();
    json_object_set_new(hs, "status", int_or_null(t->http_status > 0, t->http_status));
    json_object_set_new(hs, "request", head_text(&t->request_head));
    json_object_set_new(hs, "response", head_text(&t->response_head));
    json_object_set_new(o, "handshake", hs);
    json_object_set_new(o, "close", close_json(t));

    json_object_set_new(o, "events", win.events);
    json_object_set_new(o, "wire", wire_json(t, win.records));
    json_object_set_new(o, "elided", win.elided);
    return o;
}

/* ---- the document ------------------------------------------------------- */

/* The value of a "Server:" header in an HTTP response head, or NULL. */
static char *server_header(const struct buf *head) {
    const char *p = (const char *)head->data, *end = p + head->len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *line_end = eol ? eol : end;
        if (line_end - p > 7 && strncasecmp(p, "server:", 7) == 0) {
            const char *v = p + 7;
            while (v < line_end && (*v == ' ' || *v == '\t'))
                v++;
            const char *ve = line_end;
            while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ' || ve[-1] == '\t'))
                ve--;
            return ve > v ? strndup(v, (size_t)(ve - v)) : NULL;
        }
        p = eol ? eol + 1 : end;
    }
    return NULL;
}

/* Like Autobahn: the agent is what the user named, else the peer's Server
 * header, else a fixed name. */
static json_t *agent_json(const struct report_meta *m, const struct case_result *results,
                          size_t n) {
    if (m->agent && *m->agent)
        return text_or_empty(m->agent);
    for (size_t i = 0; i < n; i++) {
        if (!results[i].ran || !results[i].tr.response_head.len)
            continue;
        char *server = server_header(&results[i].tr.response_head);
        if (server) {
            json_t *s = text_or_empty(server);
            free(server);
            return s;
        }
    }
    return json_string(m->builtin_target ? "wsspec-refserver" : "UnknownServer");
}

static json_t *tool_json(void) {
    json_t *t = json_object();
    json_object_set_new(t, "name", json_string("wsspec"));
    json_object_set_new(t, "version", json_string(WSSPEC_VERSION));
    json_object_set_new(t, "openssl", json_string(OpenSSL_version(OPENSSL_VERSION)));
    json_object_set_new(t, "zlib", json_string(zlibVersion()));
    json_object_set_new(t, "jansson", json_string(jansson_version_str()));
    return t;
}

static json_t *options_json(const struct report_meta *m) {
    json_t *o = json_object();
    json_object_set_new(o, "jobs", json_integer(m->jobs));
    /* Integers above 2^63-1 do not fit jansson's json_int_t: such a seed is
     * recorded as its decimal text (the schema allows both). */
    if (m->seed <= (uint64_t)INT64_MAX) {
        json_object_set_new(o, "seed", json_integer((json_int_t)m->seed));
    } else {
        char text[24];
        snprintf(text, sizeof text, "%llu", (unsigned long long)m->seed);
        json_object_set_new(o, "seed", json_string(text));
    }
    json_object_set_new(o, "timeout_scale",
                        json_real(m->timeout_scale > 0 ? m->timeout_scale : 1.0));
    json_object_set_new(o, "strict", json_boolean(m->strict));
    json_object_set_new(o, "retry_timeouts", json_boolean(m->retry_timeouts));
    json_t *argv = json_array();
    for (int i = 0; i < m->argc && m->argv; i++)
        json_array_append_new(argv, text_or_empty(m->argv[i]));
    json_object_set_new(o, "argv", argv);
    return o;
}

static json_t *summary_json(const struct case_result *results, size_t n) {
    size_t counts[VERDICT_COUNT] = {0}, not_run = 0;
    for (size_t i = 0; i < n; i++) {
        if (!results[i].ran)
            not_run++;
        else if ((unsigned)results[i].j.verdict < VERDICT_COUNT)
            counts[results[i].j.verdict]++;
    }
    json_t *s = json_object();
    json_object_set_new(s, "total", json_integer((json_int_t)n));
    for (int v = 0; v < VERDICT_COUNT; v++)
        json_object_set_new(s, verdict_name((enum verdict)v), json_integer((json_int_t)counts[v]));
    json_object_set_new(s, "not_run", json_integer((json_int_t)not_run));
    return s;
}

json_t *report_build(const struct report_meta *meta, const struct case_result *results, size_t n) {
    json_t *doc = json_object();
    if (!doc)
        return NULL;
    json_object_set_new(doc, "schema", json_string(REPORT_SCHEMA_ID));
    json_object_set_new(doc, "tool", tool_json());

    json_t *target = json_object();
    json_object_set_new(target, "url", text_or_empty(meta->target_url));
    json_object_set_new(target, "builtin", json_boolean(meta->builtin_target));
    json_object_set_new(target, "spawn", text_or_null(meta->spawn_command));
    json_object_set_new(target, "agent", agent_json(meta, results, n));
    json_object_set_new(doc, "target", target);
    json_object_set_new(doc, "options", options_json(meta));

    json_object_set_new(doc, "started", iso_time(meta->started_wall_ms));
    json_object_set_new(doc, "finished", iso_time(meta->finished_wall_ms));
    int64_t wall = meta->finished_wall_ms - meta->started_wall_ms;
    json_object_set_new(doc, "duration_s", seconds(wall > 0 ? (double)wall / 1000.0 : 0));
    json_object_set_new(doc, "complete", json_boolean(meta->complete));
    json_object_set_new(doc, "incomplete_reason",
                        meta->complete ? json_null() : text_or_empty(meta->incomplete_reason));
    json_object_set_new(doc, "summary", summary_json(results, n));

    json_t *cases = json_array();
    bool complete = cases != NULL;
    for (size_t i = 0; i < n && complete; i++)
        complete = json_array_append_new(cases, case_json(&results[i])) == 0;
    if (json_object_set_new(doc, "cases", cases) != 0 || !complete) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

bool report_schema_readable(const char *schema) {
    return schema &&
           (strcmp(schema, REPORT_SCHEMA_ID) == 0 || strcmp(schema, REPORT_SCHEMA_ID_1) == 0);
}

/* ---- writing ------------------------------------------------------------ */

/* The file is indented like JSON_INDENT(2), except that a value with
 * nothing nested below its own members goes on one line: an event, a wire
 * record, a gap, the close details. One line per event and per record
 * reads like a table, and indenting each of their fields would make a
 * report of many failing cases a third larger. */
#define ONE_LINE_FLAGS (JSON_ENCODE_ANY | JSON_REAL_PRECISION(15))

static bool scalar(const json_t *v) {
    return !json_is_object(v) && !json_is_array(v);
}

static bool scalars_only(const json_t *v) {
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            if (!scalar(json_array_get(v, i)))
                return false;
        return true;
    }
    const char *key;
    json_t *member;
    json_object_foreach((json_t *)v, key, member) {
        if (!scalar(member) && !(json_is_array(member) && scalars_only(member)))
            return false;
    }
    return true;
}

/* A scalar, an array of scalars, or an object whose members are scalars,
 * arrays of scalars or objects of those. */
static bool one_line(const json_t *v) {
    if (json_is_array(v))
        return scalars_only(v);
    if (!json_is_object(v))
        return true;
    const char *key;
    json_t *member;
    json_object_foreach((json_t *)v, key, member) {
        if (!scalar(member) && !scalars_only(member))
            return false;
    }
    return true;
}

static int newline_indent(FILE *out, int depth) {
    if (fputc('\n', out) == EOF)
        return -1;
    for (int i = 0; i < depth; i++)
        if (fputs("  ", out) == EOF)
            return -1;
    return 0;
}

static int write_value(const json_t *v, FILE *out, int depth) {
    if (one_line(v))
        return json_dumpf(v, out, ONE_LINE_FLAGS);
    bool object = json_is_object(v);
    int rc = fputc(object ? '{' : '[', out) == EOF ? -1 : 0;
    size_t i = 0;
    if (object) {
        const char *key;
        json_t *member;
        json_object_foreach((json_t *)v, key, member) {
            json_t *name = json_string(key);
            rc |= (i++ ? fputc(',', out) == EOF : 0) ? -1 : 0;
            rc |= newline_indent(out, depth + 1);
            rc |= name ? json_dumpf(name, out, ONE_LINE_FLAGS) : -1;
            rc |= fputs(": ", out) == EOF ? -1 : 0;
            rc |= write_value(member, out, depth + 1);
            json_decref(name);
        }
    } else {
        for (; i < json_array_size(v); i++) {
            rc |= (i ? fputc(',', out) == EOF : 0) ? -1 : 0;
            rc |= newline_indent(out, depth + 1);
            rc |= write_value(json_array_get(v, i), out, depth + 1);
        }
    }
    rc |= newline_indent(out, depth);
    rc |= fputc(object ? '}' : ']', out) == EOF ? -1 : 0;
    return rc;
}

int report_json_write(const json_t *report, FILE *out) {
    errno = 0;
    if (write_value(report, out, 0) != 0 || fputc('\n', out) == EOF || ferror(out)) {
        if (errno == 0)
            errno = EIO;
        return -1;
    }
    return 0;
}
