/* conn_test: client connections over real loopback sockets (no mocks).
 *
 * A peer thread listens on 127.0.0.1 and plays one behaviour per test
 * (echo, sink, silent, close, reset, TLS echo, ...). Only loopback traffic.
 * Timeouts are multiplied by $WSSPEC_TIMEOUT_SCALE (default 1) for slow
 * sanitizer builds. SIGPIPE keeps its default action, so a write that raised
 * it would kill the test. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include "base/clock.h"
#include "base/errors.h"
#include "net/conn.h"
#include "net/tls.h"
#include "test.h"

/* ---- timing ------------------------------------------------------------ */

static double timeout_scale(void) {
    const char *s = getenv("WSSPEC_TIMEOUT_SCALE");
    double v = s ? strtod(s, NULL) : 1.0;
    return v > 0 ? v : 1.0;
}

static int64_t scaled_ms(int ms) {
    return (int64_t)(ms * timeout_scale());
}

static int64_t deadline_in(int ms) {
    return clock_now_ms() + scaled_ms(ms);
}

static void sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- the peer ---------------------------------------------------------- */

enum peer_mode {
    PEER_ECHO,      /* echo until EOF */
    PEER_SINK,      /* read and count until EOF */
    PEER_SILENT,    /* accept, never send, wait for EOF */
    PEER_CLOSE,     /* accept and close at once */
    PEER_RESET,     /* accept, read one byte, close with SO_LINGER 0 (RST) */
    PEER_TLS_ECHO,  /* TLS handshake, echo until EOF, close_notify */
    PEER_TLS_SINK,  /* TLS handshake, read and count until EOF */
    PEER_TLS_BURST, /* TLS handshake, send 100 bytes in one record, then echo */
    PEER_TLS_DROP,  /* TLS handshake, then close TCP without close_notify */
};

struct peer {
    enum peer_mode mode;
    int listen_fd;
    unsigned port;
    SSL_CTX *ctx; /* borrowed, for the TLS modes */
    pthread_t thread;
    size_t bytes; /* received (sink modes) */
    int tls_rc;   /* the server side's handshake result */
    char sni[64]; /* the SNI the client sent, "" for none */
};

static int peer_wait(int fd, short events) {
    struct pollfd p = {.fd = fd, .events = events, .revents = 0};
    return poll(&p, 1, (int)scaled_ms(10000));
}

