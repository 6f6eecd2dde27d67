/* console: the human side of `wsspec run` (console.h).
 *
 * Two audiences share it. A CI log (stdout not a terminal) gets one plain
 * line per case, failure blocks and the summary as the last line: no \r,
 * no cursor codes, colour only on request. A person at a terminal gets a
 * progress bar on stderr, redrawn in place by a ticker thread (so the
 * "slowest running case" clock moves even while nothing finishes), and
 * only the lines that need attention; before any line goes out the bar is
 * wiped, and it is drawn again afterwards, so the two never interleave. */
#include "reports/console.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "model/transcript.h"

#define TICK_MS 200
#define INDENT  "      "

struct console {
    struct console_options o;
    FILE *out; /* where case lines and the summary go */
    size_t total;
    bool color;           /* ANSI colour on `out` */
    bool bar;             /* progress bar on o.err */
    bool every_line;      /* a line for every case, not only the bad ones */
    pthread_mutex_t lock; /* everything below */
    size_t counts[VERDICT_COUNT];
    size_t done;
    int64_t *started_ms;     /* per case index: monotonic start, 0 = not running */
    const char **running_id; /* per case index, borrowed from the case */
    bool bar_shown;
    pthread_t ticker;
    bool ticker_started;
    bool ticker_stop;
    pthread_cond_t wake;
};

/* ---- colour and terminals --------------------------------------------------- */

static bool term_is_dumb(void) {
    const char *term = getenv("TERM");
    return term && strcmp(term, "dumb") == 0;
}

bool console_use_color(enum console_color mode, FILE *stream) {
    if (mode == CONSOLE_COLOR_ALWAYS)
        return true;
    if (mode == CONSOLE_COLOR_NEVER)
        return false;
    /* no-color.org: "when present and not an empty string". */
    const char *no_color = getenv("NO_COLOR");
    if (no_color && *no_color)
        return false;
    return !term_is_dumb() && isatty(fileno(stream));
}

static const char *verdict_label(enum verdict v) {
    static const char *const labels[VERDICT_COUNT] = {"pass",   "non-strict", "info",
                                                      "unimpl", "FAIL",       "ERROR"};
    return (unsigned)v < VERDICT_COUNT ? labels[v] : "?";
}

static const char *verdict_color(enum verdict v) {
    switch (v) {
    case VERDICT_PASS: return "\033[32m";
    case VERDICT_NON_STRICT: return "\033[33m";
    case VERDICT_INFORMATIONAL: return "\033[36m";
    case VERDICT_UNIMPLEMENTED: return "\033[35m";
    case VERDICT_FAIL: return "\033[1;31m";
    default: return "\033[1;35m";
    }
}

