/* spawn: start, watch and stop the target of `wsspec run --spawn` (spawn.h).
 *
 * The child runs `/bin/sh -c CMD` in its own process group with stdin on
 * /dev/null and stdout + stderr on one pipe. A reader thread keeps the last
 * SPAWN_OUTPUT_CAP octets in a ring and, line by line, copies the first
 * sanitizer report it sees into a buffer of its own, because that report is
 * the most useful thing a crashed target leaves behind and a chatty target
 * could push it out of the ring. Exit is noticed with waitpid(WNOHANG),
 * under the lock, from whichever thread asks first. */
#include "net/spawn.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/errors.h"

#define LINE_CAP            1024 /* a line longer than this is matched on its start */
#define SANITIZER_MAX_LINES 80

enum san_state { SAN_NONE, SAN_COLLECTING, SAN_DONE };

struct spawn {
    char *command;
    pid_t pid;
    int out_fd; /* read end of the output pipe, -1 when closed */
    pthread_t reader;
    bool reader_started;
    pthread_mutex_t lock; /* everything below */
    bool reader_stop;
    bool exited;
    int wait_status;
    bool eof; /* the reader saw the pipe close */
    uint8_t ring[SPAWN_OUTPUT_CAP];
    size_t ring_head, ring_len; /* oldest octet at ring_head */
    char line[LINE_CAP];
    size_t line_len;
    bool line_truncated;
    enum san_state san;
    size_t san_lines;
    char sanitizer[SPAWN_SANITIZER_CAP];
    size_t sanitizer_len;
};