static void plain_session(struct peer *p, int fd) {
    uint8_t buf[16384];
    struct timeval tv = {(time_t)(10 * timeout_scale()) + 1, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    for (;;) {
        ssize_t got = recv(fd, buf, sizeof(buf), 0);
        if (got <= 0)
            return;
        p->bytes += (size_t)got;
        if (p->mode == PEER_ECHO && send(fd, buf, (size_t)got, MSG_NOSIGNAL) != got)
            return;
    }
}

static void tls_session(struct peer *p, int fd) {
    char msg[256];
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    SSL *ssl = tls_ssl_new(p->ctx, fd, msg, sizeof(msg));
    if (ssl == NULL) {
        p->tls_rc = WS_ERR_TLS;
        return;
    }
    p->tls_rc = tls_handshake(ssl, fd, deadline_in(10000), msg, sizeof(msg));
    if (p->tls_rc != 0)
        goto done;
    const char *sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    snprintf(p->sni, sizeof(p->sni), "%s", sni ? sni : "");
    if (p->mode == PEER_TLS_DROP) {
        SSL_set_quiet_shutdown(ssl, 1); /* no close_notify */
        goto done;
    }
    uint8_t buf[16384];
    if (p->mode == PEER_TLS_BURST) {
        for (int i = 0; i < 100; i++)
            buf[i] = (uint8_t)('A' + i % 26);
        if (tls_write_all(ssl, fd, buf, 100, deadline_in(10000)) != 0)
            goto done;
    }
    for (;;) {
        long got = tls_read(ssl, fd, buf, sizeof(buf), deadline_in(10000));
        if (got <= 0)
            break;
        p->bytes += (size_t)got;
        if (p->mode != PEER_TLS_SINK &&
            tls_write_all(ssl, fd, buf, (size_t)got, deadline_in(10000)) != 0)
            break;
    }
    tls_shutdown_once(ssl);
done:
    SSL_free(ssl);
}

static void *peer_main(void *arg) {
    struct peer *p = arg;
    if (peer_wait(p->listen_fd, POLLIN) <= 0)
        return NULL;
    int fd = accept(p->listen_fd, NULL, NULL);
    if (fd < 0)
        return NULL;
    switch (p->mode) {
    case PEER_ECHO:
    case PEER_SINK:
    case PEER_SILENT: plain_session(p, fd); break;
    case PEER_CLOSE: break;
    case PEER_RESET: {
        /* Reset only after the client's first byte: an RST racing the
         * client's connect would fail conn_open instead. */
        uint8_t byte;
        if (peer_wait(fd, POLLIN) > 0)
            (void)recv(fd, &byte, 1, 0);
        struct linger lg = {1, 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
        break;
    }
    case PEER_TLS_ECHO:
    case PEER_TLS_SINK:
    case PEER_TLS_BURST:
    case PEER_TLS_DROP: tls_session(p, fd); break;
    }
    close(fd);
    return NULL;
}

/* A listener on 127.0.0.1 with a kernel-chosen port. Returns the fd. */
static int listen_loopback(int backlog, unsigned *port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(a);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, backlog) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

static bool peer_start(struct peer *p, enum peer_mode mode, SSL_CTX *ctx) {
    memset(p, 0, sizeof(*p));
    p->mode = mode;
    p->ctx = ctx;
    p->listen_fd = listen_loopback(8, &p->port);
    if (p->listen_fd < 0)
        return false;
    if (pthread_create(&p->thread, NULL, peer_main, p) != 0) {
        close(p->listen_fd);
        return false;
    }
    return true;
}

static void peer_join(struct peer *p) {
    pthread_join(p->thread, NULL);
    close(p->listen_fd);
}

/* ---- helpers ------------------------------------------------------------ */

static struct ws_url loopback_url(bool secure, const char *host, unsigned port) {
    struct ws_url u;
    char text[128];
    snprintf(text, sizeof(text), "%s://%s:%u/", secure ? "wss" : "ws", host, port);
    if (url_parse(text, &u) != 0)
        memset(&u, 0, sizeof(u));
    return u;
}

/* Read exactly len bytes or fail. */
static bool read_exact(struct conn *c, uint8_t *buf, size_t len, int64_t deadline) {
    size_t got = 0;
    while (got < len) {
        long n = conn_read(c, buf + got, len - got, deadline);
        if (n <= 0)
            return false;
        got += (size_t)n;
    }
    return true;
}

static bool contains(const char *hay, const char *needle) {
    return strstr(hay, needle) != NULL;
}

/* ---- TCP tests ---------------------------------------------------------- */

static void test_echo_roundtrip(void) {
    struct peer p;
    CHECK(peer_start(&p, PEER_ECHO, NULL));
    struct ws_url u = loopback_url(false, "127.0.0.1", p.port);
    int err = 1;
    char msg[256] = "";
    struct conn *c = conn_open(&u, NULL, deadline_in(5000), &err, msg, sizeof(msg));
    CHECK(c != NULL);
    CHECK_EQ(err, 0);
    if (c != NULL) {
        CHECK(conn_fd(c) >= 0);
        CHECK(conn_tls_version(c) == NULL);
        const uint8_t hello[] = "hello, echo";
        CHECK_EQ(conn_write_all(c, hello, sizeof(hello), deadline_in(5000)), 0);
        uint8_t back[sizeof(hello)];
        CHECK(read_exact(c, back, sizeof(back), deadline_in(5000)));
        CHECK_MEM(back, sizeof(back), hello, sizeof(hello));
        /* Half-close: the echo peer sees EOF, closes, and we read EOF. */
        conn_shutdown_write(c);
        CHECK_EQ(conn_write_all(c, hello, 1, deadline_in(1000)), WS_ERR_CLOSED);
        CHECK_EQ(conn_read(c, back, sizeof(back), deadline_in(5000)), 0);
    }
    conn_close(c);
    peer_join(&p);
    CHECK(conn_fd(NULL) == -1);
    conn_close(NULL);
}

static void test_large_write(void) {
    struct peer p;
    CHECK(peer_start(&p, PEER_SINK, NULL));
    struct ws_url u = loopback_url(false, "127.0.0.1", p.port);
    int err = 0;
    char msg[256];
    struct conn *c = conn_open(&u, NULL, deadline_in(5000), &err, msg, sizeof(msg));
    CHECK(c != NULL);
    size_t len = 4u << 20; /* far more than the socket buffers: partial writes */
    uint8_t *data = calloc(1, len);
    CHECK(data != NULL);
    if (c != NULL && data != NULL)
        CHECK_EQ(conn_write_all(c, data, len, deadline_in(20000)), 0);
    conn_close(c);
    peer_join(&p);
    CHECK_EQ_U64(p.bytes, len);
    free(data);
}

static void test_connect_refused(void) {
    unsigned port = 0;
    int fd = listen_loopback(1, &port);
    CHECK(fd >= 0);
    close(fd); /* nobody listens there now */
    struct ws_url u = loopback_url(false, "127.0.0.1", port);
    int err = 0;
    char msg[256] = "";
    struct conn *c = conn_open(&u, NULL, deadline_in(5000), &err, msg, sizeof(msg));
    CHECK(c == NULL);
    CHECK_EQ(err, WS_ERR_CONNECT);
    char where[64];
    snprintf(where, sizeof(where), "connect to 127.0.0.1:%u: ", port);
    CHECK(contains(msg, where));
    CHECK(contains(msg, "refused"));
    printf("     message: %s\n", msg);
}

static void test_silent_peer_times_out(void) {
    struct peer p;
    CHECK(peer_start(&p, PEER_SILENT, NULL));
    struct ws_url u = loopback_url(false, "127.0.0.1", p.port);
    int err = 0;
    char msg[256];
    struct conn *c = conn_open(&u, NULL, deadline_in(5000), &err, msg, sizeof(msg));
    CHECK(c != NULL);
    if (c != NULL) {
        uint8_t buf[16];
        int64_t deadline = deadline_in(300);
        long n = conn_read(c, buf, sizeof(buf), deadline);
        int64_t end = clock_now_ms();
        CHECK_EQ(n, WS_ERR_TIMEOUT);
        CHECK(end >= deadline);
        CHECK(end <= deadline + scaled_ms(1000));

        deadline = deadline_in(200);
        CHECK_EQ(conn_wait_readable(c, deadline), 0);
        end = clock_now_ms();
        CHECK(end >= deadline);
        CHECK(end <= deadline + scaled_ms(1000));
        /* A deadline already passed: an immediate timeout. */
        CHECK_EQ(conn_read(c, buf, sizeof(buf), clock_now_ms() - 1), WS_ERR_TIMEOUT);
    }
    conn_close(c);
    peer_join(&p);
}

static void test_peer_closes(void) {
    struct peer p;
    CHECK(peer_start(&p, PEER_CLOSE, NULL));
    struct ws_url u = loopback_url(false, "127.0.0.1", p.port);
    int err = 0;
    char msg[256];
    struct conn *c = conn_open(&u, NULL, deadline_in(5000), &err, msg, sizeof(msg));
    CHECK(c != NULL);
    if (c != NULL) {
        uint8_t buf[16];
        CHECK_EQ(conn_wait_readable(c, deadline_in(5000)), 1); /* EOF counts */
        CHECK_EQ(conn_read(c, buf, sizeof(buf), deadline_in(5000)), 0);
        /* Writing to the closed peer: the first send may be accepted by our
         * kernel; the peer's RST makes a later one fail. No SIGPIPE. */
        int rc = 0;
        for (int i = 0; i < 100 && rc == 0; i++) {
            rc = conn_write_all(c, (const uint8_t *)"x", 1, deadline_in(1000));
            if (rc == 0)
                sleep_ms(10);
        }
        CHECK(rc == WS_ERR_RESET || rc == WS_ERR_IO);
        CHECK_EQ(rc, WS_ERR_RESET); /* EPIPE or ECONNRESET on Linux */
    }
    conn_close(c);
    peer_join(&p);
}

static void test_peer_resets(void) {
    struct peer p;
    CHECK(peer_start(&p, PEER_RESET, NULL));
    struct ws_url u = loopback_url(false, "127.0.0.1", p.port);
    int err = 0;
    char msg[256];
    struct conn *c = conn_open(&u, NULL, deadline_in(5000), &err, msg, sizeof(msg));
    CHECK(c != NULL);
    if (c != NULL)
        CHECK_EQ(conn_write_all(c, (const uint8_t *)"x", 1, deadline_in(5000)), 0);
    peer_join(&p); /* the RST has been sent */
    if (c != NULL) {
        uint8_t buf[16];
        long n = conn_read(c, buf, sizeof(buf), deadline_in(5000));
        CHECK(n == WS_ERR_RESET || n == 0);
        /* After the reset, reads and writes keep failing without a crash. */
        n = conn_read(c, buf, sizeof(buf), deadline_in(1000));
        CHECK(n == WS_ERR_RESET || n == 0);
        int rc = conn_write_all(c, (const uint8_t *)"x", 1, deadline_in(1000));
        CHECK(rc == WS_ERR_RESET || rc == WS_ERR_IO || rc == 0);
    }
    conn_close(c);
}

/* Connect deadline: a listener with backlog 0 that never accepts. After the
 * accept queue is full, Linux drops further SYNs, so a connect hangs. If the
 * kernel keeps accepting, the test is skipped. */
static void test_connect_deadline(void) {
    unsigned port = 0;
    int lfd = listen_loopback(0, &port);
    CHECK(lfd >= 0);
    if (lfd < 0)
        return;
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)port);
    int fillers[32];
    int filled = 0;
    bool stuck = false;
    while (filled < 32 && !stuck) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
            break;
        fillers[filled++] = fd;
        if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
            continue;
        struct pollfd pf = {.fd = fd, .events = POLLOUT, .revents = 0};
        if (poll(&pf, 1, 200) == 0)
            stuck = true;
    }
    if (!stuck) {
        printf("     skip: the kernel never left a connect hanging\n");
    } else {
        struct ws_url u = loopback_url(false, "127.0.0.1", port);
        int err = 0;
        char msg[256] = "";
        int64_t deadline = deadline_in(300);
        struct conn *c = conn_open(&u, NULL, deadline, &err, msg, sizeof(msg));
        int64_t end = clock_now_ms();
        CHECK(c == NULL);
        CHECK_EQ(err, WS_ERR_TIMEOUT);
        CHECK(contains(msg, "timed out"));
        CHECK(end >= deadline);
        CHECK(end <= deadline + scaled_ms(1000));
        conn_close(c);
    }
    for (int i = 0; i < filled; i++)
        close(fillers[i]);
    close(lfd);
}

