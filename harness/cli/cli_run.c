/* cli_run: `wsspec run [URL] [SELECTORS...] [OPTIONS]`: load and select
 * cases, bring up the target (the built-in reference server, a URL, or a
 * command started with --spawn), run the cases in parallel with the
 * console showing progress, then always write the requested reports and
 * exit with the status CI gates on (cli.h; docs/ci.md):
 *   0 pass, 1 failures (with --baseline: regressions only), 2 usage or
 *   case-file error, 3 incomplete (unreachable, target died, cases in
 *   error), 4 internal error, 130 interrupted.
 *
 * "Nothing lost": whatever stops the run (Ctrl-C, a crashed or hung
 * target, a target that never came up) the reports are still written, with
 * every case that did not run marked not-run and the document marked
 * incomplete with the reason. A spawned target that dies is blamed on the
 * case(s) running at that moment, with its exit status or signal and the
 * sanitizer report from its output. */
#include <errno.h>
#include <limits.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/errors.h"
#include "cli/cli.h"
#include "cli/cli_args.h"
#include "cli/cli_repeat.h"
#include "cli/cli_run_int.h"
#include "cli/cli_shard.h"
#include "net/spawn.h"
#include "refserver/refserver.h"
#include "reports/console.h"
#include "reports/flaky.h"
#include "reports/policy.h"
#include "reports/report.h"
#include "run/runner.h"

#define DEFAULT_READY_TIMEOUT_S 10.0
#define STOP_GRACE_S            5.0
#define SETTLE_MS                                                                                  \
    1000 /* a case that ended abnormally waits up to this long (scaled)
                                        for the spawned target to prove alive or exit */

static volatile sig_atomic_t interrupted;
static volatile sig_atomic_t stop_dispatch;
static volatile sig_atomic_t target_pgid; /* the spawned target's group, 0 = none */

static void on_sigint(int sig) {
    (void)sig;
    if (interrupted) { /* a second Ctrl-C: stop at once, and take the target along */
        if (target_pgid > 0)
            kill(-(pid_t)target_pgid, SIGKILL);
        _exit(EXIT_INTERRUPTED);
    }
    interrupted = 1;
}

/* ---- the target ---------------------------------------------------------------- */

struct builtin_server {
    struct refserver *srv;
    pthread_t thread;
};

static void *server_main(void *arg) {
    refserver_run(arg);
    return NULL;
}

static int start_builtin(struct builtin_server *b, bool no_deflate, char *url, size_t cap) {
    char err[256];
    struct refserver_options o = {
        .host = "127.0.0.1", .port = 0, .no_deflate = no_deflate, .quiet = true};
    b->srv = refserver_new(&o, err, sizeof err);
    if (!b->srv) {
        fprintf(stderr, "wsspec run: cannot start the built-in reference server: %s\n", err);
        return -1;
    }
    if (pthread_create(&b->thread, NULL, server_main, b->srv) != 0) {
        refserver_free(b->srv);
        b->srv = NULL;
        return -1;
    }
    snprintf(url, cap, "ws://127.0.0.1:%u/", refserver_port(b->srv));
    return 0;
}

static void stop_builtin(struct builtin_server *b) {
    refserver_request_stop(b->srv);
    pthread_join(b->thread, NULL);
    refserver_free(b->srv);
}

static double timeout_scale(void) {
    const char *s = getenv("WSSPEC_TIMEOUT_SCALE");
    double v = s ? atof(s) : 1.0;
    return v > 0 ? v : 1.0;
}

/* A quick connect before anything runs: an unreachable target is one clear
 * reason on every case, not hundreds of identical errors. */
static int preflight(const struct run_target *t, double scale, char *why, size_t cap) {
    int err = 0;
    char msg[512] = "";
    struct conn *c = conn_open(&t->url, &t->tls, clock_now_ms() + (int64_t)(5000 * scale), &err,
                               msg, sizeof msg);
    if (!c) {
        snprintf(why, cap, "target %.2048s unreachable: %.1024s", t->url_text, msg);
        return -1;
    }
    conn_close(c);
    return 0;
}

