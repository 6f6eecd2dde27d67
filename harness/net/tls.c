/* tls: OpenSSL contexts, a MSG_NOSIGNAL socket BIO, and handshake, read and
 * write loops driven by poll() against an absolute deadline. See tls.h. */
#include "net/tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "base/clock.h"
#include "base/errors.h"

/* ---- the socket BIO ---------------------------------------------------
 * OpenSSL's own socket BIO writes with write(), which raises SIGPIPE on a
 * socket the peer has reset. Ours uses send(MSG_NOSIGNAL) and remembers the
 * errno of the last failed call, as OpenSSL may clobber errno before
 * SSL_get_error() is consulted. */

struct sock_bio {
    int fd;
    int last_errno;
};

static BIO_METHOD *sock_bio_method;
static pthread_once_t sock_bio_once = PTHREAD_ONCE_INIT;

static bool errno_is_retry(int e) {
    return e == EAGAIN || e == EWOULDBLOCK || e == EINTR;
}

static int sock_bio_write(BIO *b, const char *data, int len) {
    struct sock_bio *sb = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    if (len <= 0)
        return 0;
    ssize_t sent = send(sb->fd, data, (size_t)len, MSG_NOSIGNAL);
    if (sent < 0) {
        sb->last_errno = errno;
        if (errno_is_retry(errno))
            BIO_set_retry_write(b);
        return -1;
    }
    return (int)sent;
}

static int sock_bio_read(BIO *b, char *buf, int len) {
    struct sock_bio *sb = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    if (len <= 0)
        return 0;
    ssize_t got = recv(sb->fd, buf, (size_t)len, 0);
    if (got < 0) {
        sb->last_errno = errno;
        if (errno_is_retry(errno))
            BIO_set_retry_read(b);
        return -1;
    }
    return (int)got;
}

static long sock_bio_ctrl(BIO *b, int cmd, long num, void *ptr) {
    struct sock_bio *sb = BIO_get_data(b);
    (void)num;
    switch (cmd) {
    case BIO_CTRL_FLUSH: return 1; /* nothing is buffered here */
    case BIO_C_GET_FD:
        if (sb == NULL)
            return -1;
        if (ptr != NULL)
            *(int *)ptr = sb->fd;
        return sb->fd;
    default: return 0;
    }
}

static int sock_bio_create(BIO *b) {
    BIO_set_data(b, NULL);
    BIO_set_init(b, 0);
    return 1;
}

static int sock_bio_destroy(BIO *b) {
    free(BIO_get_data(b));
    BIO_set_data(b, NULL);
    BIO_set_init(b, 0);
    return 1;
}

static void sock_bio_method_init(void) {
    int type = BIO_get_new_index() | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR;
    BIO_METHOD *m = BIO_meth_new(type, "wsspec socket (MSG_NOSIGNAL)");
    if (m == NULL)
        return;
    if (BIO_meth_set_write(m, sock_bio_write) != 1 || BIO_meth_set_read(m, sock_bio_read) != 1 ||
        BIO_meth_set_ctrl(m, sock_bio_ctrl) != 1 || BIO_meth_set_create(m, sock_bio_create) != 1 ||
        BIO_meth_set_destroy(m, sock_bio_destroy) != 1) {
        BIO_meth_free(m);
        return;
    }
    sock_bio_method = m;
}

static int bio_errno(const SSL *ssl) {
    BIO *b = SSL_get_rbio(ssl);
    struct sock_bio *sb = b ? BIO_get_data(b) : NULL;
    return sb ? sb->last_errno : 0;
}

static void bio_errno_clear(const SSL *ssl) {
    BIO *b = SSL_get_rbio(ssl);
    struct sock_bio *sb = b ? BIO_get_data(b) : NULL;
    if (sb)
        sb->last_errno = 0;
}

/* ---- messages --------------------------------------------------------- */

/* "what: OpenSSL's reason" into errmsg, and empty the error queue. */
static void set_ssl_error(char *errmsg, size_t cap, const char *what) {
    unsigned long code = ERR_peek_last_error();
    const char *reason = code ? ERR_reason_error_string(code) : NULL;
    char num[32];
    if (code && reason == NULL) {
        snprintf(num, sizeof(num), "OpenSSL error %lx", code);
        reason = num;
    }
    if (errmsg != NULL && cap > 0)
        snprintf(errmsg, cap, "%s%s%s", what, reason ? ": " : "", reason ? reason : "");
    ERR_clear_error();
}