static int term_width(FILE *stream) {
    struct winsize ws;
    if (ioctl(fileno(stream), TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
        return ws.ws_col;
    return 80;
}

/* ---- the progress bar ------------------------------------------------------- */

static void bar_clear(struct console *c) {
    if (!c->bar_shown)
        return;
    fputs("\r\033[K", c->o.err);
    fflush(c->o.err);
    c->bar_shown = false;
}

/* Under the lock. */
static void bar_draw(struct console *c) {
    if (!c->bar)
        return;
    int width = term_width(c->o.err);
    char line[512];
    const int cells = 20;
    int filled = c->total ? (int)((c->done * (size_t)cells) / c->total) : cells;
    char meter[32];
    for (int i = 0; i < cells; i++)
        meter[i] = i < filled ? '#' : '-';
    meter[cells] = '\0';
    size_t fails = c->counts[VERDICT_FAIL] + (c->o.strict ? c->counts[VERDICT_NON_STRICT] : 0);
    int len = snprintf(line, sizeof line, "[%s] %zu/%zu  %zu pass  %zu fail  %zu error", meter,
                       c->done, c->total, c->counts[VERDICT_PASS], fails, c->counts[VERDICT_ERROR]);
    /* The case that has been running longest: what a stuck run waits on. */
    int64_t now = clock_now_ms(), oldest = 0;
    const char *slow_id = NULL;
    size_t running = 0;
    for (size_t i = 0; i < c->total; i++) {
        if (!c->started_ms[i])
            continue;
        running++;
        if (!slow_id || c->started_ms[i] < oldest) {
            oldest = c->started_ms[i];
            slow_id = c->running_id[i];
        }
    }
    if (slow_id && len > 0 && (size_t)len < sizeof line)
        snprintf(line + len, sizeof line - (size_t)len, "  %zu running, slowest: %s %.1fs", running,
                 slow_id, (double)(now - oldest) / 1000.0);
    if (width - 1 < (int)sizeof line)
        line[width - 1] = '\0';
    fprintf(c->o.err, "\r\033[K%s", line);
    fflush(c->o.err);
    c->bar_shown = true;
}

static void *ticker_main(void *arg) {
    struct console *c = arg;
    pthread_mutex_lock(&c->lock);
    while (!c->ticker_stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += (long)TICK_MS * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&c->wake, &c->lock, &ts);
        if (!c->ticker_stop)
            bar_draw(c);
    }
    pthread_mutex_unlock(&c->lock);
    return NULL;
}

static void ticker_stop(struct console *c) {
    if (!c->ticker_started)
        return;
    pthread_mutex_lock(&c->lock);
    c->ticker_stop = true;
    pthread_cond_signal(&c->wake);
    pthread_mutex_unlock(&c->lock);
    pthread_join(c->ticker, NULL);
    c->ticker_started = false;
}

/* ---- lifecycle ---------------------------------------------------------------- */

struct console *console_new(const struct console_options *o, size_t total) {
    struct console *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->o = *o;
    if (!c->o.err)
        c->o.err = stderr;
    if (!c->o.out)
        c->o.out = stdout;
    c->out = c->o.machine_on_stdout ? c->o.err : c->o.out;
    c->total = total;
    c->started_ms = calloc(total ? total : 1, sizeof *c->started_ms);
    c->running_id = calloc(total ? total : 1, sizeof *c->running_id);
    if (!c->started_ms || !c->running_id) {
        free(c->started_ms);
        free(c->running_id);
        free(c);
        return NULL;
    }
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->wake, NULL);
    c->color = console_use_color(o->color, c->out);
    /* 6.x of STYLE.md: no \r or cursor codes into a pipe or a dumb terminal. */
    c->bar = o->verbosity >= 0 && isatty(fileno(c->o.err)) && !term_is_dumb();
    /* With the bar on the same terminal, passing cases would only scroll it
     * away: print the ones that need attention. A pipe gets every line. */
    c->every_line = o->verbosity >= 1 || (o->verbosity == 0 && !(c->bar && isatty(fileno(c->out))));
    if (c->bar && pthread_create(&c->ticker, NULL, ticker_main, c) == 0)
        c->ticker_started = true;
    return c;
}

void console_free(struct console *c) {
    if (!c)
        return;
    ticker_stop(c);
    pthread_mutex_lock(&c->lock);
    bar_clear(c);
    pthread_mutex_unlock(&c->lock);
    pthread_cond_destroy(&c->wake);
    pthread_mutex_destroy(&c->lock);
    free(c->started_ms);
    free(c->running_id);
    free(c);
}

/* ---- one case ----------------------------------------------------------------- */

/* "label  text", continuation lines indented under the text. */
static void print_field(FILE *out, const char *label, const char *text) {
    if (!text || !*text)
        return;
    fprintf(out, INDENT "%-12s", label);
    for (const char *p = text; *p; p++) {
        fputc(*p, out);
        if (*p == '\n' && p[1])
            fprintf(out, INDENT "%-12s", "");
    }
    if (text[strlen(text) - 1] != '\n')
        fputc('\n', out);
}

/* The RFC requirement with its section, Expected, Actual, the reason and
 * the command that runs this case alone with the wire log shown. */
static void print_details(const struct console *c, const struct case_result *r) {
    const struct wcase *k = r->c;
    FILE *out = c->out;
    char rfc[256] = "";
    for (size_t i = 0; i < k->rfc_count; i++) {
        strncat(rfc, i ? ", " : "", sizeof rfc - strlen(rfc) - 1);
        strncat(rfc, k->rfc[i], sizeof rfc - strlen(rfc) - 1);
    }
    print_field(out, "RFC", rfc);
    print_field(out, "Requirement", k->requirement);
    if (r->ran && r->tr.error)
        print_field(out, "Error", r->tr.error);
    if (r->ran) {
        print_field(out, "Expected", r->j.expected);
        print_field(out, "Actual", r->j.actual);
    }
    if (r->j.reason && !(r->tr.error && strcmp(r->j.reason, r->tr.error) == 0))
        print_field(out, "Why", r->j.reason);
    const char *target = c->o.target_arg ? c->o.target_arg : "";
    fprintf(out, INDENT "%-12swsspec run %s%s'%s' --seed %llu -vv   (-vv prints the wire log)\n",
            "Re-run", target, *target ? " " : "", k->id, (unsigned long long)c->o.seed);
}

