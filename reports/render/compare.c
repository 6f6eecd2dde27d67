/* compare: several targets' reports side by side (`wsspec report --compare
 * A.json B.json ...`), as one self-contained HTML page and as a Markdown
 * table. The input is a comparison document (report_compare_doc):
 *   {targets: [{name, file, href (or null), report: <report document>}]}
 * Rows are the cases of every report, grouped as the reports group them
 * (groups and cases in the order they first appear); columns are the
 * targets; a cell is that target's verdict, linked to the case in the
 * target's HTML report (href#case-ID) when one was given, else, for every
 * verdict but pass, to a detail section at the end of the page (reason,
 * expected, actual). A case a report does not have is "-". Above the
 * matrix: the counts of each verdict per target. The Markdown matrix
 * leaves out the cases that pass on every target (a line counts them), so
 * that it stays short enough for a document or a job summary. The page has no script
 * and loads nothing: everything is inline, under a Content Security
 * Policy that forbids the rest. */
#include <stdio.h>
#include <string.h>

#include "reports/render/report_doc.h"
#include "reports/report.h"

static const char *const verdicts[] = {"pass", "non-strict", "informational", "unimplemented",
                                       "fail", "error",      "not-run"};
#define VERDICTS (sizeof verdicts / sizeof verdicts[0])

json_t *report_compare_doc(void) {
    return json_pack("{s:[]}", "targets");
}

int report_compare_add(json_t *cmp, json_t *report, const char *file, const char *href) {
    const json_t *target = report_doc_obj(report, "target");
    const char *agent = report_doc_str(target, "agent", "");
    const char *name = *agent ? agent
                       : report_doc_bool(target, "builtin", false)
                           ? "wsspec reference server"
                           : report_doc_str(target, "url", file);
    json_t *t = json_pack("{s:s, s:s, s:s?, s:O}", "name", name, "file", file, "href", href,
                          "report", report);
    return t ? json_array_append_new(json_object_get(cmp, "targets"), t) : -1;
}

static size_t target_count(const json_t *cmp) {
    return json_array_size(json_object_get(cmp, "targets"));
}

static const json_t *target_at(const json_t *cmp, size_t k) {
    return json_array_get(json_object_get(cmp, "targets"), k);
}

static const json_t *report_at(const json_t *cmp, size_t k) {
    return json_object_get(target_at(cmp, k), "report");
}

/* The case with this id in report, or NULL. */
static const json_t *find_case(const json_t *report, const char *id) {
    for (size_t i = 0; i < report_doc_case_count(report); i++)
        if (strcmp(report_doc_str(report_doc_case(report, i), "id", ""), id) == 0)
            return report_doc_case(report, i);
    return NULL;
}

/* Every case id of every report, once, with its group and title: rows. */
static json_t *rows_of(const json_t *cmp) {
    json_t *rows = json_array(), *seen = json_object();
    for (size_t k = 0; rows && seen && k < target_count(cmp); k++) {
        const json_t *r = report_at(cmp, k);
        for (size_t i = 0; i < report_doc_case_count(r); i++) {
            const json_t *c = report_doc_case(r, i);
            const char *id = report_doc_str(c, "id", NULL);
            if (!id || json_object_get(seen, id))
                continue;
            json_object_set_new(seen, id, json_true());
            json_array_append_new(rows, json_pack("{s:s, s:s, s:s}", "id", id, "group",
                                                  report_doc_str(c, "group", ""), "title",
                                                  report_doc_str(c, "title", "")));
        }
    }
    json_decref(seen);
    return rows;
}

/* The groups in order of first appearance. */
static json_t *groups_of(const json_t *rows) {
    json_t *groups = json_array();
    for (size_t i = 0; groups && i < json_array_size(rows); i++) {
        const char *g = report_doc_str(json_array_get(rows, i), "group", "");
        bool seen = false;
        for (size_t k = 0; k < json_array_size(groups) && !seen; k++)
            seen = strcmp(json_string_value(json_array_get(groups, k)), g) == 0;
        if (!seen)
            json_array_append_new(groups, json_string(g));
    }
    return groups;
}

static void counts_of(const json_t *report, size_t counts[VERDICTS]) {
    memset(counts, 0, VERDICTS * sizeof counts[0]);
    for (size_t i = 0; i < report_doc_case_count(report); i++) {
        const char *v = report_doc_str(report_doc_case(report, i), "verdict", "error");
        size_t at = 5; /* an unknown verdict counts as error */
        for (size_t j = 0; j < VERDICTS; j++)
            if (strcmp(v, verdicts[j]) == 0)
                at = j;
        counts[at]++;
    }
}

