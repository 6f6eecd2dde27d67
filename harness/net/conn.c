/* conn: client connections (TCP, optionally TLS) in non-blocking mode with
 * one absolute deadline per call. See conn.h; the TLS details live in
 * tls.c.
 *
 * Name resolution uses getaddrinfo(), which cannot be given a deadline: a
 * slow resolver can overrun it. Every resolved address is tried in order,
 * all under the one deadline. */
#include "net/conn.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/errors.h"
#include "net/tls.h"

struct conn {
    int fd;
    SSL_CTX *ctx;      /* owned; NULL for ws:// */
    SSL *ssl;          /* owned; NULL for ws:// */
    bool write_shut;   /* conn_shutdown_write() was called */
    char tls_desc[96]; /* "TLSv1.3 TLS_AES_256_GCM_SHA384" */
};

static void set_err(int *err, int code) {
    if (err != NULL)
        *err = code;
}

/* "127.0.0.1:9" or "[::1]:9001", for messages. */
static void format_addr(const struct sockaddr *sa, socklen_t len, char *out, size_t cap) {
    char host[NI_MAXHOST];
    char serv[NI_MAXSERV];
    if (getnameinfo(sa, len, host, sizeof(host), serv, sizeof(serv),
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        snprintf(out, cap, "(unprintable address)");
        return;
    }
    if (sa->sa_family == AF_INET6)
        snprintf(out, cap, "[%s]:%s", host, serv);
    else
        snprintf(out, cap, "%s:%s", host, serv);
}

/* One connect attempt. Returns the connected non-blocking fd, or a
 * negative WS_ERR_CONNECT / WS_ERR_TIMEOUT with errmsg set. */
static int connect_one(const struct addrinfo *ai, int64_t deadline_ms, char *errmsg, size_t cap) {
    char where[NI_MAXHOST + NI_MAXSERV + 8];
    format_addr(ai->ai_addr, ai->ai_addrlen, where, sizeof(where));

    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
        snprintf(errmsg, cap, "socket for %s: %s", where, strerror(errno));
        return WS_ERR_CONNECT;
    }
    int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno != EINPROGRESS && errno != EINTR) {
        snprintf(errmsg, cap, "connect to %s: %s", where, strerror(errno));
        close(fd);
        return WS_ERR_CONNECT;
    }
    if (rc != 0) {
        int w = tls_wait_fd(fd, POLLOUT, deadline_ms);
        if (w == 0) {
            snprintf(errmsg, cap, "connect to %s: timed out", where);
            close(fd);
            return WS_ERR_TIMEOUT;
        }
        int so_error = 0;
        socklen_t so_len = sizeof(so_error);
        if (w < 0)
            so_error = errno;
        else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &so_len) != 0)
            so_error = errno;
        if (so_error != 0) {
            snprintf(errmsg, cap, "connect to %s: %s", where, strerror(so_error));
            close(fd);
            return WS_ERR_CONNECT;
        }
    }
    /* Frames go out as the case writes them; Nagle would merge and delay
     * them and blur the timing a case may depend on. */
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

/* Resolve and connect to the first address that answers. Returns the fd or
 * a negative code with errmsg set. */
static int tcp_connect(const struct ws_url *url, int64_t deadline_ms, char *errmsg, size_t cap) {
    char port[8];
    snprintf(port, sizeof(port), "%u", (unsigned)url->port);
    struct addrinfo hints;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = url->host_is_ipv6 ? AF_INET6 : AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    /* No AI_ADDRCONFIG: it hides ::1 on hosts whose only IPv6 address is
     * loopback; an unusable family just fails fast and the next is tried. */
    hints.ai_flags = AI_NUMERICSERV;
    struct addrinfo *list = NULL;
    int gai = getaddrinfo(url->host, port, &hints, &list);
    if (gai != 0) {
        snprintf(errmsg, cap, "resolve %s: %s", url->host,
                 gai == EAI_SYSTEM ? strerror(errno) : gai_strerror(gai));
        return WS_ERR_RESOLVE;
    }
    int rc = WS_ERR_CONNECT;
    int tried = 0;
    for (const struct addrinfo *ai = list; ai != NULL; ai = ai->ai_next) {
        tried++;
        rc = connect_one(ai, deadline_ms, errmsg, cap);
        if (rc >= 0 || rc == WS_ERR_TIMEOUT)
            break; /* a passed deadline leaves no time for the others */
    }
    freeaddrinfo(list);
    if (rc < 0 && tried > 1) {
        size_t used = strlen(errmsg);
        if (used < cap)
            snprintf(errmsg + used, cap - used, " (%d addresses tried)", tried);
    }
    return rc;
}

