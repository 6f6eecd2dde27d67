/* cli_fuzz: `wsspec fuzz [URL] [--spawn 'CMD {port}'] [--seed N]
 * [--time S | --runs N] [--out DIR] [-j N] [SELECTORS...] [--fault NAME...]`:
 * the network fuzzer (harness/fuzz/fuzz_run.h). Seeds are the selected
 * corpus cases (by default the frame-level ones: no series, no floods, no
 * large-message limits). Without a URL or --spawn it fuzzes the reference
 * server as a separate process (this binary's `serve`), so that a crash of
 * the server is a finding and not the fuzzer's end.
 *
 * Exit status, as `wsspec run`'s: 0 no finding, 1 findings, 2 usage, 3 the
 * target never came up or could not be kept up (no finding), 4 internal
 * error, 130 interrupted (the summary is written in every case). */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "base/errors.h"
#include "cli/cli.h"
#include "cli/cli_args.h"
#include "codec/url.h"
#include "fuzz/fuzz_mutate.h"
#include "fuzz/fuzz_oracle.h"
#include "fuzz/fuzz_run.h"
#include "fuzz/fuzz_summary.h"

#define DEFAULT_CASE_TIMEOUT_S  5.0
#define DEFAULT_PROBE_TIMEOUT_S 2.0
#define DEFAULT_PROBE_EVERY     100
#define DEFAULT_RUNS            1000
#define PLAIN_PROGRESS_MS       10000

static volatile sig_atomic_t interrupted;
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

struct fuzz_args {
    struct cli_args common; /* selectors, -j, --seed, --timeout, TLS, -q */
    const char *spawn, *out;
    struct str_list faults;
    uint64_t runs;
    double time_s;
    bool runs_set, mutate;
    unsigned probe_every, max_restarts, confirm_need, confirm_runs, minimize_runs, max_findings;
};

static bool parse_count(const char *s, unsigned long long max, unsigned long long *out) {
    char *end;
    *out = strtoull(s, &end, 10);
    return *s && *s != '-' && !*end && *out <= max;
}

/* Take the options of fuzz alone out of argv; the rest (selectors, -j,
 * --seed, ...) goes to the shared parser. Returns 0 or -1 (printed). */
static int parse(int argc, char **argv, struct fuzz_args *f) {
    memset(f, 0, sizeof *f);
    f->mutate = true;
    f->probe_every = DEFAULT_PROBE_EVERY;
    f->max_restarts = 100;
    f->confirm_need = 2;
    f->confirm_runs = 3;
    f->minimize_runs = 64;
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    if (!rest)
        return -1;
    int n = 0, rc = -1;
    rest[n++] = argv[0];
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool ours = !strcmp(o, "--spawn") || !strcmp(o, "--out") || !strcmp(o, "--fault") ||
                    !strcmp(o, "--runs") || !strcmp(o, "--time") || !strcmp(o, "--probe-every") ||
                    !strcmp(o, "--max-restarts") || !strcmp(o, "--confirm") ||
                    !strcmp(o, "--minimize-runs") || !strcmp(o, "--max-findings");
        if (!strcmp(o, "--no-mutate")) {
            f->mutate = false;
            continue;
        }
        if (!ours) {
            rest[n++] = argv[i];
            continue;
        }
        if (!v) {
            fprintf(stderr, "wsspec fuzz: option %s needs a value\n", o);
            goto out;
        }
        i++;
        unsigned long long num;
        if (!strcmp(o, "--spawn")) {
            if (!*v) {
                fprintf(stderr, "wsspec fuzz: --spawn takes a command, not an empty string\n");
                goto out;
            }
            f->spawn = v;
        } else if (!strcmp(o, "--out")) {
            f->out = v;
        } else if (!strcmp(o, "--fault")) {
            cli_str_list_push(&f->faults, v);
        } else if (!strcmp(o, "--runs")) {
            if (!parse_count(v, UINT64_MAX, &num) || num == 0) {
                fprintf(stderr, "wsspec fuzz: --runs takes a count > 0, not '%s'\n", v);
                goto out;
            }
            f->runs = num;
            f->runs_set = true;
        } else if (!strcmp(o, "--time")) {
            char *end;
            f->time_s = strtod(v, &end);
            if (!*v || *end || !(f->time_s > 0)) {
                fprintf(stderr, "wsspec fuzz: --time takes seconds > 0, not '%s'\n", v);
                goto out;
            }
        } else if (!strcmp(o, "--probe-every")) {
            if (!parse_count(v, UINT_MAX, &num)) {
                fprintf(stderr, "wsspec fuzz: --probe-every takes a count, not '%s'\n", v);
                goto out;
            }
            f->probe_every = (unsigned)num;
        } else if (!strcmp(o, "--max-restarts")) {
            if (!parse_count(v, UINT_MAX, &num)) {
                fprintf(stderr, "wsspec fuzz: --max-restarts takes a count, not '%s'\n", v);
                goto out;
            }
            f->max_restarts = (unsigned)num;
        } else if (!strcmp(o, "--minimize-runs")) {
            if (!parse_count(v, UINT_MAX, &num)) {
                fprintf(stderr, "wsspec fuzz: --minimize-runs takes a count, not '%s'\n", v);
                goto out;
            }
            f->minimize_runs = (unsigned)num;
        } else if (!strcmp(o, "--max-findings")) {
            if (!parse_count(v, UINT_MAX, &num) || num == 0) {
                fprintf(stderr, "wsspec fuzz: --max-findings takes a count > 0, not '%s'\n", v);
                goto out;
            }
            f->max_findings = (unsigned)num;
        } else { /* --confirm N/M */
            unsigned need, runs;
            char tail;
            if (sscanf(v, "%u/%u%c", &need, &runs, &tail) != 2 || need == 0 || need > runs ||
                runs > 100) {
                fprintf(stderr,
                        "wsspec fuzz: --confirm takes N/M (1 <= N <= M <= 100), not "
                        "'%s'\n",
                        v);
                goto out;
            }
            f->confirm_need = need;
            f->confirm_runs = runs;
        }
    }
    if (cli_args_parse(n, rest, &f->common) != 0)
        goto out;
    if (f->runs_set && f->time_s > 0) {
        fprintf(stderr, "wsspec fuzz: give --time or --runs, not both\n");
        cli_args_free(&f->common);
        goto out;
    }
    if (f->faults.count && (f->spawn || f->common.url)) {
        fprintf(stderr, "wsspec fuzz: --fault is for the reference server (no URL, no --spawn)\n");
        cli_args_free(&f->common);
        goto out;
    }
    struct ws_url url;
    int url_rc =
        f->common.url && !strstr(f->common.url, "{port}") ? url_parse(f->common.url, &url) : 0;
    if (url_rc != 0) {
        fprintf(stderr, "wsspec fuzz: %s: %s\n", f->common.url, ws_strerror(url_rc));
        cli_args_free(&f->common);
        goto out;
    }
    if (!f->runs_set && !(f->time_s > 0))
        f->runs = DEFAULT_RUNS;
    rc = 0;
