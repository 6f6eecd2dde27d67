/* html: the report as one self-contained HTML file.
 *
 * Everything is inline: the stylesheet and the script (reports/assets/,
 * embedded at build time: html_assets.h), and the canonical JSON document
 * itself in a <script type="application/json"> block that the script
 * renders (verdict tiles, summary by group and verdict, duration charts,
 * filters, the case list with lazily built details down to a hex wire
 * log). A Content Security Policy forbids every fetch, so a report opened
 * from a CI artifact store cannot reach the network even if a case's text
 * were hostile.
 *
 * The header (target, versions, seed, times, complete/incomplete banner) and
 * a <noscript> summary are written here, in C, so the file says what
 * happened even where scripts are off. All document text goes through
 * put_text (HTML-escaped); the embedded JSON has every '<' written as
 * \u003c so no string can close the <script> element.
 *
 * The output depends only on the document (no clock, no locale), so
 * `wsspec report saved.json --html F` reproduces a live run's bytes. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "reports/render/html_assets.h"
#include "reports/report.h"

/* Verdicts in the order every table shows them, with their labels. */
static const char *const verdict_keys[] = {"pass", "non-strict", "informational", "unimplemented",
                                           "fail", "error",      "not-run"};
static const char *const verdict_titles[] = {"Pass", "Non-strict", "Informational", "Unimplemented",
                                             "Fail", "Error",      "Not run"};
/* The summary object spells "not-run" as "not_run". */
static const char *const summary_keys[] = {"pass", "non-strict", "informational", "unimplemented",
                                           "fail", "error",      "not_run"};
#define N_VERDICTS (sizeof verdict_keys / sizeof verdict_keys[0])

/* Cap on the failing cases listed in the <noscript> fallback. */
#define NOSCRIPT_MAX_CASES 200

/* ---- escaping ------------------------------------------------------------ */

/* Write text HTML-escaped (element content and quoted attribute values). */
static void put_text(FILE *out, const char *s) {
    if (!s)
        return;
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default: putc(*s, out);
        }
    }
}

/* A scalar of the document as text: strings escaped, numbers as numbers,
 * null/absent as a dash. */
static void put_scalar(FILE *out, const json_t *v) {
    if (json_is_string(v))
        put_text(out, json_string_value(v));
    else if (json_is_integer(v))
        fprintf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else if (json_is_real(v))
        fprintf(out, "%g", json_real_value(v));
    else if (json_is_true(v))
        fputs("yes", out);
    else if (json_is_false(v))
        fputs("no", out);
    else
        fputs("&#8211;", out);
}

static const char *get_str(const json_t *obj, const char *key) {
    return json_string_value(json_object_get(obj, key));
}

/* Writes the JSON document with '<' as \u003c. json_dump_callback hands out
 * pieces of the compact text; a '<' can only occur inside a JSON string
 * there (jansson never escapes it), where \u003c means the same. */
struct dump_ctx {
    FILE *out;
};

static int dump_escaped(const char *buffer, size_t size, void *data) {
    struct dump_ctx *ctx = data;
    size_t start = 0;
    for (size_t i = 0; i < size; i++) {
        if (buffer[i] != '<')
            continue;
        if (i > start && fwrite(buffer + start, 1, i - start, ctx->out) != i - start)
            return -1;
        if (fputs("\\u003c", ctx->out) == EOF)
            return -1;
        start = i + 1;
    }
    if (size > start && fwrite(buffer + start, 1, size - start, ctx->out) != size - start)
        return -1;
    return 0;
}

/* ---- the header ---------------------------------------------------------- */

static void put_meta_item(FILE *out, const char *label, const json_t *value) {
    fputs("<div><dt>", out);
    put_text(out, label);
    fputs("</dt><dd>", out);
    put_scalar(out, value);
    fputs("</dd></div>\n", out);
}

static void put_versions(FILE *out, const json_t *tool) {
    static const char *const libs[] = {"openssl", "zlib", "jansson"};
    fputs("<div><dt>Tool</dt><dd>", out);
    put_text(out, get_str(tool, "name") ? get_str(tool, "name") : "wsspec");
    fputc(' ', out);
    put_scalar(out, json_object_get(tool, "version"));
    for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++) {
        const json_t *v = json_object_get(tool, libs[i]);
        if (!v)
            continue;
        fputs(" <span class=\"lib\">", out);
        put_text(out, libs[i]);
        fputc(' ', out);
        put_scalar(out, v);
        fputs("</span>", out);
    }
    fputs("</dd></div>\n", out);
}