static void set_msg(char *errmsg, size_t cap, const char *what, const char *detail) {
    if (errmsg != NULL && cap > 0)
        snprintf(errmsg, cap, "%s: %s", what, detail);
}

/* ---- contexts --------------------------------------------------------- */

static SSL_CTX *ctx_common(const SSL_METHOD *method, char *errmsg, size_t cap) {
    SSL_CTX *ctx = SSL_CTX_new(method);
    if (ctx == NULL) {
        set_ssl_error(errmsg, cap, "SSL_CTX_new");
        return NULL;
    }
    /* WebSocket has its own closing handshake and many servers close TCP
     * without close_notify: read that as EOF, not as an error. */
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
    /* Partial writes let tls_write_all() make progress one record at a time
     * under a deadline; the buffer moves as it does. */
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    return ctx;
}

SSL_CTX *tls_client_ctx_new(const char *ca_file, bool insecure, char *errmsg, size_t cap) {
    SSL_CTX *ctx = ctx_common(TLS_client_method(), errmsg, cap);
    if (ctx == NULL)
        return NULL;
    if (insecure) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    } else {
        /* 6455:4.1 "If this fails (e.g., the server's certificate could not
         * be verified), then the client MUST _Fail the WebSocket
         * Connection_ and abort the connection." */
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
        if (ca_file != NULL) {
            if (SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
                char what[300];
                snprintf(what, sizeof(what), "load CA file %s", ca_file);
                set_ssl_error(errmsg, cap, what);
                goto fail;
            }
        } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
            set_ssl_error(errmsg, cap, "load the system CA store");
            goto fail;
        }
    }
    /* We speak HTTP/1.1 for the Upgrade; SSL_CTX_set_alpn_protos returns 0
     * on success. */
    static const unsigned char alpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    if (SSL_CTX_set_alpn_protos(ctx, alpn, sizeof(alpn)) != 0) {
        set_ssl_error(errmsg, cap, "set ALPN");
        goto fail;
    }
    return ctx;

fail:
    SSL_CTX_free(ctx);
    return NULL;
}

SSL_CTX *tls_server_ctx_new(const char *cert_file, const char *key_file, char *errmsg, size_t cap) {
    char what[300];
    if (cert_file == NULL || key_file == NULL) {
        set_msg(errmsg, cap, "TLS server", "certificate and key files are required");
        return NULL;
    }
    SSL_CTX *ctx = ctx_common(TLS_server_method(), errmsg, cap);
    if (ctx == NULL)
        return NULL;
    if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
        snprintf(what, sizeof(what), "load certificate %s", cert_file);
        set_ssl_error(errmsg, cap, what);
        goto fail;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1) {
        snprintf(what, sizeof(what), "load private key %s", key_file);
        set_ssl_error(errmsg, cap, what);
        goto fail;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        snprintf(what, sizeof(what), "key %s does not match certificate %s", key_file, cert_file);
        set_ssl_error(errmsg, cap, what);
        goto fail;
    }
    return ctx;

fail:
    SSL_CTX_free(ctx);
    return NULL;
}

SSL *tls_ssl_new(SSL_CTX *ctx, int fd, char *errmsg, size_t cap) {
    pthread_once(&sock_bio_once, sock_bio_method_init);
    if (sock_bio_method == NULL) {
        set_msg(errmsg, cap, "TLS", "could not create the socket BIO method");
        return NULL;
    }
    SSL *ssl = SSL_new(ctx);
    if (ssl == NULL) {
        set_ssl_error(errmsg, cap, "SSL_new");
        return NULL;
    }
    struct sock_bio *sb = calloc(1, sizeof(*sb));
    if (sb == NULL) {
        set_msg(errmsg, cap, "TLS", "out of memory");
        goto fail_ssl;
    }
    sb->fd = fd;
    BIO *bio = BIO_new(sock_bio_method);
    if (bio == NULL) {
        set_ssl_error(errmsg, cap, "BIO_new");
        goto fail_sb;
    }
    BIO_set_data(bio, sb);
    BIO_set_init(bio, 1);
    /* The SSL takes the BIO's one reference for both directions. */
    SSL_set_bio(ssl, bio, bio);
    if (SSL_is_server(ssl))
        SSL_set_accept_state(ssl);
    else
        SSL_set_connect_state(ssl);
    return ssl;

fail_sb:
    free(sb);
fail_ssl:
    SSL_free(ssl);
    return NULL;
}

