/* cli_run_int: the pieces of `wsspec run` kept outside cli_run.c. */
#ifndef WSSPEC_CLI_RUN_INT_H
#define WSSPEC_CLI_RUN_INT_H

#include <stddef.h>
#include <stdint.h>

#include "cli/cli_args.h"

/* What the re-run hint needs before the case id: the target and the
 * options that change which cases exist or how they are judged. */
void cli_rerun_prefix(const struct cli_args *a, char *out, size_t cap);

/* --record-seeds DIR (run_options.record_seed, ud = DIR): writes the seed
 * to DIR/<target>/<sha256 of the seed>. */
void cli_record_seed(void *ud, const char *target, const uint8_t *data, size_t len);

#endif
