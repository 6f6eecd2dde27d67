/* markdown: a compact GitHub-flavoured Markdown summary for CI job pages
 * (`--md $GITHUB_STEP_SUMMARY`, GitLab/Gitea comments): a status line,
 * counts per verdict and per group, then each failure with its RFC
 * section, expected and actual (fenced) and the command that re-runs it.
 * No HTML. `--summary` is the same with the failures before the table of
 * groups (what matters first when a page is cut).
 *
 * Never over GitHub's 1 MiB step-summary limit (SUMMARY_CAP): at most
 * DETAIL_CAP failures in full, the next LIST_CAP as one line each; when
 * that is still too much (long requirements, thousands of failures), fewer
 * in full and fewer listed, and at last the text is cut at a line with a
 * note saying so. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/render/report_doc.h"
#include "reports/report.h"

#define DETAIL_CAP  50
#define LIST_CAP    500
#define BLOCK_CAP   4000          /* characters of one fenced block */
#define SUMMARY_CAP (1024 * 1024) /* octets: GitHub's limit of a step summary */

/* How much of the failures one rendering shows, and in which order. */
struct md_layout {
    size_t detail_cap, list_cap;
    bool failures_first;
};

static const char *const verdicts[] = {"pass", "non-strict", "informational", "unimplemented",
                                       "fail", "error",      "not-run"};
#define VERDICTS (sizeof verdicts / sizeof verdicts[0])

/* Text inside a table cell or a heading: one line, Markdown and HTML
 * specials escaped. */
static void inline_text(FILE *out, const char *s) {
    for (const char *p = s ? s : ""; *p; p++) {
        if (*p == '\n' || *p == '\r' || *p == '\t')
            fputc(' ', out);
        else if (strchr("\\`*_[]<>|#~", *p))
            fprintf(out, "\\%c", *p);
        else if ((unsigned char)*p < 0x20)
            fprintf(out, "\\u%04X", (unsigned)*p);
        else
            fputc(*p, out);
    }
}

static size_t longest_backtick_run(const char *s) {
    size_t best = 0, run = 0;
    for (const char *p = s; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        if (run > best)
            best = run;
    }
    return best;
}

/* An inline code span that survives backticks in the text. */
static void code_span(FILE *out, const char *s) {
    size_t ticks = longest_backtick_run(s) + 1;
    bool pad = s[0] == '`' || (s[0] && s[strlen(s) - 1] == '`');
    for (size_t i = 0; i < ticks; i++)
        fputc('`', out);
    if (pad)
        fputc(' ', out);
    for (const char *p = s; *p; p++)
        fputc(*p == '\n' || *p == '\r' ? ' ' : *p, out);
    if (pad)
        fputc(' ', out);
    for (size_t i = 0; i < ticks; i++)
        fputc('`', out);
}

/* A fenced block, its fence longer than any backtick run inside. */
static void fenced(FILE *out, const char *label, const char *s) {
    if (!s || !*s)
        return;
    size_t ticks = longest_backtick_run(s) + 1;
    if (ticks < 3)
        ticks = 3;
    fprintf(out, "\n**%s**\n\n", label);
    for (size_t i = 0; i < ticks; i++)
        fputc('`', out);
    fputs("text\n", out);
    size_t len = strlen(s);
    size_t shown = len > BLOCK_CAP ? BLOCK_CAP : len;
    while (shown < len && shown > 0 && ((unsigned char)s[shown] & 0xC0) == 0x80)
        shown--; /* do not cut a UTF-8 sequence */
    for (size_t i = 0; i < shown; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 && c != '\n' && c != '\t')
            fprintf(out, "\\u%04X", c);
        else
            fputc(c, out);
    }
    if (shown < len)
        fprintf(out, "\n[... %zu more characters]", len - shown);
    fputc('\n', out);
    for (size_t i = 0; i < ticks; i++)
        fputc('`', out);
    fputc('\n', out);
}

static size_t verdict_index(const char *v) {
    for (size_t i = 0; i < VERDICTS; i++)
        if (strcmp(verdicts[i], v) == 0)
            return i;
    return 5; /* unknown verdicts count as errors, like every CI format */
}

