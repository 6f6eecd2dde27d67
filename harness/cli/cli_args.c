/* cli_args: shared option parsing, case loading and selection. */
#include "cli/cli_args.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/errors.h"
#include "cli/cli.h"
#include "cli/cli_shard.h"
#include "fuzz/fuzz_oracle.h"
#include "load/caseload.h"

/* The installed corpus relative to the installed binary's directory: CMake
 * computes it from GNUInstallDirs (bin -> share/wsspec/cases). Relative, so
 * an installed tree can be moved or installed with another --prefix. */
#ifndef WSSPEC_CASES_FROM_BINDIR
#define WSSPEC_CASES_FROM_BINDIR "../share/wsspec/cases"
#endif
/* In a build tree, next to the binary: a link to the source tree's cases/
 * that CMake makes when it configures the build (CMakeLists.txt). */
#define CASES_IN_BUILD_TREE "cases"

int cli_str_list_push(struct str_list *l, const char *s) {
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        const char **grown = realloc(l->items, cap * sizeof *grown);
        if (!grown)
            return -1;
        l->items = grown;
        l->cap = cap;
    }
    l->items[l->count++] = s;
    return 0;
}

static bool parse_double(const char *s, double *out) {
    char *end;
    *out = strtod(s, &end);
    return *s && !*end && *out >= 0;
}

/* Options of `run` alone. --json takes a file there (list --json is a flag). */
static const char *const run_value_options[] = {
    "--report-dir",  "--json",          "--junit",        "--html",    "--md",
    "--format",      "--color",         "--baseline",     "--spawn",   "--ready-timeout",
    "--agent",       "--idle-timeout",  "--record-seeds", "--fail-on", "--policy",
    "--repeat",      "--repeat-failed", "--summary",      "--ctrf",    "--run-id",
    "--annotations",
};

static bool run_takes_value(const char *o) {
    for (size_t i = 0; i < sizeof run_value_options / sizeof *run_value_options; i++)
        if (strcmp(o, run_value_options[i]) == 0)
            return true;
    return false;
}

/* Store run option o (one of run_value_options) with its value v.
 * Returns 0, or -1 after printing why v is not acceptable. */
