/* cli_probe: `wsspec probe URL`: a quick interoperability check of a server:
 * opening handshake, text and binary echo, ping/pong, closing handshake.
 * It uses the same client code as the runner; the runner is what judges
 * conformance, this only proves a connection works end to end. */
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/errors.h"
#include "cli/cli.h"
#include "cli/cli_help.h"
#include "codec/closeframe.h"
#include "codec/utf8.h"
#include "net/wsclient.h"

struct probe_opts {
    const char *url;
    const char *text;
    size_t binary_len;
    int count;
    double timeout_s;
    struct tls_client_options tls;
};

struct received {
    uint8_t opcode; /* message opcode, or the control opcode */
    struct buf payload;
};

/* Read until one complete data message or control frame has arrived.
 * Returns EXIT_PASS, or the exit status the failure gives (why says what):
 * EXIT_FAILURES for the server's doing, EXIT_INCOMPLETE for a deadline or
 * our cap, EXIT_INTERNAL for out of memory or a bug of ours. */
static int receive(struct wsclient *c, int64_t deadline, struct received *out, char *why,
                   size_t cap) {
    uint8_t opcode = 0;
    bool have_message = false;
    buf_clear(&out->payload);
    for (;;) {
        struct frame_event ev;
        int rc = wsclient_next(c, deadline, &ev);
        if (rc == 0) {
            snprintf(why, cap, "connection closed by the server");
            return EXIT_FAILURES;
        }
        if (rc < 0) {
            snprintf(why, cap, "%s", ws_strerror(rc));
            if (ws_error_is_fatal(rc))
                return EXIT_INTERNAL;
            return rc == WS_ERR_TIMEOUT ? EXIT_INCOMPLETE : EXIT_FAILURES;
        }
        switch (ev.kind) {
        case FRAME_EV_VIOLATION:
            snprintf(why, cap, "server frame breaks RFC 6455: %s",
                     frame_violation_name(ev.violation));
            return EXIT_FAILURES;
        case FRAME_EV_HEADER:
            if (frame_opcode_is_control(ev.hdr.opcode))
                opcode = ev.hdr.opcode;
            else if (!have_message) {
                opcode = ev.hdr.opcode;
                have_message = true;
            }
            break;
        case FRAME_EV_PAYLOAD:
            if (buf_append(&out->payload, ev.data, ev.len) != 0) {
                snprintf(why, cap, "%s", ws_strerror(WS_ERR_NOMEM));
                return EXIT_INTERNAL;
            }
            if (out->payload.len > (512u << 20)) {
                /* Our cap, not the server's fault. */
                snprintf(why, cap, "message larger than our 512 MiB cap");
                return EXIT_INCOMPLETE;
            }
            break;
        case FRAME_EV_END:
            if (frame_opcode_is_control(ev.hdr.opcode) || ev.hdr.fin) {
                out->opcode = frame_opcode_is_control(ev.hdr.opcode) ? ev.hdr.opcode : opcode;
                return EXIT_PASS;
            }
            break;
        case FRAME_EV_NEED_MORE: break;
        }
    }
}

static int send_frame(struct wsclient *c, uint8_t opcode, const uint8_t *payload, size_t len,
                      int64_t deadline) {
    struct frame_spec spec = {.fin = true, .opcode = opcode, .masked = true};
    RAND_bytes(spec.mask_key, 4);
    struct buf out = {0};
    int rc = frame_build(&spec, payload, len, &out);
    if (rc == 0)
        rc = wsclient_send(c, out.data, out.len, deadline);
    buf_free(&out);
    return rc;
}