/* ---- HTML ------------------------------------------------------------------------ */

static void html(FILE *out, const char *s) {
    for (const char *p = s ? s : ""; *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default:
            if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t')
                fprintf(out, "\\u%04X", (unsigned)*p);
            else
                fputc(*p, out);
        }
    }
}

/* A URL component: everything but unreserved characters percent-encoded. */
static void url_part(FILE *out, const char *s) {
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p))
            fputc(*p, out);
        else
            fprintf(out, "%%%02X", *p);
    }
}

/* A path for a Markdown link: '/' kept, other specials percent-encoded. */
static void url_path(FILE *out, const char *s) {
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '/')
            fputc('/', out);
        else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                 strchr("-._~", *p))
            fputc(*p, out);
        else
            fprintf(out, "%%%02X", *p);
    }
}

/* An href given on the command line, HTML-escaped, with "#case-ID". */
static void case_link(FILE *out, const char *href, const char *id) {
    html(out, href);
    fputs("#case-", out);
    url_part(out, id);
}

static const char CSS[] =
    "body{font:14px/1.45 system-ui,sans-serif;margin:1.5em;color:#24292f}"
    "table{border-collapse:collapse;margin:1em 0}"
    "th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:left;vertical-align:top}"
    "th{background:#f6f8fa}td.n{text-align:right}tr.group th{background:#eaeef2}"
    "tr.differs td.case{font-weight:600}td.v a{color:inherit}"
    ".v{font-weight:600}.pass{color:#1a7f37}.non-strict{color:#9a6700}"
    ".informational{color:#0969da}.unimplemented{color:#8250df}.fail{color:#cf222e}"
    ".error{color:#bc4c00}.not-run,.absent{color:#6e7781}"
    "pre{white-space:pre-wrap;background:#f6f8fa;padding:6px;max-height:20em;overflow:auto}"
    "section.detail{border-top:1px solid #d0d7de;margin-top:1em}small{color:#57606a}";

static void html_counts(FILE *out, const json_t *cmp) {
    fputs("<table id=\"counts\"><thead><tr><th>Target</th><th>Cases</th>", out);
    for (size_t v = 0; v < VERDICTS; v++)
        fprintf(out, "<th class=\"%s\">%s</th>", verdicts[v], verdicts[v]);
    fputs("</tr></thead><tbody>\n", out);
    for (size_t k = 0; k < target_count(cmp); k++) {
        const json_t *t = target_at(cmp, k);
        size_t counts[VERDICTS];
        counts_of(report_at(cmp, k), counts);
        fputs("<tr><th>", out);
        html(out, report_doc_str(t, "name", "?"));
        fprintf(out, "</th><td class=\"n\">%zu</td>", report_doc_case_count(report_at(cmp, k)));
        for (size_t v = 0; v < VERDICTS; v++)
            fprintf(out, "<td class=\"n\" data-verdict=\"%s\">%zu</td>", verdicts[v], counts[v]);
        fputs("</tr>\n", out);
    }
    fputs("</tbody></table>\n", out);
}

static void html_cell(FILE *out, const json_t *cmp, size_t k, size_t row, const char *id) {
    const json_t *c = find_case(report_at(cmp, k), id);
    if (!c) {
        fputs("<td class=\"absent\">-</td>", out);
        return;
    }
    const char *v = report_doc_str(c, "verdict", "error");
    const char *href = report_doc_str(target_at(cmp, k), "href", NULL);
    fputs("<td class=\"v ", out);
    html(out, v);
    fputs("\">", out);
    if (href) {
        fputs("<a href=\"", out);
        case_link(out, href, id);
        fputs("\">", out);
    } else if (strcmp(v, "pass") != 0) {
        fprintf(out, "<a href=\"#d-%zu-%zu\">", k, row);
    }
    html(out, v);
    if (href || strcmp(v, "pass") != 0)
        fputs("</a>", out);
    fputs("</td>", out);
}

