/* caseload_reach: every outcome of a case can be reached in principle
 * (cases/README.md "Reachable outcomes"). An outcome the runner can never
 * produce is a bug of the case: a correct peer would get an error or a
 * failure where the case meant to give it this outcome's verdict.
 *
 * Only what is certain is flagged, reasoning from how the runner executes
 * steps (harness/run/runner_exec.c) and how the judge matches outcomes
 * (harness/judge/judge.c), for any peer and any option:
 *
 *   time    A point of the steps that an outcome needs, namely our close
 *           frame for a close "by": "us" and each mark the outcome lists,
 *           comes after steps that certainly take the whole case timeout.
 *           Before such a point the peer has neither closed nor left (the
 *           outcome would not match otherwise), so pauses and chop delays
 *           run in full, and a wait runs to its own timeout when the
 *           outcome leaves too few events of its kind for it (the idle
 *           deadline may be off: --idle-timeout 0).
 *   close   A close "by": "us" with no step that can send our close frame
 *           before the steps end, or with our TCP shut down (a shutdown
 *           step) before it: nothing of ours can start the closing
 *           handshake.
 *   pongs   More pongs required than pings we send: a pong that answers no
 *           ping of ours is unsolicited and never compared (6455:5.5.3).
 *   marks   A mark required more often than the steps record it.
 *
 * What the peer may send on its own (messages, pings, unsolicited pongs) is
 * never bounded by our steps, so an outcome listing more echoes than we
 * send is not flagged: a peer that is no echo server can still send them. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "load/caseload_int.h"

/* Step visits per outcome; a case whose repeats go beyond is not judged
 * past this point (nothing is flagged there). */
#define MAX_VISITS 1000000u

/* An upper bound on a count, or unbounded. */
struct bound {
    bool limited;
    uint64_t max;
};

