/* report_test: runs real cases against the in-process reference server
 * (strict, and with the no-pong fault), builds the canonical report and
 * renders every format from it: JSON round trip, JUnit counts and XML
 * escaping, TAP, Markdown, the Autobahn directory, atomic writes and
 * `wsspec report`'s errors. */
#include <dirent.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "load/caseload.h"
#include "refserver/refserver.h"
#include "reports/report.h"
#include "test.h"

#ifndef WSSPEC_SOURCE_CASES
#define WSSPEC_SOURCE_CASES "cases"
#endif

/* The cases used (their Autobahn ids in brackets): a ping [2.2], an empty
 * text message [1.1.1], a close reason that is not UTF-8 [7.5.1]; the last
 * one is left "not run" as if the run had been interrupted. */
static const char *const ids[] = {"pings.ping-text", "framing.text-length-0",
                                  "close.close-reason-invalid-utf8", "pings.ping-125"};
#define N_CASES (sizeof ids / sizeof ids[0])

static struct case_list all;
static char tmpdir[] = "/tmp/report_test.XXXXXX";

static const struct wcase *find_case(const char *id) {
    for (size_t i = 0; i < all.count; i++)
        if (strcmp(all.items[i].id, id) == 0)
            return &all.items[i];
    return NULL;
}

static void *server_main(void *arg) {
    refserver_run(arg);
    return NULL;
}

/* Runs ids[0..N-1) against a reference server with `faults`; the last is
 * not run. Returns the report (caller json_decref()s). */
static json_t *run_report(uint64_t faults) {
    struct wcase cases[N_CASES]; /* shallow copies with a short deadline */
    for (size_t i = 0; i < N_CASES; i++) {
        const struct wcase *c = find_case(ids[i]);
        CHECK(c != NULL);
        if (!c)
            return NULL;
        cases[i] = *c;
        cases[i].timeout_s = 2; /* a missing pong costs the case its deadline */
    }
    char err[256];
    struct refserver_options o = {.host = "127.0.0.1", .quiet = true, .faults = faults};
    struct refserver *srv = refserver_new(&o, err, sizeof err);
    CHECK(srv != NULL);
    if (!srv)
        return NULL;
    pthread_t th;
    pthread_create(&th, NULL, server_main, srv);
    struct run_target target = {0};
    snprintf(target.url_text, sizeof target.url_text, "ws://127.0.0.1:%u/", refserver_port(srv));
    CHECK_EQ(url_parse(target.url_text, &target.url), 0);
    struct run_options opts = {.jobs = 1, .timeout_scale = 1, .seed = 7, .wire_cap = 64 * 1024};
    struct case_result results[N_CASES];
    memset(results, 0, sizeof results);
    for (size_t i = 0; i < N_CASES; i++) {
        results[i].c = &cases[i];
        if (i + 1 < N_CASES)
            runner_run_case(results[i].c, &target, &opts, &results[i]);
    }
    char *argv[] = {"run", "--seed", "7"};
    struct report_meta meta = {.target_url = target.url_text,
                               .builtin_target = true,
                               .jobs = 1,
                               .seed = 7,
                               .timeout_scale = 1,
                               .argc = 3,
                               .argv = argv,
                               .started_wall_ms = results[0].started_wall_ms,
                               .finished_wall_ms = results[0].started_wall_ms + 1234,
                               .complete = false,
                               .incomplete_reason = "interrupted (Ctrl-C)"};
    json_t *doc = report_build(&meta, results, N_CASES);
    for (size_t i = 0; i < N_CASES; i++)
        case_result_free(&results[i]);
    refserver_request_stop(srv);
    pthread_join(th, NULL);
    refserver_free(srv);
    return doc;
}

/* Renders into a malloc'd NUL-terminated string. */
static char *render(const json_t *doc, int (*fn)(const json_t *, FILE *)) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    CHECK_EQ(fn(doc, f), 0);
    fclose(f);
    return text;
}

static bool all_hex(const char *s) {
    for (; *s; s++)
        if (!strchr("0123456789abcdef", *s))
            return false;
    return true;
}