static void status_line(FILE *out, const json_t *doc, size_t bad, size_t total) {
    bool complete = report_doc_bool(doc, "complete", true);
    const json_t *baseline = report_doc_obj(doc, "baseline");
    size_t regressions = json_array_size(json_object_get(baseline, "regressions"));
    fputs("## wsspec: ", out);
    if (baseline && regressions)
        fprintf(out, "FAILED: %zu regressions against the baseline (%zu of %zu cases failed)",
                regressions, bad, total);
    else if (baseline)
        fprintf(out, "PASSED: no regression against the baseline (%zu of %zu cases failed)", bad,
                total);
    else if (bad)
        fprintf(out, "FAILED: %zu of %zu cases failed", bad, total);
    else if (json_array_size(json_object_get(report_doc_obj(doc, "gate"), "expired")))
        fprintf(out, "FAILED: an expired policy entry (%zu cases, no failure)", total);
    else
        fprintf(out, "PASSED: %zu cases, no failure", total);
    if (!complete)
        fputs(" (run incomplete)", out);
    fputs("\n\n", out);
    if (!complete) {
        fputs("> **Run incomplete:** ", out);
        inline_text(out, report_doc_str(doc, "incomplete_reason", "unknown reason"));
        fputs("\n\n", out);
    }
    if (baseline) {
        fputs("**Baseline:** ", out);
        code_span(out, report_doc_str(baseline, "file", "?"));
        fprintf(out, ": %zu regressions, %zu fixed, %zu known failures\n\n", regressions,
                json_array_size(json_object_get(baseline, "fixes")),
                json_array_size(json_object_get(baseline, "known")));
    }
    const json_t *target = report_doc_obj(doc, "target");
    const json_t *tool = report_doc_obj(doc, "tool");
    char seed[32];
    report_doc_seed(doc, seed, sizeof seed);
    fputs("**Target:** ", out);
    if (report_doc_bool(target, "builtin", false))
        fputs("built-in reference server", out);
    else
        code_span(out, report_doc_str(target, "url", ""));
    fputs(" · **Agent:** ", out);
    inline_text(out, report_doc_str(target, "agent", ""));
    fprintf(out, " · **Seed:** %s · **Strict:** %s · **Duration:** %.2f s\n\n", seed,
            report_doc_bool(report_doc_obj(doc, "options"), "strict", false) ? "yes" : "no",
            report_doc_num(doc, "duration_s", 0));
    fputs("wsspec ", out);
    inline_text(out, report_doc_str(tool, "version", "?"));
    fputs(" (", out);
    inline_text(out, report_doc_str(tool, "openssl", "OpenSSL ?"));
    fputs(", zlib ", out);
    inline_text(out, report_doc_str(tool, "zlib", "?"));
    fputs(", jansson ", out);
    inline_text(out, report_doc_str(tool, "jansson", "?"));
    fputs(")\n\n", out);
}

static void verdict_table(FILE *out, const size_t *counts) {
    fputs("| Verdict | Cases |\n|:--|--:|\n", out);
    for (size_t v = 0; v < VERDICTS; v++)
        fprintf(out, "| %s | %zu |\n", verdicts[v], counts[v]);
    fputc('\n', out);
}

static void group_table(FILE *out, const json_t *doc) {
    size_t n = report_doc_case_count(doc);
    fputs("### By group\n\n| Group | Cases |", out);
    for (size_t v = 0; v < VERDICTS; v++)
        fprintf(out, " %s |", verdicts[v]);
    fputs("\n|:--|--:|", out);
    for (size_t v = 0; v < VERDICTS; v++)
        fputs("--:|", out);
    fputc('\n', out);
    for (size_t i = 0; i < n; i++) {
        const char *group = report_doc_str(report_doc_case(doc, i), "group", "");
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = strcmp(report_doc_str(report_doc_case(doc, k), "group", ""), group) == 0;
        if (seen)
            continue;
        size_t counts[VERDICTS] = {0}, total = 0;
        for (size_t k = i; k < n; k++) {
            const json_t *c = report_doc_case(doc, k);
            if (strcmp(report_doc_str(c, "group", ""), group) != 0)
                continue;
            counts[verdict_index(report_doc_str(c, "verdict", ""))]++;
            total++;
        }
        fputs("| ", out);
        inline_text(out, group);
        fprintf(out, " | %zu |", total);
        for (size_t v = 0; v < VERDICTS; v++)
            fprintf(out, " %zu |", counts[v]);
        fputc('\n', out);
    }
    fputc('\n', out);
}

