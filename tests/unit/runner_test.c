/* runner_test: how the runner classifies what happens on a real loopback
 * connection (issue 7, items 3, 4 and 8). A scripted peer on a thread of
 * this test answers the opening handshake and sends fixed octets, written
 * here from RFC 6455 section 5.2, never from our own frame writer:
 *
 *   - a frame or message over the case's max_message is our cap: a TEV_LIMIT
 *     (closed by us with 1009), an ERROR naming the cap, never a violation;
 *   - a response head over our size caps is a TEV_LIMIT, never "not HTTP";
 *     a head that is not HTTP at all is the peer's violation;
 *   - more events than the case may keep: a TEV_LIMIT, counted drops;
 *   - the idle deadline ends a wait, and says whether the RFC required the
 *     answer;
 *   - our own error codes are never the peer's doing (runner_error_is_ours).
 *
 * Time limits are scaled by WSSPEC_TIMEOUT_SCALE, as everywhere. */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/errors.h"
#include "codec/handshake.h"
#include "load/caseload.h"
#include "run/runner.h"
#include "run/runner_int.h"
#include "test.h"

/* ---- the scripted peer ------------------------------------------------------ */

struct peer {
    int listen_fd;
    unsigned port;
    pthread_t thread;
    const uint8_t *octets; /* sent after the 101 (or instead of it, raw) */
    size_t len;
    size_t repeat; /* octets sent this many times (at least once) */
    bool raw;      /* no 101: the octets are the whole answer */
};

static void send_all(int fd, const void *data, size_t len) {
    const uint8_t *p = data;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n <= 0)
            return;
        p += n;
        len -= (size_t)n;
    }
}

