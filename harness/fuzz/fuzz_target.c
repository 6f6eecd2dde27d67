/* fuzz_target: start, watch and restart the fuzzed server; the liveness
 * probe (fuzz_target.h). */
#include "fuzz/fuzz_target.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/errors.h"
#include "codec/closeframe.h"
#include "codec/frame.h"
#include "net/conn.h"
#include "net/wsclient.h"

#define STOP_GRACE_S            2.0
#define CLOSE_WAIT_MS           250 /* the probe's wait for the target to close TCP (scaled) */
/* next_message's opcode for "a frame breaking RFC 6455 arrived" */
#define FRAME_OP_VIOLATION_SEEN 0x100

static int set_url(struct fuzz_target *t, const char *text, char *errmsg, size_t cap) {
    snprintf(t->rt.url_text, sizeof t->rt.url_text, "%s", text);
    int rc = url_parse(t->rt.url_text, &t->rt.url);
    if (rc != 0) {
        snprintf(errmsg, cap, "%s: %s", text, ws_strerror(rc));
        return -1;
    }
    t->rt.tls = t->tls;
    return 0;
}

/* A fixed URL: one connect, so an unreachable target is one clear reason. */
static int check_url(struct fuzz_target *t, char *errmsg, size_t cap) {
    if (set_url(t, t->url_template, errmsg, cap) != 0)
        return -1;
    int err = 0;
    char msg[512] = "";
    struct conn *c = conn_open(&t->rt.url, &t->rt.tls, clock_now_ms() + (int64_t)(5000 * t->scale),
                               &err, msg, sizeof msg);
    if (!c) {
        snprintf(errmsg, cap, "target %s unreachable: %s", t->rt.url_text, msg);
        return -1;
    }
    conn_close(c);
    t->generation++;
    return 0;
}

int fuzz_target_start(struct fuzz_target *t, char *errmsg, size_t cap) {
    if (!t->spawn_template)
        return check_url(t, errmsg, cap);
    unsigned port;
    if (spawn_pick_port(&port) != 0) {
        snprintf(errmsg, cap, "cannot find a free port for the target");
        return -1;
    }
    char *cmd = spawn_substitute_port(t->spawn_template, port);
    char *url =
        spawn_substitute_port(t->url_template ? t->url_template : "ws://127.0.0.1:{port}/", port);
    int rc = -1;
    if (!cmd || !url) {
        snprintf(errmsg, cap, "out of memory");
        goto out;
    }
    if (set_url(t, url, errmsg, cap) != 0)
        goto out;
    char err[3072];
    if (spawn_start(cmd, &t->sp, err, sizeof err) != 0) {
        snprintf(errmsg, cap, "cannot start the target: %s", err);
        goto out;
    }
    if (t->pgid_slot)
        *t->pgid_slot = spawn_pgid(t->sp);
    if (spawn_wait_ready(t->sp, t->rt.url.host, t->rt.url.port, t->ready_s * t->scale,
                         t->interrupted, err, sizeof err) != 0) {
        snprintf(errmsg, cap, "%s", err);
        goto out;
    }
    t->generation++;
    rc = 0;
out:
    free(cmd);
    free(url);
    return rc;
}

int fuzz_target_restart(struct fuzz_target *t, char *errmsg, size_t cap) {
    if (!t->spawn_template) {
        snprintf(errmsg, cap, "the target is a URL: it cannot be restarted");
        return -1;
    }
    fuzz_target_stop(t);
    t->restarts++;
    return fuzz_target_start(t, errmsg, cap);
}

void fuzz_target_stop(struct fuzz_target *t) {
    if (!t->sp)
        return;
    if (t->pgid_slot)
        *t->pgid_slot = 0;
    spawn_stop(t->sp, STOP_GRACE_S);
    spawn_free(t->sp);
    t->sp = NULL;
}