static void put_command(FILE *out, const json_t *argv) {
    if (!json_is_array(argv) || json_array_size(argv) == 0)
        return;
    fputs("<div class=\"wide\"><dt>Command</dt><dd><code>", out);
    /* The recorded argv may start after the program name. */
    const char *first = json_string_value(json_array_get(argv, 0));
    if (!first || !strstr(first, "wsspec"))
        fputs("wsspec ", out);
    size_t i;
    const json_t *arg;
    json_array_foreach(argv, i, arg) {
        if (i)
            fputc(' ', out);
        put_text(out, json_string_value(arg));
    }
    fputs("</code></dd></div>\n", out);
}

static void put_duration(FILE *out, const json_t *report) {
    const json_t *d = json_object_get(report, "duration_s");
    fputs("<div><dt>Duration</dt><dd>", out);
    if (json_is_number(d))
        fprintf(out, "%.2f s", json_number_value(d));
    else
        fputs("&#8211;", out);
    fputs("</dd></div>\n", out);
}

static void put_banner(FILE *out, const json_t *report) {
    const json_t *summary = json_object_get(report, "summary");
    const json_t *complete = json_object_get(report, "complete");
    json_int_t total = json_integer_value(json_object_get(summary, "total"));
    if (json_is_false(complete)) {
        fputs("<div class=\"banner incomplete\" id=\"banner\"><strong>Incomplete run.</strong> ",
              out);
        const char *why = get_str(report, "incomplete_reason");
        put_text(out, why ? why : "The run stopped before every case ran.");
        fputs(" Cases that did not start are listed as &#8220;not run&#8221;.</div>\n", out);
        return;
    }
    json_int_t fails = json_integer_value(json_object_get(summary, "fail"));
    json_int_t errors = json_integer_value(json_object_get(summary, "error"));
    /* With a gate (policy.h): the cases that fail the run after --fail-on
     * and the policy, not every fail verdict. */
    const json_t *gate = json_object_get(report, "gate");
    if (gate)
        fails = (json_int_t)json_array_size(json_object_get(gate, "failing"));
    fprintf(out,
            "<div class=\"banner %s\" id=\"banner\"><strong>Complete run.</strong> "
            "%" JSON_INTEGER_FORMAT " cases: ",
            fails || errors ? "failed" : "passed", total);
    if (fails)
        fprintf(out, "%" JSON_INTEGER_FORMAT " failed", fails);
    if (errors)
        fprintf(out, "%s%" JSON_INTEGER_FORMAT " could not run (error)", fails ? ", " : "", errors);
    fputs(fails || errors ? ".</div>\n" : "none failed.</div>\n", out);
}

static void put_header(FILE *out, const json_t *report) {
    const json_t *target = json_object_get(report, "target");
    const json_t *options = json_object_get(report, "options");
    fputs("<header class=\"top\">\n<div class=\"title\"><h1>wsspec report</h1>"
          "<span class=\"target\" id=\"target\">",
          out);
    put_text(out, get_str(target, "url") ? get_str(target, "url") : "(unknown target)");
    fputs("</span>", out);
    if (json_is_true(json_object_get(target, "builtin")))
        fputs("<span class=\"tag\">built-in reference server</span>", out);
    if (get_str(target, "spawn")) {
        fputs("<span class=\"tag\">spawned: ", out);
        put_text(out, get_str(target, "spawn"));
        fputs("</span>", out);
    }
    fputs("</div>\n", out);
    put_banner(out, report);
    fputs("<dl class=\"meta\">\n", out);
    put_versions(out, json_object_get(report, "tool"));
    put_meta_item(out, "Seed", json_object_get(options, "seed"));
    put_meta_item(out, "Jobs", json_object_get(options, "jobs"));
    put_meta_item(out, "Timeout scale", json_object_get(options, "timeout_scale"));
    put_meta_item(out, "Strict", json_object_get(options, "strict"));
    put_meta_item(out, "Started", json_object_get(report, "started"));
    put_meta_item(out, "Finished", json_object_get(report, "finished"));
    put_duration(out, report);
    put_command(out, json_object_get(options, "argv"));
    fputs("</dl>\n</header>\n", out);
}

/* ---- the fallback without scripts ------------------------------------------ */

