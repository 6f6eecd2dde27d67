/* cli_run: `wsspec run [URL] [SELECTORS...]`: load and select cases, start
 * the built-in reference server when no URL is given, run the cases in
 * parallel, print one line per case and a summary, and exit with the status
 * CI gates on (0 pass, 1 failures, 2 usage/case error, 3 incomplete,
 * 130 interrupted). */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_args.h"
#include "clock.h"
#include "errors.h"
#include "refserver.h"
#include "runner.h"

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig) {
    (void)sig;
    if (interrupted) /* a second Ctrl-C: stop at once */
        _exit(EXIT_INTERRUPTED);
    interrupted = 1;
}

struct console {
    const struct cli_args *args;
    const char *target;
    size_t counts[VERDICT_COUNT];
};

static const char *verdict_label(enum verdict v) {
    static const char *labels[VERDICT_COUNT] = {"pass", "non-strict", "info", "unimpl",
                                                "FAIL", "ERROR"};
    return (unsigned)v < VERDICT_COUNT ? labels[v] : "?";
}

static void print_indented(const char *label, const char *text) {
    if (!text || !*text)
        return;
    printf("      %-12s", label);
    for (const char *p = text; *p; p++) {
        putchar(*p);
        if (*p == '\n' && p[1])
            printf("      %-12s", "");
    }
    if (text[strlen(text) - 1] != '\n')
        putchar('\n');
}

static void print_failure(const struct console *con, const struct case_result *r) {
    const struct wcase *c = r->c;
    char rfc[256] = "";
    for (size_t i = 0; i < c->rfc_count; i++) {
        strncat(rfc, i ? ", " : "", sizeof rfc - strlen(rfc) - 1);
        strncat(rfc, c->rfc[i], sizeof rfc - strlen(rfc) - 1);
    }
    print_indented("RFC", rfc);
    print_indented("Requirement", c->requirement);
    if (r->tr.error)
        print_indented("Error", r->tr.error);
    print_indented("Expected", r->j.expected);
    print_indented("Actual", r->j.actual);
    if (r->j.reason && r->j.verdict != VERDICT_ERROR)
        print_indented("Why", r->j.reason);
    printf("      %-12swsspec run %s '%s' --seed %llu -v\n", "Re-run", con->target, c->id,
           (unsigned long long)con->args->seed);
}

static void on_finished(void *ud, const struct case_result *r, size_t index, size_t done,
                        size_t total) {
    (void)index;
    (void)done;
    (void)total;
    struct console *con = ud;
    enum verdict v = r->ran ? r->j.verdict : VERDICT_ERROR;
    con->counts[v]++;
    bool bad = v == VERDICT_FAIL || v == VERDICT_ERROR ||
               (con->args->strict && v == VERDICT_NON_STRICT);
    if (con->args->verbosity < 0 && !bad)
        return;
    printf("%-10s %-44s %7.3fs  %s\n", verdict_label(v), r->c->id, r->duration_s, r->c->title);
    if (bad || con->args->verbosity > 0)
        print_failure(con, r);
    fflush(stdout);
}

struct builtin_server {
    struct refserver *srv;
    pthread_t thread;
};

static void *server_main(void *arg) {
    refserver_run(arg);
    return NULL;
}