static void sleep_ms(int ms) {
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int spawn_pick_port(unsigned *port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return WS_ERR_IO;
    struct sockaddr_in sa = {
        .sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    int rc = bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
                     getsockname(fd, (struct sockaddr *)&sa, &len) == 0
                 ? 0
                 : WS_ERR_IO;
    close(fd);
    if (rc == 0)
        *port = ntohs(sa.sin_port);
    return rc;
}

char *spawn_substitute_port(const char *template_text, unsigned port) {
    static const char key[] = "{port}";
    char digits[16];
    int dlen = snprintf(digits, sizeof digits, "%u", port);
    size_t n = 0;
    for (const char *p = template_text; (p = strstr(p, key)) != NULL; p += sizeof key - 1)
        n++;
    char *out = malloc(strlen(template_text) + n * (size_t)dlen + 1);
    if (!out)
        return NULL;
    char *w = out;
    for (const char *p = template_text; *p;) {
        if (strncmp(p, key, sizeof key - 1) == 0) {
            memcpy(w, digits, (size_t)dlen);
            w += dlen;
            p += sizeof key - 1;
        } else {
            *w++ = *p++;
        }
    }
    *w = '\0';
    return out;
}

/* ---- output capture ------------------------------------------------------- */

static bool sanitizer_start_line(const char *line) {
    /* "==1234==ERROR: AddressSanitizer: heap-buffer-overflow ...",
     * "WARNING: ThreadSanitizer: data race", "x.c:3:5: runtime error: ..." */
    if (strstr(line, "runtime error:"))
        return true;
    return strstr(line, "Sanitizer") && (strstr(line, "ERROR:") || strstr(line, "WARNING:"));
}

static void sanitizer_append(struct spawn *s, const char *text, size_t len) {
    size_t room = sizeof s->sanitizer - 1 - s->sanitizer_len;
    if (len > room)
        len = room;
    memcpy(s->sanitizer + s->sanitizer_len, text, len);
    s->sanitizer_len += len;
    s->sanitizer[s->sanitizer_len] = '\0';
}

/* One complete line of output (without its newline), under the lock. */
static void scan_line(struct spawn *s) {
    s->line[s->line_len] = '\0';
    if (s->san == SAN_NONE && sanitizer_start_line(s->line))
        s->san = SAN_COLLECTING;
    if (s->san != SAN_COLLECTING)
        return;
    sanitizer_append(s, s->line, s->line_len);
    sanitizer_append(s, s->line_truncated ? "...\n" : "\n", s->line_truncated ? 4 : 1);
    s->san_lines++;
    /* The report ends with its SUMMARY line, or ASan's "==N==ABORTING". */
    if (strncmp(s->line, "SUMMARY: ", 9) == 0 || strstr(s->line, "==ABORTING") ||
        s->san_lines >= SANITIZER_MAX_LINES || s->sanitizer_len + 1 >= sizeof s->sanitizer)
        s->san = SAN_DONE;
}

static void take_output(struct spawn *s, const uint8_t *data, size_t len) {
    for (size_t i = 0; i < len; i++) {
        size_t at = (s->ring_head + s->ring_len) % SPAWN_OUTPUT_CAP;
        s->ring[at] = data[i];
        if (s->ring_len < SPAWN_OUTPUT_CAP)
            s->ring_len++;
        else
            s->ring_head = (s->ring_head + 1) % SPAWN_OUTPUT_CAP;
        if (data[i] == '\n') {
            scan_line(s);
            s->line_len = 0;
            s->line_truncated = false;
        } else if (s->line_len < LINE_CAP - 1) {
            s->line[s->line_len++] = (char)data[i];
        } else {
            s->line_truncated = true;
        }
    }
}

static void *reader_main(void *arg) {
    struct spawn *s = arg;
    uint8_t chunk[4096];
    for (;;) {
        pthread_mutex_lock(&s->lock);
        bool stop = s->reader_stop;
        pthread_mutex_unlock(&s->lock);
        if (stop)
            break;
        struct pollfd pfd = {.fd = s->out_fd, .events = POLLIN};
        int pr = poll(&pfd, 1, 100);
        if (pr < 0 && errno != EINTR)
            break;
        if (pr <= 0)
            continue;
        ssize_t got = read(s->out_fd, chunk, sizeof chunk);
        if (got < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        pthread_mutex_lock(&s->lock);
        if (got > 0) {
            take_output(s, chunk, (size_t)got);
        } else {
            if (s->line_len) /* a last line without a newline */
                scan_line(s);
            s->eof = true;
        }
        pthread_mutex_unlock(&s->lock);
        if (got <= 0)
            break;
    }
    return NULL;
}

/* ---- the child ------------------------------------------------------------ */

int spawn_start(const char *command, struct spawn **out, char *errmsg, size_t cap) {
    *out = NULL;
    struct spawn *s = calloc(1, sizeof *s);
    if (!s || !(s->command = strdup(command))) {
        free(s);
        snprintf(errmsg, cap, "out of memory");
        return WS_ERR_NOMEM;
    }
    s->out_fd = -1;
    s->pid = -1;
    pthread_mutex_init(&s->lock, NULL);
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0) {
        snprintf(errmsg, cap, "cannot create a pipe for the target's output: %s", strerror(errno));
        goto fail;
    }
    /* Only the child's copy of the write end may survive exec. */
    fcntl(pipe_fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(pipe_fds[1], F_SETFD, FD_CLOEXEC);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(errmsg, cap, "cannot fork: %s", strerror(errno));
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        goto fail;
    }
    if (pid == 0) {
        /* The child: async-signal-safe calls only until exec. Its own process
         * group, so a terminal's Ctrl-C reaches wsspec alone; default signal
         * dispositions (an ignored SIGPIPE would survive exec). */
        setpgid(0, 0);
        signal(SIGPIPE, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        dup2(pipe_fds[1], 1);
        dup2(pipe_fds[1], 2);
        execl("/bin/sh", "sh", "-c", s->command, (char *)NULL);
        _exit(127);
    }
    setpgid(pid, pid); /* also here: whichever runs first wins the race */
    close(pipe_fds[1]);
    s->pid = pid;
    s->out_fd = pipe_fds[0];
    if (pthread_create(&s->reader, NULL, reader_main, s) == 0)
        s->reader_started = true;
    *out = s;
    return 0;
fail:
    pthread_mutex_destroy(&s->lock);
    free(s->command);
    free(s);
    return WS_ERR_IO;
}

bool spawn_exited(struct spawn *s) {
    pthread_mutex_lock(&s->lock);
    if (!s->exited && s->pid > 0) {
        int status;
        pid_t r = waitpid(s->pid, &status, WNOHANG);
        if (r == s->pid || (r < 0 && errno == ECHILD)) {
            s->exited = true;
            s->wait_status = r == s->pid ? status : 0;
        }
    }
    bool exited = s->exited;
    pthread_mutex_unlock(&s->lock);
    return exited;
}

bool spawn_wait_exit(struct spawn *s, int64_t timeout_ms) {
    int64_t end = clock_now_ms() + timeout_ms;
    while (!spawn_exited(s)) {
        if (clock_now_ms() >= end)
            return false;
        sleep_ms(5);
    }
    return true;
}

/* Wait (bounded) until the reader has everything the dead target wrote. */
static void drain(struct spawn *s, int timeout_ms) {
    if (!spawn_exited(s))
        return;
    int64_t end = clock_now_ms() + timeout_ms;
    for (;;) {
        pthread_mutex_lock(&s->lock);
        bool done = s->eof || !s->reader_started;
        pthread_mutex_unlock(&s->lock);
        if (done || clock_now_ms() >= end)
            return;
        sleep_ms(5);
    }
}

static const char *signal_abbrev(int sig) {
    switch (sig) {
    case SIGHUP: return "SIGHUP";
    case SIGINT: return "SIGINT";
    case SIGQUIT: return "SIGQUIT";
    case SIGILL: return "SIGILL";
    case SIGTRAP: return "SIGTRAP";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGKILL: return "SIGKILL";
    case SIGUSR1: return "SIGUSR1";
    case SIGSEGV: return "SIGSEGV";
    case SIGUSR2: return "SIGUSR2";
    case SIGPIPE: return "SIGPIPE";
    case SIGALRM: return "SIGALRM";
    case SIGTERM: return "SIGTERM";
    case SIGSYS: return "SIGSYS";
    case SIGXCPU: return "SIGXCPU";
    default: return "a signal";
    }
}

void spawn_describe_exit(struct spawn *s, char *out, size_t cap) {
    if (!spawn_exited(s)) {
        snprintf(out, cap, "running");
        return;
    }
    pthread_mutex_lock(&s->lock);
    int st = s->wait_status;
    pthread_mutex_unlock(&s->lock);
    if (WIFSIGNALED(st)) {
        snprintf(out, cap, "signal %d (%s)%s", WTERMSIG(st), signal_abbrev(WTERMSIG(st)),
                 WCOREDUMP(st) ? ", core dumped" : "");
    } else if (WIFEXITED(st) && WEXITSTATUS(st) > 128 && WEXITSTATUS(st) <= 128 + 64) {
        /* sh -c does not exec the command: a killed command shows as the
         * shell's exit status 128 + the signal number. */
        int sig = WEXITSTATUS(st) - 128;
        snprintf(out, cap, "signal %d (%s) (exit status %d from the shell)", sig,
                 signal_abbrev(sig), WEXITSTATUS(st));
    } else if (WIFEXITED(st)) {
        snprintf(out, cap, "exit status %d", WEXITSTATUS(st));
    } else {
        snprintf(out, cap, "wait status %d", st);
    }
}

void spawn_sanitizer_report(struct spawn *s, char *out, size_t cap) {
    if (cap == 0)
        return;
    drain(s, 500);
    pthread_mutex_lock(&s->lock);
    snprintf(out, cap, "%s", s->sanitizer);
    pthread_mutex_unlock(&s->lock);
}

/* The ring in order, under the lock, into out (cap > 0). Returns its length. */
static size_t ring_copy(const struct spawn *s, char *out, size_t cap) {
    size_t n = s->ring_len < cap - 1 ? s->ring_len : cap - 1;
    size_t skip = s->ring_len - n; /* keep the newest */
    for (size_t i = 0; i < n; i++)
        out[i] = (char)s->ring[(s->ring_head + skip + i) % SPAWN_OUTPUT_CAP];
    out[n] = '\0';
    return n;
}

void spawn_output_tail(struct spawn *s, size_t max_lines, char *out, size_t cap) {
    if (cap == 0)
        return;
    out[0] = '\0';
    drain(s, 500);
    char *all = malloc(SPAWN_OUTPUT_CAP + 1);
    if (!all)
        return;
    pthread_mutex_lock(&s->lock);
    size_t len = ring_copy(s, all, SPAWN_OUTPUT_CAP + 1);
    pthread_mutex_unlock(&s->lock);
    while (len && all[len - 1] == '\n')
        all[--len] = '\0';
    size_t start = len, lines = 0;
    while (start > 0 && lines < max_lines) {
        start--;
        if (all[start] == '\n' && ++lines == max_lines) {
            start++;
            break;
        }
    }
    /* Keep the end when the tail does not fit. */
    size_t tail_len = len - start;
    if (tail_len >= cap)
        start = len - (cap - 1);
    snprintf(out, cap, "%s", all + start);
    free(all);
}

int spawn_write_output(struct spawn *s, const char *path) {
    drain(s, 500);
    char *all = malloc(SPAWN_OUTPUT_CAP + 1);
    if (!all)
        return -1;
    pthread_mutex_lock(&s->lock);
    size_t len = ring_copy(s, all, SPAWN_OUTPUT_CAP + 1);
    pthread_mutex_unlock(&s->lock);
    FILE *f = fopen(path, "w");
    int rc = -1;
    if (f) {
        rc = fwrite(all, 1, len, f) == len ? 0 : -1;
        if (fclose(f) != 0)
            rc = -1;
    }
    free(all);
    return rc;
}

/* ---- readiness ------------------------------------------------------------ */

/* One TCP connect attempt, bounded by timeout_ms. 0 connected, -1 not (yet),
 * WS_ERR_RESOLVE when the host does not resolve. */
static int connect_once(const char *host, unsigned port, int timeout_ms) {
    char service[16];
    snprintf(service, sizeof service, "%u", port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    if (getaddrinfo(host, service, &hints, &res) != 0)
        return WS_ERR_RESOLVE;
    int rc = -1;
    for (struct addrinfo *ai = res; ai && rc != 0; ai = ai->ai_next) {
        int fd =
            socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0)
            continue;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            rc = 0;
        } else if (errno == EINPROGRESS) {
            struct pollfd pfd = {.fd = fd, .events = POLLOUT};
            int soerr = 0;
            socklen_t len = sizeof soerr;
            if (poll(&pfd, 1, timeout_ms) == 1 &&
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 && soerr == 0)
                rc = 0;
        }
        close(fd);
    }
    freeaddrinfo(res);
    return rc;
}

#define PF_EXITING_FLAG 0x00000004u /* linux/sched.h PF_EXITING: "getting shut down" */

/* Whether some process of process group pgid is on its way out: a zombie,
 * or PF_EXITING set (from the first instruction of the kernel's exit path,
 * before a single descriptor is closed). Read from /proc (Linux); false
 * where there is none. */
static bool group_exiting(pid_t pgid) {
    DIR *proc = opendir("/proc");
    if (!proc)
        return false;
    bool exiting = false;
    struct dirent *de;
    while (!exiting && (de = readdir(proc)) != NULL) {
        if (de->d_name[0] < '1' || de->d_name[0] > '9')
            continue;
        char path[300], stat[512];
        snprintf(path, sizeof path, "/proc/%s/stat", de->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t got = read(fd, stat, sizeof stat - 1);
        close(fd);
        if (got <= 0)
            continue;
        stat[got] = '\0';
        /* "pid (comm) state ppid pgrp session tty_nr tpgid flags ...": comm
         * may hold anything, so fields count from its last ')'. */
        const char *p = strrchr(stat, ')');
        char state = 0;
        int ppid = 0, pgrp = 0, session = 0, tty = 0, tpgid = 0;
        unsigned flags = 0;
        if (!p || sscanf(p + 1, " %c %d %d %d %d %d %u", &state, &ppid, &pgrp, &session, &tty,
                         &tpgid, &flags) != 7)
            continue;
        if (pgrp == (int)pgid && (state == 'Z' || state == 'X' || (flags & PF_EXITING_FLAG)))
            exiting = true;
    }
    closedir(proc);
    return exiting;
}

enum spawn_state spawn_settle(struct spawn *s, const char *host, unsigned port,
                              int64_t timeout_ms) {
    int64_t start = clock_now_ms(), end = start + timeout_ms;
    bool extended = false;
    for (;;) {
        if (spawn_exited(s))
            return SPAWN_EXITED;
        /* Alive: it takes a connection, and nothing of it is on its way
         * out. A dying process closes our connection a moment before its
         * listening socket (the kernel releases sockets in reverse order),
         * so the connect alone could still succeed; the exit flag is set
         * before either. */
        bool exiting = group_exiting(s->pid);
        if (!exiting && connect_once(host, port, 100) == 0 && !group_exiting(s->pid))
            return spawn_exited(s) ? SPAWN_EXITED : SPAWN_ALIVE;
        /* Seen on its way out (a zombie the shell has yet to reap, or a
         * process past PF_EXITING): it is dying, only slowly (a busy
         * machine schedules the reaping shell late), so wait for the exit
         * ten times longer rather than answer "unknown" and let the case
         * be judged as if the target had merely closed the connection. */
        if (exiting && !extended) {
            extended = true;
            end = start + 10 * timeout_ms;
        }
        if (clock_now_ms() >= end)
            return spawn_exited(s) ? SPAWN_EXITED : SPAWN_UNKNOWN;
        sleep_ms(2);
    }
}

int spawn_wait_ready(struct spawn *s, const char *host, unsigned port, double timeout_s,
                     volatile sig_atomic_t *interrupted, char *errmsg, size_t cap) {
    int64_t deadline = clock_now_ms() + (int64_t)(timeout_s * 1000.0);
    for (;;) {
        if (interrupted && *interrupted) {
            snprintf(errmsg, cap, "interrupted while waiting for the target to start");
            return WS_ERR_INTERRUPTED;
        }
        if (spawn_exited(s)) {
            char how[96], tail[2048];
            spawn_describe_exit(s, how, sizeof how);
            spawn_output_tail(s, 12, tail, sizeof tail);
            snprintf(errmsg, cap, "the target exited before accepting connections on %s:%u: %s%s%s",
                     host, port, how, *tail ? "; its last output:\n" : "", tail);
            return WS_ERR_CLOSED;
        }
        int rc = connect_once(host, port, 200);
        if (rc == 0)
            return 0;
        if (rc == WS_ERR_RESOLVE) {
            snprintf(errmsg, cap, "cannot resolve %s", host);
            return rc;
        }
        if (clock_now_ms() >= deadline) {
            snprintf(errmsg, cap,
                     "the target did not accept connections on %s:%u within %.1f s "
                     "(--ready-timeout)",
                     host, port, timeout_s);
            return WS_ERR_TIMEOUT;
        }
        sleep_ms(50);
    }
}

/* ---- stopping ------------------------------------------------------------- */

pid_t spawn_pgid(const struct spawn *s) {
    return s ? s->pid : -1;
}

bool spawn_stop(struct spawn *s, double grace_s) {
    if (!s || s->pid <= 0)
        return true;
    bool had_exited = spawn_exited(s);
    if (!had_exited) {
        kill(-s->pid, SIGTERM);
        if (!spawn_wait_exit(s, (int64_t)(grace_s * 1000.0))) {
            kill(-s->pid, SIGKILL);
            spawn_wait_exit(s, 5000);
        }
    }
    /* Whatever the shell left behind in the group goes too. */
    kill(-s->pid, SIGKILL);
    return had_exited;
}

void spawn_free(struct spawn *s) {
    if (!s)
        return;
    spawn_stop(s, 5.0);
    if (s->reader_started) {
        drain(s, 500);
        pthread_mutex_lock(&s->lock);
        s->reader_stop = true;
        pthread_mutex_unlock(&s->lock);
        pthread_join(s->reader, NULL);
    }
    if (s->out_fd >= 0)
        close(s->out_fd);
    pthread_mutex_destroy(&s->lock);
    free(s->command);
    free(s);
}