/* ---- one run's state, shared with the progress callbacks --------------------- */

struct run_ctx {
    const struct cli_args *a;
    struct console *con;
    struct spawn *sp; /* NULL unless --spawn */
    const char *host; /* the target's host and port (for spawn_settle) */
    unsigned port;
    struct case_result *results;
    size_t n;
    double scale;
    bool *running;     /* per case: started, not finished */
    bool *blamed;      /* per case: running when the target died */
    bool *after_death; /* per case: started after the death was noticed */
    bool died;
    char death[192];           /* "signal 11 (SIGSEGV)" */
    char *evidence;            /* sanitizer report or last output, owned */
    char died_during[512];     /* "ID" or "3 cases: ID, ID, ID" blamed, or "" */
    const char *last_finished; /* id */
};

static char *blame_text(const struct run_ctx *x, size_t others) {
    size_t cap = 512 + (x->evidence ? strlen(x->evidence) : 0);
    char *s = malloc(cap);
    if (!s)
        return NULL;
    int len = snprintf(s, cap, "target died: %s while this case was running", x->death);
    if (others && len > 0)
        len += snprintf(s + len, cap - (size_t)len, " (with %zu other case%s)", others,
                        others == 1 ? "" : "s");
    if (x->evidence && *x->evidence && len > 0)
        snprintf(s + len, cap - (size_t)len, "\n%s", x->evidence);
    return s;
}

/* The target is gone: remember how, blame what runs, start nothing more.
 * Called with the runner's callback lock held. */
static void note_death(struct run_ctx *x) {
    x->died = true;
    stop_dispatch = 1;
    spawn_describe_exit(x->sp, x->death, sizeof x->death);
    char *ev = malloc(SPAWN_SANITIZER_CAP + 64);
    if (ev) {
        char report[SPAWN_SANITIZER_CAP];
        spawn_sanitizer_report(x->sp, report, sizeof report);
        if (*report) {
            snprintf(ev, SPAWN_SANITIZER_CAP + 64, "Sanitizer report from the target:\n%s", report);
        } else {
            char tail[2048];
            spawn_output_tail(x->sp, 15, tail, sizeof tail);
            snprintf(ev, SPAWN_SANITIZER_CAP + 64, "%s%s",
                     *tail ? "The target's last output:\n" : "", tail);
        }
    }
    x->evidence = ev;
    size_t blamed = 0;
    for (size_t i = 0; i < x->n; i++)
        if (x->running[i]) {
            x->blamed[i] = true;
            blamed++;
        }
    /* Name them for the run's reason: "ID", or "3 cases: ID, ID, ID". */
    char *w = x->died_during;
    size_t cap = sizeof x->died_during, used = 0;
    if (blamed > 1)
        used = (size_t)snprintf(w, cap, "%zu cases: ", blamed);
    for (size_t i = 0, k = 0; i < x->n && used < cap; i++) {
        if (!x->blamed[i])
            continue;
        used +=
            (size_t)snprintf(w + used, cap - used, "%s%s", k++ ? ", " : "", x->results[i].c->id);
    }
}

static void blame(struct run_ctx *x, size_t index) {
    size_t others = 0;
    for (size_t i = 0; i < x->n; i++)
        others += x->blamed[i] && i != index;
    char *text = blame_text(x, others);
    if (!text)
        return;
    struct case_result *r = &x->results[index];
    r->j.verdict = VERDICT_ERROR;
    free(r->j.reason);
    r->j.reason = text;
}