bool fuzz_target_died(struct fuzz_target *t, bool abnormal, int settle_ms) {
    if (!t->sp)
        return false;
    if (spawn_exited(t->sp))
        return true;
    return abnormal && spawn_settle(t->sp, t->rt.url.host, t->rt.url.port,
                                    (int64_t)(settle_ms * t->scale)) == SPAWN_EXITED;
}

char *fuzz_target_death(struct fuzz_target *t) {
    if (!t->sp)
        return NULL;
    char how[192], report[SPAWN_SANITIZER_CAP], tail[2048] = "";
    spawn_describe_exit(t->sp, how, sizeof how);
    spawn_sanitizer_report(t->sp, report, sizeof report);
    if (!*report)
        spawn_output_tail(t->sp, 15, tail, sizeof tail);
    size_t len = strlen(how) + strlen(report) + strlen(tail) + 64;
    char *s = malloc(len);
    if (!s)
        return NULL;
    if (*report)
        snprintf(s, len, "%s\nSanitizer report from the target:\n%s", how, report);
    else
        snprintf(s, len, "%s%s%s", how, *tail ? "\nThe target's last output:\n" : "", tail);
    return s;
}

void fuzz_target_sanitizer(struct fuzz_target *t, char *out, size_t cap) {
    out[0] = '\0';
    if (t->sp)
        spawn_sanitizer_report(t->sp, out, cap);
}

/* ---- the probe ------------------------------------------------------------ */

static enum probe_result io_result(int rc) {
    if (ws_error_is_fatal(rc))
        return PROBE_OURS;
    return rc == WS_ERR_TIMEOUT ? PROBE_TIMEOUT : PROBE_BROKEN;
}

static int send_frame(struct wsclient *c, uint8_t opcode, const uint8_t *data, size_t len,
                      int64_t deadline) {
    /* A fixed mask key: the probe's frames are the same every time. */
    struct frame_spec spec = {
        .fin = true, .opcode = opcode, .masked = true, .mask_key = {0x12, 0x34, 0x56, 0x78}};
    struct buf out = {0};
    int rc = frame_build(&spec, data, len, &out);
    if (rc == 0)
        rc = wsclient_send(c, out.data, out.len, deadline);
    buf_free(&out);
    return rc;
}

/* Read the next complete data message or close frame into *opcode and msg
 * (pings are answered, pongs skipped; ctl holds control payloads). */
static enum probe_result next_message(struct wsclient *c, int64_t deadline, unsigned *opcode,
                                      struct buf *msg, struct buf *ctl, char *why, size_t cap) {
    buf_clear(msg);
    uint8_t data_op = 0, ctl_op = 0;
    bool in_control = false;
    for (;;) {
        struct frame_event ev;
        int rc = wsclient_next(c, deadline, &ev);
        if (rc == 0) {
            snprintf(why, cap, "the target closed the connection");
            return PROBE_BROKEN;
        }
        if (rc < 0) {
            snprintf(why, cap, "%s", ws_strerror(rc));
            return io_result(rc);
        }
        switch (ev.kind) {
        case FRAME_EV_VIOLATION:
            /* It answered: alive. Whether its frames keep the RFC is the
             * RFC oracle's business, not liveness. */
            snprintf(why, cap, "answered with a frame that breaks RFC 6455: %s",
                     frame_violation_name(ev.violation));
            *opcode = FRAME_OP_VIOLATION_SEEN;
            return PROBE_OK;
        case FRAME_EV_HEADER:
            in_control = frame_opcode_is_control(ev.hdr.opcode);
            if (in_control) {
                ctl_op = ev.hdr.opcode;
                buf_clear(ctl);
            } else if (ev.hdr.opcode != FRAME_OP_CONT) {
                data_op = ev.hdr.opcode;
                buf_clear(msg);
            }
            break;
        case FRAME_EV_PAYLOAD:
            if (buf_append(in_control ? ctl : msg, ev.data, ev.len) != 0) {
                snprintf(why, cap, "out of memory");
                return PROBE_OURS;
            }
            break;
        case FRAME_EV_END:
            if (in_control && ctl_op == FRAME_OP_PING) {
                (void)send_frame(c, FRAME_OP_PONG, ctl->data, ctl->len, deadline);
            } else if (in_control && ctl_op == FRAME_OP_CLOSE) {
                *opcode = FRAME_OP_CLOSE;
                return PROBE_OK;
            } else if (!in_control && ev.hdr.fin) {
                *opcode = data_op;
                return PROBE_OK;
            }
            break;
        case FRAME_EV_NEED_MORE: break;
        }
    }
}

