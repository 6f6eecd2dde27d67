/* spawn: the target process of `wsspec run --spawn 'CMD {port}'`.
 *
 * The harness starts the server under test itself so that it can see it
 * die: the command runs under /bin/sh -c in a process group of its own (a
 * Ctrl-C on the terminal reaches wsspec, which then stops the target in
 * order, rather than killing both at once), with stdout and stderr on a
 * pipe that a reader thread drains into a ring of the last 64 KiB. The
 * first sanitizer report in that output (AddressSanitizer, LeakSanitizer,
 * UndefinedBehaviorSanitizer "runtime error:", ...) is kept apart, so the
 * case that was running when the target died can be blamed with the
 * evidence.
 *
 * Thread-safety: spawn_exited(), spawn_wait_exit() and the accessors may be
 * called from any thread (the runner's progress callbacks); start, stop
 * and free from one thread. */
#ifndef WSSPEC_SPAWN_H
#define WSSPEC_SPAWN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SPAWN_OUTPUT_CAP    (64 * 1024) /* last octets of the target's output kept */
#define SPAWN_SANITIZER_CAP (8 * 1024)  /* octets of the first sanitizer report kept */

struct spawn;

/* Pick a free TCP port on 127.0.0.1 (bind port 0, read it, close). Another
 * process may take it before the target does; the readiness check then
 * fails with a clear message. Returns 0 or WS_ERR_IO. */
int spawn_pick_port(unsigned *port);

/* Replace every "{port}" in template with port. Returns a new string
 * (caller frees) or NULL when out of memory. */
char *spawn_substitute_port(const char *template_text, unsigned port);

/* Start `/bin/sh -c command` (command borrowed, copied). Returns 0 with
 * *out set, or WS_ERR_NOMEM / WS_ERR_IO (pipe, fork) with errmsg filled. */
int spawn_start(const char *command, struct spawn **out, char *errmsg, size_t cap);

/* Wait until a TCP connection to host:port succeeds. Returns 0 when ready,
 * WS_ERR_TIMEOUT after timeout_s, WS_ERR_CLOSED when the target exited
 * first, WS_ERR_INTERRUPTED when *interrupted was set (may be NULL),
 * WS_ERR_RESOLVE when host does not resolve; errmsg says what happened
 * (with the target's last output when it exited). */
int spawn_wait_ready(struct spawn *s, const char *host, unsigned port, double timeout_s,
                     volatile sig_atomic_t *interrupted, char *errmsg, size_t cap);

/* Whether the target has exited (non-blocking). */
bool spawn_exited(struct spawn *s);
/* Poll for up to timeout_ms for the target to exit; returns spawn_exited(). */
bool spawn_wait_exit(struct spawn *s, int64_t timeout_ms);

enum spawn_state {
    SPAWN_ALIVE,   /* it accepted a new TCP connection: it is up */
    SPAWN_EXITED,  /* it has exited (spawn_describe_exit says how) */
    SPAWN_UNKNOWN, /* neither within the time given (not listening, not gone) */
};
/* Settle the target's state after a connection to it ended abnormally (EOF
 * or reset without a close frame, or no connection at all): a target that
 * is dying has closed its sockets, listening one included, a moment before
 * it can be reaped (and the shell of `sh -c` has to reap it first), so the
 * case must not be judged on a guess. Alive means: a TCP connection to
 * host:port succeeds (closed at once) and no process of the target's group
 * is exiting (Linux /proc: a zombie or PF_EXITING, set before the dying
 * process closes anything). Polls until one answer holds or timeout_ms
 * pass, or ten times timeout_ms once a process of the target is seen
 * exiting (dying slowly on a busy machine is still dying); never blocks
 * much longer than that (one connect of at most 100 ms and a walk of /proc). */
enum spawn_state spawn_settle(struct spawn *s, const char *host, unsigned port, int64_t timeout_ms);

/* How it ended: "signal 11 (SIGSEGV)", "exit status 1", "signal 6 (SIGABRT)
 * (exit status 134 from the shell)"; "running" while it runs. */
void spawn_describe_exit(struct spawn *s, char *out, size_t cap);
/* The first sanitizer report seen in the target's output, NUL-terminated,
 * or "" (copied into out, cut to cap). Waits up to 500 ms for the output
 * pipe to drain when the target has exited. */
void spawn_sanitizer_report(struct spawn *s, char *out, size_t cap);
/* The last max_lines lines of the target's output (copied into out). */
void spawn_output_tail(struct spawn *s, size_t max_lines, char *out, size_t cap);
/* Write everything kept of the target's output to path (not atomic: a
 * log). Returns 0 or -1 with errno set. */
int spawn_write_output(struct spawn *s, const char *path);

/* The target's process group id, for a signal handler that must kill it
 * before _exit (kill(-pgid, SIGKILL) is async-signal-safe). */
pid_t spawn_pgid(const struct spawn *s);

/* Stop the target: SIGTERM to its process group, wait up to grace_s, then
 * SIGKILL. Returns true when it had already exited before we asked. */
bool spawn_stop(struct spawn *s, double grace_s);

/* Stop (if still running) and release everything. NULL is fine. */
void spawn_free(struct spawn *s);

#endif
