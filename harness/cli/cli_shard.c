/* cli_shard: slicing the selection for --shard I/N, and the corpus and
 * selection digests a report records for `report --merge` (cli_shard.h). */
#include "cli/cli_shard.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_shard_parse(const char *text, unsigned *index, unsigned *count) {
    char *end;
    errno = 0;
    unsigned long i = strtoul(text, &end, 10);
    if (end == text || *end != '/' || errno)
        return -1;
    const char *rest = end + 1;
    unsigned long n = strtoul(rest, &end, 10);
    if (end == rest || *end || errno || n < 1 || n > CLI_SHARD_MAX || i < 1 || i > n)
        return -1;
    *index = (unsigned)i;
    *count = (unsigned)n;
    return 0;
}

static void to_hex(const unsigned char *d, size_t len, char *hex) {
    for (size_t i = 0; i < len; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

static int by_id(const void *pa, const void *pb) {
    const struct wcase *a = *(const struct wcase *const *)pa;
    const struct wcase *b = *(const struct wcase *const *)pb;
    return strcmp(a->id, b->id);
}

/* SHA-256 over "id\n" of each case of sorted[0..n). */
static void ids_digest(const struct wcase **sorted, size_t n, char hex[65]) {
    unsigned char md[32];
    unsigned len = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1) {
        for (size_t i = 0; i < n; i++) {
            EVP_DigestUpdate(ctx, sorted[i]->id, strlen(sorted[i]->id));
            EVP_DigestUpdate(ctx, "\n", 1);
        }
        EVP_DigestFinal_ex(ctx, md, &len);
    }
    EVP_MD_CTX_free(ctx);
    if (len == 32)
        to_hex(md, 32, hex);
    else
        hex[0] = '\0';
}

/* One case with the weight it has in the greedy split. */
struct weighed {
    const struct wcase *c;
    double seconds;
};

static int heaviest_first(const void *pa, const void *pb) {
    const struct weighed *a = pa, *b = pb;
    if (a->seconds != b->seconds)
        return a->seconds > b->seconds ? -1 : 1;
    return strcmp(a->c->id, b->c->id);
}

/* Each case's duration_s in the report at path into w[].seconds; the mean
 * of the known ones for the others. Returns 0 or -1 after printing why. */
static int weigh(const char *command, const char *path, struct weighed *w, size_t n) {
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    if (!doc) {
        fprintf(stderr, "wsspec %s: --shard-durations %s:%d:%d: %s\n", command, path, jerr.line,
                jerr.column, jerr.text);
        return -1;
    }
    json_t *cases = json_object_get(doc, "cases");
    if (!json_is_array(cases)) {
        fprintf(stderr,
                "wsspec %s: --shard-durations %s: field \"cases\" is missing or not an array "
                "(a wsspec JSON report is expected)\n",
                command, path);
        json_decref(doc);
        return -1;
    }
    /* id -> seconds, through a JSON object as the map. */
    json_t *known = json_object();
    size_t i;
    json_t *c;
    json_array_foreach(cases, i, c) {
        const char *id = json_string_value(json_object_get(c, "id"));
        json_t *d = json_object_get(c, "duration_s");
        if (id && json_is_number(d) && json_number_value(d) >= 0)
            json_object_set_new(known, id, json_real(json_number_value(d)));
    }
    double sum = 0;
    size_t found = 0;
    for (i = 0; i < n; i++) {
        json_t *d = json_object_get(known, w[i].c->id);
        w[i].seconds = d ? json_real_value(d) : -1;
        if (d) {
            sum += w[i].seconds;
            found++;
        }
    }
    double mean = found ? sum / (double)found : 1.0;
    for (i = 0; i < n; i++)
        if (w[i].seconds < 0)
            w[i].seconds = mean;
    json_decref(known);
    json_decref(doc);
    return 0;
}

int cli_shard_select(const char *command, unsigned index, unsigned count,
                     const char *durations_path, const struct wcase **sel, size_t *n,
                     struct shard_info *info) {
    memset(info, 0, sizeof *info);
    size_t total = *n;
    const struct wcase **sorted = calloc(total ? total : 1, sizeof *sorted);
    struct weighed *w = calloc(total ? total : 1, sizeof *w);
    int rc = -1;
    if (!sorted || !w) {
        fprintf(stderr, "wsspec %s: out of memory\n", command);
        goto out;
    }
    memcpy(sorted, sel, total * sizeof *sorted);
    qsort(sorted, total, sizeof *sorted, by_id);
    info->index = index;
    info->count = count;
    info->selected = total;
    info->by_durations = durations_path != NULL;
    ids_digest(sorted, total, info->selection_digest);
    /* Which ids are ours, decided on the sorted list, then kept in the
     * selection's order. */
    json_t *mine = json_object();
    if (!mine) {
        fprintf(stderr, "wsspec %s: out of memory\n", command);
        goto out;
    }
    if (!durations_path) {
        for (size_t k = 0; k < total; k++)
            if (k % count == index - 1)
                json_object_set_new(mine, sorted[k]->id, json_true());
    } else {
        for (size_t k = 0; k < total; k++)
            w[k].c = sorted[k];
        if (weigh(command, durations_path, w, total) != 0) {
            json_decref(mine);
            goto out;
        }
        qsort(w, total, sizeof *w, heaviest_first);
        double *load = calloc(count, sizeof *load);
        if (!load) {
            json_decref(mine);
            goto out;
        }
        for (size_t k = 0; k < total; k++) {
            unsigned lightest = 0;
            for (unsigned s = 1; s < count; s++)
                if (load[s] < load[lightest])
                    lightest = s;
            load[lightest] += w[k].seconds;
            if (lightest == index - 1)
                json_object_set_new(mine, w[k].c->id, json_true());
        }
        free(load);
    }
    size_t kept = 0;
    for (size_t k = 0; k < total; k++)
        if (json_object_get(mine, sel[k]->id))
            sel[kept++] = sel[k];
    *n = kept;
    json_decref(mine);
    rc = 0;
out:
    free(sorted);
    free(w);
    return rc;
}

static int file_digest(const char *path, unsigned char md[32]) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int rc = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 ? 0 : -1;
    unsigned char chunk[16384];
    size_t got;
    while (rc == 0 && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = EVP_DigestUpdate(ctx, chunk, got) == 1 ? 0 : -1;
    unsigned len = 0;
    if (rc == 0 && (ferror(f) || EVP_DigestFinal_ex(ctx, md, &len) != 1 || len != 32))
        rc = -1;
    EVP_MD_CTX_free(ctx);
    fclose(f);
    return rc;
}

int cli_corpus_digest(const struct case_list *all, bool full_profile, char hex[65]) {
    hex[0] = '\0';
    const struct wcase **sorted = calloc(all->count ? all->count : 1, sizeof *sorted);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int rc = sorted && ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < all->count; i++)
        sorted[i] = &all->items[i];
    if (rc == 0)
        qsort(sorted, all->count, sizeof *sorted, by_id);
    /* The files in the order the cases name them: a file's digest is
     * computed once per run of consecutive cases from it. */
    const char *last_file = NULL;
    unsigned char file_md[32];
    char file_hex[65];
    for (size_t i = 0; rc == 0 && i < all->count; i++) {
        const char *file = sorted[i]->pos.file ? sorted[i]->pos.file : "";
        if (!last_file || strcmp(file, last_file) != 0) {
            if (file_digest(file, file_md) != 0) {
                rc = -1;
                break;
            }
            to_hex(file_md, 32, file_hex);
            last_file = file;
        }
        EVP_DigestUpdate(ctx, sorted[i]->id, strlen(sorted[i]->id));
        EVP_DigestUpdate(ctx, " ", 1);
        EVP_DigestUpdate(ctx, file_hex, 64);
        EVP_DigestUpdate(ctx, "\n", 1);
    }
    const char *profile = full_profile ? "profile full\n" : "profile quick\n";
    unsigned char md[32];
    unsigned len = 0;
    if (rc == 0 && (EVP_DigestUpdate(ctx, profile, strlen(profile)) != 1 ||
                    EVP_DigestFinal_ex(ctx, md, &len) != 1 || len != 32))
        rc = -1;
    if (rc == 0)
        to_hex(md, 32, hex);
    EVP_MD_CTX_free(ctx);
    free(sorted);
    return rc;
}

json_t *cli_corpus_json(const char *digest, size_t cases, bool full_profile) {
    return json_pack("{s:s?, s:I, s:s}", "digest", digest && *digest ? digest : NULL, "cases",
                     (json_int_t)cases, "profile", full_profile ? "full" : "quick");
}

json_t *cli_shard_json(const struct shard_info *info) {
    if (!info->count)
        return json_null();
    return json_pack("{s:i, s:i, s:I, s:s, s:b}", "index", (int)info->index, "count",
                     (int)info->count, "selected", (json_int_t)info->selected, "selection_digest",
                     info->selection_digest, "by_durations", info->by_durations);
}