static void test_bad_args(void) {
    int err = 0;
    char msg[64];
    CHECK(conn_open(NULL, NULL, -1, &err, msg, sizeof(msg)) == NULL);
    CHECK_EQ(err, WS_ERR_ARG);
    CHECK_EQ(conn_wait_readable(NULL, -1), WS_ERR_ARG);
    CHECK_EQ(conn_read(NULL, (uint8_t *)msg, 1, -1), WS_ERR_ARG);
    CHECK_EQ(conn_write_all(NULL, (const uint8_t *)"x", 1, -1), WS_ERR_ARG);
    CHECK(conn_tls_version(NULL) == NULL);
}

/* ---- TLS tests ---------------------------------------------------------- */

static char tls_dir[64];
static char cert_file[128];
static char key_file[128];

static bool make_certificate(void) {
    strcpy(tls_dir, "/tmp/wsspec_conn_test.XXXXXX");
    if (mkdtemp(tls_dir) == NULL)
        return false;
    snprintf(cert_file, sizeof(cert_file), "%s/cert.pem", tls_dir);
    snprintf(key_file, sizeof(key_file), "%s/key.pem", tls_dir);
    char cmd[512];
    snprintf(cmd, sizeof(cmd),
             "openssl req -x509 -newkey rsa:2048 -nodes -keyout %s -out %s -days 1 "
             "-subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 "
             ">/dev/null 2>&1",
             key_file, cert_file);
    return system(cmd) == 0;
}

