/* main: parse the subcommand and dispatch. Nothing else lives here. */
#include <jansson.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "cli/cli.h"

static void usage(FILE *out) {
    fputs(
        "usage: wsspec COMMAND [OPTIONS]\n"
        "\n"
        "commands:\n"
        "  serve [--port N|0] [--host H] [--tls-cert F --tls-key F] [--max-message BYTES]\n"
        "        [--fault NAME]... [--fault list]   run the strict reference echo server\n"
        "  run [URL] [SELECTORS...] [-j N] [--timeout S] [--seed N] [--strict]\n"
        "      [--tag T] [--rfc 6455:7.4] [--autobahn 6.4.*] [--exclude GLOB]\n"
        "      [--cases-dir DIR] [--case-file F] [--ca F] [--insecure] [--sni NAME]\n"
        "      [--chop N (write every send N octets at a time)]\n"
        "      [--idle-timeout S (no octet from the target for S s while an answer is due: 3)]\n"
        "      [--spawn 'CMD {port}'] [--ready-timeout S] [--baseline F] [--agent NAME]\n"
        "      [--report-dir DIR] [--json F] [--junit F] [--html F] [--md F]\n"
        "      [--format text|tap] [--color auto|always|never] [-q|-v|-vv]\n"
        "                                          run cases (no URL: the built-in server)\n"
        "  report FILE.json [--json F] [--junit F] [--html F] [--md F] [--tap]\n"
        "         [--autobahn DIR] [--report-dir DIR]\n"
        "                                          re-render a saved JSON report\n"
        "  list [SELECTORS...] [--json]            list cases\n"
        "  show ID|SELECTORS...                    a case's steps, outcomes and RFC sections\n"
        "  check-cases [PATH]                      check case files without a target\n"
        "  probe URL [--text S] [--binary N] [--count N] [--ca F] [--insecure]\n"
        "                                          handshake, echo, ping and close with a server\n"
        "  --version                               tool and library versions\n",
        out);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("wsspec %s\n%s\nzlib %s\njansson %s\n", WSSPEC_VERSION,
               OpenSSL_version(OPENSSL_VERSION), zlibVersion(), jansson_version_str());
        return 0;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (argc > 2 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "serve") == 0)
        return cli_serve(argc - 1, argv + 1);
    if (strcmp(cmd, "probe") == 0)
        return cli_probe(argc - 1, argv + 1);
    if (strcmp(cmd, "run") == 0)
        return cli_run(argc - 1, argv + 1);
    if (strcmp(cmd, "report") == 0)
        return cli_report(argc - 1, argv + 1);
    if (strcmp(cmd, "list") == 0)
        return cli_list(argc - 1, argv + 1);
    if (strcmp(cmd, "show") == 0)
        return cli_show(argc - 1, argv + 1);
    if (strcmp(cmd, "check-cases") == 0)
        return cli_check_cases(argc - 1, argv + 1);
    fprintf(stderr, "wsspec: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
