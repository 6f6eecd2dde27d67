/* report_window: the part of a case's transcript its report keeps, and the
 * account of the rest (report_window.h).
 *
 * Events are kept by position (head, around the first unexpected one, tail,
 * a few notable ones). Wire records are kept by position too, around the
 * "anchor": the last record that came in no later than the first unexpected
 * event (the read that carried the offending frame; for an event of ours,
 * such as a timeout, the last record either way). A record kept is cut to a
 * head of its octets.
 *
 * The HTML report annotates each record with the frame headers it carries,
 * parsing the log the way the peer would (reports/assets/report.js). Once a
 * record of a direction is left out or cut, that parse would lose its place,
 * so the next record kept in that direction carries "frame_at": where the
 * first frame header starting in it lies, found here by the same walk over
 * the whole log (null when none starts in it). */
#include "reports/report_window.h"

#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report_int.h"

/* A case that did not pass: at most 25 events and 19 records of at most 256
 * octets (1 KiB for the record that carried the offending frame). Every
 * failure of the corpus stays readable, and the report of a run with 430 of
 * them is 2.7 MB of JSON (docs/reports.md has the measurements). */
const struct report_budget report_budget_failing = {
    .events_head = 4,
    .events_around = 4,
    .events_tail = 4,
    .events_notable = 8,
    .records_head = 4,
    .records_before = 6,
    .records_after = 4,
    .records_tail = 4,
    .record_cut = 256,
    .anchor_cut = 1024,
};

/* A passing case: what it exchanged first and last, in short. */
const struct report_budget report_budget_passing = {
    .events_head = 2,
    .events_tail = 2,
    .records_head = 2,
    .records_tail = 2,
    .record_cut = 64,
    .anchor_cut = 64,
};

/* ---- which items to keep ------------------------------------------------------ */

/* keep[from .. from + count), clipped to n. */
static void mark(bool *keep, size_t n, size_t from, size_t count) {
    for (size_t i = from; i < n && i - from < count; i++)
        keep[i] = true;
}

static void mark_around(bool *keep, size_t n, size_t at, size_t before, size_t after) {
    size_t from = at > before ? at - before : 0;
    mark(keep, n, from, (at - from) + 1 + (after < n ? after : n));
}

static void mark_tail(bool *keep, size_t n, size_t count) {
    mark(keep, n, n > count ? n - count : 0, count);
}

/* Events that say why a case went wrong wherever they fall. */
static bool notable(enum tev_kind k) {
    return k == TEV_VIOLATION || k == TEV_LIMIT || k == TEV_TIMEOUT || k == TEV_RESET ||
           k == TEV_WRITE_FAILED;
}

/* Events that are the peer's doing and arrive with its octets. */
static bool from_peer(enum tev_kind k) {
    return k == TEV_MESSAGE || k == TEV_PING || k == TEV_PONG || k == TEV_CLOSE || k == TEV_EOF ||
           k == TEV_RESET || k == TEV_VIOLATION;
}

static bool payload_event(enum tev_kind k) {
    return k == TEV_MESSAGE || k == TEV_PING || k == TEV_PONG || k == TEV_CLOSE;
}

/* The events whose payload digest the transcript holds. */
static bool digest_event(enum tev_kind k) {
    return k == TEV_MESSAGE || k == TEV_PING || k == TEV_PONG;
}

static uint64_t add_sat(uint64_t a, uint64_t b) {
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* ---- events ------------------------------------------------------------------- */

static json_t *int_or_null(bool set, long long v) {
    return set ? json_integer(v) : json_null();
}

static json_t *event_json(const struct tev *ev, size_t index) {
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "index", json_integer((json_int_t)index));
    json_object_set_new(o, "t_ms", json_real((double)ev->t_us / 1000.0));
    json_object_set_new(o, "kind", json_string(tev_kind_name(ev->kind)));
    json_object_set_new(o, "opcode", int_or_null(ev->kind == TEV_MESSAGE, ev->opcode));
    json_object_set_new(o, "length",
                        payload_event(ev->kind) ? report_count_json(ev->length) : json_null());
    json_object_set_new(o, "sha256",
                        digest_event(ev->kind) ? report_hex_json(ev->sha256, 32) : json_null());
    json_object_set_new(o, "head_hex",
                        payload_event(ev->kind) ? report_hex_json(ev->head, ev->head_len)
                                                : json_null());
    json_object_set_new(o, "code", int_or_null(ev->has_code, ev->code));
    json_object_set_new(o, "detail", report_text_json(ev->detail));
    json_object_set_new(o, "rfc", report_text_json(ev->rfc));
    if (ev->kind == TEV_PONG && ev->unsolicited)
        json_object_set_new(o, "unsolicited", json_true());
    if (ev->kind == TEV_MESSAGE && ev->compressed)
        json_object_set_new(
            o, "compressed_length",
            json_integer((json_int_t)(ev->wire_length > INT64_MAX ? INT64_MAX : ev->wire_length)));
    return o;
}

