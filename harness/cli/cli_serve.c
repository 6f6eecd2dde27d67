/* cli_serve: `wsspec serve`, the command line of the reference server.
 *
 *   wsspec serve [--port N|0] [--host H] [--tls-cert F --tls-key F]
 *                [--max-message BYTES] [--no-deflate] [--fault NAME]... [--fault list]
 *                [--chatter pong|ping|both] [--quiet]
 *
 * (`wsspec serve --help` is printed by cli_help from cli_help.txt.)
 *
 * Prints the bound port alone on the first stdout line (scripts read it),
 * runs until SIGTERM or SIGINT, then closes open connections with 1001.
 * Exit status: 0 clean stop (or --fault list), 2 usage error,
 * 3 cannot listen or load the TLS files, 4 the event loop failed. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "cli/cli.h"
#include "refserver/refserver.h"

/* The server the signal handlers stop (set before they are installed). */
static struct refserver *signal_target;

static void on_stop_signal(int sig) {
    (void)sig;
    if (signal_target)
        refserver_request_stop(signal_target);
}

static void list_faults(void) {
    for (int f = 0; f < FAULT_COUNT; f++)
        printf("%-26s %s\n", fault_name((enum fault)f), fault_description((enum fault)f));
}

/* "65536", "64k", "16m", "1g" (binary multiples). */
static int parse_size(const char *text, uint64_t *out) {
    if (text[0] < '0' || text[0] > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno != 0)
        return -1;
    unsigned shift = 0;
    if (*end == 'k' || *end == 'K')
        shift = 10;
    else if (*end == 'm' || *end == 'M')
        shift = 20;
    else if (*end == 'g' || *end == 'G')
        shift = 30;
    if (shift != 0)
        end++;
    if (*end != '\0' || value > (UINT64_MAX >> shift))
        return -1;
    *out = (uint64_t)value << shift;
    return 0;
}

static int parse_port(const char *text, uint16_t *out) {
    if (text[0] < '0' || text[0] > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long value = strtoul(text, &end, 10);
    if (errno != 0 || *end != '\0' || value > 65535)
        return -1;
    *out = (uint16_t)value;
    return 0;
}

/* The value of an option given as "--opt VALUE" or "--opt=VALUE"; NULL
 * when arg is not that option. *i advances past a separate value. */
static const char *option_value(int argc, char **argv, int *i, const char *name, bool *missing) {
    const char *arg = argv[*i];
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0)
        return NULL;
    if (arg[n] == '=')
        return arg + n + 1;
    if (arg[n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    return argv[++*i];
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("wsspec serve: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\n(see wsspec serve --help)\n", stderr);
    va_end(ap);
    return EXIT_USAGE;
}

int cli_serve(int argc, char **argv) {
    struct refserver_options opts = {0};
    bool want_list = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *value;
        bool missing = false;
        if (strcmp(arg, "--quiet") == 0 || strcmp(arg, "-q") == 0) {
            opts.quiet = true;
        } else if (strcmp(arg, "--no-deflate") == 0) {
            opts.no_deflate = true;
        } else if ((value = option_value(argc, argv, &i, "--port", &missing))) {
            if (parse_port(value, &opts.port) != 0)
                return usage_error("--port wants a number 0-65535, not '%s'", value);
        } else if ((value = option_value(argc, argv, &i, "--host", &missing))) {
            opts.host = value;
        } else if ((value = option_value(argc, argv, &i, "--tls-cert", &missing))) {
            opts.tls_cert = value;
        } else if ((value = option_value(argc, argv, &i, "--tls-key", &missing))) {
            opts.tls_key = value;
        } else if ((value = option_value(argc, argv, &i, "--max-message", &missing))) {
            if (parse_size(value, &opts.max_message) != 0 || opts.max_message == 0)
                return usage_error("--max-message wants a size in octets (k/m/g suffix "
                                   "allowed), not '%s'",
                                   value);
        } else if ((value = option_value(argc, argv, &i, "--fault", &missing))) {
            if (strcmp(value, "list") == 0) {
                want_list = true;
                continue;
            }
            int f = fault_lookup(value);
            if (f < 0)
                return usage_error("unknown fault '%s' (--fault list shows them)", value);
            opts.faults |= (uint64_t)1 << f;
        } else if ((value = option_value(argc, argv, &i, "--chatter", &missing))) {
            if (strcmp(value, "pong") == 0)
                opts.chatter = RS_CHATTER_PONG;
            else if (strcmp(value, "ping") == 0)
                opts.chatter = RS_CHATTER_PING;
            else if (strcmp(value, "both") == 0)
                opts.chatter = RS_CHATTER_PONG | RS_CHATTER_PING;
            else
                return usage_error("--chatter wants pong, ping or both, not '%s'", value);
        } else if (missing) {
            return usage_error("%s needs a value", arg);
        } else {
            return usage_error("unknown option '%s'", arg);
        }
    }
    if (want_list) {
        list_faults();
        return EXIT_PASS;
    }
    if ((opts.tls_cert == NULL) != (opts.tls_key == NULL))
        return usage_error("--tls-cert and --tls-key must be given together");

    char err[512];
    struct refserver *server = refserver_new(&opts, err, sizeof err);
    if (server == NULL) {
        fprintf(stderr, "wsspec serve: %s\n", err);
        return EXIT_INCOMPLETE;
    }

    signal(SIGPIPE, SIG_IGN); /* belt and braces: every send uses MSG_NOSIGNAL */
    signal_target = server;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    printf("%u\n", (unsigned)refserver_port(server));
    fflush(stdout);
    if (!opts.quiet) {
        const char *host = opts.host ? opts.host : "127.0.0.1";
        bool v6 = strchr(host, ':') != NULL; /* RFC 3986 3.2.2: IPv6 literals in brackets */
        fprintf(stderr, "wsspec serve: listening on %s://%s%s%s:%u/", opts.tls_cert ? "wss" : "ws",
                v6 ? "[" : "", host, v6 ? "]" : "", (unsigned)refserver_port(server));
        if (opts.no_deflate)
            fputs(" --no-deflate", stderr);
        for (int f = 0; f < FAULT_COUNT; f++) {
            if (fault_on(opts.faults, (enum fault)f))
                fprintf(stderr, " --fault %s", fault_name((enum fault)f));
        }
        fputc('\n', stderr);
    }

    int rc = refserver_run(server);

    sa.sa_handler = SIG_DFL;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal_target = NULL;
    refserver_free(server);
    if (rc != 0) {
        fprintf(stderr, "wsspec serve: event loop failed: %s\n", ws_strerror(rc));
        return EXIT_INTERNAL;
    }
    return EXIT_PASS;
}