static void remove_certificate(void) {
    unlink(cert_file);
    unlink(key_file);
    rmdir(tls_dir);
}

/* Open wss:// to a TLS echo peer with the given options, expecting rc. */
static void tls_attempt(SSL_CTX *server, const char *host, const struct tls_client_options *opt,
                        int expect, const char *expect_msg, const char *expect_sni) {
    struct peer p;
    CHECK(peer_start(&p, PEER_TLS_ECHO, server));
    struct ws_url u = loopback_url(true, host, p.port);
    int err = 1;
    char msg[256] = "";
    struct conn *c = conn_open(&u, opt, deadline_in(5000), &err, msg, sizeof(msg));
    CHECK_EQ(err, expect);
    if (err != expect)
        fprintf(stderr, "  host %s: %s\n", host, msg);
    if (expect != 0) {
        CHECK(c == NULL);
        CHECK(contains(msg, expect_msg));
        printf("     message: %s\n", msg);
    } else {
        CHECK(c != NULL);
    }
    if (c != NULL) {
        const char *version = conn_tls_version(c);
        CHECK(version != NULL && strncmp(version, "TLSv1.", 6) == 0 &&
              strchr(version, ' ') != NULL);
        const uint8_t hello[] = "hello over TLS";
        CHECK_EQ(conn_write_all(c, hello, sizeof(hello), deadline_in(5000)), 0);
        uint8_t back[sizeof(hello)];
        CHECK(read_exact(c, back, sizeof(back), deadline_in(5000)));
        CHECK_MEM(back, sizeof(back), hello, sizeof(hello));
        /* close_notify + FIN; the peer answers with its own and closes. */
        conn_shutdown_write(c);
        CHECK_EQ(conn_read(c, back, sizeof(back), deadline_in(5000)), 0);
    }
    conn_close(c);
    peer_join(&p);
    if (expect == 0)
        CHECK_STR(p.sni, expect_sni);
}

