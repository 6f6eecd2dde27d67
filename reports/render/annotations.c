/* annotations: GitHub Actions workflow commands for the cases that need
 * attention, so that they show on the run's page and in the pull request:
 *
 *   ::error file=cases/pings.json,line=12,title=wsspec fail pings.ping-text::TITLE: 6455:5.5.2 not met: ...%0ARequirement: ...%0ARe-run: ...
 *   ::warning file=...,title=wsspec non-strict ID::...
 *   ::notice title=wsspec::12 more cases need attention (...): see the job summary and the reports
 *
 * GitHub shows at most 10 error and 10 warning annotations of a step, so
 * at most ANNOTATION_CAP of each are written, the worst first: failures
 * (fail, and non-strict under --strict), then errors (the case could not be
 * run or judged), then, as warnings, the non-strict verdicts. Whatever is
 * left out is counted in one ::notice line, and so are the known failures
 * of a --baseline (they do not fail the job).
 *
 * file= is the case file relative to the repository ($GITHUB_WORKSPACE
 * stripped), left out for a corpus outside it.
 *
 * Escaping follows the workflow-command rules of the runner: in the
 * message, % -> %25, CR -> %0D, LF -> %0A; in a property value also
 * : -> %3A and , -> %2C. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/render/report_doc.h"
#include "reports/report.h"

#define ANNOTATION_CAP 10   /* of each kind: GitHub's limit per step */
#define MESSAGE_CAP    2000 /* octets of one message before escaping */

static void escape(FILE *out, const char *s, bool property) {
    for (const char *p = s ? s : ""; *p; p++) {
        switch (*p) {
        case '%': fputs("%25", out); break;
        case '\r': fputs("%0D", out); break;
        case '\n': fputs("%0A", out); break;
        case ':': property ? fputs("%3A", out) : fputc(':', out); break;
        case ',': property ? fputs("%2C", out) : fputc(',', out); break;
        default: fputc(*p, out);
        }
    }
}

/* Which annotation a case gets: 0 error (a failure), 1 error (an error),
 * 2 warning (non-strict), -1 none; *known when a --baseline knew it. */
static int rank_of(const json_t *doc, const json_t *c, bool *known) {
    const char *mark = report_doc_str(c, "baseline", NULL);
    *known = mark && strcmp(mark, "known") == 0;
    switch (report_doc_classify(doc, c)) {
    case REPORT_DOC_FAIL: return 0;
    case REPORT_DOC_ERROR: return 1;
    case REPORT_DOC_NOTE:
        return strcmp(report_doc_str(c, "verdict", ""), "non-strict") == 0 ? 2 : -1;
    default: return -1;
    }
}

/* The case file as GitHub wants it, relative to the repository: a
 * relative path as it is, an absolute one under $GITHUB_WORKSPACE without
 * that prefix, any other absolute one (an installed corpus) not at all. */
static const char *workspace_path(const char *file) {
    if (!file || !*file)
        return NULL;
    if (file[0] != '/')
        return file;
    const char *ws = getenv("GITHUB_WORKSPACE");
    size_t n = ws ? strlen(ws) : 0;
    if (n && strncmp(file, ws, n) == 0 && file[n] == '/' && file[n + 1])
        return file + n + 1;
    return NULL;
}

static void annotate(FILE *out, const json_t *doc, const json_t *c, const char *command) {
    char title[512], message[MESSAGE_CAP + 1], headline[1024], rerun[1024], rfc[256];
    snprintf(title, sizeof title, "wsspec %s %s", report_doc_str(c, "verdict", "?"),
             report_doc_str(c, "id", "?"));
    if (report_doc_classify(doc, c) == REPORT_DOC_NOTE)
        snprintf(headline, sizeof headline, "%s", report_doc_str(c, "reason", "non-strict"));
    else
        report_doc_headline(c, headline, sizeof headline);
    report_doc_rerun(doc, c, rerun, sizeof rerun);
    report_doc_rfc_list(c, rfc, sizeof rfc);
    const char *req = report_doc_str(c, "requirement", "");
    char cites[800] = "";
    if (*req) /* the requirement starts with its section */
        snprintf(cites, sizeof cites, "Requirement: %.600s\n", req);
    else if (*rfc)
        snprintf(cites, sizeof cites, "RFC %s\n", rfc);
    snprintf(message, sizeof message, "%s: %.900s\n%sRe-run: %s", report_doc_str(c, "title", ""),
             headline, cites, rerun);
    fprintf(out, "::%s ", command);
    const char *file = workspace_path(report_doc_str(c, "file", NULL));
    long long line = report_doc_int(c, "line", 0);
    if (file) {
        fputs("file=", out);
        escape(out, file, true);
        if (line > 0)
            fprintf(out, ",line=%lld", line);
        fputc(',', out);
    }
    fputs("title=", out);
    escape(out, title, true);
    fputs("::", out);
    escape(out, message, false);
    fputc('\n', out);
}

int report_annotations_write(const json_t *report, FILE *out) {
    size_t n = report_doc_case_count(report);
    size_t errors_written = 0, warnings_written = 0, left[3] = {0}, known = 0;
    /* Three passes, the worst rank first. */
    for (int want = 0; want < 3; want++) {
        for (size_t i = 0; i < n; i++) {
            const json_t *c = report_doc_case(report, i);
            bool is_known;
            int rank = c ? rank_of(report, c, &is_known) : -1;
            if (rank != want)
                continue;
            if (is_known) {
                known++;
                continue;
            }
            size_t *written = rank < 2 ? &errors_written : &warnings_written;
            if (*written < ANNOTATION_CAP) {
                annotate(out, report, c, rank < 2 ? "error" : "warning");
                (*written)++;
            } else {
                left[rank]++;
            }
        }
    }
    if (left[0] || left[1] || left[2] || known) {
        char text[512];
        snprintf(text, sizeof text,
                 "%zu more cases need attention and are not annotated (%zu failures, %zu errors, "
                 "%zu non-strict); %zu known failures of the baseline. Every case is in the job "
                 "summary and the reports.",
                 left[0] + left[1] + left[2], left[0], left[1], left[2], known);
        fputs("::notice title=wsspec::", out);
        escape(out, text, false);
        fputc('\n', out);
    }
    if (ferror(out))
        return -1;
    return 0;
}