static void *peer_main(void *arg) {
    struct peer *pe = arg;
    int fd = accept(pe->listen_fd, NULL, NULL);
    if (fd < 0)
        return NULL;
    char head[8192];
    size_t got = 0;
    while (got < sizeof head - 1 && !memmem(head, got, "\r\n\r\n", 4)) {
        ssize_t n = recv(fd, head + got, sizeof head - 1 - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    head[got] = '\0';
    if (!pe->raw) {
        /* 6455:4.2.2: the accept value from the request's key. */
        const char *k = strstr(head, "Sec-WebSocket-Key:");
        char key[64] = "", accept[HANDSHAKE_ACCEPT_LEN + 1] = "";
        if (k)
            sscanf(k + 18, " %63[^\r\n]", key);
        handshake_compute_accept(key, strlen(key), accept);
        char answer[256];
        int n = snprintf(answer, sizeof answer,
                         "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                         "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
                         accept);
        send_all(fd, answer, (size_t)n);
    }
    for (size_t i = 0; i < (pe->repeat ? pe->repeat : 1); i++)
        send_all(fd, pe->octets, pe->len);
    /* Read (and ignore) until the client closes, for at most 20 s. */
    int64_t end = clock_now_ms() + 20000;
    char sink[4096];
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int64_t left = end - clock_now_ms();
        if (left <= 0 || poll(&p, 1, (int)left) <= 0 || recv(fd, sink, sizeof sink, 0) <= 0)
            break;
    }
    close(fd);
    return NULL;
}

static void peer_start(struct peer *pe, const void *octets, size_t len) {
    pe->octets = octets;
    pe->len = len;
    pe->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof sa;
    CHECK_EQ(bind(pe->listen_fd, (struct sockaddr *)&sa, sizeof sa), 0);
    CHECK_EQ(listen(pe->listen_fd, 4), 0);
    CHECK_EQ(getsockname(pe->listen_fd, (struct sockaddr *)&sa, &sl), 0);
    pe->port = ntohs(sa.sin_port);
    CHECK_EQ(pthread_create(&pe->thread, NULL, peer_main, pe), 0);
}

static void peer_join(struct peer *pe) {
    pthread_join(pe->thread, NULL);
    close(pe->listen_fd);
}

/* ---- cases and runs ------------------------------------------------------------ */

static double scale(void) {
    const char *s = getenv("WSSPEC_TIMEOUT_SCALE");
    double v = s ? atof(s) : 1.0;
    return v > 0 ? v : 1.0;
}

/* Load one case from JSON text (a case object; the group is "t"). */
static struct case_list load(const char *case_json) {
    char path[] = "/tmp/runner_test_XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "{\"group\": \"t\", \"title\": \"runner test\", \"cases\": [%s]}", case_json);
    fclose(f);
    struct case_list list = {0};
    struct case_error err;
    int rc = case_load_file(path, &list, &err);
    if (rc != 0)
        fprintf(stderr, "case: %s: %s\n", err.field, err.message);
    CHECK_EQ(rc, 0);
    CHECK_EQ(list.count, 1);
    unlink(path);
    return list;
}

/* Run the case against the peer (already started); the result is the caller's. */
static void run(const struct wcase *c, struct peer *pe, struct run_options *opts,
                struct case_result *out) {
    struct run_target target;
    memset(&target, 0, sizeof target);
    snprintf(target.url_text, sizeof target.url_text, "ws://127.0.0.1:%u/", pe->port);
    CHECK_EQ(url_parse(target.url_text, &target.url), 0);
    opts->timeout_scale = scale();
    opts->seed = 1;
    opts->jobs = 1;
    runner_run_case(c, &target, opts, out);
    peer_join(pe);
}

static int count_kind(const struct transcript *t, enum tev_kind kind) {
    int n = 0;
    for (size_t i = 0; i < t->event_count; i++)
        n += t->events[i].kind == kind;
    return n;
}

static const struct tev *first_kind(const struct transcript *t, enum tev_kind kind) {
    for (size_t i = 0; i < t->event_count; i++)
        if (t->events[i].kind == kind)
            return &t->events[i];
    return NULL;
}

#define ECHO_CASE(extra)                                                                           \
    "{\"name\": \"c\", \"title\": \"t\", \"rfc\": [\"6455:5.2\"], \"timeout\": 20, " extra         \
    "\"steps\": [{\"send_message\": {\"opcode\": \"binary\", \"payload\": \"x\"}},"                \
    " {\"wait\": {\"for\": \"message\"}}, {\"send_close\": {\"code\": 1000}}],"                    \
    " \"outcomes\": [{\"verdict\": \"pass\", \"events\": [{\"message\": {\"opcode\": "             \
    "\"binary\", \"payload\": \"x\"}}], \"close\": {\"by\": \"us\"}}]}"

/* Checks common to every "our cap" result: a limit, no violation, ERROR,
 * not internal, the cap named. */
static void check_our_cap(const struct case_result *r, const char *cap_words) {
    CHECK_EQ(count_kind(&r->tr, TEV_LIMIT), 1);
    CHECK_EQ(count_kind(&r->tr, TEV_VIOLATION), 0);
    CHECK_EQ(r->j.verdict, VERDICT_ERROR);
    CHECK(!r->j.internal);
    CHECK(strstr(r->j.reason, "our limit was reached, not the peer's failure") != NULL);
    CHECK(strstr(r->j.reason, cap_words) != NULL);
    if (!strstr(r->j.reason, cap_words))
        fprintf(stderr, "reason: %s\n", r->j.reason);
}

/* ---- the tests ------------------------------------------------------------------ */

/* 6455:5.2: 0x82 = FIN + binary; 126 = a 16-bit length follows: 1000
 * octets declared, over the case's max_message of 100. */
static void test_frame_over_max_message_is_our_limit(void) {
    static const uint8_t frame[] = {0x82, 126, 0x03, 0xe8, 'a', 'b', 'c', 'd'};
    struct case_list l = load(ECHO_CASE("\"max_message\": 100, "));
    struct peer pe = {0};
    peer_start(&pe, frame, sizeof frame);
    struct run_options opts = {0};
    struct case_result r;
    run(&l.items[0], &pe, &opts, &r);
    check_our_cap(&r, "max_message (100 octets)");
    /* We failed the connection with 1009 ("too big to process", 6455:7.4.1). */
    const struct tev *ours = first_kind(&r.tr, TEV_SENT_CLOSE);
    CHECK(ours && ours->has_code && ours->code == 1009);
    case_result_free(&r);
    case_list_free(&l);
}

/* Two fragments of 60 octets: the message passes the cap of 100 midway. */
static void test_message_over_max_message_is_our_limit(void) {
    uint8_t frames[2 + 60 + 2 + 60];
    frames[0] = 0x02; /* binary, FIN clear */
    frames[1] = 60;
    memset(frames + 2, 'a', 60);
    frames[62] = 0x80; /* continuation, FIN */
    frames[63] = 60;
    memset(frames + 64, 'b', 60);
    struct case_list l = load(ECHO_CASE("\"max_message\": 100, "));
    struct peer pe = {0};
    peer_start(&pe, frames, sizeof frames);
    struct run_options opts = {0};
    struct case_result r;
    run(&l.items[0], &pe, &opts, &r);
    check_our_cap(&r, "max_message (100 octets)");
    case_result_free(&r);
    case_list_free(&l);
}

/* An outcome that accepts our limit decides the verdict. */
static void test_outcome_accepting_the_limit(void) {
    static const uint8_t frame[] = {0x82, 126, 0x03, 0xe8, 'a'};
    struct case_list l =
        load("{\"name\": \"c\", \"title\": \"t\", \"rfc\": [\"6455:5.2\"], \"max_message\": 100,"
             " \"steps\": [{\"wait\": {\"for\": \"message\"}}],"
             " \"outcomes\": [{\"verdict\": \"informational\", \"limit\": true}]}");
    struct peer pe = {0};
    peer_start(&pe, frame, sizeof frame);
    struct run_options opts = {0};
    struct case_result r;
    run(&l.items[0], &pe, &opts, &r);
    CHECK_EQ(count_kind(&r.tr, TEV_LIMIT), 1);
    CHECK_EQ(r.j.verdict, VERDICT_INFORMATIONAL);
    CHECK_EQ(r.j.outcome_index, 0);
    case_result_free(&r);
    case_list_free(&l);
}

static void run_raw_answer(const char *answer, size_t len, const char *case_json,
                           struct case_result *r) {
    struct case_list l = load(case_json);
    struct peer pe = {.raw = true};
    peer_start(&pe, answer, len);
    struct run_options opts = {0};
    run(&l.items[0], &pe, &opts, r);
    case_list_free(&l);
    r->c = NULL; /* the case is gone; the transcript and judgement stay */
}

#define HANDSHAKE_CASE                                                                             \
    "{\"name\": \"h\", \"title\": \"t\", \"rfc\": [\"6455:4.2.1\"], \"steps\": [],"                \
    " \"outcomes\": [{\"verdict\": \"pass\", \"handshake\": {\"status\": [400]}}]}"

/* 101 header lines, one over our HANDSHAKE_MAX_HEADERS: our cap, in a case
 * about the handshake and in any other. */
static void test_head_over_our_caps_is_our_limit(void) {
    struct buf head = {0};
    buf_append_str(&head, "HTTP/1.1 400 Bad Request\r\n");
    for (int i = 0; i <= HANDSHAKE_MAX_HEADERS; i++)
        buf_appendf(&head, "X-H%d: v\r\n", i);
    buf_append_str(&head, "\r\n");
    struct case_result r;
    run_raw_answer((const char *)head.data, head.len, HANDSHAKE_CASE, &r);
    check_our_cap(&r, "header lines in the response head (100)");
    case_result_free(&r);
    run_raw_answer((const char *)head.data, head.len, ECHO_CASE(""), &r);
    check_our_cap(&r, "header lines in the response head (100)");
    case_result_free(&r);
    buf_free(&head);

    /* A line longer than HANDSHAKE_MAX_LINE. */
    buf_append_str(&head, "HTTP/1.1 400 Bad Request\r\nX-Long: ");
    for (int i = 0; i < HANDSHAKE_MAX_LINE; i++)
        buf_append(&head, "a", 1);
    buf_append_str(&head, "\r\n\r\n");
    run_raw_answer((const char *)head.data, head.len, HANDSHAKE_CASE, &r);
    check_our_cap(&r, "a line of the response head");
    case_result_free(&r);
    buf_free(&head);
}

/* What cannot be an HTTP head is the peer's: 6455:4.2.1 (about the
 * handshake), or an error when the case needed a WebSocket. */
static void test_non_http_answer_is_the_peers(void) {
    static const char ssh[] = "SSH-2.0-OpenSSH_9.2\r\n\r\n";
    struct case_result r;
    run_raw_answer(ssh, sizeof ssh - 1, HANDSHAKE_CASE, &r);
    CHECK_EQ(count_kind(&r.tr, TEV_LIMIT), 0);
    const struct tev *v = first_kind(&r.tr, TEV_VIOLATION);
    CHECK(v && v->rfc && strcmp(v->rfc, "6455:4.2.1") == 0);
    CHECK_EQ(r.j.verdict, VERDICT_FAIL);
    case_result_free(&r);
    run_raw_answer(ssh, sizeof ssh - 1, ECHO_CASE(""), &r);
    CHECK_EQ(r.j.verdict, VERDICT_ERROR);
    CHECK(!r.j.internal);
    CHECK(r.tr.error && strstr(r.tr.error, "not HTTP") != NULL);
    case_result_free(&r);
}

/* 200 empty pings (0x89 0x00: FIN + ping, no payload) against a case that
 * keeps 32 events: our limit, the rest counted. */
static void test_event_flood_reaches_our_limit(void) {
    static const uint8_t ping[] = {0x89, 0x00};
    struct case_list l = load(ECHO_CASE(""));
    struct peer pe = {.repeat = 200};
    peer_start(&pe, ping, sizeof ping);
    struct run_options opts = {.max_events = 32};
    struct case_result r;
    run(&l.items[0], &pe, &opts, &r);
    check_our_cap(&r, "32 events");
    CHECK(r.tr.event_count <= 32 + TRANSCRIPT_RESERVE);
    CHECK(r.tr.events_dropped > 0);
    CHECK_EQ(count_kind(&r.tr, TEV_PING), 32);
    case_result_free(&r);
    case_list_free(&l);
}

/* A silent peer: the idle deadline ends the wait long before the case's. */
static void test_idle_deadline_ends_a_wait(void) {
    struct case_list l = load(ECHO_CASE(""));
    struct peer pe = {0};
    peer_start(&pe, "", 0);
    struct run_options opts = {.idle_timeout_s = 0.3};
    struct case_result r;
    run(&l.items[0], &pe, &opts, &r);
    const struct tev *t = first_kind(&r.tr, TEV_TIMEOUT);
    CHECK(t && t->idle && !t->answer_required);
    CHECK(t && strstr(t->detail, "waiting for 1 message") != NULL);
    CHECK(r.duration_s < 20 * scale() / 2);
    CHECK_EQ(r.j.verdict, VERDICT_ERROR);
    CHECK(strstr(r.j.reason, "idle deadline") != NULL);
    case_result_free(&r);
    case_list_free(&l);

    /* Waiting for the pong to our ping: an answer the RFC requires. */
    l = load("{\"name\": \"p\", \"title\": \"t\", \"rfc\": [\"6455:5.5.2\"], \"timeout\": 20,"
             " \"steps\": [{\"send_ping\": {\"payload\": \"P\"}}, {\"wait\": {\"for\": \"pong\"}}],"
             " \"outcomes\": [{\"verdict\": \"pass\", \"events\": [{\"pong\": \"P\"}]}]}");
    struct peer pe2 = {0};
    peer_start(&pe2, "", 0);
    run(&l.items[0], &pe2, &opts, &r);
    t = first_kind(&r.tr, TEV_TIMEOUT);
    CHECK(t && t->idle && t->answer_required);
    CHECK_EQ(r.j.verdict, VERDICT_FAIL);
    case_result_free(&r);
    case_list_free(&l);
}

static void test_errors_of_ours(void) {
    CHECK(runner_error_is_ours(WS_ERR_NOMEM));
    CHECK(runner_error_is_ours(WS_ERR_OVERFLOW));
    CHECK(runner_error_is_ours(WS_ERR_ARG));
    CHECK(runner_error_is_ours(WS_ERR_INTERNAL));
    CHECK(!runner_error_is_ours(WS_ERR_RESET));
    CHECK(!runner_error_is_ours(WS_ERR_TIMEOUT));
    CHECK(!runner_error_is_ours(WS_ERR_TLS));
    CHECK(!runner_error_is_ours(WS_ERR_CLOSED)); /* the peer's EOF before a head */
    errno = ENOMEM;
    CHECK(runner_error_is_ours(WS_ERR_IO));
    errno = ETIMEDOUT;
    CHECK(!runner_error_is_ours(WS_ERR_IO));
}

int main(void) {
    RUN(test_frame_over_max_message_is_our_limit);
    RUN(test_message_over_max_message_is_our_limit);
    RUN(test_outcome_accepting_the_limit);
    RUN(test_head_over_our_caps_is_our_limit);
    RUN(test_non_http_answer_is_the_peers);
    RUN(test_event_flood_reaches_our_limit);
    RUN(test_idle_deadline_ends_a_wait);
    RUN(test_errors_of_ours);
    TEST_EXIT();
}
