/* cli_args: the options shared by run, list, show and check-cases, and the
 * loading + selection of cases they all start with. */
#ifndef WSSPEC_CLI_ARGS_H
#define WSSPEC_CLI_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "load/select.h"
#include "model/casemodel.h"
#include "net/conn.h"

struct str_list {
    const char **items;
    size_t count, cap;
};
/* Append s (borrowed) to l. Returns 0, or -1 when memory ran out. */
int cli_str_list_push(struct str_list *l, const char *s);

enum cli_color { CLI_COLOR_AUTO, CLI_COLOR_ALWAYS, CLI_COLOR_NEVER };

struct cli_args {
    const char *command;
    const char *url; /* run: ws:// or wss://, NULL = built-in server */
    struct str_list ids, tags, rfcs, autobahn, excludes, case_files;
    const char *cases_dir;
    int jobs;
    double timeout_s;       /* > 0: overrides every case's timeout */
    double idle_timeout_s;  /* run: --idle-timeout S (0 = no idle deadline) */
    bool idle_timeout_set;  /*   given (else the runner's default) */
    unsigned chop;          /* --chop N: default chop of every send (0 = as cases say) */
    bool no_deflate;        /* run: --no-deflate (the built-in server declines RFC 7692) */
    bool no_retry_timeouts; /* run: --no-retry-timeouts (a case failing only by a timeout is
                               rerun once, alone, by default) */
    uint64_t seed;
    bool profile_full;           /* --profile full: every series as written (Autobahn's volume);
                          quick (the default): at most SERIES_QUICK_COUNT messages each */
    bool strict;                 /* --strict: the same as --fail-on non-strict */
    const char *fail_on;         /* run: --fail-on fail|non-strict|informational (NULL: the
                                  policy's, else fail; --strict: non-strict) */
    const char *policy;          /* run: --policy FILE (docs/policy.md) */
    unsigned repeat;             /* run: --repeat N (0 = once) */
    unsigned repeat_failed;      /* run: --repeat-failed N (0 = none) */
    unsigned shard_index;        /* --shard I/N: 1..N (0 = no sharding) */
    unsigned shard_count;        /*   N */
    const char *shard_durations; /* --shard-durations REPORT.json */
    bool oracle;                 /* run: --oracle: outcomes from the fuzzer's RFC oracle
                                    (fuzz_oracle.h); cases it does not model are left out */
    bool json;                   /* list: --json (JSON to stdout) */
    /* run only: reports, console, baseline, spawned target */
    const char *report_dir;   /* --report-dir DIR: every format */
    const char *record_seeds; /* --record-seeds DIR: fuzzing seeds, DIR/<target>/<sha256> */
    const char *json_out;     /* run: --json F */
    const char *junit_out, *html_out, *md_out;
    const char *summary_out;     /* --summary F: Markdown, failures first, <= 1 MiB */
    const char *ctrf_out;        /* --ctrf F: Common Test Report Format */
    const char *run_id;          /* --run-id ID (CTRF runId shared by shards) */
    const char *annotations_out; /* --annotations github[=F]: "-" is stdout */
    bool format_tap;             /* --format tap: TAP on stdout, human text on stderr */
    enum cli_color color;        /* --color auto|always|never */
    const char *baseline;        /* --baseline F: earlier report or known-failures file */
    const char *spawn;           /* --spawn 'CMD {port}' */
    double ready_timeout_s;      /* --ready-timeout S (0 = default 10, scaled) */
    const char *agent;           /* --agent NAME (Autobahn index) */
    int verbosity;               /* -q = -1, default 0, -v 1, -vv 2 */
    struct tls_client_options tls;
    struct selection sel; /* views of the lists above */
};

/* Parse argv (argv[0] = the command; a borrows its strings). Returns 0, or
 * -1 after printing the problem to stderr (exit 2) with nothing left to free
 * (cli_args_free on *a is harmless then). */
int cli_args_parse(int argc, char **argv, struct cli_args *a);
/* --annotations VALUE: "github" (standard output, *path = "-") or
 * "github=FILE". Returns 0, or -1 when VALUE is neither. */
int cli_annotations_target(const char *v, const char **path);
/* Free what cli_args_parse allocated and zero *a (safe to call twice). */
void cli_args_free(struct cli_args *a);

/* Load the case files (--case-file, else the corpus: --cases-dir,
 * $WSSPEC_CASES_DIR, the installed corpus <bindir>/../share/wsspec/cases, or
 * a build tree's <bindir>/cases; see cases_dir), then select. *all owns the
 * cases; *selected (caller frees the array only) points into it.
 * Returns 0, or an exit status (2) after printing the problem. */
int cli_load_selected(const struct cli_args *a, struct case_list *all,
                      const struct wcase ***selected, size_t *selected_count);

#endif
