/* main: parse the subcommand and dispatch. Nothing else lives here. */
#include <jansson.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "cli/cli.h"
#include "cli/cli_help.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"run", cli_run},
    {"fuzz", cli_fuzz},
    {"list", cli_list},
    {"show", cli_show},
    {"check-cases", cli_check_cases},
    {"serve", cli_serve},
    {"probe", cli_probe},
    {"report", cli_report},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static bool is_help(const char *arg) {
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0 || strcmp(arg, "help") == 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        cli_help_commands(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("wsspec %s\n%s\nzlib %s\njansson %s\n", WSSPEC_VERSION,
               OpenSSL_version(OPENSSL_VERSION), zlibVersion(), jansson_version_str());
        return 0;
    }
    if (is_help(cmd)) {
        /* `wsspec help COMMAND` is `wsspec COMMAND --help`. */
        if (argc > 2 && cli_help_command(stdout, argv[2]) == 0)
            return EXIT_PASS;
        if (argc > 2) {
            fprintf(stderr, "wsspec help: unknown command '%s'\n", argv[2]);
            cli_help_commands(stderr);
            return EXIT_USAGE;
        }
        cli_help_commands(stdout);
        return EXIT_PASS;
    }
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (strcmp(cmd, commands[i].name) != 0)
            continue;
        if (cli_help_wanted(argc - 1, argv + 1)) {
            if (cli_help_command(stdout, cmd) == 0)
                return EXIT_PASS;
            /* Our bug: every command has its part of cli_help.txt. */
            fprintf(stderr, "wsspec %s: no help text in cli_help.txt\n", cmd);
            return EXIT_INTERNAL;
        }
        return commands[i].run(argc - 1, argv + 1);
    }
    fprintf(stderr, "wsspec: unknown command '%s'\n", cmd);
    cli_help_commands(stderr);
    return EXIT_USAGE;
}
