/* refserver: the strict RFC 6455 reference echo server (`wsspec serve`).
 *
 * One event loop (epoll), non-blocking sockets, many connections at once,
 * optional TLS. It echoes every text and binary message with the same
 * opcode, negotiates permessage-deflate (RFC 7692; every echo compressed
 * once agreed, unless no_deflate), answers pings, fails the connection with the right close code
 * (1002 protocol error, 1007 invalid UTF-8, 1009 too big), completes the
 * closing handshake and closes TCP first (6455:7.1.1).
 *
 * Faults (see faults.h) make it break exactly one rule each; the test suite
 * uses them to prove every conformance case can fail.
 *
 * Usable in-process (the runner starts it on a thread when no URL is given)
 * or from the CLI. */
#ifndef WSSPEC_REFSERVER_H
#define WSSPEC_REFSERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "refserver/faults.h"

/* Chatter: behaviour the RFC allows, never a fault. A conforming peer's
 * verdicts must not change when a server does this (tests prove it).
 * 6455:5.5.3 "A Pong frame MAY be sent unsolicited.  This serves as a
 * unidirectional heartbeat." and 6455:5.5.2 "A Ping frame may serve either
 * as a keepalive or as a means to verify that the remote endpoint is still
 * responsive." Each chatty frame goes out in the 101's segment (with the
 * response head), before every echo and before the close reply. */
enum rs_chatter {
    RS_CHATTER_PONG = 1, /* an unsolicited pong ("heartbeat") */
    RS_CHATTER_PING = 2, /* a ping; the client's pong is read and ignored */
};

struct refserver_options {
    const char *host;     /* NULL = "127.0.0.1" */
    uint16_t port;        /* 0 = pick a free port */
    const char *tls_cert; /* both set = serve wss:// */
    const char *tls_key;
    uint64_t max_message; /* message size cap (close 1009 above it); 0 = default 64 MiB */
    uint64_t faults;      /* bit set of (1 << enum fault) */
    unsigned chatter;     /* RS_CHATTER_* bits (refserver_conn.h): allowed control frames */
    bool no_deflate;      /* decline every permessage-deflate offer (RFC 7692) */
    bool quiet;           /* no per-connection log lines on stderr */
};

struct refserver;

/* Create the listening socket (bound and listening on return, so the port
 * is known). Returns NULL with a message in errmsg on failure. */
struct refserver *refserver_new(const struct refserver_options *opts, char *errmsg,
                                size_t errmsg_cap);
/* The port actually bound. */
uint16_t refserver_port(const struct refserver *s);
/* Run the event loop until refserver_request_stop(). Returns 0, or
 * WS_ERR_IO when epoll_wait fails (errno says why): a failure of the loop
 * itself; a connection's failure only ends that connection. On stop, open
 * connections are closed with 1001 (going away). */
int refserver_run(struct refserver *s);
/* Ask the loop to stop. Async-signal-safe and thread-safe (a self-pipe). */
void refserver_request_stop(struct refserver *s);
/* Free everything (after refserver_run returned). */
void refserver_free(struct refserver *s);

#endif
