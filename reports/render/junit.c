/* junit: JUnit XML rendered from the report document, shaped for the
 * readers CI systems use (Jenkins' JUnit plugin, GitLab, GitHub test
 * reporters, Azure Pipelines):
 *
 *   <testsuites name tests failures errors skipped time>
 *     <testsuite name=GROUP tests failures errors skipped time timestamp>
 *       <properties><property name value/>...</properties>
 *       <testcase name="ID: title" classname="rfc6455.5.5.1" time file>
 *         <properties><property name="id|verdict|rfc|autobahn|group" value/>...</properties>
 *         <failure message type>body</failure> | <error ...> | <skipped message/>
 *         <system-out>remarks (non-strict, informational)</system-out>
 *
 * Verdicts: pass -> passed; non-strict and informational -> passed with a
 * <system-out> remark (non-strict -> <failure type="non-strict"> when the run
 * was --strict); unimplemented and not-run -> <skipped message>; fail ->
 * <failure>; error -> <error>. classname + name is unique in the file
 * (readers merge test cases that share both): a case id that comes again
 * (a report of repeated runs) gets " [2]", " [3]" ... Each testcase has
 * properties (Jenkins' JUnit plugin and junitparser read them): its id,
 * verdict, group, each RFC section it cites and its Autobahn id. Every string is XML 1.0-safe: markup
 * characters become entities, characters XML 1.0 cannot carry (most C0
 * controls, U+FFFE, U+FFFF) become the text "\uXXXX", and peer payloads are
 * only ever shown as hex. */
#include <stdio.h>
#include <string.h>

#include "reports/render/report_doc.h"
#include "reports/report.h"

#define MESSAGE_CAP 400 /* characters of the message attribute */

/* Length of the well-formed UTF-8 sequence at s (1..4), 0 when malformed. */
static size_t utf8_seq(const unsigned char *s, unsigned *cp) {
    unsigned c = s[0];
    size_t n;
    unsigned min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        n = 2, min = 0x80, *cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3, min = 0x800, *cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4, min = 0x10000, *cp = c & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        *cp = (*cp << 6) | (s[i] & 0x3F);
    }
    if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF))
        return 0;
    return n;
}

/* Writes s with XML escaping; in_attr also keeps tab/CR/LF as character
 * references (attribute-value normalisation would turn them into spaces).
 * At most max_chars characters (0 = no limit). In text, indent (may be
 * NULL) follows every newline that is not the last character. */
static void xml_out(FILE *out, const char *s, bool in_attr, size_t max_chars, const char *indent) {
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t chars = 0;
    while (*p) {
        if (max_chars && chars++ >= max_chars) {
            fputs("...", out);
            return;
        }
        unsigned cp;
        size_t n = utf8_seq(p, &cp);
        if (n == 0) { /* cannot come from jansson; never emit a raw byte anyway */
            fprintf(out, "\\x%02x", *p);
            p++;
            continue;
        }
        switch (cp) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs(in_attr ? "&quot;" : "\"", out); break;
        case '\'': fputs(in_attr ? "&apos;" : "'", out); break;
        case '\n':
            fputs(in_attr ? "&#10;" : "\n", out);
            if (!in_attr && indent && p[1])
                fputs(indent, out);
            break;
        case '\t': fputs(in_attr ? "&#9;" : "\t", out); break;
        case '\r': fputs("&#13;", out); break;
        default:
            /* XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | ... */
            if (cp < 0x20 || cp == 0xFFFE || cp == 0xFFFF)
                fprintf(out, "\\u%04X", cp);
            else
                fwrite(p, 1, n, out);
        }
        p += n;
    }
}

static void xml_text(FILE *out, const char *s, bool in_attr, size_t max_chars) {
    xml_out(out, s, in_attr, max_chars, NULL);
}

static void attr(FILE *out, const char *name, const char *value) {
    fprintf(out, " %s=\"", name);
    xml_text(out, value, true, 0);
    fputc('"', out);
}

static void property(FILE *out, const char *name, const char *value) {
    fputs("      <property", out);
    attr(out, "name", name);
    attr(out, "value", value ? value : "");
    fputs("/>\n", out);
}

