/* fuzz_refserver_test: mutants judged by the RFC oracle against the strict
 * reference server (in this process, on a loopback socket): a conforming
 * server must never be a finding. Every mutant of the frame-level seeds that
 * the oracle models is run by the runner, as `wsspec fuzz` runs it, and
 * must not fail; the verdicts are printed. A verdict the oracle gets wrong
 * shows up here as a FAIL with the mutant's steps. */
#include "test.h"

#include <pthread.h>
#include <stdlib.h>

#include "fuzz/fuzz_mutate.h"
#include "fuzz/fuzz_oracle.h"
#include "load/caseload.h"
#include "refserver/refserver.h"
#include "run/runner.h"

#define MUTANTS_DEFAULT 1000

static void *server_main(void *arg) {
    refserver_run(arg);
    return NULL;
}

/* The steps of a failing mutant, one per line, to reproduce it. */
static void dump_steps(const struct step *s, size_t n, int depth) {
    for (size_t i = 0; i < n; i++, s++) {
        fprintf(stderr, "%*s", 2 + 2 * depth, "");
        switch (s->kind) {
        case STEP_SEND_FRAME:
            fprintf(stderr, "frame op=%u fin=%d rsv=%u mask=%d len=%llu declared=%d/%llu form=%u",
                    s->u.frame.opcode, s->u.frame.fin, s->u.frame.rsv, (int)s->u.frame.mask,
                    (unsigned long long)s->u.frame.payload.length, s->u.frame.declared_len_set,
                    (unsigned long long)s->u.frame.declared_len, s->u.frame.len_form);
            break;
        case STEP_SEND_MESSAGE:
            fprintf(stderr, "message op=%u len=%llu fragments=%zu mask=%d", s->u.message.opcode,
                    (unsigned long long)s->u.message.payload.length, s->u.message.fragment_count,
                    (int)s->u.message.mask);
            break;
        case STEP_SEND_CLOSE:
            fprintf(stderr, "close code=%d/%u reason=%llu raw=%d/%llu", s->u.close.has_code,
                    s->u.close.code, (unsigned long long)s->u.close.reason.length,
                    s->u.close.raw_set, (unsigned long long)s->u.close.raw.length);
            break;
        case STEP_SEND_RAW:
            fprintf(stderr, "raw len=%llu", (unsigned long long)s->u.raw.length);
            break;
        case STEP_WAIT: fprintf(stderr, "wait %d x%u", (int)s->u.wait.what, s->u.wait.count); break;
        case STEP_MARK: fprintf(stderr, "mark %s", s->u.mark); break;
        case STEP_PAUSE: fprintf(stderr, "pause %g", s->u.pause_s); break;
        case STEP_REPEAT:
            fprintf(stderr, "repeat x%u\n", s->u.repeat.count);
            dump_steps(s->u.repeat.steps, s->u.repeat.step_count, depth + 1);
            continue;
        default: fprintf(stderr, "step kind %d", (int)s->kind); break;
        }
        fprintf(stderr, " chop=%u coalesce=%d\n", s->chop, s->coalesce);
    }
}

static bool frame_level(const struct wcase *c) {
    static const char *const groups[] = {"framing.",
                                         "fragmentation.",
                                         "utf8",
                                         "close",
                                         "pings.",
                                         "control-interleave.",
                                         "reserved-bits.",
                                         "opcodes.",
                                         "masking.",
                                         "chop1.",
                                         "lengths.",
                                         "after-close.",
                                         NULL};
    for (size_t i = 0; groups[i]; i++)
        if (strncmp(c->id, groups[i], strlen(groups[i])) == 0)
            return !c->has_handshake && !c->deflate.set;
    return false;
}

