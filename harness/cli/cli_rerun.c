/* cli_rerun: the command that re-runs one case, as `wsspec run` prints it
 * under a failure: the target and the options that change which cases
 * exist or how they are judged, shell-quoted (cli_run_int.h). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli_run_int.h"

/* Shell-quote word onto out (for re-run hints). */
static void append_word(char *out, size_t cap, const char *word) {
    size_t len = strlen(out);
    bool plain = *word != '\0';
    for (const char *p = word; *p; p++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:=@%+,-", *p))
            plain = false;
    if (len && len + 1 < cap)
        out[len++] = ' ';
    if (plain) {
        snprintf(out + len, cap - len, "%s", word);
        return;
    }
    if (len + 1 < cap)
        out[len++] = '\'';
    for (const char *p = word; *p && len + 5 < cap; p++) {
        if (*p == '\'') {
            memcpy(out + len, "'\\''", 4);
            len += 4;
        } else {
            out[len++] = *p;
        }
    }
    if (len + 1 < cap)
        out[len++] = '\'';
    out[len < cap ? len : cap - 1] = '\0';
}

/* What the re-run hint needs before the case id: the target and the
 * options that change which cases exist or how they are judged. */
void cli_rerun_prefix(const struct cli_args *a, char *out, size_t cap) {
    out[0] = '\0';
    if (a->url)
        append_word(out, cap, a->url);
    if (a->spawn) {
        append_word(out, cap, "--spawn");
        append_word(out, cap, a->spawn);
    }
    for (size_t i = 0; i < a->case_files.count; i++) {
        append_word(out, cap, "--case-file");
        append_word(out, cap, a->case_files.items[i]);
    }
    if (a->cases_dir) {
        append_word(out, cap, "--cases-dir");
        append_word(out, cap, a->cases_dir);
    }
    if (a->strict)
        append_word(out, cap, "--strict");
    if (a->no_deflate && !a->url && !a->spawn)
        append_word(out, cap, "--no-deflate");
    if (a->timeout_s > 0) {
        char t[32];
        snprintf(t, sizeof t, "%g", a->timeout_s);
        append_word(out, cap, "--timeout");
        append_word(out, cap, t);
    }
    if (a->chop) {
        char t[32];
        snprintf(t, sizeof t, "%u", a->chop);
        append_word(out, cap, "--chop");
        append_word(out, cap, t);
    }
}
