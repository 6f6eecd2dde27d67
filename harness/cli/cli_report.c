/* cli_report: `wsspec report FILE.json [OUTPUTS]`: re-render a saved JSON
 * report in any other format, to the same bytes the run would have
 * written; `wsspec report --compare A.json[=A.html] B.json ... --html F
 * --md F`: several targets side by side (reports/render/compare.c).
 * Exit status: 0 written, 2 usage error or a file that is not a wsspec
 * report (the message names file, line and column, or the field), 4 an
 * output could not be written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_args.h"
#include "cli/cli_help.h"
#include "reports/merge.h"
#include "reports/report.h"

/* Load and check the document; prints the problem and returns NULL. */
static json_t *load_report(const char *path) {
    json_error_t err;
    /* JSON_ALLOW_NUL: a hand-edited "\u0000" only cuts a string short. */
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err);
    if (!doc) {
        if (err.line > 0)
            fprintf(stderr, "wsspec report: %s:%d:%d: %s\n", path, err.line, err.column, err.text);
        else
            fprintf(stderr, "wsspec report: %s: %s\n", path, err.text);
        return NULL;
    }
    if (!json_is_object(doc)) {
        fprintf(stderr, "wsspec report: %s:1:1: the document is not a JSON object\n", path);
        goto bad;
    }
    const json_t *schema = json_object_get(doc, "schema");
    if (!json_is_string(schema)) {
        fprintf(stderr, "wsspec report: %s: field \"schema\" is %s, expected \"%s\"\n", path,
                schema ? "not a string" : "missing", REPORT_SCHEMA_ID);
        goto bad;
    }
    if (!report_schema_readable(json_string_value(schema))) {
        fprintf(stderr,
                "wsspec report: %s: field \"schema\" is \"%s\", expected \"%s\" (or \"%s\")\n",
                path, json_string_value(schema), REPORT_SCHEMA_ID, REPORT_SCHEMA_ID_1);
        goto bad;
    }
    if (!json_is_array(json_object_get(doc, "cases"))) {
        fprintf(stderr, "wsspec report: %s: field \"cases\" is missing or not an array\n", path);
        goto bad;
    }
    return doc;
bad:
    json_decref(doc);
    return NULL;
}

/* --merge: load every input and join them (merge.h); NULL after printing why. */
static json_t *load_merged(char **inputs, size_t n) {
    json_t **docs = calloc(n, sizeof *docs);
    json_t *merged = NULL;
    size_t loaded = 0;
    while (docs && loaded < n && (docs[loaded] = load_report(inputs[loaded])) != NULL)
        loaded++;
    if (docs && loaded == n) {
        char err[2048];
        merged = report_merge(docs, (const char *const *)inputs, n, err, sizeof err);
        if (!merged)
            fprintf(stderr, "wsspec report --merge: %s\n", err);
    }
    for (size_t i = 0; docs && i < loaded; i++)
        json_decref(docs[i]);
    free(docs);
    return merged;
}

/* --compare: every input is FILE.json or FILE.json=HTML (the target's HTML
 * report the cells link to). */
static int compare(char **inputs, int count, const struct report_outputs *outs) {
    if (count < 1 || (!outs->html && !outs->md)) {
        fprintf(stderr, "wsspec report: --compare takes report files and --html F and/or --md F "
                        "(wsspec report --compare A.json B.json --html matrix.html)\n");
        return EXIT_USAGE;
    }
    json_t *cmp = report_compare_doc();
    int status = cmp ? EXIT_PASS : EXIT_INTERNAL;
    for (int i = 0; i < count && status == EXIT_PASS; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s", inputs[i]);
        const char *href = NULL;
        char *eq = strrchr(path, '=');
        if (eq && eq - path >= 5 && strncmp(eq - 5, ".json", 5) == 0) {
            *eq = '\0';
            href = eq + 1;
        }
        json_t *doc = load_report(path);
        if (!doc) {
            status = EXIT_USAGE;
            break;
        }
        if (report_compare_add(cmp, doc, path, href && *href ? href : NULL) != 0)
            status = EXIT_INTERNAL;
        json_decref(doc);
    }
    char err[4352];
    if (status == EXIT_PASS && outs->html &&
        report_write_file(cmp, outs->html, report_compare_html_write, err, sizeof err) != 0) {
        fprintf(stderr, "wsspec report: %s\n", err);
        status = EXIT_INTERNAL;
    }
    if (status == EXIT_PASS && outs->md &&
        report_write_file(cmp, outs->md, report_compare_markdown_write, err, sizeof err) != 0) {
        fprintf(stderr, "wsspec report: %s\n", err);
        status = EXIT_INTERNAL;
    }
    json_decref(cmp);
    return status;
}