static void on_started(void *ud, const struct case_result *r, size_t index) {
    struct run_ctx *x = ud;
    if (x->sp && !x->died && spawn_exited(x->sp))
        note_death(x);
    if (x->died) {
        x->after_death[index] = true; /* reported as not run, not shown */
        return;
    }
    x->running[index] = true;
    if (x->con)
        console_case_started(x->con, r, index);
}

/* Between running a case and judging it (the runner's settle hook, under
 * its lock; this worker starts nothing else meanwhile): when the case's
 * connection ended abnormally, find out whether the spawned target is
 * dying before anything else happens, so that the case whose message
 * killed it is the one blamed, not the next one. */
static void on_settle(void *ud, const struct case_result *r, size_t index) {
    struct run_ctx *x = ud;
    if (!x->sp || x->died || x->after_death[index])
        return;
    bool gone = spawn_exited(x->sp);
    if (!gone && runner_ended_abnormally(r))
        gone =
            spawn_settle(x->sp, x->host, x->port, (int64_t)(SETTLE_MS * x->scale)) == SPAWN_EXITED;
    if (!gone)
        return;
    if (r->tr.octets_out == 0) {
        /* Not one octet of this case reached the target (no connection):
         * it died earlier, after an earlier case; this one did not run. */
        x->running[index] = false;
        x->after_death[index] = true;
    }
    note_death(x);
}

static void on_finished(void *ud, const struct case_result *r, size_t index, size_t done,
                        size_t total) {
    struct run_ctx *x = ud;
    if (x->after_death[index])
        return;
    if (x->sp && !x->died && spawn_exited(x->sp))
        note_death(x);
    if (x->died && x->blamed[index])
        blame(x, index);
    x->running[index] = false;
    x->last_finished = r->c->id;
    if (x->con)
        console_case_finished(x->con, r, index, done, total);
}

/* ---- after the run ------------------------------------------------------------- */

/* Copy the baseline's id lists out of the report (borrowed strings). */
static const char **id_list(const json_t *report, const char *key, size_t *count) {
    static const char *none[1];
    json_t *arr = json_object_get(json_object_get(report, "baseline"), key);
    *count = json_array_size(arr);
    if (*count == 0)
        return none;
    const char **ids = calloc(*count, sizeof *ids);
    if (!ids) {
        *count = 0;
        return none;
    }
    for (size_t i = 0; i < *count; i++)
        ids[i] = json_string_value(json_array_get(arr, i));
    return ids;
}

/* Whether a case in error is one the baseline already knew about. */
static bool error_is_known(const json_t *report, const char *id) {
    json_t *cases = json_object_get(report, "cases");
    size_t i;
    json_t *c;
    json_array_foreach(cases, i, c) {
        const char *cid = json_string_value(json_object_get(c, "id"));
        if (cid && strcmp(cid, id) == 0) {
            const char *mark = json_string_value(json_object_get(c, "baseline"));
            return mark && strcmp(mark, "known") == 0;
        }
    }
    return false;
}

/* Everything a run needs beyond the cases; filled step by step by cli_run. */
struct run_state {
    struct cli_args a;
    struct case_list all;
    const struct wcase **sel;
    size_t n;
    struct wcase *cases;
    struct case_result *results;
    struct builtin_server builtin;
    struct spawn *sp;
    struct run_target target;
    char *spawn_cmd;
    char *url_owned;
    char stop_reason[4096]; /* why nothing (more) ran: unreachable, not ready */
    int64_t started_wall_ms;
    struct policy *policy;            /* --policy FILE, or NULL */
    const char *fail_on;              /* --fail-on, else the policy's, else "fail" */
    struct report_attempts *attempts; /* per case, with --repeat / --repeat-failed */
    struct shard_info shard;          /* --shard I/N */
    char corpus_digest[65];           /* cli_corpus_digest */
    size_t corpus_count;
};

/* Build the report, apply the baseline, print the summary, write the
 * outputs; returns the exit status. */