static int parse_run_option(struct cli_args *a, const char *o, const char *v) {
    if (strcmp(o, "--report-dir") == 0) {
        a->report_dir = v;
    } else if (strcmp(o, "--record-seeds") == 0) {
        a->record_seeds = v;
    } else if (strcmp(o, "--json") == 0) {
        a->json_out = v;
    } else if (strcmp(o, "--junit") == 0) {
        a->junit_out = v;
    } else if (strcmp(o, "--html") == 0) {
        a->html_out = v;
    } else if (strcmp(o, "--md") == 0) {
        a->md_out = v;
    } else if (strcmp(o, "--summary") == 0) {
        a->summary_out = v;
    } else if (strcmp(o, "--ctrf") == 0) {
        a->ctrf_out = v;
    } else if (strcmp(o, "--run-id") == 0) {
        if (!*v) {
            fprintf(stderr, "wsspec run: --run-id takes an id, not an empty string\n");
            return -1;
        }
        a->run_id = v;
    } else if (strcmp(o, "--annotations") == 0) {
        if (cli_annotations_target(v, &a->annotations_out) != 0) {
            fprintf(stderr, "wsspec run: --annotations takes github or github=FILE, not '%s'\n", v);
            return -1;
        }
    } else if (strcmp(o, "--baseline") == 0) {
        a->baseline = v;
    } else if (strcmp(o, "--spawn") == 0) {
        if (!*v) {
            fprintf(stderr, "wsspec run: --spawn takes a command, not an empty string\n");
            return -1;
        }
        a->spawn = v;
    } else if (strcmp(o, "--agent") == 0) {
        a->agent = v;
    } else if (strcmp(o, "--fail-on") == 0) {
        if (strcmp(v, "fail") != 0 && strcmp(v, "non-strict") != 0 &&
            strcmp(v, "informational") != 0) {
            fprintf(stderr,
                    "wsspec run: --fail-on takes fail, non-strict or informational, not '%s'\n", v);
            return -1;
        }
        a->fail_on = v;
    } else if (strcmp(o, "--policy") == 0) {
        a->policy = v;
    } else if (strcmp(o, "--repeat") == 0 || strcmp(o, "--repeat-failed") == 0) {
        char *end;
        unsigned long n = strtoul(v, &end, 10);
        bool all = strcmp(o, "--repeat") == 0;
        if (!*v || *end || n < (all ? 1u : 0u) || n > 1000) {
            fprintf(stderr, "wsspec run: %s takes %d to 1000, not '%s'\n", o, all ? 1 : 0, v);
            return -1;
        }
        *(all ? &a->repeat : &a->repeat_failed) = (unsigned)n;
    } else if (strcmp(o, "--ready-timeout") == 0) {
        if (!parse_double(v, &a->ready_timeout_s) || a->ready_timeout_s == 0) {
            fprintf(stderr, "wsspec run: --ready-timeout takes seconds > 0, not '%s'\n", v);
            return -1;
        }
    } else if (strcmp(o, "--idle-timeout") == 0) {
        /* 0 turns the idle deadline off. */
        if (!parse_double(v, &a->idle_timeout_s)) {
            fprintf(stderr, "wsspec run: --idle-timeout takes seconds >= 0, not '%s'\n", v);
            return -1;
        }
        a->idle_timeout_set = true;
    } else if (strcmp(o, "--format") == 0) {
        if (strcmp(v, "tap") == 0) {
            a->format_tap = true;
        } else if (strcmp(v, "text") == 0) {
            a->format_tap = false;
        } else {
            fprintf(stderr, "wsspec run: --format takes text or tap, not '%s'\n", v);
            return -1;
        }
    } else if (strcmp(o, "--color") == 0) {
        if (strcmp(v, "auto") == 0) {
            a->color = CLI_COLOR_AUTO;
        } else if (strcmp(v, "always") == 0) {
            a->color = CLI_COLOR_ALWAYS;
        } else if (strcmp(v, "never") == 0) {
            a->color = CLI_COLOR_NEVER;
        } else {
            fprintf(stderr, "wsspec run: --color takes auto, always or never, not '%s'\n", v);
            return -1;
        }
    }
    return 0;
}

int cli_annotations_target(const char *v, const char **path) {
    if (strcmp(v, "github") == 0) {
        *path = "-";
        return 0;
    }
    if (strncmp(v, "github=", 7) == 0 && v[7]) {
        *path = v + 7;
        return 0;
    }
    return -1;
}