static bool localhost_is_ipv4_loopback(void) {
    struct addrinfo hints, *list = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo("localhost", "80", &hints, &list) != 0)
        return false;
    bool found = false;
    for (struct addrinfo *ai = list; ai; ai = ai->ai_next) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)ai->ai_addr;
        if (sin->sin_addr.s_addr == htonl(INADDR_LOOPBACK))
            found = true;
    }
    freeaddrinfo(list);
    return found;
}

static void test_tls(void) {
    if (!make_certificate()) {
        printf("     skip: `openssl req` could not make a test certificate\n");
        remove_certificate();
        return;
    }
    char msg[256] = "";
    SSL_CTX *server = tls_server_ctx_new(cert_file, key_file, msg, sizeof(msg));
    CHECK(server != NULL);
    if (server == NULL) {
        fprintf(stderr, "  tls_server_ctx_new: %s\n", msg);
        remove_certificate();
        return;
    }
    /* Verification on, system store only: our self-signed certificate is
     * rejected (6455:4.1 "If this fails (e.g., the server's certificate
     * could not be verified), then the client MUST _Fail the WebSocket
     * Connection_"). */
    struct tls_client_options verify_system = {NULL, false, NULL};
    tls_attempt(server, "127.0.0.1", &verify_system, WS_ERR_TLS_VERIFY, "verification failed",
                NULL);
    tls_attempt(server, "127.0.0.1", NULL, WS_ERR_TLS_VERIFY, "127.0.0.1:", NULL);
    /* Trusting the certificate: the IP address SAN (and, RFC 6066:3, no
     * SNI for an IP literal), then the DNS SAN with SNI (6455:4.1 "Clients
     * MUST use the Server Name Indication extension"). */
    struct tls_client_options trust = {cert_file, false, NULL};
    tls_attempt(server, "127.0.0.1", &trust, 0, NULL, "");
    if (localhost_is_ipv4_loopback())
        tls_attempt(server, "localhost", &trust, 0, NULL, "localhost");
    else
        printf("     skip: localhost does not resolve to 127.0.0.1\n");
    /* An explicit SNI is sent and verified instead of the URL's host. */
    struct tls_client_options sni_localhost = {cert_file, false, "localhost"};
    tls_attempt(server, "127.0.0.1", &sni_localhost, 0, NULL, "localhost");
    /* Trusted CA but the wrong name: the host check fails. */
    struct tls_client_options wrong_name = {cert_file, false, "wrong.example"};
    tls_attempt(server, "127.0.0.1", &wrong_name, WS_ERR_TLS_VERIFY, "mismatch", NULL);
    /* insecure: no verification at all. */
    struct tls_client_options insecure = {NULL, true, NULL};
    tls_attempt(server, "127.0.0.1", &insecure, 0, NULL, "");
    /* A CA file that does not exist. */
    struct tls_client_options missing = {"/nonexistent/ca.pem", false, NULL};
    struct peer p;
    CHECK(peer_start(&p, PEER_SILENT, NULL));
    struct ws_url u = loopback_url(true, "127.0.0.1", p.port);
    int err = 0;
    struct conn *c = conn_open(&u, &missing, deadline_in(5000), &err, msg, sizeof(msg));
    CHECK(c == NULL);
    CHECK_EQ(err, WS_ERR_TLS);
    CHECK(contains(msg, "/nonexistent/ca.pem"));
    peer_join(&p);

    /* Handshake against a peer that never answers: the deadline holds. */
    CHECK(peer_start(&p, PEER_SILENT, NULL));
    u = loopback_url(true, "127.0.0.1", p.port);
    int64_t deadline = deadline_in(300);
    c = conn_open(&u, &insecure, deadline, &err, msg, sizeof(msg));
    int64_t end = clock_now_ms();
    CHECK(c == NULL);
    CHECK_EQ(err, WS_ERR_TIMEOUT);
    CHECK(end >= deadline && end <= deadline + scaled_ms(1000));
    peer_join(&p);

    /* A plain echo peer mirrors our ClientHello: not TLS. */
    CHECK(peer_start(&p, PEER_ECHO, NULL));
    u = loopback_url(true, "127.0.0.1", p.port);
    c = conn_open(&u, &insecure, deadline_in(5000), &err, msg, sizeof(msg));
    CHECK(c == NULL);
    CHECK_EQ(err, WS_ERR_TLS);
    peer_join(&p);

    /* Bytes decrypted but not yet read are invisible to poll():
     * conn_wait_readable() must still say readable. */
    CHECK(peer_start(&p, PEER_TLS_BURST, server));
    u = loopback_url(true, "127.0.0.1", p.port);
    c = conn_open(&u, &trust, deadline_in(5000), &err, msg, sizeof(msg));
    CHECK(c != NULL);
    if (c != NULL) {
        uint8_t buf[200];
        CHECK_EQ(conn_read(c, buf, 10, deadline_in(5000)), 10);
        CHECK_EQ(buf[0], 'A');
        CHECK_EQ(conn_wait_readable(c, clock_now_ms()), 1);
        CHECK_EQ(conn_read(c, buf, sizeof(buf), clock_now_ms()), 90);
        CHECK_EQ(buf[0], 'A' + 10);
        CHECK_EQ(conn_wait_readable(c, deadline_in(100)), 0);
    }
    conn_close(c);
    peer_join(&p);

    /* Large TLS write: many records, partial writes. */
    CHECK(peer_start(&p, PEER_TLS_SINK, server));
    u = loopback_url(true, "127.0.0.1", p.port);
    c = conn_open(&u, &trust, deadline_in(5000), &err, msg, sizeof(msg));
    CHECK(c != NULL);
    size_t len = 1u << 20;
    uint8_t *data = calloc(1, len);
    if (c != NULL && data != NULL)
        CHECK_EQ(conn_write_all(c, data, len, deadline_in(20000)), 0);
    if (c != NULL) {
        /* close_notify + FIN, then drain (session tickets, the peer's
         * close_notify): closing with unread bytes would send an RST that
         * may discard data the sink has not read yet. */
        conn_shutdown_write(c);
        uint8_t drain[256];
        while (conn_read(c, drain, sizeof(drain), deadline_in(5000)) > 0) {
        }
    }
    conn_close(c);
    peer_join(&p);
    CHECK_EQ_U64(p.bytes, len);
    free(data);

    /* TCP close without close_notify reads as EOF; later writes fail
     * without SIGPIPE (OpenSSL's own socket BIO would raise it). */
    CHECK(peer_start(&p, PEER_TLS_DROP, server));
    u = loopback_url(true, "127.0.0.1", p.port);
    c = conn_open(&u, &trust, deadline_in(5000), &err, msg, sizeof(msg));
    CHECK(c != NULL);
    peer_join(&p);
    if (c != NULL) {
        uint8_t buf[16];
        CHECK_EQ(conn_read(c, buf, sizeof(buf), deadline_in(5000)), 0);
        int rc = 0;
        for (int i = 0; i < 100 && rc == 0; i++) {
            rc = conn_write_all(c, (const uint8_t *)"x", 1, deadline_in(1000));
            if (rc == 0)
                sleep_ms(10);
        }
        CHECK(rc == WS_ERR_RESET || rc == WS_ERR_IO || rc == WS_ERR_TLS);
    }
    conn_close(c);

    SSL_CTX_free(server);
    remove_certificate();
}

static void test_tls_server_ctx_errors(void) {
    char msg[256] = "";
    CHECK(tls_server_ctx_new("/nonexistent/cert.pem", "/nonexistent/key.pem", msg, sizeof(msg)) ==
          NULL);
    CHECK(contains(msg, "/nonexistent/cert.pem"));
    CHECK(tls_server_ctx_new(NULL, NULL, msg, sizeof(msg)) == NULL);
}

int main(void) {
    signal(SIGPIPE, SIG_DFL); /* a stray SIGPIPE must kill the test */
    RUN(test_echo_roundtrip);
    RUN(test_large_write);
    RUN(test_connect_refused);
    RUN(test_silent_peer_times_out);
    RUN(test_peer_closes);
    RUN(test_peer_resets);
    RUN(test_connect_deadline);
    RUN(test_bad_args);
    RUN(test_tls);
    RUN(test_tls_server_ctx_errors);
    TEST_EXIT();
}