static void put_noscript(FILE *out, const json_t *report) {
    const json_t *summary = json_object_get(report, "summary");
    fputs("<noscript><section class=\"panel\"><h2>Summary</h2>\n"
          "<p>Scripts are off: this is the summary only. Open the file with scripts "
          "enabled for filters, details and wire logs.</p>\n"
          "<table class=\"grid\" id=\"fallback-summary\"><thead><tr><th>Verdict</th>"
          "<th>Cases</th></tr></thead><tbody>\n",
          out);
    for (size_t i = 0; i < N_VERDICTS; i++) {
        fprintf(out, "<tr><td><span class=\"badge v-%s\">%s</span></td><td class=\"num\">",
                verdict_keys[i], verdict_titles[i]);
        put_scalar(out, json_object_get(summary, summary_keys[i]));
        fputs("</td></tr>\n", out);
    }
    fputs("<tr class=\"total\"><td>Total</td><td class=\"num\">", out);
    put_scalar(out, json_object_get(summary, "total"));
    fputs("</td></tr>\n</tbody></table>\n", out);

    const json_t *cases = json_object_get(report, "cases");
    size_t i, listed = 0;
    const json_t *c;
    json_array_foreach(cases, i, c) {
        const char *verdict = get_str(c, "verdict");
        if (!verdict || (strcmp(verdict, "fail") != 0 && strcmp(verdict, "error") != 0))
            continue;
        if (listed == 0)
            fputs("<h2>Failures and errors</h2>\n<table class=\"grid\"><thead><tr>"
                  "<th>Verdict</th><th>Case</th><th>Title</th><th>Reason</th></tr>"
                  "</thead><tbody>\n",
                  out);
        if (++listed > NOSCRIPT_MAX_CASES)
            break;
        fprintf(out, "<tr><td><span class=\"badge v-%s\">%s</span></td><td><code>",
                verdict[0] == 'f' ? "fail" : "error", verdict[0] == 'f' ? "fail" : "error");
        put_text(out, get_str(c, "id"));
        fputs("</code></td><td>", out);
        put_text(out, get_str(c, "title"));
        fputs("</td><td>", out);
        put_text(out, get_str(c, "error") ? get_str(c, "error") : get_str(c, "reason"));
        fputs("</td></tr>\n", out);
    }
    if (listed > 0)
        fputs("</tbody></table>\n", out);
    if (listed > NOSCRIPT_MAX_CASES)
        fprintf(out, "<p>Only the first %d are listed.</p>\n", NOSCRIPT_MAX_CASES);
    fputs("</section></noscript>\n", out);
}

/* ---- the document ---------------------------------------------------------- */

/* An embedded asset, as is (a short write shows in ferror at the end). */
static void put_asset(FILE *out, const unsigned char *bytes, size_t len) {
    fwrite(bytes, 1, len, out);
}

/* report.h: one self-contained page from the document (borrowed). Returns 0,
 * or -1 with errno set: EINVAL when report is not an object, ENOMEM when
 * jansson could not serialise it, the stdio error otherwise. */
int report_html_write(const json_t *report, FILE *out) {
    if (!json_is_object(report)) {
        errno = EINVAL;
        return -1;
    }
    errno = 0;
    const char *url = get_str(json_object_get(report, "target"), "url");
    /* The policy allows inline style and script only: no fetch of any kind,
     * so neither the data nor a bug in the script can reach the network. */
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
          "base-uri 'none'; form-action 'none'\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta name=\"generator\" content=\"wsspec\">\n"
          /* An inline icon: without one the browser asks for /favicon.ico. */
          "<link rel=\"icon\" href=\"data:,\">\n<title>wsspec report",
          out);
    if (url) {
        fputs(" &#8212; ", out);
        put_text(out, url);
    }
    fputs("</title>\n<style>\n", out);
    put_asset(out, html_assets_css, html_assets_css_len);
    fputs("</style>\n</head>\n<body>\n", out);
    put_header(out, report);
    put_noscript(out, report);
    fputs("<main id=\"app\"></main>\n"
          "<script type=\"application/json\" id=\"report-data\">",
          out);
    struct dump_ctx ctx = {out};
    if (json_dump_callback(report, dump_escaped, &ctx, JSON_COMPACT) != 0 && !ferror(out)) {
        errno = ENOMEM;
        return -1;
    }
    fputs("</script>\n<script>\n", out);
    put_asset(out, html_assets_js, html_assets_js_len);
    fputs("</script>\n</body>\n</html>\n", out);
    if (ferror(out)) {
        if (errno == 0)
            errno = EIO;
        return -1;
    }
    return 0;
}