/* Send one frame and check the answer. Returns as receive(). */
static int echo_check(struct wsclient *c, uint8_t opcode, const uint8_t *payload, size_t len,
                      int64_t deadline, struct received *rx, char *why, size_t cap) {
    int rc = send_frame(c, opcode, payload, len, deadline);
    if (rc != 0) {
        snprintf(why, cap, "send: %s", ws_strerror(rc));
        return ws_error_is_fatal(rc) ? EXIT_INTERNAL : EXIT_INCOMPLETE;
    }
    /* 6455:5.5.2 "Upon receipt of a Ping frame, an endpoint MUST send a Pong
     * frame in response" */
    uint8_t answer = opcode == FRAME_OP_PING ? FRAME_OP_PONG : opcode;
    for (;;) {
        int st = receive(c, deadline, rx, why, cap);
        if (st != 0)
            return st;
        if (rx->opcode == FRAME_OP_PONG && answer != FRAME_OP_PONG)
            continue; /* unsolicited pongs are allowed (6455:5.5.3) */
        if (rx->opcode == FRAME_OP_PING) {
            send_frame(c, FRAME_OP_PONG, rx->payload.data, rx->payload.len, deadline);
            continue;
        }
        break;
    }
    if (rx->opcode != answer) {
        snprintf(why, cap, "expected a %s frame, got %s", frame_opcode_name(answer),
                 frame_opcode_name(rx->opcode));
        return EXIT_FAILURES;
    }
    if (rx->payload.len != len || (len && memcmp(rx->payload.data, payload, len) != 0)) {
        snprintf(why, cap, "payload differs (sent %zu bytes, got %zu)", len, rx->payload.len);
        return EXIT_FAILURES;
    }
    return EXIT_PASS;
}

static int parse_args(int argc, char **argv, struct probe_opts *o) {
    memset(o, 0, sizeof *o);
    o->text = "Hello, wsspec!";
    o->binary_len = 1024;
    o->count = 1;
    o->timeout_s = 10;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--insecure") == 0) {
            o->tls.insecure = true;
        } else if (a[0] == '-' && !v) {
            fprintf(stderr, "wsspec probe: option %s needs a value\n", a);
            return -1;
        } else if (strcmp(a, "--text") == 0) {
            o->text = argv[++i];
        } else if (strcmp(a, "--binary") == 0) {
            o->binary_len = strtoull(argv[++i], NULL, 10);
        } else if (strcmp(a, "--count") == 0) {
            o->count = atoi(argv[++i]);
        } else if (strcmp(a, "--timeout") == 0) {
            o->timeout_s = atof(argv[++i]);
        } else if (strcmp(a, "--ca") == 0) {
            o->tls.ca_file = argv[++i];
        } else if (a[0] == '-') {
            fprintf(stderr, "wsspec probe: unknown option %s\n", a);
            return -1;
        } else if (!o->url) {
            o->url = a;
        } else {
            fprintf(stderr, "wsspec probe: unexpected argument %s\n", a);
            return -1;
        }
    }
    if (!o->url) {
        cli_help_usage(stderr, "probe");
        return -1;
    }
    return 0;
}