out:
    free(rest);
    if (rc != 0)
        free(f->faults.items);
    return rc;
}

static bool has_selector(const struct cli_args *a) {
    return a->ids.count || a->tags.count || a->rfcs.count || a->autobahn.count ||
           a->case_files.count;
}

/* word in single quotes for /bin/sh at out; returns the octets written
 * (out has room for 4 * strlen(word) + 3). */
static size_t shell_quote(char *out, const char *word) {
    size_t used = 0;
    out[used++] = '\'';
    for (const char *p = word; *p; p++) {
        if (*p == '\'') {
            memcpy(out + used, "'\\''", 4);
            used += 4;
        } else {
            out[used++] = *p;
        }
    }
    out[used++] = '\'';
    out[used] = '\0';
    return used;
}

/* 'EXE' serve --port {port} --quiet [--fault 'NAME']...: this binary. */
static char *refserver_command(const struct str_list *faults) {
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0)
        return NULL;
    exe[len] = '\0';
    size_t cap = 4 * (size_t)len + 64;
    for (size_t i = 0; i < faults->count; i++)
        cap += 4 * strlen(faults->items[i]) + 16;
    char *cmd = malloc(cap);
    if (!cmd)
        return NULL;
    size_t used = shell_quote(cmd, exe);
    used += (size_t)snprintf(cmd + used, cap - used, " serve --port {port} --quiet");
    for (size_t i = 0; i < faults->count; i++) {
        used += (size_t)snprintf(cmd + used, cap - used, " --fault ");
        used += shell_quote(cmd + used, faults->items[i]);
    }
    return cmd;
}

/* ---- the console ---------------------------------------------------------------- */

struct console_state {
    bool tty, quiet;
    int64_t last_plain_ms;
    double next_plain_s;
};

static void status_text(const struct fuzz_stats *st, char *out, size_t cap) {
    double t = st->elapsed_s > 0 ? st->elapsed_s : 1e-9;
    int len = snprintf(out, cap,
                       "%llu inputs %.0f/s, %.0f conn/s, %zu findings (%llu hits), %llu skipped, "
                       "dims",
                       (unsigned long long)st->executed, (double)st->executed / t,
                       (double)st->connections / t, st->findings, (unsigned long long)st->hits,
                       (unsigned long long)st->unsupported);
    for (int d = 0; d < FUZZ_DIM_COUNT && len > 0 && (size_t)len < cap; d++)
        len += snprintf(out + len, cap - (size_t)len, " %.4s:%llu", fuzz_dim_name(d),
                        (unsigned long long)st->dims[d]);
}

static void on_tick(void *ud, const struct fuzz_stats *st) {
    struct console_state *c = ud;
    if (c->quiet)
        return;
    char line[512];
    status_text(st, line, sizeof line);
    if (c->tty) {
        /* One line, cut to the terminal's width, rewritten in place. */
        struct winsize ws;
        int width = ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20 ? ws.ws_col - 1 : 79;
        fprintf(stderr, "\r\033[K%.*s", width, line);
    } else if (st->elapsed_s >= c->next_plain_s) {
        fprintf(stderr, "wsspec fuzz: %s\n", line);
        c->next_plain_s = st->elapsed_s + PLAIN_PROGRESS_MS / 1000.0;
    }
    fflush(stderr);
}