static void failure_detail(FILE *out, const json_t *doc, const json_t *c) {
    char rfc[256], rerun[1024];
    report_doc_rfc_list(c, rfc, sizeof rfc);
    fputs("#### ", out);
    code_span(out, report_doc_str(c, "id", "?"));
    fputs(" ", out);
    inline_text(out, report_doc_str(c, "title", ""));
    fputs("\n\n- **Verdict:** ", out);
    inline_text(out, report_doc_str(c, "verdict", "?"));
    fputs(" · **RFC:** ", out);
    inline_text(out, *rfc ? rfc : "none");
    fputs(" · **Case file:** ", out);
    char where[600];
    snprintf(where, sizeof where, "%s:%lld", report_doc_str(c, "file", "?"),
             report_doc_int(c, "line", 0));
    code_span(out, where);
    fputc('\n', out);
    const char *req = report_doc_str(c, "requirement", NULL);
    if (req && *req) {
        fputs("- **Requirement:** ", out);
        inline_text(out, req);
        fputc('\n', out);
    }
    const char *why = report_doc_str(c, "error", NULL);
    if (!why || !*why)
        why = report_doc_str(c, "reason", NULL);
    if (why && *why) {
        fputs("- **Why:** ", out);
        inline_text(out, why);
        fputc('\n', out);
    }
    const char *mark = report_doc_str(c, "baseline", NULL);
    if (mark) {
        fputs("- **Baseline:** ", out);
        inline_text(out, mark);
        if (report_doc_str(c, "baseline_reason", NULL)) {
            fputs(" (", out);
            inline_text(out, report_doc_str(c, "baseline_reason", ""));
            fputs(")", out);
        }
        fputc('\n', out);
    }
    report_doc_rerun(doc, c, rerun, sizeof rerun);
    fputs("- **Re-run:** ", out);
    code_span(out, rerun);
    fputc('\n', out);
    fenced(out, "Expected", report_doc_str(c, "expected", NULL));
    fenced(out, "Actual", report_doc_str(c, "actual", NULL));
    fputc('\n', out);
}

/* Flaky cases with each attempt's verdict, accepted deviations with their
 * reasons, and expired policy entries (policy.h, flaky.h). */
static void gate_sections(FILE *out, const json_t *report) {
    size_t n = report_doc_case_count(report), flaky = 0, accepted = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *c = report_doc_case(report, i);
        flaky += report_doc_bool(c, "flaky", false);
        accepted += report_doc_obj(c, "accepted") != NULL;
    }
    if (flaky) {
        fprintf(out, "### Flaky (%zu)\n\n| Case | Attempts | Fails the run |\n|---|---|---|\n",
                flaky);
        for (size_t i = 0; i < n; i++) {
            const json_t *c = report_doc_case(report, i);
            if (!report_doc_bool(c, "flaky", false))
                continue;
            fputs("| ", out);
            code_span(out, report_doc_str(c, "id", "?"));
            fputs(" | ", out);
            size_t k;
            json_t *a;
            json_array_foreach(json_object_get(c, "attempts"), k, a) {
                fprintf(out, "%s%s (%.3f s)", k ? ", " : "", report_doc_str(a, "verdict", "?"),
                        report_doc_num(a, "duration_s", 0));
            }
            fprintf(out, " | %s |\n", report_doc_bool(c, "fails_run", true) ? "yes" : "no");
        }
        fputc('\n', out);
    }
    if (accepted) {
        fprintf(out,
                "### Accepted by the policy (%zu)\n\n| Case | Verdict | Reason | Entry |\n"
                "|---|---|---|---|\n",
                accepted);
        for (size_t i = 0; i < n; i++) {
            const json_t *acc = report_doc_obj(report_doc_case(report, i), "accepted");
            if (!acc)
                continue;
            fputs("| ", out);
            code_span(out, report_doc_str(report_doc_case(report, i), "id", "?"));
            fprintf(out, " | %s | ", report_doc_str(acc, "verdict", "?"));
            inline_text(out, report_doc_str(acc, "reason", ""));
            fputs(" | ", out);
            code_span(out, report_doc_str(acc, "entry", ""));
            fputs(" |\n", out);
        }
        fputc('\n', out);
    }
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(report_doc_obj(report, "gate"), "expired"), i, e) {
        fputs("> **Expired policy entry** ", out);
        code_span(out, report_doc_str(e, "entry", "?"));
        fputs(" for ", out);
        code_span(out, report_doc_str(e, "cases", "?"));
        fprintf(out, " expired on %s: it fails the run.\n\n", report_doc_str(e, "expires", "?"));
    }
}