int cli_probe(int argc, char **argv) {
    struct probe_opts o;
    if (parse_args(argc, argv, &o) != 0)
        return EXIT_USAGE;
    struct ws_url url;
    int rc = url_parse(o.url, &url);
    if (rc != 0) {
        fprintf(stderr, "wsspec probe: %s: %s\n", o.url, ws_strerror(rc));
        return EXIT_USAGE;
    }
    int64_t deadline = clock_now_ms() + (int64_t)(o.timeout_s * 1000);
    char why[512] = "";
    struct wsclient_request request;
    wsclient_default_request(&request, &url);

    struct wsclient c = {0};
    struct frame_limits limits = {.max_frame_payload = 512u << 20};
    if (wsclient_init(&c, &limits) != 0)
        return EXIT_INTERNAL;
    struct wsclient_handshake hs;
    struct received rx = {0};
    int status = EXIT_PASS, checks = 0;
    rc = wsclient_handshake(&c, &url, &o.tls, &request.req, deadline, &hs, why, sizeof why);
    if (rc != 0) {
        /* Ours or the network's (our limits included), not the server's. */
        fprintf(stderr, "FAIL handshake: %s\n", why);
        status = EXIT_INCOMPLETE;
        goto out;
    }
    if (hs.problem == HANDSHAKE_RESP_NOT_HTTP) {
        printf("FAIL handshake: the answer is %s\n", why);
        status = EXIT_FAILURES;
        goto out;
    }
    if (hs.problem != HANDSHAKE_RESP_OK) {
        handshake_describe_problem(&hs.resp, hs.problem, request.key, NULL, NULL, why, sizeof why);
        printf("FAIL handshake: HTTP %d: %s\n", hs.resp.status, why);
        status = EXIT_FAILURES;
        goto out;
    }
    printf("ok   handshake: 101, Sec-WebSocket-Accept verified%s%s\n",
           conn_tls_version(c.conn) ? ", " : "",
           conn_tls_version(c.conn) ? conn_tls_version(c.conn) : "");
    checks++;

    uint8_t *binary = malloc(o.binary_len ? o.binary_len : 1);
    for (size_t i = 0; i < o.binary_len; i++)
        binary[i] = (uint8_t)(i * 7 + 3);
    for (int round = 0; round < o.count && status == EXIT_PASS; round++) {
        status = echo_check(&c, FRAME_OP_TEXT, (const uint8_t *)o.text, strlen(o.text), deadline,
                            &rx, why, sizeof why);
        printf("%s text echo (%zu bytes)%s%s\n", status ? "FAIL" : "ok  ", strlen(o.text),
               status ? ": " : "", status ? why : "");
        if (status)
            break;
        status =
            echo_check(&c, FRAME_OP_BINARY, binary, o.binary_len, deadline, &rx, why, sizeof why);
        printf("%s binary echo (%zu bytes)%s%s\n", status ? "FAIL" : "ok  ", o.binary_len,
               status ? ": " : "", status ? why : "");
        checks += 2;
    }
    free(binary);
    if (status != EXIT_PASS)
        goto out;

    const uint8_t ping[] = "wsspec-probe";
    status = echo_check(&c, FRAME_OP_PING, ping, sizeof ping - 1, deadline, &rx, why, sizeof why);
    if (status == EXIT_FAILURES && rx.opcode == FRAME_OP_PONG)
        snprintf(why, sizeof why, "pong payload differs from the ping's");
    printf("%s ping/pong%s%s\n", status ? "FAIL" : "ok  ", status ? ": " : "", status ? why : "");
    if (status)
        goto out;
    checks++;

    uint8_t close_payload[16];
    size_t close_len = closeframe_payload_write(1000, (const uint8_t *)"bye", 3, close_payload,
                                                sizeof close_payload);
    rc = send_frame(&c, FRAME_OP_CLOSE, close_payload, close_len, deadline);
    status = rc ? EXIT_INCOMPLETE : receive(&c, deadline, &rx, why, sizeof why);
    if (status == EXIT_PASS) {
        struct closeframe_info ci;
        if (rx.opcode != FRAME_OP_CLOSE) {
            snprintf(why, sizeof why, "expected a close frame, got %s",
                     frame_opcode_name(rx.opcode));
            status = EXIT_FAILURES;
        } else if (closeframe_parse(rx.payload.data, rx.payload.len, CLOSEFRAME_FROM_SERVER, &ci) !=
                   CLOSEFRAME_P_OK) {
            snprintf(why, sizeof why, "close reply is invalid");
            status = EXIT_FAILURES;
        } else if (wsclient_wait_eof(&c, deadline) != 1) {
            snprintf(why, sizeof why, "server did not close the TCP connection");
            status = EXIT_FAILURES;
        } else {
            snprintf(why, sizeof why, "code %u", ci.has_code ? ci.code : 1005);
        }
    }
    printf("%s closing handshake: %s\n", status ? "FAIL" : "ok  ", why);
    checks += status == EXIT_PASS;
out:
    printf("probe: %d checks passed, %s\n", checks, status == EXIT_PASS ? "ok" : "failed");
    buf_free(&rx.payload);
    wsclient_handshake_free(&hs);
    wsclient_close(&c);
    return status;
}