/* -v: one line per transcript event, the first unexpected one marked. */
static void print_events(const struct console *c, const struct case_result *r) {
    const struct transcript *t = &r->tr;
    if (!r->ran || t->event_count == 0)
        return;
    fprintf(c->out, INDENT "Events\n");
    for (size_t i = 0; i < t->event_count; i++) {
        char line[512];
        tev_describe(&t->events[i], line, sizeof line);
        fprintf(c->out, INDENT "  %9.3f ms  %s%s\n", (double)t->events[i].t_us / 1000.0, line,
                (int)i == r->j.first_unexpected ? "   <- first unexpected" : "");
    }
}

/* -vv: offset, hex and ASCII, 16 octets a row, each record marked out/in. */
static void print_wire(const struct console *c, const struct case_result *r) {
    const struct transcript *t = &r->tr;
    if (!r->ran || t->wire.len == 0)
        return;
    fprintf(c->out, INDENT "Wire log (%llu octets out, %llu in)\n",
            (unsigned long long)t->octets_out, (unsigned long long)t->octets_in);
    size_t pos = 0;
    struct wire_record rec;
    while (transcript_wire_next(t, &pos, &rec) == 1) {
        fprintf(c->out, INDENT "  %s %9.3f ms  %zu octets\n",
                rec.dir == WIRE_ENTRY_OUT ? ">> out" : "<< in ", (double)rec.t_us / 1000.0,
                rec.len);
        for (size_t off = 0; off < rec.len; off += 16) {
            char hex[16 * 3 + 1] = "", ascii[17] = "";
            size_t row = rec.len - off < 16 ? rec.len - off : 16;
            for (size_t i = 0; i < 16; i++) {
                if (i < row)
                    snprintf(hex + i * 3, 4, "%02x ", rec.data[off + i]);
                else
                    memcpy(hex + i * 3, "   ", 4);
            }
            for (size_t i = 0; i < row; i++) {
                uint8_t b = rec.data[off + i];
                ascii[i] = b >= 0x20 && b < 0x7f ? (char)b : '.';
            }
            ascii[row] = '\0';
            fprintf(c->out, INDENT "    %c %06zx  %s |%s|\n", rec.dir == WIRE_ENTRY_OUT ? '>' : '<',
                    off, hex, ascii);
        }
    }
    if (t->wire_dropped_out || t->wire_dropped_in)
        fprintf(c->out, INDENT "  (not kept: %llu octets out, %llu in)\n",
                (unsigned long long)t->wire_dropped_out, (unsigned long long)t->wire_dropped_in);
}

static bool needs_attention(const struct console *c, enum verdict v) {
    return v == VERDICT_FAIL || v == VERDICT_ERROR || (c->o.strict && v == VERDICT_NON_STRICT);
}

void console_case_started(void *ud, const struct case_result *r, size_t index) {
    struct console *c = ud;
    pthread_mutex_lock(&c->lock);
    if (index < c->total) {
        c->started_ms[index] = clock_now_ms();
        if (c->started_ms[index] == 0)
            c->started_ms[index] = 1;
        c->running_id[index] = r->c ? r->c->id : "?";
    }
    bar_draw(c);
    pthread_mutex_unlock(&c->lock);
}

