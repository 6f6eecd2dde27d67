/* cli_report: `wsspec report FILE.json [OUTPUTS]`: re-render a saved JSON
 * report in any other format, to the same bytes the run would have
 * written. Exit status: 0 written, 2 usage error or a file that is not a
 * wsspec report (the message names file, line and column, or the field),
 * 4 an output could not be written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
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
static json_t *load_merged(const char **inputs, size_t n) {
    json_t **docs = calloc(n, sizeof *docs);
    json_t *merged = NULL;
    size_t loaded = 0;
    while (docs && loaded < n && (docs[loaded] = load_report(inputs[loaded])) != NULL)
        loaded++;
    if (docs && loaded == n) {
        char err[2048];
        merged = report_merge(docs, inputs, n, err, sizeof err);
        if (!merged)
            fprintf(stderr, "wsspec report --merge: %s\n", err);
    }
    for (size_t i = 0; docs && i < loaded; i++)
        json_decref(docs[i]);
    free(docs);
    return merged;
}

int cli_report(int argc, char **argv) {
    struct report_outputs outs = {0};
    const char *input = NULL, *autobahn = NULL;
    bool tap = false, merge = false;
    const char **inputs = calloc((size_t)argc, sizeof *inputs);
    size_t input_count = 0;
    if (!inputs)
        return EXIT_INTERNAL;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        const char **slot = NULL;
        if (strcmp(o, "--tap") == 0) {
            tap = true;
            continue;
        } else if (strcmp(o, "--merge") == 0) {
            merge = true;
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
            free(inputs);
            return EXIT_USAGE;
        } else {
            if (!input)
                input = o;
            inputs[input_count++] = o;
            continue;
        }
        if (i + 1 >= argc || argv[i + 1][0] == '\0') {
            fprintf(stderr, "wsspec report: %s needs a file name\n", o);
            free(inputs);
            return EXIT_USAGE;
        }
        *slot = argv[++i];
    }
    if (!input) {
        fprintf(stderr, "wsspec report: which report? (wsspec report FILE.json --junit OUT)\n");
        cli_help_usage(stderr, "report");
        free(inputs);
        return EXIT_USAGE;
    }
    if (input_count > 1 && !merge) {
        fprintf(stderr,
                "wsspec report: one report file only ('%s' and '%s'; --merge joins shard "
                "reports)\n",
                inputs[0], inputs[1]);
        free(inputs);
        return EXIT_USAGE;
    }
    if (!tap && !autobahn && !outs.dir && !outs.json && !outs.junit && !outs.html && !outs.md) {
        fprintf(stderr, "wsspec report: nothing to write: give --junit, --html, --md, --json, "
                        "--tap, --autobahn or --report-dir\n");
        free(inputs);
        return EXIT_USAGE;
    }
    json_t *doc = merge ? load_merged(inputs, input_count) : load_report(input);
    free(inputs);
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
