/* refserver: the I/O side of the reference server: the listening socket, one
 * level-triggered epoll loop, accepting, non-blocking TLS, per-connection
 * output queues, timeouts and the stop pipe. The protocol itself is in
 * refserver_conn.c, which never touches a socket.
 *
 * Per connection (enum io_state):
 *
 *   TLS_ACCEPT --done--> ACTIVE --proto says CLOSE--> CLOSING --drained--> LINGER --EOF--> gone
 *                           \--proto says WAIT_EOF--> WAIT_EOF --EOF--> gone
 *
 * CLOSING writes what is queued (the close frame last), then LINGER shuts
 * our sending side (TCP FIN: the server closes first, 6455:7.1.1) and reads
 * and discards until the client's FIN, so the client never gets a reset
 * that could destroy the close frame in flight. Every state but ACTIVE with
 * an open WebSocket has a deadline; a misbehaving client costs one
 * connection, never the server. */
#define _GNU_SOURCE /* accept4, pipe2 */
#include "refserver/refserver.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/errors.h"
#include "net/tls.h"
#include "refserver/refserver_conn.h"

enum {
    READ_CHUNK = 64 * 1024,
    READS_PER_WAKEUP = 16,        /* plain sockets: fairness between connections */
    READ_HIGH_WATER = 1 << 20,    /* stop reading while this much output waits */
    HANDSHAKE_TIMEOUT_MS = 10000, /* TCP accept to the end of the opening handshake */
    CLOSING_TIMEOUT_MS = 2000,    /* closing states, each connection */
    WAIT_EOF_TIMEOUT_MS = 10000,  /* a fault waits this long for the client's TCP close */
    GO_AWAY_WAIT_MS = 1000,       /* on stop: wait this long for the client's close */
    STOP_GRACE_MS = 3000,         /* on stop: everything is gone after this */
    SWEEP_INTERVAL_MS = 100,
    MAX_EVENTS = 64,
    ACCEPTS_PER_WAKEUP = 64,
    ACCEPT_PAUSE_MS = 100, /* after EMFILE and friends */
};

#define DEFAULT_MAX_MESSAGE ((uint64_t)64 << 20)
#define FAULT_MESSAGE_CAP   ((uint64_t)1 << 30)
#define OUT_CAP_EXTRA       ((uint64_t)1 << 20)

enum io_state {
    IO_TLS_ACCEPT, /* TLS handshake in progress */
    IO_ACTIVE,     /* input goes to the protocol */
    IO_CLOSING,    /* writing the last output, then shutting down our side */
    IO_LINGER,     /* our side is shut: discard input until the client's EOF */
    IO_WAIT_EOF,   /* a fault keeps the TCP open until the client closes it */
};

/* conn_recv / conn_send results besides a byte count. */
enum { IO_AGAIN = -1, IO_ERROR = -2 };

struct rs_conn {
    struct rs_conn *prev, *next;
    int fd;
    SSL *ssl;
    enum io_state state;
    bool dead;
    uint32_t events;       /* epoll interest registered */
    bool read_wants_write; /* TLS: SSL_read/SSL_accept needs the socket writable */
    bool write_wants_read; /* TLS: SSL_write needs the socket readable */
    struct buf out;        /* output queue; bytes before out_off are sent */
    size_t out_off;
    int64_t handshake_deadline;
    int64_t go_away_deadline; /* -1 unless the server sent 1001 */
    int64_t closing_deadline; /* -1 until a closing state */
    uint64_t id;
    char peer[80];
    struct rs_proto proto;
};

struct refserver {
    struct rs_config cfg;
    bool quiet;
    int listen_fd;
    int epoll_fd;
    int stop_rd, stop_wr;
    uint16_t port;
    SSL_CTX *tls;
    uint8_t *rbuf;    /* one read buffer for all connections, parsed in place */
    uint64_t out_cap; /* hard cap on one connection's output queue */
    struct rs_conn *conns;
    struct rs_conn *graveyard; /* killed during this batch of events; freed after it */
    uint64_t next_id;
    bool stopping;
    int64_t stop_deadline;
    int64_t next_sweep;
    int64_t accept_resume; /* >= 0 while accepting is paused */
};

static void log_conn(const struct refserver *s, const struct rs_conn *c, const char *what) {
    if (!s->quiet)
        fprintf(stderr, "wsspec serve: #%llu %s: %s\n", (unsigned long long)c->id, c->peer, what);
}

