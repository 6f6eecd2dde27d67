/* report_window: what of one case's transcript the report keeps.
 *
 * The runner keeps up to 64 KiB of wire log and thousands of events per
 * case; a run against a server that fails hundreds of cases cannot carry
 * all of that into a report people download and open (20 MB of JSON for
 * the corpus against a server that fails half of it). The report keeps the
 * window where the judge looked instead:
 *
 *   events   the first few, those either side of the first unexpected one,
 *            the last few, and a few more violations, limits, timeouts,
 *            resets and failed writes;
 *   records  of the wire log: the first few (the handshake heads and the
 *            first frames), those either side of the record that carried
 *            the first unexpected event, the last few; each cut to a head of
 *            its octets, with its full length and SHA-256 when cut;
 *
 * and says exactly what it left out: per case an "elided" object with the
 * counts (events, records, records cut, octets out and in) and one entry per
 * run of events or records left out (the events' kinds, payload octets and a
 * digest of their payloads; the records' octets per direction). A case that
 * passed keeps less than one that did not (report_budget_passing). Private
 * to reports/. */
#ifndef WSSPEC_REPORT_WINDOW_H
#define WSSPEC_REPORT_WINDOW_H

#include <jansson.h>
#include <stddef.h>

#include "model/transcript.h"

/* How much of a case's record the report keeps. */
struct report_budget {
    size_t events_head;    /* the first events */
    size_t events_around;  /* events either side of the first unexpected one */
    size_t events_tail;    /* the last events */
    size_t events_notable; /* more violation, limit, timeout, reset, write-failed events */
    size_t records_head;   /* the first wire records: the handshake heads, the first frames */
    size_t records_before; /* records before the one that carried the first unexpected event */
    size_t records_after;  /* ... and after it */
    size_t records_tail;   /* the last records */
    size_t record_cut;     /* octets of a record kept (its head) */
    size_t anchor_cut;     /* ... of the record that carried the first unexpected event */
};

/* Every verdict but pass (fail, error, non-strict, informational,
 * unimplemented): the reader has to see why. */
extern const struct report_budget report_budget_failing;
/* A case that passed: its first and last events and records, short heads. */
extern const struct report_budget report_budget_passing;

struct report_window {
    json_t *events;       /* the kept events, each with its "index" in the transcript */
    json_t *records;      /* the kept wire records, each with its "index" in the log */
    json_t *elided;       /* what was left out (report.schema.json, "elided") */
    int first_unexpected; /* the judge's event as an index into events; -1 when none */
};

/* Choose and build the kept events and records of transcript t (borrowed)
 * for a judge that pointed at event first_unexpected (-1: none) under
 * budget b. On success returns 0 and out holds three new references (the
 * caller sets or json_decref()s them); returns -1 when memory ran out, with
 * nothing to free. */
int report_window_build(const struct transcript *t, int first_unexpected,
                        const struct report_budget *b, struct report_window *out);

#endif