static void properties(FILE *out, const json_t *doc) {
    const json_t *tool = report_doc_obj(doc, "tool");
    const json_t *target = report_doc_obj(doc, "target");
    char seed[32];
    report_doc_seed(doc, seed, sizeof seed);
    fputs("    <properties>\n", out);
    property(out, "target",
             report_doc_bool(target, "builtin", false) ? "built-in reference server"
                                                       : report_doc_str(target, "url", ""));
    property(out, "agent", report_doc_str(target, "agent", ""));
    property(out, "seed", seed);
    property(out, "strict",
             report_doc_bool(report_doc_obj(doc, "options"), "strict", false) ? "true" : "false");
    property(out, "complete", report_doc_bool(doc, "complete", true) ? "true" : "false");
    if (!report_doc_bool(doc, "complete", true))
        property(out, "incomplete_reason", report_doc_str(doc, "incomplete_reason", ""));
    property(out, "wsspec", report_doc_str(tool, "version", ""));
    property(out, "openssl", report_doc_str(tool, "openssl", ""));
    property(out, "zlib", report_doc_str(tool, "zlib", ""));
    property(out, "jansson", report_doc_str(tool, "jansson", ""));
    property(out, "started", report_doc_str(doc, "started", ""));
    fputs("    </properties>\n", out);
}

/* "6455:5.5.1" -> "rfc6455.5.5.1"; no RFC section -> "wsspec.GROUP". */
static void classname(const json_t *c, char *out, size_t cap) {
    const char *rfc = json_string_value(json_array_get(json_object_get(c, "rfc"), 0));
    if (!rfc || !*rfc) {
        snprintf(out, cap, "wsspec.%s", report_doc_str(c, "group", "cases"));
        return;
    }
    snprintf(out, cap, "rfc%s", rfc);
    for (char *p = out; *p; p++)
        if (*p == ':' || *p == ' ')
            *p = '.';
}

/* One labelled block of the failure body (skipped when empty). */
static void body_block(FILE *out, const char *label, const char *text) {
    if (!text || !*text)
        return;
    bool multi = strchr(text, '\n') != NULL;
    fprintf(out, "%s:%s", label, multi ? "\n" : " ");
    if (multi)
        fputs("  ", out);
    xml_out(out, text, false, 0, "  ");
    if (text[strlen(text) - 1] != '\n')
        fputc('\n', out);
}

static void failure_body(FILE *out, const json_t *doc, const json_t *c) {
    char rfc[256], line[512];
    report_doc_rfc_list(c, rfc, sizeof rfc);
    snprintf(line, sizeof line, "%s (%s:%lld)", report_doc_str(c, "id", "?"),
             report_doc_str(c, "file", "?"), report_doc_int(c, "line", 0));
    body_block(out, "Case", line);
    body_block(out, "RFC", rfc);
    body_block(out, "Requirement", report_doc_str(c, "requirement", NULL));
    body_block(out, "Verdict", report_doc_str(c, "verdict", NULL));
    body_block(out, "Error", report_doc_str(c, "error", NULL));
    body_block(out, "Expected", report_doc_str(c, "expected", NULL));
    body_block(out, "Actual", report_doc_str(c, "actual", NULL));
    body_block(out, "Why", report_doc_str(c, "reason", NULL));
    /* The first unexpected event's payload, as hex (never raw bytes). */
    const json_t *ev = json_array_get(json_object_get(c, "events"),
                                      (size_t)report_doc_int(c, "first_unexpected", -1));
    const char *hex = report_doc_str(ev, "head_hex", NULL);
    if (hex && *hex) {
        snprintf(line, sizeof line, "Actual payload (hex, first %zu of %lld octets)",
                 strlen(hex) / 2, report_doc_int(ev, "length", 0));
        body_block(out, line, hex);
    }
    const json_t *cl = report_doc_obj(c, "close");
    if (cl && report_doc_bool(cl, "peer_sent_close", false)) {
        long long code = report_doc_int(cl, "peer_code", -1);
        snprintf(line, sizeof line, "close frame, code %s%lld, reason \"%s\"",
                 code < 0 ? "none " : "", code < 0 ? 0 : code,
                 report_doc_str(cl, "peer_reason", ""));
        body_block(out, "Peer close", line);
    }
    const char *mark = report_doc_str(c, "baseline", NULL);
    if (mark) {
        snprintf(line, sizeof line, "%s%s%s", mark,
                 report_doc_str(c, "baseline_reason", NULL) ? ": " : "",
                 report_doc_str(c, "baseline_reason", ""));
        body_block(out, "Baseline", line);
    }
    report_doc_rerun(doc, c, line, sizeof line);
    body_block(out, "Re-run", line);
}