/* One run of events left out, events[first .. first + count): how many of
 * each kind (in order of first appearance), their payload octets, and the
 * SHA-256 of their payload digests (32 octets each, in order) so that two
 * reports that left out the same traffic show the same value; null when
 * the run holds no message, ping or pong. NULL when memory ran out. */
static json_t *event_gap_json(const struct tev *events, size_t first, size_t count) {
    json_t *kinds = json_object();
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    bool ok = kinds && md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1;
    uint64_t octets = 0;
    size_t digests = 0;
    for (size_t i = first; ok && i < first + count; i++) {
        const struct tev *ev = &events[i];
        const char *name = tev_kind_name(ev->kind);
        json_int_t seen = json_integer_value(json_object_get(kinds, name));
        ok = json_object_set_new(kinds, name, json_integer(seen + 1)) == 0;
        if (payload_event(ev->kind))
            octets = add_sat(octets, ev->length);
        if (digest_event(ev->kind)) {
            ok = ok && EVP_DigestUpdate(md, ev->sha256, sizeof ev->sha256) == 1;
            digests++;
        }
    }
    uint8_t sum[EVP_MAX_MD_SIZE];
    unsigned sum_len = 0;
    if (ok && digests)
        ok = EVP_DigestFinal_ex(md, sum, &sum_len) == 1 && sum_len == 32;
    EVP_MD_CTX_free(md);
    json_t *g = ok ? json_object() : NULL;
    if (!g) {
        json_decref(kinds);
        return NULL;
    }
    json_object_set_new(g, "first", json_integer((json_int_t)first));
    json_object_set_new(g, "count", json_integer((json_int_t)count));
    json_object_set_new(g, "kinds", kinds);
    json_object_set_new(g, "payload_octets", report_count_json(octets));
    json_object_set_new(g, "sha256", digests ? report_hex_json(sum, 32) : json_null());
    return g;
}

/* ---- the wire log ------------------------------------------------------------- */

/* One direction of the log read as its receiver reads it: the HTTP head up
 * to its empty line, then frame headers and payloads. A response other than
 * 101 carries no frames (DEAD: 6455:4.1 "If the status code received from
 * the server is not 101, the client handles the response per HTTP
 * procedures"); nor does a head longer than 64 KiB. The same walk as
 * frameNotes() in reports/assets/report.js. */
enum walk_state { WALK_HEAD, WALK_FRAMES, WALK_DEAD };

#define WALK_HEAD_MAX (64 * 1024)
static const char status_101[] = "HTTP/1.1 101 ";

struct walk {
    enum walk_state state;
    bool response;   /* the peer's direction: frames follow a 101 only */
    size_t head_len; /* octets of the HTTP head so far */
    char status[13]; /* its first octets */
    uint32_t last4;  /* its last four octets */
    uint8_t hdr[14]; /* the frame header being read */
    size_t hdr_len;
    uint64_t payload_left; /* octets of the current payload still to come */
};

/* Octets a frame header needs, given those read so far. 6455:5.2 "If 126,
 * the following 2 bytes interpreted as a 16-bit unsigned integer are the
 * payload length. If 127, the following 8 bytes interpreted as a 64-bit
 * unsigned integer [...] are the payload length." The masking key "is
 * present if the mask bit is set to 1". */
static size_t header_need(const uint8_t *hdr, size_t have) {
    if (have < 2)
        return 2;
    unsigned len7 = hdr[1] & 0x7f;
    return 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + (hdr[1] & 0x80 ? 4 : 0);
}

