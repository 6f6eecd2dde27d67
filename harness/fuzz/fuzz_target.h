/* fuzz_target: the target of `wsspec fuzz`: a server we start ourselves
 * (--spawn 'CMD {port}', or the reference server as a separate process) and
 * restart after it died or hung, or a fixed URL we can only watch; and the
 * liveness probe the hang and canary oracles use: a fresh connection that
 * completes the opening handshake, has a text message echoed and closes.
 *
 * Not thread-safe: the fuzz loop (fuzz_run.c) calls start, restart and stop
 * with every worker held off; fuzz_target_url copies the current address. */
#ifndef WSSPEC_FUZZ_TARGET_H
#define WSSPEC_FUZZ_TARGET_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "net/spawn.h"
#include "run/runner.h"

struct fuzz_target {
    const char *spawn_template; /* borrowed: 'CMD {port}', NULL = a fixed URL */
    const char *url_template;   /* borrowed: may hold {port}; NULL = ws://127.0.0.1:{port}/ */
    struct tls_client_options tls;
    double scale;         /* WSSPEC_TIMEOUT_SCALE */
    double ready_s;       /* how long a started target may take to listen (unscaled) */
    struct spawn *sp;     /* the running target, NULL for a fixed URL */
    struct run_target rt; /* where it listens now */
    unsigned generation;  /* +1 at each (re)start */
    unsigned restarts;
    volatile sig_atomic_t *interrupted;
    volatile sig_atomic_t *pgid_slot; /* may be NULL: the running target's process group
                                         (0 when none), for a signal handler's last kill */
};

/* Start (spawned) or check (URL) the target. Returns 0, or -1 with errmsg
 * saying why (cannot start, not ready, unreachable, bad URL). */
int fuzz_target_start(struct fuzz_target *t, char *errmsg, size_t cap);
/* Stop a spawned target (if it runs) and start a fresh one on a new port.
 * Returns as fuzz_target_start; -1 for a fixed URL (nothing to restart). */
int fuzz_target_restart(struct fuzz_target *t, char *errmsg, size_t cap);
/* Stop and release a spawned target. */
void fuzz_target_stop(struct fuzz_target *t);

/* Whether the spawned target is gone: it has exited, or (after a connection
 * that ended abnormally) it is exiting: spawn_settle within settle_ms
 * (scaled). Always false for a fixed URL. */
bool fuzz_target_died(struct fuzz_target *t, bool abnormal, int settle_ms);
/* How the spawned target ended and what it said: "signal 11 (SIGSEGV)" and
 * its sanitizer report or its last output (owned, caller frees; NULL when
 * out of memory). */
char *fuzz_target_death(struct fuzz_target *t);
/* The first sanitizer report in a running target's output, "" when none. */
void fuzz_target_sanitizer(struct fuzz_target *t, char *out, size_t cap);

enum probe_result {
    PROBE_OK,      /* handshake (101, accept key right), echo, close answered */
    PROBE_TIMEOUT, /* no answer before the deadline: the hang oracle */
    PROBE_BROKEN,  /* refused, reset, not a 101, a wrong echo: the canary oracle */
    PROBE_OURS,    /* a failure of ours (out of memory): no verdict */
};
/* One fresh connection to rt: handshake, echo of a text message, close,
 * all within timeout_s (unscaled; scaled here). why says what failed. */
enum probe_result fuzz_probe(const struct run_target *rt, double timeout_s, double scale, char *why,
                             size_t cap);

#endif
