/* bench_handshake: the floor under a conformance run: COUNT bare round trips
 * (connect, opening handshake, close frame, wait for the server's close and
 * TCP close) against URL on JOBS threads. Prints the wall time in seconds.
 * Usage: bench_handshake URL COUNT JOBS */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "codec/closeframe.h"
#include "net/wsclient.h"

static struct ws_url url;
static int remaining;
static int failures;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static int one_round_trip(void) {
    int64_t deadline = clock_now_ms() + 10000;
    char err[256];
    struct wsclient_request request;
    wsclient_default_request(&request, &url);
    struct frame_limits limits = {0};
    struct wsclient c = {0};
    struct wsclient_handshake hs;
    struct tls_client_options tls = {.insecure = true};
    int ok = -1;
    if (wsclient_init(&c, &limits) != 0)
        return -1;
    if (wsclient_handshake(&c, &url, &tls, &request.req, deadline, &hs, err, sizeof err) == 0 &&
        hs.problem == HANDSHAKE_RESP_OK) {
        uint8_t payload[2];
        closeframe_payload_write(1000, NULL, 0, payload, sizeof payload);
        struct frame_spec spec = {.fin = true, .opcode = FRAME_OP_CLOSE, .masked = true};
        struct buf out = {0};
        if (frame_build(&spec, payload, 2, &out) == 0 &&
            wsclient_send(&c, out.data, out.len, deadline) == 0 &&
            wsclient_wait_eof(&c, deadline) == 1)
            ok = 0;
        buf_free(&out);
    }
    wsclient_handshake_free(&hs);
    wsclient_close(&c);
    return ok;
}

static void *worker(void *arg) {
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&lock);
        int mine = remaining-- > 0;
        pthread_mutex_unlock(&lock);
        if (!mine)
            return NULL;
        if (one_round_trip() != 0) {
            pthread_mutex_lock(&lock);
            failures++;
            pthread_mutex_unlock(&lock);
        }
    }
}

int main(int argc, char **argv) {
    if (argc != 4 || url_parse(argv[1], &url) != 0) {
        fprintf(stderr, "usage: bench_handshake URL COUNT JOBS\n");
        return 2;
    }
    remaining = atoi(argv[2]);
    int jobs = atoi(argv[3]);
    pthread_t threads[256];
    if (jobs < 1 || jobs > 256)
        return 2;
    int64_t t0 = clock_now_ns();
    for (int i = 0; i < jobs; i++)
        pthread_create(&threads[i], NULL, worker, NULL);
    for (int i = 0; i < jobs; i++)
        pthread_join(threads[i], NULL);
    printf("%.3f\n", (double)(clock_now_ns() - t0) / 1e9);
    if (failures)
        fprintf(stderr, "bench_handshake: %d round trips failed\n", failures);
    return failures ? 1 : 0;
}