/* The TLS layer of a wss:// connection over c->fd. Returns 0 or a negative
 * code with errmsg set ("host:port: what failed"). */
static int tls_start(struct conn *c, const struct ws_url *url, const struct tls_client_options *tls,
                     int64_t deadline_ms, char *errmsg, size_t cap) {
    static const struct tls_client_options defaults = {NULL, false, NULL};
    const struct tls_client_options *opt = tls ? tls : &defaults;
    char tls_msg[256] = "";
    int rc = WS_ERR_TLS;
    /* 6455:4.1 "If /secure/ is true, the client MUST perform a TLS
     * handshake over the connection after opening the connection and
     * before sending the handshake data [RFC2818]." */
    c->ctx = tls_client_ctx_new(opt->ca_file, opt->insecure, tls_msg, sizeof(tls_msg));
    if (c->ctx == NULL)
        goto fail;
    c->ssl = tls_ssl_new(c->ctx, c->fd, tls_msg, sizeof(tls_msg));
    if (c->ssl == NULL)
        goto fail;
    rc = tls_client_set_host(c->ssl, url->host, opt->sni, tls_msg, sizeof(tls_msg));
    if (rc < 0)
        goto fail;
    rc = tls_handshake(c->ssl, c->fd, deadline_ms, tls_msg, sizeof(tls_msg));
    if (rc < 0)
        goto fail;
    tls_describe(c->ssl, c->tls_desc, sizeof(c->tls_desc));
    return 0;

fail:
    snprintf(errmsg, cap, "%s%s%s:%u: %s", url->host_is_ipv6 ? "[" : "", url->host,
             url->host_is_ipv6 ? "]" : "", (unsigned)url->port, tls_msg);
    return rc;
}

struct conn *conn_open(const struct ws_url *url, const struct tls_client_options *tls,
                       int64_t deadline_ms, int *err, char *errmsg, size_t errmsg_cap) {
    char scratch[256];
    if (errmsg == NULL || errmsg_cap == 0) {
        errmsg = scratch;
        errmsg_cap = sizeof(scratch);
    }
    errmsg[0] = '\0';
    if (url == NULL || url->host[0] == '\0') {
        set_err(err, WS_ERR_ARG);
        snprintf(errmsg, errmsg_cap, "conn_open: no URL");
        return NULL;
    }
    struct conn *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        set_err(err, WS_ERR_NOMEM);
        snprintf(errmsg, errmsg_cap, "conn_open: out of memory");
        return NULL;
    }
    c->fd = -1;

    int rc = tcp_connect(url, deadline_ms, errmsg, errmsg_cap);
    if (rc < 0)
        goto fail;
    c->fd = rc;

    if (url->secure) {
        rc = tls_start(c, url, tls, deadline_ms, errmsg, errmsg_cap);
        if (rc < 0)
            goto fail;
    }
    set_err(err, 0);
    return c;

fail:
    set_err(err, rc);
    conn_close(c);
    return NULL;
}

int conn_write_all(struct conn *c, const uint8_t *data, size_t len, int64_t deadline_ms) {
    if (c == NULL || (data == NULL && len > 0))
        return WS_ERR_ARG;
    if (c->write_shut)
        return WS_ERR_CLOSED;
    if (c->ssl != NULL)
        return tls_write_all(c->ssl, c->fd, data, len, deadline_ms);
    size_t done = 0;
    while (done < len) {
        ssize_t sent = send(c->fd, data + done, len - done, MSG_NOSIGNAL);
        if (sent > 0) {
            done += (size_t)sent;
            continue;
        }
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int w = tls_wait_fd(c->fd, POLLOUT, deadline_ms);
            if (w == 0)
                return WS_ERR_TIMEOUT;
            if (w < 0)
                return w;
            continue;
        }
        if (sent < 0 && (errno == EPIPE || errno == ECONNRESET))
            return WS_ERR_RESET;
        return WS_ERR_IO; /* errno tells the caller which */
    }
    return 0;
}