static int finish(struct run_state *s, struct run_ctx *x, int argc, char **argv, double wall_s,
                  bool internal_error) {
    const struct cli_args *a = &s->a;
    size_t not_run = 0, errors = 0;
    const char *first_error = NULL;
    for (size_t i = 0; i < s->n; i++) {
        const struct case_result *r = &s->results[i];
        if (!r->ran) {
            not_run++;
            continue;
        }
        if (r->j.verdict == VERDICT_ERROR && !errors++)
            first_error = r->c->id;
    }
    char reason[4096] = "";
    if (interrupted)
        snprintf(reason, sizeof reason, "interrupted");
    else if (x->died && *x->died_during)
        snprintf(reason, sizeof reason, "target died: %s while running %s", x->death,
                 x->died_during);
    else if (x->died)
        snprintf(reason, sizeof reason, "target died: %s (after %s finished)", x->death,
                 x->last_finished ? x->last_finished : "the run started");
    else if (*s->stop_reason)
        snprintf(reason, sizeof reason, "%s", s->stop_reason);
    else if (not_run)
        snprintf(reason, sizeof reason, "%zu cases not run", not_run);
    else if (errors)
        snprintf(reason, sizeof reason, "%zu case%s in error (the first: %s)", errors,
                 errors == 1 ? "" : "s", first_error);
    bool complete = reason[0] == '\0';

    struct report_meta meta = {
        .target_url = s->target.url_text,
        .builtin_target = !a->url && !a->spawn,
        .spawn_command = a->spawn,
        .agent = a->agent,
        .jobs = a->jobs,
        .seed = a->seed,
        .timeout_scale = x->scale,
        .strict = a->strict,
        .retry_timeouts = !a->no_retry_timeouts,
        .argc = argc,
        .argv = argv,
        .started_wall_ms = s->started_wall_ms,
        .finished_wall_ms = clock_wall_ms(),
        .complete = complete,
        .incomplete_reason = complete ? NULL : reason,
    };
    json_t *report = report_build(&meta, s->results, s->n);
    if (!report) {
        fprintf(stderr, "wsspec run: out of memory building the report\n");
        return EXIT_INTERNAL;
    }
    /* What the run is judged by: --fail-on and the policy first, then the
     * baseline on top (docs/policy.md "Order"). */
    json_object_set_new(report, "corpus",
                        cli_corpus_json(s->corpus_digest, s->corpus_count, a->profile_full));
    json_object_set_new(report, "shard", cli_shard_json(&s->shard));
    char today[11];
    policy_today(today);
    if ((s->attempts && report_set_attempts(report, s->attempts, s->n) < 0) ||
        report_apply_policy(report, s->policy, s->fail_on, today) != 0) {
        fprintf(stderr, "wsspec run: out of memory judging the run\n");
        internal_error = true;
    }
    const char **regressions = NULL, **fixed = NULL;
    size_t regression_count = 0, fixed_count = 0;
    if (a->baseline) {
        char err[1024];
        if (report_apply_baseline(report, a->baseline, err, sizeof err) != 0) {
            fprintf(stderr, "wsspec run: --baseline %s\n", err);
            internal_error = true;
        }
        regressions = id_list(report, "regressions", &regression_count);
        fixed = id_list(report, "fixes", &fixed_count);
        size_t unknown_errors = 0;
        for (size_t i = 0; i < s->n; i++)
            unknown_errors += s->results[i].ran && s->results[i].j.verdict == VERDICT_ERROR &&
                              !error_is_known(report, s->results[i].c->id);
        errors = unknown_errors;
    }
    /* Annotations on stdout go before the summary, which stays the last line. */
    bool annotations_failed = false;
    if (a->annotations_out && strcmp(a->annotations_out, "-") == 0) {
        fflush(stdout);
        annotations_failed = report_annotations_write(report, stdout) != 0 || fflush(stdout) != 0;
        if (annotations_failed)
            fprintf(stderr, "wsspec run: cannot write the annotations to stdout\n");
    }
    report_gate_print(report, a->format_tap ? stderr : stdout, stderr);
    if (x->con)
        console_summary(x->con, s->results, s->n, wall_s, regressions, regression_count, fixed,
                        fixed_count);
    if (regression_count)
        free(regressions);
    if (fixed_count)
        free(fixed);

    struct report_outputs outs = {
        .dir = a->report_dir,
        .json = a->json_out,
        .junit = a->junit_out,
        .html = a->html_out,
        .md = a->md_out,
        .summary = a->summary_out,
        .ctrf = a->ctrf_out,
        .run_id = a->run_id,
        .annotations =
            a->annotations_out && strcmp(a->annotations_out, "-") != 0 ? a->annotations_out : NULL};
    bool outputs_failed = report_write_outputs(report, &outs) != 0 || annotations_failed;
    if (a->format_tap && report_tap_write(report, stdout) != 0) {
        fprintf(stderr, "wsspec run: cannot write TAP to stdout\n");
        outputs_failed = true;
    }
    fflush(stdout);
    size_t internal_cases = 0;
    for (size_t i = 0; i < s->n; i++)
        internal_cases += s->results[i].ran && s->results[i].j.internal;
    if (internal_cases)
        fprintf(stderr,
                "wsspec run: %zu case%s ended in an internal error of wsspec (not the target's "
                "doing; see each case's reason)\n",
                internal_cases, internal_cases == 1 ? "" : "s");
    int status;
    if (interrupted)
        status = EXIT_INTERRUPTED;
    else if (internal_error)
        status = EXIT_INTERNAL;
    else if (x->died || not_run || *s->stop_reason || errors)
        status = EXIT_INCOMPLETE;
    else if (report_gate_expired(report))
        status = EXIT_FAILURES; /* an expired policy entry fails the run */
    else if (a->baseline)
        status = report_regressions(report) ? EXIT_FAILURES : EXIT_PASS;
    else
        status = report_gate_failing(report) ? EXIT_FAILURES : EXIT_PASS;
    if (outputs_failed && (status == EXIT_PASS || status == EXIT_FAILURES))
        status = EXIT_INTERNAL;
    json_decref(report);
    return status;
}