static bool is_ip_literal(const char *name) {
    unsigned char addr[16];
    return inet_pton(AF_INET, name, addr) == 1 || inet_pton(AF_INET6, name, addr) == 1;
}

int tls_client_set_host(SSL *ssl, const char *host, const char *sni, char *errmsg, size_t cap) {
    const char *name = sni != NULL ? sni : host;
    if (name == NULL || name[0] == '\0') {
        set_msg(errmsg, cap, "TLS", "no host name to verify");
        return WS_ERR_TLS;
    }
    bool ip = is_ip_literal(name);
    /* 6455:4.1 "Clients MUST use the Server Name Indication extension in
     * the TLS handshake [RFC6066]." RFC 6066:3 "Literal IPv4 and IPv6
     * addresses are not permitted in "HostName"." */
    if (!ip && SSL_set_tlsext_host_name(ssl, name) != 1) {
        set_ssl_error(errmsg, cap, "set SNI");
        return WS_ERR_TLS;
    }
    /* RFC 2818 3.1 (which 6455:4.1 cites for the handshake): the identity
     * is checked against the certificate's DNS names or IP addresses. */
    if (ip) {
        if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name) != 1) {
            set_ssl_error(errmsg, cap, "set the IP address to verify");
            return WS_ERR_TLS;
        }
    } else {
        SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        if (SSL_set1_host(ssl, name) != 1) {
            set_ssl_error(errmsg, cap, "set the host name to verify");
            return WS_ERR_TLS;
        }
    }
    return 0;
}

/* ---- driving non-blocking calls -------------------------------------- */

int tls_wait_fd(int fd, short events, int64_t deadline_ms) {
    for (;;) {
        struct pollfd p = {.fd = fd, .events = events, .revents = 0};
        int rc = poll(&p, 1, clock_remaining_ms(deadline_ms));
        if (rc > 0)
            return 1;
        if (rc == 0)
            return 0;
        if (errno != EINTR)
            return WS_ERR_IO;
    }
}

/* After SSL_get_error() said WANT_READ or WANT_WRITE: wait for it.
 * Returns 1 to retry, 0 timeout, WS_ERR_IO. */
static int wait_for(int ssl_error, int fd, int64_t deadline_ms) {
    return tls_wait_fd(fd, ssl_error == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN, deadline_ms);
}

/* Map a fatal SSL_ERROR_SYSCALL / SSL_ERROR_SSL. Marks the SSL so that no
 * close_notify is attempted on it later. */
static int fatal_error(SSL *ssl, int saved_errno) {
    SSL_set_quiet_shutdown(ssl, 1);
    if (saved_errno == ECONNRESET || saved_errno == EPIPE)
        return WS_ERR_RESET;
    if (saved_errno != 0) {
        errno = saved_errno;
        return WS_ERR_IO;
    }
    return WS_ERR_TLS;
}

int tls_handshake(SSL *ssl, int fd, int64_t deadline_ms, char *errmsg, size_t cap) {
    for (;;) {
        ERR_clear_error();
        bio_errno_clear(ssl);
        int rc = SSL_do_handshake(ssl);
        if (rc == 1)
            return 0;
        int e = SSL_get_error(ssl, rc);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            int w = wait_for(e, fd, deadline_ms);
            if (w == 0) {
                set_msg(errmsg, cap, "TLS handshake", "timed out");
                return WS_ERR_TIMEOUT;
            }
            if (w < 0) {
                set_msg(errmsg, cap, "TLS handshake: poll", strerror(errno));
                return w;
            }
            continue;
        }
        int saved_errno = bio_errno(ssl);
        long verify = SSL_get_verify_result(ssl);
        if (!SSL_is_server(ssl) && verify != X509_V_OK &&
            SSL_get_verify_mode(ssl) != SSL_VERIFY_NONE) {
            SSL_set_quiet_shutdown(ssl, 1);
            set_msg(errmsg, cap, "TLS certificate verification failed",
                    X509_verify_cert_error_string(verify));
            ERR_clear_error();
            return WS_ERR_TLS_VERIFY;
        }
        int err = fatal_error(ssl, saved_errno);
        if (err == WS_ERR_TLS) {
            if (e == SSL_ERROR_SYSCALL && ERR_peek_last_error() == 0)
                set_msg(errmsg, cap, "TLS handshake", "connection closed by peer");
            else
                set_ssl_error(errmsg, cap, "TLS handshake");
        } else {
            set_msg(errmsg, cap, "TLS handshake", strerror(saved_errno));
        }
        ERR_clear_error();
        return err;
    }
}