long conn_write_some(struct conn *c, const uint8_t *data, size_t len) {
    if (c == NULL || (data == NULL && len > 0))
        return WS_ERR_ARG;
    if (c->write_shut)
        return WS_ERR_CLOSED;
    if (len == 0)
        return 0;
    if (len > 0x7fffffff)
        len = 0x7fffffff;
    if (c->ssl != NULL)
        return tls_write_some(c->ssl, data, len);
    for (;;) {
        ssize_t sent = send(c->fd, data, len, MSG_NOSIGNAL);
        if (sent >= 0)
            return (long)sent;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        if (errno == EPIPE || errno == ECONNRESET)
            return WS_ERR_RESET;
        return WS_ERR_IO;
    }
}

int conn_wait_io(struct conn *c, bool want_write, int64_t deadline_ms) {
    if (c == NULL)
        return WS_ERR_ARG;
    if (tls_has_pending(c->ssl))
        return 1 | (want_write ? 2 : 0);
    for (;;) {
        struct pollfd p = {.fd = c->fd, .events = POLLIN | (want_write ? POLLOUT : 0)};
        int rc = poll(&p, 1, clock_remaining_ms(deadline_ms));
        if (rc == 0)
            return 0;
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            return WS_ERR_IO;
        }
        int bits = 0;
        if (p.revents & (POLLIN | POLLHUP | POLLERR))
            bits |= 1;
        if (p.revents & (POLLOUT | POLLERR))
            bits |= want_write ? 2 : 0;
        return bits ? bits : 1;
    }
}

long conn_read(struct conn *c, uint8_t *buf, size_t cap, int64_t deadline_ms) {
    if (c == NULL || buf == NULL || cap == 0)
        return WS_ERR_ARG;
    if (c->ssl != NULL)
        return tls_read(c->ssl, c->fd, buf, cap, deadline_ms);
    if (cap > 0x7fffffff)
        cap = 0x7fffffff; /* the result must fit a long everywhere */
    for (;;) {
        ssize_t got = recv(c->fd, buf, cap, 0);
        if (got >= 0)
            return (long)got;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            int w = tls_wait_fd(c->fd, POLLIN, deadline_ms);
            if (w == 0)
                return WS_ERR_TIMEOUT;
            if (w < 0)
                return w;
            continue;
        }
        if (errno == ECONNRESET || errno == EPIPE)
            return WS_ERR_RESET;
        return WS_ERR_IO;
    }
}

int conn_wait_readable(struct conn *c, int64_t deadline_ms) {
    if (c == NULL)
        return WS_ERR_ARG;
    /* Bytes OpenSSL already pulled off the socket are invisible to poll(). */
    if (tls_has_pending(c->ssl))
        return 1;
    return tls_wait_fd(c->fd, POLLIN, deadline_ms);
}

void conn_shutdown_write(struct conn *c) {
    if (c == NULL || c->write_shut)
        return;
    c->write_shut = true;
    /* Over TLS, close_notify first, so the peer sees an orderly TLS close
     * rather than a truncated stream; reading continues to work. */
    tls_shutdown_once(c->ssl);
    (void)shutdown(c->fd, SHUT_WR);
}

void conn_close(struct conn *c) {
    if (c == NULL)
        return;
    if (c->ssl != NULL) {
        if (!c->write_shut)
            tls_shutdown_once(c->ssl);
        SSL_free(c->ssl);
    }
    SSL_CTX_free(c->ctx);
    if (c->fd >= 0)
        close(c->fd);
    free(c);
}

int conn_fd(const struct conn *c) {
    return c != NULL ? c->fd : -1;
}

const char *conn_tls_version(const struct conn *c) {
    if (c == NULL || c->ssl == NULL || c->tls_desc[0] == '\0')
        return NULL;
    return c->tls_desc;
}