static void test_build(void) {
    json_t *doc = run_report(0);
    if (!doc)
        return;
    CHECK_STR(json_string_value(json_object_get(doc, "schema")), "wsspec-report/2");
    const json_t *tool = json_object_get(doc, "tool");
    CHECK_STR(json_string_value(json_object_get(tool, "jansson")), jansson_version_str());
    CHECK_STR(json_string_value(json_object_get(json_object_get(doc, "target"), "agent")),
              "wsspec-refserver");
    const json_t *sum = json_object_get(doc, "summary");
    CHECK_EQ(json_integer_value(json_object_get(sum, "total")), 4);
    /* The reference server is strict: all three run cases pass. */
    CHECK_EQ(json_integer_value(json_object_get(sum, "pass")), 3);
    CHECK_EQ(json_integer_value(json_object_get(sum, "not_run")), 1);
    CHECK(json_is_false(json_object_get(doc, "complete")));
    const char *started = json_string_value(json_object_get(doc, "started"));
    CHECK(started && strlen(started) == 24 && started[10] == 'T' && started[23] == 'Z');

    const json_t *c0 = json_array_get(json_object_get(doc, "cases"), 0);
    CHECK_STR(json_string_value(json_object_get(c0, "group")), "pings");
    CHECK_STR(json_string_value(json_object_get(c0, "autobahn")), "2.2");
    CHECK_STR(json_string_value(json_object_get(c0, "verdict")), "pass");
    CHECK_EQ(json_integer_value(json_object_get(json_object_get(c0, "handshake"), "status")), 101);
    const char *req =
        json_string_value(json_object_get(json_object_get(c0, "handshake"), "request"));
    CHECK(req && strncmp(req, "GET ", 4) == 0);
    /* Events: the pong (6455:5.5.3 echoes the ping's payload) is there. */
    const json_t *events = json_object_get(c0, "events");
    bool pong = false;
    for (size_t i = 0; i < json_array_size(events); i++)
        pong |= strcmp(json_string_value(json_object_get(json_array_get(events, i), "kind")),
                       "pong") == 0;
    CHECK(pong);
    const json_t *records = json_object_get(json_object_get(c0, "wire"), "records");
    CHECK(json_array_size(records) >= 2);
    const json_t *r0 = json_array_get(records, 0);
    CHECK_STR(json_string_value(json_object_get(r0, "dir")), "out");
    CHECK(all_hex(json_string_value(json_object_get(r0, "hex"))));

    /* 7.5.1: the server fails the connection with 1007 (6455:8.1) or 1002. */
    const json_t *c2 = json_array_get(json_object_get(doc, "cases"), 2);
    long long code = json_integer_value(json_object_get(json_object_get(c2, "close"), "peer_code"));
    CHECK(code == 1007 || code == 1002);
    const json_t *c3 = json_array_get(json_object_get(doc, "cases"), 3);
    CHECK_STR(json_string_value(json_object_get(c3, "verdict")), "not-run");
    CHECK(json_is_null(json_object_get(c3, "started")));

    /* JSON round trip: a saved report renders to the same bytes. */
    char *once = render(doc, report_json_write);
    json_error_t jerr;
    json_t *again = json_loads(once, 0, &jerr);
    CHECK(again != NULL);
    char *twice = render(again, report_json_write);
    CHECK_STR(once, twice);
    free(once);
    free(twice);
    json_decref(again);
    json_decref(doc);
}