static uint64_t header_payload_len(const uint8_t *hdr) {
    unsigned len7 = hdr[1] & 0x7f;
    if (len7 < 126)
        return len7;
    uint64_t len = 0;
    for (size_t i = 2; i < (len7 == 126 ? 4u : 10u); i++)
        len = (len << 8) | hdr[i];
    return len;
}

/* Feed one record; returns the offset of the first frame header that starts
 * in it, or -1 when none does. */
static int64_t walk_record(struct walk *w, const uint8_t *data, size_t len) {
    int64_t first = -1;
    size_t p = 0;
    while (p < len && w->state != WALK_DEAD) {
        if (w->state == WALK_HEAD) {
            uint8_t c = data[p++];
            if (w->head_len < sizeof w->status)
                w->status[w->head_len] = (char)c;
            w->head_len++;
            w->last4 = (w->last4 << 8) | c;
            if (w->head_len >= 4 && w->last4 == 0x0d0a0d0au)
                w->state = !w->response || (w->head_len >= sizeof w->status &&
                                            memcmp(w->status, status_101, sizeof w->status) == 0)
                               ? WALK_FRAMES
                               : WALK_DEAD;
            else if (w->head_len > WALK_HEAD_MAX)
                w->state = WALK_DEAD;
        } else if (w->payload_left > 0) {
            size_t room = len - p;
            size_t skip = w->payload_left < room ? (size_t)w->payload_left : room;
            w->payload_left -= skip;
            p += skip;
        } else {
            if (w->hdr_len == 0 && first < 0)
                first = (int64_t)p;
            w->hdr[w->hdr_len++] = data[p++];
            if (w->hdr_len < header_need(w->hdr, w->hdr_len))
                continue;
            w->payload_left = header_payload_len(w->hdr);
            w->hdr_len = 0;
        }
    }
    return first;
}

struct rec {
    struct wire_record r;
    int64_t frame_at; /* the first frame header starting in it, -1 when none */
};

/* The log as an array (views into t->wire, borrowed), each record with its
 * frame_at. Returns 0, or -1 when memory ran out. */
static int collect_records(const struct transcript *t, struct rec **out, size_t *count) {
    size_t n = 0, pos = 0;
    struct wire_record r;
    while (transcript_wire_next(t, &pos, &r))
        n++;
    *out = calloc(n ? n : 1, sizeof **out);
    if (!*out)
        return -1;
    struct walk walks[2] = {{.state = WALK_HEAD}, {.state = WALK_HEAD, .response = true}};
    pos = 0;
    for (size_t i = 0; i < n && transcript_wire_next(t, &pos, &r); i++) {
        (*out)[i].r = r;
        (*out)[i].frame_at = walk_record(&walks[r.dir == WIRE_ENTRY_IN], r.data, r.len);
    }
    *count = n;
    return 0;
}

/* The record that carried event ev: the last one in from the peer no later
 * than ev for the peer's events, else the last one either way; SIZE_MAX
 * when the log is empty. */
static size_t anchor_record(const struct rec *recs, size_t n, const struct tev *ev) {
    size_t last_in = SIZE_MAX, last_any = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        if (recs[i].r.t_us > ev->t_us)
            continue;
        last_any = i;
        if (recs[i].r.dir == WIRE_ENTRY_IN)
            last_in = i;
    }
    if (from_peer(ev->kind) && last_in != SIZE_MAX)
        return last_in;
    if (last_any != SIZE_MAX)
        return last_any;
    return n ? 0 : SIZE_MAX;
}

/* Whether handshake.request / handshake.response shows an HTTP head exactly
 * to a reader: all of it kept as text (report_json.c's cap), every octet
 * printable ASCII, CR and LF only as CRLF pairs. Such a head's text is
 * unambiguous, so the records that hold nothing but its octets keep no hex
 * of their own. A head with a tab, a bare CR or LF, a control octet or a
 * non-ASCII octet is the story of its case: its records keep their hex. */
static bool head_shown_exactly(const struct buf *head) {
    if (head->len == 0 || head->len > REPORT_HEAD_TEXT_CAP)
        return false;
    for (size_t i = 0; i < head->len; i++) {
        uint8_t c = head->data[i];
        if (c == '\r' && i + 1 < head->len && head->data[i + 1] == '\n')
            i++;
        else if (c < 0x20 || c > 0x7e)
            return false;
    }
    return true;
}