static size_t out_pending(const struct rs_conn *c) {
    return c->out.len - c->out_off;
}

/* ---- transport ------------------------------------------------------------ */

static long conn_recv(struct rs_conn *c, uint8_t *buf, size_t cap) {
    if (c->ssl == NULL || c->state == IO_LINGER) {
        for (;;) {
            ssize_t n = recv(c->fd, buf, cap, 0);
            if (n >= 0)
                return (long)n;
            if (errno == EINTR)
                continue;
            return (errno == EAGAIN || errno == EWOULDBLOCK) ? IO_AGAIN : IO_ERROR;
        }
    }
    size_t got = 0;
    c->read_wants_write = false;
    ERR_clear_error();
    if (SSL_read_ex(c->ssl, buf, cap, &got) == 1)
        return (long)got;
    switch (SSL_get_error(c->ssl, 0)) {
    case SSL_ERROR_WANT_READ: return IO_AGAIN;
    case SSL_ERROR_WANT_WRITE: c->read_wants_write = true; return IO_AGAIN;
    case SSL_ERROR_ZERO_RETURN: return 0;
    default:
        /* SSL_OP_IGNORE_UNEXPECTED_EOF makes a bare TCP close a ZERO_RETURN. */
        ERR_clear_error();
        return IO_ERROR;
    }
}

static long conn_send(struct rs_conn *c, const uint8_t *data, size_t len) {
    if (c->ssl == NULL) {
        for (;;) {
            ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL);
            if (n >= 0)
                return (long)n;
            if (errno == EINTR)
                continue;
            return (errno == EAGAIN || errno == EWOULDBLOCK) ? IO_AGAIN : IO_ERROR;
        }
    }
    /* The queue only grows between attempts, so a retried SSL_write always
     * gets at least the length it got before, as OpenSSL requires. */
    size_t sent = 0;
    c->write_wants_read = false;
    ERR_clear_error();
    if (SSL_write_ex(c->ssl, data, len, &sent) == 1)
        return (long)sent;
    switch (SSL_get_error(c->ssl, 0)) {
    case SSL_ERROR_WANT_WRITE: return IO_AGAIN;
    case SSL_ERROR_WANT_READ: c->write_wants_read = true; return IO_AGAIN;
    default: ERR_clear_error(); return IO_ERROR;
    }
}

/* Write as much of the queue as the socket takes. Returns 0 or IO_ERROR. */
static int flush(struct rs_conn *c) {
    while (out_pending(c) > 0) {
        long n = conn_send(c, c->out.data + c->out_off, out_pending(c));
        if (n == IO_AGAIN)
            break;
        if (n < 0)
            return IO_ERROR;
        c->out_off += (size_t)n;
    }
    if (out_pending(c) == 0) {
        buf_clear(&c->out);
        c->out_off = 0;
    } else if (c->out_off >= READ_HIGH_WATER && c->out_off >= c->out.len / 2) {
        buf_consume(&c->out, c->out_off); /* amortised: moves at most what was sent */
        c->out_off = 0;
    }
    return 0;
}

/* ---- connection lifetime --------------------------------------------------- */

static void unlink_conn(struct refserver *s, struct rs_conn *c) {
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
}

/* End a connection now. Its memory lives until the current batch of epoll
 * events is done, as a later event of the batch may still point at it. */
