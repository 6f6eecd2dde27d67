/* wsclient_test: the client connection's return contract over real
 * loopback sockets (no mocks). A peer thread accepts one connection, reads
 * the opening handshake and answers with one canned behaviour per test.
 *
 * What is proved: what the peer sent (a 101, a 400, a head that is no HTTP,
 * a masked frame) comes back as a value to judge (hs.problem, a
 * FRAME_EV_VIOLATION event) with a return of 0 or 1; only our own limits
 * and the network's conditions come back as a negative ws_error, and a head
 * over our limits is never reported as the peer's fault. Timeouts are
 * multiplied by $WSSPEC_TIMEOUT_SCALE. */
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/errors.h"
#include "codec/handshake.h"
#include "net/wsclient.h"
#include "test.h"

static double timeout_scale(void) {
    const char *s = getenv("WSSPEC_TIMEOUT_SCALE");
    double v = s ? strtod(s, NULL) : 1.0;
    return v > 0 ? v : 1.0;
}

static int scaled_ms(int ms) {
    return (int)(ms * timeout_scale());
}

/* ---- the peer ---------------------------------------------------------- */

enum answer {
    ANSWER_101_FRAMES,   /* a valid 101, a text frame and a masked frame in the same write */
    ANSWER_400,          /* a refusal */
    ANSWER_NOT_HTTP,     /* an SSH banner and an empty line */
    ANSWER_MANY_HEADERS, /* a 101 with more header fields than we keep */
    ANSWER_HUGE_HEAD,    /* a head longer than we keep */
    ANSWER_CUT,          /* the start of a status line, then close */
};

struct peer {
    enum answer answer;
    int listen_fd;
    unsigned port;
    pthread_t thread;
};

static bool send_all(int fd, const uint8_t *data, size_t len) {
    while (len > 0) {
        ssize_t sent = send(fd, data, len, MSG_NOSIGNAL);
        if (sent <= 0)
            return false;
        data += sent;
        len -= (size_t)sent;
    }
    return true;
}

/* Read the request head into *head; false when none arrives in time. */
static bool read_request(int fd, struct buf *head) {
    size_t scan = 0;
    for (;;) {
        long end = handshake_head_complete(head->data, head->len, &scan);
        if (end > 0)
            return true;
        if (end < 0)
            return false;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, scaled_ms(10000)) <= 0)
            return false;
        uint8_t chunk[2048];
        ssize_t got = recv(fd, chunk, sizeof chunk, 0);
        if (got <= 0 || buf_append(head, chunk, (size_t)got) != 0)
            return false;
    }
}

/* The 101 for the request in head, as the RFC has it (handshake_server). */
static bool append_101(const struct buf *head, struct buf *out) {
    struct handshake_request req;
    if (handshake_parse_request(head->data, head->len, &req) <= 0)
        return false;
    struct handshake_server_verdict v;
    handshake_check_request(&req, &v);
    return v.status == 101 && handshake_build_response(&v, NULL, NULL, NULL, out) == 0;
}