/* ---- bringing the target up ----------------------------------------------------- */

/* Start the target the options ask for and fill s->target. Returns 0 when
 * it is up; 1 when it is not (s->stop_reason says why: the run goes on to
 * write reports with every case not run); or an exit status (2, 4). */
static int bring_up(struct run_state *s, double scale) {
    const struct cli_args *a = &s->a;
    const char *url = a->url;
    unsigned port = 0;
    s->target.tls = a->tls; /* --ca, --insecure, --sni */
    if (a->spawn) {
        if (spawn_pick_port(&port) != 0) {
            fprintf(stderr, "wsspec run: cannot find a free port for --spawn\n");
            return EXIT_INTERNAL;
        }
        s->spawn_cmd = spawn_substitute_port(a->spawn, port);
        char dflt[64];
        snprintf(dflt, sizeof dflt, "ws://127.0.0.1:%u/", port);
        s->url_owned = spawn_substitute_port(url ? url : dflt, port);
        if (!s->spawn_cmd || !s->url_owned)
            return EXIT_INTERNAL;
        url = s->url_owned;
    }
    if (url) {
        snprintf(s->target.url_text, sizeof s->target.url_text, "%s", url);
    } else if (start_builtin(&s->builtin, a->no_deflate, s->target.url_text,
                             sizeof s->target.url_text) != 0) {
        return EXIT_INTERNAL;
    }
    int rc = url_parse(s->target.url_text, &s->target.url);
    if (rc != 0) {
        fprintf(stderr, "wsspec run: %s: %s\n", s->target.url_text, ws_strerror(rc));
        return EXIT_USAGE;
    }
    if (!a->spawn)
        return preflight(&s->target, scale, s->stop_reason, sizeof s->stop_reason) == 0 ? 0 : 1;

    char err[3072];
    if (spawn_start(s->spawn_cmd, &s->sp, err, sizeof err) != 0) {
        snprintf(s->stop_reason, sizeof s->stop_reason, "cannot start the target: %s", err);
        return 1;
    }
    target_pgid = spawn_pgid(s->sp);
    if (a->verbosity >= 0)
        fprintf(stderr, "wsspec: started the target (process group %d): %s\n",
                (int)spawn_pgid(s->sp), s->spawn_cmd);
    double ready = (a->ready_timeout_s > 0 ? a->ready_timeout_s : DEFAULT_READY_TIMEOUT_S) * scale;
    rc = spawn_wait_ready(s->sp, s->target.url.host, s->target.url.port, ready, &interrupted, err,
                          sizeof err);
    if (rc != 0) {
        snprintf(s->stop_reason, sizeof s->stop_reason, "%s", err);
        return 1;
    }
    return 0;
}