/* cli_args_parse without the cleanup on failure. */
static int parse_args(int argc, char **argv, struct cli_args *a) {
    memset(a, 0, sizeof *a);
    a->command = argv[0];
    a->jobs = 1;
    a->seed = 1;
    bool run = strcmp(a->command, "run") == 0;
    bool slices = run || strcmp(a->command, "list") == 0; /* --shard */
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes_value =
            strcmp(o, "-j") == 0 || strcmp(o, "--jobs") == 0 || strcmp(o, "--timeout") == 0 ||
            strcmp(o, "--cases-dir") == 0 || strcmp(o, "--case-file") == 0 ||
            strcmp(o, "--seed") == 0 || strcmp(o, "--tag") == 0 || strcmp(o, "--rfc") == 0 ||
            strcmp(o, "--autobahn") == 0 || strcmp(o, "--exclude") == 0 || strcmp(o, "--ca") == 0 ||
            strcmp(o, "--sni") == 0 || strcmp(o, "--chop") == 0 || strcmp(o, "--profile") == 0 ||
            (slices && (strcmp(o, "--shard") == 0 || strcmp(o, "--shard-durations") == 0)) ||
            (run && run_takes_value(o));
        if (takes_value && !v) {
            fprintf(stderr, "wsspec %s: option %s needs a value\n", a->command, o);
            return -1;
        }
        if (strcmp(o, "-j") == 0 || strcmp(o, "--jobs") == 0) {
            a->jobs = atoi(argv[++i]);
            if (a->jobs < 1 || a->jobs > 256) {
                fprintf(stderr, "wsspec %s: -j takes 1 to 256, not '%s'\n", a->command, v);
                return -1;
            }
        } else if (strcmp(o, "--timeout") == 0) {
            if (!parse_double(argv[++i], &a->timeout_s) || a->timeout_s == 0) {
                fprintf(stderr, "wsspec %s: --timeout takes seconds > 0, not '%s'\n", a->command,
                        v);
                return -1;
            }
        } else if (strcmp(o, "--chop") == 0) {
            char *end;
            unsigned long chop = strtoul(argv[++i], &end, 10);
            if (*end || chop == 0 || chop > 1u << 20) {
                fprintf(stderr, "wsspec %s: --chop takes 1 to 1048576 octets, not '%s'\n",
                        a->command, v);
                return -1;
            }
            a->chop = (unsigned)chop;
        } else if (strcmp(o, "--profile") == 0) {
            const char *p = argv[++i];
            if (strcmp(p, "quick") != 0 && strcmp(p, "full") != 0) {
                fprintf(stderr, "wsspec %s: --profile takes quick or full, not '%s'\n", a->command,
                        p);
                return -1;
            }
            a->profile_full = strcmp(p, "full") == 0;
        } else if (strcmp(o, "--seed") == 0) {
            char *end;
            a->seed = strtoull(argv[++i], &end, 0);
            if (*end) {
                fprintf(stderr, "wsspec %s: --seed takes a number, not '%s'\n", a->command, v);
                return -1;
            }
        } else if (slices && strcmp(o, "--shard") == 0) {
            if (cli_shard_parse(argv[++i], &a->shard_index, &a->shard_count) != 0) {
                fprintf(stderr, "wsspec %s: --shard takes I/N with 1 <= I <= N <= 1000, not '%s'\n",
                        a->command, v);
                return -1;
            }
        } else if (slices && strcmp(o, "--shard-durations") == 0) {
            a->shard_durations = argv[++i];
        } else if (strcmp(o, "--cases-dir") == 0) {
            a->cases_dir = argv[++i];
        } else if (strcmp(o, "--case-file") == 0) {
            cli_str_list_push(&a->case_files, argv[++i]);
        } else if (strcmp(o, "--tag") == 0) {
            cli_str_list_push(&a->tags, argv[++i]);
        } else if (strcmp(o, "--rfc") == 0) {
            cli_str_list_push(&a->rfcs, argv[++i]);
        } else if (strcmp(o, "--autobahn") == 0) {
            cli_str_list_push(&a->autobahn, argv[++i]);
        } else if (strcmp(o, "--exclude") == 0) {
            cli_str_list_push(&a->excludes, argv[++i]);
        } else if (strcmp(o, "--ca") == 0) {
            a->tls.ca_file = argv[++i];
        } else if (strcmp(o, "--sni") == 0) {
            a->tls.sni = argv[++i];
        } else if (strcmp(o, "--insecure") == 0) {
            a->tls.insecure = true;
        } else if (strcmp(o, "--strict") == 0) {
            a->strict = true;
            if (!a->fail_on)
                a->fail_on = "non-strict";
        } else if (run && strcmp(o, "--oracle") == 0) {
            a->oracle = true;
        } else if (run && strcmp(o, "--no-deflate") == 0) {
            a->no_deflate = true;
        } else if (run && strcmp(o, "--retry-timeouts") == 0) {
            a->no_retry_timeouts = false;
        } else if (run && strcmp(o, "--no-retry-timeouts") == 0) {
            a->no_retry_timeouts = true;
        } else if (run && run_takes_value(o)) {
            if (parse_run_option(a, o, argv[++i]) != 0)
                return -1;
        } else if (strcmp(o, "--json") == 0) {
            a->json = true;
        } else if (strcmp(o, "-q") == 0 || strcmp(o, "--quiet") == 0) {
            a->verbosity = -1;
        } else if (strcmp(o, "-v") == 0) {
            a->verbosity = 1;
        } else if (strcmp(o, "-vv") == 0) {
            a->verbosity = 2;
        } else if (o[0] == '-' && o[1]) {
            fprintf(stderr, "wsspec %s: unknown option %s\n", a->command, o);
            return -1;
        } else if (strncmp(o, "ws://", 5) == 0 || strncmp(o, "wss://", 6) == 0) {
            if (a->url) {
                fprintf(stderr, "wsspec %s: more than one URL (%s, %s)\n", a->command, a->url, o);
                return -1;
            }
            a->url = o;
        } else {
            cli_str_list_push(&a->ids, o);
        }
    }
    if (a->fail_on) /* --strict and --fail-on: the last word is --fail-on's */
        a->strict = strcmp(a->fail_on, "fail") != 0;
    if (a->shard_durations && !a->shard_count) {
        fprintf(stderr, "wsspec %s: --shard-durations needs --shard I/N\n", a->command);
        return -1;
    }
    if (a->format_tap && a->annotations_out && strcmp(a->annotations_out, "-") == 0) {
        fprintf(stderr,
                "wsspec %s: --format tap keeps stdout for TAP: give --annotations "
                "github=FILE\n",
                a->command);
        return -1;
    }
    a->sel = (struct selection){
        .ids = a->ids.items,
        .id_count = a->ids.count,
        .tags = a->tags.items,
        .tag_count = a->tags.count,
        .rfcs = a->rfcs.items,
        .rfc_count = a->rfcs.count,
        .autobahn = a->autobahn.items,
        .autobahn_count = a->autobahn.count,
        .excludes = a->excludes.items,
        .exclude_count = a->excludes.count,
    };
    return 0;
}