static int parse(int argc, char **argv, struct report_outputs *outs_, const char **autobahn_,
                 bool *tap_, bool *comparing, bool *merging, char **inputs, int *input_count) {
    struct report_outputs outs = {0};
    const char *autobahn = NULL;
    bool tap = false;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        const char **slot = NULL;
        if (strcmp(o, "--tap") == 0) {
            tap = true;
            continue;
        } else if (strcmp(o, "--compare") == 0) {
            *comparing = true;
            continue;
        } else if (strcmp(o, "--merge") == 0) {
            *merging = true;
            continue;
        } else if (strcmp(o, "--summary") == 0) {
            slot = &outs.summary;
        } else if (strcmp(o, "--ctrf") == 0) {
            slot = &outs.ctrf;
        } else if (strcmp(o, "--run-id") == 0) {
            slot = &outs.run_id;
        } else if (strcmp(o, "--annotations") == 0) {
            if (i + 1 >= argc || cli_annotations_target(argv[i + 1], &outs.annotations) != 0) {
                fprintf(stderr, "wsspec report: --annotations takes github or github=FILE\n");
                return EXIT_USAGE;
            }
            i++;
            continue;
        } else if (strcmp(o, "--json") == 0) {
            slot = &outs.json;
        } else if (strcmp(o, "--junit") == 0) {
            slot = &outs.junit;
        } else if (strcmp(o, "--html") == 0) {
            slot = &outs.html;
        } else if (strcmp(o, "--md") == 0) {
            slot = &outs.md;
        } else if (strcmp(o, "--report-dir") == 0) {
            slot = &outs.dir;
        } else if (strcmp(o, "--autobahn") == 0) {
            slot = &autobahn;
        } else if (o[0] == '-' && o[1] != '\0') {
            fprintf(stderr, "wsspec report: unknown option '%s'\n", o);
            cli_help_usage(stderr, "report");
            return EXIT_USAGE;
        } else {
            inputs[(*input_count)++] = argv[i];
            continue;
        }
        if (i + 1 >= argc || argv[i + 1][0] == '\0') {
            fprintf(stderr, "wsspec report: %s needs a file name\n", o);
            return EXIT_USAGE;
        }
        *slot = argv[++i];
    }
    *outs_ = outs;
    *autobahn_ = autobahn;
    *tap_ = tap;
    return EXIT_PASS;
}

/* Render one report, or (merging) the join of inputs[0..n). */
static int render_one(char **inputs, int n, bool merging, const struct report_outputs *o,
                      const char *autobahn, bool tap) {
    struct report_outputs outs = *o;
    const char *input = n ? inputs[0] : NULL;
    if (!input) {
        fprintf(stderr, "wsspec report: which report? (wsspec report FILE.json --junit OUT)\n");
        cli_help_usage(stderr, "report");
        return EXIT_USAGE;
    }
    if (!tap && !autobahn && !outs.dir && !outs.json && !outs.junit && !outs.html && !outs.md &&
        !outs.summary && !outs.ctrf && !outs.annotations) {
        fprintf(stderr, "wsspec report: nothing to write: give --junit, --html, --md, --json, "
                        "--summary, --ctrf, --annotations, --tap, --autobahn or --report-dir\n");
        return EXIT_USAGE;
    }
    json_t *doc = merging ? load_merged(inputs, (size_t)n) : load_report(input);
    if (!doc)
        return EXIT_USAGE;

    int status = EXIT_PASS;
    if (report_write_outputs(doc, &outs) != 0)
        status = EXIT_INTERNAL;
    if (autobahn) {
        char err[1024];
        if (report_autobahn_write_dir(doc, autobahn, err, sizeof err) != 0) {
            fprintf(stderr, "wsspec report: %s\n", err);
            status = EXIT_INTERNAL;
        }
    }
    if (tap && (report_tap_write(doc, stdout) != 0 || fflush(stdout) != 0)) {
        fprintf(stderr, "wsspec report: cannot write TAP to standard output\n");
        status = EXIT_INTERNAL;
    }
    json_decref(doc);
    return status;
}

int cli_report(int argc, char **argv) {
    struct report_outputs outs = {0};
    const char *autobahn = NULL;
    bool tap = false, comparing = false, merging = false;
    char **inputs = calloc((size_t)argc + 1, sizeof *inputs);
    int input_count = 0;
    if (!inputs)
        return EXIT_INTERNAL;
    int status =
        parse(argc, argv, &outs, &autobahn, &tap, &comparing, &merging, inputs, &input_count);
    if (status == EXIT_PASS && comparing && merging) {
        fprintf(stderr, "wsspec report: --compare and --merge do not go together\n");
        status = EXIT_USAGE;
    }
    if (status == EXIT_PASS && comparing) {
        if (tap || autobahn || outs.dir || outs.json || outs.junit || outs.summary || outs.ctrf ||
            outs.annotations) {
            fprintf(stderr, "wsspec report: --compare writes --html and --md only\n");
            status = EXIT_USAGE;
        } else {
            status = compare(inputs, input_count, &outs);
        }
        free(inputs);
        return status;
    }
    if (status == EXIT_PASS && input_count > 1 && !merging) {
        fprintf(stderr,
                "wsspec report: one report file only ('%s' and '%s'); --merge joins shard "
                "reports, --compare sets reports side by side\n",
                inputs[0], inputs[1]);
        status = EXIT_USAGE;
    }
    if (status == EXIT_PASS)
        status = render_one(inputs, input_count, merging, &outs, autobahn, tap);
    free(inputs);
    return status;
}