static int start_builtin(struct builtin_server *b, char *url, size_t cap) {
    char err[256];
    struct refserver_options o = {.host = "127.0.0.1", .port = 0, .quiet = true};
    b->srv = refserver_new(&o, err, sizeof err);
    if (!b->srv) {
        fprintf(stderr, "wsspec run: cannot start the built-in reference server: %s\n", err);
        return -1;
    }
    if (pthread_create(&b->thread, NULL, server_main, b->srv) != 0) {
        refserver_free(b->srv);
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
 * message and exit 3, not hundreds of identical errors. */
static int preflight(const struct run_target *t, double scale) {
    int err = 0;
    char msg[512] = "";
    struct conn *c = conn_open(&t->url, &t->tls, clock_now_ms() + (int64_t)(5000 * scale), &err,
                               msg, sizeof msg);
    if (!c) {
        fprintf(stderr, "wsspec run: target %s unreachable: %s\n", t->url_text, msg);
        return -1;
    }
    conn_close(c);
    return 0;
}

int cli_run(int argc, char **argv) {
    struct cli_args a;
    if (cli_args_parse(argc, argv, &a) != 0)
        return EXIT_USAGE;
    struct case_list all;
    const struct wcase **sel = NULL;
    size_t n = 0;
    int status = cli_load_selected(&a, &all, &sel, &n);
    if (status != 0) {
        cli_args_free(&a);
        return status;
    }

    struct builtin_server builtin = {0};
    struct run_target target = {.tls = a.tls};
    if (a.url) {
        snprintf(target.url_text, sizeof target.url_text, "%s", a.url);
    } else if (start_builtin(&builtin, target.url_text, sizeof target.url_text) != 0) {
        status = EXIT_INTERNAL;
        goto out;
    }
    int rc = url_parse(target.url_text, &target.url);
    if (rc != 0) {
        fprintf(stderr, "wsspec run: %s: %s\n", target.url_text, ws_strerror(rc));
        status = EXIT_USAGE;
        goto out;
    }
    double scale = timeout_scale();
    if (preflight(&target, scale) != 0) {
        status = EXIT_INCOMPLETE;
        goto out;
    }

    /* The runner takes a contiguous array: shallow copies of the selected
     * cases (the strings stay owned by `all`). */
    struct wcase *cases = calloc(n, sizeof *cases);
    struct case_result *results = calloc(n, sizeof *results);
    if (!cases || !results) {
        free(cases);
        free(results);
        status = EXIT_INTERNAL;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        cases[i] = *sel[i];
        if (a.timeout_s > 0)
            cases[i].timeout_s = a.timeout_s;
    }

    struct sigaction sa = {.sa_handler = on_sigint};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct console con = {.args = &a, .target = a.url ? a.url : ""};
    struct run_options opts = {.jobs = a.jobs, .timeout_scale = scale, .seed = a.seed,
                               .wire_cap = 64 * 1024, .interrupted = &interrupted};
    struct run_progress progress = {.finished = on_finished, .ud = &con};
    fprintf(stderr, "wsspec: running %zu cases against %s%s with -j %d, seed %llu\n", n,
            target.url_text, a.url ? "" : " (built-in reference server)", a.jobs,
            (unsigned long long)a.seed);
    int64_t t0 = clock_now_ms();
    rc = runner_run_all(cases, n, &target, &opts, &progress, results);
    double wall = (double)(clock_now_ms() - t0) / 1000.0;

    size_t not_run = 0;
    for (size_t i = 0; i < n; i++)
        not_run += !results[i].ran;
    size_t *k = con.counts;
    size_t failed = k[VERDICT_FAIL] + (a.strict ? k[VERDICT_NON_STRICT] : 0);
    printf("wsspec: %zu cases: %zu pass, %zu non-strict, %zu informational, %zu unimplemented, "
           "%zu fail, %zu error, %zu not run in %.2f s\n",
           n, k[VERDICT_PASS], k[VERDICT_NON_STRICT], k[VERDICT_INFORMATIONAL],
           k[VERDICT_UNIMPLEMENTED], k[VERDICT_FAIL], k[VERDICT_ERROR], not_run, wall);
    if (not_run)
        printf("wsspec: run incomplete: %zu cases not run\n", not_run);
    if (rc == WS_ERR_INTERRUPTED || interrupted)
        status = EXIT_INTERRUPTED;
    else if (k[VERDICT_ERROR] || not_run)
        status = EXIT_INCOMPLETE;
    else if (failed)
        status = EXIT_FAILURES;
    else
        status = EXIT_PASS;
    for (size_t i = 0; i < n; i++)
        case_result_free(&results[i]);
    free(results);
    free(cases);
out:
    if (builtin.srv)
        stop_builtin(&builtin);
    free(sel);
    case_list_free(&all);
    cli_args_free(&a);
    return status;
}