static void kill_conn(struct refserver *s, struct rs_conn *c, const char *why) {
    if (c->dead)
        return;
    if (!s->quiet) {
        char line[320];
        snprintf(line, sizeof line, "%s (%s)", c->proto.note, why);
        log_conn(s, c, line);
    }
    if (out_pending(c) > 0 && c->state != IO_LINGER)
        (void)flush(c); /* best effort: e.g. a close reply before the peer's EOF */
    epoll_ctl(s->epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
    if (c->ssl)
        SSL_free(c->ssl);
    c->ssl = NULL;
    close(c->fd);
    c->fd = -1;
    rs_proto_free(&c->proto);
    buf_free(&c->out);
    c->dead = true;
    unlink_conn(s, c);
    c->next = s->graveyard;
    s->graveyard = c;
}

static void bury(struct refserver *s) {
    while (s->graveyard) {
        struct rs_conn *c = s->graveyard;
        s->graveyard = c->next;
        free(c);
    }
}

static bool wants_input(const struct rs_conn *c) {
    switch (c->state) {
    case IO_ACTIVE: return c->proto.disp == RS_DISP_KEEP && out_pending(c) < READ_HIGH_WATER;
    case IO_WAIT_EOF: return out_pending(c) < READ_HIGH_WATER;
    case IO_LINGER: return true;
    case IO_TLS_ACCEPT:
    case IO_CLOSING: break;
    }
    return false;
}

static void update_interest(struct refserver *s, struct rs_conn *c) {
    uint32_t ev = 0;
    if (c->state == IO_TLS_ACCEPT) {
        ev = c->read_wants_write ? EPOLLOUT : EPOLLIN;
    } else {
        if (wants_input(c) || c->write_wants_read)
            ev |= EPOLLIN;
        if (out_pending(c) > 0 || c->read_wants_write)
            ev |= EPOLLOUT;
    }
    if (ev == c->events)
        return;
    struct epoll_event e = {.events = ev, .data.ptr = c};
    if (epoll_ctl(s->epoll_fd, EPOLL_CTL_MOD, c->fd, &e) == 0)
        c->events = ev;
}

static int64_t conn_deadline(const struct rs_conn *c) {
    if (c->state == IO_TLS_ACCEPT || c->proto.phase == RS_PH_HANDSHAKE)
        return c->handshake_deadline;
    if (c->state != IO_ACTIVE)
        return c->closing_deadline;
    return c->go_away_deadline;
}

/* A fuzz-only fault's trigger was reached on c (refserver_fuzzfaults.h):
 * the server crashes or hangs here, in the event loop, so that only a
 * process running it (`wsspec serve`) does. Said on stderr even when quiet:
 * it is what a fuzzer's crash oracle shows. */
static void fuzz_fault_strikes(struct refserver *s, struct rs_conn *c) {
    uint8_t hit = c->proto.fuzz.hit;
    c->proto.fuzz.hit = RS_FUZZ_NONE;
    fprintf(stderr, "wsspec serve: %s: %s\n", c->proto.note,
            hit == RS_FUZZ_CRASH ? "aborting" : "serving nothing until stopped");
    if (hit == RS_FUZZ_CRASH)
        abort();
    /* fuzz-hang: the whole loop blocks, so no connection is read, answered
     * or accepted, until a stop is requested (SIGTERM, SIGINT); the stop
     * pipe is left unread for the loop, which then stops as usual. */
    struct pollfd stop = {.fd = s->stop_rd, .events = POLLIN};
    while (poll(&stop, 1, -1) <= 0 || !(stop.revents & POLLIN)) {
    }
}

/* Read until the socket is empty, the output backs up, or the protocol
 * wants the connection closed. Returns false when c was killed. */
static bool read_input(struct refserver *s, struct rs_conn *c) {
    for (int i = 0; wants_input(c) && (c->ssl != NULL || i < READS_PER_WAKEUP); i++) {
        enum io_state before = c->state;
        long n = conn_recv(c, s->rbuf, READ_CHUNK);
        if (n == IO_AGAIN)
            break;
        if (n == 0) {
            kill_conn(s, c, before == IO_LINGER ? "closed" : "client closed TCP");
            return false;
        }
        if (n < 0) {
            kill_conn(s, c, "read failed or connection reset");
            return false;
        }
        if (before == IO_LINGER)
            continue; /* 6455:5.5.1 nothing after the close is looked at */
        int rc = rs_proto_input(&c->proto, s->rbuf, (size_t)n, &c->out);
        if (c->proto.fuzz.hit != RS_FUZZ_NONE)
            fuzz_fault_strikes(s, c);
        if (rc != 0) {
            kill_conn(s, c, ws_strerror(rc));
            return false;
        }
        if ((uint64_t)out_pending(c) > s->out_cap) {
            kill_conn(s, c, "output queue over its cap");
            return false;
        }
    }
    return true;
}

/* Move the connection along after I/O: closing states follow the
 * protocol's disposition, the write side is shut once the close is out. */
static void advance(struct rs_conn *c) {
    int64_t now = clock_now_ms();
    if (c->state == IO_ACTIVE && c->proto.disp == RS_DISP_WAIT_EOF) {
        /* Far longer than CLOSING_TIMEOUT_MS, so a client sees plainly that
         * the server does not close first. */
        c->state = IO_WAIT_EOF;
        c->closing_deadline = now + WAIT_EOF_TIMEOUT_MS;
    }
    if ((c->state == IO_ACTIVE || c->state == IO_WAIT_EOF) && c->proto.disp == RS_DISP_CLOSE) {
        c->state = IO_CLOSING;
        if (c->closing_deadline < 0)
            c->closing_deadline = now + CLOSING_TIMEOUT_MS;
    }
    if (c->state == IO_CLOSING && out_pending(c) == 0) {
        /* 6455:7.1.1 "when a server is instructed to _Close the
         * WebSocket Connection_ it SHOULD initiate a TCP Close
         * immediately" ... "one would call shutdown() with SHUT_WR on the
         * socket, call recv() until obtaining a return value of 0": FIN
         * now, the client's FIN ends LINGER. */
        if (c->ssl)
            tls_shutdown_once(c->ssl);
        shutdown(c->fd, SHUT_WR);
        c->state = IO_LINGER;
        c->read_wants_write = c->write_wants_read = false;
    }
}

static void service(struct refserver *s, struct rs_conn *c) {
    if (c->state == IO_TLS_ACCEPT) {
        c->read_wants_write = false;
        ERR_clear_error();
        int r = SSL_accept(c->ssl);
        if (r != 1) {
            int e = SSL_get_error(c->ssl, r);
            if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
                char why[200];
                unsigned long code = ERR_get_error();
                snprintf(why, sizeof why, "TLS handshake failed: %s",
                         code ? ERR_reason_error_string(code) : "connection closed");
                ERR_clear_error();
                kill_conn(s, c, why);
                return;
            }
            c->read_wants_write = e == SSL_ERROR_WANT_WRITE;
            update_interest(s, c);
            return;
        }
        c->state = IO_ACTIVE;
    }
    if (flush(c) != 0) {
        kill_conn(s, c, "write failed");
        return;
    }
    advance(c);
    if (!read_input(s, c))
        return;
    if (flush(c) != 0) {
        kill_conn(s, c, "write failed");
        return;
    }
    advance(c);
    /* The FIN went out with nothing left to say: the LINGER read may have
     * work now (plain sockets report EOF through EPOLLIN anyway). */
    update_interest(s, c);
}

