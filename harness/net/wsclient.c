/* wsclient: one client connection, handshake then frame events. */
#include "net/wsclient.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"

void wsclient_default_request(struct wsclient_request *r, const struct ws_url *url) {
    uint8_t nonce[16];
    /* 6455:4.1 "The nonce MUST be selected randomly for each connection." */
    RAND_bytes(nonce, sizeof nonce);
    handshake_make_key(nonce, r->key);
    url_host_header(url, r->host, sizeof r->host);
    r->req =
        (struct handshake_client_request){.target = url->resource, .host = r->host, .key = r->key};
}

int wsclient_init(struct wsclient *c, const struct frame_limits *limits) {
    c->rx = malloc(WSCLIENT_RX_CAP);
    if (!c->rx)
        return WS_ERR_NOMEM;
    c->rx_len = c->rx_pos = 0;
    c->eof = false;
    c->conn = NULL;
    frame_parser_init(&c->parser, FRAME_ROLE_CLIENT, limits);
    return 0;
}

static void wire(struct wsclient *c, enum wire_dir dir, const uint8_t *data, size_t len) {
    if (c->wire_cb && len)
        c->wire_cb(c->wire_ud, dir, data, len);
}

/* Read more bytes into rx (compacting first). Returns > 0 octets read, 0 on
 * EOF, or conn_read's errors. */
static long fill(struct wsclient *c, int64_t deadline_ms) {
    if (c->rx_pos == c->rx_len) {
        c->rx_pos = c->rx_len = 0;
    } else if (c->rx_pos > 0 && c->rx_len == WSCLIENT_RX_CAP) {
        memmove(c->rx, c->rx + c->rx_pos, c->rx_len - c->rx_pos);
        c->rx_len -= c->rx_pos;
        c->rx_pos = 0;
    }
    /* Never full of unread bytes: a head ends (or fails) within
     * HANDSHAKE_MAX_HEAD < WSCLIENT_RX_CAP octets, and the frame parser takes
     * every octet it is given before asking for more. */
    if (c->rx_len == WSCLIENT_RX_CAP)
        return WS_ERR_INTERNAL;
    long n = conn_read(c->conn, c->rx + c->rx_len, WSCLIENT_RX_CAP - c->rx_len, deadline_ms);
    if (n > 0) {
        wire(c, WIRE_IN, c->rx + c->rx_len, (size_t)n);
        c->rx_len += (size_t)n;
    } else if (n == 0) {
        c->eof = true;
    }
    return n;
}

/* "<what> 27 octets of an unfinished response head: \"HTTP/1.1 400...\"" */
static void unfinished_head(const struct wsclient *c, const char *what, char *errmsg,
                            size_t errmsg_cap) {
    char shown[64 * 4 + 4];
    handshake_escape(c->rx, c->rx_len, 64, shown, sizeof shown);
    snprintf(errmsg, errmsg_cap, "%s %zu octet%s of an unfinished response head: \"%s\"", what,
             c->rx_len, c->rx_len == 1 ? "" : "s", shown);
}

/* Read the response head (the request is out, or failed to go out with
 * write_rc). Frames after the head stay buffered in c->rx. What the peer
 * sent goes into *hs (a head that is no HTTP included: a verdict); the
 * return value is ours alone. */
static int read_response(struct wsclient *c, int write_rc, const char *key, const char *protocols,
                         const char *extensions, int64_t deadline_ms, struct wsclient_handshake *hs,
                         char *errmsg, size_t errmsg_cap) {
    size_t scan = 0;
    for (;;) {
        long end = handshake_head_complete(c->rx, c->rx_len, &scan);
        if (end > 0) {
            hs->head_status = handshake_parse_response(c->rx, (size_t)end, &hs->resp);
            if (hs->head_status == WS_ERR_HANDSHAKE_SYNTAX) {
                /* The peer's answer, not our failure: the caller judges it. */
                handshake_describe_not_http(c->rx, c->rx_len, errmsg, errmsg_cap);
                hs->problem = HANDSHAKE_RESP_NOT_HTTP;
                return 0;
            }
            if (hs->head_status < 0) {
                snprintf(errmsg, errmsg_cap, "response head over our limits: %s",
                         ws_strerror((int)hs->head_status));
                return (int)hs->head_status;
            }
            if (hs->head_status != end) {
                snprintf(errmsg, errmsg_cap, "response head: the parser and the scan disagree");
                return WS_ERR_INTERNAL;
            }
            /* Keep a private copy of the head and re-point the views at it. */
            int rc = buf_append(&hs->head, c->rx, (size_t)end);
            if (rc != 0) {
                snprintf(errmsg, errmsg_cap, "keeping the response head: %s", ws_strerror(rc));
                return rc;
            }
            hs->head_status = handshake_parse_response(hs->head.data, hs->head.len, &hs->resp);
            c->rx_pos = (size_t)end; /* frames that came with the 101 stay buffered */
            hs->problem = handshake_check_response(&hs->resp, key, protocols, extensions);
            return 0;
        }
        if (end == HANDSHAKE_NEED_MORE && !handshake_response_may_start(c->rx, c->rx_len)) {
            /* Not HTTP from its first octets (an SSH banner, a TLS alert):
             * judged now, not when a head end that may never come arrives. */
            hs->head_status = WS_ERR_HANDSHAKE_SYNTAX;
            handshake_describe_not_http(c->rx, c->rx_len, errmsg, errmsg_cap);
            hs->problem = HANDSHAKE_RESP_NOT_HTTP;
            return 0;
        }
        if (end != HANDSHAKE_NEED_MORE) {
            hs->head_status = end; /* WS_ERR_HANDSHAKE_HEAD_TOO_BIG: our limit */
            snprintf(errmsg, errmsg_cap, "response head over our limits: %s",
                     ws_strerror((int)end));
            return (int)end;
        }
        long n = fill(c, deadline_ms);
        if (n == 0) {
            if (write_rc != 0)
                snprintf(errmsg, errmsg_cap, "sending the opening handshake: %s (no response)",
                         ws_strerror(write_rc));
            else if (c->rx_len == 0)
                snprintf(errmsg, errmsg_cap, "connection closed before any octet of an answer");
            else
                unfinished_head(c, "connection closed after", errmsg, errmsg_cap);
            return write_rc != 0 ? write_rc : WS_ERR_CLOSED;
        }
        if (n < 0) {
            if (write_rc != 0 && n != WS_ERR_TIMEOUT)
                n = write_rc;
            if (n == WS_ERR_TIMEOUT && c->rx_len > 0 && write_rc == 0)
                unfinished_head(c, "timed out after", errmsg, errmsg_cap);
            else
                snprintf(errmsg, errmsg_cap, "%s the opening handshake: %s",
                         write_rc != 0 ? "sending" : "reading the response to",
                         ws_strerror((int)n));
            return (int)n;
        }
    }
}