long tls_read(SSL *ssl, int fd, uint8_t *buf, size_t cap, int64_t deadline_ms) {
    if (ssl == NULL || buf == NULL || cap == 0)
        return WS_ERR_ARG;
    if (cap > INT_MAX)
        cap = INT_MAX; /* the result must fit a long on every platform */
    for (;;) {
        ERR_clear_error();
        bio_errno_clear(ssl);
        size_t got = 0;
        int rc = SSL_read_ex(ssl, buf, cap, &got);
        if (rc == 1)
            return (long)got;
        int e = SSL_get_error(ssl, rc);
        if (e == SSL_ERROR_ZERO_RETURN)
            return 0; /* close_notify, or TCP EOF (SSL_OP_IGNORE_UNEXPECTED_EOF) */
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            int w = wait_for(e, fd, deadline_ms);
            if (w == 0)
                return WS_ERR_TIMEOUT;
            if (w < 0)
                return w;
            continue;
        }
        int saved_errno = bio_errno(ssl);
        ERR_clear_error();
        if (e == SSL_ERROR_SYSCALL && saved_errno == 0) {
            SSL_set_quiet_shutdown(ssl, 1);
            return 0; /* EOF seen below the TLS layer */
        }
        return fatal_error(ssl, saved_errno);
    }
}

/* One SSL_write_ex: > 0 octets written, or 0 with *want set to the
 * SSL_ERROR_WANT_* to wait for, or a negative error. */
static long write_once(SSL *ssl, const uint8_t *data, size_t len, int *want) {
    ERR_clear_error();
    bio_errno_clear(ssl);
    size_t wrote = 0;
    int rc = SSL_write_ex(ssl, data, len, &wrote);
    if (rc == 1)
        return (long)wrote;
    int e = SSL_get_error(ssl, rc);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        *want = e;
        return 0;
    }
    int saved_errno = bio_errno(ssl);
    ERR_clear_error();
    if (e == SSL_ERROR_ZERO_RETURN)
        return WS_ERR_RESET; /* the peer closed the TLS session */
    return fatal_error(ssl, saved_errno);
}

long tls_write_some(SSL *ssl, const uint8_t *data, size_t len) {
    if (ssl == NULL || (data == NULL && len > 0))
        return WS_ERR_ARG;
    int want = 0;
    return len ? write_once(ssl, data, len > 0x7fffffff ? 0x7fffffff : len, &want) : 0;
}

int tls_write_all(SSL *ssl, int fd, const uint8_t *data, size_t len, int64_t deadline_ms) {
    if (ssl == NULL || (data == NULL && len > 0))
        return WS_ERR_ARG;
    size_t done = 0;
    while (done < len) {
        int want = 0;
        long n = write_once(ssl, data + done, len - done, &want);
        if (n < 0)
            return (int)n;
        done += (size_t)n;
        if (n == 0) {
            int w = wait_for(want, fd, deadline_ms);
            if (w == 0)
                return WS_ERR_TIMEOUT;
            if (w < 0)
                return w;
        }
    }
    return 0;
}

bool tls_has_pending(const SSL *ssl) {
    return ssl != NULL && (SSL_pending(ssl) > 0 || SSL_has_pending(ssl));
}

void tls_shutdown_once(SSL *ssl) {
    if (ssl == NULL || SSL_get_quiet_shutdown(ssl) || !SSL_is_init_finished(ssl))
        return;
    if (SSL_get_shutdown(ssl) & SSL_SENT_SHUTDOWN)
        return;
    ERR_clear_error();
    /* Non-blocking: sends close_notify if the socket takes it, never waits
     * for the peer's. */
    (void)SSL_shutdown(ssl);
    ERR_clear_error();
}

void tls_describe(const SSL *ssl, char *out, size_t cap) {
    if (out == NULL || cap == 0)
        return;
    out[0] = '\0';
    if (ssl == NULL || !SSL_is_init_finished(ssl))
        return;
    const SSL_CIPHER *cipher = SSL_get_current_cipher(ssl);
    snprintf(out, cap, "%s %s", SSL_get_version(ssl),
             cipher ? SSL_CIPHER_get_name(cipher) : "(no cipher)");
}