static bool build_answer(enum answer answer, const struct buf *head, struct buf *out) {
    switch (answer) {
    case ANSWER_101_FRAMES: {
        if (!append_101(head, out))
            return false;
        /* 6455:5.1 "A server MUST NOT mask any frames that it sends to the
         * client": the second frame breaks that. */
        static const uint8_t frames[] = {0x81, 0x02, 'h', 'i', 0x81, 0x82, 1, 2, 3, 4, 'h', 'i'};
        return buf_append(out, frames, sizeof frames) == 0;
    }
    case ANSWER_400:
        return buf_append_str(out, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n") == 0;
    case ANSWER_NOT_HTTP: return buf_append_str(out, "SSH-2.0-OpenSSH_9.2\r\n\r\n") == 0;
    case ANSWER_MANY_HEADERS: {
        int rc = buf_append_str(out, "HTTP/1.1 101 Switching Protocols\r\n");
        for (int i = 0; rc == 0 && i <= HANDSHAKE_MAX_HEADERS; i++)
            rc = buf_appendf(out, "X-Filler-%d: %d\r\n", i, i);
        return rc == 0 && buf_append_str(out, "\r\n") == 0;
    }
    case ANSWER_HUGE_HEAD: {
        /* Lines and fields within their limits; the whole over HANDSHAKE_MAX_HEAD. */
        int rc = buf_append_str(out, "HTTP/1.1 101 Switching Protocols\r\n");
        char value[2000];
        memset(value, 'v', sizeof value - 1);
        value[sizeof value - 1] = '\0';
        for (int i = 0; rc == 0 && out->len <= HANDSHAKE_MAX_HEAD; i++)
            rc = buf_appendf(out, "X-Filler-%d: %s\r\n", i, value);
        return rc == 0 && buf_append_str(out, "\r\n") == 0;
    }
    case ANSWER_CUT: return buf_append_str(out, "HTTP/1.1 101 Swi") == 0;
    }
    return false;
}

static void *peer_main(void *arg) {
    struct peer *p = arg;
    struct pollfd lp = {.fd = p->listen_fd, .events = POLLIN};
    if (poll(&lp, 1, scaled_ms(10000)) <= 0)
        return NULL;
    int fd = accept(p->listen_fd, NULL, NULL);
    if (fd < 0)
        return NULL;
    struct buf head = {0}, answer = {0};
    if (read_request(fd, &head) && build_answer(p->answer, &head, &answer) &&
        send_all(fd, answer.data, answer.len)) {
        /* Our side is done; wait for the client to close (or give up). */
        shutdown(fd, SHUT_WR);
        struct pollfd rp = {.fd = fd, .events = POLLIN};
        uint8_t sink[4096];
        while (poll(&rp, 1, scaled_ms(10000)) > 0 && recv(fd, sink, sizeof sink, 0) > 0) {
        }
    }
    buf_free(&head);
    buf_free(&answer);
    close(fd);
    return NULL;
}

static bool peer_start(struct peer *p, enum answer answer) {
    memset(p, 0, sizeof *p);
    p->answer = answer;
    p->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (p->listen_fd < 0)
        return false;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (bind(p->listen_fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(p->listen_fd, 4) != 0 ||
        getsockname(p->listen_fd, (struct sockaddr *)&a, &len) != 0 ||
        pthread_create(&p->thread, NULL, peer_main, p) != 0) {
        close(p->listen_fd);
        return false;
    }
    p->port = ntohs(a.sin_port);
    return true;
}

static void peer_join(struct peer *p) {
    pthread_join(p->thread, NULL);
    close(p->listen_fd);
}

/* ---- the client ---------------------------------------------------------- */

struct session {
    struct peer peer;
    struct wsclient client;
    struct wsclient_handshake hs;
    int rc;
    char errmsg[512];
};

/* Start a peer with `answer` and run the opening handshake against it. */
static bool handshake_with(struct session *s, enum answer answer) {
    memset(s, 0, sizeof *s);
    if (!peer_start(&s->peer, answer))
        return false;
    char text[64];
    snprintf(text, sizeof text, "ws://127.0.0.1:%u/", s->peer.port);
    struct ws_url url;
    struct frame_limits limits = {0};
    CHECK_EQ(url_parse(text, &url), 0);
    CHECK_EQ(wsclient_init(&s->client, &limits), 0);
    struct wsclient_request request;
    wsclient_default_request(&request, &url);
    s->rc =
        wsclient_handshake(&s->client, &url, NULL, &request.req, clock_now_ms() + scaled_ms(10000),
                           &s->hs, s->errmsg, sizeof s->errmsg);
    return true;
}

static void session_end(struct session *s) {
    wsclient_handshake_free(&s->hs);
    wsclient_close(&s->client);
    peer_join(&s->peer);
}

/* ---- tests -------------------------------------------------------------- */

static void test_101_then_frames(void) {
    struct session s;
    CHECK(handshake_with(&s, ANSWER_101_FRAMES));
    CHECK_EQ(s.rc, 0);
    CHECK_EQ(s.hs.problem, HANDSHAKE_RESP_OK);
    CHECK(s.hs.head_status > 0);
    CHECK_EQ(s.hs.head.len, (size_t)s.hs.head_status);
    CHECK_EQ(s.hs.resp.status, 101);

    /* The frames that came with the 101: a text frame, then the peer's
     * violation as an event (return 1), not as an error code. */
    int64_t deadline = clock_now_ms() + scaled_ms(10000);
    struct frame_event ev;
    CHECK_EQ(wsclient_next(&s.client, deadline, &ev), 1);
    CHECK_EQ(ev.kind, FRAME_EV_HEADER);
    CHECK_EQ(ev.hdr.opcode, FRAME_OP_TEXT);
    CHECK_EQ(wsclient_next(&s.client, deadline, &ev), 1);
    CHECK_EQ(ev.kind, FRAME_EV_PAYLOAD);
    CHECK_MEM(ev.data, ev.len, "hi", 2);
    CHECK_EQ(wsclient_next(&s.client, deadline, &ev), 1);
    CHECK_EQ(ev.kind, FRAME_EV_END);
    CHECK_EQ(wsclient_next(&s.client, deadline, &ev), 1);
    CHECK_EQ(ev.kind, FRAME_EV_VIOLATION);
    CHECK_EQ(ev.violation, FRAME_V_MASKED);
    session_end(&s);
}

static void test_refusal_is_a_problem(void) {
    struct session s;
    CHECK(handshake_with(&s, ANSWER_400));
    CHECK_EQ(s.rc, 0);
    CHECK_EQ(s.hs.problem, HANDSHAKE_RESP_NOT_101);
    CHECK_EQ(s.hs.resp.status, 400);
    session_end(&s);
}

static void test_not_http_is_a_problem(void) {
    struct session s;
    CHECK(handshake_with(&s, ANSWER_NOT_HTTP));
    /* The peer's answer is no HTTP: a verdict to give, not a code of ours. */
    CHECK_EQ(s.rc, 0);
    CHECK_EQ(s.hs.problem, HANDSHAKE_RESP_NOT_HTTP);
    CHECK_EQ(s.hs.head_status, WS_ERR_HANDSHAKE_SYNTAX);
    CHECK(strstr(s.errmsg, "not HTTP") != NULL);
    session_end(&s);
}

static void test_head_over_our_limits_is_ours(void) {
    static const struct {
        enum answer answer;
        int code;
    } over[] = {
        {ANSWER_MANY_HEADERS, WS_ERR_HANDSHAKE_TOO_MANY_HEADERS},
        {ANSWER_HUGE_HEAD, WS_ERR_HANDSHAKE_HEAD_TOO_BIG},
    };
    for (size_t i = 0; i < sizeof over / sizeof over[0]; i++) {
        struct session s;
        CHECK(handshake_with(&s, over[i].answer));
        /* HTTP is allowed that many fields and octets: our cap, an error. */
        CHECK_EQ(s.rc, over[i].code);
        CHECK_EQ(s.hs.head_status, over[i].code);
        CHECK_EQ(ws_error_band(s.rc), WS_BAND_HANDSHAKE);
        CHECK(strstr(s.errmsg, "our limits") != NULL);
        session_end(&s);
    }
}

static void test_cut_head_is_closed(void) {
    struct session s;
    CHECK(handshake_with(&s, ANSWER_CUT));
    CHECK_EQ(s.rc, WS_ERR_CLOSED);
    CHECK_EQ(s.hs.head_status, HANDSHAKE_NEED_MORE);
    CHECK(s.errmsg[0] != '\0');
    session_end(&s);
}

int main(void) {
    RUN(test_101_then_frames);
    RUN(test_refusal_is_a_problem);
    RUN(test_not_http_is_a_problem);
    RUN(test_head_over_our_limits_is_ours);
    RUN(test_cut_head_is_closed);
    TEST_EXIT();
}