/* A kept record: its head of `kept` octets; the full length and SHA-256
 * when that is not all of it, or the length and "head" for a record of
 * head octets shown as handshake text; frame_at when the reader's parse
 * lost its place in this direction. NULL when memory ran out. */
static json_t *record_json(const struct rec *rc, size_t index, size_t kept, bool in_head,
                           bool resync) {
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "index", json_integer((json_int_t)index));
    json_object_set_new(o, "t_ms", json_real((double)rc->r.t_us / 1000.0));
    json_object_set_new(o, "dir", json_string(rc->r.dir == WIRE_ENTRY_OUT ? "out" : "in"));
    json_object_set_new(o, "hex", report_hex_json(rc->r.data, kept));
    if (in_head) {
        json_object_set_new(o, "length", json_integer((json_int_t)rc->r.len));
        json_object_set_new(o, "head", json_true());
    } else if (kept < rc->r.len) {
        uint8_t sum[EVP_MAX_MD_SIZE];
        unsigned sum_len = 0;
        if (EVP_Digest(rc->r.data, rc->r.len, sum, &sum_len, EVP_sha256(), NULL) != 1 ||
            sum_len != 32) {
            json_decref(o);
            return NULL;
        }
        json_object_set_new(o, "length", json_integer((json_int_t)rc->r.len));
        json_object_set_new(o, "sha256", report_hex_json(sum, 32));
    }
    if (resync)
        json_object_set_new(o, "frame_at",
                            rc->frame_at >= 0 ? json_integer(rc->frame_at) : json_null());
    return o;
}

static json_t *record_gap_json(size_t first, size_t count, const uint64_t octets[2]) {
    json_t *g = json_object();
    if (!g)
        return NULL;
    json_object_set_new(g, "first", json_integer((json_int_t)first));
    json_object_set_new(g, "count", json_integer((json_int_t)count));
    json_object_set_new(g, "octets_out", report_count_json(octets[WIRE_ENTRY_OUT]));
    json_object_set_new(g, "octets_in", report_count_json(octets[WIRE_ENTRY_IN]));
    return g;
}

/* ---- the window --------------------------------------------------------------- */

/* What build_events / build_records hand to the "elided" object. */
struct tally {
    size_t events;
    size_t records;
    size_t records_cut;
    uint64_t octets[2]; /* by enum wire_entry_dir */
};

static int build_events(const struct transcript *t, int fu, const struct report_budget *b,
                        struct report_window *out, json_t *gaps, struct tally *tally) {
    size_t n = t->event_count;
    bool *keep = calloc(n ? n : 1, sizeof *keep);
    if (!keep)
        return -1;
    mark(keep, n, 0, b->events_head);
    if (fu >= 0 && (size_t)fu < n)
        mark_around(keep, n, (size_t)fu, b->events_around, b->events_around);
    mark_tail(keep, n, b->events_tail);
    for (size_t i = 0, more = 0; i < n && more < b->events_notable; i++) {
        if (!keep[i] && notable(t->events[i].kind)) {
            keep[i] = true;
            more++;
        }
    }
    int rc = 0;
    size_t kept = 0;
    for (size_t i = 0; i < n && rc == 0;) {
        if (keep[i]) {
            if (fu >= 0 && (size_t)fu == i)
                out->first_unexpected = (int)kept;
            rc = json_array_append_new(out->events, event_json(&t->events[i], i));
            kept++;
            i++;
            continue;
        }
        size_t first = i;
        while (i < n && !keep[i])
            i++;
        rc = json_array_append_new(gaps, event_gap_json(t->events, first, i - first));
    }
    tally->events = n - kept;
    free(keep);
    return rc;
}

