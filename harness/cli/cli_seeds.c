/* cli_seeds: `run --record-seeds DIR`, the fuzzing seeds a run records
 * (cli_run_int.h). */
#include <errno.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli_run_int.h"

/* --record-seeds DIR: a seed for a fuzz target, written to
 * DIR/<target>/<sha256 of the seed> (the name fuzz/corpus uses), so seeds
 * recorded twice, from any thread, are one file. A seed that cannot be
 * written is skipped with a message: recording never changes a verdict. */
void cli_record_seed(void *ud, const char *target, const uint8_t *data, size_t len) {
    const char *dir = ud;
    uint8_t sha[32];
    char path[PATH_MAX], hex[65];
    if (EVP_Digest(data, len, sha, NULL, EVP_sha256(), NULL) != 1)
        return;
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", sha[i]);
    snprintf(path, sizeof path, "%s/%s", dir, target);
    (void)mkdir(dir, 0777);
    (void)mkdir(path, 0777);
    snprintf(path, sizeof path, "%s/%s/%s", dir, target, hex);
    FILE *f = fopen(path, "wbx"); /* exists already: the same seed */
    if (!f) {
        if (errno != EEXIST)
            fprintf(stderr, "wsspec run: --record-seeds: %s: %s\n", path, strerror(errno));
        return;
    }
    if (fwrite(data, 1, len, f) != len)
        fprintf(stderr, "wsspec run: --record-seeds: %s: write failed\n", path);
    fclose(f);
}