static void add_conn(struct refserver *s, int fd, const struct sockaddr *sa, socklen_t sa_len) {
    struct rs_conn *c = calloc(1, sizeof *c);
    if (c == NULL) {
        close(fd);
        return;
    }
    c->fd = fd;
    c->id = ++s->next_id;
    c->handshake_deadline = clock_now_ms() + HANDSHAKE_TIMEOUT_MS;
    c->go_away_deadline = -1;
    c->closing_deadline = -1;
    char host[64] = "?", serv[16] = "?";
    if (getnameinfo(sa, sa_len, host, sizeof host, serv, sizeof serv,
                    NI_NUMERICHOST | NI_NUMERICSERV) == 0)
        snprintf(c->peer, sizeof c->peer, "%s:%s", host, serv);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* echoes are small and prompt */
    rs_proto_init(&c->proto, &s->cfg);
    c->state = IO_ACTIVE;
    if (s->tls) {
        char err[256];
        c->ssl = tls_ssl_new(s->tls, fd, err, sizeof err);
        if (c->ssl == NULL) {
            if (!s->quiet)
                fprintf(stderr, "wsspec serve: %s\n", err);
            rs_proto_free(&c->proto);
            close(fd);
            free(c);
            return;
        }
        c->state = IO_TLS_ACCEPT;
    }
    struct epoll_event e = {.events = EPOLLIN, .data.ptr = c};
    if (epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, fd, &e) != 0) {
        if (c->ssl)
            SSL_free(c->ssl);
        rs_proto_free(&c->proto);
        close(fd);
        free(c);
        return;
    }
    c->events = EPOLLIN;
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    log_conn(s, c, "connected");
}

static void set_listen_interest(struct refserver *s, uint32_t events) {
    struct epoll_event e = {.events = events, .data.ptr = &s->listen_fd};
    epoll_ctl(s->epoll_fd, EPOLL_CTL_MOD, s->listen_fd, &e);
}

static void accept_clients(struct refserver *s) {
    for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++) {
        struct sockaddr_storage ss;
        socklen_t ss_len = sizeof ss;
        int fd =
            accept4(s->listen_fd, (struct sockaddr *)&ss, &ss_len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            add_conn(s, fd, (struct sockaddr *)&ss, ss_len);
            continue;
        }
        if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
            continue;
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
            /* Level-triggered: without a pause the loop would spin. */
            if (!s->quiet)
                fprintf(stderr, "wsspec serve: accept: %s; pausing\n", strerror(errno));
            set_listen_interest(s, 0);
            s->accept_resume = clock_now_ms() + ACCEPT_PAUSE_MS;
        }
        return;
    }
}