enum probe_result fuzz_probe(const struct run_target *rt, double timeout_s, double scale, char *why,
                             size_t cap) {
    int64_t deadline = clock_now_ms() + (int64_t)(timeout_s * scale * 1000.0);
    struct wsclient_request request;
    wsclient_default_request(&request, &rt->url);
    struct wsclient c = {0};
    struct frame_limits limits = {.max_frame_payload = 1u << 20, .strict_length = true};
    if (wsclient_init(&c, &limits) != 0) {
        snprintf(why, cap, "out of memory");
        return PROBE_OURS;
    }
    struct wsclient_handshake hs;
    struct buf msg = {0}, ctl = {0};
    enum probe_result res;
    char detail[512] = "";
    int rc = wsclient_handshake(&c, &rt->url, &rt->tls, &request.req, deadline, &hs, detail,
                                sizeof detail);
    if (rc != 0) {
        snprintf(why, cap, "handshake: %s", detail);
        res = io_result(rc);
        goto out;
    }
    if (hs.problem != HANDSHAKE_RESP_OK) {
        /* A 101 that breaks RFC 6455 (a wrong accept key, ...) is an
         * answer: alive; anything else refuses the connection. */
        bool answered = hs.head_status > 0 && hs.resp.status == 101;
        snprintf(why, cap, "handshake: %s (HTTP %d)",
                 answered ? "alive, a 101 breaking RFC 6455" : "refused", hs.resp.status);
        res = answered ? PROBE_OK : PROBE_BROKEN;
        goto out;
    }
    static const uint8_t text[] = "wsspec fuzz canary";
    const size_t text_len = sizeof text - 1;
    unsigned opcode = 0;
    rc = send_frame(&c, FRAME_OP_TEXT, text, text_len, deadline);
    res =
        rc ? io_result(rc) : next_message(&c, deadline, &opcode, &msg, &ctl, detail, sizeof detail);
    if (rc) {
        snprintf(why, cap, "sending the echo: %s", ws_strerror(rc));
        goto out;
    }
    if (res != PROBE_OK) {
        snprintf(why, cap, "echo: %s", detail);
        goto out;
    }
    /* A liveness probe: any data message back is an answer (an echo that
     * differs, or a frame breaking the RFC, is for the RFC oracle); a close
     * instead of the echo is a refusal. */
    if (opcode == FRAME_OP_VIOLATION_SEEN) {
        snprintf(why, cap, "alive (%s)", detail);
        goto out;
    }
    if (opcode == FRAME_OP_CLOSE) {
        snprintf(why, cap, "echo: the target closed instead of echoing");
        res = PROBE_BROKEN;
        goto out;
    }
    /* Close politely; how the target answers our close is the RFC
     * oracle's business (the probe is about handshake and echo). */
    uint8_t close_payload[8];
    size_t close_len = closeframe_payload_write(1000, NULL, 0, close_payload, sizeof close_payload);
    int64_t close_deadline = clock_now_ms() + (int64_t)(CLOSE_WAIT_MS * scale);
    if (close_deadline > deadline)
        close_deadline = deadline;
    if (send_frame(&c, FRAME_OP_CLOSE, close_payload, close_len, deadline) == 0)
        (void)wsclient_wait_eof(&c, close_deadline);
    snprintf(why, cap, "ok");
out:
    buf_free(&msg);
    buf_free(&ctl);
    wsclient_handshake_free(&hs);
    wsclient_close(&c);
    return res;
}