static void on_note(void *ud, const char *line) {
    struct console_state *c = ud;
    if (c->quiet && strncmp(line, "FINDING", 7) != 0)
        return;
    fprintf(stderr, "%swsspec fuzz: %s\n", c->tty ? "\r\033[K" : "", line);
}

static double timeout_scale(void) {
    const char *s = getenv("WSSPEC_TIMEOUT_SCALE");
    double v = s ? atof(s) : 1.0;
    return v > 0 ? v : 1.0;
}

int cli_fuzz(int argc, char **argv) {
    struct fuzz_args f;
    if (parse(argc, argv, &f) != 0)
        return EXIT_USAGE;
    struct cli_args *a = &f.common;
    struct case_list all;
    const struct wcase **sel = NULL;
    size_t n = 0;
    int status = cli_load_selected(a, &all, &sel, &n);
    if (status != 0) {
        free(f.faults.items);
        cli_args_free(a);
        return status;
    }
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (has_selector(a) || fuzz_seed_is_quick(sel[i]))
            sel[kept++] = sel[i];
    char *refcmd = NULL;
    if (!a->url && !f.spawn && !(refcmd = refserver_command(&f.faults))) {
        fprintf(stderr, "wsspec fuzz: cannot find this binary to start the reference server\n");
        status = EXIT_INTERNAL;
        goto out;
    }
    struct console_state con = {.tty = isatty(2) == 1, .quiet = a->verbosity < 0};
    struct fuzz_config cfg = {
        .seeds = sel,
        .seed_count = kept,
        .seed = a->seed,
        .runs = f.runs,
        .time_s = f.time_s,
        .jobs = a->jobs,
        .mutate = f.mutate,
        .strict = a->strict,
        .out_dir = f.out,
        .spawn = f.spawn ? f.spawn : refcmd,
        .url = a->url,
        .tls = a->tls,
        .scale = timeout_scale(),
        .case_timeout_s = a->timeout_s > 0 ? a->timeout_s : DEFAULT_CASE_TIMEOUT_S,
        .probe_timeout_s = DEFAULT_PROBE_TIMEOUT_S,
        .probe_every = f.probe_every,
        .max_restarts = f.max_restarts,
        .confirm_runs = f.confirm_runs,
        .confirm_need = f.confirm_need,
        .minimize_runs = f.minimize_runs,
        .max_findings = f.max_findings,
        .interrupted = &interrupted,
        .target_pgid = &target_pgid,
        .tick = on_tick,
        .note = on_note,
        .ud = &con,
    };
    if (kept == 0) {
        fprintf(stderr, "wsspec fuzz: no seed case selected\n");
        status = EXIT_USAGE;
        goto out;
    }
    struct sigaction sa = {.sa_handler = on_sigint};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct fuzz_result res;
    bool started = fuzz_run(&cfg, &res) == 0;
    if (con.tty && !con.quiet)
        fputc('\n', stderr);
    if (!started)
        fprintf(stderr, "wsspec fuzz: %s\n", res.stop_reason);
    else if (*res.stop_reason)
        fprintf(stderr, "wsspec fuzz: stopped early: %s\n", res.stop_reason);
    char line[512];
    status_text(&res.stats, line, sizeof line);
    printf("wsspec fuzz: %s in %.1f s; %zu finding%s\n", line, res.stats.elapsed_s,
           res.stats.findings, res.stats.findings == 1 ? "" : "s");
    for (size_t i = 0; i < res.stats.findings; i++)
        printf("  %s (%s %s) x%llu%s%s\n", res.findings[i].signature, res.findings[i].rule_rfc,
               fuzz_oracle_kind_name(res.findings[i].oracle),
               (unsigned long long)res.findings[i].hits, res.findings[i].file ? ": " : "",
               res.findings[i].file ? res.findings[i].file : "");
    bool write_failed = false;
    if (f.out) {
        struct fuzz_summary_meta meta = {.target = res.target_url,
                                         .spawn = cfg.spawn,
                                         .version = WSSPEC_VERSION,
                                         .argc = argc,
                                         .argv = argv};
        char err[1024];
        if (fuzz_summary_write(&cfg, &res, &meta, err, sizeof err) != 0) {
            fprintf(stderr, "wsspec fuzz: cannot write the summary: %s\n", err);
            write_failed = true;
        }
    }
    if (interrupted || res.interrupted)
        status = EXIT_INTERRUPTED;
    else if (res.internal || write_failed)
        status = EXIT_INTERNAL;
    else if (!started)
        status = EXIT_INCOMPLETE;
    else if (res.stats.findings)
        status = EXIT_FAILURES;
    else /* stopped before its budget by the target (not restartable, gone) */
        status = *res.stop_reason ? EXIT_INCOMPLETE : EXIT_PASS;
    fuzz_result_free(&res);
out:
    free(refcmd);
    free(sel);
    case_list_free(&all);
    free(f.faults.items);
    cli_args_free(a);
    return status;
}