/* ---- the command -------------------------------------------------------------- */

/* One more pass of --repeat / --repeat-failed (cli_repeat.h): the same
 * target, options and death watch as the first, without the console's
 * per-case lines. */
struct pass_ctx {
    struct run_state *s;
    struct run_ctx *x;
    const struct run_options *opts;
    const struct run_progress *progress;
};

static int repeat_pass(void *ud, const struct wcase *cases, size_t m, struct case_result *results) {
    struct pass_ctx *p = ud;
    struct run_ctx *x = p->x;
    struct console *con = x->con;
    x->con = NULL;
    x->results = results;
    x->n = m;
    int rc = runner_run_all(cases, m, &p->s->target, p->opts, p->progress, results);
    if (x->sp && !x->died && spawn_exited(x->sp))
        note_death(x);
    /* The per-case marks of this pass are not the first pass's. */
    memset(x->running, 0, p->s->n * sizeof *x->running);
    memset(x->blamed, 0, p->s->n * sizeof *x->blamed);
    memset(x->after_death, 0, p->s->n * sizeof *x->after_death);
    x->con = con;
    x->results = p->s->results;
    x->n = p->s->n;
    return rc == 0 && !x->died && !interrupted ? 0 : -1;
}

static int run_cases(struct run_state *s, int argc, char **argv) {
    struct cli_args *a = &s->a;
    double scale = timeout_scale();
    struct run_ctx x = {.a = a, .results = s->results, .n = s->n, .scale = scale};
    x.running = calloc(s->n, sizeof *x.running);
    x.blamed = calloc(s->n, sizeof *x.blamed);
    x.after_death = calloc(s->n, sizeof *x.after_death);
    int status = 0;
    if (!x.running || !x.blamed || !x.after_death) {
        status = EXIT_INTERNAL;
        goto out;
    }
    s->started_wall_ms = clock_wall_ms();
    int up = bring_up(s, scale);
    if (up > 1) {
        status = up;
        goto out;
    }
    x.sp = s->sp;
    x.host = s->target.url.host;
    x.port = s->target.url.port;
    char prefix[2048];
    cli_rerun_prefix(a, prefix, sizeof prefix);
    struct console_options co = {
        .verbosity = a->verbosity,
        .color = a->color == CLI_COLOR_ALWAYS  ? CONSOLE_COLOR_ALWAYS
                 : a->color == CLI_COLOR_NEVER ? CONSOLE_COLOR_NEVER
                                               : CONSOLE_COLOR_AUTO,
        .strict = a->strict,
        .target_arg = prefix,
        .seed = a->seed,
        .out = stdout,
        .err = stderr,
        .machine_on_stdout = a->format_tap,
    };
    x.con = console_new(&co, s->n);
    if (!x.con) {
        status = EXIT_INTERNAL;
        goto out;
    }
    int64_t t0 = clock_now_ms();
    bool internal = false; /* a failure of ours: exit 4 */
    if (up == 0) {
        if (a->verbosity >= 0)
            fprintf(stderr, "wsspec: running %zu cases against %s%s with -j %d, seed %llu\n", s->n,
                    s->target.url_text, a->url || a->spawn ? "" : " (built-in reference server)",
                    a->jobs, (unsigned long long)a->seed);
        struct run_options opts = {
            .jobs = a->jobs,
            .timeout_scale = scale,
            .seed = a->seed,
            .wire_cap = 64 * 1024,
            .interrupted = &interrupted,
            .chop = a->chop,
            .idle_timeout_s =
                a->idle_timeout_set ? (a->idle_timeout_s > 0 ? a->idle_timeout_s : -1) : 0,
            .retry_timeouts = !a->no_retry_timeouts,
            .record_seed = a->record_seeds ? cli_record_seed : NULL,
            .record_seed_ud = (void *)a->record_seeds,
            .stop = &stop_dispatch};
        struct run_progress progress = {
            .started = on_started, .settle = on_settle, .finished = on_finished, .ud = &x};
        if (runner_run_all(s->cases, s->n, &s->target, &opts, &progress, s->results) ==
            WS_ERR_NOMEM) {
            fprintf(stderr, "wsspec run: out of memory starting the run\n");
            internal = true;
        }
        if (x.sp && !x.died && spawn_exited(x.sp))
            note_death(&x);
        struct pass_ctx pc = {.s = s, .x = &x, .opts = &opts, .progress = &progress};
        if (s->attempts && !internal && !x.died && !interrupted &&
            cli_repeat_run(a, s->fail_on, s->cases, s->results, s->n, s->attempts, repeat_pass, &pc,
                           &stop_dispatch) != 0) {
            fprintf(stderr, "wsspec run: out of memory repeating the cases\n");
            internal = true;
        }
        if (x.sp && !x.died && spawn_exited(x.sp))
            note_death(&x); /* after the last case: nobody to blame, still a crash */
    } else {
        fprintf(stderr, "wsspec run: %s\n", s->stop_reason);
    }
    double wall = (double)(clock_now_ms() - t0) / 1000.0;

    /* Name the reason on every case that did not run. */
    char why[sizeof s->stop_reason + 16];
    if (up != 0)
        snprintf(why, sizeof why, "not run: %s", s->stop_reason);
    else if (x.died)
        snprintf(why, sizeof why, "not run: target died: %s%s%s", x.death,
                 *x.died_during ? " while running " : "", x.died_during);
    else
        why[0] = '\0';
    for (size_t i = 0; i < s->n; i++) {
        bool never = up != 0 || !s->results[i].c;
        if (never || x.after_death[i])
            runner_mark_not_run(&s->results[i], &s->cases[i], *why ? why : "not run");
        else if (!s->results[i].ran && *why)
            runner_mark_not_run(&s->results[i], &s->cases[i], why);
    }
    if (x.died)
        fprintf(stderr, "wsspec run: the target died: %s%s%s\n", x.death,
                *x.died_during ? " while running " : "", x.died_during);
    /* Stop the target before the reports, so its log is complete. */
    if (s->sp)
        spawn_stop(s->sp, STOP_GRACE_S);
    for (size_t i = 0; i < s->n; i++)
        internal |= s->results[i].ran && s->results[i].j.internal;
    status = finish(s, &x, argc, argv, wall, internal);
    if (s->sp && a->report_dir) {
        char path[4096];
        snprintf(path, sizeof path, "%s/target-output.log", a->report_dir);
        if (spawn_write_output(s->sp, path) != 0)
            fprintf(stderr, "wsspec run: cannot write %s\n", path);
    }
out:
    console_free(x.con);
    free(x.evidence);
    free(x.running);
    free(x.blamed);
    free(x.after_death);
    return status;
}