static void html_matrix(FILE *out, const json_t *cmp, const json_t *rows) {
    size_t n = target_count(cmp);
    json_t *groups = groups_of(rows);
    fputs("<table id=\"matrix\"><thead><tr><th>Case</th>", out);
    for (size_t k = 0; k < n; k++) {
        fputs("<th>", out);
        html(out, report_doc_str(target_at(cmp, k), "name", "?"));
        fputs("<br><small>", out);
        html(out, report_doc_str(report_doc_obj(report_at(cmp, k), "target"), "url", ""));
        fputs("</small></th>", out);
    }
    fputs("</tr></thead><tbody>\n", out);
    for (size_t g = 0; g < json_array_size(groups); g++) {
        const char *group = json_string_value(json_array_get(groups, g));
        fprintf(out, "<tr class=\"group\"><th colspan=\"%zu\">", n + 1);
        html(out, group);
        fputs("</th></tr>\n", out);
        for (size_t r = 0; r < json_array_size(rows); r++) {
            const json_t *row = json_array_get(rows, r);
            if (strcmp(report_doc_str(row, "group", ""), group) != 0)
                continue;
            const char *id = report_doc_str(row, "id", "?");
            const char *first = NULL;
            bool differs = false;
            for (size_t k = 0; k < n; k++) {
                const json_t *c = find_case(report_at(cmp, k), id);
                const char *v = c ? report_doc_str(c, "verdict", "error") : "-";
                differs |= first && strcmp(first, v) != 0;
                first = first ? first : v;
            }
            fprintf(out, "<tr%s><td class=\"case\" title=\"", differs ? " class=\"differs\"" : "");
            html(out, report_doc_str(row, "title", ""));
            fputs("\"><code>", out);
            html(out, id);
            fputs("</code></td>", out);
            for (size_t k = 0; k < n; k++)
                html_cell(out, cmp, k, r, id);
            fputs("</tr>\n", out);
        }
    }
    fputs("</tbody></table>\n", out);
    json_decref(groups);
}

static void pre_block(FILE *out, const char *label, const char *text) {
    if (!text || !*text)
        return;
    fprintf(out, "<h4>%s</h4><pre>", label);
    html(out, text);
    fputs("</pre>\n", out);
}

/* The detail sections the cells without an href link to. */
static void html_details(FILE *out, const json_t *cmp, const json_t *rows) {
    for (size_t k = 0; k < target_count(cmp); k++) {
        if (report_doc_str(target_at(cmp, k), "href", NULL))
            continue;
        for (size_t r = 0; r < json_array_size(rows); r++) {
            const char *id = report_doc_str(json_array_get(rows, r), "id", "?");
            const json_t *c = find_case(report_at(cmp, k), id);
            const char *v = c ? report_doc_str(c, "verdict", "error") : "pass";
            if (strcmp(v, "pass") == 0)
                continue;
            char rfc[256];
            report_doc_rfc_list(c, rfc, sizeof rfc);
            fprintf(out, "<section class=\"detail\" id=\"d-%zu-%zu\"><h3><code>", k, r);
            html(out, id);
            fputs("</code> on ", out);
            html(out, report_doc_str(target_at(cmp, k), "name", "?"));
            fputs(": <span class=\"v ", out);
            html(out, v);
            fputs("\">", out);
            html(out, v);
            fputs("</span></h3><p>", out);
            html(out, report_doc_str(c, "title", ""));
            if (*rfc) {
                fputs(" <small>(", out);
                html(out, rfc);
                fputs(")</small>", out);
            }
            fputs("</p>\n", out);
            pre_block(out, "Why", report_doc_str(c, "error", report_doc_str(c, "reason", NULL)));
            pre_block(out, "Expected", report_doc_str(c, "expected", NULL));
            pre_block(out, "Actual", report_doc_str(c, "actual", NULL));
            fputs("<p><a href=\"#matrix\">back to the matrix</a></p></section>\n", out);
        }
    }
}

int report_compare_html_write(const json_t *cmp, FILE *out) {
    json_t *rows = rows_of(cmp);
    if (!rows)
        return -1;
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<title>wsspec: ",
          out);
    fprintf(out, "%zu targets compared</title>\n<style>%s</style></head><body>\n",
            target_count(cmp), CSS);
    fprintf(out, "<h1>wsspec: %zu targets, %zu cases</h1>\n", target_count(cmp),
            json_array_size(rows));
    html_counts(out, cmp);
    fputs("<p>A row in bold has different verdicts on different targets; - : the report "
          "has no such case.</p>\n",
          out);
    html_matrix(out, cmp, rows);
    html_details(out, cmp, rows);
    fputs("</body></html>\n", out);
    json_decref(rows);
    return ferror(out) ? -1 : 0;
}