/* The one-line headline as the message attribute. */
static void message_attr(FILE *out, const json_t *c) {
    char headline[1024];
    report_doc_headline(c, headline, sizeof headline);
    fputs(" message=\"", out);
    xml_text(out, headline, true, MESSAGE_CAP);
    fputc('"', out);
}

/* A flaky case's attempts that did not pass (flaky.h), as Maven Surefire
 * writes reruns: <flakyFailure> when the case passes after all (the gate
 * accepts it), <rerunFailure> when it fails. */
static void attempts_xml(FILE *out, const json_t *c, bool failing) {
    if (!report_doc_bool(c, "flaky", false))
        return;
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(c, "attempts"), i, a) {
        const char *v = report_doc_str(a, "verdict", "?");
        if (strcmp(v, "pass") == 0)
            continue;
        char msg[1024];
        snprintf(msg, sizeof msg, "attempt %zu of %zu: %s: %s", i + 1,
                 json_array_size(json_object_get(c, "attempts")), v,
                 report_doc_str(a, "reason", ""));
        fprintf(out, "      <%s", failing ? "rerunFailure" : "flakyFailure");
        attr(out, "message", msg);
        attr(out, "type", v);
        fprintf(out, " time=\"%.3f\"/>\n", report_doc_num(a, "duration_s", 0));
    }
}

/* "accepted by the policy (FILE:LINE): REASON", or "". */
static void accepted_text(const json_t *c, char *out, size_t cap) {
    const json_t *acc = report_doc_obj(c, "accepted");
    out[0] = '\0';
    if (acc)
        snprintf(out, cap, "; %s accepted by the policy (%s): %s",
                 report_doc_str(acc, "verdict", "?"), report_doc_str(acc, "entry", "?"),
                 report_doc_str(acc, "reason", ""));
}

/* How many cases before index i have the same id (0: the first). */
static size_t repeat_of(const json_t *doc, size_t i, const char *id) {
    size_t k = 0;
    for (size_t j = 0; j < i; j++)
        k += strcmp(report_doc_str(report_doc_case(doc, j), "id", "?"), id) == 0;
    return k;
}

static void case_property(FILE *out, const char *name, const char *value) {
    fputs("        <property", out);
    attr(out, "name", name);
    attr(out, "value", value);
    fputs("/>\n", out);
}

static void case_properties(FILE *out, const json_t *c) {
    fputs("      <properties>\n", out);
    case_property(out, "id", report_doc_str(c, "id", "?"));
    case_property(out, "verdict", report_doc_str(c, "verdict", "?"));
    case_property(out, "group", report_doc_str(c, "group", ""));
    const json_t *rfc = json_object_get(c, "rfc");
    for (size_t i = 0; i < json_array_size(rfc); i++)
        if (json_is_string(json_array_get(rfc, i)))
            case_property(out, "rfc", json_string_value(json_array_get(rfc, i)));
    const char *autobahn = report_doc_str(c, "autobahn", NULL);
    if (autobahn && *autobahn)
        case_property(out, "autobahn", autobahn);
    fputs("      </properties>\n", out);
}