int main(void) {
    struct case_list corpus = {0};
    struct case_error err;
    if (case_load_path(WSSPEC_SOURCE_CASES, &corpus, &err) != 0)
        return 1;
    size_t nseeds = 0;
    const struct wcase **seeds = calloc(corpus.count, sizeof *seeds);
    for (size_t i = 0; seeds && i < corpus.count; i++)
        if (frame_level(&corpus.items[i]))
            seeds[nseeds++] = &corpus.items[i];
    CHECK(nseeds > 100);
    /* FUZZ_MUTANTS=N, FUZZ_SEED=S and FUZZ_URL=ws://... (another target
     * than the built-in reference server) for exploring by hand */
    size_t MUTANTS =
        getenv("FUZZ_MUTANTS") ? strtoul(getenv("FUZZ_MUTANTS"), NULL, 10) : MUTANTS_DEFAULT;
    const char *url = getenv("FUZZ_URL");
    struct wcase *mutants = calloc(MUTANTS, sizeof *mutants);
    struct case_result *results = calloc(MUTANTS, sizeof *results);
    CHECK(mutants && results);
    struct prng rng;
    prng_seed(&rng, getenv("FUZZ_SEED") ? strtoull(getenv("FUZZ_SEED"), NULL, 10) : 20261203);
    size_t n = 0, tried = 0;
    while (n < MUTANTS && tried < 20 * MUTANTS) {
        const struct wcase *base = seeds[prng_below(&rng, nseeds)];
        if (n >= MUTANTS)
            break;
        const struct wcase *other = seeds[prng_below(&rng, nseeds)];
        char tag[32];
        snprintf(tag, sizeof tag, "m%zu", tried++);
        uint32_t dims;
        CHECK_EQ(fuzz_mutate(base, other, &rng, tag, &mutants[n], &dims), 0);
        struct oracle_verdict v;
        CHECK_EQ(fuzz_oracle_expect(&mutants[n], &v), 0);
        if (v.supported)
            n++;
        else
            case_free(&mutants[n]);
    }
    CHECK_EQ(n, MUTANTS);

    struct refserver_options so = {.quiet = true};
    char msg[256];
    struct refserver *srv = refserver_new(&so, msg, sizeof msg);
    CHECK(srv != NULL);
    if (!srv)
        return 1;
    pthread_t th;
    CHECK_EQ(pthread_create(&th, NULL, server_main, srv), 0);
    struct run_target target;
    memset(&target, 0, sizeof target);
    if (url)
        snprintf(target.url_text, sizeof target.url_text, "%s", url);
    else
        snprintf(target.url_text, sizeof target.url_text, "ws://127.0.0.1:%u/",
                 refserver_port(srv));
    CHECK_EQ(url_parse(target.url_text, &target.url), 0);
    const char *scale = getenv("WSSPEC_TIMEOUT_SCALE");
    struct run_options opts = {
        .jobs = 4, .timeout_scale = scale ? atof(scale) : 1.0, .seed = 1, .retry_timeouts = true};
    CHECK_EQ(runner_run_all(mutants, n, &target, &opts, NULL, results), 0);
    size_t count[VERDICT_COUNT] = {0};
    for (size_t i = 0; i < n; i++) {
        enum verdict v = results[i].j.verdict;
        count[v]++;
        /* an error is one of our deadlines: a busy machine may cause one,
         * held below 1% below; a failure is the oracle's word against a
         * conforming server, never allowed */
        if (v == VERDICT_FAIL || v == VERDICT_ERROR) {
            fprintf(stderr, "%s: %s: %s\nexpected:\n%s\nactual: %s\n", mutants[i].id,
                    verdict_name(v), results[i].j.reason ? results[i].j.reason : "",
                    results[i].j.expected ? results[i].j.expected : "",
                    results[i].j.actual ? results[i].j.actual : "");
            dump_steps(mutants[i].steps, mutants[i].step_count, 0);
            CHECK(v != VERDICT_FAIL);
        }
        case_result_free(&results[i]);
    }
    fprintf(stderr, "%zu mutants (%zu drawn) against the reference server:", n, tried);
    for (int v = 0; v < VERDICT_COUNT; v++)
        fprintf(stderr, " %zu %s", count[v], verdict_name((enum verdict)v));
    fprintf(stderr, "\n");
    CHECK(count[VERDICT_ERROR] * 100 <= n);
    refserver_request_stop(srv);
    pthread_join(th, NULL);
    refserver_free(srv);
    for (size_t i = 0; i < n; i++)
        case_free(&mutants[i]);
    free(mutants);
    free(results);
    free(seeds);
    case_list_free(&corpus);
    TEST_EXIT();
}