static int build_records(const struct transcript *t, int fu, const struct report_budget *b,
                         struct report_window *out, json_t *gaps, struct tally *tally) {
    struct rec *recs;
    size_t n;
    if (collect_records(t, &recs, &n) != 0)
        return -1;
    bool *keep = calloc(n ? n : 1, sizeof *keep);
    if (!keep) {
        free(recs);
        return -1;
    }
    size_t anchor = SIZE_MAX;
    if (fu >= 0 && (size_t)fu < t->event_count)
        anchor = anchor_record(recs, n, &t->events[fu]);
    mark(keep, n, 0, b->records_head);
    if (anchor != SIZE_MAX)
        mark_around(keep, n, anchor, b->records_before, b->records_after);
    mark_tail(keep, n, b->records_tail);

    bool in_step[2] = {true, true}; /* the reader's parse of each direction is in step */
    const struct buf *heads[2] = {&t->request_head, &t->response_head};
    bool head_text[2] = {head_shown_exactly(heads[0]), head_shown_exactly(heads[1])};
    size_t stream_at[2] = {0, 0}; /* offset of record i in its direction's octets */
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0;) {
        if (!keep[i]) {
            size_t first = i;
            uint64_t octets[2] = {0, 0};
            for (; i < n && !keep[i]; i++) {
                octets[recs[i].r.dir] = add_sat(octets[recs[i].r.dir], recs[i].r.len);
                stream_at[recs[i].r.dir] += recs[i].r.len;
                in_step[recs[i].r.dir] = false;
            }
            tally->records += i - first;
            for (int d = 0; d < 2; d++)
                tally->octets[d] = add_sat(tally->octets[d], octets[d]);
            rc = json_array_append_new(gaps, record_gap_json(first, i - first, octets));
            continue;
        }
        const struct rec *r = &recs[i];
        const struct buf *head = heads[r->r.dir];
        size_t at = stream_at[r->r.dir];
        stream_at[r->r.dir] += r->r.len;
        bool in_head = head_text[r->r.dir] && at <= head->len && r->r.len <= head->len - at &&
                       memcmp(head->data + at, r->r.data, r->r.len) == 0;
        size_t cut = in_head ? 0 : i == anchor ? b->anchor_cut : b->record_cut;
        size_t kept = r->r.len < cut ? r->r.len : cut;
        bool resync = !in_step[r->r.dir];
        if (resync)
            in_step[r->r.dir] = r->frame_at >= 0;
        if (kept < r->r.len) {
            in_step[r->r.dir] = false;
            tally->records_cut++;
            tally->octets[r->r.dir] = add_sat(tally->octets[r->r.dir], r->r.len - kept);
        }
        rc = json_array_append_new(out->records, record_json(r, i, kept, in_head, resync));
        i++;
    }
    free(keep);
    free(recs);
    return rc;
}

int report_window_build(const struct transcript *t, int first_unexpected,
                        const struct report_budget *b, struct report_window *out) {
    memset(out, 0, sizeof *out);
    out->first_unexpected = -1;
    out->events = json_array();
    out->records = json_array();
    out->elided = json_object();
    json_t *event_gaps = json_array(), *record_gaps = json_array();
    struct tally tally = {0};
    bool ok = out->events && out->records && out->elided && event_gaps && record_gaps &&
              build_events(t, first_unexpected, b, out, event_gaps, &tally) == 0 &&
              build_records(t, first_unexpected, b, out, record_gaps, &tally) == 0;
    if (ok) {
        /* The counts first, then the lists: json_object_set_new takes its value
         * even when it fails. */
        json_t *e = out->elided;
        ok = json_object_set_new(e, "events", report_count_json(tally.events)) == 0 &&
             json_object_set_new(e, "records", report_count_json(tally.records)) == 0 &&
             json_object_set_new(e, "records_cut", report_count_json(tally.records_cut)) == 0 &&
             json_object_set_new(e, "octets_out",
                                 report_count_json(tally.octets[WIRE_ENTRY_OUT])) == 0 &&
             json_object_set_new(e, "octets_in", report_count_json(tally.octets[WIRE_ENTRY_IN])) ==
                 0;
        ok = json_object_set_new(e, "event_gaps", event_gaps) == 0 && ok;
        ok = json_object_set_new(e, "record_gaps", record_gaps) == 0 && ok;
        event_gaps = record_gaps = NULL;
    }
    json_decref(event_gaps);
    json_decref(record_gaps);
    if (ok)
        return 0;
    json_decref(out->events);
    json_decref(out->records);
    json_decref(out->elided);
    memset(out, 0, sizeof *out);
    out->first_unexpected = -1;
    return -1;
}
