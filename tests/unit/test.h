/* test.h: the tiny assertion kit of the C unit tests. Every failed check
 * prints the file, line, expression and both values; RUN() prints one line
 * per test function; TEST_EXIT() returns non-zero when anything failed. */
#ifndef WSSPEC_TEST_H
#define WSSPEC_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int test_failures;
static int test_checks;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        test_checks++;                                                                             \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);               \
            test_failures++;                                                                       \
        }                                                                                          \
    } while (0)

#define CHECK_EQ(a, b)                                                                             \
    do {                                                                                           \
        long long va_ = (long long)(a), vb_ = (long long)(b);                                      \
        test_checks++;                                                                             \
        if (va_ != vb_) {                                                                          \
            fprintf(stderr, "%s:%d: CHECK_EQ(%s, %s) failed: %lld != %lld\n", __FILE__, __LINE__,  \
                    #a, #b, va_, vb_);                                                             \
            test_failures++;                                                                       \
        }                                                                                          \
    } while (0)

#define CHECK_EQ_U64(a, b)                                                                         \
    do {                                                                                           \
        uint64_t va_ = (uint64_t)(a), vb_ = (uint64_t)(b);                                         \
        test_checks++;                                                                             \
        if (va_ != vb_) {                                                                          \
            fprintf(stderr, "%s:%d: CHECK_EQ_U64(%s, %s) failed: %" PRIu64 " != %" PRIu64 "\n",    \
                    __FILE__, __LINE__, #a, #b, va_, vb_);                                         \
            test_failures++;                                                                       \
        }                                                                                          \
    } while (0)

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *sa_ = (a), *sb_ = (b);                                                         \
        test_checks++;                                                                             \
        if (!sa_ || !sb_ || strcmp(sa_, sb_) != 0) {                                               \
            fprintf(stderr, "%s:%d: CHECK_STR(%s, %s) failed: \"%s\" != \"%s\"\n", __FILE__,       \
                    __LINE__, #a, #b, sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)");                 \
            test_failures++;                                                                       \
        }                                                                                          \
    } while (0)

#define CHECK_MEM(a, alen, b, blen)                                                                \
    do {                                                                                           \
        size_t la_ = (alen), lb_ = (blen);                                                         \
        test_checks++;                                                                             \
        if (la_ != lb_ || memcmp((a), (b), la_) != 0) {                                            \
            fprintf(stderr, "%s:%d: CHECK_MEM(%s, %s) failed (lengths %zu, %zu)\n", __FILE__,      \
                    __LINE__, #a, #b, la_, lb_);                                                   \
            test_failures++;                                                                       \
        }                                                                                          \
    } while (0)

#define RUN(fn)                                                                                    \
    do {                                                                                           \
        int before_ = test_failures;                                                               \
        fn();                                                                                      \
        printf("%s %s\n", test_failures == before_ ? "ok  " : "FAIL", #fn);                        \
    } while (0)

#define TEST_EXIT()                                                                                \
    do {                                                                                           \
        printf("%d checks, %d failed\n", test_checks, test_failures);                              \
        return test_failures ? 1 : 0;                                                              \
    } while (0)

/* Copy len bytes so that they end exactly at an unreadable page: a one-byte
 * over-read faults at once (picohttpparser's trick). Free with guard_free. */
struct guarded {
    uint8_t *data;
    void *map;
    size_t map_len;
};

static inline struct guarded guard_copy(const void *src, size_t len) {
    struct guarded g = {0};
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t pages = (len + page - 1) / page + 1;
    g.map_len = pages * page;
    g.map = mmap(NULL, g.map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (g.map == MAP_FAILED) {
        perror("mmap");
        _exit(2);
    }
    uint8_t *guard = (uint8_t *)g.map + (pages - 1) * page;
    mprotect(guard, page, PROT_NONE);
    g.data = guard - len;
    if (len)
        memcpy(g.data, src, len);
    return g;
}

static inline void guard_free(struct guarded *g) {
    if (g->map)
        munmap(g->map, g->map_len);
    g->map = NULL;
}

#endif