static bool starts_with(const char *s, const char *prefix) {
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static size_t occurrences(const char *hay, const char *needle) {
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void test_failing_run_formats(void) {
    json_t *doc = run_report(1ull << FAULT_NO_PONG);
    if (!doc)
        return;
    const json_t *c0 = json_array_get(json_object_get(doc, "cases"), 0);
    /* 6455:5.5.2 "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame". */
    CHECK_STR(json_string_value(json_object_get(c0, "verdict")), "fail");

    char *xml = render(doc, report_junit_write);
    CHECK(starts_with(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
    CHECK(strstr(xml, "<testsuites name=\"wsspec\" tests=\"4\" failures=\"1\" errors=\"0\" "
                      "skipped=\"1\"") != NULL);
    CHECK(strstr(xml, "<testsuite name=\"pings\" tests=\"2\" failures=\"1\" errors=\"0\" "
                      "skipped=\"1\"") != NULL);
    CHECK_EQ(occurrences(xml, "<testsuite "), 3);
    CHECK_EQ(occurrences(xml, "<failure message="), 1);
    CHECK(strstr(xml, "<failure message=\"6455:5.5.2 not met: ") != NULL);
    CHECK_EQ(occurrences(xml, "<skipped message=\"not run: interrupted (Ctrl-C)\"/>"), 1);
    CHECK(strstr(xml, "name=\"pings.ping-text: ") != NULL);
    CHECK(strstr(xml, "classname=\"rfc6455.5.5.2\"") != NULL);
    CHECK(strstr(xml, "Re-run: wsspec run pings.ping-text --seed 7 -v") != NULL);
    CHECK(strstr(xml, "<property name=\"seed\" value=\"7\"/>") != NULL);
    free(xml);

    char *tap = render(doc, report_tap_write);
    CHECK(starts_with(tap, "TAP version 14\n1..4\nnot ok 1 - pings.ping-text "));
    CHECK(strstr(tap, "\n  ---\n  message: \"") != NULL);
    CHECK(strstr(tap, "\n  severity: \"fail\"\n") != NULL);
    CHECK(strstr(tap, "\n  ...\nok 2 - framing.text-length-0 ") != NULL);
    CHECK(strstr(tap, "ok 4 - pings.ping-125 ") != NULL);
    CHECK(strstr(tap, " # SKIP not run: interrupted (Ctrl-C)\n") != NULL);
    free(tap);

    char *md = render(doc, report_markdown_write);
    CHECK(starts_with(md, "## wsspec: FAILED: 1 of 4 cases failed (run incomplete)\n"));
    CHECK(strstr(md, "| fail | 1 |") != NULL);
    CHECK(strstr(md, "| not-run | 1 |") != NULL);
    CHECK(strstr(md, "| pings | 2 | 0 | 0 | 0 | 0 | 1 | 0 | 1 |") != NULL);
    CHECK(strstr(md, "#### `pings.ping-text`") != NULL);
    CHECK(strstr(md, "```text\n") != NULL);
    CHECK(strstr(md, "`wsspec run pings.ping-text --seed 7 -v`") != NULL);
    free(md);

    char dir[sizeof tmpdir + 16];
    snprintf(dir, sizeof dir, "%s/ab/x", tmpdir);
    char err[512];
    CHECK_EQ(report_autobahn_write_dir(doc, dir, err, sizeof err), 0);
    char path[sizeof dir + 64];
    snprintf(path, sizeof path, "%s/index.json", dir);
    json_t *index = json_load_file(path, 0, NULL);
    const json_t *agent = json_object_get(index, "wsspec-refserver");
    CHECK(agent != NULL);
    CHECK_EQ(json_object_size(agent), 4);
    const json_t *c22 = json_object_get(agent, "2.2");
    CHECK_STR(json_string_value(json_object_get(c22, "behavior")), "FAILED");
    CHECK_STR(json_string_value(json_object_get(c22, "reportfile")),
              "wsspec_refserver_case_2_2.json");
    CHECK_STR(json_string_value(json_object_get(json_object_get(agent, "1.1.1"), "behavior")),
              "OK");
    CHECK_STR(json_string_value(json_object_get(json_object_get(agent, "1.1.1"), "behaviorClose")),
              "OK");
    CHECK_STR(json_string_value(json_object_get(json_object_get(agent, "2.4"), "behavior")),
              "MISSING");
    json_decref(index);
    snprintf(path, sizeof path, "%s/wsspec_refserver_case_7_5_1.json", dir);
    json_t *one = json_load_file(path, 0, NULL);
    CHECK_STR(json_string_value(json_object_get(one, "id")), "7.5.1");
    CHECK(json_is_integer(json_object_get(one, "remoteCloseCode")));
    CHECK(json_array_size(json_object_get(one, "wirelog")) > 0);
    json_decref(one);
    json_decref(doc);
}

/* A hand-made document with hostile text: markup, C0 controls, U+FFFF. */
static void test_junit_escaping(void) {
    json_t *doc =
        json_pack("{s:s, s:{s:b}, s:{s:I, s:b}, s:[{s:s, s:s, s:s, s:[s], s:s, s:s, s:s, s:s}]}",
                  "schema", "wsspec-report/1", "target", "builtin", 1, "options", "seed",
                  (json_int_t)3, "strict", 0, "cases", "id", "g.x", "group", "g", "title",
                  "a<b & c\"d'\x01\x1b[31m\xef\xbf\xbf", "rfc", "6455:5.1", "verdict", "error",
                  "reason", "line1\nline2\x02", "expected", "x]]>y", "actual", "\x7f");
    CHECK(doc != NULL);
    char *xml = render(doc, report_junit_write);
    CHECK(strstr(xml, "name=\"g.x: a&lt;b &amp; c&quot;d&apos;\\u0001\\u001B[31m\\uFFFF\"") !=
          NULL);
    CHECK(strstr(xml, "<error message=\"could not run: line1\" type=\"error\">") != NULL);
    CHECK(strstr(xml, "x]]&gt;y") != NULL);
    CHECK(strstr(xml, "\\u0002") != NULL);
    for (const unsigned char *p = (const unsigned char *)xml; *p; p++)
        CHECK(*p >= 0x20 || *p == '\n' || *p == '\t');
    free(xml);
    /* The same document in TAP: one line per test point, '#' escaped. */
    json_object_set_new(json_array_get(json_object_get(doc, "cases"), 0), "title",
                        json_string("has # hash\nand newline"));
    char *tap = render(doc, report_tap_write);
    CHECK(strstr(tap, "not ok 1 - g.x has \\# hash and newline\n") != NULL);
    free(tap);
    json_decref(doc);
}

static int failing_render(const json_t *doc, FILE *out) {
    (void)doc;
    fputs("partial", out);
    return -1;
}

static int count_tmp_files(const char *dir) {
    int n = 0;
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d));)
        n += strstr(e->d_name, ".tmp.") != NULL;
    if (d)
        closedir(d);
    return n;
}

static void test_atomic_write(void) {
    json_t *doc = json_pack("{s:s, s:[]}", "schema", "wsspec-report/1", "cases");
    char path[sizeof tmpdir + 32], err[512];
    snprintf(path, sizeof path, "%s/r.json", tmpdir);
    CHECK_EQ(report_write_file(doc, path, report_json_write, err, sizeof err), 0);
    CHECK_EQ(report_write_file(doc, path, failing_render, err, sizeof err), -1);
    CHECK(strstr(err, ".tmp.") != NULL);
    json_t *kept = json_load_file(path, 0, NULL); /* the old file is intact */
    CHECK_STR(json_string_value(json_object_get(kept, "schema")), "wsspec-report/1");
    json_decref(kept);
    CHECK_EQ(count_tmp_files(tmpdir), 0);
    CHECK_EQ(report_write_file(doc, "/nonexistent-dir/r.json", report_json_write, err, sizeof err),
             -1);
    CHECK(strstr(err, "/nonexistent-dir/r.json.tmp.") != NULL);
    json_decref(doc);
}

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static void test_cli_report(void) {
    char in[sizeof tmpdir + 32], md[sizeof tmpdir + 32];
    snprintf(in, sizeof in, "%s/in.json", tmpdir);
    snprintf(md, sizeof md, "%s/out.md", tmpdir);
    char *argv[] = {"report", in, "--md", md, NULL};
    write_text(in, "{\n  \"schema\": \"wsspec-report/1\",\n  \"cases\": [\n");
    CHECK_EQ(cli_report(4, argv), EXIT_USAGE);
    write_text(in, "{\"schema\": \"autobahn/2\", \"cases\": []}");
    CHECK_EQ(cli_report(4, argv), EXIT_USAGE);
    write_text(in, "{\"schema\": \"wsspec-report/3\", \"cases\": []}");
    CHECK_EQ(cli_report(4, argv), EXIT_USAGE);
    /* This layout and the one before it (a saved report of an older run). */
    write_text(in, "{\"schema\": \"wsspec-report/2\", \"cases\": []}");
    CHECK_EQ(cli_report(4, argv), EXIT_PASS);
    write_text(in, "{\"schema\": \"wsspec-report/1\", \"cases\": []}");
    CHECK_EQ(cli_report(4, argv), EXIT_PASS);
    struct stat st;
    CHECK(stat(md, &st) == 0 && st.st_size > 0);
    char *none[] = {"report", in, NULL};
    CHECK_EQ(cli_report(2, none), EXIT_USAGE);
    char *missing[] = {"report", "/nonexistent.json", "--tap", NULL};
    CHECK_EQ(cli_report(3, missing), EXIT_USAGE);
}

int main(void) {
    struct case_error err;
    if (case_load_path(WSSPEC_SOURCE_CASES, &all, &err) != 0) {
        char msg[1024];
        case_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "cannot load cases: %s\n", msg);
        return 1;
    }
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_build);
    RUN(test_failing_run_formats);
    RUN(test_junit_escaping);
    RUN(test_atomic_write);
    RUN(test_cli_report);
    case_list_free(&all);
    char cmd[sizeof tmpdir + 16];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    TEST_EXIT();
}