static uint64_t sat_add(uint64_t a, uint64_t b) {
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t sat_mul(uint64_t a, uint64_t b) {
    return b && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

static uint64_t times_of(const struct expect_event *e) {
    return e->times ? e->times : 1;
}

/* Whether e may stand for an event of kind k (an any_of, through one of its
 * alternatives). */
static bool may_be(const struct expect_event *e, enum expect_kind k) {
    if (e->kind == k)
        return true;
    if (e->kind != EXPECT_ANY_OF)
        return false;
    for (size_t i = 0; i < e->alternative_count; i++)
        if (may_be(&e->alternatives[i], k))
            return true;
    return false;
}

/* Whether e certainly is an event of kind k (an any_of: all its alternatives). */
static bool must_be(const struct expect_event *e, enum expect_kind k) {
    if (e->kind != EXPECT_ANY_OF)
        return e->kind == k;
    for (size_t i = 0; i < e->alternative_count; i++)
        if (!must_be(&e->alternatives[i], k))
            return false;
    return e->alternative_count > 0;
}

/* The most events of kind k the outcome's list can match. */
static struct bound most_events(const struct outcome *o, enum expect_kind k) {
    struct bound b = {.limited = !o->any_events};
    for (size_t i = 0; b.limited && i < o->event_count; i++)
        if (may_be(&o->events[i], k))
            b.max = sat_add(b.max, times_of(&o->events[i]));
    return b;
}

/* The fewest events of kind k the outcome's list needs. */
static uint64_t least_events(const struct outcome *o, enum expect_kind k) {
    uint64_t n = 0;
    for (size_t i = 0; !o->any_events && i < o->event_count; i++)
        if (!o->events[i].optional && must_be(&o->events[i], k))
            n = sat_add(n, times_of(&o->events[i]));
    return n;
}

static bool case_lists_pings(const struct wcase *w) {
    for (size_t i = 0; i < w->outcome_count; i++)
        if (most_events(&w->outcomes[i], EXPECT_PING).max > 0)
            return true;
    return false;
}

/* ---- what the steps can do ---------------------------------------------------- */

/* Ping frames of ours (send_frame with the ping opcode: the runner counts
 * them as pings sent), or unbounded when raw octets may hold some. */
static struct bound pings_sent(const struct step *steps, size_t n) {
    struct bound b = {.limited = true};
    for (size_t i = 0; i < n && b.limited; i++) {
        const struct step *st = &steps[i];
        if (st->kind == STEP_SEND_RAW) {
            b.limited = false;
        } else if (st->kind == STEP_SEND_FRAME && st->u.frame.opcode == 9) {
            b.max = sat_add(b.max, 1);
        } else if (st->kind == STEP_REPEAT) {
            struct bound inner = pings_sent(st->u.repeat.steps, st->u.repeat.step_count);
            b.limited = inner.limited;
            b.max = sat_add(b.max, sat_mul(inner.max, st->u.repeat.count));
        }
    }
    return b;
}

static uint64_t marks_recorded(const struct step *steps, size_t n, const char *name) {
    uint64_t count = 0;
    for (size_t i = 0; i < n; i++) {
        const struct step *st = &steps[i];
        if (st->kind == STEP_MARK && strcmp(st->u.mark, name) == 0)
            count = sat_add(count, 1);
        else if (st->kind == STEP_REPEAT)
            count = sat_add(
                count, sat_mul(marks_recorded(st->u.repeat.steps, st->u.repeat.step_count, name),
                               st->u.repeat.count));
    }
    return count;
}

/* ---- the time before a point an outcome needs ------------------------------------ */

/* The waits of one kind since the last group closed. The runner's wait
 * claims `count` events beyond what earlier waits claimed (on a timeout
 * its claim falls back to the counter), and the claim never exceeds the
 * counter, which an outcome bounds (at most `max` events before the point it
 * needs). So when a group claims more than `max`, at least one of its waits
 * cannot be met and runs to its timeout: the group costs at least its
 * shortest timeout, and the next group starts afresh (a claim of 0 or more).
 * A lower bound, never more: which wait times out is the peer's choice. */
struct wait_group {
    uint64_t claimed;
    uint64_t waits;  /* how many waits claimed */
    char first[96];  /* the first one's path */
    double shortest; /* the shortest timeout among the group's waits */
    char where[96];  /* that wait's path */
};

struct walk {
    const struct wcase *w;
    const struct outcome *o;
    struct bound most[WAIT_EOF + 1]; /* events per wait kind the outcome allows */
    struct wait_group group[WAIT_EOF + 1];
    bool needs_close; /* close "by": "us" */
    double elapsed;   /* seconds that certainly passed before the current step */
    char cause[320];  /* the largest part of elapsed, for the message */
    double cause_s;
    size_t visits;
    bool stopped;      /* our close frame may be out: later steps are not judged */
    char problem[800]; /* why the outcome cannot be reached, "" = not (yet) known */
};

static const char *const wait_names[] = {"message", "ping", "pong", "close", "event", "eof"};

/* seconds certainly pass at this point; cause says why (copied). */
static void note_time(struct walk *k, double seconds, const char *cause) {
    k->elapsed += seconds;
    if (seconds > k->cause_s) {
        k->cause_s = seconds;
        snprintf(k->cause, sizeof k->cause, "%s", cause);
    }
}

static void path_of(char *out, size_t cap, const char *base, size_t index) {
    snprintf(out, cap, "%s[%zu]", base, index);
}

/* Octets a send step certainly puts on the wire (at least; headers of
 * more than 2 octets and masking keys not counted). */
static uint64_t least_octets(const struct step *st) {
    switch (st->kind) {
    case STEP_SEND_FRAME: return sat_add(st->u.frame.payload.length, 2);
    case STEP_SEND_MESSAGE: return sat_add(st->u.message.payload.length, 2);
    case STEP_SEND_CLOSE:
        return sat_add(st->u.close.raw_set
                           ? st->u.close.raw.length
                           : (st->u.close.has_code ? 2 : 0) + st->u.close.reason.length,
                       2);
    case STEP_SEND_RAW: return st->u.raw.length;
    default: return 0;
    }
}

static bool is_send(enum step_kind kind) {
    return kind == STEP_SEND_FRAME || kind == STEP_SEND_MESSAGE || kind == STEP_SEND_CLOSE ||
           kind == STEP_SEND_RAW;
}

/* Whether the step may send a close frame of ours: a close, or raw octets. */
static bool may_close(const struct step *st) {
    return st->kind == STEP_SEND_CLOSE || st->kind == STEP_SEND_RAW ||
           (st->kind == STEP_SEND_FRAME && st->u.frame.opcode == 8);
}

/* The outcome lists mark `name` as an event it needs. */
static bool mark_needed(const struct outcome *o, const char *name) {
    for (size_t i = 0; !o->any_events && i < o->event_count; i++) {
        const struct expect_event *e = &o->events[i];
        if (!e->optional && e->kind == EXPECT_MARK && strcmp(e->mark, name) == 0)
            return true;
    }
    return false;
}

static void too_late(struct walk *k, const char *what, const char *where) {
    snprintf(k->problem, sizeof k->problem,
             "%.120s (%.96s) comes after at least %g s of steps, and the case timeout is %g s: "
             "%s%.320s",
             what, where, k->elapsed, k->w->timeout_s,
             k->cause_s < k->elapsed ? "the longest part: " : "", k->cause);
}

static void wait_step(struct walk *k, const struct wait_step *ws, const char *where) {
    struct wait_group *g = &k->group[ws->what];
    double timeout = ws->timeout_s > 0 ? ws->timeout_s : k->w->timeout_s;
    if (g->waits == 0)
        snprintf(g->first, sizeof g->first, "%s", where);
    if (g->waits == 0 || timeout < g->shortest) {
        g->shortest = timeout;
        snprintf(g->where, sizeof g->where, "%s", where);
    }
    g->waits++;
    g->claimed = sat_add(g->claimed, ws->count ? ws->count : 1);
    const struct bound *b = &k->most[ws->what];
    if (!b->limited || g->claimed <= b->max)
        return;
    /* One of the group's waits runs to its timeout: with every earlier one
     * met, this one would need more events than the outcome allows. */
    char cause[320];
    if (ws->what == WAIT_CLOSE || ws->what == WAIT_EOF)
        snprintf(cause, sizeof cause,
                 "%s waits for the peer's %s, which this outcome only has later, so it runs to "
                 "its timeout (%g s)",
                 where, ws->what == WAIT_CLOSE ? "close frame" : "TCP close", timeout);
    else if (g->waits == 1)
        snprintf(cause, sizeof cause,
                 "%s waits for %llu %s%s, more than the %llu this outcome allows, so it runs to "
                 "its timeout (%g s)",
                 where, (unsigned long long)g->claimed, wait_names[ws->what],
                 g->claimed == 1 ? "" : "s", (unsigned long long)b->max, timeout);
    else
        snprintf(cause, sizeof cause,
                 "%llu waits (the first at %s, the last at %s) claim %llu %ss, more than the %llu "
                 "this outcome allows, so one runs to its timeout (at least %g s)",
                 (unsigned long long)g->waits, g->first, where, (unsigned long long)g->claimed,
                 wait_names[ws->what], (unsigned long long)b->max, g->shortest);
    note_time(k, g->shortest, cause);
    g->claimed = 0;
    g->waits = 0;
}

static void walk_steps(struct walk *k, const struct step *steps, size_t n, const char *base) {
    double timeout = k->w->timeout_s;
    for (size_t i = 0; i < n && !k->stopped && !k->problem[0]; i++) {
        const struct step *st = &steps[i];
        char where[96], cause[320];
        path_of(where, sizeof where, base, i);
        if (++k->visits > MAX_VISITS) {
            k->stopped = true;
            return;
        }
        if (is_send(st->kind) && !st->coalesce) {
            uint32_t chop = st->chop ? st->chop : k->w->chop;
            double delay = st->chop_delay_s > 0 ? st->chop_delay_s : k->w->chop_delay_s;
            uint64_t octets = least_octets(st);
            if (chop > 0 && delay > 0 && octets > chop) {
                uint64_t gaps = (octets - 1) / chop; /* chops - 1 */
                snprintf(cause, sizeof cause, "%s writes at least %llu chops %g s apart", where,
                         (unsigned long long)gaps + 1, delay);
                note_time(k, (double)gaps * delay, cause);
            }
        }
        if (may_close(st)) {
            /* Once our close frame may be out, the peer's answer ends
             * pauses and waits: nothing after it is certain. */
            if (k->needs_close && k->elapsed >= timeout)
                too_late(k, "its close \"by\": \"us\" needs our close frame, which", where);
            k->stopped = true;
            return;
        }
        switch (st->kind) {
        case STEP_PAUSE:
            snprintf(cause, sizeof cause, "%s pauses for %g s", where, st->u.pause_s);
            note_time(k, st->u.pause_s, cause);
            break;
        case STEP_WAIT: wait_step(k, &st->u.wait, where); break;
        case STEP_MARK:
            if (k->elapsed >= timeout && mark_needed(k->o, st->u.mark)) {
                char what[120];
                snprintf(what, sizeof what, "it lists the mark \"%.60s\", which", st->u.mark);
                too_late(k, what, where);
            }
            break;
        case STEP_SHUTDOWN:
            if (k->needs_close)
                snprintf(k->problem, sizeof k->problem,
                         "its close \"by\": \"us\" needs our close frame, but %s shuts our side "
                         "of TCP down before any step sends one",
                         where);
            break;
        case STEP_REPEAT: {
            char inner[128];
            snprintf(inner, sizeof inner, "%.96s.repeat.steps", where);
            for (uint32_t r = 0; r < st->u.repeat.count && !k->stopped && !k->problem[0]; r++)
                walk_steps(k, st->u.repeat.steps, st->u.repeat.step_count, inner);
            break;
        }
        default: break;
        }
    }
}

/* Whether the outcome can only be a WebSocket conversation (a valid 101):
 * a refusal or no answer would decide it before any step. */
static bool websocket_only(const struct outcome *o) {
    const struct handshake_expect *h = &o->handshake;
    if (!h->set)
        return true;
    return !h->allow_no_response && !h->allow_silence && h->status_count == 1 &&
           h->statuses[0] == 101;
}

static void judge_time(struct walk *k) {
    k->needs_close = k->o->close.by == CLOSE_BY_US && !k->o->accept_limit;
    bool pings_matter = case_lists_pings(k->w);
    k->most[WAIT_MESSAGE] = most_events(k->o, EXPECT_MESSAGE);
    k->most[WAIT_PONG] = most_events(k->o, EXPECT_PONG);
    k->most[WAIT_PING] = most_events(k->o, EXPECT_PING);
    if (!pings_matter)
        k->most[WAIT_PING].limited = false; /* skipped, but they satisfy a wait for pings */
    /* Before a point the outcome needs, the peer has not closed: no close
     * frame, no EOF. A wait for any event counts messages, answering pongs
     * and close frames. */
    k->most[WAIT_CLOSE] = (struct bound){.limited = true};
    k->most[WAIT_EOF] = (struct bound){.limited = true};
    k->most[WAIT_ANY] =
        (struct bound){.limited = k->most[WAIT_MESSAGE].limited && k->most[WAIT_PONG].limited,
                       .max = sat_add(k->most[WAIT_MESSAGE].max, k->most[WAIT_PONG].max)};
    walk_steps(k, k->w->steps, k->w->step_count, "steps");
    if (!k->problem[0] && k->needs_close && !k->stopped)
        snprintf(k->problem, sizeof k->problem,
                 "its close \"by\": \"us\" needs our close frame, and no step sends one");
}

static void judge_counts(struct walk *k) {
    const struct outcome *o = k->o;
    uint64_t pongs = least_events(o, EXPECT_PONG);
    struct bound pings = pings_sent(k->w->steps, k->w->step_count);
    if (pings.limited && pongs > pings.max) {
        snprintf(k->problem, sizeof k->problem,
                 "it needs %llu pong%s, and the steps send %llu ping%s: a pong answering no ping "
                 "of ours is unsolicited and never compared (6455:5.5.3)",
                 (unsigned long long)pongs, pongs == 1 ? "" : "s", (unsigned long long)pings.max,
                 pings.max == 1 ? "" : "s");
        return;
    }
    for (size_t i = 0; !o->any_events && i < o->event_count; i++) {
        const struct expect_event *e = &o->events[i];
        if (e->optional || e->kind != EXPECT_MARK)
            continue;
        uint64_t needed = 0;
        for (size_t j = 0; j < o->event_count; j++)
            if (!o->events[j].optional && o->events[j].kind == EXPECT_MARK &&
                strcmp(o->events[j].mark, e->mark) == 0)
                needed = sat_add(needed, times_of(&o->events[j]));
        uint64_t recorded = marks_recorded(k->w->steps, k->w->step_count, e->mark);
        if (needed > recorded) {
            snprintf(k->problem, sizeof k->problem,
                     "it needs the mark \"%.60s\" %llu time%s, and the steps record it %llu "
                     "time%s",
                     e->mark, (unsigned long long)needed, needed == 1 ? "" : "s",
                     (unsigned long long)recorded, recorded == 1 ? "" : "s");
            return;
        }
    }
}

/* The index in the case's "outcomes" list of the written outcome that gave
 * w->outcomes[index]: an outcome {"use": NAME} stands for the run of
 * outcomes of behaviour NAME it was spliced into. */
static size_t written_index(const json_t *obj, const struct wcase *w, size_t index) {
    const json_t *list = json_object_get(obj, "outcomes");
    size_t at = 0;
    for (size_t j = 0; j < json_array_size(list); j++) {
        const char *use = json_string_value(json_object_get(json_array_get(list, j), "use"));
        size_t span = 1;
        if (use) {
            span = 0;
            while (at + span < w->outcome_count && w->outcomes[at + span].behaviour &&
                   strcmp(w->outcomes[at + span].behaviour, use) == 0)
                span++;
        }
        if (index < at + span)
            return j;
        at += span;
    }
    return index;
}

int caseload_reach(struct caseload_ctx *c, const json_t *obj, const struct wcase *w) {
    for (size_t i = 0; i < w->outcome_count; i++) {
        const struct outcome *o = &w->outcomes[i];
        if (!websocket_only(o))
            continue;
        struct walk k = {.w = w, .o = o};
        judge_counts(&k);
        if (!k.problem[0])
            judge_time(&k);
        if (!k.problem[0])
            continue;
        if (caseload_push_key(c, "outcomes") != 0 ||
            caseload_push_index(c, written_index(obj, w, i)) != 0)
            return -1;
        if (o->behaviour)
            return caseload_fail(c, false,
                                 "outcome %zu (%s, of \"use\": \"%s\") can never be reached: %s",
                                 i + 1, verdict_name(o->verdict), o->behaviour, k.problem);
        return caseload_fail(c, false, "outcome %zu (%s) can never be reached: %s", i + 1,
                             verdict_name(o->verdict), k.problem);
    }
    return 0;
}