static void begin_stop(struct refserver *s) {
    int64_t now = clock_now_ms();
    s->stopping = true;
    s->stop_deadline = now + STOP_GRACE_MS;
    if (s->listen_fd >= 0) {
        epoll_ctl(s->epoll_fd, EPOLL_CTL_DEL, s->listen_fd, NULL);
        close(s->listen_fd);
        s->listen_fd = -1;
    }
    struct rs_conn *next;
    for (struct rs_conn *c = s->conns; c; c = next) {
        next = c->next;
        if (c->state == IO_TLS_ACCEPT || c->proto.phase == RS_PH_HANDSHAKE) {
            kill_conn(s, c, "server stopping");
        } else if (c->state == IO_ACTIVE && rs_proto_go_away(&c->proto, &c->out)) {
            c->go_away_deadline = now + GO_AWAY_WAIT_MS;
            service(s, c);
        }
    }
}

static void sweep(struct refserver *s) {
    int64_t now = clock_now_ms();
    if (s->accept_resume >= 0 && now >= s->accept_resume && s->listen_fd >= 0) {
        set_listen_interest(s, EPOLLIN);
        s->accept_resume = -1;
    }
    struct rs_conn *next;
    for (struct rs_conn *c = s->conns; c; c = next) {
        next = c->next;
        int64_t deadline = conn_deadline(c);
        if (s->stopping && now >= s->stop_deadline)
            kill_conn(s, c, "server stopped");
        else if (deadline >= 0 && now >= deadline)
            kill_conn(s, c,
                      c->state == IO_ACTIVE && c->proto.phase != RS_PH_HANDSHAKE
                          ? "no close frame from the client in time"
                          : "timed out");
    }
}

int refserver_run(struct refserver *s) {
    struct epoll_event events[MAX_EVENTS];
    for (;;) {
        if (s->stopping && s->conns == NULL)
            return 0;
        int n = epoll_wait(s->epoll_fd, events, MAX_EVENTS, SWEEP_INTERVAL_MS);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return WS_ERR_IO;
        }
        for (int i = 0; i < n; i++) {
            void *tag = events[i].data.ptr;
            if (tag == &s->stop_rd) {
                char drain[64];
                while (read(s->stop_rd, drain, sizeof drain) > 0) {
                }
                if (!s->stopping)
                    begin_stop(s);
            } else if (tag == &s->listen_fd) {
                if (!s->stopping)
                    accept_clients(s);
            } else {
                struct rs_conn *c = tag;
                if (!c->dead)
                    service(s, c);
            }
        }
        bury(s);
        int64_t now = clock_now_ms();
        if (now >= s->next_sweep) {
            sweep(s);
            bury(s);
            s->next_sweep = now + SWEEP_INTERVAL_MS;
        }
    }
}

void refserver_request_stop(struct refserver *s) {
    char one = 1;
    ssize_t r = write(s->stop_wr, &one, 1); /* async-signal-safe; full pipe = already asked */
    (void)r;
}

uint16_t refserver_port(const struct refserver *s) {
    return s->port;
}

/* ---- setup ------------------------------------------------------------------ */

/* Bind and listen on host:port. Returns 0, WS_ERR_RESOLVE or WS_ERR_IO (no
 * address could be bound), with errmsg set. */
static int open_listener(struct refserver *s, const char *host, uint16_t port, char *errmsg,
                         size_t cap) {
    char port_text[8];
    snprintf(port_text, sizeof port_text, "%u", (unsigned)port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *list = NULL;
    int gai = getaddrinfo(host, port_text, &hints, &list);
    if (gai != 0) {
        snprintf(errmsg, cap, "cannot resolve %s: %s", host, gai_strerror(gai));
        return WS_ERR_RESOLVE;
    }
    int saved = 0;
    for (struct addrinfo *ai = list; ai; ai = ai->ai_next) {
        int fd =
            socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, SOMAXCONN) == 0) {
            struct sockaddr_storage ss;
            socklen_t len = sizeof ss;
            if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0) {
                s->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                         : ((struct sockaddr_in *)&ss)->sin_port);
            }
            freeaddrinfo(list);
            s->listen_fd = fd;
            return 0;
        }
        saved = errno;
        close(fd);
    }
    freeaddrinfo(list);
    snprintf(errmsg, cap, "cannot listen on %s port %u: %s", host, (unsigned)port, strerror(saved));
    return WS_ERR_IO;
}