/* ---- Markdown ------------------------------------------------------------------ */

static void md(FILE *out, const char *s) {
    for (const char *p = s ? s : ""; *p; p++) {
        if (*p == '\n' || *p == '\r' || *p == '\t')
            fputc(' ', out);
        else if (strchr("\\`*_[]<>|#~", *p))
            fprintf(out, "\\%c", *p);
        else
            fputc(*p, out);
    }
}

/* Whether every target has the case and passed it. */
static bool passes_everywhere(const json_t *cmp, const char *id) {
    for (size_t k = 0; k < target_count(cmp); k++) {
        const json_t *c = find_case(report_at(cmp, k), id);
        if (!c || strcmp(report_doc_str(c, "verdict", ""), "pass") != 0)
            return false;
    }
    return true;
}

int report_compare_markdown_write(const json_t *cmp, FILE *out) {
    json_t *rows = rows_of(cmp);
    if (!rows)
        return -1;
    size_t n = target_count(cmp);
    fputs("| Target | Cases |", out);
    for (size_t v = 0; v < VERDICTS; v++)
        fprintf(out, " %s |", verdicts[v]);
    fputs("\n|:--|--:|", out);
    for (size_t v = 0; v < VERDICTS; v++)
        fputs("--:|", out);
    fputc('\n', out);
    for (size_t k = 0; k < n; k++) {
        size_t counts[VERDICTS];
        counts_of(report_at(cmp, k), counts);
        fputs("| ", out);
        md(out, report_doc_str(target_at(cmp, k), "name", "?"));
        fprintf(out, " | %zu |", report_doc_case_count(report_at(cmp, k)));
        for (size_t v = 0; v < VERDICTS; v++)
            fprintf(out, " %zu |", counts[v]);
        fputc('\n', out);
    }
    json_t *groups = groups_of(rows);
    size_t all_pass = 0;
    for (size_t r = 0; r < json_array_size(rows); r++)
        all_pass += passes_everywhere(cmp, report_doc_str(json_array_get(rows, r), "id", "?"));
    fprintf(out, "\n%zu of %zu cases pass on every target and are not listed below.\n", all_pass,
            json_array_size(rows));
    for (size_t g = 0; g < json_array_size(groups); g++) {
        const char *group = json_string_value(json_array_get(groups, g));
        size_t listed = 0;
        for (size_t r = 0; r < json_array_size(rows); r++) {
            const json_t *row = json_array_get(rows, r);
            listed += strcmp(report_doc_str(row, "group", ""), group) == 0 &&
                      !passes_everywhere(cmp, report_doc_str(row, "id", "?"));
        }
        if (!listed)
            continue;
        fputs("\n#### ", out);
        md(out, group);
        fputs("\n\n| Case |", out);
        for (size_t k = 0; k < n; k++) {
            fputc(' ', out);
            md(out, report_doc_str(target_at(cmp, k), "name", "?"));
            fputs(" |", out);
        }
        fputs("\n|:--|", out);
        for (size_t k = 0; k < n; k++)
            fputs(":--|", out);
        fputc('\n', out);
        for (size_t r = 0; r < json_array_size(rows); r++) {
            const json_t *row = json_array_get(rows, r);
            if (strcmp(report_doc_str(row, "group", ""), group) != 0 ||
                passes_everywhere(cmp, report_doc_str(row, "id", "?")))
                continue;
            const char *id = report_doc_str(row, "id", "?");
            fputs("| ", out);
            if (strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789._-") == strlen(id))
                fprintf(out, "`%s`", id); /* a case id as cases/schema.json allows */
            else
                md(out, id);
            fputs(" |", out);
            for (size_t k = 0; k < n; k++) {
                const json_t *c = find_case(report_at(cmp, k), id);
                const char *href = report_doc_str(target_at(cmp, k), "href", NULL);
                const char *v = c ? report_doc_str(c, "verdict", "error") : "-";
                fputc(' ', out);
                if (c && href) {
                    fputs("[", out);
                    md(out, v);
                    fputs("](", out);
                    url_path(out, href);
                    fputs("#case-", out);
                    url_part(out, id);
                    fputs(")", out);
                } else {
                    md(out, v);
                }
                fputs(" |", out);
            }
            fputc('\n', out);
        }
    }
    json_decref(groups);
    json_decref(rows);
    return ferror(out) ? -1 : 0;
}
