/* cli: every subcommand of `wsspec`, the only place that makes exit
 * statuses. Each takes argv
 * starting at the subcommand's name and returns the process exit status:
 * 0 ok, 1 the peer broke the RFC, 2 usage error, 3 target unreachable or
 * run incomplete, 4 internal error. */
#ifndef WSSPEC_CLI_H
#define WSSPEC_CLI_H

enum exit_status {
    EXIT_PASS = 0,
    EXIT_FAILURES = 1,
    EXIT_USAGE = 2,
    EXIT_INCOMPLETE = 3,
    EXIT_INTERNAL = 4,
    EXIT_INTERRUPTED = 130,
};

int cli_probe(int argc, char **argv);
int cli_run(int argc, char **argv);
/* `wsspec fuzz ...`: the network fuzzer (cli_fuzz.c). */
int cli_fuzz(int argc, char **argv);
int cli_list(int argc, char **argv);
int cli_show(int argc, char **argv);
int cli_check_cases(int argc, char **argv);
/* `wsspec serve ...`: the reference server's command line. */
int cli_serve(int argc, char **argv);
/* `wsspec report FILE.json [--junit F] [--html F] [--md F] [--json F]
 *  [--tap] [--autobahn DIR]`: re-render a saved report. */
int cli_report(int argc, char **argv);

#endif