/* Connect, send request[0..len) as it is, read the response head. */
static int exchange(struct wsclient *c, const struct ws_url *url,
                    const struct tls_client_options *tls, const uint8_t *request, size_t len,
                    const char *key, const char *protocols, const char *extensions,
                    int64_t deadline_ms, struct wsclient_handshake *hs, char *errmsg,
                    size_t errmsg_cap) {
    int err = 0;
    memset(hs, 0, sizeof *hs);
    hs->head_status = HANDSHAKE_NEED_MORE;
    c->conn = conn_open(url, tls, deadline_ms, &err, errmsg, errmsg_cap);
    if (!c->conn)
        return err;
    wire(c, WIRE_OUT, request, len);
    int rc = conn_write_all(c->conn, request, len, deadline_ms);
    if (rc == WS_ERR_TIMEOUT) {
        snprintf(errmsg, errmsg_cap, "sending the opening handshake: %s", ws_strerror(rc));
        return rc;
    }
    /* A peer may answer (400, 431) and close before taking all of a large
     * request: its answer is still worth reading. */
    return read_response(c, rc, key, protocols, extensions, deadline_ms, hs, errmsg, errmsg_cap);
}

int wsclient_handshake(struct wsclient *c, const struct ws_url *url,
                       const struct tls_client_options *tls,
                       const struct handshake_client_request *req, int64_t deadline_ms,
                       struct wsclient_handshake *hs, char *errmsg, size_t errmsg_cap) {
    struct buf request = {0};
    int rc = handshake_build_request(req, &request);
    if (rc != 0) {
        memset(hs, 0, sizeof *hs);
        hs->head_status = HANDSHAKE_NEED_MORE;
        snprintf(errmsg, errmsg_cap, "building the opening handshake: %s", ws_strerror(rc));
        return rc;
    }
    rc = exchange(c, url, tls, request.data, request.len, req->key, req->protocols, req->extensions,
                  deadline_ms, hs, errmsg, errmsg_cap);
    buf_free(&request);
    return rc;
}

int wsclient_handshake_raw(struct wsclient *c, const struct ws_url *url,
                           const struct tls_client_options *tls, const uint8_t *request, size_t len,
                           const char *key, const char *protocols, const char *extensions,
                           int64_t deadline_ms, struct wsclient_handshake *hs, char *errmsg,
                           size_t errmsg_cap) {
    return exchange(c, url, tls, request, len, key, protocols, extensions, deadline_ms, hs, errmsg,
                    errmsg_cap);
}

int wsclient_send(struct wsclient *c, const uint8_t *data, size_t len, int64_t deadline_ms) {
    if (!c->conn)
        return WS_ERR_CLOSED;
    wire(c, WIRE_OUT, data, len);
    return conn_write_all(c->conn, data, len, deadline_ms);
}

int wsclient_next(struct wsclient *c, int64_t deadline_ms, struct frame_event *ev) {
    for (;;) {
        /* Parse even with no new bytes: a frame's END event comes on a call
         * after its last payload octets were handed out. */
        size_t used = frame_parse(&c->parser, c->rx + c->rx_pos, c->rx_len - c->rx_pos, ev);
        c->rx_pos += used;
        if (ev->kind != FRAME_EV_NEED_MORE)
            return 1;
        if (c->eof)
            return 0;
        long n = fill(c, deadline_ms);
        if (n < 0)
            return (int)n;
    }
}

int wsclient_wait_eof(struct wsclient *c, int64_t deadline_ms) {
    for (;;) {
        if (c->eof)
            return 1;
        c->rx_pos = c->rx_len = 0;
        long n = fill(c, deadline_ms);
        if (n == WS_ERR_TIMEOUT)
            return 0;
        if (n == WS_ERR_RESET)
            return 1;
        if (n < 0)
            return (int)n;
    }
}

void wsclient_handshake_free(struct wsclient_handshake *hs) {
    buf_free(&hs->head);
}

void wsclient_close(struct wsclient *c) {
    conn_close(c->conn);
    c->conn = NULL;
    free(c->rx);
    c->rx = NULL;
}