static void testcase(FILE *out, const json_t *doc, const json_t *c, size_t index) {
    char name[1024], cls[128], reason[1024];
    const char *id = report_doc_str(c, "id", "?");
    size_t repeat = repeat_of(doc, index, id);
    if (repeat)
        snprintf(name, sizeof name, "%s: %s [%zu]", id, report_doc_str(c, "title", ""), repeat + 1);
    else
        snprintf(name, sizeof name, "%s: %s", id, report_doc_str(c, "title", ""));
    classname(c, cls, sizeof cls);
    fputs("    <testcase", out);
    attr(out, "name", name);
    attr(out, "classname", cls);
    fprintf(out, " time=\"%.3f\"", report_doc_num(c, "duration_s", 0));
    const char *file = report_doc_str(c, "file", NULL);
    if (file)
        attr(out, "file", file);
    fputs(">\n", out);
    case_properties(out, c);
    enum report_doc_class k = report_doc_classify(doc, c);
    const char *verdict = report_doc_str(c, "verdict", "?");
    switch (k) {
    case REPORT_DOC_PASS: fputs("    </testcase>\n", out); return;
    case REPORT_DOC_NOTE: {
        char accepted[1024];
        accepted_text(c, accepted, sizeof accepted);
        attempts_xml(out, c, false);
        fputs("      <system-out>", out);
        snprintf(reason, sizeof reason, "%s (passed%s): %s", verdict,
                 report_doc_bool(c, "flaky", false) ? ", flaky" : "",
                 report_doc_str(c, "reason", ""));
        xml_text(out, reason, false, 0);
        xml_text(out, accepted, false, 0);
        fputs("</system-out>\n    </testcase>\n", out);
        return;
    }
    case REPORT_DOC_SKIP:
        report_doc_skip_reason(doc, c, reason, sizeof reason);
        fputs("      <skipped", out);
        attr(out, "message", reason);
        fputs("/>\n    </testcase>\n", out);
        return;
    case REPORT_DOC_FAIL:
    case REPORT_DOC_ERROR: {
        const char *el = k == REPORT_DOC_FAIL ? "failure" : "error";
        fprintf(out, "      <%s", el);
        message_attr(out, c);
        attr(out, "type", verdict);
        fputs(">", out);
        failure_body(out, doc, c);
        fprintf(out, "</%s>\n", el);
        attempts_xml(out, c, true);
        fputs("    </testcase>\n", out);
        return;
    }
    }
}

struct totals {
    long tests, failures, errors, skipped;
    double time;
    const char *first_started;
};

static void count(const json_t *doc, const char *group, struct totals *t) {
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < report_doc_case_count(doc); i++) {
        const json_t *c = report_doc_case(doc, i);
        if (!c || (group && strcmp(report_doc_str(c, "group", ""), group) != 0))
            continue;
        t->tests++;
        t->time += report_doc_num(c, "duration_s", 0);
        enum report_doc_class k = report_doc_classify(doc, c);
        t->failures += k == REPORT_DOC_FAIL;
        t->errors += k == REPORT_DOC_ERROR;
        t->skipped += k == REPORT_DOC_SKIP;
        const char *started = report_doc_str(c, "started", NULL);
        if (started && (!t->first_started || strcmp(started, t->first_started) < 0))
            t->first_started = started;
    }
}

static void counts_attrs(FILE *out, const struct totals *t, double time) {
    fprintf(out, " tests=\"%ld\" failures=\"%ld\" errors=\"%ld\" skipped=\"%ld\" time=\"%.3f\"",
            t->tests, t->failures, t->errors, t->skipped, time);
}

/* Whether group already appeared before case index i. */
static bool seen_before(const json_t *doc, size_t i, const char *group) {
    for (size_t k = 0; k < i; k++)
        if (strcmp(report_doc_str(report_doc_case(doc, k), "group", ""), group) == 0)
            return true;
    return false;
}

int report_junit_write(const json_t *report, FILE *out) {
    struct totals all;
    count(report, NULL, &all);
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"wsspec\"", out);
    counts_attrs(out, &all, report_doc_num(report, "duration_s", all.time));
    fputs(">\n", out);
    size_t n = report_doc_case_count(report);
    for (size_t i = 0; i < n; i++) {
        const char *group = report_doc_str(report_doc_case(report, i), "group", "");
        if (!report_doc_case(report, i) || seen_before(report, i, group))
            continue;
        struct totals t;
        count(report, group, &t);
        /* The Ant schema's timestamp: ISO 8601 without a zone (ours is UTC). */
        char stamp[20] = "";
        const char *started =
            t.first_started ? t.first_started : report_doc_str(report, "started", "");
        snprintf(stamp, sizeof stamp, "%s", started);
        fputs("  <testsuite", out);
        attr(out, "name", group);
        counts_attrs(out, &t, t.time);
        if (strlen(stamp) == 19)
            attr(out, "timestamp", stamp);
        fputs(">\n", out);
        properties(out, report);
        for (size_t k = i; k < n; k++) {
            const json_t *c = report_doc_case(report, k);
            if (c && strcmp(report_doc_str(c, "group", ""), group) == 0)
                testcase(out, report, c, k);
        }
        fputs("  </testsuite>\n", out);
    }
    fputs("</testsuites>\n", out);
    if (ferror(out))
        return -1;
    return 0;
}