static void failures(FILE *out, const json_t *report, size_t bad, const struct md_layout *l) {
    size_t n = report_doc_case_count(report);
    fprintf(out, "### Failures (%zu)\n\n", bad);
    size_t shown = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *c = report_doc_case(report, i);
        enum report_doc_class k = report_doc_classify(report, c);
        if (k != REPORT_DOC_FAIL && k != REPORT_DOC_ERROR)
            continue;
        if (shown < l->detail_cap) {
            failure_detail(out, report, c);
        } else if (shown < l->detail_cap + l->list_cap) {
            if (shown == l->detail_cap)
                fputs("More failures (details in the JSON/HTML report):\n\n", out);
            fputs("- ", out);
            code_span(out, report_doc_str(c, "id", "?"));
            fputs(" ", out);
            inline_text(out, report_doc_str(c, "title", ""));
            fputc('\n', out);
        }
        shown++;
    }
    if (shown > l->detail_cap + l->list_cap)
        fprintf(out, "\n... and %zu more.\n", shown - l->detail_cap - l->list_cap);
    fputc('\n', out);
}

static void render(FILE *out, const json_t *report, const struct md_layout *l) {
    size_t n = report_doc_case_count(report), bad = 0;
    size_t counts[VERDICTS] = {0};
    for (size_t i = 0; i < n; i++) {
        const json_t *c = report_doc_case(report, i);
        counts[verdict_index(report_doc_str(c, "verdict", ""))]++;
        enum report_doc_class k = report_doc_classify(report, c);
        bad += k == REPORT_DOC_FAIL || k == REPORT_DOC_ERROR;
    }
    status_line(out, report, bad, n);
    verdict_table(out, counts);
    if (bad && l->failures_first)
        failures(out, report, bad, l);
    group_table(out, report);
    gate_sections(out, report);
    if (bad && !l->failures_first)
        failures(out, report, bad, l);
}

/* Render with less and less detail until the text fits SUMMARY_CAP; cut it
 * at a line, with a note, when even the shortest layout does not. */
static int write_capped(const json_t *report, FILE *out, bool failures_first) {
    static const size_t caps[][2] = {{DETAIL_CAP, LIST_CAP}, {20, 200}, {5, 50}, {0, 0}};
    char *text = NULL;
    size_t len = 0;
    for (size_t a = 0; a < sizeof caps / sizeof caps[0]; a++) {
        free(text);
        text = NULL;
        FILE *mem = open_memstream(&text, &len);
        if (!mem)
            return -1;
        struct md_layout l = {caps[a][0], caps[a][1], failures_first};
        render(mem, report, &l);
        if (fclose(mem) != 0) {
            free(text);
            return -1;
        }
        if (len <= SUMMARY_CAP)
            break;
    }
    size_t keep = len;
    if (len > SUMMARY_CAP) {
        keep = SUMMARY_CAP - 512; /* room for the note */
        while (keep > 0 && text[keep - 1] != '\n')
            keep--;
    }
    int rc = fwrite(text, 1, keep, out) == keep ? 0 : -1;
    if (keep < len)
        fprintf(out,
                "\n\n> **Summary cut** at %zu of %zu octets (GitHub's limit of a step summary is "
                "1 MiB): every case is in the JSON and HTML reports.\n",
                keep, len);
    free(text);
    if (rc != 0 || ferror(out))
        return -1;
    return 0;
}

int report_markdown_write(const json_t *report, FILE *out) {
    return write_capped(report, out, false);
}

int report_summary_write(const json_t *report, FILE *out) {
    return write_capped(report, out, true);
}