static int add_tagged(struct refserver *s, int fd, void *tag) {
    struct epoll_event e = {.events = EPOLLIN, .data.ptr = tag};
    return epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, fd, &e);
}

struct refserver *refserver_new(const struct refserver_options *opts, char *errmsg,
                                size_t errmsg_cap) {
    struct refserver *s = calloc(1, sizeof *s);
    if (s == NULL) {
        snprintf(errmsg, errmsg_cap, "out of memory");
        return NULL;
    }
    s->listen_fd = s->epoll_fd = s->stop_rd = s->stop_wr = -1;
    s->accept_resume = -1;
    s->quiet = opts->quiet;
    s->cfg.faults = opts->faults;
    s->cfg.chatter = opts->chatter;
    s->cfg.max_message = opts->max_message ? opts->max_message : DEFAULT_MAX_MESSAGE;
    s->cfg.message_cap = s->cfg.max_message;
    if (fault_on(opts->faults, FAULT_IGNORE_MESSAGE_LIMIT) &&
        s->cfg.message_cap < FAULT_MESSAGE_CAP)
        s->cfg.message_cap = FAULT_MESSAGE_CAP;
    s->cfg.deflate = !opts->no_deflate;
    s->cfg.inflate_cap = s->cfg.message_cap;
    if (fault_on(opts->faults, FAULT_INFLATE_UNBOUNDED) && s->cfg.inflate_cap < FAULT_MESSAGE_CAP)
        s->cfg.inflate_cap = FAULT_MESSAGE_CAP;
    /* Room for one echo plus what arrives while it drains: 2 x cap + 1 MiB.
     * A compressed echo of a message within inflate_cap is smaller than it
     * (stored blocks add 5 octets in 65535). */
    uint64_t echo_cap = s->cfg.inflate_cap + (s->cfg.inflate_cap >> 10);
    if (echo_cap < s->cfg.inflate_cap)
        echo_cap = UINT64_MAX;
    s->out_cap = UINT64_MAX;
    if (echo_cap <= (UINT64_MAX - OUT_CAP_EXTRA) / 2)
        s->out_cap = 2 * echo_cap + OUT_CAP_EXTRA;

    if ((opts->tls_cert == NULL) != (opts->tls_key == NULL)) {
        snprintf(errmsg, errmsg_cap, "--tls-cert and --tls-key must be given together");
        goto fail;
    }
    if (opts->tls_cert) {
        s->tls = tls_server_ctx_new(opts->tls_cert, opts->tls_key, errmsg, errmsg_cap);
        if (s->tls == NULL)
            goto fail;
    }
    if (open_listener(s, opts->host ? opts->host : "127.0.0.1", opts->port, errmsg, errmsg_cap) !=
        0)
        goto fail;
    int pipe_fds[2];
    s->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (s->epoll_fd < 0 || pipe2(pipe_fds, O_NONBLOCK | O_CLOEXEC) != 0) {
        snprintf(errmsg, errmsg_cap, "epoll/pipe: %s", strerror(errno));
        goto fail;
    }
    s->stop_rd = pipe_fds[0];
    s->stop_wr = pipe_fds[1];
    if (add_tagged(s, s->listen_fd, &s->listen_fd) != 0 ||
        add_tagged(s, s->stop_rd, &s->stop_rd) != 0) {
        snprintf(errmsg, errmsg_cap, "epoll_ctl: %s", strerror(errno));
        goto fail;
    }
    s->rbuf = malloc(READ_CHUNK);
    if (s->rbuf == NULL) {
        snprintf(errmsg, errmsg_cap, "out of memory");
        goto fail;
    }
    s->next_sweep = clock_now_ms() + SWEEP_INTERVAL_MS;
    return s;

fail:
    refserver_free(s);
    return NULL;
}

void refserver_free(struct refserver *s) {
    if (s == NULL)
        return;
    while (s->conns)
        kill_conn(s, s->conns, "server freed");
    bury(s);
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    if (s->epoll_fd >= 0)
        close(s->epoll_fd);
    if (s->stop_rd >= 0)
        close(s->stop_rd);
    if (s->stop_wr >= 0)
        close(s->stop_wr);
    if (s->tls)
        SSL_CTX_free(s->tls);
    free(s->rbuf);
    free(s);
}