int cli_run(int argc, char **argv) {
    struct run_state s;
    memset(&s, 0, sizeof s);
    if (cli_args_parse(argc, argv, &s.a) != 0) {
        cli_args_free(&s.a);
        return EXIT_USAGE;
    }
    int status = cli_load_selected(&s.a, &s.all, &s.sel, &s.n);
    if (status != 0) {
        cli_args_free(&s.a);
        return status;
    }
    if (cli_corpus_digest(&s.all, s.a.profile_full, s.corpus_digest) != 0)
        fprintf(stderr, "wsspec run: cannot read a case file for the corpus digest: %s\n",
                strerror(errno));
    s.corpus_count = s.all.count;
    if (s.a.shard_count && cli_shard_select("run", s.a.shard_index, s.a.shard_count,
                                            s.a.shard_durations, s.sel, &s.n, &s.shard) != 0) {
        status = EXIT_USAGE;
        goto out;
    }
    if (s.a.shard_count && s.a.verbosity >= 0)
        fprintf(stderr, "wsspec: shard %u/%u: %zu of the %zu cases selected\n", s.a.shard_index,
                s.a.shard_count, s.n, s.shard.selected);
    if (s.a.policy) {
        char err[2048];
        s.policy = policy_load(s.a.policy, err, sizeof err);
        if (!s.policy) { /* a broken policy is a usage error before anything runs */
            fprintf(stderr, "wsspec run: --policy %s\n", err);
            status = EXIT_USAGE;
            goto out;
        }
    }
    s.fail_on = s.a.fail_on                               ? s.a.fail_on
                : s.policy && policy_fail_on(s.policy)[0] ? policy_fail_on(s.policy)
                                                          : "fail";
    s.a.strict = strcmp(s.fail_on, "fail") != 0;
    if (s.a.repeat > 1 || s.a.repeat_failed > 0) {
        s.attempts = calloc(s.n ? s.n : 1, sizeof *s.attempts);
        if (!s.attempts) {
            status = EXIT_INTERNAL;
            goto out;
        }
    }
    if (s.a.baseline) {
        /* A broken baseline is a usage error before anything runs. */
        json_t *probe = json_pack("{s:{}, s:[]}", "options", "cases");
        char err[1024];
        if (!probe || report_apply_baseline(probe, s.a.baseline, err, sizeof err) != 0) {
            fprintf(stderr, "wsspec run: --baseline %s\n", probe ? err : "out of memory");
            json_decref(probe);
            status = EXIT_USAGE;
            goto out;
        }
        json_decref(probe);
    }
    /* The runner takes a contiguous array: shallow copies of the selected
     * cases (the strings stay owned by `all`). */
    s.cases = calloc(s.n ? s.n : 1, sizeof *s.cases);
    s.results = calloc(s.n ? s.n : 1, sizeof *s.results);
    if (!s.cases || !s.results) {
        status = EXIT_INTERNAL;
        goto out;
    }
    for (size_t i = 0; i < s.n; i++) {
        s.cases[i] = *s.sel[i];
        if (s.a.timeout_s > 0)
            s.cases[i].timeout_s = s.a.timeout_s;
    }
    struct sigaction sa = {.sa_handler = on_sigint};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    status = run_cases(&s, argc, argv);
out:
    target_pgid = 0;
    spawn_free(s.sp);
    if (s.builtin.srv)
        stop_builtin(&s.builtin);
    for (size_t i = 0; s.results && i < s.n; i++)
        case_result_free(&s.results[i]);
    free(s.results);
    free(s.cases);
    for (size_t i = 0; s.attempts && i < s.n; i++)
        report_attempts_free(&s.attempts[i]);
    free(s.attempts);
    policy_free(s.policy);
    free(s.spawn_cmd);
    free(s.url_owned);
    free(s.sel);
    case_list_free(&s.all);
    cli_args_free(&s.a);
    return status;
}