void console_case_finished(void *ud, const struct case_result *r, size_t index, size_t done,
                           size_t total) {
    (void)total;
    struct console *c = ud;
    pthread_mutex_lock(&c->lock);
    if (index < c->total)
        c->started_ms[index] = 0;
    c->done = done;
    if (r->retry.pending) {
        /* Failed only by a timeout: rerun alone after the others, when its
         * verdict line comes (not counted before). */
        if (c->o.verbosity >= 0) {
            bar_clear(c);
            if (c->color)
                fprintf(c->out, "\033[1;33mretry\033[0m%*s", 10 - 5 + 1, "");
            else
                fprintf(c->out, "%-10s ", "retry");
            fprintf(c->out, "%-44s %7.3fs  failed only by a timeout: to be rerun alone\n", r->c->id,
                    r->duration_s);
            fflush(c->out);
        }
        bar_draw(c);
        pthread_mutex_unlock(&c->lock);
        return;
    }
    enum verdict v = (unsigned)r->j.verdict < VERDICT_COUNT ? r->j.verdict : VERDICT_ERROR;
    c->counts[v]++;
    bool bad = needs_attention(c, v);
    if (bad || c->every_line || r->retry.rerun) { /* a rerun's line follows its "retry" line */
        bar_clear(c);
        const char *label = verdict_label(v);
        if (c->color)
            fprintf(c->out, "%s%s\033[0m%*s", verdict_color(v), label, 10 - (int)strlen(label) + 1,
                    "");
        else
            fprintf(c->out, "%-10s ", label);
        fprintf(c->out, "%-44s %7.3fs  %s\n", r->c->id, r->duration_s, r->c->title);
        if (r->retry.rerun)
            print_field(c->out, "First try", r->retry.first_reason);
        if (bad || c->o.verbosity >= 1)
            print_details(c, r);
        if (c->o.verbosity >= 1)
            print_events(c, r);
        if (c->o.verbosity >= 2)
            print_wire(c, r);
        fflush(c->out);
    }
    bar_draw(c);
    pthread_mutex_unlock(&c->lock);
}

/* ---- the end ------------------------------------------------------------------ */

/* "REGRESSION  id  verdict  title" for one id of the baseline comparison. */
static void print_baseline_line(const struct console *c, const struct case_result *results,
                                size_t n, const char *label, const char *color, const char *id) {
    const struct case_result *r = NULL;
    for (size_t i = 0; i < n && !r; i++)
        if (results[i].c && strcmp(results[i].c->id, id) == 0)
            r = &results[i];
    if (c->color)
        fprintf(c->out, "%s%s\033[0m%*s", color, label, 10 - (int)strlen(label) + 1, "");
    else
        fprintf(c->out, "%-10s ", label);
    if (r)
        fprintf(c->out, "%-44s now %s: %s\n", id, r->ran ? verdict_name(r->j.verdict) : "not run",
                r->c->title);
    else
        fprintf(c->out, "%s\n", id);
}

void console_summary(struct console *c, const struct case_result *results, size_t n, double wall_s,
                     const char *const *regressions, size_t regression_count,
                     const char *const *fixed, size_t fixed_count) {
    ticker_stop(c);
    pthread_mutex_lock(&c->lock);
    bar_clear(c);
    size_t k[VERDICT_COUNT] = {0}, not_run = 0;
    const char *not_run_reason = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!results[i].ran) {
            if (!not_run++)
                not_run_reason = results[i].j.reason;
            continue;
        }
        enum verdict v = results[i].j.verdict;
        k[(unsigned)v < VERDICT_COUNT ? v : VERDICT_ERROR]++;
    }
    FILE *out = c->out;
    if (not_run) {
        const char *why = not_run_reason ? not_run_reason : "";
        if (strncmp(why, "not run: ", 9) == 0)
            why += 9;
        fprintf(out, "wsspec: run incomplete: %zu case%s not run%s%.*s\n", not_run,
                not_run == 1 ? "" : "s", *why ? ": " : "", (int)strcspn(why, "\n"), why);
    }
    bool baseline = regressions || fixed;
    for (size_t i = 0; i < regression_count; i++)
        print_baseline_line(c, results, n, "REGRESSION", "\033[1;31m", regressions[i]);
    for (size_t i = 0; i < fixed_count; i++)
        print_baseline_line(c, results, n, "fixed", "\033[32m", fixed[i]);
    char extra[96] = "";
    if (baseline) /* a fixed grammar, not English: "1 regressions" parses like "2" */
        snprintf(extra, sizeof extra, ", %zu regressions, %zu fixed", regression_count,
                 fixed_count);
    fprintf(out,
            "wsspec: %zu cases: %zu pass, %zu non-strict, %zu informational, %zu unimplemented, "
            "%zu fail, %zu error, %zu not run%s in %.2f s\n",
            n, k[VERDICT_PASS], k[VERDICT_NON_STRICT], k[VERDICT_INFORMATIONAL],
            k[VERDICT_UNIMPLEMENTED], k[VERDICT_FAIL], k[VERDICT_ERROR], not_run, extra, wall_s);
    fflush(out);
    pthread_mutex_unlock(&c->lock);
}