void cli_args_free(struct cli_args *a) {
    free(a->ids.items);
    free(a->tags.items);
    free(a->rfcs.items);
    free(a->autobahn.items);
    free(a->excludes.items);
    free(a->case_files.items);
    memset(a, 0, sizeof *a);
}

int cli_args_parse(int argc, char **argv, struct cli_args *a) {
    if (parse_args(argc, argv, a) == 0)
        return 0;
    cli_args_free(a);
    return -1;
}

static bool is_dir(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The directory of the running binary (from /proc/self/exe, so symbolic
 * links to it are resolved) into dir; false when the system does not say. */
static bool binary_dir(char *dir, size_t cap) {
    ssize_t len = readlink("/proc/self/exe", dir, cap - 1);
    if (len <= 0 || (size_t)len >= cap - 1)
        return false;
    dir[len] = '\0';
    char *slash = strrchr(dir, '/');
    if (!slash)
        return false;
    *slash = '\0';
    return true;
}

/* The corpus directory, the first of:
 *   1. --cases-dir DIR
 *   2. $WSSPEC_CASES_DIR (when set and not empty)
 *   3. <binary's dir>/../share/wsspec/cases   the installed corpus
 *   4. <binary's dir>/cases                   a build tree's link to the source corpus
 * 3 and 4 only when that directory exists. Returns the directory (path is the
 * buffer for 3 and 4), or NULL after printing where it looked. */
static const char *cases_dir(const struct cli_args *a, char *path, size_t cap) {
    if (a->cases_dir)
        return a->cases_dir;
    const char *env = getenv("WSSPEC_CASES_DIR");
    if (env && *env)
        return env;
    char dir[PATH_MAX];
    static const char *const beside_binary[] = {WSSPEC_CASES_FROM_BINDIR, CASES_IN_BUILD_TREE};
    bool known = binary_dir(dir, sizeof dir);
    for (size_t i = 0; known && i < sizeof beside_binary / sizeof *beside_binary; i++) {
        char joined[PATH_MAX + 64];
        int n = snprintf(joined, sizeof joined, "%s/%s", dir, beside_binary[i]);
        /* Case files are named by the canonical path (no "bin/.."). */
        if (n > 0 && (size_t)n < sizeof joined && is_dir(joined) && cap >= PATH_MAX &&
            realpath(joined, path))
            return path;
    }
    if (known)
        fprintf(stderr,
                "wsspec %s: no case corpus: neither %s/%s nor %s/%s is a directory; "
                "give --cases-dir DIR or set WSSPEC_CASES_DIR\n",
                a->command, dir, beside_binary[0], dir, beside_binary[1]);
    else
        fprintf(stderr,
                "wsspec %s: no case corpus: cannot tell where this binary is (no "
                "/proc/self/exe); give --cases-dir DIR or set WSSPEC_CASES_DIR\n",
                a->command);
    return NULL;
}

/* --oracle: the outcomes of every selected case the RFC oracle models are
 * replaced by the oracle's; the others are left out of the run, counted.
 * The cases are ours (all owns them): sel only views them. */
static int oracle_outcomes(const struct cli_args *a, const struct wcase **sel, size_t *n) {
    size_t kept = 0, total = *n;
    for (size_t i = 0; i < total; i++) {
        struct oracle_verdict v;
        int rc = fuzz_oracle_expect((struct wcase *)sel[i], &v);
        if (rc != 0) {
            fprintf(stderr, "wsspec %s: --oracle: %s\n", a->command, ws_strerror(rc));
            *n = 1;
            return -1;
        }
        if (v.supported)
            sel[kept++] = sel[i];
        else if (a->verbosity > 0)
            fprintf(stderr, "wsspec %s: --oracle: %s left out: %s\n", a->command, sel[i]->id,
                    v.unsupported_why);
    }
    fprintf(stderr,
            "wsspec %s: --oracle: %zu of %zu selected cases judged by the RFC oracle, %zu "
            "left out (not modelled)\n",
            a->command, kept, total, total - kept);
    *n = kept;
    if (kept == 0) {
        fprintf(stderr, "wsspec %s: --oracle: no selected case is modelled\n", a->command);
        return -1;
    }
    return 0;
}

int cli_load_selected(const struct cli_args *a, struct case_list *all,
                      const struct wcase ***selected, size_t *selected_count) {
    struct case_error err;
    memset(all, 0, sizeof *all);
    int rc = 0;
    if (a->case_files.count) {
        for (size_t i = 0; i < a->case_files.count && rc == 0; i++)
            rc = case_load_file(a->case_files.items[i], all, &err);
    } else {
        char found[PATH_MAX];
        const char *dir = cases_dir(a, found, sizeof found);
        if (!dir)
            return EXIT_USAGE;
        rc = case_load_path(dir, all, &err);
    }
    if (rc != 0) {
        char msg[2048];
        case_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "wsspec %s: %s\n", a->command, msg);
        case_list_free(all);
        return EXIT_USAGE;
    }
    /* The profile decides how many messages each series sends (and the
     * outcomes expect), before anything looks at the cases. */
    for (size_t i = 0; i < all->count; i++)
        case_apply_profile(&all->items[i], !a->profile_full);
    const struct wcase **sel = calloc(all->count ? all->count : 1, sizeof *sel);
    size_t n = 0;
    for (size_t i = 0; sel && i < all->count; i++)
        if (select_match(&a->sel, &all->items[i]))
            sel[n++] = &all->items[i];
    if (n == 0) {
        fprintf(stderr,
                "wsspec %s: the selection matches none of the %zu cases "
                "(see `wsspec list`)\n",
                a->command, all->count);
        free(sel);
        case_list_free(all);
        return EXIT_USAGE;
    }
    if (a->oracle && oracle_outcomes(a, sel, &n) != 0) {
        free(sel);
        case_list_free(all);
        return n ? EXIT_INTERNAL : EXIT_USAGE;
    }
    *selected = sel;
    *selected_count = n;
    return 0;
}
